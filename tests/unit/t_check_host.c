/* Host descriptions: the probe, the JSON form (round trip, malformed
 * input) and the facts of a restore.log's header (every restore case). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check/check_int.h"
#include "crimg/ckpt.h"
#include "unit.h"

int check_host_walk_in_root(int rootfd, const char *path);

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);
	size_t k;
	while (b && (k = fread(b + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb) {
				free(b);
				b = NULL;
			}
			b = nb;
		}
	}
	fclose(f);
	*len = n;
	return b;
}

/* ../shared/restore-cases: CRIMG_RESTORE_CASES, or beside CRIMG_CORPUS. */
static const char *cases_dir(char *buf, size_t len)
{
	const char *d = getenv("CRIMG_RESTORE_CASES");
	if (d)
		return d;
	const char *c = getenv("CRIMG_CORPUS");
	if (!c)
		return NULL;
	snprintf(buf, len, "%s/../restore-cases", c);
	return access(buf, F_OK) ? NULL : buf;
}

/* probe -> json -> from_json -> json gives the same text. */
static int round_trips(const struct crimg_host *h)
{
	size_t n1 = 0, n2 = 0;
	char *j1 = crimg_host_json(h, &n1);
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_host *h2 = j1 ? crimg_host_from_json(j1, n1, &err) : NULL;
	if (!h2)
		printf("  from_json: %s\n", err.msg);
	char *j2 = h2 ? crimg_host_json(h2, &n2) : NULL;
	int ok = j1 && j2 && n1 == n2 && !memcmp(j1, j2, n1);
	if (j1 && j2 && !ok)
		printf("  differs:\n%s\n---\n%s\n", j1, j2);
	free(j1);
	free(j2);
	crimg_host_free(h2);
	return ok;
}

TEST(check_host_probe_basics)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_host *h = crimg_host_probe(NULL, NULL, &err);
	EXPECT(h != NULL);
	if (!h)
		return;
	struct utsname u;
	EXPECT(uname(&u) == 0);
	EXPECT_STR(h->arch, u.machine);
	EXPECT_STR(h->kernel, u.release);
	EXPECT_STR(h->source, "probe");
	EXPECT_STR(h->root, "/");
	EXPECT(h->pids_known);
	EXPECT(host_pid_in_use(h, (uint32_t)getpid()));
	EXPECT(host_pid_in_use(h, (uint32_t)gettid()));
	EXPECT(!host_pid_in_use(h, 0));
	for (size_t i = 1; i < h->n_pids; i++)
		EXPECT(h->pids[i - 1] < h->pids[i]);
	EXPECT(h->pid_max > 0);
	EXPECT(h->nr_open > 0);
	EXPECT(h->sid == getsid(0));
	EXPECT(h->pgid == getpgrp());
	EXPECT(h->n_filesystems > 0);
	EXPECT(h->has_timens >= 0);
	EXPECT(h->has_rseq >= 0);
	EXPECT(!h->files_known);
	EXPECT(!h->cgroups_known);
	if (!strcmp(u.machine, "x86_64")) {
		EXPECT(h->cpu_flags[0] != '\0');
		EXPECT(h->xfeatures & 1); /* x87 state is always enabled */
		EXPECT(h->xsave_size >= 576);
	}
	EXPECT(round_trips(h));
	crimg_host_free(h);
}

TEST(check_host_probe_ports)
{
	/* a listening socket of ours is among the ports */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	a.sin_addr.s_addr = htonl(0x7f000001);
	socklen_t al = sizeof(a);
	EXPECT(s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(s, 1) == 0 &&
	       getsockname(s, (struct sockaddr *)&a, &al) == 0);
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_host *h = crimg_host_probe("/", NULL, &err);
	EXPECT(h && h->ports_known && h->addrs_known);
	int found = 0;
	for (size_t i = 0; h && i < h->n_ports; i++) {
		const struct host_port *p = &h->ports[i];
		if (p->family == AF_INET && p->proto == 6 && p->port == ntohs(a.sin_port) &&
		    p->state == 10 && !memcmp(p->addr, "\x7f\0\0\x01", 4))
			found = 1;
	}
	EXPECT(found);
	int lo = 0;
	for (size_t i = 0; h && i < h->n_addrs; i++)
		if (h->addrs[i].family == AF_INET && !memcmp(h->addrs[i].addr, "\x7f\0\0\x01", 4))
			lo = 1;
	EXPECT(lo);
	crimg_host_free(h);
	if (s >= 0)
		close(s);
}

