/* An HTTP/1.1 client on synack's socket API, with a keep-alive connection pool.
 *
 * A fetch resolves the URL's host (through a resolver the caller plugs in, e.g. apps/dns; IPv4
 * and bracketed IPv6 literals need none), takes an idle pooled connection to the same address and
 * port or opens a new one, sends the request and delivers the response body as it arrives, whether framed by
 * Content-Length, chunked, or by the server's close. Redirects (301, 302, 303, 307, 308) are
 * followed up to max_redirects when asked.
 *
 * The pool: after a complete response on a connection both sides may keep (HTTP/1.1 without
 * "close", or 1.0 with "keep-alive", and a self-delimited body), the connection waits idle for the
 * next fetch to that host:port. It is closed after pool_idle, or earlier: ka_margin before the
 * timeout the server advertised in Keep-Alive: timeout=N, so we never send into a connection the
 * server is closing. An idle connection is not read while idle: if the server closed it anyway
 * (without advertising a timeout, or it restarted), the next request on it fails before any
 * response byte arrives (EOF or reset) and is retried on a fresh connection, up to max_retries
 * times, for idempotent methods only (GET, HEAD: RFC 9110 9.2.2).
 *
 * Time: the client reads no clock. It works on the `now` its caller passes to fetch and the stack
 * passes to its socket handlers and timers, so a simulated run is exact. */
#ifndef APPS_HTTP_CLIENT_H
#define APPS_HTTP_CLIENT_H

#include <stdint.h>

#include "synack/synack.h"

/* Resolver plug-in: calls done(arg, 0, &addr, now) or done(arg, -errno, NULL, now) once, never
 * from inside the call itself; `now` is the time the stack gave the resolver's callback. */
typedef void (*http_resolve_done_fn)(void *arg, int err, const struct synack_ip *addr, synack_time_t now);
typedef int (*http_resolve_fn)(void *ctx, const char *host, http_resolve_done_fn done, void *arg, synack_time_t now);

struct http_client_config {
    synack_stack_t *st;
    http_resolve_fn resolve;             /* NULL: IP literals only */
    void *resolve_ctx;
    synack_time_t connect_timeout;       /* [10 s] */
    synack_time_t io_timeout;            /* no progress while waiting for the response [30 s] */
    synack_time_t pool_idle;             /* longest an idle connection is kept [30 s] */
    synack_time_t ka_margin;             /* closed this long before the server's keep-alive timeout [1 s] */
    int max_redirects;                   /* [10] */
    int max_retries;                     /* [3] */
    const char *user_agent;              /* ["synack-get"] */
};
void http_client_config_init(struct http_client_config *c, synack_stack_t *st);

/* Times of one fetch, relative to its start (microseconds; 0 if the phase did not happen). For a
 * redirected fetch they describe the last request; total covers all of them. */
struct http_timing {
    synack_time_t resolve, connect, first_byte, total;
};

/* Where a failed fetch failed, so a caller can tell a name that does not resolve from a server
 * that refuses (both can be -ECONNREFUSED or -ETIMEDOUT). */
enum http_fail_phase {
    HTTP_FAIL_NONE = 0,
    HTTP_FAIL_RESOLVE,       /* err is the resolver's (apps/dns: DNS_E_NXDOMAIN, ...) */
    HTTP_FAIL_CONNECT,       /* the TCP connection could not be opened (refused, timed out, ...) */
    HTTP_FAIL_TRANSFER,      /* the request or response failed on an open connection */
};

struct http_fetch_result {
    int err;                 /* 0, or a negative errno: -ETIMEDOUT, -ECONNREFUSED, -EBADMSG (bad response) ... */
    enum http_fail_phase failed_in;
    int connects;            /* new connections established for this fetch (redirects, retries included) */
    uint64_t head_bytes;     /* bytes of the response heads received (all of them, redirects included) */
    struct synack_sockaddr remote;   /* the server of the last request (port 0 if none was tried) */
    int reached;             /* a connection to `remote` was established (or reused) */
    int status;              /* the final response's status (0 if none) */
    uint64_t body_bytes;
    int64_t content_length;  /* -1 if the final response did not say */
    int reused;              /* the final request went on a pooled connection */
    int retries;             /* requests retried on a fresh connection */
    int redirects;
    char final_url[512];
    struct http_timing t;
};

/* Each gets the stack's time of the event (the callbacks run inside synack socket handlers and
 * timers, which must not read a clock). */
struct http_fetch_callbacks {
    /* The final response's head (after redirects): status and Content-Length (-1 if unknown). */
    void (*on_head)(void *arg, int status, int64_t content_length, synack_time_t now);
    void (*on_body)(void *arg, const char *data, size_t len, synack_time_t now);
    /* Exactly once, at the end. The fetch is gone after it returns. */
    void (*on_done)(void *arg, const struct http_fetch_result *r, synack_time_t now);
    /* Optional: every response head as received (status line and fields, through the empty line),
     * redirects' heads included, before on_head; for `curl -I`-style output. */
    void (*on_head_raw)(void *arg, const char *head, size_t len, synack_time_t now);
};

struct http_client_stats {
    uint64_t conns_opened, conns_reused, conns_closed_idle, conns_closed_ka_timeout, retries, requests;
};

struct http_client;
struct http_client *http_client_new(const struct http_client_config *cfg);
/* Closes pooled connections; pending fetches end without their callbacks. A fetch waiting for the
 * resolver is freed too: free the resolver first (its pending callbacks are then never called). */
void http_client_free(struct http_client *c, synack_time_t now);
/* Starts a fetch of url ("http://host[:port]/path"; method "GET" or "HEAD"; follow redirects if
 * follow). Returns 0 (callbacks follow, never from inside this call) or a negative errno for a
 * bad URL. */
int http_client_fetch(struct http_client *c, const char *url, const char *method, int follow,
                      const struct http_fetch_callbacks *cb, void *arg, synack_time_t now);
void http_client_get_stats(const struct http_client *c, struct http_client_stats *out);
/* Number of idle connections in the pool. */
int http_client_idle_conns(const struct http_client *c);

#endif
