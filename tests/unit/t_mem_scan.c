/*
 * Memory search internals: the literal finder against a naive search at
 * every start offset, and the stretch scanner (chunks read from a file or
 * copied from memory) against a search of the whole buffer at once: a
 * naive one for literals, PCRE2 over all of it for regular expressions.
 * Chunks are made tiny so that every match crosses chunk boundaries at
 * every offset.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem/scan.h"
#include "unit.h"

static uint64_t rng_state = 7;
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static void fill(uint8_t *b, size_t len, const char *alphabet, size_t na)
{
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)alphabet[rnd((uint32_t)na)];
}

static size_t naive_find(const uint8_t *h, size_t len, const uint8_t *s, size_t n, size_t from)
{
	for (size_t i = from; i + n <= len; i++)
		if (!memcmp(h + i, s, n))
			return i;
	return MEM_NONE;
}

TEST(mem_lit_find_agrees_with_a_naive_search_at_every_offset)
{
	static const char *alphabets[] = { "ab", "abc\0", "QQQQx", "e \0\0\0t" };
	uint8_t hay[400], needle[16];
	int bad = 0;
	for (int a = 0; a < 4; a++) {
		size_t na = a == 1 ? 4 : a == 3 ? 6 : strlen(alphabets[a]);
		for (int trial = 0; trial < 40; trial++) {
			size_t len = 1 + rnd(sizeof(hay));
			fill(hay, len, alphabets[a], na);
			size_t n = 1 + rnd(12);
			if (trial % 2 && n <= len) { /* one that is there */
				memcpy(needle, hay + rnd((uint32_t)(len - n + 1)), n);
			} else {
				fill(needle, n, alphabets[a], na);
			}
			struct mem_lit l;
			mem_lit_init(&l, needle, n);
			for (size_t from = 0; from <= len + 1; from++)
				if (mem_lit_find(&l, hay, len, from) !=
				    naive_find(hay, len, needle, n, from))
					bad++;
		}
	}
	EXPECT(bad == 0);
	/* the rare-byte guess wrong everywhere: candidates at every byte */
	memset(hay, 'Q', sizeof(hay));
	memcpy(hay + 390, "QQx", 3);
	struct mem_lit l;
	mem_lit_init(&l, (const uint8_t *)"QQx", 3);
	EXPECT(l.s[l.r1] == 'Q');
	EXPECT(mem_lit_find(&l, hay, sizeof(hay), 0) == 390);
	EXPECT(mem_lit_find(&l, hay, sizeof(hay), 391) == MEM_NONE);
	EXPECT(mem_lit_find(&l, hay, 392, 0) == MEM_NONE);
}

/* ---- the scanner ---- */

#define BASE 0x7f0000001000ull

/* A stretch of len bytes at BASE cut into segments, every other one read
 * from a file (which holds the segments in reverse order), the others
 * copied from memory. */
struct stretch {
	const uint8_t *data;
	size_t len;
	struct mem_seg segs[8];
	size_t n;
	char path[64];
	uint8_t *map;
	struct ckpt_file f;
};

