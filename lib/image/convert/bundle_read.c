/*
 * JSON bundle -> tree, in one streaming pass: file data is base64-decoded
 * straight into its file as it is read, and each "image" object is copied
 * as text into a temporary file and encoded from there, so memory stays
 * bounded whatever the bundle's size.  Member names go through the tree
 * writer, which refuses anything that would land outside the target.
 * "format" must come first; in a file entry, "path" and "type" come before
 * "data" (the other members in any order).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json/text_parser.h"
#include "convert/convert_int.h"

#define OUT_BUF (1u << 20)

struct br {
	struct jparser p;
	struct crimg_arena arena;
	struct crimg_treew *t;
	const char *name;
	int tmp;      /* memfd: one image's JSON text */
	uint8_t *out; /* decoded data waiting to be written */
	size_t used;
	struct crimg_prog prog;
	const struct crimg_limits *lim;
	char num[JP_NUMBER_MAX];
};

/* The members of one file entry as they arrive. */
struct entry {
	const char *path, *type, *target;
	unsigned mode;
	int has_mode;
	int64_t mtime;
	int64_t size; /* -1: not given */
	int bo;       /* -1 not given, else enum crimg_byte_order */
	int fd;       /* "data" written into it */
	uint64_t data_len;
	int has_data, has_image;
	int img_line, img_col; /* where "image" starts, for error positions */
};

/* ---- small values ---- */

static const char *string_member(struct br *b, const struct jnode *key, struct crimg_error *err)
{
	struct jnode v;
	int r = jp_scalar(&b->p, &v, b->num);
	if (r < 0)
		return NULL;
	if (r > 0 || v.t != J_STR) {
		jp_fail_at(&b->p, &v, "\"%s\" must be a string", key->s);
		return NULL;
	}
	if (strlen(v.s) != v.len) {
		jp_fail_at(&b->p, &v, "\"%s\" holds a NUL character", key->s);
		return NULL;
	}
	return v.s;
}

static int int_member(struct br *b, const struct jnode *key, int64_t *out, struct crimg_error *err)
{
	struct jnode v;
	int r = jp_scalar(&b->p, &v, b->num);
	if (r < 0)
		return -1;
	char *end;
	errno = 0;
	long long x = r == 0 && v.t == J_NUM ? strtoll(v.s, &end, 10) : 0;
	if (r > 0 || v.t != J_NUM || errno || *end)
		return jp_fail_at(&b->p, &v, "\"%s\" must be an integer", key->s);
	*out = x;
	return 0;
}

/* ---- "data": base64 straight into the file ---- */

