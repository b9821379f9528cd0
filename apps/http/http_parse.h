/* HTTP/1.x message syntax (RFC 9112): a strict parser for request and response heads, a chunked
 * body decoder, and the small field-value helpers the server and the client share.
 *
 * Why our own parser and not Debian's libhttp-parser (2.9.4, checked by hand): it accepts whitespace
 * between a field name and its colon ("Host : x", which RFC 9112 5.1 says a server MUST reject),
 * obs-fold lines (5.2: reject or replace), a double space in the request line and HTTP/0.9 requests;
 * it cannot tell a too-long request line (414) from too-large fields (431); and its header limit is
 * a process-wide setting. A head parser over a complete buffer is small, pure and easy to fuzz
 * (tests/fuzz/fuzz_http_request.c).
 *
 * The parsers work on a buffer holding the start of a connection's input: they either find a
 * complete head (and return its length), ask for more bytes, or reject it with the status a server
 * answers. Parsed slices point into the caller's buffer and live as long as it does. */
#ifndef APPS_HTTP_PARSE_H
#define APPS_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define HTTP_MAX_FIELDS 64

struct http_slice {
    const char *p;
    size_t n;
};

struct http_field {
    struct http_slice name, value;   /* value without leading/trailing whitespace */
};

struct http_limits {
    size_t max_line;      /* request line, CRLF included: longer -> 414 [8192] */
    size_t max_head;      /* whole head (request line and fields): larger -> 431 [16384] */
    unsigned max_fields;  /* at most HTTP_MAX_FIELDS: more -> 431 */
};
void http_limits_default(struct http_limits *l);

/* What both heads say about the message's framing and the connection. */
struct http_head_info {
    int version_minor;        /* HTTP/1.x: 0 or 1 (other versions are rejected) */
    int64_t content_length;   /* -1: none */
    int chunked;              /* Transfer-Encoding ends in chunked */
    int conn_close, conn_keep_alive;   /* Connection: close / keep-alive tokens */
    int expect_continue, expect_other; /* Expect: 100-continue / any other expectation */
    size_t nfields;
    struct http_field fields[HTTP_MAX_FIELDS];
};

struct http_request {
    struct http_slice line;        /* the request line without its line ending (access log) */
    struct http_slice method, target;
    struct http_slice host;        /* empty if absent (HTTP/1.0) */
    struct http_head_info h;
};

/* Parses a request head at the start of buf (leading empty lines are skipped, RFC 9112 2.2).
 * Returns the head's length (> 0) when complete, 0 when more bytes are needed, or a negative
 * HTTP status: -400 malformed, -414 request line too long, -431 fields too large or too many,
 * -505 version not 1.x, -501 a transfer coding other than chunked. */
ssize_t http_parse_request(const char *buf, size_t len, const struct http_limits *lim, struct http_request *out);

struct http_response {
    int status;
    struct http_slice reason;
    struct http_slice location;    /* Location, empty if absent */
    long keep_alive_timeout;       /* Keep-Alive: timeout=N seconds, -1 if not advertised */
    long keep_alive_max;           /* Keep-Alive: max=N, -1 if not advertised */
    struct http_head_info h;
};

/* Parses a response head; same return convention (-400 for anything malformed, -431 too large). */
ssize_t http_parse_response(const char *buf, size_t len, size_t max_head, struct http_response *out);

/* The first field named `name` (case-insensitive), or NULL. */
const struct http_slice *http_field_get_n(const struct http_head_info *h, const char *name, size_t n);
/* Case-insensitive comparison of a slice with the n bytes at lit. */
int http_slice_eq_n(struct http_slice s, const char *lit, size_t n);
/* The same with a C string: inline, so a literal's length is known where it is written. */
static inline const struct http_slice *http_field_get(const struct http_head_info *h, const char *name)
{
    return http_field_get_n(h, name, strlen(name));
}
static inline int http_slice_eq(struct http_slice s, const char *lit) { return http_slice_eq_n(s, lit, strlen(lit)); }

/* ---- chunked transfer coding (RFC 9112 7.1) ---- */
struct http_chunked {
    int state;
    uint64_t remaining;   /* bytes left in the current chunk */
    unsigned line_len;    /* bytes of the current size/trailer line (bounded) */
    int digits;
    int done;             /* the last chunk and trailer section have been read */
    int strict;           /* set after init: every line of the coding ends with CRLF (a server);
                           * else a bare LF is taken for one too (a client reading a response) */
    int prev_cr;
    unsigned trailers;    /* trailer field lines read: bounded like a head's fields */
};
void http_chunked_init(struct http_chunked *c);
/* Decodes in place: consumes up to len bytes of buf, moves the chunk data found to the front of
 * buf and stores its length in *out_len. Returns the bytes consumed (stops after the final CRLF,
 * so bytes of a next message are left alone), or -1 if the coding is malformed. */
ssize_t http_chunked_decode(struct http_chunked *c, char *buf, size_t len, size_t *out_len);

/* ---- dates (RFC 9110 5.6.7) ---- */
/* Formats t as IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") into buf (at least 30 bytes),
 * NUL-terminated. Returns the length of the date (29 for years 0 to 9999). */
size_t http_date_format(int64_t t, char *buf, size_t cap);
/* Parses IMF-fixdate, or the obsolete RFC 850 and asctime forms (RFC 9110 5.6.7: recipients MUST
 * accept all three). Returns 0 or -1. */
int http_date_parse(struct http_slice s, int64_t *out);

#endif
