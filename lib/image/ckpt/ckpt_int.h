/* Internals of the checkpoint handle, shared by ckpt*.c and the model. */
#ifndef CRIMG_CKPT_INT_H
#define CRIMG_CKPT_INT_H

#include "crimg/ckpt.h"
#include "base/base.h"

struct arc_member;

struct ckpt_file {
	char *name;            /* relative name: "core-1.img", "config.dump" */
	char *path;            /* on disk: the directory's file */
	struct arc_member *am; /* or an archive's member (ckpt_archive.c) */
	uint8_t *data;
	size_t len;
	void *map;      /* when mapped at an offset: the mapping, */
	size_t map_len; /* which data lies in */
	int loaded, mapped, fd;
	dev_t dev; /* mapped files: which file (memory search reads it again) */
	ino_t ino;
	int has_mtime; /* mtime: when written (directory entry or archive header) */
	int64_t mtime;
	int lazy;  /* a directory's file: len and mtime not known before a stat */
	int dirfd; /* a directory's file: opened as name there (path is NULL) */
};

/* Opens a directory's file read-only, as the loader does: by path, or by
 * name in the listed directory; no link followed, and O_NONBLOCK so that a
 * FIFO put in its place cannot block the open.  -1 (errno set) on failure. */
int crimg_ckpt_file_open(const struct ckpt_file *f);

struct ckpt_files {
	struct ckpt_file *v;
	size_t n, cap;
	int dirfd; /* the directory listed, open (> 0), or 0 */
};

struct crimg_model;

struct crimg_ckpt {
	enum crimg_src_type type;
	const char *format;
	char *path;
	char *images_dir;         /* directories only */
	struct ckpt_files images; /* the CRIU images */
	struct ckpt_files meta;   /* engine files around them */
	char **names;
	char **containers;
	size_t n_containers;
	struct crimg_arc *arc;       /* archives: the members (ckpt_archive.c) */
	struct crimg_arc *arc_outer; /* an oci-archive holding the layer arc reads */
	const char *opt_container, *opt_tmpdir;
	int opt_keep_pages;
	struct crimg_limits lim; /* for every image and archive read */
	crimg_progress_fn *progress;
	void *progress_arg;
	struct crimg_ckpt *parent, *child;
	int parent_tried;
	/* The model (model/model.c) hangs here; the layer above sets how it is
	 * freed, so the handle needs nothing of it. */
	struct crimg_model *model;
	void (*model_free)(struct crimg_ckpt *);
	struct cached *cache; /* see ckpt_entries.c */
	uint8_t *scratch;     /* crimg_ckpt_data_transient's buffer */
	size_t scratch_cap;
};
void crimg_ckpt_cache_free(struct crimg_ckpt *c);
/* The entry of image name (NULL: none), for where its bytes come from. */
const struct ckpt_file *crimg_ckpt_file_entry(const struct crimg_ckpt *c, const char *name);

/* For the openers outside ckpt.c: a new file of set (NULL when out of
 * memory), and the sort lookups need once all are added. */
struct ckpt_file *crimg_ckpt_add_file(struct ckpt_files *set, const char *name);
void crimg_ckpt_sort_files(struct ckpt_files *set);
/* A JSON bundle (is_dir 0) or JSON directory, encoded back at open (ckpt_json.c). */
int crimg_ckpt_open_json(struct crimg_ckpt *c, const char *path, int is_dir,
			 struct crimg_error *err);

/* ckpt.c: the file lists */
struct ckpt_file *crimg_ckpt_file_add(struct ckpt_files *set, const char *name);
void crimg_ckpt_files_sort(struct ckpt_files *set);

/* ckpt_archive.c: archives, read lazily; path "-" is standard input */
int crimg_ckpt_open_archive(struct crimg_ckpt *c, const char *path, struct crimg_error *err);
/* An OCI image (kind 1: layout directory, 2: oci-archive): its layer,
 * verified, read as an archive. */
int crimg_ckpt_open_oci(struct crimg_ckpt *c, const char *path, const char *ref, int kind,
			struct crimg_error *err);
/* The bytes of an archive member (f->am), read in place or produced now. */
const uint8_t *crimg_ckpt_archive_load(struct crimg_ckpt *c, struct ckpt_file *f, size_t *len,
				       struct crimg_error *err);
/* Why images may be missing (a damaged archive whose reading stopped), or NULL. */
const char *crimg_ckpt_archive_cut(const struct crimg_ckpt *c);
void crimg_ckpt_archive_close(struct crimg_ckpt *c);

const char *crimg_ckpt_path(const struct crimg_ckpt *c);
/*
 * The bytes of an image for one look, not kept: the cached copy if it is
 * loaded, else read into a buffer of the handle's, valid until the next
 * call.  For a pass over many small images that is not coming back (x ps
 * reads three fields of each core): no allocation, no memory kept.
 */
const uint8_t *crimg_ckpt_data_transient(struct crimg_ckpt *c, const char *name, size_t *len,
					 struct crimg_error *err);

#endif