static int stretch_make(struct stretch *t, const uint8_t *data, size_t len, int cuts,
			int file_first)
{
	memset(t, 0, sizeof(*t));
	t->data = data;
	t->len = len;
	size_t at[8];
	at[0] = 0;
	size_t n = 1;
	for (int i = 0; i < cuts && len > 1; i++) {
		size_t c = 1 + rnd((uint32_t)(len - 1));
		size_t k = n;
		while (k > 1 && at[k - 1] > c)
			k--;
		if (at[k - 1] == c)
			continue;
		memmove(at + k + 1, at + k, (n - k) * sizeof(at[0]));
		at[k] = c;
		n++;
	}
	t->n = n;
	snprintf(t->path, sizeof(t->path), "%s/crimg-unit-scan.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int fd = mkstemp(t->path);
	if (fd < 0)
		return -1;
	size_t foff[8], pos = 0;
	for (size_t i = n; i-- > 0;) {
		size_t e = i + 1 < n ? at[i + 1] : len;
		foff[i] = pos;
		if (write(fd, data + at[i], e - at[i]) != (ssize_t)(e - at[i]))
			return close(fd), -1;
		pos += e - at[i];
	}
	struct stat st;
	fstat(fd, &st);
	t->map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (t->map == MAP_FAILED)
		return -1;
	t->f = (struct ckpt_file){ .name = "pages-1.img",
				   .path = t->path,
				   .data = t->map,
				   .len = len,
				   .loaded = 1,
				   .mapped = 1,
				   .fd = -1,
				   .dev = st.st_dev,
				   .ino = st.st_ino };
	for (size_t i = 0; i < n; i++) {
		size_t e = i + 1 < n ? at[i + 1] : len;
		int from_file = (int)(i % 2) == !file_first;
		t->segs[i] = (struct mem_seg){ BASE + at[i], e - at[i],
					       from_file ? t->map + foff[i] : data + at[i],
					       from_file ? &t->f : NULL };
	}
	return 0;
}

static void stretch_free(struct stretch *t)
{
	munmap(t->map, t->len);
	unlink(t->path);
}

struct hits {
	const struct stretch *t;
	size_t keep;
	uint64_t at[256], len[256];
	size_t n;
	uint64_t advanced;
	int bad_buf;
};

static int on_hit(void *arg, uint64_t addr, uint64_t len, const uint8_t *buf, uint64_t buf_addr,
		  size_t buf_len)
{
	struct hits *h = arg;
	const struct stretch *t = h->t;
	/* the buffer holds the stretch's bytes, the match and its context in it */
	size_t want_before = addr - BASE < h->keep ? (size_t)(addr - BASE) : h->keep;
	if (buf_addr < BASE || buf_addr + buf_len > BASE + t->len ||
	    addr < buf_addr + want_before || addr + len > buf_addr + buf_len ||
	    memcmp(buf, t->data + (buf_addr - BASE), buf_len))
		h->bad_buf++;
	if (h->n < 256) {
		h->at[h->n] = addr;
		h->len[h->n] = len;
	}
	h->n++;
	return 0;
}

static void on_advance(void *arg, uint64_t bytes)
{
	((struct hits *)arg)->advanced += bytes;
}

static int scan(const struct stretch *t, const struct crimg_mem_pattern *p, size_t chunk,
		size_t keep, struct hits *h)
{
	memset(h, 0, sizeof(*h));
	h->t = t;
	h->keep = keep;
	struct crimg_error err;
	crimg_error_clear(&err);
	struct mem_scan s = { .p = p,
			      .chunk = chunk,
			      .keep = keep,
			      .hit = on_hit,
			      .arg = h,
			      .advance = on_advance,
			      .err = &err };
	int rc = mem_scan_init(&s);
	if (rc == 0)
		rc = mem_scan_stretch(&s, t->segs, t->n);
	mem_scan_free(&s);
	return rc;
}

/* The matches of p in all of data at once, as the scanner must report them. */
static void reference(const uint8_t *data, size_t len, const char *pat, int regex, struct hits *h)
{
	memset(h, 0, sizeof(*h));
	if (!regex) {
		size_t n = strlen(pat), at = 0;
		while ((at = naive_find(data, len, (const uint8_t *)pat, n, at)) != MEM_NONE) {
			if (h->n < 256) {
				h->at[h->n] = BASE + at;
				h->len[h->n] = n;
			}
			h->n++;
			at += n;
		}
		return;
	}
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
					 PCRE2_NEVER_UTF | PCRE2_NEVER_UCP, &ec, &eo, NULL);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
	size_t off = 0;
	while (off <= len && pcre2_match(code, data, len, off, PCRE2_NOTEMPTY, md, NULL) >= 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		if (h->n < 256) {
			h->at[h->n] = BASE + ov[0];
			h->len[h->n] = ov[1] > ov[0] ? ov[1] - ov[0] : 0;
		}
		h->n++;
		off = ov[1] > off ? ov[1] : off + 1;
	}
	pcre2_match_data_free(md);
	pcre2_code_free(code);
}

