/*
 * Part 4, the threads: what each core ties to its architecture.  The
 * machine type and register file (arch-mtype), where each thread stopped
 * (arch-registers) and whether in a system call (arch-syscall), its FP and
 * vector state (arch-fpu) and state only its CPU has (arch-cpu-state), the
 * thread pointer (arch-tls), signal handlers, queued signals and frames
 * (arch-signals, arch-signal-frame), rseq (arch-rseq).
 *
 * What a call boundary preserves decides the FP verdicts: x86_64 keeps no
 * vector register across a call (all caller-saved), aarch64 keeps d8-d15
 * and s390x f8-f15; each keeps its FP control word.  A migration point is
 * a call, so only those parts must survive the move.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "check/host_check.h"
#include "check/port.h"

#define PROT_EXEC_ 4u

/* A thread's register by name (as the model names them: "orig_ax",
 * "x8", "r2", "a0"): 1 and *v, or 0. */
static int reg(const struct crimg_thread *th, const char *name, uint64_t *v)
{
	for (size_t i = 0; i < th->regs.n_gp; i++)
		if (!strcmp(th->regs.gp[i].name, name)) {
			*v = th->regs.gp[i].value;
			return 1;
		}
	return 0;
}

/* A repeated uint64 field of m: its elements (*n), or NULL. */
static const uint64_t *rep_u64(const ProtobufCMessage *m, const char *name, size_t *n)
{
	*n = 0;
	if (!m || !m->descriptor)
		return NULL;
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
	if (!f || f->label != PROTOBUF_C_LABEL_REPEATED ||
	    (f->type != PROTOBUF_C_TYPE_UINT64 && f->type != PROTOBUF_C_TYPE_FIXED64))
		return NULL;
	*n = *(const size_t *)((const char *)m + f->quantifier_offset);
	return *(const uint64_t *const *)((const char *)m + f->offset);
}

/* The name of the thread info field of an mtype ("thread_info", ...). */
static const char *ti_name(unsigned mtype)
{
	switch (mtype) {
	case PORT_X86_64:
		return "thread_info";
	case PORT_AARCH64:
		return "ti_aarch64";
	case PORT_S390:
		return "ti_s390";
	}
	return "thread_info";
}

static const char *pc_name(unsigned mtype)
{
	switch (mtype) {
	case PORT_AARCH64:
		return "pc";
	case PORT_S390:
		return "psw_addr";
	}
	return "ip";
}

struct tctx {
	struct port *p;
	const struct crimg_task *t;
	const char *comm;
	const struct crimg_task_mm *mm; /* NULL when unreadable */
	unsigned mtype;
};

/* "pid 42 (comm)" or "thread 43 of pid 42 (comm)" into buf */
static const char *who(const struct tctx *x, uint32_t tid, char *buf, size_t len)
{
	if (tid == x->t->pid)
		snprintf(buf, len, "pid %" PRIu32 " (%.32s)", tid, x->comm);
	else
		snprintf(buf, len, "thread %" PRIu32 " of pid %" PRIu32 " (%.32s)", tid, x->t->pid,
			 x->comm);
	return buf;
}

/* ---- per thread ---- */

static int registers(struct tctx *x, const struct crimg_thread *th)
{
	struct port *p = x->p;
	char img[40], field[64], v[32], w[160], sw[160], wh[96];
	const struct crimg_task_vma *pv, *sv;
	if (!th->regs.has_pc)
		return 0;
	snprintf(img, sizeof(img), "core-%" PRIu32 ".img", th->tid);
	snprintf(field, sizeof(field), "%s.gpregs.%s", ti_name(x->mtype), pc_name(x->mtype));
	snprintf(v, sizeof(v), "0x%" PRIx64, th->regs.pc);
	port_where(x->mm, th->regs.pc, w, sizeof(w), &pv);
	port_where(x->mm, th->regs.sp, sw, sizeof(sw), &sv);
	who(x, th->tid, wh, sizeof(wh));
	if (pv && pv->kind == CRIMG_VMA_KIND_FILE && (pv->prot & PROT_EXEC_))
		return port_add(p, R_ARCH_REGISTERS, P_CONVERT, x->t->pid, img, 0, field, v,
				"the target build's address of the same point",
				"%s stopped at 0x%" PRIx64 " in %s (sp 0x%" PRIx64
				" in %s): a migration point only if the %s build has the same "
				"point at the same place",
				wh, th->regs.pc, w, th->regs.sp, sw, port_dst(p));
	if (pv && pv->kind == CRIMG_VMA_KIND_VDSO)
		return port_add(p, R_ARCH_REGISTERS, P_BLOCKS, x->t->pid, img, 0, field, v, "",
				"%s stopped at 0x%" PRIx64 " in the vDSO, the source kernel's "
				"code, which does not move",
				wh, th->regs.pc);
	if (!pv)
		return port_add(p, R_ARCH_REGISTERS, P_BLOCKS, x->t->pid, img, 0, field, v, "",
				"%s stopped at 0x%" PRIx64 ", which no mapping holds: there is no "
				"code to find the same point in",
				wh, th->regs.pc);
	return port_add(p, R_ARCH_REGISTERS, P_BLOCKS, x->t->pid, img, 0, field, v, "",
			"%s stopped at 0x%" PRIx64 " in %s, which no executable file backs: "
			"code the program made itself (a JIT)",
			wh, th->regs.pc, w);
}

