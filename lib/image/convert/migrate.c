/*
 * crimg_migrate_dir(): a checkpoint of a program built to move, rewritten
 * for the other architecture (x86_64 <-> aarch64).
 *
 * The images the move touches are read whole into messages (they are
 * small: one process of one thread), checked against the contract, then
 * changed and written again by the one image writer, each to a temporary
 * file renamed over the image, so a hard-linked staging copy never changes
 * the files it was linked from.  Nothing is written until every check has
 * passed: a refused checkpoint leaves the tree as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <protobuf-c/protobuf-c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert/migrate_int.h"

#include "core-aarch64.pb-c.h"
#include "core-x86.pb-c.h"
#include "core.pb-c.h"
#include "fdinfo.pb-c.h"
#include "mm.pb-c.h"
#include "pagemap.pb-c.h"
#include "pstree.pb-c.h"
#include "regfile.pb-c.h"
#include "rseq.pb-c.h"
#include "sa.pb-c.h"
#include "vma.pb-c.h"

#define PAGE 4096u
#define PE_PARENT (1u << 0)
#define PE_PRESENT (1u << 2)
#define AUXV_MAX_AARCH64 40 /* values CRIU on aarch64 reads ("Image corrupted" past it) */

/* An image read whole: its messages, owned (malloc'd by protobuf-c). */
struct mig_image {
	char name[64];
	char path[4200];
	const struct crimg_kind *kind;
	enum crimg_byte_order bo;
	ProtobufCMessage **msgs;
	size_t n;
};

struct mig {
	const struct crimg_migrate_opts *o;
	const struct crimg_limits *lim;
	crimg_migrate_note_fn *note;
	void *arg;
	struct crimg_error *err;
	char dir[4096];
	int refused;
	struct mig_image pstree, core, mm, files, pagemap;
	char pages_name[64];
	const char *src_arch, *dst_arch;
	unsigned dst_mtype;
	struct mig_elf src, dst;
	RegFileEntry *exe;
	char point[128];
	uint64_t pc, sp, fp;
	VmaEntry *stack;
	uint64_t mapped_pages; /* of the source's mappings: no page run is longer */
	struct mig_frame frame;
};

static void say(struct mig *m, const char *image, const char *fmt, ...) CRIMG_PRINTF(3, 4);
static void say(struct mig *m, const char *image, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (m->note)
		m->note(m->arg, image, buf);
}

/* Outside the contract: noted, the first one into err; the checks go on
 * so that one run lists every reason. */
static void refuse(struct mig *m, const char *image, const char *fmt, ...) CRIMG_PRINTF(3, 4);
static void refuse(struct mig *m, const char *image, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!m->refused++ && m->err) {
		char path[4200];
		if (strchr(image, '/'))
			snprintf(path, sizeof(path), "%s", image);
		else
			snprintf(path, sizeof(path), "%s/%s", m->dir, image);
		crimg_fail(m->err, path, -1, -1, "outside the contract of --to-arch: %s", buf);
	}
	if (m->note) {
		char line[1100];
		snprintf(line, sizeof(line), "refused: %s", buf);
		m->note(m->arg, image, line);
	}
}

static void image_free(struct mig_image *im)
{
	for (size_t i = 0; i < im->n; i++)
		protobuf_c_message_free_unpacked(im->msgs[i], NULL);
	free(im->msgs);
	im->msgs = NULL;
	im->n = 0;
}

/* A copy of m owned by the caller (the reader's is gone at its next entry). */
static ProtobufCMessage *clone(const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf)
		return NULL;
	protobuf_c_message_pack(m, buf);
	ProtobufCMessage *c = protobuf_c_message_unpack(m->descriptor, NULL, n, buf);
	free(buf);
	return c;
}

