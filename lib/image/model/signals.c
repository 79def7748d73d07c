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

#include "frame/frame.h"
#include "model/model_int.h"

/* si_code values (include/uapi/asm-generic/siginfo.h) */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TIMER (-2)
#define SI_SIGIO (-5)

/* A member of 4 bytes or a word (8, or 4 on 32-bit ARM), in byte order bo. */
static uint64_t load(const uint8_t *p, size_t size, enum crimg_byte_order bo)
{
	if (size == 4)
		return crimg_load_u32(p, bo);
	uint64_t a = crimg_load_u32(p, bo), b = crimg_load_u32(p + 4, bo);
	return bo == CRIMG_LITTLE_ENDIAN ? b << 32 | a : a << 32 | b;
}

void crimg_siginfo_decode(const uint8_t *raw, size_t len, unsigned mtype, enum crimg_byte_order bo,
			  struct crimg_siginfo *si)
{
	memset(si, 0, sizeof(*si));
	si->raw = raw;
	si->raw_len = len;
	/* where each member is: frame/siginfo.c, which crit convert
	 * --byte-order follows too */
	struct crimg_si_int f[CRIMG_SI_MAX];
	size_t n = crimg_siginfo_ints(raw, len, mtype, bo, &si->layout, f);
	for (size_t i = 0; i < n; i++) {
		uint64_t v = load(raw + f[i].off, f[i].size, bo);
		/* a signed long of a 32-bit machine */
		int64_t sv = f[i].size == 4 ? (int32_t)v : (int64_t)v;
		switch ((enum crimg_si_member)f[i].member) {
		case CRIMG_SI_M_SIGNO:
			si->signo = (int32_t)v;
			break;
		case CRIMG_SI_M_ERRNO:
			si->err = (int32_t)v;
			break;
		case CRIMG_SI_M_CODE:
			si->code = (int32_t)v;
			break;
		case CRIMG_SI_M_PID:
			si->pid = (int32_t)v;
			break;
		case CRIMG_SI_M_UID:
			si->uid = (uint32_t)v;
			break;
		case CRIMG_SI_M_STATUS:
			si->status = (int32_t)v;
			break;
		case CRIMG_SI_M_VALUE:
			si->value = v;
			break;
		case CRIMG_SI_M_TIMERID:
			si->timerid = (int32_t)v;
			break;
		case CRIMG_SI_M_OVERRUN:
			si->overrun = (int32_t)v;
			break;
		case CRIMG_SI_M_BAND:
			si->band = sv;
			break;
		case CRIMG_SI_M_FD:
			si->fd = (int32_t)v;
			break;
		case CRIMG_SI_M_ADDR:
			si->addr = v;
			break;
		case CRIMG_SI_M_SYSCALL:
			si->syscall = (int32_t)v;
			break;
		case CRIMG_SI_M_ARCH:
			si->arch = (uint32_t)v;
			break;
		default: /* utime, stime: not shown */
			break;
		}
	}
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
