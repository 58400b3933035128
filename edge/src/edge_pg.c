/* Asynchronous libpq pool on the libuv loop. Each connection is a small state machine driven by
 * a uv_poll_t on PQsocket: non-blocking connect (PQconnectStartParams/PQconnectPoll), then calls
 * run as a sequence of PQsendQuery* steps whose results are drained until PQgetResult returns
 * NULL (after ReadyForQuery, i.e. after the commit). Listener connections only LISTEN. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge.h"
#include "edge_config.h"
#include "edge_log.h"
#include "edge_metrics.h"
#include "edge_pg.h"

#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 15000
#define CONNECT_TIMEOUT_MS 10000
#define MAX_LISTENERS 4

enum { C_DOWN, C_CONNECTING, C_IDLE, C_BUSY, C_LISTENING };
enum { S_NONE, S_BEGIN, S_ACTOR, S_SQL, S_COMMIT, S_ROLLBACK, S_LISTEN };

typedef struct pg_call {
    struct pg_call *next;
    uint64_t queued_at; /* loop time (ms) it entered the queue */
    uint64_t queued_ns; /* uv_hrtime when it entered the queue */
    int waits;          /* no connection was free then: a wait for rt_pg_pool_wait_seconds */
    char *actor;        /* owned copies of the caller's strings */
    char *sql;
    int nparams;
    char **params;
    edge_pg_cb cb;
    void *ud;
} pg_call;

typedef struct pg_conn {
    edge_pg *pool;
    PGconn *c;       /* owned; NULL when down */
    uv_poll_t *poll; /* heap: closed asynchronously; NULL when none */
    int poll_fd;
    uv_timer_t timer; /* reconnect backoff and connect timeout */
    int state;
    int ever_connected;
    unsigned backoff_ms;
    /* the call in progress */
    pg_call *call;
    int step;
    PGresult *keep; /* result of the S_SQL step, handed to the callback */
    int failed;
    char sqlstate[6];
    char errmsg[512];
    char field[64];
    /* listeners */
    int is_listener;
    char *channel;
    edge_pg_notify_cb ncb;
    void *nud;
} pg_conn;

struct edge_pg {
    uv_loop_t *loop;
    /* connection parameters (copies; the password is a secret and never logged) */
    char host[256], port[16], db[64], user[64], password[256];
    int size;
    pg_conn *conns;
    pg_conn listeners[MAX_LISTENERS];
    int nlisteners;
    pg_call *head, *tail; /* FIFO of queued calls */
    int queued;           /* calls in the FIFO */
    int max_queue;        /* 0: unbounded */
    unsigned queue_timeout_ms;
    char options[64];  /* libpq "options": the statement_timeout of every session */
    uv_timer_t reaper; /* fails calls that waited longer than queue_timeout_ms */
    int reaper_open;
    int stopping;
    int open_handles; /* handles still to be closed before the pool can be freed */
    const char *name; /* in metrics; NULL: waits not counted */
};

static void conn_connect(pg_conn *k);
static void conn_send_step(pg_conn *k);
static void dispatch(edge_pg *pg);

static void free_call(pg_call *call)
{
    if (!call) return;
    for (int i = 0; i < call->nparams; i++) free(call->params[i]);
    free(call->params);
    free(call->actor);
    free(call->sql);
    free(call);
}

static void maybe_free_pool(edge_pg *pg)
{
    if (pg->stopping && pg->open_handles == 0) {
        memset(pg->password, 0, sizeof(pg->password));
        free(pg->conns);
        free(pg);
    }
}

static void on_handle_closed(uv_handle_t *h)
{
    edge_pg *pg = h->data;
    pg->open_handles--;
    maybe_free_pool(pg);
}

static void on_poll_closed(uv_handle_t *h)
{
    edge_pg *pg = h->data;
    free(h);
    pg->open_handles--;
    maybe_free_pool(pg);
}

static void close_poll(pg_conn *k)
{
    if (!k->poll) return;
    uv_poll_stop(k->poll);
    k->poll->data = k->pool;
    uv_close((uv_handle_t *)k->poll, on_poll_closed);
    k->poll = NULL;
    k->poll_fd = -1;
}

static void on_poll(uv_poll_t *h, int status, int events);

