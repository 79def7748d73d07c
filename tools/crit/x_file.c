/*
 * A file record as JSON: what `crit x --format json` says a descriptor,
 * cwd, root or mapped file is.  The members are listed in `crit x --help`.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sk_name.h"
#include "x.h"

const char *x_vma_kind(enum crimg_vma_kind k)
{
	static const char *const names[] = {
		[CRIMG_VMA_KIND_ANON] = "anon",         [CRIMG_VMA_KIND_FILE] = "file",
		[CRIMG_VMA_KIND_HEAP] = "heap",         [CRIMG_VMA_KIND_STACK] = "stack",
		[CRIMG_VMA_KIND_VDSO] = "vdso",         [CRIMG_VMA_KIND_VVAR] = "vvar",
		[CRIMG_VMA_KIND_VSYSCALL] = "vsyscall", [CRIMG_VMA_KIND_SHMEM] = "shmem",
		[CRIMG_VMA_KIND_SYSVIPC] = "sysvipc",   [CRIMG_VMA_KIND_MEMFD] = "memfd",
		[CRIMG_VMA_KIND_SOCKET] = "socket",     [CRIMG_VMA_KIND_AIORING] = "aio",
		[CRIMG_VMA_KIND_UPROBES] = "uprobes",   [CRIMG_VMA_KIND_OTHER] = "other",
	};
	return (unsigned)k < sizeof(names) / sizeof(names[0]) && names[k] ? names[k] : "other";
}

static const char *access_of(uint32_t flags)
{
	switch (flags & 3) { /* O_ACCMODE */
	case 0:
		return "r";
	case 1:
		return "w";
	case 2:
		return "rw";
	default:
		return "?";
	}
}

static void open_flags(struct xj *j, uint32_t flags)
{
	char b[512];
	xj_str(j, "flags", crimg_flags_str("rfile.flags", flags, b, sizeof(b)));
	xj_str(j, "access", access_of(flags));
}

static void word_or_number(struct xj *j, const char *key, const char *word, unsigned v)
{
	if (word)
		xj_str(j, key, word);
	else
		xj_u64(j, key, v);
}

static const char *remap_name(enum crimg_remap r)
{
	switch (r) {
	case CRIMG_REMAP_LINKED:
		return "linked";
	case CRIMG_REMAP_GHOST:
		return "ghost";
	case CRIMG_REMAP_PROCFS:
		return "procfs";
	default:
		return NULL;
	}
}

static const char *clock_name(uint32_t id)
{
	static const char *const n[] = { "CLOCK_REALTIME",           "CLOCK_MONOTONIC",
					 "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID",
					 "CLOCK_MONOTONIC_RAW",      "CLOCK_REALTIME_COARSE",
					 "CLOCK_MONOTONIC_COARSE",   "CLOCK_BOOTTIME",
					 "CLOCK_REALTIME_ALARM",     "CLOCK_BOOTTIME_ALARM" };
	return id < sizeof(n) / sizeof(n[0]) ? n[id] : NULL;
}

static const char *tty_kind(unsigned t)
{
	static const char *const n[] = {
		"unknown", "pty", "console", "vt", "ctty", "ext", "serial"
	};
	return t < sizeof(n) / sizeof(n[0]) ? n[t] : "unknown";
}

static void dev(struct xj *j, const char *key, uint32_t d)
{
	char b[32];
	snprintf(b, sizeof(b), "%u:%u", d >> 20, d & 0xfffff);
	xj_str(j, key, b);
}

/* A unix socket name: abstract ones (leading NUL) as "@rest", like ss. */
static void unix_name(struct xj *j, const uint8_t *name, size_t len)
{
	len = sk_unix_name_len(name, len); /* a path without its ending NUL */
	if (!len) {
		xj_str(j, "name", "");
		return;
	}
	if (name[0] == 0) {
		char *b = malloc(len);
		if (!b)
			return;
		b[0] = '@';
		memcpy(b + 1, name + 1, len - 1);
		xj_strn(j, "name", b, len);
		free(b);
	} else {
		xj_strn(j, "name", name, len);
	}
}

