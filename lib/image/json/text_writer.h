/* JSON text output in the exact layout of Python's json.dump (crit). */
#ifndef CRIMG_JSONW_H
#define CRIMG_JSONW_H

#include <string.h>

#include "base/base.h"
#include "base/out.h"

/* Reserves n bytes in the output buffer (n must be <= the buffer size). */
static inline char *jw_reserve(struct crimg_out *o, size_t n)
{
	if (o->cap - o->used < n)
		crimg_out_drain(o);
	return o->buf + o->used;
}

static inline void jw_raw(struct crimg_out *o, const char *s, size_t n)
{
	if (n <= o->cap - o->used) {
		memcpy(o->buf + o->used, s, n);
		o->used += n;
	} else {
		crimg_out_write(o, s, n);
	}
}
#define jw_lit(o, s) jw_raw(o, s, sizeof(s) - 1)

#define JW_MAX_DEPTH 128

/*
 * json.dump(indent=None) separates with ", " and ": "; indent=4 puts every
 * item on its own line and separates with "," and ": ".  Empty containers
 * are "[]" and "{}" in both.
 */
struct jw {
	struct crimg_out *o;
	int pretty;
	int depth;
	unsigned char nonempty[JW_MAX_DEPTH];
};

void jw_init(struct jw *j, struct crimg_out *o, int pretty);
void jw_open(struct jw *j, char c);         /* '{' or '[' */
void jw_close(struct jw *j, char c);        /* '}' or ']' */
void jw_item(struct jw *j);                 /* before each array element */
void jw_key(struct jw *j, const char *key); /* before each object member */
void jw_u64(struct jw *j, uint64_t v);
/* Decimal digits of v written at w (at most 20); returns the end. */
char *jw_fmt_u64(char *w, uint64_t v);
void jw_i64(struct jw *j, int64_t v);
void jw_bool(struct jw *j, int v);
/* A JSON string of UTF-8 text, escaped as Python's ensure_ascii does. */
void jw_str(struct jw *j, const char *s, size_t n);
/* A string already known to need no escaping. */
void jw_plain(struct jw *j, const char *s, size_t n);
void jw_b64(struct jw *j, const uint8_t *p, size_t n);
void jw_double(struct jw *j, double v);

#endif
