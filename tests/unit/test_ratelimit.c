/* edge_ratelimit: buckets, per-chat / per-group / global limits, retry_after, bounded memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "edge_ratelimit.h"

static void test_bucket_one_per_second(void **state)
{
    edge_bucket b;
    int sent = 0;
    (void)state;
    edge_bucket_init(&b, 1, 1);
    assert_int_equal(edge_bucket_wait(&b, 5000), 0);
    assert_int_equal(edge_bucket_wait(&b, 5000), 1000);
    assert_int_equal(edge_bucket_wait(&b, 5500), 500);
    assert_int_equal(edge_bucket_wait(&b, 5999), 1);
    assert_int_equal(edge_bucket_wait(&b, 6000), 0);
    /* trying every ms for 10 s: exactly one send a second, on the second */
    for (long long t = 6001; t <= 16000; t++) {
        if (edge_bucket_wait(&b, t) == 0) {
            sent++;
            assert_int_equal(t % 1000, 0);
        }
    }
    assert_int_equal(sent, 10);
}

static void test_bucket_burst(void **state)
{
    edge_bucket b;
    (void)state;
    edge_bucket_init(&b, 2, 5);
    for (int i = 0; i < 5; i++) assert_int_equal(edge_bucket_wait(&b, 0), 0);
    assert_int_equal(edge_bucket_wait(&b, 0), 500);
    assert_int_equal(edge_bucket_wait(&b, 1500), 0); /* 3 tokens back, one taken */
    assert_int_equal(edge_bucket_wait(&b, 1500), 0);
    assert_int_equal(edge_bucket_wait(&b, 1500), 0);
    assert_int_equal(edge_bucket_wait(&b, 1500), 500);
    /* a long idle refills to the burst, not beyond */
    for (int i = 0; i < 5; i++) assert_int_equal(edge_bucket_wait(&b, 1000000), 0);
    assert_true(edge_bucket_wait(&b, 1000000) > 0);
}

static void test_bucket_unlimited_and_clock_back(void **state)
{
    edge_bucket b;
    (void)state;
    edge_bucket_init(&b, 0, 1);
    for (int i = 0; i < 1000; i++) assert_int_equal(edge_bucket_wait(&b, 7), 0);
    edge_bucket_init(&b, 1, 1);
    assert_int_equal(edge_bucket_wait(&b, 10000), 0);
    assert_true(edge_bucket_wait(&b, 9000) > 0); /* going back in time adds no tokens */
    assert_int_equal(edge_bucket_wait(&b, 10000), 1000);
    assert_int_equal(edge_bucket_wait(&b, 11000), 0);
}

/* Sends to the chats [first, first + nchats) round robin, one try a ms over [from, to); returns
 * how many went. */
static int attempt(edge_ratelimit *rl, long long first, int nchats, int is_group, long long from,
                   long long to)
{
    int sent = 0;
    for (long long t = from; t < to; t++)
        sent += edge_rl_reserve(rl, first + (t - from) % nchats, is_group, t) == 0;
    return sent;
}

static void test_rl_chat_one_per_second(void **state)
{
    (void)state;
    edge_ratelimit *rl = edge_rl_create(1, 20, 30);
    assert_int_equal(edge_rl_reserve(rl, 42, 0, 0), 0);
    assert_int_equal(edge_rl_reserve(rl, 42, 0, 0), 1000);
    assert_int_equal(edge_rl_reserve(rl, 42, 0, 999), 1);
    assert_int_equal(edge_rl_reserve(rl, 42, 0, 1000), 0);
    assert_int_equal(attempt(rl, 42, 1, 0, 1001, 11001), 10);
    edge_rl_free(rl);
}

static void test_rl_group_twenty_per_minute(void **state)
{
    (void)state;
    edge_ratelimit *rl = edge_rl_create(1, 20, 30);
    assert_int_equal(attempt(rl, -1001234567890LL, 1, 1, 0, 60000), 20);
    assert_int_equal(attempt(rl, -1001234567890LL, 1, 1, 60000, 120000), 20);
    /* the same chat id as a private chat would get 1/s: the group bucket is what held it */
    edge_ratelimit *priv = edge_rl_create(1, 20, 30);
    assert_int_equal(attempt(priv, -1001234567890LL, 1, 0, 0, 60000), 60);
    edge_rl_free(priv);
    edge_rl_free(rl);
}

static void test_rl_global_thirty_per_second_across_chats(void **state)
{
    (void)state;
    edge_ratelimit *rl = edge_rl_create(1, 20, 30);
    /* 10 000 chats, a different one each ms: only the global limit holds them */
    assert_int_equal(attempt(rl, 1, 10000, 0, 0, 1000), 30);
    assert_int_equal(attempt(rl, 1, 10000, 0, 1000, 11000), 300);
    edge_rl_free(rl);

    /* after an idle spell, no window of 1000 ms holds more than 30 + 1 sends */
    long long times[400];
    int n = 0;
    rl = edge_rl_create(1, 20, 30);
    for (long long t = 5000; t < 15000; t++) {
        if (edge_rl_reserve(rl, t, 0, t) == 0) times[n++] = t;
        if (t == 5000) t += 5000; /* idle from 5000 to 10000 */
    }
    assert_true(n >= 150 && n <= 152);
    for (int i = 31; i < n; i++) assert_true(times[i] - times[i - 31] >= 1000);
    edge_rl_free(rl);
}