/* "pause (34 on x86_64); aarch64 has no pause" into buf, for target */
static const char *call_on_target(struct port *p, const char *name, char *buf, size_t len)
{
	int64_t tn = name ? port_syscall_nr(p->dst, name) : -1;
	if (!name)
		snprintf(buf, len, "the number of the same call on %s", port_dst(p));
	else if (tn < 0)
		snprintf(buf, len, "%s has no %s: the target build makes another call", port_dst(p),
			 name);
	else
		snprintf(buf, len, "%s is %" PRId64 " on %s", name, tn, port_dst(p));
	return buf;
}

static int syscall_state(struct tctx *x, const struct crimg_thread *th)
{
	struct port *p = x->p;
	char img[40], field[64], v[48], tv[128], wh[96];
	uint64_t nr, ret, r2, orig;
	snprintf(img, sizeof(img), "core-%" PRIu32 ".img", th->tid);
	who(x, th->tid, wh, sizeof(wh));
	if (x->mtype == PORT_X86_64) {
		if (!reg(th, "orig_ax", &nr) || (int64_t)nr < 0 || !reg(th, "ax", &ret))
			return 0;
		const char *name = port_syscall_name(PORT_X86_64, nr);
		snprintf(field, sizeof(field), "thread_info.gpregs.orig_ax");
		snprintf(v, sizeof(v), "%" PRIu64, nr);
		call_on_target(p, name, tv, sizeof(tv));
		/* the syscall instruction leaves the address after it in cx: ip two
		 * bytes before it is the instruction itself */
		uint64_t cx = 0;
		if (ret == nr && reg(th, "cx", &cx) && cx == th->regs.pc + 2)
			return port_add(p, R_ARCH_SYSCALL, P_CONVERT, x->t->pid, img, 0, field, v,
					tv,
					"%s was in syscall %" PRIu64
					" (%s), rewound to run again at "
					"restore: ax = orig_ax, and ip at the syscall instruction (cx, "
					"the address after it, is ip + 2)",
					wh, nr, name ? name : "not in the report's table");
		if (ret == nr)
			return port_add(p, R_ARCH_SYSCALL, P_CONVERT, x->t->pid, img, 0, field, v,
					tv, "%s was in syscall %" PRIu64 " (%s), with ax = orig_ax",
					wh, nr, name ? name : "not in the report's table");
		return port_add(p, R_ARCH_SYSCALL, P_CONVERT, x->t->pid, img, 0, field, v, tv,
				"%s was in syscall %" PRIu64 " (%s), which returns %" PRId64
				" (ax) at restore",
				wh, nr, name ? name : "not in the report's table", (int64_t)ret);
	}
	if (x->mtype == PORT_AARCH64) {
		const char *name = reg(th, "x8", &nr) ? port_syscall_name(PORT_AARCH64, nr) : NULL;
		if (!name)
			return 0; /* x8 names no call: not likely in one */
		snprintf(v, sizeof(v), "%" PRIu64, nr);
		call_on_target(p, name, tv, sizeof(tv));
		return port_add(p, R_ARCH_SYSCALL, P_CONVERT, x->t->pid, img, 0,
				"ti_aarch64.gpregs.regs[8]", v, tv,
				"%s: x8 = %" PRIu64 " (%s on aarch64); the aarch64 image keeps no "
				"syscall state, so whether the thread was in that call and "
				"restarts it is told by its PC alone",
				wh, nr, name);
	}
	if (x->mtype == PORT_S390) {
		uint64_t sc;
		if (!hc_u64(hc_sub(th->regs.thread_info, "gpregs"), "system_call", &sc) || !sc)
			return 0;
		nr = sc & 0xffff;
		if (!nr) /* svc 0: the number is in r1 */
			reg(th, "r1", &nr);
		const char *name = port_syscall_name(PORT_S390, nr);
		snprintf(v, sizeof(v), "0x%" PRIx64, sc);
		call_on_target(p, name, tv, sizeof(tv));
		r2 = orig = 0;
		reg(th, "r2", &r2);
		hc_u64(hc_sub(th->regs.thread_info, "gpregs"), "orig_gpr2", &orig);
		/* s390x does not rewind the PSW: the kernel restarts from
		 * system_call and orig_gpr2, which CRIU restores */
		return port_add(p, R_ARCH_SYSCALL, P_CONVERT, x->t->pid, img, 0,
				"ti_s390.gpregs.system_call", v, tv,
				"%s was in syscall %" PRIu64 " (%s): system_call 0x%" PRIx64
				", orig_gpr2 0x%" PRIx64 ", r2 0x%" PRIx64
				"; the restart state is in system_call and orig_gpr2",
				wh, nr, name ? name : "not in the report's table", sc, orig, r2);
	}
	return 0;
}

