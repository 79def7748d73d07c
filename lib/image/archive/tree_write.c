/*
 * Writing a tree from untrusted names.  Every file is created relative to
 * a descriptor of the root, one path component at a time with O_NOFOLLOW,
 * so no name and no symlink made earlier can lead a write outside the
 * root.  Names are cleaned, and absolute names, "..", duplicates and
 * symlinks pointing out are refused.  Directories are created 0700 and get
 * their own mode and mtime at the end, once nothing more goes into them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/tree_int.h"

#define SYMLINK_HOPS 40

enum {
	K_IMPLICIT_DIR = 1,
	K_DIR,
	K_FILE,
	K_LINK
};

struct node {
	char *name; /* cleaned path; NULL: free slot */
	unsigned char kind;
	unsigned mode;
	int64_t mtime;
	/* a memory tree's file: its bytes (heap, or a map of an unnamed file) */
	uint8_t *data;
	size_t len;
	int mapped;
};

struct crimg_treew {
	int root; /* -1: a memory tree */
	char *src;
	int trusted;
	unsigned max_dirs; /* the "dirs" limit */
	char *tmpdir;      /* a memory tree: where unnamed files are made */
	char *pending;     /* a memory tree: the file between _file and _file_done */
	struct node *tab;  /* open addressing, power-of-two size */
	size_t cap, used;
	char buf[PATH_MAX]; /* the cleaned name of the current call */
};

/* ---- names ---- */

