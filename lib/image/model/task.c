/*
 * Per task: core-PID.img (state, comm, signal handlers, timers, limits),
 * core-TID.img per thread (registers, creds, scheduling), and the ids.
 * Older dumps kept some of these in their own images (sigacts-PID.img,
 * creds-PID.img, itimers-PID.img, posix-timers-PID.img, rlimit-PID.img, the
 * ids inside core): those are read where the newer place is empty.
 */
#include <stdio.h>
#include <string.h>

#include "frame/frame.h"
#include "core.pb-c.h"
#include "creds.pb-c.h"
#include "rlimit.pb-c.h"
#include "sa.pb-c.h"
#include "siginfo.pb-c.h"
#include "timer.pb-c.h"

#include "model/model_int.h"

static struct task_cache *cache_of(struct crimg_ckpt *c, const struct crimg_task *t)
{
	return &c->model->tc[t->index];
}

/* The first entry of NAME as a message of type d; NULL and err when not. */
static const ProtobufCMessage *first_of(struct crimg_ckpt *c, const char *name,
					const ProtobufCMessageDescriptor *d,
					struct crimg_error *err)
{
	const struct crimg_entries *e = crimg_ckpt_entries(c, name, err);
	if (!e)
		return NULL;
	if (!e->n) {
		crimg_fail(err, name, -1, -1, "image has no entries");
		return NULL;
	}
	if (e->msgs[0]->descriptor != d) {
		crimg_fail(err, name, -1, 0, "not a %s entry", d->name);
		return NULL;
	}
	return e->msgs[0];
}

const char *crimg_task_state_name(unsigned state)
{
	switch (state) {
	case CRIMG_TASK_ALIVE:
		return "alive";
	case CRIMG_TASK_DEAD:
	case CRIMG_TASK_ZOMBIE:
		return "zombie";
	case CRIMG_TASK_STOPPED:
		return "stopped";
	default:
		return "unknown";
	}
}

int crimg_task_is_zombie(const struct crimg_task_core *core)
{
	return core && (core->state == CRIMG_TASK_DEAD || core->state == CRIMG_TASK_ZOMBIE);
}

/* ---- signal handlers, timers, limits ---- */

/* CRIU records signals 1..64 but SIGKILL and SIGSTOP, which have none. */
static unsigned sa_signo(size_t i)
{
	unsigned s = (unsigned)i + 1;
	if (s >= 9)
		s++;
	if (s >= 19)
		s++;
	return s;
}

static int fill_sigactions(struct crimg_model *m, struct crimg_task_core *k, SaEntry *const *sa,
			   size_t n, struct crimg_error *err)
{
	size_t used = 0;
	for (size_t i = 0; i < n; i++)
		if (sa[i]->sigaction)
			used++;
	struct crimg_sigaction *v = model_alloc(m, (used ? used : 1) * sizeof(*v));
	if (!v)
		return model_oom(err, "core");
	used = 0;
	for (size_t i = 0; i < n; i++) {
		if (!sa[i]->sigaction)
			continue; /* SIG_DFL */
		struct crimg_sigaction *s = &v[used++];
		s->signo = sa_signo(i);
		s->handler = sa[i]->sigaction;
		s->flags = sa[i]->flags;
		s->restorer = sa[i]->restorer;
		s->mask = sa[i]->mask;
		s->compat = sa[i]->has_compat_sigaction && sa[i]->compat_sigaction;
	}
	k->sigactions = v;
	k->n_sigactions = used;
	return 0;
}

static void fill_itimer(struct crimg_itimer *o, const ItimerEntry *e)
{
	if (!e)
		return;
	o->interval_sec = e->isec;
	o->interval_usec = e->iusec;
	o->value_sec = e->vsec;
	o->value_usec = e->vusec;
}

