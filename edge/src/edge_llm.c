/* The LLM worker (see edge_llm.h). One call_state per job in flight; its lifetime:
 *   begin -> (demo: timer pieces | http: curl stream) -> record -> finish
 *   any failure -> rt.job_failed(final?) -> finish (dead) or retry later
 * The watchdog timer enforces the first-token and idle timeouts by cancelling the transfer;
 * curl enforces connect and total. A state held by a PostgreSQL call when the worker stops
 * is freed when that call returns (orphan). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "edge_config.h"
#include "edge_curl.h"
#include "edge_demo.h"
#include "edge_envelope.h"
#include "edge_fanout.h"
#include "edge_fernet.h"
#include "edge_http.h"
#include "edge_jobs.h"
#include "edge_jobstate.h"
#include "edge_keys.h"
#include "edge_llm.h"
#include "edge_llmparse.h"
#include "edge_log.h"
#include "edge_metrics.h"
#include "edge_pg.h"
#include "edge_sender.h"
#include "edge_split.h"
#include "edge_sse.h"
#include "edge_tgparse.h"
#include "edge_turn.h"

#define MAX_EVENT_BYTES (1024 * 1024)
#define MAX_REPLY_BYTES (256 * 1024)
#define TYPING_EVERY_MS 4000
#define DRAFT_EVERY_MS 400
#define DEMO_PIECE_MS 35
#define GROUP_EDIT_EVERY_MS 3000 /* a group's edits share its 20 messages a minute */
#define GROUP_FIRST_AFTER_MS 700 /* the placeholder message waits for some text first */
#define REAP_EVERY_MS 2000       /* rt.session_reap: turns past their deadline, stale topics */

typedef struct call_state {
    edge_jobstate base; /* first: list, timer (watchdog / demo pace), SQL-call lifetime */
    json_t *begin;      /* rt.job_begin's answer */
    int attempts;
    int demo;
    int anthropic;
    long long chat_id;
    json_t *draft_id;    /* integer or null */
    json_t *in_reply_to; /* integer or null */
    const char *provider_name;
    const char *model;
    long long provider_id;
    int telegram_live;       /* typing + drafts in Telegram */
    int draft_in_tg;         /* sendMessageDraft (private chats, streaming on) */
    int edit_in_tg;          /* a message edited as text arrives (groups, streaming on) */
    long long tg_message_id; /* that message, once Telegram answered */
    edge_curl_req *tg_req;   /* its sendMessage / editMessageText in flight */
    size_t tg_shown;         /* bytes of text it shows */
    long long last_edit_ms;
    char *text; /* the reply so far */
    size_t len, cap;
    size_t flushed; /* bytes of text already sent as llm.delta */
    long long seq;
    edge_sse sse;
    int sse_open;
    edge_llm_stream parse;
    size_t prompt_bytes;
    int got_data; /* a chunk of the body arrived */
    int parse_failed;
    long long started_ms, first_token_ms;
    uint64_t began_ns, http_start_ns, http_end_ns; /* hi-res marks for the overhead figures */
    long long last_draft_ms, last_typing_ms;
    edge_curl_req *req;
    char *demo_text;
    size_t demo_len, demo_pos;
    int final;
    unsigned min_retry_ms; /* Retry-After of the failure being recorded */
    char timeout_error[128];
    /* an llm.turn of a round-table session (rt.job_begin's "session") */
    int is_turn;
    long long session_id, turn;
    const char *speaker;   /* inside begin; labels what Telegram shows */
    long long deadline_at; /* uv_now ms of the turn's deadline; 0: none */
    int cancelled;         /* the session stopped: nothing recorded, nothing left behind */
    int called;            /* the model call began (rt_llm_requests_total counts it) */
    int counted;           /* its outcome was counted */
} call_state;

static struct {
    edge_ctx *ctx;
    edge_jobs *jobs;
    edge_curl *curl;
    edge_jobstate_list states;
    int running;
    edge_turn_stopped stopped; /* sessions stopped lately: a turn begun meanwhile is dropped */
    uv_timer_t reaper;
    int reaper_open;
    int reaping;          /* rt.session_reap in flight */
    char reap_error[512]; /* the last rt.session_reap error said */
} lw;

static long long now_ms(void)
{
    return (long long)uv_now(lw.ctx->loop);
}

/* ---- state lifetime ---- */

/* Frees what the state owns (edge_jobstate's release: may run twice). */
static void release(edge_jobstate *base)
{
    call_state *st = (call_state *)base;
    if (st->req) edge_curl_cancel(st->req);
    st->req = NULL;
    if (st->tg_req) edge_curl_cancel(st->tg_req);
    st->tg_req = NULL;
    if (st->sse_open) edge_sse_free(&st->sse);
    st->sse_open = 0;
    json_decref(st->begin);
    st->begin = NULL;
    free(st->text);
    free(st->demo_text);
    st->text = st->demo_text = NULL;
}

/* The model call's outcome ("ok", "error", "timeout", "cancelled"), once per call, with the
 * call's whole duration (rt_llm_requests_total, rt_llm_request_duration_seconds). */
