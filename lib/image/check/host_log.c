/* A host description from a restore.log header (to be written). */
#include <stdio.h>
#include "check/check_int.h"

struct crimg_host *crimg_host_from_log(const char *log, size_t len, struct crimg_error *err)
{
	snprintf(err->msg, sizeof(err->msg), "host from log: not yet");
	return NULL;
}
