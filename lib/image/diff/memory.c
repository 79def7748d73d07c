/*
 * Memory contents: which pages differ, as address ranges with byte counts.
 *
 * Both tasks' memory is read by virtual address through their page indexes
 * (mem_index.c), which follow PE_PARENT into parent dumps: a page a dump
 * leaves in its parent is compared as the parent's bytes.  Only addresses
 * both sides map are compared (VMAs added or removed are the memory map's
 * business).  The pages images are mapped; each stretch where both sides
 * are contiguous is compared in place, a block at a time with memcmp, and
 * only a block that differs is narrowed to pages and its bytes counted
 * while it is still in cache: every page is read once, nothing is copied,
 * nothing is allocated per page.
 *
 * Raw images (no header) are compared the same way, by offset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff_int.h"

#define BLOCK (64u << 10)
static const uint8_t zeros[BLOCK];

/* A range of differing pages being gathered. */
struct ranges {
	struct diff *d;
	unsigned cat;
	int raw; /* offsets in raw images, not addresses */
	int open;
	struct crimg_diff_range r;
	const struct crimg_mem_vma *va, *vb; /* the VMAs being compared */
};

/* Raw images map nothing: UNMAPPED there is past an image's end, "none". */
static const char *state_name(enum crimg_mem_state s, int raw)
{
	return raw && s == CRIMG_MEM_UNMAPPED ? "none" : crimg_mem_state_name(s);
}

static int flush(struct ranges *g)
{
	if (!g->open)
		return diff_done(g->d);
	g->open = 0;
	struct diff *d = g->d;
	size_t mark = g->raw ? dpath_push(d, "[0x%llx-0x%llx]", (unsigned long long)g->r.start,
					  (unsigned long long)g->r.end)
			     : dpath_push(d, ".mem[0x%llx-0x%llx]", (unsigned long long)g->r.start,
					  (unsigned long long)g->r.end);
	demit(d, g->cat, CRIMG_DIFF_CHANGED, dv_str(d, state_name(g->r.state_a, g->raw)),
	      dv_str(d, state_name(g->r.state_b, g->raw)), &g->r);
	dpath_pop(d, mark);
	return diff_done(d);
}

/* Adds one differing page to the ranges. */
static int add_page(struct ranges *g, uint64_t addr, uint64_t len, uint64_t bytes,
		    enum crimg_mem_state sa, enum crimg_mem_state sb)
{
	struct crimg_diff_range *r = &g->r;
	if (g->open &&
	    (r->end != addr || r->state_a != sa || r->state_b != sb || r->vma_a != g->va ||
	     r->vma_b != g->vb))
		flush(g);
	if (!g->open) {
		g->open = 1;
		r->start = addr;
		r->end = addr;
		r->pages = 0;
		r->bytes = 0;
		r->state_a = sa;
		r->state_b = sb;
		r->vma_a = g->va;
		r->vma_b = g->vb;
	}
	r->end = addr + len;
	r->pages++;
	r->bytes += bytes;
	return diff_done(g->d);
}

/* Bytes that differ between a and b (zeros where NULL). */
static uint64_t count_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t c = 0;
	size_t i = 0;
	if (!a)
		a = zeros;
	if (!b)
		b = zeros;
	for (; i + 8 <= n; i += 8) {
		uint64_t x, y;
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		x ^= y;
		if (!x)
			continue;
		/* one bit per differing byte */
		x |= x >> 4;
		x |= x >> 2;
		x |= x >> 1;
		c += (uint64_t)__builtin_popcountll(x & 0x0101010101010101ull);
	}
	for (; i < n; i++)
		c += a[i] != b[i];
	return c;
}

/*
 * Compares [addr, addr + len) whose bytes are at pa and pb (NULL for a
 * side that reads as zeros); both are contiguous over the whole length.
 */
