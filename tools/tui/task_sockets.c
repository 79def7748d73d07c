/* A task's sockets (unix, inet, netlink, packet) as ss shows them, with
 * peers resolved (task_files.c), queued data and a warning on a TCP
 * connection whose tcp-stream image is missing.  Enter follows a unix
 * socket to its peer. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "task_files.h"

static void sk_title(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	tui_task_tabs(t, v->pid, TT_SOCKETS, buf, n);
}

/* The local address column fits the widest of this task's sockets. */
static int local_w(struct tf_view *fv)
{
	char a[128];
	if (fv->local_w)
		return fv->local_w;
	fv->local_w = 12;
	for (size_t i = 0; i < fv->n; i++) {
		const struct crimg_file *f = tf_fd(fv, i)->file;
		int w = 0;
		if (f && f->type == CRIMG_FD_INETSK)
			w = (int)strlen(tf_endpoint(f->u.inet.family, f->u.inet.src,
						    f->u.inet.src_port, a, sizeof(a)));
		if (w > fv->local_w)
			fv->local_w = w > 40 ? 40 : w;
	}
	return fv->local_w;
}

static void sk_header(struct tui *t, struct tui_view *v, struct tui_row *r)
{
	struct tf_view *fv = v->priv;
	tui_row_add(r, TR_HEADER, "  FD NETID STATE       QUEUED  %-*s PEER", local_w(fv), "LOCAL");
}

static const char *netid(const struct crimg_file *f, char *buf, size_t n)
{
	switch (f->type) {
	case CRIMG_FD_UNIXSK:
		switch (f->u.usk.type) {
		case 1:
			return "u_str";
		case 2:
			return "u_dgr";
		case 5:
			return "u_seq";
		default:
			return "unix";
		}
	case CRIMG_FD_INETSK:
		return tf_inet_proto(f, buf, n);
	case CRIMG_FD_PACKETSK:
		return f->u.packet.type == 2 ? "p_dgr" : "p_raw";
	case CRIMG_FD_NETLINKSK:
		return "nl";
	default:
		return "?";
	}
}

/* Data queued: what a unix or packet socket has to read; a TCP
 * connection's receive and send queues ("in/out"); "-" when unknown. */
static void queue_col(struct tui *t, struct tf_view *fv, size_t i, const struct crimg_file *f,
		      struct tui_row *r)
{
	char a[16], b[16], q[40];
	int col = r->n;
	int64_t in, out;
	const struct tf_queue *sq = tf_queued(t, fv, f);
	if (f->type == CRIMG_FD_UNIXSK || f->type == CRIMG_FD_PACKETSK) {
		uint64_t n = sq ? sq->bytes : 0;
		tui_row_add(r, n ? TR_TEXT : TR_DIM, "%s", tf_size(n, a, sizeof(a)));
	} else if (f->type == CRIMG_FD_INETSK && !tf_tcp_queues(t, fv, i, &in, &out)) {
		snprintf(q, sizeof(q), "%s/%s", tf_size((uint64_t)in, a, sizeof(a)),
			 tf_size((uint64_t)out, b, sizeof(b)));
		tui_row_add(r, in || out ? TR_TEXT : TR_DIM, "%s", q);
	} else {
		tui_row_add(r, TR_DIM, "-");
	}
	tui_row_pad(r, col + 7);
	tui_row_add(r, TR_TEXT, " ");
}

static void sk_row(struct tui *t, struct tui_view *v, size_t i, struct tui_row *r)
{
	struct tf_view *fv = v->priv;
	char a[128], b[128], nb[16];
	if (tf_error_row(fv, r))
		return;
	const struct crimg_fd *fd = tf_fd(fv, i);
	const struct crimg_file *f = fd->file;
	tui_row_add(r, TR_ADDR, "%4u ", fd->fd);
	if (!f) {
		tf_what(t, fv, fd, r);
		return;
	}
	tui_row_add(r, TR_ACCENT, "%-5s ", netid(f, nb, sizeof(nb)));
	const char *st = NULL;
	if (f->type == CRIMG_FD_UNIXSK)
		st = crimg_sk_state_name(f->u.usk.state);
	else if (f->type == CRIMG_FD_INETSK)
		st = crimg_sk_state_name(f->u.inet.state);
	tui_row_add(r, TR_TEXT, "%-11s ", st ? st : "-");
	queue_col(t, fv, i, f, r);
	int lw = local_w(fv);
	switch (f->type) {
	case CRIMG_FD_UNIXSK:
		/* as ss: the name or "*", and the inode */
		tf_unix_name(f, a, sizeof(a));
		int col = r->n;
		if (*a)
			tui_row_addn(r, TR_ACCENT, a, strlen(a) > 13 ? 13 : strlen(a));
		else
			tui_row_add(r, TR_DIM, "*");
		tui_row_add(r, TR_DIM, " %u", f->u.usk.ino);
		tui_row_pad(r, col + lw + 1);
		tf_peer_add(t, fv, fd, r);
		break;
	case CRIMG_FD_INETSK:
		tui_row_add(r, TR_TEXT, "%-*s ", lw,
			    tf_endpoint(f->u.inet.family, f->u.inet.src, f->u.inet.src_port, a,
					sizeof(a)));
		if (f->u.inet.dst_port && f->u.inet.state != 10)
			tui_row_add(r, TR_TEXT, "%s",
				    tf_endpoint(f->u.inet.family, f->u.inet.dst, f->u.inet.dst_port,
						b, sizeof(b)));
		if (tf_stream_missing(t, fv, f))
			tui_row_add(r, TR_WARN, " ! no tcp-stream image");
		tf_peer_add(t, fv, fd, r);
		break;
	case CRIMG_FD_PACKETSK:
		tui_row_add(r, TR_TEXT, "ifindex %u proto 0x%04x", f->u.packet.ifindex,
			    f->u.packet.protocol);
		break;
	case CRIMG_FD_NETLINKSK:
		snprintf(a, sizeof(a), "proto %u port %u", f->u.netlink.protocol,
			 f->u.netlink.portid);
		tui_row_add(r, TR_TEXT, "%-*s %u", lw, a, f->u.netlink.dst_portid);
		break;
	default:
		tf_what(t, fv, fd, r);
		break;
	}
}

static void sk_enter(struct tui *t, struct tui_view *v, size_t sel)
{
	tf_follow(t, v, sel, TT_SOCKETS);
}

static int sk_key(struct tui *t, struct tui_view *v, int key)
{
	return tui_task_tab_key(t, v, key);
}

static const char *const sk_help[] = {
	"  Enter           follow a socket to its peer (unix, or inet in the dump)",
	"  QUEUED          data to read (sk-queues.img); TCP: in/out (tcp-stream)",
	"  !               a TCP connection whose tcp-stream image is missing",
	"  [ ]  < >        previous, next tab",
	"  s r m f k e     summary, registers, maps, fds, sockets, env",
	"  x               the task's memory (hex view)",
	NULL,
};

static const struct tui_view_ops sk_ops = {
	.name = "sockets",
	.title = sk_title,
	.count = tf_count,
	.row = sk_row,
	.header = sk_header,
	.detail_count = tf_detail_count,
	.detail_row = tf_detail_row,
	.enter = sk_enter,
	.key = sk_key,
	.status = tf_status,
	.help = sk_help,
	.free = tf_view_free,
};

struct tui_view *tui_tab_sockets(struct tui *t, uint32_t pid)
{
	return tf_view_new(t, pid, &sk_ops, 1);
}
