/* The outbox relay: rt.outbox rows -> Redis job streams. A NOTIFY rt_outbox (a doorbell, its
 * payload is ignored) or the sweeper timer starts a pass: rt.outbox_claim marks up to a batch of
 * unfinished rows relayed (SKIP LOCKED, so several edges share the work), and each row is
 * XADDed to {rt}:llm or {rt}:send. A row is finished only by its worker recording the effect; the
 * sweeper claims rows relayed longer than RT_OUTBOX_STALE_SEC ago again, so a Redis that lost
 * acknowledged writes loses no job (docs/design/contract-delivery.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "edge_config.h"
#include "edge_keys.h"
#include "edge_log.h"
#include "edge_outbox.h"
#include "edge_pg.h"
#include "edge_redis.h"

#define CLAIM_BATCH 500

static struct {
    edge_ctx *ctx;
    uv_timer_t sweep;
    int running;
    int busy;  /* a claim is under way */
    int again; /* rung while busy: run another pass */
} ob;

static void pass(void);

static const char *stream_of(const char *kind)
{
    if (strncmp(kind, "llm.", 4) == 0) return EDGE_KEY_LLM;
    if (strncmp(kind, "telegram.", 9) == 0) return EDGE_KEY_SEND;
    return NULL;
}

static void on_claim(const edge_pg_result *r, void *ud)
{
    json_t *rows = NULL, *row;
    json_error_t jerr;
    size_t i, n = 0;
    char maxlen[24];
    (void)ud;
    ob.busy = 0;
    if (!ob.running) return;
    if (strcmp(r->sqlstate, "00000") != 0) {
        EDGE_WARN("outbox: claim failed; the sweeper tries again", "sqlstate", r->sqlstate, "error",
                  r->errmsg);
        return;
    }
    if (r->res && PQntuples(r->res) == 1 && !PQgetisnull(r->res, 0, 0))
        rows = json_loads(PQgetvalue(r->res, 0, 0), 0, &jerr);
    edge_log_int(maxlen, ob.ctx->cfg->stream_maxlen);
    json_array_foreach(rows, i, row)
    {
        char id[24];
        const char *kind = json_string_value(json_object_get(row, "kind"));
        const char *stream = kind ? stream_of(kind) : NULL;
        edge_log_int(id, json_integer_value(json_object_get(row, "id")));
        if (!stream) {
            EDGE_ERROR("outbox: job of an unknown kind left unrelayed", "job", id, "kind",
                       kind ? kind : "");
            continue;
        }
        const char *argv[] = {"XADD", stream, "MAXLEN", "~", maxlen, "*", "job", id, "kind", kind};
        if (edge_redis_cmd(ob.ctx->redis, NULL, NULL, 10, argv, NULL) != EDGE_OK) {
            /* rows stay claimed: the sweeper relays them again after RT_OUTBOX_STALE_SEC */
            EDGE_WARN("outbox: redis down; claimed jobs wait for the sweeper", "job", id);
            break;
        }
        n++;
    }
    if (n > 0) {
        char cnt[24];
        EDGE_DEBUG("outbox: relayed", "jobs", edge_log_int(cnt, (long long)n));
    }
    if (json_array_size(rows) >= CLAIM_BATCH || ob.again) {
        ob.again = 0;
        pass();
    }
    json_decref(rows);
}

static void pass(void)
{
    char lim[24], stale[24];
    const char *params[2];
    if (!ob.running) return;
    if (ob.busy) {
        ob.again = 1;
        return;
    }
    if (!edge_redis_ready(ob.ctx->redis)) return; /* nothing could be relayed: keep rows */
    params[0] = edge_log_int(lim, CLAIM_BATCH);
    params[1] = edge_log_int(stale, ob.ctx->cfg->outbox_stale_sec);
    if (edge_pg_call(ob.ctx->pg_work, NULL, "SELECT rt.outbox_claim($1::int, $2::int)", 2, params,
                     on_claim, NULL) == EDGE_OK)
        ob.busy = 1;
}

static void on_notify(const char *payload, void *ud)
{
    (void)payload; /* a doorbell: the table is the truth */
    (void)ud;
    pass();
}

static void on_sweep(uv_timer_t *t)
{
    (void)t;
    pass();
}

int edge_outbox_start(edge_ctx *ctx)
{
    memset(&ob, 0, sizeof(ob));
    ob.ctx = ctx;
    ob.running = 1;
    if (edge_pg_listen(ctx->pg_work, "rt_outbox", on_notify, NULL) != EDGE_OK) return EDGE_ERR;
    uv_timer_init(ctx->loop, &ob.sweep);
    uv_timer_start(&ob.sweep, on_sweep, 200, (uint64_t)ctx->cfg->outbox_sweep_ms);
    return EDGE_OK;
}

void edge_outbox_stop(void)
{
    if (!ob.running) return;
    ob.running = 0;
    uv_timer_stop(&ob.sweep);
    uv_close((uv_handle_t *)&ob.sweep, NULL);
}
