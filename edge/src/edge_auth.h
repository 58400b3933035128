/* Sessions, the session cookie, CSRF tokens, the WebSocket Origin check and the failed-login
 * limiter. Pure except edge_token_new (OpenSSL RAND_bytes), the limiter's counts (Redis:
 * {rt}:login:*) and the session store at the end (Redis: {rt}:session:<token> plus the per-admin
 * index {rt}:admin_sessions:<id>). */
#ifndef EDGE_AUTH_H
#define EDGE_AUTH_H

#include <stddef.h>
#include <time.h>
#include "edge.h"
#include "edge_redis.h"

#define EDGE_TOKEN_HEX 64 /* 32 random bytes, hex */
#define EDGE_SESSION_COOKIE "rt_session"

typedef struct edge_session {
    long long admin_id;
    char login[128];
    char role[16];
    char csrf_token[EDGE_TOKEN_HEX + 1];
    long long created_at;
    long long epoch; /* the admin's session_epoch at login (0 in sessions made before 0.4.0) */
} edge_session;

/* Finds cookie `name` in a Cookie header ("a=1; b=\"2\""); strips optional quotes. Returns 0
 * and copies the value into out, or -1 when missing, empty or too long. */
int edge_cookie_get(const char *header, const char *name, char *out, size_t outlen);

/* 1 when tok is exactly 64 lowercase hex characters. */
int edge_token_is_valid(const char *tok);

/* Writes 64 hex chars of fresh randomness + NUL into out[65]. Returns 0 or -1. */
int edge_token_new(char *out);

/* Compares two NUL-terminated strings in time independent of where they differ (only the
 * length leaks). 1 when equal. */
int edge_ct_equal(const char *a, const char *b);

/* 1 when the Origin header names the same host[:port] as the Host header (scheme ignored). */
int edge_origin_matches_host(const char *origin, const char *host);

/* Session value stored at {rt}:session:<token>. Returns malloc'd JSON (caller frees) / 0 or -1. */
char *edge_session_to_json(const edge_session *s);
int edge_session_from_json(const char *json, size_t len, edge_session *s);

/* Set-Cookie values: the session cookie, and one that clears it. Return snprintf-style
 * length; out is always NUL-terminated when outlen > 0. */
int edge_cookie_set(char *out, size_t outlen, const char *token, int secure);
int edge_cookie_clear(char *out, size_t outlen, int secure);

/* The login limiter, shared by every edge through Redis. Every attempt is counted BEFORE the
 * password is checked, against the account (the login name as sent, stored only as its SHA-256)
 * and against the client address, by one Lua script per attempt (edge_limiter_count); an account
 * or address that reaches its maximum within the window is locked, for lock_sec and then twice as
 * long at each further lock (up to lock_max_sec; a key's locks are forgotten after a day without
 * attempts, and a key never locked lives only for the window). A correct password clears the
 * account's record and does not count against the address; a locked account is refused even
 * with the correct password until its lock ends. Several edges share the counts and a restart
 * keeps them. Only the cap on logins in flight (bcrypt is slow on purpose) is per edge. When
 * Redis cannot count, the login is refused (503, fail closed). */
typedef struct edge_limiter_params {
    int account_max, addr_max; /* attempts per window before a lock */
    int window_sec;
    int account_lock_sec, addr_lock_sec, lock_max_sec;
    int in_flight;
} edge_limiter_params;
#define EDGE_LIMITER_DEFAULTS       \
    {                               \
        5, 20, 900, 30, 60, 3600, 8 \
    }

typedef struct edge_limiter edge_limiter;
edge_limiter *edge_limiter_create(const edge_limiter_params *p); /* NULL: the defaults */
void edge_limiter_destroy(edge_limiter *l);

/* A place among the logins in flight on this edge: 0 taken, -1 all in use (answer 429). */
int edge_limiter_enter(edge_limiter *l);
void edge_limiter_leave(edge_limiter *l);
int edge_limiter_in_flight(const edge_limiter *l);

/* The Redis keys of an attempt: {rt}:login:account:<sha256 hex of login>, {rt}:login:addr:<addr>.
 * 0, or -1 when out does not hold them. */
int edge_limiter_account_key(const char *login, char *out, size_t outlen);
int edge_limiter_addr_key(const char *addr, char *out, size_t outlen);

/* Counts one attempt (atomically, for all edges). cb gets an integer reply: 0 when the login may
 * go ahead (counted), else the seconds to wait (Retry-After; nothing counted); NULL or an error
 * reply when Redis did not answer. EDGE_ERR when not sent (cb not called). */
int edge_limiter_count(const edge_limiter *l, edge_redis *r, const char *account_key,
                       const char *addr_key, edge_redis_cb cb, void *ud);

typedef enum edge_login_outcome {
    EDGE_LOGIN_OK,    /* right password: account record cleared, address attempt uncounted */
    EDGE_LOGIN_WRONG, /* wrong login or password: the attempt stays counted */
    EDGE_LOGIN_NONE,  /* no answer (database away, queue full): uncounted everywhere */
} edge_login_outcome;
/* After a counted attempt's check, once (fire and forget). */
void edge_limiter_settle(edge_redis *r, const char *account_key, const char *addr_key,
                         edge_login_outcome outcome);