static struct crimg_host *crafted(void)
{
	struct crimg_host *h = host_new("probe");
	if (!h)
		return NULL;
	free(h->arch);
	h->arch = strdup("aarch64");
	free(h->kernel);
	h->kernel = strdup("6.1.0-test");
	free(h->root);
	h->root = strdup("/srv/root \"q\"");
	free(h->lsm);
	h->lsm = strdup("apparmor");
	free(h->cpu_flags);
	h->cpu_flags = strdup("fp asimd pmull");
	h->pid_max = 4194304;
	h->nr_open = 1048576;
	h->sid = 0;
	h->pgid = 77;
	h->privileged = 0;
	h->has_rseq = 1;
	h->has_timens = 0;
	h->cgroup_version = 2;
	h->xfeatures = 0x80000000000002e5ull;
	h->xsave_size = 2696;
	h->pids_known = 1;
	h->n_pids = 3;
	h->pids = malloc(3 * sizeof(*h->pids));
	h->pids[0] = 1;
	h->pids[1] = 1220;
	h->pids[2] = 4194304;
	h->ports_known = 1;
	h->n_ports = 2;
	h->ports = calloc(2, sizeof(*h->ports));
	h->ports[0] = (struct host_port){ AF_INET, 6, { 127, 0, 0, 1 }, 8080, 10 };
	h->ports[1] = (struct host_port){ AF_INET6, 17, { 0xfe, 0x80, [15] = 1 }, 53, 7 };
	h->addrs_known = 1;
	h->n_addrs = 1;
	h->addrs = calloc(1, sizeof(*h->addrs));
	h->addrs[0] = (struct host_addr){ AF_INET6, { [15] = 1 } };
	h->n_filesystems = 2;
	h->filesystems = calloc(2, sizeof(char *));
	h->filesystems[0] = strdup("ext4");
	h->filesystems[1] = strdup("tmpfs");
	h->plugins_known = 1; /* none */
	h->cgroups_known = 1;
	h->n_cgroups = 1;
	h->cgroups = calloc(1, sizeof(char *));
	h->cgroups[0] = strdup("/user.slice/\xc3\xa9t\xc3\xa9");
	h->files_known = 1;
	h->n_files = 3;
	h->files = calloc(3, sizeof(*h->files));
	h->files[0] = (struct host_file){ strdup("/tmp/data.txt"), 1, 49, 0100644, 1, 1, "", 0 };
	h->files[1] = (struct host_file){
		strdup("/usr/bin/\xff\x01odd\\name\n"), 0, 0, 0, -1, -1, "", 0
	};
	h->files[2] = (struct host_file){ strdup("/usr/lib/libc.so.6"),
					  1,
					  1922136,
					  0100755,
					  0,
					  0,
					  "0123456789abcdef0123456789abcdef01234567",
					  183 };
	h->page_size = 16384;
	return h;
}

