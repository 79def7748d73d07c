/* Internals of task memory, shared by the mem*.c sources. */
#ifndef CRIMG_MEM_INT_H
#define CRIMG_MEM_INT_H

#include "crimg/mem.h"
#include "ckpt/ckpt_int.h"

/*
 * A page index: the ranges a pagemap (and its parents) hold, sorted by
 * start, none overlapping.  Address- and file-contiguous entries are merged,
 * so a run is one stretch of bytes in one mapped pages file.
 */
struct mem_run {
	uint64_t start, end;          /* virtual addresses, or offsets in a shared object */
	const uint8_t *data;          /* the bytes of [start, end); NULL: lazy, not in the images */
	const struct ckpt_file *file; /* the pages file data points into */
	uint32_t entry;               /* pagemap entry it came from (errors) */
	uint32_t depth;               /* 0: this dump, 1: its parent, ... */
};

struct mem_index {
	struct mem_run *v;
	size_t n;
	uint64_t data_bytes, lazy_bytes;
};

/* Builds the index of pagemap image name ("pagemap-42.img",
 * "pagemap-shmem-7.img") of c, following PE_PARENT into c's parents. */
int mem_index_build(struct crimg_ckpt *c, const char *name, unsigned page_size,
		    struct mem_index *ix, struct crimg_error *err);
void mem_index_free(struct mem_index *ix);
/* The first run that ends after addr (n when there is none). */
size_t mem_index_find(const struct mem_index *ix, uint64_t addr);
/* Bytes of [start, end) that have data / are lazy. */
void mem_index_count(const struct mem_index *ix, uint64_t start, uint64_t end, uint64_t *data,
		     uint64_t *lazy);

struct mem_shobj {
	uint64_t id;
	struct mem_index ix;
};

struct crimg_mem {
	struct crimg_ckpt *c;
	uint32_t pid;
	int64_t shmem_id; /* object mode: its id; -1 for a task */
	unsigned page_size;
	struct crimg_mem_vma *vmas;
	size_t n_vmas;
	struct mem_index ix;  /* the task's private pages */
	struct mem_shobj *sh; /* shared objects its VMAs map */
	size_t n_sh;
	uint64_t arg_start, arg_end, env_start, env_end;
	char **strs; /* names it owns */
	size_t n_strs;
};

/* crimg_mem_span, and for a DATA span the pages file its bytes are in. */
void mem_span_file(struct crimg_mem *m, uint64_t addr, struct crimg_mem_span *s,
		   const struct ckpt_file **file);

/* Names each VMA and finds the shared object behind it (mem_names.c). */
int mem_name_vmas(struct crimg_mem *m, uint64_t start_stack, struct crimg_error *err);
/* The shared object holding the pages of a VMA, or -1. */
int64_t mem_vma_shmem(struct crimg_ckpt *c, uint32_t status, uint64_t shmid);
/* Keeps s (strdup'ed) for the life of m; NULL when out of memory. */
const char *mem_keep_str(struct crimg_mem *m, const char *s);
/* The index of shared object id mapped by m (NULL: not loaded). */
const struct mem_index *mem_shobj(const struct crimg_mem *m, uint64_t id);

/* Details of a shared object for listings (mem_names.c). */
void mem_shmem_describe(struct crimg_ckpt *c, uint64_t id, struct crimg_shmem_info *info);

unsigned mem_page_size(const struct crimg_mem_opts *o);

#endif
