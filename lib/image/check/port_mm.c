/*
 * Part 4, the memory map of a task: the saved auxv (arch-auxv), the vDSO
 * and [vsyscall] (arch-vdso, arch-vsyscall), mappings above the target's
 * address space (arch-address-space), the executable and the libraries
 * with their ELF machine (arch-exe, arch-library), machine code and data
 * in the checkpoint's pages (arch-code-pages, arch-memory).
 *
 * An ELF file's machine is read from the checkpoint where the dump saved
 * the page at its offset 0 (aarch64 executables start their text there;
 * the vDSO is always saved), and from the target's file system when the
 * caller knows it (crimg_port_opts.files).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "check/host_check.h"
#include "check/images_int.h"
#include "check/port.h"

#define PROT_EXEC_ 4u

enum {
	AT_PHDR_ = 3,
	AT_PHNUM_ = 5,
	AT_PAGESZ_ = 6,
	AT_ENTRY_ = 9,
	AT_PLATFORM_ = 15,
	AT_HWCAP_ = 16,
	AT_HWCAP2_ = 26,
	AT_SYSINFO_EHDR_ = 33,
	AT_MINSIGSTKSZ_ = 51,
};

unsigned port_auxv_page_size(struct port *p, uint32_t *pid)
{
	for (size_t i = 0; p->tree && i < p->tree->n_tasks; i++) {
		struct crimg_error e;
		crimg_error_clear(&e);
		const struct crimg_task_mm *mm = crimg_task_mm(p->c, &p->tree->tasks[i], &e);
		for (size_t j = 0; mm && j + 1 < mm->n_auxv; j += 2)
			if (mm->auxv[j] == AT_PAGESZ_ && mm->auxv[j + 1] &&
			    mm->auxv[j + 1] <= (1u << 20)) {
				*pid = p->tree->tasks[i].pid;
				return (unsigned)mm->auxv[j + 1];
			}
	}
	return 0;
}

struct mctx {
	struct port *p;
	const struct crimg_task *t;
	const char *comm;
	const struct crimg_task_mm *mm;
	struct crimg_mem *mem; /* NULL when the pages cannot be read */
	char img[40];          /* mm-PID.img */
	char who[96];          /* "pid 42 (comm)" */
};

/* The e_machine of an ELF header saved at addr, 0 when the checkpoint
 * holds none there. */
static unsigned elf_in_pages(struct mctx *x, uint64_t addr)
{
	struct crimg_mem_span sp;
	struct crimg_error e;
	crimg_error_clear(&e);
	if (!x->mem || crimg_mem_span(x->mem, addr, &sp, &e) < 0 || sp.state != CRIMG_MEM_DATA ||
	    sp.len < 20 || !sp.data || memcmp(sp.data, "\177ELF", 4))
		return 0;
	const uint8_t *d = sp.data;
	return d[5] == 2 ? (unsigned)d[18] << 8 | d[19] : (unsigned)d[19] << 8 | d[18];
}

/* A NUL-terminated string saved at addr (AT_PLATFORM), printable ASCII;
 * "" when the checkpoint does not hold one. */
static void str_in_pages(struct mctx *x, uint64_t addr, char *buf, size_t len)
{
	struct crimg_mem_span sp;
	struct crimg_error e;
	buf[0] = '\0';
	crimg_error_clear(&e);
	if (!x->mem || crimg_mem_span(x->mem, addr, &sp, &e) < 0 || sp.state != CRIMG_MEM_DATA ||
	    !sp.data)
		return;
	size_t i;
	for (i = 0; i < sp.len && i + 1 < len && sp.data[i]; i++) {
		if (sp.data[i] < 0x20 || sp.data[i] > 0x7e) {
			buf[0] = '\0';
			return;
		}
		buf[i] = (char)sp.data[i];
	}
	if (i == sp.len || i + 1 == len) { /* no end within reach */
		buf[0] = '\0';
		return;
	}
	buf[i] = '\0';
}

static void vma_str(const struct crimg_task_vma *v, char *buf, size_t len)
{
	snprintf(buf, len, "0x%" PRIx64 "-0x%" PRIx64 " %s", v->start, v->end,
		 v->name && *v->name ? v->name : "anonymous");
}

