/*
 * crit check, part 2: the real restore cases (CRIU 4.2 dumps, one fault
 * each) against host descriptions made by hand with the facts of each
 * fault; the codes found must be the cause CRIU gave, and the cases that
 * restored must give no WILL_FAIL.  The cases live outside the repository
 * ($CRIMG_RESTORE_CASES, else ../shared/restore-cases); without them the
 * tests that need them say so and pass.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check/check_int.h"
#include "crimg/check.h"
#include "crimg/ckpt.h"
#include "unit.h"

static const char *cases_dir(void)
{
	const char *d = getenv("CRIMG_RESTORE_CASES");
	return d && *d ? d : "../shared/restore-cases";
}

static struct crimg_ckpt *open_case(const char *name)
{
	char path[1024];
	struct crimg_error e;
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s/images", cases_dir(), name);
	if (stat(path, &st) != 0) {
		static int said;
		if (!said++)
			printf("  (t_check_hostcheck: no restore cases at %s: skipped)\n",
			       cases_dir());
		return NULL;
	}
	struct crimg_ckpt *c = crimg_ckpt_open(path, NULL, &e);
	EXPECT(c != NULL);
	return c;
}

/* A host that knows its PIDs (none in use), ports, addresses and files
 * (none listed), and nothing else. */
static struct crimg_host *host_empty(void)
{
	struct crimg_host *h = host_new("test");
	EXPECT(h != NULL);
	h->pids_known = h->ports_known = h->files_known = 1;
	return h;
}

static void host_add_file(struct crimg_host *h, const char *path, int exists, uint64_t size,
			  uint32_t mode, const char *build_id)
{
	struct host_file *f = realloc(h->files, (h->n_files + 1) * sizeof(*f));
	if (!f)
		abort();
	h->files = f;
	f = &h->files[h->n_files++];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	f->exists = exists;
	f->size = size;
	f->mode = mode;
	f->dir_writable = -1;
	snprintf(f->build_id, sizeof(f->build_id), "%s", build_id ? build_id : "");
	h->files_known = 1;
}

static void host_add_pid(struct crimg_host *h, uint32_t pid)
{
	uint32_t *p = realloc(h->pids, (h->n_pids + 1) * sizeof(*p));
	if (!p)
		abort();
	h->pids = p;
	h->pids[h->n_pids++] = pid; /* callers add in increasing order */
	h->pids_known = 1;
}

/* Runs the check: a list of "code/severity" words ("file-size/2 ..."). */
static void run(struct crimg_ckpt *c, struct crimg_host *h, unsigned flags, char *out, size_t len)
{
	struct crimg_check_opts o = { .flags = flags };
	struct crimg_error e;
	struct crimg_check *k = crimg_check_new();
	size_t used = 0;
	EXPECT(k != NULL);
	EXPECT(crimg_check_host(k, c, h, &o, &e) == 0);
	out[0] = '\0';
	for (size_t i = 0; i < crimg_check_count(k); i++) {
		const struct crimg_finding *f = crimg_check_get(k, i);
		EXPECT(f->message[0] != '\0');
		EXPECT(!strchr(f->message, '\n'));
		int n = snprintf(out + used, len - used, "%s%s/%u", used ? " " : "", f->code,
				 f->severity);
		if (n > 0 && (size_t)n < len - used)
			used += (size_t)n;
	}
	if (getenv("T_CHECK_VERBOSE"))
		for (size_t i = 0; i < crimg_check_count(k); i++) {
			const struct crimg_finding *f = crimg_check_get(k, i);
			printf("    %s [%u] %s (%s#%lld %s=%s host %s)\n", f->code, f->severity,
			       f->message, f->image, (long long)f->entry, f->field, f->value,
			       f->host);
		}
	crimg_check_free(k);
}

#define RUN(c, h, flags) run((c), (h), (flags), got, sizeof(got))

static int worst_below_will_fail(const char *got)
{
	return !strstr(got, "/2");
}

