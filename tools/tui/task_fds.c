/* A task's file descriptors (to be written). */
#include "tui.h"

struct tui_view *tui_tab_fds(struct tui *t, uint32_t pid)
{
	(void)t;
	tui_msg(t, TR_WARN, "fds: not yet");
	return NULL;
}
