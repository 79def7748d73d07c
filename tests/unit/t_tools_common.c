/*
 * The helpers the tools share (tools/common) and the names and UTF-8 rule
 * they take from the library: each against an independent statement of
 * what it must give.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"
#include "crimg/image.h"
#include "crimg/mem.h"
#include "crimg/model.h"
#include "hexdump.h"
#include "jsonout.h"
#include "progress.h"

/* UTF-8 by the generic reading: length from the lead byte's bits, code
 * point from the rest; well-formed when shortest, not a surrogate and at
 * most U+10FFFF. */
static size_t utf8_reference(const uint8_t *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	uint32_t c = s[0];
	size_t len = c < 0x80        ? 1
		: (c & 0xe0) == 0xc0 ? 2
		: (c & 0xf0) == 0xe0 ? 3
		: (c & 0xf8) == 0xf0 ? 4
				     : 0;
	if (!len || len > n)
		return 0;
	if (len > 1)
		c &= 0x3fu >> (len - 1);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3fu);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

TEST(utf8_char_every_lead_and_second_byte)
{
	int bad = 0;
	static const uint8_t tails[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90,
					 0x9f, 0xa0, 0xbf, 0xc0, 0xff };
	for (unsigned b0 = 0; b0 < 256; b0++)
		for (unsigned b1 = 0; b1 < 256; b1++)
			for (size_t t = 0; t < sizeof(tails); t++)
				for (size_t n = 1; n <= 4; n++) {
					uint8_t s[4] = { (uint8_t)b0, (uint8_t)b1, tails[t], 0x80 };
					uint32_t want = 0, got = 0;
					size_t wl = utf8_reference(s, n, &want);
					size_t gl = crimg_utf8_char(s, n, &got);
					bad += gl != wl || (wl && got != want) ||
						crimg_utf8_char(s, n, NULL) != wl;
				}
	EXPECT(bad == 0);
	EXPECT(crimg_utf8_char("a", 0, NULL) == 0);
}

TEST(utf8_put_round_trips_every_code_point)
{
	int bad = 0;
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		char u[4];
		uint32_t back = 0;
		size_t n = crimg_utf8_put(cp, u);
		if (cp >= 0xd800 && cp <= 0xdfff)
			bad += n != 3 || crimg_utf8_char(u, n, NULL) != 0; /* written, not valid */
		else
			bad += crimg_utf8_char(u, n, &back) != n || back != cp;
	}
	EXPECT(bad == 0);
}

