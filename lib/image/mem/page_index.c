/*
 * Page index: which address ranges a pagemap holds and where their bytes
 * are.  Built once per task, from the pagemap and the parent chain:
 *
 *  - pages of PE_PRESENT entries are stored in the pages file one after
 *    another in pagemap order; PE_PARENT and lazy-only entries take no room;
 *  - the page count is field 5 (nr_pages, CRIU >= 4.0) or, when that is
 *    absent or 0, field 2 (compat_nr_pages, older CRIU);
 *  - images without flags (older CRIU) say in_parent or nothing (present);
 *  - PE_PARENT ranges are looked up in the parent's index for the same
 *    image, recursively, and replaced by what the parent holds.
 *
 * The result points into the mapped pages files of the checkpoint and its
 * parents: nothing is copied.  Every count and offset is checked first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/mem_int.h"
#include "pagemap.pb-c.h"

struct pre_run {
	struct mem_run r;
	int64_t offset; /* of its entry in the pagemap (errors) */
	int parent;     /* the bytes are in the parent dump */
};

static uint64_t entry_pages(const PagemapEntry *pe)
{
	return pe->has_nr_pages && pe->nr_pages ? pe->nr_pages : pe->compat_nr_pages;
}

static uint32_t entry_flags(const PagemapEntry *pe)
{
	if (pe->has_flags)
		return pe->flags;
	return pe->has_in_parent && pe->in_parent ? CRIMG_PE_PARENT : CRIMG_PE_PRESENT;
}

static int cmp_pre(const void *a, const void *b)
{
	const struct pre_run *x = a, *y = b;
	if (x->r.start != y->r.start)
		return x->r.start < y->r.start ? -1 : 1;
	return x->r.entry < y->r.entry ? -1 : x->r.entry > y->r.entry;
}

void mem_index_free(struct mem_index *ix)
{
	free(ix->v);
	memset(ix, 0, sizeof(*ix));
}

