/*
 * Part 2, files: every file the tree has open, maps, runs or sits in
 * (cwd, root) against the host's copy of it (present, size, mode,
 * build-id; a deleted file's directory writable), descriptor numbers
 * against fs.nr_open, terminals and the session they belong to, inet
 * sockets (the options connections need, ports in use, addresses the host
 * lacks), unix sockets whose peer is outside the tree, and file locks.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "check/host_check.h"

#define USK_EXTERN 1u /* unix_sk_entry.uflags: the peer is outside the tree */

/* The file's entry in files.img (or the older reg-files.img) and that
 * image's name. */
static int cmp_fidx(const void *a, const void *b)
{
	uint64_t x = ((const struct hc_fidx *)a)->id, y = ((const struct hc_fidx *)b)->id;
	return x < y ? -1 : x > y;
}

/* The index of x->fidx: every entry's id, read once. */
static void build_fidx(struct hc *x)
{
	static const char *const imgs[] = { "files.img", "reg-files.img" };
	x->fidx_built = 1;
	x->fidx_image = "files.img";
	for (size_t i = 0; i < 2; i++) {
		struct crimg_error e;
		const struct crimg_entries *en;
		if (!crimg_ckpt_has(x->c, imgs[i]))
			continue;
		x->fidx_image = imgs[i];
		en = crimg_ckpt_entries(x->c, imgs[i], &e);
		if (!en || !en->n)
			return;
		x->fidx = malloc(en->n * sizeof(*x->fidx));
		if (!x->fidx)
			return; /* findings then name no entry */
		for (size_t j = 0; j < en->n; j++) {
			uint64_t v;
			if (en->msgs[j] && hc_u64(en->msgs[j], "id", &v)) {
				x->fidx[x->n_fidx].id = v;
				x->fidx[x->n_fidx].entry = (int64_t)j;
				x->n_fidx++;
			}
		}
		qsort(x->fidx, x->n_fidx, sizeof(*x->fidx), cmp_fidx);
		return;
	}
}

/* The entry of file id in files.img (or reg-files.img), -1 when none. */
static int64_t file_entry(struct hc *x, uint32_t id, const char **image)
{
	if (!x->fidx_built)
		build_fidx(x);
	*image = x->fidx_image;
	struct hc_fidx key = { id, 0 };
	const struct hc_fidx *f = x->n_fidx
		? bsearch(&key, x->fidx, x->n_fidx, sizeof(*x->fidx), cmp_fidx)
		: NULL;
	return f ? f->entry : -1;
}

/* The ELF build-id the image records (uint32 words, little-endian bytes)
 * as hex into out (41 bytes); 0 when none. */
static int image_build_id(const struct crimg_file *f, char out[41])
{
	size_t n;
	const uint32_t *w = hc_rep_u32(f->msg, "build_id", &n);
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	if (!w || !n)
		return 0;
	for (size_t i = 0; i < n && o + 8 < 41; i++)
		for (int b = 0; b < 4; b++) {
			uint8_t byte = (uint8_t)(w[i] >> (8 * b));
			out[o++] = hex[byte >> 4];
			out[o++] = hex[byte & 15];
		}
	out[o] = '\0';
	return n * 8 <= 40 ? 1 : -1; /* -1: longer than a host's can be */
}

/* A regular file (or directory) of the tree, reached as what ("fd 4 of pid
 * 1220 (ctr)", "the cwd of ...", "the executable of ..."). */
