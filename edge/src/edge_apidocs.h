/* The served contract: GET /api/openapi.yaml (the spec rt-edge was built with, embedded at
 * build time from openapi/openapi.yaml) and GET /api/docs (an HTML page that renders it with
 * Swagger UI, whose files the SPA build copies to frontend/dist/api-docs/, served by
 * edge_static like any other file). Both need an admin session of any role, checked by the
 * database on every request (rt.admin_get), so a session that ended, or an admin whose role or
 * access changed, loses them at once.
 *
 * Usage: edge_api.c dispatches the rows EDGE_HANDLER_API_SPEC / EDGE_HANDLER_API_DOCS here
 * after the session lookup; edge_apidocs_login_redirect answers a browser without a session on
 * /api/docs (303 to the console's login, which sends it back). */
#ifndef EDGE_APIDOCS_H
#define EDGE_APIDOCS_H

#include <stddef.h>

struct edge_req;

/* The embedded openapi.yaml (not NUL-terminated; len bytes). */
const char *edge_apidocs_spec(size_t *len);
/* The HTML of /api/docs (NUL-terminated). */
const char *edge_apidocs_page(void);

/* 1 when an Accept header prefers an HTML page to JSON (a browser's navigation): text/html is
 * listed with a q above 0 and application/json or application/problem+json is not listed
 * with a higher q. Pure; NULL or "" is 0. */
int edge_apidocs_accepts_html(const char *accept);

/* Where a browser without a session is sent: the console's login, which returns to the docs. */
#define EDGE_APIDOCS_LOGIN "/login?next=%2Fapi%2Fdocs"

void edge_apidocs_handle_spec(struct edge_req *r);
void edge_apidocs_handle_docs(struct edge_req *r);
/* For /api/docs without a valid session: 303 to EDGE_APIDOCS_LOGIN when the request accepts
 * HTML, else 401 problem+json. Returns 1 when it answered with the redirect. */
int edge_apidocs_login_redirect(struct edge_req *r);

#endif