static uint64_t dumped(struct mctx *x, const struct crimg_task_vma *v)
{
	const struct crimg_mem_vma *mv = x->mem ? crimg_mem_vma_at(x->mem, v->start) : NULL;
	return mv && mv->start == v->start ? mv->dumped : 0;
}

/* ---- auxv ---- */

static int auxv(struct mctx *x)
{
	struct port *p = x->p;
	const struct crimg_task_mm *mm = x->mm;
	uint64_t hw = 0, hw2 = 0, plat = 0, ehdr = 0, minsig = 0, entry = 0;
	int has_hw = 0, has_hw2 = 0;
	if (!mm->n_auxv)
		return 0;
	for (size_t i = 0; i + 1 < mm->n_auxv; i += 2) {
		uint64_t v = mm->auxv[i + 1];
		switch (mm->auxv[i]) {
		case AT_HWCAP_:
			hw = v, has_hw = 1;
			break;
		case AT_HWCAP2_:
			hw2 = v, has_hw2 = 1;
			break;
		case AT_PLATFORM_:
			plat = v;
			break;
		case AT_SYSINFO_EHDR_:
			ehdr = v;
			break;
		case AT_MINSIGSTKSZ_:
			minsig = v;
			break;
		case AT_ENTRY_:
			entry = v;
			break;
		}
	}
	char msg[700], pl[40] = "", v[32], tv[160];
	size_t k = 0;
	int r;
#define ADD(...)                                                                           \
	do {                                                                               \
		r = snprintf(msg + k, sizeof(msg) - k, __VA_ARGS__);                       \
		if (r > 0)                                                                 \
			k = (size_t)r < sizeof(msg) - k ? k + (size_t)r : sizeof(msg) - 1; \
	} while (0)
	ADD("%s: %zu saved values", x->who, mm->n_auxv);
	if (has_hw)
		ADD("; AT_HWCAP 0x%" PRIx64, hw);
	if (has_hw2)
		ADD(", AT_HWCAP2 0x%" PRIx64, hw2);
	if (has_hw || has_hw2)
		ADD(" (bits of the %s CPU)", port_src(p));
	if (plat) {
		str_in_pages(x, plat, pl, sizeof(pl));
		if (*pl)
			ADD("; AT_PLATFORM \"%s\"", pl);
		else
			ADD("; AT_PLATFORM at 0x%" PRIx64 " (not in the checkpoint)", plat);
	}
	if (ehdr)
		ADD("; AT_SYSINFO_EHDR 0x%" PRIx64 " (the vDSO)", ehdr);
	if (minsig)
		ADD("; AT_MINSIGSTKSZ %" PRIu64, minsig);
	if (entry)
		ADD("; AT_ENTRY 0x%" PRIx64 " (the source build's)", entry);
	unsigned max = port_auxv_max(p->dst);
	if (max && mm->n_auxv > max)
		ADD("; more than the %u values %s's CRIU reads (\"Image corrupted\")", max,
		    port_dst(p));
#undef ADD
	snprintf(v, sizeof(v), "%zu values", mm->n_auxv);
	const struct crimg_host *h = p->o->host;
	if (h && h->hwcap_known)
		snprintf(tv, sizeof(tv),
			 "AT_HWCAP 0x%" PRIx64 ", AT_HWCAP2 0x%" PRIx64
			 " of the target host; at most %u values",
			 h->hwcap, h->hwcap2, max);
	else
		snprintf(tv, sizeof(tv), "%s's values; at most %u", port_dst(p), max);
	return port_add(p, R_ARCH_AUXV, P_CONVERT, x->t->pid, x->img, 0, "mm_saved_auxv", v, tv,
			"%s", msg);
}

/* ---- the vDSO, [vsyscall], the address space ---- */

