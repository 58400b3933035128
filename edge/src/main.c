/* rt-edge: the daemon that connects Telegram, Redis, PostgreSQL and the browsers, all on one
 * libuv loop. SIGINT/SIGTERM arrive through uv_signal_t (outside signal context), stop every
 * module and let the loop drain so that everything is freed before exit. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge.h"
#include "edge_auth.h"
#include "edge_config.h"
#include "edge_fernet.h"
#include "edge_events.h"
#include "edge_http.h"
#include "edge_ingest.h"
#include "edge_llm.h"
#include "edge_log.h"
#include "edge_metrics.h"
#include "edge_outbox.h"
#include "edge_fanout.h"
#include "edge_pg.h"
#include "edge_provtest.h"
#include "edge_redis.h"
#include "edge_sender.h"
#include "edge_setup.h"
#include "edge_telegram.h"

static edge_ctx ctx;
static edge_fernet_key fernet;
static uv_signal_t sig_int, sig_term;
static int stopping;

static void shutdown_all(void)
{
    if (stopping) return;
    stopping = 1;
    edge_metrics_stop(); /* scrapes waiting for a re-read let go of their requests */
    edge_setup_stop();
    edge_llm_stop();
    edge_sender_stop();
    edge_outbox_stop();
    edge_telegram_stop();
    edge_ingest_stop();
    edge_events_stop();
    edge_provtest_stop();
    edge_fanout_stop();
    if (ctx.http) edge_http_stop(ctx.http);
    ctx.http = NULL;
    edge_pg_destroy(ctx.pg);
    ctx.pg = NULL;
    edge_pg_destroy(ctx.pg_work);
    ctx.pg_work = NULL;
    edge_pg_destroy(ctx.pg_ingest);
    ctx.pg_ingest = NULL;
    edge_pg_destroy(ctx.pg_send);
    ctx.pg_send = NULL;
    edge_redis_destroy(ctx.redis);
    ctx.redis = NULL;
    uv_close((uv_handle_t *)&sig_int, NULL);
    uv_close((uv_handle_t *)&sig_term, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
    (void)h;
    EDGE_INFO("shutting down", "signal", signum == SIGINT ? "SIGINT" : "SIGTERM");
    shutdown_all();
}

static void close_leftover(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h)) uv_close(h, NULL);
}

int main(void)
{
    static edge_config cfg;
    char err[256];
    int rc = 1;

    if (edge_config_load(&cfg, err, sizeof(err)) != EDGE_OK) {
        fprintf(stderr, "rt-edge: bad configuration: %s\n", err);
        return 2;
    }
    edge_log_level = cfg.log_level;
    if (edge_fernet_key_parse(cfg.secrets_key, &fernet, err, sizeof(err)) != EDGE_OK) {
        fprintf(stderr,
                "rt-edge: SECRETS_KEY is missing or malformed (%s); it must be a Fernet key: 32 "
                "random bytes in url-safe base64, e.g. from python3 -c 'import base64,os; "
                "print(base64.urlsafe_b64encode(os.urandom(32)).decode())'\n",
                err);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN); /* peers that hang up are handled as write errors */
    edge_config_log(&cfg);

    memset(&ctx, 0, sizeof(ctx));
    ctx.loop = uv_default_loop();
    ctx.cfg = &cfg;
    ctx.fernet = &fernet;
    uv_signal_init(ctx.loop, &sig_int);
    uv_signal_init(ctx.loop, &sig_term);
    uv_signal_start(&sig_int, on_signal, SIGINT);
    uv_signal_start(&sig_term, on_signal, SIGTERM);

    /* separate pools: a flood of API calls never delays the workers, and the reverse */
    ctx.pg = edge_pg_create(ctx.loop, &cfg, cfg.pg_api_pool);
    ctx.pg_ingest = edge_pg_create(ctx.loop, &cfg, 2);
    ctx.pg_work = edge_pg_create(ctx.loop, &cfg, cfg.pg_worker_pool);
    ctx.pg_send = edge_pg_create(ctx.loop, &cfg, 2);
    ctx.redis = edge_redis_create(ctx.loop, &cfg);
    if (!ctx.pg || !ctx.pg_ingest || !ctx.pg_work || !ctx.pg_send || !ctx.redis) {
        EDGE_ERROR("could not create the postgres pool or the redis client");
        goto out;
    }
    /* the pool label of rt_pg_pool_* (docs/metrics.md) */
    edge_pg_set_name(ctx.pg, "api");
    edge_pg_set_name(ctx.pg_ingest, "ingest");
    edge_pg_set_name(ctx.pg_work, "worker");
    edge_pg_set_name(ctx.pg_send, "send");
    /* a flood of API calls gets 503 at once; it never queues up behind a dead database */
    edge_pg_set_limits(ctx.pg, cfg.pg_api_queue, (unsigned)cfg.pg_queue_timeout_ms,
                       (unsigned)cfg.pg_statement_timeout_ms);
    /* first in the API pool's queue: the admins' session epochs the /ws upgrade checks */
    edge_auth_load_epochs(&ctx);
    ctx.http = edge_http_start(&ctx);
    if (!ctx.http) {
        EDGE_ERROR("could not start the HTTP server");
        goto out;
    }
    if (edge_fanout_start(&ctx) != EDGE_OK) {
        EDGE_ERROR("could not start the live fan-out");
        goto out;
    }
    if (edge_events_start(&ctx) != EDGE_OK || edge_ingest_start(&ctx) != EDGE_OK ||
        edge_telegram_start(&ctx) != EDGE_OK) {
        EDGE_ERROR("could not start the ingest side");
        goto out;
    }
    if (edge_setup_start(&ctx) != EDGE_OK || edge_outbox_start(&ctx) != EDGE_OK ||
        edge_sender_start(&ctx) != EDGE_OK || edge_llm_start(&ctx) != EDGE_OK) {
        EDGE_ERROR("could not start the delivery side");
        goto out;
    }
    EDGE_INFO("rt-edge started");
    uv_run(ctx.loop, UV_RUN_DEFAULT);
    rc = 0;
out:
    shutdown_all();
    uv_run(ctx.loop, UV_RUN_DEFAULT); /* let close callbacks free what they own */
    if (uv_loop_close(ctx.loop) == UV_EBUSY) {
        uv_walk(ctx.loop, close_leftover, NULL);
        uv_run(ctx.loop, UV_RUN_DEFAULT);
        uv_loop_close(ctx.loop);
    }
    edge_metrics_reset(); /* the counters' memory, now that no module counts any more */
    if (rc == 0) EDGE_INFO("rt-edge stopped");
    memset(&cfg, 0, sizeof(cfg));
    memset(&fernet, 0, sizeof(fernet));
    return rc;
}
