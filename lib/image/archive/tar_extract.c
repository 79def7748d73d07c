/*
 * Safe extraction of a tar, tar.gz or tar.zst into a directory.  libarchive
 * only reads and decompresses here; every file is made by the tree writer
 * (treew.c), which keeps all writes under the target.  Only regular files,
 * directories, symlinks and hard links to earlier files are accepted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/larchive.h"
#include "archive/tree_int.h"

#define BUF_SIZE (1u << 20)

struct ext {
	const struct crimg_la *L;
	struct archive *a;
	struct archive_entry *e;
	struct crimg_treew *t;
	const char *path;
	const struct crimg_limits *lim;
	uint64_t bytes; /* of member data so far */
	uint8_t *buf;
};

/* The archive position for error messages: compressed bytes read so far. */
static int64_t where(const struct ext *x)
{
	return x->L->archive_filter_bytes(x->a, -1);
}

/* libarchive's complaint; it has none for some truncated gzip streams. */
static const char *why(const struct ext *x)
{
	const char *s = x->L->archive_error_string(x->a);
	return s ? s : "unexpected end of data (truncated?)";
}

static int fail_here(struct ext *x, struct crimg_error *err)
{
	/* the tree writer names the member; add where in the archive it was */
	if (err && err->offset < 0)
		err->offset = where(x);
	return -1;
}

static int copy_data(struct ext *x, const char *name, int fd, struct crimg_error *err)
{
	uint64_t got = 0;
	for (;;) {
		la_ssize_t k = x->L->archive_read_data(x->a, x->buf, BUF_SIZE);
		if (k == 0)
			return 0;
		if (k < 0)
			return crimg_fail(err, x->path, where(x), -1, "member '%s': %s", name,
					  why(x));
		x->bytes += (uint64_t)k;
		got += (uint64_t)k;
		/* checked as the data comes: a bomb is stopped, not written out */
		if (crimg_limit_unpack(x->lim, x->path, name, got, x->bytes, where(x), err) < 0)
			return -1;
		for (la_ssize_t off = 0; off < k;) {
			ssize_t m = write(fd, x->buf + off, (size_t)(k - off));
			if (m < 0 && errno == EINTR)
				continue;
			if (m < 0)
				return crimg_fail(err, x->path, where(x), -1,
						  "member '%s': write error: %s", name,
						  strerror(errno));
			off += m;
		}
	}
}

static int one_member(struct ext *x, struct archive_entry *e, struct crimg_error *err)
{
	const struct crimg_la *L = x->L;
	const char *name = L->archive_entry_pathname(e);
	if (!name || !name[0])
		return crimg_fail(err, x->path, where(x), -1, "member with no name");
	const char *hard = L->archive_entry_hardlink(e);
	unsigned mode = L->archive_entry_perm(e);
	int64_t mtime = L->archive_entry_mtime_is_set(e) ? (int64_t)L->archive_entry_mtime(e) : 0;
	if (hard)
		return crimg_treew_hardlink(x->t, name, hard, err) < 0 ? fail_here(x, err) : 0;
	switch (L->archive_entry_filetype(e)) {
	case AE_IFREG: {
		int fd = crimg_treew_file(x->t, name, err);
		if (fd < 0)
			return fail_here(x, err);
		if (copy_data(x, name, fd, err) < 0) {
			close(fd);
			return -1;
		}
		return crimg_treew_file_done(x->t, fd, mode, mtime, err) < 0 ? fail_here(x, err)
									     : 0;
	}
	case AE_IFDIR: {
		char tmp[16];
		/* "./" (or "."): the target itself; nothing to make */
		if (strlen(name) < sizeof(tmp)) {
			memcpy(tmp, name, strlen(name) + 1);
			if (crimg_clean_member(tmp, x->path, NULL) == 1)
				return 0;
		}
		return crimg_treew_dir(x->t, name, mode, mtime, err) < 0 ? fail_here(x, err) : 0;
	}
	case AE_IFLNK: {
		const char *target = L->archive_entry_symlink(e);
		return crimg_treew_symlink(x->t, name, target ? target : "", mtime, err) < 0
			? fail_here(x, err)
			: 0;
	}
	case AE_IFCHR:
	case AE_IFBLK:
		return crimg_fail(err, x->path, where(x), -1,
				  "member '%s': device nodes are not extracted", name);
	case AE_IFIFO:
		return crimg_fail(err, x->path, where(x), -1,
				  "member '%s': fifos are not extracted", name);
	default:
		return crimg_fail(err, x->path, where(x), -1,
				  "member '%s': unsupported member type", name);
	}
}

