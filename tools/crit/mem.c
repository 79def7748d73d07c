/* crit mem: process memory of a checkpoint: table, hexdump, dump, search. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "crit.h"
#include "mem_cli.h"
#include "util.h"

static const char mem_usage[] =
	"usage: crit mem [options] SRC\n"
	"       crit mem [options] SRC --pid PID [--vma ADDR | --range START-END] [-o FILE]\n"
	"       crit mem [options] SRC [--pid PID | --shmem ID] (--search STR | --search-regex RE)\n"
	"\n"
	"Show, dump and search the memory of the processes of a checkpoint.\n"
	"\n"
	"SRC is a CRIU images directory, an unpacked container checkpoint (images\n"
	"in checkpoint/), a container checkpoint archive (.tar, .tar.gz, .tar.zst)\n"
	"from Podman, CRI-O or containerd ('-': one read from standard input), an\n"
	"OCI checkpoint image, as a layout directory or an oci-archive (found by\n"
	"content, or named as skopeo names them: oci:DIR[:REF], oci-archive:FILE[:REF],\n"
	"REF the image's ref name where it holds several), or a JSON bundle or JSON\n"
	"directory made by 'crit convert'.\n"
	"An uncompressed tar's pages are read in place; a compressed archive's are\n"
	"decompressed, when first read, into an unnamed temporary file in $TMPDIR\n"
	"(nothing is left there, however the command ends).  An incremental dump\n"
	"reads the pages it left in its parents through its 'parent' link.\n"
	"\n"
	"Without --pid, --shmem or a search: a table of the processes (PID, command,\n"
	"number of VMAs, memory size = the sum of their VMAs, the part of it the\n"
	"checkpoint holds, and the part that is shared), then the shared memory\n"
	"objects (memfd, SysV shm, shared anonymous memory) with their sizes.\n"
	"\n"
	"With --pid (or --shmem) and no search: a hexdump in the layout of\n"
	"'hexdump -C', with 16-digit addresses, of the memory the checkpoint holds,\n"
	"VMA by VMA; a line '*' stands for lines equal to the one above.  Ranges a\n"
	"VMA maps but the checkpoint holds no page for are named, not printed:\n"
	"CRIU saves no page that was never touched (it reads as zeros) and no page\n"
	"of a file mapping that still equals the file.\n"
	"\n"
	"options:\n"
	"  -h, --help            show this help message and exit\n"
	"  -p, --pid PID         the process to show, dump or search\n"
	"  --shmem ID            a shared memory object instead (pagemap-shmem-ID.img),\n"
	"                        addressed by offset; see the table for the ids\n"
	"  --vma ADDR            only the VMA that contains ADDR (hex)\n"
	"  --range START-END     only the addresses START to END (hex, END excluded);\n"
	"                        a hexdump or -o covers what is mapped of them, from\n"
	"                        the first VMA in the range to the last (none: an error)\n"
	"  --prot rwx            only VMAs with at least these permissions (any of\n"
	"                        r, w, x; e.g. 'rw')\n"
	"  -o, --output FILE     write the raw bytes of --vma or --range to FILE\n"
	"                        instead of a hexdump ('-': stdout); pages the\n"
	"                        checkpoint does not hold are written as zeros, the\n"
	"                        holes between VMAs are left out.  A file appears\n"
	"                        only when complete and keeps its mode, owner and\n"
	"                        group; a symlink is followed; a device, FIFO or\n"
	"                        socket is written directly\n"
	"  -s, --search STR      search for the bytes of STR\n"
	"  -r, --search-regex RE search for a PCRE2 regular expression (on bytes, not\n"
	"                        UTF-8: '\\x00' and '[\\x80-\\xff]' match single bytes)\n"
	"  -i, --ignore-case     ASCII letters match either case\n"
	"  -c, --context N       show N bytes before and after each match (default 16;\n"
	"                        0: the match alone)\n"
	"  -m, --max-count N     stop after N matches\n"
	"  --format text|json    output format (default text)\n"
	"  --bytes               exact byte counts in the table instead of KiB, MiB\n"
	"  --container NAME      the container of a pod archive (default: the first)\n"
	"  --page-size N         page size of the dumped machine (default: this one's)\n"
	"\n"
	"Search covers the bytes the checkpoint holds, in address order; bytes that\n"
	"follow each other in the address space are one stream, so matches that\n"
	"cross pages, pagemap entries and adjacent VMAs are found (a regular\n"
	"expression match is at most 16 MiB long).  Without --pid or --shmem every\n"
	"process is searched, then the shared memory objects no process maps (SysV\n"
	"segments, memfds only held open).  A text match is one line:\n"
	"\n"
	"  PID ADDRESS VMA-START-VMA-END PERMS FILE \"BEFORE\" \"MATCH\" \"AFTER\"\n"
	"\n"
	"with C escapes in the quoted bytes (\\n, \\t, \\\\, \\\", \\xHH) and in FILE ('-'\n"
	"for anonymous memory); for a shared object PID is 'shmem:ID' and addresses\n"
	"are offsets in it.  --format json writes {\"matches\": [...], \"count\": N},\n"
	"each match with pid, shmem, address, offset (in the VMA), length, vma\n"
	"{start, end, perms, file} and match, before, after as {base64, printable}.\n"
	"\n"
	"With --format json, the table is {\"processes\": [...], \"shmem\": [...]}\n"
	"(sizes in bytes), and --pid without a search gives the memory map: each\n"
	"VMA with its spans, data (with the depth of the dump holding it: 0 this\n"
	"one, 1 its parent, ...), zero (not saved) or lazy (left to a page server).\n"
	"\n"
	"A pre-dump (no pstree.img, no mm-PID.img) has no memory map: its tasks\n"
	"are those of its pagemaps, each stretch of saved pages shown as a VMA\n"
	"'[pre-dump]' with unknown permissions (???p).\n"
	"\n"
	"On a terminal, work that takes over a second shows its progress on stderr.\n"
	"\n"
	"Exit status: 0 success; 1 failure; 2 usage error.  With --search or\n"
	"--search-regex, like grep: 0 when something matched, 1 when nothing did,\n"
	"2 on failure or a usage error.\n"
	"\n"
	"examples:\n"
	"  crit mem ckpt/                                  per-process memory table\n"
	"  crit mem ckpt.tar.zst --pid 1 --vma 0x55e816a43000\n"
	"  crit mem ckpt/ --pid 42 --range 7ffc0000-7ffc1000 -o stack.bin\n"
	"  crit mem ckpt/ --search-regex 'password=[^\\x00]*' --context 0\n";

enum {
	OPT_SHMEM = 256,
	OPT_VMA,
	OPT_RANGE,
	OPT_PROT,
	OPT_FORMAT,
	OPT_BYTES,
	OPT_CONTAINER,
	OPT_PAGE_SIZE,
};

static int parse_u64(const char *s, int base, uint64_t *v)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return -1;
	if (base == 16 && (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		s += 2;
	errno = 0;
	unsigned long long x = strtoull(s, &end, base);
	if (errno || *end || end == s)
		return -1;
	*v = x;
	return 0;
}

static int parse_prot(const char *s, uint32_t *prot)
{
	*prot = 0;
	for (; *s; s++) {
		switch (*s) {
		case 'r':
			*prot |= 1;
			break;
		case 'w':
			*prot |= 2;
			break;
		case 'x':
			*prot |= 4;
			break;
		case '-':
			break;
		default:
			return -1;
		}
	}
	return 0;
}

static int parse_range(const char *s, uint64_t *a, uint64_t *b)
{
	const char *dash = strchr(s, '-');
	if (!dash)
		return -1;
	char first[64];
	if ((size_t)(dash - s) >= sizeof(first))
		return -1;
	memcpy(first, s, (size_t)(dash - s));
	first[dash - s] = '\0';
	if (parse_u64(first, 16, a) < 0 || parse_u64(dash + 1, 16, b) < 0 || *b <= *a)
		return -1;
	return 0;
}

/* Returns 0 with a filled, or an exit status (EXIT_USAGE, or 0 for --help). */
static int parse(int argc, char **argv, struct mem_args *a, int *done)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "pid", required_argument, NULL, 'p' },
		{ "shmem", required_argument, NULL, OPT_SHMEM },
		{ "vma", required_argument, NULL, OPT_VMA },
		{ "range", required_argument, NULL, OPT_RANGE },
		{ "prot", required_argument, NULL, OPT_PROT },
		{ "output", required_argument, NULL, 'o' },
		{ "search", required_argument, NULL, 's' },
		{ "search-regex", required_argument, NULL, 'r' },
		{ "ignore-case", no_argument, NULL, 'i' },
		{ "context", required_argument, NULL, 'c' },
		{ "max-count", required_argument, NULL, 'm' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "bytes", no_argument, NULL, OPT_BYTES },
		{ "container", required_argument, NULL, OPT_CONTAINER },
		{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	uint64_t v;
	memset(a, 0, sizeof(*a));
	a->context = 16;
	*done = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hp:o:s:r:ic:m:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(mem_usage, stdout);
			*done = 1;
			return 0;
		case 'p':
			if (parse_u64(optarg, 10, &v) < 0 || v > UINT32_MAX || !v)
				return usage_error("mem", "--pid wants a process id, not '%s'",
						   optarg);
			a->pid = (uint32_t)v;
			a->have_pid = 1;
			break;
		case OPT_SHMEM:
			if (parse_u64(optarg, 10, &a->shmem) < 0)
				return usage_error("mem", "--shmem wants an object id, not '%s'",
						   optarg);
			a->have_shmem = 1;
			break;
		case OPT_VMA:
			if (parse_u64(optarg, 16, &a->vma) < 0)
				return usage_error("mem", "--vma wants a hex address, not '%s'",
						   optarg);
			a->have_vma = 1;
			break;
		case OPT_RANGE:
			if (parse_range(optarg, &a->rstart, &a->rend) < 0)
				return usage_error(
					"mem",
					"--range wants START-END in hex with START < END, not '%s'",
					optarg);
			a->have_range = 1;
			break;
		case OPT_PROT:
			if (parse_prot(optarg, &a->prot) < 0)
				return usage_error("mem", "--prot wants letters of 'rwx', not '%s'",
						   optarg);
			break;
		case 'o':
			a->out = optarg;
			break;
		case 's':
		case 'r':
			if (a->pattern)
				return usage_error("mem",
						   "give one of --search and --search-regex, once");
			a->pattern = optarg;
			a->pattern_len = strlen(optarg);
			a->regex = c == 'r';
			break;
		case 'i':
			a->icase = 1;
			break;
		case 'c':
			if (parse_u64(optarg, 10, &v) < 0 || v > (1u << 20))
				return usage_error(
					"mem",
					"--context wants a number of bytes up to 1048576, not '%s'",
					optarg);
			a->context = (size_t)v;
			break;
		case 'm':
			if (parse_u64(optarg, 10, &a->max_count) < 0 || !a->max_count)
				return usage_error("mem",
						   "--max-count wants a positive number, not '%s'",
						   optarg);
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") && strcmp(optarg, "text"))
				return usage_error("mem", "--format is text or json, not '%s'",
						   optarg);
			a->json = !strcmp(optarg, "json");
			break;
		case OPT_BYTES:
			a->bytes = 1;
			break;
		case OPT_CONTAINER:
			a->container = optarg;
			break;
		case OPT_PAGE_SIZE:
			if (parse_u64(optarg, 10, &v) < 0 || v < 512 || v > (1u << 30) ||
			    (v & (v - 1)))
				return usage_error("mem",
						   "--page-size wants a power of two >= 512, not '%s'",
						   optarg);
			a->mopts.page_size = (unsigned)v;
			break;
		default:
			return getopt_error("mem", c, argv);
		}
	}
	if (argc - optind != 1)
		return usage_error("mem",
				   argc - optind ? "one SRC only, not '%s'" : "no SRC given%s",
				   argc - optind ? argv[optind + 1] : "");
	a->src = argv[optind];
	if (a->have_pid && a->have_shmem)
		return usage_error("mem", "give --pid or --shmem, not both");
	if (a->have_vma && a->have_range)
		return usage_error("mem", "give --vma or --range, not both");
	int one = a->have_pid || a->have_shmem;
	if ((a->have_vma || a->out || (a->have_range && !a->pattern)) && !one)
		return usage_error("mem",
				   "--vma, -o and --range (but for a search) need --pid or --shmem");
	if (a->out && !a->have_vma && !a->have_range)
		return usage_error("mem", "-o needs --vma or --range");
	if (a->out && a->prot)
		return usage_error("mem", "-o writes a whole range; --prot does not go with it");
	if (a->pattern && (a->out || a->have_vma))
		return usage_error("mem", "a search takes --range and --prot, not -o or --vma");
	if (a->icase && !a->pattern)
		return usage_error("mem", "--ignore-case goes with a search");
	if (a->bytes && (one || a->pattern))
		return usage_error("mem", "--bytes goes with the table");
	return 0;
}

int cmd_mem(int argc, char **argv)
{
	struct mem_args a;
	int done;
	int rc = parse(argc, argv, &a, &done);
	if (rc || done)
		return rc;
	int fail = a.pattern ? 2 : 1; /* a search fails like grep */
	struct progress pr;
	mem_progress_init(&pr, "reading");
	struct crimg_ckpt_opts co = {
		.limits = tool_limits(),
		.container = a.container,
		.progress = progress_cb,
		.progress_arg = &pr,
		/* every mode reads the pages files (the table checks them against
		 * the pagemaps): a compressed archive's decompressed once */
		.keep_pages = 1,
	};
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_ckpt *c = crimg_ckpt_open(a.src, &co, &err);
	progress_done(&pr);
	if (!c) {
		error_crimg(&err);
		return fail;
	}
	if (a.pattern)
		rc = mem_search(c, &a);
	else if (a.have_pid || a.have_shmem)
		rc = mem_dump(c, &a);
	else
		rc = mem_table(c, &a);
	crimg_ckpt_close(c);
	return rc;
}
