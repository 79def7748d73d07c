/*
 * crit-tui's state without a terminal: keys, prompts, search, commands,
 * the help overlay, rows and the drawing, on a view made up here (a list
 * of 100 rows "row N" with a detail pane), so that nothing depends on a
 * checkpoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "../../tools/tui/front.h"
#include "../../tools/tui/tui.h"

static size_t fake_count(struct tui *t, struct tui_view *v)
{
	return 100;
}

static void fake_row(struct tui *t, struct tui_view *v, size_t i, struct tui_row *r)
{
	tui_row_add(r, TR_TEXT, "row %zu%s", i, i % 10 == 7 ? " Seven" : "");
}

static size_t fake_dcount(struct tui *t, struct tui_view *v, size_t sel)
{
	return 30;
}

static void fake_drow(struct tui *t, struct tui_view *v, size_t sel, size_t i, struct tui_row *r)
{
	tui_row_add(r, TR_TEXT, "detail %zu of %zu", i, sel);
}

static int entered = -1;
static void fake_enter(struct tui *t, struct tui_view *v, size_t sel)
{
	entered = (int)sel;
}

static const struct tui_view_ops fake_ops = {
	.name = "fake",
	.count = fake_count,
	.row = fake_row,
	.detail_count = fake_dcount,
	.detail_row = fake_drow,
	.enter = fake_enter,
};

/* A tui with two fake views and a drawn 80x24 grid (so pages are known). */
static void setup(struct tui *t, struct tui_grid *g)
{
	memset(t, 0, sizeof(*t));
	memset(g, 0, sizeof(*g));
	t->src = "SRC";
	t->rows = 24;
	t->cols = 80;
	snprintf(t->tree_err, sizeof(t->tree_err), "no tree here");
	tui_push(t, tui_view_new(&fake_ops, NULL, 0));
	tui_push(t, tui_view_new(&fake_ops, NULL, 0));
	tui_grid_size(g, 24, 80);
	tui_draw(t, g);
}

static void keys(struct tui *t, struct tui_grid *g, const char *s)
{
	int k[256];
	const char *bad;
	int n = script_keys(s, k, 256, &bad);
	for (int i = 0; i < n; i++) {
		tui_key(t, k[i]);
		tui_draw(t, g);
	}
}

static void teardown(struct tui *t, struct tui_grid *g)
{
	tui_fini(t);
	tui_grid_free(g);
}

/* The text of grid row y, trailing spaces trimmed. */
static const char *grid_line(const struct tui_grid *g, int y)
{
	static char buf[TUI_ROW_MAX * 4 + 1];
	size_t o = 0, end = 0;
	for (int x = 0; x < g->cols; x++) {
		uint32_t ch = tui_glyph(g->cells[(size_t)y * g->cols + x].ch, 1);
		buf[o++] = (char)ch;
		if (ch != ' ')
			end = o;
	}
	buf[end] = 0;
	return buf;
}

TEST(tui_navigation)
{
	struct tui t;
	struct tui_grid g;
	setup(&t, &g);
	struct tui_view *v = tui_top(&t);
	/* 80x24: title, 11-row list (55% of 22), a rule, the detail pane, status */
	EXPECT(v->list_rows == 12);
	keys(&t, &g, "jjj");
	EXPECT(v->sel == 3);
	keys(&t, &g, "k<Up>");
	EXPECT(v->sel == 1);
	keys(&t, &g, "G");
	EXPECT(v->sel == 99 && v->top == 99 - 11);
	keys(&t, &g, "g");
	EXPECT(v->sel == 0 && v->top == 0);
	keys(&t, &g, "<PgDn>");
	EXPECT(v->sel == 12);
	keys(&t, &g, "<PgUp><PgUp>");
	EXPECT(v->sel == 0);
	keys(&t, &g, "<C-d>");
	EXPECT(v->sel == 6);
	keys(&t, &g, "<Up><Up><Up><Up><Up><Up><Up><Up>");
	EXPECT(v->sel == 0);
	keys(&t, &g, "<End><Down>");
	EXPECT(v->sel == 99);
	keys(&t, &g, "5<Enter>");
	EXPECT(entered == 99);
	teardown(&t, &g);
}

