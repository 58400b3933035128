/* edge_config: defaults, every variable's validation, and error messages naming the variable. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "edge.h"
#include "edge_config.h"
#include "edge_log.h"

/* a tiny fake environment: up to 8 name=value pairs */
static const char *env_names[8], *env_values[8];
static int env_n;

static const char *fake_lookup(const char *name)
{
    for (int i = 0; i < env_n; i++)
        if (strcmp(env_names[i], name) == 0) return env_values[i];
    return NULL;
}

static int reset_env(void **state)
{
    (void)state;
    env_n = 0;
    return 0;
}

static void set_env(const char *name, const char *value)
{
    env_names[env_n] = name;
    env_values[env_n++] = value;
}

static void expect_error(const char *name, const char *value, const char *fragment)
{
    edge_config cfg;
    char err[256];
    env_n = 0;
    set_env(name, value);
    assert_int_equal(edge_config_load_from(&cfg, fake_lookup, err, sizeof(err)), EDGE_ERR);
    assert_non_null(strstr(err, name));
    if (fragment) assert_non_null(strstr(err, fragment));
}

static void test_config_defaults(void **state)
{
    edge_config cfg;
    char err[256];
    (void)state;
    assert_int_equal(edge_config_load_from(&cfg, fake_lookup, err, sizeof(err)), EDGE_OK);
    assert_string_equal(cfg.http_host, "127.0.0.1");
    assert_int_equal(cfg.http_port, 8080);
    assert_string_equal(cfg.pg_host, "127.0.0.1");
    assert_int_equal(cfg.pg_port, 5432);
    assert_string_equal(cfg.pg_db, "roundtable");
    assert_string_equal(cfg.pg_user, "rt_edge");
    assert_string_equal(cfg.pg_password, "");
    assert_string_equal(cfg.redis_url, "redis://127.0.0.1:6379/0");
    assert_string_equal(cfg.tg_token, "");
    assert_string_equal(cfg.tg_api_base, "https://api.telegram.org");
    assert_int_equal(cfg.tg_poll_timeout, 25);
    assert_string_equal(cfg.secrets_key, "");
    assert_string_equal(cfg.static_dir, "frontend/dist");
    assert_int_equal(cfg.session_ttl_sec, 43200);
    assert_int_equal(cfg.cookie_secure, 0);
    assert_int_equal(cfg.ingest_batch, 1000);
    assert_int_equal(cfg.ingest_claim_idle_ms, 30000);
    assert_int_equal(cfg.ingest_max_deliveries, 5);
    assert_int_equal(cfg.ws_max_queue, 4096);
    assert_int_equal(cfg.max_body_bytes, 1048576);
    assert_int_equal(cfg.http_request_timeout_sec, 30);
    assert_int_equal(cfg.http_max_conn_per_ip, 128);
    assert_int_equal(cfg.http_max_header_bytes, 16384);
    assert_string_equal(cfg.http_hosts, "");
    assert_int_equal(cfg.log_level, EDGE_LOG_INFO);
}

static void test_config_overrides(void **state)
{
    edge_config cfg;
    char err[256];
    (void)state;
    set_env("RT_HTTP_PORT", "18080");
    set_env("TELEGRAM_API_BASE", "http://127.0.0.1:9/");
    set_env("TELEGRAM_BOT_TOKEN", "123:ABC-def_x");
    set_env("RT_LOG_LEVEL", "DEBUG");
    set_env("SECRETS_KEY", "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=");
    set_env("RT_COOKIE_SECURE", "1");
    set_env("REDIS_URL", "redis://:p%40ss@localhost:63800/2");
    set_env("POSTGRES_PASSWORD", "s3cret");
    assert_int_equal(edge_config_load_from(&cfg, fake_lookup, err, sizeof(err)), EDGE_OK);
    assert_int_equal(cfg.http_port, 18080);
    assert_string_equal(cfg.tg_api_base, "http://127.0.0.1:9"); /* trailing slash dropped */
    assert_string_equal(cfg.tg_token, "123:ABC-def_x");
    assert_int_equal(cfg.log_level, EDGE_LOG_DEBUG);
    assert_int_equal(cfg.cookie_secure, 1);
    assert_string_equal(cfg.pg_password, "s3cret");
}

static void test_config_webhook_url_needs_a_secret(void **state)
{
    edge_config cfg;
    char err[256];
    (void)state;
    set_env("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/api/telegram/webhook");
    assert_int_equal(edge_config_load_from(&cfg, fake_lookup, err, sizeof(err)), EDGE_ERR);
    assert_non_null(strstr(err, "TELEGRAM_WEBHOOK_SECRET"));
    set_env("TELEGRAM_WEBHOOK_SECRET", "ok_Secret-1");
    assert_int_equal(edge_config_load_from(&cfg, fake_lookup, err, sizeof(err)), EDGE_OK);
    assert_string_equal(cfg.tg_webhook_secret, "ok_Secret-1");
    assert_int_equal(cfg.tg_rate_chat, 1);
    assert_int_equal(cfg.job_max_deliveries, 5);
    assert_int_equal(cfg.pg_api_queue, 128);
}

static void test_config_empty_means_default(void **state)
{
    edge_config cfg;
    char err[256];
    (void)state;
    set_env("RT_HTTP_PORT", "");
    assert_int_equal(edge_config_load_from(&cfg, fake_lookup, err, sizeof(err)), EDGE_OK);
    assert_int_equal(cfg.http_port, 8080);
}

