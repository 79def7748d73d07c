/* The first screen: the process tree, a detail pane for the selected task. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui.h"

struct tree_view {
	size_t n;
	/* per row (the tree's depth-first order): is the task the last child
	 * of its parent, for the tree lines; and its command line, read from
	 * its memory the first time the row is shown */
	unsigned char *last;
	char **cmdline;
	const struct crimg_task **row_of; /* row -> task */
};

/* The index of task in the tree's order (its row). */
static size_t row_index(struct tui *t, struct tree_view *tv, const struct crimg_task *task)
{
	for (size_t i = 0; i < tv->n; i++)
		if (tv->row_of[i] == task)
			return i;
	return 0;
}

static const char *cmdline_of(struct tui *t, struct tree_view *tv, size_t i)
{
	const struct crimg_task *task = tv->row_of[i];
	struct crimg_error err;
	if (tv->cmdline[i])
		return tv->cmdline[i];
	crimg_error_clear(&err);
	const char *s = "";
	char *out = NULL;
	struct crimg_mem *m = crimg_mem_open(t->c, task->pid, NULL, &err);
	if (m) {
		size_t len;
		uint64_t addr;
		uint8_t *p = crimg_mem_area(m, CRIMG_MEM_ARGV, &len, &addr, &err);
		if (p) {
			/* NULs between arguments become spaces, as ps shows them */
			while (len && !p[len - 1])
				len--;
			for (size_t k = 0; k < len; k++)
				if (!p[k])
					p[k] = ' ';
			out = malloc(len + 1);
			if (out) {
				memcpy(out, p, len);
				out[len] = 0;
			}
			free(p);
		}
		crimg_mem_close(m);
	}
	if (!out)
		out = strdup(s);
	tv->cmdline[i] = out;
	return out ? out : "";
}

static size_t tree_count(struct tui *t, struct tui_view *v)
{
	return ((struct tree_view *)v->priv)->n;
}

static void tree_header(struct tui *t, struct tui_view *v, struct tui_row *r)
{
	tui_row_add(r, TR_HEADER, "    PID STATE    THR  COMM / COMMAND");
}

static void tree_row(struct tui *t, struct tui_view *v, size_t i, struct tui_row *r)
{
	struct tree_view *tv = v->priv;
	const struct crimg_task *task = tv->row_of[i];
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_task_brief *b = crimg_task_brief(t->c, task, &err);
	const char *state = b ? crimg_task_state_name(b->state) : "?";
	int warn = b && b->state != CRIMG_TASK_ALIVE;
	tui_row_add(r, TR_ADDR, "%7u ", task->pid);
	tui_row_add(r, b ? (warn ? TR_WARN : TR_TEXT) : TR_ERROR, "%-8.8s", state);
	tui_row_add(r, TR_TEXT, " %3zu  ", task->n_threads);
	/* tree lines: for each ancestor level, a bar when that ancestor has
	 * later siblings; then a tee or a corner for the task itself */
	unsigned depth = task->depth;
	if (depth > 0) {
		unsigned shown = depth > 16 ? 16 : depth;
		const struct crimg_task *anc[16];
		const struct crimg_task *p = task;
		for (unsigned k = 0; k < shown; k++) {
			anc[shown - 1 - k] = p;
			p = p->parent ? p->parent : p;
		}
		for (unsigned k = 0; k + 1 < shown; k++) {
			size_t ri = row_index(t, tv, anc[k]);
			if (tv->last[ri])
				tui_row_add(r, TR_BORDER, "  ");
			else {
				tui_row_glyph(r, TR_BORDER, TG_VLINE);
				tui_row_add(r, TR_BORDER, " ");
			}
		}
		tui_row_glyph(r, TR_BORDER, tv->last[i] ? TG_CORNER : TG_TEE);
		tui_row_glyph(r, TR_BORDER, TG_HLINE);
	}
	if (b) {
		tui_row_addn(r, TR_ACCENT, b->comm, strlen(b->comm));
	} else {
		char e[200];
		tui_errstr(&err, e, sizeof(e));
		tui_row_add(r, TR_ERROR, "%s", e);
		return;
	}
	if (b->state == CRIMG_TASK_ALIVE || b->state == CRIMG_TASK_STOPPED) {
		const char *cl = cmdline_of(t, tv, i);
		if (*cl) {
			tui_row_add(r, TR_TEXT, "  ");
			tui_row_addn(r, TR_DIM, cl, strlen(cl));
		}
	}
}

