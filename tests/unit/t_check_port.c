/*
 * crit check, part 4 (the portability report): the facts of the
 * architectures held to the kernel's headers, the seccomp BPF scanner on
 * programs made with the kernel's own macros (in both byte orders) and on
 * the Podman filter of the corpus, the open-flags mapping, and the report
 * on the demo sample and corpus dumps.
 */
#include <linux/audit.h>
#include <linux/elf-em.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#if defined(__x86_64__)
#include <asm/unistd_64.h>
#endif
/* the generic values (x86_64 and s390x use them) */
#include <asm-generic/fcntl.h>

#include "check/port.h"
#include "crimg/check.h"
#include "unit.h"

TEST(port_facts_match_kernel_headers)
{
	EXPECT(port_audit_arch(PORT_X86_64) == AUDIT_ARCH_X86_64);
	EXPECT(port_audit_arch(PORT_AARCH64) == AUDIT_ARCH_AARCH64);
	EXPECT(port_audit_arch(PORT_S390) == AUDIT_ARCH_S390X);
	EXPECT_STR(port_audit_arch_name(AUDIT_ARCH_I386), "i386");
	EXPECT_STR(port_audit_arch_name(AUDIT_ARCH_ARM), "arm");
	EXPECT_STR(port_audit_arch_name(AUDIT_ARCH_S390), "s390");
	EXPECT_STR(port_audit_arch_name(AUDIT_ARCH_PPC64LE), "ppc64le");
	EXPECT_STR(port_audit_arch_name(AUDIT_ARCH_RISCV64), "riscv64");
	EXPECT(port_audit_arch_name(0x12345678) == NULL);
	EXPECT(port_elf_machine(PORT_X86_64) == EM_X86_64);
	EXPECT(port_elf_machine(PORT_AARCH64) == EM_AARCH64);
	EXPECT(port_elf_machine(PORT_S390) == EM_S390);
	EXPECT_STR(port_elf_machine_name(EM_AARCH64), "EM_AARCH64");
	/* the generic open flags are x86_64's and s390x's */
	EXPECT(port_flags_map(O_DIRECT, PORT_X86_64, PORT_X86_64) == O_DIRECT);
	EXPECT(port_flags_differ(PORT_X86_64, PORT_AARCH64) ==
	       (uint32_t)(O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW));
	EXPECT(port_flags_differ(PORT_X86_64, PORT_S390) == 0);
	EXPECT(port_flags_differ(PORT_S390, PORT_X86_64) == 0);
	/* the mtype and names */
	EXPECT(port_mtype("amd64") == PORT_X86_64 && port_mtype("arm64") == PORT_AARCH64);
	EXPECT(port_mtype("ppc64le") == 0 && port_mtype(NULL) == 0);
	EXPECT_STR(crimg_port_arch("arm64"), "aarch64");
	EXPECT(crimg_port_arch("riscv64") == NULL);
	EXPECT(port_big_endian(PORT_S390) && !port_big_endian(PORT_AARCH64));
	EXPECT(port_auxv_max(PORT_AARCH64) == 40 && port_auxv_max(PORT_X86_64) == 44);
	EXPECT(port_user_top(PORT_X86_64) == 0x7ffffffff000ull);
}

#if defined(__x86_64__)
/* the table's x86_64 numbers against this machine's <asm/unistd_64.h> */
TEST(port_syscalls_x86_64_headers)
{
	static const struct {
		const char *name;
		int nr;
	} t[] = {
		{ "read", __NR_read },
		{ "write", __NR_write },
		{ "open", __NR_open },
		{ "poll", __NR_poll },
		{ "select", __NR_select },
		{ "pause", __NR_pause },
		{ "nanosleep", __NR_nanosleep },
		{ "wait4", __NR_wait4 },
		{ "accept", __NR_accept },
		{ "recvfrom", __NR_recvfrom },
		{ "futex", __NR_futex },
		{ "restart_syscall", __NR_restart_syscall },
		{ "clock_nanosleep", __NR_clock_nanosleep },
		{ "epoll_wait", __NR_epoll_wait },
		{ "ppoll", __NR_ppoll },
		{ "pselect6", __NR_pselect6 },
		{ "epoll_pwait", __NR_epoll_pwait },
		{ "rt_sigsuspend", __NR_rt_sigsuspend },
		{ "rt_sigtimedwait", __NR_rt_sigtimedwait },
		{ "waitid", __NR_waitid },
		{ "io_uring_enter", __NR_io_uring_enter },
		{ "futex_waitv", __NR_futex_waitv },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		EXPECT(port_syscall_nr(PORT_X86_64, t[i].name) == t[i].nr);
		EXPECT_STR(port_syscall_name(PORT_X86_64, (uint64_t)t[i].nr), t[i].name);
	}
}
#endif

