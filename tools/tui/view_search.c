/*
 * `:search TEXT`: every task's memory searched for TEXT (the memory view's
 * pattern syntax), then the shared memory objects no task maps; a shared
 * object several tasks map is searched once, through the first of them.
 * The hits are listed (at most MAX_HITS); Enter opens the memory view at
 * one with the cursor on it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mem_view.h"

#define MAX_HITS 1000
#define CTX_BEFORE 8
#define CTX_AFTER 40
#define MATCH_KEEP 64 /* bytes of a long match kept for its preview */

struct hit {
	uint32_t pid;  /* 0: a shared object */
	int64_t shmem; /* the object, for pid 0 */
	uint64_t addr, len;
	char *vma; /* the VMA's name, or the error for an error row */
	int error; /* a row that says why a task could not be searched */
	uint8_t bytes[CTX_BEFORE + MATCH_KEEP + CTX_AFTER];
	uint8_t before, match, after; /* what bytes holds */
};

struct claim {
	int64_t shmem;
	uint32_t pid;
};

struct search_view {
	char text[256];
	struct hit *h;
	size_t n, cap;
	size_t found, errors; /* hits, and tasks or objects that failed */
	size_t tasks;         /* tasks searched */
	size_t objects;       /* shared objects searched on their own */
	int stopped;          /* MAX_HITS reached */
	struct claim *claims; /* which task searches each shared object */
	size_t nclaims;
	/* while searching one task */
	uint32_t pid;
	int64_t shmem;
};

static struct hit *new_hit(struct search_view *sv)
{
	if (sv->n == sv->cap) {
		size_t nc = sv->cap ? sv->cap * 2 : 32;
		struct hit *nh = realloc(sv->h, nc * sizeof(*nh));
		if (!nh)
			return NULL;
		sv->h = nh;
		sv->cap = nc;
	}
	struct hit *h = &sv->h[sv->n++];
	memset(h, 0, sizeof(*h));
	return h;
}

static void add_error(struct search_view *sv, uint32_t pid, int64_t shmem,
		      const struct crimg_error *err)
{
	char e[400];
	struct hit *h = new_hit(sv);
	if (!h)
		return;
	tui_errstr(err, e, sizeof(e));
	h->pid = pid;
	h->shmem = shmem;
	h->error = 1;
	h->vma = strdup(e);
	sv->errors++;
}

/* The task that searches shared object id: the first one mapping it. */
static uint32_t claim(struct search_view *sv, int64_t id, uint32_t pid)
{
	for (size_t i = 0; i < sv->nclaims; i++)
		if (sv->claims[i].shmem == id)
			return sv->claims[i].pid;
	struct claim *nc = realloc(sv->claims, (sv->nclaims + 1) * sizeof(*nc));
	if (!nc)
		return pid;
	sv->claims = nc;
	sv->claims[sv->nclaims++] = (struct claim){ id, pid };
	return pid;
}

static int on_match(void *arg, const struct crimg_mem_match *mt)
{
	struct search_view *sv = arg;
	if (sv->pid && mt->vma->shmem >= 0 && claim(sv, mt->vma->shmem, sv->pid) != sv->pid)
		return 0; /* another task's search lists it */
	if (sv->found >= MAX_HITS) {
		sv->stopped = 1;
		return 1;
	}
	struct hit *h = new_hit(sv);
	if (!h)
		return 1;
	h->pid = sv->pid;
	h->shmem = sv->shmem;
	h->addr = mt->addr;
	h->len = mt->len;
	h->vma = strdup(mt->vma->name);
	size_t b = mt->before < CTX_BEFORE ? mt->before : CTX_BEFORE;
	size_t m = mt->len < MATCH_KEEP ? (size_t)mt->len : MATCH_KEEP;
	size_t a = mt->len <= MATCH_KEEP ? (mt->after < CTX_AFTER ? mt->after : CTX_AFTER) : 0;
	memcpy(h->bytes, mt->bytes + mt->before - b, b + m);
	memcpy(h->bytes + b + m, mt->bytes + mt->before + mt->len, a);
	h->before = (uint8_t)b;
	h->match = (uint8_t)m;
	h->after = (uint8_t)a;
	sv->found++;
	return 0;
}

