/* crit mem: sizes, escaped bytes, JSON strings and the progress line. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* Length of the valid UTF-8 sequence at p (0: not valid). */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	size_t k = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
	if (!k || k > n || p[0] > 0xf4)
		return 0;
	for (size_t i = 1; i < k; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
		return 0;	/* overlong, surrogate, past U+10FFFF */
	return k;
}

void mem_put_json_str(FILE *f, const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s);
	fputc('"', f);
	for (size_t i = 0; i < n;) {
		uint8_t b = p[i];
		if (b == '"' || b == '\\') {
			fputc('\\', f);
			fputc(b, f);
		} else if (b < 0x20 || b == 0x7f) {
			fprintf(f, "\\u%04x", b);
		} else if (b >= 0x80) {
			size_t k = utf8_len(p + i, n - i);
			if (k) {
				fwrite(p + i, 1, k, f);
				i += k;
				continue;
			}
			fprintf(f, "\\udc%02x", b);
		} else {
			fputc(b, f);
		}
		i++;
	}
	fputc('"', f);
}

void mem_put_json_bytes(FILE *f, const uint8_t *p, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
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

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void progress_init(struct progress *p, const char *what)
{
	memset(p, 0, sizeof(*p));
	p->tty = isatty(STDERR_FILENO);
	snprintf(p->what, sizeof(p->what), "%s", what);
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
}

static void show(struct progress *p, const char *what, uint64_t done, uint64_t total)
{
	if (!p->tty)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* only for work over a second, at most ten times a second */
	if (secs(&p->t0, &now) < 1.0 || (p->shown && secs(&p->last, &now) < 0.1))
		return;
	char a[32], b[32];
	fflush(stdout);
	if (total)
		fprintf(stderr, "\r\033[Kcrit mem: %s: %s of %s (%d%%)", what,
			mem_size_str(done, 0, a, sizeof(a)), mem_size_str(total, 0, b, sizeof(b)),
			(int)(done * 100 / total));
	else
		fprintf(stderr, "\r\033[Kcrit mem: %s: %s", what, mem_size_str(done, 0, a, sizeof(a)));
	p->shown = 1;
	p->last = now;
}

void progress_cb(void *arg, const char *what, uint64_t done, uint64_t total)
{
	struct progress *p = arg;
	(void)what;	/* the line keeps the tool's own label */
	show(p, p->what, done, total);
}

void progress_ckpt_cb(void *arg, const char *what, uint64_t done, uint64_t total)
{
	show(arg, what, done, total);
}

void progress_done(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}
