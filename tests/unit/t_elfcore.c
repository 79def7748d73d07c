/* crit core's writer: note records, register layouts (x86 XSAVE with XCR0,
 * aarch64, big-endian s390x), and a whole core of the demo sample read
 * back: every PT_LOAD's bytes equal what the memory reader gives. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core-aarch64.pb-c.h"
#include "core-s390.pb-c.h"
#include "core-x86.pb-c.h"
#include "crimg/elfcore.h"
#include "crimg/mem.h"
#include "elfcore/elfcore_int.h"
#include "unit.h"

static uint64_t get(const uint8_t *p, unsigned n, int big)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[big ? n - 1 - i : i] << (8 * i);
	return v;
}

TEST(elfcore_note_records_both_byte_orders)
{
	for (int big = 0; big < 2; big++) {
		struct ec_notes n = { 0 };
		ec_buf_init(&n.b, big);
		size_t at = ec_note_begin(&n, "LINUX", 0x202);
		ec_u16(&n.b, 0x1234);
		ec_u8(&n.b, 7);
		ec_note_end(&n, at);
		/* namesz 6 ("LINUX\0") padded to 8, desc 3 padded to 4 */
		EXPECT(n.b.len == 12 + 8 + 4);
		EXPECT(get(n.b.p, 4, big) == 6 && get(n.b.p + 4, 4, big) == 3);
		EXPECT(get(n.b.p + 8, 4, big) == 0x202);
		EXPECT(!memcmp(n.b.p + 12, "LINUX\0\0\0", 8));
		EXPECT(get(n.b.p + 20, 2, big) == 0x1234 && n.b.p[22] == 7 && n.b.p[23] == 0);
		EXPECT(n.n == 1);
		ec_buf_free(&n.b);
	}
}

/* A note's descriptor: its type and bytes, found by walking the records. */
static const uint8_t *find_note(const struct ec_buf *b, uint32_t type, size_t *len)
{
	size_t off = 0;
	while (off + 12 <= b->len) {
		size_t nl = (size_t)get(b->p + off, 4, b->big),
		       dl = (size_t)get(b->p + off + 4, 4, b->big);
		uint32_t t = (uint32_t)get(b->p + off + 8, 4, b->big);
		size_t desc = off + 12 + ((nl + 3) & ~(size_t)3);
		if (t == type) {
			*len = dl;
			return b->p + desc;
		}
		off = desc + ((dl + 3) & ~(size_t)3);
	}
	return NULL;
}

