/*
 * Image level: two images of one kind, entry by entry and field by field
 * (diff_msg.c), with what follows an entry (pipe data, queued packets,
 * semaphore values, ghost file contents, ...) compared as bytes; raw
 * images (no header) block by block.  For two checkpoints, the images the
 * model does not cover are compared this way, matched by file name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff_int.h"

/* What followed an entry, copied: up to two parts (tcp: inq, outq). */
struct extra {
	const uint8_t *p[2];
	size_t n[2];
	int has;
};

struct img {
	const struct crimg_kind *kind;
	ProtobufCMessage **msgs;
	struct extra *ex;
	size_t n, cap;
	struct crimg_arena arena;
};

static void img_free(struct img *im)
{
	free(im->msgs);
	free(im->ex);
	crimg_arena_free(&im->arena);
}

static int img_grow(struct img *im)
{
	if (im->n < im->cap)
		return 0;
	size_t cap = im->cap ? im->cap * 2 : 16;
	ProtobufCMessage **nm = realloc(im->msgs, cap * sizeof(*nm));
	if (!nm)
		return -1;
	im->msgs = nm;
	struct extra *ne = realloc(im->ex, cap * sizeof(*ne));
	if (!ne)
		return -1;
	im->ex = ne;
	im->cap = cap;
	return 0;
}

static const uint8_t *keep(struct img *im, const void *p, size_t n)
{
	uint8_t *q = crimg_arena_alloc(&im->arena, n ? n : 1);
	if (q && n)
		memcpy(q, p, n);
	return q;
}

/* The extras of e, copied into im's arena; -1 when out of memory. */
static int keep_extra(struct img *im, const struct crimg_entry *e, struct extra *x)
{
	memset(x, 0, sizeof(*x));
	if (!e->has_extra)
		return 0;
	x->has = 1;
	if (e->sems) {
		x->n[0] = e->n_sems * sizeof(uint16_t);
		x->p[0] = keep(im, e->sems, x->n[0]);
		return x->p[0] ? 0 : -1;
	}
	if (e->msgs) {
		/* each message: its packed header, then its data */
		size_t total = 0;
		for (size_t i = 0; i < e->n_msgs; i++)
			total += protobuf_c_message_get_packed_size(e->msgs[i].msg) +
				e->msgs[i].len;
		uint8_t *q = crimg_arena_alloc(&im->arena, total ? total : 1);
		if (!q)
			return -1;
		size_t at = 0;
		for (size_t i = 0; i < e->n_msgs; i++) {
			at += protobuf_c_message_pack(e->msgs[i].msg, q + at);
			if (e->msgs[i].len)
				memcpy(q + at, e->msgs[i].data, e->msgs[i].len);
			at += e->msgs[i].len;
		}
		x->p[0] = q;
		x->n[0] = total;
		return 0;
	}
	x->n[0] = e->extra_len;
	x->p[0] = keep(im, e->extra, e->extra_len);
	x->n[1] = e->extra2_len;
	x->p[1] = keep(im, e->extra2, e->extra2_len);
	return x->p[0] && x->p[1] ? 0 : -1;
}

/* Every entry of the image in buf, unpacked into im's arena. */
static int img_load(struct img *im, const char *name, const uint8_t *buf, size_t len,
		    const struct crimg_limits *lim, struct crimg_error *err)
{
	memset(im, 0, sizeof(*im));
	crimg_arena_init(&im->arena);
	struct crimg_reader *r = crimg_reader_open_mem(buf, len, name, lim, err);
	if (!r)
		return -1;
	crimg_reader_set_lazy(r, 1);
	im->kind = crimg_reader_kind(r);
	struct crimg_entry e;
	uint8_t *pk = NULL;
	size_t pkcap = 0;
	int rc;
	while ((rc = crimg_reader_next(r, &e, err)) > 0) {
		const uint8_t *p = e.payload;
		size_t n = e.payload_len;
		if (e.msg) {
			/* unpacked into the reader's arena, which the next entry
			 * resets: packed again to be unpacked into ours */
			n = protobuf_c_message_get_packed_size(e.msg);
			if (n > pkcap) {
				uint8_t *np = realloc(pk, n);
				if (!np) {
					rc = crimg_fail(err, name, -1, -1, "out of memory");
					break;
				}
				pk = np;
				pkcap = n;
			}
			protobuf_c_message_pack(e.msg, pk);
			p = pk;
		}
		if (img_grow(im) < 0) {
			rc = crimg_fail(err, name, -1, -1, "out of memory");
			break;
		}
		ProtobufCMessage *m = protobuf_c_message_unpack(e.desc, &im->arena.pb, n, p);
		if (!m) {
			rc = crimg_fail(err, name, (int64_t)e.offset + 4, (int64_t)e.index,
					im->arena.failed ? "out of memory unpacking %s"
							 : "invalid protobuf data for %s",
					e.desc->name);
			break;
		}
		if (keep_extra(im, &e, &im->ex[im->n]) < 0) {
			rc = crimg_fail(err, name, -1, -1, "out of memory");
			break;
		}
		im->msgs[im->n++] = m;
	}
	free(pk);
	crimg_reader_close(r);
	if (rc < 0) {
		img_free(im);
		return -1;
	}
	return 0;
}

