/* Environment configuration: defaults, validation with messages naming the variable. An empty
 * variable counts as unset (except that an empty TELEGRAM_BOT_TOKEN is the documented "off"). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge.h"
#include "edge_auth.h"
#include "edge_config.h"
#include "edge_log.h"
#include "edge_redis.h"

static const char *env_lookup(const char *name)
{
    return getenv(name);
}

static const char *get(const char *(*lookup)(const char *), const char *name, const char *def)
{
    const char *v = lookup(name);
    return (v && *v) ? v : def;
}

static int set_str(char *dst, size_t cap, const char *val, const char *name, int required,
                   char *errbuf, size_t errlen)
{
    size_t n = strlen(val);
    if (required && n == 0) {
        snprintf(errbuf, errlen, "%s must not be empty", name);
        return EDGE_ERR;
    }
    if (n >= cap) {
        snprintf(errbuf, errlen, "%s is too long (at most %zu bytes)", name, cap - 1);
        return EDGE_ERR;
    }
    memcpy(dst, val, n + 1);
    return EDGE_OK;
}

static int set_int(long long *out, const char *val, const char *name, long long lo, long long hi,
                   char *errbuf, size_t errlen)
{
    char *end = NULL;
    long long v;
    errno = 0;
    if (*val == '\0' || *val == ' ' || *val == '\t' || *val == '+') goto err;
    v = strtoll(val, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi) goto err;
    *out = v;
    return EDGE_OK;
err:
    snprintf(errbuf, errlen, "%s must be an integer %lld..%lld", name, lo, hi);
    return EDGE_ERR;
}

#define INT_VAR(field, name, def, lo, hi)                                                  \
    do {                                                                                   \
        long long v_;                                                                      \
        if (set_int(&v_, get(lookup, name, def), name, lo, hi, errbuf, errlen) != EDGE_OK) \
            goto err;                                                                      \
        cfg->field = (int)v_;                                                              \
    } while (0)

#define STR_VAR(field, name, def, required)                                                 \
    do {                                                                                    \
        if (set_str(cfg->field, sizeof(cfg->field), get(lookup, name, def), name, required, \
                    errbuf, errlen) != EDGE_OK)                                             \
            goto err;                                                                       \
    } while (0)

static int is_fernet_key(const char *s)
{
    if (strlen(s) != 44 || s[43] != '=') return 0;
    for (int i = 0; i < 43; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

int edge_config_load_from(edge_config *cfg, const char *(*lookup)(const char *name), char *errbuf,
                          size_t errlen)
{
    long long v;
    edge_redis_url ru;
    const char *s;

    if (!cfg || !lookup || !errbuf || errlen == 0) return EDGE_ERR;
    memset(cfg, 0, sizeof(*cfg));
    errbuf[0] = '\0';

    STR_VAR(http_host, "RT_HTTP_HOST", "127.0.0.1", 1);
    INT_VAR(http_port, "RT_HTTP_PORT", "8080", 1, 65535);
    STR_VAR(pg_host, "POSTGRES_HOST", "127.0.0.1", 1);
    INT_VAR(pg_port, "POSTGRES_PORT", "5432", 1, 65535);
    STR_VAR(pg_db, "POSTGRES_DB", "roundtable", 1);
    STR_VAR(pg_user, "POSTGRES_USER", "rt_edge", 1);
    STR_VAR(pg_password, "POSTGRES_PASSWORD", "", 0);

    STR_VAR(redis_url, "REDIS_URL", "redis://127.0.0.1:6379/0", 1);
    if (edge_redis_parse_url(cfg->redis_url, &ru) != EDGE_OK) {
        snprintf(errbuf, errlen,
                 "REDIS_URL must look like redis://[:password@]host[:port][/db] (db 0..15)");
        goto err;
    }

    STR_VAR(tg_token, "TELEGRAM_BOT_TOKEN", "", 0);
    for (s = cfg->tg_token; *s; s++) {
        if (*s == '/' || *s == '?' || *s == '#' || *s == '%' || (unsigned char)*s <= ' ') {
            snprintf(errbuf, errlen,
                     "TELEGRAM_BOT_TOKEN contains a character not allowed in a "
                     "bot token");
            goto err;
        }
    }
    STR_VAR(tg_api_base, "TELEGRAM_API_BASE", "https://api.telegram.org", 1);
    if (strncmp(cfg->tg_api_base, "http://", 7) != 0 &&
        strncmp(cfg->tg_api_base, "https://", 8) != 0) {
        snprintf(errbuf, errlen, "TELEGRAM_API_BASE must start with http:// or https://");
        goto err;
    }
    for (size_t n = strlen(cfg->tg_api_base); n > 0 && cfg->tg_api_base[n - 1] == '/'; n--)
        cfg->tg_api_base[n - 1] = '\0';
    STR_VAR(metrics_token, "RT_METRICS_TOKEN", "", 0);
    for (s = cfg->metrics_token; *s; s++) {
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f) {
            snprintf(errbuf, errlen,
                     "RT_METRICS_TOKEN must be printable ASCII without spaces (a bearer token)");
            goto err;
        }
    }
    INT_VAR(tg_poll_timeout, "TELEGRAM_POLL_TIMEOUT", "25", 0, 300);
    STR_VAR(tg_webhook_secret, "TELEGRAM_WEBHOOK_SECRET", "", 0);
    for (s = cfg->tg_webhook_secret; *s; s++) {
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-')) {
            snprintf(errbuf, errlen,
                     "TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1 to 256 "
                     "characters, as Telegram requires)");
            goto err;
        }
    }
    STR_VAR(tg_webhook_url, "TELEGRAM_WEBHOOK_URL", "", 0);
    if (cfg->tg_webhook_url[0] && strncmp(cfg->tg_webhook_url, "https://", 8) != 0 &&
        strncmp(cfg->tg_webhook_url, "http://", 7) != 0) {
        snprintf(errbuf, errlen, "TELEGRAM_WEBHOOK_URL must start with https://");
        goto err;
    }
    if (cfg->tg_webhook_url[0] && !cfg->tg_webhook_secret[0]) {
        snprintf(errbuf, errlen,
                 "TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET: an unauthenticated webhook "
                 "would take updates from anyone");
        goto err;
    }

    STR_VAR(secrets_key, "SECRETS_KEY", "", 0);
    if (cfg->secrets_key[0] && !is_fernet_key(cfg->secrets_key)) {
        snprintf(errbuf, errlen,
                 "SECRETS_KEY must be a Fernet key (44 characters of url-safe "
                 "base64)");
        goto err;
    }
    STR_VAR(static_dir, "RT_STATIC_DIR", "frontend/dist", 1);
    INT_VAR(session_ttl_sec, "RT_SESSION_TTL_SEC", "43200", 5, 31536000);
    INT_VAR(cookie_secure, "RT_COOKIE_SECURE", "0", 0, 1);
    STR_VAR(trusted_proxies, "RT_TRUSTED_PROXIES", "", 0);
    if (!edge_ip_list_is_valid(cfg->trusted_proxies)) {
        snprintf(errbuf, errlen,
                 "RT_TRUSTED_PROXIES must be a comma list of IP addresses or CIDR ranges");
        goto err;
    }
    INT_VAR(ingest_batch, "RT_INGEST_BATCH", "1000", 1, 10000);
    INT_VAR(ingest_claim_idle_ms, "RT_INGEST_CLAIM_IDLE_MS", "30000", 100, 86400000);
    INT_VAR(ingest_max_deliveries, "RT_INGEST_MAX_DELIVERIES", "5", 1, 1000);
    INT_VAR(ws_max_queue, "RT_WS_MAX_QUEUE", "4096", 1, 1000000);
    if (set_int(&v, get(lookup, "RT_MAX_BODY_BYTES", "1048576"), "RT_MAX_BODY_BYTES", 1024,
                1073741824LL, errbuf, errlen) != EDGE_OK)
        goto err;
    cfg->max_body_bytes = (size_t)v;
    INT_VAR(http_request_timeout_sec, "RT_HTTP_REQUEST_TIMEOUT_SEC", "30", 1, 3600);
    INT_VAR(http_max_conn_per_ip, "RT_HTTP_MAX_CONN_PER_IP", "128", 0, 1000000);
    INT_VAR(http_max_header_bytes, "RT_HTTP_MAX_HEADER_BYTES", "16384", 1024, 60000);
    STR_VAR(http_hosts, "RT_HTTP_HOSTS", "", 0);

    STR_VAR(openai_key, "OPENAI_API_KEY", "", 0);
    STR_VAR(deepseek_key, "DEEPSEEK_API_KEY", "", 0);
    STR_VAR(openai_model, "OPENAI_MODEL", "", 0);
    STR_VAR(deepseek_model, "DEEPSEEK_MODEL", "", 0);
    STR_VAR(rt_max_rounds, "MAX_ROUNDS", "", 0);
    STR_VAR(rt_turn_timeout_sec, "TURN_TIMEOUT_SEC", "", 0);
    STR_VAR(rt_context_token_limit, "CONTEXT_TOKEN_LIMIT", "", 0);
    STR_VAR(rt_payment_url, "PAYMENT_URL", "", 0);
    STR_VAR(rt_max_tokens, "ROUNDTABLE_MAX_TOKENS", "", 0);
    STR_VAR(rt_max_cost, "ROUNDTABLE_MAX_COST", "", 0);
    INT_VAR(outbox_sweep_ms, "RT_OUTBOX_SWEEP_MS", "5000", 50, 3600000);
    INT_VAR(outbox_stale_sec, "RT_OUTBOX_STALE_SEC", "300", 1, 86400);
    INT_VAR(job_max_deliveries, "RT_JOB_MAX_DELIVERIES", "5", 1, 100);
    INT_VAR(job_claim_idle_ms, "RT_JOB_CLAIM_IDLE_MS", "60000", 100, 86400000);
    INT_VAR(stream_maxlen, "RT_STREAM_MAXLEN", "100000", 100, 100000000);
    INT_VAR(llm_concurrency, "RT_LLM_CONCURRENCY", "256", 1, 100000);
    INT_VAR(send_concurrency, "RT_SEND_CONCURRENCY", "64", 1, 100000);
    INT_VAR(llm_connect_timeout_ms, "RT_LLM_CONNECT_TIMEOUT_MS", "10000", 100, 600000);
    INT_VAR(llm_first_token_timeout_ms, "RT_LLM_FIRST_TOKEN_TIMEOUT_MS", "60000", 100, 3600000);
    INT_VAR(llm_idle_timeout_ms, "RT_LLM_IDLE_TIMEOUT_MS", "30000", 100, 3600000);
    INT_VAR(llm_total_timeout_ms, "RT_LLM_TOTAL_TIMEOUT_MS", "180000", 100, 86400000);
    INT_VAR(tg_rate_chat, "RT_TG_RATE_CHAT", "1", 0, 1000);
    INT_VAR(tg_rate_group_per_min, "RT_TG_RATE_GROUP_PER_MIN", "20", 0, 100000);
    INT_VAR(tg_rate_global, "RT_TG_RATE_GLOBAL", "30", 0, 100000);
    INT_VAR(pg_api_pool, "RT_PG_API_POOL", "4", 1, 64);
    INT_VAR(pg_worker_pool, "RT_PG_WORKER_POOL", "4", 1, 64);
    INT_VAR(pg_api_queue, "RT_PG_API_QUEUE", "128", 1, 100000);
    INT_VAR(pg_queue_timeout_ms, "RT_PG_QUEUE_TIMEOUT_MS", "3000", 100, 600000);
    INT_VAR(pg_statement_timeout_ms, "RT_PG_STATEMENT_TIMEOUT_MS", "5000", 100, 3600000);

    s = get(lookup, "RT_LOG_LEVEL", "info");
    cfg->log_level = edge_log_parse_level(s);
    if (cfg->log_level < 0) {
        snprintf(errbuf, errlen, "RT_LOG_LEVEL must be one of debug, info, warn, error");
        goto err;
    }
    return EDGE_OK;
err:
    /* leave no secret behind in a config the caller is going to discard */
    memset(cfg, 0, sizeof(*cfg));
    return EDGE_ERR;
}

