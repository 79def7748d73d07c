/*
 * Output files: what a path given for output names decides how it is
 * written (the rules are in crimg/image.h, "output files").  Every named
 * output of the library and the tools comes through here, so that a
 * device node, a FIFO, a symbolic link or a file's owner is treated the
 * same way by every command.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

/* as the kernel: more links than this in a row is a loop */
#define MAX_LINKS 40

struct crimg_outfile {
	char *name;   /* as given, "stdout" for "-" */
	char *target; /* the file the temporary replaces; NULL when direct */
	char *tmp;    /* NULL when direct */
	int fd;
	int own_fd; /* closed on commit (not standard output) */
	int replaces;
	int excl; /* CRIMG_OUTFILE_EXCL */
};

/* ---- path pieces ---- */

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* "a/b/" for "a/b/c", "/" for "/c", "./" for "c" */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? dup_n(path, (size_t)(slash - path + 1)) : dup_n("./", 2);
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* A symbolic link's target, read relative to the link's directory. */
static char *join_link(const char *link, const char *target)
{
	if (target[0] == '/')
		return dup_n(target, strlen(target));
	const char *slash = strrchr(link, '/');
	size_t dl = slash ? (size_t)(slash - link + 1) : 0, tl = strlen(target);
	char *p = malloc(dl + tl + 1);
	if (p) {
		memcpy(p, link, dl);
		memcpy(p + dl, target, tl + 1);
	}
	return p;
}

static const char *what_is(mode_t m)
{
	if (S_ISREG(m))
		return "a regular file";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a file";
}

/*
 * Whether link is /proc/PID/fd/N (or .../task/TID/fd/N): a "magic" link
 * that stands for an open file rather than a name.  *fd is N, *ours whether
 * PID is this process (whose descriptors /dev/stdout and /dev/fd/N name).
 * -1 when out of memory (taken for a plain link, it would be followed to
 * another place).
 */
