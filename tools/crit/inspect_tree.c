/*
 * crit inspect: the tree view, drawn with box characters the way
 * checkpointctl's inspect draws it ("├── ", "└── ", "[PID]  comm").
 *
 * The whole tree is built in memory, then printed: a damaged image found
 * half-way prints nothing but the error.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"
#include "util.h"

struct tnode {
	char *text;
	struct tnode **kids;
	size_t n, cap;
};

static struct tnode *tn_new(char *text)
{
	struct tnode *t = calloc(1, sizeof(*t));
	if (!t)
		die("out of memory");
	t->text = text;
	return t;
}

/* Adds a child whose text is printf'ed. */
static struct tnode *tn_add(struct tnode *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static struct tnode *tn_add(struct tnode *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 8;
		p->kids = realloc(p->kids, p->cap * sizeof(*p->kids));
		if (!p->kids)
			die("out of memory");
	}
	return p->kids[p->n++] = tn_new(s);
}

static void tn_free(struct tnode *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		tn_free(t->kids[i]);
	free(t->kids);
	free(t->text);
	free(t);
}

/* prefix: what the ancestors draw ("│   " or "    " per level) */
static void tn_print(const struct tnode *t, FILE *f, char **prefix, size_t *plen, size_t *pcap)
{
	for (size_t i = 0; i < t->n; i++) {
		int last = i + 1 == t->n;
		fprintf(f, "%.*s%s%s\n", (int)*plen, *prefix ? *prefix : "", last ? "└── " : "├── ",
			t->kids[i]->text);
		if (!t->kids[i]->n)
			continue;
		const char *add = last ? "    " : "│   ";
		size_t al = strlen(add), keep = *plen;
		if (*plen + al > *pcap) {
			*pcap = 2 * (*plen + al);
			*prefix = realloc(*prefix, *pcap);
			if (!*prefix)
				die("out of memory");
		}
		memcpy(*prefix + *plen, add, al);
		*plen += al;
		tn_print(t->kids[i], f, prefix, plen, pcap);
		*plen = keep;
	}
}

/* "2026-11-23T02:47:32.044018295Z" -> "2026-11-23T02:47:32Z" */
static char *short_time(const char *s)
{
	char *c = insp_clean(s, strlen(s));
	char *dot = strchr(c, '.');
	if (dot && dot - c == 19 && c[10] == 'T') {
		char *e = dot + 1;
		while (*e >= '0' && *e <= '9')
			e++;
		memmove(dot, e, strlen(e) + 1);
	}
	return c;
}

static void field(struct tnode *r, const char *label, const char *v)
{
	if (!v)
		return;
	char *c = insp_clean(v, strlen(v));
	tn_add(r, "%s: %s", label, c);
	free(c);
}

static void container_part(struct insp *in, struct tnode *r)
{
	const struct insp_meta *m = &in->m;
	char b[64];
	if (m->engine) {
		field(r, "Image", m->image);
		field(r, "ID", m->id);
		field(r, "Runtime", m->runtime);
		if (m->created) {
			char *t = short_time(m->created);
			tn_add(r, "Created: %s", t);
			free(t);
		}
	}
	if (m->checkpointed) {
		char *t = short_time(m->checkpointed);
		tn_add(r, "Checkpointed: %s", t);
		free(t);
	}
	if (m->engine) {
		tn_add(r, "Engine: %s", m->engine);
		field(r, "Pod", m->pod);
		field(r, "Kubernetes namespace", m->k8s_namespace);
	}
	if (in->n_containers > 1) {
		struct tnode *p = tn_add(r, "Pod archive containers");
		for (size_t i = 0; i < in->n_containers; i++)
			tn_add(p, "%s%s", in->containers[i],
			       strcmp(in->containers[i], in->container) ? "" : " (shown)");
	}
	/* addresses: one line each for IP and MAC, as checkpointctl has them */
	size_t nip = 0, nmac = 0;
	for (size_t i = 0; i < m->n_nets; i++) {
		nip += m->nets[i].n_ips;
		nmac += m->nets[i].mac != NULL;
	}
	if (nip) {
		char *ips = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&ips, &len);
		if (!f)
			die("out of memory");
		for (size_t i = 0, k = 0; i < m->n_nets; i++)
			for (size_t j = 0; j < m->nets[i].n_ips; j++)
				fprintf(f, "%s%s", k++ ? ", " : "", m->nets[i].ips[j]);
		fclose(f);
		field(r, "IP", ips);
		free(ips);
	}
	if (nmac) {
		char *macs = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&macs, &len);
		if (!f)
			die("out of memory");
		for (size_t i = 0, k = 0; i < m->n_nets; i++)
			if (m->nets[i].mac)
				fprintf(f, "%s%s", k++ ? ", " : "", m->nets[i].mac);
		fclose(f);
		field(r, "MAC", macs);
		free(macs);
	}
	struct tnode *cs = tn_add(r, "Checkpoint size: %s", insp_size(in->sz.images, b, sizeof(b)));
	if (in->sz.pages)
		tn_add(cs, "Memory pages size: %s", insp_size(in->sz.pages, b, sizeof(b)));
	if (in->sz.archive >= 0)
		tn_add(r, "Archive size: %s (%s)",
		       insp_size((uint64_t)in->sz.archive, b, sizeof(b)), in->format);
	if (in->sz.rootfs_diff >= 0)
		tn_add(r, "Root FS diff size: %s",
		       insp_size((uint64_t)in->sz.rootfs_diff, b, sizeof(b)));
	if (in->sz.devshm >= 0)
		tn_add(r, "/dev/shm size: %s", insp_size((uint64_t)in->sz.devshm, b, sizeof(b)));
}

