/* edge_metrics: the text exposition format 0.0.4 writer (HELP/TYPE, label escaping, histograms
 * with cumulative buckets, +Inf, _sum and _count), bounded label sets, the edge's families and
 * the constant-time bearer check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_metrics.h"

static char *render(edge_metric *m)
{
    edge_mbuf b = {0};
    edge_metric *const fams[] = {m};
    assert_int_equal(edge_metrics_write(&b, fams, 1), 0);
    return b.p; /* caller frees */
}

static void test_counter_without_labels_starts_at_zero(void **state)
{
    (void)state;
    edge_metric m =
        EDGE_METRIC(EDGE_METRIC_COUNTER, "t_total", "Things.", EDGE_NO_LABELS, NULL, 0, 1);
    char *s = render(&m);
    assert_string_equal(s, "# HELP t_total Things.\n# TYPE t_total counter\nt_total 0\n");
    free(s);
    edge_metric_add(&m, NULL, 3);
    edge_metric_add(&m, NULL, -1);  /* a counter never goes down */
    edge_metric_add(&m, NULL, NAN); /* nor becomes NaN */
    s = render(&m);
    assert_string_equal(s, "# HELP t_total Things.\n# TYPE t_total counter\nt_total 3\n");
    free(s);
    edge_metric_clear(&m);
}

static void test_labels_are_escaped(void **state)
{
    (void)state;
    edge_metric m = EDGE_METRIC(EDGE_METRIC_GAUGE, "t_g", "Help with \\ and\nnewline.",
                                EDGE_LABELS("provider"), NULL, 0, 8);
    const char *v1[] = {"a\"b\\c\nd"};
    const char *v2[] = {"\xff\xfeok\xc3\xa9"}; /* invalid bytes become '?', é stays */
    edge_metric_set(&m, v1, 1.5);
    edge_metric_set(&m, v2, -2);
    char *s = render(&m);
    assert_string_equal(s, "# HELP t_g Help with \\\\ and\\nnewline.\n"
                           "# TYPE t_g gauge\n"
                           "t_g{provider=\"a\\\"b\\\\c\\nd\"} 1.5\n"
                           "t_g{provider=\"??ok\xc3\xa9\"} -2\n");
    free(s);
    edge_metric_clear(&m);
}

static void test_histogram_buckets_are_cumulative_with_inf(void **state)
{
    (void)state;
    static const double bounds[] = {0.1, 1, 10};
    edge_metric m = EDGE_METRIC(EDGE_METRIC_HISTOGRAM, "t_seconds", "Durations.", EDGE_LABELS("p"),
                                bounds, 3, 8);
    const char *v[] = {"x"};
    edge_metric_observe(&m, v, 0.05);
    edge_metric_observe(&m, v, 0.1); /* le is inclusive */
    edge_metric_observe(&m, v, 5);
    edge_metric_observe(&m, v, 100);
    edge_metric_observe(&m, v, NAN); /* ignored */
    char *s = render(&m);
    assert_string_equal(s, "# HELP t_seconds Durations.\n"
                           "# TYPE t_seconds histogram\n"
                           "t_seconds_bucket{p=\"x\",le=\"0.1\"} 2\n"
                           "t_seconds_bucket{p=\"x\",le=\"1\"} 2\n"
                           "t_seconds_bucket{p=\"x\",le=\"10\"} 3\n"
                           "t_seconds_bucket{p=\"x\",le=\"+Inf\"} 4\n"
                           "t_seconds_sum{p=\"x\"} 105.15\n"
                           "t_seconds_count{p=\"x\"} 4\n");
    free(s);
    assert_true(edge_metric_get(&m, v) == 4);
    edge_metric_clear(&m);
}

