/*
 * A host description from a restore.log: what CRIU writes of the host it
 * runs on before it restores anything.  At -v4 (the level engines use) the
 * header says:
 *
 *   (00.000196) Version: 4.2 (gitid 0)
 *   (00.000244) Running on NODE Linux RELEASE VERSION... MACHINE
 *   (00.108298) cpu: fpu: xfeatures_mask 0xe5 xsave_size 2432 xsave_size_max 2432 ...
 *   (00.114977) files stat: fs/nr_open 1048576
 *   (00.115460) kernel pid_max=32768
 *
 * and more that no fact of a description holds (the CPU's family and
 * model, the kdat cache).  Each fact is taken from its first line; a line
 * that does not read as expected leaves the fact unknown.  The cpu block's
 * "fpu:1 fxsr:1 xsave:1 ..." line names a few features only, so it does
 * not make cpu_flags (which is the whole list, and a partial one would
 * read as the others missing).
 *
 * The log is untrusted text: lines of any length, NUL bytes anywhere, no
 * terminating NUL.  Every read is bounded by the text's length and every
 * value copied is short and printable.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "check/check_int.h"

#define LOG_NAME "restore.log"
#define MAX_TOKEN 255

struct span {
	const char *p;
	size_t n;
};

static int starts(struct span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n >= n && !memcmp(s.p, lit, n);
}

static void skip(struct span *s, size_t n)
{
	s->p += n;
	s->n -= n;
}

static void skip_blanks(struct span *s)
{
	while (s->n && (*s->p == ' ' || *s->p == '\t'))
		skip(s, 1);
}

/* The next word (bytes up to a blank): taken off s. */
static struct span word(struct span *s)
{
	skip_blanks(s);
	struct span w = { s->p, 0 };
	while (w.n < s->n && s->p[w.n] != ' ' && s->p[w.n] != '\t')
		w.n++;
	skip(s, w.n);
	return w;
}

/* Drops "(SS.UUUUUU) " and a "PID: " prefix. */
static struct span body(struct span l)
{
	if (l.n && l.p[0] == '(') {
		const char *e = memchr(l.p, ')', l.n < 32 ? l.n : 32);
		if (e)
			skip(&l, (size_t)(e - l.p) + 1);
	}
	skip_blanks(&l);
	size_t d = 0;
	while (d < l.n && d < 12 && l.p[d] >= '0' && l.p[d] <= '9')
		d++;
	if (d && d + 1 < l.n && l.p[d] == ':' && l.p[d + 1] == ' ') {
		skip(&l, d + 1);
		skip_blanks(&l);
	}
	while (l.n && (l.p[l.n - 1] == ' ' || l.p[l.n - 1] == '\r' || l.p[l.n - 1] == '\t'))
		l.n--;
	return l;
}

/* A malloc'ed copy of w when it is a short printable word; NULL when it
 * is not one (*oom set when out of memory). */
static char *dup_word(struct span w, int *oom)
{
	if (!w.n || w.n > MAX_TOKEN)
		return NULL;
	for (size_t i = 0; i < w.n; i++)
		if ((unsigned char)w.p[i] <= 0x20 || (unsigned char)w.p[i] >= 0x7f)
			return NULL;
	char *s = malloc(w.n + 1);
	if (!s) {
		*oom = 1;
		return NULL;
	}
	memcpy(s, w.p, w.n);
	s[w.n] = '\0';
	return s;
}

/* Replaces *dst with a copy of w, when w is a word; 1 when it did. */
static int set_word(char **dst, struct span w, int *oom)
{
	char *s = dup_word(w, oom);
	if (!s)
		return 0;
	free(*dst);
	*dst = s;
	return 1;
}

/* An unsigned number in base 10 or, with "0x", 16; 0 on success. */
static int number(struct span w, uint64_t max, uint64_t *out)
{
	unsigned base = 10;
	if (w.n > 2 && w.p[0] == '0' && (w.p[1] == 'x' || w.p[1] == 'X')) {
		base = 16;
		skip(&w, 2);
	}
	if (!w.n || w.n > 20)
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < w.n; i++) {
		char c = w.p[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

struct seen {
	int version, running, fpu, nr_open, pid_max;
};

static void line_facts(struct crimg_host *h, struct span l, struct seen *s, int *oom)
{
	uint64_t v;
	if (!s->version && starts(l, "Version: ")) {
		skip(&l, 9);
		s->version = set_word(&h->criu_version, word(&l), oom);
	} else if (!s->running && starts(l, "Running on ")) {
		/* NODE Linux RELEASE VERSION... MACHINE */
		skip(&l, 11);
		word(&l); /* the node's name */
		struct span sys = word(&l);
		if (sys.n != 5 || memcmp(sys.p, "Linux", 5))
			return;
		struct span rel = word(&l), last = { NULL, 0 }, w;
		while ((w = word(&l)).n)
			last = w;
		s->running = 1;
		set_word(&h->kernel, rel, oom);
		if (last.n)
			set_word(&h->arch, last, oom);
	} else if (!s->fpu && starts(l, "cpu: fpu: xfeatures_mask ")) {
		/* xfeatures_mask 0xe5 xsave_size 2432 xsave_size_max ... */
		skip(&l, 10);
		s->fpu = 1;
		for (;;) {
			struct span k = word(&l), x = word(&l);
			if (!k.n || !x.n)
				break;
			if (k.n == 14 && !memcmp(k.p, "xfeatures_mask", 14) &&
			    !number(x, UINT64_MAX, &v))
				h->xfeatures = v;
			else if (k.n == 10 && !memcmp(k.p, "xsave_size", 10) &&
				 !number(x, UINT32_MAX, &v))
				h->xsave_size = (uint32_t)v;
		}
	} else if (!s->nr_open && starts(l, "files stat: fs/nr_open ")) {
		skip(&l, 23);
		s->nr_open = 1;
		if (!number(word(&l), INT32_MAX, &v))
			h->nr_open = (int64_t)v;
	} else if (!s->pid_max && starts(l, "kernel pid_max=")) {
		skip(&l, 15);
		s->pid_max = 1;
		if (!number(word(&l), INT32_MAX, &v) && v > 0)
			h->pid_max = (int64_t)v;
	}
}

struct crimg_host *crimg_host_from_log(const char *log, size_t len, struct crimg_error *err)
{
	crimg_error_clear(err);
	struct crimg_host *h = host_new("log");
	if (!h) {
		crimg_fail(err, LOG_NAME, -1, -1, "out of memory");
		return NULL;
	}
	struct seen s = { 0 };
	int oom = 0;
	const char *p = log, *end = log ? log + len : log;
	while (p < end && !oom) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct span l = { p, (size_t)((nl ? nl : end) - p) };
		p = nl ? nl + 1 : end;
		line_facts(h, body(l), &s, &oom);
		if (s.version && s.running && s.fpu && s.nr_open && s.pid_max)
			break;
	}
	if (oom) {
		crimg_fail(err, LOG_NAME, -1, -1, "out of memory");
		crimg_host_free(h);
		return NULL;
	}
	if (!s.version && !s.running) {
		crimg_fail(err, LOG_NAME, -1, -1,
			   "no CRIU log header (no \"Version:\" or \"Running on\" line)");
		crimg_host_free(h);
		return NULL;
	}
	return h;
}
