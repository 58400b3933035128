/* The Telegram sender (see edge_sender.h). One send_state per job in flight:
 *   begin (rt.job_begin) -> parts (split) -> for each part: rate limiter -> sendMessage
 *   (the payload's "reply_markup" object, a keyboard, goes with the first part as is)
 *   -> record (rt.mark_sent, retried in place until it commits) -> XACK
 * A transient Telegram failure of a part is retried here a few times with backoff; after that
 * the job fails for this delivery (rt.job_failed, not final) and runs again later. A permanent
 * one (a 4xx other than 429) or the last allowed attempt makes the job dead at once. The only
 * duplicate window is a part sent whose rt.mark_sent never commits because the edge died. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "edge_config.h"
#include "edge_curl.h"
#include "edge_jobs.h"
#include "edge_jobstate.h"
#include "edge_keys.h"
#include "edge_log.h"
#include "edge_pg.h"
#include "edge_ratelimit.h"
#include "edge_redis.h"
#include "edge_sender.h"
#include "edge_sim.h"
#include "edge_split.h"
#include "edge_tgparse.h"

#define TG_MAX_CHARS 4096
#define MAX_PARTS 64
#define PART_TRIES 3     /* transient failures of one part before the delivery gives up */
#define ORDER_WAIT_MS 50 /* a later message of a chat waits for the earlier one this often */

typedef struct send_state {
    edge_jobstate base; /* first: list, timer, SQL-call lifetime */
    json_t *begin;      /* rt.job_begin's answer */
    long long chat_id;
    int is_group;
    long long reply_to;
    long long edit_id; /* a message the LLM worker streamed into: part 0 edits it */
    const char *text;  /* inside begin */
    edge_span spans[MAX_PARTS];
    size_t nspans, next_part;
    json_t *ids; /* Telegram message ids sent so far */
    long long first_date;
    int part_tries;
    int attempts; /* rt.job_begin's count for this job */
    edge_curl_req *req;
    int final;     /* the failure being recorded makes the job dead */
    int have_slot; /* the rate limits granted the next part */
} send_state;

static struct {
    edge_ctx *ctx;
    edge_jobs *jobs;
    edge_curl *curl;
    edge_ratelimit *rl;
    edge_jobstate_list states;
    int running;
} sd;

static long long now_ms(void)
{
    return (long long)uv_now(sd.ctx->loop);
}

/* Frees what the state owns (edge_jobstate's release: may run twice). */
static void release(edge_jobstate *base)
{
    send_state *st = (send_state *)base;
    if (st->req) edge_curl_cancel(st->req);
    st->req = NULL;
    json_decref(st->begin);
    json_decref(st->ids);
    st->begin = st->ids = NULL;
}

static void finish(send_state *st)
{
    edge_jobstate_finish(&st->base);
}

static void retry_later(send_state *st, const char *error)
{
    edge_jobstate_retry(&st->base, 0, error);
}

/* A PostgreSQL answer for a state: 0 when the worker stopped meanwhile (st is gone). */
static int state_alive(send_state *st)
{
    return edge_jobstate_returned(&st->base);
}

static int call(send_state *st, const char *sql, int n, const char *const *params, edge_pg_cb cb)
{
    return edge_jobstate_call(&st->base, sd.ctx->pg_send, 0, sql, n, params, cb);
}

/* Recording what Telegram already has jumps the queue (edge_pg_call_first). */
static int call_first(send_state *st, const char *sql, int n, const char *const *params,
                      edge_pg_cb cb)
{
    return edge_jobstate_call(&st->base, sd.ctx->pg_send, 1, sql, n, params, cb);
}

static void send_part(send_state *st);
static void record(send_state *st);

/* the two steps a state waits to run again */
static void send_part_later(edge_jobstate *b)
{
    send_part((send_state *)b);
}

static void record_later(edge_jobstate *b)
{
    record((send_state *)b);
}

/* ---- failing ---- */

static void on_failed(const edge_pg_result *r, void *ud)
{
    send_state *st = ud;
    if (!state_alive(st)) return;
    if (strcmp(r->sqlstate, "00000") != 0) {
        retry_later(st, r->errmsg);
        return;
    }
    if (st->final)
        finish(st);
    else
        retry_later(st, st->base.job->last_error);
}

