/* edge_auth: cookie parsing, token shape, constant-time compare, Origin check, session JSON,
 * Set-Cookie values, the login limiter's in-flight cap and keys, and the session epoch. */
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

/* The counts live in Redis (one Lua script per attempt, for every edge: integration
 * 31-login-limit); what stays in the edge is the cap on logins in flight. */
static void test_limiter_in_flight_cap(void **state)
{
    (void)state;
    edge_limiter *l = edge_limiter_create(&P);
    assert_non_null(l);
    assert_int_equal(edge_limiter_enter(l), 0);
    assert_int_equal(edge_limiter_enter(l), 0);
    assert_int_equal(edge_limiter_enter(l), -1); /* 2 in flight: the cap */
    assert_int_equal(edge_limiter_in_flight(l), 2);
    edge_limiter_leave(l);
    assert_int_equal(edge_limiter_enter(l), 0);
    edge_limiter_leave(l);
    edge_limiter_leave(l);
    edge_limiter_leave(l); /* one too many: stays at 0 */
    assert_int_equal(edge_limiter_in_flight(l), 0);
    edge_limiter_destroy(l);
    edge_limiter *d = edge_limiter_create(NULL); /* the defaults: 8 */
    for (int i = 0; i < 8; i++) assert_int_equal(edge_limiter_enter(d), 0);
    assert_int_equal(edge_limiter_enter(d), -1);
    edge_limiter_destroy(d);
}

/* The account key holds a SHA-256 of the login, never the login: fixed length whatever was sent
 * (a 100 KB login makes an 83-byte key), and different logins different keys. */
static void test_limiter_keys(void **state)
{
    char a[128], b[128], big_key[128], ip[128];
    (void)state;
    assert_int_equal(edge_limiter_account_key("owner", a, sizeof(a)), 0);
    /* sha256("owner") */
    assert_string_equal(
        a, "{rt}:login:account:4c1029697ee358715d3a14a2add817c4b01651440de808371f78165ac90dc581");
    assert_int_equal(edge_limiter_account_key("Owner", b, sizeof(b)), 0);
    assert_string_not_equal(a, b);
    char *big = malloc(100001);
    assert_non_null(big);
    memset(big, 'x', 100000);
    big[100000] = '\0';
    assert_int_equal(edge_limiter_account_key(big, big_key, sizeof(big_key)), 0);
    assert_int_equal(strlen(big_key), strlen(a));
    assert_null(strstr(big_key, "xxxx"));
    free(big);
    assert_int_equal(edge_limiter_account_key(NULL, b, sizeof(b)), 0); /* no login: "" */
    assert_int_equal(edge_limiter_account_key("owner", b, 20), -1);    /* does not fit */
    assert_int_equal(edge_limiter_addr_key("2001:db8::7", ip, sizeof(ip)), 0);
    assert_string_equal(ip, "{rt}:login:addr:2001:db8::7");
}

/* The session keeps the admin's epoch; the actor of its SQL calls carries it. */
static void test_session_epoch(void **state)
{
    edge_session s = {0}, t;
    char actor[48];
    (void)state;
    s.admin_id = 12;
    strcpy(s.login, "ann");
    strcpy(s.role, "admin");
    strcpy(s.csrf_token, TOK);
    s.epoch = 3;
    char *j = edge_session_to_json(&s);
    assert_non_null(j);
    assert_int_equal(edge_session_from_json(j, strlen(j), &t), 0);
    assert_int_equal(t.epoch, 3);
    free(j);
    /* a session stored before the epoch existed is at epoch 0 */
    const char *old = "{\"admin_id\":1,\"login\":\"a\",\"role\":\"owner\",\"csrf_token\":\"" TOK
                      "\",\"created_at\":5}";
    assert_int_equal(edge_session_from_json(old, strlen(old), &t), 0);
    assert_int_equal(t.epoch, 0);
    const char *neg = "{\"admin_id\":1,\"login\":\"a\",\"role\":\"owner\",\"csrf_token\":\"" TOK
                      "\",\"epoch\":-1}";
    assert_int_equal(edge_session_from_json(neg, strlen(neg), &t), -1);
    assert_int_equal(edge_auth_actor(12, 3, actor, sizeof(actor)), 0);
    assert_string_equal(actor, "admin:12#3");
    assert_int_equal(
        edge_auth_actor(999999999999999999LL, 999999999999999999LL, actor, sizeof(actor)), 0);
    assert_int_equal(edge_auth_actor(12, 3, actor, 8), -1);
}

/* What the /ws upgrade checks without the database: the admins' epochs the edge loaded. */
static void test_epoch_floor(void **state)
{
    (void)state;
    assert_true(edge_auth_session_current(5, 0)); /* nothing known: the connect check decides */
    const char *j = "{\"5\": 2, \"6\": null, \"x\": 1, \"7\": \"3\"}";
    assert_int_equal(edge_auth_epochs_apply(j, strlen(j)), 0);
    assert_false(edge_auth_session_current(5, 1)); /* made before the last change */
    assert_true(edge_auth_session_current(5, 2));
    assert_false(edge_auth_session_current(6, 99)); /* disabled: every session */
    assert_true(edge_auth_session_current(7, 0));   /* a malformed entry is not believed */
    assert_true(edge_auth_session_current(8, 0));   /* an admin created since */
    edge_auth_epoch_at_least(5, 4);                 /* the database refused a session at 3 */
    assert_false(edge_auth_session_current(5, 3));
    edge_auth_epoch_at_least(5, 1); /* never lowered by a refusal */
    assert_false(edge_auth_session_current(5, 3));
    assert_int_equal(edge_auth_epochs_apply("[1]", 3), -1);
    assert_false(edge_auth_session_current(5, 3)); /* a bad answer changes nothing */
    const char *k = "{\"5\": 0}"; /* the database's word wins, also downwards (a DBA) */
    assert_int_equal(edge_auth_epochs_apply(k, strlen(k)), 0);
    assert_true(edge_auth_session_current(5, 0));
    assert_true(edge_auth_session_current(6, 0)); /* no longer listed: unknown */
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
        cmocka_unit_test(test_limiter_in_flight_cap),
        cmocka_unit_test(test_limiter_keys),
        cmocka_unit_test(test_session_epoch),
        cmocka_unit_test(test_epoch_floor),
        cmocka_unit_test(test_client_addr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
