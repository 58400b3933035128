/* edge_json: UTF-8, body parsing/validation against LoginRequest and SimulatedMessage, query
 * strings into typed query filters (rt.list_messages and every filtered list). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "edge_json.h"

static int body_ok(const char *s, const edge_json_field *schema, edge_verr *e)
{
    memset(e, 0, sizeof(*e));
    json_t *j = edge_json_parse_body(s, strlen(s), e);
    if (!j) return -1;
    int rc = edge_json_validate(j, schema, e);
    json_decref(j);
    return rc;
}

static void test_utf8_validation(void **state)
{
    (void)state;
    assert_true(edge_utf8_valid((const unsigned char *)"h\xc3\xa9llo \xf0\x9f\x98\x80", 11));
    assert_false(edge_utf8_valid((const unsigned char *)"\xff", 1));
    assert_false(edge_utf8_valid((const unsigned char *)"\xc3", 1));             /* truncated */
    assert_false(edge_utf8_valid((const unsigned char *)"\xc0\xaf", 2));         /* overlong */
    assert_false(edge_utf8_valid((const unsigned char *)"\xed\xa0\x80", 3));     /* surrogate */
    assert_false(edge_utf8_valid((const unsigned char *)"\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_int_equal(edge_utf8_len("h\xc3\xa9"), 2);
}

static void test_content_type(void **state)
{
    (void)state;
    assert_true(edge_content_type_is_json("application/json"));
    assert_true(edge_content_type_is_json("Application/JSON; charset=utf-8"));
    assert_false(edge_content_type_is_json("application/jsonp"));
    assert_false(edge_content_type_is_json("text/plain"));
    assert_false(edge_content_type_is_json(""));
    assert_false(edge_content_type_is_json(NULL));
}

static void test_body_login_ok(void **state)
{
    edge_verr e;
    (void)state;
    assert_int_equal(body_ok("{\"login\":\"admin\",\"password\":\"pw\"}", edge_schema_login, &e),
                     0);
}

static void test_body_malformed_names_position(void **state)
{
    edge_verr e;
    (void)state;
    assert_int_equal(body_ok("{\"login\": \"a\",", edge_schema_login, &e), -1);
    assert_int_equal(e.status, 400);
    assert_non_null(strstr(e.detail, "malformed JSON"));
    assert_non_null(strstr(e.detail, "column"));
    assert_int_equal(
        body_ok("{\"login\":\"a\",\"login\":\"b\",\"password\":\"p\"}", edge_schema_login, &e), -1);
    assert_non_null(strstr(e.detail, "duplicate"));
    assert_int_equal(body_ok("[]", edge_schema_login, &e), -1);
    assert_int_equal(body_ok("", edge_schema_login, &e), -1);
}

static void test_body_invalid_utf8(void **state)
{
    edge_verr e;
    (void)state;
    assert_int_equal(body_ok("{\"login\":\"\xff\",\"password\":\"p\"}", edge_schema_login, &e), -1);
    assert_string_equal(e.detail, "body is not valid UTF-8");
}

static void test_body_unknown_wrong_missing_toolong(void **state)
{
    edge_verr e;
    (void)state;
    assert_int_equal(body_ok("{\"login\":\"a\",\"password\":\"p\",\"x\":1}", edge_schema_login, &e),
                     -1);
    assert_string_equal(e.field, "x");
    assert_int_equal(body_ok("{\"login\":1,\"password\":\"p\"}", edge_schema_login, &e), -1);
    assert_string_equal(e.field, "login");
    assert_int_equal(body_ok("{\"login\":\"a\"}", edge_schema_login, &e), -1);
    assert_string_equal(e.field, "password");
    assert_int_equal(body_ok("{\"login\":\"\",\"password\":\"p\"}", edge_schema_login, &e), -1);
    assert_string_equal(e.field, "login");
    char big[300];
    memset(big, 0, sizeof(big));
    strcpy(big, "{\"login\":\"a\",\"password\":\"");
    memset(big + strlen(big), 'x', 201);
    strcat(big, "\"}");
    assert_int_equal(body_ok(big, edge_schema_login, &e), -1);
    assert_string_equal(e.field, "password");
    assert_int_equal(body_ok("{\"login\":\"a\\u0000b\",\"password\":\"p\"}", edge_schema_login, &e),
                     -1);
}

static void test_body_sim_message(void **state)
{
    edge_verr e;
    (void)state;
    assert_int_equal(
        body_ok("{\"chat_id\":-100,\"text\":\"hi\",\"chat_title\":\"G\",\"user_id\":5}",
                edge_schema_sim_message, &e),
        0);
    assert_int_equal(body_ok("{\"chat_id\":\"5\",\"text\":\"hi\"}", edge_schema_sim_message, &e),
                     -1);
    assert_string_equal(e.field, "chat_id");
    assert_int_equal(body_ok("{\"chat_id\":5.5,\"text\":\"hi\"}", edge_schema_sim_message, &e), -1);
    assert_string_equal(e.field, "chat_id");
    assert_int_equal(
        body_ok("{\"chat_id\":5,\"text\":\"hi\",\"user_id\":0}", edge_schema_sim_message, &e), -1);
    assert_string_equal(e.field, "user_id");
    assert_int_equal(body_ok("{\"chat_id\":5}", edge_schema_sim_message, &e), -1);
    assert_string_equal(e.field, "text");
    /* 32 characters of 2 bytes each is still 32 characters */
    char u[200] = "{\"chat_id\":5,\"text\":\"x\",\"username\":\"";
    for (int i = 0; i < 32; i++) strcat(u, "\xc3\xa9");
    strcat(u, "\"}");
    assert_int_equal(body_ok(u, edge_schema_sim_message, &e), 0);
}

static void test_query_parse_percent_decoding(void **state)
{
    edge_query q;
    edge_verr e;
    (void)state;
    assert_int_equal(edge_query_parse("q=a%20b+c&x=%C3%A9&flag", &q, &e), 0);
    assert_int_equal(q.n, 3);
    assert_string_equal(q.p[0].name, "q");
    assert_string_equal(q.p[0].value, "a b c");
    assert_string_equal(q.p[1].value, "\xc3\xa9");
    assert_string_equal(q.p[2].value, "");
    edge_query_free(&q);
    assert_int_equal(edge_query_parse("q=%zz", &q, &e), -1);
    assert_int_equal(edge_query_parse("q=%4", &q, &e), -1);
}

static void test_messages_filter_types(void **state)
{
    edge_query q;
    edge_verr e;
    (void)state;
    assert_int_equal(
        edge_query_parse("chat_id=-100123&after_id=5&q=hi&from=2024-01-01T00:00:00Z&limit=10", &q,
                         &e),
        0);
    json_t *f = edge_messages_filter(&q, &e);
    assert_non_null(f);
    assert_true(json_is_integer(json_object_get(f, "chat_id")));
    assert_int_equal(json_integer_value(json_object_get(f, "chat_id")), -100123);
    assert_int_equal(json_integer_value(json_object_get(f, "limit")), 10);
    assert_string_equal(json_string_value(json_object_get(f, "q")), "hi");
    assert_string_equal(json_string_value(json_object_get(f, "from")), "2024-01-01T00:00:00Z");
    json_decref(f);
    edge_query_free(&q);
}

static void expect_filter_error(const char *raw, const char *field)
{
    edge_query q;
    edge_verr e;
    assert_int_equal(edge_query_parse(raw, &q, &e), 0);
    memset(&e, 0, sizeof(e));
    assert_null(edge_messages_filter(&q, &e));
    assert_int_equal(e.status, 400);
    assert_string_equal(e.field, field);
    edge_query_free(&q);
}

static void test_messages_filter_rejects_bad_values(void **state)
{
    (void)state;
    expect_filter_error("chat_id=12a", "chat_id");
    expect_filter_error("chat_id=", "chat_id");
    expect_filter_error("chat_id=+5", "chat_id");
    expect_filter_error("chat_id=99999999999999999999", "chat_id");
    expect_filter_error("after_id=-1", "after_id");
    expect_filter_error("limit=0", "limit");
    expect_filter_error("limit=501", "limit");
    expect_filter_error("from=yesterday", "from");
    expect_filter_error("q=%FF", "q"); /* invalid UTF-8 after decoding */
    expect_filter_error("unknown=1", "unknown");
    expect_filter_error("q=a&q=b", "q");
}

static void test_query_add_pair_from_lws(void **state)
{
    edge_query q;
    edge_verr e;
    (void)state;
    memset(&q, 0, sizeof(q));
    assert_int_equal(edge_query_add_pair(&q, "q=a=b", 5, &e), 0); /* first '=' splits */
    assert_string_equal(q.p[0].name, "q");
    assert_string_equal(q.p[0].value, "a=b");
    edge_query_free(&q);
}

static void test_query_filter_kinds(void **state)
{
    static const edge_qp_def defs[] = {
        {.name = "on", .kind = EDGE_QP_BOOL},
        {.name = "kind", .kind = EDGE_QP_ENUM, .values = "mention|error"},
        {.name = "ids", .kind = EDGE_QP_INT_LIST},
        {.name = NULL},
    };
    edge_query q;
    edge_verr e = {0};
    (void)state;
    assert_int_equal(edge_query_parse("on=false&kind=error&ids=1,22,333", &q, &e), 0);
    json_t *f = edge_query_filter(&q, defs, &e);
    assert_non_null(f);
    assert_true(json_is_false(json_object_get(f, "on")));
    assert_string_equal(json_string_value(json_object_get(f, "kind")), "error");
    assert_int_equal(json_array_size(json_object_get(f, "ids")), 3);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(f, "ids"), 2)), 333);
    json_decref(f);
    edge_query_free(&q);

    const char *bad[][2] = {{"on=TRUE", "on"}, {"on=1", "on"},     {"kind=err", "kind"},
                            {"kind=", "kind"}, {"ids=", "ids"},    {"ids=1,", "ids"},
                            {"ids=-1", "ids"}, {"ids=1;2", "ids"}, {"other=1", "other"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(edge_query_parse(bad[i][0], &q, &e), 0);
        assert_null(edge_query_filter(&q, defs, &e));
        assert_int_equal(e.status, 400);
        assert_string_equal(e.field, bad[i][1]);
        edge_query_free(&q);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_validation),
        cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_body_login_ok),
        cmocka_unit_test(test_body_malformed_names_position),
        cmocka_unit_test(test_body_invalid_utf8),
        cmocka_unit_test(test_body_unknown_wrong_missing_toolong),
        cmocka_unit_test(test_body_sim_message),
        cmocka_unit_test(test_query_parse_percent_decoding),
        cmocka_unit_test(test_messages_filter_types),
        cmocka_unit_test(test_messages_filter_rejects_bad_values),
        cmocka_unit_test(test_query_add_pair_from_lws),
        cmocka_unit_test(test_query_filter_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
