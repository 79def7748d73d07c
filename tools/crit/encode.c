/* crit encode: JSON -> image. */
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "crimg/json.h"
#include "crit.h"
#include "util.h"

static const char encode_usage[] =
	"usage: crit encode [-h] [-i IN] [-o OUT] [--byte-order big|little|native]\n"
	"\n"
	"Convert a CRIU image from JSON (compact or --pretty) to binary.\n"
	"\n"
	"options:\n"
	"  -h, --help        show this help message and exit\n"
	"  -i, --in IN       criu image in json format to be encoded (stdin by default)\n"
	"  -o, --out OUT     where to put criu image in binary format (stdout by\n"
	"                    default, or '-'); a file is written to a temporary file\n"
	"                    and renamed when complete, so an error never leaves a\n"
	"                    partial image, keeping an existing file's mode, owner\n"
	"                    and group; a symlink is followed (its target is\n"
	"                    replaced); a device, FIFO or socket is written\n"
	"                    directly; a directory is refused\n"
	"  --byte-order BO   byte order of the image header and sizes: little, big\n"
	"                    or native (default: native); s390x uses big\n";

int cmd_encode(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "byte-order", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *in = NULL, *out = NULL;
	struct crimg_encode_opts eo = { .byte_order = crimg_host_byte_order(),
					.limits = tool_limits() };
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hi:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(encode_usage, stdout);
			return 0;
		case 'i':
			in = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'b':
			if (!strcmp(optarg, "big"))
				eo.byte_order = CRIMG_BIG_ENDIAN;
			else if (!strcmp(optarg, "little"))
				eo.byte_order = CRIMG_LITTLE_ENDIAN;
			else if (!strcmp(optarg, "native"))
				eo.byte_order = crimg_host_byte_order();
			else {
				return usage_error("encode",
						   "--byte-order takes big, little or native, not '%s'",
						   optarg);
			}
			break;
		default:
			return getopt_error("encode", c, argv);
		}
	}
	if (optind < argc) {
		return usage_error("encode", "unrecognized arguments: %s", argv[optind]);
	}
	int fd = open_input(in);
	if (fd < 0)
		return 1;
	struct ofile of;
	if (ofile_open(&of, out) < 0) {
		if (fd != STDIN_FILENO)
			close(fd);
		return 1;
	}
	struct crimg_error err;
	crimg_error_clear(&err);
	int rc = crimg_json_encode(fd, in && strcmp(in, "-") ? in : "stdin", of.fd,
				   of.path ? of.path : "stdout", &eo, &err);
	if (rc < 0) {
		error_crimg(&err);
		ofile_abort(&of);
	} else {
		rc = ofile_commit(&of);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return rc < 0 ? 1 : 0;
}
