/* Address text: the family-neutral address (struct synack_ip) and socket address parsed from and
 * formatted to text, and the IPv4-only helpers interface configuration uses.
 *
 * The core is becoming freestanding, so everything here is written by hand: no inet_pton or
 * inet_ntop, no snprintf or sscanf, no string functions. Parsers are strict (no spaces, signs or
 * trailing text) and write their output only on success; formatters write a NUL-terminated string
 * and fail with -ENOSPC, leaving "" when cap > 0, rather than truncate. */
#include "base/errno.h"

#include "synack/types.h"

/* ---- small pieces ---- */

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

static size_t text_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Strict dotted quad in s[0..n): four decimal numbers 0..255 of 1 to 3 digits with dots between,
 * nothing else. A leading zero is accepted ("010" is ten, never octal). */
static int parse_v4(const char *s, size_t n, uint32_t *out)
{
    uint32_t a = 0;
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(s[i++] - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return -EINVAL;
        a = (a << 8) | v;
        if (part < 3) {
            if (i >= n || s[i] != '.')
                return -EINVAL;
            i++;
        }
    }
    if (i != n)
        return -EINVAL;
    *out = a;
    return 0;
}

/* RFC 4291 2.2: x:x:x:x:x:x:x:x with 1 to 4 hex digits per group; one "::" standing for one or
 * more zero groups; the last 32 bits may be written as a dotted quad (x:x:x:x:x:x:d.d.d.d). No
 * zone index (RFC 6874 "%25eth0" is for URIs with scoped addresses, which we do not have). */
static int parse_v6(const char *s, size_t n, struct synack_ip *out)
{
    uint16_t g[8];
    int ng = 0, gap = -1;
    size_t i = 0;
    if (n == 0)
        return -EINVAL;
    if (s[0] == ':') {   /* only as the start of a leading "::" */
        if (n < 2 || s[1] != ':')
            return -EINVAL;
        gap = 0;
        i = 2;
    }
    while (i < n) {
        size_t start = i;
        unsigned v = 0;
        int nd = 0;
        while (i < n && nd < 5 && hexval(s[i]) >= 0) {
            v = v * 16 + (unsigned)hexval(s[i++]);
            nd++;
        }
        if (i < n && s[i] == '.') {
            /* An embedded dotted quad: the last two groups, so nothing may follow it. */
            uint32_t a;
            if (ng > 6 || parse_v4(s + start, n - start, &a) != 0)
                return -EINVAL;
            g[ng++] = (uint16_t)(a >> 16);
            g[ng++] = (uint16_t)a;
            i = n;
            break;
        }
        if (nd == 0 || nd > 4 || ng == 8)
            return -EINVAL;
        g[ng++] = (uint16_t)v;
        if (i == n)
            break;
        if (s[i] != ':')
            return -EINVAL;
        i++;
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return -EINVAL;   /* "::" at most once */
            gap = ng;
            i++;
        } else if (i == n) {
            return -EINVAL;       /* a single trailing colon */
        }
    }
    if (gap < 0 ? ng != 8 : ng > 7)   /* "::" stands for at least one group */
        return -EINVAL;
    struct synack_ip ip;
    for (int k = 0; k < 16; k++)
        ip.b[k] = 0;
    int head = gap < 0 ? ng : gap;
    for (int k = 0; k < head; k++) {
        ip.b[2 * k] = (uint8_t)(g[k] >> 8);
        ip.b[2 * k + 1] = (uint8_t)g[k];
    }
    for (int k = head; k < ng; k++) {   /* the groups after "::" end the address */
        int pos = 8 - (ng - k);
        ip.b[2 * pos] = (uint8_t)(g[k] >> 8);
        ip.b[2 * pos + 1] = (uint8_t)g[k];
    }
    *out = ip;
    return 0;
}

/* A little writer into a fixed buffer that remembers running out of room. */
struct out {
    char *p;
    size_t cap, len;
};

static void put_char(struct out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->p[o->len] = c;
    o->len++;
}

static void put_str(struct out *o, const char *s)
{
    while (*s)
        put_char(o, *s++);
}

static void put_dec(struct out *o, unsigned v)
{
    char d[10];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put_char(o, d[--n]);
}

static void put_hex16(struct out *o, unsigned v)
{
    static const char digits[] = "0123456789abcdef";   /* RFC 5952 4.3: lowercase */
    int started = 0;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned d = (v >> shift) & 15;
        if (d || started || shift == 0) {   /* 4.1: leading zeros dropped */
            put_char(o, digits[d]);
            started = 1;
        }
    }
}

static void put_v4(struct out *o, const uint8_t *b)
{
    for (int i = 0; i < 4; i++) {
        if (i)
            put_char(o, '.');
        put_dec(o, b[i]);
    }
}

/* RFC 5952 text. 4.2.1: "::" shortens as much as possible; 4.2.2: never a single zero group;
 * 4.2.3: the longest run, the first one on a tie. Section 5: an IPv4-mapped address keeps its
 * IPv4 part dotted (::ffff:192.0.2.1). */
