/*
 * regex_budget.c
 *	  Regex rules under a time budget, and the checks that refuse the patterns PostgreSQL's
 *	  engine cannot run in bounded time (issue 7; docs/decisions/007-matcher.md). Kept apart
 *	  from matcher.c so the matcher's pure parts build outside the backend (tests/fuzz): this
 *	  file holds everything that needs signals, timeouts, subtransactions and SPI.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "matcher.h"
#include "regex_budget.h"

PG_FUNCTION_INFO_V1(check_regex);
PG_FUNCTION_INFO_V1(matcher_skipped);

/* how long a backend waits before it reports the same over-budget rule again */
#define OVERRUN_REPORT_INTERVAL_MS (60 * 1000)

int rt_regex_budget_ms = RT_DEFAULT_REGEX_BUDGET_MS;

int
RtRegexCompileBudgetMs(void)
{
	return Min(60000, Max(1000, 20 * rt_regex_budget_ms));
}

/* ---------------------------------------------------------------------------
 * Regex rules under a time budget
 * ---------------------------------------------------------------------------
 *
 * PostgreSQL's regex engine polls for a query cancel (QueryCancelPending) in its inner loops
 * and then returns REG_CANCEL, cleaning up after itself, rather than raising. A timeout of our
 * own (RegisterTimeout) asks for that cancel when the budget is spent; once the engine has
 * returned, the request is withdrawn again, unless a real one arrived first (it was already
 * pending when the timer fired) or the statement timeout is due, so statement_timeout and
 * pg_cancel_backend keep working: the engine stops and CHECK_FOR_INTERRUPTS raises them.
 * The one window left: a pg_cancel_backend landing after the timer fired and before the
 * engine returned is taken for the budget's own (the rule is skipped, the statement goes on).
 */

static bool budget_registered = false;
static TimeoutId budget_timeout;
static volatile sig_atomic_t budget_armed = false;
static volatile sig_atomic_t budget_fired = false;
static volatile sig_atomic_t budget_cancel_was_pending = false;
static bool budget_ours = false; /* the cancel the engine saw was the budget's alone */

static void
BudgetTimeoutHandler(void)
{
	if (!budget_armed)
		return;
	budget_cancel_was_pending = QueryCancelPending;
	budget_fired = true;
	QueryCancelPending = true;
	InterruptPending = true;
}

void
RtMatcherInit(void)
{
	DefineCustomIntVariable("roundtable.regex_budget_ms",
							"Longest time one regex rule may work on one message (or compile).",
							"A rule that takes longer is skipped for that message and reported to "
							"the admins; it never stalls ingest.",
							&rt_regex_budget_ms, RT_DEFAULT_REGEX_BUDGET_MS, 1, 60000, PGC_SUSET,
							GUC_UNIT_MS, NULL, NULL, NULL);
}

/*
 * Compiles (re from w) or runs (re over w) a regex within the budget. Returns the engine's
 * result; *exceeded when the budget ran out (the result is then REG_CANCEL). A real cancel or
 * termination is raised here.
 */
int
RtRegexBudgeted(bool compile, regex_t *re, const pg_wchar *w, int wlen, bool *exceeded)
{
	volatile int rc = REG_OKAY;
	bool fired;

	*exceeded = false;
	if (!budget_registered)
	{
		budget_timeout = RegisterTimeout(USER_TIMEOUT, BudgetTimeoutHandler);
		budget_registered = true;
	}
	budget_fired = false;
	budget_cancel_was_pending = false;
	budget_armed = true;
	enable_timeout_after(budget_timeout, compile ? RtRegexCompileBudgetMs() : rt_regex_budget_ms);
	PG_TRY();
	{
		if (compile)
			rc = pg_regcomp(re, w, wlen, RT_REGEX_FLAGS, DEFAULT_COLLATION_OID);
		else
			rc = pg_regexec(re, w, wlen, 0, NULL, 0, NULL, 0);
	}
	PG_FINALLY();
	{
		budget_armed = false;
		disable_timeout(budget_timeout, false);
		budget_ours = budget_fired && !budget_cancel_was_pending &&
					  !get_timeout_indicator(STATEMENT_TIMEOUT, false);
		if (budget_ours)
			QueryCancelPending = false; /* ours: withdrawn (InterruptPending alone is harmless) */
	}
	PG_END_TRY();
	fired = budget_ours;
	budget_fired = false;
	if (rc != REG_CANCEL)
		return rc; /* finished, even if the timer fired just after */
	if (!fired)
	{
		/* a real cancel, statement timeout or termination */
		CHECK_FOR_INTERRUPTS();
		/* interrupts are held off: the rule cannot run now; count it as over budget */
	}
	*exceeded = true;
	return REG_CANCEL;
}