static void search_one(struct search_view *sv, struct crimg_mem *m,
		       const struct crimg_mem_pattern *p)
{
	struct crimg_error err;
	struct crimg_mem_search_opts o = { .context = CTX_AFTER };
	crimg_error_clear(&err);
	if (sv->pid) {
		/* the shared objects it maps that no task before it does */
		const struct crimg_mem_vma *v;
		size_t n = crimg_mem_vmas(m, &v);
		for (size_t i = 0; i < n; i++)
			if (v[i].shmem >= 0)
				claim(sv, v[i].shmem, sv->pid);
	}
	if (crimg_mem_search(m, p, &o, on_match, sv, &err) < 0)
		add_error(sv, sv->pid, sv->shmem, &err);
}

static void run(struct tui *t, struct search_view *sv, const struct crimg_mem_pattern *p)
{
	struct crimg_error err;
	uint32_t *pids = NULL;
	size_t npids = 0, nsh = 0;
	struct crimg_shmem_info *sh = NULL;
	crimg_error_clear(&err);
	if (crimg_mem_tasks(t->c, &pids, &npids, &err) < 0) {
		add_error(sv, 0, -1, &err);
		npids = 0;
	}
	for (size_t i = 0; i < npids && !sv->stopped; i++) {
		if (!tui_mem_has_memory(t, pids[i]))
			continue; /* a zombie */
		crimg_error_clear(&err);
		struct crimg_mem *m = crimg_mem_open(t->c, pids[i], NULL, &err);
		sv->pid = pids[i];
		sv->shmem = -1;
		if (!m) {
			add_error(sv, pids[i], -1, &err);
			continue;
		}
		sv->tasks++;
		search_one(sv, m, p);
		crimg_mem_close(m);
	}
	free(pids);
	/* then the objects no task maps: SysV segments, memfds only held open */
	crimg_error_clear(&err);
	if (crimg_mem_shmem_list(t->c, NULL, &sh, &nsh, &err) < 0) {
		add_error(sv, 0, -1, &err);
		nsh = 0;
	}
	for (size_t i = 0; i < nsh && !sv->stopped; i++) {
		int done = sh[i].mapped_by > 0;
		for (size_t k = 0; k < sv->nclaims && !done; k++)
			done = sv->claims[k].shmem == (int64_t)sh[i].id;
		if (done || sh[i].id > INT64_MAX)
			continue;
		crimg_error_clear(&err);
		struct crimg_mem *m = crimg_mem_open_shmem(t->c, sh[i].id, NULL, &err);
		sv->pid = 0;
		sv->shmem = (int64_t)sh[i].id;
		if (!m) {
			add_error(sv, 0, sv->shmem, &err);
			continue;
		}
		sv->objects++;
		search_one(sv, m, p);
		crimg_mem_close(m);
	}
	free(sh);
}

static size_t search_count(struct tui *t, struct tui_view *v)
{
	struct search_view *sv = v->priv;
	return sv->n ? sv->n : 1;
}

static void search_header(struct tui *t, struct tui_view *v, struct tui_row *r)
{
	tui_row_add(r, TR_HEADER, "    PID  ADDRESS           VMA                 FOUND");
}

static void who(struct tui_row *r, const struct hit *h)
{
	if (h->pid)
		tui_row_add(r, TR_ADDR, "%7u  ", h->pid);
	else if (h->shmem >= 0)
		tui_row_add(r, TR_ADDR, "shm:%-3" PRId64 "  ", h->shmem);
	else
		tui_row_add(r, TR_ADDR, "      -  ");
}

static void preview(struct tui_row *r, const uint8_t *p, size_t n, int role)
{
	for (size_t i = 0; i < n; i++) {
		int pr = p[i] >= 0x20 && p[i] < 0x7f;
		tui_row_add(r, pr ? role : (role == TR_MATCH ? TR_MATCH : TR_DIM), "%c",
			    pr ? (char)p[i] : '.');
	}
}

static void search_row(struct tui *t, struct tui_view *v, size_t i, struct tui_row *r)
{
	struct search_view *sv = v->priv;
	if (!sv->n) {
		tui_row_add(r, TR_DIM, "no match in the memory the checkpoint holds");
		return;
	}
	const struct hit *h = &sv->h[i];
	who(r, h);
	if (h->error) {
		tui_row_add(r, TR_ERROR, "not searched: %s", h->vma ? h->vma : "out of memory");
		return;
	}
	tui_row_add(r, TR_ADDR, "%016" PRIx64 "  ", h->addr);
	const char *name = h->vma && h->vma[0] ? h->vma : "anonymous";
	size_t nl = strlen(name);
	int c0 = r->n;
	if (nl > 18) { /* the end of a path says most */
		tui_row_add(r, TR_ACCENT, "..");
		tui_row_addn(r, TR_ACCENT, name + nl - 16, 16);
	} else {
		tui_row_addn(r, h->vma && h->vma[0] ? TR_ACCENT : TR_DIM, name, nl);
	}
	tui_row_pad(r, c0 + 20);
	preview(r, h->bytes, h->before, TR_DIM);
	preview(r, h->bytes + h->before, h->match, TR_MATCH);
	if (h->match < h->len)
		tui_row_add(r, TR_DIM, "...");
	preview(r, h->bytes + h->before + h->match, h->after, TR_DIM);
}

