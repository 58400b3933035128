/* rt_events listener: every NOTIFY payload is passed back to rt.event_messages, each returned
 * {"type","data"} row becomes an envelope (edge_envelope adds "ts") for every WebSocket client.
 * Payloads are processed one at a time, in arrival order, so clients see events in commit order.
 * When payloads queue up behind a slow expansion (a burst), consecutive plain "messages" payloads
 * are merged into one call (see merge_payloads). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge.h"
#include "edge_envelope.h"
#include "edge_events.h"
#include "edge_http.h"
#include "edge_log.h"
#include "edge_pg.h"

/* Each event row split into its type and data, so the edge wraps them without parsing. */
#define EVENTS_SQL "SELECT e->>'type', e->'data' FROM rt.event_messages($1::jsonb) e"
#define MAX_QUEUED 10000
#define MAX_MERGE 32         /* payloads expanded by one rt.event_messages call */
#define MAX_MERGE_CHATS 4096 /* distinct chat ids of a merged payload */

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

/* ---- merging queued payloads ---- */

/* The parts of {"type":"messages","new":[...],"edited":[...]} with an optional "chats":[...],
 * exactly as rt.ingest writes it; anything else (another type, other keys) is never merged. */
typedef struct msg_payload {
    const char *arr[3]; /* contents between the brackets of new, edited, chats */
    size_t len[3];
    int has_chats;
} msg_payload;

/* A JSON array of integers and [lo,hi] pairs at p: its contents and the position after it. */
static const char *scan_id_array(const char *p, const char **inner, size_t *len)
{
    int depth = 0;
    const char *start;
    if (*p != '[') return NULL;
    start = p + 1;
    for (; *p; p++) {
        if (*p == '[') {
            if (++depth > 2) return NULL;
        } else if (*p == ']') {
            if (--depth == 0) {
                *inner = start;
                *len = (size_t)(p - start);
                return p + 1;
            }
        } else if (!(*p == ',' || *p == '-' || *p == ' ' || (*p >= '0' && *p <= '9'))) {
            return NULL;
        }
    }
    return NULL;
}

static int parse_msg_payload(const char *s, msg_payload *out)
{
    static const char *const keys[3] = {
        "{\"type\":\"messages\",\"new\":", ",\"edited\":", ",\"chats\":"};
    memset(out, 0, sizeof(*out));
    for (int k = 0; k < 3; k++) {
        size_t kl = strlen(keys[k]);
        if (k == 2 && strcmp(s, "}") == 0) return 1; /* degraded: no "chats" */
        if (strncmp(s, keys[k], kl) != 0) return 0;
        s = scan_id_array(s + kl, &out->arr[k], &out->len[k]);
        if (!s) return 0;
        if (k == 2) out->has_chats = 1;
    }
    return strcmp(s, "}") == 0;
}

static void append_inner(char **pos, const msg_payload *ps, size_t n, int k)
{
    int first = 1;
    *(*pos)++ = '[';
    for (size_t i = 0; i < n; i++) {
        if (ps[i].len[k] == 0) continue;
        if (!first) *(*pos)++ = ',';
        memcpy(*pos, ps[i].arr[k], ps[i].len[k]);
        *pos += ps[i].len[k];
        first = 0;
    }
    *(*pos)++ = ']';
}

/* Appends the distinct chat ids of every payload, first appearance first. 0 when too many. */
static int append_chats(char **pos, const msg_payload *ps, size_t n)
{
    long long *seen = malloc(sizeof(long long) * MAX_MERGE_CHATS);
    size_t nseen = 0;
    if (!seen) return 0;
    *(*pos)++ = '[';
    for (size_t i = 0; i < n; i++) {
        const char *p = ps[i].arr[2], *end = p + ps[i].len[2];
        while (p < end) {
            char *next;
            long long id = strtoll(p, &next, 10);
            size_t j;
            if (next == p) {
                p++;
                continue;
            }
            for (j = 0; j < nseen && seen[j] != id; j++)
                ;
            if (j == nseen) {
                if (nseen == MAX_MERGE_CHATS) {
                    free(seen);
                    return 0;
                }
                seen[nseen++] = id;
                *pos += sprintf(*pos, "%s%lld", nseen > 1 ? "," : "", id);
            }
            p = next;
        }
    }
    *(*pos)++ = ']';
    free(seen);
    return 1;
}

/*
 * One payload for several queued "messages" payloads: "new" and "edited" concatenated, "chats"
 * deduplicated (or left out, as a degraded payload does, when any part lacks it; the function
 * then derives the chats). rt.event_messages reads rows as they are when it runs, whether it
 * gets one payload or several: merged, each chat gets one chat.updated after the messages, and
 * a message created and edited within the merged batches comes once, as message.created
 * carrying the edit (edited_at, edit_history). Returns a malloc'd string or NULL.
 */
