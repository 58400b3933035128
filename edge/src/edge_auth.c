/* Session cookie and CSRF token handling, Origin check and the failed-login limiter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include <openssl/rand.h>
#include <arpa/inet.h>
#include "edge_auth.h"
#include "edge_http_int.h"
#include "edge_keys.h"
#include "edge_log.h"
#include "edge_pg.h"
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

/* ---- the login limiter ---- */

#define LIMITER_SLOTS 4096
#define STRIKES_FORGET_SEC 86400

typedef struct limiter_slot {
    char key[128];
    int count;           /* attempts in the current window, counted up front */
    time_t window_start; /* of the current window */
    int strikes;         /* locks so far: the next lasts twice as long */
    time_t locked_until;
    time_t last; /* last attempt */
} limiter_slot;

typedef struct limiter_table {
    int max, lock_sec;
    limiter_slot slots[LIMITER_SLOTS];
} limiter_table;

struct edge_limiter {
    edge_limiter_params p;
    int in_flight;
    limiter_table account, addr;
};

edge_limiter *edge_limiter_create(const edge_limiter_params *p)
{
    static const edge_limiter_params defaults = EDGE_LIMITER_DEFAULTS;
    edge_limiter *l = calloc(1, sizeof(*l));
    if (!l) return NULL;
    l->p = p ? *p : defaults;
    l->account.max = l->p.account_max;
    l->account.lock_sec = l->p.account_lock_sec;
    l->addr.max = l->p.addr_max;
    l->addr.lock_sec = l->p.addr_lock_sec;
    return l;
}

void edge_limiter_destroy(edge_limiter *l)
{
    free(l);
}

static limiter_slot *find_slot(limiter_table *t, const char *key)
{
    for (int i = 0; i < LIMITER_SLOTS; i++)
        if (t->slots[i].key[0] && strcmp(t->slots[i].key, key) == 0) return &t->slots[i];
    return NULL;
}

/* A free slot, else the least recently used unlocked one, else the one unlocked soonest. */
static limiter_slot *victim_slot(limiter_table *t, time_t now)
{
    limiter_slot *best = NULL;
    for (int i = 0; i < LIMITER_SLOTS; i++) {
        limiter_slot *c = &t->slots[i];
        if (!c->key[0]) return c;
        if (!best) {
            best = c;
            continue;
        }
        int c_locked = c->locked_until > now, b_locked = best->locked_until > now;
        if (c_locked != b_locked
                ? !c_locked
                : (c_locked ? c->locked_until < best->locked_until : c->last < best->last))
            best = c;
    }
    return best;
}

/* Seconds until key may try again, 0 now. Starts a new window when the old one is over. */
static int table_wait(limiter_table *t, const char *key, time_t now)
{
    limiter_slot *s = find_slot(t, key);
    if (!s) return 0;
    if (s->locked_until > now) return (int)(s->locked_until - now);
    return 0;
}

static void table_count(limiter_table *t, const edge_limiter_params *p, const char *key, time_t now)
{
    limiter_slot *s = find_slot(t, key);
    if (!s) {
        s = victim_slot(t, now);
        memset(s, 0, sizeof(*s));
        snprintf(s->key, sizeof(s->key), "%s", key);
        s->window_start = now;
    }
    if (now - s->window_start >= p->window_sec) {
        s->count = 0;
        s->window_start = now;
    }
    if (s->last && now - s->last >= STRIKES_FORGET_SEC) s->strikes = 0;
    s->last = now;
    if (++s->count < t->max) return;
    /* the limit is reached: lock, twice as long as the time before */
    long long lock = t->lock_sec;
    for (int i = 0; i < s->strikes && lock < p->lock_max_sec; i++) lock *= 2;
    if (lock > p->lock_max_sec) lock = p->lock_max_sec;
    s->strikes++;
    s->locked_until = now + (time_t)lock;
    s->count = 0;
    s->window_start = now;
}

static void table_uncount(limiter_table *t, const char *key)
{
    limiter_slot *s = find_slot(t, key);
    if (s && s->count > 0) s->count--;
}

static void table_forget(limiter_table *t, const char *key)
{
    limiter_slot *s = find_slot(t, key);
    if (s) memset(s, 0, sizeof(*s));
}

int edge_limiter_begin(edge_limiter *l, const char *account, const char *addr, time_t now)
{
    int wa = table_wait(&l->account, account, now), wi = table_wait(&l->addr, addr, now);
    int wait = wa > wi ? wa : wi;
    if (wait > 0) return wait;
    if (l->in_flight >= l->p.in_flight) return 1; /* the checks in progress end within a second */
    table_count(&l->account, &l->p, account, now);
    table_count(&l->addr, &l->p, addr, now);
    l->in_flight++;
    return 0;
}

void edge_limiter_end(edge_limiter *l, const char *account, const char *addr,
                      edge_login_outcome outcome)
{
    if (l->in_flight > 0) l->in_flight--;
    switch (outcome) {
    case EDGE_LOGIN_OK:
        table_forget(&l->account, account);
        table_uncount(&l->addr, addr);
        break;
    case EDGE_LOGIN_NONE:
        table_uncount(&l->account, account);
        table_uncount(&l->addr, addr);
        break;
    case EDGE_LOGIN_WRONG:
        break;
    }
}

/* ---- client address behind trusted proxies ---- */

/* Parses "addr" or "addr/bits" (IPv4 or IPv6) into 16 bytes (IPv4 as ::ffff:a.b.c.d) and a
 * prefix length over those 128 bits. 0 or -1. */
