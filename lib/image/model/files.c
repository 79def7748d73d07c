/*
 * Files: every file record of the dump, indexed by id once, from files.img
 * (CRIU >= 3.x writes one file_entry per file, its type's message inside)
 * and from the older one-image-per-kind layout (reg-files.img, pipes.img,
 * unixsk.img, ...).  As crit does, files.img wins where both hold an id.
 * Then the links between records are made: ghost and linked remaps of
 * regular files, the ends of each pipe, unix socket peers, memfd names,
 * tty info, fifo paths.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame/frame.h"
#include "bpfmap-file.pb-c.h"
#include "eventfd.pb-c.h"
#include "eventpoll.pb-c.h"
#include "ext-file.pb-c.h"
#include "fdinfo.pb-c.h"
#include "fifo.pb-c.h"
#include "fsnotify.pb-c.h"
#include "ghost-file.pb-c.h"
#include "memfd.pb-c.h"
#include "ns.pb-c.h"
#include "packet-sock.pb-c.h"
#include "pidfd.pb-c.h"
#include "pipe.pb-c.h"
#include "regfile.pb-c.h"
#include "remap-file-path.pb-c.h"
#include "signalfd.pb-c.h"
#include "sk-inet.pb-c.h"
#include "sk-netlink.pb-c.h"
#include "sk-unix.pb-c.h"
#include "timerfd.pb-c.h"
#include "tty.pb-c.h"
#include "tun.pb-c.h"

#include "model/model_int.h"

const char *crimg_fd_type_name(unsigned type)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(&fd_types__descriptor,
									   (int)type);
	return v ? v->name : NULL;
}

/* ---- one record from its type's message ---- */

struct fctx {
	struct crimg_ckpt *c;
	struct crimg_model *m;
	enum crimg_byte_order bo; /* of the image: inet addresses are raw words */
	struct crimg_error *err;
};

/* An inet address as CRIU stores it: network-order bytes read as host
 * words on the dumping machine, so they are put back in its byte order. */
static void addr_text(char *out, size_t len, unsigned family, const uint32_t *w, size_t n,
		      enum crimg_byte_order bo)
{
	uint8_t b[16] = { 0 };
	size_t words = family == 10 ? 4 : 1;
	for (size_t i = 0; i < words && i < n; i++) {
		for (int k = 0; k < 4; k++)
			b[i * 4 + k] = bo == CRIMG_BIG_ENDIAN ? (uint8_t)(w[i] >> (24 - 8 * k))
							      : (uint8_t)(w[i] >> (8 * k));
	}
	if (!n || !inet_ntop(family == 10 ? AF_INET6 : AF_INET, b, out, (socklen_t)len))
		snprintf(out, len, "%s", n ? "?" : "");
}

static int set_epoll(struct fctx *x, struct crimg_file *f, EventpollTfdEntry *const *t, size_t n)
{
	struct crimg_epoll_target *v = model_alloc(x->m, (n ? n : 1) * sizeof(*v));
	if (!v)
		return model_oom(x->err, "files");
	for (size_t i = 0; i < n; i++) {
		v[i].fd = t[i]->tfd;
		v[i].events = t[i]->events;
		v[i].data = t[i]->data;
		v[i].has_inode = t[i]->has_inode;
		v[i].inode = t[i]->inode;
		v[i].dev = t[i]->dev;
	}
	f->u.epoll.targets = v;
	f->u.epoll.n_targets = n;
	return 0;
}

static int set_inotify(struct fctx *x, struct crimg_file *f, InotifyWdEntry *const *w, size_t n)
{
	struct crimg_inotify_watch *v = model_alloc(x->m, (n ? n : 1) * sizeof(*v));
	if (!v)
		return model_oom(x->err, "files");
	for (size_t i = 0; i < n; i++) {
		v[i].wd = w[i]->wd;
		v[i].mask = w[i]->mask;
		v[i].ignored_mask = w[i]->ignored_mask;
		v[i].ino = w[i]->i_ino;
		v[i].dev = w[i]->s_dev;
		v[i].path = w[i]->f_handle ? w[i]->f_handle->path : NULL;
	}
	f->u.inotify.watches = v;
	f->u.inotify.n_watches = n;
	return 0;
}

