/* The server's per-request decisions (see http_reply.h). */
#include "http_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_fmt.h"

const char *http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
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

#define HTTP_ALLOW "GET, HEAD, OPTIONS"

/* The head is appended to piece by piece (http_fmt.h), always leaving one byte after it (callers
 * may NUL-terminate it); what does not fit is cut. */
#define HEAD_END(r) ((r)->head + sizeof((r)->head) - 1)
static void head_mem(struct http_reply *r, const char *p, size_t n)
{
    r->head_len = (size_t)(http_put_mem(r->head + r->head_len, HEAD_END(r), p, n) - r->head);
}
static inline void head_str(struct http_reply *r, const char *s) { head_mem(r, s, strlen(s)); }
static void head_u64(struct http_reply *r, uint64_t v)
{
    r->head_len = (size_t)(http_put_u64(r->head + r->head_len, HEAD_END(r), v) - r->head);
}

static void reply_init(struct http_reply *r, int status)
{
    r->status = status;
    r->close = r->head_only = 0;
    r->head_len = r->body_len = 0;
    r->file = NULL;
    r->file_len = 0;
    r->text = NULL;
    r->npieces = 0;
}

void http_reply_release(struct http_reply *r)
{
    http_file_put(r->file);
    r->file = NULL;
    free(r->text);
    r->text = NULL;
    r->npieces = 0;
}

static void add_piece(struct http_reply *r, const char *mem, uint64_t off, uint64_t len)
{
    if (!len)
        return;
    r->piece[r->npieces++] = (struct http_piece){ mem, off, len };
    r->file_len += len;
}

/* Status line, Date, Server, and the connection fields (RFC 9112 9.3, 9.6). With keep-alive the
 * server says how long an idle connection is kept and how many more responses it will send on it
 * (Apache's convention for max: the remaining count). */
static void head_start(const struct http_reply_ctx *x, struct http_reply *r, int version_minor)
{
    char date[40];
    const char *d = x->date;
    size_t dn = HTTP_DATE_LEN;
    if (!d) {
        dn = http_date_format(x->wall_now, date, sizeof(date));
        d = date;
    }
    head_str(r, "HTTP/1.1 ");
    head_u64(r, (unsigned)r->status);
    head_str(r, " ");
    head_str(r, http_reason(r->status));
    head_str(r, "\r\nDate: ");
    head_mem(r, d, dn);
    head_str(r, "\r\nServer: synack\r\n");
    if (r->close) {
        head_str(r, "Connection: close\r\n");
    } else {
        if (version_minor == 0)
            head_str(r, "Connection: keep-alive\r\n");
        head_str(r, "Keep-Alive: timeout=");
        head_u64(r, x->keepalive_timeout_s);
        head_str(r, ", max=");
        head_u64(r, x->keepalive_max > x->nth ? x->keepalive_max - x->nth : 0);
        head_str(r, "\r\n");
    }
}

/* "Content-Length: n\r\n" */
static void head_length(struct http_reply *r, uint64_t n)
{
    head_str(r, "Content-Length: ");
    head_u64(r, n);
    head_str(r, "\r\n");
}

/* A short HTML page naming the status, as the body of an error or a redirect. */
static void page(struct http_reply *r)
{
    char num[8];
    size_t nn = (size_t)(http_put_u64(num, num + sizeof(num), (unsigned)r->status) - num);
    const char *why = http_reason(r->status);
    char *o = r->body;
    const char *end = r->body + sizeof(r->body) - 1;
    o = http_put_str(o, end, "<html><head><title>");
    o = http_put_mem(o, end, num, nn);
    o = http_put_str(o, end, " ");
    o = http_put_str(o, end, why);
    o = http_put_str(o, end, "</title></head><body><h1>");
    o = http_put_mem(o, end, num, nn);
    o = http_put_str(o, end, " ");
    o = http_put_str(o, end, why);
    o = http_put_str(o, end, "</h1></body></html>\n");
    r->body_len = (size_t)(o - r->body);
    head_str(r, "Content-Type: text/html; charset=utf-8\r\n");
    head_length(r, r->body_len);
}

