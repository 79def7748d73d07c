/* crit diff (crit-diff): what changed between two checkpoints or two images. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crimg/convert.h"
#include "crimg/diff.h"
#include "out.h"
#include "util.h"

static const char usage_text[] =
	"usage: crit diff [options] A B\n"
	"\n"
	"Show what changed between two checkpoints, or between two images of the\n"
	"same kind, as diff(1) does for files.\n"
	"\n"
	"A and B are each a CRIU images directory, an unpacked container checkpoint\n"
	"(images in checkpoint/), a container checkpoint archive (.tar, .tar.gz,\n"
	".tar.zst) from Podman, CRI-O or containerd ('-': one read from standard\n"
	"input), an OCI checkpoint image, as a layout directory or an oci-archive\n"
	"(found by content, or named as skopeo names them: oci:DIR[:REF],\n"
	"oci-archive:FILE[:REF], REF the image's ref name where it holds several),\n"
	"or a JSON bundle or JSON directory made by 'crit convert' (so an edited\n"
	"JSON directory is compared as it is): they are compared as checkpoints.\n"
	"Archives are read lazily, never unpacked: page data is only decompressed\n"
	"(into an unnamed temporary file) when memory is compared.\n"
	"Or both are single image files (core-1.img, pstree.img,\n"
	"pages-1.img, ...): they are compared as images, and must be of one kind.\n"
	"\n"
	"Checkpoints are compared by meaning, not by bytes.  Tasks are matched by\n"
	"pid (see --match); for each pair: the process tree fields, then the core of\n"
	"every thread (registers, credentials, signal handlers, state, limits,\n"
	"timers, scheduling), the memory map (VMAs added, removed, resized, with\n"
	"other protections or flags), the file descriptors by number with what each\n"
	"resolves to (path, pipe, socket addresses and state, ...), cwd, root and\n"
	"umask, the namespaces and cgroups, and the memory contents.  Then the\n"
	"mounts, the shared memory no task maps, and every other image (inventory,\n"
	"namespaces, socket queues, pipe data, ...) entry by entry.  File ids, inode\n"
	"numbers and mount ids, which differ between any two dumps, are not\n"
	"compared; what they refer to is.\n"
	"\n"
	"Memory is compared page by page wherever both tasks map the same address,\n"
	"through each checkpoint's pagemaps: pages an incremental dump leaves in its\n"
	"parent (its 'parent' link) are the parent's pages, so a dump can be\n"
	"compared with its pre-dump.  A pre-dump has no process tree: only memory\n"
	"is compared with it.  Each run of differing pages inside a VMA is one\n"
	"difference, with its page count and the number of bytes that differ.\n"
	"Pages the checkpoint does not hold read as zeros (never touched, or a file\n"
	"mapping still equal to its file); pages left to a page server (lazy) have\n"
	"unknown contents and differ from anything but lazy pages.\n"
	"\n"
	"Images are compared entry by entry and field by field through the\n"
	"protobuf descriptors, so every kind works; entries (and repeated fields)\n"
	"are matched by their natural key where they have one (pid, fd, id, start\n"
	"address, ...), else by position; what follows an entry (pipe data, socket\n"
	"queues, ghost file contents) is compared as bytes.  Raw images (pages,\n"
	"ifaddr, tmpfs archives, ...) are compared block by block.\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help message and exit\n"
	"  --match pid|cmd|tree  how tasks are paired: the same pid (default); the\n"
	"                        same command line, for dumps whose pids were\n"
	"                        remapped (the k-th task with a command line in A\n"
	"                        pairs with the k-th in B, in tree order); or the\n"
	"                        same place in the process tree\n"
	"  --only CATEGORY[,...] only these categories (repeatable); see below\n"
	"  --ignore PATTERN      leave out differences whose path matches PATTERN\n"
	"                        (repeatable): '*' is any text, '?' one character,\n"
	"                        anything else itself ('[' too); a pattern that\n"
	"                        matches the start of a path up to a '.' or '['\n"
	"                        leaves out everything below it, e.g.\n"
	"                        'task[*].regs' or 'stats-dump'\n"
	"  --stat                only count the differences, per category\n"
	"  --format text|json    output format (default text)\n"
	"  --color[=WHEN]        colour the text: auto (on a terminal, unless\n"
	"                        NO_COLOR is set; the default), always or never\n"
	"  --mem-bytes[=N]       show the differing bytes of memory (and of raw\n"
	"                        images) as hexdump rows of 16 bytes, A's ('-')\n"
	"                        above B's ('+'), at most N bytes of rows per range\n"
	"                        (default 1024; 'all': no limit)\n"
	"  -q, --quiet           print nothing, stop at the first difference: only\n"
	"                        the exit status tells\n"
	"  --container NAME      the container of a pod archive (default: the first)\n"
	"  --page-size N         page size of the dumped machine (default: this one's)\n"
	"  --limit NAME=VALUE[,...]\n"
	"                        change a limit on hostile input, as crit --limit\n"
	"                        does (repeatable; after $CRIMG_LIMITS); the limits\n"
	"                        hold for both sides and their parent dumps, see\n"
	"                        crit --help\n"
	"\n"
	"categories:\n"
	"  task       tasks added or removed; process tree, core and thread fields\n"
	"  creds      credentials of each thread\n"
	"  regs       registers (and the rest of thread_info) of each thread\n"
	"  sigaction  signal handlers\n"
	"  vma        the memory map and the mm fields (brk, exe, auxv, ...)\n"
	"  fd         file descriptors, cwd, root, umask; pipe, fifo, tty and ghost\n"
	"             file contents\n"
	"  socket     descriptors that are sockets; socket queues, TCP streams\n"
	"  mount      mounts; tmpfs contents\n"
	"  ns         each task's namespaces; namespace images (uts, ipc, net, ...)\n"
	"  cgroup     each task's cgroups; cgroup controllers\n"
	"  memory     memory contents\n"
	"  image      any other image (inventory, stats-dump, ...); an image only\n"
	"             one side has (whatever it holds: seccomp, tcp-stream, ...);\n"
	"             everything when two images are compared\n"
	"\n"
	"Each difference has a path naming the value, a value before (in A) and\n"
	"after (in B), shown as 'crit show' shows them:\n"
	"\n"
	"  task[PID].FIELD                task and core fields (tc.comm, ...)\n"
	"  task[PID].regs.NAME            registers; .creds.NAME, .sigaction[SIG].NAME\n"
	"  task[PID].thread[TID]....      the same for the other threads\n"
	"  task[PID].vma[0xSTART].FIELD   a VMA (start, end, prot, flags, name, ...)\n"
	"  task[PID].fd[N].FIELD          a descriptor; .cwd, .root, .umask\n"
	"  task[PID].ns.KIND, task[PID].cgroup[CONTROLLERS]\n"
	"  task[PID].mem[0xSTART-0xEND]   a range of differing pages\n"
	"  mntns[N].mount[MOUNTPOINT].FIELD\n"
	"  IMAGE[KEY=VALUE].FIELD         an entry of an image, by key or [INDEX]\n"
	"\n"
	"Tasks paired with different pids are named task[PIDA->PIDB].  The text\n"
	"output has a header per task, image or namespace, then one line per\n"
	"difference: '- PATH: VALUE' only in A, '+ PATH: VALUE' only in B,\n"
	"'~ PATH: BEFORE -> AFTER' changed.  --format json writes one list of\n"
	"{\"category\", \"op\" (changed, added, removed), \"path\", \"before\",\n"
	"\"after\"}, values as JSON (null when absent); memory ranges add start, end,\n"
	"pages, bytes and vma (and rows with --mem-bytes).\n"
	"\n"
	"Exit status: 0 when A and B are the same, 1 when they differ, 2 on\n"
	"trouble (an input missing or unreadable, images of different kinds, a\n"
	"usage error).\n"
	"\n"
	"examples:\n"
	"  crit diff pre-dump/ dump/ --only memory\n"
	"  crit diff dump1/ checkpoint.tar.zst --ignore 'task[*].regs' --stat\n"
	"  crit diff a/core-42.img b/core-42.img\n"
	"  podman container checkpoint --export /dev/stdout web | crit diff dump1/ -\n";

static int usage_err(const char *fmt, const char *arg)
{
	fflush(stdout);
	fprintf(stderr, "crit diff: error: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nsee 'crit diff --help'\n");
	return EXIT_USAGE;
}

/* ---- what A and B are ---- */

