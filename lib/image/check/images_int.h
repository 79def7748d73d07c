/* What the log part borrows from the images part. */
#ifndef CRIMG_CHECK_IMAGES_INT_H
#define CRIMG_CHECK_IMAGES_INT_H
#include <stdint.h>
#include "check/check_int.h"

/* The page size of c's architecture (from the first task's core; 4096
 * when unknown). */
unsigned check_page_size(struct crimg_ckpt *c);

/* A pagemap's needs: the bytes its present pages take (need) and its pages
 * file's size (have, -1 when the file is missing).  0, or -1 when the
 * pagemap image cannot be read. */
struct check_pages {
	uint32_t pages_id;
	uint64_t need;
	int64_t have;
	int in_parent;     /* some pages are in the parent dump */
	size_t last_entry; /* the entry that goes past the file's end */
};
int check_pagemap_pages(struct crimg_ckpt *c, const char *pagemap, unsigned page_size,
			struct check_pages *out);

/* The index of the entry of image whose uint32 field "id" is id, -1 when
 * none (for evidence: files.img entries by file id). */
int64_t check_entry_by_id(struct crimg_ckpt *c, const char *image, uint32_t id);

/* A uint/int/enum/bool field of any message by name: 0, or -1 when m has
 * no such field or it is not set. */
int check_msg_u64(const ProtobufCMessage *m, const char *name, uint64_t *v);

#endif
