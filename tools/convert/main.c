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
	"                    [--ref NAME] [--layer-compression none|gzip|zstd] SRC DST\n"
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
	"\n"
	"options:\n"
	"  -h, --help              show this help message and exit\n"
	"  -t, --to FORMAT         the format of DST: dir, json, json-dir, tar, tar.gz,\n"
	"                          tar.zst, oci, oci-archive (default: from DST's name)\n"
	"  -l, --level N           compression level: gzip 0-9 (default 6), zstd 1-19\n"
	"                          (default 3); also for a compressed OCI layer\n"
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
	"                          cwd and root, mounts, unix socket names (repeatable)\n"
	"  --rewrite-ip OLD=NEW    change the IP address OLD to NEW in inet sockets\n"
	"                          (TCP stream images hold none; raw network images\n"
	"                          such as ifaddr-*.img stay as saved, with a note)\n"
	"                          (repeatable)\n"
	"  --report FILE           write the list of rewritten fields as JSON to FILE\n"
	"                          ('-': stdout) instead of as text on stderr\n"
	"  --ref NAME              oci, oci-archive: the image's reference name\n"
	"                          (org.opencontainers.image.ref.name; default latest)\n"
	"  --layer-compression C   oci, oci-archive: compression of the layer: none\n"
	"                          (default), gzip or zstd\n"
	"\n"
	"Safety: SRC is only read.  Archives are unpacked into a private directory\n"
	"beside DST; members with absolute names or '..', symlinks pointing out of the\n"
	"checkpoint (CRIU's 'parent' link to the previous dump excepted), hard links\n"
	"to anything but an earlier member, device nodes, fifos and duplicate members\n"
	"are refused, as are archives unpacking to over 1 TiB.  The result is written\n"
	"under a temporary name beside DST, flushed to disk and renamed: a failed or\n"
	"interrupted run leaves no partial DST and no temporary files.\n"
	"SOURCE_DATE_EPOCH, if set, is the creation time recorded in OCI images\n"
	"(default 0, so that the same checkpoint gives the same digests).\n"
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
	"      ckpt.tar.zst moved.tar.zst\n";

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

/* "oci:PATH" and "oci-archive:PATH", as skopeo names them. */
static const char *strip_transport(const char *arg, enum crimg_format *f)
{
	if (strncmp(arg, "oci-archive:", 12) == 0) {
		*f = CRIMG_FMT_OCI_ARCHIVE;
		return arg + 12;
	}
	if (strncmp(arg, "oci:", 4) == 0) {
		*f = CRIMG_FMT_OCI;
		return arg + 4;
	}
	*f = CRIMG_FMT_UNKNOWN;
	return arg;
}

int main(int argc, char **argv)
{
	enum { O_PROGRESS = 256, O_RW_PATH, O_RW_IP, O_REPORT, O_REF, O_LAYER };
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
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .to = CRIMG_FMT_UNKNOWN, .level = -1, .layer_comp = CRIMG_COMP_NONE };
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
				return usage_error("convert", "unknown format '%s' (dir, json, json-dir, tar, "
							      "tar.gz, tar.zst, oci, oci-archive)", optarg);
			}
			break;
		case 'l':
			if (parse_int(optarg, 0, 22, &o.level) < 0) {
				free(o.rules);
				return usage_error("convert", "--level needs a number from 0 to 22, got '%s'", optarg);
			}
			break;
		case 'T':
			if (parse_int(optarg, 1, 256, &o.threads) < 0) {
				free(o.rules);
				return usage_error("convert", "--threads needs a number from 1 to 256, got '%s'", optarg);
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
				return usage_error("convert", "--ref: '%s' is not a valid ref name "
						   "(letters and digits joined by one of -._:@+ or --, "
						   "components separated by /)", optarg);
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
				return usage_error("convert", "--layer-compression: none, gzip or zstd, not '%s'",
						   optarg);
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
			return usage_error("convert", "unrecognized arguments: %s", argv[optind + 2]);
		return usage_error("convert", "expected SRC and DST");
	}
	enum crimg_format sf, df;
	o.src = strip_transport(argv[optind], &sf);
	o.dst = strip_transport(argv[optind + 1], &df);
	if (!o.src[0] || !o.dst[0]) {
		free(o.rules);
		return usage_error("convert", "empty SRC or DST");
	}
	if (o.to == CRIMG_FMT_UNKNOWN)
		o.to = df != CRIMG_FMT_UNKNOWN ? df : crimg_format_by_suffix(o.dst);
	if (o.n_rules == 0 && o.report) {
		free(o.rules);
		return usage_error("convert", "--report without --rewrite-path or --rewrite-ip");
	}
	if (o.threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		o.threads = n < 1 ? 1 : n > 8 ? 8 : (int)n;
	}
	rc = convert_run(&o);
	free(o.rules);
	return rc;
}
