/* Archives built from the member container with libarchive's writer. */
#include <archive.h>
#include <archive_entry.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

int fz_make_archive(const char *path, const struct fz_member *m, size_t n, unsigned fmt)
{
	struct archive *a = archive_write_new();
	if (!a)
		return -1;
	switch (fmt >> 2 & 3) {
	case 1:
		archive_write_set_format_pax_restricted(a);
		break;
	case 2:
		archive_write_set_format_gnutar(a);
		break;
	default:
		archive_write_set_format_ustar(a);
	}
	switch (fmt & 3) {
	case 0:
		archive_write_add_filter_none(a);
		break;
	case 2:
		archive_write_add_filter_zstd(a);
		break;
	default:
		archive_write_add_filter_gzip(a);
	}
	int rc = -1;
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		char target[256];
		size_t tl = m[i].len < sizeof(target) - 1 ? m[i].len : sizeof(target) - 1;
		memcpy(target, m[i].data, tl);
		target[tl] = '\0';
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_mtime(e, 1700000000, 0);
		switch (m[i].type) {
		case FZ_REG:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_size(e, (la_int64_t)m[i].len);
			break;
		case FZ_DIR:
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			break;
		case FZ_SYMLINK:
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, target);
			break;
		case FZ_HARDLINK:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_hardlink(e, target);
			archive_entry_set_size(e, 0);
			break;
		}
		/* a name the format cannot hold is skipped, not a failure */
		if (archive_write_header(a, e) == ARCHIVE_OK && m[i].type == FZ_REG && m[i].len)
			archive_write_data(a, m[i].data, m[i].len);
		archive_entry_free(e);
	}
	rc = archive_write_close(a) == ARCHIVE_OK ? 0 : -1;
out:
	archive_write_free(a);
	return rc;
}
