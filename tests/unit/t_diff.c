/* The diff engine on in-memory images: path patterns, natural keys,
 * filters, stopping, kinds that differ. */
#include <stdlib.h>
#include <stdio.h>

#include "crimg/diff.h"
#include "pstree.pb-c.h"
#include "unit.h"

TEST(diff_glob_matches_whole_components)
{
	EXPECT(crimg_diff_glob("task[*].regs", "task[100].regs.ip"));
	EXPECT(crimg_diff_glob("task[*].regs", "task[100].regs"));
	EXPECT(!crimg_diff_glob("task[*].regs", "task[100].regsx"));
	EXPECT(crimg_diff_glob("task[1]", "task[1].fd[3]"));
	EXPECT(!crimg_diff_glob("task[1]", "task[10].fd[3]"));
	EXPECT(crimg_diff_glob("*.mem[*]", "task[1].mem[0x1000-0x2000]"));
	EXPECT(crimg_diff_glob("stats-dump", "stats-dump[0].dump.frozen_time"));
	EXPECT(crimg_diff_glob("*.pos", "task[7].fd[0].pos"));
	EXPECT(!crimg_diff_glob("*.pos", "task[7].fd[0].position"));
	EXPECT(crimg_diff_glob("task[?].ppid", "task[7].ppid"));
	EXPECT(!crimg_diff_glob("task[?].ppid", "task[17].ppid"));
	EXPECT(crimg_diff_glob("*", "anything[at].all"));
}

TEST(diff_categories_by_name)
{
	for (unsigned c = 0; c < CRIMG_DIFF_NCAT; c++)
		EXPECT(crimg_diff_cat_by_name(crimg_diff_cat_name(c)) == (int)c);
	EXPECT(crimg_diff_cat_by_name("mem") == -1);
	EXPECT(crimg_diff_cat_name(CRIMG_DIFF_NCAT) == NULL);
}

/* A PSTREE image of n tasks {pid, ppid 0, pgid pid, sid} in buf. */
static size_t pstree_image(uint8_t *buf, const uint32_t *pids, const uint32_t *sids, size_t n)
{
	const uint32_t head[2] = { 0x54564319, 0x50273030 };
	size_t at = 0;
	memcpy(buf, head, sizeof(head)); /* the machine is little-endian */
	at += sizeof(head);
	for (size_t i = 0; i < n; i++) {
		PstreeEntry e = PSTREE_ENTRY__INIT;
		e.pid = pids[i];
		e.pgid = pids[i];
		e.sid = sids[i];
		uint32_t len = (uint32_t)protobuf_c_message_pack(&e.base, buf + at + 4);
		memcpy(buf + at, &len, 4);
		at += 4 + len;
	}
	return at;
}

struct seen {
	char paths[8][64];
	int ops[8];
	unsigned cats[8];
	size_t n;
	int stop_after;
};

static int collect(void *arg, const struct crimg_diff_item *it)
{
	struct seen *s = arg;
	if (s->n < 8) {
		snprintf(s->paths[s->n], sizeof(s->paths[0]), "%s", it->path);
		s->ops[s->n] = it->op;
		s->cats[s->n] = it->cat;
	}
	s->n++;
	return s->stop_after && s->n >= (size_t)s->stop_after;
}

TEST(diff_image_matches_entries_by_key)
{
	uint8_t a[256], b[256];
	const uint32_t pa[] = { 1, 2, 5 }, sa[] = { 1, 1, 1 };
	const uint32_t pb[] = { 5, 2, 3 }, sb[] = { 1, 9, 1 }; /* another order */
	size_t na = pstree_image(a, pa, sa, 3), nb = pstree_image(b, pb, sb, 3);
	struct seen s = { .n = 0 };
	struct crimg_diff_stats st;
	struct crimg_error err;
	crimg_error_clear(&err);
	EXPECT(crimg_diff_image("a/pstree.img", a, na, "b/pstree.img", b, nb, NULL, collect, &s,
				&st, &err) == 0);
	/* in key order: 1 gone, 2 changed, 3 new; 5 moved but is the same */
	EXPECT(s.n == 3 && st.total == 3 && st.items[CRIMG_DIFF_IMAGE] == 3);
	EXPECT_STR(s.paths[0], "pstree.img[pid=1]");
	EXPECT(s.ops[0] == CRIMG_DIFF_REMOVED);
	EXPECT_STR(s.paths[1], "pstree.img[pid=2].sid");
	EXPECT(s.ops[1] == CRIMG_DIFF_CHANGED);
	EXPECT_STR(s.paths[2], "pstree.img[pid=3]");
	EXPECT(s.ops[2] == CRIMG_DIFF_ADDED);

	/* an ignored path is neither reported nor counted */
	const char *ign[] = { "pstree.img[pid=2]" };
	struct crimg_diff_opts o = { .ignore = ign, .n_ignore = 1 };
	s.n = 0;
	EXPECT(crimg_diff_image("a/pstree.img", a, na, "b/pstree.img", b, nb, &o, collect, &s, &st,
				&err) == 0);
	EXPECT(s.n == 2 && st.total == 2);
	/* a category not asked for: nothing */
	struct crimg_diff_opts m = { .cats = 1u << CRIMG_DIFF_MEMORY };
	s.n = 0;
	EXPECT(crimg_diff_image("a/pstree.img", a, na, "b/pstree.img", b, nb, &m, collect, &s, &st,
				&err) == 0);
	EXPECT(s.n == 0 && st.total == 0);
	/* the callback stops it */
	s.n = 0;
	s.stop_after = 1;
	EXPECT(crimg_diff_image("a/pstree.img", a, na, "b/pstree.img", b, nb, NULL, collect, &s,
				&st, &err) == 0);
	EXPECT(s.n == 1 && st.stopped);
}

TEST(diff_image_refuses_other_kinds)
{
	uint8_t a[64], b[64];
	const uint32_t p[] = { 1 };
	size_t na = pstree_image(a, p, p, 1), nb = pstree_image(b, p, p, 1);
	memcpy(b + 4, "\x20\x28\x49\x57", 4); /* MM's magic */
	struct crimg_diff_stats st;
	struct crimg_error err;
	crimg_error_clear(&err);
	EXPECT(crimg_diff_image("pstree.img", a, na, "x.img", b, nb, NULL, NULL, NULL, &st, &err) <
	       0);
	EXPECT(strstr(err.msg, "(PSTREE) and x.img (MM) are images of different kinds") != NULL);
	/* raw data compares block by block */
	uint8_t r1[5000] = { 0 }, r2[5000] = { 0 };
	r2[4099] = 1;
	r2[4100] = 2;
	crimg_error_clear(&err);
	struct crimg_diff_opts o = { .page_size = 4096 };
	EXPECT(crimg_diff_image("pages-1.img", r1, sizeof(r1), "pages-1.img", r2, sizeof(r2), &o,
				NULL, NULL, &st, &err) == 0);
	EXPECT(st.total == 1 && st.mem_pages == 1 && st.mem_bytes == 2);
}
