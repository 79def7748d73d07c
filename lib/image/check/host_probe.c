/*
 * This machine as a host description: what a restore started here, now,
 * would meet.  Every fact is read on its own; one that cannot be read
 * stays unknown, and only running out of memory fails the probe.
 *
 * Where the facts come from:
 *   arch, kernel     uname(2)
 *   pid_max, nr_open /proc/sys/kernel/pid_max, /proc/sys/fs/nr_open
 *   pids             every /proc/PID and /proc/PID/task/TID (the probe's
 *                    pid namespace, the one a restore would fork in)
 *   sid, pgid        the calling process's (a restore run from here)
 *   ports            /proc/net/tcp, tcp6, udp, udp6 (every socket listed:
 *                    listening, bound, connected; the state says which)
 *   addrs            getifaddrs(3), inet and inet6 only
 *   lsm              /sys/kernel/security/lsm, else the presence of
 *                    /sys/kernel/security/apparmor or /sys/fs/selinux
 *   cgroup_version   the file system at /sys/fs/cgroup (cgroup2: 2;
 *                    tmpfs, v1 or hybrid: 1)
 *   cgroups          for the checkpoint's cgroup.img: each path that is a
 *                    directory in every hierarchy the checkpoint names it
 *                    in ("cpu,cpuacct" at /sys/fs/cgroup/cpu,cpuacct,
 *                    "name=systemd" at /sys/fs/cgroup/systemd, v2 at
 *                    /sys/fs/cgroup or, on a hybrid host, .../unified)
 *   filesystems      /proc/filesystems
 *   plugins          /usr/lib/criu/ and /usr/local/lib/criu/: NAME.so gives NAME
 *   cpu_flags        /proc/cpuinfo: the first "flags" (x86) or "Features"
 *                    (arm64) line
 *   xfeatures,       x86 only: XCR0 (xgetbv), the features the kernel
 *   xsave_size       enabled, and CPUID 0xD.0 EBX, the xsave area they need
 *   rseq             a harmless rseq(2) call (ENOSYS: none), else the
 *                    kernel's version (4.18 added it)
 *   timens           /proc/self/ns/time exists
 *   privileged       CapEff of /proc/self/status holds CAP_SYS_ADMIN (21)
 *                    or CAP_CHECKPOINT_RESTORE (40)
 *   seccomp          /proc/self/status: "Seccomp_filters:" (filters), else
 *                    "Seccomp:" (the kernel has seccomp; filters unknown)
 *   lsm_profiles     /sys/kernel/security/apparmor/profiles (names only)
 *   iptables_restore an executable iptables-restore in the usual sbin and
 *                    bin directories
 *   libnftables      libnftables.so.1 in the usual library directories
 *   cgroup_controllers  /sys/fs/cgroup/cgroup.controllers (v2), else
 *                    the enabled controllers of /proc/cgroups
 *   hwcap, hwcap2    /proc/self/auxv: AT_HWCAP, AT_HWCAP2 (the kernel's words;
 *                    glibc's getauxval gives its own on x86_64)
 *   page_size        sysconf(_SC_PAGESIZE)
 *   bind_sources     for a checkpoint: the host paths its mounts are
 *                    bound or mounted from (host_bind_source_of), looked
 *                    up in the host's own file system, not under root
 *   vdso_size,       /proc/self/maps: [vdso], and [vvar] with [vvar_vclock]
 *   vvar_size        (as CRIU counts them); 0 when the kernel maps none
 *   files            for a checkpoint: every regular file and fifo it names
 *                    (open files, the exe, cwd and root, mapped files, ghost
 *                    and link-remap files), looked up under root: whether it
 *                    exists, its size and mode, whether its directory is
 *                    writable, the ELF build-id and machine of a regular ELF
 *                    file
 *
 * Files are looked up as CRIU opens them: a symbolic link is followed.
 * Under a root other than "/" the lookup stays inside it: openat2 with
 * RESOLVE_IN_ROOT, or on kernels without it a walk one component at a
 * time that resolves each link itself and never climbs above root.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(SYS_openat2) && defined(__has_include)
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define HAVE_OPENAT2 1
#endif
#endif

#include "base/base.h"
#include "check/check_int.h"
#include "crimg/model.h"

#define CGROUP2_MAGIC 0x63677270
#define TMPFS_MAGIC_ 0x01021994

/* ---- small readers ---- */

