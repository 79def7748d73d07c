/*
 * Part 4, what the files and filters tie to the architecture: seccomp
 * filters (arch-seccomp), whose BPF compares seccomp_data.arch with
 * AUDIT_ARCH constants and seccomp_data.nr with syscall numbers; open
 * flags whose values differ (arch-open-flags).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "check/host_check.h"
#include "check/images_int.h"
#include "check/port.h"

/* ---- seccomp ---- */

/* seccomp.img's filters: SeccompEntry.seccomp_filters, *n of them. */
static const ProtobufCMessage *const *filters(const ProtobufCMessage *m, size_t *n)
{
	*n = 0;
	if (!m || !m->descriptor)
		return NULL;
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(m->descriptor, "seccomp_filters");
	if (!f || f->label != PROTOBUF_C_LABEL_REPEATED || f->type != PROTOBUF_C_TYPE_MESSAGE)
		return NULL;
	*n = *(const size_t *)((const char *)m + f->quantifier_offset);
	return *(const ProtobufCMessage *const *const *)((const char *)m + f->offset);
}

static const ProtobufCBinaryData *bytes_field(const ProtobufCMessage *m, const char *name)
{
	const ProtobufCFieldDescriptor *f = m && m->descriptor
		? protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name)
		: NULL;
	if (!f || f->type != PROTOBUF_C_TYPE_BYTES || f->label == PROTOBUF_C_LABEL_REPEATED)
		return NULL;
	return (const ProtobufCBinaryData *)((const char *)m + f->offset);
}

struct judged {
	int sev;
	char field[48];
	char value[200];
	char why[300];
};

/* One filter's verdict for the move. */
static void judge(struct port *p, const ProtobufCMessage *flt, size_t idx, enum crimg_byte_order bo,
		  struct judged *j)
{
	struct port_bpf b;
	char why[160];
	const ProtobufCBinaryData *d = bytes_field(flt, "filter");
	snprintf(j->field, sizeof(j->field), "seccomp_filters[%zu].filter", idx);
	if (!d || port_bpf_scan(d->data, d->len, bo, &b, why, sizeof(why)) < 0) {
		j->sev = P_BLOCKS;
		snprintf(j->value, sizeof(j->value), "%zu bytes", d ? d->len : 0);
		snprintf(j->why, sizeof(j->why), "filter %zu is not a valid program: %s", idx,
			 d ? why : "no filter bytes");
		return;
	}
	char arches[120] = "";
	size_t k = 0;
	int names_dst = 0;
	for (size_t i = 0; i < b.n_arches && k < sizeof(arches); i++) {
		const char *n = port_audit_arch_name(b.arches[i]);
		char hex[16];
		snprintf(hex, sizeof(hex), "0x%08" PRIx32, b.arches[i]);
		int r = snprintf(arches + k, sizeof(arches) - k, "%s%s", k ? ", " : "",
				 n ? n : hex);
		if (r > 0)
			k += (size_t)r;
		names_dst |= b.arches[i] == port_audit_arch(p->dst);
	}
	snprintf(j->value, sizeof(j->value),
		 "%zu instructions; arch compared with %s; %zu syscall number comparisons",
		 b.n_insns, k ? arches : "nothing", b.nr_compares);
	if (names_dst) {
		j->sev = P_IRRELEVANT;
		snprintf(j->why, sizeof(j->why),
			 "filter %zu has a branch for %s's AUDIT_ARCH (it compares with %s)", idx,
			 port_dst(p), arches);
	} else if (k) {
		j->sev = P_BLOCKS;
		snprintf(j->why, sizeof(j->why),
			 "filter %zu accepts the architectures %s only: on %s every syscall "
			 "takes its other branch",
			 idx, arches, port_dst(p));
	} else if (b.loads_nr || b.loads_arch) {
		j->sev = P_BLOCKS;
		snprintf(j->why, sizeof(j->why),
			 "filter %zu %s syscall numbers without an architecture check: %s's "
			 "numbers name other calls on %s",
			 idx, b.nr_compares ? "compares" : "reads", port_src(p), port_dst(p));
	} else {
		j->sev = P_IRRELEVANT;
		snprintf(j->why, sizeof(j->why),
			 "filter %zu reads neither the architecture nor the syscall number", idx);
	}
}

