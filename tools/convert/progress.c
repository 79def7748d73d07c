/*
 * crit-convert's progress: on a terminal, nothing for work done within a
 * second, then one line on stderr redrawn at most five times a second.
 * With --progress, from the start, and when stderr is a file or a pipe a
 * line every two seconds.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "convert.h"

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void progress_init(struct progress *p, int mode)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	p->tty = isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
	p->phase0 = p->t0;
}

static const char *size_str(uint64_t v, char *buf, size_t len)
{
	if (v < (10u << 20))
		snprintf(buf, len, "%.1f KiB", (double)v / 1024);
	else if (v < (10ull << 30))
		snprintf(buf, len, "%.1f MiB", (double)v / (1 << 20));
	else
		snprintf(buf, len, "%.1f GiB", (double)v / (1 << 30));
	return buf;
}

void progress_cb(void *arg, const char *what, uint64_t done, uint64_t total)
{
	struct progress *p = arg;
	if (p->mode == 0 || (p->mode == 1 && !p->tty))
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (strncmp(p->what, what, sizeof(p->what) - 1) != 0) {
		snprintf(p->what, sizeof(p->what), "%s", what);
		p->phase0 = now;
	}
	/* --progress (mode 2) shows it from the start */
	if ((p->mode == 1 && secs(&p->t0, &now) < 1.0) ||
	    (p->shown && secs(&p->last, &now) < (p->tty ? 0.2 : 2.0)))
		return;
	char a[32], b[32], line[160];
	double t = secs(&p->phase0, &now);
	double rate = t > 0.05 ? (double)done / t : 0;
	if (total && done <= total)
		snprintf(line, sizeof(line), "crit convert: %s: %s of %s (%d%%), %.0f MiB/s", what,
			 size_str(done, a, sizeof(a)), size_str(total, b, sizeof(b)),
			 (int)(done * 100 / total), rate / (1 << 20));
	else
		snprintf(line, sizeof(line), "crit convert: %s: %s", what, size_str(done, a, sizeof(a)));
	fflush(stdout);
	if (p->tty)
		fprintf(stderr, "\r\033[K%s", line);
	else
		fprintf(stderr, "%s\n", line);
	p->shown = 1;
	p->last = now;
}

void progress_done(struct progress *p)
{
	if (p->shown && p->tty)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}
