/*
 * crimg: why a restore of a checkpoint will fail, before it fails, and why
 * it did fail, after.
 *
 * A check collects findings in three parts that share one list:
 *   images  the checkpoint on its own: every image the inventory and the
 *           process tree imply is there, ids resolve across images,
 *           pagemaps agree with the pages files, parents resolve
 *           (crimg_check_images);
 *   host    the checkpoint against a host description: PIDs in use,
 *           files, ports and addresses, limits, CPU, LSM, cgroups, the
 *           criu options the restore will be given (crimg_check_host);
 *   log     a restore.log: its first real error, the catalogue entry it
 *           belongs to, the image entries involved (crimg_check_log);
 *   portability
 *           the checkpoint against another architecture: per task,
 *           everything that ties it to the one it was dumped on, each item
 *           blocking the move, convertible by crit convert --to-arch under
 *           its contract, or irrelevant, and a verdict
 *           (crimg_check_portability).
 *
 * Each finding has a stable reason code (docs/check.md lists them: the
 * table is lib/image/check/reasons.def), a severity, the evidence (image,
 * entry, field, the image's value and the host's), why it breaks a
 * restore and the fix (a criu option or a change of the host).
 *
 * A host description is read off this machine (crimg_host_probe), from the
 * JSON that a probe writes (`crit check --probe` on the target host), or
 * from the header of a restore.log (CRIU's version, the kernel, the cpu
 * block, pid_max).
 *
 * Threads: a check uses the checkpoint for its whole length (crimg/image.h).
 */
#ifndef CRIMG_CHECK_H
#define CRIMG_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "crimg/ckpt.h"

