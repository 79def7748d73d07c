/*
 * A task's memory map: one row per VMA, joining what mm-PID.img records
 * about it (struct crimg_task_vma: kind, file, flags) with what the memory
 * reader knows (struct crimg_mem_vma: bytes saved, lazy), a detail pane
 * with all of it, and Enter to the memory view at the VMA's start.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "task_files.h"

struct maps_row {
	const struct crimg_task_vma *tv; /* NULL: not in mm-PID.img (pre-dump) */
	const struct crimg_mem_vma *mv;  /* NULL: the memory reader failed */
};

struct maps_view {
	const struct crimg_task_mm *mm;
	struct crimg_mem *mem;
	/* errors shown in place, as the first rows */
	char err[2][400];
	int err_role[2];
	size_t n_err;
	struct maps_row *rows;
	size_t n;
	int addr_w; /* hex digits of the widest address */
	int has_lazy;
	struct tf_lines det;
};

static const char *kind_name(enum crimg_vma_kind k)
{
	static const char *const n[] = {
		[CRIMG_VMA_KIND_ANON] = "anonymous",
		[CRIMG_VMA_KIND_FILE] = "file",
		[CRIMG_VMA_KIND_HEAP] = "heap",
		[CRIMG_VMA_KIND_STACK] = "stack",
		[CRIMG_VMA_KIND_VDSO] = "vdso",
		[CRIMG_VMA_KIND_VVAR] = "vvar",
		[CRIMG_VMA_KIND_VSYSCALL] = "vsyscall",
		[CRIMG_VMA_KIND_SHMEM] = "shared anonymous",
		[CRIMG_VMA_KIND_SYSVIPC] = "SysV shm",
		[CRIMG_VMA_KIND_MEMFD] = "memfd",
		[CRIMG_VMA_KIND_SOCKET] = "packet ring",
		[CRIMG_VMA_KIND_AIORING] = "aio ring",
		[CRIMG_VMA_KIND_UPROBES] = "uprobes",
		[CRIMG_VMA_KIND_OTHER] = "other",
	};
	return (unsigned)k < sizeof(n) / sizeof(n[0]) && n[k] ? n[k] : "other";
}

static void add_err(struct maps_view *mv, int role, const char *what, const struct crimg_error *e)
{
	char b[320];
	if (mv->n_err >= 2)
		return;
	tui_errstr(e, b, sizeof(b));
	snprintf(mv->err[mv->n_err], sizeof(mv->err[0]), "%s%s", what, b);
	mv->err_role[mv->n_err++] = role;
}

static size_t maps_count(struct tui *t, struct tui_view *v)
{
	struct maps_view *mv = v->priv;
	return mv->n_err + mv->n;
}

static const struct maps_row *row_of(struct maps_view *mv, size_t i)
{
	return i >= mv->n_err && i - mv->n_err < mv->n ? &mv->rows[i - mv->n_err] : NULL;
}

static void maps_title(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	tui_task_tabs(t, v->pid, TT_MAPS, buf, n);
}

static void maps_header(struct tui *t, struct tui_view *v, struct tui_row *r)
{
	struct maps_view *mv = v->priv;
	tui_row_add(r, TR_HEADER, "%-*s PERM   SIZE  SAVED ", mv->addr_w * 2 + 1, "START-END");
	if (mv->has_lazy)
		tui_row_add(r, TR_HEADER, "  LAZY ");
	tui_row_add(r, TR_HEADER, "MAP  BACKING");
}

/* The row's fields, from whichever side has them. */
static uint64_t r_start(const struct maps_row *w)
{
	return w->tv ? w->tv->start : w->mv->start;
}
static uint64_t r_end(const struct maps_row *w)
{
	return w->tv ? w->tv->end : w->mv->end;
}
static uint32_t r_flags(const struct maps_row *w)
{
	return w->tv ? w->tv->flags : w->mv->flags;
}

