/* Part 2's internals: the state one check of a checkpoint against a host
 * carries, shared by host_check.c (tree, options, CPU, namespaces,
 * cgroups, mounts) and host_check_files.c (files, descriptors, sockets,
 * locks). */
#ifndef CRIMG_HOST_CHECK_H
#define CRIMG_HOST_CHECK_H
#include <protobuf-c/protobuf-c.h>
#include "check/check_int.h"

/* A set of 32-bit numbers (sorted array). */
struct hc_set {
	uint32_t *v;
	size_t n, cap;
};
/* 1 when x is in s. */
int hc_set_has(const struct hc_set *s, uint32_t x);
/* Adds x: 1 when it was new, 0 when already there, -1 out of memory. */
int hc_set_add(struct hc_set *s, uint32_t x);
void hc_set_free(struct hc_set *s);

struct hc {
	struct crimg_check *k;
	struct crimg_ckpt *c;
	const struct crimg_host *h;
	unsigned flags; /* CRIMG_CHECK_* */
	const struct crimg_check_opts *o;
	const struct crimg_tree *tree;
	const struct crimg_inventory *inv; /* NULL when unreadable */
	const ProtobufCMessage *root_ids;  /* inventory.root_ids, or NULL */
	struct hc_set pids;                /* every PID and TID of the tree */
	struct hc_set tasks;               /* the tasks' PIDs only */
	int new_pidns;                     /* the tree is restored in a PID namespace of its own */
	int shell_job;                     /* a shell-job finding was made */
	int oom;                           /* out of memory: stop */
	int lsm_profile;                   /* a thread has an LSM label to restore */
	/* files.img (or reg-files.img) entries by file id, sorted, made on
	 * the first lookup: a finding names its entry without a scan */
	struct hc_fidx {
		uint64_t id;
		int64_t entry;
	} * fidx;
	size_t n_fidx;
	int fidx_built;
	const char *fidx_image;
};

/* Adds a finding (sev -1: the reason's).  value and host may be NULL.
 * -1 when out of memory (x->oom set). */
int hc_add(struct hc *x, enum check_reason_id r, int sev, const char *image, int64_t entry,
	   const char *field, const char *value, const char *host, const char *fmt, ...)
	__attribute__((format(printf, 9, 10)));

/* Fields the model leaves out, read through the message's descriptor. */
const ProtobufCMessage *hc_sub(const ProtobufCMessage *m, const char *name);
/* 1 and *out when field name of m is a set scalar, else 0. */
int hc_u64(const ProtobufCMessage *m, const char *name, uint64_t *out);
/* A string field, or NULL. */
const char *hc_str(const ProtobufCMessage *m, const char *name);
/* A repeated uint32 field: its elements (*n of them), or NULL. */
const uint32_t *hc_rep_u32(const ProtobufCMessage *m, const char *name, size_t *n);

/* A task's command for messages ("?" when unknown). */
const char *hc_comm(struct hc *x, const struct crimg_task *t);
/* 1 when the tree was in net namespace ns of its own (restored in a new
 * one, where the host's ports and addresses do not matter). */
int hc_own_netns(struct hc *x, uint32_t ns);
/* Records a shell job (once): shell-job without --shell-job. */
int hc_shell_job(struct hc *x, const char *image, int64_t entry, const char *field,
		 const char *value, const char *what);

/* host_check_cpu.c: the threads' CPU state, PAC keys, rseq, LSM labels
 * (sets x->lsm_profile); cpuinfo.img. */
int hc_threads(struct hc *x);
int hc_cpuinfo(struct hc *x);
/* cpuinfo.img's CPUID capability words against the host's cpu_flags. */
int hc_cpu_words(struct hc *x);
/* host_check_env.c: --root for a mount namespace, the network lock,
 * AppArmor profiles, seccomp, the vDSO, the images' version. */
int hc_env(struct hc *x);
/* uname -m's spelling of an architecture name ("amd64" -> "x86_64"). */
const char *hc_norm_arch(const char *a);
/* host_check_sys.c: bind mount sources, cgroup controllers, the saved
 * auxv's HWCAP words. */
int hc_bind_sources(struct hc *x);
int hc_cgroup_controllers(struct hc *x);
int hc_hwcap(struct hc *x);
/* host_check_files.c: files, descriptors, sockets and file locks. */
int hc_files(struct hc *x);

#endif