static int fill_posix(struct crimg_model *m, struct crimg_task_core *k, PosixTimerEntry *const *p,
		      size_t n, struct crimg_error *err)
{
	struct crimg_posix_timer *v = model_alloc(m, (n ? n : 1) * sizeof(*v));
	if (!v)
		return model_oom(err, "core");
	for (size_t i = 0; i < n; i++) {
		v[i].id = p[i]->it_id;
		v[i].clock_id = p[i]->clock_id;
		v[i].signo = p[i]->si_signo;
		v[i].notify = p[i]->it_sigev_notify;
		v[i].notify_tid = p[i]->has_notify_thread_id ? p[i]->notify_thread_id : 0;
		v[i].sival = p[i]->sival_ptr;
		v[i].overrun = p[i]->overrun;
		v[i].interval_sec = p[i]->isec;
		v[i].interval_nsec = p[i]->insec;
		v[i].value_sec = p[i]->vsec;
		v[i].value_nsec = p[i]->vnsec;
	}
	k->posix_timers = v;
	k->n_posix_timers = n;
	return 0;
}

static const char *const rlimit_names[] = {
	"RLIMIT_CPU",      "RLIMIT_FSIZE", "RLIMIT_DATA",   "RLIMIT_STACK",
	"RLIMIT_CORE",     "RLIMIT_RSS",   "RLIMIT_NPROC",  "RLIMIT_NOFILE",
	"RLIMIT_MEMLOCK",  "RLIMIT_AS",    "RLIMIT_LOCKS",  "RLIMIT_SIGPENDING",
	"RLIMIT_MSGQUEUE", "RLIMIT_NICE",  "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
};

static int fill_rlimits(struct crimg_model *m, struct crimg_task_core *k, RlimitEntry *const *r,
			size_t n, struct crimg_error *err)
{
	struct crimg_rlimit *v = model_alloc(m, (n ? n : 1) * sizeof(*v));
	if (!v)
		return model_oom(err, "core");
	for (size_t i = 0; i < n; i++) {
		v[i].name = i < sizeof(rlimit_names) / sizeof(rlimit_names[0]) ? rlimit_names[i]
									       : NULL;
		v[i].cur = r[i]->cur;
		v[i].max = r[i]->max;
	}
	k->rlimits = v;
	k->n_rlimits = n;
	return 0;
}

/* Older dumps: one image per kind and task.  Absent: nothing to add. */
static int old_images(struct crimg_ckpt *c, struct crimg_model *m, struct crimg_task_core *k,
		      uint32_t pid, struct crimg_error *err)
{
	char name[64];
	int failed;
	const struct crimg_entries *e;
	if (!k->n_sigactions) {
		snprintf(name, sizeof(name), "sigacts-%u.img", pid);
		if ((e = model_optional(c, name, err, &failed)) &&
		    fill_sigactions(m, k, (SaEntry *const *)e->msgs, e->n, err) < 0)
			return -1;
		if (failed)
			return -1;
	}
	if (!k->has_timers) {
		snprintf(name, sizeof(name), "itimers-%u.img", pid);
		if ((e = model_optional(c, name, err, &failed)) && e->n == 3) {
			fill_itimer(&k->itimer_real, (const ItimerEntry *)e->msgs[0]);
			fill_itimer(&k->itimer_virt, (const ItimerEntry *)e->msgs[1]);
			fill_itimer(&k->itimer_prof, (const ItimerEntry *)e->msgs[2]);
			k->has_timers = 1;
		}
		if (failed)
			return -1;
		snprintf(name, sizeof(name), "posix-timers-%u.img", pid);
		if ((e = model_optional(c, name, err, &failed)) &&
		    fill_posix(m, k, (PosixTimerEntry *const *)e->msgs, e->n, err) < 0)
			return -1;
		if (failed)
			return -1;
	}
	if (!k->n_rlimits) {
		snprintf(name, sizeof(name), "rlimit-%u.img", pid);
		if ((e = model_optional(c, name, err, &failed)) &&
		    fill_rlimits(m, k, (RlimitEntry *const *)e->msgs, e->n, err) < 0)
			return -1;
		if (failed)
			return -1;
	}
	return 0;
}

/* The byte order an image was written in (it is read already: cached). */
static enum crimg_byte_order byte_order_of(struct crimg_ckpt *c, const char *name)
{
	const struct crimg_entries *e = crimg_ckpt_entries(c, name, NULL);
	return e ? e->byte_order : CRIMG_LITTLE_ENDIAN;
}

