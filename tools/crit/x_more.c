/*
 * crit x views beyond crit's: sk (sockets), mounts, ns, cgroups, stats.
 * Text for reading, JSON (--format json) for programs.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sk_name.h"
#include "util.h"
#include "x.h"

/* ---- sk ---- */

static int is_socket(unsigned type)
{
	return type == CRIMG_FD_UNIXSK || type == CRIMG_FD_INETSK || type == CRIMG_FD_PACKETSK ||
		type == CRIMG_FD_NETLINKSK;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* "127.0.0.1:80", "[::1]:80", "*" for an unconnected peer */
static void endpoint(char *b, size_t len, unsigned family, const char *addr, unsigned port,
		     int peer)
{
	if (peer && !port && (!strcmp(addr, "0.0.0.0") || !strcmp(addr, "::") || !*addr))
		snprintf(b, len, "*");
	else if (family == 10)
		snprintf(b, len, "[%s]:%u", addr, port);
	else
		snprintf(b, len, "%s:%u", addr, port);
}

/* The LOCAL column's width; a unix name wider than it is cut in the middle
 * (and so is a peer's name, after its inode) */
#define SK_COL 28

/* A unix name for the table: "-" for none. */
static void unix_text(char *b, size_t len, const uint8_t *name, size_t n)
{
	sk_unix_name(b, len, name, n, SK_NAME_ASCII, SK_COL, "...");
	if (!*b)
		snprintf(b, len, "-");
}

static void sk_row(struct xctx *x, uint32_t pid, const struct crimg_fd *fd)
{
	const struct crimg_file *f = fd->file;
	char proto[32], state[32], local[512], peer[512];
	const char *w;
	snprintf(state, sizeof(state), "-");
	switch (f->type) {
	case CRIMG_FD_INETSK:
		w = crimg_sk_proto_name(f->u.inet.proto);
		snprintf(proto, sizeof(proto), "%s%s", w ? w : "ip",
			 f->u.inet.family == 10 ? "6" : "");
		lower(proto);
		if ((w = crimg_sk_state_name(f->u.inet.state)))
			snprintf(state, sizeof(state), "%s", w);
		endpoint(local, sizeof(local), f->u.inet.family, f->u.inet.src, f->u.inet.src_port,
			 0);
		endpoint(peer, sizeof(peer), f->u.inet.family, f->u.inet.dst, f->u.inet.dst_port,
			 1);
		break;
	case CRIMG_FD_UNIXSK:
		w = crimg_sk_type_name(f->u.usk.type);
		snprintf(proto, sizeof(proto), "unix/%s", w ? w : "?");
		lower(proto);
		if ((w = crimg_sk_state_name(f->u.usk.state)))
			snprintf(state, sizeof(state), "%s", w);
		unix_text(local, sizeof(local), f->u.usk.name, f->u.usk.name_len);
		if (!f->u.usk.peer_ino) {
			snprintf(peer, sizeof(peer), "-");
		} else {
			int n = snprintf(peer, sizeof(peer), "%u", f->u.usk.peer_ino);
			const struct crimg_file *p = f->u.usk.peer;
			if (p && p->u.usk.name_len && n > 0) {
				char nm[400];
				unix_text(nm, sizeof(nm), p->u.usk.name, p->u.usk.name_len);
				snprintf(peer + n, sizeof(peer) - (size_t)n, " %s", nm);
			}
		}
		break;
	case CRIMG_FD_PACKETSK:
		snprintf(proto, sizeof(proto), "packet");
		snprintf(local, sizeof(local), "ifindex %u proto 0x%04x", f->u.packet.ifindex,
			 f->u.packet.protocol);
		snprintf(peer, sizeof(peer), "-");
		break;
	default: /* netlink */
		snprintf(proto, sizeof(proto), "netlink/%u", f->u.netlink.protocol);
		snprintf(local, sizeof(local), "%u", f->u.netlink.portid);
		snprintf(peer, sizeof(peer), "%u", f->u.netlink.dst_portid);
		break;
	}
	uint32_t ino = f->type == CRIMG_FD_INETSK ? f->u.inet.ino
		: f->type == CRIMG_FD_UNIXSK      ? f->u.usk.ino
						  : 0;
	fprintf(x->out, "%7u %6u  %-12s %-12s %8u  %-*s %s\n", pid, fd->fd, proto, state, ino,
		SK_COL, local, peer);
}

int x_sk(struct xctx *x)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_tree *tr = crimg_ckpt_tree(x->c, &err);
	if (!tr)
		return x_fail(&err);
	struct xj *j = &x->j;
	if (x->json) {
		xj_obj(j, NULL);
		xj_arr(j, "tasks");
	} else {
		fprintf(x->out, "%7s %6s  %-12s %-12s %8s  %-*s %s\n", "PID", "FD", "PROTO",
			"STATE", "INODE", SK_COL, "LOCAL", "PEER");
	}
	size_t i = 0;
	const struct crimg_task *t;
	const struct crimg_task_core *core;
	int z, more;
	while ((more = x_next_task(x, tr, &i, &t, &core, &z)) > 0) {
		if (z)
			continue; /* a zombie holds no sockets */
		const struct crimg_fdtable *ft = crimg_task_fds(x->c, t, &err);
		if (!ft)
			return x_fail(&err);
		if (x->json) {
			if (!(core = crimg_task_core(x->c, t, &err)))
				return x_fail(&err);
			xj_obj(j, NULL);
			xj_u64(j, "pid", t->pid);
			xj_str(j, "comm", core->comm);
			xj_str(j, "state", crimg_task_state_name(core->state));
			xj_arr(j, "sockets");
		}
		for (size_t k = 0; k < ft->n_fds; k++) {
			const struct crimg_fd *fd = &ft->fds[k];
			if (!fd->file || !is_socket(fd->file->type))
				continue;
			if (!x->json) {
				sk_row(x, t->pid, fd);
				continue;
			}
			xj_obj(j, NULL);
			xj_u64(j, "fd", fd->fd);
			x_json_file(x, fd->file, ft);
			xj_end_obj(j);
		}
		if (x->json) {
			xj_end_arr(j);
			xj_end_obj(j);
		}
	}
	if (more < 0)
		return 1;
	if (x->json) {
		xj_end_arr(j);
		xj_end_obj(j);
		xj_finish(j);
	}
	return 0;
}

