/* The HTTP/1.1 client and its keep-alive pool (see http_client.h).
 *
 * A fetch moves through START (resolve the host) -> CONNECT (a pooled connection, or a new one) ->
 * WAIT (request sent, response being read) and back to START for a redirect. One synack timer per
 * fetch carries its next deadline (the start itself, so no callback runs inside
 * http_client_fetch; the connect timeout; the I/O timeout); one per pooled connection its idle
 * deadline. */
#include "http_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "http_url.h"

#define HC_IN_CAP 65536
#define HC_MAX_HEAD 65536

enum { F_START, F_RESOLVING, F_CONNECT, F_WAIT };
enum { BODY_NONE, BODY_LENGTH, BODY_CHUNKED, BODY_CLOSE };

struct hc_conn {
    struct http_client *cl;
    struct hc_conn *prev, *next;
    int sock;
    struct synack_ip addr;
    uint16_t port;
    int connected, idle, nresp;
    int ka_limited;             /* the idle deadline comes from the server's Keep-Alive timeout */
    struct hc_fetch *f;
    synack_timer_t *timer;
};

struct hc_fetch {
    struct http_client *cl;
    struct hc_fetch *prev, *next;
    struct http_url url;
    char method[8];
    int follow;
    struct http_fetch_callbacks cb;
    void *arg;
    struct http_fetch_result res;
    int phase;
    synack_time_t start, req_start, last_progress;
    synack_timer_t *timer;
    struct synack_ip addr;
    struct hc_conn *conn;
    char req[HTTP_URL_TARGET_MAX + 512];
    size_t req_len, req_off;
    char in[HC_IN_CAP];
    size_t in_len;
    int got_byte, head_done, body_mode, reusable, redirecting;
    long conn_ka_timeout;       /* the response's Keep-Alive: timeout=, -1 if none */
    uint64_t body_left;
    struct http_chunked ch;
    struct http_url next_url;
};

struct http_client {
    struct http_client_config cfg;
    struct hc_conn *conns;
    struct hc_fetch *fetches;
    struct http_client_stats stats;
};

static void fetch_step(struct hc_fetch *f, synack_time_t now);
static void fetch_io(struct hc_fetch *f, synack_time_t now);
static void fetch_done(struct hc_fetch *f, int err, synack_time_t now);

void http_client_config_init(struct http_client_config *c, synack_stack_t *st)
{
    memset(c, 0, sizeof(*c));
    c->st = st;
    c->connect_timeout = SYNACK_SEC(10);
    c->io_timeout = SYNACK_SEC(30);
    c->pool_idle = SYNACK_SEC(30);
    c->ka_margin = SYNACK_SEC(1);
    c->max_redirects = 10;
    c->max_retries = 3;
    c->user_agent = "synack-get";
}

/* ---------------- connections ---------------- */

static void conn_close(struct hc_conn *k, int abort_conn, synack_time_t now)
{
    struct http_client *c = k->cl;
    if (k->prev)
        k->prev->next = k->next;
    else
        c->conns = k->next;
    if (k->next)
        k->next->prev = k->prev;
    if (k->f)
        k->f->conn = NULL;
    if (abort_conn)
        synack_setsockopt(c->cfg.st, k->sock, SYNACK_SO_LINGER, 0, now);
    synack_close(c->cfg.st, k->sock, now);
    synack_timer_free(k->timer);
    free(k);
}

static void conn_idle_expired(synack_stack_t *st, void *arg, synack_time_t now)
{
    struct hc_conn *k = arg;
    if (k->ka_limited)
        k->cl->stats.conns_closed_ka_timeout++;
    else
        k->cl->stats.conns_closed_idle++;
    conn_close(k, 0, now);
}

static void conn_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct hc_conn *k = arg;
    struct hc_fetch *f = k->f;
    /* Idle connections are not read: a close by the server is found by the next request. */
    if (k->idle || !f)
        return;
    if (!k->connected) {
        int err = synack_socket_error(st, sock);
        if (err) {
            conn_close(k, 1, now);
            f->conn = NULL;
            f->res.failed_in = HTTP_FAIL_CONNECT;
            fetch_done(f, err, now);
            return;
        }
        if (!(ev & SYNACK_EV_OUT))
            return;
        k->connected = 1;
        f->res.t.connect = now - f->req_start;
        f->res.connects++;
        f->res.reached = 1;
    }
    fetch_io(f, now);
}

