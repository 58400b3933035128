/* Start-up work against the database (see edge_setup.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "edge_config.h"
#include "edge_fernet.h"
#include "edge_log.h"
#include "edge_pg.h"
#include "edge_setup.h"

#define RETRY_MS 2000

static struct {
    edge_ctx *ctx;
    uv_timer_t timer;
    int running;
    int providers_done, identity_done;
    int busy;
} su;

static void step(void);

static void on_timer(uv_timer_t *t)
{
    (void)t;
    step();
}

/* {"enc","hint"} of a plain key, or JSON null when there is none. */
static json_t *sealed(const char *plain)
{
    char hint[32];
    json_t *o;
    char *token;
    if (!plain || !plain[0]) return json_null();
    token = edge_fernet_encrypt(su.ctx->fernet, plain, strlen(plain), (long long)time(NULL), NULL);
    if (!token) return json_null();
    edge_fernet_hint(plain, hint, sizeof(hint));
    o = json_object();
    json_object_set_new(o, "enc", json_string(token));
    json_object_set_new(o, "hint", json_string(hint));
    free(token);
    return o;
}

static void on_done(const edge_pg_result *r, void *ud)
{
    int *flag = ud;
    su.busy = 0;
    if (!su.running) return;
    if (strcmp(r->sqlstate, "00000") == 0) {
        *flag = 1;
        if (flag == &su.providers_done && r->res && PQntuples(r->res) == 1)
            EDGE_INFO("providers checked", "result", PQgetvalue(r->res, 0, 0));
    } else {
        EDGE_WARN("start-up step failed; retrying", "sqlstate", r->sqlstate, "error", r->errmsg);
        uv_timer_start(&su.timer, on_timer, RETRY_MS, 0);
        return;
    }
    step();
}

static void step(void)
{
    if (!su.running || su.busy) return;
    if (!su.providers_done) {
        json_t *keys = json_object();
        json_object_set_new(keys, "openai", sealed(su.ctx->cfg->openai_key));
        json_object_set_new(keys, "deepseek", sealed(su.ctx->cfg->deepseek_key));
        char *text = json_dumps(keys, JSON_COMPACT);
        json_decref(keys);
        const char *params[1] = {text ? text : "{}"};
        if (edge_pg_call(su.ctx->pg_work, NULL, "SELECT rt.ensure_default_providers($1::jsonb)", 1,
                         params, on_done, &su.providers_done) == EDGE_OK)
            su.busy = 1;
        free(text);
    } else if (!su.identity_done && !su.ctx->cfg->tg_token[0]) {
        /* a worker function: the edge acts for no admin, and admin functions refuse it */
        static const char sql[] = "SELECT rt.set_bot_identity($1::bigint, $2, true)";
        const char *params[2] = {EDGE_DEMO_BOT_ID, EDGE_DEMO_BOT_USERNAME};
        if (edge_pg_call(su.ctx->pg_work, NULL, sql, 2, params, on_done, &su.identity_done) ==
            EDGE_OK)
            su.busy = 1;
    } else {
        uv_timer_stop(&su.timer);
        return;
    }
    if (!su.busy) uv_timer_start(&su.timer, on_timer, RETRY_MS, 0); /* the pool refused: later */
}

int edge_setup_start(edge_ctx *ctx)
{
    memset(&su, 0, sizeof(su));
    su.ctx = ctx;
    su.running = 1;
    uv_timer_init(ctx->loop, &su.timer);
    step();
    return EDGE_OK;
}

void edge_setup_stop(void)
{
    if (!su.running) return;
    su.running = 0;
    uv_timer_stop(&su.timer);
    uv_close((uv_handle_t *)&su.timer, NULL);
}
