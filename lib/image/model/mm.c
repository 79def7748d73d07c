/*
 * Per task: file descriptors (fdinfo-FILES_ID.img, shared by the tasks that
 * share a file table), cwd and root (fs-PID.img), the memory map
 * (mm-PID.img, VMAs named by what they map) and the pagemap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdinfo.pb-c.h"
#include "fs.pb-c.h"
#include "mm.pb-c.h"
#include "pagemap.pb-c.h"
#include "vma.pb-c.h"

#include "model/model_int.h"

static struct task_cache *cache_of(struct crimg_ckpt *c, const struct crimg_task *t)
{
	return &c->model->tc[t->index];
}

/* Every entry of NAME, checked to be of type d (from entry `from` on). */
static const struct crimg_entries *typed_entries(struct crimg_ckpt *c, const char *name,
						 const ProtobufCMessageDescriptor *d, size_t from,
						 struct crimg_error *err)
{
	const struct crimg_entries *e = crimg_ckpt_entries(c, name, err);
	if (!e)
		return NULL;
	for (size_t i = from; i < e->n; i++) {
		if (e->msgs[i]->descriptor != d) {
			crimg_fail(err, name, -1, (int64_t)i, "not a %s entry", d->name);
			return NULL;
		}
	}
	return e;
}

/* The first entry of a per-task image NAME, of type d, with the file table
 * loaded (what it refers to is resolved through it).  NULL, err filled. */
static const ProtobufCMessage *first_entry(struct crimg_ckpt *c, const char *name,
					   const ProtobufCMessageDescriptor *d,
					   struct crimg_error *err)
{
	const struct crimg_entries *e = typed_entries(c, name, d, 0, err);
	if (!e)
		return NULL;
	if (!e->n) {
		crimg_fail(err, name, -1, -1, "image has no entries");
		return NULL;
	}
	if (model_files_need(c, c->model, err) < 0)
		return NULL;
	return e->msgs[0];
}

/* ---- file descriptors ---- */

const struct crimg_fdtable *crimg_task_fds(struct crimg_ckpt *c, const struct crimg_task *t,
					   struct crimg_error *err)
{
	struct task_cache *tc = cache_of(c, t);
	if (tc->fds)
		return tc->fds;
	struct crimg_model *m = c->model;
	const struct crimg_task_ids *ids = crimg_task_ids(c, t, err);
	if (!ids)
		return NULL;
	struct crimg_fdtable *ft = u32map_get(&m->fdtables, ids->files_id);
	if (ft) {
		tc->fds = ft;
		return ft;
	}
	char name[64];
	snprintf(name, sizeof(name), "fdinfo-%u.img", ids->files_id);
	const struct crimg_entries *e = typed_entries(c, name, &fdinfo_entry__descriptor, 0, err);
	if (!e || model_files_need(c, m, err) < 0)
		return NULL;
	ft = model_alloc(m, sizeof(*ft));
	struct crimg_fd *v = model_alloc(m, (e->n ? e->n : 1) * sizeof(*v));
	if (!ft || !v) {
		model_oom(err, name);
		return NULL;
	}
	for (size_t i = 0; i < e->n; i++) {
		const FdinfoEntry *fe = (const FdinfoEntry *)e->msgs[i];
		v[i].fd = fe->fd;
		v[i].flags = fe->flags;
		v[i].type = fe->type;
		v[i].id = fe->id;
		v[i].file = model_file(m, fe->id);
	}
	ft->files_id = ids->files_id;
	ft->fds = v;
	ft->n_fds = e->n;
	if (u32map_put(&m->fdtables, ids->files_id, ft) < 0) {
		model_oom(err, name);
		return NULL;
	}
	tc->fds = ft;
	return ft;
}

const struct crimg_fd *crimg_fdtable_find(const struct crimg_fdtable *ft, uint32_t fd)
{
	for (size_t i = 0; ft && i < ft->n_fds; i++)
		if (ft->fds[i].fd == fd)
			return &ft->fds[i];
	return NULL;
}

/* ---- cwd and root ---- */

const struct crimg_task_fs *crimg_task_fs(struct crimg_ckpt *c, const struct crimg_task *t,
					  struct crimg_error *err)
{
	struct task_cache *tc = cache_of(c, t);
	if (tc->fs)
		return tc->fs;
	struct crimg_model *m = c->model;
	char name[64];
	snprintf(name, sizeof(name), "fs-%u.img", t->pid);
	const FsEntry *fe = (const FsEntry *)first_entry(c, name, &fs_entry__descriptor, err);
	if (!fe)
		return NULL;
	struct crimg_task_fs *k = model_alloc(m, sizeof(*k));
	if (!k) {
		model_oom(err, name);
		return NULL;
	}
	k->cwd_id = fe->cwd_id;
	k->root_id = fe->root_id;
	k->cwd = model_file(m, fe->cwd_id);
	k->root = model_file(m, fe->root_id);
	k->has_umask = fe->has_umask;
	k->umask = fe->umask;
	tc->fs = k;
	return k;
}

