/* crit mem: not written yet. */
#include "crit.h"
#include "util.h"

int cmd_mem(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return error("'mem' is not implemented yet");
}
