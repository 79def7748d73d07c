/*
 * elfcore/arch_aarch64.c: aarch64 registers as the kernel's core notes
 * hold them.  NT_PRSTATUS carries user_pt_regs (x0..x30, sp, pc, pstate);
 * NT_FPREGSET user_fpsimd_state (v0..v31, fpsr, fpcr); NT_ARM_TLS the
 * thread pointer (tpidr_el0), which gdb needs for TLS variables; and,
 * when the task used pointer authentication (the images hold its keys),
 * NT_ARM_PAC_MASK, without which gdb cannot strip the signatures from
 * return addresses and unwinding stops at the first frame.
 */
#include "base/base.h"
#include "core-aarch64.pb-c.h"
#include "core.pb-c.h"
#include "elfcore/elfcore_int.h"

static const ThreadInfoAarch64 *info(const struct crimg_thread *th)
{
	const ProtobufCMessage *m = th->regs.thread_info;
	if (!m || m->descriptor != &thread_info_aarch64__descriptor)
		return NULL;
	return (const ThreadInfoAarch64 *)m;
}

static int a64_gregs(struct ec_buf *b, const struct crimg_thread *th, const char *img,
		     struct crimg_error *err)
{
	const ThreadInfoAarch64 *ti = info(th);
	if (!ti || !ti->gpregs)
		return crimg_fail(err, img, -1, 0,
				  "thread %u has no aarch64 registers (ti_aarch64)", th->tid);
	const UserAarch64RegsEntry *r = ti->gpregs;
	if (r->n_regs != 31)
		return crimg_fail(err, img, -1, 0, "thread %u: %zu general registers, not x0..x30",
				  th->tid, r->n_regs);
	for (size_t i = 0; i < 31; i++)
		ec_u64(b, r->regs[i]);
	ec_u64(b, r->sp);
	ec_u64(b, r->pc);
	ec_u64(b, r->pstate);
	return 0;
}

/* GENMASK(54, va_bits): the bits a PAC signature occupies in a user
 * address.  The images do not record the kernel's VA size: 48 bits unless
 * a mapping lies above them. */
static uint64_t pac_mask(const struct crimg_task_mm *mm)
{
	unsigned va = 48;
	for (size_t i = 0; i < mm->n_vmas; i++)
		if (mm->vmas[i].end > (1ull << 48))
			va = 52;
	return ((1ull << 55) - 1) & ~((1ull << va) - 1);
}

static int a64_fpnotes(struct ec_notes *n, const struct crimg_thread *th, const char *img,
		       const struct crimg_task_mm *mm, uint64_t *xcr0, struct crimg_error *err)
{
	(void)xcr0;
	const ThreadInfoAarch64 *ti = info(th);
	if (!ti)
		return 0;
	const UserAarch64FpsimdContextEntry *f = ti->fpsimd;
	if (f) {
		if (f->n_vregs != 64)
			return crimg_fail(err, img, -1, 0,
					  "thread %u: fpsimd holds %zu words, not v0..v31's 64",
					  th->tid, f->n_vregs);
		size_t at = ec_note_begin(n, "CORE", EC_NT_FPREGSET);
		for (size_t i = 0; i < 64; i++) /* each v: low half, high half */
			ec_u64(&n->b, f->vregs[i]);
		ec_u32(&n->b, f->fpsr);
		ec_u32(&n->b, f->fpcr);
		ec_put(&n->b, NULL, 8);
		ec_note_end(n, at);
	}
	size_t at = ec_note_begin(n, "LINUX", EC_NT_ARM_TLS);
	ec_u64(&n->b, ti->tls);
	ec_note_end(n, at);
	if (ti->pac_keys) {
		uint64_t mask = pac_mask(mm);
		at = ec_note_begin(n, "LINUX", EC_NT_ARM_PAC_MASK);
		ec_u64(&n->b, mask); /* data_mask */
		ec_u64(&n->b, mask); /* insn_mask */
		ec_note_end(n, at);
	}
	return 0;
}

static int a64_fpvalid(const struct crimg_thread *th)
{
	const ThreadInfoAarch64 *ti = info(th);
	return ti && ti->fpsimd;
}

const struct ec_arch ec_arch_aarch64 = {
	.mtype = CORE_ENTRY__MARCH__AARCH64,
	.name = "aarch64",
	.machine = 183, /* EM_AARCH64 */
	.greg_size = 34 * 8,
	.page = 4096,
	.gregs = a64_gregs,
	.fpnotes = a64_fpnotes,
	.fpvalid = a64_fpvalid,
};
