/* GET /api/openapi.yaml and GET /api/docs: the contract rt-edge was built with, and a page
 * that renders it. See edge_apidocs.h. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "edge_apidocs.h"
#include "edge_api.h"
#include "edge_http_int.h"
#include "edge_log.h"
#include "edge_pg.h"
#include "edge_routes.h"

/* openapi/openapi.yaml, embedded at build time (edge/Makefile passes its absolute path and
 * makes this object depend on it), so the binary serves exactly the spec it was built with,
 * whatever is installed beside it (make demo, the container image). */
#ifndef EDGE_OPENAPI_PATH /* edge/Makefile passes the absolute path; this is it from edge/ */
#define EDGE_OPENAPI_PATH "../openapi/openapi.yaml"
#endif
/* The size is the assembler's difference of two labels of one section, so C never subtracts
 * pointers to different objects. */
__asm__(".section .rodata\n"
        ".balign 16\n"
        "edge_openapi_yaml_size:\n"
        ".quad edge_openapi_yaml_end - edge_openapi_yaml_start\n"
        "edge_openapi_yaml_start:\n"
        ".incbin \"" EDGE_OPENAPI_PATH "\"\n"
        "edge_openapi_yaml_end:\n"
        ".byte 0\n"
        ".previous\n");
extern const char edge_openapi_yaml_start[] __asm__("edge_openapi_yaml_start");
extern const uint64_t edge_openapi_yaml_size __asm__("edge_openapi_yaml_size");

const char *edge_apidocs_spec(size_t *len)
{
    *len = (size_t)edge_openapi_yaml_size;
    return edge_openapi_yaml_start;
}

/* Swagger UI (swagger-ui-dist, pinned in frontend/package.json) and the page's own script and
 * style are files of the SPA build (frontend/vite.config.ts copies them to dist/api-docs/), so
 * nothing comes from another origin and the CSP's script-src 'self' holds. */
static const char page[] =
    "<!doctype html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>roundtable API</title>\n"
    "<link rel=\"icon\" href=\"data:,\">\n"
    "<link rel=\"stylesheet\" href=\"/api-docs/swagger-ui.css\">\n"
    "<link rel=\"stylesheet\" href=\"/api-docs/api-docs.css\">\n"
    "</head>\n"
    "<body>\n"
    "<header class=\"rt-api-docs-header\"><a href=\"/\">roundtable console</a>"
    " <a href=\"/api/openapi.yaml\" download>openapi.yaml</a></header>\n"
    "<main id=\"api-docs\"><p>Loading the API description&hellip;</p></main>\n"
    "<noscript><p>This page renders <a href=\"/api/openapi.yaml\">/api/openapi.yaml</a> with "
    "JavaScript.</p></noscript>\n"
    "<script src=\"/api-docs/swagger-ui-bundle.js\"></script>\n"
    "<script src=\"/api-docs/api-docs.js\"></script>\n"
    "</body>\n"
    "</html>\n";

const char *edge_apidocs_page(void)
{
    return page;
}

/* The q of one media range's parameters (";q=0.5;v=1"); 1 when absent, 0 when malformed. */
static double range_q(const char *params, size_t len)
{
    double q = 1.0;
    size_t i = 0;
    while (i < len) {
        while (i < len && (params[i] == ';' || params[i] == ' ' || params[i] == '\t')) i++;
        if (i + 1 < len && (params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=') {
            char buf[16];
            size_t j = i + 2, n = 0;
            while (j < len && params[j] != ';' && n < sizeof(buf) - 1) buf[n++] = params[j++];
            buf[n] = '\0';
            char *endp;
            q = strtod(buf, &endp);
            if (endp == buf || q < 0 || q > 1) return 0;
        }
        while (i < len && params[i] != ';') i++;
    }
    return q;
}

int edge_apidocs_accepts_html(const char *accept)
{
    double html = 0, json = 0;
    if (!accept) return 0;
    const char *p = accept;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!*p) break;
        size_t n = strcspn(p, ","), tlen = strcspn(p, ";,");
        while (tlen > 0 && (p[tlen - 1] == ' ' || p[tlen - 1] == '\t')) tlen--;
        double q = range_q(p + strcspn(p, ";,"), n - strcspn(p, ";,"));
        if (tlen == 9 && strncasecmp(p, "text/html", 9) == 0) {
            if (q > html) html = q;
        } else if ((tlen == 16 && strncasecmp(p, "application/json", 16) == 0) ||
                   (tlen == 24 && strncasecmp(p, "application/problem+json", 24) == 0)) {
            if (q > json) json = q;
        }
        p += n;
    }
    return html > 0 && html >= json;
}

