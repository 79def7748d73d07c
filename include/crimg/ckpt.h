/*
 * crimg: a checkpoint as a whole.  Opens a CRIU image directory, a container
 * checkpoint archive (Podman, CRI-O, containerd: .tar, .tar.gz, .tar.zst) or
 * a pod archive, recognised by content, or an OCI checkpoint image, and
 * gives the process tree, each task's state, memory map, files and memory
 * contents.
 *
 * Images are read lazily: only what a call needs.  An archive is indexed
 * in one pass and never unpacked: an uncompressed tar's members are read
 * in place; a compressed archive's small members are kept in memory and
 * its page data is decompressed (into an unnamed temporary file, which
 * nothing can leave behind) only when memory is read.  Everything returned is
 * owned by the checkpoint and valid until crimg_ckpt_close().  A checkpoint
 * and what it hands out are used by one thread at a time (crimg/image.h:
 * "Threads").
 */
#ifndef CRIMG_CKPT_H
#define CRIMG_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "crimg/image.h"

#ifdef __cplusplus
extern "C" {
#endif

struct crimg_ckpt;

enum crimg_src_type {
	CRIMG_SRC_DIR,     /* a directory of images */
	CRIMG_SRC_ARCHIVE, /* a container checkpoint archive */
};

struct crimg_ckpt_opts {
	const char *container; /* pod archives: which container (NULL: first) */
	const char *tmpdir;    /* where decompressed page data is kept (NULL: $TMPDIR) */
	unsigned max_parents;  /* incremental chain depth limit (0: limits') */
	/* entry and payload sizes, archive members and decompression ratio,
	 * parent chain (NULL: crimg_default_limits) */
	const struct crimg_limits *limits;
	/* progress for long work (large archives); NULL for none */
	crimg_progress_fn *progress;
	void *progress_arg;
	/* a hint: page data will be read, so a compressed archive's is kept
	 * (in an unnamed temporary file) as the first pass goes by, instead of
	 * being decompressed a second time on first use */
	int keep_pages;
};

/*
 * Opens the checkpoint at path (o NULL: the defaults), recognised by its
 * content; path "-": an archive (or oci-archive) read from standard input,
 * in one pass: its page data goes to the unnamed file as it passes.
 * Returns a checkpoint the caller closes with crimg_ckpt_close(), or NULL
 * (err filled) when path cannot be read or is no checkpoint.
 */
struct crimg_ckpt *crimg_ckpt_open(const char *path, const struct crimg_ckpt_opts *o,
				   struct crimg_error *err);
/* Frees c, its parents and everything it handed out; NULL is fine. */
void crimg_ckpt_close(struct crimg_ckpt *c);

/* Whether c was opened from a directory or an archive. */
enum crimg_src_type crimg_ckpt_source_type(const struct crimg_ckpt *c);
/* "directory", "tar", "tar.gz", "tar.zst", "oci", "oci-archive" (constant). */
const char *crimg_ckpt_format(const struct crimg_ckpt *c);
/* The containers of a pod archive (one name, "" for a single checkpoint):
 * their count, and in *names an array owned by c. */
size_t crimg_ckpt_containers(const struct crimg_ckpt *c, const char *const **names);

/* ---- what the checkpoint holds, by name ----
 *
 * By name: the images ("core-1.img") and the engine's own files beside them
 * in checkpoint/ ("config.dump", "spec.dump", "network.status",
 * "stats-dump", ...), read as bytes; and the engine metadata of a container
 * archive outside checkpoint/ (crimg_ckpt_meta).  (A "file" in crimg's
 * names is what a descriptor refers to: struct crimg_file, crimg/model.h.)
 */

/* The names of the images and engine files in checkpoint/ (last
 * components, e.g. "core-1.img"), sorted: their count, and in *names an
 * array owned by c. */
size_t crimg_ckpt_images(const struct crimg_ckpt *c, const char *const **names);
/* The bytes of an image or engine file of checkpoint/, read (or mapped) on
 * first use and owned by c; *len gets their count.  NULL with err filled
 * when there is no such name or it cannot be read. */
const uint8_t *crimg_ckpt_data(struct crimg_ckpt *c, const char *name, size_t *len,
			       struct crimg_error *err);
/* 1 when name is an image or engine file of checkpoint/, else 0. */
int crimg_ckpt_has(const struct crimg_ckpt *c, const char *name);
/* The bytes of the engine metadata name outside checkpoint/ (container
 * archives only), owned by c; NULL when absent or unreadable. */
const uint8_t *crimg_ckpt_meta(struct crimg_ckpt *c, const char *name, size_t *len);
/* Size in bytes of an image or engine file of checkpoint/ without reading
 * it, or -1 when there is none of that name. */
int64_t crimg_ckpt_data_size(const struct crimg_ckpt *c, const char *name);
/* Size in bytes of engine metadata (rootfs-diff.tar, ...) without reading it, or -1. */
int64_t crimg_ckpt_meta_size(const struct crimg_ckpt *c, const char *name);
/* When an image, engine file or metadata was written (seconds since the
 * epoch, into *sec), as its directory entry or archive member header says:
 * 0, or -1 if unknown. */
int crimg_ckpt_mtime(const struct crimg_ckpt *c, const char *name, int64_t *sec);
/* The parent checkpoint of an incremental dump, opened on first call and
 * owned by c (closed with it).  NULL when there is none (err untouched) or
 * when the parent link is broken or loops (err filled). */
struct crimg_ckpt *crimg_ckpt_parent(struct crimg_ckpt *c, struct crimg_error *err);

/* ---- images as messages ---- */

/* Every entry of an image, unpacked (extra payloads are left out: use a
 * crimg_reader for those).  Cached: the second call costs nothing.  NULL
 * with err filled when the image is absent or damaged. */
struct crimg_entries {
	const struct crimg_kind *kind;
	enum crimg_byte_order byte_order;
	ProtobufCMessage **msgs;
	size_t n;
};
/* The entries of image name, owned by c (see above). */
const struct crimg_entries *crimg_ckpt_entries(struct crimg_ckpt *c, const char *name,
					       struct crimg_error *err);
/* The same for the image "FMT" names with one number, e.g.
 * ("core-%u.img", 42). */
const struct crimg_entries *crimg_ckpt_entriesf(struct crimg_ckpt *c, struct crimg_error *err,
						const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The first entry of the image "FMT" names, owned by c, or NULL (err
 * filled) when the image is absent, damaged or empty. */
const ProtobufCMessage *crimg_ckpt_first(struct crimg_ckpt *c, struct crimg_error *err,
					 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif
