/*
 * Opening a checkpoint: a directory of images, or a container checkpoint
 * archive or OCI image (ckpt_archive.c: read lazily, nothing extracted).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ckpt/ckpt_int.h"
#include "archive/tree_int.h"
#include "crimg/convert.h"

#define MEM_MEMBER_MAX (64u << 20) /* larger archive members go to disk */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(((const struct ckpt_file *)a)->name, ((const struct ckpt_file *)b)->name);
}

static struct ckpt_file *add_file(struct crimg_ckpt *c, struct ckpt_files *set, const char *name)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		struct ckpt_file *nf = realloc(set->v, cap * sizeof(*nf));
		if (!nf)
			return NULL;
		set->v = nf;
		set->cap = cap;
	}
	struct ckpt_file *f = &set->v[set->n];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	if (!f->name)
		return NULL;
	f->fd = -1;
	f->dirfd = -1;
	set->n++;
	(void)c;
	return f;
}

struct ckpt_file *crimg_ckpt_add_file(struct ckpt_files *set, const char *name)
{
	return add_file(NULL, set, name);
}

void crimg_ckpt_sort_files(struct ckpt_files *set)
{
	if (set->n) /* qsort(NULL, 0, ...) is undefined */
		qsort(set->v, set->n, sizeof(*set->v), cmp_names);
}

static struct ckpt_file *find(const struct ckpt_files *set, const char *name)
{
	struct ckpt_file key = { .name = (char *)name };
	return set->n ? bsearch(&key, set->v, set->n, sizeof(key), cmp_names) : NULL;
}

struct ckpt_file *crimg_ckpt_file_add(struct ckpt_files *set, const char *name)
{
	return add_file(NULL, set, name);
}

void crimg_ckpt_files_sort(struct ckpt_files *set)
{
	if (set->n) /* qsort(NULL, 0, ...) is undefined */
		qsort(set->v, set->n, sizeof(*set->v), cmp_names);
}

static void free_files(struct ckpt_files *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct ckpt_file *f = &set->v[i];
		if (f->mapped)
			munmap(f->map ? f->map : f->data, f->map ? f->map_len : f->len);
		else
			free(f->data);
		free(f->name);
		free(f->path);
	}
	if (set->dirfd > 0)
		close(set->dirfd);
	free(set->v);
	memset(set, 0, sizeof(*set));
}

/* ---- directories ---- */

static int has_file(const char *dir, const char *name)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_images_dir(const char *dir)
{
	return has_file(dir, "inventory.img");
}

/*
 * Lists a directory's regular files without a stat each: the entry's type
 * comes from readdir (a stat only where the file system does not say), and
 * sizes and times are looked up when first asked for (see lazy_stat), so
 * that a view pays only for the images it reads.
 */
static int scan_dir(struct crimg_ckpt *c, const char *dir, struct ckpt_files *set,
		    struct crimg_error *err)
{
	/* kept open: the files are opened by name in it, with no path to build */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int keep = dfd < 0 ? -1 : fcntl(dfd, F_DUPFD_CLOEXEC, 1);
	DIR *d = keep > 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		int e = errno;
		if (dfd >= 0)
			close(dfd);
		if (keep >= 0)
			close(keep);
		return crimg_fail(err, dir, -1, -1, "cannot open directory: %s", strerror(e));
	}
	set->dirfd = keep;
	struct dirent *e;
	while ((e = readdir(d))) {
		/* images are regular files; links are not followed (but for the
		 * "parent" link of incremental dumps, handled apart) */
		if (e->d_name[0] == '.' || strcmp(e->d_name, "parent") == 0)
			continue;
		if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN)
			continue;
		struct stat st;
		if (e->d_type == DT_UNKNOWN &&
		    (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		     !S_ISREG(st.st_mode)))
			continue;
		struct ckpt_file *f = add_file(c, set, e->d_name);
		if (!f) {
			closedir(d);
			return crimg_fail(err, dir, -1, -1, "out of memory");
		}
		f->dirfd = keep;
		f->lazy = 1;
	}
	closedir(d);
	if (set->n) /* qsort(NULL, 0, ...) is undefined */
		qsort(set->v, set->n, sizeof(*set->v), cmp_names);
	return 0;
}

static int open_dir(struct crimg_ckpt *c, const char *path, struct crimg_error *err)
{
	char sub[PATH_MAX];
	c->type = CRIMG_SRC_DIR;
	c->format = "directory";
	if (is_images_dir(path)) {
		c->images_dir = strdup(path);
	} else {
		/* an unpacked container checkpoint: images in checkpoint/ */
		snprintf(sub, sizeof(sub), "%s/checkpoint", path);
		if (!is_images_dir(sub))
			return crimg_fail(err, path, -1, -1,
					  "not a checkpoint: no inventory.img here or in checkpoint/");
		c->images_dir = strdup(sub);
		if (scan_dir(c, path, &c->meta, err) < 0)
			return -1;
	}
	if (!c->images_dir)
		return crimg_fail(err, path, -1, -1, "out of memory");
	return scan_dir(c, c->images_dir, &c->images, err);
}

