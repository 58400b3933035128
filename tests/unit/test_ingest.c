/* edge_ingest pure helpers: SQLSTATE decisions and the JSON array batch builder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "edge_ingest.h"

static void test_sqlstate_ok(void **state)
{
    (void)state;
    assert_int_equal(edge_ingest_classify_sqlstate("00000"), EDGE_INGEST_OK);
}

static void test_sqlstate_data_errors_split(void **state)
{
    (void)state;
    assert_int_equal(edge_ingest_classify_sqlstate("22P05"), EDGE_INGEST_DATA_ERROR);
    assert_int_equal(edge_ingest_classify_sqlstate("22P02"), EDGE_INGEST_DATA_ERROR);
    assert_int_equal(edge_ingest_classify_sqlstate("22023"), EDGE_INGEST_DATA_ERROR);
    assert_int_equal(edge_ingest_classify_sqlstate("54000"), EDGE_INGEST_DATA_ERROR);
}

static void test_sqlstate_unreached_database_retries(void **state)
{
    (void)state;
    assert_int_equal(edge_ingest_classify_sqlstate("08006"), EDGE_INGEST_RETRY);
    assert_int_equal(edge_ingest_classify_sqlstate("08001"), EDGE_INGEST_RETRY);
    assert_int_equal(edge_ingest_classify_sqlstate("57P01"), EDGE_INGEST_RETRY);
    assert_int_equal(edge_ingest_classify_sqlstate("57P03"), EDGE_INGEST_RETRY);
    assert_int_equal(edge_ingest_classify_sqlstate("28P01"), EDGE_INGEST_RETRY);
    assert_int_equal(edge_ingest_classify_sqlstate("3D000"), EDGE_INGEST_RETRY);
    assert_int_equal(edge_ingest_classify_sqlstate(""), EDGE_INGEST_RETRY);
    assert_int_equal(edge_ingest_classify_sqlstate(NULL), EDGE_INGEST_RETRY);
}

/* issue 7: classes 40, 42 and 53 were retried forever; every class the database answered with
 * now counts towards {rt}:dead */
static void test_sqlstate_every_answered_error_is_poison(void **state)
{
    (void)state;
    assert_int_equal(edge_ingest_classify_sqlstate("XX000"), EDGE_INGEST_POISON);
    assert_int_equal(edge_ingest_classify_sqlstate("P0001"), EDGE_INGEST_POISON);
    assert_int_equal(edge_ingest_classify_sqlstate("23505"), EDGE_INGEST_POISON);
    assert_int_equal(edge_ingest_classify_sqlstate("40001"), EDGE_INGEST_POISON);
    assert_int_equal(edge_ingest_classify_sqlstate("53300"), EDGE_INGEST_POISON);
    assert_int_equal(edge_ingest_classify_sqlstate("53200"), EDGE_INGEST_POISON);
    assert_int_equal(edge_ingest_classify_sqlstate("42883"), EDGE_INGEST_POISON);
    assert_int_equal(edge_ingest_classify_sqlstate("42501"), EDGE_INGEST_POISON);
    assert_int_equal(edge_ingest_classify_sqlstate("3F000"), EDGE_INGEST_POISON);
    assert_int_equal(edge_ingest_classify_sqlstate("57014"), EDGE_INGEST_POISON);
}

static void test_build_array_joins_items(void **state)
{
    const char *items[] = {"{\"update_id\":1}", "{\"update_id\":2,\"t\":\"a,b]\"}", "3"};
    size_t lens[3], n;
    json_error_t jerr;
    (void)state;
    for (int i = 0; i < 3; i++) lens[i] = strlen(items[i]);
    char *arr = edge_ingest_build_array(items, lens, 3, &n);
    assert_non_null(arr);
    assert_string_equal(arr, "[{\"update_id\":1},{\"update_id\":2,\"t\":\"a,b]\"},3]");
    assert_int_equal(n, strlen(arr));
    json_t *j = json_loads(arr, 0, &jerr);
    assert_non_null(j);
    assert_int_equal(json_array_size(j), 3);
    json_decref(j);
    free(arr);
}

static void test_build_array_single_and_empty(void **state)
{
    const char *items[] = {"{}"};
    size_t lens[] = {2}, n;
    (void)state;
    char *one = edge_ingest_build_array(items, lens, 1, &n);
    assert_string_equal(one, "[{}]");
    free(one);
    char *none = edge_ingest_build_array(NULL, NULL, 0, &n);
    assert_string_equal(none, "[]");
    assert_int_equal(n, 2);
    free(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlstate_ok),
        cmocka_unit_test(test_sqlstate_data_errors_split),
        cmocka_unit_test(test_sqlstate_unreached_database_retries),
        cmocka_unit_test(test_sqlstate_every_answered_error_is_poison),
        cmocka_unit_test(test_build_array_joins_items),
        cmocka_unit_test(test_build_array_single_and_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
