#include <errno.h>
#include <fcntl.h>
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
	struct crimg_error err;
	crimg_error_clear(&err);
	memset(of, 0, sizeof(*of));
	if (!path || !strcmp(path, "-"))
		path = "-";
	of->fd = -1;
	if (!(of->f = crimg_outfile_open(path, 0, &err)))
		return error_crimg(&err);
	of->path = strcmp(path, "-") ? path : NULL;
	of->name = crimg_outfile_name(of->f);
	of->fd = crimg_outfile_fd(of->f);
	return 0;
}

int ofile_commit(struct ofile *of)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	int rc = crimg_outfile_commit(of->f, &err);
	of->f = NULL;
	of->fd = -1;
	return rc < 0 ? error_crimg(&err) : 0;
}

void ofile_abort(struct ofile *of)
{
	crimg_outfile_abort(of->f);
	of->f = NULL;
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
