/* Part 2: the checkpoint against a host (to be written). */
#include <stdio.h>
#include "check/check_int.h"

int crimg_check_host(struct crimg_check *k, struct crimg_ckpt *c, const struct crimg_host *h,
		     const struct crimg_check_opts *o, struct crimg_error *err)
{
	return 0;
}
