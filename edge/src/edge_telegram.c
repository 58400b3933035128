/* Telegram long polling into the Redis stream {rt}:in. An update is confirmed to Telegram (the
 * next getUpdates offset) only after the MULTI/EXEC holding its XADD and the new {rt}:tg:offset
 * has succeeded; Redis runs with appendfsync always, so the EXEC reply means durable
 * (decision 002). The bot token is part of the URL: URLs are never logged. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "edge.h"
#include "edge_keys.h"
#include "edge_config.h"
#include "edge_curl.h"
#include "edge_telegram.h"
#include "edge_log.h"
#include "edge_pg.h"
#include "edge_redis.h"
#include "edge_tgparse.h"

#define TG_LIMIT 100
/* One edge polls: the one holding this lease. A holder that dies loses it after LEASE_MS. */
#define LEASE_MS 15000
#define LEASE_RENEW_MS 5000
static const char RENEW_SCRIPT[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
#define OFFSET_KEY EDGE_KEY_TG_OFFSET
#define STREAM_KEY EDGE_KEY_IN

static struct {
    edge_ctx *ctx;
    edge_curl *curl;
    edge_curl_req *req;    /* in-flight getUpdates, NULL when none */
    edge_curl_req *me_req; /* in-flight getMe, NULL when none */
    int need_me;           /* the bot's identity is not stored yet: ask getMe */
    int webhook;           /* webhook mode: Telegram posts updates, nothing polls */
    int hook_set;          /* setWebhook succeeded (or there is no URL to announce) */
    edge_curl_req *hook_req;
    uv_timer_t timer;
    int timer_open;
    uv_timer_t lease_timer;
    int lease_open;
    int leased;      /* this edge holds {rt}:tg:poller */
    char holder[96]; /* <host>-<pid>: the lease's value */
    int running;
    int stopping;
    int have_offset;
    long long offset; /* next getUpdates offset */
    int limit;        /* TG_LIMIT, or 1 while isolating an unparsable body */
    unsigned attempts;
    long long pending_offset; /* offset to use once the EXEC in flight succeeds */
    unsigned generation;      /* bumps on stop so late redis replies are ignored */
} tg;

static void poll_updates(void);
static void read_offset(void);
static void on_hook_answer(const edge_curl_response *r, void *ud);
static void ask_identity(void);

/* Replaces every occurrence of the token in s (in place) so an error text can be logged. */
static void redact_token(char *s)
{
    const char *tok = tg.ctx->cfg->tg_token;
    size_t tl = strlen(tok);
    char *p;
    if (tl == 0) return;
    while ((p = strstr(s, tok)) != NULL) {
        static const char red[] = "[redacted]";
        size_t rl = sizeof(red) - 1;
        size_t rest = strlen(p + tl);
        if (rl <= tl) {
            memcpy(p, red, rl);
            memmove(p + rl, p + tl, rest + 1);
        } else {
            memset(p, '*', tl);
        }
    }
}

static void on_timer(uv_timer_t *t)
{
    (void)t;
    if (tg.stopping || !tg.leased) return;
    if (!tg.have_offset)
        read_offset();
    else
        poll_updates();
}

static void schedule(unsigned ms)
{
    if (tg.stopping) return;
    uv_timer_start(&tg.timer, on_timer, ms, 0);
}

static void backoff(const char *why, const char *error, int code)
{
    char ms_s[24], code_s[24];
    unsigned ms = edge_tg_backoff_ms(++tg.attempts, (unsigned)rand());
    char err[512];
    snprintf(err, sizeof(err), "%s", error ? error : "");
    redact_token(err);
    EDGE_WARN(why, "error", err, "error_code", edge_log_int(code_s, code), "retry_in_ms",
              edge_log_int(ms_s, ms));
    schedule(ms);
}

static void on_offset(redisReply *reply, void *ud)
{
    (void)ud;
    if (tg.stopping) return;
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
        backoff("telegram: reading {rt}:tg:offset failed", reply ? reply->str : "redis down", 0);
        return;
    }
    tg.offset = 0;
    if (reply->type == REDIS_REPLY_STRING) {
        char *end;
        long long v = strtoll(reply->str, &end, 10);
        if (*end != '\0' || v < 0) {
            backoff("telegram: {rt}:tg:offset is not an integer", reply->str, 0);
            return;
        }
        tg.offset = v + 1;
    }
    tg.have_offset = 1;
    tg.attempts = 0;
    char off[24];
    EDGE_INFO("telegram poller started", "offset", edge_log_int(off, tg.offset));
    poll_updates();
}

