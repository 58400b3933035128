/* Session cookie and CSRF token handling, Origin check and the failed-login limiter. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include <openssl/evp.h>
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
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:I,s:I}", "admin_id", (json_int_t)s->admin_id, "login",
                          s->login, "role", s->role, "csrf_token", s->csrf_token, "created_at",
                          (json_int_t)s->created_at, "epoch", (json_int_t)s->epoch);
    char *out;
    if (!o) return NULL;
    out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return out;
}

int edge_session_from_json(const char *json, size_t len, edge_session *s)
{
    json_error_t je;
    json_int_t id = 0, created = 0, epoch = 0;
    const char *login = NULL, *role = NULL, *csrf = NULL;
    json_t *o = json_loadb(json, len, 0, &je);
    int rc = -1;
    memset(s, 0, sizeof(*s));
    if (!o) return -1;
    /* a session stored before the epoch existed has none: 0, older than any change */
    if (json_unpack(o, "{s:I,s:s,s:s,s:s,s?I,s?I}", "admin_id", &id, "login", &login, "role", &role,
                    "csrf_token", &csrf, "created_at", &created, "epoch", &epoch) != 0)
        goto out;
    if (!edge_token_is_valid(csrf) || strlen(login) >= sizeof(s->login) ||
        strlen(role) >= sizeof(s->role) || epoch < 0)
        goto out;
    s->admin_id = id;
    s->created_at = created;
    s->epoch = epoch;
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

#define STRIKES_FORGET_SEC 86400

struct edge_limiter {
    edge_limiter_params p;
    int in_flight;
};

edge_limiter *edge_limiter_create(const edge_limiter_params *p)
{
    static const edge_limiter_params defaults = EDGE_LIMITER_DEFAULTS;
    edge_limiter *l = calloc(1, sizeof(*l));
    if (!l) return NULL;
    l->p = p ? *p : defaults;
    return l;
}

void edge_limiter_destroy(edge_limiter *l)
{
    free(l);
}

int edge_limiter_enter(edge_limiter *l)
{
    if (!l || l->in_flight >= l->p.in_flight) return -1;
    l->in_flight++;
    return 0;
}

void edge_limiter_leave(edge_limiter *l)
{
    if (l && l->in_flight > 0) l->in_flight--;
}

int edge_limiter_in_flight(const edge_limiter *l)
{
    return l ? l->in_flight : 0;
}