static char *merge_payloads(const msg_payload *ps, size_t n)
{
    size_t total = 64;
    int chats = 1;
    char *out, *pos;
    for (size_t i = 0; i < n; i++) {
        total += ps[i].len[0] + ps[i].len[1] + 3;
        /* a deduplicated id is never longer than its first appearance, plus a comma */
        total += ps[i].len[2] + 1;
        if (!ps[i].has_chats) chats = 0;
    }
    out = malloc(total);
    if (!out) return NULL;
    pos = out;
    pos += sprintf(pos, "{\"type\":\"messages\",\"new\":");
    append_inner(&pos, ps, n, 0);
    pos += sprintf(pos, ",\"edited\":");
    append_inner(&pos, ps, n, 1);
    if (chats) {
        char *mark = pos;
        pos += sprintf(pos, ",\"chats\":");
        if (!append_chats(&pos, ps, n)) pos = mark;
    }
    *pos++ = '}';
    *pos = '\0';
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
    } else if (r->res && PQnfields(r->res) == 2) {
        char n[24];
        EDGE_DEBUG("events: broadcasting", "count", edge_log_int(n, PQntuples(r->res)));
        /* columns: the row's type (text) and data (jsonb text; SQL NULL when it has none) */
        for (int i = 0; i < PQntuples(r->res); i++) {
            size_t len;
            char *env;
            int no_data = PQgetisnull(r->res, i, 1);
            if (PQgetisnull(r->res, i, 0)) continue;
            env = edge_envelope(PQgetvalue(r->res, i, 0), no_data ? NULL : PQgetvalue(r->res, i, 1),
                                no_data ? 0 : (size_t)PQgetlength(r->res, i, 1), &len);
            if (!env) continue;
            if (ev.ctx->http) edge_ws_broadcast(ev.ctx->http, env, len);
            free(env);
        }
    }
    process_next();
}

/* Takes the head of the queue and, while it and the next ones are plain "messages" payloads,
 * up to MAX_MERGE of them; returns the payload to expand (caller frees). */
static char *take_payloads(void)
{
    msg_payload ps[MAX_MERGE];
    ev_item *taken[MAX_MERGE];
    size_t n = 0;
    char *merged = NULL;

    while (ev.head && n < MAX_MERGE && parse_msg_payload(ev.head->payload, &ps[n])) {
        taken[n++] = ev.head;
        ev.head = ev.head->next;
        ev.queued--;
    }
    if (n == 0) { /* not mergeable: alone */
        ev_item *it = ev.head;
        char *p = it->payload;
        ev.head = it->next;
        ev.queued--;
        if (!ev.head) ev.tail = NULL;
        free(it);
        return p;
    }
    if (!ev.head) ev.tail = NULL;
    if (n == 1 || !(merged = merge_payloads(ps, n))) {
        /* one, or out of memory: the first alone, the rest back at the head */
        for (size_t i = n; i-- > 1;) {
            taken[i]->next = ev.head;
            ev.head = taken[i];
            if (!ev.tail) ev.tail = taken[i];
            ev.queued++;
        }
        merged = taken[0]->payload;
        free(taken[0]);
        return merged;
    }
    if (n > 1) {
        char cnt[24];
        EDGE_DEBUG("events: merged queued payloads", "count", edge_log_int(cnt, (long long)n));
    }
    for (size_t i = 0; i < n; i++) {
        free(taken[i]->payload);
        free(taken[i]);
    }
    return merged;
}

static void process_next(void)
{
    char *payload;
    if (ev.busy || ev.stopping || !ev.head) return;
    payload = take_payloads();
    if (!payload) return;
    const char *params[1] = {payload};
    ev.busy = 1;
    if (edge_pg_call(ev.ctx->pg_ingest, NULL, EVENTS_SQL, 1, params, on_rows, NULL) != EDGE_OK) {
        ev.busy = 0;
        EDGE_ERROR("events: could not queue rt.event_messages");
    }
    free(payload);
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
    if (edge_ws_clients(ev.ctx->http) == 0) {
        /* nobody to tell: a browser that connects later loads and backfills on its own, so
         * expanding the payload would only cost the database (2-4 ms a call) */
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
    if (!ctx || !ctx->pg_ingest) return EDGE_ERR;
    memset(&ev, 0, sizeof(ev));
    ev.ctx = ctx;
    if (edge_pg_listen(ctx->pg_ingest, "rt_events", on_notify, NULL) != EDGE_OK) return EDGE_ERR;
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
