/*
 * crit inspect --format json: the same facts as the tree, as one JSON
 * object (its keys are listed in `crit inspect --help`).  Sizes are in
 * bytes, times in microseconds, the process tree a flat list in tree order
 * (ppid, depth and children say the shape), so that no depth of process
 * tree makes the document deep.  Descriptors are written the way `crit x
 * fds --format json` writes them.
 */
#include <stdlib.h>
#include <string.h>

#include "inspect.h"
#include "util.h"
#include "x.h"

/* "restore": the inventory's options and the TCP connections a restore
 * would miss; null without an inventory. */
static void restore_json(struct xj *j, const struct insp_restore *o)
{
	if (!o->have && !o->n_lost) {
		xj_null(j, "restore");
		return;
	}
	xj_obj(j, "restore");
	if (o->have) {
		xj_u64(j, "img_version", o->img_version);
		xj_bool(j, "tcp_close", o->tcp_close);
		if (!o->has_lock)
			xj_null(j, "network_lock_method");
		else if (insp_lock_name(o->lock_method))
			xj_str(j, "network_lock_method", insp_lock_name(o->lock_method));
		else
			xj_u64(j, "network_lock_method", o->lock_method);
		if (!o->has_lsm)
			xj_null(j, "lsmtype");
		else if (insp_lsm_name(o->lsm))
			xj_str(j, "lsmtype", insp_lsm_name(o->lsm));
		else
			xj_u64(j, "lsmtype", o->lsm);
		xj_bool(j, "allow_uprobes", o->allow_uprobes);
		if (o->has_plugins) {
			xj_arr(j, "plugins");
			for (size_t i = 0; i < o->n_plugins; i++)
				xj_str(j, NULL, o->plugins[i]);
			xj_end_arr(j);
		} else {
			xj_null(j, "plugins");
		}
		xj_str(j, "dump_criu_run_id", o->run_id);
	}
	xj_arr(j, "missing_tcp_streams");
	for (size_t i = 0; i < o->n_lost; i++) {
		const struct insp_lost_stream *l = &o->lost[i];
		xj_obj(j, NULL);
		xj_str(j, "image", l->image);
		xj_u64(j, "ino", l->ino);
		xj_str(j, "state", crimg_sk_state_name(l->file->u.inet.state));
		xj_str(j, "src", l->file->u.inet.src);
		xj_u64(j, "src_port", l->file->u.inet.src_port);
		xj_str(j, "dst", l->file->u.inet.dst);
		xj_u64(j, "dst_port", l->file->u.inet.dst_port);
		if (l->pid) {
			xj_u64(j, "pid", l->pid);
			xj_u64(j, "fd", l->fd);
		}
		xj_end_obj(j);
	}
	xj_end_arr(j);
	xj_end_obj(j);
}

static void size_or_null(struct xj *j, const char *key, int64_t v)
{
	if (v >= 0)
		xj_u64(j, key, (uint64_t)v);
	else
		xj_null(j, key);
}

