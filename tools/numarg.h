/* Checked parsing of the numbers given to `synack` options, one parser for every command.
 *
 * strtoul and friends accept what an option must not: "-5" (wrapped to a huge unsigned value),
 * leading blanks, "+", an empty string, "nan", "inf", and values that overflow (clamped, with errno
 * the only sign). These take the whole string or nothing and check the range, so every number
 * option rejects negative and out-of-range values with the same one-line message. */
#ifndef TOOLS_NUMARG_H
#define TOOLS_NUMARG_H

#include <stdint.h>

enum numarg_err {
    NUMARG_OK = 0,
    NUMARG_EMPTY,     /* "" */
    NUMARG_SYNTAX,    /* not a number: letters, blanks, a sign where none may be, trailing junk */
    NUMARG_RANGE,     /* a number, but below min or above max (negative values included) */
};

/* A whole number: decimal digits (leading zeros allowed, never octal), or 0x and hex digits. A
 * leading '-' followed by digits is a number out of range (a clearer message than "syntax"). */
enum numarg_err numarg_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* A decimal number with an optional fraction and exponent ("0.5", "1e3", ".25"); never nan or
 * inf, never hex. A leading '-' is allowed and the value then checked against min. */
enum numarg_err numarg_parse_real(const char *s, double min, double max, double *out);

/* The same for an option: on failure prints one line,
 *   synack CMD: bad OPT 'ARG': not a number (MIN to MAX UNIT)
 * and returns -1; 0 on success. unit may be NULL or "". */
int numarg_uint(const char *cmd, const char *opt, const char *arg, uint64_t min, uint64_t max, const char *unit,
                uint64_t *out);
int numarg_real(const char *cmd, const char *opt, const char *arg, double min, double max, const char *unit,
                double *out);

#endif
