/* Search every task's memory (to be written). */
#include "tui.h"

struct tui_view *tui_view_search(struct tui *t, const char *text)
{
	(void)t;
	tui_msg(t, TR_WARN, "search: not yet");
	return NULL;
}
