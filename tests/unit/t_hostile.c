/*
 * Every sample and corpus image, truncated at every offset and with bits
 * flipped, decoded in-process: each run either succeeds (a cut between
 * entries leaves a valid, shorter image) or fails with a message naming the
 * file and an offset.  Nothing may crash; the ASan build runs this too.
 * Images come from $CRIMG_SAMPLES and $CRIMG_CORPUS (set by run-all.sh).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crimg/json.h"
#include "unit.h"

static int devnull = -1;
static unsigned long runs, failures_ok;

static int decode_mem(const uint8_t *p, size_t n, const char *name, unsigned flags)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_reader *r = crimg_reader_open_mem(p, n, name, NULL, &err);
	int rc = -1;
	if (r) {
		struct crimg_out *o = crimg_out_new(devnull, "/dev/null");
		rc = crimg_json_decode(r, o, flags, &err);
		crimg_out_free(o);
		crimg_reader_close(r);
	}
	runs++;
	if (rc < 0) {
		failures_ok++;
		/* a failure always says where */
		EXPECT(strcmp(err.file, name) == 0);
		EXPECT(err.msg[0] != '\0');
		EXPECT(err.offset >= 0);
	}
	return rc;
}

static void hostile_one(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0 || st.st_size > (16 << 20)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	size_t n = (size_t)st.st_size;
	uint8_t *buf = malloc(n), *copy = malloc(n);
	if (!buf || !copy || read(fd, buf, n) != (ssize_t)n) {
		free(buf);
		free(copy);
		close(fd);
		return;
	}
	close(fd);
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (decode_mem(buf, n, name, 0) < 0) {
		/* raw images are not decodable to begin with */
		free(buf);
		free(copy);
		return;
	}
	/* every offset for the first 4 KiB, then every 61st */
	for (size_t cut = 0; cut < n; cut += cut < 4096 ? 1 : 61) {
		/* a private copy of exactly cut bytes, so ASan sees any overread */
		uint8_t *t = malloc(cut ? cut : 1);
		memcpy(t, buf, cut);
		decode_mem(t, cut, name, cut % 2 ? CRIMG_JSON_PRETTY : 0);
		free(t);
	}
	/* bit flips: one per byte for the first 2 KiB, pseudo-random elsewhere */
	unsigned seed = 12345;
	for (size_t i = 0; i < n && i < 2048 + 256; i++) {
		size_t at = i < 2048 ? i : (seed = seed * 1103515245 + 12345) % n;
		memcpy(copy, buf, n);
		copy[at] ^= (uint8_t)(1u << (at % 8));
		decode_mem(copy, n, name, CRIMG_JSON_PRETTY);
	}
	free(buf);
	free(copy);
}

static void walk(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "expected") ||
		    !strncmp(e->d_name, "expected-", 9) || !strcmp(e->d_name, "parent"))
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 3)
			walk(p, depth + 1);
		else if (S_ISREG(st.st_mode) && (strstr(e->d_name, ".img") ||
						 !strncmp(e->d_name, "stats-", 6) ||
						 !strcmp(e->d_name, "irmap-cache")))
			hostile_one(p);
	}
	closedir(d);
}

TEST(hostile_truncations_and_bit_flips)
{
	devnull = open("/dev/null", O_WRONLY);
	const char *s = getenv("CRIMG_SAMPLES"), *c = getenv("CRIMG_CORPUS");
	if (s)
		walk(s, 0);
	if (c && !getenv("CRIMG_QUICK"))
		walk(c, 0);
	printf("  hostile: %lu decodes of damaged images, %lu rejected with a message, none crashed\n",
	       runs, failures_ok);
	EXPECT(!s || runs > 1000);
	close(devnull);
}
