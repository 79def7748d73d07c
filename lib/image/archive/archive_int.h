/*
 * Archives read lazily (archive_read.c, archive_src.c): one pass indexes
 * the members of a tar, tar.gz or tar.zst (names, sizes, where their bytes
 * are) and data nobody asked for is never produced.  Nothing is written
 * under a name: an uncompressed tar's members are read in place, and
 * decompressed data that must be kept goes to one unnamed temporary file,
 * so an interrupted process (even by SIGKILL) leaves nothing behind.
 */
#ifndef CRIMG_ARCHIVE_INT_H
#define CRIMG_ARCHIVE_INT_H

#include <stdint.h>

#include "archive/larchive.h"

/* Where an archive's bytes are: a region of a file, of memory, or a stream. */
struct arc_src {
	int fd; /* -1 for memory */
	const uint8_t *mem;
	uint64_t base, len; /* the region [base, base + len) of fd, or mem[0, len) */
	int stream;         /* fd reads once, in order, to its end (stdin, a pipe) */
};

enum arc_where {
	ARC_MEM,   /* read into memory by the pass: data */
	ARC_AT,    /* at fd, off: in place in the archive, or in the unnamed file */
	ARC_LATER, /* compressed, not read yet: produced when first asked for */
	ARC_BAD,   /* damaged: reading it fails with bad */
};

struct arc_member {
	char *name; /* cleaned: "checkpoint/pages-1.img" */
	uint64_t size;
	int has_mtime;
	int64_t mtime;
	enum arc_where where;
	uint8_t *data;   /* ARC_MEM; may be taken by the user (then NULL) */
	int fd;          /* ARC_AT: the archive's or the unnamed file's (borrowed) */
	uint64_t off;    /* ARC_AT */
	uint64_t seq;    /* its header's place in the stream, for a later pass */
	char *bad;       /* ARC_BAD: what is wrong ... */
	int64_t bad_off; /* ... and where in the archive */
};

struct arc_opts {
	const struct crimg_limits *lim; /* NULL: the defaults */
	const char *tmpdir;             /* for the unnamed file (NULL: $TMPDIR, /tmp) */
	crimg_progress_fn *progress;
	void *progress_arg;
	int keep_pages; /* compressed: page data to the unnamed file now */
};

struct crimg_arc;
/*
 * Reads the archive's headers (and the small members of a compressed or
 * streamed one) in one pass.  name is the archive in messages.  src->fd is
 * duplicated: the caller keeps its own.  A damaged member stops the pass
 * but not the open: reading that member fails, crimg_arc_broken() says
 * where; bad names, links out, duplicates and limits fail the open.
 */
struct crimg_arc *crimg_arc_open(const char *name, const struct arc_src *src,
				 const struct arc_opts *o, struct crimg_error *err);
void crimg_arc_close(struct crimg_arc *a);
size_t crimg_arc_members(struct crimg_arc *a, struct arc_member **v);
/* The member of that (cleaned) name, or NULL. */
struct arc_member *crimg_arc_find(struct crimg_arc *a, const char *name);
/* "tar", "tar.gz" or "tar.zst". */
const char *crimg_arc_format(const struct crimg_arc *a);
/* NULL, or why the pass stopped early ("offset N: ..."): members after that
 * point are missing. */
const char *crimg_arc_broken(const struct crimg_arc *a);
/*
 * The member's bytes as a region (memory or fd/offset), decompressing it
 * into the unnamed file first if it was not read yet (with every member
 * that comes before it and was not read either, so a second request
 * never decompresses again).  -1 with err for a damaged member.
 */
int crimg_arc_locate(struct crimg_arc *a, struct arc_member *m, struct arc_src *out,
		     struct crimg_error *err);

/* ---- the pieces (archive_src.c) ---- */

/* libarchive reading an arc_src through callbacks, reporting progress. */
struct arc_reader {
	struct arc_src src;
	uint64_t pos; /* region bytes read or skipped so far */
	uint8_t *buf;
	int err; /* errno of a failed read, or 0 */
	crimg_progress_fn *progress;
	void *progress_arg;
	uint64_t next_report; /* ms (CLOCK_MONOTONIC) of the next report */
};
/* Opens a on r's source (r filled by the caller, buf NULL). */
int arc_reader_open(const struct crimg_la *L, struct archive *a, struct arc_reader *r);
void arc_reader_free(struct arc_reader *r);

/* An unnamed temporary file in dir (NULL: $TMPDIR, then /tmp), or -1
 * with err: O_TMPFILE, else a file unlinked as soon as it is made. */
int arc_unnamed_file(const char *dir, struct crimg_error *err);
/* pwrite() of all n bytes; -1 with errno. */
int arc_pwrite_all(int fd, const void *p, size_t n, uint64_t off);
/* pread() of exactly n bytes; -1 with errno (EIO at an early end). */
int arc_pread_all(int fd, void *p, size_t n, uint64_t off);

#endif
