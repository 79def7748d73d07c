/*
 * A checkpoint as an OCI image: an image layout directory, or the same
 * layout as one tar (an "oci-archive", as skopeo and Podman name it).
 *
 *   oci-layout                 {"imageLayoutVersion": "1.0.0"}
 *   index.json                 the one manifest, its platform and ref name;
 *                              the checkpoint annotations (containerd)
 *   blobs/sha256/<manifest>    config + layer, the checkpoint annotations
 *                              (Podman, CRI-O)
 *   blobs/sha256/<config>      architecture and os from the images,
 *                              rootfs.diff_ids = the uncompressed layer's digest
 *   blobs/sha256/<layer>       the checkpoint archive's contents: checkpoint/
 *                              and the engine files, as Podman and CRI-O lay
 *                              them out (a bare CRIU dump goes under checkpoint/)
 *
 * Reproducible: members sorted, owned by 0:0, times from the checkpoint
 * (files and symlinks their own, directories the image's "created": the
 * checkpoint's time, or the caller's), JSON with sorted keys and no
 * blanks.  The same tree gives the same digests.
 *
 * The layer's diff_id is the digest of the uncompressed tar, its digest that
 * of the bytes stored: a compressed layer is written twice, plain (hashed,
 * then dropped) and compressed, rather than keeping a second hash inside the
 * tar writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/oci_int.h"
#include "archive/tree_int.h"

struct layer {
	struct crimg_tarw *w;
	const char *prefix; /* "checkpoint/" for a bare dump, else "" */
	int64_t mtime;
	const struct crimg_oci_opts *o;
	uint64_t done, total;
	char member[PATH_MAX + 16];
};

static void progress(struct layer *l, uint64_t n)
{
	l->done += n;
	if (l->o && l->o->progress)
		l->o->progress(l->o->progress_arg, "layer", l->done, l->total);
}

static int count_bytes(void *arg, const struct crimg_tree_ent *e, struct crimg_error *err)
{
	if (e->type == 'f')
		*(uint64_t *)arg += e->size;
	return 0;
}

