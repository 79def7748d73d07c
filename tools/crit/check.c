/*
 * crit check: why a restore of a checkpoint will fail, before it fails,
 * and why it did fail, after.  The three parts of include/crimg/check.h
 * (the images on their own, the images against a host, a restore.log)
 * fill one list of findings, printed for people or as JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crimg/check.h"
#include "crimg/ckpt.h"
#include "crimg/image.h"
#include "crimg/model.h"
#include "crit.h"
#include "jsonout.h"
#include "util.h"

static const char check_usage[] =
	"usage: crit check [-h] [--host FILE | --offline] [--root DIR] [--log FILE]\n"
	"                  [--format text|json] [--tcp-established] [--tcp-close]\n"
	"                  [--shell-job] [--ext-unix-sk] [--file-locks]\n"
	"                  [--skip-file-rwx-check] [--allow-uprobes] [--new-pidns]\n"
	"                  [--ext-mount-map KEY:VAL]... [--container NAME]\n"
	"                  [--limit NAME=VALUE] [--target-arch ARCH] SRC\n"
	"       crit check --probe [--root DIR] [--container NAME] [SRC]\n"
	"       crit check --reasons [--format text|json]\n"
	"\n"
	"Tell why a restore of the checkpoint SRC will fail, before it fails, and\n"
	"why it did fail, after.  SRC is any checkpoint crit reads: a CRIU images\n"
	"directory, a container checkpoint archive, an OCI checkpoint image, a JSON\n"
	"bundle or directory.\n"
	"\n"
	"A check has three parts (four with --target-arch), sharing one list of\n"
	"findings:\n"
	"  images  the checkpoint on its own: every image it needs is there, ids\n"
	"          resolve across images, pagemaps agree with the pages files,\n"
	"          parents and ghost files are complete (always done)\n"
	"  host    the checkpoint against a host: PIDs in use, files' presence,\n"
	"          size, mode and build-id, ports and addresses, limits, CPU,\n"
	"          LSM, cgroups, and the criu restore options given below; the\n"
	"          host is this machine (probed now), or the description FILE\n"
	"          that 'crit check --probe' wrote on the target host (--host),\n"
	"          or, with --log and neither --host, --root nor --offline, what\n"
	"          the log's header says of the host the restore ran on\n"
	"  log     with --log: the restore.log's first error that is a cause,\n"
	"          the catalogue entry it matches, the image entries it names\n"
	"  portability\n"
	"          with --target-arch: per task, everything that ties the\n"
	"          checkpoint to its architecture (machine type and registers, FP\n"
	"          state, TLS, syscall state, signals, auxv, vDSO, address space,\n"
	"          executables and libraries, saved code, seccomp filters, open\n"
	"          flags), each item blocking the move, convertible by 'crit\n"
	"          convert --to-arch' under its contract, or irrelevant, and a\n"
	"          verdict that says what would make the checkpoint movable\n"
	"\n"
	"Each finding has a reason code (crit check --reasons lists them; they are\n"
	"stable), a severity (will fail, may fail, note), the evidence (image,\n"
	"entry, field, the image's value and the host's; the log line), why it\n"
	"breaks a restore and the fix.\n"
	"\n"
	"options:\n"
	"  -h, --help             show this help message and exit\n"
	"  --host FILE            check against the host description FILE (JSON\n"
	"                         from 'crit check --probe'; '-': standard input)\n"
	"  --root DIR             look the checkpoint's files up under DIR (the root\n"
	"                         file system the restore will see: a container's\n"
	"                         rootfs); this machine is probed, and the restore\n"
	"                         is taken to get criu's --root too\n"
	"  --offline              only the images part: no host at all\n"
	"  --log FILE             add the log part: FILE is a restore.log ('-':\n"
	"                         standard input); read up to the 'json' limit\n"
	"  --format text|json     text for people (default), json for engines\n"
	"  --probe                write this host's description as JSON to stdout\n"
	"                         (with SRC: including the stat of SRC's files)\n"
	"  --reasons              list every reason code with its severity, catalogue\n"
	"                         row, why and fix, and exit\n"
	"  --container NAME       pod archives: the container to check\n"
	"  --limit NAME=VALUE     change a limit on hostile input (see crit --help)\n"
	"  --tcp-established      the restore will have --tcp-established (and so on:\n"
	"                         the criu restore options the restore will be given)\n"
	"  --tcp-close            ... --tcp-close: TCP connections restored closed\n"
	"  --shell-job            ... --shell-job\n"
	"  --ext-unix-sk          ... --ext-unix-sk: unix peers outside the tree\n"
	"  --file-locks           ... --file-locks\n"
	"  --skip-file-rwx-check  ... --skip-file-rwx-check: modes not compared\n"
	"  --allow-uprobes        ... --allow-uprobes\n"
	"  --new-pidns            restored in a new PID namespace (as container\n"
	"                         engines do): PIDs in use on the host do not matter\n"
	"  --ext-mount-map KEY:VAL  an external mount mapping (repeatable)\n"
	"  --target-arch ARCH     add the portability part: the move to ARCH\n"
	"                         (x86_64, aarch64 or s390x); no host is probed\n"
	"                         then: --host FILE describes the target host, and\n"
	"                         --root DIR names the target's file system, where\n"
	"                         the executables and libraries are looked up\n"
	"\n"
	"Exit status: 0 when no finding says the restore will fail (nor, with\n"
	"--target-arch, that an item blocks the move), 1 when one does, 2 for\n"
	"trouble (usage, an unreadable SRC, host or log).\n";

enum {
	O_HOST = 256,
	O_ROOT,
	O_OFFLINE,
	O_LOG,
	O_FORMAT,
	O_PROBE,
	O_REASONS,
	O_CTR,
	O_LIMIT,
	O_TCP_EST,
	O_TCP_CLOSE,
	O_SHELL_JOB,
	O_EXT_UNIX,
	O_FILE_LOCKS,
	O_SKIP_RWX,
	O_UPROBES,
	O_NEW_PIDNS,
	O_EXT_MOUNT,
	O_TARGET,
};

struct check_cli {
	const char *src, *host_file, *root, *log_file, *container;
	const char *target; /* --target-arch, as crimg_port_arch() names it */
	int json, offline, probe, reasons;
	struct crimg_check_opts opts;
	const char **keys; /* --ext-mount-map keys (point into argv, cut at ':') */
	size_t n_keys;
};