int port_seccomp(struct port *p, const struct crimg_task *t)
{
	struct crimg_error e;
	crimg_error_clear(&e);
	const struct crimg_task_core *core = crimg_task_core(p->c, t, &e);
	size_t n = 0;
	if (!core || crimg_task_is_zombie(core))
		return 0;
	const struct crimg_thread *th = crimg_task_threads(p->c, t, &n, &e);
	if (!th)
		return 0; /* told by port_threads */
	char who[96];
	snprintf(who, sizeof(who), "pid %" PRIu32 " (%.32s)", t->pid,
		 core->comm ? core->comm : "?");
	const struct crimg_thread *strict = NULL, *filt = NULL;
	for (size_t i = 0; i < n; i++) {
		if (th[i].seccomp_mode == 1 && !strict)
			strict = &th[i];
		if (th[i].seccomp_mode == 2 && !filt)
			filt = &th[i];
	}
	char img[40];
	if (strict && !filt) {
		snprintf(img, sizeof(img), "core-%" PRIu32 ".img", strict->tid);
		return port_add(p, R_ARCH_SECCOMP, P_IRRELEVANT, t->pid, img, 0,
				"thread_core.seccomp_mode", "strict", "the same calls by name",
				"%s: thread %" PRIu32
				" is in seccomp strict mode, which allows read, "
				"write, exit and sigreturn by name on every architecture",
				who, strict->tid);
	}
	if (!filt)
		return 0;
	crimg_error_clear(&e);
	const struct crimg_entries *en = crimg_ckpt_entries(p->c, "seccomp.img", &e);
	if (!en || !en->n)
		return en ? port_add(p, R_ARCH_UNKNOWN, -1, t->pid, "seccomp.img", -1,
				     "seccomp_filters", "", "",
				     "%s has seccomp filters and seccomp.img holds none", who)
			  : port_unreadable(p, t->pid, "seccomp.img", &e);
	size_t nf = 0;
	const ProtobufCMessage *const *fl = filters(en->msgs[0], &nf);
	struct judged worst = { .sev = -1 };
	size_t chain = 0, threads = 0;
	uint32_t done[16];
	size_t n_done = 0;
	for (size_t i = 0; i < n; i++) {
		if (th[i].seccomp_mode != 2)
			continue;
		threads++;
		int dup = 0;
		for (size_t d = 0; d < n_done && !dup; d++)
			dup = done[d] == th[i].seccomp_filter;
		if (dup)
			continue;
		if (n_done < sizeof(done) / sizeof(done[0]))
			done[n_done++] = th[i].seccomp_filter;
		/* the thread's last filter, then each prev: at most nf steps */
		uint64_t idx = th[i].seccomp_filter;
		for (size_t step = 0; step <= nf; step++) {
			if (idx >= nf || !fl || !fl[idx]) {
				char v[32];
				snprintf(v, sizeof(v), "%" PRIu64, idx);
				snprintf(img, sizeof(img), "core-%" PRIu32 ".img", th[i].tid);
				return port_add(p, R_ARCH_UNKNOWN, -1, t->pid, img, 0,
						"thread_core.seccomp_filter", v, "",
						"%s: thread %" PRIu32
						" names seccomp filter %" PRIu64
						", and seccomp.img holds %zu",
						who, th[i].tid, idx, nf);
			}
			struct judged j;
			judge(p, fl[idx], (size_t)idx, en->byte_order, &j);
			chain++;
			if (j.sev > worst.sev)
				worst = j;
			uint64_t prev;
			if (!hc_u64(fl[idx], "prev", &prev))
				break;
			if (step == nf) {
				snprintf(img, sizeof(img), "seccomp.img");
				return port_add(p, R_ARCH_UNKNOWN, -1, t->pid, img, 0,
						"seccomp_filters[].prev", "a loop", "",
						"%s: the prev links of seccomp.img's filters loop",
						who);
			}
			idx = prev;
		}
	}
	return port_add(p, R_ARCH_SECCOMP, worst.sev, t->pid, "seccomp.img", 0, worst.field,
			worst.value,
			worst.sev == P_IRRELEVANT ? "the same filter" : "a filter for the target",
			"%s: %zu thread%s in seccomp filter mode, %zu filter%s: %s", who, threads,
			threads == 1 ? "" : "s", chain, chain == 1 ? "" : "s", worst.why);
}

