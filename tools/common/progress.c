/* The progress line on stderr (progress.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void progress_init(struct progress *p, const struct progress_style *style, enum progress_mode mode,
		   const char *what)
{
	memset(p, 0, sizeof(*p));
	p->style = style;
	p->mode = mode;
	p->tty = isatty(STDERR_FILENO);
	snprintf(p->what, sizeof(p->what), "%s", what ? what : "");
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
	p->phase0 = p->t0;
}

int progress_on(const struct progress *p)
{
	return p->mode == PROGRESS_ALWAYS || (p->mode == PROGRESS_TTY && p->tty);
}

static void percent_or_mib(char *buf, size_t len, uint64_t done, uint64_t total, double s)
{
	(void)s;
	if (total)
		snprintf(buf, len, "%3u%%", (unsigned)(done >= total ? 100 : done * 100 / total));
	else
		snprintf(buf, len, "%llu MiB", (unsigned long long)(done >> 20));
}

void progress_cb(void *arg, const char *what, uint64_t done, uint64_t total)
{
	struct progress *p = arg;
	const struct progress_style *st = p->style;
	if (!progress_on(p))
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (what && strncmp(p->what, what, sizeof(p->what) - 1) != 0) {
		snprintf(p->what, sizeof(p->what), "%s", what);
		p->phase0 = now;
	}
	/* only for work over a second (asked for: from the start), and not
	 * redrawn more often than the tool says */
	if ((p->mode != PROGRESS_ALWAYS && secs(&p->t0, &now) < 1.0) ||
	    (p->shown && secs(&p->last, &now) < (p->tty ? st->every : st->every_notty)))
		return;
	char words[96];
	(st->words ? st->words : percent_or_mib)(words, sizeof(words), done, total,
						 secs(&p->phase0, &now));
	fflush(stdout);
	/* redrawn over the line before, then the rest of that line cleared */
	if (p->tty)
		fprintf(stderr, "\r%s: %s: %s\033[K", st->name, p->what, words);
	else
		fprintf(stderr, "%s: %s: %s\n", st->name, p->what, words);
	p->shown = 1;
	p->last = now;
}

void progress_done(struct progress *p)
{
	if (p->shown && p->tty)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}