static void test_label_set_is_bounded(void **state)
{
    (void)state;
    edge_metric m =
        EDGE_METRIC(EDGE_METRIC_COUNTER, "t_total", "T.", EDGE_LABELS("a", "b"), NULL, 0, 3);
    char a[16];
    for (int i = 0; i < 100; i++) {
        snprintf(a, sizeof(a), "v%d", i);
        const char *v[] = {a, "x"};
        edge_metric_add(&m, v, 1);
    }
    /* two real series, then everything else under "other": never more than max_series */
    assert_int_equal((int)m.n, 3);
    const char *first[] = {"v0", "x"}, *other[] = {"other", "other"};
    assert_true(edge_metric_get(&m, first) == 1);
    assert_true(edge_metric_get(&m, other) == 98);
    /* the label values ("ab","") and ("a","b") are different series */
    edge_metric_clear(&m);
    const char *x1[] = {"ab", ""}, *x2[] = {"a", "b"};
    edge_metric_add(&m, x1, 1);
    edge_metric_add(&m, x2, 2);
    assert_true(edge_metric_get(&m, x1) == 1);
    assert_true(edge_metric_get(&m, x2) == 2);
    edge_metric_clear(&m);
}

static void test_values_read_back_exactly(void **state)
{
    (void)state;
    edge_metric m = EDGE_METRIC(EDGE_METRIC_GAUGE, "t_g", "G.", EDGE_NO_LABELS, NULL, 0, 1);
    edge_metric_set(&m, NULL, 0.1 + 0.2); /* 0.30000000000000004: %.15g would lose it */
    char *s = render(&m);
    assert_non_null(strstr(s, "\nt_g 0.30000000000000004\n"));
    free(s);
    edge_metric_set(&m, NULL, INFINITY);
    s = render(&m);
    assert_non_null(strstr(s, "\nt_g +Inf\n"));
    free(s);
    edge_metric_set(&m, NULL, 12345678901.0);
    s = render(&m);
    assert_non_null(strstr(s, "\nt_g 12345678901\n"));
    free(s);
    edge_metric_clear(&m);
}

