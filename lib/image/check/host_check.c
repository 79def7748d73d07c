/*
 * Part 2: the checkpoint against a host description.  Each check compares
 * what the images say with one fact of the host and stays silent when the
 * host does not know that fact.  This file: the process tree (PIDs, TIDs,
 * sessions, pid_max, PID 1), the options the inventory demands, the
 * architecture, time namespaces, cgroups and mounts; the threads' CPU
 * state and rseq are in host_check_cpu.c, the files, descriptors, sockets
 * and locks in host_check_files.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check/host_check.h"
#include "frame/frame.h"

/* ---- small tools ---- */

static size_t set_pos(const struct hc_set *s, uint32_t x)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int hc_set_has(const struct hc_set *s, uint32_t x)
{
	size_t i = set_pos(s, x);
	return i < s->n && s->v[i] == x;
}

int hc_set_add(struct hc_set *s, uint32_t x)
{
	size_t i = set_pos(s, x);
	if (i < s->n && s->v[i] == x)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		uint32_t *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof(*s->v));
	s->v[i] = x;
	s->n++;
	return 1;
}

void hc_set_free(struct hc_set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int hc_add(struct hc *x, enum check_reason_id r, int sev, const char *image, int64_t entry,
	   const char *field, const char *value, const char *host, const char *fmt, ...)
{
	struct check_evidence ev = {
		.image = image, .entry = entry, .field = field, .value = value, .host = host
	};
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	/* one line: names from the images may hold anything */
	for (char *p = msg; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (!msg || check_add(x->k, r, sev, &ev, "%s", msg) < 0) {
		free(msg);
		x->oom = 1;
		return -1;
	}
	free(msg);
	return 0;
}

static const ProtobufCFieldDescriptor *field_of(const ProtobufCMessage *m, const char *name)
{
	if (!m || !m->descriptor)
		return NULL;
	return protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
}

const ProtobufCMessage *hc_sub(const ProtobufCMessage *m, const char *name)
{
	const ProtobufCFieldDescriptor *f = field_of(m, name);
	if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED)
		return NULL;
	return *(const ProtobufCMessage *const *)((const char *)m + f->offset);
}

int hc_u64(const ProtobufCMessage *m, const char *name, uint64_t *out)
{
	const ProtobufCFieldDescriptor *f = field_of(m, name);
	if (!f || f->label == PROTOBUF_C_LABEL_REPEATED)
		return 0;
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
	    !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
	    !*(const protobuf_c_boolean *)((const char *)m + f->quantifier_offset))
		return 0;
	return crimg_msg_get_u64(m, name, out) == 0;
}

const char *hc_str(const ProtobufCMessage *m, const char *name)
{
	const ProtobufCFieldDescriptor *f = field_of(m, name);
	if (!f || f->type != PROTOBUF_C_TYPE_STRING || f->label == PROTOBUF_C_LABEL_REPEATED)
		return NULL;
	return *(const char *const *)((const char *)m + f->offset);
}

const uint32_t *hc_rep_u32(const ProtobufCMessage *m, const char *name, size_t *n)
{
	const ProtobufCFieldDescriptor *f = field_of(m, name);
	*n = 0;
	if (!f || f->label != PROTOBUF_C_LABEL_REPEATED ||
	    (f->type != PROTOBUF_C_TYPE_UINT32 && f->type != PROTOBUF_C_TYPE_FIXED32))
		return NULL;
	*n = *(const size_t *)((const char *)m + f->quantifier_offset);
	return *(const uint32_t *const *)((const char *)m + f->offset);
}

const char *hc_comm(struct hc *x, const struct crimg_task *t)
{
	struct crimg_error e;
	const struct crimg_task_brief *b = crimg_task_brief(x->c, t, &e);
	return b && b->comm ? b->comm : "?";
}

/* The namespace id root_ids records for kind ("net_ns_id"), 0 when none. */
static uint32_t root_ns(struct hc *x, const char *field)
{
	uint64_t v;
	return x->root_ids && hc_u64(x->root_ids, field, &v) ? (uint32_t)v : 0;
}

int hc_own_netns(struct hc *x, uint32_t ns)
{
	uint32_t root = root_ns(x, "net_ns_id");
	char name[40];
	if (!ns || !root || ns == root)
		return 0;
	snprintf(name, sizeof(name), "netns-%u.img", ns);
	return crimg_ckpt_has(x->c, name);
}

