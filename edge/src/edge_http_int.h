/* The internal half of edge_http.c (the public half is include/edge_http.h): the server object,
 * the per-request object with its response writer, and the per-connection user data, which
 * the other files of the HTTP layer (edge_http_proto, edge_api, edge_sim, edge_ws) share. Each
 * of those files declares its own functions in its own header.
 *
 * Usage: edge_req_new when a request starts; edge_req_hold before and edge_req_release in every
 * asynchronous callback (stop when it returns 0: the client is gone); stage exactly one answer
 * (edge_req_respond, _respond_json or _problem, headers first with edge_req_add_header);
 * edge_req_write sends it on WRITEABLE; edge_req_detach when the connection closes. */
#ifndef EDGE_HTTP_INT_H
#define EDGE_HTTP_INT_H

#include <stdint.h>
#include <libwebsockets.h>
#include "edge.h"
#include "edge_config.h"
#include "edge_http.h"
#include "edge_auth.h"
#include "edge_json.h"
#include "edge_router.h"

struct edge_ws_client;

/* One accepted connection (HTTP or WebSocket), for the per-address cap and the request
 * deadline: rows are added at WSI_CREATE and removed at WSI_DESTROY. */
typedef struct edge_http_conn {
    struct lws *wsi;
    char ip[64];
    uint64_t since_us; /* accepted, or the last transaction on it completed: the next request's
                        * headers started arriving no earlier than this */
    uint64_t due_us;   /* the request deadline its lws timer is armed for; 0 = none */
} edge_http_conn;

struct edge_http {
    edge_ctx *ctx;
    struct lws_context *lws;
    edge_limiter *login_limiter;
    edge_http_conn *conns; /* every open connection, unordered */
    size_t nconns, conns_cap;
    char accepting_ip[64]; /* admitted by FILTER_NETWORK_CONNECTION, taken by its WSI_CREATE */
    struct edge_ws_client *clients; /* doubly linked list of open, authenticated sockets */
    size_t nclients;
    uv_timer_t *auth_timer; /* edge_auth_tick: sockets' sessions re-checked, revocations retried */
    long long revoke_pending[64]; /* admins whose sessions could not be ended yet (Redis down) */
    int n_revoke_pending;
};

/* One HTTP transaction. Heap-allocated because PG/Redis callbacks may arrive after the client
 * went away: `wsi` is nulled when the connection closes, and the object is freed when the
 * connection side and every pending async call have let go (refs reaches 0). */
typedef struct edge_req {
    struct lws *wsi; /* NULL once the connection is gone */
    edge_http *http;
    int refs; /* 1 for the connection + 1 per outstanding async call */
    uint64_t start_us;
    edge_route_match route;
    char method[8];
    char path[256]; /* without the query string; safe to log */
    char ip[64];
    char content_type[128];
    char csrf_header[130];
    /* Accept, "" when absent or longer (edge_apidocs: a browser gets HTML, a client JSON) */
    char accept[256];
    char tg_secret[260];            /* X-Telegram-Bot-Api-Secret-Token; secret, never logged */
    char token[EDGE_TOKEN_HEX + 1]; /* session cookie, "" when absent; never logged */
    char host[256];
    char xff[256]; /* X-Forwarded-For: believed only from RT_TRUSTED_PROXIES */
    int is_head;
    edge_query query;
    int query_err; /* query could not even be collected (too many params) */
    edge_verr query_verr;

    /* request body */
    int expect_body;
    char *body; /* owned */
    size_t body_len, body_cap;
    int body_too_large;
    int body_done; /* the whole body arrived: the request deadline no longer applies */

    /* session (after the Redis lookup) */
    int has_session;
    edge_session session;
    char actor[48]; /* "admin:<id>#<session epoch>" (edge_auth_actor) */
    /* a login attempt the limiter counted (edge_limiter_begin), ended once by its SQL answer */
    int login_counted;
    char login_account[128], login_addr[64];

    /* response */
    int responded; /* a response is staged */
    int logged;    /* the request line was written */
    int status;
    const char *ctype;
    char *resp; /* owned, LWS_PRE headroom before resp_body */
    size_t resp_len, resp_off;
    char extra_headers[3][2][320]; /* name (lowercase, with ':'), value */
    int n_extra;
    int headers_sent;
    int close_after;  /* close instead of keep-alive (unread body on the wire) */
    int hold_for_sim; /* edge_sim scratch */
    long long sim_update_id;
    char *sim_update_json; /* owned */
} edge_req;

