/* Every REST route under /api, as data: method + path pattern -> who answers (one SQL function
 * call built from typed parameters, or a named handler of edge_api.c), what the route needs
 * (session, CSRF, body) and its success status. Pure (no sockets): matching and argument
 * building are unit-tested in tests/unit/test_routes.c.
 *
 * Usage: edge_router_match (edge_router.c) calls edge_routes_match for paths under /api; the
 * HTTP layer then checks the row's needs (no EDGE_RT_NO_SESSION: a session; EDGE_RT_CSRF: the
 * header) and runs row->handler. EDGE_HANDLER_SQL builds $1.. with edge_route_build_args and
 * calls row->sql; the other handlers read row->sql, row->body and row->ok_status themselves. */
#ifndef EDGE_ROUTES_H
#define EDGE_ROUTES_H

#include <stddef.h>
#include "edge_json.h"

/* What each SQL parameter $1, $2, ... is made from. */
typedef enum edge_arg_kind {
    EDGE_ARG_END = 0,
    EDGE_ARG_ID,         /* path {id}: int64 (chat ids are negative) -> $n::bigint */
    EDGE_ARG_KEY,        /* path {key}: [a-z0-9_.]{1,64} -> $n text */
    EDGE_ARG_FILTER,     /* query string -> $n::jsonb object typed by the route's query defs */
    EDGE_ARG_BODY,       /* JSON object body -> $n::jsonb */
    EDGE_ARG_ON_CONFLICT /* query on_conflict (default "error") -> $n text */
} edge_arg_kind;

#define EDGE_RT_CSRF 0x1          /* state-changing: needs X-CSRF-Token */
#define EDGE_RT_BODY_OPTIONAL 0x2 /* an absent body is "{}" */
#define EDGE_RT_ATTACHMENT 0x4    /* Content-Disposition: attachment (export) */
#define EDGE_RT_SEAL_KEY 0x8      /* body "api_key" is Fernet-sealed by the edge before SQL */
#define EDGE_RT_NO_SESSION 0x10   /* answered without a session (login), so without CSRF too */
#define EDGE_RT_RAW_BODY 0x20     /* the handler reads the body itself (the Telegram webhook) */

/* Who answers a matched row. Most rows are one SQL function call; a row names another handler
 * when it needs more than that call (edge_api.c has one function per kind). */
typedef enum edge_route_handler {
    EDGE_HANDLER_SQL = 0,       /* sql with $1.. from args (edge_route_build_args) */
    EDGE_HANDLER_LOGIN,         /* body checked against row->body, sql, then a Redis session */
    EDGE_HANDLER_LOGOUT,        /* deletes the Redis session and closes its sockets; no sql */
    EDGE_HANDLER_ME,            /* sql with the session's admin id, plus its csrf_token */
    EDGE_HANDLER_LIST_MESSAGES, /* sql with the filter of edge_messages_filter */
    EDGE_HANDLER_SIMULATE,      /* body checked against row->body, sql (role check), XADD {rt}:in */
    EDGE_HANDLER_TG_WEBHOOK,    /* secret header checked, the Update XADDed to {rt}:in, then 200 */
    EDGE_HANDLER_PROVIDER_TEST, /* sql reads the provider, then one HTTP call to it (provtest) */
    EDGE_HANDLER_API_SPEC,      /* sql checks the session, then the embedded openapi.yaml */
    EDGE_HANDLER_API_DOCS,      /* sql checks the session, then the docs page (apidocs) */
    EDGE_HANDLER_COUNT
} edge_route_handler;

#define EDGE_ROUTE_MAX_ARGS 3

typedef struct edge_api_route {
    const char *method;
    const char *pattern; /* "/api/presets/{id}"; {id}/{key} match one non-empty segment */
    const char *name;    /* the spec's operationId; used in logs */
    const char *sql;     /* exactly one function call, parameters only; NULL: none (logout) */
    edge_arg_kind args[EDGE_ROUTE_MAX_ARGS + 1]; /* EDGE_HANDLER_SQL: what $1.. are made of */
    const edge_qp_def *query; /* EDGE_HANDLER_SQL: accepted query parameters; NULL: none */
    int ok_status;            /* 200, 201, 202 or 204 */
    unsigned flags;           /* EDGE_RT_* */
    edge_route_handler handler;
    const edge_json_field *body; /* the JSON body's schema for LOGIN/SIMULATE; NULL: none */
} edge_api_route;

extern const edge_api_route edge_api_routes[];
extern const size_t edge_api_nroutes;

/* Looks up method + path (no query string). Literal patterns win over {id}/{key} ones.
 * Returns 0 and sets *route and param (the {id}/{key} segment, "" when none) on a match;
 * 405 when the path is known but not the method (allow gets "GET, PUT, DELETE"); 404 when
 * nothing matches. HEAD matches GET routes. */
int edge_routes_match(const char *method, const char *path, const edge_api_route **route,
                      char *param, size_t param_len, char *allow, size_t allow_len);

/* 1 when the route takes a JSON body (an EDGE_ARG_BODY argument or a body schema). */
int edge_route_takes_body(const edge_api_route *rt);

/* SQL parameters of one call; each value is malloc'd (free with edge_route_args_free). */
typedef struct edge_route_args {
    int n;
    char *v[EDGE_ROUTE_MAX_ARGS];
} edge_route_args;

/* Builds the call's parameters from the path parameter, the query and the body, checking
 * each: id/key shape (400 field "id"/"key"), query typing (400 naming the parameter),
 * Content-Type (415), UTF-8, JSON well-formedness and object-ness (400). Returns 0 or -1
 * with e filled (out is then empty). */
int edge_route_build_args(const edge_api_route *rt, const char *param, const edge_query *q,
                          const char *content_type, const char *body, size_t body_len,
                          edge_route_args *out, edge_verr *e);
void edge_route_args_free(edge_route_args *a);

#endif
