/*
 * The diff engine's run: categories, path patterns, the current path and
 * group, and the one place differences go out (filtered and counted), plus
 * the two entry points.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff/diff_int.h"

static const char *const cat_names[CRIMG_DIFF_NCAT] = {
	"task",   "creds", "regs", "sigaction", "vma",    "fd",
	"socket", "mount", "ns",   "cgroup",    "memory", "image",
};

const char *crimg_diff_cat_name(unsigned cat)
{
	return cat < CRIMG_DIFF_NCAT ? cat_names[cat] : NULL;
}

int crimg_diff_cat_by_name(const char *name)
{
	for (unsigned i = 0; i < CRIMG_DIFF_NCAT; i++)
		if (strcmp(cat_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* '*' any text, '?' one character, the rest literally ('[' included: paths
 * are full of them).  *end gets each place a match of the whole pattern
 * can end; returns 1 when pat matches the whole of s. */
static int glob_at(const char *p, const char *s, const char *path, int prefix)
{
	while (*p) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			for (const char *t = s;; t++) {
				if (glob_at(p, t, path, prefix))
					return 1;
				if (!*t)
					return 0;
			}
		}
		if (!*s || (*p != '?' && *p != *s))
			return 0;
		p++;
		s++;
	}
	/* a match of a leading part counts where a component ends */
	return !*s || (prefix && s > path && (*s == '.' || *s == '['));
}

int crimg_diff_glob(const char *pat, const char *path)
{
	return glob_at(pat, path, path, 1);
}

int diff_init(struct diff *d, const struct crimg_diff_opts *o, crimg_diff_fn fn, void *arg,
	      struct crimg_diff_stats *st, struct crimg_error *err)
{
	static const struct crimg_diff_opts defaults;
	memset(d, 0, sizeof(*d));
	memset(st, 0, sizeof(*st));
	d->o = o ? o : &defaults;
	d->lim = d->o->limits ? d->o->limits : &crimg_default_limits;
	d->cats = d->o->cats ? d->o->cats : (1u << CRIMG_DIFF_NCAT) - 1;
	d->fn = fn;
	d->arg = arg;
	d->st = st;
	d->err = err;
	d->vo = crimg_out_new(-1, "diff");
	d->jc.oc = crimg_optcache_new();
	if (!d->vo || !d->jc.oc) {
		diff_fini(d);
		return crimg_fail(err, NULL, -1, -1, "out of memory");
	}
	jw_init(&d->jc.j, d->vo, 0);
	d->jc.pretty = 1;
	d->jc.bo = crimg_host_byte_order();
	d->page_size = d->o->page_size;
	if (!d->page_size) {
		long ps = sysconf(_SC_PAGESIZE);
		d->page_size = ps > 0 ? (unsigned)ps : 4096;
	}
	return 0;
}

void diff_fini(struct diff *d)
{
	crimg_out_free(d->vo);
	crimg_optcache_free(d->jc.oc);
	free(d->pairs);
	free(d->pid_map);
	d->pairs = NULL;
	d->pid_map = NULL;
	d->vo = NULL;
	d->jc.oc = NULL;
}

size_t dpath_push(struct diff *d, const char *fmt, ...)
{
	size_t mark = d->plen;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(d->path + d->plen, sizeof(d->path) - d->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		d->plen += (size_t)n < sizeof(d->path) - d->plen ? (size_t)n
								 : sizeof(d->path) - d->plen - 1;
	return mark;
}

void dgroup(struct diff *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->group, sizeof(d->group), fmt, ap);
	va_end(ap);
	d->rel = d->plen;
}

static int ignored(const struct diff *d, const char *path)
{
	for (size_t i = 0; i < d->o->n_ignore; i++)
		if (crimg_diff_glob(d->o->ignore[i], path))
			return 1;
	return 0;
}

int dskip(const struct diff *d, unsigned cat)
{
	return !(d->cats & (1u << cat)) || (d->plen && ignored(d, d->path));
}

int demit(struct diff *d, unsigned cat, enum crimg_diff_op op, char *before, char *after,
	  const struct crimg_diff_range *r)
{
	if (diff_done(d) || dskip(d, cat)) {
		free(before);
		free(after);
		return diff_done(d);
	}
	struct crimg_diff_item it = {
		.cat = cat,
		.op = op,
		.path = d->path,
		.group = d->group,
		.rel = d->rel < d->plen && d->path[d->rel] == '.' ? d->rel + 1 : d->rel,
		.before = before,
		.after = after,
		.range = r,
	};
	d->st->items[cat]++;
	d->st->total++;
	if (r) {
		d->st->mem_pages += r->pages;
		d->st->mem_bytes += r->bytes;
	}
	if (d->fn && d->fn(d->arg, &it))
		d->st->stopped = 1;
	free(before);
	free(after);
	return diff_done(d);
}

