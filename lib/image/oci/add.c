/*
 * Adding an image to an existing OCI image layout, as `skopeo copy ...
 * oci:DIR:REF` does: the new image is written as a layout of its own first
 * (crimg_oci_write, beside DIR), then its blobs move into DIR and DIR's
 * index.json, rewritten under a temporary name and renamed over the old
 * one, lists it in place of any image of the same ref name.  An
 * interruption leaves DIR valid: at worst with blobs no index names (which
 * skopeo leaves too).  Blobs are named by their digest, so one already
 * there is the same bytes and stays.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/oci_int.h"

static json_t *load_index(int dir, const char *name, struct crimg_error *err)
{
	int fd = openat(dir, "index.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > crimg_default_limits.max_json) {
		if (fd >= 0)
			close(fd);
		crimg_fail(err, name, -1, -1,
			   "index.json: not a regular file of at most %llu bytes "
			   "(the json limit)",
			   (unsigned long long)crimg_default_limits.max_json);
		return NULL;
	}
	json_error_t je;
	json_t *v = json_loadfd(fd, 0, &je);
	close(fd);
	if (!v) {
		crimg_fail(err, name, -1, -1, "index.json: line %d column %d: %s", je.line,
			   je.column, je.text);
		return NULL;
	}
	if (!json_is_object(v) || !json_is_array(json_object_get(v, "manifests"))) {
		json_decref(v);
		crimg_fail(err, name, -1, -1, "index.json: not an image index (no \"manifests\")");
		return NULL;
	}
	return v;
}

static const char *ref_of(const json_t *desc)
{
	return json_string_value(
		json_object_get(json_object_get(desc, "annotations"), OCI_ANN_REF_NAME));
}

/* Moves every blob of from/blobs/sha256 into to/blobs/sha256. */
static int move_blobs(int from, int to, const char *to_name, struct crimg_error *err)
{
	int fb = openat(from, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int tb = openat(to, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tb < 0 && errno == ENOENT && (mkdirat(to, "blobs", 0755) == 0 || errno == EEXIST) &&
	    (mkdirat(to, "blobs/sha256", 0755) == 0 || errno == EEXIST))
		tb = openat(to, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fb >= 0 && tb >= 0 ? fdopendir(fb) : NULL;
	if (!d) {
		int e = errno;
		if (fb >= 0)
			close(fb);
		if (tb >= 0)
			close(tb);
		return crimg_fail(err, to_name, -1, -1, "blobs/sha256: %s", strerror(e));
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		/* the same digest is the same bytes: the one there stays */
		if (fstatat(tb, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if (renameat(dirfd(d), de->d_name, tb, de->d_name) < 0)
			rc = crimg_fail(err, to_name, -1, -1, "blobs/sha256/%s: %s", de->d_name,
					strerror(errno));
	}
	closedir(d);
	if (rc == 0 && fsync(tb) < 0)
		rc = crimg_fail(err, to_name, -1, -1, "blobs/sha256: %s", strerror(errno));
	close(tb);
	return rc;
}

/* index.json: written under a temporary name in dir, then renamed over. */
static int replace_index(int dir, const char *name, json_t *index, struct crimg_error *err)
{
	char *s = json_dumps(index, JSON_COMPACT | JSON_SORT_KEYS);
	if (!s)
		return crimg_fail(err, name, -1, -1, "out of memory");
	char tmp[64];
	snprintf(tmp, sizeof(tmp), ".index.json.crimg-%ld", (long)getpid());
	unlinkat(dir, tmp, 0);
	int rc = oci_write_file(dir, name, tmp, s, strlen(s), err);
	free(s);
	if (rc == 0 && renameat(dir, tmp, dir, "index.json") < 0)
		rc = crimg_fail(err, name, -1, -1, "index.json: %s", strerror(errno));
	if (rc < 0)
		unlinkat(dir, tmp, 0);
	if (rc == 0 && fsync(dir) < 0)
		rc = crimg_fail(err, name, -1, -1, "%s", strerror(errno));
	return rc;
}

int crimg_oci_add(const char *src_layout, const char *dst_layout, struct crimg_error *err)
{
	int from = open(src_layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int to = open(dst_layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	json_t *ni = NULL, *oi = NULL;
	int rc = 0;
	if (from < 0 || to < 0)
		rc = crimg_fail(err, from < 0 ? src_layout : dst_layout, -1, -1, "%s",
				strerror(errno));
	if (rc == 0 &&
	    (!(ni = load_index(from, src_layout, err)) || !(oi = load_index(to, dst_layout, err))))
		rc = -1;
	const json_t *nm = json_object_get(ni, "manifests");
	if (rc == 0 && json_array_size(nm) != 1)
		rc = crimg_fail(err, src_layout, -1, -1, "index.json: %zu images, not one",
				json_array_size(nm));
	if (rc == 0)
		rc = move_blobs(from, to, dst_layout, err);
	if (rc == 0) {
		/* the old index less any image of the new one's ref name, then it */
		const json_t *desc = json_array_get(nm, 0);
		const char *ref = ref_of(desc);
		json_t *om = json_object_get(oi, "manifests"), *keep = json_array();
		size_t i;
		json_t *d;
		json_array_foreach(om, i, d) if (keep &&
						 !(ref && ref_of(d) && strcmp(ref, ref_of(d)) == 0))
			json_array_append(keep, d);
		if (!keep || json_array_append(keep, (json_t *)desc) < 0) {
			json_decref(keep);
			rc = crimg_fail(err, dst_layout, -1, -1, "out of memory");
		} else if (json_object_set_new(oi, "manifests", keep) < 0) {
			rc = crimg_fail(err, dst_layout, -1, -1, "out of memory");
		}
		if (rc == 0)
			rc = replace_index(to, dst_layout, oi, err);
	}
	json_decref(ni);
	json_decref(oi);
	if (from >= 0)
		close(from);
	if (to >= 0)
		close(to);
	return rc;
}
