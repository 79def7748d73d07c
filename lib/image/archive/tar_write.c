/*
 * Writing tar, tar.gz and tar.zst through libarchive (loaded on first use,
 * see larchive.h).  Output is reproducible: members in the order given,
 * owner 0:0 with no names, the mtimes given, no timestamp in the gzip
 * header; the pax "restricted" format writes plain ustar headers and adds
 * pax records only for what ustar cannot hold (long names, huge sizes).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive/larchive.h"
#include "archive/tree_int.h"

#define COPY_BUF (1u << 20)
#define OUT_BUFS 8 /* of OUT_BUF bytes: what the writer thread may lag behind */
#define OUT_BUF (1u << 20)

/*
 * The output goes through a thread of its own, as the zstd command does:
 * a write() into a busy page cache can block for milliseconds, and the
 * compressor (and its worker) should not wait for it.  libarchive hands
 * over full blocks; they are copied into a ring of buffers that the thread
 * writes out in order.
 */
struct outq {
	int fd;
	pthread_t th;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *buf[OUT_BUFS];
	size_t len[OUT_BUFS];
	unsigned out, count; /* queued buffers: out .. out + count - 1 */
	unsigned fill_idx;   /* the buffer being filled (the caller's only) */
	size_t fill;         /* bytes in it */
	int inited, done, abort;
	int err; /* errno of a failed write */
};

static void *outq_main(void *arg)
{
	struct outq *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->count == 0 && !q->done && !q->abort)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->abort || (q->count == 0 && q->done))
			break;
		unsigned i = q->out;
		pthread_mutex_unlock(&q->mu);
		int e = 0;
		for (size_t off = 0; off < q->len[i] && !e;) {
			ssize_t k = write(q->fd, q->buf[i] + off, q->len[i] - off);
			if (k < 0 && errno != EINTR)
				e = errno;
			else if (k > 0)
				off += (size_t)k;
		}
		pthread_mutex_lock(&q->mu);
		if (e) {
			q->err = e;
			q->abort = 1;
		}
		q->out = (q->out + 1) % OUT_BUFS;
		q->count--;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Queues the buffer being filled; -1 when the thread has failed. */
static int outq_push(struct outq *q)
{
	pthread_mutex_lock(&q->mu);
	q->len[q->fill_idx] = q->fill;
	q->count++;
	q->fill_idx = (q->fill_idx + 1) % OUT_BUFS;
	q->fill = 0;
	pthread_cond_broadcast(&q->cv);
	/* the next buffer to fill must be free */
	while (q->count == OUT_BUFS && !q->abort)
		pthread_cond_wait(&q->cv, &q->mu);
	int rc = q->abort ? -1 : 0;
	pthread_mutex_unlock(&q->mu);
	return rc;
}

static la_ssize_t outq_write(struct archive *a, void *arg, const void *p, size_t n)
{
	struct outq *q = arg;
	const uint8_t *s = p;
	for (size_t left = n; left > 0;) {
		uint8_t *b = q->buf[q->fill_idx]; /* never one the thread holds */
		size_t k = OUT_BUF - q->fill < left ? OUT_BUF - q->fill : left;
		memcpy(b + q->fill, s, k);
		q->fill += k;
		s += k;
		left -= k;
		if (q->fill == OUT_BUF && outq_push(q) < 0)
			return -1;
	}
	return (la_ssize_t)n;
}

/* Stops the thread: after writing everything (flush) or at once. */
static int outq_stop(struct outq *q, int flush)
{
	if (!q->started)
		return q->err ? -1 : 0;
	if (flush && q->fill && outq_push(q) < 0)
		flush = 0;
	pthread_mutex_lock(&q->mu);
	if (flush)
		q->done = 1;
	else
		q->abort = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->th, NULL);
	q->started = 0;
	return q->err ? -1 : 0;
}

static int outq_close(struct archive *a, void *arg)
{
	return outq_stop(arg, 1) < 0 ? ARCHIVE_FATAL : ARCHIVE_OK;
}

static int outq_start(struct outq *q, int fd)
{
	q->fd = fd;
	for (int i = 0; i < OUT_BUFS; i++)
		if (!(q->buf[i] = malloc(OUT_BUF)))
			return -1;
	if (pthread_mutex_init(&q->mu, NULL) != 0)
		return -1;
	if (pthread_cond_init(&q->cv, NULL) != 0) {
		pthread_mutex_destroy(&q->mu);
		return -1;
	}
	q->inited = 1;
	if (pthread_create(&q->th, NULL, outq_main, q) != 0)
		return -1;
	q->started = 1;
	return 0;
}

static void outq_free(struct outq *q)
{
	if (q->started)
		outq_stop(q, 0);
	if (q->inited) {
		pthread_cond_destroy(&q->cv);
		pthread_mutex_destroy(&q->mu);
	}
	for (int i = 0; i < OUT_BUFS; i++)
		free(q->buf[i]);
}