TEST(hostcheck_unknown_host_says_nothing)
{
	struct crimg_ckpt *c = open_case("file-size-changed");
	char got[1024];
	if (!c)
		return;
	struct crimg_host *h = host_new("test");
	RUN(c, h, 0);
	EXPECT_STR(got, "");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_file_size_changed)
{
	struct crimg_ckpt *c = open_case("file-size-changed");
	char got[1024];
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	host_add_file(h, "/tmp/ckpt-work/run/file-size-changed/data.txt", 1, 63, 0100644, NULL);
	RUN(c, h, 0);
	EXPECT_STR(got, "file-size/2");
	crimg_host_free(h);
	h = host_empty(); /* as it was at the dump */
	host_add_file(h, "/tmp/ckpt-work/run/file-size-changed/data.txt", 1, 49, 0100644, NULL);
	RUN(c, h, 0);
	EXPECT_STR(got, "");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_file_deleted_and_cwd_removed)
{
	char got[1024];
	struct crimg_ckpt *c = open_case("file-deleted");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	host_add_file(h, "/tmp/ckpt-work/run/file-deleted/data.txt", 0, 0, 0, NULL);
	RUN(c, h, 0);
	EXPECT_STR(got, "file-missing/2");
	crimg_host_free(h);
	crimg_ckpt_close(c);

	c = open_case("cwd-removed");
	EXPECT(c != NULL);
	if (!c)
		return;
	h = host_empty();
	host_add_file(h, "/tmp/ckpt-work/run/cwd-removed/sub", 0, 0, 0, NULL);
	host_add_file(h, "/", 1, 4096, 040755, NULL);
	RUN(c, h, 0);
	EXPECT_STR(got, "file-missing/2");
	crimg_host_free(h);
	/* a file where the directory was: its type differs */
	h = host_empty();
	host_add_file(h, "/tmp/ckpt-work/run/cwd-removed/sub", 1, 0, 0100644, NULL);
	RUN(c, h, 0);
	EXPECT_STR(got, "file-mode/2");
	RUN(c, h, CRIMG_CHECK_SKIP_RWX);
	EXPECT_STR(got, "file-mode/2");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_exe_replaced)
{
	char got[1024];
	const char *exe = "/tmp/ckpt-work/run/exe-replaced/ctr";
	struct crimg_ckpt *c = open_case("exe-replaced");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	host_add_file(h, exe, 1, 43888, 0100755, "0123456789abcdef0123456789abcdef01234567");
	RUN(c, h, 0);
	EXPECT_STR(got, "file-size/2"); /* CRIU stops at the size */
	crimg_host_free(h);
	crimg_ckpt_close(c);

	exe = "/tmp/ckpt-work/run/exe-rebuilt-same-size/ctr";
	c = open_case("exe-rebuilt-same-size");
	EXPECT(c != NULL);
	if (!c)
		return;
	h = host_empty();
	host_add_file(h, exe, 1, 794496, 0100755, "64a664d19822b9bc46e3ae4c5581ef06217b16ab");
	RUN(c, h, 0);
	EXPECT_STR(got, "file-build-id/2");
	crimg_host_free(h);
	h = host_empty(); /* the binary the task ran */
	host_add_file(h, exe, 1, 794496, 0100755, "d367f0f2317790d38bb4a3ad7ca75bb19930a4aa");
	RUN(c, h, 0);
	EXPECT_STR(got, "");
	crimg_host_free(h);
	h = host_empty(); /* a mode changed: --skip-file-rwx-check lets it by */
	host_add_file(h, exe, 1, 794496, 0100700, "d367f0f2317790d38bb4a3ad7ca75bb19930a4aa");
	RUN(c, h, 0);
	EXPECT_STR(got, "file-mode/2");
	RUN(c, h, CRIMG_CHECK_SKIP_RWX);
	EXPECT_STR(got, "");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_pid_in_use)
{
	char got[1024];
	struct crimg_ckpt *c = open_case("pid-in-use-original-running");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	host_add_pid(h, 1);
	host_add_pid(h, 9674);
	RUN(c, h, 0);
	EXPECT_STR(got, "pid-in-use/2");
	RUN(c, h, CRIMG_CHECK_NEW_PIDNS);
	EXPECT_STR(got, "");
	h->pid_max = 4096; /* 9674 is above it: CRIU must raise it */
	h->n_pids = 1;
	RUN(c, h, 0);
	EXPECT_STR(got, "pid-max/1");
	crimg_host_free(h);
	crimg_ckpt_close(c);

	c = open_case("pid-in-use-other-process");
	EXPECT(c != NULL);
	if (!c)
		return;
	h = host_empty();
	host_add_pid(h, 10877);
	RUN(c, h, 0);
	EXPECT_STR(got, "pid-in-use/2");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_shell_job)
{
	char got[1024];
	struct crimg_ckpt *c = open_case("shell-job-no-flag");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	RUN(c, h, 0);
	EXPECT_STR(got, "shell-job/2");
	RUN(c, h, CRIMG_CHECK_SHELL_JOB);
	EXPECT_STR(got, "");
	h->sid = 6276; /* the restoring shell's session is a PID of the tree */
	RUN(c, h, CRIMG_CHECK_SHELL_JOB);
	EXPECT_STR(got, "session-in-use/2");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_tcp_options)
{
	char got[1024];
	struct crimg_ckpt *c = open_case("tcp-established-no-flag");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	RUN(c, h, 0);
	EXPECT_STR(got, "tcp-established/2 tcp-established/2");
	RUN(c, h, CRIMG_CHECK_TCP_ESTABLISHED);
	EXPECT_STR(got, "");
	RUN(c, h, CRIMG_CHECK_TCP_CLOSE);
	EXPECT_STR(got, "");
	crimg_host_free(h);
	crimg_ckpt_close(c);

	c = open_case("tcp-close-inventory");
	EXPECT(c != NULL);
	if (!c)
		return;
	h = host_empty();
	RUN(c, h, 0);
	EXPECT_STR(got, "tcp-close/2");
	RUN(c, h, CRIMG_CHECK_TCP_CLOSE);
	EXPECT_STR(got, "");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_port_in_use)
{
	char got[1024];
	struct crimg_ckpt *c = open_case("ok-baseline");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	h->ports = calloc(1, sizeof(*h->ports));
	h->n_ports = 1;
	h->ports[0] = (struct host_port){ .family = 2, .proto = 6, .port = 47401, .state = 10 };
	RUN(c, h, 0); /* 0.0.0.0:47401 on the host takes 127.0.0.1:47401 */
	EXPECT_STR(got, "port-in-use/2");
	h->ports[0].state = 1; /* a connection from that port is no listener */
	RUN(c, h, 0);
	EXPECT_STR(got, "");
	h->ports[0] = (struct host_port){
		.family = 2, .proto = 6, .port = 47401, .state = 10, .addr = { 10, 0, 0, 1 }
	};
	RUN(c, h, 0); /* another address */
	EXPECT_STR(got, "");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_unix_peer)
{
	char got[1024];
	struct crimg_ckpt *c = open_case("unix-peer-missing");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	host_add_file(h, "/tmp/ckpt-work/run/unix-peer-missing/peer.sock", 0, 0, 0, NULL);
	RUN(c, h, CRIMG_CHECK_EXT_UNIX_SK);
	EXPECT_STR(got, "file-missing/2");
	RUN(c, h, 0);
	EXPECT_STR(got, "unix-peer-external/2");
	crimg_host_free(h);
	h = host_empty();
	host_add_file(h, "/tmp/ckpt-work/run/unix-peer-missing/peer.sock", 1, 0, 0140755, NULL);
	RUN(c, h, CRIMG_CHECK_EXT_UNIX_SK);
	EXPECT_STR(got, "");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_nr_open)
{
	char got[1024];
	struct crimg_ckpt *c = open_case("rlimit-nofile");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	h->nr_open = 512; /* the limit the restore had */
	RUN(c, h, 0);
	EXPECT_STR(got, "nr-open/2");
	h->nr_open = 1048576;
	RUN(c, h, 0);
	EXPECT_STR(got, "");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_file_locks)
{
	char got[1024];
	struct crimg_ckpt *c = open_case("file-lock-conflict");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	RUN(c, h, CRIMG_CHECK_FILE_LOCKS);
	EXPECT_STR(got, "file-lock/1");
	crimg_host_free(h);
	crimg_ckpt_close(c);

	c = open_case("ok-file-locks-dropped");
	EXPECT(c != NULL);
	if (!c)
		return;
	h = host_empty();
	RUN(c, h, 0); /* restored without --file-locks: it passed, the lock was lost */
	EXPECT_STR(got, "file-lock/0");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_cpu_and_kernel)
{
	char got[1024];
	struct crimg_ckpt *c = open_case("cpuinfo-mismatch");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	h->xfeatures = 0xe5; /* this host: no PKRU (bit 9) */
	h->xsave_size = 2432;
	RUN(c, h, 0);
	EXPECT_STR(got, "cpu-features/2");
	h->xfeatures = 0x2e5;
	RUN(c, h, 0);
	EXPECT_STR(got, "");
	h->xsave_size = 2696;
	RUN(c, h, 0);
	EXPECT_STR(got, "cpu-features/2");
	h->xsave_size = 2432;
	h->xfeatures = 0x3; /* x87 and SSE only: the threads used AVX state */
	RUN(c, h, 0);
	EXPECT_STR(got, "cpu-features/2 cpu-features/2");
	h->xfeatures = 0x2e5;
	h->has_rseq = 0;
	h->has_timens = 0; /* the tree shared the host's time namespace */
	RUN(c, h, 0);
	EXPECT_STR(got, "rseq/2");
	h->has_rseq = 1;
	free(h->arch);
	h->arch = strdup("aarch64");
	RUN(c, h, 0);
	EXPECT_STR(got, "arch-mismatch/2");
	free(h->arch);
	h->arch = strdup("amd64");
	free(h->lsm);
	h->lsm = strdup("apparmor"); /* the dump had no LSM: nothing to restore */
	RUN(c, h, 0);
	EXPECT_STR(got, "");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_not_root)
{
	char got[1024];
	struct crimg_ckpt *c = open_case("not-root");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	h->privileged = 0;
	RUN(c, h, 0);
	EXPECT_STR(got, "not-privileged/2");
	h->privileged = 1;
	RUN(c, h, 0);
	EXPECT_STR(got, "");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

/* The restores that passed, against this host as it was for them. */
TEST(hostcheck_ok_cases_pass)
{
	static const struct {
		const char *name;
		unsigned flags;
		uint64_t size; /* data.txt on the host */
	} ok[] = {
		{ "ok-baseline", 0, 43 },
		{ "ok-mtime-changed", 0, 48 },
		{ "ok-owner-content-changed", 0, 56 },
		{ "ok-tcp-peer-gone", CRIMG_CHECK_TCP_ESTABLISHED, 0 },
		{ "ok-file-locks-dropped", 0, 53 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char got[1024], path[256];
		struct crimg_ckpt *c = open_case(ok[i].name);
		if (!c)
			return;
		struct crimg_host *h = host_empty();
		h->addrs_known = 1;
		h->addrs = calloc(1, sizeof(*h->addrs));
		h->n_addrs = 1;
		h->addrs[0] = (struct host_addr){ .family = 2, .addr = { 127, 0, 0, 1 } };
		h->privileged = 1;
		h->pid_max = 32768;
		h->nr_open = 1048576;
		h->has_rseq = h->has_timens = 1;
		h->xfeatures = 0xe5;
		h->xsave_size = 2432;
		free(h->arch);
		h->arch = strdup("x86_64");
		snprintf(path, sizeof(path), "/tmp/ckpt-work/run/%s/data.txt", ok[i].name);
		if (ok[i].size)
			host_add_file(h, path, 1, ok[i].size, 0100644, NULL);
		RUN(c, h, ok[i].flags);
		if (!worst_below_will_fail(got))
			printf("    %s: %s\n", ok[i].name, got);
		EXPECT(worst_below_will_fail(got));
		crimg_host_free(h);
		crimg_ckpt_close(c);
	}
}

/* No crash and no finding on a description with odd values. */
TEST(hostcheck_odd_host)
{
	char got[1024];
	struct crimg_ckpt *c = open_case("ok-baseline");
	if (!c)
		return;
	struct crimg_host *h = host_new("test");
	h->pid_max = 0;
	h->nr_open = 0;
	h->sid = h->pgid = 0;
	h->files_known = 1; /* known, but none listed */
	h->cgroups_known = 1;
	RUN(c, h, CRIMG_CHECK_SHELL_JOB);
	EXPECT(!strstr(got, "pid-max") && !strstr(got, "nr-open") && !strstr(got, "file-"));
	crimg_host_free(h);
	EXPECT(crimg_check_host(NULL, c, NULL, NULL, NULL) == 0);
	crimg_ckpt_close(c);
}

/* ---- the environment: --root, network lock, AppArmor, seccomp, vDSO,
 * the CPUID words of cpuinfo.img, file system types ---- */

static struct crimg_ckpt *open_corpus(const char *name)
{
	char path[1024];
	struct crimg_error e;
	struct stat st;
	snprintf(path, sizeof(path), "%s/../corpus/%s", cases_dir(), name);
	if (stat(path, &st) != 0)
		return NULL;
	struct crimg_ckpt *c = crimg_ckpt_open(path, NULL, &e);
	EXPECT(c != NULL);
	return c;
}

TEST(hostcheck_env_vdso_and_seccomp)
{
	char got[1024];
	struct crimg_ckpt *c = open_case("ok-baseline");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	/* this host: [vdso] 2 pages, [vvar] and [vvar_vclock] 6 */
	h->vdso_size = 0x2000;
	h->vvar_size = 0x6000;
	h->seccomp = 0;          /* the task had no filter */
	h->iptables_restore = 0; /* a listener only: no lock */
	RUN(c, h, 0);
	EXPECT_STR(got, "");
	h->vvar_size = 0x4000;
	RUN(c, h, 0);
	EXPECT_STR(got, "vdso/0");
	h->vdso_size = 0;
	RUN(c, h, 0);
	EXPECT_STR(got, "vdso/2");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_env_network_lock)
{
	char got[1024];
	struct crimg_ckpt *c = open_case("tcp-established-no-flag");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	RUN(c, h, CRIMG_CHECK_TCP_ESTABLISHED);
	EXPECT_STR(got, "");
	h->iptables_restore = 0;
	h->libnftables = 0; /* the inventory says iptables */
	RUN(c, h, CRIMG_CHECK_TCP_ESTABLISHED);
	EXPECT_STR(got, "network-lock/2");
	RUN(c, h, CRIMG_CHECK_TCP_CLOSE); /* closed: nothing to lock */
	EXPECT_STR(got, "");
	h->iptables_restore = 1;
	RUN(c, h, CRIMG_CHECK_TCP_ESTABLISHED);
	EXPECT_STR(got, "");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_env_cpu_words)
{
	char got[1024];
	struct crimg_ckpt *c = open_case("cpuinfo-mismatch");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	/* the flags of the CPU the case was dumped on (the edit added only
	 * PKU, which this check leaves to the xfeatures comparison) */
	free(h->cpu_flags);
	h->cpu_flags = strdup(
		"fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm cmp_legacy cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw topoext cpuid_fault vmmcall fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves avx512_bf16 clzero xsaveerptr arat avx512vbmi umip avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid fsrm");
	RUN(c, h, 0);
	EXPECT_STR(got, "");
	free(h->cpu_flags);
	h->cpu_flags = strdup("fpu tsc cx8 cmov clflush mmx fxsr sse sse2 syscall lm pni ssse3");
	RUN(c, h, 0);
	EXPECT_STR(got, "cpu-features/1");
	free(h->cpu_flags);
	h->cpu_flags = strdup("fp asimd paca pacg"); /* not x86 flags: not compared */
	RUN(c, h, 0);
	EXPECT_STR(got, "");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_env_mntns_root_fs_seccomp)
{
	char got[1024];
	struct crimg_ckpt *c = open_corpus("nsbox");
	if (!c)
		return;
	struct crimg_host *h = host_new("test");
	RUN(c, h, 0);
	EXPECT(strstr(got, "mntns-root/2") != NULL);
	RUN(c, h, CRIMG_CHECK_ROOT);
	EXPECT(strstr(got, "mntns-root") == NULL);
	free(h->root);
	h->root = strdup("/var/lib/box/rootfs"); /* probed under a root */
	RUN(c, h, 0);
	EXPECT(strstr(got, "mntns-root") == NULL);
	/* a kernel with no file systems the mounts need */
	h->filesystems = calloc(1, sizeof(char *));
	h->filesystems[0] = strdup("ext4");
	h->n_filesystems = 1;
	RUN(c, h, CRIMG_CHECK_ROOT);
	EXPECT(strstr(got, "fs-unsupported/2") != NULL);
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_env_seccomp_kitchen)
{
	char got[1024];
	struct crimg_ckpt *c = open_corpus("kitchen");
	if (!c)
		return;
	struct crimg_host *h = host_new("test");
	h->seccomp = 2;
	RUN(c, h, 0);
	EXPECT(strstr(got, "seccomp") == NULL);
	/* kitchen's seccomp.img is empty and no thread has a mode: even a
	 * kernel without seccomp is no finding */
	h->seccomp = 0;
	RUN(c, h, 0);
	EXPECT(strstr(got, "seccomp") == NULL);
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_env_apparmor)
{
	/* no checkpoint here carries an AppArmor label: the host side only */
	char got[1024];
	struct crimg_ckpt *c = open_case("ok-baseline");
	if (!c)
		return;
	struct crimg_host *h = host_empty();
	free(h->lsm);
	h->lsm = strdup("apparmor");
	h->lsm_profiles_known = 1; /* none loaded; the dump had no LSM */
	RUN(c, h, 0);
	EXPECT_STR(got, "");
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(hostcheck_env_json_round_trip)
{
	struct crimg_host *h = host_new("test");
	struct crimg_error e;
	size_t n1 = 0, n2 = 0;
	h->seccomp = 1;
	h->iptables_restore = 1;
	h->libnftables = 0;
	h->vdso_size = 0x2000;
	h->vvar_size = 0;
	h->lsm_profiles = calloc(2, sizeof(char *));
	h->lsm_profiles[0] = strdup("docker-default");
	h->lsm_profiles[1] = strdup("a b//c");
	h->n_lsm_profiles = 2;
	h->lsm_profiles_known = 1;
	char *j1 = crimg_host_json(h, &n1);
	EXPECT(j1 != NULL);
	struct crimg_host *g = crimg_host_from_json(j1, n1, &e);
	EXPECT(g != NULL);
	if (g) {
		EXPECT(g->seccomp == 1 && g->iptables_restore == 1 && g->libnftables == 0);
		EXPECT(g->vdso_size == 0x2000 && g->vvar_size == 0);
		EXPECT(g->lsm_profiles_known && g->n_lsm_profiles == 2);
		char *j2 = crimg_host_json(g, &n2);
		EXPECT(j2 && n1 == n2 && !memcmp(j1, j2, n1));
		free(j2);
	}
	crimg_host_free(g);
	/* unknown stays unknown */
	struct crimg_host *u = host_new("test");
	char *j3 = crimg_host_json(u, &n1);
	g = crimg_host_from_json(j3, n1, &e);
	EXPECT(g && g->seccomp == -1 && g->iptables_restore == -1 && g->vdso_size == -1 &&
	       !g->lsm_profiles_known);
	crimg_host_free(g);
	crimg_host_free(u);
	free(j3);
	free(j1);
	crimg_host_free(h);
}
