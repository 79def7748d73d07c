/*
 * What the fds and sockets tabs share: a task's descriptors resolved to
 * what they are, the other end of each pipe and the peer of each unix
 * socket (found through an index of every task's descriptors, built the
 * first time one is asked for), data queued in sockets and pipes, and the
 * detail pane of a descriptor's file entry.  The detail pane lines are
 * the maps tab's too.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crimg/json.h"
#include "task_files.h"

/* ---- detail pane lines ---- */

#define TF_LINES_MAX 4096
#define TF_KEY_W 13

void tf_lines_clear(struct tf_lines *L)
{
	for (size_t i = 0; i < L->n; i++)
		free(L->v[i].text);
	free(L->v);
	memset(L, 0, sizeof(*L));
}

static void line_put(struct tf_lines *L, int role, const char *key, const char *val, size_t vlen)
{
	if (L->n >= TF_LINES_MAX)
		return;
	if (L->n == L->cap) {
		size_t cap = L->cap ? L->cap * 2 : 32;
		struct tf_line *nv = realloc(L->v, cap * sizeof(*nv));
		if (!nv)
			return;
		L->v = nv;
		L->cap = cap;
	}
	/* labels in a column of TF_KEY_W, longer ones followed by two spaces */
	size_t kl = key ? strlen(key) : 0;
	size_t kw = kl ? (kl + 2 > TF_KEY_W ? kl + 2 : TF_KEY_W) : 0;
	char *s = malloc(kw + vlen + 1);
	if (!s)
		return;
	memcpy(s, key ? key : "", kl);
	while (kl < kw)
		s[kl++] = ' ';
	memcpy(s + kl, val, vlen);
	s[kl + vlen] = 0;
	L->v[L->n].role = role;
	L->v[L->n].klen = kl;
	L->v[L->n].text = s;
	L->n++;
}

void tf_line(struct tf_lines *L, int role, const char *key, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	line_put(L, role, key, buf, strlen(buf));
}

void tf_line_wrap(struct tf_lines *L, int role, const char *key, const char *text, size_t n,
		  size_t w)
{
	size_t kl = key && *key ? (strlen(key) + 2 > TF_KEY_W ? strlen(key) + 2 : TF_KEY_W) : 0;
	if (w < kl + 8)
		w = kl + 8;
	size_t first = w - kl;
	size_t k = n < first ? n : first;
	line_put(L, role, key, text, k);
	for (size_t off = k; off < n && L->n < TF_LINES_MAX; off += w) {
		size_t m = n - off < w ? n - off : w;
		line_put(L, role, NULL, text + off, m);
	}
}

size_t tf_lines_count(const struct tf_lines *L)
{
	return L->n;
}

void tf_lines_row(const struct tf_lines *L, size_t i, struct tui_row *r)
{
	if (i >= L->n)
		return;
	const struct tf_line *l = &L->v[i];
	if (l->klen)
		tui_row_addn(r, TR_DIM, l->text, l->klen);
	tui_row_addn(r, l->role, l->text + l->klen, strlen(l->text + l->klen));
}

char *tf_json(const ProtobufCMessage *m, struct crimg_error *err)
{
	FILE *f = tmpfile();
	char *out = NULL;
	if (!f) {
		snprintf(err->msg, sizeof(err->msg), "no temporary file for the entry's JSON");
		return NULL;
	}
	struct crimg_out *o = crimg_out_new(fileno(f), "JSON");
	if (o && !crimg_json_message(m, CRIMG_LITTLE_ENDIAN, 0, o, err) &&
	    !crimg_out_flush(o, err)) {
		off_t len = lseek(fileno(f), 0, SEEK_END);
		size_t n = len < 0 ? 0 : len > 65536 ? 65536 : (size_t)len;
		out = malloc(n + 1);
		if (out) {
			ssize_t k = pread(fileno(f), out, n, 0);
			out[k > 0 ? (size_t)k : 0] = 0;
		}
	} else if (!o) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
	}
	crimg_out_free(o);
	fclose(f);
	return out;
}

/* The number after "key": in the compact JSON js; -1 when absent. */
static int json_u64(const char *js, const char *key, uint64_t *out)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = strstr(js, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	*out = strtoull(p, NULL, 10);
	return 0;
}

const char *tf_size(uint64_t b, char *buf, size_t n)
{
	if (b < 1024)
		snprintf(buf, n, "%" PRIu64 "%s", b, b ? "B" : "");
	else if (b < 1024 * 1024)
		snprintf(buf, n, "%" PRIu64 "K", (b + 1023) / 1024);
	else if (b < (uint64_t)1 << 30)
		snprintf(buf, n, "%.1fM", (double)b / (1024 * 1024));
	else
		snprintf(buf, n, "%.1fG", (double)b / (1 << 30));
	return buf;
}

/* ---- the view ---- */

static int is_socket(unsigned type)
{
	return type == CRIMG_FD_INETSK || type == CRIMG_FD_UNIXSK || type == CRIMG_FD_PACKETSK ||
		type == CRIMG_FD_NETLINKSK;
}

struct tui_view *tf_view_new(struct tui *t, uint32_t pid, const struct tui_view_ops *ops,
			     int sockets)
{
	struct tf_view *fv = calloc(1, sizeof(*fv));
	struct crimg_error err;
	char e[300];
	crimg_error_clear(&err);
	if (!fv)
		goto oom;
	fv->sockets = sockets;
	fv->task = tui_task(t, pid);
	if (!fv->task) {
		snprintf(fv->err, sizeof(fv->err), "no task %u in the process tree%s%s", pid,
			 t->tree_err[0] ? ": " : "", t->tree_err);
	} else {
		const struct crimg_task_brief *b = crimg_task_brief(t->c, fv->task, &err);
		if (b && (b->state == CRIMG_TASK_DEAD || b->state == CRIMG_TASK_ZOMBIE)) {
			snprintf(fv->err, sizeof(fv->err),
				 "pid %u is a zombie: it has no file descriptors", pid);
		} else {
			fv->ft = crimg_task_fds(t->c, fv->task, &err);
			if (!fv->ft) {
				tui_errstr(&err, e, sizeof(e));
				snprintf(fv->err, sizeof(fv->err), "%s", e);
			}
		}
	}
	if (fv->ft) {
		size_t n = fv->ft->n_fds;
		fv->rows = calloc(n + 1, sizeof(*fv->rows));
		fv->inq = calloc(n + 1, sizeof(*fv->inq));
		fv->outq = calloc(n + 1, sizeof(*fv->outq));
		if (!fv->rows || !fv->inq || !fv->outq)
			goto oom;
		for (size_t k = 0; k < n; k++) {
			const struct crimg_fd *fd = &fv->ft->fds[k];
			unsigned type = fd->file ? fd->file->type : fd->type;
			if (!sockets || is_socket(type) || is_socket(fd->type))
				fv->rows[fv->n++] = k;
		}
		for (size_t k = 0; k <= n; k++)
			fv->inq[k] = fv->outq[k] = -2;
	}
	struct tui_view *v = tui_view_new(ops, fv, pid);
	if (v)
		return v;
oom:
	if (fv) {
		free(fv->rows);
		free(fv->inq);
		free(fv->outq);
		free(fv);
	}
	tui_msg(t, TR_ERROR, "out of memory");
	return NULL;
}

