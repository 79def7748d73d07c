/*
 * Blobs of an image layout: content-addressed files under blobs/sha256/.
 * Written to a temporary name, fsynced, then renamed to their digest, so
 * a blob that has its name is whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/oci_int.h"

int oci_digest_valid(const char *d)
{
	if (strncmp(d, "sha256:", 7))
		return 0;
	size_t i;
	for (i = 7; d[i]; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return 0;
	return i == 7 + 64;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int oci_write_file(int dir, const char *dir_name, const char *name, const void *buf, size_t len,
		   struct crimg_error *err)
{
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return crimg_fail(err, dir_name, -1, -1, "%s: %s", name, strerror(errno));
	if (write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlinkat(dir, name, 0);
		return crimg_fail(err, dir_name, -1, -1, "%s: %s", name, strerror(e));
	}
	close(fd);
	return 0;
}

int oci_blob_put(int layout, const char *layout_name, const char *media_type, const void *buf,
		 size_t len, struct oci_desc *d, struct crimg_error *err)
{
	snprintf(d->media_type, sizeof(d->media_type), "%s", media_type);
	crimg_sha256_mem(buf, len, d->digest);
	d->size = len;
	char path[128];
	snprintf(path, sizeof(path), "blobs/sha256/%s", d->digest + 7);
	struct stat st;
	if (fstatat(layout, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0; /* the same bytes are there already */
	return oci_write_file(layout, layout_name, path, buf, len, err);
}

int oci_hash_fd(int fd, const char *name, char digest[CRIMG_SHA256_DIGEST_STR], uint64_t *size,
		struct crimg_error *err)
{
	enum {
		BUF = 1 << 17
	};
	uint8_t *buf = malloc(BUF);
	if (!buf)
		return crimg_fail(err, name, -1, -1, "out of memory");
	struct crimg_sha256 s;
	crimg_sha256_init(&s);
	uint64_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf, BUF);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return crimg_fail(err, name, (int64_t)n, -1, "%s", strerror(e));
		}
		if (r == 0)
			break;
		crimg_sha256_update(&s, buf, (size_t)r);
		n += (uint64_t)r;
	}
	free(buf);
	uint8_t md[CRIMG_SHA256_LEN];
	crimg_sha256_final(&s, md);
	crimg_sha256_digest_str(md, digest);
	*size = n;
	return 0;
}
