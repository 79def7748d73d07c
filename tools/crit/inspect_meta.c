/*
 * crit inspect: what the container engine wrote beside the images.
 *
 * Podman, CRI-O and containerd each leave config.dump (their container
 * record) and spec.dump (the OCI runtime spec); Podman adds
 * network.status, containerd a "status" file.  Which engine wrote them is
 * read from the spec's annotations (io.container.manager, the
 * io.kubernetes.cri-o.* and io.kubernetes.cri.* keys) and, failing that,
 * from keys only Podman's record has.
 *
 * The files are untrusted: a member of the wrong type, a missing key or
 * text that is not JSON at all is noted as a problem, and the rest is
 * shown.  Nothing here fails.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inspect.h"
#include "util.h"

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die("out of memory");
	return q;
}

static char *xstrdup(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		die("out of memory");
	return d;
}

void insp_problem(struct insp_meta *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	m->problems = xrealloc(m->problems, (m->n_problems + 1) * sizeof(*m->problems));
	m->problems[m->n_problems++] = s;
}

static const char *type_words(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* One engine file, parsed; NULL (and a problem noted) when it is not JSON
 * or not of the expected top-level type.  null is fine: "nothing". */
static json_t *load(struct crimg_ckpt *c, struct insp_meta *m, const char *name, int want)
{
	size_t len;
	/* read whole and parsed: the "json" limit first */
	int64_t size = crimg_ckpt_meta_size(c, name);
	uint64_t max = tool_limits()->max_json;
	if (size > 0 && (uint64_t)size > max) {
		insp_problem(
			m,
			"%s: %lld bytes, more than the limit of %llu for a JSON file read whole" CRIMG_LIMIT_HINT(
				"json"),
			name, (long long)size, (unsigned long long)max);
		return NULL;
	}
	const uint8_t *d = crimg_ckpt_meta(c, name, &len);
	if (!d)
		return NULL;
	json_error_t je;
	json_t *v = json_loadb((const char *)d, len, JSON_DECODE_ANY, &je);
	if (!v) {
		insp_problem(m, "%s: line %d column %d: %s", name, je.line, je.column, je.text);
		return NULL;
	}
	if (json_is_null(v)) {
		json_decref(v);
		return NULL;
	}
	if (want >= 0 && json_typeof(v) != (json_type)want) {
		insp_problem(m, "%s: is %s, not %s", name, type_words(v),
			     want == JSON_OBJECT ? "an object" : "an array");
		json_decref(v);
		return NULL;
	}
	return v;
}

/* Where a member is, the way jq names it: .spec.mounts[2].type,
 * .annotations["io.container.manager"]. */
static const char *path_of(char *buf, size_t len, const char *at, const char *key)
{
	int plain = *key != '\0';
	for (const char *k = key; *k && plain; k++)
		plain = (*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
			(*k >= '0' && *k <= '9') || *k == '_';
	snprintf(buf, len, plain ? "%s.%s" : "%s[\"%s\"]", at, key);
	return buf;
}

/* A member of the wanted type; NULL when absent or null, and a problem
 * when it is something else. */
static const json_t *member(struct insp_meta *m, const char *file, const char *at,
			    const json_t *obj, const char *key, json_type want)
{
	const json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return NULL;
	if (json_typeof(v) != want) {
		static const char *const words[] = {
			[JSON_OBJECT] = "an object",
			[JSON_ARRAY] = "an array",
			[JSON_STRING] = "a string",
		};
		char p[512];
		insp_problem(m, "%s: %s is %s, not %s", file, path_of(p, sizeof(p), at, key),
			     type_words(v), words[want]);
		return NULL;
	}
	return v;
}

static const char *str_of(struct insp_meta *m, const char *file, const char *at, const json_t *obj,
			  const char *key)
{
	return json_string_value(member(m, file, at, obj, key, JSON_STRING));
}

static const json_t *obj_of(struct insp_meta *m, const char *file, const char *at,
			    const json_t *obj, const char *key)
{
	return member(m, file, at, obj, key, JSON_OBJECT);
}

static const json_t *arr_of(struct insp_meta *m, const char *file, const char *at,
			    const json_t *obj, const char *key)
{
	return member(m, file, at, obj, key, JSON_ARRAY);
}

/* The first of several candidates that is there. */
static void take(char **dst, const char *v)
{
	if (!*dst && v && *v)
		*dst = xstrdup(v);
}

static int has_prefix_key(const json_t *ann, const char *prefix)
{
	const char *k;
	const json_t *v;
	size_t n = strlen(prefix);
	json_object_foreach((json_t *)ann, k, v) if (strncmp(k, prefix, n) == 0) return 1;
	return 0;
}

static void rfc3339(int64_t sec, char *buf, size_t len)
{
	time_t t = (time_t)sec;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "@%lld", (long long)sec);
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct insp_kv *)a)->key, ((const struct insp_kv *)b)->key);
}

