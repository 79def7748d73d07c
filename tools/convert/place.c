/*
 * Temporary paths beside the destination and the final move into place.
 * Everything crit-convert writes goes to a temporary name in DST's
 * directory (same filesystem: the last step is a rename), and every such
 * name is removed when the run ends, however it ends: at exit, or from the
 * signal handler, which can only use system calls (no malloc, no stdio),
 * so it removes trees with getdents64 and unlinkat.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "convert.h"
#include "util.h"

#define MAX_TEMPS 8

/* written before a signal can look at them; read by the handler only */
static char *volatile temps[MAX_TEMPS];

/* ---- removal with system calls only ---- */

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void raw_remove_in(int dfd, int depth)
{
	char buf[4096];
	if (depth > 64)
		return;
	fchmod(dfd, 0700);
	for (;;) {
		long n = syscall(SYS_getdents64, dfd, buf, sizeof(buf));
		if (n <= 0)
			return;
		int removed = 0;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			off += d->d_reclen;
			const char *nm = d->d_name;
			if (nm[0] == '.' && (nm[1] == '\0' || (nm[1] == '.' && nm[2] == '\0')))
				continue;
			if (unlinkat(dfd, nm, 0) == 0) {
				removed = 1;
				continue;
			}
			int sub = openat(dfd, nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				raw_remove_in(sub, depth + 1);
				close(sub);
			}
			if (unlinkat(dfd, nm, AT_REMOVEDIR) == 0)
				removed = 1;
		}
		/* entries went away under the directory offset: read it again from the start */
		if (removed)
			lseek(dfd, 0, SEEK_SET);
	}
}

static void raw_remove(const char *path)
{
	if (unlink(path) == 0)
		return;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		raw_remove_in(fd, 0);
		close(fd);
	}
	rmdir(path);
}

static void on_signal(int sig)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (temps[i])
			raw_remove(temps[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void at_exit(void)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (temps[i]) {
			char *p = temps[i];
			temps[i] = NULL;
			raw_remove(p);
			free(p);
		}
}

int cleanup_init(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return atexit(at_exit);
}

static int remember(char *path)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (!temps[i]) {
			temps[i] = path;
			return 0;
		}
	return -1;
}

static void forget(const char *path)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (temps[i] == path)
			temps[i] = NULL;
}

/* "DIR/.BASE.crimg-TAG-XXXXXX" for dst */
static char *temp_name(const char *dst, const char *tag)
{
	char *d = strdup(dst), *b = strdup(dst);
	char *out = NULL;
	if (d && b) {
		/* "out/" names the directory "out" */
		size_t n = strlen(b);
		while (n > 1 && b[n - 1] == '/')
			b[--n] = '\0';
		n = strlen(d);
		while (n > 1 && d[n - 1] == '/')
			d[--n] = '\0';
		const char *dir = dirname(d), *base = basename(b);
		size_t len = strlen(dir) + strlen(base) + strlen(tag) + 24;
		if ((out = malloc(len)))
			snprintf(out, len, "%s/.%s.crimg-%s-XXXXXX", dir, base, tag);
	}
	free(d);
	free(b);
	if (!out)
		error("out of memory");
	return out;
}

char *make_temp_dir(const char *dst, const char *tag)
{
	char *p = temp_name(dst, tag);
	if (!p)
		return NULL;
	/* blocked signals: the handler must never see a half-registered path */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	int ok = mkdtemp(p) != NULL, e = errno;
	if (ok && remember(p) < 0) {
		rmdir(p);
		ok = 0;
		e = EMFILE;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (!ok) {
		char *slash = strrchr(p, '/');
		slash[1] = '\0';
		error("%s: cannot make a temporary directory in %s: %s", dst, p, strerror(e));
		free(p);
		return NULL;
	}
	return p;
}

struct crimg_outfile *output_open(const char *dst, unsigned flags, char **tracked,
				  struct crimg_error *err)
{
	/* a file's temporary name is registered before a signal can come;
	 * a FIFO may wait for its reader, interruptible (it has none) */
	struct crimg_outpath p;
	int block = crimg_outpath_resolve(dst, flags, &p, err) == 0 &&
		p.type != CRIMG_OUTPATH_DIRECT;
	crimg_outpath_release(&p);
	sigset_t all, old;
	sigfillset(&all);
	if (block)
		sigprocmask(SIG_BLOCK, &all, &old);
	struct crimg_outfile *f = crimg_outfile_open(dst, flags, err);
	*tracked = NULL;
	if (f && crimg_outfile_temp(f) &&
	    (!(*tracked = strdup(crimg_outfile_temp(f))) || remember(*tracked) < 0)) {
		crimg_outfile_abort(f);
		free(*tracked);
		*tracked = NULL;
		f = NULL;
		crimg_error_clear(err);
		snprintf(err->file, sizeof(err->file), "%s", dst);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
	}
	if (block)
		sigprocmask(SIG_SETMASK, &old, NULL);
	return f;
}

int output_close(struct crimg_outfile *f, char *tracked, int commit, struct crimg_error *err)
{
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	int rc = 0;
	if (commit)
		rc = crimg_outfile_commit(f, err);
	else
		crimg_outfile_abort(f);
	forget(tracked);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(tracked);
	return rc;
}

void temp_remove(char *path)
{
	if (!path)
		return;
	struct crimg_error err;
	crimg_error_clear(&err);
	if (crimg_tree_remove(path, &err) < 0)
		error_crimg(&err);
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	forget(path);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(path);
}

static int fsync_parent(const char *dst)
{
	char *d = strdup(dst);
	if (!d)
		return error("out of memory");
	int fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(d);
	if (fd < 0)
		return 0;
	fsync(fd);
	close(fd);
	return 0;
}

int place(const char *tmp, const char *dst, int force)
{
	struct stat st;
	if (lstat(tmp, &st) < 0)
		return error("%s: %s", tmp, strerror(errno));
	/* a directory result: flush its whole filesystem (files and all) */
	int fd = open(tmp, O_RDONLY | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
	if (fd < 0)
		return error("%s: %s", tmp, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		/* made 0700 by mkdtemp; the result gets the usual mode of a new directory */
		mode_t um = umask(0);
		umask(um);
		fchmod(fd, 0777 & ~um);
	}
	int rc = S_ISDIR(st.st_mode) ? syncfs(fd) : fsync(fd);
	close(fd);
	if (rc < 0)
		return error("%s: cannot flush to disk: %s", dst, strerror(errno));
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_NOREPLACE) == 0)
		return fsync_parent(dst);
	if (errno == EINVAL && lstat(dst, &st) < 0 && errno == ENOENT) {
		/* a filesystem without RENAME_NOREPLACE; DST was checked */
		if (rename(tmp, dst) == 0)
			return fsync_parent(dst);
		return error("%s: cannot move the result into place: %s", dst, strerror(errno));
	}
	if (errno == EINVAL)
		errno = EEXIST;
	if (errno != EEXIST)
		return error("%s: cannot move the result into place: %s", dst, strerror(errno));
	if (!force)
		return error("%s: exists (use --force to replace it)", dst);
	/* swap: the old DST goes to the temporary name, removed at the end */
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dst, RENAME_EXCHANGE) < 0)
		return error("%s: cannot replace it: %s", dst, strerror(errno));
	fsync_parent(dst);
	return 0;
}
