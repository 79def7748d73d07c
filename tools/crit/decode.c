/* crit decode / crit show: image -> JSON. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crimg/json.h"
#include "crit.h"
#include "util.h"

static const char decode_usage[] =
	"usage: crit decode [-h] [--pretty] [--nopl] [-i IN] [-o OUT]\n"
	"\n"
	"Convert a CRIU image from binary to JSON, exactly as CRIU's crit does.\n"
	"\n"
	"options:\n"
	"  -h, --help     show this help message and exit\n"
	"  --pretty       multiline with indents and some numerical fields in\n"
	"                 field-specific format (hex, flags, devices, addresses)\n"
	"  --nopl         do not show entry payload (if exists), only its size\n"
	"  -i, --in IN    criu image in binary format to be decoded (stdin by default)\n"
	"  -o, --out OUT  where to put criu image in json format (stdout by default,\n"
	"                 or '-'); a file is written to a temporary file and renamed\n"
	"                 when complete, keeping an existing file's mode, owner and\n"
	"                 group; a symlink is followed (its target is replaced); a\n"
	"                 device, FIFO or socket is written directly; a directory\n"
	"                 is refused\n"
	"\n"
	"Either byte order is read (s390x images are big-endian); 'crit info' says\n"
	"which one an image uses.  Raw images (pages-*.img, tmpfs-*.tar.gz.img, ...)\n"
	"have no entries and cannot be decoded.\n";

static const char show_usage[] =
	"usage: crit show [-h] [--nopl] IN\n"
	"\n"
	"Convert a CRIU image from binary to human-readable JSON on stdout\n"
	"(the same as 'crit decode --pretty -i IN').\n"
	"\n"
	"positional arguments:\n"
	"  IN          criu image in binary format\n"
	"\n"
	"options:\n"
	"  -h, --help  show this help message and exit\n"
	"  --nopl      do not show entry payload (if exists), only its size\n";

static int report_open_error(const struct crimg_error *e)
{
	error_crimg(e);
	if (strstr(e->msg, "unknown magic") && !strstr(e->msg, "raw image"))
		fprintf(stderr,
			"Maybe you are feeding me an image with raw data(i.e. pages.img)?\n");
	return 1;
}

static int do_decode(const char *in, const char *out, unsigned flags)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	int fd = open_input(in);
	if (fd < 0)
		return 1;
	const char *iname = in && strcmp(in, "-") ? in : "stdin";
	struct crimg_reader *r = crimg_reader_open(fd, iname, tool_limits(), &err);
	if (!r) {
		if (fd != STDIN_FILENO)
			close(fd);
		return report_open_error(&err);
	}
	struct ofile of;
	if (ofile_open(&of, out) < 0) {
		crimg_reader_close(r);
		return 1;
	}
	const char *oname = of.path ? of.path : "stdout";
	struct crimg_out *o = crimg_out_new(of.fd, oname);
	int rc = o ? crimg_json_decode(r, o, flags, &err) : -1;
	if (rc == 0 && !of.path)
		rc = crimg_out_write(o, "\n", 1); /* crit ends stdout with a newline */
	if (rc == 0)
		rc = crimg_out_flush(o, &err);
	if (rc < 0) {
		if (o)
			error_crimg(&err);
		else
			error("out of memory");
		ofile_abort(&of);
	} else {
		rc = ofile_commit(&of);
	}
	crimg_out_free(o);
	crimg_reader_close(r);
	if (fd != STDIN_FILENO)
		close(fd);
	return rc < 0 ? 1 : 0;
}

int cmd_decode(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },      { "pretty", no_argument, NULL, 'p' },
		{ "nopl", no_argument, NULL, 'n' },      { "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' }, { NULL, 0, NULL, 0 },
	};
	const char *in = NULL, *out = NULL;
	unsigned flags = 0;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hi:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(decode_usage, stdout);
			return 0;
		case 'p':
			flags |= CRIMG_JSON_PRETTY;
			break;
		case 'n':
			flags |= CRIMG_JSON_NOPL;
			break;
		case 'i':
			in = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return getopt_error("decode", c, argv);
		}
	}
	if (optind < argc) {
		return usage_error("decode", "unrecognized arguments: %s", argv[optind]);
	}
	return do_decode(in, out, flags);
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "nopl", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned flags = CRIMG_JSON_PRETTY;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(show_usage, stdout);
			return 0;
		case 'n':
			flags |= CRIMG_JSON_NOPL;
			break;
		default:
			return getopt_error("show", c, argv);
		}
	}
	if (argc - optind != 1) {
		return usage_error("show", "expected one image");
	}
	return do_decode(argv[optind], NULL, flags);
}
