/* Part 1: the checkpoint on its own (to be written). */
#include <stdio.h>
#include "check/check_int.h"

int crimg_check_images(struct crimg_check *k, struct crimg_ckpt *c, struct crimg_error *err)
{
	return 0;
}
