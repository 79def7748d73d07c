#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

const char *tool_name = "crit";

static void vreport(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", tool_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return -1;
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	exit(1);
}

int error_crimg(const struct crimg_error *e)
{
	char buf[1400];
	return error("%s", crimg_error_str(e, buf, sizeof(buf)));
}

const struct crimg_limits *tool_limits(void)
{
	static struct crimg_limits lim;
	static int done;
	if (done)
		return &lim;
	lim = crimg_default_limits;
	const char *env = getenv(LIMITS_ENV);
	struct crimg_error err;
	crimg_error_clear(&err);
	if (env && crimg_limits_set(&lim, env, &err) < 0) {
		error("%s: %s", LIMITS_ENV, err.msg);
		exit(EXIT_USAGE);
	}
	done = 1;
	return &lim;
}

void tool_limits_help(FILE *f, const char *indent)
{
	char val[32], nv[64];
	const char *what, *name;
	for (size_t i = 0; (name = crimg_limit_describe(i, NULL, val, sizeof(val), &what)); i++) {
		snprintf(nv, sizeof(nv), "%s=%s", name, val);
		/* what's lines after the first go under it */
		for (const char *p = what; *p;) {
			size_t n = strcspn(p, "\n");
			fprintf(f, "%s%-16s %.*s\n", indent, p == what ? nv : "", (int)n, p);
			p += n + (p[n] == '\n');
		}
	}
}

int tool_add_limits(const char *spec)
{
	struct crimg_limits t = crimg_default_limits;
	struct crimg_error err;
	crimg_error_clear(&err);
	if (crimg_limits_set(&t, spec, &err) < 0)
		return error("--limit: %s", err.msg);
	const char *old = getenv(LIMITS_ENV);
	size_t n = (old ? strlen(old) : 0) + strlen(spec) + 2;
	char *v = malloc(n);
	if (!v)
		return error("out of memory");
	/* later settings win: the option after the environment */
	snprintf(v, n, "%s%s%s", old && *old ? old : "", old && *old ? "," : "", spec);
	int rc = setenv(LIMITS_ENV, v, 1);
	free(v);
	return rc < 0 ? error("--limit: %s", strerror(errno)) : 0;
}

int open_input(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return STDIN_FILENO;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error("%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return error("%s: is a directory", path);
	}
	return fd;
}

int ofile_open(struct ofile *of, const char *path)
{
	memset(of, 0, sizeof(*of));
	if (!path || strcmp(path, "-") == 0) {
		of->fd = STDOUT_FILENO;
		return 0;
	}
	of->path = strdup(path);
	char *dcopy = strdup(path), *bcopy = strdup(path);
	if (!of->path || !dcopy || !bcopy) {
		free(dcopy);
		free(bcopy);
		free(of->path);
		return error("out of memory");
	}
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	size_t n = strlen(dir) + strlen(base) + 32;
	of->tmp = malloc(n);
	if (of->tmp)
		snprintf(of->tmp, n, "%s/.%s.tmp-XXXXXX", dir, base);
	free(dcopy);
	free(bcopy);
	if (!of->tmp) {
		free(of->path);
		return error("out of memory");
	}
	of->fd = mkostemp(of->tmp, O_CLOEXEC);
	if (of->fd < 0) {
		int e = errno;
		error("%s: cannot create a temporary file beside it: %s", path, strerror(e));
		free(of->tmp);
		free(of->path);
		of->tmp = of->path = NULL;
		return -1;
	}
	/* mkostemp makes it 0600; an output file gets the usual mode */
	mode_t um = umask(0);
	umask(um);
	fchmod(of->fd, 0666 & ~um);
	return 0;
}

/* After a rename: the directory entry reaches the disk too, so that a
 * crash after we said "done" cannot bring the old file back. */
static void sync_dir_of(const char *path)
{
	char *d = strdup(path);
	if (!d)
		return;
	int fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(d);
	if (fd >= 0) {
		fsync(fd);	/* best effort: some file systems refuse */
		close(fd);
	}
}

int ofile_commit(struct ofile *of)
{
	if (!of->path) {
		/* stdout belongs to the caller (a pipe, a terminal, a file the
		 * shell opened): every write was checked as it was made, and
		 * whether to sync is the caller's choice, as with any filter */
		return 0;
	}
	int rc = 0;
	if (fsync(of->fd) < 0)
		rc = error("%s: %s", of->path, strerror(errno));
	if (close(of->fd) < 0 && rc == 0)
		rc = error("%s: %s", of->path, strerror(errno));
	of->fd = -1;
	if (rc == 0 && rename(of->tmp, of->path) < 0)
		rc = error("%s: %s", of->path, strerror(errno));
	if (rc < 0)
		unlink(of->tmp);
	else
		sync_dir_of(of->path);
	free(of->tmp);
	free(of->path);
	of->tmp = of->path = NULL;
	return rc;
}

void ofile_abort(struct ofile *of)
{
	if (!of->path)
		return;
	if (of->fd >= 0)
		close(of->fd);
	unlink(of->tmp);
	free(of->tmp);
	free(of->path);
	of->tmp = of->path = NULL;
	of->fd = -1;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "%s %s: error: ", tool_name, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nsee '%s %s --help'\n", tool_name, cmd);
	return EXIT_USAGE;
}

int getopt_error(const char *cmd, int c, char **argv)
{
	extern int optind, optopt;
	const char *arg = argv[optind - 1];
	if (c == ':')
		return usage_error(cmd, "option '%s' needs a value", arg);
	if (optopt && optopt != '?')
		return usage_error(cmd, "unknown option '-%c'", optopt);
	return usage_error(cmd, "unknown option '%s'", arg);
}
