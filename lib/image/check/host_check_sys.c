/*
 * Part 2, three facts of the host system: the sources of the checkpoint's
 * bind mounts (catalogue row 14), the cgroup controllers cgroup.img names
 * (row 24) and the HWCAP words of the saved auxv (rows 31 and 33: bits the
 * tasks were started with and may use).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check/host_check.h"
#include "cgroup.pb-c.h"

/* ---- bind mount sources ---- */

static int has_opt_key(const struct crimg_check_opts *o, const char *key)
{
	for (size_t i = 0; o && i < o->n_ext_mount_keys; i++)
		if (o->ext_mount_keys[i] && !strcmp(o->ext_mount_keys[i], key))
			return 1;
	return 0;
}

int hc_bind_sources(struct hc *x)
{
	const struct crimg_host *h = x->h;
	const struct crimg_mounts *ns;
	size_t nns = 0;
	struct crimg_error e;
	if (!h->bind_sources_known || crimg_ckpt_mounts(x->c, &ns, &nns, &e) < 0)
		return 0;
	for (size_t i = 0; i < nns; i++) {
		char img[40];
		snprintf(img, sizeof(img), "mountpoints-%u.img", ns[i].mnt_ns);
		for (size_t j = 0; j < ns[i].n; j++) {
			const struct crimg_mount *m = &ns[i].mounts[j];
			const char *src = host_bind_source_of(m);
			const char *key = hc_str(m->msg, "ext_key");
			int ext = key && *key;
			if (!src)
				continue;
			/* without --ext-mount-map auto, ext-mount says it first */
			if (ext && !has_opt_key(x->o, "auto"))
				continue;
			const struct host_path *p = host_bind_source(h, src);
			if (!p || p->exists != 0)
				continue;
			const char *mp = m->mountpoint ? m->mountpoint : "?";
			if (hc_add(x, R_BIND_SOURCE_MISSING, -1, img, (int64_t)j, "source", src,
				   "missing",
				   ext ? "mount %s is bound from the host path %s, which does not exist on the host"
				       : "mount %s is mounted from the device %s, which does not exist on the host",
				   mp, src) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- cgroup controllers ---- */

/* A controller name of cgroup.img: not "" (v2's), not a named v1
 * hierarchy ("name=systemd"), which the cgroup path check covers. */
static int is_controller(const char *s, size_t n)
{
	return n && !(n >= 5 && !strncmp(s, "name=", 5));
}

static int host_has_ctl(const struct crimg_host *h, const char *s, size_t n)
{
	for (size_t i = 0; i < h->n_cgroup_controllers; i++)
		if (strlen(h->cgroup_controllers[i]) == n &&
		    !strncmp(h->cgroup_controllers[i], s, n))
			return 1;
	return 0;
}

struct ctl_seen {
	char **v;
	size_t n;
};

/* 1 when name was already reported, else records it: 0, -1 out of memory. */
static int seen_ctl(struct ctl_seen *s, const char *name, size_t n)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == n && !strncmp(s->v[i], name, n))
			return 1;
	char **v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v)
		return -1;
	s->v = v;
	if (!(v[s->n] = strndup(name, n)))
		return -1;
	s->n++;
	return 0;
}

/* Each controller of list ("cpu,cpuacct") the host lacks, once. */
static int ctl_list(struct hc *x, struct ctl_seen *seen, const char *list, const char *field)
{
	const struct crimg_host *h = x->h;
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ",");
		if (is_controller(p, n) && !host_has_ctl(h, p, n)) {
			int r = seen_ctl(seen, p, n);
			if (r < 0)
				return x->oom = 1, -1;
			if (!r) {
				char name[64];
				snprintf(name, sizeof(name), "%.*s", (int)(n < 63 ? n : 63), p);
				if (hc_add(x, R_CGROUP_MISSING, CRIMG_CHECK_MAY_FAIL, "cgroup.img",
					   0, field, name, "not enabled",
					   "the tree was in cgroups of the %s controller, which the host has not enabled (cgroup v%d)",
					   name, h->cgroup_version ? h->cgroup_version : 1) < 0)
					return -1;
			}
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

int hc_cgroup_controllers(struct hc *x)
{
	struct crimg_error e;
	struct ctl_seen seen = { 0 };
	int rc = 0;
	char field[80];
	if (!x->h->cgroup_controllers_known)
		return 0;
	const struct crimg_cgroups *cg = crimg_ckpt_cgroups(x->c, &e);
	if (!cg)
		return 0;
	for (size_t i = 0; i < cg->n_sets && !rc; i++) {
		const struct crimg_cgroup_set *s = &cg->sets[i];
		for (size_t m = 0; m < s->n_members && !rc; m++) {
			snprintf(field, sizeof(field), "sets[id %u].ctls[%zu].name", s->id, m);
			rc = ctl_list(x, &seen, s->members[m].controllers, field);
		}
	}
	const CgroupEntry *ce = cg->msg && cg->msg->descriptor == &cgroup_entry__descriptor
		? (const CgroupEntry *)cg->msg
		: NULL;
	for (size_t i = 0; ce && i < ce->n_controllers && !rc; i++) {
		const CgControllerEntry *c = ce->controllers[i];
		for (size_t j = 0; c && j < c->n_cnames && !rc; j++) {
			snprintf(field, sizeof(field), "controllers[%zu].cnames[%zu]", i, j);
			rc = ctl_list(x, &seen, c->cnames[j], field);
		}
	}
	for (size_t i = 0; i < seen.n; i++)
		free(seen.v[i]);
	free(seen.v);
	return rc;
}

/* ---- the saved auxv's HWCAP words ---- */

#define AUXV_AT_NULL 0
#define AUXV_AT_HWCAP 16
#define AUXV_AT_HWCAP2 26

int hc_hwcap(struct hc *x)
{
	const struct crimg_host *h = x->h;
	int done[2] = { 0, 0 };
	if (!h->hwcap_known || !h->arch || !*h->arch || !x->tree->n_tasks)
		return 0;
	struct crimg_error e;
	const struct crimg_task_core *core = crimg_task_core(x->c, &x->tree->tasks[0], &e);
	if (!core || !core->arch || strcmp(hc_norm_arch(core->arch), hc_norm_arch(h->arch)))
		return 0; /* another architecture: its bits mean other things */
	for (size_t i = 0; i < x->tree->n_tasks && !(done[0] && done[1]); i++) {
		const struct crimg_task *t = &x->tree->tasks[i];
		const struct crimg_task_mm *mm = crimg_task_mm(x->c, t, &e);
		if (!mm || !mm->auxv)
			continue;
		for (size_t k = 0; k + 1 < mm->n_auxv; k += 2) {
			uint64_t type = mm->auxv[k], val = mm->auxv[k + 1];
			if (type == AUXV_AT_NULL)
				break;
			if (type != AUXV_AT_HWCAP && type != AUXV_AT_HWCAP2)
				continue;
			int w = type == AUXV_AT_HWCAP2;
			uint64_t hv = w ? h->hwcap2 : h->hwcap;
			uint64_t lack = val & ~hv;
			if (done[w] || !lack)
				continue;
			done[w] = 1;
			char img[40], field[48], v[24], hs[24];
			snprintf(img, sizeof(img), "mm-%u.img", t->pid);
			snprintf(field, sizeof(field), "mm_saved_auxv[%zu]", k + 1);
			snprintf(v, sizeof(v), "0x%llx", (unsigned long long)val);
			snprintf(hs, sizeof(hs), "0x%llx", (unsigned long long)hv);
			if (hc_add(x, R_CPU_FEATURES, CRIMG_CHECK_MAY_FAIL, img, 0, field, v, hs,
				   "pid %u (%s) started with %s bits 0x%llx that the host lacks: the program may use them",
				   t->pid, hc_comm(x, t), w ? "AT_HWCAP2" : "AT_HWCAP",
				   (unsigned long long)lack) < 0)
				return -1;
		}
	}
	return 0;
}
