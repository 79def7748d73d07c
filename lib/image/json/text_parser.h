/*
 * A JSON reader that yields one value at a time as a small tree in an
 * arena, with the line and column of every value for error messages.
 * Numbers keep their text, so 64-bit values (crit's signal masks reach
 * 2^64-1) are converted exactly by whoever knows the field's type.
 */
#ifndef CRIMG_JPARSE_H
#define CRIMG_JPARSE_H

#include "base/base.h"

enum jtype {
	J_NULL,
	J_BOOL,
	J_NUM,
	J_STR,
	J_ARR,
	J_OBJ
};

struct jnode;
struct jmember {
	const char *key; /* NUL-terminated, may hold NULs (klen) */
	size_t klen;
	struct jnode *v;
};

struct jnode {
	unsigned char t; /* enum jtype */
	unsigned char b; /* J_BOOL */
	int line, col;   /* col counts bytes from the line's start */
	union {
		const char *s;           /* J_NUM: text; J_STR: bytes, NUL-terminated */
		struct jnode **items;    /* J_ARR */
		struct jmember *members; /* J_OBJ */
	};
	size_t len; /* J_NUM, J_STR */
	size_t n;   /* J_ARR, J_OBJ */
};

struct jparser {
	struct crimg_input in;
	int line;
	uint64_t line_start; /* input offset where the current line starts */
	struct crimg_arena *arena;
	unsigned max_depth;
	unsigned depth; /* containers open (jp_open), for jp_value's levels */
	struct crimg_error *err;
};

void jp_init(struct jparser *p, int fd, const char *name, struct crimg_arena *arena,
	     unsigned max_depth, struct crimg_error *err);
void jp_release(struct jparser *p);
int jp_peek_slow(struct jparser *p);
int jp_expect_slow(struct jparser *p, char c, const char *what);

/* Next non-blank character without taking it; -1 at end, -2 on error. */
static inline int jp_peek(struct jparser *p)
{
	/* the common cases: the next byte is the token, or one space is */
	if (p->in.start + 1 < p->in.end) {
		const uint8_t *s = p->in.mem + p->in.start;
		if (s[0] > ' ')
			return s[0];
		if (s[0] == ' ' && s[1] > ' ') {
			p->in.start++;
			p->in.pos++;
			return s[1];
		}
	}
	return jp_peek_slow(p);
}

/* Takes character c (after blanks) or fails with "expected ...". */
static inline int jp_expect(struct jparser *p, char c, const char *what)
{
	if (p->in.start < p->in.end && p->in.mem[p->in.start] == (uint8_t)c) {
		p->in.start++;
		p->in.pos++;
		return 0;
	}
	return jp_expect_slow(p, c, what);
}
/*
 * The "depth" limit for readers that take containers themselves (knowing
 * the schema): jp_open after taking a '{' or '[' (-1 past the limit),
 * jp_close when taking its closer.  jp_value counts its own levels on top.
 */
int jp_depth_fail(struct jparser *p);
static inline int jp_open(struct jparser *p)
{
	return ++p->depth > p->max_depth ? jp_depth_fail(p) : 0;
}
static inline void jp_close(struct jparser *p)
{
	p->depth--;
}
/* Parses a whole value.  NULL on error (p->err filled). */
struct jnode *jp_value(struct jparser *p);
/* Parses a string (the next token must be one). */
struct jnode *jp_string(struct jparser *p);
/* Fills err with "line L column C: msg" at the node's position; returns -1. */
int jp_fail_at(struct jparser *p, const struct jnode *n, const char *fmt, ...) CRIMG_PRINTF(3, 4);
int jp_fail(struct jparser *p, const char *fmt, ...) CRIMG_PRINTF(2, 3);

/* Streaming access, for readers that know the schema and build no tree. */
#define JP_NUMBER_MAX 400
void jp_pos(const struct jparser *p, int *line, int *col);
/* A string, number, boolean or null into n (numbers' text into numbuf of
 * JP_NUMBER_MAX bytes, strings into the arena).  1 without taking anything
 * when the next value is an object or array (n->t says which); 0; -1. */
int jp_scalar(struct jparser *p, struct jnode *n, char *numbuf);
/* A member name and its ':'.  0 or -1. */
int jp_key(struct jparser *p, struct jnode *key);
/* Takes the exact text (no newlines in it) if it comes next: 1, else 0. */
int jp_match_slow(struct jparser *p, const char *text, size_t len);
/* The same for text readable to 16 bytes (the padded key texts): a key of
 * up to 16 bytes is compared in two words, without a call. */
static inline int jp_match(struct jparser *p, const char *text, size_t len)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (len <= 16 && len > 0 && crimg_input_avail(&p->in) >= 16) {
		const uint8_t *s = crimg_input_ptr(&p->in);
		uint64_t a0, a1, b0, b1;
		memcpy(&a0, s, 8);
		memcpy(&a1, s + 8, 8);
		memcpy(&b0, text, 8);
		memcpy(&b1, text + 8, 8);
		/* the bytes of each word that belong to the text */
		uint64_t keep0 = len >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * len)) - 1;
		uint64_t keep1 = len <= 8 ? 0
			: len == 16       ? ~(uint64_t)0
					  : ((uint64_t)1 << (8 * (len - 8))) - 1;
		if (((a0 ^ b0) & keep0) || ((a1 ^ b1) & keep1))
			return 0;
		crimg_input_skip(&p->in, len);
		return 1;
	}
#endif
	return jp_match_slow(p, text, len);
}
/* A plain decimal integer of up to 19 digits: 1 and taken; 0 and nothing
 * taken for anything else (the general path then handles it); -1. */
int jp_plain_int(struct jparser *p, int *neg, uint64_t *mag);

const struct jnode *jobj_get(const struct jnode *obj, const char *key);

#endif