/* Up to cap - 1 bytes of a (small, /proc or /sys) file, NUL-terminated;
 * the length, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	size_t n = 0;
	while (n < cap - 1) {
		ssize_t k = read(fd, buf + n, cap - 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k < 0) {
				close(fd);
				return -1;
			}
			break;
		}
		n += (size_t)k;
	}
	close(fd);
	buf[n] = '\0';
	return (ssize_t)n;
}

static int64_t read_int(const char *path)
{
	char b[64];
	if (read_small(path, b, sizeof(b)) <= 0)
		return -1;
	char *e;
	errno = 0;
	long long v = strtoll(b, &e, 10);
	if (errno || e == b || v < 0)
		return -1;
	return v;
}

/* A growable array of n items of size sz. */
static int grow(void **p, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 64;
	if (c > SIZE_MAX / sz)
		return -1;
	void *q = realloc(*p, c * sz);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

static int push_str(char ***v, size_t *n, size_t *cap, const char *s, size_t len)
{
	if (grow((void **)v, cap, *n, sizeof(**v)))
		return -1;
	char *d = strndup(s, len);
	if (!d)
		return -1;
	(*v)[(*n)++] = d;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts v and drops repeats. */
static void sort_unique(char **v, size_t *n)
{
	if (!*n)
		return;
	qsort(v, *n, sizeof(*v), cmp_str);
	size_t w = 1;
	for (size_t i = 1; i < *n; i++) {
		if (strcmp(v[w - 1], v[i]))
			v[w++] = v[i];
		else
			free(v[i]);
	}
	*n = w;
}

static int set_str(char **dst, const char *s)
{
	char *d = strdup(s);
	if (!d)
		return -1;
	free(*dst);
	*dst = d;
	return 0;
}

/* ---- PIDs ---- */

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int add_pid(struct crimg_host *h, size_t *cap, const char *name)
{
	errno = 0;
	unsigned long v = strtoul(name, NULL, 10);
	if (errno || v == 0 || v > UINT32_MAX)
		return 0;
	if (grow((void **)&h->pids, cap, h->n_pids, sizeof(*h->pids)))
		return -1;
	h->pids[h->n_pids++] = (uint32_t)v;
	return 0;
}

static int probe_pids(struct crimg_host *h)
{
	int pfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = pfd >= 0 ? fdopendir(pfd) : NULL;
	if (!d) {
		if (pfd >= 0)
			close(pfd);
		return 0;
	}
	size_t cap = 0;
	struct dirent *e;
	int rc = 0;
	while (!rc && (e = readdir(d))) {
		if (!all_digits(e->d_name))
			continue;
		char sub[300];
		snprintf(sub, sizeof(sub), "%s/task", e->d_name);
		int tfd = openat(pfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *t = tfd >= 0 ? fdopendir(tfd) : NULL;
		if (!t) {
			if (tfd >= 0)
				close(tfd);
			rc = add_pid(h, &cap, e->d_name); /* it may have exited */
			continue;
		}
		struct dirent *te;
		int any = 0;
		while (!rc && (te = readdir(t))) {
			if (!all_digits(te->d_name))
				continue;
			rc = add_pid(h, &cap, te->d_name);
			any = 1;
		}
		closedir(t);
		if (!rc && !any)
			rc = add_pid(h, &cap, e->d_name);
	}
	closedir(d);
	if (rc)
		return -1;
	if (h->n_pids) {
		qsort(h->pids, h->n_pids, sizeof(*h->pids), cmp_u32);
		size_t w = 1;
		for (size_t i = 1; i < h->n_pids; i++)
			if (h->pids[w - 1] != h->pids[i])
				h->pids[w++] = h->pids[i];
		h->n_pids = w;
	}
	h->pids_known = 1;
	return 0;
}

/* ---- sockets and addresses ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* n hex digits at *s into *v; s moves past them. */
static int hexn(const char **s, unsigned n, uint32_t *v)
{
	uint32_t x = 0;
	for (unsigned i = 0; i < n; i++) {
		int d = hexval((*s)[i]);
		if (d < 0)
			return -1;
		x = x << 4 | (uint32_t)d;
	}
	*s += n;
	*v = x;
	return 0;
}

/* One line of /proc/net/{tcp,udp}{,6}: "  N: ADDR:PORT ADDR:PORT ST ...".
 * The kernel prints the address as 32-bit words in the machine's byte
 * order, so each word is stored back as it was in memory. */
static int parse_sock_line(const char *l, int v6, struct host_port *p)
{
	const char *s = strchr(l, ':');
	if (!s)
		return -1;
	s++;
	while (*s == ' ')
		s++;
	unsigned words = v6 ? 4 : 1;
	memset(p->addr, 0, sizeof(p->addr));
	for (unsigned i = 0; i < words; i++) {
		uint32_t w;
		if (hexn(&s, 8, &w))
			return -1;
		memcpy(p->addr + 4 * i, &w, 4);
	}
	uint32_t port, st;
	if (*s++ != ':' || hexn(&s, 4, &port))
		return -1;
	/* the remote address and port */
	while (*s == ' ')
		s++;
	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	if (hexn(&s, 2, &st))
		return -1;
	p->family = v6 ? AF_INET6 : AF_INET;
	p->port = port;
	p->state = st;
	return 0;
}

static int read_sock_table(struct crimg_host *h, size_t *cap, const char *path, int v6,
			   unsigned proto, int *read_any)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	*read_any = 1;
	char l[512];
	int first = 1, rc = 0;
	while (!rc && fgets(l, sizeof(l), f)) {
		size_t n = strlen(l);
		int whole = n && l[n - 1] == '\n';
		if (!first) {
			struct host_port p;
			if (!parse_sock_line(l, v6, &p)) {
				p.proto = proto;
				if (grow((void **)&h->ports, cap, h->n_ports, sizeof(*h->ports)))
					rc = -1;
				else
					h->ports[h->n_ports++] = p;
			}
		}
		first = 0;
		/* the rest of a line longer than the buffer */
		while (!whole && fgets(l, sizeof(l), f)) {
			n = strlen(l);
			whole = n && l[n - 1] == '\n';
		}
	}
	fclose(f);
	return rc;
}

static int cmp_port(const void *a, const void *b)
{
	const struct host_port *x = a, *y = b;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	int c = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (c)
		return c;
	return x->state < y->state ? -1 : x->state > y->state;
}

static int probe_ports(struct crimg_host *h)
{
	static const struct {
		const char *path;
		int v6;
		unsigned proto;
	} t[] = {
		{ "/proc/net/tcp", 0, 6 },
		{ "/proc/net/tcp6", 1, 6 },
		{ "/proc/net/udp", 0, 17 },
		{ "/proc/net/udp6", 1, 17 },
	};
	size_t cap = 0;
	int any = 0;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (read_sock_table(h, &cap, t[i].path, t[i].v6, t[i].proto, &any))
			return -1;
	if (!any)
		return 0;
	if (h->n_ports) {
		qsort(h->ports, h->n_ports, sizeof(*h->ports), cmp_port);
		size_t w = 1;
		for (size_t i = 1; i < h->n_ports; i++)
			if (cmp_port(&h->ports[w - 1], &h->ports[i]))
				h->ports[w++] = h->ports[i];
		h->n_ports = w;
	}
	h->ports_known = 1;
	return 0;
}

static int cmp_addr(const void *a, const void *b)
{
	const struct host_addr *x = a, *y = b;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

static int probe_addrs(struct crimg_host *h)
{
	struct ifaddrs *ifa;
	if (getifaddrs(&ifa))
		return errno == ENOMEM ? -1 : 0;
	size_t cap = 0;
	int rc = 0;
	for (struct ifaddrs *i = ifa; i && !rc; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		struct host_addr a;
		memset(&a, 0, sizeof(a));
		if (i->ifa_addr->sa_family == AF_INET) {
			a.family = AF_INET;
			memcpy(a.addr,
			       &((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr,
			       4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			a.family = AF_INET6;
			memcpy(a.addr,
			       &((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr,
			       16);
		} else {
			continue;
		}
		if (grow((void **)&h->addrs, &cap, h->n_addrs, sizeof(*h->addrs)))
			rc = -1;
		else
			h->addrs[h->n_addrs++] = a;
	}
	freeifaddrs(ifa);
	if (rc)
		return -1;
	if (h->n_addrs) {
		qsort(h->addrs, h->n_addrs, sizeof(*h->addrs), cmp_addr);
		size_t w = 1;
		for (size_t i = 1; i < h->n_addrs; i++)
			if (cmp_addr(&h->addrs[w - 1], &h->addrs[i]))
				h->addrs[w++] = h->addrs[i];
		h->n_addrs = w;
	}
	h->addrs_known = 1;
	return 0;
}

/* ---- kernel features, LSM, cgroups, file systems, plugins, CPU ---- */

static int probe_lsm(struct crimg_host *h)
{
	char b[1024];
	const char *lsm = NULL;
	if (read_small("/sys/kernel/security/lsm", b, sizeof(b)) >= 0) {
		lsm = "none";
		for (char *save = NULL, *t = strtok_r(b, ",\n", &save); t;
		     t = strtok_r(NULL, ",\n", &save)) {
			if (!strcmp(t, "apparmor") || !strcmp(t, "selinux")) {
				lsm = !strcmp(t, "apparmor") ? "apparmor" : "selinux";
				break;
			}
		}
	} else if (!access("/sys/kernel/security/apparmor", F_OK)) {
		lsm = "apparmor";
	} else if (!access("/sys/fs/selinux/enforce", F_OK)) {
		lsm = "selinux";
	} else if (!access("/sys/kernel/security", F_OK)) {
		/* securityfs is there and names neither */
		struct statfs sf;
		if (!statfs("/sys/kernel/security", &sf) && sf.f_type == 0x73636673)
			lsm = "none";
	}
	return lsm ? set_str(&h->lsm, lsm) : 0;
}

static void probe_cgroup_version(struct crimg_host *h)
{
	struct statfs sf;
	if (statfs("/sys/fs/cgroup", &sf))
		return;
	if ((unsigned long)sf.f_type == CGROUP2_MAGIC)
		h->cgroup_version = 2;
	else if ((unsigned long)sf.f_type == TMPFS_MAGIC_)
		h->cgroup_version = 1;
}

/* The directory of a hierarchy for the controllers of a cgroup.img
 * member, into buf; 0, or -1 when it cannot be named. */
static int cgroup_base(const struct crimg_host *h, const char *ctl, char *buf, size_t len)
{
	int n;
	if (!*ctl)
		n = snprintf(buf, len,
			     h->cgroup_version == 2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified");
	else if (!strncmp(ctl, "name=", 5))
		n = snprintf(buf, len, "/sys/fs/cgroup/%s", ctl + 5);
	else
		n = snprintf(buf, len, "/sys/fs/cgroup/%s", ctl);
	if (n < 0 || (size_t)n >= len || strstr(ctl, "/") || !strcmp(ctl, "..") ||
	    !strcmp(ctl, "name=..") || !strcmp(ctl, "name=."))
		return -1;
	return 0;
}

/* Whether path (a cgroup.img path, "/a/b") is a directory under base: 1,
 * 0, or -1 when it cannot tell. */
static int cgroup_dir_exists(const char *base, const char *path)
{
	/* no climbing out of the hierarchy */
	for (const char *s = path; *s;) {
		while (*s == '/')
			s++;
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return -1;
		s += n;
	}
	char full[PATH_MAX];
	int n = snprintf(full, sizeof(full), "%s/%s", base, path);
	if (n < 0 || (size_t)n >= sizeof(full))
		return -1;
	struct stat st;
	if (stat(full, &st))
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	return S_ISDIR(st.st_mode) ? 1 : 0;
}

struct cg_path {
	const char *path;
	int ok; /* 1 so far present everywhere, 0 missing somewhere */
};

static int cmp_cg(const void *a, const void *b)
{
	return strcmp(((const struct cg_path *)a)->path, ((const struct cg_path *)b)->path);
}

static int probe_cgroups(struct crimg_host *h, struct crimg_ckpt *c)
{
	struct crimg_error e;
	crimg_error_clear(&e);
	const struct crimg_cgroups *cg = crimg_ckpt_cgroups(c, &e);
	if (!cg || !h->cgroup_version)
		return 0;
	size_t n = 0, cap = 0;
	struct cg_path *v = NULL;
	for (size_t i = 0; i < cg->n_sets; i++) {
		const struct crimg_cgroup_set *s = &cg->sets[i];
		for (size_t j = 0; j < s->n_members; j++) {
			const struct crimg_cgroup_member *m = &s->members[j];
			if (!m->path || !m->controllers)
				continue;
			char base[PATH_MAX];
			int ok = cgroup_base(h, m->controllers, base, sizeof(base))
				? -1
				: cgroup_dir_exists(base, m->path);
			if (grow((void **)&v, &cap, n, sizeof(*v))) {
				free(v);
				return -1;
			}
			v[n].path = m->path;
			v[n].ok = ok;
			n++;
		}
	}
	qsort(v, n, sizeof(*v), cmp_cg);
	size_t ncap = 0;
	int rc = 0;
	for (size_t i = 0; i < n && !rc;) {
		size_t j = i;
		int ok = 1;
		for (; j < n && !strcmp(v[j].path, v[i].path); j++) {
			if (v[j].ok == 0)
				ok = 0;
			else if (v[j].ok < 0 && ok == 1)
				ok = -1;
		}
		if (ok == 1)
			rc = push_str(&h->cgroups, &h->n_cgroups, &ncap, v[i].path,
				      strlen(v[i].path));
		i = j;
	}
	free(v);
	if (!rc)
		h->cgroups_known = 1;
	return rc;
}

static int probe_filesystems(struct crimg_host *h)
{
	FILE *f = fopen("/proc/filesystems", "re");
	if (!f)
		return 0;
	char l[256];
	size_t cap = 0;
	int rc = 0;
	while (!rc && fgets(l, sizeof(l), f)) {
		/* "nodev\tNAME\n" or "\tNAME\n" */
		char *t = strrchr(l, '\t');
		t = t ? t + 1 : l;
		size_t n = strcspn(t, " \t\n");
		if (n)
			rc = push_str(&h->filesystems, &h->n_filesystems, &cap, t, n);
	}
	fclose(f);
	return rc;
}

static int probe_plugins(struct crimg_host *h)
{
	static const char *const dirs[] = { "/usr/lib/criu", "/usr/local/lib/criu" };
	size_t cap = 0;
	int known = 0;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		DIR *d = opendir(dirs[i]);
		if (!d) {
			if (errno == ENOENT || errno == ENOTDIR)
				known = 1;
			continue;
		}
		known = 1;
		struct dirent *e;
		while ((e = readdir(d))) {
			size_t n = strlen(e->d_name);
			if (n > 3 && !strcmp(e->d_name + n - 3, ".so") &&
			    push_str(&h->plugins, &h->n_plugins, &cap, e->d_name, n - 3)) {
				closedir(d);
				return -1;
			}
		}
		closedir(d);
	}
	sort_unique(h->plugins, &h->n_plugins);
	h->plugins_known = known;
	return 0;
}

static int probe_cpu_flags(struct crimg_host *h)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return 0;
	char *l = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	while ((n = getline(&l, &cap, f)) > 0) {
		if (strncmp(l, "flags", 5) && strncmp(l, "Features", 8))
			continue;
		char *c = strchr(l, ':');
		if (!c)
			continue;
		c++;
		while (*c == ' ' || *c == '\t')
			c++;
		size_t k = strlen(c);
		while (k && (c[k - 1] == '\n' || c[k - 1] == ' ' || c[k - 1] == '\t'))
			k--;
		if (k > 65536)
			break;
		char *d = strndup(c, k);
		if (!d) {
			rc = -1;
			break;
		}
		free(h->cpu_flags);
		h->cpu_flags = d;
		break;
	}
	free(l);
	fclose(f);
	return rc;
}

static void probe_xsave(struct crimg_host *h)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	if (__get_cpuid_max(0, NULL) < 0xd)
		return;
	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 26)) || !(c & (1u << 27))) /* XSAVE, OSXSAVE */
		return;
	uint32_t lo, hi;
	__asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0)); /* xgetbv */
	__cpuid_count(0xd, 0, a, b, c, d);
	h->xfeatures = (uint64_t)hi << 32 | lo;
	h->xsave_size = b;
#else
	(void)h;
#endif
}

static int kernel_at_least(const char *release, unsigned major, unsigned minor)
{
	unsigned x, y;
	if (sscanf(release, "%u.%u", &x, &y) != 2)
		return -1;
	return x > major || (x == major && y >= minor);
}

static void probe_features(struct crimg_host *h)
{
	h->has_rseq = -1;
#ifdef SYS_rseq
	/* registering nothing: EINVAL or EBUSY when the call exists */
	long r = syscall(SYS_rseq, NULL, 0, 0, 0);
	if (r < 0 && errno == ENOSYS)
		h->has_rseq = 0;
	else if (r < 0 && (errno == EINVAL || errno == EBUSY))
		h->has_rseq = 1;
#endif
	if (h->has_rseq < 0 && h->kernel[0])
		h->has_rseq = kernel_at_least(h->kernel, 4, 18);

	struct stat st;
	if (!lstat("/proc/self/ns/time", &st))
		h->has_timens = 1;
	else if (errno == ENOENT && !lstat("/proc/self/ns", &st))
		h->has_timens = 0;

	char b[4096];
	if (read_small("/proc/self/status", b, sizeof(b)) > 0) {
		const char *c = strstr(b, "\nCapEff:");
		if (c) {
			c += 8;
			while (*c == ' ' || *c == '\t')
				c++;
			char *e;
			errno = 0;
			unsigned long long caps = strtoull(c, &e, 16);
			if (!errno && e != c) {
				h->privileged = (caps >> 21 & 1) || (caps >> 40 & 1);
				/* without CAP_SYS_RESOURCE CRIU cannot raise its
				 * descriptor limit: a restore run from here keeps
				 * this one */
				struct rlimit rl;
				if (!(caps >> 24 & 1) && !getrlimit(RLIMIT_NOFILE, &rl) &&
				    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= INT32_MAX)
					h->fd_limit = (int64_t)rl.rlim_cur;
			}
		}
	}
	h->sid = getsid(0);
	h->pgid = getpgrp();
}

/* ---- files under root ---- */

#define MAX_LINKS 40

/* The walk used where openat2 is missing: path resolved under rootfd one
 * component at a time, links read and followed by hand, ".." stopping at
 * root.  An O_PATH descriptor, or -errno. */
int check_host_walk_in_root(int rootfd, const char *path);
int check_host_walk_in_root(int rootfd, const char *path)
{
	struct stat rst;
	if (fstat(rootfd, &rst))
		return -errno;
	char *todo = malloc(2 * PATH_MAX + 2), *lnk = malloc(PATH_MAX + 1);
	int cur = openat(rootfd, ".", O_PATH | O_CLOEXEC | O_DIRECTORY);
	int rc = 0, links = 0;
	if (!todo || !lnk || cur < 0) {
		rc = !todo || !lnk ? -ENOMEM : -errno;
		goto out;
	}
	size_t n = strlen(path);
	if (n > 2 * PATH_MAX) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	memcpy(todo, path, n + 1);
	size_t pos = 0;
	while (todo[pos]) {
		while (todo[pos] == '/')
			pos++;
		if (!todo[pos])
			break;
		size_t len = strcspn(todo + pos, "/");
		char name[NAME_MAX + 1];
		if (len > NAME_MAX) {
			rc = -ENAMETOOLONG;
			goto out;
		}
		memcpy(name, todo + pos, len);
		name[len] = '\0';
		pos += len;
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			struct stat cst;
			if (fstat(cur, &cst)) {
				rc = -errno;
				goto out;
			}
			if (cst.st_dev == rst.st_dev && cst.st_ino == rst.st_ino)
				continue;
		}
		int next = openat(cur, name, O_PATH | O_CLOEXEC | O_NOFOLLOW);
		if (next < 0) {
			rc = -errno;
			goto out;
		}
		struct stat st;
		if (fstat(next, &st)) {
			rc = -errno;
			close(next);
			goto out;
		}
		if (!S_ISLNK(st.st_mode)) {
			close(cur);
			cur = next;
			continue;
		}
		if (++links > MAX_LINKS) {
			close(next);
			rc = -ELOOP;
			goto out;
		}
		ssize_t k = readlinkat(next, "", lnk, PATH_MAX);
		close(next);
		if (k <= 0 || k >= PATH_MAX) {
			rc = k < 0 ? -errno : -ENAMETOOLONG;
			goto out;
		}
		lnk[k] = '\0';
		/* the rest becomes LINK/REST */
		size_t rest = strlen(todo + pos);
		if ((size_t)k + 1 + rest > 2 * PATH_MAX) {
			rc = -ENAMETOOLONG;
			goto out;
		}
		memmove(todo + k + 1, todo + pos, rest + 1);
		memcpy(todo, lnk, (size_t)k);
		todo[k] = '/';
		pos = 0;
		if (lnk[0] == '/') {
			close(cur);
			cur = openat(rootfd, ".", O_PATH | O_CLOEXEC | O_DIRECTORY);
			if (cur < 0) {
				rc = -errno;
				goto out;
			}
		}
	}
	rc = cur;
	cur = -1;
out:
	if (cur >= 0)
		close(cur);
	free(todo);
	free(lnk);
	return rc;
}

