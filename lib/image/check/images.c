/*
 * Part 1: the checkpoint on its own.  Every image the inventory and the
 * process tree imply is there (per task: a core per thread, ids, mm,
 * pagemap, fs, the fd table of its files_id; a zombie has only its core);
 * the ids one image gives resolve in another (fds and mm to files, fs to
 * its cwd and root, unix sockets to their peers, ptys to their other ends,
 * namespaces to their images, cgroup sets to cgroup.img); pagemaps agree
 * with their pages files; an incremental dump's parent is there; deleted
 * files have their contents.  A damaged image is a finding with the
 * library's error (file, offset, entry), and the check carries on.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check/check_int.h"
#include "check/images_int.h"

/* ---- helpers shared with the log part ---- */

int check_msg_u64(const ProtobufCMessage *m, const char *name, uint64_t *v)
{
	if (!m || !m->descriptor)
		return -1;
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
	if (!f || f->label == PROTOBUF_C_LABEL_REPEATED)
		return -1;
	const char *base = (const char *)m;
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
	    f->type != PROTOBUF_C_TYPE_MESSAGE && f->type != PROTOBUF_C_TYPE_STRING &&
	    f->type != PROTOBUF_C_TYPE_BYTES) {
		protobuf_c_boolean has;
		memcpy(&has, base + f->quantifier_offset, sizeof(has));
		if (!has)
			return -1;
	}
	const void *p = base + f->offset;
	switch (f->type) {
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_ENUM:
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32: {
		uint32_t x;
		memcpy(&x, p, sizeof(x));
		*v = x;
		return 0;
	}
	case PROTOBUF_C_TYPE_BOOL: {
		protobuf_c_boolean x;
		memcpy(&x, p, sizeof(x));
		*v = x ? 1 : 0;
		return 0;
	}
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64: {
		uint64_t x;
		memcpy(&x, p, sizeof(x));
		*v = x;
		return 0;
	}
	default:
		return -1;
	}
}

int64_t check_entry_by_id(struct crimg_ckpt *c, const char *image, uint32_t id)
{
	struct crimg_error e;
	crimg_error_clear(&e);
	const struct crimg_entries *es = crimg_ckpt_entries(c, image, &e);
	for (size_t i = 0; es && i < es->n; i++) {
		uint64_t v;
		if (!check_msg_u64(es->msgs[i], "id", &v) && v == id)
			return (int64_t)i;
	}
	return -1;
}

unsigned check_page_size(struct crimg_ckpt *c)
{
	struct crimg_error e;
	crimg_error_clear(&e);
	const struct crimg_tree *t = crimg_ckpt_tree(c, &e);
	if (t && t->n_tasks) {
		const struct crimg_task_core *core = crimg_task_core(c, &t->tasks[0], &e);
		if (core && core->arch && strstr(core->arch, "ppc64"))
			return 65536;
	}
	return 4096;
}

int check_pagemap_pages(struct crimg_ckpt *c, const char *pagemap, unsigned page_size,
			struct check_pages *out)
{
	struct crimg_error e;
	char pname[64];
	crimg_error_clear(&e);
	memset(out, 0, sizeof(*out));
	const struct crimg_entries *es = crimg_ckpt_entries(c, pagemap, &e);
	if (!es || !es->n)
		return -1;
	uint64_t v;
	if (check_msg_u64(es->msgs[0], "pages_id", &v))
		return -1;
	out->pages_id = (uint32_t)v;
	snprintf(pname, sizeof(pname), "pages-%" PRIu32 ".img", out->pages_id);
	out->have = crimg_ckpt_data_size(c, pname);
	for (size_t i = 1; i < es->n; i++) {
		uint64_t np = 0, fl = 0;
		if (check_msg_u64(es->msgs[i], "nr_pages", &np) || !np)
			check_msg_u64(es->msgs[i], "compat_nr_pages", &np);
		if (check_msg_u64(es->msgs[i], "flags", &fl)) {
			uint64_t ip = 0;
			check_msg_u64(es->msgs[i], "in_parent", &ip);
			fl = ip ? CRIMG_PE_PARENT : CRIMG_PE_PRESENT;
		}
		if (fl & CRIMG_PE_PARENT)
			out->in_parent = 1;
		if (!(fl & CRIMG_PE_PRESENT) || !np)
			continue;
		if (np > (UINT64_MAX - out->need) / page_size) {
			out->need = UINT64_MAX;
			out->last_entry = i;
			break;
		}
		out->need += np * page_size;
		if (out->have >= 0 && out->need > (uint64_t)out->have && !out->last_entry)
			out->last_entry = i;
	}
	return 0;
}

