/*
 * The hex view of a task's memory (or of a shared memory object): every
 * VMA one after the other, each a title row and then rows of 16 bytes,
 * "ADDRESS  hex bytes  |ascii|".  The list is as long as the map is large
 * (a 128 TiB map is 2^43 rows), so nothing is made per row up front: the
 * first row of each VMA is kept in a prefix-sum array and a row is found
 * by binary search; only the rows shown are read, through a small cache of
 * the last chunks read.
 *
 * The selection of the list is the row of a byte cursor; the view takes
 * the moving keys itself.  Bytes the checkpoint does not hold (pages never
 * touched, file pages not saved) show as ".." (crimg_mem_span says which).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mem_view.h"

#define CHUNK 4096u /* bytes a cache entry holds */
#define NCACHE 8    /* entries: a 40-row screen needs one or two */
#define NBACK 32    /* positions Backspace goes back to */

enum {
	B_UNMAPPED,
	B_DATA,
	B_ZERO,
	B_LAZY,
	B_ERR
};

struct chunk {
	uint64_t base;
	unsigned long used; /* 0: empty; else when it was last used */
	uint8_t b[CHUNK];
	uint8_t st[CHUNK]; /* B_* of each byte */
	char err[200];     /* why bytes are B_ERR */
};

struct mem_view {
	struct crimg_mem *m;
	uint32_t pid;
	int64_t shmem; /* the object shown, -1 for a task */
	char err[300]; /* why m could not be opened */
	const struct crimg_mem_vma *vmas;
	size_t nv;
	/* the VMAs listed (those not empty): vma index, and the row of each
	 * one's title row; first[n] is the number of rows */
	size_t *vi;
	uint64_t *first;
	size_t n;
	uint64_t saved;
	int aw; /* address digits the highest address needs */

	uint64_t cur;    /* the cursor's address */
	size_t seen_sel; /* v->sel when the cursor was last put there */
	int has_mark;
	uint64_t mark;
	int has_hit;
	uint64_t hit, hit_len;
	uint64_t back[NBACK]; /* where pointers and :goto came from */
	int nback;

	int bo_known; /* 0: not looked up yet, 1: bo valid, -1: unknown */
	int big;      /* the checkpoint's byte order is big-endian */
	char arch[32];

	char pat_text[256]; /* the pattern last compiled */
	struct crimg_mem_pattern *pat;

	unsigned long tick;
	struct chunk cache[NCACHE];
};

static const struct tui_view_ops mem_ops;

/* ---- sizes and names ---- */

static void size_str(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	int u = 0;
	uint64_t d = 1;
	while (u < 6 && n / d >= 1024) {
		d *= 1024;
		u++;
	}
	if (n % d == 0 || u == 0)
		snprintf(buf, len, "%" PRIu64 " %s", n / d, unit[u]);
	else
		snprintf(buf, len, "%.1f %s", (double)n / (double)d, unit[u]);
}

static const char *base_name(const char *s)
{
	const char *b = strrchr(s, '/');
	return b && b[1] ? b + 1 : s;
}

/* ---- the list: VMAs and rows ---- */

static uint64_t vma_len(const struct crimg_mem_vma *v)
{
	return v->end > v->start ? v->end - v->start : 0;
}

static uint64_t vma_rows(const struct crimg_mem_vma *v)
{
	uint64_t l = vma_len(v);
	return l / 16 + (l % 16 != 0);
}

static const struct crimg_mem_vma *lv(struct mem_view *mv, size_t k)
{
	return &mv->vmas[mv->vi[k]];
}

/* The listed VMA holding addr, or (size_t)-1. */
static size_t vma_of_addr(struct mem_view *mv, uint64_t addr)
{
	size_t lo = 0, hi = mv->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (lv(mv, mid)->start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= lv(mv, lo - 1)->end)
		return (size_t)-1;
	return lo - 1;
}

