/*
 * Target "image": the image reader and JSON decoding on every kind.
 *
 * Input: KIND MODE IMAGE...  KIND picks the file name the image is read
 * under (crimg_kind_at(KIND % count)'s pattern with numbers filled in, or
 * "image.img" for 255), so raw kinds known by name are reached too; MODE
 * bits: 1 --pretty, 2 --nopl, 4 read from a file descriptor rather than
 * memory, 8 the lazy reader with unpacking on demand, 16 crit info.
 * Decoding then encoding the JSON must give JSON that decodes the same.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crimg/json.h"
#include "fuzz.h"

static int devnull = -1, memfd_in = -1, memfd_json = -1, memfd_img = -1;

static void setup(void)
{
	if (devnull >= 0)
		return;
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	memfd_in = memfd_create("fuzz-in", MFD_CLOEXEC);
	memfd_json = memfd_create("fuzz-json", MFD_CLOEXEC);
	memfd_img = memfd_create("fuzz-img", MFD_CLOEXEC);
	FZ_ASSERT(devnull >= 0 && memfd_in >= 0 && memfd_json >= 0 && memfd_img >= 0);
}

/* The kind's first file name pattern with every number "1". */
static void name_for(unsigned sel, char *out, size_t len)
{
	size_t nk = crimg_kind_count();
	if (sel == 255) {
		snprintf(out, len, "image.img");
		return;
	}
	const char *pat = crimg_kind_at(sel % nk)->pattern;
	size_t k = 0;
	for (const char *p = pat; *p && *p != '|' && k + 5 < len; p++) {
		if (*p == '%') {
			/* "%u", "%lu", "%x", "%ld": "1"; "%s": "dump" */
			p++;
			while (*p == 'l')
				p++;
			if (!*p)
				break;
			const char *fill = *p == 's' ? "dump" : "1";
			memcpy(out + k, fill, strlen(fill));
			k += strlen(fill);
			continue;
		}
		out[k++] = *p;
	}
	out[k] = '\0';
}

static void reset(int fd)
{
	FZ_ASSERT(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0);
}

static uint8_t *slurp(int fd, size_t *n)
{
	off_t end = lseek(fd, 0, SEEK_END);
	FZ_ASSERT(end >= 0);
	uint8_t *b = malloc((size_t)end + 1);
	FZ_ASSERT(b && pread(fd, b, (size_t)end, 0) == end);
	*n = (size_t)end;
	return b;
}

/* Decodes an image to fd.  0, or -1 with err filled. */
static int decode(const uint8_t *d, size_t n, const char *name, int fd_in, unsigned mode, int out,
		  enum crimg_byte_order *bo, struct crimg_error *err)
{
	struct crimg_reader *r = fd_in >= 0 ? crimg_reader_open(fd_in, name, NULL, err)
					    : crimg_reader_open_mem(d, n, name, NULL, err);
	if (!r)
		return -1;
	*bo = crimg_reader_byte_order(r);
	struct crimg_out *o = crimg_out_new(out, "out");
	FZ_ASSERT(o != NULL);
	int rc = crimg_json_decode(r, o, mode & 3, err);
	if (rc == 0)
		rc = crimg_out_flush(o, err);
	crimg_out_free(o);
	crimg_reader_close(r);
	return rc;
}

static void lazy_walk(const uint8_t *d, size_t n, const char *name, unsigned mode)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_reader *r = crimg_reader_open_mem(d, n, name, NULL, &err);
	if (!r) {
		fz_check_err(&err);
		return;
	}
	if (mode & 16) {
		struct crimg_info info;
		if (crimg_image_info(r, &info, &err) < 0)
			fz_check_err(&err);
		crimg_reader_close(r);
		return;
	}
	crimg_reader_set_lazy(r, 1);
	struct crimg_entry e;
	int k;
	while ((k = crimg_reader_next(r, &e, &err)) == 1) {
		fz_ends(e.payload, e.payload_len);
		fz_ends(e.extra, e.extra_len);
		fz_ends(e.extra2, e.extra2_len);
		if (crimg_entry_unpack(r, &e, &err) < 0) {
			fz_check_err(&err);
			break;
		}
	}
	if (k < 0)
		fz_check_err(&err);
	crimg_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	setup();
	char name[64];
	name_for(data[0], name, sizeof(name));
	unsigned mode = data[1];
	const uint8_t *d = data + 2;
	size_t n = size - 2;
	struct crimg_error err;
	crimg_error_clear(&err);

	if (mode & (8 | 16)) {
		lazy_walk(d, n, name, mode);
		return 0;
	}
	int fd_in = -1;
	if (mode & 4) {
		reset(memfd_in);
		FZ_ASSERT(n == 0 || write(memfd_in, d, n) == (ssize_t)n);
		FZ_ASSERT(lseek(memfd_in, 0, SEEK_SET) == 0);
		fd_in = memfd_in;
	}
	reset(memfd_json);
	enum crimg_byte_order bo, bo2;
	if (decode(d, n, name, fd_in, mode, memfd_json, &bo, &err) < 0) {
		fz_check_err(&err);
		return 0;
	}
	/* what decode wrote, encode must read; and that image decodes to
	 * the same JSON (--nopl drops payloads: not encodable) */
	if (mode & 2)
		return 0;
	FZ_ASSERT(lseek(memfd_json, 0, SEEK_SET) == 0);
	reset(memfd_img);
	struct crimg_encode_opts eo = { .byte_order = bo };
	if (crimg_json_encode(memfd_json, "json", memfd_img, "img", &eo, &err) < 0) {
		fprintf(stderr, "fuzz: decoded JSON does not encode: %s (line %d col %d)\n",
			err.msg, err.line, err.column);
		FZ_ASSERT(0 && "decoded JSON does not encode");
	}
	size_t jn, in;
	uint8_t *json = slurp(memfd_json, &jn), *img = slurp(memfd_img, &in);
	int out2 = memfd_create("fuzz-json2", MFD_CLOEXEC);
	FZ_ASSERT(out2 >= 0);
	if (decode(img, in, name, -1, mode, out2, &bo2, &err) < 0) {
		fprintf(stderr, "fuzz: re-encoded image does not decode: %s\n", err.msg);
		FZ_ASSERT(0 && "re-encoded image does not decode");
	}
	size_t jn2;
	uint8_t *json2 = slurp(out2, &jn2);
	if (jn != jn2 || memcmp(json, json2, jn) != 0) {
		fprintf(stderr, "fuzz: round trip changed the JSON:\n%.*s\n---\n%.*s\n",
			(int)(jn < 2000 ? jn : 2000), (char *)json, (int)(jn2 < 2000 ? jn2 : 2000),
			(char *)json2);
		FZ_ASSERT(0 && "decode(encode(decode(x))) != decode(x)");
	}
	close(out2);
	free(json);
	free(json2);
	free(img);
	return 0;
}
