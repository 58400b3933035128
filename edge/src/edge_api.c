/* REST handlers. Each request: (session lookup in Redis) -> (CSRF) -> the handler its
 * edge_routes.c row names -> validation -> one SQL function via edge_pg_call with actor
 * "admin:<id>" -> response staged on the edge_req with the row's success status. Every async
 * callback first drops its reference and stops if the client is gone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include "edge_api.h"
#include "edge_apidocs.h"
#include "edge_keys.h"
#include "edge_config.h"
#include "edge_fernet.h"
#include "edge_http_int.h"
#include "edge_log.h"
#include "edge_metrics.h"
#include "edge_pg.h"
#include "edge_problem.h"
#include "edge_provtest.h"
#include "edge_redis.h"
#include "edge_routes.h"
#include "edge_sim.h"
#include "edge_ws.h"

#define SESSION_KEY_PREFIX EDGE_KEY_SESSION_PREFIX

int edge_api_method_changes_state(const char *m)
{
    return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0 ||
           strcmp(m, "DELETE") == 0;
}

static const edge_config *cfg_of(edge_req *r)
{
    return r->http->ctx->cfg;
}

static const edge_api_route *row_of(edge_req *r)
{
    return r->route.api;
}

static void internal_error(edge_req *r, const char *what, const char *detail)
{
    EDGE_ERROR("request failed", "route", r->route.name, "what", what, "error",
               detail ? detail : "");
    edge_req_problem(r, 500, "internal server error", NULL);
}

/* Error of an API call: client errors carry the server's message, server errors are logged
 * and hidden. */
static void sql_error(edge_req *r, const edge_pg_result *res);

void edge_api_sql_error(edge_req *r, const edge_pg_result *res)
{
    sql_error(r, res);
}

static void sql_error(edge_req *r, const edge_pg_result *res)
{
    int status = edge_sqlstate_to_status(res->sqlstate);
    if (strcmp(res->sqlstate, "28000") == 0 && r->has_session) {
        /* the admin's password, role or access changed since this session began and no edge
         * acted on it (all were down): end it, and the admin's other sessions as old */
        edge_auth_session_stale(r->http->ctx, r->session.admin_id, r->session.epoch);
        edge_ws_close_session(r->http, r->token);
        if (edge_apidocs_login_redirect(r)) return; /* a browser on /api/docs: to the login */
        edge_req_problem(
            r, 401, "session ended: the admin's password, role or access changed; log in again",
            NULL);
        return;
    }
    if (status == 503) {
        EDGE_WARN("database unavailable", "route", r->route.name, "sqlstate", res->sqlstate,
                  "error", res->errmsg);
        edge_req_add_header(r, "retry-after:", "2");
        edge_req_problem(r, 503, "the database is unavailable; try again shortly", NULL);
        return;
    }
    if (status >= 500) {
        EDGE_ERROR("sql error", "route", r->route.name, "sqlstate", res->sqlstate, "error",
                   res->errmsg);
        edge_req_problem(r, 500, "internal server error", NULL);
        return;
    }
    edge_req_problem(r, status, res->errmsg, res->field[0] ? res->field : NULL);
}

/* The single jsonb value of a successful call, or NULL (then a 500 was staged). */
static const char *sql_value(edge_req *r, const edge_pg_result *res, size_t *len)
{
    if (!res->res || PQntuples(res->res) != 1 || PQnfields(res->res) < 1 ||
        PQgetisnull(res->res, 0, 0)) {
        internal_error(r, "sql result", "expected one non-null value");
        return NULL;
    }
    *len = (size_t)PQgetlength(res->res, 0, 0);
    return PQgetvalue(res->res, 0, 0);
}

static int call_sql(edge_req *r, const char *sql, int n, const char *const *params, edge_pg_cb cb)
{
    const char *actor = r->has_session ? r->actor : NULL;
    int rc;
    edge_req_hold(r);
    if ((rc = edge_pg_call(r->http->ctx->pg, actor, sql, n, params, cb, r)) != EDGE_OK) {
        edge_req_release(r);
        if (rc == EDGE_PG_FULL) { /* bounded queue: refuse at once rather than stall */
            edge_req_add_header(r, "retry-after:", "1");
            edge_req_problem(r, 503, "too many requests are waiting for the database", NULL);
        } else {
            internal_error(r, "edge_pg_call", "queue refused the call");
        }
        return -1;
    }
    return 0;
}