/* The client's address: the TCP peer, or, when the peer is a trusted proxy (trusted: a comma
 * list of addresses and CIDR ranges, IPv4 or IPv6, as RT_TRUSTED_PROXIES), the rightmost
 * address of X-Forwarded-For that is not itself a trusted proxy. Writes it to out. */
void edge_client_addr(const char *peer, const char *xff, const char *trusted, char *out,
                      size_t outlen);
/* 1 when ip is in the comma list of addresses / CIDR ranges. */
int edge_ip_in_list(const char *ip, const char *list);
/* 1 when list is a valid RT_TRUSTED_PROXIES value ("" included). */
int edge_ip_list_is_valid(const char *list);

/* ---- the session store (Redis) ----
 * {rt}:session:<token> holds the session JSON with a sliding TTL; {rt}:admin_sessions:<admin id> is
 * the set of that admin's tokens, so every session of an admin can end at once. */

/* Stores a new session and adds its token to the admin's index, atomically (one script);
 * cb gets the script's reply (NULL when Redis is down). EDGE_ERR when not sent. */
int edge_auth_session_save(edge_redis *r, const char *token, const edge_session *s, int ttl_sec,
                           edge_redis_cb cb, void *ud);

/* Sliding expiry after a successful authenticated request: the session gets ttl_sec again,
 * but only while it still exists (a session ended meanwhile is never brought back). Fire and
 * forget. Callers slide only on success: no 401/403 ever extends a session. */
void edge_auth_session_slide(edge_redis *r, const char *token, long long admin_id, int ttl_sec);

/* An admin's role, disabled state or password changed, or the admin was deleted: ends every
 * session of theirs (the tokens in {rt}:admin_sessions:<id>) and closes their WebSockets on
 * this edge. Every edge runs it for each "admin.changed" row of the event journal (the rt.admins
 * trigger admins_sessions_end of pg_extension/sql/base/25_admins.sql appends them), so sockets on
 * all edges close. Safe to call twice and for an admin without sessions; ctx->http may be NULL
 * (shutting down). */
void edge_auth_admin_changed(edge_ctx *ctx, long long admin_id);

/* The actor of a session's SQL calls: "admin:<id>#<epoch>"; edge_pg sets rt.actor to the part
 * before '#' and rt.actor_epoch to the rest, so rt.require_role refuses (28000) a session older
 * than the admin's session_epoch in the same statement
 * (pg_extension/sql/base/25_admins.sql). 0, or -1 when out is too small. */
int edge_auth_actor(long long admin_id, long long epoch, char *out, size_t outlen);

/* Ends the admin's sessions made at `epoch` or before (the database refused one as stale: a new
 * password, role or access no edge acted on), then re-checks this edge's sockets so theirs close
 * at once. Sessions made since (a newer epoch) stay. */
void edge_auth_session_stale(edge_ctx *ctx, long long admin_id, long long epoch);

/* Asks the database (rt.require_role as the session's actor and epoch) whether a session of this
 * admin made at `epoch` is still good; a stale one ends (edge_auth_session_stale), a disabled or
 * deleted admin loses every session (edge_auth_admin_changed). The safety net for changes no edge
 * read from the journal (made while every edge was down): each socket's admin when it connects
 * and every EDGE_AUTH_VALIDATE_TICKS ticks. */
void edge_auth_validate_admin(edge_ctx *ctx, long long admin_id, long long epoch);

/* The WebSocket upgrade cannot wait for the database, so each edge keeps every admin's session
 * epoch (rt.admin_session_epochs: loaded at start, after each admin.changed and every
 * EDGE_AUTH_VALIDATE_TICKS ticks; raised when the database refuses a stale session).
 * edge_auth_session_current is 0 when a session of admin_id made at `epoch` is known to be over
 * (older than the admin's epoch, or the admin is disabled): the upgrade answers 401. An admin
 * not (yet) known passes; the socket's database check at connect then decides. */
int edge_auth_session_current(long long admin_id, long long epoch);
void edge_auth_epoch_at_least(long long admin_id, long long floor);
/* Replaces the known epochs by a rt.admin_session_epochs() answer; 0 or -1 (not an object). */
int edge_auth_epochs_apply(const char *json, size_t len);
void edge_auth_load_epochs(edge_ctx *ctx);

/* Every EDGE_AUTH_TICK_MS (a timer of edge_http.c): retries the revocations Redis refused and
 * closes the sockets whose session no longer exists (logged out elsewhere, deleted in Redis,
 * expired). So a socket outlives its session by at most one tick. */
#define EDGE_AUTH_TICK_MS 2000
/* ... and every this many ticks asks the database about the admins of the open sockets
 * (edge_auth_validate_admin), for changes made while no edge read the journal. */
#define EDGE_AUTH_VALIDATE_TICKS 8
struct edge_http;
void edge_auth_tick(struct edge_http *h);

#endif
