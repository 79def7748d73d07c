/*
 * crit inspect: the words for one process and its descriptors, and the
 * units the tree view writes sizes and times in.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"
#include "sk_name.h"
#include "util.h"

int insp_is_zombie(const struct crimg_task_brief *b)
{
	return b->state == CRIMG_TASK_DEAD || b->state == CRIMG_TASK_ZOMBIE;
}

int insp_strings(struct crimg_ckpt *c, const struct crimg_task *t, enum crimg_mem_area a,
		 uint8_t **buf, size_t *len, struct crimg_error *err)
{
	uint64_t addr;
	*buf = NULL;
	*len = 0;
	struct crimg_mem *m = crimg_mem_open(c, t->pid, NULL, err);
	if (!m)
		return -1;
	uint8_t *b = crimg_mem_area(m, a, len, &addr, err);
	crimg_mem_close(m);
	if (!b)
		return -1;
	/* trailing NULs are pages CRIU did not save, or padding */
	while (*len && !b[*len - 1])
		(*len)--;
	*buf = b;
	return 0;
}

char *insp_clean(const void *src, size_t n)
{
	const uint8_t *s = src;
	char *out = malloc(4 * n + 1), *w = out;
	if (!out)
		die("out of memory");
	for (size_t i = 0; i < n; i++) {
		size_t u;
		if (s[i] >= 0x20 && s[i] < 0x7f) {
			*w++ = (char)s[i];
		} else if (s[i] >= 0x80 && (u = crimg_utf8_char(s + i, n - i, NULL))) {
			memcpy(w, s + i, u);
			w += u;
			i += u - 1;
		} else {
			w += sprintf(w, "\\x%02x", s[i]);
		}
	}
	*w = '\0';
	return out;
}

char *insp_cmdline(const uint8_t *b, size_t n)
{
	/* worst case: every byte escaped (4) inside quotes, plus separators */
	char *out = malloc(4 * n + 3 * (n + 1) + 1), *w = out;
	if (!out)
		die("out of memory");
	int first = 1;
	for (size_t s = 0; s < n;) {
		size_t e = s;
		while (e < n && b[e])
			e++;
		if (!first)
			*w++ = ' ';
		first = 0;
		int plain = e > s;
		for (size_t i = s; i < e && plain; i++)
			plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789-_./=:,+@%",
				       b[i]) != NULL;
		if (!plain)
			*w++ = '\'';
		for (size_t i = s; i < e; i++) {
			size_t u;
			if (b[i] == '\'') {
				memcpy(w, "'\\''", 4);
				w += 4;
			} else if (b[i] >= 0x20 && b[i] < 0x7f) {
				*w++ = (char)b[i];
			} else if (b[i] >= 0x80 && (u = crimg_utf8_char(b + i, e - i, NULL))) {
				memcpy(w, b + i, u);
				w += u;
				i += u - 1;
			} else {
				w += sprintf(w, "\\x%02x", b[i]);
			}
		}
		if (!plain)
			*w++ = '\'';
		s = e + 1;
	}
	*w = '\0';
	return out;
}

/* A unix socket's name: "@" for the abstract namespace, as ss writes it;
 * cut to width columns unless width is 0. */
static void unix_name(char *buf, size_t len, const uint8_t *name, size_t n, size_t width)
{
	sk_unix_name(buf, len, name, n, SK_NAME_UTF8, width, "…");
	if (!*buf)
		snprintf(buf, len, "(unnamed)");
}

const char *insp_file_text(const struct crimg_file *f, char *buf, size_t len)
{
	char nm[1024];
	char *p = f->path ? insp_clean(f->path, strlen(f->path)) : NULL;
	switch (f->type) {
	case CRIMG_FD_REG:
		snprintf(buf, len, "%s%s", p ? p : "?",
			 f->u.reg.remap == CRIMG_REMAP_GHOST || f->u.reg.remap == CRIMG_REMAP_LINKED
				 ? " (deleted)"
				 : "");
		break;
	case CRIMG_FD_PIPE:
		snprintf(buf, len, "pipe:[%u]", f->u.pipe.pipe_id);
		break;
	case CRIMG_FD_FIFO:
		snprintf(buf, len, "%s (fifo, pipe:[%u])", p ? p : "?", f->u.pipe.pipe_id);
		break;
	case CRIMG_FD_UNIXSK:
		unix_name(nm, sizeof(nm), f->u.usk.name, f->u.usk.name_len, 0);
		snprintf(buf, len, "socket:[%u] %s", f->u.usk.ino, nm);
		break;
	case CRIMG_FD_INETSK: {
		const char *pr = crimg_sk_proto_name(f->u.inet.proto);
		snprintf(buf, len, "socket:[%u] %s%s", f->u.inet.ino, pr ? pr : "IP",
			 f->u.inet.family == 10 ? "v6" : "");
		break;
	}
	case CRIMG_FD_PACKETSK:
		snprintf(buf, len, "socket: packet");
		break;
	case CRIMG_FD_NETLINKSK:
		snprintf(buf, len, "socket: netlink %u", f->u.netlink.protocol);
		break;
	case CRIMG_FD_EVENTFD:
		snprintf(buf, len, "anon_inode:[eventfd] (counter %" PRIu64 ")",
			 f->u.eventfd.counter);
		break;
	case CRIMG_FD_EVENTPOLL:
		snprintf(buf, len, "anon_inode:[eventpoll] (%zu targets)", f->u.epoll.n_targets);
		break;
	case CRIMG_FD_SIGNALFD:
		snprintf(buf, len, "anon_inode:[signalfd]");
		break;
	case CRIMG_FD_TIMERFD:
		snprintf(buf, len, "anon_inode:[timerfd]");
		break;
	case CRIMG_FD_INOTIFY:
		snprintf(buf, len, "anon_inode:inotify (%zu watches)", f->u.inotify.n_watches);
		break;
	case CRIMG_FD_FANOTIFY:
		snprintf(buf, len, "anon_inode:[fanotify]");
		break;
	case CRIMG_FD_PIDFD:
		snprintf(buf, len, "anon_inode:[pidfd] (pid %d)", f->u.pidfd.pid);
		break;
	case CRIMG_FD_BPFMAP:
		snprintf(buf, len, "anon_inode:bpf-map");
		break;
	case CRIMG_FD_MEMFD: {
		char *n = f->u.memfd.name ? insp_clean(f->u.memfd.name, strlen(f->u.memfd.name))
					  : NULL;
		snprintf(buf, len, "/memfd:%s", n ? n : "");
		free(n);
		break;
	}
	case CRIMG_FD_NS: {
		const char *k = crimg_ns_kind_of_flag(f->u.ns.cflag);
		snprintf(buf, len, "%s namespace %u", k ? k : "ns", f->u.ns.ns_id);
		break;
	}
	case CRIMG_FD_TUNF:
		snprintf(buf, len, "/dev/net/tun%s%s", f->u.tun.netdev ? " " : "",
			 f->u.tun.netdev ? f->u.tun.netdev : "");
		break;
	default:
		if (p) {
			snprintf(buf, len, "%s", p);
		} else {
			const char *tn = crimg_fd_type_name(f->type);
			snprintf(buf, len, "%s.%u", tn ? tn : "?", f->id);
		}
	}
	free(p);
	return buf;
}