int crimg_clean_member(char *n, const char *src, struct crimg_error *err)
{
	if (n[0] == '/')
		return crimg_fail(err, src, -1, -1,
				  "member '%s': absolute path: refusing to write outside the target",
				  n);
	char *w = n;
	const char *r = n;
	while (*r) {
		while (*r == '/')
			r++;
		const char *s = r;
		while (*r && *r != '/')
			r++;
		size_t len = (size_t)(r - s);
		if (len == 0 || (len == 1 && s[0] == '.'))
			continue;
		if (len == 2 && s[0] == '.' && s[1] == '.')
			return crimg_fail(
				err, src, -1, -1,
				"member '%s': '..' in the path: refusing to write outside the target",
				n);
		if (w != n)
			*w++ = '/';
		memmove(w, s, len);
		w += len;
	}
	*w = '\0';
	return n[0] ? 0 : 1;
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct node *lookup(struct crimg_treew *t, const char *name)
{
	size_t i = (size_t)hash(name) & (t->cap - 1);
	while (t->tab[i].name && strcmp(t->tab[i].name, name) != 0)
		i = (i + 1) & (t->cap - 1);
	return &t->tab[i];
}

static int grow(struct crimg_treew *t)
{
	struct node *old = t->tab;
	size_t n = t->cap;
	struct node *tab = calloc(n * 2, sizeof(*tab));
	if (!tab)
		return -1;
	t->tab = tab;
	t->cap = n * 2;
	for (size_t i = 0; i < n; i++)
		if (old[i].name)
			*lookup(t, old[i].name) = old[i];
	free(old);
	return 0;
}

/* Records name (its slot s from lookup) with kind. */
static int record(struct crimg_treew *t, struct node *s, const char *name, unsigned char kind,
		  struct crimg_error *err)
{
	if (!(s->name = strdup(name)))
		return crimg_fail(err, t->src, -1, -1, "out of memory");
	s->kind = kind;
	s->mode = kind == K_IMPLICIT_DIR ? 0755 : 0;
	s->mtime = -1;
	if (++t->used * 2 > t->cap && grow(t) < 0)
		return crimg_fail(err, t->src, -1, -1, "out of memory");
	return 0;
}

struct crimg_treew *crimg_treew_new(const char *dstdir, const char *src, unsigned max_dirs,
				    struct crimg_error *err)
{
	struct crimg_treew *t = calloc(1, sizeof(*t));
	if (!t || !(t->src = strdup(src)) || !(t->tab = calloc(t->cap = 1024, sizeof(*t->tab)))) {
		if (t)
			free(t->src);
		free(t);
		crimg_fail(err, src, -1, -1, "out of memory");
		return NULL;
	}
	t->max_dirs = max_dirs;
	if (t->max_dirs > CRIMG_MAX_DIRS_CAP) /* the walks of the tree go no deeper */
		t->max_dirs = CRIMG_MAX_DIRS_CAP;
	t->root = open(dstdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->root < 0) {
		crimg_fail(err, dstdir, -1, -1, "%s", strerror(errno));
		crimg_treew_free(t);
		return NULL;
	}
	return t;
}

void crimg_treew_trust(struct crimg_treew *t)
{
	t->trusted = 1;
}

void crimg_treew_free(struct crimg_treew *t)
{
	if (!t)
		return;
	if (t->root >= 0)
		close(t->root);
	for (size_t i = 0; t->tab && i < t->cap; i++) {
		free(t->tab[i].name);
		if (t->tab[i].mapped)
			munmap(t->tab[i].data, t->tab[i].len);
		else
			free(t->tab[i].data);
	}
	free(t->tab);
	free(t->src);
	free(t->tmpdir);
	free(t->pending);
	free(t);
}

/* Cleans name into t->buf; -1 for bad or root names, or ones that would
 * nest directories deeper than the "dirs" limit (is_dir: name is one). */
static int take_name(struct crimg_treew *t, const char *name, int is_dir, struct crimg_error *err)
{
	size_t n = strlen(name);
	if (n >= sizeof(t->buf))
		return crimg_fail(err, t->src, -1, -1, "member '%.64s...': name too long", name);
	memcpy(t->buf, name, n + 1);
	int rc = crimg_clean_member(t->buf, t->src, err);
	if (rc == 1)
		return crimg_fail(err, t->src, -1, -1,
				  "member '%s': names the target directory itself", name);
	unsigned dirs = is_dir ? 1 : 0;
	for (const char *p = t->buf; rc == 0 && *p; p++)
		dirs += *p == '/';
	if (rc == 0 && dirs > t->max_dirs)
		return crimg_fail(
			err, t->src, -1, -1,
			"member '%.200s': directories nested %u deep, more than the limit of %u" CRIMG_LIMIT_HINT(
				"dirs"),
			t->buf, dirs, t->max_dirs);
	return rc;
}

static void put_dir(struct crimg_treew *t, int fd)
{
	if (fd >= 0 && fd != t->root)
		close(fd);
}

/*
 * Opens the directory holding path (cleaned), making missing ones when
 * create; *leaf points at the last component.  Never follows a symlink.
 */
static int open_parent(struct crimg_treew *t, char *path, const char **leaf, int create,
		       struct crimg_error *err)
{
	int cur = t->root;
	char *p = path;
	for (char *s; (s = strchr(p, '/')); p = s + 1) {
		*s = '\0';
		int fd = openat(cur, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create) {
			struct node *nd = lookup(t, path);
			if (mkdirat(cur, p, 0700) < 0 && errno != EEXIST) {
				int e = errno;
				*s = '/';
				put_dir(t, cur);
				return crimg_fail(err, t->src, -1, -1,
						  "member '%s': cannot create directory: %s", path,
						  strerror(e));
			}
			if (!nd->name && record(t, nd, path, K_IMPLICIT_DIR, err) < 0) {
				*s = '/';
				put_dir(t, cur);
				return -1;
			}
			fd = openat(cur, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0) {
			int e = errno;
			struct node *nd = lookup(t, path);
			int link = nd->name && nd->kind == K_LINK;
			char comp[PATH_MAX];
			snprintf(comp, sizeof(comp), "%s", path);
			*s = '/';
			put_dir(t, cur);
			if (e == ELOOP || (e == ENOTDIR && link))
				return crimg_fail(
					err, t->src, -1, -1,
					"member '%s': '%s' is a symlink: refusing to write through it",
					path, comp);
			if (e == ENOTDIR)
				return crimg_fail(err, t->src, -1, -1,
						  "member '%s': '%s' is not a directory", path,
						  comp);
			return crimg_fail(err, t->src, -1, -1, "member '%s': %s", path,
					  strerror(e));
		}
		*s = '/';
		put_dir(t, cur);
		cur = fd;
	}
	*leaf = p;
	return cur;
}

/* A new name: cleaned into t->buf, not seen before; its slot in *slot. */
static int new_name(struct crimg_treew *t, const char *name, struct node **slot,
		    struct crimg_error *err)
{
	/* slot is NULL for directories only */
	if (take_name(t, name, slot == NULL, err) < 0)
		return -1;
	struct node *nd = lookup(t, t->buf);
	if (nd->name && !(nd->kind == K_IMPLICIT_DIR && slot == NULL))
		return crimg_fail(err, t->src, -1, -1, "member '%s': duplicate member", t->buf);
	if (slot)
		*slot = nd;
	return 0;
}

/* ---- memory trees ---- */

#define MEM_HEAP_MAX (1u << 20) /* larger files stay in their unnamed file, mapped */

struct crimg_treew *crimg_treew_new_mem(const char *src, const char *tmpdir,
					struct crimg_error *err)
{
	struct crimg_treew *t = calloc(1, sizeof(*t));
	if (t)
		t->root = -1;
	if (!t || !(t->src = strdup(src)) || !(t->tab = calloc(t->cap = 1024, sizeof(*t->tab))) ||
	    !(t->tmpdir = strdup(tmpdir && *tmpdir ? tmpdir : "/tmp"))) {
		crimg_treew_free(t);
		crimg_fail(err, src, -1, -1, "out of memory");
		return NULL;
	}
	t->trusted = 1;
	t->max_dirs = CRIMG_MAX_DIRS_CAP;
	return t;
}

/* An unnamed file for a member: O_TMPFILE in tmpdir (on disk, gone with
 * its last descriptor or map whatever ends the process), else memfd. */
static int mem_file(struct crimg_treew *t, struct node *nd, struct crimg_error *err)
{
	int fd = open(t->tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && (fd = crimg_memfile(t->src, err)) < 0)
		return -1;
	free(t->pending);
	if (!(t->pending = strdup(t->buf)) || record(t, nd, t->buf, K_FILE, err) < 0) {
		close(fd);
		return crimg_fail(err, t->src, -1, -1, "out of memory");
	}
	return fd;
}

static int mem_file_done(struct crimg_treew *t, int fd, unsigned mode, int64_t mtime,
			 struct crimg_error *err)
{
	struct node *nd = t->pending ? lookup(t, t->pending) : NULL;
	struct stat st;
	int rc = 0;
	if (!nd || !nd->name) {
		rc = crimg_fail(err, t->src, -1, -1, "internal: no file pending");
	} else if (fstat(fd, &st) < 0) {
		rc = crimg_fail(err, t->src, -1, -1, "member '%s': %s", nd->name, strerror(errno));
	} else if ((uint64_t)st.st_size > SIZE_MAX) {
		rc = crimg_fail(err, t->src, -1, -1, "member '%s': too large", nd->name);
	} else if (st.st_size > (off_t)MEM_HEAP_MAX) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			rc = crimg_fail(err, t->src, -1, -1, "member '%s': cannot map: %s",
					nd->name, strerror(errno));
		else
			nd->data = p, nd->mapped = 1;
	} else if (st.st_size > 0) {
		nd->data = malloc((size_t)st.st_size);
		ssize_t k = nd->data ? pread(fd, nd->data, (size_t)st.st_size, 0) : -1;
		if (k != st.st_size)
			rc = crimg_fail(err, t->src, -1, -1, "member '%s': %s", nd->name,
					nd->data ? "short read" : "out of memory");
	}
	if (rc == 0 && nd) {
		nd->len = (size_t)st.st_size;
		nd->mode = mode & 07777;
		nd->mtime = mtime;
	}
	close(fd);
	free(t->pending);
	t->pending = NULL;
	return rc;
}

int crimg_treew_mem_has(struct crimg_treew *t, const char *name)
{
	const struct node *nd = lookup(t, name);
	return nd->name && nd->kind == K_FILE;
}

int crimg_treew_mem_take(struct crimg_treew *t, crimg_treew_mem_fn fn, void *arg,
			 struct crimg_error *err)
{
	for (size_t i = 0; i < t->cap; i++) {
		struct node *nd = &t->tab[i];
		if (!nd->name || nd->kind != K_FILE)
			continue;
		uint8_t *data = nd->data;
		nd->data = NULL; /* fn owns it now */
		int mapped = nd->mapped;
		nd->mapped = 0;
		if (fn(arg, nd->name, data, nd->len, mapped, nd->mtime, err) < 0)
			return -1;
	}
	return 0;
}

int crimg_treew_file(struct crimg_treew *t, const char *name, struct crimg_error *err)
{
	struct node *nd;
	const char *leaf;
	if (new_name(t, name, &nd, err) < 0)
		return -1;
	if (t->root < 0)
		return mem_file(t, nd, err);
	int dir = open_parent(t, t->buf, &leaf, 1, err);
	if (dir < 0)
		return -1;
	int fd = openat(dir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int e = errno;
	put_dir(t, dir);
	if (fd < 0)
		return crimg_fail(err, t->src, -1, -1, "member '%s': cannot create: %s", t->buf,
				  e == EEXIST ? "it exists (duplicate member)" : strerror(e));
	nd = lookup(t, t->buf); /* open_parent may have grown the table */
	if (record(t, nd, t->buf, K_FILE, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int crimg_treew_file_done(struct crimg_treew *t, int fd, unsigned mode, int64_t mtime,
			  struct crimg_error *err)
{
	if (t->root < 0)
		return mem_file_done(t, fd, mode, mtime, err);
	struct timespec ts[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };
	int rc = 0;
	if (fchmod(fd, mode & 0777) < 0 || futimens(fd, ts) < 0)
		rc = crimg_fail(err, t->src, -1, -1, "cannot set mode and mtime: %s",
				strerror(errno));
	if (close(fd) < 0 && rc == 0)
		rc = crimg_fail(err, t->src, -1, -1, "write error: %s", strerror(errno));
	return rc;
}

int crimg_treew_dir(struct crimg_treew *t, const char *name, unsigned mode, int64_t mtime,
		    struct crimg_error *err)
{
	const char *leaf;
	if (new_name(t, name, NULL, err) < 0)
		return -1;
	struct node *nd = lookup(t, t->buf);
	if (!nd->name && t->root < 0) {
		if (record(t, nd, t->buf, K_DIR, err) < 0)
			return -1;
		nd = lookup(t, t->buf);
	} else if (!nd->name) {
		int dir = open_parent(t, t->buf, &leaf, 1, err);
		if (dir < 0)
			return -1;
		int rc = mkdirat(dir, leaf, 0700), e = errno;
		put_dir(t, dir);
		if (rc < 0)
			return crimg_fail(err, t->src, -1, -1,
					  "member '%s': cannot create directory: %s", t->buf,
					  e == EEXIST ? "it exists (duplicate member)"
						      : strerror(e));
		nd = lookup(t, t->buf);
		if (record(t, nd, t->buf, K_DIR, err) < 0)
			return -1;
	}
	nd->kind = K_DIR;
	nd->mode = mode & 0777;
	nd->mtime = mtime;
	return 0;
}

/* CRIU links an incremental dump to the one before with a "parent" symlink
 * beside its images, usually "../NAME": it points out of the tree by design. */
static int criu_parent_link(const char *path, const char *target)
{
	const char *slash = strrchr(path, '/');
	const char *leaf = slash ? slash + 1 : path;
	if (strcmp(leaf, "parent") != 0 || target[0] == '/')
		return 0;
	return !slash || !memchr(path, '/', (size_t)(slash - path)); /* depth 0 or 1 */
}

/* Whether a relative target, read from the symlink at path, climbs out by its text alone. */
static int climbs_out(const char *path, const char *target)
{
	if (target[0] == '/')
		return 1;
	long depth = 0;
	for (const char *p = path; *p; p++)
		depth += *p == '/';
	for (const char *p = target; *p;) {
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - s);
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			if (--depth < 0)
				return 1;
		} else if (len && !(len == 1 && s[0] == '.')) {
			depth++;
		}
		while (*p == '/')
			p++;
	}
	return 0;
}

int crimg_treew_symlink(struct crimg_treew *t, const char *name, const char *target, int64_t mtime,
			struct crimg_error *err)
{
	struct node *nd;
	const char *leaf;
	if (new_name(t, name, &nd, err) < 0)
		return -1;
	if (!target[0])
		return crimg_fail(err, t->src, -1, -1, "member '%s': empty symlink target", t->buf);
	if (!t->trusted && climbs_out(t->buf, target) && !criu_parent_link(t->buf, target))
		return crimg_fail(err, t->src, -1, -1,
				  "member '%s': symlink to '%s' points outside the target", t->buf,
				  target);
	if (t->root < 0) /* a memory tree keeps no links: nothing is reached through them */
		return record(t, nd, t->buf, K_LINK, err);
	int dir = open_parent(t, t->buf, &leaf, 1, err);
	if (dir < 0)
		return -1;
	struct timespec ts[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };
	int rc = symlinkat(target, dir, leaf), e = errno;
	if (rc == 0)
		utimensat(dir, leaf, ts, AT_SYMLINK_NOFOLLOW); /* not everywhere: best effort */
	put_dir(t, dir);
	if (rc < 0)
		return crimg_fail(err, t->src, -1, -1, "member '%s': cannot create symlink: %s",
				  t->buf,
				  e == EEXIST ? "it exists (duplicate member)" : strerror(e));
	nd = lookup(t, t->buf);
	return record(t, nd, t->buf, K_LINK, err);
}

static int link_at(struct crimg_treew *t, int srcdir, const char *srcname, struct crimg_error *err)
{
	const char *leaf;
	int dir = open_parent(t, t->buf, &leaf, 1, err);
	if (dir < 0)
		return -1;
	int rc = linkat(srcdir, srcname, dir, leaf, 0), e = errno;
	put_dir(t, dir);
	if (rc < 0)
		return crimg_fail(err, t->src, -1, -1, "member '%s': cannot create hard link: %s",
				  t->buf,
				  e == EEXIST ? "it exists (duplicate member)" : strerror(e));
	return record(t, lookup(t, t->buf), t->buf, K_FILE, err);
}

int crimg_treew_hardlink(struct crimg_treew *t, const char *name, const char *target,
			 struct crimg_error *err)
{
	char tgt[PATH_MAX];
	size_t n = strlen(target);
	if (n >= sizeof(tgt))
		return crimg_fail(err, t->src, -1, -1, "member '%s': hard link target too long",
				  name);
	memcpy(tgt, target, n + 1);
	if (crimg_clean_member(tgt, t->src, err) != 0)
		return crimg_fail(err, t->src, -1, -1,
				  "member '%s': hard link to '%s' points outside the target", name,
				  target);
	if (t->root < 0)
		return crimg_fail(err, t->src, -1, -1, "member '%s': hard links are not read here",
				  name);
	struct node *tn = lookup(t, tgt);
	if (!tn->name || tn->kind != K_FILE)
		return crimg_fail(
			err, t->src, -1, -1,
			"member '%s': hard link to '%s', which is not an earlier file of the archive",
			name, target);
	const char *tleaf;
	int tdir = open_parent(t, tgt, &tleaf, 0, err);
	if (tdir < 0)
		return -1;
	int rc = new_name(t, name, &tn, err);
	if (rc == 0)
		rc = link_at(t, tdir, tleaf, err);
	put_dir(t, tdir);
	return rc;
}

int crimg_treew_link_from(struct crimg_treew *t, const char *name, int srcdir, const char *srcname,
			  struct crimg_error *err)
{
	struct node *nd;
	if (new_name(t, name, &nd, err) < 0)
		return -1;
	if (t->root < 0)
		return crimg_fail(err, t->src, -1, -1, "member '%s': hard links are not read here",
				  name);
	return link_at(t, srcdir, srcname, err);
}

/* ---- the end: symlink chains, then directory modes ---- */

/*
 * Follows target (from the directory stack[0..*depth)) through the tree,
 * resolving symlinks ourselves: 1 if it ever climbs above the root, 0 if
 * not (or it ends at something missing), -1 on a loop.
 */
static int resolve(struct crimg_treew *t, char *stack, size_t *len, const char *target, int *hops)
{
	if (target[0] == '/')
		return 1;
	int lexical = 0; /* past a missing component: only the text counts */
	for (const char *p = target; *p;) {
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - s);
		while (*p == '/')
			p++;
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (*len == 0)
				return 1;
			char *up = memrchr(stack, '/', *len);
			*len = up ? (size_t)(up - stack) : 0;
			stack[*len] = '\0';
			continue;
		}
		size_t at = *len;
		if (at + n + 2 >= PATH_MAX)
			return 0;
		if (at)
			stack[(*len)++] = '/';
		memcpy(stack + *len, s, n);
		*len += n;
		stack[*len] = '\0';
		if (lexical)
			continue;
		struct stat st;
		if (fstatat(t->root, stack, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			lexical = 1;
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			char next[PATH_MAX];
			ssize_t k = readlinkat(t->root, stack, next, sizeof(next) - 1);
			if (k < 0)
				return 0;
			next[k] = '\0';
			if (criu_parent_link(stack, next))
				return 1; /* leaving by the parent link */
			if (++*hops > SYMLINK_HOPS)
				return -1;
			*len = at;
			stack[at] = '\0';
			int r = resolve(t, stack, len, next, hops);
			if (r != 0)
				return r;
		} else if (!S_ISDIR(st.st_mode)) {
			return 0;
		}
	}
	return 0;
}

static int check_links(struct crimg_treew *t, struct crimg_error *err)
{
	char *stack = malloc(PATH_MAX), target[PATH_MAX];
	if (!stack)
		return crimg_fail(err, t->src, -1, -1, "out of memory");
	int rc = 0;
	for (size_t i = 0; i < t->cap && rc == 0; i++) {
		struct node *nd = &t->tab[i];
		if (!nd->name || nd->kind != K_LINK)
			continue;
		ssize_t k = readlinkat(t->root, nd->name, target, sizeof(target) - 1);
		if (k < 0)
			continue;
		target[k] = '\0';
		if (criu_parent_link(nd->name, target))
			continue;
		const char *slash = strrchr(nd->name, '/');
		size_t len = slash ? (size_t)(slash - nd->name) : 0;
		memcpy(stack, nd->name, len);
		stack[len] = '\0';
		int hops = 0;
		int r = resolve(t, stack, &len, target, &hops);
		if (r > 0)
			rc = crimg_fail(
				err, t->src, -1, -1,
				"member '%s': symlink to '%s' leads outside the target through other symlinks",
				nd->name, target);
		else if (r < 0)
			rc = crimg_fail(err, t->src, -1, -1,
					"member '%s': too many levels of symlinks", nd->name);
	}
	free(stack);
	return rc;
}

static int cmp_desc(const void *a, const void *b)
{
	return strcmp((*(struct node *const *)b)->name, (*(struct node *const *)a)->name);
}

int crimg_treew_finish(struct crimg_treew *t, struct crimg_error *err)
{
	if (t->root < 0)
		return 0; /* nothing on disk: no modes to set, no link to follow */
	if (!t->trusted && check_links(t, err) < 0)
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < t->cap; i++)
		n += t->tab[i].name &&
			(t->tab[i].kind == K_DIR || t->tab[i].kind == K_IMPLICIT_DIR);
	struct node **dirs = malloc((n ? n : 1) * sizeof(*dirs));
	if (!dirs)
		return crimg_fail(err, t->src, -1, -1, "out of memory");
	n = 0;
	for (size_t i = 0; i < t->cap; i++)
		if (t->tab[i].name && (t->tab[i].kind == K_DIR || t->tab[i].kind == K_IMPLICIT_DIR))
			dirs[n++] = &t->tab[i];
	/* children ("a/b") sort after their parent ("a"): descending order does them first */
	qsort(dirs, n, sizeof(*dirs), cmp_desc);
	int rc = 0;
	char path[PATH_MAX];
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *leaf;
		snprintf(path, sizeof(path), "%s", dirs[i]->name);
		int dir = open_parent(t, path, &leaf, 0, err);
		if (dir < 0) {
			rc = -1;
			break;
		}
		if (fchmodat(dir, leaf, dirs[i]->mode, 0) < 0)
			rc = crimg_fail(err, t->src, -1, -1, "member '%s': cannot set its mode: %s",
					dirs[i]->name, strerror(errno));
		if (rc == 0 && dirs[i]->mtime >= 0) {
			struct timespec ts[2] = { { .tv_sec = dirs[i]->mtime },
						  { .tv_sec = dirs[i]->mtime } };
			if (utimensat(dir, leaf, ts, AT_SYMLINK_NOFOLLOW) < 0)
				rc = crimg_fail(err, t->src, -1, -1,
						"member '%s': cannot set its mtime: %s",
						dirs[i]->name, strerror(errno));
		}
		put_dir(t, dir);
	}
	free(dirs);
	return rc;
}