/* The listed VMA whose rows hold row i. */
static size_t vma_of_row(struct mem_view *mv, uint64_t i)
{
	size_t lo = 0, hi = mv->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (mv->first[mid] <= i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : 0;
}

static uint64_t row_of_addr(struct mem_view *mv, size_t k, uint64_t addr)
{
	return mv->first[k] + 1 + (addr - lv(mv, k)->start) / 16;
}

/* ---- reading, through the cache ---- */

static struct chunk *chunk_at(struct mem_view *mv, uint64_t addr)
{
	uint64_t base = addr - addr % CHUNK;
	struct chunk *c = NULL;
	mv->tick++;
	for (int i = 0; i < NCACHE; i++) {
		struct chunk *e = &mv->cache[i];
		if (e->used && e->base == base) {
			e->used = mv->tick;
			return e;
		}
		if (!c || e->used < c->used)
			c = e;
	}
	/* fill the least recently used entry, span by span */
	c->base = base;
	c->used = mv->tick;
	c->err[0] = 0;
	memset(c->b, 0, CHUNK);
	memset(c->st, B_UNMAPPED, CHUNK);
	uint64_t off = 0;
	while (off < CHUNK) {
		struct crimg_mem_span s;
		struct crimg_error err;
		crimg_error_clear(&err);
		if (crimg_mem_span(mv->m, base + off, &s, &err) < 0) {
			tui_errstr(&err, c->err, sizeof(c->err));
			memset(c->st + off, B_ERR, CHUNK - off);
			break;
		}
		uint64_t len = s.len < CHUNK - off ? s.len : CHUNK - off;
		if (len == 0)
			break; /* the top of the address space */
		int st = s.state == CRIMG_MEM_DATA  ? B_DATA
			: s.state == CRIMG_MEM_ZERO ? B_ZERO
			: s.state == CRIMG_MEM_LAZY ? B_LAZY
						    : B_UNMAPPED;
		memset(c->st + off, st, len);
		if (st == B_DATA && s.data)
			memcpy(c->b + off, s.data, len);
		off += len;
	}
	return c;
}

/* n (<= 16) bytes from addr and their states; past the top: unmapped. */
static void get_bytes(struct mem_view *mv, uint64_t addr, size_t n, uint8_t *b, uint8_t *st,
		      const char **err)
{
	struct chunk *c = NULL;
	*err = NULL;
	for (size_t i = 0; i < n; i++) {
		uint64_t a = addr + i;
		if (a < addr) {
			b[i] = 0;
			st[i] = B_UNMAPPED;
			continue;
		}
		if (!c || a - c->base >= CHUNK)
			c = chunk_at(mv, a);
		b[i] = c->b[a - c->base];
		st[i] = c->st[a - c->base];
		if (st[i] == B_ERR)
			*err = c->err;
	}
}

/* ---- the checkpoint's byte order, for pointers ---- */

static void find_byte_order(struct tui *t, struct mem_view *mv)
{
	struct crimg_error err;
	const struct crimg_entries *e = NULL;
	if (mv->bo_known)
		return;
	mv->bo_known = -1;
	crimg_error_clear(&err);
	const struct crimg_task *task = mv->pid ? tui_task(t, mv->pid) : NULL;
	if (task) {
		size_t nt;
		const struct crimg_thread *th = crimg_task_threads(t->c, task, &nt, &err);
		if (th && nt && th[0].regs.arch)
			snprintf(mv->arch, sizeof(mv->arch), "%s", th[0].regs.arch);
		crimg_error_clear(&err);
		e = crimg_ckpt_entriesf(t->c, &err, "core-%u.img", mv->pid);
	}
	if (!e && mv->pid) {
		crimg_error_clear(&err);
		e = crimg_ckpt_entriesf(t->c, &err, "pagemap-%u.img", mv->pid);
	}
	if (!e) {
		crimg_error_clear(&err);
		e = crimg_ckpt_entries(t->c, "inventory.img", &err);
	}
	if (e) {
		mv->bo_known = 1;
		mv->big = e->byte_order == CRIMG_BIG_ENDIAN;
	}
}

/* The 8-byte value at addr in the checkpoint's byte order; -1 when it
 * cannot be read or the byte order is unknown. */
static int read_ptr(struct tui *t, struct mem_view *mv, uint64_t addr, uint64_t *val)
{
	uint8_t b[8], st[8];
	const char *e;
	find_byte_order(t, mv);
	if (mv->bo_known != 1 || addr + 8 < addr)
		return -1;
	get_bytes(mv, addr, 8, b, st, &e);
	*val = 0;
	for (int i = 0; i < 8; i++) {
		if (st[i] == B_UNMAPPED || st[i] == B_ERR)
			return -1;
		*val |= (uint64_t)b[i] << (mv->big ? 8 * (7 - i) : 8 * i);
	}
	return 0;
}

/* ---- moving ---- */

static void scroll_to_cursor(struct tui *t, struct tui_view *v)
{
	struct mem_view *mv = v->priv;
	size_t k = vma_of_addr(mv, mv->cur);
	if (k == (size_t)-1)
		return;
	uint64_t row = row_of_addr(mv, k, mv->cur);
	tui_select(t, v, (size_t)row);
	/* the VMA's title row with its first row */
	if (row == mv->first[k] + 1 && v->top == v->sel && v->top)
		v->top--;
	mv->seen_sel = v->sel;
}

static void set_cursor(struct tui *t, struct tui_view *v, uint64_t addr)
{
	struct mem_view *mv = v->priv;
	mv->cur = addr;
	scroll_to_cursor(t, v);
}

/* The cursor to the first (or last) byte of listed VMA k. */
static void to_vma(struct tui *t, struct tui_view *v, size_t k, int last)
{
	struct mem_view *mv = v->priv;
	const struct crimg_mem_vma *m = lv(mv, k);
	set_cursor(t, v, last ? m->end - 1 : m->start);
}

/* Moves the cursor by d rows, keeping its column; title rows are passed. */
static void move_rows(struct tui *t, struct tui_view *v, long d)
{
	struct mem_view *mv = v->priv;
	size_t k = vma_of_addr(mv, mv->cur);
	if (k == (size_t)-1 || !mv->n)
		return;
	uint64_t row = row_of_addr(mv, k, mv->cur), rows = mv->first[mv->n];
	unsigned col = (unsigned)((mv->cur - lv(mv, k)->start) % 16);
	uint64_t target;
	if (d < 0)
		target = (uint64_t)-d > row ? 0 : row - (uint64_t)-d;
	else
		target = row + (uint64_t)d >= rows ? rows - 1 : row + (uint64_t)d;
	k = vma_of_row(mv, target);
	if (target == mv->first[k]) { /* a title row */
		if (d < 0 && k > 0)
			target--, k--;
		else
			target++;
	}
	const struct crimg_mem_vma *m = lv(mv, k);
	uint64_t a = m->start + (target - mv->first[k] - 1) * 16 + col;
	set_cursor(t, v, a >= m->end ? m->end - 1 : a);
}

static void move_bytes(struct tui *t, struct tui_view *v, int d)
{
	struct mem_view *mv = v->priv;
	size_t k = vma_of_addr(mv, mv->cur);
	if (k == (size_t)-1)
		return;
	const struct crimg_mem_vma *m = lv(mv, k);
	if (d < 0) {
		if (mv->cur > m->start)
			set_cursor(t, v, mv->cur - 1);
		else if (k > 0)
			to_vma(t, v, k - 1, 1);
	} else {
		if (mv->cur + 1 < m->end)
			set_cursor(t, v, mv->cur + 1);
		else if (k + 1 < mv->n)
			to_vma(t, v, k + 1, 0);
	}
}

/* The generic keys may have moved the selection (a resize, a page): the
 * cursor follows it, keeping its column. */
static void sync_cursor(struct tui *t, struct tui_view *v)
{
	struct mem_view *mv = v->priv;
	if (!mv->m || !mv->n || v->sel == mv->seen_sel)
		return;
	size_t k = vma_of_row(mv, v->sel);
	uint64_t row = v->sel;
	if (row == mv->first[k])
		row++;
	const struct crimg_mem_vma *m = lv(mv, k);
	uint64_t a = m->start + (row - mv->first[k] - 1) * 16 + mv->cur % 16;
	mv->cur = a >= m->end ? m->end - 1 : a;
	scroll_to_cursor(t, v);
}

static void push_back(struct mem_view *mv)
{
	if (mv->nback == NBACK) {
		memmove(mv->back, mv->back + 1, (NBACK - 1) * sizeof(mv->back[0]));
		mv->nback--;
	}
	mv->back[mv->nback++] = mv->cur;
}

int tui_mem_goto(struct tui *t, struct tui_view *v, uint64_t addr)
{
	struct mem_view *mv = v && v->ops == &mem_ops ? v->priv : NULL;
	if (!mv || !mv->m) {
		tui_msg(t, TR_ERROR, "no memory here: %s", mv ? mv->err : "not a memory view");
		return -1;
	}
	if (vma_of_addr(mv, addr) == (size_t)-1) {
		tui_msg(t, TR_ERROR, "0x%" PRIx64 " is not mapped%s", addr,
			mv->shmem >= 0 ? " (offsets in the object)" : "");
		return -1;
	}
	if (addr != mv->cur)
		push_back(mv);
	set_cursor(t, v, addr);
	return 0;
}

void tui_mem_show_hit(struct tui_view *v, uint64_t addr, uint64_t len)
{
	struct mem_view *mv = v && v->ops == &mem_ops ? v->priv : NULL;
	if (!mv)
		return;
	mv->has_hit = 1;
	mv->hit = addr;
	mv->hit_len = len;
}

/* ---- patterns and search ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

struct crimg_mem_pattern *tui_mem_pattern(const char *text, char *errbuf, size_t n)
{
	struct crimg_error err;
	uint8_t bytes[256];
	size_t len = 0;
	unsigned flags = 0;
	const void *p = text;
	crimg_error_clear(&err);
	if (!strncmp(text, "x:", 2)) {
		int hi = -1;
		for (const char *s = text + 2; *s; s++) {
			if (*s == ' ' || *s == ',')
				continue;
			int d = hexval((unsigned char)*s);
			if (d < 0) {
				snprintf(errbuf, n, "x: wants hex bytes, not '%c'", *s);
				return NULL;
			}
			if (hi < 0) {
				hi = d;
			} else {
				bytes[len++] = (uint8_t)(hi << 4 | d);
				hi = -1;
			}
		}
		if (hi >= 0) {
			snprintf(errbuf, n, "x: wants whole bytes (an even number of hex digits)");
			return NULL;
		}
		p = bytes;
	} else if (!strncmp(text, "re:", 3)) {
		p = text + 3;
		len = strlen(text + 3);
		flags = CRIMG_PAT_REGEX;
	} else {
		if (!strncmp(text, "s:", 2))
			text += 2;
		p = text;
		len = strlen(text);
	}
	if (!len) {
		snprintf(errbuf, n, "an empty pattern");
		return NULL;
	}
	struct crimg_mem_pattern *pat = crimg_mem_pattern_new(p, len, flags, &err);
	if (!pat)
		tui_errstr(&err, errbuf, n);
	return pat;
}

struct found {
	int any;
	uint64_t addr, len;
	uint64_t before; /* keep the last match starting below this */
	int last;        /* keep the last match (else the first) */
};