static int proc_fd_link(const char *link, int *fd, int *ours)
{
	const char *base = base_of(link);
	if (!*base || strspn(base, "0123456789") != strlen(base) || strlen(base) > 9)
		return 0;
	char *dir = base == link ? dup_n(".", 1) : dup_n(link, (size_t)(base - link));
	struct statfs sf;
	char *real = NULL;
	int magic = 0;
	if (!dir)
		return -1;
	if (statfs(dir, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC &&
	    !(real = realpath(dir, NULL)) && errno == ENOMEM)
		magic = -1;
	if (real) {
		/* "/proc/PID/fd" or "/proc/PID/task/TID/fd", wherever proc is mounted */
		size_t n = strlen(real);
		if (n > 3 && !strcmp(real + n - 3, "/fd")) {
			real[n - 3] = '\0';
			char *task = strstr(real, "/task/");
			if (task)
				*task = '\0';
			const char *pid = base_of(real);
			magic = 1;
			*ours = *pid && strspn(pid, "0123456789") == strlen(pid) &&
				strtol(pid, NULL, 10) == (long)getpid();
			*fd = (int)strtol(base, NULL, 10);
		}
	}
	free(real);
	free(dir);
	return magic;
}

/* ---- what a path names ---- */

struct resolved {
	enum crimg_outpath_type type;
	char *target; /* see struct crimg_outpath */
	const char *what;
	struct stat st; /* FILE, DIR and DIRECT by name: what is there */
	int fd;         /* DIRECT through a descriptor of ours: it, else -1 */
};

static int resolve(const char *path, unsigned flags, struct resolved *r, struct crimg_error *err)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (!strcmp(path, "-")) {
		r->type = CRIMG_OUTPATH_DIRECT;
		r->what = "standard output";
		r->fd = STDOUT_FILENO;
		return 0;
	}
	if (!*path)
		return crimg_fail(err, NULL, -1, -1, "an empty output file name");
	char *cur = dup_n(path, strlen(path));
	char link[PATH_MAX + 1];
	for (int hops = 0; cur; hops++) {
		if (lstat(cur, &r->st) < 0) {
			int e = errno;
			if (e != ENOENT) {
				free(cur);
				return crimg_fail(err, path, -1, -1, "%s", strerror(e));
			}
			if (cur[strlen(cur) - 1] == '/') {
				free(cur);
				return crimg_fail(err, path, -1, -1,
						  "a file name, not a directory name, is needed here");
			}
			r->type = CRIMG_OUTPATH_NONE;
			r->what = "a new file";
			r->target = cur;
			return 0;
		}
		if (S_ISLNK(r->st.st_mode) && !(flags & CRIMG_OUTFILE_NOFOLLOW)) {
			if (hops >= MAX_LINKS) {
				free(cur);
				return crimg_fail(err, path, -1, -1, "%s", strerror(ELOOP));
			}
			int n, ours = 0;
			int magic = proc_fd_link(cur, &n, &ours);
			if (magic < 0) {
				free(cur);
				return crimg_fail(err, path, -1, -1, "out of memory");
			}
			if (magic) {
				int fl = ours ? fcntl(n, F_GETFL) : -1;
				if (fl >= 0 && (fl & O_ACCMODE) != O_RDONLY) {
					/* a descriptor of ours open for writing: write
					 * to it, as to "-" (a file keeps its offset and
					 * O_APPEND, nothing is truncated or renamed) */
					free(cur);
					r->type = CRIMG_OUTPATH_DIRECT;
					r->what = n == STDOUT_FILENO ? "standard output"
								     : "a descriptor";
					r->fd = n;
					return 0;
				}
				struct stat st;
				if (stat(cur, &st) < 0) {
					int e = errno;
					free(cur);
					return crimg_fail(err, path, -1, -1, "%s", strerror(e));
				}
				if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
					/* a pipe, a terminal, a socket: only the kernel
					 * can open it, through the link */
					r->st = st;
					break;
				}
				/* a file or directory: its name, when it still has
				 * that name (else it would be made anew elsewhere) */
				ssize_t k = readlink(cur, link, sizeof(link) - 1);
				struct stat by_name;
				if (k > 0) {
					link[k] = '\0';
				}
				if (k <= 0 || (size_t)k >= sizeof(link) - 1 || link[0] != '/' ||
				    stat(link, &by_name) < 0 || by_name.st_dev != st.st_dev ||
				    by_name.st_ino != st.st_ino) {
					free(cur);
					return crimg_fail(err, path, -1, -1,
							  "names an open file that cannot be "
							  "reached by a name (deleted?)");
				}
			} else {
				ssize_t k = readlink(cur, link, sizeof(link) - 1);
				if (k < 0 || (size_t)k >= sizeof(link) - 1) {
					int e = k < 0 ? errno : ENAMETOOLONG;
					free(cur);
					return crimg_fail(err, path, -1, -1, "%s", strerror(e));
				}
				link[k] = '\0';
			}
			char *next = join_link(cur, link);
			free(cur);
			cur = next;
			continue;
		}
		break;
	}
	if (!cur)
		return crimg_fail(err, path, -1, -1, "out of memory");
	mode_t m = r->st.st_mode;
	r->target = cur;
	r->what = what_is(m);
	if (S_ISREG(m) || S_ISLNK(m)) {
		r->type = CRIMG_OUTPATH_FILE;
	} else if (S_ISDIR(m)) {
		r->type = CRIMG_OUTPATH_DIR;
	} else if (!S_ISBLK(m)) {
		/* character devices, FIFOs, sockets (and what only a /proc
		 * link leads to: pipes, anonymous inodes) */
		r->type = CRIMG_OUTPATH_DIRECT;
	} else {
		free(cur);
		r->target = NULL;
		return crimg_fail(err, path, -1, -1,
				  "is a block device: not written (only files, FIFOs, character "
				  "devices and sockets are)");
	}
	return 0;
}

int crimg_outpath_resolve(const char *path, unsigned flags, struct crimg_outpath *p,
			  struct crimg_error *err)
{
	struct resolved r;
	memset(p, 0, sizeof(*p));
	if (resolve(path, flags, &r, err) < 0)
		return -1;
	p->type = r.type;
	p->target = r.target;
	p->what = r.what;
	return 0;
}

void crimg_outpath_release(struct crimg_outpath *p)
{
	free(p->target);
	p->target = NULL;
}

/* ---- temporary files renamed into place ---- */

/* Six characters for a temporary name; O_EXCL makes the name ours, these
 * only make a clash unlikely. */
static void random_suffix(char out[7], unsigned attempt)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	uint64_t v;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		v = (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32 ^
			(uint64_t)attempt * 0x9e3779b97f4a7c15u;
	}
	for (int i = 0; i < 6; i++, v /= 62)
		out[i] = set[v % 62];
	out[6] = '\0';
}