static int cmp_data(struct ranges *g, uint64_t addr, const uint8_t *pa, const uint8_t *pb,
		    uint64_t len, enum crimg_mem_state sa, enum crimg_mem_state sb)
{
	unsigned ps = g->d->page_size;
	g->d->st->compared_bytes += (pa ? len : 0) + (pb ? len : 0);
	for (uint64_t off = 0; off < len;) {
		size_t n = len - off < BLOCK ? (size_t)(len - off) : BLOCK;
		const uint8_t *x = pa ? pa + off : zeros, *y = pb ? pb + off : zeros;
		if (memcmp(x, y, n) == 0) {
			if (flush(g))
				return 1;
			off += n;
			continue;
		}
		/* narrow the block to its pages; they are in cache now */
		for (size_t p = 0; p < n; p += ps) {
			size_t k = n - p < ps ? n - p : ps;
			if (memcmp(x + p, y + p, k) == 0) {
				if (flush(g))
					return 1;
				continue;
			}
			if (add_page(g, addr + off + p, k, count_diff(x + p, y + p, k), sa, sb))
				return 1;
		}
		off += n;
	}
	return 0;
}

/* Pages whose contents are not in the images on one side only differ,
 * bytes unknown; one page at a time (no page is read). */
static int unknown_pages(struct ranges *g, uint64_t addr, uint64_t len, enum crimg_mem_state sa,
			 enum crimg_mem_state sb)
{
	unsigned ps = g->d->page_size;
	for (uint64_t off = 0; off < len; off += ps)
		if (add_page(g, addr + off, len - off < ps ? len - off : ps, 0, sa, sb))
			return 1;
	return 0;
}

static int cmp_span(struct ranges *g, uint64_t addr, uint64_t len, const struct crimg_mem_span *a,
		    const struct crimg_mem_span *b)
{
	enum crimg_mem_state sa = a->state, sb = b->state;
	if ((sa == CRIMG_MEM_ZERO || sa == CRIMG_MEM_LAZY) && sa == sb)
		return flush(g);
	if (sa == CRIMG_MEM_LAZY || sb == CRIMG_MEM_LAZY)
		return unknown_pages(g, addr, len, sa, sb);
	return cmp_data(g, addr, a->data, b->data, len, sa, sb);
}

/* [s, e), inside VMA va of ma and vb of mb. */
static int cmp_interval(struct ranges *g, struct crimg_mem *ma, struct crimg_mem *mb, uint64_t s,
			uint64_t e)
{
	uint64_t cur = s;
	while (cur < e) {
		struct crimg_mem_span a, b;
		if (crimg_mem_span(ma, cur, &a, g->d->err) < 0 ||
		    crimg_mem_span(mb, cur, &b, g->d->err) < 0)
			return -1;
		uint64_t k = e - cur;
		if (a.len < k)
			k = a.len;
		if (b.len < k)
			k = b.len;
		if (cmp_span(g, cur, k, &a, &b))
			return 1;
		cur += k;
	}
	return 0;
}

/* The addresses both sides map, VMA pair by VMA pair. */
static int cmp_mem(struct ranges *g, struct crimg_mem *ma, struct crimg_mem *mb)
{
	const struct crimg_mem_vma *va, *vb;
	size_t na = crimg_mem_vmas(ma, &va), nb = crimg_mem_vmas(mb, &vb);
	g->r.mem_a = ma;
	g->r.mem_b = mb;
	size_t i = 0, j = 0;
	while (i < na && j < nb) {
		uint64_t s = va[i].start > vb[j].start ? va[i].start : vb[j].start;
		uint64_t e = va[i].end < vb[j].end ? va[i].end : vb[j].end;
		if (s < e) {
			g->va = &va[i];
			g->vb = &vb[j];
			int k = cmp_interval(g, ma, mb, s, e);
			if (k)
				return k;
		}
		if (va[i].end <= vb[j].end)
			i++;
		else
			j++;
	}
	return flush(g);
}

int diff_task_mem(struct diff *d, uint32_t pid_a, uint32_t pid_b)
{
	if (dskip(d, CRIMG_DIFF_MEMORY))
		return 0;
	char na[64], nb[64], pa[64], pb[64];
	snprintf(na, sizeof(na), "mm-%u.img", pid_a);
	snprintf(nb, sizeof(nb), "mm-%u.img", pid_b);
	snprintf(pa, sizeof(pa), "pagemap-%u.img", pid_a);
	snprintf(pb, sizeof(pb), "pagemap-%u.img", pid_b);
	if (!crimg_ckpt_has(d->ca, na) && !crimg_ckpt_has(d->cb, nb) &&
	    !crimg_ckpt_has(d->ca, pa) && !crimg_ckpt_has(d->cb, pb))
		return 0; /* no memory on either side */
	struct crimg_mem_opts mo = { .page_size = d->page_size };
	struct crimg_mem *ma = crimg_mem_open(d->ca, pid_a, &mo, d->err);
	if (!ma)
		return -1;
	struct crimg_mem *mb = crimg_mem_open(d->cb, pid_b, &mo, d->err);
	if (!mb) {
		crimg_mem_close(ma);
		return -1;
	}
	struct ranges g = { .d = d, .cat = CRIMG_DIFF_MEMORY };
	int rc = cmp_mem(&g, ma, mb);
	crimg_mem_close(ma);
	crimg_mem_close(mb);
	return rc < 0 ? -1 : 0;
}