static int parse_cidr(const char *s, size_t len, unsigned char out[16], int *bits)
{
    char buf[64];
    struct in_addr a4;
    int b = -1, v4;
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    if (len == 0 || len >= sizeof(buf)) return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *slash = strchr(buf, '/');
    if (slash) {
        char *end;
        *slash = '\0';
        if (!slash[1] || strspn(slash + 1, "0123456789") != strlen(slash + 1)) return -1;
        long v = strtol(slash + 1, &end, 10);
        if (v < 0 || v > 128) return -1;
        b = (int)v;
    }
    if ((v4 = inet_pton(AF_INET, buf, &a4)) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &a4, 4);
        if (b > 32) return -1;
        *bits = b < 0 ? 128 : 96 + b;
        return 0;
    }
    if (inet_pton(AF_INET6, buf, out) != 1) return -1;
    *bits = b < 0 ? 128 : b;
    return 0;
}

static int cidr_contains(const unsigned char net[16], int bits, const unsigned char ip[16])
{
    int full = bits / 8, rest = bits % 8;
    if (memcmp(net, ip, (size_t)full) != 0) return 0;
    if (!rest) return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (net[full] & mask) == (ip[full] & mask);
}

int edge_ip_in_list(const char *ip, const char *list)
{
    unsigned char a[16], net[16];
    int abits, bits;
    if (!ip || !list || parse_cidr(ip, strlen(ip), a, &abits) < 0 || abits != 128) return 0;
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (parse_cidr(p, len, net, &bits) == 0 && cidr_contains(net, bits, a)) return 1;
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}

int edge_ip_list_is_valid(const char *list)
{
    unsigned char net[16];
    int bits;
    if (!list) return 0;
    if (!list[0]) return 1;
    for (const char *p = list;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (parse_cidr(p, len, net, &bits) < 0) return 0;
        if (!comma) return 1;
        p = comma + 1;
    }
}

void edge_client_addr(const char *peer, const char *xff, const char *trusted, char *out,
                      size_t outlen)
{
    unsigned char a[16];
    int bits;
    snprintf(out, outlen, "%s", peer ? peer : "?");
    if (!peer || !xff || !xff[0] || !trusted || !trusted[0] || !edge_ip_in_list(peer, trusted))
        return;
    /* walk X-Forwarded-For from the right: each hop appended the address it got the request from */
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',') start--;
        const char *e = xff + start;
        size_t len = end - start;
        while (len && (*e == ' ' || *e == '\t')) e++, len--;
        while (len && (e[len - 1] == ' ' || e[len - 1] == '\t')) len--;
        char ip[64];
        if (len == 0 || len >= sizeof(ip) || parse_cidr(e, len, a, &bits) < 0 || bits != 128 ||
            memchr(e, '/', len))
            return; /* garbage: keep the last trusted hop's address */
        memcpy(ip, e, len);
        ip[len] = '\0';
        snprintf(out, outlen, "%s", ip);
        if (!edge_ip_in_list(ip, trusted)) return;
        end = start > 0 ? start - 1 : 0;
    }
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

typedef struct validate_req {
    edge_ctx *ctx;
    long long admin_id;
    char role[16];
} validate_req;

static void validated_cb(const edge_pg_result *r, void *ud)
{
    validate_req *q = ud;
    int gone = strcmp(r->sqlstate, "P0002") == 0;
    int changed = strcmp(r->sqlstate, "00000") == 0 && r->res && PQntuples(r->res) == 1 &&
                  (PQgetisnull(r->res, 0, 0) || strcmp(PQgetvalue(r->res, 0, 0), q->role) != 0);
    if (gone || changed) {
        char id[24];
        snprintf(id, sizeof(id), "%lld", q->admin_id);
        EDGE_WARN("admin changed unseen: ending their sessions", "admin_id", id, "why",
                  gone ? "disabled or deleted" : "role changed");
        edge_auth_admin_changed(q->ctx, q->admin_id);
    }
    free(q);
}

void edge_auth_validate_admin(edge_ctx *ctx, long long admin_id, const char *role)
{
    char id[24];
    if (!ctx || !ctx->pg || !role) return;
    validate_req *q = calloc(1, sizeof(*q)); /* freed in validated_cb */
    if (!q) return;
    q->ctx = ctx;
    q->admin_id = admin_id;
    snprintf(q->role, sizeof(q->role), "%s", role);
    snprintf(id, sizeof(id), "%lld", admin_id);
    const char *params[] = {id};
    if (edge_pg_call(ctx->pg, NULL, "SELECT rt.admin_get($1::bigint)->>'role'", 1, params,
                     validated_cb, q) != EDGE_OK)
        free(q); /* the queue is full: the next round asks again */
}

void edge_auth_tick(edge_http *h)
{
    static unsigned ticks;
    if (!h) return;
    if (++ticks % EDGE_AUTH_VALIDATE_TICKS == 0) {
        long long ids[64];
        char roles[64][16];
        size_t n = edge_ws_admins(h, ids, roles, 64);
        for (size_t i = 0; i < n; i++) edge_auth_validate_admin(h->ctx, ids[i], roles[i]);
    }
    if (h->n_revoke_pending && edge_redis_ready(h->ctx->redis)) {
        long long ids[sizeof(h->revoke_pending) / sizeof(h->revoke_pending[0])];
        int n = h->n_revoke_pending;
        memcpy(ids, h->revoke_pending, (size_t)n * sizeof(ids[0]));
        h->n_revoke_pending = 0;
        for (int i = 0; i < n; i++) revoke_sessions(h->ctx, ids[i]);
    }
    edge_ws_recheck_sessions(h);
}
