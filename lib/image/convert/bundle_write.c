/*
 * The JSON bundle: a whole checkpoint tree as one JSON document, written
 * in one streaming pass (the largest file, the page data, goes through a
 * fixed buffer, never into memory as a whole).  One line per file:
 *
 *   {"format": "crimg-bundle", "version": 1, "files": [
 *   {"path": "checkpoint", "type": "dir", "mode": "0755", "mtime": 1700000000},
 *   {"path": "checkpoint/core-1.img", "type": "image", "mode": "0644", "mtime": ...,
 *    "byte_order": "little", "image": {"magic": "CORE", "entries": [...]}},
 *   {"path": "checkpoint/pages-1.img", "type": "file", "mode": "0644", "mtime": ...,
 *    "size": 4096, "data": "BASE64"},
 *   {"path": "checkpoint/parent", "type": "symlink", "mtime": ..., "target": "../d1"}
 *   ]}
 *
 * "image" is what 'crit decode' writes for the file, and only used when it
 * encodes back to the same bytes; other files are "file" with their bytes
 * in base64 (RFC 4648, one line, padded).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert/convert_int.h"
#include "json/lossless.h"

#define RAW_CHUNK (3u << 20) /* a multiple of 3: base64 of each chunk joins up */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

struct bw {
	struct crimg_out *o;
	const char *name;
	const char *tree;
	int first;
	int tmp; /* memfd: one image's JSON */
	uint8_t *raw;
	char *text;
	const struct crimg_limits *lim;
	struct crimg_prog prog;
};

/* A JSON string: names are bytes; quote, backslash and controls escaped. */
static void put_str(struct crimg_out *o, const char *s)
{
	char esc[8];
	const char *run = s;
	crimg_out_write(o, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		crimg_out_write(o, run, (size_t)(s - run));
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		crimg_out_write(o, esc, strlen(esc));
		run = s + 1;
	}
	crimg_out_write(o, run, (size_t)(s - run));
	crimg_out_write(o, "\"", 1);
}

