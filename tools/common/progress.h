/*
 * The progress line on stderr, for work that may take a while:
 * "crit x: reading archive: 42%".  Nothing for work done within a second;
 * then, on a terminal, one line redrawn in place and cleared at the end.
 * When stderr is not a terminal, nothing, unless the tool asks for it
 * (crit convert --progress): then from the start, a line of its own now
 * and then.
 */
#ifndef CRIMG_TOOLS_PROGRESS_H
#define CRIMG_TOOLS_PROGRESS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum progress_mode {
	PROGRESS_OFF,
	PROGRESS_TTY,    /* only when stderr is a terminal */
	PROGRESS_ALWAYS, /* also when it is not, and from the start */
};

/*
 * How a tool words its line: "NAME: WHAT: " and what words() writes into
 * buf for done of total (total 0: not known), secs being how long the
 * current WHAT has run (for a rate).  words NULL: the percentage, or the
 * MiB done while the total is not known.
 */
struct progress_style {
	const char *name;   /* "crit x" */
	double every;       /* seconds between redraws on a terminal (0: each call) */
	double every_notty; /* between lines when stderr is not one */
	void (*words)(char *buf, size_t len, uint64_t done, uint64_t total, double secs);
};

struct progress {
	const struct progress_style *style;
	enum progress_mode mode;
	int tty, shown;
	struct timespec t0, last;
	struct timespec phase0; /* when the current what started */
	char what[128];
};

/* Starts the clock; what names the work for calls that name none (NULL). */
void progress_init(struct progress *p, const struct progress_style *style, enum progress_mode mode,
		   const char *what);
/* Whether a line can show at all: a tool gives the library no callback
 * when it cannot. */
int progress_on(const struct progress *p);
/* The callback the library calls, arg being a struct progress; what NULL
 * keeps the work named before. */
void progress_cb(void *arg, const char *what, uint64_t done, uint64_t total);
/* Clears the line (if one is on the terminal). */
void progress_done(struct progress *p);

#endif