static void fail(send_state *st, const char *error, int permanent)
{
    char id[24];
    int final = permanent || st->attempts >= sd.ctx->cfg->job_max_deliveries;
    st->final = final;
    const char *params[3] = {edge_log_int(id, st->base.job->id), error, final ? "true" : "false"};
    snprintf(st->base.job->last_error, sizeof(st->base.job->last_error), "%s", error);
    EDGE_WARN("sender: delivery failed", "job", id, "kind", st->base.job->kind, "error", error,
              "final", final ? "true" : "false");
    if (call(st, "SELECT rt.job_failed($1::bigint, $2, $3::boolean)", 3, params, on_failed) !=
        EDGE_OK)
        retry_later(st, error);
}

/* ---- recording ---- */

static void on_marked(const edge_pg_result *r, void *ud)
{
    send_state *st = ud;
    if (!state_alive(st)) return;
    if (strcmp(r->sqlstate, "00000") != 0) {
        /* the effect happened: keep trying to record it rather than doing it again */
        EDGE_WARN("sender: recording a delivery failed; retrying", "sqlstate", r->sqlstate, "error",
                  r->errmsg);
        edge_jobstate_wait(&st->base, 1000, record_later);
        return;
    }
    finish(st);
}

static void record(send_state *st)
{
    char id[24];
    json_t *res = json_object();
    if (json_array_size(st->ids) > 0) {
        json_object_set(res, "message_id", json_array_get(st->ids, 0));
        json_object_set(res, "message_ids", st->ids);
        json_object_set_new(res, "date", json_integer(st->first_date));
    }
    char *text = json_dumps(res, JSON_COMPACT);
    json_decref(res);
    const char *params[2] = {edge_log_int(id, st->base.job->id), text ? text : "{}"};
    if (call_first(st, "SELECT rt.mark_sent($1::bigint, $2::jsonb)", 2, params, on_marked) !=
        EDGE_OK)
        edge_jobstate_wait(&st->base, 1000, record_later);
    free(text);
}

/* ---- the Bot API ---- */

static edge_curl_req *tg_post(const char *method, json_t *body, edge_curl_cb cb, void *ud)
{
    const edge_config *cfg = sd.ctx->cfg;
    static const char *const headers[] = {"Content-Type: application/json", "Expect:", NULL};
    char url[1024];
    edge_curl_request req;
    edge_curl_req *h;
    char *text = json_dumps(body, JSON_COMPACT);
    if (!text) return NULL;
    snprintf(url, sizeof(url), "%s/bot%s/%s", cfg->tg_api_base, cfg->tg_token, method);
    memset(&req, 0, sizeof(req));
    req.method = "POST";
    req.url = url;
    req.headers = headers;
    req.body = text;
    req.body_len = strlen(text);
    req.timeout_ms = 30000;
    req.connect_timeout_ms = 10000;
    req.max_response_bytes = 1024 * 1024;
    req.tg_method = method;
    h = edge_curl_start(sd.curl, &req, cb, ud);
    memset(url, 0, sizeof(url));
    free(text);
    return h;
}

edge_curl_req *edge_sender_post(const char *method, json_t *body, edge_curl_cb cb, void *ud)
{
    if (!sd.running || !sd.ctx->cfg->tg_token[0] || !body) return NULL;
    return tg_post(method, body, cb, ud);
}

int edge_sender_try_slot(long long chat_id)
{
    if (!sd.running) return 0;
    return edge_rl_reserve(sd.rl, chat_id, chat_id < 0, now_ms()) == 0;
}

static void on_fired(const edge_curl_response *r, void *ud)
{
    edge_tg_result tr;
    const char *method = ud;
    edge_tg_parse_result(r->body, r->body_len, r->ok ? r->status : 0, &tr);
    if (!tr.ok) {
        char code[24];
        EDGE_DEBUG("sender: best-effort call failed", "method", method, "error_code",
                   edge_log_int(code, tr.error_code), "error", r->ok ? tr.error : r->error);
    }
    json_decref(tr.result);
}