static int on_match(void *arg, const struct crimg_mem_match *mt)
{
	struct found *f = arg;
	if (!f->last) {
		f->any = 1;
		f->addr = mt->addr;
		f->len = mt->len;
		return 1;
	}
	if (mt->addr >= f->before)
		return 1;
	f->any = 1;
	f->addr = mt->addr;
	f->len = mt->len;
	return 0;
}

/* Searches [lo, hi) for the first match, or the last one starting below
 * before; -1 after tui_msg on an error. */
static int search_range(struct tui *t, struct mem_view *mv, uint64_t lo, uint64_t hi, int last,
			uint64_t before, struct found *f)
{
	struct crimg_error err;
	struct crimg_mem_search_opts o = { .start = lo, .end = hi, .max_matches = last ? 0 : 1 };
	crimg_error_clear(&err);
	memset(f, 0, sizeof(*f));
	f->last = last;
	f->before = before;
	if (lo >= hi)
		return 0;
	if (crimg_mem_search(mv->m, mv->pat, &o, on_match, f, &err) < 0) {
		char e[300];
		tui_errstr(&err, e, sizeof(e));
		tui_msg(t, TR_ERROR, "search: %s", e);
		return -1;
	}
	return 0;
}

static int mem_search(struct tui *t, struct tui_view *v, const char *text, int dir)
{
	struct mem_view *mv = v->priv;
	struct found f;
	int wrapped = 0;
	if (!mv->m || !mv->n) {
		tui_msg(t, TR_ERROR, "no memory to search");
		return 0;
	}
	if (!mv->pat || strcmp(mv->pat_text, text)) {
		char e[300];
		crimg_mem_pattern_free(mv->pat);
		mv->pat = tui_mem_pattern(text, e, sizeof(e));
		if (!mv->pat) {
			tui_msg(t, TR_ERROR, "%s", e);
			return 0;
		}
		snprintf(mv->pat_text, sizeof(mv->pat_text), "%s", text);
	}
	sync_cursor(t, v);
	uint64_t cur = mv->cur;
	if (dir > 0) {
		if (search_range(t, mv, cur + 1 ? cur + 1 : cur, UINT64_MAX, 0, 0, &f) < 0)
			return 0;
		if (!f.any) {
			wrapped = 1;
			if (search_range(t, mv, 0, UINT64_MAX, 0, 0, &f) < 0)
				return 0;
		}
	} else {
		/* backwards: windows growing below the cursor, each searched
		 * for its last match before it (a match may run 64 KiB past
		 * the cursor; a longer one is found from its own start) */
		const uint64_t over = 64 * 1024;
		uint64_t w = 64 * 1024, hi = cur + over < cur ? UINT64_MAX : cur + over;
		memset(&f, 0, sizeof(f));
		for (;;) {
			uint64_t lo = cur > w ? cur - w : 0;
			if (search_range(t, mv, lo, hi, 1, cur, &f) < 0)
				return 0;
			if (f.any || lo == 0)
				break;
			w = w > UINT64_MAX / 2 ? UINT64_MAX : w * 2;
		}
		if (!f.any) {
			wrapped = 1;
			if (search_range(t, mv, 0, UINT64_MAX, 1, UINT64_MAX, &f) < 0)
				return 0;
		}
	}
	if (!f.any)
		return 0;
	if (wrapped)
		tui_msg(t, TR_WARN, "search wrapped");
	if (f.addr != mv->cur)
		push_back(mv);
	mv->has_hit = 1;
	mv->hit = f.addr;
	mv->hit_len = f.len;
	set_cursor(t, v, f.addr);
	return 1;
}

