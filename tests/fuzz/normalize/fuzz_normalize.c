/* libFuzzer harness: rt.normalize (pg_extension/src/normalize.c) outside the backend, through
 * shim/pg_shim.c. Both forms of any valid UTF-8 text (the text type holds nothing else): the
 * base form (case folding, zero-width removal, whitespace folding) and the skeleton (look-alike
 * mapping, digit/symbol reading, spelled-out words joined, runs squeezed).
 *
 * Input: byte 0 = flags (bit 0: evasion), the rest is the text. Oracles: every code point out
 * is a scalar value, the base form is no longer than the text, normalising the base form again
 * changes nothing, the skeleton of the base equals rt.normalize(text, true), runs lie in
 * 1..RT_NORM_MAX_RUN, and RtNormTextToCString writes valid UTF-8 of the same code points. */
#include "postgres.h"

#include <stdio.h>
#include <stdlib.h>

#include "mb/pg_wchar.h"

#include "normalize.h"
#include "pg_shim.h"
#include "fuzz_check.h"



static void
check_form(const RtNormText *t, bool skeleton)
{
	int i;

	CHECK(t->len >= 0 && t->len <= t->cap);
	for (i = 0; i < t->len; i++)
	{
		CHECK(t->cp[i] > 0 && t->cp[i] <= 0x10FFFF);
		CHECK(t->cp[i] < 0xD800 || t->cp[i] > 0xDFFF);
		if (skeleton)
			CHECK(t->runs[i] >= 1 && t->runs[i] <= RT_NORM_MAX_RUN);
	}
	/* folded whitespace: no leading, trailing or doubled spaces */
	if (!skeleton && t->len > 0)
	{
		CHECK(t->cp[0] != ' ' && t->cp[t->len - 1] != ' ');
		for (i = 1; i < t->len; i++)
			CHECK(!(t->cp[i] == ' ' && t->cp[i - 1] == ' '));
	}
}

static bool
same_cp(const RtNormText *a, const RtNormText *b)
{
	return a->len == b->len && memcmp(a->cp, b->cp, sizeof(uint32) * a->len) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	RtNormText base, again, skel, skel2;
	bool evasion;
	const char *s;
	int len;
	char *str;

	if (size < 1 || size > 64 * 1024)
		return 0;
	evasion = data[0] & 1;
	s = (const char *) data + 1;
	len = (int) size - 1;
	if (!fuzz_is_text((const unsigned char *) s, len))
		return 0;

	RtNormTextInit(&base, len + 1);
	RtNormalize(s, len, false, &base);
	check_form(&base, false);
	CHECK(base.len <= len);

	/* the base form is a fixed point */
	str = RtNormTextToCString(&base);
	CHECK(fuzz_is_text((const unsigned char *) str, (int) strlen(str)));
	RtNormTextInit(&again, (int) strlen(str) + 1);
	RtNormalize(str, (int) strlen(str), false, &again);
	if (!same_cp(&base, &again))
	{
		fprintf(stderr, "base form not idempotent: %d -> %d code points\n", base.len, again.len);
		abort();
	}

	/* the skeleton, both ways */
	RtNormTextInit(&skel, 16);
	RtSkeletonFromBase(&base, &skel);
	check_form(&skel, true);
	if (evasion)
	{
		RtNormTextInit(&skel2, len + 1);
		RtNormalize(s, len, true, &skel2);
		check_form(&skel2, true);
		CHECK(same_cp(&skel, &skel2));
		CHECK(memcmp(skel.runs, skel2.runs, skel.len) == 0);
		str = RtNormTextToCString(&skel2);
		CHECK(fuzz_is_text((const unsigned char *) str, (int) strlen(str)));
	}
	pg_shim_reset();
	return 0;
}
