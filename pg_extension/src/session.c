/*
 * session.c
 *	  The C helpers of the round table (docs/design/contract-roundtable.md):
 *
 *	rt.session_transition(status, event)  the session state table;
 *	rt.estimate_tokens(text)             a BPE token estimate without a vocabulary;
 *	rt.text_similarity(a, b)             near-repeat detection for the strike rule;
 *	rt.compress_context(turns, budget)   the extractive step of context compression.
 *
 * All four are pure functions of their arguments (no SPI, no catalog access).
 */
#include "postgres.h"

#include <errno.h>
#include <stdlib.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "normalize.h"
#include "session.h"

PG_FUNCTION_INFO_V1(session_transition);
PG_FUNCTION_INFO_V1(estimate_tokens);
PG_FUNCTION_INFO_V1(text_similarity);
PG_FUNCTION_INFO_V1(compress_context);

/* ---- the state table ------------------------------------------------------ */

typedef enum SessionStatus
{
	SS_AWAITING_TOPIC,
	SS_RUNNING,
	SS_FINISHED,
	SS_STOPPED,
	SS_FAILED,
	SS_COUNT
} SessionStatus;

typedef enum SessionEvent
{
	SE_TOPIC,
	SE_START,
	SE_STOP,
	SE_FINISH,
	SE_FAIL,
	SE_COUNT
} SessionEvent;

static const char *const status_names[SS_COUNT] = {"awaiting_topic", "running", "finished",
												   "stopped", "failed"};
static const char *const event_names[SE_COUNT] = {"topic", "start", "stop", "finish", "fail"};

/* the next status, or SS_COUNT where the pair is not allowed; ended states allow nothing */
static const SessionStatus transitions[SS_COUNT][SE_COUNT] = {
	[SS_AWAITING_TOPIC] = {SS_AWAITING_TOPIC, SS_RUNNING, SS_STOPPED, SS_COUNT, SS_FAILED},
	[SS_RUNNING] = {SS_COUNT, SS_COUNT, SS_STOPPED, SS_FINISHED, SS_FAILED},
	[SS_FINISHED] = {SS_COUNT, SS_COUNT, SS_COUNT, SS_COUNT, SS_COUNT},
	[SS_STOPPED] = {SS_COUNT, SS_COUNT, SS_COUNT, SS_COUNT, SS_COUNT},
	[SS_FAILED] = {SS_COUNT, SS_COUNT, SS_COUNT, SS_COUNT, SS_COUNT},
};

static int
LookupName(const char *const *names, int count, const char *name)
{
	for (int i = 0; i < count; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

Datum
session_transition(PG_FUNCTION_ARGS)
{
	char *status = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char *event = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int from = LookupName(status_names, SS_COUNT, status);
	int ev = LookupName(event_names, SE_COUNT, event);
	SessionStatus to;

	if (from < 0)
		ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg("unknown session status \"%s\"", status),
				errhint("Known: awaiting_topic, running, finished, stopped, failed."));
	if (ev < 0)
		ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg("unknown session event \"%s\"", event),
				errhint("Known: topic, start, stop, finish, fail."));
	to = transitions[from][ev];
	if (to == SS_COUNT)
		ereport(ERROR, errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				errmsg("session in state \"%s\" cannot %s", status, event));
	PG_RETURN_TEXT_P(cstring_to_text(status_names[to]));
}

/* ---- UTF-8 ---------------------------------------------------------------- */

/* decodes one character at s (len > 0 bytes left); a malformed byte reads as U+FFFD */
static inline int
Utf8Next(const unsigned char *s, int len, uint32 *cp)
{
	unsigned char c = s[0];
	int n;
	uint32 v;

	if (c < 0x80)
	{
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0)
		n = 2, v = c & 0x1F;
	else if ((c & 0xF0) == 0xE0)
		n = 3, v = c & 0x0F;
	else if ((c & 0xF8) == 0xF0)
		n = 4, v = c & 0x07;
	else
	{
		*cp = 0xFFFD;
		return 1;
	}
	if (n > len)
	{
		*cp = 0xFFFD;
		return 1;
	}
	for (int i = 1; i < n; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
		{
			*cp = 0xFFFD;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3F);
	}
	*cp = v;
	return n;
}