void http_reply_error(const struct http_reply_ctx *x, int status, int version_minor, struct http_reply *out)
{
    reply_init(out, status);
    out->close = 1;
    head_start(x, out, version_minor);
    if (status == 405)
        head_str(out, "Allow: " HTTP_ALLOW "\r\n");
    if (status == 503)
        head_str(out, "Retry-After: 1\r\n");
    page(out);
    head_str(out, "\r\n");
}

static int is_known_method(struct http_slice m)
{
    static const char *const known[] = { "POST", "PUT", "DELETE", "PATCH", "CONNECT", "TRACE" };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (m.n == strlen(known[i]) && !memcmp(m.p, known[i], m.n))
            return 1;
    return 0;
}

/* Whether p[0..n) holds "/." (where every dot-segment starts). */
static int slash_dot(const char *p, size_t n)
{
    for (const char *s = memchr(p, '/', n); s && s + 1 < p + n; s = memchr(s + 1, '/', (size_t)(p + n - s - 1)))
        if (s[1] == '.')
            return 1;
    return 0;
}

/* A dynamic page, sent from the memory the page's function returned. Returns 1 if answered. */
static int reply_dynamic(const struct http_reply_ctx *x, const struct http_request *req, int persist, int head,
                         struct http_reply *out)
{
    char path[HTTP_STATIC_LOCATION_MAX];
    struct http_slice t = http_target_origin(req->target);
    size_t n = t.n;
    const char *q = memchr(t.p, '?', n);
    if (q)
        n = (size_t)(q - t.p);
    /* Most requests are for files: a path that cannot decode to one under the pages' prefix is
     * not decoded at all (without a '%' or a "/.", the decoded and normalised path is the raw one). */
    const char *pre = x->dynamic_prefix;
    size_t pn = pre ? strlen(pre) : 0;
    if (pn && (n < pn || memcmp(t.p, pre, pn)) && !memchr(t.p, '%', n) && !slash_dot(t.p, n))
        return 0;
    /* decoded and its dot-segments removed as a file's path is (http_static.h) */
    if (http_path_decode(t.p, n, path, sizeof(path)) < 0 || http_path_normalize(path) < 0 ||
        (pn && strncmp(path, pre, pn)))
        return 0;
    char *body = NULL;
    size_t len = 0;
    const char *ctype = "text/plain";
    if (!x->dynamic(x->dynamic_ctx, path, &body, &len, &ctype, x->now))
        return 0;
    reply_init(out, 200);
    out->close = !persist;
    out->head_only = head;
    head_start(x, out, req->h.version_minor);
    head_str(out, "Content-Type: ");
    head_str(out, ctype);
    head_str(out, "\r\n");
    head_length(out, len);
    head_str(out, "Cache-Control: no-store\r\n\r\n");
    if (head || !body) {
        free(body);
    } else {
        out->text = body;
        add_piece(out, body, 0, len);
    }
    return 1;
}

/* Whether the dynamic pages may answer the request's path: there are some, and the path is under
 * their prefix (decoded and normalised as reply_dynamic reads it), or they have none. */
static int dynamic_may_own(const struct http_reply_ctx *x, const struct http_request *req)
{
    if (!x->dynamic)
        return 0;
    if (!x->dynamic_prefix)
        return 1;
    char path[HTTP_STATIC_LOCATION_MAX];
    struct http_slice t = http_target_origin(req->target);
    const char *q = memchr(t.p, '?', t.n);
    size_t n = q ? (size_t)(q - t.p) : t.n;
    return http_path_decode(t.p, n, path, sizeof(path)) >= 0 && http_path_normalize(path) >= 0 &&
           !strncmp(path, x->dynamic_prefix, strlen(x->dynamic_prefix));
}

/* Every line of a field, for the conditions that may be sent as several lines of one list. */
static int list_match(const struct http_head_info *h, const char *name, const char *etag, int strong, int *present)
{
    int match = 0, bad = 0;
    *present = 0;
    for (size_t i = 0; i < h->nfields; i++) {
        if (!http_slice_eq(h->fields[i].name, name))
            continue;
        *present = 1;
        int m = http_etag_list_match(h->fields[i].value, etag, strong);
        if (m < 0)
            bad = 1;
        else if (m)
            match = 1;
    }
    return match ? 1 : bad ? -1 : 0;
}

