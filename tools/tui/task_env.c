/* A task's command line and environment: one argument, one variable a
 * row, as the task's memory holds them ([arg_start, arg_end) and
 * [env_start, env_end) of mm-PID.img).  Enter opens the memory view at the
 * string. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui.h"

enum ekind {
	EK_TITLE, /* "command line (N arguments)", "environment (N)" */
	EK_STR,   /* one string */
	EK_ERROR, /* err of its part */
	EK_BLANK,
	EK_ZERO, /* the part reads as zeros only */
};

struct erow {
	unsigned char kind, part; /* part: 0 argv, 1 env */
	uint32_t idx;             /* the string's index in its part */
	size_t off, len;          /* in the part's bytes */
};

struct part {
	uint8_t *bytes;
	size_t len;
	uint64_t addr;
	size_t n;     /* strings */
	int trailing; /* bytes after the last NUL (a string cut short) */
	char err[300];
};

struct env_view {
	struct part p[2];
	struct erow *rows;
	size_t n_rows, cap;
	int zombie;
};

static void add(struct env_view *ev, int kind, int part, size_t idx, size_t off, size_t len)
{
	if (ev->n_rows == ev->cap) {
		size_t c = ev->cap ? ev->cap * 2 : 64;
		struct erow *r = realloc(ev->rows, c * sizeof(*r));
		if (!r)
			return;
		ev->rows = r;
		ev->cap = c;
	}
	ev->rows[ev->n_rows++] = (struct erow){ (unsigned char)kind, (unsigned char)part,
						(uint32_t)idx, off, len };
}

/* Splits a part into its strings (NUL-ended) and adds their rows. */
static void add_part(struct env_view *ev, int k)
{
	struct part *p = &ev->p[k];
	size_t title = ev->n_rows;
	add(ev, EK_TITLE, k, 0, 0, 0);
	if (!p->bytes) {
		add(ev, EK_ERROR, k, 0, 0, 0);
		return;
	}
	size_t s = 0, nz = 0;
	while (nz < p->len && !p->bytes[nz])
		nz++;
	if (nz == p->len) { /* no page saved for them: zeros, no strings */
		add(ev, EK_ZERO, k, 0, 0, 0);
		return;
	}
	for (size_t i = 0; i < p->len; i++)
		if (!p->bytes[i]) {
			add(ev, EK_STR, k, p->n++, s, i - s);
			s = i + 1;
		}
	if (s < p->len) { /* a last string without its NUL */
		p->trailing = 1;
		add(ev, EK_STR, k, p->n++, s, p->len - s);
	}
	if (title < ev->n_rows)
		ev->rows[title].idx = (uint32_t)p->n;
}

static size_t env_count(struct tui *t, struct tui_view *v)
{
	return ((struct env_view *)v->priv)->n_rows;
}

static void env_row(struct tui *t, struct tui_view *v, size_t i, struct tui_row *r)
{
	struct env_view *ev = v->priv;
	const struct erow *er = &ev->rows[i];
	const struct part *p = &ev->p[er->part];
	switch (er->kind) {
	case EK_BLANK:
		break;
	case EK_TITLE:
		tui_row_add(r, TR_HEADER, er->part ? "environment" : "command line");
		if (p->bytes) {
			tui_row_add(r, TR_DIM, "  %zu %s, %zu bytes at ", p->n,
				    er->part ? (p->n == 1 ? "variable" : "variables")
					     : (p->n == 1 ? "argument" : "arguments"),
				    p->len);
			tui_row_add(r, TR_ADDR, "0x%" PRIx64, p->addr);
		}
		break;
	case EK_ZERO:
		tui_row_add(r, TR_DIM, "  no strings: its %zu bytes read as zeros (no page saved)",
			    p->len);
		break;
	case EK_ERROR:
		tui_row_add(r, ev->zombie ? TR_WARN : TR_ERROR, "  %s", p->err);
		break;
	case EK_STR: {
		const char *s = (const char *)p->bytes + er->off;
		if (er->part == 0) {
			tui_row_add(r, TR_DIM, "  argv[%u] ", er->idx);
			tui_row_pad(r, 12);
			tui_row_addn(r, TR_TEXT, s, er->len);
		} else {
			const char *eq = memchr(s, '=', er->len);
			tui_row_add(r, TR_TEXT, "  ");
			if (eq) {
				tui_row_addn(r, TR_ACCENT, s, (size_t)(eq - s));
				tui_row_add(r, TR_DIM, "=");
				tui_row_addn(r, TR_TEXT, eq + 1, er->len - (size_t)(eq - s) - 1);
			} else {
				tui_row_addn(r, TR_TEXT, s, er->len);
			}
		}
		if (er->off + er->len == p->len && p->trailing)
			tui_row_add(r, TR_WARN, "  (no NUL: cut short)");
		break;
	}
	}
}

