/* Session cookie and CSRF token handling, Origin check and the failed-login limiter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include <openssl/rand.h>
#include "edge_auth.h"
#include "edge_http_int.h"
#include "edge_keys.h"
#include "edge_log.h"
#include "edge_ws.h"

int edge_cookie_get(const char *header, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    const char *p = header;
    if (!header || outlen == 0) return -1;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';') p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (eq) {
            size_t klen = (size_t)(eq - p);
            while (klen && (p[klen - 1] == ' ' || p[klen - 1] == '\t')) klen--;
            if (klen == nlen && memcmp(p, name, nlen) == 0) {
                const char *v = eq + 1;
                size_t vlen = len - (size_t)(v - p);
                while (vlen && (*v == ' ' || *v == '\t')) {
                    v++;
                    vlen--;
                }
                while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) vlen--;
                if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
                    v++;
                    vlen -= 2;
                }
                if (vlen == 0 || vlen >= outlen) return -1;
                memcpy(out, v, vlen);
                out[vlen] = '\0';
                return 0;
            }
        }
        if (!end) break;
        p = end + 1;
    }
    return -1;
}

int edge_token_is_valid(const char *tok)
{
    size_t i;
    if (!tok) return 0;
    for (i = 0; tok[i]; i++) {
        char c = tok[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
    }
    return i == EDGE_TOKEN_HEX;
}

int edge_token_new(char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[EDGE_TOKEN_HEX / 2];
    if (RAND_bytes(raw, sizeof(raw)) != 1) return -1;
    for (size_t i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[EDGE_TOKEN_HEX] = '\0';
    return 0;
}

int edge_ct_equal(const char *a, const char *b)
{
    size_t la, lb;
    unsigned char diff;
    if (!a || !b) return 0;
    la = strlen(a);
    lb = strlen(b);
    diff = (unsigned char)(la != lb);
    /* Walk b's length whatever a holds, so the time depends only on the presented token. */
    for (size_t i = 0; i < lb; i++) diff |= (unsigned char)(a[i < la ? i : 0] ^ b[i]);
    return diff == 0 && la == lb;
}

int edge_origin_matches_host(const char *origin, const char *host)
{
    const char *o = origin;
    if (!origin || !host || !*host) return 0;
    const char *sep = strstr(o, "://");
    if (!sep) return 0;
    o = sep + 3;
    size_t olen = strlen(o);
    while (olen && o[olen - 1] == '/') olen--;
    return olen == strlen(host) && strncasecmp(o, host, olen) == 0;
}

char *edge_session_to_json(const edge_session *s)
{
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:I}", "admin_id", (json_int_t)s->admin_id, "login",
                          s->login, "role", s->role, "csrf_token", s->csrf_token, "created_at",
                          (json_int_t)s->created_at);
    char *out;
    if (!o) return NULL;
    out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return out;
}

int edge_session_from_json(const char *json, size_t len, edge_session *s)
{
    json_error_t je;
    json_int_t id = 0, created = 0;
    const char *login = NULL, *role = NULL, *csrf = NULL;
    json_t *o = json_loadb(json, len, 0, &je);
    int rc = -1;
    memset(s, 0, sizeof(*s));
    if (!o) return -1;
    if (json_unpack(o, "{s:I,s:s,s:s,s:s,s?I}", "admin_id", &id, "login", &login, "role", &role,
                    "csrf_token", &csrf, "created_at", &created) != 0)
        goto out;
    if (!edge_token_is_valid(csrf) || strlen(login) >= sizeof(s->login) ||
        strlen(role) >= sizeof(s->role))
        goto out;
    s->admin_id = id;
    s->created_at = created;
    strcpy(s->login, login);
    strcpy(s->role, role);
    strcpy(s->csrf_token, csrf);
    rc = 0;
out:
    json_decref(o);
    return rc;
}

int edge_cookie_set(char *out, size_t outlen, const char *token, int secure)
{
    return snprintf(out, outlen, "%s=%s; HttpOnly; SameSite=Strict; Path=/%s", EDGE_SESSION_COOKIE,
                    token, secure ? "; Secure" : "");
}

int edge_cookie_clear(char *out, size_t outlen, int secure)
{
    return snprintf(out, outlen,
                    "%s=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; "
                    "Expires=Thu, 01 Jan 1970 00:00:00 GMT%s",
                    EDGE_SESSION_COOKIE, secure ? "; Secure" : "");
}

