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

static const edge_limiter_params P = {3, 5, 300, 30, 60, 200, 2};

static void test_limiter_counts_before_the_check(void **state)
{
    (void)state;
    edge_limiter *l = edge_limiter_create(&P);
    assert_non_null(l);
    /* three attempts begin at once (none answered yet): the third locks the account */
    assert_int_equal(edge_limiter_begin(l, "owner", "1.1.1.1", 1000), 0);
    assert_int_equal(edge_limiter_begin(l, "owner", "1.1.1.2", 1000), 0);
    assert_int_equal(edge_limiter_begin(l, "owner", "1.1.1.3", 1000), 1); /* 2 in flight: cap */
    edge_limiter_end(l, "owner", "1.1.1.1", EDGE_LOGIN_WRONG);
    assert_int_equal(edge_limiter_begin(l, "owner", "1.1.1.3", 1000), 0);
    assert_int_equal(edge_limiter_begin(l, "owner", "1.1.1.4", 1000), 30); /* locked */
    edge_limiter_end(l, "owner", "1.1.1.2", EDGE_LOGIN_WRONG);
    edge_limiter_end(l, "owner", "1.1.1.3", EDGE_LOGIN_WRONG);
    assert_int_equal(edge_limiter_begin(l, "owner", "9.9.9.9", 1010), 20);
    assert_int_equal(edge_limiter_begin(l, "moderator", "9.9.9.9", 1010), 0); /* per account */
    edge_limiter_end(l, "moderator", "9.9.9.9", EDGE_LOGIN_OK);
    /* another account's success does not clear the owner's lock */
    assert_int_equal(edge_limiter_begin(l, "owner", "9.9.9.9", 1011), 19);
    edge_limiter_destroy(l);
}

static void test_limiter_backoff_doubles(void **state)
{
    (void)state;
    edge_limiter *l = edge_limiter_create(&P);
    time_t t = 1000;
    int expect[] = {30, 60, 120, 200, 200}; /* doubling, capped at lock_max_sec */
    for (int k = 0; k < 5; k++) {
        for (int i = 0; i < 3; i++) { /* each from another address */
            char ip[32];
            snprintf(ip, sizeof(ip), "2.2.%d.%d", k, i);
            assert_int_equal(edge_limiter_begin(l, "acct", ip, t), 0);
            edge_limiter_end(l, "acct", ip, EDGE_LOGIN_WRONG);
        }
        assert_int_equal(edge_limiter_begin(l, "acct", "3.3.3.3", t), expect[k]);
        t += expect[k];
    }
    edge_limiter_destroy(l);
}

static void test_limiter_success_and_no_answer(void **state)
{
    (void)state;
    edge_limiter *l = edge_limiter_create(&P);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(edge_limiter_begin(l, "a", "4.4.4.4", 1), 0);
        edge_limiter_end(l, "a", "4.4.4.4", EDGE_LOGIN_WRONG);
    }
    /* the right password before the lock: the account starts over */
    assert_int_equal(edge_limiter_begin(l, "a", "4.4.4.4", 2), 0);
    edge_limiter_end(l, "a", "4.4.4.4", EDGE_LOGIN_OK);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(edge_limiter_begin(l, "a", "5.5.5.5", 3), 0);
        edge_limiter_end(l, "a", "5.5.5.5", EDGE_LOGIN_NONE); /* database away: not counted */
    }
    assert_int_equal(edge_limiter_begin(l, "a", "5.5.5.5", 3), 0);
    edge_limiter_end(l, "a", "5.5.5.5", EDGE_LOGIN_WRONG);
    assert_int_equal(edge_limiter_begin(l, "a", "5.5.5.5", 3), 0);
    edge_limiter_end(l, "a", "5.5.5.5", EDGE_LOGIN_WRONG);
    assert_int_equal(edge_limiter_begin(l, "a", "5.5.5.5", 3), 0); /* third: locks */
    edge_limiter_end(l, "a", "5.5.5.5", EDGE_LOGIN_WRONG);
    assert_true(edge_limiter_begin(l, "a", "6.6.6.6", 4) > 0);
    edge_limiter_destroy(l);
}

