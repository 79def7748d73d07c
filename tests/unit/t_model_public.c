/*
 * What the public API gives a caller that has no generated header: one
 * entry (or a model structure's msg) as JSON, the inventory, the inet
 * sockets of a dump, and each socket's buffer sizes, all checked against
 * the JSON CRIU 4.2's crit wrote for the corpus (expected/NAME.json).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crimg/ckpt.h"
#include "crimg/json.h"
#include "crimg/model.h"
#include "unit.h"

/* The whole file at path as a string (NULL if it cannot be read). */
static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	char *s = NULL;
	if (fd >= 0 && fstat(fd, &st) == 0 && (s = malloc((size_t)st.st_size + 1))) {
		ssize_t n = read(fd, s, (size_t)st.st_size);
		if (n != st.st_size) {
			free(s);
			s = NULL;
		} else {
			s[n] = '\0';
		}
	}
	if (fd >= 0)
		close(fd);
	return s;
}

/* Reads back what o wrote to memfd fd. */
static char *flush_read(struct crimg_out *o, int fd)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	if (crimg_out_flush(o, &err) < 0)
		return NULL;
	off_t len = lseek(fd, 0, SEEK_END);
	char *s = len >= 0 ? malloc((size_t)len + 1) : NULL;
	if (s && pread(fd, s, (size_t)len, 0) != len) {
		free(s);
		return NULL;
	}
	if (s)
		s[len] = '\0';
	return s;
}

/* crimg_json_message of m, as a string. */
static char *message_json(const ProtobufCMessage *m, enum crimg_byte_order bo, unsigned flags)
{
	struct crimg_error err;
	crimg_error_clear(&err);
	int fd = memfd_create("msg", 0);
	struct crimg_out *o = fd >= 0 ? crimg_out_new(fd, "msg") : NULL;
	char *s = o && crimg_json_message(m, bo, flags, o, &err) == 0 ? flush_read(o, fd) : NULL;
	crimg_out_free(o);
	if (fd >= 0)
		close(fd);
	return s;
}

static struct crimg_ckpt *open_corpus(const char *name, char *dir, size_t len)
{
	const char *corpus = getenv("CRIMG_CORPUS");
	if (!corpus)
		return NULL;
	snprintf(dir, len, "%s/%s", corpus, name);
	struct crimg_error err;
	crimg_error_clear(&err);
	return crimg_ckpt_open(dir, NULL, &err);
}

/* Every entry of every image without extra payloads (or ghost contents),
 * one message at a time, gives back crit's JSON of the image. */
TEST(json_message_is_crit_decode_entry)
{
	static const char *const dumps[] = { "kitchen", "tcp", "tree", "nsbox", "sleep" };
	size_t images = 0;
	for (size_t d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		char dir[4096];
		struct crimg_ckpt *c = open_corpus(dumps[d], dir, sizeof(dir));
		if (!c)
			continue;
		const char *const *names;
		size_t n = crimg_ckpt_images(c, &names);
		for (size_t i = 0; i < n; i++) {
			char path[8192];
			snprintf(path, sizeof(path), "%s/expected/%s.json", dir, names[i]);
			char *want = slurp(path);
			struct crimg_error err;
			crimg_error_clear(&err);
			const struct crimg_entries *e = want ? crimg_ckpt_entries(c, names[i], &err)
							     : NULL;
			if (!e || e->kind->extra != CRIMG_EXTRA_NONE ||
			    e->kind->layout == CRIMG_LAYOUT_GHOST) {
				free(want);
				continue;
			}
			size_t cap = strlen(want) + 64, used = 0;
			char *got = malloc(cap);
			int ok = got != NULL;
			if (ok)
				used = (size_t)snprintf(got, cap,
							"{\"magic\": \"%s\", \"entries\": [",
							e->kind->name);
			for (size_t k = 0; ok && k < e->n; k++) {
				char *m = message_json(e->msgs[k], e->byte_order, 0);
				size_t ml = m ? strlen(m) : 0;
				ok = m && used + ml + 8 < cap;
				if (ok)
					used += (size_t)snprintf(got + used, cap - used, "%s%s",
								 k ? ", " : "", m);
				free(m);
			}
			if (ok)
				snprintf(got + used, cap - used, "]}");
			if (!ok || strcmp(got, want) != 0)
				printf("  %s: the messages' JSON is not crit's\n", path);
			EXPECT(ok && strcmp(got, want) == 0);
			images++;
			free(got);
			free(want);
		}
		crimg_ckpt_close(c);
	}
	if (getenv("CRIMG_CORPUS"))
		EXPECT(images >= 20);
}