TEST(tui_detail_pane_and_back)
{
	struct tui t;
	struct tui_grid g;
	setup(&t, &g);
	struct tui_view *v = tui_top(&t);
	keys(&t, &g, "<Tab>jjj");
	EXPECT(v->focus_detail && v->dtop == 3 && v->sel == 0);
	keys(&t, &g, "G");
	EXPECT(v->dtop == 30 - (size_t)v->detail_rows);
	/* Esc first leaves the pane, then the view */
	keys(&t, &g, "<Esc>");
	EXPECT(!v->focus_detail && t.depth == 2);
	keys(&t, &g, "<Esc>");
	EXPECT(t.depth == 1);
	/* the first view stays, with a word on how to quit */
	keys(&t, &g, "<BS>");
	EXPECT(t.depth == 1 && strstr(t.msg, "q quits"));
	keys(&t, &g, "q");
	EXPECT(t.quit);
	teardown(&t, &g);
}

TEST(tui_search_rows)
{
	struct tui t;
	struct tui_grid g;
	setup(&t, &g);
	struct tui_view *v = tui_top(&t);
	keys(&t, &g, "/row 42<Enter>");
	EXPECT(v->sel == 42);
	/* smart case: lower-case matches any case */
	keys(&t, &g, "/seven<Enter>");
	EXPECT(v->sel == 47);
	keys(&t, &g, "n");
	EXPECT(v->sel == 57);
	keys(&t, &g, "N");
	EXPECT(v->sel == 47);
	/* a capital makes it exact */
	keys(&t, &g, "/SEVEN<Enter>");
	EXPECT(v->sel == 47 && strstr(t.msg, "not found"));
	/* past the end wraps, and says so */
	keys(&t, &g, "G/row 1<Enter>");
	EXPECT(v->sel == 1 && strstr(t.msg, "wrapped"));
	/* `?` opens help; a pattern typed there searches back */
	keys(&t, &g, "g?");
	EXPECT(t.help == 1);
	keys(&t, &g, "row 9<Enter>");
	EXPECT(t.help == 0 && v->sel == 99);
	teardown(&t, &g);
}

TEST(tui_prompt_editing)
{
	struct tui t;
	struct tui_grid g;
	setup(&t, &g);
	keys(&t, &g, ":qux<BS><BS><BS>quit");
	EXPECT(t.prompt == ':' && !strcmp(t.line, "quit"));
	/* the prompt shows on the last row */
	EXPECT(!strcmp(grid_line(&g, 23), ":quit"));
	keys(&t, &g, "<Esc>");
	EXPECT(t.prompt == 0 && !t.quit);
	keys(&t, &g, ":abc<C-u>q<Enter>");
	EXPECT(t.quit);
	teardown(&t, &g);
}

TEST(tui_commands)
{
	struct tui t;
	struct tui_grid g;
	setup(&t, &g);
	EXPECT(tui_command(&t, "bogus") < 0 && strstr(t.msg, "unknown command :bogus"));
	EXPECT(tui_command(&t, "pid") < 0 && strstr(t.msg, "usage: :pid N"));
	EXPECT(tui_command(&t, "pid x1") < 0 && strstr(t.msg, "not a pid"));
	EXPECT(tui_command(&t, "goto nowhere") < 0 && strstr(t.msg, "usage: :goto"));
	EXPECT(tui_command(&t, "goto 1000") < 0 && strstr(t.msg, "no task here"));
	EXPECT(tui_command(&t, "tree") < 0 && strstr(t.msg, "no tree here"));
	EXPECT(tui_command(&t, "search") < 0 && strstr(t.msg, "usage: :search"));
	EXPECT(tui_command(&t, "help") == 0 && t.help);
	EXPECT(tui_command(&t, "  q  ") == 0 && t.quit);
	teardown(&t, &g);
}

TEST(tui_save_screen)
{
	struct tui t;
	struct tui_grid g;
	char dir[] = "/tmp/crimg-unit-tui.XXXXXX", path[128], line[256];
	setup(&t, &g);
	EXPECT(mkdtemp(dir) != NULL);
	t.save_dir = dir;
	t.ascii = 1;
	keys(&t, &g, "jj");
	EXPECT(tui_command(&t, "save-screen s.txt") == 0);
	snprintf(path, sizeof(path), "%s/s.txt", dir);
	FILE *f = fopen(path, "r");
	EXPECT(f != NULL);
	if (f) {
		int n = 0, cursor = 0;
		while (fgets(line, sizeof(line), f)) {
			n++;
			if (!strcmp(line, "row 2\n"))
				cursor = 1;
			EXPECT(strlen(line) <= 81);
		}
		fclose(f);
		EXPECT(n == 24 && cursor);
		unlink(path);
	}
	rmdir(dir);
	teardown(&t, &g);
}

