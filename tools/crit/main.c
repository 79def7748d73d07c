/*
 * crit: a drop-in for CRIU's crit.  One table row per subcommand; anything
 * else named NAME runs crit-NAME from the same directory, git-style.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crimg/image.h"
#include "crit.h"
#include "util.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "decode", cmd_decode, "convert criu image from binary type to json" },
	{ "encode", cmd_encode, "convert criu image from json type to binary" },
	{ "info", cmd_info, "show info about image" },
	{ "show", cmd_show, "convert criu image from binary to human-readable json" },
	{ "x", cmd_x, "explore image dir (or container archive)" },
	{ "inspect", cmd_inspect, "container checkpoint overview, process tree and details" },
	{ "mem", cmd_mem, "process memory: table, hexdump, dump and search" },
	{ "edit", cmd_edit, "edit an image as JSON in $VISUAL/$EDITOR, atomically" },
	{ "check", cmd_check, "why a restore will fail, before it fails (and did, after)" },
	{ "core", cmd_core, "processes as ELF core files for gdb (any architecture)" },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: crit [-h] [--version] [--limit NAME=VALUE]...\n"
		"            {decode,encode,info,show,x,inspect,mem,edit,check,core,convert,diff,tui,...} ...\n"
		"\n"
		"CRiu Image Tool (crimg %s, compatible with CRIU %s's crit)\n"
		"\n"
		"commands:\n",
		CRIMG_VERSION, CRIMG_CRIU_VERSION);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f,
		"  convert  checkpoint <-> JSON bundle, archives, OCI images (crit-convert)\n"
		"  diff     what changed between two checkpoints or images (crit-diff)\n"
		"  tui      browse a checkpoint in the terminal (crit-tui)\n"
		"  help     CMD's manual page (crit help CMD; without man: CMD --help)\n"
		"  NAME     run crit-NAME from the same installation (git-style)\n"
		"\n"
		"options:\n"
		"  -h, --help  show this help message and exit\n"
		"  --version   show program's version number and exit\n"
		"  --limit NAME=VALUE[,NAME=VALUE...]\n"
		"              change a limit on hostile input (repeatable; also taken\n"
		"              from $CRIMG_LIMITS, which crit-NAME commands inherit);\n"
		"              every command honours every limit; sizes take K, M, G, T\n"
		"              suffixes (powers of 1024):\n");
	tool_limits_help(f, "    ");
	fprintf(f,
		"\n"
		"Use crit CMD --help for command-specific help.\n"
		"Exit status: 0 success, 1 failure, 2 usage error (a malformed --limit or\n"
		"$CRIMG_LIMITS included).\n");
}

/* Runs crit-NAME next to this executable, then from PATH. */
static int run_external(const char *name, int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/crit-%s", self, name);
			if (access(path, X_OK) == 0) {
				argv[0] = path;
				execv(path, argv);
			}
		}
	}
	snprintf(path, sizeof(path), "crit-%s", name);
	argv[0] = path;
	execvp(path, argv);
	(void)argc;
	fprintf(stderr, "crit: '%s' is not a crit command (see 'crit --help')\n", name);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	tool_name = "crit";
	if (argc < 2) {
		usage(stderr);
		fprintf(stderr, "crit: error: too few arguments\n");
		return EXIT_USAGE;
	}
	/* global options before the command: --limit */
	while (argc >= 2 && (!strcmp(argv[1], "--limit") || !strncmp(argv[1], "--limit=", 8))) {
		const char *spec = argv[1][7] == '=' ? argv[1] + 8 : argv[2];
		int used = argv[1][7] == '=' ? 1 : 2;
		if (!spec) {
			usage(stderr);
			fprintf(stderr, "crit: error: option '--limit' needs a value\n");
			return EXIT_USAGE;
		}
		if (tool_add_limits(spec) < 0)
			return EXIT_USAGE;
		argc -= used;
		argv += used;
	}
	if (argc < 2) {
		usage(stderr);
		fprintf(stderr, "crit: error: too few arguments\n");
		return EXIT_USAGE;
	}
	/* crit help CMD: the manual page, else crit CMD --help */
	if (argc >= 3 && !strcmp(argv[1], "help")) {
		help_show_manual(argv[2]);
		static char help_opt[] = "--help";
		argv[1] = argv[2];
		argv[2] = help_opt;
		argc = 3;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("crit (crimg) %s, compatible with CRIU %s\n", CRIMG_VERSION,
		       CRIMG_CRIU_VERSION);
		return 0;
	}
	if (cmd[0] == '-') {
		usage(stderr);
		fprintf(stderr, "crit: error: unrecognized option '%s'\n", cmd);
		return EXIT_USAGE;
	}
	/* a malformed $CRIMG_LIMITS is a usage error before any work */
	tool_limits();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cmd, commands[i].name) == 0) {
			int rc = commands[i].fn(argc - 1, argv + 1);
			/* like git: a command that "succeeded" but could not
			 * write its output has failed */
			if (fflush(stdout) != 0 || ferror(stdout)) {
				fprintf(stderr, "crit: stdout: %s\n", strerror(errno));
				return 1;
			}
			return rc;
		}
	}
	return run_external(cmd, argc - 1, argv + 1);
}