/* ---- rows ---- */

static size_t mem_count(struct tui *t, struct tui_view *v)
{
	struct mem_view *mv = v->priv;
	if (!mv->m || !mv->n)
		return 1; /* the error, or "nothing mapped" */
	return (size_t)mv->first[mv->n];
}

/* 12 hex digits for addresses of 48 bits, 16 past them. */
static int addr_width(const struct crimg_mem_vma *m)
{
	return m->end - 1 > 0xffffffffffffull ? 16 : 12;
}

/* The digits of the addresses of m's rows: as many for every row as the
 * highest address needs when the screen has room for them, else as m's
 * own need (a [vsyscall] row is then cut at the right). */
static int row_width(struct tui *t, struct mem_view *mv, const struct crimg_mem_vma *m)
{
	return t->cols >= mv->aw + 67 ? mv->aw : addr_width(m);
}

static void mem_header(struct tui *t, struct tui_view *v, struct tui_row *r)
{
	struct mem_view *mv = v->priv;
	int aw = t->cols >= mv->aw + 67 ? mv->aw : 12, wide = t->cols >= aw + 69;
	tui_row_add(r, TR_HEADER, "%-*s%s", aw, mv->shmem >= 0 ? "OFFSET" : "ADDRESS",
		    wide ? " " : "");
	for (int i = 0; i < 16; i++)
		tui_row_add(r, TR_HEADER, "%s %02x", wide && i == 8 ? " " : "", i);
	tui_row_add(r, TR_HEADER, "  ASCII");
}

