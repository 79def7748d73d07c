/* A task's screens are tabs: each tab is its own view (task_*.c), and
 * switching replaces the top view with the same task's other tab. */
#include <stdio.h>
#include <string.h>
#include "tui.h"

static const char *const tab_names[TT_N] = {
	"summary", "registers", "maps", "fds", "sockets", "env",
};
/* The key that picks each tab. */
static const int tab_keys[TT_N] = { 's', 'r', 'm', 'f', 'k', 'e' };

struct tui_view *tui_view_task(struct tui *t, uint32_t pid, enum tui_tab tab)
{
	switch (tab) {
	case TT_SUMMARY:
		return tui_tab_summary(t, pid);
	case TT_REGS:
		return tui_tab_regs(t, pid);
	case TT_MAPS:
		return tui_tab_maps(t, pid);
	case TT_FDS:
		return tui_tab_fds(t, pid);
	case TT_SOCKETS:
		return tui_tab_sockets(t, pid);
	case TT_ENV:
		return tui_tab_env(t, pid);
	default:
		return NULL;
	}
}

static enum tui_tab tab_of(const struct tui_view *v)
{
	for (int i = 0; i < TT_N; i++)
		if (!strcmp(v->ops->name, tab_names[i]))
			return (enum tui_tab)i;
	return TT_SUMMARY;
}

void tui_task_tabs(struct tui *t, uint32_t pid, enum tui_tab tab, char *buf, size_t n)
{
	const struct crimg_task *task = tui_task(t, pid);
	const char *comm = "";
	size_t o;
	if (task) {
		struct crimg_error err;
		crimg_error_clear(&err);
		const struct crimg_task_brief *b = crimg_task_brief(t->c, task, &err);
		if (b && b->comm)
			comm = b->comm;
	}
	o = (size_t)snprintf(buf, n, "pid %u%s%s%s:", pid, *comm ? " (" : "", comm,
			     *comm ? ")" : "");
	for (int i = 0; i < TT_N && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, i == (int)tab ? " [%s]" : " %s",
				      tab_names[i]);
}

int tui_task_tab_key(struct tui *t, struct tui_view *v, int key)
{
	enum tui_tab cur = tab_of(v), next = cur;
	if (key == ']' || key == '>')
		next = (enum tui_tab)((cur + 1) % TT_N);
	else if (key == '[' || key == '<')
		next = (enum tui_tab)((cur + TT_N - 1) % TT_N);
	else if (key == 'x') {
		tui_push(t, tui_view_mem(t, v->pid, 0));
		return 1;
	} else {
		int i;
		for (i = 0; i < TT_N && tab_keys[i] != key; i++)
			;
		if (i == TT_N)
			return 0;
		next = (enum tui_tab)i;
	}
	if (next != cur)
		tui_replace(t, tui_view_task(t, v->pid, next));
	return 1;
}

/* For the help overlay of every tab. */
const char *const tui_task_help[] = {
	"  [ ]  < >        previous, next tab",
	"  s r m f k e     summary, registers, maps, fds, sockets, env",
	"  x               the task's memory (hex view)",
	NULL,
};