static int flush_out(struct br *b, struct entry *e, struct crimg_error *err)
{
	for (size_t off = 0; off < b->used;) {
		ssize_t k = write(e->fd, b->out + off, b->used - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return crimg_fail(err, b->name, -1, -1, "%s: write error: %s", e->path,
					  strerror(errno));
		off += (size_t)k;
	}
	crimg_prog_add(&b->prog, b->used);
	b->used = 0;
	return 0;
}

/* The value of each base64 character; -1 for the rest. */
static const signed char b64_tab[256] = {
	['A'] = 0,  ['B'] = 1,  ['C'] = 2,  ['D'] = 3,  ['E'] = 4,  ['F'] = 5,  ['G'] = 6,
	['H'] = 7,  ['I'] = 8,  ['J'] = 9,  ['K'] = 10, ['L'] = 11, ['M'] = 12, ['N'] = 13,
	['O'] = 14, ['P'] = 15, ['Q'] = 16, ['R'] = 17, ['S'] = 18, ['T'] = 19, ['U'] = 20,
	['V'] = 21, ['W'] = 22, ['X'] = 23, ['Y'] = 24, ['Z'] = 25, ['a'] = 26, ['b'] = 27,
	['c'] = 28, ['d'] = 29, ['e'] = 30, ['f'] = 31, ['g'] = 32, ['h'] = 33, ['i'] = 34,
	['j'] = 35, ['k'] = 36, ['l'] = 37, ['m'] = 38, ['n'] = 39, ['o'] = 40, ['p'] = 41,
	['q'] = 42, ['r'] = 43, ['s'] = 44, ['t'] = 45, ['u'] = 46, ['v'] = 47, ['w'] = 48,
	['x'] = 49, ['y'] = 50, ['z'] = 51, ['0'] = 52, ['1'] = 53, ['2'] = 54, ['3'] = 55,
	['4'] = 56, ['5'] = 57, ['6'] = 58, ['7'] = 59, ['8'] = 60, ['9'] = 61, ['+'] = 62,
	['/'] = 63,
};

static int b64_value(int c)
{
	/* the table's zeroes are 'A' only */
	return b64_tab[c] || c == 'A' ? b64_tab[c] : -1;
}

static int put_byte(struct br *b, struct entry *e, uint8_t v, struct crimg_error *err)
{
	if (b->used == OUT_BUF && flush_out(b, e, err) < 0)
		return -1;
	b->out[b->used++] = v;
	e->data_len++;
	return 0;
}

static int read_data(struct br *b, struct entry *e, struct crimg_error *err)
{
	struct jparser *p = &b->p;
	if (jp_peek(p) != '"')
		return jp_fail(p, "\"data\" must be a base64 string");
	jp_expect(p, '"', "'\"'");
	uint32_t acc = 0;
	int have = 0, pad = 0; /* characters of the current group; '=' seen */
	for (;;) {
		int r = crimg_input_need(&p->in, 1, err);
		if (r < 0)
			return -1;
		if (r == 0)
			return jp_fail(p, "unterminated \"data\" string");
		const uint8_t *s = crimg_input_ptr(&p->in);
		size_t n = crimg_input_avail(&p->in), i = 0;
		const char *bad = NULL;
		for (; i < n && !bad; i++) {
			/* the bulk: whole groups of four plain characters at once */
			if (have == 0 && !pad && b->used + 3 <= OUT_BUF) {
				while (i + 4 <= n && b->used + 3 <= OUT_BUF) {
					int v0 = b64_value(s[i]), v1 = b64_value(s[i + 1]);
					int v2 = b64_value(s[i + 2]), v3 = b64_value(s[i + 3]);
					if ((v0 | v1 | v2 | v3) < 0)
						break;
					uint32_t v = (uint32_t)v0 << 18 | (uint32_t)v1 << 12 |
						(uint32_t)v2 << 6 | (uint32_t)v3;
					b->out[b->used++] = (uint8_t)(v >> 16);
					b->out[b->used++] = (uint8_t)(v >> 8);
					b->out[b->used++] = (uint8_t)v;
					e->data_len += 3;
					i += 4;
				}
				if (i >= n)
					break;
			}
			int c = s[i];
			if (c == '"')
				break;
			if (c == '=') {
				if (have < 2 || have + pad >= 4)
					bad = "misplaced padding '='";
				pad++;
				continue;
			}
			int v = b64_value(c);
			if (v < 0 && c == '\\' && i + 1 < n && s[i + 1] == '/') {
				i++; /* "\/" is JSON's other way of writing '/' */
				v = 63;
			}
			if (v < 0) {
				bad = c == '\\' && i + 1 == n ? NULL
							      : "invalid character in base64";
				if (!bad)
					break; /* a backslash at the buffer's end: read on */
				continue;
			}
			if (pad) {
				bad = "base64 goes on after its padding '='";
				continue;
			}
			acc = acc << 6 | (uint32_t)v;
			if (++have == 4) {
				if (b->used + 3 > OUT_BUF && flush_out(b, e, err) < 0)
					return -1;
				b->out[b->used++] = (uint8_t)(acc >> 16);
				b->out[b->used++] = (uint8_t)(acc >> 8);
				b->out[b->used++] = (uint8_t)acc;
				e->data_len += 3;
				acc = 0;
				have = 0;
			}
		}
		if (bad) {
			crimg_input_skip(&p->in, i - 1);
			return jp_fail(p, "\"data\": %s", bad);
		}
		crimg_input_skip(&p->in, i);
		if (i < n && s[i] == '"')
			break;
		if (i < n) { /* a backslash at the buffer's end: read what follows it */
			int r2 = crimg_input_need(&p->in, 2, err);
			if (r2 <= 0)
				return r2 < 0 ? -1 : jp_fail(p, "unterminated \"data\" string");
		}
	}
	jp_expect(p, '"', "'\"'");
	if (pad && have + pad != 4)
		return jp_fail(p, "\"data\": base64 padding does not complete a group of 4");
	if (have == 1)
		return jp_fail(p, "\"data\": base64 ends with a lone character");
	if (have == 2 && put_byte(b, e, (uint8_t)(acc >> 4), err) < 0)
		return -1;
	if (have == 3 &&
	    (put_byte(b, e, (uint8_t)(acc >> 10), err) < 0 ||
	     put_byte(b, e, (uint8_t)(acc >> 2), err) < 0))
		return -1;
	return flush_out(b, e, err);
}

/* ---- "image": the object's text into the temporary file ---- */

static int read_image(struct br *b, struct entry *e, struct crimg_error *err)
{
	struct jparser *p = &b->p;
	if (jp_peek(p) != '{')
		return jp_fail(p, "\"image\" must be an object (what 'crit decode' writes)");
	jp_pos(p, &e->img_line, &e->img_col);
	if (ftruncate(b->tmp, 0) < 0 || lseek(b->tmp, 0, SEEK_SET) < 0)
		return crimg_fail(err, b->name, -1, -1, "temporary file: %s", strerror(errno));
	int depth = 0, in_str = 0, esc = 0;
	for (;;) {
		int r = crimg_input_need(&p->in, 1, err);
		if (r < 0)
			return -1;
		if (r == 0)
			return jp_fail(p, "unterminated \"image\" object");
		const uint8_t *s = crimg_input_ptr(&p->in);
		size_t n = crimg_input_avail(&p->in), i = 0;
		int done = 0;
		for (; i < n && !done; i++) {
			uint8_t c = s[i];
			if (c == '\n') {
				p->line++;
				p->line_start = p->in.pos + i + 1;
			}
			if (in_str) {
				if (esc)
					esc = 0;
				else if (c == '\\')
					esc = 1;
				else if (c == '"')
					in_str = 0;
			} else if (c == '"') {
				in_str = 1;
			} else if (c == '{' || c == '[') {
				depth++;
			} else if (c == '}' || c == ']') {
				done = --depth == 0;
			}
		}
		for (size_t off = 0; off < i;) {
			ssize_t k = write(b->tmp, s + off, i - off);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				return crimg_fail(err, b->name, -1, -1, "temporary file: %s",
						  strerror(errno));
			off += (size_t)k;
		}
		crimg_input_skip(&p->in, i);
		if (done)
			return 0;
	}
}

/* Encodes the image text in tmp to the entry's file; errors point into the bundle. */
static int encode_image(struct br *b, struct entry *e, struct crimg_error *err)
{
	int fd = crimg_treew_file(b->t, e->path, err);
	if (fd < 0)
		return -1;
	if (lseek(b->tmp, 0, SEEK_SET) < 0) {
		close(fd);
		return crimg_fail(err, b->name, -1, -1, "temporary file: %s", strerror(errno));
	}
	struct crimg_encode_opts eo = { .byte_order = (enum crimg_byte_order)e->bo,
					.limits = b->lim };
	if (crimg_json_encode(b->tmp, b->name, fd, e->path, &eo, err) < 0) {
		close(fd);
		if (err && err->line > 0) {
			if (err->line == 1)
				err->column += e->img_col - 1;
			err->line += e->img_line - 1;
			if (strcmp(err->file, b->name) == 0) {
				/* name the file the image was for */
				char msg[sizeof(err->msg)];
				snprintf(msg, sizeof(msg), "%s: %s", e->path, err->msg);
				snprintf(err->msg, sizeof(err->msg), "%s", msg);
			}
		}
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) == 0)
		crimg_prog_add(&b->prog, (uint64_t)st.st_size);
	return crimg_treew_file_done(b->t, fd, e->has_mode ? e->mode : 0644, e->mtime, err);
}

