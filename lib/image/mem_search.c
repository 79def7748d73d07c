/*
 * Memory search.  The bytes the checkpoint holds for a task come as
 * "stretches": runs of address-contiguous saved bytes, which may span many
 * pagemap entries, pages files (parents) and adjacent VMAs.  A stretch is a
 * list of segments, each a pointer into a mapped pages file, searched in
 * place (memmem for literals, PCRE2 for regular expressions) in pieces of
 * at most PIECE bytes.
 *
 * Across a segment or piece boundary: the matcher reports a "partial" match
 * (a literal: the last n-1 bytes; PCRE2: PCRE2_PARTIAL_HARD), and a small
 * window copied from the partial start over the following segments is
 * searched instead, grown as long as the match may still go on (up to
 * WINDOW_MAX).  Matches are reported in address order, never overlapping.
 */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "mem_int.h"

#define PIECE (16u << 20)	/* bytes searched per call: bounds the work of one pcre2_match */
#define WINDOW_MAX (16u << 20)	/* longest regex match across a boundary */

struct crimg_mem_pattern {
	uint8_t *lit;			/* literal, or NULL for a regex */
	size_t n;
	pcre2_code *code;
	int jit;
};

struct crimg_mem_pattern *crimg_mem_pattern_new(const void *pat, size_t len, unsigned flags,
						struct crimg_error *err)
{
	if (!len) {
		crimg_fail(err, NULL, -1, -1, "empty search pattern");
		return NULL;
	}
	struct crimg_mem_pattern *p = calloc(1, sizeof(*p));
	if (!p) {
		crimg_fail(err, NULL, -1, -1, "out of memory");
		return NULL;
	}
	if (!(flags & (CRIMG_PAT_REGEX | CRIMG_PAT_ICASE))) {
		p->lit = malloc(len);
		if (!p->lit) {
			free(p);
			crimg_fail(err, NULL, -1, -1, "out of memory");
			return NULL;
		}
		memcpy(p->lit, pat, len);
		p->n = len;
		return p;
	}
	/* bytes, not UTF-8: memory holds anything */
	uint32_t opts = flags & CRIMG_PAT_REGEX ? PCRE2_NEVER_UTF | PCRE2_NEVER_UCP : PCRE2_LITERAL;
	if (flags & CRIMG_PAT_ICASE)
		opts |= PCRE2_CASELESS;
	int ec;
	PCRE2_SIZE eo;
	p->code = pcre2_compile(pat, len, opts, &ec, &eo, NULL);
	if (!p->code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		crimg_fail(err, NULL, -1, -1, "regular expression at offset %zu: %s", (size_t)eo,
			   (const char *)msg);
		free(p);
		return NULL;
	}
	/* JIT where the platform has it; the interpreter otherwise */
	p->jit = pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD) == 0;
	return p;
}

void crimg_mem_pattern_free(struct crimg_mem_pattern *p)
{
	if (!p)
		return;
	free(p->lit);
	pcre2_code_free(p->code);
	free(p);
}

/* ---- one search ---- */

struct seg {
	uint64_t addr, len;
	const uint8_t *data;
	const struct crimg_vma *vma;
};

struct search {
	struct crimg_mem *m;
	const struct crimg_mem_pattern *p;
	const struct crimg_mem_search_opts *o;
	crimg_mem_match_fn fn;
	void *arg;
	struct crimg_error *err;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jstack;
	struct seg *segs;
	size_t nsegs, capsegs;
	uint8_t *win, *ctx;
	size_t wincap, ctxcap;
	uint64_t count, done, total;
	int stop;
};

enum { F_NONE, F_FOUND, F_PARTIAL, F_ERROR };

/*
 * Looks for the first match starting in subj[off, len) (subj[0, off) is
 * only context, for look-behinds).  last: nothing follows subj in the
 * stretch, so no match can go on past its end.  F_PARTIAL: nothing starts
 * before *ms, and a match starting at *ms might need bytes after len.
 */
static int find(struct search *s, const uint8_t *subj, size_t len, size_t off, int last,
		size_t *ms, size_t *me)
{
	const struct crimg_mem_pattern *p = s->p;
	if (p->lit) {
		size_t n = p->n;
		if (len - off >= n) {
			const uint8_t *r = memmem(subj + off, len - off, p->lit, n);
			if (r) {
				*ms = (size_t)(r - subj);
				*me = *ms + n;
				return F_FOUND;
			}
		}
		if (last || n == 1)
			return F_NONE;
		*ms = len - off < n - 1 ? off : len - (n - 1);
		return F_PARTIAL;
	}
	uint32_t fl = PCRE2_NOTEMPTY | (last ? 0 : PCRE2_PARTIAL_HARD);
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
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(rc, msg, sizeof(msg));
	crimg_fail(s->err, NULL, -1, -1, "regular expression: %s", (const char *)msg);
	return F_ERROR;
}

