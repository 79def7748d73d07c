/*
 * Tasks: which tasks of A are which of B (by pid, by command line or by
 * place in the tree), those on one side only, and for each pair the
 * process tree fields and the core images of every thread: registers,
 * credentials and signal handlers under their own categories, the rest of
 * the core (state, limits, timers, scheduling, ...) under "task".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "core.pb-c.h"
#include "diff/diff_int.h"

static const char *comm_of(struct crimg_ckpt *c, const struct crimg_task *t)
{
	const struct crimg_task_brief *b = crimg_task_brief(c, t, NULL);
	return b && b->comm ? b->comm : "?";
}

int diff_zombie(struct crimg_ckpt *c, const struct crimg_task *t)
{
	const struct crimg_task_brief *b = crimg_task_brief(c, t, NULL);
	return !b || b->state == CRIMG_TASK_DEAD || b->state == CRIMG_TASK_ZOMBIE;
}

/* "comm argv..." (argv joined by spaces), or "comm" when the task's memory
 * has no argv; NULL when out of memory (a "comm" then would match tasks
 * otherwise than a run with memory does). */
static char *cmdline(struct diff *d, struct crimg_ckpt *c, const struct crimg_task *t)
{
	const char *comm = comm_of(c, t);
	char *s = NULL;
	if (!diff_zombie(c, t)) {
		struct crimg_mem_opts mo = { .page_size = d->page_size };
		struct crimg_mem *m = crimg_mem_open(c, t->pid, &mo, NULL);
		size_t n = 0;
		uint8_t *a = m ? crimg_mem_area(m, CRIMG_MEM_ARGV, &n, NULL, NULL) : NULL;
		crimg_mem_close(m);
		while (a && n && !a[n - 1])
			n--;
		s = a ? malloc(strlen(comm) + n + 2) : NULL;
		if (a && !s) {
			free(a);
			return NULL;
		}
		if (s) {
			size_t k = (size_t)sprintf(s, "%s ", comm);
			for (size_t i = 0; i < n; i++)
				s[k++] = a[i] ? (char)a[i] : ' ';
			s[k] = '\0';
		}
		free(a);
	}
	return s ? s : strdup(comm);
}

static int add_pair(struct diff *d, size_t *cap, const struct crimg_task *a,
		    const struct crimg_task *b)
{
	if (d->n_pairs == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct task_pair *np = realloc(d->pairs, nc * sizeof(*np));
		if (!np)
			return crimg_fail(d->err, NULL, -1, -1, "out of memory");
		d->pairs = np;
		*cap = nc;
	}
	d->pairs[d->n_pairs].a = a;
	d->pairs[d->n_pairs].b = b;
	d->n_pairs++;
	return 0;
}

static int match_tree(struct diff *d, size_t *cap, const struct crimg_task *const *ra, size_t na,
		      const struct crimg_task *const *rb, size_t nb)
{
	for (size_t i = 0; i < na && i < nb; i++) {
		if (add_pair(d, cap, ra[i], rb[i]) < 0 ||
		    match_tree(d, cap, ra[i]->children, ra[i]->n_children, rb[i]->children,
			       rb[i]->n_children) < 0)
			return -1;
	}
	return 0;
}

/*
 * The k-th task with a command (comm and argv) in A pairs with the k-th in
 * B, in tree order; then, of those left, by comm alone (the same program
 * started another way).
 */
static int match_cmd(struct diff *d, size_t *cap, const struct crimg_tree *ta,
		     const struct crimg_tree *tb)
{
	size_t na = ta->n_tasks, nb = tb->n_tasks;
	char **k = calloc(na + nb + 1, sizeof(*k));
	char *used = calloc(na + nb + 1, 1);
	int rc = k && used ? 0 : crimg_fail(d->err, NULL, -1, -1, "out of memory");
	for (size_t i = 0; i < na + nb && rc == 0; i++)
		if (!(k[i] = i < na ? cmdline(d, d->ca, ta->order[i])
				    : cmdline(d, d->cb, tb->order[i - na])))
			rc = crimg_fail(d->err, NULL, -1, -1, "out of memory");
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		for (size_t i = 0; i < na && rc == 0; i++) {
			if (used[i])
				continue;
			const char *ci = pass ? comm_of(d->ca, ta->order[i]) : k[i];
			for (size_t j = 0; j < nb; j++) {
				const char *cj = pass ? comm_of(d->cb, tb->order[j]) : k[na + j];
				if (!used[na + j] && strcmp(ci, cj) == 0) {
					used[i] = used[na + j] = 1;
					rc = add_pair(d, cap, ta->order[i], tb->order[j]);
					break;
				}
			}
		}
	}
	for (size_t i = 0; k && i < na + nb; i++)
		free(k[i]);
	free(k);
	free(used);
	return rc;
}

