/*
 * Part 4: the portability report.  Everything that ties a checkpoint to
 * the architecture it was dumped on, per task, each item judged against a
 * target architecture: it blocks the move, crit convert --to-arch can
 * rewrite it under its contract (a build for both architectures with
 * aligned symbols and identical data layout, stopped at a migration
 * point), or it is irrelevant.  Then the verdict: what would make the
 * checkpoint movable.
 *
 * This file: the run, the checkpoint-wide items (byte order, page size)
 * and the verdict.  The threads are judged in port_threads.c, the memory
 * map in port_mm.c, seccomp filters and open flags in port_files.c.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/base.h"
#include "check/host_check.h"
#include "check/images_int.h"
#include "check/port.h"

const char *crimg_port_arch(const char *name)
{
	unsigned m = port_mtype(name);
	return m ? crimg_arch_name(m) : NULL;
}

const char *port_src(const struct port *p)
{
	return crimg_arch_name(p->src);
}

const char *port_dst(const struct port *p)
{
	return crimg_arch_name(p->dst);
}

int port_add(struct port *p, enum check_reason_id r, int sev, uint32_t task, const char *image,
	     int64_t entry, const char *field, const char *value, const char *target,
	     const char *fmt, ...)
{
	struct check_evidence ev = { .image = image,
				     .entry = entry,
				     .field = field,
				     .value = value,
				     .target = target,
				     .task = task };
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	/* one line: paths and names from the images may hold anything */
	for (char *s = msg; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	if (!msg || check_add(p->k, r, sev, &ev, "%s", msg) < 0) {
		free(msg);
		p->oom = 1;
		return -1;
	}
	free(msg);
	return 0;
}

int port_unreadable(struct port *p, uint32_t task, const char *image, const struct crimg_error *e)
{
	char buf[1100];
	/* the error names the image that failed: its last component */
	const char *slash = strrchr(e->file, '/');
	if (*e->file)
		image = slash && slash[1] ? slash + 1 : e->file;
	if (*e->msg)
		crimg_error_str(e, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "%s cannot be read", image);
	return port_add(p, R_ARCH_UNKNOWN, -1, task, image, e->entry, "", "", "",
			"%s: nothing in it can be judged", buf);
}

void port_where(const struct crimg_task_mm *mm, uint64_t addr, char *buf, size_t len,
		const struct crimg_task_vma **vma)
{
	const struct crimg_task_vma *v = mm ? crimg_mm_find_vma(mm, addr) : NULL;
	*vma = v;
	if (!v)
		snprintf(buf, len, "no mapping");
	else if (v->kind == CRIMG_VMA_KIND_FILE || v->kind == CRIMG_VMA_KIND_MEMFD)
		snprintf(buf, len, "%s + 0x%" PRIx64, v->name && *v->name ? v->name : "a file",
			 addr - v->start + v->pgoff);
	else if (v->name && *v->name)
		snprintf(buf, len, "%s", v->name);
	else
		snprintf(buf, len, "anonymous memory");
}

/* ---- the checkpoint as a whole ---- */

static int byte_order(struct port *p)
{
	int sb = port_big_endian(p->src), db = port_big_endian(p->dst);
	if (sb == db)
		return 0;
	const char *img = crimg_ckpt_has(p->c, "inventory.img") ? "inventory.img" : "";
	return port_add(p, R_ARCH_BYTE_ORDER, -1, 0, img, img[0] ? 0 : -1, "magic",
			sb ? "big-endian" : "little-endian", db ? "big-endian" : "little-endian",
			"%s stores numbers big-end first, %s little-end first: the tasks' memory "
			"(every pointer and integer in the pages images) is in %s's order",
			sb ? port_src(p) : port_dst(p), sb ? port_dst(p) : port_src(p),
			port_src(p));
}

static int page_size(struct port *p)
{
	uint32_t pid = 0;
	unsigned ps = port_auxv_page_size(p, &pid);
	char img[40], v[32], tv[80];
	if (!ps)
		return 0;
	snprintf(img, sizeof(img), "mm-%" PRIu32 ".img", pid);
	snprintf(v, sizeof(v), "%u", ps);
	const struct crimg_host *h = p->o->host;
	if (h && h->page_size) {
		snprintf(tv, sizeof(tv), "%u (the target host)", h->page_size);
		if (h->page_size != ps)
			return port_add(p, R_ARCH_PAGE_SIZE, P_BLOCKS, 0, img, 0,
					"mm_saved_auxv (AT_PAGESZ)", v, tv,
					"the tasks ran with %u-byte pages, the target host's kernel "
					"uses %u-byte pages: the mappings cannot be laid out again",
					ps, h->page_size);
		return port_add(p, R_ARCH_PAGE_SIZE, P_IRRELEVANT, 0, img, 0,
				"mm_saved_auxv (AT_PAGESZ)", v, tv,
				"%u-byte pages here and on the target host", ps);
	}
	if (p->dst == PORT_AARCH64) {
		snprintf(tv, sizeof(tv), "4096 assumed (16384 and 65536 exist)");
		return port_add(p, R_ARCH_PAGE_SIZE, ps == 4096 ? P_IRRELEVANT : P_BLOCKS, 0, img,
				0, "mm_saved_auxv (AT_PAGESZ)", v, tv,
				"the tasks ran with %u-byte pages; aarch64 kernels use 4, 16 or "
				"64 KiB pages: %s (give --host FILE to know)",
				ps,
				ps == 4096 ? "a kernel with 4 KiB pages (Debian's) takes the "
					     "layout as it is"
					   : "Debian's aarch64 kernel uses 4 KiB pages");
	}
	snprintf(tv, sizeof(tv), "4096 (%s)", port_dst(p));
	return port_add(p, R_ARCH_PAGE_SIZE, ps == 4096 ? P_IRRELEVANT : P_BLOCKS, 0, img, 0,
			"mm_saved_auxv (AT_PAGESZ)", v, tv,
			"the tasks ran with %u-byte pages; %s uses 4096-byte pages", ps,
			port_dst(p));
}