/* path looked up under root (rootfd -1: "/"), following links: an O_PATH
 * descriptor, or -errno. */
static int lookup(int rootfd, const char *path)
{
	if (rootfd < 0) {
		int fd = open(path, O_PATH | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
#ifdef HAVE_OPENAT2
	struct open_how how;
	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	if (fd >= 0)
		return (int)fd;
	if (errno != ENOSYS && errno != EPERM && errno != E2BIG)
		return -errno;
#endif
	return check_host_walk_in_root(rootfd, path);
}

/* ---- ELF build-id ---- */

struct elf {
	int fd;
	int be, is64;
	uint64_t size;
};

static uint64_t ld(const struct elf *e, const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[e->be ? n - 1 - i : i] << (8 * i);
	return v;
}

static int pread_all(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

#define NOTE_MAX 65536u

/* Looks for the GNU build-id note in the notes at [off, off + size). */
static int notes_build_id(const struct elf *e, uint64_t off, uint64_t size, char out[41])
{
	if (size < 12 || off > e->size || size > e->size - off)
		return 0;
	if (size > NOTE_MAX)
		size = NOTE_MAX;
	uint8_t *b = malloc(size);
	if (!b)
		return -1;
	int found = 0;
	if (pread_all(e->fd, b, size, off) == 0) {
		uint64_t p = 0;
		while (!found && size - p >= 12) {
			uint64_t nsz = ld(e, b + p, 4), dsz = ld(e, b + p + 4, 4),
				 type = ld(e, b + p + 8, 4);
			p += 12;
			uint64_t nal = (nsz + 3) & ~3ull, dal = (dsz + 3) & ~3ull;
			if (nal > size - p || dal > size - p - nal)
				break;
			if (type == 3 && nsz == 4 && !memcmp(b + p, "GNU", 4) && dsz > 0 &&
			    dsz <= 20) {
				for (uint64_t i = 0; i < dsz; i++)
					snprintf(out + 2 * i, 3, "%02x", b[p + nal + i]);
				found = 1;
			}
			p += nal + dal;
		}
	}
	free(b);
	return found;
}

/* The build-id of the ELF file open at fd (size bytes), as hex into out
 * ("" when there is none or the file is not ELF), and its e_machine into
 * *machine (0 when not ELF); -1 when out of memory. */
static int elf_build_id(int fd, uint64_t size, char out[41], unsigned *machine)
{
	out[0] = '\0';
	*machine = 0;
	uint8_t eh[64];
	if (size < 52 || pread_all(fd, eh, 52, 0) || memcmp(eh, "\177ELF", 4))
		return 0;
	struct elf e = { fd, eh[5] == 2, eh[4] == 2, size };
	if ((eh[4] != 1 && eh[4] != 2) || (eh[5] != 1 && eh[5] != 2))
		return 0;
	*machine = (unsigned)ld(&e, eh + 18, 2);
	if (e.is64 && (size < 64 || pread_all(fd, eh, 64, 0)))
		return 0;
	uint64_t phoff, shoff;
	unsigned phentsize, phnum, shentsize, shnum;
	if (e.is64) {
		phoff = ld(&e, eh + 32, 8);
		shoff = ld(&e, eh + 40, 8);
		phentsize = (unsigned)ld(&e, eh + 54, 2);
		phnum = (unsigned)ld(&e, eh + 56, 2);
		shentsize = (unsigned)ld(&e, eh + 58, 2);
		shnum = (unsigned)ld(&e, eh + 60, 2);
	} else {
		phoff = ld(&e, eh + 28, 4);
		shoff = ld(&e, eh + 32, 4);
		phentsize = (unsigned)ld(&e, eh + 42, 2);
		phnum = (unsigned)ld(&e, eh + 44, 2);
		shentsize = (unsigned)ld(&e, eh + 46, 2);
		shnum = (unsigned)ld(&e, eh + 48, 2);
	}
	/* program headers: PT_NOTE (4) */
	unsigned want = e.is64 ? 56 : 32;
	if (phentsize >= want && phnum && phnum < 4096 && phoff < size &&
	    (uint64_t)phnum * phentsize <= size - phoff) {
		for (unsigned i = 0; i < phnum; i++) {
			uint8_t ph[56];
			if (pread_all(fd, ph, want, phoff + (uint64_t)i * phentsize))
				break;
			if (ld(&e, ph, 4) != 4)
				continue;
			uint64_t off = e.is64 ? ld(&e, ph + 8, 8) : ld(&e, ph + 4, 4);
			uint64_t fsz = e.is64 ? ld(&e, ph + 32, 8) : ld(&e, ph + 16, 4);
			int r = notes_build_id(&e, off, fsz, out);
			if (r)
				return r < 0 ? -1 : 0;
		}
	}
	/* section headers: SHT_NOTE (7), for files without program headers */
	want = e.is64 ? 64 : 40;
	if (shentsize >= want && shnum && shnum < 65535 && shoff < size &&
	    (uint64_t)shnum * shentsize <= size - shoff) {
		for (unsigned i = 0; i < shnum && i < 4096; i++) {
			uint8_t sh[64];
			if (pread_all(fd, sh, want, shoff + (uint64_t)i * shentsize))
				break;
			if (ld(&e, sh + 4, 4) != 7)
				continue;
			uint64_t off = e.is64 ? ld(&e, sh + 24, 8) : ld(&e, sh + 16, 4);
			uint64_t fsz = e.is64 ? ld(&e, sh + 32, 8) : ld(&e, sh + 20, 4);
			int r = notes_build_id(&e, off, fsz, out);
			if (r)
				return r < 0 ? -1 : 0;
		}
	}
	return 0;
}

/* ---- the checkpoint's files ---- */

static int fd_path(int fd, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/proc/self/fd/%d", fd);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Fills f (f->path set) from the host under rootfd.  -1 when out of
 * memory. */
/* The files some process holds a lock on (/proc/locks: "N: KIND
 * MANDATORY TYPE PID MAJ:MIN:INODE START END", major and minor in hex),
 * as device and inode pairs; n_locks -1 when it cannot be read. */
struct lockset {
	struct {
		dev_t dev;
		ino_t ino;
	} * v;
	long n;
};

static int read_locks(struct lockset *ls)
{
	FILE *f = fopen("/proc/locks", "re");
	char line[256];
	size_t cap = 0;
	ls->v = NULL;
	ls->n = -1;
	if (!f)
		return 0;
	ls->n = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		unsigned long long ino;
		char *p = line;
		/* the sixth field; "->" lines (waiters) have one more in front */
		for (int k = 0; k < 5 && p; k++) {
			p += strspn(p, " ");
			if (!strncmp(p, "->", 2) && k == 1)
				p += 2, p += strspn(p, " ");
			p = strchr(p, ' ');
		}
		if (!p || sscanf(p, " %x:%x:%llu", &maj, &min, &ino) != 3)
			continue;
		if ((size_t)ls->n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			if (nc > 1u << 20) /* bounded: a million locks is plenty */
				break;
			void *nv = realloc(ls->v, nc * sizeof(*ls->v));
			if (!nv) {
				fclose(f);
				free(ls->v);
				return -1;
			}
			ls->v = nv;
			cap = nc;
		}
		ls->v[ls->n].dev = makedev(maj, min);
		ls->v[ls->n].ino = (ino_t)ino;
		ls->n++;
	}
	fclose(f);
	return 0;
}

static int stat_file(int rootfd, struct host_file *f, const struct lockset *locks)
{
	f->exists = f->dir_writable = f->locked = -1;
	char pp[64];
	if (strlen(f->path) >= PATH_MAX)
		return 0;
	int fd = lookup(rootfd, f->path);
	if (fd == -ENOMEM)
		return -1;
	if (fd == -ENOENT || fd == -ENOTDIR) {
		f->exists = 0;
	} else if (fd >= 0) {
		struct stat st;
		if (!fstat(fd, &st)) {
			f->exists = 1;
			f->size = (uint64_t)st.st_size;
			f->mode = (uint32_t)st.st_mode;
			if (locks->n >= 0) {
				f->locked = 0;
				for (long k = 0; k < locks->n; k++)
					if (locks->v[k].dev == st.st_dev &&
					    locks->v[k].ino == st.st_ino)
						f->locked = 1;
			}
			if (S_ISREG(st.st_mode) && !fd_path(fd, pp, sizeof(pp))) {
				int rfd = open(pp, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
				if (rfd >= 0) {
					int r = elf_build_id(rfd, f->size, f->build_id,
							     &f->machine);
					close(rfd);
					if (r < 0) {
						close(fd);
						return -1;
					}
				}
			}
		}
		close(fd);
	}
	/* its directory */
	char *dir = strdup(f->path);
	if (!dir)
		return -1;
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	else
		strcpy(dir, ".");
	/* CRIU creates the missing directories of a path it must create a
	 * file in (a ghost file), so what counts is the nearest directory
	 * that exists: can the rest be made in it? */
	int dfd = lookup(rootfd, dir);
	while (dfd == -ENOENT) {
		char *up = strrchr(dir, '/');
		if (!up || up == dir)
			break;
		*up = '\0';
		dfd = lookup(rootfd, dir);
	}
	free(dir);
	if (dfd == -ENOMEM)
		return -1;
	if (dfd == -ENOENT || dfd == -ENOTDIR) {
		f->dir_writable = 0;
	} else if (dfd >= 0) {
		struct stat st;
		if (!fstat(dfd, &st) && !S_ISDIR(st.st_mode))
			f->dir_writable = 0;
		else if (!fd_path(dfd, pp, sizeof(pp))) {
			if (!faccessat(AT_FDCWD, pp, W_OK, 0))
				f->dir_writable = 1;
			else if (errno == EACCES || errno == EROFS || errno == EPERM)
				f->dir_writable = 0;
		}
		close(dfd);
	}
	return 0;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct host_file *)a)->path, ((const struct host_file *)b)->path);
}

static int probe_files(struct crimg_host *h, struct crimg_ckpt *c, const char *root)
{
	struct crimg_error e;
	crimg_error_clear(&e);
	const struct crimg_file *const *files;
	size_t n;
	if (crimg_ckpt_files(c, &files, &n, &e))
		return 0;
	int rootfd = -1;
	if (strcmp(root, "/")) {
		rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			return 0;
	}
	size_t cap = 0;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct crimg_file *f = files[i];
		char *path = NULL;
		/* a unix socket bound to a path: an external peer is reconnected
		 * by that path, so the check needs to know it is there */
		if (f->type == CRIMG_FD_UNIXSK && f->u.usk.name && f->u.usk.name_len > 1 &&
		    ((const char *)f->u.usk.name)[0] == '/') {
			path = strndup((const char *)f->u.usk.name, f->u.usk.name_len);
			if (!path) {
				rc = -1;
				break;
			}
		} else if ((f->type != CRIMG_FD_REG && f->type != CRIMG_FD_FIFO) || !f->path ||
			   !f->path[0]) {
			continue;
		}
		if (grow((void **)&h->files, &cap, h->n_files, sizeof(*h->files))) {
			free(path);
			rc = -1;
			break;
		}
		struct host_file *hf = &h->files[h->n_files];
		memset(hf, 0, sizeof(*hf));
		if (!(hf->path = path ? path : strdup(f->path))) {
			rc = -1;
			break;
		}
		h->n_files++;
	}
	if (!rc && h->n_files) {
		qsort(h->files, h->n_files, sizeof(*h->files), cmp_file);
		size_t w = 1;
		for (size_t i = 1; i < h->n_files; i++) {
			if (strcmp(h->files[w - 1].path, h->files[i].path))
				h->files[w++] = h->files[i];
			else
				free(h->files[i].path);
		}
		h->n_files = w;
	}
	struct lockset locks = { NULL, -1 };
	if (!rc)
		rc = read_locks(&locks);
	for (size_t i = 0; i < h->n_files && !rc; i++)
		rc = stat_file(rootfd, &h->files[i], &locks);
	free(locks.v);
	if (rootfd >= 0)
		close(rootfd);
	if (!rc)
		h->files_known = 1;
	return rc;
}