static void header(struct insp *in, struct xj *j)
{
	const struct insp_meta *m = &in->m;
	xj_str(j, "source", in->o.src);
	xj_str(j, "format", in->format);
	xj_str(j, "byte_order", in->restore.byte_order);
	xj_str(j, "engine", m->engine);
	xj_str(j, "container_name", m->name);
	xj_str(j, "image", m->image);
	xj_str(j, "image_id", m->image_id);
	xj_str(j, "id", m->id);
	xj_str(j, "runtime", m->runtime);
	xj_str(j, "created", m->created);
	xj_str(j, "checkpointed", m->checkpointed);
	xj_str(j, "checkpointed_from", m->checkpointed_from);
	xj_str(j, "pod", m->pod);
	xj_str(j, "kubernetes_namespace", m->k8s_namespace);
	if (in->n_containers > 1) {
		xj_arr(j, "pod_containers");
		for (size_t i = 0; i < in->n_containers; i++)
			xj_str(j, NULL, in->containers[i]);
		xj_end_arr(j);
	}
	xj_arr(j, "networks");
	for (size_t i = 0; i < m->n_nets; i++) {
		const struct insp_net *n = &m->nets[i];
		xj_obj(j, NULL);
		xj_str(j, "network", n->network);
		xj_str(j, "interface", n->iface);
		xj_arr(j, "ip");
		for (size_t k = 0; k < n->n_ips; k++)
			xj_str(j, NULL, n->ips[k]);
		xj_end_arr(j);
		xj_str(j, "gateway", n->gateway);
		xj_str(j, "mac", n->mac);
		xj_end_obj(j);
	}
	xj_end_arr(j);

	xj_obj(j, "checkpoint_size");
	xj_u64(j, "total_size", in->sz.images);
	xj_u64(j, "memory_pages_size", in->sz.pages);
	xj_u64(j, "images", in->sz.n_images);
	size_or_null(j, "root_fs_diff_size", in->sz.rootfs_diff);
	size_or_null(j, "devshm_size", in->sz.devshm);
	size_or_null(j, "archive_size", in->sz.archive);
	xj_end_obj(j);

	const struct crimg_dump_stats *s = in->stats;
	if (s) {
		xj_obj(j, "statistics");
		xj_u64(j, "freezing_time", s->freezing_time);
		xj_u64(j, "frozen_time", s->frozen_time);
		xj_u64(j, "memdump_time", s->memdump_time);
		xj_u64(j, "memwrite_time", s->memwrite_time);
		xj_u64(j, "pages_scanned", s->pages_scanned);
		xj_u64(j, "pages_skipped_parent", s->pages_skipped_parent);
		xj_u64(j, "pages_written", s->pages_written);
		xj_u64(j, "pages_lazy", s->pages_lazy);
		xj_end_obj(j);
	} else {
		xj_null(j, "statistics");
	}
	restore_json(j, &in->restore);
	if (in->o.metadata) {
		xj_obj(j, "annotations");
		for (size_t i = 0; i < m->n_annotations; i++)
			xj_str(j, m->annotations[i].key, m->annotations[i].value);
		xj_end_obj(j);
	}
	xj_arr(j, "problems");
	for (size_t i = 0; i < m->n_problems; i++)
		xj_str(j, NULL, m->problems[i]);
	xj_end_arr(j);
}

static void strings(struct xj *j, const char *key, const uint8_t *b, size_t n)
{
	xj_arr(j, key);
	for (size_t s = 0; s < n;) {
		size_t e = s;
		while (e < n && b[e])
			e++;
		xj_strn(j, NULL, b + s, e - s);
		s = e + 1;
	}
	xj_end_arr(j);
}

static int files(struct insp *in, struct xctx *x, const struct crimg_task *t,
		 struct crimg_error *err)
{
	struct xj *j = &x->j;
	char buf[2048];
	const struct crimg_fdtable *ft = crimg_task_fds(in->c, t, err);
	if (!ft)
		return -1;
	if (in->o.files) {
		xj_arr(j, "files");
		for (size_t k = 0; k < ft->n_fds; k++) {
			const struct crimg_fd *fd = &ft->fds[k];
			xj_obj(j, NULL);
			xj_u64(j, "fd", fd->fd);
			xj_bool(j, "cloexec", fd->flags & 1);
			if (fd->file) {
				xj_str(j, "text", insp_file_text(fd->file, buf, sizeof(buf)));
				x_json_file(x, fd->file, ft);
			} else {
				xj_null(j, "text");
				xj_u64(j, "id", fd->id);
				xj_str(j, "type", crimg_fd_type_name(fd->type));
			}
			xj_end_obj(j);
		}
		xj_end_arr(j);
		const struct crimg_task_fs *fs = crimg_task_fs(in->c, t, err);
		if (!fs)
			return -1;
		xj_str(j, "cwd", fs->cwd ? insp_file_text(fs->cwd, buf, sizeof(buf)) : NULL);
		xj_str(j, "root", fs->root ? insp_file_text(fs->root, buf, sizeof(buf)) : NULL);
	}
	if (in->o.sockets) {
		char meta[128], data[1024];
		xj_arr(j, "sockets");
		for (size_t k = 0; k < ft->n_fds; k++) {
			const struct crimg_fd *fd = &ft->fds[k];
			if (!fd->file ||
			    !insp_socket_text(fd->file, meta, sizeof(meta), data, sizeof(data), 0))
				continue;
			xj_obj(j, NULL);
			xj_u64(j, "fd", fd->fd);
			xj_str(j, "protocol", meta);
			xj_str(j, "address", data);
			uint32_t snd, rcv;
			if (insp_socket_bufs(fd->file, &snd, &rcv)) {
				xj_u64(j, "send_buf", snd);
				xj_u64(j, "recv_buf", rcv);
			}
			x_json_file(x, fd->file, ft);
			xj_end_obj(j);
		}
		xj_end_arr(j);
	}
	return 0;
}

