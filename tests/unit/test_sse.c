/* edge_sse: line ends, comments, BOM, multi-line data, splits at any byte, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "edge_sse.h"

/* The dispatched events, rendered as "<event>|<data>;" one after the other. */
typedef struct seen {
    char log[4096];
    size_t len;
    int events;
    int stop_after; /* > 0: the callback fails on that event */
} seen;

static int on_event(const char *event, const char *data, size_t len, void *ud)
{
    seen *s = ud;
    assert_int_equal(data[len], '\0');
    assert_int_equal(strlen(data), len); /* no NUL inside in these tests */
    s->len += (size_t)snprintf(s->log + s->len, sizeof(s->log) - s->len, "%s|%s;", event, data);
    s->events++;
    return s->stop_after && s->events >= s->stop_after ? EDGE_ERR : EDGE_OK;
}

/* Decodes in in one feed, then split in two at every offset, then byte by byte; all three must
 * give expect. */
static void decode_all_ways(const char *in, const char *expect)
{
    size_t len = strlen(in);
    for (size_t cut = 0; cut <= len + 1; cut++) {
        edge_sse d;
        seen s = {.len = 0};
        edge_sse_init(&d, 1024);
        if (cut <= len) {
            assert_int_equal(edge_sse_feed(&d, in, cut, on_event, &s), EDGE_OK);
            assert_int_equal(edge_sse_feed(&d, in + cut, len - cut, on_event, &s), EDGE_OK);
        } else {
            for (size_t i = 0; i < len; i++)
                assert_int_equal(edge_sse_feed(&d, in + i, 1, on_event, &s), EDGE_OK);
        }
        assert_string_equal(s.log, expect);
        edge_sse_free(&d);
    }
}

static void test_sse_single_event(void **state)
{
    (void)state;
    decode_all_ways("data: hello\n\n", "|hello;");
}

static void test_sse_multiline_data_joined(void **state)
{
    (void)state;
    decode_all_ways("data: a\ndata: b\ndata\ndata:c\n\n", "|a\nb\n\nc;");
}

static void test_sse_line_ends_lf_crlf_cr(void **state)
{
    (void)state;
    decode_all_ways("data: lf\n\n"
                    "data: crlf\r\n\r\n"
                    "data: cr\r\r"
                    "data: mixed\r\ndata: x\r\n\n"
                    "data: cr-then-lf\r\r\n",
                    "|lf;|crlf;|cr;|mixed\nx;|cr-then-lf;");
}

static void test_sse_comments_ignored(void **state)
{
    (void)state;
    decode_all_ways(": keep-alive\n\n:\n: more\r\ndata: x\n: inside\ndata: y\n\n: bye\n\n",
                    "|x\ny;");
}

static void test_sse_event_name_and_reset(void **state)
{
    (void)state;
    decode_all_ways("event: ping\ndata: {}\n\ndata: no-name\n\nevent: e\nevent: last\ndata: 1\n\n",
                    "ping|{};|no-name;last|1;");
}

static void test_sse_event_without_data_not_dispatched(void **state)
{
    (void)state;
    decode_all_ways("event: lonely\n\ndata: x\n\n", "|x;");
}

static void test_sse_value_spaces_and_unknown_fields(void **state)
{
    (void)state;
    decode_all_ways("id: 7\nretry: 100\nfoo: bar\ndata:no-space\ndata:  two\ndata: :colon: \n\n",
                    "|no-space\n two\n:colon: ;");
}

static void test_sse_bom_skipped(void **state)
{
    (void)state;
    decode_all_ways("\xEF\xBB\xBF"
                    "data: after-bom\n\n",
                    "|after-bom;");
    /* only the first BOM is dropped; a BOM-like start that is not one stays in the line */
    decode_all_ways("\xEF\xBB"
                    "data: x\n\ndata: y\n\n",
                    "|y;");
    decode_all_ways("\xEF\xBB\xBF\xEF\xBB\xBF"
                    "data: x\n\ndata: y\n\n",
                    "|y;");
}

static void test_sse_utf8_split_anywhere(void **state)
{
    (void)state;
    decode_all_ways("data: \xF0\x9F\x98\x80 \xD0\x9F\xD1\x80\xD0\xB8\n\n",
                    "|\xF0\x9F\x98\x80 \xD0\x9F\xD1\x80\xD0\xB8;");
}

