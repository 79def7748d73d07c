/*
 * crit check, part 2: bind mount sources, cgroup controllers and the
 * saved auxv's HWCAP words (host_check_sys.c), their host facts in the
 * JSON, and which mounts name a host path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check/check_int.h"
#include "crimg/check.h"
#include "crimg/ckpt.h"
#include "unit.h"

static struct crimg_ckpt *open_ok_baseline(void)
{
	char path[1024];
	struct crimg_error e;
	struct stat st;
	const char *d = getenv("CRIMG_RESTORE_CASES");
	snprintf(path, sizeof(path), "%s/ok-baseline/images",
		 d && *d ? d : "../shared/restore-cases");
	if (stat(path, &st) != 0) {
		printf("  (t_check_sys: no restore cases: skipped)\n");
		return NULL;
	}
	struct crimg_ckpt *c = crimg_ckpt_open(path, NULL, &e);
	EXPECT(c != NULL);
	return c;
}

/* The findings as "code/severity field=value" words. */
static void run(struct crimg_ckpt *c, struct crimg_host *h, char *out, size_t len)
{
	struct crimg_error e;
	struct crimg_check *k = crimg_check_new();
	size_t used = 0;
	EXPECT(k != NULL);
	EXPECT(crimg_check_host(k, c, h, NULL, &e) == 0);
	out[0] = '\0';
	for (size_t i = 0; i < crimg_check_count(k); i++) {
		const struct crimg_finding *f = crimg_check_get(k, i);
		EXPECT(!strchr(f->message, '\n'));
		int n = snprintf(out + used, len - used, "%s%s/%u %s=%s", used ? " " : "", f->code,
				 f->severity, f->field, f->value);
		if (n > 0 && (size_t)n < len - used)
			used += (size_t)n;
	}
	crimg_check_free(k);
}

