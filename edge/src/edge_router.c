/* Route table, static path resolution and MIME types; pure functions, unit-tested. */
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include "edge_router.h"
#include "edge_routes.h"

typedef struct route_def {
    const char *path;
    const char *method;
    edge_route_id id;
    unsigned flags;
    const char *allow;
    const char *name;
} route_def;

static const route_def routes[] = {
    {"/healthz", "GET", EDGE_ROUTE_HEALTHZ, 0, "GET", "healthz"},
    {"/readyz", "GET", EDGE_ROUTE_READYZ, 0, "GET", "readyz"},
    {"/api/auth/login", "POST", EDGE_ROUTE_LOGIN, EDGE_ROUTE_F_BODY, "POST", "login"},
    {"/api/auth/logout", "POST", EDGE_ROUTE_LOGOUT, EDGE_ROUTE_F_SESSION | EDGE_ROUTE_F_CSRF,
     "POST", "logout"},
    {"/api/auth/me", "GET", EDGE_ROUTE_ME, EDGE_ROUTE_F_SESSION, "GET", "me"},
    {"/api/chats", "GET", EDGE_ROUTE_CHATS, EDGE_ROUTE_F_SESSION, "GET", "chats"},
    {"/api/messages", "GET", EDGE_ROUTE_MESSAGES, EDGE_ROUTE_F_SESSION, "GET", "messages"},
    {"/api/simulator/messages", "POST", EDGE_ROUTE_SIMULATE,
     EDGE_ROUTE_F_SESSION | EDGE_ROUTE_F_CSRF | EDGE_ROUTE_F_BODY, "POST", "simulate"},
    {"/ws", "GET", EDGE_ROUTE_WS, 0, "GET", "ws"},
};

static int is_prefix_dir(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The SQL route table; a path both tables know (GET/POST /api/messages) merges the Allow. */
static void match_table(const char *method, const char *path, edge_route_match *m,
                        const char *fixed_allow)
{
    const struct edge_api_route *rt;
    char allow[40];
    int rc = edge_routes_match(method, path, &rt, m->param, sizeof(m->param), allow, sizeof(allow));
    if (rc == 0) {
        m->id = EDGE_ROUTE_TABLE;
        m->api = rt;
        m->name = rt->name;
        m->flags = EDGE_ROUTE_F_SESSION | (rt->flags & EDGE_RT_CSRF ? EDGE_ROUTE_F_CSRF : 0) |
                   (edge_route_takes_body(rt) ? EDGE_ROUTE_F_BODY : 0);
        m->allow = NULL;
        m->status = 0;
        return;
    }
    if (rc == 405 || fixed_allow) {
        snprintf(m->allow_buf, sizeof(m->allow_buf), "%s%s%s", fixed_allow ? fixed_allow : "",
                 fixed_allow && rc == 405 ? ", " : "", rc == 405 ? allow : "");
        m->allow = m->allow_buf;
        m->status = 405;
        return;
    }
    m->name = "api";
    m->status = 404;
}

void edge_router_match(const char *method, const char *path, edge_route_match *m)
{
    memset(m, 0, sizeof(*m));
    m->name = "static";
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        const route_def *r = &routes[i];
        if (strcmp(path, r->path) != 0) continue;
        m->name = r->name;
        /* HEAD is served like GET by the probes; everything else must match exactly. */
        if (strcmp(method, r->method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0 &&
             r->id != EDGE_ROUTE_WS)) {
            m->id = r->id;
            m->flags = r->flags;
            m->allow = r->allow;
            return;
        }
        if (is_prefix_dir(path, "/api")) {
            match_table(method, path, m, r->allow);
            return;
        }
        m->status = 405;
        m->allow = r->allow;
        return;
    }
    if (is_prefix_dir(path, "/api")) {
        match_table(method, path, m, NULL);
        return;
    }
    if (is_prefix_dir(path, "/ws")) {
        m->name = "api";
        m->status = 404;
        return;
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
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
