/* Session cookie and CSRF token handling, Origin check and the failed-login limiter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include <openssl/rand.h>
#include "edge_auth.h"

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
