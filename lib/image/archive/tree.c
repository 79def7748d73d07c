/*
 * Directory trees: a sorted walk (so archives and bundles made from the
 * same tree are the same bytes), sizes, removal and copies.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/tree_int.h"

struct walk {
	crimg_tree_fn fn;
	void *arg;
	const char *root;
	char path[PATH_MAX];
	int depth;
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The names in directory fd (which stays open), sorted bytewise. */
static int list_dir(int fd, const char *what, char ***out, size_t *count, struct crimg_error *err)
{
	int dfd = dup(fd);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		int e = errno;
		if (dfd >= 0)
			close(dfd);
		return crimg_fail(err, what, -1, -1, "cannot read the directory: %s", strerror(e));
	}
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto oom;
			v = nv;
		}
		if (!(v[n] = strdup(de->d_name)))
			goto oom;
		n++;
	}
	if (errno) {
		int e = errno;
		closedir(d);
		free_names(v, n);
		return crimg_fail(err, what, -1, -1, "cannot read the directory: %s", strerror(e));
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_name);
	*out = v;
	*count = n;
	return 0;
oom:
	closedir(d);
	free_names(v, n);
	return crimg_fail(err, what, -1, -1, "out of memory");
}

static int walk_dir(struct walk *w, int dfd, size_t plen, struct crimg_error *err)
{
	char **names;
	size_t n;
	if (list_dir(dfd, plen ? w->path : w->root, &names, &n, err) < 0)
		return -1;
	int rc = 0;
	char target[PATH_MAX];
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t nl = strlen(names[i]);
		if (plen + nl + 2 > sizeof(w->path)) {
			rc = crimg_fail(err, w->root, -1, -1, "%s/%s: path too long", w->path,
					names[i]);
			break;
		}
		size_t at = plen;
		if (plen)
			w->path[at++] = '/';
		memcpy(w->path + at, names[i], nl + 1);
		struct stat st;
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = crimg_fail(err, w->root, -1, -1, "%s: %s", w->path, strerror(errno));
			break;
		}
		struct crimg_tree_ent e = {
			.path = w->path,
			.name = w->path + at,
			.dirfd = dfd,
			.mode = st.st_mode & 07777,
			.mtime = st.st_mtim.tv_sec,
		};
		if (S_ISREG(st.st_mode)) {
			e.type = 'f';
			e.size = (uint64_t)st.st_size;
			rc = w->fn(w->arg, &e, err);
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t k = readlinkat(dfd, names[i], target, sizeof(target) - 1);
			if (k < 0) {
				rc = crimg_fail(err, w->root, -1, -1, "%s: %s", w->path,
						strerror(errno));
				break;
			}
			target[k] = '\0';
			e.type = 'l';
			e.target = target;
			rc = w->fn(w->arg, &e, err);
		} else if (S_ISDIR(st.st_mode)) {
			e.type = 'd';
			rc = w->fn(w->arg, &e, err);
			if (rc < 0)
				break;
			if ((unsigned)w->depth >= CRIMG_MAX_DIRS_CAP) {
				rc = crimg_fail(err, w->root, -1, -1,
						"%s: directories nested over %u deep", w->path,
						CRIMG_MAX_DIRS_CAP);
				break;
			}
			int sub = openat(dfd, names[i],
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				rc = crimg_fail(err, w->root, -1, -1, "%s: %s", w->path,
						strerror(errno));
				break;
			}
			w->depth++;
			rc = walk_dir(w, sub, at + nl, err);
			w->depth--;
			close(sub);
		} else {
			const char *kind = S_ISFIFO(st.st_mode) ? "a fifo"
				: S_ISSOCK(st.st_mode)          ? "a socket"
								: "a device node";
			rc = crimg_fail(
				err, w->root, -1, -1,
				"%s: is %s: only files, directories and symlinks can be converted",
				w->path, kind);
		}
		w->path[plen] = '\0';
	}
	free_names(names, n);
	return rc;
}

int crimg_tree_walk(const char *dir, crimg_tree_fn fn, void *arg, struct crimg_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return crimg_fail(err, dir, -1, -1, "%s", strerror(errno));
	struct walk *w = malloc(sizeof(*w));
	if (!w) {
		close(fd);
		return crimg_fail(err, dir, -1, -1, "out of memory");
	}
	w->fn = fn;
	w->arg = arg;
	w->root = dir;
	w->path[0] = '\0';
	w->depth = 0;
	int rc = walk_dir(w, fd, 0, err);
	free(w);
	close(fd);
	return rc;
}

/* ---- size ---- */

static int add_size(void *arg, const struct crimg_tree_ent *e, struct crimg_error *err)
{
	if (e->type == 'f')
		*(uint64_t *)arg += e->size;
	return 0;
}

int crimg_tree_size(const char *dir, uint64_t *bytes, struct crimg_error *err)
{
	*bytes = 0;
	return crimg_tree_walk(dir, add_size, bytes, err);
}

/* ---- removal ---- */