void tf_view_free(struct tui_view *v)
{
	struct tf_view *fv = v->priv;
	if (!fv)
		return;
	free(fv->rows);
	free(fv->holders);
	free(fv->inet);
	free(fv->skq);
	free(fv->pipeq);
	free(fv->inq);
	free(fv->outq);
	tf_lines_clear(&fv->det);
	free(fv);
}

const struct crimg_fd *tf_fd(struct tf_view *fv, size_t i)
{
	if (!fv->ft || i >= fv->n)
		return NULL;
	return &fv->ft->fds[fv->rows[i]];
}

size_t tf_count(struct tui *t, struct tui_view *v)
{
	struct tf_view *fv = v->priv;
	return fv->ft ? fv->n : 1;
}

int tf_error_row(struct tf_view *fv, struct tui_row *r)
{
	if (fv->ft)
		return 0;
	tui_row_add(r, strstr(fv->err, "zombie") ? TR_WARN : TR_ERROR, "%s", fv->err);
	return 1;
}

/* ---- who holds what ---- */

static int holder_cmp(const void *a, const void *b)
{
	const struct tf_holder *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

#define TF_HOLDERS_MAX ((size_t)1 << 22)

static void build_holders(struct tui *t, struct tf_view *fv)
{
	struct crimg_error err;
	size_t cap = 0;
	fv->holders_built = 1;
	if (!t->tree)
		return;
	for (size_t i = 0; i < t->tree->n_tasks; i++) {
		const struct crimg_task *task = &t->tree->tasks[i];
		crimg_error_clear(&err);
		const struct crimg_task_brief *b = crimg_task_brief(t->c, task, &err);
		if (b && (b->state == CRIMG_TASK_DEAD || b->state == CRIMG_TASK_ZOMBIE))
			continue;
		const struct crimg_fdtable *ft = b ? crimg_task_fds(t->c, task, &err) : NULL;
		if (!ft) {
			if (!fv->holders_err[0]) {
				char e[250];
				tui_errstr(&err, e, sizeof(e));
				snprintf(fv->holders_err, sizeof(fv->holders_err), "pid %u: %s",
					 task->pid, e);
			}
			continue;
		}
		for (size_t k = 0; k < ft->n_fds && fv->n_holders < TF_HOLDERS_MAX; k++) {
			if (fv->n_holders == cap) {
				size_t nc = cap ? cap * 2 : 64;
				struct tf_holder *nh = realloc(fv->holders, nc * sizeof(*nh));
				if (!nh)
					goto sort;
				fv->holders = nh;
				cap = nc;
			}
			struct tf_holder *h = &fv->holders[fv->n_holders++];
			h->id = ft->fds[k].id;
			h->pid = task->pid;
			h->fd = ft->fds[k].fd;
			h->type = ft->fds[k].type;
		}
	}
sort:
	if (fv->n_holders)
		qsort(fv->holders, fv->n_holders, sizeof(*fv->holders), holder_cmp);
	for (size_t k = 0; k < fv->n_holders; k++)
		fv->n_inet += fv->holders[k].type == CRIMG_FD_INETSK;
	fv->inet = calloc(fv->n_inet + 1, sizeof(*fv->inet));
	fv->n_inet = 0;
	for (size_t k = 0; fv->inet && k < fv->n_holders; k++)
		if (fv->holders[k].type == CRIMG_FD_INETSK)
			fv->inet[fv->n_inet++] = k;
}

/* The first holder of file id, and in *n how many there are. */
static const struct tf_holder *holders_of(struct tui *t, struct tf_view *fv, uint32_t id, size_t *n)
{
	if (!fv->holders_built)
		build_holders(t, fv);
	size_t lo = 0, hi = fv->n_holders;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fv->holders[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t k = lo;
	while (k < fv->n_holders && fv->holders[k].id == id)
		k++;
	*n = k - lo;
	return *n ? &fv->holders[lo] : NULL;
}

/* A connected inet socket's other side: the socket whose addresses are
 * f's swapped. */
static int inet_pair(const struct crimg_file *f, const struct crimg_file *g)
{
	return g != f && g->type == CRIMG_FD_INETSK && g->u.inet.family == f->u.inet.family &&
		g->u.inet.proto == f->u.inet.proto && g->u.inet.src_port == f->u.inet.dst_port &&
		g->u.inet.dst_port == f->u.inet.src_port && !strcmp(g->u.inet.src, f->u.inet.dst) &&
		!strcmp(g->u.inet.dst, f->u.inet.src);
}

/* The files at the other end of f: a pipe's other records, a unix
 * socket's peer, a connected inet socket's other side.  Returns their
 * count (at most max) in ids. */
static size_t other_ends(struct tui *t, struct tf_view *fv, const struct crimg_file *f,
			 uint32_t *ids, size_t max)
{
	size_t n = 0;
	if (!f)
		return 0;
	if (f->type == CRIMG_FD_INETSK && f->u.inet.dst_port && f->u.inet.state != 10) {
		if (!fv->holders_built)
			build_holders(t, fv);
		for (size_t k = 0; k < fv->n_inet && n < max; k++) {
			const struct tf_holder *h = &fv->holders[fv->inet[k]];
			if (n && ids[n - 1] == h->id)
				continue;
			struct crimg_error err;
			crimg_error_clear(&err);
			const struct crimg_file *g = crimg_ckpt_file_by_id(t->c, h->id, &err);
			if (g && inet_pair(f, g))
				ids[n++] = h->id;
		}
		return n;
	}
	if (f->type == CRIMG_FD_PIPE || f->type == CRIMG_FD_FIFO) {
		for (size_t i = 0; i < f->u.pipe.n_peers && n < max; i++)
			if (f->u.pipe.peers[i])
				ids[n++] = f->u.pipe.peers[i]->id;
	} else if (f->type == CRIMG_FD_UNIXSK && f->u.usk.peer && max) {
		ids[n++] = f->u.usk.peer->id;
	}
	return n;
}

const struct tf_holder *tf_peer(struct tui *t, struct tf_view *fv, const struct crimg_fd *fd,
				size_t *n)
{
	uint32_t ids[64];
	size_t ni = other_ends(t, fv, fd->file, ids, 64);
	const struct tf_holder *best = NULL;
	uint32_t self = fv->task ? fv->task->pid : 0;
	*n = 0;
	for (size_t i = 0; i < ni; i++) {
		size_t k;
		const struct tf_holder *h = holders_of(t, fv, ids[i], &k);
		for (size_t j = 0; j < k; j++) {
			int is_self = h[j].pid == self && h[j].fd == fd->fd;
			/* this task's own descriptors first, then by pid */
			if (!best || (best->pid != self && h[j].pid == self && !is_self))
				best = &h[j];
		}
		*n += k;
	}
	return best;
}

void tf_peer_add(struct tui *t, struct tf_view *fv, const struct crimg_fd *fd, struct tui_row *r)
{
	const struct crimg_file *f = fd->file;
	size_t n;
	if (!f)
		return;
	if (f->type == CRIMG_FD_UNIXSK) {
		if (!f->u.usk.peer_ino)
			return;
		if (!f->u.usk.peer) {
			tui_row_add(r, TR_WARN, " -> socket:[%u] (not in the dump)",
				    f->u.usk.peer_ino);
			return;
		}
	} else if (f->type != CRIMG_FD_PIPE && f->type != CRIMG_FD_FIFO &&
		   f->type != CRIMG_FD_INETSK) {
		return;
	}
	const struct tf_holder *h = tf_peer(t, fv, fd, &n);
	if (h) {
		tui_row_add(r, TR_LINK, " -> pid %u fd %u", h->pid, h->fd);
		if (n > 1)
			tui_row_add(r, TR_DIM, " (+%zu)", n - 1);
	} else if (f->type == CRIMG_FD_UNIXSK) {
		tui_row_add(r, TR_DIM, " -> socket:[%u] (held by no task)", f->u.usk.peer_ino);
	} else if (f->type == CRIMG_FD_INETSK) {
		return; /* the other side is elsewhere */
	} else {
		tui_row_add(r, TR_DIM, " (other end not open in the dump)");
	}
}

void tf_follow(struct tui *t, struct tui_view *v, size_t sel, enum tui_tab tab)
{
	struct tf_view *fv = v->priv;
	const struct crimg_fd *fd = tf_fd(fv, sel);
	size_t n;
	const struct tf_holder *h = fd ? tf_peer(t, fv, fd, &n) : NULL;
	if (!h) {
		tui_msg(t, TR_WARN, "no other end to follow");
		return;
	}
	uint32_t pid = h->pid, peer_fd = h->fd;
	struct tui_view *nv = tui_view_task(t, pid, tab);
	if (!nv)
		return;
	if (!strcmp(nv->ops->name, "fds") || !strcmp(nv->ops->name, "sockets")) {
		struct tf_view *nf = nv->priv;
		for (size_t i = 0; i < nf->n; i++)
			if (tf_fd(nf, i)->fd == peer_fd) {
				tui_select(t, nv, i);
				break;
			}
	}
	tui_push(t, nv);
	tui_msg(t, TR_TEXT, "pid %u fd %u: the other end of pid %u fd %u", pid, peer_fd, v->pid,
		fd->fd);
}

/* ---- sockets ---- */

const char *tf_inet_proto(const struct crimg_file *f, char *buf, size_t n)
{
	const char *p = crimg_sk_proto_name(f->u.inet.proto);
	char lower[16];
	size_t k = 0;
	if (!p)
		p = f->u.inet.type == 3 ? "RAW" : "IP";
	for (; p[k] && k + 1 < sizeof(lower); k++)
		lower[k] = (char)(p[k] >= 'A' && p[k] <= 'Z' ? p[k] + 32 : p[k]);
	lower[k] = 0;
	snprintf(buf, n, "%s%s", lower, f->u.inet.family == 10 ? "6" : "");
	return buf;
}

const char *tf_endpoint(unsigned family, const char *addr, unsigned port, char *buf, size_t n)
{
	int any = !*addr || !strcmp(addr, "0.0.0.0") || !strcmp(addr, "::");
	if (any)
		snprintf(buf, n, "*:%u", port);
	else if (family == 10)
		snprintf(buf, n, "[%s]:%u", addr, port);
	else
		snprintf(buf, n, "%s:%u", addr, port);
	return buf;
}

const char *tf_unix_name(const struct crimg_file *f, char *buf, size_t n)
{
	const uint8_t *nm = f->u.usk.name;
	size_t len = f->u.usk.name_len, o = 0;
	if (!n)
		return buf;
	if (nm && len && nm[0] != 0) { /* a path, up to its NUL */
		const uint8_t *z = memchr(nm, 0, len);
		if (z)
			len = (size_t)(z - nm);
	}
	for (size_t i = 0; nm && i < len && o + 1 < n; i++)
		buf[o++] = i == 0 && nm[0] == 0 ? '@' : nm[i] ? (char)nm[i] : '@';
	buf[o] = 0;
	return buf;
}

static int tcp_close(struct tui *t, struct tf_view *fv)
{
	if (!fv->tcp_close_read) {
		struct crimg_error err;
		crimg_error_clear(&err);
		const struct crimg_inventory *inv = crimg_ckpt_inventory(t->c, &err);
		fv->tcp_close = inv && inv->tcp_close;
		fv->tcp_close_read = 1;
	}
	return fv->tcp_close;
}

int tf_stream_missing(struct tui *t, struct tf_view *fv, const struct crimg_file *f)
{
	char name[40];
	if (!f || f->type != CRIMG_FD_INETSK || f->u.inet.proto != 6 ||
	    !crimg_sk_tcp_has_stream(f->u.inet.state))
		return 0;
	snprintf(name, sizeof(name), "tcp-stream-%x.img", f->u.inet.ino);
	return !crimg_ckpt_has(t->c, name) && !tcp_close(t, fv);
}

int tf_tcp_queues(struct tui *t, struct tf_view *fv, size_t i, int64_t *inq, int64_t *outq)
{
	const struct crimg_fd *fd = tf_fd(fv, i);
	const struct crimg_file *f = fd ? fd->file : NULL;
	if (!f || f->type != CRIMG_FD_INETSK || f->u.inet.proto != 6)
		return -1;
	if (fv->inq[i] == -2) {
		struct crimg_error err;
		char name[40];
		fv->inq[i] = fv->outq[i] = -1;
		snprintf(name, sizeof(name), "tcp-stream-%x.img", f->u.inet.ino);
		crimg_error_clear(&err);
		const ProtobufCMessage *m = crimg_ckpt_has(t->c, name)
			? crimg_ckpt_first(t->c, &err, "%s", name)
			: NULL;
		char *js = m ? tf_json(m, &err) : NULL;
		uint64_t a, b;
		if (js && !json_u64(js, "inq_len", &a) && !json_u64(js, "outq_len", &b)) {
			fv->inq[i] = (int64_t)(a & INT64_MAX);
			fv->outq[i] = (int64_t)(b & INT64_MAX);
		}
		free(js);
	}
	*inq = fv->inq[i];
	*outq = fv->outq[i];
	return fv->inq[i] >= 0 ? 0 : -1;
}

#define TF_QUEUE_ENTRIES_MAX 65536

/* Sums the entries of image name by their key field into *q. */
static void read_queue(struct tui *t, struct tf_view *fv, const char *name, const char *key,
		       const char *len, struct tf_queue **q, size_t *n)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	if (!crimg_ckpt_has(t->c, name))
		return;
	const struct crimg_entries *es = crimg_ckpt_entries(t->c, name, &err);
	if (!es) {
		if (!fv->queues_err[0])
			tui_errstr(&err, fv->queues_err, sizeof(fv->queues_err));
		return;
	}
	for (size_t i = 0; i < es->n && i < TF_QUEUE_ENTRIES_MAX; i++) {
		char *js = tf_json(es->msgs[i], &err);
		uint64_t k, b;
		if (js && !json_u64(js, key, &k) && !json_u64(js, len, &b)) {
			size_t j;
			for (j = 0; j < *n && (*q)[j].key != (uint32_t)k; j++)
				;
			if (j == *n) {
				struct tf_queue *nq = realloc(*q, (*n + 1) * sizeof(**q));
				if (!nq) {
					free(js);
					return;
				}
				*q = nq;
				memset(&nq[j], 0, sizeof(nq[j]));
				nq[j].key = (uint32_t)k;
				(*n)++;
			}
			(*q)[j].bytes += b;
			(*q)[j].packets++;
		}
		free(js);
	}
}

const struct tf_queue *tf_queued(struct tui *t, struct tf_view *fv, const struct crimg_file *f)
{
	if (!f)
		return NULL;
	if (!fv->queues_read) {
		fv->queues_read = 1;
		read_queue(t, fv, "sk-queues.img", "id_for", "length", &fv->skq, &fv->n_skq);
		read_queue(t, fv, "pipes-data.img", "pipe_id", "bytes", &fv->pipeq, &fv->n_pipeq);
		read_queue(t, fv, "fifo-data.img", "pipe_id", "bytes", &fv->pipeq, &fv->n_pipeq);
	}
	if (f->type == CRIMG_FD_UNIXSK || f->type == CRIMG_FD_PACKETSK) {
		for (size_t i = 0; i < fv->n_skq; i++)
			if (fv->skq[i].key == f->id)
				return &fv->skq[i];
	} else if (f->type == CRIMG_FD_PIPE || f->type == CRIMG_FD_FIFO) {
		for (size_t i = 0; i < fv->n_pipeq; i++)
			if (fv->pipeq[i].key == f->u.pipe.pipe_id)
				return &fv->pipeq[i];
	}
	return NULL;
}

/* ---- what a descriptor is ---- */

static const char *access_of(uint32_t flags)
{
	static const char *const a[] = { "r", "w", "rw", "?" };
	return a[flags & 3];
}

static const char *sig_name(unsigned s)
{
	static const char *const n[] = {
		NULL,       "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",  "SIGTRAP",   "SIGABRT",
		"SIGBUS",   "SIGFPE",  "SIGKILL",   "SIGUSR1", "SIGSEGV", "SIGUSR2",   "SIGPIPE",
		"SIGALRM",  "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP",   "SIGTSTP",
		"SIGTTIN",  "SIGTTOU", "SIGURG",    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
		"SIGWINCH", "SIGIO",   "SIGPWR",    "SIGSYS",
	};
	return s < sizeof(n) / sizeof(n[0]) ? n[s] : NULL;
}

static const char *clock_name(uint32_t id)
{
	static const char *const n[] = { "CLOCK_REALTIME",           "CLOCK_MONOTONIC",
					 "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID",
					 "CLOCK_MONOTONIC_RAW",      "CLOCK_REALTIME_COARSE",
					 "CLOCK_MONOTONIC_COARSE",   "CLOCK_BOOTTIME",
					 "CLOCK_REALTIME_ALARM",     "CLOCK_BOOTTIME_ALARM" };
	return id < sizeof(n) / sizeof(n[0]) ? n[id] : "clock";
}

static const char *tty_kind(unsigned k)
{
	static const char *const n[] = { "tty", "pty", "console", "vt", "ctty", "ext", "serial" };
	return k < sizeof(n) / sizeof(n[0]) ? n[k] : "tty";
}

static void add_str(struct tui_row *r, int role, const char *s)
{
	if (s)
		tui_row_addn(r, role, s, strlen(s));
}

void tf_what(struct tui *t, struct tf_view *fv, const struct crimg_fd *fd, struct tui_row *r)
{
	const struct crimg_file *f = fd->file;
	char a[128], b[128];
	if (!f) {
		struct crimg_error err;
		char e[300];
		crimg_error_clear(&err);
		if (!crimg_ckpt_file_by_id(t->c, fd->id, &err)) {
			tui_errstr(&err, e, sizeof(e));
			tui_row_add(r, TR_ERROR, "file %u: %s", fd->id, e);
		} else {
			tui_row_add(r, TR_ERROR, "file %u: not found", fd->id);
		}
		return;
	}
	switch (f->type) {
	case CRIMG_FD_REG:
		add_str(r, TR_TEXT, f->path && *f->path ? f->path : "?");
		if (f->u.reg.remap == CRIMG_REMAP_GHOST)
			tui_row_add(r, TR_WARN, " (deleted, ghost file)");
		else if (f->u.reg.remap == CRIMG_REMAP_LINKED)
			tui_row_add(r, TR_WARN, " (deleted, linked)");
		else if (f->u.reg.remap == CRIMG_REMAP_PROCFS)
			tui_row_add(r, TR_WARN, " (dead task's /proc)");
		tui_row_add(r, TR_DIM, "  %s pos %" PRIu64, access_of(f->flags), f->pos);
		break;
	case CRIMG_FD_PIPE:
	case CRIMG_FD_FIFO:
		if (f->type == CRIMG_FD_FIFO) {
			add_str(r, TR_TEXT, f->path ? f->path : "?");
			tui_row_add(r, TR_DIM, " fifo");
		}
		tui_row_add(r, TR_TEXT, "%spipe:[%u] %s", f->type == CRIMG_FD_FIFO ? " " : "",
			    f->u.pipe.pipe_id, access_of(f->flags));
		tf_peer_add(t, fv, fd, r);
		break;
	case CRIMG_FD_UNIXSK: {
		const char *ty = crimg_sk_type_name(f->u.usk.type);
		const char *st = crimg_sk_state_name(f->u.usk.state);
		tui_row_add(r, TR_TEXT, "unix %s %s ", ty ? ty : "?", st ? st : "?");
		tf_unix_name(f, a, sizeof(a));
		if (*a)
			add_str(r, TR_ACCENT, a);
		else
			tui_row_add(r, TR_DIM, "socket:[%u]", f->u.usk.ino);
		tf_peer_add(t, fv, fd, r);
		break;
	}
	case CRIMG_FD_INETSK: {
		char p[16];
		const char *st = crimg_sk_state_name(f->u.inet.state);
		tui_row_add(r, TR_TEXT, "%s %s", tf_inet_proto(f, p, sizeof(p)),
			    tf_endpoint(f->u.inet.family, f->u.inet.src, f->u.inet.src_port, a,
					sizeof(a)));
		if (f->u.inet.state != 10 &&
		    (f->u.inet.dst_port || crimg_sk_tcp_has_stream(f->u.inet.state)))
			tui_row_add(r, TR_TEXT, " -> %s",
				    tf_endpoint(f->u.inet.family, f->u.inet.dst, f->u.inet.dst_port,
						b, sizeof(b)));
		tui_row_add(r, TR_DIM, " %s", st ? st : "?");
		if (tf_stream_missing(t, fv, f))
			tui_row_add(r, TR_WARN, " (no tcp-stream image)");
		tf_peer_add(t, fv, fd, r);
		break;
	}
	case CRIMG_FD_EVENTFD:
		tui_row_add(r, TR_TEXT, "eventfd counter %" PRIu64, f->u.eventfd.counter);
		break;
	case CRIMG_FD_EVENTPOLL:
		tui_row_add(r, TR_TEXT, "epoll");
		tui_row_add(r, TR_DIM, " fds");
		for (size_t i = 0; i < f->u.epoll.n_targets && r->n < TUI_ROW_MAX; i++)
			tui_row_add(r, TR_TEXT, " %u", f->u.epoll.targets[i].fd);
		if (!f->u.epoll.n_targets)
			tui_row_add(r, TR_DIM, " none");
		break;
	case CRIMG_FD_SIGNALFD:
		tui_row_add(r, TR_TEXT, "signalfd");
		for (unsigned s = 0; s < 64 && r->n < TUI_ROW_MAX; s++)
			if (f->u.signalfd.sigmask >> s & 1) {
				const char *nm = sig_name(s + 1);
				if (nm)
					tui_row_add(r, TR_TEXT, " %s", nm);
				else
					tui_row_add(r, TR_TEXT, " %u", s + 1);
			}
		break;
	case CRIMG_FD_TIMERFD:
		tui_row_add(r, TR_TEXT, "timerfd %s", clock_name(f->u.timerfd.clockid));
		tui_row_add(r, TR_DIM,
			    " value %" PRIu64 ".%09" PRIu64 "s interval %" PRIu64 ".%09" PRIu64
			    "s ticks %" PRIu64,
			    f->u.timerfd.value_sec, f->u.timerfd.value_nsec % 1000000000,
			    f->u.timerfd.interval_sec, f->u.timerfd.interval_nsec % 1000000000,
			    f->u.timerfd.ticks);
		break;
	case CRIMG_FD_INOTIFY:
		tui_row_add(r, TR_TEXT, "inotify %zu watch%s", f->u.inotify.n_watches,
			    f->u.inotify.n_watches == 1 ? "" : "es");
		for (size_t i = 0; i < f->u.inotify.n_watches && r->n < TUI_ROW_MAX; i++) {
			tui_row_add(r, TR_DIM, i ? ", " : ": ");
			add_str(r, TR_TEXT,
				f->u.inotify.watches[i].path ? f->u.inotify.watches[i].path : "?");
		}
		break;
	case CRIMG_FD_FANOTIFY:
		tui_row_add(r, TR_TEXT, "fanotify %zu marks", f->u.fanotify.n_marks);
		break;
	case CRIMG_FD_MEMFD:
		tui_row_add(r, TR_TEXT, "memfd:");
		add_str(r, TR_TEXT, f->u.memfd.name ? f->u.memfd.name : "");
		tui_row_add(r, TR_DIM, "  size %" PRIu64 " %s pos %" PRIu64, f->u.memfd.size,
			    access_of(f->flags), f->pos);
		break;
	case CRIMG_FD_PIDFD:
		tui_row_add(r, TR_TEXT, "pidfd pid %d", f->u.pidfd.pid);
		break;
	case CRIMG_FD_TTY:
		add_str(r, TR_TEXT, f->path ? f->path : "?");
		tui_row_add(r, TR_DIM, " %s", tty_kind(f->u.tty.tty_type));
		if (f->u.tty.has_index)
			tui_row_add(r, TR_DIM, " %u", f->u.tty.index);
		break;
	case CRIMG_FD_NS: {
		const char *k = crimg_ns_kind_of_flag(f->u.ns.cflag);
		tui_row_add(r, TR_TEXT, "%s namespace %u", k ? k : "?", f->u.ns.ns_id);
		break;
	}
	case CRIMG_FD_PACKETSK:
		tui_row_add(r, TR_TEXT, "packet ifindex %u protocol 0x%04x", f->u.packet.ifindex,
			    f->u.packet.protocol);
		break;
	case CRIMG_FD_NETLINKSK:
		tui_row_add(r, TR_TEXT, "netlink protocol %u port %u -> %u", f->u.netlink.protocol,
			    f->u.netlink.portid, f->u.netlink.dst_portid);
		break;
	case CRIMG_FD_TUNF:
		tui_row_add(r, TR_TEXT, "tun ");
		add_str(r, TR_TEXT, f->u.tun.netdev ? f->u.tun.netdev : "");
		break;
	case CRIMG_FD_BPFMAP:
		tui_row_add(r, TR_TEXT, "bpf map ");
		add_str(r, TR_TEXT, f->u.bpf.map_name ? f->u.bpf.map_name : "");
		tui_row_add(r, TR_DIM, " type %u id %u", f->u.bpf.map_type, f->u.bpf.map_id);
		break;
	default:
		if (f->path)
			add_str(r, TR_TEXT, f->path);
		else
			tui_row_add(r, TR_DIM, "file %u", f->id);
		break;
	}
}

/* ---- the detail pane ---- */

static size_t pane_width(struct tui *t)
{
	int w = t->cols >= 120 ? t->cols * 2 / 5 - 1 : t->cols - 1;
	return w < 20 ? 20 : (size_t)w;
}

static void detail_holders(struct tui *t, struct tf_view *fv, const struct crimg_fd *fd,
			   struct tf_lines *L)
{
	size_t n;
	const struct tf_holder *h = holders_of(t, fv, fd->id, &n);
	char buf[1024];
	size_t o = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n && o < sizeof(buf); i++)
		if (h[i].pid != fv->task->pid || h[i].fd != fd->fd)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%spid %u fd %u",
					      o ? ", " : "", h[i].pid, h[i].fd);
	if (o)
		tf_line_wrap(L, TR_TEXT, "shared with", buf, strlen(buf), pane_width(t));
	uint32_t ids[64];
	size_t ni = other_ends(t, fv, fd->file, ids, 64);
	o = 0;
	buf[0] = 0;
	for (size_t i = 0; i < ni; i++) {
		h = holders_of(t, fv, ids[i], &n);
		for (size_t j = 0; j < n && o < sizeof(buf); j++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%spid %u fd %u",
					      o ? ", " : "", h[j].pid, h[j].fd);
	}
	if (o)
		tf_line_wrap(L, TR_LINK, "other end", buf, strlen(buf), pane_width(t));
	else if (ni)
		tf_line(L, TR_DIM, "other end", "held by no task");
	if (fv->holders_err[0])
		tf_line_wrap(L, TR_ERROR, "index", fv->holders_err, strlen(fv->holders_err),
			     pane_width(t));
}

