/* edge_routes: the table of every /api route: matching with {id}/{key}, literal precedence,
 * 405 Allow lists, session/CSRF/body needs and handlers of each row, and argument building
 * (id/key shape, typed query filters, bodies). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "edge_router.h"
#include "edge_routes.h"

static const edge_api_route *must_match(const char *method, const char *path, char *param)
{
    const edge_api_route *rt;
    char allow[64];
    assert_int_equal(edge_routes_match(method, path, &rt, param, 128, allow, sizeof(allow)), 0);
    assert_non_null(rt);
    return rt;
}

static const edge_api_route *route_named(const char *name)
{
    for (size_t i = 0; i < edge_api_nroutes; i++)
        if (strcmp(edge_api_routes[i].name, name) == 0) return &edge_api_routes[i];
    fail_msg("no route %s", name);
    return NULL;
}

static void test_routes_match_id_and_literal_paths(void **state)
{
    char param[128];
    (void)state;
    const edge_api_route *rt = must_match("PUT", "/api/presets/42", param);
    assert_string_equal(rt->name, "updatePreset");
    assert_string_equal(param, "42");
    assert_string_equal(rt->sql, "SELECT rt.update_preset($1::bigint, $2::jsonb)");
    rt = must_match("GET", "/api/presets/export", param);
    assert_string_equal(rt->name, "exportPresets"); /* the literal wins over {id} */
    assert_string_equal(param, "");
    rt = must_match("POST", "/api/messages/7/flag", param);
    assert_string_equal(rt->name, "flagMessage");
    assert_string_equal(param, "7");
    rt = must_match("POST", "/api/notifications/ack", param);
    assert_string_equal(rt->name, "ackAllNotifications");
    rt = must_match("POST", "/api/notifications/9/ack", param);
    assert_string_equal(rt->name, "ackNotification");
    rt = must_match("PUT", "/api/settings/takeover.minutes", param);
    assert_string_equal(rt->name, "updateSetting");
    assert_string_equal(param, "takeover.minutes");
    rt = must_match("HEAD", "/api/presets", param);
    assert_string_equal(rt->name, "listPresets");
}

static void test_routes_405_lists_the_methods(void **state)
{
    const edge_api_route *rt;
    char param[128], allow[64];
    (void)state;
    assert_int_equal(
        edge_routes_match("PATCH", "/api/presets/1", &rt, param, 128, allow, sizeof(allow)), 405);
    assert_string_equal(allow, "GET, PUT, DELETE");
    assert_int_equal(
        edge_routes_match("DELETE", "/api/presets/export", &rt, param, 128, allow, sizeof(allow)),
        405);
    assert_string_equal(allow, "GET");
    assert_int_equal(
        edge_routes_match("GET", "/api/presets/1/x", &rt, param, 128, allow, sizeof(allow)), 404);
    assert_int_equal(
        edge_routes_match("GET", "/api/presets/", &rt, param, 128, allow, sizeof(allow)), 404);
}

static void test_router_answers_every_api_route_from_the_table(void **state)
{
    edge_route_match m;
    (void)state;
    edge_router_match("POST", "/api/messages", &m);
    assert_int_equal(m.status, 0);
    assert_int_equal(m.id, EDGE_ROUTE_API);
    assert_string_equal(m.name, "sendMessage");
    assert_int_equal(m.api->handler, EDGE_HANDLER_SQL);
    assert_true(m.flags & EDGE_ROUTE_F_SESSION);
    assert_true(m.flags & EDGE_ROUTE_F_CSRF);
    assert_true(m.flags & EDGE_ROUTE_F_BODY);
    edge_router_match("GET", "/api/messages", &m);
    assert_int_equal(m.id, EDGE_ROUTE_API);
    assert_string_equal(m.name, "listMessages");
    edge_router_match("DELETE", "/api/messages", &m);
    assert_int_equal(m.status, 405);
    assert_string_equal(m.allow, "GET, POST");
    edge_router_match("GET", "/api/presets/5", &m);
    assert_int_equal(m.id, EDGE_ROUTE_API);
    assert_string_equal(m.param, "5");
    assert_true(m.flags & EDGE_ROUTE_F_SESSION);
    assert_false(m.flags & EDGE_ROUTE_F_CSRF);
    edge_router_match("GET", "/api/nothing/here", &m);
    assert_int_equal(m.status, 404);
}