TEST(json_message_pretty_and_refusal)
{
	char dir[4096];
	struct crimg_ckpt *c = open_corpus("tcp", dir, sizeof(dir));
	if (!c)
		return;
	struct crimg_error err;
	crimg_error_clear(&err);
	const ProtobufCMessage *m = crimg_ckpt_first(c, &err, "inventory.img");
	EXPECT(m != NULL);
	char *s = m ? message_json(m, CRIMG_LITTLE_ENDIAN, CRIMG_JSON_PRETTY) : NULL;
	EXPECT(s && strncmp(s, "{\n    \"img_version\": ", 21) == 0 && s[strlen(s) - 1] == '}');
	free(s);
	int fd = memfd_create("msg", 0);
	struct crimg_out *o = crimg_out_new(fd, "msg");
	EXPECT(crimg_json_message(NULL, CRIMG_LITTLE_ENDIAN, 0, o, &err) == -1);
	EXPECT(strstr(err.msg, "no message") != NULL);
	crimg_out_free(o);
	close(fd);
	crimg_ckpt_close(c);
}

/* The inventory's fields, against crit's JSON of inventory.img. */
TEST(model_inventory)
{
	char dir[4096], path[8192], want[256];
	struct crimg_ckpt *c = open_corpus("kitchen", dir, sizeof(dir));
	if (!c)
		return;
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_inventory *inv = crimg_ckpt_inventory(c, &err);
	snprintf(path, sizeof(path), "%s/expected/inventory.img.json", dir);
	char *json = slurp(path);
	EXPECT(inv && json);
	if (inv && json) {
		snprintf(want, sizeof(want), "\"img_version\": %u,", inv->img_version);
		EXPECT(strstr(json, want) != NULL);
		EXPECT(inv->run_id && strstr(json, inv->run_id) != NULL);
		EXPECT(inv->has_plugins == (strstr(json, "\"plugins_entry\"") != NULL));
		EXPECT(!inv->tcp_close && inv->msg != NULL);
		EXPECT(crimg_ckpt_inventory(c, &err) == inv); /* cached */
	}
	free(json);
	crimg_ckpt_close(c);

	/* an image of another kind under the name is refused, not misread */
	char tmp[] = "/tmp/crimg-unit-inv.XXXXXX", from[8192], to[8192];
	EXPECT(mkdtemp(tmp) != NULL);
	snprintf(from, sizeof(from), "%s/pstree.img", dir);
	snprintf(to, sizeof(to), "%s/inventory.img", tmp);
	char *bytes = slurp(from);
	struct stat st;
	int fd = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600);
	EXPECT(bytes && fd >= 0 && stat(from, &st) == 0 &&
	       write(fd, bytes, (size_t)st.st_size) == st.st_size);
	if (fd >= 0)
		close(fd);
	free(bytes);
	crimg_error_clear(&err);
	c = crimg_ckpt_open(tmp, NULL, &err);
	EXPECT(c != NULL);
	if (c) {
		char b[1400];
		EXPECT(crimg_ckpt_inventory(c, &err) == NULL);
		EXPECT_STR(crimg_error_str(&err, b, sizeof(b)),
			   "inventory.img: not an inventory_entry");
		crimg_ckpt_close(c);
	}
	unlink(to);
	rmdir(tmp);
}

/* The sockets of the tcp dump: the light list agrees with the records,
 * and each record's buffer sizes are those of its JSON. */
TEST(model_inet_sockets_and_buffers)
{
	char dir[4096];
	struct crimg_ckpt *c = open_corpus("tcp", dir, sizeof(dir));
	if (!c)
		return;
	struct crimg_error err;
	crimg_error_clear(&err);
	const struct crimg_inet_sk *sks;
	size_t n;
	EXPECT(crimg_ckpt_inet_sockets(c, &sks, &n, &err) == 0);
	EXPECT(n >= 2);
	size_t tcp_connected = 0;
	for (size_t i = 0; i < n; i++) {
		const struct crimg_file *f = crimg_ckpt_file_by_id(c, sks[i].id, &err);
		EXPECT(f && f->type == CRIMG_FD_INETSK);
		if (!f || f->type != CRIMG_FD_INETSK)
			continue;
		EXPECT(f->u.inet.ino == sks[i].ino && f->u.inet.state == sks[i].state &&
		       f->u.inet.proto == sks[i].proto && f->u.inet.family == sks[i].family &&
		       f->u.inet.type == sks[i].type);
		tcp_connected += sks[i].proto == 6 && sks[i].state == 1;
		EXPECT(f->has_sk_bufs);
		char *js = message_json(f->msg, CRIMG_LITTLE_ENDIAN, 0), want[128];
		snprintf(want, sizeof(want), "\"so_sndbuf\": %u, \"so_rcvbuf\": %u,", f->sk_sndbuf,
			 f->sk_rcvbuf);
		EXPECT(js && strstr(js, want) != NULL);
		free(js);
	}
	EXPECT(tcp_connected >= 2); /* tcp-stream-14f83.img and -14f84.img */
	const struct crimg_inet_sk *again;
	size_t n2;
	EXPECT(crimg_ckpt_inet_sockets(c, &again, &n2, &err) == 0 && again == sks && n2 == n);
	/* files that are not sockets have no buffer sizes */
	const struct crimg_file *const *files;
	size_t nf;
	EXPECT(crimg_ckpt_files(c, &files, &nf, &err) == 0);
	for (size_t i = 0; i < nf; i++)
		if (files[i]->type == CRIMG_FD_REG)
			EXPECT(!files[i]->has_sk_bufs);
	crimg_ckpt_close(c);
}