/* ---- seccomp, AppArmor profiles, network lock tools, vDSO ---- */

static void probe_seccomp(struct crimg_host *h)
{
	char b[8192];
	if (read_small("/proc/self/status", b, sizeof(b)) <= 0)
		return;
	if (strstr(b, "\nSeccomp_filters:"))
		h->seccomp = 2;
	else if (strstr(b, "\nSeccomp:"))
		h->seccomp = 1;
	else if (strstr(b, "\nCapEff:")) /* the file is whole: no seccomp */
		h->seccomp = 0;
}

/* "name (mode)" lines: the names. */
static int probe_apparmor(struct crimg_host *h)
{
	FILE *f = fopen("/sys/kernel/security/apparmor/profiles", "re");
	if (!f)
		return 0;
	char *l = NULL;
	size_t cap = 0, vcap = 0, lines = 0;
	ssize_t n;
	int rc = 0;
	while (!rc && (n = getline(&l, &cap, f)) > 0 && ++lines <= 65536) {
		while (n && (l[n - 1] == '\n' || l[n - 1] == ' '))
			l[--n] = '\0';
		char *m = strrchr(l, '(');
		size_t k = m && m > l && m[-1] == ' ' ? (size_t)(m - 1 - l) : (size_t)n;
		if (k && k <= 4096)
			rc = push_str(&h->lsm_profiles, &h->n_lsm_profiles, &vcap, l, k);
	}
	free(l);
	fclose(f);
	if (!rc) {
		sort_unique(h->lsm_profiles, &h->n_lsm_profiles);
		h->lsm_profiles_known = 1;
	}
	return rc;
}

