/* The ingest worker: the consumer group on {rt}:in that stores batches with rt.ingest, reclaims
 * idle entries and dead-letters poison ones (the poller that fills {rt}:in is edge_telegram.h,
 * the listener that fans stored messages out is edge_events.h).
 *
 * Usage: edge_ingest_start once Redis and the ingest pool are configured; edge_ingest_stop on
 * shutdown. The pure helpers below are what the worker decides with, unit-tested. */
#ifndef EDGE_INGEST_H
#define EDGE_INGEST_H

#include <stddef.h>
#include "edge.h"

int edge_ingest_start(edge_ctx *ctx);
void edge_ingest_stop(void);

/* Pure helpers of the ingest worker (unit tested). */

/* What to do after a failed SQL call, by SQLSTATE. */
enum {
    EDGE_INGEST_OK = 0,     /* "00000" */
    EDGE_INGEST_DATA_ERROR, /* class 22 (data exception) or 54 (limits): split, then reject */
    EDGE_INGEST_RETRY,      /* the call never reached the database (08 connection, 28 and
                             * 3D at connect, 57P0x shutdown, no SQLSTATE): no ack, retry the
                             * same entries later; not a failure of the entries, never counted */
    EDGE_INGEST_POISON      /* anything else, whatever its class (40 rollback, 42 missing object
                             * or privilege, 53 resources, 23, XX000, P0001, ...): split the
                             * batch; an update that fails alone counts one failure, is retried
                             * with backoff and goes to {rt}:dead, with its reason, at its
                             * RT_INGEST_MAX_DELIVERIES-th failure */
};
int edge_ingest_classify_sqlstate(const char *sqlstate);

/* Joins n JSON texts into one JSON array "[a,b,...]". Returns a malloc'd NUL-terminated string
 * (caller frees) and its length in *outlen, or NULL on allocation failure. */
char *edge_ingest_build_array(const char *const *items, const size_t *lens, size_t n,
                              size_t *outlen);

#endif