/* ---- the verdict ---- */

/* What crit convert --to-arch rewrites, per convertible reason (NULL: a
 * condition of the build, in conditions[] below). */
static const char *rewrites(enum check_reason_id r)
{
	switch (r) {
	case R_ARCH_MTYPE:
		return "the cores' mtype and register files";
	case R_ARCH_FPU:
		return "the FP state";
	case R_ARCH_CPU_STATE:
		return "the PAC keys (dropped)";
	case R_ARCH_TLS:
		return "the thread pointers";
	case R_ARCH_SYSCALL:
		return "the syscall restart state";
	case R_ARCH_SIGNALS:
		return "the signal restorers and queued signals";
	case R_ARCH_RSEQ:
		return "the rseq registrations";
	case R_ARCH_AUXV:
		return "the saved auxv";
	case R_ARCH_VDSO:
		return "the vDSO mappings (dropped)";
	case R_ARCH_VSYSCALL:
		return "[vsyscall] (dropped)";
	case R_ARCH_CODE_PAGES:
		return "the saved code pages (dropped)";
	case R_ARCH_OPEN_FLAGS:
		return "the open flags";
	default:
		return NULL;
	}
}

static const char *condition(enum check_reason_id r)
{
	switch (r) {
	case R_ARCH_EXE:
		return "the executable built for both with aligned symbols, the target build at "
		       "the same path";
	case R_ARCH_LIBRARY:
		return "the same libraries built for both with aligned symbols at the same paths";
	case R_ARCH_MEMORY:
		return "identical data, bss and heap layout in both builds";
	case R_ARCH_REGISTERS:
		return "every thread stopped at a migration point (a call, or a syscall in a "
		       "known loop), its frames rewritten by the stack plug-in";
	default:
		return NULL;
	}
}