/* ---- mounts ---- */

int x_mounts(struct xctx *x)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_mounts *ns;
	size_t n;
	if (crimg_ckpt_mounts(x->c, &ns, &n, &err) < 0)
		return x_fail(&err);
	struct xj *j = &x->j;
	if (x->json) {
		xj_obj(j, NULL);
		xj_arr(j, "namespaces");
	} else if (!n) {
		fprintf(x->out, "no mount namespace was dumped (no mountpoints-N.img)\n");
	}
	for (size_t i = 0; i < n; i++) {
		if (x->json) {
			xj_obj(j, NULL);
			xj_u64(j, "mnt_ns", ns[i].mnt_ns);
			xj_arr(j, "mounts");
		} else {
			fprintf(x->out, "%smount namespace %u (mountpoints-%u.img)\n",
				i ? "\n" : "", ns[i].mnt_ns, ns[i].mnt_ns);
			fprintf(x->out, "%7s %7s  %s\n", "ID", "PARENT", "MOUNT");
		}
		for (size_t k = 0; k < ns[i].n; k++) {
			const struct crimg_mount *m = &ns[i].mounts[k];
			if (!x->json) {
				fprintf(x->out, "%7u %7u  %s on %s type %s (%s)", m->mnt_id,
					m->parent_mnt_id, *m->source ? m->source : "none",
					m->mountpoint, m->fstype_name,
					*m->options ? m->options : "-");
				if (strcmp(m->root, "/"))
					fprintf(x->out, " root=%s", m->root);
				if (m->external)
					fputs(" external", x->out);
				fputc('\n', x->out);
				continue;
			}
			char b[32];
			xj_obj(j, NULL);
			xj_u64(j, "mnt_id", m->mnt_id);
			xj_u64(j, "parent", m->parent_mnt_id);
			xj_str(j, "fstype", m->fstype_name);
			xj_str(j, "source", m->source);
			xj_str(j, "mountpoint", m->mountpoint);
			xj_str(j, "root", m->root);
			xj_str(j, "options", m->options);
			xj_hex(j, "flags", m->flags);
			snprintf(b, sizeof(b), "%u:%u", m->root_dev >> 20, m->root_dev & 0xfffff);
			xj_str(j, "root_dev", b);
			if (m->has_shared_id)
				xj_u64(j, "shared_id", m->shared_id);
			if (m->has_master_id)
				xj_u64(j, "master_id", m->master_id);
			xj_bool(j, "external", m->external);
			xj_end_obj(j);
		}
		if (x->json) {
			xj_end_arr(j);
			xj_end_obj(j);
		}
	}
	if (x->json) {
		xj_end_arr(j);
		xj_end_obj(j);
		xj_finish(j);
	}
	return 0;
}

/* ---- ns ---- */

struct seen_ns {
	const char *kind, *image;
	uint32_t id;
};

