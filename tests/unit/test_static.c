/* edge_static: Accept-Encoding negotiation, Cache-Control of static files, hidden files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "edge_static.h"

#define ALL (EDGE_CODING_MASK(EDGE_CODING_GZIP) | EDGE_CODING_MASK(EDGE_CODING_BR))
#define GZ EDGE_CODING_MASK(EDGE_CODING_GZIP)
#define BR EDGE_CODING_MASK(EDGE_CODING_BR)

static void test_pick_prefers_br_then_gzip(void **state)
{
    (void)state;
    assert_int_equal(edge_static_pick_encoding("gzip, deflate, br, zstd", ALL), EDGE_CODING_BR);
    assert_int_equal(edge_static_pick_encoding("gzip, deflate, br", GZ), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("gzip", ALL), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("br", GZ), EDGE_CODING_IDENTITY);
    assert_int_equal(edge_static_pick_encoding("gzip, br", 0), EDGE_CODING_IDENTITY);
    assert_int_equal(edge_static_pick_encoding("x-gzip", ALL), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("GZip, BR", ALL), EDGE_CODING_BR);
}

static void test_pick_without_header_is_identity(void **state)
{
    (void)state;
    assert_int_equal(edge_static_pick_encoding(NULL, ALL), EDGE_CODING_IDENTITY);
    assert_int_equal(edge_static_pick_encoding("", ALL), EDGE_CODING_IDENTITY);
    assert_int_equal(edge_static_pick_encoding("identity", ALL), EDGE_CODING_IDENTITY);
    assert_int_equal(edge_static_pick_encoding("deflate, zstd", ALL), EDGE_CODING_IDENTITY);
    assert_int_equal(edge_static_pick_encoding(" , ,, ", ALL), EDGE_CODING_IDENTITY);
}

static void test_pick_honours_q_values(void **state)
{
    (void)state;
    assert_int_equal(edge_static_pick_encoding("br;q=0, gzip", ALL), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("br; q=0 , gzip;q=1.0", ALL), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("br;Q=0.000, gzip", ALL), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("br;q=0.5, gzip;q=0.8", ALL), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("br;q=0.9, gzip;q=0.8", ALL), EDGE_CODING_BR);
    assert_int_equal(edge_static_pick_encoding("gzip;q=0.5, br;q=0.5", ALL), EDGE_CODING_BR);
    assert_int_equal(edge_static_pick_encoding("gzip;q=0, br;q=0", ALL), EDGE_CODING_IDENTITY);
    /* identity named with a higher weight than the codings */
    assert_int_equal(edge_static_pick_encoding("identity, gzip;q=0.5", ALL), EDGE_CODING_IDENTITY);
    assert_int_equal(edge_static_pick_encoding("identity;q=0.1, gzip;q=0.5", ALL),
                     EDGE_CODING_GZIP);
    /* the best weight of a coding named twice */
    assert_int_equal(edge_static_pick_encoding("br;q=0, br;q=0.3, gzip;q=0.2", ALL),
                     EDGE_CODING_BR);
    /* other parameters are skipped */
    assert_int_equal(edge_static_pick_encoding("br;level=5;q=0, gzip", ALL), EDGE_CODING_GZIP);
}

static void test_pick_star(void **state)
{
    (void)state;
    assert_int_equal(edge_static_pick_encoding("*", ALL), EDGE_CODING_BR);
    assert_int_equal(edge_static_pick_encoding("*", GZ), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("br;q=0, *", ALL), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("*;q=0", ALL), EDGE_CODING_IDENTITY);
    assert_int_equal(edge_static_pick_encoding("*;q=0, gzip", ALL), EDGE_CODING_GZIP);
    /* "*" covers identity too, so a named coding with a lower weight loses to it */
    assert_int_equal(edge_static_pick_encoding("*;q=0.9, br;q=0.5", BR), EDGE_CODING_IDENTITY);
    /* identity refused and nothing else available: the file goes as it is (no 406) */
    assert_int_equal(edge_static_pick_encoding("identity;q=0, br", GZ), EDGE_CODING_IDENTITY);
}

static void test_pick_ignores_malformed_weights(void **state)
{
    (void)state;
    /* a malformed q drops its element, so br is not accepted here */
    assert_int_equal(edge_static_pick_encoding("br;q=2, gzip", ALL), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("br;q=1.5, gzip", ALL), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("br;q=0.1234, gzip", ALL), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("br;q=abc, gzip", ALL), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("br;q=, gzip", ALL), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("br;q, gzip", ALL), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("br;q=-1, gzip", ALL), EDGE_CODING_GZIP);
    assert_int_equal(edge_static_pick_encoding("brotli, gzip2, gzipx", ALL), EDGE_CODING_IDENTITY);
    assert_int_equal(edge_static_pick_encoding(";q=1, ;;, =, br", ALL), EDGE_CODING_BR);
    /* a long header of junk is walked to its end */
    char junk[4096];
    memset(junk, 'a', sizeof(junk) - 1);
    junk[sizeof(junk) - 1] = '\0';
    junk[100] = ';';
    junk[2000] = ',';
    assert_int_equal(edge_static_pick_encoding(junk, ALL), EDGE_CODING_IDENTITY);
}

