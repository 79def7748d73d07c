/* Signal names for the tools' text (one table for crit x core and crit-tui). */
#ifndef CRIMG_TOOLS_SIGNALS_H
#define CRIMG_TOOLS_SIGNALS_H
/* "SIGHUP" .. "SIGSYS" for signals 1 .. 31; NULL for any other number (the
 * caller words real-time and unknown ones its own way). */
const char *tool_signal_name(long s);
#endif