static int add_member(void *arg, const struct crimg_tree_ent *e, struct crimg_error *err)
{
	struct layer *l = arg;
	if ((size_t)snprintf(l->member, sizeof(l->member), "%s%s", l->prefix, e->path) >=
	    sizeof(l->member))
		return crimg_fail(err, e->path, -1, -1, "path too long");
	switch (e->type) {
	case 'd':
		return crimg_tarw_dir(l->w, l->member, e->mode, l->mtime, err);
	case 'l':
		return crimg_tarw_symlink(l->w, l->member, e->target, e->mtime, err);
	default: {
		int fd = openat(e->dirfd, e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return crimg_fail(err, e->path, -1, -1, "%s", strerror(errno));
		int rc = crimg_tarw_fd(l->w, l->member, fd, e->size, e->mode, e->mtime, err);
		close(fd);
		if (rc == 0)
			progress(l, e->size);
		return rc;
	}
	}
}

/* One pass over the tree into fd: a whole tar stream, compressed or not. */
static int write_layer(const char *tree, const struct oci_meta *m, int fd, const char *name,
		       enum crimg_compress comp, struct layer *l, struct crimg_error *err)
{
	l->w = crimg_tarw_new(fd, name, comp, l->o ? l->o->level : -1, 0, err);
	if (!l->w)
		return -1;
	int rc = 0;
	if (m->bare) {
		struct stat st;
		l->prefix = "checkpoint/";
		if (stat(tree, &st) < 0)
			rc = crimg_fail(err, tree, -1, -1, "%s", strerror(errno));
		else
			rc = crimg_tarw_dir(l->w, "checkpoint", st.st_mode & 07777, l->mtime, err);
	} else {
		l->prefix = "";
	}
	if (rc == 0)
		rc = crimg_tree_walk(tree, add_member, l, err);
	if (rc == 0)
		rc = crimg_tarw_finish(l->w, err);
	crimg_tarw_free(l->w);
	l->w = NULL;
	return rc;
}

/*
 * One pass over the tree into a new temporary blob in blobs/sha256/: its
 * digest and size.  Kept (fsynced, then renamed to its digest, so that a
 * blob that has its name is whole) or dropped when only the digest was
 * wanted.
 */
static int pass(const char *tree, const char *layout, const struct oci_meta *m,
		enum crimg_compress comp, int keep, struct layer *l, char *digest, uint64_t *size,
		struct crimg_error *err)
{
	char path[PATH_MAX], *tmp;
	snprintf(path, sizeof(path), "%s/blobs/sha256/layer", layout);
	int fd = crimg_tmpfile_new(path, 0644, &tmp, layout, err);
	if (fd < 0)
		return -1;
	int rc = write_layer(tree, m, fd, "layer", comp, l, err);
	if (rc == 0 && lseek(fd, 0, SEEK_SET) < 0)
		rc = crimg_fail(err, tmp, -1, -1, "%s", strerror(errno));
	if (rc == 0)
		rc = oci_hash_fd(fd, tmp, digest, size, err);
	if (rc == 0 && keep) {
		snprintf(path, sizeof(path), "%s/blobs/sha256/%s", layout, digest + 7);
		rc = crimg_tmpfile_place(fd, tmp, path, layout, err);
	} else {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

/* The image's "created": the caller's time, or the checkpoint's. */
static int64_t created_of(const struct crimg_oci_opts *o, const struct oci_meta *m)
{
	return !o || o->created == CRIMG_OCI_CHECKPOINT_TIME ? m->checkpointed : o->created;
}

static int layer(const char *tree, const char *layout, const struct oci_meta *m,
		 const struct crimg_oci_opts *o, struct oci_desc *d, char *diff_id,
		 struct crimg_error *err)
{
	enum crimg_compress comp = o ? o->layer_comp : CRIMG_COMP_NONE;
	struct layer l = { .o = o, .mtime = created_of(o, m) };
	if (crimg_tree_walk(tree, count_bytes, &l.total, err) < 0)
		return -1;
	if (comp != CRIMG_COMP_NONE)
		l.total *= 2;
	uint64_t size;
	if (pass(tree, layout, m, CRIMG_COMP_NONE, comp == CRIMG_COMP_NONE, &l, diff_id, &size,
		 err) < 0)
		return -1;
	if (comp == CRIMG_COMP_NONE) {
		strcpy(d->media_type, OCI_MT_LAYER);
		memcpy(d->digest, diff_id, CRIMG_SHA256_DIGEST_STR);
		d->size = size;
		return 0;
	}
	if (pass(tree, layout, m, comp, 1, &l, d->digest, &d->size, err) < 0)
		return -1;
	strcpy(d->media_type, comp == CRIMG_COMP_GZIP ? OCI_MT_LAYER_GZIP : OCI_MT_LAYER_ZSTD);
	return 0;
}

/* ---- the JSON documents ---- */

static json_t *descriptor(const struct oci_desc *d)
{
	return json_pack("{s:s, s:s, s:I}", "mediaType", d->media_type, "digest", d->digest, "size",
			 (json_int_t)d->size);
}

/* The annotations whose keys start with prefix (all for ""). */
static json_t *ann_object(const struct oci_meta *m, const char *prefix)
{
	json_t *a = json_object();
	size_t n = strlen(prefix);
	for (size_t i = 0; a && i < m->n_ann; i++)
		if (!strncmp(m->ann[i].key, prefix, n) &&
		    json_object_set_new(a, m->ann[i].key, json_string(m->ann[i].value)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* Serialises v (taking it) the same way every time; NULL when out of memory. */
static char *dump(json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(v);
	return s;
}

static int put_json(int layout, const char *layout_name, const char *media_type, json_t *v,
		    struct oci_desc *d, struct crimg_error *err)
{
	char *s = dump(v);
	if (!s)
		return crimg_fail(err, layout_name, -1, -1, "out of memory");
	int rc = oci_blob_put(layout, layout_name, media_type, s, strlen(s), d, err);
	free(s);
	return rc;
}

static json_t *config_json(const struct oci_meta *m, const char *diff_id, const char *created)
{
	char comment[512];
	snprintf(comment, sizeof(comment), "checkpoint of %s", m->name);
	return json_pack("{s:s, s:s, s:s, s:{s:o}, s:{s:s, s:[s]}, s:[{s:s, s:s, s:s}]}",
			 "architecture", m->goarch, "os", "linux", "created", created, "config",
			 "Labels", ann_object(m, "org.criu.checkpoint."), "rootfs", "type",
			 "layers", "diff_ids", diff_id, "history", "created", created, "created_by",
			 "crit convert", "comment", comment);
}

static json_t *manifest_json(const struct oci_meta *m, const struct oci_desc *config,
			     const struct oci_desc *layer, const char *created)
{
	json_t *ann = ann_object(m, "");
	if (ann &&
	    json_object_set_new(ann, "org.opencontainers.image.created", json_string(created)) <
		    0) {
		json_decref(ann);
		ann = NULL;
	}
	return json_pack("{s:i, s:s, s:o, s:[o], s:o}", "schemaVersion", 2, "mediaType",
			 OCI_MT_MANIFEST, "config", descriptor(config), "layers", descriptor(layer),
			 "annotations", ann);
}

static json_t *index_json(const struct oci_meta *m, const struct oci_desc *manifest,
			  const char *ref)
{
	json_t *desc = descriptor(manifest);
	if (desc &&
	    json_object_set_new(desc, "platform",
				json_pack("{s:s, s:s}", "architecture", m->goarch, "os", "linux")) <
		    0) {
		json_decref(desc);
		desc = NULL;
	}
	if (desc &&
	    json_object_set_new(desc, "annotations", json_pack("{s:s}", OCI_ANN_REF_NAME, ref)) <
		    0) {
		json_decref(desc);
		desc = NULL;
	}
	return json_pack("{s:i, s:s, s:[o], s:o}", "schemaVersion", 2, "mediaType", OCI_MT_INDEX,
			 "manifests", desc, "annotations", ann_object(m, ""));
}

/*
 * The default ref name: a tag (umoci and skopeo look images up by it, and
 * "latest" is what they look for when given none).  A caller's name is
 * used as it is.
 */
static const char *ref_name(const struct crimg_oci_opts *o)
{
	return o && o->ref_name && *o->ref_name ? o->ref_name : "latest";
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*
 * The image spec's grammar for org.opencontainers.image.ref.name:
 *   ref ::= component ("/" component)*;  component ::= alphanum (separator alphanum)*
 *   alphanum ::= [A-Za-z0-9]+;  separator ::= [-._:@+] | "--"
 */
int crimg_oci_ref_valid(const char *s)
{
	for (;;) {
		if (!is_alnum(*s))
			return 0; /* a component starts with alphanum */
		while (is_alnum(*s))
			s++;
		if (*s == '\0')
			return 1;
		if (*s == '/') {
			s++;
			continue;
		}
		if (s[0] == '-' && s[1] == '-')
			s += 2;
		else if (strchr("-._:@+", *s))
			s++;
		else
			return 0;
	}
}

/* Writes the whole layout into the existing empty directory at path. */
static int write_layout(const char *tree, const char *path, const struct crimg_oci_opts *o,
			int64_t *created_at, struct crimg_error *err)
{
	if (!crimg_oci_ref_valid(ref_name(o)))
		return crimg_fail(err, NULL, -1, -1,
				  "ref name '%.200s' is not valid: letters and digits, joined by one of "
				  "-._:@+ or by --, in components separated by /",
				  ref_name(o));
	struct oci_meta m;
	if (oci_meta_read(tree, o->limits, &m, err) < 0)
		return -1;
	int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		oci_meta_free(&m);
		return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	}
	int rc = 0;
	if (mkdirat(dir, "blobs", 0755) < 0 || mkdirat(dir, "blobs/sha256", 0755) < 0)
		rc = crimg_fail(err, path, -1, -1, "blobs/sha256: %s", strerror(errno));
	char created[40];
	*created_at = created_of(o, &m);
	oci_time_str(*created_at, created, sizeof(created));
	struct oci_desc ld, cd, md;
	char diff_id[CRIMG_SHA256_DIGEST_STR];
	if (rc == 0)
		rc = layer(tree, path, &m, o, &ld, diff_id, err);
	if (rc == 0)
		rc = put_json(dir, path, OCI_MT_CONFIG, config_json(&m, diff_id, created), &cd,
			      err);
	if (rc == 0)
		rc = put_json(dir, path, OCI_MT_MANIFEST, manifest_json(&m, &cd, &ld, created), &md,
			      err);
	if (rc == 0) {
		char *s = dump(index_json(&m, &md, ref_name(o)));
		rc = s ? oci_write_file(dir, path, "index.json", s, strlen(s), err)
		       : crimg_fail(err, path, -1, -1, "out of memory");
		free(s);
	}
	static const char layout_file[] = "{\"imageLayoutVersion\":\"" OCI_LAYOUT_VERSION "\"}";
	if (rc == 0)
		rc = oci_write_file(dir, path, "oci-layout", layout_file, sizeof(layout_file) - 1,
				    err);
	if (rc == 0 && fsync(dir) < 0)
		rc = crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	close(dir);
	oci_meta_free(&m);
	return rc;
}

/* ---- oci-archive: the layout as one tar ---- */

struct archive_ctx {
	struct crimg_tarw *w;
	int64_t mtime;
};

static int archive_member(void *arg, const struct crimg_tree_ent *e, struct crimg_error *err)
{
	struct archive_ctx *a = arg;
	if (e->type == 'd')
		return crimg_tarw_dir(a->w, e->path, 0755, a->mtime, err);
	if (e->type != 'f')
		return crimg_fail(err, e->path, -1, -1, "not a regular file");
	int fd = openat(e->dirfd, e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return crimg_fail(err, e->path, -1, -1, "%s", strerror(errno));
	int rc = crimg_tarw_fd(a->w, e->path, fd, e->size, 0644, a->mtime, err);
	close(fd);
	return rc;
}

/* The layout built in a new directory from the pattern tmpl (ends in
 * XXXXXX), then packed as one tar onto fd. */
static int build_and_pack(const char *tree, char *tmpl, int fd, const char *name,
			  const struct crimg_oci_opts *o, struct crimg_error *err)
{
	if (!mkdtemp(tmpl))
		return crimg_fail(err, name, -1, -1, "cannot make a directory for the layout: %s",
				  strerror(errno));
	int64_t created = 0;
	int rc = write_layout(tree, tmpl, o, &created, err);
	struct archive_ctx a = { .mtime = created };
	if (rc == 0 && !(a.w = crimg_tarw_new(fd, name, CRIMG_COMP_NONE, -1, 0, err)))
		rc = -1;
	if (rc == 0)
		rc = crimg_tree_walk(tmpl, archive_member, &a, err);
	if (rc == 0)
		rc = crimg_tarw_finish(a.w, err);
	crimg_tarw_free(a.w);
	crimg_tree_remove(tmpl, NULL);
	return rc;
}

int crimg_oci_write_archive_fd(const char *tree, int fd, const char *name,
			       const struct crimg_oci_opts *o, struct crimg_error *err)
{
	if (!o || !o->tmpdir)
		return crimg_fail(err, name, -1, -1, "no directory given to build the layout in");
	size_t n = strlen(o->tmpdir) + 32;
	char *tmp = malloc(n);
	if (!tmp)
		return crimg_fail(err, name, -1, -1, "out of memory");
	snprintf(tmp, n, "%s/layout-XXXXXX", o->tmpdir);
	int rc = build_and_pack(tree, tmp, fd, name, o, err);
	free(tmp);
	return rc;
}

/* dst by the output rules; the layout is made in tmpdir (or beside dst) */
static int write_archive(const char *tree, const char *dst, const struct crimg_oci_opts *o,
			 struct crimg_error *err)
{
	struct crimg_outfile *f = crimg_outfile_open(dst, 0, err);
	if (!f)
		return -1;
	int fd = crimg_outfile_fd(f);
	int rc;
	if (o && o->tmpdir) {
		rc = crimg_oci_write_archive_fd(tree, fd, crimg_outfile_name(f), o, err);
	} else {
		size_t n = strlen(dst) + 32;
		char *tmp = malloc(n);
		if (tmp) {
			snprintf(tmp, n, "%s.layout-XXXXXX", dst);
			rc = build_and_pack(tree, tmp, fd, crimg_outfile_name(f), o, err);
		} else {
			rc = crimg_fail(err, dst, -1, -1, "out of memory");
		}
		free(tmp);
	}
	if (rc < 0) {
		crimg_outfile_abort(f);
		return -1;
	}
	return crimg_outfile_commit(f, err);
}

int crimg_oci_write(const char *tree, const char *dst, int archive, const struct crimg_oci_opts *o,
		    struct crimg_error *err)
{
	if (archive)
		return write_archive(tree, dst, o, err);
	/* dst: an empty directory the caller made, or nothing yet */
	if (mkdir(dst, 0755) < 0 && errno != EEXIST)
		return crimg_fail(err, dst, -1, -1, "%s", strerror(errno));
	int64_t created;
	return write_layout(tree, dst, o, &created, err);
}