/* the longest prefix of s of at most max bytes that ends on a character boundary */
static int
Utf8Clip(const char *s, int len, int max)
{
	if (len <= max)
		return len;
	while (max > 0 && (((unsigned char) s[max]) & 0xC0) == 0x80)
		max--;
	return max;
}

/* ---- the token estimate --------------------------------------------------- */

/*
 * BPE tokenizers (cl100k_base, o200k_base) first split text into pre-tokens: a word with its
 * leading space, digit groups of at most 3, punctuation runs, newlines; the vocabulary then
 * holds most whole words of frequent languages.  So the estimate counts runs of one character
 * class, each at a cost fitted against o200k_base (gpt-4o, the seeded OpenAI model) on
 * tests/fixtures/token-corpus.json (tests/integration/42-token-estimate.test.mjs measures it):
 *
 *	Latin word of n letters		ceil(n / 12)		common words are one token
 *	Cyrillic word of n letters	ceil(n / 5.75)		o200k: ~4 characters a token in prose
 *	digits, n of them			ceil(n / 3)			digit groups of 3
 *	newline run					1
 *	space run of n				(n - 1) / 4, +1 when a digit follows (the space is its own token)
 *	emoji and other astral		2 each
 *	anything else				0.8 each			punctuation, symbols, other scripts
 *
 * Costs are summed in hundredths and rounded once; any non-empty text is at least 1.  cl100k
 * (gpt-4, gpt-3.5) spends about twice as many tokens on Cyrillic: the test prints that too.
 */
typedef enum TokClass
{
	TC_NONE,
	TC_LATIN,
	TC_CYRILLIC,
	TC_DIGIT,
	TC_NEWLINE,
	TC_SPACE,
	TC_ASTRAL,
	TC_OTHER
} TokClass;

#define COST_ASTRAL 200
#define COST_OTHER 80
#define COST_SPACE_EXTRA 25
#define COST_SPACE_BEFORE_DIGIT 100
#define LATIN_LETTERS_PER_TOKEN 12
#define CYRILLIC_HUNDREDTHS_PER_TOKEN 575

static inline TokClass
ClassOf(uint32 cp)
{
	if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp < 0x250))
		return TC_LATIN;
	if (cp >= 0x400 && cp <= 0x4FF)
		return TC_CYRILLIC;
	if (cp >= '0' && cp <= '9')
		return TC_DIGIT;
	if (cp == '\n')
		return TC_NEWLINE;
	if (cp == ' ' || cp == '\t' || cp == '\r')
		return TC_SPACE;
	if (cp >= 0x10000)
		return TC_ASTRAL;
	return TC_OTHER;
}

static int64
RunCost(TokClass cls, int64 n, TokClass next)
{
	switch (cls)
	{
		case TC_LATIN:
			return 100 * ((n + LATIN_LETTERS_PER_TOKEN - 1) / LATIN_LETTERS_PER_TOKEN);
		case TC_CYRILLIC:
			return 100 *
				   ((n * 100 + CYRILLIC_HUNDREDTHS_PER_TOKEN - 1) / CYRILLIC_HUNDREDTHS_PER_TOKEN);
		case TC_DIGIT:
			return 100 * ((n + 2) / 3);
		case TC_NEWLINE:
			return 100;
		case TC_SPACE:
			return COST_SPACE_EXTRA * (n - 1) + (next == TC_DIGIT ? COST_SPACE_BEFORE_DIGIT : 0);
		case TC_ASTRAL:
			return COST_ASTRAL * n;
		case TC_OTHER:
			return COST_OTHER * n;
		case TC_NONE:
			break;
	}
	return 0;
}