TEST(check_host_json_round_trip)
{
	struct crimg_host *h = crafted();
	EXPECT(h != NULL);
	if (!h)
		return;
	EXPECT(round_trips(h));
	size_t n;
	char *j = crimg_host_json(h, &n);
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_host *b = j ? crimg_host_from_json(j, n, &err) : NULL;
	EXPECT(b != NULL);
	if (b) {
		EXPECT_STR(b->source, "probe");
		EXPECT_STR(b->root, "/srv/root \"q\"");
		EXPECT(b->xfeatures == 0x80000000000002e5ull);
		EXPECT(b->page_size == 16384);
		EXPECT(b->n_files == 3 && b->files[2].machine == 183 && b->files[0].machine == 0);
		EXPECT(b->sid == 0 && b->pgid == 77 && b->privileged == 0 && b->has_rseq == 1);
		EXPECT(host_pid_in_use(b, 4194304) && !host_pid_in_use(b, 2));
		EXPECT(b->n_ports == 2 && b->ports[1].family == AF_INET6 &&
		       b->ports[1].addr[0] == 0xfe && b->ports[1].proto == 17);
		const struct host_file *f = host_file(b, "/usr/bin/\xff\x01odd\\name\n");
		EXPECT(f && f->exists == 0 && f->dir_writable == -1);
		f = host_file(b, "/usr/lib/libc.so.6");
		EXPECT(f && f->mode == 0100755 && f->size == 1922136 &&
		       !strcmp(f->build_id, "0123456789abcdef0123456789abcdef01234567"));
		EXPECT(b->plugins_known && b->n_plugins == 0);
		EXPECT(b->n_cgroups == 1 &&
		       !strcmp(b->cgroups[0], "/user.slice/\xc3\xa9t\xc3\xa9"));
	}
	/* every cut of the text is refused, and none crashes */
	for (size_t cut = 0; j && cut < n - 1; cut++) {
		struct crimg_host *t = crimg_host_from_json(j, cut, &err);
		if (t) {
			printf("  a cut at %zu was accepted\n", cut);
			EXPECT(t == NULL);
			crimg_host_free(t);
			break;
		}
	}
	free(j);
	crimg_host_free(b);
	crimg_host_free(h);

	/* an empty host round-trips too; a minimal description is all unknown */
	h = host_new("json");
	EXPECT(h && round_trips(h));
	crimg_host_free(h);
	const char *min = "{\"crimg_host\": 1}";
	h = crimg_host_from_json(min, strlen(min), &err);
	EXPECT(h && h->pid_max == -1 && !h->pids_known && !h->files_known && h->privileged == -1 &&
	       !strcmp(h->source, "json") && !strcmp(h->root, "/"));
	crimg_host_free(h);
}

static void bad_json(const char *text, size_t len, const char *want, int line)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_host *h = crimg_host_from_json(text, len, &err);
	int ok = !h && strstr(err.msg, want) && (!line || err.line == line);
	if (!ok)
		printf("  for %.60s: got \"%s\" at line %d, wanted \"%s\" at %d\n", text, err.msg,
		       err.line, want, line);
	EXPECT(ok);
	crimg_host_free(h);
}
#define BAD(text, want, line) bad_json(text, strlen(text), want, line)

