/*
 * crit-convert (crit convert): a checkpoint from one format to another.
 * SRC is made into a plain directory tree (used as it is when it already
 * is one, else unpacked into a staging directory beside DST), optionally
 * rewritten, and the tree is written out in DST's format under a temporary
 * name beside DST, which is renamed into place once complete.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert.h"
#include "util.h"

static const char usage[] =
	"usage: crit convert [-h] [-t FORMAT] [-l N] [-T N] [-f] [-q] [--progress]\n"
	"                    [--rewrite-path OLD=NEW]... [--rewrite-ip OLD=NEW]... [--report FILE]\n"
	"                    [--ref NAME] [--layer-compression none|gzip|zstd]\n"
	"                    [--byte-order big|little|native] [--limit NAME=VALUE]...\n"
	"                    [--to-arch x86_64|aarch64 --target-exe FILE [--source-exe FILE]\n"
	"                     [--target-path PATH] [--stack-plugin restart|PROG]]\n"
	"                    SRC DST\n"
	"\n"
	"Convert a checkpoint between a directory, JSON, container checkpoint archives\n"
	"and OCI images.  Converting back to a directory gives the original files byte\n"
	"for byte, with their permission bits and modification times (in seconds).\n"
	"\n"
	"SRC's format is recognised from its content: a checkpoint directory (CRIU\n"
	"images, or an unpacked container checkpoint: checkpoint/ and the engine's files\n"
	"such as config.dump and spec.dump), a JSON directory or JSON bundle made by\n"
	"this command, a .tar, .tar.gz or .tar.zst container checkpoint archive (Podman,\n"
	"CRI-O, containerd), an OCI image layout directory or an oci-archive.  SRC '-'\n"
	"is an archive or oci-archive read from standard input.\n"
	"DST's format is FORMAT from --to, or follows from DST's name:\n"
	"  NAME.tar -> tar, NAME.tar.gz or NAME.tgz -> tar.gz, NAME.tar.zst or\n"
	"  NAME.tzst -> tar.zst, NAME.json -> json, NAME.oci.tar -> oci-archive,\n"
	"  oci:NAME -> oci, oci-archive:NAME -> oci-archive, any other name -> dir.\n"
	"oci:DIR:REF and oci-archive:FILE:REF name an image by its reference name\n"
	"(org.opencontainers.image.ref.name), as skopeo does: as SRC, the image of\n"
	"that name (without REF, the only one); as DST, the name it is given (as\n"
	"--ref), and a DST oci:DIR that is a layout already gets the image added\n"
	"(replacing one of the same name; --force replaces the whole layout).  The\n"
	"path ends at the first ':'.\n"
	"\n"
	"formats:\n"
	"  dir          a checkpoint directory, files as CRIU and the engine wrote them\n"
	"  json         one JSON bundle file: every file of the checkpoint, CRIU images\n"
	"               decoded as 'crit decode' does, other files in base64\n"
	"  json-dir     a directory: NAME.json ('crit decode --pretty') for each CRIU\n"
	"               image NAME, other files as they are, and crimg-json-dir.json\n"
	"               listing the images; edit the JSON, convert back to dir\n"
	"  tar, tar.gz, tar.zst\n"
	"               a container checkpoint archive, as 'podman container checkpoint\n"
	"               --export' writes it (engine files kept as they are)\n"
	"  oci          an OCI image layout directory: the checkpoint as one layer, with\n"
	"               the annotations CRI-O, containerd and Podman look for\n"
	"  oci-archive  the same in one tar file (skopeo's and podman's oci-archive:)\n"
	"A CRIU image whose JSON would not encode back to the very same bytes is kept\n"
	"in base64 (json) or as it is (json-dir), so the way back is always exact.\n"
	"\n"
	"positional arguments:\n"
	"  SRC                     the checkpoint to convert (never modified)\n"
	"  DST                     where to write it; must not exist, unless --force\n"
	"                          (or it is named oci:DIR[:REF] and is a layout);\n"
	"                          '-': stdout (tar, tar.gz, tar.zst, oci-archive or\n"
	"                          json, given with --to; never a terminal)\n"
	"\n"
	"options:\n"
	"  -h, --help              show this help message and exit\n"
	"  -t, --to FORMAT         the format of DST: dir, json, json-dir, tar, tar.gz,\n"
	"                          tar.zst, oci, oci-archive (default: from DST's name)\n"
	"  -l, --level N           compression level: gzip 0-9 (default 6), zstd 1-19\n"
	"                          (default 3); for tar.gz, tar.zst and an OCI layer\n"
	"                          compressed with --layer-compression\n"
	"  -T, --threads N         zstd compression threads (default: one per CPU, up\n"
	"                          to 8); the archive is the same bytes for any N\n"
	"  -f, --force             replace DST if it exists (atomically: the old DST\n"
	"                          stays whole until the new one takes its place)\n"
	"  -q, --quiet             no progress and no rewrite report on stderr\n"
	"  --progress              show progress from the start, also when stderr is\n"
	"                          not a terminal (then a line every two seconds); by\n"
	"                          default it is shown on a terminal, for conversions\n"
	"                          that take over a second\n"
	"  --rewrite-path OLD=NEW  on the way through, change the path OLD (and every\n"
	"                          path under it) to NEW: regular and ghost files,\n"
	"                          cwd and root, mounts, unix socket names, and the\n"
	"                          host paths of spec.dump and config.dump (repeatable)\n"
	"  --rewrite-ip OLD=NEW    change the IP address OLD to NEW in inet sockets\n"
	"                          (TCP stream images hold none; raw network images\n"
	"                          such as ifaddr-*.img stay as saved, with a note)\n"
	"                          (repeatable)\n"
	"  --byte-order BO         write every CRIU image in byte order BO: big, little\n"
	"                          or native (this machine's), as a CRIU of that order\n"
	"                          would have: magics and entry sizes, SysV semaphore\n"
	"                          values and message sizes, IP addresses, pending\n"
	"                          signals' siginfo, seccomp and socket filters.\n"
	"                          Raw images (pages-*.img, ...) and data after entries\n"
	"                          (pipe, socket and TCP queues, ghost files, SysV shm,\n"
	"                          BPF maps) are copied as they are: memory stays in\n"
	"                          the source's order, so the copy is for tools that\n"
	"                          read one byte order, not for restoring.  Stderr (or\n"
	"                          --report) says what was converted and what copied.\n"
	"                          Images in BO already are copied as they are.  For\n"
	"                          json and json-dir, the JSON records BO: converting\n"
	"                          back writes the images in BO\n"
	"  --to-arch ARCH          move a program built to move (docs/xarch.md) to ARCH,\n"
	"                          x86_64 or aarch64: refused, writing nothing, when\n"
	"                          crit check --target-arch ARCH finds what blocks the\n"
	"                          move or the checkpoint is outside the contract (one\n"
	"                          process of one thread, a static fixed-address build\n"
	"                          for both with the same data layout, stopped at a\n"
	"                          migration point crimg_migrate_NAME); else rewrites\n"
	"                          the machine type and registers (the thread goes on\n"
	"                          at the target build's crimg_resume_NAME, or where\n"
	"                          the stack plug-in says), the executable's mappings\n"
	"                          and file entry, the saved auxv, the open flags, and\n"
	"                          drops the vDSO, vvar, [vsyscall] and the saved code\n"
	"                          pages; data pages are copied as they are\n"
	"  --target-exe FILE       the program built for ARCH (read here)\n"
	"  --source-exe FILE       the build that ran (default: the executable's path\n"
	"                          in the checkpoint); its build id must match\n"
	"  --target-path PATH      where the target build will be on the target\n"
	"                          (default: the executable's path in the checkpoint)\n"
	"  --stack-plugin P        how the thread's frames move: restart (built in: a\n"
	"                          fresh frame at the resume function), or a program\n"
	"                          given the request as JSON on stdin, answering JSON\n"
	"                          on stdout (docs/xarch.md, \"The stack plug-in\")\n"
	"  --report FILE           write the list of rewritten fields (and with\n"
	"                          --byte-order, what it did to each image) as JSON to\n"
	"                          FILE ('-': stdout) instead of as text on stderr; FILE\n"
	"                          is written like decode's -o\n"
	"  --ref NAME              oci, oci-archive: the image's reference name\n"
	"                          (org.opencontainers.image.ref.name; default latest)\n"
	"  --layer-compression C   oci, oci-archive: compression of the layer: none\n"
	"                          (default), gzip or zstd\n"
	"  --limit NAME=VALUE[,...]\n"
	"                          change a limit on hostile input, as crit --limit\n"
	"                          does (repeatable; after $CRIMG_LIMITS): see crit\n"
	"                          --help for the list\n"
	"\n"
	"Safety: SRC is only read.  Archives are unpacked into a private directory\n"
	"beside DST; members with absolute names or '..', symlinks pointing out of the\n"
	"checkpoint (CRIU's 'parent' link to the previous dump excepted), hard links\n"
	"to anything but an earlier member, device nodes, fifos and duplicate members\n"
	"are refused, and so are inputs past a limit (crit --help lists them: the\n"
	"archive's members, their sizes, how much it expands, JSON read whole, directory\n"
	"depth, image entries), checked as the data comes.  The result is written\n"
	"under a temporary name beside DST, flushed to disk and renamed: a failed or\n"
	"interrupted run leaves no partial DST and no temporary files.  A DST that is\n"
	"a symlink is followed (its target is written, the link stays); a replaced\n"
	"file keeps its mode, owner and group; a FIFO, character device or socket\n"
	"takes a single-file format, written directly (no --force needed); a block\n"
	"device is refused, and so is a directory for a single-file format.\n"
	"OCI images keep the checkpoint's times, so the same checkpoint gives the\n"
	"same digests: the layer's files keep their modification times, and the\n"
	"image's creation time (and its directories') is when the checkpoint was\n"
	"made: config.dump's checkpointedTime, else the time of stats-dump (CRIU\n"
	"writes it last), else of inventory.img.  SOURCE_DATE_EPOCH, if set, is\n"
	"the creation time instead.\n"
	"\n"
	"exit status: 0 converted, 1 failed (bad input, I/O error), 2 usage error\n"
	"\n"
	"examples:\n"
	"  crit convert ckpt.tar.zst ckpt          unpack a Podman checkpoint archive\n"
	"  crit convert ckpt ckpt.json             everything in one JSON file ...\n"
	"  crit convert ckpt.json ckpt2            ... and back, byte for byte\n"
	"  crit convert --to json-dir ckpt ckpt-j  JSON files to read or edit\n"
	"  crit convert --level 19 -T 2 ckpt ckpt.tar.zst\n"
	"  crit convert ckpt.tar.gz oci-archive:ckpt.oci.tar\n"
	"  podman container checkpoint --export /dev/stdout web | crit convert - ckpt\n"
	"  crit convert --rewrite-path /srv/a=/srv/b --rewrite-ip 10.0.0.5=10.0.0.9 \\\n"
	"      ckpt.tar.zst moved.tar.zst\n"
	"  crit convert --byte-order big ckpt ckpt-be   for a tool that reads big-endian\n"
	"  crit convert --to-arch aarch64 --target-exe counter-aarch64 ckpt ckpt-arm\n";

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int add_rule(struct opts *o, enum crimg_rewrite_kind kind, char *arg, const char *opt)
{
	struct crimg_rewrite_rule rule;
	struct crimg_error err;
	crimg_error_clear(&err);
	/* checked here, so that a bad rule is a usage error (NEW starts at "=/") */
	if (crimg_rewrite_rule_parse(arg, kind, &rule, &err) < 0)
		return usage_error("convert", "%s", err.msg);
	struct crimg_rewrite_rule *r = realloc(o->rules, (o->n_rules + 1) * sizeof(*r));
	if (!r) {
		error("out of memory");
		return 1;
	}
	o->rules = r;
	r[o->n_rules++] = rule;
	return 0;
}

