/*
 * elfcore/notes.c: the notes every architecture shares, laid out as the
 * kernel's 64-bit core notes are (struct elf_prstatus, elf_prpsinfo,
 * siginfo_t, the auxv, the NT_FILE table), in the core's byte order.
 */
#include <stdio.h>
#include <string.h>

#include "base/base.h"
#include "elfcore/elfcore_int.h"

/* The first signal queued for the thread, or for the process when th is
 * the main thread and nothing is queued for it alone. */
const struct crimg_siginfo *ec_pending(const struct crimg_task_core *core,
				       const struct crimg_thread *th, int main_thread)
{
	if (th->n_pending)
		return &th->pending[0];
	if (main_thread && core->n_shared_pending)
		return &core->shared_pending[0];
	return NULL;
}

const char *ec_thread_img(const struct crimg_thread *th, char *buf, size_t len)
{
	snprintf(buf, len, "core-%u.img", th->tid);
	return buf;
}

/* struct elf_prstatus (64-bit): elf_siginfo (signo, code, errno), short
 * pr_cursig, sigpend, sighold, pid, ppid, pgrp, sid, four timevals, then
 * pr_reg at 112, then int pr_fpvalid, padded to 8. */
int ec_note_prstatus(struct ec_notes *n, const struct ec_task *t, const struct crimg_thread *th,
		     int main_thread, struct crimg_error *err)
{
	(void)main_thread;
	/* pr_cursig: the kernel puts the signal being handled in every
	 * thread's status (gdb keeps the last one it reads); a checkpoint's
	 * nearest equivalent is the signal the process would take next, the
	 * first pending one of its main thread or of the process */
	const struct crimg_siginfo *si = ec_pending(t->core, &t->threads[0], 1);
	uint64_t pend = 0;
	for (size_t i = 0; i < th->n_pending; i++)
		if (th->pending[i].signo >= 1 && th->pending[i].signo <= 64)
			pend |= 1ull << (th->pending[i].signo - 1);
	size_t at = ec_note_begin(n, "CORE", EC_NT_PRSTATUS);
	size_t base = n->b.len;
	ec_u32(&n->b, si ? (uint32_t)si->signo : 0);
	ec_u32(&n->b, si ? (uint32_t)si->code : 0);
	ec_u32(&n->b, si ? (uint32_t)si->err : 0);
	ec_u16(&n->b, si ? (uint16_t)si->signo : 0);
	ec_put(&n->b, NULL, 2);
	ec_u64(&n->b, pend);
	ec_u64(&n->b, th->has_blk_sigset ? th->blk_sigset : t->core->blk_sigset);
	ec_u32(&n->b, th->tid);
	ec_u32(&n->b, t->task->ppid);
	ec_u32(&n->b, t->task->pgid);
	ec_u32(&n->b, t->task->sid);
	ec_put(&n->b, NULL, 4 * 16); /* utime, stime, cutime, cstime: not saved */
	if (n->b.len - base != 112)
		return crimg_fail(err, NULL, -1, -1,
				  "internal: elf_prstatus header is not 112 bytes");
	char img[32];
	if (t->arch->gregs(&n->b, th, ec_thread_img(th, img, sizeof(img)), err) < 0)
		return -1;
	ec_u32(&n->b, t->arch->fpvalid(th));
	if ((n->b.len - base) % 8) /* the structure's own alignment, not the buffer's */
		ec_put(&n->b, NULL, 8 - (n->b.len - base) % 8);
	ec_note_end(n, at);
	return 0;
}

/* struct elf_prpsinfo (64-bit, 136 bytes): state, sname, zomb, nice, flag,
 * uid, gid, pid, ppid, pgrp, sid, fname[16], psargs[80]. */
void ec_note_prpsinfo(struct ec_notes *n, const struct ec_task *t)
{
	static const char snames[] = "RSDTZW";
	unsigned st = t->core->state, idx = 1; /* an alive task was sleeping in the freezer */
	if (st == CRIMG_TASK_STOPPED)
		idx = 3;
	else if (st == CRIMG_TASK_ZOMBIE || st == CRIMG_TASK_DEAD)
		idx = 4;
	const struct crimg_thread *th = &t->threads[0];
	size_t at = ec_note_begin(n, "CORE", EC_NT_PRPSINFO);
	ec_u8(&n->b, (uint8_t)idx);
	ec_u8(&n->b, (uint8_t)snames[idx]);
	ec_u8(&n->b, idx == 4);
	ec_u8(&n->b, th->has_sched ? (uint8_t)(int8_t)th->sched_nice : 0);
	ec_put(&n->b, NULL, 4);
	ec_u64(&n->b, t->core->flags);
	ec_u32(&n->b, th->creds ? th->creds->uid : 0);
	ec_u32(&n->b, th->creds ? th->creds->gid : 0);
	ec_u32(&n->b, t->task->pid);
	ec_u32(&n->b, t->task->ppid);
	ec_u32(&n->b, t->task->pgid);
	ec_u32(&n->b, t->task->sid);
	char fname[16] = { 0 };
	if (t->core->comm)
		strncpy(fname, t->core->comm, sizeof(fname) - 1);
	ec_put(&n->b, fname, sizeof(fname));
	char ps[80] = { 0 };
	/* the kernel's: argv with its NULs turned to spaces, cut at 79 */
	size_t k = t->argv_len < sizeof(ps) - 1 ? t->argv_len : sizeof(ps) - 1;
	for (size_t i = 0; i < k; i++)
		ps[i] = t->argv[i] ? (char)t->argv[i] : ' ';
	while (k > 0 && ps[k - 1] == ' ')
		ps[--k] = '\0';
	ec_put(&n->b, ps, sizeof(ps));
	ec_note_end(n, at);
}

