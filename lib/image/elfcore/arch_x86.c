/*
 * elfcore/arch_x86.c: x86_64 registers as the kernel's core notes hold
 * them.  NT_PRSTATUS carries user_regs_struct, whose 27 registers are in
 * the order of user_x86_regs_entry's fields; NT_FPREGSET the 512-byte
 * FXSAVE area; NT_X86_XSTATE the XSAVE area in its standard (not
 * compacted) form, with XCR0 in the FXSAVE area's software bytes at 464,
 * where gdb reads it to choose the register set (SSE, AVX, MPX, AVX-512,
 * PKU).
 */
#include <string.h>

#include "base/base.h"
#include "core-x86.pb-c.h"
#include "core.pb-c.h"
#include "elfcore/elfcore_int.h"

#define XCR0_OFFSET 464
#define XSAVE_HDR 512
#define XSAVE_LEGACY_AND_HDR 576

static const ThreadInfoX86 *info(const struct crimg_thread *th)
{
	const ProtobufCMessage *m = th->regs.thread_info;
	if (!m || m->descriptor != &thread_info_x86__descriptor)
		return NULL;
	return (const ThreadInfoX86 *)m;
}

static int x86_gregs(struct ec_buf *b, const struct crimg_thread *th, const char *img,
		     struct crimg_error *err)
{
	const ThreadInfoX86 *ti = info(th);
	if (!ti || !ti->gpregs)
		return crimg_fail(err, img, -1, 0,
				  "thread %u has no x86_64 registers (thread_info)", th->tid);
	const UserX86RegsEntry *r = ti->gpregs;
	if (r->has_mode && r->mode == USER_X86_REGS_MODE__COMPAT)
		return crimg_fail(err, img, -1, 0,
				  "thread %u is a 32-bit (compat) task: its core would be ELFCLASS32, "
				  "which crit core does not write",
				  th->tid);
	const uint64_t v[27] = { r->r15,     r->r14,     r->r13, r->r12, r->bp,    r->bx, r->r11,
				 r->r10,     r->r9,      r->r8,  r->ax,  r->cx,    r->dx, r->si,
				 r->di,      r->orig_ax, r->ip,  r->cs,  r->flags, r->sp, r->ss,
				 r->fs_base, r->gs_base, r->ds,  r->es,  r->fs,    r->gs };
	for (size_t i = 0; i < 27; i++)
		ec_u64(b, v[i]);
	return 0;
}

/* The FXSAVE area: 512 bytes, xcr0 (or 0) in the software bytes. */
static int fxsave(struct ec_buf *b, const UserX86FpregsEntry *f, uint64_t xcr0, const char *img,
		  uint32_t tid, struct crimg_error *err)
{
	/* CRIU writes the whole area; its restore refuses anything else */
	if (f->n_st_space != 32 || f->n_xmm_space != 64)
		return crimg_fail(err, img, -1, 0,
				  "thread %u: fpregs hold %zu st_space and %zu xmm_space words "
				  "(the FXSAVE area has 32 and 64)",
				  tid, f->n_st_space, f->n_xmm_space);
	size_t at = b->len;
	ec_u16(b, (uint16_t)f->cwd);
	ec_u16(b, (uint16_t)f->swd);
	ec_u16(b, (uint16_t)f->twd);
	ec_u16(b, (uint16_t)f->fop);
	ec_u64(b, f->rip);
	ec_u64(b, f->rdp);
	ec_u32(b, f->mxcsr);
	ec_u32(b, f->mxcsr_mask);
	for (size_t i = 0; i < 32; i++)
		ec_u32(b, f->st_space[i]);
	for (size_t i = 0; i < 64; i++)
		ec_u32(b, f->xmm_space[i]);
	ec_put(b, NULL, at + 512 - b->len);
	ec_set_u64(b, at + XCR0_OFFSET, xcr0);
	return 0;
}

/* The XSAVE components past AVX that user_x86_xsave_entry holds, at
 * their standard-form offsets (CPUID leaf 0xd on Intel; gdb's tables). */
struct component {
	unsigned bit;
	size_t off, size;
	size_t elem; /* 4 or 8: the width of the image's words */
};
static const struct component comps[] = {
	{ 2, 576, 256, 4 },   /* YMM_Hi128: ymmh_space */
	{ 3, 960, 64, 8 },    /* BNDREGS: bndreg_state */
	{ 4, 1024, 64, 8 },   /* BNDCSR: bndcsr_state */
	{ 5, 1088, 64, 8 },   /* opmask: opmask_reg */
	{ 6, 1152, 512, 8 },  /* ZMM_Hi256: zmm_upper */
	{ 7, 1664, 1024, 8 }, /* Hi16_ZMM: hi16_zmm */
	{ 9, 2688, 8, 4 },    /* PKRU: pkru */
};