TEST(check_host_json_malformed)
{
	BAD("", "", 0);
	BAD("[]", "JSON object", 1);
	BAD("{}", "no \"crimg_host\"", 1);
	BAD("{\"crimg_host\": 2}", "version 2", 1);
	BAD("{\"crimg_host\": \"1\"}", "version number 1", 1);
	BAD("{\"crimg_host\": 1, \"pid_max\": \"x\"}", "\"pid_max\" must be an integer", 1);
	BAD("{\"crimg_host\": 1, \"pid_max\": 1.5}", "must be an integer", 1);
	BAD("{\"crimg_host\": 1, \"pid_max\": 99999999999999999999999}", "out of range", 1);
	BAD("{\"crimg_host\": 1, \"pid_max\": -1}", "between", 1);
	BAD("{\n  \"crimg_host\": 1,\n  \"pids\": [1, -3]\n}", "between", 3);
	BAD("{\"crimg_host\": 1, \"pids\": {}}", "array or null", 1);
	BAD("{\"crimg_host\": 1, \"pids\": [null]}", "must be an integer", 1);
	BAD("{\"crimg_host\": 1, \"pid_mx\": 3}", "unknown member \"pid_mx\"", 1);
	BAD("{\"crimg_host\": 1, \"sid\": 1, \"sid\": 2}", "twice", 1);
	BAD("{\"crimg_host\": 1, \"arch\": \"x\\u0000y\"}", "NUL", 1);
	BAD("{\"crimg_host\": 1, \"arch\": 5}", "must be a string", 1);
	BAD("{\"crimg_host\": 1, \"rseq\": 1}", "true, false or null", 1);
	BAD("{\"crimg_host\": 1, \"cgroup_version\": 3}", "between 1 and 2", 1);
	BAD("{\"crimg_host\": 1, \"xfeatures\": 229}", "hex string", 1);
	BAD("{\"crimg_host\": 1, \"xfeatures\": \"0x1ffffffffffffffff\"}", "hex string", 1);
	BAD("{\"crimg_host\": 1, \"files\": [{\"path\": \"/a\", \"mode\": \"999\"}]}", "octal", 1);
	BAD("{\"crimg_host\": 1, \"files\": [{\"mode\": \"0644\"}]}", "\"path\"", 1);
	BAD("{\"crimg_host\": 1, \"files\": [{\"path\": \"/a\", \"build_id\": \"XYZ\"}]}",
	    "build_id", 1);
	BAD("{\"crimg_host\": 1, \"files\": [{\"path\": \"/a\", \"size\": -4}]}", "between", 1);
	BAD("{\"crimg_host\": 1, \"files\": [{\"path\": \"/a\", \"sise\": 4}]}", "unknown member",
	    1);
	BAD("{\"crimg_host\": 1, \"ports\": [{\"family\": \"inet\", \"proto\": \"tcp\", "
	    "\"addr\": \"1.2.3.999\", \"port\": 1}]}",
	    "not an inet address", 1);
	BAD("{\"crimg_host\": 1, \"ports\": [{\"family\": \"unix\", \"proto\": \"tcp\", "
	    "\"addr\": \"1.2.3.4\", \"port\": 1}]}",
	    "family", 1);
	BAD("{\"crimg_host\": 1, \"ports\": [{\"family\": \"inet\", \"proto\": \"tcp\", "
	    "\"addr\": \"1.2.3.4\", \"port\": 65536}]}",
	    "between", 1);
	BAD("{\"crimg_host\": 1, \"addrs\": [\"::1\"]}", "objects", 1);
	BAD("{\"crimg_host\": 1, \"plugins\": [1]}", "strings", 1);
	BAD("{\"crimg_host\": 1} x", "text after", 1);
	BAD("{\"crimg_host\": 1,}", "member name", 1);
	BAD("{\"crimg_host\": 1", "'}'", 1);

	/* nesting past the reader's depth */
	char deep[400];
	int k = snprintf(deep, sizeof(deep), "{\"crimg_host\": 1, \"files\": [");
	for (int i = 0; i < 100; i++)
		deep[k++] = '[';
	deep[k] = '\0';
	bad_json(deep, (size_t)k, "", 1);

	/* more PIDs than can exist: refused once the count passes the bound */
	size_t n = (4u << 20) + 1, len = 0;
	char *big = malloc(40 + 2 * n);
	if (big) {
		len = (size_t)sprintf(big, "{\"crimg_host\": 1, \"pids\": [");
		for (size_t i = 0; i < n; i++) {
			big[len++] = '7';
			big[len++] = i + 1 < n ? ',' : ']';
		}
		big[len++] = '}';
		bad_json(big, len, "more than the 4194304", 1);
		free(big);
	}

	/* NULL text and a text larger than the json limit */
	bad_json(NULL, 0, "", 0);
	static const char huge_prefix[] = "{\"crimg_host\": 1}";
	bad_json(huge_prefix, (size_t)17 << 20, "json", 0);
}

struct log_case {
	const char *dir, *file;
};

TEST(check_host_from_log_cases)
{
	char buf[4096];
	const char *dir = cases_dir(buf, sizeof(buf));
	if (!dir) {
		printf("  (restore cases not found: CRIMG_RESTORE_CASES or CRIMG_CORPUS unset)\n");
		return;
	}
	DIR *d = opendir(dir);
	EXPECT(d != NULL);
	if (!d)
		return;
	struct dirent *e;
	int logs = 0;
	while ((e = readdir(d))) {
		static const char *const names[] = { "restore.log", "fix-restore.log" };
		for (size_t i = 0; i < 2; i++) {
			char path[8192];
			snprintf(path, sizeof(path), "%s/%s/%s", dir, e->d_name, names[i]);
			size_t len;
			char *text = slurp(path, &len);
			if (!text)
				continue;
			logs++;
			struct crimg_error err;
			crimg_error_clear(&err);
			struct crimg_host *h = crimg_host_from_log(text, len, &err);
			EXPECT(h != NULL);
			if (!h) {
				printf("  %s: %s\n", path, err.msg);
				free(text);
				continue;
			}
			/* CRIU 4.2 on a 6.18 Firecracker VM, AMD, pid_max 32768 */
			int ok = !strcmp(h->source, "log") && !strcmp(h->criu_version, "4.2") &&
				!strcmp(h->kernel, "6.18.44-fc-v1272") &&
				!strcmp(h->arch, "x86_64") && h->nr_open == 1048576 &&
				h->xfeatures == 0xe5 && h->xsave_size == 2432;
			/* two restores stop before prepare_pstree logs pid_max */
			int early = i == 0 &&
				(!strcmp(e->d_name, "cpuinfo-mismatch") ||
				 !strcmp(e->d_name, "tcp-close-inventory"));
			ok = ok && h->pid_max == (early ? -1 : 32768);
			/* nothing else is claimed */
			ok = ok && !h->pids_known && !h->files_known && !h->ports_known &&
				h->privileged == -1 && !h->cpu_flags[0];
			if (!ok)
				printf("  %s: criu %s kernel %s arch %s nr_open %lld xf %llx xs %u "
				       "pid_max %lld\n",
				       path, h->criu_version, h->kernel, h->arch,
				       (long long)h->nr_open, (unsigned long long)h->xfeatures,
				       h->xsave_size, (long long)h->pid_max);
			EXPECT(ok);
			EXPECT(round_trips(h));
			crimg_host_free(h);
			free(text);
		}
	}
	closedir(d);
	EXPECT(logs >= 22);
}

