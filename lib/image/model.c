/* The checkpoint model: tasks, their state, memory maps and files. */
#include "ckpt_int.h"

void crimg_ckpt_model_free(struct crimg_ckpt *c)
{
	(void)c;
}
