/*
 * Task memory: the memory map of mm-PID.img over the page index of
 * pagemap-PID.img (and of pagemap-shmem-ID.img for shared mappings).
 * Reading goes span by span: a span is the longest stretch from an address
 * with one state (data, not saved, lazy, unmapped) and one source.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mem/mem_int.h"
#include "mm.pb-c.h"
#include "pstree.pb-c.h"

unsigned mem_page_size(const struct crimg_mem_opts *o)
{
	if (o && o->page_size)
		return o->page_size;
	long ps = sysconf(_SC_PAGESIZE);
	return ps > 0 ? (unsigned)ps : 4096;
}

static int cmp_vma(const void *a, const void *b)
{
	const struct crimg_mem_vma *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void set_perms(struct crimg_mem_vma *v)
{
	v->perms[0] = v->prot & 1 ? 'r' : '-';
	v->perms[1] = v->prot & 2 ? 'w' : '-';
	v->perms[2] = v->prot & 4 ? 'x' : '-';
	v->perms[3] = v->flags & 1 ? 's' : 'p';
	v->perms[4] = '\0';
}

static int check_page_size(unsigned ps, struct crimg_error *err)
{
	if (ps < 512 || (ps & (ps - 1)))
		return crimg_fail(err, NULL, -1, -1, "page size %u is not a power of two >= 512",
				  ps);
	return 0;
}

const struct mem_index *mem_shobj(const struct crimg_mem *m, uint64_t id)
{
	for (size_t i = 0; i < m->n_sh; i++)
		if (m->sh[i].id == id)
			return &m->sh[i].ix;
	return NULL;
}

/* Loads the page index of shared object id once.  A shared object without
 * a pagemap has no saved page (all of it reads as zeros). */
static int load_shobj(struct crimg_mem *m, uint64_t id, struct crimg_error *err)
{
	if (mem_shobj(m, id))
		return 0;
	struct mem_shobj *ns = realloc(m->sh, (m->n_sh + 1) * sizeof(*ns));
	if (!ns)
		return crimg_fail(err, NULL, -1, -1, "out of memory");
	m->sh = ns;
	struct mem_shobj *o = &m->sh[m->n_sh];
	memset(o, 0, sizeof(*o));
	o->id = id;
	char name[64];
	snprintf(name, sizeof(name), "pagemap-shmem-%llu.img", (unsigned long long)id);
	if (crimg_ckpt_has(m->c, name) &&
	    mem_index_build(m->c, name, m->page_size, &o->ix, err) < 0)
		return -1;
	m->n_sh++;
	return 0;
}

/* How much of each VMA the checkpoint holds. */
static void count_vmas(struct crimg_mem *m)
{
	for (size_t i = 0; i < m->n_vmas; i++) {
		struct crimg_mem_vma *v = &m->vmas[i];
		if (v->shmem >= 0) {
			const struct mem_index *ix = mem_shobj(m, (uint64_t)v->shmem);
			if (ix)
				mem_index_count(ix, v->pgoff, v->pgoff + (v->end - v->start),
						&v->dumped, &v->lazy);
		} else {
			mem_index_count(&m->ix, v->start, v->end, &v->dumped, &v->lazy);
		}
	}
}

static struct crimg_mem *mem_new(struct crimg_ckpt *c, const struct crimg_mem_opts *o,
				 struct crimg_error *err)
{
	unsigned ps = mem_page_size(o);
	if (check_page_size(ps, err) < 0)
		return NULL;
	struct crimg_mem *m = calloc(1, sizeof(*m));
	if (!m) {
		crimg_fail(err, NULL, -1, -1, "out of memory");
		return NULL;
	}
	m->c = c;
	m->page_size = ps;
	m->shmem_id = -1;
	return m;
}

