/*
 * matcher.c
 *	  The matching engine: per rule set, an Aho–Corasick automaton over the normalised
 *	  word/phrase/substring patterns, a second one over the skeletons of evasion rules, and the
 *	  regex rules compiled once; all cached per backend in a memory context of their own.
 *
 * The automaton is a dense DFA over a compact alphabet: every code point that occurs in some
 * pattern gets a class (class 0 = "in no pattern", which always leads back to the root), so a
 * step is one table load. Transitions are stored pre-multiplied by the class count with the top
 * bit marking "this state ends some pattern", so the scan loop is a load, a mask and a rarely
 * taken branch per character. Word and phrase patterns check the characters around a hit on
 * the normalised text; skeleton patterns check that each squeezed letter of the text stands
 * for at least as many letters as in the pattern ("ass" never matches "as").
 *
 * Freshness: rt.settings 'matcher.version' is bumped by statement triggers on rt.playbooks and
 * rt.moderation_rules. It is read once per statement; a rule change in this backend
 * invalidates at once (rt._matcher_invalidate), and an abort of such a transaction or
 * subtransaction invalidates again, so a cache never outlives the rules it was built from.
 */
#include "postgres.h"

#include <sys/resource.h>

#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "regex/regex.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "matcher.h"
#include "normalize.h"
#include "regex_budget.h"

PG_FUNCTION_INFO_V1(match_text);
PG_FUNCTION_INFO_V1(match_count);
PG_FUNCTION_INFO_V1(matcher_invalidate);
PG_FUNCTION_INFO_V1(matcher_stats);
PG_FUNCTION_INFO_V1(backend_cpu_ms);

typedef struct AcPattern
{
	int32 rule;   /* index into the rule set's rules */
	int32 len;    /* code points */
	bool bounded; /* word or phrase: no letter or digit on either side */
	uint8 *runs;  /* skeleton runs when some is above 1, else NULL */
} AcPattern;

/* out_flag bits: some pattern ends here (itself or through dict links); one of them is a
 * substring pattern, so a letter after the hit does not rule them all out */
#define OUT_ANY 1
#define OUT_UNBOUNDED 2

/* an edge of a sparse (deep) state */
typedef struct AcEdge
{
	uint32 to; /* target state */
	uint16 cls;
} AcEdge;

/* a deep state: its first edge inline (most deep states have one), the rest in edges[] */
typedef struct AcSparse
{
	uint32 to0;  /* target of the first edge */
	uint16 cls0; /* class of the first edge, 0 = no edge */
	uint16 nmore;
	int32 more; /* first of the other edges in edges[] */
	int32 fail;
} AcSparse;

/*
 * States are numbered breadth first. The first ndense (the shallow ones, where the scan spends
 * most of its steps) have a full DFA row; deeper ones keep only their trie edges and a failure
 * link, which always leads to a shallower state, so the structure stays small enough for the
 * CPU caches even with 10,000 patterns.
 */
typedef struct Automaton
{
	int32 nclasses;
	int32 nstates;
	int32 ndense;
	uint16 low_class[RT_NORM_TABLE_LIMIT];
	int32 nhigh;
	uint32 *high_cp; /* sorted */
	uint16 *high_class;
	uint16 *dense16;  /* ndense * nclasses targets, when every state id fits 16 bits */
	uint32 *dense32;  /* the same otherwise */
	uint8 *out_flag;  /* per state: OUT_ANY, OUT_UNBOUNDED (see below) */
	AcSparse *sparse; /* per deep state (id - ndense) */
	AcEdge *edges;    /* edges after the first, sorted by class within a state */
	int32 *out_start; /* nstates + 1: patterns ending in each state, in out_pat */
	int32 *out_pat;   /* pattern indices */
	int32 *dict;      /* nearest state on the failure chain with patterns, -1 none */
	int32 npats;
	AcPattern *pats;
	int32 maxdepth; /* longest pattern, in code points */
} Automaton;

/* bytes of dense rows; the rest of the states go sparse (decision 007) */
#define DENSE_BUDGET (1024 * 1024)

/* a pattern to insert, before building */
typedef struct PatternInput
{
	int32 rule;
	bool bounded;
	RtNormText norm;
} PatternInput;

typedef struct RuleSetCache
{
	MemoryContext cxt; /* owns everything below except the regex internals (malloc) */
	bool valid;
	int64 version;
	int nrules;
	RtRule *rules;
	Automaton *plain;
	Automaton *skel;
	int nregex;
	int32 *regex_rule;
	regex_t *regex;
	/* per rule: budget overruns not yet reported, when this backend last reported, why */
	int32 *overruns;
	TimestampTz *reported_at;
	const char **overrun_reason;
	int overrun_chars;            /* characters of the last message that overran */
	bool pending_compile_reports; /* CompileRegexes left overruns to report */
	/* per call scratch, reused */
	uint32 *stamp; /* stamp[rule] == gen: already a hit in this call */
	uint32 gen;
	int32 *hits;
	int nhits;
	RtNormText norm;
	RtNormText skelt;
	pg_wchar *wbuf;
	int wcap;
} RuleSetCache;

static RuleSetCache caches[RT_RULE_SETS];

/* when the version was last read, and what it was */
static LocalTransactionId checked_lxid = InvalidLocalTransactionId;
static TimestampTz checked_stmt = 0;
static int64 seen_version = 0;
/* this backend changed rules in the current transaction */
static bool own_change = false;
static bool callbacks_registered = false;

static SPIPlanPtr version_plan = NULL;
static SPIPlanPtr load_plans[RT_RULE_SETS];

