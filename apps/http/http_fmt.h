/* Text appended to a bounded buffer without printf: the pieces of a response head and of an access
 * log line. A response head is a dozen short strings and numbers; vsnprintf parsing a format for
 * each line was most of what the server's own code cost per request. Each function writes at `o`,
 * never past `end`, and returns the new end of the text (what does not fit is cut, as snprintf
 * would cut it); nothing is NUL-terminated. */
#ifndef APPS_HTTP_FMT_H
#define APPS_HTTP_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline char *http_put_mem(char *o, const char *end, const void *p, size_t n)
{
    size_t room = (size_t)(end - o);
    if (n > room)
        n = room;
    memcpy(o, p, n);
    return o + n;
}

/* strlen of a literal is folded where this is inlined. */
static inline char *http_put_str(char *o, const char *end, const char *s) { return http_put_mem(o, end, s, strlen(s)); }

/* v in decimal, at least `width` digits (zero-padded), as %0*llu. */
static inline char *http_put_dec(char *o, const char *end, uint64_t v, unsigned width)
{
    char t[24];
    unsigned i = sizeof(t);
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v && i);
    while (sizeof(t) - i < width && i)
        t[--i] = '0';
    return http_put_mem(o, end, t + i, sizeof(t) - i);
}

static inline char *http_put_u64(char *o, const char *end, uint64_t v) { return http_put_dec(o, end, v, 1); }

/* v in lower-case hexadecimal, no leading zeros, as %llx. */
static inline char *http_put_hex(char *o, const char *end, uint64_t v)
{
    char t[16];
    unsigned i = sizeof(t);
    do {
        t[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    return http_put_mem(o, end, t + i, sizeof(t) - i);
}

#endif
