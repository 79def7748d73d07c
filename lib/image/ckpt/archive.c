/*
 * A checkpoint in an archive (tar, tar.gz, tar.zst: a file or standard
 * input) or in an OCI image's layer.  The archive is indexed in one pass
 * (archive_read.c) and its members become the checkpoint's files: images
 * are the files of the directory holding inventory.img, engine files
 * (config.dump, ...) the rest of the container's tree.  A member's bytes
 * are only read when a view asks for that file; nothing is extracted
 * under a name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/archive_int.h"
#include "ckpt/ckpt_int.h"
#include "oci/oci_int.h"

#define MAP_MIN (64u << 20) /* members this large (and page data) are mapped */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The directories holding an inventory.img (a pod archive has one per
 * container), sorted: "checkpoint", "ctr1/checkpoint", or "" at the top. */
static int find_roots(struct crimg_arc *A, const char *path, char ***roots, size_t *n,
		      struct crimg_error *err)
{
	struct arc_member *v;
	size_t nm = crimg_arc_members(A, &v);
	*roots = NULL;
	*n = 0;
	for (size_t i = 0; i < nm; i++) {
		const char *b = strrchr(v[i].name, '/');
		if (strcmp(b ? b + 1 : v[i].name, "inventory.img"))
			continue;
		char **nr = realloc(*roots, (*n + 1) * sizeof(*nr));
		if (nr)
			*roots = nr;
		char *r = nr ? strndup(v[i].name, b ? (size_t)(b - v[i].name) : 0) : NULL;
		if (!r) {
			free_strs(*roots, *n);
			*roots = NULL;
			return crimg_fail(err, path, -1, -1, "out of memory");
		}
		(*roots)[(*n)++] = r;
	}
	if (!*n) {
		const char *cut = crimg_arc_broken(A);
		if (cut) /* the reason is the damage */
			return crimg_fail(err, path, -1, -1, "%s", cut);
		return crimg_fail(err, path, -1, -1,
				  "archive holds no checkpoint (no inventory.img)");
	}
	qsort(*roots, *n, sizeof(**roots), cmp_str);
	return 0;
}

/* Container names, the paths above ".../checkpoint"; returns the index of
 * the one asked for (the first by default), or -1. */
static int name_containers(struct crimg_ckpt *c, char **roots, size_t n, const char *path,
			   struct crimg_error *err)
{
	if (!(c->containers = calloc(n, sizeof(char *))))
		return crimg_fail(err, path, -1, -1, "out of memory");
	c->n_containers = n;
	int pick = -1;
	for (size_t i = 0; i < n; i++) {
		char *r = strdup(roots[i]);
		if (!r)
			return crimg_fail(err, path, -1, -1, "out of memory");
		char *cp = strstr(r, "checkpoint");
		if (cp && (cp == r || cp[-1] == '/') && cp[10] == '\0')
			*(cp == r ? cp : cp - 1) = '\0';
		c->containers[i] = r;
		if (pick < 0 && c->opt_container && strcmp(r, c->opt_container) == 0)
			pick = (int)i;
	}
	if (!c->opt_container)
		return 0;
	if (pick < 0)
		return crimg_fail(err, path, -1, -1, "no container '%s' in this archive",
				  c->opt_container);
	return pick;
}

/* The members under root become images, the rest of the container's tree
 * engine files. */