void edge_sender_fire(const char *method, json_t *body)
{
    if (!sd.running || !sd.ctx->cfg->tg_token[0] || !body) return;
    /* method is a literal of the caller's, so it outlives the request */
    tg_post(method, body, on_fired, (void *)method);
}

/* ---- sending ---- */

static void on_part_sent(const edge_curl_response *r, void *ud)
{
    send_state *st = ud;
    edge_tg_result tr;
    st->req = NULL;
    edge_tg_parse_result(r->body, r->body_len, r->ok ? r->status : 0, &tr);
    if (!tr.ok && st->edit_id && st->next_part == 0) {
        /* the streamed message: unchanged text is success, a vanished one is sent anew */
        if (strstr(tr.error, "message is not modified")) {
            tr.ok = 1;
        } else if (tr.permanent) {
            st->edit_id = 0;
            json_decref(tr.result);
            send_part(st);
            return;
        }
    }
    if (tr.ok && st->edit_id && st->next_part == 0) {
        json_decref(tr.result);
        if (json_array_size(st->ids) == 0) st->first_date = (long long)time(NULL);
        json_array_append_new(st->ids, json_integer(st->edit_id));
        st->next_part++;
        st->part_tries = 0;
        send_part(st);
        return;
    }
    if (tr.ok) {
        json_t *mid = json_object_get(tr.result, "message_id");
        if (json_array_size(st->ids) == 0)
            st->first_date = json_integer_value(json_object_get(tr.result, "date"));
        json_array_append(st->ids, mid ? mid : json_null());
        json_decref(tr.result);
        st->next_part++;
        st->part_tries = 0;
        send_part(st);
        return;
    }
    json_decref(tr.result);
    if (tr.retry_after > 0) {
        char ra[24];
        EDGE_WARN("sender: telegram rate limit for one chat", "retry_after",
                  edge_log_int(ra, tr.retry_after));
        edge_rl_block(sd.rl, st->chat_id, now_ms() + (long long)tr.retry_after * 1000);
        edge_jobstate_wait(&st->base, (long long)tr.retry_after * 1000, send_part_later);
        return;
    }
    if (tr.permanent && st->reply_to && strstr(tr.error, "replied not found")) {
        st->reply_to = 0; /* the message answered is gone: send without the reply */
        send_part(st);
        return;
    }
    if (tr.permanent) {
        fail(st, tr.error, 1);
        return;
    }
    if (++st->part_tries < PART_TRIES) {
        edge_jobstate_wait(
            &st->base, edge_jobs_backoff_ms((unsigned)st->part_tries, 500, 10000, (unsigned)rand()),
            send_part_later);
        return;
    }
    fail(st, r->ok ? tr.error : r->error, 0);
}

static void on_sim_id(const edge_pg_result *r, void *ud)
{
    send_state *st = ud;
    if (!state_alive(st)) return;
    if (strcmp(r->sqlstate, "00000") != 0 || !r->res || PQntuples(r->res) != 1 ||
        PQgetisnull(r->res, 0, 0)) {
        EDGE_WARN("send: no simulated message id; retrying", "sqlstate", r->sqlstate, "error",
                  r->errmsg);
        edge_jobstate_wait(&st->base, 500, send_part_later);
        return;
    }
    /* simulated user and bot messages share one sequence, so their ids never collide */
    long long id = strtoll(PQgetvalue(r->res, 0, 0), NULL, 10);
    json_array_append_new(st->ids, json_integer(id - EDGE_SIM_FIRST_UPDATE_ID + 1));
    if (json_array_size(st->ids) == 1) st->first_date = (long long)time(NULL);
    st->next_part++;
    send_part(st);
}

/* Telegram limits the bot, not the process: with several edges the per-chat pace is kept in
 * Redis too, as a key that lives for one send interval (SET NX PX); its remaining time is the
 * wait. Without Redis the local limiter alone paces. */
static const char CHAT_SLOT_SCRIPT[] =
    "if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 0 end "
    "local t = redis.call('PTTL', KEYS[1]) if t < 1 then t = 1 end return t";

