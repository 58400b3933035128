/* edge_envelope: the {"type","data","ts"} frame of every WebSocket message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "edge_envelope.h"
#include "edge_log.h"

static json_t *load(const char *s, size_t n)
{
    json_error_t je;
    json_t *j = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
    assert_non_null(j);
    assert_true(json_is_object(j));
    assert_int_equal(json_object_size(j), 3);
    return j;
}

static void test_envelope_wraps_data_verbatim(void **state)
{
    const char *data = "{\"id\": 1, \"text\": \"a,b}\"}"; /* jsonb text, as PostgreSQL sends it */
    size_t n = 0;
    (void)state;
    char *env = edge_envelope("message.created", data, strlen(data), &n);
    assert_non_null(env);
    assert_int_equal(n, strlen(env));
    const char *prefix = "{\"type\":\"message.created\",\"data\":{\"id\": 1, \"text\": \"a,b}\"},"
                         "\"ts\":\"";
    assert_memory_equal(env, prefix, strlen(prefix));
    json_t *j = load(env, n);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "message.created");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "data"), "id")), 1);
    json_decref(j);
    free(env);
}

static void test_envelope_ts_is_now_in_utc(void **state)
{
    char before[32], after[32];
    size_t n;
    (void)state;
    edge_log_timestamp(before, sizeof(before));
    char *env = edge_envelope("pong", NULL, 0, &n);
    edge_log_timestamp(after, sizeof(after));
    json_t *j = load(env, n);
    const char *ts = json_string_value(json_object_get(j, "ts"));
    assert_non_null(ts);
    assert_int_equal(strlen(ts), 24); /* 2026-01-02T03:04:05.678Z */
    assert_int_equal(ts[10], 'T');
    assert_int_equal(ts[23], 'Z');
    assert_true(strcmp(before, ts) <= 0 && strcmp(ts, after) <= 0);
    json_decref(j);
    free(env);
}

static void test_envelope_null_data(void **state)
{
    size_t n;
    (void)state;
    char *env = edge_envelope("pong", NULL, 0, &n);
    assert_non_null(env);
    assert_memory_equal(env, "{\"type\":\"pong\",\"data\":null,\"ts\":\"", 33);
    json_t *j = load(env, n);
    assert_true(json_is_null(json_object_get(j, "data")));
    json_decref(j);
    free(env);
}

static void test_envelope_takes_len_bytes_and_any_value(void **state)
{
    size_t n;
    (void)state;
    char *env = edge_envelope("x", "[1,2]garbage", 5, &n);
    json_t *j = load(env, n);
    assert_int_equal(json_array_size(json_object_get(j, "data")), 2);
    json_decref(j);
    free(env);
    env = edge_envelope("x", "\"s\"", 3, NULL); /* outlen is optional */
    assert_non_null(env);
    j = load(env, strlen(env));
    assert_string_equal(json_string_value(json_object_get(j, "data")), "s");
    json_decref(j);
    free(env);
}

static void test_envelope_escapes_the_type(void **state)
{
    size_t n;
    (void)state;
    char *env = edge_envelope("a\"b\\c\n", "1", 1, &n);
    json_t *j = load(env, n);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "a\"b\\c\n");
    json_decref(j);
    free(env);
}

static void test_envelope_refuses_no_type_and_empty_data(void **state)
{
    size_t n = 7;
    (void)state;
    assert_null(edge_envelope(NULL, "1", 1, &n));
    assert_null(edge_envelope("x", "", 0, &n));
    assert_int_equal(n, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envelope_wraps_data_verbatim),
        cmocka_unit_test(test_envelope_ts_is_now_in_utc),
        cmocka_unit_test(test_envelope_null_data),
        cmocka_unit_test(test_envelope_takes_len_bytes_and_any_value),
        cmocka_unit_test(test_envelope_escapes_the_type),
        cmocka_unit_test(test_envelope_refuses_no_type_and_empty_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
