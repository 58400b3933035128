/*
 * playbook.c
 *	  rt.playbook_matches(chat_id, text): the playbooks that fire for a message, in priority
 *	  order, honouring scope and stop, straight from the matcher cache.
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "playbook.h"

PG_FUNCTION_INFO_V1(playbook_matches);

int
RtPlaybookMatches(int64 chat_id, bool chat_known, const char *text, int len, const RtRule ***out)
{
	const RtRule **hits;
	int n = RtMatchRules(RT_RULES_PLAYBOOK, text, len, &hits);
	int kept = 0;
	int i;

	for (i = 0; i < n; i++)
	{
		if (!RtRuleInScope(hits[i], chat_id, chat_known))
			continue;
		hits[kept++] = hits[i];
		if (hits[i]->stop)
			break;
	}
	*out = hits;
	return kept;
}

/*
 * rt.playbook_matches(chat_id bigint, text text)
 *	  -> TABLE(playbook_id bigint, preset_id bigint, preset_hours numeric, reply_text text,
 *			   stop boolean)
 */
Datum
playbook_matches(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text *t;
	const RtRule **hits;
	int n;
	int i;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (PG_ARGISNULL(1))
		return (Datum) 0;
	t = PG_GETARG_TEXT_PP(1);
	n = RtPlaybookMatches(PG_ARGISNULL(0) ? 0 : PG_GETARG_INT64(0), !PG_ARGISNULL(0),
						  VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &hits);
	for (i = 0; i < n; i++)
	{
		const RtRule *r = hits[i];
		Datum values[5];
		bool nulls[5] = {false, !r->has_preset, !r->has_hours, r->reply_text == NULL, false};

		values[0] = Int64GetDatum(r->id);
		values[1] = Int64GetDatum(r->preset_id);
		values[2] = r->preset_hours;
		values[3] = r->reply_text ? CStringGetTextDatum(r->reply_text) : (Datum) 0;
		values[4] = BoolGetDatum(r->stop);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