static void count_call(call_state *st, const char *outcome)
{
    if (!st->called || st->counted) return;
    st->counted = 1;
    edge_metrics_llm_call(st->provider_name, outcome, (double)(uv_hrtime() - st->began_ns) / 1e9);
}

static void finish(call_state *st)
{
    edge_jobstate_finish(&st->base);
}

static void retry_later(call_state *st, unsigned min_ms, const char *error)
{
    edge_jobstate_retry(&st->base, min_ms, error);
}

static int state_alive(call_state *st)
{
    return edge_jobstate_returned(&st->base);
}

static int call(call_state *st, const char *sql, int n, const char *const *params, edge_pg_cb cb)
{
    return edge_jobstate_call(&st->base, lw.ctx->pg_work, 0, sql, n, params, cb);
}

/* ---- browsers and Telegram ---- */

static void broadcast(const char *type, json_t *data)
{
    size_t n;
    char *d = json_dumps(data, JSON_COMPACT);
    char *env = d ? edge_envelope(type, d, strlen(d), &n) : NULL;
    if (env) edge_fanout_broadcast(env, n); /* to the consoles of every edge */
    free(env);
    free(d);
}

static json_t *event_base(call_state *st)
{
    json_t *d = json_object();
    json_object_set_new(d, "job_id", json_integer(st->base.job->id));
    /* a console-only session's turn has no chat */
    json_object_set_new(d, "chat_id",
                        st->is_turn && !st->chat_id ? json_null() : json_integer(st->chat_id));
    json_object_set(d, "draft_id", st->draft_id ? st->draft_id : json_null());
    json_object_set_new(d, "session_id", st->is_turn ? json_integer(st->session_id) : json_null());
    json_object_set_new(d, "speaker",
                        st->is_turn && st->speaker ? json_string(st->speaker) : json_null());
    return d;
}

/* Bytes of text[0..len) that fit one Telegram message, cut at a word or code point. */
static size_t fit_message(const char *text, size_t len)
{
    edge_span sp;
    if (edge_split_text(text, len, EDGE_SPLIT_TELEGRAM_MAX, &sp, 1) == 0) return 0;
    return sp.off + sp.len;
}

static void settle_cancelled(call_state *st);

static void on_group_stream(const edge_curl_response *r, void *ud)
{
    call_state *st = ud;
    edge_tg_result tr;
    st->tg_req = NULL;
    edge_tg_parse_result(r->body, r->body_len, r->ok ? r->status : 0, &tr);
    if (tr.ok && !st->tg_message_id)
        st->tg_message_id = json_integer_value(json_object_get(tr.result, "message_id"));
    else if (!tr.ok && !strstr(tr.error, "message is not modified"))
        EDGE_DEBUG("llm: a streamed group update failed; the final send still comes", "error",
                   r->ok ? tr.error : r->error);
    json_decref(tr.result);
    /* stopped while the placeholder was on its way: it goes now */
    if (st->cancelled && !st->base.pg_busy) settle_cancelled(st);
}

/* The message a group saw the reply grow in, deleted (the next attempt streams anew, or the
 * session stopped and nothing of this turn may stay). */
static void drop_group_message(call_state *st)
{
    if (!st->tg_message_id) return;
    json_t *b = json_object();
    json_object_set_new(b, "chat_id", json_integer(st->chat_id));
    json_object_set_new(b, "message_id", json_integer(st->tg_message_id));
    edge_sender_fire("deleteMessage", b);
    json_decref(b);
    st->tg_message_id = 0;
}

/* Groups see the reply grow in one message: a first sendMessage once some text is there, then
 * an editMessageText every few seconds while the limiter allows. The final text is the send
 * job's, which edits this message instead of sending another (rt.record_reply passes its id). */
static void stream_to_group(call_state *st)
{
    long long now = now_ms();
    json_t *b;
    if (st->tg_req || st->len == st->tg_shown) return;
    if (!st->tg_message_id) {
        if (st->tg_shown || now - st->started_ms < GROUP_FIRST_AFTER_MS) return;
    } else if (now - st->last_edit_ms < GROUP_EDIT_EVERY_MS) {
        return;
    }
    if (!edge_sender_try_slot(st->chat_id)) return;
    size_t shown_len;
    char *shown = edge_turn_label(st->is_turn ? st->speaker : NULL, st->text, st->len, &shown_len);
    size_t n = shown ? fit_message(shown, shown_len) : 0;
    if (n == 0) {
        free(shown);
        return;
    }
    b = json_object();
    json_object_set_new(b, "chat_id", json_integer(st->chat_id));
    json_object_set_new(b, "text", json_stringn(shown, n));
    free(shown);
    if (st->tg_message_id) {
        json_object_set_new(b, "message_id", json_integer(st->tg_message_id));
        st->tg_req = edge_sender_post("editMessageText", b, on_group_stream, st);
    } else {
        json_t *payload = json_object_get(st->begin, "payload");
        json_t *reply_to = json_object_get(payload, "reply_to_message_id");
        if (json_is_integer(reply_to)) {
            json_t *rp = json_object();
            json_object_set(rp, "message_id", reply_to);
            json_object_set_new(rp, "allow_sending_without_reply", json_true());
            json_object_set_new(b, "reply_parameters", rp);
        }
        st->tg_req = edge_sender_post("sendMessage", b, on_group_stream, st);
    }
    json_decref(b);
    st->tg_shown = st->len;
    st->last_edit_ms = now;
}