/* A socket's SO_SNDBUF and SO_RCVBUF, when its options were recorded. */
static void set_sk_bufs(struct crimg_file *f, const SkOptsEntry *o)
{
	if (!o)
		return;
	f->has_sk_bufs = 1;
	f->sk_sndbuf = o->so_sndbuf;
	f->sk_rcvbuf = o->so_rcvbuf;
}

/* Fills f from msg, a message of file type `type`. */
static int fill(struct fctx *x, struct crimg_file *f, unsigned type, const ProtobufCMessage *msg)
{
	f->type = type;
	f->msg = msg;
	switch (type) {
	case CRIMG_FD_REG: {
		const RegFileEntry *r = (const RegFileEntry *)msg;
		f->flags = r->flags;
		f->pos = r->pos;
		f->path = r->name;
		f->u.reg.has_size = r->has_size;
		f->u.reg.size = r->size;
		f->u.reg.mode = r->has_mode ? r->mode : 0;
		f->u.reg.mnt_id = r->has_mnt_id ? r->mnt_id : -1;
		break;
	}
	case CRIMG_FD_PIPE: {
		const PipeEntry *p = (const PipeEntry *)msg;
		f->flags = p->flags;
		f->u.pipe.pipe_id = p->pipe_id;
		break;
	}
	case CRIMG_FD_FIFO: {
		const FifoEntry *p = (const FifoEntry *)msg;
		f->u.pipe.pipe_id = p->pipe_id;
		break;
	}
	case CRIMG_FD_UNIXSK: {
		const UnixSkEntry *u = (const UnixSkEntry *)msg;
		f->flags = u->flags;
		f->u.usk.ino = u->ino;
		f->u.usk.peer_ino = u->peer;
		f->u.usk.type = u->type;
		f->u.usk.state = u->state;
		f->u.usk.name = u->name.data;
		f->u.usk.name_len = u->name.len;
		f->u.usk.backlog = u->backlog;
		f->u.usk.shutdown = u->has_shutdown ? (unsigned)u->shutdown : 0;
		set_sk_bufs(f, u->opts);
		break;
	}
	case CRIMG_FD_INETSK: {
		const InetSkEntry *s = (const InetSkEntry *)msg;
		f->flags = s->flags;
		f->u.inet.ino = s->ino;
		f->u.inet.family = s->family;
		f->u.inet.type = s->type;
		f->u.inet.proto = s->proto;
		f->u.inet.state = s->state;
		f->u.inet.src_port = (uint16_t)s->src_port;
		f->u.inet.dst_port = (uint16_t)s->dst_port;
		f->u.inet.backlog = s->backlog;
		f->u.inet.v6only = s->has_v6only && s->v6only;
		addr_text(f->u.inet.src, sizeof(f->u.inet.src), s->family, s->src_addr,
			  s->n_src_addr, x->bo);
		addr_text(f->u.inet.dst, sizeof(f->u.inet.dst), s->family, s->dst_addr,
			  s->n_dst_addr, x->bo);
		set_sk_bufs(f, s->opts);
		break;
	}
	case CRIMG_FD_EVENTFD: {
		const EventfdFileEntry *e = (const EventfdFileEntry *)msg;
		f->flags = e->flags;
		f->u.eventfd.counter = e->counter;
		break;
	}
	case CRIMG_FD_EVENTPOLL: {
		const EventpollFileEntry *e = (const EventpollFileEntry *)msg;
		f->flags = e->flags;
		return set_epoll(x, f, e->tfd, e->n_tfd);
	}
	case CRIMG_FD_SIGNALFD: {
		const SignalfdEntry *s = (const SignalfdEntry *)msg;
		f->flags = s->flags;
		f->u.signalfd.sigmask = s->sigmask;
		break;
	}
	case CRIMG_FD_TIMERFD: {
		const TimerfdEntry *t = (const TimerfdEntry *)msg;
		f->flags = t->flags;
		f->u.timerfd.clockid = t->clockid;
		f->u.timerfd.ticks = t->ticks;
		f->u.timerfd.settime_flags = t->settime_flags;
		f->u.timerfd.value_sec = t->vsec;
		f->u.timerfd.value_nsec = t->vnsec;
		f->u.timerfd.interval_sec = t->isec;
		f->u.timerfd.interval_nsec = t->insec;
		break;
	}
	case CRIMG_FD_INOTIFY: {
		const InotifyFileEntry *i = (const InotifyFileEntry *)msg;
		f->flags = i->flags;
		return set_inotify(x, f, i->wd, i->n_wd);
	}
	case CRIMG_FD_FANOTIFY: {
		const FanotifyFileEntry *a = (const FanotifyFileEntry *)msg;
		f->flags = a->flags;
		f->u.fanotify.n_marks = a->n_mark;
		break;
	}
	case CRIMG_FD_MEMFD: {
		const MemfdFileEntry *mf = (const MemfdFileEntry *)msg;
		f->flags = mf->flags;
		f->pos = mf->pos;
		f->u.memfd.inode_id = mf->inode_id;
		break;
	}
	case CRIMG_FD_PIDFD: {
		const PidfdEntry *p = (const PidfdEntry *)msg;
		f->flags = p->flags;
		f->u.pidfd.pid = p->nspid;
		f->u.pidfd.ino = p->ino;
		break;
	}
	case CRIMG_FD_TTY: {
		const TtyFileEntry *t = (const TtyFileEntry *)msg;
		f->flags = t->flags;
		break;
	}
	case CRIMG_FD_NS: {
		const NsFileEntry *n = (const NsFileEntry *)msg;
		f->flags = n->flags;
		f->u.ns.ns_id = n->ns_id;
		f->u.ns.cflag = n->ns_cflag;
		break;
	}
	case CRIMG_FD_PACKETSK: {
		const PacketSockEntry *p = (const PacketSockEntry *)msg;
		f->flags = p->flags;
		f->u.packet.type = p->type;
		f->u.packet.protocol = p->protocol;
		f->u.packet.ifindex = p->ifindex;
		set_sk_bufs(f, p->opts);
		break;
	}
	case CRIMG_FD_NETLINKSK: {
		const NetlinkSkEntry *n = (const NetlinkSkEntry *)msg;
		f->flags = n->flags;
		f->u.netlink.protocol = n->protocol;
		f->u.netlink.portid = n->portid;
		f->u.netlink.dst_portid = n->dst_portid;
		set_sk_bufs(f, n->opts);
		break;
	}
	case CRIMG_FD_TUNF: {
		const TunfileEntry *t = (const TunfileEntry *)msg;
		f->u.tun.netdev = t->netdev;
		break;
	}
	case CRIMG_FD_BPFMAP: {
		const BpfmapFileEntry *b = (const BpfmapFileEntry *)msg;
		f->flags = b->flags;
		f->pos = b->pos;
		f->u.bpf.map_type = b->map_type;
		f->u.bpf.map_id = b->map_id;
		f->u.bpf.map_name = b->map_name;
		break;
	}
	default:
		break;
	}
	return 0;
}

