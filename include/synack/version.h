/** @file
 * The version of synack: the one place it is written. The build reads the three numbers below
 * (CMakeLists.txt parses them for the shared library's SONAME, the pkg-config files and the CMake
 * package), so a release changes only this file.
 *
 * `SYNACK_VERSION` is the version of the headers a program was compiled against;
 * synack_version() is the version of the library it runs with. A program linked against the
 * shared library can compare the two at start-up. */
#ifndef SYNACK_VERSION_H
#define SYNACK_VERSION_H

#include "synack/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Major version: changes when a program written for an older one may no longer build or run. */
#define SYNACK_VERSION_MAJOR 0
/** Minor version: changes when the API grows (or, while the major version is 0, changes). */
#define SYNACK_VERSION_MINOR 1
/** Patch version: fixes that change no interface. */
#define SYNACK_VERSION_PATCH 0

/** @cond SYNACK_INTERNAL */
#define SYNACK_STR_(x) #x
#define SYNACK_STR(x) SYNACK_STR_(x)
/** @endcond */

/** The version as text, "MAJOR.MINOR.PATCH" (e.g. "0.1.0"), built from the three numbers. */
#define SYNACK_VERSION \
    SYNACK_STR(SYNACK_VERSION_MAJOR) "." SYNACK_STR(SYNACK_VERSION_MINOR) "." SYNACK_STR(SYNACK_VERSION_PATCH)

/** The version as one number that compares in order: MAJOR * 10000 + MINOR * 100 + PATCH. */
#define SYNACK_VERSION_NUMBER \
    (SYNACK_VERSION_MAJOR * 10000 + SYNACK_VERSION_MINOR * 100 + SYNACK_VERSION_PATCH)

/** The version of the library the program runs with.
 * @return "MAJOR.MINOR.PATCH", a static string: the `SYNACK_VERSION` the library was built with,
 *         which can differ from the program's `SYNACK_VERSION` when a shared library is upgraded. */
SYNACK_API const char *synack_version(void);

#ifdef __cplusplus
}
#endif

#endif
