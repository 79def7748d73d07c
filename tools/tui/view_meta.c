/*
 * The container's metadata: what the engine (Podman, CRI-O, containerd)
 * recorded beside the images of a container archive (config.dump,
 * spec.dump, network.status, containerd's status), the sizes, and CRIU's
 * dump statistics (stats-dump), which a plain directory has too.  As
 * `crit inspect` finds them (tools/crit/inspect_meta.c), in short: the
 * engine files are untrusted JSON, and what is wrong with them is shown in
 * place.  The lines are made once, when the view opens (a few small
 * files).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tui.h"

struct mline {
	char label[32]; /* "" for a section title or a line of its own */
	int role;       /* of the value (or of the whole line without label) */
	char *value;
};

struct meta_view {
	struct mline *l;
	size_t n, cap;
	int oom;
};

static void line(struct meta_view *mv, int role, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void line(struct meta_view *mv, int role, const char *label, const char *fmt, ...)
{
	if (mv->n == mv->cap) {
		size_t cap = mv->cap ? mv->cap * 2 : 32;
		struct mline *l = realloc(mv->l, cap * sizeof(*l));
		if (!l) {
			mv->oom = 1;
			return;
		}
		mv->l = l;
		mv->cap = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int k = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (k < 0) {
		mv->oom = 1;
		return;
	}
	struct mline *m = &mv->l[mv->n++];
	snprintf(m->label, sizeof(m->label), "%s", label);
	m->role = role;
	m->value = s;
}

/* A string member, or NULL (a problem line when it is not a string). */
static const char *str_of(struct meta_view *mv, const char *file, const json_t *obj,
			  const char *key)
{
	const json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		line(mv, TR_ERROR, "", "%s: %s is not a string", file, key);
		return NULL;
	}
	const char *s = json_string_value(v);
	return *s ? s : NULL;
}

/* Engine file name parsed as an object; NULL when absent, and a line in
 * TR_ERROR when it is not a JSON object or too large. */
static json_t *load(struct tui *t, struct meta_view *mv, const char *name)
{
	size_t len;
	int64_t size = crimg_ckpt_meta_size(t->c, name);
	const struct crimg_limits *lim = t->limits ? t->limits : &crimg_default_limits;
	if (size > 0 && (uint64_t)size > lim->max_json) {
		line(mv, TR_ERROR, "", "%s: %lld bytes, more than the 'json' limit of %llu", name,
		     (long long)size, (unsigned long long)lim->max_json);
		return NULL;
	}
	const uint8_t *d = crimg_ckpt_meta(t->c, name, &len);
	if (!d)
		return NULL;
	json_error_t je;
	json_t *v = json_loadb((const char *)d, len, JSON_DECODE_ANY, &je);
	if (!v) {
		line(mv, TR_ERROR, "", "%s: line %d column %d: %s", name, je.line, je.column,
		     je.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		if (!json_is_null(v))
			line(mv, TR_ERROR, "", "%s: not a JSON object", name);
		json_decref(v);
		return NULL;
	}
	return v;
}

static const char *ann(const json_t *a, const char *key)
{
	return json_string_value(json_object_get(a, key));
}

static int has_prefix_key(const json_t *a, const char *prefix)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)a, k, v)
	{
		if (!strncmp(k, prefix, strlen(prefix)))
			return 1;
	}
	return 0;
}

static void size_line(struct meta_view *mv, const char *label, int64_t n)
{
	if (n < 0)
		return;
	if (n >= 10240)
		line(mv, TR_TEXT, label, "%lld bytes (%.1f KiB)", (long long)n, n / 1024.0);
	else
		line(mv, TR_TEXT, label, "%lld bytes", (long long)n);
}

static void usec_line(struct meta_view *mv, const char *label, uint32_t us)
{
	if (us < 1000)
		line(mv, TR_TEXT, label, "%u µs", us);
	else if (us < 1000000)
		line(mv, TR_TEXT, label, "%.5g ms", us / 1e3);
	else
		line(mv, TR_TEXT, label, "%.5g s", us / 1e6);
}

