/* edge_router: method/path matching, 404/405 with Allow, static path resolution, MIME types. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "edge_router.h"
#include "edge_routes.h"

static void test_router_matches_api_routes(void **state)
{
    edge_route_match m;
    (void)state;
    edge_router_match("POST", "/api/auth/login", &m);
    assert_int_equal(m.status, 0);
    assert_int_equal(m.id, EDGE_ROUTE_API);
    assert_int_equal(m.api->handler, EDGE_HANDLER_LOGIN);
    assert_false(m.flags & EDGE_ROUTE_F_SESSION);
    assert_false(m.flags & EDGE_ROUTE_F_CSRF);
    assert_true(m.flags & EDGE_ROUTE_F_BODY);
    edge_router_match("GET", "/api/messages", &m);
    assert_int_equal(m.id, EDGE_ROUTE_API);
    assert_int_equal(m.api->handler, EDGE_HANDLER_LIST_MESSAGES);
    assert_true(m.flags & EDGE_ROUTE_F_SESSION);
    edge_router_match("POST", "/api/simulator/messages", &m);
    assert_int_equal(m.api->handler, EDGE_HANDLER_SIMULATE);
    assert_true(m.flags & EDGE_ROUTE_F_SESSION);
    assert_true(m.flags & EDGE_ROUTE_F_CSRF);
    assert_true(m.flags & EDGE_ROUTE_F_BODY);
    edge_router_match("POST", "/api/auth/logout", &m);
    assert_int_equal(m.api->handler, EDGE_HANDLER_LOGOUT);
    assert_true(m.flags & EDGE_ROUTE_F_CSRF);
    assert_false(m.flags & EDGE_ROUTE_F_BODY);
}

static void test_router_wrong_method_is_405_with_allow(void **state)
{
    edge_route_match m;
    (void)state;
    edge_router_match("DELETE", "/api/chats", &m);
    assert_int_equal(m.status, 405);
    assert_string_equal(m.allow, "GET");
    edge_router_match("GET", "/api/auth/login", &m);
    assert_int_equal(m.status, 405);
    assert_string_equal(m.allow, "POST");
    edge_router_match("POST", "/index.html", &m);
    assert_int_equal(m.status, 405);
    assert_string_equal(m.allow, "GET, HEAD");
    edge_router_match("POST", "/healthz", &m);
    assert_int_equal(m.status, 405);
    assert_string_equal(m.allow, "GET");
    edge_router_match("HEAD", "/ws", &m); /* an upgrade is a GET */
    assert_int_equal(m.status, 405);
    assert_string_equal(m.allow, "GET");
}

static void test_router_unknown_api_is_404(void **state)
{
    edge_route_match m;
    (void)state;
    edge_router_match("GET", "/api/nope", &m);
    assert_int_equal(m.status, 404);
    edge_router_match("GET", "/api", &m);
    assert_int_equal(m.status, 404);
    edge_router_match("GET", "/api/chats/", &m); /* no trailing-slash aliases */
    assert_int_equal(m.status, 404);
    edge_router_match("GET", "/ws/x", &m);
    assert_int_equal(m.status, 404);
}

static void test_router_everything_else_is_static(void **state)
{
    edge_route_match m;
    (void)state;
    edge_router_match("GET", "/", &m);
    assert_int_equal(m.id, EDGE_ROUTE_STATIC);
    edge_router_match("GET", "/apiary", &m); /* only the /api directory is API */
    assert_int_equal(m.id, EDGE_ROUTE_STATIC);
    edge_router_match("HEAD", "/healthz", &m);
    assert_int_equal(m.id, EDGE_ROUTE_HEALTHZ);
    assert_false(m.flags & EDGE_ROUTE_F_SESSION);
    edge_router_match("GET", "/readyz", &m);
    assert_int_equal(m.id, EDGE_ROUTE_READYZ);
    edge_router_match("GET", "/ws", &m);
    assert_int_equal(m.id, EDGE_ROUTE_WS);
    assert_false(m.flags & EDGE_ROUTE_F_SESSION);
}

static void test_static_resolve_maps_paths(void **state)
{
    char out[256];
    (void)state;
    assert_int_equal(edge_static_resolve("/srv", "/", out, sizeof(out)), 0);
    assert_string_equal(out, "/srv/index.html");
    assert_int_equal(edge_static_resolve("/srv", "/assets/app.js", out, sizeof(out)), 0);
    assert_string_equal(out, "/srv/assets/app.js");
    assert_int_equal(edge_static_resolve("/srv", "/chats/", out, sizeof(out)), 1);
}

static void test_static_resolve_rejects_traversal(void **state)
{
    char out[256];
    (void)state;
    assert_int_equal(edge_static_resolve("/srv", "/../etc/passwd", out, sizeof(out)), -1);
    assert_int_equal(edge_static_resolve("/srv", "/assets/../../x", out, sizeof(out)), -1);
    assert_int_equal(edge_static_resolve("/srv", "/a/./b", out, sizeof(out)), -1);
    assert_int_equal(edge_static_resolve("/srv", "/..", out, sizeof(out)), -1);
    assert_int_equal(edge_static_resolve("/srv", "/.env", out, sizeof(out)), -1);
    assert_int_equal(edge_static_resolve("/srv", "/a\\..\\b", out, sizeof(out)), -1);
    assert_int_equal(edge_static_resolve("/srv", "/a//b", out, sizeof(out)), -1);
    assert_int_equal(edge_static_resolve("/srv", "/a\nb", out, sizeof(out)), -1);
    assert_int_equal(edge_static_resolve("/srv", "relative", out, sizeof(out)), -1);
    assert_int_equal(edge_static_resolve("/srv", "/x", out, 6), -1); /* does not fit */
}

static void test_static_spa_route_has_no_extension(void **state)
{
    (void)state;
    assert_true(edge_static_is_spa_route("/chats/42"));
    assert_true(edge_static_is_spa_route("/"));
    assert_false(edge_static_is_spa_route("/assets/app.js"));
    assert_false(edge_static_is_spa_route("/favicon.ico"));
    assert_true(edge_static_is_spa_route("/v1.2/chats")); /* only the last segment counts */
}

static void test_mime_types(void **state)
{
    (void)state;
    assert_string_equal(edge_mime_type("/x/index.html"), "text/html; charset=utf-8");
    assert_string_equal(edge_mime_type("a.JS"), "text/javascript; charset=utf-8");
    assert_string_equal(edge_mime_type("a.css"), "text/css; charset=utf-8");
    assert_string_equal(edge_mime_type("a.svg"), "image/svg+xml");
    assert_string_equal(edge_mime_type("a.woff2"), "font/woff2");
    assert_string_equal(edge_mime_type("a.d/noext"), "application/octet-stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router_matches_api_routes),
        cmocka_unit_test(test_router_wrong_method_is_405_with_allow),
        cmocka_unit_test(test_router_unknown_api_is_404),
        cmocka_unit_test(test_router_everything_else_is_static),
        cmocka_unit_test(test_static_resolve_maps_paths),
        cmocka_unit_test(test_static_resolve_rejects_traversal),
        cmocka_unit_test(test_static_spa_route_has_no_extension),
        cmocka_unit_test(test_mime_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
