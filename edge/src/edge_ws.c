/* WebSocket clients of /ws: upgrade auth (session cookie + Origin), hello, ping/pong, and the
 * broadcast queue. One refcounted copy of each frame is shared by every client's queue; a
 * client whose queue reaches cfg->ws_max_queue is closed with 1008 and recovers by backfill. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "edge_config.h"
#include "edge_envelope.h"
#include "edge_events.h"
#include "edge_keys.h"
#include "edge_http_int.h"
#include "edge_log.h"
#include "edge_redis.h"
#include "edge_ws.h"

#define RX_MAX 4096 /* clients only send pings; anything longer is ignored */

typedef struct ws_frame {
    int refs;
    size_t len;
    unsigned char buf[]; /* LWS_PRE headroom, then len bytes */
} ws_frame;

typedef struct edge_ws_client {
    struct edge_ws_client *prev, *next;
    struct lws *wsi;
    unsigned long long id;          /* increasing: the list runs from the newest down */
    char token[EDGE_TOKEN_HEX + 1]; /* to close on logout; never logged */
    long long admin_id;
    char role[16];   /* the session's */
    long long epoch; /* the session's; the database refuses it once the admin's is newer */
    ws_frame **q;    /* ring buffer */
    size_t qhead, qlen, qcap;
    int kill_code; /* nonzero: close with this status at the next WRITEABLE */
    /* journal catch-up in progress: only the first hold_n frames (the hello, then the catch-up
     * frames inserted after it) may be written; live frames wait behind them until release */
    int holding;
    size_t hold_n;
    const char *kill_reason;
    char rx[RX_MAX];
    size_t rx_len;
    int rx_overflow;
} edge_ws_client;

int edge_ws_is_ping(const char *buf, size_t len)
{
    json_error_t je;
    json_t *o = json_loadb(buf, len, 0, &je);
    int ping = o && json_is_object(o) && json_is_string(json_object_get(o, "type")) &&
               strcmp(json_string_value(json_object_get(o, "type")), "ping") == 0;
    json_decref(o);
    return ping;
}

static ws_frame *frame_new(const char *json, size_t len)
{
    ws_frame *f = malloc(sizeof(*f) + LWS_PRE + len);
    if (!f) return NULL;
    f->refs = 1;
    f->len = len;
    memcpy(f->buf + LWS_PRE, json, len);
    return f;
}

static void frame_unref(ws_frame *f)
{
    if (f && --f->refs == 0) free(f);
}

static void queue_clear(edge_ws_client *c)
{
    while (c->qlen) {
        frame_unref(c->q[c->qhead]);
        c->qhead = (c->qhead + 1) % c->qcap;
        c->qlen--;
    }
}

static void client_kill(edge_ws_client *c, int code, const char *reason)
{
    if (c->kill_code) return;
    queue_clear(c);
    c->kill_code = code;
    c->kill_reason = reason;
    lws_callback_on_writable(c->wsi);
    /* A reader that never drains its socket never gets WRITEABLE: hang up after 5 s anyway. */
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, 5);
}

/* Appends f (taking a reference) or kills the client when its queue is full. */
static void client_push(edge_ws_client *c, ws_frame *f, size_t max)
{
    if (c->kill_code) return;
    if (c->qlen >= max) {
        EDGE_WARN("ws client too slow, dropping", "queue", "full");
        client_kill(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "too slow");
        return;
    }
    if (c->qlen == c->qcap) {
        size_t ncap = c->qcap ? c->qcap * 2 : 16;
        if (ncap > max) ncap = max;
        ws_frame **nq = malloc(ncap * sizeof(*nq));
        if (!nq) {
            client_kill(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "too slow");
            return;
        }
        for (size_t i = 0; i < c->qlen; i++) nq[i] = c->q[(c->qhead + i) % c->qcap];
        free(c->q);
        c->q = nq;
        c->qhead = 0;
        c->qcap = ncap;
    }
    f->refs++;
    c->q[(c->qhead + c->qlen) % c->qcap] = f;
    c->qlen++;
    lws_callback_on_writable(c->wsi);
}

static size_t max_queue(edge_http *h)
{
    int m = h->ctx->cfg->ws_max_queue;
    return m > 0 ? (size_t)m : 4096;
}

void edge_ws_broadcast(edge_http *h, const char *json, size_t len)
{
    if (!h || !h->clients) return;
    ws_frame *f = frame_new(json, len);
    if (!f) return;
    size_t max = max_queue(h);
    for (edge_ws_client *c = h->clients; c; c = c->next) client_push(c, f, max);
    frame_unref(f);
}

