/*
 * moderation.h
 *	  Moderation rules on the matching engine: the verdict for one message.
 */
#ifndef MODERATION_H
#define MODERATION_H

#include "postgres.h"

#include "fmgr.h"

#include "matcher.h"

/* what the moderation rules say about a message */
typedef struct RtVerdict
{
	RtModAction action;   /* strongest action of the hits (delete > hide > flag), NONE if none */
	int nrules;           /* rules that hit, in id order */
	const RtRule **rules; /* point into the matcher cache (see matcher.h) */
	int nlabels;          /* distinct labels, in rule order */
	const char **labels;
} RtVerdict;

/*
 * Applies the enabled moderation rules in scope of chat_id (chat_known = false: only unscoped
 * ones) to text. Arrays are palloc'd in CurrentMemoryContext.
 */
extern void RtModerationVerdict(int64 chat_id, bool chat_known, const char *text, int len,
								RtVerdict *out);

extern Datum moderation_verdict(PG_FUNCTION_ARGS);

#endif /* MODERATION_H */
