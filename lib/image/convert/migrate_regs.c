/*
 * Where a moved thread goes on: the stack plug-in (docs/xarch.md).
 *
 * The plug-in is given the thread's source registers, its stack mapping
 * and both builds (their paths, so it can read their stack maps, and
 * their crimg_* symbols), and answers with the target's PC, SP, link
 * register, arguments, and bytes to write on the stack.  "restart", the
 * built-in one, serves the contract's simple case: the migration point's
 * resume function takes no arguments and never returns, so every frame
 * below it is dead and the thread enters it again on a fresh frame.
 * Any other name is a program run with the request as JSON on its
 * standard input, answering as JSON on its standard output; its answer is
 * checked like an image (addresses inside the target's code and the
 * stack, bounded sizes) and it is killed if it takes more than 30 s.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "convert/migrate_int.h"

extern char **environ;

#define PLUGIN_TIMEOUT_MS 30000
#define PLUGIN_MAX_ANSWER (1u << 20)
#define PLUGIN_MAX_WRITE (64u << 10)

static int builtin_restart(const struct mig_thread *t, struct mig_frame *f, struct crimg_error *err)
{
	char name[160];
	snprintf(name, sizeof(name), "crimg_resume_%s", t->point);
	f->pc = crimg_mig_elf_sym(t->dst, name);
	if (!f->pc)
		return crimg_fail(
			err, t->dst->path, -1, -1,
			"no symbol %s: the target build has no resume function for migration point '%s'",
			name, t->point);
	/* a fresh frame at the source's stack pointer: AAPCS64 wants SP on
	 * 16 bytes; the SysV x86-64 ABI wants SP + 8 on 16 at a function's
	 * entry (the return address a call would have pushed) */
	f->sp = t->sp & ~(uint64_t)15;
	if (strcmp(t->target_arch, "x86_64") == 0)
		f->sp -= 8;
	f->lr = 0;
	return 0;
}

static json_t *hex(uint64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "0x%llx", (unsigned long long)v);
	return json_string(b);
}