static void annotations(struct insp_meta *m, const char *file, const char *at, const json_t *ann)
{
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)ann, k, v)
	{
		if (!json_is_string(v)) {
			char p[512];
			insp_problem(m, "%s: %s is %s, not a string", file,
				     path_of(p, sizeof(p), at, k), type_words(v));
			continue;
		}
		m->annotations = xrealloc(m->annotations,
					  (m->n_annotations + 1) * sizeof(*m->annotations));
		m->annotations[m->n_annotations].key = xstrdup(k);
		m->annotations[m->n_annotations].value = xstrdup(json_string_value(v));
		m->n_annotations++;
	}
	if (m->n_annotations)
		qsort(m->annotations, m->n_annotations, sizeof(*m->annotations), cmp_kv);
}

static void mounts(struct insp_meta *m, const char *file, const char *at, const json_t *arr)
{
	m->has_spec_mounts = 1;
	size_t i;
	const json_t *e;
	json_array_foreach((json_t *)arr, i, e)
	{
		char p[512];
		snprintf(p, sizeof(p), "%s[%zu]", at, i);
		if (!json_is_object(e)) {
			insp_problem(m, "%s: %s is %s, not an object", file, p, type_words(e));
			continue;
		}
		struct insp_mount mt = { 0 };
		mt.dest = xstrdup(str_of(m, file, p, e, "destination"));
		mt.type = xstrdup(str_of(m, file, p, e, "type"));
		mt.source = xstrdup(str_of(m, file, p, e, "source"));
		const json_t *opts = arr_of(m, file, p, e, "options");
		size_t k;
		const json_t *o;
		json_array_foreach((json_t *)opts, k, o)
		{
			const char *s = json_string_value(o);
			if (!s)
				continue;
			size_t have = mt.options ? strlen(mt.options) : 0;
			mt.options = xrealloc(mt.options, have + strlen(s) + 2);
			if (have)
				mt.options[have++] = ',';
			strcpy(mt.options + have, s);
		}
		m->mounts = xrealloc(m->mounts, (m->n_mounts + 1) * sizeof(*m->mounts));
		m->mounts[m->n_mounts++] = mt;
	}
}

static struct insp_net *add_net(struct insp_meta *m)
{
	m->nets = xrealloc(m->nets, (m->n_nets + 1) * sizeof(*m->nets));
	struct insp_net *n = &m->nets[m->n_nets++];
	memset(n, 0, sizeof(*n));
	return n;
}

static void add_ip(struct insp_net *n, const char *ip)
{
	if (!ip || !*ip)
		return;
	n->ips = xrealloc(n->ips, (n->n_ips + 1) * sizeof(*n->ips));
	n->ips[n->n_ips++] = xstrdup(ip);
}

/*
 * network.status: Podman 4 and later write {NETWORK: {"interfaces": {IF:
 * {"subnets": [{"ipnet", "gateway"}], "mac_address"}}}}; Podman 3 wrote
 * the CNI results, [{"interfaces": [{"name", "mac"}], "ips": [{"address",
 * "gateway", "interface"}]}].  null: no network.
 */
