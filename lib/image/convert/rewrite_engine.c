/*
 * Path rules applied to a container engine's own JSON files in a container
 * checkpoint: spec.dump (the OCI runtime spec the container ran with) and
 * config.dump (Podman's container configuration).  Podman and runc take a
 * bind mount's source from these, not from mountpoints-*.img, so a moved
 * host directory must be rewritten here too or the restore fails on it.
 *
 * Only fields that hold host paths are touched (a mount's destination is a
 * path inside the container and stays).  The file is scanned, not parsed
 * into a tree and printed again: every byte outside a changed string stays
 * as the engine wrote it (key order, spacing, number forms, escapes), and
 * the new file is written beside the old one and renamed over it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert/rewrite_int.h"

/*
 * Fields as key names joined by '.', "[]" for any array index and "*" for
 * any one key.  spec.dump is an OCI runtime spec; config.dump holds the
 * same spec under "spec" and Podman's own host paths beside it.
 */
static const char *const spec_fields[] = {
	"root.path",               /* the rootfs (the engine's storage) */
	"mounts[].source",         /* bind mounts; "proc", "tmpfs" are not paths */
	"hooks.*[].path",          /* hook programs run on the host */
	"linux.namespaces[].path", /* a namespace joined by its path (/run/netns/x) */
};
static const char *const config_fields[] = {
	"rootfs",      "ShmDir",        "staticDir",
	"logPath",     "conmonPidFile", "pid_file",
	"secretsPath", "mounts[]",      "overlayVolumes[].source",
};

#define MAX_COMPS 64

struct comp {
	const char *key; /* NULL for an array index */
	size_t klen;
	size_t index;
};

struct splice {
	size_t start, end; /* the old string token, quotes included */
	char *text;        /* the new token */
	size_t len;
	char *field, *before, *after; /* for the report, once the file is replaced */
};

struct scan {
	const char *path, *name; /* for messages; the report's image name */
	const uint8_t *buf;
	size_t len, pos;
	unsigned depth, max_depth;
	const struct rw_rules *rules;
	const char *const *fields;
	size_t n_fields;
	const char *prefix; /* "spec." in config.dump: the spec's fields too */
	struct comp comps[MAX_COMPS];
	unsigned n_comps; /* may exceed MAX_COMPS: then nothing below matches */
	struct splice *splices;
	size_t n_splices, cap_splices;
	char **keys; /* decoded keys the path points to */
	size_t n_keys, cap_keys;
	struct crimg_error *err;
	int failed;
};

static int sfail(struct scan *s, const char *what)
{
	if (!s->failed)
		crimg_fail(s->err, s->path, (int64_t)s->pos, -1, "not JSON: %s", what);
	s->failed = 1;
	return -1;
}

static int oom(struct scan *s)
{
	if (!s->failed)
		crimg_fail(s->err, s->path, -1, -1, "out of memory");
	s->failed = 1;
	return -1;
}

static void skip_ws(struct scan *s)
{
	while (s->pos < s->len &&
	       (s->buf[s->pos] == ' ' || s->buf[s->pos] == '\t' || s->buf[s->pos] == '\n' ||
		s->buf[s->pos] == '\r'))
		s->pos++;
}