static void detail_sk_bufs(struct tf_lines *L, const struct crimg_file *f)
{
	if (f->has_sk_bufs)
		tf_line(L, TR_TEXT, "buffers", "send %u  receive %u", f->sk_sndbuf, f->sk_rcvbuf);
}

static void detail_queued(struct tui *t, struct tf_view *fv, struct tf_lines *L,
			  const struct crimg_file *f)
{
	const struct tf_queue *q = tf_queued(t, fv, f);
	if (q && (f->type == CRIMG_FD_UNIXSK || f->type == CRIMG_FD_PACKETSK))
		tf_line(L, TR_TEXT, "queued", "%" PRIu64 " bytes in %u packet%s", q->bytes,
			q->packets, q->packets == 1 ? "" : "s");
	else if (q)
		tf_line(L, TR_TEXT, "queued", "%" PRIu64 " bytes", q->bytes);
	else if (fv->queues_err[0])
		tf_line_wrap(L, TR_ERROR, "queued", fv->queues_err, strlen(fv->queues_err),
			     pane_width(t));
}

static void make_detail(struct tui *t, struct tf_view *fv, size_t sel)
{
	struct tf_lines *L = &fv->det;
	const struct crimg_fd *fd = tf_fd(fv, sel);
	char b[512], c[128];
	tf_lines_clear(L);
	L->valid = 1;
	L->sel = sel;
	if (!fd)
		return;
	const struct crimg_file *f = fd->file;
	const char *tn = crimg_fd_type_name(fd->type);
	tf_line(L, TR_HEADER, NULL, "fd %u  %s  file id %u", fd->fd, tn ? tn : "?", fd->id);
	tf_line(L, TR_TEXT, "cloexec", "%s", fd->flags & 1 ? "yes" : "no");
	if (!f) {
		struct crimg_error err;
		crimg_error_clear(&err);
		crimg_ckpt_file_by_id(t->c, fd->id, &err);
		tui_errstr(&err, b, sizeof(b));
		tf_line_wrap(L, TR_ERROR, "file", b, strlen(b), pane_width(t));
		return;
	}
	if (f->type != fd->type) {
		tn = crimg_fd_type_name(f->type);
		tf_line(L, TR_WARN, "file type", "%s (fdinfo says %u)", tn ? tn : "?", fd->type);
	}
	if (f->path && f->type != CRIMG_FD_MEMFD)
		tf_line_wrap(L, TR_TEXT, "path", f->path, strlen(f->path), pane_width(t));
	switch (f->type) {
	case CRIMG_FD_REG:
		tf_line(L, TR_TEXT, "flags", "%s",
			crimg_flags_str("rfile.flags", f->flags, b, sizeof(b)));
		tf_line(L, TR_TEXT, "access", "%s", access_of(f->flags));
		tf_line(L, TR_TEXT, "pos", "%" PRIu64, f->pos);
		if (f->u.reg.has_size)
			tf_line(L, TR_TEXT, "size", "%" PRIu64, f->u.reg.size);
		if (f->u.reg.mode)
			tf_line(L, TR_TEXT, "mode", "0%o", f->u.reg.mode);
		if (f->u.reg.mnt_id >= 0)
			tf_line(L, TR_TEXT, "mnt_id", "%d", f->u.reg.mnt_id);
		if (f->u.reg.remap == CRIMG_REMAP_GHOST) {
			tf_line(L, TR_WARN, "deleted", "ghost file %u", f->u.reg.remap_id);
			if (f->u.reg.has_ghost)
				tf_line(L, TR_TEXT, "ghost", "%" PRIu64 " bytes, mode 0%o",
					f->u.reg.ghost_size, f->u.reg.ghost_mode);
		} else if (f->u.reg.remap == CRIMG_REMAP_LINKED) {
			tf_line(L, TR_WARN, "deleted", "linked (file %u)", f->u.reg.remap_id);
		} else if (f->u.reg.remap == CRIMG_REMAP_PROCFS) {
			tf_line(L, TR_WARN, "remap", "/proc of dead pid %u", f->u.reg.remap_id);
		}
		break;
	case CRIMG_FD_PIPE:
	case CRIMG_FD_FIFO:
		tf_line(L, TR_TEXT, "access", "%s", access_of(f->flags));
		tf_line(L, TR_TEXT, "pipe_id", "%u", f->u.pipe.pipe_id);
		if (f->u.pipe.n_peers) {
			size_t o = 0;
			b[0] = 0;
			for (size_t i = 0; i < f->u.pipe.n_peers && o < sizeof(b); i++)
				o += (size_t)snprintf(b + o, sizeof(b) - o, "%s%u", i ? " " : "",
						      f->u.pipe.peers[i]->id);
			tf_line(L, TR_TEXT, "peer files", "%s", b);
		}
		detail_queued(t, fv, L, f);
		break;
	case CRIMG_FD_UNIXSK: {
		const char *ty = crimg_sk_type_name(f->u.usk.type);
		const char *st = crimg_sk_state_name(f->u.usk.state);
		tf_line(L, TR_TEXT, "ino", "%u", f->u.usk.ino);
		tf_line(L, TR_TEXT, "type", "%s", ty ? ty : "?");
		tf_line(L, TR_TEXT, "state", "%s", st ? st : "?");
		tf_unix_name(f, b, sizeof(b));
		tf_line_wrap(L, *b ? TR_ACCENT : TR_DIM, "name", *b ? b : "(unnamed)",
			     strlen(*b ? b : "(unnamed)"), pane_width(t));
		tf_line(L, TR_TEXT, "peer ino", "%u%s", f->u.usk.peer_ino,
			f->u.usk.peer_ino ? "" : " (not connected)");
		if (f->u.usk.peer)
			tf_line(L, TR_TEXT, "peer file", "%u", f->u.usk.peer->id);
		else if (f->u.usk.peer_ino)
			tf_line(L, TR_WARN, "peer file", "not in the dump");
		tf_line(L, TR_TEXT, "backlog", "%u", f->u.usk.backlog);
		static const char *const sh[] = { "none", "read", "write", "read, write" };
		tf_line(L, TR_TEXT, "shutdown", "%s", sh[f->u.usk.shutdown & 3]);
		detail_sk_bufs(L, f);
		detail_queued(t, fv, L, f);
		break;
	}
	case CRIMG_FD_INETSK: {
		const char *fam = crimg_sk_family_name(f->u.inet.family);
		const char *ty = crimg_sk_type_name(f->u.inet.type);
		const char *pr = crimg_sk_proto_name(f->u.inet.proto);
		const char *st = crimg_sk_state_name(f->u.inet.state);
		tf_line(L, TR_TEXT, "ino", "%u", f->u.inet.ino);
		tf_line(L, TR_TEXT, "family", "%s", fam ? fam : "?");
		tf_line(L, TR_TEXT, "type", "%s", ty ? ty : "?");
		tf_line(L, TR_TEXT, "proto", "%s", pr ? pr : "?");
		tf_line(L, TR_TEXT, "state", "%s", st ? st : "?");
		tf_line(L, TR_TEXT, "local", "%s",
			tf_endpoint(f->u.inet.family, f->u.inet.src, f->u.inet.src_port, c,
				    sizeof(c)));
		tf_line(L, TR_TEXT, "remote", "%s",
			tf_endpoint(f->u.inet.family, f->u.inet.dst, f->u.inet.dst_port, c,
				    sizeof(c)));
		tf_line(L, TR_TEXT, "backlog", "%u", f->u.inet.backlog);
		if (f->u.inet.family == 10)
			tf_line(L, TR_TEXT, "v6only", "%s", f->u.inet.v6only ? "yes" : "no");
		detail_sk_bufs(L, f);
		if (f->u.inet.proto == 6 && crimg_sk_tcp_has_stream(f->u.inet.state)) {
			snprintf(c, sizeof(c), "tcp-stream-%x.img", f->u.inet.ino);
			if (tf_stream_missing(t, fv, f)) {
				tf_line(L, TR_WARN, "stream", "%s is missing: cannot be restored",
					c);
			} else if (tcp_close(t, fv)) {
				tf_line(L, TR_DIM, "stream", "dumped with --tcp-close");
			} else {
				int64_t in, out;
				if (!tf_tcp_queues(t, fv, sel, &in, &out))
					tf_line(L, TR_TEXT, "queued",
						"%" PRId64 " in, %" PRId64 " out (%s)", in, out, c);
				else
					tf_line(L, TR_TEXT, "stream", "%s", c);
			}
		}
		break;
	}
	case CRIMG_FD_EVENTFD:
		tf_line(L, TR_TEXT, "flags", "%s",
			crimg_flags_str("rfile.flags", f->flags, b, sizeof(b)));
		tf_line(L, TR_TEXT, "counter", "%" PRIu64, f->u.eventfd.counter);
		break;
	case CRIMG_FD_EVENTPOLL:
		tf_line(L, TR_TEXT, "targets", "%zu", f->u.epoll.n_targets);
		for (size_t i = 0; i < f->u.epoll.n_targets; i++) {
			const struct crimg_epoll_target *tg = &f->u.epoll.targets[i];
			const struct crimg_fd *tf = crimg_fdtable_find(fv->ft, tg->fd);
			const char *ttn = tf ? crimg_fd_type_name(tf->type) : NULL;
			tf_line(L, TR_TEXT, "  fd", "%u %s events 0x%x data 0x%" PRIx64, tg->fd,
				tf ? (ttn ? ttn : "?") : "(not open)", tg->events, tg->data);
		}
		break;
	case CRIMG_FD_SIGNALFD: {
		size_t o = 0;
		b[0] = 0;
		tf_line(L, TR_TEXT, "flags", "%s",
			crimg_flags_str("rfile.flags", f->flags, c, sizeof(c)));
		tf_line(L, TR_TEXT, "sigmask", "0x%" PRIx64, f->u.signalfd.sigmask);
		for (unsigned s = 0; s < 64 && o < sizeof(b); s++)
			if (f->u.signalfd.sigmask >> s & 1) {
				const char *nm = sig_name(s + 1);
				o += nm ? (size_t)snprintf(b + o, sizeof(b) - o, "%s%s",
							   o ? " " : "", nm)
					: (size_t)snprintf(b + o, sizeof(b) - o, "%s%u",
							   o ? " " : "", s + 1);
			}
		tf_line_wrap(L, TR_TEXT, "signals", b, strlen(b), pane_width(t));
		break;
	}
	case CRIMG_FD_TIMERFD:
		tf_line(L, TR_TEXT, "clock", "%s", clock_name(f->u.timerfd.clockid));
		tf_line(L, TR_TEXT, "ticks", "%" PRIu64, f->u.timerfd.ticks);
		tf_line(L, TR_TEXT, "settime", "0x%x", f->u.timerfd.settime_flags);
		tf_line(L, TR_TEXT, "value", "%" PRIu64 " s %" PRIu64 " ns", f->u.timerfd.value_sec,
			f->u.timerfd.value_nsec);
		tf_line(L, TR_TEXT, "interval", "%" PRIu64 " s %" PRIu64 " ns",
			f->u.timerfd.interval_sec, f->u.timerfd.interval_nsec);
		break;
	case CRIMG_FD_INOTIFY:
		tf_line(L, TR_TEXT, "watches", "%zu", f->u.inotify.n_watches);
		for (size_t i = 0; i < f->u.inotify.n_watches; i++) {
			const struct crimg_inotify_watch *w = &f->u.inotify.watches[i];
			tf_line(L, TR_TEXT, "  wd",
				"%u mask 0x%x ignored 0x%x ino %" PRIu64 " dev %u:%u", w->wd,
				w->mask, w->ignored_mask, w->ino, w->dev >> 20, w->dev & 0xfffff);
			if (w->path)
				tf_line_wrap(L, TR_TEXT, "  path", w->path, strlen(w->path),
					     pane_width(t));
		}
		break;
	case CRIMG_FD_FANOTIFY:
		tf_line(L, TR_TEXT, "marks", "%zu", f->u.fanotify.n_marks);
		break;
	case CRIMG_FD_MEMFD:
		tf_line_wrap(L, TR_TEXT, "name", f->u.memfd.name ? f->u.memfd.name : "",
			     f->u.memfd.name ? strlen(f->u.memfd.name) : 0, pane_width(t));
		tf_line(L, TR_TEXT, "flags", "%s",
			crimg_flags_str("rfile.flags", f->flags, b, sizeof(b)));
		tf_line(L, TR_TEXT, "pos", "%" PRIu64, f->pos);
		tf_line(L, TR_TEXT, "size", "%" PRIu64, f->u.memfd.size);
		tf_line(L, TR_TEXT, "seals", "%s",
			crimg_flags_str("seals.flags", f->u.memfd.seals, b, sizeof(b)));
		tf_line(L, TR_TEXT, "inode", "%u", f->u.memfd.inode_id);
		tf_line(L, TR_TEXT, "shmid", "%u (pagemap-shmem-%u.img)", f->u.memfd.shmid,
			f->u.memfd.shmid);
		break;
	case CRIMG_FD_PIDFD:
		tf_line(L, TR_TEXT, "pid", "%d", f->u.pidfd.pid);
		tf_line(L, TR_TEXT, "ino", "%u", f->u.pidfd.ino);
		break;
	case CRIMG_FD_TTY:
		tf_line(L, TR_TEXT, "tty type", "%s", tty_kind(f->u.tty.tty_type));
		if (f->u.tty.has_index)
			tf_line(L, TR_TEXT, "index", "%u", f->u.tty.index);
		tf_line(L, TR_TEXT, "rdev", "%u:%u", f->u.tty.rdev >> 20, f->u.tty.rdev & 0xfffff);
		tf_line(L, TR_TEXT, "sid, pgrp", "%u %u", f->u.tty.sid, f->u.tty.pgrp);
		break;
	case CRIMG_FD_NS: {
		const char *k = crimg_ns_kind_of_flag(f->u.ns.cflag);
		tf_line(L, TR_TEXT, "kind", "%s", k ? k : "?");
		tf_line(L, TR_TEXT, "ns id", "%u", f->u.ns.ns_id);
		tf_line(L, TR_TEXT, "cflag", "0x%x", f->u.ns.cflag);
		break;
	}
	case CRIMG_FD_PACKETSK: {
		const char *ty = crimg_sk_type_name(f->u.packet.type);
		tf_line(L, TR_TEXT, "type", "%s", ty ? ty : "?");
		tf_line(L, TR_TEXT, "protocol", "0x%04x", f->u.packet.protocol);
		tf_line(L, TR_TEXT, "ifindex", "%u", f->u.packet.ifindex);
		detail_sk_bufs(L, f);
		detail_queued(t, fv, L, f);
		break;
	}
	case CRIMG_FD_NETLINKSK:
		tf_line(L, TR_TEXT, "protocol", "%u", f->u.netlink.protocol);
		tf_line(L, TR_TEXT, "portid", "%u", f->u.netlink.portid);
		tf_line(L, TR_TEXT, "dst_portid", "%u", f->u.netlink.dst_portid);
		detail_sk_bufs(L, f);
		break;
	case CRIMG_FD_TUNF:
		tf_line(L, TR_TEXT, "netdev", "%s", f->u.tun.netdev ? f->u.tun.netdev : "");
		break;
	case CRIMG_FD_BPFMAP:
		tf_line(L, TR_TEXT, "map", "%s", f->u.bpf.map_name ? f->u.bpf.map_name : "");
		tf_line(L, TR_TEXT, "map type", "%u", f->u.bpf.map_type);
		tf_line(L, TR_TEXT, "map id", "%u", f->u.bpf.map_id);
		break;
	default:
		break;
	}
	detail_holders(t, fv, fd, L);
	/* everything the entry holds, as crit decode shows it */
	if (f->msg) {
		struct crimg_error err;
		crimg_error_clear(&err);
		char *js = tf_json(f->msg, &err);
		tf_line(L, TR_DIM, NULL, "entry");
		if (js) {
			tf_line_wrap(L, TR_TEXT, NULL, js, strlen(js), pane_width(t));
			free(js);
		} else {
			tui_errstr(&err, b, sizeof(b));
			tf_line_wrap(L, TR_ERROR, NULL, b, strlen(b), pane_width(t));
		}
	}
}

size_t tf_detail_count(struct tui *t, struct tui_view *v, size_t sel)
{
	struct tf_view *fv = v->priv;
	if (!fv->det.valid || fv->det.sel != sel)
		make_detail(t, fv, sel);
	return tf_lines_count(&fv->det);
}

void tf_detail_row(struct tui *t, struct tui_view *v, size_t sel, size_t i, struct tui_row *r)
{
	struct tf_view *fv = v->priv;
	if (!fv->det.valid || fv->det.sel != sel)
		make_detail(t, fv, sel);
	tf_lines_row(&fv->det, i, r);
}

void tf_status(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	struct tf_view *fv = v->priv;
	const struct crimg_fd *fd = tf_fd(fv, v->sel);
	size_t k;
	if (!fd) {
		snprintf(buf, n, "%s",
			 !fv->ft               ? ""
				 : fv->sockets ? "no sockets"
					       : "no descriptors");
		return;
	}
	snprintf(buf, n, "%zu/%zu  fd %u%s", v->sel + 1, fv->n, fd->fd,
		 tf_peer(t, fv, fd, &k) ? "  Enter: follow the other end" : "");
}