static int remove_in(int dfd, const char *what, int depth, struct crimg_error *err)
{
	char **names;
	size_t n;
	/* as a user, a read-only directory (0555) would keep its entries */
	fchmod(dfd, 0700);
	if (list_dir(dfd, what, &names, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (unlinkat(dfd, names[i], 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR && errno != EPERM) {
			rc = crimg_fail(err, what, -1, -1, "cannot remove %s: %s", names[i],
					strerror(errno));
			break;
		}
		if ((unsigned)depth >= CRIMG_MAX_DIRS_CAP) {
			rc = crimg_fail(err, what, -1, -1, "directories nested too deep to remove");
			break;
		}
		int sub = openat(dfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			rc = crimg_fail(err, what, -1, -1, "cannot remove %s: %s", names[i],
					strerror(errno));
			break;
		}
		rc = remove_in(sub, what, depth + 1, err);
		close(sub);
		if (rc == 0 && unlinkat(dfd, names[i], AT_REMOVEDIR) < 0)
			rc = crimg_fail(err, what, -1, -1, "cannot remove %s: %s", names[i],
					strerror(errno));
	}
	free_names(names, n);
	return rc;
}

int crimg_tree_remove(const char *path, struct crimg_error *err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0)
			return crimg_fail(err, path, -1, -1, "cannot remove: %s", strerror(errno));
		return 0;
	}
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	int rc = remove_in(fd, path, 0, err);
	close(fd);
	if (rc == 0 && rmdir(path) < 0)
		rc = crimg_fail(err, path, -1, -1, "cannot remove: %s", strerror(errno));
	return rc;
}

/* ---- copying ---- */

int crimg_copy_fd(int in, int out, uint64_t n, struct crimg_prog *g)
{
	const size_t chunk = 16u << 20;
	int use_cfr = 1;
	char *buf = NULL;
	while (n > 0) {
		size_t want = n < chunk ? (size_t)n : chunk;
		ssize_t k;
		if (use_cfr) {
			k = copy_file_range(in, NULL, out, NULL, want, 0);
			if (k < 0 &&
			    (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
			     errno == EOPNOTSUPP || errno == EBADF)) {
				use_cfr = 0;
				continue;
			}
		} else {
			if (!buf && !(buf = malloc(1u << 20)))
				return -ENOMEM;
			if (want > (1u << 20))
				want = 1u << 20;
			k = read(in, buf, want);
			for (ssize_t off = 0; k > 0 && off < k;) {
				ssize_t m = write(out, buf + off, (size_t)(k - off));
				if (m < 0 && errno == EINTR)
					continue;
				if (m < 0) {
					k = -1;
					break;
				}
				off += m;
			}
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;
			free(buf);
			return -e;
		}
		if (k == 0) {
			free(buf);
			return -ENODATA;
		}
		n -= (uint64_t)k;
		if (g)
			crimg_prog_add(g, (uint64_t)k);
	}
	free(buf);
	return 0;
}

struct copy {
	struct crimg_treew *t;
	const char *src;
	unsigned flags;
	struct crimg_prog prog;
};

static int copy_one(void *arg, const struct crimg_tree_ent *e, struct crimg_error *err)
{
	struct copy *c = arg;
	if (e->type == 'd')
		return crimg_treew_dir(c->t, e->path, e->mode, e->mtime, err);
	if (e->type == 'l')
		return crimg_treew_symlink(c->t, e->path, e->target, e->mtime, err);
	if (c->flags & CRIMG_COPY_LINK) {
		if (crimg_treew_link_from(c->t, e->path, e->dirfd, e->name, err) < 0)
			return -1;
		crimg_prog_add(&c->prog, e->size);
		return 0;
	}
	int in = openat(e->dirfd, e->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return crimg_fail(err, c->src, -1, -1, "%s: %s", e->path, strerror(errno));
	int out = crimg_treew_file(c->t, e->path, err);
	if (out < 0) {
		close(in);
		return -1;
	}
	int rc = crimg_copy_fd(in, out, e->size, &c->prog);
	close(in);
	if (rc < 0) {
		close(out);
		return crimg_fail(err, c->src, -1, -1, "%s: %s", e->path,
				  rc == -ENODATA ? "file shrank while being copied"
						 : strerror(-rc));
	}
	return crimg_treew_file_done(c->t, out, e->mode, e->mtime, err);
}

int crimg_tree_copy(const char *src, const char *dst, unsigned flags,
		    const struct crimg_progress *p, struct crimg_error *err)
{
	struct copy c = { .src = src, .flags = flags, .prog = { .p = p, .what = "copying" } };
	if (p && p->fn && crimg_tree_size(src, &c.prog.total, err) < 0)
		return -1;
	c.t = crimg_treew_new(dst, src, CRIMG_MAX_DIRS_CAP, err);
	if (!c.t)
		return -1;
	crimg_treew_trust(c.t);
	int rc = crimg_tree_walk(src, copy_one, &c, err);
	if (rc == 0)
		rc = crimg_treew_finish(c.t, err);
	crimg_treew_free(c.t);
	return rc;
}