static int signal_frame(struct tctx *x, const struct crimg_thread *th)
{
	uint64_t fl, sp = 0;
	const ProtobufCMessage *sas = hc_sub(hc_sub(th->msg, "thread_core"), "sas");
	if (!hc_u64(sas, "ss_flags", &fl) || !(fl & 1)) /* SS_ONSTACK */
		return 0;
	hc_u64(sas, "ss_sp", &sp);
	char img[40], v[32], wh[96];
	snprintf(img, sizeof(img), "core-%" PRIu32 ".img", th->tid);
	snprintf(v, sizeof(v), "%" PRIu64, fl);
	return port_add(x->p, R_ARCH_SIGNAL_FRAME, -1, x->t->pid, img, 0,
			"thread_core.sas.ss_flags", v, "",
			"%s runs on its alternate signal stack (at 0x%" PRIx64
			"): a signal handler is running over a %s signal frame",
			who(x, th->tid, wh, sizeof(wh)), sp, port_src(x->p));
}

/* ---- per task, over its threads ---- */

struct agg {
	int sev;        /* the worst verdict so far, -1 none */
	uint32_t tid;   /* the thread of the evidence */
	char field[80]; /* its field and value */
	char value[64];
	char why[256];    /* what makes it that verdict */
	size_t n_threads; /* threads that have the item */
};

static void agg_init(struct agg *a)
{
	memset(a, 0, sizeof(*a));
	a->sev = -1;
}

/* Takes thread tid's judgement when it is worse than what a holds. */
static void agg_take(struct agg *a, int sev, uint32_t tid, const char *field, const char *value,
		     const char *why)
{
	a->n_threads++;
	if (sev <= a->sev)
		return;
	a->sev = sev;
	a->tid = tid;
	snprintf(a->field, sizeof(a->field), "%s", field);
	snprintf(a->value, sizeof(a->value), "%s", value);
	snprintf(a->why, sizeof(a->why), "%s", why);
}

static const char *const xfeature_names[] = {
	"x87",
	"SSE",
	"AVX",
	"MPX bounds",
	"MPX CSR",
	"AVX-512 opmask",
	"AVX-512 ZMM_Hi256",
	"AVX-512 Hi16_ZMM",
	"PT",
	"PKRU",
	"PASID",
	"CET user",
	"CET supervisor",
	"HDC",
	"UINTR",
	"LBR",
	"HWP",
	"AMX tile config",
	"AMX tile data",
};

static void xfeatures(uint64_t bv, char *buf, size_t len)
{
	size_t k = 0;
	buf[0] = '\0';
	for (unsigned b = 0; b < 64 && k < len; b++) {
		if (!(bv >> b & 1))
			continue;
		char other[16];
		snprintf(other, sizeof(other), "bit %u", b);
		const char *n = b < sizeof(xfeature_names) / sizeof(xfeature_names[0])
			? xfeature_names[b]
			: other;
		int r = snprintf(buf + k, len - k, "%s%s", k ? ", " : "", n);
		if (r < 0 || (size_t)r >= len - k)
			break;
		k += (size_t)r;
	}
	if (!k)
		snprintf(buf, len, "none in use");
}

