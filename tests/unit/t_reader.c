/* The reader on in-memory images: framing, byte order, every truncation. */
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>

#include "crimg/image.h"
#include "crimg/json.h"
#include "unit.h"

/* A PSTREE image with one entry {pid: 1, ppid: 0, pgid: 1, sid: 1}. */
static size_t make_pstree(uint8_t *b, int big)
{
	const uint8_t payload[] = { 0x08, 0x01, 0x10, 0x00, 0x18, 0x01, 0x20, 0x01 };
	uint32_t words[3] = { 0x54564319, 0x50273030, sizeof(payload) };
	size_t n = 0;
	for (int w = 0; w < 3; w++)
		for (int i = 0; i < 4; i++)
			b[n++] = (uint8_t)(words[w] >> (big ? 24 - 8 * i : 8 * i));
	memcpy(b + n, payload, sizeof(payload));
	return n + sizeof(payload);
}

TEST(reader_reads_both_byte_orders)
{
	uint8_t img[64];
	for (int big = 0; big <= 1; big++) {
		size_t n = make_pstree(img, big);
		struct crimg_error err;
		crimg_error_clear(&err);
		struct crimg_reader *r = crimg_reader_open_mem(img, n, "pstree.img", NULL, &err);
		EXPECT(r != NULL);
		if (!r)
			continue;
		EXPECT(strcmp(crimg_reader_kind(r)->name, "PSTREE") == 0);
		EXPECT(crimg_reader_byte_order(r) ==
		       (big ? CRIMG_BIG_ENDIAN : CRIMG_LITTLE_ENDIAN));
		struct crimg_entry e;
		EXPECT(crimg_reader_next(r, &e, &err) == 1);
		EXPECT(e.offset == 8 && e.msg != NULL);
		EXPECT(crimg_reader_next(r, &e, &err) == 0);
		crimg_reader_close(r);
	}
}

TEST(reader_rejects_every_truncation)
{
	uint8_t img[64];
	size_t n = make_pstree(img, 0);
	for (size_t cut = 0; cut < n; cut++) {
		struct crimg_error err;
		crimg_error_clear(&err);
		struct crimg_reader *r = crimg_reader_open_mem(img, cut, "pstree.img", NULL, &err);
		int rc = -1;
		if (r) {
			struct crimg_entry e;
			rc = crimg_reader_next(r, &e, &err);
			crimg_reader_close(r);
		}
		/* the only clean cut is right after the header: an image with
		 * no entries */
		if (cut == 8)
			EXPECT(rc == 0);
		else
			EXPECT(rc == -1 && err.msg[0] && strcmp(err.file, "pstree.img") == 0);
	}
}

TEST(reader_size_beyond_file)
{
	uint8_t img[64];
	size_t n = make_pstree(img, 0);
	img[8] = 0xff; /* size 255, only 8 bytes follow */
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_reader *r = crimg_reader_open_mem(img, n, "pstree.img", NULL, &err);
	struct crimg_entry e;
	EXPECT(r && crimg_reader_next(r, &e, &err) == -1);
	EXPECT(err.offset == 8 && strstr(err.msg, "exceeds") != NULL);
	crimg_reader_close(r);
}

TEST(writer_then_reader_round_trip)
{
	int fds[2];
	EXPECT(pipe(fds) == 0);
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_kind *k = crimg_kind_by_name("PSTREE");
	struct crimg_writer *w = crimg_writer_new(fds[1], "pipe", k, CRIMG_BIG_ENDIAN, &err);
	EXPECT(w != NULL);
	EXPECT(crimg_writer_finish(w, &err) == 0);
	crimg_writer_free(w);
	close(fds[1]);
	uint8_t buf[16];
	ssize_t got = read(fds[0], buf, sizeof(buf));
	close(fds[0]);
	EXPECT(got == 8);
	EXPECT(buf[0] == 0x54 && buf[3] == 0x19 && buf[4] == 0x50 && buf[7] == 0x30);
}

/* Decodes an image held in memory to a JSON string (static buffer). */
static const char *decode_json(const uint8_t *img, size_t n, unsigned flags)
{
	static char out[4096];
	FILE *f = tmpfile();
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_reader *r = crimg_reader_open_mem(img, n, "t.img", NULL, &err);
	struct crimg_out *o = crimg_out_new(fileno(f), "tmp");
	int rc = r && o ? crimg_json_decode(r, o, flags, &err) : -1;
	if (rc == 0)
		rc = crimg_out_flush(o, &err);
	crimg_out_free(o);
	crimg_reader_close(r);
	rewind(f);
	size_t k = fread(out, 1, sizeof(out) - 1, f);
	out[rc == 0 ? k : 0] = '\0';
	fclose(f);
	return out;
}

/* The wire-format fast path and the protobuf-c path must agree, also on
 * encodings CRIU never writes: fields out of order, a field given twice. */
TEST(decode_non_canonical_encodings)
{
	uint8_t canon[64], reordered[64], twice[64];
	size_t n = make_pstree(canon, 0);
	char want[4096];
	snprintf(want, sizeof(want), "%s", decode_json(canon, n, 0));
	EXPECT(strstr(want, "{\"pid\": 1, \"ppid\": 0, \"pgid\": 1, \"sid\": 1}") != NULL);

	/* sid, pgid, ppid, pid */
	memcpy(reordered, canon, 12);
	const uint8_t rev[] = { 0x20, 0x01, 0x18, 0x01, 0x10, 0x00, 0x08, 0x01 };
	memcpy(reordered + 12, rev, sizeof(rev));
	EXPECT_STR(decode_json(reordered, n, 0), want);

	/* pid = 7 first, then the real fields: the last value wins */
	memcpy(twice, canon, 8);
	twice[8] = 10;
	twice[9] = twice[10] = twice[11] = 0;
	const uint8_t dup[] = { 0x08, 0x07, 0x08, 0x01, 0x10, 0x00, 0x18, 0x01, 0x20, 0x01 };
	memcpy(twice + 12, dup, sizeof(dup));
	EXPECT_STR(decode_json(twice, 12 + sizeof(dup), 0), want);
	/* and the pretty forms agree too */
	snprintf(want, sizeof(want), "%s", decode_json(canon, n, CRIMG_JSON_PRETTY));
	EXPECT_STR(decode_json(reordered, n, CRIMG_JSON_PRETTY), want);
}