size_t mem_index_find(const struct mem_index *ix, uint64_t addr)
{
	size_t lo = 0, hi = ix->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void mem_index_count(const struct mem_index *ix, uint64_t start, uint64_t end, uint64_t *data,
		     uint64_t *lazy)
{
	*data = *lazy = 0;
	for (size_t i = mem_index_find(ix, start); i < ix->n && ix->v[i].start < end; i++) {
		uint64_t s = ix->v[i].start > start ? ix->v[i].start : start;
		uint64_t e = ix->v[i].end < end ? ix->v[i].end : end;
		if (ix->v[i].data)
			*data += e - s;
		else
			*lazy += e - s;
	}
}

/* Appends r, merging it into the last run when it continues it. */
static void push(struct mem_index *ix, const struct mem_run *r)
{
	if (ix->n) {
		struct mem_run *l = &ix->v[ix->n - 1];
		uint64_t ll = l->end - l->start;
		if (l->end == r->start && l->depth == r->depth && l->file == r->file &&
		    ((l->data && r->data && l->data + ll == r->data) || (!l->data && !r->data))) {
			l->end = r->end;
			return;
		}
	}
	ix->v[ix->n++] = *r;
}

static int build(struct crimg_ckpt *c, const char *name, unsigned ps, unsigned depth,
		 struct mem_index *ix, struct crimg_error *err);

/* Replaces the PE_PARENT runs by what the parent holds for them. */
static int resolve_parent(struct crimg_ckpt *c, const char *name, const char *fname, unsigned ps,
			  unsigned depth, struct pre_run *pre, size_t n, struct mem_index *ix,
			  struct crimg_error *err)
{
	struct crimg_error perr;
	crimg_error_clear(&perr);
	struct crimg_ckpt *p = crimg_ckpt_parent(c, &perr);
	size_t first = 0;
	while (!pre[first].parent)
		first++;
	if (!p) {
		if (perr.msg[0]) {
			if (err)
				*err = perr;
			return -1;
		}
		return crimg_fail(err, fname, pre[first].offset, pre[first].r.entry,
				  "pages at 0x%llx are in the parent dump, but there is no parent link",
				  (unsigned long long)pre[first].r.start);
	}
	struct mem_index pix = { 0 };
	if (build(p, name, ps, depth + 1, &pix, err) < 0)
		return -1;
	/* each parent run may split into as many pieces as the parent has runs */
	size_t cap = n + pix.n + 1;
	ix->v = malloc(cap * sizeof(*ix->v));
	if (!ix->v) {
		mem_index_free(&pix);
		return crimg_fail(err, fname, -1, -1, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		if (!pre[i].parent) {
			push(ix, &pre[i].r);
			continue;
		}
		uint64_t cur = pre[i].r.start, end = pre[i].r.end;
		size_t j = mem_index_find(&pix, cur);
		while (cur < end) {
			if (j == pix.n || pix.v[j].start > cur) {
				crimg_fail(err, fname, pre[i].offset, pre[i].r.entry,
					   "page 0x%llx is marked as in the parent, but the parent (%s) has no such page",
					   (unsigned long long)cur, crimg_ckpt_path(p));
				mem_index_free(&pix);
				return -1;
			}
			const struct mem_run *q = &pix.v[j];
			struct mem_run piece = {
				.start = cur,
				.end = q->end < end ? q->end : end,
				.data = q->data ? q->data + (cur - q->start) : NULL,
				.file = q->file,
				.entry = pre[i].r.entry,
				.depth = q->depth,
			};
			if (ix->n == cap) {
				cap *= 2;
				struct mem_run *nv = realloc(ix->v, cap * sizeof(*nv));
				if (!nv) {
					mem_index_free(&pix);
					return crimg_fail(err, fname, -1, -1, "out of memory");
				}
				ix->v = nv;
			}
			push(ix, &piece);
			cur = piece.end;
			j++;
		}
	}
	mem_index_free(&pix);
	return 0;
}

/* Room for one more pre_run. */
static int more(struct pre_run **pre, size_t n, size_t *cap)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	struct pre_run *np = realloc(*pre, nc * sizeof(*np));
	if (!np)
		return -1;
	*pre = np;
	*cap = nc;
	return 0;
}

/*
 * The pagemap is streamed, one entry at a time, not cached: a task with a
 * million pagemap entries costs the index and nothing more.
 */
static int build(struct crimg_ckpt *c, const char *name, unsigned ps, unsigned depth,
		 struct mem_index *ix, struct crimg_error *err)
{
	char fname[256], pname[64];
	if (depth)
		snprintf(fname, sizeof(fname), "%s/%s", crimg_ckpt_path(c), name);
	else
		snprintf(fname, sizeof(fname), "%s", name);
	memset(ix, 0, sizeof(*ix));

	size_t blen;
	const uint8_t *buf = crimg_ckpt_data(c, name, &blen, err);
	if (!buf)
		return -1;
	struct crimg_reader *rd = crimg_reader_open_mem(buf, blen, fname, &c->lim, err);
	if (!rd)
		return -1;
	struct pre_run *pre = NULL;
	size_t n = 0, cap = 0, nparent = 0;
	const uint8_t *pages = NULL;
	size_t plen = 0;
	uint64_t off = 0;
	int sorted = 1, rc = -1, k;
	struct crimg_entry e;
	if (crimg_reader_kind(rd)->layout != CRIMG_LAYOUT_PAGEMAP) {
		crimg_fail(err, fname, 0, -1, "not a pagemap but a %s image",
			   crimg_reader_kind(rd)->name);
		goto out;
	}
	k = crimg_reader_next(rd, &e, err);
	if (k <= 0) {
		if (k == 0)
			crimg_fail(err, fname, -1, -1, "pagemap has no head");
		goto out;
	}
	snprintf(pname, sizeof(pname), "pages-%u.img", ((const PagemapHead *)e.msg)->pages_id);
	while ((k = crimg_reader_next(rd, &e, err)) > 0) {
		const PagemapEntry *pe = (const PagemapEntry *)e.msg;
		int64_t at = (int64_t)e.offset, i = (int64_t)e.index;
		uint64_t np = entry_pages(pe);
		uint32_t fl = entry_flags(pe);
		if (!np || !(fl & (CRIMG_PE_PRESENT | CRIMG_PE_PARENT | CRIMG_PE_LAZY)))
			continue; /* holds nothing: reads as zeros */
		if (pe->vaddr % ps) {
			crimg_fail(err, fname, at, i,
				   "address 0x%llx is not a multiple of the page size (%u)",
				   (unsigned long long)pe->vaddr, ps);
			goto out;
		}
		if (np > (UINT64_MAX - pe->vaddr) / ps) {
			crimg_fail(err, fname, at, i,
				   "%llu pages at 0x%llx run past the end of the address space",
				   (unsigned long long)np, (unsigned long long)pe->vaddr);
			goto out;
		}
		if (more(&pre, n, &cap) < 0) {
			crimg_fail(err, fname, -1, -1, "out of memory");
			goto out;
		}
		uint64_t len = np * ps;
		struct pre_run *r = &pre[n];
		memset(r, 0, sizeof(*r));
		r->r.start = pe->vaddr;
		r->r.end = pe->vaddr + len;
		r->r.entry = (uint32_t)i;
		r->r.depth = depth;
		r->offset = at;
		if (fl & CRIMG_PE_PRESENT) {
			if (!pages) {
				struct crimg_error ferr;
				crimg_error_clear(&ferr);
				pages = crimg_ckpt_data(c, pname, &plen, &ferr);
				if (!pages && crimg_ckpt_has(c, pname)) {
					/* unreadable (a damaged archive member): its own
					 * error says where */
					if (err)
						*err = ferr;
					goto out;
				}
				if (!pages) {
					crimg_fail(err, fname, at, i,
						   "pages at 0x%llx are in %s, which is missing",
						   (unsigned long long)pe->vaddr, pname);
					goto out;
				}
			}
			if (off > plen || len > plen - off) {
				crimg_fail(err, fname, at, i,
					   "pages 0x%llx-0x%llx are bytes %llu-%llu of %s, which holds only %zu bytes",
					   (unsigned long long)r->r.start,
					   (unsigned long long)r->r.end, (unsigned long long)off,
					   (unsigned long long)(off + len), pname, plen);
				goto out;
			}
			r->r.data = pages + off;
			r->r.file = crimg_ckpt_file_entry(c, pname);
			off += len;
		} else if (fl & CRIMG_PE_PARENT) {
			r->parent = 1;
			nparent++;
		}
		if (n && cmp_pre(&pre[n - 1], r) > 0)
			sorted = 0;
		n++;
	}
	if (k < 0)
		goto out;
	if (!sorted)
		qsort(pre, n, sizeof(*pre), cmp_pre);
	for (size_t i = 1; i < n; i++) {
		if (pre[i].r.start < pre[i - 1].r.end) {
			crimg_fail(err, fname, pre[i].offset, pre[i].r.entry,
				   "pages 0x%llx-0x%llx overlap those of entry %u (0x%llx-0x%llx)",
				   (unsigned long long)pre[i].r.start,
				   (unsigned long long)pre[i].r.end, pre[i - 1].r.entry,
				   (unsigned long long)pre[i - 1].r.start,
				   (unsigned long long)pre[i - 1].r.end);
			goto out;
		}
	}
	if (nparent) {
		if (resolve_parent(c, name, fname, ps, depth, pre, n, ix, err) < 0)
			goto out;
	} else {
		ix->v = malloc((n ? n : 1) * sizeof(*ix->v));
		if (!ix->v) {
			crimg_fail(err, fname, -1, -1, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			push(ix, &pre[i].r);
	}
	for (size_t i = 0; i < ix->n; i++) {
		if (ix->v[i].data)
			ix->data_bytes += ix->v[i].end - ix->v[i].start;
		else
			ix->lazy_bytes += ix->v[i].end - ix->v[i].start;
	}
	rc = 0;
out:
	crimg_reader_close(rd);
	free(pre);
	if (rc < 0)
		mem_index_free(ix);
	return rc;
}

int mem_index_build(struct crimg_ckpt *c, const char *name, unsigned page_size,
		    struct mem_index *ix, struct crimg_error *err)
{
	return build(c, name, page_size, 0, ix, err);
}
