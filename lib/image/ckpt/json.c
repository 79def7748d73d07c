/*
 * crimg's own JSON forms of a checkpoint as sources: a JSON bundle (one
 * file) or a JSON directory, as crit convert writes them.  Their images are
 * encoded back once, at open, into a memory tree (treew.c): small files on
 * the heap, large ones in unnamed files, so nothing is left behind however
 * the process ends.  Then they are read as a directory's images would be.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ckpt/ckpt_int.h"
#include "convert/convert_int.h"

struct placing {
	struct crimg_ckpt *c;
	const char *root; /* "" or "checkpoint/": where the images are */
	size_t rl;
};

static void drop(uint8_t *data, size_t len, int mapped)
{
	if (mapped)
		munmap(data, len);
	else
		free(data);
}

static int place(void *arg, const char *name, uint8_t *data, size_t len, int mapped, int64_t mtime,
		 struct crimg_error *err)
{
	struct placing *pl = arg;
	struct crimg_ckpt *c = pl->c;
	struct ckpt_files *set = NULL;
	const char *rel = name;
	if (strncmp(name, pl->root, pl->rl) == 0 && !strchr(name + pl->rl, '/'))
		set = &c->images, rel = name + pl->rl;
	else if (pl->rl && !strchr(name, '/'))
		set = &c->meta; /* engine files beside checkpoint/ */
	if (!set) {
		drop(data, len, mapped);
		return 0;
	}
	struct ckpt_file *f = crimg_ckpt_add_file(set, rel);
	if (!f) {
		drop(data, len, mapped);
		return crimg_fail(err, c->path, -1, -1, "out of memory");
	}
	f->data = data;
	f->len = len;
	f->mapped = mapped;
	f->loaded = 1;
	f->has_mtime = 1;
	f->mtime = mtime;
	return 0;
}

int crimg_ckpt_open_json(struct crimg_ckpt *c, const char *path, int is_dir,
			 struct crimg_error *err)
{
	const char *tmp = c->opt_tmpdir ? c->opt_tmpdir : getenv("TMPDIR");
	struct crimg_treew *t = crimg_treew_new_mem(path, tmp, err);
	if (!t)
		return -1;
	struct crimg_progress p = { .fn = c->progress, .arg = c->progress_arg };
	int rc = is_dir ? crimg_jsondir_read_tree(path, t, &c->lim, c->progress ? &p : NULL, err)
			: crimg_bundle_read_tree(path, t, &c->lim, c->progress ? &p : NULL, err);
	struct placing pl = { .c = c, .root = "" };
	if (rc == 0 && !crimg_treew_mem_has(t, "inventory.img")) {
		pl.root = "checkpoint/";
		if (!crimg_treew_mem_has(t, "checkpoint/inventory.img"))
			rc = crimg_fail(err, path, -1, -1,
					"not a checkpoint: no inventory.img in it, at the top or in "
					"checkpoint/");
	}
	pl.rl = strlen(pl.root);
	if (rc == 0)
		rc = crimg_treew_mem_take(t, place, &pl, err);
	crimg_treew_free(t);
	if (rc < 0)
		return -1;
	crimg_ckpt_sort_files(&c->images);
	crimg_ckpt_sort_files(&c->meta);
	c->format = is_dir ? "json-dir" : "json";
	c->type = is_dir ? CRIMG_SRC_DIR : CRIMG_SRC_ARCHIVE;
	if (is_dir) {
		/* an incremental dump's "parent" link is kept in a JSON directory */
		size_t n = strlen(path) + pl.rl + 1;
		if (!(c->images_dir = malloc(n)))
			return crimg_fail(err, path, -1, -1, "out of memory");
		snprintf(c->images_dir, n, "%s%s%.*s", path, pl.rl ? "/" : "",
			 pl.rl ? (int)pl.rl - 1 : 0, pl.root);
	}
	return 0;
}
