/*
 * The checkpoint around the tasks: mounts (mountpoints-N.img per mount
 * namespace), cgroups (cgroup.img), namespaces (from each task's ids and
 * the images that describe them), host names (utsns-N.img) and CRIU's
 * dump statistics (stats-dump).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.pb-c.h"
#include "mnt.pb-c.h"
#include "stats.pb-c.h"
#include "utsns.pb-c.h"

#include "model/model_int.h"

/* ---- mounts ---- */

static const char *fstype_name(unsigned t)
{
	static const char *const names[] = {
		[FSTYPE__UNSUPPORTED] = "unsupported",
		[FSTYPE__PROC] = "proc",
		[FSTYPE__SYSFS] = "sysfs",
		[FSTYPE__DEVTMPFS] = "devtmpfs",
		[FSTYPE__BINFMT_MISC] = "binfmt_misc",
		[FSTYPE__TMPFS] = "tmpfs",
		[FSTYPE__DEVPTS] = "devpts",
		[FSTYPE__SIMFS] = "simfs",
		[FSTYPE__PSTORE] = "pstore",
		[FSTYPE__SECURITYFS] = "securityfs",
		[FSTYPE__FUSECTL] = "fusectl",
		[FSTYPE__DEBUGFS] = "debugfs",
		[FSTYPE__CGROUP] = "cgroup",
		[FSTYPE__AUFS] = "aufs",
		[FSTYPE__MQUEUE] = "mqueue",
		[FSTYPE__FUSE] = "fuse",
		[FSTYPE__AUTO] = "auto",
		[FSTYPE__OVERLAYFS] = "overlay",
		[FSTYPE__AUTOFS] = "autofs",
		[FSTYPE__TRACEFS] = "tracefs",
		[FSTYPE__CGROUP2] = "cgroup2",
	};
	return t < sizeof(names) / sizeof(names[0]) && names[t] ? names[t] : "unknown";
}

static int load_mounts(struct crimg_ckpt *c, struct crimg_model *m, struct crimg_error *err)
{
	const char *const *names;
	size_t n = crimg_ckpt_images(c, &names), cnt = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(names[i], "mountpoints-", 12) == 0)
			cnt++;
	m->mounts = model_alloc(m, (cnt ? cnt : 1) * sizeof(*m->mounts));
	if (!m->mounts)
		return model_oom(err, "mountpoints");
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned ns;
		char tail[8];
		if (sscanf(names[i], "mountpoints-%u.im%1s", &ns, tail) != 2)
			continue;
		const struct crimg_entries *e = crimg_ckpt_entries(c, names[i], err);
		if (!e)
			return -1;
		struct crimg_mount *v = model_alloc(m, (e->n ? e->n : 1) * sizeof(*v));
		if (!v)
			return model_oom(err, names[i]);
		for (size_t j = 0; j < e->n; j++) {
			if (e->msgs[j]->descriptor != &mnt_entry__descriptor)
				return crimg_fail(err, names[i], -1, (int64_t)j, "not a mnt_entry");
			const MntEntry *me = (const MntEntry *)e->msgs[j];
			struct crimg_mount *o = &v[j];
			o->mnt_id = me->mnt_id;
			o->parent_mnt_id = me->parent_mnt_id;
			o->fstype = me->fstype;
			o->fstype_name = me->fsname && *me->fsname ? me->fsname
								   : fstype_name(me->fstype);
			o->root_dev = me->root_dev;
			o->flags = me->flags;
			o->sb_flags = me->has_sb_flags ? me->sb_flags : 0;
			o->root = me->root;
			o->mountpoint = me->mountpoint;
			o->source = me->source;
			o->options = me->options;
			o->has_shared_id = me->has_shared_id;
			o->shared_id = me->shared_id;
			o->has_master_id = me->has_master_id;
			o->master_id = me->master_id;
			o->external = me->has_ext_mount && me->ext_mount;
			o->msg = &me->base;
		}
		m->mounts[k].mnt_ns = ns;
		m->mounts[k].mounts = v;
		m->mounts[k].n = e->n;
		k++;
	}
	/* by namespace number: names sort as text ("mountpoints-13" < "-5") */
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && m->mounts[j - 1].mnt_ns > m->mounts[j].mnt_ns; j--) {
			struct crimg_mounts t = m->mounts[j];
			m->mounts[j] = m->mounts[j - 1];
			m->mounts[j - 1] = t;
		}
	m->n_mounts = k;
	return 0;
}

int crimg_ckpt_mounts(struct crimg_ckpt *c, const struct crimg_mounts **ns, size_t *n,
		      struct crimg_error *err)
{
	struct crimg_model *m = model_get(c, err);
	if (!m)
		return -1;
	if (!m->have_mounts) {
		if (load_mounts(c, m, err) < 0)
			return -1;
		m->have_mounts = 1;
	}
	*ns = m->mounts;
	*n = m->n_mounts;
	return 0;
}

