/*
 * crit diff output: text (a header per task or image, a line per
 * difference, colour on request), a JSON list, or --stat counts; with
 * --mem-bytes the differing rows of memory as hexdump lines.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hexdump.h"
#include "jsonout.h"
#include "out.h"
#include "util.h"

#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"
#define C_OFF "\033[m"

static const char *col(const struct out *o, const char *c)
{
	return o->color ? c : "";
}

/* Paths and file names; a byte that is not UTF-8 as \udcXX, as in the
 * values (crit decode's JSON). */
static void json_str(FILE *f, const char *s)
{
	json_put_str(f, s, strlen(s), JSON_SHORT_ESCAPES);
}

static void put_utf8(FILE *f, unsigned cp)
{
	char u[4];
	fwrite(u, 1, crimg_utf8_put(cp, u), f);
}

/* A JSON string value written as its text (a summary of something added
 * or removed reads better without quotes); anything else as it is. */
static void put_plain(FILE *f, const char *v)
{
	size_t n = strlen(v);
	if (n < 2 || v[0] != '"' || v[n - 1] != '"') {
		fputs(v, f);
		return;
	}
	for (size_t i = 1; i + 1 < n; i++) {
		if (v[i] != '\\') {
			fputc(v[i], f);
			continue;
		}
		char e = v[++i];
		unsigned cp;
		switch (e) {
		case 'n':
			fputs("\\n", f); /* kept visible: one difference, one line */
			break;
		case 't':
			fputc('\t', f);
			break;
		case 'u':
			if (i + 4 < n && sscanf(v + i + 1, "%4x", &cp) == 1) {
				i += 4;
				unsigned lo;
				if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < n && v[i + 1] == '\\' &&
				    v[i + 2] == 'u' && sscanf(v + i + 3, "%4x", &lo) == 1) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					i += 6;
				}
				put_utf8(f, cp);
			}
			break;
		default:
			fputc(e, f);
		}
	}
}

static const char *op_name(enum crimg_diff_op op)
{
	return op == CRIMG_DIFF_ADDED ? "added" : op == CRIMG_DIFF_REMOVED ? "removed" : "changed";
}

/* ---- bytes of a memory range (--mem-bytes) ---- */

/* Up to 64 KiB of one side of a range from offset off: 1 and buf filled
 * (zeros past a raw image's end, *have cut there), 0 when not readable. */
static int side_bytes(struct out *o, const struct crimg_diff_range *r, int b, uint64_t addr,
		      uint8_t *buf, size_t len, size_t *have)
{
	*have = len;
	if (!b ? !r->mem_a && !r->raw_a : !r->mem_b && !r->raw_b) {
		memset(buf, 0, len);
		*have = 0;
		return 1;
	}
	if (r->mem_a || r->mem_b) {
		enum crimg_mem_state s = b ? r->state_b : r->state_a;
		if (s == CRIMG_MEM_LAZY)
			return 0;
		struct crimg_error err;
		crimg_error_clear(&err);
		if (crimg_mem_read(b ? r->mem_b : r->mem_a, addr, buf, len, &err) < 0) {
			error_crimg(&err);
			o->failed = 1;
			return 0;
		}
		return 1;
	}
	const uint8_t *raw = b ? r->raw_b : r->raw_a;
	uint64_t rl = b ? r->raw_len_b : r->raw_len_a;
	size_t k = addr >= rl ? 0 : rl - addr < len ? (size_t)(rl - addr) : len;
	memcpy(buf, raw + addr, k);
	memset(buf + k, 0, len - k);
	*have = k;
	return 1;
}

static void hex_row(struct out *o, char sign, const char *c, uint64_t addr, const uint8_t *p,
		    size_t n, const uint8_t *other, int indent)
{
	/* in colour, the bytes that differ in bold, the row's colour after each */
	char mark_off[32];
	snprintf(mark_off, sizeof(mark_off), "%s%s", C_OFF, c);
	fprintf(o->f, "%*s%s%c ", indent, "", col(o, c), sign);
	hexdump_row(o->f, addr, p, n, o->color ? other : NULL, C_BOLD, mark_off);
	fprintf(o->f, "%s\n", col(o, C_OFF));
}

static void hex_json(FILE *f, const uint8_t *p, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc('"', f);
}

