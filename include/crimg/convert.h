/*
 * crimg: converting checkpoints between formats (issue 4).
 *
 * Three parts, used by crit-convert: a reproducible tar writer and a safe tar
 * extractor (libarchive, loaded on first use), OCI image layouts and archives,
 * and rewrites of paths and addresses inside CRIU images.  Same conventions as
 * image.h: 0/-1 or NULL, details in a caller-owned struct crimg_error.
 */
#ifndef CRIMG_CONVERT_H
#define CRIMG_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "crimg/image.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- tar writer (lib/image/archive/tar_write.c, libarchive write API, dlopen'd) ---- */

enum crimg_compress {
	CRIMG_COMP_NONE,
	CRIMG_COMP_GZIP,
	CRIMG_COMP_ZSTD
};
struct crimg_tarw;
/*
 * Writes a tar stream (ustar headers, pax records only for long names and
 * huge sizes) to fd, which stays the caller's; a thread of its own does
 * the writing.  name is only used in error messages.  Reproducible output:
 * members in the order added, uid/gid 0, uname/gname empty, mtime as given,
 * no gzip timestamp.  level -1 is the compressor's default.  threads: zstd
 * worker threads (0: 1, as the zstd command); any count gives the same bytes.
 * Returns a writer the caller ends with crimg_tarw_finish() and frees with
 * crimg_tarw_free(), or NULL (err filled) when libarchive cannot be loaded
 * or the thread not started.
 */
struct crimg_tarw *crimg_tarw_new(int fd, const char *name, enum crimg_compress comp,
				  int level /* -1 default */, int threads /* 0 default */,
				  struct crimg_error *err);
/*
 * The calls adding a member (mode: permission bits; mtime: seconds) return
 * 0, or -1 with err filled (a write error, or a name libarchive refuses);
 * after a failure only crimg_tarw_free() is of use.
 */
/* Adds a directory named member. */
int crimg_tarw_dir(struct crimg_tarw *w, const char *member, unsigned mode, int64_t mtime,
		   struct crimg_error *err);
/* Adds a regular file named member with exactly size bytes copied from fd (read from its
 * current offset; fd stays the caller's).  Fails also when fd ends early. */
int crimg_tarw_fd(struct crimg_tarw *w, const char *member, int fd, uint64_t size, unsigned mode,
		  int64_t mtime, struct crimg_error *err);
/* Adds a regular file named member holding the len bytes at buf. */
int crimg_tarw_mem(struct crimg_tarw *w, const char *member, const void *buf, size_t len,
		   unsigned mode, int64_t mtime, struct crimg_error *err);
/* Adds a symbolic link named member, pointing to target. */
int crimg_tarw_symlink(struct crimg_tarw *w, const char *member, const char *target, int64_t mtime,
		       struct crimg_error *err);
/* Flushes the compressor and the end-of-archive blocks; needed for a valid
 * archive.  0, or -1 (err filled) when a write fails. */
int crimg_tarw_finish(struct crimg_tarw *w, struct crimg_error *err);
/* Releases w (NULL is fine); without finish the output is incomplete. */
void crimg_tarw_free(struct crimg_tarw *w);
/*
 * Safe extraction of a tar/tar.gz/tar.zst (or any tar stream) into an existing
 * empty dir: refuses absolute, `..`, escaping symlink/hardlink targets
 * (CRIU's "parent" link beside the images excepted), writing through a
 * symlink, duplicates, device nodes and fifos, a tar cut off between two
 * members; the limits member, unpacked, ratio, members and dirs (lim NULL:
 * the defaults), checked as the data comes.  Modes (permission bits) and
 * mtimes are kept.  On failure dstdir may hold part of the archive: the
 * caller (which created it) removes it.  archive "-" is standard input.
 * 0, or -1 (err filled) for a refused or damaged archive.
 */
int crimg_tar_extract(const char *archive, const char *dstdir, const struct crimg_limits *lim,
		      struct crimg_error *err);

