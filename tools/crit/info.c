/* crit info: what an image is, how many entries it holds, its byte order. */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "crimg/json.h"
#include "crit.h"
#include "util.h"

static const char info_usage[] =
	"usage: crit info [-h] IN\n"
	"\n"
	"Show what an image is: its magic, the number of entries (payloads that\n"
	"follow entries are not counted as entries) and the byte order of its\n"
	"header, as JSON.\n"
	"\n"
	"A raw image (pages-*.img, ifaddr-*.img, iptables-*.img,\n"
	"tmpfs-*.tar.gz.img, ...: data with no header, known by its file name) is\n"
	"described instead: {\"magic\": KIND, \"raw\": true, \"size\": BYTES,\n"
	"\"content\": WHAT}, WHAT being \"page data\", \"gzip\", \"iproute2 dump\",\n"
	"\"text\", \"data\" or \"empty\"; a pages image also gets \"pages\", its size\n"
	"in pages of this machine.\n"
	"\n"
	"positional arguments:\n"
	"  IN          criu image in binary format ('-' for stdin)\n"
	"\n"
	"options:\n"
	"  -h, --help  show this help message and exit\n";

/* A raw image has no magic, entries or byte order: what it is instead. */
static int raw_info(const struct crimg_raw_info *ri)
{
	printf("{\n    \"magic\": \"%s\",\n    \"raw\": true,\n    \"size\": %" PRIu64 ",\n"
	       "    \"content\": \"%s\"",
	       ri->kind->name, ri->size, ri->content);
	long ps = sysconf(_SC_PAGESIZE);
	if (strcmp(ri->kind->name, "PAGES") == 0 && ps > 0)
		printf(",\n    \"pages\": %" PRIu64, ri->size / (uint64_t)ps);
	printf("\n}\n");
	return 0;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(info_usage, stdout);
			return 0;
		}
		return getopt_error("info", c, argv);
	}
	if (argc - optind != 1) {
		return usage_error("info", "expected one image");
	}
	const char *in = argv[optind];
	int fd = open_input(in);
	if (fd < 0)
		return 1;
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_raw_info ri;
	int raw = fd != STDIN_FILENO ? crimg_raw_image_info(fd, in, &ri, &err) : 0;
	if (raw) {
		close(fd);
		return raw < 0 ? (error_crimg(&err), 1) : raw_info(&ri);
	}
	struct crimg_reader *r = crimg_reader_open(fd, strcmp(in, "-") ? in : "stdin",
						   tool_limits(), &err);
	struct crimg_info info;
	int rc = r ? crimg_image_info(r, &info, &err) : -1;
	crimg_reader_close(r);
	if (fd != STDIN_FILENO)
		close(fd);
	if (rc < 0)
		return error_crimg(&err), 1;
	printf("{\n    \"magic\": \"%s\",\n    \"count\": %" PRIu64 ",\n"
	       "    \"byte_order\": \"%s\"\n}\n",
	       info.kind->name, info.count, info.byte_order == CRIMG_BIG_ENDIAN ? "big" : "little");
	return 0;
}
