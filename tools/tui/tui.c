/* The browser's state machine: the view stack, keys, prompts, search. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "tui.h"

struct tui_view *tui_view_new(const struct tui_view_ops *ops, void *priv, uint32_t pid)
{
	struct tui_view *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->ops = ops;
	v->priv = priv;
	v->pid = pid;
	return v;
}

static void view_free(struct tui_view *v)
{
	if (!v)
		return;
	if (v->ops->free)
		v->ops->free(v);
	free(v);
}

void tui_msg(struct tui *t, int role, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_role = role;
}

int tui_init(struct tui *t, struct crimg_ckpt *c, const char *src, const struct crimg_limits *l)
{
	struct crimg_error err;
	t->c = c;
	t->src = src;
	t->limits = l;
	if (!t->rows)
		t->rows = 24;
	if (!t->cols)
		t->cols = 80;
	crimg_error_clear(&err);
	if (crimg_ckpt_is_predump(c)) {
		snprintf(t->tree_err, sizeof(t->tree_err),
			 "a pre-dump: no process tree (its memory is under :search and the images)");
	} else {
		t->tree = crimg_ckpt_tree(c, &err);
		if (!t->tree)
			tui_errstr(&err, t->tree_err, sizeof(t->tree_err));
	}
	struct tui_view *v = t->tree ? tui_view_tree(t) : tui_view_images(t);
	if (!v)
		return -1;
	tui_push(t, v);
	if (!t->tree)
		tui_msg(t, TR_WARN, "no process tree: %s", t->tree_err);
	return t->depth ? 0 : -1;
}

void tui_fini(struct tui *t)
{
	while (t->depth)
		view_free(t->stack[--t->depth]);
}

void tui_push(struct tui *t, struct tui_view *v)
{
	if (!v)
		return; /* the constructor said why with tui_msg */
	if (t->depth == TUI_STACK_MAX) {
		/* drop the oldest view but the first, as a browser's history does */
		view_free(t->stack[1]);
		memmove(&t->stack[1], &t->stack[2], (TUI_STACK_MAX - 2) * sizeof(t->stack[0]));
		t->depth--;
	}
	t->stack[t->depth++] = v;
}

void tui_replace(struct tui *t, struct tui_view *v)
{
	if (!v)
		return;
	if (t->depth > 0)
		view_free(t->stack[--t->depth]);
	tui_push(t, v);
}

int tui_pop(struct tui *t)
{
	if (t->depth <= 1)
		return 0;
	view_free(t->stack[--t->depth]);
	return 1;
}

struct tui_view *tui_top(struct tui *t)
{
	return t->depth ? t->stack[t->depth - 1] : NULL;
}

static size_t count_of(struct tui *t, struct tui_view *v)
{
	return v->ops->count ? v->ops->count(t, v) : 0;
}

void tui_select(struct tui *t, struct tui_view *v, size_t i)
{
	size_t n = count_of(t, v);
	size_t h = v->list_rows > 0 ? (size_t)v->list_rows : 1;
	if (n == 0) {
		v->sel = v->top = 0;
		return;
	}
	if (i >= n)
		i = n - 1;
	v->sel = i;
	if (v->sel < v->top)
		v->top = v->sel;
	else if (v->sel >= v->top + h)
		v->top = v->sel - h + 1;
}

static void move_by(struct tui *t, struct tui_view *v, long d)
{
	if (v->focus_detail) {
		size_t n = v->ops->detail_count ? v->ops->detail_count(t, v, v->sel) : 0;
		size_t h = v->detail_rows > 0 ? (size_t)v->detail_rows : 1;
		size_t max = n > h ? n - h : 0;
		if (d < 0)
			v->dtop = (size_t)-d > v->dtop ? 0 : v->dtop + d;
		else
			v->dtop = v->dtop + d > max ? max : v->dtop + d;
		return;
	}
	if (d < 0)
		tui_select(t, v, (size_t)-d > v->sel ? 0 : v->sel + d);
	else
		tui_select(t, v, v->sel + d);
	v->dtop = 0;
}

