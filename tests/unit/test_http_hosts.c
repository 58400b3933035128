/* edge_http_host_allowed: the Host check against DNS rebinding (RT_HTTP_HOSTS). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "edge_http_int.h"

static edge_config cfg_with(const char *bind, const char *hosts)
{
    edge_config c;
    memset(&c, 0, sizeof(c));
    snprintf(c.http_host, sizeof(c.http_host), "%s", bind);
    c.http_port = 8080;
    snprintf(c.http_hosts, sizeof(c.http_hosts), "%s", hosts);
    return c;
}

static void test_defaults_are_localhost_the_bind_name_and_addresses(void **state)
{
    (void)state;
    edge_config c = cfg_with("admin.internal", "");
    const char *ok[] = {"localhost",
                        "localhost:8080",
                        "LocalHost:5173",
                        "127.0.0.1",
                        "127.0.0.1:8080",
                        "[::1]",
                        "[::1]:8080",
                        "10.0.0.5:8080",
                        "192.168.1.20",
                        "[fe80::1]:80",
                        "admin.internal",
                        "Admin.Internal:8080",
                        NULL};
    for (int i = 0; ok[i]; i++) assert_true(edge_http_host_allowed(&c, ok[i]));
    const char *bad[] = {"evil.example",
                         "evil.example:8080",
                         "localhost.evil.example",
                         "127.0.0.1.nip.io",
                         "localhos",
                         "",
                         "::1",
                         ":8080",
                         "[::1",
                         "[evil.example]",
                         "1.2.3",
                         "1.2.3.4.5",
                         "[::1]x",
                         NULL};
    for (int i = 0; bad[i]; i++) assert_false(edge_http_host_allowed(&c, bad[i]));
    assert_false(edge_http_host_allowed(&c, NULL));
}

static void test_configured_names_replace_the_defaults(void **state)
{
    (void)state;
    edge_config c = cfg_with("127.0.0.1", "admin.example.org, 127.0.0.1 ,app.example.org:443");
    assert_true(edge_http_host_allowed(&c, "admin.example.org"));
    assert_true(edge_http_host_allowed(&c, "ADMIN.example.org:8443"));
    assert_true(edge_http_host_allowed(&c, "127.0.0.1:8080"));
    assert_true(edge_http_host_allowed(&c, "app.example.org:443"));
    assert_false(edge_http_host_allowed(&c, "app.example.org")); /* the entry names a port */
    assert_false(edge_http_host_allowed(&c, "app.example.org:80"));
    assert_false(edge_http_host_allowed(&c, "localhost"));
    assert_false(edge_http_host_allowed(&c, "example.org"));
}

static void test_star_allows_every_host(void **state)
{
    (void)state;
    edge_config c = cfg_with("0.0.0.0", "*");
    assert_true(edge_http_host_allowed(&c, "anything.example:1"));
    assert_false(edge_http_host_allowed(&c, "")); /* but a Host is still required */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_localhost_the_bind_name_and_addresses),
        cmocka_unit_test(test_configured_names_replace_the_defaults),
        cmocka_unit_test(test_star_allows_every_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
