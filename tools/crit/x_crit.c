/*
 * crit x ps, fds, mems, rss as text: byte for byte what CRIU 4.2's crit
 * prints (its layouts, its names for files, its quirks: "unknown path" for
 * a mapping whose file is not a regular file, 4 KiB pages in rss), except
 * that where crit stops with an exception we go on: a zombie, which has no
 * ids, mm or pagemap, is shown as one; an old pagemap's page count is read
 * from the field CRIU 3.x wrote it to.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "x.h"

/* get_file_str(): REG, PIPE and UNIXSK are looked up, others are TYPE.ID. */
const char *x_crit_file_str(struct xctx *x, unsigned type, uint32_t id, char *buf, size_t len)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_file *f = NULL;
	if (type == CRIMG_FD_REG || type == CRIMG_FD_PIPE || type == CRIMG_FD_UNIXSK) {
		f = crimg_ckpt_file_by_id(x->c, id, &err);
		if (f && f->type != type)
			f = NULL; /* crit finds the entry but not the field it wants */
	}
	switch (type) {
	case CRIMG_FD_REG:
		return f && f->path && *f->path ? f->path : "unknown path";
	case CRIMG_FD_PIPE:
		if (!f || !f->msg)
			return "pipe[?]";
		snprintf(buf, len, "pipe[%u]", f->u.pipe.pipe_id);
		return buf;
	case CRIMG_FD_UNIXSK: {
		if (!f)
			return "unix[?]";
		int n = snprintf(buf, len, "unix[%u (%u)", f->u.usk.ino, f->u.usk.peer_ino);
		if (f->u.usk.name_len && n > 0 && (size_t)n + 2 < len) {
			/* crit shows the name as its JSON does: quoted-printable */
			size_t need = 3 * f->u.usk.name_len + f->u.usk.name_len / 25 + 4;
			char *qp = malloc(need);
			if (qp) {
				size_t q = crimg_quopri(f->u.usk.name, f->u.usk.name_len, qp);
				n += snprintf(buf + n, len - (size_t)n, " %.*s", (int)q, qp);
				free(qp);
			}
		}
		if (n > 0 && (size_t)n < len)
			snprintf(buf + n, len - (size_t)n, "]");
		return buf;
	}
	default: {
		const char *tn = crimg_fd_type_name(type);
		if (tn)
			snprintf(buf, len, "%s.%u", tn, id);
		else
			snprintf(buf, len, "%u.%u", type, id);
		return buf;
	}
	}
}

/* ---- ps ---- */

static int ps_text(struct xctx *x)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_tree *tr = crimg_ckpt_tree(x->c, &err);
	if (!tr)
		return x_fail(&err);
	/* every core first, like crit: an error prints nothing */
	for (size_t i = 0; i < tr->n_tasks; i++)
		if (!crimg_task_brief(x->c, &tr->tasks[i], &err))
			return x_fail(&err);
	fprintf(x->out, "%7s%7s%7s   %s\n", "PID", "PGID", "SID", "COMM");
	for (size_t i = 0; i < tr->n_tasks; i++) {
		const struct crimg_task *t = tr->order[i];
		if (!x_selected(x, t))
			continue;
		const struct crimg_task_brief *b = crimg_task_brief(x->c, t, &err);
		fprintf(x->out, "%7u%7u%7u   %*s%s\n", t->pid, t->pgid, t->sid, (int)(4 * t->depth),
			"", b->comm);
	}
	return 0;
}

/* ---- fds ---- */

static int fds_text(struct xctx *x)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_tree *tr = crimg_ckpt_tree(x->c, &err);
	if (!tr)
		return x_fail(&err);
	char buf[4096], eb[64];
	size_t i = 0;
	const struct crimg_task *t;
	const struct crimg_task_core *core;
	int z, more;
	while ((more = x_next_task(x, tr, &i, &t, &core, &z)) > 0) {
		if (z) {
			fprintf(x->out, "%u\n\t%7s: %s, no files\n", t->pid, "zombie",
				x_exit_str(core->exit_code, eb, sizeof(eb)));
			continue;
		}
		/* read before printing, as crit does: a task whose images are
		 * missing gets no line */
		const struct crimg_fdtable *ft = crimg_task_fds(x->c, t, &err);
		if (!ft)
			return x_fail(&err);
		fprintf(x->out, "%u\n", t->pid);
		for (size_t k = 0; k < ft->n_fds; k++)
			fprintf(x->out, "\t%7u: %s\n", ft->fds[k].fd,
				x_crit_file_str(x, ft->fds[k].type, ft->fds[k].id, buf,
						sizeof(buf)));
		const struct crimg_task_fs *fs = crimg_task_fs(x->c, t, &err);
		if (!fs)
			return x_fail(&err);
		fprintf(x->out, "\t%7s: %s\n", "cwd",
			x_crit_file_str(x, CRIMG_FD_REG, fs->cwd_id, buf, sizeof(buf)));
		fprintf(x->out, "\t%7s: %s\n", "root",
			x_crit_file_str(x, CRIMG_FD_REG, fs->root_id, buf, sizeof(buf)));
	}
	if (more < 0)
		return 1;
	return 0;
}

