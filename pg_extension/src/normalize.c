/*
 * normalize.c
 *	  rt.normalize(text, evasion): the base and skeleton (evasion) forms of a text that the
 *	  matcher compares patterns against (see normalize.h for what each form does).
 *
 * Everything below RT_NORM_TABLE_LIMIT goes through three 0x500-entry tables built once per
 * backend, so the hot path is a table load per character; higher code points (punctuation,
 * emoji, CJK) are classified by range.
 */
#include "postgres.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "normalize.h"

PG_FUNCTION_INFO_V1(normalize);

/* longest separator run (in base characters) between two single letters that are joined */
#define JOIN_MAX_SEPARATOR 3

/* Cyrillic letters the skeleton uses as the canonical form of look-alikes */
#define CYR_A 0x0430
#define CYR_BE 0x0431
#define CYR_VE 0x0432
#define CYR_GHE 0x0433
#define CYR_IE 0x0435
#define CYR_ZE 0x0437
#define CYR_I 0x0438
#define CYR_SHORT_I 0x0439
#define CYR_KA 0x043A
#define CYR_EM 0x043C
#define CYR_EN 0x043D
#define CYR_O 0x043E
#define CYR_PE 0x043F
#define CYR_ER 0x0440
#define CYR_ES 0x0441
#define CYR_TE 0x0442
#define CYR_U 0x0443
#define CYR_HA 0x0445
#define CYR_SHA 0x0448
#define CYR_HARD 0x044A
#define CYR_SOFT 0x044C
#define CYR_IO 0x0451

typedef enum CharClass
{
	CC_SEP,
	CC_LETTER,
	CC_DIGIT,
	CC_SYMBOL
} CharClass;

/*
 * The script a letter votes for when a word's digits and symbols are read. A weak letter has a
 * look-alike in the other script (Latin a/c/e/o..., Cyrillic а/с/е/о...); strong letters
 * decide, weak ones break a tie (decision 007).
 */
typedef enum Script
{
	SCRIPT_NONE = 0,
	SCRIPT_LATIN_STRONG,
	SCRIPT_LATIN_WEAK,
	SCRIPT_CYR_STRONG,
	SCRIPT_CYR_WEAK
} Script;

/* base_tab entries that are not code points */
#define BASE_SKIP 0xFFFFFFFFU
#define BASE_SPACE 0xFFFFFFFEU

static bool tables_ready = false;
static uint16 fold_tab[RT_NORM_TABLE_LIMIT];
static uint32 base_tab[RT_NORM_TABLE_LIMIT];  /* folded code point, BASE_SKIP or BASE_SPACE */
static uint8 class_tab[RT_NORM_TABLE_LIMIT];  /* CharClass of a folded code point */
static uint16 skel_tab[RT_NORM_TABLE_LIMIT];  /* skeleton reading in a Latin word (and alone) */
static uint16 cyr_tab[RT_NORM_TABLE_LIMIT];   /* skeleton reading in a Cyrillic word */
static uint8 script_tab[RT_NORM_TABLE_LIMIT]; /* Script of a folded letter */
static bool amb_tab[RT_NORM_TABLE_LIMIT];     /* skel_tab and cyr_tab differ: the script matters */
bool rt_word_tab[RT_NORM_TABLE_LIMIT];
#define word_tab rt_word_tab

static void
FoldPairs(uint32 from, uint32 to, bool upper_even)
{
	uint32 c;

	for (c = from; c + 1 <= to; c++)
		if ((c % 2 == 0) == upper_even)
			fold_tab[c] = (uint16) (c + 1);
}

static void
SkelMap(const char *latin, uint32 target)
{
	for (; *latin; latin++)
		skel_tab[(unsigned char) *latin] = (uint16) target;
}

