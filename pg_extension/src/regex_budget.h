/*
 * regex_budget.h
 *	  Regex rules under a time budget (regex_budget.c): compiling and running a pattern within
 *	  roundtable.regex_budget_ms, the features the matcher refuses, and the report of a rule
 *	  that ran out of time. Everything here needs a backend; matcher.c calls only these.
 */
#ifndef REGEX_BUDGET_H
#define REGEX_BUDGET_H

#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "regex/regex.h"
#include "utils/timestamp.h"

/* the flavour of ~*, so a DBA can reason about a rule with ~* */
#define RT_REGEX_FLAGS (REG_ADVANCED | REG_ICASE)

/* roundtable.regex_budget_ms: the longest one regex rule may work on one message */
#define RT_DEFAULT_REGEX_BUDGET_MS 50
extern int rt_regex_budget_ms;

/* defines roundtable.regex_budget_ms; called from _PG_init */
extern void RtMatcherInit(void);

/* compiling gets 20 x the budget, at least 1 s (once per rule and rebuild) */
extern int RtRegexCompileBudgetMs(void);

/*
 * Compiles re from w (compile) or runs re over w within the budget. Returns the engine's
 * result code; *exceeded (and REG_CANCEL) when the budget ran out. A real cancel, statement
 * timeout or termination is raised.
 */
extern int RtRegexBudgeted(bool compile, regex_t *re, const pg_wchar *w, int wlen, bool *exceeded);

/* why a compiled pattern is refused (back-reference, lookaround), NULL when it is not */
extern const char *RtRegexRefusal(const regex_t *re);

/* reports count skips of a rule through rt._regex_overrun, in a subtransaction */
extern void RtRegexReportOverrun(const char *rule_set, int64 rule_id, int count, int chars,
								 const char *reason);

/* has a minute passed since *last (0 = never)? then *last becomes now */
extern bool RtRegexReportDue(TimestampTz *last);

extern Datum check_regex(PG_FUNCTION_ARGS);
extern Datum matcher_skipped(PG_FUNCTION_ARGS);

#endif /* REGEX_BUDGET_H */
