/* Redis client: one hiredis async connection on the libuv loop, authenticated and SELECTed from
 * REDIS_URL, reconnected with backoff; plus a lazily opened blocking connection for the few
 * lookups that must answer synchronously. A subscriber (edge_redis_subscribe) is the same
 * connection put into SUBSCRIBE mode after every (re)connect. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "edge.h"
#include "edge_config.h"
#include "edge_keys.h"
#include "edge_log.h"
#include "edge_redis.h"

#define BACKOFF_MIN_MS 200
#define BACKOFF_MAX_MS 10000
#define SYNC_TIMEOUT_MS 100
#define CONNECT_TIMEOUT_MS 5000

struct edge_redis {
    uv_loop_t *loop;
    edge_redis_url url;
    redisAsyncContext *ac; /* owned by hiredis once connected; NULL when down */
    int ready;             /* AUTH/SELECT done */
    int stopping;
    unsigned backoff_ms;
    uv_timer_t timer;   /* reconnect backoff */
    redisContext *sync; /* blocking connection for edge_redis_get_sync; owned */
    int down_logged;
    const char *channel; /* a subscriber's channel (static string), else NULL */
    edge_redis_msg_cb on_msg;
    void *msg_ud;
};

static void redis_connect(edge_redis *r);

/* hiredis event adapter for libuv. The stock adapters/libuv.h of hiredis 0.14 ignores a poll
 * error status; libuv reports a refused connect that way and stops the handle, so a reconnect
 * to a Redis that is still down would hang forever. Here an error is handed to hiredis, which
 * then sees the socket error and runs the connect/disconnect callbacks. */
typedef struct uv_events {
    redisAsyncContext *ac; /* NULL once hiredis has cleaned up */
    uv_poll_t handle;
    int events;
} uv_events;

static void ev_on_poll(uv_poll_t *h, int status, int events)
{
    uv_events *p = h->data;
    if (!p->ac) return;
    if (status < 0) {
        /* connecting: the write handler checks SO_ERROR; connected: the read fails */
        if (!(p->ac->c.flags & REDIS_CONNECTED))
            redisAsyncHandleWrite(p->ac);
        else
            redisAsyncHandleRead(p->ac);
        return;
    }
    if (p->ac && (events & UV_READABLE)) redisAsyncHandleRead(p->ac);
    if (p->ac && (events & UV_WRITABLE)) redisAsyncHandleWrite(p->ac);
}

static void ev_update(uv_events *p)
{
    if (p->events)
        uv_poll_start(&p->handle, p->events, ev_on_poll);
    else
        uv_poll_stop(&p->handle);
}

static void ev_add_read(void *d)
{
    ((uv_events *)d)->events |= UV_READABLE;
    ev_update(d);
}

static void ev_del_read(void *d)
{
    ((uv_events *)d)->events &= ~UV_READABLE;
    ev_update(d);
}

static void ev_add_write(void *d)
{
    ((uv_events *)d)->events |= UV_WRITABLE;
    ev_update(d);
}

static void ev_del_write(void *d)
{
    ((uv_events *)d)->events &= ~UV_WRITABLE;
    ev_update(d);
}

static void ev_on_close(uv_handle_t *h)
{
    free(h->data);
}

static void ev_cleanup(void *d)
{
    uv_events *p = d;
    p->ac = NULL;
    uv_close((uv_handle_t *)&p->handle, ev_on_close);
}

