/*
 * Drives the model and memory APIs over a checkpoint with bounded work:
 * every call either succeeds or fails with a message; what succeeds is
 * walked so that any pointer it hands out is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crimg/json.h"
#include "crimg/mem.h"
#include "crimg/model.h"
#include "fuzz.h"

/* Reads a string (so ASan sees a bad pointer) and returns its length. */
static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static void walk_file(const struct crimg_file *f)
{
	if (!f)
		return;
	touch(f->path);
	touch(crimg_fd_type_name(f->type));
	switch (f->type) {
	case CRIMG_FD_PIPE:
	case CRIMG_FD_FIFO:
		for (size_t i = 0; i < f->u.pipe.n_peers; i++)
			FZ_ASSERT(f->u.pipe.peers[i] != NULL);
		break;
	case CRIMG_FD_UNIXSK:
		if (f->u.usk.name_len) {
			char *q = malloc(3 * f->u.usk.name_len + f->u.usk.name_len / 25 + 4);
			if (q) {
				crimg_quopri(f->u.usk.name, f->u.usk.name_len, q);
				free(q);
			}
		}
		if (f->u.usk.peer)
			touch(f->u.usk.peer->path);
		break;
	case CRIMG_FD_INETSK:
		touch(crimg_sk_family_name(f->u.inet.family));
		touch(crimg_sk_type_name(f->u.inet.type));
		touch(crimg_sk_proto_name(f->u.inet.proto));
		touch(crimg_sk_state_name(f->u.inet.state));
		FZ_ASSERT(memchr(f->u.inet.src, '\0', sizeof(f->u.inet.src)));
		FZ_ASSERT(memchr(f->u.inet.dst, '\0', sizeof(f->u.inet.dst)));
		break;
	case CRIMG_FD_EVENTPOLL:
		fz_ends(f->u.epoll.targets, f->u.epoll.n_targets * sizeof(*f->u.epoll.targets));
		break;
	case CRIMG_FD_INOTIFY:
		for (size_t i = 0; i < f->u.inotify.n_watches; i++)
			touch(f->u.inotify.watches[i].path);
		break;
	case CRIMG_FD_MEMFD:
		touch(f->u.memfd.name);
		break;
	case CRIMG_FD_TUNF:
		touch(f->u.tun.netdev);
		break;
	case CRIMG_FD_BPFMAP:
		touch(f->u.bpf.map_name);
		break;
	default:
		break;
	}
}