int hc_shell_job(struct hc *x, const char *image, int64_t entry, const char *field,
		 const char *value, const char *what)
{
	if (x->shell_job || (x->flags & CRIMG_CHECK_SHELL_JOB))
		return 0;
	x->shell_job = 1;
	return hc_add(x, R_SHELL_JOB, -1, image, entry, field, value, "no --shell-job",
		      "%s: the restore needs --shell-job (without it CRIU 4.2 hangs)", what);
}

/* ---- privileges, architecture, the inventory's demands ---- */

const char *hc_norm_arch(const char *a)
{
	static const char *const alias[][2] = {
		{ "amd64", "x86_64" }, { "arm64", "aarch64" },   { "armv7l", "arm" },
		{ "armv6l", "arm" },   { "armhf", "arm" },       { "ppc64el", "ppc64le" },
		{ "s390", "s390x" },   { "mips64el", "mips64" },
	};
	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (!strcmp(a, alias[i][0]))
			return alias[i][1];
	return a;
}

static int check_basics(struct hc *x)
{
	const struct crimg_host *h = x->h;
	const struct crimg_inventory *inv = x->inv;
	if (h->privileged == 0 &&
	    hc_add(x, R_NOT_PRIVILEGED, -1, "", -1, "", "",
		   "no CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE",
		   "the restore would run without CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE: CRIU stops before it writes a log") <
		    0)
		return -1;
	if (h->arch && *h->arch && x->tree->n_tasks) {
		struct crimg_error e;
		const struct crimg_task *t = &x->tree->tasks[0];
		const struct crimg_task_core *core = crimg_task_core(x->c, t, &e);
		if (core && core->arch && strcmp(core->arch, "unknown") &&
		    strcmp(hc_norm_arch(core->arch), hc_norm_arch(h->arch))) {
			char img[40];
			snprintf(img, sizeof(img), "core-%u.img", t->pid);
			if (hc_add(x, R_ARCH_MISMATCH, -1, img, 0, "mtype", core->arch, h->arch,
				   "the checkpoint is of %s, the host is %s", core->arch,
				   h->arch) < 0)
				return -1;
		}
	}
	if (!inv)
		return 0;
	if (inv->tcp_close && !(x->flags & CRIMG_CHECK_TCP_CLOSE) &&
	    hc_add(x, R_TCP_CLOSE, -1, "inventory.img", 0, "tcp_close", "true", "no --tcp-close",
		   "the dump was made with --tcp-close: the restore needs --tcp-close too") < 0)
		return -1;
	if (inv->allow_uprobes && !(x->flags & CRIMG_CHECK_ALLOW_UPROBES) &&
	    hc_add(x, R_ALLOW_UPROBES, -1, "inventory.img", 0, "allow_uprobes", "true",
		   "no --allow-uprobes",
		   "the dump was made with --allow-uprobes: the restore needs it too") < 0)
		return -1;
	if (h->plugins_known)
		for (size_t i = 0; i < inv->n_plugins; i++) {
			const char *p = inv->plugins[i];
			size_t pl = p ? strlen(p) : 0;
			int found = 0;
			char field[40];
			if (!pl)
				continue;
			for (size_t j = 0; j < h->n_plugins && !found; j++) {
				const char *q = h->plugins[j];
				found = !strcmp(q, p) ||
					(!strncmp(q, p, pl) && !strcmp(q + pl, ".so"));
			}
			snprintf(field, sizeof(field), "plugins[%zu]", i);
			if (!found &&
			    hc_add(x, R_PLUGIN_MISSING, -1, "inventory.img", 0, field, p,
				   "not installed",
				   "the dump was made with the CRIU plugin %s, which the host does not have",
				   p) < 0)
				return -1;
		}
	return 0;
}

