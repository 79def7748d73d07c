/* crit info: counts entries by reading them, extras and all; describes
 * raw images, which have none. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

int crimg_image_info(struct crimg_reader *r, struct crimg_info *info, struct crimg_error *err)
{
	struct crimg_entry e;
	int rc;
	info->kind = crimg_reader_kind(r);
	info->byte_order = crimg_reader_byte_order(r);
	info->first_magic = crimg_reader_first_magic(r);
	info->count = 0;
	info->payload_bytes = 0;
	while ((rc = crimg_reader_next(r, &e, err)) > 0) {
		info->count++;
		info->payload_bytes += e.extra_size;
	}
	if (rc < 0)
		return -1;
	/* crit counts the pagemap head apart from the page entries */
	if (info->kind->layout == CRIMG_LAYOUT_PAGEMAP && info->count)
		info->count--;
	return 0;
}

static uint32_t swap32(uint32_t v)
{
	return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

static int is_magic(uint32_t v)
{
	return v == CRIMG_MAGIC_COMMON || v == CRIMG_MAGIC_SERVICE || crimg_kind_by_magic(v);
}

/* iproute2's "ip addr save", "ip route save" and "ip rule save" dumps
 * start with one of these words, in the host's order */
static int iproute2_magic(uint32_t v)
{
	return v == 0x47361222u || v == 0x45311224u || v == 0x71706986u;
}

static const char *raw_content(const struct crimg_kind *k, const uint8_t *b, size_t n)
{
	if (!n)
		return "empty";
	if (strcmp(k->name, "PAGES") == 0)
		return "page data";
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return "gzip";
	if (n >= 4) {
		uint32_t le = crimg_load_u32(b, CRIMG_LITTLE_ENDIAN);
		if (iproute2_magic(le) || iproute2_magic(swap32(le)))
			return "iproute2 dump";
	}
	for (size_t i = 0; i < n; i++)
		if ((b[i] < 0x20 && b[i] != '\n' && b[i] != '\t' && b[i] != '\r') || b[i] == 0x7f)
			return "data";
	return "text";
}

int crimg_raw_image_info(int fd, const char *name, struct crimg_raw_info *ri,
			 struct crimg_error *err)
{
	const struct crimg_kind *k = crimg_kind_by_path(name);
	struct stat st;
	if (!k || k->layout != CRIMG_LAYOUT_RAW)
		return 0;
	if (fstat(fd, &st) < 0)
		return crimg_fail(err, name, -1, -1, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return 0;
	uint8_t b[512];
	ssize_t n;
	while ((n = pread(fd, b, sizeof(b), 0)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return crimg_fail(err, name, 0, -1, "read error: %s", strerror(errno));
	uint32_t first = n >= 4 ? crimg_load_u32(b, CRIMG_LITTLE_ENDIAN) : 0;
	if (n >= 4 && (is_magic(first) || is_magic(swap32(first))))
		return 0; /* an image with a header after all: read it as one */
	ri->kind = k;
	ri->size = (uint64_t)st.st_size;
	ri->content = raw_content(k, b, (size_t)n);
	return 1;
}
