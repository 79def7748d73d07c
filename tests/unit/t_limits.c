/* The limits: parsing "NAME=VALUE,...", ranges, and the defaults' text. */
#include "crimg/image.h"
#include "unit.h"

TEST(limits_parse_names_sizes_and_errors)
{
	struct crimg_limits l = crimg_default_limits;
	struct crimg_error err;
	crimg_error_clear(&err);
	EXPECT(crimg_limits_set(&l, "entry=1M,extra=2G,depth=40,member=3T,ratio=7,parents=9",
				&err) == 0);
	EXPECT(l.max_entry == 1u << 20 && l.max_extra == 2ull << 30 && l.max_depth == 40);
	EXPECT(l.max_member == 3ull << 40 && l.max_ratio == 7 && l.max_parents == 9);
	EXPECT(crimg_limits_set(&l, "entry=4k", &err) == 0 && l.max_entry == 4096);
	EXPECT(crimg_limits_set(&l, "members=12,unpacked=5G,json=1K,dirs=512,args=3M,parents=0",
				&err) == 0);
	EXPECT(l.max_members == 12 && l.max_unpacked == 5ull << 30 && l.max_json == 1024);
	EXPECT(l.max_dirs == 512 && l.max_args == 3u << 20 && l.max_parents == 0);
	/* empty parts are allowed; later settings win */
	EXPECT(crimg_limits_set(&l, ",depth=5,,depth=6,", &err) == 0 && l.max_depth == 6);
	struct crimg_limits before = l;
	const char *bad[] = { "nosuch=1",
			      "entry",
			      "entry=",
			      "entry=-1",
			      "entry=1X",
			      "entry=1KB",
			      "entry=4294967296",
			      "depth=4097",
			      "depth=0",
			      "ratio=1M",
			      "extra=99999999999999999999",
			      "extra=20000000T",
			      "depth=5,bogus=1",
			      "dirs=513",
			      "dirs=0",
			      "members=0",
			      "parents=1048577",
			      "json=0",
			      "unpacked=1x",
			      "args=" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		crimg_error_clear(&err);
		EXPECT(crimg_limits_set(&l, bad[i], &err) == -1);
		EXPECT(strstr(err.msg, "limit '") != NULL);
		EXPECT(memcmp(&l, &before, sizeof(l)) == 0); /* unchanged on error */
	}
	crimg_error_clear(&err);
	EXPECT(crimg_limits_set(&l, "bogus=1", &err) == -1);
	EXPECT(strstr(err.msg,
		      "NAME one of entry, extra, depth, member, ratio, parents, members, "
		      "unpacked, json, dirs, args") != NULL);
	char buf[256];
	EXPECT_STR(crimg_limits_str(&crimg_default_limits, buf, sizeof(buf)),
		   "entry=64M,extra=4G,depth=512,member=64G,ratio=200,parents=64,members=1000000,"
		   "unpacked=1T,json=16M,dirs=128,args=64M");
}

/* The list help texts are made from: every limit, in the order of the string. */
TEST(limits_describe_every_limit)
{
	char all[256], line[256] = "", val[32];
	const char *what, *name;
	size_t i, k = 0;
	crimg_limits_str(&crimg_default_limits, all, sizeof(all));
	for (i = 0; (name = crimg_limit_describe(i, NULL, val, sizeof(val), &what)); i++) {
		k += (size_t)snprintf(line + k, sizeof(line) - k, "%s%s=%s", i ? "," : "", name,
				      val);
		EXPECT(what && *what);
	}
	EXPECT(i == 11);
	EXPECT_STR(line, all);
}
