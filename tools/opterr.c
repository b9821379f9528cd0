/* One-line option errors (see opterr.h). */
#include "opterr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tool_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "synack %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (try 'synack %s --help')\n", cmd);
    va_end(ap);
}

void tool_bad_option(const char *cmd, int c, int argc, char **argv, const struct option *opts)
{
    const char *typed = optind > 0 && optind <= argc ? argv[optind - 1] : "";
    char shortopt[3] = { '-', (char)optopt, 0 };
    if (strncmp(typed, "--", 2) != 0) {
        fprintf(stderr, "synack %s: %s '%s' (try 'synack %s --help')\n", cmd,
                c == ':' ? "this option needs a value:" : "unknown option", shortopt, cmd);
        return;
    }
    const char *eq = strchr(typed, '=');
    size_t len = eq ? (size_t)(eq - typed) : strlen(typed);
    if (c == ':') {
        fprintf(stderr, "synack %s: option '%.*s' needs a value (try 'synack %s --help')\n", cmd, (int)len, typed, cmd);
        return;
    }
    for (const struct option *o = opts; o->name; o++)
        if (eq && strlen(o->name) == len - 2 && !strncmp(o->name, typed + 2, len - 2)) {
            fprintf(stderr, "synack %s: option '%.*s' takes no value\n", cmd, (int)len, typed);
            return;
        }
    fprintf(stderr, "synack %s: unknown option '%.*s' (try 'synack %s --help')\n", cmd, (int)len, typed, cmd);
}