static void test_config_rejects_bad_integers(void **state)
{
    (void)state;
    expect_error("RT_HTTP_PORT", "0", "1..65535");
    expect_error("RT_HTTP_PORT", "65536", "1..65535");
    expect_error("RT_HTTP_PORT", "80x", "integer");
    expect_error("RT_HTTP_PORT", " 80", "integer");
    expect_error("POSTGRES_PORT", "-1", NULL);
    expect_error("TELEGRAM_POLL_TIMEOUT", "abc", NULL);
    expect_error("RT_SESSION_TTL_SEC", "1", NULL);
    expect_error("RT_COOKIE_SECURE", "2", "0..1");
    expect_error("RT_TRUSTED_PROXIES", "proxy.example", "RT_TRUSTED_PROXIES");
    expect_error("RT_TRUSTED_PROXIES", "10.0.0.0/33", "CIDR");
    expect_error("RT_INGEST_BATCH", "0", NULL);
    expect_error("RT_INGEST_CLAIM_IDLE_MS", "99999999999", NULL);
    expect_error("RT_INGEST_MAX_DELIVERIES", "0", NULL);
    expect_error("RT_WS_MAX_QUEUE", "0", NULL);
    expect_error("RT_MAX_BODY_BYTES", "10", NULL);
    expect_error("RT_HTTP_REQUEST_TIMEOUT_SEC", "0", "RT_HTTP_REQUEST_TIMEOUT_SEC");
    expect_error("RT_HTTP_MAX_CONN_PER_IP", "-1", "RT_HTTP_MAX_CONN_PER_IP");
    expect_error("RT_HTTP_MAX_HEADER_BYTES", "100", "RT_HTTP_MAX_HEADER_BYTES");
    expect_error("RT_HTTP_MAX_HEADER_BYTES", "70000", "1024..60000");
}

static void test_config_rejects_bad_strings(void **state)
{
    char longval[600];
    (void)state;
    memset(longval, 'a', sizeof(longval) - 1);
    longval[sizeof(longval) - 1] = '\0';
    expect_error("REDIS_URL", "http://x", "redis://");
    expect_error("REDIS_URL", "redis://host:99999/0", NULL);
    expect_error("REDIS_URL", "redis://host/16", NULL);
    expect_error("TELEGRAM_API_BASE", "ftp://x", "http");
    expect_error("TELEGRAM_BOT_TOKEN", "12/34", NULL);
    expect_error("SECRETS_KEY", "short", "Fernet");
    expect_error("TELEGRAM_WEBHOOK_SECRET", "has space", "A-Z");
    expect_error("TELEGRAM_WEBHOOK_SECRET", "semi;colon", "A-Z");
    expect_error("TELEGRAM_WEBHOOK_URL", "ftp://x", "https://");
    expect_error("RT_TG_RATE_CHAT", "-1", "0..1000");
    expect_error("RT_JOB_MAX_DELIVERIES", "0", "1..100");
    expect_error("RT_PG_API_QUEUE", "lots", "integer");
    expect_error("RT_LOG_LEVEL", "verbose", NULL);
    expect_error("POSTGRES_HOST", longval, "too long");
    expect_error("RT_HTTP_HOST", longval, "too long");
    expect_error("RT_METRICS_TOKEN", "has space", "printable ASCII");
    expect_error("RT_METRICS_TOKEN", "tab\there", "printable ASCII");
    expect_error("RT_METRICS_TOKEN", "caf\xc3\xa9", "printable ASCII");
    expect_error("RT_METRICS_TOKEN", longval, "too long");
}

/* RT_METRICS_TOKEN: empty by default (only a session reads /metrics), kept as given */
static void test_config_metrics_token(void **state)
{
    edge_config cfg;
    char err[256];
    (void)state;
    assert_int_equal(edge_config_load_from(&cfg, fake_lookup, err, sizeof(err)), EDGE_OK);
    assert_string_equal(cfg.metrics_token, "");
    set_env("RT_METRICS_TOKEN", "Zm9v-bar_baz.~+/=");
    assert_int_equal(edge_config_load_from(&cfg, fake_lookup, err, sizeof(err)), EDGE_OK);
    assert_string_equal(cfg.metrics_token, "Zm9v-bar_baz.~+/=");
}

static void test_config_error_does_not_keep_secrets(void **state)
{
    edge_config cfg;
    char err[256];
    (void)state;
    set_env("POSTGRES_PASSWORD", "s3cret");
    set_env("RT_LOG_LEVEL", "loud");
    assert_int_equal(edge_config_load_from(&cfg, fake_lookup, err, sizeof(err)), EDGE_ERR);
    assert_string_equal(cfg.pg_password, "");
    assert_null(strstr(err, "s3cret"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_config_defaults, reset_env),
        cmocka_unit_test_setup(test_config_overrides, reset_env),
        cmocka_unit_test_setup(test_config_empty_means_default, reset_env),
        cmocka_unit_test_setup(test_config_webhook_url_needs_a_secret, reset_env),
        cmocka_unit_test_setup(test_config_rejects_bad_integers, reset_env),
        cmocka_unit_test_setup(test_config_rejects_bad_strings, reset_env),
        cmocka_unit_test_setup(test_config_metrics_token, reset_env),
        cmocka_unit_test_setup(test_config_error_does_not_keep_secrets, reset_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