static int add(struct fctx *x, uint32_t id, unsigned type, const ProtobufCMessage *msg)
{
	if (u32map_get(&x->m->files, id))
		return 0; /* files.img first, like crit */
	struct crimg_file *f = model_alloc(x->m, sizeof(*f));
	if (!f)
		return model_oom(x->err, "files");
	f->id = id;
	if (fill(x, f, type, msg) < 0)
		return -1;
	if (u32map_put(&x->m->files, id, f) < 0)
		return model_oom(x->err, "files");
	return 0;
}

/* The message inside a file_entry for its type. */
static const ProtobufCMessage *inner(const FileEntry *fe)
{
	switch ((unsigned)fe->type) {
	case CRIMG_FD_REG:
		return &fe->reg->base;
	case CRIMG_FD_PIPE:
		return &fe->pipe->base;
	case CRIMG_FD_FIFO:
		return &fe->fifo->base;
	case CRIMG_FD_INETSK:
		return &fe->isk->base;
	case CRIMG_FD_UNIXSK:
		return &fe->usk->base;
	case CRIMG_FD_EVENTFD:
		return &fe->efd->base;
	case CRIMG_FD_EVENTPOLL:
		return &fe->epfd->base;
	case CRIMG_FD_INOTIFY:
		return &fe->ify->base;
	case CRIMG_FD_SIGNALFD:
		return &fe->sgfd->base;
	case CRIMG_FD_PACKETSK:
		return &fe->psk->base;
	case CRIMG_FD_TTY:
		return &fe->tty->base;
	case CRIMG_FD_FANOTIFY:
		return &fe->ffy->base;
	case CRIMG_FD_NETLINKSK:
		return &fe->nlsk->base;
	case CRIMG_FD_NS:
		return &fe->nsf->base;
	case CRIMG_FD_TUNF:
		return &fe->tunf->base;
	case CRIMG_FD_EXT:
		return &fe->ext->base;
	case CRIMG_FD_TIMERFD:
		return &fe->tfd->base;
	case CRIMG_FD_MEMFD:
		return &fe->memfd->base;
	case CRIMG_FD_BPFMAP:
		return &fe->bpf->base;
	case CRIMG_FD_PIDFD:
		return &fe->pidfd->base;
	default:
		return NULL;
	}
}