/* Sends what arrived since the last flush as one llm.delta, and refreshes the Telegram draft. */
static void flush_delta(call_state *st)
{
    if (st->len > st->flushed) {
        json_t *d = event_base(st);
        json_object_set(d, "in_reply_to", st->in_reply_to ? st->in_reply_to : json_null());
        json_object_set_new(d, "provider", json_string(st->provider_name ? st->provider_name : ""));
        json_object_set_new(d, "demo", json_boolean(st->demo));
        json_object_set_new(d, "seq", json_integer(++st->seq));
        json_object_set_new(d, "delta",
                            json_stringn(st->text + st->flushed, st->len - st->flushed));
        broadcast("llm.delta", d);
        json_decref(d);
        st->flushed = st->len;
    }
    if (st->draft_in_tg && st->len > 0 && now_ms() - st->last_draft_ms >= DRAFT_EVERY_MS) {
        size_t shown_len;
        char *shown =
            edge_turn_label(st->is_turn ? st->speaker : NULL, st->text, st->len, &shown_len);
        size_t n = shown ? fit_message(shown, shown_len) : 0;
        if (n > 0) {
            json_t *b = json_object();
            json_object_set_new(b, "chat_id", json_integer(st->chat_id));
            json_object_set_new(b, "draft_id", json_integer(st->base.job->id));
            json_object_set_new(b, "text", json_stringn(shown, n));
            edge_sender_fire("sendMessageDraft", b);
            json_decref(b);
        }
        free(shown);
        st->last_draft_ms = now_ms();
    }
    if (st->edit_in_tg && st->len > 0) stream_to_group(st);
    if (st->telegram_live && now_ms() - st->last_typing_ms >= TYPING_EVERY_MS) {
        json_t *b = json_object();
        json_object_set_new(b, "chat_id", json_integer(st->chat_id));
        json_object_set_new(b, "action", json_string("typing"));
        edge_sender_fire("sendChatAction", b);
        json_decref(b);
        st->last_typing_ms = now_ms();
    }
}

static void send_done(call_state *st, int ok, const char *error)
{
    json_t *d = event_base(st);
    json_object_set_new(d, "ok", json_boolean(ok));
    json_object_set_new(d, "error", error ? json_string(error) : json_null());
    broadcast("llm.done", d);
    json_decref(d);
}

static int append_text(call_state *st, const char *s, size_t n)
{
    if (st->len + n > MAX_REPLY_BYTES) return EDGE_ERR;
    if (st->len + n + 1 > st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 1024;
        while (cap < st->len + n + 1) cap *= 2;
        char *p = realloc(st->text, cap);
        if (!p) return EDGE_ERR;
        st->text = p;
        st->cap = cap;
    }
    memcpy(st->text + st->len, s, n);
    st->len += n;
    st->text[st->len] = '\0';
    if (!st->first_token_ms) {
        st->first_token_ms = now_ms();
        edge_metrics_llm_first_token(st->provider_name, (double)(uv_hrtime() - st->began_ns) / 1e9);
    }
    return EDGE_OK;
}

/* ---- failure ---- */

static void on_failed(const edge_pg_result *r, void *ud)
{
    call_state *st = ud;
    if (!state_alive(st)) return;
    if (st->cancelled) {
        settle_cancelled(st);
        return;
    }
    if (strcmp(r->sqlstate, "00000") == 0 && st->final)
        finish(st);
    else
        retry_later(st, st->min_retry_ms, st->base.job->last_error);
}

static void reap_now(void);

/* A turn is over when its deadline passed: rt.session_reap ends the session with "timeout"
 * (kicked now, not in up to 2 s), and the job, run again after that, finds it ended. Neither
 * recorded nor failed: a failure would exclude the speaker instead of ending the session. */
static int turn_deadline_passed(call_state *st)
{
    return st->is_turn && st->deadline_at > 0 && now_ms() >= st->deadline_at - 20;
}

static void turn_deadline(call_state *st)
{
    char id[24], sid[24];
    if (st->req) edge_curl_cancel(st->req);
    st->req = NULL;
    uv_timer_stop(&st->base.timer);
    count_call(st, "timeout");
    EDGE_WARN("llm: the turn's deadline passed; the session ends with timeout", "job",
              edge_log_int(id, st->base.job->id), "session_id", edge_log_int(sid, st->session_id),
              "speaker", st->speaker ? st->speaker : "", "provider",
              st->provider_name ? st->provider_name : "");
    send_done(st, 0, "timeout: the turn's deadline passed");
    drop_group_message(st);
    reap_now();
    retry_later(st, REAP_EVERY_MS + 500, "the turn's deadline passed");
}

