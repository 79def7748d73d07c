/*
 * The inet sockets of a dump read from the file image's entries alone, for
 * callers that look for a few sockets (connected TCP ones, say) before
 * asking for their records: building the record of every file
 * (model_files_load) costs far more than this pass over files.img.
 */
#include "fdinfo.pb-c.h"
#include "sk-inet.pb-c.h"

#include "model/model_int.h"

/* The inet socket entry i of e holds, or NULL: a file_entry's isk (what
 * ever its type says, as the caller will check the record), or an
 * inet_sk_entry of the older inetsk.img. */
static const InetSkEntry *inet_sk(const struct crimg_entries *e, size_t i, uint32_t *id)
{
	const ProtobufCMessage *msg = e->msgs[i];
	if (msg->descriptor == &file_entry__descriptor) {
		const FileEntry *fe = (const FileEntry *)msg;
		*id = fe->id;
		return fe->isk;
	}
	if (msg->descriptor == &inet_sk_entry__descriptor) {
		const InetSkEntry *sk = (const InetSkEntry *)msg;
		*id = sk->id;
		return sk;
	}
	return NULL;
}

int crimg_ckpt_inet_sockets(struct crimg_ckpt *c, const struct crimg_inet_sk **sks, size_t *n,
			    struct crimg_error *err)
{
	*sks = NULL;
	*n = 0;
	struct crimg_model *m = model_get(c, err);
	if (!m)
		return -1;
	if (m->have_inet_sks) {
		*sks = m->inet_sks;
		*n = m->n_inet_sks;
		return 0;
	}
	const char *img = crimg_ckpt_has(c, "files.img") ? "files.img"
		: crimg_ckpt_has(c, "inetsk.img")        ? "inetsk.img"
							 : NULL;
	const struct crimg_entries *e = img ? crimg_ckpt_entries(c, img, err) : NULL;
	if (img && !e)
		return -1;
	size_t count = 0;
	uint32_t id;
	for (size_t i = 0; e && i < e->n; i++)
		if (inet_sk(e, i, &id))
			count++;
	struct crimg_inet_sk *v = model_alloc(m, (count ? count : 1) * sizeof(*v));
	if (!v)
		return model_oom(err, img ? img : "inetsk.img");
	size_t k = 0;
	for (size_t i = 0; e && i < e->n; i++) {
		const InetSkEntry *sk = inet_sk(e, i, &id);
		if (!sk)
			continue;
		v[k].id = id;
		v[k].ino = sk->ino;
		v[k].family = sk->family;
		v[k].type = sk->type;
		v[k].proto = sk->proto;
		v[k].state = sk->state;
		k++;
	}
	m->inet_sks = v;
	m->n_inet_sks = count;
	m->have_inet_sks = 1;
	*sks = v;
	*n = count;
	return 0;
}