static void on_chat_slot(redisReply *reply, void *ud)
{
    send_state *st = ud;
    if (!sd.running) return;
    if (reply && reply->type == REDIS_REPLY_INTEGER && reply->integer > 0) {
        edge_jobstate_wait(&st->base, reply->integer, send_part_later);
        return;
    }
    st->have_slot = 1;
    send_part(st);
}

static int ask_chat_slot(send_state *st)
{
    char key[64], px[24];
    if (sd.ctx->cfg->tg_rate_chat <= 0) return EDGE_ERR;
    snprintf(key, sizeof(key), "%s%lld", EDGE_KEY_TG_CHAT_SLOT_PREFIX, st->chat_id);
    edge_log_int(px, 1000 / sd.ctx->cfg->tg_rate_chat);
    const char *argv[] = {"EVAL", CHAT_SLOT_SCRIPT, "1", key, px};
    return edge_redis_cmd(sd.ctx->redis, on_chat_slot, st, 5, argv, NULL);
}

/* One chat's messages leave in the order of their jobs: a job waits while this process holds
 * an earlier job (a smaller id) of the same chat, or one whose chat is not known yet (its
 * rt.job_begin has not answered). A round table queues a turn's post and the next turn at
 * once; the next turn's post must not overtake it. */
static int earlier_pending(const send_state *st)
{
    for (const edge_jobstate *b = sd.states.head; b; b = b->next) {
        const send_state *o = (const send_state *)b;
        if (o == st || !b->job || b->job->id >= st->base.job->id) continue;
        if (!o->begin || o->chat_id == st->chat_id) return 1;
    }
    return 0;
}

static void send_part(send_state *st)
{
    long long wait;
    if (st->next_part >= st->nspans) {
        record(st);
        return;
    }
    if (st->next_part == 0 && !st->have_slot && earlier_pending(st)) {
        edge_jobstate_wait(&st->base, ORDER_WAIT_MS, send_part_later);
        return;
    }
    if (!sd.ctx->cfg->tg_token[0]) {
        /* the simulator is the Telegram of a token-less edge: a simulated message id */
        if (call(st, "SELECT rt.sim_next_id()", 0, NULL, on_sim_id) != EDGE_OK)
            edge_jobstate_wait(&st->base, 500, send_part_later);
        return;
    }
    /* the chat's slot shared by every edge first, then this process's buckets right before the
     * call, so that sends leave spaced even when Redis answers in a burst */
    if (!st->have_slot && ask_chat_slot(st) == EDGE_OK) return; /* on_chat_slot goes on */
    wait = edge_rl_reserve(sd.rl, st->chat_id, st->is_group, now_ms());
    if (wait > 0) {
        st->have_slot = 1; /* keep the shared slot while this process's buckets refill */
        edge_jobstate_wait(&st->base, wait, send_part_later);
        return;
    }
    st->have_slot = 0;
    const edge_span *sp = &st->spans[st->next_part];
    json_t *body = json_object();
    json_object_set_new(body, "chat_id", json_integer(st->chat_id));
    json_object_set_new(body, "text", json_stringn(st->text + sp->off, sp->len));
    if (st->edit_id && st->next_part == 0) {
        json_object_set_new(body, "message_id", json_integer(st->edit_id));
        st->req = tg_post("editMessageText", body, on_part_sent, st);
        json_decref(body);
        if (!st->req) fail(st, "could not start the editMessageText request", 0);
        return;
    }
    if (st->next_part == 0) {
        /* a keyboard (bot texts of the round table) rides on the first part, as is */
        json_t *markup = json_object_get(json_object_get(st->begin, "payload"), "reply_markup");
        if (json_is_object(markup)) json_object_set(body, "reply_markup", markup);
    }
    if (st->reply_to && st->next_part == 0) {
        json_t *rp = json_object();
        json_object_set_new(rp, "message_id", json_integer(st->reply_to));
        json_object_set_new(rp, "allow_sending_without_reply", json_true());
        json_object_set_new(body, "reply_parameters", rp);
    }
    st->req = tg_post("sendMessage", body, on_part_sent, st);
    json_decref(body);
    if (!st->req) fail(st, "could not start the sendMessage request", 0);
}

/* ---- deleting ---- */

