/* The buffered output sink (out.c): its insides, for the writers that fill
 * its buffer directly. */
#ifndef CRIMG_OUT_H
#define CRIMG_OUT_H

#include <stdint.h>
#include <stddef.h>

#include "base/base.h"
#include "base/writeback.h"

struct crimg_out {
	int fd;
	const char *name;
	char *buf;
	size_t used, cap;
	uint64_t written;
	int err;
	struct crimg_writeback wb;
};
/* Writes the buffer out (for a memory sink, made with fd -1: grows it). */
int crimg_out_drain(struct crimg_out *o);

#endif