/* Options of crimg_tar_extract_opts; zeroes mean the defaults. */
struct crimg_extract_opts {
	const struct crimg_limits *limits; /* NULL: crimg_default_limits */
	crimg_progress_fn *progress;       /* NULL: none */
	void *progress_arg;                /* done/total: archive bytes read / its size */
};
/* crimg_tar_extract() with options (o NULL: the defaults). */
int crimg_tar_extract_opts(const char *archive, const char *dstdir,
			   const struct crimg_extract_opts *o, struct crimg_error *err);
/*
 * Adds the contents of dir (not dir itself): names sorted bytewise, each
 * directory before what it holds, members named PREFIX/REL (prefix NULL or
 * "": REL).  Regular files, directories, symlinks; permission bits and
 * mtimes kept; anything else (device, fifo, socket) is an error.  0, or -1
 * (err filled).
 */
int crimg_tarw_tree(struct crimg_tarw *w, const char *dir, const char *prefix,
		    struct crimg_error *err);
/* From now on reports member bytes written so far against total through
 * progress (NULL: no more reports); what is the label handed to it (copied;
 * NULL: "writing"). */
void crimg_tarw_set_progress(struct crimg_tarw *w, crimg_progress_fn *progress, void *arg,
			     const char *what, uint64_t total);

/* ---- directory trees (lib/image/archive/tree*.c) ---- */

/* A progress callback and its argument, for the calls below that take no
 * options (a NULL struct crimg_progress *: none). */
struct crimg_progress {
	crimg_progress_fn *fn;
	void *arg;
};
/* Bytes of regular files under dir (symlinks not followed), into *bytes.
 * 0, or -1 (err filled) when dir cannot be walked. */
int crimg_tree_size(const char *dir, uint64_t *bytes, struct crimg_error *err);
#define CRIMG_COPY_LINK 0x1u /* hard-link regular files instead of copying */
/* Copies the contents of src into dst (an existing empty dir), keeping
 * permission bits and mtimes; symlinks are copied as symlinks (flags:
 * CRIMG_COPY_*).  0, or -1 (err filled); dst may then hold part of the
 * copy, for the caller to remove. */
int crimg_tree_copy(const char *src, const char *dst, unsigned flags,
		    const struct crimg_progress *p, struct crimg_error *err);
/* Removes path and everything under it, never following symlinks.  0 (also
 * when path does not exist), or -1 (err filled) when something stays. */
int crimg_tree_remove(const char *path, struct crimg_error *err);

/* ---- formats, JSON bundle and JSON directory (lib/image/convert/bundle*.c, jsondir.c) ---- */

enum crimg_format {
	CRIMG_FMT_UNKNOWN,
	CRIMG_FMT_DIR,      /* checkpoint directory (images, or checkpoint/ + engine files) */
	CRIMG_FMT_JSON,     /* one JSON bundle file */
	CRIMG_FMT_JSON_DIR, /* a directory of per-image JSON files */
	CRIMG_FMT_TAR,
	CRIMG_FMT_TAR_GZ,
	CRIMG_FMT_TAR_ZST,
	CRIMG_FMT_OCI,         /* OCI image layout directory */
	CRIMG_FMT_OCI_ARCHIVE, /* OCI image layout in a tar */
};
/* "dir", "json", ... as crit-convert's --to spells them; NULL for UNKNOWN. */
const char *crimg_format_name(enum crimg_format f);
/* The format crit-convert's --to spells name; CRIMG_FMT_UNKNOWN for none. */
enum crimg_format crimg_format_by_name(const char *name);
/* The format a file name implies (".tar.zst", ".json", ... in any case); DIR when none. */
enum crimg_format crimg_format_by_suffix(const char *path);
/* The format of an existing file or directory, from its content, into *f.
 * 0, or -1 (err filled) when path cannot be read or is of no known format. */
int crimg_format_detect(const char *path, enum crimg_format *f, struct crimg_error *err);

