/*
 * crimg: what changed between two checkpoints, or between two images.
 *
 * Differences are handed to a callback one at a time, in a fixed order (the
 * checkpoint as a whole, then task by task, then the other images), each as
 * a category, a path naming the value and the value before and after:
 *
 *   category  path                                      before      after
 *   creds     task[100].creds.uid                       0           1000
 *   vma       task[100].vma[0x7f0000000000]             (absent)    "0x7f..-0x7f.. rw-p [anon]"
 *   memory    task[100].mem[0x555500006000-0x555500007000]  "data"   "data"
 *   image     inventory.img[0].dump_criu_run_id         "a1b2"      "c3d4"
 *
 * Values are JSON text as `crit show` writes them (hex addresses, flag
 * names, enums by name); a summary string for what was added or removed.
 *
 * Comparisons are semantic: tasks are matched by pid (or by command line),
 * entries and repeated fields by their natural key (pid, fd, id, address)
 * where one exists, else by position; images are compared decoded, so byte
 * order and encoding details are not differences; memory is compared by
 * virtual address through each checkpoint's page index, so pages a dump
 * leaves in its parent are the same pages as the parent's.  Page data is
 * compared in place (the pages images are mapped), each page read once,
 * whole runs at a time, narrowed to pages only where a run differs.
 *
 * The library neither prints nor exits; filters (--only, --ignore) are
 * applied here so that the statistics count what the caller is shown.
 *
 * Threads: a diff uses both checkpoints (and their parents) for its whole
 * length; neither may be used by another thread meanwhile (crimg/image.h).
 */
#ifndef CRIMG_DIFF_H
#define CRIMG_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "crimg/ckpt.h"
#include "crimg/mem.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The categories, in the order they are reported. */
enum crimg_diff_cat {
	CRIMG_DIFF_TASK,      /* tasks added/removed; pstree, core and thread fields */
	CRIMG_DIFF_CREDS,     /* credentials (per thread) */
	CRIMG_DIFF_REGS,      /* registers and other thread_info (per thread) */
	CRIMG_DIFF_SIGACTION, /* signal handlers */
	CRIMG_DIFF_VMA,    /* memory map: VMAs added, removed, resized, re-protected; mm fields */
	CRIMG_DIFF_FD,     /* file descriptors, cwd and root, pipe/fifo/tty/ghost contents */
	CRIMG_DIFF_SOCKET, /* descriptors that are sockets; socket queues */
	CRIMG_DIFF_MOUNT,  /* mount points */
	CRIMG_DIFF_NS,     /* namespaces of each task; namespace images */
	CRIMG_DIFF_CGROUP, /* cgroup of each task; cgroup.img controllers */
	CRIMG_DIFF_MEMORY, /* memory contents: page ranges that differ */
	CRIMG_DIFF_IMAGE,  /* any other image, entry by entry and field by field */
	CRIMG_DIFF_NCAT
};
/* The name of category cat: "task", "creds", ... (constant); NULL past the end. */
const char *crimg_diff_cat_name(unsigned cat);
/* The category named name, or -1. */
int crimg_diff_cat_by_name(const char *name);

enum crimg_diff_op {
	CRIMG_DIFF_CHANGED,
	CRIMG_DIFF_ADDED,   /* only in B */
	CRIMG_DIFF_REMOVED, /* only in A */
};

/* A memory (or raw image) range whose pages differ. */
struct crimg_diff_range {
	uint64_t start, end; /* addresses (raw images: offsets) */
	uint64_t pages;      /* differing pages (raw images: blocks) */
	uint64_t bytes;      /* differing bytes in them */
	/* where the bytes of each side are; LAZY: left to a page server,
	 * not in the images (such pages count as differing, bytes unknown) */
	enum crimg_mem_state state_a, state_b;
	const struct crimg_mem_vma *vma_a, *vma_b; /* NULL for raw images */
	/* Readers for the bytes of the range during the callback
	 * (crimg_mem_read); for raw images mem_* are NULL and raw_* hold the
	 * whole image, indexed by offset (NULL: the side is shorter). */
	struct crimg_mem *mem_a, *mem_b;
	const uint8_t *raw_a, *raw_b;
	uint64_t raw_len_a, raw_len_b;
};

struct crimg_diff_item {
	unsigned cat; /* enum crimg_diff_cat */
	enum crimg_diff_op op;
	const char *path; /* "task[100].creds.uid" */
	/* The thing the path is about ("task 100 crimg-demo", "image
	 * inventory.img", "mounts"), and where in path the part under it
	 * starts (path + rel: "creds.uid"). */
	const char *group;
	size_t rel;
	/* JSON text; NULL when absent (added or removed). */
	const char *before, *after;
	const struct crimg_diff_range *range; /* memory and raw images, else NULL */
};

/* Non-zero stops the diff (crimg_diff_* then return 0, stopped set). */
typedef int (*crimg_diff_fn)(void *arg, const struct crimg_diff_item *it);

enum crimg_diff_match {
	CRIMG_DIFF_MATCH_PID,  /* tasks with the same pid */
	CRIMG_DIFF_MATCH_CMD,  /* the same command line (argv, or comm without memory),
				 * the k-th of A with the k-th of B in tree order */
	CRIMG_DIFF_MATCH_TREE, /* the same place in the process tree (root with
				 * root, k-th child with k-th child) */
};

struct crimg_diff_opts {
	enum crimg_diff_match match;
	unsigned cats;             /* bit (1 << cat) per category wanted; 0: all */
	const char *const *ignore; /* path patterns: '*' any text, '?' one character */
	size_t n_ignore;
	unsigned page_size; /* 0: the host's */
	/* for the images compared entry by entry (NULL: the defaults); a
	 * checkpoint's other reads follow the limits it was opened with */
	const struct crimg_limits *limits;
};

struct crimg_diff_stats {
	uint64_t items[CRIMG_DIFF_NCAT]; /* differences reported, per category */
	uint64_t total;
	uint64_t mem_pages, mem_bytes; /* differing pages / bytes reported */
	uint64_t compared_bytes;       /* page data read to compare (both sides) */
	int stopped;                   /* the callback stopped the diff */
	/* Set when one side is a pre-dump (no process tree): only memory
	 * (and the images themselves) can be compared. */
	int predump_a, predump_b;
};

/*
 * Whether a path is ignored by pattern pat: it matches the path or a part
 * of it that ends where a component ends ('.' or '[' follows), so
 * "task[*].regs" ignores every register of every task.  1 when it is, else 0.
 */
int crimg_diff_glob(const char *pat, const char *path);

/* Compares two checkpoints (o NULL: the defaults), calling fn for each
 * difference.  0 when compared (st says how many differences), -1 with err
 * filled when something could not be read or memory ran out. */
int crimg_diff_ckpt(struct crimg_ckpt *a, struct crimg_ckpt *b, const struct crimg_diff_opts *o,
		    crimg_diff_fn fn, void *arg, struct crimg_diff_stats *st,
		    struct crimg_error *err);

/*
 * Two single images of the same kind, given as their bytes (names say
 * what they are: raw images have no header and are known by name).  Fails
 * when the kinds differ or an image cannot be read: -1 with err filled,
 * else 0 as crimg_diff_ckpt().
 */
int crimg_diff_image(const char *name_a, const uint8_t *a, size_t alen, const char *name_b,
		     const uint8_t *b, size_t blen, const struct crimg_diff_opts *o,
		     crimg_diff_fn fn, void *arg, struct crimg_diff_stats *st,
		     struct crimg_error *err);

#ifdef __cplusplus
}
#endif

#endif
