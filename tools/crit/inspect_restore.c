/*
 * crit inspect: what decides how a restore of this checkpoint behaves, as
 * CRIU recorded it in inventory.img (--tcp-close, the network lock, the
 * LSM, --allow-uprobes, plugins), and what would stop it: a connected TCP
 * socket whose tcp-stream image (its queues and sequence numbers) is gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"
#include "util.h"

const char *insp_lock_name(uint32_t method)
{
	static const char *const n[] = { "iptables", "nftables", "skip" };
	return method < sizeof(n) / sizeof(n[0]) ? n[method] : NULL;
}

const char *insp_lsm_name(unsigned lsm)
{
	static const char *const n[] = { "NO_LSM", "SELINUX", "APPARMOR" };
	return lsm < sizeof(n) / sizeof(n[0]) ? n[lsm] : NULL;
}

static void inventory(struct crimg_ckpt *c, struct insp_restore *r, struct insp_meta *m)
{
	if (!crimg_ckpt_has(c, "inventory.img"))
		return;
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_inventory *inv = crimg_ckpt_inventory(c, &err);
	if (!inv) {
		char b[1400];
		insp_problem(m, "%s", crimg_error_str(&err, b, sizeof(b)));
		return;
	}
	r->have = 1;
	r->img_version = inv->img_version;
	r->tcp_close = inv->tcp_close;
	r->has_lock = inv->has_network_lock;
	r->lock_method = inv->network_lock;
	r->has_lsm = inv->has_lsm;
	r->lsm = inv->lsm;
	r->allow_uprobes = inv->allow_uprobes;
	r->has_plugins = inv->has_plugins;
	r->plugins = inv->plugins;
	r->n_plugins = inv->n_plugins;
	r->run_id = inv->run_id;
	/* the byte order CRIU wrote the images in (its machine's): the
	 * inventory's, read (and cached) with it */
	const struct crimg_entries *e = crimg_ckpt_entries(c, "inventory.img", &err);
	if (e)
		r->byte_order = e->byte_order == CRIMG_BIG_ENDIAN ? "big" : "little";
}

#define IPPROTO_TCP_ 6

static void lost_streams(struct crimg_ckpt *c, const struct crimg_tree *tr, struct insp_restore *r,
			 struct insp_meta *m)
{
	/* --tcp-close: connections are not saved, and restored closed */
	if (r->tcp_close || !(crimg_ckpt_has(c, "files.img") || crimg_ckpt_has(c, "inetsk.img")))
		return;
	/* the sockets as the file image lists them, not the file model: checking
	 * costs an unpack of files.img, not a record of every file in the dump */
	struct crimg_error err;
	crimg_error_clear(&err);
	char b[1400];
	const struct crimg_inet_sk *sks;
	size_t n_sks;
	if (crimg_ckpt_inet_sockets(c, &sks, &n_sks, &err) < 0) {
		insp_problem(m, "cannot check the TCP connections: %s",
			     crimg_error_str(&err, b, sizeof(b)));
		return;
	}
	for (size_t i = 0; i < n_sks; i++) {
		const struct crimg_inet_sk *sk = &sks[i];
		if (sk->proto != IPPROTO_TCP_ || !crimg_sk_tcp_has_stream(sk->state))
			continue;
		char name[40];
		snprintf(name, sizeof(name), "tcp-stream-%x.img", sk->ino);
		if (crimg_ckpt_has(c, name))
			continue;
		const struct crimg_file *f = crimg_ckpt_file_by_id(c, sk->id, &err);
		if (!f) {
			insp_problem(m, "%s is missing, and socket %u cannot be read: %s", name,
				     sk->ino, crimg_error_str(&err, b, sizeof(b)));
			continue;
		}
		if (f->type != CRIMG_FD_INETSK || insp_lost_stream(r, f))
			continue;
		struct insp_lost_stream *nl = realloc(r->lost, (r->n_lost + 1) * sizeof(*r->lost));
		if (!nl)
			die("out of memory");
		r->lost = nl;
		struct insp_lost_stream *l = &r->lost[r->n_lost++];
		memset(l, 0, sizeof(*l));
		snprintf(l->image, sizeof(l->image), "%s", name);
		l->ino = sk->ino;
		l->file = f;
	}
	/* where each is open, to name it as the user knows it (tasks whose
	 * files cannot be read are left: their images are reported elsewhere) */
	for (size_t t = 0; r->n_lost && tr && t < tr->n_tasks; t++) {
		const struct crimg_task_brief *br = crimg_task_brief(c, tr->order[t], &err);
		if (!br || insp_is_zombie(br))
			continue;
		const struct crimg_fdtable *ft = crimg_task_fds(c, tr->order[t], &err);
		for (size_t k = 0; ft && k < ft->n_fds; k++)
			for (size_t l = 0; l < r->n_lost; l++)
				if (ft->fds[k].file == r->lost[l].file && !r->lost[l].pid) {
					r->lost[l].pid = tr->order[t]->pid;
					r->lost[l].fd = ft->fds[k].fd;
				}
	}
	for (size_t l = 0; l < r->n_lost; l++) {
		const struct insp_lost_stream *s = &r->lost[l];
		const char *st = crimg_sk_state_name(s->file->u.inet.state);
		char at[64] = "";
		if (s->pid)
			snprintf(at, sizeof(at), ", pid %u fd %u", s->pid, s->fd);
		int v6 = s->file->u.inet.family == 10;
		insp_problem(m,
			     "%s is missing: the %s TCP connection %s%s%s:%u -> %s%s%s:%u (socket %u%s) "
			     "cannot be restored",
			     s->image, st ? st : "connected", v6 ? "[" : "", s->file->u.inet.src,
			     v6 ? "]" : "", s->file->u.inet.src_port, v6 ? "[" : "",
			     s->file->u.inet.dst, v6 ? "]" : "", s->file->u.inet.dst_port, s->ino,
			     at);
	}
}

const struct insp_lost_stream *insp_lost_stream(const struct insp_restore *r,
						const struct crimg_file *f)
{
	for (size_t i = 0; i < r->n_lost; i++)
		if (r->lost[i].file == f ||
		    (f->type == CRIMG_FD_INETSK && r->lost[i].ino == f->u.inet.ino))
			return &r->lost[i];
	return NULL;
}

void insp_restore_read(struct crimg_ckpt *c, const struct crimg_tree *tr, struct insp_restore *r,
		       struct insp_meta *m)
{
	memset(r, 0, sizeof(*r));
	inventory(c, r, m);
	lost_streams(c, tr, r, m);
}

void insp_restore_free(struct insp_restore *r)
{
	free(r->lost);
	r->lost = NULL;
	r->n_lost = 0;
}
