/* A stand-in for the parts of the PostgreSQL backend that the extension's normalisation and
 * matcher call, so tests/fuzz can run them as plain programs under libFuzzer + ASan/UBSan.
 *
 * Memory: palloc & co. are malloc with a header that links every live chunk, so ASan sees each
 * chunk and pg_shim_reset() frees what a "memory context" would have freed at the end of one
 * input. Errors: errstart/errfinish keep the level; at ERROR and above errfinish jumps to
 * PG_exception_stack (PG_TRY) when one is set, else aborts (an error nobody catches is a bug
 * here: the harnesses call only paths that must not raise). Everything that needs a real
 * backend (SPI, regex, catalogs, transactions) aborts loudly if reached. */
#include "postgres.h"

#include <stdio.h>
#include <stdlib.h>

#include "access/xact.h"
#include "mb/pg_wchar.h"
#include "storage/proc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "pg_shim.h"

typedef struct chunk
{
	struct chunk *prev, *next;
	size_t size;
	size_t pad; /* keeps the user pointer 16-byte aligned like malloc's */
} chunk;

static chunk live = {&live, &live, 0, 0};
static long nlive = 0;
int pg_shim_last_elevel = 0;

static void *
chunk_new(size_t size, bool zero)
{
	chunk *c;

	if (size > MaxAllocSize)
	{
		fprintf(stderr, "pg_shim: invalid memory alloc request size %zu\n", size);
		abort();
	}
	c = zero ? calloc(1, sizeof(chunk) + size) : malloc(sizeof(chunk) + size);
	if (!c)
		abort();
	c->size = size;
	c->next = live.next;
	c->prev = &live;
	live.next->prev = c;
	live.next = c;
	nlive++;
	return c + 1;
}

static void
chunk_unlink(chunk *c)
{
	c->prev->next = c->next;
	c->next->prev = c->prev;
	nlive--;
}

void
pg_shim_reset(void)
{
	while (live.next != &live)
	{
		chunk *c = live.next;

		chunk_unlink(c);
		free(c);
	}
	pg_shim_last_elevel = 0;
}

long
pg_shim_live(void)
{
	return nlive;
}

/* ---- memory (utils/palloc.h, utils/memutils.h) ---- */

static MemoryContextData fake_context;
MemoryContext CurrentMemoryContext = &fake_context;
MemoryContext CacheMemoryContext = &fake_context;
MemoryContext TopMemoryContext = &fake_context;

void *
palloc(Size size)
{
	return chunk_new(size, false);
}

void *
palloc0(Size size)
{
	return chunk_new(size, true);
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	(void) context;
	return chunk_new(size, false);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	(void) context;
	return chunk_new(size, true);
}

void
pfree(void *pointer)
{
	chunk *c = (chunk *) pointer - 1;

	chunk_unlink(c);
	free(c);
}

void *
repalloc(void *pointer, Size size)
{
	chunk *c = (chunk *) pointer - 1;
	chunk *n;

	if (size > MaxAllocSize)
	{
		fprintf(stderr, "pg_shim: invalid memory alloc request size %zu\n", (size_t) size);
		abort();
	}
	chunk_unlink(c);
	n = realloc(c, sizeof(chunk) + size);
	if (!n)
		abort();
	n->size = size;
	n->next = live.next;
	n->prev = &live;
	live.next->prev = n;
	live.next = n;
	nlive++;
	return n + 1;
}

/* one context for everything: children are the same context, deleting one frees nothing
 * (pg_shim_reset does) */
MemoryContext
AllocSetContextCreateInternal(MemoryContext parent, const char *name, Size minContextSize,
							  Size initBlockSize, Size maxBlockSize)
{
	(void) parent, (void) name, (void) minContextSize, (void) initBlockSize, (void) maxBlockSize;
	return &fake_context;
}

void
MemoryContextDelete(MemoryContext context)
{
	(void) context;
}

void
MemoryContextSetIdentifier(MemoryContext context, const char *id)
{
	(void) context, (void) id;
}

void
MemoryContextSetParent(MemoryContext context, MemoryContext new_parent)
{
	(void) context, (void) new_parent;
}

/* ---- errors (utils/elog.h) ---- */

sigjmp_buf *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;
static int cur_elevel;

bool
errstart(int elevel, const char *domain)
{
	(void) domain;
	cur_elevel = elevel;
	return elevel >= WARNING;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

int
errcode(int sqlerrcode)
{
	(void) sqlerrcode;
	return 0;
}

int
errmsg(const char *fmt, ...)
{
	(void) fmt;
	return 0;
}

int
errmsg_internal(const char *fmt, ...)
{
	(void) fmt;
	return 0;
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	pg_shim_last_elevel = cur_elevel;
	if (cur_elevel < ERROR)
		return;
	if (PG_exception_stack)
		siglongjmp(*PG_exception_stack, 1);
	fprintf(stderr, "pg_shim: uncaught ERROR raised at %s:%d (%s)\n", filename, lineno,
			funcname ? funcname : "?");
	abort();
}

void
pg_re_throw(void)
{
	if (PG_exception_stack)
		siglongjmp(*PG_exception_stack, 1);
	abort();
}

/* ---- encoding ---- */

int
GetDatabaseEncoding(void)
{
	return PG_UTF8;
}

/* mbutils.c's, for the database encoding (UTF8); the conversion itself is libpgcommon's */
int
pg_mb2wchar_with_len(const char *from, pg_wchar *to, int len)
{
	return pg_wchar_table[PG_UTF8].mb2wchar_with_len((const unsigned char *) from, to, len);
}

/* ---- the backend state GetRuleSet reads ---- */

static PGPROC fake_proc;
PGPROC *MyProc = &fake_proc;

TimestampTz
GetCurrentStatementStartTimestamp(void)
{
	return 1;
}

void
RegisterXactCallback(XactCallback callback, void *arg)
{
	(void) callback, (void) arg;
}

void
RegisterSubXactCallback(SubXactCallback callback, void *arg)
{
	(void) callback, (void) arg;
}
