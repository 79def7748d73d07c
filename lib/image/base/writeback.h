/*
 * Early writeback for outputs that will be fsynced: the tools fsync every
 * output before renaming it into place, and a fsync that finds all of a
 * large file still dirty waits for all of it.  Asking the kernel to start
 * writing each few MiB as they are produced overlaps that wait with the
 * work that produces the rest.
 */
#ifndef CRIMG_WRITEBACK_H
#define CRIMG_WRITEBACK_H

#include <stdint.h>

struct crimg_writeback {
	uint64_t started; /* bytes already handed to writeback */
	int off;          /* not a file that writeback applies to */
};

/* After bytes [0, written) of fd are written: starts writeback of what
 * has not been started when enough has piled up.  Never fails. */
void crimg_writeback_kick(struct crimg_writeback *wb, int fd, uint64_t written);

#endif