static const char *const load_sql[RT_RULE_SETS] = {
	[RT_RULES_PLAYBOOK] = "SELECT id, pattern_kind, pattern, name, chat_ids, priority, preset_id, "
						  "preset_hours, reply_text, stop, false, NULL::text, NULL::text "
						  "FROM rt.playbooks WHERE enabled ORDER BY priority, id",
	[RT_RULES_MODERATION] = "SELECT id, pattern_kind, pattern, name, chat_ids, 0, NULL::bigint, "
							"NULL::numeric, NULL::text, false, evasion, label, action "
							"FROM rt.moderation_rules WHERE enabled ORDER BY id",
};

/* ---------------------------------------------------------------------------
 * Names
 * ---------------------------------------------------------------------------
 */

const char *
RtRuleSetName(RtRuleSet set)
{
	return set == RT_RULES_PLAYBOOK ? "playbook" : "moderation";
}

const char *
RtKindName(RtPatternKind kind)
{
	switch (kind)
	{
		case RT_KIND_WORD:
			return "word";
		case RT_KIND_PHRASE:
			return "phrase";
		case RT_KIND_SUBSTRING:
			return "substring";
		case RT_KIND_REGEX:
			return "regex";
	}
	return "word";
}

const char *
RtActionName(RtModAction action)
{
	switch (action)
	{
		case RT_ACTION_FLAG:
			return "flag";
		case RT_ACTION_HIDE:
			return "hide";
		case RT_ACTION_DELETE:
			return "delete";
		case RT_ACTION_NONE:
			break;
	}
	return NULL;
}

RtRuleSet
RtParseRuleSet(const char *name)
{
	if (strcmp(name, "playbook") == 0)
		return RT_RULES_PLAYBOOK;
	if (strcmp(name, "moderation") == 0)
		return RT_RULES_MODERATION;
	ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			errmsg("field \"rule_set\" must be playbook or moderation"),
			err_generic_string(PG_DIAG_COLUMN_NAME, "rule_set"));
	return RT_RULES_PLAYBOOK; /* keep the compiler quiet */
}

static RtPatternKind
ParseKind(const char *s)
{
	if (strcmp(s, "phrase") == 0)
		return RT_KIND_PHRASE;
	if (strcmp(s, "substring") == 0)
		return RT_KIND_SUBSTRING;
	if (strcmp(s, "regex") == 0)
		return RT_KIND_REGEX;
	return RT_KIND_WORD;
}

static RtModAction
ParseAction(const char *s)
{
	if (s == NULL)
		return RT_ACTION_NONE;
	if (strcmp(s, "delete") == 0)
		return RT_ACTION_DELETE;
	if (strcmp(s, "hide") == 0)
		return RT_ACTION_HIDE;
	return RT_ACTION_FLAG;
}

