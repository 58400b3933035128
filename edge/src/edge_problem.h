/* RFC 9457 problem+json bodies and the SQLSTATE -> HTTP status mapping (pure, no sockets). */
#ifndef EDGE_PROBLEM_H
#define EDGE_PROBLEM_H

#include <stddef.h>

/* Maps a 5-char SQLSTATE to the HTTP status of the contract: 22xxx/23502/23514 -> 400,
 * P0002 -> 404, 23505 and 40001 (stale version) -> 409, 42501 -> 403, 28P01 -> 401, "00000" -> 200,
 * anything else 500. */
int edge_sqlstate_to_status(const char *sqlstate);

/* Reason phrase for a status ("Bad Request"); "Error" when unknown. Static storage. */
const char *edge_http_status_title(int status);

/* Renders {"type":"about:blank","title","status","detail"[,"field"]}. detail and field may be
 * NULL. Returns a malloc'd NUL-terminated string (caller frees) and its length in *len, or
 * NULL when out of memory. */
char *edge_problem_json(int status, const char *detail, const char *field, size_t *len);

#endif