static void networks(struct crimg_ckpt *c, struct insp_meta *m)
{
	const char *file = "network.status";
	json_t *st = load(c, m, file, -1);
	if (!st)
		return;
	if (json_is_object(st)) {
		const char *netname;
		const json_t *net;
		json_object_foreach(st, netname, net)
		{
			char at[512], ifat[1024], sat[1100];
			path_of(at, sizeof(at), "", netname);
			const json_t *ifs = json_is_object(net)
				? obj_of(m, file, at, net, "interfaces")
				: NULL;
			const char *ifname;
			const json_t *ifc;
			json_object_foreach((json_t *)ifs, ifname, ifc)
			{
				if (!json_is_object(ifc))
					continue;
				snprintf(sat, sizeof(sat), "%s.interfaces", at);
				path_of(ifat, sizeof(ifat), sat, ifname);
				struct insp_net *n = add_net(m);
				n->network = xstrdup(netname);
				n->iface = xstrdup(ifname);
				n->mac = xstrdup(str_of(m, file, ifat, ifc, "mac_address"));
				size_t i;
				const json_t *sub;
				json_array_foreach((json_t *)arr_of(m, file, ifat, ifc, "subnets"),
						   i, sub)
				{
					if (!json_is_object(sub))
						continue;
					snprintf(sat, sizeof(sat), "%s.subnets[%zu]", ifat, i);
					add_ip(n, str_of(m, file, sat, sub, "ipnet"));
					take(&n->gateway, str_of(m, file, sat, sub, "gateway"));
				}
			}
		}
	} else if (json_is_array(st)) {
		size_t r;
		const json_t *res;
		json_array_foreach(st, r, res)
		{
			if (!json_is_object(res))
				continue;
			char at[64], ipat[128];
			snprintf(at, sizeof(at), "[%zu]", r);
			const json_t *ifs = arr_of(m, file, at, res, "interfaces");
			size_t i;
			const json_t *ip;
			json_array_foreach((json_t *)arr_of(m, file, at, res, "ips"), i, ip)
			{
				if (!json_is_object(ip))
					continue;
				snprintf(ipat, sizeof(ipat), "%s.ips[%zu]", at, i);
				struct insp_net *n = add_net(m);
				add_ip(n, str_of(m, file, ipat, ip, "address"));
				n->gateway = xstrdup(str_of(m, file, ipat, ip, "gateway"));
				const json_t *ix = json_object_get(ip, "interface");
				const json_t *ifc = json_is_integer(ix)
					? json_array_get(ifs, (size_t)json_integer_value(ix))
					: NULL;
				if (json_is_object(ifc)) {
					snprintf(ipat, sizeof(ipat),
						 "%s.interfaces[%" JSON_INTEGER_FORMAT "]", at,
						 json_integer_value(ix));
					n->iface = xstrdup(str_of(m, file, ipat, ifc, "name"));
					n->mac = xstrdup(str_of(m, file, ipat, ifc, "mac"));
				}
			}
		}
	} else {
		insp_problem(m, "%s: is %s, not an object or an array", file, type_words(st));
	}
	json_decref(st);
}

/* CRI-O keeps the container's addresses in io.kubernetes.cri-o.IP.N. */
static void crio_ips(struct insp_meta *m)
{
	struct insp_net *n = NULL;
	for (size_t i = 0; i < m->n_annotations; i++) {
		if (strncmp(m->annotations[i].key, "io.kubernetes.cri-o.IP.", 23))
			continue;
		if (!n)
			n = add_net(m);
		add_ip(n, m->annotations[i].value);
	}
}

static const char *ann_get(const struct insp_meta *m, const char *key)
{
	for (size_t i = 0; i < m->n_annotations; i++)
		if (!strcmp(m->annotations[i].key, key))
			return m->annotations[i].value;
	return NULL;
}

