/*
 * crimg: the memory of a checkpointed task, read by virtual address.
 *
 * A task's memory is its memory map (mm-PID.img) and the pages CRIU saved:
 * pagemap-PID.img says which ranges are saved and pages-N.img holds their
 * bytes, in pagemap order.  Incremental dumps leave pages in their parent
 * (PE_PARENT): those are read from the parent's pagemap for the same task,
 * recursively.  Shared memory (MAP_SHARED|MAP_ANONYMOUS, SysV shm, memfd)
 * lives in pagemap-shmem-ID.img, addressed by offset in the object.
 *
 * Addresses inside a VMA for which the checkpoint holds no page read as
 * zeros: CRIU saves no page that was never touched, and no page of a file
 * mapping that is still what the file holds.  Every call says which bytes
 * are which (crimg_mem_span).  Pages images are mapped, never copied, for
 * reading; a search reads them instead in chunks (pread into one buffer),
 * which costs less than faulting a mapping in a page at a time.
 *
 * A crimg_mem borrows the checkpoint: close it before crimg_ckpt_close(),
 * and use the two from one thread at a time (crimg/image.h: "Threads").
 * Everything it hands out is valid until crimg_mem_close().
 */
#ifndef CRIMG_MEM_H
#define CRIMG_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "crimg/ckpt.h"

