/* Pure request routing: method + path -> route, 404/405 with Allow, and static-file path
 * resolution (SPA fallback, traversal rejection, MIME types). No sockets.
 *
 * Usage: edge_router_match once per request. EDGE_ROUTE_API carries its row of edge_routes.c
 * (every /api route is one); the HTTP layer's own paths (/healthz, /readyz, /ws) are the table
 * at the top of edge_router.c; anything else is a static file (edge_static_resolve, then
 * edge_static_is_spa_route for the index.html fallback, edge_mime_type for the header). */
#ifndef EDGE_ROUTER_H
#define EDGE_ROUTER_H

#include <stddef.h>

struct edge_api_route;

typedef enum edge_route_id {
    EDGE_ROUTE_NONE = 0, /* status says 404 or 405 */
    EDGE_ROUTE_HEALTHZ,
    EDGE_ROUTE_READYZ,
    EDGE_ROUTE_WS,
    EDGE_ROUTE_STATIC,
    EDGE_ROUTE_API,     /* an edge_routes.c row, see route.api */
    EDGE_ROUTE_METRICS, /* Prometheus: a bearer token or a session (edge_metrics.c) */
} edge_route_id;

#define EDGE_ROUTE_F_SESSION 0x1 /* needs a valid session */
#define EDGE_ROUTE_F_CSRF 0x2    /* needs X-CSRF-Token == session csrf_token */
#define EDGE_ROUTE_F_BODY 0x4    /* takes a JSON request body */

typedef struct edge_route_match {
    edge_route_id id;
    int status;                       /* 0 when matched, else 404 or 405 */
    unsigned flags;                   /* EDGE_ROUTE_F_* */
    const char *allow;                /* for 405: the Allow header value (static storage) */
    const char *name;                 /* route name for logs, static storage */
    const struct edge_api_route *api; /* EDGE_ROUTE_API: the table row */
    char param[128];                  /* EDGE_ROUTE_API: the {id}/{key} path segment */
    char allow_buf[80];               /* backs allow when computed */
} edge_route_match;

/* Matches method ("GET", "POST", ...) and path (no query string). Paths under /api are the rows
 * of edge_routes.c (EDGE_ROUTE_API; flags from the row: a session unless EDGE_RT_NO_SESSION,
 * CSRF and body as declared); those that match nothing get status 404, a known path with the
 * wrong method 405 and allow. /healthz, /readyz (GET, HEAD) and /ws (GET) need no session;
 * /metrics (GET, HEAD) a bearer token or a session (EDGE_ROUTE_F_SESSION: the session decides
 * when no Authorization header was sent).
 * Everything else is EDGE_ROUTE_STATIC (GET/HEAD only, else 405). */
void edge_router_match(const char *method, const char *path, edge_route_match *m);

/* Resolves a URL path to a file under root. Writes root + path to out (with "/" mapped to
 * "/index.html"). Returns 0 on success, 1 for a directory-like path ending in '/' (an SPA
 * route: serve index.html), -1 when the path is unsafe (a "." or ".." segment, a segment
 * starting with '.', "//", a backslash, a control byte, or not starting with '/') or does not
 * fit. The caller stats the result and applies edge_static_is_spa_route. */
int edge_static_resolve(const char *root, const char *path, char *out, size_t outlen);

/* 1 when an unknown path should fall back to index.html: its last segment has no '.'. */
int edge_static_is_spa_route(const char *path);

/* Content type for a file name by extension; "application/octet-stream" when unknown. */
const char *edge_mime_type(const char *file);

#endif