static void search_title(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct search_view *sv = v->priv;
	v->pid = sv->n && !sv->h[v->sel].error ? sv->h[v->sel].pid : 0;
	size_t o = (size_t)snprintf(buf, n, "search \"%s\": %s%zu hit%s (%zu task%s", sv->text,
				    sv->stopped ? "the first " : "", sv->found,
				    sv->found == 1 ? "" : "s", sv->tasks,
				    sv->tasks == 1 ? "" : "s");
	if (sv->objects && o < n)
		o += (size_t)snprintf(buf + o, n - o, ", %zu shared object%s", sv->objects,
				      sv->objects == 1 ? "" : "s");
	if (sv->errors && o < n)
		o += (size_t)snprintf(buf + o, n - o, "; %zu not searched", sv->errors);
	if (o < n)
		snprintf(buf + o, n - o, ")");
}

static void search_status(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct search_view *sv = v->priv;
	if (!sv->n)
		return;
	snprintf(buf, n, "%zu/%zu  Enter: the memory at the hit%s", v->sel + 1, sv->n,
		 sv->stopped ? "  (stopped at 1000 hits)" : "");
}

static void search_enter(struct tui *t, struct tui_view *v, size_t sel)
{
	struct search_view *sv = v->priv;
	if (!sv->n)
		return;
	const struct hit *h = &sv->h[sel];
	if (h->error) {
		tui_msg(t, TR_ERROR, "not searched: %s", h->vma ? h->vma : "");
		return;
	}
	struct tui_view *mv = h->pid ? tui_view_mem(t, h->pid, h->addr)
				     : tui_view_mem_shmem(t, (uint64_t)h->shmem, h->addr);
	if (!mv)
		return;
	tui_mem_show_hit(mv, h->addr, h->len);
	tui_push(t, mv);
}

static void search_free(struct tui_view *v)
{
	struct search_view *sv = v->priv;
	if (!sv)
		return;
	for (size_t i = 0; i < sv->n; i++)
		free(sv->h[i].vma);
	free(sv->h);
	free(sv->claims);
	free(sv);
}

static const char *const search_help[] = {
	"  Enter           the memory view at the hit, cursor on it",
	"  :search TEXT    TEXT (literal), s:TEXT, x:de ad be ef (hex bytes),",
	"                  re:REGEX (PCRE2); pages not saved are not searched",
	NULL,
};

static const struct tui_view_ops search_ops = {
	.name = "search",
	.title = search_title,
	.count = search_count,
	.row = search_row,
	.header = search_header,
	.enter = search_enter,
	.status = search_status,
	.help = search_help,
	.free = search_free,
};

struct tui_view *tui_view_search(struct tui *t, const char *text)
{
	char e[300];
	struct crimg_mem_pattern *p = tui_mem_pattern(text, e, sizeof(e));
	if (!p) {
		tui_msg(t, TR_ERROR, "%s", e);
		return NULL;
	}
	struct search_view *sv = calloc(1, sizeof(*sv));
	if (!sv) {
		crimg_mem_pattern_free(p);
		tui_msg(t, TR_ERROR, "out of memory");
		return NULL;
	}
	snprintf(sv->text, sizeof(sv->text), "%s", text);
	run(t, sv, p);
	crimg_mem_pattern_free(p);
	struct tui_view *v = tui_view_new(&search_ops, sv, 0);
	if (!v) {
		search_free(&(struct tui_view){ .priv = sv });
		tui_msg(t, TR_ERROR, "out of memory");
		return NULL;
	}
	if (sv->stopped)
		tui_msg(t, TR_WARN, "stopped at %d hits", MAX_HITS);
	else if (!sv->found && !sv->errors)
		tui_msg(t, TR_WARN, "no match for %s", text);
	return v;
}
