/* crit check, part 3: restore.log.  Synthetic logs, hostile text, and
 * every restore case of the shared material (skipped when it is absent). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crimg/check.h"
#include "unit.h"

static struct crimg_check *run(const char *log, size_t len, struct crimg_ckpt *c)
{
	struct crimg_error err;
	struct crimg_check *k = crimg_check_new();
	crimg_error_clear(&err);
	if (k && crimg_check_log(k, c, log, len, &err) < 0) {
		crimg_check_free(k);
		return NULL;
	}
	return k;
}

/* The codes of k, space-separated, in buf. */
static const char *codes(const struct crimg_check *k, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = 0;
	for (size_t i = 0; i < crimg_check_count(k); i++) {
		const struct crimg_finding *f = crimg_check_get(k, i);
		int w = snprintf(buf + o, len - o, "%s%s", o ? " " : "", f->code);
		if (w < 0 || (size_t)w >= len - o)
			break;
		o += (size_t)w;
	}
	return buf;
}

static int first_is(const char *log, const char *code)
{
	struct crimg_check *k = run(log, strlen(log), NULL);
	int ok = k && crimg_check_count(k) >= 1 && !strcmp(crimg_check_get(k, 0)->code, code);
	if (!ok) {
		char b[256];
		printf("    log gave [%s], wanted %s\n", k ? codes(k, b, sizeof(b)) : "(oom)",
		       code);
	}
	crimg_check_free(k);
	return ok;
}

#define RL \
	"(00.1) Error (criu/util.c:1534): rlimit: Can't setup RLIMIT_NOFILE for self: Operation not permitted\n"

TEST(check_log_patterns)
{
	EXPECT(first_is(RL "(00.2) Error (criu/cr-restore.c:1230): Can't fork for 42: File exists\n"
			   "(00.3) Error (criu/cr-restore.c:2324): Restoring FAILED.\n",
			"pid-in-use"));
	EXPECT(first_is("(00.2)   12: Error (x.c:1): File a/b has bad size 3 (expect 4)\n",
			"file-size"));
	EXPECT(first_is("(00.2)   12: Error (x.c:1): File a/b has bad mode 0100600 (expect 0100644)\n",
			"file-mode"));
	EXPECT(first_is("(00.2)   12: Error (x.c:1): File a/b has bad build-ID\n",
			"file-build-id"));
	EXPECT(first_is("(00.2) Error (image.c:94): Need to set the --tcp-close options.\n",
			"tcp-close"));
	EXPECT(first_is("(00.2)   1: Error (sk-inet.c:912): inet: Connected TCP socket in image\n",
			"tcp-established"));
	EXPECT(first_is("(0.2) pie: 7: Error (pie/restorer.c:1): rseq: can't restore as kernel "
			"doesn't support it\n",
			"rseq"));
	EXPECT(first_is("Error (a.c:1): Core march mismatch 2\n", "arch-mismatch"));
	EXPECT(first_is("Error (a.c:1): Missing required plugin: cuda_plugin\n", "plugin-missing"));
	EXPECT(first_is("Error (a.c:1): No mapping for 12:/mnt mountpoint\n", "ext-mount"));
	EXPECT(first_is("Error (a.c:1): inet: Can't bind inet socket (id 6): Address already in use\n",
			"port-in-use"));
	EXPECT(first_is("Error (a.c:1): inet: Can't bind inet socket (id 6): Cannot assign requested "
			"address\n",
			"address-missing"));
	EXPECT(first_is("Error (a.c:1): Cgroup dir /x doesn't exist\n", "cgroup-missing"));
	EXPECT(first_is("Error (a.c:1): Too big FD number to restore 99999\n", "nr-open"));
	EXPECT(first_is("Error (a.c:1): Something nobody wrote down\n", "log-unknown"));
	/* consequences alone name no cause */
	EXPECT(first_is("Error (a.c:1): 42 exited, status=1\nError (b.c:2): Restoring FAILED.\n",
			"log-unknown"));
	/* the harmless line alone, then nothing: a hang */
	EXPECT(first_is(RL "(00.2) Restoring 1 to 1 pgid\n", "log-hang"));
	EXPECT(first_is(RL "(00.2) Restore finished successfully. Tasks resumed.\n", "log-ok"));
	EXPECT(first_is("", "not-privileged"));
	EXPECT(first_is("\n\n\r\n", "not-privileged"));
}

TEST(check_log_captures)
{
	const char *log =
		"(00.2)   12: Error (x.c:1): File tmp/a b/c has bad size 63 (expect 49)\n";
	struct crimg_check *k = run(log, strlen(log), NULL);
	EXPECT(k && crimg_check_count(k) == 1);
	if (k && crimg_check_count(k) == 1) {
		const struct crimg_finding *f = crimg_check_get(k, 0);
		EXPECT(f->log_line == 1);
		EXPECT(f->part == CRIMG_CHECK_PART_LOG);
		EXPECT(f->severity == CRIMG_CHECK_WILL_FAIL);
		EXPECT(strstr(f->log, "bad size 63") != NULL);
		EXPECT(strstr(f->message, "tmp/a b/c") != NULL);
		EXPECT(f->catalogue == 6);
	}
	crimg_check_free(k);
}