static void fail(call_state *st, const char *error, int permanent, unsigned retry_after_ms)
{
    char id[24], att[24];
    if (turn_deadline_passed(st)) {
        turn_deadline(st);
        return;
    }
    count_call(st, strncmp(error, "timeout", 7) == 0 ? "timeout" : "error");
    int final = permanent || st->attempts >= lw.ctx->cfg->job_max_deliveries;
    st->final = final;
    st->min_retry_ms = retry_after_ms;
    snprintf(st->base.job->last_error, sizeof(st->base.job->last_error), "%s", error);
    EDGE_WARN("llm: call failed", "job", edge_log_int(id, st->base.job->id), "provider",
              st->provider_name ? st->provider_name : "", "model", st->model ? st->model : "",
              "error", error, "attempt", edge_log_int(att, st->attempts), "final",
              final ? "true" : "false");
    send_done(st, 0, error);
    drop_group_message(st); /* the next attempt streams into a new message */
    /* the ledger learns the error; a non-final one is followed by a retry after the backoff */
    const char *params[3] = {id, error, final ? "true" : "false"};
    if (call(st, "SELECT rt.job_failed($1::bigint, $2, $3::boolean)", 3, params, on_failed) !=
        EDGE_OK)
        retry_later(st, retry_after_ms, error);
}

/* ---- recording ---- */

static void record(call_state *st, int estimated);

static void on_recorded(const edge_pg_result *r, void *ud)
{
    call_state *st = ud;
    json_t *res = NULL;
    json_error_t jerr;
    char id[24], in[24], cached[24], out[24], lat[24], ft[24], sid[24], turn[24];
    if (!state_alive(st)) return;
    if (st->cancelled) {
        settle_cancelled(st);
        return;
    }
    if (strcmp(r->sqlstate, "00000") != 0) {
        if (r->sqlstate[0] == '2' && r->sqlstate[1] == '2') { /* the reply itself is refused */
            fail(st, r->errmsg, 1, 0);
            return;
        }
        EDGE_WARN("llm: recording a reply failed; retrying", "sqlstate", r->sqlstate, "error",
                  r->errmsg);
        record(st, st->parse.usage.estimated);
        return;
    }
    if (r->res && PQntuples(r->res) == 1) res = json_loads(PQgetvalue(r->res, 0, 0), 0, &jerr);
    const char *rstate = json_string_value(json_object_get(res, "state"));
    if (st->is_turn && rstate && strcmp(rstate, "stopped") == 0) {
        /* the session stopped before the turn was recorded: nothing of it may stay */
        EDGE_INFO("llm: turn not recorded, the session stopped", "job",
                  edge_log_int(id, st->base.job->id), "session_id",
                  edge_log_int(sid, st->session_id), "speaker", st->speaker ? st->speaker : "");
        json_decref(res);
        st->cancelled = 1;
        count_call(st, "cancelled");
        send_done(st, 0, "the session was stopped");
        settle_cancelled(st);
        return;
    }
    json_t *cost = json_object_get(res, "cost");
    char costbuf[48] = "";
    if (json_is_number(cost)) snprintf(costbuf, sizeof(costbuf), "%.8f", json_number_value(cost));
    count_call(st, "ok");
    edge_metrics_llm_usage(st->provider_name, st->parse.usage.input, st->parse.usage.output,
                           json_is_number(cost) ? json_number_value(cost) : -1);
    /* overhead_us: what the edge added around the provider (begin answered -> record
     * committed, minus the HTTP transfer); 0 http_us for the demo model */
    char total_us[24], http_us[24];
    uint64_t total = (uv_hrtime() - st->began_ns) / 1000;
    uint64_t http = st->http_end_ns ? (st->http_end_ns - st->http_start_ns) / 1000 : 0;
    edge_log_int(total_us, (long long)total);
    edge_log_int(http_us, (long long)http);
    if (st->is_turn)
        EDGE_INFO("llm call", "session_id", edge_log_int(sid, st->session_id), "turn",
                  edge_log_int(turn, st->turn), "speaker", st->speaker ? st->speaker : "",
                  "total_us", total_us, "http_us", http_us, "job",
                  edge_log_int(id, st->base.job->id), "kind", st->base.job->kind, "provider",
                  st->provider_name ? st->provider_name : "", "model", st->model ? st->model : "",
                  "tokens_in", edge_log_int(in, st->parse.usage.input), "tokens_cached",
                  edge_log_int(cached, st->parse.usage.cached_input), "tokens_out",
                  edge_log_int(out, st->parse.usage.output), "cost", costbuf, "usage_estimated",
                  st->parse.usage.estimated ? "true" : "false", "latency_ms",
                  edge_log_int(lat, now_ms() - st->started_ms), "first_token_ms",
                  edge_log_int(ft, st->first_token_ms ? st->first_token_ms - st->started_ms : -1));
    else
        EDGE_INFO("llm call", "total_us", total_us, "http_us", http_us, "job",
                  edge_log_int(id, st->base.job->id), "kind", st->base.job->kind, "provider",
                  st->provider_name ? st->provider_name : "", "model", st->model ? st->model : "",
                  "tokens_in", edge_log_int(in, st->parse.usage.input), "tokens_cached",
                  edge_log_int(cached, st->parse.usage.cached_input), "tokens_out",
                  edge_log_int(out, st->parse.usage.output), "cost",
                  costbuf, /* "" when unknown: a NULL would end the field list */
                  "usage_estimated", st->parse.usage.estimated ? "true" : "false", "latency_ms",
                  edge_log_int(lat, now_ms() - st->started_ms), "first_token_ms",
                  edge_log_int(ft, st->first_token_ms ? st->first_token_ms - st->started_ms : -1));
    json_decref(res);
    send_done(st, 1, NULL);
    finish(st);
}