/* Returns an idle pooled connection to addr:port (taken out of the pool), or NULL. */
static struct hc_conn *pool_take(struct http_client *c, const struct synack_ip *addr, uint16_t port)
{
    for (struct hc_conn *k = c->conns; k; k = k->next)
        if (k->idle && synack_ip_equal(&k->addr, addr) && k->port == port) {
            k->idle = 0;
            synack_timer_cancel(k->timer);
            return k;
        }
    return NULL;
}

/* A response is complete: keep the connection for the next fetch or close it. */
static void conn_release(struct hc_conn *k, int reusable, long ka_timeout, synack_time_t now)
{
    struct http_client *c = k->cl;
    k->f = NULL;
    k->nresp++;
    if (!reusable) {
        conn_close(k, 0, now);
        return;
    }
    synack_time_t idle = c->cfg.pool_idle;
    k->ka_limited = 0;
    if (ka_timeout >= 0) {
        /* Close before the server does: a margin below its advertised timeout (half of it when
         * the timeout is shorter than twice the margin). */
        synack_time_t t = SYNACK_SEC(ka_timeout);
        synack_time_t lim = t > 2 * c->cfg.ka_margin ? t - c->cfg.ka_margin : t / 2;
        if (lim < idle) {
            idle = lim;
            k->ka_limited = 1;
        }
    }
    k->idle = 1;
    synack_timer_arm(k->timer, now + idle);
}

static struct hc_conn *conn_open(struct http_client *c, const struct synack_ip *addr, uint16_t port, int *err,
                                 synack_time_t now)
{
    struct hc_conn *k = calloc(1, sizeof(*k));
    if (!k) {
        *err = -ENOMEM;
        return NULL;
    }
    k->cl = c;
    k->addr = *addr;
    k->port = port;
    k->sock = synack_socket(c->cfg.st, SYNACK_SOCK_STREAM);
    k->timer = synack_timer_new(c->cfg.st, conn_idle_expired, k);
    if (k->sock < 0 || !k->timer) {
        *err = k->sock < 0 ? k->sock : -ENOMEM;
        if (k->sock >= 0)
            synack_close(c->cfg.st, k->sock, now);
        synack_timer_free(k->timer);
        free(k);
        return NULL;
    }
    synack_setsockopt(c->cfg.st, k->sock, SYNACK_TCP_NODELAY, 1, now);
    synack_socket_set_handler(c->cfg.st, k->sock, conn_handler, k);
    struct synack_sockaddr peer = { *addr, port };
    int r = synack_connect(c->cfg.st, k->sock, &peer, now);
    if (r != -EINPROGRESS && r != 0) {
        *err = r;
        synack_close(c->cfg.st, k->sock, now);
        synack_timer_free(k->timer);
        free(k);
        return NULL;
    }
    k->next = c->conns;
    if (c->conns)
        c->conns->prev = k;
    c->conns = k;
    c->stats.conns_opened++;
    return k;
}

/* ---------------- fetches ---------------- */

static void fetch_free(struct hc_fetch *f)
{
    struct http_client *c = f->cl;
    if (f->prev)
        f->prev->next = f->next;
    else
        c->fetches = f->next;
    if (f->next)
        f->next->prev = f->prev;
    synack_timer_free(f->timer);
    free(f);
}

static void fetch_done(struct hc_fetch *f, int err, synack_time_t now)
{
    if (f->conn)
        conn_close(f->conn, 1, now);   /* mid-response: the connection's state is unknown */
    f->res.err = err;
    if (!err)
        f->res.failed_in = HTTP_FAIL_NONE;
    else if (!f->res.failed_in)
        f->res.failed_in = HTTP_FAIL_TRANSFER;
    f->res.t.total = now - f->start;
    http_url_format(&f->url, f->res.final_url, sizeof(f->res.final_url));
    if (f->cb.on_done)
        f->cb.on_done(f->arg, &f->res, now);
    fetch_free(f);
}