static void read_offset(void)
{
    const char *argv[2] = {"GET", OFFSET_KEY};
    if (!tg.leased) return;
    if (edge_redis_cmd(tg.ctx->redis, on_offset, NULL, 2, argv, NULL) != EDGE_OK)
        schedule(500); /* redis not connected yet */
}

static void on_exec(redisReply *reply, void *ud)
{
    unsigned gen = (unsigned)(uintptr_t)ud;
    if (tg.stopping || gen != tg.generation) return;
    if (!reply || reply->type != REDIS_REPLY_ARRAY) {
        /* the offset may or may not have been stored: re-read it; duplicates are harmless */
        tg.have_offset = 0;
        backoff("telegram: storing updates in redis failed",
                reply && reply->type == REDIS_REPLY_ERROR ? reply->str : "redis down", 0);
        return;
    }
    for (size_t i = 0; i < reply->elements; i++) {
        redisReply *el = reply->element[i];
        if (el && el->type == REDIS_REPLY_ERROR) {
            /* a runtime error inside EXEC (e.g. WRONGTYPE on {rt}:in): loud, and re-read */
            EDGE_ERROR("telegram: a command inside EXEC failed", "error", el->str);
            tg.have_offset = 0;
            backoff("telegram: storing updates in redis failed", el->str, 0);
            return;
        }
    }
    tg.offset = tg.pending_offset;
    tg.attempts = 0;
    tg.limit = TG_LIMIT;
    poll_updates();
}

/* Sends MULTI, one XADD per entry, SET offset, EXEC. Fields: pairs of (name, value, len). */
typedef struct tg_entry {
    const char *f1, *v1;
    size_t l1;
    const char *f2, *v2;
    size_t l2;
} tg_entry;

static int store_entries(const tg_entry *e, size_t n, long long last_id)
{
    char idbuf[24];
    edge_redis *r = tg.ctx->redis;
    const char *multi[1] = {"MULTI"};
    const char *exec[1] = {"EXEC"};
    if (edge_redis_cmd(r, NULL, NULL, 1, multi, NULL) != EDGE_OK) return EDGE_ERR;
    for (size_t i = 0; i < n; i++) {
        const char *argv[7] = {"XADD", STREAM_KEY, "*", e[i].f1, e[i].v1, e[i].f2, e[i].v2};
        size_t lens[7] = {4,       sizeof(STREAM_KEY) - 1,        1,      strlen(e[i].f1),
                          e[i].l1, e[i].f2 ? strlen(e[i].f2) : 0, e[i].l2};
        if (edge_redis_cmd(r, NULL, NULL, e[i].f2 ? 7 : 5, argv, lens) != EDGE_OK) goto err;
    }
    snprintf(idbuf, sizeof(idbuf), "%lld", last_id);
    const char *set[3] = {"SET", OFFSET_KEY, idbuf};
    if (edge_redis_cmd(r, NULL, NULL, 3, set, NULL) != EDGE_OK) goto err;
    tg.pending_offset = last_id + 1;
    if (edge_redis_cmd(r, on_exec, (void *)(uintptr_t)tg.generation, 1, exec, NULL) != EDGE_OK)
        goto err;
    return EDGE_OK;
err:
    /* the connection dropped mid-transaction: Redis discards a MULTI without EXEC */
    return EDGE_ERR;
}