int edge_config_load(edge_config *cfg, char *errbuf, size_t errlen)
{
    return edge_config_load_from(cfg, env_lookup, errbuf, errlen);
}

void edge_config_log(const edge_config *cfg)
{
    char port[24], pgport[24], timeout[24], batch[24], idle[24], maxdel[24], wsq[24], body[24],
        ttl[24], redis_port[24], redis_db[24];
    edge_redis_url ru;
    const char *redis_host = "?";
    memset(&ru, 0, sizeof(ru));
    if (edge_redis_parse_url(cfg->redis_url, &ru) == EDGE_OK) redis_host = ru.host;
    EDGE_INFO("configuration", "http_host", cfg->http_host, "http_port",
              edge_log_int(port, cfg->http_port), "pg_host", cfg->pg_host, "pg_port",
              edge_log_int(pgport, cfg->pg_port), "pg_db", cfg->pg_db, "pg_user", cfg->pg_user,
              "pg_password", cfg->pg_password[0] ? "[redacted]" : "", "redis_host", redis_host,
              "redis_port", edge_log_int(redis_port, ru.port), "redis_db",
              edge_log_int(redis_db, ru.db), "redis_password", ru.password[0] ? "[redacted]" : "",
              "telegram", cfg->tg_token[0] ? "on" : "off", "telegram_api_base", cfg->tg_api_base,
              "telegram_poll_timeout", edge_log_int(timeout, cfg->tg_poll_timeout), "secrets_key",
              cfg->secrets_key[0] ? "[redacted]" : "", "static_dir", cfg->static_dir,
              "metrics_token", cfg->metrics_token[0] ? "[redacted]" : "", "session_ttl_sec",
              edge_log_int(ttl, cfg->session_ttl_sec), "cookie_secure",
              cfg->cookie_secure ? "1" : "0", "ingest_batch",
              edge_log_int(batch, cfg->ingest_batch), "ingest_claim_idle_ms",
              edge_log_int(idle, cfg->ingest_claim_idle_ms), "ingest_max_deliveries",
              edge_log_int(maxdel, cfg->ingest_max_deliveries), "ws_max_queue",
              edge_log_int(wsq, cfg->ws_max_queue), "max_body_bytes",
              edge_log_int(body, (long long)cfg->max_body_bytes));
    {
        char sweep[24], stale[24], jmax[24], cidle[24], llmc[24], sendc[24], ftt[24], itt[24],
            ttt[24], rc[24], rg[24], rgl[24];
        EDGE_INFO("configuration: delivery", "openai_api_key",
                  cfg->openai_key[0] ? "[redacted]" : "", "deepseek_api_key",
                  cfg->deepseek_key[0] ? "[redacted]" : "", "outbox_sweep_ms",
                  edge_log_int(sweep, cfg->outbox_sweep_ms), "outbox_stale_sec",
                  edge_log_int(stale, cfg->outbox_stale_sec), "job_max_deliveries",
                  edge_log_int(jmax, cfg->job_max_deliveries), "job_claim_idle_ms",
                  edge_log_int(cidle, cfg->job_claim_idle_ms), "llm_concurrency",
                  edge_log_int(llmc, cfg->llm_concurrency), "send_concurrency",
                  edge_log_int(sendc, cfg->send_concurrency), "llm_first_token_timeout_ms",
                  edge_log_int(ftt, cfg->llm_first_token_timeout_ms), "llm_idle_timeout_ms",
                  edge_log_int(itt, cfg->llm_idle_timeout_ms), "llm_total_timeout_ms",
                  edge_log_int(ttt, cfg->llm_total_timeout_ms), "tg_rate_chat",
                  edge_log_int(rc, cfg->tg_rate_chat), "tg_rate_group_per_min",
                  edge_log_int(rg, cfg->tg_rate_group_per_min), "tg_rate_global",
                  edge_log_int(rgl, cfg->tg_rate_global));
    }
    memset(&ru, 0, sizeof(ru));
}
