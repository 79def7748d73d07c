/* The JSON bundle and JSON directory readers, shared with the checkpoint
 * handle, which opens both as sources. */
#ifndef CRIMG_CONVERT_INT_H
#define CRIMG_CONVERT_INT_H

#include "archive/tree_int.h"

/* The "format" of a JSON bundle (bundle_write.c describes it). */
#define CRIMG_BUNDLE_FORMAT "crimg-bundle"

/* The readers of bundle_read.c and jsondir.c, into a tree writer of the
 * caller's (a memory tree for crimg_ckpt_open); finish is the caller's. */
int crimg_bundle_read_tree(const char *bundle, struct crimg_treew *t,
			   const struct crimg_limits *lim, const struct crimg_progress *p,
			   struct crimg_error *err);
int crimg_jsondir_read_tree(const char *src, struct crimg_treew *t, const struct crimg_limits *lim,
			    const struct crimg_progress *p, struct crimg_error *err);

#endif
