/*
 * What a checkpoint image says about the checkpoint in its annotations,
 * and which engine reads which key:
 *
 *   Podman   io.podman.annotations.checkpoint.*   (manifest; libimage's
 *            inspect reads the manifest's annotations; .name marks the
 *            image as a checkpoint for `podman container restore`)
 *   CRI-O    io.kubernetes.cri-o.annotations.checkpoint.*  (manifest; its
 *            image status carries the manifest's annotations, .name makes
 *            CreateContainer restore)
 *   containerd and checkpointctl   org.criu.checkpoint.*  (containerd reads
 *            .container.name from the blob its image record points at:
 *            index or manifest, so the set is on both)
 *
 * The values come from the engine's files beside the images: config.dump
 * (the container record: the same keys for the three engines, plus
 * Podman's own), spec.dump (the runtime spec, whose annotations say which
 * engine wrote it and hold CRI-O's and containerd's pod fields) and, for
 * a bare CRIU dump, from the images (the root task's name).  The engine
 * files are the user's data carried in the layer byte for byte: one that
 * is not JSON only leaves its fields out, it stops nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core.pb-c.h"
#include "pstree.pb-c.h"

#include "crimg/model.h"
#include "oci/oci_int.h"

const char *oci_goarch(const char *a)
{
	static const char *const map[][2] = {
		{ "x86_64", "amd64" },        { "aarch64", "arm64" },   { "arm", "arm" },
		{ "ppc64le", "ppc64le" },     { "s390x", "s390x" },     { "mips64", "mips64le" },
		{ "loongarch64", "loong64" }, { "riscv64", "riscv64" },
	};
	for (size_t i = 0; a && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(a, map[i][0]))
			return map[i][1];
	return NULL;
}

/* A dump with no task image (a pre-dump) says nothing of its machine: the
 * one it is converted on is the best guess. */
static const char *host_goarch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__arm__)
	return "arm";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
	return "ppc64le";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#elif defined(__loongarch64)
	return "loong64";
#else
	return "amd64";
#endif
}

void oci_time_str(int64_t sec, char *buf, size_t len)
{
	time_t t = (time_t)sec;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

/* A small file of dir, whole; NULL when absent or not regular, and with
 * *big set when larger than max, *oom when there is no memory for it. */
static char *read_small(int dir, const char *name, uint64_t max, size_t *len, int *big, int *oom)
{
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	*big = 0;
	*oom = 0;
	if (fd < 0)
		return NULL;
	struct stat st;
	char *buf = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && !(*big = (uint64_t)st.st_size > max) &&
	    !(*oom = !(buf = malloc((size_t)st.st_size + 1)))) {
		size_t got = 0;
		while (got < (size_t)st.st_size) {
			ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		buf[got] = '\0';
		*len = got;
	}
	close(fd);
	return buf;
}

/* An engine file as JSON; NULL when absent or not an object, and -1
 * (err filled) when it is larger than the "json" limit. */
static int load_json(int dir, const char *name, const struct crimg_limits *lim, json_t **out,
		     struct crimg_error *err)
{
	size_t len;
	int big, oom;
	char *s = read_small(dir, name, lim->max_json, &len, &big, &oom);
	*out = NULL;
	if (big)
		return crimg_fail(
			err, name, -1, -1,
			"more than the limit of %llu bytes for a JSON file read whole" CRIMG_LIMIT_HINT(
				"json"),
			(unsigned long long)lim->max_json);
	if (oom)
		return crimg_fail(err, name, -1, -1, "out of memory");
	if (!s)
		return 0;
	json_error_t je;
	json_t *v = json_loadb(s, len, 0, &je);
	free(s);
	if (!v && json_error_code(&je) == json_error_out_of_memory) /* not "damaged" */
		return crimg_fail(err, name, -1, -1, "out of memory");
	if (v && !json_is_object(v)) {
		json_decref(v);
		v = NULL;
	}
	*out = v;
	return 0;
}

/* The first non-empty string among the candidates (m->oom when it cannot
 * be kept). */
static void take(struct oci_meta *m, char **dst, const json_t *v)
{
	const char *s = json_string_value(v);
	if (!*dst && s && *s && !(*dst = strdup(s)))
		m->oom = 1;
}

static int has_key_prefix(const json_t *obj, const char *prefix)
{
	const char *k;
	json_t *v;
	size_t n = strlen(prefix);
	json_object_foreach((json_t *)obj, k, v) if (!strncmp(k, prefix, n)) return 1;
	return 0;
}

static const char *seccomp_goarch(const char *a)
{
	static const char *const map[][2] = {
		{ "SCMP_ARCH_X86_64", "amd64" },
		{ "SCMP_ARCH_AARCH64", "arm64" },
		{ "SCMP_ARCH_ARM", "arm" },
		{ "SCMP_ARCH_PPC64LE", "ppc64le" },
		{ "SCMP_ARCH_S390X", "s390x" },
		{ "SCMP_ARCH_RISCV64", "riscv64" },
		{ "SCMP_ARCH_LOONGARCH64", "loong64" },
		{ "SCMP_ARCH_MIPSEL64", "mips64le" },
	};
	for (size_t i = 0; a && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(a, map[i][0]))
			return map[i][1];
	return NULL;
}

/* Seconds of an RFC 3339 time as Go writes it ("2024-05-06T07:08:09.123Z",
 * "...+02:00"); -1 for anything else, and for Go's zero time. */
static int64_t parse_rfc3339(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!p || tm.tm_year + 1900 < 1970)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	int64_t off = 0;
	if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 && p[3] == ':') {
		int h = (p[1] - '0') * 10 + (p[2] - '0'), mi = (p[4] - '0') * 10 + (p[5] - '0');
		off = (p[0] == '+' ? 1 : -1) * (int64_t)(h * 3600 + mi * 60);
	} else if (strcmp(p, "Z") != 0) {
		return -1;
	}
	time_t t = timegm(&tm);
	return t == (time_t)-1 ? -1 : (int64_t)t - off;
}