static json_t *symbols(const struct mig_elf *e)
{
	json_t *o = json_object();
	for (size_t i = 0; o && i < e->n_syms; i++)
		if (strncmp(e->syms[i].name, "crimg_", 6) == 0 &&
		    json_object_set_new(o, e->syms[i].name, hex(e->syms[i].value)) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static char *request(const struct mig_thread *t)
{
	json_t *doc = json_pack(
		"{s:s, s:s, s:{s:s, s:s, s:o, s:o, s:o, s:o}, s:{s:s, s:s, s:o}, s:{s:o, s:o}}",
		"interface", "crimg-stack-plugin/1", "point", t->point, "source", "arch",
		t->source_arch, "exe", t->src->path, "pc", hex(t->pc), "sp", hex(t->sp), "fp",
		hex(t->fp), "symbols", symbols(t->src), "target", "arch", t->target_arch, "exe",
		t->dst->path, "symbols", symbols(t->dst), "stack", "start", hex(t->stack_start),
		"end", hex(t->stack_end));
	char *s = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	json_decref(doc);
	return s;
}

/* 30 s, or CRIMG_STACK_PLUGIN_TIMEOUT seconds (1 to 3600) */
static long timeout_ms(void)
{
	const char *e = getenv("CRIMG_STACK_PLUGIN_TIMEOUT");
	long s = e ? strtol(e, NULL, 10) : 0;
	return s >= 1 && s <= 3600 ? s * 1000 : PLUGIN_TIMEOUT_MS;
}

static long ms_left(const struct timespec *start, long limit)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long spent = (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
	return limit - spent;
}

/* Runs prog with in on its stdin; its stdout into *out (NUL-ended). */
static int run_program(const char *prog, const char *in, char **out, struct crimg_error *err)
{
	int pin[2], pout[2];
	if (pipe2(pin, O_CLOEXEC) < 0)
		return crimg_fail(err, prog, -1, -1, "pipe: %s", strerror(errno));
	if (pipe2(pout, O_CLOEXEC) < 0) {
		close(pin[0]);
		close(pin[1]);
		return crimg_fail(err, prog, -1, -1, "pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
	posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
	char *argv[] = { (char *)prog, NULL };
	pid_t pid;
	int e = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pin[0]);
	close(pout[1]);
	if (e) {
		close(pin[1]);
		close(pout[0]);
		return crimg_fail(err, prog, -1, -1, "cannot run the stack plug-in: %s",
				  strerror(e));
	}
	fcntl(pin[1], F_SETFL, O_NONBLOCK);
	size_t in_len = strlen(in), sent = 0, got = 0;
	char *buf = malloc(PLUGIN_MAX_ANSWER + 1);
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	const char *why = NULL;
	char late[64];
	long limit = timeout_ms();
	int wfd = pin[1];
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	while (buf && !why) {
		struct pollfd p[2] = { { .fd = pout[0], .events = POLLIN },
				       { .fd = wfd, .events = POLLOUT } };
		long left = ms_left(&start, limit);
		if (left <= 0) {
			snprintf(late, sizeof(late), "took more than %ld s: stopped", limit / 1000);
			why = late;
			break;
		}
		int np = wfd >= 0 ? 2 : 1;
		if (poll(p, (nfds_t)np, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			why = strerror(errno);
			break;
		}
		if (wfd >= 0 && p[1].revents) {
			ssize_t k = write(wfd, in + sent, in_len - sent);
			if (k > 0)
				sent += (size_t)k;
			if (k < 0 && errno != EAGAIN) /* it stopped reading: its answer says */
				sent = in_len;
			if (sent == in_len) {
				close(wfd);
				wfd = -1;
			}
		}
		if (p[0].revents) {
			ssize_t k = read(pout[0], buf + got, PLUGIN_MAX_ANSWER - got);
			if (k == 0)
				break;
			if (k < 0 && errno != EINTR && errno != EAGAIN)
				why = strerror(errno);
			if (k > 0 && (got += (size_t)k) == PLUGIN_MAX_ANSWER)
				why = "answered more than 1 MiB";
		}
	}
	signal(SIGPIPE, old);
	if (wfd >= 0)
		close(wfd);
	close(pout[0]);
	if (why)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!buf)
		return crimg_fail(err, prog, -1, -1, "out of memory");
	if (!why && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		why = "failed (a non-zero exit or a signal)";
	if (why) {
		free(buf);
		return crimg_fail(err, prog, -1, -1, "the stack plug-in %s", why);
	}
	buf[got] = 0;
	*out = buf;
	return 0;
}

static int number(json_t *v, uint64_t *out)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	const char *s = json_string_value(v);
	if (!s || strncmp(s, "0x", 2) != 0 || !s[2] || strlen(s) > 18)
		return -1;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s + 2, &end, 16);
	if (errno || *end)
		return -1;
	*out = x;
	return 0;
}

static int unhex(const char *s, struct mig_write *w)
{
	size_t n = strlen(s);
	if (n == 0 || n % 2 || n / 2 > PLUGIN_MAX_WRITE)
		return -1;
	if (!(w->bytes = malloc(n / 2)))
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i + 1]))
			return -1;
		w->bytes[i] = (uint8_t)v;
	}
	w->len = n / 2;
	return 0;
}

