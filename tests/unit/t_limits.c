/* The limits: parsing "NAME=VALUE,...", ranges, and the defaults' text. */
#include "crimg/image.h"
#include "unit.h"

TEST(limits_parse_names_sizes_and_errors)
{
	struct crimg_limits l = crimg_default_limits;
	struct crimg_error err;
	crimg_error_clear(&err);
	EXPECT(crimg_limits_set(&l, "entry=1M,extra=2G,depth=40,member=3T,ratio=7,parents=9", &err) == 0);
	EXPECT(l.max_entry == 1u << 20 && l.max_extra == 2ull << 30 && l.max_depth == 40);
	EXPECT(l.max_member == 3ull << 40 && l.max_ratio == 7 && l.max_parents == 9);
	EXPECT(crimg_limits_set(&l, "entry=4k", &err) == 0 && l.max_entry == 4096);
	/* empty parts are allowed; later settings win */
	EXPECT(crimg_limits_set(&l, ",depth=5,,depth=6,", &err) == 0 && l.max_depth == 6);
	struct crimg_limits before = l;
	const char *bad[] = { "nosuch=1", "entry", "entry=", "entry=-1", "entry=1X", "entry=1KB",
			      "entry=4294967296", "depth=4097", "depth=0", "ratio=1M",
			      "extra=99999999999999999999", "extra=20000000T", "depth=5,bogus=1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		crimg_error_clear(&err);
		EXPECT(crimg_limits_set(&l, bad[i], &err) == -1);
		EXPECT(strstr(err.msg, "limit '") != NULL);
		EXPECT(memcmp(&l, &before, sizeof(l)) == 0);	/* unchanged on error */
	}
	char buf[256];
	EXPECT_STR(crimg_limits_str(&crimg_default_limits, buf, sizeof(buf)),
		   "entry=64M,extra=4G,depth=512,member=64G,ratio=200,parents=64");
}