int crimg_tmpfile_new(const char *target, mode_t mode, char **tmp, const char *errname,
		      struct crimg_error *err)
{
	char *dir = dir_of(target);
	const char *base = base_of(target);
	/* ".NAME.tmp-XXXXXX" must stay a valid file name */
	int bl = (int)strlen(base) > 200 ? 200 : (int)strlen(base);
	size_t n = dir ? strlen(dir) + (size_t)bl + 16 : 0;
	char *p = dir ? malloc(n) : NULL;
	if (!p) {
		free(dir);
		return crimg_fail(err, errname, -1, -1, "out of memory");
	}
	int fd = -1, e = EEXIST;
	for (unsigned k = 0; k < 100 && fd < 0 && e == EEXIST; k++) {
		char sfx[7];
		random_suffix(sfx, k);
		snprintf(p, n, "%s.%.*s.tmp-%s", dir, bl, base, sfx);
		fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		e = errno;
	}
	if (fd < 0) {
		crimg_fail(err, errname, -1, -1, "cannot create a temporary file in %s: %s", dir,
			   strerror(e));
		free(dir);
		free(p);
		return -1;
	}
	free(dir);
	*tmp = p;
	return fd;
}

/* After a rename: the directory entry reaches the disk too, so that a
 * crash after "done" cannot bring the old file back (best effort: some
 * file systems refuse to sync a directory). */
static void sync_dir_of(const char *path)
{
	char *d = dir_of(path);
	int fd = d ? open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	free(d);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* rename(), but never over an existing name */
static int rename_new(const char *tmp, const char *target)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, target, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	/* a file system without RENAME_NOREPLACE: a hard link is just as
	 * exclusive */
	if (link(tmp, target) < 0)
		return -1;
	unlink(tmp);
	return 0;
}

static int place(int fd, const char *tmp, const char *target, int excl, const char *errname,
		 struct crimg_error *err)
{
	int rc = 0;
	if (fsync(fd) < 0)
		rc = crimg_fail(err, errname, -1, -1, "%s", strerror(errno));
	if (close(fd) < 0 && rc == 0)
		rc = crimg_fail(err, errname, -1, -1, "%s", strerror(errno));
	if (rc == 0 && (excl ? rename_new(tmp, target) : rename(tmp, target)) < 0) {
		if (excl && errno == EEXIST)
			rc = crimg_fail(err, errname, -1, -1,
					"exists (it appeared while the output was written)");
		else
			rc = crimg_fail(err, errname, -1, -1, "cannot rename %s over it: %s", tmp,
					strerror(errno));
	}
	if (rc < 0)
		unlink(tmp);
	else
		sync_dir_of(target);
	return rc;
}

int crimg_tmpfile_place(int fd, const char *tmp, const char *target, const char *errname,
			struct crimg_error *err)
{
	return place(fd, tmp, target, 0, errname, err);
}

/* ---- the output file ---- */

static void outfile_free(struct crimg_outfile *f)
{
	free(f->name);
	free(f->target);
	free(f->tmp);
	free(f);
}

/* An existing file's owner, group and mode for its replacement, as far as
 * we may give them (see image.h). */
static int keep_attrs(int fd, const struct stat *st, const char *name, struct crimg_error *err)
{
	mode_t mode = st->st_mode & 07777;
	if (fchown(fd, st->st_uid, st->st_gid) < 0) {
		mode &= ~(mode_t)S_ISUID;
		/* another group than the file's gets what everybody else
		 * gets: never what was granted to the file's own group */
		if (fchown(fd, (uid_t)-1, st->st_gid) < 0)
			mode = (mode & ~(mode_t)(S_ISGID | S_IRWXG)) | (mode & S_IRWXO) << 3;
	}
	/* after fchown, which clears set-user-ID and set-group-ID */
	if (fchmod(fd, mode) < 0)
		return crimg_fail(err, name, -1, -1, "cannot give the new file the mode %04o: %s",
				  (unsigned)mode, strerror(errno));
	return 0;
}

/* Connects to a unix socket as a stream (a long name through its O_PATH
 * descriptor's /proc name). */
static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int pfd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		pfd = open(path, O_PATH | O_CLOEXEC);
		if (pfd < 0)
			return -1;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", pfd);
	} else {
		memcpy(sa.sun_path, path, strlen(path) + 1);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		fd = -1;
		errno = e;
	}
	if (pfd >= 0) {
		int e = errno;
		close(pfd);
		errno = e;
	}
	return fd;
}

