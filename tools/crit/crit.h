/* crit: one entry point per subcommand, cmd_<name>() in tools/crit/<name>.c. */
#ifndef CRIT_H
#define CRIT_H

int cmd_decode(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_x(int argc, char **argv);
int cmd_mem(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_edit(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_core(int argc, char **argv);

/* crit help CMD: execs man(1) on crit-CMD when it finds the page; returns
 * when it does not (the caller then runs `crit CMD --help`). */
void help_show_manual(const char *cmd);

#endif