static edge_ws_client *find_client(edge_http *h, unsigned long long client)
{
    for (edge_ws_client *c = h ? h->clients : NULL; c; c = c->next)
        if (c->id == client) return c;
    return NULL;
}

int edge_ws_send_to(edge_http *h, unsigned long long client, const char *json, size_t len)
{
    edge_ws_client *c = find_client(h, client);
    if (!c || c->kill_code) return EDGE_ERR;
    ws_frame *f = frame_new(json, len);
    if (!f) return EDGE_ERR;
    size_t k = c->qlen; /* a held client: after the frames already allowed, before the live ones */
    client_push(c, f, max_queue(h));
    frame_unref(f);
    if (c->kill_code) return EDGE_ERR;
    if (c->holding && k > c->hold_n) {
        /* move the new frame (now last) to relative position hold_n */
        ws_frame *nf = c->q[(c->qhead + c->qlen - 1) % c->qcap];
        for (size_t i = c->qlen - 1; i > c->hold_n; i--)
            c->q[(c->qhead + i) % c->qcap] = c->q[(c->qhead + i - 1) % c->qcap];
        c->q[(c->qhead + c->hold_n) % c->qcap] = nf;
    }
    if (c->holding) c->hold_n++;
    return EDGE_OK;
}

void edge_ws_release(edge_http *h, unsigned long long client)
{
    edge_ws_client *c = find_client(h, client);
    if (!c || !c->holding) return;
    c->holding = 0;
    if (c->qlen) lws_callback_on_writable(c->wsi);
}

/* The journal id a reconnecting client last saw: /ws?after=<event_id>; -1 when absent or not
 * a plain non-negative integer. */
static long long after_arg(struct lws *wsi)
{
    char buf[32];
    const char *v = lws_get_urlarg_by_name(wsi, "after=", buf, (int)sizeof(buf)); /* into buf */
    if (!v) return -1;
    size_t n = strlen(v);
    if (n == 0 || n > 18 || strspn(v, "0123456789") != n) return -1;
    return strtoll(v, NULL, 10);
}

/* Queues one envelope to one client; data is JSON text or NULL (null). */
static void send_envelope(edge_http *h, edge_ws_client *c, const char *type, const char *data)
{
    size_t len;
    char *s = edge_envelope(type, data, data ? strlen(data) : 0, &len);
    if (!s) return;
    ws_frame *f = frame_new(s, len);
    free(s);
    if (!f) return;
    client_push(c, f, max_queue(h));
    frame_unref(f);
}

int edge_ws_check_upgrade(edge_http *h, struct lws *wsi, edge_pss *pss)
{
    char uri[64], origin[256], host[256], cookie[4096], token[EDGE_TOKEN_HEX + 2];
    if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, "/ws") != 0)
        return 404;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN) > 0) {
        if (lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN) <= 0 ||
            lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) <= 0 ||
            !edge_origin_matches_host(origin, host))
            return 403;
    }
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_COOKIE) >= (int)sizeof(cookie) ||
        lws_hdr_copy(wsi, cookie, sizeof(cookie), WSI_TOKEN_HTTP_COOKIE) <= 0 ||
        edge_cookie_get(cookie, EDGE_SESSION_COOKIE, token, sizeof(token)) < 0 ||
        !edge_token_is_valid(token))
        return 401;
    char key[80];
    snprintf(key, sizeof(key), EDGE_KEY_SESSION_PREFIX "%s", token);
    char *json = edge_redis_get_sync(h->ctx->redis, key);
    int ok = json && edge_session_from_json(json, strlen(json), &pss->pending_session) == 0;
    free(json);
    if (!ok) return 401;
    /* made before the admin's password, role or access last changed (edge_auth.h) */
    if (!edge_auth_session_current(pss->pending_session.admin_id, pss->pending_session.epoch)) {
        edge_auth_session_stale(h->ctx, pss->pending_session.admin_id, pss->pending_session.epoch);
        return 401;
    }
    memcpy(pss->pending_token, token, sizeof(pss->pending_token));
    pss->pending_ok = 1;
    return 0;
}