static void title_row(struct tui *t, struct mem_view *mv, size_t k, struct tui_row *r)
{
	const struct crimg_mem_vma *m = lv(mv, k);
	int aw = row_width(t, mv, m);
	char a[32], b[32];
	tui_row_glyph(r, TR_BORDER, TG_HLINE);
	tui_row_glyph(r, TR_BORDER, TG_HLINE);
	tui_row_add(r, TR_ADDR, " %0*" PRIx64 "-%0*" PRIx64, aw, m->start, aw, m->end);
	tui_row_add(r, TR_TEXT, " %s ", m->perms);
	if (m->name[0])
		tui_row_addn(r, TR_ACCENT, m->name, strlen(m->name));
	else
		tui_row_add(r, TR_DIM, "anonymous");
	size_str(vma_len(m), a, sizeof(a));
	size_str(m->dumped, b, sizeof(b));
	tui_row_add(r, TR_DIM, "  %s, %s saved", a, b);
	if (m->lazy) {
		size_str(m->lazy, b, sizeof(b));
		tui_row_add(r, TR_DIM, ", %s lazy", b);
	}
	if (m->shmem >= 0 && mv->shmem < 0)
		tui_row_add(r, TR_DIM, ", shared object %" PRId64, m->shmem);
}

static int in_range(uint64_t a, uint64_t lo, uint64_t len)
{
	return a >= lo && a - lo < len;
}

static void mem_row(struct tui *t, struct tui_view *v, size_t i, struct tui_row *r)
{
	struct mem_view *mv = v->priv;
	if (!mv->m) {
		tui_row_add(r, TR_ERROR, "%s", mv->err);
		return;
	}
	if (!mv->n) {
		tui_row_add(r, TR_DIM, "nothing mapped");
		return;
	}
	size_t k = vma_of_row(mv, i);
	if (i == mv->first[k]) {
		title_row(t, mv, k, r);
		return;
	}
	const struct crimg_mem_vma *m = lv(mv, k);
	uint64_t addr = m->start + (i - mv->first[k] - 1) * 16;
	size_t n = m->end - addr < 16 ? (size_t)(m->end - addr) : 16;
	uint8_t b[16], st[16];
	const char *err;
	int aw = row_width(t, mv, m), wide = t->cols >= aw + 69;
	get_bytes(mv, addr, n, b, st, &err);
	for (size_t j = n; j < 16; j++)
		st[j] = B_UNMAPPED;

	/* what marks a byte: the mark's range, the last hit, the pointer
	 * under the cursor when it points somewhere mapped */
	uint64_t mlo = 0, mlen = 0, plen = 0, pv;
	if (mv->has_mark) {
		mlo = mv->mark < mv->cur ? mv->mark : mv->cur;
		mlen = (mv->mark < mv->cur ? mv->cur - mv->mark : mv->mark - mv->cur) + 1;
	}
	if (in_range(mv->cur, addr, 16) && read_ptr(t, mv, mv->cur, &pv) == 0 &&
	    vma_of_addr(mv, pv) != (size_t)-1)
		plen = 8;
	else if (mv->cur < addr && addr - mv->cur < 8 && read_ptr(t, mv, mv->cur, &pv) == 0 &&
		 vma_of_addr(mv, pv) != (size_t)-1)
		plen = 8;

	tui_row_add(r, TR_ADDR, "%0*" PRIx64, aw, addr);
	if (wide)
		tui_row_add(r, TR_TEXT, " ");
	int cc = in_range(mv->cur, addr, 16) ? (int)(mv->cur - addr) : -1;
	for (int j = 0; j <= 16; j++) {
		if (wide && j == 8)
			tui_row_add(r, TR_TEXT, " ");
		tui_row_add(r, TR_TEXT, "%c", j == cc ? '[' : j - 1 == cc && j ? ']' : ' ');
		if (j == 16)
			break;
		uint64_t a = addr + (uint64_t)j;
		int role;
		switch (st[j]) {
		case B_DATA:
			role = b[j] ? TR_TEXT : TR_DIM;
			break;
		case B_ERR:
			role = TR_ERROR;
			break;
		default:
			role = TR_DIM;
		}
		if (st[j] != B_UNMAPPED && st[j] != B_ERR) {
			if (mv->has_hit && in_range(a, mv->hit, mv->hit_len))
				role = TR_MATCH;
			else if (mlen && in_range(a, mlo, mlen))
				role = TR_MARK;
			else if (plen && in_range(a, mv->cur, plen))
				role = TR_LINK;
		}
		if (st[j] == B_DATA)
			tui_row_add(r, role, "%02x", b[j]);
		else if (st[j] == B_ERR)
			tui_row_add(r, role, "??");
		else if (st[j] == B_UNMAPPED)
			tui_row_add(r, role, "  ");
		else
			tui_row_add(r, role, "..");
	}
	if (err) {
		tui_row_add(r, TR_ERROR, "%s", err);
		return;
	}
	tui_row_add(r, TR_BORDER, "|");
	for (int j = 0; j < 16; j++) {
		uint64_t a = addr + (uint64_t)j;
		int role = TR_TEXT;
		char ch = st[j] == B_DATA ? (b[j] >= 0x20 && b[j] < 0x7f ? (char)b[j] : '.') : ' ';
		if (st[j] == B_DATA && !(b[j] >= 0x20 && b[j] < 0x7f))
			role = TR_DIM;
		if (st[j] != B_UNMAPPED) {
			if (mv->has_hit && in_range(a, mv->hit, mv->hit_len))
				role = TR_MATCH;
			else if (mlen && in_range(a, mlo, mlen))
				role = TR_MARK;
		}
		tui_row_add(r, role, "%c", ch);
	}
	tui_row_add(r, TR_BORDER, "|");
}

