/*
 * What the lazy archive reader stands on: libarchive fed from a region of
 * a file (read with pread, skipped by moving an offset, so an uncompressed
 * tar's page data is never read), from memory or from a stream, with
 * progress by bytes read; and unnamed temporary files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "archive/archive_int.h"

#define READ_CHUNK (256u << 10)

/* Progress as the bytes come, ten times a second at most. */
static void report(struct arc_reader *r)
{
	if (!r->progress)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	uint64_t ms = (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
	if (r->next_report && ms < r->next_report)
		return;
	r->next_report = ms + 100;
	r->progress(r->progress_arg, "reading archive", r->pos, r->src.stream ? 0 : r->src.len);
}

static la_ssize_t cb_read(struct archive *a, void *arg, const void **out)
{
	struct arc_reader *r = arg;
	(void)a;
	if (r->src.mem) {
		uint64_t n = r->src.len - r->pos;
		if (n > READ_CHUNK)
			n = READ_CHUNK;
		*out = r->src.mem + r->pos;
		r->pos += n;
		return (la_ssize_t)n;
	}
	uint64_t want = READ_CHUNK;
	if (!r->src.stream && r->src.len - r->pos < want)
		want = r->src.len - r->pos;
	ssize_t k;
	do
		k = r->src.stream
			? read(r->src.fd, r->buf, (size_t)want)
			: pread(r->src.fd, r->buf, (size_t)want, (off_t)(r->src.base + r->pos));
	while (k < 0 && errno == EINTR);
	if (k < 0) {
		r->err = errno;
		return -1;
	}
	*out = r->buf;
	r->pos += (uint64_t)k;
	report(r);
	return k;
}

/* Skipping a region is free: page data of an uncompressed tar is never read. */
static la_int64_t cb_skip(struct archive *a, void *arg, la_int64_t request)
{
	struct arc_reader *r = arg;
	(void)a;
	if (r->src.stream || request <= 0)
		return 0; /* libarchive reads and drops instead */
	uint64_t n = r->src.len - r->pos;
	if ((uint64_t)request < n)
		n = (uint64_t)request;
	r->pos += n;
	report(r);
	return (la_int64_t)n;
}

int arc_reader_open(const struct crimg_la *L, struct archive *a, struct arc_reader *r)
{
	if (!r->src.mem && !(r->buf = malloc(READ_CHUNK))) {
		r->err = ENOMEM;
		return -1;
	}
	/* what archive_read_open2 does, with the check it leaves out (larchive.h) */
	if (L->archive_read_set_callback_data(a, r) != ARCHIVE_OK ||
	    L->archive_read_set_read_callback(a, cb_read) != ARCHIVE_OK ||
	    L->archive_read_set_skip_callback(a, cb_skip) != ARCHIVE_OK)
		return -1;
	return L->archive_read_open1(a) == ARCHIVE_OK ? 0 : -1;
}

void arc_reader_free(struct arc_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

int arc_unnamed_file(const char *dir, struct crimg_error *err)
{
	if (!dir || !*dir)
		dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	/* never linked into the directory: nothing to remove, whatever
	 * stops the process */
	int fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return crimg_fail(err, dir, -1, -1, "cannot create a temporary file: %s",
				  strerror(errno));
	/* a file system without O_TMPFILE: named for an instant only */
	char p[PATH_MAX];
	if ((size_t)snprintf(p, sizeof(p), "%s/crimg-XXXXXX", dir) >= sizeof(p))
		return crimg_fail(err, dir, -1, -1,
				  "cannot create a temporary file: path too long");
	fd = mkostemp(p, O_CLOEXEC);
	if (fd < 0)
		return crimg_fail(err, dir, -1, -1, "cannot create a temporary file: %s",
				  strerror(errno));
	if (unlink(p) < 0) {
		int e = errno;
		close(fd);
		return crimg_fail(err, p, -1, -1, "cannot unlink a temporary file: %s",
				  strerror(e));
	}
	return fd;
}

int arc_pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t k = pwrite(fd, b, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = ENOSPC;
			return -1;
		}
		b += k;
		off += (uint64_t)k;
		n -= (size_t)k;
	}
	return 0;
}

int arc_pread_all(int fd, void *p, size_t n, uint64_t off)
{
	uint8_t *b = p;
	while (n) {
		ssize_t k = pread(fd, b, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			return -1;
		}
		b += k;
		off += (uint64_t)k;
		n -= (size_t)k;
	}
	return 0;
}
