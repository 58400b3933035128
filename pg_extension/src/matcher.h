/*
 * matcher.h
 *	  The matching engine behind playbooks and moderation: one Aho–Corasick automaton per rule
 *	  set over the normalised patterns (plus one over the skeletons of evasion rules), regex
 *	  rules through PostgreSQL's regex engine, all cached per backend.
 *
 * C entry points for rt.ingest (no SPI round trip per message):
 *
 *	const RtRule **hits;
 *	int n = RtMatchRules(RT_RULES_MODERATION, text, len, &hits);
 *
 *	RtVerdict v;
 *	RtModerationVerdict(chat_id, true, text, len, &v);		// moderation.h
 *	n = RtPlaybookMatches(chat_id, true, text, len, &hits);	// playbook.h
 *
 * The cache is checked against rt.settings 'matcher.version' once per statement (one
 * indexed lookup through SPI, nested SPI is fine), and at once after a rule change in this
 * backend's own transaction, so a whole rt.ingest batch costs one lookup. Rule pointers
 * returned point into the cache: they stay valid until the next call of any Rt* matcher
 * function in a later statement or after a rule change (a rebuild frees them); copy what
 * must live longer. Result arrays are palloc'd in CurrentMemoryContext.
 *
 * Cost per message: one pass of normalisation and one automaton step per character (two of
 * each when evasion rules exist), plus one regex execution per enabled regex rule, each bounded
 * by roundtable.regex_budget_ms: a regex rule that runs out of time is skipped for that message
 * and reported to the admins (rt._regex_overrun), never allowed to stall ingest. Patterns
 * with back-references or lookaround constraints are refused (rt._check_regex) and skipped if
 * one is in the table all the same (docs/decisions/007-matcher.md).
 */
#ifndef MATCHER_H
#define MATCHER_H

#include "postgres.h"

#include "fmgr.h"

typedef enum RtRuleSet
{
	RT_RULES_PLAYBOOK = 0,
	RT_RULES_MODERATION = 1
} RtRuleSet;

#define RT_RULE_SETS 2

typedef enum RtPatternKind
{
	RT_KIND_WORD,
	RT_KIND_PHRASE,
	RT_KIND_SUBSTRING,
	RT_KIND_REGEX
} RtPatternKind;

/* moderation actions, weakest first so the strongest is the maximum */
typedef enum RtModAction
{
	RT_ACTION_NONE = 0,
	RT_ACTION_FLAG = 1,
	RT_ACTION_HIDE = 2,
	RT_ACTION_DELETE = 3
} RtModAction;

/* one enabled rule as cached; fields of the other rule set are zero/NULL */
typedef struct RtRule
{
	int64 id;
	RtPatternKind kind;
	const char *pattern; /* as the admin wrote it */
	const char *name;
	bool evasion;          /* moderation: also match the skeleton */
	int nchats;            /* scope: 0 = every chat */
	const int64 *chat_ids; /* sorted ascending */
	/* playbook */
	int32 priority;
	bool has_preset;
	int64 preset_id;
	bool has_hours;
	Datum preset_hours; /* numeric */
	const char *reply_text;
	bool stop;
	/* moderation */
	const char *label;
	RtModAction action;
} RtRule;

/*
 * Rules of the set whose pattern occurs in text (len bytes of UTF-8), each once, in rule
 * order (playbooks: priority, id; moderation: id). Scope (chat_ids) is not applied.
 */
extern int RtMatchRules(RtRuleSet set, const char *text, int len, const RtRule ***out);

/* does the rule apply in this chat (no scope = every chat; unknown chat = unscoped only) */
extern bool RtRuleInScope(const RtRule *rule, int64 chat_id, bool chat_known);

extern const char *RtRuleSetName(RtRuleSet set);
extern const char *RtKindName(RtPatternKind kind);
extern const char *RtActionName(RtModAction action);

/* parses 'playbook' | 'moderation'; 22023 naming "rule_set" otherwise */
extern RtRuleSet RtParseRuleSet(const char *name);

/* the pattern with its whitespace removed (palloc'd), NULL when it has none */
extern char *RtPhraseWithoutSpaces(const char *pattern);

/* ids of the regex rules the last RtMatchRules call skipped for their budget (at most 64) */
extern const int64 *RtMatcherLastSkipped(int *n);

extern Datum match_text(PG_FUNCTION_ARGS);
extern Datum match_count(PG_FUNCTION_ARGS);
extern Datum matcher_invalidate(PG_FUNCTION_ARGS);
extern Datum matcher_stats(PG_FUNCTION_ARGS);
extern Datum backend_cpu_ms(PG_FUNCTION_ARGS);

#endif /* MATCHER_H */