/* `&p->base` of a NULL p is not NULL: check the pointer itself. */
static int inner_present(const FileEntry *fe)
{
	const void *p;
	switch ((unsigned)fe->type) {
	case CRIMG_FD_REG:
		p = fe->reg;
		break;
	case CRIMG_FD_PIPE:
		p = fe->pipe;
		break;
	case CRIMG_FD_FIFO:
		p = fe->fifo;
		break;
	case CRIMG_FD_INETSK:
		p = fe->isk;
		break;
	case CRIMG_FD_UNIXSK:
		p = fe->usk;
		break;
	case CRIMG_FD_EVENTFD:
		p = fe->efd;
		break;
	case CRIMG_FD_EVENTPOLL:
		p = fe->epfd;
		break;
	case CRIMG_FD_INOTIFY:
		p = fe->ify;
		break;
	case CRIMG_FD_SIGNALFD:
		p = fe->sgfd;
		break;
	case CRIMG_FD_PACKETSK:
		p = fe->psk;
		break;
	case CRIMG_FD_TTY:
		p = fe->tty;
		break;
	case CRIMG_FD_FANOTIFY:
		p = fe->ffy;
		break;
	case CRIMG_FD_NETLINKSK:
		p = fe->nlsk;
		break;
	case CRIMG_FD_NS:
		p = fe->nsf;
		break;
	case CRIMG_FD_TUNF:
		p = fe->tunf;
		break;
	case CRIMG_FD_EXT:
		p = fe->ext;
		break;
	case CRIMG_FD_TIMERFD:
		p = fe->tfd;
		break;
	case CRIMG_FD_MEMFD:
		p = fe->memfd;
		break;
	case CRIMG_FD_BPFMAP:
		p = fe->bpf;
		break;
	case CRIMG_FD_PIDFD:
		p = fe->pidfd;
		break;
	default:
		p = NULL;
	}
	return p != NULL;
}

static int load_unified(struct fctx *x)
{
	int failed;
	const struct crimg_entries *e = model_optional(x->c, "files.img", x->err, &failed);
	if (failed)
		return -1;
	if (!e)
		return 0;
	x->m->file_images = 1;
	x->bo = e->byte_order;
	for (size_t i = 0; i < e->n; i++) {
		if (e->msgs[i]->descriptor != &file_entry__descriptor)
			return crimg_fail(x->err, "files.img", -1, (int64_t)i, "not a file_entry");
		const FileEntry *fe = (const FileEntry *)e->msgs[i];
		if (u32map_get(&x->m->files, fe->id))
			continue;
		struct crimg_file *f = model_alloc(x->m, sizeof(*f));
		if (!f)
			return model_oom(x->err, "files.img");
		f->id = fe->id;
		f->type = fe->type;
		/* a type this build does not know, or an entry without its
		 * message: kept, with its type only */
		if (inner_present(fe) && fill(x, f, fe->type, inner(fe)) < 0)
			return -1;
		if (!f->msg)
			f->msg = &fe->base;
		if (u32map_put(&x->m->files, fe->id, f) < 0)
			return model_oom(x->err, "files.img");
	}
	return 0;
}

