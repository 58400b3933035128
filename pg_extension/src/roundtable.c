/*
 * roundtable.c
 *	  Module entry point: defines the roundtable.* settings.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "regex_budget.h"
#include "roundtable.h"

PG_MODULE_MAGIC;

int rt_max_text_bytes = RT_DEFAULT_MAX_TEXT_BYTES;

void _PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("roundtable.max_text_bytes",
							"Longest message text or caption, in bytes, that rt.ingest stores.",
							"Longer updates are written to rt.ingest_rejects instead.",
							&rt_max_text_bytes, RT_DEFAULT_MAX_TEXT_BYTES, 1, MaxAllocSize / 2,
							PGC_SUSET, GUC_UNIT_BYTE, NULL, NULL, NULL);

	RtMatcherInit();

	MarkGUCPrefixReserved("roundtable");
}