static int in_pstree(struct crimg_ckpt *c, uint32_t pid)
{
	const struct crimg_entries *e = crimg_ckpt_has(c, "pstree.img")
		? crimg_ckpt_entries(c, "pstree.img", NULL)
		: NULL;
	for (size_t i = 0; e && i < e->n; i++)
		if (((const PstreeEntry *)e->msgs[i])->pid == pid)
			return 1;
	return 0;
}

static int load_vmas(struct crimg_mem *m, const MmEntry *mm, const char *mmname,
		     struct crimg_error *err)
{
	m->vmas = calloc(mm->n_vmas ? mm->n_vmas : 1, sizeof(*m->vmas));
	if (!m->vmas)
		return crimg_fail(err, mmname, -1, -1, "out of memory");
	for (size_t i = 0; i < mm->n_vmas; i++) {
		const VmaEntry *ve = mm->vmas[i];
		struct crimg_mem_vma *v = &m->vmas[i];
		if (ve->start >= ve->end || ve->start % m->page_size || ve->end % m->page_size)
			return crimg_fail(
				err, mmname, -1, 0,
				"vma %zu: 0x%llx-0x%llx is not a range of whole pages (page size %u)",
				i, (unsigned long long)ve->start, (unsigned long long)ve->end,
				m->page_size);
		if (ve->pgoff > UINT64_MAX - (ve->end - ve->start))
			return crimg_fail(err, mmname, -1, 0,
					  "vma %zu: offset 0x%llx is out of range", i,
					  (unsigned long long)ve->pgoff);
		v->start = ve->start;
		v->end = ve->end;
		v->pgoff = ve->pgoff;
		v->prot = ve->prot;
		v->flags = ve->flags;
		v->status = ve->status;
		v->shmid = ve->shmid;
		set_perms(v);
	}
	m->n_vmas = mm->n_vmas;
	if (m->n_vmas) /* qsort(NULL, 0, ...) is undefined */
		qsort(m->vmas, m->n_vmas, sizeof(*m->vmas), cmp_vma);
	for (size_t i = 1; i < m->n_vmas; i++)
		if (m->vmas[i].start < m->vmas[i - 1].end)
			return crimg_fail(err, mmname, -1, 0,
					  "vmas 0x%llx-0x%llx and 0x%llx-0x%llx overlap",
					  (unsigned long long)m->vmas[i - 1].start,
					  (unsigned long long)m->vmas[i - 1].end,
					  (unsigned long long)m->vmas[i].start,
					  (unsigned long long)m->vmas[i].end);
	return 0;
}

/*
 * A pre-dump writes pagemaps and pages but no memory map (no mm-PID.img):
 * each stretch of saved pages stands for a VMA, with unknown permissions.
 */
