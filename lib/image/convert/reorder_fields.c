/*
 * The kernel structures inside entries that CRIU copies from its machine's
 * memory, for crimg_reorder_dir: a protobuf number has no byte order, these
 * do.  Each is turned around as a machine of the other order would have
 * saved it, member by member, so that the copy reads the same:
 *
 *   siginfo_t of pending signals (siginfo_entry.siginfo, bytes): the
 *     members frame/siginfo.c knows for the signal's layout, the same the
 *     model reads (what follows a fault's address, which depends on the
 *     code, stays as it was);
 *   classic BPF programs of seccomp filters (seccomp_filter.filter, bytes):
 *     each 8-byte instruction is a u16 code, two bytes, a u32 operand;
 *   socket filters (sk_opts_entry.so_filter, one fixed64 per instruction):
 *     CRIU copies the same 8 bytes into a u64, so on a little-endian
 *     machine code sits in the low 16 bits and the operand in the high 32,
 *     on a big-endian one code in the high 16 bits and the operand low.
 *
 * The image was just written canonically by the encoder, so an entry packs
 * back to its own bytes; changing bytes and fixed-size words keeps its size,
 * and the entry is written again in place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.pb-c.h"
#include "fdinfo.pb-c.h"
#include "packet-sock.pb-c.h"
#include "seccomp.pb-c.h"
#include "siginfo.pb-c.h"
#include "sk-inet.pb-c.h"
#include "sk-netlink.pb-c.h"
#include "sk-opts.pb-c.h"
#include "sk-unix.pb-c.h"

#include "convert/reorder_int.h"
#include "frame/frame.h"

struct rf {
	enum crimg_byte_order from;
	unsigned mtype; /* the machine of the siginfo_t's */
	int changed;    /* the entry at hand was changed */
};

static void swap_siginfo(struct rf *x, SiginfoEntry *s)
{
	if (!s || !s->siginfo.len)
		return;
	crimg_siginfo_swap(s->siginfo.data, s->siginfo.len, x->mtype, x->from);
	x->changed = 1;
}

static void swap_queue(struct rf *x, SignalQueueEntry *q)
{
	for (size_t i = 0; q && i < q->n_signals; i++)
		swap_siginfo(x, q->signals[i]);
}

static void swap_seccomp(struct rf *x, SeccompEntry *s)
{
	for (size_t i = 0; i < s->n_seccomp_filters; i++) {
		SeccompFilter *f = s->seccomp_filters[i];
		if (!f)
			continue;
		/* whole instructions only: CRIU writes no other */
		for (size_t k = 0; k + 8 <= f->filter.len; k += 8) {
			uint8_t *p = f->filter.data + k, t;
			t = p[0], p[0] = p[1], p[1] = t;
			t = p[4], p[4] = p[7], p[7] = t;
			t = p[5], p[5] = p[6], p[6] = t;
			x->changed = 1;
		}
	}
}

static void swap_sk_opts(struct rf *x, SkOptsEntry *o)
{
	for (size_t i = 0; o && i < o->n_so_filter; i++) {
		uint64_t v = o->so_filter[i], code, jt, jf, k;
		if (x->from == CRIMG_LITTLE_ENDIAN) {
			code = v & 0xffff, jt = v >> 16 & 0xff, jf = v >> 24 & 0xff, k = v >> 32;
			o->so_filter[i] = code << 48 | jt << 40 | jf << 32 | k;
		} else {
			code = v >> 48, jt = v >> 40 & 0xff, jf = v >> 32 & 0xff,
			k = v & 0xffffffff;
			o->so_filter[i] = code | jt << 16 | jf << 24 | k << 32;
		}
		x->changed = 1;
	}
}

static void swap_file(struct rf *x, FileEntry *f)
{
	if (f->isk)
		swap_sk_opts(x, f->isk->opts);
	if (f->usk)
		swap_sk_opts(x, f->usk->opts);
	if (f->psk)
		swap_sk_opts(x, f->psk->opts);
	if (f->nlsk)
		swap_sk_opts(x, f->nlsk->opts);
}

static void swap_message(struct rf *x, ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	if (d == &core_entry__descriptor) {
		CoreEntry *c = (CoreEntry *)m;
		x->mtype = (unsigned)c->mtype;
		if (c->tc)
			swap_queue(x, c->tc->signals_s);
		if (c->thread_core)
			swap_queue(x, c->thread_core->signals_p);
	} else if (d == &siginfo_entry__descriptor) {
		swap_siginfo(x, (SiginfoEntry *)m);
	} else if (d == &seccomp_entry__descriptor) {
		swap_seccomp(x, (SeccompEntry *)m);
	} else if (d == &file_entry__descriptor) {
		swap_file(x, (FileEntry *)m);
	} else if (d == &inet_sk_entry__descriptor) {
		swap_sk_opts(x, ((InetSkEntry *)m)->opts);
	} else if (d == &unix_sk_entry__descriptor) {
		swap_sk_opts(x, ((UnixSkEntry *)m)->opts);
	} else if (d == &packet_sock_entry__descriptor) {
		swap_sk_opts(x, ((PacketSockEntry *)m)->opts);
	} else if (d == &netlink_sk_entry__descriptor) {
		swap_sk_opts(x, ((NetlinkSkEntry *)m)->opts);
	}
}

