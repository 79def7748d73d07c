/*
 * Every image of the checkpoint: its kind, size and entry count.  Counting
 * an image's entries reads it whole, so a row's count is made the first
 * time the row is shown and kept; a damaged image says why in place.
 * Enter opens the image as a JSON tree (view_json.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui.h"

enum {
	IC_UNKNOWN, /* not counted yet */
	IC_COUNTED, /* count holds the entries */
	IC_RAW,     /* a raw image: no entries */
	IC_OTHER,   /* not an image (dump.log, an engine file) */
	IC_ERROR,   /* err holds why it cannot be read */
};

struct img_row {
	unsigned char state;
	const struct crimg_kind *kind; /* by magic once read, else by name */
	size_t count;
	char *err;
};

struct images_view {
	const char *const *names; /* owned by the checkpoint */
	size_t n;
	int name_w; /* width of the name column */
	struct img_row *rows;
};

/* Whether name is one of CRIU's images by its name: "*.img" or a kind's
 * pattern (stats-dump, irmap-cache have no suffix). */
static int image_like(const char *name, const struct crimg_kind *k)
{
	size_t l = strlen(name);
	return k || (l > 4 && !strcmp(name + l - 4, ".img"));
}

/* Fills row i's count (or error) the first time it is asked for. */
static struct img_row *img_info(struct tui *t, struct images_view *iv, size_t i)
{
	struct img_row *ir = &iv->rows[i];
	if (ir->state != IC_UNKNOWN)
		return ir;
	const char *name = iv->names[i];
	ir->kind = crimg_kind_by_path(name);
	if (ir->kind && ir->kind->layout == CRIMG_LAYOUT_RAW) {
		ir->state = IC_RAW;
		return ir;
	}
	if (!image_like(name, ir->kind)) {
		ir->state = IC_OTHER;
		return ir;
	}
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_entries *e = crimg_ckpt_entries(t->c, name, &err);
	if (e) {
		ir->state = IC_COUNTED;
		ir->count = e->n;
		if (e->kind)
			ir->kind = e->kind;
		return ir;
	}
	char buf[400];
	tui_errstr(&err, buf, sizeof(buf));
	ir->err = strdup(buf);
	ir->state = IC_ERROR;
	return ir;
}

static size_t images_count(struct tui *t, struct tui_view *v)
{
	return ((struct images_view *)v->priv)->n;
}

static void images_header(struct tui *t, struct tui_view *v, struct tui_row *r)
{
	struct images_view *iv = v->priv;
	tui_row_add(r, TR_HEADER, "%-*s %-14s %11s  %s", iv->name_w, "IMAGE", "KIND", "SIZE",
		    "ENTRIES");
}

static void images_row(struct tui *t, struct tui_view *v, size_t i, struct tui_row *r)
{
	struct images_view *iv = v->priv;
	const char *name = iv->names[i];
	struct img_row *ir = img_info(t, iv, i);
	int known = ir->state != IC_OTHER;
	tui_row_addn(r, known ? TR_TEXT : TR_DIM, name, strlen(name));
	tui_row_pad(r, iv->name_w + 1);
	if (ir->kind)
		tui_row_add(r, TR_ACCENT, "%-14s", ir->kind->name);
	else
		tui_row_add(r, TR_DIM, "%-14s", "-");
	int64_t size = crimg_ckpt_data_size(t->c, name);
	if (size >= 0)
		tui_row_add(r, TR_ADDR, " %11lld  ", (long long)size);
	else
		tui_row_add(r, TR_DIM, " %11s  ", "?");
	switch (ir->state) {
	case IC_COUNTED:
		tui_row_add(r, TR_TEXT, "%zu", ir->count);
		break;
	case IC_RAW:
		tui_row_add(r, TR_DIM, "raw");
		break;
	case IC_OTHER:
		tui_row_add(r, TR_DIM, "not an image");
		break;
	default:
		tui_row_add(r, TR_ERROR, "%s", ir->err ? ir->err : "out of memory");
		break;
	}
}

static void images_enter(struct tui *t, struct tui_view *v, size_t sel)
{
	struct images_view *iv = v->priv;
	struct img_row *ir = img_info(t, iv, sel);
	if (ir->state == IC_RAW) {
		tui_msg(t, TR_WARN, "%s is a raw image: it has no entries", iv->names[sel]);
		return;
	}
	if (ir->state == IC_OTHER) {
		tui_msg(t, TR_WARN, "%s is not an image", iv->names[sel]);
		return;
	}
	tui_push(t, tui_view_json(t, iv->names[sel]));
}

static void images_title(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct images_view *iv = v->priv;
	snprintf(buf, n, "images (%zu file%s)", iv->n, iv->n == 1 ? "" : "s");
}

static void images_status(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct images_view *iv = v->priv;
	if (iv->n)
		snprintf(buf, n, "%zu/%zu  %s  Enter: entries as a JSON tree", v->sel + 1, iv->n,
			 iv->names[v->sel]);
}

static void images_free(struct tui_view *v)
{
	struct images_view *iv = v->priv;
	if (!iv)
		return;
	for (size_t i = 0; i < iv->n; i++)
		free(iv->rows[i].err);
	free(iv->rows);
	free(iv);
}

static const char *const images_help[] = {
	"  Enter           the image's entries as a JSON tree",
	NULL,
};

static const struct tui_view_ops images_ops = {
	.name = "images",
	.title = images_title,
	.count = images_count,
	.row = images_row,
	.header = images_header,
	.enter = images_enter,
	.status = images_status,
	.help = images_help,
	.free = images_free,
};

struct tui_view *tui_view_images(struct tui *t)
{
	struct images_view *iv = calloc(1, sizeof(*iv));
	if (!iv)
		goto oom;
	iv->n = crimg_ckpt_images(t->c, &iv->names);
	iv->rows = calloc(iv->n + 1, sizeof(*iv->rows));
	if (!iv->rows)
		goto oom;
	iv->name_w = 16;
	for (size_t i = 0; i < iv->n; i++) {
		size_t l = strlen(iv->names[i]);
		if ((int)l > iv->name_w)
			iv->name_w = l > 36 ? 36 : (int)l;
	}
	struct tui_view *v = tui_view_new(&images_ops, iv, 0);
	if (v)
		return v;
oom:
	if (iv)
		free(iv->rows);
	free(iv);
	tui_msg(t, TR_ERROR, "out of memory");
	return NULL;
}
