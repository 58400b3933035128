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
    int providers_done, settings_done, identity_done;
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

/* The key object of a seeded provider: {"enc","hint"} of its key and/or its "model", or JSON
 * null when neither was given. */
static json_t *seed_of(const char *plain, const char *model)
{
    json_t *o = sealed(plain);
    if (!model || !model[0]) return o;
    if (json_is_null(o)) {
        json_decref(o);
        o = json_object();
    }
    json_object_set_new(o, "model", json_string(model));
    return o;
}

/* The round table's env seeds (present ones only, as strings), for
 * rt.ensure_roundtable_settings. */
static json_t *roundtable_env(const edge_config *cfg)
{
    const struct {
        const char *name, *value;
    } vars[] = {{"MAX_ROUNDS", cfg->rt_max_rounds},
                {"TURN_TIMEOUT_SEC", cfg->rt_turn_timeout_sec},
                {"CONTEXT_TOKEN_LIMIT", cfg->rt_context_token_limit},
                {"PAYMENT_URL", cfg->rt_payment_url},
                {"ROUNDTABLE_MAX_TOKENS", cfg->rt_max_tokens},
                {"ROUNDTABLE_MAX_COST", cfg->rt_max_cost}};
    json_t *o = json_object();
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        if (vars[i].value[0]) json_object_set_new(o, vars[i].name, json_string(vars[i].value));
    return o;
}

/* {"seeded":[keys],"invalid":[{"key","error"}]}: each refused value is a warning naming its
 * variable (the error says why; a value is never logged). */
static void log_settings(const char *result)
{
    json_error_t jerr;
    json_t *res = json_loads(result, 0, &jerr), *item;
    size_t i;
    json_array_foreach(json_object_get(res, "invalid"), i, item)
    {
        const char *key = json_string_value(json_object_get(item, "key"));
        const char *err = json_string_value(json_object_get(item, "error"));
        EDGE_WARN("start-up: a round-table setting from the environment is invalid and was not "
                  "stored",
                  "variable", key ? key : "", "error", err ? err : "");
    }
    char *seeded = json_dumps(json_object_get(res, "seeded"), JSON_COMPACT);
    EDGE_INFO("round-table settings checked", "seeded", seeded ? seeded : "[]");
    free(seeded);
    json_decref(res);
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
        if (flag == &su.settings_done && r->res && PQntuples(r->res) == 1 &&
            !PQgetisnull(r->res, 0, 0))
            log_settings(PQgetvalue(r->res, 0, 0));
    } else if (flag == &su.settings_done && strcmp(r->sqlstate, "42883") == 0) {
        /* an extension older than 0.5.0: no round table to seed */
        EDGE_WARN("start-up: rt.ensure_roundtable_settings is missing (extension older than "
                  "0.5.0); the round-table settings are not seeded",
                  "error", r->errmsg);
        *flag = 1;
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
        json_object_set_new(keys, "openai",
                            seed_of(su.ctx->cfg->openai_key, su.ctx->cfg->openai_model));
        json_object_set_new(keys, "deepseek",
                            seed_of(su.ctx->cfg->deepseek_key, su.ctx->cfg->deepseek_model));
        char *text = json_dumps(keys, JSON_COMPACT);
        json_decref(keys);
        const char *params[1] = {text ? text : "{}"};
        if (edge_pg_call(su.ctx->pg_work, NULL, "SELECT rt.ensure_default_providers($1::jsonb)", 1,
                         params, on_done, &su.providers_done) == EDGE_OK)
            su.busy = 1;
        free(text);
    } else if (!su.settings_done) {
        json_t *env = roundtable_env(su.ctx->cfg);
        char *text = json_dumps(env, JSON_COMPACT);
        json_decref(env);
        const char *params[1] = {text ? text : "{}"};
        if (edge_pg_call(su.ctx->pg_work, NULL, "SELECT rt.ensure_roundtable_settings($1::jsonb)",
                         1, params, on_done, &su.settings_done) == EDGE_OK)
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