static int call_redis(edge_req *r, edge_redis_cb cb, int argc, const char **argv,
                      const size_t *argvlen)
{
    if (cb) edge_req_hold(r);
    if (edge_redis_cmd(r->http->ctx->redis, cb, cb ? r : NULL, argc, argv, argvlen) != EDGE_OK) {
        if (cb) edge_req_release(r);
        internal_error(r, "redis", "not connected");
        return -1;
    }
    return 0;
}

/* Passes a jsonb result through as the response body, with the row's status. */
static void passthrough_cb(const edge_pg_result *res, void *ud)
{
    edge_req *r = ud;
    size_t len;
    const char *v;
    if (!edge_req_release(r)) return;
    if (strcmp(res->sqlstate, "00000") != 0) {
        sql_error(r, res);
        return;
    }
    if ((v = sql_value(r, res, &len))) edge_req_respond_json(r, row_of(r)->ok_status, v, len);
}

/* The JSON body, validated against the row's schema; NULL when a problem was staged. */
static json_t *request_body(edge_req *r)
{
    const edge_json_field *schema = row_of(r)->body;
    edge_verr e = {0};
    json_t *body;
    if (!edge_content_type_is_json(r->content_type)) {
        edge_req_problem(r, 415, "Content-Type must be application/json", NULL);
        return NULL;
    }
    body = edge_json_parse_body(r->body ? r->body : "", r->body_len, &e);
    if (body && edge_json_validate(body, schema, &e) < 0) {
        json_decref(body);
        body = NULL;
    }
    if (!body) edge_req_problem(r, e.status ? e.status : 400, e.detail, e.field);
    return body;
}

/* ---- login ---- */

static void login_set_cb(redisReply *reply, void *ud)
{
    edge_req *r = ud;
    char cookie[256];
    if (!edge_req_release(r)) return;
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
        internal_error(r, "redis SET session", reply ? reply->str : "no connection");
        return;
    }
    json_t *o =
        json_pack("{s:{s:I,s:s,s:s},s:s}", "admin", "id", (json_int_t)r->session.admin_id, "login",
                  r->session.login, "role", r->session.role, "csrf_token", r->session.csrf_token);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s) {
        internal_error(r, "json", "out of memory");
        return;
    }
    edge_cookie_set(cookie, sizeof(cookie), r->token, cfg_of(r)->cookie_secure);
    edge_req_add_header(r, "set-cookie:", cookie);
    edge_req_respond_json(r, row_of(r)->ok_status, s, strlen(s));
    free(s);
}

/* Ends a counted attempt (once): frees its in-flight place and settles its count in Redis. */
static void login_end(edge_req *r, edge_login_outcome outcome)
{
    char akey[128];
    if (!r->login_counted) return;
    r->login_counted = 0;
    edge_limiter_leave(r->http->login_limiter);
    if (edge_limiter_addr_key(r->login_addr, akey, sizeof(akey)) == 0)
        edge_limiter_settle(r->http->ctx->redis, r->login_account, akey, outcome);
}

