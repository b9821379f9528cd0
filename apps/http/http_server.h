/* An HTTP/1.x static file server on synack's socket API (RFC 9110, RFC 9112).
 *
 * GET and HEAD of files under one root, with Content-Type by extension, index.html for
 * directories (and /dir -> /dir/ redirects). Validators (RFC 9110 8.8, 13): Last-Modified and a
 * strong ETag, with If-Match, If-Unmodified-Since (412), If-None-Match, If-Modified-Since (304) and
 * If-Range in 13.2.2's order; byte ranges (RFC 9110 14: 206 for one range, multipart/byteranges for
 * several, 416 with Content-Range when none is satisfiable); OPTIONS (also "*") answers with
 * Allow. Connections persist as RFC 9112 9.3 says (1.1 unless "close"; 1.0 only with
 * "keep-alive"); an idle persistent connection is closed after keepalive_timeout and the
 * keepalive_max-th response closes it, both advertised in Keep-Alive. Pipelined requests are
 * answered in order, one at a time: the next is not read from the socket until the current
 * response has been handed to TCP, so a client that does not read slows itself down, not the
 * server's memory.
 *
 * The hot path: files come from a cache (http_cache.h) that resolves a path once and checks it at
 * most once per cache_check, small files from memory with no system call, large ones streamed from
 * their descriptor conn_buffer bytes at a time as TCP takes them; a response's head and body go to
 * TCP with MSG_MORE between them, so a small response leaves as one segment; the access log is
 * written in batches. An idle connection holds no buffer (see http_conn.c).
 *
 * Limits, each answered with its status and then a close: request line (414), header section (431),
 * request body (413, for a chunked one once its size passes the limit), malformed (400, a bad
 * or repeated Host included), version (505), method (405 with Allow; 501 if unknown), a
 * deadline for the complete header section (408, against slowloris), and a cap on concurrent
 * connections (503 with Retry-After, then close). Every limit hit is counted.
 *
 * Time: the server reads no clock. It works on the `now` the stack hands to its socket handlers and
 * timers; dates (Date, Last-Modified, the access log) are that `now` plus wall_offset, which the
 * caller reads from the wall clock once, at start (so a simulated run is exact, dates included). */
#ifndef APPS_HTTP_SERVER_H
#define APPS_HTTP_SERVER_H

#include <stdint.h>
#include <stdio.h>

#include "synack/synack.h"

struct http_server_config {
    const char *root;                   /* document root (required) */
    uint16_t port;                      /* [80] */
    unsigned max_conns;                 /* concurrent connections [256] */
    synack_time_t keepalive_timeout;    /* idle persistent connection [5 s] */
    unsigned keepalive_max;             /* responses per connection [100] */
    synack_time_t header_timeout;       /* complete header section after its first byte [10 s] */
    synack_time_t send_timeout;         /* a response making no progress [30 s] */
    synack_time_t linger_timeout;       /* reading after our FIN before closing [2 s] */
    size_t max_request_line;            /* [8192] */
    size_t max_header;                  /* [16384] */
    uint64_t max_body;                  /* request bodies are read and discarded [1 MiB] */
    size_t conn_buffer;                 /* a file read ahead per connection: what a slow reader
                                         * can make the server hold beyond TCP's buffer [16384] */
    /* The file cache (http_cache.h): entries, bytes of small files kept in memory, the size up to
     * which a file is kept in memory, descriptors of large files kept open, how often an entry is
     * checked against the file system. Zero: the default [1024, 16 MiB, 64 KiB, 64, 1 s]. */
    unsigned cache_entries;
    uint64_t cache_bytes, cache_small;
    unsigned cache_fds;
    synack_time_t cache_check;
    FILE *access_log;                   /* common log format, one line per response, written in
                                         * batches (at most a second late); NULL: none */
    int64_t wall_offset;                /* microseconds: Unix time minus the stack's time [0] */
    /* Dynamic pages (e.g. /status): asked first for every GET/HEAD with the decoded path (no
     * query). Return 1 with a malloc'd *body (the server frees it), its length and content type
     * to answer 200 with it (Cache-Control: no-store); 0 to fall through to the files. */
    int (*dynamic)(void *ctx, const char *path, char **body, size_t *len, const char **ctype, synack_time_t now);
    void *dynamic_ctx;
    const char *dynamic_prefix;         /* only decoded paths that start with it are asked (e.g.
                                         * "/status"), so a file's request decodes nothing more;
                                         * NULL: every path */
};

void http_server_config_init(struct http_server_config *c);

/* Counters, for tests and a status page. */
#define HTTP_SERVER_COUNTERS(X) \
    X(conns_accepted, "connections accepted") \
    X(conns_refused, "connections refused with 503: too many open") \
    X(conns_dropped, "connections closed at once: far too many open") \
    X(requests, "requests parsed") \
    X(keepalive_reuses, "requests on a connection after its first") \
    X(pipelined, "requests already buffered when the previous response ended") \
    X(responses_1xx, "responses 1xx") \
    X(responses_2xx, "responses 2xx") \
    X(responses_3xx, "responses 3xx") \
    X(responses_4xx, "responses 4xx") \
    X(responses_5xx, "responses 5xx") \
    X(bytes_sent, "response bytes handed to TCP") \
    X(limit_request_line, "414: request line too long") \
    X(limit_header, "431: header section too large") \
    X(limit_body, "413: request body too large") \
    X(limit_malformed, "400: malformed request") \
    X(limit_version, "505: HTTP version not supported") \
    X(limit_method, "405/501: method not allowed") \
    X(limit_header_timeout, "408: header section not complete in time") \
    X(idle_timeouts, "idle persistent connections closed") \
    X(max_requests_closes, "connections closed after keepalive_max responses") \
    X(send_timeouts, "connections aborted: response made no progress") \
    X(resets, "connections ended by a reset or error from the peer") \
    X(cache_hits, "files served from the cache without a look at the file system") \
    X(cache_misses, "files resolved and opened (not in the cache)") \
    X(cache_revalidations, "cache entries checked against the file system (at most once per cache_check)") \
    X(cache_changed, "cache entries found changed (or gone) and dropped") \
    X(cache_evictions, "cache entries dropped to make room")

struct http_server_stats {
#define HTTP_X_FIELD(name, desc) uint64_t name;
    HTTP_SERVER_COUNTERS(HTTP_X_FIELD)
#undef HTTP_X_FIELD
    uint64_t conns_open;   /* now */
};

struct http_server;
/* Starts listening. On failure returns NULL and writes a one-line reason into err. */
struct http_server *http_server_start(synack_stack_t *st, const struct http_server_config *cfg, synack_time_t now,
                                      char *err, size_t errcap);
/* Closes every connection (with a reset) and the listener. */
void http_server_stop(struct http_server *s, synack_time_t now);
void http_server_get_stats(const struct http_server *s, struct http_server_stats *out);
/* "name value" lines, one per counter. */
void http_server_write_stats(const struct http_server *s, FILE *f);

/* The access log a command-line argument names: "off" none (*out NULL, as nginx's `access_log
 * off`: no line is formatted at all), NULL or "-" standard error, else the file, appended to.
 * Returns 0, or a negative errno from opening the file. */
int http_access_log_open(const char *arg, FILE **out);
/* Closes what http_access_log_open opened (not standard error). */
void http_access_log_close(FILE *f);

#endif
