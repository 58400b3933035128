/* edge_problem: problem+json rendering (escaping, field) and the SQLSTATE -> status map. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "edge_problem.h"

static void test_sqlstate_mapping_follows_contract(void **state)
{
    (void)state;
    assert_int_equal(edge_sqlstate_to_status("22023"), 400);
    assert_int_equal(edge_sqlstate_to_status("22P02"), 400);
    assert_int_equal(edge_sqlstate_to_status("23502"), 400);
    assert_int_equal(edge_sqlstate_to_status("23514"), 400);
    assert_int_equal(edge_sqlstate_to_status("P0002"), 404);
    assert_int_equal(edge_sqlstate_to_status("23505"), 409);
    assert_int_equal(edge_sqlstate_to_status("40001"), 409); /* stale version */
    assert_int_equal(edge_sqlstate_to_status("55000"), 409); /* a session in the wrong state */
    assert_int_equal(edge_sqlstate_to_status("42501"), 403);
    assert_int_equal(edge_sqlstate_to_status("28P01"), 401);
    assert_int_equal(edge_sqlstate_to_status("28000"), 401); /* a stale session (epoch) */
    assert_int_equal(edge_sqlstate_to_status("00000"), 200);
}

static void test_sqlstate_unavailable_is_503(void **state)
{
    (void)state;
    assert_int_equal(edge_sqlstate_to_status("08006"), 503); /* connection lost */
    assert_int_equal(edge_sqlstate_to_status("57P01"), 503); /* shutting down */
    assert_int_equal(edge_sqlstate_to_status("57P03"), 503); /* no connection in time */
    assert_int_equal(edge_sqlstate_to_status("57014"), 503); /* statement timeout */
    assert_int_equal(edge_sqlstate_to_status("53300"), 503); /* too many connections */
}

static void test_sqlstate_other_is_500(void **state)
{
    (void)state;
    assert_int_equal(edge_sqlstate_to_status("23503"), 500); /* FK: not in the contract */
    assert_int_equal(edge_sqlstate_to_status("XX000"), 500);
    assert_int_equal(edge_sqlstate_to_status(""), 500);
    assert_int_equal(edge_sqlstate_to_status(NULL), 500);
    assert_int_equal(edge_sqlstate_to_status("2202"), 500);
}

static void test_problem_json_has_required_members(void **state)
{
    size_t len = 0;
    json_error_t je;
    (void)state;
    char *s = edge_problem_json(404, "no such chat", NULL, &len);
    assert_non_null(s);
    assert_int_equal(len, strlen(s));
    json_t *o = json_loads(s, 0, &je);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "type")), "about:blank");
    assert_string_equal(json_string_value(json_object_get(o, "title")), "Not Found");
    assert_int_equal(json_integer_value(json_object_get(o, "status")), 404);
    assert_string_equal(json_string_value(json_object_get(o, "detail")), "no such chat");
    assert_null(json_object_get(o, "field"));
    json_decref(o);
    free(s);
}

static void test_problem_json_escapes_and_names_field(void **state)
{
    json_error_t je;
    (void)state;
    char *s = edge_problem_json(400, "bad \"q\"\n\\ </script>", "q\"x", NULL);
    assert_non_null(s);
    json_t *o = json_loads(s, 0, &je);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "detail")), "bad \"q\"\n\\ </script>");
    assert_string_equal(json_string_value(json_object_get(o, "field")), "q\"x");
    json_decref(o);
    free(s);
}

static void test_problem_json_survives_invalid_utf8(void **state)
{
    json_error_t je;
    (void)state;
    char *s = edge_problem_json(400, "bad \xff byte", "\xc3", NULL);
    assert_non_null(s);
    json_t *o = json_loads(s, 0, &je);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "detail")), "bad ? byte");
    json_decref(o);
    free(s);
}

static void test_status_titles(void **state)
{
    (void)state;
    assert_string_equal(edge_http_status_title(413), "Content Too Large");
    assert_string_equal(edge_http_status_title(429), "Too Many Requests");
    assert_string_equal(edge_http_status_title(999), "Error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlstate_mapping_follows_contract),
        cmocka_unit_test(test_sqlstate_unavailable_is_503),
        cmocka_unit_test(test_sqlstate_other_is_500),
        cmocka_unit_test(test_problem_json_has_required_members),
        cmocka_unit_test(test_problem_json_escapes_and_names_field),
        cmocka_unit_test(test_problem_json_survives_invalid_utf8),
        cmocka_unit_test(test_status_titles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
