/*
 * An archive's members, indexed in one pass and read lazily (see
 * archive_int.h for the model).  What the pass does with a member's data:
 *
 *   uncompressed tar in a file   nothing: libarchive skips it by seeking,
 *                                the member is read in place when asked for
 *   compressed, small            read into memory (the images a view needs)
 *   compressed, page data        decompressed and dropped (the bomb limits
 *                                are checked on the way); decompressed
 *                                again into the unnamed file on first use
 *   stream (stdin), page data    into the unnamed file now: no way back
 *
 * Member names are checked (no absolute path, no "..", no link out, no
 * duplicate) and never used as paths.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive/archive_int.h"

#define MEM_MEMBER_MAX (64u << 20) /* larger members are not kept in memory */
#define MEM_TOTAL_MAX (256u << 20) /* nor any once this much is */
#define SPOOL_ALIGN 4096u          /* members in the unnamed file start on a page */

struct crimg_arc {
	char *name;
	struct crimg_la la;
	struct arc_src src; /* fd: our own duplicate */
	struct crimg_limits lim;
	char *tmpdir;
	crimg_progress_fn *progress;
	void *progress_arg;
	int keep_pages; /* see arc_opts */
	const char *format;
	int in_place;         /* an uncompressed tar in a file or in memory */
	struct arc_member *v; /* in header order */
	size_t n, cap;
	struct arc_member **byname;
	uint64_t in_mem; /* bytes of members kept in memory */
	int spool;       /* the unnamed file, or -1 */
	uint64_t spool_end;
	char *broken; /* where the pass stopped early */
	/* the later pass: members not read yet are decompressed as it meets them */
	struct archive *later;
	struct archive_entry *later_entry; /* its headers (larchive.h) */
	struct arc_reader later_rd;
	uint64_t later_seq; /* headers it has read */
	size_t later_next;  /* the next member of v it will meet */
	int later_is_dead;  /* it cannot go on: its reader stopped inside the archive */
	char *later_dead;   /* why (NULL when there was no memory to keep it) */
};

/* What one pass over the archive carries. */
struct pass {
	struct crimg_arc *A;
	struct archive *a;
	struct arc_reader *rd;
	uint64_t out; /* bytes decompressed (or expanded) so far */
};

static char *vstrdupf(const char *fmt, ...) CRIMG_PRINTF(1, 2);
static char *vstrdupf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* Whether what went wrong is memory: not damage, so not "what came before
 * stays readable" but a failure (libarchive says ENOMEM). */
static int short_of_memory(const struct pass *p)
{
	return p->rd->err == ENOMEM || p->A->la.archive_errno(p->a) == ENOMEM;
}

/* What went wrong in libarchive, or in our reading under it. */
static const char *why(const struct pass *p)
{
	if (p->rd->err)
		return strerror(p->rd->err);
	const char *s = p->A->la.archive_error_string(p->a);
	return s && *s ? s : "unexpected end of data (truncated?)";
}

/* Where the pass is in the archive (compressed bytes read). */
static int64_t where(const struct pass *p)
{
	return p->A->la.archive_filter_bytes(p->a, -1);
}

/* ---- names ---- */

/* A name that could point outside the archive's own tree. */
static int bad_member_name(const char *n)
{
	if (n[0] == '/')
		return 1;
	for (const char *p = n; *p;) {
		const char *s = strchr(p, '/');
		size_t len = s ? (size_t)(s - p) : strlen(p);
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		p += len;
		while (*p == '/')
			p++;
	}
	return 0;
}

static int link_leaves(const char *target)
{
	return target && (target[0] == '/' || bad_member_name(target));
}

/* "./a//b/" -> "a/b" */
static void clean_name(char *n)
{
	char *w = n;
	const char *r = n;
	while (r[0] == '.' && r[1] == '/')
		r += 2;
	while (*r) {
		if (*r == '/' && (w == n || w[-1] == '/')) {
			r++;
			continue;
		}
		if (*r == '/' && r[1] == '.' && (r[2] == '/' || r[2] == '\0')) {
			r += 2;
			continue;
		}
		*w++ = *r++;
	}
	while (w > n && w[-1] == '/')
		w--;
	*w = '\0';
}

