/* The image writer: header in the chosen byte order, then framed entries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "base/base.h"
#include "base/writeback.h"
#include "frame/writer_int.h"

#define WBUF_SIZE (256u << 10)

struct crimg_writer {
	int fd;
	const char *name;
	enum crimg_byte_order bo;
	uint8_t *buf;
	size_t used;
	uint64_t written;
	uint8_t *pack; /* scratch for packing one message */
	size_t pack_cap;
	int failed;
	struct crimg_writeback wb;
	int patchable;     /* 0 unknown, 1 yes, -1 no (writer_int.h) */
	int64_t file_base; /* file offset of the first byte written */
};

static int wflush(struct crimg_writer *w, struct crimg_error *err)
{
	size_t off = 0;
	while (off < w->used) {
		ssize_t k = write(w->fd, w->buf + off, w->used - off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			w->failed = 1;
			return crimg_fail(err, w->name, (int64_t)w->written, -1, "write error: %s",
					  strerror(errno));
		}
		off += (size_t)k;
		w->written += (uint64_t)k;
	}
	w->used = 0;
	crimg_writeback_kick(&w->wb, w->fd, w->written);
	return 0;
}

int crimg_writer_bytes(struct crimg_writer *w, const void *p, size_t n, struct crimg_error *err)
{
	const uint8_t *s = p;
	if (w->failed)
		return -1;
	while (n > 0) {
		if (w->used == WBUF_SIZE && wflush(w, err) < 0)
			return -1;
		size_t k = WBUF_SIZE - w->used;
		if (k > n)
			k = n;
		memcpy(w->buf + w->used, s, k);
		w->used += k;
		s += k;
		n -= k;
	}
	return 0;
}

int crimg_writer_u32(struct crimg_writer *w, uint32_t v, struct crimg_error *err)
{
	uint8_t b[4];
	if (w->bo == CRIMG_BIG_ENDIAN) {
		b[0] = (uint8_t)(v >> 24);
		b[1] = (uint8_t)(v >> 16);
		b[2] = (uint8_t)(v >> 8);
		b[3] = (uint8_t)v;
	} else {
		b[3] = (uint8_t)(v >> 24);
		b[2] = (uint8_t)(v >> 16);
		b[1] = (uint8_t)(v >> 8);
		b[0] = (uint8_t)v;
	}
	return crimg_writer_bytes(w, b, 4, err);
}

int crimg_writer_u16(struct crimg_writer *w, uint16_t v, struct crimg_error *err)
{
	uint8_t b[2];
	if (w->bo == CRIMG_BIG_ENDIAN) {
		b[0] = (uint8_t)(v >> 8);
		b[1] = (uint8_t)v;
	} else {
		b[1] = (uint8_t)(v >> 8);
		b[0] = (uint8_t)v;
	}
	return crimg_writer_bytes(w, b, 2, err);
}

int crimg_writer_message(struct crimg_writer *w, const ProtobufCMessage *m, struct crimg_error *err)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	if (n > UINT32_MAX)
		return crimg_fail(err, w->name, (int64_t)(w->written + w->used), -1,
				  "%s packs to %zu bytes, more than an entry can hold",
				  m->descriptor->name, n);
	/* room in the output buffer: pack straight into it */
	if (!w->failed && n + 4 <= WBUF_SIZE) {
		if (WBUF_SIZE - w->used < n + 4 && wflush(w, err) < 0)
			return -1;
		if (crimg_writer_u32(w, (uint32_t)n, err) < 0)
			return -1;
		protobuf_c_message_pack(m, w->buf + w->used);
		w->used += n;
		return 0;
	}
	if (n > w->pack_cap) {
		size_t cap = n < 4096 ? 4096 : n;
		uint8_t *p = realloc(w->pack, cap);
		if (!p)
			return crimg_fail(err, w->name, -1, -1, "out of memory");
		w->pack = p;
		w->pack_cap = cap;
	}
	protobuf_c_message_pack(m, w->pack);
	if (crimg_writer_u32(w, (uint32_t)n, err) < 0)
		return -1;
	return crimg_writer_bytes(w, w->pack, n, err);
}