static int process(struct insp *in, struct xctx *x, const struct crimg_task *t,
		   struct crimg_error *err)
{
	struct xj *j = &x->j;
	const struct crimg_task_brief *b = crimg_task_brief(in->c, t, err);
	if (!b)
		return -1;
	int z = insp_is_zombie(b);
	uint8_t *sb = NULL;
	size_t sl = 0;
	/* read first: a failure must not leave a half-written object */
	if (in->o.cmd && !z && insp_strings(in->c, t, CRIMG_MEM_ARGV, &sb, &sl, err) < 0)
		return -1;
	xj_obj(j, NULL);
	xj_u64(j, "pid", t->pid);
	xj_u64(j, "ppid", t->ppid);
	xj_u64(j, "pgid", t->pgid);
	xj_u64(j, "sid", t->sid);
	xj_u64(j, "depth", t->depth);
	xj_str(j, "command", b->comm);
	xj_str(j, "state", crimg_task_state_name(b->state));
	if (z) {
		if (b->exit_code & 0x7f)
			xj_u64(j, "exit_signal", b->exit_code & 0x7f);
		else
			xj_u64(j, "exit_status", (b->exit_code >> 8) & 0xff);
	}
	xj_u64(j, "threads", t->n_threads);
	xj_arr(j, "children");
	for (size_t i = 0; i < t->n_children; i++)
		xj_u64(j, NULL, t->children[i]->pid);
	xj_end_arr(j);
	if (in->o.cmd && !z)
		strings(j, "cmdline", sb, sl);
	free(sb);
	if (!z && in->o.env) {
		if (insp_strings(in->c, t, CRIMG_MEM_ENV, &sb, &sl, err) < 0)
			return -1;
		strings(j, "environment", sb, sl);
		free(sb);
	}
	if (!z && (in->o.files || in->o.sockets) && files(in, x, t, err) < 0)
		return -1;
	xj_end_obj(j);
	for (size_t i = 0; i < t->n_children; i++)
		if (process(in, x, t->children[i], err) < 0)
			return -1;
	return 0;
}

static void mount_obj(struct xj *j, const char *dest, const char *type, const char *src,
		      const char *opts)
{
	xj_str(j, "destination", dest);
	xj_str(j, "type", type);
	xj_str(j, "source", src);
	xj_str(j, "options", opts);
}

static void mounts(struct insp *in, struct xj *j)
{
	const struct insp_meta *m = &in->m;
	if (m->has_spec_mounts) {
		xj_str(j, "mounts_from", "spec.dump");
		xj_arr(j, "mounts");
		for (size_t i = 0; i < m->n_mounts; i++) {
			xj_obj(j, NULL);
			mount_obj(j, m->mounts[i].dest, m->mounts[i].type, m->mounts[i].source,
				  m->mounts[i].options);
			xj_end_obj(j);
		}
		xj_end_arr(j);
		return;
	}
	xj_str(j, "mounts_from", in->n_mntns ? "mountpoints" : NULL);
	xj_arr(j, "mounts");
	for (size_t n = 0; n < in->n_mntns; n++) {
		const struct crimg_mounts *ns = &in->mntns[n];
		for (size_t i = 0; i < ns->n; i++) {
			const struct crimg_mount *mt = &ns->mounts[i];
			xj_obj(j, NULL);
			mount_obj(j, mt->mountpoint, mt->fstype_name, mt->source, mt->options);
			xj_u64(j, "mnt_ns", ns->mnt_ns);
			xj_u64(j, "mnt_id", mt->mnt_id);
			xj_u64(j, "parent_mnt_id", mt->parent_mnt_id);
			xj_end_obj(j);
		}
	}
	xj_end_arr(j);
}

int insp_json(struct insp *in, FILE *out, struct crimg_error *err)
{
	struct xctx x;
	memset(&x, 0, sizeof(x));
	x.c = in->c; /* all x_json_file() needs */
	xj_init(&x.j, out);
	struct xj *j = &x.j;
	xj_obj(j, NULL);
	header(in, j);
	xj_arr(j, "process_tree");
	for (size_t i = 0; i < in->n_roots; i++)
		if (process(in, &x, in->roots[i], err) < 0)
			return -1;
	xj_end_arr(j);
	if (in->o.mounts)
		mounts(in, j);
	xj_end_obj(j);
	xj_finish(j);
	return 0;
}