static void cat(char *buf, size_t len, size_t *k, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void cat(char *buf, size_t len, size_t *k, const char *fmt, ...)
{
	va_list ap;
	if (*k >= len)
		return;
	va_start(ap, fmt);
	int r = vsnprintf(buf + *k, len - *k, fmt, ap);
	va_end(ap);
	if (r > 0)
		*k = (size_t)r >= len - *k ? len - 1 : *k + (size_t)r;
}

static void verdict(struct port *p, size_t first, struct crimg_port_summary *s)
{
	size_t nr;
	const struct crimg_check_reason *rs = crimg_check_reasons(&nr);
	size_t count[R_N][3];
	memset(count, 0, sizeof(count));
	for (size_t i = first; i < crimg_check_count(p->k); i++) {
		const struct crimg_finding *f = crimg_check_get(p->k, i);
		enum check_reason_id r = check_reason_by_code(f->code);
		if (f->part != CRIMG_CHECK_PART_PORTABILITY || r == R_N || f->severity > 2)
			continue;
		count[r][f->severity]++;
		if (f->severity == CRIMG_CHECK_WILL_FAIL)
			s->blocks++;
		else if (f->severity == CRIMG_CHECK_MAY_FAIL)
			s->convertible++;
		else
			s->irrelevant++;
	}
	size_t k = 0;
	char *t = s->text;
	size_t len = sizeof(s->text);
	if (!p->src) {
		s->verdict = CRIMG_PORT_BLOCKED;
		cat(t, len, &k,
		    "cannot tell: no task's core names an architecture (see arch-unknown)");
		return;
	}
	if (p->src == p->dst) {
		s->verdict = CRIMG_PORT_SAME_ARCH;
		cat(t, len, &k,
		    "same architecture: the checkpoint is of %s, as the target; nothing ties it to "
		    "another, and only the host checks apply",
		    port_dst(p));
		return;
	}
	if (s->blocks) {
		s->verdict = CRIMG_PORT_BLOCKED;
		cat(t, len, &k, "not movable to %s:", port_dst(p));
		int n = 0;
		for (size_t r = 0; r < R_N && r < nr; r++) {
			if (!count[r][CRIMG_CHECK_WILL_FAIL])
				continue;
			cat(t, len, &k, "%s %s", n++ ? ";" : "", rs[r].title);
			if (count[r][CRIMG_CHECK_WILL_FAIL] > 1)
				cat(t, len, &k, " (%zu)", count[r][CRIMG_CHECK_WILL_FAIL]);
		}
		return;
	}
	s->verdict = CRIMG_PORT_CONTRACT;
	cat(t, len, &k,
	    "movable to %s only under the contract of crit convert --to-arch:", port_dst(p));
	int n = 0;
	for (size_t r = 0; r < R_N; r++)
		if (count[r][CRIMG_CHECK_MAY_FAIL] && condition((enum check_reason_id)r))
			cat(t, len, &k, "%s %s", n++ ? ";" : "",
			    condition((enum check_reason_id)r));
	n = 0;
	for (size_t r = 0; r < R_N; r++)
		if (count[r][CRIMG_CHECK_MAY_FAIL] && rewrites((enum check_reason_id)r))
			cat(t, len, &k, "%s%s", n++ ? ", " : "; it rewrites ",
			    rewrites((enum check_reason_id)r));
}

/* ---- the run ---- */

static int run(struct port *p)
{
	struct crimg_error e;
	crimg_error_clear(&e);
	p->tree = crimg_ckpt_tree(p->c, &e);
	if (!p->tree) {
		if (crimg_ckpt_is_predump(p->c))
			return port_add(p, R_ARCH_UNKNOWN, -1, 0, "pstree.img", -1, "", "", "",
					"a pre-dump holds memory only: there is no task to move");
		return port_unreadable(p, 0, "pstree.img", &e);
	}
	/* the source: the first core that says */
	for (size_t i = 0; i < p->tree->n_tasks && !p->src; i++) {
		const struct crimg_task_core *core = crimg_task_core(p->c, &p->tree->tasks[i], &e);
		uint64_t m;
		if (core && hc_u64(core->msg, "mtype", &m) && m && m <= UINT32_MAX)
			p->src = (unsigned)m;
	}
	if (!p->src)
		return port_add(p, R_ARCH_UNKNOWN, -1, 0, "", -1, "mtype", "", "",
				"no task's core names an architecture: there is nothing to judge");
	uint32_t pid = 0;
	p->page_size = port_auxv_page_size(p, &pid);
	if (!p->page_size)
		p->page_size = check_page_size(p->c);
	if (p->src == p->dst) {
		char img[40];
		snprintf(img, sizeof(img), "core-%" PRIu32 ".img", p->tree->tasks[0].pid);
		return port_add(p, R_ARCH_SAME, -1, 0, img, 0, "mtype", port_src(p), port_dst(p),
				"the checkpoint is of %s, the target's architecture: nothing ties "
				"it to another; only the host checks apply",
				port_src(p));
	}
	if (byte_order(p) < 0 || page_size(p) < 0 || port_open_flags(p) < 0)
		return -1;
	for (size_t i = 0; i < p->tree->n_tasks && !p->oom; i++) {
		const struct crimg_task *t = &p->tree->tasks[i];
		if (port_threads(p, t) < 0 || port_seccomp(p, t) < 0 || port_mm(p, t) < 0)
			return -1;
	}
	return p->oom ? -1 : 0;
}

int crimg_check_portability(struct crimg_check *k, struct crimg_ckpt *c,
			    const struct crimg_port_opts *o, struct crimg_port_summary *s,
			    struct crimg_error *err)
{
	struct crimg_port_summary dummy;
	if (!s)
		s = &dummy;
	memset(s, 0, sizeof(*s));
	unsigned dst = o ? port_mtype(o->target_arch) : 0;
	if (!dst)
		return crimg_fail(err, "", -1, -1,
				  "the target architecture %s%s%s is not one the report knows "
				  "(x86_64, aarch64, s390x)",
				  o && o->target_arch ? "'" : "",
				  o && o->target_arch ? o->target_arch : "(none)",
				  o && o->target_arch ? "'" : "");
	s->target_arch = crimg_arch_name(dst);
	s->source_arch = "unknown";
	const struct crimg_host *h = o->host;
	if (h && h->arch && *h->arch && port_mtype(hc_norm_arch(h->arch)) != dst)
		return crimg_fail(err, "", -1, -1,
				  "the target host is %s, not %s: its description does not "
				  "describe the target",
				  h->arch, s->target_arch);
	if (!k || !c)
		return 0;
	struct port p = { .k = k, .c = c, .o = o, .dst = dst };
	size_t first = crimg_check_count(k);
	int rc = run(&p);
	if (rc < 0 && p.oom)
		return crimg_fail(err, "", -1, -1, "out of memory");
	if (p.src)
		s->source_arch = crimg_arch_name(p.src);
	verdict(&p, first, s);
	return 0;
}