static int grow(uint8_t **buf, size_t *cap, size_t need, struct crimg_error *err)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 4096;
	while (nc < need)
		nc *= 2;
	uint8_t *nb = realloc(*buf, nc);
	if (!nb)
		return crimg_fail(err, NULL, -1, -1, "out of memory");
	*buf = nb;
	*cap = nc;
	return 0;
}

/* Copies len bytes at addr, which segment i holds the start of. */
static void gather(const struct search *s, size_t i, uint64_t addr, size_t len, uint8_t *out)
{
	while (len) {
		const struct seg *g = &s->segs[i++];
		uint64_t off = addr - g->addr;
		size_t k = g->len - off < len ? (size_t)(g->len - off) : len;
		memcpy(out, g->data + off, k);
		out += k;
		addr += k;
		len -= k;
	}
}

/* How many of the want bytes below (down) or from addr are mapped
 * without a hole: the room there is for context. */
static uint64_t mapped_room(struct crimg_mem *m, uint64_t addr, uint64_t want, int down)
{
	uint64_t room = 0;
	while (room < want) {
		uint64_t at;
		if (down) {
			if (addr - room == 0)
				break;
			at = addr - room - 1;
		} else {
			if (addr + room < addr)
				break;
			at = addr + room;
		}
		const struct crimg_vma *v = crimg_mem_vma_at(m, at);
		if (!v)
			break;
		room += down ? at + 1 - v->start : v->end - at;
	}
	return room < want ? room : want;
}

static int report(struct search *s, uint64_t addr, uint64_t len, const struct crimg_vma *vma)
{
	struct crimg_mem *m = s->m;
	size_t c = s->o ? s->o->context : 0;
	uint64_t before = addr ? mapped_room(m, addr, c, 1) : 0;
	uint64_t after = addr + len ? mapped_room(m, addr + len, c, 0) : 0;
	size_t total = (size_t)(before + len + after);
	if (grow(&s->ctx, &s->ctxcap, total ? total : 1, s->err) < 0 ||
	    crimg_mem_read(m, addr - before, s->ctx, total, s->err) < 0)
		return -1;
	struct crimg_mem_match mt = {
		.addr = addr,
		.len = len,
		.vma = vma,
		.bytes = s->ctx,
		.before = (size_t)before,
		.after = (size_t)after,
	};
	s->count++;
	if (s->fn && s->fn(s->arg, &mt))
		s->stop = 1;
	if (s->o && s->o->max_matches && s->count >= s->o->max_matches)
		s->stop = 1;
	return 0;
}

static void progress(struct search *s, uint64_t more)
{
	s->done += more;
	if (s->o && s->o->progress)
		s->o->progress(s->o->progress_arg, s->done, s->total);
}

/* Searches the window of bytes from addr (in segment i) onwards; sets
 * *cursor past what is settled. */
static int search_window(struct search *s, size_t i, uint64_t addr, uint64_t end,
			 uint64_t *cursor)
{
	/* a literal needs 2n bytes to settle the boundary; a regex starts
	 * small and grows while its match may go on */
	size_t wl = s->p->lit ? 2 * s->p->n : 4096;
	for (;;) {
		if (wl > end - addr)
			wl = (size_t)(end - addr);
		int last = addr + wl == end || wl >= WINDOW_MAX;
		if (grow(&s->win, &s->wincap, wl, s->err) < 0)
			return -1;
		gather(s, i, addr, wl, s->win);
		size_t ms, me;
		int r = find(s, s->win, wl, 0, last, &ms, &me);
		if (r == F_ERROR)
			return -1;
		if (r == F_FOUND) {
			const struct crimg_vma *v = crimg_mem_vma_at(s->m, addr + ms);
			*cursor = addr + me;
			return report(s, addr + ms, me - ms, v);
		}
		if (r == F_NONE) {
			*cursor = addr + wl;
			return 0;
		}
		if (ms > 0) {
			*cursor = addr + ms;
			return 0;
		}
		wl *= 4;	/* the match may go on: look further */
	}
}