bool
RtRuleInScope(const RtRule *rule, int64 chat_id, bool chat_known)
{
	int lo = 0;
	int hi = rule->nchats - 1;

	if (rule->nchats == 0)
		return true;
	if (!chat_known)
		return false;
	while (lo <= hi)
	{
		int mid = (lo + hi) / 2;

		if (rule->chat_ids[mid] == chat_id)
			return true;
		if (rule->chat_ids[mid] < chat_id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

/* ---------------------------------------------------------------------------
 * Automaton
 * ---------------------------------------------------------------------------
 */

static int
CompareUint32(const void *a, const void *b)
{
	uint32 x = *(const uint32 *) a;
	uint32 y = *(const uint32 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

static inline uint32
ClassOf(const Automaton *a, uint32 cp)
{
	int lo;
	int hi;

	if (likely(cp < RT_NORM_TABLE_LIMIT))
		return a->low_class[cp];
	lo = 0;
	hi = a->nhigh - 1;
	while (lo <= hi)
	{
		int mid = (lo + hi) / 2;

		if (a->high_cp[mid] == cp)
			return a->high_class[mid];
		if (a->high_cp[mid] < cp)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return 0;
}

static int32
TrieChild(const int32 *first_child, const int32 *next_sibling, const uint16 *label, int32 s,
		  uint16 c)
{
	int32 v;

	for (v = first_child[s]; v >= 0; v = next_sibling[v])
		if (label[v] == c)
			return v;
	return -1;
}

/* code point frequencies while the alphabet is sorted (qsort has no context argument) */
static const uint32 *class_freq;

static int
CompareByFrequency(const void *a, const void *b)
{
	uint32 x = *(const uint32 *) a;
	uint32 y = *(const uint32 *) b;

	if (class_freq[x] != class_freq[y])
		return class_freq[x] > class_freq[y] ? -1 : 1;
	return x < y ? -1 : (x > y ? 1 : 0);
}

static int
CompareEdge(const void *a, const void *b)
{
	const AcEdge *x = a;
	const AcEdge *y = b;

	return (int) x->cls - (int) y->cls;
}

/* Builds the automaton in CurrentMemoryContext; NULL when no pattern is left after normalising. */
static Automaton *
BuildAutomaton(PatternInput *in, int n)
{
	Automaton *a;
	int total = 0;
	int npats = 0;
	int i;
	int j;
	int32 nclasses = 1;
	uint32 *high;
	int nhigh = 0;
	uint32 *freq;
	uint32 *used;
	int nused = 0;
	int32 *first_child;
	int32 *next_sibling;
	uint16 *label;
	int32 *out_head;
	int32 *out_next;
	int32 *fail;    /* by trie id */
	int32 *order;   /* breadth-first order: order[new id] = trie id */
	int32 *newid;   /* trie id -> new id */
	uint8 *has_out; /* by new id: OUT_ANY | OUT_UNBOUNDED */
	int32 nstates = 1;
	int qhead = 0;
	int qtail = 0;
	int32 s;
	int32 nsparse;
	int32 nedges;
	Size entry;

	for (i = 0; i < n; i++)
		if (in[i].norm.len > 0)
		{
			total += in[i].norm.len;
			npats++;
		}
	if (npats == 0)
		return NULL;

	a = palloc0(sizeof(Automaton));

	/*
	 * The alphabet: every code point used by some pattern, the most frequent first, so the
	 * transitions a scan takes most sit together in the first cache line of a row.
	 */
	high = palloc(sizeof(uint32) * total);
	freq = palloc0(sizeof(uint32) * RT_NORM_TABLE_LIMIT);
	used = palloc(sizeof(uint32) * RT_NORM_TABLE_LIMIT);
	for (i = 0; i < n; i++)
		for (j = 0; j < in[i].norm.len; j++)
		{
			uint32 cp = in[i].norm.cp[j];

			if (cp < RT_NORM_TABLE_LIMIT)
			{
				if (freq[cp]++ == 0)
					used[nused++] = cp;
			}
			else
				high[nhigh++] = cp;
		}
	class_freq = freq;
	qsort(used, nused, sizeof(uint32), CompareByFrequency);
	for (i = 0; i < nused; i++)
		a->low_class[used[i]] = (uint16) nclasses++;
	pfree(freq);
	pfree(used);
	if (nhigh > 0)
	{
		int u = 0;

		qsort(high, nhigh, sizeof(uint32), CompareUint32);
		for (i = 0; i < nhigh; i++)
			if (u == 0 || high[u - 1] != high[i])
				high[u++] = high[i];
		nhigh = u;
		a->high_class = palloc(sizeof(uint16) * nhigh);
		for (i = 0; i < nhigh; i++)
			a->high_class[i] = (uint16) (nclasses + i);
		nclasses += nhigh;
	}
	if (nclasses > PG_UINT16_MAX)
		ereport(ERROR, errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				errmsg("too many distinct characters in %d patterns", npats));
	a->high_cp = high;
	a->nhigh = nhigh;
	a->nclasses = nclasses;

	/* the trie, children as sibling lists */
	first_child = palloc(sizeof(int32) * (total + 1));
	next_sibling = palloc(sizeof(int32) * (total + 1));
	label = palloc(sizeof(uint16) * (total + 1));
	out_head = palloc(sizeof(int32) * (total + 1));
	out_next = palloc(sizeof(int32) * n);
	first_child[0] = -1;
	next_sibling[0] = -1;
	out_head[0] = -1;
	label[0] = 0;
	a->pats = palloc(sizeof(AcPattern) * npats);
	for (i = 0; i < n; i++)
	{
		AcPattern *p;

		if (in[i].norm.len == 0)
			continue;
		s = 0;
		for (j = 0; j < in[i].norm.len; j++)
		{
			uint16 c = (uint16) ClassOf(a, in[i].norm.cp[j]);
			int32 child = TrieChild(first_child, next_sibling, label, s, c);

			if (child < 0)
			{
				child = nstates++;
				label[child] = c;
				first_child[child] = -1;
				out_head[child] = -1;
				next_sibling[child] = first_child[s];
				first_child[s] = child;
			}
			s = child;
		}
		p = &a->pats[a->npats];
		p->rule = in[i].rule;
		p->len = in[i].norm.len;
		a->maxdepth = Max(a->maxdepth, p->len);
		p->bounded = in[i].bounded;
		p->runs = NULL;
		if (in[i].norm.has_run)
		{
			p->runs = palloc(p->len);
			memcpy(p->runs, in[i].norm.runs, p->len);
		}
		out_next[a->npats] = out_head[s];
		out_head[s] = a->npats;
		a->npats++;
	}
	if (nstates >= PG_INT32_MAX / 2)
		ereport(ERROR, errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				errmsg("matcher automaton too large: %d states", nstates));
	a->nstates = nstates;

	/* failure links, breadth first (a state's failure target is shallower) */
	fail = palloc(sizeof(int32) * nstates);
	order = palloc(sizeof(int32) * nstates);
	newid = palloc(sizeof(int32) * nstates);
	fail[0] = 0;
	order[qtail++] = 0;
	while (qhead < qtail)
	{
		int32 u = order[qhead++];
		int32 v;

		for (v = first_child[u]; v >= 0; v = next_sibling[v])
		{
			int32 f = fail[u];
			int32 t = -1;

			if (u != 0)
			{
				while ((t = TrieChild(first_child, next_sibling, label, f, label[v])) < 0 && f != 0)
					f = fail[f];
			}
			fail[v] = (t >= 0 && t != v) ? t : 0;
			order[qtail++] = v;
		}
	}
	for (i = 0; i < nstates; i++)
		newid[order[i]] = i;

	/* patterns per state and dictionary links, by new id */
	a->out_start = palloc(sizeof(int32) * (nstates + 1));
	a->out_pat = palloc(sizeof(int32) * a->npats);
	a->dict = palloc(sizeof(int32) * nstates);
	has_out = palloc0(sizeof(uint8) * nstates);
	a->out_start[0] = 0;
	for (i = 0; i < nstates; i++)
	{
		int32 old = order[i];
		int32 p;
		int32 k;
		int32 at = a->out_start[i];

		for (p = out_head[old]; p >= 0; p = out_next[p])
			a->out_pat[at++] = p;
		a->out_start[i + 1] = at;
		if (i == 0)
			a->dict[i] = -1;
		else
		{
			int32 f = newid[fail[old]];

			a->dict[i] = (a->out_start[f + 1] > a->out_start[f]) ? f : a->dict[f];
		}
		if ((a->out_start[i + 1] > a->out_start[i]) || a->dict[i] >= 0)
			has_out[i] = OUT_ANY;
		for (k = a->out_start[i]; k < a->out_start[i + 1]; k++)
			if (!a->pats[a->out_pat[k]].bounded)
				has_out[i] |= OUT_UNBOUNDED;
		if (a->dict[i] >= 0)
			has_out[i] |= has_out[a->dict[i]] & OUT_UNBOUNDED;
	}

	/* dense rows for the shallow states: child, else the failure target's row */
	entry = nstates <= PG_UINT16_MAX ? sizeof(uint16) : sizeof(uint32);
	a->ndense = Min(nstates, Max(1, DENSE_BUDGET / (int32) (entry * nclasses)));
	if (entry == sizeof(uint16))
		a->dense16 = palloc(sizeof(uint16) * a->ndense * nclasses);
	else
		a->dense32 = palloc(sizeof(uint32) * a->ndense * nclasses);
	for (i = 0; i < a->ndense; i++)
	{
		int32 old = order[i];
		Size row = (Size) i * nclasses;
		Size frow = (Size) newid[fail[old]] * nclasses;
		int32 v;
		int32 k;

		for (k = 0; k < nclasses; k++)
		{
			if (a->dense16)
				a->dense16[row + k] = i == 0 ? 0 : a->dense16[frow + k];
			else
				a->dense32[row + k] = i == 0 ? 0 : a->dense32[frow + k];
		}
		for (v = first_child[old]; v >= 0; v = next_sibling[v])
		{
			if (a->dense16)
				a->dense16[row + label[v]] = (uint16) newid[v];
			else
				a->dense32[row + label[v]] = (uint32) newid[v];
		}
	}
	a->out_flag = has_out;

	/* edges and failure links for the deep states */
	nsparse = nstates - a->ndense;
	a->sparse = palloc0(sizeof(AcSparse) * Max(nsparse, 1));
	a->edges = palloc(sizeof(AcEdge) * Max(nstates, 1));
	nedges = 0;
	for (i = a->ndense; i < nstates; i++)
	{
		int32 old = order[i];
		AcSparse *sp = &a->sparse[i - a->ndense];
		int32 v;
		int32 first = nedges;

		sp->fail = newid[fail[old]];
		for (v = first_child[old]; v >= 0; v = next_sibling[v])
		{
			a->edges[nedges].to = (uint32) newid[v];
			a->edges[nedges].cls = label[v];
			nedges++;
		}
		if (nedges > first)
		{
			qsort(a->edges + first, nedges - first, sizeof(AcEdge), CompareEdge);
			sp->to0 = a->edges[first].to;
			sp->cls0 = a->edges[first].cls;
			sp->more = first + 1;
			sp->nmore = (uint16) Min(nedges - first - 1, PG_UINT16_MAX);
		}
	}

	pfree(first_child);
	pfree(next_sibling);
	pfree(label);
	pfree(out_head);
	pfree(out_next);
	pfree(fail);
	pfree(order);
	pfree(newid);
	return a;
}

static inline void
Hit(RuleSetCache *c, int32 rule)
{
	if (c->stamp[rule] != c->gen)
	{
		c->stamp[rule] = c->gen;
		c->hits[c->nhits++] = rule;
	}
}

/* every pattern ending at position i (state st) that fits its kind */
static void
Report(RuleSetCache *c, const Automaton *a, int32 st, const RtNormText *t, int i)
{
	/* the common case: a word pattern ending inside a longer word */
	if (!(a->out_flag[st] & OUT_UNBOUNDED) && i + 1 < t->len && RtIsWordCharFast(t->cp[i + 1]) &&
		!(t->has_soft && (t->soft[i] & RT_SOFT_AFTER)))
		return;
	for (; st >= 0; st = a->dict[st])
	{
		int32 k;

		for (k = a->out_start[st]; k < a->out_start[st + 1]; k++)
		{
			const AcPattern *p = &a->pats[a->out_pat[k]];
			int start = i - p->len + 1;

			if (c->stamp[p->rule] == c->gen)
				continue;
			if (p->bounded && !RtBoundedAt(t, start, i))
				continue;
			if (p->runs)
			{
				int j;

				for (j = 0; j < p->len; j++)
					if (t->runs[start + j] < p->runs[j])
						break;
				if (j < p->len)
					continue;
			}
			Hit(c, p->rule);
		}
	}
}

static pg_attribute_always_inline uint32
ClassAt(const Automaton *a, uint32 ch)
{
	return likely(ch < RT_NORM_TABLE_LIMIT) ? a->low_class[ch] : ClassOf(a, ch);
}

/* the state after class cls (not 0) from state s; wide is a constant in each caller */
static pg_attribute_always_inline uint32
Step(const Automaton *a, uint32 s, uint32 cls, bool wide)
{
	for (;;)
	{
		const AcSparse *sp;

		if (likely(s < (uint32) a->ndense))
			return wide ? a->dense32[s * (uint32) a->nclasses + cls]
						: a->dense16[s * (uint32) a->nclasses + cls];
		sp = &a->sparse[s - (uint32) a->ndense];
		if (sp->cls0 == cls)
			return sp->to0;
		if (sp->nmore > 0)
		{
			const AcEdge *ed = a->edges + sp->more;
			const AcEdge *end = ed + sp->nmore;

			for (; ed < end && ed->cls < cls; ed++)
				;
			if (ed < end && ed->cls == cls)
				return ed->to;
		}
		s = (uint32) sp->fail;
	}
}

/*
 * The next state depends on the previous one through a load, so one stream is bound by that
 * load's latency. Two streams over the two halves of the text overlap their loads; the second
 * starts maxdepth characters early, after which its state is exact (a state only remembers
 * the last maxdepth characters), and any hit a stream reports is a real occurrence, so the
 * overlap costs nothing but duplicates that Hit() drops.
 */
static pg_attribute_always_inline void
ScanTextWidth(RuleSetCache *c, const Automaton *a, const RtNormText *t, bool wide)
{
	const uint32 *cp = t->cp;
	const uint8 *out_flag = a->out_flag;
	int n = t->len;
	int from = 0;
	uint32 sb = 0;
	int k;

	if (n >= 8 * a->maxdepth + 64)
	{
		/* four streams, each starting maxdepth early (stream 0 starts at 0) */
		int q = n / 4;
		int steps = q + a->maxdepth;
		int b1 = q - a->maxdepth;
		int b2 = 2 * q - a->maxdepth;
		int b3 = 3 * q - a->maxdepth;
		uint32 s0 = 0;
		uint32 s1 = 0;
		uint32 s2 = 0;

		for (k = 0; k < steps; k++)
		{
			uint32 c0 = ClassAt(a, cp[k]);
			uint32 c1 = ClassAt(a, cp[b1 + k]);
			uint32 c2 = ClassAt(a, cp[b2 + k]);
			uint32 c3 = ClassAt(a, cp[b3 + k]);

			s0 = c0 ? Step(a, s0, c0, wide) : 0;
			s1 = c1 ? Step(a, s1, c1, wide) : 0;
			s2 = c2 ? Step(a, s2, c2, wide) : 0;
			sb = c3 ? Step(a, sb, c3, wide) : 0;
			if (unlikely(out_flag[s0] | out_flag[s1] | out_flag[s2] | out_flag[sb]))
			{
				if (out_flag[s0])
					Report(c, a, (int32) s0, t, k);
				if (out_flag[s1])
					Report(c, a, (int32) s1, t, b1 + k);
				if (out_flag[s2])
					Report(c, a, (int32) s2, t, b2 + k);
				if (out_flag[sb])
					Report(c, a, (int32) sb, t, b3 + k);
			}
		}
		from = b3 + steps;
	}
	for (k = from; k < n; k++)
	{
		uint32 cb = ClassAt(a, cp[k]);

		sb = cb ? Step(a, sb, cb, wide) : 0;
		if (unlikely(out_flag[sb]))
			Report(c, a, (int32) sb, t, k);
	}
}

static void
ScanText(RuleSetCache *c, const Automaton *a, const RtNormText *t)
{
	if (a->dense16)
		ScanTextWidth(c, a, t, false);
	else
		ScanTextWidth(c, a, t, true);
}

/* ---------------------------------------------------------------------------
 * The per-backend cache
 * ---------------------------------------------------------------------------
 */

static void
FreeRuleSet(RuleSetCache *c)
{
	int i;

	for (i = 0; i < c->nregex; i++)
		pg_regfree(&c->regex[i]);
	if (c->cxt)
		MemoryContextDelete(c->cxt);
	memset(c, 0, sizeof(RuleSetCache));
}

static void
InvalidateAll(void)
{
	int i;

	for (i = 0; i < RT_RULE_SETS; i++)
		caches[i].valid = false;
	checked_lxid = InvalidLocalTransactionId;
}

static void
MatcherXactCallback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			if (own_change)
				InvalidateAll();
			own_change = false;
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			own_change = false;
			break;
		default:
			break;
	}
}

static void
MatcherSubXactCallback(SubXactEvent event, SubTransactionId mySubid, SubTransactionId parentSubid,
					   void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB && own_change)
		InvalidateAll();
}

static void
RegisterCallbacks(void)
{
	if (callbacks_registered)
		return;
	RegisterXactCallback(MatcherXactCallback, NULL);
	RegisterSubXactCallback(MatcherSubXactCallback, NULL);
	callbacks_registered = true;
}

static SPIPlanPtr
KeepPlan(const char *sql)
{
	SPIPlanPtr plan = SPI_prepare(sql, 0, NULL);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plan;
}

static int64
ReadVersion(void)
{
	int64 v = 1;
	int rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (version_plan == NULL)
		version_plan = KeepPlan(
			"SELECT CASE jsonb_typeof(value) WHEN 'number' THEN (value::text)::numeric::int8 "
			"END FROM rt.settings WHERE key = 'matcher.version'");
	rc = SPI_execute_plan(version_plan, NULL, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading matcher.version failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 1)
	{
		bool isnull;
		Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			v = DatumGetInt64(d);
	}
	SPI_finish();
	return v;
}

static char *
GetText(HeapTuple tup, TupleDesc desc, int col)
{
	bool isnull;
	Datum d = SPI_getbinval(tup, desc, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

static int
CompareInt64(const void *a, const void *b)
{
	int64 x = *(const int64 *) a;
	int64 y = *(const int64 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* reads the enabled rules into c->rules, allocated in c->cxt */
static void
LoadRules(RuleSetCache *c, RtRuleSet set)
{
	int rc;
	uint64 r;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (load_plans[set] == NULL)
		load_plans[set] = KeepPlan(load_sql[set]);
	rc = SPI_execute_plan(load_plans[set], NULL, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "loading %s rules failed: %s", RtRuleSetName(set), SPI_result_code_string(rc));

	c->nrules = (int) SPI_processed;
	c->rules = MemoryContextAllocZero(c->cxt, sizeof(RtRule) * Max(c->nrules, 1));
	for (r = 0; r < SPI_processed; r++)
	{
		HeapTuple tup = SPI_tuptable->vals[r];
		TupleDesc desc = SPI_tuptable->tupdesc;
		RtRule *rule = &c->rules[r];
		MemoryContext old = MemoryContextSwitchTo(c->cxt);
		bool isnull;
		Datum d;
		char *s;

		rule->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		s = GetText(tup, desc, 2);
		rule->kind = ParseKind(s ? s : "word");
		rule->pattern = GetText(tup, desc, 3);
		rule->name = GetText(tup, desc, 4);
		d = SPI_getbinval(tup, desc, 5, &isnull);
		if (!isnull)
		{
			ArrayType *arr = DatumGetArrayTypeP(d);
			Datum *elems;
			bool *nulls;
			int nelems;
			int i;
			int64 *ids;

			deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls,
							  &nelems);
			ids = palloc(sizeof(int64) * Max(nelems, 1));
			for (i = 0; i < nelems; i++)
				if (!nulls[i])
					ids[rule->nchats++] = DatumGetInt64(elems[i]);
			qsort(ids, rule->nchats, sizeof(int64), CompareInt64);
			rule->chat_ids = ids;
			/* an empty list scopes the rule to no chat; keep it reachable by nothing */
			if (rule->nchats == 0)
			{
				ids[0] = PG_INT64_MIN;
				rule->nchats = 1;
			}
		}
		rule->priority = DatumGetInt32(SPI_getbinval(tup, desc, 6, &isnull));
		d = SPI_getbinval(tup, desc, 7, &isnull);
		rule->has_preset = !isnull;
		rule->preset_id = isnull ? 0 : DatumGetInt64(d);
		d = SPI_getbinval(tup, desc, 8, &isnull);
		rule->has_hours = !isnull;
		rule->preset_hours = isnull ? (Datum) 0 : datumCopy(d, false, -1);
		rule->reply_text = GetText(tup, desc, 9);
		rule->stop = DatumGetBool(SPI_getbinval(tup, desc, 10, &isnull));
		rule->evasion = DatumGetBool(SPI_getbinval(tup, desc, 11, &isnull));
		rule->label = GetText(tup, desc, 12);
		s = GetText(tup, desc, 13);
		rule->action = ParseAction(s);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
}

/*
 * Compiles the regex rules within the budget. A pattern that no longer compiles, uses a
 * refused feature (saved before 0.4.0, or written to the table directly) or takes longer
 * than the budget to compile is skipped with a warning and reported to the admins.
 */
static void
CompileRegexes(RuleSetCache *c)
{
	int i;

	c->regex = MemoryContextAllocZero(c->cxt, sizeof(regex_t) * Max(c->nrules, 1));
	c->regex_rule = MemoryContextAlloc(c->cxt, sizeof(int32) * Max(c->nrules, 1));
	for (i = 0; i < c->nrules; i++)
	{
		const RtRule *rule = &c->rules[i];
		const char *refusal;
		int plen;
		pg_wchar *w;
		int wlen;
		int rc;
		bool exceeded;

		if (rule->kind != RT_KIND_REGEX)
			continue;
		plen = strlen(rule->pattern);
		w = palloc(sizeof(pg_wchar) * (plen + 1));
		wlen = pg_mb2wchar_with_len(rule->pattern, w, plen);
		rc = RtRegexBudgeted(true, &c->regex[c->nregex], w, wlen, &exceeded);
		pfree(w);
		if (exceeded)
		{
			ereport(WARNING, errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					errmsg("rule %lld skipped: compiling its regular expression took longer "
						   "than %d ms",
						   (long long) rule->id, RtRegexCompileBudgetMs()));
			c->overruns[i]++;
			c->overrun_reason[i] = "compile";
			c->pending_compile_reports = true;
			continue;
		}
		if (rc != REG_OKAY)
		{
			char msg[128];

			pg_regerror(rc, &c->regex[c->nregex], msg, sizeof(msg));
			ereport(WARNING, errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
					errmsg("rule %lld skipped: invalid regular expression: %s",
						   (long long) rule->id, msg));
			continue;
		}
		refusal = RtRegexRefusal(&c->regex[c->nregex]);
		if (refusal != NULL)
		{
			pg_regfree(&c->regex[c->nregex]);
			memset(&c->regex[c->nregex], 0, sizeof(regex_t));
			ereport(WARNING, errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
					errmsg("rule %lld skipped: its pattern %s", (long long) rule->id, refusal));
			c->overruns[i]++;
			c->overrun_reason[i] = "refused";
			c->pending_compile_reports = true;
			continue;
		}
		c->regex_rule[c->nregex++] = i;
	}
}

/*
 * A phrase without its spaces ("buy cheap" -> "buycheap"): spelled out letter by letter
 * ("b u y c h e a p") or glued ("#buycheap"), a phrase has no visible word gap left, so the
 * skeleton automaton also holds this form of every evasion phrase. NULL when the phrase has
 * no whitespace.
 */
char *
RtPhraseWithoutSpaces(const char *pattern)
{
	int plen = strlen(pattern);
	char *out = palloc(plen + 1);
	int n = 0;
	bool had_space = false;
	int i;

	for (i = 0; i < plen; i++)
	{
		unsigned char ch = (unsigned char) pattern[i];

		if (ch == ' ' || (ch >= '\t' && ch <= '\r'))
		{
			had_space = true;
			continue;
		}
		out[n++] = pattern[i];
	}
	out[n] = '\0';
	if (!had_space || n == 0)
	{
		pfree(out);
		return NULL;
	}
	return out;
}

static Automaton *
BuildFromRules(RuleSetCache *c, bool skeleton)
{
	PatternInput *in = palloc(sizeof(PatternInput) * Max(2 * c->nrules, 1));
	int n = 0;
	int i;
	Automaton *a;

	for (i = 0; i < c->nrules; i++)
	{
		const RtRule *rule = &c->rules[i];
		int plen;

		if (rule->kind == RT_KIND_REGEX || (skeleton && !rule->evasion))
			continue;
		plen = strlen(rule->pattern);
		in[n].rule = i;
		in[n].bounded = (rule->kind != RT_KIND_SUBSTRING);
		RtNormTextInit(&in[n].norm, plen + 1);
		RtNormalize(rule->pattern, plen, skeleton, &in[n].norm);
		n++;
		if (skeleton && rule->kind == RT_KIND_PHRASE)
		{
			char *glued = RtPhraseWithoutSpaces(rule->pattern);

			if (glued != NULL)
			{
				plen = strlen(glued);
				in[n].rule = i;
				in[n].bounded = true;
				RtNormTextInit(&in[n].norm, plen + 1);
				RtNormalize(glued, plen, true, &in[n].norm);
				pfree(glued);
				n++;
			}
		}
	}
	a = BuildAutomaton(in, n);
	for (i = 0; i < n; i++)
		RtNormTextFree(&in[i].norm);
	pfree(in);
	return a;
}

static void
Rebuild(RuleSetCache *c, RtRuleSet set, int64 version)
{
	RuleSetCache fresh;
	MemoryContext old;

	memset(&fresh, 0, sizeof(fresh));
	/* a child of the caller's context until complete, so an error leaves nothing behind */
	fresh.cxt = AllocSetContextCreate(CurrentMemoryContext, "rt matcher", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSetIdentifier(fresh.cxt, RtRuleSetName(set));
	PG_TRY();
	{
		LoadRules(&fresh, set);
		old = MemoryContextSwitchTo(fresh.cxt);
		fresh.plain = BuildFromRules(&fresh, false);
		if (set == RT_RULES_MODERATION)
			fresh.skel = BuildFromRules(&fresh, true);
		fresh.overruns = palloc0(sizeof(int32) * Max(fresh.nrules, 1));
		fresh.reported_at = palloc0(sizeof(TimestampTz) * Max(fresh.nrules, 1));
		fresh.overrun_reason = palloc0(sizeof(char *) * Max(fresh.nrules, 1));
		CompileRegexes(&fresh);
		fresh.stamp = palloc0(sizeof(uint32) * Max(fresh.nrules, 1));
		fresh.hits = palloc(sizeof(int32) * Max(fresh.nrules, 1));
		fresh.gen = 0;
		RtNormTextInit(&fresh.norm, 1024);
		RtNormTextInit(&fresh.skelt, 1024);
		fresh.wcap = 0;
		fresh.wbuf = NULL;
		MemoryContextSwitchTo(old);
	}
	PG_CATCH();
	{
		FreeRuleSet(&fresh);
		PG_RE_THROW();
	}
	PG_END_TRY();

	FreeRuleSet(c);
	MemoryContextSetParent(fresh.cxt, CacheMemoryContext);
	*c = fresh;
	c->version = version;
	c->valid = true;
}

static RuleSetCache *
GetRuleSet(RtRuleSet set)
{
	RuleSetCache *c = &caches[set];
	TimestampTz stmt = GetCurrentStatementStartTimestamp();

	RegisterCallbacks();
	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR, errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				errmsg("the roundtable matcher needs a UTF8 database"));
	if (MyProc->lxid != checked_lxid || stmt != checked_stmt)
	{
		seen_version = ReadVersion();
		checked_lxid = MyProc->lxid;
		checked_stmt = stmt;
	}
	if (!c->valid || c->version != seen_version)
		Rebuild(c, set, seen_version);
	return c;
}

static int
CompareInt32(const void *a, const void *b)
{
	int32 x = *(const int32 *) a;
	int32 y = *(const int32 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* 1 match, 0 no match, -1 over the budget */
static int
RegexMatches(RuleSetCache *c, regex_t *re, const char *text, int len, int *wlen)
{
	int rc;
	bool exceeded;

	if (*wlen < 0)
	{
		if (c->wcap < len + 1)
		{
			c->wbuf = c->wbuf ? repalloc(c->wbuf, sizeof(pg_wchar) * (len + 1))
							  : MemoryContextAlloc(c->cxt, sizeof(pg_wchar) * (len + 1));
			c->wcap = len + 1;
		}
		*wlen = pg_mb2wchar_with_len(text, c->wbuf, len);
	}
	rc = RtRegexBudgeted(false, re, c->wbuf, *wlen, &exceeded);
	if (exceeded)
		return -1;
	if (rc == REG_OKAY)
		return 1;
	if (rc != REG_NOMATCH)
	{
		char msg[128];

		pg_regerror(rc, re, msg, sizeof(msg));
		ereport(ERROR, errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
				errmsg("regular expression failed: %s", msg));
	}
	return 0;
}

/* rule ids the last RtMatchRules call skipped for their budget (rt._matcher_skipped) */
#define MAX_SKIPPED 64
static int64 last_skipped[MAX_SKIPPED];
static int nlast_skipped = 0;

static void
RememberSkipped(int64 rule_id)
{
	if (nlast_skipped < MAX_SKIPPED)
		last_skipped[nlast_skipped++] = rule_id;
}

const int64 *
RtMatcherLastSkipped(int *n)
{
	*n = nlast_skipped;
	return last_skipped;
}

/* reports the overruns this backend has not reported in the last minute */
static void
FlushOverruns(RuleSetCache *c, RtRuleSet set)
{
	int i;

	for (i = 0; i < c->nrules; i++)
	{
		int count = c->overruns[i];

		if (count == 0 || !RtRegexReportDue(&c->reported_at[i]))
			continue;
		c->overruns[i] = 0;
		RtRegexReportOverrun(RtRuleSetName(set), c->rules[i].id, count, c->overrun_chars,
							 c->overrun_reason[i] ? c->overrun_reason[i] : "budget");
	}
}

int
RtMatchRules(RtRuleSet set, const char *text, int len, const RtRule ***out)
{
	RuleSetCache *c = GetRuleSet(set);
	const RtRule **res;
	int wlen = -1;
	int i;
	bool overran = false;

	nlast_skipped = 0;
	if (++c->gen == 0)
	{
		memset(c->stamp, 0, sizeof(uint32) * Max(c->nrules, 1));
		c->gen = 1;
	}
	c->nhits = 0;
	if (c->plain || c->skel)
	{
		RtNormalize(text, len, false, &c->norm);
		if (c->plain)
			ScanText(c, c->plain, &c->norm);
		if (c->skel)
		{
			RtSkeletonFromBase(&c->norm, &c->skelt);
			ScanText(c, c->skel, &c->skelt);
		}
	}
	for (i = 0; i < c->nregex; i++)
	{
		int32 rule = c->regex_rule[i];
		int m;

		if (c->stamp[rule] == c->gen)
			continue;
		m = RegexMatches(c, &c->regex[i], text, len, &wlen);
		if (m > 0)
			Hit(c, rule);
		else if (m < 0)
		{
			/* over the budget: skipped for this message, reported */
			RememberSkipped(c->rules[rule].id);
			c->overruns[rule]++;
			c->overrun_reason[rule] = "budget";
			c->overrun_chars = wlen;
			overran = true;
		}
	}

	if (c->nhits > 1)
		qsort(c->hits, c->nhits, sizeof(int32), CompareInt32);
	res = palloc(sizeof(RtRule *) * Max(c->nhits, 1));
	for (i = 0; i < c->nhits; i++)
		res[i] = &c->rules[c->hits[i]];
	*out = res;
	if (overran || c->pending_compile_reports)
	{
		c->pending_compile_reports = false;
		FlushOverruns(c, set);
	}
	return c->nhits;
}

/* ---------------------------------------------------------------------------
 * SQL
 * ---------------------------------------------------------------------------
 */

/* rt.match_text(text, rule_set text) -> TABLE(rule_id bigint, kind text, pattern text) */
Datum
match_text(PG_FUNCTION_ARGS)
{
	text *t = PG_GETARG_TEXT_PP(0);
	RtRuleSet set = RtParseRuleSet(text_to_cstring(PG_GETARG_TEXT_PP(1)));
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const RtRule **hits;
	int n;
	int i;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	n = RtMatchRules(set, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &hits);
	for (i = 0; i < n; i++)
	{
		Datum values[3];
		bool nulls[3] = {false, false, false};

		values[0] = Int64GetDatum(hits[i]->id);
		values[1] = CStringGetTextDatum(RtKindName(hits[i]->kind));
		values[2] = CStringGetTextDatum(hits[i]->pattern);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* rt._match_count(text, rule_set text) -> int: how many rules match (benchmarks, ingest tests) */
Datum
match_count(PG_FUNCTION_ARGS)
{
	text *t = PG_GETARG_TEXT_PP(0);
	RtRuleSet set = RtParseRuleSet(text_to_cstring(PG_GETARG_TEXT_PP(1)));
	const RtRule **hits;
	int n = RtMatchRules(set, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &hits);

	pfree(hits);
	PG_RETURN_INT32(n);
}

/* rt._matcher_invalidate(): called by the rule tables' statement trigger */
Datum
matcher_invalidate(PG_FUNCTION_ARGS)
{
	RegisterCallbacks();
	own_change = true;
	InvalidateAll();
	PG_RETURN_VOID();
}

/* rt._matcher_stats(rule_set text) -> jsonb: what the cache holds (tests, benchmarks) */
Datum
matcher_stats(PG_FUNCTION_ARGS)
{
	RtRuleSet set = RtParseRuleSet(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	RuleSetCache *c = GetRuleSet(set);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(
		&buf,
		"{\"version\": %lld, \"rules\": %d, \"patterns\": %d, \"states\": %d, "
		"\"dense_states\": %d, \"classes\": %d, \"evasion_patterns\": %d, \"evasion_states\": %d, "
		"\"regex\": %d, \"bytes\": %lld}",
		(long long) c->version, c->nrules, c->plain ? c->plain->npats : 0,
		c->plain ? c->plain->nstates : 0, c->plain ? c->plain->ndense : 0,
		c->plain ? c->plain->nclasses : 0, c->skel ? c->skel->npats : 0,
		c->skel ? c->skel->nstates : 0, c->nregex,
		(long long) MemoryContextMemAllocated(c->cxt, true));
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/* rt._backend_cpu_ms() -> float8: CPU time this backend has used (benchmarks: MB/s per core) */
Datum
backend_cpu_ms(PG_FUNCTION_ARGS)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		ereport(ERROR, errcode(ERRCODE_SYSTEM_ERROR), errmsg("getrusage failed: %m"));
	PG_RETURN_FLOAT8((ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
					 (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0);
}