/* Garbage: no NUL at the end, NULs inside, huge lines, controls. */
TEST(check_log_hostile)
{
	size_t n = 3u << 20;
	char *big = malloc(n);
	EXPECT(big != NULL);
	if (!big)
		return;
	for (size_t i = 0; i < n; i++)
		big[i] = (char)(i * 7919u >> 3);
	struct crimg_check *k = run(big, n, NULL);
	EXPECT(k != NULL && crimg_check_count(k) >= 1);
	crimg_check_free(k);
	/* one long error line, many stars' worth of text */
	memset(big, 'x', n);
	memcpy(big, "Error (a:1): File ", 18);
	k = run(big, n, NULL);
	EXPECT(k != NULL && crimg_check_count(k) == 1);
	if (k && crimg_check_count(k) == 1)
		EXPECT(strlen(crimg_check_get(k, 0)->log) < 2048);
	crimg_check_free(k);
	const char nul[] = "Error (a:1): Can't fork for 4\0: File exists\n";
	k = run(nul, sizeof(nul) - 1, NULL);
	EXPECT(k != NULL && crimg_check_count(k) == 1);
	crimg_check_free(k);
	k = run(NULL, 5, NULL);
	EXPECT(k != NULL);
	crimg_check_free(k);
	free(big);
}

/* ---- the restore cases ---- */

static const char *cases_dir(void)
{
	const char *d = getenv("CRIMG_RESTORE_CASES");
	return d ? d : "../shared/restore-cases";
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, nc);
			if (!nb)
				break;
			buf = nb;
			cap = nc;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		if (!r)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf ? buf : strdup("");
}

/* What each case's log must give (first finding), from its fault.md. */
static const struct {
	const char *name, *code, *also;
} expect_cases[] = {
	{ "cpuinfo-mismatch", "cpu-features", NULL },
	{ "cwd-removed", "file-missing", NULL },
	{ "exe-rebuilt-same-size", "file-build-id", NULL },
	{ "exe-replaced", "file-size", NULL },
	{ "file-deleted", "file-missing", NULL },
	{ "file-lock-conflict", "file-lock", NULL },
	{ "file-size-changed", "file-size", NULL },
	{ "file-mode-changed", "file-mode", NULL },
	{ "missing-fdinfo", "image-missing", NULL },
	{ "missing-pagemap", "image-missing", NULL },
	{ "not-root", "not-privileged", NULL },
	{ "pages-truncated", "log-hang", "pages-short" },
	{ "pid-in-use-original-running", "pid-in-use", NULL },
	{ "pid-in-use-other-process", "pid-in-use", NULL },
	{ "rlimit-nofile", "nr-open", NULL },
	{ "shell-job-no-flag", "log-hang", "shell-job" },
	{ "tcp-close-inventory", "tcp-close", NULL },
	{ "tcp-established-no-flag", "tcp-established", NULL },
	{ "tcp-port-in-use", "port-in-use", NULL },
	{ "unix-peer-missing", "unix-peer-external", NULL },
	{ "cgroup-pids-limit", "log-unknown", NULL },
	{ "core-magic-corrupted", "image-damaged", NULL },
	{ "ok-baseline", "log-ok", NULL },
	{ "ok-file-locks-dropped", "log-ok", NULL },
	{ "ok-mtime-changed", "log-ok", NULL },
	{ "ok-owner-content-changed", "log-ok", NULL },
	{ "ok-tcp-peer-gone", "log-ok", NULL },
};

static int has_code(const struct crimg_check *k, const char *code)
{
	for (size_t i = 0; i < crimg_check_count(k); i++)
		if (!strcmp(crimg_check_get(k, i)->code, code))
			return 1;
	return 0;
}

TEST(check_log_restore_cases)
{
	const char *dir = cases_dir();
	struct stat st;
	int table = getenv("CRIMG_CHECK_TABLE") != NULL;
	if (stat(dir, &st) < 0) {
		printf("    (skipped: %s is absent)\n", dir);
		return;
	}
	size_t done = 0;
	for (size_t i = 0; i < sizeof(expect_cases) / sizeof(expect_cases[0]); i++) {
		char path[1024], b[512];
		size_t len = 0;
		snprintf(path, sizeof(path), "%s/%s", dir, expect_cases[i].name);
		if (stat(path, &st) < 0)
			continue; /* listed in the README, not in this copy */
		snprintf(path, sizeof(path), "%s/%s/restore.log", dir, expect_cases[i].name);
		char *log = slurp(path, &len);
		if (!log) /* not-root: CRIU wrote no log */
			log = strdup("");
		EXPECT(log != NULL);
		if (!log)
			continue;
		/* with the case's images, to find the entries */
		snprintf(path, sizeof(path), "%s/%s/images", dir, expect_cases[i].name);
		struct crimg_error err;
		crimg_error_clear(&err);
		struct crimg_ckpt *c = crimg_ckpt_open(path, NULL, &err);
		for (int with = 0; with < 2; with++) {
			struct crimg_check *k = run(log, len, with ? c : NULL);
			EXPECT(k != NULL);
			if (!k)
				continue;
			int ok = crimg_check_count(k) >= 1 &&
				!strcmp(crimg_check_get(k, 0)->code, expect_cases[i].code) &&
				(!expect_cases[i].also || has_code(k, expect_cases[i].also));
			if (!strncmp(expect_cases[i].name, "ok-", 3))
				ok = ok && crimg_check_worst(k) < CRIMG_CHECK_WILL_FAIL;
			if (!ok)
				printf("    %s: [%s], wanted %s\n", expect_cases[i].name,
				       codes(k, b, sizeof(b)), expect_cases[i].code);
			EXPECT(ok);
			if (table && with) {
				const struct crimg_finding *f = crimg_check_get(k, 0);
				printf("| %s | %s | %s | %s %s#%lld %s=%s |\n",
				       expect_cases[i].name, codes(k, b, sizeof(b)),
				       f->log_line ? "" : "", f->message, f->image,
				       (long long)f->entry, f->field, f->value);
			}
			crimg_check_free(k);
		}
		crimg_ckpt_close(c);
		free(log);
		done++;
	}
	EXPECT(done >= 20);
}