static int is_pages(const char *name)
{
	const char *b = strrchr(name, '/');
	return strncmp(b ? b + 1 : name, "pages-", 6) == 0;
}

/* ---- member data ---- */

/* The "unpacked" and "ratio" limits, after more bytes came out of the
 * decompressor (the member's own size was checked at its header). */
static int check_ratio(const struct pass *p, const struct arc_member *m, struct crimg_error *err)
{
	return crimg_limit_unpack(&p->A->lim, p->A->name, m->name, 0, p->out, where(p), err);
}

/* Marks m damaged, got bytes into its data; the pass cannot go on. */
static int damaged(struct pass *p, struct arc_member *m, uint64_t got, const char *what,
		   struct crimg_error *err)
{
	if (short_of_memory(p))
		return crimg_fail(err, p->A->name, where(p), -1,
				  "archive member '%s': out of memory", m->name);
	free(m->bad);
	m->bad = vstrdupf(
		"archive member '%s' is truncated or damaged: it gives %llu of its %llu bytes (%s)",
		m->name, (unsigned long long)got, (unsigned long long)m->size, what);
	if (!m->bad)
		return crimg_fail(err, p->A->name, -1, -1, "out of memory");
	m->bad_off = where(p);
	m->where = ARC_BAD;
	free(p->A->broken);
	p->A->broken = vstrdupf("offset %lld: %s", (long long)m->bad_off, m->bad);
	if (!p->A->broken)
		return crimg_fail(err, p->A->name, -1, -1, "out of memory");
	return 1;
}

/*
 * Reads the current member's data into mem (a zeroed buffer of m->size),
 * or into fd at off, or nowhere, checking the ratio as it comes.  0 done,
 * 1 the member is damaged (m is ARC_BAD), -1 err filled (a limit, a write
 * error: the archive cannot be read).
 */
static int pump(struct pass *p, struct arc_member *m, uint8_t *mem, int fd, uint64_t off,
		struct crimg_error *err)
{
	const struct crimg_la *L = &p->A->la;
	uint64_t got = 0; /* the end of the data seen so far (sparse members have holes) */
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t at;
		int r = L->archive_read_data_block(p->a, &buf, &len, &at);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return damaged(p, m, got, why(p), err);
		if (at < 0 || (uint64_t)at > m->size || len > m->size - (uint64_t)at)
			return damaged(p, m, got, "data beyond its size", err);
		uint64_t end = (uint64_t)at + len;
		if (end > got) {
			p->out += end - got;
			got = end;
		}
		if (check_ratio(p, m, err) < 0)
			return -1;
		if (mem && len)
			memcpy(mem + at, buf, len);
		else if (fd >= 0 && len && arc_pwrite_all(fd, buf, len, off + (uint64_t)at) < 0)
			return crimg_fail(err, p->A->name, -1, -1,
					  "archive member '%s': cannot write it to a temporary file: %s",
					  m->name, strerror(errno));
	}
	/* a hole at the end of a sparse member */
	p->out += m->size - got;
	return check_ratio(p, m, err);
}

/* Decompresses the current member into the unnamed file. */
static int spool_member(struct pass *p, struct arc_member *m, struct crimg_error *err)
{
	struct crimg_arc *A = p->A;
	if (A->spool < 0 && (A->spool = arc_unnamed_file(A->tmpdir, err)) < 0)
		return -1;
	uint64_t at = (A->spool_end + SPOOL_ALIGN - 1) / SPOOL_ALIGN * SPOOL_ALIGN;
	/* sized first: holes of sparse members read as zeros */
	if (ftruncate(A->spool, (off_t)(at + m->size)) < 0)
		return crimg_fail(err, A->name, -1, -1,
				  "archive member '%s': cannot make a temporary file of %llu bytes: %s",
				  m->name, (unsigned long long)m->size, strerror(errno));
	int rc = pump(p, m, NULL, A->spool, at, err);
	if (rc != 0)
		return rc;
	A->spool_end = at + m->size;
	m->where = ARC_AT;
	m->fd = A->spool;
	m->off = at;
	return 0;
}

/* ---- the index pass ---- */

