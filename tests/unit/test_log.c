/* edge_log: JSON escaping, line layout and level parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <jansson.h>

#include "edge_log.h"

static const char *esc(const char *s, size_t len)
{
    static char buf[256];
    edge_log_escape(buf, sizeof(buf), s, len);
    return buf;
}

static void test_escape_quotes_and_backslashes(void **state)
{
    (void)state;
    assert_string_equal(esc("a\"b\\c", 5), "a\\\"b\\\\c");
}

static void test_escape_control_characters(void **state)
{
    (void)state;
    assert_string_equal(esc("a\nb\tc\r", 6), "a\\nb\\tc\\r");
    assert_string_equal(esc("\x01\x1f\x7f", 3), "\\u0001\\u001f\\u007f");
    assert_string_equal(esc("a\0b", 3), "a\\u0000b");
}

static void test_escape_keeps_utf8_and_replaces_invalid(void **state)
{
    (void)state;
    assert_string_equal(esc("привет ✓ 😀", strlen("привет ✓ 😀")), "привет ✓ 😀");
    assert_string_equal(esc("a\xff"
                            "b",
                            3),
                        "a\\ufffdb");
    assert_string_equal(esc("\xed\xa0\x80", 3), "\\ufffd\\ufffd\\ufffd"); /* UTF-8 surrogate */
    assert_string_equal(esc("\xc3", 1), "\\ufffd");                       /* truncated */
}

static void test_escape_truncates_safely(void **state)
{
    char small[4];
    (void)state;
    size_t n = edge_log_escape(small, sizeof(small), "abcdef", 6);
    assert_int_equal(n, 6);
    assert_string_equal(small, "abc");
}

static void test_format_is_one_valid_json_line(void **state)
{
    char buf[512];
    json_error_t jerr;
    (void)state;
    const char *fields[] = {"k\"ey", "va\nlue", "n", "1", NULL};
    size_t n = edge_log_format(buf, sizeof(buf), EDGE_LOG_WARN, "2026-01-01T00:00:00.000Z",
                               "hello \"world\"", fields);
    assert_int_equal(n, strlen(buf));
    assert_int_equal(buf[n - 1], '\n');
    assert_null(memchr(buf, '\n', n - 1));
    json_t *j = json_loads(buf, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "level")), "warn");
    assert_string_equal(json_string_value(json_object_get(j, "msg")), "hello \"world\"");
    assert_string_equal(json_string_value(json_object_get(j, "k\"ey")), "va\nlue");
    assert_string_equal(json_string_value(json_object_get(j, "ts")), "2026-01-01T00:00:00.000Z");
    json_decref(j);
}

static void test_format_reports_needed_length(void **state)
{
    char small[16], big[256];
    (void)state;
    size_t need = edge_log_format(small, sizeof(small), EDGE_LOG_INFO, "t", "message", NULL);
    assert_true(need >= sizeof(small));
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_int_equal(edge_log_format(big, sizeof(big), EDGE_LOG_INFO, "t", "message", NULL), need);
}

static void test_parse_level(void **state)
{
    (void)state;
    assert_int_equal(edge_log_parse_level("debug"), EDGE_LOG_DEBUG);
    assert_int_equal(edge_log_parse_level("INFO"), EDGE_LOG_INFO);
    assert_int_equal(edge_log_parse_level("warn"), EDGE_LOG_WARN);
    assert_int_equal(edge_log_parse_level("error"), EDGE_LOG_ERROR);
    assert_int_equal(edge_log_parse_level("trace"), -1);
    assert_int_equal(edge_log_parse_level(NULL), -1);
}

static void test_timestamp_shape(void **state)
{
    char ts[32];
    (void)state;
    edge_log_timestamp(ts, sizeof(ts));
    assert_int_equal(strlen(ts), 24);
    assert_int_equal(ts[10], 'T');
    assert_int_equal(ts[19], '.');
    assert_int_equal(ts[23], 'Z');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_quotes_and_backslashes),
        cmocka_unit_test(test_escape_control_characters),
        cmocka_unit_test(test_escape_keeps_utf8_and_replaces_invalid),
        cmocka_unit_test(test_escape_truncates_safely),
        cmocka_unit_test(test_format_is_one_valid_json_line),
        cmocka_unit_test(test_format_reports_needed_length),
        cmocka_unit_test(test_parse_level),
        cmocka_unit_test(test_timestamp_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
