/* The server's per-request decisions (see http_reply.h). */
#define _GNU_SOURCE   /* memfd_create */
#include "http_reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

const char *http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

int http_wants_persist(int version_minor, int conn_close, int conn_keep_alive)
{
    if (conn_close)
        return 0;
    return version_minor >= 1 || conn_keep_alive;
}

static void head_add(struct http_reply *r, const char *fmt, ...)
{
    if (r->head_len >= sizeof(r->head))
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->head + r->head_len, sizeof(r->head) - r->head_len, fmt, ap);
    va_end(ap);
    if (n > 0)
        r->head_len += (size_t)n < sizeof(r->head) - r->head_len ? (size_t)n : sizeof(r->head) - r->head_len - 1;
}

static void reply_init(struct http_reply *r, int status)
{
    memset(r, 0, sizeof(*r));
    r->fd = -1;
    r->status = status;
}

/* Status line, Date, Server, and the connection fields (RFC 9112 9.3, 9.6). With keep-alive the
 * server says how long an idle connection is kept and how many more responses it will send on it
 * (Apache's convention for max: the remaining count). */
static void head_start(const struct http_reply_ctx *x, struct http_reply *r, int version_minor)
{
    char date[40];
    http_date_format(x->wall_now, date, sizeof(date));
    head_add(r, "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: synack\r\n", r->status, http_reason(r->status), date);
    if (r->close)
        head_add(r, "Connection: close\r\n");
    else {
        if (version_minor == 0)
            head_add(r, "Connection: keep-alive\r\n");
        head_add(r, "Keep-Alive: timeout=%u, max=%u\r\n", x->keepalive_timeout_s,
                 x->keepalive_max > x->nth ? x->keepalive_max - x->nth : 0);
    }
}

static void page(struct http_reply *r, const char *extra)
{
    r->body_len = (size_t)snprintf(r->body, sizeof(r->body), "<html><head><title>%d %s</title></head><body><h1>%d %s</h1>%s</body></html>\n",
                                   r->status, http_reason(r->status), r->status, http_reason(r->status), extra ? extra : "");
    if (r->body_len >= sizeof(r->body))
        r->body_len = sizeof(r->body) - 1;
    head_add(r, "Content-Type: text/html; charset=utf-8\r\nContent-Length: %zu\r\n", r->body_len);
}

void http_reply_error(const struct http_reply_ctx *x, int status, int version_minor, struct http_reply *out)
{
    reply_init(out, status);
    out->close = 1;
    head_start(x, out, version_minor);
    if (status == 405)
        head_add(out, "Allow: GET, HEAD\r\n");
    if (status == 503)
        head_add(out, "Retry-After: 1\r\n");
    page(out, NULL);
    head_add(out, "\r\n");
}

static int is_known_method(struct http_slice m)
{
    static const char *const known[] = { "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE" };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (m.n == strlen(known[i]) && !memcmp(m.p, known[i], m.n))
            return 1;
    return 0;
}

/* A dynamic page. Its body goes into an anonymous memory file so the connection sends it exactly
 * as it sends a static file (from a descriptor, as the send buffer drains). Returns 1 if answered. */
static int reply_dynamic(const struct http_reply_ctx *x, const struct http_request *req, int persist, int head,
                         struct http_reply *out)
{
    char path[HTTP_STATIC_LOCATION_MAX];
    size_t n = req->target.n;
    const char *q = memchr(req->target.p, '?', n);
    if (q)
        n = (size_t)(q - req->target.p);
    if (http_path_decode(req->target.p, n, path, sizeof(path)) < 0)
        return 0;
    char *body = NULL;
    size_t len = 0;
    const char *ctype = "text/plain";
    if (!x->dynamic(x->dynamic_ctx, path, &body, &len, &ctype, x->now))
        return 0;
    int fd = memfd_create("synack-dynamic", MFD_CLOEXEC);
    size_t done = 0;
    while (fd >= 0 && done < len) {
        ssize_t w = write(fd, body + done, len - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    free(body);
    if (fd < 0 || done < len || lseek(fd, 0, SEEK_SET) != 0) {
        if (fd >= 0)
            close(fd);
        http_reply_error(x, 503, req->h.version_minor, out);
        return 1;
    }
    reply_init(out, 200);
    out->close = !persist;
    out->head_only = head;
    head_start(x, out, req->h.version_minor);
    head_add(out, "Content-Type: %s\r\nContent-Length: %llu\r\nCache-Control: no-store\r\n\r\n", ctype,
             (unsigned long long)len);
    if (head) {
        close(fd);
    } else {
        out->fd = fd;
        out->file_len = len;
    }
    return 1;
}

void http_reply_request(const struct http_reply_ctx *x, const struct http_request *req, struct http_reply *out)
{
    /* Method names are case-sensitive (RFC 9110 9.1). */
    int get = req->method.n == 3 && !memcmp(req->method.p, "GET", 3);
    int head = req->method.n == 4 && !memcmp(req->method.p, "HEAD", 4);
    if (!get && !head) {
        /* 405 for a method we know but do not allow on static files; 501 for one we do not know
         * (RFC 9110 15.5.6, 15.6.2). Either way the body, if any, is not read: close. */
        http_reply_error(x, is_known_method(req->method) ? 405 : 501, req->h.version_minor, out);
        return;
    }
    int persist = http_wants_persist(req->h.version_minor, req->h.conn_close, req->h.conn_keep_alive);
    if (x->keepalive_max && x->nth >= x->keepalive_max)
        persist = 0;   /* the N-th response closes */
    if (x->dynamic && reply_dynamic(x, req, persist, head, out))
        return;
    struct http_static_result sr;
    http_static_open(x->root, req->target, &sr);
    if (sr.status == 200) {
        int64_t mtime = sr.mtime > x->wall_now ? x->wall_now : sr.mtime;
        /* RFC 9110 13.1.3: If-Modified-Since only for GET/HEAD, ignored if not a valid date or if
         * later than our clock; 304 when the file has not changed since. */
        const struct http_slice *ims = http_field_get(&req->h, "If-Modified-Since");
        int64_t since;
        int not_modified = ims && http_date_parse(*ims, &since) == 0 && since <= x->wall_now && mtime <= since;
        reply_init(out, not_modified ? 304 : 200);
        out->close = !persist;
        out->head_only = head || not_modified;
        head_start(x, out, req->h.version_minor);
        char lm[40];
        http_date_format(mtime, lm, sizeof(lm));
        head_add(out, "Last-Modified: %s\r\n", lm);
        if (!not_modified)
            head_add(out, "Content-Type: %s\r\nContent-Length: %llu\r\n", sr.content_type, (unsigned long long)sr.size);
        head_add(out, "\r\n");
        if (out->head_only) {
            close(sr.fd);
        } else {
            out->fd = sr.fd;
            out->file_len = sr.size;
        }
        return;
    }
    reply_init(out, sr.status);
    /* A 400 from the path means the target was malformed: the stream itself is fine, but a client
     * that sends such targets gets no further service on this connection. */
    out->close = !persist || sr.status == 400;
    out->head_only = head;
    head_start(x, out, req->h.version_minor);
    if (sr.status == 301) {
        head_add(out, "Location: %s\r\n", sr.location);
        page(out, NULL);
    } else {
        page(out, NULL);
    }
    head_add(out, "\r\n");
}
