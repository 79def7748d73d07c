/*
 * crit-convert's progress line (progress.h): on a terminal, nothing for
 * work done within a second, then one line on stderr redrawn at most five
 * times a second.  With --progress, from the start, and when stderr is a
 * file or a pipe a line every two seconds.
 */
#include <stdio.h>

#include "convert.h"

static const char *size_str(uint64_t v, char *buf, size_t len)
{
	if (v < (10u << 20))
		snprintf(buf, len, "%.1f KiB", (double)v / 1024);
	else if (v < (10ull << 30))
		snprintf(buf, len, "%.1f MiB", (double)v / (1 << 20));
	else
		snprintf(buf, len, "%.1f GiB", (double)v / (1 << 30));
	return buf;
}

/* "12.5 MiB of 40.0 MiB (31%), 85 MiB/s": the rate over the current step */
static void words(char *buf, size_t len, uint64_t done, uint64_t total, double secs)
{
	char a[32], b[32];
	double rate = secs > 0.05 ? (double)done / secs : 0;
	if (total && done <= total)
		snprintf(buf, len, "%s of %s (%d%%), %.0f MiB/s", size_str(done, a, sizeof(a)),
			 size_str(total, b, sizeof(b)), (int)(done * 100 / total),
			 rate / (1 << 20));
	else
		snprintf(buf, len, "%s", size_str(done, a, sizeof(a)));
}

const struct progress_style convert_progress = {
	.name = "crit convert",
	.every = 0.2,
	.every_notty = 2.0,
	.words = words,
};
