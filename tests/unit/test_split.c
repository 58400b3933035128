/* edge_split: Telegram-sized parts at paragraph / line / word boundaries, fences, UTF-8. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_split.h"

#define MAXSP 8192

static int ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* The invariants every split keeps; returns the number of spans. */
static size_t split_checked(const char *t, size_t max, edge_span *sp)
{
    size_t len = strlen(t), n = edge_split_text(t, len, max, sp, MAXSP), prev_end = 0;
    size_t i, k = 0;
    assert_true(n <= MAXSP);
    for (i = 0; i < n; i++) {
        const char *s = t + sp[i].off;
        assert_true(sp[i].len > 0);
        assert_true(sp[i].off >= prev_end);
        assert_true(sp[i].off + sp[i].len <= len);
        assert_false(ws(s[0]));
        assert_false(ws(s[sp[i].len - 1]));
        assert_true(edge_split_units(s, sp[i].len) <= max);
        /* never inside a UTF-8 sequence */
        assert_true(((unsigned char)s[0] & 0xC0) != 0x80);
        assert_true(sp[i].off + sp[i].len == len || ((unsigned char)s[sp[i].len] & 0xC0) != 0x80);
        /* only whitespace between parts */
        for (size_t j = prev_end; j < sp[i].off; j++) assert_true(ws(t[j]));
        prev_end = sp[i].off + sp[i].len;
    }
    for (i = prev_end; i < len; i++) assert_true(ws(t[i]));
    /* the non-whitespace text is all there, in order */
    for (i = 0; i < n; i++)
        for (size_t j = 0; j < sp[i].len; j++) k += !ws(t[sp[i].off + j]);
    for (i = 0; i < len; i++) k -= !ws(t[i]);
    assert_int_equal(k, 0);
    return n;
}

static char *repeat(const char *unit, size_t times)
{
    size_t ul = strlen(unit);
    char *s = malloc(ul * times + 1);
    for (size_t i = 0; i < times; i++) memcpy(s + i * ul, unit, ul);
    s[ul * times] = '\0';
    return s;
}

static int span_is(const char *t, const edge_span *sp, const char *expect)
{
    return sp->len == strlen(expect) && memcmp(t + sp->off, expect, sp->len) == 0;
}

static void test_split_short_text_one_span(void **state)
{
    edge_span sp[MAXSP];
    (void)state;
    assert_int_equal(split_checked("hello", 4096, sp), 1);
    assert_int_equal(sp[0].off, 0);
    assert_int_equal(sp[0].len, 5);
    assert_int_equal(split_checked("\n  hello world \r\n\n", 4096, sp), 1);
    assert_int_equal(sp[0].off, 3);
    assert_int_equal(sp[0].len, 11);
    assert_int_equal(split_checked("", 4096, sp), 0);
    assert_int_equal(split_checked(" \n\t\r\n ", 4096, sp), 0);
    char *exact = repeat("a", 4096);
    assert_int_equal(split_checked(exact, 4096, sp), 1);
    free(exact);
    char *over = repeat("a", 4097);
    assert_int_equal(split_checked(over, 4096, sp), 2);
    assert_int_equal(sp[0].len, 4096);
    assert_int_equal(sp[1].len, 1);
    free(over);
}

static void test_split_prefers_paragraph(void **state)
{
    edge_span sp[MAXSP];
    const char *p1 = "The first paragraph has two lines,\nand this is its second one.";
    const char *p2 = "The second one is\nalso here, with words.";
    char t[256];
    (void)state;
    snprintf(t, sizeof(t), "%s\n\n%s", p1, p2);
    assert_int_equal(split_checked(t, 80, sp), 2);
    assert_true(span_is(t, &sp[0], p1));
    assert_true(span_is(t, &sp[1], p2));
    /* CRLF blank lines are paragraph breaks too */
    snprintf(t, sizeof(t), "%s\r\n \r\n%s", p1, p2);
    assert_int_equal(split_checked(t, 80, sp), 2);
    assert_true(span_is(t, &sp[0], p1));
}

