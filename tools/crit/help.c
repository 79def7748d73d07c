/*
 * crit help CMD: the manual page crit-CMD(1), shown by man(1) when man is
 * installed and finds it: through MANPATH (or man's own search, which
 * follows PATH), else in the man directory of the installation this crit
 * runs from (PREFIX/share/man/man1 beside PREFIX/bin), so that a crit run
 * by its full path shows its own pages.  When neither works, the caller
 * falls back to `crit CMD --help`.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crit.h"

/* A command name, nothing man could take as an option or a path. */
static int plain_name(const char *s)
{
	if (!*s || *s == '-' || *s == '.' || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

/* Does `man -w PAGE` find the page?  Its output is read and dropped. */
static int man_finds(const char *page)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return 0;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return 0;
	}
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		execlp("man", "man", "-w", page, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char buf[512];
	ssize_t n;
	while ((n = read(p[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		;
	close(p[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

void help_show_manual(const char *cmd)
{
	char page[80], self[PATH_MAX], file[PATH_MAX + 128];
	if (!plain_name(cmd))
		return;
	snprintf(page, sizeof(page), "crit-%s", cmd);
	fflush(stdout);
	if (man_finds(page))
		execlp("man", "man", page, (char *)NULL);
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(file, sizeof(file), "%s/../share/man/man1/%s.1", self, page);
	if (access(file, R_OK) == 0)
		execlp("man", "man", "-l", file, (char *)NULL);
}
