/* The hex view (to be written). */
#include "tui.h"

struct tui_view *tui_view_mem(struct tui *t, uint32_t pid, uint64_t addr)
{
	tui_msg(t, TR_WARN, "memory: not yet");
	return NULL;
}

int tui_mem_goto(struct tui *t, struct tui_view *v, uint64_t addr)
{
	tui_msg(t, TR_WARN, "memory: not yet");
	return -1;
}
