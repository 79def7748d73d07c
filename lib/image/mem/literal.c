/*
 * Literal search in a buffer, for memory search: memchr (vectorised in the
 * C library) for the needle's rarest byte, then a check of its second
 * rarest byte and of the whole needle.  Which bytes are rare is a guess
 * about process memory (zeros, pointers, text); when the guess is wrong
 * for the data at hand (more than one false candidate per FP_SPAN bytes),
 * the rest of the call uses memmem, whose cost does not depend on it.
 */
#include <string.h>

#include "mem/scan.h"

#define FP_SPAN 64  /* bytes per false candidate at which memchr stops paying */
#define FP_GRACE 16 /* false candidates always allowed per call */

/* How common byte b is in process memory, roughly (higher: more common). */
static unsigned byte_rank(uint8_t b)
{
	if (b == 0)
		return 255;
	if (b == 0xff)
		return 230;
	if (b == ' ')
		return 220;
	if (b >= 'a' && b <= 'z')
		return strchr("etaoinsrhlcdu", b) ? 200 : 170;
	if (b >= '0' && b <= '9')
		return b <= '1' ? 190 : 160;
	if (b == '\n' || b == '\t' || (b >= 1 && b <= 8))
		return 180; /* text, and the small integers binary data is full of */
	if (b == 0x7f || b == 0x55 || b == 0x56)
		return 175; /* top bytes of x86-64 user pointers (0x7f..., 0x55..., 0x56...) */
	if (b < 0x20)
		return 130;
	if (b >= 'A' && b <= 'Z')
		return strchr("ETAOINSR", b) ? 130 : 110;
	if (strchr("/._-,:=()", b))
		return 150;
	if (b < 0x80)
		return 120; /* other punctuation */
	return 100;         /* high bytes: not text, and spread thin in binary data */
}

void mem_lit_init(struct mem_lit *l, const uint8_t *s, size_t n)
{
	l->s = s;
	l->n = n;
	l->r1 = l->r2 = 0;
	for (size_t i = 1; i < n; i++)
		if (byte_rank(s[i]) < byte_rank(s[l->r1]))
			l->r1 = i;
	if (n > 1) {
		l->r2 = l->r1 ? 0 : 1;
		for (size_t i = 0; i < n; i++)
			if (i != l->r1 && byte_rank(s[i]) < byte_rank(s[l->r2]))
				l->r2 = i;
	}
}

size_t mem_lit_find(const struct mem_lit *l, const uint8_t *hay, size_t len, size_t from)
{
	size_t n = l->n;
	if (from > len || len - from < n)
		return MEM_NONE;
	if (n == 1) {
		const uint8_t *q = memchr(hay + from, l->s[0], len - from);
		return q ? (size_t)(q - hay) : MEM_NONE;
	}
	const uint8_t b1 = l->s[l->r1], b2 = l->s[l->r2];
	/* candidates for the rare byte: needle starts from..len-n */
	const uint8_t *p = hay + from + l->r1, *stop = hay + (len - n) + l->r1 + 1;
	size_t fp = 0;
	while (p < stop) {
		const uint8_t *q = memchr(p, b1, (size_t)(stop - p));
		if (!q)
			return MEM_NONE;
		const uint8_t *c = q - l->r1;
		if (c[l->r2] == b2 && !memcmp(c, l->s, n))
			return (size_t)(c - hay);
		p = q + 1;
		if (++fp > FP_GRACE && fp * FP_SPAN > (size_t)(p - (hay + from + l->r1))) {
			/* the guess is wrong here: memmem from this candidate on */
			size_t at = (size_t)(c - hay) + 1;
			const uint8_t *r = memmem(hay + at, len - at, l->s, n);
			return r ? (size_t)(r - hay) : MEM_NONE;
		}
	}
	return MEM_NONE;
}