/* The command line wraps at the pane's width. */
static size_t wrap_width(struct tui_view *v)
{
	return v->detail_cols > 10 ? (size_t)v->detail_cols : 40;
}

static size_t tree_detail_count(struct tui *t, struct tui_view *v, size_t sel)
{
	struct tree_view *tv = v->priv;
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_task_brief *b = crimg_task_brief(t->c, tv->row_of[sel], &err);
	if (!b || (b->state != CRIMG_TASK_ALIVE && b->state != CRIMG_TASK_STOPPED))
		return 6;
	size_t len = strlen(cmdline_of(t, tv, sel)), w = wrap_width(v);
	return 7 + (len + w - 1) / w;
}

static void tree_detail_row(struct tui *t, struct tui_view *v, size_t sel, size_t i,
			    struct tui_row *r)
{
	struct tree_view *tv = v->priv;
	const struct crimg_task *task = tv->row_of[sel];
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_task_brief *b = crimg_task_brief(t->c, task, &err);
	switch (i) {
	case 0:
		tui_row_add(r, TR_HEADER, "pid %u", task->pid);
		if (b) {
			tui_row_add(r, TR_HEADER, "  ");
			tui_row_addn(r, TR_ACCENT, b->comm, strlen(b->comm));
		}
		break;
	case 1:
		tui_row_add(r, TR_DIM, "ppid ");
		tui_row_add(r, TR_TEXT, "%u", task->ppid);
		tui_row_add(r, TR_DIM, "  pgid ");
		tui_row_add(r, TR_TEXT, "%u", task->pgid);
		tui_row_add(r, TR_DIM, "  sid ");
		tui_row_add(r, TR_TEXT, "%u", task->sid);
		break;
	case 2:
		tui_row_add(r, TR_DIM, "state ");
		if (!b) {
			char e[200];
			tui_errstr(&err, e, sizeof(e));
			tui_row_add(r, TR_ERROR, "%s", e);
		} else if (b->state == CRIMG_TASK_DEAD || b->state == CRIMG_TASK_ZOMBIE) {
			uint32_t c = b->exit_code;
			tui_row_add(r, TR_WARN, "zombie, ");
			if (c & 0x7f)
				tui_row_add(r, TR_WARN, "killed by signal %u", c & 0x7f);
			else
				tui_row_add(r, TR_WARN, "exited with status %u", (c >> 8) & 0xff);
		} else {
			tui_row_add(r, b->state == CRIMG_TASK_ALIVE ? TR_TEXT : TR_WARN, "%s",
				    crimg_task_state_name(b->state));
		}
		break;
	case 3: {
		tui_row_add(r, TR_DIM, "threads ");
		for (size_t k = 0; k < task->n_threads && r->n < TUI_ROW_MAX - 12; k++)
			tui_row_add(r, TR_TEXT, "%s%u", k ? " " : "", task->threads[k]);
		break;
	}
	case 4:
		tui_row_add(r, TR_DIM, "children ");
		tui_row_add(r, TR_TEXT, "%zu", task->n_children);
		break;
	case 5:
		tui_row_add(r, TR_DIM, "Enter: summary  r: registers  m: maps  f: fds  x: memory");
		break;
	case 6:
		if (b && (b->state == CRIMG_TASK_ALIVE || b->state == CRIMG_TASK_STOPPED)) {
			tui_row_add(r, TR_DIM, "command");
		}
		break;
	default:
		/* the command line, wrapped over the remaining rows */
		if (b && (b->state == CRIMG_TASK_ALIVE || b->state == CRIMG_TASK_STOPPED)) {
			const char *cl = cmdline_of(t, tv, sel);
			size_t w = wrap_width(v), off = (i - 7) * w, len = strlen(cl);
			if (off < len)
				tui_row_addn(r, TR_TEXT, cl + off, len - off < w ? len - off : w);
		}
		break;
	}
}

