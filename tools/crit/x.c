/* crit x: explore a checkpoint (a directory or a container archive). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crit.h"
#include "progress.h"
#include "util.h"
#include "x.h"

/* before the list of views, which comes from the table below */
static const char x_usage_head[] =
	"usage: crit x [-h] [--format text|json] [--pid PID] [--container NAME]\n"
	"              [--tls-key KEY] SRC VIEW\n"
	"\n"
	"Explore a checkpoint: its processes, their files, memory and sockets, and\n"
	"the mounts, namespaces and cgroups around them.\n"
	"\n"
	"SRC is a CRIU images directory, an unpacked container checkpoint (images\n"
	"in checkpoint/), a container checkpoint archive (.tar, .tar.gz, .tar.zst)\n"
	"from Podman, CRI-O or containerd ('-': one read from standard input), an\n"
	"OCI checkpoint image, as a layout directory or an oci-archive (found by\n"
	"content, or named as skopeo names them: oci:DIR[:REF], oci-archive:FILE[:REF],\n"
	"REF the image's ref name where it holds several), or a JSON bundle or JSON\n"
	"directory made by 'crit convert' (edited or not).\n"
	"Archives are read lazily, never unpacked: a view reads only the members it\n"
	"needs, and page data is decompressed (into an unnamed temporary file, which\n"
	"an interruption cannot leave behind) only by views that show memory.\n"
	"\n"
	"views (the first four print exactly what CRIU's 'crit x' prints):\n";

/* after the list of views */
static const char x_usage_tail[] =
	"\n"
	"options:\n"
	"  -h, --help          show this help message and exit\n"
	"  --format text|json  output format (default text)\n"
	"  -p, --pid PID       only this process (views that list processes)\n"
	"  --container NAME    the container of a pod archive (default: the first)\n"
	"  --tls-key KEY       accepted for compatibility with crit; encrypted\n"
	"                      images (cipher.img) are not supported\n"
	"\n"
	"Where crit stops, this goes on: a zombie (CRIU keeps only its core image)\n"
	"is shown as one, with how it exited; pagemaps of CRIU 3.x are read.\n"
	"\n"
	"JSON (--format json): one object; every view but cgroups, mounts and\n"
	"stats has \"tasks\", one object per process with \"pid\", \"comm\" and \"state\"\n"
	"(\"alive\", \"zombie\" with \"exit_status\" or \"exit_signal\", \"stopped\"):\n"
	"  ps       + ppid, pgid, sid, depth, threads[], children[] (tree order)\n"
	"  fds      + files_id, fds[] {fd, cloexec, type, id, text (crit's words),\n"
	"           file}, cwd and root {id, text, file}, umask.  file: {id, type,\n"
	"           ...}: REG path, flags, access (r, w, rw), pos, size, mode,\n"
	"           remap (ghost, linked, procfs), deleted, ghost_size; PIPE/FIFO\n"
	"           pipe_id, peers[] (ids of the other ends), access or path;\n"
	"           UNIXSK ino, sock_type, state, name (abstract: \"@...\"; a path\n"
	"           without its ending NUL), peer_ino, peer_id, backlog; INETSK\n"
	"           ino, family, sock_type, proto, state,\n"
	"           src, src_port, dst, dst_port, backlog, v6only; EVENTFD counter;\n"
	"           EVENTPOLL targets[] {fd, events, data, target {id, type, text}};\n"
	"           SIGNALFD sigmask, signals[]; TIMERFD clock, ticks, value and\n"
	"           interval {sec, nsec}; INOTIFY watches[] {wd, path, mask, ino,\n"
	"           dev}; MEMFD name, flags, pos, size, seals, shmid; PIDFD pid;\n"
	"           TTY path, tty_type, index; NS ns_type, ns_id; and so on\n"
	"  mems     + exe {id, text, file}, size, vmas[] {start, end, size, perms,\n"
	"           kind (anon, file, heap, stack, vdso, vvar, vsyscall, shmem,\n"
	"           sysvipc, memfd, ...), name, pgoff, shmid, file_id, flags, status}\n"
	"  rss      + pages_id, pagemap[] {vaddr, nr_pages, flags, vmas[]},\n"
	"           pages_present, pages_in_parent, pages_lazy\n"
	"  sk       + sockets[] {fd, the file members above}\n"
	"  core     + arch, blocked, pending[] (shared), sigactions[] {signo,\n"
	"           signal, handler, flags, mask}, itimer_real/virtual/prof,\n"
	"           posix_timers[], rlimits[] {name, cur, max}, threads[] {tid,\n"
	"           creds {uid[4], gid[4], groups, cap_*}, blocked, pending[],\n"
	"           pc, sp, tls, regs {NAME: value}}.  pending: {signo, signal,\n"
	"           code, code_name (SI_QUEUE, CLD_EXITED, ...), errno, layout,\n"
	"           and by layout: kill pid, uid; rt pid, uid, value; chld pid,\n"
	"           uid, status; timer timerid, overrun, value; poll band, fd;\n"
	"           fault addr; sys addr, syscall, arch; short bytes (siginfo\n"
	"           too short)}\n"
	"  env, cmdline  + strings[], address\n"
	"  ns       + namespaces {pid, net, ...: {id, image}}; and top-level uts[]\n"
	"  cgroups  sets[] {id, controllers[] {name, path}, tasks[]}\n"
	"  mounts   namespaces[] {mnt_ns, mounts[] {mnt_id, parent, fstype, source,\n"
	"           mountpoint, root, options, flags, shared_id, master_id, external}}\n"
	"  stats    the fields of stats-dump, times in microseconds\n"
	"Addresses, masks and flag words are strings (\"0x7f3a...\"); counts are\n"
	"numbers, exact to 64 bits.\n"
	"\n"
	"Exit status: 0 success, 1 a missing or damaged image (named on stderr),\n"
	"2 usage error.  A dump without cgroup.img, mountpoints-N.img or\n"
	"stats-dump is no error: cgroups, mounts and stats say so.  A pre-dump\n"
	"(memory images only) has no processes to show: the views of processes\n"
	"say \"SRC is a pre-dump (memory only): use crit mem or crit diff\" and\n"
	"exit 1.\n"
	"\n"
	"examples:\n"
	"  crit x /var/lib/criu/dump ps\n"
	"  crit x checkpoint.tar.zst fds --pid 42 --format json\n"
	"  crit x pod-checkpoint.tar --container web mounts\n"
	"  podman container checkpoint --export /dev/stdout web | crit x - ps\n";