/* The older layout: one image per kind, entries carrying their own id. */
static const struct {
	const char *image;
	unsigned type;
	const ProtobufCMessageDescriptor *desc;
} per_kind[] = {
	{ "reg-files.img", CRIMG_FD_REG, &reg_file_entry__descriptor },
	{ "pipes.img", CRIMG_FD_PIPE, &pipe_entry__descriptor },
	{ "fifo.img", CRIMG_FD_FIFO, &fifo_entry__descriptor },
	{ "inetsk.img", CRIMG_FD_INETSK, &inet_sk_entry__descriptor },
	{ "unixsk.img", CRIMG_FD_UNIXSK, &unix_sk_entry__descriptor },
	{ "eventfd.img", CRIMG_FD_EVENTFD, &eventfd_file_entry__descriptor },
	{ "eventpoll.img", CRIMG_FD_EVENTPOLL, &eventpoll_file_entry__descriptor },
	{ "inotify.img", CRIMG_FD_INOTIFY, &inotify_file_entry__descriptor },
	{ "signalfd.img", CRIMG_FD_SIGNALFD, &signalfd_entry__descriptor },
	{ "packetsk.img", CRIMG_FD_PACKETSK, &packet_sock_entry__descriptor },
	{ "tty.img", CRIMG_FD_TTY, &tty_file_entry__descriptor },
	{ "fanotify.img", CRIMG_FD_FANOTIFY, &fanotify_file_entry__descriptor },
	{ "netlinksk.img", CRIMG_FD_NETLINKSK, &netlink_sk_entry__descriptor },
	{ "ns-files.img", CRIMG_FD_NS, &ns_file_entry__descriptor },
	{ "tunfile.img", CRIMG_FD_TUNF, &tunfile_entry__descriptor },
	{ "ext-files.img", CRIMG_FD_EXT, &ext_file_entry__descriptor },
	{ "timerfd.img", CRIMG_FD_TIMERFD, &timerfd_entry__descriptor },
	{ "bpfmap-file.img", CRIMG_FD_BPFMAP, &bpfmap_file_entry__descriptor },
};

/* Entries of an optional image, all of type d; NULL without error when the
 * image is absent. */
static const struct crimg_entries *typed(struct fctx *x, const char *name,
					 const ProtobufCMessageDescriptor *d, int *failed)
{
	const struct crimg_entries *e = model_optional(x->c, name, x->err, failed);
	for (size_t i = 0; e && i < e->n; i++) {
		if (e->msgs[i]->descriptor != d) {
			crimg_fail(x->err, name, -1, (int64_t)i, "not a %s entry", d->name);
			*failed = 1;
			return NULL;
		}
	}
	return e;
}

static int load_per_kind(struct fctx *x)
{
	for (size_t k = 0; k < sizeof(per_kind) / sizeof(per_kind[0]); k++) {
		int failed;
		const struct crimg_entries *e = typed(x, per_kind[k].image, per_kind[k].desc,
						      &failed);
		if (failed)
			return -1;
		if (!e)
			continue;
		x->m->file_images = 1;
		x->bo = e->byte_order;
		for (size_t i = 0; i < e->n; i++) {
			uint64_t id;
			if (crimg_msg_get_u64(e->msgs[i], "id", &id) < 0)
				return crimg_fail(x->err, per_kind[k].image, -1, (int64_t)i,
						  "entry has no id");
			if (add(x, (uint32_t)id, per_kind[k].type, e->msgs[i]) < 0)
				return -1;
		}
	}
	return 0;
}

/* Old epoll and inotify images keep targets and watches apart, each
 * naming the owner's id. */
