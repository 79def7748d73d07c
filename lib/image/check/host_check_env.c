/*
 * Part 2, what the restore's environment must provide besides files and
 * PIDs: a root for a mount namespace (--root), the network lock's tools,
 * the AppArmor profiles the threads carry, seccomp, the vDSO's layout and
 * the images' version.
 */
#include <stdio.h>
#include <string.h>
#include "check/host_check.h"

static uint32_t root_id(struct hc *x, const char *field)
{
	uint64_t v;
	return x->root_ids && hc_u64(x->root_ids, field, &v) ? (uint32_t)v : 0;
}

/* The first task whose namespace of kind field ("mnt_ns") differs from
 * the one the dumping CRIU ran in (root_ids), or NULL. */
static const struct crimg_task *own_ns_task(struct hc *x, int mnt, uint32_t *ns)
{
	uint32_t root = root_id(x, mnt ? "mnt_ns_id" : "net_ns_id");
	if (!root)
		return NULL;
	for (size_t i = 0; i < x->tree->n_tasks; i++) {
		struct crimg_error e;
		const struct crimg_task *t = &x->tree->tasks[i];
		const struct crimg_task_ids *ids = crimg_task_ids(x->c, t, &e);
		uint32_t v = ids ? (mnt ? ids->mnt_ns : ids->net_ns) : 0;
		if (v && v != root) {
			*ns = v;
			return t;
		}
	}
	return NULL;
}

/* ---- a mount namespace needs --root ---- */

static int check_mntns_root(struct hc *x)
{
	uint32_t ns = 0;
	const struct crimg_task *t;
	const char *hr = x->h->root;
	/* a description probed under a root was made for a restore with --root */
	if ((x->flags & CRIMG_CHECK_ROOT) || (hr && *hr && strcmp(hr, "/")))
		return 0;
	if (!(t = own_ns_task(x, 1, &ns)))
		return 0;
	char img[40], v[32];
	snprintf(img, sizeof(img), "ids-%u.img", t->pid);
	snprintf(v, sizeof(v), "%u", ns);
	return hc_add(x, R_MNTNS_ROOT, -1, img, 0, "mnt_ns_id", v, "no --root",
		      "pid %u (%s) was in mount namespace %u of its own: the restore needs --root",
		      t->pid, hc_comm(x, t), ns);
}

/* ---- the network lock ---- */

static int check_network_lock(struct hc *x)
{
	const struct crimg_inventory *inv = x->inv;
	const struct crimg_host *h = x->h;
	uint32_t method = inv && inv->has_network_lock ? inv->network_lock : 0;
	const char *why = NULL;
	char v[64];
	if (!inv || method > 1)
		return 0; /* skip, or a method this check does not know */
	/* CRIU locks the network of a namespace it creates, and each TCP
	 * connection it restores open */
	uint32_t ns = 0;
	if (own_ns_task(x, 0, &ns)) {
		snprintf(v, sizeof(v), "network namespace %u", ns);
		why = v;
	} else if (!inv->tcp_close && !(x->flags & CRIMG_CHECK_TCP_CLOSE)) {
		const struct crimg_inet_sk *sk;
		size_t n = 0;
		struct crimg_error e;
		if (crimg_ckpt_inet_sockets(x->c, &sk, &n, &e) < 0)
			n = 0;
		for (size_t i = 0; i < n && !why; i++)
			if (sk[i].proto == 6 && crimg_sk_tcp_has_stream(sk[i].state)) {
				snprintf(v, sizeof(v), "a TCP connection (socket %u)", sk[i].ino);
				why = v;
			}
	}
	if (!why)
		return 0;
	const char *name = method ? "nftables" : "iptables";
	if (method == 0 && h->iptables_restore == 0)
		return hc_add(x, R_NETWORK_LOCK, -1, "inventory.img", 0, "network_lock_method",
			      name, "no iptables-restore",
			      "the restore locks %s with iptables, and the host has no iptables-restore",
			      why);
	if (method == 1 && h->libnftables == 0)
		return hc_add(
			x, R_NETWORK_LOCK, -1, "inventory.img", 0, "network_lock_method", name,
			"no libnftables",
			"the restore locks %s with nftables, and the host has no libnftables (CRIU needs to be built with it)",
			why);
	return 0;
}

/* ---- threads: AppArmor profiles, seccomp ---- */

/* The name of an AppArmor label: "docker-default (enforce)" -> its first
 * len bytes. */
static size_t label_len(const char *l)
{
	const char *m = strrchr(l, '(');
	if (m && m > l && m[-1] == ' ')
		return (size_t)(m - 1 - l);
	return strlen(l);
}

static int profile_loaded(const struct crimg_host *h, const char *l, size_t n)
{
	for (size_t i = 0; i < h->n_lsm_profiles; i++)
		if (strlen(h->lsm_profiles[i]) == n && !memcmp(h->lsm_profiles[i], l, n))
			return 1;
	return 0;
}

