/* The /api side of a request: session lookup and CSRF as its edge_routes.c row asks, then the
 * row's handler (one SQL function, or a Redis command for session bookkeeping); also the
 * probes /healthz and /readyz.
 *
 * Usage: edge_http_proto.c calls edge_api_begin once a request is fully read (headers and
 * body); the answer is staged on the request, possibly after asynchronous calls. */
#ifndef EDGE_API_H
#define EDGE_API_H

struct edge_req;

/* Request fully read: 404/405, probes, 413, session, CSRF, then the row's handler. */
void edge_api_begin(struct edge_req *r);
/* GET /readyz: 200 when PostgreSQL and Redis answer, else 503 naming the failing part. */
void edge_api_readyz(struct edge_req *r);

struct edge_pg_result;
/* Stages the answer to a failed SQL call of a REST route, as the SQL rows do: client errors
 * carry the database's message (and field), a stale session ends, server errors are logged
 * and hidden, an unavailable database is 503 with Retry-After. For handlers in other files. */
void edge_api_sql_error(struct edge_req *r, const struct edge_pg_result *res);

struct edge_route_args;
/* The row's arguments from the path, query and body (edge_route_build_args), for handlers in
 * other files: 0, or -1 with the 400 (or the check's status) already staged, naming the field.
 * On 0 the caller frees args with edge_route_args_free. */
int edge_api_route_args(struct edge_req *r, struct edge_route_args *args);

/* 1 when the method changes state and so needs the CSRF header. */
int edge_api_method_changes_state(const char *method);

#endif
