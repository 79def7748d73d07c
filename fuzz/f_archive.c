/*
 * Target "archive": container checkpoint archives opened by
 * crimg_ckpt_open().  Input: MODE then either the archive's bytes (MODE & 3
 * == 3: raw, to mutate real archives) or members (fuzz.h) written as a tar,
 * tar.gz or tar.zst by libarchive (MODE & 3 = compression, MODE >> 2 the tar
 * flavour), with any member names: "../x", "/etc/x", links out, duplicates.
 *
 * Checked: nothing appears in the sandbox but the archive and the
 * extraction directory given as tmpdir, and that is empty after close.
 *
 * An OCI target can copy this file: build the layout with fz_make_tree()
 * (or an oci-archive with fz_make_archive()) and call the OCI opener.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Entries of dir other than "." and ".."; -1 if it cannot be read. */
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
	static struct fz_member m[FZ_MAX_MEMBERS];
	if (size < 1)
		return 0;
	const char *s = fz_scratch();
	char arch[PATH_MAX], x[PATH_MAX];
	snprintf(arch, sizeof(arch), "%s/a.tar", s);
	snprintf(x, sizeof(x), "%s/x", s);
	fz_rm_tree(x);
	FZ_ASSERT(mkdir(x, 0700) == 0);
	unsigned mode = data[0];
	if ((mode & 3) == 3) {
		FZ_ASSERT(fz_write_file(arch, data + 1, size - 1) == 0);
	} else {
		size_t n = fz_members(data + 1, size - 1, m, FZ_MAX_MEMBERS);
		if (fz_make_archive(arch, m, n, mode) < 0)
			return 0;
	}
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_ckpt_opts o = { .tmpdir = x };
	struct crimg_ckpt *c = crimg_ckpt_open(arch, &o, &err);
	if (!c) {
		fz_check_err(&err);
	} else {
		fz_exercise_ckpt(c, mode & 0x10 ? 1 : 0);
		if (mode & 0x20)
			fz_exercise_mem(c);
		crimg_ckpt_close(c);
	}
	/* no file outside the extraction directory, none left in it */
	FZ_ASSERT(count_entries(s, "a.tar", "x") == 0);
	FZ_ASSERT(count_entries(x, NULL, NULL) == 0);
	return 0;
}
