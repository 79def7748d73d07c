/* A task's summary (to be written). */
#include "tui.h"

struct tui_view *tui_tab_summary(struct tui *t, uint32_t pid)
{
	(void)t;
	tui_msg(t, TR_WARN, "summary: not yet");
	return NULL;
}
