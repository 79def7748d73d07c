/*
 * crit x core: what core-PID.img and core-TID.img say of each process:
 * state, credentials, signal handlers, timers, limits, and each thread's
 * registers (named as its architecture names them).
 */
#include <inttypes.h>
#include <string.h>

#include "util.h"
#include "signals.h"
#include "x.h"

static const char *signame(unsigned s, char *b, size_t len)
{
	const char *n = tool_signal_name((long)s);
	if (n)
		return n;
	snprintf(b, len, "SIG%u", s);
	return b;
}

/* "SIGUSR1|SIGTERM" for a mask (bit N-1 = signal N); "-" for none. */
static const char *sigset(uint64_t m, char *b, size_t len)
{
	size_t n = 0;
	char t[16];
	b[0] = '\0';
	for (unsigned s = 1; s <= 64 && n < len; s++)
		if (m >> (s - 1) & 1)
			n += (size_t)snprintf(b + n, len - n, "%s%s", n ? "|" : "",
					      signame(s, t, sizeof(t)));
	if (!n)
		snprintf(b, len, "-");
	return b;
}

static const char *sa_flags(uint64_t f, char *b, size_t len)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{ 0x1, "SA_NOCLDSTOP" },      { 0x2, "SA_NOCLDWAIT" },
		{ 0x4, "SA_SIGINFO" },        { 0x04000000, "SA_RESTORER" },
		{ 0x08000000, "SA_ONSTACK" }, { 0x10000000, "SA_RESTART" },
		{ 0x40000000, "SA_NODEFER" }, { 0x80000000, "SA_RESETHAND" },
	};
	size_t n = 0;
	uint64_t known = 0;
	b[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && n < len; i++) {
		known |= names[i].bit;
		if (f & names[i].bit)
			n += (size_t)snprintf(b + n, len - n, "%s%s", n ? "|" : "", names[i].name);
	}
	if (f & ~known && n < len)
		n += (size_t)snprintf(b + n, len - n, "%s0x%" PRIx64, n ? "|" : "", f & ~known);
	if (!n)
		snprintf(b, len, "0");
	return b;
}

/* ---- pending signals ---- */

static const char *const layout_names[] = {
	[CRIMG_SI_SHORT] = "short", [CRIMG_SI_KILL] = "kill",   [CRIMG_SI_TIMER] = "timer",
	[CRIMG_SI_POLL] = "poll",   [CRIMG_SI_FAULT] = "fault", [CRIMG_SI_CHLD] = "chld",
	[CRIMG_SI_RT] = "rt",       [CRIMG_SI_SYS] = "sys",
};

/* "SIGUSR1 SI_QUEUE pid 4242 uid 1000 value 0x7f3a" */
static const char *siginfo_text(const struct crimg_siginfo *si, char *b, size_t len)
{
	char t1[16];
	const char *cn = crimg_si_code_name(si->signo, si->code);
	int n = si->signo > 0 ? snprintf(b, len, "%s", signame((unsigned)si->signo, t1, sizeof(t1)))
			      : snprintf(b, len, "signal %d", si->signo);
	size_t k = n > 0 ? (size_t)n : 0;
#define ADD(...)                                                        \
	do {                                                            \
		if (k < len) {                                          \
			int a_ = snprintf(b + k, len - k, __VA_ARGS__); \
			k += a_ > 0 ? (size_t)a_ : 0;                   \
		}                                                       \
	} while (0)
	if (cn)
		ADD(" %s", cn);
	else
		ADD(" code %d", si->code);
	if (si->err)
		ADD(" errno %d", si->err);
	switch (si->layout) {
	case CRIMG_SI_KILL:
	case CRIMG_SI_RT:
	case CRIMG_SI_CHLD:
		ADD(" pid %d uid %u", si->pid, si->uid);
		if (si->layout == CRIMG_SI_RT)
			ADD(" value 0x%" PRIx64, si->value);
		if (si->layout == CRIMG_SI_CHLD)
			ADD(" status %d", si->status);
		break;
	case CRIMG_SI_TIMER:
		ADD(" timer %d overrun %d value 0x%" PRIx64, si->timerid, si->overrun, si->value);
		break;
	case CRIMG_SI_POLL:
		ADD(" band 0x%" PRIx64 " fd %d", (uint64_t)si->band, si->fd);
		break;
	case CRIMG_SI_FAULT:
		ADD(" addr 0x%" PRIx64, si->addr);
		break;
	case CRIMG_SI_SYS:
		ADD(" addr 0x%" PRIx64 " syscall %d arch 0x%x", si->addr, si->syscall, si->arch);
		break;
	case CRIMG_SI_SHORT:
		ADD(" (siginfo cut short: %zu bytes)", si->raw_len);
		break;
	}
#undef ADD
	return b;
}

