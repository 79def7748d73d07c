/* A task's memory map (to be written). */
#include "tui.h"

struct tui_view *tui_tab_maps(struct tui *t, uint32_t pid)
{
	(void)t;
	tui_msg(t, TR_WARN, "maps: not yet");
	return NULL;
}