/* Watches PQsocket for `events`; replaces the handle when libpq switched sockets. */
static int watch(pg_conn *k, int events)
{
    int fd = PQsocket(k->c);
    if (fd < 0) return EDGE_ERR;
    if (k->poll && k->poll_fd != fd) close_poll(k);
    if (!k->poll) {
        k->poll = malloc(sizeof(*k->poll)); /* freed in on_poll_closed */
        if (!k->poll) return EDGE_ERR;
        if (uv_poll_init(k->pool->loop, k->poll, fd) != 0) {
            free(k->poll);
            k->poll = NULL;
            return EDGE_ERR;
        }
        k->pool->open_handles++;
        k->poll->data = k;
        k->poll_fd = fd;
    }
    return uv_poll_start(k->poll, events, on_poll) == 0 ? EDGE_OK : EDGE_ERR;
}

static void set_error(pg_conn *k, const char *sqlstate, const char *msg, const char *field)
{
    if (k->failed) return; /* keep the first error: it is the cause */
    k->failed = 1;
    snprintf(k->field, sizeof(k->field), "%s", field ? field : "");
    snprintf(k->sqlstate, sizeof(k->sqlstate), "%s", sqlstate ? sqlstate : "XX000");
    snprintf(k->errmsg, sizeof(k->errmsg), "%s", msg ? msg : "");
    size_t n = strlen(k->errmsg);
    while (n > 0 && (k->errmsg[n - 1] == '\n' || k->errmsg[n - 1] == ' ')) k->errmsg[--n] = '\0';
}

/* Ends the current call: the callback sees the outcome, the pool frees the result. */
static void finish_call(pg_conn *k)
{
    pg_call *call = k->call;
    edge_pg_result r;
    k->call = NULL;
    k->step = S_NONE;
    if (k->state == C_BUSY) k->state = C_IDLE;
    if (!call) return;
    memset(&r, 0, sizeof(r));
    if (k->failed) {
        memcpy(r.sqlstate, k->sqlstate, sizeof(r.sqlstate));
        memcpy(r.errmsg, k->errmsg, sizeof(r.errmsg));
        memcpy(r.field, k->field, sizeof(r.field));
        if (k->keep) PQclear(k->keep);
        k->keep = NULL;
    } else {
        memcpy(r.sqlstate, "00000", 6);
        r.res = k->keep;
    }
    k->keep = NULL;
    k->failed = 0;
    if (call->cb) call->cb(&r, call->ud);
    if (r.res) PQclear(r.res);
    free_call(call);
}

static void on_timer(uv_timer_t *t)
{
    pg_conn *k = t->data;
    if (k->pool->stopping) return;
    if (k->state == C_CONNECTING) { /* connect timeout */
        EDGE_WARN("postgres connect timed out", "host", k->pool->host);
        close_poll(k);
        PQfinish(k->c);
        k->c = NULL;
        k->state = C_DOWN;
    }
    if (k->state == C_DOWN) conn_connect(k);
}

static void schedule_reconnect(pg_conn *k)
{
    unsigned delay = k->backoff_ms + (unsigned)(rand() % (int)(k->backoff_ms / 4 + 1));
    k->backoff_ms = k->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : k->backoff_ms * 2;
    uv_timer_start(&k->timer, on_timer, delay, 0);
}

/* The connection broke: fail the call in progress with 08006 and reconnect later. */
static void conn_broken(pg_conn *k)
{
    const char *msg = k->c ? PQerrorMessage(k->c) : "connection lost";
    if (!k->pool->stopping)
        EDGE_WARN("postgres connection lost", "error", msg, "listener", k->is_listener ? "1" : "0");
    if (k->call) {
        k->failed = 0;
        set_error(k, "08006", msg, NULL);
    }
    close_poll(k);
    k->state = C_DOWN;
    finish_call(k); /* runs the callback; the connection is already out of the pool */
    if (k->c) PQfinish(k->c);
    k->c = NULL;
    if (!k->pool->stopping) {
        schedule_reconnect(k);
        dispatch(k->pool);
    }
}

static void conn_ready(pg_conn *k)
{
    uv_timer_stop(&k->timer);
    /* a listener's backoff resets only once LISTEN succeeded: a LISTEN that keeps failing is
     * retried with growing delays, not at once */
    if (!k->is_listener) k->backoff_ms = BACKOFF_MIN_MS;
    if (PQsetnonblocking(k->c, 1) != 0) {
        conn_broken(k);
        return;
    }
    EDGE_DEBUG("postgres connected", "listener", k->is_listener ? "1" : "0");
    if (k->is_listener) {
        k->state = C_LISTENING;
        k->step = S_LISTEN;
        conn_send_step(k);
        return;
    }
    k->state = C_IDLE;
    if (watch(k, UV_READABLE) != EDGE_OK) { /* notices and server-side disconnects */
        conn_broken(k);
        return;
    }
    k->ever_connected = 1;
    dispatch(k->pool);
}

