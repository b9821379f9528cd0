/* A small snprintf (see fmt.h): enough for the core's messages, with no libc underneath. */
#include "base/fmt.h"

#include <stdint.h>

struct fmt_out {
    char *buf;
    size_t cap, n;   /* n counts every character, written or not */
};

static void emit(struct fmt_out *o, char c)
{
    if (o->n + 1 < o->cap)
        o->buf[o->n] = c;
    o->n++;
}

static void emit_pad(struct fmt_out *o, char c, size_t count)
{
    while (count-- > 0)
        emit(o, c);
}

/* One field: optional sign, then digits or text, padded to `width`. Zero padding goes between the
 * sign and the digits, as C11 7.21.6.1p6 says; it is ignored with '-' and for text. */
static void emit_field(struct fmt_out *o, const char *sign, const char *s, size_t len, size_t width,
                       int left, int zero)
{
    size_t slen = sign ? 1 : 0, total = slen + len;
    size_t pad = width > total ? width - total : 0;
    if (!left && !zero)
        emit_pad(o, ' ', pad);
    if (sign)
        emit(o, *sign);
    if (!left && zero)
        emit_pad(o, '0', pad);
    for (size_t i = 0; i < len; i++)
        emit(o, s[i]);
    if (left)
        emit_pad(o, ' ', pad);
}

/* Digits of v in base 10 or 16, written backwards from the end of tmp; returns the first. */
static char *digits(unsigned long long v, unsigned base, int upper, char *end)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = set[v % base];
        v /= base;
    } while (v);
    return p;
}

enum fmt_len { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

int fmt_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
    struct fmt_out o = { buf, cap, 0 };
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            emit(&o, *f);
            continue;
        }
        const char *start = f++;
        int left = 0, zero = 0;
        for (;; f++) {
            if (*f == '-')
                left = 1;
            else if (*f == '0')
                zero = 1;
            else
                break;
        }
        size_t width = 0;
        while (*f >= '0' && *f <= '9')
            width = width * 10 + (size_t)(*f++ - '0');
        enum fmt_len len = LEN_INT;
        if (f[0] == 'h' && f[1] == 'h') {
            len = LEN_CHAR;
            f += 2;
        } else if (f[0] == 'h') {
            len = LEN_SHORT;
            f++;
        } else if (f[0] == 'l' && f[1] == 'l') {
            len = LEN_LLONG;
            f += 2;
        } else if (f[0] == 'l') {
            len = LEN_LONG;
            f++;
        } else if (f[0] == 'z') {
            len = LEN_SIZE;
            f++;
        }
        char tmp[24], *end = tmp + sizeof(tmp);
        switch (*f) {
        case 'd':
        case 'i': {
            long long v;
            switch (len) {
            case LEN_LLONG: v = va_arg(ap, long long); break;
            case LEN_LONG: v = va_arg(ap, long); break;
            case LEN_SIZE: v = (long long)va_arg(ap, size_t); break;   /* %zd: signed size_t */
            case LEN_CHAR: v = (signed char)va_arg(ap, int); break;
            case LEN_SHORT: v = (short)va_arg(ap, int); break;
            default: v = va_arg(ap, int); break;
            }
            /* The magnitude as unsigned, so that LLONG_MIN negates without overflow. */
            unsigned long long m = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            char *p = digits(m, 10, 0, end);
            emit_field(&o, v < 0 ? "-" : NULL, p, (size_t)(end - p), width, left, zero);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            unsigned long long v;
            switch (len) {
            case LEN_LLONG: v = va_arg(ap, unsigned long long); break;
            case LEN_LONG: v = va_arg(ap, unsigned long); break;
            case LEN_SIZE: v = va_arg(ap, size_t); break;
            case LEN_CHAR: v = (unsigned char)va_arg(ap, unsigned); break;
            case LEN_SHORT: v = (unsigned short)va_arg(ap, unsigned); break;
            default: v = va_arg(ap, unsigned); break;
            }
            char *p = digits(v, *f == 'u' ? 10 : 16, *f == 'X', end);
            emit_field(&o, NULL, p, (size_t)(end - p), width, left, zero);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            emit_field(&o, NULL, &c, 1, width, left, 0);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            size_t n = 0;
            while (s[n])
                n++;
            emit_field(&o, NULL, s, n, width, left, 0);
            break;
        }
        case '%':
            emit(&o, '%');
            break;
        default:
            /* Not supported (or the text ended): copy the directive as written. */
            for (const char *q = start; q <= f && *q; q++)
                emit(&o, *q);
            if (!*f)
                f--;
            break;
        }
    }
    if (cap > 0)
        buf[o.n < cap ? o.n : cap - 1] = 0;
    return o.n > INT32_MAX ? INT32_MAX : (int)o.n;
}

int fmt_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = fmt_vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return r;
}