static int same_hits(const struct hits *a, const struct hits *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n && i < 256; i++)
		if (a->at[i] != b->at[i] || a->len[i] != b->len[i])
			return 0;
	return 1;
}

static struct crimg_mem_pattern *pattern(const char *pat, int regex)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	return crimg_mem_pattern_new(pat, strlen(pat), regex ? CRIMG_PAT_REGEX : 0, &err);
}

TEST(mem_scan_finds_a_needle_at_every_offset_around_chunk_boundaries)
{
	static const char needle[] = "NEEDLE-7f3a";
	const size_t n = sizeof(needle) - 1, C = 64;
	uint8_t data[5 * 64];
	struct crimg_mem_pattern *lit = pattern(needle, 0);
	struct crimg_mem_pattern *rx = pattern("NEEDLE-[0-9a-f]{4}", 1);
	struct crimg_mem_pattern *rx2 = pattern("N[A-Z]+-[0-9a-f]{4}", 1); /* no usable prefix */
	EXPECT(lit && rx && rx2 && rx->anchored && !rx2->anchored);
	int bad = 0, tried = 0;
	for (size_t b = C; b <= 3 * C; b += C) {
		for (size_t at = b - n - 1; at <= b + 1; at++) {
			memset(data, 'a', sizeof(data));
			memcpy(data + at, needle, n);
			for (int layout = 0; layout < 3; layout++) {
				struct stretch t;
				if (stretch_make(&t, data, sizeof(data), layout ? 3 : 0,
						 layout == 2) < 0) {
					bad++;
					continue;
				}
				const struct crimg_mem_pattern *ps[] = { lit, rx, rx2 };
				for (int k = 0; k < 3; k++) {
					struct hits h;
					tried++;
					if (scan(&t, ps[k], C, 4, &h) != 0 || h.n != 1 ||
					    h.at[0] != BASE + at || h.len[0] != n || h.bad_buf ||
					    h.advanced != sizeof(data))
						bad++;
				}
				stretch_free(&t);
			}
		}
	}
	EXPECT(tried == 3 * 3 * 3 * (int)(n + 3));
	EXPECT(bad == 0);
	crimg_mem_pattern_free(lit);
	crimg_mem_pattern_free(rx);
	crimg_mem_pattern_free(rx2);
}

TEST(mem_scan_agrees_with_a_whole_buffer_search)
{
	static const struct {
		const char *pat;
		int regex;
	} cases[] = {
		{ "ab", 0 },        { "abcab", 0 },       { "cc", 0 },       { "a", 0 },
		{ "\0\0a", 0 },     { "c[ab]{2,5}c", 1 }, { "a(b|c)*a", 1 }, { "b{4,}", 1 },
		{ "(?<=ab)c+", 1 }, { "\\bab", 1 },       { "^ab", 1 },      { "c$", 1 },
		{ "abc[ab]*c", 1 }, { "ab\\Kc", 1 },      { "abca*", 1 },    { "ca?b", 1 },
		{ "\\x00{3}a", 1 }, { "b c+", 1 },
	};
	static const size_t chunks[] = { 1, 2, 7, 64, 333, 4096 };
	uint8_t data[3000];
	int bad = 0, runs = 0;
	for (int trial = 0; trial < 6; trial++) {
		size_t len = 200 + rnd(sizeof(data) - 200);
		fill(data, len, trial % 2 ? "abc" : "abc \0\0", trial % 2 ? 3 : 6);
		struct stretch t;
		if (stretch_make(&t, data, len, 1 + rnd(7), trial % 2) < 0) {
			bad++;
			continue;
		}
		for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			const char *pat = cases[c].pat;
			/* the literal with NULs: built by hand, strlen stops at them */
			struct crimg_error err;
			crimg_error_clear(&err);
			struct crimg_mem_pattern *p = c == 4
				? crimg_mem_pattern_new("\0\0a", 3, 0, &err)
				: pattern(pat, cases[c].regex);
			struct hits want, got;
			if (c == 4) {
				memset(&want, 0, sizeof(want));
				for (size_t at = 0;
				     (at = naive_find(data, len, (const uint8_t *)"\0\0a", 3,
						      at)) != MEM_NONE;
				     at += 3) {
					if (want.n < 256)
						want.at[want.n] = BASE + at, want.len[want.n] = 3;
					want.n++;
				}
			} else {
				reference(data, len, pat, cases[c].regex, &want);
			}
			for (size_t k = 0; p && k < sizeof(chunks) / sizeof(chunks[0]); k++) {
				runs++;
				if (scan(&t, p, chunks[k], k % 2 ? 16 : 0, &got) != 0 ||
				    !same_hits(&want, &got) || got.bad_buf || got.advanced != len) {
					bad++;
					printf("    pattern '%s', chunk %zu: %zu matches, want %zu\n",
					       pat, chunks[k], got.n, want.n);
				}
			}
			if (!p)
				bad++;
			crimg_mem_pattern_free(p);
		}
		stretch_free(&t);
	}
	EXPECT(runs == 6 * 18 * 6);
	EXPECT(bad == 0);
}

