/*
 * Target "oci": OCI checkpoint images, as oci-archive files.  Input: MODE
 * then the archive's bytes (seeds: real oci-archives crit-convert wrote,
 * uncompressed and gzip layers).  MODE & 1: opened as a checkpoint by
 * crimg_ckpt_open() (detection, verification, the layer read in place,
 * the model); else extracted by crimg_oci_extract() into an empty directory.
 *
 * Checked: a refusal carries a message; nothing appears in the sandbox but
 * the archive and the target directory; the checkpoint's tmpdir is empty
 * after close.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "crimg/convert.h"
#include "fuzz.h"

static int count_entries(const char *dir, const char *except1, const char *except2)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if ((except1 && !strcmp(e->d_name, except1)) ||
		    (except2 && !strcmp(e->d_name, except2)))
			continue;
		n++;
	}
	closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *s = fz_scratch();
	char arch[PATH_MAX], x[PATH_MAX];
	snprintf(arch, sizeof(arch), "%s/i.oci.tar", s);
	snprintf(x, sizeof(x), "%s/x", s);
	fz_rm_tree(x);
	FZ_ASSERT(mkdir(x, 0700) == 0);
	FZ_ASSERT(fz_write_file(arch, data + 1, size - 1) == 0);
	struct crimg_error err;
	crimg_error_clear(&err);
	if (data[0] & 1) {
		struct crimg_ckpt_opts o = { .tmpdir = x };
		struct crimg_ckpt *c = crimg_ckpt_open(arch, &o, &err);
		if (!c) {
			fz_check_err(&err);
		} else {
			fz_exercise_ckpt(c, data[0] & 2 ? 1 : 0);
			crimg_ckpt_close(c);
		}
		FZ_ASSERT(count_entries(x, NULL, NULL) == 0);
	} else if (crimg_oci_extract(arch, x, NULL, &err) < 0) {
		fz_check_err(&err);
	}
	FZ_ASSERT(count_entries(s, "i.oci.tar", "x") == 0);
	return 0;
}