TEST(port_syscalls_across_architectures)
{
	/* pause: 34 on x86_64, 29 on s390x, none on aarch64 (generic table) */
	EXPECT(port_syscall_nr(PORT_X86_64, "pause") == 34);
	EXPECT(port_syscall_nr(PORT_S390, "pause") == 29);
	EXPECT(port_syscall_nr(PORT_AARCH64, "pause") == -1);
	EXPECT(port_syscall_nr(PORT_AARCH64, "ppoll") == 73);
	EXPECT(port_syscall_nr(PORT_AARCH64, "wait4") == 260);
	EXPECT(port_syscall_nr(PORT_S390, "accept") == -1);
	EXPECT_STR(port_syscall_name(PORT_AARCH64, 73), "ppoll");
	EXPECT_STR(port_syscall_name(PORT_S390, 302), "ppoll");
	EXPECT(port_syscall_name(PORT_AARCH64, 100000) == NULL);
	EXPECT(port_syscall_nr(PORT_X86_64, "no_such_call") == -1);
}

TEST(port_open_flags_mapping)
{
	/* arm64's values (arch/arm64/include/uapi/asm/fcntl.h) */
	EXPECT(port_flags_map(0100000, PORT_X86_64, PORT_AARCH64) == 0400000); /* O_LARGEFILE */
	EXPECT(port_flags_map(0200000, PORT_X86_64, PORT_AARCH64) == 040000);  /* O_DIRECTORY */
	EXPECT(port_flags_map(0400000, PORT_X86_64, PORT_AARCH64) == 0100000); /* O_NOFOLLOW */
	EXPECT(port_flags_map(040000, PORT_X86_64, PORT_AARCH64) == 0200000);  /* O_DIRECT */
	/* x86's O_LARGEFILE is aarch64's O_NOFOLLOW: a flag moved as a bit
	 * would change its meaning */
	EXPECT(port_flags_map(0100000, PORT_AARCH64, PORT_X86_64) == 0400000);
	/* every combination of the four and the other bits goes there and back */
	for (uint32_t m = 0; m < 16; m++) {
		uint32_t f = 02 | 04000 | 02000000; /* O_RDWR, O_NONBLOCK, O_CLOEXEC */
		if (m & 1)
			f |= 040000;
		if (m & 2)
			f |= 0100000;
		if (m & 4)
			f |= 0200000;
		if (m & 8)
			f |= 0400000;
		uint32_t a = port_flags_map(f, PORT_X86_64, PORT_AARCH64);
		EXPECT((a & (02 | 04000 | 02000000)) == (02 | 04000 | 02000000));
		EXPECT(port_flags_map(a, PORT_AARCH64, PORT_X86_64) == f);
		EXPECT(port_flags_map(f, PORT_X86_64, PORT_S390) == f);
		EXPECT(__builtin_popcount(a) == __builtin_popcount(f));
	}
	char b[80];
	EXPECT_STR(port_flags_names(0100000 | 040000, PORT_X86_64, b, sizeof(b)),
		   "O_DIRECT|O_LARGEFILE");
	EXPECT_STR(port_flags_names(0400000, PORT_AARCH64, b, sizeof(b)), "O_LARGEFILE");
	EXPECT_STR(port_flags_names(0, PORT_AARCH64, b, sizeof(b)), "");
}

TEST(port_path_arch_names)
{
	EXPECT(port_path_arch("/usr/lib/x86_64-linux-gnu/libc.so.6") == PORT_X86_64);
	EXPECT(port_path_arch("/lib64/ld-linux-x86-64.so.2") == PORT_X86_64);
	EXPECT(port_path_arch("/usr/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1") == PORT_AARCH64);
	EXPECT(port_path_arch("/usr/lib/s390x-linux-gnu/ld64.so.1") == PORT_S390);
	EXPECT(port_path_arch(
		       "/usr/lib/python3.11/lib-dynload/_json.cpython-311-x86_64-linux-gnu.so") ==
	       PORT_X86_64);
	EXPECT(port_path_arch("/opt/x86_64/bin/tool") == 0);
	EXPECT(port_path_arch("/tmp/crimg/kitchen") == 0);
	EXPECT(port_path_arch(NULL) == 0);
}