static void connect_poll(pg_conn *k)
{
    PostgresPollingStatusType st;
    if (k->poll) uv_poll_stop(k->poll); /* re-added below: libpq may have swapped sockets */
    st = PQconnectPoll(k->c);
    switch (st) {
    case PGRES_POLLING_READING:
        if (watch(k, UV_READABLE) != EDGE_OK) goto fail;
        return;
    case PGRES_POLLING_WRITING:
        if (watch(k, UV_WRITABLE) != EDGE_OK) goto fail;
        return;
    case PGRES_POLLING_OK:
        conn_ready(k);
        return;
    default:
        goto fail;
    }
fail:
    if (!k->ever_connected || k->backoff_ms <= BACKOFF_MIN_MS)
        EDGE_WARN("postgres connect failed", "error", k->c ? PQerrorMessage(k->c) : "");
    close_poll(k);
    if (k->c) PQfinish(k->c);
    k->c = NULL;
    k->state = C_DOWN;
    schedule_reconnect(k);
}

/* libpq prints notices to stderr by default; route them into the JSON log instead. */
static void on_notice(void *arg, const char *message)
{
    char buf[512];
    size_t n;
    (void)arg;
    snprintf(buf, sizeof(buf), "%s", message);
    n = strlen(buf);
    while (n > 0 && buf[n - 1] == '\n') buf[--n] = '\0';
    EDGE_DEBUG("postgres notice", "message", buf);
}

static void conn_connect(pg_conn *k)
{
    edge_pg *pg = k->pool;
    const char *keys[] = {"host",
                          "port",
                          "dbname",
                          "user",
                          "password",
                          "application_name",
                          "client_encoding",
                          "connect_timeout",
                          "options",
                          NULL};
    const char *vals[] = {pg->host, pg->port,     pg->db,
                          pg->user, pg->password, k->is_listener ? "rt-edge-listen" : "rt-edge",
                          "UTF8",   "10",         k->is_listener ? "" : pg->options,
                          NULL};
    if (pg->stopping) return;
    k->c = PQconnectStartParams(keys, vals, 0);
    if (!k->c || PQstatus(k->c) == CONNECTION_BAD) {
        EDGE_WARN("postgres connect failed", "error", k->c ? PQerrorMessage(k->c) : "no memory");
        if (k->c) PQfinish(k->c);
        k->c = NULL;
        schedule_reconnect(k);
        return;
    }
    PQsetNoticeProcessor(k->c, on_notice, NULL);
    k->state = C_CONNECTING;
    uv_timer_start(&k->timer, on_timer, CONNECT_TIMEOUT_MS, 0);
    /* "poll as if the socket were writable" is how libpq asks to begin */
    if (watch(k, UV_WRITABLE) != EDGE_OK) {
        PQfinish(k->c);
        k->c = NULL;
        k->state = C_DOWN;
        schedule_reconnect(k);
    }
}

static void conn_send_step(pg_conn *k)
{
    int ok = 0;
    switch (k->step) {
    case S_BEGIN:
        ok = PQsendQuery(k->c, "BEGIN");
        break;
    case S_ACTOR: {
        const char *p[1] = {k->call->actor};
        /* "admin:<id>#<epoch>": the session's epoch too (rt.require_role refuses a stale one);
         * without '#', rt.actor_epoch is '' (unset) */
        ok = PQsendQueryParams(k->c,
                               "SELECT set_config('rt.actor', split_part($1, '#', 1), true), "
                               "set_config('rt.actor_epoch', split_part($1, '#', 2), true)",
                               1, NULL, p, NULL, NULL, 0);
        break;
    }
    case S_SQL:
        ok = PQsendQueryParams(k->c, k->call->sql, k->call->nparams, NULL,
                               (const char *const *)k->call->params, NULL, NULL, 0);
        break;
    case S_COMMIT:
        ok = PQsendQuery(k->c, "COMMIT");
        break;
    case S_ROLLBACK:
        ok = PQsendQuery(k->c, "ROLLBACK");
        break;
    case S_LISTEN: {
        char *id = PQescapeIdentifier(k->c, k->channel, strlen(k->channel));
        char sql[256];
        if (id) {
            snprintf(sql, sizeof(sql), "LISTEN %s", id);
            PQfreemem(id);
            ok = PQsendQuery(k->c, sql);
        }
        break;
    }
    default:
        break;
    }
    if (!ok) {
        conn_broken(k);
        return;
    }
    int fl = PQflush(k->c);
    if (fl < 0 || watch(k, fl == 1 ? (UV_READABLE | UV_WRITABLE) : UV_READABLE) != EDGE_OK)
        conn_broken(k);
}

