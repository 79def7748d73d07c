/* crit core: processes of a checkpoint as ELF core files, for gdb. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crimg/elfcore.h"
#include "crimg/model.h"
#include "crit.h"
#include "jsonout.h"
#include "progress.h"
#include "util.h"

static const char core_usage[] =
	"usage: crit core [options] SRC [--pid PID ... | --all] [-o FILE | -d DIR]\n"
	"\n"
	"Write processes of a checkpoint as ELF core files that gdb opens:\n"
	"\n"
	"  gdb /path/to/program core.PID\n"
	"\n"
	"A core is the one the kernel would have written for the process at the\n"
	"moment of the dump, on the machine it was dumped on: x86_64, aarch64 or\n"
	"s390x (big-endian), whatever this machine is (use gdb-multiarch for\n"
	"another architecture's core); the page size is the saved auxv's.\n"
	"\n"
	"It holds every thread's registers (NT_PRSTATUS, with pending and blocked\n"
	"signals; floating-point and vector state: NT_FPREGSET, x86's\n"
	"NT_X86_XSTATE with XCR0 and every component the images hold, aarch64's\n"
	"NT_ARM_TLS and NT_ARM_PAC_MASK, s390x's vector and control-block notes),\n"
	"the process (NT_PRPSINFO), the first pending signal (NT_SIGINFO), the\n"
	"saved auxv (NT_AUXV) and the file mappings (NT_FILE).  Its memory is one\n"
	"PT_LOAD per run of a mapping: the pages the checkpoint holds, from the\n"
	"parents of an incremental dump and from shared memory, memfd and SysV\n"
	"segments too; anonymous pages never saved read as zeros (holes in the\n"
	"file); pages of file mappings that CRIU did not save (they equal the\n"
	"file) are left out, so gdb reads them from the executable and the\n"
	"libraries it is given ('set sysroot' where they live elsewhere).\n"
	"\n"
	"SRC is a CRIU images directory, a container checkpoint archive or OCI\n"
	"checkpoint image, or a JSON bundle or directory (as for crit mem).\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help message and exit\n"
	"  -p, --pid PID         the process to write (again for more); zombies\n"
	"                        have no memory or registers and are refused\n"
	"  --all                 every process (the default), zombies skipped\n"
	"  -o, --output FILE     the core of the one process (with --pid or a\n"
	"                        checkpoint of one process; '-': stdout)\n"
	"  -d, --dir DIR         write DIR/core.PID for each (default: the current\n"
	"                        directory); DIR is made when missing\n"
	"  --format text|json    the summary on stdout (default text): each core\n"
	"                        written, its threads, segments and bytes\n"
	"  --container NAME      the container of a pod archive (default: the first)\n"
	"\n"
	"A core appears only when complete (through a temporary file renamed at\n"
	"the end) and keeps an existing file's mode, owner and group; a symlink is\n"
	"followed; a device, FIFO or socket is written directly, without holes.\n"
	"On a terminal, a large process shows its progress on stderr.\n"
	"\n"
	"Exit status: 0 every core written; 1 a process could not be written (the\n"
	"others still are), or SRC cannot be read; 2 usage error.\n"
	"\n"
	"examples:\n"
	"  crit core ckpt/ --pid 42 -o core.42 && gdb ./server core.42\n"
	"  crit core checkpoint.tar.zst -d cores/\n"
	"  gdb-multiarch -batch -ex 'info registers' -c core.7 # an aarch64 core\n";

enum {
	OPT_ALL = 256,
	OPT_FORMAT,
	OPT_CONTAINER
};

struct core_args {
	const char *src, *output, *dir, *container;
	uint32_t *pids;
	size_t n_pids;
	int all, json;
};

static int parse_pid(const char *s, uint32_t *v)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long x = strtoul(s, &end, 10);
	if (errno || *end || !x || x > UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int parse(int argc, char **argv, struct core_args *a, int *done)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "pid", required_argument, NULL, 'p' },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "output", required_argument, NULL, 'o' },
		{ "dir", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "container", required_argument, NULL, OPT_CONTAINER },
		{ NULL, 0, NULL, 0 },
	};
	memset(a, 0, sizeof(*a));
	*done = 0;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":hp:o:d:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(core_usage, stdout);
			*done = 1;
			return 0;
		case 'p': {
			uint32_t pid;
			if (parse_pid(optarg, &pid) < 0)
				return usage_error("core", "--pid %s: not a process id", optarg);
			uint32_t *p = realloc(a->pids, (a->n_pids + 1) * sizeof(*p));
			if (!p)
				return error("out of memory"), 1;
			a->pids = p;
			a->pids[a->n_pids++] = pid;
			break;
		}
		case OPT_ALL:
			a->all = 1;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'd':
			a->dir = optarg;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "json"))
				a->json = 1;
			else if (strcmp(optarg, "text"))
				return usage_error("core", "--format %s: text or json", optarg);
			break;
		case OPT_CONTAINER:
			a->container = optarg;
			break;
		default:
			return getopt_error("core", c, argv);
		}
	}
	if (optind >= argc)
		return usage_error("core", "no SRC given");
	if (argc - optind > 1)
		return usage_error("core", "one SRC only (%s is extra)", argv[optind + 1]);
	a->src = argv[optind];
	if (a->all && a->n_pids)
		return usage_error("core", "--all and --pid do not go together");
	if (a->output && a->dir)
		return usage_error("core", "-o names one file, -d a directory: not both");
	if (a->output && (a->all || a->n_pids > 1))
		return usage_error("core", "-o names one file: give one process with --pid");
	if (a->output && !strcmp(a->output, "-") && a->json)
		return usage_error("core",
				   "the core goes to stdout (-o -): the JSON summary cannot");
	if (a->output && !*a->output)
		return usage_error("core", "-o: an empty file name");
	if (a->dir && !*a->dir)
		return usage_error("core", "-d: an empty directory name");
	return 0;
}

static const struct progress_style core_progress = { .name = "crit core", .every = 0.1 };

static int make_dir(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return error("%s: not a directory", dir);
		return 0;
	}
	if (errno != ENOENT || mkdir(dir, 0777) < 0)
		return error("%s: %s", dir, strerror(errno));
	return 0;
}

static void summary_json(struct xj *j, const struct crimg_core_summary *s, const char *file)
{
	xj_obj(j, NULL);
	xj_u64(j, "pid", s->pid);
	xj_str(j, "comm", s->comm);
	xj_str(j, "file", file);
	xj_str(j, "arch", s->arch);
	xj_str(j, "byte_order", s->big_endian ? "big" : "little");
	xj_u64(j, "page_size", s->page_size);
	xj_u64(j, "e_machine", s->e_machine);
	xj_u64(j, "threads", s->threads);
	xj_u64(j, "notes", s->notes);
	xj_u64(j, "segments", s->segments);
	xj_u64(j, "vmas", s->vmas);
	xj_u64(j, "file_mappings", s->file_maps);
	xj_bool(j, "siginfo", s->has_siginfo);
	if (!strcmp(s->arch, "x86_64"))
		xj_hex(j, "xcr0", s->xcr0);
	xj_obj(j, "bytes");
	xj_u64(j, "mapped", s->mapped);
	xj_u64(j, "data", s->data);
	xj_u64(j, "zero", s->zero);
	xj_u64(j, "from_files", s->from_files);
	xj_u64(j, "core_file", s->file_size);
	xj_end_obj(j);
	xj_end_obj(j);
}

static void mib(char *b, size_t len, uint64_t v)
{
	if (v < 1024 * 1024)
		snprintf(b, len, "%" PRIu64 " KiB", (v + 1023) / 1024);
	else
		snprintf(b, len, "%.1f MiB", (double)v / (1024.0 * 1024.0));
}

static void summary_text(FILE *f, const struct crimg_core_summary *s, const char *file)
{
	char m[32], d[32];
	mib(m, sizeof(m), s->mapped);
	mib(d, sizeof(d), s->data);
	fprintf(f,
		"%s: pid %" PRIu32 " (%s), %s%s, %zu thread%s, %zu segments, %s mapped, %s saved\n",
		file, s->pid, s->comm, s->arch, s->big_endian ? " big-endian" : "", s->threads,
		s->threads == 1 ? "" : "s", s->segments, m, d);
}

/* The processes to write: those asked for, or every one of the tree. */
static int pick(struct crimg_ckpt *c, struct core_args *a, uint32_t **pids, size_t *n,
		int *explicit)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	*explicit = a->n_pids > 0;
	if (a->n_pids) {
		*pids = a->pids;
		*n = a->n_pids;
		a->pids = NULL;
		return 0;
	}
	if (crimg_ckpt_is_predump(c))
		return error("%s is a pre-dump (memory only): it has no registers for a core",
			     a->src);
	const struct crimg_tree *t = crimg_ckpt_tree(c, &err);
	if (!t)
		return error_crimg(&err);
	*pids = malloc((t->n_tasks ? t->n_tasks : 1) * sizeof(**pids));
	if (!*pids)
		return error("out of memory");
	for (size_t i = 0; i < t->n_tasks; i++)
		(*pids)[i] = t->order[i]->pid;
	*n = t->n_tasks;
	return 0;
}