/* What descriptor fd of table ft is, for epoll targets: id, type, text. */
static void target(struct xctx *x, const struct crimg_fdtable *ft, uint32_t fd)
{
	const struct crimg_fd *t = ft ? crimg_fdtable_find(ft, fd) : NULL;
	if (!t) {
		xj_null(&x->j, "target");
		return;
	}
	char buf[4096];
	xj_obj(&x->j, "target");
	xj_u64(&x->j, "id", t->id);
	word_or_number(&x->j, "type", crimg_fd_type_name(t->type), t->type);
	xj_str(&x->j, "text", x_crit_file_str(x, t->type, t->id, buf, sizeof(buf)));
	xj_end_obj(&x->j);
}

void x_json_file(struct xctx *x, const struct crimg_file *f, const struct crimg_fdtable *ft)
{
	struct xj *j = &x->j;
	char b[512];
	xj_u64(j, "id", f->id);
	word_or_number(j, "type", crimg_fd_type_name(f->type), f->type);
	switch (f->type) {
	case CRIMG_FD_REG:
		xj_str(j, "path", f->path);
		open_flags(j, f->flags);
		xj_u64(j, "pos", f->pos);
		if (f->u.reg.has_size)
			xj_u64(j, "size", f->u.reg.size);
		if (f->u.reg.mode) {
			snprintf(b, sizeof(b), "0%o", f->u.reg.mode);
			xj_str(j, "mode", b);
		}
		if (f->u.reg.remap) {
			xj_str(j, "remap", remap_name(f->u.reg.remap));
			xj_bool(j, "deleted", 1);
			if (f->u.reg.remap == CRIMG_REMAP_GHOST && f->u.reg.has_ghost)
				xj_u64(j, "ghost_size", f->u.reg.ghost_size);
		}
		break;
	case CRIMG_FD_PIPE:
	case CRIMG_FD_FIFO:
		if (f->type == CRIMG_FD_FIFO)
			xj_str(j, "path", f->path);
		else
			xj_str(j, "access", access_of(f->flags));
		xj_u64(j, "pipe_id", f->u.pipe.pipe_id);
		xj_arr(j, "peers");
		for (size_t i = 0; i < f->u.pipe.n_peers; i++)
			xj_u64(j, NULL, f->u.pipe.peers[i]->id);
		xj_end_arr(j);
		break;
	case CRIMG_FD_UNIXSK:
		xj_u64(j, "ino", f->u.usk.ino);
		word_or_number(j, "sock_type", crimg_sk_type_name(f->u.usk.type), f->u.usk.type);
		word_or_number(j, "state", crimg_sk_state_name(f->u.usk.state), f->u.usk.state);
		unix_name(j, f->u.usk.name, f->u.usk.name_len);
		xj_u64(j, "peer_ino", f->u.usk.peer_ino);
		if (f->u.usk.peer)
			xj_u64(j, "peer_id", f->u.usk.peer->id);
		else
			xj_null(j, "peer_id");
		xj_u64(j, "backlog", f->u.usk.backlog);
		break;
	case CRIMG_FD_INETSK:
		xj_u64(j, "ino", f->u.inet.ino);
		word_or_number(j, "family", crimg_sk_family_name(f->u.inet.family),
			       f->u.inet.family);
		word_or_number(j, "sock_type", crimg_sk_type_name(f->u.inet.type), f->u.inet.type);
		word_or_number(j, "proto", crimg_sk_proto_name(f->u.inet.proto), f->u.inet.proto);
		word_or_number(j, "state", crimg_sk_state_name(f->u.inet.state), f->u.inet.state);
		xj_str(j, "src", f->u.inet.src);
		xj_u64(j, "src_port", f->u.inet.src_port);
		xj_str(j, "dst", f->u.inet.dst);
		xj_u64(j, "dst_port", f->u.inet.dst_port);
		xj_u64(j, "backlog", f->u.inet.backlog);
		if (f->u.inet.family == 10)
			xj_bool(j, "v6only", f->u.inet.v6only);
		break;
	case CRIMG_FD_EVENTFD:
		open_flags(j, f->flags);
		xj_u64(j, "counter", f->u.eventfd.counter);
		break;
	case CRIMG_FD_EVENTPOLL:
		xj_arr(j, "targets");
		for (size_t i = 0; i < f->u.epoll.n_targets; i++) {
			const struct crimg_epoll_target *t = &f->u.epoll.targets[i];
			xj_obj(j, NULL);
			xj_u64(j, "fd", t->fd);
			xj_hex(j, "events", t->events);
			xj_hex(j, "data", t->data);
			target(x, ft, t->fd);
			xj_end_obj(j);
		}
		xj_end_arr(j);
		break;
	case CRIMG_FD_SIGNALFD:
		open_flags(j, f->flags);
		xj_hex(j, "sigmask", f->u.signalfd.sigmask);
		xj_arr(j, "signals");
		for (unsigned s = 0; s < 64; s++)
			if (f->u.signalfd.sigmask >> s & 1)
				xj_u64(j, NULL, s + 1);
		xj_end_arr(j);
		break;
	case CRIMG_FD_TIMERFD:
		open_flags(j, f->flags);
		word_or_number(j, "clock", clock_name(f->u.timerfd.clockid), f->u.timerfd.clockid);
		xj_u64(j, "ticks", f->u.timerfd.ticks);
		xj_hex(j, "settime_flags", f->u.timerfd.settime_flags);
		xj_obj(j, "value");
		xj_u64(j, "sec", f->u.timerfd.value_sec);
		xj_u64(j, "nsec", f->u.timerfd.value_nsec);
		xj_end_obj(j);
		xj_obj(j, "interval");
		xj_u64(j, "sec", f->u.timerfd.interval_sec);
		xj_u64(j, "nsec", f->u.timerfd.interval_nsec);
		xj_end_obj(j);
		break;
	case CRIMG_FD_INOTIFY:
		xj_arr(j, "watches");
		for (size_t i = 0; i < f->u.inotify.n_watches; i++) {
			const struct crimg_inotify_watch *w = &f->u.inotify.watches[i];
			xj_obj(j, NULL);
			xj_u64(j, "wd", w->wd);
			xj_str(j, "path", w->path);
			xj_hex(j, "mask", w->mask);
			xj_hex(j, "ignored_mask", w->ignored_mask);
			xj_u64(j, "ino", w->ino);
			dev(j, "dev", w->dev);
			xj_end_obj(j);
		}
		xj_end_arr(j);
		break;
	case CRIMG_FD_FANOTIFY:
		xj_u64(j, "marks", f->u.fanotify.n_marks);
		break;
	case CRIMG_FD_MEMFD:
		xj_str(j, "name", f->u.memfd.name);
		open_flags(j, f->flags);
		xj_u64(j, "pos", f->pos);
		xj_u64(j, "size", f->u.memfd.size);
		xj_str(j, "seals", crimg_flags_str("seals.flags", f->u.memfd.seals, b, sizeof(b)));
		xj_u64(j, "shmid", f->u.memfd.shmid);
		break;
	case CRIMG_FD_PIDFD:
		xj_i64(j, "pid", f->u.pidfd.pid);
		xj_u64(j, "ino", f->u.pidfd.ino);
		break;
	case CRIMG_FD_TTY:
		xj_str(j, "path", f->path);
		xj_str(j, "tty_type", tty_kind(f->u.tty.tty_type));
		if (f->u.tty.has_index)
			xj_u64(j, "index", f->u.tty.index);
		dev(j, "rdev", f->u.tty.rdev);
		break;
	case CRIMG_FD_NS: {
		const char *k = crimg_ns_kind_of_flag(f->u.ns.cflag);
		xj_str(j, "ns_type", k ? k : "unknown");
		xj_u64(j, "ns_id", f->u.ns.ns_id);
		break;
	}
	case CRIMG_FD_PACKETSK:
		word_or_number(j, "sock_type", crimg_sk_type_name(f->u.packet.type),
			       f->u.packet.type);
		xj_hex(j, "protocol", f->u.packet.protocol);
		xj_u64(j, "ifindex", f->u.packet.ifindex);
		break;
	case CRIMG_FD_NETLINKSK:
		xj_u64(j, "protocol", f->u.netlink.protocol);
		xj_u64(j, "portid", f->u.netlink.portid);
		xj_u64(j, "dst_portid", f->u.netlink.dst_portid);
		break;
	case CRIMG_FD_TUNF:
		xj_str(j, "netdev", f->u.tun.netdev);
		break;
	case CRIMG_FD_BPFMAP:
		xj_str(j, "map_name", f->u.bpf.map_name);
		xj_u64(j, "map_type", f->u.bpf.map_type);
		xj_u64(j, "map_id", f->u.bpf.map_id);
		break;
	default:
		break;
	}
}
