/*
 * playbook.h
 *	  Playbooks on the matching engine: which playbooks fire for a message, in order.
 */
#ifndef PLAYBOOK_H
#define PLAYBOOK_H

#include "postgres.h"

#include "fmgr.h"

#include "matcher.h"

/*
 * Playbooks that fire for text in chat chat_id (chat_known = false: only unscoped ones), in
 * priority order, cut after the first one with stop. Rules point into the matcher cache (see
 * matcher.h for how long they live); *out is palloc'd in CurrentMemoryContext.
 */
extern int RtPlaybookMatches(int64 chat_id, bool chat_known, const char *text, int len,
							 const RtRule ***out);

extern Datum playbook_matches(PG_FUNCTION_ARGS);

#endif /* PLAYBOOK_H */
