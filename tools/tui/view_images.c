/* Every image (to be written). */
#include "tui.h"

struct tui_view *tui_view_images(struct tui *t)
{
	(void)t;
	tui_msg(t, TR_WARN, "images: not yet");
	return NULL;
}