static int check_threads(struct hc *x)
{
	const struct crimg_host *h = x->h;
	const struct crimg_inventory *inv = x->inv;
	int apparmor = inv && inv->has_lsm && inv->lsm == 2 && h->lsm &&
		!strcmp(h->lsm, "apparmor") && h->lsm_profiles_known;
	int lsm_done = 0, sc_done = 0;
	for (size_t i = 0; i < x->tree->n_tasks && (!lsm_done || !sc_done); i++) {
		const struct crimg_task *t = &x->tree->tasks[i];
		struct crimg_error e;
		size_t n = 0;
		const struct crimg_thread *th = crimg_task_threads(x->c, t, &n, &e);
		for (size_t j = 0; th && j < n; j++) {
			char img[40], v[40];
			snprintf(img, sizeof(img), "core-%u.img", th[j].tid);
			const char *l = th[j].creds ? th[j].creds->lsm_profile : NULL;
			if (!lsm_done && apparmor && l && *l) {
				size_t ln = label_len(l);
				if (!(ln == 10 && !memcmp(l, "unconfined", 10)) &&
				    !profile_loaded(h, l, ln)) {
					lsm_done = 1;
					if (hc_add(x, R_LSM_PROFILE, -1, img, 0,
						   "thread_core.creds.lsm_profile", l, "not loaded",
						   "thread %u (%s) runs under the AppArmor profile %.*s, which the host has not loaded",
						   th[j].tid, hc_comm(x, t),
						   (int)(ln > 256 ? 256 : ln), l) < 0)
						return -1;
				}
			}
			unsigned m = th[j].seccomp_mode;
			if (!sc_done && (m == 1 || m == 2) && h->seccomp >= 0 &&
			    (h->seccomp == 0 || (m == 2 && h->seccomp == 1))) {
				sc_done = 1;
				snprintf(v, sizeof(v), "%s", m == 2 ? "filter" : "strict");
				if (hc_add(x, R_SECCOMP, h->seccomp ? CRIMG_CHECK_MAY_FAIL : -1,
					   img, 0, "thread_core.seccomp_mode", v,
					   h->seccomp ? "seccomp, filters unknown" : "no seccomp",
					   h->seccomp
						   ? "thread %u (%s) has seccomp filters; the host kernel does not say it has filters (no Seccomp_filters: line, before 5.9)"
						   : "thread %u (%s) is in seccomp %s mode; the host kernel has no seccomp",
					   th[j].tid, hc_comm(x, t), v) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/* ---- the vDSO ---- */

static int check_vdso(struct hc *x)
{
	const struct crimg_host *h = x->h;
	if (h->vdso_size < 0)
		return 0;
	for (size_t i = 0; i < x->tree->n_tasks; i++) {
		const struct crimg_task *t = &x->tree->tasks[i];
		struct crimg_error e;
		const struct crimg_task_mm *mm = crimg_task_mm(x->c, t, &e);
		uint64_t vdso = 0, vvar = 0;
		int64_t vi = -1;
		for (size_t j = 0; mm && j < mm->n_vmas; j++) {
			const struct crimg_task_vma *a = &mm->vmas[j];
			uint64_t sz = a->end > a->start ? a->end - a->start : 0;
			if (a->kind == CRIMG_VMA_KIND_VDSO) {
				vdso += sz;
				if (vi < 0)
					vi = (int64_t)j;
			} else if (a->kind == CRIMG_VMA_KIND_VVAR) {
				vvar += sz;
			}
		}
		if (!vdso)
			continue;
		char img[40], v[64], hv[64];
		snprintf(img, sizeof(img), "mm-%u.img", t->pid);
		snprintf(v, sizeof(v), "vdso 0x%llx, vvar 0x%llx", (unsigned long long)vdso,
			 (unsigned long long)vvar);
		if (h->vdso_size == 0)
			return hc_add(x, R_VDSO, -1, img, vi, "vmas", v, "no vDSO",
				      "pid %u (%s) has a vDSO; the host kernel maps none", t->pid,
				      hc_comm(x, t));
		if (h->vvar_size < 0 ||
		    ((int64_t)vdso == h->vdso_size && (int64_t)vvar == h->vvar_size))
			return 0;
		snprintf(hv, sizeof(hv), "vdso 0x%llx, vvar 0x%llx",
			 (unsigned long long)h->vdso_size, (unsigned long long)h->vvar_size);
		return hc_add(
			x, R_VDSO, CRIMG_CHECK_NOTE, img, vi, "vmas", v, hv,
			"pid %u (%s): the vDSO's layout differs from the host's (%s here, %s there): CRIU will proxy the vDSO",
			t->pid, hc_comm(x, t), v, hv);
	}
	return 0;
}

/* ---- the images' version ---- */

static int check_image_version(struct hc *x)
{
	const struct crimg_inventory *inv = x->inv;
	char v[32];
	uint64_t per_id = 0;
	if (!inv)
		return 0;
	snprintf(v, sizeof(v), "%u", inv->img_version);
	/* 1: the old header without the common magic; 2: what CRIU 4.2 writes */
	if (inv->img_version != 1 && inv->img_version != 2)
		return hc_add(x, R_IMAGE_VERSION, -1, "inventory.img", 0, "img_version", v,
			      "1 or 2 (CRIU 4.2)",
			      "the images are of version %u; CRIU 4.2 reads versions 1 and 2",
			      inv->img_version);
	if (!inv->msg || !hc_u64(inv->msg, "fdinfo_per_id", &per_id) || !per_id)
		return hc_add(
			x, R_IMAGE_VERSION, -1, "inventory.img", 0, "fdinfo_per_id",
			per_id ? "true" : "false", "needed by CRIU 4.2",
			"the images keep descriptors per task (no fdinfo_per_id): CRIU 4.2 refuses images that old");
	if (inv->img_version == 1)
		return hc_add(
			x, R_IMAGE_VERSION, CRIMG_CHECK_NOTE, "inventory.img", 0, "img_version", v,
			"2 (CRIU 4.2)",
			"the images are of version 1 (no common magic), older than CRIU 4.2 writes; it still reads them");
	return 0;
}

int hc_env(struct hc *x)
{
	if (check_mntns_root(x) < 0 || check_network_lock(x) < 0 || check_threads(x) < 0 ||
	    check_vdso(x) < 0 || check_image_version(x) < 0)
		return -1;
	return 0;
}
