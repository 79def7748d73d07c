/*
 * libarchive, loaded when an archive is opened.  Linking it would load it
 * (and libxml2, ICU, nettle, ... that it pulls in) into every crit run:
 * several milliseconds per process, most of crit's start-up, for a library
 * only archives need.  The write side is used by the tar writer only.
 *
 * Two calls are avoided for what they do when memory runs out (libarchive
 * 3.6): archive_read_next_header hands out an entry archive_read_new never
 * checked it could allocate (readers here bring their own, to
 * archive_read_next_header2), and archive_read_open2 ignores a failure to
 * keep its callback data (archive_read_open1 then crashes: source.c sets
 * the callbacks one by one and checks).
 */
#ifndef CRIMG_LARCHIVE_H
#define CRIMG_LARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "base/base.h"

#define CRIMG_LA_FUNCS(X)                                                                          \
	X(struct archive *, archive_read_new, (void))                                              \
	X(int, archive_read_support_filter_gzip, (struct archive *))                               \
	X(int, archive_read_support_filter_zstd, (struct archive *))                               \
	X(int, archive_read_support_filter_none, (struct archive *))                               \
	X(int, archive_read_support_format_tar, (struct archive *))                                \
	X(int, archive_read_support_format_raw, (struct archive *)) /* OCI diff_ids */             \
	X(int, archive_read_open_filename, (struct archive *, const char *, size_t))               \
	X(int, archive_read_data_block, (struct archive *, const void **, size_t *, la_int64_t *)) \
	X(int, archive_read_next_header2, (struct archive *, struct archive_entry *))              \
	X(int, archive_read_set_callback_data, (struct archive *, void *))                         \
	X(int, archive_read_set_read_callback, (struct archive *, archive_read_callback *))        \
	X(int, archive_read_set_skip_callback, (struct archive *, archive_skip_callback *))        \
	X(int, archive_read_open1, (struct archive *))                                             \
	X(la_ssize_t, archive_read_data, (struct archive *, void *, size_t))                       \
	X(int, archive_read_data_into_fd, (struct archive *, int))                                 \
	X(int, archive_read_free, (struct archive *))                                              \
	X(const char *, archive_error_string, (struct archive *))                                  \
	X(int, archive_errno, (struct archive *))                                                  \
	X(la_int64_t, archive_filter_bytes, (struct archive *, int))                               \
	X(int, archive_filter_code, (struct archive *, int))                                       \
	X(const char *, archive_entry_pathname, (struct archive_entry *))                          \
	X(const char *, archive_entry_hardlink, (struct archive_entry *))                          \
	X(const char *, archive_entry_symlink, (struct archive_entry *))                           \
	X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry *))                           \
	X(la_int64_t, archive_entry_size, (struct archive_entry *))                                \
	X(int, archive_entry_size_is_set, (struct archive_entry *))                                \
	X(int, archive_entry_sparse_count, (struct archive_entry *))                               \
	X(time_t, archive_entry_mtime, (struct archive_entry *))                                   \
	X(int, archive_entry_mtime_is_set, (struct archive_entry *))                               \
	X(__LA_MODE_T, archive_entry_perm, (struct archive_entry *))                               \
	CRIMG_LA_WRITE_FUNCS(X)

/* The write side: the tar writer (tar_write.c). */
#define CRIMG_LA_WRITE_FUNCS(X)                                                         \
	X(struct archive *, archive_write_new, (void))                                  \
	X(int, archive_write_add_filter_gzip, (struct archive *))                       \
	X(int, archive_write_add_filter_zstd, (struct archive *))                       \
	X(int, archive_write_add_filter_none, (struct archive *))                       \
	X(int, archive_write_set_filter_option,                                         \
	  (struct archive *, const char *, const char *, const char *))                 \
	X(int, archive_write_set_format_pax_restricted, (struct archive *))             \
	X(int, archive_write_set_bytes_per_block, (struct archive *, int))              \
	X(int, archive_write_set_bytes_in_last_block, (struct archive *, int))          \
	X(int, archive_write_open_fd, (struct archive *, int))                          \
	X(int, archive_write_open,                                                      \
	  (struct archive *, void *, archive_open_callback *, archive_write_callback *, \
	   archive_close_callback *))                                                   \
	X(int, archive_write_header, (struct archive *, struct archive_entry *))        \
	X(la_ssize_t, archive_write_data, (struct archive *, const void *, size_t))     \
	X(int, archive_write_finish_entry, (struct archive *))                          \
	X(int, archive_write_close, (struct archive *))                                 \
	X(int, archive_write_free, (struct archive *))                                  \
	X(struct archive_entry *, archive_entry_new, (void))                            \
	X(void, archive_entry_free, (struct archive_entry *))                           \
	X(struct archive_entry *, archive_entry_clear, (struct archive_entry *))        \
	X(void, archive_entry_set_pathname, (struct archive_entry *, const char *))     \
	X(void, archive_entry_set_filetype, (struct archive_entry *, unsigned int))     \
	X(void, archive_entry_set_perm, (struct archive_entry *, __LA_MODE_T))          \
	X(void, archive_entry_set_size, (struct archive_entry *, la_int64_t))           \
	X(void, archive_entry_set_mtime, (struct archive_entry *, time_t, long))        \
	X(void, archive_entry_set_symlink, (struct archive_entry *, const char *))

struct crimg_la {
	void *handle;
#define X(ret, name, args) ret(*name) args;
	CRIMG_LA_FUNCS(X)
#undef X
};

/* Loads libarchive into la (caller-owned); -1 with err filled if absent. */
int crimg_la_open(struct crimg_la *la, struct crimg_error *err);
void crimg_la_close(struct crimg_la *la);

#endif