TEST(mem_scan_follows_a_long_regex_match_over_many_chunks)
{
	static uint8_t data[20000];
	memset(data, 0, sizeof(data));
	memcpy(data + 100, "X-start", 7);
	memset(data + 107, 'q', 12000);
	memcpy(data + 12107, "Y", 1);
	memcpy(data + 15000, "X-startY", 8);
	struct crimg_mem_pattern *p = pattern("X-start[^Y]*Y", 1);
	struct stretch t;
	EXPECT(p && p->anchored);
	if (!p || stretch_make(&t, data, sizeof(data), 5, 0) < 0)
		return;
	struct hits h;
	EXPECT(scan(&t, p, 64, 0, &h) == 0);
	EXPECT(h.n == 2 && h.at[0] == BASE + 100 && h.len[0] == 12008);
	EXPECT(h.at[1] == BASE + 15000 && h.len[1] == 8);
	stretch_free(&t);
	crimg_mem_pattern_free(p);
}

TEST(mem_scan_reads_the_mapping_when_the_file_is_not_the_one_mapped)
{
	uint8_t data[1000];
	memset(data, 'z', sizeof(data));
	memcpy(data + 500, "MARK", 4);
	struct stretch t;
	if (stretch_make(&t, data, sizeof(data), 3, 1) < 0) {
		EXPECT(0);
		return;
	}
	t.f.ino++; /* as if the file had been replaced since it was mapped */
	struct crimg_mem_pattern *p = pattern("MARK", 0);
	struct hits h;
	EXPECT(scan(&t, p, 64, 0, &h) == 0);
	EXPECT(h.n == 1 && h.at[0] == BASE + 500 && !h.bad_buf);
	stretch_free(&t);
	crimg_mem_pattern_free(p);
}

TEST(mem_pattern_takes_a_literal_prefix_only_where_every_match_starts_with_it)
{
	static const struct {
		const char *re;
		const char *prefix;
	} cases[] = {
		{ "CRIMG-[0-9]", "CRIMG-" },
		{ "abc?d", "ab" },
		{ "abc*", "ab" },
		{ "abc{2}", "ab" },
		{ "ab|cd", "" },
		{ "a[b]c", "" },
		{ "(abc)", "" },
		{ "\\Qabc\\E", "" },
		{ "abc.d", "abc" },
		{ "ab\\d", "ab" },
		{ "x+", "" },
		{ "^abc", "" },
		{ "ab(?i)c", "ab" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct crimg_mem_pattern *p = pattern(cases[i].re, 1);
		size_t want = strlen(cases[i].prefix);
		EXPECT(p != NULL);
		if (!p)
			continue;
		EXPECT(p->n == want &&
		       (!want || (p->anchored && !memcmp(p->lit, cases[i].prefix, want))));
		crimg_mem_pattern_free(p);
	}
	/* case-insensitive: no prefix (the bytes may differ in case) */
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_mem_pattern *p = crimg_mem_pattern_new("abcd", 4, CRIMG_PAT_ICASE, &err);
	EXPECT(p && p->code && !p->lit && !p->anchored);
	crimg_mem_pattern_free(p);
}
