/*
 * Writer support for entries too large to hold whole: the entry's size is
 * written as a placeholder, its payload streamed, and the size patched in
 * place at the end.  Only for outputs that are regular files opened
 * without O_APPEND (pwrite must land where asked).
 */
#ifndef CRIMG_WRITER_INT_H
#define CRIMG_WRITER_INT_H

#include "base/base.h"

/* 1 when the output allows patching and reading back, else 0. */
int crimg_writer_can_patch(struct crimg_writer *w);
/* Bytes written so far, counting those still buffered. */
uint64_t crimg_writer_tell(const struct crimg_writer *w);
/* Overwrites the 4-byte word at pos (a crimg_writer_tell() value). */
int crimg_writer_patch_u32(struct crimg_writer *w, uint64_t pos, uint32_t v,
			   struct crimg_error *err);
/* Reads back the n bytes written from pos into buf, then cuts the output
 * at pos: what comes next is written from there. */
int crimg_writer_take_back(struct crimg_writer *w, uint64_t pos, uint8_t *buf, size_t n,
			   struct crimg_error *err);

#endif
