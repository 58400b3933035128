/* edge_apidocs: the embedded spec is openapi/openapi.yaml, the docs page refers only to the
 * edge's own files, and Accept decides between the login redirect (a browser) and 401 (a
 * client). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_apidocs.h"

#ifndef EDGE_OPENAPI_PATH /* edge/Makefile passes the absolute path; this is it from edge/ */
#define EDGE_OPENAPI_PATH "../openapi/openapi.yaml"
#endif

static void test_spec_is_the_file(void **state)
{
    (void)state;
    size_t len;
    const char *spec = edge_apidocs_spec(&len);
    FILE *f = fopen(EDGE_OPENAPI_PATH, "rb");
    assert_non_null(f);
    char *buf = malloc(len + 1);
    assert_non_null(buf);
    size_t n = fread(buf, 1, len + 1, f);
    fclose(f);
    assert_int_equal(n, len); /* same size: not a byte more on disk */
    assert_memory_equal(buf, spec, len);
    free(buf);
    assert_true(strncmp(spec, "openapi: 3.1.0\n", 15) == 0);
    assert_non_null(strstr(spec, "  /api/openapi.yaml:\n"));
}

static void test_page_uses_only_own_files(void **state)
{
    (void)state;
    const char *page = edge_apidocs_page();
    assert_non_null(strstr(page, "<script src=\"/api-docs/swagger-ui-bundle.js\"></script>"));
    assert_non_null(strstr(page, "<script src=\"/api-docs/api-docs.js\"></script>"));
    assert_null(strstr(page, "http:"));
    assert_null(strstr(page, "https:"));
    assert_null(strstr(page, "//cdn"));
    assert_null(strstr(page, "<script>")); /* no inline script: the CSP's script-src 'self' */
}

static void test_accepts_html(void **state)
{
    (void)state;
    /* browsers' navigations */
    assert_true(edge_apidocs_accepts_html("text/html,application/xhtml+xml,application/xml;q=0.9,"
                                          "image/avif,image/webp,*/*;q=0.8"));
    assert_true(edge_apidocs_accepts_html(
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
    assert_true(edge_apidocs_accepts_html("TEXT/HTML"));
    assert_true(edge_apidocs_accepts_html("application/json;q=0.5, text/html"));
    assert_true(edge_apidocs_accepts_html("text/html ; level=1 ; q=0.7"));
    /* API clients */
    assert_false(edge_apidocs_accepts_html(NULL));
    assert_false(edge_apidocs_accepts_html(""));
    assert_false(edge_apidocs_accepts_html("*/*"));
    assert_false(edge_apidocs_accepts_html("application/json"));
    assert_false(edge_apidocs_accepts_html("application/problem+json, text/html;q=0.5"));
    assert_false(edge_apidocs_accepts_html("text/html;q=0"));
    assert_false(edge_apidocs_accepts_html("text/html;q=abc"));
    assert_false(edge_apidocs_accepts_html("text/html;q=2"));
    assert_false(edge_apidocs_accepts_html("text/htmlx, text/plain"));
    assert_false(edge_apidocs_accepts_html(" , ,, ;;q=1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_is_the_file),
        cmocka_unit_test(test_page_uses_only_own_files),
        cmocka_unit_test(test_accepts_html),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
