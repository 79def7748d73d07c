/* crit mem: sizes, escaped bytes, JSON bytes and the progress line's words. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mem_cli.h"

const char *mem_size_str(uint64_t n, int exact, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	if (exact || n < 1024) {
		snprintf(buf, len, exact ? "%" PRIu64 : "%" PRIu64 " B", n);
		return buf;
	}
	double v = (double)n / 1024;
	size_t u = 0;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

void mem_put_escaped(FILE *f, const uint8_t *p, size_t n, int esc_space)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b = p[i];
		switch (b) {
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '"':
			fputs("\\\"", f);
			break;
		default:
			if (b < 0x20 || b >= 0x7f || (esc_space && b == ' '))
				fprintf(f, "\\x%02x", b);
			else
				fputc(b, f);
		}
	}
}

void mem_put_json_bytes(FILE *f, const uint8_t *p, size_t n)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	fputs("{\"base64\": \"", f);
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		fputc(b64[v >> 18 & 63], f);
		fputc(b64[v >> 12 & 63], f);
		fputc(i + 1 < n ? b64[v >> 6 & 63] : '=', f);
		fputc(i + 2 < n ? b64[v & 63] : '=', f);
	}
	fputs("\", \"printable\": \"", f);
	for (size_t i = 0; i < n; i++) {
		uint8_t b = p[i];
		if (b == '"' || b == '\\')
			fputc('\\', f);
		fputc(b >= 0x20 && b < 0x7f ? b : '.', f);
	}
	fputs("\"}", f);
}

/* ---- progress ---- */

/* "1.5 MiB of 4.0 GiB (37%)" */
static void progress_words(char *buf, size_t len, uint64_t done, uint64_t total, double secs)
{
	char a[32], b[32];
	(void)secs;
	if (total)
		snprintf(buf, len, "%s of %s (%d%%)", mem_size_str(done, 0, a, sizeof(a)),
			 mem_size_str(total, 0, b, sizeof(b)), (int)(done * 100 / total));
	else
		snprintf(buf, len, "%s", mem_size_str(done, 0, a, sizeof(a)));
}

/* at most ten times a second */
static const struct progress_style mem_progress = { .name = "crit mem",
						    .every = 0.1,
						    .words = progress_words };

void mem_progress_init(struct progress *p, const char *what)
{
	progress_init(p, &mem_progress, PROGRESS_TTY, what);
}

void mem_progress_cb(void *arg, const char *what, uint64_t done, uint64_t total)
{
	(void)what; /* the line keeps the tool's own label */
	progress_cb(arg, NULL, done, total);
}
