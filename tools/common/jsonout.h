/* JSON for the tools: the string escaper, and a small streaming writer. */
#ifndef CRIMG_TOOLS_JSONOUT_H
#define CRIMG_TOOLS_JSONOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A JSON string of the n bytes at s: '"' and '\' escaped, other control
 * characters and DEL as \u00XX, well-formed UTF-8 as it is (crimg_utf8_char
 * decides).  A byte that is not UTF-8 is written as \udcXX, the lone
 * surrogate crit decode writes for it, or with JSON_LATIN1 as \u00XX;
 * with JSON_SHORT_ESCAPES, newline and tab are \n and \t.
 */
enum {
	JSON_SHORT_ESCAPES = 1,
	JSON_LATIN1 = 2,
};
void json_put_str(FILE *f, const void *s, size_t n, unsigned how);

/* ---- a streaming writer (crit x, crit inspect): exact 64-bit integers ---- */
struct xj {
	FILE *f;
	int depth;
	unsigned char first[64];   /* no member written yet at this depth */
	unsigned char inline_[64]; /* an array of scalars: on one line */
	unsigned char is_arr[64];
};
void xj_init(struct xj *j, FILE *f);
void xj_obj(struct xj *j, const char *key); /* key NULL: in an array or at the top */
void xj_end_obj(struct xj *j);
void xj_arr(struct xj *j, const char *key);
void xj_end_arr(struct xj *j);
void xj_str(struct xj *j, const char *key, const char *s); /* NULL: null */
void xj_strn(struct xj *j, const char *key, const void *s, size_t n);
void xj_u64(struct xj *j, const char *key, uint64_t v);
void xj_i64(struct xj *j, const char *key, int64_t v);
void xj_hex(struct xj *j, const char *key, uint64_t v); /* "0x1f" */
void xj_bool(struct xj *j, const char *key, int v);
void xj_null(struct xj *j, const char *key);
void xj_finish(struct xj *j); /* the final newline */

#endif
