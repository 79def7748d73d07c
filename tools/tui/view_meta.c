/* The container's metadata (to be written). */
#include "tui.h"

struct tui_view *tui_view_meta(struct tui *t)
{
	(void)t;
	tui_msg(t, TR_WARN, "metadata: not yet");
	return NULL;
}
