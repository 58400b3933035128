/* edge_auth: cookie parsing, token shape, constant-time compare, Origin check, session JSON,
 * Set-Cookie values and the failed-login limiter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_auth.h"

#define TOK "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_cookie_finds_among_many(void **state)
{
    char v[80];
    (void)state;
    assert_int_equal(edge_cookie_get("a=1; rt_session=" TOK "; b=2", "rt_session", v, sizeof(v)),
                     0);
    assert_string_equal(v, TOK);
    assert_int_equal(edge_cookie_get("rt_session=x;other=y", "other", v, sizeof(v)), 0);
    assert_string_equal(v, "y");
    assert_int_equal(edge_cookie_get("  rt_session = abc ", "rt_session", v, sizeof(v)), 0);
    assert_string_equal(v, "abc");
}

static void test_cookie_strips_quotes(void **state)
{
    char v[80];
    (void)state;
    assert_int_equal(edge_cookie_get("rt_session=\"abc\"", "rt_session", v, sizeof(v)), 0);
    assert_string_equal(v, "abc");
}

static void test_cookie_missing_or_bad(void **state)
{
    char v[8];
    (void)state;
    assert_int_equal(edge_cookie_get("a=1; b=2", "rt_session", v, sizeof(v)), -1);
    assert_int_equal(edge_cookie_get("xrt_session=1", "rt_session", v, sizeof(v)), -1);
    assert_int_equal(edge_cookie_get("rt_session=", "rt_session", v, sizeof(v)), -1);
    assert_int_equal(edge_cookie_get("rt_session=\"\"", "rt_session", v, sizeof(v)), -1);
    assert_int_equal(edge_cookie_get("rt_session=12345678", "rt_session", v, sizeof(v)), -1);
    assert_int_equal(edge_cookie_get("", "rt_session", v, sizeof(v)), -1);
    assert_int_equal(edge_cookie_get(NULL, "rt_session", v, sizeof(v)), -1);
    assert_int_equal(edge_cookie_get("rt_session", "rt_session", v, sizeof(v)), -1);
}

static void test_token_shape(void **state)
{
    char t[EDGE_TOKEN_HEX + 1], u[EDGE_TOKEN_HEX + 1];
    (void)state;
    assert_true(edge_token_is_valid(TOK));
    assert_false(edge_token_is_valid("0123"));
    assert_false(edge_token_is_valid(TOK "0"));
    assert_false(
        edge_token_is_valid("0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
    assert_false(edge_token_is_valid(NULL));
    assert_int_equal(edge_token_new(t), 0);
    assert_int_equal(edge_token_new(u), 0);
    assert_true(edge_token_is_valid(t));
    assert_string_not_equal(t, u);
}

static void test_ct_equal(void **state)
{
    (void)state;
    assert_true(edge_ct_equal(TOK, TOK));
    assert_false(
        edge_ct_equal(TOK, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdee"));
    assert_false(edge_ct_equal("abc", "abcd"));
    assert_false(edge_ct_equal("abcd", "abc"));
    assert_false(edge_ct_equal("", "a"));
    assert_true(edge_ct_equal("", ""));
    assert_false(edge_ct_equal(NULL, "a"));
}

static void test_origin_matches_host(void **state)
{
    (void)state;
    assert_true(edge_origin_matches_host("http://127.0.0.1:8080", "127.0.0.1:8080"));
    assert_true(edge_origin_matches_host("https://Example.com", "example.com"));
    assert_false(edge_origin_matches_host("http://evil.com", "127.0.0.1:8080"));
    assert_false(edge_origin_matches_host("http://127.0.0.1:8081", "127.0.0.1:8080"));
    assert_false(edge_origin_matches_host("http://127.0.0.1:8080.evil.com", "127.0.0.1:8080"));
    assert_false(edge_origin_matches_host("null", "127.0.0.1:8080"));
    assert_false(edge_origin_matches_host("http://x", ""));
}

static void test_session_json_roundtrip(void **state)
{
    edge_session s = {0}, t;
    (void)state;
    s.admin_id = 7;
    strcpy(s.login, "ann");
    strcpy(s.role, "owner");
    strcpy(s.csrf_token, TOK);
    s.created_at = 1700000000;
    char *j = edge_session_to_json(&s);
    assert_non_null(j);
    assert_int_equal(edge_session_from_json(j, strlen(j), &t), 0);
    assert_int_equal(t.admin_id, 7);
    assert_string_equal(t.login, "ann");
    assert_string_equal(t.role, "owner");
    assert_string_equal(t.csrf_token, TOK);
    free(j);
    assert_int_equal(edge_session_from_json("{}", 2, &t), -1);
    assert_int_equal(edge_session_from_json("not json", 8, &t), -1);
    const char *bad =
        "{\"admin_id\":1,\"login\":\"a\",\"role\":\"owner\",\"csrf_token\":\"short\"}";
    assert_int_equal(edge_session_from_json(bad, strlen(bad), &t), -1);
}

static void test_cookie_headers(void **state)
{
    char c[256];
    (void)state;
    edge_cookie_set(c, sizeof(c), TOK, 0);
    assert_string_equal(c, "rt_session=" TOK "; HttpOnly; SameSite=Strict; Path=/");
    edge_cookie_set(c, sizeof(c), TOK, 1);
    assert_non_null(strstr(c, "; Secure"));
    edge_cookie_clear(c, sizeof(c), 0);
    assert_non_null(strstr(c, "rt_session=;"));
    assert_non_null(strstr(c, "Max-Age=0"));
}

static void test_limiter_blocks_after_max_failures(void **state)
{
    (void)state;
    edge_limiter *l = edge_limiter_create(3, 300);
    assert_non_null(l);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(edge_limiter_check(l, "1.2.3.4", 1000 + i), 0);
        edge_limiter_fail(l, "1.2.3.4", 1000 + i);
    }
    assert_int_equal(edge_limiter_check(l, "1.2.3.4", 1010), 290);
    assert_int_equal(edge_limiter_check(l, "5.6.7.8", 1010), 0); /* per address */
    assert_int_equal(edge_limiter_check(l, "1.2.3.4", 1300), 0); /* window over */
    edge_limiter_destroy(l);
}

