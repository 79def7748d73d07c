/* Starts writeback of output files as they grow (see writeback.h). */
#include <fcntl.h>
#include <unistd.h>

#include "base/writeback.h"

#define WRITEBACK_STEP (1u << 20)

void crimg_writeback_kick(struct crimg_writeback *wb, int fd, uint64_t written)
{
	if (wb->off || written - wb->started < WRITEBACK_STEP)
		return;
	/* nothing fsyncs standard output (whoever redirected it decides on
	 * durability): starting its writeback early would only move the
	 * kernel's work into this process's time */
	if (fd == STDOUT_FILENO) {
		wb->off = 1;
		return;
	}
	/* asynchronous: queues the pages for writing, does not wait for them;
	 * pipes, terminals and file systems without it say no once */
	if (sync_file_range(fd, (off_t)wb->started, (off_t)(written - wb->started),
			    SYNC_FILE_RANGE_WRITE) < 0) {
		wb->off = 1;
		return;
	}
	wb->started = written;
}
