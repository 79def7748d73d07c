/* The JSON writer's number formatting against the C library's. */
#include <inttypes.h>
#include <stdint.h>

#include "unit.h"
#include "json/text_writer.h"

static int same_as_printf(uint64_t v)
{
	char a[32], b[32];
	char *e = jw_fmt_u64(a, v);
	*e = '\0';
	snprintf(b, sizeof(b), "%" PRIu64, v);
	return strcmp(a, b) == 0;
}

TEST(fmt_u64_every_digit_count_and_boundary)
{
	/* each power of ten, one below it, and the extremes */
	int bad = 0;
	uint64_t p = 1;
	for (int i = 0; i < 20; i++, p *= 10) {
		bad += !same_as_printf(p);
		bad += !same_as_printf(p - 1);
		bad += !same_as_printf(p + 1);
	}
	bad += !same_as_printf(UINT64_MAX);
	bad += !same_as_printf(UINT64_MAX - 1);
	bad += !same_as_printf((uint64_t)INT64_MAX + 1);
	EXPECT(bad == 0);
}

TEST(fmt_u64_random_values_of_every_magnitude)
{
	/* xorshift: reproducible; the shift spreads values over all lengths */
	uint64_t x = 88172645463325252u;
	int bad = 0;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		bad += !same_as_printf(x >> (x & 63));
	}
	EXPECT(bad == 0);
}
