/*
 * Part 2, the CPU: the threads' saved state against the host's CPU and
 * kernel (xsave components, arm64 PAC keys, rseq, LSM labels noted for the
 * LSM check) and cpuinfo.img (dumped with --cpu-cap) against the host's
 * xfeatures and xsave size.
 */
#include <stdio.h>
#include <string.h>
#include "check/host_check.h"

static int has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\t' || p[n] == '\n'))
			return 1;
	return 0;
}

/* ---- threads: CPU state, PAC keys, rseq, LSM labels ---- */

int hc_threads(struct hc *x)
{
	const struct crimg_host *h = x->h;
	const char *flags = h->cpu_flags ? h->cpu_flags : "";
	int xs_done = 0, pac_done = 0, rseq_done = 0;
	for (size_t i = 0; i < x->tree->n_tasks; i++) {
		const struct crimg_task *t = &x->tree->tasks[i];
		struct crimg_error e;
		size_t n = 0;
		const struct crimg_thread *th = crimg_task_threads(x->c, t, &n, &e);
		for (size_t j = 0; th && j < n; j++) {
			const ProtobufCMessage *ti = th[j].regs.thread_info;
			char img[40], v[40], hv[40];
			uint64_t u;
			snprintf(img, sizeof(img), "core-%u.img", th[j].tid);
			if (th[j].creds && th[j].creds->lsm_profile && *th[j].creds->lsm_profile)
				x->lsm_profile = 1;
			/* x86: xsave components the host CPU lacks */
			const ProtobufCMessage *xs = hc_sub(hc_sub(ti, "fpregs"), "xsave");
			/* x87 and SSE (bits 0, 1) every x86-64 CPU has; CRIU's masks
			 * may leave them out */
			if (!xs_done && h->xfeatures && xs && hc_u64(xs, "xstate_bv", &u) &&
			    (u & ~h->xfeatures & ~3ull)) {
				xs_done = 1;
				snprintf(v, sizeof(v), "0x%llx", (unsigned long long)u);
				snprintf(hv, sizeof(hv), "0x%llx",
					 (unsigned long long)h->xfeatures);
				if (hc_add(x, R_CPU_FEATURES, -1, img, 0,
					   "thread_info.fpregs.xsave.xstate_bv", v, hv,
					   "thread %u (%s) has xsave state 0x%llx the host CPU lacks (host xfeatures %s)",
					   th[j].tid, hc_comm(x, t),
					   (unsigned long long)(u & ~h->xfeatures & ~3ull), hv) < 0)
					return -1;
			}
			/* arm64: pointer authentication keys */
			const ProtobufCMessage *pac = hc_sub(ti, "pac_keys");
			if (!pac_done && pac && *flags) {
				const char *need = NULL;
				if (hc_sub(pac, "pac_address_keys") && !has_word(flags, "paca"))
					need = "paca";
				else if (hc_sub(pac, "pac_generic_keys") &&
					 !has_word(flags, "pacg"))
					need = "pacg";
				if (need) {
					pac_done = 1;
					if (hc_add(x, R_PAC_KEYS, -1, img, 0,
						   "thread_info.pac_keys", "present", "no PAC",
						   "thread %u (%s) has pointer authentication keys; the host CPU lacks %s",
						   th[j].tid, hc_comm(x, t), need) < 0)
						return -1;
				}
			}
			/* rseq */
			const ProtobufCMessage *rs = hc_sub(hc_sub(th[j].msg, "thread_core"),
							    "rseq_entry");
			if (!rseq_done && h->has_rseq == 0 && rs &&
			    hc_u64(rs, "rseq_abi_pointer", &u) && u) {
				rseq_done = 1;
				snprintf(v, sizeof(v), "0x%llx", (unsigned long long)u);
				if (hc_add(x, R_RSEQ, -1, img, 0,
					   "thread_core.rseq_entry.rseq_abi_pointer", v, "no rseq",
					   "thread %u (%s) registered rseq; the host kernel has no rseq",
					   th[j].tid, hc_comm(x, t)) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/* cpuinfo.img (dumped with --cpu-cap): what CRIU compares at restore. */
int hc_cpuinfo(struct hc *x)
{
	const struct crimg_host *h = x->h;
	struct crimg_error e;
	const struct crimg_entries *en;
	if (!crimg_ckpt_has(x->c, "cpuinfo.img") || (!h->xfeatures && !h->xsave_size))
		return 0;
	en = crimg_ckpt_entries(x->c, "cpuinfo.img", &e);
	if (!en || !en->n || !en->msgs[0])
		return 0;
	const ProtobufCMessage *m = en->msgs[0];
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "x86_entry");
	if (!f || f->label != PROTOBUF_C_LABEL_REPEATED || f->type != PROTOBUF_C_TYPE_MESSAGE)
		return 0;
	size_t n = *(const size_t *)((const char *)m + f->quantifier_offset);
	const ProtobufCMessage *const *xe = *(
		const ProtobufCMessage *const *const *)((const char *)m + f->offset);
	if (!n || !xe || !xe[0])
		return 0;
	uint64_t mask = 0, size = 0;
	char v[40], hv[40];
	if (h->xfeatures && hc_u64(xe[0], "xfeatures_mask", &mask) && (mask & ~h->xfeatures)) {
		snprintf(v, sizeof(v), "0x%llx", (unsigned long long)mask);
		snprintf(hv, sizeof(hv), "0x%llx", (unsigned long long)h->xfeatures);
		return hc_add(
			x, R_CPU_FEATURES, -1, "cpuinfo.img", 0, "x86_entry[0].xfeatures_mask", v,
			hv,
			"cpuinfo.img: xfeatures %s at the dump, the host CPU has %s (lacks 0x%llx); checked with --cpu-cap",
			v, hv, (unsigned long long)(mask & ~h->xfeatures));
	}
	if (h->xsave_size && hc_u64(xe[0], "xsave_size", &size) && size && size != h->xsave_size) {
		snprintf(v, sizeof(v), "%llu", (unsigned long long)size);
		snprintf(hv, sizeof(hv), "%u", h->xsave_size);
		return hc_add(
			x, R_CPU_FEATURES, -1, "cpuinfo.img", 0, "x86_entry[0].xsave_size", v, hv,
			"cpuinfo.img: xsave size %s at the dump, %s on the host; checked with --cpu-cap",
			v, hv);
	}
	return 0;
}

/* ---- cpuinfo.img's capability words against the host's cpu_flags ----
 * The words of capability_ver 2 whose layout is the CPUID leaf itself
 * (checked against this machine's CPUID): 0 = 1.EDX, 1 = 0x80000001.EDX,
 * 4 = 1.ECX, 9 = 7.0.EBX, 10 = 0xD.1.EAX.  Only instruction features
 * whose /proc/cpuinfo name the kernel always shows when the CPU has them
 * (not hle/rtm, which TSX settings hide, nor fsgsbase, which old kernels
 * hide). */
static const struct cpu_bit {
	unsigned char word, bit;
	const char *name;
} cpu_bits[] = {
	{ 0, 0, "fpu" },         { 0, 4, "tsc" },       { 0, 8, "cx8" },
	{ 0, 15, "cmov" },       { 0, 19, "clflush" },  { 0, 23, "mmx" },
	{ 0, 24, "fxsr" },       { 0, 25, "sse" },      { 0, 26, "sse2" },
	{ 1, 11, "syscall" },    { 1, 22, "mmxext" },   { 1, 27, "rdtscp" },
	{ 1, 29, "lm" },         { 4, 0, "pni" },       { 4, 1, "pclmulqdq" },
	{ 4, 9, "ssse3" },       { 4, 12, "fma" },      { 4, 13, "cx16" },
	{ 4, 19, "sse4_1" },     { 4, 20, "sse4_2" },   { 4, 22, "movbe" },
	{ 4, 23, "popcnt" },     { 4, 25, "aes" },      { 4, 26, "xsave" },
	{ 4, 28, "avx" },        { 4, 29, "f16c" },     { 4, 30, "rdrand" },
	{ 9, 3, "bmi1" },        { 9, 5, "avx2" },      { 9, 8, "bmi2" },
	{ 9, 9, "erms" },        { 9, 16, "avx512f" },  { 9, 17, "avx512dq" },
	{ 9, 18, "rdseed" },     { 9, 19, "adx" },      { 9, 21, "avx512ifma" },
	{ 9, 23, "clflushopt" }, { 9, 24, "clwb" },     { 9, 26, "avx512pf" },
	{ 9, 27, "avx512er" },   { 9, 28, "avx512cd" }, { 9, 29, "sha_ni" },
	{ 9, 30, "avx512bw" },   { 9, 31, "avx512vl" }, { 10, 0, "xsaveopt" },
	{ 10, 1, "xsavec" },     { 10, 2, "xgetbv1" },
};

int hc_cpu_words(struct hc *x)
{
	const struct crimg_host *h = x->h;
	struct crimg_error e;
	const struct crimg_entries *en;
	/* x86 flags only: every x86-64 CPU has fpu and sse2 */
	if (!h->cpu_flags || !has_word(h->cpu_flags, "fpu") || !has_word(h->cpu_flags, "sse2") ||
	    !crimg_ckpt_has(x->c, "cpuinfo.img"))
		return 0;
	en = crimg_ckpt_entries(x->c, "cpuinfo.img", &e);
	if (!en || !en->n || !en->msgs[0])
		return 0;
	const ProtobufCMessage *m = en->msgs[0];
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "x86_entry");
	if (!f || f->label != PROTOBUF_C_LABEL_REPEATED || f->type != PROTOBUF_C_TYPE_MESSAGE)
		return 0;
	size_t n = *(const size_t *)((const char *)m + f->quantifier_offset);
	const ProtobufCMessage *const *xe = *(
		const ProtobufCMessage *const *const *)((const char *)m + f->offset);
	uint64_t ver = 0;
	if (!n || !xe || !xe[0] || !hc_u64(xe[0], "capability_ver", &ver) || ver != 2)
		return 0;
	size_t nw = 0;
	const uint32_t *w = hc_rep_u32(xe[0], "capability", &nw);
	char missing[256] = "", field[48] = "", v[16] = "";
	size_t k = 0, count = 0;
	for (size_t i = 0; w && i < sizeof(cpu_bits) / sizeof(cpu_bits[0]); i++) {
		const struct cpu_bit *b = &cpu_bits[i];
		if (b->word >= nw || !(w[b->word] >> b->bit & 1) || has_word(h->cpu_flags, b->name))
			continue;
		if (!count++) {
			snprintf(field, sizeof(field), "x86_entry[0].capability[%u]", b->word);
			snprintf(v, sizeof(v), "0x%x", w[b->word]);
		}
		int r = snprintf(missing + k, sizeof(missing) - k, "%s%s", k ? " " : "", b->name);
		if (r > 0 && (size_t)r < sizeof(missing) - k)
			k += (size_t)r;
	}
	if (!count)
		return 0;
	return hc_add(
		x, R_CPU_FEATURES, CRIMG_CHECK_MAY_FAIL, "cpuinfo.img", 0, field, v, missing,
		"cpuinfo.img: the dumping CPU had %s, which the host's flags lack: the tasks may use them (SIGILL), and a restore with --cpu-cap=ins refuses",
		missing);
}
