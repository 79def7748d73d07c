/* Temporary files in memory: scratch space that never touches a disk. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "base/base.h"

int crimg_memfile(const char *what, struct crimg_error *err)
{
	int fd = memfd_create("crimg", MFD_CLOEXEC);
	if (fd < 0)
		return crimg_fail(err, what, -1, -1, "cannot make a temporary file: %s",
				  strerror(errno));
	return fd;
}
