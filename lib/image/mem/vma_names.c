/*
 * What a VMA maps: its name as /proc/PID/maps would show it, and for shared
 * memory the object (pagemap-shmem-ID.img) that holds its pages.
 *
 *  - MAP_SHARED|MAP_ANONYMOUS (VMA_ANON_SHARED): vma.shmid is the object id;
 *  - SysV shm (VMA_AREA_SYSVIPC): vma.shmid is the segment id, its key is in
 *    ipcns-shm-*.img;
 *  - memfd (VMA_AREA_MEMFD): vma.shmid is a file id in files.img, whose
 *    MEMFD entry names an inode of memfd.img, which gives the object id.
 *    Recent kernels show MAP_SHARED|MAP_ANONYMOUS regions as a memfd named
 *    "/dev/zero", and CRIU dumps them that way;
 *  - file mappings: vma.shmid is a file id (files.img, or the older
 *    reg-files.img).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/mem_int.h"
#include "fdinfo.pb-c.h"
#include "ipc-shm.pb-c.h"
#include "memfd.pb-c.h"
#include "regfile.pb-c.h"

/* Lookups in optional images.  An image that is absent names nothing; one
 * that is listed but cannot be read (damaged, or no memory to read it) sets
 * failed, with err filled: a VMA named as if it were absent would carry a
 * wrong name ("file:N"), not a missing one. */
struct look {
	struct crimg_ckpt *c;
	struct crimg_error *err;
	int failed;
};

static const struct crimg_entries *optional(struct look *l, const char *name)
{
	if (!crimg_ckpt_has(l->c, name))
		return NULL;
	const struct crimg_entries *e = crimg_ckpt_entries(l->c, name, l->err);
	if (!e)
		l->failed = 1;
	return e;
}

static const FileEntry *file_by_id(struct look *l, uint64_t id)
{
	const struct crimg_entries *e = optional(l, "files.img");
	for (size_t i = 0; e && i < e->n; i++) {
		const FileEntry *f = (const FileEntry *)e->msgs[i];
		if (f->base.descriptor == &file_entry__descriptor && f->id == id)
			return f;
	}
	return NULL;
}

static const char *reg_name(struct look *l, uint64_t id)
{
	const FileEntry *f = file_by_id(l, id);
	if (f && f->reg)
		return f->reg->name;
	const struct crimg_entries *e = optional(l, "reg-files.img");
	for (size_t i = 0; e && i < e->n; i++) {
		const RegFileEntry *r = (const RegFileEntry *)e->msgs[i];
		if (r->base.descriptor == &reg_file_entry__descriptor && r->id == id)
			return r->name;
	}
	return NULL;
}

static const MemfdInodeEntry *memfd_inode(struct look *l, int by_shmid, uint64_t key)
{
	const struct crimg_entries *e = optional(l, "memfd.img");
	for (size_t i = 0; e && i < e->n; i++) {
		const MemfdInodeEntry *m = (const MemfdInodeEntry *)e->msgs[i];
		if (m->base.descriptor != &memfd_inode_entry__descriptor)
			continue;
		if (by_shmid ? m->shmid == key : m->inode_id == key)
			return m;
	}
	return NULL;
}

/* The memfd inode behind file id (a VMA_AREA_MEMFD vma's shmid). */
static const MemfdInodeEntry *memfd_of_file(struct look *l, uint64_t id)
{
	const FileEntry *f = file_by_id(l, id);
	if (!f || !f->memfd)
		return NULL;
	return memfd_inode(l, 0, f->memfd->inode_id);
}

static const IpcShmEntry *sysv_shm(struct look *l, uint64_t id)
{
	const char *const *names;
	size_t n = crimg_ckpt_images(l->c, &names);
	for (size_t k = 0; k < n; k++) {
		if (strncmp(names[k], "ipcns-shm-", 10))
			continue;
		const struct crimg_entries *e = optional(l, names[k]);
		for (size_t i = 0; e && i < e->n; i++) {
			const IpcShmEntry *s = (const IpcShmEntry *)e->msgs[i];
			if (s->base.descriptor == &ipc_shm_entry__descriptor && s->desc &&
			    s->desc->id == id)
				return s;
		}
	}
	return NULL;
}

