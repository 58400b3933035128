/* edge_fanout: the payload of {rt}:live is the publishing edge's id, then the envelope; an edge
 * relays what other edges published and skips its own and anything that is not an object. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "edge_fanout.h"

static const char ME[] = "0123456789abcdef";
static const char OTHER[] = "fedcba9876543210";
static const char ENV[] = "{\"type\":\"llm.delta\",\"data\":{\"seq\":1},\"ts\":\"x\"}";

static void test_pack_then_unpack_on_another_edge(void **state)
{
    size_t n = 0, m = 0;
    (void)state;
    char *p = edge_fanout_pack(OTHER, ENV, strlen(ENV), &n);
    assert_non_null(p);
    assert_int_equal(n, 16 + strlen(ENV));
    assert_memory_equal(p, OTHER, 16);
    const char *env = edge_fanout_unpack(ME, p, n, &m);
    assert_non_null(env);
    assert_int_equal(m, strlen(ENV));
    assert_memory_equal(env, ENV, m);
    free(p);
}

static void test_own_payload_is_skipped(void **state)
{
    size_t n = 0, m = 0;
    (void)state;
    char *p = edge_fanout_pack(ME, ENV, strlen(ENV), &n);
    assert_non_null(p);
    assert_null(edge_fanout_unpack(ME, p, n, &m));
    free(p);
}

static void test_short_or_non_object_payloads_are_dropped(void **state)
{
    size_t m = 0;
    (void)state;
    const char *bad[] = {"",
                         "fedcba98",
                         "fedcba9876543210",
                         "fedcba9876543210{",
                         "fedcba9876543210not json",
                         "fedcba9876543210[1,2]",
                         "fedcba9876543210{\"type\":\"x\""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_null(edge_fanout_unpack(ME, bad[i], strlen(bad[i]), &m));
    assert_non_null(edge_fanout_unpack(ME, "fedcba9876543210{}", 18, &m));
    assert_int_equal(m, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pack_then_unpack_on_another_edge),
        cmocka_unit_test(test_own_payload_is_skipped),
        cmocka_unit_test(test_short_or_non_object_payloads_are_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
