/*
 * The JSON directory: the checkpoint's tree with each CRIU image NAME
 * replaced by NAME.json, exactly what 'crit decode --pretty -o' writes, so
 * it can be read, grepped and edited.  Everything else (page data, raw
 * images, engine files, logs, symlinks) stays as it is.  The manifest
 * crimg-json-dir.json at the top lists which .json files are images and in
 * which byte order they encode, so the way back never guesses:
 *
 *   {"format": "crimg-json-dir", "version": 1, "images": [
 *     {"image": "checkpoint/core-1.img", "json": "checkpoint/core-1.img.json",
 *      "byte_order": "little"}, ...]}
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert/convert_int.h"
#include "json/lossless.h"

#define FORMAT "crimg-json-dir"

/* ---- tree -> JSON directory ---- */

struct jw_ctx {
	struct crimg_treew *t;
	const char *tree;
	json_t *images;
	int tmp; /* memfd for the JSON of one image */
	char name[4096];
	const struct crimg_limits *lim;
	struct crimg_prog prog;
};

static const char *bo_name(enum crimg_byte_order bo)
{
	return bo == CRIMG_BIG_ENDIAN ? "big" : "little";
}

static int copy_in(struct crimg_treew *t, int dirfd, const char *name, const char *path,
		   const char *src, uint64_t size, unsigned mode, int64_t mtime,
		   struct crimg_prog *g, struct crimg_error *err)
{
	int in = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return crimg_fail(err, src, -1, -1, "%s: %s", path, strerror(errno));
	int out = crimg_treew_file(t, path, err);
	if (out < 0) {
		close(in);
		return -1;
	}
	int rc = crimg_copy_fd(in, out, size, g);
	close(in);
	if (rc < 0) {
		close(out);
		return crimg_fail(err, src, -1, -1, "%s: %s", path,
				  rc == -ENODATA ? "file shrank while being copied"
						 : strerror(-rc));
	}
	return crimg_treew_file_done(t, out, mode, mtime, err);
}

