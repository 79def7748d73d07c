/*
 * What surrounds the tasks: each task's namespaces and cgroups, and the
 * mounts of the dump (matched by mount point: mount ids are the kernel's
 * and differ between any two dumps).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff_int.h"

static char *ns_value(struct diff *d, const struct crimg_namespace *n)
{
	return dv_strf(d, "%u%s%s", n->id, n->image ? " " : "", n->image ? n->image : "");
}

int diff_task_ns(struct diff *d, const struct task_pair *p)
{
	if (diff_zombie(d->ca, p->a) || diff_zombie(d->cb, p->b) || dskip(d, CRIMG_DIFF_NS))
		return 0;
	struct crimg_namespace a[8], b[8];
	struct crimg_error ea, eb;
	crimg_error_clear(&ea);
	crimg_error_clear(&eb);
	int ka = crimg_task_namespaces(d->ca, p->a, a, &ea);
	int kb = crimg_task_namespaces(d->cb, p->b, b, &eb);
	if (ka < 0 || kb < 0)
		return diff_failed(d, ka < 0 ? NULL : a, &ea, kb < 0 ? NULL : b, &eb);
	for (int i = 0; i < 8 && !diff_done(d); i++) {
		if (a[i].id == b[i].id && !a[i].image == !b[i].image)
			continue;
		demit_at(d, CRIMG_DIFF_NS, CRIMG_DIFF_CHANGED, ns_value(d, &a[i]),
			 ns_value(d, &b[i]), ".ns.%s", a[i].kind);
	}
	return 0;
}

/* ---- cgroups ---- */

static const struct crimg_cgroup_set *set_of(struct crimg_ckpt *c, const struct crimg_task *t,
					     struct crimg_error *err, int *failed)
{
	*failed = 0;
	if (!crimg_ckpt_has(c, "cgroup.img") || !crimg_ckpt_has(c, "pstree.img"))
		return NULL;
	const struct crimg_task_core *core = crimg_task_core(c, t, err);
	const struct crimg_cgroups *cg = core ? crimg_ckpt_cgroups(c, err) : NULL;
	if (!core || !cg) {
		*failed = 1;
		return NULL;
	}
	return crimg_cgroups_find_set(cg, core->cg_set);
}

static const char *member_path(const struct crimg_cgroup_set *s, const char *ctl)
{
	for (size_t i = 0; s && i < s->n_members; i++)
		if (strcmp(s->members[i].controllers, ctl) == 0)
			return s->members[i].path;
	return NULL;
}

static int cgroup_side(struct diff *d, const struct crimg_cgroup_set *x,
		       const struct crimg_cgroup_set *y, int x_is_a)
{
	for (size_t i = 0; x && i < x->n_members && !diff_done(d); i++) {
		const char *ctl = x->members[i].controllers;
		const char *px = x->members[i].path, *py = member_path(y, ctl);
		if (py && (!x_is_a || strcmp(px, py) == 0))
			continue; /* same, or seen from A's side already */
		char *vx = dv_str(d, px), *vy = py ? dv_str(d, py) : NULL;
		enum crimg_diff_op op = py ? CRIMG_DIFF_CHANGED
			: x_is_a           ? CRIMG_DIFF_REMOVED
					   : CRIMG_DIFF_ADDED;
		demit_at(d, CRIMG_DIFF_CGROUP, op, x_is_a ? vx : vy, x_is_a ? vy : vx,
			 ".cgroup[%s]", *ctl ? ctl : "unified");
	}
	return diff_done(d);
}

int diff_task_cgroup(struct diff *d, const struct task_pair *p)
{
	if (dskip(d, CRIMG_DIFF_CGROUP))
		return 0;
	int fa, fb;
	const struct crimg_cgroup_set *a = set_of(d->ca, p->a, d->err, &fa);
	if (fa)
		return -1;
	const struct crimg_cgroup_set *b = set_of(d->cb, p->b, d->err, &fb);
	if (fb)
		return -1;
	cgroup_side(d, a, b, 1);
	cgroup_side(d, b, a, 0);
	return 0;
}

/* ---- mounts ---- */

static const char *const mnt_skip[] = {
	"mnt_id", "parent_mnt_id", "shared_id", "master_id", NULL,
};

struct mkey {
	const struct crimg_mount *m;
	unsigned nth; /* 0 for the first mount on its mount point */
};

static int cmp_mkey(const void *x, const void *y)
{
	const struct mkey *a = x, *b = y;
	int c = strcmp(a->m->mountpoint ? a->m->mountpoint : "",
		       b->m->mountpoint ? b->m->mountpoint : "");
	if (c)
		return c;
	return a->nth < b->nth ? -1 : a->nth > b->nth;
}