int demit_at(struct diff *d, unsigned cat, enum crimg_diff_op op, char *before, char *after,
	     const char *fmt, ...)
{
	size_t mark = d->plen;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(d->path + d->plen, sizeof(d->path) - d->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		d->plen += (size_t)n < sizeof(d->path) - d->plen ? (size_t)n
								 : sizeof(d->path) - d->plen - 1;
	int rc = demit(d, cat, op, before, after, NULL);
	dpath_pop(d, mark);
	return rc;
}

int diff_failed(struct diff *d, const void *a, const struct crimg_error *ea, const void *b,
		const struct crimg_error *eb)
{
	if (!a && !b && strstr(ea->msg, "no such image") && strstr(eb->msg, "no such image"))
		return 0;
	if (d->err)
		*d->err = a ? *eb : *ea;
	return -1;
}

/* The end of a run: -1 with err filled when it did not complete. */
static int finish(struct diff *d, int rc)
{
	if (rc == 0 && d->oom)
		rc = crimg_fail(d->err, NULL, -1, -1, "out of memory");
	diff_fini(d);
	return rc < 0 ? -1 : 0;
}

static int is_predump(struct crimg_ckpt *c)
{
	return !crimg_ckpt_has(c, "pstree.img");
}

/* A pre-dump has no process tree: only the memory of the pids both sides
 * have pagemaps for can be compared. */
static int diff_predump(struct diff *d)
{
	uint32_t *pa = NULL, *pb = NULL;
	size_t na = 0, nb = 0;
	int rc = -1;
	if (crimg_mem_tasks(d->ca, &pa, &na, d->err) < 0 ||
	    crimg_mem_tasks(d->cb, &pb, &nb, d->err) < 0)
		goto out;
	for (size_t i = 0; i < na && !diff_done(d); i++) {
		for (size_t j = 0; j < nb; j++) {
			if (pa[i] != pb[j])
				continue;
			size_t mark = dpath_push(d, "task[%u]", pa[i]);
			dgroup(d, "task %u", pa[i]);
			int k = diff_task_mem(d, pa[i], pb[j]);
			dpath_pop(d, mark);
			if (k < 0)
				goto out;
		}
	}
	rc = 0;
out:
	free(pa);
	free(pb);
	return rc;
}

static int diff_all_tasks(struct diff *d)
{
	if (diff_tasks(d) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < d->n_pairs && !diff_done(d) && rc == 0; i++) {
		const struct task_pair *p = &d->pairs[i];
		struct crimg_error e2;
		crimg_error_clear(&e2);
		const struct crimg_task_brief *br = crimg_task_brief(d->cb, p->b, &e2);
		size_t mark = p->a->pid == p->b->pid
			? dpath_push(d, "task[%u]", p->a->pid)
			: dpath_push(d, "task[%u->%u]", p->a->pid, p->b->pid);
		if (p->a->pid == p->b->pid)
			dgroup(d, "task %u %s", p->a->pid, br && br->comm ? br->comm : "?");
		else
			dgroup(d, "task %u -> %u %s", p->a->pid, p->b->pid,
			       br && br->comm ? br->comm : "?");
		rc = diff_task_core(d, p);
		if (rc == 0)
			rc = diff_task_vmas(d, p);
		if (rc == 0)
			rc = diff_task_fds(d, p);
		if (rc == 0)
			rc = diff_task_ns(d, p);
		if (rc == 0)
			rc = diff_task_cgroup(d, p);
		if (rc == 0 && !dskip(d, CRIMG_DIFF_MEMORY)) {
			const struct crimg_task_brief *ba = crimg_task_brief(d->ca, p->a, &e2);
			br = crimg_task_brief(d->cb, p->b, &e2);
			/* zombies have no memory */
			if (ba && br && ba->state != CRIMG_TASK_DEAD &&
			    br->state != CRIMG_TASK_DEAD && ba->state != CRIMG_TASK_ZOMBIE &&
			    br->state != CRIMG_TASK_ZOMBIE)
				rc = diff_task_mem(d, p->a->pid, p->b->pid);
		}
		dpath_pop(d, mark);
	}
	return rc;
}

int crimg_diff_ckpt(struct crimg_ckpt *a, struct crimg_ckpt *b, const struct crimg_diff_opts *o,
		    crimg_diff_fn fn, void *arg, struct crimg_diff_stats *st,
		    struct crimg_error *err)
{
	struct diff d;
	if (diff_init(&d, o, fn, arg, st, err) < 0)
		return -1;
	d.ca = a;
	d.cb = b;
	st->predump_a = is_predump(a);
	st->predump_b = is_predump(b);
	int rc;
	if (st->predump_a || st->predump_b) {
		rc = diff_predump(&d);
	} else {
		rc = diff_all_tasks(&d);
		if (rc == 0 && !diff_done(&d))
			rc = diff_mounts(&d);
		if (rc == 0 && !diff_done(&d) && !dskip(&d, CRIMG_DIFF_MEMORY))
			rc = diff_shmem(&d);
	}
	if (rc == 0 && !diff_done(&d))
		rc = diff_other_images(&d);
	return finish(&d, rc);
}

int crimg_diff_image(const char *name_a, const uint8_t *a, size_t alen, const char *name_b,
		     const uint8_t *b, size_t blen, const struct crimg_diff_opts *o,
		     crimg_diff_fn fn, void *arg, struct crimg_diff_stats *st,
		     struct crimg_error *err)
{
	struct diff d;
	if (diff_init(&d, o, fn, arg, st, err) < 0)
		return -1;
	const char *base = strrchr(name_a, '/');
	base = base ? base + 1 : name_a;
	dpath_push(&d, "%s", base);
	dgroup(&d, "image %s", base);
	int rc = diff_image_pair(&d, CRIMG_DIFF_IMAGE, name_a, a, alen, name_b, b, blen, NULL);
	return finish(&d, rc);
}