static void backing(const struct maps_row *w, struct tui_row *r)
{
	const struct crimg_task_vma *tv = w->tv;
	if (!tv) {
		const char *nm = w->mv->name;
		if (*nm)
			tui_row_addn(r, TR_TEXT, nm, strlen(nm));
		else
			tui_row_add(r, TR_DIM, "anonymous");
		return;
	}
	switch (tv->kind) {
	case CRIMG_VMA_KIND_FILE: {
		const char *p = tv->file && tv->file->path ? tv->file->path : tv->name;
		if (p && *p)
			tui_row_addn(r, TR_TEXT, p, strlen(p));
		else
			tui_row_add(r, TR_ERROR, "file %" PRIu64 " (not found)", tv->shmid);
		if (tv->file && tv->file->type == CRIMG_FD_REG &&
		    (tv->file->u.reg.remap == CRIMG_REMAP_GHOST ||
		     tv->file->u.reg.remap == CRIMG_REMAP_LINKED))
			tui_row_add(r, TR_WARN, " (deleted)");
		if (tv->pgoff)
			tui_row_add(r, TR_DIM, " +0x%" PRIx64, tv->pgoff);
		break;
	}
	case CRIMG_VMA_KIND_ANON:
		tui_row_add(r, TR_DIM, "anonymous");
		break;
	case CRIMG_VMA_KIND_SHMEM:
		tui_row_add(r, TR_TEXT, "shared anonymous");
		tui_row_add(r, TR_DIM, " shmem %" PRIu64, tv->shmid);
		break;
	case CRIMG_VMA_KIND_SYSVIPC:
		tui_row_add(r, TR_TEXT, "SysV shm");
		tui_row_add(r, TR_DIM, " id %" PRIu64, tv->shmid);
		if (w->mv && *w->mv->name)
			tui_row_add(r, TR_DIM, " %s", w->mv->name);
		break;
	case CRIMG_VMA_KIND_MEMFD:
		if (tv->name && *tv->name)
			tui_row_addn(r, TR_TEXT, tv->name, strlen(tv->name));
		else
			tui_row_add(r, TR_TEXT, "memfd");
		break;
	case CRIMG_VMA_KIND_HEAP:
	case CRIMG_VMA_KIND_STACK:
		tui_row_addn(r, TR_ACCENT, tv->name, strlen(tv->name));
		break;
	default:
		if (tv->name && *tv->name)
			tui_row_addn(r, TR_DIM, tv->name, strlen(tv->name));
		else
			tui_row_add(r, TR_DIM, "[%s]", kind_name(tv->kind));
		break;
	}
}

static void maps_row(struct tui *t, struct tui_view *v, size_t i, struct tui_row *r)
{
	struct maps_view *mv = v->priv;
	const struct maps_row *w = row_of(mv, i);
	char b[32];
	if (!w) {
		if (i < mv->n_err)
			tui_row_add(r, mv->err_role[i], "%s", mv->err[i]);
		return;
	}
	uint64_t s = r_start(w), e = r_end(w);
	tui_row_add(r, TR_ADDR, "%0*" PRIx64 "-%0*" PRIx64 " ", mv->addr_w, s, mv->addr_w, e);
	if (w->mv) {
		tui_row_add(r, TR_TEXT, "%s ", w->mv->perms);
	} else {
		uint32_t p = w->tv->prot;
		tui_row_add(r, TR_TEXT, "%c%c%c%c ", p & 1 ? 'r' : '-', p & 2 ? 'w' : '-',
			    p & 4 ? 'x' : '-', w->tv->flags & 1 ? 's' : 'p');
	}
	tui_row_add(r, TR_TEXT, "%6s ", tf_size(e - s, b, sizeof(b)));
	if (!w->mv)
		tui_row_add(r, TR_DIM, "%6s ", "?");
	else
		tui_row_add(r, w->mv->dumped ? TR_TEXT : TR_DIM, "%6s ",
			    tf_size(w->mv->dumped, b, sizeof(b)));
	if (mv->has_lazy) {
		uint64_t lz = w->mv ? w->mv->lazy : 0;
		tui_row_add(r, lz ? TR_WARN : TR_DIM, "%6s ", tf_size(lz, b, sizeof(b)));
	}
	tui_row_add(r, r_flags(w) & 1 ? TR_ACCENT : TR_DIM, "%-4s ",
		    r_flags(w) & 1 ? "shrd" : "priv");
	backing(w, r);
}