static void put_fmt(struct crimg_out *o, const char *fmt, ...) CRIMG_PRINTF(2, 3);
static void put_fmt(struct crimg_out *o, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		crimg_out_write(o, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void head(struct bw *b, const struct crimg_tree_ent *e, const char *type)
{
	crimg_out_write(b->o, b->first ? "\n{\"path\": " : ",\n{\"path\": ", b->first ? 10 : 11);
	b->first = 0;
	put_str(b->o, e->path);
	put_fmt(b->o, ", \"type\": \"%s\"", type);
	if (e->type != 'l')
		put_fmt(b->o, ", \"mode\": \"%04o\"", e->mode & 0777);
	put_fmt(b->o, ", \"mtime\": %" PRId64, e->mtime);
}

static size_t b64_encode(const uint8_t *in, size_t n, char *out)
{
	char *w = out;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*w++ = b64[v >> 18];
		*w++ = b64[(v >> 12) & 63];
		*w++ = b64[(v >> 6) & 63];
		*w++ = b64[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
		*w++ = b64[v >> 18];
		*w++ = b64[(v >> 12) & 63];
		*w++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*w++ = '=';
	}
	return (size_t)(w - out);
}

static int put_raw(struct bw *b, const struct crimg_tree_ent *e, struct crimg_error *err)
{
	int fd = openat(e->dirfd, e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return crimg_fail(err, b->tree, -1, -1, "%s: %s", e->path, strerror(errno));
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	head(b, e, "file");
	put_fmt(b->o, ", \"size\": %" PRIu64 ", \"data\": \"", e->size);
	int rc = 0;
	for (uint64_t left = e->size; left > 0;) {
		size_t want = left < RAW_CHUNK ? (size_t)left : RAW_CHUNK, got = 0;
		/* fill the chunk: base64 pieces only join up at multiples of 3 */
		while (got < want) {
			ssize_t k = read(fd, b->raw + got, want - got);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				rc = crimg_fail(err, b->tree, -1, -1, "%s: %s", e->path,
						k < 0 ? strerror(errno)
						      : "file shrank while being read");
				break;
			}
			got += (size_t)k;
		}
		if (rc < 0)
			break;
		crimg_out_write(b->o, b->text, b64_encode(b->raw, got, b->text));
		left -= got;
		crimg_prog_add(&b->prog, got);
	}
	close(fd);
	crimg_out_write(b->o, "\"}", 2);
	return rc;
}

static int put_image(struct bw *b, const struct crimg_tree_ent *e, struct crimg_error *err)
{
	enum crimg_byte_order bo;
	int r = crimg_image_json(e->dirfd, e->name, e->path, b->tmp, 0, b->lim, &bo, err, NULL);
	if (r <= 0)
		return r;
	off_t len = lseek(b->tmp, 0, SEEK_END);
	if (len < 0)
		return crimg_fail(err, e->path, -1, -1, "temporary file: %s", strerror(errno));
	head(b, e, "image");
	put_fmt(b->o,
		", \"byte_order\": \"%s\", \"image\": ", bo == CRIMG_BIG_ENDIAN ? "big" : "little");
	for (off_t at = 0; at < len;) {
		ssize_t k = pread(b->tmp, b->raw, RAW_CHUNK, at);
		if (k <= 0)
			return crimg_fail(err, e->path, -1, -1, "temporary file: %s",
					  k < 0 ? strerror(errno) : "short read");
		crimg_out_write(b->o, b->raw, (size_t)k);
		at += k;
	}
	crimg_out_write(b->o, "}", 1);
	crimg_prog_add(&b->prog, e->size);
	return 1;
}

static int bw_one(void *arg, const struct crimg_tree_ent *e, struct crimg_error *err)
{
	struct bw *b = arg;
	int rc = 0;
	if (e->type == 'd') {
		head(b, e, "dir");
		crimg_out_write(b->o, "}", 1);
	} else if (e->type == 'l') {
		head(b, e, "symlink");
		crimg_out_write(b->o, ", \"target\": ", 12);
		put_str(b->o, e->target);
		crimg_out_write(b->o, "}", 1);
	} else {
		rc = put_image(b, e, err);
		if (rc == 0)
			rc = put_raw(b, e, err);
		else if (rc > 0)
			rc = 0;
	}
	if (rc == 0 && crimg_out_flush(b->o, err) < 0) /* write errors show at once */
		rc = -1;
	return rc;
}

int crimg_bundle_write(const char *tree, int fd, const char *name, const struct crimg_limits *lim,
		       const struct crimg_progress *p, struct crimg_error *err)
{
	struct bw b = { .name = name,
			.tree = tree,
			.first = 1,
			.tmp = -1,
			.lim = lim,
			.prog = { .p = p, .what = "writing json" } };
	int rc = -1;
	if (p && p->fn && crimg_tree_size(tree, &b.prog.total, err) < 0)
		return -1;
	b.o = crimg_out_new(fd, name);
	b.raw = malloc(RAW_CHUNK);
	b.text = malloc(RAW_CHUNK / 3 * 4);
	if (!b.o || !b.raw || !b.text) {
		crimg_fail(err, name, -1, -1, "out of memory");
		goto out;
	}
	if ((b.tmp = crimg_memfile(name, err)) < 0)
		goto out;
	crimg_out_write(b.o,
			"{\"format\": \"" CRIMG_BUNDLE_FORMAT "\", \"version\": 1, \"files\": [",
			sizeof("{\"format\": \"" CRIMG_BUNDLE_FORMAT
			       "\", \"version\": 1, \"files\": [") -
				1);
	rc = crimg_tree_walk(tree, bw_one, &b, err);
	if (rc == 0) {
		crimg_out_write(b.o, "\n]}\n", 4);
		rc = crimg_out_flush(b.o, err);
	}
out:
	if (b.tmp >= 0)
		close(b.tmp);
	free(b.raw);
	free(b.text);
	crimg_out_free(b.o);
	return rc;
}