static struct arc_member *add_member(struct crimg_arc *A, const char *raw)
{
	if (A->n == A->cap) {
		size_t cap = A->cap ? A->cap * 2 : 64;
		struct arc_member *nv = realloc(A->v, cap * sizeof(*nv));
		if (!nv)
			return NULL;
		A->v = nv;
		A->cap = cap;
	}
	struct arc_member *m = &A->v[A->n];
	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (!(m->name = strdup(raw)))
		return NULL;
	clean_name(m->name);
	A->n++;
	return m;
}

/* Names and links: anything leaving the archive's tree fails the open. */
static int check_entry(struct pass *p, struct archive_entry *e, const char *raw,
		       struct crimg_error *err)
{
	const struct crimg_la *L = &p->A->la;
	int64_t at = L->archive_filter_bytes(p->a, 0);
	if (bad_member_name(raw))
		return crimg_fail(
			err, p->A->name, at, -1,
			"archive member '%s' points outside the archive (absolute path or '..')",
			raw);
	const char *hl = L->archive_entry_hardlink(e);
	const char *sl = L->archive_entry_filetype(e) == AE_IFLNK ? L->archive_entry_symlink(e)
								  : NULL;
	if (link_leaves(hl) || link_leaves(sl))
		return crimg_fail(err, p->A->name, at, -1,
				  "archive member '%s' is a %s link to '%s', outside the archive",
				  raw, hl ? "hard" : "symbolic", hl ? hl : sl);
	return 0;
}

/* One header of the index pass: 0 go on, 1 stop (a damaged member), -1 fail. */
static int index_entry(struct pass *p, struct archive_entry *e, uint64_t seq,
		       struct crimg_error *err)
{
	struct crimg_arc *A = p->A;
	const struct crimg_la *L = &A->la;
	const char *raw = L->archive_entry_pathname(e);
	if (!raw)
		return 0;
	if (check_entry(p, e, raw, err) < 0)
		return -1;
	if (seq >= A->lim.max_members)
		return crimg_fail(err, A->name, L->archive_filter_bytes(p->a, -1), -1,
				  "archive has more than %llu members" CRIMG_LIMIT_HINT("members"),
				  (unsigned long long)A->lim.max_members);
	if (L->archive_entry_filetype(e) != AE_IFREG || L->archive_entry_hardlink(e))
		return 0; /* directories, links inside, devices: nothing to read */
	int64_t size = L->archive_entry_size_is_set(e) ? L->archive_entry_size(e) : 0;
	if (size < 0)
		size = 0;
	if ((uint64_t)size > A->lim.max_member)
		return crimg_fail(
			err, A->name, L->archive_filter_bytes(p->a, 0), -1,
			"archive member '%s' is larger than the limit of %llu bytes" CRIMG_LIMIT_HINT(
				"member"),
			raw, (unsigned long long)A->lim.max_member);
	struct arc_member *m = add_member(A, raw);
	if (!m)
		return crimg_fail(err, A->name, -1, -1, "out of memory");
	m->size = (uint64_t)size;
	m->seq = seq;
	if (L->archive_entry_mtime_is_set(e)) {
		m->has_mtime = 1;
		m->mtime = (int64_t)L->archive_entry_mtime(e);
	}
	if (A->in_place && L->archive_entry_sparse_count(e) == 0) {
		/* read in place when asked for; the next header skips it */
		uint64_t at = (uint64_t)L->archive_filter_bytes(p->a, 0);
		if (at > A->src.len || m->size > A->src.len - at) {
			m->where = ARC_BAD;
			m->bad_off = (int64_t)at;
			m->bad = vstrdupf(
				"archive member '%s' is truncated: the archive ends %llu bytes into its %llu bytes",
				m->name,
				(unsigned long long)(at > A->src.len ? 0 : A->src.len - at),
				(unsigned long long)m->size);
			A->broken = vstrdupf("offset %lld: %s", (long long)at,
					     m->bad ? m->bad : "");
			return m->bad && A->broken
				? 1
				: crimg_fail(err, A->name, -1, -1, "out of memory");
		}
		m->where = ARC_AT;
		m->fd = A->src.fd;
		m->off = A->src.base + at;
		return 0;
	}
	if (!is_pages(m->name) && m->size <= MEM_MEMBER_MAX &&
	    A->in_mem + m->size <= MEM_TOTAL_MAX) {
		if (!(m->data = calloc(m->size ? m->size : 1, 1)))
			return crimg_fail(err, A->name, -1, -1, "out of memory for %s", m->name);
		int rc = pump(p, m, m->data, -1, 0, err);
		if (rc == 0) {
			m->where = ARC_MEM;
			A->in_mem += m->size;
		}
		return rc;
	}
	if (A->src.stream || A->keep_pages) /* no coming back, or wanted: kept now */
		return spool_member(p, m, err);
	m->where = ARC_LATER;
	return pump(p, m, NULL, -1, 0, err);
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp((*(struct arc_member *const *)a)->name,
		      (*(struct arc_member *const *)b)->name);
}