static int engine_files(int tree, struct oci_meta *m, const struct crimg_limits *lim,
			struct crimg_error *err)
{
	json_t *cfg, *spec;
	if (load_json(tree, "config.dump", lim, &cfg, err) < 0)
		return -1;
	if (load_json(tree, "spec.dump", lim, &spec, err) < 0) {
		json_decref(cfg);
		return -1;
	}
	const json_t *ann = json_object_get(spec, "annotations");
	if (!json_is_object(ann)) /* Podman keeps the spec in its record too */
		ann = json_object_get(json_object_get(cfg, "spec"), "annotations");
	if (!json_is_object(ann))
		ann = NULL;
	const char *mgr = json_string_value(json_object_get(ann, "io.container.manager"));
	struct stat st;

	/* Podman's spec carries a few io.kubernetes.cri-o.* keys too: the
	 * manager annotation decides first */
	if (mgr && !strcmp(mgr, "libpod"))
		m->engine = "podman";
	else if ((mgr && !strcmp(mgr, "cri-o")) ||
		 json_object_get(ann, "io.kubernetes.cri-o.ContainerName") ||
		 json_object_get(ann, "io.kubernetes.cri-o.SandboxID"))
		m->engine = "cri-o";
	else if ((ann && has_key_prefix(ann, "io.kubernetes.cri.")) ||
		 fstatat(tree, "status.dump", &st, AT_SYMLINK_NOFOLLOW) == 0)
		m->engine = "containerd";
	else if (json_object_get(cfg, "lockID") || json_object_get(cfg, "CreateCommand"))
		m->engine = "podman"; /* keys only libpod's container record has */

