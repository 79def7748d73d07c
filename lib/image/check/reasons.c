/* The reason codes' table (reasons.def), for the API and the findings. */
#include <string.h>
#include "check/check_int.h"

static const struct crimg_check_reason reasons[R_N] = {
#define REASON(id, code, sev, part, cat, title, why, fix) \
	{ code, CRIMG_CHECK_##sev, CRIMG_CHECK_PART_##part, cat, title, why, fix },
#include "check/reasons.def"
#undef REASON
};

const struct crimg_check_reason *crimg_check_reasons(size_t *n)
{
	*n = R_N;
	return reasons;
}

enum check_reason_id check_reason_by_code(const char *code)
{
	for (size_t i = 0; i < R_N; i++)
		if (!strcmp(reasons[i].code, code))
			return (enum check_reason_id)i;
	return R_N;
}
