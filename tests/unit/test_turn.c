/* Round-table turns in the edge: the call's timeout is the smaller of the configured total and
 * the turn's deadline; what Telegram shows carries the speaker's label; the memory of stopped
 * sessions keeps the last 64; the demo model's turns are labelled, name the topic, answer the
 * previous speaker and differ by round and by personality. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_demo.h"
#include "edge_turn.h"

static void test_timeout_is_the_smaller(void **state)
{
    (void)state;
    assert_int_equal(edge_turn_timeout_ms(180000, 60000), 60000);
    assert_int_equal(edge_turn_timeout_ms(30000, 60000), 30000);
    assert_int_equal(edge_turn_timeout_ms(180000, -1), 180000); /* no deadline */
    assert_int_equal(edge_turn_timeout_ms(180000, 0), 1);       /* passed: never "no timeout" */
    assert_int_equal(edge_turn_timeout_ms(0, 5000), 5000);      /* no total: the deadline */
}

static void test_label_prefixes_the_speaker(void **state)
{
    (void)state;
    size_t n = 0;
    char *s = edge_turn_label("openai · Оптимист", "Hello", 5, &n);
    assert_string_equal(s, "openai · Оптимист:\nHello");
    assert_int_equal(n, strlen(s));
    free(s);
    s = edge_turn_label(NULL, "Hello world", 5, &n); /* len bytes only */
    assert_string_equal(s, "Hello");
    assert_int_equal(n, 5);
    free(s);
    s = edge_turn_label("", "", 0, &n);
    assert_string_equal(s, "");
    assert_int_equal(n, 0);
    free(s);
    s = edge_turn_label("demo", "", 0, &n); /* nothing yet: the label alone */
    assert_string_equal(s, "demo:\n");
    free(s);
}

static void test_stopped_ring_keeps_the_last(void **state)
{
    (void)state;
    edge_turn_stopped r;
    memset(&r, 0, sizeof(r));
    assert_false(edge_turn_stopped_has(&r, 1));
    edge_turn_stopped_add(&r, 1);
    edge_turn_stopped_add(&r, 1); /* once */
    assert_int_equal(r.count, 1);
    assert_true(edge_turn_stopped_has(&r, 1));
    for (long long i = 2; i <= EDGE_TURN_STOPPED_MAX; i++) edge_turn_stopped_add(&r, i);
    assert_true(edge_turn_stopped_has(&r, 1));
    edge_turn_stopped_add(&r, 1000); /* the oldest (1) goes */
    assert_false(edge_turn_stopped_has(&r, 1));
    assert_true(edge_turn_stopped_has(&r, 2));
    assert_true(edge_turn_stopped_has(&r, 1000));
    assert_int_equal(r.count, EDGE_TURN_STOPPED_MAX);
}

static char *turn(const char *topic, const char *prev, const char *speaker, int round)
{
    char body[2048];
    if (prev)
        snprintf(body, sizeof(body),
                 "{\"model\":\"demo-1\",\"messages\":[{\"role\":\"system\",\"content\":\"rules\"},"
                 "{\"role\":\"user\",\"content\":\"%s\"},{\"role\":\"user\",\"content\":\"%s\"}]}",
                 topic, prev);
    else
        snprintf(body, sizeof(body),
                 "{\"model\":\"demo-1\",\"messages\":[{\"role\":\"system\",\"content\":\"rules\"},"
                 "{\"role\":\"user\",\"content\":\"%s\"}]}",
                 topic);
    return edge_demo_turn_reply(body, strlen(body), speaker, round);
}

static void test_demo_turn_russian_labelled_topic_and_reaction(void **state)
{
    (void)state;
    char *a = turn("Нужен ли городам общественный транспорт?", NULL, "demo · Оптимист", 1);
    assert_non_null(a);
    assert_memory_equal(a, "[демо] ", strlen("[демо] "));
    assert_non_null(strstr(a, "Нужен ли городам общественный транспорт?"));
    assert_non_null(strstr(a, "раунд 1"));
    char *b = turn("Нужен ли городам общественный транспорт?",
                   "demo · Оптимист: [демо] Автобусы спасут всех", "demo · Скептик", 1);
    assert_memory_equal(b, "[демо] ", strlen("[демо] "));
    assert_non_null(strstr(b, "Автобусы спасут всех")); /* answers the previous speaker */
    assert_null(strstr(b, "[демо] Автобусы"));          /* without its label */
    assert_string_not_equal(a, b);
    free(a);
    free(b);
}

static void test_demo_turn_english_and_varies_by_round_and_persona(void **state)
{
    (void)state;
    char *r[6];
    for (int i = 0; i < 6; i++) {
        r[i] =
            turn("Should cities ban cars?", "demo · Skeptic: I doubt it", "demo · Optimist", i + 1);
        assert_non_null(r[i]);
        assert_memory_equal(r[i], "[demo] ", 7);
        assert_non_null(strstr(r[i], "Should cities ban cars?"));
        assert_non_null(strstr(r[i], "I doubt it"));
        for (int j = 0; j < i; j++) assert_string_not_equal(r[i], r[j]);
    }
    char *other =
        turn("Should cities ban cars?", "demo · Skeptic: I doubt it", "demo · Skeptic", 1);
    assert_string_not_equal(other, r[0]);
    /* deterministic */
    char *again =
        turn("Should cities ban cars?", "demo · Skeptic: I doubt it", "demo · Optimist", 1);
    assert_string_equal(again, r[0]);
    for (int i = 0; i < 6; i++) free(r[i]);
    free(other);
    free(again);
}

static void test_demo_turn_summary(void **state)
{
    (void)state;
    char *a = turn("Нужна ли форма?", "demo · Скептик: нет", "Итог", 3);
    char *b = turn("Uniforms?", "demo · Skeptic: no", "Summary", 2);
    assert_non_null(strstr(a, "[демо] Итог обсуждения темы «Нужна ли форма?»"));
    assert_non_null(strstr(b, "[demo] Summary of the debate on \"Uniforms?\""));
    free(a);
    free(b);
}

static void test_demo_turn_survives_bad_requests(void **state)
{
    (void)state;
    char *a = edge_demo_turn_reply("not json", 8, NULL, 0);
    char *b = edge_demo_turn_reply(NULL, 0, "x", -3);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(strstr(a, "[demo]"));
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeout_is_the_smaller),
        cmocka_unit_test(test_label_prefixes_the_speaker),
        cmocka_unit_test(test_stopped_ring_keeps_the_last),
        cmocka_unit_test(test_demo_turn_russian_labelled_topic_and_reaction),
        cmocka_unit_test(test_demo_turn_english_and_varies_by_round_and_persona),
        cmocka_unit_test(test_demo_turn_summary),
        cmocka_unit_test(test_demo_turn_survives_bad_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