static void fpu_x86(const struct crimg_thread *th, struct agg *a, uint64_t *bv_all)
{
	const ProtobufCMessage *fp = hc_sub(th->regs.thread_info, "fpregs");
	uint64_t cwd = 0x37f, mxcsr = 0x1f80, bv = 0;
	char v[64], why[256], names[160];
	if (!fp)
		return;
	hc_u64(fp, "cwd", &cwd);
	hc_u64(fp, "mxcsr", &mxcsr);
	hc_u64(hc_sub(fp, "xsave"), "xstate_bv", &bv);
	*bv_all |= bv;
	if ((mxcsr & 0xffc0) != 0x1f80) {
		snprintf(v, sizeof(v), "0x%" PRIx64, mxcsr);
		snprintf(why, sizeof(why),
			 "MXCSR 0x%" PRIx64 " sets rounding or exception masks other than the "
			 "default 0x1f80: the callee-saved control state has no counterpart "
			 "the converter writes",
			 mxcsr);
		agg_take(a, P_BLOCKS, th->tid, "thread_info.fpregs.mxcsr", v, why);
	} else if ((cwd & 0xffff) != 0x37f) {
		snprintf(v, sizeof(v), "0x%" PRIx64, cwd);
		snprintf(why, sizeof(why),
			 "the x87 control word 0x%" PRIx64 " is not the default 0x37f: the "
			 "callee-saved control state has no counterpart the converter writes",
			 cwd);
		agg_take(a, P_BLOCKS, th->tid, "thread_info.fpregs.cwd", v, why);
	} else if (!hc_sub(fp, "xsave")) {
		snprintf(v, sizeof(v), "0x%" PRIx64, mxcsr);
		snprintf(why, sizeof(why),
			 "x87 and SSE state (no xsave area); MXCSR and the x87 control word at "
			 "their defaults; x86_64 keeps no vector register across a call");
		agg_take(a, P_CONVERT, th->tid, "thread_info.fpregs.mxcsr", v, why);
	} else {
		snprintf(v, sizeof(v), "0x%" PRIx64, bv);
		xfeatures(bv, names, sizeof(names));
		snprintf(why, sizeof(why),
			 "xsave components %s; MXCSR and the x87 control word at their "
			 "defaults; x86_64 keeps no vector register across a call",
			 names);
		agg_take(a, P_CONVERT, th->tid, "thread_info.fpregs.xsave.xstate_bv", v, why);
	}
}

static void fpu_aarch64(const struct crimg_thread *th, struct agg *a)
{
	const ProtobufCMessage *fp = hc_sub(th->regs.thread_info, "fpsimd");
	uint64_t fpcr = 0;
	size_t n = 0;
	char v[64], f[48], why[256];
	if (!fp)
		return;
	hc_u64(fp, "fpcr", &fpcr);
	const uint64_t *vr = rep_u64(fp, "vregs", &n);
	if (fpcr) {
		snprintf(v, sizeof(v), "0x%" PRIx64, fpcr);
		snprintf(why, sizeof(why),
			 "FPCR 0x%" PRIx64 " sets rounding, flush-to-zero or traps: the "
			 "callee-saved control state has no counterpart the converter writes",
			 fpcr);
		agg_take(a, P_BLOCKS, th->tid, "ti_aarch64.fpsimd.fpcr", v, why);
		return;
	}
	/* d8-d15: the low halves of v8-v15, vregs[16], [18], ... [30] */
	for (unsigned r = 8; r <= 15; r++)
		if (2 * r < n && vr[2 * r]) {
			snprintf(f, sizeof(f), "ti_aarch64.fpsimd.vregs[%u]", 2 * r);
			snprintf(v, sizeof(v), "0x%" PRIx64, vr[2 * r]);
			snprintf(why, sizeof(why),
				 "d%u holds 0x%" PRIx64 ": d8-d15 are kept across calls on "
				 "aarch64, so callers' values live in them; only a stack "
				 "transformation with both builds' stack maps could move them",
				 r, vr[2 * r]);
			agg_take(a, P_BLOCKS, th->tid, f, v, why);
			return;
		}
	snprintf(why, sizeof(why),
		 "FPSIMD registers with FPCR at its default and the callee-saved d8-d15 zero");
	agg_take(a, P_CONVERT, th->tid, "ti_aarch64.fpsimd.fpcr", "0x0", why);
}

static void fpu_s390(const struct crimg_thread *th, struct agg *a)
{
	const ProtobufCMessage *fp = hc_sub(th->regs.thread_info, "fpregs");
	uint64_t fpc = 0;
	size_t n = 0;
	char v[64], f[48], why[256];
	if (!fp)
		return;
	hc_u64(fp, "fpc", &fpc);
	const uint64_t *fr = rep_u64(fp, "fprs", &n);
	if (fpc) {
		snprintf(v, sizeof(v), "0x%" PRIx64, fpc);
		snprintf(why, sizeof(why),
			 "the FP control register 0x%" PRIx64 " sets rounding or masks: the "
			 "callee-saved control state has no counterpart the converter writes",
			 fpc);
		agg_take(a, P_BLOCKS, th->tid, "ti_s390.fpregs.fpc", v, why);
		return;
	}
	for (unsigned r = 8; r <= 15; r++)
		if (r < n && fr[r]) {
			snprintf(f, sizeof(f), "ti_s390.fpregs.fprs[%u]", r);
			snprintf(v, sizeof(v), "0x%" PRIx64, fr[r]);
			snprintf(why, sizeof(why),
				 "f%u holds 0x%" PRIx64 ": f8-f15 are kept across calls on "
				 "s390x, so callers' values live in them; only a stack "
				 "transformation with both builds' stack maps could move them",
				 r, fr[r]);
			agg_take(a, P_BLOCKS, th->tid, f, v, why);
			return;
		}
	snprintf(why, sizeof(why),
		 "FP and vector registers with the FP control at its default and the "
		 "callee-saved f8-f15 zero");
	agg_take(a, P_CONVERT, th->tid, "ti_s390.fpregs.fpc", "0x0", why);
}

