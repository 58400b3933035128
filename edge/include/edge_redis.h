/* Asynchronous Redis (hiredis + its libuv adapter) with reconnect. */
#ifndef EDGE_REDIS_H
#define EDGE_REDIS_H

#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include "edge.h"

typedef struct edge_redis edge_redis;

/* reply is NULL when the connection failed or the client is shutting down. */
typedef void (*edge_redis_cb)(redisReply *reply, void *ud);

edge_redis *edge_redis_create(uv_loop_t *loop, const struct edge_config *cfg);
void edge_redis_destroy(edge_redis *r);

/* A message published on a subscribed channel (binary safe, not NUL-terminated). */
typedef void (*edge_redis_msg_cb)(const char *payload, size_t len, void *ud);

/* A connection of its own that SUBSCRIBEs to channel (a string that outlives it) after every
 * (re)connect and hands each message to on_msg. It takes no commands (edge_redis_cmd refuses);
 * messages published while it is down are lost, as Redis pub/sub is. */
edge_redis *edge_redis_subscribe(uv_loop_t *loop, const struct edge_config *cfg,
                                 const char *channel, edge_redis_msg_cb on_msg, void *ud);

/* Sends one command (argv form, binary safe). cb may be NULL. Returns EDGE_ERR when not
 * connected (cb is then not called). argvlen may be NULL for NUL-terminated arguments. */
int edge_redis_cmd(edge_redis *r, edge_redis_cb cb, void *ud, int argc, const char **argv,
                   const size_t *argvlen);

/* A blocking lookup on a separate synchronous connection with a short timeout, used only where
 * libwebsockets needs an answer inside a callback (the WebSocket upgrade check). Returns a
 * malloc'd string the caller frees, or NULL when missing or on error. */
char *edge_redis_get_sync(edge_redis *r, const char *key);

int edge_redis_ready(const edge_redis *r);

/* REDIS_URL split into its parts: redis://[[user]:password@]host[:port][/db]. */
typedef struct edge_redis_url {
    char host[256];
    int port;           /* default 6379 */
    char password[256]; /* percent-decoded; secret */
    int db;             /* default 0 */
} edge_redis_url;

/* Pure parser; EDGE_OK or EDGE_ERR (not redis://, empty host, bad port, db outside 0..15). */
int edge_redis_parse_url(const char *url, edge_redis_url *out);

#endif