/* The mounts of ns by mount point, those mounted over one another
 * numbered in the order the dump lists them. */
static struct mkey *mount_keys(const struct crimg_mounts *ns)
{
	struct mkey *v = malloc((ns->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < ns->n; i++) {
		v[i].m = &ns->mounts[i];
		v[i].nth = 0;
		for (size_t j = 0; j < i; j++)
			if (strcmp(ns->mounts[j].mountpoint ? ns->mounts[j].mountpoint : "",
				   ns->mounts[i].mountpoint ? ns->mounts[i].mountpoint : "") == 0)
				v[i].nth++;
	}
	qsort(v, ns->n, sizeof(*v), cmp_mkey);
	return v;
}

static char *mount_value(struct diff *d, const struct crimg_mount *m)
{
	return dv_strf(d, "%s %s on %s (%s)", m->fstype_name ? m->fstype_name : "?",
		       m->source ? m->source : "?", m->mountpoint ? m->mountpoint : "?",
		       m->options ? m->options : "");
}

static int diff_mount_ns(struct diff *d, const struct crimg_mounts *a, const struct crimg_mounts *b)
{
	struct mkey *ka = mount_keys(a), *kb = mount_keys(b);
	if (!ka || !kb) {
		free(ka);
		free(kb);
		return crimg_fail(d->err, NULL, -1, -1, "out of memory");
	}
	size_t i = 0, j = 0;
	while ((i < a->n || j < b->n) && !diff_done(d)) {
		int c = i == a->n ? 1 : j == b->n ? -1 : cmp_mkey(&ka[i], &kb[j]);
		const struct mkey *k = c <= 0 ? &ka[i] : &kb[j];
		size_t mark = k->nth ? dpath_push(d, ".mount[%s#%u]", k->m->mountpoint, k->nth + 1)
				     : dpath_push(d, ".mount[%s]", k->m->mountpoint);
		if (c == 0)
			dmsg(d, CRIMG_DIFF_MOUNT, ka[i].m->msg, kb[j].m->msg, mnt_skip);
		else
			demit(d, CRIMG_DIFF_MOUNT, c < 0 ? CRIMG_DIFF_REMOVED : CRIMG_DIFF_ADDED,
			      c < 0 ? mount_value(d, k->m) : NULL,
			      c < 0 ? NULL : mount_value(d, k->m), NULL);
		dpath_pop(d, mark);
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	free(ka);
	free(kb);
	return 0;
}

int diff_mounts(struct diff *d)
{
	if (dskip(d, CRIMG_DIFF_MOUNT))
		return 0;
	const struct crimg_mounts *a, *b;
	size_t na, nb;
	if (crimg_ckpt_mounts(d->ca, &a, &na, d->err) < 0 ||
	    crimg_ckpt_mounts(d->cb, &b, &nb, d->err) < 0)
		return -1;
	/* namespaces by id; a lone one on each side pairs whatever its id */
	int lone = na == 1 && nb == 1;
	int rc = 0;
	for (size_t i = 0; i < na && rc == 0 && !diff_done(d); i++) {
		const struct crimg_mounts *y = NULL;
		for (size_t j = 0; j < nb && !y; j++)
			if (lone || b[j].mnt_ns == a[i].mnt_ns)
				y = &b[j];
		size_t mark = dpath_push(d, "mntns[%u]", a[i].mnt_ns);
		dgroup(d, "mount namespace %u", a[i].mnt_ns);
		if (y) {
			rc = diff_mount_ns(d, &a[i], y);
		} else {
			char *v = dv_strf(d, "%zu mounts", a[i].n);
			demit(d, CRIMG_DIFF_MOUNT, CRIMG_DIFF_REMOVED, v, NULL, NULL);
		}
		dpath_pop(d, mark);
	}
	for (size_t j = 0; j < nb && rc == 0 && !diff_done(d) && !lone; j++) {
		int found = 0;
		for (size_t i = 0; i < na && !found; i++)
			found = b[j].mnt_ns == a[i].mnt_ns;
		if (found)
			continue;
		size_t mark = dpath_push(d, "mntns[%u]", b[j].mnt_ns);
		dgroup(d, "mount namespace %u", b[j].mnt_ns);
		char *v = dv_strf(d, "%zu mounts", b[j].n);
		demit(d, CRIMG_DIFF_MOUNT, CRIMG_DIFF_ADDED, NULL, v, NULL);
		dpath_pop(d, mark);
	}
	return rc;
}
