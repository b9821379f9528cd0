/* The `synack` command: dispatches to its subcommands. */
#include <stdio.h>
#include <string.h>

#include "synack/version.h"

#include "cmd.h"

static const struct cmd cmds[] = {
    { "demo", "one TCP connection on a simulated link with loss, drawn as a ladder (no root)", cmd_demo },
    { "nc", "netcat over the stack on a TAP/TUN device: connect or listen, stdin <-> connection", cmd_nc },
    { "ss", "list the TCP connections of a running synack process, like ss -tan", cmd_ss },
    { "get", "HTTP client over the stack on a TAP/TUN device: fetch URLs, keep-alive pool, redirects", cmd_get },
    { "resolve", "resolve a name to IPv4 addresses over the stack on a TAP/TUN device: hosts file, then DNS", cmd_resolve },
    { "ladder", "draw the TCP connections in a pcap/pcapng capture as ladder diagrams, states inferred", cmd_ladder },
    { "serve", "run the stack on a TAP/TUN device: ping, UDP/TCP echo (7) and discard (9), HTTP, DNS", cmd_serve },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: synack COMMAND [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].help);
    fprintf(f, "\n'synack COMMAND --help' describes a command's options; 'synack --version' prints the version.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("synack %s\n", synack_version());
        return 0;
    }
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (!strcmp(argv[1], cmds[i].name))
            return cmds[i].run(argc - 1, argv + 1);
    fprintf(stderr, "synack: unknown command '%s' (try 'synack --help')\n", argv[1]);
    return 2;
}