static void
BuildTables(void)
{
	uint32 c;

	for (c = 0; c < RT_NORM_TABLE_LIMIT; c++)
	{
		fold_tab[c] = (uint16) c;
		word_tab[c] = false;
	}

	/* case folding */
	for (c = 'A'; c <= 'Z'; c++)
		fold_tab[c] = (uint16) (c + 32);
	for (c = 0xC0; c <= 0xDE; c++)
		if (c != 0xD7)
			fold_tab[c] = (uint16) (c + 32);
	FoldPairs(0x100, 0x137, true);
	FoldPairs(0x139, 0x148, false);
	FoldPairs(0x14A, 0x177, true);
	fold_tab[0x178] = 0xFF;
	FoldPairs(0x179, 0x17E, false);
	fold_tab[0x130] = 'i';
	for (c = 0x391; c <= 0x3A9; c++)
		if (c != 0x3A2)
			fold_tab[c] = (uint16) (c + 32);
	fold_tab[0x3C2] = 0x3C3; /* final sigma */
	for (c = 0x400; c <= 0x40F; c++)
		fold_tab[c] = (uint16) (c + 80);
	for (c = 0x410; c <= 0x42F; c++)
		fold_tab[c] = (uint16) (c + 32);
	FoldPairs(0x460, 0x481, true);
	FoldPairs(0x48A, 0x4BF, true);
	fold_tab[0x4C0] = 0x4CF;
	FoldPairs(0x4C1, 0x4CE, false);
	FoldPairs(0x4D0, 0x4FF, true);
	/* ё, Ё (and the rare ѐ) read as е */
	for (c = 0; c < RT_NORM_TABLE_LIMIT; c++)
		if (fold_tab[c] == CYR_IO || fold_tab[c] == 0x450)
			fold_tab[c] = CYR_IE;

	/* letters and digits: what a word boundary is not */
	for (c = '0'; c <= '9'; c++)
		word_tab[c] = true;
	for (c = 'a'; c <= 'z'; c++)
		word_tab[c] = word_tab[c - 32] = true;
	word_tab[0xAA] = word_tab[0xB5] = word_tab[0xBA] = true;
	for (c = 0xC0; c < 0x370; c++)
		word_tab[c] = (c != 0xD7 && c != 0xF7);
	for (c = 0x370; c < 0x400; c++)
		word_tab[c] = (c != 0x375 && c != 0x37E && c != 0x384 && c != 0x385 && c != 0x387);
	for (c = 0x400; c < RT_NORM_TABLE_LIMIT; c++)
		word_tab[c] = (c != 0x482);

	/* skeleton: look-alikes and accented letters onto one alphabet (applied after folding) */
	for (c = 0; c < RT_NORM_TABLE_LIMIT; c++)
		skel_tab[c] = (uint16) c;
	SkelMap("a\xe0\xe1\xe2\xe3\xe4\xe5", CYR_A);
	SkelMap("b", CYR_VE);
	SkelMap("c\xe7", CYR_ES);
	SkelMap("e\xe8\xe9\xea\xeb", CYR_IE);
	SkelMap("h", CYR_EN);
	SkelMap("k", CYR_KA);
	SkelMap("m", CYR_EM);
	SkelMap("n\xf1", CYR_PE);
	SkelMap("o\xf2\xf3\xf4\xf5\xf6\xf8", CYR_O);
	SkelMap("p", CYR_ER);
	SkelMap("r", CYR_GHE);
	SkelMap("t", CYR_TE);
	SkelMap("u\xf9\xfa\xfb\xfc", CYR_I);
	SkelMap("w", CYR_SHA);
	SkelMap("x", CYR_HA);
	SkelMap("y\xfd\xff", CYR_U);
	SkelMap("l\xec\xed\xee\xef", 'i');
	skel_tab[0x455] = 's';     /* ѕ */
	skel_tab[0x456] = 'i';     /* і */
	skel_tab[0x457] = 'i';     /* ї */
	skel_tab[0x458] = 'j';     /* ј */
	skel_tab[0x454] = CYR_IE;  /* є */
	skel_tab[CYR_ZE] = CYR_IE; /* з and 3 and е share a class: "3" stands for both */
	skel_tab[CYR_SHORT_I] = CYR_I;
	skel_tab[CYR_HARD] = CYR_SOFT;
	skel_tab[0x45E] = CYR_U;   /* ў */
	skel_tab[0x491] = CYR_GHE; /* ґ */
	skel_tab[0x3B1] = CYR_A;   /* Greek α ε ι κ ο ρ τ χ */
	skel_tab[0x3B5] = CYR_IE;
	skel_tab[0x3B9] = 'i';
	skel_tab[0x3BA] = CYR_KA;
	skel_tab[0x3BF] = CYR_O;
	skel_tab[0x3C1] = CYR_ER;
	skel_tab[0x3C4] = CYR_TE;
	skel_tab[0x3C7] = CYR_HA;
	/* digits and symbols read as letters (only inside words that have a letter) */
	skel_tab['0'] = CYR_O;
	skel_tab['1'] = 'i';
	skel_tab['3'] = CYR_IE;
	skel_tab['4'] = CYR_A;
	skel_tab['5'] = 's';
	skel_tab['6'] = CYR_BE;
	skel_tab['7'] = CYR_TE;
	skel_tab['8'] = CYR_VE;
	skel_tab['@'] = CYR_A;
	skel_tab['$'] = 's';
	skel_tab['!'] = 'i';
	skel_tab['|'] = 'i';

	/*
	 * Inside a Cyrillic word the i-class (1 ! | i l і ї ι) reads as и and $ as с: "к@з1н0" is
	 * казино, where a Latin word keeps 1 as i ("c@s1n0" is casino).
	 */
	for (c = 0; c < RT_NORM_TABLE_LIMIT; c++)
		cyr_tab[c] = skel_tab[c] == 'i' ? CYR_I : skel_tab[c];
	cyr_tab['$'] = CYR_ES;
	for (c = 0; c < RT_NORM_TABLE_LIMIT; c++)
		amb_tab[c] = skel_tab[c] != cyr_tab[c];

	/* scripts: a Latin letter with a Cyrillic reading is weak, and so is its Cyrillic target */
	for (c = 0; c < RT_NORM_TABLE_LIMIT; c++)
		script_tab[c] = SCRIPT_NONE;
	for (c = 0; c < RT_NORM_TABLE_LIMIT; c++)
	{
		if (!word_tab[c] || c < 'a' || (c > 'z' && c < 0xC0) || c >= 0x250)
			continue;
		if (fold_tab[c] != c)
			continue; /* upper case never reaches the skeleton */
		if ((skel_tab[c] >= 0x400 && skel_tab[c] < 0x500) || skel_tab[c] == 'i')
			script_tab[c] = SCRIPT_LATIN_WEAK;
		else
			script_tab[c] = SCRIPT_LATIN_STRONG;
	}
	for (c = 0x400; c < 0x500; c++)
		if (word_tab[c] && fold_tab[c] == c)
			script_tab[c] = SCRIPT_CYR_STRONG;
	for (c = 'a'; c <= 0x24F; c++)
		if (script_tab[c] == SCRIPT_LATIN_WEAK && skel_tab[c] >= 0x400 && skel_tab[c] < 0x500)
			script_tab[skel_tab[c]] = SCRIPT_CYR_WEAK;
	script_tab[0x456] = script_tab[0x457] = SCRIPT_CYR_WEAK; /* і ї */

	for (c = 0; c < RT_NORM_TABLE_LIMIT; c++)
	{
		base_tab[c] = fold_tab[c];
		class_tab[c] = word_tab[c] ? CC_LETTER : CC_SEP;
	}
	for (c = '0'; c <= '9'; c++)
		class_tab[c] = CC_DIGIT;
	class_tab['@'] = class_tab['$'] = class_tab['!'] = class_tab['|'] = CC_SYMBOL;
	for (c = 0; c <= ' '; c++)
		base_tab[c] = (c == ' ' || (c >= '\t' && c <= '\r')) ? BASE_SPACE : c;
	base_tab[0x85] = base_tab[0xA0] = BASE_SPACE;
	base_tab[0xAD] = BASE_SKIP;

	tables_ready = true;
}