/* ---- one file entry ---- */

static int parse_mode(struct br *b, const struct jnode *key, struct entry *e,
		      struct crimg_error *err)
{
	const char *s = string_member(b, key, err);
	if (!s)
		return -1;
	char *end;
	errno = 0;
	unsigned long m = strtoul(s, &end, 8);
	if (!*s || *end || errno || m > 07777)
		return jp_fail(&b->p,
			       "\"mode\" must be octal permission bits such as \"0644\", not \"%s\"",
			       s);
	e->mode = (unsigned)m;
	e->has_mode = 1;
	return 0;
}

static int entry_member(struct br *b, struct entry *e, const struct jnode *key,
			struct crimg_error *err)
{
	const char *k = key->s;
	if (strcmp(k, "path") == 0)
		return (e->path = string_member(b, key, err)) ? 0 : -1;
	if (strcmp(k, "type") == 0) {
		if (!(e->type = string_member(b, key, err)))
			return -1;
		if (strcmp(e->type, "dir") && strcmp(e->type, "file") && strcmp(e->type, "image") &&
		    strcmp(e->type, "symlink"))
			return jp_fail_at(&b->p, key,
					  "\"type\" must be dir, file, image or symlink, not \"%s\"",
					  e->type);
		return 0;
	}
	if (strcmp(k, "mode") == 0)
		return parse_mode(b, key, e, err);
	if (strcmp(k, "mtime") == 0)
		return int_member(b, key, &e->mtime, err);
	if (strcmp(k, "size") == 0) {
		if (int_member(b, key, &e->size, err) < 0)
			return -1;
		return e->size < 0 ? jp_fail_at(&b->p, key, "\"size\" is negative") : 0;
	}
	if (strcmp(k, "byte_order") == 0) {
		const char *s = string_member(b, key, err);
		if (!s)
			return -1;
		if (strcmp(s, "little") && strcmp(s, "big"))
			return jp_fail(&b->p, "\"byte_order\" must be \"little\" or \"big\"");
		e->bo = strcmp(s, "big") == 0 ? CRIMG_BIG_ENDIAN : CRIMG_LITTLE_ENDIAN;
		return 0;
	}
	if (strcmp(k, "target") == 0)
		return (e->target = string_member(b, key, err)) ? 0 : -1;
	if (strcmp(k, "data") == 0 || strcmp(k, "image") == 0) {
		int data = k[0] == 'd';
		if (!e->path || !e->type)
			return jp_fail_at(&b->p, key, "\"%s\" before \"path\" and \"type\"", k);
		if (strcmp(e->type, data ? "file" : "image") != 0)
			return jp_fail_at(&b->p, key, "\"%s\" in an entry of type %s", k, e->type);
		if (e->has_data || e->has_image)
			return jp_fail_at(&b->p, key, "duplicate \"%s\"", k);
		if (!data) {
			e->has_image = 1;
			return read_image(b, e, err);
		}
		e->has_data = 1;
		if ((e->fd = crimg_treew_file(b->t, e->path, err)) < 0)
			return -1;
		return read_data(b, e, err);
	}
	return jp_fail_at(&b->p, key, "unknown member \"%s\" in a file entry", k);
}

