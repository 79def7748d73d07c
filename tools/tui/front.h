/* The two fronts that drive struct tui: a real terminal (term.c, curses)
 * and a script of keys with screens saved as text (script.c). */
#ifndef CRIMG_TUI_FRONT_H
#define CRIMG_TUI_FRONT_H
#include "tui.h"

struct front_opts {
	int ascii;      /* ASCII line drawing (also when the locale is not UTF-8) */
	int no_color;   /* --no-color or $NO_COLOR */
	int rows, cols; /* script mode's screen size */
};
/* Runs t on the terminal until q: 0; 1 after printing why (no terminal);
 * 128 + N when signal N (SIGINT, SIGTERM, SIGHUP) ended it. */
int term_run(struct tui *t, const struct front_opts *o);
/* Runs the keys of script path against t; 0, 1 on a failed command or
 * save, 2 on a malformed script (message on stderr with its line). */
int script_run(struct tui *t, const char *path, const struct front_opts *o);
/* Parses one script line's keys into keys[] (at most max); the count, or
 * -1 with *bad pointing at the token it does not know. */
int script_keys(const char *line, int *keys, int max, const char **bad);
#endif