static int check_reg(struct hc *x, const struct crimg_file *f, const char *what)
{
	const struct crimg_host *h = x->h;
	const char *path = f->path, *img;
	const struct host_file *hf;
	char v[64], hv[64];
	int64_t ent;
	if (!path || path[0] != '/' || f->u.reg.remap == CRIMG_REMAP_LINKED ||
	    f->u.reg.remap == CRIMG_REMAP_PROCFS)
		return 0;
	hf = host_file(h, path);
	if (!hf)
		return 0;
	if (f->u.reg.remap == CRIMG_REMAP_GHOST) {
		/* deleted at the dump: CRIU recreates it beside its old name */
		if (hf->dir_writable != 0)
			return 0;
		ent = file_entry(x, f->id, &img);
		return hc_add(
			x, R_GHOST_DIR, -1, img, ent, "name", path, "directory not writable",
			"%s (deleted, %s) cannot be recreated: its directory is missing or not writable on the host",
			path, what);
	}
	if (hf->exists < 0)
		return 0;
	ent = file_entry(x, f->id, &img);
	if (hf->exists == 0)
		return hc_add(x, R_FILE_MISSING, -1, img, ent, "name", path, "missing",
			      "%s (%s) is missing on the host", path, what);
	uint32_t mode = f->u.reg.mode;
	int reg = mode ? S_ISREG(mode) : S_ISREG(hf->mode);
	if (f->u.reg.has_size && reg && S_ISREG(hf->mode) && hf->size != f->u.reg.size) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)f->u.reg.size);
		snprintf(hv, sizeof(hv), "%llu", (unsigned long long)hf->size);
		/* CRIU stops at the size: the build-id is not looked at */
		return hc_add(x, R_FILE_SIZE, -1, img, ent, "size", v, hv,
			      "%s: size %llu on the host, %llu at the dump (%s)", path,
			      (unsigned long long)hf->size, (unsigned long long)f->u.reg.size,
			      what);
	}
	if (mode && hf->mode) {
		uint32_t mask = (x->flags & CRIMG_CHECK_SKIP_RWX) ? ~0777u : ~0u;
		if ((mode & mask) != (hf->mode & mask)) {
			snprintf(v, sizeof(v), "0%o", mode);
			snprintf(hv, sizeof(hv), "0%o", hf->mode);
			if (hc_add(x, R_FILE_MODE, -1, img, ent, "mode", v, hv,
				   "%s: mode %s on the host, %s at the dump (%s)", path, hv, v,
				   what) < 0)
				return -1;
		}
	}
	char bid[41];
	int hb = image_build_id(f, bid);
	if (hb && hf->build_id[0] && (hb < 0 || strcmp(bid, hf->build_id))) {
		/* CRIU 4.2 validates by build-id by default: a replaced binary of
		 * the same size is refused ("has bad build-ID") */
		return hc_add(x, R_FILE_BUILD_ID, CRIMG_CHECK_WILL_FAIL, img, ent, "build_id", bid,
			      hf->build_id, "%s: build-id %s on the host, %s at the dump (%s)",
			      path, hf->build_id, bid, what);
	}
	return 0;
}

/* Checks f once (files shared by tasks are looked at for the first). */
static int check_file_once(struct hc *x, struct hc_set *seen, const struct crimg_file *f,
			   const char *what)
{
	int fresh;
	if (!f || f->type != CRIMG_FD_REG)
		return 0;
	fresh = hc_set_add(seen, f->id);
	if (fresh < 0)
		return x->oom = 1, -1;
	return fresh ? check_reg(x, f, what) : 0;
}

/* An inet address as text into 16 bytes; 0 when it does not parse. */
static int parse_addr(unsigned family, const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (family == 2)
		return inet_pton(AF_INET, s, out) == 1;
	if (family == 10)
		return inet_pton(AF_INET6, s, out) == 1;
	return 0;
}

static int is_zero(const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return 0;
	return 1;
}

static int addr_len(unsigned family)
{
	return family == 10 ? 16 : 4;
}

/* Loopback addresses every network namespace has. */
static int is_loopback(unsigned family, const uint8_t *a)
{
	static const uint8_t v6lo[16] = { [15] = 1 };
	return family == 2 ? a[0] == 127 : !memcmp(a, v6lo, 16);
}