/*
 * The estimate of s[0..len) in hundredths of a token.  Runs never cross the end, so the cost
 * of text split at a class boundary is the sum of the costs of its parts (compress_context
 * relies on that for its sentence prefixes).
 */
static int64
EstimateHundredths(const char *s, int len)
{
	const unsigned char *p = (const unsigned char *) s;
	int64 total = 0;
	TokClass run = TC_NONE;
	int64 n = 0;
	int i = 0;

	while (i < len)
	{
		uint32 cp;
		TokClass cls;

		i += Utf8Next(p + i, len - i, &cp);
		cls = ClassOf(cp);
		if (cls == run)
		{
			n++;
			continue;
		}
		total += RunCost(run, n, cls);
		run = cls;
		n = 1;
	}
	return total + RunCost(run, n, TC_NONE);
}

static int
HundredthsToTokens(int64 h, bool empty)
{
	int64 t = (h + 50) / 100;

	if (empty)
		return 0;
	return (int) Min(Max(t, 1), PG_INT32_MAX);
}

static int
EstimateTokens(const char *s, int len)
{
	return HundredthsToTokens(EstimateHundredths(s, len), len == 0);
}

Datum
estimate_tokens(PG_FUNCTION_ARGS)
{
	text *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_INT32(EstimateTokens(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

/* ---- similarity ----------------------------------------------------------- */

/*
 * Dice coefficient over the multisets of character 4-grams of the normalised texts:
 * 2 |A ∩ B| / (|A| + |B|).  Character n-grams rather than word bigrams: a Russian reply that
 * repeats itself with other word endings ("модель"/"модели") or in another order still shares
 * most of them.  4 rather than 3: on debate replies trigrams scored unrelated English texts
 * 0.26 and two speakers on one topic 0.34 (" th", "ся " are everywhere), 4-grams 0.12 and 0.22,
 * while a reply with three words changed stays at 0.90 (tests/pgtap/91_session_c.sql).
 * Normalised = rt.normalize's base form (case folded Latin and Cyrillic, ё as е), letters and
 * digits kept, everything else a word break, words joined by one space, a space at both ends
 * (and one more after a one-letter text, so it has a 4-gram).  Each 4-gram is hashed to 64
 * bits (a collision is as likely as 2^-64 per pair), sorted and merged: O(n log n).
 */
#define SIMILARITY_MAX_BYTES 20000
#define GRAM 4

static int
CompareUint64(const void *a, const void *b)
{
	uint64 x = *(const uint64 *) a;
	uint64 y = *(const uint64 *) b;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/* splitmix64's finaliser */
static inline uint64
Mix64(uint64 x)
{
	x ^= x >> 30;
	x *= UINT64CONST(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64CONST(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* the sorted 4-gram hashes of s; *count of them */
static uint64 *
Grams(const char *s, int len, int *count)
{
	RtNormText norm;
	uint32 *w;
	int wlen = 0;
	uint64 *grams;
	int n = 0;

	len = Utf8Clip(s, len, SIMILARITY_MAX_BYTES);
	RtNormTextInit(&norm, len + 1);
	RtNormalize(s, len, false, &norm);

	/* words of letters and digits, one space between, a space at both ends */
	w = palloc(sizeof(uint32) * (norm.len + GRAM));
	w[wlen++] = ' ';
	for (int i = 0; i < norm.len; i++)
	{
		uint32 cp = norm.cp[i];

		if (RtIsWordCharFast(cp))
			w[wlen++] = cp;
		else if (w[wlen - 1] != ' ')
			w[wlen++] = ' ';
	}
	if (w[wlen - 1] != ' ')
		w[wlen++] = ' ';
	if (wlen == GRAM - 1)
		w[wlen++] = ' ';
	RtNormTextFree(&norm);

	grams = palloc(sizeof(uint64) * Max(wlen, 1));
	for (int i = 0; i + GRAM <= wlen; i++)
		grams[n++] = Mix64(((uint64) w[i] << 42 | (uint64) w[i + 1] << 21 | (uint64) w[i + 2]) ^
						   Mix64((uint64) w[i + 3] + 1));
	pfree(w);
	qsort(grams, n, sizeof(uint64), CompareUint64);
	*count = n;
	return grams;
}

static float8
Similarity(const char *a, int alen, const char *b, int blen)
{
	int na;
	int nb;
	uint64 *ta = Grams(a, alen, &na);
	uint64 *tb = Grams(b, blen, &nb);
	int i = 0;
	int j = 0;
	int common = 0;

	/* no letters or digits on either side: nothing tells them apart */
	if (na == 0 && nb == 0)
		return 1.0;
	while (i < na && j < nb)
	{
		if (ta[i] == tb[j])
			common++, i++, j++;
		else if (ta[i] < tb[j])
			i++;
		else
			j++;
	}
	pfree(ta);
	pfree(tb);
	return 2.0 * common / (na + nb);
}

Datum
text_similarity(PG_FUNCTION_ARGS)
{
	text *a = PG_GETARG_TEXT_PP(0);
	text *b = PG_GETARG_TEXT_PP(1);

	PG_RETURN_FLOAT8(
		Similarity(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b)));
}

/* ---- extractive context compression --------------------------------------- */

/*
 * Every turn costs its text's estimate plus TURN_OVERHEAD: the role and separators a chat
 * message adds (OpenAI counts 3-4 per message).
 */
#define TURN_OVERHEAD 4

typedef struct CtxTurn
{
	JsonbContainer *obj;
	const char *textkey; /* "content" or "text" */
	const char *text;
	int len;
	int round;
	bool pinned;  /* the topic (round <= 0) or the last round: never cut */
	int nsent;    /* sentences */
	int *ends;    /* byte offset after sentence k (k = 0..nsent-1) */
	int64 *costs; /* hundredths of the first k+1 sentences */
	int level;    /* sentences kept; nsent = all */
	bool dropped;
	int tokens; /* at the current level, with TURN_OVERHEAD */
} CtxTurn;

static bool
IsSpaceByte(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Sentence ends of t: after a run of . ! ? … and the closing quotes and brackets that follow
 * it, when whitespace or the end comes next; and before a newline.  Each sentence adds some
 * non-whitespace text.  Every end falls on a character class boundary of the estimator, so
 * the prefix costs are sums of segment costs, computed in one pass.
 */
static void
AddEnd(CtxTurn *t, int *cap, int end)
{
	if (t->nsent == *cap)
	{
		*cap *= 2;
		t->ends = repalloc(t->ends, sizeof(int) * *cap);
	}
	t->ends[t->nsent++] = end;
}

static bool
IsTerminator(uint32 cp)
{
	return cp == '.' || cp == '!' || cp == '?' || cp == 0x2026;
}

/* what may close a sentence after its terminator: ) ] " ' » ” ’ */
static bool
IsCloser(uint32 cp)
{
	return cp == ')' || cp == ']' || cp == '"' || cp == '\'' || cp == 0xBB || cp == 0x201D ||
		   cp == 0x2019;
}

static void
SplitSentences(CtxTurn *t)
{
	const unsigned char *p = (const unsigned char *) t->text;
	int len = t->len;
	int cap = 8;
	bool content = false; /* non-whitespace since the previous end */
	int i = 0;

	t->ends = palloc(sizeof(int) * cap);
	t->nsent = 0;
	while (i < len)
	{
		uint32 cp;
		int n = Utf8Next(p + i, len - i, &cp);

		if (cp == '\n')
		{
			if (content)
				AddEnd(t, &cap, i);
			content = false;
			i += n;
		}
		else if (IsTerminator(cp))
		{
			int j = i + n;

			while (j < len)
			{
				uint32 c2;
				int n2 = Utf8Next(p + j, len - j, &c2);

				if (!IsTerminator(c2) && !IsCloser(c2))
					break;
				j += n2;
			}
			content = true;
			if (j == len || IsSpaceByte(t->text[j]))
			{
				AddEnd(t, &cap, j);
				content = false;
			}
			i = j;
		}
		else
		{
			if (!IsSpaceByte((char) cp) || cp > 0x7F)
				content = true;
			i += n;
		}
	}
	if (content)
		AddEnd(t, &cap, len);

	t->costs = palloc(sizeof(int64) * Max(t->nsent, 1));
	for (int k = 0, start = 0; k < t->nsent; k++)
	{
		t->costs[k] =
			(k > 0 ? t->costs[k - 1] : 0) + EstimateHundredths(t->text + start, t->ends[k] - start);
		start = t->ends[k];
	}
}

/* tokens of t with level sentences (the whole text when level = nsent), TURN_OVERHEAD included */
static int
TurnTokens(const CtxTurn *t, int level)
{
	if (level >= t->nsent)
		return TURN_OVERHEAD + EstimateTokens(t->text, t->len);
	return TURN_OVERHEAD + HundredthsToTokens(t->costs[level - 1], t->ends[level - 1] == 0);
}

static void CtxError(int i, const char *what) pg_attribute_noreturn();

static void
CtxError(int i, const char *what)
{
	ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("turns[%d] %s", i, what));
}

static void
ReadTurn(JsonbValue *e, int i, CtxTurn *t)
{
	JsonbValue buf;
	JsonbValue *v;
	char *s;
	char *end;
	long r;

	memset(t, 0, sizeof(*t));
	if (e->type != jbvBinary || !JsonContainerIsObject(e->val.binary.data))
		CtxError(i, "must be an object");
	t->obj = e->val.binary.data;

	t->textkey = "content";
	v = getKeyJsonValueFromContainer(t->obj, "content", 7, &buf);
	if (v == NULL)
	{
		t->textkey = "text";
		v = getKeyJsonValueFromContainer(t->obj, "text", 4, &buf);
	}
	if (v == NULL || v->type != jbvString)
	{
		CtxError(i, "needs a string \"content\" (or \"text\")");
		return; /* not reached: tells cppcheck that v is set below */
	}
	t->text = v->val.string.val;
	t->len = v->val.string.len;

	v = getKeyJsonValueFromContainer(t->obj, "round", 5, &buf);
	if (v == NULL || v->type != jbvNumeric)
	{
		CtxError(i, "needs an integer \"round\"");
		return; /* not reached */
	}
	s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	errno = 0;
	r = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || r < PG_INT32_MIN || r > PG_INT32_MAX)
	{
		CtxError(i, "needs an integer \"round\"");
		return; /* not reached */
	}
	t->round = (int) r;
}

/* one turn as the output has it: the object with its text cut to level sentences */
static void
PushTurn(JsonbParseState **st, const CtxTurn *t)
{
	bool cut = !t->pinned && t->level < t->nsent;
	JsonbIterator *it = JsonbIteratorInit(t->obj);
	JsonbValue k;
	JsonbValue v;
	JsonbIteratorToken tok;

	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &v, true);
		if (cut && k.val.string.len == 10 && strncmp(k.val.string.val, "compressed", 10) == 0)
			continue;
		pushJsonbValue(st, WJB_KEY, &k);
		if (cut && k.val.string.len == (int) strlen(t->textkey) &&
			strncmp(k.val.string.val, t->textkey, k.val.string.len) == 0)
		{
			v.type = jbvString;
			v.val.string.val = (char *) t->text;
			v.val.string.len = t->level > 0 ? t->ends[t->level - 1] : 0;
		}
		pushJsonbValue(st, WJB_VALUE, &v);
	}
	if (cut)
	{
		k.type = jbvString;
		k.val.string.val = "compressed";
		k.val.string.len = 10;
		pushJsonbValue(st, WJB_KEY, &k);
		v.type = jbvBool;
		v.val.boolean = true;
		pushJsonbValue(st, WJB_VALUE, &v);
	}
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

static void
PushKey(JsonbParseState **st, const char *key)
{
	JsonbValue k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(st, WJB_KEY, &k);
}

Datum
compress_context(PG_FUNCTION_ARGS)
{
	Jsonb *turns = PG_GETARG_JSONB_P(0);
	int32 budget = PG_GETARG_INT32(1);
	int count;
	CtxTurn *t;
	int last_round = PG_INT32_MIN;
	int max_sent = 0;
	int64 total = 0;
	int dropped = 0;
	bool changed = false;
	JsonbParseState *st = NULL;
	JsonbValue v;
	JsonbValue *res;

	if (!JB_ROOT_IS_ARRAY(turns) || JB_ROOT_IS_SCALAR(turns))
		ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg("turns must be a json array"));
	if (budget < 0)
		ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg("budget must not be negative"));

	count = JsonContainerSize(&turns->root);
	t = palloc0(sizeof(CtxTurn) * Max(count, 1));
	for (int i = 0; i < count; i++)
	{
		ReadTurn(getIthJsonbValueFromContainer(&turns->root, i), i, &t[i]);
		last_round = Max(last_round, t[i].round);
	}
	for (int i = 0; i < count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		t[i].pinned = t[i].round <= 0 || t[i].round == last_round;
		SplitSentences(&t[i]);
		t[i].level = t[i].nsent;
		t[i].tokens = TurnTokens(&t[i], t[i].level);
		total += t[i].tokens;
		if (!t[i].pinned)
			max_sent = Max(max_sent, t[i].nsent);
	}

	/*
	 * Fewer sentences for every older turn, oldest first, one sentence at a time.  Only the turns
	 * longer than keep take part in a pass (active, rebuilt when more turns reach keep), so the
	 * work is bounded by the number of sentences, not by the longest turn times the turns.
	 */
	if (total > budget && max_sent > 1)
	{
		int *longer = palloc0(sizeof(int) * (max_sent + 1)); /* older turns with n sentences */
		int *active = palloc(sizeof(int) * count);
		int nactive = 0;
		bool rebuild = true;

		for (int i = 0; i < count; i++)
			if (!t[i].pinned)
				longer[t[i].nsent]++;
		for (int keep = max_sent - 1; keep >= 1 && total > budget; keep--)
		{
			CHECK_FOR_INTERRUPTS();
			if (rebuild)
			{
				nactive = 0;
				for (int i = 0; i < count; i++)
					if (!t[i].pinned && t[i].nsent > keep)
						active[nactive++] = i;
			}
			for (int a = 0; a < nactive && total > budget; a++)
			{
				CtxTurn *x = &t[active[a]];

				total -= x->tokens;
				x->level = keep;
				x->tokens = TurnTokens(x, keep);
				total += x->tokens;
				changed = true;
			}
			rebuild = longer[keep] > 0; /* they join the next pass */
		}
	}
	/* one sentence each is still too much: the oldest older turns go */
	for (int i = 0; i < count && total > budget; i++)
	{
		if (t[i].pinned)
			continue;
		total -= t[i].tokens;
		t[i].dropped = true;
		dropped++;
		changed = true;
	}

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	PushKey(&st, "turns");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < count; i++)
		if (!t[i].dropped)
			PushTurn(&st, &t[i]);
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);
	PushKey(&st, "tokens");
	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(total);
	pushJsonbValue(&st, WJB_VALUE, &v);
	PushKey(&st, "compressed");
	v.type = jbvBool;
	v.val.boolean = changed;
	pushJsonbValue(&st, WJB_VALUE, &v);
	PushKey(&st, "dropped");
	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(dropped);
	pushJsonbValue(&st, WJB_VALUE, &v);
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);

	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}