/* --level against the compressor DST's format uses: a usage error (after
 * printing it) when that one is not compressed or takes no such level. */
static int check_level(const struct opts *o)
{
	int oci = o->to == CRIMG_FMT_OCI || o->to == CRIMG_FMT_OCI_ARCHIVE;
	enum crimg_compress comp = o->to == CRIMG_FMT_TAR_GZ ? CRIMG_COMP_GZIP
		: o->to == CRIMG_FMT_TAR_ZST                 ? CRIMG_COMP_ZSTD
		: oci                                        ? o->layer_comp
							     : CRIMG_COMP_NONE;
	if (comp == CRIMG_COMP_NONE)
		return usage_error(
			"convert",
			"--level %d: %s %s is not compressed (--level is for tar.gz, "
			"tar.zst, and oci or oci-archive with --layer-compression gzip or zstd)",
			o->level, oci ? "the layer of" : "DST's format", crimg_format_name(o->to));
	if (comp == CRIMG_COMP_GZIP && o->level > 9)
		return usage_error("convert", "--level %d: gzip levels are 0 to 9", o->level);
	if (comp == CRIMG_COMP_ZSTD && (o->level < 1 || o->level > 19))
		return usage_error("convert", "--level %d: zstd levels are 1 to 19", o->level);
	return 0;
}

