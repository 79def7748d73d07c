/* A task's file descriptors, each resolved to what it is (task_files.c):
 * Enter on a pipe or a unix socket follows it to its other end. */
#include <stdio.h>
#include <string.h>
#include "task_files.h"

static void fds_title(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	tui_task_tabs(t, v->pid, TT_FDS, buf, n);
}

static void fds_header(struct tui *t, struct tui_view *v, struct tui_row *r)
{
	tui_row_add(r, TR_HEADER, "  FD  TYPE       WHAT");
}

static void fds_row(struct tui *t, struct tui_view *v, size_t i, struct tui_row *r)
{
	struct tf_view *fv = v->priv;
	if (tf_error_row(fv, r))
		return;
	const struct crimg_fd *fd = tf_fd(fv, i);
	const char *tn = crimg_fd_type_name(fd->type);
	tui_row_add(r, TR_ADDR, "%4u", fd->fd);
	tui_row_add(r, TR_DIM, "%s", fd->flags & 1 ? "* " : "  ");
	if (tn)
		tui_row_add(r, TR_ACCENT, "%-10s ", tn);
	else
		tui_row_add(r, TR_WARN, "%-10u ", fd->type);
	tf_what(t, fv, fd, r);
}

static void fds_enter(struct tui *t, struct tui_view *v, size_t sel)
{
	tf_follow(t, v, sel, TT_FDS);
}

static int fds_key(struct tui *t, struct tui_view *v, int key)
{
	return tui_task_tab_key(t, v, key);
}

static const char *const fds_help[] = {
	"  Enter           follow a pipe to its other end, a unix socket to its peer",
	"  *               after the fd number: close-on-exec",
	"  [ ]  < >        previous, next tab",
	"  s r m f k e     summary, registers, maps, fds, sockets, env",
	"  x               the task's memory (hex view)",
	NULL,
};

static const struct tui_view_ops fds_ops = {
	.name = "fds",
	.title = fds_title,
	.count = tf_count,
	.row = fds_row,
	.header = fds_header,
	.detail_count = tf_detail_count,
	.detail_row = tf_detail_row,
	.enter = fds_enter,
	.key = fds_key,
	.status = tf_status,
	.help = fds_help,
	.free = tf_view_free,
};

struct tui_view *tui_tab_fds(struct tui *t, uint32_t pid)
{
	return tf_view_new(t, pid, &fds_ops, 0);
}
