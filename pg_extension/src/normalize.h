/*
 * normalize.h
 *	  Text normalisation shared by the matcher, playbooks and moderation.
 *
 * Two forms, both sequences of Unicode code points:
 *	- base: case folded (Latin, Latin-1/Extended-A, Greek, Cyrillic incl. Ukrainian and
 *	  Belarusian letters, fullwidth Latin), ё -> е, zero-width characters removed, whitespace
 *	  runs folded to one space and trimmed;
 *	- skeleton (evasion): the base form with Latin/Cyrillic look-alikes mapped to one alphabet,
 *	  digits and @ $ ! | read as letters inside words that contain a letter, punctuation turned
 *	  into spaces, single letters split by short separators joined ("s p a m"), and repeated
 *	  letters squeezed, each position remembering how many letters it stands for (runs).
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

/*
 * A normalised text. cp and runs are grown with repalloc, so they live in the memory context
 * of their first allocation (RtNormTextInit).
 */
typedef struct RtNormText
{
	uint32 *cp;   /* code points */
	uint8 *runs;  /* skeleton only: letters each position stands for (1 = not squeezed) */
	int len;      /* used */
	int cap;      /* allocated */
	bool has_run; /* skeleton only: some run is above 1 */
} RtNormText;

extern void RtNormTextInit(RtNormText *t, int cap);
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

extern Datum normalize(PG_FUNCTION_ARGS);

#endif /* NORMALIZE_H */
