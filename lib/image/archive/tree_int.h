/*
 * Directory trees for the converters: a sorted walk over a tree, and a
 * writer that creates a tree from untrusted names (archive members, bundle
 * entries) without ever writing outside its root.
 */
#ifndef CRIMG_TREE_INT_H
#define CRIMG_TREE_INT_H

#include "base/base.h"
#include "crimg/convert.h"

/* ---- walking ---- */

struct crimg_tree_ent {
	const char *path;   /* relative to the root, no leading "./" */
	const char *name;   /* the last component of path */
	int dirfd;          /* the directory holding name */
	char type;          /* 'd', 'f' or 'l' */
	unsigned mode;      /* permission bits (07777) */
	int64_t mtime;      /* seconds */
	uint64_t size;      /* 'f': bytes */
	const char *target; /* 'l': what the symlink holds */
};
/* Returning -1 stops the walk (with err filled). */
typedef int (*crimg_tree_fn)(void *arg, const struct crimg_tree_ent *e, struct crimg_error *err);
/*
 * Calls fn for everything under dir (not dir itself), names in bytewise
 * order, each directory before its contents.  Symlinks are not followed;
 * devices, fifos and sockets are errors, and so are directories nested
 * over CRIMG_MAX_DIRS_CAP deep (a descriptor is held per level).
 */
int crimg_tree_walk(const char *dir, crimg_tree_fn fn, void *arg, struct crimg_error *err);

/* ---- safe writing ---- */

/*
 * Cleans a member name in place ("./a//b/." -> "a/b").  Returns 0, 1 for
 * the root itself ("", "." or "./"), or -1 for a name that leaves the tree
 * (absolute, or with a ".." component), with err naming why.
 */
int crimg_clean_member(char *name, const char *src, struct crimg_error *err);

struct crimg_treew;
/* dstdir: an existing directory, normally empty.  src names the input in
 * errors.  max_dirs: the "dirs" limit for untrusted input, or
 * CRIMG_MAX_DIRS_CAP (the walks' own bound) for a copy of a local tree. */
struct crimg_treew *crimg_treew_new(const char *dstdir, const char *src, unsigned max_dirs,
				    struct crimg_error *err);
/* For a local source tree: symlinks may point anywhere (never followed). */
void crimg_treew_trust(struct crimg_treew *t);
/*
 * Each call takes a member name as found in the input (it is cleaned and
 * checked here): absolute names, "..", duplicates, paths through a symlink
 * or a non-directory are refused.  Parent directories are made as needed.
 */
/* A new regular file: returns an fd open for writing, passed to _file_done. */
int crimg_treew_file(struct crimg_treew *t, const char *name, struct crimg_error *err);
/* Closes fd and sets the file's permission bits and mtime. */
int crimg_treew_file_done(struct crimg_treew *t, int fd, unsigned mode, int64_t mtime,
			  struct crimg_error *err);
int crimg_treew_dir(struct crimg_treew *t, const char *name, unsigned mode, int64_t mtime,
		    struct crimg_error *err);
/* target must stay inside the tree (CRIU's "parent" link excepted). */
int crimg_treew_symlink(struct crimg_treew *t, const char *name, const char *target, int64_t mtime,
			struct crimg_error *err);
/* A hard link to an earlier regular file of this tree. */
int crimg_treew_hardlink(struct crimg_treew *t, const char *name, const char *target,
			 struct crimg_error *err);
/* A hard link to a file outside (srcdir/srcname); its mode and mtime untouched. */
int crimg_treew_link_from(struct crimg_treew *t, const char *name, int srcdir, const char *srcname,
			  struct crimg_error *err);
/* Checks that no chain of symlinks leaves the tree; sets directory modes and mtimes. */
int crimg_treew_finish(struct crimg_treew *t, struct crimg_error *err);
void crimg_treew_free(struct crimg_treew *t);
/*
 * A memory tree: the same checks of names, but nothing is made on disk.
 * Each file goes to an unnamed file in tmpdir (O_TMPFILE; memfd where the
 * file system has none), so nothing is left behind however the process
 * ends; at _file_done small files move to the heap, larger ones stay
 * mapped.  Directories and symlinks are only recorded; hard links are
 * refused.
 */
struct crimg_treew *crimg_treew_new_mem(const char *src, const char *tmpdir,
					struct crimg_error *err);
/* Called once per file of a memory tree (in no order), handing over its
 * bytes: fn frees them (mapped: munmap) even when it fails. */
typedef int (*crimg_treew_mem_fn)(void *arg, const char *name, uint8_t *data, size_t len,
				  int mapped, int64_t mtime, struct crimg_error *err);
int crimg_treew_mem_take(struct crimg_treew *t, crimg_treew_mem_fn fn, void *arg,
			 struct crimg_error *err);
/* Whether a memory tree holds a file of this (cleaned) name. */
int crimg_treew_mem_has(struct crimg_treew *t, const char *name);

/* ---- progress of one piece of work ---- */
struct crimg_prog {
	const struct crimg_progress *p; /* NULL: none */
	const char *what;
	uint64_t done, total;
};
static inline void crimg_prog_add(struct crimg_prog *g, uint64_t n)
{
	g->done += n;
	if (g->p && g->p->fn)
		g->p->fn(g->p->arg, g->what, g->done, g->total);
}

/*
 * Copies n bytes from in (at its offset) to out: copy_file_range, or read
 * and write where the kernel cannot.  0, -errno, or -ENODATA when in ends
 * before n bytes.
 */
int crimg_copy_fd(int in, int out, uint64_t n, struct crimg_prog *g);

#endif