static int fpu(struct tctx *x, const struct crimg_thread *th, size_t n)
{
	struct agg a;
	uint64_t bv = 0;
	agg_init(&a);
	for (size_t i = 0; i < n; i++) {
		if (!th[i].regs.thread_info)
			continue;
		if (x->mtype == PORT_X86_64)
			fpu_x86(&th[i], &a, &bv);
		else if (x->mtype == PORT_AARCH64)
			fpu_aarch64(&th[i], &a);
		else if (x->mtype == PORT_S390)
			fpu_s390(&th[i], &a);
	}
	if (a.sev < 0)
		return 0;
	char img[40], wh[96], all[200] = "";
	snprintf(img, sizeof(img), "core-%" PRIu32 ".img", a.tid);
	if (x->mtype == PORT_X86_64 && a.n_threads > 1 && a.sev == P_CONVERT &&
	    !strcmp(a.field, "thread_info.fpregs.xsave.xstate_bv")) {
		char names[160];
		xfeatures(bv, names, sizeof(names));
		snprintf(all, sizeof(all), " (all threads: %s)", names);
	}
	return port_add(x->p, R_ARCH_FPU, a.sev, x->t->pid, img, 0, a.field, a.value,
			a.sev == P_CONVERT ? "the target's initial FP state" : "",
			"%s, %zu thread%s: %s%s", who(x, x->t->pid, wh, sizeof(wh)), a.n_threads,
			a.n_threads == 1 ? "" : "s", a.why, all);
}

/* x86 protection keys and CET, aarch64 PAC and GCS, s390x guarded storage
 * and runtime instrumentation */
static void cpu_state_one(struct tctx *x, const struct crimg_thread *th, struct agg *a)
{
	const ProtobufCMessage *ti = th->regs.thread_info;
	char v[64], why[256];
	uint64_t u = 0, w = 0;
	if (x->mtype == PORT_X86_64) {
		const ProtobufCMessage *xs = hc_sub(hc_sub(ti, "fpregs"), "xsave");
		size_t n = 0;
		const uint32_t *pk = hc_rep_u32(xs, "pkru", &n);
		uint64_t bv = 0;
		hc_u64(xs, "xstate_bv", &bv);
		/* 0x55555554: the kernel's initial PKRU (only key 0 usable) */
		if ((bv >> 9 & 1) && n && pk[0] && pk[0] != 0x55555554u) {
			snprintf(v, sizeof(v), "0x%" PRIx32, pk[0]);
			snprintf(why, sizeof(why),
				 "memory protection keys in use (PKRU 0x%" PRIx32 ")", pk[0]);
			agg_take(a, P_BLOCKS, th->tid, "thread_info.fpregs.xsave.pkru[0]", v, why);
		}
		const ProtobufCMessage *cet = hc_sub(xs, "cet");
		if (cet && ((hc_u64(cet, "cet", &u) && u) || (hc_u64(cet, "ssp", &w) && w))) {
			snprintf(v, sizeof(v), "0x%" PRIx64, u);
			snprintf(why, sizeof(why),
				 "a CET shadow stack (cet 0x%" PRIx64 ", ssp 0x%" PRIx64 ")", u, w);
			agg_take(a, P_BLOCKS, th->tid, "thread_info.fpregs.xsave.cet.cet", v, why);
		}
	} else if (x->mtype == PORT_AARCH64) {
		const ProtobufCMessage *gcs = hc_sub(ti, "gcs");
		if (gcs && hc_u64(gcs, "features_enabled", &u) && u) {
			snprintf(v, sizeof(v), "0x%" PRIx64, u);
			snprintf(why, sizeof(why),
				 "a guarded control stack (GCS features 0x%" PRIx64 ")", u);
			agg_take(a, P_BLOCKS, th->tid, "ti_aarch64.gcs.features_enabled", v, why);
		}
		const ProtobufCMessage *pac = hc_sub(ti, "pac_keys");
		if (pac) {
			snprintf(why, sizeof(why),
				 "pointer authentication keys (%s%s%s): dropped by the converter; "
				 "return addresses the program signed with them (a build with "
				 "-mbranch-protection) would not survive",
				 hc_sub(pac, "pac_address_keys") ? "address" : "",
				 hc_sub(pac, "pac_address_keys") && hc_sub(pac, "pac_generic_keys")
					 ? " and "
					 : "",
				 hc_sub(pac, "pac_generic_keys") ? "generic" : "");
			agg_take(a, P_CONVERT, th->tid, "ti_aarch64.pac_keys", "present", why);
		}
	} else if (x->mtype == PORT_S390) {
		static const char *const gsn[] = { "gs_cb", "gs_bc" };
		for (size_t g = 0; g < 2; g++) {
			size_t n = 0;
			const uint64_t *r = rep_u64(hc_sub(ti, gsn[g]), "regs", &n);
			int set = 0;
			for (size_t i = 0; i < n; i++)
				set |= r[i] != 0;
			if (!set)
				continue;
			char f[40];
			snprintf(f, sizeof(f), "ti_s390.%s.regs", gsn[g]);
			snprintf(why, sizeof(why), "guarded storage (%s)", gsn[g]);
			agg_take(a, P_BLOCKS, th->tid, f, "set", why);
		}
		if (hc_u64(hc_sub(ti, "ri_cb"), "ri_on", &u) && u) {
			snprintf(why, sizeof(why), "runtime instrumentation switched on");
			agg_take(a, P_BLOCKS, th->tid, "ti_s390.ri_cb.ri_on", "1", why);
		}
	}
}