bool
RtIsWordChar(uint32 cp)
{
	if (cp < RT_NORM_TABLE_LIMIT)
	{
		if (unlikely(!tables_ready))
			BuildTables();
		return word_tab[cp];
	}
	if (cp >= 0x2000 && cp <= 0x2BFF)
		return false; /* punctuation, symbols, arrows, maths, boxes */
	if (cp >= 0x3000 && cp <= 0x303F)
		return false;
	if (cp >= 0xE000 && cp <= 0xF8FF)
		return false;
	if (cp >= 0xFE00 && cp <= 0xFE6F)
		return false;
	if (cp >= 0xFF00 && cp <= 0xFF65)
		return (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
			   (cp >= 0xFF41 && cp <= 0xFF5A);
	if (cp >= 0x1F000 && cp <= 0x1FAFF)
		return false; /* emoji */
	return true;
}

static inline bool
IsZeroWidth(uint32 cp)
{
	return cp == 0xAD || (cp >= 0x200B && cp <= 0x200D) || (cp >= 0x2060 && cp <= 0x2064) ||
		   cp == 0xFEFF || cp == 0x180E;
}

static inline bool
IsSpace(uint32 cp)
{
	if (cp < 0x80)
		return cp == ' ' || (cp >= '\t' && cp <= '\r');
	return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
		   cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

static inline uint32
Fold(uint32 cp)
{
	if (cp < RT_NORM_TABLE_LIMIT)
		return fold_tab[cp];
	if (cp >= 0xFF01 && cp <= 0xFF5E)
	{
		/* fullwidth forms: letters and digits to ASCII, lower case */
		if (cp >= 0xFF21 && cp <= 0xFF3A)
			return cp - 0xFF21 + 'a';
		if (cp >= 0xFF41 && cp <= 0xFF5A)
			return cp - 0xFF41 + 'a';
		if (cp >= 0xFF10 && cp <= 0xFF19)
			return cp - 0xFF10 + '0';
	}
	return cp;
}

void
RtNormTextInit(RtNormText *t, int cap)
{
	t->cap = Max(cap, 16);
	t->cp = palloc(sizeof(uint32) * t->cap);
	t->runs = palloc(t->cap);
	t->soft = palloc(t->cap);
	t->len = 0;
	t->has_run = false;
	t->has_soft = false;
}

void
RtNormTextFree(RtNormText *t)
{
	pfree(t->cp);
	pfree(t->runs);
	pfree(t->soft);
	t->cp = NULL;
	t->runs = NULL;
	t->soft = NULL;
	t->len = t->cap = 0;
}

static void
Reserve(RtNormText *t, int need)
{
	if (need <= t->cap)
		return;
	while (t->cap < need)
		t->cap *= 2;
	t->cp = repalloc(t->cp, sizeof(uint32) * t->cap);
	t->runs = repalloc(t->runs, t->cap);
	t->soft = repalloc(t->soft, t->cap);
}

/* the base form; out must have room for len code points */
static void
NormalizeBase(const char *s, int len, RtNormText *out)
{
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + len;
	uint32 *o = out->cp;
	int n = 0;

	while (p < end)
	{
		uint32 c = *p;
		uint32 v;

		if (c < 0x80)
		{
			p++;
			v = base_tab[c];
		}
		else if ((c & 0xE0) == 0xC0 && p + 1 < end)
		{
			/* two bytes: Latin-1, Latin Extended, Greek, Cyrillic */
			v = base_tab[((c & 0x1F) << 6) | (p[1] & 0x3F)];
			p += 2;
		}
		else
		{
			int l = pg_utf_mblen(p);

			if (unlikely(p + l > end))
				break; /* truncated sequence: the text type never holds one */
			c = utf8_to_unicode(p);
			p += l;
			v = IsZeroWidth(c) ? BASE_SKIP : (IsSpace(c) ? BASE_SPACE : Fold(c));
		}
		if (likely(v < BASE_SPACE))
			o[n++] = v;
		else if (v == BASE_SPACE && n > 0 && o[n - 1] != ' ')
			o[n++] = ' ';
	}
	if (n > 0 && o[n - 1] == ' ')
		n--;
	out->len = n;
	out->has_run = false;
	out->has_soft = false;
}

static inline CharClass
Classify(uint32 cp)
{
	if (likely(cp < RT_NORM_TABLE_LIMIT))
		return (CharClass) class_tab[cp];
	return RtIsWordChar(cp) ? CC_LETTER : CC_SEP;
}

/*
 * Is the word b[start..stop) Cyrillic? Strong letters (no look-alike in the other script)
 * decide; weak ones break a tie; a word with neither reads as Latin.
 */
static bool
WordIsCyrillic(const uint32 *b, int start, int stop)
{
	int strong = 0; /* Cyrillic minus Latin */
	int weak = 0;
	int k;

	for (k = start; k < stop; k++)
	{
		uint32 c = b[k];

		if (c >= RT_NORM_TABLE_LIMIT)
			continue;
		switch ((Script) script_tab[c])
		{
			case SCRIPT_CYR_STRONG:
				strong++;
				break;
			case SCRIPT_LATIN_STRONG:
				strong--;
				break;
			case SCRIPT_CYR_WEAK:
				weak++;
				break;
			case SCRIPT_LATIN_WEAK:
				weak--;
				break;
			case SCRIPT_NONE:
				break;
		}
	}
	if (strong != 0)
		return strong > 0;
	return weak > 0;
}

/*
 * Is the single-character token at b[from] the start of a word spelled out character by
 * character ("к а з 1 н о", "v 1 a g r a")? The run is every following one-character token
 * separated by at most JOIN_MAX_SEPARATOR characters; it is a word when it has two letters or
 * more and more letters than digits and symbols. Then *end is the base position after the
 * run and *cyr its script, so its digits and symbols read as letters of that script.
 */
static bool
SpelledRun(const uint32 *b, int n, int from, int *end, bool *cyr)
{
	int pos = from;
	int letters = 0;
	int others = 0;
	int strong = 0;
	int weak = 0;

	*end = from + 1;
	for (;;)
	{
		int e = pos;
		int gap = 0;

		while (e < n && Classify(b[e]) != CC_SEP)
			e++;
		if (e - pos != 1)
			break;
		if (Classify(b[pos]) == CC_LETTER)
		{
			letters++;
			if (b[pos] < RT_NORM_TABLE_LIMIT)
			{
				Script sc = (Script) script_tab[b[pos]];

				strong += (sc == SCRIPT_CYR_STRONG) - (sc == SCRIPT_LATIN_STRONG);
				weak += (sc == SCRIPT_CYR_WEAK) - (sc == SCRIPT_LATIN_WEAK);
			}
		}
		else
			others++;
		*end = e;
		while (e < n && Classify(b[e]) == CC_SEP && gap <= JOIN_MAX_SEPARATOR)
			e++, gap++;
		if (e >= n || gap > JOIN_MAX_SEPARATOR)
			break;
		pos = e;
	}
	*cyr = strong != 0 ? strong > 0 : weak > 0;
	return letters >= 2 && letters > others;
}

/*
 * A joined run of single letters just ended: with three or more letters, the first and the
 * last may be one-letter words glued to a spelled-out word ("в к а з и н о", "к а з и н о и"),
 * so a word may also start at the second letter and end at the letter before the last. A
 * letter squeezed into its neighbour's position gets no soft boundary.
 */
static inline void
MarkSoft(RtNormText *out, int letters, int first, int second, int prev, int last)
{
	if (letters < 3)
		return;
	if (second == first + 1)
	{
		out->soft[second] |= RT_SOFT_BEFORE;
		out->has_soft = true;
	}
	if (prev >= 0 && last == prev + 1)
	{
		out->soft[prev] |= RT_SOFT_AFTER;
		out->has_soft = true;
	}
}

/*
 * The skeleton of a base form. Tokens are runs of letters, digits and @ $ ! | (a leading or
 * trailing ! or | is punctuation); in a token with a letter every character goes through
 * skel_tab (cyr_tab in a Cyrillic word), in one without (a number) symbols become separators
 * and digits stay.
 */
static void
Skeletonize(const RtNormText *base, RtNormText *out)
{
	const uint32 *b = base->cp;
	uint32 *o = out->cp;
	uint8 *runs = out->runs;
	uint8 *soft = out->soft;
	int n = base->len;
	int len = 0;
	bool has_run = false;
	int i = 0;
	int prev_token_len = -1; /* skeleton letters of the previous token, -1 before the first */
	int sep = 0;             /* base characters since the previous token */
	/* the current run of joined single letters: count, positions of its first, second,
	 * next-to-last and last letters */
	int run_letters = 0;
	int spelled_end = 0; /* base position after the current spelled-out word (SpelledRun) */
	bool spelled = false;
	bool spelled_cyr = false;
	int run_first = -1;
	int run_second = -1;
	int run_prev = -1;
	int run_last = -1;

	out->has_soft = false;

/* appends c, squeezing a repeat of the previous letter into its run */
#define SKEL_EMIT(ch)                                                                              \
	do                                                                                             \
	{                                                                                              \
		uint32 ch_ = (ch);                                                                         \
		if (len > 0 && o[len - 1] == ch_ && ch_ != ' ')                                            \
		{                                                                                          \
			if (runs[len - 1] < RT_NORM_MAX_RUN)                                                   \
				runs[len - 1]++;                                                                   \
			has_run = true;                                                                        \
		}                                                                                          \
		else                                                                                       \
		{                                                                                          \
			o[len] = ch_;                                                                          \
			soft[len] = 0;                                                                         \
			runs[len++] = 1;                                                                       \
		}                                                                                          \
	} while (0)

	while (i < n)
	{
		int start;
		int stop;
		int k;
		bool has_letter = false;
		bool has_digit = false;
		int money = 0; /* @ and $ */
		int emitted = 0;
		bool join;
		bool ambiguous = false; /* some character reads differently in the two scripts */
		CharClass cc = Classify(b[i]);

		if (cc == CC_SEP)
		{
			sep++;
			i++;
			continue;
		}
		start = i;
		do
		{
			has_letter |= (cc == CC_LETTER);
			has_digit |= (cc == CC_DIGIT);
			money += (cc == CC_SYMBOL && (b[i] == '@' || b[i] == '$'));
			ambiguous |= (b[i] < RT_NORM_TABLE_LIMIT && amb_tab[b[i]]);
			i++;
		} while (i < n && (cc = Classify(b[i])) != CC_SEP);
		stop = i;
		/* "@$$" reads as a word too; "100$" stays a number */
		if (!has_digit && money >= 2)
			has_letter = true;
		while (start < stop && (b[start] == '!' || b[start] == '|'))
			start++, sep++;
		while (stop > start && (b[stop - 1] == '!' || b[stop - 1] == '|'))
			stop--;
		if (start == stop)
			continue;
		if (stop - start == 1)
		{
			if (start >= spelled_end)
				spelled = SpelledRun(b, n, start, &spelled_end, &spelled_cyr);
			if (spelled)
				has_letter = true; /* a digit or symbol spelled out inside a word */
		}

		/* a single letter after a single letter and a short separator: "s p a m" */
		join = len > 0 && o[len - 1] != ' ' && prev_token_len == 1 && sep <= JOIN_MAX_SEPARATOR &&
			   stop - start == 1;
		if (!join)
		{
			MarkSoft(out, run_letters, run_first, run_second, run_prev, run_last);
			run_letters = 0;
		}
		if (len > 0 && o[len - 1] != ' ' && !join)
			SKEL_EMIT(' ');
		if (has_letter)
		{
			bool cyr = false;
			const uint16 *tab;

			if (stop - start == 1 && spelled)
				cyr = spelled_cyr;
			else if (ambiguous)
				cyr = WordIsCyrillic(b, start, stop); /* only when it changes the reading */
			tab = cyr ? cyr_tab : skel_tab;

			for (k = start; k < stop; k++)
			{
				uint32 c = b[k];

				SKEL_EMIT(c < RT_NORM_TABLE_LIMIT ? tab[c] : c);
			}
			emitted = stop - start;
		}
		else
		{
			bool split = false;

			for (k = start; k < stop; k++)
			{
				uint32 c = b[k];

				if (Classify(c) == CC_SYMBOL)
				{
					/* a symbol inside a number splits it, like punctuation */
					if (emitted > 0)
					{
						prev_token_len = emitted;
						emitted = 0;
						sep = 1;
						split = true;
					}
					continue;
				}
				if (split)
				{
					SKEL_EMIT(' ');
					split = false;
				}
				SKEL_EMIT(c);
				emitted++;
			}
		}
		if (emitted > 0)
		{
			prev_token_len = stop - start;
			sep = 0;
			if (stop - start == 1)
			{
				/* where this letter landed (its neighbour's position when squeezed) */
				int at = len - 1;

				if (join && run_letters > 0)
				{
					if (++run_letters == 2)
						run_second = (at != run_last) ? at : -1;
					run_prev = run_last;
					run_last = at;
				}
				else
				{
					run_letters = 1;
					run_first = run_last = at;
					run_second = run_prev = -1;
				}
			}
			else
				run_letters = 0;
		}
	}
#undef SKEL_EMIT
	MarkSoft(out, run_letters, run_first, run_second, run_prev, run_last);
	if (len > 0 && o[len - 1] == ' ')
		len--;
	out->len = len;
	out->has_run = has_run;
}

void
RtNormalize(const char *s, int len, bool evasion, RtNormText *out)
{
	if (unlikely(!tables_ready))
		BuildTables();
	Reserve(out, len + 1);
	if (!evasion)
	{
		NormalizeBase(s, len, out);
		return;
	}
	else
	{
		RtNormText base;

		RtNormTextInit(&base, len + 1);
		NormalizeBase(s, len, &base);
		/* joining only removes characters, so the skeleton fits in len */
		Skeletonize(&base, out);
		RtNormTextFree(&base);
	}
}

/* the skeleton of an already normalised base form (saves normalising twice) */
void
RtSkeletonFromBase(const RtNormText *base, RtNormText *out)
{
	Reserve(out, base->len + 1);
	Skeletonize(base, out);
}

char *
RtNormTextToCString(const RtNormText *t)
{
	char *buf = palloc(t->len * 4 + 1);
	unsigned char *p = (unsigned char *) buf;
	int i;

	for (i = 0; i < t->len; i++)
	{
		unicode_to_utf8(t->cp[i], p);
		p += pg_utf_mblen(p);
	}
	*p = '\0';
	return buf;
}

/* rt.normalize(text, evasion bool DEFAULT false) -> text */
Datum
normalize(PG_FUNCTION_ARGS)
{
	text *in = PG_GETARG_TEXT_PP(0);
	bool evasion = PG_GETARG_BOOL(1);
	RtNormText t;

	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR, errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				errmsg("rt.normalize needs a UTF8 database"));
	RtNormTextInit(&t, VARSIZE_ANY_EXHDR(in) + 1);
	RtNormalize(VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in), evasion, &t);
	PG_RETURN_TEXT_P(cstring_to_text(RtNormTextToCString(&t)));
}