static int ev_attach(redisAsyncContext *ac, uv_loop_t *loop)
{
    uv_events *p;
    if (ac->ev.data) return REDIS_ERR;
    p = calloc(1, sizeof(*p)); /* freed in ev_on_close */
    if (!p) return REDIS_ERR;
    if (uv_poll_init_socket(loop, &p->handle, ac->c.fd) != 0) {
        free(p);
        return REDIS_ERR;
    }
    p->handle.data = p;
    p->ac = ac;
    ac->ev.addRead = ev_add_read;
    ac->ev.delRead = ev_del_read;
    ac->ev.addWrite = ev_add_write;
    ac->ev.delWrite = ev_del_write;
    ac->ev.cleanup = ev_cleanup;
    ac->ev.data = p;
    return REDIS_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int edge_redis_parse_url(const char *url, edge_redis_url *out)
{
    const char *p, *at, *hostend, *slash, *q;
    size_t n;

    if (!url || !out) return EDGE_ERR;
    memset(out, 0, sizeof(*out));
    out->port = 6379;
    if (strncmp(url, "redis://", 8) != 0) return EDGE_ERR;
    p = url + 8;
    slash = strchr(p, '/');
    if (!slash) slash = p + strlen(p);
    /* userinfo: the last '@' before the path */
    at = NULL;
    for (q = p; q < slash; q++)
        if (*q == '@') at = q;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (colon) { /* user part (ACL user) is ignored: rt-edge uses the default user */
            size_t o = 0;
            for (q = colon + 1; q < at; q++) {
                char c = *q;
                if (c == '%' && at - q >= 3 && hexval(q[1]) >= 0 && hexval(q[2]) >= 0) {
                    c = (char)(hexval(q[1]) * 16 + hexval(q[2]));
                    q += 2;
                }
                if (o + 1 >= sizeof(out->password)) return EDGE_ERR;
                out->password[o++] = c;
            }
            out->password[o] = '\0';
        }
        p = at + 1;
    }
    /* host, optionally [ipv6] */
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(slash - p));
        if (!rb) return EDGE_ERR;
        n = (size_t)(rb - p - 1);
        if (n == 0 || n >= sizeof(out->host)) return EDGE_ERR;
        memcpy(out->host, p + 1, n);
        hostend = rb + 1;
        if (hostend < slash && *hostend != ':') return EDGE_ERR;
    } else {
        hostend = memchr(p, ':', (size_t)(slash - p));
        if (!hostend) hostend = slash;
        n = (size_t)(hostend - p);
        if (n == 0 || n >= sizeof(out->host)) return EDGE_ERR;
        memcpy(out->host, p, n);
    }
    out->host[n] = '\0';
    if (hostend < slash && *hostend == ':') {
        long port = 0;
        if (hostend + 1 == slash) return EDGE_ERR;
        for (q = hostend + 1; q < slash; q++) {
            if (*q < '0' || *q > '9') return EDGE_ERR;
            port = port * 10 + (*q - '0');
            if (port > 65535) return EDGE_ERR;
        }
        if (port < 1) return EDGE_ERR;
        out->port = (int)port;
    }
    if (*slash == '/' && slash[1] != '\0') {
        long db = 0;
        for (q = slash + 1; *q; q++) {
            if (*q < '0' || *q > '9') return EDGE_ERR;
            db = db * 10 + (*q - '0');
            if (db > 15) return EDGE_ERR;
        }
        out->db = (int)db;
    }
    return EDGE_OK;
}

static void schedule_reconnect(edge_redis *r);

static void on_reconnect_timer(uv_timer_t *t)
{
    edge_redis *r = t->data;
    if (r->ac && !r->ready) { /* connect (or AUTH/SELECT) timed out */
        redisAsyncContext *ac = r->ac;
        EDGE_WARN("redis connect timed out", "host", r->url.host);
        r->ac = NULL;
        redisAsyncFree(ac);
        schedule_reconnect(r);
        return;
    }
    redis_connect(r);
}

static void schedule_reconnect(edge_redis *r)
{
    unsigned delay;
    if (r->stopping) return;
    delay = r->backoff_ms + (unsigned)(rand() % (int)(r->backoff_ms / 4 + 1));
    r->backoff_ms = r->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : r->backoff_ms * 2;
    uv_timer_start(&r->timer, on_reconnect_timer, delay, 0);
}