	/* the container record: the same keys for the three engines */
	take(m, &m->name, json_object_get(cfg, "name"));
	take(m, &m->id, json_object_get(cfg, "id"));
	take(m, &m->image_name, json_object_get(cfg, "rootfsImageName"));
	take(m, &m->image_id, json_object_get(cfg, "rootfsImageID"));
	take(m, &m->image_id, json_object_get(cfg, "rootfsImageRef"));
	take(m, &m->image_raw, json_object_get(cfg, "RawImageName"));
	take(m, &m->image_raw, json_object_get(cfg, "rootfsImage"));
	take(m, &m->runtime, json_object_get(cfg, "runtime"));
	take(m, &m->pod_id, json_object_get(cfg, "pod"));
	int64_t ck = parse_rfc3339(json_string_value(json_object_get(cfg, "checkpointedTime")));
	if (ck > 0)
		m->checkpointed = ck;
	/* Kubernetes engines name the pod in the spec's annotations */
	take(m, &m->name, json_object_get(ann, "io.kubernetes.cri-o.ContainerName"));
	take(m, &m->name, json_object_get(ann, "io.kubernetes.cri.container-name"));
	take(m, &m->id, json_object_get(ann, "io.kubernetes.cri-o.ContainerID"));
	take(m, &m->image_name, json_object_get(ann, "io.kubernetes.cri-o.ImageName"));
	take(m, &m->image_name, json_object_get(ann, "io.kubernetes.cri.image-name"));
	take(m, &m->pod, json_object_get(ann, "io.kubernetes.pod.name"));
	take(m, &m->pod, json_object_get(ann, "io.kubernetes.cri.sandbox-name"));
	take(m, &m->pod_ns, json_object_get(ann, "io.kubernetes.pod.namespace"));
	take(m, &m->pod_ns, json_object_get(ann, "io.kubernetes.cri.sandbox-namespace"));
	take(m, &m->pod_id, json_object_get(ann, "io.kubernetes.cri-o.SandboxID"));
	take(m, &m->pod_id, json_object_get(ann, "io.kubernetes.cri.sandbox-id"));
	/* the machine, should no core image say: the spec's seccomp filter
	 * lists the native architecture first */
	const json_t *sa = json_object_get(json_object_get(json_object_get(spec, "linux"),
							   "seccomp"),
					   "architectures");
	m->goarch = seccomp_goarch(json_string_value(json_array_get(sa, 0)));
	json_decref(cfg);
	json_decref(spec);
	return 0;
}

/* A copy fit for JSON text: bytes that are not UTF-8 (a task's name is
 * whatever the process set) become '?'. */
static char *utf8_dup(const char *s)
{
	char *d = strdup(s);
	size_t n = d ? strlen(d) : 0;
	for (size_t i = 0; i < n;) {
		size_t k = crimg_utf8_char(d + i, n - i, NULL);
		if (k == 0) {
			d[i++] = '?';
			continue;
		}
		i += k;
	}
	return d;
}

/* The first entry of an image of dir, unpacked; reader kept open in *r
 * (the entry lives until it is closed).  NULL when absent or damaged. */
static const ProtobufCMessage *first_entry(int dir, const char *name,
					   const struct crimg_limits *lim, int *fd,
					   struct crimg_reader **r)
{
	*fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	*r = NULL;
	if (*fd < 0)
		return NULL;
	struct crimg_error e;
	struct crimg_entry en;
	*r = crimg_reader_open(*fd, name, lim, &e);
	if (*r && crimg_reader_next(*r, &en, &e) == 1)
		return en.msg;
	return NULL;
}

static void drop_entry(int fd, struct crimg_reader *r)
{
	crimg_reader_close(r);
	if (fd >= 0)
		close(fd);
}

/* The images: the machine (any task's core image says) and, for dumps
 * with no engine files, the root task's name. */
static void images(int imgdir, struct oci_meta *m, const struct crimg_limits *lim)
{
	int fd;
	struct crimg_reader *r;
	const ProtobufCMessage *msg = first_entry(imgdir, "pstree.img", lim, &fd, &r);
	uint32_t pid = 0;
	if (msg && msg->descriptor == &pstree_entry__descriptor)
		pid = ((const PstreeEntry *)msg)->pid;
	drop_entry(fd, r);
	if (!pid)
		return;
	char name[32];
	snprintf(name, sizeof(name), "core-%u.img", pid);
	msg = first_entry(imgdir, name, lim, &fd, &r);
	if (msg && msg->descriptor == &core_entry__descriptor) {
		const CoreEntry *ce = (const CoreEntry *)msg;
		const char *a = oci_goarch(crimg_arch_name(ce->mtype));
		if (a)
			m->goarch = a; /* the images have the last word */
		if (!m->name && ce->tc && ce->tc->comm && *ce->tc->comm &&
		    !(m->name = utf8_dup(ce->tc->comm)))
			m->oom = 1;
	}
	drop_entry(fd, r);
}

static int add(struct oci_meta *m, const char *key, const char *value)
{
	if (!value || !*value)
		return 0;
	struct oci_kv *n = realloc(m->ann, (m->n_ann + 1) * sizeof(*n));
	if (!n)
		return -1;
	m->ann = n;
	n[m->n_ann].key = strdup(key);
	n[m->n_ann].value = utf8_dup(value);
	if (!n[m->n_ann].key || !n[m->n_ann].value) {
		free(n[m->n_ann].key);
		free(n[m->n_ann].value);
		return -1;
	}
	m->n_ann++;
	return 0;
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct oci_kv *)a)->key, ((const struct oci_kv *)b)->key);
}