/* ---- the handle ---- */

/*
 * An OCI image (layout directory or oci-archive) holding a checkpoint: its
 * layer is verified and read in place, like an archive.
 */
static int open_oci(struct crimg_ckpt *c, const char *path, const char *ref, int kind,
		    struct crimg_error *err)
{
	return crimg_ckpt_open_oci(c, path, ref, kind, err);
}

/*
 * Which opener a name goes to: "oci:" and "oci-archive:" say it (and the
 * path must be one); a plain path is known by its content.
 */
static int open_source(struct crimg_ckpt *c, const struct crimg_source_name *sn,
		       struct crimg_error *err)
{
	const char *path = sn->path;
	struct stat st;
	if (stat(path, &st) < 0)
		return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	int oci = crimg_oci_detect(path);
	if (sn->transport == CRIMG_FMT_OCI && oci != 1)
		return crimg_fail(err, path, -1, -1,
				  "not an OCI image layout directory (oci-layout and index.json)%s",
				  oci == 2 ? ": an oci-archive, name it oci-archive:PATH" : "");
	if (sn->transport == CRIMG_FMT_OCI_ARCHIVE && oci != 2)
		return crimg_fail(err, path, -1, -1,
				  "not an oci-archive (a tar of an OCI image layout)%s",
				  oci == 1 ? ": a layout directory, name it oci:PATH" : "");
	if (oci)
		return open_oci(c, path, sn->ref, oci, err);
	if (S_ISDIR(st.st_mode) && has_file(path, CRIMG_JSONDIR_MANIFEST))
		return crimg_ckpt_open_json(c, path, 1, err);
	if (S_ISDIR(st.st_mode))
		return open_dir(c, path, err);
	if (S_ISREG(st.st_mode) && crimg_bundle_detect(path))
		return crimg_ckpt_open_json(c, path, 0, err);
	return crimg_ckpt_open_archive(c, path, err);
}

struct crimg_ckpt *crimg_ckpt_open(const char *path, const struct crimg_ckpt_opts *o,
				   struct crimg_error *err)
{
	struct crimg_ckpt *c = calloc(1, sizeof(*c));
	if (!c) {
		crimg_fail(err, path, -1, -1, "out of memory");
		return NULL;
	}
	crimg_error_clear(err);
	if (!(c->path = strdup(path))) {
		crimg_fail(err, path, -1, -1, "out of memory");
		free(c);
		return NULL;
	}
	c->lim = o && o->limits ? *o->limits : crimg_default_limits;
	if (o) {
		c->opt_container = o->container;
		c->opt_tmpdir = o->tmpdir;
		if (o->max_parents)
			c->lim.max_parents = o->max_parents;
		c->progress = o->progress;
		c->progress_arg = o->progress_arg;
		c->opt_keep_pages = o->keep_pages;
	}
	struct crimg_source_name sn;
	int rc;
	if (strcmp(path, "-") == 0) { /* an archive on standard input */
		rc = crimg_ckpt_open_archive(c, path, err);
	} else {
		rc = crimg_source_name_parse(path, &sn, err);
		if (rc == 0)
			rc = open_source(c, &sn, err);
		crimg_source_name_free(&sn);
	}
	if (rc < 0) {
		crimg_ckpt_close(c);
		return NULL;
	}
	c->names = calloc(c->images.n + 1, sizeof(char *));
	if (!c->names) {
		crimg_fail(err, path, -1, -1, "out of memory");
		crimg_ckpt_close(c);
		return NULL;
	}
	for (size_t i = 0; i < c->images.n; i++)
		c->names[i] = c->images.v[i].name;
	return c;
}

void crimg_ckpt_close(struct crimg_ckpt *c)
{
	if (!c)
		return;
	if (c->model_free)
		c->model_free(c);
	crimg_ckpt_cache_free(c);
	crimg_ckpt_close(c->parent);
	free_files(&c->images);
	free_files(&c->meta);
	crimg_ckpt_archive_close(c);
	for (size_t i = 0; i < c->n_containers; i++)
		free(c->containers[i]);
	free(c->containers);
	free(c->names);
	free(c->scratch);
	free(c->images_dir);
	free(c->path);
	free(c);
}

enum crimg_src_type crimg_ckpt_source_type(const struct crimg_ckpt *c)
{
	return c->type;
}

