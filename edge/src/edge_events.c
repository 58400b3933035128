/* The event journal reader (decision 011). NOTIFY rt_events is only a doorbell: its payload is
 * never read. Each ring (and each reconnect of the listener) makes the edge read the journal
 * rows after the last id it has seen with rt.events_after, which expands them into WebSocket
 * events; every event is broadcast with its journal row's id ("event_id"), so a client that
 * reconnects can ask for what it missed (edge_events_catchup). Rows of type "admin.changed" go
 * to edge_auth_admin_changed instead of the browsers, "session.stopped" rows to
 * edge_llm_cancel_session (the turn in flight is aborted at once), "resync" rows (a row too large
 * to expand) are logged and broadcast so clients reload. One read at a time, in id order, which is
 * commit order, so clients see events in commit order. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "edge.h"
#include "edge_auth.h"
#include "edge_config.h"
#include "edge_envelope.h"
#include "edge_events.h"
#include "edge_http.h"
#include "edge_llm.h"
#include "edge_log.h"
#include "edge_pg.h"

#define READ_SQL \
    "SELECT id, type, data FROM rt.events_after($1::bigint, $2::int, $3::bigint, $4::boolean)"
#define POSITION_SQL "SELECT rt.events_position()"
#define LIVE_ROWS "32"     /* journal rows a live read takes (one ingest batch each at most) */
#define CATCHUP_ROWS 256   /* journal rows a client may catch up on; more: resync */
#define RETRY_MIN_MS 250   /* a failed read is retried with backoff ... */
#define RETRY_MAX_MS 15000 /* ... doubling up to this */
#define EMPTY_PAUSE_MS 50  /* after a read that found nothing, the next one waits this long */

static struct {
    edge_ctx *ctx;
    long long cursor; /* id of the last journal row read; -1 until rt.events_position answered */
    int dirty;        /* the doorbell rang since the last read began */
    int busy;         /* a read (or the position query) is in flight */
    int running;
    int stopping;
    int paused; /* the timer runs: reads wait for it (a failed read, or one that found nothing) */
    uint64_t empty_at; /* uv_now of the last read that found nothing, 0 after one that did */
    unsigned retry_ms;
    uv_timer_t timer; /* retries a failed read */
    int timer_open;
} ev;

static void read_journal(void);

/* {"type":..,"data":..,"ts":..,"event_id":id} (id < 0: no event_id). Caller frees. */
char *edge_events_envelope(const char *type, const char *data, size_t len, long long id,
                           size_t *outlen)
{
    size_t n;
    char *env = edge_envelope(type, data, len, &n);
    if (!env || id < 0) {
        if (env && outlen) *outlen = n;
        return env;
    }
    char tail[48];
    int tl = snprintf(tail, sizeof(tail), ",\"event_id\":%lld}", id);
    char *out = realloc(env, n + (size_t)tl); /* replaces the closing brace */
    if (!out) {
        free(env);
        return NULL;
    }
    memcpy(out + n - 1, tail, (size_t)tl + 1);
    if (outlen) *outlen = n - 1 + (size_t)tl;
    return out;
}

long long edge_events_position(void)
{
    return ev.running ? ev.cursor : -1;
}

static void on_retry(uv_timer_t *t)
{
    (void)t;
    ev.paused = 0;
    ev.dirty = 1;
    read_journal();
}

static void read_failed(const edge_pg_result *r, const char *what)
{
    char ms[24];
    snprintf(ms, sizeof(ms), "%u", ev.retry_ms);
    EDGE_ERROR("events: journal read failed; retrying", "query", what, "sqlstate", r->sqlstate,
               "error", r->errmsg, "retry_ms", ms);
    if (ev.timer_open && uv_timer_start(&ev.timer, on_retry, ev.retry_ms, 0) == 0) ev.paused = 1;
    ev.retry_ms = ev.retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : ev.retry_ms * 2;
}

static long long id_field_of(const char *data, const char *field)
{
    json_error_t je;
    json_t *o = data ? json_loads(data, 0, &je) : NULL;
    json_t *id = o ? json_object_get(o, field) : NULL;
    long long v = json_is_integer(id) ? (long long)json_integer_value(id) : -1;
    json_decref(o);
    return v;
}

/* One row of rt.events_after for the live stream. */
static void dispatch_row(const PGresult *res, int i, long long id)
{
    if (PQgetisnull(res, i, 1)) return; /* a row that shows nothing (or was not expanded) */
    const char *type = PQgetvalue(res, i, 1);
    int no_data = PQgetisnull(res, i, 2);
    const char *data = no_data ? NULL : PQgetvalue(res, i, 2);
    size_t dlen = no_data ? 0 : (size_t)PQgetlength(res, i, 2);
    char idbuf[24];
    if (strcmp(type, "admin.changed") == 0) {
        long long admin = id_field_of(data, "id");
        if (admin > 0) edge_auth_admin_changed(ev.ctx, admin);
        return;
    }
    if (strcmp(type, "session.stopped") == 0) { /* for the LLM worker, not for browsers */
        long long session = id_field_of(data, "session_id");
        if (session > 0) edge_llm_cancel_session(session);
        return;
    }
    if (strchr(type, '.') == NULL && strcmp(type, "resync") != 0) return; /* not for browsers */
    if (strcmp(type, "resync") == 0)
        EDGE_WARN("events: journal row not expanded, clients told to resync", "event_id",
                  edge_log_int(idbuf, id), "detail", data ? data : "");
    if (!ev.ctx->http) return;
    size_t len;
    char *env = edge_events_envelope(type, data, dlen, id, &len);
    if (!env) return;
    edge_ws_broadcast(ev.ctx->http, env, len);
    free(env);
}

