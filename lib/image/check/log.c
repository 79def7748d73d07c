/*
 * Part 3: a restore.log.  The first error line that is a cause (not the
 * harmless RLIMIT_NOFILE line of an unprivileged-resource CRIU, not one of
 * the consequences CRIU logs after a failure), matched by its message text
 * against the table in log_patterns.def; the image entries it names when a
 * checkpoint is given; a hang when the log ends with neither an error nor
 * success.  The log is untrusted text of any size: one pass, no copy of it,
 * every line and message bounded before it is kept.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check/check_int.h"
#include "check/images_int.h"

#define MAX_KEEP 1024  /* bytes of a line kept as evidence */
#define MAX_MATCH 2048 /* bytes of a message matched against the table */
#define MAX_CAPS 6

struct pattern {
	enum check_reason_id r;
	unsigned row;
	const char *glob;
};

static const struct pattern patterns[] = {
#define PATTERN(id, row, glob) { R_##id, row, glob },
#include "check/log_patterns.def"
#undef PATTERN
};

struct cap {
	size_t off, len;
};

/*
 * Matches s (n bytes) against glob g as a whole; each '*' captures what it
 * matched.  The usual one-star-backtrack walk: O(n * |g|), no recursion.
 */
static int glob_match(const char *g, const char *s, size_t n, struct cap *caps, size_t *ncaps)
{
	size_t gi = 0, si = 0, star_g = (size_t)-1, star_s = 0, nstar = 0, star_k = 0;
	size_t gl = strlen(g);
	while (si < n) {
		if (gi < gl && g[gi] == '*') {
			if (nstar < MAX_CAPS) {
				caps[nstar].off = si;
				caps[nstar].len = 0;
			}
			star_k = nstar++;
			star_g = gi++;
			star_s = si;
		} else if (gi < gl && g[gi] == s[si]) {
			gi++;
			si++;
		} else if (star_g != (size_t)-1) {
			/* give the last star one more character; the stars
			 * after it are matched again */
			nstar = star_k + 1;
			gi = star_g + 1;
			si = ++star_s;
			if (star_k < MAX_CAPS)
				caps[star_k].len = si - caps[star_k].off;
		} else {
			return 0;
		}
	}
	while (gi < gl && g[gi] == '*') {
		if (nstar < MAX_CAPS) {
			caps[nstar].off = si;
			caps[nstar].len = 0;
		}
		nstar++;
		gi++;
	}
	if (gi != gl)
		return 0;
	/* a star's capture ends where the text after it begins */
	*ncaps = nstar < MAX_CAPS ? nstar : MAX_CAPS;
	return 1;
}

/* The star captures, made exact: each runs from its start to the start of
 * the literal after it, which glob_match's walk leaves implicit for all but
 * the last star it backtracked. */
static void caps_fix(const char *g, const char *s, size_t n, struct cap *caps, size_t ncaps)
{
	/* walk again: after star k, the literal that follows starts where
	 * the next capture (or the end) minus the literal's length is */
	size_t k = 0;
	const char *p = g;
	while (*p && k < ncaps) {
		if (*p != '*') {
			p++;
			continue;
		}
		p++;
		size_t lit = strcspn(p, "*");
		size_t next = k + 1 < ncaps ? caps[k + 1].off : n;
		/* trailing literal after the last star: it ends the text */
		if (next >= caps[k].off + lit)
			caps[k].len = next - lit - caps[k].off;
		else
			caps[k].len = 0;
		k++;
	}
	(void)s;
}

/* ---- lines ---- */

struct line {
	const char *p;
	size_t n;
	int64_t no;
};

/* The message of a CRIU log line after its timestamp and the task or
 * restorer prefix: "(00.123) ", "  4242: ", "pie: 4242: ". */