static void record(call_state *st, int estimated)
{
    char id[24];
    json_t *res = json_object(), *usage = json_object();
    if (estimated || !st->parse.usage.have)
        edge_llm_estimate_usage(&st->parse.usage, st->prompt_bytes, st->len);
    json_object_set_new(usage, "input", json_integer(st->parse.usage.input));
    json_object_set_new(usage, "cached_input", json_integer(st->parse.usage.cached_input));
    json_object_set_new(usage, "output", json_integer(st->parse.usage.output));
    json_object_set_new(usage, "estimated", json_boolean(st->parse.usage.estimated));
    json_object_set_new(res, "text", json_stringn(st->text ? st->text : "", st->len));
    json_object_set_new(res, "provider_id", json_integer(st->provider_id));
    json_object_set_new(res, "model", json_string(st->model ? st->model : ""));
    json_object_set_new(res, "usage", usage);
    json_object_set_new(res, "latency_ms", json_integer(now_ms() - st->started_ms));
    if (st->tg_message_id) /* the final send edits the streamed message */
        json_object_set_new(res, "telegram_message_id", json_integer(st->tg_message_id));
    json_object_set_new(res, "finish_reason",
                        st->parse.finish_reason[0] ? json_string(st->parse.finish_reason)
                                                   : json_null());
    char *text = json_dumps(res, JSON_COMPACT);
    json_decref(res);
    const char *params[2] = {edge_log_int(id, st->base.job->id), text ? text : "{}"};
    /* ahead of the queue: a finished answer is not lost to a crash while it waits */
    if (edge_jobstate_call(&st->base, lw.ctx->pg_work, 1,
                           st->is_turn ? "SELECT rt.session_record_turn($1::bigint, $2::jsonb)"
                                       : "SELECT rt.record_reply($1::bigint, $2::jsonb)",
                           2, params, on_recorded) != EDGE_OK) {
        free(text);
        retry_later(st, 1000, "the database pool refused to record the reply");
        return;
    }
    free(text);
}

/* ---- the demo model ---- */

static void demo_tick(uv_timer_t *t)
{
    call_state *st = t->data;
    size_t n = edge_demo_next_piece(st->demo_text, st->demo_len, st->demo_pos);
    if (n == 0) {
        uv_timer_stop(&st->base.timer);
        flush_delta(st);
        st->parse.done = 1;
        record(st, 1);
        return;
    }
    if (append_text(st, st->demo_text + st->demo_pos, n) != EDGE_OK) {
        uv_timer_stop(&st->base.timer);
        fail(st, "out of memory", 0, 0);
        return;
    }
    st->demo_pos += n;
    flush_delta(st);
}

static void start_demo(call_state *st)
{
    st->called = 1;
    char *req = json_dumps(json_object_get(st->begin, "request"), JSON_COMPACT);
    st->prompt_bytes = req ? strlen(req) : 0;
    if (st->is_turn) {
        json_t *session = json_object_get(st->begin, "session");
        st->demo_text =
            edge_demo_turn_reply(req ? req : "{}", req ? strlen(req) : 2, st->speaker,
                                 (int)json_integer_value(json_object_get(session, "round")));
    } else {
        st->demo_text = edge_demo_reply(req ? req : "{}", req ? strlen(req) : 2);
    }
    free(req);
    if (!st->demo_text) {
        fail(st, "out of memory", 0, 0);
        return;
    }
    st->demo_len = strlen(st->demo_text);
    uv_timer_start(&st->base.timer, demo_tick, 0, DEMO_PIECE_MS);
}

/* ---- a provider over HTTP ---- */

static void on_delta(const char *text, size_t len, int reasoning, void *ud)
{
    call_state *st = ud;
    if (reasoning) return; /* reasoning_content is the model's scratch work, not the reply */
    if (append_text(st, text, len) != EDGE_OK) st->parse_failed = 1;
}

static int on_event(const char *event, const char *data, size_t len, void *ud)
{
    call_state *st = ud;
    if (st->parse_failed) return EDGE_ERR;
    if (edge_llm_stream_event(&st->parse, event, data, len, on_delta, st) != EDGE_OK)
        st->parse_failed = 1;
    return st->parse_failed ? EDGE_ERR : EDGE_OK;
}