static void tree_enter(struct tui *t, struct tui_view *v, size_t sel)
{
	struct tree_view *tv = v->priv;
	tui_push(t, tui_view_task(t, tv->row_of[sel]->pid, TT_SUMMARY));
}

static void tree_title(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct tree_view *tv = v->priv;
	/* :goto and :mem act on the selected task */
	v->pid = tv->n ? tv->row_of[v->sel]->pid : 0;
	snprintf(buf, n, "process tree (%zu task%s)", tv->n, tv->n == 1 ? "" : "s");
}

static void tree_status(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct tree_view *tv = v->priv;
	if (tv->n)
		snprintf(buf, n, "%zu/%zu  pid %u  Enter: task  x: memory", v->sel + 1, tv->n,
			 tv->row_of[v->sel]->pid);
}

static int tree_key(struct tui *t, struct tui_view *v, int key)
{
	struct tree_view *tv = v->priv;
	if (!tv->n)
		return 0;
	uint32_t pid = tv->row_of[v->sel]->pid;
	switch (key) {
	case 'x':
		tui_push(t, tui_view_mem(t, pid, 0));
		return 1;
	case 'p': /* to the parent's row */
		if (tv->row_of[v->sel]->parent)
			tui_select(t, v, row_index(t, tv, tv->row_of[v->sel]->parent));
		return 1;
	}
	/* the tab keys open that tab of the selected task */
	static const struct {
		int key;
		enum tui_tab tab;
	} tabs[] = { { 's', TT_SUMMARY }, { 'r', TT_REGS },    { 'm', TT_MAPS },
		     { 'f', TT_FDS },     { 'k', TT_SOCKETS }, { 'e', TT_ENV } };
	for (size_t i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++)
		if (tabs[i].key == key) {
			tui_push(t, tui_view_task(t, pid, tabs[i].tab));
			return 1;
		}
	return 0;
}

static void tree_free(struct tui_view *v)
{
	struct tree_view *tv = v->priv;
	if (!tv)
		return;
	for (size_t i = 0; i < tv->n; i++)
		free(tv->cmdline[i]);
	free(tv->cmdline);
	free(tv->last);
	free(tv->row_of);
	free(tv);
}

static const char *const tree_help[] = {
	"  Enter           the task's summary",
	"  s r m f k e     the task's summary, registers, maps, fds, sockets, env",
	"  x               the task's memory (hex view)",
	"  p               the parent's row",
	NULL,
};

static const struct tui_view_ops tree_ops = {
	.name = "tree",
	.title = tree_title,
	.count = tree_count,
	.row = tree_row,
	.header = tree_header,
	.detail_count = tree_detail_count,
	.detail_row = tree_detail_row,
	.enter = tree_enter,
	.key = tree_key,
	.status = tree_status,
	.help = tree_help,
	.free = tree_free,
};

struct tui_view *tui_view_tree(struct tui *t)
{
	const struct crimg_tree *tr = t->tree;
	struct tree_view *tv = calloc(1, sizeof(*tv));
	if (!tv || !tr)
		goto oom;
	tv->n = tr->n_tasks;
	tv->last = calloc(tv->n + 1, 1);
	tv->cmdline = calloc(tv->n + 1, sizeof(char *));
	tv->row_of = calloc(tv->n + 1, sizeof(*tv->row_of));
	if (!tv->last || !tv->cmdline || !tv->row_of)
		goto oom;
	for (size_t i = 0; i < tv->n; i++) {
		const struct crimg_task *task = tr->order[i];
		tv->row_of[i] = task;
		const struct crimg_task *p = task->parent;
		tv->last[i] = !p || (p->n_children && p->children[p->n_children - 1] == task);
	}
	struct tui_view *v = tui_view_new(&tree_ops, tv, 0);
	if (v)
		return v;
oom:
	if (tv) {
		free(tv->last);
		free(tv->cmdline);
		free(tv->row_of);
		free(tv);
	}
	tui_msg(t, TR_ERROR, "out of memory");
	return NULL;
}
