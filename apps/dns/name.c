/* Domain names: wire form, compression pointers, text form (see name.h). */
#include "name.h"

#include <errno.h>
#include <string.h>

int dns_name_read(const uint8_t *msg, size_t len, size_t off, struct dns_name *out, size_t *end)
{
    size_t pos = off;
    /* Start of the run of labels being read: a pointer must go strictly before it. Runs therefore
     * start ever earlier, so pointers cannot form a loop however they are chained. */
    size_t run_start = off;
    int jumped = 0;
    size_t n = 0;
    for (;;) {
        if (pos >= len)
            return -EBADMSG;
        uint8_t c = msg[pos];
        if ((c & 0xC0) == 0xC0) {   /* RFC 1035 4.1.4: a pointer, 14 bits of offset */
            if (pos + 1 >= len)
                return -EBADMSG;
            size_t target = (size_t)(c & 0x3F) << 8 | msg[pos + 1];
            if (target >= run_start)
                return -EBADMSG;
            if (!jumped && end)
                *end = pos + 2;
            jumped = 1;
            pos = run_start = target;
            continue;
        }
        if (c & 0xC0)               /* 0x40 and 0x80: extended label types (RFC 6891 5), unsupported */
            return -EBADMSG;
        if (c == 0) {
            out->wire[n++] = 0;
            out->len = (uint8_t)n;
            if (!jumped && end)
                *end = pos + 1;
            return 0;
        }
        if (c > len - pos - 1)      /* the label runs past the end */
            return -EBADMSG;
        if (n + 1 + c + 1 > DNS_MAX_NAME)   /* RFC 1035 2.3.4, leaving room for the root */
            return -EBADMSG;
        memcpy(out->wire + n, msg + pos, (size_t)c + 1);
        n += (size_t)c + 1;
        pos += (size_t)c + 1;
    }
}

void dns_name_root(struct dns_name *out)
{
    out->len = 1;
    out->wire[0] = 0;
}

int dns_name_from_text(const char *text, const struct dns_name *origin, struct dns_name *out)
{
    if (!strcmp(text, ".")) {
        dns_name_root(out);
        return 0;
    }
    if (!*text)
        return -EINVAL;
    size_t lab = 0;      /* the current label's length byte */
    size_t n = 1;        /* bytes of out->wire used, that length byte reserved */
    int absolute = 0;
    const char *p = text;
    for (;;) {
        if (*p == '.' || *p == 0) {
            size_t l = n - lab - 1;
            if (l == 0)      /* "a..b", ".a" and an empty name are malformed */
                return -EINVAL;
            out->wire[lab] = (uint8_t)l;
            if (*p == 0)
                break;
            if (*++p == 0) { /* a final dot: the name is absolute */
                absolute = 1;
                break;
            }
            lab = n++;
            continue;
        }
        unsigned ch;
        if (*p == '\\') {
            p++;
            if (p[0] >= '0' && p[0] <= '9') {   /* \DDD: exactly three decimal digits */
                if (!(p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9'))
                    return -EINVAL;
                ch = (unsigned)(p[0] - '0') * 100u + (unsigned)(p[1] - '0') * 10u + (unsigned)(p[2] - '0');
                if (ch > 255)
                    return -EINVAL;
                p += 3;
            } else if (*p == 0) {
                return -EINVAL;
            } else {
                ch = (unsigned char)*p++;
            }
        } else {
            ch = (unsigned char)*p++;
        }
        if (n - lab - 1 >= DNS_MAX_LABEL)
            return -ENAMETOOLONG;
        if (n + 2 > DNS_MAX_NAME)   /* this byte and the root must fit */
            return -ENAMETOOLONG;
        out->wire[n++] = (uint8_t)ch;
    }
    if (!absolute && origin && origin->len > 1) {
        if (n + origin->len > DNS_MAX_NAME)
            return -ENAMETOOLONG;
        memcpy(out->wire + n, origin->wire, origin->len);
        n += origin->len;
    } else {
        out->wire[n++] = 0;
    }
    out->len = (uint8_t)n;
    return 0;
}

int dns_name_to_text(const struct dns_name *n, char *buf, size_t cap)
{
    size_t o = 0;
    if (n->len <= 1) {
        if (cap < 2)
            return -ENOSPC;
        buf[0] = '.';
        buf[1] = 0;
        return 1;
    }
    for (size_t i = 0; i < n->len && n->wire[i]; i += (size_t)n->wire[i] + 1) {
        if (i && o + 1 < cap)
            buf[o++] = '.';
        else if (i)
            return -ENOSPC;
        for (size_t k = 1; k <= n->wire[i]; k++) {
            uint8_t c = n->wire[i + k];
            char tmp[5];
            size_t tl;
            if (c == '.' || c == '\\' || c == ';' || c == '(' || c == ')' || c == '"') {
                tmp[0] = '\\';
                tmp[1] = (char)c;
                tl = 2;
            } else if (c <= 0x20 || c >= 0x7f) {
                tmp[0] = '\\';
                tmp[1] = (char)('0' + c / 100);
                tmp[2] = (char)('0' + c / 10 % 10);
                tmp[3] = (char)('0' + c % 10);
                tl = 4;
            } else {
                tmp[0] = (char)c;
                tl = 1;
            }
            if (o + tl + 1 > cap)
                return -ENOSPC;
            memcpy(buf + o, tmp, tl);
            o += tl;
        }
    }
    if (o + 1 > cap)
        return -ENOSPC;
    buf[o] = 0;
    return (int)o;
}

static uint8_t lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c; }

/* Compares wire bytes ignoring case; length bytes are at most 63 and never letters, so lowering
 * them is harmless. */
static int wire_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (lower(a[i]) != lower(b[i]))
            return 0;
    return 1;
}

int dns_name_equal(const struct dns_name *a, const struct dns_name *b)
{
    return a->len == b->len && wire_equal(a->wire, b->wire, a->len);
}

int dns_name_under(const struct dns_name *n, const struct dns_name *parent)
{
    /* Walk n's label boundaries: one of them must start exactly parent->len bytes from the end. */
    for (size_t i = 0; i < n->len; i += (size_t)n->wire[i] + 1) {
        if (n->len - i == parent->len)
            return wire_equal(n->wire + i, parent->wire, parent->len);
        if (n->wire[i] == 0)
            break;
    }
    return 0;
}

int dns_name_labels(const struct dns_name *n)
{
    int k = 0;
    for (size_t i = 0; i < n->len && n->wire[i]; i += (size_t)n->wire[i] + 1)
        k++;
    return k;
}

void dns_name_suffix(const struct dns_name *n, int skip, struct dns_name *out)
{
    size_t i = 0;
    while (skip-- > 0 && i < n->len && n->wire[i])
        i += (size_t)n->wire[i] + 1;
    if (i >= n->len) {
        dns_name_root(out);
        return;
    }
    out->len = (uint8_t)(n->len - i);
    memmove(out->wire, n->wire + i, out->len);
}