static void probe_net_lock_tools(struct crimg_host *h)
{
	static const char *const bins[] = { "/usr/sbin", "/sbin", "/usr/local/sbin",
					    "/usr/bin",  "/bin",  "/usr/local/bin" };
	static const char *const libs[] = { "/usr/lib64", "/usr/lib", "/lib64", "/lib",
					    "/usr/local/lib" };
	char p[PATH_MAX];
	struct utsname u;
	h->iptables_restore = 0;
	for (size_t i = 0; i < sizeof(bins) / sizeof(bins[0]) && !h->iptables_restore; i++) {
		snprintf(p, sizeof(p), "%s/iptables-restore", bins[i]);
		h->iptables_restore = !access(p, X_OK);
	}
	h->libnftables = 0;
	if (!uname(&u)) {
		snprintf(p, sizeof(p), "/usr/lib/%s-linux-gnu/libnftables.so.1", u.machine);
		h->libnftables = !access(p, R_OK);
	}
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]) && !h->libnftables; i++) {
		snprintf(p, sizeof(p), "%s/libnftables.so.1", libs[i]);
		h->libnftables = !access(p, R_OK);
	}
}

static void probe_vdso(struct crimg_host *h)
{
	FILE *f = fopen("/proc/self/maps", "re");
	if (!f)
		return;
	char l[512];
	int64_t vdso = 0, vvar = 0;
	while (fgets(l, sizeof(l), f)) {
		size_t n = strlen(l);
		if (n && l[n - 1] != '\n') { /* a long line (a path): skip the rest */
			int c;
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
		}
		unsigned long long a, b;
		char name[32] = "";
		if (sscanf(l, "%llx-%llx %*s %*s %*s %*s %31s", &a, &b, name) < 2 || b < a)
			continue;
		if (!strcmp(name, "[vdso]"))
			vdso += (int64_t)(b - a);
		else if (!strcmp(name, "[vvar]") || !strcmp(name, "[vvar_vclock]"))
			vvar += (int64_t)(b - a);
	}
	if (!ferror(f)) {
		h->vdso_size = vdso;
		h->vvar_size = vvar;
	}
	fclose(f);
}