int edge_limiter_account_key(const char *login, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char h[2 * EVP_MAX_MD_SIZE + 1];
    if (!login) login = "";
    if (EVP_Digest(login, strlen(login), md, &mdlen, EVP_sha256(), NULL) != 1) return -1;
    for (unsigned int i = 0; i < mdlen; i++) {
        h[2 * i] = hex[md[i] >> 4];
        h[2 * i + 1] = hex[md[i] & 15];
    }
    h[2 * mdlen] = '\0';
    int n = snprintf(out, outlen, EDGE_KEY_LOGIN_ACCOUNT_PREFIX "%s", h);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

int edge_limiter_addr_key(const char *addr, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, EDGE_KEY_LOGIN_ADDR_PREFIX "%s", addr ? addr : "?");
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* One attempt, for every edge at once. KEYS: account key, address key. ARGV: window, forget,
 * account max, account lock, address max, address lock, lock max (seconds). Redis's clock, so
 * edges with skewed clocks agree. Returns 0 (counted: go ahead) or the seconds until the later
 * lock of the two ends (nothing counted). Each key is a hash: c (attempts in the window), ws
 * (window start), s (locks so far: the next lasts twice as long), last (last attempt), lu (locked
 * until). A key lives for the window, or a day (forget) once it has been locked. */
static const char count_script[] =
    "local now = tonumber(redis.call('TIME')[1]) "
    "local window, forget, lockmax = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[7]) "
    "local function wait(k) "
    "  local lu = tonumber(redis.call('HGET', k, 'lu') or '0') or 0 "
    "  if lu > now then return lu - now end return 0 end "
    "local w = math.max(wait(KEYS[1]), wait(KEYS[2])) "
    "if w > 0 then return w end "
    "local function count(k, max, lock) "
    "  local h = redis.call('HMGET', k, 'c', 'ws', 's', 'last') "
    "  local c, ws = tonumber(h[1]) or 0, tonumber(h[2]) or now "
    "  local s, last = tonumber(h[3]) or 0, tonumber(h[4]) or 0 "
    "  if now - ws >= window then c = 0 ws = now end "
    "  if last > 0 and now - last >= forget then s = 0 end "
    "  c = c + 1 "
    "  local lu = 0 "
    "  if c >= max then "
    "    local l = lock "
    "    for i = 1, s do if l >= lockmax then break end l = l * 2 end "
    "    if l > lockmax then l = lockmax end "
    "    s = s + 1 lu = now + l c = 0 ws = now "
    "  end "
    "  redis.call('HSET', k, 'c', c, 'ws', ws, 's', s, 'last', now, 'lu', lu) "
    "  if s > 0 then redis.call('EXPIRE', k, forget + math.max(lu - now, 0)) "
    "  else redis.call('EXPIRE', k, window) end "
    "end "
    "count(KEYS[1], tonumber(ARGV[3]), tonumber(ARGV[4])) "
    "count(KEYS[2], tonumber(ARGV[5]), tonumber(ARGV[6])) "
    "return 0";

/* KEYS: account key, address key. ARGV: "ok" (right password: the account's record goes, the
 * address's attempt is uncounted) or "none" (not checked: uncounted on both). */
static const char settle_script[] =
    "local function uncount(k) "
    "  local c = tonumber(redis.call('HGET', k, 'c') or '0') or 0 "
    "  if c > 0 then redis.call('HSET', k, 'c', c - 1) end end "
    "if ARGV[1] == 'ok' then redis.call('DEL', KEYS[1]) else uncount(KEYS[1]) end "
    "uncount(KEYS[2]) "
    "return 1";

int edge_limiter_count(const edge_limiter *l, edge_redis *r, const char *account_key,
                       const char *addr_key, edge_redis_cb cb, void *ud)
{
    char a[7][16];
    const edge_limiter_params *p = &l->p;
    snprintf(a[0], sizeof(a[0]), "%d", p->window_sec);
    snprintf(a[1], sizeof(a[1]), "%d", STRIKES_FORGET_SEC);
    snprintf(a[2], sizeof(a[2]), "%d", p->account_max);
    snprintf(a[3], sizeof(a[3]), "%d", p->account_lock_sec);
    snprintf(a[4], sizeof(a[4]), "%d", p->addr_max);
    snprintf(a[5], sizeof(a[5]), "%d", p->addr_lock_sec);
    snprintf(a[6], sizeof(a[6]), "%d", p->lock_max_sec);
    const char *argv[] = {"EVAL", count_script, "2",  account_key, addr_key, a[0],
                          a[1],   a[2],         a[3], a[4],        a[5],     a[6]};
    return edge_redis_cmd(r, cb, ud, (int)(sizeof(argv) / sizeof(argv[0])), argv, NULL);
}

void edge_limiter_settle(edge_redis *r, const char *account_key, const char *addr_key,
                         edge_login_outcome outcome)
{
    if (outcome == EDGE_LOGIN_WRONG) return; /* stays counted */
    const char *argv[] = {"EVAL",      settle_script, "2",
                          account_key, addr_key,      outcome == EDGE_LOGIN_OK ? "ok" : "none"};
    /* fire and forget: a lost settle leaves one attempt counted, the safe side */
    edge_redis_cmd(r, NULL, NULL, 6, argv, NULL);
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

/* KEYS: index key; ARGV: session key prefix. Returns how many sessions ended. The session keys
 * are known only inside the script (the index's members); they share the index's hash tag {rt},
 * so in a Redis Cluster they are in the declared key's slot (edge_keys.h). */
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
    edge_auth_load_epochs(ctx); /* the admin's new epoch, for the next upgrades */
    if (ctx->http) edge_ws_close_admin(ctx->http, admin_id);
    revoke_sessions(ctx, admin_id);
}

/* ---- the admins' epochs, for the WebSocket upgrade (which cannot wait for the database) ---- */

#define EPOCH_SLOTS 4096
#define EPOCH_DISABLED LLONG_MAX

static struct {
    long long id, floor; /* sessions of admin id made before epoch `floor` are over */
} epoch_map[EPOCH_SLOTS];
static size_t epoch_n;

static long long *epoch_floor(long long admin_id, int add)
{
    for (size_t i = 0; i < epoch_n; i++)
        if (epoch_map[i].id == admin_id) return &epoch_map[i].floor;
    if (!add || epoch_n == EPOCH_SLOTS) return NULL;
    epoch_map[epoch_n].id = admin_id;
    epoch_map[epoch_n].floor = 0;
    return &epoch_map[epoch_n++].floor;
}

int edge_auth_session_current(long long admin_id, long long epoch)
{
    const long long *f = epoch_floor(admin_id, 0);
    return !f || epoch >= *f; /* unknown (a new admin): the socket's database check decides */
}

void edge_auth_epoch_at_least(long long admin_id, long long floor)
{
    long long *f = epoch_floor(admin_id, 1);
    if (f && *f < floor) *f = floor;
}

int edge_auth_epochs_apply(const char *json, size_t len)
{
    json_error_t je;
    const char *key;
    json_t *v, *o = json_loadb(json, len, 0, &je);
    if (!json_is_object(o)) {
        json_decref(o);
        return -1;
    }
    epoch_n = 0; /* the database's word replaces everything (a DBA may also lower an epoch) */
    json_object_foreach(o, key, v)
    {
        char *end;
        long long id = strtoll(key, &end, 10);
        if (*end || epoch_n == EPOCH_SLOTS) continue;
        if (json_is_null(v))
            epoch_map[epoch_n].floor = EPOCH_DISABLED;
        else if (json_is_integer(v))
            epoch_map[epoch_n].floor = (long long)json_integer_value(v);
        else
            continue;
        epoch_map[epoch_n++].id = id;
    }
    json_decref(o);
    return 0;
}

static void epochs_cb(const edge_pg_result *r, void *ud)
{
    (void)ud;
    if (strcmp(r->sqlstate, "00000") != 0 || !r->res || PQntuples(r->res) != 1 ||
        PQgetisnull(r->res, 0, 0)) {
        if (strcmp(r->sqlstate, "57P01") != 0) /* not at shutdown */
            EDGE_WARN("loading the admins' session epochs failed", "sqlstate", r->sqlstate, "error",
                      r->errmsg);
        return;
    }
    if (edge_auth_epochs_apply(PQgetvalue(r->res, 0, 0), (size_t)PQgetlength(r->res, 0, 0)) < 0)
        EDGE_WARN("loading the admins' session epochs failed", "error", "not a JSON object");
}

void edge_auth_load_epochs(edge_ctx *ctx)
{
    if (!ctx || !ctx->pg) return;
    /* a full queue: the next round loads them */
    edge_pg_call(ctx->pg, NULL, "SELECT rt.admin_session_epochs()", 0, NULL, epochs_cb, NULL);
}

int edge_auth_actor(long long admin_id, long long epoch, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "admin:%lld#%lld", admin_id, epoch);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* KEYS: index key; ARGV: session key prefix, epoch. Ends the sessions in the index made at that
 * epoch or before (missing epoch: 0) and drops tokens whose session is gone. Returns how many
 * ended. The session keys are built from the prefix, in the index's slot (see revoke_script). */
static const char stale_script[] =
    "local n = 0 "
    "for _, t in ipairs(redis.call('SMEMBERS', KEYS[1])) do "
    "  local v = redis.call('GET', ARGV[1] .. t) "
    "  local e = -1 "
    "  if v then local ok, s = pcall(cjson.decode, v) "
    "    if ok and type(s) == 'table' then e = tonumber(s.epoch) or 0 end end "
    "  if not v or e <= tonumber(ARGV[2]) then "
    "    if v then redis.call('DEL', ARGV[1] .. t) n = n + 1 end "
    "    redis.call('SREM', KEYS[1], t) end "
    "end "
    "return n";

typedef struct stale_req {
    edge_ctx *ctx;
    long long admin_id, epoch;
} stale_req;

static void staled_cb(redisReply *reply, void *ud)
{
    stale_req *q = ud;
    char id[24], n[24];
    snprintf(id, sizeof(id), "%lld", q->admin_id);
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
        /* every later use is refused by the database anyway; end them all when Redis is back */
        EDGE_WARN("ending an admin's stale sessions failed", "admin_id", id, "error",
                  reply && reply->str ? reply->str : "redis down");
        revoke_later(q->ctx, q->admin_id);
    } else {
        snprintf(n, sizeof(n), "%lld", reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0LL);
        EDGE_INFO("stale sessions ended", "admin_id", id, "sessions", n);
    }
    /* sockets whose session is now gone close at once, not at the next tick */
    if (q->ctx->http) edge_ws_recheck_sessions(q->ctx->http);
    free(q);
}

