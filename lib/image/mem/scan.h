/* Internals of memory search: the literal finder, compiled patterns and
 * the scanner of a stretch of saved bytes (mem_lit.c, mem_pattern.c,
 * mem_scan.c; used by mem_search.c and the unit tests). */
#ifndef CRIMG_MEM_SCAN_H
#define CRIMG_MEM_SCAN_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "mem/mem_int.h"

#define MEM_NONE ((size_t)-1)
#define MEM_SCAN_CHUNK (256u << 10) /* bytes read per step: stays in the CPU's cache */
#define MEM_WINDOW_MAX (16u << 20)  /* longest regex match across a chunk boundary */
#define MEM_KEEP_MAX (64u << 10)    /* most context kept in the buffer for hits */

/* A literal needle and the two of its bytes (positions r1, r2) memchr and
 * a first check look for. */
struct mem_lit {
	const uint8_t *s;
	size_t n;
	size_t r1, r2;
};
void mem_lit_init(struct mem_lit *l, const uint8_t *s, size_t n);
/* The first occurrence starting in hay[from, len - n], or MEM_NONE. */
size_t mem_lit_find(const struct mem_lit *l, const uint8_t *hay, size_t len, size_t from);

struct crimg_mem_pattern {
	uint8_t *lit; /* a literal: its bytes; a regex: the literal every match starts with, or NULL */
	size_t n;
	struct mem_lit lf;    /* finder for lit */
	pcre2_code *code;     /* a regex (NULL: a literal) */
	pcre2_code *anchored; /* the regex compiled anchored, when it has lit */
	size_t lookbehind;    /* bytes before a match start a regex may look at (>= 1) */
};

/* A segment of a stretch: len bytes at address addr. */
struct mem_seg {
	uint64_t addr, len;
	const uint8_t *data;          /* the bytes (mapped or in memory) */
	const struct ckpt_file *file; /* the mapped file data points into, read with
					 * pread rather than faulted in; NULL: copied from data */
};

/* A match at [addr, addr + len).  buf holds the stretch's bytes from
 * buf_addr on (buf_len of them), the match among them, with at least the
 * scanner's keep bytes before it when the stretch has them.  Returns < 0 on
 * error, > 0 to stop, 0 to go on. */
typedef int (*mem_hit_fn)(void *arg, uint64_t addr, uint64_t len, const uint8_t *buf,
			  uint64_t buf_addr, size_t buf_len);

struct mem_scan {
	/* set by the caller */
	const struct crimg_mem_pattern *p;
	size_t chunk; /* bytes read per step; 0: MEM_SCAN_CHUNK */
	size_t keep;  /* bytes kept before the cursor for the hits' context
					 * (up to MEM_KEEP_MAX) */
	mem_hit_fn hit;
	void *arg;
	void (*advance)(void *arg, uint64_t bytes); /* progress: bytes settled; may be NULL */
	struct crimg_error *err;
	/* private */
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jstack;
	uint8_t *buf;
	size_t cap;
	const struct ckpt_file *open_file, *bad_file;
	int fd;
};
int mem_scan_init(struct mem_scan *s);
/* Searches one stretch: segments that follow each other in the address
 * space (n >= 1).  Returns 0, 1 when a hit asked to stop, -1 on error. */
int mem_scan_stretch(struct mem_scan *s, const struct mem_seg *segs, size_t n);
void mem_scan_free(struct mem_scan *s);

#endif