int x_ns(struct xctx *x)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_tree *tr = crimg_ckpt_tree(x->c, &err);
	if (!tr)
		return x_fail(&err);
	struct xj *j = &x->j;
	struct seen_ns *seen = calloc(tr->n_tasks * 8 + 1, sizeof(*seen));
	size_t ns_n = 0;
	if (!seen) {
		error("out of memory");
		return 1;
	}
	if (x->json) {
		xj_obj(j, NULL);
		xj_arr(j, "tasks");
	} else {
		fprintf(x->out, "%7s", "PID");
		for (int k = 0; k < 8; k++)
			fprintf(x->out, " %9s", crimg_ns_kind((size_t)k));
		fputc('\n', x->out);
	}
	int rc = 0;
	size_t i = 0;
	const struct crimg_task *t;
	const struct crimg_task_core *core;
	int z, more;
	while ((more = x_next_task(x, tr, &i, &t, &core, &z)) != 0) {
		if (more < 0) {
			rc = 1;
			break;
		}
		struct crimg_namespace ns[8];
		if (!z && crimg_task_namespaces(x->c, t, ns, &err) < 0) {
			rc = x_fail(&err);
			break;
		}
		if (x->json) {
			if (!core && !(core = crimg_task_core(x->c, t, &err))) {
				rc = x_fail(&err);
				break;
			}
			xj_obj(j, NULL);
			xj_u64(j, "pid", t->pid);
			xj_str(j, "comm", core->comm);
			xj_str(j, "state", crimg_task_state_name(core->state));
			xj_obj(j, "namespaces");
			for (int k = 0; !z && k < 8; k++) {
				if (!ns[k].id)
					continue;
				xj_obj(j, ns[k].kind);
				xj_u64(j, "id", ns[k].id);
				xj_str(j, "image", ns[k].image);
				xj_end_obj(j);
			}
			xj_end_obj(j);
			xj_end_obj(j);
		} else {
			fprintf(x->out, "%7u", t->pid);
			for (int k = 0; k < (z ? 1 : 8); k++) {
				if (z)
					fprintf(x->out, " %9s", "zombie");
				else if (!ns[k].id)
					fprintf(x->out, " %9s", "-");
				else
					fprintf(x->out, " %9u", ns[k].id);
			}
			fputc('\n', x->out);
		}
		for (int k = 0; !z && k < 8; k++) {
			if (!ns[k].id)
				continue;
			size_t s = 0;
			while (s < ns_n &&
			       !(seen[s].id == ns[k].id && !strcmp(seen[s].kind, ns[k].kind)))
				s++;
			if (s == ns_n)
				seen[ns_n++] = (struct seen_ns){ ns[k].kind, ns[k].image,
								 ns[k].id };
		}
	}
	if (!rc && x->json) {
		xj_end_arr(j);
		xj_arr(j, "uts");
	}
	/* what the dump holds on each namespace */
	int blank = 0;
	for (size_t s = 0; !rc && s < ns_n; s++) {
		if (!seen[s].image)
			continue;
		const char *node = NULL, *domain = NULL;
		if (!strcmp(seen[s].kind, "uts") &&
		    crimg_ckpt_uts(x->c, seen[s].id, &node, &domain, &err) < 0) {
			rc = x_fail(&err);
			break;
		}
		if (x->json) {
			if (node) {
				xj_obj(j, NULL);
				xj_u64(j, "id", seen[s].id);
				xj_str(j, "nodename", node);
				xj_str(j, "domainname", domain);
				xj_end_obj(j);
			}
			continue;
		}
		if (!blank++)
			fputc('\n', x->out);
		fprintf(x->out, "%-6s %-6u %s", seen[s].kind, seen[s].id, seen[s].image);
		if (node)
			fprintf(x->out, ": %s, domain %s", node, domain);
		fputc('\n', x->out);
	}
	if (!rc && x->json) {
		xj_end_arr(j);
		xj_end_obj(j);
		xj_finish(j);
	}
	free(seen);
	return rc;
}

/* ---- cgroups ---- */

