/*
 * The two decode paths (json/decode_wire.c, straight from the wire format,
 * and json/decode_messages.c, through protobuf-c messages) must write the
 * same JSON, compact and pretty, for every image of the corpus and of the
 * samples: the wire path is the fast one, the other its reference.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crimg/image.h"
#include "crimg/json.h"
#include "unit.h"

/* The JSON of the image at path decoded with flags, in a memfd; -1 on failure. */
static int decode_to_memfd(const char *path, unsigned flags)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	int in = open(path, O_RDONLY);
	int out = memfd_create("json", 0);
	struct crimg_reader *r = in < 0 ? NULL : crimg_reader_open(in, path, NULL, &err);
	struct crimg_out *o = r && out >= 0 ? crimg_out_new(out, "json") : NULL;
	int rc = o ? crimg_json_decode(r, o, flags, &err) : -1;
	if (o && crimg_out_flush(o, &err) < 0)
		rc = -1;
	crimg_out_free(o);
	crimg_reader_close(r);
	if (in >= 0)
		close(in);
	if (rc < 0 && out >= 0) {
		close(out);
		out = -1;
	}
	return out;
}

static int same_fd(int a, int b)
{
	off_t la = lseek(a, 0, SEEK_END), lb = lseek(b, 0, SEEK_END);
	if (la != lb)
		return 0;
	if (la == 0)
		return 1;
	void *pa = mmap(NULL, la, PROT_READ, MAP_PRIVATE, a, 0);
	void *pb = mmap(NULL, lb, PROT_READ, MAP_PRIVATE, b, 0);
	int same = pa != MAP_FAILED && pb != MAP_FAILED && memcmp(pa, pb, la) == 0;
	if (pa != MAP_FAILED)
		munmap(pa, la);
	if (pb != MAP_FAILED)
		munmap(pb, lb);
	return same;
}

/* Decodes every image of dir both ways; counts images and differences. */
static void both_ways(const char *dir, size_t *n, size_t *bad)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".img") != 0)
			continue;
		char path[8192];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		for (unsigned pretty = 0; pretty <= CRIMG_JSON_PRETTY;
		     pretty += CRIMG_JSON_PRETTY) {
			int w = decode_to_memfd(path, pretty);
			if (w < 0)
				continue; /* raw images and the like: not JSON */
			int m = decode_to_memfd(path, pretty | CRIMG_JSON_VIA_MESSAGES);
			(*n)++;
			if (m < 0 || !same_fd(w, m)) {
				(*bad)++;
				printf("  %s%s: the two decode paths differ\n", path,
				       pretty ? " (pretty)" : "");
			}
			close(w);
			if (m >= 0)
				close(m);
		}
	}
	if (d)
		closedir(d);
}

/* Every checkpoint directory one level below top. */
static void each_dump(const char *top, size_t *n, size_t *bad)
{
	DIR *t = top ? opendir(top) : NULL;
	struct dirent *e;
	while (t && (e = readdir(t))) {
		if (e->d_name[0] == '.')
			continue;
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s/%s", top, e->d_name);
		both_ways(dir, n, bad);
	}
	if (t)
		closedir(t);
}

TEST(decode_wire_path_matches_messages_path)
{
	size_t n = 0, bad = 0;
	each_dump(getenv("CRIMG_SAMPLES"), &n, &bad);
	each_dump(getenv("CRIMG_CORPUS"), &n, &bad);
	printf("  %zu decodes compared across the two paths, %zu differ\n", n, bad);
	EXPECT(n > 0);
	EXPECT(bad == 0);
}
