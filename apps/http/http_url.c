/* http:// URLs (see http_url.h). */
#include "http_url.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int bad_char(unsigned char c) { return c <= 0x20 || c >= 0x7f; }

/* RFC 3986 5.2.4 remove_dot_segments, on a path that starts with '/': "." segments vanish, ".."
 * removes the segment before it (never above the root); a path ending in either keeps a trailing
 * slash. In place. */
static void remove_dot_segments(char *path)
{
    static const size_t max_segs = HTTP_URL_TARGET_MAX / 2 + 1;
    char out[HTTP_URL_TARGET_MAX];
    size_t starts[HTTP_URL_TARGET_MAX / 2 + 1];
    size_t o = 0, depth = 0;
    int trailing = 0;
    const char *p = path;
    while (*p == '/') {
        const char *seg = p + 1;
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        trailing = 0;
        if (n == 1 && seg[0] == '.') {
            trailing = 1;
        } else if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            if (depth)
                o = starts[--depth];
            trailing = 1;
        } else if (depth < max_segs) {
            starts[depth++] = o;
            out[o++] = '/';
            memcpy(out + o, seg, n);
            o += n;
        }
        p = seg + n;
    }
    if (trailing || o == 0)
        out[o++] = '/';
    out[o] = 0;
    memcpy(path, out, o + 1);
}

/* RFC 3986 3.2.2: IP-literal = "[" ( IPv6address / IPvFuture ) "]". a[0..n) is the bracketed
 * text; it is kept with its brackets (as the Host field and the URL's text need it), in lower case.
 * IPvFuture ("[v1.x]") names nothing we can reach. */
static int parse_ip_literal(const char *a, size_t n, struct http_url *out)
{
    char inner[HTTP_URL_HOST_MAX];
    if (n < 3 || a[n - 1] != ']' || n - 2 >= sizeof(inner) || n >= sizeof(out->host))
        return -EINVAL;
    memcpy(inner, a + 1, n - 2);
    inner[n - 2] = 0;
    struct synack_ip ip;
    if (!memchr(inner, ':', n - 2) || synack_ip_parse(inner, &ip) != 0)
        return -EINVAL;   /* not IPv6 text (a dotted quad goes without brackets) */
    for (size_t i = 0; i < n; i++)
        out->host[i] = (char)(a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i]);
    out->host[n] = 0;
    return 0;
}

