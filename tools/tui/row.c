/* Rows of cells: what views make and draw.c copies to the screen. */
#include <stdio.h>
#include <string.h>
#include "tui.h"

void tui_row_reset(struct tui_row *r)
{
	r->n = 0;
	r->fill = TR_TEXT;
}

static void put(struct tui_row *r, int role, uint32_t ch)
{
	if (r->n >= TUI_ROW_MAX)
		return;
	r->c[r->n].ch = ch;
	r->c[r->n].role = (uint8_t)role;
	r->n++;
}

/* Whether cp takes exactly one cell on a terminal: printable, not a
 * combining mark and not in the ranges terminals draw two cells wide
 * (Hangul Jamo onwards is treated as wide: the cheap, safe side). */
static int one_cell(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 0;
	if (cp >= 0x300 && cp < 0x370) /* combining diacritics */
		return 0;
	if (cp == 0xad || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e))
		return 0; /* soft hyphen, zero-width and direction marks */
	return cp < 0x1100 || (cp >= 0x2000 && cp < 0x2e80);
}

void tui_row_addn(struct tui_row *r, int role, const void *s, size_t n)
{
	const unsigned char *p = s;
	size_t i = 0;
	while (i < n && r->n < TUI_ROW_MAX) {
		uint32_t cp;
		size_t l = crimg_utf8_char(p + i, n - i, &cp);
		if (l == 0) {
			put(r, role, '?');
			i++;
			continue;
		}
		put(r, role, one_cell(cp) ? cp : '?');
		i += l;
	}
}

void tui_row_vadd(struct tui_row *r, int role, const char *fmt, va_list ap)
{
	char buf[TUI_ROW_MAX * 4];
	int k = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (k < 0)
		return;
	if ((size_t)k >= sizeof(buf))
		k = sizeof(buf) - 1;
	tui_row_addn(r, role, buf, (size_t)k);
}

void tui_row_add(struct tui_row *r, int role, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tui_row_vadd(r, role, fmt, ap);
	va_end(ap);
}

void tui_row_glyph(struct tui_row *r, int role, uint32_t ch)
{
	put(r, role, ch);
}

void tui_row_pad(struct tui_row *r, int col)
{
	if (col > TUI_ROW_MAX)
		col = TUI_ROW_MAX;
	while (r->n < col)
		put(r, TR_TEXT, ' ');
}

void tui_row_text(const struct tui_row *r, char *buf, size_t n)
{
	size_t o = 0;
	if (!n)
		return;
	for (int i = 0; i < r->n; i++) {
		char u[4];
		size_t l = crimg_utf8_put(r->c[i].ch, u);
		if (o + l >= n)
			break;
		memcpy(buf + o, u, l);
		o += l;
	}
	buf[o] = 0;
}
