/* crit-tui: browse a checkpoint in the terminal (or run a script of keys). */
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "front.h"
#include "progress.h"
#include "util.h"

static const char usage[] =
	"usage: crit tui [-h] [--container NAME] [--ascii] [--no-color]\n"
	"                [--script FILE] [--size COLSxROWS] [--limit NAME=VALUE] SRC\n"
	"\n"
	"Browse a checkpoint in the terminal: the process tree, each task's\n"
	"summary, registers, memory map, file descriptors, sockets, environment\n"
	"and memory (hex, with search), every image as a JSON tree and the\n"
	"container's metadata.  ? or F1 inside lists every key; : takes commands\n"
	"(:pid N, :goto ADDR, :search TEXT, :image NAME, :quit).\n"
	"\n"
	"SRC is a CRIU images directory, an unpacked container checkpoint, a\n"
	"container checkpoint archive (.tar, .tar.gz, .tar.zst; '-': read from\n"
	"standard input), an OCI image (oci:DIR[:REF], oci-archive:FILE[:REF] or a\n"
	"layout directory), crimg's JSON bundle or JSON directory.\n"
	"\n"
	"options:\n"
	"  -h, --help          show this help and exit\n"
	"  --container NAME    the container of a pod archive (default: the first)\n"
	"  --ascii             ASCII line drawing (the default when the locale is\n"
	"                      not UTF-8)\n"
	"  --no-color          no colours (also when NO_COLOR is set)\n"
	"  --script FILE       no terminal: run the keys in FILE (also\n"
	"                      $CRIMG_TUI_SCRIPT); :save-screen F writes the screen\n"
	"                      as text (see crit-tui(1))\n"
	"  --size COLSxROWS    the screen of --script (default $COLUMNS x $LINES,\n"
	"                      else 80x24)\n"
	"  --limit NAME=VALUE  raise or lower a safety limit (crit --help lists them)\n"
	"\n"
	"exit status: 0 when quit; 1 when SRC cannot be opened, there is no\n"
	"terminal, or a scripted :save-screen failed; 2 on a usage error or a\n"
	"malformed script.\n";

static const struct progress_style progress_style = { .name = "crit tui" };

static int env_int(const char *name, int def, int lo, int hi)
{
	const char *s = getenv(name);
	char *end;
	long v;
	if (!s || !*s)
		return def;
	v = strtol(s, &end, 10);
	return *end || v < lo || v > hi ? def : (int)v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "container", required_argument, NULL, 'C' },
		{ "ascii", no_argument, NULL, 'a' },
		{ "no-color", no_argument, NULL, 'n' },
		{ "no-colour", no_argument, NULL, 'n' },
		{ "script", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'S' },
		{ "limit", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	const char *container = NULL, *script = getenv("CRIMG_TUI_SCRIPT");
	struct front_opts fo = { 0 };
	int c, size_given = 0;

	tool_name = "crit tui";
	setlocale(LC_ALL, "");
	if (script && !*script)
		script = NULL;
	fo.cols = env_int("COLUMNS", 80, 10, TUI_ROW_MAX);
	fo.rows = env_int("LINES", 24, 3, 1000);
	fo.no_color = getenv("NO_COLOR") && *getenv("NO_COLOR");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'C':
			container = optarg;
			break;
		case 'a':
			fo.ascii = 1;
			break;
		case 'n':
			fo.no_color = 1;
			break;
		case 's':
			script = optarg;
			break;
		case 'S': {
			char x;
			if (sscanf(optarg, "%d%c%d", &fo.cols, &x, &fo.rows) != 3 || x != 'x' ||
			    fo.cols < 10 || fo.cols > TUI_ROW_MAX || fo.rows < 3 || fo.rows > 1000)
				return usage_error("tui",
						   "--size wants COLSxROWS (10..%d x 3..1000): %s",
						   TUI_ROW_MAX, optarg);
			size_given = 1;
			break;
		}
		case 'L':
			if (tool_add_limits(optarg) < 0)
				return EXIT_USAGE;
			break;
		default:
			return getopt_error("tui", c, argv);
		}
	}
	if (optind + 1 != argc)
		return usage_error("tui", optind == argc ? "SRC is required" : "one SRC only");
	if (size_given && !script)
		return usage_error("tui", "--size is for --script (a terminal has its own size)");
	/* a locale that is not UTF-8 gets ASCII line drawing */
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0 && !script)
		fo.ascii = 1;

	const char *src = argv[optind];
	struct progress pr;
	progress_init(&pr, &progress_style, PROGRESS_TTY, NULL);
	struct crimg_ckpt_opts co = { .container = container, .limits = tool_limits() };
	if (progress_on(&pr)) {
		co.progress = progress_cb;
		co.progress_arg = &pr;
	}
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_ckpt *ck = crimg_ckpt_open(src, &co, &err);
	progress_done(&pr);
	if (!ck)
		return error_crimg(&err), 1;

	struct tui t;
	memset(&t, 0, sizeof(t));
	t.ascii = fo.ascii;
	t.rows = fo.rows;
	t.cols = fo.cols;
	/* relative :save-screen names land here (the golden-screen tests) */
	if (getenv("CRIMG_TUI_SAVE_DIR") && *getenv("CRIMG_TUI_SAVE_DIR"))
		t.save_dir = getenv("CRIMG_TUI_SAVE_DIR");
	if (tui_init(&t, ck, src, tool_limits()) < 0) {
		crimg_ckpt_close(ck);
		error("%s", t.msg[0] ? t.msg : "out of memory");
		return 1;
	}
	int rc = script ? script_run(&t, script, &fo) : term_run(&t, &fo);
	tui_fini(&t);
	crimg_ckpt_close(ck);
	if (rc > 128) {
		/* a signal ended the terminal front: end as that signal would */
		signal(rc - 128, SIG_DFL);
		raise(rc - 128);
	}
	return rc;
}
