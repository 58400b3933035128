/* Asynchronous PostgreSQL access on the libuv loop: a small pool of libpq connections in
 * non-blocking mode, each driven by a uv_poll_t, with a FIFO of pending calls. */
#ifndef EDGE_PG_H
#define EDGE_PG_H

#include <libpq-fe.h>
#include "edge.h"

typedef struct edge_pg edge_pg;

/* Outcome of one call. On success res is the last statement's result (PGRES_TUPLES_OK or
 * PGRES_COMMAND_OK) and sqlstate is "00000". On failure res may be NULL; sqlstate holds the
 * 5-char SQLSTATE ("08006" when the connection broke) and errmsg the server's message.
 * Both are valid only during the callback; the pool frees res afterwards. */
typedef struct edge_pg_result {
    PGresult *res;
    char sqlstate[6];
    char errmsg[512];
    char field[64]; /* PG_DIAG_COLUMN_NAME of the error: the request field at fault, or "" */
} edge_pg_result;

typedef void (*edge_pg_cb)(const edge_pg_result *r, void *ud);

/* Opens `size` connections (connection string built from cfg) and keeps them up, reconnecting
 * with backoff. Returns NULL only on bad arguments; connection failures are retried. */
edge_pg *edge_pg_create(uv_loop_t *loop, const struct edge_config *cfg, int size);
void edge_pg_destroy(edge_pg *pg);

#define EDGE_PG_FULL -2 /* edge_pg_call: the pool's queue is full; cb is not called */

/* Bounds a pool (0 = unbounded): at most max_queue calls wait; a call that waited longer than
 * queue_timeout_ms fails with 57P03; every statement ends after statement_timeout_ms (57014).
 * Call right after edge_pg_create. */
void edge_pg_set_limits(edge_pg *pg, int max_queue, unsigned queue_timeout_ms,
                        unsigned statement_timeout_ms);

/* Queues one API call: BEGIN; SELECT set_config('rt.actor', actor, true) when actor is not
 * NULL (an actor "admin:<id>#<epoch>" sets rt.actor to admin:<id> and rt.actor_epoch to <epoch>,
 * edge_auth_actor); sql with text params; COMMIT (ROLLBACK when anything failed). cb runs exactly
 * once, also when the pool is shut down (sqlstate "57P01"). params are copied; caller keeps them.
 * Returns EDGE_OK, EDGE_PG_FULL (queue bound reached) or EDGE_ERR. */
int edge_pg_call(edge_pg *pg, const char *actor, const char *sql, int nparams,
                 const char *const *params, edge_pg_cb cb, void *ud);

/* The same, but queued ahead of every waiting call: for recording an effect that already
 * happened (a message sent), so the window in which a crash would repeat it stays one round
 * trip wide however long the queue is. */
int edge_pg_call_first(edge_pg *pg, const char *actor, const char *sql, int nparams,
                       const char *const *params, edge_pg_cb cb, void *ud);

/* 1 when at least one connection is up (for /readyz). */
int edge_pg_ready(const edge_pg *pg);

/* The pool's name in metrics ("api", "worker", ...; static storage): calls that find no free
 * connection are counted under it (rt_pg_pool_waits_total, rt_pg_pool_wait_seconds). NULL (the
 * default): not counted. */
void edge_pg_set_name(edge_pg *pg, const char *name);
const char *edge_pg_name(const edge_pg *pg);
/* Connections busy with a call right now (rt_pg_pool_in_use). */
int edge_pg_in_use(const edge_pg *pg);

/* A dedicated connection that LISTENs on `channel` and calls cb(payload, ud) for each NOTIFY.
 * Reconnects and re-LISTENs on failure (a failed LISTEN too, with backoff up to 15 s); after
 * every successful LISTEN, the first included, cb is called with payload NULL so the caller can
 * resynchronise. */
typedef void (*edge_pg_notify_cb)(const char *payload, void *ud);
int edge_pg_listen(edge_pg *pg, const char *channel, edge_pg_notify_cb cb, void *ud);

#endif