struct side {
	const char *path;
	int is_image;
	struct crimg_ckpt *c;
	uint8_t *data; /* a single image, mapped */
	size_t len;
};

/* An archive: gzip, zstd, xz, bzip2 or tar. */
static int is_archive(int fd)
{
	uint8_t b[512];
	ssize_t n = pread(fd, b, sizeof(b), 0);
	if (n >= 4 &&
	    ((b[0] == 0x1f && b[1] == 0x8b) || !memcmp(b, "\x28\xb5\x2f\xfd", 4) ||
	     !memcmp(b,
		     "\xfd"
		     "7zXZ",
		     4) ||
	     !memcmp(b, "BZh", 3)))
		return 1;
	return n >= 262 && !memcmp(b + 257, "ustar", 5);
}

/* Directories and archives are checkpoints; any other file is an image
 * (known by its name or its header, else compared as raw bytes). */
static int classify(struct side *s)
{
	struct stat st;
	if (strcmp(s->path, "-") == 0) /* an archive on standard input */
		return 0;
	struct crimg_source_name sn;
	/* oci:DIR[:REF], oci-archive:FILE[:REF] (a bad one: the opener says why) */
	int rc = crimg_source_name_parse(s->path, &sn, NULL);
	int named = rc < 0 || sn.transport != CRIMG_FMT_UNKNOWN;
	crimg_source_name_free(&sn);
	if (named)
		return 0;
	if (stat(s->path, &st) < 0)
		return error("%s: %s", s->path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return 0;
	if (!S_ISREG(st.st_mode))
		return error("%s: not a directory, an archive or an image", s->path);
	if (crimg_bundle_detect(s->path))
		return 0; /* a JSON bundle: a whole checkpoint */
	const struct crimg_kind *k = crimg_kind_by_path(s->path);
	if (k) {
		s->is_image = 1;
		return 0;
	}
	int fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error("%s: %s", s->path, strerror(errno));
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_reader *r = crimg_reader_open(fd, s->path, tool_limits(), &err);
	s->is_image = r != NULL || !is_archive(fd);
	crimg_reader_close(r);
	close(fd);
	return 0;
}

static int load_image(struct side *s)
{
	int fd = open(s->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return error("%s: %s", s->path, strerror(e));
	}
	s->len = (size_t)st.st_size;
	if (s->len) {
		void *p = mmap(NULL, s->len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			int e = errno;
			close(fd);
			return error("%s: cannot map: %s", s->path, strerror(e));
		}
		s->data = p;
	}
	close(fd);
	return 0;
}

static void side_close(struct side *s)
{
	crimg_ckpt_close(s->c);
	if (s->data)
		munmap(s->data, s->len);
}

/* ---- options ---- */

struct opts {
	struct crimg_diff_opts d;
	const char **ignore;
	size_t n_ignore;
	int quiet;
	const char *container;
};

static int add_only(struct opts *o, const char *list)
{
	char *copy = strdup(list);
	if (!copy)
		return error("out of memory");
	int rc = 0;
	for (char *save, *t = strtok_r(copy, ",", &save); t && !rc;
	     t = strtok_r(NULL, ",", &save)) {
		int c = crimg_diff_cat_by_name(t);
		if (c < 0)
			rc = usage_err("unknown category '%s' (task, creds, regs, sigaction, vma, fd, "
				       "socket, mount, ns, cgroup, memory, image)",
				       t);
		else
			o->d.cats |= 1u << c;
	}
	free(copy);
	return rc;
}

static int parse_uint(const char *s, unsigned long long *v)
{
	char *end;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
}

static int quiet_stop(void *arg, const struct crimg_diff_item *it)
{
	(void)arg;
	(void)it;
	return 1;
}

static int run(struct opts *op, struct out *out, struct side *a, struct side *b)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_diff_stats st;
	crimg_diff_fn fn = op->quiet ? quiet_stop : out_item;
	int rc;
	if (a->is_image) {
		if (load_image(a) < 0 || load_image(b) < 0)
			return EXIT_USAGE;
		rc = crimg_diff_image(a->path, a->data, a->len, b->path, b->data, b->len, &op->d,
				      fn, out, &st, &err);
	} else {
		/* memory is compared: page data decompressed once */
		struct crimg_ckpt_opts co = {
			.container = op->container,
			.limits = tool_limits(),
			.keep_pages = !op->d.cats || (op->d.cats & (1u << CRIMG_DIFF_MEMORY)),
		};
		a->c = crimg_ckpt_open(a->path, &co, &err);
		b->c = a->c ? crimg_ckpt_open(b->path, &co, &err) : NULL;
		if (!a->c || !b->c) {
			error_crimg(&err);
			return EXIT_USAGE;
		}
		rc = crimg_diff_ckpt(a->c, b->c, &op->d, fn, out, &st, &err);
	}
	if (rc < 0) {
		if (!op->quiet && out->json && out->items)
			fputs("\n]\n", out->f); /* what was written stays valid JSON */
		error_crimg(&err);
		return EXIT_USAGE;
	}
	if (!op->quiet)
		out_end(out, &st);
	if (fflush(out->f) != 0 || ferror(out->f))
		return error("stdout: %s", strerror(errno)), EXIT_USAGE;
	if (out->failed)
		return EXIT_USAGE;
	return st.total ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "match", required_argument, NULL, 'M' },
		{ "only", required_argument, NULL, 'O' },
		{ "ignore", required_argument, NULL, 'I' },
		{ "stat", no_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'F' },
		{ "color", optional_argument, NULL, 'C' },
		{ "colour", optional_argument, NULL, 'C' },
		{ "mem-bytes", optional_argument, NULL, 'B' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "container", required_argument, NULL, 'N' },
		{ "page-size", required_argument, NULL, 'P' },
		{ "limit", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	tool_name = "crit";
	struct opts op = { 0 };
	struct out out = { .f = stdout };
	const char *color = "auto";
	unsigned long long v;
	int c, rc = EXIT_USAGE;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hq", lopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			rc = fflush(stdout) == 0 ? 0 : 2;
			goto done;
		case 'M':
			if (!strcmp(optarg, "pid"))
				op.d.match = CRIMG_DIFF_MATCH_PID;
			else if (!strcmp(optarg, "cmd"))
				op.d.match = CRIMG_DIFF_MATCH_CMD;
			else if (!strcmp(optarg, "tree"))
				op.d.match = CRIMG_DIFF_MATCH_TREE;
			else {
				rc = usage_err("--match: '%s' is not pid, cmd or tree", optarg);
				goto done;
			}
			break;
		case 'O':
			if (add_only(&op, optarg))
				goto done;
			break;
		case 'I': {
			const char **ni = realloc(op.ignore, (op.n_ignore + 1) * sizeof(*ni));
			if (!ni) {
				error("out of memory");
				goto done;
			}
			op.ignore = ni;
			op.ignore[op.n_ignore++] = optarg;
			break;
		}
		case 'S':
			out.stat = 1;
			break;
		case 'F':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				rc = usage_err("--format: '%s' is not text or json", optarg);
				goto done;
			}
			out.json = !strcmp(optarg, "json");
			break;
		case 'C':
			color = optarg ? optarg : "always";
			if (strcmp(color, "auto") && strcmp(color, "always") &&
			    strcmp(color, "never")) {
				rc = usage_err("--color: '%s' is not auto, always or never", color);
				goto done;
			}
			break;
		case 'B':
			if (!optarg)
				out.mem_rows = 1024 / 16;
			else if (!strcmp(optarg, "all"))
				out.mem_rows = UINT64_MAX;
			else if (parse_uint(optarg, &v) < 0 || !v) {
				rc = usage_err("--mem-bytes: '%s' is not a positive number or 'all'",
					       optarg);
				goto done;
			} else
				out.mem_rows = (v + 15) / 16;
			break;
		case 'q':
			op.quiet = 1;
			break;
		case 'N':
			op.container = optarg;
			break;
		case 'P':
			if (parse_uint(optarg, &v) < 0 || v < 512 || v > (1u << 30) ||
			    (v & (v - 1))) {
				rc = usage_err("--page-size: '%s' is not a power of two >= 512",
					       optarg);
				goto done;
			}
			op.d.page_size = (unsigned)v;
			break;
		case 'L':
			if (tool_add_limits(optarg) < 0)
				goto done;
			break;
		default:
			rc = getopt_error("diff", c, argv);
			goto done;
		}
	}
	if (argc - optind != 2) {
		rc = usage_err("%s",
			       argc - optind < 2 ? "expected two checkpoints or images, A and B"
						 : "more than two checkpoints or images given");
		goto done;
	}
	op.d.ignore = op.ignore;
	op.d.n_ignore = op.n_ignore;
	/* a malformed $CRIMG_LIMITS is a usage error before any work */
	op.d.limits = tool_limits();
	if (!strcmp(color, "always"))
		out.color = 1;
	else if (!strcmp(color, "auto"))
		out.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR") &&
			!(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));
	if (out.json)
		out.color = 0;

	struct side a = { .path = argv[optind] }, b = { .path = argv[optind + 1] };
	if (!strcmp(a.path, "-") && !strcmp(b.path, "-")) {
		rc = usage_err("%s", "only one of A and B can be standard input ('-')");
		goto done;
	}
	if (classify(&a) < 0 || classify(&b) < 0)
		goto done;
	if (a.is_image != b.is_image) {
		error("%s is %s, %s is %s: compare two checkpoints or two images", a.path,
		      a.is_image ? "a single image" : "a checkpoint", b.path,
		      b.is_image ? "a single image" : "a checkpoint");
		goto done;
	}
	static char buf[1 << 16];
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	rc = run(&op, &out, &a, &b);
	side_close(&a);
	side_close(&b);
done:
	out_free(&out);
	free(op.ignore);
	return rc;
}
