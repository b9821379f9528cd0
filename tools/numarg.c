/* Checked number parsing for options (see numarg.h). */
#include "numarg.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum numarg_err numarg_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || !*s)
        return NUMARG_EMPTY;
    int neg = 0;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return NUMARG_SYNTAX;
    uint64_t v = 0;
    int over = 0;
    for (; *s; s++) {
        int d = hexval(*s);
        if (d < 0 || (unsigned)d >= base)
            return NUMARG_SYNTAX;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            over = 1;
        else
            v = v * base + (uint64_t)d;
    }
    if (over || (neg && v != 0) || v < min || v > max)
        return NUMARG_RANGE;
    *out = v;
    return NUMARG_OK;
}

enum numarg_err numarg_parse_real(const char *s, double min, double max, double *out)
{
    if (!s || !*s)
        return NUMARG_EMPTY;
    /* Only [-]digits[.digits][e[+-]digits]: strtod would also take blanks, "+", hex, nan, inf. */
    const char *p = s;
    if (*p == '-')
        p++;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9') {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
    }
    if (!digits)
        return NUMARG_SYNTAX;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return NUMARG_SYNTAX;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return NUMARG_SYNTAX;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (*end)
        return NUMARG_SYNTAX;
    if (!isfinite(v) || v < min || v > max)
        return NUMARG_RANGE;
    if (v == 0)
        v = 0;   /* "-0" is 0 */
    *out = v;
    return NUMARG_OK;
}

static const char *why(enum numarg_err e)
{
    return e == NUMARG_EMPTY ? "empty" : e == NUMARG_SYNTAX ? "not a number" : "out of range";
}

int numarg_uint(const char *cmd, const char *opt, const char *arg, uint64_t min, uint64_t max, const char *unit,
                uint64_t *out)
{
    enum numarg_err e = numarg_parse_uint(arg, min, max, out);
    if (e == NUMARG_OK)
        return 0;
    fprintf(stderr, "synack %s: bad %s '%s': %s (a whole number, %llu to %llu%s%s)\n", cmd, opt, arg, why(e),
            (unsigned long long)min, (unsigned long long)max, unit && *unit ? " " : "", unit ? unit : "");
    return -1;
}

int numarg_real(const char *cmd, const char *opt, const char *arg, double min, double max, const char *unit,
                double *out)
{
    enum numarg_err e = numarg_parse_real(arg, min, max, out);
    if (e == NUMARG_OK)
        return 0;
    fprintf(stderr, "synack %s: bad %s '%s': %s (%g to %g%s%s)\n", cmd, opt, arg, why(e), min, max,
            unit && *unit ? " " : "", unit ? unit : "");
    return -1;
}
