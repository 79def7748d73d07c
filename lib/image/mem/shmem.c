/* The shared memory objects of a checkpoint: every pagemap-shmem-ID.img,
 * what it is (memfd, SysV segment, shared anonymous memory), how much of it
 * the checkpoint holds and how many tasks map it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/mem_int.h"
#include "mm.pb-c.h"
#include "pstree.pb-c.h"

static int cmp_info(const void *a, const void *b)
{
	const struct crimg_shmem_info *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Counts the tasks mapping each object, and the mapped size of anonymous
 * ones (which record no size of their own). */
static void count_mappers(struct crimg_ckpt *c, struct crimg_shmem_info *v, size_t n)
{
	const struct crimg_entries *pt = crimg_ckpt_has(c, "pstree.img")
		? crimg_ckpt_entries(c, "pstree.img", NULL)
		: NULL;
	for (size_t t = 0; pt && t < pt->n; t++) {
		uint32_t pid = ((const PstreeEntry *)pt->msgs[t])->pid;
		char mmname[64];
		snprintf(mmname, sizeof(mmname), "mm-%u.img", pid);
		if (!crimg_ckpt_has(c, mmname))
			continue;
		const MmEntry *mm = (const MmEntry *)crimg_ckpt_first(c, NULL, "%s", mmname);
		if (!mm || mm->base.descriptor != &mm_entry__descriptor)
			continue;
		for (size_t i = 0; i < n; i++) {
			int maps = 0;
			for (size_t k = 0; k < mm->n_vmas; k++) {
				const VmaEntry *ve = mm->vmas[k];
				if (mem_vma_shmem(c, ve->status, ve->shmid) != (int64_t)v[i].id)
					continue;
				maps = 1;
				uint64_t top = ve->end > ve->start
					? ve->pgoff + (ve->end - ve->start)
					: 0;
				if (!strcmp(v[i].kind, "anon") && top > v[i].size &&
				    top >= ve->pgoff)
					v[i].size = top;
			}
			v[i].mapped_by += (uint32_t)maps;
		}
	}
}

int crimg_mem_shmem_list(struct crimg_ckpt *c, const struct crimg_mem_opts *o,
			 struct crimg_shmem_info **out, size_t *nout, struct crimg_error *err)
{
	const char *const *names;
	size_t nn = crimg_ckpt_images(c, &names), n = 0;
	unsigned ps = mem_page_size(o);
	struct crimg_shmem_info *v = calloc(nn ? nn : 1, sizeof(*v));
	*out = NULL;
	*nout = 0;
	if (!v)
		return crimg_fail(err, NULL, -1, -1, "out of memory");
	for (size_t k = 0; k < nn; k++) {
		unsigned long long id;
		int end = 0;
		if (sscanf(names[k], "pagemap-shmem-%llu.img%n", &id, &end) != 1 ||
		    names[k][end] != '\0')
			continue;
		struct mem_index ix;
		if (mem_index_build(c, names[k], ps, &ix, err) < 0) {
			free(v);
			return -1;
		}
		mem_shmem_describe(c, id, &v[n]);
		v[n].dumped = ix.data_bytes;
		mem_index_free(&ix);
		n++;
	}
	if (n) /* qsort(NULL, 0, ...) is undefined */
		qsort(v, n, sizeof(*v), cmp_info);
	count_mappers(c, v, n);
	*out = v;
	*nout = n;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int crimg_mem_tasks(struct crimg_ckpt *c, uint32_t **pids, size_t *n, struct crimg_error *err)
{
	*pids = NULL;
	*n = 0;
	if (crimg_ckpt_has(c, "pstree.img")) {
		const struct crimg_entries *pt = crimg_ckpt_entries(c, "pstree.img", err);
		if (!pt)
			return -1;
		*pids = malloc((pt->n ? pt->n : 1) * sizeof(**pids));
		if (!*pids)
			return crimg_fail(err, "pstree.img", -1, -1, "out of memory");
		for (size_t i = 0; i < pt->n; i++)
			(*pids)[i] = ((const PstreeEntry *)pt->msgs[i])->pid;
		*n = pt->n;
		return 0;
	}
	const char *const *names;
	size_t nn = crimg_ckpt_images(c, &names);
	*pids = malloc((nn ? nn : 1) * sizeof(**pids));
	if (!*pids)
		return crimg_fail(err, NULL, -1, -1, "out of memory");
	for (size_t k = 0; k < nn; k++) {
		unsigned pid;
		int end = 0;
		if (sscanf(names[k], "pagemap-%u.img%n", &pid, &end) == 1 &&
		    names[k][end] == '\0' && isdigit((unsigned char)names[k][8]))
			(*pids)[(*n)++] = pid;
	}
	if (!*n) {
		free(*pids);
		*pids = NULL;
		return crimg_fail(err, "pstree.img", -1, -1,
				  "no such image in %s, and no pagemap either", crimg_ckpt_path(c));
	}
	qsort(*pids, *n, sizeof(**pids), cmp_u32);
	return 0;
}