static int load_old_children(struct fctx *x)
{
	int failed;
	const struct crimg_entries *e = typed(x, "eventpoll-tfd.img",
					      &eventpoll_tfd_entry__descriptor, &failed);
	if (failed)
		return -1;
	for (size_t i = 0; e && i < e->n; i++) {
		const EventpollTfdEntry *t = (const EventpollTfdEntry *)e->msgs[i];
		struct crimg_file *f = u32map_get(&x->m->files, t->id);
		if (!f || f->type != CRIMG_FD_EVENTPOLL)
			continue;
		/* collect this owner's targets (images list them together) */
		size_t n = 0;
		for (size_t j = i; j < e->n && ((const EventpollTfdEntry *)e->msgs[j])->id == t->id;
		     j++)
			n++;
		if (!f->u.epoll.n_targets &&
		    set_epoll(x, f, (EventpollTfdEntry *const *)&e->msgs[i], n) < 0)
			return -1;
		i += n - 1;
	}
	e = typed(x, "inotify-wd.img", &inotify_wd_entry__descriptor, &failed);
	if (failed)
		return -1;
	for (size_t i = 0; e && i < e->n; i++) {
		const InotifyWdEntry *w = (const InotifyWdEntry *)e->msgs[i];
		struct crimg_file *f = u32map_get(&x->m->files, w->id);
		if (!f || f->type != CRIMG_FD_INOTIFY)
			continue;
		size_t n = 0;
		for (size_t j = i; j < e->n && ((const InotifyWdEntry *)e->msgs[j])->id == w->id;
		     j++)
			n++;
		if (!f->u.inotify.n_watches &&
		    set_inotify(x, f, (InotifyWdEntry *const *)&e->msgs[i], n) < 0)
			return -1;
		i += n - 1;
	}
	e = typed(x, "fanotify-mark.img", &fanotify_mark_entry__descriptor, &failed);
	if (failed)
		return -1;
	for (size_t i = 0; e && i < e->n; i++) {
		uint64_t id;
		if (crimg_msg_get_u64(e->msgs[i], "id", &id) < 0)
			continue;
		struct crimg_file *f = u32map_get(&x->m->files, (uint32_t)id);
		if (f && f->type == CRIMG_FD_FANOTIFY)
			f->u.fanotify.n_marks++;
	}
	return 0;
}

/* ---- links between records ---- */

/* ghost-file-N.img: the entry, then the contents (their size is what the
 * reader calls the extra). */
static void read_ghost(struct fctx *x, struct crimg_file *f)
{
	char name[64];
	snprintf(name, sizeof(name), "ghost-file-%x.img", f->u.reg.remap_id);
	size_t len;
	struct crimg_error e2;
	crimg_error_clear(&e2);
	const uint8_t *d = crimg_ckpt_has(x->c, name) ? crimg_ckpt_data(x->c, name, &len, &e2)
						      : NULL;
	if (!d)
		return;
	struct crimg_reader *r = crimg_reader_open_mem(d, len, name, &x->c->lim, &e2);
	struct crimg_entry ent;
	if (r && crimg_reader_next(r, &ent, &e2) > 0 &&
	    ent.msg->descriptor == &ghost_file_entry__descriptor) {
		const GhostFileEntry *g = (const GhostFileEntry *)ent.msg;
		f->u.reg.has_ghost = 1;
		f->u.reg.ghost_mode = g->mode;
		f->u.reg.ghost_size = g->has_size ? g->size : ent.extra_size;
	}
	crimg_reader_close(r);
}

static int link_remaps(struct fctx *x)
{
	int failed;
	const struct crimg_entries *e = typed(x, "remap-fpath.img",
					      &remap_file_path_entry__descriptor, &failed);
	if (failed)
		return -1;
	for (size_t i = 0; e && i < e->n; i++) {
		const RemapFilePathEntry *r = (const RemapFilePathEntry *)e->msgs[i];
		struct crimg_file *f = u32map_get(&x->m->files, r->orig_id);
		if (!f || f->type != CRIMG_FD_REG)
			continue;
		unsigned t = r->has_remap_type ? r->remap_type : REMAP_TYPE__LINKED;
		f->u.reg.remap = t == REMAP_TYPE__GHOST ? CRIMG_REMAP_GHOST
			: t == REMAP_TYPE__PROCFS       ? CRIMG_REMAP_PROCFS
							: CRIMG_REMAP_LINKED;
		f->u.reg.remap_id = r->remap_id;
		if (f->u.reg.remap == CRIMG_REMAP_GHOST)
			read_ghost(x, f);
	}
	return 0;
}