static void test_split_prefers_line_then_word(void **state)
{
    edge_span sp[MAXSP];
    (void)state;
    /* lines of 29 characters: parts end at line ends, not at the later spaces */
    char *lines = repeat("a line of twenty-nine chars.\n", 20);
    size_t n = split_checked(lines, 100, sp);
    assert_int_equal(n, 7);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(sp[i].len % 29, 28);
        assert_true(sp[i].len <= 3 * 29);
    }
    free(lines);
    /* one long line: parts end at spaces, never inside a word */
    char *words = repeat("word ", 100);
    n = split_checked(words, 42, sp);
    assert_int_equal(n, 13);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal((sp[i].len + 1) % 5, 0);
        assert_int_equal(sp[i].len, i + 1 < n ? 39 : 19); /* 8 words, the last 4 */
        assert_int_equal(sp[i].off % 5, 0);
    }
    free(words);
}

static void test_split_early_paragraph_loses_to_late_line(void **state)
{
    edge_span sp[MAXSP];
    char t[256], x[41], y[41];
    (void)state;
    memset(x, 'x', 40);
    memset(y, 'y', 40);
    x[40] = y[40] = '\0';
    snprintf(t, sizeof(t), "short\n\n%s\n%s\n%s", x, y, x);
    assert_int_equal(split_checked(t, 100, sp), 2);
    assert_int_equal(sp[0].off, 0);
    assert_int_equal(sp[0].len, 5 + 2 + 40 + 1 + 40);
    assert_true(span_is(t, &sp[1], x));
}

static void test_split_code_block_kept_whole(void **state)
{
    edge_span sp[MAXSP];
    char t[512];
    const char *code = "```python\nfor i in range(10):\n    print(i)\n    print(i * i)\n"
                       "    print(i ** 3)\n```";
    (void)state;
    /* a line break inside the block would make a fuller first part; the block goes whole */
    snprintf(t, sizeof(t),
             "Here is the code you asked for:\n\n%s\n\nThat was it, the end of the message.", code);
    size_t n = split_checked(t, 100, sp);
    assert_int_equal(n, 3);
    assert_true(span_is(t, &sp[0], "Here is the code you asked for:"));
    assert_true(span_is(t, &sp[1], code));
    /* a block with its closing fence at the end of a code line: whole, with what fits before */
    snprintf(t, sizeof(t),
             "Intro words.\n```\nx = 1\ny = 2\nz = [x, y] * 20 + [x] * 30 + [y]```\n%s",
             "and after it some words to go on with the text");
    n = split_checked(t, 70, sp);
    assert_int_equal(n, 2);
    assert_true(
        span_is(t, &sp[0], "Intro words.\n```\nx = 1\ny = 2\nz = [x, y] * 20 + [x] * 30 + [y]```"));
    /* a one-line block does not swallow what follows */
    snprintf(t, sizeof(t), "```inline block```\n%s\n%s", "some text and more text that goes on",
             "another line with words");
    n = split_checked(t, 30, sp);
    assert_int_equal(n, 4);
    assert_true(span_is(t, &sp[0], "```inline block```"));
    assert_true(span_is(t, &sp[1], "some text and more text that")); /* cut at a space */
    assert_true(span_is(t, &sp[2], "goes on\nanother line with"));   /* 7 is under half */
}

static void test_split_oversized_code_block_at_lines(void **state)
{
    edge_span sp[MAXSP];
    (void)state;
    char *body = repeat("    call(argument, other);\n", 30); /* 27 bytes a line */
    char *t = malloc(strlen(body) + 32);
    snprintf(t, strlen(body) + 32, "```c\n%s```", body);
    size_t n = split_checked(t, 100, sp);
    assert_true(n >= 9);
    for (size_t i = 0; i < n; i++) {
        size_t e = sp[i].off + sp[i].len;
        assert_true(t[e] == '\n' || t[e] == '\0'); /* every cut at a line end */
    }
    free(t);
    free(body);
}