const char *crimg_ckpt_format(const struct crimg_ckpt *c)
{
	return c->format;
}

const char *crimg_ckpt_path(const struct crimg_ckpt *c)
{
	return c->path;
}

size_t crimg_ckpt_containers(const struct crimg_ckpt *c, const char *const **names)
{
	static const char *const none[] = { "" };
	if (!c->n_containers) {
		*names = none;
		return 1;
	}
	*names = (const char *const *)c->containers;
	return c->n_containers;
}

size_t crimg_ckpt_images(const struct crimg_ckpt *c, const char *const **names)
{
	*names = (const char *const *)c->names;
	return c->images.n;
}

int crimg_ckpt_has(const struct crimg_ckpt *c, const char *name)
{
	return find(&c->images, name) != NULL;
}

/* A directory's file: its size and time, on first need.  A file gone
 * since the listing has no time and size 0 (reading it will say why). */
static void lazy_stat(struct ckpt_file *f)
{
	struct stat st;
	if (!f || !f->lazy)
		return;
	f->lazy = 0;
	if (fstatat(f->dirfd, f->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
		f->len = (size_t)st.st_size;
		f->mtime = (int64_t)st.st_mtime;
		f->has_mtime = 1;
	}
}

int64_t crimg_ckpt_data_size(const struct crimg_ckpt *c, const char *name)
{
	struct ckpt_file *f = find(&c->images, name);
	lazy_stat(f);
	return f ? (int64_t)f->len : -1;
}

int64_t crimg_ckpt_meta_size(const struct crimg_ckpt *c, const char *name)
{
	struct ckpt_file *f = find(&c->meta, name);
	lazy_stat(f);
	return f ? (int64_t)f->len : -1;
}

int crimg_ckpt_mtime(const struct crimg_ckpt *c, const char *name, int64_t *sec)
{
	struct ckpt_file *f = find(&c->images, name);
	if (!f)
		f = find(&c->meta, name);
	lazy_stat(f);
	if (!f || !f->has_mtime)
		return -1;
	*sec = f->mtime;
	return 0;
}

/* Loads (or maps, for page data) a file's bytes on first use. */
static const uint8_t *load(struct crimg_ckpt *c, struct ckpt_file *f, size_t *len,
			   struct crimg_error *err)
{
	if (f->loaded) {
		*len = f->len;
		return f->data ? f->data : (const uint8_t *)"";
	}
	if (f->am)
		return crimg_ckpt_archive_load(c, f, len, err);
	/* a file swapped for a FIFO since the listing is refused below */
	int fd = crimg_ckpt_file_open(f);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		crimg_fail(err, f->name, -1, -1, "cannot open: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		crimg_fail(err, f->name, -1, -1, "not a regular file any more");
		close(fd);
		return NULL;
	}
	f->len = (size_t)st.st_size;
	if (f->lazy) { /* the stat a listing left for later: done here */
		f->lazy = 0;
		f->mtime = (int64_t)st.st_mtime;
		f->has_mtime = 1;
	}
	if (f->len == 0) {
		f->data = NULL;
	} else if (strncmp(f->name, "pages-", 6) == 0 || f->len > MEM_MEMBER_MAX) {
		/* page data: mapped, never copied */
		void *p = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			crimg_fail(err, f->name, -1, -1, "cannot map: %s", strerror(errno));
			close(fd);
			return NULL;
		}
		f->data = p;
		f->mapped = 1;
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	} else {
		f->data = malloc(f->len);
		size_t got = 0;
		while (f->data && got < f->len) {
			ssize_t k = read(fd, f->data + got, f->len - got);
			if (k <= 0)
				break;
			got += (size_t)k;
		}
		if (!f->data || got != f->len) {
			crimg_fail(err, f->name, (int64_t)got, -1,
				   f->data ? "short read" : "out of memory");
			free(f->data);
			f->data = NULL;
			close(fd);
			return NULL;
		}
	}
	close(fd);
	f->loaded = 1;
	*len = f->len;
	return f->data ? f->data : (const uint8_t *)"";
}

const uint8_t *crimg_ckpt_data(struct crimg_ckpt *c, const char *name, size_t *len,
			       struct crimg_error *err)
{
	struct ckpt_file *f = find(&c->images, name);
	if (!f) {
		const char *cut = crimg_ckpt_archive_cut(c);
		crimg_fail(err, name, -1, -1, "no such image in %s%s%s%s", c->path,
			   cut ? " (the archive could be read only up to " : "", cut ? cut : "",
			   cut ? ")" : "");
		return NULL;
	}
	return load(c, f, len, err);
}

int crimg_ckpt_file_open(const struct ckpt_file *f)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
	return f->path ? open(f->path, flags) : openat(f->dirfd, f->name, flags);
}

