/* One-line errors for bad command-line options, shared by every `synack` command: getopt's own
 * messages are turned off (opterr = 0) and this names the command and the option as typed. */
#ifndef TOOLS_OPTERR_H
#define TOOLS_OPTERR_H

#include <getopt.h>

/* Call with getopt_long's return value c ('?' or ':') after a failed option. */
void tool_bad_option(const char *cmd, int c, int argc, char **argv, const struct option *opts);

/* Any other usage error (an operand or a required option missing, an argument too many): one line,
 * "synack CMD: MESSAGE (try 'synack CMD --help')", as the option errors above. */
void tool_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
