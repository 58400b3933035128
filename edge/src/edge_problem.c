/* RFC 9457 problem+json rendering and the SQLSTATE -> HTTP status mapping of the contract. */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "edge_problem.h"

int edge_sqlstate_to_status(const char *s)
{
    if (!s || strlen(s) != 5) return 500;
    if (strcmp(s, "00000") == 0) return 200;
    if (strncmp(s, "22", 2) == 0) return 400;
    if (strcmp(s, "23502") == 0 || strcmp(s, "23514") == 0) return 400;
    if (strcmp(s, "P0002") == 0) return 404;
    if (strcmp(s, "23505") == 0) return 409;
    if (strcmp(s, "40001") == 0) return 409; /* stale version: optimistic concurrency */
    if (strcmp(s, "55000") == 0) return 409; /* wrong state: e.g. stopping an ended session */
    if (strcmp(s, "42501") == 0) return 403;
    if (strcmp(s, "28P01") == 0) return 401;
    if (strcmp(s, "28000") == 0) return 401; /* a stale session (rt.actor_epoch) */
    /* the database is down, shutting down, saturated or too slow: try again later */
    if (strncmp(s, "08", 2) == 0 || strncmp(s, "53", 2) == 0 || strcmp(s, "57P01") == 0 ||
        strcmp(s, "57P02") == 0 || strcmp(s, "57P03") == 0 || strcmp(s, "57014") == 0)
        return 503;
    return 500;
}

const char *edge_http_status_title(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 421:
        return "Misdirected Request";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

/* json_string rejects invalid UTF-8; a detail must never make the error path fail, so fall
 * back to a lossy copy where every non-ASCII byte becomes '?'. */
static json_t *safe_string(const char *s)
{
    json_t *j = json_string(s);
    if (j) return j;
    char *copy = strdup(s);
    if (!copy) return NULL;
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80) *p = '?';
    j = json_string(copy);
    free(copy);
    return j;
}

char *edge_problem_json(int status, const char *detail, const char *field, size_t *len)
{
    char *out = NULL;
    json_t *o = json_object();
    if (!o) goto err;
    if (json_object_set_new(o, "type", json_string("about:blank")) ||
        json_object_set_new(o, "title", json_string(edge_http_status_title(status))) ||
        json_object_set_new(o, "status", json_integer(status)))
        goto err;
    if (detail && json_object_set_new(o, "detail", safe_string(detail))) goto err;
    if (field && json_object_set_new(o, "field", safe_string(field))) goto err;
    out = json_dumps(o, JSON_COMPACT);
    if (!out) goto err;
    json_decref(o);
    if (len) *len = strlen(out);
    return out;
err:
    json_decref(o);
    return NULL;
}
