/*
 * A file of a checkpoint as JSON, only when that is lossless: the JSON is
 * encoded again and compared with the file, so a bundle or JSON directory
 * always converts back to the same bytes (an image with, say, unknown
 * fields or non-canonical varints stays in its raw form instead).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "json/lossless.h"

/* 1 when fds a and b (from their start) hold the same bytes, 0 if not, -1 on error. */
static int same_bytes(int a, int b)
{
	enum {
		N = 1 << 16
	};
	char *x = malloc(2 * N), *y = x + N;
	int rc = -1;
	if (!x)
		return -1;
	off_t pa = 0, pb = 0;
	for (;;) {
		ssize_t ka = pread(a, x, N, pa);
		if (ka < 0)
			break;
		ssize_t kb = 0;
		while (kb < ka) {
			ssize_t k = pread(b, y + kb, (size_t)(ka - kb), pb + kb);
			if (k <= 0)
				break;
			kb += k;
		}
		if (kb != ka || memcmp(x, y, (size_t)ka) != 0) {
			rc = 0;
			break;
		}
		if (ka == 0) {
			char c;
			rc = pread(b, &c, 1, pb) == 0; /* b must end too */
			break;
		}
		pa += ka;
		pb += kb;
	}
	free(x);
	return rc;
}

/* An image that does not decode (or encode back) is kept raw (0, why says
 * why), unless a limit stopped it: that is an error the user can lift (-1,
 * e2 in err). */
static int kept_raw(const struct crimg_error *e2, struct crimg_error *err, struct crimg_error *why)
{
	if (!crimg_limit_error(e2)) {
		if (why)
			*why = *e2;
		return 0;
	}
	if (err)
		*err = *e2;
	return -1;
}

int crimg_image_json(int dirfd, const char *name, const char *path, int json_fd, unsigned flags,
		     const struct crimg_limits *lim, enum crimg_byte_order *bo,
		     struct crimg_error *err, struct crimg_error *why)
{
	struct crimg_error e2;
	crimg_error_clear(&e2);
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	int rc = 0, img = -1;
	struct crimg_out *o = NULL;
	struct crimg_reader *r = crimg_reader_open(fd, path, lim, &e2);
	if (!r) {
		rc = kept_raw(&e2, err,
			      why); /* raw data, a log, an engine file: not a CRIU image */
		goto out;
	}
	*bo = crimg_reader_byte_order(r);
	if (!(o = crimg_out_new(json_fd, path))) {
		rc = crimg_fail(err, path, -1, -1, "out of memory");
		goto out;
	}
	if (ftruncate(json_fd, 0) < 0 || lseek(json_fd, 0, SEEK_SET) < 0) {
		rc = crimg_fail(err, path, -1, -1, "temporary file: %s", strerror(errno));
		goto out;
	}
	if (crimg_json_decode(r, o, flags, &e2) < 0 || crimg_out_flush(o, &e2) < 0) {
		rc = kept_raw(&e2, err, why); /* does not decode: kept raw */
		goto out;
	}
	if ((img = crimg_memfile(path, err)) < 0 || lseek(json_fd, 0, SEEK_SET) < 0) {
		rc = -1;
		goto out;
	}
	struct crimg_encode_opts eo = { .byte_order = *bo, .limits = lim };
	if (crimg_json_encode(json_fd, path, img, path, &eo, &e2) < 0) {
		rc = kept_raw(&e2, err, why);
		goto out;
	}
	rc = same_bytes(fd, img);
	if (rc == 0 && why)
		crimg_fail(why, path, -1, -1,
			   "its JSON does not encode back to the same bytes (fields unknown to "
			   "this schema, or a non-canonical encoding)");
	if (rc < 0)
		rc = crimg_fail(err, path, -1, -1, "read error: %s", strerror(errno));
	if (rc >= 0 && lseek(json_fd, 0, SEEK_SET) < 0)
		rc = crimg_fail(err, path, -1, -1, "temporary file: %s", strerror(errno));
out:
	if (img >= 0)
		close(img);
	crimg_out_free(o);
	crimg_reader_close(r);
	close(fd);
	return rc;
}