/* The key names before 0.5.0 and their hash-tagged successors (edge_keys.h). */
static const char *const legacy_renames[][2] = {EDGE_KEY_LEGACY_RENAMES};

static void on_rename_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    static unsigned warned; /* one bit per pair: every connection finds the same leftover */
    const char *const *names = privdata;
    unsigned bit = 1u << ((const char *const(*)[2])privdata - legacy_renames);
    redisReply *rep = reply;
    (void)ac;
    if (!rep) return;
    if (rep->type == REDIS_REPLY_INTEGER && rep->integer == 1)
        EDGE_INFO("redis key renamed to its 0.5.0 name", "from", names[0], "to", names[1]);
    else if (rep->type == REDIS_REPLY_INTEGER && !(warned & bit)) {
        warned |= bit;
        EDGE_WARN("redis key of an older release left alone: its new name exists too", "from",
                  names[0], "to", names[1]);
    }
    /* an error: "no such key" (nothing to upgrade), or CROSSSLOT in a Cluster, which never
     * held the old names */
}

/* Upgrade from the names before 0.5.0 (edge_keys.h): RENAMENX each old key to its new name,
 * queued on this connection before anything else, so every command the edge sends afterwards
 * on it finds the renamed key. Runs on every connect (a Redis restored from an older backup is
 * upgraded too); once done it costs one "no such key" per name. */
static void rename_legacy_keys(redisAsyncContext *ac)
{
    for (size_t i = 0; i < sizeof(legacy_renames) / sizeof(legacy_renames[0]); i++) {
        const char *argv[3] = {"RENAMENX", legacy_renames[i][0], legacy_renames[i][1]};
        redisAsyncCommandArgv(ac, on_rename_reply, (void *)legacy_renames[i], 3, argv, NULL);
    }
}

/* A subscriber's callback: hiredis calls it for the SUBSCRIBE confirmation, for every message
 * (["message", channel, payload]) and with NULL when the connection goes away. */
static void on_sub_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    edge_redis *r = privdata;
    redisReply *rep = reply;
    (void)ac;
    if (!rep || r->stopping || rep->type != REDIS_REPLY_ARRAY || rep->elements != 3) return;
    if (rep->element[0]->type != REDIS_REPLY_STRING ||
        strcmp(rep->element[0]->str, "message") != 0 || rep->element[2]->type != REDIS_REPLY_STRING)
        return;
    r->on_msg(rep->element[2]->str, rep->element[2]->len, r->msg_ud);
}

static void subscribe(edge_redis *r, redisAsyncContext *ac)
{
    const char *argv[2] = {"SUBSCRIBE", r->channel};
    redisAsyncCommandArgv(ac, on_sub_reply, r, 2, argv, NULL);
}

static void on_select_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    edge_redis *r = privdata;
    redisReply *rep = reply;
    if (!rep || r->stopping) return;
    if (rep->type == REDIS_REPLY_ERROR) {
        EDGE_ERROR("redis set-up failed", "error", rep->str);
        redisAsyncDisconnect(ac);
        return;
    }
    if (r->channel) {
        subscribe(r, ac);
    } else {
        rename_legacy_keys(ac);
    }
    r->ready = 1;
    uv_timer_stop(&r->timer);
    r->backoff_ms = BACKOFF_MIN_MS;
    r->down_logged = 0;
    EDGE_INFO("redis connected", "host", r->url.host);
}

static void on_auth_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    edge_redis *r = privdata;
    redisReply *rep = reply;
    if (!rep || r->stopping) return;
    if (rep->type == REDIS_REPLY_ERROR) {
        EDGE_ERROR("redis AUTH failed", "error", rep->str); /* server message, no password */
        redisAsyncDisconnect(ac);
    }
}