static int annotations(struct oci_meta *m)
{
	static const char *const engines[] = {
		"io.podman.annotations.checkpoint.",
		"io.kubernetes.cri-o.annotations.checkpoint.",
	};
	int rc = 0;
	for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++) {
		char k[128];
#define ADD(suffix, v) (snprintf(k, sizeof(k), "%s%s", engines[i], suffix), rc |= add(m, k, v))
		ADD("name", m->name);
		ADD("rawImageName", m->image_raw);
		ADD("rootfsImageID", m->image_id);
		ADD("rootfsImageName", m->image_name);
		if (i == 0) { /* only Podman defines these two */
			ADD("runtime.name", m->runtime);
			ADD("host.arch", m->goarch);
		}
#undef ADD
	}
	rc |= add(m, "org.criu.checkpoint.container.name", m->name);
	rc |= add(m, "org.criu.checkpoint.engine.name", m->engine);
	rc |= add(m, "org.criu.checkpoint.pod.name", m->pod);
	rc |= add(m, "org.criu.checkpoint.pod.id", m->pod_id);
	rc |= add(m, "org.criu.checkpoint.pod.namespace", m->pod_ns);
	rc |= add(m, "org.criu.checkpoint.rootfsImageName", m->image_name);
	rc |= add(m, "org.criu.checkpoint.rootfsImageID", m->image_id);
	rc |= add(m, "org.criu.checkpoint.rootfsImageUserRequested", m->image_raw);
	rc |= add(m, "org.criu.checkpoint.rawImageName", m->image_raw);
	rc |= add(m, "org.criu.checkpoint.runtime.name", m->runtime);
	rc |= add(m, "org.criu.checkpoint.host.arch", m->goarch);
	if (m->n_ann)
		qsort(m->ann, m->n_ann, sizeof(*m->ann), cmp_kv);
	return rc;
}

int oci_meta_read(const char *tree, const struct crimg_limits *lim, struct oci_meta *m,
		  struct crimg_error *err)
{
	memset(m, 0, sizeof(*m));
	if (!lim)
		lim = &crimg_default_limits;
	int dir = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return crimg_fail(err, tree, -1, -1, "%s", strerror(errno));
	struct stat st;
	int imgdir = -1;
	if (fstatat(dir, "checkpoint", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
		if (engine_files(dir, m, lim, err) < 0) {
			close(dir);
			oci_meta_free(m);
			return -1;
		}
		imgdir = openat(dir, "checkpoint", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else if (fstatat(dir, "inventory.img", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		m->bare = 1;
		imgdir = dup(dir);
	} else {
		close(dir);
		return crimg_fail(err, tree, -1, -1,
				  "not a checkpoint: no inventory.img and no checkpoint/ directory");
	}
	if (imgdir >= 0) {
		images(imgdir, m, lim);
		/* CRIU writes stats-dump as the dump's last act */
		if (!m->checkpointed &&
		    (fstatat(imgdir, "stats-dump", &st, AT_SYMLINK_NOFOLLOW) == 0 ||
		     fstatat(imgdir, "inventory.img", &st, AT_SYMLINK_NOFOLLOW) == 0))
			m->checkpointed = st.st_mtim.tv_sec > 0 ? (int64_t)st.st_mtim.tv_sec : 0;
		close(imgdir);
	}
	close(dir);
	if (!m->goarch)
		m->goarch = host_goarch();
	if (!m->name)
		m->name = strdup("checkpoint");
	if (!m->name || m->oom || annotations(m) < 0) {
		oci_meta_free(m);
		return crimg_fail(err, tree, -1, -1, "out of memory");
	}
	return 0;
}

void oci_meta_free(struct oci_meta *m)
{
	free(m->name);
	free(m->id);
	free(m->pod);
	free(m->pod_id);
	free(m->pod_ns);
	free(m->image_name);
	free(m->image_id);
	free(m->image_raw);
	free(m->runtime);
	for (size_t i = 0; i < m->n_ann; i++) {
		free(m->ann[i].key);
		free(m->ann[i].value);
	}
	free(m->ann);
	memset(m, 0, sizeof(*m));
}