static void mem_title(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct mem_view *mv = v->priv;
	char s[32];
	size_t o = 0;
	sync_cursor(t, v);
	if (mv->shmem >= 0) {
		o = (size_t)snprintf(buf, n, "shared memory object %" PRId64, mv->shmem);
	} else {
		const struct crimg_task *task = tui_task(t, mv->pid);
		const struct crimg_task_brief *b = NULL;
		struct crimg_error err;
		crimg_error_clear(&err);
		if (task)
			b = crimg_task_brief(t->c, task, &err);
		o = (size_t)snprintf(buf, n, "pid %u%s%s%s memory", mv->pid, b ? " (" : "",
				     b ? b->comm : "", b ? ")" : "");
	}
	if (mv->m && o < n) {
		size_str(mv->saved, s, sizeof(s));
		snprintf(buf + o, n - o, ": %zu VMA%s, %s saved", mv->nv, mv->nv == 1 ? "" : "s",
			 s);
	}
}

/* What the byte at addr is: its state and where it comes from. */
static void byte_state(struct mem_view *mv, uint64_t addr, char *buf, size_t n)
{
	struct crimg_mem_span s;
	struct crimg_error err;
	crimg_error_clear(&err);
	if (crimg_mem_span(mv->m, addr, &s, &err) < 0) {
		tui_errstr(&err, buf, n);
		return;
	}
	switch (s.state) {
	case CRIMG_MEM_DATA:
		if (s.depth)
			snprintf(buf, n, "saved in parent %u", s.depth);
		else
			snprintf(buf, n, "saved");
		break;
	case CRIMG_MEM_ZERO:
		snprintf(buf, n, "not saved");
		break;
	case CRIMG_MEM_LAZY:
		snprintf(buf, n, "lazy, not saved");
		break;
	default:
		snprintf(buf, n, "unmapped");
	}
}

static void mem_status(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct mem_view *mv = v->priv;
	if (!mv->m || !mv->n)
		return;
	sync_cursor(t, v);
	size_t k = vma_of_addr(mv, mv->cur);
	if (k == (size_t)-1)
		return;
	const struct crimg_mem_vma *m = lv(mv, k);
	char st[200];
	byte_state(mv, mv->cur, st, sizeof(st));
	size_t o = (size_t)snprintf(buf, n, "0x%" PRIx64 " %s+0x%" PRIx64 " %s %s", mv->cur,
				    m->name[0] ? base_name(m->name) : "anon", mv->cur - m->start,
				    m->perms, st);
	if (mv->has_mark && o < n) {
		uint64_t len = (mv->mark < mv->cur ? mv->cur - mv->mark : mv->mark - mv->cur) + 1;
		snprintf(buf + o, n - o, "  mark: %" PRIu64 " byte%s", len, len == 1 ? "" : "s");
	}
}

/* ---- the keys ---- */

static void show_info(struct tui *t, struct mem_view *mv)
{
	size_t k = vma_of_addr(mv, mv->cur);
	if (k == (size_t)-1)
		return;
	const struct crimg_mem_vma *m = lv(mv, k);
	uint64_t off = mv->cur - m->start;
	char st[200], where[300];
	byte_state(mv, mv->cur, st, sizeof(st));
	if (mv->shmem >= 0)
		snprintf(where, sizeof(where), "shared object %" PRId64 " at 0x%" PRIx64, mv->shmem,
			 mv->cur);
	else if (m->shmem >= 0)
		snprintf(where, sizeof(where), "shared object %" PRId64 " %s at 0x%" PRIx64,
			 m->shmem, m->name[0] ? m->name : "(anonymous)", m->pgoff + off);
	else if (m->name[0] && m->name[0] != '[')
		snprintf(where, sizeof(where), "file %s at 0x%" PRIx64, m->name, m->pgoff + off);
	else
		snprintf(where, sizeof(where), "%s +0x%" PRIx64,
			 m->name[0] ? m->name : "anonymous memory", off);
	tui_msg(t, TR_TEXT, "%s, %s; VMA %zu/%zu 0x%" PRIx64 "-0x%" PRIx64 " %s", where, st,
		(size_t)(m - mv->vmas) + 1, mv->nv, m->start, m->end, m->perms);
}

static void follow(struct tui *t, struct tui_view *v)
{
	struct mem_view *mv = v->priv;
	uint64_t val;
	if (read_ptr(t, mv, mv->cur, &val) < 0) {
		tui_msg(t, TR_WARN, "%s",
			mv->bo_known != 1
				? "no pointer: the checkpoint's byte order is unknown"
				: "no pointer: the 8 bytes at the cursor are not all mapped");
		return;
	}
	size_t k = vma_of_addr(mv, val);
	if (k == (size_t)-1) {
		tui_msg(t, TR_WARN, "0x%016" PRIx64 " (%s-endian%s%s) is not a mapped address", val,
			mv->big ? "big" : "little", mv->arch[0] ? ", " : "", mv->arch);
		return;
	}
	push_back(mv);
	set_cursor(t, v, val);
	const struct crimg_mem_vma *m = lv(mv, k);
	tui_msg(t, TR_TEXT, "-> 0x%" PRIx64 " (%s-endian) in %s; Backspace goes back", val,
		mv->big ? "big" : "little", m->name[0] ? m->name : "anonymous memory");
}

