/*
 * The scripted mode, in the spirit of tig's TIG_SCRIPT: keys come from a
 * file instead of a terminal and `:save-screen FILE` writes the screen as
 * text, so golden-screen tests run without a terminal at a fixed size.
 *
 * A script is lines of keys.  Plain characters are typed as they are;
 * <Name> is a special key: <Up> <Down> <Left> <Right> <PgUp> <PgDn>
 * <Home> <End> <Enter> <Tab> <BTab> <BS> <Esc> <F1> <Del> <Space> <lt>
 * (a '<') and <C-x> (Ctrl and a letter).  A line starting with ':' is a
 * command line typed and entered.  Empty lines and lines starting with
 * '#' are skipped.  `<Resize COLSxROWS>` changes the screen size.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "front.h"

static const struct {
	const char *name;
	int key;
} names[] = {
	{ "Up", TK_UP },       { "Down", TK_DOWN }, { "Left", TK_LEFT }, { "Right", TK_RIGHT },
	{ "PgUp", TK_PGUP },   { "PgDn", TK_PGDN }, { "Home", TK_HOME }, { "End", TK_END },
	{ "Enter", TK_ENTER }, { "Tab", TK_TAB },   { "BTab", TK_BTAB }, { "BS", TK_BACKSPACE },
	{ "Esc", TK_ESC },     { "F1", TK_F1 },     { "Del", TK_DEL },   { "Space", ' ' },
	{ "lt", '<' },
};

/* Resize requests travel as keys past the TK_* range: the size packed in. */
#define SK_RESIZE 0x40000000
#define SK_SIZE(c, r) (SK_RESIZE | ((c) << 12) | (r))

int script_keys(const char *line, int *keys, int max, const char **bad)
{
	int n = 0;
	const char *p = line;
	while (*p && *p != '\n') {
		int k;
		if (*p == '<' && strchr(p, '>')) {
			const char *e = strchr(p, '>');
			size_t l = (size_t)(e - p - 1);
			int c, r;
			k = -1;
			for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				if (strlen(names[i].name) == l && !strncmp(p + 1, names[i].name, l))
					k = names[i].key;
			if (k < 0 && l == 3 && p[1] == 'C' && p[2] == '-' && p[3] >= 'a' &&
			    p[3] <= 'z')
				k = TK_CTRL(p[3]);
			if (k < 0 && sscanf(p + 1, "Resize %dx%d>", &c, &r) == 2 && c >= 10 &&
			    c <= TUI_ROW_MAX && r >= 3 && r <= 1000)
				k = SK_SIZE(c, r);
			if (k < 0) {
				*bad = p;
				return -1;
			}
			p = e + 1;
		} else {
			k = (unsigned char)*p++;
		}
		if (n == max) {
			*bad = p;
			return -1;
		}
		keys[n++] = k;
	}
	return n;
}

int script_run(struct tui *t, const char *path, const struct front_opts *o)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int keys[1024], rc = 0, lineno = 0;
	struct tui_grid g = { 0 };
	if (!f) {
		fprintf(stderr, "crit-tui: %s: %s\n", path, strerror(errno));
		return 2;
	}
	t->rows = o->rows;
	t->cols = o->cols;
	if (tui_grid_size(&g, t->rows, t->cols) < 0) {
		fclose(f);
		fprintf(stderr, "crit-tui: out of memory\n");
		return 1;
	}
	tui_draw(t, &g);
	while (!t->quit && fgets(line, sizeof(line), f)) {
		const char *bad = NULL;
		int n;
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, "crit-tui: %s:%d: line longer than %zu bytes\n", path,
				lineno, sizeof(line) - 2);
			rc = 2;
			break;
		}
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		if (line[0] == ':' && t->prompt) {
			/* it would be typed into that prompt: surely a mistake */
			fprintf(stderr,
				"crit-tui: %s:%d: the prompt \"%s%s\" is still open (end it with <Enter> or <Esc>)\n",
				path, lineno, t->prompt_label, t->line);
			rc = 2;
			break;
		}
		if (line[0] == ':') {
			/* typed and entered, through the prompt like a user's */
			tui_key(t, ':');
			for (const char *p = line + 1; *p; p++)
				tui_key(t, (unsigned char)*p);
			tui_key(t, TK_ENTER);
			if (t->msg[0] && t->msg_role == TR_ERROR) {
				fprintf(stderr, "crit-tui: %s:%d: %s\n", path, lineno, t->msg);
				if (!strncmp(line, ":save-screen", 12))
					rc = 1;
			}
			tui_draw(t, &g);
			continue;
		}
		n = script_keys(line, keys, (int)(sizeof(keys) / sizeof(keys[0])), &bad);
		if (n < 0) {
			fprintf(stderr, "crit-tui: %s:%d: column %d: unknown key %.*s\n", path,
				lineno, (int)(bad - line) + 1, (int)strcspn(bad, ">") + 1, bad);
			rc = 2;
			break;
		}
		for (int i = 0; i < n && !t->quit; i++) {
			if (keys[i] & SK_RESIZE) {
				t->cols = (keys[i] >> 12) & 0xfff;
				t->rows = keys[i] & 0xfff;
				if (tui_grid_size(&g, t->rows, t->cols) < 0) {
					fprintf(stderr, "crit-tui: out of memory\n");
					rc = 1;
					break;
				}
				tui_key(t, TK_RESIZE);
			} else {
				tui_key(t, keys[i]);
			}
			tui_draw(t, &g);
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "crit-tui: %s: read error\n", path);
		rc = 2;
	}
	fclose(f);
	t->grid = NULL;
	tui_grid_free(&g);
	return rc;
}