/* lws per-session user data for protocol "rt" (HTTP transactions and WebSockets). */
typedef struct edge_pss {
    edge_req *req;
    struct edge_ws_client *ws;
    edge_session pending_session; /* filled at upgrade, consumed at ESTABLISHED */
    char pending_token[EDGE_TOKEN_HEX + 1];
    int pending_ok;
} edge_pss;

edge_req *edge_req_new(edge_http *h, struct lws *wsi);
void edge_req_hold(edge_req *r);
/* Drops one reference; returns 1 when the request is still attached to a live connection. */
int edge_req_release(edge_req *r);
void edge_req_detach(edge_req *r); /* the connection closed */
/* Stages a response (takes ownership of body, which must come from edge_req_body_alloc or
 * be NULL) and asks lws for a writable callback. */
char *edge_req_body_alloc(size_t len);
void edge_req_respond(edge_req *r, int status, const char *ctype, char *body, size_t len);
void edge_req_respond_json(edge_req *r, int status, const char *json, size_t len);
void edge_req_problem(edge_req *r, int status, const char *detail, const char *field);
void edge_req_add_header(edge_req *r, const char *name, const char *value);
/* LWS_CALLBACK_HTTP_WRITEABLE: writes headers or one body chunk. Returns what the lws
 * callback should return. */
int edge_req_write(edge_req *r, struct lws *wsi, edge_pss *pss);
/* Security headers for any response (files included), formatted for wsi. */
int edge_http_add_security_headers(struct lws *wsi, unsigned char **p, unsigned char *end);
uint64_t edge_now_us(void);

/* Connection bookkeeping (RT_HTTP_MAX_CONN_PER_IP, RT_HTTP_REQUEST_TIMEOUT_SEC).
 * edge_http_conn_admit: called at accept with the peer address; 0 = over the cap, refuse.
 * edge_http_conn_created / _destroyed: lws's WSI_CREATE / WSI_DESTROY of any wsi.
 * edge_http_conn_since: when the current request on wsi began at the earliest (now if unknown).
 * edge_http_conn_idle: a transaction on wsi completed; the next one starts now.
 * _created and _idle arm the wsi's lws timer for RT_HTTP_REQUEST_TIMEOUT_SEC: the next
 * request's headers are due by then (edge_http_proto closes the connection otherwise).
 * edge_http_conn_arm: the deadline is due_us (edge_now_us clock); edge_http_conn_disarm: none
 * (lws 4.1's LWS_SET_TIMER_USEC_CANCEL fires the timer at once instead of cancelling it, so
 * the timer may still fire: edge_http_conn_due says whether a deadline really passed). */
int edge_http_conn_admit(edge_http *h, const char *ip);
void edge_http_conn_created(edge_http *h, struct lws *wsi);
void edge_http_conn_destroyed(edge_http *h, struct lws *wsi);
uint64_t edge_http_conn_since(edge_http *h, struct lws *wsi);
void edge_http_conn_idle(edge_http *h, struct lws *wsi);
void edge_http_conn_arm(edge_http *h, struct lws *wsi, uint64_t due_us);
void edge_http_conn_disarm(edge_http *h, struct lws *wsi);
/* 1 when wsi has an armed deadline that has passed */
int edge_http_conn_due(edge_http *h, struct lws *wsi);

/* 1 when host (the Host header, "" when absent) names this server: an entry of RT_HTTP_HOSTS
 * (or, when that is empty, localhost, RT_HTTP_HOST and any IP address literal, which no DNS
 * answer can rebind), with or without a port; names compare without regard to case, ports only
 * when the entry has one. An entry "*" allows every Host. */
int edge_http_host_allowed(const edge_config *cfg, const char *host);

#endif
