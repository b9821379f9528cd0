/* Validators, byte ranges and the Host value (see http_cond.h). */
#include "http_cond.h"

#include <string.h>

static int is_ows(char c) { return c == ' ' || c == '\t'; }

/* RFC 9110 8.8.3: etagc = %x21 / %x23-7E / obs-text (no DQUOTE, no space, no controls). */
static int is_etagc(unsigned char c) { return c == 0x21 || (c >= 0x23 && c != 0x7f); }

/* Reads one entity-tag at *p (entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE). Sets *weak and the
 * opaque-tag's span (quotes included). Returns 0, or -1 if malformed. */
static int read_etag(const char **p, const char *end, int *weak, struct http_slice *opaque)
{
    const char *s = *p;
    *weak = 0;
    if (end - s >= 2 && s[0] == 'W' && s[1] == '/') {
        *weak = 1;
        s += 2;
    }
    if (s >= end || *s != '"')
        return -1;
    const char *q = s + 1;
    while (q < end && *q != '"') {
        if (!is_etagc((unsigned char)*q))
            return -1;
        q++;
    }
    if (q >= end)
        return -1;
    opaque->p = s;
    opaque->n = (size_t)(q + 1 - s);
    *p = q + 1;
    return 0;
}

int http_etag_list_match(struct http_slice list, const char *etag, int strong)
{
    const char *p = list.p, *end = list.p + list.n;
    while (p < end && is_ows(*p))
        p++;
    const char *e = end;
    while (e > p && is_ows(e[-1]))
        e--;
    if (e - p == 1 && *p == '*')
        return 1;
    size_t elen = strlen(etag);
    int match = 0, any = 0;
    while (p < e) {
        /* 1#element: empty elements and OWS around commas are allowed (RFC 9110 5.6.1.2). */
        if (*p == ',' || is_ows(*p)) {
            p++;
            continue;
        }
        int weak;
        struct http_slice op;
        if (read_etag(&p, e, &weak, &op) != 0)
            return -1;
        any = 1;
        if ((!strong || !weak) && op.n == elen && !memcmp(op.p, etag, elen))
            match = 1;
        while (p < e && is_ows(*p))
            p++;
        if (p < e && *p != ',')
            return -1;
    }
    return any ? match : -1;
}

int http_if_range_holds(struct http_slice v, const char *etag, int64_t last_modified, int lm_strong)
{
    while (v.n && is_ows(v.p[0])) {
        v.p++;
        v.n--;
    }
    while (v.n && is_ows(v.p[v.n - 1]))
        v.n--;
    if (v.n && (v.p[0] == '"' || v.p[0] == 'W')) {
        const char *p = v.p;
        int weak;
        struct http_slice op;
        if (read_etag(&p, v.p + v.n, &weak, &op) != 0 || p != v.p + v.n)
            return 0;
        /* 13.1.5: the strong comparison; a weak tag can never make the condition true. */
        return !weak && op.n == strlen(etag) && !memcmp(op.p, etag, op.n);
    }
    int64_t t;
    if (http_date_parse(v, &t) != 0)
        return 0;
    return lm_strong && t == last_modified;
}

/* 1*DIGIT, saturating at a value larger than any file (so "bytes=99999999999999999999-" is a
 * valid but unsatisfiable range rather than a wrapped number). Returns digits read, 0 if none. */
static size_t read_num(const char *p, const char *end, uint64_t *out)
{
    const uint64_t cap = (uint64_t)1 << 62;
    uint64_t v = 0;
    size_t i = 0;
    while (p + i < end && p[i] >= '0' && p[i] <= '9') {
        v = v >= cap / 10 ? cap : v * 10 + (uint64_t)(p[i] - '0');
        i++;
    }
    *out = v;
    return i;
}

