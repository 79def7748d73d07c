/* crit mem: what its parts (mem*.c) share. */
#ifndef CRIT_MEM_CLI_H
#define CRIT_MEM_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "crimg/mem.h"
#include "progress.h"

struct mem_args {
	const char *src, *container, *out;
	int have_pid, have_shmem, have_vma, have_range;
	uint32_t pid;
	uint64_t shmem, vma, rstart, rend;
	uint32_t prot; /* PROT_* bits every VMA shown must have */
	const char *pattern;
	size_t pattern_len;
	int regex, icase;
	size_t context;
	uint64_t max_count;
	int json, bytes;
	struct crimg_mem_opts mopts;
};

/* mem_table.c, mem_dump.c, mem_search.c: each returns the exit status */
int mem_table(struct crimg_ckpt *c, const struct mem_args *a);
int mem_dump(struct crimg_ckpt *c, const struct mem_args *a);
int mem_search(struct crimg_ckpt *c, const struct mem_args *a);

/* Does the checkpoint hold memory for pid (mm image, or a pre-dump's pagemap)? */
int mem_has_memory(struct crimg_ckpt *c, uint32_t pid);

/* ---- mem_fmt.c ---- */

/* "1.5 MiB" (or the exact count with --bytes) into buf. */
const char *mem_size_str(uint64_t n, int exact, char *buf, size_t len);
/* C-style escapes of bytes (\n, \t, \\, \", \xHH); spaces too if esc_space. */
void mem_put_escaped(FILE *f, const uint8_t *p, size_t n, int esc_space);
/* {"base64": "...", "printable": "..."} for bytes. */
void mem_put_json_bytes(FILE *f, const uint8_t *p, size_t n);

/* The progress line (progress.h) worded for crit mem, what naming the
 * work; mem_progress_cb is crimg_mem_opts' callback: the line keeps the
 * tool's own label, not the library's. */
void mem_progress_init(struct progress *p, const char *what);
void mem_progress_cb(void *arg, const char *what, uint64_t done, uint64_t total);

#endif