static void endpoint(char *b, size_t len, unsigned family, const char *addr, unsigned port)
{
	if (family == 10)
		snprintf(b, len, "[%s]:%u", *addr ? addr : "::", port);
	else
		snprintf(b, len, "%s:%u", *addr ? addr : "0.0.0.0", port);
}

int insp_socket_text(const struct crimg_file *f, char *meta, size_t mlen, char *data, size_t dlen,
		     size_t name_width)
{
	const char *w, *st;
	char a[128], b[128];
	switch (f->type) {
	case CRIMG_FD_UNIXSK:
		w = crimg_sk_type_name(f->u.usk.type);
		st = crimg_sk_state_name(f->u.usk.state);
		snprintf(meta, mlen, "UNIX (%s%s%s)", w ? w : "?", st ? ", " : "", st ? st : "");
		unix_name(data, dlen, f->u.usk.name, f->u.usk.name_len, name_width);
		if (f->u.usk.peer_ino) {
			size_t k = strlen(data);
			snprintf(data + k, dlen - k, " -> socket:[%u]", f->u.usk.peer_ino);
		}
		return 1;
	case CRIMG_FD_INETSK:
		w = crimg_sk_proto_name(f->u.inet.proto);
		st = crimg_sk_state_name(f->u.inet.state);
		snprintf(meta, mlen, "%s%s%s%s%s", w ? w : "IP", f->u.inet.family == 10 ? "v6" : "",
			 st ? " (" : "", st ? st : "", st ? ")" : "");
		endpoint(a, sizeof(a), f->u.inet.family, f->u.inet.src, f->u.inet.src_port);
		endpoint(b, sizeof(b), f->u.inet.family, f->u.inet.dst, f->u.inet.dst_port);
		snprintf(data, dlen, "%s -> %s", a, b);
		return 1;
	case CRIMG_FD_PACKETSK:
		snprintf(meta, mlen, "PACKET");
		snprintf(data, dlen, "ifindex %u, protocol 0x%04x", f->u.packet.ifindex,
			 f->u.packet.protocol);
		return 1;
	case CRIMG_FD_NETLINKSK:
		snprintf(meta, mlen, "NETLINK (%u)", f->u.netlink.protocol);
		snprintf(data, dlen, "port %u -> %u", f->u.netlink.portid, f->u.netlink.dst_portid);
		return 1;
	default:
		return 0;
	}
}

int insp_socket_bufs(const struct crimg_file *f, uint32_t *snd, uint32_t *rcv)
{
	if (!f->has_sk_bufs)
		return 0;
	*snd = f->sk_sndbuf;
	*rcv = f->sk_rcvbuf;
	return 1;
}

const char *insp_size(uint64_t b, char *buf, size_t len)
{
	if (b < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", b);
		return buf;
	}
	static const char units[] = "KMGTPE";
	double v = (double)b / 1024;
	int u = 0;
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %ciB", v, units[u]);
	return buf;
}

const char *insp_usec(uint32_t us, char *buf, size_t len)
{
	if (us < 1000) {
		snprintf(buf, len, "%u µs", us);
		return buf;
	}
	double v = us < 1000000 ? us / 1e3 : us / 1e6;
	snprintf(buf, len, "%.5g %s", v, us < 1000000 ? "ms" : "s");
	return buf;
}

const char *insp_exit_text(uint32_t code, char *buf, size_t len)
{
	if (code & 0x7f)
		snprintf(buf, len, "killed by signal %u", code & 0x7f);
	else
		snprintf(buf, len, "exited with status %u", (code >> 8) & 0xff);
	return buf;
}