const struct ckpt_file *crimg_ckpt_file_entry(const struct crimg_ckpt *c, const char *name)
{
	return find(&c->images, name);
}

const uint8_t *crimg_ckpt_data_transient(struct crimg_ckpt *c, const char *name, size_t *len,
					 struct crimg_error *err)
{
	struct ckpt_file *f = find(&c->images, name);
	if (!f || f->loaded || f->path || strncmp(name, "pages-", 6) == 0)
		return crimg_ckpt_data(c, name, len, err);
	/* a directory's file not read yet: as load() does, into scratch */
	int fd = crimg_ckpt_file_open(f);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > MEM_MEMBER_MAX) {
		if (fd >= 0)
			close(fd);
		return crimg_ckpt_data(c, name, len, err); /* it says why */
	}
	size_t n = (size_t)st.st_size, got = 0;
	if (n + 1 > c->scratch_cap) {
		uint8_t *b = realloc(c->scratch, n + 1);
		if (!b) {
			close(fd);
			crimg_fail(err, name, -1, -1, "out of memory");
			return NULL;
		}
		c->scratch = b;
		c->scratch_cap = n + 1;
	}
	while (got < n) {
		ssize_t k = read(fd, c->scratch + got, n - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	if (got != n) {
		crimg_fail(err, name, (int64_t)got, -1, "short read");
		return NULL;
	}
	if (f->lazy) {
		f->lazy = 0;
		f->len = n;
		f->mtime = (int64_t)st.st_mtime;
		f->has_mtime = 1;
	}
	*len = n;
	return c->scratch;
}

const uint8_t *crimg_ckpt_meta(struct crimg_ckpt *c, const char *name, size_t *len)
{
	struct ckpt_file *f = find(&c->meta, name);
	if (!f)
		return NULL;
	return load(c, f, len, NULL);
}

/* The "parent" link of an incremental dump, with a bound on the chain. */
struct crimg_ckpt *crimg_ckpt_parent(struct crimg_ckpt *c, struct crimg_error *err)
{
	if (c->parent_tried)
		return c->parent;
	c->parent_tried = 1;
	if (c->type != CRIMG_SRC_DIR)
		return NULL;
	char link[PATH_MAX], text[PATH_MAX], joined[2 * PATH_MAX], target[PATH_MAX];
	snprintf(link, sizeof(link), "%s/parent", c->images_dir);
	struct stat st;
	if (lstat(link, &st) < 0)
		return NULL;
	/* CRIU makes "parent" a symlink; copies that flatten links leave a
	 * small file holding the link's text: both are read the same way */
	ssize_t n;
	if (S_ISLNK(st.st_mode)) {
		n = readlink(link, text, sizeof(text) - 1);
	} else if (S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size < PATH_MAX) {
		int fd = open(link, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
		if (fd >= 0)
			close(fd);
		while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\0'))
			n--;
	} else {
		crimg_fail(err, link, -1, -1, "parent is neither a link nor a path");
		return NULL;
	}
	if (n <= 0) {
		crimg_fail(err, link, -1, -1, "cannot read the parent link");
		return NULL;
	}
	text[n] = '\0';
	if (text[0] == '/')
		snprintf(joined, sizeof(joined), "%s", text);
	else
		snprintf(joined, sizeof(joined), "%s/%s", c->images_dir, text);
	if (!realpath(joined, target)) {
		crimg_fail(err, link, -1, -1, "parent %s: %s", text, strerror(errno));
		return NULL;
	}
	/* a loop or an absurd chain is an error, not a hang */
	unsigned depth = 0;
	for (struct crimg_ckpt *p = c; p; p = p->child, depth++) {
		char rp[PATH_MAX];
		if (realpath(p->images_dir, rp) && strcmp(rp, target) == 0) {
			crimg_fail(err, link, -1, -1, "parent chain loops back to %s", target);
			return NULL;
		}
	}
	/* depth dumps so far: opening this parent makes depth parents */
	if (depth > c->lim.max_parents) {
		crimg_fail(err, link, -1, -1,
			   "parent chain longer than %u" CRIMG_LIMIT_HINT("parents"),
			   c->lim.max_parents);
		return NULL;
	}
	struct crimg_ckpt_opts o = { .limits = &c->lim };
	struct crimg_ckpt *p = crimg_ckpt_open(target, &o, err);
	if (p) {
		p->child = c;
	} else if (err && strcmp(err->file, target) == 0) {
		/* say whose parent it is: "DIR/parent: parent T: not a checkpoint" */
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err->msg);
		crimg_fail(err, link, -1, -1, "parent %s: %s", target, why);
	}
	c->parent = p;
	return p;
}