static int finish_entry(struct br *b, struct entry *e, int line, int col, struct crimg_error *err)
{
	struct jnode at = { .line = line, .col = col };
	if (!e->path || !e->type)
		return jp_fail_at(&b->p, &at, "file entry without \"path\" or \"type\"");
	if (strcmp(e->type, "dir") == 0)
		return crimg_treew_dir(b->t, e->path, e->has_mode ? e->mode : 0755, e->mtime, err);
	if (strcmp(e->type, "symlink") == 0) {
		if (!e->target)
			return jp_fail_at(&b->p, &at, "symlink entry without \"target\"");
		return crimg_treew_symlink(b->t, e->path, e->target, e->mtime, err);
	}
	if (strcmp(e->type, "image") == 0) {
		if (!e->has_image)
			return jp_fail_at(&b->p, &at, "image entry without \"image\"");
		if (e->bo < 0)
			return jp_fail_at(&b->p, &at, "image entry without \"byte_order\"");
		return encode_image(b, e, err);
	}
	if (!e->has_data)
		return jp_fail_at(&b->p, &at, "file entry without \"data\"");
	if (e->size >= 0 && (uint64_t)e->size != e->data_len)
		return jp_fail_at(&b->p, &at, "\"size\" is %lld but \"data\" holds %llu bytes",
				  (long long)e->size, (unsigned long long)e->data_len);
	int fd = e->fd;
	e->fd = -1;
	return crimg_treew_file_done(b->t, fd, e->has_mode ? e->mode : 0644, e->mtime, err);
}