TEST(elfcore_x86_xstate_xcr0_and_components)
{
	uint32_t st[32], xmm[64], ymmh[64], pkru[1] = { 0x55555554 };
	uint64_t opmask[8], zmm[64], hi16[128];
	for (unsigned i = 0; i < 64; i++) {
		xmm[i] = 0x1000 + i;
		ymmh[i] = 0x2000 + i;
		zmm[i] = 0x3000 + i;
	}
	for (unsigned i = 0; i < 32; i++)
		st[i] = i;
	for (unsigned i = 0; i < 8; i++)
		opmask[i] = 0x4000 + i;
	for (unsigned i = 0; i < 128; i++)
		hi16[i] = 0x5000 + i;
	UserX86XsaveEntry xs = USER_X86_XSAVE_ENTRY__INIT;
	xs.xstate_bv = 0x2e7;
	xs.n_ymmh_space = 64, xs.ymmh_space = ymmh;
	xs.n_opmask_reg = 8, xs.opmask_reg = opmask;
	xs.n_zmm_upper = 64, xs.zmm_upper = zmm;
	xs.n_hi16_zmm = 128, xs.hi16_zmm = hi16;
	xs.n_pkru = 1, xs.pkru = pkru;
	UserX86FpregsEntry fp = USER_X86_FPREGS_ENTRY__INIT;
	fp.cwd = 0x37f, fp.mxcsr = 0x1f80, fp.mxcsr_mask = 0xffff;
	fp.n_st_space = 32, fp.st_space = st, fp.n_xmm_space = 64, fp.xmm_space = xmm;
	fp.xsave = &xs;
	ThreadInfoX86 ti = THREAD_INFO_X86__INIT;
	ti.fpregs = &fp;
	struct crimg_thread th = { .tid = 7 };
	th.regs.thread_info = &ti.base;

	struct ec_notes n = { 0 };
	ec_buf_init(&n.b, 0);
	uint64_t xcr0 = 0;
	struct crimg_error err;
	crimg_error_clear(&err);
	EXPECT(ec_arch_x86_64.fpnotes(&n, &th, "core-7.img", NULL, &xcr0, &err) == 0);
	EXPECT(xcr0 == 0x2e7);
	size_t len = 0;
	const uint8_t *fx = find_note(&n.b, EC_NT_FPREGSET, &len);
	EXPECT(fx && len == 512 && get(fx, 2, 0) == 0x37f && get(fx + 24, 4, 0) == 0x1f80);
	EXPECT(fx && get(fx + 160, 4, 0) == 0x1000 && get(fx + 464, 8, 0) == 0);
	const uint8_t *x = find_note(&n.b, EC_NT_X86_XSTATE, &len);
	/* the standard form's end with PKRU: 2688 + 8 */
	EXPECT(x && len == 2696);
	if (x && len == 2696) {
		EXPECT(get(x + 464, 8, 0) == 0x2e7); /* XCR0 where gdb reads it */
		EXPECT(get(x + 512, 8, 0) == 0x2e7); /* XSTATE_BV */
		EXPECT(get(x + 520, 8, 0) == 0);     /* XCOMP_BV: not compacted */
		EXPECT(get(x + 576, 4, 0) == 0x2000 && get(x + 576 + 63 * 4, 4, 0) == 0x203f);
		EXPECT(get(x + 1088, 8, 0) == 0x4000 && get(x + 1152, 8, 0) == 0x3000);
		EXPECT(get(x + 1664 + 127 * 8, 8, 0) == 0x507f);
		EXPECT(get(x + 2688, 4, 0) == 0x55555554);
	}
	ec_buf_free(&n.b);

	/* too many words for a component is the image's fault, named */
	xs.n_opmask_reg = 9;
	uint64_t big9[9] = { 0 };
	xs.opmask_reg = big9;
	ec_buf_init(&n.b, 0);
	EXPECT(ec_arch_x86_64.fpnotes(&n, &th, "core-7.img", NULL, &xcr0, &err) < 0);
	EXPECT(!strcmp(err.file, "core-7.img") && strstr(err.msg, "component 5"));
	ec_buf_free(&n.b);

	/* AVX only: 832 bytes, XCR0 7 */
	xs.n_opmask_reg = 0, xs.n_zmm_upper = 0, xs.n_hi16_zmm = 0, xs.n_pkru = 0;
	xs.xstate_bv = 2;
	ec_buf_init(&n.b, 0);
	n.n = 0;
	EXPECT(ec_arch_x86_64.fpnotes(&n, &th, "core-7.img", NULL, &xcr0, &err) == 0);
	x = find_note(&n.b, EC_NT_X86_XSTATE, &len);
	EXPECT(x && len == 832 && xcr0 == 7 && get(x + 464, 8, 0) == 7);
	ec_buf_free(&n.b);
}

TEST(elfcore_gregs_layouts)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	/* aarch64: x0..x30, sp, pc, pstate, little-endian */
	uint64_t r[31];
	for (unsigned i = 0; i < 31; i++)
		r[i] = 0xa000 + i;
	UserAarch64RegsEntry ar = USER_AARCH64_REGS_ENTRY__INIT;
	ar.n_regs = 31, ar.regs = r, ar.sp = 0x5b, ar.pc = 0x9c, ar.pstate = 0x80001000;
	ThreadInfoAarch64 ta = THREAD_INFO_AARCH64__INIT;
	ta.gpregs = &ar;
	struct crimg_thread th = { .tid = 3 };
	th.regs.thread_info = &ta.base;
	struct ec_buf b;
	ec_buf_init(&b, 0);
	EXPECT(ec_arch_aarch64.gregs(&b, &th, "core-3.img", &err) == 0);
	EXPECT(b.len == ec_arch_aarch64.greg_size && b.len == 272);
	EXPECT(get(b.p + 30 * 8, 8, 0) == 0xa01e && get(b.p + 31 * 8, 8, 0) == 0x5b);
	EXPECT(get(b.p + 33 * 8, 8, 0) == 0x80001000);
	ec_buf_free(&b);
	ar.n_regs = 30; /* a short list is refused, not read past */
	ec_buf_init(&b, 0);
	EXPECT(ec_arch_aarch64.gregs(&b, &th, "core-3.img", &err) < 0);
	ec_buf_free(&b);

	/* s390x: big-endian PSW, r0..r15, 32-bit access registers */
	uint64_t g[16];
	uint32_t a[16];
	for (unsigned i = 0; i < 16; i++)
		g[i] = 0x100 + i, a[i] = 0x200 + i;
	UserS390RegsEntry sr = USER_S390_REGS_ENTRY__INIT;
	sr.psw_mask = 0x0705000180000000ull, sr.psw_addr = 0x3ffa20dbb7aull;
	sr.n_gprs = 16, sr.gprs = g, sr.n_acrs = 16, sr.acrs = a, sr.orig_gpr2 = 0x77;
	ThreadInfoS390 ts = THREAD_INFO_S390__INIT;
	ts.gpregs = &sr;
	th.regs.thread_info = &ts.base;
	ec_buf_init(&b, 1);
	EXPECT(ec_arch_s390x.gregs(&b, &th, "core-3.img", &err) == 0);
	EXPECT(b.len == ec_arch_s390x.greg_size && b.len == 216);
	EXPECT(b.p[0] == 0x07 && b.p[1] == 0x05); /* most significant byte first */
	EXPECT(get(b.p + 8, 8, 1) == 0x3ffa20dbb7aull && get(b.p + 16 + 15 * 8, 8, 1) == 0x10f);
	EXPECT(get(b.p + 144, 4, 1) == 0x200 && get(b.p + 208, 8, 1) == 0x77);
	ec_buf_free(&b);
	/* another architecture's thread_info is not read as this one's */
	ec_buf_init(&b, 1);
	th.regs.thread_info = &ta.base;
	EXPECT(ec_arch_s390x.gregs(&b, &th, "core-3.img", &err) < 0);
	ec_buf_free(&b);
}

