/* edge_sim / edge_ws pure parts: the simulated Telegram Update and the ping frame (envelopes:
 * test_envelope.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "edge_sim.h"
#include "edge_ws.h"

static json_t *load(const char *s)
{
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    assert_non_null(j);
    return j;
}

static void test_sim_private_chat(void **state)
{
    (void)state;
    json_t *b = load("{\"chat_id\":42,\"text\":\"hi\",\"username\":\"bob\"}");
    json_t *u = edge_sim_build_update(b, EDGE_SIM_FIRST_UPDATE_ID, 1700000000);
    assert_non_null(u);
    json_t *m = json_object_get(u, "message");
    assert_int_equal(json_integer_value(json_object_get(u, "update_id")), EDGE_SIM_FIRST_UPDATE_ID);
    assert_int_equal(json_integer_value(json_object_get(m, "message_id")), 1);
    assert_int_equal(json_integer_value(json_object_get(m, "date")), 1700000000);
    json_t *chat = json_object_get(m, "chat"), *from = json_object_get(m, "from");
    assert_string_equal(json_string_value(json_object_get(chat, "type")), "private");
    assert_int_equal(json_integer_value(json_object_get(from, "id")), 42);
    assert_true(json_is_false(json_object_get(from, "is_bot")));
    assert_string_equal(json_string_value(json_object_get(from, "username")), "bob");
    assert_string_equal(json_string_value(json_object_get(m, "text")), "hi");
    json_decref(u);
    json_decref(b);
}

static void test_sim_group_chat(void **state)
{
    (void)state;
    json_t *b = load("{\"chat_id\":-1001,\"text\":\"x\",\"chat_title\":\"Team\",\"user_id\":7,"
                     "\"first_name\":\"Ann\"}");
    json_t *u = edge_sim_build_update(b, EDGE_SIM_FIRST_UPDATE_ID + 9, 1);
    json_t *m = json_object_get(u, "message");
    json_t *chat = json_object_get(m, "chat"), *from = json_object_get(m, "from");
    assert_string_equal(json_string_value(json_object_get(chat, "type")), "group");
    assert_string_equal(json_string_value(json_object_get(chat, "title")), "Team");
    assert_int_equal(json_integer_value(json_object_get(from, "id")), 7);
    assert_string_equal(json_string_value(json_object_get(from, "first_name")), "Ann");
    assert_int_equal(json_integer_value(json_object_get(m, "message_id")), 10);
    json_decref(u);
    json_decref(b);
}

static void test_ws_ping(void **state)
{
    (void)state;
    assert_true(edge_ws_is_ping("{\"type\":\"ping\"}", 15));
    assert_true(edge_ws_is_ping("{\"type\":\"ping\",\"x\":1}", 21));
    assert_false(edge_ws_is_ping("{\"type\":\"pong\"}", 15));
    assert_false(edge_ws_is_ping("ping", 4));
    assert_false(edge_ws_is_ping("[\"ping\"]", 8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sim_private_chat),
        cmocka_unit_test(test_sim_group_chat),
        cmocka_unit_test(test_ws_ping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