/* ---- mems ---- */

/* crit numbers shared memory objects 1, 2, ... in order of appearance,
 * across all tasks. */
struct shmem_no {
	uint64_t shmid, no;
	struct shmem_no *next;
};

static uint64_t shmem_no(struct xctx *x, uint64_t shmid)
{
	for (struct shmem_no *s = x->shmem; s; s = s->next)
		if (s->shmid == shmid)
			return s->no;
	struct shmem_no *s = malloc(sizeof(*s));
	if (!s)
		return 0;
	s->shmid = shmid;
	s->no = ++x->shmem_next;
	s->next = x->shmem;
	x->shmem = s;
	return s->no;
}

static void free_shmem_no(struct xctx *x)
{
	while (x->shmem) {
		struct shmem_no *n = x->shmem->next;
		free(x->shmem);
		x->shmem = n;
	}
}

static void vma_line(struct xctx *x, const struct crimg_task_vma *v)
{
	char fn[4200], buf[4096], astr[64];
	uint32_t st = v->status;
	fn[0] = '\0';
	if (st & CRIMG_VMA_STATUS_AREA_SYSVIPC) {
		snprintf(fn, sizeof(fn), " ips[%" PRIx64 "]", shmem_no(x, v->shmid));
	} else if (st & CRIMG_VMA_STATUS_ANON_SHARED) {
		snprintf(fn, sizeof(fn), " shmem[%" PRIx64 "]", shmem_no(x, v->shmid));
	} else if (st & CRIMG_VMA_STATUS_AREA_SOCKET) {
		snprintf(fn, sizeof(fn), " packet[%" PRIx64 "]", shmem_no(x, v->shmid));
	} else if (st & (CRIMG_VMA_STATUS_FILE_PRIVATE | CRIMG_VMA_STATUS_FILE_SHARED)) {
		size_t n = (size_t)snprintf(fn, sizeof(fn), " %s",
					    x_crit_file_str(x, CRIMG_FD_REG, (uint32_t)v->shmid,
							    buf, sizeof(buf)));
		if (v->pgoff && n < sizeof(fn))
			n += (size_t)snprintf(fn + n, sizeof(fn) - n, " + %#" PRIx64, v->pgoff);
		if (st & CRIMG_VMA_STATUS_FILE_SHARED && n < sizeof(fn))
			snprintf(fn + n, sizeof(fn) - n, " (s)");
	} else if (st & CRIMG_VMA_STATUS_AREA_STACK) {
		strcpy(fn, " [stack]");
	} else if (st & CRIMG_VMA_STATUS_AREA_VSYSCALL) {
		strcpy(fn, " [vsyscall]");
	} else if (st & CRIMG_VMA_STATUS_AREA_VDSO) {
		strcpy(fn, " [vdso]");
	} else if (v->flags & 0x100) { /* MAP_GROWSDOWN */
		strcpy(fn, " [stack?]");
	}
	if (!(st & CRIMG_VMA_STATUS_AREA_REGULAR) && strlen(fn) + 2 < sizeof(fn))
		strcat(fn, " *");
	snprintf(astr, sizeof(astr), "%08" PRIx64 "-%08" PRIx64, v->start, v->end);
	fprintf(x->out, "\t%-36s%c%c%c%s\n", astr, v->prot & 1 ? 'r' : '-', v->prot & 2 ? 'w' : '-',
		v->prot & 4 ? 'x' : '-', fn);
}