/* The file a JSON directory keeps its list of images in. */
#define CRIMG_JSONDIR_MANIFEST "crimg-json-dir.json"
/*
 * The calls below take the limits (NULL: the defaults) for the images they
 * decode or encode (entry, extra, depth) and, reading, the JSON directory's
 * list (json) and the tree they unpack (dirs); an image a limit stops is an
 * error, not one kept raw.
 *
 * tree -> JSON directory dstdir (existing, empty): every CRIU image whose
 * JSON encodes back to the same bytes becomes NAME.json (crit decode
 * --pretty), everything else is copied; the manifest lists the images.
 * These calls return 0, or -1 (err filled); dstdir may then hold part of
 * the work, for the caller to remove.
 */
int crimg_jsondir_write(const char *tree, const char *dstdir, const struct crimg_limits *lim,
			const struct crimg_progress *p, struct crimg_error *err);
/* JSON directory -> tree in dstdir (existing, empty), byte-exact.  0, or -1. */
int crimg_jsondir_read(const char *src, const char *dstdir, const struct crimg_limits *lim,
		       const struct crimg_progress *p, struct crimg_error *err);
/* tree -> one JSON bundle on fd (see docs/bundle.md for the format; fd stays
 * the caller's); name for errors.  0, or -1 (err filled). */
int crimg_bundle_write(const char *tree, int fd, const char *name, const struct crimg_limits *lim,
		       const struct crimg_progress *p, struct crimg_error *err);
/* 1 when path is a JSON bundle (its first member is "format":
 * "crimg-bundle"), else 0 (also when it cannot be read). */
int crimg_bundle_detect(const char *path);
/* JSON bundle -> tree in dstdir (existing, empty), byte-exact.  0, or -1
 * (err filled); dstdir may then hold part of the tree. */
int crimg_bundle_read(const char *bundle, const char *dstdir, const struct crimg_limits *lim,
		      const struct crimg_progress *p, struct crimg_error *err);

/* ---- OCI (lib/image/oci, base/sha256.c) ---- */

/*
 * A checkpoint's name as the tools take it for SRC (and crit-convert for
 * DST): "oci:DIR[:REF]" (an OCI image layout directory) and
 * "oci-archive:FILE[:REF]" (one in a tar) mean what they mean to skopeo: the
 * path ends at the first ':', REF is the image's ref name
 * (org.opencontainers.image.ref.name; "oci:DIR:" or no REF: none given).
 * Any other name is a plain path (transport CRIMG_FMT_UNKNOWN), whose
 * format is found from its content.  -1 with err filled for an empty path
 * or a REF outside the ref-name grammar.  Free with crimg_source_name_free.
 */
struct crimg_source_name {
	enum crimg_format transport; /* CRIMG_FMT_OCI, CRIMG_FMT_OCI_ARCHIVE or UNKNOWN */
	char *path;
	char *ref; /* NULL: none given */
};
/* Fills *n for arg (its strings malloc'ed: crimg_source_name_free() frees
 * them).  0, or -1 (err filled), as above. */
int crimg_source_name_parse(const char *arg, struct crimg_source_name *n, struct crimg_error *err);
/* Frees the strings of *n and empties it. */
void crimg_source_name_free(struct crimg_source_name *n);

/* crimg_oci_opts.created: the checkpoint's own time (see crimg_oci_write) */
#define CRIMG_OCI_CHECKPOINT_TIME INT64_MIN
struct crimg_oci_opts {
	const char *ref_name; /* org.opencontainers.image.ref.name (NULL: "latest") */
	int64_t created;      /* seconds: the image's "created" and the time of
				 * the layer's directories and the layout's files, or
				 * CRIMG_OCI_CHECKPOINT_TIME (crit-convert's default;
				 * SOURCE_DATE_EPOCH overrides it) */
	enum crimg_compress layer_comp;
	int level; /* -1: the compressor's default */
	/* oci-archive: where its layout is built first (a directory the
	 * caller removes, also on a signal); NULL: beside dst */
	const char *tmpdir;
	/* for config.dump, spec.dump (json) and the images read (NULL: defaults) */
	const struct crimg_limits *limits;
	crimg_progress_fn *progress; /* NULL: none */
	void *progress_arg;
};
/*
 * tree: an unpacked container checkpoint (checkpoint/ + engine files) or a
 * bare image dir (stored under checkpoint/ in the layer).  archive = 0: OCI
 * image layout in the directory dst (empty, or made here); 1: oci-archive
 * tar written to dst by the output rules (crimg_outfile_open).  The
 * annotations Podman, CRI-O and containerd look for are filled from
 * config.dump, spec.dump and the images (docs/oci.md).
 * Times come from the checkpoint, so the same tree and options give the
 * same bytes: the layer's files and symlinks keep their own mtimes; its
 * directories (whose times only say when something was last put in them)
 * get "created".  The checkpoint's time is config.dump's checkpointedTime
 * when the engine recorded one, else the mtime of stats-dump (CRIU writes
 * it last), else of inventory.img, else 0.  0, or -1 (err filled); dst may
 * then hold part of the layout (archive = 0), for the caller to remove.
 */