static void fetch_reset_response(struct hc_fetch *f)
{
    f->in_len = 0;
    f->got_byte = f->head_done = f->redirecting = f->reusable = 0;
    f->body_mode = BODY_NONE;
    f->body_left = 0;
    f->res.status = 0;
    f->res.body_bytes = 0;
    f->res.content_length = -1;
    f->res.t.first_byte = 0;
}

static int idempotent(const char *m) { return !strcmp(m, "GET") || !strcmp(m, "HEAD"); }

/* The request failed on its connection with err. A reused connection that failed before any
 * response byte was most likely closed by the server while idle: try again on a fresh one. */
static void fetch_failed(struct hc_fetch *f, int err, synack_time_t now)
{
    struct hc_conn *k = f->conn;
    int reused = k && k->nresp > 0;
    int got = f->got_byte;
    if (k)
        conn_close(k, 1, now);
    if (reused && !got && idempotent(f->method) && f->res.retries < f->cl->cfg.max_retries) {
        f->res.retries++;
        f->cl->stats.retries++;
        fetch_reset_response(f);
        f->phase = F_CONNECT;
        fetch_step(f, now);
        return;
    }
    fetch_done(f, err, now);
}

static void build_request(struct hc_fetch *f)
{
    char host[HTTP_URL_HOST_MAX + 8];
    if (f->url.port != 80)
        snprintf(host, sizeof(host), "%s:%u", f->url.host, f->url.port);
    else
        snprintf(host, sizeof(host), "%s", f->url.host);
    int n = snprintf(f->req, sizeof(f->req), "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n\r\n",
                     f->method, f->url.target, host, f->cl->cfg.user_agent ? f->cl->cfg.user_agent : "synack-get");
    f->req_len = n > 0 && (size_t)n < sizeof(f->req) ? (size_t)n : 0;
    f->req_off = 0;
}

static void on_resolved(void *arg, int err, const struct synack_ip *addr, synack_time_t now)
{
    struct hc_fetch *f = arg;
    if (err) {
        f->res.failed_in = HTTP_FAIL_RESOLVE;
        fetch_done(f, err, now);
        return;
    }
    f->addr = *addr;
    f->res.t.resolve = now - f->req_start;
    f->phase = F_CONNECT;
    fetch_step(f, now);
}

/* START and CONNECT: what to do next, from the phase. */
static void fetch_step(struct hc_fetch *f, synack_time_t now)
{
    struct http_client *c = f->cl;
    if (f->phase == F_START) {
        f->req_start = now;
        f->res.t.resolve = f->res.t.connect = 0;
        if (http_url_host_addr(&f->url, &f->addr) == 0) {
            f->phase = F_CONNECT;
        } else if (!c->cfg.resolve) {
            f->res.failed_in = HTTP_FAIL_RESOLVE;
            fetch_done(f, -EHOSTUNREACH, now);
            return;
        } else {
            f->phase = F_RESOLVING;
            int r = c->cfg.resolve(c->cfg.resolve_ctx, f->url.host, on_resolved, f, now);
            if (r < 0) {
                f->res.failed_in = HTTP_FAIL_RESOLVE;
                fetch_done(f, r, now);
            }
            return;
        }
    }
    if (f->phase != F_CONNECT)
        return;
    c->stats.requests++;
    build_request(f);
    f->res.remote.addr = f->addr;
    f->res.remote.port = f->url.port;
    f->res.reached = 0;
    struct hc_conn *k = pool_take(c, &f->addr, f->url.port);
    if (k) {
        c->stats.conns_reused++;
        f->res.reused = 1;
        f->res.reached = 1;
        f->res.t.connect = now - f->req_start;
        k->f = f;
        f->conn = k;
        f->phase = F_WAIT;
        f->last_progress = now;
        fetch_io(f, now);
        return;
    }
    f->res.reused = 0;
    int err = 0;
    k = conn_open(c, &f->addr, f->url.port, &err, now);
    if (!k) {
        f->res.failed_in = HTTP_FAIL_CONNECT;
        fetch_done(f, err, now);
        return;
    }
    k->f = f;
    f->conn = k;
    f->phase = F_WAIT;
    f->last_progress = now;
    synack_timer_arm(f->timer, now + c->cfg.connect_timeout);
}

static void deliver(struct hc_fetch *f, const char *p, size_t n, synack_time_t now)
{
    if (!n)
        return;
    f->res.body_bytes += n;
    if (!f->redirecting && f->cb.on_body)
        f->cb.on_body(f->arg, p, n, now);
}