static int place_members(struct crimg_ckpt *c, const char *root, const char *ctr, const char *path,
			 struct crimg_error *err)
{
	struct arc_member *v;
	size_t n = crimg_arc_members(c->arc, &v);
	size_t rl = strlen(root), cl = strlen(ctr);
	for (size_t i = 0; i < n; i++) {
		struct arc_member *m = &v[i];
		struct ckpt_files *set = NULL;
		const char *rel = NULL;
		if (rl && strncmp(m->name, root, rl) == 0 && m->name[rl] == '/' &&
		    !strchr(m->name + rl + 1, '/'))
			set = &c->images, rel = m->name + rl + 1;
		else if (!rl && !strchr(m->name, '/'))
			set = &c->images, rel = m->name;
		else if (!cl || (strncmp(m->name, ctr, cl) == 0 && m->name[cl] == '/'))
			set = &c->meta, rel = cl ? m->name + cl + 1 : m->name;
		if (!set)
			continue;
		struct ckpt_file *f = crimg_ckpt_file_add(set, rel);
		if (!f)
			return crimg_fail(err, path, -1, -1, "out of memory");
		f->len = (size_t)m->size;
		f->has_mtime = m->has_mtime;
		f->mtime = m->mtime;
		if (m->where == ARC_MEM) { /* read by the pass: the file's now */
			f->data = m->data;
			f->loaded = 1;
			m->data = NULL;
		} else {
			f->am = m;
		}
	}
	crimg_ckpt_files_sort(&c->images);
	crimg_ckpt_files_sort(&c->meta);
	return 0;
}

/* The checkpoint in c->arc: which container, and its files. */
static int from_members(struct crimg_ckpt *c, const char *path, struct crimg_error *err)
{
	char **roots;
	size_t n;
	if (find_roots(c->arc, path, &roots, &n, err) < 0)
		return -1;
	int pick = name_containers(c, roots, n, path, err);
	int rc = pick < 0 ? -1 : place_members(c, roots[pick], c->containers[pick], path, err);
	free_strs(roots, n);
	return rc;
}

/* Members "oci-layout" and "index.json": an oci-archive, not a checkpoint. */
static int holds_oci_layout(struct crimg_arc *A)
{
	return crimg_arc_find(A, "oci-layout") && crimg_arc_find(A, "index.json");
}

/* progress: reported for this one; keep: its large members will be read */
static struct crimg_arc *arc_open(struct crimg_ckpt *c, const char *name, const struct arc_src *src,
				  int progress, int keep, struct crimg_error *err)
{
	struct arc_opts o = {
		.lim = &c->lim,
		.tmpdir = c->opt_tmpdir,
		.progress = progress ? c->progress : NULL,
		.progress_arg = c->progress_arg,
		.keep_pages = keep,
	};
	return crimg_arc_open(name, src, &o, err);
}

/* The layer of a verified OCI image becomes c->arc. */
static int open_layer(struct crimg_ckpt *c, const char *path, const char *ref, int layout,
		      struct crimg_error *err)
{
	struct arc_src layer;
	int owned;
	if (oci_layer_locate(path, ref, &c->lim, layout, c->arc_outer, &layer, &owned, err) < 0)
		return -1;
	c->arc = arc_open(c, path, &layer, 0, c->opt_keep_pages, err);
	if (owned >= 0)
		close(owned); /* the layer's reader has its own */
	return c->arc ? from_members(c, path, err) : -1;
}

/* An archive from a file, or a stream (standard input, a pipe, a FIFO). */
static int open_src(const char *path, struct arc_src *src, int *fd, struct crimg_error *err)
{
	memset(src, 0, sizeof(*src));
	*fd = -1;
	if (strcmp(path, "-") == 0) {
		src->fd = STDIN_FILENO;
		src->stream = 1;
		return 0;
	}
	/* a FIFO is waited for, like any reader of it waits */
	int f = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (f < 0 || fstat(f, &st) < 0) {
		int e = errno;
		if (f >= 0)
			close(f);
		return crimg_fail(err, path, -1, -1, "%s", strerror(e));
	}
	*fd = src->fd = f;
	if (S_ISREG(st.st_mode))
		src->len = (uint64_t)st.st_size;
	else
		src->stream = 1;
	return 0;
}