/* The machine of signal-[ps]-N.img's siginfo_t's: core-N.img's mtype. */
static int machine_of(const char *idir, const char *name, const char *path, unsigned *mtype,
		      const struct crimg_limits *lim, struct crimg_error *err)
{
	unsigned pid;
	char c, core[4096];
	if (sscanf(name, "signal-%c-%u.img", &c, &pid) != 2)
		return crimg_fail(err, path, -1, -1, "cannot tell which task's signals these are");
	snprintf(core, sizeof(core), "%s/core-%u.img", idir, pid);
	FILE *f = fopen(core, "rb");
	if (!f)
		return crimg_fail(err, path, -1, -1,
				  "%s: %s: the machine of its siginfo_t's is not known", core,
				  strerror(errno));
	struct crimg_error e2;
	crimg_error_clear(&e2);
	struct crimg_reader *r = crimg_reader_open(fileno(f), core, lim, &e2);
	struct crimg_entry e;
	int rc = -1;
	if (r && crimg_reader_kind(r)->desc != &core_entry__descriptor)
		crimg_fail(&e2, core, 0, -1, "not a core image");
	else if (r && crimg_reader_next(r, &e, &e2) == 1) {
		*mtype = (unsigned)((CoreEntry *)e.msg)->mtype;
		rc = 0;
	} else if (r && !e2.msg[0]) {
		crimg_fail(&e2, core, -1, -1, "no entry: the machine of %s is not known", name);
	}
	if (rc < 0 && err)
		*err = e2;
	crimg_reader_close(r);
	fclose(f);
	return rc;
}

static int pwrite_full(int fd, const uint8_t *p, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t k = pwrite(fd, p, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

/* Packs m into a buffer of its size; NULL when memory runs out. */
static uint8_t *pack(const ProtobufCMessage *m, size_t *len)
{
	*len = protobuf_c_message_get_packed_size(m);
	uint8_t *p = malloc(*len ? *len : 1);
	if (p)
		protobuf_c_message_pack(m, p);
	return p;
}

static int fix_entry(struct rf *x, int fd, const char *tmp, const char *path,
		     struct crimg_reader *r, struct crimg_entry *e, struct crimg_error *err)
{
	if (!e->msg && crimg_entry_unpack(r, e, err) < 0)
		return -1;
	const int64_t idx = (int64_t)e->index;
	size_t n;
	uint8_t *again = pack(e->msg, &n);
	if (!again)
		return crimg_fail(err, path, -1, idx, "out of memory");
	int same = n == e->payload_len && !memcmp(again, e->payload, n);
	free(again);
	if (!same)
		return crimg_fail(err, path, (int64_t)e->offset, idx,
				  "this %s does not pack back to its own bytes", e->desc->name);
	x->changed = 0;
	swap_message(x, e->msg);
	if (!x->changed)
		return 0;
	uint8_t *data = pack(e->msg, &n);
	if (!data)
		return crimg_fail(err, path, -1, idx, "out of memory");
	int rc = 0;
	if (n != e->payload_len)
		rc = crimg_fail(err, path, (int64_t)e->offset, idx,
				"this %s changed its size when turned around", e->desc->name);
	else if (pwrite_full(fd, data, n, e->offset + 4) < 0)
		rc = crimg_fail(err, tmp, (int64_t)e->offset + 4, idx, "write error: %s",
				strerror(errno));
	free(data);
	return rc;
}

/* 1 when images of kind k may hold one of the structures above. */
static int may_hold(const struct crimg_kind *k)
{
	static const char *const kinds[] = { "CORE",   "SIGNAL", "SECCOMP",  "FILES",
					     "INETSK", "UNIXSK", "PACKETSK", "NETLINK_SK" };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(k->name, kinds[i]))
			return 1;
	return 0;
}

int crimg_reorder_fields(int fd, const char *tmp, const char *path, const char *idir,
			 const char *name, enum crimg_byte_order from, enum crimg_byte_order to,
			 const struct crimg_limits *lim, struct crimg_error *err)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return crimg_fail(err, tmp, -1, -1, "%s", strerror(errno));
	struct crimg_reader *r = crimg_reader_open(fd, tmp, lim, err);
	if (!r)
		return -1;
	struct rf x = { .from = from, .mtype = 0 };
	int rc = 0;
	if (crimg_reader_byte_order(r) != to)
		rc = crimg_fail(err, tmp, 0, -1, "written in the wrong byte order");
	else if (!may_hold(crimg_reader_kind(r)))
		goto out;
	if (rc == 0 && !strcmp(crimg_reader_kind(r)->name, "SIGNAL"))
		rc = machine_of(idir, name, path, &x.mtype, lim, err);
	crimg_reader_set_lazy(r, 1);
	struct crimg_entry e;
	int k = 0;
	while (rc == 0 && (k = crimg_reader_next(r, &e, err)) > 0)
		rc = fix_entry(&x, fd, tmp, path, r, &e, err);
	if (k < 0)
		rc = -1;
out:
	crimg_reader_close(r);
	return rc;
}