static void siginfo_json(struct xj *j, const struct crimg_siginfo *si)
{
	char t1[16];
	xj_obj(j, NULL);
	xj_i64(j, "signo", si->signo);
	xj_str(j, "signal", si->signo > 0 ? signame((unsigned)si->signo, t1, sizeof(t1)) : NULL);
	xj_i64(j, "code", si->code);
	xj_str(j, "code_name", crimg_si_code_name(si->signo, si->code));
	xj_i64(j, "errno", si->err);
	xj_str(j, "layout", layout_names[si->layout]);
	switch (si->layout) {
	case CRIMG_SI_KILL:
	case CRIMG_SI_RT:
	case CRIMG_SI_CHLD:
		xj_i64(j, "pid", si->pid);
		xj_u64(j, "uid", si->uid);
		if (si->layout == CRIMG_SI_RT)
			xj_hex(j, "value", si->value);
		if (si->layout == CRIMG_SI_CHLD)
			xj_i64(j, "status", si->status);
		break;
	case CRIMG_SI_TIMER:
		xj_i64(j, "timerid", si->timerid);
		xj_i64(j, "overrun", si->overrun);
		xj_hex(j, "value", si->value);
		break;
	case CRIMG_SI_POLL:
		xj_i64(j, "band", si->band);
		xj_i64(j, "fd", si->fd);
		break;
	case CRIMG_SI_FAULT:
		xj_hex(j, "addr", si->addr);
		break;
	case CRIMG_SI_SYS:
		xj_hex(j, "addr", si->addr);
		xj_i64(j, "syscall", si->syscall);
		xj_hex(j, "arch", si->arch);
		break;
	case CRIMG_SI_SHORT:
		xj_u64(j, "bytes", si->raw_len);
		break;
	}
	xj_end_obj(j);
}

static void pending_json(struct xj *j, const struct crimg_siginfo *v, size_t n)
{
	xj_arr(j, "pending");
	for (size_t i = 0; i < n; i++)
		siginfo_json(j, &v[i]);
	xj_end_arr(j);
}

static const char *clock_name(uint32_t id)
{
	static const char *const n[] = { "CLOCK_REALTIME",           "CLOCK_MONOTONIC",
					 "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID",
					 "CLOCK_MONOTONIC_RAW",      "CLOCK_REALTIME_COARSE",
					 "CLOCK_MONOTONIC_COARSE",   "CLOCK_BOOTTIME",
					 "CLOCK_REALTIME_ALARM",     "CLOCK_BOOTTIME_ALARM" };
	return id < sizeof(n) / sizeof(n[0]) ? n[id] : "CLOCK_?";
}

