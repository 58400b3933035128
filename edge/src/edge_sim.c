/* POST /api/simulator/messages (row simulateMessage of edge_routes.c): the row's sql checks the
 * admin role and takes a fresh update id from the database (rt.sim_next_id), then XADD {rt}:in * u
 * <Update> -- the same door real Telegram updates use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "edge_http_int.h"
#include "edge_keys.h"
#include "edge_log.h"
#include "edge_pg.h"
#include "edge_problem.h"
#include "edge_redis.h"
#include "edge_routes.h"
#include "edge_sim.h"

json_t *edge_sim_build_update(json_t *body, long long update_id, time_t now)
{
    json_int_t chat_id = json_integer_value(json_object_get(body, "chat_id"));
    json_t *juser = json_object_get(body, "user_id");
    const char *title = json_string_value(json_object_get(body, "chat_title"));
    const char *first = json_string_value(json_object_get(body, "first_name"));
    const char *uname = json_string_value(json_object_get(body, "username"));
    const char *text = json_string_value(json_object_get(body, "text"));
    json_int_t user_id = juser ? json_integer_value(juser) : (chat_id > 0 ? chat_id : 100000001);
    long long message_id = update_id >= EDGE_SIM_FIRST_UPDATE_ID
                               ? update_id - EDGE_SIM_FIRST_UPDATE_ID + 1
                               : update_id;
    if (!first || !*first) first = "Simulated";

    json_t *chat = json_object(), *from = json_object(), *msg = json_object(), *u = json_object();
    if (!chat || !from || !msg || !u) goto err;
    json_object_set_new(chat, "id", json_integer(chat_id));
    if (chat_id > 0) {
        json_object_set_new(chat, "type", json_string("private"));
        json_object_set_new(chat, "first_name", json_string(first));
        if (uname && *uname) json_object_set_new(chat, "username", json_string(uname));
    } else {
        json_object_set_new(chat, "type", json_string("group"));
        json_object_set_new(chat, "title",
                            json_string(title && *title ? title : "Simulated group"));
    }
    json_object_set_new(from, "id", json_integer(user_id));
    json_object_set_new(from, "is_bot", json_false());
    json_object_set_new(from, "first_name", json_string(first));
    if (uname && *uname) json_object_set_new(from, "username", json_string(uname));
    json_object_set_new(msg, "message_id", json_integer(message_id));
    json_object_set_new(msg, "from", from);
    from = NULL;
    json_object_set_new(msg, "chat", chat);
    chat = NULL;
    json_object_set_new(msg, "date", json_integer((json_int_t)now));
    json_object_set_new(msg, "text", json_string(text ? text : ""));
    json_object_set_new(u, "update_id", json_integer(update_id));
    json_object_set_new(u, "message", msg);
    return u;
err:
    json_decref(chat);
    json_decref(from);
    json_decref(msg);
    json_decref(u);
    return NULL;
}

static void sim_fail(edge_req *r, const char *what, const char *detail)
{
    EDGE_ERROR("simulator failed", "what", what, "error", detail ? detail : "");
    edge_req_problem(r, 500, "internal server error", NULL);
}

static void xadd_cb(redisReply *reply, void *ud)
{
    edge_req *r = ud;
    char body[160];
    if (!edge_req_release(r)) return;
    if (!reply || reply->type != REDIS_REPLY_STRING) {
        sim_fail(r, "XADD {rt}:in",
                 reply && reply->type == REDIS_REPLY_ERROR ? reply->str : "no reply");
        return;
    }
    int n = snprintf(body, sizeof(body), "{\"update_id\":%lld,\"stream_id\":\"%.*s\"}",
                     r->sim_update_id, (int)(reply->len < 64 ? reply->len : 64), reply->str);
    edge_req_respond_json(r, r->route.api->ok_status, body, (size_t)n);
}

/* XADD the Update of the request's body, numbered update_id. */
static void enqueue(edge_req *r, long long update_id)
{
    json_error_t je;
    r->sim_update_id = update_id;
    json_t *body = json_loads(r->sim_update_json, 0, &je);
    json_t *u = body ? edge_sim_build_update(body, r->sim_update_id, time(NULL)) : NULL;
    char *s = u ? json_dumps(u, JSON_COMPACT) : NULL;
    json_decref(body);
    json_decref(u);
    if (!s) {
        sim_fail(r, "build update", "out of memory");
        return;
    }
    const char *argv[] = {"XADD", EDGE_KEY_IN, "*", "u", s};
    size_t argvlen[] = {4, sizeof(EDGE_KEY_IN) - 1, 1, 1, strlen(s)};
    edge_req_hold(r);
    if (edge_redis_cmd(r->http->ctx->redis, xadd_cb, r, 5, argv, argvlen) != EDGE_OK) {
        edge_req_release(r);
        sim_fail(r, "XADD {rt}:in", "not connected");
    }
    free(s);
}

/* The answer of the row's sql: the role check's error, or the update id. */
static void id_cb(const edge_pg_result *res, void *ud)
{
    edge_req *r = ud;
    if (!edge_req_release(r)) return;
    if (strcmp(res->sqlstate, "00000") != 0) {
        int status = edge_sqlstate_to_status(res->sqlstate);
        if (status == 503) {
            edge_req_add_header(r, "retry-after:", "2");
            edge_req_problem(r, 503, "the database is unavailable; try again shortly", NULL);
            return;
        }
        if (status >= 500) {
            sim_fail(r, "rt.sim_next_id", res->errmsg);
            return;
        }
        edge_req_problem(r, status, status == 403 ? "the admin role is required" : res->errmsg,
                         NULL);
        return;
    }
    if (!res->res || PQntuples(res->res) != 1 || PQgetisnull(res->res, 0, 0)) {
        sim_fail(r, "rt.sim_next_id", "no id");
        return;
    }
    enqueue(r, strtoll(PQgetvalue(res->res, 0, 0), NULL, 10));
}

void edge_sim_handle(edge_req *r, json_t *body)
{
    r->sim_update_json = json_dumps(body, JSON_COMPACT);
    if (!r->sim_update_json) {
        sim_fail(r, "json", "out of memory");
        return;
    }
    if (json_integer_value(json_object_get(body, "chat_id")) == 0) {
        edge_req_problem(r, 400, "chat_id must not be 0", "chat_id");
        return;
    }
    edge_req_hold(r);
    if (edge_pg_call(r->http->ctx->pg, r->actor, r->route.api->sql, 0, NULL, id_cb, r) != EDGE_OK) {
        edge_req_release(r);
        sim_fail(r, "edge_pg_call", "queue refused the call");
    }
}
