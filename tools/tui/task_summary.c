/* A task's summary: what core-PID.img, the thread cores, ids-PID.img,
 * cgroup.img and inventory.img say of it, as a scrollable list of
 * sections (identity, credentials, namespaces, cgroup, limits, timers,
 * seccomp, signals, scheduling, process, restore options).  Made once
 * when the tab opens (one task's images), kept as lines of text with role
 * marks; a part that cannot be read shows its error where it would be. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "signals.h"
#include "tui.h"

typedef void tui_json_fn(void *arg, const char *key, const char *val, int is_str);
/* task_regs.c */
int tui_task_json_walk(const ProtobufCMessage *m, enum crimg_byte_order bo, int hex, unsigned per,
		       tui_json_fn *fn, void *arg, struct crimg_error *err);
extern const char *const tui_task_help[];

/* ---- lines: text with role marks (byte 1 + role) ---- */

#define LINE_MAX_BYTES 1200
#define LINES_MAX 100000

struct lines {
	char **s;
	uint64_t *addr; /* Enter opens the memory here (0: nothing to follow) */
	size_t *sect;   /* the section title a line is under */
	size_t n, cap;
	size_t cur_sect;
	char cur[LINE_MAX_BYTES];
	size_t len;
	uint64_t cur_addr;
	size_t *sects; /* line numbers of the section titles */
	size_t n_sects, cap_sects;
	int oom;
};