static int vdso(struct mctx *x)
{
	struct port *p = x->p;
	const struct crimg_task_mm *mm = x->mm;
	int64_t first = -1;
	uint64_t vdso = 0, vvar = 0;
	unsigned em = 0;
	for (size_t i = 0; i < mm->n_vmas; i++) {
		const struct crimg_task_vma *a = &mm->vmas[i];
		if (a->kind == CRIMG_VMA_KIND_VDSO) {
			vdso += a->end - a->start;
			/* the evidence is the vDSO itself, else its data pages */
			if (first < 0 || mm->vmas[first].kind != CRIMG_VMA_KIND_VDSO)
				first = (int64_t)i;
			if (!em)
				em = elf_in_pages(x, a->start);
		} else if (a->kind == CRIMG_VMA_KIND_VVAR) {
			vvar += a->end - a->start;
			if (first < 0)
				first = (int64_t)i;
		}
	}
	if (first < 0)
		return 0;
	char field[32], v[128], tv[96], ems[64] = "";
	snprintf(field, sizeof(field), "vmas[%" PRId64 "]", first);
	vma_str(&mm->vmas[first], v, sizeof(v));
	snprintf(tv, sizeof(tv), "dropped: CRIU maps %s's", port_dst(p));
	if (em)
		snprintf(ems, sizeof(ems), ", an ELF of %s in the checkpoint's pages",
			 port_elf_machine_name(em) ? port_elf_machine_name(em) : "another machine");
	return port_add(p, R_ARCH_VDSO, P_CONVERT, x->t->pid, x->img, 0, field, v, tv,
			"%s: the source kernel's vDSO (%" PRIu64 " bytes%s) and vvar (%" PRIu64
			" bytes)",
			x->who, vdso, ems, vvar);
}

static int vsyscall(struct mctx *x)
{
	struct port *p = x->p;
	if (p->src != PORT_X86_64 || p->dst == PORT_X86_64)
		return 0;
	for (size_t i = 0; i < x->mm->n_vmas; i++) {
		const struct crimg_task_vma *a = &x->mm->vmas[i];
		if (a->kind != CRIMG_VMA_KIND_VSYSCALL)
			continue;
		char field[32], v[128], tv[64];
		snprintf(field, sizeof(field), "vmas[%zu]", i);
		vma_str(a, v, sizeof(v));
		snprintf(tv, sizeof(tv), "none on %s: dropped", port_dst(p));
		return port_add(p, R_ARCH_VSYSCALL, P_CONVERT, x->t->pid, x->img, 0, field, v, tv,
				"%s maps [vsyscall] at 0x%" PRIx64 ", which only x86_64 has",
				x->who, a->start);
	}
	return 0;
}

static int address_space(struct mctx *x)
{
	struct port *p = x->p;
	uint64_t top = port_user_top(p->dst);
	size_t n = 0;
	const struct crimg_task_vma *first = NULL;
	size_t fi = 0;
	for (size_t i = 0; i < x->mm->n_vmas; i++) {
		const struct crimg_task_vma *a = &x->mm->vmas[i];
		/* the converter drops these */
		if (a->kind == CRIMG_VMA_KIND_VSYSCALL || a->kind == CRIMG_VMA_KIND_VDSO ||
		    a->kind == CRIMG_VMA_KIND_VVAR || a->end <= top)
			continue;
		if (!n++) {
			first = a;
			fi = i;
		}
	}
	if (!n)
		return 0;
	char field[32], v[128], tv[96];
	snprintf(field, sizeof(field), "vmas[%zu]", fi);
	vma_str(first, v, sizeof(v));
	snprintf(tv, sizeof(tv), "user space ends at 0x%" PRIx64, top);
	return port_add(p, R_ARCH_ADDRESS_SPACE, P_BLOCKS, x->t->pid, x->img, 0, field, v, tv,
			"%s: %zu mapping%s above 0x%" PRIx64 ", where %s's user address space "
			"ends%s (the first: %s)",
			x->who, n, n == 1 ? " lies" : "s lie", top, port_dst(p),
			p->dst == PORT_X86_64 ? " with 4-level paging" : "", v);
}

/* ---- executables and libraries ---- */

