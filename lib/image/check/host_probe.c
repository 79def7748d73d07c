/* This machine as a host description (to be written). */
#include <stdio.h>
#include "check/check_int.h"

struct crimg_host *crimg_host_probe(const char *root, struct crimg_ckpt *c, struct crimg_error *err)
{
	snprintf(err->msg, sizeof(err->msg), "host probe: not yet");
	return NULL;
}