int edge_ws_established(edge_http *h, struct lws *wsi, edge_pss *pss)
{
    /* The upgrade check had nowhere to keep its result, so look again (headers are still
     * attached); this also closes the race with a logout in between. */
    if (!pss || edge_ws_check_upgrade(h, wsi, pss) != 0 || !pss->pending_ok) return -1;
    edge_ws_client *c = calloc(1, sizeof(*c));
    if (!c) return -1;
    static unsigned long long next_id;
    c->wsi = wsi;
    c->id = ++next_id;
    c->admin_id = pss->pending_session.admin_id;
    memcpy(c->role, pss->pending_session.role, sizeof(c->role));
    c->epoch = pss->pending_session.epoch;
    memcpy(c->token, pss->pending_token, sizeof(c->token));
    c->next = h->clients;
    if (h->clients) h->clients->prev = c;
    h->clients = c;
    h->nclients++;
    pss->ws = c;

    /* hello carries the journal position: the client's "after" when it reconnects */
    long long position = edge_events_position();
    json_t *hello =
        json_pack("{s:{s:I,s:s,s:s},s:o}", "admin", "id", (json_int_t)pss->pending_session.admin_id,
                  "login", pss->pending_session.login, "role", pss->pending_session.role,
                  "event_id", position >= 0 ? json_integer((json_int_t)position) : json_null());
    char *data = hello ? json_dumps(hello, JSON_COMPACT) : NULL;
    json_decref(hello);
    if (data) send_envelope(h, c, "hello", data);
    free(data);
    long long after = after_arg(wsi);
    /* what it missed goes right after the hello, ahead of live events (edge_ws_release) */
    if (after >= 0 && edge_events_catchup(c->id, after)) {
        c->holding = 1;
        c->hold_n = c->qlen;
    }
    char id[24];
    snprintf(id, sizeof(id), "%lld", c->admin_id);
    EDGE_INFO("ws connected", "admin_id", id);
    /* the session may have outlived a change no edge saw (all down): ask the database too */
    edge_auth_validate_admin(h->ctx, c->admin_id, c->epoch);
    return 0;
}

int edge_ws_writeable(edge_http *h, struct lws *wsi, edge_pss *pss)
{
    (void)h;
    edge_ws_client *c = pss->ws;
    if (!c) return 0;
    if (c->kill_code) {
        /* lws 4.1 treats -1 from SERVER_WRITEABLE as a failed write and hangs up without
         * the close frame lws_close_reason prepared (the async-kill path does the same), so
         * write the frame here. LWS_WRITE_CLOSE (4) is part of the lws ABI, just not named
         * in the public enum. */
        unsigned char frame[LWS_PRE + 125];
        size_t rlen = strlen(c->kill_reason);
        if (rlen > 120) rlen = 120;
        frame[LWS_PRE] = (unsigned char)(c->kill_code >> 8);
        frame[LWS_PRE + 1] = (unsigned char)(c->kill_code & 0xff);
        memcpy(frame + LWS_PRE + 2, c->kill_reason, rlen);
        lws_write(wsi, frame + LWS_PRE, rlen + 2, (enum lws_write_protocol)4);
        return -1;
    }
    if (!c->qlen || (c->holding && c->hold_n == 0)) return 0;
    if (c->holding) c->hold_n--;
    ws_frame *f = c->q[c->qhead];
    c->qhead = (c->qhead + 1) % c->qcap;
    c->qlen--;
    /* Writing into the shared frame is fine: lws only touches the LWS_PRE headroom, and every
     * client writes the same (unmasked, same length) header there. */
    int n = lws_write(wsi, f->buf + LWS_PRE, f->len, LWS_WRITE_TEXT);
    frame_unref(f);
    if (n < (int)0) return -1;
    if (c->qlen) lws_callback_on_writable(wsi);
    return 0;
}

int edge_ws_receive(edge_http *h, struct lws *wsi, edge_pss *pss, const void *in, size_t len)
{
    edge_ws_client *c = pss->ws;
    if (!c) return 0;
    if (lws_is_first_fragment(wsi)) {
        c->rx_len = 0;
        c->rx_overflow = 0;
    }
    if (c->rx_len + len > sizeof(c->rx))
        c->rx_overflow = 1;
    else {
        memcpy(c->rx + c->rx_len, in, len);
        c->rx_len += len;
    }
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi)) return 0;
    if (!c->rx_overflow && lws_frame_is_binary(wsi) == 0 && edge_ws_is_ping(c->rx, c->rx_len))
        send_envelope(h, c, "pong", NULL);
    c->rx_len = 0;
    return 0;
}

void edge_ws_closed(edge_http *h, edge_pss *pss)
{
    edge_ws_client *c = pss ? pss->ws : NULL;
    if (!c) return;
    pss->ws = NULL;
    if (c->prev)
        c->prev->next = c->next;
    else
        h->clients = c->next;
    if (c->next) c->next->prev = c->prev;
    h->nclients--;
    queue_clear(c);
    free(c->q);
    free(c);
}