static void test_sse_truncated_event_not_dispatched(void **state)
{
    (void)state;
    decode_all_ways("data: done\n\ndata: cut", "|done;");
    decode_all_ways("data: done\n\ndata: cut\n", "|done;");
}

static void test_sse_oversized_event_fails(void **state)
{
    edge_sse d;
    seen s = {.len = 0};
    char big[200];
    (void)state;
    memset(big, 'x', sizeof(big));
    edge_sse_init(&d, 64);
    /* many events each under the limit are fine */
    for (int i = 0; i < 100; i++)
        assert_int_equal(edge_sse_feed(&d, "data: 0123456789\n\n", 18, on_event, &s), EDGE_OK);
    assert_int_equal(s.events, 100);
    /* data lines add up: the sixth 11-byte line of one event goes over 64 */
    const char *line = "data: 0123456789\n";
    int rc = EDGE_OK, lines = 0;
    while (rc == EDGE_OK && lines < 10) {
        rc = edge_sse_feed(&d, line, 17, on_event, &s);
        lines++;
    }
    assert_int_equal(rc, EDGE_ERR);
    assert_int_equal(lines, 6);
    assert_non_null(strstr(d.errstr, "larger than 64"));
    /* the decoder stays failed */
    assert_int_equal(edge_sse_feed(&d, "\n", 1, on_event, &s), EDGE_ERR);
    assert_int_equal(s.events, 100);
    edge_sse_free(&d);

    /* one long line without its end, fed in pieces */
    edge_sse_init(&d, 64);
    assert_int_equal(edge_sse_feed(&d, big, 60, on_event, &s), EDGE_OK);
    assert_int_equal(edge_sse_feed(&d, big, 10, on_event, &s), EDGE_ERR);
    edge_sse_free(&d);

    /* exactly at the limit passes */
    edge_sse_init(&d, 8);
    assert_int_equal(edge_sse_feed(&d, "data: ab\n\n", 10, on_event, &s), EDGE_OK);
    assert_int_equal(edge_sse_feed(&d, "data: abc\n\n", 11, on_event, &s), EDGE_ERR);
    edge_sse_free(&d);
}

static void test_sse_callback_stops_feed(void **state)
{
    edge_sse d;
    seen s = {.stop_after = 2};
    const char *in = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
    (void)state;
    edge_sse_init(&d, 0);
    assert_int_equal(edge_sse_feed(&d, in, strlen(in), on_event, &s), EDGE_ERR);
    assert_int_equal(s.events, 2);
    assert_non_null(strstr(d.errstr, "callback"));
    edge_sse_free(&d);
}

static void test_sse_reusable_after_free(void **state)
{
    edge_sse d;
    seen s = {.len = 0};
    (void)state;
    edge_sse_init(&d, 0);
    assert_int_equal(edge_sse_feed(&d, "data: half", 10, on_event, &s), EDGE_OK);
    edge_sse_free(&d);
    edge_sse_free(&d); /* twice is harmless */
    edge_sse_init(&d, 0);
    assert_int_equal(edge_sse_feed(&d, "data: new\n\n", 11, on_event, &s), EDGE_OK);
    assert_string_equal(s.log, "|new;");
    edge_sse_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sse_single_event),
        cmocka_unit_test(test_sse_multiline_data_joined),
        cmocka_unit_test(test_sse_line_ends_lf_crlf_cr),
        cmocka_unit_test(test_sse_comments_ignored),
        cmocka_unit_test(test_sse_event_name_and_reset),
        cmocka_unit_test(test_sse_event_without_data_not_dispatched),
        cmocka_unit_test(test_sse_value_spaces_and_unknown_fields),
        cmocka_unit_test(test_sse_bom_skipped),
        cmocka_unit_test(test_sse_utf8_split_anywhere),
        cmocka_unit_test(test_sse_truncated_event_not_dispatched),
        cmocka_unit_test(test_sse_oversized_event_fails),
        cmocka_unit_test(test_sse_callback_stops_feed),
        cmocka_unit_test(test_sse_reusable_after_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