/* ---- cgroup controllers, HWCAP, bind sources ---- */

/* The controllers the host has enabled: the v2 root's cgroup.controllers,
 * else /proc/cgroups' lines whose "enabled" column is 1. */
static int probe_cgroup_controllers(struct crimg_host *h)
{
	char l[512];
	size_t cap = 0;
	int rc = 0;
	if (h->cgroup_version == 2) {
		FILE *f = fopen("/sys/fs/cgroup/cgroup.controllers", "re");
		if (!f)
			return 0;
		if (fgets(l, sizeof(l), f))
			for (char *save = NULL, *t = strtok_r(l, " \t\n", &save); t && !rc;
			     t = strtok_r(NULL, " \t\n", &save))
				rc = push_str(&h->cgroup_controllers, &h->n_cgroup_controllers,
					      &cap, t, strlen(t));
		if (!rc && !ferror(f))
			h->cgroup_controllers_known = 1;
		fclose(f);
	} else {
		FILE *f = fopen("/proc/cgroups", "re");
		if (!f)
			return 0;
		while (!rc && fgets(l, sizeof(l), f)) {
			char name[64];
			unsigned hier, num, enabled;
			if (l[0] == '#' ||
			    sscanf(l, "%63s %u %u %u", name, &hier, &num, &enabled) != 4 ||
			    !enabled)
				continue;
			rc = push_str(&h->cgroup_controllers, &h->n_cgroup_controllers, &cap, name,
				      strlen(name));
		}
		if (!rc && !ferror(f))
			h->cgroup_controllers_known = 1;
		fclose(f);
	}
	if (!rc)
		sort_unique(h->cgroup_controllers, &h->n_cgroup_controllers);
	return rc;
}

