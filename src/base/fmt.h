/* The subset of snprintf the core uses (the one-line formatter, address text, error messages),
 * without <stdio.h>: conversions d i u x X c s and %%, the flags '-' and '0', a decimal width, and
 * the length modifiers hh h l ll z. Anything else is copied out as written. Same contract as
 * snprintf: at most cap - 1 characters and a NUL (nothing when cap is 0); returns the length the
 * whole text would have. */
#ifndef BASE_FMT_H
#define BASE_FMT_H

#include <stdarg.h>
#include <stddef.h>

int fmt_snprintf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int fmt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

#endif