static int cpu_state(struct tctx *x, const struct crimg_thread *th, size_t n)
{
	struct agg a;
	agg_init(&a);
	for (size_t i = 0; i < n; i++)
		if (th[i].regs.thread_info)
			cpu_state_one(x, &th[i], &a);
	if (a.sev < 0)
		return 0;
	char img[40], wh[96];
	snprintf(img, sizeof(img), "core-%" PRIu32 ".img", a.tid);
	return port_add(x->p, R_ARCH_CPU_STATE, a.sev, x->t->pid, img, 0, a.field, a.value,
			a.sev == P_CONVERT ? "none (dropped)" : "",
			"%s: %s, which %s has no counterpart for", who(x, a.tid, wh, sizeof(wh)),
			a.why, port_dst(x->p));
}

static int tls(struct tctx *x, const struct crimg_thread *th, size_t n)
{
	struct agg a;
	char v[32], why[200], list[200] = "";
	size_t k = 0, set = 0;
	agg_init(&a);
	for (size_t i = 0; i < n; i++) {
		uint64_t tp = th[i].regs.tls, gs = 0, a0 = 0, a1 = 0;
		const char *field = "thread_info.gpregs.fs_base";
		if (!th[i].regs.thread_info || !th[i].regs.n_gp)
			continue;
		if (x->mtype == PORT_AARCH64) {
			field = "ti_aarch64.tls";
		} else if (x->mtype == PORT_S390) {
			field = "ti_s390.gpregs.acrs[0..1]";
			reg(&th[i], "a0", &a0);
			reg(&th[i], "a1", &a1);
			tp = a0 << 32 | (a1 & 0xffffffffu);
		}
		snprintf(v, sizeof(v), "0x%" PRIx64, tp);
		if (x->mtype == PORT_X86_64 && reg(&th[i], "gs_base", &gs) && gs) {
			snprintf(v, sizeof(v), "0x%" PRIx64, gs);
			snprintf(why, sizeof(why),
				 "gs_base 0x%" PRIx64 " is set, a segment base no other "
				 "architecture has",
				 gs);
			agg_take(&a, P_BLOCKS, th[i].tid, "thread_info.gpregs.gs_base", v, why);
			continue;
		}
		if (tp)
			set++;
		if (k < sizeof(list)) {
			int r = snprintf(list + k, sizeof(list) - k, "%s0x%" PRIx64, k ? ", " : "",
					 tp);
			if (r > 0)
				k += (size_t)r;
		}
		agg_take(&a, tp ? P_CONVERT : P_IRRELEVANT, th[i].tid, field, v, "");
	}
	if (a.sev < 0)
		return 0;
	char img[40], wh[96];
	snprintf(img, sizeof(img), "core-%" PRIu32 ".img", a.tid);
	who(x, x->t->pid, wh, sizeof(wh));
	if (a.sev == P_BLOCKS)
		return port_add(x->p, R_ARCH_TLS, a.sev, x->t->pid, img, 0, a.field, a.value, "",
				"%s: %s", wh, a.why);
	if (!set)
		return port_add(x->p, R_ARCH_TLS, P_IRRELEVANT, x->t->pid, img, 0, a.field, a.value,
				"", "%s: no thread pointer is set", wh);
	static const char *const layout[] = {
		[PORT_X86_64] = "fs_base, the end of the TLS block (variant II)",
		[PORT_AARCH64] = "tpidr_el0, the thread control block (variant I)",
		[PORT_S390] = "a0:a1, the thread control block (variant I)",
	};
	char tv[160];
	snprintf(tv, sizeof(tv), "%s's %s from the libc's TCB layout", port_dst(x->p),
		 x->p->dst <= PORT_S390 && layout[x->p->dst] ? layout[x->p->dst]
							     : "thread pointer");
	return port_add(x->p, R_ARCH_TLS, P_CONVERT, x->t->pid, img, 0, a.field, a.value, tv,
			"%s: thread pointer%s %s, %s's %s", wh, a.n_threads == 1 ? "" : "s", list,
			port_src(x->p),
			x->mtype <= PORT_S390 && layout[x->mtype] ? layout[x->mtype] : "TLS");
}

