/*
 * Target "encode": JSON -> image (crit encode).  Input: JSON text; its
 * length's parity picks the byte order.  An image the encoder writes must
 * decode again, and the wire-format encoder (the default) must agree with
 * packing through protobuf-c messages (CRIMG_ENCODE_VIA_MESSAGES): both
 * fail, or both write the same bytes.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crimg/json.h"
#include "fuzz.h"

static int devnull = -1, fd_in = -1, fd_out = -1, fd_ref = -1;

/* Encodes fd_in into out; 0 or -1. */
static int encode(int out, unsigned flags, enum crimg_byte_order bo, struct crimg_error *err)
{
	FZ_ASSERT(ftruncate(out, 0) == 0 && lseek(out, 0, SEEK_SET) == 0 &&
		  lseek(fd_in, 0, SEEK_SET) == 0);
	struct crimg_encode_opts eo = { .byte_order = bo, .flags = flags };
	return crimg_json_encode(fd_in, "in.json", out, "out.img", &eo, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (devnull < 0) {
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		fd_in = memfd_create("fuzz-json", MFD_CLOEXEC);
		fd_out = memfd_create("fuzz-img", MFD_CLOEXEC);
		fd_ref = memfd_create("fuzz-ref", MFD_CLOEXEC);
		FZ_ASSERT(devnull >= 0 && fd_in >= 0 && fd_out >= 0 && fd_ref >= 0);
	}
	FZ_ASSERT(ftruncate(fd_in, 0) == 0);
	FZ_ASSERT(pwrite(fd_in, data, size, 0) == (ssize_t)size || size == 0);
	struct crimg_error err, ref_err;
	crimg_error_clear(&err);
	crimg_error_clear(&ref_err);
	enum crimg_byte_order bo = size & 1 ? CRIMG_BIG_ENDIAN : CRIMG_LITTLE_ENDIAN;
	int rc_wire = encode(fd_out, 0, bo, &err);
	int rc_ref = encode(fd_ref, CRIMG_ENCODE_VIA_MESSAGES, bo, &ref_err);
	if (rc_wire != rc_ref) {
		fprintf(stderr, "fuzz: wire encoder %s (%s), protobuf-c %s (%s)\n",
			rc_wire ? "failed" : "succeeded", err.msg, rc_ref ? "failed" : "succeeded",
			ref_err.msg);
		FZ_ASSERT(0 && "the two encoders disagree");
	}
	if (rc_wire == 0) {
		off_t a = lseek(fd_out, 0, SEEK_END), b = lseek(fd_ref, 0, SEEK_END);
		FZ_ASSERT(a == b);
		uint8_t *x = malloc((size_t)a + 1), *y = malloc((size_t)b + 1);
		FZ_ASSERT(x && y && pread(fd_out, x, (size_t)a, 0) == a &&
			  pread(fd_ref, y, (size_t)b, 0) == b);
		FZ_ASSERT(memcmp(x, y, (size_t)a) == 0 && "the two encoders wrote different bytes");
		free(x);
		free(y);
	}
	if (rc_wire < 0) {
		fz_check_err(&err);
		/* a JSON error names its line and column */
		FZ_ASSERT(err.line > 0 || strcmp(err.file, "out.img") == 0 || err.offset >= 0 ||
			  strstr(err.msg, "memory"));
		return 0;
	}
	off_t n = lseek(fd_out, 0, SEEK_END);
	FZ_ASSERT(n >= 8);
	uint8_t *img = malloc((size_t)n);
	FZ_ASSERT(img && pread(fd_out, img, (size_t)n, 0) == n);
	struct crimg_reader *r = crimg_reader_open_mem(img, (size_t)n, "out.img", NULL, &err);
	if (!r) {
		fprintf(stderr, "fuzz: encoded image does not open: %s\n", err.msg);
		FZ_ASSERT(0 && "encoded image does not open");
	}
	struct crimg_out *o = crimg_out_new(devnull, "/dev/null");
	int rc = crimg_json_decode(r, o, CRIMG_JSON_PRETTY, &err);
	if (rc < 0) {
		fprintf(stderr, "fuzz: encoded image does not decode: %s\n", err.msg);
		FZ_ASSERT(0 && "encoded image does not decode");
	}
	crimg_out_free(o);
	crimg_reader_close(r);
	free(img);
	return 0;
}