/* Parses the head if needed, then passes body bytes on. Returns 1 when the response is complete,
 * 0 for more input, or a negative errno. */
static int process_input(struct hc_fetch *f, synack_time_t now)
{
    while (!f->head_done) {
        struct http_response resp;
        ssize_t r = http_parse_response(f->in, f->in_len, HC_MAX_HEAD, &resp);
        if (r == 0)
            return f->in_len >= sizeof(f->in) ? -EMSGSIZE : 0;
        if (r < 0)
            return -EBADMSG;
        if (resp.status < 200) {
            /* interim (100 Continue, 103): the final response follows (RFC 9110 15.2) */
            memmove(f->in, f->in + r, f->in_len - (size_t)r);
            f->in_len -= (size_t)r;
            continue;
        }
        f->head_done = 1;
        f->res.status = resp.status;
        f->res.head_bytes += (uint64_t)r;
        if (f->cb.on_head_raw)
            f->cb.on_head_raw(f->arg, f->in, (size_t)r, now);
        int no_body = !strcmp(f->method, "HEAD") || resp.status == 204 || resp.status == 304;
        f->body_mode = no_body ? BODY_NONE : resp.h.chunked ? BODY_CHUNKED : resp.h.content_length >= 0 ? BODY_LENGTH : BODY_CLOSE;
        f->body_left = resp.h.content_length > 0 ? (uint64_t)resp.h.content_length : 0;
        if (f->body_mode == BODY_CHUNKED)
            http_chunked_init(&f->ch);
        f->res.content_length = no_body ? -1 : resp.h.content_length;
        /* RFC 9112 9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive". */
        f->reusable = !resp.h.conn_close && (resp.h.version_minor >= 1 || resp.h.conn_keep_alive) &&
                      f->body_mode != BODY_CLOSE;
        f->conn_ka_timeout = resp.keep_alive_timeout;
        int redirect = resp.status == 301 || resp.status == 302 || resp.status == 303 || resp.status == 307 ||
                       resp.status == 308;
        if (f->follow && redirect && resp.location.n) {
            if (f->res.redirects >= f->cl->cfg.max_redirects)
                return -ELOOP;
            int e = http_url_resolve(&f->url, resp.location.p, resp.location.n, &f->next_url);
            if (e < 0)
                return e;
            f->redirecting = 1;
        } else if (f->cb.on_head) {
            f->cb.on_head(f->arg, resp.status, f->res.content_length, now);
        }
        /* resp's slices point into f->in: consume the head only now */
        memmove(f->in, f->in + r, f->in_len - (size_t)r);
        f->in_len -= (size_t)r;
    }
    switch (f->body_mode) {
    case BODY_NONE:
        return 1;
    case BODY_LENGTH: {
        size_t n = f->in_len < f->body_left ? f->in_len : (size_t)f->body_left;
        deliver(f, f->in, n, now);
        memmove(f->in, f->in + n, f->in_len - n);
        f->in_len -= n;
        f->body_left -= n;
        return f->body_left == 0;
    }
    case BODY_CHUNKED: {
        size_t out;
        ssize_t used = http_chunked_decode(&f->ch, f->in, f->in_len, &out);
        if (used < 0)
            return -EBADMSG;
        deliver(f, f->in, out, now);
        memmove(f->in, f->in + used, f->in_len - (size_t)used);
        f->in_len -= (size_t)used;
        return f->ch.done;
    }
    default:
        deliver(f, f->in, f->in_len, now);
        f->in_len = 0;
        return 0;   /* complete at the server's close */
    }
}

static void response_complete(struct hc_fetch *f, synack_time_t now)
{
    struct hc_conn *k = f->conn;
    f->conn = NULL;
    if (k)
        conn_release(k, f->reusable && f->in_len == 0, f->conn_ka_timeout, now);
    synack_timer_cancel(f->timer);
    if (f->redirecting) {
        f->url = f->next_url;
        f->res.redirects++;
        if (!strcmp(f->method, "POST"))
            strcpy(f->method, "GET");
        fetch_reset_response(f);
        f->phase = F_START;
        fetch_step(f, now);
        return;
    }
    fetch_done(f, 0, now);
}