/* ---- the check's state ---- */

struct ictx {
	struct crimg_check *k;
	struct crimg_ckpt *c;
	unsigned page_size;
	char **seen; /* images already reported (missing or damaged) */
	size_t n_seen, cap_seen;
	uint32_t *fids; /* files_ids whose fd table was checked */
	size_t n_fids, cap_fids;
	int oom;
	int has_parent_pages;
};

/* 1 when name was reported before; records it otherwise. */
static int seen(struct ictx *x, const char *name)
{
	for (size_t i = 0; i < x->n_seen; i++)
		if (!strcmp(x->seen[i], name))
			return 1;
	if (x->n_seen == x->cap_seen) {
		size_t cap = x->cap_seen ? x->cap_seen * 2 : 16;
		char **n = realloc(x->seen, cap * sizeof(*n));
		if (!n) {
			x->oom = 1;
			return 1;
		}
		x->seen = n;
		x->cap_seen = cap;
	}
	char *d = strdup(name);
	if (!d) {
		x->oom = 1;
		return 1;
	}
	x->seen[x->n_seen++] = d;
	return 0;
}

static void add(struct ictx *x, enum check_reason_id r, int sev, const char *image, int64_t entry,
		const char *field, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

static void add(struct ictx *x, enum check_reason_id r, int sev, const char *image, int64_t entry,
		const char *field, const char *value, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct check_evidence ev = {
		.image = image, .entry = entry, .field = field, .value = value
	};
	if (check_add(x->k, r, sev, &ev, "%s", msg) < 0)
		x->oom = 1;
}

/* An image that must be there: a finding when it is not. */
static int need(struct ictx *x, const char *name, const char *why)
{
	if (crimg_ckpt_has(x->c, name))
		return 1;
	if (!seen(x, name))
		add(x, R_IMAGE_MISSING, -1, name, -1, "", "", "%s is missing (%s)", name, why);
	return 0;
}

/* A call of the model failed on an image that is there: damaged. */
static void damaged(struct ictx *x, const struct crimg_error *e, const char *fallback)
{
	char buf[1100];
	const char *img = *e->file ? e->file : fallback;
	/* the error names a path: keep its last component as the image */
	const char *slash = strrchr(img, '/');
	if (slash && slash[1])
		img = slash + 1;
	if (seen(x, img))
		return;
	add(x, R_IMAGE_DAMAGED, -1, img, e->entry, "", "", "%s",
	    crimg_error_str(e, buf, sizeof(buf)));
}

/* ---- pages ---- */

static void check_pages(struct ictx *x, const char *pm, const char *owner)
{
	struct check_pages cp;
	char pname[64];
	if (check_pagemap_pages(x->c, pm, x->page_size, &cp) < 0) {
		struct crimg_error e;
		crimg_error_clear(&e);
		if (!crimg_ckpt_entries(x->c, pm, &e))
			damaged(x, &e, pm);
		return;
	}
	if (cp.in_parent)
		x->has_parent_pages = 1;
	snprintf(pname, sizeof(pname), "pages-%" PRIu32 ".img", cp.pages_id);
	if (cp.have < 0) {
		if (cp.need && !seen(x, pname))
			add(x, R_IMAGE_MISSING, -1, pname, -1, "", "",
			    "%s is missing: %s (%s) keeps %" PRIu64 " bytes of memory in it", pname,
			    pm, owner, cp.need);
		return;
	}
	if (cp.need > (uint64_t)cp.have) {
		char need_s[32], have_s[32];
		snprintf(need_s, sizeof(need_s), "%" PRIu64, cp.need);
		snprintf(have_s, sizeof(have_s), "%" PRId64, cp.have);
		struct check_evidence ev = { .image = pm,
					     .entry = (int64_t)cp.last_entry,
					     .field = "nr_pages",
					     .value = need_s,
					     .host = "" };
		if (check_add(x->k, R_PAGES_SHORT, -1, &ev,
			      "%s (%s) needs %" PRIu64 " bytes of %s, which holds %" PRId64
			      " (%" PRId64 " pages short, from entry %zu on)",
			      pm, owner, cp.need, pname, cp.have,
			      (int64_t)((cp.need - (uint64_t)cp.have + x->page_size - 1) /
					x->page_size),
			      cp.last_entry) < 0)
			x->oom = 1;
		(void)have_s;
	}
}

/* ---- per task ---- */

static int fid_seen(struct ictx *x, uint32_t fid)
{
	for (size_t i = 0; i < x->n_fids; i++)
		if (x->fids[i] == fid)
			return 1;
	if (x->n_fids == x->cap_fids) {
		size_t cap = x->cap_fids ? x->cap_fids * 2 : 16;
		uint32_t *n = realloc(x->fids, cap * sizeof(*n));
		if (!n) {
			x->oom = 1;
			return 1;
		}
		x->fids = n;
		x->cap_fids = cap;
	}
	x->fids[x->n_fids++] = fid;
	return 0;
}

static void check_fds(struct ictx *x, const struct crimg_task *t, const struct crimg_task_ids *ids)
{
	char name[64], field[48], val[32];
	struct crimg_error e;
	if (fid_seen(x, ids->files_id))
		return;
	snprintf(name, sizeof(name), "fdinfo-%" PRIu32 ".img", ids->files_id);
	if (!need(x, name, "the descriptors of the tasks of this files_id; CRIU 4.2 ends in a BUG"))
		return;
	crimg_error_clear(&e);
	const struct crimg_fdtable *ft = crimg_task_fds(x->c, t, &e);
	if (!ft) {
		damaged(x, &e, name);
		return;
	}
	for (size_t i = 0; i < ft->n_fds; i++) {
		const struct crimg_fd *fd = &ft->fds[i];
		if (fd->file)
			continue;
		snprintf(field, sizeof(field), "id");
		snprintf(val, sizeof(val), "0x%" PRIx32, fd->id);
		add(x, R_ID_UNRESOLVED, -1, name, (int64_t)i, field, val,
		    "fd %" PRIu32 " of task %" PRIu32 " (%s) names file id 0x%" PRIx32
		    ", which no file image holds",
		    fd->fd, t->pid,
		    crimg_fd_type_name(fd->type) ? crimg_fd_type_name(fd->type) : "?", fd->id);
	}
}

static void check_mm(struct ictx *x, const struct crimg_task *t)
{
	char name[64], val[32], field[48];
	struct crimg_error e;
	snprintf(name, sizeof(name), "mm-%" PRIu32 ".img", t->pid);
	if (!need(x, name, "the task's memory map"))
		return;
	crimg_error_clear(&e);
	const struct crimg_task_mm *mm = crimg_task_mm(x->c, t, &e);
	if (!mm) {
		damaged(x, &e, name);
		return;
	}
	if (mm->exe_file_id && !mm->exe) {
		snprintf(val, sizeof(val), "%" PRIu32, mm->exe_file_id);
		add(x, R_ID_UNRESOLVED, -1, name, 0, "exe_file_id", val,
		    "task %" PRIu32 ": the executable's file id %" PRIu32 " names no file", t->pid,
		    mm->exe_file_id);
	}
	for (size_t i = 0; i < mm->n_vmas; i++) {
		const struct crimg_task_vma *v = &mm->vmas[i];
		if ((v->kind != CRIMG_VMA_KIND_FILE && v->kind != CRIMG_VMA_KIND_MEMFD) || v->file)
			continue;
		snprintf(field, sizeof(field), "vmas[%zu].shmid", i);
		snprintf(val, sizeof(val), "%" PRIu64, v->shmid);
		add(x, R_ID_UNRESOLVED, -1, name, 0, field, val,
		    "task %" PRIu32 ": the file mapping at 0x%" PRIx64 "-0x%" PRIx64
		    " names file id %" PRIu64 ", which no file image holds",
		    t->pid, v->start, v->end, v->shmid);
	}
}

static void check_fs(struct ictx *x, const struct crimg_task *t)
{
	char name[64], val[32];
	struct crimg_error e;
	snprintf(name, sizeof(name), "fs-%" PRIu32 ".img", t->pid);
	if (!need(x, name, "the task's cwd, root and umask"))
		return;
	crimg_error_clear(&e);
	const struct crimg_task_fs *fs = crimg_task_fs(x->c, t, &e);
	if (!fs) {
		damaged(x, &e, name);
		return;
	}
	if (!fs->cwd) {
		snprintf(val, sizeof(val), "%" PRIu32, fs->cwd_id);
		add(x, R_ID_UNRESOLVED, -1, name, 0, "cwd_id", val,
		    "task %" PRIu32 ": its cwd, file id %" PRIu32 ", names no file", t->pid,
		    fs->cwd_id);
	}
	if (!fs->root) {
		snprintf(val, sizeof(val), "%" PRIu32, fs->root_id);
		add(x, R_ID_UNRESOLVED, -1, name, 0, "root_id", val,
		    "task %" PRIu32 ": its root, file id %" PRIu32 ", names no file", t->pid,
		    fs->root_id);
	}
}

/* Namespaces the tree holds apart from its root task's need their images. */
static void check_ns(struct ictx *x, const struct crimg_task *t, const struct crimg_namespace *root)
{
	struct crimg_namespace ns[8];
	struct crimg_error e;
	char val[32], img[64];
	crimg_error_clear(&e);
	if (crimg_task_namespaces(x->c, t, ns, &e) < 0)
		return;
	for (size_t i = 0; i < 8; i++) {
		const char *kind = ns[i].kind ? ns[i].kind : "";
		/* images exist for these kinds only */
		if (strcmp(kind, "net") && strcmp(kind, "mnt") && strcmp(kind, "uts") &&
		    strcmp(kind, "ipc"))
			continue;
		if (!ns[i].id || ns[i].image || ns[i].id == root[i].id)
			continue;
		snprintf(img, sizeof(img), "%s-ns %" PRIu32, kind, ns[i].id);
		if (seen(x, img))
			continue;
		snprintf(val, sizeof(val), "%" PRIu32, ns[i].id);
		char field[32];
		snprintf(field, sizeof(field), "%s_ns_id", kind);
		char ids[64];
		snprintf(ids, sizeof(ids), "ids-%" PRIu32 ".img", t->pid);
		add(x, R_ID_UNRESOLVED, -1, ids, 0, field, val,
		    "task %" PRIu32 " is in %s namespace %" PRIu32
		    " (not its tree root's), which no image describes",
		    t->pid, kind, ns[i].id);
	}
}

static void check_task(struct ictx *x, const struct crimg_task *t,
		       const struct crimg_namespace *root_ns, const struct crimg_cgroups *cg)
{
	char name[64];
	struct crimg_error e;
	snprintf(name, sizeof(name), "core-%" PRIu32 ".img", t->pid);
	if (!need(x, name, "the task's state and registers"))
		return;
	crimg_error_clear(&e);
	const struct crimg_task_brief *b = crimg_task_brief(x->c, t, &e);
	if (!b) {
		damaged(x, &e, name);
		return;
	}
	int missing_thread = 0;
	for (size_t i = 1; i < t->n_threads; i++) {
		snprintf(name, sizeof(name), "core-%" PRIu32 ".img", t->threads[i]);
		if (!need(x, name, "a thread's registers"))
			missing_thread = 1;
	}
	if (!missing_thread && t->n_threads > 1) {
		size_t n;
		crimg_error_clear(&e);
		if (!crimg_task_threads(x->c, t, &n, &e))
			damaged(x, &e, name);
	}
	if (b->state == CRIMG_TASK_DEAD || b->state == CRIMG_TASK_ZOMBIE)
		return; /* a zombie has its core only */
	crimg_error_clear(&e);
	const struct crimg_task_core *core = crimg_task_core(x->c, t, &e);
	if (!core)
		damaged(x, &e, name);
	crimg_error_clear(&e);
	const struct crimg_task_ids *ids = crimg_task_ids(x->c, t, &e);
	snprintf(name, sizeof(name), "ids-%" PRIu32 ".img", t->pid);
	if (!ids) {
		if (!crimg_ckpt_has(x->c, name)) {
			if (!seen(x, name))
				add(x, R_IMAGE_MISSING, -1, name, -1, "", "",
				    "%s is missing (the task's files, memory and namespace ids)",
				    name);
		} else {
			damaged(x, &e, name);
		}
	}
	check_mm(x, t);
	snprintf(name, sizeof(name), "pagemap-%" PRIu32 ".img", t->pid);
	if (need(x, name,
		 "which pages of the task's memory are saved; CRIU 4.2 logs only an info line and "
		 "the task exits")) {
		char owner[64];
		snprintf(owner, sizeof(owner), "task %" PRIu32, t->pid);
		check_pages(x, name, owner);
	}
	check_fs(x, t);
	if (ids) {
		check_fds(x, t, ids);
		check_ns(x, t, root_ns);
	}
	if (core && core->cg_set && cg && !crimg_cgroups_find_set(cg, core->cg_set)) {
		char val[32];
		snprintf(val, sizeof(val), "%" PRIu32, core->cg_set);
		snprintf(name, sizeof(name), "core-%" PRIu32 ".img", t->pid);
		add(x, R_ID_UNRESOLVED, -1, name, 0, "tc.cg_set", val,
		    "task %" PRIu32 " is in cgroup set %" PRIu32 ", which cgroup.img does not hold",
		    t->pid, core->cg_set);
	}
}

/* ---- files ---- */

static void check_files(struct ictx *x)
{
	const struct crimg_file *const *fs;
	size_t n;
	struct crimg_error e;
	crimg_error_clear(&e);
	if (crimg_ckpt_files(x->c, &fs, &n, &e) < 0) {
		damaged(x, &e, "files.img");
		return;
	}
	const char *fimg = crimg_ckpt_has(x->c, "files.img") ? "files.img" : "";
	for (size_t i = 0; i < n; i++) {
		const struct crimg_file *f = fs[i];
		char val[64];
		if (f->type == CRIMG_FD_REG && f->u.reg.remap == CRIMG_REMAP_GHOST &&
		    !f->u.reg.has_ghost) {
			char g[64];
			snprintf(g, sizeof(g), "ghost-file-%" PRIu32 ".img", f->u.reg.remap_id);
			snprintf(val, sizeof(val), "%" PRIu32, f->u.reg.remap_id);
			add(x, R_GHOST_INCOMPLETE, -1,
			    crimg_ckpt_has(x->c, g) ? g : "remap-fpath.img", -1, "remap_id", val,
			    "%s was deleted before the dump and its contents, %s, %s",
			    f->path ? f->path : "a file", g,
			    crimg_ckpt_has(x->c, g) ? "cannot be read" : "are missing");
		}
		if (f->type == CRIMG_FD_UNIXSK && f->u.usk.peer_ino && !f->u.usk.peer) {
			snprintf(val, sizeof(val), "%" PRIu32, f->u.usk.peer_ino);
			add(x, R_UNIX_PEER_EXTERNAL, -1, fimg,
			    check_entry_by_id(x->c, "files.img", f->id), "usk.peer", val,
			    "unix socket id %" PRIu32 " (ino %" PRIu32
			    ") is connected to ino %" PRIu32
			    ", which is not in the checkpoint and not recorded as external",
			    f->id, f->u.usk.ino, f->u.usk.peer_ino);
		}
	}
	/* ptys: a slave (/dev/pts/N) needs its master (ptmx) with index N */
	for (size_t i = 0; i < n; i++) {
		const struct crimg_file *f = fs[i];
		if (f->type != CRIMG_FD_TTY || f->u.tty.tty_type != 1 || !f->u.tty.has_index)
			continue;
		unsigned major = f->u.tty.rdev >> 20;
		if (major < 136 || major > 143)
			continue; /* not a slave */
		int master = 0;
		for (size_t j = 0; j < n && !master; j++) {
			const struct crimg_file *g = fs[j];
			if (g->type == CRIMG_FD_TTY && g->u.tty.tty_type == 1 &&
			    g->u.tty.has_index && g->u.tty.index == f->u.tty.index &&
			    (g->u.tty.rdev >> 20) == 5)
				master = 1;
		}
		if (master)
			continue;
		char val[32];
		snprintf(val, sizeof(val), "%" PRIu32, f->u.tty.index);
		add(x, R_TTY_UNPAIRED, CRIMG_CHECK_MAY_FAIL, fimg,
		    check_entry_by_id(x->c, "files.img", f->id), "tty.index", val,
		    "pty slave %s (id %" PRIu32 ") has no master in the checkpoint: a terminal "
		    "outside the tree (restore with --shell-job from a terminal)",
		    f->path ? f->path : "/dev/pts/?", f->id);
	}
}

/* ---- every other image: readable? ---- */

static void sweep(struct ictx *x)
{
	const char *const *names;
	size_t n = crimg_ckpt_images(x->c, &names);
	for (size_t i = 0; i < n; i++) {
		const struct crimg_kind *kd = crimg_kind_by_path(names[i]);
		if (!kd || kd->layout == CRIMG_LAYOUT_RAW || kd->layout == CRIMG_LAYOUT_GHOST)
			continue;
		if (x->oom)
			return;
		struct crimg_error e;
		crimg_error_clear(&e);
		if (!crimg_ckpt_entries(x->c, names[i], &e))
			damaged(x, &e, names[i]);
	}
}

/* pagemaps the tree does not name (a pre-dump's, shared memory's) */
static void other_pagemaps(struct ictx *x, int predump)
{
	const char *const *names;
	size_t n = crimg_ckpt_images(x->c, &names);
	for (size_t i = 0; i < n; i++) {
		unsigned id;
		char tail[8];
		if (sscanf(names[i], "pagemap-shmem-%u.im%1s", &id, tail) == 2) {
			char owner[64];
			snprintf(owner, sizeof(owner), "shared memory %u", id);
			check_pages(x, names[i], owner);
		} else if (predump && sscanf(names[i], "pagemap-%u.im%1s", &id, tail) == 2) {
			char owner[64];
			snprintf(owner, sizeof(owner), "pre-dump of task %u", id);
			check_pages(x, names[i], owner);
		}
	}
}

static void check_parent(struct ictx *x)
{
	struct crimg_error e;
	crimg_error_clear(&e);
	int has_link = crimg_ckpt_has(x->c, "parent");
	struct crimg_ckpt *p = crimg_ckpt_parent(x->c, &e);
	if (p)
		return;
	if (*e.msg) {
		char buf[1100];
		add(x, R_PARENT_MISSING, -1, "parent", -1, "", "",
		    "pages are kept in the parent dump, which cannot be opened: %s",
		    crimg_error_str(&e, buf, sizeof(buf)));
	} else if (x->has_parent_pages || has_link) {
		add(x, R_PARENT_MISSING, -1, "parent", -1, "", "",
		    "pagemap entries say their pages are in the parent dump, and there is no parent "
		    "link beside the images");
	}
}

int crimg_check_images(struct crimg_check *k, struct crimg_ckpt *c, struct crimg_error *err)
{
	struct ictx x = { .k = k, .c = c };
	struct crimg_error e;
	if (!k || !c)
		return 0;
	x.page_size = check_page_size(c);
	int predump = crimg_ckpt_is_predump(c);
	crimg_error_clear(&e);
	if (!crimg_ckpt_inventory(c, &e)) {
		if (!crimg_ckpt_has(c, "inventory.img")) {
			if (!seen(&x, "inventory.img"))
				add(&x, R_IMAGE_MISSING, -1, "inventory.img", -1, "", "",
				    "inventory.img is missing (CRIU reads it first)");
		} else {
			damaged(&x, &e, "inventory.img");
		}
	}
	if (!predump) {
		crimg_error_clear(&e);
		const struct crimg_tree *t = crimg_ckpt_tree(c, &e);
		if (!t) {
			if (!crimg_ckpt_has(c, "pstree.img")) {
				if (!seen(&x, "pstree.img"))
					add(&x, R_IMAGE_MISSING, -1, "pstree.img", -1, "", "",
					    "pstree.img is missing (the process tree)");
			} else {
				damaged(&x, &e, "pstree.img");
			}
		} else {
			struct crimg_namespace root_ns[8];
			memset(root_ns, 0, sizeof(root_ns));
			if (t->n_roots) {
				crimg_error_clear(&e);
				if (crimg_task_namespaces(c, t->roots[0], root_ns, &e) < 0)
					memset(root_ns, 0, sizeof(root_ns));
			}
			const struct crimg_cgroups *cg = NULL;
			if (crimg_ckpt_has(c, "cgroup.img")) {
				crimg_error_clear(&e);
				cg = crimg_ckpt_cgroups(c, &e);
				if (!cg)
					damaged(&x, &e, "cgroup.img");
			}
			for (size_t i = 0; i < t->n_tasks && !x.oom; i++)
				check_task(&x, &t->tasks[i], root_ns, cg);
			if (!x.oom)
				check_files(&x);
		}
	}
	if (!x.oom)
		other_pagemaps(&x, predump);
	if (!x.oom)
		check_parent(&x);
	if (!x.oom)
		sweep(&x);
	for (size_t i = 0; i < x.n_seen; i++)
		free(x.seen[i]);
	free(x.seen);
	free(x.fids);
	if (x.oom) {
		if (err) {
			crimg_error_clear(err);
			snprintf(err->msg, sizeof(err->msg), "out of memory");
		}
		return -1;
	}
	return 0;
}