static void stats_part(struct insp *in, struct tnode *r)
{
	const struct crimg_dump_stats *s = in->stats;
	if (!s)
		return;
	char b[64];
	struct tnode *t = tn_add(r, "CRIU dump statistics");
	tn_add(t, "Freezing time: %s", insp_usec(s->freezing_time, b, sizeof(b)));
	tn_add(t, "Frozen time: %s", insp_usec(s->frozen_time, b, sizeof(b)));
	tn_add(t, "Memdump time: %s", insp_usec(s->memdump_time, b, sizeof(b)));
	tn_add(t, "Memwrite time: %s", insp_usec(s->memwrite_time, b, sizeof(b)));
	tn_add(t, "Pages scanned: %" PRIu64, s->pages_scanned);
	if (s->pages_skipped_parent)
		tn_add(t, "Pages skipped (in parent): %" PRIu64, s->pages_skipped_parent);
	tn_add(t, "Pages written: %" PRIu64, s->pages_written);
	if (s->pages_lazy)
		tn_add(t, "Pages lazy: %" PRIu64, s->pages_lazy);
}

static void metadata_part(struct insp *in, struct tnode *r)
{
	const struct insp_meta *m = &in->m;
	if (!in->o.metadata || !m->n_annotations)
		return;
	struct tnode *a = tn_add(tn_add(r, "Metadata"), "Annotations");
	for (size_t i = 0; i < m->n_annotations; i++) {
		char *k = insp_clean(m->annotations[i].key, strlen(m->annotations[i].key));
		char *v = insp_clean(m->annotations[i].value, strlen(m->annotations[i].value));
		tn_add(a, "%s: %s", k, v);
		free(k);
		free(v);
	}
}

/* Restore options (inventory.img): the dump options a restore follows. */
static void restore_part(struct insp *in, struct tnode *r)
{
	const struct insp_restore *o = &in->restore;
	if (!o->have)
		return;
	struct tnode *t = tn_add(r, "Restore options (inventory.img)");
	tn_add(t, "TCP close: %s",
	       o->tcp_close ? "yes (connections were not saved: restored closed)" : "no");
	const char *w = insp_lock_name(o->lock_method);
	if (!o->has_lock)
		tn_add(t, "Network lock: not recorded");
	else if (w)
		tn_add(t, "Network lock: %s", w);
	else
		tn_add(t, "Network lock: %u", o->lock_method);
	w = insp_lsm_name(o->lsm);
	if (!o->has_lsm)
		tn_add(t, "LSM: not recorded");
	else if (w)
		tn_add(t, "LSM: %s", w);
	else
		tn_add(t, "LSM: %u", o->lsm);
	tn_add(t, "Uprobes allowed: %s", o->allow_uprobes ? "yes" : "no");
	if (!o->n_plugins) {
		tn_add(t, "Plugins: %s", o->has_plugins ? "none" : "not recorded");
	} else {
		struct tnode *p = tn_add(t, "Plugins");
		for (size_t i = 0; i < o->n_plugins; i++) {
			char *c = insp_clean(o->plugins[i], strlen(o->plugins[i]));
			tn_add(p, "%s", c);
			free(c);
		}
	}
	tn_add(t, "Image version: %u", o->img_version);
	if (o->run_id) {
		char *c = insp_clean(o->run_id, strlen(o->run_id));
		tn_add(t, "CRIU run ID: %s", c);
		free(c);
	}
}