/* A field defined as a single value (Range, If-Range, the date conditions): its value when it
 * appears on exactly one line. Two lines of it make no valid value (RFC 9110 5.3: only a list may
 * be split over lines), and each of these fields is ignored when invalid (13.1.3, 13.1.4, 14.2) or
 * does not hold (13.1.5). Returns NULL if absent or repeated; *repeated tells which. */
static const struct http_slice *field_once(const struct http_head_info *h, const char *name, int *repeated)
{
    const struct http_slice *v = NULL;
    *repeated = 0;
    for (size_t i = 0; i < h->nfields; i++) {
        if (!http_slice_eq(h->fields[i].name, name))
            continue;
        if (v) {
            *repeated = 1;
            return NULL;
        }
        v = &h->fields[i].value;
    }
    return v;
}

/* Whether a request may carry a precondition or a range: every field that can (If-Match,
 * If-None-Match, If-Modified-Since, If-Unmodified-Since, If-Range, Range) starts with I or R, and
 * most requests have none, so their fields are looked up no further. */
static int may_condition(const struct http_head_info *h)
{
    for (size_t i = 0; i < h->nfields; i++) {
        char c = h->fields[i].name.p[0];
        if (c == 'I' || c == 'i' || c == 'R' || c == 'r')
            return 1;
    }
    return 0;
}

/* RFC 9110 13.2.2: the order in which a server evaluates the preconditions of GET or HEAD. Returns
 * 412, 304 or 200. */
static int evaluate_conditions(const struct http_reply_ctx *x, const struct http_request *req, const char *etag,
                               int64_t mtime)
{
    int present;
    /* 1. If-Match (strong comparison): false -> 412. A list we cannot read cannot hold. */
    int m = list_match(&req->h, "If-Match", etag, 1, &present);
    if (present) {
        if (m != 1)
            return 412;
    } else {
        /* 2. If-Unmodified-Since, only without If-Match, ignored unless a valid date. */
        int rep;
        const struct http_slice *ius = field_once(&req->h, "If-Unmodified-Since", &rep);
        int64_t t;
        if (ius && http_date_parse(*ius, &t) == 0 && mtime > t)
            return 412;
    }
    /* 3. If-None-Match (weak comparison): a match -> 304 for GET and HEAD. A malformed one is
     * ignored: it cannot be said to match. */
    m = list_match(&req->h, "If-None-Match", etag, 0, &present);
    if (present) {
        if (m == 1)
            return 304;
        return 200;
    }
    /* 4. If-Modified-Since, only without If-None-Match (13.1.3): ignored if not a valid date or
     * later than our clock; 304 when the file has not changed since. */
    int rep;
    const struct http_slice *ims = field_once(&req->h, "If-Modified-Since", &rep);
    int64_t since;
    if (ims && http_date_parse(*ims, &since) == 0 && since <= x->wall_now && mtime <= since)
        return 304;
    return 200;
}

/* "bytes a-b/size", NUL-terminated in buf (80 bytes hold any). */
static void content_range(char *buf, size_t cap, const struct http_range *r, uint64_t size)
{
    char *o = buf;
    const char *end = buf + cap - 1;
    o = http_put_str(o, end, "bytes ");
    o = http_put_u64(o, end, r->first);
    o = http_put_str(o, end, "-");
    o = http_put_u64(o, end, r->first + r->len - 1);
    o = http_put_str(o, end, "/");
    o = http_put_u64(o, end, size);
    *o = 0;
}

/* The bytes a part of a multipart/byteranges body adds to the part's data: its boundary line,
 * Content-Type and Content-Range lines (as multipart() writes them, numbers at their longest). */
static uint64_t part_overhead(const struct http_file *f)
{
    unsigned digits = 1;
    for (uint64_t v = f->size; v >= 10; v /= 10)
        digits++;
    return sizeof("\r\n--synack-0123456789abcdef\r\nContent-Type: \r\nContent-Range: bytes -/\r\n\r\n") - 1 +
           strlen(f->content_type) + 3 * digits;
}

/* A 206 of several ranges: multipart/byteranges (RFC 9110 14.6), each part with its own
 * Content-Type and Content-Range, the part heads in one allocation, the data read from the file. */