/* One statement of the step finished (PQgetResult returned NULL): choose the next one. */
static void step_done(pg_conn *k)
{
    int in_txn = k->call && k->call->actor != NULL;
    switch (k->step) {
    case S_BEGIN:
        if (k->failed) break;
        k->step = S_ACTOR;
        conn_send_step(k);
        return;
    case S_ACTOR:
        k->step = k->failed ? S_ROLLBACK : S_SQL;
        conn_send_step(k);
        return;
    case S_SQL:
        if (in_txn) {
            k->step = k->failed ? S_ROLLBACK : S_COMMIT;
            conn_send_step(k);
            return;
        }
        break;
    case S_COMMIT:
    case S_ROLLBACK:
        break;
    case S_LISTEN:
        k->step = S_NONE;
        if (k->failed) {
            /* a missed NOTIFY would go unnoticed: reconnect and LISTEN again */
            EDGE_ERROR("postgres LISTEN failed; retrying", "channel", k->channel, "error",
                       k->errmsg);
            k->failed = 0;
            conn_broken(k);
            return;
        }
        k->backoff_ms = BACKOFF_MIN_MS;
        EDGE_INFO("postgres listening", "channel", k->channel);
        /* resynchronise: what was rung before this LISTEN (the first one too) was not heard */
        if (k->ncb) k->ncb(NULL, k->nud);
        k->ever_connected = 1;
        return;
    default:
        return;
    }
    finish_call(k);
    if (!k->pool->stopping) dispatch(k->pool);
}

static void handle_result(pg_conn *k, PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
        if (st != PGRES_NONFATAL_ERROR)
            set_error(k, PQresultErrorField(res, PG_DIAG_SQLSTATE),
                      PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY),
                      PQresultErrorField(res, PG_DIAG_COLUMN_NAME));
        PQclear(res);
        return;
    }
    if (k->step == S_SQL && !k->failed) {
        if (k->keep) PQclear(k->keep);
        k->keep = res;
        return;
    }
    PQclear(res);
}

static void deliver_notifies(pg_conn *k)
{
    PGnotify *n;
    while (k->c && (n = PQnotifies(k->c)) != NULL) {
        if (k->ncb) k->ncb(n->extra, k->nud);
        PQfreemem(n);
    }
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    pg_conn *k = h->data;
    if (k->pool->stopping) return;
    if (k->state == C_CONNECTING) {
        connect_poll(k);
        return;
    }
    if (status < 0) {
        conn_broken(k);
        return;
    }
    if (events & UV_WRITABLE) {
        int fl = PQflush(k->c);
        if (fl < 0) {
            conn_broken(k);
            return;
        }
        if (fl == 0 && watch(k, UV_READABLE) != EDGE_OK) {
            conn_broken(k);
            return;
        }
    }
    if (!(events & UV_READABLE)) return;
    if (!PQconsumeInput(k->c)) {
        conn_broken(k);
        return;
    }
    if (k->step != S_NONE) {
        while (!PQisBusy(k->c)) {
            PGresult *res = PQgetResult(k->c);
            if (!res) {
                step_done(k);
                break;
            }
            handle_result(k, res);
        }
    }
    if (k->is_listener) deliver_notifies(k);
}

static void dispatch(edge_pg *pg)
{
    for (int i = 0; i < pg->size && pg->head && !pg->stopping; i++) {
        pg_conn *k = &pg->conns[i];
        if (k->state != C_IDLE) continue;
        pg_call *call = pg->head;
        pg->head = call->next;
        if (!pg->head) pg->tail = NULL;
        pg->queued--;
        call->next = NULL;
        if (call->waits && pg->name)
            edge_metrics_pg_wait(pg->name, (double)(uv_hrtime() - call->queued_ns) / 1e9);
        k->call = call;
        k->failed = 0;
        k->keep = NULL;
        k->state = C_BUSY;
        k->step = call->actor ? S_BEGIN : S_SQL;
        conn_send_step(k);
    }
}

