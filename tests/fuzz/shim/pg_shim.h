/* The backend's pieces that normalize.c and matcher.c call, for running them outside
 * PostgreSQL under libFuzzer (shim/pg_shim.c). */
#ifndef PG_SHIM_H
#define PG_SHIM_H

#include <setjmp.h>

/* Frees every palloc'd chunk still alive (the end of one input's "memory context"). */
void pg_shim_reset(void);
/* Chunks currently alive. */
long pg_shim_live(void);
/* Level of the last ereport/elog that reached errfinish, 0 when none since the last reset. */
extern int pg_shim_last_elevel;

#endif