/* The session is checked by the database on every request: rt.admin_get refuses (28000) a
 * session older than the admin's last change of role, password or access, and a missing or
 * disabled admin (P0002); either way the caller has no access any more. */
typedef void (*apidocs_ok)(edge_req *r);

static void answer_spec(edge_req *r)
{
    size_t len;
    const char *spec = edge_apidocs_spec(&len);
    char *b = edge_req_body_alloc(len);
    if (!b) {
        edge_req_problem(r, 500, "internal server error", NULL);
        return;
    }
    memcpy(b + LWS_PRE, spec, len);
    edge_req_respond(r, 200, "application/yaml", b, len);
}

static void answer_docs(edge_req *r)
{
    size_t len = sizeof(page) - 1;
    char *b = edge_req_body_alloc(len);
    if (!b) {
        edge_req_problem(r, 500, "internal server error", NULL);
        return;
    }
    memcpy(b + LWS_PRE, page, len);
    edge_req_respond(r, 200, "text/html; charset=utf-8", b, len);
}

static void checked_cb(const edge_pg_result *res, void *ud, apidocs_ok ok)
{
    edge_req *r = ud;
    if (!edge_req_release(r)) return;
    if (strcmp(res->sqlstate, "00000") == 0) {
        ok(r);
    } else if (strcmp(res->sqlstate, "P0002") == 0) {
        if (!edge_apidocs_login_redirect(r))
            edge_req_problem(r, 401, "no valid session; log in", NULL);
    } else {
        edge_api_sql_error(r, res);
    }
}

static void spec_cb(const edge_pg_result *res, void *ud)
{
    checked_cb(res, ud, answer_spec);
}

static void docs_cb(const edge_pg_result *res, void *ud)
{
    checked_cb(res, ud, answer_docs);
}

static void check_session(edge_req *r, edge_pg_cb cb)
{
    char id[24];
    edge_route_args args;
    /* the rows take no query parameters: any is refused, naming it */
    if (edge_api_route_args(r, &args) < 0) return;
    edge_route_args_free(&args);
    snprintf(id, sizeof(id), "%lld", r->session.admin_id);
    const char *params[] = {id};
    edge_req_hold(r);
    if (edge_pg_call(r->http->ctx->pg, r->actor, r->route.api->sql, 1, params, cb, r) != EDGE_OK) {
        edge_req_release(r);
        edge_req_add_header(r, "retry-after:", "1");
        edge_req_problem(r, 503, "too many requests are waiting for the database", NULL);
    }
}

void edge_apidocs_handle_spec(edge_req *r)
{
    check_session(r, spec_cb);
}

void edge_apidocs_handle_docs(edge_req *r)
{
    check_session(r, docs_cb);
}

int edge_apidocs_login_redirect(edge_req *r)
{
    if (!r->route.api || r->route.api->handler != EDGE_HANDLER_API_DOCS ||
        !edge_apidocs_accepts_html(r->accept))
        return 0;
    edge_req_add_header(r, "location:", EDGE_APIDOCS_LOGIN);
    edge_req_respond(r, 303, NULL, NULL, 0);
    return 1;
}
