/*
 * crit-tui's state: views on a stack, key handling, the `:` command line
 * and drawing into a grid of cells.  Plain C with no curses, so that the
 * unit tests and the scripted mode (script.c) exercise exactly what the
 * terminal front (term.c) shows: term.c only copies the grid to the
 * screen and turns terminal keys into TK_* codes.
 *
 * A view is a list of rows that it makes on demand (only the rows on the
 * screen are ever made, so a 1,000-process tree or a 1 GiB memory map
 * costs what is shown), optionally a detail pane for the selected row, and
 * hooks for the keys it handles itself.  Everything a view shows comes
 * from the library's model and memory API.
 */
#ifndef CRIMG_TUI_H
#define CRIMG_TUI_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "crimg/ckpt.h"
#include "crimg/mem.h"
#include "crimg/model.h"

/* Keys: bytes 1..255 as typed, these for the special ones. */
enum {
	TK_UP = 0x100,
	TK_DOWN,
	TK_LEFT,
	TK_RIGHT,
	TK_PGUP,
	TK_PGDN,
	TK_HOME,
	TK_END,
	TK_ENTER,
	TK_TAB,
	TK_BTAB,
	TK_BACKSPACE,
	TK_ESC,
	TK_F1,
	TK_DEL,
	TK_RESIZE,
};
#define TK_CTRL(c) ((c)&0x1f)

/* What a piece of text is; the terminal front maps roles to colours (none
 * under NO_COLOR or on a monochrome terminal, where only TR_CURSOR,
 * TR_TITLE and TR_STATUS keep reverse video). */
enum tui_role {
	TR_TEXT,
	TR_TITLE,  /* the top line */
	TR_STATUS, /* the bottom line */
	TR_HEADER, /* column titles */
	TR_CURSOR, /* the selected row */
	TR_DIM,    /* secondary text: zeros, absent pages, units */
	TR_ERROR,  /* a damaged part, shown in place */
	TR_ADDR,   /* addresses and offsets */
	TR_MATCH,  /* a search hit */
	TR_LINK,   /* something Enter follows (a peer, a pointer) */
	TR_ACCENT, /* names: comm, image kinds, JSON keys */
	TR_WARN,   /* zombies, stopped tasks, missing images */
	TR_BORDER, /* pane separators */
	TR_MARK,   /* marked bytes */
	TR_N
};

/* Line drawing code points: box drawing in UTF-8, ASCII with t->ascii
 * (tui_glyph maps them). */
enum {
	TG_VLINE = 0x2502,  /* | */
	TG_HLINE = 0x2500,  /* - */
	TG_TEE = 0x251c,    /* |- (a child that has siblings after it) */
	TG_CORNER = 0x2514, /* `- (the last child) */
};

/* One cell of the screen or of a row: a code point of width 1 and its role. */
struct tui_cell {
	uint32_t ch;
	uint8_t role;
};

#define TUI_ROW_MAX 400
/* A row as a view makes it: cells, at most TUI_ROW_MAX (the rest is cut). */
struct tui_row {
	struct tui_cell c[TUI_ROW_MAX];
	int n;
	uint8_t fill; /* role of the space after the text (the cursor bar) */
};
void tui_row_reset(struct tui_row *r);
/* Appends printf-formatted text in role.  Bytes that are not printable
 * (controls, invalid UTF-8, wide or combining characters) become '?', so
 * that whatever an image holds keeps one cell per character. */