/* The kernel's words, from /proc/self/auxv: glibc's getauxval(AT_HWCAP)
 * on x86_64 answers its own platform bits instead. */
static void probe_hwcap(struct crimg_host *h)
{
	unsigned long v[2 * 64];
	int fd = open("/proc/self/auxv", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, v, sizeof(v));
	close(fd);
	if (n <= 0)
		return;
	for (size_t i = 0; i + 1 < (size_t)n / sizeof(v[0]) && v[i]; i += 2) {
		if (v[i] == 16) /* AT_HWCAP */
			h->hwcap = v[i + 1];
		else if (v[i] == 26) /* AT_HWCAP2 */
			h->hwcap2 = v[i + 1];
	}
	h->hwcap_known = 1;
}

static int cmp_str_p(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The checkpoint's bind sources, each looked up once in the host's own
 * file system (CRIU binds them from its mount namespace, not from
 * --root); a link is followed, as mount(2) does. */
static int probe_bind_sources(struct crimg_host *h, struct crimg_ckpt *c)
{
	const struct crimg_mounts *ns;
	size_t nns = 0, n = 0, cap = 0;
	const char **v = NULL;
	struct crimg_error e;
	crimg_error_clear(&e);
	if (crimg_ckpt_mounts(c, &ns, &nns, &e) < 0)
		return 0;
	for (size_t i = 0; i < nns; i++)
		for (size_t j = 0; j < ns[i].n; j++) {
			const char *p = host_bind_source_of(&ns[i].mounts[j]);
			if (!p)
				continue;
			if (grow((void **)&v, &cap, n, sizeof(*v))) {
				free(v);
				return -1;
			}
			v[n++] = p;
		}
	if (n)
		qsort(v, n, sizeof(*v), cmp_str_p);
	size_t bcap = 0;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (i && !strcmp(v[i], v[i - 1]))
			continue;
		if (grow((void **)&h->bind_sources, &bcap, h->n_bind_sources,
			 sizeof(*h->bind_sources))) {
			rc = -1;
			break;
		}
		struct host_path *b = &h->bind_sources[h->n_bind_sources];
		struct stat st;
		if (!(b->path = strdup(v[i]))) {
			rc = -1;
			break;
		}
		if (!stat(v[i], &st))
			b->exists = 1;
		else
			b->exists = errno == ENOENT || errno == ENOTDIR ? 0 : -1;
		h->n_bind_sources++;
	}
	free(v);
	if (!rc)
		h->bind_sources_known = 1;
	return rc;
}

