/*
 * Which checkpoint format a path holds, from its content; and the names
 * crit-convert gives the formats.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crimg/convert.h"
#include "base/base.h"

static const char *const names[] = {
	[CRIMG_FMT_DIR] = "dir",           [CRIMG_FMT_JSON] = "json",
	[CRIMG_FMT_JSON_DIR] = "json-dir", [CRIMG_FMT_TAR] = "tar",
	[CRIMG_FMT_TAR_GZ] = "tar.gz",     [CRIMG_FMT_TAR_ZST] = "tar.zst",
	[CRIMG_FMT_OCI] = "oci",           [CRIMG_FMT_OCI_ARCHIVE] = "oci-archive",
};

const char *crimg_format_name(enum crimg_format f)
{
	return (size_t)f < sizeof(names) / sizeof(names[0]) ? names[f] : NULL;
}

enum crimg_format crimg_format_by_name(const char *name)
{
	for (size_t i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], name) == 0)
			return (enum crimg_format)i;
	if (strcmp(name, "tgz") == 0)
		return CRIMG_FMT_TAR_GZ;
	if (strcmp(name, "tzst") == 0)
		return CRIMG_FMT_TAR_ZST;
	return CRIMG_FMT_UNKNOWN;
}

/* Suffixes in any case: X.TAR.GZ is as much a tar.gz as x.tar.gz. */
static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n > k && strcasecmp(s + n - k, suffix) == 0;
}

enum crimg_format crimg_format_by_suffix(const char *path)
{
	static const struct {
		const char *suffix;
		enum crimg_format f;
	} tab[] = {
		{ ".oci.tar", CRIMG_FMT_OCI_ARCHIVE }, { ".tar", CRIMG_FMT_TAR },
		{ ".tar.gz", CRIMG_FMT_TAR_GZ },       { ".tgz", CRIMG_FMT_TAR_GZ },
		{ ".tar.zst", CRIMG_FMT_TAR_ZST },     { ".tzst", CRIMG_FMT_TAR_ZST },
		{ ".json", CRIMG_FMT_JSON },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (ends_with(path, tab[i].suffix))
			return tab[i].f;
	return CRIMG_FMT_DIR;
}

static int is_file_at(int dfd, const char *name)
{
	struct stat st;
	return fstatat(dfd, name, &st, 0) == 0 && S_ISREG(st.st_mode);
}

int crimg_format_detect(const char *path, enum crimg_format *f, struct crimg_error *err)
{
	*f = CRIMG_FMT_UNKNOWN;
	struct stat st;
	if (stat(path, &st) < 0)
		return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
		if (crimg_oci_detect(path) == 1)
			*f = CRIMG_FMT_OCI;
		else if (is_file_at(fd, CRIMG_JSONDIR_MANIFEST))
			*f = CRIMG_FMT_JSON_DIR;
		else
			*f = CRIMG_FMT_DIR;
		close(fd);
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return crimg_fail(err, path, -1, -1, "not a file or directory");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	uint8_t h[512];
	ssize_t n = pread(fd, h, sizeof(h), 0);
	int e = errno;
	close(fd);
	if (n < 0)
		return crimg_fail(err, path, -1, -1, "%s", strerror(e));
	size_t i = 0;
	while (i < (size_t)n && (h[i] == ' ' || h[i] == '\t' || h[i] == '\n' || h[i] == '\r'))
		i++;
	if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
		*f = CRIMG_FMT_TAR_GZ;
	else if (n >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd)
		*f = CRIMG_FMT_TAR_ZST;
	else if (n >= 262 && memcmp(h + 257, "ustar", 5) == 0)
		*f = CRIMG_FMT_TAR;
	/* an OCI layout in a tar (skopeo's oci-archive; compressed ones too) */
	if ((*f == CRIMG_FMT_TAR || *f == CRIMG_FMT_TAR_GZ || *f == CRIMG_FMT_TAR_ZST) &&
	    crimg_oci_detect(path) == 2)
		*f = CRIMG_FMT_OCI_ARCHIVE;
	if (*f == CRIMG_FMT_UNKNOWN && i < (size_t)n && h[i] == '{')
		*f = CRIMG_FMT_JSON;
	if (*f != CRIMG_FMT_UNKNOWN)
		return 0;
	if (n == 0)
		return crimg_fail(err, path, 0, -1,
				  "empty file: not a checkpoint archive or bundle");
	return crimg_fail(err, path, 0, -1,
			  "not a checkpoint archive or bundle: starts with %02x %02x %02x %02x, "
			  "neither tar, gzip, zstd nor JSON",
			  h[0], n > 1 ? h[1] : 0, n > 2 ? h[2] : 0, n > 3 ? h[3] : 0);
}