static int one_task(struct diff *d, struct crimg_ckpt *c, const struct crimg_task *t, int in_a)
{
	const char *comm = comm_of(c, t);
	size_t mark = dpath_push(d, "task[%u]", t->pid);
	dgroup(d, "task %u %s", t->pid, comm);
	char *v = dv_strf(d, "%s (pid %u, ppid %u, %zu thread%s)", comm, t->pid, t->ppid,
			  t->n_threads, t->n_threads == 1 ? "" : "s");
	demit(d, CRIMG_DIFF_TASK, in_a ? CRIMG_DIFF_REMOVED : CRIMG_DIFF_ADDED, in_a ? v : NULL,
	      in_a ? NULL : v, NULL);
	dpath_pop(d, mark);
	return diff_done(d);
}

static int cmp_pid(const void *x, const void *y)
{
	const uint32_t *a = x, *b = y;
	return a[0] < b[0] ? -1 : a[0] > b[0];
}

int diff_tasks(struct diff *d)
{
	const struct crimg_tree *ta = crimg_ckpt_tree(d->ca, d->err);
	if (!ta)
		return -1;
	const struct crimg_tree *tb = crimg_ckpt_tree(d->cb, d->err);
	if (!tb)
		return -1;
	size_t cap = 0;
	int rc = 0;
	switch (d->o->match) {
	case CRIMG_DIFF_MATCH_PID:
		for (size_t i = 0; i < ta->n_tasks && rc == 0; i++) {
			const struct crimg_task *b = crimg_ckpt_task(d->cb, ta->order[i]->pid,
								     NULL);
			if (b)
				rc = add_pair(d, &cap, ta->order[i], b);
		}
		break;
	case CRIMG_DIFF_MATCH_CMD:
		rc = match_cmd(d, &cap, ta, tb);
		break;
	case CRIMG_DIFF_MATCH_TREE:
		rc = match_tree(d, &cap, ta->roots, ta->n_roots, tb->roots, tb->n_roots);
		break;
	}
	if (rc < 0)
		return -1;
	/* tasks by their place in pstree.img: paired or not, pid A -> pid B */
	char *in_a = calloc(ta->n_tasks + 1, 1), *in_b = calloc(tb->n_tasks + 1, 1);
	d->pid_map = malloc((d->n_pairs + 1) * sizeof(*d->pid_map));
	if (!in_a || !in_b || !d->pid_map) {
		free(in_a);
		free(in_b);
		return crimg_fail(d->err, NULL, -1, -1, "out of memory");
	}
	for (size_t i = 0; i < d->n_pairs; i++) {
		in_a[d->pairs[i].a->index] = in_b[d->pairs[i].b->index] = 1;
		d->pid_map[i][0] = d->pairs[i].a->pid;
		d->pid_map[i][1] = d->pairs[i].b->pid;
	}
	qsort(d->pid_map, d->n_pairs, sizeof(*d->pid_map), cmp_pid);
	for (size_t i = 0; i < ta->n_tasks && !diff_done(d); i++)
		if (!in_a[ta->order[i]->index])
			one_task(d, d->ca, ta->order[i], 1);
	for (size_t j = 0; j < tb->n_tasks && !diff_done(d); j++)
		if (!in_b[tb->order[j]->index])
			one_task(d, d->cb, tb->order[j], 0);
	free(in_a);
	free(in_b);
	return 0;
}

/* ---- the process tree fields of a pair ---- */

/* pid of A as B would have it: itself when matching by pid, else through
 * the matched task (0 when it has none). */
static uint32_t map_pid(const struct diff *d, uint32_t pid)
{
	if (d->o->match == CRIMG_DIFF_MATCH_PID || !pid)
		return pid;
	const uint32_t key[2] = { pid, 0 };
	const uint32_t(*m)[2] = bsearch(key, d->pid_map, d->n_pairs, sizeof(*d->pid_map), cmp_pid);
	return m ? (*m)[1] : 0;
}

