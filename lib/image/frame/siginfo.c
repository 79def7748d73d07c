/*
 * Where a raw siginfo_t keeps its integers.  CRIU saves each pending
 * signal as the siginfo_t PTRACE_PEEKSIGINFO gave it: bytes in the dump
 * machine's order and word size.  Which members of its union hold
 * something depends on si_code and the signal, as the kernel decides
 * (siginfo_layout() in kernel/signal.c).  One description serves both the
 * model, which reads the members, and crit convert --byte-order, which
 * turns each of them around: they cannot disagree.
 */
#include <string.h>

#include "core.pb-c.h"

#include "frame/frame.h"

/* si_code values (include/uapi/asm-generic/siginfo.h) */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TIMER (-2)
#define SI_SIGIO (-5)
#define NSIGPOLL 6

/* the kernel's per-signal code limits: a code above one is not that
 * signal's own and is read as poll (or kill) data */
static const struct {
	int signo;
	int32_t limit;
	enum crimg_si_layout layout;
} own_codes[] = {
	{ 4, 11, CRIMG_SI_FAULT },  /* SIGILL, NSIGILL */
	{ 5, 6, CRIMG_SI_FAULT },   /* SIGTRAP, NSIGTRAP */
	{ 7, 5, CRIMG_SI_FAULT },   /* SIGBUS, NSIGBUS */
	{ 8, 15, CRIMG_SI_FAULT },  /* SIGFPE, NSIGFPE */
	{ 11, 10, CRIMG_SI_FAULT }, /* SIGSEGV, NSIGSEGV */
	{ 17, 6, CRIMG_SI_CHLD },   /* SIGCHLD, NSIGCHLD */
	{ 29, 6, CRIMG_SI_POLL },   /* SIGPOLL, NSIGPOLL */
	{ 31, 2, CRIMG_SI_SYS },    /* SIGSYS, NSIGSYS */
};

static enum crimg_si_layout layout_of(int32_t signo, int32_t code)
{
	if (code > SI_USER && code < SI_KERNEL) {
		for (size_t i = 0; i < sizeof(own_codes) / sizeof(own_codes[0]); i++)
			if (own_codes[i].signo == signo && code <= own_codes[i].limit)
				return own_codes[i].layout;
		return code <= NSIGPOLL ? CRIMG_SI_POLL : CRIMG_SI_KILL;
	}
	if (code == SI_TIMER)
		return CRIMG_SI_TIMER;
	if (code == SI_SIGIO)
		return CRIMG_SI_POLL;
	return code < 0 ? CRIMG_SI_RT : CRIMG_SI_KILL;
}

struct si_build {
	struct crimg_si_int *f;
	size_t n;
	size_t len;  /* of the raw bytes */
	int missing; /* a member the layout needs lies past the end */
};

/* A member the model reads: its absence cuts the layout short. */
static void need(struct si_build *b, enum crimg_si_member m, size_t off, size_t size)
{
	if (off + size > b->len) {
		b->missing = 1;
		return;
	}
	b->f[b->n++] = (struct crimg_si_int){ (uint16_t)off, (uint8_t)size, (uint8_t)m };
}

/* One only turned around, when the bytes hold it. */
static void may(struct si_build *b, enum crimg_si_member m, size_t off, size_t size)
{
	if (off + size <= b->len)
		b->f[b->n++] = (struct crimg_si_int){ (uint16_t)off, (uint8_t)size, (uint8_t)m };
}

size_t crimg_siginfo_ints(const uint8_t *raw, size_t len, unsigned mtype, enum crimg_byte_order bo,
			  enum crimg_si_layout *layout, struct crimg_si_int f[CRIMG_SI_MAX])
{
	struct si_build b = { f, 0, len, 0 };
	/* 32-bit ARM has 4-byte words and its union right after the three
	 * ints; the 64-bit machines pad them to 16 */
	size_t word = mtype == CORE_ENTRY__MARCH__ARM ? 4 : 8, u = word == 4 ? 12 : 16;
	/* MIPS alone has si_code before si_errno */
	int mips = mtype == CORE_ENTRY__MARCH__MIPS;
	need(&b, CRIMG_SI_M_SIGNO, 0, 4);
	need(&b, CRIMG_SI_M_ERRNO, mips ? 8 : 4, 4);
	need(&b, CRIMG_SI_M_CODE, mips ? 4 : 8, 4);
	*layout = CRIMG_SI_SHORT;
	if (b.missing)
		return b.n;
	int32_t signo = (int32_t)crimg_load_u32(raw, bo);
	int32_t code = (int32_t)crimg_load_u32(raw + (mips ? 4 : 8), bo);
	enum crimg_si_layout l = layout_of(signo, code);
	switch (l) {
	case CRIMG_SI_KILL:
	case CRIMG_SI_RT:
	case CRIMG_SI_CHLD:
		need(&b, CRIMG_SI_M_PID, u, 4);
		need(&b, CRIMG_SI_M_UID, u + 4, 4);
		if (l == CRIMG_SI_RT)
			need(&b, CRIMG_SI_M_VALUE, u + 8, word);
		if (l == CRIMG_SI_CHLD) {
			need(&b, CRIMG_SI_M_STATUS, u + 8, 4);
			/* clock_t utime and stime, aligned to a word */
			size_t t = (u + 12 + word - 1) / word * word;
			may(&b, CRIMG_SI_M_UTIME, t, word);
			may(&b, CRIMG_SI_M_STIME, t + word, word);
		}
		break;
	case CRIMG_SI_TIMER:
		need(&b, CRIMG_SI_M_TIMERID, u, 4);
		need(&b, CRIMG_SI_M_OVERRUN, u + 4, 4);
		need(&b, CRIMG_SI_M_VALUE, u + 8, word);
		break;
	case CRIMG_SI_POLL:
		need(&b, CRIMG_SI_M_BAND, u, word);
		need(&b, CRIMG_SI_M_FD, u + word, 4);
		break;
	case CRIMG_SI_FAULT:
		/* what follows the address depends on the code (addr_lsb,
		 * bounds, pkey, perf data): only the address is known */
		need(&b, CRIMG_SI_M_ADDR, u, word);
		break;
	case CRIMG_SI_SYS:
		need(&b, CRIMG_SI_M_ADDR, u, word);
		need(&b, CRIMG_SI_M_SYSCALL, u + word, 4);
		need(&b, CRIMG_SI_M_ARCH, u + word + 4, 4);
		break;
	default:
		break;
	}
	if (b.missing) {
		b.n = 3; /* cut short: only signo, errno and code hold */
		return b.n;
	}
	*layout = l;
	return b.n;
}

void crimg_siginfo_swap(uint8_t *raw, size_t len, unsigned mtype, enum crimg_byte_order from)
{
	struct crimg_si_int f[CRIMG_SI_MAX];
	enum crimg_si_layout layout;
	/* the layout is read before any member is turned around */
	size_t n = crimg_siginfo_ints(raw, len, mtype, from, &layout, f);
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = raw + f[i].off;
		for (size_t a = 0, z = f[i].size - 1u; a < z; a++, z--) {
			uint8_t t = p[a];
			p[a] = p[z];
			p[z] = t;
		}
	}
}