TEST(check_host_from_log_hostile)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	EXPECT(crimg_host_from_log("", 0, &err) == NULL && strstr(err.msg, "no CRIU log header"));
	EXPECT(crimg_host_from_log(NULL, 0, &err) == NULL);
	const char *junk = "hello\nworld\n";
	EXPECT(crimg_host_from_log(junk, strlen(junk), &err) == NULL);

	/* NULs, CRLF, no final newline, bad numbers, fields missing */
	static const char t[] = "(00.0) Version: 4.2\0junk (gitid 0)\r\n"
				"(00.1) Running on\n"
				"(00.2) Running on node Linux\n"
				"(00.3) kernel pid_max=99999999999999999999999\n"
				"(00.4) files stat: fs/nr_open 0x10\n"
				"(00.5) cpu: fpu: xfeatures_mask zz xsave_size 77\n"
				"(00.6) Running on n Linux 5.10 #1 SMP aarch64";
	struct crimg_host *h = crimg_host_from_log(t, sizeof(t) - 1, &err);
	EXPECT(h != NULL);
	if (h) {
		EXPECT_STR(h->criu_version, ""); /* "4.2\0junk" is no word */
		EXPECT_STR(h->kernel, "");       /* "Running on node Linux": no release */
		EXPECT(h->pid_max == -1);
		EXPECT(h->nr_open == 16);
		EXPECT(h->xfeatures == 0 && h->xsave_size == 77);
	}
	crimg_host_free(h);

	/* a huge line, and a header after it */
	size_t n = 1 << 20;
	char *big = malloc(n + 200);
	if (big) {
		memset(big, 'A', n);
		size_t k = n +
			(size_t)sprintf(big + n,
					"\n(00.1) Version: 9.9 (gitid 0)\n"
					"(00.2)   8400: kernel pid_max=100\n");
		h = crimg_host_from_log(big, k, &err);
		EXPECT(h && !strcmp(h->criu_version, "9.9") && h->pid_max == 100);
		crimg_host_free(h);
		/* every prefix of a real-looking header: no crash, no over-read */
		static const char hdr[] =
			"(00.000196) Version: 4.2 (gitid 0)\n"
			"(00.000244) Running on vm Linux 6.1 #1 SMP x86_64\n"
			"(00.108298) cpu: fpu: xfeatures_mask 0xe5 xsave_size 2432\n"
			"(00.114977) files stat: fs/nr_open 1048576\n"
			"(00.115460) kernel pid_max=32768\n";
		for (size_t cut = 0; cut < sizeof(hdr) - 1; cut++) {
			char *p = malloc(cut ? cut : 1);
			if (!p)
				break;
			memcpy(p, hdr, cut);
			h = crimg_host_from_log(p, cut, &err);
			crimg_host_free(h);
			free(p);
		}
		h = crimg_host_from_log(hdr, sizeof(hdr) - 1, &err);
		EXPECT(h && !strcmp(h->arch, "x86_64") && !strcmp(h->kernel, "6.1") &&
		       h->xfeatures == 0xe5 && h->pid_max == 32768 && h->nr_open == 1048576);
		crimg_host_free(h);
		free(big);
	}
}

/* A file tree under a temporary root: the lookups stay inside it. */
static int mkpath(const char *root, const char *rel)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (char *s = p + strlen(root) + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	size_t n;
	char *b = slurp(from, &n);
	FILE *f = b ? fopen(to, "wb") : NULL;
	int ok = f && fwrite(b, 1, n, f) == n;
	if (f)
		fclose(f);
	free(b);
	return ok ? 0 : -1;
}

