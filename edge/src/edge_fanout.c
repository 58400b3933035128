/* Fan-out of one edge's live frames to the consoles of every edge (see edge_fanout.h). */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_fanout.h"
#include "edge_keys.h"
#include "edge_log.h"
#include "edge_redis.h"
#include "edge_ws.h"

#define ID_LEN 16

static struct {
    edge_ctx *ctx;
    edge_redis *sub;
    char id[ID_LEN + 1]; /* this process, in hex: its own messages come back and are skipped */
} fo;

char *edge_fanout_pack(const char id[ID_LEN], const char *env, size_t len, size_t *out_len)
{
    char *p = malloc(ID_LEN + len); /* caller frees */
    if (!p) return NULL;
    memcpy(p, id, ID_LEN);
    memcpy(p + ID_LEN, env, len);
    *out_len = ID_LEN + len;
    return p;
}

const char *edge_fanout_unpack(const char id[ID_LEN], const char *payload, size_t len,
                               size_t *env_len)
{
    /* Redis is the edges' own, yet what reaches a browser must at least look like a frame */
    if (len < ID_LEN + 2 || memcmp(payload, id, ID_LEN) == 0 || payload[ID_LEN] != '{' ||
        payload[len - 1] != '}')
        return NULL;
    *env_len = len - ID_LEN;
    return payload + ID_LEN;
}

static void on_message(const char *payload, size_t len, void *ud)
{
    size_t n;
    const char *env = edge_fanout_unpack(fo.id, payload, len, &n);
    (void)ud;
    if (env && fo.ctx && fo.ctx->http) edge_ws_broadcast(fo.ctx->http, env, n);
}

int edge_fanout_start(edge_ctx *ctx)
{
    unsigned char raw[ID_LEN / 2];
    if (RAND_bytes(raw, sizeof(raw)) != 1) return EDGE_ERR;
    for (size_t i = 0; i < sizeof(raw); i++) snprintf(fo.id + 2 * i, 3, "%02x", raw[i]);
    fo.ctx = ctx;
    fo.sub = edge_redis_subscribe(ctx->loop, ctx->cfg, EDGE_KEY_LIVE_CHANNEL, on_message, NULL);
    return fo.sub ? EDGE_OK : EDGE_ERR;
}

void edge_fanout_stop(void)
{
    edge_redis_destroy(fo.sub);
    fo.sub = NULL;
    fo.ctx = NULL;
}

void edge_fanout_broadcast(const char *env, size_t len)
{
    size_t n;
    char *payload;
    if (!fo.ctx) return;
    if (fo.ctx->http) edge_ws_broadcast(fo.ctx->http, env, len);
    if (len > EDGE_FANOUT_MAX_BYTES || !edge_redis_ready(fo.ctx->redis)) return;
    payload = edge_fanout_pack(fo.id, env, len, &n);
    if (!payload) return;
    const char *argv[3] = {"PUBLISH", EDGE_KEY_LIVE_CHANNEL, payload};
    size_t argvlen[3] = {7, sizeof(EDGE_KEY_LIVE_CHANNEL) - 1, n};
    edge_redis_cmd(fo.ctx->redis, NULL, NULL, 3, argv, argvlen); /* hiredis copies the command */
    free(payload);
}
