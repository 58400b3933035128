/*
 * normalize.h
 *	  Text normalisation shared by the matcher, playbooks and moderation.
 *
 * Two forms, both sequences of Unicode code points:
 *	- base: case folded (Latin, Latin-1/Extended-A, Greek, Cyrillic incl. Ukrainian and
 *	  Belarusian letters, fullwidth Latin), ё -> е, zero-width characters removed, whitespace
 *	  runs folded to one space and trimmed;
 *	- skeleton (evasion): the base form with Latin/Cyrillic look-alikes mapped to one alphabet,
 *	  digits and @ $ ! | read as letters inside words that contain a letter, in the script of
 *	  that word ("к@з1н0": 1 is и; "c@s1n0": 1 is i), punctuation turned into spaces, single
 *	  letters split by short separators joined ("s p a m"), and repeated letters squeezed, each
 *	  position remembering how many letters it stands for (runs). A joined run of three or more
 *	  single letters also marks soft word boundaries one letter in from each end (soft), so a
 *	  one-letter word glued to a spelled-out word ("в к а з и н о") can be read with or without
 *	  it.
 */
#ifndef NORMALIZE_H
#define NORMALIZE_H

#include "postgres.h"

#include "fmgr.h"

/* code points below this limit (all of 1- and 2-byte UTF-8) use lookup tables; above it,
 * rules by range */
#define RT_NORM_TABLE_LIMIT 0x800

/* most letters one skeleton position may stand for (runs are saturated here) */
#define RT_NORM_MAX_RUN 255

/* soft flags of a skeleton position: a word may start here / end here although the
 * neighbouring position holds a letter (the neighbour is a one-letter word joined into a run
 * of single letters) */
#define RT_SOFT_BEFORE 1
#define RT_SOFT_AFTER 2

/*
 * A normalised text. cp and runs are grown with repalloc, so they live in the memory context
 * of their first allocation (RtNormTextInit).
 */
typedef struct RtNormText
{
	uint32 *cp;    /* code points */
	uint8 *runs;   /* skeleton only: letters each position stands for (1 = not squeezed) */
	uint8 *soft;   /* skeleton only: RT_SOFT_* flags per position, valid when has_soft */
	int len;       /* used */
	int cap;       /* allocated */
	bool has_run;  /* skeleton only: some run is above 1 */
	bool has_soft; /* skeleton only: some position has a soft flag */
} RtNormText;

extern void RtNormTextInit(RtNormText *t, int cap);
extern void RtNormTextFree(RtNormText *t);
extern void RtNormalize(const char *s, int len, bool evasion, RtNormText *out);
extern void RtSkeletonFromBase(const RtNormText *base, RtNormText *out);
extern bool RtIsWordChar(uint32 cp);

/* letters and digits below RT_NORM_TABLE_LIMIT; valid once RtNormalize has run */
extern bool rt_word_tab[RT_NORM_TABLE_LIMIT];

static inline bool
RtIsWordCharFast(uint32 cp)
{
	return cp < RT_NORM_TABLE_LIMIT ? rt_word_tab[cp] : RtIsWordChar(cp);
}
extern char *RtNormTextToCString(const RtNormText *t);

/*
 * May a bounded (word, phrase) match cover positions start..end of t? The neighbours must not
 * be letters or digits, unless a soft flag says the neighbour is a one-letter word joined into
 * a spelled-out run.
 */
static inline bool
RtBoundedAt(const RtNormText *t, int start, int end)
{
	if (start > 0 && RtIsWordCharFast(t->cp[start - 1]) &&
		!(t->has_soft && (t->soft[start] & RT_SOFT_BEFORE)))
		return false;
	if (end + 1 < t->len && RtIsWordCharFast(t->cp[end + 1]) &&
		!(t->has_soft && (t->soft[end] & RT_SOFT_AFTER)))
		return false;
	return true;
}

extern Datum normalize(PG_FUNCTION_ARGS);

#endif /* NORMALIZE_H */
