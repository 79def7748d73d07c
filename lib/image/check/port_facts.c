/*
 * Facts of the three architectures the portability report knows, as the
 * kernel's and CRIU's sources give them, and the seccomp BPF scanner.
 * Nothing here reads a checkpoint: the unit tests hold each table to its
 * source (tests/unit/t_check_port.c).
 */
#include <stdio.h>
#include <string.h>
#include "check/port.h"

unsigned port_mtype(const char *name)
{
	static const struct {
		const char *name;
		unsigned mtype;
	} names[] = {
		{ "x86_64", PORT_X86_64 }, { "amd64", PORT_X86_64 }, { "aarch64", PORT_AARCH64 },
		{ "arm64", PORT_AARCH64 }, { "s390x", PORT_S390 },
	};
	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i].name))
			return names[i].mtype;
	return 0;
}

int port_big_endian(unsigned mtype)
{
	return mtype == PORT_S390;
}

unsigned port_elf_machine(unsigned mtype)
{
	switch (mtype) {
	case PORT_X86_64:
		return 62;
	case PORT_AARCH64:
		return 183;
	case PORT_S390:
		return 22;
	}
	return 0;
}

const char *port_elf_machine_name(unsigned em)
{
	static const struct {
		unsigned em;
		const char *name;
	} t[] = {
		{ 3, "EM_386" },         { 8, "EM_MIPS" },      { 20, "EM_PPC" },
		{ 21, "EM_PPC64" },      { 22, "EM_S390" },     { 40, "EM_ARM" },
		{ 62, "EM_X86_64" },     { 183, "EM_AARCH64" }, { 243, "EM_RISCV" },
		{ 258, "EM_LOONGARCH" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].em == em)
			return t[i].name;
	return NULL;
}

/* AUDIT_ARCH_*: the ELF machine, with 0x80000000 for 64-bit and
 * 0x40000000 for little-endian (include/uapi/linux/audit.h). */
static const struct {
	uint32_t v;
	const char *name;
} audit_arches[] = {
	{ 0xc000003eu, "x86_64" },      { 0x40000003u, "i386" },   { 0xc00000b7u, "aarch64" },
	{ 0x40000028u, "arm" },         { 0x80000016u, "s390x" },  { 0x00000016u, "s390" },
	{ 0xc0000015u, "ppc64le" },     { 0x80000015u, "ppc64" },  { 0xc00000f3u, "riscv64" },
	{ 0xc0000102u, "loongarch64" }, { 0x80000008u, "mips64" }, { 0xc0000008u, "mips64el" },
};

uint32_t port_audit_arch(unsigned mtype)
{
	switch (mtype) {
	case PORT_X86_64:
		return 0xc000003eu;
	case PORT_AARCH64:
		return 0xc00000b7u;
	case PORT_S390:
		return 0x80000016u;
	}
	return 0;
}

const char *port_audit_arch_name(uint32_t a)
{
	for (size_t i = 0; i < sizeof(audit_arches) / sizeof(audit_arches[0]); i++)
		if (audit_arches[i].v == a)
			return audit_arches[i].name;
	return NULL;
}

uint64_t port_user_top(unsigned mtype)
{
	switch (mtype) {
	case PORT_X86_64:
		return 0x7ffffffff000ull; /* TASK_SIZE with 4-level paging */
	case PORT_AARCH64:
		return 1ull << 48; /* 48-bit virtual addresses (Debian's kernels) */
	case PORT_S390:
		return 1ull << 53; /* "4TB or 8PT for 64 bit", growing on demand */
	}
	return UINT64_MAX;
}

unsigned port_auxv_max(unsigned mtype)
{
	switch (mtype) {
	case PORT_X86_64:
		return 44;
	case PORT_AARCH64:
		return 40;
	case PORT_S390:
		return 44; /* 2 * (AT_VECTOR_SIZE_ARCH 1 + base 20 + 1) */
	}
	return 0;
}

/* ---- open flags ----
 * The four flags whose values differ: asm-generic's (x86_64 and s390x use
 * them) against arm64's own (arch/arm64/include/uapi/asm/fcntl.h).  Every
 * other O_* value is the same on the three. */
static const struct {
	const char *name;
	uint32_t generic, arm64;
} oflags[] = {
	{ "O_DIRECT", 040000, 0200000 },
	{ "O_LARGEFILE", 0100000, 0400000 },
	{ "O_DIRECTORY", 0200000, 040000 },
	{ "O_NOFOLLOW", 0400000, 0100000 },
};

static uint32_t oflag(size_t i, unsigned mtype)
{
	return mtype == PORT_AARCH64 ? oflags[i].arm64 : oflags[i].generic;
}

uint32_t port_flags_differ(unsigned from, unsigned to)
{
	uint32_t m = 0;
	for (size_t i = 0; i < sizeof(oflags) / sizeof(oflags[0]); i++)
		if (oflag(i, from) != oflag(i, to))
			m |= oflag(i, from);
	return m;
}