#ifdef __cplusplus
extern "C" {
#endif

struct crimg_mem_opts {
	unsigned page_size; /* 0: the host's (images do not record it) */
};

/* One mapping of the task as the memory reader sees it: where its bytes
 * are and how many the checkpoint holds (what mm-PID.img records about it,
 * its kind and file, is struct crimg_task_vma in crimg/model.h).  From
 * mm-PID.img, sorted by start. */
struct crimg_mem_vma {
	uint64_t start, end;
	uint64_t pgoff;  /* offset in the file or shared object */
	uint32_t prot;   /* PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4 */
	uint32_t flags;  /* MAP_SHARED 1, MAP_PRIVATE 2, ... */
	uint32_t status; /* CRIMG_VMA_STATUS_* */
	uint64_t shmid;  /* as in the image: file id, shmem or SysV id */
	/* "[heap]", "[stack]", "[vdso]", "[vvar]", "[vsyscall]", a file's
	 * path, "memfd:NAME", "SYSV%08x" (the key), "[shmem]"; "" for
	 * anonymous memory */
	const char *name;
	int64_t shmem;   /* the shared object holding its pages, -1: private */
	uint64_t dumped; /* bytes of it the checkpoint holds (here or in parents) */
	uint64_t lazy;   /* bytes marked lazy and not in the images */
	char perms[5];   /* "rw-p" as in /proc/PID/maps */
};

struct crimg_mem;

/*
 * The memory of task pid.  Fails (err filled) when the task has no mm
 * image (a zombie), when the pagemap is damaged (an entry past the end of
 * its pages file, overlapping entries), when its pages file is missing or
 * the parent chain is broken or loops.  A pre-dump (no pstree.img, no
 * mm-PID.img) has no memory map: each stretch of its saved pages is given
 * as one VMA named "[pre-dump]", permissions "???p".  Returns a reader the
 * caller closes with crimg_mem_close() (o NULL: the defaults).
 */
struct crimg_mem *crimg_mem_open(struct crimg_ckpt *c, uint32_t pid, const struct crimg_mem_opts *o,
				 struct crimg_error *err);
/*
 * A shared memory object (pagemap-shmem-ID.img) on its own, addressed by
 * offset: one "VMA" from 0 to its size.  For objects no task maps (SysV
 * segments, memfds only held open).  Returns a reader the caller closes
 * with crimg_mem_close(), or NULL (err filled) when there is no such object
 * or its pagemap is damaged.
 */
struct crimg_mem *crimg_mem_open_shmem(struct crimg_ckpt *c, uint64_t id,
				       const struct crimg_mem_opts *o, struct crimg_error *err);
/* Frees m and everything it handed out; NULL is fine. */
void crimg_mem_close(struct crimg_mem *m);

/* The task's pid, or 0 for a shared object. */
uint32_t crimg_mem_pid(const struct crimg_mem *m);
/* The shared object's id, or -1 for a task. */
int64_t crimg_mem_shmem_id(const struct crimg_mem *m);
/* The page size m reads with (crimg_mem_opts.page_size or the host's). */
unsigned crimg_mem_page_size(const struct crimg_mem *m);

/* The VMAs, sorted by start: their count, and in *v an array owned by m. */
size_t crimg_mem_vmas(const struct crimg_mem *m, const struct crimg_mem_vma **v);
/* The VMA containing addr (owned by m), or NULL. */
const struct crimg_mem_vma *crimg_mem_vma_at(const struct crimg_mem *m, uint64_t addr);

/* ---- reading ---- */

enum crimg_mem_state {
	CRIMG_MEM_UNMAPPED, /* no VMA here */
	CRIMG_MEM_DATA,     /* bytes held by the checkpoint */
	CRIMG_MEM_ZERO,     /* mapped, no page saved: reads as zeros */
	CRIMG_MEM_LAZY,     /* mapped, left to a page server: reads as zeros */
};
/* "data", "zero", "lazy" or "unmapped": the state's name in JSON output. */
const char *crimg_mem_state_name(enum crimg_mem_state s);

/* The longest run from addr whose bytes share one state and one source. */
struct crimg_mem_span {
	uint64_t addr, len;
	enum crimg_mem_state state;
	const uint8_t *data;             /* DATA: the bytes (mapped image), else NULL */
	const struct crimg_mem_vma *vma; /* NULL when UNMAPPED */
	unsigned depth;                  /* DATA: 0 this dump, 1 its parent, ... */
};
/* Fills s for addr (what it points to is owned by m).  UNMAPPED spans
 * reach the next VMA (or the top).  0, or -1 (err filled) when a page
 * cannot be read (a damaged pagemap or a missing parent). */
int crimg_mem_span(struct crimg_mem *m, uint64_t addr, struct crimg_mem_span *s,
		   struct crimg_error *err);

/* Reads [addr, addr + len) into buf: zeros where no page was saved.  0, or
 * -1 (err filled; nothing read) when part of the range is not mapped or
 * cannot be read. */
int crimg_mem_read(struct crimg_mem *m, uint64_t addr, void *buf, size_t len,
		   struct crimg_error *err);

enum crimg_mem_area {
	CRIMG_MEM_ARGV, /* [mm_arg_start, mm_arg_end) */
	CRIMG_MEM_ENV,  /* [mm_env_start, mm_env_end) */
};
/* The bytes of argv or of the environment, as the kernel keeps them:
 * strings each ended by a NUL.  Malloc'ed (free() it); *addr gets where
 * they start.  NULL (err filled) for a shared object, a task without them
 * or bytes that cannot be read. */
uint8_t *crimg_mem_area(struct crimg_mem *m, enum crimg_mem_area a, size_t *len, uint64_t *addr,
			struct crimg_error *err);

/* Narrows [*start, *end) to what VMAs map: from the first mapped address
 * in it to the end of the last.  0, or -1 (err filled; nothing changed)
 * when nothing in it is mapped. */
int crimg_mem_clip(const struct crimg_mem *m, uint64_t *start, uint64_t *end,
		   struct crimg_error *err);

/* Writes the mapped bytes of [start, end) to fd (which stays the caller's;
 * fdname for errors), in address order: zeros where no page was saved,
 * nothing for the holes between VMAs.  0, or -1 (err filled) when nothing
 * in the range is mapped or a read or write fails. */
int crimg_mem_write_fd(struct crimg_mem *m, uint64_t start, uint64_t end, int fd,
		       const char *fdname, struct crimg_error *err);
/* The same into path, by the rules of crimg_outfile_open ("-" stdout, a
 * file through a temporary file renamed when complete, a device or FIFO
 * directly): 0, or -1 (err filled): a failure leaves no file and an
 * existing one untouched. */
int crimg_mem_write_path(struct crimg_mem *m, uint64_t start, uint64_t end, const char *path,
			 struct crimg_error *err);

/* ---- search ---- */

#define CRIMG_PAT_REGEX 0x1u /* PCRE2 syntax (binary-safe, no UTF) */
#define CRIMG_PAT_ICASE 0x2u /* ASCII case-insensitive */

struct crimg_mem_pattern;
/* A literal (memmem-class) or a PCRE2 regular expression, len bytes
 * (NULs allowed; flags: CRIMG_PAT_*).  Returns a pattern the caller frees
 * with crimg_mem_pattern_free() (constant once made: searches in several
 * threads may share it), or NULL with err saying where a regular
 * expression is wrong. */
struct crimg_mem_pattern *crimg_mem_pattern_new(const void *pat, size_t len, unsigned flags,
						struct crimg_error *err);
/* Frees p; NULL is fine. */
void crimg_mem_pattern_free(struct crimg_mem_pattern *p);

struct crimg_mem_match {
	uint64_t addr, len;              /* where the match is and how long */
	const struct crimg_mem_vma *vma; /* the VMA it starts in */
	/* context + match + context, contiguous, valid during the callback */
	const uint8_t *bytes;
	size_t before; /* bytes of context before the match */
	size_t after;  /* bytes of context after it */
};
/* Called for each match in address order; non-zero stops the search. */
typedef int (*crimg_mem_match_fn)(void *arg, const struct crimg_mem_match *mt);

struct crimg_mem_search_opts {
	size_t context;       /* bytes of context on each side (cut at unmapped memory) */
	uint32_t prot;        /* search only VMAs with all these PROT_* bits */
	uint64_t start, end;  /* search only [start, end); both 0: everywhere */
	uint64_t max_matches; /* stop after this many; 0: no limit */
	/* NULL, or called with what "searching" and bytes searched of total */
	crimg_progress_fn *progress;
	void *progress_arg;
};

/*
 * Searches the bytes the checkpoint holds for the task, in address order.
 * Bytes that are contiguous in the address space are searched as one
 * stream, so matches across pages, pagemap entries and adjacent VMAs are
 * found; pages the checkpoint does not hold are not searched.  A regular
 * expression match is at most 16 MiB long (o NULL: no options).  Returns
 * the number of matches, or -1 (err filled) when pages cannot be read or
 * matching fails.
 */
int64_t crimg_mem_search(struct crimg_mem *m, const struct crimg_mem_pattern *p,
			 const struct crimg_mem_search_opts *o, crimg_mem_match_fn fn, void *arg,
			 struct crimg_error *err);

/* The tasks with memory in the checkpoint: those of pstree.img (zombies
 * included), or for a pre-dump, which has none, the pids of its pagemap
 * images in ascending order.  *pids is malloc'ed: free() it.  0, or -1
 * (err filled) when the tree cannot be read. */
int crimg_mem_tasks(struct crimg_ckpt *c, uint32_t **pids, size_t *n, struct crimg_error *err);

/* ---- shared memory objects of a checkpoint ---- */

struct crimg_shmem_info {
	uint64_t id;
	const char *kind;   /* "memfd", "sysv", "anon" */
	char name[256];     /* memfd name, "key 0x%08x" for SysV, "" */
	uint64_t size;      /* as recorded (memfd, SysV), or as mapped */
	uint64_t dumped;    /* bytes held by the checkpoint */
	uint32_t mapped_by; /* how many tasks map it */
};
/* Every pagemap-shmem-*.img of the checkpoint, sorted by id.  *v is
 * malloc'ed: free() it.  0, or -1 (err filled) when an image is damaged. */
int crimg_mem_shmem_list(struct crimg_ckpt *c, const struct crimg_mem_opts *o,
			 struct crimg_shmem_info **v, size_t *n, struct crimg_error *err);

#ifdef __cplusplus
}
#endif

#endif
