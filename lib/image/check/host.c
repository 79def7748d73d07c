/* Host descriptions: making, freeing and looking facts up (the probe, the
 * JSON and the log header fill them: host_probe.c, host_json.c,
 * host_log.c). */
#include <stdlib.h>
#include <string.h>
#include "check/check_int.h"

struct crimg_host *host_new(const char *source)
{
	struct crimg_host *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->source = strdup(source);
	h->arch = strdup("");
	h->kernel = strdup("");
	h->criu_version = strdup("");
	h->root = strdup("/");
	h->lsm = strdup("");
	h->cpu_flags = strdup("");
	if (!h->source || !h->arch || !h->kernel || !h->criu_version || !h->root || !h->lsm ||
	    !h->cpu_flags) {
		crimg_host_free(h);
		return NULL;
	}
	h->pid_max = h->nr_open = h->fd_limit = -1;
	h->has_rseq = h->has_timens = h->privileged = -1;
	h->sid = h->pgid = -1;
	h->seccomp = h->iptables_restore = h->libnftables = -1;
	h->vdso_size = h->vvar_size = -1;
	return h;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void crimg_host_free(struct crimg_host *h)
{
	if (!h)
		return;
	free(h->source);
	free(h->arch);
	free(h->kernel);
	free(h->criu_version);
	free(h->root);
	free(h->pids);
	free(h->ports);
	free(h->addrs);
	for (size_t i = 0; i < h->n_files; i++)
		free(h->files[i].path);
	free(h->files);
	free(h->lsm);
	free_strv(h->cgroups, h->n_cgroups);
	free_strv(h->filesystems, h->n_filesystems);
	free_strv(h->plugins, h->n_plugins);
	free(h->cpu_flags);
	free_strv(h->lsm_profiles, h->n_lsm_profiles);
	free(h);
}

const struct host_file *host_file(const struct crimg_host *h, const char *path)
{
	for (size_t i = 0; h->files_known && i < h->n_files; i++)
		if (!strcmp(h->files[i].path, path))
			return &h->files[i];
	return NULL;
}

int host_pid_in_use(const struct crimg_host *h, uint32_t pid)
{
	size_t lo = 0, hi = h->n_pids;
	if (!h->pids_known)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->pids[mid] == pid)
			return 1;
		if (h->pids[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}
