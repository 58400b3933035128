/* edge_tgparse: getUpdates classification, tolerant update_id scanning, backoff, request body. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "edge_tgparse.h"

static void classify(const char *body, long status, edge_tg_response *out)
{
    edge_tg_classify(body, strlen(body), status, out);
}

static void test_classify_updates(void **state)
{
    edge_tg_response r;
    (void)state;
    classify("{\"ok\":true,\"result\":[{\"update_id\":5,\"message\":{}},{\"update_id\":7}]}", 200,
             &r);
    assert_int_equal(r.kind, EDGE_TG_UPDATES);
    assert_int_equal(json_array_size(r.result), 2);
    assert_int_equal(r.max_update_id, 7);
    json_decref(r.result);
}

static void test_classify_empty_result(void **state)
{
    edge_tg_response r;
    (void)state;
    classify("{\"ok\":true,\"result\":[]}", 200, &r);
    assert_int_equal(r.kind, EDGE_TG_UPDATES);
    assert_int_equal(r.max_update_id, -1);
    json_decref(r.result);
}

static void test_classify_429_retry_after(void **state)
{
    edge_tg_response r;
    (void)state;
    classify("{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after "
             "3\",\"parameters\":{\"retry_after\":3}}",
             429, &r);
    assert_int_equal(r.kind, EDGE_TG_RETRY_AFTER);
    assert_int_equal(r.retry_after, 3);
    assert_null(r.result);
}

static void test_classify_api_error(void **state)
{
    edge_tg_response r;
    (void)state;
    classify("{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}", 401, &r);
    assert_int_equal(r.kind, EDGE_TG_ERROR);
    assert_int_equal(r.error_code, 401);
    assert_string_equal(r.error, "Unauthorized");
}

static void test_classify_html_error_is_not_unparsable(void **state)
{
    edge_tg_response r;
    (void)state;
    classify("<html>502 Bad Gateway</html>", 502, &r);
    assert_int_equal(r.kind, EDGE_TG_ERROR);
    assert_int_equal(r.error_code, 502);
}

static void test_classify_no_response(void **state)
{
    edge_tg_response r;
    (void)state;
    classify("", 0, &r);
    assert_int_equal(r.kind, EDGE_TG_ERROR);
}

static void test_classify_lone_surrogate_is_unparsable(void **state)
{
    edge_tg_response r;
    (void)state;
    classify("{\"ok\":true,\"result\":[{\"update_id\":9,\"message\":{\"text\":\"\\ud800\"}}]}", 200,
             &r);
    assert_int_equal(r.kind, EDGE_TG_UNPARSABLE);
    assert_true(strlen(r.error) > 0);
}

static void test_classify_truncated_200_is_unparsable(void **state)
{
    edge_tg_response r;
    (void)state;
    classify("{\"ok\":true,\"result\":[{\"update_id\":", 200, &r);
    assert_int_equal(r.kind, EDGE_TG_UNPARSABLE);
}

static void test_classify_wrong_shapes(void **state)
{
    edge_tg_response r;
    (void)state;
    classify("[1,2]", 200, &r);
    assert_int_equal(r.kind, EDGE_TG_ERROR);
    classify("{\"ok\":true,\"result\":{}}", 200, &r);
    assert_int_equal(r.kind, EDGE_TG_ERROR);
}

static void test_scan_update_id_of_single_update(void **state)
{
    long long ids[4];
    const char *b = "{\"ok\":true,\"result\":[{\"update_id\": 123456789,\"message\":{\"text\":"
                    "\"\\ud800 bad\"}}]}";
    (void)state;
    assert_int_equal(edge_tg_scan_update_ids(b, strlen(b), ids, 4), 1);
    assert_int_equal(ids[0], 123456789);
}

static void test_scan_ignores_update_id_inside_strings_and_deeper(void **state)
{
    long long ids[4];
    const char *b = "{\"ok\":true,\"result\":[{\"message\":{\"text\":\"\\\"update_id\\\":1\","
                    "\"reply_to\":{\"update_id\":2}},\"update_id\":3}]}";
    (void)state;
    assert_int_equal(edge_tg_scan_update_ids(b, strlen(b), ids, 4), 1);
    assert_int_equal(ids[0], 3);
}

static void test_scan_finds_every_update(void **state)
{
    long long ids[2];
    const char *b = "{\"ok\":true,\"result\":[{\"update_id\":1},{\"update_id\":2},"
                    "{\"update_id\":3}]}";
    (void)state;
    assert_int_equal(edge_tg_scan_update_ids(b, strlen(b), ids, 2), 3);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 2);
}

static void test_scan_without_update_id(void **state)
{
    long long ids[1];
    (void)state;
    assert_int_equal(edge_tg_scan_update_ids("{\"ok\":true,\"result\":[{", 22, ids, 1), 0);
    assert_int_equal(edge_tg_scan_update_ids("", 0, ids, 1), 0);
    assert_int_equal(edge_tg_scan_update_ids(NULL, 0, ids, 1), 0);
    const char *neg = "{\"ok\":true,\"result\":[{\"update_id\":-5}]}";
    assert_int_equal(edge_tg_scan_update_ids(neg, strlen(neg), ids, 1), 0);
}

static void test_backoff_grows_and_caps(void **state)
{
    (void)state;
    unsigned a1 = edge_tg_backoff_ms(1, 0), a2 = edge_tg_backoff_ms(2, 0);
    assert_true(a1 >= 1000 && a1 <= 1250);
    assert_true(a2 > a1);
    for (unsigned i = 1; i < 40; i++) {
        unsigned ms = edge_tg_backoff_ms(i, 123456789u * i);
        assert_true(ms >= 1000 && ms <= 60000);
    }
    assert_true(edge_tg_backoff_ms(30, 0) >= 50000);
}

static void test_request_body(void **state)
{
    char buf[128], tiny[8];
    (void)state;
    size_t n = edge_tg_request_body(buf, sizeof(buf), 42, 25, 100);
    assert_string_equal(buf, "{\"offset\":42,\"timeout\":25,\"limit\":100}");
    assert_int_equal(n, strlen(buf));
    assert_int_equal(edge_tg_request_body(tiny, sizeof(tiny), 42, 25, 100), 0);
}

static void test_parse_result_ok_and_errors(void **state)
{
    edge_tg_result r;
    const char *ok = "{\"ok\":true,\"result\":{\"message_id\":42,\"date\":1700000000}}";
    const char *limited = "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many "
                          "Requests: retry after 7\",\"parameters\":{\"retry_after\":7}}";
    const char *bad = "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: "
                      "message text is empty\"}";
    (void)state;
    edge_tg_parse_result(ok, strlen(ok), 200, &r);
    assert_int_equal(r.ok, 1);
    assert_int_equal(json_integer_value(json_object_get(r.result, "message_id")), 42);
    json_decref(r.result);

    edge_tg_parse_result(limited, strlen(limited), 429, &r);
    assert_int_equal(r.ok, 0);
    assert_int_equal(r.retry_after, 7);
    assert_int_equal(r.permanent, 0);
    assert_null(r.result);

    edge_tg_parse_result(bad, strlen(bad), 400, &r);
    assert_int_equal(r.permanent, 1);
    assert_string_equal(r.error, "Bad Request: message text is empty");

    edge_tg_parse_result("<html>bad gateway</html>", 24, 502, &r);
    assert_int_equal(r.ok, 0);
    assert_int_equal(r.error_code, 502);
    assert_int_equal(r.permanent, 0);

    edge_tg_parse_result(NULL, 0, 0, &r);
    assert_int_equal(r.error_code, 0);
    assert_string_equal(r.error, "no HTTP response");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_updates),
        cmocka_unit_test(test_classify_empty_result),
        cmocka_unit_test(test_classify_429_retry_after),
        cmocka_unit_test(test_classify_api_error),
        cmocka_unit_test(test_classify_html_error_is_not_unparsable),
        cmocka_unit_test(test_classify_no_response),
        cmocka_unit_test(test_classify_lone_surrogate_is_unparsable),
        cmocka_unit_test(test_classify_truncated_200_is_unparsable),
        cmocka_unit_test(test_classify_wrong_shapes),
        cmocka_unit_test(test_scan_update_id_of_single_update),
        cmocka_unit_test(test_scan_ignores_update_id_inside_strings_and_deeper),
        cmocka_unit_test(test_scan_finds_every_update),
        cmocka_unit_test(test_scan_without_update_id),
        cmocka_unit_test(test_backoff_grows_and_caps),
        cmocka_unit_test(test_request_body),
        cmocka_unit_test(test_parse_result_ok_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