/* ---- memory map ---- */

/* What a VMA maps, from its status bits (in the order crit tests them,
 * memfd first since it is also a shared file mapping).  -1: no memory for
 * its name. */
static int classify(struct crimg_model *m, struct crimg_task_vma *v)
{
	uint32_t st = v->status;
	const struct crimg_file *f = NULL;
	if (st & CRIMG_VMA_STATUS_AREA_SYSVIPC) {
		v->kind = CRIMG_VMA_KIND_SYSVIPC;
		v->name = "[sysvipc]";
	} else if (st & CRIMG_VMA_STATUS_AREA_MEMFD) {
		v->kind = CRIMG_VMA_KIND_MEMFD;
		f = model_file(m, (uint32_t)v->shmid);
	} else if (st & CRIMG_VMA_STATUS_ANON_SHARED) {
		v->kind = CRIMG_VMA_KIND_SHMEM;
		v->name = "[shmem]";
	} else if (st & CRIMG_VMA_STATUS_AREA_SOCKET) {
		v->kind = CRIMG_VMA_KIND_SOCKET;
		v->name = "[packet]";
	} else if (st & (CRIMG_VMA_STATUS_FILE_PRIVATE | CRIMG_VMA_STATUS_FILE_SHARED)) {
		v->kind = CRIMG_VMA_KIND_FILE;
		f = model_file(m, (uint32_t)v->shmid);
	} else if (st & CRIMG_VMA_STATUS_AREA_STACK || v->flags & 0x100 /* MAP_GROWSDOWN */) {
		v->kind = CRIMG_VMA_KIND_STACK;
		v->name = "[stack]";
	} else if (st & CRIMG_VMA_STATUS_AREA_VSYSCALL) {
		v->kind = CRIMG_VMA_KIND_VSYSCALL;
		v->name = "[vsyscall]";
	} else if (st & CRIMG_VMA_STATUS_AREA_VDSO) {
		v->kind = CRIMG_VMA_KIND_VDSO;
		v->name = "[vdso]";
	} else if (st & CRIMG_VMA_STATUS_AREA_VVAR) {
		v->kind = CRIMG_VMA_KIND_VVAR;
		v->name = "[vvar]";
	} else if (st & CRIMG_VMA_STATUS_AREA_HEAP) {
		v->kind = CRIMG_VMA_KIND_HEAP;
		v->name = "[heap]";
	} else if (st & CRIMG_VMA_STATUS_AREA_AIORING) {
		v->kind = CRIMG_VMA_KIND_AIORING;
		v->name = "[aio]";
	} else if (st & CRIMG_VMA_STATUS_AREA_UPROBES) {
		v->kind = CRIMG_VMA_KIND_UPROBES;
		v->name = "[uprobes]";
	} else {
		v->kind = st & CRIMG_VMA_STATUS_AREA_REGULAR ? CRIMG_VMA_KIND_ANON
							     : CRIMG_VMA_KIND_OTHER;
		v->name = "";
	}
	if (v->kind == CRIMG_VMA_KIND_FILE || v->kind == CRIMG_VMA_KIND_MEMFD) {
		v->file = f;
		if (f && f->type == CRIMG_FD_MEMFD) {
			v->kind = CRIMG_VMA_KIND_MEMFD;
			char b[512];
			snprintf(b, sizeof(b), "memfd:%s", f->u.memfd.name ? f->u.memfd.name : "");
			if (!(v->name = model_strdup(m, b)))
				return -1;
		} else {
			v->name = f && f->path ? f->path : "";
		}
	}
	return 0;
}