static void walk_task(struct crimg_ckpt *c, const struct crimg_task *t)
{
	struct crimg_error err;
	char buf[256];
	crimg_error_clear(&err);
	const struct crimg_task_brief *b = crimg_task_brief(c, t, &err);
	if (b)
		touch(b->comm), touch(crimg_task_state_name(b->state));
	else
		fz_check_err(&err);
	const struct crimg_task_core *core = crimg_task_core(c, t, &err);
	if (core) {
		touch(core->comm);
		touch(core->arch);
		fz_ends(core->sigactions, core->n_sigactions * sizeof(*core->sigactions));
		for (size_t i = 0; i < core->n_rlimits; i++)
			touch(core->rlimits[i].name);
		fz_ends(core->posix_timers, core->n_posix_timers * sizeof(*core->posix_timers));
		crimg_task_is_zombie(core);
	} else {
		fz_check_err(&err);
	}
	size_t nth = 0;
	const struct crimg_thread *th = crimg_task_threads(c, t, &nth, &err);
	if (th) {
		for (size_t i = 0; i < nth; i++) {
			touch(th[i].comm);
			touch(th[i].regs.arch);
			for (size_t k = 0; k < th[i].regs.n_gp; k++)
				touch(th[i].regs.gp[k].name);
			if (th[i].creds) {
				fz_ends(th[i].creds->groups,
					th[i].creds->n_groups * sizeof(*th[i].creds->groups));
				touch(th[i].creds->lsm_profile);
			}
		}
	} else {
		fz_check_err(&err);
	}
	const struct crimg_task_ids *ids = crimg_task_ids(c, t, &err);
	if (!ids)
		fz_check_err(&err);
	const struct crimg_fdtable *ft = crimg_task_fds(c, t, &err);
	if (ft) {
		for (size_t i = 0; i < ft->n_fds; i++) {
			walk_file(ft->fds[i].file);
			FZ_ASSERT(crimg_fdtable_find(ft, ft->fds[i].fd) != NULL);
		}
	} else {
		fz_check_err(&err);
	}
	const struct crimg_task_fs *fs = crimg_task_fs(c, t, &err);
	if (fs)
		walk_file(fs->cwd), walk_file(fs->root);
	else
		fz_check_err(&err);
	const struct crimg_task_mm *mm = crimg_task_mm(c, t, &err);
	if (mm) {
		walk_file(mm->exe);
		fz_ends(mm->auxv, mm->n_auxv * sizeof(*mm->auxv));
		for (size_t i = 0; i < mm->n_vmas; i++) {
			const struct crimg_task_vma *v = &mm->vmas[i];
			touch(v->name);
			walk_file(v->file);
			crimg_flags_str("mmap.prot", v->prot, buf, sizeof(buf));
			crimg_flags_str("mmap.flags", v->flags, buf, sizeof(buf));
			crimg_flags_str("mmap.status", v->status, buf, sizeof(buf));
			if (v->end > v->start)
				FZ_ASSERT(crimg_mm_find_vma(mm, v->start) != NULL);
		}
	} else {
		fz_check_err(&err);
	}
	const struct crimg_pagemap *pm = crimg_task_pagemap(c, t, &err);
	if (pm) {
		for (size_t i = 0; i < pm->n; i++)
			crimg_flags_str("pmap.flags", pm->entries[i].flags, buf, sizeof(buf));
	} else {
		fz_check_err(&err);
	}
	struct crimg_namespace ns[8];
	if (crimg_task_namespaces(c, t, ns, &err) == 0) {
		for (int i = 0; i < 8; i++)
			touch(ns[i].kind), touch(ns[i].image);
		const char *node, *dom;
		if (ids && crimg_ckpt_uts(c, ids->uts_ns, &node, &dom, &err) == 0)
			touch(node), touch(dom);
	} else {
		fz_check_err(&err);
	}
}