static int check_inet(struct hc *x, const struct crimg_file *f, const char *what)
{
	const struct crimg_host *h = x->h;
	unsigned fam = f->u.inet.family, proto = f->u.inet.proto, st = f->u.inet.state;
	unsigned port = f->u.inet.src_port;
	uint64_t ns = 0;
	const char *img;
	char v[96];
	int binds = 0;
	if (fam != 2 && fam != 10)
		return 0;
	if (proto == 6 && crimg_sk_tcp_has_stream(st)) {
		if (x->inv && x->inv->tcp_close)
			return 0; /* the inventory's demand is its own finding */
		if (!(x->flags & (CRIMG_CHECK_TCP_ESTABLISHED | CRIMG_CHECK_TCP_CLOSE))) {
			int64_t ent = file_entry(x, f->id, &img);
			snprintf(v, sizeof(v), "%s",
				 crimg_sk_state_name(st) ? crimg_sk_state_name(st) : "?");
			return hc_add(
				x, R_TCP_ESTABLISHED, -1, img, ent, "state", v,
				"no --tcp-established",
				"TCP connection %s:%u -> %s:%u (%s, %s) needs --tcp-established or --tcp-close",
				f->u.inet.src, port, f->u.inet.dst, f->u.inet.dst_port, v, what);
		}
		binds = !!(x->flags & CRIMG_CHECK_TCP_ESTABLISHED);
	} else if (proto == 6 && st == 10) {
		binds = 2; /* a listener: its port too */
	} else if (proto == 17 && port) {
		binds = 2;
	}
	if (!binds)
		return 0;
	hc_u64(f->msg, "ns_id", &ns);
	if (hc_own_netns(x, (uint32_t)ns))
		return 0; /* restored in a network namespace of its own */
	uint8_t a[16];
	if (!parse_addr(fam, f->u.inet.src, a))
		return 0;
	int wild = is_zero(a, (size_t)addr_len(fam));
	if (!wild && !is_loopback(fam, a) && h->addrs_known) {
		int found = 0;
		for (size_t i = 0; i < h->n_addrs && !found; i++)
			found = h->addrs[i].family == fam &&
				!memcmp(h->addrs[i].addr, a, (size_t)addr_len(fam));
		if (!found) {
			int64_t ent = file_entry(x, f->id, &img);
			return hc_add(x, R_ADDRESS_MISSING, -1, img, ent, "src_addr", f->u.inet.src,
				      "not configured",
				      "address %s (%s %s port %u, %s) is not configured on the host",
				      f->u.inet.src,
				      crimg_sk_proto_name(proto) ? crimg_sk_proto_name(proto) : "?",
				      crimg_sk_state_name(st) ? crimg_sk_state_name(st) : "", port,
				      what);
		}
	}
	if (binds < 2 || !h->ports_known || !port)
		return 0;
	for (size_t i = 0; i < h->n_ports; i++) {
		const struct host_port *p = &h->ports[i];
		if (p->proto != proto || p->port != port || (proto == 6 && p->state != 10))
			continue;
		/* an IPv6 wildcard listener may take the IPv4 port too */
		int hwild = is_zero(p->addr, (size_t)addr_len(p->family));
		if (p->family != fam && !(hwild && p->family == 10))
			continue;
		if (!wild && !hwild &&
		    (p->family != fam || memcmp(p->addr, a, (size_t)addr_len(fam))))
			continue;
		int64_t ent = file_entry(x, f->id, &img);
		snprintf(v, sizeof(v), "%s:%u", f->u.inet.src, port);
		return hc_add(x, R_PORT_IN_USE, -1, img, ent, "src_port", v, "in use",
			      "%s port %u (%s) is in use on the host",
			      crimg_sk_proto_name(proto) ? crimg_sk_proto_name(proto) : "?", port,
			      what);
	}
	return 0;
}

static int check_unix(struct hc *x, const struct crimg_file *f, const char *what)
{
	const struct crimg_file *peer = f->u.usk.peer;
	uint64_t uflags = 0;
	const char *img;
	char path[4097];
	if (!peer || peer->type != CRIMG_FD_UNIXSK || !hc_u64(peer->msg, "uflags", &uflags) ||
	    !(uflags & USK_EXTERN))
		return 0;
	size_t n = peer->u.usk.name_len;
	if (n >= sizeof(path))
		n = sizeof(path) - 1;
	if (peer->u.usk.name && n)
		memcpy(path, peer->u.usk.name, n);
	path[n] = '\0';
	n = strlen(path); /* abstract names (NUL first) and the trailing NUL */
	int64_t ent = file_entry(x, f->id, &img);
	if (!(x->flags & CRIMG_CHECK_EXT_UNIX_SK))
		return hc_add(
			x, R_UNIX_PEER_EXTERNAL, -1, img, ent, "peer", n ? path : "(unnamed)",
			"no --ext-unix-sk",
			"unix socket %u (%s) is connected to %s outside the tree: the restore needs --ext-unix-sk",
			f->u.usk.ino, what, n ? path : "a socket");
	if (path[0] != '/')
		return 0;
	const struct host_file *hf = host_file(x->h, path);
	if (!hf || hf->exists != 0)
		return 0;
	return hc_add(
		x, R_FILE_MISSING, -1, img, ent, "peer", path, "missing",
		"%s, the peer of unix socket %u (%s), is missing on the host: nothing to connect to",
		path, f->u.usk.ino, what);
}

/* filelocks.img: locks are taken again with --file-locks; without it they
 * are dropped (the restore passes, the lock is lost). */
