/* Strict HTTP/1.x head parsing and the chunked decoder (see http_parse.h). Every rule cites
 * RFC 9112 (message syntax) or RFC 9110 (semantics). */
#include "http_parse.h"

#include "http_cond.h"
#include "http_fmt.h"

#include <string.h>

void http_limits_default(struct http_limits *l)
{
    l->max_line = 8192;
    l->max_head = 16384;
    l->max_fields = HTTP_MAX_FIELDS;
}

/* RFC 9110 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_"
 * / "`" / "|" / "~" / DIGIT / ALPHA */
static int is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
    case '^': case '_': case '`': case '|': case '~':
        return 1;
    default:
        return 0;
    }
}

/* field-vchar = VCHAR / obs-text, plus SP and HTAB inside a value (RFC 9110 5.5). */
static int is_field_char(unsigned char c)
{
    return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f);
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

int http_slice_eq_n(struct http_slice s, const char *lit, size_t n)
{
    if (s.n != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s.p[i]) != lower(lit[i]))
            return 0;
    return 1;
}

const struct http_slice *http_field_get_n(const struct http_head_info *h, const char *name, size_t n)
{
    for (size_t i = 0; i < h->nfields; i++)
        if (http_slice_eq_n(h->fields[i].name, name, n))
            return &h->fields[i].value;
    return NULL;
}

static struct http_slice trim(struct http_slice s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.n--;
    }
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
        s.n--;
    return s;
}

/* Iterates over the comma-separated elements of a list value (RFC 9110 5.6.1), skipping empty
 * ones. Returns 0 when there are no more. */
static int list_next(struct http_slice *rest, struct http_slice *elem)
{
    while (rest->n) {
        const char *comma = memchr(rest->p, ',', rest->n);
        size_t n = comma ? (size_t)(comma - rest->p) : rest->n;
        *elem = trim((struct http_slice){ rest->p, n });
        rest->p += comma ? n + 1 : n;
        rest->n -= comma ? n + 1 : n;
        if (elem->n)
            return 1;
    }
    return 0;
}

/* Finds the end of the line starting at `pos`: returns the index of its LF, or -1 if none before
 * `limit`. The line's content ends before a CR that precedes the LF (RFC 9112 2.2 lets a recipient
 * accept a bare LF as a line terminator). */
static ssize_t line_end(const char *buf, size_t pos, size_t limit)
{
    const char *nl = memchr(buf + pos, '\n', limit - pos);
    return nl ? nl - buf : -1;
}

/* Content of the line [pos, lf) without its CR; -1 if a bare CR appears inside (RFC 9112 2.2:
 * a bare CR makes the element invalid). */
static int line_content(const char *buf, size_t pos, size_t lf, struct http_slice *out)
{
    size_t end = lf;
    if (end > pos && buf[end - 1] == '\r')
        end--;
    if (memchr(buf + pos, '\r', end - pos))
        return -1;
    out->p = buf + pos;
    out->n = end - pos;
    return 0;
}

/* Parses "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3). Returns the minor version for 1.x, -505 for
 * another major version, -400 if malformed. Minor versions above 1 are treated as 1.1 (RFC 9110
 * 6.2: a recipient uses the highest minor version it implements). */
static int parse_version(struct http_slice v)
{
    if (v.n == 8 && memcmp(v.p, "HTTP/", 5) == 0 && v.p[6] == '.' && v.p[5] >= '0' && v.p[5] <= '9' &&
        v.p[7] >= '0' && v.p[7] <= '9') {
        if (v.p[5] != '1')
            return -505;
        return v.p[7] == '0' ? 0 : 1;
    }
    /* "HTTP/2" and "HTTP/3", as HTTP/2 and HTTP/3 name themselves (RFC 9113 3.1, RFC 9114 3.1):
     * a major version we do not implement, which RFC 9110 15.6.6 answers with 505 rather than
     * calling the line malformed. A lone "1" is no version at all. */
    if (v.n == 6 && memcmp(v.p, "HTTP/", 5) == 0 && v.p[5] >= '2' && v.p[5] <= '9')
        return -505;
    return -400;
}

