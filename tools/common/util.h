/* Helpers for the tools only: messages, exit codes, safe output files. */
#ifndef CRIMG_TOOLS_UTIL_H
#define CRIMG_TOOLS_UTIL_H

#include <stdio.h>

#include "crimg/image.h"

#define EXIT_USAGE 2

#if defined(__GNUC__)
#define TOOL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TOOL_PRINTF(a, b)
#endif

/* The program name used in messages ("crit"). */
extern const char *tool_name;

/* "crit: MSG" on stderr; returns -1 so callers can `return error(...)`. */
int error(const char *fmt, ...) TOOL_PRINTF(1, 2);
/* Prints a library error as "crit: FILE: offset N: entry K: MSG"; returns -1. */
int error_crimg(const struct crimg_error *e);
/* "crit: MSG" and exit(1). */
void die(const char *fmt, ...) TOOL_PRINTF(1, 2) __attribute__((noreturn));

/*
 * A named output, by the library's rules (crimg_outfile_open: a file is
 * written to a temporary file and renamed when complete, keeping an
 * existing file's mode, owner and group; a symlink is followed; a device,
 * FIFO or socket is written directly; a directory is refused).  A NULL or
 * "-" path means stdout.  These print what went wrong.
 */
struct ofile {
	struct crimg_outfile *f;
	const char *path; /* as given; NULL for stdout */
	const char *name; /* for messages: path, or "stdout" */
	int fd;
};
int ofile_open(struct ofile *of, const char *path);
int ofile_commit(struct ofile *of); /* -1 and the target untouched on failure */
void ofile_abort(struct ofile *of); /* removes the temporary file */

/*
 * The limits for every library call: crimg_default_limits with
 * $CRIMG_LIMITS ("NAME=VALUE,...") applied; crit's --limit options are
 * added to that variable, so crit-NAME tools see them too.  A malformed
 * value is a usage error: message and exit 2.
 */
const struct crimg_limits *tool_limits(void);
/* For --limit: checks spec and appends it to $CRIMG_LIMITS; -1 after
 * printing why.  Call before the first tool_limits(). */
int tool_add_limits(const char *spec);
/* Every limit, one per line, "NAME=DEFAULT  what it bounds", after indent. */
void tool_limits_help(FILE *f, const char *indent);
#define LIMITS_ENV "CRIMG_LIMITS"

/* Opens path read-only ("-" or NULL: stdin); -1 after printing why. */
int open_input(const char *path);

/*
 * For a usage error of subcommand cmd: "crit CMD: error: MSG" and a pointer
 * to --help on stderr; returns EXIT_USAGE.  getopt_error() words getopt's
 * complaint (run getopt_long with opterr = 0 and a leading ':' in optstring).
 */
int usage_error(const char *cmd, const char *fmt, ...) TOOL_PRINTF(2, 3);
int getopt_error(const char *cmd, int c, char **argv);
#endif
