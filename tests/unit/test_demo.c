/* edge_demo: the offline model is deterministic, labelled, bilingual and streams in pieces that
 * never cut a UTF-8 sequence. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_demo.h"

static char *reply_to(const char *user_text)
{
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"model\":\"demo-1\",\"messages\":[{\"role\":\"system\",\"content\":\"be nice\"},"
             "{\"role\":\"user\",\"content\":\"%s\"}]}",
             user_text);
    return edge_demo_reply(body, strlen(body));
}

static void test_demo_reply_is_deterministic_and_labelled(void **state)
{
    (void)state;
    char *a = reply_to("What is the weather like?");
    char *b = reply_to("What is the weather like?");
    assert_non_null(a);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "[demo model]"));
    assert_non_null(strstr(a, "What is the weather like?"));
    free(a);
    free(b);
}

static void test_demo_reply_speaks_russian_to_russian(void **state)
{
    (void)state;
    char *a = reply_to("Привет, как дела?");
    assert_non_null(a);
    assert_non_null(strstr(a, "[демо-модель]"));
    assert_non_null(strstr(a, "Привет, как дела?"));
    free(a);
}

static void test_demo_reply_survives_bad_requests(void **state)
{
    (void)state;
    char *a = edge_demo_reply("not json", 8);
    char *b = edge_demo_reply(NULL, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(strstr(a, "[demo model]"));
    free(a);
    free(b);
}

static void test_demo_reply_quotes_a_long_message_shortened(void **state)
{
    (void)state;
    char text[600];
    memset(text, 'x', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    char *a = reply_to(text);
    assert_non_null(a);
    assert_true(strlen(a) < 500);
    assert_non_null(strstr(a, "\xE2\x80\xA6")); /* the ellipsis marks the cut */
    free(a);
}

static void test_demo_pieces_cover_the_text_at_word_ends(void **state)
{
    (void)state;
    const char *t = "один два  три four";
    size_t len = strlen(t), pos = 0, n, pieces = 0;
    while ((n = edge_demo_next_piece(t, len, pos)) > 0) {
        assert_true(pos + n == len || t[pos + n - 1] == ' ');
        pos += n;
        pieces++;
    }
    assert_int_equal(pos, len);
    assert_int_equal(pieces, 4);
    assert_int_equal(edge_demo_next_piece(t, len, len), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_reply_is_deterministic_and_labelled),
        cmocka_unit_test(test_demo_reply_speaks_russian_to_russian),
        cmocka_unit_test(test_demo_reply_survives_bad_requests),
        cmocka_unit_test(test_demo_reply_quotes_a_long_message_shortened),
        cmocka_unit_test(test_demo_pieces_cover_the_text_at_word_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
