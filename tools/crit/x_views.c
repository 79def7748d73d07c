/*
 * crit x ps, fds, mems, rss as JSON: the same tasks in the same order as
 * the text, with everything the model knows about each line.
 */
#include <inttypes.h>
#include <string.h>

#include "util.h"
#include "x.h"

int x_json_ps(struct xctx *x);
int x_json_fds(struct xctx *x);
int x_json_mems(struct xctx *x);
int x_json_rss(struct xctx *x);

/* "state" and, for a zombie, how it ended. */
static void state_of(struct xj *j, unsigned state, uint32_t exit_code)
{
	xj_str(j, "state", crimg_task_state_name(state));
	if (state == CRIMG_TASK_DEAD || state == CRIMG_TASK_ZOMBIE) {
		if (exit_code & 0x7f)
			xj_u64(j, "exit_signal", exit_code & 0x7f);
		else
			xj_u64(j, "exit_status", (exit_code >> 8) & 0xff);
	}
}

static void task_state(struct xj *j, const struct crimg_task_core *core)
{
	state_of(j, core->state, core->exit_code);
}

/* pid, comm and state: the head of every task object. */
static int task_head(struct xctx *x, const struct crimg_task *t,
		     const struct crimg_task_core **core)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	*core = crimg_task_core(x->c, t, &err);
	if (!*core)
		return x_fail(&err);
	xj_obj(&x->j, NULL);
	xj_u64(&x->j, "pid", t->pid);
	xj_str(&x->j, "comm", (*core)->comm);
	task_state(&x->j, *core);
	return 0;
}

int x_json_ps(struct xctx *x)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_tree *tr = crimg_ckpt_tree(x->c, &err);
	if (!tr)
		return x_fail(&err);
	for (size_t i = 0; i < tr->n_tasks; i++)
		if (!crimg_task_brief(x->c, &tr->tasks[i], &err))
			return x_fail(&err);
	struct xj *j = &x->j;
	xj_obj(j, NULL);
	xj_arr(j, "tasks");
	for (size_t i = 0; i < tr->n_tasks; i++) {
		const struct crimg_task *t = tr->order[i];
		if (!x_selected(x, t))
			continue;
		const struct crimg_task_brief *b = crimg_task_brief(x->c, t, &err);
		xj_obj(j, NULL);
		xj_u64(j, "pid", t->pid);
		xj_u64(j, "ppid", t->ppid);
		xj_u64(j, "pgid", t->pgid);
		xj_u64(j, "sid", t->sid);
		xj_str(j, "comm", b->comm);
		state_of(j, b->state, b->exit_code);
		xj_u64(j, "depth", t->depth);
		xj_arr(j, "threads");
		for (size_t k = 0; k < t->n_threads; k++)
			xj_u64(j, NULL, t->threads[k]);
		xj_end_arr(j);
		xj_arr(j, "children");
		for (size_t k = 0; k < t->n_children; k++)
			xj_u64(j, NULL, t->children[k]->pid);
		xj_end_arr(j);
		xj_end_obj(j);
	}
	xj_end_arr(j);
	xj_end_obj(j);
	xj_finish(j);
	return 0;
}

static void file_ref(struct xctx *x, const char *key, uint32_t id, const struct crimg_file *f,
		     const struct crimg_fdtable *ft)
{
	char buf[4096];
	xj_obj(&x->j, key);
	xj_u64(&x->j, "id", id);
	xj_str(&x->j, "text", x_crit_file_str(x, CRIMG_FD_REG, id, buf, sizeof(buf)));
	if (f) {
		xj_obj(&x->j, "file");
		x_json_file(x, f, ft);
		xj_end_obj(&x->j);
	} else {
		xj_null(&x->j, "file");
	}
	xj_end_obj(&x->j);
}