static void login_sql_cb(const edge_pg_result *res, void *ud)
{
    edge_req *r = ud;
    size_t len;
    const char *v;
    json_error_t je;
    json_int_t id = 0, epoch = 0;
    const char *login = NULL, *role = NULL;
    /* before the release, which may free r: the attempt is settled whether or not anyone waits */
    login_end(r, strcmp(res->sqlstate, "00000") == 0   ? EDGE_LOGIN_OK
                 : strcmp(res->sqlstate, "28P01") == 0 ? EDGE_LOGIN_WRONG
                                                       : EDGE_LOGIN_NONE);
    if (!edge_req_release(r)) return;
    if (strcmp(res->sqlstate, "28P01") == 0) {
        edge_req_problem(r, 401, "invalid login or password", NULL);
        return;
    }
    if (strcmp(res->sqlstate, "00000") != 0) {
        sql_error(r, res);
        return;
    }
    if (!(v = sql_value(r, res, &len))) return;
    json_t *a = json_loadb(v, len, 0, &je);
    /* session_epoch: the admin's credentials epoch (0.4.0); an older extension has none (0) */
    if (!a ||
        json_unpack(a, "{s:I,s:s,s:s,s?I}", "id", &id, "login", &login, "role", &role,
                    "session_epoch", &epoch) != 0 ||
        strlen(login) >= sizeof(r->session.login) || strlen(role) >= sizeof(r->session.role) ||
        epoch < 0) {
        json_decref(a);
        internal_error(r, "admin_login result", "unexpected shape");
        return;
    }
    memset(&r->session, 0, sizeof(r->session));
    r->session.admin_id = id;
    r->session.epoch = epoch;
    strcpy(r->session.login, login);
    strcpy(r->session.role, role);
    r->session.created_at = (long long)time(NULL);
    json_decref(a);
    if (edge_token_new(r->token) < 0 || edge_token_new(r->session.csrf_token) < 0) {
        internal_error(r, "RAND_bytes", "no randomness");
        return;
    }
    r->has_session = 1; /* for the request log line */
    /* the session and its entry in the admin's index, so every session can end at once */
    edge_req_hold(r);
    if (edge_auth_session_save(r->http->ctx->redis, r->token, &r->session,
                               cfg_of(r)->session_ttl_sec, login_set_cb, r) != EDGE_OK) {
        edge_req_release(r);
        internal_error(r, "redis", "not connected");
    }
}

/* Fail closed: without Redis no attempt can be counted, so none is checked. */
static void login_unavailable(edge_req *r)
{
    EDGE_WARN("login refused: the attempt limiter (redis) is unavailable", "ip", r->login_addr);
    edge_req_add_header(r, "retry-after:", "2");
    edge_req_problem(r, 503, "login is unavailable: attempts cannot be counted; try again shortly",
                     NULL);
}

/* The limiter's answer: 0 counted (check the password), else seconds to wait. */
static void login_counted_cb(redisReply *reply, void *ud)
{
    edge_req *r = ud;
    char wait_s[24];
    edge_limiter *l = r->http->login_limiter; /* the server's: outlives r */
    long long wait = reply && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
    if (wait != 0) edge_limiter_leave(l);
    if (!edge_req_release(r)) {
        /* the client left (r may be freed): the attempt stays counted, the safe side */
        if (wait == 0) edge_limiter_leave(l);
        return;
    }
    if (wait == 0) r->login_counted = 1; /* holds its in-flight place until login_end */
    if (wait < 0) {
        if (reply && reply->type == REDIS_REPLY_ERROR)
            EDGE_ERROR("login limiter script failed", "error", reply->str);
        login_unavailable(r);
        return;
    }
    if (wait > 0) {
        EDGE_WARN("login refused: too many attempts", "ip", r->login_addr);
        snprintf(wait_s, sizeof(wait_s), "%lld", wait);
        edge_req_add_header(r, "retry-after:", wait_s);
        edge_req_problem(r, 429, "too many login attempts; retry later", NULL);
        return;
    }
    json_t *body = request_body(r); /* validated once already: the login and the password */
    if (!body) {
        login_end(r, EDGE_LOGIN_NONE);
        return;
    }
    const char *params[] = {json_string_value(json_object_get(body, "login")),
                            json_string_value(json_object_get(body, "password"))};
    if (call_sql(r, row_of(r)->sql, 2, params, login_sql_cb) < 0) login_end(r, EDGE_LOGIN_NONE);
    json_decref(body); /* params were copied by edge_pg_call */
}

/* The attempt is counted (per account and per client address, in Redis for every edge) before
 * the password is checked, so concurrent guesses cannot all pass a check that only failures
 * would have tripped; at most RT's in-flight cap of logins are checked at once on this edge. */