int64_t mem_vma_shmem(struct crimg_ckpt *c, uint32_t status, uint64_t shmid)
{
	if (status & CRIMG_VMA_STATUS_AREA_MEMFD) {
		struct look l = { c, NULL, 0 };
		const MemfdInodeEntry *mi = memfd_of_file(&l, shmid);
		return mi ? (int64_t)mi->shmid : -1;
	}
	if (status & (CRIMG_VMA_STATUS_AREA_SYSVIPC | CRIMG_VMA_STATUS_ANON_SHARED))
		return (int64_t)shmid;
	return -1;
}

const char *mem_keep_str(struct crimg_mem *m, const char *s)
{
	char **nv = realloc(m->strs, (m->n_strs + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	m->strs = nv;
	char *d = strdup(s);
	if (!d)
		return NULL;
	m->strs[m->n_strs++] = d;
	return d;
}

int mem_name_vmas(struct crimg_mem *m, uint64_t start_stack, struct crimg_error *err)
{
	struct look l = { m->c, err, 0 };
	for (size_t i = 0; i < m->n_vmas; i++) {
		struct crimg_mem_vma *v = &m->vmas[i];
		const char *name = "";
		char buf[300];
		v->shmem = -1;
		if (v->status & CRIMG_VMA_STATUS_AREA_HEAP) {
			name = "[heap]";
		} else if (v->status & CRIMG_VMA_STATUS_AREA_VDSO) {
			name = "[vdso]";
		} else if (v->status & CRIMG_VMA_STATUS_AREA_VVAR) {
			name = "[vvar]";
		} else if (v->status & CRIMG_VMA_STATUS_AREA_VSYSCALL) {
			name = "[vsyscall]";
		} else if (v->status & CRIMG_VMA_STATUS_AREA_AIORING) {
			name = "[aio]";
		} else if (v->status & CRIMG_VMA_STATUS_AREA_MEMFD) {
			const MemfdInodeEntry *mi = memfd_of_file(&l, v->shmid);
			if (mi) {
				v->shmem = mi->shmid;
				snprintf(buf, sizeof(buf), mi->name[0] == '/' ? "%s" : "memfd:%s",
					 mi->name);
				name = buf;
			} else {
				name = "memfd:?";
			}
		} else if (v->status & CRIMG_VMA_STATUS_AREA_SYSVIPC) {
			const IpcShmEntry *s = sysv_shm(&l, v->shmid);
			v->shmem = (int64_t)v->shmid;
			snprintf(buf, sizeof(buf), "SYSV%08x", s ? s->desc->key : 0);
			name = buf;
		} else if (v->status & CRIMG_VMA_STATUS_ANON_SHARED) {
			v->shmem = (int64_t)v->shmid;
			name = "[shmem]";
		} else if (v->status &
			   (CRIMG_VMA_STATUS_FILE_PRIVATE | CRIMG_VMA_STATUS_FILE_SHARED)) {
			const char *r = reg_name(&l, v->shmid);
			if (r) {
				name = r;
			} else {
				snprintf(buf, sizeof(buf), "file:%llu",
					 (unsigned long long)v->shmid);
				name = buf;
			}
		} else if ((v->status & CRIMG_VMA_STATUS_AREA_STACK) || (v->flags & 0x100) ||
			   (start_stack >= v->start && start_stack < v->end)) {
			name = "[stack]"; /* MAP_GROWSDOWN, or where the stack pointer started */
		}
		if (l.failed)
			return -1; /* err says which image */
		v->name = name == buf ? mem_keep_str(m, buf) : name;
		if (!v->name)
			return crimg_fail(err, NULL, -1, -1, "out of memory");
		/* names from images are borrowed from the checkpoint's cache */
	}
	return 0;
}

void mem_shmem_describe(struct crimg_ckpt *c, uint64_t id, struct crimg_shmem_info *info)
{
	memset(info, 0, sizeof(*info));
	info->id = id;
	struct look l = { c, NULL, 0 };
	const MemfdInodeEntry *mi = memfd_inode(&l, 1, id);
	if (mi) {
		info->kind = "memfd";
		snprintf(info->name, sizeof(info->name), "%s", mi->name);
		info->size = mi->size;
		return;
	}
	const IpcShmEntry *s = sysv_shm(&l, id);
	if (s) {
		info->kind = "sysv";
		snprintf(info->name, sizeof(info->name), "key 0x%08x", s->desc->key);
		info->size = s->size;
		return;
	}
	info->kind = "anon";
}