/* Shared objects mapped by no task: their pages are nobody's VMA. */
int diff_shmem(struct diff *d)
{
	struct crimg_mem_opts mo = { .page_size = d->page_size };
	struct crimg_shmem_info *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	int rc = -1;
	if (crimg_mem_shmem_list(d->ca, &mo, &a, &na, d->err) < 0 ||
	    crimg_mem_shmem_list(d->cb, &mo, &b, &nb, d->err) < 0)
		goto out;
	size_t i = 0, j = 0;
	rc = 0;
	while ((i < na || j < nb) && rc == 0 && !diff_done(d)) {
		int c = i == na ? 1 : j == nb ? -1 : a[i].id < b[j].id ? -1 : a[i].id > b[j].id;
		const struct crimg_shmem_info *x = c <= 0 ? &a[i] : &b[j];
		const struct crimg_shmem_info *y = c == 0 ? &b[j] : NULL;
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
		if (x->mapped_by || (y && y->mapped_by))
			continue; /* compared through the tasks that map it */
		size_t mark = dpath_push(d, "shmem[%llu]", (unsigned long long)x->id);
		dgroup(d, "shared memory %llu (%s%s%s)", (unsigned long long)x->id, x->kind,
		       x->name[0] ? " " : "", x->name);
		if (c != 0) {
			char *v = dv_strf(d, "%s%s%s, %llu bytes", x->kind, x->name[0] ? " " : "",
					  x->name, (unsigned long long)x->size);
			demit(d, CRIMG_DIFF_MEMORY, c < 0 ? CRIMG_DIFF_REMOVED : CRIMG_DIFF_ADDED,
			      c < 0 ? v : NULL, c < 0 ? NULL : v, NULL);
		} else {
			struct crimg_mem *ma = crimg_mem_open_shmem(d->ca, x->id, &mo, d->err);
			struct crimg_mem *mb = ma ? crimg_mem_open_shmem(d->cb, x->id, &mo, d->err)
						  : NULL;
			struct ranges g = { .d = d, .cat = CRIMG_DIFF_MEMORY };
			rc = mb ? (cmp_mem(&g, ma, mb) < 0 ? -1 : 0) : -1;
			crimg_mem_close(ma);
			crimg_mem_close(mb);
		}
		dpath_pop(d, mark);
	}
out:
	free(a);
	free(b);
	return rc;
}

int diff_raw(struct diff *d, unsigned cat, const uint8_t *a, size_t alen, const uint8_t *b,
	     size_t blen)
{
	struct ranges g = { .d = d, .cat = cat, .raw = 1 };
	g.r.raw_a = a;
	g.r.raw_b = b;
	g.r.raw_len_a = alen;
	g.r.raw_len_b = blen;
	size_t common = alen < blen ? alen : blen;
	if (dskip(d, cat))
		return 0;
	if (cmp_data(&g, 0, a, b, common, CRIMG_MEM_DATA, CRIMG_MEM_DATA))
		return 0;
	/* what only the longer one has: every byte of it differs */
	size_t total = alen > blen ? alen : blen;
	unsigned ps = d->page_size;
	for (size_t off = common, k; off < total; off += k) {
		k = ps - off % ps;
		if (k > total - off)
			k = total - off;
		if (add_page(&g, off, k, k, alen > off ? CRIMG_MEM_DATA : CRIMG_MEM_UNMAPPED,
			     blen > off ? CRIMG_MEM_DATA : CRIMG_MEM_UNMAPPED))
			return 0;
	}
	flush(&g);
	return 0;
}
