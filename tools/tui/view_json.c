/* An image as a JSON tree (to be written). */
#include "tui.h"

struct tui_view *tui_view_json(struct tui *t, const char *image)
{
	(void)t;
	tui_msg(t, TR_WARN, "image: not yet");
	return NULL;
}
