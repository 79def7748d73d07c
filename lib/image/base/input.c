/* Buffered input that grows only with the bytes really read. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

#define READ_CHUNK (256u << 10)

/* mem is never NULL, so that mem + start is always defined (an empty
 * input, or an fd before its first read, points here). */
static const uint8_t no_bytes[1];

void crimg_input_init_fd(struct crimg_input *in, int fd, const char *name)
{
	memset(in, 0, sizeof(*in));
	in->fd = fd;
	in->name = name;
	in->mem = no_bytes;
}

void crimg_input_init_mem(struct crimg_input *in, const void *p, size_t n, const char *name)
{
	memset(in, 0, sizeof(*in));
	in->fd = -1;
	in->name = name;
	in->mem = p ? p : no_bytes;
	in->end = p ? n : 0;
	in->eof = 1;
}

int crimg_input_need(struct crimg_input *in, size_t n, struct crimg_error *err)
{
	while (crimg_input_avail(in) < n) {
		if (in->eof)
			return 0;
		/* slide what is left to the front, then make room for a chunk */
		size_t have = crimg_input_avail(in);
		if (in->start > 0) {
			memmove(in->buf, in->buf + in->start, have);
			in->start = 0;
			in->end = have;
		}
		/* Grow by at most what is already present (or one chunk), so a
		 * forged length cannot make us allocate more than the input holds. */
		size_t step = n - have;
		size_t limit = have > READ_CHUNK ? have : READ_CHUNK;
		if (step > limit)
			step = limit;
		if (in->cap - in->end < step) {
			size_t cap = in->cap ? in->cap : READ_CHUNK;
			while (cap - in->end < step)
				cap *= 2;
			uint8_t *nb = realloc(in->buf, cap);
			if (!nb)
				return crimg_fail(err, in->name, (int64_t)in->pos, -1,
						  "out of memory reading %zu bytes", n);
			in->buf = nb;
			in->cap = cap;
		}
		in->mem = in->buf;
		ssize_t k = read(in->fd, in->buf + in->end, in->cap - in->end);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return crimg_fail(err, in->name, (int64_t)(in->pos + have), -1,
					  "read error: %s", strerror(errno));
		}
		if (k == 0)
			in->eof = 1;
		in->end += (size_t)k;
	}
	return 1;
}

void crimg_input_release(struct crimg_input *in)
{
	free(in->buf);
	in->buf = NULL;
	in->mem = NULL;
}