/* Decimal Content-Length (RFC 9110 8.6): 1*DIGIT, bounded so it cannot overflow. Returns -1 if
 * malformed. */
static int64_t parse_length(struct http_slice s)
{
    if (s.n == 0 || s.n > 18)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return -1;
        v = v * 10 + (s.p[i] - '0');
    }
    return v;
}

/* Parses the field lines from `pos` up to and including the empty line. Returns the head length,
 * 0 for more bytes, or a negative status. Fills h->fields and the framing facts. */
static ssize_t parse_fields(const char *buf, size_t len, size_t pos, size_t head_limit, unsigned max_fields,
                            struct http_head_info *h, int is_request, int *te_other)
{
    size_t limit = len < head_limit ? len : head_limit;
    h->nfields = 0;
    h->content_length = -1;
    h->chunked = 0;
    h->conn_close = h->conn_keep_alive = 0;
    h->expect_continue = h->expect_other = 0;
    int have_te = 0;
    *te_other = 0;
    for (;;) {
        ssize_t lf = line_end(buf, pos, limit);
        if (lf < 0)
            return len >= head_limit ? -431 : 0;
        struct http_slice line;
        if (line_content(buf, pos, (size_t)lf, &line) != 0)
            return -400;
        pos = (size_t)lf + 1;
        if (line.n == 0)
            break;
        /* RFC 9112 5.2: obs-fold is rejected (a server MUST reject or unfold; we reject); 2.2: a
         * line starting with whitespace before the first field MUST be rejected too. */
        if (line.p[0] == ' ' || line.p[0] == '\t')
            return -400;
        const char *colon = memchr(line.p, ':', line.n);
        if (!colon || colon == line.p)
            return -400;
        struct http_field f = { { line.p, (size_t)(colon - line.p) },
                                { colon + 1, line.n - (size_t)(colon - line.p) - 1 } };
        /* RFC 9112 5.1: no whitespace between the name and the colon (MUST reject with 400). */
        for (size_t i = 0; i < f.name.n; i++)
            if (!is_tchar((unsigned char)f.name.p[i]))
                return -400;
        for (size_t i = 0; i < f.value.n; i++)
            if (!is_field_char((unsigned char)f.value.p[i]))
                return -400;
        f.value = trim(f.value);
        if (h->nfields >= max_fields || h->nfields >= HTTP_MAX_FIELDS)
            return -431;
        h->fields[h->nfields++] = f;
        struct http_slice rest = f.value, e;
        if (http_slice_eq(f.name, "Content-Length")) {
            /* RFC 9110 8.6: a list of identical values may be accepted; differing ones are an
             * unrecoverable framing error. */
            if (!f.value.n)
                return -400;
            while (list_next(&rest, &e)) {
                int64_t v = parse_length(e);
                if (v < 0 || (h->content_length >= 0 && v != h->content_length))
                    return -400;
                h->content_length = v;
            }
            if (h->content_length < 0)
                return -400;
        } else if (http_slice_eq(f.name, "Transfer-Encoding")) {
            /* A Transfer-Encoding line that names no coding frames nothing: a recipient that
             * took it for chunked and one that took Content-Length would read different
             * messages (RFC 9112 6.3 (3), 11.2), so it counts as a coding we cannot use. */
            if (!f.value.n)
                *te_other = 1;
            while (list_next(&rest, &e)) {
                /* RFC 9112 6.1: chunked MUST be the final coding and MUST NOT be applied twice. */
                if (h->chunked)
                    return -400;
                if (http_slice_eq(e, "chunked"))
                    h->chunked = 1;
                else
                    *te_other = 1;
            }
            have_te = 1;
        } else if (http_slice_eq(f.name, "Expect")) {
            /* RFC 9110 10.1.1: 100-continue is the only expectation defined; any other member is
             * one the server cannot meet (417). The value is case-insensitive. */
            while (list_next(&rest, &e)) {
                if (http_slice_eq(e, "100-continue"))
                    h->expect_continue = 1;
                else
                    h->expect_other = 1;
            }
        } else if (http_slice_eq(f.name, "Connection")) {
            while (list_next(&rest, &e)) {
                if (http_slice_eq(e, "close"))
                    h->conn_close = 1;
                else if (http_slice_eq(e, "keep-alive"))
                    h->conn_keep_alive = 1;
            }
        }
    }
    if (have_te && h->content_length >= 0) {
        /* RFC 9112 6.3 (3): both present is a likely smuggling attempt; a server may reject it,
         * and we do. A response's Transfer-Encoding overrides Content-Length. */
        if (is_request)
            return -400;
        h->content_length = -1;
        h->conn_close = 1;
    }
    /* A request: chunked must be final (6.3 (4): else 400), and a coding we do not implement gets
     * 501 (6.1). A response whose final coding is not chunked runs until close. */
    if (is_request && *te_other)
        return h->chunked ? -501 : -400;
    return (ssize_t)pos;
}