const struct crimg_task_mm *crimg_task_mm(struct crimg_ckpt *c, const struct crimg_task *t,
					  struct crimg_error *err)
{
	struct task_cache *tc = cache_of(c, t);
	if (tc->mm)
		return tc->mm;
	struct crimg_model *m = c->model;
	char name[64];
	snprintf(name, sizeof(name), "mm-%u.img", t->pid);
	const MmEntry *me = (const MmEntry *)first_entry(c, name, &mm_entry__descriptor, err);
	if (!me)
		return NULL;
	VmaEntry *const *vmas = me->vmas;
	size_t nv = me->n_vmas;
	if (!nv) {
		/* the oldest dumps: VMAs in vmas-PID.img */
		char vn[64];
		int failed;
		snprintf(vn, sizeof(vn), "vmas-%u.img", t->pid);
		const struct crimg_entries *ve = model_optional(c, vn, err, &failed);
		if (failed)
			return NULL;
		if (ve && (ve = typed_entries(c, vn, &vma_entry__descriptor, 0, err)) == NULL)
			return NULL;
		if (ve) {
			vmas = (VmaEntry *const *)ve->msgs;
			nv = ve->n;
		}
	}
	struct crimg_task_mm *k = model_alloc(m, sizeof(*k));
	struct crimg_task_vma *v = model_alloc(m, (nv ? nv : 1) * sizeof(*v));
	if (!k || !v) {
		model_oom(err, name);
		return NULL;
	}
	for (size_t i = 0; i < nv; i++) {
		const VmaEntry *ve = vmas[i];
		/* CRIU writes VMAs by address, without overlaps: lookups by
		 * address (crimg_mm_find_vma) rely on it */
		if (ve->start >= ve->end) {
			crimg_fail(err, name, -1, 0, "vma %zu: 0x%llx-0x%llx is empty or reversed",
				   i, (unsigned long long)ve->start, (unsigned long long)ve->end);
			return NULL;
		}
		if (i && ve->start < vmas[i - 1]->end) {
			crimg_fail(err, name, -1, 0,
				   "vma %zu: 0x%llx-0x%llx does not follow vma %zu (0x%llx-0x%llx): VMAs overlap or are out of order",
				   i, (unsigned long long)ve->start, (unsigned long long)ve->end,
				   i - 1, (unsigned long long)vmas[i - 1]->start,
				   (unsigned long long)vmas[i - 1]->end);
			return NULL;
		}
		v[i].start = ve->start;
		v[i].end = ve->end;
		v[i].pgoff = ve->pgoff;
		v[i].shmid = ve->shmid;
		v[i].prot = ve->prot;
		v[i].flags = ve->flags;
		v[i].status = ve->status;
		v[i].madv = ve->has_madv ? ve->madv : 0;
		v[i].msg = &ve->base;
		if (classify(m, &v[i]) < 0) {
			model_oom(err, name);
			return NULL;
		}
	}
	k->exe_file_id = me->exe_file_id;
	k->exe = model_file(m, me->exe_file_id);
	k->start_code = me->mm_start_code;
	k->end_code = me->mm_end_code;
	k->start_data = me->mm_start_data;
	k->end_data = me->mm_end_data;
	k->start_stack = me->mm_start_stack;
	k->start_brk = me->mm_start_brk;
	k->brk = me->mm_brk;
	k->arg_start = me->mm_arg_start;
	k->arg_end = me->mm_arg_end;
	k->env_start = me->mm_env_start;
	k->env_end = me->mm_env_end;
	k->auxv = me->mm_saved_auxv;
	k->n_auxv = me->n_mm_saved_auxv;
	k->vmas = v;
	k->n_vmas = nv;
	k->msg = &me->base;
	tc->mm = k;
	return k;
}

const struct crimg_task_vma *crimg_mm_find_vma(const struct crimg_task_mm *mm, uint64_t addr)
{
	size_t lo = 0, hi = mm ? mm->n_vmas : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct crimg_task_vma *v = &mm->vmas[mid];
		if (addr < v->start)
			hi = mid;
		else if (addr >= v->end)
			lo = mid + 1;
		else
			return v;
	}
	return NULL;
}

/* ---- pagemap ---- */

const struct crimg_pagemap *crimg_task_pagemap(struct crimg_ckpt *c, const struct crimg_task *t,
					       struct crimg_error *err)
{
	struct task_cache *tc = cache_of(c, t);
	if (tc->pagemap)
		return tc->pagemap;
	struct crimg_model *m = c->model;
	char name[64];
	snprintf(name, sizeof(name), "pagemap-%u.img", t->pid);
	const struct crimg_entries *e = typed_entries(c, name, &pagemap_entry__descriptor, 1, err);
	if (!e)
		return NULL;
	if (!e->n || e->msgs[0]->descriptor != &pagemap_head__descriptor) {
		crimg_fail(err, name, -1, 0, "no pagemap_head");
		return NULL;
	}
	struct crimg_pagemap *k = model_alloc(m, sizeof(*k));
	struct crimg_pagemap_entry *v = model_alloc(m, e->n * sizeof(*v));
	if (!k || !v) {
		model_oom(err, name);
		return NULL;
	}
	k->pages_id = ((const PagemapHead *)e->msgs[0])->pages_id;
	for (size_t i = 1; i < e->n; i++) {
		const PagemapEntry *pe = (const PagemapEntry *)e->msgs[i];
		struct crimg_pagemap_entry *o = &v[i - 1];
		o->vaddr = pe->vaddr;
		/* CRIU >= 4.0 writes the count to field 5 and 0 to field 2 */
		o->nr_pages = pe->has_nr_pages ? pe->nr_pages : pe->compat_nr_pages;
		o->in_parent = pe->has_in_parent && pe->in_parent;
		if (pe->has_flags)
			o->flags = pe->flags;
		else
			o->flags = o->in_parent ? CRIMG_PE_PARENT : CRIMG_PE_PRESENT;
	}
	k->entries = v;
	k->n = e->n - 1;
	tc->pagemap = k;
	return k;
}