struct crimg_tarw {
	struct crimg_la la;
	struct outq q;
	struct archive *a;
	struct archive_entry *e;
	char *name;
	uint8_t *buf;
	int failed; /* after an error only _free is valid */
	struct crimg_progress prog_cb;
	struct crimg_prog prog;
	char what[64];
};

static int fail_la(struct crimg_tarw *w, const char *member, struct crimg_error *err)
{
	const char *why = w->q.err ? strerror(w->q.err) : w->la.archive_error_string(w->a);
	w->failed = 1;
	if (member)
		return crimg_fail(err, w->name, -1, -1, "member '%s': %s", member,
				  why ? why : "write error");
	return crimg_fail(err, w->name, -1, -1, "%s", why ? why : "write error");
}

static int set_opt(struct crimg_tarw *w, const char *filter, const char *key, int v,
		   struct crimg_error *err)
{
	char val[24];
	snprintf(val, sizeof(val), "%d", v);
	if (w->la.archive_write_set_filter_option(w->a, filter, key, val) != ARCHIVE_OK)
		return crimg_fail(err, w->name, -1, -1, "%s %s %d: %s", filter, key, v,
				  w->la.archive_error_string(w->a));
	return 0;
}

struct crimg_tarw *crimg_tarw_new(int fd, const char *name, enum crimg_compress comp, int level,
				  int threads, struct crimg_error *err)
{
	struct crimg_tarw *w = calloc(1, sizeof(*w));
	if (!w || !(w->name = strdup(name)) || !(w->buf = malloc(COPY_BUF))) {
		if (w)
			free(w->name);
		free(w);
		crimg_fail(err, name, -1, -1, "out of memory");
		return NULL;
	}
	if (crimg_la_open(&w->la, err) < 0) {
		free(w->buf);
		free(w->name);
		free(w);
		return NULL;
	}
	const struct crimg_la *L = &w->la;
	w->a = L->archive_write_new();
	w->e = L->archive_entry_new();
	if (!w->a || !w->e) {
		crimg_fail(err, name, -1, -1, "out of memory");
		goto fail;
	}
	int r;
	switch (comp) {
	case CRIMG_COMP_GZIP:
		r = L->archive_write_add_filter_gzip(w->a);
		break;
	case CRIMG_COMP_ZSTD:
		r = L->archive_write_add_filter_zstd(w->a);
		break;
	default:
		r = L->archive_write_add_filter_none(w->a);
	}
	if (r != ARCHIVE_OK || L->archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK) {
		fail_la(w, NULL, err);
		goto fail;
	}
	if (comp == CRIMG_COMP_GZIP) {
		/* no timestamp: the same tree gives the same bytes */
		if (L->archive_write_set_filter_option(w->a, "gzip", "timestamp", NULL) !=
		    ARCHIVE_OK) {
			fail_la(w, NULL, err);
			goto fail;
		}
		if (level >= 0 && set_opt(w, "gzip", "compression-level", level, err) < 0)
			goto fail;
	} else if (comp == CRIMG_COMP_ZSTD) {
		if (level >= 0 && set_opt(w, "zstd", "compression-level", level, err) < 0)
			goto fail;
		/* like the zstd command, compress in a thread of its own while this one
		 * reads (1 worker by default); any count >= 1 gives the same bytes */
		if (set_opt(w, "zstd", "threads", threads > 0 ? threads : 1, err) < 0)
			goto fail;
	}
	/* bigger writes than tar's 10 KiB records; no padding of the last one */
	L->archive_write_set_bytes_per_block(w->a, comp == CRIMG_COMP_NONE ? 10240 : 1 << 20);
	L->archive_write_set_bytes_in_last_block(w->a, 1);
	if (outq_start(&w->q, fd) < 0) {
		crimg_fail(err, name, -1, -1, "cannot start the writer thread: out of memory");
		goto fail;
	}
	if (L->archive_write_open(w->a, &w->q, NULL, outq_write, outq_close) != ARCHIVE_OK) {
		fail_la(w, NULL, err);
		goto fail;
	}
	return w;
fail:
	crimg_tarw_free(w);
	return NULL;
}

void crimg_tarw_set_progress(struct crimg_tarw *w, crimg_progress_fn *progress, void *arg,
			     const char *what, uint64_t total)
{
	w->prog_cb.fn = progress;
	w->prog_cb.arg = arg;
	snprintf(w->what, sizeof(w->what), "%s", what ? what : "writing");
	w->prog = (struct crimg_prog){ .p = progress ? &w->prog_cb : NULL,
				       .what = w->what,
				       .total = total };
}

static int header(struct crimg_tarw *w, const char *member, unsigned type, unsigned mode,
		  int64_t size, int64_t mtime, const char *target, struct crimg_error *err)
{
	const struct crimg_la *L = &w->la;
	if (w->failed)
		return crimg_fail(err, w->name, -1, -1, "archive writer used after an error");
	if (!member[0] || member[0] == '/')
		return crimg_fail(err, w->name, -1, -1, "member '%s': bad member name", member);
	L->archive_entry_clear(w->e);
	L->archive_entry_set_pathname(w->e, member);
	L->archive_entry_set_filetype(w->e, type);
	L->archive_entry_set_perm(w->e, (__LA_MODE_T)(mode & 07777));
	L->archive_entry_set_size(w->e, size);
	L->archive_entry_set_mtime(w->e, (time_t)mtime, 0);
	if (target)
		L->archive_entry_set_symlink(w->e, target);
	int r = L->archive_write_header(w->a, w->e);
	if (r < ARCHIVE_WARN)
		return fail_la(w, member, err);
	return 0;
}