uint32_t port_flags_map(uint32_t flags, unsigned from, unsigned to)
{
	uint32_t all = 0, out = 0;
	for (size_t i = 0; i < sizeof(oflags) / sizeof(oflags[0]); i++) {
		all |= oflag(i, from);
		if (flags & oflag(i, from))
			out |= oflag(i, to);
	}
	return (flags & ~all) | out;
}

const char *port_flags_names(uint32_t bits, unsigned mtype, char *buf, size_t len)
{
	size_t k = 0;
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(oflags) / sizeof(oflags[0]) && len; i++) {
		if (!(bits & oflag(i, mtype)))
			continue;
		int r = snprintf(buf + k, len - k, "%s%s", k ? "|" : "", oflags[i].name);
		if (r < 0 || (size_t)r >= len - k)
			break;
		k += (size_t)r;
	}
	return buf;
}

/* ---- syscall numbers ----
 * x86_64: arch/x86/entry/syscalls/syscall_64.tbl; aarch64: the generic
 * table (include/uapi/asm-generic/unistd.h); s390x:
 * arch/s390/kernel/syscalls/syscall.tbl.  -1: no such call there (aarch64
 * has no pause, poll, select, epoll_wait or open; s390x reaches accept
 * through socketcall only). */
static const struct {
	const char *name;
	int x86, a64, s390;
} syscalls[] = {
	{ "read", 0, 63, 3 },
	{ "write", 1, 64, 4 },
	{ "open", 2, -1, 5 },
	{ "close", 3, 57, 6 },
	{ "poll", 7, -1, 168 },
	{ "mmap", 9, 222, 90 },
	{ "munmap", 11, 215, 91 },
	{ "rt_sigreturn", 15, 139, 173 },
	{ "ioctl", 16, 29, 54 },
	{ "pread64", 17, 67, 180 },
	{ "pwrite64", 18, 68, 181 },
	{ "readv", 19, 65, 145 },
	{ "writev", 20, 66, 146 },
	{ "select", 23, -1, 142 },
	{ "sched_yield", 24, 124, 158 },
	{ "pause", 34, -1, 29 },
	{ "nanosleep", 35, 101, 162 },
	{ "getpid", 39, 172, 20 },
	{ "connect", 42, 203, 362 },
	{ "accept", 43, 202, -1 },
	{ "sendto", 44, 206, 369 },
	{ "recvfrom", 45, 207, 371 },
	{ "sendmsg", 46, 211, 370 },
	{ "recvmsg", 47, 212, 372 },
	{ "clone", 56, 220, 120 },
	{ "execve", 59, 221, 11 },
	{ "exit", 60, 93, 1 },
	{ "wait4", 61, 260, 114 },
	{ "msgrcv", 70, 188, 401 },
	{ "fcntl", 72, 25, 55 },
	{ "flock", 73, 32, 143 },
	{ "rt_sigtimedwait", 128, 137, 177 },
	{ "rt_sigsuspend", 130, 133, 179 },
	{ "futex", 202, 98, 238 },
	{ "io_getevents", 208, 4, 245 },
	{ "restart_syscall", 219, 128, 7 },
	{ "semtimedop", 220, 192, 392 },
	{ "clock_nanosleep", 230, 115, 262 },
	{ "exit_group", 231, 94, 248 },
	{ "epoll_wait", 232, -1, 251 },
	{ "mq_timedreceive", 243, 183, 274 },
	{ "waitid", 247, 95, 281 },
	{ "openat", 257, 56, 288 },
	{ "pselect6", 270, 72, 301 },
	{ "ppoll", 271, 73, 302 },
	{ "epoll_pwait", 281, 22, 312 },
	{ "accept4", 288, 242, 364 },
	{ "recvmmsg", 299, 243, 357 },
	{ "io_uring_enter", 426, 426, 426 },
	{ "clone3", 435, 435, 435 },
	{ "epoll_pwait2", 441, 441, 441 },
	{ "futex_waitv", 449, 449, 449 },
};

static int sys_nr(size_t i, unsigned mtype)
{
	switch (mtype) {
	case PORT_X86_64:
		return syscalls[i].x86;
	case PORT_AARCH64:
		return syscalls[i].a64;
	case PORT_S390:
		return syscalls[i].s390;
	}
	return -1;
}

const char *port_syscall_name(unsigned mtype, uint64_t nr)
{
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (sys_nr(i, mtype) >= 0 && (uint64_t)sys_nr(i, mtype) == nr)
			return syscalls[i].name;
	return NULL;
}