static void test_split_long_word_hard_cut(void **state)
{
    edge_span sp[MAXSP];
    (void)state;
    char *x = repeat("x", 250);
    assert_int_equal(split_checked(x, 100, sp), 3);
    assert_int_equal(sp[0].len, 100);
    assert_int_equal(sp[1].len, 100);
    assert_int_equal(sp[2].len, 50);
    free(x);
    /* 2-byte letters: cut at code points, 100 characters = 200 bytes */
    char *zh = repeat("\xD0\xB6", 250);
    assert_int_equal(split_checked(zh, 100, sp), 3);
    assert_int_equal(sp[0].len, 200);
    free(zh);
    /* emoji count 2: 49 of them (98 units) fit in 99 */
    char *em = repeat("\xF0\x9F\x98\x80", 100);
    assert_int_equal(split_checked(em, 99, sp), 3);
    assert_int_equal(sp[0].len, 49 * 4);
    assert_int_equal(sp[1].len, 49 * 4);
    assert_int_equal(sp[2].len, 2 * 4);
    free(em);
}

static void test_split_cyrillic_and_emoji(void **state)
{
    edge_span sp[MAXSP];
    (void)state;
    /* "Привет, мир! " is 13 characters, 22 bytes */
    char *ru =
        repeat("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82, \xD0\xBC\xD0\xB8\xD1\x80! ", 400);
    size_t n = split_checked(ru, 4096, sp);
    assert_int_equal(n, 2); /* 5200 characters, 8800 bytes */
    assert_true(edge_split_units(ru + sp[0].off, sp[0].len) > 4000);
    free(ru);
    /* 2048 emoji are 4096 units: one part; one more is two */
    char *em = repeat("\xF0\x9F\x8E\x89", 2049);
    assert_int_equal(edge_split_units(em, 2048 * 4), 4096);
    assert_int_equal(edge_split_text(em, 2048 * 4, 4096, sp, MAXSP), 1);
    assert_int_equal(split_checked(em, 4096, sp), 2);
    free(em);
    assert_int_equal(edge_split_units("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 10), 5);
    assert_int_equal(edge_split_units("\xFF\xC3", 2), 2); /* invalid bytes count one each */
}

static void test_split_too_few_spans_counts_all(void **state)
{
    edge_span sp[2] = {{99, 99}, {99, 99}};
    (void)state;
    char *x = repeat("word ", 100);
    assert_int_equal(edge_split_text(x, strlen(x), 50, sp, 1), 10);
    assert_int_equal(sp[0].off, 0);
    assert_int_equal(sp[1].off, 99); /* untouched */
    assert_int_equal(edge_split_text(x, strlen(x), 50, NULL, 0), 10);
    assert_int_equal(edge_split_text(x, strlen(x), 1, sp, 2), 0);
    assert_int_equal(edge_split_text(NULL, 5, 50, sp, 2), 0);
    free(x);
}

/* Deterministic random texts of words, lines, paragraphs, fences and multi-byte characters. */
static void test_split_random_texts_keep_invariants(void **state)
{
    static const char *pieces[] = {"word",
                                   " ",
                                   " ",
                                   "\n",
                                   "\n\n",
                                   "\xD0\x9F\xD1\x80\xD0\xB8",
                                   "\xF0\x9F\x98\x80",
                                   "\n```\n",
                                   "```",
                                   "\t",
                                   "  ",
                                   "\r\n",
                                   "a-very-long-token-without-spaces-at-all",
                                   "\xE2\x82\xAC",
                                   "\xFF"};
    static edge_span sp[MAXSP];
    uint32_t seed = 12345;
    char *t = malloc(20000);
    (void)state;
    for (int round = 0; round < 300; round++) {
        size_t len = 0, target;
        seed = seed * 1103515245u + 12345u;
        target = (seed >> 8) % 6000;
        while (len < target) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
            memcpy(t + len, p, strlen(p));
            len += strlen(p);
        }
        t[len] = '\0';
        for (size_t max = 2; max <= 4096; max = max * 3 + 1) split_checked(t, max, sp);
    }
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_short_text_one_span),
        cmocka_unit_test(test_split_prefers_paragraph),
        cmocka_unit_test(test_split_prefers_line_then_word),
        cmocka_unit_test(test_split_early_paragraph_loses_to_late_line),
        cmocka_unit_test(test_split_code_block_kept_whole),
        cmocka_unit_test(test_split_oversized_code_block_at_lines),
        cmocka_unit_test(test_split_long_word_hard_cut),
        cmocka_unit_test(test_split_cyrillic_and_emoji),
        cmocka_unit_test(test_split_too_few_spans_counts_all),
        cmocka_unit_test(test_split_random_texts_keep_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