/* WAIT: sends what is left of the request, reads what the server sent. */
static void fetch_io(struct hc_fetch *f, synack_time_t now)
{
    struct http_client *c = f->cl;
    struct hc_conn *k = f->conn;
    while (f->req_off < f->req_len) {
        int n = synack_send(c->cfg.st, k->sock, f->req + f->req_off, f->req_len - f->req_off, now);
        if (n == -EAGAIN)
            break;
        if (n < 0) {
            fetch_failed(f, n, now);
            return;
        }
        f->req_off += (size_t)n;
        f->last_progress = now;
    }
    for (;;) {
        if (f->in_len == sizeof(f->in)) {
            fetch_failed(f, -EMSGSIZE, now);
            return;
        }
        int n = synack_recv(c->cfg.st, k->sock, f->in + f->in_len, sizeof(f->in) - f->in_len, now);
        if (n > 0) {
            if (!f->got_byte) {
                f->got_byte = 1;
                f->res.t.first_byte = now - f->req_start;
            }
            f->in_len += (size_t)n;
            f->last_progress = now;
            int r = process_input(f, now);
            if (r < 0) {
                fetch_failed(f, r, now);
                return;
            }
            if (r == 1) {
                response_complete(f, now);
                return;
            }
            continue;
        }
        if (n == -EAGAIN)
            break;
        if (n == 0 && f->head_done && f->body_mode == BODY_CLOSE) {
            f->reusable = 0;
            response_complete(f, now);
            return;
        }
        /* EOF or reset before the response was complete. */
        fetch_failed(f, n == 0 ? (f->got_byte ? -ECONNABORTED : -ECONNRESET) : n, now);
        return;
    }
    synack_timer_arm(f->timer, f->last_progress + c->cfg.io_timeout);
}

static void fetch_timer(synack_stack_t *st, void *arg, synack_time_t now)
{
    struct hc_fetch *f = arg;
    if (f->phase == F_START) {
        fetch_step(f, now);
        return;
    }
    if (f->phase == F_WAIT) {
        f->res.failed_in = f->conn && !f->conn->connected ? HTTP_FAIL_CONNECT : HTTP_FAIL_TRANSFER;
        fetch_done(f, -ETIMEDOUT, now);
    }
}

struct http_client *http_client_new(const struct http_client_config *cfg)
{
    struct http_client *c = calloc(1, sizeof(*c));
    if (c)
        c->cfg = *cfg;
    return c;
}

void http_client_free(struct http_client *c, synack_time_t now)
{
    if (!c)
        return;
    while (c->fetches) {
        struct hc_fetch *f = c->fetches;
        if (f->conn)
            conn_close(f->conn, 1, now);
        fetch_free(f);
    }
    while (c->conns)
        conn_close(c->conns, 0, now);
    free(c);
}

int http_client_fetch(struct http_client *c, const char *url, const char *method, int follow,
                      const struct http_fetch_callbacks *cb, void *arg, synack_time_t now)
{
    if (!method)
        method = "GET";
    if (strlen(method) >= sizeof(((struct hc_fetch *)0)->method))
        return -EINVAL;
    struct hc_fetch *f = calloc(1, sizeof(*f));
    if (!f)
        return -ENOMEM;
    int r = http_url_parse(url, &f->url);
    if (r < 0) {
        free(f);
        return r;
    }
    f->timer = synack_timer_new(c->cfg.st, fetch_timer, f);
    if (!f->timer) {
        free(f);
        return -ENOMEM;
    }
    f->cl = c;
    snprintf(f->method, sizeof(f->method), "%s", method);
    f->follow = follow;
    if (cb)
        f->cb = *cb;
    f->arg = arg;
    f->start = now;
    fetch_reset_response(f);
    f->phase = F_START;
    f->next = c->fetches;
    if (c->fetches)
        c->fetches->prev = f;
    c->fetches = f;
    synack_timer_arm(f->timer, f->start);   /* the work starts after this call returns */
    return 0;
}

void http_client_get_stats(const struct http_client *c, struct http_client_stats *out) { *out = c->stats; }

int http_client_idle_conns(const struct http_client *c)
{
    int n = 0;
    for (const struct hc_conn *k = c->conns; k; k = k->next)
        n += k->idle;
    return n;
}