TEST(checksys_hwcap)
{
	char got[1024];
	struct crimg_ckpt *c = open_ok_baseline();
	if (!c)
		return;
	struct crimg_host *h = host_new("test");
	free(h->arch);
	h->arch = strdup("x86_64");
	/* unknown: nothing */
	run(c, h, got, sizeof(got));
	EXPECT_STR(got, "");
	/* the CPU the case was dumped on (a superset of what the task saw) */
	h->hwcap_known = 1;
	h->hwcap = 0x178bfbff;
	h->hwcap2 = 0x2;
	run(c, h, got, sizeof(got));
	EXPECT_STR(got, "");
	/* a host without SSE2 (bit 26) and the others */
	h->hwcap = 0x178bfbff & ~(1u << 26);
	run(c, h, got, sizeof(got));
	EXPECT(!strncmp(got, "cpu-features/1 mm_saved_auxv[", 29) && strstr(got, "=0x178bebff"));
	/* the task's AT_HWCAP2 is 0 (this case): a host without any still
	 * gives the one finding */
	h->hwcap2 = 0;
	run(c, h, got, sizeof(got));
	EXPECT(!strncmp(got, "cpu-features/1 mm_saved_auxv[", 29) && !strstr(got, " cpu-features"));
	/* another architecture: its bits mean other things */
	free(h->arch);
	h->arch = strdup("aarch64");
	h->hwcap = 0;
	run(c, h, got, sizeof(got));
	EXPECT(!strstr(got, "cpu-features"));
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(checksys_bind_source_of)
{
	struct crimg_mount m;
	memset(&m, 0, sizeof(m));
	m.mnt_id = 5;
	m.parent_mnt_id = 4;
	m.mountpoint = "/mnt/data";
	m.source = "/dev/vdb1";
	EXPECT(host_bind_source_of(&m) && !strcmp(host_bind_source_of(&m), "/dev/vdb1"));
	m.source = "/dev/";
	EXPECT(host_bind_source_of(&m) == NULL);
	m.source = "tmpfs";
	EXPECT(host_bind_source_of(&m) == NULL);
	m.source = "/srv/x"; /* not a device, no key: CRIU mounts it from its dump */
	EXPECT(host_bind_source_of(&m) == NULL);
	m.source = "/dev/vda";
	m.mountpoint = "/"; /* the namespace's root: --root */
	EXPECT(host_bind_source_of(&m) == NULL);
	m.mountpoint = "/x";
	m.parent_mnt_id = 5;
	EXPECT(host_bind_source_of(&m) == NULL);
	m.parent_mnt_id = 4;
	m.external = 1; /* an external mount with a key of the user's */
	EXPECT(host_bind_source_of(&m) == NULL);
	m.source = NULL;
	EXPECT(host_bind_source_of(&m) == NULL);
}

TEST(checksys_nsbox_root_mount_is_not_a_source)
{
	char got[1024];
	char path[1024];
	struct crimg_error e;
	struct stat st;
	const char *d = getenv("CRIMG_CORPUS");
	snprintf(path, sizeof(path), "%s/nsbox", d && *d ? d : "../shared/corpus");
	if (stat(path, &st) != 0)
		return;
	struct crimg_ckpt *c = crimg_ckpt_open(path, NULL, &e);
	EXPECT(c != NULL);
	if (!c)
		return;
	struct crimg_host *h = crimg_host_probe("/", c, &e);
	EXPECT(h != NULL);
	if (h) {
		/* /dev/vda is the root mount's: not looked up */
		EXPECT(h->bind_sources_known && h->n_bind_sources == 0);
		/* a host that lacks a listed source says so, no other does */
		h->bind_sources = calloc(1, sizeof(*h->bind_sources));
		h->bind_sources[0].path = strdup("/dev/vda");
		h->bind_sources[0].exists = 0;
		h->n_bind_sources = 1;
		run(c, h, got, sizeof(got));
		EXPECT(!strstr(got, "bind-source-missing"));
	}
	crimg_host_free(h);
	crimg_ckpt_close(c);
}

TEST(checksys_json_round_trip)
{
	struct crimg_host *h = host_new("test");
	struct crimg_error e;
	size_t n1 = 0, n2 = 0;
	h->hwcap_known = 1;
	h->hwcap = 0xffffffffffffffffull;
	h->hwcap2 = 0;
	h->bind_sources_known = 1;
	h->bind_sources = calloc(3, sizeof(*h->bind_sources));
	h->bind_sources[0] = (struct host_path){ strdup("/usr/lib64/libEGL_nvidia.so.1"), 0 };
	h->bind_sources[1] = (struct host_path){ strdup("/dev/vdb"), 1 };
	h->bind_sources[2] = (struct host_path){ strdup("/odd\xff\"\n"), -1 };
	h->n_bind_sources = 3;
	h->cgroup_controllers_known = 1;
	h->cgroup_controllers = calloc(2, sizeof(char *));
	h->cgroup_controllers[0] = strdup("cpu");
	h->cgroup_controllers[1] = strdup("memory");
	h->n_cgroup_controllers = 2;
	char *j1 = crimg_host_json(h, &n1);
	EXPECT(j1 != NULL);
	struct crimg_host *g = j1 ? crimg_host_from_json(j1, n1, &e) : NULL;
	EXPECT(g != NULL);
	if (g) {
		EXPECT(g->hwcap_known && g->hwcap == 0xffffffffffffffffull && g->hwcap2 == 0);
		EXPECT(g->n_bind_sources == 3 && g->bind_sources[0].exists == 0 &&
		       g->bind_sources[1].exists == 1 && g->bind_sources[2].exists == -1);
		const struct host_path *p = host_bind_source(g, "/odd\xff\"\n");
		EXPECT(p && p->exists == -1);
		EXPECT(g->cgroup_controllers_known && g->n_cgroup_controllers == 2 &&
		       !strcmp(g->cgroup_controllers[1], "memory"));
		char *j2 = crimg_host_json(g, &n2);
		EXPECT(j2 && n1 == n2 && !memcmp(j1, j2, n1));
		free(j2);
	}
	crimg_host_free(g);
	free(j1);
	crimg_host_free(h);
	/* unknown stays unknown */
	h = host_new("test");
	j1 = crimg_host_json(h, &n1);
	g = j1 ? crimg_host_from_json(j1, n1, &e) : NULL;
	EXPECT(g && !g->hwcap_known && !g->bind_sources_known && !g->cgroup_controllers_known);
	crimg_host_free(g);
	free(j1);
	crimg_host_free(h);
	/* malformed members are refused */
	static const char *const bad[] = {
		"{\"crimg_host\": 1, \"hwcap\": 5}",
		"{\"crimg_host\": 1, \"hwcap\": \"0xz\"}",
		"{\"crimg_host\": 1, \"hwcap2\": \"0x11112222333344445\"}",
		"{\"crimg_host\": 1, \"bind_sources\": [\"/x\"]}",
		"{\"crimg_host\": 1, \"bind_sources\": [{\"path\": \"\"}]}",
		"{\"crimg_host\": 1, \"bind_sources\": [{\"path\": \"/x\", \"size\": 1}]}",
		"{\"crimg_host\": 1, \"bind_sources\": [{\"path\": \"/x\", \"exists\": 2}]}",
		"{\"crimg_host\": 1, \"cgroup_controllers\": [1]}",
		"{\"crimg_host\": 1, \"cgroup_controllers\": {}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		g = crimg_host_from_json(bad[i], strlen(bad[i]), &e);
		if (g)
			printf("  accepted: %s\n", bad[i]);
		EXPECT(g == NULL);
		crimg_host_free(g);
	}
}

TEST(checksys_probe_controllers)
{
	struct crimg_error e;
	struct crimg_host *h = crimg_host_probe("/", NULL, &e);
	EXPECT(h != NULL);
	if (!h)
		return;
	EXPECT(h->hwcap_known);
	/* sorted, no repeats, no empty names */
	for (size_t i = 0; i < h->n_cgroup_controllers; i++) {
		EXPECT(h->cgroup_controllers[i][0] != '\0');
		EXPECT(!i || strcmp(h->cgroup_controllers[i - 1], h->cgroup_controllers[i]) < 0);
	}
	crimg_host_free(h);
}
