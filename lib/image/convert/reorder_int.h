/*
 * crimg_reorder_dir (reorder.c) and the kernel structures it turns around
 * inside entries (reorder_fields.c).
 */
#ifndef CRIMG_REORDER_INT_H
#define CRIMG_REORDER_INT_H

#include "base/base.h"

/*
 * fd (named tmp, open for reading and writing) holds the image name of the
 * directory idir just written in byte order to from one in byte order
 * from; path names the image in messages.  The kernel structures CRIU
 * keeps as bytes or words of its machine's memory are turned around in
 * place, entry by entry (their sizes do not change): the siginfo_t of
 * pending signals (core-N.img, signal-[ps]-N.img; the machine from core
 * N's mtype), the classic BPF programs of seccomp filters (seccomp.img) and
 * socket filters (SO_ATTACH_FILTER, in the sockets' options).  0, or -1
 * (err filled).
 */
int crimg_reorder_fields(int fd, const char *tmp, const char *path, const char *idir,
			 const char *name, enum crimg_byte_order from, enum crimg_byte_order to,
			 const struct crimg_limits *lim, struct crimg_error *err);

#endif