static void core_text(struct xctx *x, const struct crimg_task *t, const struct crimg_task_core *k,
		      const struct crimg_thread *th, size_t nth)
{
	FILE *f = x->out;
	char b[1024], b2[1024], t1[16];
	fprintf(f, "%u %s (%s, %s)\n", t->pid, k->comm, crimg_task_state_name(k->state), k->arch);
	if (crimg_task_is_zombie(k))
		fprintf(f, "\t%-10s %s\n", "exit", x_exit_str(k->exit_code, b, sizeof(b)));
	const struct crimg_creds *cr = nth ? th[0].creds : NULL;
	if (cr)
		fprintf(f,
			"\t%-10s uid %u/%u/%u/%u gid %u/%u/%u/%u (real/eff/saved/fs), caps eff 0x%" PRIx64
			" bnd 0x%" PRIx64 "\n",
			"creds", cr->uid, cr->euid, cr->suid, cr->fsuid, cr->gid, cr->egid,
			cr->sgid, cr->fsgid, cr->cap_eff, cr->cap_bnd);
	fprintf(f, "\t%-10s %s\n", "blocked", sigset(k->blk_sigset, b, sizeof(b)));
	for (size_t i = 0; i < k->n_shared_pending; i++)
		fprintf(f, "\t%-10s %s\n", "pending",
			siginfo_text(&k->shared_pending[i], b, sizeof(b)));
	for (size_t i = 0; i < k->n_sigactions; i++) {
		const struct crimg_sigaction *s = &k->sigactions[i];
		if (s->handler == 1)
			fprintf(f, "\t%-10s %-9s ignored\n", "sigaction",
				signame(s->signo, t1, sizeof(t1)));
		else
			fprintf(f, "\t%-10s %-9s handler 0x%" PRIx64 " flags %s mask %s\n",
				"sigaction", signame(s->signo, t1, sizeof(t1)), s->handler,
				sa_flags(s->flags, b, sizeof(b)), sigset(s->mask, b2, sizeof(b2)));
	}
	const struct {
		const char *name;
		const struct crimg_itimer *it;
	} its[] = { { "ITIMER_REAL", &k->itimer_real },
		    { "ITIMER_VIRTUAL", &k->itimer_virt },
		    { "ITIMER_PROF", &k->itimer_prof } };
	for (size_t i = 0; k->has_timers && i < 3; i++) {
		const struct crimg_itimer *it = its[i].it;
		if (!it->value_sec && !it->value_usec && !it->interval_sec && !it->interval_usec)
			continue;
		fprintf(f,
			"\t%-10s %s value %" PRIu64 ".%06" PRIu64 " s interval %" PRIu64
			".%06" PRIu64 " s\n",
			"timer", its[i].name, it->value_sec, it->value_usec, it->interval_sec,
			it->interval_usec);
	}
	for (size_t i = 0; i < k->n_posix_timers; i++) {
		const struct crimg_posix_timer *p = &k->posix_timers[i];
		fprintf(f,
			"\t%-10s posix %u %s %s value %" PRIu64 ".%09" PRIu64 " s interval %" PRIu64
			".%09" PRIu64 " s\n",
			"timer", p->id, clock_name(p->clock_id), signame(p->signo, t1, sizeof(t1)),
			p->value_sec, p->value_nsec, p->interval_sec, p->interval_nsec);
	}
	for (size_t i = 0; i < k->n_rlimits; i++) {
		const struct crimg_rlimit *r = &k->rlimits[i];
		char cur[32], max[32];
		snprintf(cur, sizeof(cur), r->cur == UINT64_MAX ? "unlimited" : "%" PRIu64, r->cur);
		snprintf(max, sizeof(max), r->max == UINT64_MAX ? "unlimited" : "%" PRIu64, r->max);
		fprintf(f, "\t%-10s %-17s %s / %s\n", "rlimit", r->name ? r->name : "?", cur, max);
	}
	for (size_t i = 0; i < nth; i++) {
		const struct crimg_regs *r = &th[i].regs;
		if (!r->n_gp) {
			fprintf(f, "\t%-10s %u: no registers\n", "thread", th[i].tid);
			continue;
		}
		fprintf(f, "\t%-10s %u: pc 0x%" PRIx64 " sp 0x%" PRIx64 "%s%s\n", "thread",
			th[i].tid, r->pc, r->sp, th[i].comm ? " comm " : "",
			th[i].comm ? th[i].comm : "");
		if (th[i].has_blk_sigset)
			fprintf(f, "\t%-10s %u: blocked %s\n", "thread", th[i].tid,
				sigset(th[i].blk_sigset, b, sizeof(b)));
		for (size_t p = 0; p < th[i].n_pending; p++)
			fprintf(f, "\t%-10s %u: pending %s\n", "thread", th[i].tid,
				siginfo_text(&th[i].pending[p], b, sizeof(b)));
	}
}

