/* A task's environment and command line (to be written). */
#include "tui.h"

struct tui_view *tui_tab_env(struct tui *t, uint32_t pid)
{
	(void)t;
	tui_msg(t, TR_WARN, "env: not yet");
	return NULL;
}