/* ---- seccomp BPF ---- */

/* insns as the kernel keeps them, in byte order big (1) or little (0) */
static size_t encode(const struct sock_filter *f, size_t n, int big, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = out + 8 * i;
		uint16_t c = f[i].code;
		uint32_t k = f[i].k;
		p[0] = (uint8_t)(big ? c >> 8 : c);
		p[1] = (uint8_t)(big ? c : c >> 8);
		p[2] = f[i].jt;
		p[3] = f[i].jf;
		for (int b = 0; b < 4; b++)
			p[4 + b] = (uint8_t)(k >> (8 * (big ? 3 - b : b)));
	}
	return 8 * n;
}

#define LD_ARCH BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch))
#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))

TEST(port_bpf_arch_and_numbers)
{
	/* the usual shape: check the architecture, then the numbers */
	static const struct sock_filter prog[] = {
		LD_ARCH,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		RET(SECCOMP_RET_KILL_PROCESS),
		LD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 34, 0, 1),
		RET(SECCOMP_RET_ERRNO | 1),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 400, 0, 1),
		RET(SECCOMP_RET_KILL_PROCESS),
		RET(SECCOMP_RET_ALLOW),
	};
	uint8_t buf[sizeof(prog) / sizeof(prog[0]) * 8];
	char why[160];
	for (int big = 0; big < 2; big++) {
		struct port_bpf b;
		size_t len = encode(prog, sizeof(prog) / sizeof(prog[0]), big, buf);
		EXPECT(port_bpf_scan(buf, len, big ? CRIMG_BIG_ENDIAN : CRIMG_LITTLE_ENDIAN, &b,
				     why, sizeof(why)) == 0);
		EXPECT(b.n_insns == 10);
		EXPECT(b.loads_arch && b.loads_nr);
		EXPECT(b.n_arches == 2 && b.arches[0] == AUDIT_ARCH_I386 &&
		       b.arches[1] == AUDIT_ARCH_X86_64);
		EXPECT(b.nr_compares == 2);
		/* read in the other byte order, the constants are other numbers */
		EXPECT(port_bpf_scan(buf, len, big ? CRIMG_LITTLE_ENDIAN : CRIMG_BIG_ENDIAN, &b,
				     why, sizeof(why)) < 0 ||
		       b.n_arches == 0 || b.arches[0] != AUDIT_ARCH_I386);
	}
}

TEST(port_bpf_flow)
{
	struct port_bpf b;
	char why[160];
	uint8_t buf[64 * 8];
	/* a comparison no path reaches is not the filter's */
	static const struct sock_filter skip[] = {
		LD_ARCH,
		BPF_STMT(BPF_JMP | BPF_JA, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_AARCH64, 0, 0),
		RET(SECCOMP_RET_KILL_PROCESS),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 1),
		RET(SECCOMP_RET_ALLOW),
		RET(SECCOMP_RET_KILL_PROCESS),
	};
	size_t len = encode(skip, 7, 0, buf);
	EXPECT(port_bpf_scan(buf, len, CRIMG_LITTLE_ENDIAN, &b, why, sizeof(why)) == 0);
	EXPECT(b.n_arches == 1 && b.arches[0] == AUDIT_ARCH_X86_64);
	/* what the accumulator holds is followed: after TXA it is not the arch */
	static const struct sock_filter txa[] = {
		LD_ARCH,
		BPF_STMT(BPF_MISC | BPF_TXA, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 0),
		RET(SECCOMP_RET_ALLOW),
	};
	len = encode(txa, 4, 0, buf);
	EXPECT(port_bpf_scan(buf, len, CRIMG_LITTLE_ENDIAN, &b, why, sizeof(why)) == 0);
	EXPECT(b.loads_arch && b.n_arches == 0 && !b.loads_nr);
	/* a filter that looks at neither */
	static const struct sock_filter allow[] = { RET(SECCOMP_RET_ALLOW) };
	len = encode(allow, 1, 0, buf);
	EXPECT(port_bpf_scan(buf, len, CRIMG_LITTLE_ENDIAN, &b, why, sizeof(why)) == 0);
	EXPECT(!b.loads_arch && !b.loads_nr && b.n_insns == 1);
	/* two paths meet: the accumulator may be either */
	static const struct sock_filter meet[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16), /* args[0] */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
		LD_ARCH,
		BPF_STMT(BPF_JMP | BPF_JA, 1),
		LD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_S390X, 0, 0),
		RET(SECCOMP_RET_ALLOW),
	};
	len = encode(meet, 7, 0, buf);
	EXPECT(port_bpf_scan(buf, len, CRIMG_LITTLE_ENDIAN, &b, why, sizeof(why)) == 0);
	EXPECT(b.n_arches == 1 && b.arches[0] == AUDIT_ARCH_S390X && b.nr_compares == 1);
}

