/* edge_events_envelope: a journal event's frame, {"type","data","ts"} plus "event_id". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "edge_events.h"

static json_t *load(const char *s, size_t n)
{
    json_error_t je;
    assert_int_equal(strlen(s), n);
    json_t *j = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
    assert_non_null(j);
    assert_true(json_is_object(j));
    return j;
}

static void test_event_id_is_appended(void **state)
{
    size_t n;
    (void)state;
    char *env = edge_events_envelope("message.created", "{\"id\":7}", 8, 9007199254740991LL, &n);
    json_t *j = load(env, n);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "message.created");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "data"), "id")), 7);
    assert_true(json_is_string(json_object_get(j, "ts")));
    assert_int_equal(json_integer_value(json_object_get(j, "event_id")), 9007199254740991LL);
    assert_int_equal(json_object_size(j), 4);
    json_decref(j);
    free(env);
}

static void test_no_event_id_below_zero(void **state)
{
    size_t n;
    (void)state;
    char *env = edge_events_envelope("resync", "{\"reason\":\"edge starting\"}", 26, -1, &n);
    json_t *j = load(env, n);
    assert_null(json_object_get(j, "event_id"));
    assert_int_equal(json_object_size(j), 3);
    json_decref(j);
    free(env);
}

static void test_null_data_and_refusals(void **state)
{
    size_t n;
    (void)state;
    char *env = edge_events_envelope("resync", NULL, 0, 0, &n);
    json_t *j = load(env, n);
    assert_true(json_is_null(json_object_get(j, "data")));
    assert_int_equal(json_integer_value(json_object_get(j, "event_id")), 0);
    json_decref(j);
    free(env);
    assert_null(edge_events_envelope(NULL, "1", 1, 5, &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_id_is_appended),
        cmocka_unit_test(test_no_event_id_below_zero),
        cmocka_unit_test(test_null_data_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
