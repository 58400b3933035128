/* Common definitions shared by every rt-edge module: return codes and the process context. */
#ifndef EDGE_H
#define EDGE_H

#include <uv.h>

#define EDGE_OK 0
#define EDGE_ERR -1

struct edge_config;
struct edge_pg;
struct edge_redis;
struct edge_http;

/* The one process-wide context; owned by main(), every field set before the loop runs. */
typedef struct edge_ctx {
    uv_loop_t *loop;
    const struct edge_config *cfg;
    struct edge_pg *pg;        /* REST API calls only: bounded queue, statement_timeout */
    struct edge_pg *pg_ingest; /* the ingest worker, partitions, rt_events expansion */
    struct edge_pg *pg_work;   /* the outbox relay and the LLM worker */
    struct edge_pg *pg_send;   /* the Telegram sender: its records never wait behind LLM work */
    struct edge_redis *redis;  /* async connection for streams and sessions */
    struct edge_http *http;    /* lws context: REST, static files and WebSocket */
    const void *fernet;        /* edge_fernet_key of SECRETS_KEY (provider API keys) */
} edge_ctx;

#endif