static int tree_field(struct diff *d, const char *name, uint32_t a, uint32_t b)
{
	if (map_pid(d, a) == b)
		return 0;
	return demit_at(d, CRIMG_DIFF_TASK, CRIMG_DIFF_CHANGED, dv_u64(d, a), dv_u64(d, b), ".%s",
			name);
}

/* ---- core images ---- */

static const char *const sig_names[] = {
	NULL,        "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
	"SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
	"SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
	"SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS",
};

static int diff_sigactions(struct diff *d, const TaskCoreEntry *a, const TaskCoreEntry *b)
{
	size_t n = a->n_sigactions > b->n_sigactions ? a->n_sigactions : b->n_sigactions;
	for (size_t i = 0; i < n && !diff_done(d); i++) {
		unsigned sig = (unsigned)i + 1;
		size_t mark = sig < sizeof(sig_names) / sizeof(sig_names[0])
			? dpath_push(d, ".sigaction[%s]", sig_names[sig])
			: dpath_push(d, ".sigaction[SIG%u]", sig);
		const ProtobufCMessage *x = i < a->n_sigactions ? &a->sigactions[i]->base : NULL;
		const ProtobufCMessage *y = i < b->n_sigactions ? &b->sigactions[i]->base : NULL;
		if (x && y)
			dmsg(d, CRIMG_DIFF_SIGACTION, x, y, NULL);
		else
			demit(d, CRIMG_DIFF_SIGACTION, x ? CRIMG_DIFF_REMOVED : CRIMG_DIFF_ADDED,
			      x ? dv_message(d, x) : NULL, y ? dv_message(d, y) : NULL, NULL);
		dpath_pop(d, mark);
	}
	return diff_done(d);
}

static const ProtobufCMessage *sub(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	size_t n;
	if (!m || !crimg_field_present(m, f, &n))
		return NULL;
	return *(ProtobufCMessage *const *)((const char *)m + f->offset);
}

/* thread_info (or ti_ARCH): registers as regs.NAME, the rest as regs.FIELD. */
static int diff_regs(struct diff *d, const ProtobufCMessage *a, const ProtobufCMessage *b)
{
	size_t mark = dpath_push(d, ".regs");
	if (!a || !b) {
		demit(d, CRIMG_DIFF_REGS, a ? CRIMG_DIFF_REMOVED : CRIMG_DIFF_ADDED,
		      a ? dv_message(d, a) : NULL, b ? dv_message(d, b) : NULL, NULL);
	} else if (!dskip(d, CRIMG_DIFF_REGS)) {
		const ProtobufCMessageDescriptor *desc = a->descriptor;
		int hex = d->hex;
		d->hex = 1; /* registers read best in hex, as crit shows them */
		for (unsigned i = 0; i < desc->n_fields && !diff_done(d); i++) {
			const ProtobufCFieldDescriptor *f = &desc->fields[i];
			const ProtobufCMessage *ga = sub(a, f), *gb = sub(b, f);
			if (strcmp(f->name, "gpregs") == 0 && ga && gb)
				dmsg(d, CRIMG_DIFF_REGS, ga, gb, NULL);
			else
				dfield(d, CRIMG_DIFF_REGS, a, b, f, f->name, NULL);
		}
		d->hex = hex;
	}
	dpath_pop(d, mark);
	return diff_done(d);
}

static int diff_thread_core(struct diff *d, const ProtobufCMessage *a, const ProtobufCMessage *b,
			    const ProtobufCFieldDescriptor *tf)
{
	const ProtobufCMessage *ta = sub(a, tf), *tb = sub(b, tf);
	if (!ta || !tb)
		return dfield(d, CRIMG_DIFF_TASK, a, b, tf, tf->name, NULL);
	const ProtobufCMessageDescriptor *desc = ta->descriptor;
	for (unsigned i = 0; i < desc->n_fields && !diff_done(d); i++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[i];
		if (strcmp(f->name, "cg_set") == 0)
			continue; /* compared as the cgroup paths it stands for */
		if (strcmp(f->name, "creds") == 0) {
			dfield(d, CRIMG_DIFF_CREDS, ta, tb, f, "creds", NULL);
			continue;
		}
		size_t mark = dpath_push(d, ".%s", tf->name);
		dfield(d, CRIMG_DIFF_TASK, ta, tb, f, f->name, NULL);
		dpath_pop(d, mark);
	}
	return diff_done(d);
}