/* Pending signals: the core's queue, else (older dumps) signal-KIND-ID.img. */
static int pending(struct crimg_ckpt *c, struct crimg_model *m, const SignalQueueEntry *q,
		   const char *core_name, char kind, uint32_t id, unsigned mtype,
		   const struct crimg_siginfo **out, size_t *n, struct crimg_error *err)
{
	if (q)
		return model_siginfos(m, q, NULL, 0, mtype, byte_order_of(c, core_name), out, n,
				      err);
	char name[64];
	int failed;
	snprintf(name, sizeof(name), "signal-%c-%u.img", kind, id);
	const struct crimg_entries *e = model_optional(c, name, err, &failed);
	if (failed)
		return -1;
	*out = NULL;
	*n = 0;
	if (!e || !e->n)
		return 0;
	if (e->msgs[0]->descriptor != &siginfo_entry__descriptor)
		return crimg_fail(err, name, -1, 0, "not a siginfo_entry");
	return model_siginfos(m, NULL, (const SiginfoEntry *const *)e->msgs, e->n, mtype,
			      e->byte_order, out, n, err);
}

const struct crimg_task_core *crimg_task_core(struct crimg_ckpt *c, const struct crimg_task *t,
					      struct crimg_error *err)
{
	struct task_cache *tc = cache_of(c, t);
	if (tc->core)
		return tc->core;
	struct crimg_model *m = c->model;
	char name[64];
	snprintf(name, sizeof(name), "core-%u.img", t->pid);
	const CoreEntry *ce = (const CoreEntry *)first_of(c, name, &core_entry__descriptor, err);
	if (!ce)
		return NULL;
	struct crimg_task_core *k = model_alloc(m, sizeof(*k));
	if (!k) {
		model_oom(err, name);
		return NULL;
	}
	k->msg = &ce->base;
	k->arch = crimg_arch_name(ce->mtype);
	const TaskCoreEntry *tce = ce->tc;
	const ThreadCoreEntry *th = ce->thread_core;
	k->comm = tce ? tce->comm : th && th->comm ? th->comm : "";
	if (tce) {
		k->state = tce->task_state;
		k->exit_code = tce->exit_code;
		k->personality = tce->personality;
		k->flags = tce->flags;
		k->blk_sigset = tce->blk_sigset;
		k->has_oom_score_adj = tce->has_oom_score_adj;
		k->oom_score_adj = tce->oom_score_adj;
		k->has_loginuid = tce->has_loginuid;
		k->loginuid = tce->loginuid;
		k->child_subreaper = tce->has_child_subreaper && tce->child_subreaper;
		if (tce->has_cg_set)
			k->cg_set = tce->cg_set;
		if (fill_sigactions(m, k, tce->sigactions, tce->n_sigactions, err) < 0)
			return NULL;
		if (tce->timers) {
			k->has_timers = 1;
			fill_itimer(&k->itimer_real, tce->timers->real);
			fill_itimer(&k->itimer_virt, tce->timers->virt);
			fill_itimer(&k->itimer_prof, tce->timers->prof);
			if (fill_posix(m, k, tce->timers->posix, tce->timers->n_posix, err) < 0)
				return NULL;
		}
		if (tce->rlimits &&
		    fill_rlimits(m, k, tce->rlimits->rlimits, tce->rlimits->n_rlimits, err) < 0)
			return NULL;
	}
	/* CRIU >= 4.0 keeps the cgroup set per thread */
	if (!k->cg_set && th && th->has_cg_set)
		k->cg_set = th->cg_set;
	if (!crimg_task_is_zombie(k) && old_images(c, m, k, t->pid, err) < 0)
		return NULL;
	if (pending(c, m, tce ? tce->signals_s : NULL, name, 's', t->pid, ce->mtype,
		    &k->shared_pending, &k->n_shared_pending, err) < 0)
		return NULL;
	tc->core = k;
	return k;
}

/* ---- threads: registers and creds ---- */

struct arch_regs {
	unsigned mtype;
	const char *ti;        /* core_entry field of the thread info */
	const char *pc, *sp;   /* register names */
	const char *rep[2][2]; /* repeated field -> name prefix */
};