ssize_t http_parse_request(const char *buf, size_t len, const struct http_limits *lim, struct http_request *out)
{
    struct http_limits dl;
    if (!lim) {
        http_limits_default(&dl);
        lim = &dl;
    }
    /* All but the fields (2 KB; only the first nfields are ever read): this runs per request. */
    memset(out, 0, offsetof(struct http_request, h.fields));
    size_t pos = 0;
    /* RFC 9112 2.2: a server SHOULD ignore at least one empty line before the request line. We
     * accept a few, no more. */
    for (int i = 0; i < 4 && pos < len; i++) {
        if (buf[pos] == '\n')
            pos++;
        else if (buf[pos] == '\r' && pos + 1 < len && buf[pos + 1] == '\n')
            pos += 2;
        else if (buf[pos] == '\r' && pos + 1 == len)
            return 0;
        else
            break;
    }
    size_t start = pos;
    /* Reject a line that cannot become a request as soon as it is seen: the method is a token
     * (RFC 9112 3.1), so anything else before the first SP is garbage (e.g. a TLS handshake). */
    for (size_t i = start; i < len && buf[i] != ' '; i++)
        if (!is_tchar((unsigned char)buf[i]))
            return -400;
    size_t lim_line = lim->max_line < lim->max_head ? lim->max_line : lim->max_head;
    size_t line_limit = start + lim_line;
    ssize_t lf = line_end(buf, start, len < line_limit ? len : line_limit);
    if (lf < 0)
        return len >= line_limit ? -414 : 0;
    struct http_slice line;
    if (line_content(buf, start, (size_t)lf, &line) != 0)
        return -400;
    out->line = line;
    /* request-line = method SP request-target SP HTTP-version (RFC 9112 3): exactly one SP each. */
    const char *sp1 = memchr(line.p, ' ', line.n);
    if (!sp1 || sp1 == line.p)
        return -400;
    out->method = (struct http_slice){ line.p, (size_t)(sp1 - line.p) };
    const char *t = sp1 + 1;
    const char *end = line.p + line.n;
    const char *sp2 = memchr(t, ' ', (size_t)(end - t));
    if (!sp2 || sp2 == t)
        return -400;
    out->target = (struct http_slice){ t, (size_t)(sp2 - t) };
    for (size_t i = 0; i < out->target.n; i++) {
        unsigned char c = (unsigned char)t[i];
        /* RFC 3986 characters only; no raw UTF-8, no controls. No '#' either: a fragment is the
         * client's own and never part of a request-target (RFC 9112 3.2, RFC 9110 7.1). */
        if (c <= 0x20 || c >= 0x7f || c == '#')
            return -400;
    }
    int v = parse_version((struct http_slice){ sp2 + 1, (size_t)(end - sp2 - 1) });
    if (v < 0)
        return v;
    out->h.version_minor = v;
    int te_other = 0;
    ssize_t r = parse_fields(buf, len, (size_t)lf + 1, start + lim->max_head, lim->max_fields, &out->h, 1, &te_other);
    if (r <= 0)
        return r;
    /* RFC 9112 6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing. */
    if (v == 0 && (out->h.chunked || te_other))
        return -400;
    /* RFC 9112 3.2: a 1.1 request without a Host field gets 400, any request with two of them too, */
    int hosts = 0;
    for (size_t i = 0; i < out->h.nfields; i++)
        if (http_slice_eq(out->h.fields[i].name, "Host")) {
            hosts++;
            out->host = out->h.fields[i].value;
        }
    if (hosts > 1 || (v == 1 && hosts == 0))
        return -400;
    /* ... and so does any request whose Host value is not a host (a list, a path, a space). */
    if (hosts && !http_host_valid(out->host))
        return -400;
    return r;
}

