/*
 * Memory search.  The bytes the checkpoint holds for a task come as
 * "stretches": runs of address-contiguous saved bytes, which may span many
 * pagemap entries, pages files (parents) and adjacent VMAs.  Each stretch
 * is gathered as a list of segments and searched as one stream by the
 * scanner (mem_scan.c); a gap (a page not saved, an unmapped hole) ends it.
 */
#include <stdlib.h>
#include <string.h>

#include "mem/scan.h"

struct search {
	struct crimg_mem *m;
	const struct crimg_mem_search_opts *o;
	crimg_mem_match_fn fn;
	void *arg;
	struct crimg_error *err;
	struct mem_scan scan;
	struct mem_seg *segs;
	size_t nsegs, capsegs;
	uint8_t *ctx;
	size_t ctxcap;
	uint64_t count, done, total;
	int stop;
};

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
		const struct crimg_mem_vma *v = crimg_mem_vma_at(m, at);
		if (!v)
			break;
		room += down ? at + 1 - v->start : v->end - at;
	}
	return room < want ? room : want;
}

/* A match: its context comes from the scanner's buffer when the buffer
 * holds all of it, else it is read (it may reach into pages not saved). */
static int report(void *arg, uint64_t addr, uint64_t len, const uint8_t *buf, uint64_t buf_addr,
		  size_t buf_len)
{
	struct search *s = arg;
	struct crimg_mem *m = s->m;
	size_t c = s->o ? s->o->context : 0;
	uint64_t before = addr ? mapped_room(m, addr, c, 1) : 0;
	uint64_t after = addr + len ? mapped_room(m, addr + len, c, 0) : 0;
	size_t total = (size_t)(before + len + after);
	const uint8_t *bytes;
	if (addr - before >= buf_addr && addr + len + after <= buf_addr + buf_len) {
		bytes = buf + (addr - before - buf_addr);
	} else {
		size_t need = total ? total : 1;
		if (need > s->ctxcap) {
			uint8_t *nb = realloc(s->ctx, need);
			if (!nb)
				return crimg_fail(s->err, NULL, -1, -1, "out of memory");
			s->ctx = nb;
			s->ctxcap = need;
		}
		if (crimg_mem_read(m, addr - before, s->ctx, total, s->err) < 0)
			return -1;
		bytes = s->ctx;
	}
	struct crimg_mem_match mt = {
		.addr = addr,
		.len = len,
		.vma = crimg_mem_vma_at(m, addr),
		.bytes = bytes,
		.before = (size_t)before,
		.after = (size_t)after,
	};
	s->count++;
	if (s->fn && s->fn(s->arg, &mt))
		s->stop = 1;
	if (s->o && s->o->max_matches && s->count >= s->o->max_matches)
		s->stop = 1;
	return s->stop;
}

static void progress(void *arg, uint64_t more)
{
	struct search *s = arg;
	s->done += more;
	if (s->o && s->o->progress)
		s->o->progress(s->o->progress_arg, "searching", s->done, s->total);
}

static int search_stretch(struct search *s)
{
	if (!s->nsegs || s->stop) {
		s->nsegs = 0;
		return 0;
	}
	int rc = mem_scan_stretch(&s->scan, s->segs, s->nsegs);
	s->nsegs = 0;
	return rc < 0 ? -1 : 0;
}

static int add_seg(struct search *s, const struct crimg_mem_span *sp, const struct ckpt_file *file,
		   uint64_t len)
{
	if (s->nsegs) {
		struct mem_seg *l = &s->segs[s->nsegs - 1];
		if (l->addr + l->len != sp->addr && search_stretch(s) < 0)
			return -1;
	}
	if (s->nsegs) {
		struct mem_seg *l = &s->segs[s->nsegs - 1];
		if (l->data + l->len == sp->data && l->file == file) { /* the same bytes go on */
			l->len += len;
			return 0;
		}
	}
	if (s->nsegs == s->capsegs) {
		size_t nc = s->capsegs ? s->capsegs * 2 : 64;
		struct mem_seg *ns = realloc(s->segs, nc * sizeof(*ns));
		if (!ns)
			return crimg_fail(s->err, NULL, -1, -1, "out of memory");
		s->segs = ns;
		s->capsegs = nc;
	}
	s->segs[s->nsegs++] = (struct mem_seg){ sp->addr, len, sp->data, file };
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
		const struct crimg_mem_vma *v = &m->vmas[k];
		uint64_t a = v->start > lo ? v->start : lo, b = v->end < hi ? v->end : hi;
		if (a >= b || (o && (v->prot & o->prot) != o->prot))
			continue;
		while (a < b && !s->stop) {
			struct crimg_mem_span sp;
			const struct ckpt_file *file;
			mem_span_file(m, a, &sp, &file);
			uint64_t len = sp.len < b - a ? sp.len : b - a;
			if (sp.state == CRIMG_MEM_DATA) {
				if (count_only)
					s->total += len;
				else if (add_seg(s, &sp, file, len) < 0)
					return -1;
			} else if (!count_only && search_stretch(s) < 0) {
				return -1; /* a gap ends the stretch */
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
			 const struct crimg_mem_search_opts *o, crimg_mem_match_fn fn, void *arg,
			 struct crimg_error *err)
{
	struct search s = { .m = m, .o = o, .fn = fn, .arg = arg, .err = err };
	s.scan = (struct mem_scan){
		.p = p,
		.keep = o ? o->context : 0,
		.hit = report,
		.arg = &s,
		.advance = progress,
		.err = err,
	};
	int rc = -1;
	if (mem_scan_init(&s.scan) < 0)
		goto out;
	if (walk(&s, 1) < 0)
		goto out;
	if (walk(&s, 0) < 0)
		goto out;
	rc = 0;
out:
	mem_scan_free(&s.scan);
	free(s.segs);
	free(s.ctx);
	return rc < 0 ? -1 : (int64_t)s.count;
}