static int hex4(const uint8_t *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A string token at pos, decoded into a new buffer (*out, *olen; a NUL is
 * added after it).  out NULL: checked and skipped only. */
static int string_token(struct scan *s, char **out, size_t *olen)
{
	if (s->pos >= s->len || s->buf[s->pos] != '"')
		return sfail(s, "expected a string");
	size_t start = ++s->pos;
	/* decoding never grows the text: an escape is as long as its bytes */
	char *o = NULL;
	size_t n = 0;
	for (;;) {
		if (s->pos >= s->len) {
			free(o);
			return sfail(s, "a string is not closed");
		}
		uint8_t c = s->buf[s->pos];
		if (c == '"')
			break;
		if (c < 0x20) {
			free(o);
			return sfail(s, "a control byte inside a string");
		}
		if (c != '\\') {
			s->pos++;
			continue;
		}
		if (s->pos + 1 >= s->len) {
			free(o);
			return sfail(s, "a string is not closed");
		}
		uint8_t e = s->buf[s->pos + 1];
		if (e == 'u') {
			unsigned v;
			if (s->pos + 6 > s->len || hex4(s->buf + s->pos + 2, &v) < 0) {
				free(o);
				return sfail(s, "a \\u escape without four hex digits");
			}
			s->pos += 6;
			if (v >= 0xd800 && v < 0xdc00 && s->pos + 6 <= s->len &&
			    s->buf[s->pos] == '\\' && s->buf[s->pos + 1] == 'u') {
				unsigned lo;
				if (hex4(s->buf + s->pos + 2, &lo) == 0 && lo >= 0xdc00 &&
				    lo < 0xe000)
					s->pos += 6;
			}
			continue;
		}
		if (!strchr("\"\\/bfnrt", e) || !e) {
			free(o);
			return sfail(s, "an unknown escape in a string");
		}
		s->pos += 2;
	}
	size_t end = s->pos++;
	if (!out)
		return 0;
	o = malloc(end - start + 1);
	if (!o)
		return oom(s);
	for (size_t i = start; i < end;) {
		uint8_t c = s->buf[i];
		if (c != '\\') {
			o[n++] = (char)c;
			i++;
			continue;
		}
		uint8_t e = s->buf[i + 1];
		if (e != 'u') {
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			o[n++] = to[strchr(from, e) - from];
			i += 2;
			continue;
		}
		unsigned v, lo;
		hex4(s->buf + i + 2, &v);
		i += 6;
		if (v >= 0xd800 && v < 0xdc00 && i + 6 <= end && s->buf[i] == '\\' &&
		    s->buf[i + 1] == 'u' && hex4(s->buf + i + 2, &lo) == 0 && lo >= 0xdc00 &&
		    lo < 0xe000) {
			v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
			i += 6;
		} else if (v >= 0xd800 && v < 0xe000) {
			v = 0xfffd; /* a lone surrogate: no path holds one */
		}
		n += put_utf8(o + n, v);
	}
	o[n] = '\0';
	*out = o;
	*olen = n;
	return 0;
}

static int literal_or_number(struct scan *s)
{
	static const char *const lits[] = { "true", "false", "null" };
	for (int i = 0; i < 3; i++) {
		size_t l = strlen(lits[i]);
		if (s->len - s->pos >= l && !memcmp(s->buf + s->pos, lits[i], l)) {
			s->pos += l;
			return 0;
		}
	}
	/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
	size_t p = s->pos;
	if (p < s->len && s->buf[p] == '-')
		p++;
	if (p < s->len && s->buf[p] == '0') {
		p++;
	} else if (p < s->len && s->buf[p] >= '1' && s->buf[p] <= '9') {
		while (p < s->len && s->buf[p] >= '0' && s->buf[p] <= '9')
			p++;
	} else {
		return sfail(s, "expected a value");
	}
	if (p < s->len && s->buf[p] == '.') {
		size_t d = ++p;
		while (p < s->len && s->buf[p] >= '0' && s->buf[p] <= '9')
			p++;
		if (p == d)
			return sfail(s, "a number without digits after its point");
	}
	if (p < s->len && (s->buf[p] == 'e' || s->buf[p] == 'E')) {
		p++;
		if (p < s->len && (s->buf[p] == '+' || s->buf[p] == '-'))
			p++;
		size_t d = p;
		while (p < s->len && s->buf[p] >= '0' && s->buf[p] <= '9')
			p++;
		if (p == d)
			return sfail(s, "a number without digits in its exponent");
	}
	s->pos = p;
	return 0;
}

/* Does the current path match pattern pat (from its component from on)? */
static int matches_at(const struct scan *s, const char *pat)
{
	unsigned i = 0;
	const char *p = pat;
	while (*p) {
		if (i >= s->n_comps || i >= MAX_COMPS)
			return 0;
		const struct comp *c = &s->comps[i++];
		if (!strncmp(p, "[]", 2)) {
			if (c->key)
				return 0;
			p += 2;
		} else {
			if (*p == '.')
				p++;
			size_t l = strcspn(p, ".[");
			if (!c->key ||
			    (!(l == 1 && *p == '*') && (c->klen != l || memcmp(c->key, p, l))))
				return 0;
			p += l;
		}
	}
	return i == s->n_comps;
}

static int wanted(const struct scan *s)
{
	if (s->n_comps > MAX_COMPS)
		return 0;
	for (size_t i = 0; i < s->n_fields; i++)
		if (matches_at(s, s->fields[i]))
			return 1;
	if (!s->prefix)
		return 0;
	/* the spec inside config.dump: "spec." then a spec.dump field */
	if (s->n_comps < 1 || !s->comps[0].key || s->comps[0].klen != 4 ||
	    memcmp(s->comps[0].key, "spec", 4))
		return 0;
	struct scan sub = *s;
	memmove(sub.comps, s->comps + 1, sizeof(sub.comps) - sizeof(sub.comps[0]));
	sub.n_comps = s->n_comps - 1;
	for (size_t i = 0; i < sizeof(spec_fields) / sizeof(spec_fields[0]); i++)
		if (matches_at(&sub, spec_fields[i]))
			return 1;
	return 0;
}

/* The current path as the report names it: "mounts[5].source". */
static char *field_name(const struct scan *s)
{
	size_t n = 1;
	for (unsigned i = 0; i < s->n_comps; i++)
		n += s->comps[i].key ? s->comps[i].klen + 1 : 24;
	char *out = malloc(n), *o = out;
	if (!out)
		return NULL;
	for (unsigned i = 0; i < s->n_comps; i++) {
		const struct comp *c = &s->comps[i];
		if (c->key) {
			if (i)
				*o++ = '.';
			memcpy(o, c->key, c->klen);
			o += c->klen;
		} else {
			o += sprintf(o, "[%zu]", c->index);
		}
	}
	*o = '\0';
	return out;
}

/* The new string as a JSON token, escaped as Go's encoder (Podman's, runc's)
 * escapes: the file stays in its writer's own form. */
static char *json_token(const char *v, size_t *len)
{
	size_t n = strlen(v);
	char *out = malloc(6 * n + 3), *o = out;
	if (!out)
		return NULL;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)v[i];
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c == '\n') {
			o += sprintf(o, "\\n");
		} else if (c == '\r') {
			o += sprintf(o, "\\r");
		} else if (c == '\t') {
			o += sprintf(o, "\\t");
		} else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
			o += sprintf(o, "\\u%04x", c);
		} else if (c == 0xe2 && (uint8_t)v[i + 1] == 0x80 &&
			   ((uint8_t)v[i + 2] == 0xa8 || (uint8_t)v[i + 2] == 0xa9)) {
			o += sprintf(o, "\\u%04x", (uint8_t)v[i + 2] == 0xa8 ? 0x2028 : 0x2029);
			i += 2;
		} else {
			*o++ = (char)c;
		}
	}
	*o++ = '"';
	*len = (size_t)(o - out);
	return out;
}