static int put_image(struct jw_ctx *c, const struct crimg_tree_ent *e, struct crimg_error *err)
{
	struct stat st;
	/* an image whose NAME.json already exists beside it stays raw */
	if ((size_t)snprintf(c->name, sizeof(c->name), "%s.json", e->name) >= sizeof(c->name) ||
	    fstatat(e->dirfd, c->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	enum crimg_byte_order bo;
	int r = crimg_image_json(e->dirfd, e->name, e->path, c->tmp, CRIMG_JSON_PRETTY, c->lim, &bo,
				 err, NULL);
	if (r <= 0)
		return r;
	snprintf(c->name, sizeof(c->name), "%s.json", e->path);
	off_t len = lseek(c->tmp, 0, SEEK_END);
	if (len < 0 || lseek(c->tmp, 0, SEEK_SET) < 0)
		return crimg_fail(err, e->path, -1, -1, "temporary file: %s", strerror(errno));
	int out = crimg_treew_file(c->t, c->name, err);
	if (out < 0)
		return -1;
	int rc = crimg_copy_fd(c->tmp, out, (uint64_t)len, NULL);
	if (rc < 0) {
		close(out);
		return crimg_fail(err, c->name, -1, -1, "write error: %s", strerror(-rc));
	}
	if (crimg_treew_file_done(c->t, out, e->mode, e->mtime, err) < 0)
		return -1;
	if (json_array_append_new(c->images,
				  json_pack("{s:s, s:s, s:s}", "image", e->path, "json", c->name,
					    "byte_order", bo_name(bo))) < 0)
		return crimg_fail(err, e->path, -1, -1, "out of memory");
	crimg_prog_add(&c->prog, e->size);
	return 1;
}

static int jw_one(void *arg, const struct crimg_tree_ent *e, struct crimg_error *err)
{
	struct jw_ctx *c = arg;
	if (e->type == 'd')
		return crimg_treew_dir(c->t, e->path, e->mode, e->mtime, err);
	if (e->type == 'l')
		return crimg_treew_symlink(c->t, e->path, e->target, e->mtime, err);
	if (strcmp(e->path, CRIMG_JSONDIR_MANIFEST) == 0)
		return crimg_fail(err, c->tree, -1, -1,
				  "%s: the tree already holds a file of this name",
				  CRIMG_JSONDIR_MANIFEST);
	int r = put_image(c, e, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	return copy_in(c->t, e->dirfd, e->name, e->path, c->tree, e->size, e->mode, e->mtime,
		       &c->prog, err);
}

static int write_manifest(struct crimg_treew *t, json_t *images, const char *what,
			  struct crimg_error *err)
{
	json_t *doc = json_pack("{s:s, s:i, s:O}", "format", FORMAT, "version", 1, "images",
				images);
	char *s = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (!s)
		return crimg_fail(err, what, -1, -1, "out of memory");
	int fd = crimg_treew_file(t, CRIMG_JSONDIR_MANIFEST, err), rc = -1;
	if (fd >= 0) {
		size_t n = strlen(s);
		s[n] = '\n'; /* replaces the NUL; the length is known */
		rc = write(fd, s, n + 1) == (ssize_t)(n + 1)
			? 0
			: crimg_fail(err, what, -1, -1, "%s: write error", CRIMG_JSONDIR_MANIFEST);
		if (rc == 0)
			rc = crimg_treew_file_done(t, fd, 0644, 0, err);
		else
			close(fd);
	}
	free(s);
	return rc;
}

int crimg_jsondir_write(const char *tree, const char *dstdir, const struct crimg_limits *lim,
			const struct crimg_progress *p, struct crimg_error *err)
{
	struct jw_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return crimg_fail(err, tree, -1, -1, "out of memory");
	c->tree = tree;
	c->lim = lim;
	c->tmp = -1;
	c->prog = (struct crimg_prog){ .p = p, .what = "writing json-dir" };
	int rc = -1;
	if (p && p->fn && crimg_tree_size(tree, &c->prog.total, err) < 0)
		goto out;
	if (!(c->images = json_array()))
		goto oom;
	if ((c->tmp = crimg_memfile(tree, err)) < 0)
		goto out;
	if (!(c->t = crimg_treew_new(dstdir, tree, CRIMG_MAX_DIRS_CAP, err)))
		goto out;
	crimg_treew_trust(c->t);
	rc = crimg_tree_walk(tree, jw_one, c, err);
	if (rc == 0)
		rc = write_manifest(c->t, c->images, tree, err);
	if (rc == 0)
		rc = crimg_treew_finish(c->t, err);
	goto out;
oom:
	rc = crimg_fail(err, tree, -1, -1, "out of memory");
out:
	crimg_treew_free(c->t);
	if (c->tmp >= 0)
		close(c->tmp);
	json_decref(c->images);
	free(c);
	return rc;
}

/* ---- JSON directory -> tree ---- */

struct img {
	const char *image, *json;
	enum crimg_byte_order bo;
	int seen;
};

struct jr_ctx {
	struct crimg_treew *t;
	const char *src;
	const struct crimg_limits *lim;
	struct img *imgs;
	size_t n;
	struct crimg_prog prog;
};

static int cmp_json(const void *a, const void *b)
{
	return strcmp(((const struct img *)a)->json, ((const struct img *)b)->json);
}

static int load_manifest(struct jr_ctx *c, json_t **doc, struct crimg_error *err)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", c->src, CRIMG_JSONDIR_MANIFEST);
	/* read whole: its size is checked first */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int e = fd < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
		return crimg_fail(err, path, -1, -1, "%s", e ? strerror(e) : "not a regular file");
	}
	if ((uint64_t)st.st_size > c->lim->max_json) {
		close(fd);
		return crimg_fail(
			err, path, -1, -1,
			"%lld bytes, more than the limit of %llu for a JSON file read whole" CRIMG_LIMIT_HINT(
				"json"),
			(long long)st.st_size, (unsigned long long)c->lim->max_json);
	}
	json_error_t je;
	*doc = json_loadfd(fd, JSON_REJECT_DUPLICATES, &je);
	close(fd);
	if (!*doc) {
		crimg_fail(err, path, -1, -1, "%s", je.text);
		err->line = je.line;
		err->column = je.column;
		return -1;
	}
	json_t *fmt = json_object_get(*doc, "format"), *ver = json_object_get(*doc, "version");
	json_t *imgs = json_object_get(*doc, "images");
	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), FORMAT) != 0)
		return crimg_fail(err, path, -1, -1, "\"format\" is not \"%s\"", FORMAT);
	if (!json_is_integer(ver) || json_integer_value(ver) != 1)
		return crimg_fail(err, path, -1, -1,
				  "unsupported \"version\" (this crit reads version 1)");
	if (!json_is_array(imgs))
		return crimg_fail(err, path, -1, -1, "\"images\" is not an array");
	c->n = json_array_size(imgs);
	if (!(c->imgs = calloc(c->n ? c->n : 1, sizeof(*c->imgs))))
		return crimg_fail(err, path, -1, -1, "out of memory");
	for (size_t i = 0; i < c->n; i++) {
		json_t *it = json_array_get(imgs, i);
		json_t *im = json_object_get(it, "image"), *js = json_object_get(it, "json");
		json_t *bo = json_object_get(it, "byte_order");
		if (!json_is_string(im) || !json_is_string(js) || !json_is_string(bo) ||
		    (strcmp(json_string_value(bo), "little") &&
		     strcmp(json_string_value(bo), "big")))
			return crimg_fail(err, path, -1, (int64_t)i,
					  "\"images\": needs \"image\", \"json\" and \"byte_order\" "
					  "(\"little\" or \"big\")");
		c->imgs[i].image = json_string_value(im);
		c->imgs[i].json = json_string_value(js);
		c->imgs[i].bo = strcmp(json_string_value(bo), "big") ? CRIMG_LITTLE_ENDIAN
								     : CRIMG_BIG_ENDIAN;
	}
	qsort(c->imgs, c->n, sizeof(*c->imgs), cmp_json);
	for (size_t i = 1; i < c->n; i++)
		if (strcmp(c->imgs[i - 1].json, c->imgs[i].json) == 0)
			return crimg_fail(err, path, -1, -1, "\"images\": %s listed twice",
					  c->imgs[i].json);
	return 0;
}