/* The one list of views: the help, the "which view?" and "unknown view"
 * messages and the dispatch all come from it.  help: lines after the first
 * are indented under it. */
static const struct {
	const char *name;
	int (*fn)(struct xctx *x);
	const char *help;
} views[] = {
	{ "ps", x_ps, "the process tree: PID, PGID, SID and command, children indented" },
	{ "fds", x_fds,
	  "per process: each descriptor and what it is (path, pipe[INODE],\n"
	  "unix[INODE (PEER) NAME], TYPE.ID for the rest), then cwd and root" },
	{ "mems", x_mems,
	  "per process: the executable, then every mapping with its\n"
	  "permissions and what it maps (file + offset, (s) if shared,\n"
	  "[stack], [vdso], shmem[N], ...; '*' marks irregular ones)" },
	{ "rss", x_rss,
	  "per process: each run of saved pages (address / pages) beside\n"
	  "the mappings it falls in (address / pages, file); '~' repeats" },
	{ "sk", x_sk,
	  "sockets of every process: protocol, state, local and peer (unix\n"
	  "names as ss shows them, cut in the middle to fit the column)" },
	{ "core", x_core,
	  "per process: state, credentials, blocked signals, pending\n"
	  "signals (with who sent them: the saved siginfo), signal handlers,\n"
	  "timers, limits, and each thread's registers (as its architecture\n"
	  "names them: x86_64, aarch64, s390x, ppc64le, arm, ...), blocked\n"
	  "mask (threads but the first) and pending signals" },
	{ "env", x_env, "the environment of every process, read from its memory" },
	{ "cmdline", x_cmdline, "the command line of every process, read from its memory" },
	{ "mounts", x_mounts, "the mounts of each mount namespace (mountpoints-N.img)" },
	{ "ns", x_ns, "the namespaces of every process, and what the dump holds on them" },
	{ "cgroups", x_cgroups, "the cgroup sets (cgroup.img) and which processes are in each" },
	{ "stats", x_stats, "CRIU's dump statistics (stats-dump): times and page counts" },
};
#define N_VIEWS (sizeof(views) / sizeof(views[0]))

static void print_usage(void)
{
	fputs(x_usage_head, stdout);
	for (size_t i = 0; i < N_VIEWS; i++) {
		printf("  %-8s ", views[i].name);
		for (const char *h = views[i].help; *h; h++) {
			putchar(*h);
			if (*h == '\n')
				printf("%11s", "");
		}
		putchar('\n');
	}
	fputs(x_usage_tail, stdout);
}