/* The engine, container, image and times from the engine files. */
static void engine(struct tui *t, struct meta_view *mv)
{
	size_t len;
	int has_cfg = crimg_ckpt_meta(t->c, "config.dump", &len) != NULL;
	int has_spec = crimg_ckpt_meta(t->c, "spec.dump", &len) != NULL;
	int has_status = crimg_ckpt_meta(t->c, "status", &len) != NULL;
	if (!has_cfg && !has_spec && !has_status) {
		line(mv, TR_DIM, "Engine", "no container metadata (a plain CRIU checkpoint)");
		return;
	}
	json_t *cfg = load(t, mv, "config.dump");
	json_t *spec = load(t, mv, "spec.dump");
	const json_t *a = json_object_get(spec, "annotations");
	if (!json_is_object(a))
		a = json_object_get(json_object_get(cfg, "spec"), "annotations");
	if (!json_is_object(a))
		a = NULL;
	const char *mgr = ann(a, "io.container.manager");
	const char *eng = "unknown";
	if (mgr && !strcmp(mgr, "libpod"))
		eng = "Podman";
	else if ((mgr && !strcmp(mgr, "cri-o")) || (a && has_prefix_key(a, "io.kubernetes.cri-o.")))
		eng = "CRI-O";
	else if (has_status || (a && has_prefix_key(a, "io.kubernetes.cri.")))
		eng = "containerd";
	else if (json_object_get(cfg, "lockID") || json_object_get(cfg, "CreateCommand"))
		eng = "Podman";
	line(mv, !strcmp(eng, "unknown") ? TR_WARN : TR_ACCENT, "Engine", "%s", eng);

	/* the engine's own names first, then the container record's */
	const char *name = NULL, *image = NULL, *id = NULL, *created = NULL, *pod = NULL;
	if (!strcmp(eng, "CRI-O")) {
		name = ann(a, "io.kubernetes.cri-o.ContainerName");
		image = ann(a, "io.kubernetes.cri-o.ImageName");
		id = ann(a, "io.kubernetes.cri-o.ContainerID");
		created = ann(a, "io.kubernetes.cri-o.Created");
		pod = ann(a, "io.kubernetes.pod.name");
	} else if (!strcmp(eng, "containerd")) {
		name = ann(a, "io.kubernetes.cri.container-name");
		image = ann(a, "io.kubernetes.cri.image-name");
		pod = ann(a, "io.kubernetes.cri.sandbox-name");
	}
	const char *cf = "config.dump";
	const char *v;
	if (!name)
		name = str_of(mv, cf, cfg, "name");
	if (!image && !(image = str_of(mv, cf, cfg, "rootfsImageName")))
		image = str_of(mv, cf, cfg, "RawImageName");
	const char *image_id = str_of(mv, cf, cfg, "rootfsImageID");
	if (!id)
		id = str_of(mv, cf, cfg, "id");
	if (!created)
		created = str_of(mv, cf, cfg, "createdTime");
	if (!pod && !strcmp(eng, "Podman"))
		pod = str_of(mv, cf, cfg, "pod");
	line(mv, name ? TR_TEXT : TR_DIM, "Container", "%s", name ? name : "-");
	line(mv, id ? TR_ADDR : TR_DIM, "ID", "%s", id ? id : "-");
	line(mv, image ? TR_TEXT : TR_DIM, "Image", "%s", image ? image : "-");
	if (image_id)
		line(mv, TR_ADDR, "Image ID", "%s", image_id);
	if (pod)
		line(mv, TR_TEXT, "Pod", "%s", pod);
	if ((v = str_of(mv, cf, cfg, "runtime")))
		line(mv, TR_TEXT, "Runtime", "%s", v);
	line(mv, created ? TR_TEXT : TR_DIM, "Created", "%s", created ? created : "-");
	v = str_of(mv, cf, cfg, "checkpointedTime");
	if (v && strncmp(v, "0001-01-01", 10)) /* Go's zero time */
		line(mv, TR_TEXT, "Checkpointed", "%s (config.dump)", v);
	json_decref(cfg);
	json_decref(spec);
}

static void rfc3339(int64_t sec, char *buf, size_t len)
{
	time_t tt = (time_t)sec;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "@%lld", (long long)sec);
}

