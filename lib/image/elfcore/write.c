/*
 * elfcore/write.c: a process of a checkpoint as an ELF core file.
 *
 * Two passes over the page index, none over a page twice.  The first
 * plans the PT_LOAD segments from the spans the memory reader reports
 * (data, never saved, lazy) without reading a page; the headers and notes
 * are then written, and the second pass streams the pages in address
 * order from the pages images, a chunk at a time (pages.c).  Pages of
 * zeros, saved or not, become holes when the output is a regular file.
 * Memory use is the segment table, the notes and one chunk, whatever the
 * size of the process.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>

#include "base/base.h"
#include "crimg/mem.h"
#include "elfcore/elfcore_int.h"
#include "mem/mem_int.h"

#define AT_PAGESZ 6
#define PT_LOAD 1
#define PT_NOTE 4
#define PN_XNUM 0xffff
#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define SHDR_SIZE 64

/* One PT_LOAD: a run of one VMA that either has contents in the core
 * (saved pages, and zeros for anonymous pages never saved) or has none
 * (a file mapping's pages the file still holds: p_filesz 0). */
struct seg {
	uint64_t vaddr, memsz, off;
	uint32_t flags; /* PF_* */
	int contents;
};

struct plan {
	struct seg *s;
	size_t n, cap;
	size_t vmas;
	uint64_t mapped, data, zero, from_files, contents;
};

static int add_seg(struct plan *p, size_t vma, size_t *last_vma, uint64_t addr, uint64_t len,
		   uint32_t flags, int contents, struct crimg_error *err)
{
	struct seg *l = p->n ? &p->s[p->n - 1] : NULL;
	if (l && *last_vma == vma && l->contents == contents && l->vaddr + l->memsz == addr) {
		l->memsz += len;
		return 0;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct seg *s = realloc(p->s, cap * sizeof(*s));
		if (!s)
			return crimg_fail(err, NULL, -1, -1, "out of memory for %zu segments", cap);
		p->s = s;
		p->cap = cap;
	}
	p->s[p->n++] =
		(struct seg){ .vaddr = addr, .memsz = len, .flags = flags, .contents = contents };
	*last_vma = vma;
	return 0;
}

static uint32_t pflags(uint32_t prot)
{
	return (prot & 1 ? 4u : 0) | (prot & 2 ? 2u : 0) | (prot & 4 ? 1u : 0);
}

/* A VMA whose unsaved pages have no contents of their own in a core: a
 * file mapping (the file holds them), the vsyscall and vvar pages (the
 * kernel's), memory that cannot be read at all. */
static int unsaved_absent(const struct crimg_mem_vma *v)
{
	if (v->status & CRIMG_VMA_STATUS_AREA_MEMFD)
		return 0;
	return (v->status &
		(CRIMG_VMA_STATUS_FILE_PRIVATE | CRIMG_VMA_STATUS_FILE_SHARED |
		 CRIMG_VMA_STATUS_AREA_VSYSCALL | CRIMG_VMA_STATUS_AREA_VVAR)) ||
		!(v->prot & 1);
}

static int plan_segments(struct crimg_mem *m, struct plan *p, struct crimg_error *err)
{
	const struct crimg_mem_vma *v;
	size_t nv = crimg_mem_vmas(m, &v), last = SIZE_MAX;
	p->vmas = nv;
	for (size_t i = 0; i < nv; i++) {
		uint64_t cur = v[i].start;
		p->mapped += v[i].end - v[i].start;
		while (cur < v[i].end) {
			struct crimg_mem_span s;
			if (crimg_mem_span(m, cur, &s, err) < 0)
				return -1;
			uint64_t k = s.len < v[i].end - cur ? s.len : v[i].end - cur;
			if (!k)
				return crimg_fail(err, NULL, -1, -1,
						  "internal: empty span at 0x%llx",
						  (unsigned long long)cur);
			int contents = 1;
			if (s.state == CRIMG_MEM_DATA)
				p->data += k;
			else if (unsaved_absent(&v[i])) {
				contents = 0;
				p->from_files += k;
			} else
				p->zero += k;
			if (add_seg(p, i, &last, cur, k, pflags(v[i].prot), contents, err) < 0)
				return -1;
			cur += k;
		}
	}
	return 0;
}

/* ---- the output: sequential, holes where it is a regular file ---- */