static char *dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void conn_init(edge_pg *pg, pg_conn *k)
{
    memset(k, 0, sizeof(*k));
    k->pool = pg;
    k->poll_fd = -1;
    k->backoff_ms = BACKOFF_MIN_MS;
    uv_timer_init(pg->loop, &k->timer);
    k->timer.data = k;
    pg->open_handles++;
}

edge_pg *edge_pg_create(uv_loop_t *loop, const struct edge_config *cfg, int size)
{
    edge_pg *pg;
    if (!loop || !cfg || size < 1 || size > 64) return NULL;
    pg = calloc(1, sizeof(*pg)); /* owned by the caller, released by edge_pg_destroy */
    if (!pg) return NULL;
    pg->conns = calloc((size_t)size, sizeof(*pg->conns));
    if (!pg->conns) goto err;
    pg->loop = loop;
    pg->size = size;
    snprintf(pg->host, sizeof(pg->host), "%s", cfg->pg_host);
    snprintf(pg->port, sizeof(pg->port), "%d", cfg->pg_port);
    snprintf(pg->db, sizeof(pg->db), "%s", cfg->pg_db);
    snprintf(pg->user, sizeof(pg->user), "%s", cfg->pg_user);
    snprintf(pg->password, sizeof(pg->password), "%s", cfg->pg_password);
    for (int i = 0; i < size; i++) {
        conn_init(pg, &pg->conns[i]);
        conn_connect(&pg->conns[i]);
    }
    return pg;
err:
    free(pg);
    return NULL;
}

int edge_pg_listen(edge_pg *pg, const char *channel, edge_pg_notify_cb cb, void *ud)
{
    pg_conn *k;
    if (!pg || !channel || !cb || pg->stopping || pg->nlisteners >= MAX_LISTENERS) return EDGE_ERR;
    if (strlen(channel) > 63) return EDGE_ERR;
    k = &pg->listeners[pg->nlisteners];
    conn_init(pg, k);
    k->is_listener = 1;
    k->channel = strdup(channel); /* freed in edge_pg_destroy */
    if (!k->channel) return EDGE_ERR;
    k->ncb = cb;
    k->nud = ud;
    pg->nlisteners++;
    conn_connect(k);
    return EDGE_OK;
}

static int enqueue(edge_pg *pg, const char *actor, const char *sql, int nparams,
                   const char *const *params, edge_pg_cb cb, void *ud, int first)
{
    pg_call *call;
    if (!pg || !sql || nparams < 0 || (nparams > 0 && !params) || pg->stopping) return EDGE_ERR;
    call = calloc(1, sizeof(*call)); /* owned by the pool until the callback has run */
    if (!call) return EDGE_ERR;
    call->cb = cb;
    call->ud = ud;
    call->sql = strdup(sql);
    call->actor = dupstr(actor);
    if (!call->sql || (actor && !call->actor)) goto err;
    if (nparams > 0) {
        call->params = calloc((size_t)nparams, sizeof(char *));
        if (!call->params) goto err;
        call->nparams = nparams;
        for (int i = 0; i < nparams; i++) {
            if (params[i] && !(call->params[i] = strdup(params[i]))) goto err;
        }
    }
    if (pg->max_queue > 0 && pg->queued >= pg->max_queue) {
        free_call(call);
        return EDGE_PG_FULL;
    }
    call->queued_at = uv_now(pg->loop);
    call->queued_ns = uv_hrtime();
    call->waits = 1;
    for (int i = 0; i < pg->size; i++)
        if (pg->conns[i].state == C_IDLE) call->waits = 0;
    if (first) {
        call->next = pg->head;
        pg->head = call;
        if (!pg->tail) pg->tail = call;
    } else if (pg->tail) {
        pg->tail->next = call;
        pg->tail = call;
    } else {
        pg->head = pg->tail = call;
    }
    pg->queued++;
    dispatch(pg);
    return EDGE_OK;
err:
    free_call(call);
    return EDGE_ERR;
}

int edge_pg_call(edge_pg *pg, const char *actor, const char *sql, int nparams,
                 const char *const *params, edge_pg_cb cb, void *ud)
{
    return enqueue(pg, actor, sql, nparams, params, cb, ud, 0);
}

