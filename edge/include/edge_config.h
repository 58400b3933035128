/* rt-edge configuration, read once from the environment (see README's configuration table). */
#ifndef EDGE_CONFIG_H
#define EDGE_CONFIG_H

#include <stddef.h>

typedef struct edge_config {
    char http_host[64];
    int http_port;
    char pg_host[256];
    int pg_port;
    char pg_db[64];
    char pg_user[64];
    char pg_password[256]; /* secret: never logged */
    char redis_url[512];   /* may hold a password: never logged */
    char tg_token[256];    /* secret: empty disables the poller and enables the simulator */
    char tg_api_base[512];
    char tg_webhook_secret[257]; /* secret: set = webhook mode (no getUpdates) */
    char tg_webhook_url[512];    /* public URL announced with setWebhook; empty: set by hand */
    int tg_poll_timeout;
    char secrets_key[128]; /* secret */
    char static_dir[1024];
    int session_ttl_sec;
    int cookie_secure;
    /* addresses / CIDR ranges of reverse proxies whose X-Forwarded-For names the client (the
     * login limiter's address); "" = none, the TCP peer is the client */
    char trusted_proxies[1024];
    int ingest_batch;
    int ingest_claim_idle_ms;
    int ingest_max_deliveries;
    int ws_max_queue;
    size_t max_body_bytes;
    /* HTTP limits (contract.md): a request's headers and body arrive within
     * http_request_timeout_sec, one peer address holds at most http_max_conn_per_ip
     * connections (0 = no cap), a header block over http_max_header_bytes gets 431, and a Host
     * outside http_hosts (comma list; "" = localhost, 127.0.0.1, [::1] and http_host) gets 421 */
    int http_request_timeout_sec;
    int http_max_conn_per_ip;
    int http_max_header_bytes;
    char http_hosts[1024];
    int log_level; /* EDGE_LOG_* */
    /* delivery (docs/design/contract-delivery.md) */
    char openai_key[512];     /* secret: seed key of the openai provider */
    char deepseek_key[512];   /* secret: seed key of the deepseek provider */
    char openai_model[128];   /* OPENAI_MODEL: model of the seeded openai provider ("" = default) */
    char deepseek_model[128]; /* DEEPSEEK_MODEL: same for deepseek */
    /* round table (contract-roundtable.md): seeds of the settings on first start, as strings
     * (the extension validates them); "" = unset */
    char rt_max_rounds[32];          /* MAX_ROUNDS */
    char rt_turn_timeout_sec[32];    /* TURN_TIMEOUT_SEC */
    char rt_context_token_limit[32]; /* CONTEXT_TOKEN_LIMIT */
    char rt_payment_url[2048];       /* PAYMENT_URL */
    char rt_max_tokens[32];          /* ROUNDTABLE_MAX_TOKENS */
    char rt_max_cost[32];            /* ROUNDTABLE_MAX_COST */
    int outbox_sweep_ms;
    int outbox_stale_sec;
    int job_max_deliveries;
    int job_claim_idle_ms;
    int stream_maxlen;
    int llm_concurrency;
    int send_concurrency;
    int llm_connect_timeout_ms;
    int llm_first_token_timeout_ms;
    int llm_idle_timeout_ms;
    int llm_total_timeout_ms;
    int tg_rate_chat;          /* per second per chat; 0 = unlimited */
    int tg_rate_group_per_min; /* per minute per group; 0 = unlimited */
    int tg_rate_global;        /* per second overall; 0 = unlimited */
    int pg_api_pool;
    int pg_worker_pool;
    int pg_api_queue;            /* calls waiting for an API connection; more get 503 */
    int pg_queue_timeout_ms;     /* an API call waiting longer fails with 503 */
    int pg_statement_timeout_ms; /* statement_timeout of API sessions */
    /* RT_METRICS_TOKEN: the bearer token of GET /metrics (secret: never logged); "" = only an
     * admin session may read /metrics */
    char metrics_token[257];
} edge_config;

/* Fills cfg from getenv with documented defaults. Returns EDGE_OK, or EDGE_ERR with a message
 * naming the bad variable in errbuf (e.g. "RT_HTTP_PORT must be an integer 1..65535"). */
int edge_config_load(edge_config *cfg, char *errbuf, size_t errlen);

/* Same, but reading variables through lookup(name) so tests need not touch the environment. */
int edge_config_load_from(edge_config *cfg, const char *(*lookup)(const char *name), char *errbuf,
                          size_t errlen);

/* Logs the effective configuration at info level with every secret redacted. */
void edge_config_log(const edge_config *cfg);

#endif
