/*
 * elfcore/pages.c: the saved pages of a core's segments, handed out a
 * chunk at a time in bounded memory.
 *
 * The memory reader points into the pages images' mappings.  Writing a
 * core from there faults every page of the process in and keeps it
 * resident: peak RSS would grow with the process.  So the bytes of a
 * mapped file are read with pread into one buffer, which also costs less
 * than faulting a mapping in (as memory search does); where the file
 * cannot be opened again (an archive's member), they are taken from the
 * mapping, and the pages behind are given back as each chunk is written.
 * Bytes that are not in a mapped file (a JSON bundle's, in memory) are
 * handed out as they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfcore/elfcore_int.h"
#include "mem/mem_int.h"

#define CHUNK (1u << 20) /* a multiple of any page size a core has */

void ec_pages_init(struct ec_pages *p)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

void ec_pages_free(struct ec_pages *p)
{
	if (p->fd >= 0)
		close(p->fd);
	free(p->buf);
	ec_pages_init(p);
}

/* An open descriptor on the file f was mapped from, or -1. */
static int file_fd(struct ec_pages *p, const struct ckpt_file *f)
{
	if (f == p->open_file)
		return p->fd;
	if (f == p->bad_file || !f->mapped || f->am || (!f->path && f->dirfd < 0))
		return -1;
	if (p->fd >= 0)
		close(p->fd);
	p->open_file = NULL;
	p->fd = crimg_ckpt_file_open(f);
	/* the very file that is mapped, or none */
	struct stat st;
	if (p->fd >= 0 &&
	    (fstat(p->fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_dev != f->dev ||
	     st.st_ino != f->ino)) {
		close(p->fd);
		p->fd = -1;
	}
	if (p->fd < 0) {
		p->bad_file = f;
		return -1;
	}
	posix_fadvise(p->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	p->open_file = f;
	return p->fd;
}

/* Reads k bytes at data (in f's mapping) into the buffer: 0, or -1 when
 * the file gives fewer (then the mapping is used). */
static int read_chunk(struct ec_pages *p, int fd, const struct ckpt_file *f, const uint8_t *data,
		      size_t k)
{
	off_t at = (off_t)(data - f->data); /* a directory's file is mapped whole */
	size_t got = 0;
	while (got < k) {
		ssize_t r = pread(fd, p->buf + got, k - got, at + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Gives back the whole pages of [a, a + n) of a read-only file mapping:
 * they are read from the file again if touched. */
static void drop(const uint8_t *a, size_t n)
{
	long ps = sysconf(_SC_PAGESIZE);
	uintptr_t pg = ps > 0 ? (uintptr_t)ps : 4096u;
	uintptr_t s = ((uintptr_t)a + pg - 1) & ~(pg - 1), e = ((uintptr_t)a + n) & ~(pg - 1);
	if (e > s)
		madvise((void *)s, e - s, MADV_DONTNEED);
}

int ec_pages_each(struct ec_pages *p, const struct ckpt_file *f, const uint8_t *data, uint64_t len,
		  int (*fn)(void *arg, const uint8_t *b, size_t n), void *arg)
{
	int fd = f ? file_fd(p, f) : -1;
	if (fd >= 0 && !p->buf && !(p->buf = malloc(CHUNK)))
		fd = -1; /* no buffer: the mapping, given back behind */
	while (len) {
		size_t k = len < CHUNK ? (size_t)len : CHUNK;
		if (fd >= 0 && read_chunk(p, fd, f, data, k) == 0) {
			if (fn(arg, p->buf, k) < 0)
				return -1;
		} else {
			if (fn(arg, data, k) < 0)
				return -1;
			if (f && f->mapped)
				drop(data, k);
		}
		data += k;
		len -= k;
	}
	return 0;
}