/* The 16-byte rows of the range that differ, at most o->mem_rows. */
static void mem_rows(struct out *o, const struct crimg_diff_range *r)
{
	static uint8_t a[65536], b[65536];
	uint64_t shown = 0, more = 0;
	int first = 1;
	if (o->json)
		fputs(", \"rows\": [", o->f);
	for (uint64_t at = r->start; at < r->end;) {
		size_t len = r->end - at < sizeof(a) ? (size_t)(r->end - at) : sizeof(a);
		size_t ha, hb;
		if (!side_bytes(o, r, 0, at, a, len, &ha) || !side_bytes(o, r, 1, at, b, len, &hb))
			break;
		for (size_t i = 0; i < len; i += 16) {
			size_t n = len - i < 16 ? len - i : 16;
			if (memcmp(a + i, b + i, n) == 0 && !(i + n > ha) == !(i + n > hb))
				continue;
			if (shown == o->mem_rows) {
				more++;
				continue;
			}
			shown++;
			size_t na = i >= ha ? 0 : ha - i < n ? ha - i : n;
			size_t nb = i >= hb ? 0 : hb - i < n ? hb - i : n;
			if (o->json) {
				fprintf(o->f, "%s{\"addr\": \"0x%" PRIx64 "\", \"before\": ",
					first ? "" : ", ", at + i);
				hex_json(o->f, a + i, na);
				fputs(", \"after\": ", o->f);
				hex_json(o->f, b + i, nb);
				fputc('}', o->f);
				first = 0;
				continue;
			}
			if (na)
				hex_row(o, '-', C_RED, at + i, a + i, na, b + i, 6);
			if (nb)
				hex_row(o, '+', C_GREEN, at + i, b + i, nb, a + i, 6);
		}
		at += len;
	}
	if (o->json)
		fprintf(o->f, "], \"rows_left_out\": %" PRIu64, more);
	else if (more)
		fprintf(o->f, "      ... %" PRIu64 " more differing row%s\n", more,
			more == 1 ? "" : "s");
}

/* ---- one difference ---- */

static const char *state_name(const struct crimg_diff_range *r, enum crimg_mem_state s)
{
	switch (s) {
	case CRIMG_MEM_DATA:
		return "saved";
	case CRIMG_MEM_ZERO:
		return "not saved";
	case CRIMG_MEM_LAZY:
		return "lazy, not in the images";
	default:
		return r->mem_a || r->mem_b ? "unmapped" : "past the end";
	}
}

static void text_range(struct out *o, const struct crimg_diff_item *it)
{
	const struct crimg_diff_range *r = it->range;
	FILE *f = o->f;
	fprintf(f, "%s: %" PRIu64 " %s%s differ%s (%" PRIu64 " byte%s)", it->path + it->rel,
		r->pages, r->mem_a || r->mem_b ? "page" : "block", r->pages == 1 ? "" : "s",
		r->pages == 1 ? "s" : "", r->bytes, r->bytes == 1 ? "" : "s");
	if (r->state_a != r->state_b || r->state_a != CRIMG_MEM_DATA)
		fprintf(f, ", %s -> %s", state_name(r, r->state_a), state_name(r, r->state_b));
	const struct crimg_mem_vma *v = r->vma_b ? r->vma_b : r->vma_a;
	if (v)
		fprintf(f, "; vma 0x%" PRIx64 "-0x%" PRIx64 " %s%s%s", v->start, v->end, v->perms,
			v->name && *v->name ? " " : "", v->name ? v->name : "");
	fputc('\n', f);
}