int x_cgroups(struct xctx *x)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	struct xj *j = &x->j;
	if (!crimg_ckpt_has(x->c, "cgroup.img")) {
		/* not an error: CRIU dumps cgroups only when asked or in containers */
		if (x->json) {
			xj_obj(j, NULL);
			xj_arr(j, "sets");
			xj_end_arr(j);
			xj_end_obj(j);
			xj_finish(j);
		} else {
			fprintf(x->out, "no cgroups were dumped (no cgroup.img)\n");
		}
		return 0;
	}
	const struct crimg_tree *tr = crimg_ckpt_tree(x->c, &err);
	if (!tr)
		return x_fail(&err);
	const struct crimg_cgroups *cg = crimg_ckpt_cgroups(x->c, &err);
	if (!cg)
		return x_fail(&err);
	/* every task's set, from its core */
	uint32_t *set = calloc(tr->n_tasks + 1, sizeof(*set));
	if (!set) {
		error("out of memory");
		return 1;
	}
	for (size_t i = 0; i < tr->n_tasks; i++) {
		const struct crimg_task_core *core = crimg_task_core(x->c, &tr->tasks[i], &err);
		if (!core) {
			free(set);
			return x_fail(&err);
		}
		set[i] = core->cg_set;
	}
	if (x->json) {
		xj_obj(j, NULL);
		xj_arr(j, "sets");
	}
	for (size_t s = 0; s < cg->n_sets; s++) {
		const struct crimg_cgroup_set *cs = &cg->sets[s];
		if (x->json) {
			xj_obj(j, NULL);
			xj_u64(j, "id", cs->id);
			xj_arr(j, "tasks");
		} else {
			fprintf(x->out, "%sset %u: tasks", s ? "\n" : "", cs->id);
		}
		int any = 0;
		for (size_t i = 0; i < tr->n_tasks; i++) {
			if (set[i] != cs->id || !x_selected(x, &tr->tasks[i]))
				continue;
			if (x->json)
				xj_u64(j, NULL, tr->tasks[i].pid);
			else
				fprintf(x->out, "%s %u", any ? "," : "", tr->tasks[i].pid);
			any = 1;
		}
		if (x->json) {
			xj_end_arr(j);
			xj_arr(j, "controllers");
		} else {
			fputs(any ? "\n" : " none\n", x->out);
		}
		for (size_t k = 0; k < cs->n_members; k++) {
			const struct crimg_cgroup_member *m = &cs->members[k];
			if (x->json) {
				xj_obj(j, NULL);
				xj_str(j, "name", m->controllers);
				xj_str(j, "path", m->path);
				xj_end_obj(j);
			} else {
				fprintf(x->out, "\t%-16s %s\n",
					*m->controllers ? m->controllers : "(unified)", m->path);
			}
		}
		if (x->json) {
			xj_end_arr(j);
			xj_end_obj(j);
		}
	}
	if (x->json) {
		xj_end_arr(j);
		xj_end_obj(j);
		xj_finish(j);
	}
	free(set);
	return 0;
}

/* ---- stats ---- */

int x_stats(struct xctx *x)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	size_t len;
	if (!crimg_ckpt_has(x->c, "stats-dump") && !crimg_ckpt_meta(x->c, "stats-dump", &len)) {
		/* not an error: CRIU writes it, but copies often drop it */
		if (x->json) {
			xj_obj(&x->j, NULL);
			xj_end_obj(&x->j);
			xj_finish(&x->j);
		} else {
			fprintf(x->out, "no dump statistics in this checkpoint (no stats-dump)\n");
		}
		return 0;
	}
	const struct crimg_dump_stats *s = crimg_ckpt_dump_stats(x->c, &err);
	if (!s)
		return x_fail(&err);
	const struct {
		const char *key, *label, *unit;
		uint64_t v;
		int shown;
	} rows[] = {
		{ "freezing_time", "freezing time", "us", s->freezing_time, 1 },
		{ "frozen_time", "frozen time", "us", s->frozen_time, 1 },
		{ "memdump_time", "memory dump time", "us", s->memdump_time, 1 },
		{ "memwrite_time", "memory write time", "us", s->memwrite_time, 1 },
		{ "irmap_resolve", "irmap resolve time", "us", s->irmap_resolve,
		  s->has_irmap_resolve },
		{ "pages_scanned", "pages scanned", "", s->pages_scanned, 1 },
		{ "pages_skipped_parent", "pages skipped (in parent)", "", s->pages_skipped_parent,
		  1 },
		{ "pages_written", "pages written", "", s->pages_written, 1 },
		{ "pages_lazy", "pages lazy", "", s->pages_lazy, 1 },
		{ "page_pipes", "page pipes", "", s->page_pipes, s->has_page_pipes },
		{ "page_pipe_bufs", "page pipe buffers", "", s->page_pipe_bufs, s->has_page_pipes },
		{ "shpages_scanned", "shared pages scanned", "", s->shpages_scanned,
		  s->has_shpages },
		{ "shpages_skipped_parent", "shared pages skipped (in parent)", "",
		  s->shpages_skipped_parent, s->has_shpages },
		{ "shpages_written", "shared pages written", "", s->shpages_written,
		  s->has_shpages },
	};
	if (x->json)
		xj_obj(&x->j, NULL);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (!rows[i].shown)
			continue;
		if (x->json)
			xj_u64(&x->j, rows[i].key, rows[i].v);
		else
			fprintf(x->out, "%-34s %12" PRIu64 "%s%s\n", rows[i].label, rows[i].v,
				*rows[i].unit ? " " : "", rows[i].unit);
	}
	if (x->json) {
		xj_end_obj(&x->j);
		xj_finish(&x->j);
	}
	return 0;
}