static void words(const UserX86XsaveEntry *x, unsigned bit, size_t *n, const void **p)
{
	switch (bit) {
	case 2:
		*n = x->n_ymmh_space;
		*p = x->ymmh_space;
		break;
	case 3:
		*n = x->n_bndreg_state;
		*p = x->bndreg_state;
		break;
	case 4:
		*n = x->n_bndcsr_state;
		*p = x->bndcsr_state;
		break;
	case 5:
		*n = x->n_opmask_reg;
		*p = x->opmask_reg;
		break;
	case 6:
		*n = x->n_zmm_upper;
		*p = x->zmm_upper;
		break;
	case 7:
		*n = x->n_hi16_zmm;
		*p = x->hi16_zmm;
		break;
	default:
		*n = x->n_pkru;
		*p = x->pkru;
		break;
	}
}

static int x86_fpnotes(struct ec_notes *n, const struct crimg_thread *th, const char *img,
		       const struct crimg_task_mm *mm, uint64_t *xcr0, struct crimg_error *err)
{
	(void)mm;
	const ThreadInfoX86 *ti = info(th);
	if (!ti || !ti->fpregs)
		return 0; /* no FPU state saved: gdb shows the general registers only */
	const UserX86FpregsEntry *f = ti->fpregs;
	size_t at = ec_note_begin(n, "CORE", EC_NT_FPREGSET);
	if (fxsave(&n->b, f, 0, img, th->tid, err) < 0)
		return -1;
	ec_note_end(n, at);
	const UserX86XsaveEntry *x = f->xsave;
	if (!x)
		return 0;

	/* XCR0: x87 and SSE always; a component when the image holds its
	 * words or the header says it is in use */
	uint64_t mask = 3;
	for (size_t i = 0; i < sizeof(comps) / sizeof(comps[0]); i++) {
		size_t cnt;
		const void *p;
		words(x, comps[i].bit, &cnt, &p);
		/* absent, or the whole component (PKRU: its word, or two; BNDCSR:
		 * its two registers, the rest of its 64 bytes being padding) */
		size_t want = comps[i].size / comps[i].elem;
		if (cnt && cnt != want && !(comps[i].bit == 9 && cnt == 1) &&
		    !(comps[i].bit == 4 && cnt < want))
			return crimg_fail(err, img, -1, 0,
					  "thread %u: xsave component %u holds %zu words, not the %zu of "
					  "its %zu bytes",
					  th->tid, comps[i].bit, cnt, want, comps[i].size);
		if (cnt || (x->xstate_bv >> comps[i].bit & 1))
			mask |= 1ull << comps[i].bit;
	}
	/* MPX's two components and AVX-512's three come and go together */
	if (mask & (3ull << 3))
		mask |= 3ull << 3;
	if (mask & (7ull << 5))
		mask |= 7ull << 5 | 1ull << 2;
	size_t size = XSAVE_LEGACY_AND_HDR;
	for (size_t i = 0; i < sizeof(comps) / sizeof(comps[0]); i++)
		if (mask >> comps[i].bit & 1 && comps[i].off + comps[i].size > size)
			size = comps[i].off + comps[i].size;

	at = ec_note_begin(n, "LINUX", EC_NT_X86_XSTATE);
	size_t base = n->b.len;
	if (fxsave(&n->b, f, mask, img, th->tid, err) < 0)
		return -1;
	ec_u64(&n->b, x->xstate_bv & mask); /* XSTATE_BV */
	ec_u64(&n->b, 0);                   /* XCOMP_BV: standard form */
	ec_put(&n->b, NULL, base + size - n->b.len);
	for (size_t i = 0; i < sizeof(comps) / sizeof(comps[0]); i++) {
		size_t cnt;
		const void *p;
		words(x, comps[i].bit, &cnt, &p);
		if (!(mask >> comps[i].bit & 1))
			continue;
		for (size_t k = 0; k < cnt; k++) {
			size_t off = base + comps[i].off + k * comps[i].elem;
			if (comps[i].elem == 4)
				ec_set_u32(&n->b, off, ((const uint32_t *)p)[k]);
			else
				ec_set_u64(&n->b, off, ((const uint64_t *)p)[k]);
		}
	}
	ec_note_end(n, at);
	*xcr0 = mask;
	return 0;
}

static int x86_fpvalid(const struct crimg_thread *th)
{
	const ThreadInfoX86 *ti = info(th);
	return ti && ti->fpregs;
}

const struct ec_arch ec_arch_x86_64 = {
	.mtype = CORE_ENTRY__MARCH__X86_64,
	.name = "x86_64",
	.machine = 62, /* EM_X86_64 */
	.greg_size = 27 * 8,
	.page = 4096,
	.gregs = x86_gregs,
	.fpnotes = x86_fpnotes,
	.fpvalid = x86_fpvalid,
};
