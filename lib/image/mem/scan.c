/*
 * The scanner of a stretch: bytes that follow each other in the address
 * space, searched as one stream whatever pages, pagemap entries, VMAs and
 * pages files they come from.
 *
 * The bytes are read a chunk at a time into one buffer, with pread from
 * the pages file rather than through its mapping: faulting a mapping in a
 * page at a time costs several times what copying it does (a fault and a
 * TLB miss per page), and a chunk that fits in the CPU's cache is searched
 * right after it is copied.  Bytes not in a file (in memory) are copied.
 *
 * Across chunk boundaries: the matcher says when a match might start at
 * some position and need bytes past the end of the buffer (a literal: its
 * last n-1 bytes; PCRE2: PCRE2_PARTIAL_HARD); the bytes from there on stay
 * in the buffer and the next chunk is appended, as long as a regex match
 * may go on (up to MEM_WINDOW_MAX bytes).  A regex also keeps the bytes it
 * may look behind at.  Matches are reported in address order and never
 * overlap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem/scan.h"

enum {
	F_NONE,
	F_FOUND,
	F_PARTIAL,
	F_ERROR
};

int mem_scan_init(struct mem_scan *s)
{
	s->fd = -1;
	if (!s->chunk)
		s->chunk = MEM_SCAN_CHUNK;
	if (!s->p->code)
		return 0;
	s->md = pcre2_match_data_create_from_pattern(s->p->code, NULL);
	s->mctx = pcre2_match_context_create(NULL);
	if (!s->md || !s->mctx)
		return crimg_fail(s->err, NULL, -1, -1, "out of memory");
	/* NULL where there is no JIT: the interpreter needs none */
	s->jstack = pcre2_jit_stack_create(32 * 1024, 4 << 20, NULL);
	if (s->jstack)
		pcre2_jit_stack_assign(s->mctx, NULL, s->jstack);
	return 0;
}

void mem_scan_free(struct mem_scan *s)
{
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mctx);
	pcre2_jit_stack_free(s->jstack);
	free(s->buf);
	if (s->fd >= 0)
		close(s->fd);
	s->md = NULL;
	s->mctx = NULL;
	s->jstack = NULL;
	s->buf = NULL;
	s->fd = -1;
}

/* ---- matching in the buffer ---- */

static int regex_error(struct mem_scan *s, int rc)
{
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(rc, msg, sizeof(msg));
	crimg_fail(s->err, NULL, -1, -1, "regular expression: %s", (const char *)msg);
	return F_ERROR;
}

/* A partial match of a literal of n bytes: nothing starts before the last
 * n-1 bytes (nor before off). */
static int lit_partial(size_t n, size_t len, size_t off, int last, size_t *ms)
{
	if (last || n == 1)
		return F_NONE;
	*ms = len - off < n - 1 ? off : len - (n - 1);
	return F_PARTIAL;
}

/* A regex with a literal prefix: the prefix's occurrences, each tried with
 * the anchored expression. */
static int find_prefixed(struct mem_scan *s, const uint8_t *subj, size_t len, size_t off,
			 uint32_t fl, int last, size_t *ms, size_t *me)
{
	const struct crimg_mem_pattern *p = s->p;
	for (;;) {
		size_t at = mem_lit_find(&p->lf, subj, len, off);
		if (at == MEM_NONE)
			return lit_partial(p->n, len, off, last, ms);
		int rc = pcre2_match(p->anchored, subj, len, at, fl, s->md, s->mctx);
		if (rc >= 0) {
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
			*ms = ov[0];
			*me = ov[1];
			return F_FOUND;
		}
		if (rc == PCRE2_ERROR_PARTIAL) {
			*ms = at;
			return F_PARTIAL;
		}
		if (rc != PCRE2_ERROR_NOMATCH)
			return regex_error(s, rc);
		off = at + 1;
	}
}

