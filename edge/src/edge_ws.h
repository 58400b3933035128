/* /ws fan-out: authenticated sockets, refcounted shared frames and bounded per-client queues.
 *
 * Usage: edge_http_proto.c forwards the socket's lws reasons (CONFIRM_UPGRADE -> check_upgrade,
 * ESTABLISHED, RECEIVE, SERVER_WRITEABLE, CLOSED); edge_ws_broadcast (declared in edge_http.h,
 * the server's public face) queues a frame to every client; logout calls close_session;
 * edge_http_stop calls shutdown. Frames are built with edge_envelope. */
#ifndef EDGE_WS_H
#define EDGE_WS_H

#include <stddef.h>
#include "edge_http.h"

struct lws;
struct edge_pss;

/* 0 when the upgrade may proceed (path /ws, Origin matches Host, a valid session cookie), else
 * the HTTP status to refuse it with (404, 403, 401). Fills pss's pending session. */
int edge_ws_check_upgrade(edge_http *h, struct lws *wsi, struct edge_pss *pss);
int edge_ws_established(edge_http *h, struct lws *wsi, struct edge_pss *pss); /* sends hello */
int edge_ws_writeable(edge_http *h, struct lws *wsi, struct edge_pss *pss);
int edge_ws_receive(edge_http *h, struct lws *wsi, struct edge_pss *pss, const void *in,
                    size_t len); /* answers a ping with a pong */
void edge_ws_closed(edge_http *h, struct edge_pss *pss);
void edge_ws_close_session(edge_http *h, const char *token); /* logout: close its sockets */
/* The admin's sessions ended (disabled, demoted, new password): close every socket of theirs. */
void edge_ws_close_admin(edge_http *h, long long admin_id);
/* The distinct (admin id, session epoch) pairs of the open sockets, at most max. */
size_t edge_ws_admins(edge_http *h, long long *ids, long long *epochs, size_t max);
/* Asks Redis whether each open socket's session still exists and closes those whose session is
 * gone (edge_auth_tick runs it). Nothing closes while Redis is unreachable. */
void edge_ws_recheck_sessions(edge_http *h);
void edge_ws_shutdown(edge_http *h); /* frees every client */

/* 1 when a client frame is {"type":"ping"} (other keys ignored). */
int edge_ws_is_ping(const char *buf, size_t len);

#endif
