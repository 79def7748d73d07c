/*
 * Part 4's internals: the portability report (crimg_check_portability).
 * portability.c runs it and writes the verdict; port_threads.c judges the
 * threads' registers, FP state, TLS, syscalls, signals and rseq;
 * port_mm.c the memory map (auxv, vDSO, address space, executables and
 * libraries, saved code and data pages); port_files.c the open flags and
 * seccomp filters; port_facts.c holds the facts of the architectures
 * (numbers of the ABIs) and the seccomp BPF scanner.
 */
#ifndef CRIMG_PORT_H
#define CRIMG_PORT_H
#include <stddef.h>
#include <stdint.h>
#include "check/check_int.h"
#include "crimg/mem.h"

/* core_entry.mtype of the architectures the report knows */
enum {
	PORT_X86_64 = 1,
	PORT_AARCH64 = 3,
	PORT_S390 = 5
};

/* A finding's severity read as its verdict (crimg/check.h, part 4). */
#define P_BLOCKS ((int)CRIMG_CHECK_WILL_FAIL)
#define P_CONVERT ((int)CRIMG_CHECK_MAY_FAIL)
#define P_IRRELEVANT ((int)CRIMG_CHECK_NOTE)

/* ---- facts of the architectures (port_facts.c) ---- */

/* The mtype of an architecture name ("x86_64", "amd64", "aarch64",
 * "arm64", "s390x"), 0 for one the report does not know. */
unsigned port_mtype(const char *name);
/* 1 for a big-endian architecture (s390x). */
int port_big_endian(unsigned mtype);
/* The ELF e_machine of its executables (EM_X86_64 62, EM_AARCH64 183,
 * EM_S390 22), 0 unknown; and a name for an e_machine ("EM_X86_64"), NULL
 * when the table has none. */
unsigned port_elf_machine(unsigned mtype);
const char *port_elf_machine_name(unsigned em);
/* seccomp_data.arch of its native syscalls (AUDIT_ARCH_*), and a name for
 * an AUDIT_ARCH value ("x86_64", "i386", ...; NULL unknown). */
uint32_t port_audit_arch(unsigned mtype);
const char *port_audit_arch_name(uint32_t a);
/* The end of its user address space as a restore can map it (x86_64 with
 * 4-level paging, aarch64 with 48-bit addresses, s390x with 5 levels). */
uint64_t port_user_top(unsigned mtype);
/* The most saved auxv values CRIU of that architecture reads
 * (AT_VECTOR_SIZE of its sources: 44, 40, 44). */
unsigned port_auxv_max(unsigned mtype);
/* Open flags: the bits whose meaning differs between from and to (in
 * from's values), flags rewritten to to's values, and the names of the
 * differing flags set in bits ("O_LARGEFILE|O_DIRECT", from's values)
 * into buf. */
uint32_t port_flags_differ(unsigned from, unsigned to);
uint32_t port_flags_map(uint32_t flags, unsigned from, unsigned to);
const char *port_flags_names(uint32_t bits, unsigned mtype, char *buf, size_t len);
/* Syscall numbers of the common blocking and I/O calls: a name for nr on
 * mtype (NULL when the table has none), and the number of name on mtype
 * (-1 when that architecture has no such call). */
const char *port_syscall_name(unsigned mtype, uint64_t nr);
int64_t port_syscall_nr(unsigned mtype, const char *name);
/* The architecture a path names as its build's by the conventions of
 * distributions (a multiarch directory "x86_64-linux-gnu", a dynamic
 * loader "ld-linux-aarch64.so.1"), 0 when it names none. */
unsigned port_path_arch(const char *path);

/* ---- seccomp filters ---- */

#define PORT_BPF_ARCHES 8
struct port_bpf {
	size_t n_insns;
	int loads_arch; /* some path reads seccomp_data.arch */
	int loads_nr;   /* some path reads seccomp_data.nr */
	/* AUDIT_ARCH constants seccomp_data.arch is compared with (jeq), in
	 * program order, each once */
	uint32_t arches[PORT_BPF_ARCHES];
	size_t n_arches;
	size_t nr_compares; /* comparisons of seccomp_data.nr with constants */
};
/*
 * Scans a classic BPF program (struct sock_filter: u16 code, u8 jt, u8 jf,
 * u32 k, in byte order bo) of len bytes.  Jumps only go forward, so one
 * pass in program order knows what the accumulator may hold at each
 * instruction (seccomp_data.arch, .nr, or something else).  0, or -1 with
 * why (of why_len bytes) saying what is wrong with the program: a length
 * that is not a whole number of instructions, none, more than the
 * kernel's 4096, a jump past the end.
 */
int port_bpf_scan(const uint8_t *prog, size_t len, enum crimg_byte_order bo, struct port_bpf *out,
		  char *why, size_t why_len);

/* ---- one report ---- */

struct port {
	struct crimg_check *k;
	struct crimg_ckpt *c;
	const struct crimg_port_opts *o;
	unsigned src, dst; /* mtypes of the checkpoint and of the target */
	const struct crimg_tree *tree;
	unsigned page_size;
	int oom;
};

/* Adds a finding of reason r with verdict sev (P_*; -1: the reason's)
 * for task (0: the checkpoint as a whole).  value and target may be NULL.
 * -1 when out of memory (p->oom set). */
int port_add(struct port *p, enum check_reason_id r, int sev, uint32_t task, const char *image,
	     int64_t entry, const char *field, const char *value, const char *target,
	     const char *fmt, ...) __attribute__((format(printf, 10, 11)));
/* An image that cannot be read: an arch-unknown finding with the error. */
int port_unreadable(struct port *p, uint32_t task, const char *image, const struct crimg_error *e);
/* The architecture names of p's source and target. */
const char *port_src(const struct port *p);
const char *port_dst(const struct port *p);
/* Where addr lies in mm: "/usr/lib/libc.so.6 + 0xd3df0", "[stack]",
 * "anonymous memory", "no mapping"; *vma gets the VMA (NULL when none). */
void port_where(const struct crimg_task_mm *mm, uint64_t addr, char *buf, size_t len,
		const struct crimg_task_vma **vma);

/* port_threads.c: the cores of task t (mtype, registers, syscall state, FP
 * and CPU state, TLS, signals, rseq) */
int port_threads(struct port *p, const struct crimg_task *t);
/* port_mm.c: the memory map of task t (auxv, vDSO, vsyscall, address
 * space, executables and libraries, saved pages) */
int port_mm(struct port *p, const struct crimg_task *t);
/* The page size the saved auxv of the first task with one says (0 none),
 * and the entry it came from. */
unsigned port_auxv_page_size(struct port *p, uint32_t *pid);
/* port_files.c: the seccomp filters of task t's threads; the open flags
 * of the checkpoint's files. */
int port_seccomp(struct port *p, const struct crimg_task *t);
int port_open_flags(struct port *p);

#endif