/* ---- open flags ---- */

/* The name of the member of files.img's entry that holds the file
 * ("reg", "memfd", ...), "" when not known. */
static const char *member(struct port *p, int64_t entry)
{
	struct crimg_error e;
	crimg_error_clear(&e);
	const struct crimg_entries *en = entry >= 0 ? crimg_ckpt_entries(p->c, "files.img", &e)
						    : NULL;
	if (!en || (uint64_t)entry >= en->n || !en->msgs[entry])
		return "";
	const ProtobufCMessage *m = en->msgs[entry];
	const ProtobufCMessageDescriptor *d = m->descriptor;
	for (unsigned i = 0; d && i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (f->type == PROTOBUF_C_TYPE_MESSAGE && f->label != PROTOBUF_C_LABEL_REPEATED &&
		    *(const void *const *)((const char *)m + f->offset))
			return f->name;
	}
	return "";
}

int port_open_flags(struct port *p)
{
	const struct crimg_file *const *fs;
	size_t n = 0;
	struct crimg_error e;
	crimg_error_clear(&e);
	if (crimg_ckpt_files(p->c, &fs, &n, &e) < 0)
		return port_unreadable(p, 0, "files.img", &e);
	uint32_t differ = port_flags_differ(p->src, p->dst);
	/* the four flags in the source's values, whatever the target */
	uint32_t four = port_flags_differ(p->src,
					  p->src == PORT_AARCH64 ? PORT_X86_64 : PORT_AARCH64);
	size_t same = 0;
	uint32_t same_bits = 0;
	const char *fimg = crimg_ckpt_has(p->c, "files.img") ? "files.img" : "";
	for (size_t i = 0; i < n; i++) {
		const struct crimg_file *f = fs[i];
		if (!(f->flags & four))
			continue;
		if (!(f->flags & differ)) {
			same++;
			same_bits |= f->flags & four;
			continue;
		}
		int64_t entry = *fimg ? check_entry_by_id(p->c, "files.img", f->id) : -1;
		const char *mb = member(p, entry);
		char field[40], v[80], tv[80], names[80], tnames[80];
		uint32_t to = port_flags_map(f->flags, p->src, p->dst);
		port_flags_names(f->flags & differ, p->src, names, sizeof(names));
		port_flags_names(to & port_flags_differ(p->dst, p->src), p->dst, tnames,
				 sizeof(tnames));
		snprintf(field, sizeof(field), "%s%sflags", mb, *mb ? "." : "");
		snprintf(v, sizeof(v), "0%" PRIo32 " (%s)", f->flags, names);
		snprintf(tv, sizeof(tv), "0%" PRIo32 " (%s on %s)", to, tnames, port_dst(p));
		if (port_add(p, R_ARCH_OPEN_FLAGS, P_CONVERT, 0, fimg, entry, field, v, tv,
			     "file %" PRIu32 " (%s %s) is open with %s, 0%" PRIo32
			     " on %s and 0%" PRIo32 " on %s",
			     f->id, crimg_fd_type_name(f->type) ? crimg_fd_type_name(f->type) : "?",
			     f->path ? f->path : "-", names, f->flags & differ, port_src(p),
			     to & port_flags_differ(p->dst, p->src), port_dst(p)) < 0)
			return -1;
	}
	if (same) {
		char names[80];
		port_flags_names(same_bits, p->src, names, sizeof(names));
		return port_add(p, R_ARCH_OPEN_FLAGS, P_IRRELEVANT, 0, fimg, -1, "flags", names,
				"the same values",
				"%zu file%s open with %s, whose values %s and %s share", same,
				same == 1 ? " is" : "s are", names, port_src(p), port_dst(p));
	}
	return 0;
}