/* Parses authority "host[:port]" of length n. */
static int parse_authority(const char *a, size_t n, struct http_url *out)
{
    const char *at = memchr(a, '@', n);
    if (at)
        return -EINVAL;   /* userinfo is not for us (RFC 9110 4.2.4 deprecates it) */
    const char *colon;
    size_t hn;
    if (n && a[0] == '[') {
        const char *close = memchr(a, ']', n);
        if (!close)
            return -EINVAL;
        hn = (size_t)(close - a) + 1;
        if (parse_ip_literal(a, hn, out) < 0)
            return -EINVAL;
        if (hn < n && a[hn] != ':')
            return -EINVAL;   /* only a port may follow the literal */
        colon = hn < n ? a + hn : NULL;
    } else {
        colon = memchr(a, ':', n);
        hn = colon ? (size_t)(colon - a) : n;
        if (hn == 0 || hn >= sizeof(out->host))
            return -EINVAL;
    }
    for (size_t i = 0; i < hn && a[0] != '['; i++) {
        char c = a[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '_'))
            return -EINVAL;
        out->host[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    if (a[0] != '[')
        out->host[hn] = 0;
    out->port = 80;
    out->port_given = 0;
    if (colon) {
        size_t pn = n - hn - 1;
        if (pn == 0 || pn > 5)
            return pn == 0 ? 0 : -EINVAL;   /* "host:" means the default port (RFC 3986 3.2.3) */
        unsigned long p = 0;
        for (size_t i = 0; i < pn; i++) {
            if (colon[1 + i] < '0' || colon[1 + i] > '9')
                return -EINVAL;
            p = p * 10 + (unsigned long)(colon[1 + i] - '0');
        }
        if (p == 0 || p > 65535)
            return -EINVAL;
        out->port = (uint16_t)p;
        out->port_given = 1;
    }
    return 0;
}

static int set_target(struct http_url *out, const char *p, size_t n)
{
    const char *hash = memchr(p, '#', n);
    if (hash)
        n = (size_t)(hash - p);
    if (n + 2 > sizeof(out->target))
        return -EINVAL;
    if (n == 0 || p[0] == '?') {
        out->target[0] = '/';
        memcpy(out->target + 1, p, n);
        out->target[n + 1] = 0;
    } else {
        memcpy(out->target, p, n);
        out->target[n] = 0;
    }
    /* Dot-segments go from the path, never from the query. */
    char *q = strchr(out->target, '?');
    char query[HTTP_URL_TARGET_MAX] = "";
    if (q) {
        snprintf(query, sizeof(query), "%s", q);
        *q = 0;
    }
    remove_dot_segments(out->target);
    size_t pl = strlen(out->target);
    if (pl + strlen(query) + 1 > sizeof(out->target))
        return -EINVAL;
    strcpy(out->target + pl, query);
    return 0;
}

static int parse_from_authority(const char *s, size_t n, struct http_url *out)
{
    size_t an = 0;
    while (an < n && s[an] != '/' && s[an] != '?' && s[an] != '#')
        an++;
    int r = parse_authority(s, an, out);
    if (r < 0)
        return r;
    return set_target(out, s + an, n - an);
}

int http_url_parse(const char *url, struct http_url *out)
{
    size_t n = strlen(url);
    for (size_t i = 0; i < n; i++)
        if (bad_char((unsigned char)url[i]))
            return -EINVAL;
    memset(out, 0, sizeof(*out));
    const char *sep = strstr(url, "://");
    if (sep) {
        if ((size_t)(sep - url) != 4 || strncasecmp(url, "http", 4))
            return -EPROTONOSUPPORT;
        url = sep + 3;
        n -= 7;
    }
    return parse_from_authority(url, n, out);
}

int http_url_resolve(const struct http_url *base, const char *ref, size_t n, struct http_url *out)
{
    for (size_t i = 0; i < n; i++)
        if (bad_char((unsigned char)ref[i]))
            return -EINVAL;
    /* A scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" before any '/', '?' or '#'. */
    size_t k = 0;
    while (k < n && ref[k] != ':' && ref[k] != '/' && ref[k] != '?' && ref[k] != '#')
        k++;
    if (k < n && ref[k] == ':' && k > 0) {
        if (k != 4 || strncasecmp(ref, "http", 4))
            return -EPROTONOSUPPORT;
        if (n < 7 || ref[5] != '/' || ref[6] != '/')
            return -EINVAL;
        memset(out, 0, sizeof(*out));
        return parse_from_authority(ref + 7, n - 7, out);
    }
    if (n >= 2 && ref[0] == '/' && ref[1] == '/') {
        memset(out, 0, sizeof(*out));
        return parse_from_authority(ref + 2, n - 2, out);
    }
    struct http_url u = *base;
    if (n == 0 || ref[0] == '#') {
        *out = u;
        return 0;
    }
    if (ref[0] == '/' || ref[0] == '?') {
        if (ref[0] == '?') {
            /* same path, new query */
            char path[HTTP_URL_TARGET_MAX];
            snprintf(path, sizeof(path), "%s", base->target);
            char *q = strchr(path, '?');
            if (q)
                *q = 0;
            size_t pl = strlen(path);
            if (pl + n + 1 > sizeof(path))
                return -EINVAL;
            memcpy(path + pl, ref, n);
            path[pl + n] = 0;
            int r = set_target(&u, path, pl + n);
            *out = u;
            return r;
        }
        int r = set_target(&u, ref, n);
        *out = u;
        return r;
    }
    /* A relative path: merge with the base path's directory (RFC 3986 5.2.3). */
    char merged[HTTP_URL_TARGET_MAX];
    snprintf(merged, sizeof(merged), "%s", base->target);
    char *q = strchr(merged, '?');
    if (q)
        *q = 0;
    char *slash = strrchr(merged, '/');
    size_t dl = slash ? (size_t)(slash - merged) + 1 : 0;
    if (dl + n + 1 > sizeof(merged))
        return -EINVAL;
    memcpy(merged + dl, ref, n);
    merged[dl + n] = 0;
    int r = set_target(&u, merged, dl + n);
    *out = u;
    return r;
}

int http_url_host_addr(const struct http_url *u, struct synack_ip *out)
{
    size_t n = strlen(u->host);
    if (n >= 2 && u->host[0] == '[' && u->host[n - 1] == ']') {
        char inner[HTTP_URL_HOST_MAX];
        memcpy(inner, u->host + 1, n - 2);
        inner[n - 2] = 0;
        return synack_ip_parse(inner, out);
    }
    uint32_t a;
    if (synack_addr_parse(u->host, &a) != 0)
        return -EINVAL;
    *out = synack_ip_from_v4(a);
    return 0;
}

void http_url_format(const struct http_url *u, char *buf, size_t cap)
{
    if (u->port != 80)
        snprintf(buf, cap, "http://%s:%u%s", u->host, u->port, u->target);
    else
        snprintf(buf, cap, "http://%s%s", u->host, u->target);
}