static int load(struct mig *m, const char *name, struct mig_image *im)
{
	snprintf(im->name, sizeof(im->name), "%s", name);
	snprintf(im->path, sizeof(im->path), "%s/%s", m->dir, name);
	int fd = open(im->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return crimg_fail(m->err, im->path, -1, -1, "%s", strerror(errno));
	struct crimg_reader *r = crimg_reader_open(fd, im->path, m->lim, m->err);
	int rc = r ? 0 : -1;
	if (r) {
		im->kind = crimg_reader_kind(r);
		im->bo = crimg_reader_byte_order(r);
	}
	struct crimg_entry e;
	size_t cap = 0;
	while (rc == 0) {
		int k = crimg_reader_next(r, &e, m->err);
		if (k <= 0) {
			rc = k;
			break;
		}
		if (e.has_extra || !e.msg) {
			rc = crimg_fail(m->err, im->path, (int64_t)e.offset, (int64_t)e.index,
					"an entry with a payload: not an image this move rewrites");
			break;
		}
		if (im->n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			void *p = realloc(im->msgs, nc * sizeof(*im->msgs));
			if (!p) {
				rc = crimg_fail(m->err, im->path, -1, -1, "out of memory");
				break;
			}
			im->msgs = p;
			cap = nc;
		}
		if (!(im->msgs[im->n] = clone(e.msg))) {
			rc = crimg_fail(m->err, im->path, -1, -1, "out of memory");
			break;
		}
		im->n++;
	}
	crimg_reader_close(r);
	close(fd);
	return rc;
}

/* Writes im's messages to a temporary file renamed over the image. */
static int store(struct mig *m, const struct mig_image *im)
{
	struct crimg_outfile *f = crimg_outfile_open(im->path, CRIMG_OUTFILE_NOFOLLOW, m->err);
	if (!f)
		return -1;
	int src = open(im->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int rc = src < 0 ? crimg_fail(m->err, im->path, -1, -1, "%s", strerror(errno))
			 : crimg_outfile_copy_attrs(f, src, m->err);
	if (src >= 0)
		close(src);
	struct crimg_writer *w = NULL;
	if (rc == 0 &&
	    !(w = crimg_writer_new(crimg_outfile_fd(f), im->path, im->kind, im->bo, m->err)))
		rc = -1;
	for (size_t i = 0; rc == 0 && i < im->n; i++)
		rc = crimg_writer_message(w, im->msgs[i], m->err);
	if (rc == 0)
		rc = crimg_writer_finish(w, m->err);
	crimg_writer_free(w);
	if (rc < 0) {
		crimg_outfile_abort(f);
		return -1;
	}
	return crimg_outfile_commit(f, m->err);
}

static const char *images_dir(const char *tree, char *buf, size_t n)
{
	struct stat st;
	snprintf(buf, n, "%s/inventory.img", tree);
	if (stat(buf, &st) == 0) {
		snprintf(buf, n, "%s", tree);
		return buf;
	}
	snprintf(buf, n, "%s/checkpoint", tree);
	return buf;
}

/* ---- reading and the contract ---- */

static int read_images(struct mig *m)
{
	char name[64];
	if (load(m, "pstree.img", &m->pstree) < 0)
		return -1;
	if (m->pstree.n != 1) {
		refuse(m, "pstree.img", "%zu processes: the move takes one process", m->pstree.n);
		return 0;
	}
	const PstreeEntry *p = (const PstreeEntry *)m->pstree.msgs[0];
	if (p->n_threads != 1)
		refuse(m, "pstree.img", "pid %u has %zu threads: the move takes one thread", p->pid,
		       p->n_threads);
	snprintf(name, sizeof(name), "core-%u.img", p->pid);
	if (load(m, name, &m->core) < 0)
		return -1;
	snprintf(name, sizeof(name), "mm-%u.img", p->pid);
	if (load(m, name, &m->mm) < 0)
		return -1;
	snprintf(name, sizeof(name), "pagemap-%u.img", p->pid);
	if (load(m, name, &m->pagemap) < 0 || load(m, "files.img", &m->files) < 0)
		return -1;
	if (m->core.n != 1 || m->mm.n != 1 || m->pagemap.n < 1)
		return crimg_fail(m->err, m->core.n != 1 ? m->core.path : m->mm.path, -1, -1,
				  "expected one entry");
	const PagemapHead *h = (const PagemapHead *)m->pagemap.msgs[0];
	if (h->base.descriptor != &pagemap_head__descriptor)
		return crimg_fail(m->err, m->pagemap.path, -1, 0, "no pagemap head");
	snprintf(m->pages_name, sizeof(m->pages_name), "pages-%u.img", h->pages_id);
	char pl[4200];
	struct stat st;
	snprintf(pl, sizeof(pl), "%s/parent", m->dir);
	if (lstat(pl, &st) == 0)
		refuse(m, "parent",
		       "an incremental dump (a parent link): the move takes a full dump");
	return 0;
}

static void check_core(struct mig *m)
{
	CoreEntry *c = (CoreEntry *)m->core.msgs[0];
	const char *img = m->core.name;
	m->src_arch = crimg_arch_name((unsigned)c->mtype);
	if (c->mtype == CORE_ENTRY__MARCH__X86_64) {
		if (!c->thread_info || !c->thread_info->gpregs) {
			refuse(m, img, "no x86_64 registers (thread_info)");
			return;
		}
		const UserX86RegsEntry *g = c->thread_info->gpregs;
		if (g->has_mode && g->mode != USER_X86_REGS_MODE__NATIVE)
			refuse(m, img, "a 32-bit (compat) task");
		if (g->fs_base || g->gs_base)
			refuse(m, img,
			       "a thread pointer is set (fs_base 0x%llx): the contract has none",
			       (unsigned long long)g->fs_base);
		m->pc = g->ip;
		m->sp = g->sp;
		m->fp = g->bp;
	} else if (c->mtype == CORE_ENTRY__MARCH__AARCH64) {
		if (!c->ti_aarch64 || !c->ti_aarch64->gpregs ||
		    c->ti_aarch64->gpregs->n_regs < 31) {
			refuse(m, img, "no aarch64 registers (ti_aarch64)");
			return;
		}
		if (c->ti_aarch64->tls)
			refuse(m, img,
			       "a thread pointer is set (tpidr_el0 0x%llx): the contract has none",
			       (unsigned long long)c->ti_aarch64->tls);
		m->pc = c->ti_aarch64->gpregs->pc;
		m->sp = c->ti_aarch64->gpregs->sp;
		m->fp = c->ti_aarch64->gpregs->regs[29];
	} else {
		refuse(m, img, "mtype %s: the move takes x86_64 and aarch64 checkpoints",
		       m->src_arch ? m->src_arch : "unknown");
		return;
	}
	if (strcmp(m->src_arch, m->dst_arch) == 0)
		refuse(m, img, "the checkpoint is of %s already", m->src_arch);
	TaskCoreEntry *tc = c->tc;
	for (size_t i = 0; tc && i < tc->n_sigactions; i++)
		if (tc->sigactions[i]->sigaction > 1)
			refuse(m, img, "signal %zu has a handler at 0x%llx: the contract has none",
			       i + 1, (unsigned long long)tc->sigactions[i]->sigaction);
}

static void check_files(struct mig *m)
{
	const MmEntry *mm = (const MmEntry *)m->mm.msgs[0];
	for (size_t i = 0; i < m->files.n; i++) {
		FileEntry *f = (FileEntry *)m->files.msgs[i];
		if (f->id == mm->exe_file_id && f->reg)
			m->exe = f->reg;
	}
	if (!m->exe)
		refuse(m, m->files.name,
		       "no regular file entry %u for the executable (mm's exe_file_id)",
		       mm->exe_file_id);
}

static int read_builds(struct mig *m)
{
	const char *sp = m->o->source_exe ? m->o->source_exe : m->exe->name;
	if (crimg_mig_elf_read(sp, &m->src, m->err) < 0 ||
	    crimg_mig_elf_read(m->o->target_exe, &m->dst, m->err) < 0)
		return -1;
	const char *sa = crimg_mig_machine_arch(m->src.machine);
	const char *da = crimg_mig_machine_arch(m->dst.machine);
	if (!sa || strcmp(sa, m->src_arch) != 0)
		refuse(m, m->src.path, "the source build is for %s, the checkpoint of %s",
		       sa ? sa : "another machine", m->src_arch);
	if (!da || strcmp(da, m->dst_arch) != 0)
		refuse(m, m->dst.path, "the target build is for %s, not %s",
		       da ? da : "another machine", m->dst_arch);
	/* the source build must be the one that ran */
	if (m->exe->n_build_id && m->src.build_id_len) {
		uint32_t w[16] = { 0 };
		memcpy(w, m->src.build_id, m->src.build_id_len);
		size_t nw = (m->src.build_id_len + 3) / 4;
		if (nw != m->exe->n_build_id || memcmp(w, m->exe->build_id, nw * 4) != 0)
			refuse(m, m->src.path,
			       "its build id is not the one files.img records for %s: not the build that ran",
			       m->exe->name);
	}
	return 0;
}

static int is_exe_vma(const struct mig *m, const VmaEntry *v)
{
	return (v->status & CRIMG_VMA_STATUS_FILE_PRIVATE) && m->exe && v->shmid == m->exe->id;
}

static int is_kernel_vma(const VmaEntry *v)
{
	return v->status &
		(CRIMG_VMA_STATUS_AREA_VDSO | CRIMG_VMA_STATUS_AREA_VVAR |
		 CRIMG_VMA_STATUS_AREA_VSYSCALL);
}

static uint64_t floor_page(uint64_t a)
{
	return a & ~(uint64_t)(PAGE - 1);
}
static uint64_t ceil_page(uint64_t a)
{
	return (a + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

static void check_mm(struct mig *m)
{
	MmEntry *mm = (MmEntry *)m->mm.msgs[0];
	const char *img = m->mm.name;
	for (size_t i = 0; i + 1 < mm->n_mm_saved_auxv; i += 2)
		if (mm->mm_saved_auxv[i] == 6 && mm->mm_saved_auxv[i + 1] != PAGE)
			refuse(m, img, "pages of %llu bytes: the move takes 4 KiB pages",
			       (unsigned long long)mm->mm_saved_auxv[i + 1]);
	size_t n_data = 0;
	for (size_t i = 0; i < mm->n_vmas; i++) {
		const VmaEntry *v = mm->vmas[i];
		if (v->end > v->start)
			m->mapped_pages += (v->end - v->start) / PAGE;
		if (is_kernel_vma(v))
			continue;
		if (m->sp >= v->start && m->sp < v->end)
			m->stack = (VmaEntry *)v;
		int file = v->status &
			(CRIMG_VMA_STATUS_FILE_PRIVATE | CRIMG_VMA_STATUS_FILE_SHARED);
		if (file && !is_exe_vma(m, v)) {
			refuse(m, img,
			       "vmas[%zu] 0x%llx-0x%llx maps a file other than the executable: the contract wants a static build",
			       i, (unsigned long long)v->start, (unsigned long long)v->end);
			continue;
		}
		if (!file &&
		    (v->status &
		     ~(CRIMG_VMA_STATUS_AREA_REGULAR | CRIMG_VMA_STATUS_AREA_STACK |
		       CRIMG_VMA_STATUS_AREA_HEAP | CRIMG_VMA_STATUS_ANON_PRIVATE))) {
			refuse(m, img,
			       "vmas[%zu] 0x%llx-0x%llx is shared or special memory (status 0x%x)",
			       i, (unsigned long long)v->start, (unsigned long long)v->end,
			       v->status);
			continue;
		}
		if (!file && (v->prot & 4 /* PROT_EXEC */))
			refuse(m, img,
			       "vmas[%zu] 0x%llx-0x%llx is executable anonymous memory (a JIT's code cannot move)",
			       i, (unsigned long long)v->start, (unsigned long long)v->end);
		if (!is_exe_vma(m, v) || !(v->prot & 2 /* PROT_WRITE */))
			continue;
		/* the data must be where the target build has it */
		n_data++;
		int found = 0;
		for (size_t k = 0; k < m->dst.n_loads; k++) {
			const struct mig_load *l = &m->dst.loads[k];
			if ((l->flags & 2) && floor_page(l->vaddr) == v->start &&
			    ceil_page(l->vaddr + l->filesz) == v->end &&
			    floor_page(l->offset) == v->pgoff)
				found = 1;
		}
		if (!found)
			refuse(m, img,
			       "the data mapping 0x%llx-0x%llx (file offset 0x%llx) is not a writable segment of the target build: the data layouts differ",
			       (unsigned long long)v->start, (unsigned long long)v->end,
			       (unsigned long long)v->pgoff);
	}
	size_t dst_data = 0;
	for (size_t k = 0; k < m->dst.n_loads; k++)
		if ((m->dst.loads[k].flags & 2) && m->dst.loads[k].filesz)
			dst_data++;
	if (dst_data != n_data)
		refuse(m, img,
		       "%zu data mappings of the executable, the target build has %zu writable segments",
		       n_data, dst_data);
	if (!m->stack)
		refuse(m, img, "the stack pointer 0x%llx is in no mapping",
		       (unsigned long long)m->sp);
}

static void check_point(struct mig *m)
{
	if (!crimg_mig_elf_point(&m->src, m->pc, m->point, sizeof(m->point))) {
		refuse(m, m->core.name,
		       "the thread stopped at 0x%llx, at no migration point (no symbol crimg_migrate_NAME, crimg_migrate_NAME_end or crimg_resume_NAME of %s there)",
		       (unsigned long long)m->pc, m->src.path);
		return;
	}
	char name[160];
	snprintf(name, sizeof(name), "crimg_migrate_%s", m->point);
	if (!crimg_mig_elf_sym(&m->dst, name))
		refuse(m, m->dst.path, "no symbol %s: the target build lacks migration point '%s'",
		       name, m->point);
}

/* ---- the rewrites ---- */

static void *zalloc(size_t n, int *oom)
{
	void *p = calloc(1, n ? n : 1);
	if (!p)
		*oom = 1;
	return p;
}

static ThreadInfoAarch64 *regs_aarch64(const struct mig_frame *f, uint64_t clear_tid, int *oom)
{
	ThreadInfoAarch64 *ti = zalloc(sizeof(*ti), oom);
	UserAarch64RegsEntry *g = zalloc(sizeof(*g), oom);
	UserAarch64FpsimdContextEntry *fp = zalloc(sizeof(*fp), oom);
	uint64_t *regs = zalloc(31 * sizeof(uint64_t), oom);
	uint64_t *vregs = zalloc(64 * sizeof(uint64_t), oom);
	if (*oom) {
		free(ti), free(g), free(fp), free(regs), free(vregs);
		return NULL;
	}
	thread_info_aarch64__init(ti);
	user_aarch64_regs_entry__init(g);
	user_aarch64_fpsimd_context_entry__init(fp);
	for (int i = 0; i < 8; i++)
		regs[i] = f->args[i];
	regs[30] = f->lr;
	g->n_regs = 31;
	g->regs = regs;
	g->sp = f->sp;
	g->pc = f->pc;
	g->pstate = 0; /* EL0t, flags clear */
	fp->n_vregs = 64;
	fp->vregs = vregs;
	ti->clear_tid_addr = clear_tid;
	ti->gpregs = g;
	ti->fpsimd = fp;
	return ti;
}

static ThreadInfoX86 *regs_x86(const struct mig_frame *f, uint64_t clear_tid, int *oom)
{
	ThreadInfoX86 *ti = zalloc(sizeof(*ti), oom);
	UserX86RegsEntry *g = zalloc(sizeof(*g), oom);
	UserX86FpregsEntry *fp = zalloc(sizeof(*fp), oom);
	UserX86XsaveEntry *xs = zalloc(sizeof(*xs), oom);
	uint32_t *st = zalloc(32 * 4, oom), *xmm = zalloc(64 * 4, oom), *ymmh = zalloc(64 * 4, oom);
	UserDescT **tls = zalloc(3 * sizeof(*tls), oom);
	for (int i = 0; tls && i < 3; i++)
		tls[i] = zalloc(sizeof(UserDescT), oom);
	if (*oom) {
		for (int i = 0; tls && i < 3; i++)
			free(tls[i]);
		free(ti), free(g), free(fp), free(xs), free(st), free(xmm), free(ymmh), free(tls);
		return NULL;
	}
	thread_info_x86__init(ti);
	user_x86_regs_entry__init(g);
	user_x86_fpregs_entry__init(fp);
	user_x86_xsave_entry__init(xs);
	g->ip = f->pc;
	g->sp = f->sp;
	g->di = f->args[0], g->si = f->args[1], g->dx = f->args[2];
	g->cx = f->args[3], g->r8 = f->args[4], g->r9 = f->args[5];
	g->orig_ax = (uint64_t)-1; /* in no syscall: nothing to restart */
	g->cs = 0x33;              /* the 64-bit user code and stack segments */
	g->ss = 0x2b;
	g->flags = 0x202; /* IF, and the always-set bit 1 */
	g->has_mode = 1;
	g->mode = USER_X86_REGS_MODE__NATIVE;
	/* the initial FP state: x87 control word and MXCSR at their defaults */
	fp->cwd = 0x37f;
	fp->mxcsr = 0x1f80;
	fp->mxcsr_mask = 0xffff;
	fp->n_st_space = 32, fp->st_space = st;
	fp->n_xmm_space = 64, fp->xmm_space = xmm;
	xs->xstate_bv = 0;
	xs->n_ymmh_space = 64, xs->ymmh_space = ymmh;
	fp->xsave = xs;
	/* the three TLS slots of the GDT, empty as the kernel reports them */
	for (int i = 0; i < 3; i++) {
		user_desc_t__init(tls[i]);
		tls[i]->entry_number = 12 + (uint32_t)i;
		tls[i]->read_exec_only = 1;
		tls[i]->seg_not_present = 1;
	}
	ti->n_tls = 3;
	ti->tls = tls;
	ti->clear_tid_addr = clear_tid;
	ti->gpregs = g;
	ti->fpregs = fp;
	return ti;
}

static int rewrite_core(struct mig *m)
{
	CoreEntry *c = (CoreEntry *)m->core.msgs[0];
	int oom = 0;
	if (m->dst_mtype == CORE_ENTRY__MARCH__AARCH64) {
		ThreadInfoAarch64 *ti = regs_aarch64(&m->frame, c->thread_info->clear_tid_addr,
						     &oom);
		if (!ti)
			return crimg_fail(m->err, m->core.path, -1, -1, "out of memory");
		protobuf_c_message_free_unpacked(&c->thread_info->base, NULL);
		c->thread_info = NULL;
		c->ti_aarch64 = ti;
	} else {
		ThreadInfoX86 *ti = regs_x86(&m->frame, c->ti_aarch64->clear_tid_addr, &oom);
		if (!ti)
			return crimg_fail(m->err, m->core.path, -1, -1, "out of memory");
		protobuf_c_message_free_unpacked(&c->ti_aarch64->base, NULL);
		c->ti_aarch64 = NULL;
		c->thread_info = ti;
	}
	c->mtype = (CoreEntry__March)m->dst_mtype;
	ThreadCoreEntry *t = c->thread_core;
	if (t && t->rseq_entry && t->rseq_entry->rseq_abi_pointer) {
		/* the registration names the source's signature and code: the
		 * target's libc registers again if it wants one */
		protobuf_c_message_free_unpacked(&t->rseq_entry->base, NULL);
		t->rseq_entry = NULL;
		say(m, m->core.name, "rseq registration dropped");
	}
	say(m, m->core.name,
	    "mtype %s -> %s; pc 0x%llx (migration point %s) -> 0x%llx, sp 0x%llx -> 0x%llx (plug-in %s)",
	    m->src_arch, m->dst_arch, (unsigned long long)m->pc, m->point,
	    (unsigned long long)m->frame.pc, (unsigned long long)m->sp,
	    (unsigned long long)m->frame.sp, m->o->plugin ? m->o->plugin : "restart");
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const VmaEntry *x = *(VmaEntry *const *)a, *y = *(VmaEntry *const *)b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int rewrite_auxv(struct mig *m, MmEntry *mm)
{
	uint64_t *a = calloc(mm->n_mm_saved_auxv + 8, sizeof(uint64_t));
	if (!a)
		return crimg_fail(m->err, m->mm.path, -1, -1, "out of memory");
	size_t n = 0, dropped = 0;
	int aarch64 = m->dst_mtype == CORE_ENTRY__MARCH__AARCH64;
	for (size_t i = 0; i + 1 < mm->n_mm_saved_auxv; i += 2) {
		uint64_t type = mm->mm_saved_auxv[i], v = mm->mm_saved_auxv[i + 1];
		if (type == 0)
			break;
		switch (type) {
		case 15: /* AT_PLATFORM: a string naming the source CPU */
		case 24: /* AT_BASE_PLATFORM */
		case 32: /* AT_SYSINFO */
		case 33: /* AT_SYSINFO_EHDR: the source kernel's vDSO, not mapped any more */
		case 51: /* AT_MINSIGSTKSZ: the source's signal frame size */
			dropped++;
			continue;
		case 16: /* AT_HWCAP: FP and ASIMD, which every aarch64 CPU has; x86 keeps its features in CPUID */
			v = aarch64 ? 0x3 : 0;
			break;
		case 26: /* AT_HWCAP2 */
			v = 0;
			break;
		case 3: /* AT_PHDR */
			v = m->dst.phdr_vaddr;
			break;
		case 5: /* AT_PHNUM */
			v = m->dst.phnum;
			break;
		case 9: /* AT_ENTRY */
			v = m->dst.entry;
			break;
		}
		a[n++] = type;
		a[n++] = v;
	}
	if (aarch64 && n > AUXV_MAX_AARCH64) {
		free(a);
		refuse(m, m->mm.name,
		       "%zu saved auxv values after the rewrite: CRIU on aarch64 reads at most %d",
		       n, AUXV_MAX_AARCH64);
		return 1;
	}
	say(m, m->mm.name,
	    "saved auxv: %zu -> %zu values (%zu dropped; HWCAP, PHDR, PHNUM, ENTRY of the target)",
	    mm->n_mm_saved_auxv, n, dropped);
	free(mm->mm_saved_auxv);
	mm->mm_saved_auxv = a;
	mm->n_mm_saved_auxv = n;
	return 0;
}

static int rewrite_mm(struct mig *m)
{
	MmEntry *mm = (MmEntry *)m->mm.msgs[0];
	VmaEntry *text = NULL;
	size_t kept = 0, dropped = 0, added = 0;
	VmaEntry **v = calloc(mm->n_vmas + m->dst.n_loads + 1, sizeof(*v));
	if (!v)
		return crimg_fail(m->err, m->mm.path, -1, -1, "out of memory");
	for (size_t i = 0; i < mm->n_vmas; i++) {
		VmaEntry *e = mm->vmas[i];
		if (is_kernel_vma(e) || (is_exe_vma(m, e) && !(e->prot & 2))) {
			say(m, m->mm.name, "vmas: 0x%llx-0x%llx dropped (%s)",
			    (unsigned long long)e->start, (unsigned long long)e->end,
			    is_kernel_vma(e) ? "the source kernel's vDSO, vvar or vsyscall"
					     : "the source build's code");
			if (!text && is_exe_vma(m, e))
				text = e;
			else
				protobuf_c_message_free_unpacked(&e->base, NULL);
			dropped++;
			continue;
		}
		v[kept++] = e;
	}
	/* the target build's code, mapped as the kernel maps an executable */
	uint64_t code_start = UINT64_MAX, code_end = 0, data_start = 0, data_end = 0;
	int oom = 0;
	for (size_t k = 0; k < m->dst.n_loads; k++) {
		const struct mig_load *l = &m->dst.loads[k];
		if (l->flags & 2) {
			data_start = l->vaddr;
			data_end = l->vaddr + l->filesz;
			continue;
		}
		if (l->flags & 1) {
			if (l->vaddr < code_start)
				code_start = l->vaddr;
			if (l->vaddr + l->filesz > code_end)
				code_end = l->vaddr + l->filesz;
		}
		VmaEntry *e = zalloc(sizeof(*e), &oom);
		if (!e)
			break;
		vma_entry__init(e);
		e->start = floor_page(l->vaddr);
		e->end = ceil_page(l->vaddr + l->memsz);
		e->pgoff = floor_page(l->offset);
		e->shmid = m->exe->id;
		e->prot = ((l->flags & 4) ? 1u : 0) | ((l->flags & 1) ? 4u : 0);
		e->flags = 0x02; /* MAP_PRIVATE */
		e->status = CRIMG_VMA_STATUS_AREA_REGULAR | CRIMG_VMA_STATUS_FILE_PRIVATE;
		e->fd = -1;
		if (text && text->has_fdflags) {
			e->has_fdflags = 1;
			e->fdflags = text->fdflags;
		}
		v[kept++] = e;
		added++;
		say(m, m->mm.name,
		    "vmas: 0x%llx-0x%llx added (the target build's %s, file offset 0x%llx)",
		    (unsigned long long)e->start, (unsigned long long)e->end,
		    (l->flags & 1) ? "code" : "read-only data", (unsigned long long)e->pgoff);
	}
	if (text)
		protobuf_c_message_free_unpacked(&text->base, NULL);
	free(mm->vmas);
	mm->vmas = v;
	mm->n_vmas = kept;
	if (oom)
		return crimg_fail(m->err, m->mm.path, -1, -1, "out of memory");
	qsort(v, kept, sizeof(*v), by_start);
	for (size_t i = 1; i < kept; i++)
		if (v[i]->start < v[i - 1]->end) {
			refuse(m, m->mm.name,
			       "the target build's code at 0x%llx-0x%llx overlaps a mapping of the checkpoint",
			       (unsigned long long)v[i]->start, (unsigned long long)v[i]->end);
			return 1;
		}
	if (code_end) {
		mm->mm_start_code = code_start;
		mm->mm_end_code = code_end;
	}
	if (data_end) {
		mm->mm_start_data = data_start;
		mm->mm_end_data = data_end;
	}
	return rewrite_auxv(m, mm);
}

/* O_DIRECT, O_LARGEFILE, O_DIRECTORY, O_NOFOLLOW: the open flags whose
 * values differ between x86_64 and aarch64 (the others are the same). */
static uint32_t map_flags(uint32_t f, int to_aarch64)
{
	static const uint32_t x86[4] = { 040000, 0100000, 0200000, 0400000 };
	static const uint32_t arm[4] = { 0200000, 0400000, 040000, 0100000 };
	const uint32_t *from = to_aarch64 ? x86 : arm, *to = to_aarch64 ? arm : x86;
	uint32_t mask = from[0] | from[1] | from[2] | from[3], out = f & ~mask;
	for (int i = 0; i < 4; i++)
		if (f & from[i])
			out |= to[i];
	return out;
}

static int rewrite_files(struct mig *m)
{
	int to_arm = m->dst_mtype == CORE_ENTRY__MARCH__AARCH64;
	size_t n_flags = 0;
	for (size_t i = 0; i < m->files.n; i++) {
		FileEntry *f = (FileEntry *)m->files.msgs[i];
		if (!f->reg)
			continue;
		uint32_t nf = map_flags(f->reg->flags, to_arm);
		if (nf != f->reg->flags) {
			say(m, m->files.name, "entry %zu (%s): flags 0%o -> 0%o", i, f->reg->name,
			    f->reg->flags, nf);
			f->reg->flags = nf;
			n_flags++;
		}
	}
	RegFileEntry *r = m->exe;
	const char *path = m->o->target_path ? m->o->target_path : r->name;
	char *name = strdup(path);
	uint32_t *bid = NULL;
	size_t nw = (m->dst.build_id_len + 3) / 4;
	if (nw && (bid = calloc(nw, 4)))
		memcpy(bid, m->dst.build_id, m->dst.build_id_len);
	if (!name || (nw && !bid)) {
		free(name);
		free(bid);
		return crimg_fail(m->err, m->files.path, -1, -1, "out of memory");
	}
	say(m, m->files.name,
	    "the executable %s -> %s (the target build: %llu bytes, mode 0%llo%s)", r->name, name,
	    (unsigned long long)m->dst.size, (unsigned long long)m->dst.mode,
	    nw ? ", its build id" : ", no build id");
	free(r->name);
	r->name = name;
	r->has_size = 1;
	r->size = m->dst.size;
	r->has_mode = 1;
	r->mode = (uint32_t)m->dst.mode;
	free(r->build_id);
	r->build_id = bid;
	r->n_build_id = nw;
	r->has_checksum = r->has_checksum_config = r->has_checksum_parameter = 0;
	return 0;
}

/* Which pages stay: those of the mappings the new mm keeps. */
static int page_kept(const MmEntry *mm, uint64_t addr)
{
	for (size_t i = 0; i < mm->n_vmas; i++) {
		const VmaEntry *v = mm->vmas[i];
		if (addr >= v->start && addr < v->end)
			return !(v->status & CRIMG_VMA_STATUS_FILE_PRIVATE) || (v->prot & 2);
	}
	return 0;
}

static int pread_all(int fd, uint8_t *p, size_t n, uint64_t off)
{
	while (n) {
		ssize_t k = pread(fd, p, n, (off_t)off);
		if (k <= 0)
			return -1;
		p += k, n -= (size_t)k, off += (uint64_t)k;
	}
	return 0;
}

/* The new pagemap (entries split where pages go) and pages image. */
static int rewrite_pages(struct mig *m)
{
	const MmEntry *mm = (const MmEntry *)m->mm.msgs[0];
	char ppath[4200];
	snprintf(ppath, sizeof(ppath), "%s/%s", m->dir, m->pages_name);
	int in = open(ppath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return crimg_fail(m->err, ppath, -1, -1, "%s", strerror(errno));
	struct stat st;
	if (fstat(in, &st) < 0) {
		close(in);
		return crimg_fail(m->err, ppath, -1, -1, "%s", strerror(errno));
	}
	struct crimg_outfile *f = crimg_outfile_open(ppath, CRIMG_OUTFILE_NOFOLLOW, m->err);
	int rc = f ? crimg_outfile_copy_attrs(f, in, m->err) : -1;
	size_t cap = m->pagemap.n + 8;
	ProtobufCMessage **out = calloc(cap, sizeof(*out));
	size_t n_out = 0, pages_kept = 0, pages_dropped = 0, written = 0;
	uint64_t off = 0;
	uint8_t page[PAGE];
	if (!out && rc == 0)
		rc = crimg_fail(m->err, m->pagemap.path, -1, -1, "out of memory");
	if (rc == 0)
		out[n_out++] = m->pagemap.msgs[0];
	for (size_t i = 1; rc == 0 && i < m->pagemap.n; i++) {
		PagemapEntry *e = (PagemapEntry *)m->pagemap.msgs[i];
		int in_file = e->has_flags ? (e->flags & PE_PRESENT) && !(e->flags & PE_PARENT)
					   : !(e->has_in_parent && e->in_parent);
		if ((e->has_flags && (e->flags & PE_PARENT)) ||
		    (e->has_in_parent && e->in_parent)) {
			refuse(m, m->pagemap.name, "entry %zu: pages in a parent dump", i);
			rc = 1;
			break;
		}
		uint64_t nr = e->has_nr_pages ? e->nr_pages : e->compat_nr_pages;
		if (nr > m->mapped_pages || nr > (UINT64_MAX - e->vaddr) / PAGE) {
			rc = crimg_fail(m->err, m->pagemap.path, -1, (int64_t)i,
					"a run of %llu pages: more than the process maps",
					(unsigned long long)nr);
			break;
		}
		PagemapEntry *cur = NULL;
		for (uint64_t p = 0; rc == 0 && p < nr; p++) {
			uint64_t addr = e->vaddr + p * PAGE;
			int keep = page_kept(mm, addr);
			if (in_file && keep) {
				if (pread_all(in, page, PAGE, off) < 0) {
					rc = crimg_fail(m->err, ppath, (int64_t)off, -1,
							"the pages end before pagemap entry %zu's",
							i);
					break;
				}
				for (size_t w = 0; w < m->frame.n_writes; w++) {
					const struct mig_write *wr = &m->frame.writes[w];
					for (size_t b = 0; b < wr->len; b++)
						if (wr->addr + b >= addr &&
						    wr->addr + b < addr + PAGE) {
							page[wr->addr + b - addr] = wr->bytes[b];
							written++;
						}
				}
				if (write(crimg_outfile_fd(f), page, PAGE) != (ssize_t)PAGE)
					rc = crimg_fail(m->err, ppath, -1, -1, "write: %s",
							strerror(errno));
			}
			if (in_file)
				off += PAGE;
			if (!keep) {
				pages_dropped++;
				cur = NULL;
				continue;
			}
			pages_kept++;
			if (!cur && n_out == cap) {
				ProtobufCMessage **np = realloc(out, cap * 2 * sizeof(*out));
				if (!np) {
					rc = crimg_fail(m->err, m->pagemap.path, -1, -1,
							"out of memory");
					break;
				}
				out = np;
				cap *= 2;
			}
			if (!cur) {
				if (!(cur = (PagemapEntry *)clone(&e->base))) {
					rc = crimg_fail(m->err, m->pagemap.path, -1, -1,
							"out of memory");
					break;
				}
				cur->vaddr = addr;
				cur->nr_pages = 0;
				cur->compat_nr_pages = 0;
				cur->has_nr_pages = 1;
				out[n_out++] = &cur->base;
			}
			cur->nr_pages++;
			if (!e->has_nr_pages)
				cur->compat_nr_pages = (uint32_t)cur->nr_pages,
				cur->has_nr_pages = 0;
		}
	}
	if (rc == 0 && m->frame.n_writes) {
		size_t want = 0;
		for (size_t w = 0; w < m->frame.n_writes; w++)
			want += m->frame.writes[w].len;
		if (written != want)
			refuse(m, m->pages_name,
			       "the plug-in writes %zu stack bytes outside the saved pages",
			       want - written);
		rc = m->refused ? 1 : 0;
	}
	close(in);
	if (rc == 0)
		rc = crimg_outfile_commit(f, m->err);
	else if (f)
		crimg_outfile_abort(f);
	if (rc == 0) {
		for (size_t i = 1; i < m->pagemap.n; i++)
			protobuf_c_message_free_unpacked(m->pagemap.msgs[i], NULL);
		free(m->pagemap.msgs);
		m->pagemap.msgs = out;
		m->pagemap.n = n_out;
		out = NULL;
		say(m, m->pages_name, "%zu pages kept, %zu dropped (the source's code and vDSO)%s",
		    pages_kept, pages_dropped,
		    written ? "; stack bytes written by the plug-in" : "");
		rc = store(m, &m->pagemap);
	} else if (out) {
		for (size_t i = 1; i < n_out; i++)
			protobuf_c_message_free_unpacked(out[i], NULL);
	}
	free(out);
	return rc;
}

int crimg_migrate_dir(const char *tree, const struct crimg_migrate_opts *o,
		      const struct crimg_limits *lim, crimg_migrate_note_fn *note, void *arg,
		      struct crimg_error *err)
{
	struct mig *m = calloc(1, sizeof(*m));
	if (!m)
		return crimg_fail(err, tree, -1, -1, "out of memory");
	m->o = o, m->lim = lim, m->note = note, m->arg = arg, m->err = err;
	int rc = -1;
	if (!o->target_arch || !o->target_exe) {
		crimg_fail(err, tree, -1, -1,
			   "--to-arch needs the target architecture and the target build");
		goto out;
	}
	if (strcmp(o->target_arch, "aarch64") == 0) {
		m->dst_mtype = CORE_ENTRY__MARCH__AARCH64;
	} else if (strcmp(o->target_arch, "x86_64") == 0) {
		m->dst_mtype = CORE_ENTRY__MARCH__X86_64;
	} else {
		crimg_fail(err, tree, -1, -1, "--to-arch takes x86_64 or aarch64, not '%s'",
			   o->target_arch);
		goto out;
	}
	m->dst_arch = o->target_arch;
	images_dir(tree, m->dir, sizeof(m->dir));
	if (read_images(m) < 0)
		goto out;
	if (m->refused)
		goto refused;
	check_core(m);
	check_files(m);
	if (m->refused)
		goto refused;
	if (read_builds(m) < 0)
		goto out;
	check_mm(m);
	check_point(m);
	if (m->refused)
		goto refused;
	struct mig_thread t = { .source_arch = m->src_arch,
				.target_arch = m->dst_arch,
				.point = m->point,
				.src = &m->src,
				.dst = &m->dst,
				.pc = m->pc,
				.sp = m->sp,
				.fp = m->fp,
				.stack_start = m->stack->start,
				.stack_end = m->stack->end };
	if (crimg_mig_frame(o->plugin, &t, &m->frame, err) < 0)
		goto out;
	/* the rewrites in memory first; the images are written once all are done */
	rc = rewrite_core(m);
	if (rc == 0)
		rc = rewrite_mm(m);
	if (rc == 0)
		rc = rewrite_files(m);
	if (rc == 0)
		rc = rewrite_pages(m);
	if (rc == 0)
		rc = store(m, &m->core);
	if (rc == 0)
		rc = store(m, &m->mm);
	if (rc == 0)
		rc = store(m, &m->files);
	if (rc > 0)
		goto refused;
	goto out;
refused:
	rc = 1;
out:
	crimg_mig_frame_free(&m->frame);
	crimg_mig_elf_free(&m->src);
	crimg_mig_elf_free(&m->dst);
	image_free(&m->pstree);
	image_free(&m->core);
	image_free(&m->mm);
	image_free(&m->files);
	image_free(&m->pagemap);
	free(m);
	return rc;
}