TEST(tui_draw_layout)
{
	struct tui t;
	struct tui_grid g;
	setup(&t, &g);
	t.ascii = 1;
	tui_draw(&t, &g);
	EXPECT(!strcmp(grid_line(&g, 0), " SRC > fake"));
	EXPECT(!strcmp(grid_line(&g, 1), "row 0"));
	EXPECT(g.cells[1 * 80].role == TR_CURSOR && g.cells[1 * 80 + 79].role == TR_CURSOR);
	EXPECT(g.cells[2 * 80].role == TR_TEXT);
	/* narrow: a rule under the list, the detail pane below it */
	EXPECT(tui_glyph(g.cells[13 * 80].ch, 1) == '-');
	EXPECT(!strcmp(grid_line(&g, 14), "detail 0 of 0"));
	EXPECT(strstr(grid_line(&g, 23), "1/100") && strstr(grid_line(&g, 23), "?:help  q:quit"));
	/* wide: the pane beside the list, past a vertical rule */
	t.cols = 132;
	t.rows = 43;
	tui_grid_size(&g, 43, 132);
	tui_draw(&t, &g);
	int lw = 132 - 132 * 2 / 5 - 1;
	EXPECT(g.cells[1 * 132 + lw].ch == TG_VLINE);
	EXPECT(g.cells[1 * 132 + lw + 1].ch == 'd');
	EXPECT(tui_top(&t)->list_rows == 41);
	teardown(&t, &g);
}

TEST(tui_rows_sanitized)
{
	struct tui_row r;
	char text[64];
	tui_row_reset(&r);
	/* a control, invalid UTF-8, a wide CJK character, a combining mark */
	tui_row_addn(&r, TR_TEXT,
		     "a\tb\xff"
		     "c\xe4\xb8\xad"
		     "e\xcc\x81\xc3\xa9",
		     13);
	tui_row_text(&r, text, sizeof(text));
	EXPECT_STR(text, "a?b?c?e?\xc3\xa9");
	EXPECT(r.n == 9);
	tui_row_pad(&r, 12);
	EXPECT(r.n == 12 && r.c[11].ch == ' ');
	tui_row_pad(&r, 5);
	EXPECT(r.n == 12);
	/* long text is cut at TUI_ROW_MAX cells */
	for (int i = 0; i < 100; i++)
		tui_row_add(&r, TR_TEXT, "0123456789");
	EXPECT(r.n == TUI_ROW_MAX);
}

TEST(tui_parse_addr)
{
	uint64_t a;
	EXPECT(tui_parse_addr("7ffd1000", &a) == 0 && a == 0x7ffd1000);
	EXPECT(tui_parse_addr(" 0x10 ", &a) == 0 && a == 16);
	EXPECT(tui_parse_addr("100.", &a) == 0 && a == 100);
	EXPECT(tui_parse_addr("ffffffffffffffff", &a) == 0 && a == UINT64_MAX);
	EXPECT(tui_parse_addr("10000000000000000", &a) < 0);
	EXPECT(tui_parse_addr("0x", &a) < 0);
	EXPECT(tui_parse_addr(".", &a) < 0);
	EXPECT(tui_parse_addr("-1", &a) < 0);
	EXPECT(tui_parse_addr("12g", &a) < 0);
	EXPECT(tui_parse_addr("1a.", &a) < 0);
	EXPECT(tui_parse_addr("", &a) < 0);
}

TEST(tui_script_keys)
{
	int k[16];
	const char *bad = NULL;
	EXPECT(script_keys("a<Up><C-x><lt><Enter>", k, 16, &bad) == 5);
	EXPECT(k[0] == 'a' && k[1] == TK_UP && k[2] == TK_CTRL('x') && k[3] == '<' &&
	       k[4] == TK_ENTER);
	EXPECT(script_keys("x<Bogus>", k, 16, &bad) < 0 && !strncmp(bad, "<Bogus>", 7));
	EXPECT(script_keys("<Resize 9x24>", k, 16, &bad) < 0);
	EXPECT(script_keys("<Resize 100x30>", k, 16, &bad) == 1);
	/* a lone '<' with no '>' is a character */
	EXPECT(script_keys("a<b", k, 16, &bad) == 3 && k[1] == '<');
	EXPECT(script_keys("0123456789abcdefg", k, 16, &bad) < 0);
}