static void creds_json(struct xj *j, const struct crimg_creds *cr)
{
	xj_obj(j, "creds");
	xj_arr(j, "uid");
	xj_u64(j, NULL, cr->uid);
	xj_u64(j, NULL, cr->euid);
	xj_u64(j, NULL, cr->suid);
	xj_u64(j, NULL, cr->fsuid);
	xj_end_arr(j);
	xj_arr(j, "gid");
	xj_u64(j, NULL, cr->gid);
	xj_u64(j, NULL, cr->egid);
	xj_u64(j, NULL, cr->sgid);
	xj_u64(j, NULL, cr->fsgid);
	xj_end_arr(j);
	xj_arr(j, "groups");
	for (size_t i = 0; i < cr->n_groups; i++)
		xj_u64(j, NULL, cr->groups[i]);
	xj_end_arr(j);
	xj_hex(j, "cap_inh", cr->cap_inh);
	xj_hex(j, "cap_prm", cr->cap_prm);
	xj_hex(j, "cap_eff", cr->cap_eff);
	xj_hex(j, "cap_bnd", cr->cap_bnd);
	if (cr->has_cap_amb)
		xj_hex(j, "cap_amb", cr->cap_amb);
	xj_hex(j, "secbits", cr->secbits);
	xj_bool(j, "no_new_privs", cr->no_new_privs);
	if (cr->lsm_profile)
		xj_str(j, "lsm_profile", cr->lsm_profile);
	xj_end_obj(j);
}