static void on_connect(const redisAsyncContext *cac, int status)
{
    redisAsyncContext *ac = (redisAsyncContext *)cac;
    edge_redis *r = ac->data;
    char db[24];
    if (status != REDIS_OK) {
        if (!r->down_logged) EDGE_WARN("redis connect failed", "error", ac->errstr);
        r->down_logged = 1;
        r->ac = NULL; /* hiredis frees the context after this callback */
        r->ready = 0;
        schedule_reconnect(r);
        return;
    }
    if (r->url.password[0]) {
        const char *argv[2] = {"AUTH", r->url.password};
        redisAsyncCommandArgv(ac, on_auth_reply, r, 2, argv, NULL);
    }
    /* SELECT always, also for db 0: its reply marks the connection ready */
    snprintf(db, sizeof(db), "%d", r->url.db);
    const char *argv[2] = {"SELECT", db};
    redisAsyncCommandArgv(ac, on_select_reply, r, 2, argv, NULL);
}

static void on_disconnect(const redisAsyncContext *cac, int status)
{
    edge_redis *r = cac->data;
    r->ac = NULL;
    r->ready = 0;
    if (r->stopping) return;
    EDGE_WARN("redis disconnected", "error", status == REDIS_OK ? "" : cac->errstr);
    schedule_reconnect(r);
}

static void redis_connect(edge_redis *r)
{
    redisAsyncContext *ac;
    if (r->stopping || r->ac) return;
    EDGE_DEBUG("redis connecting", "host", r->url.host);
    ac = redisAsyncConnect(r->url.host, r->url.port);
    if (!ac) goto err;
    if (ac->err) {
        if (!r->down_logged) EDGE_WARN("redis connect failed", "error", ac->errstr);
        r->down_logged = 1;
        redisAsyncFree(ac);
        goto err;
    }
    ac->data = r;
    if (ev_attach(ac, r->loop) != REDIS_OK) {
        redisAsyncFree(ac);
        goto err;
    }
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    r->ac = ac;
    uv_timer_start(&r->timer, on_reconnect_timer, CONNECT_TIMEOUT_MS, 0);
    return;
err:
    schedule_reconnect(r);
}

static edge_redis *redis_new(uv_loop_t *loop, const struct edge_config *cfg, const char *channel,
                             edge_redis_msg_cb on_msg, void *ud)
{
    edge_redis *r;
    if (!loop || !cfg) return NULL;
    r = calloc(1, sizeof(*r)); /* owned by the caller, released by edge_redis_destroy */
    if (!r) return NULL;
    if (edge_redis_parse_url(cfg->redis_url, &r->url) != EDGE_OK) {
        free(r);
        return NULL;
    }
    r->loop = loop;
    r->backoff_ms = BACKOFF_MIN_MS;
    r->channel = channel;
    r->on_msg = on_msg;
    r->msg_ud = ud;
    uv_timer_init(loop, &r->timer);
    r->timer.data = r;
    redis_connect(r);
    return r;
}

edge_redis *edge_redis_create(uv_loop_t *loop, const struct edge_config *cfg)
{
    return redis_new(loop, cfg, NULL, NULL, NULL);
}

edge_redis *edge_redis_subscribe(uv_loop_t *loop, const struct edge_config *cfg,
                                 const char *channel, edge_redis_msg_cb on_msg, void *ud)
{
    if (!channel || !on_msg) return NULL;
    return redis_new(loop, cfg, channel, on_msg, ud);
}

static void on_timer_closed(uv_handle_t *h)
{
    edge_redis *r = h->data;
    memset(&r->url, 0, sizeof(r->url));
    free(r);
}

void edge_redis_destroy(edge_redis *r)
{
    if (!r) return;
    r->stopping = 1;
    r->ready = 0;
    if (r->ac) {
        redisAsyncContext *ac = r->ac;
        r->ac = NULL;
        redisAsyncFree(ac); /* pending callbacks get a NULL reply */
    }
    if (r->sync) redisFree(r->sync);
    r->sync = NULL;
    uv_timer_stop(&r->timer);
    uv_close((uv_handle_t *)&r->timer, on_timer_closed);
}

