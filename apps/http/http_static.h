/* Static files under a document root: maps a request-target to an open file, a redirect or an
 * error status, and never lets a request reach outside the root. The target is percent-decoded
 * once (encoded slashes and NUL are refused outright), then its dot-segments are removed (RFC 3986
 * 5.2.4; one that would climb above the root is refused); the resulting path is resolved
 * with realpath() and must still lie under the root's real path, so symlinks that point out of the
 * root are refused too (404, as if absent). */
#ifndef APPS_HTTP_STATIC_H
#define APPS_HTTP_STATIC_H

#include <limits.h>
#include <stdint.h>

#include "http_parse.h"

struct http_static_root {
    char real[PATH_MAX];   /* realpath of the root directory, no trailing slash (except "/") */
    size_t len;
};

/* Resolves `dir`. Returns 0, or a negative errno (-ENOTDIR if it is not a directory). */
int http_static_root_init(struct http_static_root *r, const char *dir);

#define HTTP_STATIC_LOCATION_MAX 8200

struct http_static_result {
    int status;             /* 200 (fd open), 301 (location set), 400, 403, 404 */
    int fd;                 /* 200: an open read-only descriptor the caller closes; else -1 */
    uint64_t size;
    int64_t mtime;          /* seconds since the epoch */
    int64_t mtime_ns;       /* its nanoseconds, for the entity-tag */
    uint64_t ino, dev;      /* the file's identity, for the entity-tag and the cache */
    const char *content_type;
    char location[HTTP_STATIC_LOCATION_MAX];   /* 301: "/dir/" (query kept) */
};

/* The origin-form part of a request-target: itself, or an absolute-form's path and query after
 * its authority, which a server MUST accept and whose host wins over Host (RFC 9112 3.2.2; one
 * site here, so the host is not looked at). An empty path is "/" (RFC 9110 4.2.3). Another
 * scheme, or no "//" authority, is returned as it is (not origin-form: 400 later); an authority
 * with userinfo, which RFC 9110 4.2.4 asks a recipient to treat as an error, or with an empty or
 * invalid host (4.2.1), as an empty slice. */
struct http_slice http_target_origin(struct http_slice t);

/* Looks up a request-target (origin-form "/path?query", or absolute-form "http://host/path"). */
void http_static_open(const struct http_static_root *root, struct http_slice target, struct http_static_result *out);

/* Content-Type for a file name, by extension (application/octet-stream if unknown). */
const char *http_content_type(const char *path);

/* Percent-decodes a path (RFC 3986 2.1) into out (cap bytes, NUL-terminated). Returns the length,
 * or -1 for a malformed escape, an encoded NUL or '/', a control character, or too long. */
int http_path_decode(const char *in, size_t n, char *out, size_t cap);

/* Removes the dot-segments of a decoded absolute path in place (RFC 3986 5.2.4): "/a/./b" is
 * "/a/b", "/a/../b" is "/b", "/a/." and "/a/b/.." are "/a/". Returns the new length, or -1 if a ".."
 * would climb above the root ("/../x", "/a/../../x"), the path is not absolute, or it has more than
 * HTTP_PATH_MAX_SEGS segments. */
#define HTTP_PATH_MAX_SEGS 1024
int http_path_normalize(char *path);

#endif
