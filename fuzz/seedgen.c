/*
 * Seed inputs for the fuzz targets, from real images (fuzz/make-seeds.sh):
 *   fuzz-seedgen image FILE OUT      KIND MODE + the image (KIND from the
 *                                    file name, else from its magic)
 *   fuzz-seedgen pack DIR OUT [MODE] the files of DIR (and DIR/parent's,
 *                                    under p/) as members (fuzz.h), after
 *                                    one MODE byte if given; members
 *                                    cut at $SEED_MEMBER_MAX bytes (64 KiB)
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crimg/image.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}

static uint8_t *slurp(const char *path, size_t *n)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	uint8_t *b = malloc((size_t)st.st_size + 1);
	ssize_t k = b ? read(fd, b, (size_t)st.st_size) : -1;
	close(fd);
	if (k != st.st_size) {
		free(b);
		return NULL;
	}
	*n = (size_t)st.st_size;
	return b;
}

static int kind_index(const char *path, const uint8_t *b, size_t n)
{
	const struct crimg_kind *k = crimg_kind_by_path(path);
	if (!k && n >= 8) {
		struct crimg_error err;
		struct crimg_reader *r = crimg_reader_open_mem(b, n, "x", NULL, &err);
		if (r)
			k = crimg_reader_kind(r);
		crimg_reader_close(r);
	}
	for (size_t i = 0; k && i < crimg_kind_count(); i++)
		if (crimg_kind_at(i) == k)
			return (int)i;
	return 255;
}

static size_t member_max = 0xffff;

static void put_member(FILE *out, const char *name, const uint8_t *b, size_t n)
{
	if (n > member_max)
		n = member_max;
	int i = fz_name_index(name);
	size_t nl = strlen(name);
	if (i < 0 && !strncmp(name, "p/", 2) && fz_name_index(name + 2) >= 0) {
		i = 64 + fz_name_index(name + 2);
	}
	if (i >= 0) {
		if (n > 0xffff)
			n = 0xffff;
		fputc(i, out);
		fputc((int)(n & 0xff), out);
		fputc((int)(n >> 8), out);
		fwrite(b, 1, n, out);
		return;
	}
	if (n > 0xffff - nl - 1)
		n = 0xffff - nl - 1;
	size_t len = nl + 1 + n;
	fputc(0xc0, out);
	fputc((int)(len & 0xff), out);
	fputc((int)(len >> 8), out);
	fwrite(name, 1, nl + 1, out);
	fwrite(b, 1, n, out);
}

static void pack_dir(FILE *out, const char *dir, const char *prefix, int depth)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "expected") ||
		    strstr(e->d_name, ".log"))
			continue;
		char p[4096], name[512];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		snprintf(name, sizeof(name), "%s%s", prefix, e->d_name);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		if (!strcmp(e->d_name, "parent") && depth == 0) {
			/* the parent dump goes under p/, the link points there */
			char sub[4096];
			snprintf(sub, sizeof(sub), "%s/parent/", dir);
			pack_dir(out, sub, "p/", 1);
			fputc(2 * 64 + fz_name_index("parent"), out);
			fputc(1, out);
			fputc(0, out);
			fputc('p', out);
			continue;
		}
		if (S_ISDIR(st.st_mode) && depth == 0 && !strcmp(e->d_name, "checkpoint")) {
			pack_dir(out, p, "checkpoint/", 1);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		size_t n;
		uint8_t *b = slurp(p, &n);
		if (b)
			put_member(out, name, b, n);
		free(b);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "image")) {
		size_t n;
		uint8_t *b = slurp(argv[2], &n);
		if (!b)
			return 1;
		FILE *out = fopen(argv[3], "wb");
		if (!out)
			return 1;
		fputc(kind_index(argv[2], b, n), out);
		fputc(argc > 4 ? atoi(argv[4]) : 0, out);
		fwrite(b, 1, n, out);
		free(b);
		return fclose(out) ? 1 : 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "pack")) {
		const char *mm = getenv("SEED_MEMBER_MAX");
		if (mm && atol(mm) > 0 && atol(mm) < 0xffff)
			member_max = (size_t)atol(mm);
		FILE *out = fopen(argv[3], "wb");
		if (!out)
			return 1;
		if (argc > 4)
			fputc(atoi(argv[4]), out);
		pack_dir(out, argv[2], "", 0);
		return fclose(out) ? 1 : 0;
	}
	fprintf(stderr, "usage: fuzz-seedgen image FILE OUT [MODE] | pack DIR OUT [MODE]\n");
	return 2;
}