static int link_memfd_tty(struct fctx *x)
{
	int failed;
	const struct crimg_entries *mem = typed(x, "memfd.img", &memfd_inode_entry__descriptor,
						&failed);
	if (failed)
		return -1;
	const struct crimg_entries *tty = typed(x, "tty-info.img", &tty_info_entry__descriptor,
						&failed);
	if (failed)
		return -1;
	for (size_t k = 0; k < x->m->files.cap; k++) {
		struct crimg_file *f = x->m->files.vals[k];
		if (!f)
			continue;
		if (f->type == CRIMG_FD_MEMFD && mem &&
		    f->msg->descriptor == &memfd_file_entry__descriptor) {
			for (size_t i = 0; i < mem->n; i++) {
				const MemfdInodeEntry *mi = (const MemfdInodeEntry *)mem->msgs[i];
				if (mi->inode_id != f->u.memfd.inode_id)
					continue;
				f->u.memfd.name = mi->name;
				f->u.memfd.size = mi->size;
				f->u.memfd.seals = mi->seals;
				f->u.memfd.shmid = mi->shmid;
				f->path = mi->name;
			}
		} else if (f->type == CRIMG_FD_TTY &&
			   f->msg->descriptor == &tty_file_entry__descriptor) {
			const TtyFileEntry *t = (const TtyFileEntry *)f->msg;
			if (t->has_regf_id) {
				const struct crimg_file *r = u32map_get(&x->m->files, t->regf_id);
				if (r && r->type == CRIMG_FD_REG)
					f->path = r->path;
			}
			for (size_t i = 0; tty && i < tty->n; i++) {
				const TtyInfoEntry *ti = (const TtyInfoEntry *)tty->msgs[i];
				if (ti->id != t->tty_info_id)
					continue;
				f->u.tty.tty_type = ti->type;
				f->u.tty.rdev = ti->rdev;
				f->u.tty.sid = ti->sid;
				f->u.tty.pgrp = ti->pgrp;
				if (ti->pty) {
					f->u.tty.has_index = 1;
					f->u.tty.index = ti->pty->index;
				}
			}
		} else if (f->type == CRIMG_FD_FIFO &&
			   f->msg->descriptor == &fifo_entry__descriptor) {
			const FifoEntry *fe = (const FifoEntry *)f->msg;
			const struct crimg_file *r = fe->has_regf_id
				? u32map_get(&x->m->files, fe->regf_id)
				: u32map_get(&x->m->files, fe->id);
			if (r && r->type == CRIMG_FD_REG)
				f->path = r->path;
		}
	}
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	uint32_t x = (*(const struct crimg_file *const *)a)->id;
	uint32_t y = (*(const struct crimg_file *const *)b)->id;
	return x < y ? -1 : x > y;
}