void fz_exercise_ckpt(struct crimg_ckpt *c, unsigned level)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	touch(crimg_ckpt_format(c));
	const char *const *names;
	size_t n = crimg_ckpt_containers(c, &names);
	for (size_t i = 0; i < n; i++)
		touch(names[i]);
	n = crimg_ckpt_images(c, &names);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		int64_t sec;
		FZ_ASSERT(crimg_ckpt_has(c, names[i]));
		crimg_ckpt_mtime(c, names[i], &sec);
		const uint8_t *p = crimg_ckpt_data(c, names[i], &len, &err);
		if (!p) {
			fz_check_err(&err);
			continue;
		}
		fz_ends(p, len);
		if (level > 0) {
			const struct crimg_entries *e = crimg_ckpt_entries(c, names[i], &err);
			if (e)
				for (size_t k = 0; k < e->n; k++)
					FZ_ASSERT(e->msgs[k] != NULL);
			else
				fz_check_err(&err);
		}
	}
	static const char *const meta[] = { "config.dump", "spec.dump", "network.status",
					    "stats-dump", "dump.log" };
	for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++) {
		size_t len;
		const uint8_t *p = crimg_ckpt_meta(c, meta[i], &len);
		if (p)
			fz_ends(p, len);
		crimg_ckpt_meta_size(c, meta[i]);
	}
	const struct crimg_tree *tree = crimg_ckpt_tree(c, &err);
	if (tree) {
		for (size_t i = 0; i < tree->n_tasks; i++) {
			FZ_ASSERT(tree->order[i] != NULL);
			const struct crimg_task *t = &tree->tasks[i];
			for (size_t k = 0; k < t->n_children; k++)
				FZ_ASSERT(t->children[k]->parent == t);
			if (i < 16)
				walk_task(c, t);
		}
		for (size_t i = 0; i < tree->n_roots; i++)
			FZ_ASSERT(tree->roots[i]->parent == NULL);
		if (tree->n_tasks)
			FZ_ASSERT(crimg_ckpt_task(c, tree->tasks[0].pid, &err) != NULL);
	} else {
		fz_check_err(&err);
	}
	const struct crimg_file *const *files;
	size_t nf;
	if (crimg_ckpt_files(c, &files, &nf, &err) == 0) {
		for (size_t i = 0; i < nf; i++) {
			walk_file(files[i]);
			FZ_ASSERT(crimg_ckpt_file_by_id(c, files[i]->id, &err) != NULL);
		}
	} else {
		fz_check_err(&err);
	}
	const struct crimg_mounts *mns;
	size_t nmns;
	if (crimg_ckpt_mounts(c, &mns, &nmns, &err) == 0) {
		for (size_t i = 0; i < nmns; i++)
			for (size_t k = 0; k < mns[i].n; k++) {
				const struct crimg_mount *m = &mns[i].mounts[k];
				touch(m->fstype_name), touch(m->root), touch(m->mountpoint);
				touch(m->source), touch(m->options);
			}
	} else {
		fz_check_err(&err);
	}
	const struct crimg_cgroups *cg = crimg_ckpt_cgroups(c, &err);
	if (cg) {
		for (size_t i = 0; i < cg->n_sets; i++) {
			for (size_t k = 0; k < cg->sets[i].n_members; k++)
				touch(cg->sets[i].members[k].controllers),
					touch(cg->sets[i].members[k].path);
			FZ_ASSERT(crimg_cgroups_find_set(cg, cg->sets[i].id) != NULL);
		}
	} else {
		fz_check_err(&err);
	}
	if (!crimg_ckpt_dump_stats(c, &err))
		fz_check_err(&err);
	const struct crimg_inventory *inv = crimg_ckpt_inventory(c, &err);
	if (inv) {
		touch(inv->run_id);
		for (size_t i = 0; i < inv->n_plugins; i++)
			touch(inv->plugins[i]);
		/* the entry as JSON, into a sink that keeps it (fd -1) */
		struct crimg_out *o = crimg_out_new(-1, "inventory.json");
		if (o &&
		    crimg_json_message(inv->msg, CRIMG_LITTLE_ENDIAN, CRIMG_JSON_PRETTY, o, &err) <
			    0)
			fz_check_err(&err);
		crimg_out_free(o);
	} else {
		fz_check_err(&err);
	}
	const struct crimg_inet_sk *sks;
	size_t nsk;
	if (crimg_ckpt_inet_sockets(c, &sks, &nsk, &err) == 0) {
		for (size_t i = 0; i < nsk && i < 64; i++) {
			const struct crimg_file *f = crimg_ckpt_file_by_id(c, sks[i].id, &err);
			if (f)
				walk_file(f);
			else
				fz_check_err(&err);
		}
	} else {
		fz_check_err(&err);
	}
	/* the parent chain: every link followed, loops refused */
	struct crimg_ckpt *p = c;
	for (int depth = 0; p && depth < 80; depth++) {
		crimg_error_clear(&err);
		p = crimg_ckpt_parent(p, &err);
		if (!p && err.msg[0])
			fz_check_err(&err);
	}
}

/* Reads a span of memory both ways and checks they agree. */
static void read_some(struct crimg_mem *m, uint64_t addr, size_t len, uint8_t *buf)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	if (crimg_mem_read(m, addr, buf, len, &err) < 0) {
		fz_check_err(&err);
		return;
	}
	size_t at = 0;
	while (at < len) {
		struct crimg_mem_span s;
		if (crimg_mem_span(m, addr + at, &s, &err) < 0) {
			fz_check_err(&err);
			FZ_ASSERT(0 && "span fails where read succeeded");
		}
		FZ_ASSERT(s.addr == addr + at);
		FZ_ASSERT(s.len > 0);
		uint64_t k = s.len < len - at ? s.len : len - at;
		FZ_ASSERT(s.state != CRIMG_MEM_UNMAPPED);
		if (s.state == CRIMG_MEM_DATA)
			FZ_ASSERT(memcmp(buf + at, s.data, (size_t)k) == 0);
		else
			for (uint64_t i = 0; i < k; i++)
				FZ_ASSERT(buf[at + i] == 0);
		at += (size_t)k;
	}
}