static void arm_watchdog(call_state *st);

static int on_data(const char *buf, size_t len, void *ud)
{
    call_state *st = ud;
    st->got_data = 1;
    if (edge_sse_feed(&st->sse, buf, len, on_event, st) != EDGE_OK) st->parse_failed = 1;
    if (st->parse_failed) return 1; /* abort the transfer */
    flush_delta(st);
    arm_watchdog(st);
    return 0;
}

static void on_watchdog(uv_timer_t *t)
{
    call_state *st = t->data;
    if (!st->req) return;
    edge_curl_cancel(st->req);
    st->req = NULL;
    if (st->len > 0 && !st->first_token_ms) st->first_token_ms = now_ms();
    fail(st, st->timeout_error, 0, 0);
}

static void arm_watchdog(call_state *st)
{
    const edge_config *cfg = lw.ctx->cfg;
    int first = st->len == 0;
    long long ms = first ? cfg->llm_first_token_timeout_ms : cfg->llm_idle_timeout_ms;
    snprintf(st->timeout_error, sizeof(st->timeout_error),
             first ? "timeout: no token within %lld ms" : "timeout: no data for %lld ms", ms);
    if (st->is_turn && st->deadline_at > 0) { /* the turn's deadline comes first */
        long long left = st->deadline_at - now_ms();
        if (left < 0) left = 0;
        if (left < ms) {
            ms = left;
            snprintf(st->timeout_error, sizeof(st->timeout_error),
                     "timeout: the turn's deadline passed");
        }
    }
    uv_timer_start(&st->base.timer, on_watchdog, (uint64_t)ms, 0);
}

/* The provider's error message from an error body (OpenAI/DeepSeek {"error":{"message"}},
 * Anthropic {"type":"error","error":{"message"}}), else the status line. */
static void http_error(const edge_curl_response *r, char *out, size_t cap)
{
    json_error_t jerr;
    json_t *root = json_loadb(r->body, r->body_len, 0, &jerr);
    const char *msg = json_string_value(json_object_get(json_object_get(root, "error"), "message"));
    snprintf(out, cap, "HTTP %ld: %.200s", r->status, msg ? msg : "no error message");
    json_decref(root);
}

static void on_http_done(const edge_curl_response *r, void *ud)
{
    call_state *st = ud;
    char err[300];
    st->req = NULL;
    st->http_end_ns = uv_hrtime();
    uv_timer_stop(&st->base.timer);
    if (st->parse_failed) {
        if (st->parse.error == EDGE_LLM_ERR_PROVIDER)
            snprintf(err, sizeof(err), "provider error in stream: %s", st->parse.error_message);
        else
            snprintf(err, sizeof(err), "malformed stream: %s",
                     st->parse.error_message[0] ? st->parse.error_message
                     : st->sse.errstr[0]        ? st->sse.errstr
                                                : "an event could not be read");
        fail(st, err, 0, 0);
        return;
    }
    if (!r->ok && r->status == 0) {
        snprintf(err, sizeof(err), "connection: %s", r->error ? r->error : "failed");
        fail(st, err, 0, (unsigned)r->retry_after * 1000u);
        return;
    }
    if (r->status < 200 || r->status >= 300) {
        int transient =
            r->status == 408 || r->status == 409 || r->status == 429 || r->status >= 500;
        http_error(r, err, sizeof(err));
        fail(st, err, !transient, (unsigned)r->retry_after * 1000u);
        return;
    }
    flush_delta(st);
    if (st->len == 0 && st->is_turn && st->parse.done) {
        record(st, 1); /* an empty turn is recorded: a strike, the SQL decides */
        return;
    }
    if (st->len == 0) {
        fail(st,
             st->parse.done ? "the model returned an empty reply"
                            : "the stream ended before any token",
             0, 0);
        return;
    }
    /* a stream cut short keeps what arrived, with its usage estimated (the row says so) */
    record(st, !st->parse.done || !r->ok);
}