static int check_locks(struct hc *x)
{
	struct crimg_error e;
	const struct crimg_entries *en;
	if (!crimg_ckpt_has(x->c, "filelocks.img"))
		return 0;
	en = crimg_ckpt_entries(x->c, "filelocks.img", &e);
	for (size_t i = 0; en && i < en->n; i++) {
		uint64_t pid = 0, fd = 0, flag = 0, type = 0;
		const ProtobufCMessage *m = en->msgs[i];
		const char *path = "?";
		char v[32];
		if (!m)
			continue;
		hc_u64(m, "pid", &pid);
		hc_u64(m, "fd", &fd);
		hc_u64(m, "flag", &flag);
		hc_u64(m, "type", &type);
		if (pid <= UINT32_MAX && fd <= UINT32_MAX) {
			const struct crimg_task *t = crimg_ckpt_task(x->c, (uint32_t)pid, &e);
			const struct crimg_fdtable *ft = t ? crimg_task_fds(x->c, t, &e) : NULL;
			const struct crimg_fd *d = ft ? crimg_fdtable_find(ft, (uint32_t)fd) : NULL;
			if (d && d->file && d->file->path)
				path = d->file->path;
		}
		const char *kind = flag & 4 ? "OFD" : flag & 2 ? "flock" : flag & 1 ? "POSIX" : "a";
		const char *rw = type == 1 ? "write" : type == 0 ? "read" : "";
		snprintf(v, sizeof(v), "%llu", (unsigned long long)fd);
		if (!(x->flags & CRIMG_CHECK_FILE_LOCKS)) {
			if (hc_add(x, R_FILE_LOCK, CRIMG_CHECK_NOTE, "filelocks.img", (int64_t)i,
				   "fd", v, "no --file-locks",
				   "pid %llu holds %s %s lock on %s (fd %llu): without --file-locks the restore passes and the lock is lost",
				   (unsigned long long)pid, kind, rw, path,
				   (unsigned long long)fd) < 0)
				return -1;
			continue;
		}
		/* with --file-locks: the probe says whether a process on the
		 * host holds a lock on the file now (/proc/locks) */
		const struct host_file *hf = strcmp(path, "?") ? host_file(x->h, path) : NULL;
		if (hf && hf->locked == 0)
			continue;
		if (hf && hf->locked == 1) {
			if (hc_add(x, R_FILE_LOCK, CRIMG_CHECK_WILL_FAIL, "filelocks.img",
				   (int64_t)i, "fd", v, "locked by a process on the host",
				   "pid %llu's %s %s lock on %s (fd %llu) is taken again, and a process on the host holds a lock on that file now",
				   (unsigned long long)pid, kind, rw, path,
				   (unsigned long long)fd) < 0)
				return -1;
		} else if (hc_add(x, R_FILE_LOCK, CRIMG_CHECK_MAY_FAIL, "filelocks.img", (int64_t)i,
				  "fd", v, "locks not described",
				  "pid %llu's %s %s lock on %s (fd %llu) is taken again: a conflicting lock on the host fails the restore (OFD) or hangs it (POSIX, flock)",
				  (unsigned long long)pid, kind, rw, path,
				  (unsigned long long)fd) < 0)
			return -1;
	}
	return 0;
}

/* The descriptors of one table (shared tables are looked at once). */
static int check_fds(struct hc *x, struct hc_set *seen, struct hc_set *socks,
		     const struct crimg_task *t, const struct crimg_fdtable *ft, uint32_t *max_fd,
		     size_t *max_i)
{
	char img[40], what[96];
	snprintf(img, sizeof(img), "fdinfo-%u.img", ft->files_id);
	for (size_t i = 0; i < ft->n_fds; i++) {
		const struct crimg_fd *d = &ft->fds[i];
		const struct crimg_file *f = d->file;
		if (d->fd >= *max_fd) {
			*max_fd = d->fd;
			*max_i = i;
		}
		if (!f)
			continue;
		snprintf(what, sizeof(what), "fd %u of pid %u (%.32s)", d->fd, t->pid,
			 hc_comm(x, t));
		if (f->type == CRIMG_FD_REG) {
			if (check_file_once(x, seen, f, what) < 0)
				return -1;
			continue;
		}
		if (f->type == CRIMG_FD_TTY && f->u.tty.sid &&
		    !hc_set_has(&x->tasks, f->u.tty.sid)) {
			char v[32], w[160];
			snprintf(v, sizeof(v), "%u", f->u.tty.sid);
			snprintf(w, sizeof(w),
				 "%s is a terminal of session %u, which is outside the tree", what,
				 f->u.tty.sid);
			if (hc_shell_job(x, img, (int64_t)i, "fd", v, w) < 0)
				return -1;
			continue;
		}
		if (f->type != CRIMG_FD_INETSK && f->type != CRIMG_FD_UNIXSK)
			continue;
		int fresh = hc_set_add(socks, f->id);
		if (fresh < 0)
			return x->oom = 1, -1;
		if (!fresh)
			continue;
		if ((f->type == CRIMG_FD_INETSK ? check_inet(x, f, what) : check_unix(x, f, what)) <
		    0)
			return -1;
	}
	return 0;
}