/* The raw siginfo_t as the kernel saved it (already in the core's byte
 * order), 128 bytes. */
int ec_note_siginfo(struct ec_notes *n, const struct crimg_siginfo *si)
{
	if (!si || !si->raw || !si->raw_len)
		return 0;
	size_t at = ec_note_begin(n, "CORE", EC_NT_SIGINFO);
	size_t k = si->raw_len < 128 ? si->raw_len : 128;
	ec_put(&n->b, si->raw, k);
	ec_put(&n->b, NULL, 128 - k);
	ec_note_end(n, at);
	return 1;
}

/* The saved auxv up to and including its AT_NULL pair. */
void ec_note_auxv(struct ec_notes *n, const struct crimg_task_mm *mm)
{
	if (!mm->n_auxv)
		return;
	size_t at = ec_note_begin(n, "CORE", EC_NT_AUXV);
	for (size_t i = 0; i + 1 < mm->n_auxv; i += 2) {
		ec_u64(&n->b, mm->auxv[i]);
		ec_u64(&n->b, mm->auxv[i + 1]);
		if (mm->auxv[i] == 0)
			break;
	}
	ec_note_end(n, at);
}

/* The mappings the kernel lists in NT_FILE: those of a file, including
 * the unlinked shmem files behind memfds and shared anonymous memory. */
static int named_file(const struct crimg_task_vma *v)
{
	if (v->kind == CRIMG_VMA_KIND_SHMEM)
		return 1;
	return (v->kind == CRIMG_VMA_KIND_FILE || v->kind == CRIMG_VMA_KIND_MEMFD) && v->name &&
		v->name[0];
}

/* A mapping's name as the kernel writes it in NT_FILE (the path of the
 * mapped file): a memfd, and shared anonymous memory that CRIU 4.x saves
 * as one (its name keeps the leading '/': "/dev/zero"), are unlinked
 * shmem files, "/memfd:NAME (deleted)" and "/dev/zero (deleted)".  The
 * model's "memfd:NAME" would send gdb looking for a relative file. */
static void put_file_name(struct ec_buf *b, const struct crimg_task_vma *v)
{
	const struct crimg_file *f = v->file;
	if (v->kind == CRIMG_VMA_KIND_MEMFD && f && f->type == CRIMG_FD_MEMFD) {
		const char *nm = f->u.memfd.name ? f->u.memfd.name : "";
		if (nm[0] != '/')
			ec_put(b, "/memfd:", 7);
		ec_put(b, nm, strlen(nm));
		ec_put(b, " (deleted)", 11);
		return;
	}
	if (v->kind == CRIMG_VMA_KIND_SHMEM) {
		ec_put(b, "/dev/zero (deleted)", 20);
		return;
	}
	ec_put(b, v->name, strlen(v->name) + 1);
}

/* NT_FILE: count, page size, (start, end, offset in pages) each, then the
 * names, each ended by a NUL.  Returns the count. */
size_t ec_note_file(struct ec_notes *n, const struct crimg_task_mm *mm, unsigned page)
{
	size_t cnt = 0;
	for (size_t i = 0; i < mm->n_vmas; i++)
		cnt += named_file(&mm->vmas[i]);
	if (!cnt)
		return 0;
	size_t at = ec_note_begin(n, "CORE", EC_NT_FILE);
	ec_u64(&n->b, cnt);
	ec_u64(&n->b, page);
	for (size_t i = 0; i < mm->n_vmas; i++) {
		const struct crimg_task_vma *v = &mm->vmas[i];
		if (!named_file(v))
			continue;
		ec_u64(&n->b, v->start);
		ec_u64(&n->b, v->end);
		ec_u64(&n->b, v->pgoff / page);
	}
	for (size_t i = 0; i < mm->n_vmas; i++)
		if (named_file(&mm->vmas[i]))
			put_file_name(&n->b, &mm->vmas[i]);
	ec_note_end(n, at);
	return cnt;
}
