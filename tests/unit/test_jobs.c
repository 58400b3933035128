/* edge_jobs: the retry backoff grows, caps and jitters within its documented bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "edge_jobs.h"

static void test_backoff_grows_then_caps(void **state)
{
    (void)state;
    /* with rnd 0 the jitter takes the lower half: base/2 * 2^(n-1) */
    assert_int_equal(edge_jobs_backoff_ms(1, 1000, 60000, 0), 500);
    assert_int_equal(edge_jobs_backoff_ms(2, 1000, 60000, 0), 1000);
    assert_int_equal(edge_jobs_backoff_ms(3, 1000, 60000, 0), 2000);
    assert_int_equal(edge_jobs_backoff_ms(30, 1000, 60000, 0), 30000);
}

static void test_backoff_jitter_stays_in_the_upper_half(void **state)
{
    (void)state;
    for (unsigned rnd = 0; rnd < 5000; rnd += 7) {
        unsigned ms = edge_jobs_backoff_ms(4, 1000, 60000, rnd);
        assert_true(ms >= 4000 && ms <= 8000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_grows_then_caps),
        cmocka_unit_test(test_backoff_jitter_stays_in_the_upper_half),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