static void handle_login(edge_req *r)
{
    char akey[128];
    json_t *body = request_body(r);
    if (!body) return;
    edge_client_addr(r->ip, r->xff, cfg_of(r)->trusted_proxies, r->login_addr,
                     sizeof(r->login_addr));
    const char *login = json_string_value(json_object_get(body, "login"));
    int keys_ok =
        edge_limiter_account_key(login, r->login_account, sizeof(r->login_account)) == 0 &&
        edge_limiter_addr_key(r->login_addr, akey, sizeof(akey)) == 0;
    json_decref(body);
    if (!keys_ok) {
        internal_error(r, "login limiter", "key does not fit");
        return;
    }
    if (edge_limiter_enter(r->http->login_limiter) < 0) {
        EDGE_WARN("login refused: too many logins in flight", "ip", r->login_addr);
        edge_req_add_header(r,
                            "retry-after:", "1"); /* the checks in progress end within a second */
        edge_req_problem(r, 429, "too many login attempts; retry later", NULL);
        return;
    }
    edge_req_hold(r);
    if (edge_limiter_count(r->http->login_limiter, r->http->ctx->redis, r->login_account, akey,
                           login_counted_cb, r) != EDGE_OK) {
        edge_req_release(r);
        edge_limiter_leave(r->http->login_limiter);
        login_unavailable(r);
    }
}

/* ---- logout ---- */

static void logout_cb(redisReply *reply, void *ud)
{
    edge_req *r = ud;
    char cookie[256];
    if (!edge_req_release(r)) return;
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
        internal_error(r, "redis DEL session", reply ? reply->str : "no connection");
        return;
    }
    edge_ws_close_session(r->http, r->token);
    edge_cookie_clear(cookie, sizeof(cookie), cfg_of(r)->cookie_secure);
    edge_req_add_header(r, "set-cookie:", cookie);
    edge_req_respond(r, row_of(r)->ok_status, NULL, NULL, 0);
}

static void handle_logout(edge_req *r)
{
    char key[sizeof(SESSION_KEY_PREFIX) + EDGE_TOKEN_HEX];
    snprintf(key, sizeof(key), SESSION_KEY_PREFIX "%s", r->token);
    const char *argv[] = {"DEL", key};
    size_t argvlen[] = {3, strlen(key)};
    call_redis(r, logout_cb, 2, argv, argvlen);
}

/* ---- me ---- */

static void me_cb(const edge_pg_result *res, void *ud)
{
    edge_req *r = ud;
    size_t len;
    const char *v;
    json_error_t je;
    if (!edge_req_release(r)) return;
    if (strcmp(res->sqlstate, "P0002") == 0) {
        edge_req_problem(r, 401, "the session's admin no longer exists", NULL);
        return;
    }
    if (strcmp(res->sqlstate, "00000") != 0) {
        sql_error(r, res);
        return;
    }
    if (!(v = sql_value(r, res, &len))) return;
    json_t *admin = json_loadb(v, len, 0, &je);
    json_t *o =
        admin ? json_pack("{s:o,s:s}", "admin", admin, "csrf_token", r->session.csrf_token) : NULL;
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!s) {
        internal_error(r, "admin_get result", "not JSON");
        return;
    }
    edge_req_respond_json(r, row_of(r)->ok_status, s, strlen(s));
    free(s);
}

static void handle_me(edge_req *r)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", r->session.admin_id);
    const char *params[] = {id};
    call_sql(r, row_of(r)->sql, 1, params, me_cb);
}

/* ---- chats, messages ---- */

static void handle_messages(edge_req *r)
{
    edge_verr e = {0};
    if (r->query_err) {
        edge_req_problem(r, 400, r->query_verr.detail, r->query_verr.field);
        return;
    }
    json_t *f = edge_messages_filter(&r->query, &e);
    if (!f) {
        edge_req_problem(r, e.status, e.detail, e.field);
        return;
    }
    char *s = json_dumps(f, JSON_COMPACT);
    json_decref(f);
    if (!s) {
        internal_error(r, "json", "out of memory");
        return;
    }
    const char *params[] = {s};
    call_sql(r, row_of(r)->sql, 1, params, passthrough_cb);
    free(s);
}

/* ---- the simulator (edge_sim.c) ---- */

static void handle_simulate(edge_req *r)
{
    if (cfg_of(r)->tg_token[0]) {
        edge_req_problem(r, 409, "a Telegram bot token is configured; the simulator is off", NULL);
        return;
    }
    json_t *body = request_body(r);
    if (!body) return;
    edge_sim_handle(r, body);
    json_decref(body);
}