int crimg_oci_write(const char *tree, const char *dst, int archive, const struct crimg_oci_opts *o,
		    struct crimg_error *err);
/* The oci-archive onto fd (name for errors), its layout built first in
 * o->tmpdir (needed); nothing is fsynced or closed.  0, or -1 (err filled). */
int crimg_oci_write_archive_fd(const char *tree, int fd, const char *name,
			       const struct crimg_oci_opts *o, struct crimg_error *err);
/*
 * Adds the image of src_layout (a layout of one image, as crimg_oci_write
 * makes) to the existing layout dst_layout, as skopeo copy to oci:DIR:REF
 * does: its blobs move in, and index.json (replaced by rename) lists it in
 * place of any image of the same ref name.  src_layout is left to the
 * caller to remove.  0, or -1 (err filled).
 */
int crimg_oci_add(const char *src_layout, const char *dst_layout, struct crimg_error *err);
/* 1 layout dir, 2 oci-archive file, 0 neither. */
int crimg_oci_detect(const char *path);
/* 1 if ref follows the image spec's grammar for ref names (letters and
 * digits joined by one of -._:@+ or "--", components separated by '/'). */
int crimg_oci_ref_valid(const char *ref);
/*
 * Verifies every descriptor from index.json to the layer (sha256 digest,
 * size, media type, the layer's magic and its uncompressed diff_id) before
 * anything is extracted; then extracts the checkpoint layer into dstdir (an
 * existing empty dir; an oci-archive is unpacked inside it first).  A layer
 * holding only checkpoint/ gives back the bare image dir.  On failure dstdir
 * may hold part of the work: the caller removes it.  lim (NULL: defaults):
 * json for index.json, manifests and the config, the archive limits for the
 * oci-archive and for the layer (also while its diff_id is computed).
 * 0, or -1 (err filled) at the first thing that does not verify.
 */
int crimg_oci_extract(const char *src, const char *dstdir, const struct crimg_limits *lim,
		      struct crimg_error *err);
/*
 * The same for the image named ref (org.opencontainers.image.ref.name in
 * index.json, as skopeo looks it up); ref NULL: the layout's only image, or
 * an error listing the names when it holds several.  0, or -1 (err filled).
 */
int crimg_oci_extract_ref(const char *src, const char *ref, const char *dstdir,
			  const struct crimg_limits *lim, struct crimg_error *err);

/* ---- rewrites (lib/image/convert/rewrite*.c) ---- */

/*
 * For moving a checkpoint to another host.  CRIMG_RW_PATH rules rewrite a
 * path prefix: OLD matches a whole path or a prefix ending at a '/' ("/srv/a"
 * matches "/srv/a" and "/srv/a/x", not "/srv/ab"); both are absolute; the
 * longest matching OLD wins and a value is rewritten at most once.  They
 * cover regular files (reg_file_entry.name: open files, cwd and root, exe
 * and mapped files, ghost files' names), ghost symlink targets, unix socket
 * names (not abstract ones) and name_dir, mount points, mount roots (storage
 * file systems only: the root of a proc, sysfs, cgroup, tmpfs... mount is a
 * place inside it), sources that are paths, ext_key, overlay's lowerdir/
 * upperdir/workdir options, fanotify mount marks, the irmap cache and
 * binfmt_misc interpreters; in a container tree also the host paths of the
 * engine's spec.dump and config.dump (bind mount sources, the rootfs, hooks,
 * joined namespaces, Podman's own paths: docs/rewrites.md), reported with
 * image "spec.dump" or "config.dump", entry 0 and a field such as
 * "mounts[5].source".  CRIMG_RW_IP rules rewrite one IPv4 or IPv6
 * address exactly (an IPv4 rule also matches its ::ffff:a.b.c.d form) in
 * every field the schemas mark as an address: inet sockets' src_addr and
 * dst_addr (files.img, old inetsk.img).  TCP stream images hold no address.
 */
