/* Host descriptions as JSON (to be written). */
#include <stdio.h>
#include "check/check_int.h"

struct crimg_host *crimg_host_from_json(const char *text, size_t len, struct crimg_error *err)
{
	snprintf(err->msg, sizeof(err->msg), "host JSON: not yet");
	return NULL;
}

char *crimg_host_json(const struct crimg_host *h, size_t *len)
{
	return NULL;
}
