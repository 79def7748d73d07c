/* The JSON text writer behind `crit decode`: Python json.dump, byte for byte. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "json/text_writer.h"

void jw_init(struct jw *j, struct crimg_out *o, int pretty)
{
	memset(j, 0, sizeof(*j));
	j->o = o;
	j->pretty = pretty;
}

static void newline_indent(struct jw *j, int depth)
{
	char *p = jw_reserve(j->o, 1 + 4 * (size_t)depth);
	if ((size_t)(1 + 4 * depth) > j->o->cap - j->o->used) {
		/* absurdly deep: fall back to the slow path */
		jw_lit(j->o, "\n");
		for (int i = 0; i < depth; i++)
			jw_lit(j->o, "    ");
		return;
	}
	*p++ = '\n';
	memset(p, ' ', 4 * (size_t)depth);
	j->o->used += 1 + 4 * (size_t)depth;
}

void jw_open(struct jw *j, char c)
{
	jw_raw(j->o, &c, 1);
	if (j->depth + 1 < JW_MAX_DEPTH)
		j->depth++;
	j->nonempty[j->depth] = 0;
}

void jw_close(struct jw *j, char c)
{
	int had = j->nonempty[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (had && j->pretty)
		newline_indent(j, j->depth);
	jw_raw(j->o, &c, 1);
}

void jw_item(struct jw *j)
{
	if (j->nonempty[j->depth]) {
		if (j->pretty)
			jw_lit(j->o, ",");
		else
			jw_lit(j->o, ", ");
	}
	j->nonempty[j->depth] = 1;
	if (j->pretty)
		newline_indent(j, j->depth);
}

void jw_key(struct jw *j, const char *key)
{
	jw_item(j);
	jw_lit(j->o, "\"");
	jw_raw(j->o, key, strlen(key));
	jw_lit(j->o, "\": ");
}

static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* v < 10^8 in as many digits as it takes, written at w; returns the end.
 * 32-bit arithmetic: dividing by a constant is a multiply and a shift. */
static inline char *fmt_small(char *w, uint32_t v)
{
	if (v < 10) {
		*w = (char)('0' + v);
		return w + 1;
	}
	if (v < 100) {
		memcpy(w, digit_pairs + 2 * v, 2);
		return w + 2;
	}
	unsigned n = v < 1000  ? 3
		: v < 10000    ? 4
		: v < 100000   ? 5
		: v < 1000000  ? 6
		: v < 10000000 ? 7
			       : 8;
	char *q = w + n;
	while (v >= 100) {
		uint32_t r = v % 100;
		v /= 100;
		q -= 2;
		memcpy(q, digit_pairs + 2 * r, 2);
	}
	if (v >= 10)
		memcpy(q - 2, digit_pairs + 2 * v, 2);
	else
		q[-1] = (char)('0' + v);
	return w + n;
}

/* Exactly eight digits of v < 10^8, leading zeros kept. */
static inline void fmt_eight(char *q, uint32_t v)
{
	uint32_t hi = v / 10000, lo = v % 10000;
	memcpy(q, digit_pairs + 2 * (hi / 100), 2);
	memcpy(q + 2, digit_pairs + 2 * (hi % 100), 2);
	memcpy(q + 4, digit_pairs + 2 * (lo / 100), 2);
	memcpy(q + 6, digit_pairs + 2 * (lo % 100), 2);
}

/* Numbers in images are mostly small (counts, flags, ids) or addresses of
 * 12 to 15 digits: both take one or two 64-bit divisions at most. */
char *jw_fmt_u64(char *w, uint64_t v)
{
	if (v < 100000000u)
		return fmt_small(w, (uint32_t)v);
	uint64_t hi = v / 100000000u;
	uint32_t lo = (uint32_t)(v % 100000000u);
	if (hi < 100000000u) {
		w = fmt_small(w, (uint32_t)hi);
	} else {
		w = fmt_small(w, (uint32_t)(hi / 100000000u)); /* at most 1844 */
		fmt_eight(w, (uint32_t)(hi % 100000000u));
		w += 8;
	}
	fmt_eight(w, lo);
	return w + 8;
}

void jw_u64(struct jw *j, uint64_t v)
{
	char b[24];
	jw_raw(j->o, b, (size_t)(jw_fmt_u64(b, v) - b));
}

void jw_i64(struct jw *j, int64_t v)
{
	char b[24];
	char *e = b;
	if (v < 0)
		*e++ = '-';
	e = jw_fmt_u64(e, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
	jw_raw(j->o, b, (size_t)(e - b));
}

void jw_bool(struct jw *j, int v)
{
	if (v)
		jw_lit(j->o, "true");
	else
		jw_lit(j->o, "false");
}

void jw_plain(struct jw *j, const char *s, size_t n)
{
	jw_lit(j->o, "\"");
	jw_raw(j->o, s, n);
	jw_lit(j->o, "\"");
}

static const char hexd[] = "0123456789abcdef";

static void put_u(struct crimg_out *o, unsigned cp)
{
	char b[6] = { '\\',
		      'u',
		      hexd[(cp >> 12) & 15],
		      hexd[(cp >> 8) & 15],
		      hexd[(cp >> 4) & 15],
		      hexd[cp & 15] };
	jw_raw(o, b, 6);
}

void jw_str(struct jw *j, const char *str, size_t n)
{
	struct crimg_out *o = j->o;
	const unsigned char *s = (const unsigned char *)str;
	jw_lit(o, "\"");
	size_t run = 0; /* start of a run of characters copied as they are */
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			continue;
		}
		jw_raw(o, (const char *)s + run, i - run);
		switch (c) {
		case '"':
			jw_lit(o, "\\\"");
			i++;
			break;
		case '\\':
			jw_lit(o, "\\\\");
			i++;
			break;
		case '\n':
			jw_lit(o, "\\n");
			i++;
			break;
		case '\r':
			jw_lit(o, "\\r");
			i++;
			break;
		case '\t':
			jw_lit(o, "\\t");
			i++;
			break;
		case '\b':
			jw_lit(o, "\\b");
			i++;
			break;
		case '\f':
			jw_lit(o, "\\f");
			i++;
			break;
		default: {
			uint32_t cp;
			size_t len = crimg_utf8_char(s + i, n - i, &cp);
			if (len == 0) {
				/* not UTF-8: keep the byte as a lone surrogate
				 * (Python's surrogateescape), so encode restores it */
				put_u(o, 0xdc00 | c);
				i++;
			} else if (cp >= 0x10000) {
				cp -= 0x10000;
				put_u(o, 0xd800 | (cp >> 10));
				put_u(o, 0xdc00 | (cp & 0x3ff));
				i += len;
			} else {
				put_u(o, cp);
				i += len;
			}
		}
		}
		run = i;
	}
	jw_raw(o, (const char *)s + run, n - run);
	jw_lit(o, "\"");
}