static void test_limiter_per_address(void **state)
{
    char acct[32];
    (void)state;
    edge_limiter *l = edge_limiter_create(&P);
    for (int i = 0; i < 5; i++) { /* one address guessing many accounts */
        snprintf(acct, sizeof(acct), "user%d", i);
        assert_int_equal(edge_limiter_begin(l, acct, "7.7.7.7", 10), 0);
        edge_limiter_end(l, acct, "7.7.7.7", EDGE_LOGIN_WRONG);
    }
    assert_int_equal(edge_limiter_begin(l, "user9", "7.7.7.7", 10), 60);
    assert_int_equal(edge_limiter_begin(l, "user9", "7.7.7.8", 10), 0);
    edge_limiter_destroy(l);
}

static void test_limiter_table_is_bounded(void **state)
{
    char acct[32];
    (void)state;
    edge_limiter *l = edge_limiter_create(&P);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(edge_limiter_begin(l, "victim", "8.8.8.8", 1), 0);
        edge_limiter_end(l, "victim", "8.8.8.8", EDGE_LOGIN_WRONG);
    }
    for (int i = 0; i < 10000; i++) { /* a flood of accounts evicts, never grows, and */
        snprintf(acct, sizeof(acct), "flood%d", i); /* never evicts a locked key first */
        char ip[32];
        snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 256, i % 256);
        edge_limiter_begin(l, acct, ip, 2);
        edge_limiter_end(l, acct, ip, EDGE_LOGIN_WRONG);
    }
    assert_true(edge_limiter_begin(l, "victim", "8.8.4.4", 3) > 0);
    edge_limiter_destroy(l);
}

static void test_client_addr(void **state)
{
    char out[64];
    (void)state;
    edge_client_addr("10.0.0.5", "1.2.3.4", "", out, sizeof(out));
    assert_string_equal(out, "10.0.0.5"); /* no trusted proxy: X-Forwarded-For ignored */
    edge_client_addr("10.0.0.5", "1.2.3.4", "10.0.0.1", out, sizeof(out));
    assert_string_equal(out, "10.0.0.5"); /* peer not trusted */
    edge_client_addr("10.0.0.5", "1.2.3.4", "10.0.0.0/8", out, sizeof(out));
    assert_string_equal(out, "1.2.3.4");
    /* the client forged the left part; the rightmost untrusted hop is who reached our proxy */
    edge_client_addr("10.0.0.5", "6.6.6.6, 1.2.3.4, 10.1.1.1", "10.0.0.0/8", out, sizeof(out));
    assert_string_equal(out, "1.2.3.4");
    edge_client_addr("10.0.0.5", "garbage", "10.0.0.0/8", out, sizeof(out));
    assert_string_equal(out, "10.0.0.5");
    edge_client_addr("::1", "2001:db8::7", "::1,127.0.0.1", out, sizeof(out));
    assert_string_equal(out, "2001:db8::7");
    assert_true(edge_ip_in_list("192.168.1.200", "10.0.0.1, 192.168.1.128/25"));
    assert_false(edge_ip_in_list("192.168.1.100", "10.0.0.1, 192.168.1.128/25"));
    assert_true(edge_ip_list_is_valid(""));
    assert_true(edge_ip_list_is_valid("127.0.0.1, 10.0.0.0/8,::1,fd00::/8"));
    assert_false(edge_ip_list_is_valid("127.0.0.1,"));
    assert_false(edge_ip_list_is_valid("10.0.0.0/33"));
    assert_false(edge_ip_list_is_valid("proxy.local"));
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
        cmocka_unit_test(test_limiter_counts_before_the_check),
        cmocka_unit_test(test_limiter_backoff_doubles),
        cmocka_unit_test(test_limiter_success_and_no_answer),
        cmocka_unit_test(test_limiter_per_address),
        cmocka_unit_test(test_limiter_table_is_bounded),
        cmocka_unit_test(test_client_addr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
