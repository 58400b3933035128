/* Backend functions that only the SQL-facing parts of normalize.c and matcher.c call (SPI,
 * the regex engine, tuplestores, detoasting): the harnesses never reach them, and if one ever
 * does, it aborts with its name. No PostgreSQL headers here, so the stubs' own types cannot
 * clash with the real declarations. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- what needs a real backend: abort if ever reached ---- */

#define UNREACHABLE(name)                                                                          \
	void name(void);                                                                               \
	void name(void)                                                                                \
	{                                                                                              \
		fprintf(stderr, "pg_shim: %s needs a real backend\n", #name);                              \
		abort();                                                                                   \
	}

UNREACHABLE(cstring_to_text)
UNREACHABLE(pg_detoast_datum_packed)
UNREACHABLE(pg_detoast_datum)
UNREACHABLE(text_to_cstring)
UNREACHABLE(DirectFunctionCall1Coll)
UNREACHABLE(InitMaterializedSRF)
UNREACHABLE(MemoryContextMemAllocated)
UNREACHABLE(SPI_connect)
UNREACHABLE(SPI_execute_plan)
UNREACHABLE(SPI_finish)
UNREACHABLE(SPI_getbinval)
UNREACHABLE(SPI_keepplan)
UNREACHABLE(SPI_prepare)
UNREACHABLE(SPI_result_code_string)
UNREACHABLE(appendStringInfo)
UNREACHABLE(initStringInfo)
UNREACHABLE(datumCopy)
UNREACHABLE(deconstruct_array)
UNREACHABLE(err_generic_string)
UNREACHABLE(jsonb_in)
UNREACHABLE(tuplestore_putvalues)
UNREACHABLE(pg_regcomp)
UNREACHABLE(pg_regerror)
UNREACHABLE(pg_regexec)
UNREACHABLE(pg_regfree)
/* pg_extension/src/regex_budget.c: timeouts, subtransactions and SPI around the regex rules */
UNREACHABLE(RtRegexBudgeted)
UNREACHABLE(RtRegexCompileBudgetMs)
UNREACHABLE(RtRegexRefusal)
UNREACHABLE(RtRegexReportDue)
UNREACHABLE(RtRegexReportOverrun)

uint64_t SPI_processed = 0;
int SPI_result = 0;
void *SPI_tuptable = NULL;
