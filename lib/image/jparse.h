/*
 * A JSON reader that yields one value at a time as a small tree in an
 * arena, with the line and column of every value for error messages.
 * Numbers keep their text, so 64-bit values (crit's signal masks reach
 * 2^64-1) are converted exactly by whoever knows the field's type.
 */
#ifndef CRIMG_JPARSE_H
#define CRIMG_JPARSE_H

#include "internal.h"

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jnode;
struct jmember {
	const char *key;	/* NUL-terminated, may hold NULs (klen) */
	size_t klen;
	struct jnode *v;
};

struct jnode {
	enum jtype t;
	int line, col;
	int b;			/* J_BOOL */
	const char *s;		/* J_NUM: text; J_STR: bytes, NUL-terminated */
	size_t len;
	struct jnode **items;	/* J_ARR */
	struct jmember *members;	/* J_OBJ */
	size_t n;
};

struct jparser {
	struct crimg_input in;
	int line, col;
	struct crimg_arena *arena;
	unsigned max_depth;
	struct crimg_error *err;
};

void jp_init(struct jparser *p, int fd, const char *name, struct crimg_arena *arena,
	     unsigned max_depth, struct crimg_error *err);
void jp_release(struct jparser *p);
/* Next non-blank character without taking it; -1 at end, -2 on error. */
int jp_peek(struct jparser *p);
/* Takes character c (after blanks) or fails with "expected ...". */
int jp_expect(struct jparser *p, char c, const char *what);
/* Parses a whole value.  NULL on error (p->err filled). */
struct jnode *jp_value(struct jparser *p);
/* Parses a string (the next token must be one). */
struct jnode *jp_string(struct jparser *p);
/* Fills err with "line L column C: msg" at the node's position; returns -1. */
int jp_fail_at(struct jparser *p, const struct jnode *n, const char *fmt, ...)
	CRIMG_PRINTF(3, 4);
int jp_fail(struct jparser *p, const char *fmt, ...) CRIMG_PRINTF(2, 3);

const struct jnode *jobj_get(const struct jnode *obj, const char *key);

#endif
