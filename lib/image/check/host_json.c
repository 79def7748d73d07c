/*
 * Host descriptions as JSON: what `crit check --probe` writes on one host
 * and `crit check --host FILE` reads on another.
 *
 * The form (version 1).  One object; every member but "crimg_host" may be
 * left out, and null says the same: the fact is unknown.
 *
 *   "crimg_host": 1                      the version of this form
 *   "source": "probe" | "json" | "log"   where the facts came from
 *   "arch", "kernel"                     uname -m and -r ("" unknown)
 *   "criu_version"                       CRIU's version, from a log ("")
 *   "root"                               the directory files were looked up under
 *   "pid_max", "nr_open"                 integers
 *   "fd_limit"                           the RLIMIT_NOFILE a restore run here
 *                                        keeps (no CAP_SYS_RESOURCE), integer
 *   "sid", "pgid"                        the session and process group a
 *                                        restore started here runs in
 *   "privileged"                         CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE
 *   "rseq", "timens"                     booleans: the kernel has them
 *   "lsm"                                "apparmor", "selinux", "none" ("" unknown)
 *   "cgroup_version"                     1 (v1 or hybrid) or 2
 *   "cpu_flags"                          /proc/cpuinfo's flags (x86) or Features
 *                                        (arm64), space-separated ("" unknown)
 *   "xfeatures"                          x86: the XSAVE feature mask the kernel
 *                                        enabled (XCR0), a hex string "0xe7"
 *   "xsave_size"                         x86: bytes of the xsave area for them
 *   "seccomp"                            0 none, 1 seccomp (filters unknown),
 *                                        2 seccomp filters
 *   "iptables_restore", "libnftables"    booleans: the network lock's tools
 *   "vdso_size", "vvar_size"             bytes of [vdso] and of [vvar] (with
 *                                        [vvar_vclock]); 0: the kernel maps none
 *   "pids"                               every PID and TID in use, ascending
 *   "ports"                              sockets in /proc/net/{tcp,udp}{,6}:
 *       {"family": "inet"|"inet6", "proto": "tcp"|"udp", "addr": "127.0.0.1",
 *        "port": 8080, "state": 10}      (state: the kernel's TCP_* number,
 *                                        10 listening; 7 for UDP)
 *   "addrs"                              the interfaces' addresses:
 *       {"family": "inet"|"inet6", "addr": "::1"}
 *   "filesystems"                        /proc/filesystems' names
 *   "plugins"                            CRIU plugins installed (file names
 *                                        without ".so")
 *   "cgroups"                            the checkpoint's cgroup paths that
 *                                        exist in every hierarchy it names them in
 *   "files"                              the checkpoint's files, looked up under root:
 *       {"path": "/x", "exists": true, "size": 49, "mode": "0100644",
 *        "dir_writable": true, "locked": false, "build_id": "hex" or "",
 *        "machine": 62}                  (exists, dir_writable and locked may
 *                                        be null; locked: a process holds a
 *                                        lock on the file, /proc/locks;
 *                                        machine: an ELF file's e_machine,
 *                                        left out when not ELF)
 *   "lsm_profiles"                       AppArmor profiles loaded (names)
 *   "hwcap", "hwcap2"                    the kernel's AT_HWCAP, AT_HWCAP2, as hex
 *                                        strings "0x178bfbff" (null: unknown)
 *   "page_size"                          the kernel's page size in bytes
 *   "bind_sources"                       the checkpoint's bind mount sources,
 *                                        looked up in the host's own file system:
 *       {"path": "/x", "exists": true}   (exists may be null)
 *   "cgroup_controllers"                 cgroup controllers the host has enabled
 *
 * Strings are UTF-8; a byte that is not is written as the escape \udcXX, as
 * crit's JSON does, so that any path comes back byte for byte.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/base.h"
#include "check/check_int.h"
#include "json/text_parser.h"

/* ---- writing ---- */

struct sb {
	char *p;
	size_t n, cap;
	int oom;
};

static void sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (n > b->cap - b->n) {
		size_t cap = b->cap ? b->cap : 4096;
		while (n > cap - b->n) {
			if (cap > SIZE_MAX / 2) {
				b->oom = 1;
				return;
			}
			cap *= 2;
		}
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

#define sb_lit(b, s) sb_add(b, "" s, sizeof(s) - 1)

static void sb_cstr(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_fmt(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_fmt(struct sb *b, const char *fmt, ...)
{
	char t[128];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof(t)) {
		b->oom = 1; /* never: callers format numbers */
		return;
	}
	sb_add(b, t, (size_t)k);
}

/* A JSON string of s: ASCII out, other characters as \u escapes, bytes
 * that are not UTF-8 as \udcXX. */
static void sb_str(struct sb *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);
	sb_lit(b, "\"");
	size_t run = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			continue;
		}
		sb_add(b, str + run, i - run);
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			sb_add(b, e, 2);
			i++;
		} else if (c < 0x80) {
			sb_fmt(b, "\\u%04x", c);
			i++;
		} else {
			uint32_t cp;
			size_t len = crimg_utf8_char(s + i, n - i, &cp);
			if (len == 0) {
				sb_fmt(b, "\\u%04x", 0xdc00u | c);
				i++;
			} else if (cp >= 0x10000) {
				cp -= 0x10000;
				sb_fmt(b, "\\u%04x\\u%04x", 0xd800u | (cp >> 10),
				       0xdc00u | (cp & 0x3ff));
				i += len;
			} else {
				sb_fmt(b, "\\u%04x", cp);
				i += len;
			}
		}
		run = i;
	}
	sb_add(b, str + run, n - run);
	sb_lit(b, "\"");
}