struct out {
	int fd;
	const char *name;
	int sparse;     /* a regular file: zeros are skipped */
	uint64_t pos;   /* bytes of the core written or skipped */
	uint64_t start; /* fd's offset at the start */
	uint64_t hole;  /* zeros skipped, not yet seeked over */
	crimg_progress_fn *progress;
	void *progress_arg;
	const char *what;
	uint64_t done, total, next_report;
};

static int out_seek_hole(struct out *o, struct crimg_error *err)
{
	if (!o->hole)
		return 0;
	if (lseek(o->fd, (off_t)o->hole, SEEK_CUR) < 0)
		return crimg_fail(err, o->name, (int64_t)o->pos, -1, "cannot seek: %s",
				  strerror(errno));
	o->hole = 0;
	return 0;
}

static int out_write(struct out *o, const void *p, size_t n, struct crimg_error *err)
{
	if (out_seek_hole(o, err) < 0)
		return -1;
	const uint8_t *b = p;
	while (n) {
		ssize_t w = write(o->fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return crimg_fail(err, o->name, (int64_t)o->pos, -1, "cannot write: %s",
					  w < 0 ? strerror(errno) : "nothing written");
		b += w;
		n -= (size_t)w;
		o->pos += (uint64_t)w;
	}
	return 0;
}

static int out_zeros(struct out *o, uint64_t n, struct crimg_error *err)
{
	static const uint8_t zeros[65536];
	if (o->sparse) {
		o->hole += n;
		o->pos += n;
		return 0;
	}
	while (n) {
		size_t k = n < sizeof(zeros) ? (size_t)n : sizeof(zeros);
		if (out_write(o, zeros, k, err) < 0)
			return -1;
		n -= k;
	}
	return 0;
}

static int out_finish(struct out *o, struct crimg_error *err)
{
	if (!o->hole)
		return 0;
	/* a file that ends in a hole gets its size from ftruncate */
	if (ftruncate(o->fd, (off_t)(o->start + o->pos)) < 0)
		return crimg_fail(err, o->name, (int64_t)o->pos, -1, "cannot set the size: %s",
				  strerror(errno));
	o->hole = 0;
	return 0;
}

static void out_progress(struct out *o, uint64_t n)
{
	o->done += n;
	if (o->progress && (o->done >= o->next_report || o->done == o->total)) {
		o->progress(o->progress_arg, o->what, o->done, o->total);
		o->next_report = o->done + (16u << 20);
	}
}

static int zero_page(const uint8_t *p, size_t n)
{
	uint64_t acc = 0, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
		if (acc)
			return 0;
	}
	for (; i < n; i++)
		acc |= p[i];
	return !acc;
}

/* Saved bytes: written, but pages of zeros skipped as holes. */
static int out_data(struct out *o, const uint8_t *p, uint64_t n, unsigned page,
		    struct crimg_error *err)
{
	uint64_t i = 0;
	while (i < n) {
		uint64_t run = 0;
		if (o->sparse) {
			while (i + run < n) {
				size_t k = n - i - run < page ? (size_t)(n - i - run) : page;
				if (!zero_page(p + i + run, k))
					break;
				run += k;
			}
			if (run) {
				out_zeros(o, run, err);
				out_progress(o, run);
				i += run;
				continue;
			}
		}
		/* a run of pages with something in them, at most 8 MiB at a time */
		while (i + run < n && run < (8u << 20)) {
			size_t k = n - i - run < page ? (size_t)(n - i - run) : page;
			if (o->sparse && run && zero_page(p + i + run, k))
				break;
			run += k;
		}
		if (out_write(o, p + i, (size_t)run, err) < 0)
			return -1;
		out_progress(o, run);
		i += run;
	}
	return 0;
}

struct data_arg {
	struct out *o;
	unsigned page;
	struct crimg_error *err;
};

static int data_chunk(void *arg, const uint8_t *b, size_t n)
{
	struct data_arg *a = arg;
	return out_data(a->o, b, n, a->page, a->err);
}