static int one_file(struct mctx *x, const struct crimg_file *f, const char *path, int is_exe,
		    unsigned em_pages)
{
	struct port *p = x->p;
	enum check_reason_id r = is_exe ? R_ARCH_EXE : R_ARCH_LIBRARY;
	const char *fimg = crimg_ckpt_has(p->c, "files.img") ? "files.img" : "";
	int64_t entry = f && *fimg ? check_entry_by_id(p->c, "files.img", f->id) : -1;
	unsigned dem = port_elf_machine(p->dst);
	const char *dname = port_elf_machine_name(dem);
	char base[600], tv[96];
	const char *verb = is_exe ? "runs" : "maps";
	if (em_pages)
		snprintf(base, sizeof(base),
			 "%s %s %s, an ELF of %s (its header is in the "
			 "checkpoint's pages)",
			 x->who, verb, path,
			 port_elf_machine_name(em_pages) ? port_elf_machine_name(em_pages) : "?");
	else
		snprintf(base, sizeof(base), "%s %s %s, a build for %s", x->who, verb, path,
			 port_src(p));
	const struct host_file *hf = p->o->files ? host_file(p->o->files, path) : NULL;
	if (hf && hf->exists == 0)
		return port_add(p, r, P_BLOCKS, x->t->pid, fimg, entry, "reg.name", path,
				"no such file", "%s; the target has no file at this path", base);
	if (hf && hf->exists == 1) {
		const char *hn = port_elf_machine_name(hf->machine);
		snprintf(tv, sizeof(tv), "%s",
			 hf->machine ? (hn ? hn : "another ELF machine") : "not an ELF file");
		if (hf->machine == dem)
			return port_add(p, r, P_CONVERT, x->t->pid, fimg, entry, "reg.name", path,
					tv,
					"%s; the target has a build for %s at this path (%s): its "
					"symbols must be aligned with the source build's (not checked)",
					base, port_dst(p), dname);
		return port_add(p, r, P_BLOCKS, x->t->pid, fimg, entry, "reg.name", path, tv,
				"%s; the file at this path on the target is %s%s, not a build for "
				"%s",
				base, hf->machine ? "an ELF of " : "not an ELF file",
				hf->machine ? tv : "", port_dst(p));
	}
	unsigned pa = port_path_arch(path);
	if (pa && pa != p->dst) {
		snprintf(tv, sizeof(tv), "%s's builds are under other paths", port_dst(p));
		return port_add(p, r, P_BLOCKS, x->t->pid, fimg, entry, "reg.name", path, tv,
				"%s; the path itself names %s's build (a multiarch path or loader "
				"name), so no build for %s can be at it",
				base, crimg_arch_name(pa), port_dst(p));
	}
	snprintf(tv, sizeof(tv), "a build for %s at the same path (not looked up)", port_dst(p));
	return port_add(p, r, P_CONVERT, x->t->pid, fimg, entry, "reg.name", path, tv,
			"%s; it needs a build for %s at the same path with aligned symbols "
			"(--root DIR or --host FILE tells whether the target has one)",
			base, port_dst(p));
}

static int files(struct mctx *x)
{
	const struct crimg_task_mm *mm = x->mm;
	/* the executable first, then each other file mapped executable, once */
	uint64_t seen[64];
	size_t n_seen = 0;
	if (mm->exe) {
		unsigned em = 0;
		for (size_t i = 0; i < mm->n_vmas && !em; i++)
			if (mm->vmas[i].file == mm->exe && mm->vmas[i].pgoff == 0)
				em = elf_in_pages(x, mm->vmas[i].start);
		const char *path = mm->exe->path ? mm->exe->path : "?";
		if (one_file(x, mm->exe, path, 1, em) < 0)
			return -1;
		seen[n_seen++] = mm->exe->id;
	}
	for (size_t i = 0; i < mm->n_vmas; i++) {
		const struct crimg_task_vma *v = &mm->vmas[i];
		if (v->kind != CRIMG_VMA_KIND_FILE || !(v->prot & PROT_EXEC_))
			continue;
		uint64_t id = v->file ? v->file->id : v->shmid;
		int dup = 0;
		for (size_t j = 0; j < n_seen && !dup; j++)
			dup = seen[j] == id;
		if (dup)
			continue;
		if (n_seen < sizeof(seen) / sizeof(seen[0]))
			seen[n_seen++] = id;
		unsigned em = 0;
		for (size_t j = 0; j < mm->n_vmas && !em; j++)
			if (mm->vmas[j].kind == CRIMG_VMA_KIND_FILE && mm->vmas[j].pgoff == 0 &&
			    (v->file ? mm->vmas[j].file == v->file : mm->vmas[j].shmid == id))
				em = elf_in_pages(x, mm->vmas[j].start);
		const char *path = v->file && v->file->path ? v->file->path
							    : (v->name && *v->name ? v->name : "?");
		if (one_file(x, v->file, path, 0, em) < 0)
			return -1;
	}
	return 0;
}

/* ---- the checkpoint's pages: code and data ---- */