/* ---- a whole core of the demo sample ---- */

struct elf {
	const uint8_t *p;
	size_t len;
	int big;
};

static uint64_t eget(const struct elf *e, size_t off, unsigned n)
{
	return off + n <= e->len ? get(e->p + off, n, e->big) : 0;
}

TEST(elfcore_demo_core_reads_back)
{
	const char *s = getenv("CRIMG_SAMPLES");
	char src[4096];
	snprintf(src, sizeof(src), "%s/demo", s ? s : "build/samples");
	struct crimg_error err;
	crimg_error_clear(&err);
	struct crimg_ckpt *c = crimg_ckpt_open(src, NULL, &err);
	EXPECT(c);
	if (!c)
		return;
	const struct crimg_tree *t = crimg_ckpt_tree(c, &err);
	EXPECT(t && t->n_tasks);
	if (!t || !t->n_tasks) {
		crimg_ckpt_close(c);
		return;
	}
	uint32_t pid = t->tasks[0].pid;
	char tmpl[] = "/tmp/crimg-elfcore-XXXXXX";
	int fd = mkstemp(tmpl);
	EXPECT(fd >= 0);
	if (fd < 0) {
		crimg_ckpt_close(c);
		return;
	}
	unlink(tmpl);
	struct crimg_core_summary sum;
	EXPECT(crimg_core_write_fd(c, pid, fd, "core", NULL, &sum, &err) == 0);
	struct stat st;
	EXPECT(fstat(fd, &st) == 0 && (uint64_t)st.st_size == sum.file_size);
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	EXPECT(map != MAP_FAILED);
	struct crimg_mem_opts mo = { .page_size = sum.page_size };
	struct crimg_mem *m = crimg_mem_open(c, pid, &mo, &err);
	EXPECT(m);
	if (map != MAP_FAILED && m) {
		struct elf e = { map, (size_t)st.st_size, 0 };
		EXPECT(!memcmp(e.p, "\177ELF\2\1\1", 7));
		EXPECT(eget(&e, 16, 2) == 4 && eget(&e, 18, 2) == sum.e_machine);
		size_t phnum = (size_t)eget(&e, 56, 2), loads = 0, bad = 0, checked = 0;
		EXPECT(phnum == sum.segments + 1);
		EXPECT(eget(&e, 64, 4) == 4); /* PT_NOTE first */
		uint8_t *buf = malloc(1 << 16);
		for (size_t i = 1; i < phnum && buf; i++) {
			size_t ph = 64 + i * 56;
			if (eget(&e, ph, 4) != 1)
				continue;
			loads++;
			uint64_t off = eget(&e, ph + 8, 8), va = eget(&e, ph + 16, 8);
			uint64_t fsz = eget(&e, ph + 32, 8), msz = eget(&e, ph + 40, 8);
			if (fsz && (fsz != msz || off + fsz > e.len)) {
				bad++;
				continue;
			}
			for (uint64_t k = 0; k < fsz; k += 1 << 16) {
				size_t n = fsz - k < (1 << 16) ? (size_t)(fsz - k) : (1 << 16);
				if (crimg_mem_read(m, va + k, buf, n, &err) < 0 ||
				    memcmp(buf, e.p + off + k, n))
					bad++;
				checked += n;
			}
		}
		free(buf);
		EXPECT(loads == sum.segments && bad == 0 && checked > 0);
		EXPECT(sum.threads >= 1 && sum.data > 0);
	}
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	crimg_mem_close(m);
	close(fd);
	crimg_ckpt_close(c);
}