static void seg(struct lines *L, int role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seg(struct lines *L, int role, const char *fmt, ...)
{
	char buf[LINE_MAX_BYTES];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	if ((size_t)k >= sizeof(buf))
		k = sizeof(buf) - 1;
	if (L->len + 2 >= sizeof(L->cur))
		return;
	L->cur[L->len++] = 1;
	L->cur[L->len++] = (char)(role + 1);
	for (int i = 0; i < k && L->len + 1 < sizeof(L->cur); i++) {
		unsigned char c = (unsigned char)buf[i];
		L->cur[L->len++] = c == 1 ? '?' : (char)c; /* controls are shown as '?' later */
	}
}

/* A string from an image (any bytes) as one segment. */
static void segs(struct lines *L, int role, const char *s)
{
	seg(L, role, "%s", s ? s : "");
}

static void endl(struct lines *L)
{
	if (L->n == L->cap) {
		size_t c = L->cap ? L->cap * 2 : 128;
		if (c > LINES_MAX)
			c = LINES_MAX;
		char **s = L->n < c ? realloc(L->s, c * sizeof(*s)) : NULL;
		if (s)
			L->s = s;
		uint64_t *a = s ? realloc(L->addr, c * sizeof(*a)) : NULL;
		if (a)
			L->addr = a;
		size_t *se = a ? realloc(L->sect, c * sizeof(*se)) : NULL;
		if (se)
			L->sect = se;
		if (!s || !a || !se) {
			L->oom = 1;
			L->len = 0;
			L->cur_addr = 0;
			return;
		}
		L->cap = c;
	}
	char *line = malloc(L->len + 1);
	if (!line) {
		L->oom = 1;
	} else {
		memcpy(line, L->cur, L->len);
		line[L->len] = 0;
		L->s[L->n] = line;
		L->addr[L->n] = L->cur_addr;
		L->sect[L->n] = L->cur_sect;
		L->n++;
	}
	L->len = 0;
	L->cur_addr = 0;
}

static void section(struct lines *L, const char *title)
{
	if (L->n)
		endl(L); /* a blank line between sections */
	if (L->n_sects == L->cap_sects) {
		size_t c = L->cap_sects ? L->cap_sects * 2 : 16;
		size_t *s = realloc(L->sects, c * sizeof(*s));
		if (!s) {
			L->oom = 1;
			return;
		}
		L->sects = s;
		L->cap_sects = c;
	}
	L->cur_sect = L->n_sects;
	L->sects[L->n_sects++] = L->n;
	seg(L, TR_HEADER, "%s", title);
	endl(L);
}

/* "  name          " in TR_DIM: the start of a line of a section. */
static void name(struct lines *L, const char *n)
{
	seg(L, TR_DIM, "  %-15s ", n);
}

static void error_line(struct lines *L, const char *what, const struct crimg_error *err)
{
	char e[400];
	tui_errstr(err, e, sizeof(e));
	name(L, what);
	seg(L, TR_ERROR, "%s", e);
	endl(L);
}

/* ---- names for numbers ---- */

static const char *signame(long s, char *b, size_t len)
{
	const char *n = tool_signal_name(s);
	if (n)
		return n;
	if (s >= 34 && s <= 64)
		snprintf(b, len, "SIGRTMIN+%ld", s - 34);
	else
		snprintf(b, len, "SIG%ld", s);
	return b;
}

/* "SIGUSR1 SIGTERM" for a mask (bit N-1 = signal N); "none" for 0. */
static const char *sigset_str(uint64_t m, char *b, size_t len)
{
	size_t n = 0;
	char t[24];
	b[0] = 0;
	for (unsigned s = 1; s <= 64 && n < len; s++)
		if (m >> (s - 1) & 1)
			n += (size_t)snprintf(b + n, len - n, "%s%s", n ? " " : "",
					      signame(s, t, sizeof(t)));
	if (!n)
		snprintf(b, len, "none");
	return b;
}

static const char *const capnames[] = {
	"chown",
	"dac_override",
	"dac_read_search",
	"fowner",
	"fsetid",
	"kill",
	"setgid",
	"setuid",
	"setpcap",
	"linux_immutable",
	"net_bind_service",
	"net_broadcast",
	"net_admin",
	"net_raw",
	"ipc_lock",
	"ipc_owner",
	"sys_module",
	"sys_rawio",
	"sys_chroot",
	"sys_ptrace",
	"sys_pacct",
	"sys_admin",
	"sys_boot",
	"sys_nice",
	"sys_resource",
	"sys_time",
	"sys_tty_config",
	"mknod",
	"lease",
	"audit_write",
	"audit_control",
	"setfcap",
	"mac_override",
	"mac_admin",
	"syslog",
	"wake_alarm",
	"block_suspend",
	"audit_read",
	"perfmon",
	"bpf",
	"checkpoint_restore",
};
#define NCAPS (sizeof(capnames) / sizeof(capnames[0]))

/* Names of a capability set when short: "none", "all", "all but X Y",
 * "a b c"; "" when too many to list. */
static void caps_names(uint64_t v, char *b, size_t len)
{
	unsigned set = 0, unset = 0;
	uint64_t all = (1ull << NCAPS) - 1;
	for (unsigned i = 0; i < NCAPS; i++)
		(v >> i & 1) ? set++ : unset++;
	b[0] = 0;
	if (v & ~all)
		return; /* bits past the known ones: the hex says it */
	if (!set) {
		snprintf(b, len, "none");
	} else if (!unset) {
		snprintf(b, len, "all");
	} else if (set <= 5 || unset <= 5) {
		size_t n = (size_t)snprintf(b, len, "%s", set <= 5 ? "" : "all but");
		for (unsigned i = 0; i < NCAPS && n < len; i++)
			if ((v >> i & 1) == (set <= 5))
				n += (size_t)snprintf(b + n, len - n, "%s%s", n ? " " : "",
						      capnames[i]);
	}
}

static const char *policy_name(uint32_t p)
{
	static const char *const n[] = { "SCHED_OTHER",   "SCHED_FIFO", "SCHED_RR",
					 "SCHED_BATCH",   NULL,         "SCHED_IDLE",
					 "SCHED_DEADLINE" };
	return p < sizeof(n) / sizeof(n[0]) && n[p] ? n[p] : "?";
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

static const char *notify_name(uint32_t n)
{
	switch (n & ~4u) {
	case 0:
		return n & 4 ? "SIGEV_SIGNAL|SIGEV_THREAD_ID" : "SIGEV_SIGNAL";
	case 1:
		return "SIGEV_NONE";
	case 2:
		return "SIGEV_THREAD";
	default:
		return "?";
	}
}

/* ---- the sections ---- */

static void siginfo_line(struct lines *L, const char *who, const struct crimg_siginfo *si)
{
	char t[24];
	name(L, who);
	seg(L, TR_TEXT, "%s", signame(si->signo, t, sizeof(t)));
	const char *cn = crimg_si_code_name(si->signo, si->code);
	if (cn)
		seg(L, TR_TEXT, " %s", cn);
	else
		seg(L, TR_TEXT, " code %d", si->code);
	if (si->err)
		seg(L, TR_TEXT, " errno %d", si->err);
	switch (si->layout) {
	case CRIMG_SI_KILL:
	case CRIMG_SI_RT:
	case CRIMG_SI_CHLD:
		seg(L, TR_DIM, " pid ");
		seg(L, TR_TEXT, "%d", si->pid);
		seg(L, TR_DIM, " uid ");
		seg(L, TR_TEXT, "%u", si->uid);
		if (si->layout == CRIMG_SI_RT) {
			seg(L, TR_DIM, " value ");
			seg(L, TR_ADDR, "0x%" PRIx64, si->value);
		}
		if (si->layout == CRIMG_SI_CHLD) {
			seg(L, TR_DIM, " status ");
			seg(L, TR_TEXT, "%d", si->status);
		}
		break;
	case CRIMG_SI_TIMER:
		seg(L, TR_DIM, " timer ");
		seg(L, TR_TEXT, "%d", si->timerid);
		seg(L, TR_DIM, " overrun ");
		seg(L, TR_TEXT, "%d", si->overrun);
		seg(L, TR_DIM, " value ");
		seg(L, TR_ADDR, "0x%" PRIx64, si->value);
		break;
	case CRIMG_SI_POLL:
		seg(L, TR_DIM, " band ");
		seg(L, TR_TEXT, "0x%" PRIx64, (uint64_t)si->band);
		seg(L, TR_DIM, " fd ");
		seg(L, TR_TEXT, "%d", si->fd);
		break;
	case CRIMG_SI_FAULT:
		seg(L, TR_DIM, " addr ");
		seg(L, TR_ADDR, "0x%" PRIx64, si->addr);
		break;
	case CRIMG_SI_SYS:
		seg(L, TR_DIM, " addr ");
		seg(L, TR_ADDR, "0x%" PRIx64, si->addr);
		seg(L, TR_DIM, " syscall ");
		seg(L, TR_TEXT, "%d", si->syscall);
		seg(L, TR_DIM, " arch ");
		seg(L, TR_TEXT, "0x%x", si->arch);
		break;
	case CRIMG_SI_SHORT:
		seg(L, TR_WARN, " (siginfo cut short: %zu bytes)", si->raw_len);
		break;
	}
	endl(L);
}

static void identity(struct lines *L, struct tui *t, const struct crimg_task *task,
		     const struct crimg_task_core *k, const struct crimg_error *kerr,
		     const struct crimg_thread *th, size_t nth)
{
	section(L, "Identity");
	name(L, "pid");
	seg(L, TR_TEXT, "%u", task->pid);
	seg(L, TR_DIM, "  ppid ");
	seg(L, TR_TEXT, "%u", task->ppid);
	seg(L, TR_DIM, "  pgid ");
	seg(L, TR_TEXT, "%u", task->pgid);
	seg(L, TR_DIM, "  sid ");
	seg(L, TR_TEXT, "%u", task->sid);
	endl(L);
	if (!k) {
		error_line(L, "core", kerr);
	} else {
		name(L, "comm");
		segs(L, TR_ACCENT, k->comm);
		endl(L);
		name(L, "state");
		if (crimg_task_is_zombie(k)) {
			uint32_t c = k->exit_code;
			seg(L, TR_WARN, "zombie, ");
			if (c & 0x7f)
				seg(L, TR_WARN, "killed by signal %u%s", c & 0x7f,
				    c & 0x80 ? " (core dumped)" : "");
			else
				seg(L, TR_WARN, "exited with status %u", (c >> 8) & 0xff);
		} else {
			seg(L, k->state == CRIMG_TASK_ALIVE ? TR_TEXT : TR_WARN, "%s",
			    crimg_task_state_name(k->state));
		}
		endl(L);
		name(L, "architecture");
		segs(L, TR_TEXT, k->arch);
		endl(L);
	}
	name(L, "threads");
	seg(L, TR_TEXT, "%zu", task->n_threads);
	endl(L);
	for (size_t i = 0; th && i < nth; i++) {
		name(L, "");
		seg(L, TR_TEXT, "%u", th[i].tid);
		if (th[i].comm) {
			seg(L, TR_TEXT, " ");
			segs(L, TR_ACCENT, th[i].comm);
		}
		if (!i)
			seg(L, TR_DIM, " (main)");
		endl(L);
	}
	name(L, "children");
	seg(L, TR_TEXT, "%zu", task->n_children);
	endl(L);
}

static void creds(struct lines *L, const struct crimg_thread *th, size_t nth)
{
	section(L, "Credentials");
	const struct crimg_creds *cr = nth ? th[0].creds : NULL;
	if (!cr) {
		name(L, "");
		seg(L, TR_DIM, "none recorded");
		endl(L);
		return;
	}
	name(L, "uid");
	seg(L, TR_TEXT, "%u %u %u %u", cr->uid, cr->euid, cr->suid, cr->fsuid);
	seg(L, TR_DIM, "  (real effective saved fs)");
	endl(L);
	name(L, "gid");
	seg(L, TR_TEXT, "%u %u %u %u", cr->gid, cr->egid, cr->sgid, cr->fsgid);
	endl(L);
	name(L, "groups");
	if (!cr->n_groups)
		seg(L, TR_DIM, "none");
	for (size_t i = 0; i < cr->n_groups && i < 64; i++)
		seg(L, TR_TEXT, "%s%u", i ? " " : "", cr->groups[i]);
	if (cr->n_groups > 64)
		seg(L, TR_DIM, " ... (%zu)", cr->n_groups);
	endl(L);
	const struct {
		const char *n;
		uint64_t v;
		int has;
	} caps[] = { { "cap effective", cr->cap_eff, 1 },
		     { "cap permitted", cr->cap_prm, 1 },
		     { "cap inheritable", cr->cap_inh, 1 },
		     { "cap bounding", cr->cap_bnd, 1 },
		     { "cap ambient", cr->cap_amb, cr->has_cap_amb } };
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		char b[400];
		name(L, caps[i].n);
		if (!caps[i].has) {
			seg(L, TR_DIM, "not recorded");
			endl(L);
			continue;
		}
		seg(L, TR_TEXT, "0x%016" PRIx64, caps[i].v);
		caps_names(caps[i].v, b, sizeof(b));
		if (*b)
			seg(L, TR_DIM, "  %s", b);
		endl(L);
	}
	name(L, "securebits");
	seg(L, TR_TEXT, "0x%x", cr->secbits);
	endl(L);
	name(L, "no_new_privs");
	seg(L, TR_TEXT, "%s", cr->no_new_privs ? "yes" : "no");
	endl(L);
	name(L, "LSM profile");
	if (cr->lsm_profile)
		segs(L, TR_TEXT, cr->lsm_profile);
	else
		seg(L, TR_DIM, "none");
	endl(L);
	/* threads whose credentials differ from the main thread's */
	for (size_t i = 1; i < nth; i++) {
		const struct crimg_creds *c2 = th[i].creds;
		if (!c2 ||
		    (c2->uid == cr->uid && c2->euid == cr->euid && c2->gid == cr->gid &&
		     c2->egid == cr->egid && c2->cap_eff == cr->cap_eff &&
		     c2->cap_prm == cr->cap_prm))
			continue;
		name(L, "");
		seg(L, TR_WARN, "thread %u differs: uid %u/%u gid %u/%u cap eff 0x%" PRIx64,
		    th[i].tid, c2->uid, c2->euid, c2->gid, c2->egid, c2->cap_eff);
		endl(L);
	}
}

static void namespaces(struct lines *L, struct tui *t, const struct crimg_task *task, int zombie)
{
	struct crimg_error err;
	struct crimg_namespace ns[8];
	section(L, "Namespaces");
	crimg_error_clear(&err);
	if (crimg_task_namespaces(t->c, task, ns, &err)) {
		if (zombie) {
			name(L, "");
			seg(L, TR_DIM, "none: a zombie keeps no ids");
			endl(L);
		} else {
			error_line(L, "ids", &err);
		}
		return;
	}
	for (size_t i = 0; i < 8; i++) {
		name(L, ns[i].kind ? ns[i].kind : "?");
		if (!ns[i].id) {
			seg(L, TR_DIM, "not recorded");
		} else {
			seg(L, TR_TEXT, "%u", ns[i].id);
			if (ns[i].image) {
				seg(L, TR_DIM, "  ");
				segs(L, TR_DIM, ns[i].image);
			}
		}
		endl(L);
	}
	crimg_error_clear(&err);
	const struct crimg_task_ids *ids = crimg_task_ids(t->c, task, &err);
	if (ids) {
		name(L, "shared objects");
		seg(L, TR_DIM, "vm ");
		seg(L, TR_TEXT, "%u", ids->vm_id);
		seg(L, TR_DIM, "  files ");
		seg(L, TR_TEXT, "%u", ids->files_id);
		seg(L, TR_DIM, "  fs ");
		seg(L, TR_TEXT, "%u", ids->fs_id);
		seg(L, TR_DIM, "  sighand ");
		seg(L, TR_TEXT, "%u", ids->sighand_id);
		endl(L);
	}
}

static void cgroup(struct lines *L, struct tui *t, const struct crimg_task_core *k)
{
	struct crimg_error err;
	section(L, "Cgroup");
	if (!k)
		return;
	name(L, "set");
	if (!k->cg_set) {
		seg(L, TR_DIM, "none recorded");
		endl(L);
		return;
	}
	seg(L, TR_TEXT, "%u", k->cg_set);
	endl(L);
	if (!crimg_ckpt_has(t->c, "cgroup.img")) {
		name(L, "");
		seg(L, TR_DIM, "cgroup.img is not in this checkpoint");
		endl(L);
		return;
	}
	crimg_error_clear(&err);
	const struct crimg_cgroups *cg = crimg_ckpt_cgroups(t->c, &err);
	if (!cg) {
		error_line(L, "cgroup.img", &err);
		return;
	}
	const struct crimg_cgroup_set *set = crimg_cgroups_find_set(cg, k->cg_set);
	if (!set) {
		name(L, "");
		seg(L, TR_ERROR, "cgroup.img has no set %u", k->cg_set);
		endl(L);
		return;
	}
	for (size_t i = 0; i < set->n_members; i++) {
		const struct crimg_cgroup_member *m = &set->members[i];
		seg(L, TR_DIM, "  ");
		segs(L, TR_ACCENT, m->controllers && *m->controllers ? m->controllers : "(v2)");
		seg(L, TR_DIM, "  ");
		segs(L, TR_TEXT, m->path);
		endl(L);
	}
}

static void limits(struct lines *L, const struct crimg_task_core *k)
{
	section(L, "Resource limits                     soft          hard");
	if (!k)
		return;
	if (!k->n_rlimits) {
		name(L, "");
		seg(L, TR_DIM, "none recorded");
		endl(L);
	}
	for (size_t i = 0; i < k->n_rlimits; i++) {
		const struct crimg_rlimit *r = &k->rlimits[i];
		char n[32];
		if (r->name)
			snprintf(n, sizeof(n), "%s", r->name);
		else
			snprintf(n, sizeof(n), "RLIMIT %zu", i);
		seg(L, TR_DIM, "  %-20s", n);
		if (r->cur == UINT64_MAX)
			seg(L, TR_DIM, " %18s", "unlimited");
		else
			seg(L, TR_TEXT, " %18" PRIu64, r->cur);
		if (r->max == UINT64_MAX)
			seg(L, TR_DIM, " %13s", "unlimited");
		else
			seg(L, TR_TEXT, " %13" PRIu64, r->max);
		endl(L);
	}
}

static void timers(struct lines *L, const struct crimg_task_core *k)
{
	char t1[24];
	section(L, "Timers");
	if (!k)
		return;
	const struct {
		const char *n;
		const struct crimg_itimer *it;
	} its[] = { { "ITIMER_REAL", &k->itimer_real },
		    { "ITIMER_VIRTUAL", &k->itimer_virt },
		    { "ITIMER_PROF", &k->itimer_prof } };
	for (size_t i = 0; i < 3; i++) {
		const struct crimg_itimer *it = its[i].it;
		name(L, its[i].n);
		if (!k->has_timers) {
			seg(L, TR_DIM, "not recorded");
		} else if (!it->value_sec && !it->value_usec && !it->interval_sec &&
			   !it->interval_usec) {
			seg(L, TR_DIM, "off");
		} else {
			seg(L, TR_DIM, "value ");
			seg(L, TR_TEXT, "%" PRIu64 ".%06" PRIu64 " s", it->value_sec,
			    it->value_usec);
			seg(L, TR_DIM, "  interval ");
			seg(L, TR_TEXT, "%" PRIu64 ".%06" PRIu64 " s", it->interval_sec,
			    it->interval_usec);
		}
		endl(L);
	}
	if (!k->n_posix_timers) {
		name(L, "POSIX timers");
		seg(L, TR_DIM, "none");
		endl(L);
	}
	for (size_t i = 0; i < k->n_posix_timers; i++) {
		const struct crimg_posix_timer *p = &k->posix_timers[i];
		char n[32];
		snprintf(n, sizeof(n), "POSIX timer %u", p->id);
		name(L, n);
		seg(L, TR_TEXT, "%s %s %s", clock_name(p->clock_id), notify_name(p->notify),
		    signame(p->signo, t1, sizeof(t1)));
		if (p->notify_tid)
			seg(L, TR_TEXT, " tid %d", p->notify_tid);
		endl(L);
		name(L, "");
		seg(L, TR_DIM, "value ");
		seg(L, TR_TEXT, "%" PRIu64 ".%09" PRIu64 " s", p->value_sec, p->value_nsec);
		seg(L, TR_DIM, "  interval ");
		seg(L, TR_TEXT, "%" PRIu64 ".%09" PRIu64 " s", p->interval_sec, p->interval_nsec);
		seg(L, TR_DIM, "  overrun ");
		seg(L, TR_TEXT, "%u", p->overrun);
		seg(L, TR_DIM, "  sival ");
		seg(L, TR_ADDR, "0x%" PRIx64, p->sival);
		endl(L);
	}
}

static void seccomp(struct lines *L, const struct crimg_thread *th, size_t nth)
{
	static const char *const modes[] = { "disabled", "strict", "filter" };
	section(L, "Seccomp");
	int same = 1;
	for (size_t j = 1; j < nth; j++)
		same &= th[j].seccomp_mode == th[0].seccomp_mode &&
			th[j].seccomp_filter == th[0].seccomp_filter;
	for (size_t i = 0; i < (same && nth ? 1 : nth); i++) {
		char n[32];
		if (same)
			snprintf(n, sizeof(n), nth == 1 ? "thread" : "all threads");
		else
			snprintf(n, sizeof(n), "thread %u", th[i].tid);
		name(L, n);
		unsigned m = th[i].seccomp_mode;
		seg(L, m ? TR_WARN : TR_TEXT, "%s", m < 3 ? modes[m] : "?");
		if (m == 2) {
			seg(L, TR_DIM, "  filter ");
			seg(L, TR_TEXT, "%u", th[i].seccomp_filter);
		}
		endl(L);
	}
}

static void signals(struct lines *L, const struct crimg_task_core *k, const struct crimg_thread *th,
		    size_t nth)
{
	char b[1024], t1[24];
	section(L, "Signals");
	if (!k)
		return;
	name(L, "blocked");
	seg(L, k->blk_sigset ? TR_TEXT : TR_DIM, "%s", sigset_str(k->blk_sigset, b, sizeof(b)));
	seg(L, TR_DIM, "  (main thread)");
	endl(L);
	for (size_t i = 0; i < nth; i++) {
		char n[32];
		if (!th[i].has_blk_sigset)
			continue;
		snprintf(n, sizeof(n), "thread %u", th[i].tid);
		name(L, n);
		seg(L, th[i].blk_sigset ? TR_TEXT : TR_DIM, "%s",
		    sigset_str(th[i].blk_sigset, b, sizeof(b)));
		seg(L, TR_DIM, "  blocked");
		endl(L);
	}
	size_t npend = k->n_shared_pending;
	for (size_t i = 0; i < k->n_shared_pending; i++)
		siginfo_line(L, "pending", &k->shared_pending[i]);
	for (size_t i = 0; i < nth; i++)
		for (size_t p = 0; p < th[i].n_pending; p++) {
			char n[40];
			snprintf(n, sizeof(n), "pending %u", th[i].tid);
			siginfo_line(L, n, &th[i].pending[p]);
			npend++;
		}
	if (!npend) {
		name(L, "pending");
		seg(L, TR_DIM, "none");
		endl(L);
	}
	for (size_t i = 0; i < k->n_sigactions; i++) {
		const struct crimg_sigaction *s = &k->sigactions[i];
		name(L, signame(s->signo, t1, sizeof(t1)));
		if (s->handler == 1) {
			seg(L, TR_TEXT, "ignored");
			endl(L);
			continue;
		}
		seg(L, TR_DIM, "handler ");
		seg(L, TR_LINK, "0x%" PRIx64, s->handler);
		seg(L, TR_DIM, " flags ");
		seg(L, TR_TEXT, "0x%" PRIx64, s->flags);
		if (s->flags & 4)
			seg(L, TR_DIM, " SA_SIGINFO");
		if (s->flags & 0x10000000)
			seg(L, TR_DIM, " SA_RESTART");
		if (s->flags & 0x08000000)
			seg(L, TR_DIM, " SA_ONSTACK");
		seg(L, TR_DIM, " mask ");
		seg(L, s->mask ? TR_TEXT : TR_DIM, "%s", sigset_str(s->mask, b, sizeof(b)));
		if (s->compat)
			seg(L, TR_DIM, " (compat)");
		L->cur_addr = s->handler;
		endl(L);
	}
	if (!k->n_sigactions) {
		name(L, "handlers");
		seg(L, TR_DIM, "all default");
		endl(L);
	}
}

static void sched(struct lines *L, const struct crimg_thread *th, size_t nth)
{
	section(L, "Scheduling");
	for (size_t i = 0; i < nth; i++) {
		char n[32];
		snprintf(n, sizeof(n), "thread %u", th[i].tid);
		name(L, n);
		if (!th[i].has_sched) {
			seg(L, TR_DIM, "not recorded");
		} else {
			seg(L, TR_DIM, "nice ");
			seg(L, TR_TEXT, "%d", th[i].sched_nice);
			seg(L, TR_DIM, "  policy ");
			seg(L, TR_TEXT, "%s", policy_name(th[i].sched_policy));
			seg(L, TR_DIM, "  priority ");
			seg(L, TR_TEXT, "%u", th[i].sched_prio);
		}
		endl(L);
	}
}

static void process(struct lines *L, const struct crimg_task_core *k, const struct crimg_thread *th,
		    size_t nth)
{
	char t1[24];
	section(L, "Process");
	if (!k)
		return;
	name(L, "personality");
	seg(L, TR_TEXT, "0x%x", k->personality);
	if ((k->personality & 0xff) == 0)
		seg(L, TR_DIM, "  PER_LINUX");
	if (k->personality & 0x0040000)
		seg(L, TR_DIM, " ADDR_NO_RANDOMIZE");
	if (k->personality & 0x0400000)
		seg(L, TR_DIM, " READ_IMPLIES_EXEC");
	endl(L);
	name(L, "task flags");
	seg(L, TR_TEXT, "0x%x", k->flags);
	endl(L);
	name(L, "oom_score_adj");
	if (k->has_oom_score_adj)
		seg(L, TR_TEXT, "%d", k->oom_score_adj);
	else
		seg(L, TR_DIM, "not recorded");
	endl(L);
	name(L, "child_subreaper");
	seg(L, TR_TEXT, "%s", k->child_subreaper ? "yes" : "no");
	endl(L);
	name(L, "loginuid");
	if (!k->has_loginuid)
		seg(L, TR_DIM, "not recorded");
	else if (k->loginuid == UINT32_MAX)
		seg(L, TR_DIM, "unset (4294967295)");
	else
		seg(L, TR_TEXT, "%u", k->loginuid);
	endl(L);
	for (size_t i = 0; i < nth; i++) {
		if (!th[i].pdeath_sig)
			continue;
		char n[40];
		snprintf(n, sizeof(n), "pdeath_sig %u", th[i].tid);
		name(L, n);
		seg(L, TR_TEXT, "%s", signame(th[i].pdeath_sig, t1, sizeof(t1)));
		endl(L);
	}
}

/* inventory.img fields the model leaves out, from its JSON */
static void inv_field(void *arg, const char *key, const char *val, int is_str)
{
	static const char *const shown[] = { "img_version",         "tcp_close",
					     "network_lock_method", "lsmtype",
					     "allow_uprobes",       "plugins_entry",
					     "dump_criu_run_id" };
	struct lines *L = arg;
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		if (!strncmp(key, shown[i], strlen(shown[i])))
			return;
	seg(L, TR_DIM, "  %-23s ", key);
	segs(L, TR_TEXT, val);
	(void)is_str;
	endl(L);
}

static void inventory(struct lines *L, struct tui *t)
{
	static const char *const locks[] = { "iptables", "nftables", "skip" };
	static const char *const lsms[] = { "none", "SELinux", "AppArmor" };
	struct crimg_error err;
	section(L, "Restore options (inventory.img, the whole checkpoint)");
	if (!crimg_ckpt_has(t->c, "inventory.img")) {
		name(L, "");
		seg(L, TR_DIM, "inventory.img is not in this checkpoint");
		endl(L);
		return;
	}
	crimg_error_clear(&err);
	const struct crimg_inventory *inv = crimg_ckpt_inventory(t->c, &err);
	if (!inv) {
		error_line(L, "inventory", &err);
		return;
	}
	name(L, "image version");
	seg(L, TR_TEXT, "%u", inv->img_version);
	endl(L);
	name(L, "tcp_close");
	seg(L, inv->tcp_close ? TR_WARN : TR_TEXT, "%s",
	    inv->tcp_close ? "yes: connections restore closed" : "no");
	endl(L);
	name(L, "network lock");
	if (!inv->has_network_lock)
		seg(L, TR_DIM, "not recorded");
	else if (inv->network_lock < 3)
		seg(L, TR_TEXT, "%s", locks[inv->network_lock]);
	else
		seg(L, TR_TEXT, "%u", inv->network_lock);
	endl(L);
	name(L, "LSM");
	if (!inv->has_lsm)
		seg(L, TR_DIM, "not recorded");
	else if (inv->lsm < 3)
		seg(L, TR_TEXT, "%s", lsms[inv->lsm]);
	else
		seg(L, TR_TEXT, "%u", inv->lsm);
	endl(L);
	name(L, "allow_uprobes");
	seg(L, TR_TEXT, "%s", inv->allow_uprobes ? "yes" : "no");
	endl(L);
	name(L, "plugins");
	if (!inv->n_plugins)
		seg(L, TR_DIM, "%s", inv->has_plugins ? "none" : "not recorded");
	for (size_t i = 0; i < inv->n_plugins && i < 32; i++) {
		seg(L, TR_TEXT, "%s", i ? " " : "");
		segs(L, TR_TEXT, inv->plugins[i]);
	}
	endl(L);
	name(L, "CRIU run id");
	if (inv->run_id)
		segs(L, TR_TEXT, inv->run_id);
	else
		seg(L, TR_DIM, "not recorded");
	endl(L);
	if (!inv->msg)
		return;
	const struct crimg_entries *e = crimg_ckpt_entries(t->c, "inventory.img", &err);
	crimg_error_clear(&err);
	if (tui_task_json_walk(inv->msg, e ? e->byte_order : crimg_host_byte_order(), 0, 16,
			       inv_field, L, &err))
		error_line(L, "other fields", &err);
}

static void build(struct lines *L, struct tui *t, uint32_t pid)
{
	struct crimg_error kerr, err;
	const struct crimg_task *task = tui_task(t, pid);
	if (!task) {
		section(L, "Identity");
		name(L, "pid");
		seg(L, TR_ERROR, "%u: no such task%s%s", pid, t->tree ? "" : ": ",
		    t->tree ? "" : t->tree_err);
		endl(L);
		inventory(L, t);
		return;
	}
	crimg_error_clear(&kerr);
	crimg_error_clear(&err);
	const struct crimg_task_core *k = crimg_task_core(t->c, task, &kerr);
	size_t nth = 0;
	const struct crimg_thread *th = crimg_task_threads(t->c, task, &nth, &err);
	if (!th)
		nth = 0;
	int zombie = k && crimg_task_is_zombie(k);
	identity(L, t, task, k, &kerr, th, nth);
	if (!th)
		error_line(L, "threads", &err);
	if (!k) {
		/* without the core, only what the other images say */
		namespaces(L, t, task, 0);
		inventory(L, t);
		return;
	}
	if (zombie) {
		/* its core keeps the exit status and little else */
		namespaces(L, t, task, zombie);
		section(L, "Zombie");
		name(L, "");
		seg(L, TR_DIM, "a zombie keeps no ids, memory, files, registers, credentials,");
		endl(L);
		name(L, "");
		seg(L, TR_DIM, "limits or signal state");
		endl(L);
		process(L, k, th, nth);
		inventory(L, t);
		return;
	}
	if (!th) {
		/* each section that needs the thread cores says so in place */
		section(L, "Credentials");
		error_line(L, "threads", &err);
	} else {
		creds(L, th, nth);
	}
	namespaces(L, t, task, zombie);
	cgroup(L, t, k);
	limits(L, k);
	timers(L, k);
	if (th) {
		seccomp(L, th, nth);
	} else {
		section(L, "Seccomp");
		error_line(L, "threads", &err);
	}
	signals(L, k, th, nth);
	if (th) {
		sched(L, th, nth);
	} else {
		section(L, "Scheduling");
		error_line(L, "threads", &err);
	}
	process(L, k, th, nth);
	inventory(L, t);
}

/* ---- the view ---- */

struct summary_view {
	struct lines L;
};

static size_t sum_count(struct tui *t, struct tui_view *v)
{
	return ((struct summary_view *)v->priv)->L.n;
}

static void sum_row(struct tui *t, struct tui_view *v, size_t i, struct tui_row *r)
{
	struct summary_view *sv = v->priv;
	const char *s = sv->L.s[i];
	int role = TR_TEXT;
	while (*s) {
		if (*s == 1 && s[1]) {
			role = s[1] - 1;
			s += 2;
			continue;
		}
		size_t n = strcspn(s, "\001");
		tui_row_addn(r, role, s, n);
		s += n;
	}
}

static size_t sect_of(struct summary_view *sv, size_t row)
{
	return row < sv->L.n ? sv->L.sect[row] : 0;
}

static void sum_enter(struct tui *t, struct tui_view *v, size_t sel)
{
	struct summary_view *sv = v->priv;
	if (sel < sv->L.n && sv->L.addr[sel])
		tui_push(t, tui_view_mem(t, v->pid, sv->L.addr[sel]));
	else
		tui_msg(t, TR_TEXT, "Enter on a handler's address opens the memory there");
}

static void sum_title(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	tui_task_tabs(t, v->pid, TT_SUMMARY, buf, n);
}

static void sum_status(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct summary_view *sv = v->priv;
	if (!sv->L.n || !sv->L.n_sects)
		return;
	size_t s = sect_of(sv, v->sel);
	char title[80];
	struct tui_row r;
	tui_row_reset(&r);
	sum_row(t, v, sv->L.sects[s], &r);
	tui_row_text(&r, title, sizeof(title));
	char *sp = strstr(title, "  ");
	if (sp)
		*sp = 0; /* "Resource limits" without its column titles */
	char *paren = strstr(title, " (");
	if (paren)
		*paren = 0;
	snprintf(buf, n, "section %zu/%zu %s  line %zu/%zu  { }: sections%s", s + 1, sv->L.n_sects,
		 title, v->sel + 1, sv->L.n, sv->L.oom ? "  (out of memory: cut short)" : "");
}

static int sum_key(struct tui *t, struct tui_view *v, int key)
{
	struct summary_view *sv = v->priv;
	if (tui_task_tab_key(t, v, key))
		return 1;
	if ((key == '}' || key == '{') && sv->L.n_sects) {
		size_t s = sect_of(sv, v->sel);
		if (key == '}' && s + 1 < sv->L.n_sects)
			s++;
		else if (key == '{' && v->sel == sv->L.sects[s] && s > 0)
			s--;
		tui_select(t, v, sv->L.sects[s]);
		/* the title at the top of the screen, the section under it */
		v->top = sv->L.sects[s];
		return 1;
	}
	return 0;
}

static void sum_free(struct tui_view *v)
{
	struct summary_view *sv = v->priv;
	if (!sv)
		return;
	for (size_t i = 0; i < sv->L.n; i++)
		free(sv->L.s[i]);
	free(sv->L.s);
	free(sv->L.addr);
	free(sv->L.sect);
	free(sv->L.sects);
	free(sv);
}

static const char *sum_help[8];

static const struct tui_view_ops sum_ops = {
	.name = "summary",
	.title = sum_title,
	.count = sum_count,
	.row = sum_row,
	.enter = sum_enter,
	.key = sum_key,
	.status = sum_status,
	.help = sum_help,
	.free = sum_free,
};

struct tui_view *tui_tab_summary(struct tui *t, uint32_t pid)
{
	struct summary_view *sv = calloc(1, sizeof(*sv));
	if (!sv) {
		tui_msg(t, TR_ERROR, "out of memory");
		return NULL;
	}
	if (!sum_help[0]) {
		size_t k = 0;
		for (; tui_task_help[k] && k < 4; k++)
			sum_help[k] = tui_task_help[k];
		sum_help[k++] = "  { }             previous, next section";
		sum_help[k++] = "  Enter           on a signal handler: the memory there";
		sum_help[k] = NULL;
	}
	build(&sv->L, t, pid);
	struct tui_view *v = tui_view_new(&sum_ops, sv, pid);
	if (!v) {
		sum_free(&(struct tui_view){ .priv = sv });
		tui_msg(t, TR_ERROR, "out of memory");
	}
	return v;
}