static void save_done(struct tui *t, struct tui_view *v, const char *text)
{
	struct mem_view *mv = v && v->ops == &mem_ops ? v->priv : NULL;
	char full[4096], e[300];
	struct crimg_error err;
	if (!mv || !mv->m || !mv->has_mark)
		return;
	while (*text == ' ')
		text++;
	if (!*text) {
		tui_msg(t, TR_WARN, "not saved: no file name");
		return;
	}
	if (!strcmp(text, "-")) {
		tui_msg(t, TR_ERROR, "not saved: '-' is the terminal; give a file");
		return;
	}
	if (t->save_dir && text[0] != '/')
		snprintf(full, sizeof(full), "%s/%s", t->save_dir, text);
	else
		snprintf(full, sizeof(full), "%s", text);
	uint64_t lo = mv->mark < mv->cur ? mv->mark : mv->cur;
	uint64_t hi = mv->mark < mv->cur ? mv->cur : mv->mark;
	uint64_t end = hi + 1 ? hi + 1 : UINT64_MAX, bytes = 0;
	for (size_t k = 0; k < mv->n; k++) {
		const struct crimg_mem_vma *m = lv(mv, k);
		uint64_t a = m->start > lo ? m->start : lo, b = m->end < end ? m->end : end;
		if (a < b)
			bytes += b - a;
	}
	crimg_error_clear(&err);
	if (crimg_mem_write_path(mv->m, lo, end, full, &err) < 0) {
		tui_errstr(&err, e, sizeof(e));
		tui_msg(t, TR_ERROR, "not saved: %s", e);
		return;
	}
	tui_msg(t, TR_TEXT, "saved 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64 " bytes) to %s", lo, end,
		bytes, text);
}

static int mem_key(struct tui *t, struct tui_view *v, int key)
{
	struct mem_view *mv = v->priv;
	long page = v->list_rows > 1 ? v->list_rows - 1 : 1;
	if (!mv->m || !mv->n)
		return 0;
	sync_cursor(t, v);
	size_t k = vma_of_addr(mv, mv->cur);
	switch (key) {
	case 'h':
	case TK_LEFT:
		move_bytes(t, v, -1);
		return 1;
	case 'l':
	case TK_RIGHT:
		move_bytes(t, v, 1);
		return 1;
	case 'k':
	case TK_UP:
		move_rows(t, v, -1);
		return 1;
	case 'j':
	case TK_DOWN:
		move_rows(t, v, 1);
		return 1;
	case TK_PGUP:
	case TK_CTRL('b'):
		move_rows(t, v, -page);
		return 1;
	case TK_PGDN:
	case TK_CTRL('f'):
	case ' ':
		move_rows(t, v, page);
		return 1;
	case TK_CTRL('u'):
		move_rows(t, v, -(page / 2 ? page / 2 : 1));
		return 1;
	case TK_CTRL('d'):
		move_rows(t, v, page / 2 ? page / 2 : 1);
		return 1;
	case 'g':
	case 'G':
		if (k != (size_t)-1)
			to_vma(t, v, k, key == 'G');
		return 1;
	case TK_HOME:
		to_vma(t, v, 0, 0);
		return 1;
	case TK_END:
		to_vma(t, v, mv->n - 1, 1);
		return 1;
	case '{':
		if (k != (size_t)-1 && k > 0)
			to_vma(t, v, k - 1, 0);
		return 1;
	case '}':
		if (k != (size_t)-1 && k + 1 < mv->n)
			to_vma(t, v, k + 1, 0);
		return 1;
	case TK_ENTER:
	case 'p':
		follow(t, v);
		return 1;
	case TK_BACKSPACE:
		if (!mv->nback)
			return 0; /* back to the screen before */
		set_cursor(t, v, mv->back[--mv->nback]);
		return 1;
	case 'i':
		show_info(t, mv);
		return 1;
	case 'm':
		mv->has_mark = 1;
		mv->mark = mv->cur;
		tui_msg(t, TR_TEXT,
			"mark set at 0x%" PRIx64 " (' goes back to it, w saves to here)", mv->cur);
		return 1;
	case 'M':
		mv->has_mark = 0;
		return 1;
	case '\'':
		if (!mv->has_mark) {
			tui_msg(t, TR_WARN, "no mark: m sets one");
		} else if (vma_of_addr(mv, mv->mark) != (size_t)-1) {
			if (mv->mark != mv->cur)
				push_back(mv);
			set_cursor(t, v, mv->mark);
		}
		return 1;
	case 'w':
		if (!mv->has_mark) {
			tui_msg(t, TR_WARN, "no mark: m sets one end of what w saves");
			return 1;
		}
		tui_ask(t, "save to: ", save_done);
		return 1;
	}
	return 0;
}

static void mem_free(struct tui_view *v)
{
	struct mem_view *mv = v->priv;
	if (!mv)
		return;
	crimg_mem_pattern_free(mv->pat);
	crimg_mem_close(mv->m);
	free(mv->vi);
	free(mv->first);
	free(mv);
}