/* glibc's RSEQ_SIG, as the corpus' dumps of each architecture record it */
static uint32_t rseq_sig(unsigned mtype)
{
	switch (mtype) {
	case PORT_X86_64:
		return 0x53053053u;
	case PORT_AARCH64:
		return 0xd428bc00u;
	case PORT_S390:
		return 0xb2ff0fffu;
	}
	return 0;
}

static int rseq(struct tctx *x, const struct crimg_thread *th, size_t n)
{
	struct agg a;
	agg_init(&a);
	uint64_t sig = 0;
	for (size_t i = 0; i < n; i++) {
		const ProtobufCMessage *rs = hc_sub(hc_sub(th[i].msg, "thread_core"), "rseq_entry");
		uint64_t ptr;
		char v[32];
		if (!hc_u64(rs, "rseq_abi_pointer", &ptr) || !ptr)
			continue;
		hc_u64(rs, "signature", &sig);
		snprintf(v, sizeof(v), "0x%" PRIx64, sig);
		agg_take(&a, P_CONVERT, th[i].tid, "thread_core.rseq_entry.signature", v, "");
	}
	if (a.sev < 0)
		return 0;
	char img[40], wh[96], tv[80];
	snprintf(img, sizeof(img), "core-%" PRIu32 ".img", a.tid);
	snprintf(tv, sizeof(tv), "dropped, or %s's 0x%" PRIx32, port_dst(x->p),
		 rseq_sig(x->p->dst));
	return port_add(x->p, R_ARCH_RSEQ, P_CONVERT, x->t->pid, img, 0, a.field, a.value, tv,
			"%s: %zu thread%s registered rseq with the signature %s%s",
			who(x, x->t->pid, wh, sizeof(wh)), a.n_threads, a.n_threads == 1 ? "" : "s",
			a.value,
			sig == rseq_sig(x->mtype) ? " (glibc's for this architecture)" : "");
}

/* the index of signal signo in core's tc.sigactions (no SIGKILL, SIGSTOP) */
static unsigned sa_index(unsigned signo)
{
	return signo - 1 - (signo > 9) - (signo > 19);
}

static int signals(struct tctx *x, const struct crimg_task_core *core,
		   const struct crimg_thread *th, size_t n)
{
	size_t handlers = 0, queued = core->n_shared_pending, restorers = 0;
	const struct crimg_sigaction *first = NULL;
	char list[160] = "";
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		queued += th[i].n_pending;
	for (size_t i = 0; i < core->n_sigactions; i++) {
		const struct crimg_sigaction *s = &core->sigactions[i];
		if (s->handler <= 1)
			continue; /* SIG_IGN means the same everywhere */
		handlers++;
		if (s->flags & 0x04000000u) /* SA_RESTORER */
			restorers++;
		if (!first)
			first = s;
		if (k < sizeof(list)) {
			int r = snprintf(list + k, sizeof(list) - k, "%s%u", k ? ", " : "",
					 s->signo);
			if (r > 0)
				k += (size_t)r;
		}
	}
	if (!handlers && !queued)
		return 0;
	char img[40], wh[96], field[48] = "", v[32] = "", w[160] = "", rw[160] = "", tv[160];
	const struct crimg_task_vma *vma;
	snprintf(img, sizeof(img), "core-%" PRIu32 ".img", x->t->pid);
	if (first) {
		snprintf(field, sizeof(field), "tc.sigactions[%u].sigaction",
			 sa_index(first->signo));
		snprintf(v, sizeof(v), "0x%" PRIx64, first->handler);
		port_where(x->mm, first->handler, w, sizeof(w), &vma);
		if (first->flags & 0x04000000u)
			port_where(x->mm, first->restorer, rw, sizeof(rw), &vma);
	} else {
		snprintf(field, sizeof(field), "tc.signals_s");
		snprintf(v, sizeof(v), "%zu queued", queued);
	}
	if (x->p->dst == PORT_AARCH64)
		snprintf(tv, sizeof(tv),
			 "handlers at the same addresses; aarch64 returns through the vDSO "
			 "(no SA_RESTORER)");
	else
		snprintf(tv, sizeof(tv),
			 "handlers at the same addresses; %s needs SA_RESTORER at the target "
			 "libc's restorer",
			 port_dst(x->p));
	char hs[400] = "";
	if (handlers)
		snprintf(hs, sizeof(hs), "%zu signal handler%s (signal%s %s; the first in %s)%s%s",
			 handlers, handlers == 1 ? "" : "s", handlers == 1 ? "" : "s", list, w,
			 restorers ? ", SA_RESTORER in " : "", restorers ? rw : "");
	return port_add(x->p, R_ARCH_SIGNALS, P_CONVERT, x->t->pid, img, 0, field, v, tv,
			"%s: %s%s%zu queued signal%s (siginfo in %s's layout)",
			who(x, x->t->pid, wh, sizeof(wh)), hs, handlers ? "; " : "", queued,
			queued == 1 ? "" : "s", port_src(x->p));
}

