/* A task's registers (to be written). */
#include "tui.h"

struct tui_view *tui_tab_regs(struct tui *t, uint32_t pid)
{
	(void)t;
	tui_msg(t, TR_WARN, "registers: not yet");
	return NULL;
}