static void core_json(struct xctx *x, const struct crimg_task *t, const struct crimg_task_core *k,
		      const struct crimg_thread *th, size_t nth)
{
	struct xj *j = &x->j;
	char b[1024], t1[16];
	xj_obj(j, NULL);
	xj_u64(j, "pid", t->pid);
	xj_str(j, "comm", k->comm);
	xj_str(j, "state", crimg_task_state_name(k->state));
	if (crimg_task_is_zombie(k)) {
		if (k->exit_code & 0x7f)
			xj_u64(j, "exit_signal", k->exit_code & 0x7f);
		else
			xj_u64(j, "exit_status", (k->exit_code >> 8) & 0xff);
	}
	xj_str(j, "arch", k->arch);
	xj_hex(j, "personality", k->personality);
	xj_hex(j, "blocked", k->blk_sigset);
	pending_json(j, k->shared_pending, k->n_shared_pending);
	if (k->has_oom_score_adj)
		xj_i64(j, "oom_score_adj", k->oom_score_adj);
	if (k->has_loginuid)
		xj_u64(j, "loginuid", k->loginuid);
	if (k->cg_set)
		xj_u64(j, "cg_set", k->cg_set);
	xj_arr(j, "sigactions");
	for (size_t i = 0; i < k->n_sigactions; i++) {
		const struct crimg_sigaction *s = &k->sigactions[i];
		xj_obj(j, NULL);
		xj_u64(j, "signo", s->signo);
		xj_str(j, "signal", signame(s->signo, t1, sizeof(t1)));
		if (s->handler == 1)
			xj_str(j, "handler", "SIG_IGN");
		else
			xj_hex(j, "handler", s->handler);
		xj_str(j, "flags", sa_flags(s->flags, b, sizeof(b)));
		xj_hex(j, "mask", s->mask);
		xj_hex(j, "restorer", s->restorer);
		xj_end_obj(j);
	}
	xj_end_arr(j);
	if (k->has_timers) {
		const struct crimg_itimer *its[3] = { &k->itimer_real, &k->itimer_virt,
						      &k->itimer_prof };
		const char *names[3] = { "itimer_real", "itimer_virtual", "itimer_prof" };
		for (int i = 0; i < 3; i++) {
			xj_obj(j, names[i]);
			xj_u64(j, "value_sec", its[i]->value_sec);
			xj_u64(j, "value_usec", its[i]->value_usec);
			xj_u64(j, "interval_sec", its[i]->interval_sec);
			xj_u64(j, "interval_usec", its[i]->interval_usec);
			xj_end_obj(j);
		}
	}
	xj_arr(j, "posix_timers");
	for (size_t i = 0; i < k->n_posix_timers; i++) {
		const struct crimg_posix_timer *p = &k->posix_timers[i];
		xj_obj(j, NULL);
		xj_u64(j, "id", p->id);
		xj_str(j, "clock", clock_name(p->clock_id));
		xj_u64(j, "signo", p->signo);
		xj_u64(j, "notify", p->notify);
		xj_u64(j, "value_sec", p->value_sec);
		xj_u64(j, "value_nsec", p->value_nsec);
		xj_u64(j, "interval_sec", p->interval_sec);
		xj_u64(j, "interval_nsec", p->interval_nsec);
		xj_u64(j, "overrun", p->overrun);
		xj_end_obj(j);
	}
	xj_end_arr(j);
	xj_arr(j, "rlimits");
	for (size_t i = 0; i < k->n_rlimits; i++) {
		xj_obj(j, NULL);
		xj_str(j, "name", k->rlimits[i].name);
		xj_u64(j, "cur", k->rlimits[i].cur);
		xj_u64(j, "max", k->rlimits[i].max);
		xj_end_obj(j);
	}
	xj_end_arr(j);
	xj_arr(j, "threads");
	for (size_t i = 0; i < nth; i++) {
		const struct crimg_regs *r = &th[i].regs;
		xj_obj(j, NULL);
		xj_u64(j, "tid", th[i].tid);
		if (th[i].comm)
			xj_str(j, "comm", th[i].comm);
		if (th[i].creds)
			creds_json(j, th[i].creds);
		if (th[i].has_blk_sigset)
			xj_hex(j, "blocked", th[i].blk_sigset);
		pending_json(j, th[i].pending, th[i].n_pending);
		xj_u64(j, "seccomp_mode", th[i].seccomp_mode);
		if (r->n_gp) {
			xj_hex(j, "pc", r->pc);
			xj_hex(j, "sp", r->sp);
			xj_hex(j, "tls", r->tls);
			xj_obj(j, "regs");
			for (size_t g = 0; g < r->n_gp; g++)
				xj_hex(j, r->gp[g].name, r->gp[g].value);
			xj_end_obj(j);
		}
		xj_end_obj(j);
	}
	xj_end_arr(j);
	xj_end_obj(j);
}

int x_core(struct xctx *x)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_tree *tr = crimg_ckpt_tree(x->c, &err);
	if (!tr)
		return x_fail(&err);
	if (x->json) {
		xj_obj(&x->j, NULL);
		xj_arr(&x->j, "tasks");
	}
	for (size_t i = 0; i < tr->n_tasks; i++) {
		const struct crimg_task *t = &tr->tasks[i];
		if (!x_selected(x, t))
			continue;
		const struct crimg_task_core *k = crimg_task_core(x->c, t, &err);
		size_t nth = 0;
		const struct crimg_thread *th = k ? crimg_task_threads(x->c, t, &nth, &err) : NULL;
		if (!th)
			return x_fail(&err);
		if (x->json)
			core_json(x, t, k, th, nth);
		else
			core_text(x, t, k, th, nth);
	}
	if (x->json) {
		xj_end_arr(&x->j);
		xj_end_obj(&x->j);
		xj_finish(&x->j);
	}
	return 0;
}
