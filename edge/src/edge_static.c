/* Static files: content-coding negotiation, Cache-Control, hidden files. Pure functions. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "edge_static.h"

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), as thousandths; -1 if bad. */
static int parse_qvalue(const char *s, size_t n)
{
    if (n == 0 || (s[0] != '0' && s[0] != '1')) return -1;
    int q = (s[0] - '0') * 1000;
    if (n == 1) return q;
    if (s[1] != '.' || n > 5) return -1;
    int scale = 100;
    for (size_t i = 2; i < n; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9') return -1;
        q += (s[i] - '0') * scale;
    }
    return q > 1000 ? -1 : q;
}

/* The q of one element's parameters ("; q=0.5; x=y"), 1000 when absent, -1 when malformed. */
static int element_q(const char *p, const char *end)
{
    int q = 1000;
    while (p < end) {
        while (p < end && (is_ows(*p) || *p == ';')) p++;
        const char *name = p;
        while (p < end && *p != '=' && *p != ';' && !is_ows(*p)) p++;
        size_t nlen = (size_t)(p - name);
        while (p < end && is_ows(*p)) p++;
        if (p >= end || *p != '=') {
            if (nlen == 1 && (name[0] == 'q' || name[0] == 'Q')) return -1; /* "q" alone */
            continue;
        }
        p++;
        while (p < end && is_ows(*p)) p++;
        const char *val = p;
        while (p < end && *p != ';' && !is_ows(*p)) p++;
        if (nlen == 1 && (name[0] == 'q' || name[0] == 'Q')) {
            q = parse_qvalue(val, (size_t)(p - val));
            if (q < 0) return -1;
        }
    }
    return q;
}

static int token_is(const char *tok, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(tok, name, n) == 0;
}

edge_coding edge_static_pick_encoding(const char *accept, unsigned available)
{
    /* q of br, gzip, identity and "*": -1 while not named */
    int q_br = -1, q_gzip = -1, q_identity = -1, q_star = -1;
    if (!accept) return EDGE_CODING_IDENTITY;
    const char *p = accept;
    while (*p) {
        const char *elem = p;
        while (*p && *p != ',') p++;
        const char *elem_end = p;
        if (*p == ',') p++;
        while (elem < elem_end && is_ows(*elem)) elem++;
        const char *tok_end = elem;
        while (tok_end < elem_end && *tok_end != ';' && !is_ows(*tok_end)) tok_end++;
        size_t tlen = (size_t)(tok_end - elem);
        if (tlen == 0) continue; /* empty list element */
        int q = element_q(tok_end, elem_end);
        if (q < 0) continue; /* malformed weight: ignore the element */
        int *slot = NULL;
        if (token_is(elem, tlen, "br"))
            slot = &q_br;
        else if (token_is(elem, tlen, "gzip") || token_is(elem, tlen, "x-gzip"))
            slot = &q_gzip;
        else if (token_is(elem, tlen, "identity"))
            slot = &q_identity;
        else if (token_is(elem, tlen, "*"))
            slot = &q_star;
        if (slot && q > *slot) *slot = q; /* a coding named twice keeps its best weight */
    }
    if (q_br < 0) q_br = q_star > 0 ? q_star : 0;
    if (q_gzip < 0) q_gzip = q_star > 0 ? q_star : 0;
    if (q_identity < 0) q_identity = q_star >= 0 ? q_star : 0;
    if (!(available & EDGE_CODING_MASK(EDGE_CODING_BR))) q_br = 0;
    if (!(available & EDGE_CODING_MASK(EDGE_CODING_GZIP))) q_gzip = 0;
    edge_coding best = EDGE_CODING_IDENTITY;
    int best_q = q_identity;
    /* later candidates win ties: identity, then gzip, then br */
    if (q_gzip > 0 && q_gzip >= best_q) {
        best = EDGE_CODING_GZIP;
        best_q = q_gzip;
    }
    if (q_br > 0 && q_br >= best_q) best = EDGE_CODING_BR;
    return best;
}

const char *edge_static_coding_name(edge_coding c)
{
    switch (c) {
    case EDGE_CODING_GZIP:
        return "gzip";
    case EDGE_CODING_BR:
        return "br";
    case EDGE_CODING_IDENTITY:
        break;
    }
    return NULL;
}

const char *edge_static_cache_control(const char *path, int asset_found)
{
    if (asset_found && path && strncmp(path, "/assets/", 8) == 0)
        return "public, max-age=31536000, immutable";
    return "no-cache";
}

int edge_static_etag(char *out, size_t outlen, long long mtime_sec, long long mtime_nsec,
                     long long size, edge_coding c)
{
    const char *suffix = c == EDGE_CODING_BR ? "-br" : c == EDGE_CODING_GZIP ? "-gz" : "";
    int n = snprintf(out, outlen, "\"%llx.%llx-%llx%s\"", (unsigned long long)mtime_sec,
                     (unsigned long long)mtime_nsec, (unsigned long long)size, suffix);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* The opaque-tag of etag without a "W/" prefix: [s, s + *len). */
static const char *opaque(const char *s, size_t *len)
{
    if (s[0] == 'W' && s[1] == '/') s += 2;
    *len = strlen(s);
    return s;
}

int edge_static_etag_match(const char *inm, const char *etag)
{
    if (!inm || !etag || !etag[0]) return 0;
    size_t elen;
    const char *e = opaque(etag, &elen);
    const char *p = inm;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!*p) return 0;
        if (*p == '*') return 1;
        if (p[0] == 'W' && p[1] == '/') p += 2;
        if (*p != '"') return 0; /* not an entity-tag: stop */
        const char *close = strchr(p + 1, '"');
        if (!close) return 0;
        size_t tlen = (size_t)(close - p) + 1;
        if (tlen == elen && memcmp(p, e, elen) == 0) return 1;
        p = close + 1;
    }
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

int edge_static_is_hidden(const char *path)
{
    if (!path) return 1;
    return has_suffix(path, ".map") || has_suffix(path, ".gz") || has_suffix(path, ".br");
}