static void test_rl_all_or_nothing(void **state)
{
    (void)state;
    /* a chat held by its own bucket takes no global token */
    edge_ratelimit *rl = edge_rl_create(1, 20, 2);
    assert_int_equal(edge_rl_reserve(rl, 1, 0, 0), 0);
    assert_int_equal(edge_rl_reserve(rl, 1, 0, 500), 500); /* global has a token again */
    assert_int_equal(edge_rl_reserve(rl, 2, 0, 500), 0);   /* ... and chat 2 gets it */
    edge_rl_free(rl);

    /* a group held by the group bucket keeps its chat token */
    rl = edge_rl_create(1, 20, 0);
    assert_int_equal(edge_rl_reserve(rl, -5, 1, 0), 0);
    assert_int_equal(edge_rl_reserve(rl, -5, 1, 1000), 2000);
    assert_int_equal(edge_rl_reserve(rl, -5, 1, 3000), 0);
    edge_rl_free(rl);

    /* a chat held by the global bucket is not charged for its own */
    rl = edge_rl_create(1, 20, 1);
    assert_int_equal(edge_rl_reserve(rl, 1, 0, 0), 0);
    assert_int_equal(edge_rl_reserve(rl, 2, 0, 0), 1000);
    assert_int_equal(edge_rl_reserve(rl, 2, 0, 1000), 0);
    edge_rl_free(rl);
}

static void test_rl_retry_after_blocks_only_that_chat(void **state)
{
    (void)state;
    edge_ratelimit *rl = edge_rl_create(1, 20, 30);
    assert_int_equal(edge_rl_reserve(rl, 7, 0, 0), 0);
    edge_rl_block(rl, 7, 5000);  /* 429 with retry_after 5 */
    edge_rl_block(rl, 99, 3000); /* a chat never seen before */
    edge_rl_block(rl, 7, 4000);  /* never shortens */
    assert_int_equal(edge_rl_reserve(rl, 7, 0, 1000), 4000);
    assert_int_equal(edge_rl_reserve(rl, 99, 0, 1000), 2000);
    assert_int_equal(edge_rl_reserve(rl, 8, 0, 1000), 0);
    assert_int_equal(edge_rl_reserve(rl, -8, 1, 1100), 0);
    assert_int_equal(edge_rl_reserve(rl, 7, 0, 4999), 1);
    assert_int_equal(edge_rl_reserve(rl, 7, 0, 5000), 0);
    assert_int_equal(edge_rl_reserve(rl, 99, 0, 5100), 0);
    edge_rl_free(rl);

    /* blocks work in unlimited mode too, and before any reserve */
    rl = edge_rl_create(0, 0, 0);
    edge_rl_block(rl, 5, 100);
    assert_int_equal(edge_rl_reserve(rl, 5, 0, 40), 60);
    assert_int_equal(edge_rl_reserve(rl, 6, 0, 40), 0);
    assert_int_equal(edge_rl_reserve(rl, 5, 0, 100), 0);
    edge_rl_free(rl);
}

static void test_rl_unlimited(void **state)
{
    size_t entries, cap;
    (void)state;
    edge_ratelimit *rl = edge_rl_create(0, 0, 0);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(edge_rl_reserve(rl, i % 50 - 25, i & 1, 0), 0);
    edge_rl_stats(rl, &entries, &cap);
    assert_int_equal(entries, 0); /* nothing to remember */
    edge_rl_free(rl);

    /* only the global limit set */
    rl = edge_rl_create(0, 0, 30);
    assert_int_equal(attempt(rl, 1, 1, 0, 0, 1000), 30);
    edge_rl_free(rl);
}

static void test_rl_many_chats_stay_bounded(void **state)
{
    size_t entries, cap;
    (void)state;
    /* 100 000 distinct chats, one a ms, no global limit: private chats are fresh again after
     * 1 s, groups after 3 s, so only the last few thousand are remembered */
    edge_ratelimit *rl = edge_rl_create(1, 20, 0);
    for (long long i = 0; i < 100000; i++) {
        long long id = i % 2 ? i + 1 : -(i + 1);
        assert_int_equal(edge_rl_reserve(rl, id, id < 0, i), 0);
        edge_rl_stats(rl, &entries, &cap);
        assert_true(cap <= 32768);
        assert_true(entries <= cap / 2);
    }
    /* the limits still hold for the recent ones */
    assert_true(edge_rl_reserve(rl, 100000, 0, 100000) > 0);
    assert_true(edge_rl_reserve(rl, -99999, 1, 100000) > 0);
    edge_rl_free(rl);

    /* with the global limit, refused chats take no entry at all */
    rl = edge_rl_create(1, 20, 30);
    assert_int_equal(attempt(rl, 1000000, 100000, 0, 0, 100000), 3000);
    edge_rl_stats(rl, &entries, &cap);
    assert_true(entries <= 64);
    assert_true(cap <= 256);
    edge_rl_free(rl);

    /* a very slow chat rate: entries go once idle for 10 minutes */
    rl = edge_rl_create(0.001, 0, 0);
    for (long long i = 0; i < 100000; i++) {
        assert_int_equal(edge_rl_reserve(rl, i, 0, i * 100), 0);
        edge_rl_stats(rl, &entries, &cap);
        assert_true(cap <= 8 * (EDGE_RL_IDLE_MS / 100 + 1));
    }
    assert_true(edge_rl_reserve(rl, 99999, 0, 99999 * 100 + 1) > 0);
    edge_rl_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket_one_per_second),
        cmocka_unit_test(test_bucket_burst),
        cmocka_unit_test(test_bucket_unlimited_and_clock_back),
        cmocka_unit_test(test_rl_chat_one_per_second),
        cmocka_unit_test(test_rl_group_twenty_per_minute),
        cmocka_unit_test(test_rl_global_thirty_per_second_across_chats),
        cmocka_unit_test(test_rl_all_or_nothing),
        cmocka_unit_test(test_rl_retry_after_blocks_only_that_chat),
        cmocka_unit_test(test_rl_unlimited),
        cmocka_unit_test(test_rl_many_chats_stay_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