/*
 * Looks for the first match starting in subj[off, len) (subj[0, off) is
 * only context, for look-behinds).  last: nothing follows subj in the
 * stretch, so no match can go on past its end.  F_PARTIAL: nothing starts
 * before *ms, and a match starting at *ms might need bytes after len.
 */
static int find(struct mem_scan *s, const uint8_t *subj, size_t len, size_t off, int last,
		size_t *ms, size_t *me)
{
	const struct crimg_mem_pattern *p = s->p;
	if (!p->code) {
		size_t at = mem_lit_find(&p->lf, subj, len, off);
		if (at == MEM_NONE)
			return lit_partial(p->n, len, off, last, ms);
		*ms = at;
		*me = at + p->n;
		return F_FOUND;
	}
	uint32_t fl = PCRE2_NOTEMPTY | (last ? 0 : PCRE2_PARTIAL_HARD);
	if (p->anchored)
		return find_prefixed(s, subj, len, off, fl, last, ms, me);
	int rc = pcre2_match(p->code, subj, len, off, fl, s->md, s->mctx);
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
	if (rc >= 0) {
		*ms = ov[0];
		*me = ov[1];
		return F_FOUND;
	}
	if (rc == PCRE2_ERROR_NOMATCH)
		return F_NONE;
	if (rc == PCRE2_ERROR_PARTIAL) {
		*ms = ov[0];
		return F_PARTIAL;
	}
	return regex_error(s, rc);
}

/* ---- reading the stretch ---- */

/* An open descriptor on file f (the file its mapping came from), or -1:
 * then its bytes are copied from the mapping. */