static int mtype_item(struct tctx *x, const struct crimg_task_core *core,
		      const struct crimg_thread *th, size_t n)
{
	struct port *p = x->p;
	char img[40], wh[96];
	const char *arch = crimg_arch_name(x->mtype);
	snprintf(img, sizeof(img), "core-%" PRIu32 ".img", x->t->pid);
	who(x, x->t->pid, wh, sizeof(wh));
	if (x->mtype != PORT_X86_64 && x->mtype != PORT_AARCH64 && x->mtype != PORT_S390)
		return port_add(p, R_ARCH_MTYPE, P_BLOCKS, x->t->pid, img, 0, "mtype", arch,
				port_dst(p),
				"%s is of %s: the report and crit convert know x86_64, aarch64 "
				"and s390x",
				wh, arch);
	if (crimg_task_is_zombie(core))
		return port_add(p, R_ARCH_MTYPE, P_CONVERT, x->t->pid, img, 0, "mtype", arch,
				port_dst(p),
				"%s is a zombie: its core holds mtype %s and its exit code, no "
				"registers",
				wh, arch);
	for (size_t i = 0; i < n && x->mtype == PORT_X86_64; i++) {
		uint64_t mode = 1;
		char timg[40];
		if (!hc_u64(hc_sub(th[i].regs.thread_info, "gpregs"), "mode", &mode) || mode != 2)
			continue;
		snprintf(timg, sizeof(timg), "core-%" PRIu32 ".img", th[i].tid);
		return port_add(p, R_ARCH_MTYPE, P_BLOCKS, x->t->pid, timg, 0,
				"thread_info.gpregs.mode", "COMPAT", port_dst(p),
				"%s runs 32-bit (compat) code: no 64-bit converter can move it",
				who(x, th[i].tid, wh, sizeof(wh)));
	}
	return port_add(p, R_ARCH_MTYPE, P_CONVERT, x->t->pid, img, 0, "mtype", arch, port_dst(p),
			"%s: mtype %s and %s registers (%s) in %zu thread core%s; %s needs "
			"mtype %s and %s",
			wh, arch, arch, ti_name(x->mtype), n, n == 1 ? "" : "s", port_dst(p),
			port_dst(p), ti_name(p->dst));
}

int port_threads(struct port *p, const struct crimg_task *t)
{
	struct crimg_error e;
	char img[40];
	crimg_error_clear(&e);
	snprintf(img, sizeof(img), "core-%" PRIu32 ".img", t->pid);
	const struct crimg_task_core *core = crimg_task_core(p->c, t, &e);
	if (!core)
		return port_unreadable(p, t->pid, img, &e);
	uint64_t m = 0;
	hc_u64(core->msg, "mtype", &m);
	struct tctx x = {
		.p = p, .t = t, .comm = core->comm ? core->comm : "?", .mtype = (unsigned)m
	};
	if (crimg_task_is_zombie(core))
		return mtype_item(&x, core, NULL, 0);
	size_t n = 0;
	crimg_error_clear(&e);
	const struct crimg_thread *th = crimg_task_threads(p->c, t, &n, &e);
	if (!th)
		return port_unreadable(p, t->pid, img, &e);
	crimg_error_clear(&e);
	x.mm = crimg_task_mm(p->c, t, &e); /* NULL: places are "no mapping" */
	if (mtype_item(&x, core, th, n) < 0)
		return -1;
	if (x.mtype != PORT_X86_64 && x.mtype != PORT_AARCH64 && x.mtype != PORT_S390)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (registers(&x, &th[i]) < 0 || syscall_state(&x, &th[i]) < 0 ||
		    signal_frame(&x, &th[i]) < 0)
			return -1;
	if (fpu(&x, th, n) < 0 || cpu_state(&x, th, n) < 0 || tls(&x, th, n) < 0 ||
	    rseq(&x, th, n) < 0 || signals(&x, core, th, n) < 0)
		return -1;
	return 0;
}