void jw_b64(struct jw *j, const uint8_t *p, size_t n)
{
	struct crimg_out *o = j->o;
	jw_lit(o, "\"");
	/* 57 input bytes make one 76-character line plus "\n", escaped as \n */
	char line[80];
	while (n > 0) {
		size_t k = n < 57 ? n : 57;
		size_t len = crimg_b64_encode(p, k, line);
		jw_raw(o, line, len - 1);
		jw_lit(o, "\\n");
		p += k;
		n -= k;
	}
	jw_lit(o, "\"");
}

/* Python's float repr: the shortest text that reads back the same value. */
void jw_double(struct jw *j, double v)
{
	char b[40];
	if (isnan(v)) {
		jw_lit(j->o, "NaN");
		return;
	}
	if (isinf(v)) {
		if (v > 0)
			jw_lit(j->o, "Infinity");
		else
			jw_lit(j->o, "-Infinity");
		return;
	}
	int prec;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(b, sizeof(b), "%.*e", prec - 1, v);
		if (strtod(b, NULL) == v)
			break;
	}
	/* b is d.ddde[+-]XX; rebuild it the way repr() lays it out */
	char digits[24];
	int nd = 0, exp10;
	const char *p = b;
	int neg = 0;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	exp10 = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	char out[48];
	size_t k = 0;
	if (neg)
		out[k++] = '-';
	if (exp10 < -4 || exp10 >= 16) {
		out[k++] = digits[0];
		if (nd > 1) {
			out[k++] = '.';
			for (int i = 1; i < nd; i++)
				out[k++] = digits[i];
		}
		k += (size_t)snprintf(out + k, sizeof(out) - k, "e%c%02d", exp10 < 0 ? '-' : '+',
				      abs(exp10));
	} else if (exp10 < 0) {
		out[k++] = '0';
		out[k++] = '.';
		for (int i = -1; i > exp10; i--)
			out[k++] = '0';
		for (int i = 0; i < nd; i++)
			out[k++] = digits[i];
	} else {
		for (int i = 0; i <= exp10; i++)
			out[k++] = i < nd ? digits[i] : '0';
		out[k++] = '.';
		if (nd > exp10 + 1)
			for (int i = exp10 + 1; i < nd; i++)
				out[k++] = digits[i];
		else
			out[k++] = '0';
	}
	jw_raw(j->o, out, k);
}
