/* Draws the state into a grid of cells: title line, the view's list (and
 * its detail pane beside it on a wide screen, below it on a narrow one),
 * the status or prompt line, and the help overlay over everything. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tui.h"

extern const char *const tui_commands_help[];

int tui_grid_size(struct tui_grid *g, int rows, int cols)
{
	if (rows < 1)
		rows = 1;
	if (cols < 1)
		cols = 1;
	if (rows > 1000)
		rows = 1000;
	if (cols > TUI_ROW_MAX)
		cols = TUI_ROW_MAX;
	if (g->cells && g->rows == rows && g->cols == cols)
		return 0;
	struct tui_cell *c = calloc((size_t)rows * cols, sizeof(*c));
	if (!c)
		return -1;
	free(g->cells);
	g->cells = c;
	g->rows = rows;
	g->cols = cols;
	return 0;
}

void tui_grid_free(struct tui_grid *g)
{
	free(g->cells);
	g->cells = NULL;
	g->rows = g->cols = 0;
}

uint32_t tui_glyph(uint32_t ch, int ascii)
{
	if (!ascii)
		return ch;
	switch (ch) {
	case TG_VLINE:
		return '|';
	case TG_HLINE:
		return '-';
	case TG_TEE:
		return '|';
	case TG_CORNER:
		return '`';
	}
	return ch < 0x80 ? ch : '?';
}

static struct tui_cell *at(struct tui_grid *g, int y, int x)
{
	return &g->cells[(size_t)y * g->cols + x];
}

static void fill(struct tui_grid *g, int y, int x, int w, int role)
{
	for (int i = 0; i < w && x + i < g->cols; i++) {
		at(g, y, x + i)->ch = ' ';
		at(g, y, x + i)->role = (uint8_t)role;
	}
}

/* Copies row r into the grid at (y, x), width w; role_over replaces every
 * cell's role (the cursor bar) when not negative. */
static void put_row(struct tui_grid *g, int y, int x, int w, const struct tui_row *r, int role_over)
{
	int fr = role_over >= 0 ? role_over : r->fill;
	fill(g, y, x, w, fr);
	for (int i = 0; i < r->n && i < w && x + i < g->cols; i++) {
		struct tui_cell *c = at(g, y, x + i);
		c->ch = r->c[i].ch;
		c->role = role_over >= 0 ? (uint8_t)role_over : r->c[i].role;
	}
}

static void put_text(struct tui_grid *g, int y, int x, int w, int role, const char *s)
{
	struct tui_row r;
	tui_row_reset(&r);
	tui_row_addn(&r, role, s, strlen(s));
	r.fill = (uint8_t)role;
	put_row(g, y, x, w, &r, -1);
}

static void draw_list(struct tui *t, struct tui_view *v, struct tui_grid *g, int y, int x, int w,
		      int h, struct tui_row *r)
{
	size_t n = v->ops->count ? v->ops->count(t, v) : 0;
	if (v->ops->header && h > 1) {
		tui_row_reset(r);
		v->ops->header(t, v, r);
		r->fill = TR_HEADER;
		put_row(g, y, x, w, r, TR_HEADER);
		y++;
		h--;
	}
	v->list_rows = h;
	/* keep the selection on screen after a resize or a jump */
	if (n && v->sel >= n)
		v->sel = n - 1;
	if (v->sel < v->top)
		v->top = v->sel;
	if (h > 0 && v->sel >= v->top + (size_t)h)
		v->top = v->sel - h + 1;
	if (v->top && v->top + h > n)
		v->top = n > (size_t)h ? n - h : 0;
	for (int i = 0; i < h; i++) {
		size_t k = v->top + i;
		if (k >= n) {
			fill(g, y + i, x, w, TR_TEXT);
			continue;
		}
		tui_row_reset(r);
		v->ops->row(t, v, k, r);
		put_row(g, y + i, x, w, r, k == v->sel && !v->focus_detail ? TR_CURSOR : -1);
		if (k == v->sel && v->focus_detail)
			for (int j = 0; j < w; j++)
				at(g, y + i, x + j)->role = TR_HEADER;
	}
}

