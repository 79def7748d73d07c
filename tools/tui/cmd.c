/* The `:` command line: every screen accepts these. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tui.h"

/* The commands and what they do, for :help and the help overlay. */
const char *const tui_commands_help[] = {
	":pid N          the task N (its summary)",
	":goto ADDR      memory of the current task at ADDR (hex; N. decimal)",
	":mem [PID]      memory of task PID (or the current one)",
	":search TEXT    every task's memory for TEXT, hits listed",
	":image NAME     image NAME (core-1 or core-1.img) as a JSON tree",
	":images         every image with its kind and entry count",
	":tree           the process tree",
	":meta           the container's metadata",
	":save-screen F  the screen as text into file F",
	":help           this help",
	":quit  :q       leave",
	NULL,
};

static struct tui_view *need_task(struct tui *t, const char *arg, uint32_t *pid)
{
	uint64_t n;
	char *end;
	if (arg && *arg) {
		n = strtoull(arg, &end, 10);
		if (*end || n == 0 || n > UINT32_MAX) {
			tui_msg(t, TR_ERROR, "not a pid: %s", arg);
			return NULL;
		}
		*pid = (uint32_t)n;
	} else {
		struct tui_view *v = tui_top(t);
		if (!v || !v->pid) {
			tui_msg(t, TR_ERROR, "no task here: give a pid (:pid N first)");
			return NULL;
		}
		*pid = v->pid;
	}
	if (!tui_task(t, *pid) && !crimg_ckpt_is_predump(t->c)) {
		tui_msg(t, TR_ERROR, "no task %u in this checkpoint", *pid);
		return NULL;
	}
	return tui_top(t);
}

static int save_screen(struct tui *t, const char *path)
{
	char full[4096];
	if (!t->grid) {
		tui_msg(t, TR_ERROR, "nothing drawn yet");
		return -1;
	}
	if (t->save_dir && path[0] != '/')
		snprintf(full, sizeof(full), "%s/%s", t->save_dir, path);
	else
		snprintf(full, sizeof(full), "%s", path);
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_outfile *f = crimg_outfile_open(full, 0, &err);
	if (!f) {
		char e[300];
		tui_msg(t, TR_ERROR, "%s", crimg_error_str(&err, e, sizeof(e)));
		return -1;
	}
	if (tui_grid_write(t->grid, t->ascii, crimg_outfile_fd(f)) < 0) {
		crimg_outfile_abort(f);
		tui_msg(t, TR_ERROR, "%s: cannot write the screen", full);
		return -1;
	}
	if (crimg_outfile_commit(f, &err) < 0) {
		char e[300];
		tui_msg(t, TR_ERROR, "%s", crimg_error_str(&err, e, sizeof(e)));
		return -1;
	}
	tui_msg(t, TR_TEXT, "screen saved to %s", path); /* as given: no temp dir in goldens */
	return 0;
}

int tui_command(struct tui *t, const char *line)
{
	char buf[256], *cmd, *arg;
	uint32_t pid;
	uint64_t addr;
	snprintf(buf, sizeof(buf), "%s", line);
	cmd = buf + strspn(buf, " ");
	arg = cmd + strcspn(cmd, " ");
	if (*arg)
		*arg++ = 0;
	arg += strspn(arg, " ");
	for (size_t n = strlen(arg); n && arg[n - 1] == ' '; n--)
		arg[n - 1] = 0;

	if (!*cmd)
		return 0;
	if (!strcmp(cmd, "q") || !strcmp(cmd, "quit") || !strcmp(cmd, "q!") || !strcmp(cmd, "qa")) {
		t->quit = 1;
		return 0;
	}
	if (!strcmp(cmd, "pid")) {
		if (!*arg) {
			tui_msg(t, TR_ERROR, "usage: :pid N");
			return -1;
		}
		if (!need_task(t, arg, &pid))
			return -1;
		tui_push(t, tui_view_task(t, pid, TT_SUMMARY));
		return 0;
	}
	if (!strcmp(cmd, "goto") || !strcmp(cmd, "g")) {
		struct tui_view *v = tui_top(t);
		if (tui_parse_addr(arg, &addr) < 0) {
			tui_msg(t, TR_ERROR, "usage: :goto ADDR (hex, or N. for decimal)");
			return -1;
		}
		if (v && !strcmp(v->ops->name, "mem"))
			return tui_mem_goto(t, v, addr);
		if (!need_task(t, NULL, &pid))
			return -1;
		tui_push(t, tui_view_mem(t, pid, addr));
		return 0;
	}
	if (!strcmp(cmd, "mem")) {
		if (!need_task(t, arg, &pid))
			return -1;
		tui_push(t, tui_view_mem(t, pid, 0));
		return 0;
	}
	if (!strcmp(cmd, "search")) {
		if (!*arg) {
			tui_msg(t, TR_ERROR, "usage: :search TEXT");
			return -1;
		}
		tui_push(t, tui_view_search(t, arg));
		return 0;
	}
	if (!strcmp(cmd, "image")) {
		if (!*arg) {
			tui_msg(t, TR_ERROR, "usage: :image NAME");
			return -1;
		}
		tui_push(t, tui_view_json(t, arg));
		return 0;
	}
	if (!strcmp(cmd, "images")) {
		tui_push(t, tui_view_images(t));
		return 0;
	}
	if (!strcmp(cmd, "tree")) {
		if (!t->tree) {
			tui_msg(t, TR_ERROR, "no process tree: %s", t->tree_err);
			return -1;
		}
		tui_key(t, 'T');
		return 0;
	}
	if (!strcmp(cmd, "meta")) {
		tui_push(t, tui_view_meta(t));
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "h")) {
		t->help = 1;
		t->help_top = 0;
		return 0;
	}
	if (!strcmp(cmd, "save-screen")) {
		if (!*arg) {
			tui_msg(t, TR_ERROR, "usage: :save-screen FILE");
			return -1;
		}
		return save_screen(t, arg);
	}
	/* for the tests of terminal restoration: a fatal error on demand */
	if (!strcmp(cmd, "fatal-test") && getenv("CRIMG_TUI_TEST"))
		abort();
	tui_msg(t, TR_ERROR, "unknown command :%s (:help lists them)", cmd);
	return -1;
}