static const struct arch_regs arch_regs[] = {
	{ CORE_ENTRY__MARCH__X86_64, "thread_info", "ip", "sp", { { NULL, NULL } } },
	{ CORE_ENTRY__MARCH__ARM, "ti_arm", "pc", "sp", { { NULL, NULL } } },
	{ CORE_ENTRY__MARCH__AARCH64, "ti_aarch64", "pc", "sp", { { "regs", "x" } } },
	{ CORE_ENTRY__MARCH__PPC64, "ti_ppc64", "nip", "r1", { { "gpr", "r" } } },
	{ CORE_ENTRY__MARCH__S390,
	  "ti_s390",
	  "psw_addr",
	  "r15",
	  { { "gprs", "r" }, { "acrs", "a" } } },
	{ CORE_ENTRY__MARCH__MIPS, "ti_mips", "cp0_epc", "r29", { { NULL, NULL } } },
	{ CORE_ENTRY__MARCH__LOONGARCH64, "ti_loongarch64", "pc", "r3", { { "regs", "r" } } },
	{ CORE_ENTRY__MARCH__RISCV64, "ti_riscv64", "pc", "sp", { { NULL, NULL } } },
};

static uint64_t scalar_at(const void *p, ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_SFIXED64:
		return *(const uint64_t *)p;
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return (uint64_t)(int64_t) * (const int32_t *)p;
	default:
		return *(const uint32_t *)p;
	}
}

static int is_int_type(ProtobufCType t)
{
	return t != PROTOBUF_C_TYPE_MESSAGE && t != PROTOBUF_C_TYPE_STRING &&
		t != PROTOBUF_C_TYPE_BYTES && t != PROTOBUF_C_TYPE_ENUM &&
		t != PROTOBUF_C_TYPE_BOOL && t != PROTOBUF_C_TYPE_FLOAT &&
		t != PROTOBUF_C_TYPE_DOUBLE;
}

/* The general registers: every integer field of gpregs, repeated ones
 * numbered ("x0".."x30" on aarch64, "r0".."r15" and "a0".."a15" on s390). */
static int fill_regs(struct crimg_model *m, struct crimg_regs *r, const CoreEntry *ce,
		     struct crimg_error *err)
{
	r->mtype = ce->mtype;
	r->arch = crimg_arch_name(ce->mtype);
	const struct arch_regs *a = NULL;
	for (size_t i = 0; i < sizeof(arch_regs) / sizeof(arch_regs[0]); i++)
		if (arch_regs[i].mtype == ce->mtype)
			a = &arch_regs[i];
	if (!a)
		return 0;
	const ProtobufCMessage *ti = pb_submsg(&ce->base, a->ti);
	const ProtobufCMessage *gp = pb_submsg(ti, "gpregs");
	r->thread_info = ti;
	if (!gp)
		return 0; /* a zombie: tc only */
	const ProtobufCMessageDescriptor *d = gp->descriptor;
	size_t n = 0;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (!is_int_type(f->type))
			continue;
		n += f->label == PROTOBUF_C_LABEL_REPEATED
			? *(const size_t *)((const char *)gp + f->quantifier_offset)
			: 1;
	}
	struct crimg_reg *v = model_alloc(m, (n ? n : 1) * sizeof(*v));
	if (!v)
		return model_oom(err, "core");
	size_t k = 0;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (!is_int_type(f->type))
			continue;
		const char *base = (const char *)gp;
		if (f->label != PROTOBUF_C_LABEL_REPEATED) {
			if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
			    !*(const protobuf_c_boolean *)(base + f->quantifier_offset)) {
				n--;
				continue;
			}
			v[k].name = f->name;
			v[k++].value = scalar_at(base + f->offset, f->type);
			continue;
		}
		size_t cnt = *(const size_t *)(base + f->quantifier_offset);
		const char *arr = *(const char *const *)(base + f->offset);
		const char *prefix = f->name;
		for (size_t p = 0; p < 2; p++)
			if (a->rep[p][0] && strcmp(a->rep[p][0], f->name) == 0)
				prefix = a->rep[p][1];
		size_t es = crimg_pb_elem_size(f->type);
		for (size_t j = 0; j < cnt; j++) {
			char nm[48];
			snprintf(nm, sizeof(nm), "%s%zu", prefix, j);
			v[k].name = model_strdup(m, nm);
			if (!v[k].name)
				return model_oom(err, "core");
			v[k++].value = scalar_at(arr + j * es, f->type);
		}
	}
	r->gp = v;
	r->n_gp = k;
	for (size_t i = 0; i < k; i++) {
		if (strcmp(v[i].name, a->pc) == 0) {
			r->pc = v[i].value;
			r->has_pc = 1;
		}
		if (strcmp(v[i].name, a->sp) == 0)
			r->sp = v[i].value;
		if (strcmp(v[i].name, "fs_base") == 0 || strcmp(v[i].name, "tp") == 0)
			r->tls = v[i].value;
	}
	uint64_t tls;
	if (pb_u64(ti, "tls", &tls))
		r->tls = tls;
	return 0;
}

