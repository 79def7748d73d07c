/* crit inspect: not written yet. */
#include "crit.h"
#include "util.h"

int cmd_inspect(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return error("'inspect' is not implemented yet");
}
