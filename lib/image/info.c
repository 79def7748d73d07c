/* crit info: counts entries by reading them, extras and all. */
#include "internal.h"

int crimg_image_info(struct crimg_reader *r, struct crimg_info *info,
		     struct crimg_error *err)
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