static void make_detail(struct tui *t, struct maps_view *mv, size_t sel)
{
	struct tf_lines *L = &mv->det;
	const struct maps_row *w = row_of(mv, sel);
	char b[512];
	tf_lines_clear(L);
	L->valid = 1;
	L->sel = sel;
	if (!w)
		return;
	uint64_t s = r_start(w), e = r_end(w);
	size_t pw = t->cols >= 120 ? (size_t)(t->cols * 2 / 5 - 1) : (size_t)(t->cols - 1);
	tf_line(L, TR_HEADER, NULL, "%" PRIx64 "-%" PRIx64, s, e);
	tf_line(L, TR_TEXT, "size", "%" PRIu64 " (%s)", e - s, tf_size(e - s, b, sizeof(b)));
	if (w->tv) {
		const struct crimg_task_vma *tv = w->tv;
		tf_line(L, TR_TEXT, "kind", "%s", kind_name(tv->kind));
		if (tv->name && *tv->name)
			tf_line_wrap(L, TR_TEXT, "name", tv->name, strlen(tv->name), pw);
		tf_line(L, TR_TEXT, "prot", "%s",
			*crimg_flags_str("mmap.prot", tv->prot, b, sizeof(b)) ? b : "PROT_NONE");
		crimg_flags_str("mmap.flags", tv->flags, b, sizeof(b));
		tf_line_wrap(L, TR_TEXT, "flags", b, strlen(b), pw);
		crimg_flags_str("mmap.status", tv->status, b, sizeof(b));
		tf_line_wrap(L, TR_TEXT, "status", b, strlen(b), pw);
		tf_line(L, TR_TEXT, "pgoff", "0x%" PRIx64, tv->pgoff);
		tf_line(L, TR_TEXT, "shmid", "%" PRIu64 "%s", tv->shmid,
			tv->kind == CRIMG_VMA_KIND_FILE              ? " (file id)"
				: tv->kind == CRIMG_VMA_KIND_SHMEM   ? " (shared memory)"
				: tv->kind == CRIMG_VMA_KIND_SYSVIPC ? " (SysV id)"
				: tv->kind == CRIMG_VMA_KIND_MEMFD   ? " (file id)"
								     : "");
		if (tv->madv)
			tf_line(L, TR_TEXT, "madv", "0x%" PRIx64, tv->madv);
		if (tv->file) {
			const struct crimg_file *f = tv->file;
			tf_line(L, TR_TEXT, "file id", "%u", f->id);
			if (f->path)
				tf_line_wrap(L, TR_TEXT, "file", f->path, strlen(f->path), pw);
			if (f->type == CRIMG_FD_REG) {
				if (f->u.reg.has_size)
					tf_line(L, TR_TEXT, "file size", "%" PRIu64, f->u.reg.size);
				if (f->u.reg.mode)
					tf_line(L, TR_TEXT, "file mode", "0%o", f->u.reg.mode);
				if (f->u.reg.remap == CRIMG_REMAP_GHOST)
					tf_line(L, TR_WARN, "deleted", "ghost file %u%s",
						f->u.reg.remap_id,
						f->u.reg.has_ghost ? "" : " (not read)");
				else if (f->u.reg.remap == CRIMG_REMAP_LINKED)
					tf_line(L, TR_WARN, "deleted", "linked");
			} else if (f->type == CRIMG_FD_MEMFD) {
				tf_line(L, TR_TEXT, "memfd size", "%" PRIu64, f->u.memfd.size);
				tf_line(L, TR_TEXT, "memfd shmid", "%u", f->u.memfd.shmid);
			}
		} else if (tv->kind == CRIMG_VMA_KIND_FILE || tv->kind == CRIMG_VMA_KIND_MEMFD) {
			tf_line(L, TR_ERROR, "file", "file %" PRIu64 " is in no file image",
				tv->shmid);
		}
	}
	if (w->mv) {
		const struct crimg_mem_vma *m = w->mv;
		unsigned ps = crimg_mem_page_size(mv->mem);
		tf_line(L, TR_TEXT, "perms", "%s", m->perms);
		tf_line(L, m->dumped ? TR_TEXT : TR_DIM, "saved",
			"%" PRIu64 " bytes, %" PRIu64 " pages", m->dumped, ps ? m->dumped / ps : 0);
		tf_line(L, m->lazy ? TR_WARN : TR_DIM, "lazy", "%" PRIu64 " bytes%s", m->lazy,
			m->lazy ? " (left to a page server)" : "");
		uint64_t zero = e - s > m->dumped + m->lazy ? e - s - m->dumped - m->lazy : 0;
		tf_line(L, TR_DIM, "not saved", "%" PRIu64 " bytes (read as zeros)", zero);
		if (m->shmem >= 0)
			tf_line(L, TR_TEXT, "pages in", "pagemap-shmem-%" PRId64 ".img", m->shmem);
	} else {
		tf_line(L, TR_DIM, "saved", "unknown (the memory reader failed)");
	}
	tf_line(L, TR_DIM, NULL, "Enter: memory at %" PRIx64, s);
	if (w->tv && w->tv->msg) {
		struct crimg_error err;
		crimg_error_clear(&err);
		char *js = tf_json(w->tv->msg, &err);
		tf_line(L, TR_DIM, NULL, "entry");
		if (js) {
			tf_line_wrap(L, TR_TEXT, NULL, js, strlen(js), pw);
			free(js);
		} else {
			tui_errstr(&err, b, sizeof(b));
			tf_line_wrap(L, TR_ERROR, NULL, b, strlen(b), pw);
		}
	}
}

