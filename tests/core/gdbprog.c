/*
 * The program of tests/t-core-live.sh: a process with debug info for CRIU
 * to dump and gdb to read back from `crit core`.  Four threads, each parked
 * in a blocking call two or three frames below a function of its own:
 *   main -> stage_one -> main_wait_here            read() of an empty pipe
 *   worker_alpha -> alpha_descend -> alpha_wait_here   pause()
 *   worker_beta -> beta_descend -> beta_wait_here      pthread_cond_wait()
 *   worker_gamma -> gamma_wait_here                    poll() of a pipe
 * Globals with values set at run time (so that they sit in pages CRIU
 * saves, not in the executable's file), a heap block and a shared
 * anonymous mapping (MAP_SHARED|MAP_ANONYMOUS) holding markers made at run
 * time (so that their bytes appear nowhere else in memory).
 *
 * Once every thread is blocked (its state in /proc is S after it said it
 * is about to block) it writes, in the starting directory:
 *   info   "heap ADDR", "shm ADDR", then "thread ROLE TID" for each thread
 *   ready  its PID (written last, by rename)
 */
#define _GNU_SOURCE /* syscall */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define NWORKERS 3

struct gdb_point {
	int id;
	long weight;
	char tag[10];
};

/* zero in the executable; the test reads the values main sets */
int global_int;
const char *global_str;
struct gdb_point global_struct;

static char *heap_marker;
static char *shm_marker;
static int stuck_pipe[2];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

/* each worker's TID, set just before it blocks */
static volatile pid_t worker_tid[NWORKERS];
static const char *const role[NWORKERS] = { "alpha", "beta", "gamma" };

static void announce(int i)
{
	worker_tid[i] = (pid_t)syscall(SYS_gettid);
}

__attribute__((noinline)) static void alpha_wait_here(void)
{
	announce(0);
	for (;;)
		pause();
}

__attribute__((noinline)) static void alpha_descend(int depth)
{
	if (depth > 0)
		alpha_wait_here();
}

static void *worker_alpha(void *arg)
{
	(void)arg;
	alpha_descend(1);
	return NULL;
}

__attribute__((noinline)) static void beta_wait_here(void)
{
	pthread_mutex_lock(&lock);
	announce(1);
	for (;;)
		pthread_cond_wait(&never, &lock);
}

__attribute__((noinline)) static void beta_descend(void)
{
	beta_wait_here();
}

static void *worker_beta(void *arg)
{
	(void)arg;
	beta_descend();
	return NULL;
}

__attribute__((noinline)) static void gamma_wait_here(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	announce(2);
	for (;;)
		poll(&p, 1, -1);
}

static void *worker_gamma(void *arg)
{
	(void)arg;
	gamma_wait_here(stuck_pipe[0]);
	return NULL;
}

/* 1 when thread tid of this process sleeps (state S) */
static int sleeping(pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *close = strrchr(buf, ')');
	return close && close[1] == ' ' && close[2] == 'S';
}

static int write_info(void)
{
	FILE *f = fopen("info.tmp", "w");
	if (!f)
		return -1;
	fprintf(f, "heap %p\nshm %p\nthread main %d\n", (void *)heap_marker, (void *)shm_marker,
		(int)getpid());
	for (int i = 0; i < NWORKERS; i++)
		fprintf(f, "thread %s %d\n", role[i], (int)worker_tid[i]);
	if (fclose(f) != 0 || rename("info.tmp", "info") != 0)
		return -1;
	f = fopen("ready.tmp", "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", (int)getpid());
	if (fclose(f) != 0 || rename("ready.tmp", "ready") != 0)
		return -1;
	return 0;
}

__attribute__((noinline)) static void main_wait_here(void)
{
	char c;
	for (;;)
		if (read(stuck_pipe[0], &c, 1) == 0)
			break;
}

__attribute__((noinline)) static int stage_one(void)
{
	/* every worker announced itself and sleeps: the state to dump */
	for (;;) {
		int all = 1;
		for (int i = 0; i < NWORKERS; i++)
			if (!worker_tid[i] || !sleeping(worker_tid[i]))
				all = 0;
		if (all)
			break;
		usleep(10000);
	}
	if (write_info() != 0) {
		perror("gdbprog: info");
		return 1;
	}
	main_wait_here();
	return 0;
}

/* Descriptors above 2 that the test's shell passed on: CRIU dumps every
 * descriptor, and one opened in another mount namespace fails the dump. */
static void close_inherited(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
		return;
#endif
	for (int fd = 3; fd < 65536; fd++)
		close(fd);
}

int main(void)
{
	static void *(*const start[NWORKERS])(void *) = { worker_alpha, worker_beta, worker_gamma };
	close_inherited();
	global_int = 1234567;
	global_str = "gdbprog global string";
	global_struct.id = 42;
	global_struct.weight = -7000000001L;
	memcpy(global_struct.tag, "structtag", 10);

	heap_marker = malloc(64);
	shm_marker = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
			  0);
	if (!heap_marker || shm_marker == MAP_FAILED || pipe(stuck_pipe) != 0) {
		perror("gdbprog: setup");
		return 1;
	}
	snprintf(heap_marker, 64, "gdbprog-heap-marker-%x", 0xc0ffee);
	/* the marker in the second page of the mapping */
	shm_marker += 4096;
	snprintf(shm_marker, 64, "gdbprog-shm-marker-%x", 0xbeef42);

	/* SIGUSR2 blocked in every thread (they inherit the mask), then one
	 * queued to the process: it stays pending, CRIU saves its siginfo and
	 * the core carries it (NT_SIGINFO, pr_cursig) */
	sigset_t usr2;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, NULL);
	for (int i = 0; i < NWORKERS; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, start[i], NULL) != 0) {
			perror("gdbprog: pthread_create");
			return 1;
		}
	}
	if (sigqueue(getpid(), SIGUSR2, (union sigval){ .sival_int = 0x5151 }) != 0) {
		perror("gdbprog: sigqueue");
		return 1;
	}
	return stage_one();
}
