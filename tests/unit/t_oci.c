/* OCI: digest syntax, architecture words, and the checkpoint annotations
 * read from each engine's files (the corpus has Podman archives only: the
 * CRI-O and containerd layouts of config.dump and spec.dump are made here). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/oci_int.h"
#include "unit.h"

static const char *ann(const struct oci_meta *m, const char *key)
{
	for (size_t i = 0; i < m->n_ann; i++)
		if (!strcmp(m->ann[i].key, key))
			return m->ann[i].value;
	return NULL;
}

static int is(const char *got, const char *want)
{
	return got && !strcmp(got, want);
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A container tree: checkpoint/inventory.img and the engine files given. */
static char *temp_dir(void)
{
	const char *t = getenv("TMPDIR");
	char tmpl[512];
	snprintf(tmpl, sizeof(tmpl), "%s/crimg-unit-oci.XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(tmpl) ? strdup(tmpl) : NULL;
}

static char *tree(const char *config, const char *spec, int status)
{
	char *d = temp_dir();
	if (!d)
		return NULL;
	char p[512];
	snprintf(p, sizeof(p), "%s/checkpoint", d);
	mkdir(p, 0755);
	put(d, "checkpoint/inventory.img", "");
	if (config)
		put(d, "config.dump", config);
	if (spec)
		put(d, "spec.dump", spec);
	if (status)
		put(d, "status.dump", "{}");
	return d;
}

static void drop(char *d)
{
	if (d)
		crimg_tree_remove(d, NULL);
	free(d);
}

TEST(oci_digest_syntax)
{
	char ok[80] = "sha256:";
	memset(ok + 7, 'a', 64);
	ok[71] = '\0';
	EXPECT(oci_digest_valid(ok));
	ok[20] = 'A'; /* upper case is not the canonical form */
	EXPECT(!oci_digest_valid(ok));
	ok[20] = 'a';
	ok[70] = '\0'; /* 63 digits */
	EXPECT(!oci_digest_valid(ok));
	EXPECT(!oci_digest_valid("sha512:abcd"));
	EXPECT(!oci_digest_valid("sha256"));
	EXPECT(!oci_digest_valid(""));
}

TEST(oci_architecture_words)
{
	EXPECT(is(oci_goarch("x86_64"), "amd64"));
	EXPECT(is(oci_goarch("aarch64"), "arm64"));
	EXPECT(is(oci_goarch("s390x"), "s390x"));
	EXPECT(is(oci_goarch("ppc64le"), "ppc64le"));
	EXPECT(oci_goarch("unknown") == NULL);
	char b[40];
	oci_time_str(1700000000, b, sizeof(b));
	EXPECT_STR(b, "2023-11-14T22:13:20Z");
}

TEST(oci_annotations_crio)
{
	char *d =
		tree("{\"id\": \"c0ffee\", \"name\": \"counter\", \"rootfsImage\": "
		     "\"quay.io/x/counter:1\", \"rootfsImageRef\": \"1234abcd\", "
		     "\"rootfsImageName\": \"quay.io/x/counter@sha256:55\", \"runtime\": \"crun\"}",
		     "{\"annotations\": {\"io.kubernetes.cri-o.ContainerName\": \"k8s_counter\", "
		     "\"io.kubernetes.pod.name\": \"pod1\", \"io.kubernetes.pod.namespace\": "
		     "\"ns1\", \"io.kubernetes.cri-o.SandboxID\": \"sb1\"}}",
		     0);
	struct oci_meta m;
	struct crimg_error e;
	EXPECT(d && oci_meta_read(d, NULL, &m, &e) == 0);
	if (!d)
		return;
	EXPECT(!m.bare);
	EXPECT(is(m.engine, "cri-o"));
	EXPECT(is(ann(&m, "io.kubernetes.cri-o.annotations.checkpoint.name"), "counter"));
	EXPECT(is(ann(&m, "io.kubernetes.cri-o.annotations.checkpoint.rootfsImageID"), "1234abcd"));
	EXPECT(is(ann(&m, "io.kubernetes.cri-o.annotations.checkpoint.rawImageName"),
		  "quay.io/x/counter:1"));
	EXPECT(is(ann(&m, "io.podman.annotations.checkpoint.runtime.name"), "crun"));
	EXPECT(is(ann(&m, "org.criu.checkpoint.container.name"), "counter"));
	EXPECT(is(ann(&m, "org.criu.checkpoint.engine.name"), "cri-o"));
	EXPECT(is(ann(&m, "org.criu.checkpoint.pod.name"), "pod1"));
	EXPECT(is(ann(&m, "org.criu.checkpoint.pod.namespace"), "ns1"));
	EXPECT(is(ann(&m, "org.criu.checkpoint.pod.id"), "sb1"));
	EXPECT(is(ann(&m, "org.criu.checkpoint.rootfsImageName"), "quay.io/x/counter@sha256:55"));
	EXPECT(is(ann(&m, "org.criu.checkpoint.rootfsImageUserRequested"), "quay.io/x/counter:1"));
	/* sorted by key, as they are written */
	for (size_t i = 1; i < m.n_ann; i++)
		EXPECT(strcmp(m.ann[i - 1].key, m.ann[i].key) < 0);
	oci_meta_free(&m);
	drop(d);
}

TEST(oci_annotations_containerd)
{
	/* no name in the record: the spec's CRI annotations give it */
	char *d = tree("{\"id\": \"abc\", \"rootfsImageName\": \"docker.io/library/nginx:1\"}",
		       "{\"annotations\": {\"io.kubernetes.cri.container-name\": \"web\", "
		       "\"io.kubernetes.cri.sandbox-name\": \"nginx-pod\", "
		       "\"io.kubernetes.cri.sandbox-namespace\": \"default\", "
		       "\"io.kubernetes.cri.sandbox-id\": \"f00\"}, \"linux\": {\"seccomp\": "
		       "{\"architectures\": [\"SCMP_ARCH_AARCH64\", \"SCMP_ARCH_ARM\"]}}}",
		       1);
	struct oci_meta m;
	struct crimg_error e;
	EXPECT(d && oci_meta_read(d, NULL, &m, &e) == 0);
	if (!d)
		return;
	EXPECT(is(m.engine, "containerd"));
	EXPECT(is(ann(&m, "org.criu.checkpoint.container.name"), "web"));
	EXPECT(is(ann(&m, "io.podman.annotations.checkpoint.name"), "web"));
	EXPECT(is(ann(&m, "org.criu.checkpoint.pod.name"), "nginx-pod"));
	EXPECT(is(ann(&m, "org.criu.checkpoint.pod.namespace"), "default"));
	EXPECT(is(ann(&m, "org.criu.checkpoint.pod.id"), "f00"));
	/* no core image here: the spec's seccomp filter names the machine */
	EXPECT(is(m.goarch, "arm64"));
	EXPECT(is(ann(&m, "org.criu.checkpoint.host.arch"), "arm64"));
	EXPECT(ann(&m, "org.criu.checkpoint.runtime.name") == NULL); /* unknown: left out */
	oci_meta_free(&m);
	drop(d);
}

TEST(oci_annotations_untrusted_files)
{
	/* engine files that are not JSON objects leave their fields out */
	char *d = tree("not json {", "[1, 2]", 0);
	struct oci_meta m;
	struct crimg_error e;
	EXPECT(d && oci_meta_read(d, NULL, &m, &e) == 0);
	if (!d)
		return;
	EXPECT(m.engine == NULL);
	EXPECT(is(ann(&m, "org.criu.checkpoint.container.name"), "checkpoint"));
	EXPECT(ann(&m, "org.criu.checkpoint.engine.name") == NULL);
	EXPECT(m.goarch != NULL);
	oci_meta_free(&m);
	drop(d);

	/* neither an image dir nor a container tree */
	char *empty = temp_dir();
	EXPECT(empty && oci_meta_read(empty, NULL, &m, &e) < 0);
	EXPECT(strstr(e.msg, "no inventory.img and no checkpoint/") != NULL);
	drop(empty);
}

TEST(oci_annotations_sample)
{
	/* a bare CRIU dump: the root task's name and machine from the images */
	const char *s = getenv("CRIMG_SAMPLES");
	char p[512];
	snprintf(p, sizeof(p), "%s/demo", s ? s : "build/samples");
	struct stat st;
	if (stat(p, &st) < 0)
		return; /* samples not built */
	struct oci_meta m;
	struct crimg_error e;
	EXPECT(oci_meta_read(p, NULL, &m, &e) == 0);
	EXPECT(m.bare);
	EXPECT(is(m.goarch, "amd64"));
	EXPECT(m.name && strcmp(m.name, "checkpoint") != 0);
	oci_meta_free(&m);
}

TEST(oci_checkpoint_time)
{
	struct oci_meta m;
	struct crimg_error e;
	/* the engine's record first, in any zone, fractions ignored */
	char *d =
		tree("{\"name\": \"c\", \"checkpointedTime\": \"2023-11-14T23:13:20.987654321+01:00\"}",
		     NULL, 0);
	EXPECT(d && oci_meta_read(d, NULL, &m, &e) == 0);
	if (d) {
		EXPECT(m.checkpointed == 1700000000);
		oci_meta_free(&m);
	}
	drop(d);
	/* Go's zero time is no time: then stats-dump's mtime */
	d = tree("{\"name\": \"c\", \"checkpointedTime\": \"0001-01-01T00:00:00Z\"}", NULL, 0);
	if (d) {
		char p[512];
		snprintf(p, sizeof(p), "%s/checkpoint/stats-dump", d);
		put(d, "checkpoint/stats-dump", "");
		struct timespec ts[2] = { { .tv_sec = 1600000000 }, { .tv_sec = 1600000000 } };
		EXPECT(utimensat(AT_FDCWD, p, ts, 0) == 0);
		EXPECT(oci_meta_read(d, NULL, &m, &e) == 0);
		EXPECT(m.checkpointed == 1600000000);
		oci_meta_free(&m);
	}
	drop(d);
	/* nor a text that is not RFC 3339: inventory.img's mtime */
	d = tree("{\"name\": \"c\", \"checkpointedTime\": \"yesterday\"}", NULL, 0);
	if (d) {
		char p[512];
		snprintf(p, sizeof(p), "%s/checkpoint/inventory.img", d);
		struct timespec ts[2] = { { .tv_sec = 1500000000 }, { .tv_sec = 1500000000 } };
		EXPECT(utimensat(AT_FDCWD, p, ts, 0) == 0);
		EXPECT(oci_meta_read(d, NULL, &m, &e) == 0);
		EXPECT(m.checkpointed == 1500000000);
		oci_meta_free(&m);
	}
	drop(d);
}

TEST(source_names_as_skopeo)
{
	struct crimg_source_name n;
	struct crimg_error e;
	EXPECT(crimg_source_name_parse("oci:lay:v1", &n, &e) == 0);
	EXPECT(n.transport == CRIMG_FMT_OCI && is(n.path, "lay") && is(n.ref, "v1"));
	crimg_source_name_free(&n);
	/* the path ends at the first ':'; the rest is the ref, ':' and all */
	EXPECT(crimg_source_name_parse("oci-archive:/a/b.tar:localhost/ck:1", &n, &e) == 0);
	EXPECT(n.transport == CRIMG_FMT_OCI_ARCHIVE && is(n.path, "/a/b.tar") &&
	       is(n.ref, "localhost/ck:1"));
	crimg_source_name_free(&n);
	EXPECT(crimg_source_name_parse("oci:lay:", &n, &e) == 0);
	EXPECT(is(n.path, "lay") && n.ref == NULL);
	crimg_source_name_free(&n);
	EXPECT(crimg_source_name_parse("oci:lay", &n, &e) == 0);
	EXPECT(is(n.path, "lay") && n.ref == NULL);
	crimg_source_name_free(&n);
	/* anything else is a plain path, colons and all */
	EXPECT(crimg_source_name_parse("./oci:lay:v1", &n, &e) == 0);
	EXPECT(n.transport == CRIMG_FMT_UNKNOWN && is(n.path, "./oci:lay:v1") && n.ref == NULL);
	crimg_source_name_free(&n);
	EXPECT(crimg_source_name_parse("ociX:lay", &n, &e) == 0);
	EXPECT(n.transport == CRIMG_FMT_UNKNOWN);
	crimg_source_name_free(&n);
	/* no path, a ref outside the grammar */
	EXPECT(crimg_source_name_parse("oci:", &n, &e) < 0);
	EXPECT(strstr(e.msg, "no path after 'oci:'") != NULL);
	EXPECT(crimg_source_name_parse("oci-archive::v1", &n, &e) < 0);
	EXPECT(crimg_source_name_parse("oci:lay:-v1", &n, &e) < 0);
	EXPECT(strstr(e.msg, "'-v1' is not a valid image reference name") != NULL);
	EXPECT(n.path == NULL && n.ref == NULL);
}