/* ---- failed-login limiter ---- */

#define LIMITER_SLOTS 1024

typedef struct limiter_slot {
    char ip[64];
    int failures;
    time_t window_start;
} limiter_slot;

struct edge_limiter {
    int max_failures;
    int window_sec;
    limiter_slot slots[LIMITER_SLOTS];
};

edge_limiter *edge_limiter_create(int max_failures, int window_sec)
{
    edge_limiter *l = calloc(1, sizeof(*l));
    if (!l) return NULL;
    l->max_failures = max_failures;
    l->window_sec = window_sec;
    return l;
}

void edge_limiter_destroy(edge_limiter *l)
{
    free(l);
}

static limiter_slot *find_slot(edge_limiter *l, const char *ip)
{
    for (int i = 0; i < LIMITER_SLOTS; i++)
        if (l->slots[i].ip[0] && strcmp(l->slots[i].ip, ip) == 0) return &l->slots[i];
    return NULL;
}

int edge_limiter_check(edge_limiter *l, const char *ip, time_t now)
{
    limiter_slot *s = find_slot(l, ip);
    if (!s) return 0;
    if (now - s->window_start >= l->window_sec) {
        s->ip[0] = '\0';
        return 0;
    }
    if (s->failures < l->max_failures) return 0;
    int wait = (int)(s->window_start + l->window_sec - now);
    return wait > 0 ? wait : 1;
}

void edge_limiter_fail(edge_limiter *l, const char *ip, time_t now)
{
    limiter_slot *s = find_slot(l, ip);
    if (s && now - s->window_start >= l->window_sec) s->ip[0] = '\0', s = NULL;
    if (!s) {
        limiter_slot *victim = &l->slots[0];
        for (int i = 0; i < LIMITER_SLOTS; i++) {
            limiter_slot *c = &l->slots[i];
            if (!c->ip[0] || now - c->window_start >= l->window_sec) {
                victim = c;
                break;
            }
            if (c->window_start < victim->window_start) victim = c;
        }
        s = victim;
        snprintf(s->ip, sizeof(s->ip), "%s", ip);
        s->failures = 0;
        s->window_start = now;
    }
    s->failures++;
}

void edge_limiter_reset(edge_limiter *l, const char *ip)
{
    limiter_slot *s = find_slot(l, ip);
    if (s) s->ip[0] = '\0';
}

/* ---- the session store ---- */

/* KEYS: session key, index key; ARGV: session JSON, ttl, token */
static const char save_script[] = "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) "
                                  "redis.call('SADD', KEYS[2], ARGV[3]) "
                                  "redis.call('EXPIRE', KEYS[2], ARGV[2]) "
                                  "return 1";

/* KEYS: session key, index key; ARGV: ttl, token. The index entry is (re)added too, so a
 * session made before the index existed joins it on first use. */
static const char slide_script[] = "if redis.call('EXPIRE', KEYS[1], ARGV[1]) == 1 then "
                                   "redis.call('SADD', KEYS[2], ARGV[2]) "
                                   "if redis.call('TTL', KEYS[2]) < tonumber(ARGV[1]) then "
                                   "redis.call('EXPIRE', KEYS[2], ARGV[1]) end "
                                   "return 1 end "
                                   "return 0";

/* KEYS: index key; ARGV: session key prefix. Returns how many sessions ended. */
static const char revoke_script[] =
    "local toks = redis.call('SMEMBERS', KEYS[1]) "
    "for _, t in ipairs(toks) do redis.call('DEL', ARGV[1] .. t) end "
    "redis.call('DEL', KEYS[1]) "
    "return #toks";

static void index_key(char *out, size_t outlen, long long admin_id)
{
    snprintf(out, outlen, EDGE_KEY_ADMIN_SESSIONS_PREFIX "%lld", admin_id);
}

int edge_auth_session_save(edge_redis *r, const char *token, const edge_session *s, int ttl_sec,
                           edge_redis_cb cb, void *ud)
{
    char key[sizeof(EDGE_KEY_SESSION_PREFIX) + EDGE_TOKEN_HEX], idx[64], ttl[16];
    char *json = edge_session_to_json(s);
    int rc;
    if (!json) return EDGE_ERR;
    snprintf(key, sizeof(key), EDGE_KEY_SESSION_PREFIX "%s", token);
    index_key(idx, sizeof(idx), s->admin_id);
    snprintf(ttl, sizeof(ttl), "%d", ttl_sec);
    const char *argv[] = {"EVAL", save_script, "2", key, idx, json, ttl, token};
    rc = edge_redis_cmd(r, cb, ud, 8, argv, NULL);
    free(json);
    return rc;
}