static void on_deleted(const edge_curl_response *r, void *ud)
{
    send_state *st = ud;
    edge_tg_result tr;
    st->req = NULL;
    edge_tg_parse_result(r->body, r->body_len, r->ok ? r->status : 0, &tr);
    json_decref(tr.result);
    /* already gone counts as deleted */
    if (tr.ok || (tr.permanent && strstr(tr.error, "not found"))) {
        record(st);
        return;
    }
    fail(st, r->ok ? tr.error : r->error, tr.permanent);
}

static void delete_message(send_state *st)
{
    json_t *payload = json_object_get(st->begin, "payload");
    json_t *mid = json_object_get(payload, "message_id");
    if (!sd.ctx->cfg->tg_token[0] || !json_is_integer(mid)) {
        record(st); /* nothing in Telegram to delete */
        return;
    }
    json_t *body = json_object();
    json_object_set_new(body, "chat_id", json_integer(st->chat_id));
    json_object_set(body, "message_id", mid);
    st->req = tg_post("deleteMessage", body, on_deleted, st);
    json_decref(body);
    if (!st->req) fail(st, "could not start the deleteMessage request", 0);
}

/* ---- the job ---- */

static void on_begin(const edge_pg_result *r, void *ud)
{
    send_state *st = ud;
    json_t *payload;
    if (!(st->begin = edge_jobstate_begun(&st->base, r))) return;
    st->attempts = (int)json_integer_value(json_object_get(st->begin, "attempts"));
    payload = json_object_get(st->begin, "payload");
    st->chat_id = json_integer_value(json_object_get(payload, "chat_id"));
    st->is_group = st->chat_id < 0;
    st->ids = json_array();
    if (strcmp(st->base.job->kind, "telegram.delete") == 0) {
        delete_message(st);
        return;
    }
    st->text = json_string_value(json_object_get(st->begin, "text"));
    if (!st->text) st->text = json_string_value(json_object_get(payload, "text"));
    if (!st->text || !*st->text) {
        fail(st, "the message has no text", 1);
        return;
    }
    st->reply_to = json_integer_value(json_object_get(payload, "reply_to_message_id"));
    st->edit_id = json_integer_value(json_object_get(payload, "edit_message_id"));
    st->nspans = edge_split_text(st->text, strlen(st->text), TG_MAX_CHARS, st->spans, MAX_PARTS);
    if (st->nspans == 0 || st->nspans > MAX_PARTS) {
        fail(st, st->nspans ? "the message is too long to send" : "the message is blank", 1);
        return;
    }
    send_part(st);
}

static void run(edge_job *job, void *ud)
{
    (void)ud;
    if (strcmp(job->kind, "telegram.send") != 0 && strcmp(job->kind, "telegram.delete") != 0) {
        EDGE_ERROR("sender: unknown job kind acknowledged", "kind", job->kind);
        edge_jobs_finish(job);
        return;
    }
    edge_jobstate_begin(&sd.states, sizeof(send_state), job, sd.ctx->loop, release, sd.ctx->pg_send,
                        on_begin);
}

int edge_sender_start(edge_ctx *ctx)
{
    const edge_config *cfg = ctx->cfg;
    memset(&sd, 0, sizeof(sd));
    sd.ctx = ctx;
    sd.curl = edge_curl_create(ctx->loop);
    sd.rl = edge_rl_create(cfg->tg_rate_chat, cfg->tg_rate_group_per_min, cfg->tg_rate_global);
    if (!sd.curl || !sd.rl) return EDGE_ERR;
    sd.jobs =
        edge_jobs_start(ctx, EDGE_KEY_SEND, EDGE_GROUP_SEND, cfg->send_concurrency, run, NULL);
    if (!sd.jobs) return EDGE_ERR;
    sd.running = 1;
    return EDGE_OK;
}

void edge_sender_stop(void)
{
    if (!sd.ctx) return;
    sd.running = 0;
    edge_jobstate_stop_all(&sd.states);
    edge_jobs_stop(sd.jobs);
    sd.jobs = NULL;
    edge_curl_destroy(sd.curl);
    sd.curl = NULL;
    edge_rl_free(sd.rl);
    sd.rl = NULL;
    sd.ctx = NULL;
}