int edge_redis_cmd(edge_redis *r, edge_redis_cb cb, void *ud, int argc, const char **argv,
                   const size_t *argvlen);

/* hiredis wants (ac, reply, privdata); callers want (reply, ud). */
typedef struct cmd_thunk {
    edge_redis_cb cb;
    void *ud;
} cmd_thunk;

static void on_cmd_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    cmd_thunk *t = privdata;
    (void)ac;
    if (t->cb) t->cb((redisReply *)reply, t->ud);
    free(t);
}

int edge_redis_cmd(edge_redis *r, edge_redis_cb cb, void *ud, int argc, const char **argv,
                   const size_t *argvlen)
{
    cmd_thunk *t;
    if (!r || !r->ac || !r->ready || r->stopping || r->channel) return EDGE_ERR;
    t = malloc(sizeof(*t)); /* freed in on_cmd_reply, which hiredis always calls once */
    if (!t) return EDGE_ERR;
    t->cb = cb;
    t->ud = ud;
    if (redisAsyncCommandArgv(r->ac, on_cmd_reply, t, argc, argv, argvlen) != REDIS_OK) {
        free(t);
        return EDGE_ERR;
    }
    return EDGE_OK;
}

int edge_redis_ready(const edge_redis *r)
{
    return r && r->ready && !r->stopping;
}

static int sync_connect(edge_redis *r)
{
    struct timeval tv = {0, SYNC_TIMEOUT_MS * 1000};
    redisReply *rep;
    char db[24];
    r->sync = redisConnectWithTimeout(r->url.host, r->url.port, tv);
    if (!r->sync || r->sync->err) goto err;
    if (redisSetTimeout(r->sync, tv) != REDIS_OK) goto err;
    if (r->url.password[0]) {
        const char *argv[2] = {"AUTH", r->url.password};
        rep = redisCommandArgv(r->sync, 2, argv, NULL);
        if (!rep || rep->type == REDIS_REPLY_ERROR) {
            if (rep) freeReplyObject(rep);
            goto err;
        }
        freeReplyObject(rep);
    }
    snprintf(db, sizeof(db), "%d", r->url.db);
    const char *argv[2] = {"SELECT", db};
    rep = redisCommandArgv(r->sync, 2, argv, NULL);
    if (!rep || rep->type == REDIS_REPLY_ERROR) {
        if (rep) freeReplyObject(rep);
        goto err;
    }
    freeReplyObject(rep);
    return EDGE_OK;
err:
    EDGE_WARN("redis sync connect failed", "error", r->sync ? r->sync->errstr : "out of memory");
    if (r->sync) redisFree(r->sync);
    r->sync = NULL;
    return EDGE_ERR;
}

char *edge_redis_get_sync(edge_redis *r, const char *key)
{
    redisReply *rep;
    char *out = NULL;
    if (!r || !key || r->stopping) return NULL;
    const char *argv[2] = {"GET", key};
    /* A kept connection may have died with the server (a Redis restart): the first command on
     * it fails at once. Then connect afresh and ask once more, so that lookup still answers. */
    for (int attempt = 0;; attempt++) {
        int fresh = !r->sync;
        if (!r->sync && sync_connect(r) != EDGE_OK) return NULL;
        rep = redisCommandArgv(r->sync, 2, argv, NULL);
        if (rep) break;
        /* timeout or broken: drop the connection so the next try starts clean */
        int timed_out = r->sync->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
        EDGE_WARN("redis sync GET failed", "error", r->sync->errstr);
        redisFree(r->sync);
        r->sync = NULL;
        if (fresh || timed_out || attempt > 0) return NULL; /* a new connection failed: down */
    }
    if (rep->type == REDIS_REPLY_STRING) {
        out = malloc(rep->len + 1); /* caller frees */
        if (out) {
            memcpy(out, rep->str, rep->len);
            out[rep->len] = '\0';
        }
    }
    freeReplyObject(rep);
    return out;
}