static const char *const mem_help[] = {
	"  h l  Left Right byte back, forward (across VMAs)",
	"  j k  Up Down    row up, down        PgUp PgDn ^B ^F ^U ^D  pages",
	"  g G             first, last byte of the cursor's VMA",
	"  Home End        first, last byte of the whole map",
	"  { }             previous, next VMA",
	"  Enter p         follow the 8 bytes at the cursor as a pointer",
	"                  (the checkpoint's byte order; bytes shown as a link)",
	"  Backspace       back where the pointer, :goto or a search came from",
	"  i               which VMA and file the cursor's byte is in",
	"  m M             set the mark at the cursor, clear it",
	"  '               to the mark",
	"  w               save mark..cursor (both included) to a file",
	"  / ?             search bytes forward, back; n N again",
	"                  TEXT (literal, case-sensitive), s:TEXT, x:de ad be ef",
	"                  (hex bytes), re:REGEX (PCRE2); only saved pages",
	"  :goto ADDR      the cursor to ADDR",
	"  ..              bytes the checkpoint does not hold (never touched,",
	"                  or a file's page still as in the file)",
	NULL,
};

static const struct tui_view_ops mem_ops = {
	.name = "mem",
	.title = mem_title,
	.count = mem_count,
	.row = mem_row,
	.header = mem_header,
	.key = mem_key,
	.search = mem_search,
	.status = mem_status,
	.help = mem_help,
	.free = mem_free,
};

int tui_mem_has_memory(struct tui *t, uint32_t pid)
{
	char name[64];
	snprintf(name, sizeof(name), "mm-%u.img", pid);
	if (crimg_ckpt_has(t->c, name))
		return 1;
	snprintf(name, sizeof(name), "pagemap-%u.img", pid);
	return !crimg_ckpt_has(t->c, "pstree.img") && crimg_ckpt_has(t->c, name);
}

/* Opens the view of a task (shmem < 0) or of a shared object; the cursor
 * at addr when mapped, else NULL after tui_msg. */
static struct tui_view *open_view(struct tui *t, uint32_t pid, int64_t shmem, uint64_t addr,
				  int have_addr)
{
	struct mem_view *mv = calloc(1, sizeof(*mv));
	struct crimg_error err;
	struct tui_view *v = NULL;
	if (!mv)
		goto oom;
	mv->pid = pid;
	mv->shmem = shmem;
	mv->aw = 12;
	crimg_error_clear(&err);
	mv->m = shmem >= 0 ? crimg_mem_open_shmem(t->c, (uint64_t)shmem, NULL, &err)
			   : crimg_mem_open(t->c, pid, NULL, &err);
	if (!mv->m) {
		char e[280];
		tui_errstr(&err, e, sizeof(e));
		snprintf(mv->err, sizeof(mv->err), "no memory: %s", e);
		if (have_addr) { /* :goto stays where it was */
			tui_msg(t, TR_ERROR, "%s", mv->err);
			free(mv);
			return NULL;
		}
	} else {
		mv->nv = crimg_mem_vmas(mv->m, &mv->vmas);
		mv->vi = calloc(mv->nv + 1, sizeof(*mv->vi));
		mv->first = calloc(mv->nv + 1, sizeof(*mv->first));
		if (!mv->vi || !mv->first)
			goto oom;
		uint64_t row = 0;
		for (size_t i = 0; i < mv->nv; i++) {
			mv->saved += mv->vmas[i].dumped;
			if (!vma_len(&mv->vmas[i]))
				continue;
			if (addr_width(&mv->vmas[i]) > mv->aw)
				mv->aw = addr_width(&mv->vmas[i]);
			mv->vi[mv->n] = i;
			mv->first[mv->n++] = row;
			row += 1 + vma_rows(&mv->vmas[i]);
		}
		mv->first[mv->n] = row;
		if (have_addr && vma_of_addr(mv, addr) == (size_t)-1) {
			if (shmem >= 0)
				tui_msg(t, TR_ERROR,
					"offset 0x%" PRIx64 " is past shared object %" PRId64, addr,
					shmem);
			else
				tui_msg(t, TR_ERROR, "0x%" PRIx64 " is not mapped in pid %u", addr,
					pid);
			mem_free(&(struct tui_view){ .priv = mv });
			return NULL;
		}
		mv->cur = have_addr ? addr : mv->n ? lv(mv, 0)->start : 0;
	}
	v = tui_view_new(&mem_ops, mv, shmem >= 0 ? 0 : pid);
	if (!v)
		goto oom;
	if (mv->m && mv->n) {
		v->list_rows = t->rows > 4 ? t->rows - 3 : 1; /* until the first draw */
		scroll_to_cursor(t, v);
		/* the cursor's row a third down the screen, not at its foot */
		uint64_t third = (uint64_t)v->list_rows / 3;
		v->top = v->sel > third ? v->sel - third : 0;
	}
	return v;
oom:
	if (mv)
		mem_free(&(struct tui_view){ .priv = mv });
	tui_msg(t, TR_ERROR, "out of memory");
	return NULL;
}

struct tui_view *tui_view_mem(struct tui *t, uint32_t pid, uint64_t addr)
{
	return open_view(t, pid, -1, addr, addr != 0);
}

struct tui_view *tui_view_mem_shmem(struct tui *t, uint64_t id, uint64_t off)
{
	if (id > INT64_MAX) {
		tui_msg(t, TR_ERROR, "no shared object %" PRIu64, id);
		return NULL;
	}
	return open_view(t, 0, (int64_t)id, off, 1);
}