/* The capability words (low first) as one 64-bit set. */
static uint64_t caps(const uint32_t *w, size_t n)
{
	return (n > 0 ? w[0] : 0) | (n > 1 ? (uint64_t)w[1] << 32 : 0);
}

static const struct crimg_creds *make_creds(struct crimg_model *m, const CredsEntry *ce,
					    struct crimg_error *err)
{
	struct crimg_creds *k = model_alloc(m, sizeof(*k));
	if (!k) {
		model_oom(err, "creds");
		return NULL;
	}
	k->uid = ce->uid;
	k->gid = ce->gid;
	k->euid = ce->euid;
	k->egid = ce->egid;
	k->suid = ce->suid;
	k->sgid = ce->sgid;
	k->fsuid = ce->fsuid;
	k->fsgid = ce->fsgid;
	k->cap_inh = caps(ce->cap_inh, ce->n_cap_inh);
	k->cap_prm = caps(ce->cap_prm, ce->n_cap_prm);
	k->cap_eff = caps(ce->cap_eff, ce->n_cap_eff);
	k->cap_bnd = caps(ce->cap_bnd, ce->n_cap_bnd);
	k->cap_amb = caps(ce->cap_amb, ce->n_cap_amb);
	k->has_cap_amb = ce->n_cap_amb > 0;
	k->secbits = ce->secbits;
	k->groups = ce->groups;
	k->n_groups = ce->n_groups;
	k->lsm_profile = ce->lsm_profile;
	k->no_new_privs = ce->has_no_new_privs && ce->no_new_privs;
	k->msg = &ce->base;
	return k;
}

static int fill_thread(struct crimg_ckpt *c, struct crimg_model *m, struct crimg_thread *th,
		       const CoreEntry *ce, uint32_t pid, struct crimg_error *err)
{
	th->msg = &ce->base;
	if (fill_regs(m, &th->regs, ce, err) < 0)
		return -1;
	const ThreadCoreEntry *tc = ce->thread_core;
	char core_name[64];
	snprintf(core_name, sizeof(core_name), "core-%u.img", th->tid);
	if (pending(c, m, tc ? tc->signals_p : NULL, core_name, 'p', th->tid, ce->mtype,
		    &th->pending, &th->n_pending, err) < 0)
		return -1;
	if (tc) {
		th->comm = tc->comm;
		th->has_blk_sigset = tc->has_blk_sigset;
		th->blk_sigset = tc->blk_sigset;
		th->has_sched = tc->has_sched_nice || tc->has_sched_policy;
		th->sched_nice = tc->sched_nice;
		th->sched_policy = tc->sched_policy;
		th->sched_prio = tc->sched_prio;
		th->seccomp_mode = tc->has_seccomp_mode ? tc->seccomp_mode : 0;
		th->seccomp_filter = tc->seccomp_filter;
		th->pdeath_sig = tc->pdeath_sig;
		if (tc->creds && !(th->creds = make_creds(m, tc->creds, err)))
			return -1;
	}
	if (!th->creds && th->tid == pid && th->regs.n_gp) {
		/* older dumps: creds-PID.img, for the whole task */
		char name[64];
		int failed;
		snprintf(name, sizeof(name), "creds-%u.img", pid);
		const struct crimg_entries *e = model_optional(c, name, err, &failed);
		if (failed)
			return -1;
		if (e && e->n && e->msgs[0]->descriptor == &creds_entry__descriptor &&
		    !(th->creds = make_creds(m, (const CredsEntry *)e->msgs[0], err)))
			return -1;
	}
	return 0;
}