static void put_v6(struct out *o, const struct synack_ip *ip)
{
    unsigned g[8];
    for (int k = 0; k < 8; k++)
        g[k] = (unsigned)ip->b[2 * k] << 8 | ip->b[2 * k + 1];
    int ngroups = 8;
    int mapped = synack_ip_is_v4(ip);
    if (mapped)
        ngroups = 6;   /* groups 6 and 7 are written as the dotted quad */
    int best = -1, best_len = 1;
    for (int k = 0; k < ngroups;) {
        if (g[k]) {
            k++;
            continue;
        }
        int e = k;
        while (e < ngroups && g[e] == 0)
            e++;
        if (e - k > best_len) {
            best = k;
            best_len = e - k;
        }
        k = e;
    }
    for (int k = 0; k < ngroups; k++) {
        if (k == best) {
            put_str(o, "::");
            k += best_len - 1;
            continue;
        }
        if (k && k != best + best_len)
            put_char(o, ':');
        put_hex16(o, g[k]);
    }
    if (mapped) {
        if (best + best_len != ngroups)
            put_char(o, ':');
        put_v4(o, ip->b + 12);
    }
}

/* NUL-terminates; returns the length, or -ENOSPC (with "" in buf) if it did not fit. */
static int finish(struct out *o)
{
    if (o->cap == 0)
        return -ENOSPC;
    if (o->len >= o->cap) {
        o->p[0] = 0;
        return -ENOSPC;
    }
    o->p[o->len] = 0;
    return (int)o->len;
}

/* ---- the family-neutral address ---- */

int synack_ip_parse(const char *text, struct synack_ip *out)
{
    if (!text || !out)
        return -EINVAL;
    size_t n = text_len(text);
    for (size_t i = 0; i < n; i++)
        if (text[i] == ':')
            return parse_v6(text, n, out);
    uint32_t a;
    if (parse_v4(text, n, &a) != 0)
        return -EINVAL;
    *out = synack_ip_from_v4(a);
    return 0;
}

int synack_ip_format(const struct synack_ip *ip, char *buf, size_t cap)
{
    if (!ip || (!buf && cap))
        return -EINVAL;
    struct out o = { buf, cap, 0 };
    if (synack_ip_is_v4(ip))
        put_v4(&o, ip->b + 12);
    else
        put_v6(&o, ip);
    return finish(&o);
}

int synack_ip6_format(const struct synack_ip *ip, char *buf, size_t cap)
{
    if (!ip || (!buf && cap))
        return -EINVAL;
    struct out o = { buf, cap, 0 };
    put_v6(&o, ip);
    return finish(&o);
}

/* Port: 1 to 5 decimal digits, at most 65535. */
static int parse_port(const char *s, size_t n, uint16_t *out)
{
    if (n == 0 || n > 5)
        return -EINVAL;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > 65535)
        return -EINVAL;
    *out = (uint16_t)v;
    return 0;
}

/* "192.0.2.1:80" or "[2001:db8::1]:80" (RFC 5952 6, RFC 3986 3.2.2); the port is required. */
int synack_sockaddr_parse(const char *text, struct synack_sockaddr *out)
{
    if (!text || !out)
        return -EINVAL;
    size_t n = text_len(text);
    struct synack_sockaddr sa;
    size_t colon;
    if (n && text[0] == '[') {
        size_t close = 1;
        while (close < n && text[close] != ']')
            close++;
        if (close == n || parse_v6(text + 1, close - 1, &sa.addr) != 0)
            return -EINVAL;
        colon = close + 1;
        if (colon >= n || text[colon] != ':')
            return -EINVAL;
    } else {
        colon = n;
        for (size_t i = 0; i < n; i++)
            if (text[i] == ':') {
                if (colon != n)
                    return -EINVAL;   /* an IPv6 address needs its brackets before a port */
                colon = i;
            }
        uint32_t a;
        if (colon == n || parse_v4(text, colon, &a) != 0)
            return -EINVAL;
        sa.addr = synack_ip_from_v4(a);
    }
    if (parse_port(text + colon + 1, n - colon - 1, &sa.port) != 0)
        return -EINVAL;
    *out = sa;
    return 0;
}

int synack_sockaddr_format(const struct synack_sockaddr *sa, char *buf, size_t cap)
{
    if (!sa || (!buf && cap))
        return -EINVAL;
    struct out o = { buf, cap, 0 };
    if (synack_ip_is_v4(&sa->addr)) {
        put_v4(&o, sa->addr.b + 12);
    } else {
        put_char(&o, '[');
        put_v6(&o, &sa->addr);
        put_char(&o, ']');
    }
    put_char(&o, ':');
    put_dec(&o, sa->port);
    return finish(&o);
}

/* ---- IPv4 only (interface configuration, the command line) ---- */

int synack_addr_parse(const char *text, uint32_t *out)
{
    if (!text || !out)
        return -EINVAL;
    return parse_v4(text, text_len(text), out);
}

int synack_prefix_parse(const char *text, uint32_t *addr, uint8_t *prefix_len)
{
    if (!text || !addr || !prefix_len)
        return -EINVAL;
    size_t n = text_len(text), slash = 0;
    while (slash < n && text[slash] != '/')
        slash++;
    if (slash == n)
        return -EINVAL;
    size_t pn = n - slash - 1;
    unsigned p = 0;
    if (pn == 0 || pn > 3)
        return -EINVAL;
    for (size_t i = slash + 1; i < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -EINVAL;
        p = p * 10 + (unsigned)(text[i] - '0');
    }
    uint32_t a;
    if (p > 32 || parse_v4(text, slash, &a) != 0)
        return -EINVAL;
    *addr = a;
    *prefix_len = (uint8_t)p;
    return 0;
}

char *synack_addr_format(uint32_t a, char *buf, size_t cap)
{
    uint8_t b[4] = { (uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a };
    struct out o = { buf, cap, 0 };
    put_v4(&o, b);
    if (cap) {
        /* Historical contract: truncate to fit rather than fail (buf is returned for printf). */
        o.p[o.len < cap ? o.len : cap - 1] = 0;
    }
    return buf;
}
