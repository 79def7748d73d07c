/* How crit x and crit inspect write a unix socket's name (sk_name.c). */
#ifndef CRIT_SK_NAME_H
#define CRIT_SK_NAME_H

#include <stddef.h>
#include <stdint.h>

/* The bytes of the name that are the name: an abstract name (leading NUL)
 * whole, a path up to the NUL that ends it (the kernel reports one). */
size_t sk_unix_name_len(const uint8_t *name, size_t n);

enum {
	SK_NAME_ASCII = 0,
	SK_NAME_UTF8 = 1
};

/*
 * The name as ss(8) shows it, into buf (len bytes): "@..." for an abstract
 * name, a path without its ending NUL, other bytes that are not printable
 * as \xNN (well-formed UTF-8 kept with SK_NAME_UTF8); "" for no name.
 * When width is not 0 and the text is wider, its middle is cut to fit
 * width columns, marked by ellipsis (never inside an escape or a UTF-8
 * character; the end, a path's file name, keeps the larger part).
 */
void sk_unix_name(char *buf, size_t len, const uint8_t *name, size_t n, int flags, size_t width,
		  const char *ellipsis);

#endif