static int extract(struct ext *x, const char *dstdir, const struct crimg_extract_opts *o,
		   struct crimg_error *err)
{
	const struct crimg_la *L = x->L;
	struct stat st;
	int in = strcmp(x->path, "-") == 0; /* standard input */
	uint64_t total = !in && stat(x->path, &st) == 0 ? (uint64_t)st.st_size : 0;
	/* < ARCHIVE_WARN: no memory for a format (zstd may warn: an external program) */
	if (L->archive_read_support_filter_gzip(x->a) < ARCHIVE_WARN ||
	    L->archive_read_support_filter_zstd(x->a) < ARCHIVE_WARN ||
	    L->archive_read_support_filter_none(x->a) < ARCHIVE_WARN ||
	    L->archive_read_support_format_tar(x->a) < ARCHIVE_WARN)
		return crimg_fail(err, x->path, -1, -1, "out of memory");
	if (in)
		x->path = "stdin";
	if (L->archive_read_open_filename(x->a, in ? NULL : x->path, 1 << 16) != ARCHIVE_OK)
		return crimg_fail(err, x->path, -1, -1, "cannot read the archive: %s", why(x));
	x->t = crimg_treew_new(dstdir, x->path, x->lim->max_dirs, err);
	if (!x->t)
		return -1;
	/* our own entry for the headers (larchive.h) */
	struct archive_entry *e = x->e = L->archive_entry_new();
	if (!e)
		return crimg_fail(err, x->path, -1, -1, "out of memory");
	uint64_t n = 0;
	int64_t data_end = 0; /* in the tar stream: where the last member's data ends */
	char last[256] = "";
	int r;
	while ((r = L->archive_read_next_header2(x->a, e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		if (++n > x->lim->max_members)
			return crimg_fail(err, x->path, where(x), -1,
					  "archive has more than %llu members" CRIMG_LIMIT_HINT(
						  "members"),
					  (unsigned long long)x->lim->max_members);
		int64_t size = L->archive_entry_size_is_set(e) ? L->archive_entry_size(e) : 0;
		if (L->archive_entry_filetype(e) != AE_IFREG || L->archive_entry_hardlink(e))
			size = 0;
		data_end = L->archive_filter_bytes(x->a, 0) + (size + 511) / 512 * 512;
		if (one_member(x, e, err) < 0)
			return -1;
		snprintf(last, sizeof(last), "%s", L->archive_entry_pathname(e));
		if (o && o->progress)
			o->progress(o->progress_arg, "extracting", (uint64_t)where(x), total);
	}
	if (r != ARCHIVE_EOF)
		return crimg_fail(err, x->path, where(x), -1, "broken archive: %s", why(x));
	if (n == 0)
		return crimg_fail(err, x->path, -1, -1, "empty archive: no members");
	/* a tar ends with zero blocks; without them it was cut off between two members */
	if (L->archive_filter_bytes(x->a, 0) <= data_end)
		return crimg_fail(
			err, x->path, where(x), -1,
			"truncated archive: it ends after member '%s' without the end-of-archive blocks",
			last);
	return crimg_treew_finish(x->t, err);
}

int crimg_tar_extract_opts(const char *archive, const char *dstdir,
			   const struct crimg_extract_opts *o, struct crimg_error *err)
{
	struct crimg_la la;
	if (crimg_la_open(&la, err) < 0)
		return -1;
	struct ext x = {
		.L = &la,
		.path = archive,
		.lim = o && o->limits ? o->limits : &crimg_default_limits,
	};
	x.a = la.archive_read_new();
	x.buf = malloc(BUF_SIZE);
	int rc;
	if (!x.a || !x.buf)
		rc = crimg_fail(err, archive, -1, -1, "out of memory");
	else
		rc = extract(&x, dstdir, o, err);
	crimg_treew_free(x.t);
	if (x.a)
		la.archive_read_free(x.a);
	if (x.e)
		la.archive_entry_free(x.e);
	free(x.buf);
	crimg_la_close(&la);
	return rc;
}

int crimg_tar_extract(const char *archive, const char *dstdir, const struct crimg_limits *lim,
		      struct crimg_error *err)
{
	struct crimg_extract_opts o = { .limits = lim };
	return crimg_tar_extract_opts(archive, dstdir, &o, err);
}