static size_t maps_detail_count(struct tui *t, struct tui_view *v, size_t sel)
{
	struct maps_view *mv = v->priv;
	if (!mv->det.valid || mv->det.sel != sel)
		make_detail(t, mv, sel);
	return tf_lines_count(&mv->det);
}

static void maps_detail_row(struct tui *t, struct tui_view *v, size_t sel, size_t i,
			    struct tui_row *r)
{
	struct maps_view *mv = v->priv;
	if (!mv->det.valid || mv->det.sel != sel)
		make_detail(t, mv, sel);
	tf_lines_row(&mv->det, i, r);
}

static void maps_enter(struct tui *t, struct tui_view *v, size_t sel)
{
	const struct maps_row *w = row_of(v->priv, sel);
	if (w)
		tui_push(t, tui_view_mem(t, v->pid, r_start(w)));
}

static int maps_key(struct tui *t, struct tui_view *v, int key)
{
	return tui_task_tab_key(t, v, key);
}

static void maps_status(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct maps_view *mv = v->priv;
	uint64_t total = 0, saved = 0;
	char a[32], b[32];
	for (size_t i = 0; i < mv->n; i++) {
		total += r_end(&mv->rows[i]) - r_start(&mv->rows[i]);
		if (mv->rows[i].mv)
			saved += mv->rows[i].mv->dumped;
	}
	snprintf(buf, n, "%zu/%zu  %zu VMAs, %s mapped, %s saved  Enter: memory",
		 mv->n ? (v->sel >= mv->n_err ? v->sel - mv->n_err + 1 : 0) : 0, mv->n, mv->n,
		 tf_size(total, a, sizeof(a)), tf_size(saved, b, sizeof(b)));
}

static void maps_free(struct tui_view *v)
{
	struct maps_view *mv = v->priv;
	if (!mv)
		return;
	crimg_mem_close(mv->mem);
	free(mv->rows);
	tf_lines_clear(&mv->det);
	free(mv);
}