static const char *sev_name(unsigned s)
{
	switch (s) {
	case CRIMG_CHECK_WILL_FAIL:
		return "will-fail";
	case CRIMG_CHECK_MAY_FAIL:
		return "may-fail";
	case CRIMG_CHECK_NOTE:
		return "note";
	}
	return "unknown";
}

static const char *part_name(unsigned p)
{
	switch (p) {
	case CRIMG_CHECK_PART_IMAGES:
		return "images";
	case CRIMG_CHECK_PART_HOST:
		return "host";
	case CRIMG_CHECK_PART_LOG:
		return "log";
	case CRIMG_CHECK_PART_PORTABILITY:
		return "portability";
	}
	return "unknown";
}

/* Reads the whole of path ('-': stdin), at most cap bytes; *cut is set
 * when there was more.  NULL after printing why. */
static char *read_all(const char *path, uint64_t cap, size_t *len, int *cut)
{
	int fd = open_input(path);
	if (fd < 0)
		return NULL;
	size_t n = 0, size = 0;
	char *buf = NULL;
	*cut = 0;
	for (;;) {
		if (n == size) {
			if ((uint64_t)n >= cap) {
				char c;
				ssize_t r;
				do
					r = read(fd, &c, 1);
				while (r < 0 && errno == EINTR);
				*cut = r > 0;
				break;
			}
			size_t ns = size ? size * 2 : 65536;
			if ((uint64_t)ns > cap)
				ns = (size_t)cap;
			char *nb = realloc(buf, ns + 1);
			if (!nb) {
				free(buf);
				if (fd != 0)
					close(fd);
				error("%s: out of memory", path);
				return NULL;
			}
			buf = nb;
			size = ns;
		}
		ssize_t r = read(fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			error("%s: %s", strcmp(path, "-") ? path : "stdin", strerror(errno));
			free(buf);
			if (fd != 0)
				close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (fd != 0)
		close(fd);
	if (!buf && !(buf = malloc(1))) {
		error("%s: out of memory", path);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static const struct crimg_check_reason *reason_of(const char *code)
{
	size_t n;
	const struct crimg_check_reason *r = crimg_check_reasons(&n);
	for (size_t i = 0; r && i < n; i++)
		if (!strcmp(r[i].code, code))
			return &r[i];
	return NULL;
}

/* ---- crit check --reasons ---- */

static int print_reasons(FILE *f, int json)
{
	size_t n = 0;
	const struct crimg_check_reason *r = crimg_check_reasons(&n);
	if (json) {
		struct xj j;
		xj_init(&j, f);
		xj_obj(&j, NULL);
		xj_arr(&j, "reasons");
		for (size_t i = 0; i < n; i++) {
			xj_obj(&j, NULL);
			xj_str(&j, "code", r[i].code);
			xj_str(&j, "severity", sev_name(r[i].severity));
			xj_str(&j, "part", part_name(r[i].part));
			if (r[i].catalogue)
				xj_u64(&j, "catalogue", r[i].catalogue);
			else
				xj_null(&j, "catalogue");
			xj_str(&j, "title", r[i].title);
			xj_str(&j, "why", r[i].why);
			xj_str(&j, "fix", r[i].fix);
			xj_end_obj(&j);
		}
		xj_end_arr(&j);
		xj_end_obj(&j);
		xj_finish(&j);
		return 0;
	}
	unsigned last = ~0u;
	for (size_t i = 0; i < n; i++) {
		if (r[i].part != last) {
			fprintf(f, "%s%s part:\n", i ? "\n" : "", part_name(r[i].part));
			last = r[i].part;
		}
		fprintf(f, "  %-20s %-9s ", r[i].code, sev_name(r[i].severity));
		if (r[i].catalogue)
			fprintf(f, "row %-3u ", r[i].catalogue);
		else
			fprintf(f, "row -   ");
		fprintf(f, "%s\n", r[i].title);
		fprintf(f, "      why: %s\n      fix: %s\n", r[i].why, r[i].fix);
	}
	return 0;
}

/* ---- the report ---- */

struct host_info {
	const char *source; /* "probe", "json", "log", "none" */
	const char *file;   /* --host or --log FILE, NULL for a probe */
	char *json;         /* crimg_host_json(), NULL when none */
	size_t json_len;
	/* --target-arch: the portability part's summary, NULL without */
	const struct crimg_port_summary *port;
	struct crimg_ckpt *ckpt; /* for the tasks' names */
};

static void text_finding(FILE *f, const struct crimg_finding *x)
{
	const struct crimg_check_reason *r = reason_of(x->code);
	fprintf(f, "  [%s] %s\n", x->code, x->message[0] ? x->message : (r ? r->title : ""));
	if (x->image[0] || x->field[0] || x->value[0] || x->host[0]) {
		fprintf(f, "      evidence:");
		if (x->image[0])
			fprintf(f, " %s", x->image);
		if (x->entry >= 0)
			fprintf(f, " entry %lld", (long long)x->entry);
		if (x->field[0])
			fprintf(f, " %s", x->field);
		if (x->value[0])
			fprintf(f, " = %s", x->value);
		if (x->host[0])
			fprintf(f, "%s host: %s",
				x->image[0] || x->field[0] || x->value[0] ? ";" : "", x->host);
		fputc('\n', f);
	}
	if (x->log[0] || x->log_line > 0) {
		fprintf(f, "      log:");
		if (x->log_line > 0)
			fprintf(f, " line %lld:", (long long)x->log_line);
		fprintf(f, " %s\n", x->log);
	}
	if (x->catalogue)
		fprintf(f, "      catalogue: row %u\n", x->catalogue);
	if (x->why[0])
		fprintf(f, "      why: %s\n", x->why);
	if (x->fix[0])
		fprintf(f, "      fix: %s\n", x->fix);
}

/* ---- the portability part ---- */

/* s with control characters as '?': a command name may hold anything */
static void print_printable(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static const char *verdict_name(unsigned sev)
{
	switch (sev) {
	case CRIMG_CHECK_WILL_FAIL:
		return "blocks";
	case CRIMG_CHECK_MAY_FAIL:
		return "convertible";
	case CRIMG_CHECK_NOTE:
		return "irrelevant";
	}
	return "unknown";
}

static const char *summary_verdict(unsigned v)
{
	switch (v) {
	case CRIMG_PORT_SAME_ARCH:
		return "same-architecture";
	case CRIMG_PORT_CONTRACT:
		return "movable-under-contract";
	case CRIMG_PORT_BLOCKED:
		return "not-movable";
	}
	return "unknown";
}

static void port_finding(FILE *f, const struct crimg_finding *x, int first)
{
	fprintf(f, "  %-11s [%s] %s\n", verdict_name(x->severity), x->code, x->message);
	if (x->image[0] || x->field[0] || x->value[0] || x->target[0]) {
		fprintf(f, "      evidence:");
		if (x->image[0])
			fprintf(f, " %s", x->image);
		if (x->entry >= 0)
			fprintf(f, " entry %lld", (long long)x->entry);
		if (x->field[0])
			fprintf(f, " %s", x->field);
		if (x->value[0])
			fprintf(f, " = %s", x->value);
		if (x->target[0])
			fprintf(f, "%s target: %s",
				x->image[0] || x->field[0] || x->value[0] ? ";" : "", x->target);
		fputc('\n', f);
	}
	/* why and fix once per code: the reasons repeat across tasks */
	if (first && x->why[0])
		fprintf(f, "      why: %s\n", x->why);
	if (first && x->fix[0])
		fprintf(f, "      fix: %s\n", x->fix);
}

static void port_text(FILE *f, const struct crimg_check *k, const struct host_info *hi)
{
	const struct crimg_port_summary *s = hi->port;
	size_t n = crimg_check_count(k), ntasks = 0;
	uint32_t *tasks = calloc(n + 1, sizeof(*tasks));
	const char **said = calloc(n + 1, sizeof(*said));
	size_t nsaid = 0;
	fprintf(f, "\nportability to %s (the checkpoint is of %s):\n", s->target_arch,
		s->source_arch);
	/* the checkpoint as a whole first, then the tasks in the order found */
	tasks[ntasks++] = 0;
	for (size_t i = 0; tasks && i < n; i++) {
		const struct crimg_finding *x = crimg_check_get(k, i);
		int seen = 0;
		if (x->part != CRIMG_CHECK_PART_PORTABILITY)
			continue;
		for (size_t t = 0; t < ntasks && !seen; t++)
			seen = tasks[t] == x->task;
		if (!seen)
			tasks[ntasks++] = x->task;
	}
	for (size_t t = 0; tasks && said && t < ntasks; t++) {
		int head = 0;
		for (size_t i = 0; i < n; i++) {
			const struct crimg_finding *x = crimg_check_get(k, i);
			if (x->part != CRIMG_CHECK_PART_PORTABILITY || x->task != tasks[t])
				continue;
			if (!head++) {
				if (!tasks[t]) {
					fprintf(f, "\nthe checkpoint as a whole:\n");
				} else {
					struct crimg_error e;
					const struct crimg_task *tk = crimg_ckpt_task(hi->ckpt,
										      tasks[t], &e);
					const struct crimg_task_brief *b = tk
						? crimg_task_brief(hi->ckpt, tk, &e)
						: NULL;
					fprintf(f, "\npid %u (", tasks[t]);
					print_printable(f, b && b->comm ? b->comm : "?");
					fprintf(f, "):\n");
				}
			}
			int first = 1;
			for (size_t j = 0; j < nsaid && first; j++)
				first = strcmp(said[j], x->code) != 0;
			if (first)
				said[nsaid++] = x->code;
			port_finding(f, x, first);
		}
	}
	free(tasks);
	free(said);
	fprintf(f, "\n%zu blocking, %zu convertible, %zu irrelevant\nverdict: %s\n", s->blocks,
		s->convertible, s->irrelevant, s->text);
}

static void report_text(FILE *f, const struct check_cli *cli, const struct crimg_check *k,
			const struct host_info *hi)
{
	static const unsigned order[] = { CRIMG_CHECK_WILL_FAIL, CRIMG_CHECK_MAY_FAIL,
					  CRIMG_CHECK_NOTE };
	static const char *const heads[] = { "will fail", "may fail", "notes" };
	size_t n = crimg_check_count(k), counts[3] = { 0, 0, 0 };
	fprintf(f, "crit check: %s", cli->src);
	if (!strcmp(hi->source, "none"))
		fprintf(f,
			cli->offline ? " (offline: the images only)"
				     : " (no host description: the images only)");
	else if (!strcmp(hi->source, "probe"))
		fprintf(f, " against this host%s%s", cli->root ? ", root " : "",
			cli->root ? cli->root : "");
	else if (!strcmp(hi->source, "json"))
		fprintf(f, " against the host described in %s", hi->file);
	else
		fprintf(f, " against the host of the log %s", hi->file);
	if (cli->log_file)
		fprintf(f, ", log %s", cli->log_file);
	if (hi->port)
		fprintf(f, ", portability to %s", hi->port->target_arch);
	fputc('\n', f);
	for (size_t s = 0; s < 3; s++) {
		for (size_t i = 0; i < n; i++) {
			const struct crimg_finding *x = crimg_check_get(k, i);
			if (x && x->severity == order[s] && x->part != CRIMG_CHECK_PART_PORTABILITY)
				counts[s]++;
		}
		if (!counts[s])
			continue;
		fprintf(f, "\n%s (%zu):\n", heads[s], counts[s]);
		for (size_t i = 0; i < n; i++) {
			const struct crimg_finding *x = crimg_check_get(k, i);
			if (x && x->severity == order[s] && x->part != CRIMG_CHECK_PART_PORTABILITY)
				text_finding(f, x);
		}
	}
	fprintf(f, "\n%zu will fail, %zu may fail, %zu note%s: ", counts[0], counts[1], counts[2],
		counts[2] == 1 ? "" : "s");
	if (counts[0])
		fprintf(f, "the restore will fail\n");
	else if (counts[1])
		fprintf(f, "the restore may fail\n");
	else
		fprintf(f, "nothing found that would make the restore fail\n");
	if (hi->port)
		port_text(f, k, hi);
}

static void report_json(FILE *f, const struct check_cli *cli, const struct crimg_check *k,
			const struct host_info *hi)
{
	size_t n = crimg_check_count(k), counts[3] = { 0, 0, 0 };
	int worst = crimg_check_worst(k);
	struct xj j;
	xj_init(&j, f);
	xj_obj(&j, NULL);
	xj_str(&j, "source", cli->src);
	xj_arr(&j, "parts");
	xj_str(&j, NULL, "images");
	if (strcmp(hi->source, "none"))
		xj_str(&j, NULL, "host");
	if (cli->log_file)
		xj_str(&j, NULL, "log");
	if (hi->port)
		xj_str(&j, NULL, "portability");
	xj_end_arr(&j);
	xj_obj(&j, "host");
	xj_str(&j, "source", hi->source);
	xj_str(&j, "file", hi->file);
	if (hi->json) {
		/* the library's own JSON, spliced in as "description" */
		size_t len = hi->json_len;
		while (len && (hi->json[len - 1] == '\n' || hi->json[len - 1] == ' '))
			len--;
		xj_null(&j, "description");
		/* xj has no raw value: overwrite "null" by the description */
		fflush(f);
		fseek(f, -4, SEEK_CUR);
		/* indented as the member it is (JSON strings hold no raw newline) */
		for (size_t i = 0; i < len; i++) {
			fputc(hi->json[i], f);
			if (hi->json[i] == '\n')
				fputs("    ", f);
		}
	} else {
		xj_null(&j, "description");
	}
	xj_end_obj(&j);
	xj_arr(&j, "options");
	static const struct {
		unsigned flag;
		const char *name;
	} flags[] = {
		{ CRIMG_CHECK_TCP_ESTABLISHED, "tcp-established" },
		{ CRIMG_CHECK_TCP_CLOSE, "tcp-close" },
		{ CRIMG_CHECK_SHELL_JOB, "shell-job" },
		{ CRIMG_CHECK_EXT_UNIX_SK, "ext-unix-sk" },
		{ CRIMG_CHECK_FILE_LOCKS, "file-locks" },
		{ CRIMG_CHECK_SKIP_RWX, "skip-file-rwx-check" },
		{ CRIMG_CHECK_ALLOW_UPROBES, "allow-uprobes" },
		{ CRIMG_CHECK_NEW_PIDNS, "new-pidns" },
	};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (cli->opts.flags & flags[i].flag)
			xj_str(&j, NULL, flags[i].name);
	xj_end_arr(&j);
	xj_arr(&j, "ext_mount_keys");
	for (size_t i = 0; i < cli->n_keys; i++)
		xj_str(&j, NULL, cli->keys[i]);
	xj_end_arr(&j);
	xj_arr(&j, "findings");
	for (size_t i = 0; i < n; i++) {
		const struct crimg_finding *x = crimg_check_get(k, i);
		if (!x)
			continue;
		const struct crimg_check_reason *r = reason_of(x->code);
		if (x->severity <= CRIMG_CHECK_WILL_FAIL)
			counts[CRIMG_CHECK_WILL_FAIL - x->severity]++;
		xj_obj(&j, NULL);
		xj_str(&j, "code", x->code);
		xj_str(&j, "severity", sev_name(x->severity));
		xj_str(&j, "part", part_name(x->part));
		int port = x->part == CRIMG_CHECK_PART_PORTABILITY;
		if (port) {
			xj_str(&j, "verdict", verdict_name(x->severity));
			if (x->task)
				xj_u64(&j, "task", x->task);
			else
				xj_null(&j, "task");
		}
		xj_str(&j, "title", r ? r->title : "");
		xj_str(&j, "message", x->message);
		xj_obj(&j, "evidence");
		xj_str(&j, "image", x->image);
		if (x->entry >= 0)
			xj_i64(&j, "entry", x->entry);
		else
			xj_null(&j, "entry");
		xj_str(&j, "field", x->field);
		xj_str(&j, "value", x->value);
		xj_str(&j, "host", x->host);
		if (port)
			xj_str(&j, "target", x->target);
		xj_str(&j, "log", x->log);
		if (x->log_line > 0)
			xj_i64(&j, "log_line", x->log_line);
		else
			xj_null(&j, "log_line");
		xj_end_obj(&j);
		if (x->catalogue)
			xj_u64(&j, "catalogue", x->catalogue);
		else
			xj_null(&j, "catalogue");
		xj_str(&j, "why", x->why);
		xj_str(&j, "fix", x->fix);
		xj_end_obj(&j);
	}
	xj_end_arr(&j);
	xj_obj(&j, "counts");
	xj_u64(&j, "will-fail", counts[0]);
	xj_u64(&j, "may-fail", counts[1]);
	xj_u64(&j, "note", counts[2]);
	xj_end_obj(&j);
	xj_str(&j, "worst", worst < 0 ? "none" : sev_name((unsigned)worst));
	if (hi->port) {
		const struct crimg_port_summary *ps = hi->port;
		xj_obj(&j, "portability");
		xj_str(&j, "source_arch", ps->source_arch);
		xj_str(&j, "target_arch", ps->target_arch);
		xj_str(&j, "verdict", summary_verdict(ps->verdict));
		xj_str(&j, "summary", ps->text);
		xj_obj(&j, "counts");
		xj_u64(&j, "blocks", ps->blocks);
		xj_u64(&j, "convertible", ps->convertible);
		xj_u64(&j, "irrelevant", ps->irrelevant);
		xj_end_obj(&j);
		xj_end_obj(&j);
	} else {
		xj_null(&j, "portability");
	}
	xj_end_obj(&j);
	xj_finish(&j);
}

/* ---- the command ---- */

static int parse_args(int argc, char **argv, struct check_cli *cli)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "host", required_argument, NULL, O_HOST },
		{ "root", required_argument, NULL, O_ROOT },
		{ "offline", no_argument, NULL, O_OFFLINE },
		{ "log", required_argument, NULL, O_LOG },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "probe", no_argument, NULL, O_PROBE },
		{ "reasons", no_argument, NULL, O_REASONS },
		{ "container", required_argument, NULL, O_CTR },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "tcp-established", no_argument, NULL, O_TCP_EST },
		{ "tcp-close", no_argument, NULL, O_TCP_CLOSE },
		{ "shell-job", no_argument, NULL, O_SHELL_JOB },
		{ "ext-unix-sk", no_argument, NULL, O_EXT_UNIX },
		{ "file-locks", no_argument, NULL, O_FILE_LOCKS },
		{ "skip-file-rwx-check", no_argument, NULL, O_SKIP_RWX },
		{ "allow-uprobes", no_argument, NULL, O_UPROBES },
		{ "new-pidns", no_argument, NULL, O_NEW_PIDNS },
		{ "ext-mount-map", required_argument, NULL, O_EXT_MOUNT },
		{ "target-arch", required_argument, NULL, O_TARGET },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(check_usage, stdout);
			return 1;
		case O_HOST:
			cli->host_file = optarg;
			break;
		case O_ROOT:
			if (!*optarg)
				return usage_error("check", "--root needs a directory");
			cli->root = optarg;
			cli->opts.flags |= CRIMG_CHECK_ROOT;
			break;
		case O_OFFLINE:
			cli->offline = 1;
			break;
		case O_LOG:
			cli->log_file = optarg;
			break;
		case O_FORMAT:
			if (!strcmp(optarg, "json"))
				cli->json = 1;
			else if (!strcmp(optarg, "text"))
				cli->json = 0;
			else
				return usage_error("check",
						   "--format must be text or json, not '%s'",
						   optarg);
			break;
		case O_PROBE:
			cli->probe = 1;
			break;
		case O_REASONS:
			cli->reasons = 1;
			break;
		case O_CTR:
			cli->container = optarg;
			break;
		case O_LIMIT:
			if (tool_add_limits(optarg) < 0)
				return EXIT_USAGE;
			break;
		case O_TCP_EST:
			cli->opts.flags |= CRIMG_CHECK_TCP_ESTABLISHED;
			break;
		case O_TCP_CLOSE:
			cli->opts.flags |= CRIMG_CHECK_TCP_CLOSE;
			break;
		case O_SHELL_JOB:
			cli->opts.flags |= CRIMG_CHECK_SHELL_JOB;
			break;
		case O_EXT_UNIX:
			cli->opts.flags |= CRIMG_CHECK_EXT_UNIX_SK;
			break;
		case O_FILE_LOCKS:
			cli->opts.flags |= CRIMG_CHECK_FILE_LOCKS;
			break;
		case O_SKIP_RWX:
			cli->opts.flags |= CRIMG_CHECK_SKIP_RWX;
			break;
		case O_UPROBES:
			cli->opts.flags |= CRIMG_CHECK_ALLOW_UPROBES;
			break;
		case O_NEW_PIDNS:
			cli->opts.flags |= CRIMG_CHECK_NEW_PIDNS;
			break;
		case O_EXT_MOUNT: {
			char *colon = strchr(optarg, ':');
			if (!colon || colon == optarg || !colon[1])
				return usage_error("check",
						   "--ext-mount-map needs KEY:VALUE, not '%s'",
						   optarg);
			*colon = '\0'; /* the key is what the check needs */
			const char **nk = realloc(cli->keys, (cli->n_keys + 1) * sizeof(*nk));
			if (!nk)
				return error("out of memory"), EXIT_USAGE;
			cli->keys = nk;
			cli->keys[cli->n_keys++] = optarg;
			break;
		}
		case O_TARGET:
			if (!(cli->target = crimg_port_arch(optarg)))
				return usage_error("check",
						   "--target-arch must be x86_64, aarch64 or s390x, "
						   "not '%s'",
						   optarg);
			break;
		default:
			return getopt_error("check", c, argv);
		}
	}
	if (cli->reasons) {
		if (argc - optind > 0)
			return usage_error("check", "--reasons takes no SRC");
		return 0;
	}
	if (argc - optind > 1)
		return usage_error("check", "unrecognized arguments: %s", argv[optind + 1]);
	cli->src = argc - optind == 1 ? argv[optind] : NULL;
	if (cli->probe) {
		if (cli->target)
			return usage_error("check",
					   "--probe describes this host: it takes no "
					   "--target-arch");
		if (cli->host_file || cli->offline || cli->log_file)
			return usage_error("check",
					   "--probe describes this host: it takes no "
					   "--host, --offline or --log");
		return 0;
	}
	if (!cli->src)
		return usage_error("check", "expected SRC (a checkpoint directory or archive)");
	if (cli->offline && cli->host_file)
		return usage_error("check", "--offline and --host exclude each other");
	/* with --target-arch, --root names the target's file system (no probe) */
	if (cli->root && cli->target && cli->host_file)
		return usage_error("check",
				   "--root and --host both say what the target's files "
				   "are: give one");
	if (cli->root && !cli->target && (cli->host_file || cli->offline))
		return usage_error("check", "--root is for probing this host: not with %s",
				   cli->offline ? "--offline" : "--host");
	if (cli->host_file && cli->log_file && !strcmp(cli->host_file, "-") &&
	    !strcmp(cli->log_file, "-"))
		return usage_error("check", "--host and --log cannot both read standard input");
	if (!strcmp(cli->src, "-") &&
	    ((cli->host_file && !strcmp(cli->host_file, "-")) ||
	     (cli->log_file && !strcmp(cli->log_file, "-"))))
		return usage_error("check",
				   "SRC and --host or --log cannot both read standard input");
	cli->opts.ext_mount_keys = cli->keys;
	cli->opts.n_ext_mount_keys = cli->n_keys;
	return 0;
}