/* What f received, NUL-ended (free it). */
static char *captured(void (*fn)(FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fn(f);
	fclose(f);
	return buf;
}

static const char text[] = "a\"b\\c\n\t\x01\x7f \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xff \xc3";

static void str_plain(FILE *f)
{
	json_put_str(f, text, sizeof(text) - 1, 0);
}

static void str_x(FILE *f)
{
	json_put_str(f, text, sizeof(text) - 1, JSON_SHORT_ESCAPES | JSON_LATIN1);
}

TEST(json_put_str_modes)
{
	char *a = captured(str_plain), *b = captured(str_x);
	EXPECT(a && b);
	if (a)
		EXPECT_STR(a,
			   "\"a\\\"b\\\\c\\u000a\\u0009\\u0001\\u007f \xc3\xa9 \xe2\x82\xac "
			   "\xf0\x9f\x98\x80 \\udcff \\udcc3\"");
	if (b)
		EXPECT_STR(b,
			   "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f \xc3\xa9 \xe2\x82\xac "
			   "\xf0\x9f\x98\x80 \\u00ff \\u00c3\"");
	free(a);
	free(b);
}

/* What `hexdump -C` writes for 'hexdump-C test!!' three times then
 * "\x00\x01\xff~ tail", and for "x" (its output, addresses moved to 0x1000
 * and 0x2000 and written with 16 digits) */
#define HEXDUMP_EXPECTED                                                                           \
	"0000000000001000  68 65 78 64 75 6d 70 2d  43 20 74 65 73 74 21 21  |hexdump-C test!!|\n" \
	"*\n"                                                                                      \
	"0000000000001030  00 01 ff 7e 20 74 61 69  6c                       |...~ tail|\n"        \
	"0000000000001039\n"                                                                       \
	"0000000000002000  78                                                |x|\n"                \
	"0000000000002001\n"                                                                       \
	""

static void dump_rows(FILE *f)
{
	struct hexdump h = { .f = f };
	const char *row = "hexdump-C test!!";
	for (int i = 0; i < 3; i++)
		hexdump_bytes(&h, 0x1000 + 16 * (uint64_t)i, (const uint8_t *)row, 16);
	/* in two pieces across a row: still one stretch */
	hexdump_bytes(&h, 0x1030, (const uint8_t *)"\x00\x01\xff~", 4);
	hexdump_bytes(&h, 0x1034, (const uint8_t *)" tail", 5);
	/* not following on: a new stretch */
	hexdump_bytes(&h, 0x2000, (const uint8_t *)"x", 1);
	hexdump_end(&h);
	hexdump_end(&h); /* nothing open: nothing written */
}

TEST(hexdump_is_hexdump_C_with_long_addresses)
{
	char *got = captured(dump_rows);
	EXPECT(got != NULL);
	if (got)
		EXPECT_STR(got, HEXDUMP_EXPECTED);
	free(got);
}

static void dump_marked(FILE *f)
{
	hexdump_row(f, 0x10, (const uint8_t *)"abc", 3, (const uint8_t *)"abd", "<", ">");
}

TEST(hexdump_row_marks_differing_bytes)
{
	char *got = captured(dump_marked);
	EXPECT(got != NULL);
	if (got)
		EXPECT_STR(got,
			   "0000000000000010  61 62 <63>                                          |abc|");
	free(got);
}

TEST(namespace_and_memory_state_names)
{
	static const char *const order[] = { "pid", "net",  "ipc",    "uts",
					     "mnt", "user", "cgroup", "time" };
	for (size_t i = 0; i < 8; i++)
		EXPECT(crimg_ns_kind(i) && strcmp(crimg_ns_kind(i), order[i]) == 0);
	EXPECT(crimg_ns_kind(8) == NULL);
	/* CLONE_NEW* as <linux/sched.h> has them */
	EXPECT_STR(crimg_ns_kind_of_flag(0x00020000), "mnt");
	EXPECT_STR(crimg_ns_kind_of_flag(0x40000000), "net");
	EXPECT_STR(crimg_ns_kind_of_flag(0x00000080), "time");
	EXPECT(crimg_ns_kind_of_flag(0) == NULL);
	EXPECT(crimg_ns_kind_of_flag(0x00020000 | 0x40000000) == NULL);
	EXPECT_STR(crimg_mem_state_name(CRIMG_MEM_DATA), "data");
	EXPECT_STR(crimg_mem_state_name(CRIMG_MEM_ZERO), "zero");
	EXPECT_STR(crimg_mem_state_name(CRIMG_MEM_LAZY), "lazy");
	EXPECT_STR(crimg_mem_state_name(CRIMG_MEM_UNMAPPED), "unmapped");
}

/* stderr into a temporary file while fn runs; what it got (free it) */
static char *stderr_of(void (*fn)(void))
{
	FILE *t = tmpfile();
	int saved = dup(STDERR_FILENO);
	if (!t || saved < 0)
		return NULL;
	fflush(stderr);
	dup2(fileno(t), STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	long n = fseek(t, 0, SEEK_END) == 0 ? ftell(t) : -1;
	char *buf = n >= 0 ? calloc(1, (size_t)n + 1) : NULL;
	rewind(t);
	if (buf && fread(buf, 1, (size_t)n, t) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(t);
	return buf;
}

static const struct progress_style test_style = { .name = "crit t" };

static void progress_off_a_terminal(void)
{
	struct progress p;
	/* stderr is a file here: a terminal's line shows nothing */
	progress_init(&p, &test_style, PROGRESS_TTY, NULL);
	EXPECT(!progress_on(&p));
	progress_cb(&p, "reading", 1, 2);
	progress_done(&p);
	/* asked for: from the start, a line of its own */
	progress_init(&p, &test_style, PROGRESS_ALWAYS, "named");
	EXPECT(progress_on(&p));
	progress_cb(&p, NULL, 1, 4);
	progress_cb(&p, "step", 3u << 20, 0);
	progress_done(&p);
}

TEST(progress_line_off_a_terminal)
{
	char *got = stderr_of(progress_off_a_terminal);
	EXPECT(got != NULL);
	if (got)
		EXPECT_STR(got, "crit t: named:  25%\ncrit t: step: 3 MiB\n");
	free(got);
}
