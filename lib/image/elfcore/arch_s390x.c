/*
 * elfcore/arch_s390x.c: s390x registers as the kernel's core notes hold
 * them, big-endian.  NT_PRSTATUS carries s390_regs (the PSW, r0..r15,
 * the access registers, orig_gpr2); NT_FPREGSET the fpc and f0..f15; and
 * the s390 notes gdb reads to choose its register set: the last breaking
 * event address and the system call (which tell it the kernel has them),
 * the vector registers' two halves, the guarded-storage and
 * runtime-instrumentation control blocks when the images hold them.
 */
#include "base/base.h"
#include "core-s390.pb-c.h"
#include "core.pb-c.h"
#include "elfcore/elfcore_int.h"

#define NT_S390_LAST_BREAK 0x306

static const ThreadInfoS390 *info(const struct crimg_thread *th)
{
	const ProtobufCMessage *m = th->regs.thread_info;
	if (!m || m->descriptor != &thread_info_s390__descriptor)
		return NULL;
	return (const ThreadInfoS390 *)m;
}

static int s390_gregs(struct ec_buf *b, const struct crimg_thread *th, const char *img,
		      struct crimg_error *err)
{
	const ThreadInfoS390 *ti = info(th);
	if (!ti || !ti->gpregs)
		return crimg_fail(err, img, -1, 0, "thread %u has no s390 registers (ti_s390)",
				  th->tid);
	const UserS390RegsEntry *r = ti->gpregs;
	if (r->n_gprs != 16 || r->n_acrs != 16)
		return crimg_fail(err, img, -1, 0,
				  "thread %u: %zu general and %zu access registers, not 16 and 16",
				  th->tid, r->n_gprs, r->n_acrs);
	ec_u64(b, r->psw_mask);
	ec_u64(b, r->psw_addr);
	for (size_t i = 0; i < 16; i++)
		ec_u64(b, r->gprs[i]);
	for (size_t i = 0; i < 16; i++)
		ec_u32(b, r->acrs[i]);
	ec_u64(b, r->orig_gpr2);
	return 0;
}

/* A note of the words of a control block, when the images hold exactly
 * the count the kernel's structure has. */
static int words_note(struct ec_notes *n, uint32_t type, const uint64_t *w, size_t cnt, size_t want,
		      const char *what, const struct crimg_thread *th, const char *img,
		      struct crimg_error *err)
{
	if (cnt != want)
		return crimg_fail(err, img, -1, 0, "thread %u: %s holds %zu words, not %zu",
				  th->tid, what, cnt, want);
	size_t at = ec_note_begin(n, "LINUX", type);
	for (size_t i = 0; i < cnt; i++)
		ec_u64(&n->b, w[i]);
	ec_note_end(n, at);
	return 0;
}

static int s390_fpnotes(struct ec_notes *n, const struct crimg_thread *th, const char *img,
			const struct crimg_task_mm *mm, uint64_t *xcr0, struct crimg_error *err)
{
	(void)mm;
	(void)xcr0;
	const ThreadInfoS390 *ti = info(th);
	if (!ti)
		return 0;
	if (ti->fpregs) {
		if (ti->fpregs->n_fprs != 16)
			return crimg_fail(err, img, -1, 0,
					  "thread %u: %zu floating-point registers, not 16",
					  th->tid, ti->fpregs->n_fprs);
		size_t at = ec_note_begin(n, "CORE", EC_NT_FPREGSET);
		ec_u32(&n->b, ti->fpregs->fpc);
		ec_u32(&n->b, 0);
		for (size_t i = 0; i < 16; i++)
			ec_u64(&n->b, ti->fpregs->fprs[i]);
		ec_note_end(n, at);
	}
	size_t at = ec_note_begin(n, "LINUX", NT_S390_LAST_BREAK);
	ec_u64(&n->b, 0); /* not saved by CRIU */
	ec_note_end(n, at);
	at = ec_note_begin(n, "LINUX", EC_NT_S390_SYSTEM_CALL);
	ec_u32(&n->b, ti->gpregs ? ti->gpregs->system_call : 0);
	ec_note_end(n, at);
	if (ti->vxrs_low &&
	    words_note(n, EC_NT_S390_VXRS_LOW, ti->vxrs_low->regs, ti->vxrs_low->n_regs, 16,
		       "vxrs_low", th, img, err) < 0)
		return -1;
	if (ti->vxrs_high &&
	    words_note(n, EC_NT_S390_VXRS_HIGH, ti->vxrs_high->regs, ti->vxrs_high->n_regs, 32,
		       "vxrs_high", th, img, err) < 0)
		return -1;
	if (ti->gs_cb &&
	    words_note(n, EC_NT_S390_GS_CB, ti->gs_cb->regs, ti->gs_cb->n_regs, 4, "gs_cb", th, img,
		       err) < 0)
		return -1;
	if (ti->gs_bc &&
	    words_note(n, EC_NT_S390_GS_BC, ti->gs_bc->regs, ti->gs_bc->n_regs, 4, "gs_bc", th, img,
		       err) < 0)
		return -1;
	if (ti->ri_cb && ti->ri_cb->ri_on &&
	    words_note(n, EC_NT_S390_RI_CB, ti->ri_cb->regs, ti->ri_cb->n_regs, 8, "ri_cb", th, img,
		       err) < 0)
		return -1;
	return 0;
}

static int s390_fpvalid(const struct crimg_thread *th)
{
	const ThreadInfoS390 *ti = info(th);
	return ti && ti->fpregs;
}

const struct ec_arch ec_arch_s390x = {
	.mtype = CORE_ENTRY__MARCH__S390,
	.name = "s390x",
	.machine = 22, /* EM_S390 */
	.greg_size = 27 * 8,
	.page = 4096,
	.gregs = s390_gregs,
	.fpnotes = s390_fpnotes,
	.fpvalid = s390_fpvalid,
};