struct crimg_writer *crimg_writer_new(int fd, const char *name, const struct crimg_kind *k,
				      enum crimg_byte_order bo, struct crimg_error *err)
{
	struct crimg_writer *w = calloc(1, sizeof(*w));
	if (w)
		w->buf = malloc(WBUF_SIZE);
	if (!w || !w->buf) {
		free(w);
		crimg_fail(err, name, -1, -1, "out of memory");
		return NULL;
	}
	w->fd = fd;
	w->name = name;
	w->bo = bo;
	int rc = 0;
	if (!(k->flags & CRIMG_KIND_NO_COMMON))
		rc = crimg_writer_u32(w,
				      k->flags & CRIMG_KIND_SERVICE ? CRIMG_MAGIC_SERVICE
								    : CRIMG_MAGIC_COMMON,
				      err);
	if (rc == 0)
		rc = crimg_writer_u32(w, k->magic, err);
	if (rc < 0) {
		crimg_writer_free(w);
		return NULL;
	}
	return w;
}

int crimg_writer_finish(struct crimg_writer *w, struct crimg_error *err)
{
	if (w->failed)
		return -1;
	return wflush(w, err);
}

void crimg_writer_free(struct crimg_writer *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w->pack);
	free(w);
}

/* ---- seek-back support for large entries (writer_int.h) ---- */

int crimg_writer_can_patch(struct crimg_writer *w)
{
	if (w->patchable == 0) {
		struct stat st;
		int fl = fcntl(w->fd, F_GETFL);
		off_t cur = lseek(w->fd, 0, SEEK_CUR);
		w->patchable = fl >= 0 && !(fl & O_APPEND) && fstat(w->fd, &st) == 0 &&
				S_ISREG(st.st_mode) && cur >= 0 && (uint64_t)cur >= w->written
			? 1
			: -1;
		if (w->patchable > 0)
			w->file_base = (int64_t)cur - (int64_t)w->written;
	}
	return w->patchable > 0 && !w->failed;
}

uint64_t crimg_writer_tell(const struct crimg_writer *w)
{
	return w->written + w->used;
}

int crimg_writer_patch_u32(struct crimg_writer *w, uint64_t pos, uint32_t v,
			   struct crimg_error *err)
{
	uint8_t b[4];
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(w->bo == CRIMG_BIG_ENDIAN ? v >> (24 - 8 * i) : v >> (8 * i));
	if (pos >= w->written && pos + 4 <= w->written + w->used) {
		memcpy(w->buf + (pos - w->written), b, 4);
		return 0;
	}
	if (pos + 4 > w->written ||
	    pwrite(w->fd, b, 4, (off_t)(w->file_base + (int64_t)pos)) != 4) {
		w->failed = 1;
		return crimg_fail(err, w->name, (int64_t)pos, -1, "cannot write the entry size: %s",
				  strerror(errno));
	}
	return 0;
}

int crimg_writer_take_back(struct crimg_writer *w, uint64_t pos, uint8_t *buf, size_t n,
			   struct crimg_error *err)
{
	if (wflush(w, err) < 0)
		return -1;
	off_t at = (off_t)(w->file_base + (int64_t)pos);
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(w->fd, buf + got, n - got, at + (off_t)got);
		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			w->failed = 1;
			return crimg_fail(err, w->name, (int64_t)(pos + got), -1,
					  "cannot read back what was written: %s",
					  k < 0 ? strerror(errno) : "short read");
		}
		got += (size_t)k;
	}
	if (ftruncate(w->fd, at) < 0 || lseek(w->fd, at, SEEK_SET) < 0) {
		w->failed = 1;
		return crimg_fail(err, w->name, (int64_t)pos, -1, "cannot cut the output: %s",
				  strerror(errno));
	}
	w->written = pos;
	w->wb.started = w->wb.started < pos ? w->wb.started : pos;
	return 0;
}
