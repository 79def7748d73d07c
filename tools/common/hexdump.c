/* `hexdump -C`'s layout, with 16-digit addresses: crit mem's dumps, crit
 * diff's differing rows. */
#include <inttypes.h>
#include <string.h>

#include "hexdump.h"

void hexdump_row(FILE *f, uint64_t addr, const uint8_t *p, size_t n, const uint8_t *other,
		 const char *mark_on, const char *mark_off)
{
	fprintf(f, "%016" PRIx64 " ", addr);
	for (size_t i = 0; i < 16; i++) {
		if (i == 8)
			fputc(' ', f);
		if (i >= n)
			fputs("   ", f);
		else if (other && p[i] != other[i])
			fprintf(f, " %s%02x%s", mark_on, p[i], mark_off);
		else
			fprintf(f, " %02x", p[i]);
	}
	fputs("  |", f);
	for (size_t i = 0; i < n; i++)
		fputc(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.', f);
	fputc('|', f);
}

static void line(struct hexdump *h, size_t n)
{
	hexdump_row(h->f, h->line_addr, h->line, n, NULL, NULL, NULL);
	fputc('\n', h->f);
}

static void full_line(struct hexdump *h)
{
	if (h->have_prev && !memcmp(h->prev, h->line, 16)) {
		if (!h->squeezing)
			fputs("*\n", h->f);
		h->squeezing = 1;
	} else {
		line(h, 16);
		h->squeezing = 0;
	}
	memcpy(h->prev, h->line, 16);
	h->have_prev = 1;
	h->line_addr += 16;
	h->fill = 0;
}

void hexdump_end(struct hexdump *h)
{
	if (!h->open)
		return;
	if (h->fill)
		line(h, h->fill);
	fprintf(h->f, "%016" PRIx64 "\n", h->next);
	h->open = h->squeezing = h->have_prev = 0;
	h->fill = 0;
}

void hexdump_bytes(struct hexdump *h, uint64_t addr, const uint8_t *p, uint64_t n)
{
	if (h->open && addr != h->next)
		hexdump_end(h);
	if (!h->open) {
		h->open = 1;
		h->line_addr = addr;
	}
	h->next = addr + n;
	while (n) {
		size_t k = 16 - h->fill < n ? 16 - h->fill : (size_t)n;
		memcpy(h->line + h->fill, p, k);
		h->fill += k;
		p += k;
		n -= k;
		if (h->fill == 16)
			full_line(h);
	}
}
