/*
 * Target "ckpt": the checkpoint model opened on a directory built from
 * fuzzed images (the member container of fuzz.h: inventory.img, core-1.img,
 * ..., a parent dump under p/, a "parent" link or file).
 */
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "crimg/model.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_member m[FZ_MAX_MEMBERS];
	size_t n = fz_members(data, size, m, FZ_MAX_MEMBERS);
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/d", fz_scratch());
	fz_rm_tree(dir);
	FZ_ASSERT(mkdir(dir, 0755) == 0);
	fz_make_tree(dir, m, n);
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_ckpt *c = crimg_ckpt_open(dir, NULL, &err);
	if (!c) {
		fz_check_err(&err);
	} else {
		fz_exercise_ckpt(c, 1);
		crimg_ckpt_close(c);
	}
	fz_rm_tree(dir);
	return 0;
}
