/*
 * File descriptors (matched by number, shown with what each resolves to),
 * cwd, root and umask, and the memory map (VMAs matched by start address,
 * then by overlap for those that moved: a stack that grew).
 *
 * What a descriptor is, is compared field by field through the file's own
 * message (reg_file_entry, unix_sk_entry, ...), less the identities any
 * two dumps number differently (file ids, inode numbers, peers' ids).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff_int.h"

static const char *const file_skip[] = {
	"id",    "ino",   "peer",  "fown", "mnt_id", "pipe_id", "inode_id",
	"ns_id", "icons", "inode", "dev",  "s_dev",  "i_ino",   NULL,
};

static int is_socket(unsigned type)
{
	return type == CRIMG_FD_INETSK || type == CRIMG_FD_UNIXSK || type == CRIMG_FD_PACKETSK ||
		type == CRIMG_FD_NETLINKSK;
}

/* "REG /etc/passwd", "INETSK TCP 127.0.0.1:80 LISTEN", ... */
static void describe(const struct crimg_file *f, unsigned type, char *buf, size_t n)
{
	const char *tn = crimg_fd_type_name(type);
	char tbuf[16];
	if (!tn) {
		snprintf(tbuf, sizeof(tbuf), "type %u", type);
		tn = tbuf;
	}
	if (!f) {
		snprintf(buf, n, "%s (no file record)", tn);
		return;
	}
	switch (f->type) {
	case CRIMG_FD_PIPE:
		snprintf(buf, n, "%s pipe[%u]", tn, f->u.pipe.pipe_id);
		return;
	case CRIMG_FD_UNIXSK: {
		char name[128];
		size_t k = 0;
		for (size_t i = 0; i < f->u.usk.name_len && k + 5 < sizeof(name); i++) {
			uint8_t c = f->u.usk.name[i];
			if (i == 0 && c == 0)
				name[k++] = '@'; /* abstract */
			else if (c >= 32 && c < 127)
				name[k++] = (char)c;
			else
				k += (size_t)snprintf(name + k, sizeof(name) - k, "\\x%02x", c);
		}
		name[k] = '\0';
		const char *st = crimg_sk_type_name(f->u.usk.type);
		snprintf(buf, n, "%s %s%s%s", tn, st ? st : "?", k ? " " : "", name);
		return;
	}
	case CRIMG_FD_INETSK: {
		const char *fam = crimg_sk_family_name(f->u.inet.family);
		const char *pr = crimg_sk_proto_name(f->u.inet.proto);
		const char *st = crimg_sk_state_name(f->u.inet.state);
		int v6 = strchr(f->u.inet.src, ':') != NULL;
		snprintf(buf, n, "%s %s %s %s%s%s:%u -> %s%s%s:%u %s", tn, fam ? fam : "?",
			 pr ? pr : "?", v6 ? "[" : "", f->u.inet.src, v6 ? "]" : "",
			 f->u.inet.src_port, v6 ? "[" : "", f->u.inet.dst, v6 ? "]" : "",
			 f->u.inet.dst_port, st ? st : "?");
		return;
	}
	case CRIMG_FD_MEMFD:
		snprintf(buf, n, "%s memfd:%s", tn, f->u.memfd.name ? f->u.memfd.name : "");
		return;
	case CRIMG_FD_PIDFD:
		snprintf(buf, n, "%s pid %d", tn, f->u.pidfd.pid);
		return;
	default:
		if (f->path)
			snprintf(buf, n, "%s %s", tn, f->path);
		else
			snprintf(buf, n, "%s", tn);
	}
}

static char *fd_value(struct diff *d, const struct crimg_fd *fd)
{
	char buf[512];
	describe(fd->file, fd->type, buf, sizeof(buf));
	return dv_str(d, buf);
}

static int cmp_fd(const void *x, const void *y)
{
	const struct crimg_fd *a = *(const struct crimg_fd *const *)x;
	const struct crimg_fd *b = *(const struct crimg_fd *const *)y;
	return a->fd < b->fd ? -1 : a->fd > b->fd;
}

