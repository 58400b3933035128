/* rt_events listener: every NOTIFY payload is passed back to rt.event_messages, each returned
 * {"type","data"} row gets a "ts" and goes to every WebSocket client. Payloads are processed
 * one at a time, in arrival order, so clients see events in commit order. */
#include <stdlib.h>
#include <string.h>

#include "edge.h"
#include "edge_http.h"
#include "edge_ingest.h"
#include "edge_log.h"
#include "edge_pg.h"

#define MAX_QUEUED 10000

typedef struct ev_item {
    struct ev_item *next;
    char *payload; /* owned */
} ev_item;

static struct {
    edge_ctx *ctx;
    ev_item *head, *tail;
    size_t queued;
    int busy;
    int running;
    int stopping;
} ev;

char *edge_events_envelope(const char *row, size_t len, const char *ts, size_t *outlen)
{
    static const char key[] = ",\"ts\":\"";
    size_t end = len, tslen = strlen(ts), pos;
    char *out;
    while (len > 0 && (row[0] == ' ' || row[0] == '\n')) { /* jsonb text has no leading space */
        row++;
        len--;
        end--;
    }
    while (end > 0 && (row[end - 1] == ' ' || row[end - 1] == '\n')) end--;
    if (end < 2 || row[0] != '{' || row[end - 1] != '}') return NULL;
    out = malloc(end + sizeof(key) + tslen + 3); /* caller frees */
    if (!out) return NULL;
    pos = end - 1;
    memcpy(out, row, pos);
    /* an empty object gets no leading comma */
    int empty = 1;
    for (size_t i = 1; i < pos; i++)
        if (row[i] != ' ' && row[i] != '\n') empty = 0;
    if (empty) {
        out[1] = '\0';
        pos = 1;
        memcpy(out + pos, key + 1, sizeof(key) - 2);
        pos += sizeof(key) - 2;
    } else {
        memcpy(out + pos, key, sizeof(key) - 1);
        pos += sizeof(key) - 1;
    }
    memcpy(out + pos, ts, tslen);
    pos += tslen;
    out[pos++] = '"';
    out[pos++] = '}';
    out[pos] = '\0';
    if (outlen) *outlen = pos;
    return out;
}

static void process_next(void);

static void on_rows(const edge_pg_result *r, void *ud)
{
    (void)ud;
    ev.busy = 0;
    if (ev.stopping) return;
    if (strcmp(r->sqlstate, "00000") != 0) {
        EDGE_ERROR("events: rt.event_messages failed", "sqlstate", r->sqlstate, "error", r->errmsg);
    } else if (r->res) {
        char ts[32], n[24];
        edge_log_timestamp(ts, sizeof(ts));
        EDGE_DEBUG("events: broadcasting", "count", edge_log_int(n, PQntuples(r->res)));
        for (int i = 0; i < PQntuples(r->res); i++) {
            size_t len;
            char *env;
            if (PQgetisnull(r->res, i, 0)) continue;
            env = edge_events_envelope(PQgetvalue(r->res, i, 0), (size_t)PQgetlength(r->res, i, 0),
                                       ts, &len);
            if (!env) continue;
            if (ev.ctx->http) edge_ws_broadcast(ev.ctx->http, env, len);
            free(env);
        }
    }
    process_next();
}

static void process_next(void)
{
    ev_item *it;
    if (ev.busy || ev.stopping || !ev.head) return;
    it = ev.head;
    ev.head = it->next;
    if (!ev.head) ev.tail = NULL;
    ev.queued--;
    const char *params[1] = {it->payload};
    ev.busy = 1;
    if (edge_pg_call(ev.ctx->pg, NULL, "SELECT e FROM rt.event_messages($1::jsonb) e", 1, params,
                     on_rows, NULL) != EDGE_OK) {
        ev.busy = 0;
        EDGE_ERROR("events: could not queue rt.event_messages");
    }
    free(it->payload);
    free(it);
}

static void on_notify(const char *payload, void *ud)
{
    ev_item *it;
    (void)ud;
    if (ev.stopping) return;
    if (!payload) {
        /* notifications may have been missed while the listener was down; clients backfill on
         * their own reconnect, and new events flow again from here */
        EDGE_WARN("events: listener reconnected, notifications may have been missed");
        return;
    }
    if (ev.queued >= MAX_QUEUED) {
        EDGE_ERROR("events: queue full, dropping a notification");
        return;
    }
    it = calloc(1, sizeof(*it));
    if (!it || !(it->payload = strdup(payload))) {
        free(it);
        return;
    }
    if (ev.tail)
        ev.tail->next = it;
    else
        ev.head = it;
    ev.tail = it;
    ev.queued++;
    process_next();
}

int edge_events_start(edge_ctx *ctx)
{
    if (!ctx || !ctx->pg) return EDGE_ERR;
    memset(&ev, 0, sizeof(ev));
    ev.ctx = ctx;
    if (edge_pg_listen(ctx->pg, "rt_events", on_notify, NULL) != EDGE_OK) return EDGE_ERR;
    ev.running = 1;
    return EDGE_OK;
}

void edge_events_stop(void)
{
    ev_item *it;
    if (!ev.running) return;
    ev.running = 0;
    ev.stopping = 1;
    while ((it = ev.head) != NULL) {
        ev.head = it->next;
        free(it->payload);
        free(it);
    }
    ev.tail = NULL;
    ev.queued = 0;
}