static int diff_tc(struct diff *d, const ProtobufCMessage *a, const ProtobufCMessage *b,
		   const ProtobufCFieldDescriptor *tf)
{
	const ProtobufCMessage *ta = sub(a, tf), *tb = sub(b, tf);
	if (!ta || !tb)
		return dfield(d, CRIMG_DIFF_TASK, a, b, tf, tf->name, NULL);
	const ProtobufCMessageDescriptor *desc = ta->descriptor;
	for (unsigned i = 0; i < desc->n_fields && !diff_done(d); i++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[i];
		if (strcmp(f->name, "cg_set") == 0)
			continue;
		if (strcmp(f->name, "sigactions") == 0) {
			diff_sigactions(d, (const TaskCoreEntry *)ta, (const TaskCoreEntry *)tb);
			continue;
		}
		size_t mark = dpath_push(d, ".%s", tf->name);
		dfield(d, CRIMG_DIFF_TASK, ta, tb, f, f->name, NULL);
		dpath_pop(d, mark);
	}
	return diff_done(d);
}

/* Two core images (core-TID.img), under the current path. */
static int diff_core(struct diff *d, const ProtobufCMessage *a, const ProtobufCMessage *b)
{
	if (a->descriptor != &core_entry__descriptor || b->descriptor != &core_entry__descriptor)
		return 0;
	const ProtobufCMessageDescriptor *desc = a->descriptor;
	for (unsigned i = 0; i < desc->n_fields && !diff_done(d); i++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[i];
		if (strcmp(f->name, "thread_info") == 0 || strncmp(f->name, "ti_", 3) == 0) {
			const ProtobufCMessage *x = sub(a, f), *y = sub(b, f);
			if (x || y)
				diff_regs(d, x, y);
		} else if (strcmp(f->name, "tc") == 0) {
			diff_tc(d, a, b, f);
		} else if (strcmp(f->name, "thread_core") == 0) {
			diff_thread_core(d, a, b, f);
		} else {
			dfield(d, CRIMG_DIFF_TASK, a, b, f, f->name, NULL);
		}
	}
	return diff_done(d);
}

static int one_thread(struct diff *d, const struct crimg_thread *t, int in_a)
{
	char *v = dv_strf(d, "thread %u%s%s", t->tid, t->comm ? " " : "", t->comm ? t->comm : "");
	return demit_at(d, CRIMG_DIFF_TASK, in_a ? CRIMG_DIFF_REMOVED : CRIMG_DIFF_ADDED,
			in_a ? v : NULL, in_a ? NULL : v, ".thread[%u]", t->tid);
}

int diff_task_core(struct diff *d, const struct task_pair *p)
{
	const struct crimg_task *a = p->a, *b = p->b;
	tree_field(d, "ppid", a->ppid, b->ppid);
	tree_field(d, "pgid", a->pgid, b->pgid);
	tree_field(d, "sid", a->sid, b->sid);
	size_t na = 0, nb = 0;
	struct crimg_error ea, eb;
	crimg_error_clear(&ea);
	crimg_error_clear(&eb);
	const struct crimg_thread *ta = crimg_task_threads(d->ca, a, &na, &ea);
	const struct crimg_thread *tb = crimg_task_threads(d->cb, b, &nb, &eb);
	if (!ta || !tb)
		return diff_failed(d, ta, &ea, tb, &eb);
	if (!na || !nb)
		return 0;
	/* the main thread's core holds the task's too */
	diff_core(d, ta[0].msg, tb[0].msg);
	int by_tid = d->o->match == CRIMG_DIFF_MATCH_PID;
	for (size_t i = 1; i < na && !diff_done(d); i++) {
		const struct crimg_thread *y = NULL;
		for (size_t j = 1; j < nb && !y; j++)
			if (by_tid ? tb[j].tid == ta[i].tid : j == i)
				y = &tb[j];
		if (!y) {
			one_thread(d, &ta[i], 1);
			continue;
		}
		size_t mark = ta[i].tid == y->tid
			? dpath_push(d, ".thread[%u]", ta[i].tid)
			: dpath_push(d, ".thread[%u->%u]", ta[i].tid, y->tid);
		diff_core(d, ta[i].msg, y->msg);
		dpath_pop(d, mark);
	}
	for (size_t j = 1; j < nb && !diff_done(d); j++) {
		int found = 0;
		for (size_t i = 1; i < na && !found; i++)
			found = by_tid ? tb[j].tid == ta[i].tid : j == i;
		if (!found)
			one_thread(d, &tb[j], 0);
	}
	return 0;
}