static void draw_detail(struct tui *t, struct tui_view *v, struct tui_grid *g, int y, int x, int w,
			int h, struct tui_row *r)
{
	size_t n = v->ops->count && v->ops->count(t, v) ? v->ops->detail_count(t, v, v->sel) : 0;
	v->detail_rows = h;
	v->detail_cols = w;
	if (v->dtop && v->dtop + h > n)
		v->dtop = n > (size_t)h ? n - h : 0;
	for (int i = 0; i < h; i++) {
		size_t k = v->dtop + i;
		if (k >= n) {
			fill(g, y + i, x, w, TR_TEXT);
			continue;
		}
		tui_row_reset(r);
		v->ops->detail_row(t, v, v->sel, k, r);
		put_row(g, y + i, x, w, r, -1);
	}
}

static void draw_help(struct tui *t, struct tui_view *v, struct tui_grid *g)
{
	static const char *const keys[] = {
		"Keys (every screen)",
		"  Up Down j k     move            PgUp PgDn ^B ^F  a page",
		"  g Home  G End   first, last     ^U ^D            half a page",
		"  Enter l Right   go in, follow   Backspace Esc h  back",
		"  Tab             list / detail   /  ?             search fwd, back",
		"  n  N            next, previous  :                command line",
		"  T  I  C         tree, images, container metadata",
		"  q               quit            ? F1             this help",
		"  (a pattern typed in this help searches back, as ? does in less)",
		"",
		"Commands",
		NULL,
	};
	int w = g->cols - 4 < 76 ? g->cols - 4 : 76, h = g->rows - 4;
	int x0 = (g->cols - w) / 2, y0 = 2;
	const char *lines[128];
	size_t n = 0;
	if (w < 20 || h < 3)
		return;
	for (size_t i = 0; keys[i] && n < 128; i++)
		lines[n++] = keys[i];
	for (size_t i = 0; tui_commands_help[i] && n < 127; i++)
		lines[n++] = tui_commands_help[i];
	if (v && v->ops->help && n < 127) {
		lines[n++] = "";
		lines[n++] = "This screen";
		for (size_t i = 0; v->ops->help[i] && n < 128; i++)
			lines[n++] = v->ops->help[i];
	}
	if (t->help_top + (size_t)(h - 2) > n)
		t->help_top = n > (size_t)(h - 2) ? n - (h - 2) : 0;
	for (int y = 0; y < h; y++) {
		fill(g, y0 + y, x0, w, TR_TEXT);
		at(g, y0 + y, x0)->ch = TG_VLINE;
		at(g, y0 + y, x0)->role = TR_BORDER;
		at(g, y0 + y, x0 + w - 1)->ch = TG_VLINE;
		at(g, y0 + y, x0 + w - 1)->role = TR_BORDER;
	}
	for (int x = 0; x < w; x++) {
		at(g, y0, x0 + x)->ch = TG_HLINE;
		at(g, y0, x0 + x)->role = TR_BORDER;
		at(g, y0 + h - 1, x0 + x)->ch = TG_HLINE;
		at(g, y0 + h - 1, x0 + x)->role = TR_BORDER;
	}
	put_text(g, y0, x0 + 2, 23, TR_BORDER, " help: Esc or q closes ");
	for (int y = 1; y < h - 1; y++) {
		size_t k = t->help_top + y - 1;
		if (k < n)
			put_text(g, y0 + y, x0 + 2, w - 4,
				 lines[k][0] && lines[k][0] != ' ' && lines[k][0] != ':' ? TR_HEADER
											 : TR_TEXT,
				 lines[k]);
	}
}

