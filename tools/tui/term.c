/*
 * The terminal front: curses shows the grid tui_draw() makes and turns
 * the terminal's keys into TK_* codes.  The terminal is always given back
 * as it was found: on q, on SIGINT, SIGTERM and SIGHUP (main re-raises the
 * signal once the checkpoint is closed, so the exit status says what
 * happened), on a fatal
 * signal (best effort) and on any exit through exit().
 */
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "front.h"

static volatile sig_atomic_t got_signal;
static int curses_on;

static void restore(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
}

static void on_signal(int sig)
{
	got_signal = sig;
}

/* A crash: give the terminal back before the default action (endwin is
 * not async-signal-safe; a crashing program has nothing better to do). */
static void on_fatal(int sig)
{
	restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int role_attr[TR_N];

static void setup_colors(int color)
{
	/* monochrome: reverse video for the bars and the cursor, bold for
	 * what must stand out */
	for (int i = 0; i < TR_N; i++)
		role_attr[i] = A_NORMAL;
	role_attr[TR_TITLE] = A_REVERSE | A_BOLD;
	role_attr[TR_STATUS] = A_REVERSE;
	role_attr[TR_CURSOR] = A_REVERSE;
	role_attr[TR_HEADER] = A_BOLD;
	role_attr[TR_ERROR] = A_BOLD;
	role_attr[TR_MATCH] = A_STANDOUT;
	role_attr[TR_MARK] = A_UNDERLINE;
	role_attr[TR_LINK] = A_UNDERLINE;
	if (!color || !has_colors())
		return;
	start_color();
	use_default_colors();
	static const struct {
		int role, fg, bg, extra;
	} pal[] = {
		{ TR_TITLE, COLOR_WHITE, COLOR_BLUE, A_BOLD },
		{ TR_STATUS, COLOR_BLACK, COLOR_CYAN, 0 },
		{ TR_CURSOR, COLOR_BLACK, COLOR_CYAN, 0 },
		{ TR_HEADER, COLOR_YELLOW, -1, A_BOLD },
		{ TR_DIM, COLOR_BLUE, -1, 0 },
		{ TR_ERROR, COLOR_RED, -1, A_BOLD },
		{ TR_ADDR, COLOR_CYAN, -1, 0 },
		{ TR_MATCH, COLOR_BLACK, COLOR_YELLOW, 0 },
		{ TR_LINK, COLOR_GREEN, -1, A_UNDERLINE },
		{ TR_ACCENT, COLOR_GREEN, -1, A_BOLD },
		{ TR_WARN, COLOR_MAGENTA, -1, 0 },
		{ TR_BORDER, COLOR_BLUE, -1, 0 },
		{ TR_MARK, COLOR_BLACK, COLOR_MAGENTA, 0 },
	};
	for (size_t i = 0; i < sizeof(pal) / sizeof(pal[0]); i++) {
		init_pair((short)(i + 1), (short)pal[i].fg, (short)pal[i].bg);
		role_attr[pal[i].role] = (int)(COLOR_PAIR(i + 1) | pal[i].extra);
	}
}

static void paint(const struct tui_grid *g, int ascii)
{
	for (int y = 0; y < g->rows && y < LINES; y++) {
		move(y, 0);
		for (int x = 0; x < g->cols && x < COLS; x++) {
			const struct tui_cell *c = &g->cells[(size_t)y * g->cols + x];
			uint32_t ch = tui_glyph(c->ch ? c->ch : ' ', ascii);
			/* the bottom-right cell scrolls some terminals: leave it */
			if (y == LINES - 1 && x == COLS - 1)
				break;
			attrset(role_attr[c->role < TR_N ? c->role : 0]);
			if (ch < 0x80) {
				addch((chtype)ch);
			} else {
				wchar_t w[2] = { (wchar_t)ch, 0 };
				cchar_t cc;
				setcchar(&cc, w, A_NORMAL, 0, NULL);
				add_wch(&cc);
			}
		}
	}
	attrset(A_NORMAL);
}

static int map_key(wint_t wc, int kind)
{
	if (kind == KEY_CODE_YES) {
		switch (wc) {
		case KEY_UP:
			return TK_UP;
		case KEY_DOWN:
			return TK_DOWN;
		case KEY_LEFT:
			return TK_LEFT;
		case KEY_RIGHT:
			return TK_RIGHT;
		case KEY_PPAGE:
			return TK_PGUP;
		case KEY_NPAGE:
			return TK_PGDN;
		case KEY_HOME:
			return TK_HOME;
		case KEY_END:
			return TK_END;
		case KEY_ENTER:
			return TK_ENTER;
		case KEY_BTAB:
			return TK_BTAB;
		case KEY_BACKSPACE:
			return TK_BACKSPACE;
		case KEY_DC:
			return TK_DEL;
		case KEY_F(1):
			return TK_F1;
		case KEY_RESIZE:
			return TK_RESIZE;
		}
		return 0;
	}
	switch (wc) {
	case '\n':
	case '\r':
		return TK_ENTER;
	case '\t':
		return TK_TAB;
	case 0x7f:
	case 0x08:
		return TK_BACKSPACE;
	case 0x1b:
		return TK_ESC;
	}
	return wc < 0x100 ? (int)wc : 0;
}

int term_run(struct tui *t, const struct front_opts *o)
{
	struct tui_grid g = { 0 };
	struct sigaction sa;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr,
			"crit-tui: standard input and output must be a terminal "
			"(--script runs without one)\n");
		return 1;
	}
	if (!getenv("ESCDELAY"))
		set_escdelay(25);
	if (!initscr()) {
		fprintf(stderr, "crit-tui: cannot set up the terminal\n");
		return 1;
	}
	curses_on = 1;
	atexit(restore);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	/* ncurses retries a read a signal interrupts: wake up now and then
	 * to look at got_signal */
	timeout(200);
	setup_colors(!o->no_color);
	t->ascii = o->ascii;
	while (!t->quit && !got_signal) {
		t->rows = LINES;
		t->cols = COLS;
		if (tui_grid_size(&g, t->rows, t->cols) < 0)
			break;
		tui_draw(t, &g);
		paint(&g, t->ascii);
		refresh();
		wint_t wc;
		int kind = get_wch(&wc);
		if (kind == ERR)
			continue; /* no key yet, or a signal: the loop looks */
		int k = map_key(wc, kind);
		if (k)
			tui_key(t, k);
	}
	t->grid = NULL;
	tui_grid_free(&g);
	restore();
	return got_signal ? 128 + got_signal : 0;
}