static char *shown(const char *v)
{
	size_t n = strlen(v);
	char *out = malloc(4 * n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)v[i];
		if (c < 0x20 || c == 0x7f)
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

static int grow(void **arr, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p = realloc(*arr, ncap * sz);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* A string value at a wanted field: the rules applied, the change kept. */
static int string_value(struct scan *s)
{
	size_t start = s->pos, n;
	char *v = NULL;
	if (string_token(s, &v, &n) < 0)
		return -1;
	int bad = 0;
	/* a NUL inside is no path (and would cut it short) */
	char *nv = strlen(v) == n ? crimg_rw_path(s->rules, v, &bad) : NULL;
	if (bad) {
		free(v);
		return oom(s);
	}
	if (!nv) {
		free(v);
		return 0;
	}
	size_t tlen;
	char *tok = json_token(nv, &tlen);
	char *field = field_name(s), *before = shown(v), *after = shown(nv);
	free(v);
	free(nv);
	if (!tok || !field || !before || !after ||
	    grow((void **)&s->splices, s->n_splices, &s->cap_splices, sizeof(*s->splices)) < 0) {
		free(tok);
		free(field);
		free(before);
		free(after);
		return oom(s);
	}
	s->splices[s->n_splices++] =
		(struct splice){ start, s->pos, tok, tlen, field, before, after };
	return 0;
}

static int value(struct scan *s);

static int push(struct scan *s, const char *key, size_t klen, size_t index)
{
	if (s->n_comps < MAX_COMPS)
		s->comps[s->n_comps] = (struct comp){ key, klen, index };
	s->n_comps++;
	return 0;
}

static int object(struct scan *s)
{
	s->pos++; /* '{' */
	skip_ws(s);
	if (s->pos < s->len && s->buf[s->pos] == '}') {
		s->pos++;
		return 0;
	}
	for (;;) {
		skip_ws(s);
		char *key;
		size_t klen;
		if (string_token(s, &key, &klen) < 0)
			return -1;
		if (grow((void **)&s->keys, s->n_keys, &s->cap_keys, sizeof(*s->keys)) < 0) {
			free(key);
			return oom(s);
		}
		s->keys[s->n_keys++] = key;
		skip_ws(s);
		if (s->pos >= s->len || s->buf[s->pos] != ':')
			return sfail(s, "expected ':' after a member name");
		s->pos++;
		push(s, key, klen, 0);
		int rc = value(s);
		s->n_comps--;
		if (rc < 0)
			return -1;
		skip_ws(s);
		if (s->pos < s->len && s->buf[s->pos] == ',') {
			s->pos++;
			continue;
		}
		if (s->pos < s->len && s->buf[s->pos] == '}') {
			s->pos++;
			return 0;
		}
		return sfail(s, "expected ',' or '}' in an object");
	}
}

static int array(struct scan *s)
{
	s->pos++; /* '[' */
	skip_ws(s);
	if (s->pos < s->len && s->buf[s->pos] == ']') {
		s->pos++;
		return 0;
	}
	for (size_t i = 0;; i++) {
		push(s, NULL, 0, i);
		int rc = value(s);
		s->n_comps--;
		if (rc < 0)
			return -1;
		skip_ws(s);
		if (s->pos < s->len && s->buf[s->pos] == ',') {
			s->pos++;
			continue;
		}
		if (s->pos < s->len && s->buf[s->pos] == ']') {
			s->pos++;
			return 0;
		}
		return sfail(s, "expected ',' or ']' in an array");
	}
}

static int value(struct scan *s)
{
	skip_ws(s);
	if (s->pos >= s->len)
		return sfail(s, "it ends before a value");
	uint8_t c = s->buf[s->pos];
	if (c == '{' || c == '[') {
		if (++s->depth > s->max_depth) {
			if (!s->failed)
				crimg_fail(s->err, s->path, (int64_t)s->pos, -1,
					   "JSON nested deeper than the limit of %u" CRIMG_LIMIT_HINT(
						   "depth"),
					   s->max_depth);
			s->failed = 1;
			return -1;
		}
		int rc = c == '{' ? object(s) : array(s);
		s->depth--;
		return rc;
	}
	if (c == '"')
		return wanted(s) ? string_value(s) : string_token(s, NULL, NULL);
	return literal_or_number(s);
}

static int read_all(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = read(fd, buf + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	while (n > 0) {
		ssize_t k = write(fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The file again with the splices, beside it, renamed over it; its mode kept. */
static int replace_file(struct scan *s, int fd, const struct stat *st)
{
	struct crimg_outfile *f = crimg_outfile_open(s->path, CRIMG_OUTFILE_NOFOLLOW, s->err);
	if (!f)
		return -1;
	int ofd = crimg_outfile_fd(f), rc = 0;
	size_t pos = 0;
	for (size_t i = 0; i < s->n_splices && rc == 0; i++) {
		const struct splice *p = &s->splices[i];
		rc = write_all(ofd, s->buf + pos, p->start - pos) < 0 ||
				write_all(ofd, p->text, p->len) < 0
			? -1
			: 0;
		pos = p->end;
	}
	if (rc == 0)
		rc = write_all(ofd, s->buf + pos, s->len - pos);
	if (rc < 0) {
		crimg_fail(s->err, s->path, -1, -1, "cannot write it: %s", strerror(errno));
	} else if (crimg_outfile_copy_attrs(f, fd, s->err) < 0) {
		rc = -1;
	} else if (!crimg_outfile_replaces(f) && fchmod(ofd, st->st_mode & 07777) < 0) {
		rc = crimg_fail(s->err, s->path, -1, -1, "%s", strerror(errno));
	}
	if (rc < 0) {
		crimg_outfile_abort(f);
		return -1;
	}
	return crimg_outfile_commit(f, s->err);
}

int crimg_rw_engine_file(const struct rw_rules *rr, const char *path, const char *name,
			 const struct crimg_limits *lim, crimg_rewrite_cb cb, void *arg,
			 struct crimg_error *err)
{
	if (!lim)
		lim = &crimg_default_limits;
	int is_spec = !strcmp(name, "spec.dump");
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int rc = errno == ELOOP
			? crimg_fail(err, path, -1, -1, "a symbolic link: not rewritten")
			: crimg_fail(err, path, -1, -1, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return crimg_fail(err, path, -1, -1, "not a regular file: not rewritten");
	}
	if ((uint64_t)st.st_size > lim->max_json) {
		close(fd);
		return crimg_fail(err, path, -1, -1,
				  "%llu bytes is more than the limit of %llu for a JSON file read "
				  "whole" CRIMG_LIMIT_HINT("json"),
				  (unsigned long long)st.st_size,
				  (unsigned long long)lim->max_json);
	}
	uint8_t *buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		close(fd);
		return crimg_fail(err, path, -1, -1, "out of memory");
	}
	if (read_all(fd, buf, (size_t)st.st_size) < 0) {
		free(buf);
		close(fd);
		return crimg_fail(err, path, -1, -1, "cannot read it: %s",
				  errno ? strerror(errno) : "file shrank");
	}
	struct scan s = {
		.path = path,
		.name = name,
		.buf = buf,
		.len = (size_t)st.st_size,
		.max_depth = lim->max_depth,
		.rules = rr,
		.fields = is_spec ? spec_fields : config_fields,
		.n_fields = is_spec ? sizeof(spec_fields) / sizeof(spec_fields[0])
				    : sizeof(config_fields) / sizeof(config_fields[0]),
		.prefix = is_spec ? NULL : "spec.",
		.err = err,
	};
	int rc = 0;
	skip_ws(&s);
	if (s.pos >= s.len || s.buf[s.pos] != '{')
		rc = sfail(&s, "expected an object");
	else
		rc = value(&s);
	skip_ws(&s);
	if (rc == 0 && s.pos != s.len)
		rc = sfail(&s, "more after the object");
	if (rc == 0 && s.n_splices)
		rc = replace_file(&s, fd, &st);
	/* reported once the file is replaced, as images are */
	for (size_t i = 0; i < s.n_splices; i++) {
		struct splice *p = &s.splices[i];
		if (rc == 0 && cb)
			cb(arg, name, 0, p->field, p->before, p->after);
		free(p->text);
		free(p->field);
		free(p->before);
		free(p->after);
	}
	int n = (int)s.n_splices;
	for (size_t i = 0; i < s.n_keys; i++)
		free(s.keys[i]);
	free(s.splices);
	free(s.keys);
	free(buf);
	close(fd);
	return rc < 0 ? -1 : n;
}