enum crimg_rewrite_kind {
	CRIMG_RW_PATH,
	CRIMG_RW_IP
};
struct crimg_rewrite_rule {
	enum crimg_rewrite_kind kind;
	const char *from, *to;
};
/*
 * Called once per changed field, after its image was replaced: image is its
 * name relative to dir ("files.img", or "checkpoint/files.img" in a container
 * tree), entry its index in the image, field_path the field inside the entry
 * ("reg.name", "isk.src_addr", "ffy.mark[0].me.path"); so the field's full name
 * is IMAGE[ENTRY].FIELD, e.g. files.img[12].reg.name.  before and after are
 * the values as text (addresses as inet_ntop writes them, control bytes as
 * \xNN).  All strings are valid during the call only.
 * A call with entry == CRIMG_REWRITE_NOTE is a note, not a change: image is
 * not rewritten for the reason in before (field_path and after are "").
 */
typedef void (*crimg_rewrite_cb)(void *arg, const char *image, size_t entry, const char *field_path,
				 const char *before, const char *after);
#define CRIMG_REWRITE_NOTE ((size_t)-1)
/*
 * Parses "OLD=NEW" as given to --rewrite-path (kind CRIMG_RW_PATH: NEW starts
 * at the first "=/", so OLD may hold '=') or --rewrite-ip, and checks it like
 * crimg_rewrite_dir does.  arg is split in place ('=' becomes NUL) and r
 * points into it.  0, or -1 (err filled) for a rule that is wrong.
 */
int crimg_rewrite_rule_parse(char *arg, enum crimg_rewrite_kind kind, struct crimg_rewrite_rule *r,
			     struct crimg_error *err);
/*
 * Rewrites the CRIU images in dir (an image directory, or a container tree
 * with them in checkpoint/): a staging copy, each changed image replaced by
 * rename, so hard links to the originals are safe.  Images nothing changes
 * are left untouched, and in a changed one every byte but the changed
 * entries' stays as it was (byte order, extra payloads).  Rules are checked
 * first (same OLD twice, relative paths, mixed address families: -1).
 * Returns the number of fields changed, or -1; after a failure some images
 * may have been replaced already: the caller discards the staging copy.
 * Images are read under lim (NULL: the defaults).
 */
int crimg_rewrite_dir(const char *dir, const struct crimg_rewrite_rule *rules, size_t n,
		      const struct crimg_limits *lim, crimg_rewrite_cb cb, void *arg,
		      struct crimg_error *err);

/* ---- byte order (lib/image/convert/reorder*.c) ---- */

/*
 * For reading a checkpoint with a tool that knows one byte order.  CRIU
 * writes every image's magics and entry sizes in its machine's byte order
 * (s390x: big-endian), and a few things more: the size words inside SysV
 * message queues, SysV semaphore values, IP addresses (fields marked
 * ipadd), the siginfo_t of pending signals, seccomp and socket filter
 * programs.  crimg_reorder_dir writes each of them in the order asked, as a
 * machine of that order would have; the image writer does the writing
 * (what crit encode --byte-order does).  What has no known structure stays
 * as the source wrote it: raw images (page data, iproute2, iptables and
 * conntrack dumps, tmpfs archives) and the data after entries (pipe and
 * socket queues, TCP queues, ghost file contents, SysV shared memory, BPF
 * map keys and values).  Memory thus keeps the source machine's order: the
 * copy is for reading, not for restoring on a machine of the other order.
 */
