/*
 * moderation.c
 *	  rt.moderation_verdict(chat_id, text): labels, strongest action and rule ids of the
 *	  moderation rules a message hits, straight from the matcher cache.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "moderation.h"

PG_FUNCTION_INFO_V1(moderation_verdict);

void
RtModerationVerdict(int64 chat_id, bool chat_known, const char *text, int len, RtVerdict *out)
{
	const RtRule **hits;
	int n = RtMatchRules(RT_RULES_MODERATION, text, len, &hits);
	int i;

	out->action = RT_ACTION_NONE;
	out->nrules = 0;
	out->nlabels = 0;
	out->rules = hits;
	out->labels = palloc(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		const RtRule *r = hits[i];
		int j;

		if (!RtRuleInScope(r, chat_id, chat_known))
			continue;
		hits[out->nrules++] = r;
		if (r->action > out->action)
			out->action = r->action;
		for (j = 0; j < out->nlabels; j++)
			if (strcmp(out->labels[j], r->label) == 0)
				break;
		if (j == out->nlabels && r->label != NULL)
			out->labels[out->nlabels++] = r->label;
	}
}

/* rt.moderation_verdict(chat_id bigint, text text) -> {"labels", "action", "rule_ids"} */
Datum
moderation_verdict(PG_FUNCTION_ARGS)
{
	RtVerdict v;
	StringInfoData buf;
	const char *action;
	int i;

	if (PG_ARGISNULL(1))
		memset(&v, 0, sizeof(v));
	else
	{
		text *t = PG_GETARG_TEXT_PP(1);

		RtModerationVerdict(PG_ARGISNULL(0) ? 0 : PG_GETARG_INT64(0), !PG_ARGISNULL(0),
							VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &v);
	}

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"labels\": [");
	for (i = 0; i < v.nlabels; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		escape_json(&buf, v.labels[i]);
	}
	appendStringInfoString(&buf, "], \"action\": ");
	action = RtActionName(v.action);
	if (action)
		escape_json(&buf, action);
	else
		appendStringInfoString(&buf, "null");
	appendStringInfoString(&buf, ", \"rule_ids\": [");
	for (i = 0; i < v.nrules; i++)
		appendStringInfo(&buf, "%s%lld", i > 0 ? ", " : "", (long long) v.rules[i]->id);
	appendStringInfoString(&buf, "]}");
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
