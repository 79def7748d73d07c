/* The limits as the library applies them: each refusal names its limit. */
#include <stdlib.h>
#include <unistd.h>

#include "crimg/image.h"
#include "crimg/json.h"
#include "unit.h"

/* PIPES_DATA header, one entry {pipe_id 1, bytes N}, then n bytes. */
static size_t pipe_image(uint8_t *b, uint32_t bytes, size_t n)
{
	const uint8_t head[8] = { 0x19, 0x43, 0x56, 0x54, 0x09, 0x37, 0x45, 0x56 };
	size_t k = 0;
	memcpy(b, head, 8);
	k = 8;
	uint8_t pl[16];
	size_t pn = 0;
	pl[pn++] = 0x08;
	pl[pn++] = 0x01;
	pl[pn++] = 0x10;
	uint32_t v = bytes;
	do {
		pl[pn++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	b[k++] = (uint8_t)pn, b[k++] = 0, b[k++] = 0, b[k++] = 0;
	memcpy(b + k, pl, pn);
	k += pn;
	memset(b + k, 'x', n);
	return k + n;
}

static int read_all(const uint8_t *b, size_t n, const struct crimg_limits *l,
		    struct crimg_error *err)
{
	crimg_error_clear(err);
	struct crimg_reader *r = crimg_reader_open_mem(b, n, "pipes-data.img", l, err);
	if (!r)
		return -1;
	struct crimg_entry e;
	int k;
	while ((k = crimg_reader_next(r, &e, err)) == 1)
		;
	crimg_reader_close(r);
	return k;
}

TEST(limits_entry_and_extra_are_applied_and_named)
{
	uint8_t img[256];
	struct crimg_error err;
	struct crimg_limits l = crimg_default_limits;
	size_t n = pipe_image(img, 100, 100);
	EXPECT(read_all(img, n, &l, &err) == 0);
	l.max_extra = 99;
	EXPECT(read_all(img, n, &l, &err) == -1);
	EXPECT(strstr(err.msg, "extra payload of 100 bytes exceeds the limit of 99") != NULL);
	EXPECT(strstr(err.msg, "the 'extra' limit") != NULL);
	l = crimg_default_limits;
	l.max_entry = 3;
	EXPECT(read_all(img, n, &l, &err) == -1);
	EXPECT(err.offset == 8 && strstr(err.msg, "the 'entry' limit") != NULL);
	/* a size at the top of its type, under the default limits */
	n = pipe_image(img, UINT32_MAX, 10);
	EXPECT(read_all(img, n, NULL, &err) == -1);
	EXPECT(strstr(err.msg, "4294967295 bytes exceeds the 10 bytes left") != NULL);
}

static int encode_text(const char *json, const struct crimg_limits *l, struct crimg_error *err)
{
	int in[2];
	if (pipe(in) < 0)
		return -2;
	size_t n = strlen(json);
	if (write(in[1], json, n) != (ssize_t)n)
		return -2;
	close(in[1]);
	FILE *out = tmpfile();
	struct crimg_encode_opts o = { .byte_order = CRIMG_LITTLE_ENDIAN, .limits = l };
	crimg_error_clear(err);
	int rc = crimg_json_encode(in[0], "t.json", fileno(out), "t.img", &o, err);
	close(in[0]);
	fclose(out);
	return rc;
}

TEST(limits_json_depth_is_applied_and_capped)
{
	struct crimg_error err;
	struct crimg_limits l = crimg_default_limits;
	const char *j = "{\"magic\": \"PSTREE\", \"x\": [[[[1]]]], \"entries\": []}";
	EXPECT(encode_text(j, &l, &err) == 0);
	l.max_depth = 4;
	EXPECT(encode_text(j, &l, &err) == -1);
	EXPECT(strstr(err.msg, "JSON nested deeper than 4 levels (the 'depth' limit") != NULL);
	EXPECT(err.line == 1 && err.column > 0);
	/* whatever a caller asks, the reader never recurses past the cap */
	l.max_depth = 1u << 30;
	size_t deep = CRIMG_MAX_DEPTH_CAP + 10;
	char *t = malloc(2 * deep + 64);
	size_t k = (size_t)sprintf(t, "{\"magic\": \"PSTREE\", \"x\": ");
	memset(t + k, '[', deep);
	k += deep;
	memset(t + k, ']', deep);
	k += deep;
	strcpy(t + k, ", \"entries\": []}");
	EXPECT(encode_text(t, &l, &err) == -1);
	EXPECT(strstr(err.msg, "JSON nested deeper than 4096 levels") != NULL);
	free(t);
}