const struct crimg_thread *crimg_task_threads(struct crimg_ckpt *c, const struct crimg_task *t,
					      size_t *n, struct crimg_error *err)
{
	struct task_cache *tc = cache_of(c, t);
	if (tc->threads) {
		*n = tc->n_threads;
		return tc->threads;
	}
	const struct crimg_task_core *core = crimg_task_core(c, t, err);
	if (!core)
		return NULL;
	struct crimg_model *m = c->model;
	/* a zombie has the main thread only; so has a task whose pstree entry
	 * lists no threads */
	size_t cnt = crimg_task_is_zombie(core) || !t->n_threads ? 1 : t->n_threads;
	struct crimg_thread *v = model_alloc(m, cnt * sizeof(*v));
	if (!v) {
		model_oom(err, "core");
		return NULL;
	}
	v[0].tid = t->pid;
	if (fill_thread(c, m, &v[0], (const CoreEntry *)core->msg, t->pid, err) < 0)
		return NULL;
	size_t k = 1;
	for (size_t i = 0; i < t->n_threads && k < cnt; i++) {
		if (t->threads[i] == t->pid)
			continue;
		char name[64];
		snprintf(name, sizeof(name), "core-%u.img", t->threads[i]);
		const CoreEntry *ce = (const CoreEntry *)first_of(c, name, &core_entry__descriptor,
								  err);
		if (!ce)
			return NULL;
		v[k].tid = t->threads[i];
		if (fill_thread(c, m, &v[k], ce, t->pid, err) < 0)
			return NULL;
		k++;
	}
	tc->threads = v;
	tc->n_threads = k;
	*n = k;
	return v;
}

/* ---- ids ---- */

const struct crimg_task_ids *crimg_task_ids(struct crimg_ckpt *c, const struct crimg_task *t,
					    struct crimg_error *err)
{
	struct task_cache *tc = cache_of(c, t);
	if (tc->ids)
		return tc->ids;
	char name[64];
	snprintf(name, sizeof(name), "ids-%u.img", t->pid);
	const TaskKobjIdsEntry *ie = NULL;
	if (!crimg_ckpt_has(c, name)) {
		/* older dumps kept the ids in core */
		const struct crimg_task_core *core = crimg_task_core(c, t, err);
		if (!core)
			return NULL;
		ie = ((const CoreEntry *)core->msg)->ids;
		if (!ie) {
			crimg_fail(err, name, -1, -1, "no such image in %s", crimg_ckpt_path(c));
			return NULL;
		}
	} else {
		ie = (const TaskKobjIdsEntry *)first_of(c, name, &task_kobj_ids_entry__descriptor,
							err);
		if (!ie)
			return NULL;
	}
	struct crimg_task_ids *k = model_alloc(c->model, sizeof(*k));
	if (!k) {
		model_oom(err, name);
		return NULL;
	}
	k->vm_id = ie->vm_id;
	k->files_id = ie->files_id;
	k->fs_id = ie->fs_id;
	k->sighand_id = ie->sighand_id;
	k->pid_ns = ie->has_pid_ns_id ? ie->pid_ns_id : 0;
	k->net_ns = ie->has_net_ns_id ? ie->net_ns_id : 0;
	k->ipc_ns = ie->has_ipc_ns_id ? ie->ipc_ns_id : 0;
	k->uts_ns = ie->has_uts_ns_id ? ie->uts_ns_id : 0;
	k->mnt_ns = ie->has_mnt_ns_id ? ie->mnt_ns_id : 0;
	k->user_ns = ie->has_user_ns_id ? ie->user_ns_id : 0;
	k->cgroup_ns = ie->has_cgroup_ns_id ? ie->cgroup_ns_id : 0;
	k->time_ns = ie->has_time_ns_id ? ie->time_ns_id : 0;
	k->msg = &ie->base;
	tc->ids = k;
	return k;
}