/* every family of the contract, each with HELP and TYPE, and the counters move */
static void test_edge_families(void **state)
{
    (void)state;
    static const char *const names[] = {"rt_build_info",
                                        "rt_updates_ingested_total",
                                        "rt_stream_length",
                                        "rt_stream_pending",
                                        "rt_stream_lag",
                                        "rt_outbox_backlog",
                                        "rt_dead_letters_total",
                                        "rt_llm_requests_total",
                                        "rt_llm_request_duration_seconds",
                                        "rt_llm_first_token_seconds",
                                        "rt_llm_tokens_total",
                                        "rt_llm_cost_usd_total",
                                        "rt_telegram_requests_total",
                                        "rt_telegram_429_total",
                                        "rt_ws_clients",
                                        "rt_pg_pool_waits_total",
                                        "rt_pg_pool_wait_seconds",
                                        "rt_pg_pool_in_use",
                                        "rt_http_requests_total",
                                        NULL};
    edge_mbuf b = {0};
    char line[160];
    edge_metrics_reset();
    edge_metrics_updates_ingested(5);
    edge_metrics_updates_ingested(2);
    edge_metrics_dead_letter("{rt}:in");
    edge_metrics_llm_call("fake \"one\"", "ok", 1.2);
    edge_metrics_llm_first_token("fake \"one\"", 0.3);
    edge_metrics_llm_usage("fake \"one\"", 100, 20, 0.0035);
    edge_metrics_telegram("sendMessage", 200);
    edge_metrics_telegram("sendMessage", 429);
    edge_metrics_pg_wait("api", 0.002);
    edge_metrics_http("getMe", 200);
    edge_metrics_http(NULL, 400);
    assert_int_equal(edge_metrics_render(&b), 0);
    for (const char *const *n = names; *n; n++) {
        snprintf(line, sizeof(line), "# HELP %s ", *n);
        assert_non_null(strstr(b.p, line));
        snprintf(line, sizeof(line), "# TYPE %s ", *n);
        assert_non_null(strstr(b.p, line));
    }
    assert_non_null(strstr(b.p, "\nrt_build_info{version=\"" EDGE_VERSION "\"} 1\n"));
    assert_non_null(strstr(b.p, "\nrt_updates_ingested_total 7\n"));
    assert_non_null(strstr(b.p, "\nrt_dead_letters_total{stream=\"{rt}:in\"} 1\n"));
    /* the other streams' dead letters start at 0, so increase() sees their first one */
    assert_non_null(strstr(b.p, "\nrt_dead_letters_total{stream=\"{rt}:send\"} 0\n"));
    assert_non_null(
        strstr(b.p, "\nrt_llm_requests_total{provider=\"fake \\\"one\\\"\",outcome=\"ok\"} 1\n"));
    assert_non_null(
        strstr(b.p, "\nrt_llm_request_duration_seconds_count{provider=\"fake \\\"one\\\"\"} 1\n"));
    assert_non_null(
        strstr(b.p, "\nrt_llm_tokens_total{provider=\"fake \\\"one\\\"\",kind=\"prompt\"} 100\n"));
    assert_non_null(strstr(
        b.p, "\nrt_llm_tokens_total{provider=\"fake \\\"one\\\"\",kind=\"completion\"} 20\n"));
    assert_non_null(strstr(b.p, "\nrt_llm_cost_usd_total{provider=\"fake \\\"one\\\"\"} 0.0035\n"));
    assert_non_null(
        strstr(b.p, "\nrt_telegram_requests_total{method=\"sendMessage\",code=\"429\"} 1\n"));
    assert_non_null(strstr(b.p, "\nrt_telegram_429_total 1\n"));
    assert_non_null(strstr(b.p, "\nrt_pg_pool_waits_total{pool=\"api\"} 1\n"));
    assert_non_null(
        strstr(b.p, "\nrt_pg_pool_wait_seconds_bucket{pool=\"api\",le=\"0.0025\"} 1\n"));
    assert_non_null(strstr(b.p, "\nrt_http_requests_total{route=\"getMe\",code=\"200\"} 1\n"));
    assert_non_null(strstr(b.p, "\nrt_http_requests_total{route=\"none\",code=\"400\"} 1\n"));
    /* only the valid exposition: every line is a comment or "name{...} value" */
    for (char *p = b.p; *p;) {
        char *e = strchr(p, '\n');
        assert_non_null(e);
        assert_true(p[0] == '#' || (p[0] >= 'a' && p[0] <= 'z'));
        p = e + 1;
    }
    edge_mbuf_free(&b);
    edge_metrics_reset();
}

static void test_bearer_ok(void **state)
{
    (void)state;
    const char *want = "s3cret-token_value";
    assert_true(edge_metrics_bearer_ok("Bearer s3cret-token_value", want));
    assert_true(edge_metrics_bearer_ok("bearer s3cret-token_value", want)); /* scheme: any case */
    assert_false(edge_metrics_bearer_ok("Bearer s3cret-token_valuE", want));
    assert_false(edge_metrics_bearer_ok("Bearer s3cret-token_value2", want));
    assert_false(edge_metrics_bearer_ok("Bearer s3cret", want)); /* a prefix is not the token */
    assert_false(edge_metrics_bearer_ok("Basic s3cret-token_value", want));
    assert_false(edge_metrics_bearer_ok("s3cret-token_value", want));
    assert_false(edge_metrics_bearer_ok("Bearer ", want));
    assert_false(edge_metrics_bearer_ok("", want));
    assert_false(edge_metrics_bearer_ok(NULL, want));
    /* no token configured: nothing matches, the empty one neither */
    assert_false(edge_metrics_bearer_ok("Bearer ", ""));
    assert_false(edge_metrics_bearer_ok("Bearer x", ""));
    assert_false(edge_metrics_bearer_ok("Bearer x", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_without_labels_starts_at_zero),
        cmocka_unit_test(test_labels_are_escaped),
        cmocka_unit_test(test_histogram_buckets_are_cumulative_with_inf),
        cmocka_unit_test(test_label_set_is_bounded),
        cmocka_unit_test(test_values_read_back_exactly),
        cmocka_unit_test(test_edge_families),
        cmocka_unit_test(test_bearer_ok),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
