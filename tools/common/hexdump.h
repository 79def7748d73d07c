/*
 * Bytes in the layout of `hexdump -C`, with 16-digit addresses (a
 * process's addresses need them): rows of 16 bytes, a run of rows equal to
 * the one before as one "*" line, and the address where the bytes end.
 */
#ifndef CRIMG_TOOLS_HEXDUMP_H
#define CRIMG_TOOLS_HEXDUMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * One row without its newline: "ADDR  hh hh ... hh  hh ... hh  |text|" for
 * the n (1 to 16) bytes at p.  When other is not NULL, each byte that
 * differs from other[i] is written between mark_on and mark_off (crit diff
 * marks them in bold).
 */
void hexdump_row(FILE *f, uint64_t addr, const uint8_t *p, size_t n, const uint8_t *other,
		 const char *mark_on, const char *mark_off);

/*
 * A hexdump written as the bytes come.  Bytes that do not follow on from
 * the ones before start a new stretch: the one before ends with its last
 * row and its end address, as `hexdump -C` ends.  Start with
 * `struct hexdump h = { .f = stdout };`.
 */
struct hexdump {
	FILE *f;
	int open, squeezing, have_prev;
	uint64_t line_addr, next;
	uint8_t line[16], prev[16];
	size_t fill;
};
void hexdump_bytes(struct hexdump *h, uint64_t addr, const uint8_t *p, uint64_t n);
/* Ends the stretch (if one is open): its partial last row, its end address. */
void hexdump_end(struct hexdump *h);

#endif