void edge_auth_session_stale(edge_ctx *ctx, long long admin_id, long long epoch)
{
    char idx[64], ep[24];
    if (!ctx) return;
    if (epoch < LLONG_MAX) edge_auth_epoch_at_least(admin_id, epoch + 1); /* upgrades refuse it */
    stale_req *q = malloc(sizeof(*q));                                    /* freed in staled_cb */
    if (!q) {
        revoke_later(ctx, admin_id);
        return;
    }
    q->ctx = ctx;
    q->admin_id = admin_id;
    q->epoch = epoch;
    index_key(idx, sizeof(idx), admin_id);
    snprintf(ep, sizeof(ep), "%lld", epoch);
    const char *argv[] = {"EVAL", stale_script, "1", idx, EDGE_KEY_SESSION_PREFIX, ep};
    if (edge_redis_cmd(ctx->redis, staled_cb, q, 6, argv, NULL) != EDGE_OK) {
        free(q);
        revoke_later(ctx, admin_id);
    }
}

typedef struct validate_req {
    edge_ctx *ctx;
    long long admin_id, epoch;
} validate_req;

static void validated_cb(const edge_pg_result *r, void *ud)
{
    validate_req *q = ud;
    char id[24];
    snprintf(id, sizeof(id), "%lld", q->admin_id);
    if (strcmp(r->sqlstate, "28000") == 0) {
        /* a new password, role or access since these sessions began, which no edge acted on */
        EDGE_WARN("admin changed unseen: ending their older sessions", "admin_id", id, "why",
                  "session epoch is stale");
        edge_auth_session_stale(q->ctx, q->admin_id, q->epoch);
    } else if (strcmp(r->sqlstate, "42501") == 0) {
        EDGE_WARN("admin changed unseen: ending their sessions", "admin_id", id, "why",
                  "disabled or deleted");
        edge_auth_admin_changed(q->ctx, q->admin_id);
    }
    free(q);
}

void edge_auth_validate_admin(edge_ctx *ctx, long long admin_id, long long epoch)
{
    char actor[48];
    if (!ctx || !ctx->pg || edge_auth_actor(admin_id, epoch, actor, sizeof(actor)) < 0) return;
    validate_req *q = calloc(1, sizeof(*q)); /* freed in validated_cb */
    if (!q) return;
    q->ctx = ctx;
    q->admin_id = admin_id;
    q->epoch = epoch;
    /* the check every REST call gets: the actor's epoch, enabled, any role */
    if (edge_pg_call(ctx->pg, actor, "SELECT rt.require_role('viewer')", 0, NULL, validated_cb,
                     q) != EDGE_OK)
        free(q); /* the queue is full: the next round asks again */
}

void edge_auth_tick(edge_http *h)
{
    static unsigned ticks;
    if (!h) return;
    if (ticks++ % EDGE_AUTH_VALIDATE_TICKS == 0) {
        edge_auth_load_epochs(h->ctx); /* also at the first tick */
        long long ids[64], epochs[64];
        size_t n = edge_ws_admins(h, ids, epochs, 64);
        for (size_t i = 0; i < n; i++) edge_auth_validate_admin(h->ctx, ids[i], epochs[i]);
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
