/*
 * JSON for the tools: strings (the one escaper), and a streaming writer
 * first made for crit x: written as it goes (a view of thousands of tasks
 * never sits in memory as a tree), indented by two spaces, with every
 * 64-bit integer exact.  Its strings are UTF-8; bytes that are not are
 * written as \u00XX (their Latin-1 reading), so the output is always valid
 * JSON.
 */
#include <inttypes.h>
#include <string.h>

#include "crimg/image.h"
#include "jsonout.h"

#define XJ_STRINGS (JSON_SHORT_ESCAPES | JSON_LATIN1)

void json_put_str(FILE *f, const void *str, size_t n, unsigned how)
{
	const unsigned char *s = str;
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		size_t len;
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c == '\n' && (how & JSON_SHORT_ESCAPES)) {
			fputs("\\n", f);
		} else if (c == '\t' && (how & JSON_SHORT_ESCAPES)) {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, f);
		} else if ((len = crimg_utf8_char(s + i, n - i, NULL))) {
			fwrite(s + i, 1, len, f);
			i += len - 1;
		} else {
			fprintf(f, (how & JSON_LATIN1) ? "\\u%04x" : "\\udc%02x", c);
		}
	}
	fputc('"', f);
}

void xj_init(struct xj *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = 1;
}

static void indent(struct xj *j)
{
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Separator, indentation and key before a value.  Arrays of scalars go
 * on one line ("[1, 2, 3]"); the first element decides. */
static void member(struct xj *j, const char *key, int scalar)
{
	int d = j->depth;
	if (d > 0) {
		if (j->first[d] && j->is_arr[d])
			j->inline_[d] = scalar;
		if (!j->first[d])
			fputs(j->inline_[d] ? ", " : ",", j->f);
		if (!j->inline_[d])
			indent(j);
	}
	j->first[d] = 0;
	if (key) {
		json_put_str(j->f, key, strlen(key), XJ_STRINGS);
		fputs(": ", j->f);
	}
}

static void open_(struct xj *j, const char *key, char c)
{
	member(j, key, 0);
	fputc(c, j->f);
	if (j->depth < (int)sizeof(j->first) - 1)
		j->depth++;
	j->first[j->depth] = 1;
	j->inline_[j->depth] = 0;
	j->is_arr[j->depth] = c == '[';
}

static void close_(struct xj *j, char c)
{
	int empty = j->first[j->depth], inl = j->inline_[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (!empty && !inl)
		indent(j);
	fputc(c, j->f);
}

void xj_obj(struct xj *j, const char *key)
{
	open_(j, key, '{');
}

void xj_end_obj(struct xj *j)
{
	close_(j, '}');
}

void xj_arr(struct xj *j, const char *key)
{
	open_(j, key, '[');
}

void xj_end_arr(struct xj *j)
{
	close_(j, ']');
}

void xj_strn(struct xj *j, const char *key, const void *s, size_t n)
{
	member(j, key, 1);
	json_put_str(j->f, s, n, XJ_STRINGS);
}

void xj_str(struct xj *j, const char *key, const char *s)
{
	if (!s) {
		xj_null(j, key);
		return;
	}
	xj_strn(j, key, s, strlen(s));
}

void xj_u64(struct xj *j, const char *key, uint64_t v)
{
	member(j, key, 1);
	fprintf(j->f, "%" PRIu64, v);
}

void xj_i64(struct xj *j, const char *key, int64_t v)
{
	member(j, key, 1);
	fprintf(j->f, "%" PRId64, v);
}

void xj_hex(struct xj *j, const char *key, uint64_t v)
{
	member(j, key, 1);
	fprintf(j->f, "\"0x%" PRIx64 "\"", v);
}

void xj_bool(struct xj *j, const char *key, int v)
{
	member(j, key, 1);
	fputs(v ? "true" : "false", j->f);
}

void xj_null(struct xj *j, const char *key)
{
	member(j, key, 1);
	fputs("null", j->f);
}

void xj_finish(struct xj *j)
{
	fputc('\n', j->f);
}
