/* Static files under a root (see http_static.h). */
#include "http_static.h"

#include "http_cond.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int http_static_root_init(struct http_static_root *r, const char *dir)
{
    if (!realpath(dir, r->real))
        return -errno;
    struct stat sb;
    if (stat(r->real, &sb) != 0)
        return -errno;
    if (!S_ISDIR(sb.st_mode))
        return -ENOTDIR;
    r->len = strlen(r->real);
    return 0;
}

static const struct {
    const char *ext, *type;
} types[] = {
    { "html", "text/html; charset=utf-8" }, { "htm", "text/html; charset=utf-8" },
    { "css", "text/css; charset=utf-8" }, { "js", "text/javascript; charset=utf-8" },
    { "mjs", "text/javascript; charset=utf-8" }, { "json", "application/json" },
    { "txt", "text/plain; charset=utf-8" }, { "md", "text/markdown; charset=utf-8" },
    { "csv", "text/csv; charset=utf-8" }, { "xml", "application/xml" },
    { "svg", "image/svg+xml" }, { "png", "image/png" }, { "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
    { "gif", "image/gif" }, { "webp", "image/webp" }, { "ico", "image/vnd.microsoft.icon" },
    { "avif", "image/avif" }, { "woff", "font/woff" }, { "woff2", "font/woff2" }, { "ttf", "font/ttf" },
    { "otf", "font/otf" }, { "wasm", "application/wasm" }, { "pdf", "application/pdf" },
    { "zip", "application/zip" }, { "gz", "application/gzip" }, { "tar", "application/x-tar" },
    { "mp4", "video/mp4" }, { "webm", "video/webm" }, { "mp3", "audio/mpeg" }, { "ogg", "audio/ogg" },
    { "wav", "audio/wav" }, { "pcap", "application/vnd.tcpdump.pcap" },
};

const char *http_content_type(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (dot && dot[1]) {
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (!strcasecmp(dot + 1, types[i].ext))
                return types[i].type;
    }
    return "application/octet-stream";
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int http_path_decode(const char *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int hi = hexv(in[i + 1]);
            int lo = hexv(in[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
            /* An encoded '/' would let one segment carry a path separator past our checks. */
            if (c == '/')
                return -1;
        }
        if (c < 0x20 || c == 0x7f)
            return -1;
        if (o + 1 >= cap)
            return -1;
        out[o++] = (char)c;
    }
    out[o] = 0;
    return (int)o;
}

int http_path_normalize(char *path)
{
    /* RFC 3986 5.2.4's remove_dot_segments, on whole segments of an absolute path: "." goes, ".."
     * takes the segment before it with it. Segments are copied down over what went; starts[] holds
     * where each kept segment's '/' is, so ".." can step back. */
    size_t starts[HTTP_PATH_MAX_SEGS];
    size_t depth = 0, o = 0, i = 0;
    int trailing = 0;
    if (path[0] != '/')
        return -1;
    while (path[i] == '/') {
        size_t seg = i + 1, n = 0;
        while (path[seg + n] && path[seg + n] != '/')
            n++;
        trailing = 0;
        if (n == 1 && path[seg] == '.') {
            trailing = 1;
        } else if (n == 2 && path[seg] == '.' && path[seg + 1] == '.') {
            /* 5.2.4 would stop at the root; a request that tries to climb above it is refused */
            if (!depth)
                return -1;
            o = starts[--depth];
            trailing = 1;
        } else {
            if (depth == HTTP_PATH_MAX_SEGS)
                return -1;
            starts[depth++] = o;
            memmove(path + o, path + i, n + 1);
            o += n + 1;
        }
        i = seg + n;
    }
    /* "/dir/." and "/dir/.." name a directory: the slash stays (5.2.4, step 2 B and C) */
    if (trailing || o == 0)
        path[o++] = '/';
    path[o] = 0;
    return (int)o;
}

static int under_root(const struct http_static_root *root, const char *real)
{
    if (root->len == 1)   /* root is "/" */
        return real[0] == '/';
    return !strncmp(real, root->real, root->len) && (real[root->len] == 0 || real[root->len] == '/');
}

static int errno_status(int e) { return e == EACCES || e == EPERM ? 403 : 404; }

struct http_slice http_target_origin(struct http_slice t)
{
    if (t.n < 7 || strncasecmp(t.p, "http://", 7))
        return t;
    size_t a = 7;
    while (a < t.n && t.p[a] != '/' && t.p[a] != '?') {
        if (t.p[a] == '@')
            return (struct http_slice){ t.p, 0 };   /* userinfo: an error (RFC 9110 4.2.4) */
        a++;
    }
    /* RFC 9110 4.2.1: an http URI with an empty host is invalid and MUST be rejected; so is an
     * authority that is no host[:port] at all (RFC 3986 3.2: "http://:80/", "http://a:b/"). */
    struct http_slice auth = { t.p + 7, a - 7 };
    if (!auth.n || auth.p[0] == ':' || !http_host_valid(auth))
        return (struct http_slice){ t.p, 0 };
    if (a == t.n || t.p[a] == '?')
        return (struct http_slice){ "/", 1 };   /* "http://host" or "http://host?q": the root */
    return (struct http_slice){ t.p + a, t.n - a };
}

void http_static_open(const struct http_static_root *root, struct http_slice target, struct http_static_result *out)
{
    memset(out, 0, sizeof(*out));
    out->fd = -1;
    out->status = 400;
    target = http_target_origin(target);
    const char *p = target.p;
    size_t n = target.n;
    if (n == 0 || p[0] != '/')
        return;   /* asterisk-form and authority-form are not for GET/HEAD */
    const char *q = memchr(p, '?', n);
    size_t pathn = q ? (size_t)(q - p) : n;
    char path[PATH_MAX];
    /* Decoded first, so "%2e" is a dot like any other (RFC 3986 6.2.2.2) and "%2e%2e" a ".." like
     * any other: normalised away within the root, refused if it climbs out (400). */
    int dl = http_path_decode(p, pathn, path, sizeof(path));
    if (dl < 0 || (dl = http_path_normalize(path)) < 0)
        return;
    char full[PATH_MAX * 2];
    snprintf(full, sizeof(full), "%s%s", root->len == 1 ? "" : root->real, path);
    char real[PATH_MAX];
    if (!realpath(full, real)) {
        out->status = errno_status(errno);
        return;
    }
    if (!under_root(root, real)) {
        out->status = 404;   /* a symlink out of the root: as if the file were not there */
        return;
    }
    struct stat sb;
    if (stat(real, &sb) != 0) {
        out->status = errno_status(errno);
        return;
    }
    if (S_ISDIR(sb.st_mode)) {
        if (path[dl - 1] != '/') {
            /* "/dir" -> "/dir/" so relative links in its index resolve (the query is kept). */
            if (pathn + 1 + (n - pathn) + 1 > sizeof(out->location))
                return;
            memcpy(out->location, p, pathn);
            out->location[pathn] = '/';
            memcpy(out->location + pathn + 1, p + pathn, n - pathn);
            out->location[n + 1] = 0;
            out->status = 301;
            return;
        }
        char idx[PATH_MAX + 16];
        snprintf(idx, sizeof(idx), "%s/index.html", real);
        if (!realpath(idx, real)) {
            out->status = errno == ENOENT ? 404 : errno_status(errno);
            return;
        }
        if (!under_root(root, real)) {
            out->status = 404;
            return;
        }
    }
    /* The final component of a realpath is not a symlink: O_NOFOLLOW keeps it so if the tree
     * changes between realpath and open. */
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        out->status = errno_status(errno);
        return;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        out->status = 403;   /* devices, FIFOs, sockets: never served */
        return;
    }
    out->fd = fd;
    out->size = (uint64_t)sb.st_size;
    out->mtime = (int64_t)sb.st_mtime;
    out->mtime_ns = (int64_t)sb.st_mtim.tv_nsec;
    out->ino = (uint64_t)sb.st_ino;
    out->dev = (uint64_t)sb.st_dev;
    out->content_type = http_content_type(real);
    out->status = 200;
}