static int file_fd(struct mem_scan *s, const struct ckpt_file *f)
{
	if (f == s->open_file)
		return s->fd;
	/* a file of a directory (opened by name in the directory's descriptor)
	 * or one with a path; an archive's member is copied from its mapping */
	if (f == s->bad_file || !f->mapped || (!f->path && f->dirfd < 0))
		return -1;
	if (s->fd >= 0)
		close(s->fd);
	s->open_file = NULL;
	/* the same file as mapped (checked below), or none */
	s->fd = crimg_ckpt_file_open(f);
	struct stat st;
	if (s->fd >= 0 &&
	    (fstat(s->fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_dev != f->dev ||
	     st.st_ino != f->ino)) {
		close(s->fd);
		s->fd = -1;
	}
	if (s->fd < 0) {
		s->bad_file = f;
		return -1;
	}
	posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	s->open_file = f;
	return s->fd;
}

/* Copies k bytes from offset off of segment g into out. */
static void fetch(struct mem_scan *s, const struct mem_seg *g, uint64_t off, uint8_t *out, size_t k)
{
	size_t got = 0;
	int fd = g->file ? file_fd(s, g->file) : -1;
	if (fd >= 0) {
		off_t at = (off_t)((uint64_t)(g->data - g->file->data) + off);
		while (got < k) {
			ssize_t r = pread(fd, out + got, k - got, at + (off_t)got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break; /* shorter than it was: the mapping says the rest */
			got += (size_t)r;
		}
	}
	memcpy(out + got, g->data + off + got, k - got);
}

struct stream {
	const struct mem_seg *segs;
	size_t nsegs, li;      /* li: the segment holding address `loaded` */
	uint64_t start, end;   /* of the stretch */
	uint64_t base, loaded; /* buf holds [base, loaded) */
};

static size_t blen(const struct stream *t)
{
	return (size_t)(t->loaded - t->base);
}

static int room(struct mem_scan *s, size_t need)
{
	if (need <= s->cap)
		return 0;
	size_t nc = s->cap ? s->cap : 4096;
	while (nc < need)
		nc *= 2;
	uint8_t *nb = realloc(s->buf, nc);
	if (!nb)
		return crimg_fail(s->err, NULL, -1, -1, "out of memory");
	/* PCRE2's JIT reads whole vectors, past the subject's end: let them
	 * be defined bytes (valgrind) */
	memset(nb + s->cap, 0, nc - s->cap);
	s->buf = nb;
	s->cap = nc;
	return 0;
}

/* Drops the bytes before keep_from and appends the next chunk (at least
 * as many bytes as are kept when grow is set: a window that grows until a
 * match is settled costs linear time). */
static int refill(struct mem_scan *s, struct stream *t, uint64_t keep_from, int grow)
{
	if (keep_from < t->base)
		keep_from = t->base;
	size_t kept = (size_t)(t->loaded - keep_from);
	if (kept && keep_from > t->base)
		memmove(s->buf, s->buf + (keep_from - t->base), kept);
	t->base = keep_from;
	uint64_t want = grow && kept > s->chunk ? kept : s->chunk;
	if (want > t->end - t->loaded)
		want = t->end - t->loaded;
	if (room(s, kept + (size_t)want) < 0)
		return -1;
	uint8_t *out = s->buf + kept;
	while (want) {
		const struct mem_seg *g = &t->segs[t->li];
		uint64_t off = t->loaded - g->addr;
		size_t k = g->len - off < want ? (size_t)(g->len - off) : (size_t)want;
		fetch(s, g, off, out, k);
		out += k;
		t->loaded += k;
		want -= k;
		if (t->loaded == g->addr + g->len && t->li + 1 < t->nsegs)
			t->li++;
	}
	return 0;
}

static void advance(struct mem_scan *s, uint64_t *seen, uint64_t to)
{
	if (to > *seen) {
		if (s->advance)
			s->advance(s->arg, to - *seen);
		*seen = to;
	}
}

int mem_scan_stretch(struct mem_scan *s, const struct mem_seg *segs, size_t n)
{
	struct stream t = {
		.segs = segs,
		.nsegs = n,
		.start = segs[0].addr,
		.end = segs[n - 1].addr + segs[n - 1].len,
	};
	t.base = t.loaded = t.start;
	/* bytes kept before the cursor: what a regex may look back at, and
	 * the context of hits (a longer context is read apart) */
	size_t back = s->p->code ? s->p->lookbehind : 0;
	size_t keep = s->keep < MEM_KEEP_MAX ? s->keep : MEM_KEEP_MAX;
	if (back < keep)
		back = keep;
	uint64_t cursor = t.start, seen = t.start;
	int rc = 0;
	while (cursor < t.end && !rc) {
		if (cursor >= t.loaded &&
		    refill(s, &t, cursor - t.start > back ? cursor - back : t.start, 0) < 0)
			return -1;
		size_t len = blen(&t), off = (size_t)(cursor - t.base), ms, me;
		int last = t.loaded == t.end;
		int r = find(s, s->buf, len, off, last, &ms, &me);
		if (r == F_PARTIAL && len - ms >= MEM_WINDOW_MAX) {
			/* a regex match that long is not followed further */
			len = ms + MEM_WINDOW_MAX;
			r = find(s, s->buf, len, ms, 1, &ms, &me);
			if (r == F_NONE)
				cursor = t.base + len;
		}
		switch (r) {
		case F_ERROR:
			return -1;
		case F_FOUND:
			rc = s->hit(s->arg, t.base + ms, me > ms ? me - ms : 0, s->buf, t.base,
				    blen(&t));
			if (rc < 0)
				return -1;
			cursor = t.base + (me > off ? me : off + 1); /* on, even past a \K */
			break;
		case F_NONE:
			if (len == blen(&t))
				cursor = t.loaded;
			break;
		case F_PARTIAL:
			/* keep from the partial match on, and read on */
			cursor = t.base + ms;
			if (refill(s, &t, cursor - t.start > back ? cursor - back : t.start, 1) < 0)
				return -1;
			break;
		}
		advance(s, &seen, cursor < t.end ? cursor : t.end);
	}
	advance(s, &seen, t.end); /* stopped early: count it as seen */
	return rc > 0;
}
