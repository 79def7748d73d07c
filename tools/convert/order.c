/*
 * crit convert --byte-order: every image of the tree in one byte order
 * (crimg_reorder_dir does the work), and what the user is told: how many
 * images were converted, which were copied as they are and why, and that
 * memory keeps the source's order.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert.h"
#include "util.h"

int parse_byte_order(const char *s, enum crimg_byte_order *bo)
{
	if (!strcmp(s, "big"))
		*bo = CRIMG_BIG_ENDIAN;
	else if (!strcmp(s, "little"))
		*bo = CRIMG_LITTLE_ENDIAN;
	else if (!strcmp(s, "native"))
		*bo = crimg_host_byte_order();
	else
		return -1;
	return 0;
}

static const char *bo_word(enum crimg_byte_order bo)
{
	return bo == CRIMG_BIG_ENDIAN ? "big" : "little";
}

struct order_ctx {
	json_t *images; /* the report's list, or NULL when none was made */
	int oom;
	unsigned done, same, raw;
	int from_big, from_little; /* orders the images were in */
	/* for stderr: what stays as it was, grouped by why */
	struct kept {
		char *why;
		char *names;
	} * kept;
	size_t n_kept;
};

static const char *action_word(enum crimg_reorder_action a)
{
	return a == CRIMG_REORDER_DONE    ? "converted"
		: a == CRIMG_REORDER_SAME ? "unchanged"
					  : "raw";
}

/* Adds name to the group of images that keep something for why. */
static void keep(struct order_ctx *c, const char *why, const char *name)
{
	size_t i = 0;
	while (i < c->n_kept && strcmp(c->kept[i].why, why))
		i++;
	if (i == c->n_kept) {
		struct kept *k = realloc(c->kept, (c->n_kept + 1) * sizeof(*k));
		if (!k || !(k[i].why = strdup(why))) {
			if (k)
				c->kept = k;
			c->oom = 1;
			return;
		}
		c->kept = k;
		k[i].names = NULL;
		c->n_kept++;
	}
	struct kept *k = &c->kept[i];
	size_t old = k->names ? strlen(k->names) : 0, add = strlen(name);
	char *s = realloc(k->names, old + add + 3);
	if (!s) {
		c->oom = 1;
		return;
	}
	if (old)
		memcpy(s + old, ", ", 2), old += 2;
	memcpy(s + old, name, add + 1);
	k->names = s;
}

static void on_file(void *arg, const struct crimg_reorder_file *f)
{
	struct order_ctx *c = arg;
	if (f->action == CRIMG_REORDER_DONE)
		c->done++;
	else if (f->action == CRIMG_REORDER_SAME)
		c->same++;
	else
		c->raw++;
	if (f->action != CRIMG_REORDER_RAW) {
		if (f->from == CRIMG_BIG_ENDIAN)
			c->from_big = 1;
		else
			c->from_little = 1;
	}
	if (f->kept)
		keep(c, f->kept, f->image);
	if (!c->images)
		return;
	json_t *o = json_pack("{s:s, s:s, s:s}", "image", f->image, "kind", f->kind->name, "action",
			      action_word(f->action));
	if (o && f->action != CRIMG_REORDER_RAW)
		json_object_set_new(o, "from", json_string(bo_word(f->from)));
	if (o && f->kept)
		json_object_set_new(o, "kept", json_string(f->kept));
	if (!o || json_array_append_new(c->images, o) < 0)
		c->oom = 1;
}

/* The source's order as one word: "little", "big", or "mixed". */
static const char *from_word(const struct order_ctx *c)
{
	return c->from_big && c->from_little ? "mixed" : c->from_big ? "big" : "little";
}

/* An incremental dump's link to the dump it takes pages from ("parent",
 * beside the images): that one is another checkpoint, not converted here.
 * Its target into buf, or NULL when there is none.  CRIU makes it a
 * symlink; a copy that flattened links leaves a file holding the path. */
static const char *parent_link(const char *tree, char *buf, size_t len)
{
	static const char *const at[] = { "parent", "checkpoint/parent" };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s/%s", tree, at[i]);
		ssize_t n = readlink(p, buf, len - 1);
		if (n < 0) {
			FILE *f = fopen(p, "r");
			n = f ? (ssize_t)fread(buf, 1, len - 1, f) : -1;
			if (f)
				fclose(f);
			if (n <= 0 || memchr(buf, '\0', (size_t)n) || memchr(buf, '\n', (size_t)n))
				continue;
		}
		buf[n] = '\0';
		return buf;
	}
	return NULL;
}

static void say(const struct order_ctx *c, enum crimg_byte_order to, const char *parent)
{
	if (parent)
		fprintf(stderr,
			"crit convert: note: parent -> %s: the dumps this one takes pages from are "
			"not converted with it: convert each of them, and keep them side by side\n",
			parent);
	if (!c->done) {
		fprintf(stderr,
			"crit convert: byte order: every image is %s-endian already: a plain copy\n",
			bo_word(to));
		return;
	}
	fprintf(stderr,
		"crit convert: byte order: %u image%s converted from %s-endian to %s-endian",
		c->done, c->done == 1 ? "" : "s", from_word(c), bo_word(to));
	if (c->same)
		fprintf(stderr, " (%u %s-endian already)", c->same, bo_word(to));
	fputc('\n', stderr);
	for (size_t i = 0; i < c->n_kept; i++)
		fprintf(stderr, "crit convert: as the source wrote it: %s (%s)\n", c->kept[i].names,
			c->kept[i].why);
	fprintf(stderr,
		"crit convert: note: memory and raw data stay in the dumping machine's byte order: the "
		"copy is for reading with tools that know one byte order, not for restoring\n");
}

static int oom(struct crimg_error *err, const char *tree)
{
	crimg_error_clear(err);
	snprintf(err->file, sizeof(err->file), "%s", tree);
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -1;
}

int reorder_tree(const char *tree, const struct opts *o, const struct crimg_limits *lim,
		 struct report *rep, struct crimg_error *err)
{
	enum crimg_byte_order to = (enum crimg_byte_order)o->byte_order;
	struct order_ctx c = { 0 };
	if (o->report && !(c.images = json_array()))
		return oom(err, tree);
	int rc = crimg_reorder_dir(tree, to, lim, on_file, &c, err);
	char pbuf[PATH_MAX];
	const char *parent = parent_link(tree, pbuf, sizeof(pbuf));
	if (rc >= 0 && c.oom)
		rc = oom(err, tree);
	if (rc >= 0 && c.images) {
		rep->order = json_pack("{s:s, s:s, s:i, s:i, s:i, s:b, s:O}", "from", from_word(&c),
				       "to", bo_word(to), "converted", c.done, "unchanged", c.same,
				       "raw", c.raw, "plain_copy", c.done == 0, "images", c.images);
		if (!rep->order ||
		    (parent && json_object_set_new(rep->order, "parent", json_string(parent)) < 0))
			rc = oom(err, tree);
	} else if (rc >= 0 && !o->quiet) {
		say(&c, to, parent);
	}
	for (size_t i = 0; i < c.n_kept; i++) {
		free(c.kept[i].why);
		free(c.kept[i].names);
	}
	free(c.kept);
	json_decref(c.images);
	return rc < 0 ? -1 : 0;
}