static void draw_status(struct tui *t, struct tui_view *v, struct tui_grid *g, int y)
{
	char buf[512];
	/* the last column of the last row stays blank: writing there makes
	 * some terminals scroll, so term.c never does */
	int w = g->cols - 1;
	if (t->prompt) {
		snprintf(buf, sizeof(buf), "%s%s", t->prompt_label, t->line);
		put_text(g, y, 0, w, TR_TEXT, buf);
		return;
	}
	if (t->msg[0]) {
		put_text(g, y, 0, w, t->msg_role == TR_TEXT ? TR_STATUS : t->msg_role, t->msg);
		return;
	}
	buf[0] = 0;
	if (v && v->ops->status)
		v->ops->status(t, v, buf, sizeof(buf));
	if (!buf[0] && v) {
		size_t n = v->ops->count ? v->ops->count(t, v) : 0;
		snprintf(buf, sizeof(buf), "%zu/%zu", n ? v->sel + 1 : 0, n);
	}
	const char *hint = "?:help  q:quit";
	int hl = (int)strlen(hint);
	put_text(g, y, 0, w, TR_STATUS, buf);
	if (g->cols > hl + (int)strlen(buf) + 2)
		put_text(g, y, g->cols - hl - 1, hl + 1, TR_STATUS, hint);
}

void tui_draw(struct tui *t, struct tui_grid *g)
{
	struct tui_view *v = tui_top(t);
	struct tui_row *r = malloc(sizeof(*r));
	char title[512], vt[400];
	if (!r)
		return;
	t->grid = g;
	for (int y = 0; y < g->rows; y++)
		fill(g, y, 0, g->cols, TR_TEXT);
	vt[0] = 0;
	if (v && v->ops->title)
		v->ops->title(t, v, vt, sizeof(vt));
	snprintf(title, sizeof(title), " %s %s %s", t->src, t->ascii ? ">" : "\xe2\x80\xba",
		 vt[0] ? vt : (v ? v->ops->name : ""));
	put_text(g, 0, 0, g->cols, TR_TITLE, title);
	int body = g->rows - 2;
	if (v && body > 0) {
		int has_detail = v->ops->detail_count != NULL;
		if (!has_detail) {
			draw_list(t, v, g, 1, 0, g->cols, body, r);
		} else if (g->cols >= 120) {
			/* wide: the detail pane on the right, two fifths */
			int dw = g->cols * 2 / 5, lw = g->cols - dw - 1;
			draw_list(t, v, g, 1, 0, lw, body, r);
			for (int y = 1; y <= body; y++) {
				at(g, y, lw)->ch = TG_VLINE;
				at(g, y, lw)->role = TR_BORDER;
			}
			draw_detail(t, v, g, 1, lw + 1, dw, body, r);
		} else {
			/* narrow: the list on top, the detail pane below */
			int lh = body * 11 / 20, dh = body - lh - 1;
			if (lh < 2) {
				draw_list(t, v, g, 1, 0, g->cols, body, r);
			} else {
				draw_list(t, v, g, 1, 0, g->cols, lh, r);
				for (int x = 0; x < g->cols; x++) {
					at(g, 1 + lh, x)->ch = TG_HLINE;
					at(g, 1 + lh, x)->role = TR_BORDER;
				}
				draw_detail(t, v, g, 2 + lh, 0, g->cols, dh, r);
			}
		}
	}
	if (g->rows > 1)
		draw_status(t, v, g, g->rows - 1);
	if (t->help)
		draw_help(t, v, g);
	free(r);
}

/* Writes all of buf to fd. */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t k = write(fd, buf, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		buf += k;
		n -= (size_t)k;
	}
	return 0;
}

int tui_grid_write(const struct tui_grid *g, int ascii, int fd)
{
	char *line = malloc((size_t)g->cols * 4 + 2);
	if (!line)
		return -1;
	for (int y = 0; y < g->rows; y++) {
		size_t o = 0, end = 0;
		for (int x = 0; x < g->cols; x++) {
			uint32_t ch = tui_glyph(g->cells[(size_t)y * g->cols + x].ch, ascii);
			o += crimg_utf8_put(ch ? ch : ' ', line + o);
			if (ch != ' ' && ch)
				end = o;
		}
		line[end] = '\n';
		if (write_all(fd, line, end + 1) < 0) {
			free(line);
			return -1;
		}
	}
	free(line);
	return 0;
}
