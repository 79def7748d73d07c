/*
 * Every image under the given directories, truncated at every offset and
 * with bits flipped, decoded in-process (compact and --pretty alternately,
 * and through the lazy reader as the model reads images).  Each run either
 * succeeds (a cut between entries leaves a valid, shorter image; a flip in
 * a value gives another valid value) or fails with a message naming the
 * file and an offset.  Nothing may crash: t-hostile.sh runs this on the
 * normal and the ASan build.
 *
 *   hostile-damage [-q] DIR...     -q: fewer offsets (quick runs)
 *
 * Prints one line per category, "damage CATEGORY tried N rejected N
 * accepted N bad N" (bad: a failure without a proper message), and exits
 * 1 if any is bad.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crimg/json.h"

struct count {
	unsigned long tried, rejected, accepted, bad;
};
static struct count trunc_c, flip_c;
static int devnull = -1, quick;
static unsigned long images;

/* One decode; counts it and checks a failure's message. */
static void decode_mem(const uint8_t *p, size_t n, const char *name, unsigned flags,
		       struct count *c)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_reader *r = crimg_reader_open_mem(p, n, name, NULL, &err);
	int rc = -1;
	if (r) {
		if (flags & 0x100) {
			/* the model's way: lazy entries, unpacked on demand */
			struct crimg_entry e;
			int k;
			crimg_reader_set_lazy(r, 1);
			while ((k = crimg_reader_next(r, &e, &err)) == 1)
				if (crimg_entry_unpack(r, &e, &err) < 0) {
					k = -1;
					break;
				}
			rc = k < 0 ? -1 : 0;
		} else {
			struct crimg_out *o = crimg_out_new(devnull, "/dev/null");
			rc = crimg_json_decode(r, o, flags, &err);
			crimg_out_free(o);
		}
		crimg_reader_close(r);
	}
	c->tried++;
	if (rc == 0) {
		c->accepted++;
	} else if (strcmp(err.file, name) == 0 && err.msg[0] && err.offset >= 0) {
		c->rejected++;
	} else {
		c->bad++;
		char b[1400];
		printf("  BAD %s (%zu bytes): %s\n", name, n, crimg_error_str(&err, b, sizeof(b)));
	}
}

static void damage_one(const char *path)
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
	struct count whole = { 0, 0, 0, 0 };
	decode_mem(buf, n, name, 0, &whole);
	if (whole.accepted == 0) {
		/* raw images are not decodable to begin with */
		free(buf);
		free(copy);
		return;
	}
	images++;
	/* every offset for the first 64 KiB (4 KiB quick), then every 61st */
	size_t every = quick ? 4096 : 65536;
	for (size_t cut = 0; cut < n; cut += cut < every ? 1 : 61) {
		/* a private copy of exactly cut bytes, so ASan sees any overread */
		uint8_t *t = malloc(cut ? cut : 1);
		memcpy(t, buf, cut);
		unsigned mode = cut % 3 == 0 ? 0 : cut % 3 == 1 ? CRIMG_JSON_PRETTY : 0x100;
		decode_mem(t, cut, name, mode, &trunc_c);
		free(t);
	}
	/* bit flips: every bit of the first 512 bytes (64 quick), one per
	 * byte up to 4 KiB, then 512 pseudo-random ones */
	unsigned seed = 12345;
	size_t allbits = quick ? 64 : 512;
	for (size_t i = 0; i < n * 8 && i < allbits * 8; i++) {
		memcpy(copy, buf, n);
		copy[i / 8] ^= (uint8_t)(1u << (i % 8));
		decode_mem(copy, n, name, i % 2 ? CRIMG_JSON_PRETTY : 0x100, &flip_c);
	}
	for (size_t i = allbits; i < n && i < 4096 + 512; i++) {
		size_t at = i < 4096 ? i : (seed = seed * 1103515245 + 12345) % n;
		memcpy(copy, buf, n);
		copy[at] ^= (uint8_t)(1u << (at % 8));
		decode_mem(copy, n, name, i % 2 ? CRIMG_JSON_PRETTY : 0, &flip_c);
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
	char **names = NULL;
	size_t nn = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "expected") ||
		    !strncmp(e->d_name, "expected-", 9) || !strcmp(e->d_name, "parent"))
			continue;
		names = realloc(names, (nn + 1) * sizeof(*names));
		names[nn++] = strdup(e->d_name);
	}
	closedir(d);
	for (size_t i = 0; i < nn; i++) {
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		struct stat st;
		if (lstat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth < 3)
				walk(p, depth + 1);
			else if (S_ISREG(st.st_mode) &&
				 (strstr(names[i], ".img") || !strncmp(names[i], "stats-", 6) ||
				  !strcmp(names[i], "irmap-cache")))
				damage_one(p);
		}
		free(names[i]);
	}
	free(names);
}

static void report(const char *what, const struct count *c)
{
	printf("damage %s tried %lu rejected %lu accepted %lu bad %lu\n", what, c->tried,
	       c->rejected, c->accepted, c->bad);
}

int main(int argc, char **argv)
{
	devnull = open("/dev/null", O_WRONLY);
	int i = 1;
	if (i < argc && !strcmp(argv[i], "-q")) {
		quick = 1;
		i++;
	}
	for (; i < argc; i++)
		walk(argv[i], 0);
	printf("damage images %lu\n", images);
	report("truncation", &trunc_c);
	report("bitflip", &flip_c);
	close(devnull);
	return trunc_c.bad || flip_c.bad ? 1 : 0;
}