/* Sorted for lookups; two members of one name (which would be the image?) are refused. */
static int sort_members(struct crimg_arc *A, struct crimg_error *err)
{
	if (!A->n)
		return 0;
	if (!(A->byname = malloc(A->n * sizeof(*A->byname))))
		return crimg_fail(err, A->name, -1, -1, "out of memory");
	for (size_t i = 0; i < A->n; i++)
		A->byname[i] = &A->v[i];
	qsort(A->byname, A->n, sizeof(*A->byname), cmp_member);
	for (size_t i = 1; i < A->n; i++)
		if (strcmp(A->byname[i - 1]->name, A->byname[i]->name) == 0)
			return crimg_fail(
				err, A->name, -1, -1,
				"archive member '%s' appears more than once: which one is the checkpoint's is ambiguous",
				A->byname[i]->name);
	return 0;
}

/* A libarchive reader of tar, tar.gz and tar.zst; NULL when there is no
 * memory for it or for one of its formats (a reader short of gzip would
 * call a .tar.gz "not an archive").  zstd may come as ARCHIVE_WARN: through
 * an external program, which still reads. */
static struct archive *new_reader(struct crimg_arc *A)
{
	const struct crimg_la *L = &A->la;
	struct archive *a = L->archive_read_new();
	if (a &&
	    (L->archive_read_support_filter_gzip(a) < ARCHIVE_WARN ||
	     L->archive_read_support_filter_zstd(a) < ARCHIVE_WARN ||
	     L->archive_read_support_filter_none(a) < ARCHIVE_WARN ||
	     L->archive_read_support_format_tar(a) < ARCHIVE_WARN)) {
		L->archive_read_free(a);
		a = NULL;
	}
	return a;
}

/* Reads what a stream holds after the archive's end (padding, a gzip
 * trailer) so that its writer does not fail on a closed pipe; a bounded
 * amount, not an endless stream. */
static void drain(struct arc_reader *rd)
{
	for (uint64_t n = 0; n < (16u << 20);) {
		ssize_t k = read(rd->src.fd, rd->buf, 1u << 16);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (uint64_t)k;
	}
}

static int index_pass(struct crimg_arc *A, struct crimg_error *err)
{
	const struct crimg_la *L = &A->la;
	struct arc_reader rd = {
		.src = A->src,
		.progress = A->progress,
		.progress_arg = A->progress_arg,
	};
	struct pass p = { .A = A, .a = new_reader(A), .rd = &rd };
	/* our own entry for the headers (larchive.h) */
	struct archive_entry *e = L->archive_entry_new();
	int rc = 0;
	if (!p.a || !e) {
		rc = crimg_fail(err, A->name, -1, -1, "out of memory");
		goto out;
	}
	if (arc_reader_open(L, p.a, &rd) < 0) {
		rc = short_of_memory(&p)
			? crimg_fail(err, A->name, -1, -1, "out of memory")
			: crimg_fail(err, A->name, -1, -1,
				     "not a checkpoint directory or archive: %s", why(&p));
		goto out;
	}
	switch (L->archive_filter_code(p.a, 0)) {
	case ARCHIVE_FILTER_GZIP:
		A->format = "tar.gz";
		break;
	case ARCHIVE_FILTER_ZSTD:
		A->format = "tar.zst";
		break;
	default:
		A->format = "tar";
		A->in_place = !A->src.stream;
	}
	for (uint64_t seq = 0; rc == 0; seq++) {
		int r = L->archive_read_next_header2(p.a, e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && short_of_memory(&p)) {
			rc = crimg_fail(err, A->name, where(&p), -1, "out of memory");
			break;
		}
		if (r != ARCHIVE_OK) {
			/* what came before stays readable */
			if (!(A->broken = vstrdupf("offset %lld: broken archive: %s",
						   (long long)where(&p), why(&p))))
				rc = crimg_fail(err, A->name, -1, -1, "out of memory");
			break;
		}
		rc = index_entry(&p, e, seq, err);
	}
	if (rc == 0 && A->src.stream)
		drain(&rd);
	if (rc >= 0)
		rc = sort_members(A, err);
out:
	if (p.a)
		L->archive_read_free(p.a);
	if (e)
		L->archive_entry_free(e);
	arc_reader_free(&rd);
	return rc < 0 ? -1 : 0;
}