int x_json_fds(struct xctx *x)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_tree *tr = crimg_ckpt_tree(x->c, &err);
	if (!tr)
		return x_fail(&err);
	struct xj *j = &x->j;
	char buf[4096];
	xj_obj(j, NULL);
	xj_arr(j, "tasks");
	for (size_t i = 0; i < tr->n_tasks; i++) {
		const struct crimg_task *t = &tr->tasks[i];
		if (!x_selected(x, t))
			continue;
		const struct crimg_task_core *core;
		if (task_head(x, t, &core))
			return 1;
		if (crimg_task_is_zombie(core)) {
			xj_arr(j, "fds");
			xj_end_arr(j);
			xj_end_obj(j);
			continue;
		}
		const struct crimg_fdtable *ft = crimg_task_fds(x->c, t, &err);
		const struct crimg_task_fs *fs = ft ? crimg_task_fs(x->c, t, &err) : NULL;
		if (!fs)
			return x_fail(&err);
		xj_u64(j, "files_id", ft->files_id);
		xj_arr(j, "fds");
		for (size_t k = 0; k < ft->n_fds; k++) {
			const struct crimg_fd *fd = &ft->fds[k];
			xj_obj(j, NULL);
			xj_u64(j, "fd", fd->fd);
			xj_bool(j, "cloexec", fd->flags & 1);
			const char *tn = crimg_fd_type_name(fd->type);
			if (tn)
				xj_str(j, "type", tn);
			else
				xj_u64(j, "type", fd->type);
			xj_u64(j, "id", fd->id);
			xj_str(j, "text", x_crit_file_str(x, fd->type, fd->id, buf, sizeof(buf)));
			if (fd->file) {
				xj_obj(j, "file");
				x_json_file(x, fd->file, ft);
				xj_end_obj(j);
			} else {
				xj_null(j, "file");
			}
			xj_end_obj(j);
		}
		xj_end_arr(j);
		file_ref(x, "cwd", fs->cwd_id, fs->cwd, ft);
		file_ref(x, "root", fs->root_id, fs->root, ft);
		if (fs->has_umask) {
			snprintf(buf, sizeof(buf), "0%03o", fs->umask);
			xj_str(j, "umask", buf);
		}
		xj_end_obj(j);
	}
	xj_end_arr(j);
	xj_end_obj(j);
	xj_finish(j);
	return 0;
}

int x_json_mems(struct xctx *x)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_tree *tr = crimg_ckpt_tree(x->c, &err);
	if (!tr)
		return x_fail(&err);
	struct xj *j = &x->j;
	char buf[512];
	xj_obj(j, NULL);
	xj_arr(j, "tasks");
	for (size_t i = 0; i < tr->n_tasks; i++) {
		const struct crimg_task *t = &tr->tasks[i];
		if (!x_selected(x, t))
			continue;
		const struct crimg_task_core *core;
		if (task_head(x, t, &core))
			return 1;
		if (crimg_task_is_zombie(core)) {
			xj_arr(j, "vmas");
			xj_end_arr(j);
			xj_end_obj(j);
			continue;
		}
		const struct crimg_task_mm *mm = crimg_task_mm(x->c, t, &err);
		if (!mm)
			return x_fail(&err);
		file_ref(x, "exe", mm->exe_file_id, mm->exe, NULL);
		uint64_t total = 0;
		for (size_t k = 0; k < mm->n_vmas; k++)
			total += mm->vmas[k].end - mm->vmas[k].start;
		xj_u64(j, "size", total);
		xj_arr(j, "vmas");
		for (size_t k = 0; k < mm->n_vmas; k++) {
			const struct crimg_task_vma *v = &mm->vmas[k];
			xj_obj(j, NULL);
			xj_hex(j, "start", v->start);
			xj_hex(j, "end", v->end);
			xj_u64(j, "size", v->end - v->start);
			snprintf(buf, sizeof(buf), "%c%c%c%c", v->prot & 1 ? 'r' : '-',
				 v->prot & 2 ? 'w' : '-', v->prot & 4 ? 'x' : '-',
				 v->flags & 1 ? 's' : 'p');
			xj_str(j, "perms", buf);
			xj_str(j, "kind", x_vma_kind(v->kind));
			xj_str(j, "name", v->name);
			xj_hex(j, "pgoff", v->pgoff);
			xj_u64(j, "shmid", v->shmid);
			if (v->file)
				xj_u64(j, "file_id", v->file->id);
			xj_str(j, "flags",
			       crimg_flags_str("mmap.flags", v->flags, buf, sizeof(buf)));
			xj_str(j, "status",
			       crimg_flags_str("mmap.status", v->status, buf, sizeof(buf)));
			if (v->madv)
				xj_hex(j, "madv", v->madv);
			xj_end_obj(j);
		}
		xj_end_arr(j);
		xj_end_obj(j);
	}
	xj_end_arr(j);
	xj_end_obj(j);
	xj_finish(j);
	return 0;
}