static void build(struct tui *t, struct meta_view *mv)
{
	line(mv, TR_HEADER, "", "Container");
	engine(t, mv);
	int has_ck = 0;
	for (size_t i = 0; i < mv->n; i++)
		has_ck |= !strcmp(mv->l[i].label, "Checkpointed");
	int64_t sec;
	if (!has_ck && crimg_ckpt_mtime(t->c, "stats-dump", &sec) == 0 && sec > 0) {
		char b[64];
		rfc3339(sec, b, sizeof(b));
		line(mv, TR_TEXT, "Checkpointed", "%s (the time of stats-dump)", b);
	}

	line(mv, TR_TEXT, "", "%s", "");
	line(mv, TR_HEADER, "", "Checkpoint");
	line(mv, TR_TEXT, "Format", "%s", crimg_ckpt_format(t->c));
	const char *const *names;
	size_t n = crimg_ckpt_images(t->c, &names);
	int64_t all = 0, pages = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t s = crimg_ckpt_data_size(t->c, names[i]);
		if (s < 0)
			continue;
		all += s;
		if (!strncmp(names[i], "pages-", 6))
			pages += s;
	}
	line(mv, TR_TEXT, "Images", "%zu files", n);
	size_line(mv, "Images size", all);
	size_line(mv, "Memory pages", pages);
	size_line(mv, "Root FS diff", crimg_ckpt_meta_size(t->c, "rootfs-diff.tar"));
	size_line(mv, "/dev/shm", crimg_ckpt_meta_size(t->c, "devshm-checkpoint.tar"));

	line(mv, TR_TEXT, "", "%s", "");
	line(mv, TR_HEADER, "", "CRIU dump statistics (stats-dump)");
	if (!crimg_ckpt_has(t->c, "stats-dump") && crimg_ckpt_meta_size(t->c, "stats-dump") < 0) {
		line(mv, TR_DIM, "", "no stats-dump in this checkpoint");
		return;
	}
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_dump_stats *s = crimg_ckpt_dump_stats(t->c, &err);
	if (!s) {
		char b[400];
		tui_errstr(&err, b, sizeof(b));
		line(mv, TR_ERROR, "", "%s", b);
		return;
	}
	usec_line(mv, "Freezing time", s->freezing_time);
	usec_line(mv, "Frozen time", s->frozen_time);
	usec_line(mv, "Memdump time", s->memdump_time);
	usec_line(mv, "Memwrite time", s->memwrite_time);
	line(mv, TR_TEXT, "Pages scanned", "%llu", (unsigned long long)s->pages_scanned);
	if (s->pages_skipped_parent)
		line(mv, TR_TEXT, "Pages in parent", "%llu",
		     (unsigned long long)s->pages_skipped_parent);
	line(mv, TR_TEXT, "Pages written", "%llu", (unsigned long long)s->pages_written);
	if (s->pages_lazy)
		line(mv, TR_TEXT, "Pages lazy", "%llu", (unsigned long long)s->pages_lazy);
	if (s->has_irmap_resolve)
		usec_line(mv, "Irmap resolve", s->irmap_resolve);
	if (s->has_page_pipes)
		line(mv, TR_TEXT, "Page pipes", "%llu (%llu buffers)",
		     (unsigned long long)s->page_pipes, (unsigned long long)s->page_pipe_bufs);
	if (s->has_shpages)
		line(mv, TR_TEXT, "Shared pages", "%llu scanned, %llu in parent, %llu written",
		     (unsigned long long)s->shpages_scanned,
		     (unsigned long long)s->shpages_skipped_parent,
		     (unsigned long long)s->shpages_written);
}

static size_t meta_count(struct tui *t, struct tui_view *v)
{
	return ((struct meta_view *)v->priv)->n;
}

static void meta_row(struct tui *t, struct tui_view *v, size_t i, struct tui_row *r)
{
	const struct mline *m = &((struct meta_view *)v->priv)->l[i];
	if (m->label[0]) {
		tui_row_add(r, TR_DIM, "  %s", m->label);
		tui_row_pad(r, 18);
	}
	tui_row_addn(r, m->role, m->value, strlen(m->value));
}

static void meta_title(struct tui *t, struct tui_view *v, char *buf, size_t n)
{
	snprintf(buf, n, "container metadata");
}

static void meta_free(struct tui_view *v)
{
	struct meta_view *mv = v->priv;
	if (!mv)
		return;
	for (size_t i = 0; i < mv->n; i++)
		free(mv->l[i].value);
	free(mv->l);
	free(mv);
}

static const struct tui_view_ops meta_ops = {
	.name = "meta",
	.title = meta_title,
	.count = meta_count,
	.row = meta_row,
	.free = meta_free,
};

struct tui_view *tui_view_meta(struct tui *t)
{
	struct meta_view *mv = calloc(1, sizeof(*mv));
	struct tui_view *v = NULL;
	if (mv) {
		build(t, mv);
		if (!mv->oom)
			v = tui_view_new(&meta_ops, mv, 0);
		if (!v)
			meta_free(&(struct tui_view){ .priv = mv });
	}
	if (!v)
		tui_msg(t, TR_ERROR, "out of memory");
	return v;
}