/* ---- the Telegram webhook ---- */

static void webhook_stored_cb(redisReply *reply, void *ud)
{
    edge_req *r = ud;
    if (!edge_req_release(r)) return;
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
        /* not durable: a non-2xx makes Telegram deliver the update again */
        EDGE_WARN("telegram webhook: storing the update failed", "error",
                  reply ? reply->str : "redis down");
        edge_req_add_header(r, "retry-after:", "1");
        edge_req_problem(r, 503, "the update could not be stored; deliver it again", NULL);
        return;
    }
    edge_req_respond_json(r, 200, "{}", 2);
}

/* 200 only once the Update is in {rt}:in, which Redis fsyncs before answering (decision 002). */
static void handle_tg_webhook(edge_req *r)
{
    const char *secret = cfg_of(r)->tg_webhook_secret;
    size_t slen = strlen(secret), glen = strlen(r->tg_secret);
    edge_verr e = {0};
    json_t *u;
    if (!secret[0]) {
        edge_req_problem(r, 404, "webhook mode is off (TELEGRAM_WEBHOOK_SECRET is not set)", NULL);
        return;
    }
    if (glen != slen || CRYPTO_memcmp(r->tg_secret, secret, slen) != 0) {
        EDGE_WARN("telegram webhook: wrong secret token", "ip", r->ip);
        edge_req_problem(r, 403, "missing or wrong X-Telegram-Bot-Api-Secret-Token", NULL);
        return;
    }
    if (!edge_content_type_is_json(r->content_type)) {
        edge_req_problem(r, 415, "Content-Type must be application/json", NULL);
        return;
    }
    u = edge_json_parse_body(r->body ? r->body : "", r->body_len, &e);
    if (!u) {
        edge_req_problem(r, e.status ? e.status : 400, e.detail, e.field[0] ? e.field : NULL);
        return;
    }
    if (!json_is_object(u) || !json_is_integer(json_object_get(u, "update_id")) ||
        json_integer_value(json_object_get(u, "update_id")) < 0) {
        json_decref(u);
        edge_req_problem(r, 400, "field \"update_id\" must be a non-negative integer", "update_id");
        return;
    }
    char *text = json_dumps(u, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(u);
    if (!text) {
        internal_error(r, "webhook", "out of memory");
        return;
    }
    const char *argv[] = {"XADD", EDGE_KEY_IN, "*", "u", text};
    call_redis(r, webhook_stored_cb, 5, argv, NULL);
    free(text);
}

/* ---- one SQL call with parameters from the row's args ---- */

#define VOID_OID 2278 /* pg_type oid of "void" */

static void sql_row_cb(const edge_pg_result *res, void *ud)
{
    edge_req *r = ud;
    const edge_api_route *rt = row_of(r);
    size_t len;
    const char *v;
    if (!edge_req_release(r)) return;
    if (strcmp(res->sqlstate, "00000") != 0) {
        sql_error(r, res);
        return;
    }
    /* A function returning void answers 204 whatever the table says: there is no body. */
    if (rt->ok_status == 204 ||
        (res->res && PQnfields(res->res) == 1 && PQftype(res->res, 0) == VOID_OID)) {
        edge_req_respond(r, 204, NULL, NULL, 0);
        return;
    }
    if (!(v = sql_value(r, res, &len))) return;
    if (rt->flags & EDGE_RT_ATTACHMENT)
        edge_req_add_header(r, "content-disposition:", "attachment; filename=\"presets.json\"");
    edge_req_respond_json(r, rt->ok_status, v, len);
}

/* Replaces the body's "api_key" by its Fernet token and a display hint, so PostgreSQL never
 * sees a plain key ("api_key": null asks SQL to clear the key). 0, or -1 with a problem staged. */
static int seal_api_key(edge_req *r, edge_route_args *args)
{
    const edge_api_route *rt = row_of(r);
    json_error_t jerr;
    json_t *body, *key;
    int i;
    for (i = 0; i < args->n && rt->args[i] != EDGE_ARG_BODY; i++) {
    }
    if (i == args->n) return 0;
    body = json_loads(args->v[i], 0, &jerr);
    /* only the edge may speak for the ledger: a client-made token would be stored unsealed */
    static const char *const sealed_fields[] = {"api_key_enc", "api_key_hint", "clear_key", NULL};
    for (const char *const *f = sealed_fields; json_is_object(body) && *f; f++) {
        if (json_object_get(body, *f)) {
            char detail[128];
            snprintf(detail, sizeof(detail),
                     "field \"%s\" is not accepted; send the key as \"api_key\"", *f);
            json_decref(body);
            edge_req_problem(r, 400, detail, *f);
            return -1;
        }
    }
    if (!json_is_object(body) || !(key = json_object_get(body, "api_key"))) {
        json_decref(body);
        return 0;
    }
    if (json_is_null(key)) {
        json_object_del(body, "api_key");
        json_object_set_new(body, "clear_key", json_true());
    } else if (!json_is_string(key) || json_string_length(key) < 1 ||
               json_string_length(key) > 1000) {
        json_decref(body);
        edge_req_problem(r, 400,
                         "field \"api_key\" must be a string of 1 to 1000 characters or null",
                         "api_key");
        return -1;
    } else {
        char hint[32];
        char *token = edge_fernet_encrypt(r->http->ctx->fernet, json_string_value(key),
                                          json_string_length(key), (long long)time(NULL), NULL);
        if (!token) {
            json_decref(body);
            internal_error(r, "fernet", "could not encrypt the API key");
            return -1;
        }
        edge_fernet_hint(json_string_value(key), hint, sizeof(hint));
        json_object_del(body, "api_key");
        json_object_set_new(body, "api_key_enc", json_string(token));
        json_object_set_new(body, "api_key_hint", json_string(hint));
        free(token);
    }
    /* 15 significant digits: a price of 0.15 stays 0.15, not 0.14999999999999999 */
    char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(body);
    if (!text) {
        internal_error(r, "seal", "out of memory");
        return -1;
    }
    memset(args->v[i], 0, strlen(args->v[i])); /* the plain key leaves memory */
    free(args->v[i]);
    args->v[i] = text;
    return 0;
}

int edge_api_route_args(edge_req *r, edge_route_args *args)
{
    edge_verr e = {0};
    if (r->query_err) {
        edge_req_problem(r, 400, r->query_verr.detail,
                         r->query_verr.field[0] ? r->query_verr.field : NULL);
        return -1;
    }
    if (edge_route_build_args(row_of(r), r->route.param, &r->query, r->content_type, r->body,
                              r->body_len, args, &e) < 0) {
        edge_req_problem(r, e.status ? e.status : 400, e.detail, e.field[0] ? e.field : NULL);
        return -1;
    }
    return 0;
}

static void handle_sql(edge_req *r)
{
    edge_route_args args;
    if (edge_api_route_args(r, &args) < 0) return;
    if ((row_of(r)->flags & EDGE_RT_SEAL_KEY) && seal_api_key(r, &args) < 0) {
        edge_route_args_free(&args);
        return;
    }
    call_sql(r, row_of(r)->sql, args.n, (const char *const *)args.v, sql_row_cb);
    edge_route_args_free(&args); /* edge_pg_call copied them */
}

/* ---- probes ---- */

void edge_api_readyz(edge_req *r)
{
    edge_ctx *c = r->http->ctx;
    int pg = edge_pg_ready(c->pg) && edge_pg_ready(c->pg_ingest) && edge_pg_ready(c->pg_work) &&
             edge_pg_ready(c->pg_send),
        redis = edge_redis_ready(c->redis);
    char body[96];
    int n =
        snprintf(body, sizeof(body), "{\"status\":\"%s\",\"postgres\":\"%s\",\"redis\":\"%s\"}",
                 pg && redis ? "ready" : "unavailable", pg ? "ok" : "down", redis ? "ok" : "down");
    edge_req_respond_json(r, pg && redis ? 200 : 503, body, (size_t)n);
}

/* ---- dispatch ---- */

/* The handler the row names. No default: -Wswitch flags a kind added without its handler. */
static void dispatch(edge_req *r)
{
    if (r->route.id == EDGE_ROUTE_METRICS) { /* the one non-/api route with a session */
        edge_metrics_session(r);
        return;
    }
    switch (row_of(r)->handler) {
    case EDGE_HANDLER_SQL:
        handle_sql(r);
        return;
    case EDGE_HANDLER_LOGIN:
        handle_login(r);
        return;
    case EDGE_HANDLER_LOGOUT:
        handle_logout(r);
        return;
    case EDGE_HANDLER_ME:
        handle_me(r);
        return;
    case EDGE_HANDLER_LIST_MESSAGES:
        handle_messages(r);
        return;
    case EDGE_HANDLER_SIMULATE:
        handle_simulate(r);
        return;
    case EDGE_HANDLER_TG_WEBHOOK:
        handle_tg_webhook(r);
        return;
    case EDGE_HANDLER_PROVIDER_TEST:
        edge_provtest_handle(r);
        return;
    case EDGE_HANDLER_API_SPEC:
        edge_apidocs_handle_spec(r);
        return;
    case EDGE_HANDLER_API_DOCS:
        edge_apidocs_handle_docs(r);
        return;
    case EDGE_HANDLER_COUNT:
        break;
    }
    internal_error(r, "dispatch", "route without a handler");
}

/* No valid session: 401, or for a browser on /api/docs the console's login (edge_apidocs). */
static void no_session(edge_req *r)
{
    if (!edge_apidocs_login_redirect(r)) edge_req_problem(r, 401, "no valid session; log in", NULL);
}

static void session_cb(redisReply *reply, void *ud)
{
    edge_req *r = ud;
    if (!edge_req_release(r)) return;
    if (!reply) {
        internal_error(r, "redis GET session", "no connection");
        return;
    }
    if (reply->type != REDIS_REPLY_STRING ||
        edge_session_from_json(reply->str, reply->len, &r->session) < 0) {
        no_session(r);
        return;
    }
    r->has_session = 1;
    /* the epoch rides along: the database refuses a session older than the admin's */
    if (edge_auth_actor(r->session.admin_id, r->session.epoch, r->actor, sizeof(r->actor)) < 0) {
        no_session(r);
        return;
    }
    /* The session slides when the answer is a success (edge_req_respond), never before. */

    if ((r->route.flags & EDGE_ROUTE_F_CSRF) || edge_api_method_changes_state(r->method)) {
        if (!r->csrf_header[0] || !edge_ct_equal(r->csrf_header, r->session.csrf_token)) {
            edge_req_problem(r, 403, "missing or wrong X-CSRF-Token header", NULL);
            return;
        }
    }
    dispatch(r);
}

void edge_api_begin(edge_req *r)
{
    if (r->route.status) {
        if (r->route.status == 405) {
            edge_req_add_header(r, "allow:", r->route.allow);
            edge_req_problem(r, 405, "method not allowed", NULL);
        } else {
            edge_req_problem(r, r->route.status, "no such route", NULL);
        }
        return;
    }
    switch (r->route.id) {
    case EDGE_ROUTE_HEALTHZ:
        edge_req_respond_json(r, 200, "{\"status\":\"ok\"}", 15);
        return;
    case EDGE_ROUTE_READYZ:
        edge_api_readyz(r);
        return;
    case EDGE_ROUTE_WS:
        edge_req_problem(r, 400, "this endpoint only accepts WebSocket upgrades", NULL);
        return;
    case EDGE_ROUTE_METRICS:
        if (edge_metrics_authorize(r)) return; /* a bearer token decided; else the session */
        break;
    case EDGE_ROUTE_API:
        break;
    default:
        edge_req_problem(r, 404, "no such route", NULL);
        return;
    }
    if (r->body_too_large) {
        edge_req_problem(r, 413, "request body is larger than the server accepts", NULL);
        return;
    }
    if (!(r->route.flags & EDGE_ROUTE_F_SESSION)) {
        dispatch(r);
        return;
    }
    if (!r->token[0]) {
        no_session(r);
        return;
    }
    char key[sizeof(SESSION_KEY_PREFIX) + EDGE_TOKEN_HEX];
    snprintf(key, sizeof(key), SESSION_KEY_PREFIX "%s", r->token);
    const char *argv[] = {"GET", key};
    size_t argvlen[] = {3, strlen(key)};
    call_redis(r, session_cb, 2, argv, argvlen);
}