static void env_header(struct tui *t, struct tui_view *v, struct tui_row *r)
{
	tui_row_add(r, TR_HEADER, "  STRING");
}

static void env_enter(struct tui *t, struct tui_view *v, size_t sel)
{
	struct env_view *ev = v->priv;
	const struct erow *er = &ev->rows[sel];
	const struct part *p = &ev->p[er->part];
	if (er->kind == EK_STR)
		tui_push(t, tui_view_mem(t, v->pid, p->addr + er->off));
	else if (er->kind == EK_TITLE && p->bytes)
		tui_push(t, tui_view_mem(t, v->pid, p->addr));
}

static void env_title(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	tui_task_tabs(t, v->pid, TT_ENV, buf, n);
}

static void env_status(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct env_view *ev = v->priv;
	if (v->sel >= ev->n_rows)
		return;
	const struct erow *er = &ev->rows[v->sel];
	const struct part *p = &ev->p[er->part];
	if (er->kind == EK_STR)
		snprintf(buf, n, "%s %u/%zu  at 0x%" PRIx64 ", %zu bytes  Enter: memory",
			 er->part ? "variable" : "argument", er->idx + 1, p->n, p->addr + er->off,
			 er->len);
	else
		snprintf(buf, n, "%s", er->part ? "environment" : "command line");
}

static int env_key(struct tui *t, struct tui_view *v, int key)
{
	struct env_view *ev = v->priv;
	if (tui_task_tab_key(t, v, key))
		return 1;
	if (key == '}' || key == '{') {
		/* to the other part's title */
		for (size_t i = 0; i < ev->n_rows; i++)
			if (ev->rows[i].kind == EK_TITLE && ev->rows[i].part == (key == '}'))
				tui_select(t, v, i);
		return 1;
	}
	return 0;
}

static void env_free(struct tui_view *v)
{
	struct env_view *ev = v->priv;
	if (!ev)
		return;
	free(ev->p[0].bytes);
	free(ev->p[1].bytes);
	free(ev->rows);
	free(ev);
}

extern const char *const tui_task_help[];
static const char *env_help[8];

static const struct tui_view_ops env_ops = {
	.name = "env",
	.title = env_title,
	.count = env_count,
	.row = env_row,
	.header = env_header,
	.enter = env_enter,
	.key = env_key,
	.status = env_status,
	.help = env_help,
	.free = env_free,
};

struct tui_view *tui_tab_env(struct tui *t, uint32_t pid)
{
	struct env_view *ev = calloc(1, sizeof(*ev));
	if (!ev) {
		tui_msg(t, TR_ERROR, "out of memory");
		return NULL;
	}
	if (!env_help[0]) {
		size_t k = 0;
		for (; tui_task_help[k] && k < 4; k++)
			env_help[k] = tui_task_help[k];
		env_help[k++] = "  Enter           the string in the memory view";
		env_help[k++] = "  { }             the command line, the environment";
		env_help[k] = NULL;
	}
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_task *task = tui_task(t, pid);
	struct crimg_mem *m = NULL;
	if (!task) {
		snprintf(ev->p[0].err, sizeof(ev->p[0].err), "pid %u: no such task%s%s", pid,
			 t->tree ? "" : ": ", t->tree ? "" : t->tree_err);
	} else {
		const struct crimg_task_brief *b = crimg_task_brief(t->c, task, &err);
		if (b && (b->state == CRIMG_TASK_DEAD || b->state == CRIMG_TASK_ZOMBIE)) {
			ev->zombie = 1;
			snprintf(ev->p[0].err, sizeof(ev->p[0].err),
				 "none: a zombie keeps no memory");
		} else {
			crimg_error_clear(&err);
			m = crimg_mem_open(t->c, pid, NULL, &err);
			if (!m)
				tui_errstr(&err, ev->p[0].err, sizeof(ev->p[0].err));
		}
	}
	if (m) {
		for (int k = 0; k < 2; k++) {
			struct part *p = &ev->p[k];
			crimg_error_clear(&err);
			p->bytes = crimg_mem_area(m, k ? CRIMG_MEM_ENV : CRIMG_MEM_ARGV, &p->len,
						  &p->addr, &err);
			if (!p->bytes)
				tui_errstr(&err, p->err, sizeof(p->err));
		}
		crimg_mem_close(m);
	} else {
		memcpy(ev->p[1].err, ev->p[0].err, sizeof(ev->p[1].err));
	}
	add_part(ev, 0);
	add(ev, EK_BLANK, 0, 0, 0, 0);
	add_part(ev, 1);
	struct tui_view *v = tui_view_new(&env_ops, ev, pid);
	if (!v) {
		env_free(&(struct tui_view){ .priv = ev });
		tui_msg(t, TR_ERROR, "out of memory");
	}
	return v;
}