int main(int argc, char **argv)
{
	enum {
		O_PROGRESS = 256,
		O_RW_PATH,
		O_RW_IP,
		O_REPORT,
		O_REF,
		O_LAYER,
		O_LIMIT,
		O_ORDER,
		O_TO_ARCH,
		O_SOURCE_EXE,
		O_TARGET_EXE,
		O_TARGET_PATH,
		O_PLUGIN
	};
	static const struct option lopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "to", required_argument, NULL, 't' },
		{ "level", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 'T' },
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "progress", no_argument, NULL, O_PROGRESS },
		{ "rewrite-path", required_argument, NULL, O_RW_PATH },
		{ "rewrite-ip", required_argument, NULL, O_RW_IP },
		{ "report", required_argument, NULL, O_REPORT },
		{ "ref", required_argument, NULL, O_REF },
		{ "layer-compression", required_argument, NULL, O_LAYER },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "byte-order", required_argument, NULL, O_ORDER },
		{ "to-arch", required_argument, NULL, O_TO_ARCH },
		{ "source-exe", required_argument, NULL, O_SOURCE_EXE },
		{ "target-exe", required_argument, NULL, O_TARGET_EXE },
		{ "target-path", required_argument, NULL, O_TARGET_PATH },
		{ "stack-plugin", required_argument, NULL, O_PLUGIN },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .to = CRIMG_FMT_UNKNOWN,
			  .level = -1,
			  .layer_comp = CRIMG_COMP_NONE,
			  .byte_order = -1 };
	int c, rc;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ht:l:T:fq", lopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			free(o.rules);
			return 0;
		case 't':
			o.to = crimg_format_by_name(optarg);
			if (o.to == CRIMG_FMT_UNKNOWN) {
				free(o.rules);
				return usage_error("convert",
						   "unknown format '%s' (dir, json, json-dir, tar, "
						   "tar.gz, tar.zst, oci, oci-archive)",
						   optarg);
			}
			break;
		case 'l':
			/* its range depends on the compression: checked with DST's format */
			if (parse_int(optarg, 0, INT_MAX, &o.level) < 0) {
				free(o.rules);
				return usage_error(
					"convert",
					"--level needs a number (gzip 0-9, zstd 1-19), got '%s'",
					optarg);
			}
			break;
		case 'T':
			if (parse_int(optarg, 1, 256, &o.threads) < 0) {
				free(o.rules);
				return usage_error("convert",
						   "--threads needs a number from 1 to 256, got '%s'",
						   optarg);
			}
			break;
		case 'f':
			o.force = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case O_PROGRESS:
			o.progress = 1;
			break;
		case O_RW_PATH:
		case O_RW_IP:
			if ((rc = add_rule(&o, c == O_RW_PATH ? CRIMG_RW_PATH : CRIMG_RW_IP, optarg,
					   c == O_RW_PATH ? "--rewrite-path" : "--rewrite-ip"))) {
				free(o.rules);
				return rc;
			}
			break;
		case O_REPORT:
			o.report = optarg;
			break;
		case O_REF:
			if (!crimg_oci_ref_valid(optarg)) {
				free(o.rules);
				return usage_error("convert",
						   "--ref: '%s' is not a valid ref name "
						   "(letters and digits joined by one of -._:@+ or --, "
						   "components separated by /)",
						   optarg);
			}
			o.ref = optarg;
			break;
		case O_LAYER:
			if (strcmp(optarg, "none") == 0)
				o.layer_comp = CRIMG_COMP_NONE;
			else if (strcmp(optarg, "gzip") == 0)
				o.layer_comp = CRIMG_COMP_GZIP;
			else if (strcmp(optarg, "zstd") == 0)
				o.layer_comp = CRIMG_COMP_ZSTD;
			else {
				free(o.rules);
				return usage_error("convert",
						   "--layer-compression: none, gzip or zstd, not '%s'",
						   optarg);
			}
			break;
		case O_ORDER: {
			enum crimg_byte_order bo;
			if (parse_byte_order(optarg, &bo) < 0) {
				free(o.rules);
				return usage_error("convert",
						   "--byte-order takes big, little or native, not '%s'",
						   optarg);
			}
			o.byte_order = (int)bo;
			break;
		}
		case O_TO_ARCH:
			if (strcmp(optarg, "x86_64") && strcmp(optarg, "aarch64")) {
				free(o.rules);
				return usage_error("convert",
						   "--to-arch takes x86_64 or aarch64, not '%s'",
						   optarg);
			}
			o.to_arch = optarg;
			break;
		case O_SOURCE_EXE:
			o.source_exe = optarg;
			break;
		case O_TARGET_EXE:
			o.target_exe = optarg;
			break;
		case O_TARGET_PATH:
			if (optarg[0] != '/') {
				free(o.rules);
				return usage_error("convert",
						   "--target-path takes an absolute path, not '%s'",
						   optarg);
			}
			o.target_path = optarg;
			break;
		case O_PLUGIN:
			o.plugin = optarg;
			break;
		case O_LIMIT:
			if (tool_add_limits(optarg) < 0) {
				free(o.rules);
				return EXIT_USAGE;
			}
			break;
		default:
			free(o.rules);
			return getopt_error("convert", c, argv);
		}
	}
	if (argc - optind != 2) {
		free(o.rules);
		if (argc - optind > 2)
			return usage_error("convert", "unrecognized arguments: %s",
					   argv[optind + 2]);
		return usage_error("convert", "expected SRC and DST");
	}
	/* "oci:PATH[:REF]" and "oci-archive:PATH[:REF]", as skopeo names them */
	struct crimg_source_name sn, dn;
	struct crimg_error nerr;
	crimg_error_clear(&nerr);
	if (crimg_source_name_parse(argv[optind], &sn, &nerr) < 0 ||
	    crimg_source_name_parse(argv[optind + 1], &dn, &nerr) < 0) {
		crimg_source_name_free(&sn);
		free(o.rules);
		return usage_error("convert", "%s: %s", nerr.file, nerr.msg);
	}
	o.src = sn.path;
	o.src_transport = sn.transport;
	o.src_ref = sn.ref;
	o.dst = dn.path;
	o.dst_transport = dn.transport;
	rc = 0;
	if (!o.src[0] || !o.dst[0])
		rc = usage_error("convert", "empty SRC or DST");
	else if (dn.ref && o.ref && strcmp(dn.ref, o.ref) != 0)
		rc = usage_error("convert", "--ref %s and DST's ref name %s differ: give one",
				 o.ref, dn.ref);
	if (dn.ref)
		o.ref = dn.ref;
	int to_stdout = !strcmp(o.dst, "-");
	if (!rc && to_stdout && o.to == CRIMG_FMT_UNKNOWN && dn.transport == CRIMG_FMT_UNKNOWN)
		rc = usage_error("convert",
				 "DST '-' is stdout: give its format with --to (tar, "
				 "tar.gz, tar.zst, oci-archive or json)");
	if (o.to == CRIMG_FMT_UNKNOWN)
		o.to = dn.transport != CRIMG_FMT_UNKNOWN ? dn.transport
							 : crimg_format_by_suffix(o.dst);
	else if (dn.transport != CRIMG_FMT_UNKNOWN && o.to != dn.transport && !rc)
		rc = usage_error("convert",
				 "--to %s, but DST is named %s:", crimg_format_name(o.to),
				 crimg_format_name(dn.transport));
	if (!rc && o.ref && o.to != CRIMG_FMT_OCI && o.to != CRIMG_FMT_OCI_ARCHIVE)
		rc = usage_error("convert", "a ref name is for an oci or oci-archive DST, not %s",
				 crimg_format_name(o.to));
	if (!rc && to_stdout && !single_file(o.to))
		rc = usage_error("convert",
				 "DST '-' is stdout, which takes a single-file format "
				 "(tar, tar.gz, tar.zst, oci-archive or json), not %s",
				 crimg_format_name(o.to));
	if (!rc && to_stdout && o.report && !strcmp(o.report, "-"))
		rc = usage_error("convert", "--report - and DST - cannot both be stdout");
	/* a malformed $CRIMG_LIMITS is a usage error before any work */
	tool_limits();
	if (!rc && o.level >= 0 && check_level(&o) != 0)
		rc = EXIT_USAGE;
	if (!rc && o.n_rules == 0 && o.byte_order < 0 && !o.to_arch && o.report)
		rc = usage_error(
			"convert",
			"--report without --rewrite-path, --rewrite-ip, --byte-order or --to-arch");
	if (!rc && o.to_arch && !o.target_exe)
		rc = usage_error("convert",
				 "--to-arch needs --target-exe FILE (the target's build)");
	if (!rc && !o.to_arch && (o.source_exe || o.target_exe || o.target_path || o.plugin))
		rc = usage_error(
			"convert",
			"--source-exe, --target-exe, --target-path and --stack-plugin go with --to-arch");
	if (rc) {
		crimg_source_name_free(&sn);
		crimg_source_name_free(&dn);
		free(o.rules);
		return rc;
	}
	if (o.threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		o.threads = n < 1 ? 1 : n > 8 ? 8 : (int)n;
	}
	rc = convert_run(&o);
	crimg_source_name_free(&sn);
	crimg_source_name_free(&dn);
	free(o.rules);
	return rc;
}