static void parse_keep_alive(struct http_slice v, struct http_response *out)
{
    struct http_slice rest = v, e;
    while (list_next(&rest, &e)) {
        const char *eq = memchr(e.p, '=', e.n);
        if (!eq)
            continue;
        struct http_slice k = trim((struct http_slice){ e.p, (size_t)(eq - e.p) });
        struct http_slice val = trim((struct http_slice){ eq + 1, e.n - (size_t)(eq - e.p) - 1 });
        int64_t n = parse_length(val);
        if (n < 0 || n > 1000000000)
            continue;
        if (http_slice_eq(k, "timeout"))
            out->keep_alive_timeout = (long)n;
        else if (http_slice_eq(k, "max"))
            out->keep_alive_max = (long)n;
    }
}

ssize_t http_parse_response(const char *buf, size_t len, size_t max_head, struct http_response *out)
{
    memset(out, 0, sizeof(*out));
    out->keep_alive_timeout = out->keep_alive_max = -1;
    if (len >= 1 && buf[0] != 'H')
        return -400;
    ssize_t lf = line_end(buf, 0, len < max_head ? len : max_head);
    if (lf < 0)
        return len >= max_head ? -431 : 0;
    struct http_slice line;
    if (line_content(buf, 0, (size_t)lf, &line) != 0)
        return -400;
    /* status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 4). A missing SP
     * after the code is tolerated: the reason carries no meaning. */
    if (line.n < 12 || line.p[8] != ' ')
        return -400;
    int v = parse_version((struct http_slice){ line.p, 8 });
    if (v < 0)
        return -400;
    out->h.version_minor = v;
    int code = 0;
    for (int i = 9; i < 12; i++) {
        if (line.p[i] < '0' || line.p[i] > '9')
            return -400;
        code = code * 10 + (line.p[i] - '0');
    }
    if (code < 100 || (line.n > 12 && line.p[12] != ' '))
        return -400;
    out->status = code;
    out->reason = line.n > 13 ? (struct http_slice){ line.p + 13, line.n - 13 } : (struct http_slice){ line.p + 12, 0 };
    int te_other = 0;
    ssize_t r = parse_fields(buf, len, (size_t)lf + 1, max_head, HTTP_MAX_FIELDS, &out->h, 0, &te_other);
    if (r <= 0)
        return r;
    const struct http_slice *loc = http_field_get(&out->h, "Location");
    if (loc)
        out->location = *loc;
    const struct http_slice *ka = http_field_get(&out->h, "Keep-Alive");
    if (ka)
        parse_keep_alive(*ka, out);
    return r;
}

/* ---------------- chunked ---------------- */

enum { CH_SIZE, CH_EXT_BWS, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER, CH_TRAILER_LINE, CH_END_LF, CH_DONE };

#define CH_MAX_LINE 4096

void http_chunked_init(struct http_chunked *c) { memset(c, 0, sizeof(*c)); }

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = lower(ch);
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