static void on_rows(const edge_pg_result *r, void *ud)
{
    int expanded = ud != NULL;
    ev.busy = 0;
    if (ev.stopping) return;
    if (!expanded && ev.ctx->http && edge_ws_clients(ev.ctx->http) > 0) {
        /* a client came while rows were only walked past: read them again, expanded */
        ev.dirty = 1;
        read_journal();
        return;
    }
    if (strcmp(r->sqlstate, "00000") != 0 || !r->res || PQnfields(r->res) != 3) {
        read_failed(r, "rt.events_after");
        ev.dirty = 0; /* the retry timer reads again */
        return;
    }
    ev.retry_ms = RETRY_MIN_MS;
    int rows = PQntuples(r->res), journal_rows = 0;
    for (int i = 0; i < rows; i++) {
        long long id = strtoll(PQgetvalue(r->res, i, 0), NULL, 10);
        if (id > ev.cursor) {
            ev.cursor = id;
            journal_rows++;
        }
        dispatch_row(r->res, i, id);
    }
    if (journal_rows > 0) {
        char n[24], c[24];
        EDGE_DEBUG("events: journal read", "rows", edge_log_int(n, journal_rows), "cursor",
                   edge_log_int(c, ev.cursor));
    }
    /* a full read may have left rows behind */
    if (journal_rows >= atoi(LIVE_ROWS)) ev.dirty = 1;
    /* a read that found nothing: the doorbells of the next EMPTY_PAUSE_MS wait for its end, so
     * doorbells that bring nothing (anyone who can connect may NOTIFY) cost at most one read
     * per EMPTY_PAUSE_MS */
    ev.empty_at = journal_rows == 0 && ev.ctx->loop ? uv_now(ev.ctx->loop) : 0;
    read_journal();
}

static void on_position(const edge_pg_result *r, void *ud)
{
    (void)ud;
    ev.busy = 0;
    if (ev.stopping) return;
    if (strcmp(r->sqlstate, "00000") != 0 || !r->res || PQntuples(r->res) != 1) {
        read_failed(r, "rt.events_position");
        return;
    }
    ev.retry_ms = RETRY_MIN_MS;
    ev.cursor = strtoll(PQgetvalue(r->res, 0, 0), NULL, 10);
    char c[24];
    EDGE_INFO("events: journal position", "cursor", edge_log_int(c, ev.cursor));
    read_journal();
}

static void read_journal(void)
{
    if (ev.busy || ev.paused || ev.stopping || !ev.running) return;
    if (ev.dirty && ev.empty_at && ev.timer_open) {
        uint64_t since = uv_now(ev.ctx->loop) - ev.empty_at;
        if (since < EMPTY_PAUSE_MS &&
            uv_timer_start(&ev.timer, on_retry, EMPTY_PAUSE_MS - since, 0) == 0) {
            ev.paused = 1;
            return;
        }
    }
    if (ev.cursor < 0) {
        ev.busy = 1;
        if (edge_pg_call(ev.ctx->pg_ingest, NULL, POSITION_SQL, 0, NULL, on_position, NULL) !=
            EDGE_OK) {
            ev.busy = 0;
            EDGE_ERROR("events: could not queue rt.events_position");
        }
        return;
    }
    if (!ev.dirty) return;
    ev.dirty = 0;
    EDGE_DEBUG("events: reading the journal");
    char after[24];
    snprintf(after, sizeof(after), "%lld", ev.cursor);
    /* nobody to tell: rows are only walked past (admin.changed still dispatched), not
     * expanded, which would only cost the database */
    int expand = edge_ws_clients(ev.ctx->http) > 0;
    const char *params[4] = {after, LIVE_ROWS, NULL, expand ? "true" : "false"};
    ev.busy = 1;
    /* ud: non-NULL when expanded */
    if (edge_pg_call(ev.ctx->pg_ingest, NULL, READ_SQL, 4, params, on_rows,
                     expand ? (void *)&ev : NULL) != EDGE_OK) {
        ev.busy = 0;
        ev.dirty = 1;
        EDGE_ERROR("events: could not queue rt.events_after");
    }
}

static void on_notify(const char *payload, void *ud)
{
    (void)ud;
    if (ev.stopping) return;
    /* The payload is never read: any role that can connect may NOTIFY, so it only rings. */
    if (!payload)
        EDGE_INFO("events: listener (re)connected, reading the journal for what was missed");
    ev.dirty = 1;
    read_journal();
}