static int multipart(const struct http_reply_ctx *x, struct http_reply *out, const struct http_range *rg, unsigned n,
                     const struct http_file *f, const char *etag)
{
    uint64_t size = f->size;
    const char *ctype = f->content_type;
    /* The boundary must not occur in the data; one derived from the validator and the time is as
     * good as a random one for files, and keeps a simulated run exact. */
    uint64_t hsh = 1469598103934665603ull ^ x->now;
    for (const char *p = etag; *p; p++)
        hsh = (hsh ^ (unsigned char)*p) * 1099511628211ull;
    char boundary[40];
    snprintf(boundary, sizeof(boundary), "synack-%016llx", (unsigned long long)hsh);
    size_t per = 96 + strlen(ctype) + strlen(boundary);
    size_t cap = n * per + 64;
    char *text = malloc(cap);
    if (!text)
        return -1;
    size_t off[HTTP_MAX_RANGES + 1], o = 0;
    for (unsigned i = 0; i < n; i++) {
        off[i] = o;
        char cr[80];
        content_range(cr, sizeof(cr), &rg[i], size);
        o += (size_t)snprintf(text + o, cap - o, "\r\n--%s\r\nContent-Type: %s\r\nContent-Range: %s\r\n\r\n",
                              boundary, ctype, cr);
    }
    off[n] = o;
    o += (size_t)snprintf(text + o, cap - o, "\r\n--%s--\r\n", boundary);
    out->text = text;
    for (unsigned i = 0; i < n; i++) {
        add_piece(out, text + off[i], 0, off[i + 1] - off[i]);
        add_piece(out, f->data, rg[i].first, rg[i].len);
    }
    add_piece(out, text + off[n], 0, o - off[n]);
    head_str(out, "Content-Type: multipart/byteranges; boundary=");
    head_str(out, boundary);
    head_str(out, "\r\n");
    return 0;
}

/* A strong entity-tag (RFC 9110 8.8.3): changes whenever the file's bytes can have changed. */
static void file_etag(const struct http_file *f, char *buf, size_t cap)
{
    char *o = buf;
    const char *end = buf + cap - 1;
    o = http_put_str(o, end, "\"");
    o = http_put_hex(o, end, (uint64_t)f->mtime * 1000000000ull + (uint64_t)f->mtime_ns);
    o = http_put_str(o, end, "-");
    o = http_put_hex(o, end, f->size);
    o = http_put_str(o, end, "-");
    o = http_put_hex(o, end, f->ino);
    o = http_put_str(o, end, "\"");
    *o = 0;
}

/* "Last-Modified: ...\r\nETag: ...\r\n", then "Accept-Ranges: bytes\r\n"; *val and *ar: where
 * each part ends. */
static size_t validator_lines(char *buf, size_t cap, int64_t lm, const char *etag, size_t *val, size_t *ar)
{
    char date[40];
    size_t dn = http_date_format(lm, date, sizeof(date));
    char *o = buf;
    const char *end = buf + cap;
    o = http_put_str(o, end, "Last-Modified: ");
    o = http_put_mem(o, end, date, dn);
    o = http_put_str(o, end, "\r\nETag: ");
    o = http_put_str(o, end, etag);
    o = http_put_str(o, end, "\r\n");
    *val = (size_t)(o - buf);
    o = http_put_str(o, end, "Accept-Ranges: bytes\r\n");
    *ar = (size_t)(o - buf);
    return *ar;
}

/* Written once per file (see struct http_file): its entity-tag, and the lines a 200 of the whole
 * file ends with, from Last-Modified (its own modification time) to the blank line. */
static void file_fields(struct http_file *f)
{
    if (f->fields_len)
        return;
    file_etag(f, f->etag, sizeof(f->etag));
    size_t val, ar;
    char *o = f->fields + validator_lines(f->fields, sizeof(f->fields), f->mtime, f->etag, &val, &ar);
    const char *end = f->fields + sizeof(f->fields);
    o = http_put_str(o, end, "Content-Type: ");
    o = http_put_str(o, end, f->content_type);
    o = http_put_str(o, end, "\r\nContent-Length: ");
    o = http_put_u64(o, end, f->size);
    o = http_put_str(o, end, "\r\n\r\n");
    f->fields_val = (unsigned short)val;
    f->fields_ar = (unsigned short)ar;
    f->fields_len = (unsigned short)(o - f->fields);
}