/* CRI-O's io.kubernetes.cri-o.Metadata is JSON in a string: {"name": ...}. */
static void crio_name(struct insp_meta *m)
{
	const char *md = ann_get(m, "io.kubernetes.cri-o.Metadata");
	if (!md)
		return;
	json_error_t je;
	json_t *v = json_loads(md, 0, &je);
	if (!v) {
		insp_problem(m, "spec.dump: annotation io.kubernetes.cri-o.Metadata: column %d: %s",
			     je.column, je.text);
		return;
	}
	take(&m->name,
	     str_of(m, "spec.dump", ".annotations[\"io.kubernetes.cri-o.Metadata\"]", v, "name"));
	json_decref(v);
}

static void engine_files(struct crimg_ckpt *c, struct insp_meta *m)
{
	size_t len;
	int has_cfg = crimg_ckpt_meta(c, "config.dump", &len) != NULL;
	int has_spec = crimg_ckpt_meta(c, "spec.dump", &len) != NULL;
	int has_status = crimg_ckpt_meta(c, "status", &len) != NULL;
	int has_net = crimg_ckpt_meta(c, "network.status", &len) != NULL;
	if (!has_cfg && !has_spec && !has_status && !has_net)
		return; /* a plain CRIU checkpoint */
	if (!has_cfg)
		insp_problem(m, "config.dump: not in the checkpoint");
	if (!has_spec)
		insp_problem(m, "spec.dump: not in the checkpoint");

	json_t *cfg = load(c, m, "config.dump", JSON_OBJECT);
	json_t *spec = load(c, m, "spec.dump", JSON_OBJECT);
	const json_t *ann = obj_of(m, "spec.dump", "", spec, "annotations");
	const char *ann_file = "spec.dump", *ann_at = ".annotations";
	/* Podman keeps the spec in its record too */
	const json_t *cspec = obj_of(m, "config.dump", "", cfg, "spec");
	if (!ann && cspec) {
		ann = obj_of(m, "config.dump", ".spec", cspec, "annotations");
		ann_file = "config.dump";
		ann_at = ".spec.annotations";
	}
	if (ann)
		annotations(m, ann_file, ann_at, ann);
	const json_t *mt = arr_of(m, "spec.dump", "", spec, "mounts");
	if (mt)
		mounts(m, "spec.dump", ".mounts", mt);
	else if (cspec && (mt = arr_of(m, "config.dump", ".spec", cspec, "mounts")))
		mounts(m, "config.dump", ".spec.mounts", mt);

	const char *mgr = ann_get(m, "io.container.manager");
	if (mgr && !strcmp(mgr, "libpod"))
		m->engine = "Podman";
	else if ((mgr && !strcmp(mgr, "cri-o")) ||
		 (ann && has_prefix_key(ann, "io.kubernetes.cri-o.")))
		m->engine = "CRI-O";
	else if (has_status || (ann && has_prefix_key(ann, "io.kubernetes.cri.")))
		m->engine = "containerd";
	else if (json_object_get(cfg, "lockID") || json_object_get(cfg, "CreateCommand") ||
		 json_object_get(cfg, "ShmDir"))
		m->engine = "Podman"; /* keys of libpod's container record */
	else
		m->engine = "unknown";

	const char *cf = "config.dump";
	if (!strcmp(m->engine, "CRI-O")) {
		crio_name(m);
		take(&m->name, ann_get(m, "io.kubernetes.cri-o.ContainerName"));
		take(&m->image, ann_get(m, "io.kubernetes.cri-o.ImageName"));
		take(&m->id, ann_get(m, "io.kubernetes.cri-o.ContainerID"));
		take(&m->created, ann_get(m, "io.kubernetes.cri-o.Created"));
		take(&m->pod, ann_get(m, "io.kubernetes.pod.name"));
		take(&m->k8s_namespace, ann_get(m, "io.kubernetes.pod.namespace"));
		crio_ips(m);
	} else if (!strcmp(m->engine, "containerd")) {
		take(&m->name, ann_get(m, "io.kubernetes.cri.container-name"));
		take(&m->image, ann_get(m, "io.kubernetes.cri.image-name"));
		take(&m->pod, ann_get(m, "io.kubernetes.cri.sandbox-name"));
		take(&m->k8s_namespace, ann_get(m, "io.kubernetes.cri.sandbox-namespace"));
	}
	/* the container record: the same keys for the three engines */
	take(&m->name, str_of(m, cf, "", cfg, "name"));
	take(&m->image, str_of(m, cf, "", cfg, "rootfsImageName"));
	take(&m->image, str_of(m, cf, "", cfg, "RawImageName"));
	take(&m->image_id, str_of(m, cf, "", cfg, "rootfsImageID"));
	take(&m->image_id, str_of(m, cf, "", cfg, "rootfsImageRef"));
	take(&m->id, str_of(m, cf, "", cfg, "id"));
	take(&m->runtime, str_of(m, cf, "", cfg, "runtime"));
	take(&m->created, str_of(m, cf, "", cfg, "createdTime"));
	if (!strcmp(m->engine, "Podman"))
		take(&m->pod, str_of(m, cf, "", cfg, "pod"));
	const char *ck = str_of(m, cf, "", cfg, "checkpointedTime");
	if (ck && *ck && strncmp(ck, "0001-01-01", 10) != 0) { /* Go's zero time */
		m->checkpointed = xstrdup(ck);
		m->checkpointed_from = "config.dump";
	}
	if (has_status) { /* containerd: {"CreatedAt": ns since the epoch, ...} */
		json_t *st = load(c, m, "status", JSON_OBJECT);
		const json_t *ca = json_object_get(st, "CreatedAt");
		if (json_is_integer(ca) && json_integer_value(ca) > 0 && !m->created) {
			char b[64];
			rfc3339(json_integer_value(ca) / 1000000000, b, sizeof(b));
			m->created = xstrdup(b);
		}
		json_decref(st);
	}
	if (has_net)
		networks(c, m);
	json_decref(cfg);
	json_decref(spec);
}

