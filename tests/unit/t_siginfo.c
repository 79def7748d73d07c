/* Pending signals: raw siginfo_t bytes decoded for each machine's layout. */
#include "core.pb-c.h"
#include "crimg/model.h"
#include "frame/frame.h"
#include "unit.h"

static void put32(uint8_t *p, uint32_t v, int big)
{
	for (int i = 0; i < 4; i++)
		p[big ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v, int big)
{
	put32(p + (big ? 4 : 0), (uint32_t)v, big);
	put32(p + (big ? 0 : 4), (uint32_t)(v >> 32), big);
}

/* sigqueue(SIGUSR1, 0x7f3a) from pid 4242, uid 1000, on a 64-bit machine */
static void queued64(uint8_t *b, int big)
{
	memset(b, 0, 128);
	put32(b, 10, big);
	put32(b + 8, (uint32_t)-1, big);
	put32(b + 16, 4242, big);
	put32(b + 20, 1000, big);
	put64(b + 24, 0x7f3a, big);
}

TEST(siginfo_rt_both_byte_orders)
{
	uint8_t b[128];
	struct crimg_siginfo si;
	for (int big = 0; big < 2; big++) {
		queued64(b, big);
		crimg_siginfo_decode(b, sizeof(b),
				     big ? CORE_ENTRY__MARCH__S390 : CORE_ENTRY__MARCH__X86_64,
				     big ? CRIMG_BIG_ENDIAN : CRIMG_LITTLE_ENDIAN, &si);
		EXPECT(si.signo == 10 && si.code == -1 && si.err == 0);
		EXPECT(si.layout == CRIMG_SI_RT);
		EXPECT(si.pid == 4242 && si.uid == 1000 && si.value == 0x7f3a);
		EXPECT(si.raw == b && si.raw_len == 128);
	}
	EXPECT_STR(crimg_si_code_name(10, -1), "SI_QUEUE");
}

TEST(siginfo_layouts_by_code_and_signal)
{
	uint8_t b[128] = { 0 };
	struct crimg_siginfo si;
	struct {
		int signo, code;
		enum crimg_si_layout layout;
	} cases[] = {
		{ 15, 0, CRIMG_SI_KILL },  { 9, 0x80, CRIMG_SI_KILL }, { 14, -2, CRIMG_SI_TIMER },
		{ 29, -5, CRIMG_SI_POLL }, { 12, -6, CRIMG_SI_RT },    { 11, 1, CRIMG_SI_FAULT },
		{ 17, 1, CRIMG_SI_CHLD },  { 29, 2, CRIMG_SI_POLL },   { 31, 1, CRIMG_SI_SYS },
		{ 10, 3, CRIMG_SI_POLL },  { 10, 7, CRIMG_SI_KILL },   { 7, 6, CRIMG_SI_POLL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put32(b, (uint32_t)cases[i].signo, 0);
		put32(b + 8, (uint32_t)cases[i].code, 0);
		crimg_siginfo_decode(b, sizeof(b), CORE_ENTRY__MARCH__X86_64, CRIMG_LITTLE_ENDIAN,
				     &si);
		EXPECT(si.layout == cases[i].layout);
	}
}

TEST(siginfo_arm32_and_mips)
{
	/* 32-bit ARM: the union right after the three ints, 4-byte values */
	uint8_t b[128] = { 0 };
	struct crimg_siginfo si;
	put32(b, 14, 0);
	put32(b + 8, (uint32_t)-2, 0);
	put32(b + 12, 3, 0);
	put32(b + 16, 2, 0);
	put32(b + 20, 0x99, 0);
	put32(b + 24, 0xffffffff, 0); /* not part of a 4-byte sigval */
	crimg_siginfo_decode(b, sizeof(b), CORE_ENTRY__MARCH__ARM, CRIMG_LITTLE_ENDIAN, &si);
	EXPECT(si.layout == CRIMG_SI_TIMER && si.timerid == 3 && si.overrun == 2 &&
	       si.value == 0x99);
	/* MIPS: si_code before si_errno */
	memset(b, 0, sizeof(b));
	put32(b, 15, 1);
	put32(b + 4, 0, 1);
	put32(b + 8, 5, 1);
	put32(b + 16, 77, 1);
	crimg_siginfo_decode(b, sizeof(b), CORE_ENTRY__MARCH__MIPS, CRIMG_BIG_ENDIAN, &si);
	EXPECT(si.code == 0 && si.err == 5 && si.layout == CRIMG_SI_KILL && si.pid == 77);
}

TEST(siginfo_short)
{
	uint8_t b[128];
	struct crimg_siginfo si;
	queued64(b, 0);
	crimg_siginfo_decode(b, 26, CORE_ENTRY__MARCH__X86_64, CRIMG_LITTLE_ENDIAN, &si);
	EXPECT(si.layout == CRIMG_SI_SHORT && si.signo == 10 && si.code == -1);
	crimg_siginfo_decode(b, 10, CORE_ENTRY__MARCH__X86_64, CRIMG_LITTLE_ENDIAN, &si);
	EXPECT(si.layout == CRIMG_SI_SHORT && si.signo == 10 && si.raw_len == 10);
	crimg_siginfo_decode(NULL, 0, CORE_ENTRY__MARCH__X86_64, CRIMG_LITTLE_ENDIAN, &si);
	EXPECT(si.layout == CRIMG_SI_SHORT && si.signo == 0);
}

/* crit convert --byte-order: a siginfo_t turned around is the one a machine
 * of the other order saves, member by member, and reads back the same. */
TEST(siginfo_swap_gives_the_other_order)
{
	uint8_t b[128], want[128];
	struct crimg_siginfo a, z;
	for (int big = 0; big < 2; big++) {
		queued64(b, big);
		crimg_siginfo_decode(b, sizeof(b), CORE_ENTRY__MARCH__X86_64,
				     big ? CRIMG_BIG_ENDIAN : CRIMG_LITTLE_ENDIAN, &a);
		crimg_siginfo_swap(b, sizeof(b), CORE_ENTRY__MARCH__X86_64,
				   big ? CRIMG_BIG_ENDIAN : CRIMG_LITTLE_ENDIAN);
		queued64(want, !big);
		EXPECT(memcmp(b, want, sizeof(b)) == 0);
		crimg_siginfo_decode(b, sizeof(b), CORE_ENTRY__MARCH__X86_64,
				     big ? CRIMG_LITTLE_ENDIAN : CRIMG_BIG_ENDIAN, &z);
		EXPECT(z.layout == a.layout && z.pid == a.pid && z.uid == a.uid &&
		       z.value == a.value && z.signo == a.signo && z.code == a.code);
	}
	/* 32-bit ARM's 4-byte sigval: the word after it stays as it was */
	memset(b, 0, sizeof(b));
	put32(b, 14, 0);
	put32(b + 8, (uint32_t)-2, 0);
	put32(b + 12, 3, 0);
	put32(b + 16, 2, 0);
	put32(b + 20, 0x99, 0);
	put32(b + 24, 0x11223344, 0);
	crimg_siginfo_swap(b, sizeof(b), CORE_ENTRY__MARCH__ARM, CRIMG_LITTLE_ENDIAN);
	memset(want, 0, sizeof(want));
	put32(want, 14, 1);
	put32(want + 8, (uint32_t)-2, 1);
	put32(want + 12, 3, 1);
	put32(want + 16, 2, 1);
	put32(want + 20, 0x99, 1);
	put32(want + 24, 0x11223344, 0);
	EXPECT(memcmp(b, want, sizeof(b)) == 0);
	/* cut short: the three ints turned, the bytes of a member the layout
	 * has no room for left alone */
	queued64(b, 0);
	crimg_siginfo_swap(b, 26, CORE_ENTRY__MARCH__X86_64, CRIMG_LITTLE_ENDIAN);
	queued64(want, 0);
	put32(want, 10, 1);
	put32(want + 8, (uint32_t)-1, 1);
	EXPECT(memcmp(b, want, sizeof(b)) == 0);
	crimg_siginfo_swap(NULL, 0, CORE_ENTRY__MARCH__X86_64, CRIMG_LITTLE_ENDIAN);
}
