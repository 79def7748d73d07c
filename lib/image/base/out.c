/* A buffered output sink on a file descriptor; errors surface at flush. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "base/out.h"

struct crimg_out *crimg_out_new(int fd, const char *name)
{
	struct crimg_out *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->cap = 256u << 10;
	o->buf = malloc(o->cap);
	if (!o->buf) {
		free(o);
		return NULL;
	}
	o->fd = fd;
	o->name = name;
	return o;
}

/* A sink with no file (fd -1) keeps everything: its buffer grows instead. */
static int grow(struct crimg_out *o)
{
	size_t cap = o->cap * 2;
	char *nb = cap > o->cap ? realloc(o->buf, cap) : NULL;
	if (!nb) {
		o->err = ENOMEM;
		return -1;
	}
	o->buf = nb;
	o->cap = cap;
	return 0;
}

int crimg_out_drain(struct crimg_out *o)
{
	if (o->fd < 0)
		return o->err ? -1 : grow(o);
	size_t off = 0;
	while (off < o->used && !o->err) {
		ssize_t k = write(o->fd, o->buf + off, o->used - off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			o->err = errno;
			break;
		}
		off += (size_t)k;
	}
	o->written += off;
	o->used = 0;
	if (!o->err)
		crimg_writeback_kick(&o->wb, o->fd, o->written);
	return o->err ? -1 : 0;
}

int crimg_out_write(struct crimg_out *o, const void *p, size_t n)
{
	const char *s = p;
	while (n > 0) {
		if (o->used == o->cap && crimg_out_drain(o) < 0)
			return -1;
		size_t k = o->cap - o->used;
		if (k > n)
			k = n;
		memcpy(o->buf + o->used, s, k);
		o->used += k;
		s += k;
		n -= k;
	}
	return o->err ? -1 : 0;
}

int crimg_out_flush(struct crimg_out *o, struct crimg_error *err)
{
	if (crimg_out_drain(o) < 0)
		return crimg_fail(err, o->name, (int64_t)o->written, -1, "write error: %s",
				  strerror(o->err));
	return 0;
}

void crimg_out_free(struct crimg_out *o)
{
	if (!o)
		return;
	free(o->buf);
	free(o);
}