/* why a compiled pattern is refused, NULL when it is not (decision 007) */
const char *
RtRegexRefusal(const regex_t *re)
{
	if (re->re_info & REG_UBACKREF)
		return "uses a back-reference (\\1 to \\9), which the matcher refuses: matching one can "
			   "take time exponential in the length of a message";
	if (re->re_info & REG_ULOOKAROUND)
		return "uses a lookahead or lookbehind constraint ((?= (?! (?<= (?<!), which the matcher "
			   "refuses: nested ones take time polynomial of high degree in the length of a "
			   "message";
	return NULL;
}

/*
 * Tells the admins about a rule that ran out of its budget (or was refused when compiled):
 * rt._regex_overrun counts it and raises an 'error' notification at most every ten minutes per
 * rule. It runs in a subtransaction, so a failure (a read-only transaction, a missing
 * privilege) costs a warning, never the caller's work; a cancel is raised as it is.
 */
void
RtRegexReportOverrun(const char *rule_set, int64 rule_id, int count, int chars, const char *reason)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	PG_TRY();
	{
		Oid types[6] = {TEXTOID, INT8OID, INT4OID, INT4OID, INT4OID, TEXTOID};
		Datum values[6];
		int rc;

		values[0] = CStringGetTextDatum(rule_set);
		values[1] = Int64GetDatum(rule_id);
		values[2] = Int32GetDatum(count);
		values[3] = Int32GetDatum(rt_regex_budget_ms);
		values[4] = Int32GetDatum(chars);
		values[5] = CStringGetTextDatum(reason);
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		rc = SPI_execute_with_args("SELECT rt._regex_overrun($1, $2, $3, $4, $5, $6)", 6, types,
								   values, NULL, false, 1);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "rt._regex_overrun failed: %s", SPI_result_code_string(rc));
		SPI_finish();
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			ERRCODE_TO_CATEGORY(edata->sqlerrcode) == ERRCODE_OPERATOR_INTERVENTION)
			ReThrowError(edata);
		ereport(WARNING, errmsg("%s rule %lld ran out of its regex budget; reporting it failed: %s",
								rule_set, (long long) rule_id, edata->message));
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

/* has OVERRUN_REPORT_INTERVAL_MS passed since *last (0 = never)? If so, *last becomes now */
bool
RtRegexReportDue(TimestampTz *last)
{
	TimestampTz now = GetCurrentTimestamp();

	if (*last != 0 && !TimestampDifferenceExceeds(*last, now, OVERRUN_REPORT_INTERVAL_MS))
		return false;
	*last = now;
	return true;
}

/*
 * rt._check_regex(pattern text) -> void: raises unless the pattern compiles as a ~* regex
 * within the budget and uses no refused feature. Every error names the field "pattern":
 * 22023 when it does not compile, 2201B when it is refused or too complex to compile.
 */
Datum
check_regex(PG_FUNCTION_ARGS)
{
	text *pat = PG_GETARG_TEXT_PP(0);
	int plen = VARSIZE_ANY_EXHDR(pat);
	pg_wchar *w = palloc(sizeof(pg_wchar) * (plen + 1));
	int wlen = pg_mb2wchar_with_len(VARDATA_ANY(pat), w, plen);
	regex_t re;
	bool exceeded;
	int rc = RtRegexBudgeted(true, &re, w, wlen, &exceeded);
	const char *refusal;

	pfree(w);
	if (exceeded)
		ereport(ERROR, errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
				errmsg("field \"pattern\" is too complex: compiling it took longer than %d ms",
					   RtRegexCompileBudgetMs()),
				err_generic_string(PG_DIAG_COLUMN_NAME, "pattern"));
	if (rc != REG_OKAY)
	{
		char msg[128];

		pg_regerror(rc, &re, msg, sizeof(msg));
		ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg("field \"pattern\" is not a valid regular expression: invalid regular "
					   "expression: %s",
					   msg),
				err_generic_string(PG_DIAG_COLUMN_NAME, "pattern"));
	}
	refusal = RtRegexRefusal(&re);
	pg_regfree(&re);
	if (refusal != NULL)
		ereport(ERROR, errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
				errmsg("field \"pattern\" %s", refusal),
				errhint("Rewrite the pattern without it, or use a word, phrase or substring "
						"rule with evasion."),
				err_generic_string(PG_DIAG_COLUMN_NAME, "pattern"));
	PG_RETURN_VOID();
}

/* rt._matcher_skipped() -> bigint[]: rules the last match in this backend skipped (budget) */
Datum
matcher_skipped(PG_FUNCTION_ARGS)
{
	int n;
	const int64 *ids = RtMatcherLastSkipped(&n);
	Datum *elems = palloc(sizeof(Datum) * Max(n, 1));
	int i;

	for (i = 0; i < n; i++)
		elems[i] = Int64GetDatum(ids[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}