TEST(check_host_probe_files_in_root)
{
	char buf[4096];
	const char *dir = cases_dir(buf, sizeof(buf));
	if (!dir) {
		printf("  (restore cases not found)\n");
		return;
	}
	char imgs[4200];
	snprintf(imgs, sizeof(imgs), "%s/ok-baseline/images", dir);
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_ckpt *c = crimg_ckpt_open(imgs, NULL, &err);
	EXPECT(c != NULL);
	if (!c)
		return;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char root[512];
	snprintf(root, sizeof(root), "%s/crimg-hostroot-XXXXXX", tmp);
	EXPECT(mkdtemp(root) != NULL);
	const char *run = "tmp/ckpt-work/run/ok-baseline";
	char p[4096], q[4096];
	snprintf(p, sizeof(p), "%s/data.txt", run);
	EXPECT(mkpath(root, p) == 0);
	/* data.txt: this test binary (an ELF with a build-id); count.txt: a
	 * link climbing out; out.txt: an absolute link (to root's /etc/passwd,
	 * absent); the exe ctr is missing */
	snprintf(q, sizeof(q), "%s/%s/data.txt", root, run);
	EXPECT(copy_file("/proc/self/exe", q) == 0);
	snprintf(q, sizeof(q), "%s/%s/count.txt", root, run);
	EXPECT(symlink("../../../../../../../../etc/hostname", q) == 0);
	snprintf(q, sizeof(q), "%s/%s/out.txt", root, run);
	EXPECT(symlink("/etc/passwd", q) == 0);

	struct crimg_host *h = crimg_host_probe(root, c, &err);
	EXPECT(h && h->files_known);
	if (h) {
		EXPECT_STR(h->root, root);
		const struct host_file *f = host_file(h, "/tmp/ckpt-work/run/ok-baseline/data.txt");
		EXPECT(f && f->exists == 1 && S_ISREG(f->mode) && f->dir_writable == 1 &&
		       strlen(f->build_id) >= 16);
		f = host_file(h, "/tmp/ckpt-work/run/ok-baseline/count.txt");
		EXPECT(f && f->exists == 0); /* /etc/hostname is outside root */
		f = host_file(h, "/tmp/ckpt-work/run/ok-baseline/out.txt");
		EXPECT(f && f->exists == 0);
		f = host_file(h, "/tmp/ckpt-work/run/ok-baseline/ctr");
		EXPECT(f && f->exists == 0 && f->dir_writable == 1);
		f = host_file(h, "/dev/null");
		EXPECT(f && f->exists == 0 && f->dir_writable == 0);
		f = host_file(h, "/");
		EXPECT(f && f->exists == 1 && S_ISDIR(f->mode));
		for (size_t i = 1; i < h->n_files; i++)
			EXPECT(strcmp(h->files[i - 1].path, h->files[i].path) < 0);
		EXPECT(round_trips(h));
	}
	crimg_host_free(h);

	/* the walk that stands in for openat2 gives the same answers */
	int rfd = open(root, O_PATH | O_DIRECTORY);
	EXPECT(rfd >= 0);
	snprintf(p, sizeof(p), "/%s/data.txt", run);
	int fd = check_host_walk_in_root(rfd, p);
	EXPECT(fd >= 0);
	if (fd >= 0)
		close(fd);
	snprintf(p, sizeof(p), "%s/count.txt", run);
	EXPECT(check_host_walk_in_root(rfd, p) == -ENOENT);
	snprintf(p, sizeof(p), "/%s/out.txt", run);
	EXPECT(check_host_walk_in_root(rfd, p) == -ENOENT);
	EXPECT(check_host_walk_in_root(rfd, "/../../..") >= 0);
	snprintf(q, sizeof(q), "%s/loop", root);
	EXPECT(symlink("loop", q) == 0);
	EXPECT(check_host_walk_in_root(rfd, "/loop") == -ELOOP);
	if (rfd >= 0)
		close(rfd);

	/* clean up the tree */
	unlink(q);
	static const char *const names[] = { "data.txt", "count.txt", "out.txt" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s/%s", root, run, names[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/%s", root, run);
	for (int i = 0; i < 4; i++) {
		rmdir(p);
		char *s = strrchr(p, '/');
		if (s)
			*s = '\0';
	}
	rmdir(root);
	crimg_ckpt_close(c);
}