static void test_coding_names(void **state)
{
    (void)state;
    assert_string_equal(edge_static_coding_name(EDGE_CODING_BR), "br");
    assert_string_equal(edge_static_coding_name(EDGE_CODING_GZIP), "gzip");
    assert_null(edge_static_coding_name(EDGE_CODING_IDENTITY));
}

static void test_cache_control(void **state)
{
    (void)state;
    assert_string_equal(edge_static_cache_control("/assets/index-Dd6v3gad.js", 1),
                        "public, max-age=31536000, immutable");
    assert_string_equal(edge_static_cache_control("/assets/missing.js", 0), "no-cache");
    assert_string_equal(edge_static_cache_control("/index.html", 1), "no-cache");
    assert_string_equal(edge_static_cache_control("/", 1), "no-cache");
    assert_string_equal(edge_static_cache_control("/chats/5", 0), "no-cache");
    assert_string_equal(edge_static_cache_control("/assetsx/a.js", 1), "no-cache");
    assert_string_equal(edge_static_cache_control("/favicon.svg", 1), "no-cache");
}

static void test_hidden_files(void **state)
{
    (void)state;
    assert_true(edge_static_is_hidden("/assets/index-Dd6v3gad.js.map"));
    assert_true(edge_static_is_hidden("/assets/index.css.MAP"));
    assert_true(edge_static_is_hidden("/assets/index-Dd6v3gad.js.gz"));
    assert_true(edge_static_is_hidden("/assets/index-Dd6v3gad.js.br"));
    assert_true(edge_static_is_hidden(NULL));
    assert_false(edge_static_is_hidden("/assets/index-Dd6v3gad.js"));
    assert_false(edge_static_is_hidden("/chats/map"));
    assert_false(edge_static_is_hidden("/"));
}

static void test_etag(void **state)
{
    char tag[64];
    (void)state;
    assert_int_equal(edge_static_etag(tag, sizeof(tag), 0x65f0, 0x1a, 1234, EDGE_CODING_BR), 0);
    assert_string_equal(tag, "\"65f0.1a-4d2-br\"");
    assert_int_equal(edge_static_etag(tag, sizeof(tag), 0x65f0, 0x1a, 1234, EDGE_CODING_GZIP), 0);
    assert_string_equal(tag, "\"65f0.1a-4d2-gz\"");
    assert_int_equal(edge_static_etag(tag, sizeof(tag), 0x65f0, 0, 1234, EDGE_CODING_IDENTITY), 0);
    assert_string_equal(tag, "\"65f0.0-4d2\"");
    assert_int_equal(edge_static_etag(tag, 8, 0x65f0, 0, 1234, EDGE_CODING_BR), -1);
}

static void test_etag_match(void **state)
{
    const char *tag = "\"65f0.1a-4d2-br\"";
    (void)state;
    assert_true(edge_static_etag_match("\"65f0.1a-4d2-br\"", tag));
    assert_true(edge_static_etag_match("W/\"65f0.1a-4d2-br\"", tag)); /* weak comparison */
    assert_true(edge_static_etag_match("\"x\", \"65f0.1a-4d2-br\"", tag));
    assert_true(edge_static_etag_match(" \"x\" ,W/\"65f0.1a-4d2-br\" ", tag));
    assert_true(edge_static_etag_match("*", tag));
    assert_false(edge_static_etag_match("\"65f0.1a-4d2-gz\"", tag)); /* another coding */
    assert_false(edge_static_etag_match("\"65f0.1a-4d2\"", tag));
    assert_false(edge_static_etag_match("\"65f0.1a-4d2-br", tag));      /* unterminated */
    assert_false(edge_static_etag_match("65f0.1a-4d2-br", tag));        /* unquoted */
    assert_false(edge_static_etag_match("x, \"65f0.1a-4d2-br\"", tag)); /* stops at junk */
    assert_false(edge_static_etag_match("", tag));
    assert_false(edge_static_etag_match(NULL, tag));
    assert_false(edge_static_etag_match("\"\"", tag));
    assert_false(edge_static_etag_match("\"a\"", ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pick_prefers_br_then_gzip),
        cmocka_unit_test(test_pick_without_header_is_identity),
        cmocka_unit_test(test_pick_honours_q_values),
        cmocka_unit_test(test_pick_star),
        cmocka_unit_test(test_pick_ignores_malformed_weights),
        cmocka_unit_test(test_coding_names),
        cmocka_unit_test(test_cache_control),
        cmocka_unit_test(test_hidden_files),
        cmocka_unit_test(test_etag),
        cmocka_unit_test(test_etag_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