struct crimg_arc *crimg_arc_open(const char *name, const struct arc_src *src,
				 const struct arc_opts *o, struct crimg_error *err)
{
	struct crimg_arc *A = calloc(1, sizeof(*A));
	if (!A) {
		crimg_fail(err, name, -1, -1, "out of memory");
		return NULL;
	}
	A->src = *src;
	A->src.fd = -1;
	A->spool = -1;
	A->lim = o && o->lim ? *o->lim : crimg_default_limits;
	if (o) {
		A->progress = o->progress;
		A->progress_arg = o->progress_arg;
		A->keep_pages = o->keep_pages;
	}
	if (!(A->name = strdup(name)) || (o && o->tmpdir && !(A->tmpdir = strdup(o->tmpdir)))) {
		crimg_fail(err, name, -1, -1, "out of memory");
		crimg_arc_close(A);
		return NULL;
	}
	/* our own descriptor: the archive outlives the caller's */
	if (src->fd >= 0 && (A->src.fd = fcntl(src->fd, F_DUPFD_CLOEXEC, 3)) < 0) {
		crimg_fail(err, name, -1, -1, "%s", strerror(errno));
		crimg_arc_close(A);
		return NULL;
	}
	if (crimg_la_open(&A->la, err) < 0 || index_pass(A, err) < 0) {
		crimg_arc_close(A);
		return NULL;
	}
	return A;
}

void crimg_arc_close(struct crimg_arc *A)
{
	if (!A)
		return;
	if (A->later)
		A->la.archive_read_free(A->later);
	if (A->later_entry)
		A->la.archive_entry_free(A->later_entry);
	arc_reader_free(&A->later_rd);
	for (size_t i = 0; i < A->n; i++) {
		free(A->v[i].name);
		free(A->v[i].data);
		free(A->v[i].bad);
	}
	free(A->v);
	free(A->byname);
	if (A->spool >= 0)
		close(A->spool);
	if (A->src.fd >= 0)
		close(A->src.fd);
	crimg_la_close(&A->la);
	free(A->broken);
	free(A->later_dead);
	free(A->tmpdir);
	free(A->name);
	free(A);
}

size_t crimg_arc_members(struct crimg_arc *A, struct arc_member **v)
{
	*v = A->v;
	return A->n;
}

struct arc_member *crimg_arc_find(struct crimg_arc *A, const char *name)
{
	struct arc_member key = { .name = (char *)name }, *kp = &key;
	struct arc_member **f = A->n ? bsearch(&kp, A->byname, A->n, sizeof(*A->byname), cmp_member)
				     : NULL;
	return f ? *f : NULL;
}

const char *crimg_arc_format(const struct crimg_arc *A)
{
	return A->format;
}

const char *crimg_arc_broken(const struct crimg_arc *A)
{
	return A->broken;
}

/* ---- the later pass ---- */

/* The later pass stops for good: every member it has not reached fails with
 * why.  Dead it is even when no memory is left to keep the reason: reading
 * on from where its reader stopped would take the next header for the one
 * that failed. */