/* A regular file found: conditions, then ranges, then the head and the pieces of the body. */
static void reply_file(const struct http_reply_ctx *x, const struct http_request *req, int get, int persist,
                       struct http_file *f, struct http_reply *out)
{
    /* 8.8.2.1: a Last-Modified after the response's Date is replaced by the Date. */
    int lm_own = f->mtime <= x->wall_now;
    int64_t mtime = lm_own ? f->mtime : x->wall_now;
    /* 8.8.2.2: a modification date is a strong validator only if at least a second before Date. */
    int lm_strong = f->mtime < x->wall_now;
    file_fields(f);
    const char *etag = f->etag;
    int cond = may_condition(&req->h);
    int status = cond ? evaluate_conditions(x, req, etag, mtime) : 200;
    struct http_range rg[HTTP_MAX_RANGE_SPECS];
    unsigned nr = 0;
    enum http_range_verdict rv = HTTP_RANGE_IGNORE;
    int rep;
    const struct http_slice *range = cond && status == 200 && get && f->size ? field_once(&req->h, "Range", &rep) : NULL;
    /* 14.2: Range is defined for GET only; If-Range is ignored without Range (13.1.5). An empty
     * file has no range a Content-Range could name: it is sent whole (14.1.1 allows no int-range). */
    if (range) {
        const struct http_slice *ifr = field_once(&req->h, "If-Range", &rep);
        if (!rep && (!ifr || http_if_range_holds(*ifr, etag, mtime, lm_strong)))
            rv = http_range_parse(*range, f->size, rg, &nr);
        /* 15.3.7.2: ranges that overlap or lie closer than a part's head is long are sent as one,
         * so a set that comes down to one range is a single-part 206 (15.3.7.1); more parts than
         * we send even then: the whole representation (14.2 lets a server ignore such a Range). */
        if (rv == HTTP_RANGE_OK && nr > 1) {
            nr = http_range_coalesce(rg, nr, part_overhead(f));
            if (nr > HTTP_MAX_RANGES)
                rv = HTTP_RANGE_IGNORE;
        }
        if (rv == HTTP_RANGE_OK)
            status = 206;
        else if (rv == HTTP_RANGE_UNSAT)
            status = 416;
    }
    reply_init(out, status);
    out->close = !persist;
    out->head_only = !get || status == 304;
    head_start(x, out, req->h.version_minor);
    if (status == 412 || status == 416) {
        if (status == 416) {
            head_str(out, "Content-Range: bytes */");
            head_u64(out, f->size);
            head_str(out, "\r\n");
        }
        page(out);
        head_str(out, "\r\n");
        http_file_put(f);
        return;
    }
    char own[160];
    const char *lines = f->fields;
    size_t val = f->fields_val, ar = f->fields_ar;
    if (!lm_own) {
        validator_lines(own, sizeof(own), mtime, etag, &val, &ar);
        lines = own;
    }
    if (status == 304) {
        head_mem(out, lines, val);
        head_str(out, "\r\n");
        http_file_put(f);
        return;
    }
    if (status == 200 && lm_own) {
        /* the common case: every line after the connection's is the file's own */
        head_mem(out, f->fields, f->fields_len);
        add_piece(out, f->data, 0, f->size);
    } else {
        head_mem(out, lines, ar);
        if (status == 206 && nr == 1) {
            char cr[80];
            content_range(cr, sizeof(cr), &rg[0], f->size);
            head_str(out, "Content-Range: ");
            head_str(out, cr);
            head_str(out, "\r\nContent-Type: ");
            head_str(out, f->content_type);
            head_str(out, "\r\n");
            add_piece(out, f->data, rg[0].first, rg[0].len);
        } else if (status == 206) {
            if (multipart(x, out, rg, nr, f, etag) != 0) {
                http_file_put(f);
                http_reply_error(x, 503, req->h.version_minor, out);
                return;
            }
        } else {
            head_str(out, "Content-Type: ");
            head_str(out, f->content_type);
            head_str(out, "\r\n");
            add_piece(out, f->data, 0, f->size);
        }
        head_length(out, out->file_len);
        head_str(out, "\r\n");
    }
    if (out->head_only) {
        http_file_put(f);
        out->npieces = 0;
        free(out->text);
        out->text = NULL;
    } else {
        out->file = f;   /* the reference goes with the reply */
    }
}