static struct crimg_ckpt *open_src(const struct check_cli *cli)
{
	struct crimg_ckpt_opts co = { .container = cli->container, .limits = tool_limits() };
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_ckpt *c = crimg_ckpt_open(cli->src, &co, &err);
	if (!c)
		error_crimg(&err);
	return c;
}

/* crit check --probe [SRC]: this host as JSON. */
static int do_probe(const struct check_cli *cli)
{
	struct crimg_ckpt *c = NULL;
	struct crimg_error err;
	int rc = EXIT_USAGE;
	if (cli->src && !(c = open_src(cli)))
		return EXIT_USAGE;
	crimg_error_clear(&err);
	struct crimg_host *h = crimg_host_probe(cli->root, c, &err);
	if (!h) {
		error("probing this host: %s", err.msg[0] ? err.msg : "out of memory");
	} else {
		size_t len = 0;
		char *js = crimg_host_json(h, &len);
		if (!js) {
			error("writing the host description: out of memory");
		} else {
			fwrite(js, 1, len, stdout);
			if (len && js[len - 1] != '\n')
				putchar('\n');
			rc = 0;
			free(js);
		}
	}
	crimg_host_free(h);
	crimg_ckpt_close(c);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	struct check_cli cli;
	memset(&cli, 0, sizeof(cli));
	int rc = parse_args(argc, argv, &cli);
	if (rc) {
		free(cli.keys);
		return rc == 1 ? 0 : rc;
	}
	if (cli.reasons) {
		free(cli.keys);
		return print_reasons(stdout, cli.json);
	}
	if (cli.probe) {
		free(cli.keys);
		return do_probe(&cli);
	}

	const struct crimg_limits *lim = tool_limits();
	struct crimg_ckpt *c = NULL;
	struct crimg_check *k = NULL;
	struct crimg_host *h = NULL, *files = NULL;
	struct crimg_port_summary ps;
	struct host_info hi = { .source = "none" };
	char *log = NULL, *hostjs = NULL;
	size_t log_len = 0;
	struct crimg_error err;
	crimg_error_clear(&err);
	rc = EXIT_USAGE;

	/* the inputs first: trouble with any of them is exit 2 */
	if (cli.log_file) {
		int cut = 0;
		if (!(log = read_all(cli.log_file, lim->max_json, &log_len, &cut)))
			goto out;
		if (cut)
			fprintf(stderr,
				"crit: warning: %s: only its first %zu bytes are read" CRIMG_LIMIT_HINT(
					"json") "\n",
				cli.log_file, log_len);
	}
	if (!(c = open_src(&cli)))
		goto out;
	if (!(k = crimg_check_new())) {
		error("out of memory");
		goto out;
	}
	if (cli.host_file) {
		size_t len = 0;
		int cut = 0;
		if (!(hostjs = read_all(cli.host_file, lim->max_json, &len, &cut)))
			goto out;
		if (cut) {
			error("%s: larger than the 'json' limit" CRIMG_LIMIT_HINT("json"),
			      cli.host_file);
			goto out;
		}
		if (!(h = crimg_host_from_json(hostjs, len, &err))) {
			if (err.line > 0)
				error("%s: line %d column %d: %s", cli.host_file, err.line,
				      err.column, err.msg);
			else
				error("%s: %s", cli.host_file,
				      err.msg[0] ? err.msg : "out of memory");
			goto out;
		}
		hi.source = "json";
		hi.file = strcmp(cli.host_file, "-") ? cli.host_file : "stdin";
	} else if (!cli.offline && cli.log_file && !cli.root) {
		h = crimg_host_from_log(log, log_len, &err);
		if (h) {
			hi.source = "log";
			hi.file = strcmp(cli.log_file, "-") ? cli.log_file : "stdin";
		} else {
			/* e.g. no log was written: the images and the log only */
			fprintf(stderr,
				"crit: warning: %s: no header that describes the host it ran on"
				"%s%s: the host part is skipped (give --host FILE)\n",
				cli.log_file, err.msg[0] ? ": " : "", err.msg);
			crimg_error_clear(&err);
		}
	} else if (!cli.offline && !cli.target) {
		if (!(h = crimg_host_probe(cli.root, c, &err))) {
			error("probing this host: %s", err.msg[0] ? err.msg : "out of memory");
			goto out;
		}
		hi.source = "probe";
	}
	if (h)
		hi.json = crimg_host_json(h, &hi.json_len);
	/* --target-arch: the host described must be the target; --root names
	 * the target's file system, looked up here for its ELF files only */
	if (cli.target && h && !strcmp(hi.source, "json") && *crimg_host_arch(h)) {
		const char *ha = crimg_port_arch(crimg_host_arch(h));
		if (!ha || strcmp(ha, cli.target)) {
			error("--target-arch %s, but %s describes a host of %s", cli.target,
			      hi.file, crimg_host_arch(h));
			goto out;
		}
	}
	if (cli.target && cli.root && !(files = crimg_host_probe(cli.root, c, &err))) {
		error("looking at %s: %s", cli.root, err.msg[0] ? err.msg : "out of memory");
		goto out;
	}

	crimg_error_clear(&err);
	struct crimg_port_opts po = { .target_arch = cli.target,
				      .host = strcmp(hi.source, "json") ? NULL : h,
				      .files = files
					      ? files
					      : (h && !strcmp(hi.source, "json") ? h : NULL) };
	if (crimg_check_images(k, c, &err) < 0 ||
	    (h && crimg_check_host(k, c, h, &cli.opts, &err) < 0) ||
	    (log && crimg_check_log(k, c, log, log_len, &err) < 0) ||
	    (cli.target && crimg_check_portability(k, c, &po, &ps, &err) < 0)) {
		error("checking %s: %s", cli.src, err.msg[0] ? err.msg : "out of memory");
		goto out;
	}
	hi.port = cli.target ? &ps : NULL;
	hi.ckpt = c;

	/* into memory first: an error half-way prints nothing */
	char *buf = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&buf, &len);
	if (!mf) {
		error("out of memory");
		goto out;
	}
	if (cli.json)
		report_json(mf, &cli, k, &hi);
	else
		report_text(mf, &cli, k, &hi);
	if (fclose(mf) != 0 || !buf) {
		free(buf);
		error("out of memory");
		goto out;
	}
	fwrite(buf, 1, len, stdout);
	free(buf);
	rc = crimg_check_worst(k) == CRIMG_CHECK_WILL_FAIL ? 1 : 0;
out:
	free(hi.json);
	free(hostjs);
	free(log);
	crimg_host_free(h);
	crimg_host_free(files);
	crimg_check_free(k);
	crimg_ckpt_close(c);
	free(cli.keys);
	return rc;
}