static int write_segment(struct out *o, struct crimg_mem *m, struct ec_pages *pg,
			 const struct seg *s, unsigned page, struct crimg_error *err)
{
	uint64_t cur = s->vaddr, end = s->vaddr + s->memsz;
	struct data_arg da = { .o = o, .page = page, .err = err };
	while (cur < end) {
		struct crimg_mem_span sp;
		const struct ckpt_file *file;
		mem_span_file(m, cur, &sp, &file);
		uint64_t k = sp.len < end - cur ? sp.len : end - cur;
		if (!k || sp.state == CRIMG_MEM_UNMAPPED)
			return crimg_fail(err, NULL, -1, -1, "internal: 0x%llx is not mapped",
					  (unsigned long long)cur);
		if (sp.state == CRIMG_MEM_DATA) {
			/* bounded memory: see pages.c */
			if (ec_pages_each(pg, file, sp.data, k, data_chunk, &da) < 0)
				return -1;
		} else {
			if (out_zeros(o, k, err) < 0)
				return -1;
			out_progress(o, k);
		}
		cur += k;
	}
	return 0;
}

/* ---- headers ---- */

static void ehdr(struct ec_buf *b, const struct ec_arch *a, size_t phnum, uint64_t shoff)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
	ec_put(b, magic, 4);
	ec_u8(b, 2);              /* ELFCLASS64 */
	ec_u8(b, b->big ? 2 : 1); /* ELFDATA2MSB / 2LSB */
	ec_u8(b, 1);              /* EV_CURRENT */
	ec_u8(b, 0);              /* ELFOSABI_NONE, as Linux writes */
	ec_put(b, NULL, 8);
	ec_u16(b, 4); /* ET_CORE */
	ec_u16(b, a->machine);
	ec_u32(b, 1);
	ec_u64(b, 0);         /* e_entry */
	ec_u64(b, EHDR_SIZE); /* e_phoff */
	ec_u64(b, shoff);
	ec_u32(b, 0); /* e_flags */
	ec_u16(b, EHDR_SIZE);
	ec_u16(b, PHDR_SIZE);
	ec_u16(b, phnum >= PN_XNUM ? PN_XNUM : (uint16_t)phnum);
	ec_u16(b, shoff ? SHDR_SIZE : 0);
	ec_u16(b, shoff ? 1 : 0);
	ec_u16(b, 0); /* e_shstrndx: SHN_UNDEF */
}

static void phdr(struct ec_buf *b, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
		 uint64_t filesz, uint64_t memsz, uint64_t align)
{
	ec_u32(b, type);
	ec_u32(b, flags);
	ec_u64(b, off);
	ec_u64(b, vaddr);
	ec_u64(b, 0);
	ec_u64(b, filesz);
	ec_u64(b, memsz);
	ec_u64(b, align);
}

/* ---- the notes of a process ---- */

static int build_notes(struct ec_notes *n, const struct ec_task *t, struct crimg_core_summary *sum,
		       struct crimg_error *err)
{
	for (size_t i = 0; i < t->n_threads; i++) {
		const struct crimg_thread *th = &t->threads[i];
		if (ec_note_prstatus(n, t, th, i == 0, err) < 0)
			return -1;
		sum->threads++;
		if (i == 0) {
			/* the process-wide notes follow the first thread's
			 * status, where the kernel puts them */
			ec_note_prpsinfo(n, t);
			sum->has_siginfo = ec_note_siginfo(n, ec_pending(t->core, th, 1));
			ec_note_auxv(n, t->mm);
			sum->file_maps = ec_note_file(n, t->mm, t->page);
		} else if (ec_note_siginfo(n, ec_pending(t->core, th, 0)))
			sum->has_siginfo = 1;
		uint64_t xcr0 = 0;
		char img[32];
		if (t->arch->fpnotes(n, th, ec_thread_img(th, img, sizeof(img)), t->mm, &xcr0,
				     err) < 0)
			return -1;
		if (i == 0)
			sum->xcr0 = xcr0;
	}
	if (n->b.failed)
		return crimg_fail(err, NULL, -1, -1, "out of memory for the notes");
	sum->notes = n->n;
	return 0;
}

static unsigned page_size_of(const struct crimg_task_mm *mm, const struct ec_arch *a)
{
	for (size_t i = 0; i + 1 < mm->n_auxv; i += 2) {
		if (mm->auxv[i] == 0)
			break;
		if (mm->auxv[i] == AT_PAGESZ) {
			uint64_t v = mm->auxv[i + 1];
			/* a power of two the kernel could have: 4 KiB .. 1 MiB */
			if (v >= 4096 && v <= (1u << 20) && !(v & (v - 1)))
				return (unsigned)v;
		}
	}
	return a->page;
}

