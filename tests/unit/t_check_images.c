/* crit check, part 1: the checkpoint on its own, over the restore cases
 * (skipped when the shared material is absent) and damaged copies of one. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crimg/check.h"
#include "unit.h"

static const char *cases_dir(void)
{
	const char *d = getenv("CRIMG_RESTORE_CASES");
	return d ? d : "../shared/restore-cases";
}

static struct crimg_check *check_dir(const char *dir)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_ckpt *c = crimg_ckpt_open(dir, NULL, &err);
	if (!c)
		return NULL;
	struct crimg_check *k = crimg_check_new();
	if (k && crimg_check_images(k, c, &err) < 0) {
		crimg_check_free(k);
		k = NULL;
	}
	crimg_ckpt_close(c);
	return k;
}

static int has(const struct crimg_check *k, const char *code, const char *image)
{
	for (size_t i = 0; k && i < crimg_check_count(k); i++) {
		const struct crimg_finding *f = crimg_check_get(k, i);
		if (!strcmp(f->code, code) && (!image || !strcmp(f->image, image)))
			return 1;
	}
	return 0;
}

static const struct {
	const char *name, *code, *image;
} image_cases[] = {
	{ "missing-fdinfo", "image-missing", "fdinfo-2.img" },
	{ "missing-pagemap", "image-missing", "pagemap-4457.img" },
	{ "pages-truncated", "pages-short", "pagemap-4541.img" },
	{ "core-magic-corrupted", "image-damaged", NULL },
};

TEST(check_images_restore_cases)
{
	const char *dir = cases_dir();
	struct stat st;
	if (stat(dir, &st) < 0) {
		printf("    (skipped: %s is absent)\n", dir);
		return;
	}
	static const char *const all[] = {
		"cpuinfo-mismatch",
		"cwd-removed",
		"exe-rebuilt-same-size",
		"exe-replaced",
		"file-deleted",
		"file-lock-conflict",
		"file-size-changed",
		"missing-fdinfo",
		"missing-pagemap",
		"not-root",
		"ok-baseline",
		"ok-file-locks-dropped",
		"ok-mtime-changed",
		"ok-owner-content-changed",
		"ok-tcp-peer-gone",
		"pages-truncated",
		"pid-in-use-original-running",
		"pid-in-use-other-process",
		"rlimit-nofile",
		"shell-job-no-flag",
		"tcp-close-inventory",
		"tcp-established-no-flag",
		"unix-peer-missing",
		"core-magic-corrupted",
	};
	size_t done = 0;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s/images", dir, all[i]);
		if (stat(path, &st) < 0)
			continue;
		struct crimg_check *k = check_dir(path);
		EXPECT(k != NULL);
		if (!k)
			continue;
		const char *want = NULL, *img = NULL;
		for (size_t j = 0; j < sizeof(image_cases) / sizeof(image_cases[0]); j++)
			if (!strcmp(image_cases[j].name, all[i])) {
				want = image_cases[j].code;
				img = image_cases[j].image;
			}
		int ok = want ? has(k, want, img) : crimg_check_count(k) == 0;
		if (!ok || getenv("CRIMG_CHECK_TABLE")) {
			printf("    %s:", all[i]);
			for (size_t j = 0; j < crimg_check_count(k); j++)
				printf(" %s(%s)", crimg_check_get(k, j)->code,
				       crimg_check_get(k, j)->image);
			printf("%s\n", ok ? "" : " <- unexpected");
		}
		EXPECT(ok);
		crimg_check_free(k);
		done++;
	}
	EXPECT(done >= 20);
}

/* ---- damaged copies of a good dump ---- */

static int copy_file(const char *from, const char *to, size_t max)
{
	int in = open(from, O_RDONLY), out = -1, rc = -1;
	char buf[65536];
	size_t total = 0;
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0)
		goto done;
	for (;;) {
		ssize_t r = read(in, buf, sizeof(buf));
		if (r < 0)
			goto done;
		if (r == 0)
			break;
		if (total + (size_t)r > max)
			r = (ssize_t)(max - total);
		if (r && write(out, buf, (size_t)r) != r)
			goto done;
		total += (size_t)r;
		if (total >= max)
			break;
	}
	rc = 0;
done:
	if (out >= 0)
		close(out);
	close(in);
	return rc;
}

static void poke(const char *path, long off, const char *bytes, size_t n)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return;
	if (pwrite(fd, bytes, n, off) != (ssize_t)n)
		EXPECT(0);
	close(fd);
}

TEST(check_images_damaged)
{
	char src[1024], tmp[512], path[1024], from[1200];
	struct stat st;
	snprintf(src, sizeof(src), "%s/ok-baseline/images", cases_dir());
	if (stat(src, &st) < 0) {
		printf("    (skipped: %s is absent)\n", src);
		return;
	}
	const char *t = getenv("TMPDIR");
	snprintf(tmp, sizeof(tmp), "%s/crimg-check-images-XXXXXX", t ? t : "/tmp");
	EXPECT(mkdtemp(tmp) != NULL);
	static const char *const names[] = {
		"inventory.img", "pstree.img",        "core-31707.img", "ids-31707.img",
		"mm-31707.img",  "pagemap-31707.img", "pages-1.img",    "fs-31707.img",
		"fdinfo-2.img",  "files.img",         "pipes-data.img",
	};
	for (int round = 0; round < 4; round++) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(from, sizeof(from), "%s/%s", src, names[i]);
			snprintf(path, sizeof(path), "%s/%s", tmp, names[i]);
			size_t max = (size_t)-1;
			if (round == 1 && !strcmp(names[i], "files.img"))
				max = 40; /* cut inside an entry */
			if (round == 3 && !strcmp(names[i], "mm-31707.img"))
				max = 0;
			if (stat(from, &st) == 0)
				EXPECT(copy_file(from, path, max) == 0);
		}
		if (round == 0) /* magic of the core */
			poke((snprintf(path, sizeof(path), "%s/core-31707.img", tmp), path), 4,
			     "\xde\xad\xbe\xef", 4);
		if (round == 2) { /* a huge entry size in the pagemap */
			poke((snprintf(path, sizeof(path), "%s/pagemap-31707.img", tmp), path), 8,
			     "\xff\xff\xff\x7f", 4);
		}
		struct crimg_check *k = check_dir(tmp);
		EXPECT(k != NULL);
		EXPECT(k && has(k, "image-damaged", NULL));
		if (k && !has(k, "image-damaged", NULL)) {
			printf("    round %d:", round);
			for (size_t j = 0; j < crimg_check_count(k); j++)
				printf(" %s(%s: %s)", crimg_check_get(k, j)->code,
				       crimg_check_get(k, j)->image,
				       crimg_check_get(k, j)->message);
			printf("\n");
		}
		crimg_check_free(k);
	}
	/* a missing files image: every id is unresolved, nothing crashes */
	snprintf(path, sizeof(path), "%s/files.img", tmp);
	unlink(path);
	struct crimg_check *k = check_dir(tmp);
	EXPECT(k != NULL && crimg_check_count(k) > 0);
	crimg_check_free(k);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, names[i]);
		unlink(path);
	}
	rmdir(tmp);
}

TEST(check_images_null)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	EXPECT(crimg_check_images(NULL, NULL, &err) == 0);
}
