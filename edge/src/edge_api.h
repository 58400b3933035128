/* REST route handlers: session lookup and CSRF for /api, then exactly one SQL function (or a
 * Redis command for session bookkeeping) per route. Declarations live in edge_http_int.h;
 * this header names the module's public pieces for tests. */
#ifndef EDGE_API_H
#define EDGE_API_H

/* 1 when the method changes state and so needs the CSRF header. */
int edge_api_method_changes_state(const char *method);

#endif
