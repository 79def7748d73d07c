/* crit x: not written yet. */
#include "crit.h"
#include "util.h"

int cmd_x(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return error("'x' is not implemented yet");
}