void insp_meta_read(struct crimg_ckpt *c, struct insp_meta *m)
{
	memset(m, 0, sizeof(*m));
	engine_files(c, m);
	/* CRIU writes stats-dump as the dump's last act: its time is the
	 * checkpoint's when the engine did not record one (the file's time in
	 * the directory or the archive: a copy that did not keep it has the
	 * copy's) */
	int64_t t;
	if (!m->checkpointed && crimg_ckpt_mtime(c, "stats-dump", &t) == 0 && t > 0) {
		char b[64];
		rfc3339(t, b, sizeof(b));
		m->checkpointed = xstrdup(b);
		m->checkpointed_from = "stats-dump";
	}
}

void insp_meta_free(struct insp_meta *m)
{
	free(m->name);
	free(m->image);
	free(m->image_id);
	free(m->id);
	free(m->runtime);
	free(m->created);
	free(m->pod);
	free(m->k8s_namespace);
	free(m->checkpointed);
	for (size_t i = 0; i < m->n_nets; i++) {
		struct insp_net *n = &m->nets[i];
		free(n->network);
		free(n->iface);
		free(n->mac);
		free(n->gateway);
		for (size_t k = 0; k < n->n_ips; k++)
			free(n->ips[k]);
		free(n->ips);
	}
	free(m->nets);
	for (size_t i = 0; i < m->n_mounts; i++) {
		free(m->mounts[i].dest);
		free(m->mounts[i].type);
		free(m->mounts[i].source);
		free(m->mounts[i].options);
	}
	free(m->mounts);
	for (size_t i = 0; i < m->n_annotations; i++) {
		free(m->annotations[i].key);
		free(m->annotations[i].value);
	}
	free(m->annotations);
	for (size_t i = 0; i < m->n_problems; i++)
		free(m->problems[i]);
	free(m->problems);
	memset(m, 0, sizeof(*m));
}