void tui_row_add(struct tui_row *r, int role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tui_row_vadd(struct tui_row *r, int role, const char *fmt, va_list ap);
/* Appends n raw bytes (a comm, a path from an image), sanitized as above. */
void tui_row_addn(struct tui_row *r, int role, const void *s, size_t n);
/* Appends one code point (a TG_* glyph). */
void tui_row_glyph(struct tui_row *r, int role, uint32_t ch);
/* Pads with spaces up to column col (nothing when already past it). */
void tui_row_pad(struct tui_row *r, int col);
/* The row's text as UTF-8 into buf (for search and tests). */
void tui_row_text(const struct tui_row *r, char *buf, size_t n);

struct tui;
struct tui_view;

struct tui_view_ops {
	const char *name; /* "tree", "maps", ...: for the title and tests */
	/* the title after the source's name: "pid 12 (nginx) · memory map" */
	void (*title)(struct tui *t, struct tui_view *v, char *buf, size_t n);
	/* the rows of the main list; row i is made only when shown */
	size_t (*count)(struct tui *t, struct tui_view *v);
	void (*row)(struct tui *t, struct tui_view *v, size_t i, struct tui_row *r);
	/* optional: column titles above the list */
	void (*header)(struct tui *t, struct tui_view *v, struct tui_row *r);
	/* optional: a detail pane for the selected row (Tab moves into it) */
	size_t (*detail_count)(struct tui *t, struct tui_view *v, size_t sel);
	void (*detail_row)(struct tui *t, struct tui_view *v, size_t sel, size_t i,
			   struct tui_row *r);
	/* optional: Enter on row sel (go in, follow a link) */
	void (*enter)(struct tui *t, struct tui_view *v, size_t sel);
	/* optional: a key the view handles itself before the generic list
	 * keys; returns 1 when it took the key */
	int (*key)(struct tui *t, struct tui_view *v, int key);
	/* optional: its own search (the memory view searches bytes, not rows);
	 * dir 1 forward, -1 back; returns 1 on a hit (and moves there) */
	int (*search)(struct tui *t, struct tui_view *v, const char *pat, int dir);
	/* optional: a line for the status bar about the selection */
	void (*status)(struct tui *t, struct tui_view *v, char *buf, size_t n);
	/* optional: the keys this view adds, for the help overlay ("x  what") */
	const char *const *help;
	void (*free)(struct tui_view *v);
};

struct tui_view {
	const struct tui_view_ops *ops;
	void *priv;
	size_t top, sel;  /* first row shown, selected row */
	size_t dtop;      /* first row of the detail pane shown */
	int focus_detail; /* Tab: keys scroll the detail pane */
	uint32_t pid;     /* the task it is about, 0 for none (for :goto) */
	int list_rows;    /* rows of the list the last draw showed */
	int detail_rows;  /* rows of the detail pane the last draw showed */
	int detail_cols;  /* and its width (for views that wrap text in it) */
};

/* A view with ops and priv, selection at 0; NULL when out of memory. */
struct tui_view *tui_view_new(const struct tui_view_ops *ops, void *priv, uint32_t pid);

#define TUI_STACK_MAX 32

struct tui {
	struct crimg_ckpt *c;
	const char *src; /* as given on the command line */
	const struct crimg_limits *limits;
	/* the process tree; NULL with tree_err for a pre-dump or a damaged
	 * pstree.img (the images and metadata stay browsable) */
	const struct crimg_tree *tree;
	char tree_err[256];

	struct tui_view *stack[TUI_STACK_MAX];
	int depth;

	int rows, cols; /* the screen */
	int ascii;      /* ASCII line drawing */
	int help;       /* the help overlay is shown */
	size_t help_top;
	int quit;

	char msg[256]; /* status line message, cleared by the next key */
	int msg_role;

	/* the prompt: ':' command, '/' or '?' search, or a view's question */
	int prompt; /* 0 when none */
	char prompt_label[64];
	char line[256];
	size_t line_len;
	/* what Enter on a view's own prompt does (prompt 'v') */
	void (*prompt_done)(struct tui *t, struct tui_view *v, const char *text);

	char last_search[256];
	int last_dir;

	/* where `:save-screen FILE` and `:save` write relative names; NULL:
	 * the working directory */
	const char *save_dir;
	/* the grid the last tui_draw() made, for :save-screen */
	struct tui_grid *grid;
};

/* ---- the state: tui.c ---- */
/* t zeroed except c, src, limits; opens the tree view (or the images view
 * when there is no tree).  -1 when out of memory. */
int tui_init(struct tui *t, struct crimg_ckpt *c, const char *src, const struct crimg_limits *l);
void tui_fini(struct tui *t);
/* Pushes v (freed, with a message, when the stack is full or v is NULL). */
void tui_push(struct tui *t, struct tui_view *v);
/* Replaces the top view with v (a task's tabs, a new search). */
void tui_replace(struct tui *t, struct tui_view *v);
/* Pops the top view unless it is the last one; 1 if it popped. */
int tui_pop(struct tui *t);
struct tui_view *tui_top(struct tui *t);
/* Handles one key; the terminal front calls it for each key. */
void tui_key(struct tui *t, int key);
/* Runs a `:` command line (without the colon); 0, or -1 after tui_msg. */
int tui_command(struct tui *t, const char *cmd);
/* A message on the status line until the next key. */
void tui_msg(struct tui *t, int role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Starts a view's own prompt: label, and done called with the text on Enter. */
void tui_ask(struct tui *t, const char *label,
	     void (*done)(struct tui *t, struct tui_view *v, const char *text));
/* Moves the selection of v to row i and scrolls it into view. */
void tui_select(struct tui *t, struct tui_view *v, size_t i);

/* ---- drawing: draw.c ---- */
struct tui_grid {
	int rows, cols;
	struct tui_cell *cells; /* rows * cols */
};
/* (Re)sizes g; -1 when out of memory. */
int tui_grid_size(struct tui_grid *g, int rows, int cols);
void tui_grid_free(struct tui_grid *g);
/* Draws the whole screen of t into g (g sized to t->rows x t->cols). */
void tui_draw(struct tui *t, struct tui_grid *g);
/* The code point to show for ch: TG_* glyphs become ASCII when ascii. */
uint32_t tui_glyph(uint32_t ch, int ascii);
/* Writes g as text, one line per row, trailing spaces trimmed (golden
 * screens, :save-screen). */
int tui_grid_write(const struct tui_grid *g, int ascii, int fd);

/* ---- views (one file each) ---- */
/* The process tree with a detail pane: view_tree.c. */
struct tui_view *tui_view_tree(struct tui *t);
/* A task's tabs: view_task.c dispatches to task_*.c. */
enum tui_tab {
	TT_SUMMARY,
	TT_REGS,
	TT_MAPS,
	TT_FDS,
	TT_SOCKETS,
	TT_ENV,
	TT_N
};
struct tui_view *tui_view_task(struct tui *t, uint32_t pid, enum tui_tab tab);
/* Keys every tab takes: [ ] cycle, s r m f k e pick a tab, x memory. */
int tui_task_tab_key(struct tui *t, struct tui_view *v, int key);
/* The tab line ("summary  registers  [maps]  fds ...") for titles. */
void tui_task_tabs(struct tui *t, uint32_t pid, enum tui_tab tab, char *buf, size_t n);
struct tui_view *tui_tab_summary(struct tui *t, uint32_t pid);
struct tui_view *tui_tab_regs(struct tui *t, uint32_t pid);
struct tui_view *tui_tab_maps(struct tui *t, uint32_t pid);
struct tui_view *tui_tab_fds(struct tui *t, uint32_t pid);
struct tui_view *tui_tab_sockets(struct tui *t, uint32_t pid);
struct tui_view *tui_tab_env(struct tui *t, uint32_t pid);
/* The hex/ASCII memory of task pid, cursor at addr (0: the first VMA):
 * view_mem.c. */
struct tui_view *tui_view_mem(struct tui *t, uint32_t pid, uint64_t addr);
/* Moves an open memory view to addr; -1 after tui_msg when unmapped. */
int tui_mem_goto(struct tui *t, struct tui_view *v, uint64_t addr);
/* Every image with its kind and entry count: view_images.c. */
struct tui_view *tui_view_images(struct tui *t);
/* Image name's entries as a folding JSON tree: view_json.c. */
struct tui_view *tui_view_json(struct tui *t, const char *image);
/* The container's metadata (engine, image, times, statistics): view_meta.c. */
struct tui_view *tui_view_meta(struct tui *t);
/* `:search TEXT` over every task's memory, hits listed: view_search.c. */
struct tui_view *tui_view_search(struct tui *t, const char *text);

/* ---- helpers views share: util.c ---- */
/* The task pid of t's tree, or NULL. */
const struct crimg_task *tui_task(struct tui *t, uint32_t pid);
/* Parses an address or number: hex with or without 0x, or decimal with a
 * trailing '.'; -1 when it is not one. */
int tui_parse_addr(const char *s, uint64_t *out);
/* A library error as one line into buf ("core-12.img: offset 40: ..."). */
void tui_errstr(const struct crimg_error *e, char *buf, size_t n);

#endif