static void strip_prefix(const char *p, size_t n, const char **mp, size_t *mn)
{
	size_t i = 0;
	if (i < n && p[i] == '(') {
		size_t j = i + 1;
		while (j < n && j < 32 && (isdigit((unsigned char)p[j]) || p[j] == '.'))
			j++;
		if (j < n && p[j] == ')')
			i = j + 1;
	}
	while (i < n && p[i] == ' ')
		i++;
	if (n - i >= 4 && !memcmp(p + i, "pie:", 4)) {
		i += 4;
		while (i < n && p[i] == ' ')
			i++;
	}
	size_t j = i;
	while (j < n && j - i < 12 && isdigit((unsigned char)p[j]))
		j++;
	if (j > i && j < n && p[j] == ':') {
		i = j + 1;
		while (i < n && p[i] == ' ')
			i++;
	}
	*mp = p + i;
	*mn = n - i;
}

/* For "Error (file:line): msg": the message; 0 when the line is no error. */
static int error_msg(const char *m, size_t n, const char **msg, size_t *mlen)
{
	if (n < 8 || memcmp(m, "Error (", 7))
		return 0;
	for (size_t i = 7; i + 1 < n && i < 256; i++)
		if (m[i] == ')' && m[i + 1] == ':') {
			i += 2;
			while (i < n && m[i] == ' ')
				i++;
			*msg = m + i;
			*mlen = n - i;
			return 1;
		}
	return 0;
}

static int has(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (k > n)
		return 0;
	return memmem(p, n, needle, k) != NULL;
}

static int starts(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);
	return n >= k && !memcmp(p, s, k);
}

/* A message CRIU logs as a result of an earlier failure, not as its cause. */
static int consequence(const char *m, size_t n)
{
	static const char *const conseq[] = {
		"Unable to open fd=", "Restorer fail", "Restoring FAILED",
		"`- Can't open vma",  "BUG at ",
	};
	for (size_t i = 0; i < sizeof(conseq) / sizeof(conseq[0]); i++)
		if (starts(m, n, conseq[i]))
			return 1;
	/* "4457 exited, status=1", "4499 killed by signal 11: ..." */
	size_t i = 0;
	while (i < n && i < 12 && isdigit((unsigned char)m[i]))
		i++;
	if (i > 0 &&
	    (starts(m + i, n - i, " exited, status=") || starts(m + i, n - i, " killed by signal")))
		return 1;
	return 0;
}

static int harmless(const char *m, size_t n)
{
	return has(m, n, "Can't setup RLIMIT_NOFILE for self");
}

/* A copy of at most MAX_KEEP bytes of p, printable (controls become '?'),
 * NUL-terminated, in buf (MAX_KEEP + 4 bytes). */