/* Bytes of an extra as a value: base64 as crit shows it when short, else
 * its size (and, when only the contents changed, where). */
static char *extra_value(struct diff *d, const uint8_t *p, size_t n, const uint8_t *other,
			 size_t on)
{
	if (n <= 96) {
		d->vo->used = 0;
		jw_init(&d->jc.j, d->vo, 0);
		jw_b64(&d->jc.j, p, n);
		char *s = malloc(d->vo->used + 1);
		if (!s) {
			d->oom = 1;
			return NULL;
		}
		memcpy(s, d->vo->buf, d->vo->used);
		s[d->vo->used] = '\0';
		d->vo->used = 0;
		return s;
	}
	if (other && on == n) {
		size_t first = 0, count = 0;
		for (size_t i = 0; i < n; i++)
			if (p[i] != other[i] && !count++)
				first = i;
		return dv_strf(d, "%zu bytes (%zu differ, the first at offset %zu)", n, count,
			       first);
	}
	return dv_strf(d, "%zu bytes", n);
}

struct extras_pair {
	const struct img *a, *b;
	unsigned cat;
};

static int diff_extras(struct diff *d, void *arg, size_t ia, size_t ib)
{
	const struct extras_pair *x = arg;
	const struct extra *ea = &x->a->ex[ia], *eb = &x->b->ex[ib];
	int tcp = x->a->kind->extra == CRIMG_EXTRA_TCP_STREAM;
	for (int k = 0; k < 2 && !diff_done(d); k++) {
		if (!ea->has && !eb->has)
			continue;
		if (ea->has && eb->has && ea->n[k] == eb->n[k] &&
		    (!ea->n[k] || memcmp(ea->p[k], eb->p[k], ea->n[k]) == 0))
			continue;
		const char *name = tcp ? (k ? ".extra.outq" : ".extra.inq") : ".extra";
		if (!tcp && k)
			break;
		enum crimg_diff_op op = ea->has && eb->has ? CRIMG_DIFF_CHANGED
			: ea->has                          ? CRIMG_DIFF_REMOVED
							   : CRIMG_DIFF_ADDED;
		char *before = ea->has
			? extra_value(d, ea->p[k], ea->n[k], eb->has ? eb->p[k] : NULL, eb->n[k])
			: NULL;
		char *after = eb->has
			? extra_value(d, eb->p[k], eb->n[k], ea->has ? ea->p[k] : NULL, ea->n[k])
			: NULL;
		demit_at(d, x->cat, op, before, after, "%s", name);
	}
	return diff_done(d);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Raw data: a raw kind by its name, or a file of no known name without
 * any image header (compared as bytes, like a pages image). */
static int is_raw(const char *name, const uint8_t *buf, size_t len)
{
	const struct crimg_kind *k = crimg_kind_by_path(name);
	if (k)
		return k->layout == CRIMG_LAYOUT_RAW;
	struct crimg_reader *r = crimg_reader_open_mem(buf, len, name, NULL, NULL);
	crimg_reader_close(r);
	return r == NULL;
}

static const struct crimg_kind *kind_of(const char *name, const uint8_t *buf, size_t len,
					struct crimg_error *err)
{
	struct crimg_reader *r = crimg_reader_open_mem(buf, len, name, NULL, err);
	const struct crimg_kind *k = r ? crimg_reader_kind(r) : NULL;
	crimg_reader_close(r);
	return k;
}

static const char *raw_kind(const char *name)
{
	const struct crimg_kind *k = crimg_kind_by_path(base_name(name));
	return k ? k->name : "raw data";
}

int diff_image_pair(struct diff *d, unsigned cat, const char *name_a, const uint8_t *a, size_t alen,
		    const char *name_b, const uint8_t *b, size_t blen, dskip_list skip)
{
	int raw_a = is_raw(base_name(name_a), a, alen), raw_b = is_raw(base_name(name_b), b, blen);
	if (raw_a && raw_b)
		return diff_raw(d, cat, a, alen, b, blen);
	if (raw_a || raw_b) {
		/* name the other one's kind: it has a header */
		const struct crimg_kind *ok = raw_a ? kind_of(name_b, b, blen, NULL)
						    : kind_of(name_a, a, alen, NULL);
		const char *okind = ok ? ok->name : "not an image";
		return crimg_fail(
			d->err, NULL, -1, -1,
			"%s (%s) and %s (%s) are images of different kinds: nothing to compare",
			name_a, raw_a ? raw_kind(name_a) : okind, name_b,
			raw_b ? raw_kind(name_b) : okind);
	}
	/* the kinds first: entries of one kind do not parse as another's */
	const struct crimg_kind *ka = kind_of(name_a, a, alen, d->err);
	const struct crimg_kind *kb = ka ? kind_of(name_b, b, blen, d->err) : NULL;
	if (!ka || !kb)
		return -1;
	if (ka != kb) {
		if (!d->ca)
			return crimg_fail(
				d->err, NULL, -1, -1,
				"%s (%s) and %s (%s) are images of different kinds: nothing to compare",
				name_a, ka->name, name_b, kb->name);
		demit_at(d, cat, CRIMG_DIFF_CHANGED, dv_str(d, ka->name), dv_str(d, kb->name),
			 ".magic");
		return 0;
	}
	struct img ia, ib;
	if (img_load(&ia, name_a, a, alen, d->lim, d->err) < 0)
		return -1;
	if (img_load(&ib, name_b, b, blen, d->lim, d->err) < 0) {
		img_free(&ia);
		return -1;
	}
	struct extras_pair xp = { &ia, &ib, cat };
	size_t skip_a = 0, skip_b = 0;
	if (ia.kind->layout == CRIMG_LAYOUT_PAGEMAP && ia.n && ib.n) {
		/* the head, then the entries keyed by address */
		size_t mark = dpath_push(d, "[0]");
		dmsg(d, cat, ia.msgs[0], ib.msgs[0], skip);
		dpath_pop(d, mark);
		skip_a = skip_b = 1;
	}
	int extras = ia.kind->extra != CRIMG_EXTRA_NONE || ia.kind->layout == CRIMG_LAYOUT_GHOST;
	dmsgs_x(d, cat, ia.msgs + skip_a, ia.n - skip_a, ib.msgs + skip_b, ib.n - skip_b, skip,
		extras ? diff_extras : NULL, &xp, skip_a);
	img_free(&ia);
	img_free(&ib);
	return 0;
}

/* ---- the images of two checkpoints that the model does not cover ---- */

static int has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

int diff_model_covers(const char *name)
{
	static const char *const prefixes[] = {
		"core-", "mm-",  "pagemap-",     "pages-", "fdinfo-",
		"fs-",   "ids-", "mountpoints-", "vmas-",
	};
	static const char *const names[] = {
		"pstree.img",        "files.img",         "reg-files.img",   "pipes.img",
		"fifo.img",          "inetsk.img",        "unixsk.img",      "eventfd.img",
		"eventpoll.img",     "eventpoll-tfd.img", "inotify.img",     "inotify-wd.img",
		"signalfd.img",      "packetsk.img",      "tty.img",         "fanotify.img",
		"fanotify-mark.img", "netlinksk.img",     "ns-files.img",    "tunfile.img",
		"ext-files.img",     "timerfd.img",       "bpfmap-file.img", "memfd.img",
	};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (has_prefix(name, prefixes[i]))
			return 1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

/* The category an image's differences belong to, by its name. */
static unsigned cat_of(const char *name)
{
	static const struct {
		const char *prefix;
		unsigned cat;
	} t[] = {
		{ "utsns-", CRIMG_DIFF_NS },          { "ipcns-", CRIMG_DIFF_NS },
		{ "netns-", CRIMG_DIFF_NS },          { "netdev-", CRIMG_DIFF_NS },
		{ "ifaddr-", CRIMG_DIFF_NS },         { "route-", CRIMG_DIFF_NS },
		{ "route6-", CRIMG_DIFF_NS },         { "rule-", CRIMG_DIFF_NS },
		{ "iptables-", CRIMG_DIFF_NS },       { "ip6tables-", CRIMG_DIFF_NS },
		{ "nftables-", CRIMG_DIFF_NS },       { "timens-", CRIMG_DIFF_NS },
		{ "userns-", CRIMG_DIFF_NS },         { "pidns-", CRIMG_DIFF_NS },
		{ "cgroup.img", CRIMG_DIFF_CGROUP },  { "pipes-data.img", CRIMG_DIFF_FD },
		{ "fifo-data.img", CRIMG_DIFF_FD },   { "tty-", CRIMG_DIFF_FD },
		{ "ghost-file-", CRIMG_DIFF_FD },     { "remap-fpath.img", CRIMG_DIFF_FD },
		{ "filelocks.img", CRIMG_DIFF_FD },   { "sk-queues.img", CRIMG_DIFF_SOCKET },
		{ "tcp-stream-", CRIMG_DIFF_SOCKET }, { "tmpfs-", CRIMG_DIFF_MOUNT },
		{ "autofs-", CRIMG_DIFF_MOUNT },      { "binfmt-misc", CRIMG_DIFF_MOUNT },
		{ "sigacts-", CRIMG_DIFF_SIGACTION }, { "creds-", CRIMG_DIFF_CREDS },
		{ "itimers-", CRIMG_DIFF_TASK },      { "posix-timers-", CRIMG_DIFF_TASK },
		{ "signal-", CRIMG_DIFF_TASK },       { "rlimit-", CRIMG_DIFF_TASK },
		{ "seccomp.img", CRIMG_DIFF_TASK },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (has_prefix(name, t[i].prefix))
			return t[i].cat;
	return CRIMG_DIFF_IMAGE;
}

/* Images only: CRIU's log and engine files are not compared. */
static int is_image(const char *name)
{
	return crimg_kind_by_path(name) != NULL;
}

/* Inode and device numbers (that key pipe data, socket queues and ghost
 * files) differ between any two dumps: not compared, and those entries are
 * matched by position.  Cgroup sets are compared per task, as the paths
 * they stand for. */
static const char *const image_skip[] = { "pipe_id", "id_for", "ino", "dev", NULL };
static const char *const cgroup_skip[] = { "sets", NULL };

static int one_image(struct diff *d, const char *name)
{
	size_t mark = dpath_push(d, "%s", name);
	dgroup(d, "image %s", name);
	unsigned cat = cat_of(name);
	int rc = 0;
	if (!dskip(d, cat)) {
		size_t la, lb;
		const uint8_t *a = crimg_ckpt_data(d->ca, name, &la, d->err);
		const uint8_t *b = a ? crimg_ckpt_data(d->cb, name, &lb, d->err) : NULL;
		if (!a || !b)
			rc = -1;
		else if (la != lb || memcmp(a, b, la) != 0)
			rc = diff_image_pair(d, cat, name, a, la, name, b, lb,
					     cat == CRIMG_DIFF_CGROUP ? cgroup_skip : image_skip);
	}
	dpath_pop(d, mark);
	return rc;
}

static int only_one(struct diff *d, struct crimg_ckpt *c, const char *name, int in_a)
{
	size_t mark = dpath_push(d, "%s", name);
	dgroup(d, "image %s", name);
	const struct crimg_kind *k = crimg_kind_by_path(name);
	char *v = dv_strf(d, "%s image, %lld bytes", k->name,
			  (long long)crimg_ckpt_data_size(c, name));
	/* a whole image there or not is about the images, whatever its
	 * entries are about: under --only task, "+ image seccomp.img" would be
	 * no task's field */
	demit(d, CRIMG_DIFF_IMAGE, in_a ? CRIMG_DIFF_REMOVED : CRIMG_DIFF_ADDED, in_a ? v : NULL,
	      in_a ? NULL : v, NULL);
	dpath_pop(d, mark);
	return 0;
}

int diff_other_images(struct diff *d)
{
	const char *const *na, *const *nb;
	size_t ca = crimg_ckpt_images(d->ca, &na), cb = crimg_ckpt_images(d->cb, &nb);
	size_t i = 0, j = 0;
	int rc = 0;
	while ((i < ca || j < cb) && rc == 0 && !diff_done(d)) {
		int c = i == ca ? 1 : j == cb ? -1 : strcmp(na[i], nb[j]);
		const char *name = c <= 0 ? na[i] : nb[j];
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
		if (!is_image(name) || diff_model_covers(name))
			continue;
		if (c == 0)
			rc = one_image(d, name);
		else
			rc = only_one(d, c < 0 ? d->ca : d->cb, name, c < 0);
	}
	return rc;
}
