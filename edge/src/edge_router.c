/* Request routing: the HTTP layer's own paths, then /api through edge_routes.c; static path
 * resolution and MIME types. Pure functions, unit-tested. */
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include "edge_router.h"
#include "edge_routes.h"

/* The HTTP layer's own paths, all GET; none needs a session but /metrics, which takes a bearer
 * token instead. Every /api route is a row of edge_routes.c; every other path is a static file
 * of the SPA. */
static const struct {
    const char *path;
    edge_route_id id;
    const char *name;
    int head; /* HEAD is answered like GET (the probes; not the WebSocket upgrade) */
} http_routes[] = {
    {"/healthz", EDGE_ROUTE_HEALTHZ, "healthz", 1},
    {"/readyz", EDGE_ROUTE_READYZ, "readyz", 1},
    {"/ws", EDGE_ROUTE_WS, "ws", 0},
    {"/metrics", EDGE_ROUTE_METRICS, "metrics", 1},
};

static int is_prefix_dir(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static void match_api(const char *method, const char *path, edge_route_match *m)
{
    const struct edge_api_route *rt;
    int rc = edge_routes_match(method, path, &rt, m->param, sizeof(m->param), m->allow_buf,
                               sizeof(m->allow_buf));
    if (rc != 0) {
        m->name = "api";
        m->status = rc;
        m->allow = rc == 405 ? m->allow_buf : NULL;
        return;
    }
    m->id = EDGE_ROUTE_API;
    m->api = rt;
    m->name = rt->name;
    m->flags = (rt->flags & EDGE_RT_NO_SESSION ? 0 : EDGE_ROUTE_F_SESSION) |
               (rt->flags & EDGE_RT_CSRF ? EDGE_ROUTE_F_CSRF : 0) |
               (edge_route_takes_body(rt) ? EDGE_ROUTE_F_BODY : 0);
}

void edge_router_match(const char *method, const char *path, edge_route_match *m)
{
    int get = strcmp(method, "GET") == 0, head = strcmp(method, "HEAD") == 0;
    memset(m, 0, sizeof(*m));
    m->name = "static";
    if (is_prefix_dir(path, "/api")) {
        match_api(method, path, m);
        return;
    }
    for (size_t i = 0; i < sizeof(http_routes) / sizeof(http_routes[0]); i++) {
        if (strcmp(path, http_routes[i].path) != 0) continue;
        m->name = http_routes[i].name;
        if (get || (head && http_routes[i].head)) {
            m->id = http_routes[i].id;
            if (m->id == EDGE_ROUTE_METRICS) m->flags = EDGE_ROUTE_F_SESSION;
        } else {
            m->status = 405;
            m->allow = "GET";
        }
        return;
    }
    if (is_prefix_dir(path, "/ws")) {
        m->name = "api";
        m->status = 404;
        return;
    }
    if (!get && !head) {
        m->status = 405;
        m->allow = "GET, HEAD";
        return;
    }
    m->id = EDGE_ROUTE_STATIC;
}

int edge_static_resolve(const char *root, const char *path, char *out, size_t outlen)
{
    if (!root || !path || path[0] != '/') return -1;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '\\') return -1;
    /* Every segment must be a plain name: no "", ".", "..", and no dot-files. */
    const char *seg = path + 1;
    while (*seg) {
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if (len > 0 && seg[0] == '.') return -1;
        if (len == 0 && end) return -1; /* "//" */
        if (!end) break;
        seg = end + 1;
    }
    const char *rel = path;
    size_t plen = strlen(path);
    if (plen == 1)
        rel = "/index.html";
    else if (path[plen - 1] == '/')
        return 1; /* directories are SPA routes, never listed */
    int n = snprintf(out, outlen, "%s%s", root, rel);
    if (n < 0 || (size_t)n >= outlen) return -1;
    return 0;
}

int edge_static_is_spa_route(const char *path)
{
    const char *last = strrchr(path, '/');
    last = last ? last + 1 : path;
    return strchr(last, '.') == NULL;
}

static const struct {
    const char *ext;
    const char *type;
} mimes[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"txt", "text/plain; charset=utf-8"},
    {"wasm", "application/wasm"},
};

const char *edge_mime_type(const char *file)
{
    const char *slash = strrchr(file, '/');
    const char *dot = strrchr(slash ? slash : file, '.');
    if (dot) {
        for (size_t i = 0; i < sizeof(mimes) / sizeof(mimes[0]); i++)
            if (strcasecmp(dot + 1, mimes[i].ext) == 0) return mimes[i].type;
    }
    return "application/octet-stream";
}