int crimg_tarw_dir(struct crimg_tarw *w, const char *member, unsigned mode, int64_t mtime,
		   struct crimg_error *err)
{
	return header(w, member, AE_IFDIR, mode, 0, mtime, NULL, err);
}

int crimg_tarw_symlink(struct crimg_tarw *w, const char *member, const char *target, int64_t mtime,
		       struct crimg_error *err)
{
	return header(w, member, AE_IFLNK, 0777, 0, mtime, target, err);
}

static int put(struct crimg_tarw *w, const char *member, const void *p, size_t n,
	       struct crimg_error *err)
{
	const char *s = p;
	while (n > 0) {
		la_ssize_t k = w->la.archive_write_data(w->a, s, n);
		if (k <= 0)
			return fail_la(w, member, err);
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

int crimg_tarw_mem(struct crimg_tarw *w, const char *member, const void *buf, size_t len,
		   unsigned mode, int64_t mtime, struct crimg_error *err)
{
	if (header(w, member, AE_IFREG, mode, (int64_t)len, mtime, NULL, err) < 0 ||
	    put(w, member, buf, len, err) < 0)
		return -1;
	if (w->prog.p)
		crimg_prog_add(&w->prog, len);
	return 0;
}

int crimg_tarw_fd(struct crimg_tarw *w, const char *member, int fd, uint64_t size, unsigned mode,
		  int64_t mtime, struct crimg_error *err)
{
	if (size > INT64_MAX)
		return crimg_fail(err, w->name, -1, -1, "member '%s': too large", member);
	if (header(w, member, AE_IFREG, mode, (int64_t)size, mtime, NULL, err) < 0)
		return -1;
	for (uint64_t left = size; left > 0;) {
		size_t want = left < COPY_BUF ? (size_t)left : COPY_BUF;
		ssize_t k = read(fd, w->buf, want);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			w->failed = 1; /* the header promised size bytes */
			return crimg_fail(err, w->name, -1, -1, "member '%s': %s", member,
					  k < 0 ? strerror(errno)
						: "file shrank while being archived");
		}
		if (put(w, member, w->buf, (size_t)k, err) < 0)
			return -1;
		left -= (uint64_t)k;
		if (w->prog.p)
			crimg_prog_add(&w->prog, (uint64_t)k);
	}
	return 0;
}

int crimg_tarw_finish(struct crimg_tarw *w, struct crimg_error *err)
{
	if (w->failed)
		return crimg_fail(err, w->name, -1, -1, "archive writer used after an error");
	if (w->la.archive_write_close(w->a) != ARCHIVE_OK)
		return fail_la(w, NULL, err);
	w->failed = 1; /* closed */
	return 0;
}

void crimg_tarw_free(struct crimg_tarw *w)
{
	if (!w)
		return;
	if (w->e)
		w->la.archive_entry_free(w->e);
	if (w->a)
		w->la.archive_write_free(w->a);
	outq_free(&w->q);
	crimg_la_close(&w->la);
	free(w->buf);
	free(w->name);
	free(w);
}

/* ---- a whole directory ---- */

struct tree_add {
	struct crimg_tarw *w;
	const char *dir;
	const char *prefix;
	char member[8192];
};

static int add_one(void *arg, const struct crimg_tree_ent *e, struct crimg_error *err)
{
	struct tree_add *t = arg;
	const char *name = e->path;
	if (t->prefix && t->prefix[0]) {
		if ((size_t)snprintf(t->member, sizeof(t->member), "%s/%s", t->prefix, e->path) >=
		    sizeof(t->member))
			return crimg_fail(err, t->dir, -1, -1, "%s: path too long", e->path);
		name = t->member;
	}
	if (e->type == 'd')
		return crimg_tarw_dir(t->w, name, e->mode, e->mtime, err);
	if (e->type == 'l')
		return crimg_tarw_symlink(t->w, name, e->target, e->mtime, err);
	int fd = openat(e->dirfd, e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return crimg_fail(err, t->dir, -1, -1, "%s: %s", e->path, strerror(errno));
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	int rc = crimg_tarw_fd(t->w, name, fd, e->size, e->mode, e->mtime, err);
	close(fd);
	return rc;
}

int crimg_tarw_tree(struct crimg_tarw *w, const char *dir, const char *prefix,
		    struct crimg_error *err)
{
	struct tree_add *t = malloc(sizeof(*t));
	if (!t)
		return crimg_fail(err, dir, -1, -1, "out of memory");
	t->w = w;
	t->dir = dir;
	t->prefix = prefix;
	int rc = crimg_tree_walk(dir, add_one, t, err);
	free(t);
	return rc;
}