static void start_http(call_state *st)
{
    const edge_config *cfg = lw.ctx->cfg;
    json_t *provider = json_object_get(st->begin, "provider");
    const char *url = json_string_value(json_object_get(st->begin, "url"));
    const char *enc = json_string_value(json_object_get(provider, "api_key_enc"));
    char *key = NULL, *body = NULL;
    size_t keylen = 0;
    char err[160], auth[1200];
    const char *headers[6];
    int h = 0;
    edge_curl_request req;

    st->called = 1;
    if (!url) {
        fail(st, "the provider has no endpoint URL", 1, 0);
        return;
    }
    if (enc && enc[0]) {
        if (edge_fernet_decrypt(lw.ctx->fernet, enc, strlen(enc), 0, (long long)time(NULL), &key,
                                &keylen, err, sizeof(err)) != EDGE_OK) {
            char msg[256];
            snprintf(msg, sizeof(msg),
                     "the provider's API key cannot be decrypted with SECRETS_KEY (%s)", err);
            fail(st, msg, 1, 0);
            return;
        }
    }
    body = json_dumps(json_object_get(st->begin, "request"), JSON_COMPACT);
    if (!body || (key && keylen > 1000)) {
        free(body);
        if (key) memset(key, 0, keylen);
        free(key);
        fail(st, body ? "the API key is too long" : "out of memory", 1, 0);
        return;
    }
    st->prompt_bytes = strlen(body);
    headers[h++] = "Content-Type: application/json";
    headers[h++] = "Accept: text/event-stream";
    if (st->anthropic) {
        headers[h++] = "anthropic-version: 2023-06-01";
        if (key) snprintf(auth, sizeof(auth), "x-api-key: %s", key);
    } else if (key) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
    }
    if (key) headers[h++] = auth;
    headers[h++] = "Expect:";
    headers[h] = NULL;
    edge_sse_init(&st->sse, MAX_EVENT_BYTES);
    st->sse_open = 1;
    edge_llm_stream_init(&st->parse, st->anthropic);
    memset(&req, 0, sizeof(req));
    req.method = "POST";
    req.url = url;
    req.headers = headers;
    req.body = body;
    req.body_len = strlen(body);
    req.timeout_ms =
        st->is_turn && st->deadline_at > 0
            ? (long)edge_turn_timeout_ms(cfg->llm_total_timeout_ms, st->deadline_at - now_ms())
            : cfg->llm_total_timeout_ms;
    req.connect_timeout_ms = cfg->llm_connect_timeout_ms;
    req.max_response_bytes = 1024 * 1024;
    req.on_data = on_data;
    req.data_ud = st;
    st->http_start_ns = uv_hrtime();
    st->req = edge_curl_start(lw.curl, &req, on_http_done, st);
    memset(auth, 0, sizeof(auth));
    if (key) memset(key, 0, keylen);
    free(key);
    free(body);
    if (!st->req) {
        fail(st, "could not start the HTTP request", 0, 0);
        return;
    }
    arm_watchdog(st);
}

/* ---- the job ---- */

static void on_begin(const edge_pg_result *r, void *ud)
{
    call_state *st = ud;
    const char *type;
    json_t *payload, *provider;
    if (!(st->begin = edge_jobstate_begun(&st->base, r))) return;
    st->attempts = (int)json_integer_value(json_object_get(st->begin, "attempts"));
    payload = json_object_get(st->begin, "payload");
    provider = json_object_get(st->begin, "provider");
    st->chat_id = json_integer_value(json_object_get(payload, "chat_id"));
    st->draft_id = json_object_get(payload, "draft_id");
    st->in_reply_to = json_object_get(payload, "message_pk");
    st->provider_id = json_integer_value(json_object_get(provider, "id"));
    st->provider_name = json_string_value(json_object_get(provider, "name"));
    st->model = json_string_value(json_object_get(provider, "model_id"));
    type = json_string_value(json_object_get(provider, "type"));
    st->demo = type && strcmp(type, "demo") == 0;
    st->anthropic = type && strcmp(type, "anthropic") == 0;
    st->started_ms = now_ms();
    st->began_ns = uv_hrtime();
    if (strcmp(st->base.job->kind, "llm.turn") == 0) {
        json_t *session = json_object_get(st->begin, "session");
        const char *sstate = json_string_value(json_object_get(session, "state"));
        if (!json_is_object(session) || (sstate && strcmp(sstate, "done") == 0)) {
            finish(st); /* not the session's current turn any more: nothing to do */
            return;
        }
        json_t *deadline = json_object_get(session, "deadline_ms");
        st->is_turn = 1;
        st->session_id = json_integer_value(json_object_get(session, "id"));
        st->turn = json_integer_value(json_object_get(session, "turn"));
        st->speaker = json_string_value(json_object_get(session, "speaker"));
        if (json_is_number(deadline)) {
            long long left = (long long)json_number_value(deadline);
            st->deadline_at = st->started_ms + (left > 0 ? left : 0);
            if (st->deadline_at == 0) st->deadline_at = 1;
        }
        if (edge_turn_stopped_has(&lw.stopped, st->session_id)) {
            finish(st); /* stopped while rt.job_begin ran */
            return;
        }
        if (turn_deadline_passed(st)) {
            turn_deadline(st);
            return;
        }
    }
    st->telegram_live = (strcmp(st->base.job->kind, "llm.reply") == 0 || st->is_turn) &&
                        st->chat_id != 0 && lw.ctx->cfg->tg_token[0] != '\0';
    st->draft_in_tg = st->telegram_live && st->chat_id > 0 &&
                      json_is_true(json_object_get(st->begin, "streaming"));
    st->edit_in_tg = st->telegram_live && st->chat_id < 0 &&
                     json_is_true(json_object_get(st->begin, "streaming"));
    st->last_typing_ms = -TYPING_EVERY_MS;
    st->last_draft_ms = -DRAFT_EVERY_MS;
    flush_delta(st); /* "typing" at once */
    if (st->demo)
        start_demo(st);
    else
        start_http(st);
}