static int count_match(void *arg, const struct crimg_mem_match *mt)
{
	unsigned *n = arg;
	FZ_ASSERT(mt->bytes != NULL && mt->vma != NULL);
	fz_ends(mt->bytes, mt->before + mt->len + mt->after);
	return ++*n >= 64;
}

static void walk_mem(struct crimg_mem *m)
{
	static uint8_t buf[1 << 16];
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_mem_vma *v;
	size_t n = crimg_mem_vmas(m, &v);
	crimg_mem_page_size(m);
	for (size_t i = 0; i < n && i < 64; i++) {
		touch(v[i].name);
		FZ_ASSERT(memchr(v[i].perms, '\0', sizeof(v[i].perms)));
		FZ_ASSERT(v[i].end >= v[i].start);
		if (v[i].end == v[i].start)
			continue;
		FZ_ASSERT(crimg_mem_vma_at(m, v[i].start) != NULL);
		uint64_t size = v[i].end - v[i].start;
		size_t len = size < sizeof(buf) ? (size_t)size : sizeof(buf);
		read_some(m, v[i].start, len, buf);
		if (size > len)
			read_some(m, v[i].end - len, len, buf);
		/* a few spans from the start, as crit mem's table walks them */
		uint64_t a = v[i].start;
		for (int k = 0; k < 32 && a < v[i].end; k++) {
			struct crimg_mem_span s;
			if (crimg_mem_span(m, a, &s, &err) < 0) {
				fz_check_err(&err);
				break;
			}
			FZ_ASSERT(s.len > 0);
			a = s.addr + s.len < a ? v[i].end : s.addr + s.len;
		}
	}
	size_t alen;
	uint64_t aaddr;
	for (int a = 0; a < 2; a++) {
		uint8_t *p = crimg_mem_area(m, a ? CRIMG_MEM_ENV : CRIMG_MEM_ARGV, &alen, &aaddr,
					    &err);
		if (p) {
			fz_ends(p, alen);
			free(p);
		} else {
			fz_check_err(&err);
		}
	}
	static const struct {
		const char *pat;
		unsigned flags;
	} pats[] = { { "CRIMG", 0 }, { "crimg-[a-z]+", CRIMG_PAT_REGEX }, { "\0\0\0\0", 0 } };
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		size_t plen = pats[i].pat[0] ? strlen(pats[i].pat) : 4;
		struct crimg_mem_pattern *p = crimg_mem_pattern_new(pats[i].pat, plen,
								    pats[i].flags, &err);
		FZ_ASSERT(p != NULL);
		unsigned hits = 0;
		struct crimg_mem_search_opts so = { .context = 8, .max_matches = 64 };
		if (crimg_mem_search(m, p, &so, count_match, &hits, &err) < 0)
			fz_check_err(&err);
		crimg_mem_pattern_free(p);
	}
}

void fz_exercise_mem(struct crimg_ckpt *c)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	uint32_t *pids = NULL;
	size_t n = 0;
	if (crimg_mem_tasks(c, &pids, &n, &err) == 0) {
		for (size_t i = 0; i < n && i < 8; i++) {
			struct crimg_mem *m = crimg_mem_open(c, pids[i], NULL, &err);
			if (!m) {
				fz_check_err(&err);
				continue;
			}
			FZ_ASSERT(crimg_mem_pid(m) == pids[i]);
			walk_mem(m);
			crimg_mem_close(m);
		}
		free(pids);
	} else {
		fz_check_err(&err);
	}
	struct crimg_shmem_info *sh = NULL;
	if (crimg_mem_shmem_list(c, NULL, &sh, &n, &err) == 0) {
		for (size_t i = 0; i < n && i < 8; i++) {
			touch(sh[i].kind);
			FZ_ASSERT(memchr(sh[i].name, '\0', sizeof(sh[i].name)));
			struct crimg_mem *m = crimg_mem_open_shmem(c, sh[i].id, NULL, &err);
			if (!m) {
				fz_check_err(&err);
				continue;
			}
			walk_mem(m);
			crimg_mem_close(m);
		}
		free(sh);
	} else {
		fz_check_err(&err);
	}
}