static int later_dies(struct crimg_arc *A, struct crimg_error *err)
{
	A->later_is_dead = 1;
	free(A->later_dead);
	A->later_dead = err && err->msg[0] ? strdup(err->msg) : NULL;
	return -1;
}

/* Reads on until m has been decompressed into the unnamed file (or found damaged). */
static int later_pass(struct crimg_arc *A, struct arc_member *m, struct crimg_error *err)
{
	const struct crimg_la *L = &A->la;
	if (A->later_is_dead)
		return crimg_fail(err, A->name, -1, -1, "%s",
				  A->later_dead ? A->later_dead
						: "the archive cannot be read again");
	struct pass p = { .A = A, .rd = &A->later_rd };
	if (!A->later) {
		A->later_rd = (struct arc_reader){ .src = A->src };
		if (!A->later_entry && !(A->later_entry = A->la.archive_entry_new()))
			return crimg_fail(err, A->name, -1, -1, "out of memory");
		if (!(A->later = new_reader(A)))
			return crimg_fail(err, A->name, -1, -1, "out of memory");
		p.a = A->later;
		if (arc_reader_open(L, A->later, &A->later_rd) < 0) {
			crimg_fail(err, A->name, -1, -1, "cannot read the archive again: %s",
				   why(&p));
			return later_dies(A, err);
		}
	}
	p.a = A->later;
	while (m->where == ARC_LATER) {
		struct archive_entry *e = A->later_entry;
		int r = L->archive_read_next_header2(A->later, e);
		uint64_t seq = A->later_seq++;
		if (r != ARCHIVE_OK && short_of_memory(&p)) {
			crimg_fail(err, A->name, where(&p), -1, "out of memory");
			return later_dies(A, err);
		}
		if (r != ARCHIVE_OK) {
			crimg_fail(err, A->name, where(&p), -1,
				   "the archive changed since it was opened: reading it again fails before member '%s' (%s)",
				   m->name, r == ARCHIVE_EOF ? "it ends" : why(&p));
			return later_dies(A, err);
		}
		while (A->later_next < A->n && A->v[A->later_next].seq < seq)
			A->later_next++;
		if (A->later_next == A->n || A->v[A->later_next].seq != seq)
			continue; /* not a member we keep */
		struct arc_member *x = &A->v[A->later_next];
		const char *raw = L->archive_entry_pathname(e);
		char *name = raw ? strdup(raw) : NULL;
		if (raw && !name) { /* not "the archive changed": it did not */
			crimg_fail(err, A->name, -1, -1, "out of memory");
			return later_dies(A, err);
		}
		if (name)
			clean_name(name);
		int same = name && !strcmp(name, x->name) && L->archive_entry_size_is_set(e) &&
			(uint64_t)L->archive_entry_size(e) == x->size;
		free(name);
		if (!same) {
			crimg_fail(err, A->name, where(&p), -1,
				   "the archive changed since it was opened: member '%s' is not where it was",
				   x->name);
			return later_dies(A, err);
		}
		if (x->where != ARC_LATER)
			continue; /* in memory already: its data is skipped */
		int rc = spool_member(&p, x, err);
		if (rc < 0)
			return later_dies(A, err);
		if (rc == 1) { /* damaged now, though it was not on the first pass */
			crimg_fail(err, A->name, x->bad_off, -1, "%s", x->bad);
			return later_dies(A, err);
		}
	}
	return 0;
}

int crimg_arc_locate(struct crimg_arc *A, struct arc_member *m, struct arc_src *out,
		     struct crimg_error *err)
{
	if (m->where == ARC_LATER && later_pass(A, m, err) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->fd = -1;
	out->len = m->size;
	switch (m->where) {
	case ARC_MEM:
		out->mem = m->data;
		return 0;
	case ARC_AT:
		if (m->fd < 0) /* an archive in memory, read in place */
			out->mem = A->src.mem + (m->off - A->src.base);
		else
			out->fd = m->fd, out->base = m->off;
		return 0;
	case ARC_BAD:
		return crimg_fail(err, A->name, m->bad_off, -1, "%s", m->bad);
	default:
		return crimg_fail(err, A->name, -1, -1, "archive member '%s' cannot be read",
				  m->name);
	}
}