/* ---- catch-up of one client ---- */

typedef struct catchup {
    unsigned long long client;
    long long upto;
} catchup;

static void send_resync(unsigned long long client, const char *reason, long long upto)
{
    json_t *d = json_pack("{s:s}", "reason", reason);
    char *data = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    if (!data) return;
    size_t len;
    char *env = edge_events_envelope("resync", data, strlen(data), upto, &len);
    free(data);
    if (env && ev.ctx->http) edge_ws_send_to(ev.ctx->http, client, env, len);
    free(env);
}

static void on_catchup(const edge_pg_result *r, void *ud)
{
    catchup *q = ud;
    if (ev.stopping || !ev.ctx->http) goto out;
    if (strcmp(r->sqlstate, "00000") != 0 || !r->res || PQnfields(r->res) != 3) {
        EDGE_ERROR("events: catch-up read failed", "sqlstate", r->sqlstate, "error", r->errmsg);
        send_resync(q->client, "catch-up failed", q->upto);
        goto out;
    }
    int rows = PQntuples(r->res), journal_rows = 0;
    long long last = -1;
    for (int i = 0; i < rows; i++) {
        long long id = strtoll(PQgetvalue(r->res, i, 0), NULL, 10);
        if (id != last) journal_rows++;
        last = id;
    }
    /* Too much to replay (more rows than a catch-up takes, or frames that would fill the
     * client's queue and drop it again): the client reloads instead. */
    int maxq = ev.ctx->cfg->ws_max_queue > 0 ? ev.ctx->cfg->ws_max_queue : 4096;
    if (journal_rows >= CATCHUP_ROWS || rows > maxq / 2) {
        char n[24];
        EDGE_INFO("events: catch-up too large, client told to resync", "events",
                  edge_log_int(n, rows));
        send_resync(q->client, "too much missed", q->upto);
        goto out;
    }
    for (int i = 0; i < rows; i++) {
        if (PQgetisnull(r->res, i, 1)) continue;
        const char *type = PQgetvalue(r->res, i, 1);
        long long id = strtoll(PQgetvalue(r->res, i, 0), NULL, 10);
        if (strcmp(type, "resync") == 0) {
            send_resync(q->client, "journal pruned", q->upto);
            break;
        }
        if (strchr(type, '.') == NULL || strcmp(type, "admin.changed") == 0 ||
            strcmp(type, "session.stopped") == 0)
            continue;
        int no_data = PQgetisnull(r->res, i, 2);
        size_t len;
        char *env = edge_events_envelope(type, no_data ? NULL : PQgetvalue(r->res, i, 2),
                                         no_data ? 0 : (size_t)PQgetlength(r->res, i, 2), id, &len);
        if (!env) continue;
        int gone = edge_ws_send_to(ev.ctx->http, q->client, env, len) != EDGE_OK;
        free(env);
        if (gone) break;
    }
out:
    if (ev.ctx->http) edge_ws_release(ev.ctx->http, q->client);
    free(q);
}

int edge_events_catchup(unsigned long long client, long long after)
{
    if (!ev.running || ev.stopping) return 0;
    long long upto = ev.cursor;
    if (upto < 0) {
        send_resync(client, "edge starting", -1);
        return 0;
    }
    if (after >= upto) return 0;     /* nothing missed */
    catchup *q = malloc(sizeof(*q)); /* freed in on_catchup */
    if (!q) return 0;
    q->client = client;
    q->upto = upto;
    char a[24], u[24], lim[16];
    snprintf(a, sizeof(a), "%lld", after);
    snprintf(u, sizeof(u), "%lld", upto);
    snprintf(lim, sizeof(lim), "%d", CATCHUP_ROWS);
    const char *params[4] = {a, lim, u, "true"};
    if (edge_pg_call(ev.ctx->pg_ingest, NULL, READ_SQL, 4, params, on_catchup, q) != EDGE_OK) {
        free(q);
        send_resync(client, "catch-up failed", upto);
        return 0;
    }
    return 1;
}

int edge_events_start(edge_ctx *ctx)
{
    if (!ctx || !ctx->pg_ingest) return EDGE_ERR;
    memset(&ev, 0, sizeof(ev));
    ev.ctx = ctx;
    ev.cursor = -1;
    ev.retry_ms = RETRY_MIN_MS;
    if (ctx->loop && uv_timer_init(ctx->loop, &ev.timer) == 0) ev.timer_open = 1;
    if (edge_pg_listen(ctx->pg_ingest, "rt_events", on_notify, NULL) != EDGE_OK) return EDGE_ERR;
    ev.running = 1;
    read_journal(); /* the position to start from */
    return EDGE_OK;
}

void edge_events_stop(void)
{
    if (!ev.running) return;
    ev.running = 0;
    ev.stopping = 1;
    if (ev.timer_open) {
        uv_timer_stop(&ev.timer);
        uv_close((uv_handle_t *)&ev.timer, NULL);
        ev.timer_open = 0;
    }
}