/* "ps, fds, mems, ..." */
static const char *view_names(char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < N_VIEWS && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", views[i].name);
	return buf;
}

int x_fail(const struct crimg_error *e)
{
	error_crimg(e);
	return 1;
}

int x_selected(const struct xctx *x, const struct crimg_task *t)
{
	return !x->have_pid || t->pid == x->pid;
}

int x_zombie(struct xctx *x, const struct crimg_task *t, const struct crimg_task_core **core)
{
	char name[64];
	*core = NULL;
	/* the cheap answer first: a task with ids is no zombie */
	snprintf(name, sizeof(name), "ids-%u.img", t->pid);
	if (crimg_ckpt_has(x->c, name))
		return 0;
	struct crimg_error err;
	crimg_error_clear(&err);
	*core = crimg_task_core(x->c, t, &err);
	if (!*core) {
		x_fail(&err);
		return -1;
	}
	return crimg_task_is_zombie(*core);
}

int x_next_task(struct xctx *x, const struct crimg_tree *tr, size_t *i, const struct crimg_task **t,
		const struct crimg_task_core **core, int *zombie)
{
	while (*i < tr->n_tasks) {
		const struct crimg_task *cand = &tr->tasks[(*i)++];
		if (!x_selected(x, cand))
			continue;
		int z = x_zombie(x, cand, core);
		if (z < 0)
			return -1;
		*t = cand;
		*zombie = z;
		return 1;
	}
	return 0;
}

const char *x_exit_str(uint32_t code, char *buf, size_t len)
{
	if (code & 0x7f)
		snprintf(buf, len, "killed by signal %u", code & 0x7f);
	else
		snprintf(buf, len, "exited with status %u", (code >> 8) & 0xff);
	return buf;
}

/* progress on a terminal, for archives that take a while to read */
static const struct progress_style progress_style = { .name = "crit x" };

int cmd_x(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "format", required_argument, NULL, 'f' },
		{ "pid", required_argument, NULL, 'p' },
		{ "container", required_argument, NULL, 'C' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	struct xctx x;
	memset(&x, 0, sizeof(x));
	const char *container = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hp:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_usage();
			return 0;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				x.json = 1;
			else if (strcmp(optarg, "text") != 0)
				return usage_error("x", "--format must be text or json, not '%s'",
						   optarg);
			break;
		case 'p': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || v > UINT32_MAX)
				return usage_error("x", "--pid needs a process id, not '%s'",
						   optarg);
			x.have_pid = 1;
			x.pid = (uint32_t)v;
			break;
		}
		case 'C':
			container = optarg;
			break;
		case 'K': /* crit's option for encrypted images: accepted */
			break;
		default:
			return getopt_error("x", c, argv);
		}
	}
	char names[256];
	if (argc - optind < 2) {
		if (argc - optind)
			return usage_error("x", "which view? (%s)",
					   view_names(names, sizeof(names)));
		return usage_error("x", "expected SRC and a view");
	}
	if (argc - optind > 2)
		return usage_error("x", "unrecognized arguments: %s", argv[optind + 2]);
	const char *src = argv[optind], *view = argv[optind + 1];
	int (*fn)(struct xctx *) = NULL;
	for (size_t i = 0; i < N_VIEWS; i++)
		if (strcmp(views[i].name, view) == 0)
			fn = views[i].fn;
	if (!fn)
		return usage_error("x", "unknown view '%s' (choose from %s)", view,
				   view_names(names, sizeof(names)));

	struct progress pr;
	progress_init(&pr, &progress_style, PROGRESS_TTY, NULL);
	struct crimg_ckpt_opts o = { .container = container, .limits = tool_limits() };
	if (progress_on(&pr)) {
		o.progress = progress_cb;
		o.progress_arg = &pr;
	}
	struct crimg_error err;
	crimg_error_clear(&err);
	x.c = crimg_ckpt_open(src, &o, &err);
	progress_done(&pr);
	if (!x.c)
		return x_fail(&err);
	x.src = src;
	x.out = stdout;
	/* a large buffer: views print many short lines */
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	xj_init(&x.j, stdout);
	if (x.have_pid && !crimg_ckpt_task(x.c, x.pid, &err)) {
		crimg_ckpt_close(x.c);
		return x_fail(&err);
	}
	int rc = fn(&x);
	fflush(stdout);
	crimg_ckpt_close(x.c);
	return rc;
}