#ifdef __cplusplus
extern "C" {
#endif

enum crimg_check_severity {
	CRIMG_CHECK_NOTE = 0,      /* worth knowing; the restore is not at risk */
	CRIMG_CHECK_MAY_FAIL = 1,  /* the restore fails under some conditions */
	CRIMG_CHECK_WILL_FAIL = 2, /* the restore fails as things are */
};

enum crimg_check_part {
	CRIMG_CHECK_PART_IMAGES,
	CRIMG_CHECK_PART_HOST,
	CRIMG_CHECK_PART_LOG,
	CRIMG_CHECK_PART_PORTABILITY,
};

/* One finding.  Strings are never NULL ("" when not known). */
struct crimg_finding {
	const char *code;    /* stable reason code, e.g. "pid-in-use" */
	unsigned severity;   /* enum crimg_check_severity */
	unsigned part;       /* enum crimg_check_part */
	const char *message; /* one line: what is wrong, with the values */
	/* the evidence */
	const char *image; /* "pstree.img"; "" when no image holds it */
	int64_t entry;     /* the entry's index in image, -1 when none */
	const char *field; /* "threads[1]", "src_port" */
	const char *value; /* the image's value */
	const char *host;  /* the host's value or state */
	const char *log;   /* part log: the line of restore.log, as it is */
	int64_t log_line;  /* its line number (from 1), 0 when none */
	/* from the reason's table entry */
	const char *why;    /* why it breaks a restore */
	const char *fix;    /* what makes the restore pass */
	unsigned catalogue; /* the row of the restore-failure catalogue, 0 none */
	/* part portability: the task the item belongs to (0: the checkpoint
	 * as a whole) and the target's value or state ("" when none) */
	uint32_t task;
	const char *target;
};

/* A list of findings, in the order they were found. */
struct crimg_check;

/* A new, empty list; NULL when out of memory. */
struct crimg_check *crimg_check_new(void);
/* Frees the list and every finding; NULL is fine. */
void crimg_check_free(struct crimg_check *k);
/* How many findings the list holds. */
size_t crimg_check_count(const struct crimg_check *k);
/* Finding i (0 .. count - 1), owned by the list; NULL past the end. */
const struct crimg_finding *crimg_check_get(const struct crimg_check *k, size_t i);
/* The highest severity of the list's findings, -1 for an empty list. */
int crimg_check_worst(const struct crimg_check *k);

/* ---- the reason codes ---- */

/* A reason code with its default severity, why and fix. */
struct crimg_check_reason {
	const char *code;
	unsigned severity;
	unsigned part;
	unsigned catalogue;
	const char *title; /* a few words: "a PID the tree needs is in use" */
	const char *why;
	const char *fix;
};
/* The reason codes, in table order: *n of them (for documentation and
 * --help); owned by the library. */
const struct crimg_check_reason *crimg_check_reasons(size_t *n);

/* ---- part 1: the checkpoint on its own ---- */

/* Adds the findings of the checkpoint's own consistency to k.  0, or -1
 * (err filled) when out of memory: damaged images are findings, not
 * errors. */
int crimg_check_images(struct crimg_check *k, struct crimg_ckpt *c, struct crimg_error *err);

/* ---- host descriptions ---- */

struct crimg_host;

/*
 * This machine, as a restore on it would see it.  root is the directory
 * the restored tree's files are looked up under ("/" when NULL; a
 * container's rootfs); c, when not NULL, names the files, PIDs and ports
 * to look at (every file of the checkpoint is stat()ed under root, so
 * that the description can be checked elsewhere).  NULL (err filled) when
 * out of memory; what cannot be read is recorded as unknown.
 */
struct crimg_host *crimg_host_probe(const char *root, struct crimg_ckpt *c,
				    struct crimg_error *err);
/* A description from the JSON crimg_host_json() writes; NULL (err filled,
 * with the line and column) when it is not one. */
struct crimg_host *crimg_host_from_json(const char *text, size_t len, struct crimg_error *err);
/* What the header of a restore.log says of the host it ran on (CRIU's
 * version, kernel, architecture, cpu block, pid_max); NULL (err filled)
 * when the text has no such header. */
struct crimg_host *crimg_host_from_log(const char *log, size_t len, struct crimg_error *err);
/* The description as JSON (malloc'ed, *len its length; free() it); NULL
 * when out of memory. */
char *crimg_host_json(const struct crimg_host *h, size_t *len);
/* The architecture a description names (uname -m: "x86_64", "aarch64",
 * ...), "" when it does not say. */
const char *crimg_host_arch(const struct crimg_host *h);
/* Frees a description; NULL is fine. */
void crimg_host_free(struct crimg_host *h);

/* ---- part 2: the checkpoint against a host ---- */

/* The criu restore options the check assumes (what the user will pass). */
#define CRIMG_CHECK_TCP_ESTABLISHED 0x01u /* --tcp-established */
#define CRIMG_CHECK_TCP_CLOSE 0x02u       /* --tcp-close */
#define CRIMG_CHECK_SHELL_JOB 0x04u       /* --shell-job */
#define CRIMG_CHECK_EXT_UNIX_SK 0x08u     /* --ext-unix-sk */
#define CRIMG_CHECK_FILE_LOCKS 0x10u      /* --file-locks */
#define CRIMG_CHECK_NEW_PIDNS 0x20u       /* restored in a new pid namespace */
#define CRIMG_CHECK_SKIP_RWX 0x40u        /* --skip-file-rwx-check */
#define CRIMG_CHECK_ALLOW_UPROBES 0x80u   /* --allow-uprobes */
/* --root DIR: the restore is given a root directory, which a tree with a
 * mount namespace of its own needs (a host description probed under a
 * root other than "/" counts as one) */
#define CRIMG_CHECK_ROOT 0x100u

struct crimg_check_opts {
	unsigned flags; /* CRIMG_CHECK_* */
	/* --ext-mount-map KEY:VALUE keys the restore will have */
	const char *const *ext_mount_keys;
	size_t n_ext_mount_keys;
};

/* Adds the findings of c against host h to k (o NULL: no options).  0, or
 * -1 (err filled) when out of memory. */
int crimg_check_host(struct crimg_check *k, struct crimg_ckpt *c, const struct crimg_host *h,
		     const struct crimg_check_opts *o, struct crimg_error *err);

/* ---- part 3: after a failure ---- */

/* Adds the findings of a restore.log (text of len bytes) to k: its first
 * error that is a cause (not a consequence, not the harmless RLIMIT_NOFILE
 * line), the catalogue entry it matches and, when c is not NULL, the
 * image entries it names; a log that ends with no error and no "Restore
 * finished successfully" is a hang or a kill.  0, or -1 (err filled) when
 * out of memory. */
int crimg_check_log(struct crimg_check *k, struct crimg_ckpt *c, const char *log, size_t len,
		    struct crimg_error *err);

/* ---- part 4: portability to another architecture ---- */

/*
 * The severity of a finding of this part reads as its verdict:
 * CRIMG_CHECK_WILL_FAIL blocks the move, CRIMG_CHECK_MAY_FAIL is
 * convertible (a restore on the target fails unless `crit convert
 * --to-arch` rewrites it, under its contract: a build for both
 * architectures with aligned symbols and identical data layout, stopped at
 * a migration point), CRIMG_CHECK_NOTE is irrelevant to the move.
 */
enum crimg_port_verdict {
	CRIMG_PORT_SAME_ARCH, /* the target is the checkpoint's architecture */
	CRIMG_PORT_CONTRACT,  /* movable only under the converter's contract */
	CRIMG_PORT_BLOCKED,   /* not movable: a finding blocks */
};

struct crimg_port_opts {
	/* "x86_64", "aarch64" or "s390x" (crimg_port_arch() names them) */
	const char *target_arch;
	/* the target host (its HWCAP words, page size), NULL when unknown */
	const struct crimg_host *host;
	/* a description whose files say what the target has at the paths of
	 * the checkpoint's executables and libraries (their ELF machine): a
	 * probe of the target's root file system, or host; NULL unknown */
	const struct crimg_host *files;
};

struct crimg_port_summary {
	unsigned verdict;        /* enum crimg_port_verdict */
	const char *source_arch; /* constant strings ("unknown" when no core says) */
	const char *target_arch;
	size_t blocks, convertible, irrelevant;
	/* what would make the checkpoint movable, one line */
	char text[2048];
};

/* The architecture name crimg_port_opts takes for name ("amd64" gives
 * "x86_64", "arm64" "aarch64"), or NULL for one the report does not know. */
const char *crimg_port_arch(const char *name);

/* Adds the findings of c against the target architecture to k and fills s
 * (NULL: not wanted).  0, or -1 (err filled) when out of memory or the
 * target is not one crimg_port_arch() knows; images that cannot be read
 * are findings (arch-unknown), not errors. */
int crimg_check_portability(struct crimg_check *k, struct crimg_ckpt *c,
			    const struct crimg_port_opts *o, struct crimg_port_summary *s,
			    struct crimg_error *err);

#ifdef __cplusplus
}
#endif

#endif