int hc_files(struct hc *x)
{
	const struct crimg_host *h = x->h;
	struct hc_set seen = { 0 }, socks = { 0 }, tables = { 0 };
	int rc = 0;
	for (size_t i = 0; i < x->tree->n_tasks && !rc; i++) {
		const struct crimg_task *t = &x->tree->tasks[i];
		struct crimg_error e;
		char what[96];
		const struct crimg_fdtable *ft = crimg_task_fds(x->c, t, &e);
		if (ft) {
			int fresh = hc_set_add(&tables, ft->files_id);
			uint32_t max_fd = 0;
			size_t max_i = 0;
			if (fresh < 0) {
				x->oom = 1;
				rc = -1;
				break;
			}
			if (fresh && (rc = check_fds(x, &seen, &socks, t, ft, &max_fd, &max_i)) < 0)
				break;
			/* CRIU puts its own service descriptors above the highest one */
			/* the limit: fs.nr_open, or the restorer's own
			 * RLIMIT_NOFILE when it cannot raise it */
			int64_t lim = h->nr_open;
			const char *which = "fs.nr_open";
			if (h->fd_limit > 0 && (lim <= 0 || h->fd_limit < lim)) {
				lim = h->fd_limit;
				which = "RLIMIT_NOFILE (no CAP_SYS_RESOURCE to raise it)";
			}
			if (fresh && ft->n_fds && lim > 0 && (int64_t)max_fd + 32 >= lim) {
				char img[40], v[32], hv[80];
				snprintf(img, sizeof(img), "fdinfo-%u.img", ft->files_id);
				snprintf(v, sizeof(v), "%u", max_fd);
				snprintf(hv, sizeof(hv), "%lld (%s)", (long long)lim, which);
				if ((rc = hc_add(x, R_NR_OPEN, -1, img, (int64_t)max_i, "fd", v, hv,
						 "pid %u (%s) has fd %u; the host's limit is %lld, %s (CRIU needs about 32 more above it)",
						 t->pid, hc_comm(x, t), max_fd, (long long)lim,
						 which)) < 0)
					break;
			}
		}
		const struct crimg_task_mm *mm = crimg_task_mm(x->c, t, &e);
		if (mm) {
			snprintf(what, sizeof(what), "the executable of pid %u (%.32s)", t->pid,
				 hc_comm(x, t));
			if ((rc = check_file_once(x, &seen, mm->exe, what)) < 0)
				break;
			for (size_t v = 0; v < mm->n_vmas && !rc; v++)
				if (mm->vmas[v].kind == CRIMG_VMA_KIND_FILE && mm->vmas[v].file) {
					snprintf(what, sizeof(what), "mapped by pid %u (%.32s)",
						 t->pid, hc_comm(x, t));
					rc = check_file_once(x, &seen, mm->vmas[v].file, what);
				}
			if (rc)
				break;
		}
		const struct crimg_task_fs *fs = crimg_task_fs(x->c, t, &e);
		if (fs) {
			snprintf(what, sizeof(what), "the cwd of pid %u (%.32s)", t->pid,
				 hc_comm(x, t));
			if ((rc = check_file_once(x, &seen, fs->cwd, what)) < 0)
				break;
			snprintf(what, sizeof(what), "the root of pid %u (%.32s)", t->pid,
				 hc_comm(x, t));
			if ((rc = check_file_once(x, &seen, fs->root, what)) < 0)
				break;
		}
	}
	if (!rc)
		rc = check_locks(x);
	hc_set_free(&seen);
	hc_set_free(&socks);
	hc_set_free(&tables);
	return rc;
}