static void key(struct sb *b, const char *k)
{
	sb_lit(b, ",\n  \"");
	sb_add(b, k, strlen(k));
	sb_lit(b, "\": ");
}

static void put_i64(struct sb *b, const char *k, int64_t v)
{
	key(b, k);
	if (v < 0)
		sb_lit(b, "null");
	else
		sb_fmt(b, "%lld", (long long)v);
}

static void put_tri(struct sb *b, int v)
{
	if (v < 0)
		sb_lit(b, "null");
	else if (v)
		sb_lit(b, "true");
	else
		sb_lit(b, "false");
}

static void put_strv(struct sb *b, const char *k, char *const *v, size_t n, int known)
{
	key(b, k);
	if (!known) {
		sb_lit(b, "null");
		return;
	}
	sb_lit(b, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_lit(b, ", ");
		sb_str(b, v[i]);
	}
	sb_lit(b, "]");
}

static const char *family_name(unsigned f)
{
	return f == AF_INET6 ? "inet6" : "inet";
}

static void put_addr(struct sb *b, unsigned family, const uint8_t *addr)
{
	char t[INET6_ADDRSTRLEN];
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, t, sizeof(t)))
		t[0] = '\0';
	sb_str(b, t);
}

char *crimg_host_json(const struct crimg_host *h, size_t *len)
{
	struct sb b = { 0 };
	sb_lit(&b, "{\n  \"crimg_host\": 1");
	key(&b, "source");
	sb_str(&b, h->source);
	key(&b, "arch");
	sb_str(&b, h->arch);
	key(&b, "kernel");
	sb_str(&b, h->kernel);
	key(&b, "criu_version");
	sb_str(&b, h->criu_version);
	key(&b, "root");
	sb_str(&b, h->root);
	put_i64(&b, "pid_max", h->pid_max);
	put_i64(&b, "nr_open", h->nr_open);
	put_i64(&b, "fd_limit", h->fd_limit);
	put_i64(&b, "sid", h->sid);
	put_i64(&b, "pgid", h->pgid);
	key(&b, "privileged");
	put_tri(&b, h->privileged);
	key(&b, "rseq");
	put_tri(&b, h->has_rseq);
	key(&b, "timens");
	put_tri(&b, h->has_timens);
	key(&b, "lsm");
	sb_str(&b, h->lsm);
	put_i64(&b, "cgroup_version", h->cgroup_version > 0 ? h->cgroup_version : -1);
	key(&b, "cpu_flags");
	sb_str(&b, h->cpu_flags);
	key(&b, "xfeatures");
	if (h->xfeatures)
		sb_fmt(&b, "\"0x%llx\"", (unsigned long long)h->xfeatures);
	else
		sb_lit(&b, "null");
	put_i64(&b, "xsave_size", h->xsave_size ? (int64_t)h->xsave_size : -1);
	put_i64(&b, "seccomp", h->seccomp);
	key(&b, "iptables_restore");
	put_tri(&b, h->iptables_restore);
	key(&b, "libnftables");
	put_tri(&b, h->libnftables);
	put_i64(&b, "vdso_size", h->vdso_size);
	put_i64(&b, "vvar_size", h->vvar_size);
	key(&b, "hwcap");
	if (h->hwcap_known)
		sb_fmt(&b, "\"0x%llx\"", (unsigned long long)h->hwcap);
	else
		sb_lit(&b, "null");
	key(&b, "hwcap2");
	if (h->hwcap_known)
		sb_fmt(&b, "\"0x%llx\"", (unsigned long long)h->hwcap2);
	else
		sb_lit(&b, "null");
	put_i64(&b, "page_size", h->page_size ? (int64_t)h->page_size : -1);

	key(&b, "pids");
	if (h->pids_known) {
		sb_lit(&b, "[");
		for (size_t i = 0; i < h->n_pids; i++)
			sb_fmt(&b, i ? ", %u" : "%u", (unsigned)h->pids[i]);
		sb_lit(&b, "]");
	} else {
		sb_lit(&b, "null");
	}

	key(&b, "ports");
	if (h->ports_known) {
		sb_lit(&b, "[");
		for (size_t i = 0; i < h->n_ports; i++) {
			const struct host_port *p = &h->ports[i];
			sb_cstr(&b, i ? ",\n    {\"family\": \"" : "\n    {\"family\": \"");
			const char *f = family_name(p->family);
			sb_add(&b, f, strlen(f));
			sb_lit(&b, "\", \"proto\": ");
			sb_cstr(&b, p->proto == 17 ? "\"udp\"" : "\"tcp\"");
			sb_lit(&b, ", \"addr\": ");
			put_addr(&b, p->family, p->addr);
			sb_fmt(&b, ", \"port\": %u, \"state\": %u}", p->port, p->state);
		}
		sb_cstr(&b, h->n_ports ? "\n  ]" : "]");
	} else {
		sb_lit(&b, "null");
	}

	key(&b, "addrs");
	if (h->addrs_known) {
		sb_lit(&b, "[");
		for (size_t i = 0; i < h->n_addrs; i++) {
			const struct host_addr *a = &h->addrs[i];
			sb_cstr(&b, i ? ",\n    {\"family\": \"" : "\n    {\"family\": \"");
			const char *f = family_name(a->family);
			sb_add(&b, f, strlen(f));
			sb_lit(&b, "\", \"addr\": ");
			put_addr(&b, a->family, a->addr);
			sb_lit(&b, "}");
		}
		sb_cstr(&b, h->n_addrs ? "\n  ]" : "]");
	} else {
		sb_lit(&b, "null");
	}

	put_strv(&b, "filesystems", h->filesystems, h->n_filesystems, 1);
	put_strv(&b, "plugins", h->plugins, h->n_plugins, h->plugins_known);
	put_strv(&b, "cgroups", h->cgroups, h->n_cgroups, h->cgroups_known);

	key(&b, "files");
	if (h->files_known) {
		sb_lit(&b, "[");
		for (size_t i = 0; i < h->n_files; i++) {
			const struct host_file *f = &h->files[i];
			sb_cstr(&b, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
			sb_str(&b, f->path);
			sb_lit(&b, ", \"exists\": ");
			put_tri(&b, f->exists);
			sb_fmt(&b, ", \"size\": %llu, \"mode\": \"0%o\", \"dir_writable\": ",
			       (unsigned long long)f->size, (unsigned)f->mode);
			put_tri(&b, f->dir_writable);
			sb_lit(&b, ", \"locked\": ");
			put_tri(&b, f->locked);
			sb_lit(&b, ", \"build_id\": ");
			sb_str(&b, f->build_id);
			if (f->machine)
				sb_fmt(&b, ", \"machine\": %u", f->machine);
			sb_lit(&b, "}");
		}
		sb_cstr(&b, h->n_files ? "\n  ]" : "]");
	} else {
		sb_lit(&b, "null");
	}
	put_strv(&b, "lsm_profiles", h->lsm_profiles, h->n_lsm_profiles, h->lsm_profiles_known);
	key(&b, "bind_sources");
	if (h->bind_sources_known) {
		sb_lit(&b, "[");
		for (size_t i = 0; i < h->n_bind_sources; i++) {
			const struct host_path *f = &h->bind_sources[i];
			sb_cstr(&b, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
			sb_str(&b, f->path);
			sb_lit(&b, ", \"exists\": ");
			put_tri(&b, f->exists);
			sb_lit(&b, "}");
		}
		sb_cstr(&b, h->n_bind_sources ? "\n  ]" : "]");
	} else {
		sb_lit(&b, "null");
	}
	put_strv(&b, "cgroup_controllers", h->cgroup_controllers, h->n_cgroup_controllers,
		 h->cgroup_controllers_known);
	sb_lit(&b, "\n}\n");
	sb_add(&b, "", 1);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	if (len)
		*len = b.n - 1;
	return b.p;
}

/* ---- reading ----
 * The object is read one member at a time and each array one item at a
 * time, every value into an arena that is emptied after it: what the
 * reader holds is the description being built, whose arrays are bounded
 * below, never a tree of the whole text. */

/* Bounds of what a description may hold. */
#define MAX_PIDS (4u << 20) /* PID_MAX_LIMIT: no more PIDs can exist */
#define MAX_PID (4u << 20)
#define MAX_PORTS (1u << 20)
#define MAX_ADDRS (1u << 16)
#define MAX_FILES (1u << 20)
#define MAX_NAMES (1u << 16) /* cgroups, filesystems, plugins */
#define MAX_STR 4096u        /* a path (PATH_MAX) */
#define MAX_FLAGS 65536u     /* cpu_flags */

struct rd {
	struct jparser p;
	struct crimg_arena a;
	struct crimg_host *h;
	size_t cap; /* of the array being read */
};

static int set_str_(char **dst, const char *s)
{
	char *d = strdup(s);
	if (!d)
		return -1;
	free(*dst);
	*dst = d;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int fail_at(struct rd *r, const struct jnode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail_at(struct rd *r, const struct jnode *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return jp_fail_at(&r->p, n, "%s", msg);
}

static int oom(struct rd *r, const struct jnode *n)
{
	return fail_at(r, n, "out of memory");
}

/* A string (null: "") into *dst, replacing it. */
static int get_str(struct rd *r, const struct jnode *v, const char *k, size_t max, char **dst)
{
	const char *s = "";
	if (v->t == J_STR) {
		if (strlen(v->s) != v->len)
			return fail_at(r, v, "\"%s\" holds a NUL character", k);
		if (v->len > max)
			return fail_at(r, v, "\"%s\" is longer than %zu bytes", k, max);
		s = v->s;
	} else if (v->t != J_NULL) {
		return fail_at(r, v, "\"%s\" must be a string", k);
	}
	char *d = strdup(s);
	if (!d)
		return oom(r, v);
	free(*dst);
	*dst = d;
	return 0;
}

/* An integer in [lo, hi] into *out; 1 (nothing stored) for null. */
static int get_int(struct rd *r, const struct jnode *v, const char *k, int64_t lo, int64_t hi,
		   int64_t *out)
{
	if (v->t == J_NULL)
		return 1;
	if (v->t != J_NUM)
		return fail_at(r, v, "\"%s\" must be an integer", k);
	const char *s = v->s;
	size_t n = v->len, i = 0;
	int neg = 0;
	if (i < n && s[i] == '-') {
		neg = 1;
		i++;
	}
	if (i == n)
		return fail_at(r, v, "\"%s\" must be an integer", k);
	uint64_t m = 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return fail_at(r, v, "\"%s\" must be an integer", k);
		if (m > (UINT64_MAX - 9) / 10)
			return fail_at(r, v, "\"%s\" is out of range", k);
		m = m * 10 + (uint64_t)(s[i] - '0');
	}
	if (m > (uint64_t)INT64_MAX)
		return fail_at(r, v, "\"%s\" is out of range", k);
	int64_t x = neg ? -(int64_t)m : (int64_t)m;
	if (x < lo || x > hi)
		return fail_at(r, v, "\"%s\" must be between %lld and %lld", k, (long long)lo,
			       (long long)hi);
	*out = x;
	return 0;
}

/* The same, null not allowed. */
static int need_int(struct rd *r, const struct jnode *v, const char *k, int64_t lo, int64_t hi,
		    int64_t *out)
{
	if (v->t == J_NULL)
		return fail_at(r, v, "\"%s\" must be an integer", k);
	return get_int(r, v, k, lo, hi, out);
}

/* A boolean or null into *out (1, 0, -1). */
static int get_tri(struct rd *r, const struct jnode *v, const char *k, int *out)
{
	if (v->t == J_NULL)
		*out = -1;
	else if (v->t == J_BOOL)
		*out = v->b ? 1 : 0;
	else
		return fail_at(r, v, "\"%s\" must be true, false or null", k);
	return 0;
}

static int grow(struct rd *r, const struct jnode *at, void **p, size_t n, size_t sz)
{
	if (n < r->cap)
		return 0;
	size_t c = r->cap ? r->cap * 2 : 16;
	void *q = c <= SIZE_MAX / sz ? realloc(*p, c * sz) : NULL;
	if (!q)
		return oom(r, at);
	*p = q;
	r->cap = c;
	return 0;
}

/* Checks that object o has only the keys listed (NULL-terminated). */
static int only_keys(struct rd *r, const struct jnode *o, const char *what, const char *const *keys)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct jmember *m = &o->members[i];
		size_t j = 0;
		for (; keys[j]; j++)
			if (strlen(keys[j]) == m->klen && !memcmp(keys[j], m->key, m->klen))
				break;
		if (!keys[j]) {
			char k[64];
			size_t kl = m->klen < sizeof(k) - 1 ? m->klen : sizeof(k) - 1;
			for (size_t c = 0; c < kl; c++)
				k[c] = m->key[c] >= 0x20 && m->key[c] < 0x7f ? m->key[c] : '?';
			k[kl] = '\0';
			return fail_at(r, m->v, "%s: unknown member \"%s\"", what, k);
		}
	}
	return 0;
}

/* family and addr of an item of "ports" or "addrs". */
static int get_family_addr(struct rd *r, const struct jnode *o, const char *k, unsigned *family,
			   uint8_t addr[16])
{
	const struct jnode *f = jobj_get(o, "family"), *a = jobj_get(o, "addr");
	if (!f || f->t != J_STR || (strcmp(f->s, "inet") && strcmp(f->s, "inet6")))
		return fail_at(r, f ? f : o, "\"%s\": \"family\" must be \"inet\" or \"inet6\"", k);
	*family = strcmp(f->s, "inet6") ? AF_INET : AF_INET6;
	if (!a || a->t != J_STR || strlen(a->s) != a->len || a->len >= INET6_ADDRSTRLEN)
		return fail_at(r, a ? a : o, "\"%s\": \"addr\" must be an address string", k);
	memset(addr, 0, 16);
	if (inet_pton((int)*family, a->s, addr) != 1)
		return fail_at(r, a, "\"%s\": \"addr\" is not an %s address", k, f->s);
	return 0;
}

static int item_pid(struct rd *r, const struct jnode *v)
{
	struct crimg_host *h = r->h;
	int64_t x;
	if (need_int(r, v, "pids", 1, MAX_PID, &x) ||
	    grow(r, v, (void **)&h->pids, h->n_pids, sizeof(*h->pids)))
		return -1;
	h->pids[h->n_pids++] = (uint32_t)x;
	return 0;
}

static int item_port(struct rd *r, const struct jnode *o)
{
	static const char *const keys[] = { "family", "proto", "addr", "port", "state", NULL };
	struct crimg_host *h = r->h;
	if (o->t != J_OBJ)
		return fail_at(r, o, "\"ports\" items must be objects");
	struct host_port p;
	memset(&p, 0, sizeof(p));
	if (only_keys(r, o, "\"ports\" item", keys) ||
	    get_family_addr(r, o, "ports", &p.family, p.addr))
		return -1;
	const struct jnode *pr = jobj_get(o, "proto"), *po = jobj_get(o, "port"),
			   *st = jobj_get(o, "state");
	if (!pr || pr->t != J_STR || (strcmp(pr->s, "tcp") && strcmp(pr->s, "udp")))
		return fail_at(r, pr ? pr : o, "\"ports\": \"proto\" must be \"tcp\" or \"udp\"");
	p.proto = strcmp(pr->s, "tcp") ? 17 : 6;
	int64_t x;
	if (!po)
		return fail_at(r, o, "\"ports\" items need a \"port\"");
	if (need_int(r, po, "port", 0, 65535, &x))
		return -1;
	p.port = (unsigned)x;
	p.state = p.proto == 17 ? 7 : 0;
	if (st) {
		int g = get_int(r, st, "state", 0, 255, &x);
		if (g < 0)
			return -1;
		if (g == 0)
			p.state = (unsigned)x;
	}
	if (grow(r, o, (void **)&h->ports, h->n_ports, sizeof(*h->ports)))
		return -1;
	h->ports[h->n_ports++] = p;
	return 0;
}

static int item_addr(struct rd *r, const struct jnode *o)
{
	static const char *const keys[] = { "family", "addr", NULL };
	struct crimg_host *h = r->h;
	if (o->t != J_OBJ)
		return fail_at(r, o, "\"addrs\" items must be objects");
	struct host_addr a;
	memset(&a, 0, sizeof(a));
	if (only_keys(r, o, "\"addrs\" item", keys) ||
	    get_family_addr(r, o, "addrs", &a.family, a.addr) ||
	    grow(r, o, (void **)&h->addrs, h->n_addrs, sizeof(*h->addrs)))
		return -1;
	h->addrs[h->n_addrs++] = a;
	return 0;
}

static int get_mode(struct rd *r, const struct jnode *v, uint32_t *mode)
{
	if (v->t == J_NULL)
		return 0;
	if (v->t != J_STR || v->len == 0 || v->len > 11)
		return fail_at(r, v, "\"mode\" must be an octal string such as \"0100644\"");
	uint64_t m = 0;
	for (size_t i = 0; i < v->len; i++) {
		if (v->s[i] < '0' || v->s[i] > '7')
			return fail_at(r, v,
				       "\"mode\" must be an octal string such as \"0100644\"");
		m = m * 8 + (uint64_t)(v->s[i] - '0');
	}
	if (m > UINT32_MAX)
		return fail_at(r, v, "\"mode\" is out of range");
	*mode = (uint32_t)m;
	return 0;
}

static int get_build_id(struct rd *r, const struct jnode *v, char out[41])
{
	out[0] = '\0';
	if (v->t == J_NULL)
		return 0;
	if (v->t != J_STR || v->len > 40 || v->len % 2)
		return fail_at(r, v, "\"build_id\" must be a string of up to 40 hex digits");
	for (size_t i = 0; i < v->len; i++) {
		char c = v->s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return fail_at(r, v, "\"build_id\" must be lower-case hex digits");
	}
	memcpy(out, v->s, v->len);
	out[v->len] = '\0';
	return 0;
}

static int item_file(struct rd *r, const struct jnode *o)
{
	static const char *const keys[] = { "path",   "exists",   "size",    "mode", "dir_writable",
					    "locked", "build_id", "machine", NULL };
	struct crimg_host *h = r->h;
	if (o->t != J_OBJ)
		return fail_at(r, o, "\"files\" items must be objects");
	if (only_keys(r, o, "\"files\" item", keys))
		return -1;
	const struct jnode *p = jobj_get(o, "path");
	if (!p || p->t != J_STR || !p->len)
		return fail_at(r, p ? p : o, "\"files\" items need a \"path\" string");
	if (grow(r, o, (void **)&h->files, h->n_files, sizeof(*h->files)))
		return -1;
	struct host_file *f = &h->files[h->n_files];
	memset(f, 0, sizeof(*f));
	f->exists = f->dir_writable = f->locked = -1;
	if (get_str(r, p, "path", MAX_STR, &f->path))
		return -1;
	h->n_files++; /* f->path is now h's to free */
	const struct jnode *e;
	int64_t x;
	if ((e = jobj_get(o, "exists")) && get_tri(r, e, "exists", &f->exists))
		return -1;
	if ((e = jobj_get(o, "dir_writable")) && get_tri(r, e, "dir_writable", &f->dir_writable))
		return -1;
	if ((e = jobj_get(o, "locked")) && get_tri(r, e, "locked", &f->locked))
		return -1;
	if ((e = jobj_get(o, "size"))) {
		int g = get_int(r, e, "size", 0, INT64_MAX, &x);
		if (g < 0)
			return -1;
		if (g == 0)
			f->size = (uint64_t)x;
	}
	if ((e = jobj_get(o, "mode")) && get_mode(r, e, &f->mode))
		return -1;
	if ((e = jobj_get(o, "build_id")) && get_build_id(r, e, f->build_id))
		return -1;
	if ((e = jobj_get(o, "machine"))) {
		int g = get_int(r, e, "machine", 0, 65535, &x);
		if (g < 0)
			return -1;
		if (g == 0)
			f->machine = (unsigned)x;
	}
	return 0;
}

/* An item of "filesystems", "plugins" or "cgroups" appended to v. */
static int item_name(struct rd *r, const struct jnode *e, const char *k, char ***v, size_t *n)
{
	if (e->t != J_STR)
		return fail_at(r, e, "\"%s\" items must be strings", k);
	char *s = NULL;
	if (get_str(r, e, k, MAX_STR, &s) || grow(r, e, (void **)v, *n, sizeof(**v))) {
		free(s);
		return -1;
	}
	(*v)[(*n)++] = s;
	return 0;
}

/* A hex string "0x..." of up to 64 bits into *out: 1, 0 for null, -1. */
static int get_hex(struct rd *r, const struct jnode *v, const char *k, uint64_t *out)
{
	if (v->t == J_NULL)
		return 0;
	if (v->t != J_STR || v->len < 3 || v->len > 18 || v->s[0] != '0' ||
	    (v->s[1] != 'x' && v->s[1] != 'X'))
		return fail_at(r, v, "\"%s\" must be a hex string such as \"0xe7\"", k);
	uint64_t m = 0;
	for (size_t i = 2; i < v->len; i++) {
		char c = v->s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return fail_at(r, v, "\"%s\" must be a hex string such as \"0xe7\"", k);
		m = m << 4 | d;
	}
	*out = m;
	return 1;
}

static int get_xfeatures(struct rd *r, const struct jnode *v)
{
	return get_hex(r, v, "xfeatures", &r->h->xfeatures) < 0 ? -1 : 0;
}

static int get_hwcap(struct rd *r, const struct jnode *v, const char *k, uint64_t *out)
{
	int g = get_hex(r, v, k, out);
	if (g > 0)
		r->h->hwcap_known = 1;
	return g < 0 ? -1 : 0;
}

static int item_bind(struct rd *r, const struct jnode *o)
{
	static const char *const keys[] = { "path", "exists", NULL };
	struct crimg_host *h = r->h;
	if (o->t != J_OBJ)
		return fail_at(r, o, "\"bind_sources\" items must be objects");
	if (only_keys(r, o, "\"bind_sources\" item", keys))
		return -1;
	const struct jnode *p = jobj_get(o, "path");
	if (!p || p->t != J_STR || !p->len)
		return fail_at(r, p ? p : o, "\"bind_sources\" items need a \"path\" string");
	if (grow(r, o, (void **)&h->bind_sources, h->n_bind_sources, sizeof(*h->bind_sources)))
		return -1;
	struct host_path *f = &h->bind_sources[h->n_bind_sources];
	f->path = NULL;
	f->exists = -1;
	if (get_str(r, p, "path", MAX_STR, &f->path))
		return -1;
	h->n_bind_sources++; /* f->path is now h's to free */
	const struct jnode *e = jobj_get(o, "exists");
	return e ? get_tri(r, e, "exists", &f->exists) : 0;
}

/* The members, in the order crimg_host_json writes them. */
enum {
	K_VERSION,
	K_SOURCE,
	K_ARCH,
	K_KERNEL,
	K_CRIU,
	K_ROOT,
	K_PID_MAX,
	K_NR_OPEN,
	K_FD_LIMIT,
	K_SID,
	K_PGID,
	K_PRIV,
	K_RSEQ,
	K_TIMENS,
	K_LSM,
	K_CGV,
	K_FLAGS,
	K_XFEAT,
	K_XSIZE,
	K_SECCOMP,
	K_IPTR,
	K_NFTLIB,
	K_VDSO,
	K_VVAR,
	K_HWCAP,
	K_HWCAP2,
	K_PAGE_SIZE,
	K_PIDS, /* the arrays from here */
	K_PORTS,
	K_ADDRS,
	K_FS,
	K_PLUGINS,
	K_CGROUPS,
	K_FILES,
	K_LSMP,
	K_BINDS,
	K_CGCTL,
	K_N
};
static const char *const key_names[K_N] = {
	"crimg_host",
	"source",
	"arch",
	"kernel",
	"criu_version",
	"root",
	"pid_max",
	"nr_open",
	"fd_limit",
	"sid",
	"pgid",
	"privileged",
	"rseq",
	"timens",
	"lsm",
	"cgroup_version",
	"cpu_flags",
	"xfeatures",
	"xsave_size",
	"seccomp",
	"iptables_restore",
	"libnftables",
	"vdso_size",
	"vvar_size",
	"hwcap",
	"hwcap2",
	"page_size",
	"pids",
	"ports",
	"addrs",
	"filesystems",
	"plugins",
	"cgroups",
	"files",
	"lsm_profiles",
	"bind_sources",
	"cgroup_controllers",
};

static int scalar_member(struct rd *r, int k, const struct jnode *v)
{
	struct crimg_host *h = r->h;
	int64_t x;
	int g;
	switch (k) {
	case K_VERSION:
		if (v->t != J_NUM || get_int(r, v, "crimg_host", INT64_MIN, INT64_MAX, &x))
			return fail_at(r, v, "\"crimg_host\" must be the version number 1");
		if (x != 1)
			return fail_at(r, v,
				       "host description version %lld; this crimg reads version 1",
				       (long long)x);
		return 0;
	case K_SOURCE:
		return get_str(r, v, "source", 64, &h->source);
	case K_ARCH:
		return get_str(r, v, "arch", 64, &h->arch);
	case K_KERNEL:
		return get_str(r, v, "kernel", 256, &h->kernel);
	case K_CRIU:
		return get_str(r, v, "criu_version", 256, &h->criu_version);
	case K_ROOT:
		return get_str(r, v, "root", MAX_STR, &h->root);
	case K_LSM:
		return get_str(r, v, "lsm", 64, &h->lsm);
	case K_FLAGS:
		return get_str(r, v, "cpu_flags", MAX_FLAGS, &h->cpu_flags);
	case K_PID_MAX:
		return get_int(r, v, "pid_max", 1, INT32_MAX, &h->pid_max) < 0 ? -1 : 0;
	case K_NR_OPEN:
		return get_int(r, v, "nr_open", 0, INT32_MAX, &h->nr_open) < 0 ? -1 : 0;
	case K_FD_LIMIT:
		return get_int(r, v, "fd_limit", 0, INT32_MAX, &h->fd_limit) < 0 ? -1 : 0;
	case K_SID:
		return get_int(r, v, "sid", 0, INT32_MAX, &h->sid) < 0 ? -1 : 0;
	case K_PGID:
		return get_int(r, v, "pgid", 0, INT32_MAX, &h->pgid) < 0 ? -1 : 0;
	case K_PRIV:
		return get_tri(r, v, "privileged", &h->privileged);
	case K_RSEQ:
		return get_tri(r, v, "rseq", &h->has_rseq);
	case K_TIMENS:
		return get_tri(r, v, "timens", &h->has_timens);
	case K_CGV:
		if ((g = get_int(r, v, "cgroup_version", 1, 2, &x)) < 0)
			return -1;
		if (g == 0)
			h->cgroup_version = (int)x;
		return 0;
	case K_XFEAT:
		return get_xfeatures(r, v);
	case K_XSIZE:
		if ((g = get_int(r, v, "xsave_size", 1, UINT32_MAX, &x)) < 0)
			return -1;
		if (g == 0)
			h->xsave_size = (uint32_t)x;
		return 0;
	case K_SECCOMP:
		if ((g = get_int(r, v, "seccomp", 0, 2, &x)) < 0)
			return -1;
		h->seccomp = g == 0 ? (int)x : -1;
		return 0;
	case K_IPTR:
		return get_tri(r, v, "iptables_restore", &h->iptables_restore);
	case K_NFTLIB:
		return get_tri(r, v, "libnftables", &h->libnftables);
	case K_VDSO:
		return get_int(r, v, "vdso_size", 0, INT32_MAX, &h->vdso_size) < 0 ? -1 : 0;
	case K_VVAR:
		return get_int(r, v, "vvar_size", 0, INT32_MAX, &h->vvar_size) < 0 ? -1 : 0;
	case K_HWCAP:
		return get_hwcap(r, v, "hwcap", &h->hwcap);
	case K_HWCAP2:
		return get_hwcap(r, v, "hwcap2", &h->hwcap2);
	case K_PAGE_SIZE:
		/* a power of two from 4 KiB to 1 MiB: what kernels use */
		if ((g = get_int(r, v, "page_size", 4096, 1 << 20, &x)) < 0)
			return -1;
		if (g == 0 && (x & (x - 1)))
			return fail_at(r, v, "\"page_size\" must be a power of two");
		if (g == 0)
			h->page_size = (uint32_t)x;
		return 0;
	}
	return -1;
}

static int array_item(struct rd *r, int k, const struct jnode *v)
{
	struct crimg_host *h = r->h;
	switch (k) {
	case K_PIDS:
		return item_pid(r, v);
	case K_PORTS:
		return item_port(r, v);
	case K_ADDRS:
		return item_addr(r, v);
	case K_FS:
		return item_name(r, v, "filesystems", &h->filesystems, &h->n_filesystems);
	case K_PLUGINS:
		return item_name(r, v, "plugins", &h->plugins, &h->n_plugins);
	case K_CGROUPS:
		return item_name(r, v, "cgroups", &h->cgroups, &h->n_cgroups);
	case K_FILES:
		return item_file(r, v);
	case K_LSMP:
		return item_name(r, v, "lsm_profiles", &h->lsm_profiles, &h->n_lsm_profiles);
	case K_BINDS:
		return item_bind(r, v);
	case K_CGCTL:
		return item_name(r, v, "cgroup_controllers", &h->cgroup_controllers,
				 &h->n_cgroup_controllers);
	}
	return -1;
}

static void array_known(struct crimg_host *h, int k)
{
	if (k == K_PIDS)
		h->pids_known = 1;
	else if (k == K_PORTS)
		h->ports_known = 1;
	else if (k == K_ADDRS)
		h->addrs_known = 1;
	else if (k == K_PLUGINS)
		h->plugins_known = 1;
	else if (k == K_CGROUPS)
		h->cgroups_known = 1;
	else if (k == K_FILES)
		h->files_known = 1;
	else if (k == K_LSMP)
		h->lsm_profiles_known = 1;
	else if (k == K_BINDS)
		h->bind_sources_known = 1;
	else if (k == K_CGCTL)
		h->cgroup_controllers_known = 1;
}

static int array_member(struct rd *r, int k, const struct jnode *key)
{
	static const size_t max[K_N] = {
		[K_PIDS] = MAX_PIDS,   [K_PORTS] = MAX_PORTS,   [K_ADDRS] = MAX_ADDRS,
		[K_FS] = MAX_NAMES,    [K_PLUGINS] = MAX_NAMES, [K_CGROUPS] = MAX_NAMES,
		[K_FILES] = MAX_FILES, [K_LSMP] = MAX_NAMES,    [K_BINDS] = MAX_FILES,
		[K_CGCTL] = MAX_NAMES,
	};
	struct jparser *p = &r->p;
	int c = jp_peek(p);
	if (c == -2)
		return -1;
	if (c != '[') {
		const struct jnode *v = jp_value(p);
		if (!v)
			return -1;
		if (v->t != J_NULL)
			return fail_at(r, v, "\"%s\" must be an array or null", key_names[k]);
		return 0;
	}
	jp_expect(p, '[', "'['");
	if (jp_open(p) < 0)
		return -1;
	r->cap = 0;
	array_known(r->h, k);
	size_t n = 0;
	if (jp_peek(p) == ']') {
		jp_expect(p, ']', "']'");
		jp_close(p);
		return 0;
	}
	for (;;) {
		crimg_arena_reset(&r->a);
		const struct jnode *v = jp_value(p);
		if (!v)
			return -1;
		if (++n > max[k])
			return fail_at(r, v, "\"%s\" has more than the %zu items a host can have",
				       key_names[k], max[k]);
		if (array_item(r, k, v))
			return -1;
		c = jp_peek(p);
		if (c == ',') {
			jp_expect(p, ',', "','");
			continue;
		}
		if (jp_expect(p, ']', "',' or ']'") < 0)
			return -1;
		break;
	}
	jp_close(p);
	return 0;
}

static int read_object(struct rd *r)
{
	struct jparser *p = &r->p;
	struct crimg_host *h = r->h;
	int c = jp_peek(p);
	if (c == -2)
		return -1;
	if (c != '{')
		return jp_fail(p, "a host description is a JSON object");
	jp_expect(p, '{', "'{'");
	if (jp_open(p) < 0)
		return -1;
	int seen[K_N] = { 0 };
	struct jnode key, where = { .line = 1, .col = 1 };
	jp_pos(p, &where.line, &where.col);
	if (jp_peek(p) != '}') {
		for (;;) {
			crimg_arena_reset(&r->a);
			if (jp_key(p, &key) < 0)
				return -1;
			int k = 0;
			while (k < K_N &&
			       (strlen(key_names[k]) != key.len ||
				memcmp(key_names[k], key.s, key.len)))
				k++;
			if (k == K_N) {
				char kn[64];
				size_t kl = key.len < sizeof(kn) - 1 ? key.len : sizeof(kn) - 1;
				for (size_t i = 0; i < kl; i++)
					kn[i] = key.s[i] >= 0x20 && key.s[i] < 0x7f ? key.s[i]
										    : '?';
				kn[kl] = '\0';
				return fail_at(r, &key, "unknown member \"%s\"", kn);
			}
			if (seen[k]++)
				return fail_at(r, &key, "\"%s\" appears twice", key_names[k]);
			if (k >= K_PIDS) {
				if (array_member(r, k, &key))
					return -1;
			} else {
				const struct jnode *v = jp_value(p);
				if (!v || scalar_member(r, k, v))
					return -1;
			}
			c = jp_peek(p);
			if (c == ',') {
				jp_expect(p, ',', "','");
				continue;
			}
			break;
		}
	}
	if (jp_expect(p, '}', "',' or '}'") < 0)
		return -1;
	jp_close(p);
	if (!seen[K_VERSION])
		return fail_at(r, &where, "not a host description: no \"crimg_host\" member");
	if (jp_peek(p) != -1)
		return jp_fail(p, "text after the description's object");
	/* what the form allows to be left empty */
	if (!h->source[0] && set_str_(&h->source, "json"))
		return oom(r, &where);
	if (!h->root[0] && set_str_(&h->root, "/"))
		return oom(r, &where);
	if (h->n_pids) {
		qsort(h->pids, h->n_pids, sizeof(*h->pids), cmp_u32);
		size_t w = 1;
		for (size_t i = 1; i < h->n_pids; i++)
			if (h->pids[w - 1] != h->pids[i])
				h->pids[w++] = h->pids[i];
		h->n_pids = w;
	}
	return 0;
}

#define JSON_NAME "host description"

struct crimg_host *crimg_host_from_json(const char *text, size_t len, struct crimg_error *err)
{
	crimg_error_clear(err);
	if (len > crimg_default_limits.max_json) {
		crimg_fail(err, JSON_NAME, -1, -1,
			   "%zu bytes, more than the %llu read whole" CRIMG_LIMIT_HINT("json"), len,
			   (unsigned long long)crimg_default_limits.max_json);
		return NULL;
	}
	struct rd r;
	memset(&r, 0, sizeof(r));
	crimg_arena_init(&r.a);
	jp_init(&r.p, -1, JSON_NAME, &r.a, 64, err);
	crimg_input_init_mem(&r.p.in, text ? text : "", text ? len : 0, JSON_NAME);
	r.h = host_new("json");
	int ok = 0;
	if (!r.h)
		crimg_fail(err, JSON_NAME, -1, -1, "out of memory");
	else
		ok = read_object(&r) == 0;
	jp_release(&r.p);
	crimg_arena_free(&r.a);
	if (!ok) {
		crimg_host_free(r.h);
		return NULL;
	}
	return r.h;
}