/* The routes with their own handler: row, handler, needs and status, as the spec has them. */
static void expect_handler_route(const char *method, const char *path, const char *name,
                                 edge_route_handler handler, unsigned flags, int ok_status)
{
    edge_route_match m;
    edge_router_match(method, path, &m);
    assert_int_equal(m.status, 0);
    assert_int_equal(m.id, EDGE_ROUTE_API);
    assert_string_equal(m.name, name);
    assert_int_equal(m.api->handler, handler);
    assert_int_equal(m.flags, flags);
    assert_int_equal(m.api->ok_status, ok_status);
}

static void test_routes_with_handlers_match_with_their_needs(void **state)
{
    const unsigned S = EDGE_ROUTE_F_SESSION, C = EDGE_ROUTE_F_CSRF, B = EDGE_ROUTE_F_BODY;
    (void)state;
    expect_handler_route("POST", "/api/auth/login", "login", EDGE_HANDLER_LOGIN, B, 200);
    expect_handler_route("POST", "/api/auth/logout", "logout", EDGE_HANDLER_LOGOUT, S | C, 204);
    expect_handler_route("GET", "/api/auth/me", "getMe", EDGE_HANDLER_ME, S, 200);
    expect_handler_route("HEAD", "/api/auth/me", "getMe", EDGE_HANDLER_ME, S, 200);
    expect_handler_route("GET", "/api/messages", "listMessages", EDGE_HANDLER_LIST_MESSAGES, S,
                         200);
    expect_handler_route("POST", "/api/simulator/messages", "simulateMessage",
                         EDGE_HANDLER_SIMULATE, S | C | B, 202);
    assert_ptr_equal(route_named("login")->body, edge_schema_login);
    assert_ptr_equal(route_named("simulateMessage")->body, edge_schema_sim_message);
}

static void expect_405(const char *method, const char *path, const char *allow)
{
    edge_route_match m;
    edge_router_match(method, path, &m);
    assert_int_equal(m.status, 405);
    assert_int_equal(m.id, EDGE_ROUTE_NONE);
    assert_string_equal(m.allow, allow);
}

static void test_routes_with_handlers_refuse_other_methods(void **state)
{
    (void)state;
    expect_405("GET", "/api/auth/login", "POST");
    expect_405("HEAD", "/api/auth/login", "POST");
    expect_405("GET", "/api/auth/logout", "POST");
    expect_405("POST", "/api/auth/me", "GET");
    expect_405("DELETE", "/api/chats", "GET");
    expect_405("PUT", "/api/messages", "GET, POST");
    expect_405("GET", "/api/simulator/messages", "POST");
    edge_route_match m;
    edge_router_match("GET", "/api/auth", &m);
    assert_int_equal(m.status, 404);
    edge_router_match("GET", "/api/auth/me/", &m);
    assert_int_equal(m.status, 404);
}

/* Every state-changing row needs CSRF (but login, which has no session yet), every row names
 * at most one rt.* function (exactly one when the generic handler calls it) and its status. */
static void test_routes_table_is_consistent(void **state)
{
    (void)state;
    assert_true(edge_api_nroutes >= 50);
    for (size_t i = 0; i < edge_api_nroutes; i++) {
        const edge_api_route *rt = &edge_api_routes[i];
        int writes = strcmp(rt->method, "GET") != 0;
        int public = !!(rt->flags & EDGE_RT_NO_SESSION);
        assert_int_equal(!!(rt->flags & EDGE_RT_CSRF), writes && !public);
        assert_true(strncmp(rt->pattern, "/api/", 5) == 0);
        assert_true(rt->handler >= EDGE_HANDLER_SQL && rt->handler < EDGE_HANDLER_COUNT);
        if (rt->handler == EDGE_HANDLER_SQL) {
            assert_non_null(rt->sql);
            assert_null(rt->body); /* the generic handler takes any object (EDGE_ARG_BODY) */
        } else {
            assert_int_equal(rt->args[0], EDGE_ARG_END); /* handlers build their own */
        }
        if (!rt->sql) continue;
        assert_true(strncmp(rt->sql, "SELECT rt.", 10) == 0);
        assert_null(strchr(rt->sql, ';'));
        assert_true(rt->ok_status == 200 || rt->ok_status == 201 || rt->ok_status == 202 ||
                    rt->ok_status == 204);
        int n = 0;
        while (rt->args[n] != EDGE_ARG_END) n++;
        for (int k = 1; k <= n; k++) {
            char ph[8];
            snprintf(ph, sizeof(ph), "$%d", k);
            assert_non_null(strstr(rt->sql, ph));
        }
        assert_int_equal(!!strstr(rt->pattern, "{"),
                         rt->args[0] == EDGE_ARG_ID || rt->args[0] == EDGE_ARG_KEY);
    }
}