int64_t port_syscall_nr(unsigned mtype, const char *name)
{
	for (size_t i = 0; name && i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (!strcmp(syscalls[i].name, name))
			return sys_nr(i, mtype);
	return -1;
}

unsigned port_path_arch(const char *path)
{
	static const struct {
		const char *s;
		unsigned mtype;
	} marks[] = {
		{ "/x86_64-linux-gnu/", PORT_X86_64 },
		{ "/ld-linux-x86-64.so", PORT_X86_64 },
		{ "/ld-musl-x86_64.so", PORT_X86_64 },
		{ "/aarch64-linux-gnu/", PORT_AARCH64 },
		{ "/ld-linux-aarch64.so", PORT_AARCH64 },
		{ "/ld-musl-aarch64.so", PORT_AARCH64 },
		{ "/s390x-linux-gnu/", PORT_S390 },
		{ "/ld-musl-s390x.so", PORT_S390 },
		{ "/ld64.so.1", PORT_S390 },
		/* Python's extension modules name their platform too */
		{ "-x86_64-linux-gnu.so", PORT_X86_64 },
		{ "-aarch64-linux-gnu.so", PORT_AARCH64 },
		{ "-s390x-linux-gnu.so", PORT_S390 },
	};
	for (size_t i = 0; path && i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strstr(path, marks[i].s))
			return marks[i].mtype;
	return 0;
}

/* ---- classic BPF (seccomp filters) ---- */

#define BPF_MAXINSNS 4096
/* what the accumulator may hold: bits of a set */
#define A_ARCH 1u
#define A_NR 2u
#define A_OTHER 4u

static uint32_t rd(const uint8_t *p, unsigned n, enum crimg_byte_order bo)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)p[bo == CRIMG_BIG_ENDIAN ? n - 1 - i : i] << (8 * i);
	return v;
}

static void add_arch(struct port_bpf *b, uint32_t a)
{
	for (size_t i = 0; i < b->n_arches; i++)
		if (b->arches[i] == a)
			return;
	if (b->n_arches < PORT_BPF_ARCHES)
		b->arches[b->n_arches++] = a;
}

int port_bpf_scan(const uint8_t *prog, size_t len, enum crimg_byte_order bo, struct port_bpf *out,
		  char *why, size_t why_len)
{
	/* the accumulator's possible contents before each instruction */
	unsigned char in[BPF_MAXINSNS];
	memset(out, 0, sizeof(*out));
	if (!len || len % 8) {
		snprintf(why, why_len, "%zu bytes is not a whole number of 8-byte instructions",
			 len);
		return -1;
	}
	size_t n = len / 8;
	if (n > BPF_MAXINSNS) {
		snprintf(why, why_len, "%zu instructions, more than the kernel's %u", n,
			 BPF_MAXINSNS);
		return -1;
	}
	out->n_insns = n;
	memset(in, 0, n);
	in[0] = A_OTHER;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = prog + 8 * i;
		unsigned code = rd(p, 2, bo), jt = p[2], jf = p[3];
		uint32_t k = rd(p + 4, 4, bo);
		unsigned a = in[i], cls = code & 7;
		if (!a)
			continue; /* no path reaches it */
		switch (cls) {
		case 0x00:                                                    /* BPF_LD */
			if ((code & 0xe0) == 0x20 && (code & 0x18) == 0x00) { /* ABS, W */
				a = k == 4 ? A_ARCH : k == 0 ? A_NR : A_OTHER;
				if (k == 4)
					out->loads_arch = 1;
				if (k == 0)
					out->loads_nr = 1;
			} else {
				a = A_OTHER;
			}
			break;
		case 0x04: /* BPF_ALU */
			a = A_OTHER;
			break;
		case 0x07: /* BPF_MISC: TXA loads X into A, TAX leaves A */
			if (code & 0x80)
				a = A_OTHER;
			break;
		case 0x06: /* BPF_RET */
			continue;
		case 0x05: { /* BPF_JMP */
			unsigned op = code & 0xf0;
			if (op == 0x00) { /* JA */
				if (k >= n - i - 1) {
					snprintf(why, why_len,
						 "instruction %zu jumps %u ahead, past the end (%zu instructions)",
						 i, k, n);
					return -1;
				}
				in[i + 1 + k] |= (unsigned char)a;
				continue;
			}
			if (jt >= n - i - 1 || jf >= n - i - 1) {
				snprintf(why, why_len,
					 "instruction %zu jumps %u or %u ahead, past the end (%zu instructions)",
					 i, jt, jf, n);
				return -1;
			}
			if (!(code & 0x08)) { /* BPF_K: compared with a constant */
				if ((a & A_ARCH) && op == 0x10) /* JEQ */
					add_arch(out, k);
				if ((a & A_NR) && op != 0x40) /* not JSET */
					out->nr_compares++;
			}
			in[i + 1 + jt] |= (unsigned char)a;
			in[i + 1 + jf] |= (unsigned char)a;
			continue;
		}
		default: /* LDX, ST, STX leave A as it is */
			break;
		}
		if (i + 1 < n)
			in[i + 1] |= (unsigned char)a;
	}
	return 0;
}