/* Smart case, as tig and vim's smartcase: a pattern with no capital
 * letter matches either case. */
static int text_match(const char *text, const char *pat)
{
	for (const char *p = pat; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			return strstr(text, pat) != NULL;
	return strcasestr(text, pat) != NULL;
}

/* Searches the rows of v from the selection in direction dir. */
static int row_search(struct tui *t, struct tui_view *v, const char *pat, int dir)
{
	size_t n = count_of(t, v);
	struct tui_row *r = malloc(sizeof(*r));
	char *text = malloc(TUI_ROW_MAX * 4 + 1);
	int found = 0;
	if (!r || !text) {
		free(r);
		free(text);
		tui_msg(t, TR_ERROR, "out of memory");
		return 0;
	}
	for (size_t k = 1; k <= n && !found; k++) {
		size_t i = dir > 0 ? (v->sel + k) % n : (v->sel + n - k % n) % n;
		tui_row_reset(r);
		v->ops->row(t, v, i, r);
		tui_row_text(r, text, TUI_ROW_MAX * 4 + 1);
		if (text_match(text, pat)) {
			if ((dir > 0 && i <= v->sel) || (dir < 0 && i >= v->sel))
				tui_msg(t, TR_WARN, "search wrapped");
			tui_select(t, v, i);
			found = 1;
		}
	}
	free(r);
	free(text);
	return found;
}

static void do_search(struct tui *t, const char *pat, int dir)
{
	struct tui_view *v = tui_top(t);
	if (!*pat) {
		tui_msg(t, TR_WARN, "no pattern");
		return;
	}
	if (pat != t->last_search) /* n and N pass last_search itself */
		snprintf(t->last_search, sizeof(t->last_search), "%s", pat);
	if (pat != t->last_search || !t->last_dir)
		t->last_dir = dir;
	int hit = v->ops->search ? v->ops->search(t, v, pat, dir) : row_search(t, v, pat, dir);
	if (!hit && !t->msg[0])
		tui_msg(t, TR_WARN, "pattern not found: %s", pat);
}

static void start_prompt(struct tui *t, int kind, const char *label)
{
	t->prompt = kind;
	snprintf(t->prompt_label, sizeof(t->prompt_label), "%s", label);
	t->line_len = 0;
	t->line[0] = 0;
}

void tui_ask(struct tui *t, const char *label,
	     void (*done)(struct tui *t, struct tui_view *v, const char *text))
{
	start_prompt(t, 'v', label);
	t->prompt_done = done;
}

static void prompt_key(struct tui *t, int key)
{
	if (key == TK_ESC || key == TK_CTRL('g') || key == TK_CTRL('c')) {
		t->prompt = 0;
		return;
	}
	if (key == TK_BACKSPACE || key == TK_CTRL('h')) {
		if (!t->line_len) {
			t->prompt = 0;
			return;
		}
		/* back over a whole UTF-8 character */
		do
			t->line_len--;
		while (t->line_len && ((unsigned char)t->line[t->line_len] & 0xc0) == 0x80);
		t->line[t->line_len] = 0;
		return;
	}
	if (key == TK_CTRL('u')) {
		t->line_len = 0;
		t->line[0] = 0;
		return;
	}
	if (key == TK_ENTER) {
		int kind = t->prompt;
		char line[sizeof(t->line)];
		memcpy(line, t->line, sizeof(line));
		t->prompt = 0;
		if (kind == ':')
			tui_command(t, line);
		else if (kind == '/' || kind == '?')
			do_search(t, line, kind == '/' ? 1 : -1);
		else if (kind == 'v' && t->prompt_done)
			t->prompt_done(t, tui_top(t), line);
		return;
	}
	if (key >= 0x20 && key < 0x100 && key != 0x7f && t->line_len + 1 < sizeof(t->line)) {
		t->line[t->line_len++] = (char)key;
		t->line[t->line_len] = 0;
	}
}

static void help_key(struct tui *t, int key)
{
	switch (key) {
	case TK_UP:
		if (t->help_top)
			t->help_top--;
		return;
	case TK_DOWN:
		t->help_top++;
		return;
	case TK_PGUP:
		t->help_top = t->help_top > 10 ? t->help_top - 10 : 0;
		return;
	case TK_PGDN:
	case ' ':
		t->help_top += 10;
		return;
	case TK_RESIZE:
		return;
	case 'q':
	case TK_ESC:
	case TK_F1:
	case TK_ENTER:
	case TK_BACKSPACE:
	case '?':
		t->help = 0;
		return;
	}
	/* `?` then a pattern is a backward search, as in less: the overlay
	 * gives way to the prompt with what was typed */
	t->help = 0;
	if (key == ':' || key == '/') {
		start_prompt(t, key, key == ':' ? ":" : "/");
	} else if (key >= 0x20 && key < 0x100) {
		start_prompt(t, '?', "?");
		prompt_key(t, key);
	}
}

void tui_key(struct tui *t, int key)
{
	struct tui_view *v = tui_top(t);
	if (key != TK_RESIZE)
		t->msg[0] = 0;
	if (t->prompt) {
		prompt_key(t, key);
		return;
	}
	if (t->help) {
		help_key(t, key);
		return;
	}
	if (!v)
		return;
	if (v->ops->key && v->ops->key(t, v, key))
		return;
	long page = v->focus_detail ? v->detail_rows : v->list_rows;
	if (page < 1)
		page = 1;
	switch (key) {
	case TK_UP:
	case 'k':
		move_by(t, v, -1);
		break;
	case TK_DOWN:
	case 'j':
		move_by(t, v, 1);
		break;
	case TK_PGUP:
	case TK_CTRL('b'):
		move_by(t, v, -page);
		break;
	case TK_PGDN:
	case TK_CTRL('f'):
	case ' ':
		move_by(t, v, page);
		break;
	case TK_CTRL('u'):
		move_by(t, v, -(page / 2 ? page / 2 : 1));
		break;
	case TK_CTRL('d'):
		move_by(t, v, page / 2 ? page / 2 : 1);
		break;
	case 'g':
	case TK_HOME:
		if (v->focus_detail)
			v->dtop = 0;
		else
			tui_select(t, v, 0);
		break;
	case 'G':
	case TK_END:
		if (v->focus_detail)
			move_by(t, v, (long)(SIZE_MAX >> 2));
		else
			tui_select(t, v, SIZE_MAX);
		break;
	case TK_TAB:
	case TK_BTAB:
		if (v->ops->detail_count)
			v->focus_detail = !v->focus_detail;
		break;
	case TK_ENTER:
	case 'l':
	case TK_RIGHT:
		if (v->focus_detail)
			break;
		if (v->ops->enter && count_of(t, v))
			v->ops->enter(t, v, v->sel);
		break;
	case TK_BACKSPACE:
	case TK_ESC:
	case 'h':
	case TK_LEFT:
		if (v->focus_detail)
			v->focus_detail = 0;
		else if (!tui_pop(t) && key != TK_LEFT && key != 'h')
			tui_msg(t, TR_TEXT, "this is the first screen: q quits");
		break;
	case 'q':
		t->quit = 1;
		break;
	case ':':
		start_prompt(t, ':', ":");
		break;
	case '/':
		start_prompt(t, '/', "/");
		break;
	case '?':
	case TK_F1:
		t->help = 1;
		t->help_top = 0;
		break;
	case 'n':
	case 'N':
		if (!t->last_search[0])
			tui_msg(t, TR_WARN, "no previous search");
		else
			do_search(t, t->last_search, key == 'n' ? t->last_dir : -t->last_dir);
		break;
	case 'T':
		while (tui_pop(t))
			;
		if (tui_top(t)->ops != NULL && strcmp(tui_top(t)->ops->name, "tree") && t->tree)
			tui_push(t, tui_view_tree(t));
		break;
	case 'I':
		tui_push(t, tui_view_images(t));
		break;
	case 'C':
		tui_push(t, tui_view_meta(t));
		break;
	case TK_RESIZE:
		tui_select(t, v, v->sel);
		break;
	default:
		break;
	}
}
