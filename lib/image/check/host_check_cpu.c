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