/* OPTIONS (RFC 9110 9.3.7): "*" asks about the server, a path about that resource; either way the
 * methods we allow, no body, and the connection goes on. A path that names no resource gets the
 * status a GET of it would (404, 403, 301, 400: Allow speaks of a resource that is there). */
static void reply_options(const struct http_reply_ctx *x, const struct http_request *req, int persist,
                          struct http_reply *out)
{
    reply_init(out, 200);
    out->close = !persist;
    head_start(x, out, req->h.version_minor);
    head_str(out, "Allow: " HTTP_ALLOW "\r\nContent-Length: 0\r\n\r\n");
}

void http_reply_request(const struct http_reply_ctx *x, const struct http_request *req, struct http_reply *out)
{
    /* Method names are case-sensitive (RFC 9110 9.1). */
    int get = req->method.n == 3 && !memcmp(req->method.p, "GET", 3);
    int head = req->method.n == 4 && !memcmp(req->method.p, "HEAD", 4);
    int options = req->method.n == 7 && !memcmp(req->method.p, "OPTIONS", 7);
    int star = req->target.n == 1 && req->target.p[0] == '*';
    if (star && !options) {
        /* asterisk-form is for OPTIONS only (RFC 9112 3.2.4) */
        http_reply_error(x, 400, req->h.version_minor, out);
        return;
    }
    if (!get && !head && !options) {
        /* 405 for a method we know but do not allow on static files; 501 for one we do not know
         * (RFC 9110 15.5.6, 15.6.2). Either way the body, if any, is not read: close. */
        http_reply_error(x, is_known_method(req->method) ? 405 : 501, req->h.version_minor, out);
        return;
    }
    /* RFC 9110 10.1.1: an expectation other than 100-continue cannot be met (417, which closes:
     * any content is left unread); in an HTTP/1.0 request Expect MUST be ignored. */
    if (req->h.expect_other && req->h.version_minor >= 1) {
        http_reply_error(x, 417, req->h.version_minor, out);
        return;
    }
    int persist = http_wants_persist(req->h.version_minor, req->h.conn_close, req->h.conn_keep_alive);
    if (x->keepalive_max && x->nth >= x->keepalive_max)
        persist = 0;   /* the N-th response closes */
    /* A final answer sent before content a client holds back for a 100 (Continue): it may never
     * send that content, so what follows on the connection is no longer known to be a request.
     * RFC 9110 10.1.1 asks the server to say whether it goes on reading: it closes. (A chunked
     * body is read before the answer, after a 100 Continue: http_conn.c.) */
    if (req->h.expect_continue && req->h.version_minor >= 1 && req->h.content_length > 0)
        persist = 0;
    /* A dynamic page cannot be asked whether it is there without making it: OPTIONS on a path the
     * pages may answer says what the server allows, as "*" does. */
    if (options && (star || dynamic_may_own(x, req))) {
        reply_options(x, req, persist, out);
        return;
    }
    if (x->dynamic && !options && reply_dynamic(x, req, persist, head, out))
        return;
    struct http_file *f = http_cache_hit(x->cache, req->target, x->now);
    struct http_static_result *sr = NULL;
    int status = 200;
    if (!f) {
        sr = malloc(sizeof(*sr));   /* large: its Location buffer */
        status = sr ? http_cache_get(x->cache, x->root, req->target, x->now, &f, sr) : 500;
    }
    if (status == 200) {
        free(sr);
        if (options) {
            http_file_put(f);
            reply_options(x, req, persist, out);
        } else {
            reply_file(x, req, get, persist, f, out);
        }
        return;
    }
    reply_init(out, status);
    /* A 400 from the path means the target was malformed: the stream itself is fine, but a client
     * that sends such targets gets no further service on this connection. */
    out->close = !persist || status == 400 || status == 500;
    out->head_only = head;
    head_start(x, out, req->h.version_minor);
    if (status == 301) {
        head_str(out, "Location: ");
        head_str(out, sr->location);
        head_str(out, "\r\n");
    }
    free(sr);
    page(out);
    head_str(out, "\r\n");
}