TEST(port_bpf_hostile)
{
	struct port_bpf b;
	char why[160];
	static uint8_t big[4097 * 8];
	uint8_t buf[16 * 8] = { 0 };
	EXPECT(port_bpf_scan(buf, 0, CRIMG_LITTLE_ENDIAN, &b, why, sizeof(why)) < 0);
	EXPECT(strstr(why, "0 bytes is not a whole number") != NULL);
	EXPECT(port_bpf_scan(buf, 7, CRIMG_LITTLE_ENDIAN, &b, why, sizeof(why)) < 0);
	EXPECT(strstr(why, "7 bytes") != NULL);
	EXPECT(port_bpf_scan(big, sizeof(big), CRIMG_LITTLE_ENDIAN, &b, why, sizeof(why)) < 0);
	EXPECT(strstr(why, "4097 instructions, more than the kernel's 4096") != NULL);
	/* jumps past the end */
	static const struct sock_filter jt[] = {
		LD_ARCH,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 5, 0),
		RET(SECCOMP_RET_ALLOW),
	};
	size_t len = encode(jt, 3, 0, buf);
	EXPECT(port_bpf_scan(buf, len, CRIMG_LITTLE_ENDIAN, &b, why, sizeof(why)) < 0);
	EXPECT(strstr(why, "instruction 1 jumps 5 or 0 ahead, past the end (3 instructions)") !=
	       NULL);
	static const struct sock_filter ja[] = {
		BPF_STMT(BPF_JMP | BPF_JA, 0xffffffffu),
		RET(SECCOMP_RET_ALLOW),
	};
	len = encode(ja, 2, 0, buf);
	EXPECT(port_bpf_scan(buf, len, CRIMG_LITTLE_ENDIAN, &b, why, sizeof(why)) < 0);
	EXPECT(strstr(why, "instruction 0 jumps 4294967295 ahead, past the end") != NULL);
	/* the last instruction jumping at all */
	static const struct sock_filter last[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0),
	};
	len = encode(last, 1, 0, buf);
	EXPECT(port_bpf_scan(buf, len, CRIMG_LITTLE_ENDIAN, &b, why, sizeof(why)) < 0);
}

/* ---- the report ---- */

static const struct crimg_finding *find(const struct crimg_check *k, const char *code,
					uint32_t task)
{
	for (size_t i = 0; i < crimg_check_count(k); i++) {
		const struct crimg_finding *f = crimg_check_get(k, i);
		if (!strcmp(f->code, code) && f->task == task)
			return f;
	}
	return NULL;
}

static struct crimg_ckpt *open_dir(const char *env, const char *fallback, const char *name)
{
	char path[1024];
	struct stat st;
	struct crimg_error e;
	const char *d = getenv(env);
	snprintf(path, sizeof(path), "%s/%s", d && *d ? d : fallback, name);
	if (stat(path, &st) != 0) {
		printf("    (%s absent: skipped)\n", path);
		return NULL;
	}
	crimg_error_clear(&e);
	return crimg_ckpt_open(path, NULL, &e);
}