static const struct crimg_fd **sorted_fds(const struct crimg_fdtable *ft)
{
	const struct crimg_fd **v = malloc((ft->n_fds + 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < ft->n_fds; i++)
		v[i] = &ft->fds[i];
	qsort(v, ft->n_fds, sizeof(*v), cmp_fd);
	return v;
}

static int one_fd(struct diff *d, const struct crimg_fd *a, const struct crimg_fd *b)
{
	const struct crimg_fd *x = a ? a : b;
	unsigned cat = is_socket(x->type) ? CRIMG_DIFF_SOCKET : CRIMG_DIFF_FD;
	size_t mark = dpath_push(d, ".fd[%u]", x->fd);
	if (!a || !b) {
		demit(d, cat, a ? CRIMG_DIFF_REMOVED : CRIMG_DIFF_ADDED, a ? fd_value(d, a) : NULL,
		      b ? fd_value(d, b) : NULL, NULL);
	} else if (a->type != b->type || !a->file || !b->file || !a->file->msg || !b->file->msg ||
		   a->file->msg->descriptor != b->file->msg->descriptor) {
		/* another kind of thing: the whole descriptor changed (two
		 * without a file record have nothing more to compare) */
		if (a->type != b->type || a->file || b->file)
			demit(d,
			      is_socket(a->type) || is_socket(b->type) ? CRIMG_DIFF_SOCKET
								       : CRIMG_DIFF_FD,
			      CRIMG_DIFF_CHANGED, fd_value(d, a), fd_value(d, b), NULL);
	} else if (!dskip(d, cat)) {
		if (a->flags != b->flags)
			demit_at(d, cat, CRIMG_DIFF_CHANGED, dv_u64(d, a->flags),
				 dv_u64(d, b->flags), ".fd_flags");
		dmsg(d, cat, a->file->msg, b->file->msg, file_skip);
	}
	dpath_pop(d, mark);
	return diff_done(d);
}

static const char *file_path(const struct crimg_file *f)
{
	return f && f->path ? f->path : "";
}

static int diff_fs(struct diff *d, const struct task_pair *p)
{
	struct crimg_error ea, eb;
	crimg_error_clear(&ea);
	crimg_error_clear(&eb);
	const struct crimg_task_fs *a = crimg_task_fs(d->ca, p->a, &ea);
	const struct crimg_task_fs *b = crimg_task_fs(d->cb, p->b, &eb);
	if (!a || !b)
		return diff_failed(d, a, &ea, b, &eb);
	if (strcmp(file_path(a->cwd), file_path(b->cwd)) != 0)
		demit_at(d, CRIMG_DIFF_FD, CRIMG_DIFF_CHANGED, dv_str(d, file_path(a->cwd)),
			 dv_str(d, file_path(b->cwd)), ".cwd");
	if (strcmp(file_path(a->root), file_path(b->root)) != 0)
		demit_at(d, CRIMG_DIFF_FD, CRIMG_DIFF_CHANGED, dv_str(d, file_path(a->root)),
			 dv_str(d, file_path(b->root)), ".root");
	if (a->has_umask != b->has_umask || a->umask != b->umask)
		demit_at(d, CRIMG_DIFF_FD, CRIMG_DIFF_CHANGED,
			 a->has_umask ? dv_strf(d, "0%03o", a->umask) : NULL,
			 b->has_umask ? dv_strf(d, "0%03o", b->umask) : NULL, ".umask");
	return 0;
}

int diff_task_fds(struct diff *d, const struct task_pair *p)
{
	if (diff_zombie(d->ca, p->a) || diff_zombie(d->cb, p->b))
		return 0;
	if (dskip(d, CRIMG_DIFF_FD) && dskip(d, CRIMG_DIFF_SOCKET))
		return 0;
	struct crimg_error ea, eb;
	crimg_error_clear(&ea);
	crimg_error_clear(&eb);
	const struct crimg_fdtable *fa = crimg_task_fds(d->ca, p->a, &ea);
	const struct crimg_fdtable *fb = crimg_task_fds(d->cb, p->b, &eb);
	if (!fa || !fb)
		return diff_failed(d, fa, &ea, fb, &eb);
	const struct crimg_fd **va = sorted_fds(fa), **vb = sorted_fds(fb);
	if (!va || !vb) {
		free(va);
		free(vb);
		return crimg_fail(d->err, NULL, -1, -1, "out of memory");
	}
	size_t i = 0, j = 0;
	while ((i < fa->n_fds || j < fb->n_fds) && !diff_done(d)) {
		int c = i == fa->n_fds ? 1 : j == fb->n_fds ? -1 : cmp_fd(&va[i], &vb[j]);
		one_fd(d, c <= 0 ? va[i] : NULL, c >= 0 ? vb[j] : NULL);
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	free(va);
	free(vb);
	if (diff_done(d) || dskip(d, CRIMG_DIFF_FD))
		return 0;
	return diff_fs(d, p);
}

/* ---- the memory map ---- */

static const char *const vma_skip[] = { "start", "shmid", "fd", NULL };
static const char *const vma_moved_skip[] = { "shmid", "fd", NULL };

static char *vma_value(struct diff *d, const struct crimg_task_vma *v)
{
	char perms[5] = { v->prot & 1 ? 'r' : '-', v->prot & 2 ? 'w' : '-', v->prot & 4 ? 'x' : '-',
			  v->flags & 1 ? 's' : 'p', 0 };
	return dv_strf(d, "0x%llx-0x%llx %s%s%s", (unsigned long long)v->start,
		       (unsigned long long)v->end, perms, v->name && *v->name ? " " : "",
		       v->name ? v->name : "");
}

static int vma_pair(struct diff *d, const struct crimg_task_vma *a, const struct crimg_task_vma *b,
		    int moved)
{
	size_t mark = dpath_push(d, ".vma[0x%llx]", (unsigned long long)a->start);
	if (!dskip(d, CRIMG_DIFF_VMA)) {
		dmsg(d, CRIMG_DIFF_VMA, a->msg, b->msg, moved ? vma_moved_skip : vma_skip);
		const char *na = a->name ? a->name : "", *nb = b->name ? b->name : "";
		if (strcmp(na, nb) != 0)
			demit_at(d, CRIMG_DIFF_VMA, CRIMG_DIFF_CHANGED, dv_str(d, na),
				 dv_str(d, nb), ".name");
	}
	dpath_pop(d, mark);
	return diff_done(d);
}

static int overlaps(const struct crimg_task_vma *a, const struct crimg_task_vma *b)
{
	return a->start < b->end && b->start < a->end;
}

static int same_name(const struct crimg_task_vma *a, const struct crimg_task_vma *b)
{
	return strcmp(a->name ? a->name : "", b->name ? b->name : "") == 0;
}

static const char *const mm_skip[] = { "vmas", "exe_file_id", NULL };

int diff_task_vmas(struct diff *d, const struct task_pair *p)
{
	if (diff_zombie(d->ca, p->a) || diff_zombie(d->cb, p->b) || dskip(d, CRIMG_DIFF_VMA))
		return 0;
	struct crimg_error ea, eb;
	crimg_error_clear(&ea);
	crimg_error_clear(&eb);
	const struct crimg_task_mm *a = crimg_task_mm(d->ca, p->a, &ea);
	const struct crimg_task_mm *b = crimg_task_mm(d->cb, p->b, &eb);
	if (!a || !b)
		return diff_failed(d, a, &ea, b, &eb);
	size_t mark = dpath_push(d, ".mm");
	dmsg(d, CRIMG_DIFF_VMA, a->msg, b->msg, mm_skip);
	const char *xa = file_path(a->exe), *xb = file_path(b->exe);
	if (strcmp(xa, xb) != 0)
		demit_at(d, CRIMG_DIFF_VMA, CRIMG_DIFF_CHANGED, dv_str(d, xa), dv_str(d, xb),
			 ".exe");
	dpath_pop(d, mark);

	/* pairs: same start first; then, of the rest, one that overlaps and
	 * maps the same thing (a VMA that moved or grew downwards) */
	int *ma = calloc(a->n_vmas + 1, sizeof(int)), *mb = calloc(b->n_vmas + 1, sizeof(int));
	if (!ma || !mb) {
		free(ma);
		free(mb);
		return crimg_fail(d->err, NULL, -1, -1, "out of memory");
	}
	for (size_t i = 0, j = 0; i < a->n_vmas && j < b->n_vmas;) {
		if (a->vmas[i].start == b->vmas[j].start) {
			ma[i] = (int)j + 1;
			mb[j] = (int)i + 1;
			i++;
			j++;
		} else if (a->vmas[i].start < b->vmas[j].start) {
			i++;
		} else {
			j++;
		}
	}
	for (size_t i = 0; i < a->n_vmas; i++)
		for (size_t j = 0; j < b->n_vmas && !ma[i]; j++)
			if (!mb[j] && overlaps(&a->vmas[i], &b->vmas[j]) &&
			    same_name(&a->vmas[i], &b->vmas[j])) {
				ma[i] = (int)j + 1;
				mb[j] = (int)i + 1;
			}
	/* in address order, A's start first */
	size_t i = 0, j = 0;
	while ((i < a->n_vmas || j < b->n_vmas) && !diff_done(d)) {
		if (i < a->n_vmas && ma[i]) {
			const struct crimg_task_vma *x = &a->vmas[i], *y = &b->vmas[ma[i] - 1];
			vma_pair(d, x, y, x->start != y->start);
			i++;
			continue;
		}
		if (j < b->n_vmas && mb[j]) {
			j++;
			continue;
		}
		int take_a = i < a->n_vmas &&
			(j == b->n_vmas || a->vmas[i].start <= b->vmas[j].start);
		const struct crimg_task_vma *v = take_a ? &a->vmas[i++] : &b->vmas[j++];
		demit_at(d, CRIMG_DIFF_VMA, take_a ? CRIMG_DIFF_REMOVED : CRIMG_DIFF_ADDED,
			 take_a ? vma_value(d, v) : NULL, take_a ? NULL : vma_value(d, v),
			 ".vma[0x%llx]", (unsigned long long)v->start);
	}
	free(ma);
	free(mb);
	return 0;
}
