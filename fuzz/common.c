/* Scratch directories, the member container and its trees (see fuzz.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

const char *const fz_names[64] = {
	"inventory.img",
	"pstree.img",
	"core-1.img",
	"core-2.img",
	"mm-1.img",
	"mm-2.img",
	"pagemap-1.img",
	"pagemap-2.img",
	"pages-1.img",
	"pages-2.img",
	"ids-1.img",
	"ids-2.img",
	"fdinfo-2.img",
	"fdinfo-3.img",
	"files.img",
	"fs-1.img",
	"fs-2.img",
	"reg-files.img",
	"pipes.img",
	"pipes-data.img",
	"unixsk.img",
	"inetsk.img",
	"eventfd.img",
	"eventpoll.img",
	"eventpoll-tfd.img",
	"inotify.img",
	"inotify-wd.img",
	"signalfd.img",
	"tty-info.img",
	"tty.img",
	"mountpoints-12.img",
	"cgroup.img",
	"utsns-11.img",
	"stats-dump",
	"pagemap-shmem-1.img",
	"memfd.img",
	"ghost-file-1.img",
	"remap-fpath.img",
	"timerfd.img",
	"seccomp.img",
	"sigacts-1.img",
	"netns-10.img",
	"tcp-stream-1.img",
	"fifo.img",
	"fifo-data.img",
	"packetsk.img",
	"netlinksk.img",
	"ns-files.img",
	"bpfmap-file.img",
	"pidns-1.img",
	"core-3.img",
	"ipcns-shm-1.img",
	"parent",
	"config.dump",
	"spec.dump",
	"network.status",
	"checkpoint/inventory.img",
	"checkpoint/pstree.img",
	"checkpoint/core-1.img",
	"checkpoint/mm-1.img",
	"checkpoint/pagemap-1.img",
	"checkpoint/pages-1.img",
	"pages-shmem-1.img",
	"irmap-cache",
};

int fz_name_index(const char *name)
{
	for (int i = 0; i < 64; i++)
		if (strcmp(fz_names[i], name) == 0)
			return i;
	return -1;
}

void fz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "fuzz: %s:%d: assertion failed: %s\n", file, line, what);
	abort();
}

void fz_check_err(const struct crimg_error *e)
{
	static int verbose = -1;
	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (verbose) {
		char b[1400];
		fprintf(stderr, "fuzz: rejected: %s\n", crimg_error_str(e, b, sizeof(b)));
	}
	/* every failure says what went wrong */
	FZ_ASSERT(e->msg[0] != '\0');
	FZ_ASSERT(memchr(e->msg, '\0', sizeof(e->msg)) != NULL);
}

static char scratch[PATH_MAX];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

void fz_rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void rm_scratch(void)
{
	if (scratch[0])
		fz_rm_tree(scratch);
}

const char *fz_scratch(void)
{
	if (!scratch[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(scratch, sizeof(scratch), "%s/crimg-fuzz.XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(scratch)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(rm_scratch);
	}
	return scratch;
}

int fz_write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	const uint8_t *b = p;
	while (n) {
		ssize_t k = write(fd, b, n);
		if (k <= 0) {
			close(fd);
			return -1;
		}
		b += k;
		n -= (size_t)k;
	}
	return close(fd);
}

size_t fz_members(const uint8_t *d, size_t n, struct fz_member *m, size_t max)
{
	size_t k = 0;
	while (n >= 1 && k < max) {
		unsigned sel = d[0];
		size_t len;
		if (n >= 3) {
			len = (size_t)d[1] | (size_t)d[2] << 8;
			d += 3, n -= 3;
		} else {
			d += 1, n -= 1;
			len = n;
		}
		if (len > n)
			len = n;
		struct fz_member *x = &m[k];
		memset(x, 0, sizeof(*x));
		x->data = d;
		x->len = len;
		switch (sel >> 6) {
		case 0:
			x->type = FZ_REG;
			snprintf(x->name, sizeof(x->name), "%s", fz_names[sel & 63]);
			break;
		case 1:
			x->type = FZ_REG;
			snprintf(x->name, sizeof(x->name), "p/%s", fz_names[sel & 63]);
			break;
		case 2:
			x->type = FZ_SYMLINK;
			snprintf(x->name, sizeof(x->name), "%s", fz_names[sel & 63]);
			break;
		default: {
			const uint8_t *z = memchr(d, '\0', len);
			size_t nl = z ? (size_t)(z - d) : len;
			if (nl >= sizeof(x->name))
				nl = sizeof(x->name) - 1;
			memcpy(x->name, d, nl);
			x->name[nl] = '\0';
			size_t skip = z ? (size_t)(z - d) + 1 : len;
			x->data = d + skip;
			x->len = len - skip;
			x->type = sel & 1 ? FZ_DIR : FZ_REG;
			if (x->len >= 6 && memcmp(x->data, "\0link:", 6) == 0) {
				x->type = FZ_HARDLINK;
				x->data += 6;
				x->len -= 6;
			}
		}
		}
		if (x->name[0])
			k++;
		d += len, n -= len;
	}
	return k;
}

/* A name that stays under the root: relative, no "..", no empty parts
 * that matter; "a//b" and "./a" are fine. */
static int safe_name(const char *n)
{
	if (!n[0] || n[0] == '/')
		return 0;
	for (const char *p = n; *p;) {
		const char *s = strchr(p, '/');
		size_t len = s ? (size_t)(s - p) : strlen(p);
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return 0;
		p += len;
		while (*p == '/')
			p++;
	}
	return 1;
}

/* Creates the directories above root/name. */
static void make_parents(const char *root, const char *name)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", root, name);
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
}

void fz_make_tree(const char *root, const struct fz_member *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct fz_member *x = &m[i];
		char p[PATH_MAX], t[PATH_MAX];
		if (!safe_name(x->name))
			continue;
		make_parents(root, x->name);
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", root, x->name) >= sizeof(p))
			continue;
		switch (x->type) {
		case FZ_REG:
			fz_write_file(p, x->data, x->len);
			break;
		case FZ_DIR:
			mkdir(p, 0755);
			break;
		case FZ_SYMLINK: {
			size_t l = x->len < sizeof(t) - 1 ? x->len : sizeof(t) - 1;
			memcpy(t, x->data, l);
			t[l] = '\0';
			if (!memchr(t, '\0', l) && l)
				symlink(t, p);
			break;
		}
		case FZ_HARDLINK: {
			/* only to a member inside the tree */
			char name[256];
			size_t l = x->len < sizeof(name) - 1 ? x->len : sizeof(name) - 1;
			memcpy(name, x->data, l);
			name[l] = '\0';
			if (!memchr(name, '\0', l) && safe_name(name)) {
				snprintf(t, sizeof(t), "%s/%s", root, name);
				link(t, p);
			}
			break;
		}
		}
	}
}
