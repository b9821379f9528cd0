/* http:// URLs for the client (RFC 9110 4.2.1, RFC 3986): parsing, and resolving a Location
 * reference against the URL it came from (redirects). */
#ifndef APPS_HTTP_URL_H
#define APPS_HTTP_URL_H

#include <stddef.h>
#include <stdint.h>

#include "synack/types.h"

#define HTTP_URL_HOST_MAX 256
#define HTTP_URL_TARGET_MAX 8192

struct http_url {
    char host[HTTP_URL_HOST_MAX];     /* reg-name, IPv4 literal or [IPv6 literal], lower case */
    uint16_t port;                    /* 80 if not given */
    int port_given;
    char target[HTTP_URL_TARGET_MAX]; /* origin-form: path and query, never empty ("/") */
};

/* Parses "http://host[:port][/path][?query][#fragment]" (the scheme may be left out). The fragment
 * is dropped, spaces and controls are refused. Returns 0, -EPROTONOSUPPORT (https: or another
 * scheme), or -EINVAL. */
int http_url_parse(const char *url, struct http_url *out);

/* Resolves the reference `ref` (n bytes: an absolute URL, "//authority/path", "/path" or a
 * relative path) against `base` (RFC 3986 5.2, dot-segments removed). Returns 0 or as above. */
int http_url_resolve(const struct http_url *base, const char *ref, size_t n, struct http_url *out);

/* The address a URL's host names by itself: an IPv4 literal, or an IPv6 literal in brackets
 * (RFC 3986 3.2.2). Returns 0, or -EINVAL for a reg-name (which needs resolving). */
int http_url_host_addr(const struct http_url *u, struct synack_ip *out);

/* Writes "http://host[:port]/target" into buf. */
void http_url_format(const struct http_url *u, char *buf, size_t cap);

#endif
