/*
 * counter: the demo program of the cross-architecture proof (xarch/README.md).
 *
 * Built for x86_64 and aarch64 from this one file, to the contract crit
 * convert --to-arch needs (docs/xarch.md): static, no libc, no FP or SIMD
 * state, no thread pointer; its data and bss at one address in both builds
 * (link.ld), its heap at a fixed address; one thread that waits in one
 * syscall of one loop, the migration point "tick", marked by the symbols
 * crimg_migrate_tick (the syscall instruction), crimg_migrate_tick_end (just
 * after it) and crimg_resume_tick (the loop's entry, where a moved process
 * goes on).
 *
 * Every second it counts, adds the count to a table on its heap, and
 * writes one fixed-width line to the file named by argv[1] (fixed width:
 * CRIU checks an open file's size at restore).  The line says which build
 * started the count and which one runs now, so a moved process shows it.
 */
typedef unsigned long u64;

#define HEAP_ADDR 0x10000000UL
#define HEAP_SLOTS 512 /* one 4 KiB page of u64 */
#define LINE_LEN 96

struct state {
	u64 magic;
	u64 count;
	u64 heap_sum;    /* the sum of the heap's table, kept alongside */
	u64 *heap;       /* HEAP_ADDR once mapped */
	long fd;         /* the state file */
	char started[8]; /* the build that started the count */
};

#if defined(__x86_64__)
#define ARCH "x86_64"
#define NR_OPENAT 257
#define NR_CLOSE_RANGE 436
#define NR_PWRITE 18
#define NR_MMAP 9
#define NR_NANOSLEEP 35
#define NR_EXIT 60

static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "+a"(nr)
			 : "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return nr;
}

/* The migration point: the only nanosleep, with its two labels. */
__attribute__((noinline)) static long wait_tick(const void *ts)
{
	long nr = NR_NANOSLEEP;
	__asm__ volatile(".globl crimg_migrate_tick\n"
			 "crimg_migrate_tick:\n\t"
			 "syscall\n"
			 ".globl crimg_migrate_tick_end\n"
			 "crimg_migrate_tick_end:"
			 : "+a"(nr)
			 : "D"(ts), "S"(0L)
			 : "rcx", "r11", "memory");
	return nr;
}

/* The entry: the kernel leaves argc at the stack pointer. */
__asm__(".text\n.globl _start\n_start:\n\t"
	"xor %ebp, %ebp\n\t"
	"mov %rsp, %rdi\n\t"
	"and $-16, %rsp\n\t"
	"call demo_main\n\t"
	"hlt\n");
#elif defined(__aarch64__)
#define ARCH "aarch64"
#define NR_OPENAT 56
#define NR_CLOSE_RANGE 436
#define NR_PWRITE 68
#define NR_MMAP 222
#define NR_NANOSLEEP 101
#define NR_EXIT 93

static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

__attribute__((noinline)) static long wait_tick(const void *ts)
{
	register long x8 __asm__("x8") = NR_NANOSLEEP;
	register long x0 __asm__("x0") = (long)ts;
	register long x1 __asm__("x1") = 0;
	__asm__ volatile(".globl crimg_migrate_tick\n"
			 "crimg_migrate_tick:\n\t"
			 "svc #0\n"
			 ".globl crimg_migrate_tick_end\n"
			 "crimg_migrate_tick_end:"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1)
			 : "memory");
	return x0;
}

__asm__(".text\n.globl _start\n_start:\n\t"
	"mov x29, #0\n\t"
	"mov x30, #0\n\t"
	"mov x0, sp\n\t"
	"bl demo_main\n\t"
	"brk #0\n");
#else
#error "counter is built for x86_64 and aarch64"
#endif

struct state st = { .magic = 0x6f6d6564676d6972UL }; /* "rimgdemo" */

static void put_u64(char **p, u64 v)
{
	char tmp[20];
	int n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*(*p)++ = tmp[--n];
}

static void put_str(char **p, const char *s)
{
	while (*s)
		*(*p)++ = *s++;
}

static void write_line(void)
{
	char line[LINE_LEN];
	char *p = line;
	u64 sum = 0;
	for (int i = 0; i < HEAP_SLOTS; i++)
		sum += st.heap[i];
	put_str(&p, "count=");
	put_u64(&p, st.count);
	put_str(&p, " heap_sum=");
	put_u64(&p, st.heap_sum);
	put_str(&p, sum == st.heap_sum ? " heap=ok" : " heap=BAD");
	put_str(&p, " started=");
	put_str(&p, st.started);
	put_str(&p, " now=" ARCH);
	while (p < line + LINE_LEN - 1)
		*p++ = ' ';
	*p = '\n';
	sys6(NR_PWRITE, st.fd, (long)line, LINE_LEN, 0, 0, 0);
}

/* The loop; a moved process enters it again here (the migration point's
 * resume symbol): nothing it needs is in registers or on the stack. */
__attribute__((noreturn, noinline, used)) void crimg_resume_tick(void)
{
	static const struct {
		long sec, nsec;
	} one_second = { 1, 0 };
	for (;;) {
		st.count++;
		st.heap[st.count % HEAP_SLOTS] += st.count;
		st.heap_sum += st.count;
		write_line();
		wait_tick(&one_second);
	}
}

__attribute__((noreturn, used)) void demo_main(long *sp)
{
	long argc = sp[0];
	const char *path = argc > 1 ? (const char *)sp[2] : "counter.state";
	/* nothing inherited: the state file is the one file a restore needs */
	sys6(NR_CLOSE_RANGE, 0, ~0U, 0, 0, 0, 0);
	/* O_RDWR | O_CREAT | O_TRUNC: the same values on both architectures */
	st.fd = sys6(NR_OPENAT, -100, (long)path, 02 | 0100 | 01000, 0644, 0, 0);
	/* PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED */
	long heap = sys6(NR_MMAP, (long)HEAP_ADDR, HEAP_SLOTS * 8, 3, 0x02 | 0x20 | 0x10, -1, 0);
	if (st.fd < 0 || heap != (long)HEAP_ADDR)
		sys6(NR_EXIT, 1, 0, 0, 0, 0, 0);
	st.heap = (u64 *)heap;
	const char *a = ARCH;
	for (int i = 0; a[i] && i < 7; i++)
		st.started[i] = a[i];
	crimg_resume_tick();
}