static void test_limiter_reset_on_success(void **state)
{
    (void)state;
    edge_limiter *l = edge_limiter_create(2, 300);
    edge_limiter_fail(l, "ip", 1);
    edge_limiter_reset(l, "ip");
    edge_limiter_fail(l, "ip", 2);
    assert_int_equal(edge_limiter_check(l, "ip", 3), 0);
    edge_limiter_fail(l, "ip", 3);
    assert_true(edge_limiter_check(l, "ip", 4) > 0);
    edge_limiter_destroy(l);
}

static void test_limiter_table_is_bounded(void **state)
{
    char ip[32];
    (void)state;
    edge_limiter *l = edge_limiter_create(1, 300);
    edge_limiter_fail(l, "victim", 1);
    for (int i = 0; i < 5000; i++) { /* a flood of addresses evicts, never grows */
        snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 256, i % 256);
        edge_limiter_fail(l, ip, 2 + i / 1000);
    }
    snprintf(ip, sizeof(ip), "10.0.%d.%d", 4999 / 256, 4999 % 256);
    assert_true(edge_limiter_check(l, ip, 10) > 0);
    edge_limiter_destroy(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookie_finds_among_many),
        cmocka_unit_test(test_cookie_strips_quotes),
        cmocka_unit_test(test_cookie_missing_or_bad),
        cmocka_unit_test(test_token_shape),
        cmocka_unit_test(test_ct_equal),
        cmocka_unit_test(test_origin_matches_host),
        cmocka_unit_test(test_session_json_roundtrip),
        cmocka_unit_test(test_cookie_headers),
        cmocka_unit_test(test_limiter_blocks_after_max_failures),
        cmocka_unit_test(test_limiter_reset_on_success),
        cmocka_unit_test(test_limiter_table_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