static int zombie(struct crimg_ckpt *c, uint32_t pid)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_task *t = crimg_ckpt_task(c, pid, &err);
	const struct crimg_task_brief *b = t ? crimg_task_brief(c, t, &err) : NULL;
	return b && (b->state == CRIMG_TASK_ZOMBIE || b->state == CRIMG_TASK_DEAD);
}

int cmd_core(int argc, char **argv)
{
	struct core_args a;
	int done;
	int rc = parse(argc, argv, &a, &done);
	if (rc || done) {
		free(a.pids);
		return rc;
	}
	struct progress pr;
	progress_init(&pr, &core_progress, PROGRESS_TTY, "reading");
	struct crimg_ckpt_opts co = {
		.limits = tool_limits(),
		.container = a.container,
		.progress = progress_cb,
		.progress_arg = &pr,
		.keep_pages = 1,
	};
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_ckpt *c = crimg_ckpt_open(a.src, &co, &err);
	progress_done(&pr);
	if (!c) {
		free(a.pids);
		error_crimg(&err);
		return 1;
	}
	uint32_t *pids = NULL;
	size_t n = 0;
	int explicit = 0;
	rc = 1;
	if (pick(c, &a, &pids, &n, &explicit) < 0)
		goto out;
	if (a.output && n != 1) {
		rc = usage_error("core",
				 "-o names one file and %s has %zu processes: give one with --pid",
				 a.src, n);
		goto out;
	}
	const char *dir = a.dir ? a.dir : ".";
	if (!a.output && a.dir && make_dir(a.dir) < 0)
		goto out;
	int to_stdout = a.output && !strcmp(a.output, "-");
	FILE *sf = to_stdout ? stderr : stdout;
	struct xj j;
	if (a.json) {
		xj_init(&j, stdout);
		xj_obj(&j, NULL);
		xj_str(&j, "source", a.src);
		xj_arr(&j, "cores");
	}
	size_t failed = 0, skipped = 0;
	uint32_t *skip = calloc(n ? n : 1, sizeof(*skip));
	if (!skip) {
		error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!explicit && zombie(c, pids[i])) {
			skip[skipped++] = pids[i];
			continue;
		}
		char path[4096];
		if (a.output)
			snprintf(path, sizeof(path), "%s", a.output);
		else if ((size_t)snprintf(path, sizeof(path), "%s/core.%" PRIu32, dir, pids[i]) >=
			 sizeof(path)) {
			error("%s: the directory's name is too long", dir);
			failed++;
			continue;
		}
		char what[64];
		snprintf(what, sizeof(what), "process %" PRIu32, pids[i]);
		progress_init(&pr, &core_progress, PROGRESS_TTY, what);
		struct crimg_core_opts o = { .progress = progress_cb, .progress_arg = &pr };
		struct crimg_core_summary s;
		crimg_error_clear(&err);
		int r = crimg_core_write_path(c, pids[i], path, progress_on(&pr) ? &o : NULL, &s,
					      &err);
		progress_done(&pr);
		if (r < 0) {
			error_crimg(&err);
			failed++;
			continue;
		}
		const char *name = to_stdout ? "stdout" : path;
		if (a.json)
			summary_json(&j, &s, name);
		else
			summary_text(sf, &s, name);
	}
	if (a.json) {
		xj_end_arr(&j);
		xj_arr(&j, "skipped");
		for (size_t i = 0; i < skipped; i++) {
			xj_obj(&j, NULL);
			xj_u64(&j, "pid", skip[i]);
			xj_str(&j, "reason", "zombie");
			xj_end_obj(&j);
		}
		xj_end_arr(&j);
		xj_u64(&j, "failed", failed);
		xj_end_obj(&j);
		xj_finish(&j);
	} else {
		for (size_t i = 0; i < skipped; i++)
			fprintf(sf,
				"pid %" PRIu32
				": a zombie, no core (it has no memory or registers)\n",
				skip[i]);
	}
	free(skip);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		error("stdout: write error");
		goto out;
	}
	rc = failed ? 1 : 0;
out:
	free(pids);
	free(a.pids);
	crimg_ckpt_close(c);
	return rc;
}
