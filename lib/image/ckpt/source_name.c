/*
 * Names of checkpoints as skopeo spells OCI images: "oci:DIR[:REF]" for an
 * image layout directory and "oci-archive:FILE[:REF]" for one in a tar.  The
 * path ends at the first ':' after the transport (as in skopeo, a path
 * holding ':' cannot be named this way: give it without the prefix, where
 * content detection finds the image).  REF picks the image by its
 * org.opencontainers.image.ref.name.  Anything else is a plain path.
 */
#include <stdlib.h>
#include <string.h>

#include "crimg/convert.h"
#include "base/base.h"

static const struct {
	const char *prefix;
	enum crimg_format f;
} transports[] = {
	{ "oci:", CRIMG_FMT_OCI },
	{ "oci-archive:", CRIMG_FMT_OCI_ARCHIVE },
};

int crimg_source_name_parse(const char *arg, struct crimg_source_name *n, struct crimg_error *err)
{
	memset(n, 0, sizeof(*n));
	const char *rest = arg;
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++) {
		size_t k = strlen(transports[i].prefix);
		if (strncmp(arg, transports[i].prefix, k) == 0) {
			n->transport = transports[i].f;
			rest = arg + k;
			break;
		}
	}
	if (n->transport == CRIMG_FMT_UNKNOWN) {
		if (!(n->path = strdup(arg)))
			return crimg_fail(err, arg, -1, -1, "out of memory");
		return 0;
	}
	const char *colon = strchr(rest, ':');
	size_t plen = colon ? (size_t)(colon - rest) : strlen(rest);
	if (plen == 0)
		return crimg_fail(err, arg, -1, -1, "no path after '%s' (%s:PATH[:REF])",
				  n->transport == CRIMG_FMT_OCI ? "oci:" : "oci-archive:",
				  n->transport == CRIMG_FMT_OCI ? "oci" : "oci-archive");
	if (!(n->path = strndup(rest, plen)))
		return crimg_fail(err, arg, -1, -1, "out of memory");
	/* "oci:DIR:" names no image, as in skopeo */
	if (colon && colon[1]) {
		if (!crimg_oci_ref_valid(colon + 1)) {
			crimg_source_name_free(n);
			return crimg_fail(err, arg, -1, -1,
					  "'%s' is not a valid image reference name (letters and digits "
					  "joined by one of -._:@+ or --, components separated by /)",
					  colon + 1);
		}
		if (!(n->ref = strdup(colon + 1))) {
			crimg_source_name_free(n);
			return crimg_fail(err, arg, -1, -1, "out of memory");
		}
	}
	return 0;
}

void crimg_source_name_free(struct crimg_source_name *n)
{
	free(n->path);
	free(n->ref);
	n->path = n->ref = NULL;
}