static void run(edge_job *job, void *ud)
{
    (void)ud;
    if (strcmp(job->kind, "llm.reply") != 0 && strcmp(job->kind, "llm.draft") != 0 &&
        strcmp(job->kind, "llm.turn") != 0) {
        EDGE_ERROR("llm: unknown job kind acknowledged", "kind", job->kind);
        edge_jobs_finish(job);
        return;
    }
    edge_jobstate_begin(&lw.states, sizeof(call_state), job, lw.ctx->loop, release, lw.ctx->pg_work,
                        on_begin);
}

/* ---- stop and reap (round-table sessions) ---- */

/* A cancelled turn leaves: the streamed group message deleted (once Telegram said which it is),
 * the job acknowledged (the SQL that stopped the session finished it already). */
static void settle_cancelled(call_state *st)
{
    if (st->tg_req && !st->tg_message_id) return; /* on_group_stream comes back here */
    if (st->tg_req) edge_curl_cancel(st->tg_req);
    st->tg_req = NULL;
    drop_group_message(st);
    finish(st);
}

static void cancel_turn(call_state *st)
{
    char id[24], sid[24];
    st->cancelled = 1;
    count_call(st, "cancelled");
    if (st->req) {
        edge_curl_cancel(st->req); /* the transfer ends now, not when the provider is done */
        st->req = NULL;
        st->http_end_ns = uv_hrtime();
    }
    uv_timer_stop(&st->base.timer); /* the watchdog, or the demo's pace */
    st->telegram_live = st->draft_in_tg = st->edit_in_tg = 0;
    EDGE_INFO("llm: turn cancelled, the session stopped", "job", edge_log_int(id, st->base.job->id),
              "session_id", edge_log_int(sid, st->session_id), "speaker",
              st->speaker ? st->speaker : "");
    send_done(st, 0, "the session was stopped");
    if (!st->base.pg_busy) settle_cancelled(st); /* else its SQL callback settles it */
}

void edge_llm_cancel_session(long long session_id)
{
    edge_jobstate *b, *next;
    if (!lw.running || session_id <= 0) return;
    edge_turn_stopped_add(&lw.stopped, session_id);
    for (b = lw.states.head; b; b = next) {
        call_state *st = (call_state *)b;
        next = b->next;
        if (b->job && st->is_turn && st->session_id == session_id && !st->cancelled)
            cancel_turn(st);
    }
}

static void on_reaped(const edge_pg_result *r, void *ud)
{
    (void)ud;
    lw.reaping = 0;
    if (!lw.running) return;
    if (strcmp(r->sqlstate, "00000") != 0) {
        /* said once per distinct error, not every 2 s */
        if (strcmp(lw.reap_error, r->errmsg) != 0)
            EDGE_WARN("llm: rt.session_reap failed", "sqlstate", r->sqlstate, "error", r->errmsg);
        snprintf(lw.reap_error, sizeof(lw.reap_error), "%s", r->errmsg);
        return;
    }
    lw.reap_error[0] = '\0';
    if (r->res && PQntuples(r->res) == 1 && !PQgetisnull(r->res, 0, 0) &&
        strcmp(PQgetvalue(r->res, 0, 0), "0") != 0)
        EDGE_INFO("llm: sessions reaped (turn or topic timed out)", "sessions",
                  PQgetvalue(r->res, 0, 0));
}

static void reap_now(void)
{
    if (!lw.running || lw.reaping) return; /* one call at a time */
    if (edge_pg_call(lw.ctx->pg_work, NULL, "SELECT rt.session_reap()", 0, NULL, on_reaped, NULL) ==
        EDGE_OK)
        lw.reaping = 1;
}

static void on_reap_timer(uv_timer_t *t)
{
    (void)t;
    reap_now();
}

int edge_llm_start(edge_ctx *ctx)
{
    memset(&lw, 0, sizeof(lw));
    lw.ctx = ctx;
    lw.curl = edge_curl_create(ctx->loop);
    if (!lw.curl) return EDGE_ERR;
    lw.jobs =
        edge_jobs_start(ctx, EDGE_KEY_LLM, EDGE_GROUP_LLM, ctx->cfg->llm_concurrency, run, NULL);
    if (!lw.jobs) return EDGE_ERR;
    lw.running = 1;
    if (uv_timer_init(ctx->loop, &lw.reaper) == 0) {
        lw.reaper_open = 1;
        uv_timer_start(&lw.reaper, on_reap_timer, REAP_EVERY_MS, REAP_EVERY_MS);
    }
    return EDGE_OK;
}

void edge_llm_stop(void)
{
    if (!lw.ctx) return;
    lw.running = 0;
    if (lw.reaper_open) {
        uv_timer_stop(&lw.reaper);
        uv_close((uv_handle_t *)&lw.reaper, NULL);
        lw.reaper_open = 0;
    }
    edge_jobstate_stop_all(&lw.states);
    edge_jobs_stop(lw.jobs);
    lw.jobs = NULL;
    edge_curl_destroy(lw.curl);
    lw.curl = NULL;
    lw.ctx = NULL;
}
