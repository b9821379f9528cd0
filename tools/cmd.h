/* Subcommands of the `synack` tool. Each takes argv with argv[0] = the command's name and returns
 * the process exit status (0 success, 1 runtime failure, 2 usage error). */
#ifndef TOOLS_CMD_H
#define TOOLS_CMD_H

struct cmd {
    const char *name;
    const char *help;
    int (*run)(int argc, char **argv);
};

int cmd_demo(int argc, char **argv);
int cmd_demo_ping(int argc, char **argv);
int cmd_demo_preset(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_nc(int argc, char **argv);
int cmd_ss(int argc, char **argv);
int cmd_ladder(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_resolve(int argc, char **argv);

#endif