static int answer(const char *prog, const char *text, struct mig_frame *f, struct crimg_error *err)
{
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);
	if (!doc || !json_is_object(doc)) {
		json_decref(doc);
		return crimg_fail(err, prog, -1, -1,
				  "the stack plug-in's answer is no JSON object%s%s",
				  doc ? "" : ": ", doc ? "" : je.text);
	}
	const char *bad = NULL;
	json_t *args = json_object_get(doc, "args"), *writes = json_object_get(doc, "writes");
	json_t *lr = json_object_get(doc, "lr");
	if (number(json_object_get(doc, "pc"), &f->pc) < 0)
		bad = "pc";
	else if (number(json_object_get(doc, "sp"), &f->sp) < 0)
		bad = "sp";
	else if (lr && number(lr, &f->lr) < 0)
		bad = "lr";
	else if (args && (!json_is_array(args) || json_array_size(args) > 8))
		bad = "args (at most 8)";
	else if (writes && (!json_is_array(writes) || json_array_size(writes) > 64))
		bad = "writes (at most 64)";
	for (size_t i = 0; !bad && args && i < json_array_size(args); i++)
		if (number(json_array_get(args, i), &f->args[i]) < 0)
			bad = "args";
	if (!bad && writes && json_array_size(writes) &&
	    !(f->writes = calloc(json_array_size(writes), sizeof(*f->writes))))
		bad = "writes (out of memory)";
	for (size_t i = 0; !bad && writes && i < json_array_size(writes); i++) {
		json_t *w = json_array_get(writes, i);
		const char *h = json_string_value(json_object_get(w, "hex"));
		if (number(json_object_get(w, "addr"), &f->writes[i].addr) < 0 || !h ||
		    unhex(h, &f->writes[i]) < 0)
			bad = "writes (each {\"addr\": \"0x...\", \"hex\": \"...\"}, at most 64 KiB)";
		f->n_writes = i + 1;
	}
	json_decref(doc);
	if (bad)
		return crimg_fail(err, prog, -1, -1,
				  "the stack plug-in's answer: bad or missing %s", bad);
	return 0;
}

int crimg_mig_frame(const char *plugin, const struct mig_thread *t, struct mig_frame *f,
		    struct crimg_error *err)
{
	memset(f, 0, sizeof(*f));
	int rc;
	if (!plugin || strcmp(plugin, "restart") == 0) {
		rc = builtin_restart(t, f, err);
	} else {
		char *req = request(t), *out = NULL;
		if (!req)
			return crimg_fail(err, plugin, -1, -1, "out of memory");
		rc = run_program(plugin, req, &out, err);
		free(req);
		if (rc == 0)
			rc = answer(plugin, out, f, err);
		free(out);
	}
	if (rc < 0) {
		crimg_mig_frame_free(f);
		return -1;
	}
	/* checked like an image: the PC in the target's code, the stack
	 * pointer and every write inside the thread's stack */
	int in_code = 0;
	for (size_t i = 0; i < t->dst->n_loads; i++) {
		const struct mig_load *l = &t->dst->loads[i];
		if ((l->flags & 1) && f->pc >= l->vaddr && f->pc - l->vaddr < l->filesz)
			in_code = 1;
	}
	const char *who = plugin ? plugin : "restart";
	if (!in_code)
		rc = crimg_fail(err, who, -1, -1,
				"the new pc 0x%llx is not in the target build's code",
				(unsigned long long)f->pc);
	else if (f->sp < t->stack_start || f->sp > t->stack_end)
		rc = crimg_fail(err, who, -1, -1,
				"the new sp 0x%llx is outside the thread's stack 0x%llx-0x%llx",
				(unsigned long long)f->sp, (unsigned long long)t->stack_start,
				(unsigned long long)t->stack_end);
	for (size_t i = 0; rc == 0 && i < f->n_writes; i++) {
		const struct mig_write *w = &f->writes[i];
		if (w->addr < t->stack_start || w->addr > t->stack_end ||
		    w->len > t->stack_end - w->addr)
			rc = crimg_fail(err, who, -1, -1,
					"write %zu at 0x%llx (%zu bytes) is outside the thread's stack",
					i, (unsigned long long)w->addr, w->len);
	}
	if (rc < 0)
		crimg_mig_frame_free(f);
	return rc;
}

void crimg_mig_frame_free(struct mig_frame *f)
{
	for (size_t i = 0; i < f->n_writes; i++)
		free(f->writes[i].bytes);
	free(f->writes);
	f->writes = NULL;
	f->n_writes = 0;
}