static int cmp_pipe(const void *a, const void *b)
{
	const struct crimg_file *x = *(const struct crimg_file *const *)a;
	const struct crimg_file *y = *(const struct crimg_file *const *)b;
	if (x->u.pipe.pipe_id != y->u.pipe.pipe_id)
		return x->u.pipe.pipe_id < y->u.pipe.pipe_id ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Pipes: group by pipe_id (sorted, so linear); each end lists the others.
 * Unix sockets: the peer by inode. */
static int link_peers(struct fctx *x, const struct crimg_file **all, size_t n)
{
	const struct crimg_file **pipes = malloc((n ? n : 1) * sizeof(*pipes));
	struct u32map by_ino = { 0 };
	int rc = -1;
	if (!pipes)
		return model_oom(x->err, "files");
	size_t np = 0;
	for (size_t i = 0; i < n; i++) {
		if ((all[i]->type == CRIMG_FD_PIPE || all[i]->type == CRIMG_FD_FIFO) &&
		    all[i]->msg->descriptor != &file_entry__descriptor)
			pipes[np++] = all[i];
		else if (all[i]->type == CRIMG_FD_UNIXSK &&
			 all[i]->msg->descriptor == &unix_sk_entry__descriptor &&
			 u32map_put(&by_ino, all[i]->u.usk.ino, (void *)all[i]) < 0)
			goto oom;
	}
	if (np) /* qsort(NULL, 0, ...) is undefined */
		qsort(pipes, np, sizeof(*pipes), cmp_pipe);
	for (size_t i = 0; i < np;) {
		size_t j = i;
		while (j < np && pipes[j]->u.pipe.pipe_id == pipes[i]->u.pipe.pipe_id)
			j++;
		for (size_t k = i; k < j; k++) {
			struct crimg_file *f = (struct crimg_file *)pipes[k];
			if (j - i < 2)
				continue;
			const struct crimg_file **peers = model_alloc(x->m,
								      (j - i - 1) * sizeof(*peers));
			if (!peers)
				goto oom;
			size_t q = 0;
			for (size_t p = i; p < j; p++)
				if (p != k)
					peers[q++] = pipes[p];
			f->u.pipe.peers = peers;
			f->u.pipe.n_peers = q;
		}
		i = j;
	}
	for (size_t i = 0; i < n; i++) {
		struct crimg_file *f = (struct crimg_file *)all[i];
		if (f->type == CRIMG_FD_UNIXSK && f->u.usk.peer_ino &&
		    f->msg->descriptor == &unix_sk_entry__descriptor)
			f->u.usk.peer = u32map_get(&by_ino, f->u.usk.peer_ino);
	}
	rc = 0;
	goto out;
oom:
	model_oom(x->err, "files");
out:
	free(pipes);
	u32map_free(&by_ino);
	return rc;
}

int model_files_load(struct crimg_ckpt *c, struct crimg_model *m, struct crimg_error *err)
{
	if (m->have_files)
		return 0;
	struct fctx x = { .c = c, .m = m, .bo = CRIMG_LITTLE_ENDIAN, .err = err };
	if (load_unified(&x) < 0 || load_per_kind(&x) < 0 || load_old_children(&x) < 0)
		goto fail;
	if (link_remaps(&x) < 0 || link_memfd_tty(&x) < 0)
		goto fail;
	size_t n = m->files.n, k = 0;
	const struct crimg_file **all = model_alloc(m, (n ? n : 1) * sizeof(*all));
	if (!all) {
		model_oom(err, "files");
		goto fail;
	}
	for (size_t i = 0; i < m->files.cap; i++)
		if (m->files.vals[i])
			all[k++] = m->files.vals[i];
	if (n) /* qsort(NULL, 0, ...) is undefined */
		qsort(all, n, sizeof(*all), cmp_id);
	if (link_peers(&x, all, n) < 0)
		goto fail;
	m->file_list = all;
	m->n_files = n;
	m->have_files = 1;
	return 0;
fail:
	u32map_free(&m->files);
	return -1;
}

int model_files_need(struct crimg_ckpt *c, struct crimg_model *m, struct crimg_error *err)
{
	if (model_files_load(c, m, err) < 0)
		return -1;
	if (!m->file_images)
		return crimg_fail(err, "files.img", -1, -1, "no such image in %s",
				  crimg_ckpt_path(c));
	return 0;
}

const struct crimg_file *model_file(struct crimg_model *m, uint32_t id)
{
	return u32map_get(&m->files, id);
}

const struct crimg_file *crimg_ckpt_file_by_id(struct crimg_ckpt *c, uint32_t id,
					       struct crimg_error *err)
{
	struct crimg_model *m = model_get(c, err);
	if (!m || model_files_load(c, m, err) < 0)
		return NULL;
	const struct crimg_file *f = model_file(m, id);
	if (!f)
		crimg_fail(err, crimg_ckpt_has(c, "files.img") ? "files.img" : "reg-files.img", -1,
			   -1, "no file with id %u", id);
	return f;
}

int crimg_ckpt_files(struct crimg_ckpt *c, const struct crimg_file *const **files, size_t *n,
		     struct crimg_error *err)
{
	struct crimg_model *m = model_get(c, err);
	if (!m || model_files_load(c, m, err) < 0)
		return -1;
	*files = m->file_list;
	*n = m->n_files;
	return 0;
}