int x_json_rss(struct xctx *x)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_tree *tr = crimg_ckpt_tree(x->c, &err);
	if (!tr)
		return x_fail(&err);
	struct xj *j = &x->j;
	char buf[256];
	xj_obj(j, NULL);
	xj_arr(j, "tasks");
	for (size_t i = 0; i < tr->n_tasks; i++) {
		const struct crimg_task *t = &tr->tasks[i];
		if (!x_selected(x, t))
			continue;
		const struct crimg_task_core *core;
		if (task_head(x, t, &core))
			return 1;
		if (crimg_task_is_zombie(core)) {
			xj_arr(j, "pagemap");
			xj_end_arr(j);
			xj_end_obj(j);
			continue;
		}
		const struct crimg_task_mm *mm = crimg_task_mm(x->c, t, &err);
		const struct crimg_pagemap *pm = mm ? crimg_task_pagemap(x->c, t, &err) : NULL;
		if (!pm)
			return x_fail(&err);
		uint64_t present = 0, parent = 0, lazy = 0;
		size_t vi = 0; /* both lists are sorted: one pass */
		xj_u64(j, "pages_id", pm->pages_id);
		xj_arr(j, "pagemap");
		for (size_t k = 0; k < pm->n; k++) {
			const struct crimg_pagemap_entry *pe = &pm->entries[k];
			if (pe->flags & CRIMG_PE_PARENT)
				parent += pe->nr_pages;
			else if (pe->flags & CRIMG_PE_PRESENT)
				present += pe->nr_pages;
			if (pe->flags & CRIMG_PE_LAZY)
				lazy += pe->nr_pages;
			xj_obj(j, NULL);
			xj_hex(j, "vaddr", pe->vaddr);
			xj_u64(j, "nr_pages", pe->nr_pages);
			xj_str(j, "flags",
			       crimg_flags_str("pmap.flags", pe->flags, buf, sizeof(buf)));
			/* the VMAs it covers */
			xj_arr(j, "vmas");
			uint64_t end = pe->vaddr + pe->nr_pages * 4096;
			while (vi < mm->n_vmas && mm->vmas[vi].end <= pe->vaddr)
				vi++;
			for (size_t v = vi; v < mm->n_vmas && mm->vmas[v].start < end; v++) {
				const struct crimg_task_vma *m = &mm->vmas[v];
				xj_obj(j, NULL);
				xj_hex(j, "start", m->start);
				xj_hex(j, "end", m->end);
				xj_str(j, "name", m->name);
				xj_end_obj(j);
			}
			xj_end_arr(j);
			xj_end_obj(j);
		}
		xj_end_arr(j);
		xj_u64(j, "pages_present", present);
		xj_u64(j, "pages_in_parent", parent);
		xj_u64(j, "pages_lazy", lazy);
		xj_end_obj(j);
	}
	xj_end_arr(j);
	xj_end_obj(j);
	xj_finish(j);
	return 0;
}
