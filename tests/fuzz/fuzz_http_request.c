/* Fuzz target: the HTTP/1.x head parser (apps/http/http_parse.c), the chunked decoder and the
 * request-target decoder. The first byte picks the limits; the rest is the bytes a client sent.
 * Checked: results stay inside the input and carry only the statuses the server knows; slices are
 * well-formed (method a token, target without spaces or controls, field names tokens); a head the
 * parser accepts is never rejected when it arrives in pieces (every shorter prefix asks for more,
 * which is what the server relies on when it parses as bytes trickle in), and reparsing exactly the
 * head gives the same result; a decoded target's dot-segments removed leave an absolute path with
 * none left, which removing them again does not change; the response parser and the chunked
 * decoder never read or write outside their buffers and consume what they say. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Built into the target so libFuzzer sees the parser's edges (the library is not instrumented). */
#include "../../apps/http/http_parse.c"
#include "../../apps/http/http_static.c"

static int is_token_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static void check_slice(struct http_slice s, const uint8_t *buf, size_t len)
{
    if (s.n && (s.p < (const char *)buf || s.p + s.n > (const char *)buf + len))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct http_limits lim;
    http_limits_default(&lim);
    lim.max_line = 16 + (data[0] & 0x0f) * 16;
    lim.max_head = lim.max_line + (size_t)(data[0] >> 4) * 64;
    lim.max_fields = 1 + (data[0] & 7);
    const uint8_t *p = data + 1;
    size_t len = size - 1;
    /* a private copy, so reads past the end are caught by ASan */
    char *buf = malloc(len ? len : 1);
    memcpy(buf, p, len);
    struct http_request *r = malloc(sizeof(*r));
    ssize_t n = http_parse_request(buf, len, &lim, r);
    if (n < 0 && n != -400 && n != -414 && n != -431 && n != -501 && n != -505)
        abort();
    if (n > (ssize_t)len)
        abort();
    if (n > 0) {
        if (n > (ssize_t)lim.max_head + 8)
            abort();
        check_slice(r->method, (const uint8_t *)buf, len);
        check_slice(r->target, (const uint8_t *)buf, len);
        check_slice(r->line, (const uint8_t *)buf, len);
        if (!r->method.n || !r->target.n || r->h.version_minor < 0 || r->h.version_minor > 1)
            abort();
        for (size_t i = 0; i < r->method.n; i++)
            if (!is_token_char((unsigned char)r->method.p[i]))
                abort();
        for (size_t i = 0; i < r->target.n; i++)
            if ((unsigned char)r->target.p[i] <= 0x20 || (unsigned char)r->target.p[i] >= 0x7f)
                abort();
        if (r->h.nfields > lim.max_fields)
            abort();
        for (size_t i = 0; i < r->h.nfields; i++) {
            check_slice(r->h.fields[i].name, (const uint8_t *)buf, len);
            check_slice(r->h.fields[i].value, (const uint8_t *)buf, len);
            if (!r->h.fields[i].name.n)
                abort();
            for (size_t k = 0; k < r->h.fields[i].name.n; k++)
                if (!is_token_char((unsigned char)r->h.fields[i].name.p[k]))
                    abort();
        }
        if (r->h.chunked && r->h.content_length >= 0)
            abort();   /* both must have been refused */
        /* exactly the head reparses the same; every shorter prefix asks for more */
        struct http_request *r2 = malloc(sizeof(*r2));
        if (http_parse_request(buf, (size_t)n, &lim, r2) != n || r2->h.nfields != r->h.nfields ||
            r2->h.content_length != r->h.content_length)
            abort();
        for (size_t k = 0; k < (size_t)n; k += 1 + (size_t)n / 64)
            if (http_parse_request(buf, k, &lim, r2) != 0)
                abort();
        if (http_parse_request(buf, (size_t)n - 1, &lim, r2) != 0)
            abort();
        free(r2);
        /* the target through the path decoder */
        char path[512];
        int dl = http_path_decode(r->target.p, r->target.n, path, sizeof(path));
        if (dl >= 0 && (size_t)dl != strlen(path))
            abort();
        /* and its dot-segments removed (RFC 3986 5.2.4): an absolute path no longer, with no "."
         * or ".." segment left, and a fixed point (removing them again changes nothing) */
        if (dl > 0 && path[0] == '/') {
            char once[512], twice[512];
            memcpy(once, path, (size_t)dl + 1);
            int nl = http_path_normalize(once);
            if (nl >= 0) {
                if (nl == 0 || nl > dl || once[0] != '/' || (size_t)nl != strlen(once))
                    abort();
                for (const char *seg = once; seg; seg = strchr(seg + 1, '/')) {
                    size_t sl = strcspn(seg + 1, "/");
                    if ((sl == 1 && seg[1] == '.') || (sl == 2 && seg[1] == '.' && seg[2] == '.'))
                        abort();
                }
                memcpy(twice, once, (size_t)nl + 1);
                if (http_path_normalize(twice) != nl || memcmp(once, twice, (size_t)nl + 1))
                    abort();
            }
        }
        /* what follows the head as a chunked body */
        struct http_chunked c;
        http_chunked_init(&c);
        size_t rest = len - (size_t)n, out;
        char *body = malloc(rest ? rest : 1);
        memcpy(body, buf + n, rest);
        ssize_t used = http_chunked_decode(&c, body, rest, &out);
        if (used > (ssize_t)rest || (used >= 0 && out > (size_t)used))
            abort();
        free(body);
    }
    /* the same bytes as a response head */
    struct http_response *resp = malloc(sizeof(*resp));
    ssize_t m = http_parse_response(buf, len, lim.max_head, resp);
    if (m > (ssize_t)len || (m < 0 && m != -400 && m != -431))
        abort();
    if (m > 0 && (resp->status < 100 || resp->status > 999))
        abort();
    free(resp);
    free(r);
    free(buf);
    return 0;
}
