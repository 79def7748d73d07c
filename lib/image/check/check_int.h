/* crit check's internals: the reason table, adding findings, the host
 * description as the three parts read it. */
#ifndef CRIMG_CHECK_INT_H
#define CRIMG_CHECK_INT_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "crimg/check.h"
#include "crimg/model.h"

enum check_reason_id {
#define REASON(id, code, sev, part, cat, title, why, fix) R_##id,
#include "check/reasons.def"
#undef REASON
	R_N
};

/* The evidence of a finding; fields left NULL are "" (entry -1). */
struct check_evidence {
	const char *image;
	int64_t entry;
	const char *field;
	const char *value;
	const char *host;
	const char *log;
	int64_t log_line;
	uint32_t task;      /* part portability: the task, 0 none */
	const char *target; /* part portability: the target's value */
};

/* Adds a finding of reason r to k with the evidence ev (NULL: none) and a
 * message (printf); its severity is the reason's unless sev >= 0.  0, or
 * -1 when out of memory (k unchanged). */
int check_add(struct crimg_check *k, enum check_reason_id r, int sev,
	      const struct check_evidence *ev, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* A reason by its code; R_N when there is none. */
enum check_reason_id check_reason_by_code(const char *code);

/* ---- the host description ----
 * Every fact may be unknown: a probe could not read it, or the JSON or
 * the log did not say.  Checks skip what is unknown (a note says so). */
struct host_file {
	char *path; /* as in the checkpoint (absolute, before root) */
	int exists; /* -1 unknown, 0 no, 1 yes */
	uint64_t size;
	uint32_t mode;     /* st_mode */
	int dir_writable;  /* its directory: -1 unknown, 0, 1 */
	int locked;        /* a process holds a lock on it (/proc/locks): -1 unknown, 0, 1 */
	char build_id[41]; /* hex of the ELF build-id note, "" none */
	/* ELF files: e_machine (EM_*), 0 when not ELF or not known */
	unsigned machine;
};
struct host_port {
	unsigned family;  /* AF_INET 2, AF_INET6 10 */
	unsigned proto;   /* IPPROTO_TCP 6, IPPROTO_UDP 17 */
	uint8_t addr[16]; /* network order; v4 in the first 4 */
	unsigned port;
	unsigned state; /* TCP_* for TCP, 7 (CLOSE) for UDP */
};
struct host_addr {
	unsigned family;
	uint8_t addr[16];
};
/* A path that must exist on the host (a bind mount's source). */
struct host_path {
	char *path;
	int exists; /* -1 unknown, 0 no, 1 yes */
};
struct crimg_host {
	char *source;             /* "probe", "json", "log" */
	char *arch;               /* uname -m: "x86_64", "aarch64", "s390x" ("" unknown) */
	char *kernel;             /* uname -r */
	char *criu_version;       /* from a log ("" unknown) */
	char *root;               /* the root files were looked up under */
	int64_t pid_max, nr_open; /* -1 unknown */
	/* the RLIMIT_NOFILE a restore started here runs with, when it cannot
	 * raise it (no CAP_SYS_RESOURCE: CRIU then keeps it); -1 unknown or
	 * not a bound */
	int64_t fd_limit;
	int pids_known;
	uint32_t *pids; /* every PID and TID in use, sorted */
	size_t n_pids;
	int ports_known;
	struct host_port *ports;
	size_t n_ports;
	int addrs_known;
	struct host_addr *addrs;
	size_t n_addrs;
	int files_known;
	struct host_file *files;
	size_t n_files;
	char *lsm;          /* "apparmor", "selinux", "none" ("" unknown) */
	int cgroup_version; /* 1, 2, 0 unknown */
	char **cgroups;     /* cgroup paths that exist (those the checkpoint names) */
	size_t n_cgroups;
	int cgroups_known;
	char **filesystems; /* /proc/filesystems */
	size_t n_filesystems;
	char **plugins; /* CRIU plugins installed */
	size_t n_plugins;
	int plugins_known;
	char *cpu_flags;          /* x86 /proc/cpuinfo flags, aarch64 Features ("" unknown) */
	uint64_t xfeatures;       /* x86: XCR0 mask the kernel supports, 0 unknown */
	uint32_t xsave_size;      /* x86: the xsave area's size, 0 unknown */
	int has_rseq, has_timens; /* -1 unknown */
	int privileged;           /* CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE: -1 unknown */
	int64_t sid, pgid;        /* the session and group the restore runs in, -1 */
	/* seccomp: -1 unknown, 0 none, 1 strict mode (filters unknown: no
	 * "Seccomp_filters:" line, kernels before 5.9), 2 filters */
	int seccomp;
	/* the network lock's tools: an iptables-restore binary, the
	 * libnftables shared library (-1 unknown, 0 no, 1 yes) */
	int iptables_restore, libnftables;
	/* the sizes of the vDSO and its data pages ([vvar] and [vvar_vclock],
	 * as CRIU counts them together) in bytes: -1 unknown, 0 none */
	int64_t vdso_size, vvar_size;
	char **lsm_profiles; /* AppArmor profiles loaded (names, no mode) */
	size_t n_lsm_profiles;
	int lsm_profiles_known;
	/* the sources of the checkpoint's bind mounts (hc_bind_source), looked
	 * up in the host's own file system (not under root) */
	struct host_path *bind_sources;
	size_t n_bind_sources;
	int bind_sources_known;
	/* cgroup controllers the host has enabled: cgroup.controllers of the
	 * v2 root, else /proc/cgroups' enabled ones */
	char **cgroup_controllers;
	size_t n_cgroup_controllers;
	int cgroup_controllers_known;
	/* the kernel's AT_HWCAP and AT_HWCAP2 for a process started here */
	uint64_t hwcap, hwcap2;
	int hwcap_known;
	/* the kernel's page size in bytes, 0 unknown */
	uint32_t page_size;
};
/* An empty description (everything unknown); NULL when out of memory. */
struct crimg_host *host_new(const char *source);
/* The bind source path in h, or NULL. */
const struct host_path *host_bind_source(const struct crimg_host *h, const char *path);
/* The host path mount m of a checkpoint needs as its source, or NULL:
 * an external mount CRIU found itself (its key CRIU:AUTOGENERATED or
 * CRIU:EXTERNAL_DEV, bound again from the host path in source when the
 * restore has --ext-mount-map auto), or a mount of a device ("/dev/..."
 * source) that CRIU mounts anew; never the namespace's root mount. */
const char *host_bind_source_of(const struct crimg_mount *m);
/* The file path in h, or NULL. */
const struct host_file *host_file(const struct crimg_host *h, const char *path);
/* 1 when pid is in use on h (h->pids_known), else 0. */
int host_pid_in_use(const struct crimg_host *h, uint32_t pid);

#endif
