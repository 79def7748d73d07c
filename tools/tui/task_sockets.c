/* A task's sockets (to be written). */
#include "tui.h"

struct tui_view *tui_tab_sockets(struct tui *t, uint32_t pid)
{
	(void)t;
	tui_msg(t, TR_WARN, "sockets: not yet");
	return NULL;
}