static int files_part(struct insp *in, const struct crimg_task *t, struct tnode *node,
		      struct crimg_error *err)
{
	char buf[2048], meta[128], data[1024], b1[32], b2[32];
	const struct crimg_fdtable *ft = crimg_task_fds(in->c, t, err);
	if (!ft)
		return -1;
	if (in->o.files) {
		struct tnode *f = tn_add(node, "Open files");
		for (size_t k = 0; k < ft->n_fds; k++) {
			const struct crimg_fd *fd = &ft->fds[k];
			const char *tn = crimg_fd_type_name(fd->type);
			if (fd->file)
				insp_file_text(fd->file, buf, sizeof(buf));
			else
				snprintf(buf, sizeof(buf), "? (no file %u in the images)", fd->id);
			if (tn)
				tn_add(f, "[%s %u]  %s", tn, fd->fd, buf);
			else
				tn_add(f, "[%u %u]  %s", fd->type, fd->fd, buf);
		}
		const struct crimg_task_fs *fs = crimg_task_fs(in->c, t, err);
		if (!fs)
			return -1;
		tn_add(f, "[cwd]  %s", fs->cwd ? insp_file_text(fs->cwd, buf, sizeof(buf)) : "?");
		tn_add(f, "[root]  %s",
		       fs->root ? insp_file_text(fs->root, buf, sizeof(buf)) : "?");
	}
	if (in->o.sockets) {
		struct tnode *s = NULL;
		for (size_t k = 0; k < ft->n_fds; k++) {
			const struct crimg_fd *fd = &ft->fds[k];
			if (!fd->file ||
			    !insp_socket_text(fd->file, meta, sizeof(meta), data, sizeof(data),
					      INSP_SK_NAME_WIDTH))
				continue;
			if (!s)
				s = tn_add(node, "Open sockets");
			uint32_t snd, rcv;
			const struct insp_lost_stream *l = insp_lost_stream(&in->restore, fd->file);
			char lost[64] = "";
			if (l)
				snprintf(lost, sizeof(lost), " [%s missing]", l->image);
			if (insp_socket_bufs(fd->file, &snd, &rcv))
				tn_add(s, "[%s]  %s (↑ %s ↓ %s)%s", meta, data,
				       insp_size(snd, b1, sizeof(b1)),
				       insp_size(rcv, b2, sizeof(b2)), lost);
			else
				tn_add(s, "[%s]  %s%s", meta, data, lost);
		}
	}
	return 0;
}