/* Everything a core is made of, gathered before a byte is written, so that
 * bad images fail early and leave nothing behind. */
static int gather(struct crimg_ckpt *c, uint32_t pid, struct ec_task *t, char *img, size_t imglen,
		  struct crimg_error *err)
{
	memset(t, 0, sizeof(*t));
	snprintf(img, imglen, "core-%u.img", pid);
	t->core_img = img;
	if (!(t->task = crimg_ckpt_task(c, pid, err)))
		return -1;
	if (!(t->core = crimg_task_core(c, t->task, err)))
		return -1;
	if (crimg_task_is_zombie(t->core) || t->core->state == CRIMG_TASK_ZOMBIE)
		return crimg_fail(
			err, img, -1, -1,
			"process %u is a zombie: it has no memory or registers to put in a core",
			pid);
	const struct crimg_entries *e = crimg_ckpt_entriesf(c, err, "core-%u.img", pid);
	if (!e)
		return -1;
	t->big = e->byte_order == CRIMG_BIG_ENDIAN;
	if (!(t->threads = crimg_task_threads(c, t->task, &t->n_threads, err)))
		return -1;
	if (!t->n_threads)
		return crimg_fail(err, img, -1, -1, "process %u has no threads", pid);
	unsigned mtype = t->threads[0].regs.mtype;
	if (!(t->arch = ec_arch_of(mtype)))
		return crimg_fail(err, img, -1, 0,
				  "the images are of architecture %s (mtype %u): crit core writes "
				  "x86_64, aarch64 and s390x cores",
				  t->core->arch ? t->core->arch : "unknown", mtype);
	/* a thread's registers are in its own core-TID.img: messages name it */
	for (size_t i = 0; i < t->n_threads; i++) {
		char timg[32];
		ec_thread_img(&t->threads[i], timg, sizeof(timg));
		if (t->threads[i].regs.mtype != mtype)
			return crimg_fail(err, timg, -1, 0,
					  "thread %u is of another architecture (mtype %u, not %u)",
					  t->threads[i].tid, t->threads[i].regs.mtype, mtype);
		if (!t->threads[i].regs.n_gp)
			return crimg_fail(err, timg, -1, 0, "thread %u has no registers",
					  t->threads[i].tid);
	}
	if (!(t->mm = crimg_task_mm(c, t->task, err)))
		return -1;
	t->page = page_size_of(t->mm, t->arch);
	return 0;
}

int crimg_core_write_fd(struct crimg_ckpt *c, uint32_t pid, int fd, const char *fdname,
			const struct crimg_core_opts *o, struct crimg_core_summary *sum,
			struct crimg_error *err)
{
	struct crimg_core_summary dummy;
	if (!sum)
		sum = &dummy;
	memset(sum, 0, sizeof(*sum));
	char img[64];
	struct ec_task t;
	if (gather(c, pid, &t, img, sizeof(img), err) < 0)
		return -1;
	struct crimg_mem_opts mo = { .page_size = t.page };
	struct crimg_mem *m = crimg_mem_open(c, pid, &mo, err);
	if (!m)
		return -1;
	struct plan p = { 0 };
	struct ec_notes notes = { 0 };
	struct ec_buf hdr;
	struct ec_pages pages;
	ec_pages_init(&pages);
	ec_buf_init(&notes.b, t.big);
	ec_buf_init(&hdr, t.big);
	uint8_t *argv = NULL;
	int rc = -1;

	struct crimg_error aerr;
	crimg_error_clear(&aerr);
	uint64_t aaddr;
	argv = crimg_mem_area(m, CRIMG_MEM_ARGV, &t.argv_len, &aaddr, &aerr);
	t.argv = argv; /* none (unreadable or absent): psargs stays empty */

	sum->pid = pid;
	snprintf(sum->comm, sizeof(sum->comm), "%s", t.core->comm ? t.core->comm : "");
	snprintf(sum->arch, sizeof(sum->arch), "%s", t.arch->name);
	sum->big_endian = t.big;
	sum->page_size = t.page;
	sum->e_machine = t.arch->machine;
	if (build_notes(&notes, &t, sum, err) < 0 || plan_segments(m, &p, err) < 0)
		goto out;

