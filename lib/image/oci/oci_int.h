/*
 * OCI image layouts holding a container checkpoint: what the oci*.c files
 * share.  A checkpoint image is one layer (the checkpoint archive's
 * contents), its config and manifest, an index.json naming it and the
 * oci-layout marker; every blob is named by the SHA-256 of its bytes.
 */
#ifndef CRIMG_OCI_INT_H
#define CRIMG_OCI_INT_H

#include <stdint.h>

#include "crimg/convert.h"
#include "base/base.h"
#include "base/sha256.h"

#define OCI_MT_INDEX "application/vnd.oci.image.index.v1+json"
#define OCI_MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define OCI_MT_LAYER "application/vnd.oci.image.layer.v1.tar"
#define OCI_MT_LAYER_GZIP OCI_MT_LAYER "+gzip"
#define OCI_MT_LAYER_ZSTD OCI_MT_LAYER "+zstd"
#define OCI_LAYOUT_VERSION "1.0.0"
#define OCI_ANN_REF_NAME "org.opencontainers.image.ref.name"

/* ---- reading an image (oci_read.c) ---- */

struct crimg_arc;
struct arc_src;
/*
 * The layer of an OCI image, verified as crimg_oci_extract() verifies it
 * (descriptors, digests, media types, diff_id), for reading in place: the
 * layout is the directory fd layout, or the members of an oci-archive arc
 * (layout -1); ref picks the image by ref name (NULL: the only one), lim
 * bounds the JSON read whole (NULL: defaults).  *layer gets the layer blob's bytes; *owned_fd is its
 * descriptor for the caller to close, or -1 when it is arc's.
 */
int oci_layer_locate(const char *src, const char *ref, const struct crimg_limits *lim, int layout,
		     struct crimg_arc *arc, struct arc_src *layer, int *owned_fd,
		     struct crimg_error *err);

/* ---- what a checkpoint says about itself (oci_meta.c) ---- */

struct oci_kv {
	char *key, *value;
};

struct oci_meta {
	int bare;           /* a plain CRIU image dir, stored under checkpoint/ */
	const char *engine; /* "podman", "cri-o", "containerd" or NULL */
	char *name;         /* the container's name (never NULL after reading) */
	char *id;
	char *pod, *pod_id, *pod_ns;
	char *image_name; /* the rootfs image: config.dump rootfsImageName */
	char *image_id;   /* rootfsImageID (Podman) or rootfsImageRef */
	char *image_raw;  /* as the user asked for it: RawImageName, rootfsImage */
	char *runtime;
	const char *goarch;   /* "amd64", "arm64", ... (GOARCH words) */
	int64_t checkpointed; /* seconds: when the checkpoint was made (see
				 * crimg_oci_write), 0 if nothing says */
	/* the annotations of the image, sorted by key */
	struct oci_kv *ann;
	size_t n_ann;
	int oom; /* a value could not be kept: reading fails */
};

/* Reads config.dump, spec.dump and the images of tree (container tree or
 * bare image dir) and fills m with the annotations every engine looks for.
 * An engine file larger than the "json" limit of lim (NULL: defaults) is an
 * error; a damaged one is left out. */
int oci_meta_read(const char *tree, const struct crimg_limits *lim, struct oci_meta *m,
		  struct crimg_error *err);
void oci_meta_free(struct oci_meta *m);
/* "x86_64" -> "amd64" and so on; NULL for architectures OCI has no word for. */
const char *oci_goarch(const char *criu_arch);
/* RFC 3339 in UTC, "1970-01-01T00:00:00Z"; buf of at least 32 bytes. */
void oci_time_str(int64_t sec, char *buf, size_t len);

/* ---- blobs (oci_blob.c) ---- */

struct oci_desc {
	char media_type[128];
	char digest[CRIMG_SHA256_DIGEST_STR];
	uint64_t size;
};

/* Writes buf as blobs/sha256/HEX under layout (a directory fd) and fills d. */
int oci_blob_put(int layout, const char *layout_name, const char *media_type, const void *buf,
		 size_t len, struct oci_desc *d, struct crimg_error *err);
/* Hashes the rest of fd (from its current offset); *size gets the length. */
int oci_hash_fd(int fd, const char *name, char digest[CRIMG_SHA256_DIGEST_STR], uint64_t *size,
		struct crimg_error *err);
/* Writes a whole small file under dir (a directory fd), fsynced. */
int oci_write_file(int dir, const char *dir_name, const char *name, const void *buf, size_t len,
		   struct crimg_error *err);
/* "sha256:" and 64 lowercase hex digits, nothing else. */
int oci_digest_valid(const char *digest);

#endif