void edge_ws_close_session(edge_http *h, const char *token)
{
    for (edge_ws_client *c = h->clients; c; c = c->next)
        if (edge_ct_equal(token, c->token)) client_kill(c, LWS_CLOSE_STATUS_NORMAL, "logged out");
}

size_t edge_ws_admins(edge_http *h, long long *ids, long long *epochs, size_t max)
{
    size_t n = 0;
    for (edge_ws_client *c = h ? h->clients : NULL; c && n < max; c = c->next) {
        size_t i = 0;
        while (i < n && !(ids[i] == c->admin_id && epochs[i] == c->epoch)) i++;
        if (i < n) continue;
        ids[n] = c->admin_id;
        epochs[n] = c->epoch;
        n++;
    }
    return n;
}

void edge_ws_close_admin(edge_http *h, long long admin_id)
{
    if (!h) return;
    for (edge_ws_client *c = h->clients; c; c = c->next)
        if (c->admin_id == admin_id)
            client_kill(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "session ended");
}

#define RECHECK_BATCH 500 /* sockets per Redis call */

typedef struct recheck_req {
    edge_ctx *ctx; /* ctx->http is NULL once the server stopped */
    size_t n;
    unsigned long long ids[]; /* descending, as the list runs */
} recheck_req;

/* KEYS: session keys (all in the slot of the hash tag {rt}); returns EXISTS of each */
static const char recheck_script[] = "local r = {} for i, k in ipairs(KEYS) do "
                                     "r[i] = redis.call('EXISTS', k) end return r";

static void recheck_cb(redisReply *reply, void *ud)
{
    recheck_req *q = ud;
    edge_http *h = q->ctx->http;
    if (h && reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == q->n) {
        size_t i = 0;
        for (edge_ws_client *c = h->clients; c && i < q->n; c = c->next) {
            while (i < q->n && q->ids[i] > c->id) i++;
            if (i < q->n && q->ids[i] == c->id && reply->element[i]->type == REDIS_REPLY_INTEGER &&
                reply->element[i]->integer == 0)
                client_kill(c, LWS_CLOSE_STATUS_POLICY_VIOLATION, "session ended");
        }
    }
    free(q);
}

static void recheck_batch(edge_http *h, edge_ws_client *from, size_t n)
{
    recheck_req *q = malloc(sizeof(*q) + n * sizeof(q->ids[0])); /* freed in recheck_cb */
    const char **argv = malloc((n + 3) * sizeof(*argv));
    char(*keys)[sizeof(EDGE_KEY_SESSION_PREFIX) + EDGE_TOKEN_HEX] = malloc(n * sizeof(*keys));
    char nkeys[24];
    if (!q || !argv || !keys) goto out;
    q->ctx = h->ctx;
    q->n = n;
    snprintf(nkeys, sizeof(nkeys), "%zu", n);
    argv[0] = "EVAL";
    argv[1] = recheck_script;
    argv[2] = nkeys;
    edge_ws_client *c = from;
    for (size_t i = 0; i < n; i++, c = c->next) {
        q->ids[i] = c->id;
        snprintf(keys[i], sizeof(keys[i]), EDGE_KEY_SESSION_PREFIX "%s", c->token);
        argv[i + 3] = keys[i];
    }
    if (edge_redis_cmd(h->ctx->redis, recheck_cb, q, (int)n + 3, argv, NULL) == EDGE_OK) q = NULL;
out:
    free(q);
    free(argv);
    free(keys);
}

void edge_ws_recheck_sessions(edge_http *h)
{
    if (!h || !h->clients || !edge_redis_ready(h->ctx->redis)) return;
    edge_ws_client *from = h->clients;
    size_t n = 0;
    for (edge_ws_client *c = h->clients; c; c = c->next) {
        if (++n == RECHECK_BATCH || !c->next) {
            recheck_batch(h, from, n);
            from = c->next;
            n = 0;
        }
    }
}

void edge_ws_shutdown(edge_http *h)
{
    edge_ws_client *c = h->clients;
    while (c) {
        edge_ws_client *next = c->next;
        queue_clear(c);
        free(c->q);
        free(c);
        c = next;
    }
    h->clients = NULL;
    h->nclients = 0;
}

size_t edge_ws_clients(const edge_http *h)
{
    return h ? h->nclients : 0;
}