static void text_item(struct out *o, const struct crimg_diff_item *it)
{
	FILE *f = o->f;
	const char *rel = it->path + it->rel;
	if (!*rel) {
		/* the whole thing was added or removed */
		const char *c = it->op == CRIMG_DIFF_ADDED ? C_GREEN
			: it->op == CRIMG_DIFF_REMOVED     ? C_RED
							   : C_YELLOW;
		fprintf(f, "%s%c %s", col(o, c),
			it->op == CRIMG_DIFF_ADDED             ? '+'
				: it->op == CRIMG_DIFF_REMOVED ? '-'
							       : '~',
			it->group);
		const char *v = it->after ? it->after : it->before;
		if (v && it->op != CRIMG_DIFF_CHANGED) {
			fputs(": ", f);
			put_plain(f, v);
		} else if (it->op == CRIMG_DIFF_CHANGED) {
			fprintf(f, ": %s -> %s", it->before ? it->before : "(absent)",
				it->after ? it->after : "(absent)");
		}
		fprintf(f, "%s\n", col(o, C_OFF));
		free(o->group);
		o->group = NULL;
		return;
	}
	if (!o->group || strcmp(o->group, it->group) != 0) {
		fprintf(f, "%s%s%s\n", col(o, C_BOLD), it->group, col(o, C_OFF));
		free(o->group);
		o->group = strdup(it->group);
	}
	switch (it->op) {
	case CRIMG_DIFF_ADDED:
		fprintf(f, "%s  + %s: ", col(o, C_GREEN), rel);
		put_plain(f, it->after ? it->after : "");
		fprintf(f, "%s\n", col(o, C_OFF));
		break;
	case CRIMG_DIFF_REMOVED:
		fprintf(f, "%s  - %s: ", col(o, C_RED), rel);
		put_plain(f, it->before ? it->before : "");
		fprintf(f, "%s\n", col(o, C_OFF));
		break;
	default:
		fprintf(f, "  %s~%s ", col(o, C_YELLOW), col(o, C_OFF));
		if (it->range) {
			text_range(o, it);
			if (o->mem_rows)
				mem_rows(o, it->range);
			break;
		}
		fprintf(f, "%s: %s%s%s -> %s%s%s\n", rel, col(o, C_RED), it->before, col(o, C_OFF),
			col(o, C_GREEN), it->after, col(o, C_OFF));
	}
}

static void json_item(struct out *o, const struct crimg_diff_item *it)
{
	FILE *f = o->f;
	fprintf(f, "%s{\"category\": \"%s\", \"op\": \"%s\", \"path\": ", o->items ? ",\n" : "[\n",
		crimg_diff_cat_name(it->cat), op_name(it->op));
	json_str(f, it->path);
	fprintf(f, ", \"before\": %s, \"after\": %s", it->before ? it->before : "null",
		it->after ? it->after : "null");
	const struct crimg_diff_range *r = it->range;
	if (r) {
		fprintf(f,
			", \"start\": \"0x%" PRIx64 "\", \"end\": \"0x%" PRIx64
			"\", \"pages\": %" PRIu64 ", \"bytes\": %" PRIu64,
			r->start, r->end, r->pages, r->bytes);
		const struct crimg_mem_vma *v = r->vma_b ? r->vma_b : r->vma_a;
		if (v) {
			fprintf(f,
				", \"vma\": {\"start\": \"0x%" PRIx64 "\", \"end\": \"0x%" PRIx64
				"\", \"perms\": \"%s\", \"file\": ",
				v->start, v->end, v->perms);
			json_str(f, v->name ? v->name : "");
			fputc('}', f);
		}
		if (o->mem_rows)
			mem_rows(o, r);
	}
	fputc('}', f);
}

int out_item(void *arg, const struct crimg_diff_item *it)
{
	struct out *o = arg;
	if (o->stat)
		return 0;
	if (o->json)
		json_item(o, it);
	else
		text_item(o, it);
	o->items++;
	return ferror(o->f) ? 1 : 0;
}

void out_end(struct out *o, const struct crimg_diff_stats *st)
{
	FILE *f = o->f;
	if (!o->stat) {
		if (o->json)
			fputs(o->items ? "\n]\n" : "[]\n", f);
		return;
	}
	if (o->json) {
		fputc('{', f);
		for (unsigned c = 0; c < CRIMG_DIFF_NCAT; c++)
			fprintf(f, "\"%s\": %" PRIu64 ", ", crimg_diff_cat_name(c), st->items[c]);
		fprintf(f,
			"\"total\": %" PRIu64 ", \"memory_pages\": %" PRIu64
			", \"memory_bytes\": %" PRIu64 ", \"compared_bytes\": %" PRIu64 "}\n",
			st->total, st->mem_pages, st->mem_bytes, st->compared_bytes);
		return;
	}
	for (unsigned c = 0; c < CRIMG_DIFF_NCAT; c++) {
		if (!st->items[c])
			continue;
		fprintf(f, " %-10s %6" PRIu64, crimg_diff_cat_name(c), st->items[c]);
		if (c == CRIMG_DIFF_MEMORY)
			fprintf(f, "  (%" PRIu64 " page%s, %" PRIu64 " byte%s)", st->mem_pages,
				st->mem_pages == 1 ? "" : "s", st->mem_bytes,
				st->mem_bytes == 1 ? "" : "s");
		fputc('\n', f);
	}
	if (st->total)
		fprintf(f, " %-10s %6" PRIu64 " difference%s\n", "total", st->total,
			st->total == 1 ? "" : "s");
}

void out_free(struct out *o)
{
	free(o->group);
	o->group = NULL;
}