/* One row per method and path: a second one would never be reached. */
static void test_routes_are_declared_once(void **state)
{
    (void)state;
    for (size_t i = 0; i < edge_api_nroutes; i++)
        for (size_t j = i + 1; j < edge_api_nroutes; j++) {
            const edge_api_route *a = &edge_api_routes[i], *b = &edge_api_routes[j];
            assert_false(strcmp(a->method, b->method) == 0 && strcmp(a->pattern, b->pattern) == 0);
            assert_string_not_equal(a->name, b->name);
        }
}

static edge_query query_of(const char *raw)
{
    edge_query q;
    edge_verr e = {0};
    assert_int_equal(edge_query_parse(raw, &q, &e), 0);
    return q;
}

static void test_build_args_types_the_filter(void **state)
{
    edge_route_args a;
    edge_verr e = {0};
    (void)state;
    edge_query q = query_of("scope=chat&chat_id=-100&active=true&limit=20&cursor=abc");
    assert_int_equal(
        edge_route_build_args(route_named("listBindings"), "", &q, NULL, NULL, 0, &a, &e), 0);
    assert_int_equal(a.n, 1);
    assert_string_equal(a.v[0], "{\"scope\":\"chat\",\"chat_id\":-100,\"active\":true,\"limit\":20,"
                                "\"cursor\":\"abc\"}");
    edge_route_args_free(&a);
    edge_query_free(&q);

    q = query_of("ids=3,7,11");
    assert_int_equal(
        edge_route_build_args(route_named("exportPresets"), "", &q, NULL, NULL, 0, &a, &e), 0);
    assert_string_equal(a.v[0], "{\"ids\":[3,7,11]}");
    edge_route_args_free(&a);
    edge_query_free(&q);

    q = query_of("q=ops&type=group&autoreply=false&unread=true&mentions=true&flagged=true"
                 "&roundtable=true&limit=200");
    assert_int_equal(edge_route_build_args(route_named("listChats"), "", &q, NULL, NULL, 0, &a, &e),
                     0);
    assert_string_equal(a.v[0], "{\"q\":\"ops\",\"type\":\"group\",\"autoreply\":false,"
                                "\"unread\":true,\"mentions\":true,\"flagged\":true,"
                                "\"roundtable\":true,\"limit\":200}");
    edge_route_args_free(&a);
    edge_query_free(&q);

    q = query_of("unacked=false&kind=mention");
    assert_int_equal(
        edge_route_build_args(route_named("listNotifications"), "", &q, NULL, NULL, 0, &a, &e), 0);
    assert_string_equal(a.v[0], "{\"unacked\":false,\"kind\":\"mention\"}");
    edge_route_args_free(&a);
    edge_query_free(&q);
}

static void expect_query_error(const char *route, const char *raw, const char *field)
{
    edge_route_args a;
    edge_verr e = {0};
    edge_query q = query_of(raw);
    assert_int_equal(edge_route_build_args(route_named(route), "1", &q, NULL, NULL, 0, &a, &e), -1);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.field, field);
    assert_int_equal(a.n, 0);
    edge_query_free(&q);
}

static void test_build_args_rejects_bad_query_naming_the_field(void **state)
{
    (void)state;
    expect_query_error("listBindings", "active=yes", "active");
    expect_query_error("listBindings", "chat_id=1.5", "chat_id");
    expect_query_error("listBindings", "scope=planet", "scope");
    expect_query_error("listBindings", "limit=0", "limit");
    expect_query_error("listAudit", "from=yesterday", "from");
    expect_query_error("listAudit", "limit=201", "limit");
    expect_query_error("exportPresets", "ids=1,,2", "ids");
    expect_query_error("exportPresets", "ids=1234567890123456789012", "ids");
    expect_query_error("listPresets", "color=red", "color");
    expect_query_error("getPreset", "x=1", "x"); /* routes without a filter take no query */
    expect_query_error("importPresets", "on_conflict=merge", "on_conflict");
    expect_query_error("listChats", "type=channel", "type");
    expect_query_error("listChats", "autoreply=on", "autoreply");
    expect_query_error("listChats", "unread=1", "unread");
    expect_query_error("listChats", "mentions=yes", "mentions");
    expect_query_error("listChats", "flagged=", "flagged");
    expect_query_error("listChats", "roundtable=TRUE", "roundtable");
    expect_query_error("listChats", "sort=title", "sort");
    expect_query_error("listUsers", "chat_id=abc", "chat_id");
}