enum http_range_verdict http_range_parse(struct http_slice v, uint64_t size, struct http_range *out, unsigned *n)
{
    *n = 0;
    /* ranges-specifier = range-unit "=" range-set; the unit is case-insensitive (14.1). */
    if (v.n < 6 || !http_slice_eq((struct http_slice){ v.p, 6 }, "bytes="))
        return HTTP_RANGE_IGNORE;
    const char *p = v.p + 6, *end = v.p + v.n;
    unsigned specs = 0;
    while (p < end) {
        if (*p == ',' || is_ows(*p)) {
            p++;
            continue;
        }
        uint64_t first = 0, last = 0;
        int suffix = *p == '-';
        size_t d1 = suffix ? 0 : read_num(p, end, &first);
        if (!suffix && !d1)
            return HTTP_RANGE_IGNORE;
        p += d1;
        if (p >= end || *p != '-')
            return HTTP_RANGE_IGNORE;
        p++;
        size_t d2 = read_num(p, end, &last);
        p += d2;
        if (suffix && !d2)
            return HTTP_RANGE_IGNORE;
        while (p < end && is_ows(*p))
            p++;
        if (p < end && *p != ',')
            return HTTP_RANGE_IGNORE;
        /* 14.1.1: a last-pos below first-pos makes the spec (and so the set) invalid. */
        if (!suffix && d2 && last < first)
            return HTTP_RANGE_IGNORE;
        /* Many ranges are a cheap way to make a server work (14.2 lets it refuse them): all. */
        if (++specs > HTTP_MAX_RANGE_SPECS)
            return HTTP_RANGE_IGNORE;
        struct http_range r;
        if (suffix) {
            /* a suffix of zero is unsatisfiable; a longer one than the file means all of it */
            if (last == 0 || size == 0)
                continue;
            r.len = last < size ? last : size;
            r.first = size - r.len;
        } else {
            if (first >= size)
                continue;   /* unsatisfiable: first-pos at or past the end */
            uint64_t l = d2 && last < size - 1 ? last : size - 1;
            r.first = first;
            r.len = l - first + 1;
        }
        out[(*n)++] = r;
    }
    if (!specs)
        return HTTP_RANGE_IGNORE;
    return *n ? HTTP_RANGE_OK : HTTP_RANGE_UNSAT;
}

/* Whether a and b overlap, touch, or lie fewer than gap bytes apart. */
static int ranges_near(const struct http_range *a, const struct http_range *b, uint64_t gap)
{
    return b->first < a->first + a->len + gap && a->first < b->first + b->len + gap;
}

unsigned http_range_coalesce(struct http_range *r, unsigned n, uint64_t gap)
{
    if (!gap)
        gap = 1;   /* touching ranges are one stretch of bytes at any rate */
    for (int changed = 1; changed;) {
        changed = 0;
        for (unsigned i = 0; i < n; i++) {
            for (unsigned j = i + 1; j < n;) {
                if (!ranges_near(&r[i], &r[j], gap)) {
                    j++;
                    continue;
                }
                uint64_t first = r[i].first < r[j].first ? r[i].first : r[j].first;
                uint64_t ei = r[i].first + r[i].len, ej = r[j].first + r[j].len;
                r[i].first = first;
                r[i].len = (ei > ej ? ei : ej) - first;
                memmove(&r[j], &r[j + 1], (n - j - 1) * sizeof(*r));
                n--;
                changed = 1;
            }
        }
    }
    return n;
}

static int is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 3986 2.3 unreserved marks and 2.2 sub-delims, but ',' (a Host holds one value). */
static int is_reg_name_mark(unsigned char c)
{
    switch (c) {
    case '-': case '.': case '_': case '~': case '!': case '$': case '&': case '\'': case '(': case ')': case '*':
    case '+': case ';': case '=':
        return 1;
    default:
        return 0;
    }
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int http_host_valid(struct http_slice v)
{
    const char *p = v.p, *end = v.p + v.n;
    if (p < end && *p == '[') {
        /* IP-literal = "[" ( IPv6address / IPvFuture ) "]": hex digits, ':' and '.' (an embedded
         * IPv4), or "v" HEXDIG "." followed by unreserved / sub-delims / ":" */
        const char *close = memchr(p, ']', v.n);
        if (!close || close - p < 3)
            return 0;
        for (const char *q = p + 1; q < close; q++) {
            unsigned char c = (unsigned char)*q;
            if (!is_hex(c) && c != ':' && c != '.' && !(q == p + 1 && (c == 'v' || c == 'V')))
                return 0;
        }
        p = close + 1;
    } else {
        /* reg-name = *( unreserved / pct-encoded / sub-delims ), which covers IPv4address */
        while (p < end && *p != ':') {
            unsigned char c = (unsigned char)*p;
            if (c == '%') {
                if (end - p < 3 || !is_hex((unsigned char)p[1]) || !is_hex((unsigned char)p[2]))
                    return 0;
                p += 3;
                continue;
            }
            if (!is_alnum(c) && !is_reg_name_mark(c))
                return 0;   /* ',' too: Host is a single value, never a list */
            p++;
        }
    }
    if (p == end)
        return 1;
    if (*p != ':')
        return 0;
    /* port = *DIGIT; beyond five digits or 65535 it is no port at all */
    p++;
    uint64_t port;
    size_t d = read_num(p, end, &port);
    return p + d == end && d <= 5 && port <= 65535;
}