/* After the threads are read (x->lsm_profile known). */
static int check_lsm(struct hc *x)
{
	static const char *const names[] = { "none", "selinux", "apparmor" };
	const struct crimg_inventory *inv = x->inv;
	const char *hl = x->h->lsm;
	if (!inv || !inv->has_lsm || !inv->lsm || inv->lsm > 2 || !hl || !*hl)
		return 0;
	if (!strcmp(hl, names[inv->lsm]))
		return 0;
	return hc_add(x, R_LSM_TYPE, x->lsm_profile ? -1 : CRIMG_CHECK_MAY_FAIL, "inventory.img", 0,
		      "lsmtype", names[inv->lsm], hl, "the checkpoint's LSM is %s, the host's %s%s",
		      names[inv->lsm], hl,
		      x->lsm_profile ? " (the tasks have labels to restore)" : "");
}

/* ---- the process tree ---- */

static int check_tree(struct hc *x)
{
	const struct crimg_tree *tr = x->tree;
	const struct crimg_host *h = x->h;
	int pidns_init = 0;
	for (size_t i = 0; i < tr->n_tasks; i++) {
		const struct crimg_task *t = &tr->tasks[i];
		if (hc_set_add(&x->tasks, t->pid) < 0 || hc_set_add(&x->pids, t->pid) < 0)
			return x->oom = 1, -1;
		for (size_t j = 0; j < t->n_threads; j++)
			if (hc_set_add(&x->pids, t->threads[j]) < 0)
				return x->oom = 1, -1;
	}
	for (size_t r = 0; r < tr->n_roots; r++)
		if (tr->roots[r]->pid == 1 && !x->new_pidns) {
			pidns_init = 1;
			if (hc_add(x, R_PIDNS_INIT, -1, "pstree.img", (int64_t)tr->roots[r]->index,
				   "pid", "1", "the host's PID namespace",
				   "pid 1 (%s) was its namespace's init: the tree needs a new PID namespace",
				   hc_comm(x, tr->roots[r])) < 0)
				return -1;
		}
	/* shell job: a session or group whose leader is outside the tree */
	for (size_t i = 0; i < tr->n_tasks; i++) {
		const struct crimg_task *t = &tr->tasks[i];
		char v[32];
		if (t->sid && !hc_set_has(&x->tasks, t->sid)) {
			snprintf(v, sizeof(v), "%u", t->sid);
			char what[96];
			snprintf(what, sizeof(what),
				 "pid %u (%.32s) is in session %u, whose leader is not in the tree",
				 t->pid, hc_comm(x, t), t->sid);
			if (hc_shell_job(x, "pstree.img", (int64_t)t->index, "sid", v, what) < 0)
				return -1;
		} else if (t->pgid && !hc_set_has(&x->tasks, t->pgid)) {
			snprintf(v, sizeof(v), "%u", t->pgid);
			char what[96];
			snprintf(what, sizeof(what),
				 "pid %u (%.32s) is in process group %u, whose leader is not in the tree",
				 t->pid, hc_comm(x, t), t->pgid);
			if (hc_shell_job(x, "pstree.img", (int64_t)t->index, "pgid", v, what) < 0)
				return -1;
		}
	}
	/* with --shell-job the tree joins the restoring shell's session */
	if ((x->flags & CRIMG_CHECK_SHELL_JOB) && !x->new_pidns) {
		const char *what[2] = { "sid", "pgid" };
		int64_t ids[2] = { h->sid, h->pgid };
		for (int w = 0; w < 2; w++) {
			char v[32];
			if (ids[w] <= 0 || ids[w] > UINT32_MAX ||
			    !hc_set_has(&x->pids, (uint32_t)ids[w]))
				continue;
			snprintf(v, sizeof(v), "%lld", (long long)ids[w]);
			if (hc_add(x, R_SESSION_IN_USE, -1, "pstree.img", -1, "pid", v, v,
				   "the restoring shell's %s %s is a PID of the tree (--shell-job)",
				   what[w], v) < 0)
				return -1;
		}
	}
	if (x->new_pidns || pidns_init)
		return 0;
	/* PIDs and TIDs in use, pid_max */
	for (size_t i = 0; i < tr->n_tasks && h->pids_known; i++) {
		const struct crimg_task *t = &tr->tasks[i];
		char v[32], field[40];
		for (size_t j = 0; j < t->n_threads || j == 0; j++) {
			uint32_t id = j < t->n_threads ? t->threads[j] : t->pid;
			int is_pid = id == t->pid;
			if (!host_pid_in_use(h, id) || (j && is_pid))
				continue;
			snprintf(v, sizeof(v), "%u", id);
			if (is_pid)
				snprintf(field, sizeof(field), "pid");
			else
				snprintf(field, sizeof(field), "threads[%zu]", j);
			int r = is_pid
				? hc_add(x, R_PID_IN_USE, -1, "pstree.img", (int64_t)t->index,
					 field, v, "in use", "pid %u (%s) is in use on the host",
					 id, hc_comm(x, t))
				: hc_add(x, R_TID_IN_USE, -1, "pstree.img", (int64_t)t->index,
					 field, v, "in use",
					 "thread %u of pid %u (%s) is in use on the host", id,
					 t->pid, hc_comm(x, t));
			if (r < 0)
				return -1;
		}
	}
	if (h->pid_max > 0 && x->pids.n) {
		uint32_t top = x->pids.v[x->pids.n - 1];
		if ((int64_t)top >= h->pid_max) {
			/* CRIU raises pid_max when it may; 4194304 is the kernel's own limit */
			char v[32], hv[32];
			snprintf(v, sizeof(v), "%u", top);
			snprintf(hv, sizeof(hv), "%lld", (long long)h->pid_max);
			if (hc_add(x, R_PID_MAX, top >= 4194304u ? -1 : CRIMG_CHECK_MAY_FAIL,
				   "pstree.img", -1, "pid", v, hv,
				   "PID %u is above the host's pid_max %lld%s", top,
				   (long long)h->pid_max,
				   top >= 4194304u ? " and the kernel's limit"
						   : ": CRIU must raise kernel.pid_max") < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- namespaces, cgroups, mounts ---- */

static int check_timens(struct hc *x)
{
	uint32_t root = root_ns(x, "time_ns_id");
	if (x->h->has_timens != 0 || !root)
		return 0;
	for (size_t i = 0; i < x->tree->n_tasks; i++) {
		const struct crimg_task *t = &x->tree->tasks[i];
		struct crimg_error e;
		const struct crimg_task_ids *ids = crimg_task_ids(x->c, t, &e);
		char img[40], v[32];
		if (!ids || !ids->time_ns || ids->time_ns == root)
			continue;
		snprintf(img, sizeof(img), "ids-%u.img", t->pid);
		snprintf(v, sizeof(v), "%u", ids->time_ns);
		return hc_add(x, R_TIMENS, -1, img, 0, "time_ns_id", v, "no time namespaces",
			      "pid %u (%s) was in a time namespace of its own; the host kernel has none",
			      t->pid, hc_comm(x, t));
	}
	return 0;
}

static int check_cgroups(struct hc *x)
{
	const struct crimg_host *h = x->h;
	struct crimg_error e;
	struct hc_set seen = { 0 };
	int rc = 0;
	if (!h->cgroups_known)
		return 0;
	const struct crimg_cgroups *cg = crimg_ckpt_cgroups(x->c, &e);
	if (!cg)
		return 0;
	for (size_t i = 0; i < x->tree->n_tasks && !rc; i++) {
		const struct crimg_task_core *core = crimg_task_core(x->c, &x->tree->tasks[i], &e);
		if (!core || !core->cg_set)
			continue;
		int fresh = hc_set_add(&seen, core->cg_set);
		if (fresh < 0) {
			x->oom = 1;
			rc = -1;
			break;
		}
		if (!fresh)
			continue;
		const struct crimg_cgroup_set *s = crimg_cgroups_find_set(cg, core->cg_set);
		for (size_t m = 0; s && m < s->n_members && !rc; m++) {
			const char *p = s->members[m].path;
			int found = 0;
			char field[48];
			if (!p || !*p)
				continue;
			for (size_t j = 0; j < h->n_cgroups && !found; j++)
				found = !strcmp(h->cgroups[j], p);
			if (found)
				continue;
			snprintf(field, sizeof(field), "sets[id %u].ctls[%zu].path", s->id, m);
			rc = hc_add(x, R_CGROUP_MISSING, -1, "cgroup.img", -1, field, p, "missing",
				    "cgroup %s (%s) does not exist on the host", p,
				    s->members[m].controllers && *s->members[m].controllers
					    ? s->members[m].controllers
					    : "v2");
		}
	}
	hc_set_free(&seen);
	return rc;
}

static int has_key(const struct crimg_check_opts *o, const char *key)
{
	for (size_t i = 0; o && i < o->n_ext_mount_keys; i++)
		if (o->ext_mount_keys[i] && !strcmp(o->ext_mount_keys[i], key))
			return 1;
	return 0;
}

static int check_mounts(struct hc *x)
{
	const struct crimg_host *h = x->h;
	const struct crimg_mounts *ns;
	size_t nns = 0;
	struct crimg_error e;
	if (crimg_ckpt_mounts(x->c, &ns, &nns, &e) < 0)
		return 0;
	for (size_t i = 0; i < nns; i++) {
		char img[40];
		snprintf(img, sizeof(img), "mountpoints-%u.img", ns[i].mnt_ns);
		for (size_t j = 0; j < ns[i].n; j++) {
			const struct crimg_mount *m = &ns[i].mounts[j];
			const char *key = hc_str(m->msg, "ext_key");
			const char *mp = m->mountpoint ? m->mountpoint : "?";
			if (key && *key) {
				int autokey = !strcmp(key, "CRIU:AUTOGENERATED") ||
					!strcmp(key, "CRIU:EXTERNAL_DEV");
				if (has_key(x->o, key) || (autokey && has_key(x->o, "auto")))
					continue;
				if (hc_add(x, R_EXT_MOUNT, -1, img, (int64_t)j, "ext_key", key,
					   "no --ext-mount-map",
					   autokey ? "mount %s is an external mount CRIU found itself: the restore needs --ext-mount-map auto"
						   : "mount %s is external (key %s): the restore needs --ext-mount-map %s:PATH",
					   mp, key, key) < 0)
					return -1;
				continue;
			}
			if (m->external || !h->n_filesystems || !m->fstype_name ||
			    !*m->fstype_name || !strcmp(m->fstype_name, "auto") ||
			    !strcmp(m->fstype_name, "unsupported"))
				continue;
			int found = 0;
			for (size_t f = 0; f < h->n_filesystems && !found; f++)
				found = !strcmp(h->filesystems[f], m->fstype_name);
			if (!found &&
			    hc_add(x, R_FS_UNSUPPORTED, -1, img, (int64_t)j, "fstype",
				   m->fstype_name, "not in /proc/filesystems",
				   "mount %s is of type %s, which the host kernel does not have",
				   mp, m->fstype_name) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- the part ---- */

int crimg_check_host(struct crimg_check *k, struct crimg_ckpt *c, const struct crimg_host *h,
		     const struct crimg_check_opts *o, struct crimg_error *err)
{
	struct hc x = { .k = k, .c = c, .h = h, .o = o, .flags = o ? o->flags : 0 };
	struct crimg_error e;
	int rc = 0;
	if (!k || !c || !h)
		return 0;
	x.tree = crimg_ckpt_tree(c, &e);
	if (!x.tree) /* no tree: part 1 says why */
		return 0;
	x.inv = crimg_ckpt_inventory(c, &e);
	x.root_ids = x.inv && x.inv->msg ? hc_sub(x.inv->msg, "root_ids") : NULL;
	x.new_pidns = !!(x.flags & CRIMG_CHECK_NEW_PIDNS);
	if (!x.new_pidns && x.root_ids && x.tree->n_tasks) {
		/* a tree dumped in a PID namespace of its own gets a new one */
		const struct crimg_task_ids *ids = crimg_task_ids(c, &x.tree->tasks[0], &e);
		uint32_t root = root_ns(&x, "pid_ns_id");
		if (ids && ids->pid_ns && root && ids->pid_ns != root)
			x.new_pidns = 1;
	}
	if (check_basics(&x) < 0 || check_tree(&x) < 0 || hc_threads(&x) < 0 || check_lsm(&x) < 0 ||
	    hc_cpuinfo(&x) < 0 || hc_cpu_words(&x) < 0 || check_timens(&x) < 0 ||
	    hc_files(&x) < 0 || check_cgroups(&x) < 0 || check_mounts(&x) < 0 || hc_env(&x) < 0 ||
	    hc_bind_sources(&x) < 0 || hc_cgroup_controllers(&x) < 0 || hc_hwcap(&x) < 0)
		rc = -1;
	hc_set_free(&x.pids);
	hc_set_free(&x.tasks);
	free(x.fidx);
	if (rc < 0 && x.oom)
		return crimg_fail(err, "", -1, -1, "out of memory");
	return 0;
}