static int read_entry(struct br *b, struct crimg_error *err)
{
	struct jparser *p = &b->p;
	struct entry e = { .size = -1, .bo = -1, .fd = -1 };
	int line, col, rc = -1;
	crimg_arena_reset(&b->arena);
	jp_pos(p, &line, &col);
	if (jp_expect(p, '{', "'{' to start a file entry") < 0)
		return -1;
	if (jp_peek(p) == '}') {
		jp_expect(p, '}', "'}'");
		goto done;
	}
	for (;;) {
		struct jnode key;
		if (jp_key(p, &key) < 0 || entry_member(b, &e, &key, err) < 0)
			goto out;
		int c = jp_peek(p);
		if (c == ',') {
			jp_expect(p, ',', "','");
			continue;
		}
		if (jp_expect(p, '}', "',' or '}' in a file entry") < 0)
			goto out;
		break;
	}
done:
	rc = finish_entry(b, &e, line, col, err);
out:
	if (e.fd >= 0)
		close(e.fd);
	return rc;
}

/* ---- the document ---- */

static int read_files(struct br *b, struct crimg_error *err)
{
	struct jparser *p = &b->p;
	if (jp_expect(p, '[', "'[' to start \"files\"") < 0)
		return -1;
	if (jp_peek(p) == ']')
		return jp_expect(p, ']', "']'");
	for (;;) {
		if (read_entry(b, err) < 0)
			return -1;
		int c = jp_peek(p);
		if (c == ',') {
			jp_expect(p, ',', "','");
			continue;
		}
		return jp_expect(p, ']', "',' or ']' in \"files\"");
	}
}

static int read_doc(struct br *b, struct crimg_error *err)
{
	struct jparser *p = &b->p;
	int c = jp_peek(p);
	if (c == -1)
		return jp_fail(p, "empty file: expected a JSON bundle");
	if (jp_expect(p, '{', "'{' to start the bundle") < 0)
		return -1;
	int have_format = 0, have_version = 0, have_files = 0;
	for (int first = 1;; first = 0) {
		struct jnode key;
		crimg_arena_reset(&b->arena);
		if (jp_key(p, &key) < 0)
			return -1;
		if (first && strcmp(key.s, "format") != 0)
			return jp_fail_at(p, &key, "a bundle starts with \"format\": \"%s\"",
					  CRIMG_BUNDLE_FORMAT);
		if (strcmp(key.s, "format") == 0 && !have_format++) {
			const char *f = string_member(b, &key, err);
			if (!f)
				return -1;
			if (strcmp(f, CRIMG_BUNDLE_FORMAT) != 0)
				return jp_fail_at(p, &key, "\"format\" is \"%s\", not \"%s\"", f,
						  CRIMG_BUNDLE_FORMAT);
		} else if (strcmp(key.s, "version") == 0 && !have_version++) {
			int64_t v;
			if (int_member(b, &key, &v, err) < 0)
				return -1;
			if (v != 1)
				return jp_fail_at(p, &key,
						  "bundle version %lld: this crit reads version 1",
						  (long long)v);
		} else if (strcmp(key.s, "files") == 0 && !have_files++) {
			if (read_files(b, err) < 0)
				return -1;
		} else {
			return jp_fail_at(p, &key, "%s member \"%s\" in the bundle",
					  strcmp(key.s, "format") && strcmp(key.s, "version") &&
							  strcmp(key.s, "files")
						  ? "unknown"
						  : "duplicate",
					  key.s);
		}
		c = jp_peek(p);
		if (c == ',') {
			jp_expect(p, ',', "','");
			continue;
		}
		if (jp_expect(p, '}', "',' or '}'") < 0)
			return -1;
		break;
	}
	if (!have_files)
		return jp_fail(p, "the bundle has no \"files\"");
	c = jp_peek(p);
	if (c == -2)
		return -1;
	if (c != -1)
		return jp_fail(p, "data after the end of the bundle");
	return 0;
}

