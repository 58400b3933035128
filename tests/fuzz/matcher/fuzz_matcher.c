/* libFuzzer harness: the moderation/playbook matcher (pg_extension/src/matcher.c) outside the
 * backend, through shim/pg_shim.c. The file is included whole so the harness can fill the rule
 * cache that LoadRules would read through SPI; from there RtMatchRules runs exactly as in
 * rt.ingest: the Aho–Corasick automata over the base form and the skeleton (dense and sparse
 * states, four interleaved scan streams on long texts), word boundaries and skeleton runs.
 * Regex rules need PostgreSQL's regex engine and are left out.
 *
 * Input: lines. The first is the message text; each further line is a rule: its first byte
 * chooses the kind (bits 0-1: word, phrase, substring, word) and evasion (bit 2), the rest is
 * the pattern. Oracle: a naive search over the same normalised forms — a rule is reported iff
 * its pattern occurs in the base form (within word boundaries unless substring), or, for an
 * evasion rule, in the skeleton with enough letters behind each squeezed position. */
#include "matcher.c"

#include <stdio.h>
#include <stdlib.h>

#include "pg_shim.h"
#include "fuzz_check.h"


#define MAX_RULES 64


/* does p occur in t (bounded: no word character on either side; runs: t has at least as many
 * letters behind each position as p) */
static bool
occurs(const RtNormText *t, const RtNormText *p, bool bounded, bool runs)
{
	int s;
	int j;

	if (p->len == 0)
		return false;
	for (s = 0; s + p->len <= t->len; s++)
	{
		for (j = 0; j < p->len; j++)
			if (t->cp[s + j] != p->cp[j] || (runs && t->runs[s + j] < p->runs[j]))
				break;
		if (j < p->len)
			continue;
		/* soft flags (skeleton only): a one-letter word glued to a spelled-out run */
		if (bounded && !RtBoundedAt(t, s, s + p->len - 1))
			continue;
		return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const RtPatternKind kinds[4] = {RT_KIND_WORD, RT_KIND_PHRASE, RT_KIND_SUBSTRING,
										   RT_KIND_WORD};
	const char *text = (const char *) data;
	const char *end = text + size;
	const char *nl = memchr(text, '\n', size);
	int tlen = (int) ((nl ? nl : end) - text);
	RuleSetCache *c = &caches[RT_RULES_MODERATION];
	const RtRule **out;
	bool expect[MAX_RULES];
	bool got[MAX_RULES];
	int nhits;
	int i;

	if (size > 64 * 1024 || !fuzz_is_text((const unsigned char *) text, tlen))
		return 0;

	memset(c, 0, sizeof(*c));
	c->cxt = CurrentMemoryContext;
	c->rules = palloc0(sizeof(RtRule) * MAX_RULES);
	for (const char *p = nl ? nl + 1 : end; p < end && c->nrules < MAX_RULES;)
	{
		const char *e = memchr(p, '\n', (size_t) (end - p));
		RtRule *r = &c->rules[c->nrules];
		int plen;
		char *pat;

		if (!e)
			e = end;
		plen = (int) (e - p) - 1;
		if (plen >= 0 && fuzz_is_text((const unsigned char *) p + 1, plen))
		{
			pat = palloc(plen + 1);
			memcpy(pat, p + 1, plen);
			pat[plen] = '\0';
			r->id = c->nrules + 1;
			r->kind = kinds[p[0] & 3];
			r->evasion = (p[0] & 4) != 0;
			r->pattern = pat;
			r->name = "fuzz";
			r->label = "fuzz";
			r->action = RT_ACTION_FLAG;
			c->nrules++;
		}
		p = e + 1;
	}

	/* what Rebuild does after LoadRules, without the regex rules */
	c->plain = BuildFromRules(c, false);
	c->skel = BuildFromRules(c, true);
	c->stamp = palloc0(sizeof(uint32) * Max(c->nrules, 1));
	c->hits = palloc(sizeof(int32) * Max(c->nrules, 1));
	RtNormTextInit(&c->norm, 1024);
	RtNormTextInit(&c->skelt, 1024);
	c->valid = true;
	c->version = seen_version;
	checked_lxid = MyProc->lxid;
	checked_stmt = GetCurrentStatementStartTimestamp();

	nhits = RtMatchRules(RT_RULES_MODERATION, text, tlen, &out);
	CHECK(nhits >= 0 && nhits <= c->nrules);
	memset(got, 0, sizeof(got));
	for (i = 0; i < nhits; i++)
	{
		int k = (int) (out[i] - c->rules);

		CHECK(k >= 0 && k < c->nrules);
		CHECK(!got[k]);                       /* each rule once */
		CHECK(i == 0 || out[i - 1] < out[i]); /* in rule order */
		got[k] = true;
	}

	/* the naive search over the same forms */
	{
		RtNormText base, skel;

		RtNormTextInit(&base, tlen + 1);
		RtNormalize(text, tlen, false, &base);
		RtNormTextInit(&skel, tlen + 1);
		RtSkeletonFromBase(&base, &skel);
		for (i = 0; i < c->nrules; i++)
		{
			const RtRule *r = &c->rules[i];
			int plen = (int) strlen(r->pattern);
			bool bounded = r->kind != RT_KIND_SUBSTRING;
			RtNormText p;

			RtNormTextInit(&p, plen + 1);
			RtNormalize(r->pattern, plen, false, &p);
			expect[i] = occurs(&base, &p, bounded, false);
			if (r->evasion && !expect[i])
			{
				RtNormalize(r->pattern, plen, true, &p);
				expect[i] = occurs(&skel, &p, bounded, true);
			}
			if (r->evasion && !expect[i] && r->kind == RT_KIND_PHRASE)
			{
				/* an evasion phrase also matches without its spaces ("buycheap") */
				char *glued = RtPhraseWithoutSpaces(r->pattern);

				if (glued != NULL)
				{
					RtNormalize(glued, (int) strlen(glued), true, &p);
					expect[i] = occurs(&skel, &p, true, true);
				}
			}
			if (expect[i] != got[i])
			{
				fprintf(stderr,
						"rule %d (kind %s, evasion %d, pattern \"%s\"): matcher %s, naive %s\n",
						i + 1, RtKindName(r->kind), r->evasion, r->pattern, got[i] ? "hit" : "miss",
						expect[i] ? "hit" : "miss");
				abort();
			}
		}
	}

	if (getenv("FUZZ_DEBUG"))
		for (i = 0; i < c->nrules; i++)
			fprintf(stderr, "rule %d %s%s \"%s\": %s\n", i + 1, RtKindName(c->rules[i].kind),
					c->rules[i].evasion ? "+evasion" : "", c->rules[i].pattern,
					got[i] ? "hit" : "miss");

	/* a second call on the same cache gives the same answer */
	{
		const RtRule **again;
		int n2 = RtMatchRules(RT_RULES_MODERATION, text, tlen, &again);

		CHECK(n2 == nhits);
		CHECK(nhits == 0 || memcmp(again, out, sizeof(*out) * nhits) == 0);
	}

	memset(c, 0, sizeof(*c));
	pg_shim_reset();
	return 0;
}