static int mems_text(struct xctx *x)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_tree *tr = crimg_ckpt_tree(x->c, &err);
	if (!tr)
		return x_fail(&err);
	char buf[4096], eb[64];
	int rc = 0;
	size_t i = 0;
	const struct crimg_task *t;
	const struct crimg_task_core *core;
	int z, more;
	while (!rc && (more = x_next_task(x, tr, &i, &t, &core, &z)) != 0) {
		if (more < 0) {
			rc = 1;
			break;
		}
		if (z) {
			fprintf(x->out, "%u\n\t%-36s    %s, no memory\n", t->pid, "zombie",
				x_exit_str(core->exit_code, eb, sizeof(eb)));
			continue;
		}
		const struct crimg_task_mm *mm = crimg_task_mm(x->c, t, &err);
		if (!mm) {
			rc = x_fail(&err);
			break;
		}
		fprintf(x->out, "%u\n", t->pid);
		fprintf(x->out, "\t%-36s    %s\n", "exe",
			x_crit_file_str(x, CRIMG_FD_REG, mm->exe_file_id, buf, sizeof(buf)));
		for (size_t k = 0; k < mm->n_vmas; k++)
			vma_line(x, &mm->vmas[k]);
	}
	free_shmem_no(x);
	return rc;
}

/* ---- rss ---- */

static void rss_task(struct xctx *x, const struct crimg_task_mm *mm, const struct crimg_pagemap *pm)
{
	/* crit's walk, index arithmetic included: vmi steps back one after
	 * each entry, and a negative index counts from the end (Python) */
	long nv = (long)mm->n_vmas, vmi = 0, pvmi = -1;
	char buf[4096], pstr[64];
	for (size_t i = 0; i < pm->n; i++) {
		const struct crimg_pagemap_entry *pe = &pm->entries[i];
		snprintf(pstr, sizeof(pstr), "\t%" PRIx64 " / %-8" PRIu64, pe->vaddr, pe->nr_pages);
		fprintf(x->out, "%-24s", pstr);
#define AT(k) (&mm->vmas[(k) < 0 ? (k) + nv : (k)])
		while (vmi < nv && vmi >= -nv && AT(vmi)->end <= pe->vaddr)
			vmi++;
		uint64_t pme = pe->vaddr + (pe->nr_pages << 12);
		while (vmi < nv && vmi >= -nv && AT(vmi)->start < pme) {
			const struct crimg_task_vma *v = AT(vmi);
			if (vmi == pvmi) {
				fputs(" ~", x->out);
			} else {
				fprintf(x->out, " %08" PRIx64 " / %-8" PRIu64, v->start,
					(v->end - v->start) >> 12);
				if (v->status &
				    (CRIMG_VMA_STATUS_FILE_PRIVATE | CRIMG_VMA_STATUS_FILE_SHARED))
					fprintf(x->out, " %s",
						x_crit_file_str(x, CRIMG_FD_REG, (uint32_t)v->shmid,
								buf, sizeof(buf)));
				pvmi = vmi;
			}
			fprintf(x->out, "\n\t%23s", "");
			vmi++;
		}
#undef AT
		vmi--;
		fputc('\n', x->out);
	}
}

static int rss_text(struct xctx *x)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_tree *tr = crimg_ckpt_tree(x->c, &err);
	if (!tr)
		return x_fail(&err);
	char eb[64];
	size_t i = 0;
	const struct crimg_task *t;
	const struct crimg_task_core *core;
	int z, more;
	while ((more = x_next_task(x, tr, &i, &t, &core, &z)) > 0) {
		if (z) {
			fprintf(x->out, "%u\n\tzombie, %s, no memory\n", t->pid,
				x_exit_str(core->exit_code, eb, sizeof(eb)));
			continue;
		}
		const struct crimg_task_mm *mm = crimg_task_mm(x->c, t, &err);
		const struct crimg_pagemap *pm = mm ? crimg_task_pagemap(x->c, t, &err) : NULL;
		if (!pm)
			return x_fail(&err);
		fprintf(x->out, "%u\n", t->pid);
		rss_task(x, mm, pm);
	}
	if (more < 0)
		return 1;
	return 0;
}

/* ---- the four views: text here, JSON in x_views.c ---- */

int x_json_ps(struct xctx *x);
int x_json_fds(struct xctx *x);
int x_json_mems(struct xctx *x);
int x_json_rss(struct xctx *x);

int x_ps(struct xctx *x)
{
	return x->json ? x_json_ps(x) : ps_text(x);
}

int x_fds(struct xctx *x)
{
	return x->json ? x_json_fds(x) : fds_text(x);
}

int x_mems(struct xctx *x)
{
	return x->json ? x_json_mems(x) : mems_text(x);
}

int x_rss(struct xctx *x)
{
	return x->json ? x_json_rss(x) : rss_text(x);
}