void edge_auth_session_slide(edge_redis *r, const char *token, long long admin_id, int ttl_sec)
{
    char key[sizeof(EDGE_KEY_SESSION_PREFIX) + EDGE_TOKEN_HEX], idx[64], ttl[16];
    if (!token || !edge_token_is_valid(token)) return;
    snprintf(key, sizeof(key), EDGE_KEY_SESSION_PREFIX "%s", token);
    index_key(idx, sizeof(idx), admin_id);
    snprintf(ttl, sizeof(ttl), "%d", ttl_sec);
    const char *argv[] = {"EVAL", slide_script, "2", key, idx, ttl, token};
    edge_redis_cmd(r, NULL, NULL, 7, argv, NULL); /* a lost slide only shortens the session */
}

typedef struct revoke_req {
    edge_ctx *ctx;
    long long admin_id;
} revoke_req;

/* Remembers an admin whose sessions are still to end; the tick retries. */
static void revoke_later(edge_ctx *ctx, long long admin_id)
{
    edge_http *h = ctx->http;
    char id[24];
    if (!h) return;
    for (int i = 0; i < h->n_revoke_pending; i++)
        if (h->revoke_pending[i] == admin_id) return;
    snprintf(id, sizeof(id), "%lld", admin_id);
    if (h->n_revoke_pending == (int)(sizeof(h->revoke_pending) / sizeof(h->revoke_pending[0]))) {
        EDGE_ERROR("too many admins' sessions waiting to end; dropping one", "admin_id", id);
        return;
    }
    EDGE_WARN("ending an admin's sessions failed; retrying", "admin_id", id);
    h->revoke_pending[h->n_revoke_pending++] = admin_id;
}

static void revoked_cb(redisReply *reply, void *ud)
{
    revoke_req *q = ud;
    char id[24], n[24];
    snprintf(id, sizeof(id), "%lld", q->admin_id);
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
        if (reply)
            EDGE_ERROR("ending an admin's sessions failed", "admin_id", id, "error", reply->str);
        revoke_later(q->ctx, q->admin_id);
    } else {
        snprintf(n, sizeof(n), "%lld", reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0LL);
        EDGE_INFO("admin changed: sessions ended", "admin_id", id, "sessions", n);
    }
    /* again, now that Redis refuses the tokens: a socket that reconnected in between goes too */
    if (q->ctx->http) edge_ws_close_admin(q->ctx->http, q->admin_id);
    free(q);
}

static void revoke_sessions(edge_ctx *ctx, long long admin_id)
{
    char idx[64];
    revoke_req *q = malloc(sizeof(*q)); /* freed in revoked_cb */
    if (!q) {
        revoke_later(ctx, admin_id);
        return;
    }
    q->ctx = ctx;
    q->admin_id = admin_id;
    index_key(idx, sizeof(idx), admin_id);
    const char *argv[] = {"EVAL", revoke_script, "1", idx, EDGE_KEY_SESSION_PREFIX};
    if (edge_redis_cmd(ctx->redis, revoked_cb, q, 5, argv, NULL) != EDGE_OK) {
        free(q);
        revoke_later(ctx, admin_id);
    }
}

void edge_auth_admin_changed(edge_ctx *ctx, long long admin_id)
{
    if (!ctx) return;
    if (ctx->http) edge_ws_close_admin(ctx->http, admin_id);
    revoke_sessions(ctx, admin_id);
}

void edge_auth_tick(edge_http *h)
{
    if (!h) return;
    if (h->n_revoke_pending && edge_redis_ready(h->ctx->redis)) {
        long long ids[sizeof(h->revoke_pending) / sizeof(h->revoke_pending[0])];
        int n = h->n_revoke_pending;
        memcpy(ids, h->revoke_pending, (size_t)n * sizeof(ids[0]));
        h->n_revoke_pending = 0;
        for (int i = 0; i < n; i++) revoke_sessions(h->ctx, ids[i]);
    }
    edge_ws_recheck_sessions(h);
}