ssize_t http_chunked_decode(struct http_chunked *c, char *buf, size_t len, size_t *out_len)
{
    size_t i = 0, out = 0;
    while (i < len && c->state != CH_DONE) {
        char ch = buf[i];
        switch (c->state) {
        case CH_SIZE: {   /* chunk-size = 1*HEXDIG */
            int h = hexval(ch);
            if (h >= 0) {
                if (++c->digits > 15)
                    return -1;
                c->remaining = c->remaining * 16 + (uint64_t)h;
                i++;
                break;
            }
            if (c->digits == 0)
                return -1;
            c->state = CH_EXT_BWS;
            c->line_len = 0;
            break;
        }
        case CH_EXT_BWS:
            /* After the size only BWS and then ";" (a chunk-ext) or the line's end may come
             * (7.1.1): "5x" or "0x10" is no chunk size, and a recipient that read it as one would
             * frame the body differently from one that refused it. */
            if (ch == ';') {
                c->state = CH_EXT;
                break;
            }
            if (ch != ' ' && ch != '\t' && ch != '\r' && !(ch == '\n' && !c->strict))
                return -1;
            if (++c->line_len > CH_MAX_LINE)
                return -1;
            if (ch == ' ' || ch == '\t') {
                i++;
                break;
            }
            c->state = CH_EXT;   /* the line's end, read there */
            break;
        case CH_EXT:   /* [ chunk-ext ] CRLF: extensions are ignored (7.1.1), bounded */
            i++;
            if (ch == '\n') {
                if (c->strict)
                    return -1;   /* a bare LF ends no line of the chunked coding (7.1) */
                c->state = c->remaining ? CH_DATA : CH_TRAILER;
                c->line_len = 0;
            } else if (ch == '\r') {
                c->state = CH_SIZE_LF;
            } else if (!is_field_char((unsigned char)ch) || ++c->line_len > CH_MAX_LINE) {
                return -1;
            }
            break;
        case CH_SIZE_LF:
            if (ch != '\n')
                return -1;
            i++;
            c->state = c->remaining ? CH_DATA : CH_TRAILER;
            c->line_len = 0;
            break;
        case CH_DATA: {
            size_t n = len - i;
            if (n > c->remaining)
                n = (size_t)c->remaining;
            memmove(buf + out, buf + i, n);
            out += n;
            i += n;
            c->remaining -= n;
            if (!c->remaining)
                c->state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:   /* the CRLF after chunk-data */
            i++;
            if (ch == '\n' && !c->strict) {
                c->state = CH_SIZE;
                c->digits = 0;
            } else if (ch == '\r') {
                c->state = CH_DATA_LF;
            } else {
                return -1;
            }
            break;
        case CH_DATA_LF:
            if (ch != '\n')
                return -1;
            i++;
            c->state = CH_SIZE;
            c->digits = 0;
            break;
        case CH_TRAILER:   /* trailer-section CRLF: fields are read and dropped (7.1.2) */
            i++;
            if (ch == '\n' && !c->strict)
                c->state = CH_DONE;
            else if (ch == '\r')
                c->state = CH_END_LF;
            else if (!is_field_char((unsigned char)ch) || ++c->trailers > HTTP_MAX_FIELDS) {
                return -1;   /* as many trailer fields as a head may have fields, no more */
            } else {
                c->state = CH_TRAILER_LINE;
                c->line_len = 1;
                c->prev_cr = 0;
            }
            break;
        case CH_TRAILER_LINE:
            i++;
            if (ch == '\n') {
                if (c->strict && !c->prev_cr)
                    return -1;
                c->state = CH_TRAILER;
            } else if ((c->strict && c->prev_cr) || ++c->line_len > CH_MAX_LINE ||
                       (ch != '\r' && !is_field_char((unsigned char)ch))) {
                return -1;   /* strict: a CR ends the line only before its LF */
            }
            c->prev_cr = ch == '\r';
            break;
        case CH_END_LF:
            if (ch != '\n')
                return -1;
            i++;
            c->state = CH_DONE;
            break;
        }
    }
    c->done = c->state == CH_DONE;
    *out_len = out;
    return (ssize_t)i;
}

/* ---------------- dates ---------------- */

static const char *const wdays[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

size_t http_date_format(int64_t t, char *buf, size_t cap)
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t secs = t - days * 86400;
    /* civil_from_days */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    int wd = (int)(((days % 7) + 11) % 7);   /* 1970-01-01 was a Thursday */
    /* "Sun, 06 Nov 1994 08:49:37 GMT", written piece by piece: this runs for every response. */
    char tmp[48], *o = tmp;
    const char *end = tmp + sizeof(tmp);
    o = http_put_mem(o, end, wdays[wd], 3);
    o = http_put_mem(o, end, ", ", 2);
    o = http_put_dec(o, end, d, 2);
    *o++ = ' ';
    o = http_put_mem(o, end, months[m - 1], 3);
    *o++ = ' ';
    if (y < 0) {   /* as %04lld writes it: the sign counts in the width */
        *o++ = '-';
        o = http_put_dec(o, end, (uint64_t)-y, 3);
    } else {
        o = http_put_dec(o, end, (uint64_t)y, 4);
    }
    *o++ = ' ';
    o = http_put_dec(o, end, (uint64_t)(secs / 3600), 2);
    *o++ = ':';
    o = http_put_dec(o, end, (uint64_t)(secs / 60 % 60), 2);
    *o++ = ':';
    o = http_put_dec(o, end, (uint64_t)(secs % 60), 2);
    o = http_put_mem(o, end, " GMT", 4);
    size_t n = (size_t)(o - tmp);
    if (!cap)
        return n;
    size_t k = n < cap ? n : cap - 1;
    memcpy(buf, tmp, k);
    buf[k] = 0;
    return n;
}

static int num(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 0;
}

static int month_index(const char *p)
{
    for (int i = 0; i < 12; i++)
        if (!memcmp(p, months[i], 3))
            return i + 1;
    return -1;
}

static int hms(const char *p, int *h, int *mi, int *s)
{
    if (p[2] != ':' || p[5] != ':' || num(p, 2, h) || num(p + 3, 2, mi) || num(p + 6, 2, s))
        return -1;
    return *h < 24 && *mi < 60 && *s <= 60 ? 0 : -1;
}

int http_date_parse(struct http_slice sl, int64_t *out)
{
    char s[40];
    if (sl.n < 24 || sl.n >= sizeof(s))
        return -1;
    memcpy(s, sl.p, sl.n);
    s[sl.n] = 0;
    int d, m, y, h, mi, sec;
    const char *comma = strchr(s, ',');
    if (comma && comma - s == 3 && sl.n == 29) {
        /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
        if (s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || strcmp(s + 25, " GMT") ||
            num(s + 5, 2, &d) || (m = month_index(s + 8)) < 0 || num(s + 12, 4, &y) || hms(s + 17, &h, &mi, &sec))
            return -1;
    } else if (comma) {
        /* rfc850-date: "Sunday, 06-Nov-94 08:49:37 GMT"; two-digit years above 50 are 19xx. */
        const char *p = comma + 1;
        if (strlen(p) != 23 || p[0] != ' ' || p[3] != '-' || p[7] != '-' || p[10] != ' ' || strcmp(p + 19, " GMT") ||
            num(p + 1, 2, &d) || (m = month_index(p + 4)) < 0 || num(p + 8, 2, &y) || hms(p + 11, &h, &mi, &sec))
            return -1;
        y += y >= 50 ? 1900 : 2000;
    } else {
        /* asctime-date: "Sun Nov  6 08:49:37 1994" */
        if (sl.n != 24 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ' ||
            (m = month_index(s + 4)) < 0 || hms(s + 11, &h, &mi, &sec) || num(s + 20, 4, &y))
            return -1;
        if (num(s + 8 + (s[8] == ' '), s[8] == ' ' ? 1 : 2, &d))
            return -1;
    }
    if (d < 1 || d > 31)
        return -1;
    *out = days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec;
    return 0;
}