int crimg_ckpt_open_archive(struct crimg_ckpt *c, const char *path, struct crimg_error *err)
{
	c->type = CRIMG_SRC_ARCHIVE;
	struct arc_src src;
	int fd;
	if (open_src(path, &src, &fd, err) < 0)
		return -1;
	const char *name = strcmp(path, "-") ? path : "stdin";
	struct crimg_arc *A = arc_open(c, name, &src, 1, c->opt_keep_pages, err);
	if (fd >= 0)
		close(fd);
	if (!A)
		return -1;
	if (holds_oci_layout(A)) { /* an oci-archive on a stream */
		c->arc_outer = A;
		c->format = "oci-archive";
		return open_layer(c, name, NULL, -1, err);
	}
	c->arc = A;
	c->format = crimg_arc_format(A);
	return from_members(c, name, err);
}

int crimg_ckpt_open_oci(struct crimg_ckpt *c, const char *path, const char *ref, int kind,
			struct crimg_error *err)
{
	c->type = CRIMG_SRC_ARCHIVE;
	c->format = kind == 1 ? "oci" : "oci-archive";
	if (kind == 1) {
		int layout = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (layout < 0)
			return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
		int rc = open_layer(c, path, ref, layout, err);
		close(layout);
		return rc;
	}
	struct arc_src src;
	int fd;
	if (open_src(path, &src, &fd, err) < 0)
		return -1;
	/* the layer, its one large member, is read for sure */
	c->arc_outer = arc_open(c, path, &src, 1, 1, err);
	if (fd >= 0)
		close(fd);
	return c->arc_outer ? open_layer(c, path, ref, -1, err) : -1;
}

/* Page data and large members are mapped where they are, never copied
 * (1 when the file cannot be mapped: it is read instead). */
static int map_region(struct ckpt_file *f, const struct arc_src *r)
{
	long ps = sysconf(_SC_PAGESIZE);
	uint64_t pg = ps > 0 ? (uint64_t)ps : 4096u;
	uint64_t start = r->base / pg * pg, lead = r->base - start;
	void *p = mmap(NULL, (size_t)(lead + r->len), PROT_READ, MAP_PRIVATE, r->fd, (off_t)start);
	if (p == MAP_FAILED)
		return 1;
	f->map = p;
	f->map_len = (size_t)(lead + r->len);
	f->data = (uint8_t *)p + lead;
	f->mapped = 1;
	return 0;
}

const uint8_t *crimg_ckpt_archive_load(struct crimg_ckpt *c, struct ckpt_file *f, size_t *len,
				       struct crimg_error *err)
{
	struct arc_src r;
	if (crimg_arc_locate(c->arc, f->am, &r, err) < 0)
		return NULL;
	if (r.len > SIZE_MAX / 2) {
		crimg_fail(err, f->name, -1, -1, "too large to read: %llu bytes",
			   (unsigned long long)r.len);
		return NULL;
	}
	f->len = (size_t)r.len;
	if (f->len == 0) {
		f->data = NULL;
	} else if (!r.mem && (strncmp(f->name, "pages-", 6) == 0 || f->len > MAP_MIN) &&
		   map_region(f, &r) == 0) {
		/* mapped */
	} else {
		/* small images, or a file that cannot be mapped: read (a
		 * copy, also of an archive in memory: every loaded file owns
		 * its bytes) */
		if (!(f->data = malloc(f->len))) {
			crimg_fail(err, f->name, -1, -1, "out of memory");
			return NULL;
		}
		if (r.mem) {
			memcpy(f->data, r.mem, f->len);
		} else if (arc_pread_all(r.fd, f->data, f->len, r.base) < 0) {
			crimg_fail(err, crimg_ckpt_path(c), (int64_t)r.base, -1, "%s: %s", f->name,
				   strerror(errno));
			free(f->data);
			f->data = NULL;
			return NULL;
		}
	}
	f->loaded = 1;
	*len = f->len;
	return f->data ? f->data : (const uint8_t *)"";
}

const char *crimg_ckpt_archive_cut(const struct crimg_ckpt *c)
{
	return c->arc ? crimg_arc_broken(c->arc) : NULL;
}

void crimg_ckpt_archive_close(struct crimg_ckpt *c)
{
	crimg_arc_close(c->arc);
	crimg_arc_close(c->arc_outer);
	c->arc = c->arc_outer = NULL;
}