int edge_pg_call_first(edge_pg *pg, const char *actor, const char *sql, int nparams,
                       const char *const *params, edge_pg_cb cb, void *ud)
{
    return enqueue(pg, actor, sql, nparams, params, cb, ud, 1);
}

/* Fails the calls at the head of the queue that waited longer than queue_timeout_ms: with no
 * connection free in time (the database is down or saturated) a caller learns it in bounded
 * time instead of hanging. */
static void on_reaper(uv_timer_t *t)
{
    edge_pg *pg = t->data;
    uint64_t now = uv_now(pg->loop);
    while (pg->head && !pg->stopping && now - pg->head->queued_at > pg->queue_timeout_ms) {
        pg_call *call = pg->head;
        edge_pg_result r;
        pg->head = call->next;
        if (!pg->head) pg->tail = NULL;
        pg->queued--;
        if (call->waits && pg->name) /* it waited, in vain */
            edge_metrics_pg_wait(pg->name, (double)(uv_hrtime() - call->queued_ns) / 1e9);
        memset(&r, 0, sizeof(r));
        memcpy(r.sqlstate, "57P03", 6);
        snprintf(r.errmsg, sizeof(r.errmsg), "no database connection became free within %u ms",
                 pg->queue_timeout_ms);
        if (call->cb) call->cb(&r, call->ud);
        free_call(call);
    }
}

void edge_pg_set_limits(edge_pg *pg, int max_queue, unsigned queue_timeout_ms,
                        unsigned statement_timeout_ms)
{
    if (!pg) return;
    pg->max_queue = max_queue > 0 ? max_queue : 0;
    pg->queue_timeout_ms = queue_timeout_ms;
    if (statement_timeout_ms > 0)
        snprintf(pg->options, sizeof(pg->options), "-c statement_timeout=%u", statement_timeout_ms);
    if (queue_timeout_ms > 0 && !pg->reaper_open) {
        uv_timer_init(pg->loop, &pg->reaper);
        pg->reaper.data = pg;
        pg->reaper_open = 1;
        pg->open_handles++;
        uv_timer_start(&pg->reaper, on_reaper, 100, 100);
    }
}

void edge_pg_set_name(edge_pg *pg, const char *name)
{
    if (pg) pg->name = name;
}

const char *edge_pg_name(const edge_pg *pg)
{
    return pg ? pg->name : NULL;
}

int edge_pg_in_use(const edge_pg *pg)
{
    int n = 0;
    if (!pg) return 0;
    for (int i = 0; i < pg->size; i++)
        if (pg->conns[i].state == C_BUSY) n++;
    return n;
}

int edge_pg_ready(const edge_pg *pg)
{
    if (!pg || pg->stopping) return 0;
    for (int i = 0; i < pg->size; i++)
        if (pg->conns[i].state == C_IDLE || pg->conns[i].state == C_BUSY) return 1;
    return 0;
}

static void conn_shutdown(pg_conn *k)
{
    if (k->call) {
        k->failed = 0;
        set_error(k, "57P01", "rt-edge is shutting down", NULL);
        finish_call(k);
    }
    close_poll(k);
    if (k->c) PQfinish(k->c);
    k->c = NULL;
    k->state = C_DOWN;
    uv_timer_stop(&k->timer);
    k->timer.data = k->pool;
    uv_close((uv_handle_t *)&k->timer, on_handle_closed);
    free(k->channel);
    k->channel = NULL;
}

void edge_pg_destroy(edge_pg *pg)
{
    pg_call *call;
    if (!pg || pg->stopping) return;
    pg->stopping = 1;
    while ((call = pg->head) != NULL) {
        edge_pg_result r;
        pg->head = call->next;
        memset(&r, 0, sizeof(r));
        memcpy(r.sqlstate, "57P01", 6);
        snprintf(r.errmsg, sizeof(r.errmsg), "rt-edge is shutting down");
        if (call->cb) call->cb(&r, call->ud);
        free_call(call);
    }
    pg->tail = NULL;
    pg->queued = 0;
    if (pg->reaper_open) {
        uv_timer_stop(&pg->reaper);
        uv_close((uv_handle_t *)&pg->reaper, on_handle_closed);
        pg->reaper_open = 0;
    }
    for (int i = 0; i < pg->size; i++) conn_shutdown(&pg->conns[i]);
    for (int i = 0; i < pg->nlisteners; i++) conn_shutdown(&pg->listeners[i]);
    maybe_free_pool(pg); /* normally deferred until the handles are closed */
}