	/* layout: ELF header, program headers (PT_NOTE first), the one
	 * section header PN_XNUM needs, the notes, then the segments' bytes
	 * from a page boundary */
	size_t phnum = 1 + p.n;
	int xnum = phnum >= PN_XNUM;
	uint64_t shoff = xnum ? EHDR_SIZE + (uint64_t)phnum * PHDR_SIZE : 0;
	uint64_t notes_off = EHDR_SIZE + (uint64_t)phnum * PHDR_SIZE + (xnum ? SHDR_SIZE : 0);
	uint64_t data_off = notes_off + notes.b.len;
	data_off = (data_off + t.page - 1) / t.page * t.page;
	uint64_t cur = data_off;
	for (size_t i = 0; i < p.n; i++) {
		p.s[i].off = cur;
		if (p.s[i].contents) {
			cur += p.s[i].memsz;
			p.contents += p.s[i].memsz;
		}
	}

	struct stat st;
	struct out w = { .fd = fd, .name = fdname };
	w.sparse = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	if (w.sparse) {
		off_t at = lseek(fd, 0, SEEK_CUR);
		w.start = at > 0 ? (uint64_t)at : 0;
	}
	char what[64];
	snprintf(what, sizeof(what), "writing the core of %u", pid);
	if (o) {
		w.progress = o->progress;
		w.progress_arg = o->progress_arg;
	}
	w.what = what;
	w.total = p.contents;

	ehdr(&hdr, t.arch, phnum, shoff);
	phdr(&hdr, PT_NOTE, 0, notes_off, 0, notes.b.len, 0, 4);
	for (size_t i = 0; i < p.n; i++) {
		const struct seg *s = &p.s[i];
		phdr(&hdr, PT_LOAD, s->flags, s->off, s->vaddr, s->contents ? s->memsz : 0,
		     s->memsz, t.page);
		if (hdr.len >= (1u << 20)) { /* the table in pieces: bounded memory */
			if (hdr.failed || out_write(&w, hdr.p, hdr.len, err) < 0)
				goto nomem_or_fail;
			hdr.len = 0;
		}
	}
	if (xnum) {
		ec_u32(&hdr, 0);
		ec_u32(&hdr, 0);
		ec_put(&hdr, NULL, 32);
		ec_u32(&hdr, 0);               /* sh_link: e_shstrndx */
		ec_u32(&hdr, (uint32_t)phnum); /* sh_info: the real e_phnum */
		ec_put(&hdr, NULL, 16);
	}
	if (hdr.failed)
		goto nomem_or_fail;
	if (out_write(&w, hdr.p, hdr.len, err) < 0 ||
	    out_write(&w, notes.b.p, notes.b.len, err) < 0 ||
	    out_zeros(&w, data_off - w.pos, err) < 0)
		goto out;
	for (size_t i = 0; i < p.n; i++)
		if (p.s[i].contents && write_segment(&w, m, &pages, &p.s[i], t.page, err) < 0)
			goto out;
	if (out_finish(&w, err) < 0)
		goto out;
	if (w.progress && w.total == 0)
		w.progress(w.progress_arg, what, 0, 0);

	sum->segments = p.n;
	sum->vmas = p.vmas;
	sum->mapped = p.mapped;
	sum->data = p.data;
	sum->zero = p.zero;
	sum->from_files = p.from_files;
	sum->file_size = w.pos;
	rc = 0;
	goto out;
nomem_or_fail:
	if (hdr.failed)
		crimg_fail(err, NULL, -1, -1, "out of memory for the program headers");
out:
	free(argv);
	free(p.s);
	ec_buf_free(&notes.b);
	ec_buf_free(&hdr);
	ec_pages_free(&pages);
	crimg_mem_close(m);
	return rc;
}

int crimg_core_write_path(struct crimg_ckpt *c, uint32_t pid, const char *path,
			  const struct crimg_core_opts *o, struct crimg_core_summary *sum,
			  struct crimg_error *err)
{
	/* the images first: a zombie or damaged images leave no file */
	char img[64];
	struct ec_task t;
	if (gather(c, pid, &t, img, sizeof(img), err) < 0)
		return -1;
	struct crimg_outfile *f = crimg_outfile_open(path, CRIMG_OUTFILE_NOTTY, err);
	if (!f)
		return -1;
	if (crimg_core_write_fd(c, pid, crimg_outfile_fd(f), crimg_outfile_name(f), o, sum, err) <
	    0) {
		crimg_outfile_abort(f);
		return -1;
	}
	return crimg_outfile_commit(f, err);
}