/* ---- cgroups ---- */

const struct crimg_cgroups *crimg_ckpt_cgroups(struct crimg_ckpt *c, struct crimg_error *err)
{
	struct crimg_model *m = model_get(c, err);
	if (!m)
		return NULL;
	if (m->cgroups)
		return m->cgroups;
	const struct crimg_entries *e = crimg_ckpt_entries(c, "cgroup.img", err);
	if (!e)
		return NULL;
	struct crimg_cgroups *k = model_alloc(m, sizeof(*k));
	if (!k) {
		model_oom(err, "cgroup.img");
		return NULL;
	}
	if (e->n && e->msgs[0]->descriptor != &cgroup_entry__descriptor) {
		crimg_fail(err, "cgroup.img", -1, 0, "not a cgroup_entry");
		return NULL;
	}
	const CgroupEntry *ce = e->n ? (const CgroupEntry *)e->msgs[0] : NULL;
	size_t ns = ce ? ce->n_sets : 0;
	struct crimg_cgroup_set *sets = model_alloc(m, (ns ? ns : 1) * sizeof(*sets));
	if (!sets) {
		model_oom(err, "cgroup.img");
		return NULL;
	}
	for (size_t i = 0; i < ns; i++) {
		const CgSetEntry *s = ce->sets[i];
		struct crimg_cgroup_member *mv =
			model_alloc(m, (s->n_ctls ? s->n_ctls : 1) * sizeof(*mv));
		if (!mv) {
			model_oom(err, "cgroup.img");
			return NULL;
		}
		for (size_t j = 0; j < s->n_ctls; j++) {
			mv[j].controllers = s->ctls[j]->name;
			mv[j].path = s->ctls[j]->path;
		}
		sets[i].id = s->id;
		sets[i].members = mv;
		sets[i].n_members = s->n_ctls;
	}
	k->sets = sets;
	k->n_sets = ns;
	k->msg = ce ? &ce->base : NULL;
	m->cgroups = k;
	return k;
}

const struct crimg_cgroup_set *crimg_cgroups_find_set(const struct crimg_cgroups *cg, uint32_t id)
{
	for (size_t i = 0; cg && i < cg->n_sets; i++)
		if (cg->sets[i].id == id)
			return &cg->sets[i];
	return NULL;
}

/* ---- namespaces ---- */

/* The kinds, as /proc/PID/ns names them, with their CLONE_NEW* flags (as
 * numbers: <sched.h> of older C libraries lacks CLONE_NEWTIME). */
static const struct {
	const char *kind;
	uint32_t cflag;
} ns_kinds[8] = {
	{ "pid", 0x20000000 },    { "net", 0x40000000 },  { "ipc", 0x08000000 },
	{ "uts", 0x04000000 },    { "mnt", 0x00020000 },  { "user", 0x10000000 },
	{ "cgroup", 0x02000000 }, { "time", 0x00000080 },
};

const char *crimg_ns_kind(size_t i)
{
	return i < 8 ? ns_kinds[i].kind : NULL;
}

const char *crimg_ns_kind_of_flag(uint32_t cflag)
{
	for (size_t i = 0; i < 8; i++)
		if (ns_kinds[i].cflag == cflag)
			return ns_kinds[i].kind;
	return NULL;
}

int crimg_task_namespaces(struct crimg_ckpt *c, const struct crimg_task *t,
			  struct crimg_namespace out[8], struct crimg_error *err)
{
	const struct crimg_task_ids *ids = crimg_task_ids(c, t, err);
	if (!ids)
		return -1;
	struct crimg_model *m = c->model;
	/* in ns_kinds' order */
	const struct {
		uint32_t id;
		const char *fmt;
	} k[8] = {
		{ ids->pid_ns, "pidns-%u.img" },
		{ ids->net_ns, "netns-%u.img" },
		{ ids->ipc_ns, "ipcns-var-%u.img" },
		{ ids->uts_ns, "utsns-%u.img" },
		{ ids->mnt_ns, "mountpoints-%u.img" },
		{ ids->user_ns, "userns-%u.img" },
		{ ids->cgroup_ns, NULL },
		/* CRIU writes the time namespace of the tree's root as timens-0 */
		{ ids->time_ns, "timens-0.img" },
	};
	for (int i = 0; i < 8; i++) {
		out[i].kind = ns_kinds[i].kind;
		out[i].id = k[i].id;
		out[i].image = NULL;
		if (!k[i].fmt || !k[i].id)
			continue;
		char name[64];
		snprintf(name, sizeof(name), k[i].fmt, k[i].id);
		if (crimg_ckpt_has(c, name) && !(out[i].image = model_strdup(m, name)))
			return model_oom(err, name);
	}
	if (ids->cgroup_ns && crimg_ckpt_has(c, "cgroup.img"))
		out[6].image = "cgroup.img";
	return 0;
}