int crimg_bundle_read(const char *bundle, const char *dstdir, const struct crimg_limits *lim,
		      const struct crimg_progress *p, struct crimg_error *err)
{
	if (!lim)
		lim = &crimg_default_limits;
	struct crimg_treew *t = crimg_treew_new(dstdir, bundle, lim->max_dirs, err);
	if (!t)
		return -1;
	int rc = crimg_bundle_read_tree(bundle, t, lim, p, err);
	if (rc == 0)
		rc = crimg_treew_finish(t, err);
	crimg_treew_free(t);
	return rc;
}

int crimg_bundle_read_tree(const char *bundle, struct crimg_treew *t,
			   const struct crimg_limits *lim, const struct crimg_progress *p,
			   struct crimg_error *err)
{
	struct br *b = calloc(1, sizeof(*b));
	if (!b)
		return crimg_fail(err, bundle, -1, -1, "out of memory");
	b->name = bundle;
	b->lim = lim ? lim : &crimg_default_limits;
	b->tmp = -1;
	b->prog = (struct crimg_prog){ .p = p, .what = "reading json" };
	crimg_arena_init(&b->arena);
	int fd = open(bundle, O_RDONLY | O_CLOEXEC), rc = -1;
	if (fd < 0) {
		crimg_fail(err, bundle, -1, -1, "%s", strerror(errno));
		goto out;
	}
	struct stat st;
	if (fstat(fd, &st) == 0)
		b->prog.total = (uint64_t)st.st_size / 4 * 3; /* about: base64 dominates */
	if (!(b->out = malloc(OUT_BUF)) || (b->tmp = crimg_memfile(bundle, err)) < 0) {
		if (!b->out)
			crimg_fail(err, bundle, -1, -1, "out of memory");
		goto out;
	}
	b->t = t;
	jp_init(&b->p, fd, bundle, &b->arena, b->lim->max_depth, err);
	rc = read_doc(b, err);
	jp_release(&b->p);
out:
	if (fd >= 0)
		close(fd);
	if (b->tmp >= 0)
		close(b->tmp);
	free(b->out);
	crimg_arena_free(&b->arena);
	free(b);
	return rc;
}

/* Skips JSON blanks in p[*i..n). */
static void skip_blanks(const char *p, size_t n, size_t *i)
{
	while (*i < n && (p[*i] == ' ' || p[*i] == '\t' || p[*i] == '\n' || p[*i] == '\r'))
		(*i)++;
}

static int take(const char *p, size_t n, size_t *i, const char *word)
{
	size_t k = strlen(word);
	skip_blanks(p, n, i);
	if (*i + k > n || memcmp(p + *i, word, k) != 0)
		return 0;
	*i += k;
	return 1;
}

int crimg_bundle_detect(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	char h[256];
	ssize_t n = pread(fd, h, sizeof(h), 0);
	close(fd);
	size_t i = 0;
	/* "format" comes first: the reader insists on it too */
	return n > 0 && take(h, (size_t)n, &i, "{") && take(h, (size_t)n, &i, "\"format\"") &&
		take(h, (size_t)n, &i, ":") &&
		take(h, (size_t)n, &i, "\"" CRIMG_BUNDLE_FORMAT "\"");
}