static struct crimg_mem *open_predump(struct crimg_ckpt *c, uint32_t pid, const char *pmname,
				      const struct crimg_mem_opts *o, struct crimg_error *err)
{
	struct crimg_mem *m = mem_new(c, o, err);
	if (!m)
		return NULL;
	m->pid = pid;
	if (mem_index_build(c, pmname, m->page_size, &m->ix, err) < 0)
		goto fail;
	m->vmas = calloc(m->ix.n ? m->ix.n : 1, sizeof(*m->vmas));
	if (!m->vmas) {
		crimg_fail(err, pmname, -1, -1, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < m->ix.n; i++) {
		const struct mem_run *r = &m->ix.v[i];
		struct crimg_mem_vma *v = m->n_vmas ? &m->vmas[m->n_vmas - 1] : NULL;
		if (v && v->end == r->start) {
			v->end = r->end;
			continue;
		}
		v = &m->vmas[m->n_vmas++];
		v->start = r->start;
		v->end = r->end;
		v->flags = 2; /* MAP_PRIVATE */
		v->shmem = -1;
		v->name = "[pre-dump]";
		memcpy(v->perms, "???p", 5);
	}
	count_vmas(m);
	return m;
fail:
	crimg_mem_close(m);
	return NULL;
}

struct crimg_mem *crimg_mem_open(struct crimg_ckpt *c, uint32_t pid, const struct crimg_mem_opts *o,
				 struct crimg_error *err)
{
	char mmname[64], pmname[64];
	snprintf(mmname, sizeof(mmname), "mm-%u.img", pid);
	snprintf(pmname, sizeof(pmname), "pagemap-%u.img", pid);
	if (!crimg_ckpt_has(c, mmname)) {
		if (!crimg_ckpt_has(c, "pstree.img") && crimg_ckpt_has(c, pmname))
			return open_predump(c, pid, pmname, o, err);
		if (!in_pstree(c, pid))
			crimg_fail(err, NULL, -1, -1, "no task %u in this checkpoint", pid);
		else
			crimg_fail(err, mmname, -1, -1,
				   "task %u has no memory image (a zombie has none)", pid);
		return NULL;
	}
	struct crimg_mem *m = mem_new(c, o, err);
	if (!m)
		return NULL;
	m->pid = pid;
	const MmEntry *mm = (const MmEntry *)crimg_ckpt_first(c, err, "%s", mmname);
	if (!mm)
		goto fail;
	if (mm->base.descriptor != &mm_entry__descriptor) {
		crimg_fail(err, mmname, -1, 0, "not an mm entry");
		goto fail;
	}
	if (load_vmas(m, mm, mmname, err) < 0)
		goto fail;
	m->arg_start = mm->mm_arg_start;
	m->arg_end = mm->mm_arg_end;
	m->env_start = mm->mm_env_start;
	m->env_end = mm->mm_env_end;
	if (mem_index_build(c, pmname, m->page_size, &m->ix, err) < 0)
		goto fail;
	if (mem_name_vmas(m, mm->mm_start_stack, err) < 0)
		goto fail;
	for (size_t i = 0; i < m->n_vmas; i++)
		if (m->vmas[i].shmem >= 0 && load_shobj(m, (uint64_t)m->vmas[i].shmem, err) < 0)
			goto fail;
	count_vmas(m);
	return m;
fail:
	crimg_mem_close(m);
	return NULL;
}

struct crimg_mem *crimg_mem_open_shmem(struct crimg_ckpt *c, uint64_t id,
				       const struct crimg_mem_opts *o, struct crimg_error *err)
{
	char name[64];
	snprintf(name, sizeof(name), "pagemap-shmem-%llu.img", (unsigned long long)id);
	if (!crimg_ckpt_has(c, name)) {
		crimg_fail(err, name, -1, -1, "no shared memory object %llu in this checkpoint",
			   (unsigned long long)id);
		return NULL;
	}
	struct crimg_mem *m = mem_new(c, o, err);
	if (!m)
		return NULL;
	m->shmem_id = (int64_t)id;
	struct crimg_shmem_info info;
	mem_shmem_describe(c, id, &info);
	if (load_shobj(m, id, err) < 0)
		goto fail;
	const struct mem_index *ix = &m->sh[0].ix;
	uint64_t size = info.size;
	if (size > UINT64_MAX - m->page_size) {
		crimg_fail(err, name, -1, -1, "size %llu is out of range",
			   (unsigned long long)size);
		goto fail;
	}
	size = (size + m->page_size - 1) / m->page_size * m->page_size;
	if (ix->n && ix->v[ix->n - 1].end > size)
		size = ix->v[ix->n - 1].end;
	m->vmas = calloc(1, sizeof(*m->vmas));
	if (!m->vmas) {
		crimg_fail(err, name, -1, -1, "out of memory");
		goto fail;
	}
	char nm[300];
	if (!strcmp(info.kind, "memfd"))
		snprintf(nm, sizeof(nm), info.name[0] == '/' ? "%s" : "memfd:%s", info.name);
	else if (!strcmp(info.kind, "sysv"))
		snprintf(nm, sizeof(nm), "SYSV%s", info.name + 6); /* "key 0x" */
	else
		snprintf(nm, sizeof(nm), "[shmem]");
	struct crimg_mem_vma *v = &m->vmas[0];
	v->start = 0;
	v->end = size;
	v->prot = 3;
	v->flags = 1;
	v->shmem = (int64_t)id;
	v->shmid = id;
	v->status = CRIMG_VMA_STATUS_ANON_SHARED;
	v->name = mem_keep_str(m, nm);
	set_perms(v);
	m->n_vmas = size ? 1 : 0;
	if (!v->name) {
		crimg_fail(err, name, -1, -1, "out of memory");
		goto fail;
	}
	count_vmas(m);
	return m;
fail:
	crimg_mem_close(m);
	return NULL;
}

void crimg_mem_close(struct crimg_mem *m)
{
	if (!m)
		return;
	mem_index_free(&m->ix);
	for (size_t i = 0; i < m->n_sh; i++)
		mem_index_free(&m->sh[i].ix);
	free(m->sh);
	for (size_t i = 0; i < m->n_strs; i++)
		free(m->strs[i]);
	free(m->strs);
	free(m->vmas);
	free(m);
}

uint32_t crimg_mem_pid(const struct crimg_mem *m)
{
	return m->pid;
}

int64_t crimg_mem_shmem_id(const struct crimg_mem *m)
{
	return m->shmem_id;
}

unsigned crimg_mem_page_size(const struct crimg_mem *m)
{
	return m->page_size;
}

size_t crimg_mem_vmas(const struct crimg_mem *m, const struct crimg_mem_vma **v)
{
	*v = m->vmas;
	return m->n_vmas;
}

/* The first VMA that ends after addr (n_vmas when none). */
static size_t vma_find(const struct crimg_mem *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n_vmas;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->vmas[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct crimg_mem_vma *crimg_mem_vma_at(const struct crimg_mem *m, uint64_t addr)
{
	size_t i = vma_find(m, addr);
	return i < m->n_vmas && m->vmas[i].start <= addr ? &m->vmas[i] : NULL;
}

const char *crimg_mem_state_name(enum crimg_mem_state s)
{
	switch (s) {
	case CRIMG_MEM_DATA:
		return "data";
	case CRIMG_MEM_ZERO:
		return "zero";
	case CRIMG_MEM_LAZY:
		return "lazy";
	default:
		return "unmapped";
	}
}

int crimg_mem_span(struct crimg_mem *m, uint64_t addr, struct crimg_mem_span *s,
		   struct crimg_error *err)
{
	const struct ckpt_file *file;
	mem_span_file(m, addr, s, &file);
	(void)err;
	return 0;
}

void mem_span_file(struct crimg_mem *m, uint64_t addr, struct crimg_mem_span *s,
		   const struct ckpt_file **file)
{
	*file = NULL;
	memset(s, 0, sizeof(*s));
	s->addr = addr;
	size_t i = vma_find(m, addr);
	if (i == m->n_vmas || m->vmas[i].start > addr) {
		s->state = CRIMG_MEM_UNMAPPED;
		s->len = i < m->n_vmas ? m->vmas[i].start - addr : 0 - addr;
		if (!s->len) /* addr 0 and nothing mapped: the whole space */
			s->len = UINT64_MAX;
		return;
	}
	const struct crimg_mem_vma *v = &m->vmas[i];
	const struct mem_index *ix = &m->ix;
	uint64_t key = addr, limit = v->end - addr;
	s->vma = v;
	if (v->shmem >= 0) {
		ix = mem_shobj(m, (uint64_t)v->shmem);
		key = v->pgoff + (addr - v->start);
		if (!ix) {
			s->state = CRIMG_MEM_ZERO;
			s->len = limit;
			return;
		}
	}
	size_t j = mem_index_find(ix, key);
	if (j < ix->n && ix->v[j].start <= key) {
		const struct mem_run *r = &ix->v[j];
		s->len = r->end - key < limit ? r->end - key : limit;
		s->depth = r->depth;
		if (r->data) {
			s->state = CRIMG_MEM_DATA;
			s->data = r->data + (key - r->start);
			*file = r->file;
		} else {
			s->state = CRIMG_MEM_LAZY;
		}
	} else {
		s->state = CRIMG_MEM_ZERO;
		s->len = j < ix->n && ix->v[j].start - key < limit ? ix->v[j].start - key : limit;
	}
}

/* Fails unless all of [addr, addr + len) is mapped. */
static int check_mapped(struct crimg_mem *m, uint64_t addr, uint64_t len, struct crimg_error *err)
{
	if (len && addr > UINT64_MAX - (len - 1))
		return crimg_fail(err, NULL, -1, -1, "range 0x%llx + %llu wraps around",
				  (unsigned long long)addr, (unsigned long long)len);
	uint64_t cur = addr, left = len;
	while (left) {
		struct crimg_mem_span s;
		crimg_mem_span(m, cur, &s, err);
		if (s.state == CRIMG_MEM_UNMAPPED) {
			if (m->shmem_id >= 0)
				return crimg_fail(
					err, NULL, -1, -1,
					"offset 0x%llx is past the end of shared memory object %lld",
					(unsigned long long)cur, (long long)m->shmem_id);
			return crimg_fail(err, NULL, -1, -1,
					  "address 0x%llx is not mapped in task %u",
					  (unsigned long long)cur, m->pid);
		}
		uint64_t k = s.len < left ? s.len : left;
		cur += k;
		left -= k;
	}
	return 0;
}

int crimg_mem_clip(const struct crimg_mem *m, uint64_t *start, uint64_t *end,
		   struct crimg_error *err)
{
	size_t i = vma_find(m, *start);
	if (*end <= *start || i == m->n_vmas || m->vmas[i].start >= *end) {
		if (m->shmem_id >= 0)
			return crimg_fail(
				err, NULL, -1, -1,
				"offsets 0x%llx-0x%llx are past the end of shared memory object %lld",
				(unsigned long long)*start, (unsigned long long)*end,
				(long long)m->shmem_id);
		return crimg_fail(err, NULL, -1, -1,
				  "nothing is mapped at 0x%llx-0x%llx in task %u",
				  (unsigned long long)*start, (unsigned long long)*end, m->pid);
	}
	size_t j = vma_find(m, *end - 1); /* the last VMA starting before end */
	if (j == m->n_vmas || m->vmas[j].start >= *end)
		j--;
	if (*start < m->vmas[i].start)
		*start = m->vmas[i].start;
	if (*end > m->vmas[j].end)
		*end = m->vmas[j].end;
	return 0;
}

int crimg_mem_read(struct crimg_mem *m, uint64_t addr, void *buf, size_t len,
		   struct crimg_error *err)
{
	if (check_mapped(m, addr, len, err) < 0)
		return -1;
	uint8_t *out = buf;
	while (len) {
		struct crimg_mem_span s;
		crimg_mem_span(m, addr, &s, err);
		size_t k = s.len < len ? (size_t)s.len : len;
		if (s.state == CRIMG_MEM_DATA)
			memcpy(out, s.data, k);
		else
			memset(out, 0, k);
		out += k;
		addr += k;
		len -= k;
	}
	return 0;
}

uint8_t *crimg_mem_area(struct crimg_mem *m, enum crimg_mem_area a, size_t *len, uint64_t *addr,
			struct crimg_error *err)
{
	const char *what = a == CRIMG_MEM_ARGV ? "argv" : "environment";
	if (m->shmem_id >= 0) {
		crimg_fail(err, NULL, -1, -1, "a shared memory object has no %s", what);
		return NULL;
	}
	uint64_t s = a == CRIMG_MEM_ARGV ? m->arg_start : m->env_start;
	uint64_t e = a == CRIMG_MEM_ARGV ? m->arg_end : m->env_end;
	char mmname[64];
	snprintf(mmname, sizeof(mmname), "mm-%u.img", m->pid);
	if (e < s || e - s > SIZE_MAX - 1) {
		crimg_fail(err, mmname, -1, 0, "%s at 0x%llx-0x%llx is not a believable range",
			   what, (unsigned long long)s, (unsigned long long)e);
		return NULL;
	}
	if (e - s > m->c->lim.max_args) {
		crimg_fail(err, mmname, -1, 0,
			   "%s at 0x%llx-0x%llx: %llu bytes, more than the limit of %llu" CRIMG_LIMIT_HINT(
				   "args"),
			   what, (unsigned long long)s, (unsigned long long)e,
			   (unsigned long long)(e - s), (unsigned long long)m->c->lim.max_args);
		return NULL;
	}
	uint8_t *buf = malloc(e - s + 1);
	if (!buf) {
		crimg_fail(err, mmname, -1, 0, "out of memory");
		return NULL;
	}
	if (crimg_mem_read(m, s, buf, (size_t)(e - s), err) < 0) {
		free(buf);
		return NULL;
	}
	buf[e - s] = '\0'; /* a convenience, not counted in *len */
	*len = (size_t)(e - s);
	if (addr)
		*addr = s;
	return buf;
}

static int write_all(int fd, const void *p, size_t n, const char *name, struct crimg_error *err)
{
	const uint8_t *b = p;
	while (n) {
		ssize_t k = write(fd, b, n > (1u << 30) ? (1u << 30) : n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return crimg_fail(err, name, -1, -1, "write failed: %s",
					  k < 0 ? strerror(errno) : "no progress");
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

int crimg_mem_write_fd(struct crimg_mem *m, uint64_t start, uint64_t end, int fd,
		       const char *fdname, struct crimg_error *err)
{
	static const uint8_t zeros[65536];
	if (end < start)
		return crimg_fail(err, NULL, -1, -1, "range 0x%llx-0x%llx ends before it starts",
				  (unsigned long long)start, (unsigned long long)end);
	if (end > start && crimg_mem_clip(m, &start, &end, err) < 0)
		return -1;
	uint64_t cur = start;
	while (cur < end) {
		struct crimg_mem_span s;
		crimg_mem_span(m, cur, &s, err);
		uint64_t k = s.len < end - cur ? s.len : end - cur;
		if (s.state == CRIMG_MEM_UNMAPPED) {
			/* a hole between VMAs: left out */
		} else if (s.state == CRIMG_MEM_DATA) {
			if (write_all(fd, s.data, (size_t)k, fdname, err) < 0)
				return -1;
		} else {
			for (uint64_t z = 0; z < k; z += sizeof(zeros)) {
				size_t n = k - z < sizeof(zeros) ? (size_t)(k - z) : sizeof(zeros);
				if (write_all(fd, zeros, n, fdname, err) < 0)
					return -1;
			}
		}
		cur += k;
	}
	return 0;
}

int crimg_mem_write_path(struct crimg_mem *m, uint64_t start, uint64_t end, const char *path,
			 struct crimg_error *err)
{
	/* check first, so that a bad range leaves nothing behind */
	if (end < start)
		return crimg_fail(err, NULL, -1, -1, "range 0x%llx-0x%llx ends before it starts",
				  (unsigned long long)start, (unsigned long long)end);
	if (end > start && crimg_mem_clip(m, &start, &end, err) < 0)
		return -1;
	struct crimg_outfile *f = crimg_outfile_open(path, 0, err);
	if (!f)
		return -1;
	if (crimg_mem_write_fd(m, start, end, crimg_outfile_fd(f), crimg_outfile_name(f), err) <
	    0) {
		crimg_outfile_abort(f);
		return -1;
	}
	return crimg_outfile_commit(f, err);
}