int crimg_ckpt_uts(struct crimg_ckpt *c, uint32_t uts_ns, const char **nodename,
		   const char **domainname, struct crimg_error *err)
{
	char name[64];
	snprintf(name, sizeof(name), "utsns-%u.img", uts_ns);
	const struct crimg_entries *e = crimg_ckpt_entries(c, name, err);
	if (!e)
		return -1;
	if (!e->n || e->msgs[0]->descriptor != &utsns_entry__descriptor)
		return crimg_fail(err, name, -1, 0, "no utsns_entry");
	const UtsnsEntry *u = (const UtsnsEntry *)e->msgs[0];
	*nodename = u->nodename;
	*domainname = u->domainname;
	return 0;
}

/* ---- dump statistics ---- */

static const StatsEntry *stats_from_meta(struct crimg_ckpt *c, struct crimg_model *m,
					 struct crimg_error *err)
{
	size_t len;
	const uint8_t *d = crimg_ckpt_meta(c, "stats-dump", &len);
	if (!d) {
		crimg_fail(err, "stats-dump", -1, -1, "no such image in %s", crimg_ckpt_path(c));
		return NULL;
	}
	struct crimg_reader *r = crimg_reader_open_mem(d, len, "stats-dump", &c->lim, err);
	if (!r)
		return NULL;
	struct crimg_entry ent;
	const StatsEntry *s = NULL;
	int got = crimg_reader_next(r, &ent, err);
	if (got > 0) {
		if (ent.msg->descriptor != &stats_entry__descriptor) {
			crimg_fail(err, "stats-dump", -1, 0, "not a stats_entry");
		} else {
			/* the reader's copy dies with it: keep our own */
			size_t n = protobuf_c_message_get_packed_size(ent.msg);
			uint8_t *buf = malloc(n ? n : 1);
			if (buf) {
				protobuf_c_message_pack(ent.msg, buf);
				s = (const StatsEntry *)
					protobuf_c_message_unpack(&stats_entry__descriptor,
								  &m->arena.pb, n, buf);
				free(buf);
			}
			if (!s)
				model_oom(err, "stats-dump");
		}
	} else if (got == 0) { /* < 0: the reader said why */
		crimg_fail(err, "stats-dump", -1, -1, "image has no entries");
	}
	crimg_reader_close(r);
	return s;
}

const struct crimg_dump_stats *crimg_ckpt_dump_stats(struct crimg_ckpt *c, struct crimg_error *err)
{
	struct crimg_model *m = model_get(c, err);
	if (!m)
		return NULL;
	if (m->stats)
		return m->stats;
	const StatsEntry *se;
	if (crimg_ckpt_has(c, "stats-dump")) {
		const struct crimg_entries *e = crimg_ckpt_entries(c, "stats-dump", err);
		if (!e)
			return NULL;
		if (!e->n || e->msgs[0]->descriptor != &stats_entry__descriptor) {
			crimg_fail(err, "stats-dump", -1, 0, "no stats_entry");
			return NULL;
		}
		se = (const StatsEntry *)e->msgs[0];
	} else if (!(se = stats_from_meta(c, m, err))) {
		return NULL;
	}
	const DumpStatsEntry *d = se->dump;
	if (!d) {
		crimg_fail(err, "stats-dump", -1, 0, "no dump statistics (a restore's stats?)");
		return NULL;
	}
	struct crimg_dump_stats *k = model_alloc(m, sizeof(*k));
	if (!k) {
		model_oom(err, "stats-dump");
		return NULL;
	}
	k->freezing_time = d->freezing_time;
	k->frozen_time = d->frozen_time;
	k->memdump_time = d->memdump_time;
	k->memwrite_time = d->memwrite_time;
	k->pages_scanned = d->pages_scanned;
	k->pages_skipped_parent = d->pages_skipped_parent;
	k->pages_written = d->pages_written;
	k->pages_lazy = d->pages_lazy;
	k->has_irmap_resolve = d->has_irmap_resolve;
	k->irmap_resolve = d->irmap_resolve;
	k->has_page_pipes = d->has_page_pipes;
	k->page_pipes = d->page_pipes;
	k->page_pipe_bufs = d->page_pipe_bufs;
	k->has_shpages = d->has_shpages_scanned;
	k->shpages_scanned = d->shpages_scanned;
	k->shpages_skipped_parent = d->shpages_skipped_parent;
	k->shpages_written = d->shpages_written;
	k->msg = &se->base;
	m->stats = k;
	return k;
}