static int open_direct(struct crimg_outfile *f, struct resolved *r, const char *path,
		       struct crimg_error *err)
{
	if (r->fd >= 0) {
		f->fd = r->fd;
		if (r->fd != STDOUT_FILENO) {
			/* ours to close, the descriptor stays the caller's */
			f->fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 3);
			f->own_fd = 1;
			if (f->fd < 0)
				return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
		}
		return 0;
	}
	if (S_ISSOCK(r->st.st_mode)) {
		f->fd = connect_unix(r->target);
		if (f->fd < 0)
			return crimg_fail(err, path, -1, -1, "cannot connect to the socket: %s",
					  strerror(errno));
		f->own_fd = 1;
		return 0;
	}
	/* no O_CREAT (nothing is made), no O_TRUNC (a device has nothing to
	 * truncate); a FIFO waits here for its reader */
	f->fd = open(r->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (f->fd < 0)
		return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	f->own_fd = 1;
	struct stat st;
	if (fstat(f->fd, &st) < 0)
		return crimg_fail(err, path, -1, -1, "%s", strerror(errno));
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode))
		/* replaced by something else between the look and the open */
		return crimg_fail(err, path, -1, -1, "changed while it was opened: now %s",
				  what_is(st.st_mode));
	return 0;
}

struct crimg_outfile *crimg_outfile_open(const char *path, unsigned flags, struct crimg_error *err)
{
	struct resolved r;
	if (resolve(path, flags, &r, err) < 0)
		return NULL;
	struct crimg_outfile *f = calloc(1, sizeof(*f));
	if (f)
		f->name = strcmp(path, "-") ? strdup(path) : strdup("stdout");
	if (!f || !f->name) {
		free(f);
		free(r.target);
		crimg_fail(err, path, -1, -1, "out of memory");
		return NULL;
	}
	f->fd = -1;
	f->excl = !!(flags & CRIMG_OUTFILE_EXCL);
	int rc = 0;
	switch (r.type) {
	case CRIMG_OUTPATH_DIR:
		rc = crimg_fail(err, path, -1, -1, "is a directory: a file name is needed here");
		break;
	case CRIMG_OUTPATH_DIRECT:
		rc = open_direct(f, &r, path, err);
		if (rc == 0 && (flags & CRIMG_OUTFILE_NOTTY) && isatty(f->fd))
			rc = crimg_fail(err, f->name, -1, -1,
					"is a terminal: binary output is not written to one "
					"(redirect it, or name a file)");
		break;
	case CRIMG_OUTPATH_FILE:
		if (flags & CRIMG_OUTFILE_EXCL) {
			rc = crimg_fail(err, path, -1, -1, "exists");
			break;
		}
		/* fall through */
	default:
		/* an existing file's data is never readable by others before it
		 * has the file's own mode: made 0600 and changed before writing */
		f->replaces = r.type == CRIMG_OUTPATH_FILE && S_ISREG(r.st.st_mode);
		f->fd = crimg_tmpfile_new(r.target, f->replaces ? 0600 : 0666, &f->tmp, path, err);
		if (f->fd < 0)
			rc = -1;
		else if (f->replaces)
			rc = keep_attrs(f->fd, &r.st, path, err);
		f->target = r.target;
		r.target = NULL;
		break;
	}
	free(r.target);
	if (rc < 0) {
		crimg_outfile_abort(f);
		return NULL;
	}
	return f;
}

int crimg_outfile_fd(const struct crimg_outfile *f)
{
	return f->fd;
}

const char *crimg_outfile_name(const struct crimg_outfile *f)
{
	return f->name;
}

const char *crimg_outfile_temp(const struct crimg_outfile *f)
{
	return f->tmp;
}

int crimg_outfile_replaces(const struct crimg_outfile *f)
{
	return f->replaces;
}

int crimg_outfile_copy_attrs(struct crimg_outfile *f, int from_fd, struct crimg_error *err)
{
	struct stat st;
	if (!f->tmp)
		return 0;
	if (fstat(from_fd, &st) < 0)
		return crimg_fail(err, f->name, -1, -1, "%s", strerror(errno));
	return keep_attrs(f->fd, &st, f->name, err);
}

int crimg_outfile_commit(struct crimg_outfile *f, struct crimg_error *err)
{
	int rc = 0;
	if (f->tmp) {
		rc = place(f->fd, f->tmp, f->target, f->excl, f->name, err);
	} else if (f->own_fd && close(f->fd) < 0) {
		/* written directly: every write was checked as it was made;
		 * whoever reads a device, FIFO or socket decides about
		 * durability, as with standard output */
		rc = crimg_fail(err, f->name, -1, -1, "%s", strerror(errno));
	}
	outfile_free(f);
	return rc;
}

void crimg_outfile_abort(struct crimg_outfile *f)
{
	if (!f)
		return;
	if (f->fd >= 0 && (f->own_fd || f->tmp))
		close(f->fd);
	if (f->tmp)
		unlink(f->tmp);
	outfile_free(f);
}