static int search_stretch(struct search *s)
{
	if (!s->nsegs)
		return 0;
	const struct seg *segs = s->segs;
	uint64_t end = segs[s->nsegs - 1].addr + segs[s->nsegs - 1].len;
	uint64_t cursor = segs[0].addr, seen = cursor;
	size_t i = 0;
	while (cursor < end && !s->stop) {
		while (segs[i].addr + segs[i].len <= cursor)
			i++;
		const struct seg *g = &segs[i];
		uint64_t off = cursor - g->addr;
		uint64_t pe = (off / PIECE + 1) * (uint64_t)PIECE;
		if (pe > g->len)
			pe = g->len;
		int last = pe == g->len && i == s->nsegs - 1;
		size_t ms, me;
		int r = find(s, g->data, (size_t)pe, (size_t)off, last, &ms, &me);
		if (r == F_ERROR)
			return -1;
		if (r == F_FOUND) {
			cursor = g->addr + me;
			if (report(s, g->addr + ms, me - ms, g->vma) < 0)
				return -1;
		} else if (r == F_NONE) {
			cursor = g->addr + pe;
		} else if (search_window(s, i, g->addr + ms, end, &cursor) < 0) {
			return -1;
		}
		if (cursor > seen) {
			progress(s, (cursor < end ? cursor : end) - seen);
			seen = cursor;
		}
	}
	if (end > seen)
		s->done += end - seen;	/* stopped early: count it as seen */
	s->nsegs = 0;
	return 0;
}

static int add_seg(struct search *s, const struct crimg_mem_span *sp, uint64_t len)
{
	if (s->nsegs) {
		struct seg *l = &s->segs[s->nsegs - 1];
		if (l->addr + l->len != sp->addr && search_stretch(s) < 0)
			return -1;
	}
	if (s->nsegs) {
		struct seg *l = &s->segs[s->nsegs - 1];
		if (l->data + l->len == sp->data) {	/* the same bytes go on */
			l->len += len;
			return 0;
		}
	}
	if (s->nsegs == s->capsegs) {
		size_t nc = s->capsegs ? s->capsegs * 2 : 64;
		struct seg *ns = realloc(s->segs, nc * sizeof(*ns));
		if (!ns)
			return crimg_fail(s->err, NULL, -1, -1, "out of memory");
		s->segs = ns;
		s->capsegs = nc;
	}
	s->segs[s->nsegs++] = (struct seg){ sp->addr, len, sp->data, sp->vma };
	return 0;
}

/* Walks the saved bytes of the VMAs searched, calling add_seg (or counting). */
static int walk(struct search *s, int count_only)
{
	struct crimg_mem *m = s->m;
	const struct crimg_mem_search_opts *o = s->o;
	uint64_t lo = o && (o->start || o->end) ? o->start : 0;
	uint64_t hi = o && (o->start || o->end) ? o->end : UINT64_MAX;
	for (size_t k = 0; k < m->n_vmas && !s->stop; k++) {
		const struct crimg_vma *v = &m->vmas[k];
		uint64_t a = v->start > lo ? v->start : lo, b = v->end < hi ? v->end : hi;
		if (a >= b || (o && (v->prot & o->prot) != o->prot))
			continue;
		while (a < b && !s->stop) {
			struct crimg_mem_span sp;
			crimg_mem_span(m, a, &sp, s->err);
			uint64_t len = sp.len < b - a ? sp.len : b - a;
			if (sp.state == CRIMG_MEM_DATA) {
				if (count_only)
					s->total += len;
				else if (add_seg(s, &sp, len) < 0)
					return -1;
			} else if (!count_only && search_stretch(s) < 0) {
				return -1;	/* a gap ends the stretch */
			}
			a += len;
		}
		if (!count_only && (k + 1 == m->n_vmas || m->vmas[k + 1].start != v->end) &&
		    search_stretch(s) < 0)
			return -1;
	}
	return count_only ? 0 : search_stretch(s);
}

int64_t crimg_mem_search(struct crimg_mem *m, const struct crimg_mem_pattern *p,
			 const struct crimg_mem_search_opts *o, crimg_mem_match_fn fn,
			 void *arg, struct crimg_error *err)
{
	struct search s = { .m = m, .p = p, .o = o, .fn = fn, .arg = arg, .err = err };
	int rc = -1;
	if (p->code) {
		s.md = pcre2_match_data_create_from_pattern(p->code, NULL);
		s.mctx = pcre2_match_context_create(NULL);
		if (p->jit) {
			s.jstack = pcre2_jit_stack_create(32 * 1024, 4 << 20, NULL);
			if (s.jstack && s.mctx)
				pcre2_jit_stack_assign(s.mctx, NULL, s.jstack);
		}
		if (!s.md || !s.mctx) {
			crimg_fail(err, NULL, -1, -1, "out of memory");
			goto out;
		}
	}
	if (walk(&s, 1) < 0)
		goto out;
	if (walk(&s, 0) < 0)
		goto out;
	rc = 0;
out:
	pcre2_match_data_free(s.md);
	pcre2_match_context_free(s.mctx);
	pcre2_jit_stack_free(s.jstack);
	free(s.segs);
	free(s.win);
	free(s.ctx);
	return rc < 0 ? -1 : (int64_t)s.count;
}