static int process(struct insp *in, const struct crimg_task *t, struct tnode *parent,
		   struct crimg_error *err)
{
	const struct crimg_task_brief *b = crimg_task_brief(in->c, t, err);
	if (!b)
		return -1;
	int z = insp_is_zombie(b);
	char *comm = insp_clean(b->comm ? b->comm : "", b->comm ? strlen(b->comm) : 0);
	char *cmd = NULL;
	uint8_t *sb;
	size_t sl;
	if (in->o.cmd && !z) {
		if (insp_strings(in->c, t, CRIMG_MEM_ARGV, &sb, &sl, err) < 0) {
			free(comm);
			return -1;
		}
		if (sl) {
			char *line = insp_cmdline(sb, sl);
			/* a process that renamed itself (prctl, a forked child):
			 * keep its name beside the command that started it */
			char *a0 = strndup((const char *)sb, sl);
			if (!a0)
				die("out of memory");
			const char *base = strrchr(a0, '/');
			base = base ? base + 1 : a0;
			int renamed = *comm && strncmp(base, b->comm, 15) != 0;
			free(a0);
			if (renamed) {
				if (asprintf(&cmd, "%s (%s)", line, comm) < 0)
					die("out of memory");
				free(line);
			} else {
				cmd = line;
			}
		}
		free(sb);
	}
	struct tnode *node;
	if (z)
		node = tn_add(parent, "[%u (zombie)]  %s", t->pid, comm);
	else if (b->state == CRIMG_TASK_STOPPED)
		node = tn_add(parent, "[%u (stopped)]  %s", t->pid, cmd ? cmd : comm);
	else
		node = tn_add(parent, "[%u]  %s", t->pid, cmd ? cmd : comm);
	free(comm);
	free(cmd);
	if (z) {
		char eb[64];
		tn_add(node, "Exit: %s", insp_exit_text(b->exit_code, eb, sizeof(eb)));
	} else {
		if (in->o.env) {
			if (insp_strings(in->c, t, CRIMG_MEM_ENV, &sb, &sl, err) < 0)
				return -1;
			struct tnode *e = sl ? tn_add(node, "Environment variables") : NULL;
			for (size_t s = 0; s < sl;) {
				size_t end = s;
				while (end < sl && sb[end])
					end++;
				char *v = insp_clean(sb + s, end - s);
				tn_add(e, "%s", v);
				free(v);
				s = end + 1;
			}
			free(sb);
		}
		if ((in->o.files || in->o.sockets) && files_part(in, t, node, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < t->n_children; i++)
		if (process(in, t->children[i], node, err) < 0)
			return -1;
	return 0;
}

static void mount_line(struct tnode *p, const char *type, const char *dest, const char *src,
		       const char *opts)
{
	char *t = insp_clean(type ? type : "?", type ? strlen(type) : 1);
	char *d = insp_clean(dest ? dest : "?", dest ? strlen(dest) : 1);
	char *s = insp_clean(src ? src : "?", src ? strlen(src) : 1);
	char *o = opts && *opts ? insp_clean(opts, strlen(opts)) : NULL;
	tn_add(p, "[%s]  %s from %s%s%s%s", t, d, s, o ? " (" : "", o ? o : "", o ? ")" : "");
	free(t);
	free(d);
	free(s);
	free(o);
}

static void mounts_part(struct insp *in, struct tnode *r)
{
	if (!in->o.mounts)
		return;
	const struct insp_meta *m = &in->m;
	if (m->has_spec_mounts) {
		struct tnode *p = tn_add(r, "Mounts (spec.dump)");
		for (size_t i = 0; i < m->n_mounts; i++)
			mount_line(p, m->mounts[i].type, m->mounts[i].dest, m->mounts[i].source,
				   m->mounts[i].options);
		return;
	}
	if (!in->n_mntns)
		tn_add(r, "Mounts: none in the checkpoint");
	for (size_t n = 0; n < in->n_mntns; n++) {
		const struct crimg_mounts *ns = &in->mntns[n];
		struct tnode *p = tn_add(r, "Mounts (mountpoints-%u.img)", ns->mnt_ns);
		for (size_t i = 0; i < ns->n; i++) {
			const struct crimg_mount *mt = &ns->mounts[i];
			mount_line(p, mt->fstype_name, mt->mountpoint, mt->source, mt->options);
		}
	}
}

int insp_tree(struct insp *in, FILE *out, struct crimg_error *err)
{
	const char *rootname = in->m.name ? in->m.name : in->m.engine ? "Container" : in->o.src;
	struct tnode *r = tn_new(insp_clean(rootname, strlen(rootname)));
	container_part(in, r);
	stats_part(in, r);
	restore_part(in, r);
	metadata_part(in, r);
	if (in->m.n_problems) {
		struct tnode *p = tn_add(r, "Problems");
		for (size_t i = 0; i < in->m.n_problems; i++) {
			char *c = insp_clean(in->m.problems[i], strlen(in->m.problems[i]));
			tn_add(p, "%s", c);
			free(c);
		}
	}
	struct tnode *pt = tn_add(r, "Process tree");
	for (size_t i = 0; i < in->n_roots; i++) {
		if (process(in, in->roots[i], pt, err) < 0) {
			tn_free(r);
			return -1;
		}
	}
	mounts_part(in, r);

	fprintf(out, "%s\n", r->text);
	char *prefix = NULL;
	size_t plen = 0, pcap = 0;
	tn_print(r, out, &prefix, &plen, &pcap);
	free(prefix);
	tn_free(r);
	return 0;
}