static const char *const maps_help[] = {
	"  Enter           the memory (hex view) at the VMA's start",
	"  SAVED           bytes the checkpoint holds; the rest reads as zeros",
	"  [ ]  < >        previous, next tab",
	"  s r m f k e     summary, registers, maps, fds, sockets, env",
	"  x               the task's memory (hex view)",
	NULL,
};

static const struct tui_view_ops maps_ops = {
	.name = "maps",
	.title = maps_title,
	.count = maps_count,
	.row = maps_row,
	.header = maps_header,
	.detail_count = maps_detail_count,
	.detail_row = maps_detail_row,
	.enter = maps_enter,
	.key = maps_key,
	.status = maps_status,
	.help = maps_help,
	.free = maps_free,
};

/* Joins the two lists of VMAs (both sorted by start) into rows. */
static int join(struct maps_view *mv, const struct crimg_mem_vma *m, size_t nm)
{
	size_t nt = mv->mm ? mv->mm->n_vmas : 0;
	mv->rows = calloc(nt + nm + 1, sizeof(*mv->rows));
	if (!mv->rows)
		return -1;
	size_t i = 0, j = 0;
	while (i < nt || j < nm) {
		struct maps_row *w = &mv->rows[mv->n++];
		const struct crimg_task_vma *tv = i < nt ? &mv->mm->vmas[i] : NULL;
		if (tv && j < nm && m[j].start == tv->start) {
			w->tv = tv;
			w->mv = &m[j++];
			i++;
		} else if (tv && (j >= nm || tv->start < m[j].start)) {
			w->tv = tv;
			i++;
		} else {
			w->mv = &m[j++];
		}
	}
	/* user space addresses in one width (12 digits on x86_64): a kernel
	 * one (vsyscall) is shown whole, out of line */
	mv->addr_w = 8;
	for (size_t k = 0; k < mv->n; k++) {
		uint64_t e = r_end(&mv->rows[k]) - 1;
		if (e >> 48)
			e = 0;
		int d = 1;
		while (e >>= 4)
			d++;
		if (d > mv->addr_w)
			mv->addr_w = d;
		if (mv->rows[k].mv && mv->rows[k].mv->lazy)
			mv->has_lazy = 1;
	}
	return 0;
}

struct tui_view *tui_tab_maps(struct tui *t, uint32_t pid)
{
	struct maps_view *mv = calloc(1, sizeof(*mv));
	struct crimg_error err;
	const struct crimg_mem_vma *m = NULL;
	size_t nm = 0;
	int zombie = 0;
	if (!mv)
		goto oom;
	crimg_error_clear(&err);
	const struct crimg_task *task = tui_task(t, pid);
	if (task) {
		const struct crimg_task_brief *b = crimg_task_brief(t->c, task, &err);
		if (b && (b->state == CRIMG_TASK_DEAD || b->state == CRIMG_TASK_ZOMBIE)) {
			snprintf(mv->err[0], sizeof(mv->err[0]),
				 "pid %u is a zombie: it has no memory map", pid);
			mv->err_role[0] = TR_WARN;
			mv->n_err = 1;
			zombie = 1;
		} else {
			crimg_error_clear(&err);
			mv->mm = crimg_task_mm(t->c, task, &err);
			if (!mv->mm)
				add_err(mv, TR_ERROR, "memory map: ", &err);
		}
	}
	if (!zombie) {
		/* also for a pre-dump, which has no tree: its saved stretches */
		crimg_error_clear(&err);
		mv->mem = crimg_mem_open(t->c, pid, NULL, &err);
		if (mv->mem)
			nm = crimg_mem_vmas(mv->mem, &m);
		else if (mv->mm || !task)
			add_err(mv, TR_ERROR, "saved pages: ", &err);
	}
	if (join(mv, m, nm))
		goto oom;
	struct tui_view *v = tui_view_new(&maps_ops, mv, pid);
	if (v)
		return v;
oom:
	if (mv) {
		crimg_mem_close(mv->mem);
		free(mv->rows);
		free(mv);
	}
	tui_msg(t, TR_ERROR, "out of memory");
	return NULL;
}