static const char *keep(char *buf, const char *p, size_t n)
{
	size_t k = n < MAX_KEEP ? n : MAX_KEEP;
	for (size_t i = 0; i < k; i++) {
		unsigned char ch = (unsigned char)p[i];
		buf[i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	if (k < n) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = 0;
	return buf;
}

/* ---- what a scan finds ---- */

struct found {
	int64_t lines;
	struct line cause;  /* first error that is a cause */
	struct line conseq; /* first consequence */
	struct line success;
	struct line no_pagemap; /* "No pagemap-N.img image" */
	struct line helper;     /* "Add a helper N for restoring PGID|SID N" */
	struct line last;       /* the last non-empty line */
	int64_t reads0;         /* restorer reads that returned nothing */
	int64_t errors;
};

static void scan(const char *log, size_t len, struct found *f)
{
	size_t pos = 0;
	int64_t no = 0;
	memset(f, 0, sizeof(*f));
	while (pos < len) {
		const char *p = log + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;
		pos += n + (nl ? 1 : 0);
		no++;
		if (n && p[n - 1] == '\r')
			n--;
		if (!n)
			continue;
		struct line ln = { p, n, no };
		f->last = ln;
		const char *m, *msg;
		size_t mn, msn;
		strip_prefix(p, n, &m, &mn);
		if (error_msg(m, mn, &msg, &msn)) {
			f->errors++;
			if (harmless(msg, msn))
				continue;
			if (consequence(msg, msn)) {
				if (!f->conseq.p)
					f->conseq = ln;
			} else if (!f->cause.p) {
				f->cause = ln;
			}
			continue;
		}
		if (!f->success.p &&
		    (starts(m, mn, "Restore finished successfully") ||
		     starts(m, mn, "Restore finished successfuly")))
			f->success = ln;
		else if (!f->no_pagemap.p && starts(m, mn, "No pagemap-") &&
			 has(m, mn, ".img image") && !has(m, mn, "shmem"))
			f->no_pagemap = ln;
		else if (!f->helper.p && starts(m, mn, "Add a helper ") &&
			 (has(m, mn, "for restoring PGID") || has(m, mn, "for restoring SID")))
			f->helper = ln;
		else if (starts(m, mn, "`- returned 0"))
			f->reads0++;
		/* a line that says nothing of its own: CRIU's restorer prints a
		 * read and its result per try */
	}
	f->lines = no;
}

/* The number in s (n bytes) after skipping to its first digit; -1 when none. */
static int64_t first_num(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && !isdigit((unsigned char)s[i]))
		i++;
	if (i == n)
		return -1;
	int64_t v = 0;
	for (; i < n && isdigit((unsigned char)s[i]); i++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The first capture that is a number, -1 when none. */
static int64_t cap_num(const char *msg, const struct cap *caps, size_t ncaps)
{
	for (size_t i = 0; i < ncaps; i++) {
		size_t j = 0;
		const char *s = msg + caps[i].off;
		if (!caps[i].len)
			continue;
		while (j < caps[i].len && isdigit((unsigned char)s[j]))
			j++;
		if (j == caps[i].len)
			return first_num(s, caps[i].len);
	}
	return -1;
}

/* ---- image evidence (when a checkpoint is given) ---- */

struct img_ev {
	char image[64];
	int64_t entry;
	char field[64];
	char value[256];
	char what[512]; /* appended to the message */
};

static void ev_pid(struct crimg_ckpt *c, int64_t pid, struct img_ev *ie)
{
	struct crimg_error e;
	crimg_error_clear(&e);
	const struct crimg_tree *t = pid > 0 ? crimg_ckpt_tree(c, &e) : NULL;
	for (size_t i = 0; t && i < t->n_tasks; i++) {
		const struct crimg_task *tk = &t->tasks[i];
		for (size_t j = 0; j < tk->n_threads; j++) {
			if (tk->threads[j] != (uint64_t)pid)
				continue;
			const struct crimg_task_brief *b = crimg_task_brief(c, tk, &e);
			snprintf(ie->image, sizeof(ie->image), "pstree.img");
			ie->entry = (int64_t)tk->index;
			if (tk->pid == (uint64_t)pid)
				snprintf(ie->field, sizeof(ie->field), "pid");
			else
				snprintf(ie->field, sizeof(ie->field), "threads[%zu]", j);
			snprintf(ie->value, sizeof(ie->value), "%" PRId64, pid);
			snprintf(ie->what, sizeof(ie->what),
				 " (pstree.img entry %zu: %s %" PRIu32 "%s%s%s)", tk->index,
				 tk->pid == (uint64_t)pid ? "task" : "thread of", tk->pid,
				 b && b->comm ? " (" : "", b && b->comm ? b->comm : "",
				 b && b->comm ? ")" : "");
			return;
		}
		if (tk->sid == (uint64_t)pid || tk->pgid == (uint64_t)pid) {
			snprintf(ie->image, sizeof(ie->image), "pstree.img");
			ie->entry = (int64_t)tk->index;
			snprintf(ie->field, sizeof(ie->field), "%s",
				 tk->sid == (uint64_t)pid ? "sid" : "pgid");
			snprintf(ie->value, sizeof(ie->value), "%" PRId64, pid);
			snprintf(ie->what, sizeof(ie->what),
				 " (pstree.img entry %zu: %s of task %" PRIu32 ")", tk->index,
				 ie->field, tk->pid);
			return;
		}
	}
}

static const char *files_image(struct crimg_ckpt *c)
{
	return crimg_ckpt_has(c, "files.img") ? "files.img" : "reg-files.img";
}

/* The regular file (or cwd/root directory) whose path is p (CRIU logs it
 * without the leading '/'). */
static void ev_path(struct crimg_ckpt *c, const char *p, size_t n, enum check_reason_id r,
		    struct img_ev *ie)
{
	const struct crimg_file *const *fs;
	size_t nf;
	struct crimg_error e;
	crimg_error_clear(&e);
	if (crimg_ckpt_files(c, &fs, &nf, &e) < 0)
		return;
	while (n && *p == '/')
		p++, n--;
	for (size_t i = 0; i < nf; i++) {
		const struct crimg_file *f = fs[i];
		if (f->type != CRIMG_FD_REG || !f->path)
			continue;
		const char *q = f->path;
		while (*q == '/')
			q++;
		if (strlen(q) != n || memcmp(q, p, n))
			continue;
		snprintf(ie->image, sizeof(ie->image), "%s", files_image(c));
		ie->entry = check_entry_by_id(c, ie->image, f->id);
		if (r == R_FILE_SIZE && f->u.reg.has_size) {
			snprintf(ie->field, sizeof(ie->field), "reg.size");
			snprintf(ie->value, sizeof(ie->value), "%" PRIu64, f->u.reg.size);
		} else if (r == R_FILE_MODE) {
			snprintf(ie->field, sizeof(ie->field), "reg.mode");
			snprintf(ie->value, sizeof(ie->value), "0%o", f->u.reg.mode);
		} else if (r == R_FILE_BUILD_ID) {
			snprintf(ie->field, sizeof(ie->field), "reg.build_id");
			snprintf(ie->value, sizeof(ie->value), "%s", f->path);
		} else {
			snprintf(ie->field, sizeof(ie->field), "reg.name");
			snprintf(ie->value, sizeof(ie->value), "%s", f->path);
		}
		snprintf(ie->what, sizeof(ie->what), " (%s file id %" PRIu32 "%s)", ie->image,
			 f->id,
			 (f->u.reg.mode & 0170000) == 0040000 ? ", a directory: a cwd or root"
							      : "");
		return;
	}
}

static void ev_tcp(struct crimg_ckpt *c, struct img_ev *ie)
{
	const struct crimg_inet_sk *sks;
	size_t n;
	struct crimg_error e;
	crimg_error_clear(&e);
	if (crimg_ckpt_inet_sockets(c, &sks, &n, &e) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		/* 6: TCP; 7 CLOSE and 10 LISTEN are not connections */
		if (sks[i].proto != 6 || sks[i].state == 7 || sks[i].state == 10)
			continue;
		const char *st = crimg_sk_state_name(sks[i].state);
		snprintf(ie->image, sizeof(ie->image), "%s",
			 crimg_ckpt_has(c, "files.img") ? "files.img" : "inetsk.img");
		ie->entry = check_entry_by_id(c, ie->image, sks[i].id);
		snprintf(ie->field, sizeof(ie->field), "isk.state");
		snprintf(ie->value, sizeof(ie->value), "%s", st ? st : "?");
		snprintf(ie->what, sizeof(ie->what),
			 " (%s: TCP socket id %" PRIu32 " ino %" PRIu32 " is %s)", ie->image,
			 sks[i].id, sks[i].ino, st ? st : "connected");
		return;
	}
}

static void ev_inventory(struct crimg_ckpt *c, const char *field, struct img_ev *ie)
{
	struct crimg_error e;
	crimg_error_clear(&e);
	const struct crimg_inventory *inv = crimg_ckpt_inventory(c, &e);
	if (!inv)
		return;
	snprintf(ie->image, sizeof(ie->image), "inventory.img");
	ie->entry = 0;
	snprintf(ie->field, sizeof(ie->field), "%s", field);
	if (!strcmp(field, "tcp_close"))
		snprintf(ie->value, sizeof(ie->value), "%s", inv->tcp_close ? "true" : "false");
	else if (!strcmp(field, "allow_uprobes"))
		snprintf(ie->value, sizeof(ie->value), "%s", inv->allow_uprobes ? "true" : "false");
	else if (!strcmp(field, "img_version"))
		snprintf(ie->value, sizeof(ie->value), "%" PRIu32, inv->img_version);
	else if (!strcmp(field, "plugins")) {
		size_t k = 0;
		for (size_t i = 0; i < inv->n_plugins && k + 2 < sizeof(ie->value); i++)
			k += (size_t)snprintf(ie->value + k, sizeof(ie->value) - k, "%s%s",
					      i ? "," : "", inv->plugins[i] ? inv->plugins[i] : "");
	}
	snprintf(ie->what, sizeof(ie->what), " (inventory.img %s: %s)", field, ie->value);
}

static void ev_unix(struct crimg_ckpt *c, int64_t ino, struct img_ev *ie)
{
	const struct crimg_file *const *fs;
	size_t nf;
	struct crimg_error e;
	crimg_error_clear(&e);
	if (ino < 0 || crimg_ckpt_files(c, &fs, &nf, &e) < 0)
		return;
	for (size_t i = 0; i < nf; i++) {
		const struct crimg_file *f = fs[i];
		if (f->type != CRIMG_FD_UNIXSK || f->u.usk.ino != (uint64_t)ino)
			continue;
		snprintf(ie->image, sizeof(ie->image), "%s", files_image(c));
		ie->entry = check_entry_by_id(c, ie->image, f->id);
		snprintf(ie->field, sizeof(ie->field), "usk.peer");
		snprintf(ie->value, sizeof(ie->value), "%" PRIu32, f->u.usk.peer_ino);
		const struct crimg_file *pe = f->u.usk.peer;
		char name[160] = "";
		if (pe && pe->u.usk.name_len) {
			size_t k = pe->u.usk.name_len < sizeof(name) - 1 ? pe->u.usk.name_len
									 : sizeof(name) - 1;
			while (k && !pe->u.usk.name[k - 1])
				k--;
			for (size_t j = 0; j < k; j++) {
				unsigned char ch = pe->u.usk.name[j];
				name[j] = ch < 0x20 || ch >= 0x7f ? '@' : (char)ch;
			}
			name[k] = 0;
		}
		snprintf(ie->what, sizeof(ie->what),
			 " (%s: unix socket id %" PRIu32 " ino %" PRId64 ", peer ino %" PRIu32
			 "%s%s%s)",
			 ie->image, f->id, ino, f->u.usk.peer_ino, *name ? " bound at " : "", name,
			 pe ? "" : ", not in the checkpoint");
		return;
	}
}

static void ev_max_fd(struct crimg_ckpt *c, struct img_ev *ie)
{
	struct crimg_error e;
	crimg_error_clear(&e);
	const struct crimg_tree *t = crimg_ckpt_tree(c, &e);
	uint32_t best = 0, files_id = 0;
	int found = 0;
	for (size_t i = 0; t && i < t->n_tasks; i++) {
		const struct crimg_fdtable *ft = crimg_task_fds(c, &t->tasks[i], &e);
		for (size_t j = 0; ft && j < ft->n_fds; j++)
			if (!found || ft->fds[j].fd > best) {
				best = ft->fds[j].fd;
				files_id = ft->files_id;
				found = 1;
			}
	}
	if (!found)
		return;
	snprintf(ie->image, sizeof(ie->image), "fdinfo-%" PRIu32 ".img", files_id);
	snprintf(ie->field, sizeof(ie->field), "fd");
	snprintf(ie->value, sizeof(ie->value), "%" PRIu32, best);
	snprintf(ie->what, sizeof(ie->what), " (the highest descriptor: fd %" PRIu32 " in %s)",
		 best, ie->image);
}

/* The fdinfo images the tasks' ids name that are not there. */
static void ev_missing_fdinfo(struct crimg_ckpt *c, struct img_ev *ie)
{
	struct crimg_error e;
	crimg_error_clear(&e);
	const struct crimg_tree *t = crimg_ckpt_tree(c, &e);
	for (size_t i = 0; t && i < t->n_tasks; i++) {
		const struct crimg_task_ids *ids = crimg_task_ids(c, &t->tasks[i], &e);
		char name[64];
		if (!ids)
			continue;
		snprintf(name, sizeof(name), "fdinfo-%" PRIu32 ".img", ids->files_id);
		if (crimg_ckpt_has(c, name))
			continue;
		snprintf(ie->image, sizeof(ie->image), "%s", name);
		snprintf(ie->field, sizeof(ie->field), "files_id");
		snprintf(ie->value, sizeof(ie->value), "%" PRIu32, ids->files_id);
		snprintf(ie->what, sizeof(ie->what),
			 " (%s, the descriptors of task %" PRIu32 " (ids-%" PRIu32
			 ".img files_id %" PRIu32 "), is missing)",
			 name, t->tasks[i].pid, t->tasks[i].pid, ids->files_id);
		return;
	}
}

static void ev_image(struct crimg_ckpt *c, enum check_reason_id r, const char *msg,
		     const struct cap *caps, size_t ncaps, struct img_ev *ie)
{
	switch (r) {
	case R_PID_IN_USE:
	case R_TID_IN_USE:
	case R_SESSION_IN_USE:
		ev_pid(c, cap_num(msg, caps, ncaps), ie);
		break;
	case R_FILE_SIZE:
	case R_FILE_MODE:
	case R_FILE_BUILD_ID:
	case R_FILE_MISSING:
		if (ncaps)
			ev_path(c, msg + caps[0].off, caps[0].len, r, ie);
		break;
	case R_NR_OPEN:
		ev_max_fd(c, ie);
		break;
	case R_TCP_ESTABLISHED:
		ev_tcp(c, ie);
		break;
	case R_TCP_CLOSE:
		ev_inventory(c, "tcp_close", ie);
		break;
	case R_ALLOW_UPROBES:
		ev_inventory(c, "allow_uprobes", ie);
		break;
	case R_IMAGE_VERSION:
		ev_inventory(c, "img_version", ie);
		break;
	case R_PLUGIN_MISSING:
		ev_inventory(c, "plugins", ie);
		break;
	case R_UNIX_PEER_EXTERNAL:
		ev_unix(c, cap_num(msg, caps, ncaps), ie);
		break;
	case R_IMAGE_MISSING:
		ev_missing_fdinfo(c, ie);
		break;
	case R_FILE_LOCK:
		if (crimg_ckpt_has(c, "filelocks.img")) {
			snprintf(ie->image, sizeof(ie->image), "filelocks.img");
			ie->entry = 0;
			snprintf(ie->what, sizeof(ie->what),
				 " (filelocks.img: the locks the tree held, restored with --file-locks; "
				 "another process holds a conflicting lock)");
		}
		break;
	case R_CPU_FEATURES:
		if (crimg_ckpt_has(c, "cpuinfo.img")) {
			snprintf(ie->image, sizeof(ie->image), "cpuinfo.img");
			ie->entry = 0;
			snprintf(ie->field, sizeof(ie->field), "x86_entry");
			snprintf(ie->what, sizeof(ie->what),
				 " (cpuinfo.img: the dump's CPU, checked because of --cpu-cap)");
		}
		break;
	default:
		break;
	}
}

/* ---- the findings ---- */

static int add_line(struct crimg_check *k, enum check_reason_id r, int sev, const struct line *ln,
		    const struct img_ev *ie, const char *fmt, const char *a, const char *b)
{
	char buf[MAX_KEEP + 4];
	struct check_evidence ev = { .entry = -1 };
	if (ln && ln->p) {
		ev.log = keep(buf, ln->p, ln->n);
		ev.log_line = ln->no;
	}
	if (ie && *ie->image) {
		ev.image = ie->image;
		ev.entry = ie->entry;
		ev.field = ie->field;
		ev.value = ie->value;
	}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	return check_add(k, r, sev, &ev, fmt, a ? a : "", b ? b : "");
#pragma GCC diagnostic pop
}

static int oom(struct crimg_error *err)
{
	if (!err)
		return -1;
	crimg_error_clear(err);
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -1;
}

/* A hang: the restorer reading pages that are not there, or a task waiting
 * for a session or group leader outside the tree. */
static int hang_hints(struct crimg_check *k, struct crimg_ckpt *c, const struct found *f)
{
	if (f->reads0 >= 8) {
		struct img_ev ie = { .entry = -1 };
		char what[600] = "";
		struct crimg_error e;
		crimg_error_clear(&e);
		const struct crimg_tree *t = c ? crimg_ckpt_tree(c, &e) : NULL;
		unsigned ps = c ? check_page_size(c) : 4096;
		for (size_t i = 0; t && i < t->n_tasks && !*ie.image; i++) {
			char pm[64];
			struct check_pages cp;
			snprintf(pm, sizeof(pm), "pagemap-%" PRIu32 ".img", t->tasks[i].pid);
			if (!crimg_ckpt_has(c, pm) || check_pagemap_pages(c, pm, ps, &cp) < 0)
				continue;
			if (cp.have >= 0 && (uint64_t)cp.have < cp.need) {
				snprintf(ie.image, sizeof(ie.image), "%s", pm);
				ie.entry = (int64_t)cp.last_entry;
				snprintf(ie.field, sizeof(ie.field), "nr_pages");
				snprintf(ie.value, sizeof(ie.value), "%" PRIu64 " bytes", cp.need);
				snprintf(what, sizeof(what),
					 " (%s needs %" PRIu64 " bytes of pages-%" PRIu32
					 ".img, which holds %" PRId64 ")",
					 pm, cp.need, cp.pages_id, cp.have);
			}
		}
		char n[32];
		snprintf(n, sizeof(n), "%" PRId64, f->reads0);
		if (add_line(k, R_PAGES_SHORT, CRIMG_CHECK_WILL_FAIL, &f->last, &ie,
			     "the restorer read pages that were not there %s times and retried: a pages "
			     "file is shorter than its pagemap%s",
			     n, what) < 0)
			return -1;
	}
	if (f->helper.p) {
		char buf[MAX_KEEP + 4];
		if (add_line(k, R_SHELL_JOB, CRIMG_CHECK_WILL_FAIL, &f->helper, NULL,
			     "CRIU made a helper task for a session or group leader outside the tree "
			     "(%s) and the restore then stopped: a shell job restored without "
			     "--shell-job%s",
			     keep(buf, f->helper.p, f->helper.n), "") < 0)
			return -1;
	}
	return 0;
}

int crimg_check_log(struct crimg_check *k, struct crimg_ckpt *c, const char *log, size_t len,
		    struct crimg_error *err)
{
	struct found f;
	char buf[MAX_KEEP + 4];
	if (!k)
		return 0;
	if (!log)
		len = 0;
	scan(log ? log : "", len, &f);
	if (!f.last.p) {
		/* not-root: CRIU refuses before it opens its log */
		if (add_line(k, R_NOT_PRIVILEGED, CRIMG_CHECK_MAY_FAIL, NULL, NULL,
			     "the restore log is empty%s%s (no line at all): CRIU writes no log when it runs without "
			     "CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE (it says so on standard error only), "
			     "or when it could not create the log file",
			     "", "") < 0)
			return oom(err);
		return 0;
	}
	if (f.success.p) {
		const char *m;
		size_t mn;
		strip_prefix(f.success.p, f.success.n, &m, &mn);
		if (add_line(k, R_LOG_OK, -1, &f.success, NULL, "the restore finished: %s%s",
			     keep(buf, m, mn), "") < 0)
			return oom(err);
		if (f.cause.p) {
			if (add_line(k, R_LOG_UNKNOWN, CRIMG_CHECK_NOTE, &f.cause, NULL,
				     "an error was logged although the restore finished: %s%s",
				     keep(buf, f.cause.p, f.cause.n), "") < 0)
				return oom(err);
		}
		return 0;
	}
	if (f.cause.p) {
		const char *m, *msg;
		size_t mn, msn;
		strip_prefix(f.cause.p, f.cause.n, &m, &mn);
		if (!error_msg(m, mn, &msg, &msn)) {
			msg = m;
			msn = mn;
		}
		if (msn > MAX_MATCH)
			msn = MAX_MATCH;
		for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
			struct cap caps[MAX_CAPS];
			size_t ncaps = 0;
			if (!glob_match(patterns[i].glob, msg, msn, caps, &ncaps))
				continue;
			caps_fix(patterns[i].glob, msg, msn, caps, ncaps);
			struct img_ev ie = { .entry = -1 };
			if (c)
				ev_image(c, patterns[i].r, msg, caps, ncaps, &ie);
			char mbuf[MAX_KEEP + 4];
			if (add_line(k, patterns[i].r, CRIMG_CHECK_WILL_FAIL, &f.cause, &ie,
				     "the restore failed: %s%s", keep(mbuf, msg, msn), ie.what) < 0)
				return oom(err);
			return 0;
		}
		if (add_line(k, R_LOG_UNKNOWN, CRIMG_CHECK_WILL_FAIL, &f.cause, NULL,
			     "the restore failed with an error no catalogue entry describes: %s%s",
			     keep(buf, msg, msn), "") < 0)
			return oom(err);
		return 0;
	}
	if (f.no_pagemap.p) {
		/* missing-pagemap: only an info line names the cause */
		const char *m;
		size_t mn;
		strip_prefix(f.no_pagemap.p, f.no_pagemap.n, &m, &mn);
		struct img_ev ie = { .entry = -1 };
		size_t nl = 3; /* "No pagemap-N.img image" */
		while (nl < mn && m[nl] != ' ')
			nl++;
		if (nl > 3 && nl - 3 < sizeof(ie.image)) {
			memcpy(ie.image, m + 3, nl - 3);
			ie.image[nl - 3] = 0;
			snprintf(ie.field, sizeof(ie.field), "%s", "");
		}
		if (add_line(k, R_IMAGE_MISSING, CRIMG_CHECK_WILL_FAIL, &f.no_pagemap, &ie,
			     "the restore failed because %s is missing: CRIU logs it only as an info line "
			     "and the task exits%s",
			     *ie.image ? ie.image : "a pagemap image", "") < 0)
			return oom(err);
		return 0;
	}
	if (f.conseq.p) {
		if (add_line(k, R_LOG_UNKNOWN, CRIMG_CHECK_WILL_FAIL, &f.conseq, NULL,
			     "the restore failed but the log names no cause, only a consequence: %s%s",
			     keep(buf, f.conseq.p, f.conseq.n), "") < 0)
			return oom(err);
		return 0;
	}
	char n[64];
	snprintf(n, sizeof(n), "%" PRId64, f.last.no);
	if (add_line(k, R_LOG_HANG, -1, &f.last, NULL,
		     "the log ends at line %s with neither an error nor success: the restore hung or "
		     "was killed (last line: %s)",
		     n, keep(buf, f.last.p, f.last.n)) < 0)
		return oom(err);
	if (hang_hints(k, c, &f) < 0)
		return oom(err);
	return 0;
}