static void handle_updates(json_t *result, long long max_id)
{
    size_t n = json_array_size(result), i;
    tg_entry *e = NULL;
    char **texts = NULL;
    json_t *u;
    int rc = EDGE_ERR;

    if (n == 0) {
        tg.attempts = 0;
        tg.limit = TG_LIMIT;
        poll_updates();
        return;
    }
    e = calloc(n, sizeof(*e));
    texts = calloc(n, sizeof(*texts));
    if (!e || !texts) goto done;
    json_array_foreach(result, i, u)
    {
        texts[i] = json_dumps(u, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        if (!texts[i]) goto done;
        e[i].f1 = "u";
        e[i].v1 = texts[i];
        e[i].l1 = strlen(texts[i]);
    }
    if (max_id < tg.offset - 1) max_id = tg.offset - 1; /* never move the offset back */
    rc = store_entries(e, n, max_id);
done:
    for (i = 0; texts && i < n; i++) free(texts[i]);
    free(texts);
    free(e);
    if (rc != EDGE_OK) {
        tg.have_offset = 0;
        backoff("telegram: storing updates in redis failed", "redis not connected", 0);
    } else {
        char cnt[24];
        EDGE_DEBUG("telegram updates queued", "count", edge_log_int(cnt, (long long)n));
    }
}

/* A single-update body jansson cannot parse: keep it raw, with the error, and move past it. */
static void handle_unparsable(const char *body, size_t len, const char *jerr)
{
    long long ids[4];
    size_t n;
    char idbuf[24];
    if (tg.limit > 1) {
        EDGE_WARN("telegram: unparsable getUpdates body, isolating with limit=1", "error", jerr);
        tg.limit = 1;
        poll_updates();
        return;
    }
    n = edge_tg_scan_update_ids(body, len, ids, 4);
    if (n == 0) {
        backoff("telegram: unparsable body without an update_id", jerr, 200);
        return;
    }
    long long id = ids[0];
    for (size_t i = 1; i < n && i < 4; i++)
        if (ids[i] > id) id = ids[i];
    EDGE_ERROR("telegram: update kept raw, jansson could not parse it", "update_id",
               edge_log_int(idbuf, id), "error", jerr);
    tg_entry e = {"raw", body, len, "err", jerr, strlen(jerr)};
    if (id < tg.offset - 1) id = tg.offset - 1;
    if (store_entries(&e, 1, id) != EDGE_OK) {
        tg.have_offset = 0;
        backoff("telegram: storing updates in redis failed", "redis not connected", 0);
    }
}

static void on_response(const edge_curl_response *r, void *ud)
{
    edge_tg_response tr;
    (void)ud;
    tg.req = NULL;
    if (tg.stopping) return;
    if (!r->ok) {
        backoff("telegram: getUpdates failed", r->error, r->curl_code);
        return;
    }
    edge_tg_classify(r->body, r->body_len, r->status, &tr);
    switch (tr.kind) {
    case EDGE_TG_UPDATES:
        handle_updates(tr.result, tr.max_update_id);
        json_decref(tr.result);
        break;
    case EDGE_TG_RETRY_AFTER: {
        char s[24];
        EDGE_WARN("telegram: rate limited", "retry_after", edge_log_int(s, tr.retry_after));
        schedule((unsigned)tr.retry_after * 1000u);
        break;
    }
    case EDGE_TG_UNPARSABLE:
        handle_unparsable(r->body, r->body_len, tr.error);
        break;
    default:
        if (strstr(tr.error, "webhook is active")) {
            /* polling mode, but a webhook was set earlier: remove it, then poll */
            static const char *const h[] = {"Content-Type: application/json", NULL};
            char url[1024];
            edge_curl_request req;
            snprintf(url, sizeof(url), "%s/bot%s/deleteWebhook", tg.ctx->cfg->tg_api_base,
                     tg.ctx->cfg->tg_token);
            memset(&req, 0, sizeof(req));
            req.method = "POST";
            req.url = url;
            req.headers = h;
            req.body = "{}";
            req.body_len = 2;
            req.timeout_ms = 15000;
            EDGE_WARN("telegram: a webhook is set while polling; deleting it");
            req.tg_method = "deleteWebhook";
            if (!tg.hook_req) tg.hook_req = edge_curl_start(tg.curl, &req, on_hook_answer, NULL);
            memset(url, 0, sizeof(url));
        }
        backoff("telegram: getUpdates answered an error", tr.error, tr.error_code);
        break;
    }
}

static void on_identity_stored(const edge_pg_result *r, void *ud)
{
    (void)ud;
    if (strcmp(r->sqlstate, "00000") != 0) {
        EDGE_ERROR("telegram: could not store the bot identity", "sqlstate", r->sqlstate, "error",
                   r->errmsg);
        tg.need_me = 1; /* retried with the next poll */
    }
}

/* getMe tells the bot's id and username; rt.ingest needs both to see mentions and replies to
 * the bot (settings bot.id, bot.username). Asked once at start and again until it succeeds. */
static void on_me(const edge_curl_response *r, void *ud)
{
    json_t *root = NULL, *result;
    json_error_t jerr;
    (void)ud;
    tg.me_req = NULL;
    if (tg.stopping) return;
    if (r->ok && r->status == 200) root = json_loadb(r->body, r->body_len, 0, &jerr);
    result = root ? json_object_get(root, "result") : NULL;
    if (!json_is_true(json_object_get(root, "ok")) ||
        !json_is_integer(json_object_get(result, "id")) ||
        !json_is_string(json_object_get(result, "username"))) {
        char st[24];
        EDGE_WARN("telegram: getMe failed; retrying with the next poll", "status",
                  edge_log_int(st, r->status));
        json_decref(root);
        return;
    }
    {
        char id[24];
        const char *params[2];
        snprintf(id, sizeof(id), "%lld",
                 (long long)json_integer_value(json_object_get(result, "id")));
        params[0] = id;
        params[1] = json_string_value(json_object_get(result, "username"));
        EDGE_INFO("telegram: bot identity", "bot_id", id, "username", params[1]);
        if (edge_pg_call(tg.ctx->pg_work, NULL, "SELECT rt.set_bot_identity($1::bigint, $2)", 2,
                         params, on_identity_stored, NULL) == EDGE_OK)
            tg.need_me = 0;
    }
    json_decref(root);
}

static void ask_identity(void)
{
    const edge_config *cfg = tg.ctx->cfg;
    char url[1024];
    edge_curl_request req;
    if (tg.stopping || tg.me_req || !tg.need_me) return;
    snprintf(url, sizeof(url), "%s/bot%s/getMe", cfg->tg_api_base, cfg->tg_token);
    memset(&req, 0, sizeof(req));
    req.method = "GET";
    req.url = url;
    req.timeout_ms = 15000;
    req.connect_timeout_ms = 10000;
    req.tg_method = "getMe";
    tg.me_req = edge_curl_start(tg.curl, &req, on_me, NULL);
    memset(url, 0, sizeof(url));
}

static void poll_updates(void)
{
    const edge_config *cfg = tg.ctx->cfg;
    char body[128];
    char url[1024];
    static const char *const headers[] = {"Content-Type: application/json", "Expect:", NULL};
    edge_curl_request req;
    size_t blen;

    if (tg.stopping || tg.req || !tg.leased) return;
    ask_identity();
    blen = edge_tg_request_body(body, sizeof(body), tg.offset, cfg->tg_poll_timeout, tg.limit);
    snprintf(url, sizeof(url), "%s/bot%s/getUpdates", cfg->tg_api_base, cfg->tg_token);
    memset(&req, 0, sizeof(req));
    req.method = "POST";
    req.url = url;
    req.headers = headers;
    req.body = body;
    req.body_len = blen;
    req.timeout_ms = (long)(cfg->tg_poll_timeout + 10) * 1000L;
    req.connect_timeout_ms = 10000;
    req.tg_method = "getUpdates";
    tg.req = edge_curl_start(tg.curl, &req, on_response, NULL);
    memset(url, 0, sizeof(url));
    if (!tg.req) backoff("telegram: could not start a request", "curl", 0);
}

/* ---- webhook mode ---- */

static void on_hook_answer(const edge_curl_response *r, void *ud)
{
    edge_tg_result tr;
    (void)ud;
    tg.hook_req = NULL;
    if (tg.stopping) return;
    edge_tg_parse_result(r->body, r->body_len, r->ok ? r->status : 0, &tr);
    json_decref(tr.result);
    if (!tg.webhook) return; /* a deleteWebhook of polling mode: the next poll tells */
    if (tr.ok) {
        tg.hook_set = 1;
        EDGE_INFO("telegram: webhook set; Telegram posts updates to /api/telegram/webhook");
    } else {
        char code[24];
        EDGE_WARN("telegram: setWebhook failed; retrying", "error_code",
                  edge_log_int(code, tr.error_code), "error", r->ok ? tr.error : r->error);
    }
}

/* Webhook mode's timer: the bot's identity, and the webhook announced until Telegram agrees. */
static void webhook_tick(uv_timer_t *t)
{
    const edge_config *cfg = tg.ctx->cfg;
    (void)t;
    if (tg.stopping) return;
    ask_identity();
    if (!tg.hook_set && !tg.hook_req) {
        static const char *const h[] = {"Content-Type: application/json", NULL};
        char url[1024];
        edge_curl_request req;
        json_t *b = json_object();
        json_object_set_new(b, "url", json_string(cfg->tg_webhook_url));
        json_object_set_new(b, "secret_token", json_string(cfg->tg_webhook_secret));
        char *body = json_dumps(b, JSON_COMPACT);
        json_decref(b);
        snprintf(url, sizeof(url), "%s/bot%s/setWebhook", cfg->tg_api_base, cfg->tg_token);
        memset(&req, 0, sizeof(req));
        req.method = "POST";
        req.url = url;
        req.headers = h;
        req.body = body;
        req.body_len = body ? strlen(body) : 0;
        req.timeout_ms = 15000;
        req.connect_timeout_ms = 10000;
        req.tg_method = "setWebhook";
        if (body) tg.hook_req = edge_curl_start(tg.curl, &req, on_hook_answer, NULL);
        memset(url, 0, sizeof(url));
        if (body) memset(body, 0, strlen(body)); /* it holds the secret */
        free(body);
    }
}

/* ---- the poller lease ---- */

static void on_lease(redisReply *reply, void *ud)
{
    int renewing = ud != NULL;
    if (tg.stopping) return;
    int held = reply && ((reply->type == REDIS_REPLY_STATUS && strcmp(reply->str, "OK") == 0) ||
                         (reply->type == REDIS_REPLY_INTEGER && reply->integer == 1));
    if (held && !tg.leased) {
        tg.leased = 1;
        EDGE_INFO("telegram: this edge polls (lease taken)", "holder", tg.holder);
        tg.have_offset = 0; /* read the offset the last holder confirmed */
        read_offset();
    } else if (!held && tg.leased && renewing && reply) {
        EDGE_WARN("telegram: poller lease lost; another edge polls now");
        tg.leased = 0;
        tg.generation++;
        if (tg.req) edge_curl_cancel(tg.req);
        tg.req = NULL;
    }
}

static void on_lease_timer(uv_timer_t *t)
{
    char ms[24];
    (void)t;
    if (tg.stopping) return;
    edge_log_int(ms, LEASE_MS);
    if (tg.leased) {
        const char *argv[] = {"EVAL", RENEW_SCRIPT, "1", EDGE_KEY_TG_POLLER, tg.holder, ms};
        edge_redis_cmd(tg.ctx->redis, on_lease, (void *)1, 6, argv, NULL);
    } else {
        const char *argv[] = {"SET", EDGE_KEY_TG_POLLER, tg.holder, "NX", "PX", ms};
        edge_redis_cmd(tg.ctx->redis, on_lease, NULL, 6, argv, NULL);
    }
}

int edge_telegram_start(edge_ctx *ctx)
{
    if (!ctx || !ctx->cfg) return EDGE_ERR;
    if (ctx->cfg->tg_token[0] == '\0') {
        EDGE_INFO("telegram poller off (no TELEGRAM_BOT_TOKEN)");
        return EDGE_OK;
    }
    memset(&tg, 0, sizeof(tg));
    tg.ctx = ctx;
    tg.limit = TG_LIMIT;
    tg.need_me = 1;
    tg.curl = edge_curl_create(ctx->loop);
    if (!tg.curl) return EDGE_ERR;
    uv_timer_init(ctx->loop, &tg.timer);
    tg.timer_open = 1;
    tg.running = 1;
    if (ctx->cfg->tg_webhook_secret[0]) {
        tg.webhook = 1;
        tg.hook_set = ctx->cfg->tg_webhook_url[0] == '\0'; /* no URL: set by hand */
        EDGE_INFO("telegram: webhook mode (no getUpdates)", "announce",
                  tg.hook_set ? "no (TELEGRAM_WEBHOOK_URL not set)" : "yes");
        uv_timer_start(&tg.timer, webhook_tick, 100, 5000);
        return EDGE_OK;
    }
    {
        char host[64];
        if (gethostname(host, sizeof(host)) != 0) snprintf(host, sizeof(host), "edge");
        host[sizeof(host) - 1] = '\0';
        snprintf(tg.holder, sizeof(tg.holder), "%s-%d", host, (int)getpid());
    }
    uv_timer_init(ctx->loop, &tg.lease_timer);
    tg.lease_open = 1;
    uv_timer_start(&tg.lease_timer, on_lease_timer, 100, LEASE_RENEW_MS);
    return EDGE_OK;
}

void edge_telegram_stop(void)
{
    if (!tg.running) return;
    if (tg.leased) { /* hand over at once rather than after the lease runs out */
        static const char release[] = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
                                      "return redis.call('DEL', KEYS[1]) else return 0 end";
        const char *argv[] = {"EVAL", release, "1", EDGE_KEY_TG_POLLER, tg.holder};
        edge_redis_cmd(tg.ctx->redis, NULL, NULL, 5, argv, NULL);
    }
    tg.running = 0;
    tg.stopping = 1;
    tg.generation++;
    if (tg.req) edge_curl_cancel(tg.req);
    tg.req = NULL;
    if (tg.me_req) edge_curl_cancel(tg.me_req);
    tg.me_req = NULL;
    if (tg.hook_req) edge_curl_cancel(tg.hook_req);
    tg.hook_req = NULL;
    edge_curl_destroy(tg.curl);
    tg.curl = NULL;
    if (tg.timer_open) {
        uv_timer_stop(&tg.timer);
        uv_close((uv_handle_t *)&tg.timer, NULL);
        tg.timer_open = 0;
    }
    if (tg.lease_open) {
        uv_timer_stop(&tg.lease_timer);
        uv_close((uv_handle_t *)&tg.lease_timer, NULL);
        tg.lease_open = 0;
    }
}