static void test_build_args_checks_path_params(void **state)
{
    edge_route_args a;
    edge_verr e = {0};
    edge_query q = {0};
    (void)state;
    assert_int_equal(
        edge_route_build_args(route_named("getPreset"), "abc", &q, NULL, NULL, 0, &a, &e), -1);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.field, "id");
    assert_int_equal(
        edge_route_build_args(route_named("getPreset"), "1.5", &q, NULL, NULL, 0, &a, &e), -1);
    assert_int_equal(edge_route_build_args(route_named("getPreset"), "99999999999999999999", &q,
                                           NULL, NULL, 0, &a, &e),
                     -1);
    /* group chats have negative ids */
    assert_int_equal(edge_route_build_args(route_named("updateChat"), "-1001234567890", &q,
                                           "application/json", "{}", 2, &a, &e),
                     0);
    assert_string_equal(a.v[0], "-1001234567890");
    edge_route_args_free(&a);
    assert_int_equal(
        edge_route_build_args(route_named("deletePreset"), "12", &q, NULL, NULL, 0, &a, &e), 0);
    assert_int_equal(a.n, 1);
    assert_string_equal(a.v[0], "12");
    edge_route_args_free(&a);
    const char *body = "{\"value\":5}";
    assert_int_equal(edge_route_build_args(route_named("updateSetting"), "Bad Key", &q,
                                           "application/json", body, strlen(body), &a, &e),
                     -1);
    assert_string_equal(e.field, "key");
    assert_int_equal(edge_route_build_args(route_named("updateSetting"), "takeover.minutes", &q,
                                           "application/json", body, strlen(body), &a, &e),
                     0);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.v[0], "takeover.minutes");
    assert_string_equal(a.v[1], body);
    edge_route_args_free(&a);
}

static void test_build_args_checks_the_body(void **state)
{
    edge_route_args a;
    edge_verr e = {0};
    edge_query q = {0};
    const edge_api_route *create = route_named("createPreset");
    (void)state;
    assert_int_equal(edge_route_build_args(create, "", &q, "text/plain", "{}", 2, &a, &e), -1);
    assert_int_equal(e.status, 415);
    assert_int_equal(edge_route_build_args(create, "", &q, "application/json", "", 0, &a, &e), -1);
    assert_int_equal(e.status, 400);
    assert_int_equal(
        edge_route_build_args(create, "", &q, "application/json", "{\"a\":", 5, &a, &e), -1);
    assert_int_equal(e.status, 400);
    assert_int_equal(edge_route_build_args(create, "", &q, "application/json", "[1]", 3, &a, &e),
                     -1);
    assert_int_equal(
        edge_route_build_args(create, "", &q, "application/json", "{\"n\":\"\xff\"}", 8, &a, &e),
        -1);
    assert_int_equal(e.status, 400);
    /* Optional bodies: absent means {}. */
    assert_int_equal(
        edge_route_build_args(route_named("takeoverChat"), "5", &q, NULL, NULL, 0, &a, &e), 0);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.v[1], "{}");
    edge_route_args_free(&a);
    /* import: body then on_conflict, default "error". */
    const char *doc = "{\"schema\":\"roundtable.presets\",\"schema_version\":1,\"presets\":[]}";
    assert_int_equal(edge_route_build_args(route_named("importPresets"), "", &q,
                                           "application/json; charset=utf-8", doc, strlen(doc), &a,
                                           &e),
                     0);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.v[0], doc);
    assert_string_equal(a.v[1], "error");
    edge_route_args_free(&a);
    q = query_of("on_conflict=rename");
    assert_int_equal(edge_route_build_args(route_named("importPresets"), "", &q, "application/json",
                                           doc, strlen(doc), &a, &e),
                     0);
    assert_string_equal(a.v[1], "rename");
    edge_route_args_free(&a);
    edge_query_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes_match_id_and_literal_paths),
        cmocka_unit_test(test_routes_405_lists_the_methods),
        cmocka_unit_test(test_router_answers_every_api_route_from_the_table),
        cmocka_unit_test(test_routes_with_handlers_match_with_their_needs),
        cmocka_unit_test(test_routes_with_handlers_refuse_other_methods),
        cmocka_unit_test(test_routes_table_is_consistent),
        cmocka_unit_test(test_routes_are_declared_once),
        cmocka_unit_test(test_build_args_types_the_filter),
        cmocka_unit_test(test_build_args_rejects_bad_query_naming_the_field),
        cmocka_unit_test(test_build_args_checks_path_params),
        cmocka_unit_test(test_build_args_checks_the_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