TEST(port_report_demo)
{
	struct crimg_ckpt *c = open_dir("CRIMG_SAMPLES", "build/samples", "demo");
	if (!c)
		return;
	struct crimg_error e;
	struct crimg_port_summary s;
	struct crimg_port_opts o = { .target_arch = "aarch64" };
	struct crimg_check *k = crimg_check_new();
	crimg_error_clear(&e);
	EXPECT(crimg_check_portability(k, c, &o, &s, &e) == 0);
	EXPECT_STR(s.source_arch, "x86_64");
	EXPECT_STR(s.target_arch, "aarch64");
	/* the sample's threads stop where nothing is mapped */
	EXPECT(s.verdict == CRIMG_PORT_BLOCKED);
	const struct crimg_finding *f = find(k, "arch-registers", 100);
	EXPECT(f && f->severity == CRIMG_CHECK_WILL_FAIL &&
	       f->part == CRIMG_CHECK_PART_PORTABILITY);
	f = find(k, "arch-mtype", 101);
	EXPECT(f && f->severity == CRIMG_CHECK_MAY_FAIL && !strcmp(f->value, "x86_64") &&
	       !strcmp(f->target, "aarch64") && !strcmp(f->image, "core-101.img"));
	f = find(k, "arch-open-flags", 0);
	EXPECT(f && !strcmp(f->field, "reg.flags"));
	EXPECT(s.blocks + s.convertible + s.irrelevant == crimg_check_count(k));
	crimg_check_free(k);

	/* the same architecture: one note */
	k = crimg_check_new();
	o.target_arch = "amd64";
	EXPECT(crimg_check_portability(k, c, &o, &s, &e) == 0);
	EXPECT(s.verdict == CRIMG_PORT_SAME_ARCH && crimg_check_count(k) == 1);
	EXPECT(find(k, "arch-same", 0) != NULL);
	crimg_check_free(k);

	/* an architecture the report does not know */
	k = crimg_check_new();
	o.target_arch = "ppc64le";
	crimg_error_clear(&e);
	EXPECT(crimg_check_portability(k, c, &o, &s, &e) == -1);
	EXPECT(strstr(e.msg, "'ppc64le' is not one the report knows") != NULL);
	EXPECT(crimg_check_count(k) == 0);
	crimg_check_free(k);
	crimg_ckpt_close(c);
}

TEST(port_report_corpus)
{
	struct crimg_ckpt *c = open_dir("CRIMG_CORPUS", "../shared/corpus", "nsbox");
	if (!c)
		return;
	struct crimg_error e;
	struct crimg_port_summary s;
	struct crimg_port_opts o = { .target_arch = "aarch64" };
	struct crimg_check *k = crimg_check_new();
	/* a static executable stopped in wait4 and pause: movable under the
	 * contract */
	EXPECT(crimg_check_portability(k, c, &o, &s, &e) == 0);
	EXPECT(s.verdict == CRIMG_PORT_CONTRACT && s.blocks == 0);
	EXPECT(strstr(s.text, "only under the contract of crit convert --to-arch") != NULL);
	const struct crimg_finding *f = find(k, "arch-syscall", 1);
	EXPECT(f && !strcmp(f->value, "61") && !strcmp(f->target, "wait4 is 260 on aarch64"));
	crimg_check_free(k);
	crimg_ckpt_close(c);

	c = open_dir("CRIMG_CORPUS", "../shared/corpus", "foreign/s390x-kitchen");
	if (!c)
		return;
	k = crimg_check_new();
	EXPECT(crimg_check_portability(k, c, &o, &s, &e) == 0);
	f = find(k, "arch-byte-order", 0);
	EXPECT(f && f->severity == CRIMG_CHECK_WILL_FAIL && !strcmp(f->value, "big-endian"));
	f = find(k, "arch-syscall", 200);
	EXPECT(f && !strcmp(f->value, "0x2001d")); /* svc 29: pause */
	crimg_check_free(k);
	crimg_ckpt_close(c);

	/* the Podman filter: libseccomp's, for i386 and x86_64 */
	c = open_dir("CRIMG_CORPUS", "../shared/corpus", "archives/podman-busybox-none.tar");
	if (!c)
		return;
	crimg_error_clear(&e);
	const struct crimg_entries *en = crimg_ckpt_entries(c, "seccomp.img", &e);
	EXPECT(en && en->n == 1);
	k = crimg_check_new();
	EXPECT(crimg_check_portability(k, c, &o, &s, &e) == 0);
	f = find(k, "arch-seccomp", 1);
	EXPECT(f && f->severity == CRIMG_CHECK_WILL_FAIL &&
	       !strcmp(f->value,
		       "1158 instructions; arch compared with i386, x86_64; 1100 "
		       "syscall number comparisons"));
	crimg_check_free(k);
	crimg_ckpt_close(c);
}
