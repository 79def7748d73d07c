/*
 * Pending signals: CRIU keeps each queued signal as the raw siginfo_t that
 * PTRACE_PEEKSIGINFO gave it (bytes in the dump machine's order and its
 * word size).  Which members of the union are meaningful depends on
 * si_code and the signal, as the kernel decides (siginfo_layout() in
 * kernel/signal.c): that is what is decoded here.
 */
#include <string.h>

#include "core.pb-c.h"
#include "siginfo.pb-c.h"

#include "model/model_int.h"

/* si_code values (include/uapi/asm-generic/siginfo.h) */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TIMER (-2)
#define SI_SIGIO (-5)

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
#define NSIGPOLL 6

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

struct rd {
	const uint8_t *p;
	size_t len;
	enum crimg_byte_order bo;
	int ok; /* every read so far was inside the bytes */
};

static uint32_t rd32(struct rd *r, size_t off)
{
	if (off + 4 > r->len) {
		r->ok = 0;
		return 0;
	}
	return crimg_load_u32(r->p + off, r->bo);
}

/* a long or a pointer: 8 bytes, or 4 on a 32-bit machine */
static uint64_t rdword(struct rd *r, size_t off, size_t word)
{
	if (word == 4)
		return rd32(r, off);
	if (off + 8 > r->len) {
		r->ok = 0;
		return 0;
	}
	uint64_t lo = crimg_load_u32(r->p + off, r->bo), hi = crimg_load_u32(r->p + off + 4, r->bo);
	return r->bo == CRIMG_LITTLE_ENDIAN ? hi << 32 | lo : lo << 32 | hi;
}

void crimg_siginfo_decode(const uint8_t *raw, size_t len, unsigned mtype, enum crimg_byte_order bo,
			  struct crimg_siginfo *si)
{
	memset(si, 0, sizeof(*si));
	si->raw = raw;
	si->raw_len = len;
	struct rd r = { raw, len, bo, 1 };
	/* 32-bit ARM has 4-byte words and its union right after the three
	 * ints; the 64-bit machines pad them to 16 */
	size_t word = mtype == CORE_ENTRY__MARCH__ARM ? 4 : 8, u = word == 4 ? 12 : 16;
	si->signo = (int32_t)rd32(&r, 0);
	/* MIPS alone has si_code before si_errno */
	int mips = mtype == CORE_ENTRY__MARCH__MIPS;
	si->err = (int32_t)rd32(&r, mips ? 8 : 4);
	si->code = (int32_t)rd32(&r, mips ? 4 : 8);
	if (!r.ok) {
		si->layout = CRIMG_SI_SHORT;
		return;
	}
	si->layout = layout_of(si->signo, si->code);
	switch (si->layout) {
	case CRIMG_SI_KILL:
	case CRIMG_SI_RT:
	case CRIMG_SI_CHLD:
		si->pid = (int32_t)rd32(&r, u);
		si->uid = rd32(&r, u + 4);
		if (si->layout == CRIMG_SI_RT)
			si->value = rdword(&r, u + 8, word);
		if (si->layout == CRIMG_SI_CHLD)
			si->status = (int32_t)rd32(&r, u + 8);
		break;
	case CRIMG_SI_TIMER:
		si->timerid = (int32_t)rd32(&r, u);
		si->overrun = (int32_t)rd32(&r, u + 4);
		si->value = rdword(&r, u + 8, word);
		break;
	case CRIMG_SI_POLL:
		si->band = (int64_t)rdword(&r, u, word);
		if (word == 4)
			si->band = (int32_t)si->band;
		si->fd = (int32_t)rd32(&r, u + word);
		break;
	case CRIMG_SI_FAULT:
		si->addr = rdword(&r, u, word);
		break;
	case CRIMG_SI_SYS:
		si->addr = rdword(&r, u, word);
		si->syscall = (int32_t)rd32(&r, u + word);
		si->arch = rd32(&r, u + word + 4);
		break;
	default:
		break;
	}
	if (!r.ok)
		si->layout = CRIMG_SI_SHORT; /* cut short: only signo, errno, code hold */
}

const char *crimg_si_code_name(int32_t signo, int32_t code)
{
	switch (code) {
	case SI_USER:
		return "SI_USER";
	case SI_KERNEL:
		return "SI_KERNEL";
	case -1:
		return "SI_QUEUE";
	case SI_TIMER:
		return "SI_TIMER";
	case -3:
		return "SI_MESGQ";
	case -4:
		return "SI_ASYNCIO";
	case SI_SIGIO:
		return "SI_SIGIO";
	case -6:
		return "SI_TKILL";
	case -7:
		return "SI_DETHREAD";
	case -60:
		return "SI_ASYNCNL";
	default:
		break;
	}
	static const char *const chld[] = { "CLD_EXITED",  "CLD_KILLED",  "CLD_DUMPED",
					    "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED" };
	static const char *const segv[] = { "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR",
					    "SEGV_PKUERR" };
	static const char *const bus[] = { "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR" };
	static const char *const poll[] = { "POLL_IN",  "POLL_OUT", "POLL_MSG",
					    "POLL_ERR", "POLL_PRI", "POLL_HUP" };
	if (signo == 17 && code >= 1 && code <= 6)
		return chld[code - 1];
	if (signo == 11 && code >= 1 && code <= 4)
		return segv[code - 1];
	if (signo == 7 && code >= 1 && code <= 3)
		return bus[code - 1];
	if (signo == 29 && code >= 1 && code <= 6)
		return poll[code - 1];
	return NULL;
}

int model_siginfos(struct crimg_model *m, const SignalQueueEntry *q, const SiginfoEntry *const *old,
		   size_t n_old, unsigned mtype, enum crimg_byte_order bo,
		   const struct crimg_siginfo **out, size_t *n, struct crimg_error *err)
{
	SiginfoEntry *const *v = q ? q->signals : (SiginfoEntry *const *)old;
	size_t cnt = q ? q->n_signals : n_old;
	*out = NULL;
	*n = 0;
	if (!cnt)
		return 0;
	struct crimg_siginfo *s = model_alloc(m, cnt * sizeof(*s));
	if (!s)
		return model_oom(err, "core");
	for (size_t i = 0; i < cnt; i++)
		crimg_siginfo_decode(v[i]->siginfo.data, v[i]->siginfo.len, mtype, bo, &s[i]);
	*out = s;
	*n = cnt;
	return 0;
}
