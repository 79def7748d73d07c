/* crit diff: how differences are written (text or JSON). */
#ifndef CRIT_DIFF_OUT_H
#define CRIT_DIFF_OUT_H

#include <stdint.h>
#include <stdio.h>

#include "crimg/diff.h"

struct out {
	FILE *f;
	int json;
	int color;
	int stat;            /* counts only */
	uint64_t mem_rows;   /* --mem-bytes: differing 16-byte rows shown per range; 0: off */
	char *group;         /* the last group header written (text) */
	unsigned long items; /* written so far */
	int failed;          /* reading bytes for --mem-bytes failed */
};

/* The crimg_diff_fn. */
int out_item(void *arg, const struct crimg_diff_item *it);
/* After the diff: closes the JSON list, or writes --stat. */
void out_end(struct out *o, const struct crimg_diff_stats *st);
void out_free(struct out *o);

#endif
