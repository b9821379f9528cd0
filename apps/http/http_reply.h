/* The server's decisions for one request, apart from any socket: which status, which header
 * fields, which body (a file or a short page), and whether the connection stays open afterwards.
 * The connection state machine (http_conn.c) only moves the bytes; unit tests call these directly. */
#ifndef APPS_HTTP_REPLY_H
#define APPS_HTTP_REPLY_H

#include <stdint.h>

#include "http_cache.h"
#include "http_cond.h"
#include "http_parse.h"
#include "http_static.h"
#include "synack/types.h"

struct http_reply_ctx {
    const struct http_static_root *root;
    struct http_cache *cache;       /* NULL: every file is opened for its request */
    int64_t wall_now;               /* seconds since the epoch, for Date and Last-Modified */
    const char *date;               /* wall_now as IMF-fixdate (HTTP_DATE_LEN bytes), formatted
                                     * once a second by the server; NULL: formatted here */
    synack_time_t now;              /* the stack's time, handed to a dynamic page */
    unsigned keepalive_timeout_s;   /* advertised in Keep-Alive: timeout= */
    unsigned keepalive_max;         /* responses per connection; the last carries Connection: close */
    unsigned nth;                   /* 1 for the connection's first response */
    int (*dynamic)(void *ctx, const char *path, char **body, size_t *len, const char **ctype, synack_time_t now);
    void *dynamic_ctx;
    const char *dynamic_prefix;     /* only paths starting with it go to dynamic; NULL: all */
};

#define HTTP_DATE_LEN 29   /* "Sun, 06 Nov 1994 08:49:37 GMT" */

#define HTTP_REPLY_HEAD_MAX (HTTP_STATIC_LOCATION_MAX + 1024)

/* One stretch of a response body: bytes [off, off + len) of `mem`, or of the reply's file (read
 * from its descriptor) when mem is NULL. */
struct http_piece {
    const char *mem;
    uint64_t off, len;
};
#define HTTP_MAX_PIECES (2 * HTTP_MAX_RANGES + 1)

struct http_reply {
    int status;
    int close;                      /* Connection: close sent; close after this response */
    int head_only;                  /* HEAD, 304: no body is sent (HEAD still announces its length) */
    char head[HTTP_REPLY_HEAD_MAX];
    size_t head_len;
    char body[256];                 /* a short page (error statuses, redirects), sent with the head */
    size_t body_len;
    struct http_file *file;         /* the file served (a reference: the owner puts it), or NULL */
    uint64_t file_len;              /* the body after the head: the sum of the pieces */
    char *text;                     /* owned (free): a dynamic page's body, multipart part heads */
    struct http_piece piece[HTTP_MAX_PIECES];
    unsigned npieces;
};

/* Puts the reply's file and frees its text (what a reply owns that was not handed on). */
void http_reply_release(struct http_reply *r);

/* RFC 9112 9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive". */
int http_wants_persist(int version_minor, int conn_close, int conn_keep_alive);

/* Plans the reply to a parsed request. */
void http_reply_request(const struct http_reply_ctx *x, const struct http_request *req, struct http_reply *out);
/* Plans an error reply with status (400, 408, 413, 414, 431, 501, 503, 505 ...): always closes.
 * version_minor is that of the request if known (else 1). */
void http_reply_error(const struct http_reply_ctx *x, int status, int version_minor, struct http_reply *out);

const char *http_reason(int status);

#endif
