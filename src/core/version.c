/* The library's version (synack/version.h), compiled in so a program linked against the shared
 * library can tell which one it runs with. */
#include "synack/version.h"

const char *synack_version(void)
{
    return SYNACK_VERSION;
}
