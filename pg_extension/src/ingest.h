/*
 * ingest.h
 *	  rt.ingest: stores a batch of Telegram updates idempotently.
 */
#ifndef INGEST_H
#define INGEST_H

#include "fmgr.h"

/* NOTIFY channel and the payload budget agreed in docs/design/contract.md */
#define RT_EVENTS_CHANNEL "rt_events"
#define RT_EVENTS_MAX_PAYLOAD 7000

extern Datum ingest(PG_FUNCTION_ARGS);

#endif /* INGEST_H */