/* ---- the probe ---- */

struct crimg_host *crimg_host_probe(const char *root, struct crimg_ckpt *c, struct crimg_error *err)
{
	crimg_error_clear(err);
	if (!root || !*root)
		root = "/";
	struct crimg_host *h = host_new("probe");
	int rc = h ? set_str(&h->root, root) : -1;
	if (!rc) {
		struct utsname u;
		if (!uname(&u))
			rc = set_str(&h->arch, u.machine) || set_str(&h->kernel, u.release);
	}
	if (!rc) {
		h->pid_max = read_int("/proc/sys/kernel/pid_max");
		h->nr_open = read_int("/proc/sys/fs/nr_open");
		probe_cgroup_version(h);
		probe_xsave(h);
		probe_features(h);
		probe_seccomp(h);
		probe_net_lock_tools(h);
		probe_vdso(h);
		probe_hwcap(h);
		long ps = sysconf(_SC_PAGESIZE);
		h->page_size = ps > 0 && ps <= (1 << 20) ? (uint32_t)ps : 0;
		rc = probe_pids(h) || probe_ports(h) || probe_addrs(h) || probe_lsm(h) ||
			probe_filesystems(h) || probe_plugins(h) || probe_cpu_flags(h) ||
			probe_apparmor(h) || probe_cgroup_controllers(h);
	}
	if (!rc && c)
		rc = probe_cgroups(h, c) || probe_files(h, c, root) || probe_bind_sources(h, c);
	if (rc) {
		crimg_host_free(h);
		crimg_fail(err, NULL, -1, -1, "host probe: out of memory");
		return NULL;
	}
	return h;
}
