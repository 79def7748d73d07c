/*
 * failalloc: an LD_PRELOAD shim that makes one allocation fail, for
 * tests/t-oom.sh.
 *
 * Environment, read (and removed, so that a program the tool runs is not
 * affected) when the shim is loaded, just before the tool's main:
 *   FAILALLOC_N=N        the Nth allocation from then on returns NULL (1 is
 *                        the first); 0 or unset fails none
 *   FAILALLOC_STICKY=1   every allocation after the Nth fails too
 *   FAILALLOC_REPORT=F   at exit, write the number of allocations made to F
 * Allocations are malloc, calloc, realloc, reallocarray, posix_memalign,
 * aligned_alloc, memalign and valloc; glibc's strdup, strndup, asprintf,
 * open_memstream and the rest allocate through malloc, so they count too.
 * realloc(p, 0) and realloc(NULL, n) count like any other call.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);

static atomic_ulong calls;    /* allocations since the shim was enabled */
static unsigned long fail_at; /* 0: fail none */
static int sticky;
static int enabled;
static char report[4096];

/* dlsym may itself call calloc before real_calloc is known: it gets a
 * piece of this buffer, which is never freed (free ignores it) */
static _Alignas(max_align_t) char bootstrap[4096];
static size_t bootstrap_used;

static int in_bootstrap(const void *p)
{
	return (const char *)p >= bootstrap && (const char *)p < bootstrap + sizeof(bootstrap);
}

static void *bootstrap_alloc(size_t n)
{
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (n > sizeof(bootstrap) - bootstrap_used)
		return NULL;
	void *p = bootstrap + bootstrap_used;
	bootstrap_used += n;
	return p; /* static storage: already zero */
}

static void resolve(void)
{
	static volatile int resolving; /* volatile: dlsym calls back in */
	if (real_malloc || resolving)
		return;
	resolving = 1;
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
	real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
	real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
	real_valloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "valloc");
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	resolving = 0;
}

/* Does this allocation fail? */
static int should_fail(void)
{
	if (!enabled)
		return 0;
	unsigned long n = atomic_fetch_add(&calls, 1) + 1;
	if (fail_at == 0)
		return 0;
	return n == fail_at || (sticky && n > fail_at);
}

void *malloc(size_t n)
{
	resolve();
	if (!real_malloc)
		return bootstrap_alloc(n);
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	resolve();
	if (!real_calloc) {
		if (size && n > (size_t)-1 / size)
			return NULL;
		return bootstrap_alloc(n * size);
	}
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	resolve();
	if (in_bootstrap(p)) {
		/* never happens in practice; keep it simple and correct */
		void *q = malloc(n);
		if (q)
			memcpy(q, p, n < sizeof(bootstrap) ? n : sizeof(bootstrap));
		return q;
	}
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_realloc(p, n);
}

void *reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

void free(void *p)
{
	static void (*real_free)(void *);
	static volatile int resolving; /* volatile: dlsym calls back in */
	if (!p || in_bootstrap(p))
		return;
	if (!real_free) {
		/* dlsym frees its own error strings: those are let go */
		if (resolving)
			return;
		resolving = 1;
		real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
		resolving = 0;
		if (!real_free)
			return;
	}
	real_free(p);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	resolve();
	if (should_fail())
		return ENOMEM;
	return real_posix_memalign(out, align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	resolve();
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_aligned_alloc(align, n);
}

void *memalign(size_t align, size_t n)
{
	resolve();
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_memalign(align, n);
}

void *valloc(size_t n)
{
	resolve();
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return real_valloc(n);
}

static void write_report(void)
{
	if (!report[0])
		return;
	int fd = open(report, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%lu\n", (unsigned long)atomic_load(&calls));
	if (write(fd, buf, (size_t)len) != len) {
		/* nothing to do: the test sees a missing count */
	}
	close(fd);
}

__attribute__((constructor)) static void failalloc_init(void)
{
	resolve();
	const char *s = getenv("FAILALLOC_N");
	fail_at = s ? strtoul(s, NULL, 10) : 0;
	s = getenv("FAILALLOC_STICKY");
	sticky = s && *s == '1';
	s = getenv("FAILALLOC_REPORT");
	if (s && strlen(s) < sizeof(report))
		strcpy(report, s);
	/* a program the tool starts (crit runs crit-NAME) fails nothing */
	unsetenv("FAILALLOC_N");
	unsetenv("FAILALLOC_STICKY");
	unsetenv("FAILALLOC_REPORT");
	if (report[0])
		atexit(write_report);
	enabled = 1;
}