enum crimg_reorder_action {
	CRIMG_REORDER_DONE, /* written again in the order asked */
	CRIMG_REORDER_SAME, /* in that order already: left as it is */
	CRIMG_REORDER_RAW,  /* a raw image, no framing: left as it is */
};
/* One file of the checkpoint, as crimg_reorder_dir reports it. */
struct crimg_reorder_file {
	const char *image;             /* "core-1.img", or "checkpoint/core-1.img" */
	const struct crimg_kind *kind; /* as read, or (raw) as named */
	enum crimg_reorder_action action;
	enum crimg_byte_order from; /* the image's order (RAW: none, the order asked) */
	/* NULL, or what in it stays as the source wrote it ("page data: memory,
	 * in the source's byte order", "pipe contents after the entries") */
	const char *kept;
};
/* Called for every image, in name order; f and its strings are valid during
 * the call only. */
typedef void (*crimg_reorder_cb)(void *arg, const struct crimg_reorder_file *f);
/*
 * Writes every CRIU image of dir (an image directory, or a container tree
 * with them in checkpoint/) in byte order bo, each replaced by rename (a
 * temporary file beside it with its mode, owner, group and times), so hard
 * links to the originals are safe.  Files that are no CRIU image (logs,
 * engine files) and symbolic links ("parent") are left alone.  An image that
 * cannot be read to its end, or whose JSON does not encode back to its very
 * bytes (fields unknown to this schema, a non-canonical encoding), is an
 * error: a checkpoint half in one order is of use to nobody.  Returns the
 * number of images written again (0: all were in bo already), or -1 (err
 * filled); some images may then have been replaced: the caller discards
 * the staging copy.  Images are read under lim (NULL: the defaults).
 */
int crimg_reorder_dir(const char *dir, enum crimg_byte_order bo, const struct crimg_limits *lim,
		      crimg_reorder_cb cb, void *arg, struct crimg_error *err);

/* ---- moving a program to another architecture (lib/image/convert/migrate*.c) ---- */

/*
 * What crimg_migrate_dir() needs beyond the checkpoint: the two builds of
 * the program, and the stack plug-in.  The contract (docs/xarch.md): one
 * process of one thread, a fixed-address static build for both
 * architectures with the same data layout (its writable load segments at
 * the same addresses and file offsets), no file mapped but the
 * executable, no thread pointer, no signal handler, a full (not
 * incremental) dump, the thread stopped at a migration point NAME: its PC
 * at the source build's symbol crimg_migrate_NAME or crimg_migrate_NAME_end.
 */
struct crimg_migrate_opts {
	const char *target_arch; /* "x86_64" or "aarch64" */
	const char *source_exe;  /* the source build here; NULL: the path in files.img */
	const char *target_exe;  /* the target build here (required) */
	const char *target_path; /* where the target build will be; NULL: the source's path */
	const char *plugin;      /* NULL or "restart": the built-in stack plug-in; else a program */
};
/* One line of what was done (or, when refused, why), about image. */
typedef void crimg_migrate_note_fn(void *arg, const char *image, const char *what);
/*
 * Rewrites the checkpoint under tree (its images there or in
 * tree/checkpoint/) for opts->target_arch: the core's machine type and
 * register file (where the plug-in says), the executable's mappings and
 * file entry (the target build's), the saved auxv, the vDSO and vvar
 * mappings and [vsyscall] (dropped), the saved code pages (dropped), the
 * open flags whose values differ.  Data pages are copied as they are.
 * Each changed image is replaced by rename.  0; 1 when the checkpoint is
 * outside the contract (nothing written; note() has the reasons, err the
 * first); -1 (err filled) for damaged images or a failed write.
 */
int crimg_migrate_dir(const char *tree, const struct crimg_migrate_opts *opts,
		      const struct crimg_limits *lim, crimg_migrate_note_fn *note, void *arg,
		      struct crimg_error *err);

#ifdef __cplusplus
}
#endif

#endif