static int pages(struct mctx *x)
{
	struct port *p = x->p;
	const struct crimg_task_mm *mm = x->mm;
	uint64_t code = 0, data = 0;
	size_t n_code = 0;
	int64_t first = -1;
	char field[32], v[200], tv[96];
	for (size_t i = 0; i < mm->n_vmas; i++) {
		const struct crimg_task_vma *a = &mm->vmas[i];
		if (a->kind == CRIMG_VMA_KIND_VDSO || a->kind == CRIMG_VMA_KIND_VVAR ||
		    a->kind == CRIMG_VMA_KIND_VSYSCALL)
			continue;
		uint64_t d = dumped(x, a);
		if (!d)
			continue;
		if (!(a->prot & PROT_EXEC_)) {
			data += d;
			continue;
		}
		if (a->kind == CRIMG_VMA_KIND_FILE) {
			code += d;
			n_code++;
			if (first < 0)
				first = (int64_t)i;
			continue;
		}
		/* executable memory no file backs: a JIT's code */
		snprintf(field, sizeof(field), "vmas[%zu]", i);
		vma_str(a, v, sizeof(v));
		if (port_add(p, R_ARCH_CODE_PAGES, P_BLOCKS, x->t->pid, x->img, 0, field, v, "",
			     "%s: %" PRIu64 " bytes of executable memory no file backs "
			     "(%s): code the program made for %s, which no converter translates",
			     x->who, d, v, port_src(p)) < 0)
			return -1;
	}
	if (code) {
		const struct crimg_task_vma *a = &mm->vmas[first];
		snprintf(field, sizeof(field), "vmas[%" PRId64 "]", first);
		vma_str(a, v, sizeof(v));
		snprintf(tv, sizeof(tv), "dropped: the target build's file holds the code");
		if (port_add(p, R_ARCH_CODE_PAGES, P_CONVERT, x->t->pid, x->img, 0, field, v, tv,
			     "%s: %" PRIu64 " bytes of %s code from %zu executable file "
			     "mapping%s in the checkpoint's pages (the first: %s + 0x%" PRIx64 ")",
			     x->who, code, port_src(p), n_code, n_code == 1 ? "" : "s",
			     a->name && *a->name ? a->name : "?", a->pgoff) < 0)
			return -1;
	}
	if (data) {
		char pm[40];
		snprintf(pm, sizeof(pm), "pagemap-%" PRIu32 ".img", x->t->pid);
		snprintf(v, sizeof(v), "%" PRIu64 " bytes", data);
		if (port_add(p, R_ARCH_MEMORY, P_CONVERT, x->t->pid, pm, -1, "", v,
			     "the same bytes at the same addresses",
			     "%s: %" PRIu64 " bytes of memory (heap, stacks, data) in the "
			     "checkpoint, copied as they are: valid on %s only with the same "
			     "data layout and code addresses in both builds",
			     x->who, data, port_dst(p)) < 0)
			return -1;
	}
	return 0;
}

int port_mm(struct port *p, const struct crimg_task *t)
{
	struct crimg_error e;
	crimg_error_clear(&e);
	const struct crimg_task_core *core = crimg_task_core(p->c, t, &e);
	if (!core || crimg_task_is_zombie(core))
		return 0; /* told by port_threads */
	struct mctx x = { .p = p, .t = t, .comm = core->comm ? core->comm : "?" };
	snprintf(x.img, sizeof(x.img), "mm-%" PRIu32 ".img", t->pid);
	snprintf(x.who, sizeof(x.who), "pid %" PRIu32 " (%.32s)", t->pid, x.comm);
	crimg_error_clear(&e);
	x.mm = crimg_task_mm(p->c, t, &e);
	if (!x.mm)
		return port_unreadable(p, t->pid, x.img, &e);
	struct crimg_mem_opts mo = { .page_size = p->page_size };
	crimg_error_clear(&e);
	x.mem = crimg_mem_open(p->c, t->pid, &mo, &e);
	int rc = 0;
	if (!x.mem) {
		char pm[40];
		snprintf(pm, sizeof(pm), "pagemap-%" PRIu32 ".img", t->pid);
		rc = port_unreadable(p, t->pid, pm, &e);
	}
	if (!rc)
		rc = auxv(&x) < 0 || vdso(&x) < 0 || vsyscall(&x) < 0 || address_space(&x) < 0 ||
				files(&x) < 0 || (x.mem && pages(&x) < 0)
			? -1
			: 0;
	crimg_mem_close(x.mem);
	return rc;
}