static int jr_one(void *arg, const struct crimg_tree_ent *e, struct crimg_error *err)
{
	struct jr_ctx *c = arg;
	if (e->type == 'd')
		return crimg_treew_dir(c->t, e->path, e->mode, e->mtime, err);
	if (e->type == 'l')
		return crimg_treew_symlink(c->t, e->path, e->target, e->mtime, err);
	if (strcmp(e->path, CRIMG_JSONDIR_MANIFEST) == 0)
		return 0;
	struct img key = { .json = e->path };
	struct img *im = c->n ? bsearch(&key, c->imgs, c->n, sizeof(*c->imgs), cmp_json) : NULL;
	if (!im)
		return copy_in(c->t, e->dirfd, e->name, e->path, c->src, e->size, e->mode, e->mtime,
			       &c->prog, err);
	im->seen = 1;
	int in = openat(e->dirfd, e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return crimg_fail(err, c->src, -1, -1, "%s: %s", e->path, strerror(errno));
	int out = crimg_treew_file(c->t, im->image, err);
	if (out < 0) {
		close(in);
		return -1;
	}
	char name[4096];
	snprintf(name, sizeof(name), "%s/%s", c->src, e->path);
	struct crimg_encode_opts eo = { .byte_order = im->bo, .limits = c->lim };
	int rc = crimg_json_encode(in, name, out, im->image, &eo, err);
	close(in);
	if (rc < 0) {
		close(out);
		return -1;
	}
	crimg_prog_add(&c->prog, e->size);
	return crimg_treew_file_done(c->t, out, e->mode, e->mtime, err);
}

int crimg_jsondir_read(const char *src, const char *dstdir, const struct crimg_limits *lim,
		       const struct crimg_progress *p, struct crimg_error *err)
{
	if (!lim)
		lim = &crimg_default_limits;
	struct crimg_treew *t = crimg_treew_new(dstdir, src, lim->max_dirs, err);
	if (!t)
		return -1;
	crimg_treew_trust(t);
	int rc = crimg_jsondir_read_tree(src, t, lim, p, err);
	if (rc == 0)
		rc = crimg_treew_finish(t, err);
	crimg_treew_free(t);
	return rc;
}

int crimg_jsondir_read_tree(const char *src, struct crimg_treew *t, const struct crimg_limits *lim,
			    const struct crimg_progress *p, struct crimg_error *err)
{
	struct jr_ctx c = { .src = src,
			    .t = t,
			    .lim = lim ? lim : &crimg_default_limits,
			    .prog = { .p = p, .what = "reading json-dir" } };
	json_t *doc = NULL;
	int rc = -1;
	if (p && p->fn && crimg_tree_size(src, &c.prog.total, err) < 0)
		return -1;
	if (load_manifest(&c, &doc, err) < 0)
		goto out;
	rc = crimg_tree_walk(src, jr_one, &c, err);
	for (size_t i = 0; rc == 0 && i < c.n; i++)
		if (!c.imgs[i].seen)
			rc = crimg_fail(err, src, -1, -1, "%s lists %s, which is missing",
					CRIMG_JSONDIR_MANIFEST, c.imgs[i].json);
out:
	free(c.imgs);
	json_decref(doc);
	return rc;
}
