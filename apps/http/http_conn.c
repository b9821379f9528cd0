/* One server connection's state machine (see http_server.h for the behaviour).
 *
 *   READ  --head complete-->  WRITE  --response sent, persistent-->  READ
 *     |                         |
 *     +--limit/error reply------+--response sent, closing-->  LINGER (FIN sent, drain) --> freed
 *
 * One timer per connection, re-armed after every step for the deadline of the current state:
 * READ waits for a head (header_timeout from its first byte) or for the next request on an idle
 * persistent connection (keepalive_timeout); WRITE for progress (send_timeout); LINGER for the
 * peer's FIN (linger_timeout). */
#include "http_server_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void conn_run(struct http_conn *c, synack_time_t now);

static void conn_free(struct http_conn *c, int abort_conn, synack_time_t now)
{
    struct http_server *s = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->refused)
        s->nrefused--;
    else
        s->nconns--;
    if (abort_conn)
        synack_setsockopt(s->st, c->sock, SYNACK_SO_LINGER, 0, now);
    synack_close(s->st, c->sock, now);
    synack_timer_free(c->timer);
    if (c->fd >= 0)
        close(c->fd);
    free(c->in);
    free(c);
}

void http_conn_abort(struct http_conn *c, synack_time_t now) { conn_free(c, 1, now); }

/* Copies a request line into the log, escaping what a terminal or a log parser could trip on. */
static void set_logline(struct http_conn *c, const char *p, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < sizeof(c->logline); i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch == '\r' || ch == '\n')
            break;
        if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
            o += (size_t)snprintf(c->logline + o, sizeof(c->logline) - o, "\\x%02x", ch);
        else
            c->logline[o++] = (char)ch;
    }
    c->logline[o] = 0;
}

/* Common Log Format: host ident authuser [date] "request" status bytes. */
static void access_log(struct http_conn *c, synack_time_t now)
{
    FILE *f = c->srv->cfg.access_log;
    if (!f)
        return;
    char host[SYNACK_IP_STRLEN], when[40];
    time_t t = (time_t)(((int64_t)now + c->srv->cfg.wall_offset) / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S +0000", &tm);
    if (c->body_bytes)
        fprintf(f, "%s - - [%s] \"%s\" %d %llu\n", (synack_ip_format(&c->peer.addr, host, sizeof(host)), host), when,
                c->logline[0] ? c->logline : "-", c->status, (unsigned long long)c->body_bytes);
    else
        fprintf(f, "%s - - [%s] \"%s\" %d -\n", (synack_ip_format(&c->peer.addr, host, sizeof(host)), host), when,
                c->logline[0] ? c->logline : "-", c->status);
    fflush(f);
}

static void reply_ctx(struct http_conn *c, struct http_reply_ctx *x, synack_time_t now)
{
    struct http_server *s = c->srv;
    x->root = &s->root;
    x->wall_now = ((int64_t)now + s->cfg.wall_offset) / 1000000;
    x->now = now;
    x->keepalive_timeout_s = (unsigned)(s->cfg.keepalive_timeout / 1000000u);
    x->keepalive_max = s->cfg.keepalive_max;
    x->nth = c->nresp + 1;
    x->dynamic = s->cfg.dynamic;
    x->dynamic_ctx = s->cfg.dynamic_ctx;
}

static void start_reply(struct http_conn *c, struct http_reply *r, synack_time_t now)
{
    memcpy(c->out, r->head, r->head_len);
    c->out_off = 0;
    c->out_len = r->head_len;
    c->status = r->status;
    c->close_after = r->close;
    c->body_bytes = 0;
    if (!r->head_only && r->fd < 0 && r->body_len) {
        memcpy(c->out + c->out_len, r->body, r->body_len);
        c->out_len += r->body_len;
        c->body_bytes = r->body_len;
    }
    if (r->head_only && r->fd >= 0)
        close(r->fd);
    else if (r->fd >= 0) {
        c->fd = r->fd;
        c->file_off = 0;
        c->file_left = r->file_len;
        c->body_bytes = r->file_len;
    }
    c->state = HC_WRITE;
    c->last_progress = now;
}

static void error_reply(struct http_conn *c, int status, int version_minor, synack_time_t now)
{
    struct http_server_stats *st = &c->srv->stats;
    switch (status) {
    case 400: case 501: st->limit_malformed++; break;
    case 408: st->limit_header_timeout++; break;
    case 413: st->limit_body++; break;
    case 414: st->limit_request_line++; break;
    case 431: st->limit_header++; break;
    case 505: st->limit_version++; break;
    default: break;
    }
    if (!c->logline[0])
        set_logline(c, c->in, c->in_len);
    struct http_reply_ctx x;
    reply_ctx(c, &x, now);
    struct http_reply r;
    http_reply_error(&x, status, version_minor, &r);
    c->in_len = 0;   /* nothing more is read as requests */
    c->in_scanned = 0;
    start_reply(c, &r, now);
}

static void consume(struct http_conn *c, size_t n)
{
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
    c->in_scanned = 0;
}

static void handle_request(struct http_conn *c, const struct http_request *req, size_t head_len, synack_time_t now)
{
    struct http_server *s = c->srv;
    s->stats.requests++;
    if (c->nresp)
        s->stats.keepalive_reuses++;
    set_logline(c, req->line.p, req->line.n);
    if (req->h.content_length >= 0 && (uint64_t)req->h.content_length > s->cfg.max_body) {
        error_reply(c, 413, req->h.version_minor, now);
        return;
    }
    c->body_left = req->h.content_length > 0 ? (uint64_t)req->h.content_length : 0;
    c->body_chunked = req->h.chunked;
    c->body_seen = 0;
    if (c->body_chunked)
        http_chunked_init(&c->chunked);
    struct http_reply_ctx x;
    reply_ctx(c, &x, now);
    struct http_reply *r = malloc(sizeof(*r));
    if (!r) {
        error_reply(c, 503, req->h.version_minor, now);
        return;
    }
    http_reply_request(&x, req, r);
    if (r->status == 405 || r->status == 501)
        s->stats.limit_method++;
    int client_closes = !http_wants_persist(req->h.version_minor, req->h.conn_close, req->h.conn_keep_alive);
    if (r->close && !client_closes && r->status < 400 && s->cfg.keepalive_max && x.nth >= s->cfg.keepalive_max)
        s->stats.max_requests_closes++;
    consume(c, head_len);   /* req's slices are dead from here on */
    if (r->close)
        c->in_len = 0;
    start_reply(c, r, now);
    free(r);
}

/* Discards the body of the request just answered from the input buffer. Returns 1 when the body
 * is finished, 0 if more input is needed, -1 if the body broke a limit or its coding. */
static int skip_body(struct http_conn *c)
{
    if (c->body_left) {
        size_t n = c->in_len < c->body_left ? c->in_len : (size_t)c->body_left;
        consume(c, n);
        c->body_left -= n;
        return c->body_left == 0;
    }
    if (!c->body_chunked)
        return 1;
    size_t out_len;
    ssize_t used = http_chunked_decode(&c->chunked, c->in, c->in_len, &out_len);
    if (used < 0)
        return -1;
    c->body_seen += out_len;
    /* Decoded data sits at the front of the buffer: drop it and the coding consumed. */
    memmove(c->in, c->in + used, c->in_len - (size_t)used);
    c->in_len -= (size_t)used;
    c->in_scanned = 0;
    if (c->body_seen > c->srv->cfg.max_body)
        return -1;
    if (c->chunked.done) {
        c->body_chunked = 0;
        return 1;
    }
    return 0;
}

static void begin_linger(struct http_conn *c, synack_time_t now)
{
    c->state = HC_LINGER;
    c->last_progress = now;
    c->in_len = 0;
    synack_shutdown(c->srv->st, c->sock, SYNACK_SHUT_WR, now);
}

static void finish_response(struct http_conn *c, synack_time_t now)
{
    struct http_server *s = c->srv;
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    int cls = c->status / 100;
    if (cls == 1) s->stats.responses_1xx++;
    else if (cls == 2) s->stats.responses_2xx++;
    else if (cls == 3) s->stats.responses_3xx++;
    else if (cls == 4) s->stats.responses_4xx++;
    else s->stats.responses_5xx++;
    access_log(c, now);
    c->logline[0] = 0;
    c->nresp++;
    c->last_progress = now;
    if (c->close_after) {
        begin_linger(c, now);
        return;
    }
    c->state = HC_READ;
    c->head_start = c->in_len ? now : 0;
    if (c->in_len)
        s->stats.pipelined++;
}

/* Sends as much of the response as TCP takes. Returns 1 when all is sent, 0 when blocked, -1 if
 * the connection was freed. */
static int pump_write(struct http_conn *c, synack_time_t now)
{
    struct http_server *s = c->srv;
    for (;;) {
        if (c->out_off < c->out_len) {
            int n = synack_send(s->st, c->sock, c->out + c->out_off, c->out_len - c->out_off, now);
            if (n == -EAGAIN)
                return 0;
            if (n < 0) {
                s->stats.resets++;
                conn_free(c, 1, now);
                return -1;
            }
            c->out_off += (size_t)n;
            s->stats.bytes_sent += (uint64_t)n;
            c->last_progress = now;
            continue;
        }
        if (!c->file_left)
            return 1;
        /* Refill from the file: the send buffer drained (or the head went out). */
        size_t want = c->file_left < HTTP_OUT_CAP ? (size_t)c->file_left : HTTP_OUT_CAP;
        ssize_t k = pread(c->fd, c->out, want, (off_t)c->file_off);
        if (k <= 0) {
            /* The file shrank or failed under us: the announced length cannot be met. */
            conn_free(c, 1, now);
            return -1;
        }
        c->out_off = 0;
        c->out_len = (size_t)k;
        c->file_off += (uint64_t)k;
        c->file_left -= (uint64_t)k;
    }
}

/* One step of READ. Returns 1 to run the state machine again, 0 to wait, -1 if freed. */
static int read_step(struct http_conn *c, synack_time_t now)
{
    struct http_server *s = c->srv;
    if (c->body_left || c->body_chunked) {
        int b = skip_body(c);
        if (b < 0) {
            s->stats.limit_body++;
            conn_free(c, 1, now);
            return -1;
        }
    }
    int need_parse = c->in_len && !c->body_left && !c->body_chunked &&
                     (c->in_scanned == 0 || c->in_len >= c->in_cap ||
                      (c->in_len >= s->limits.max_line && c->in_scanned < s->limits.max_line) ||
                      memchr(c->in + c->in_scanned, '\n', c->in_len - c->in_scanned));
    if (need_parse) {
        if (!c->head_start)
            c->head_start = now;
        struct http_request *req = malloc(sizeof(*req));
        if (!req) {
            conn_free(c, 1, now);
            return -1;
        }
        ssize_t r = http_parse_request(c->in, c->in_len, &s->limits, req);
        if (r > 0) {
            handle_request(c, req, (size_t)r, now);
            free(req);
            return 1;
        }
        int vminor = req->h.version_minor;
        free(req);
        c->in_scanned = c->in_len;
        if (r < 0) {
            error_reply(c, (int)-r, r == -505 ? 1 : vminor, now);
            return 1;
        }
        if (c->in_len >= c->in_cap) {
            /* Full buffer and still no head: whichever limit the bytes broke. */
            error_reply(c, memchr(c->in, '\n', c->in_len) ? 431 : 414, 1, now);
            return 1;
        }
    }
    if (c->peer_eof) {
        /* The client closed its side: done once nothing is left to answer (a partial request
         * can never complete). */
        begin_linger(c, now);
        return 1;
    }
    int n = synack_recv(s->st, c->sock, c->in + c->in_len, c->in_cap - c->in_len, now);
    if (n > 0) {
        if (!c->in_len && !c->body_left && !c->body_chunked)
            c->head_start = now;
        c->in_len += (size_t)n;
        return 1;
    }
    if (n == 0) {
        c->peer_eof = 1;
        return 1;
    }
    if (n == -EAGAIN)
        return 0;
    s->stats.resets++;
    conn_free(c, 1, now);
    return -1;
}

/* Drains input after our FIN. Returns 0 to wait, -1 if freed. */
static int linger_step(struct http_conn *c, synack_time_t now)
{
    char scratch[4096];
    for (;;) {
        int n = synack_recv(c->srv->st, c->sock, scratch, sizeof(scratch), now);
        if (n > 0)
            continue;
        if (n == -EAGAIN && !c->peer_eof)
            return 0;
        conn_free(c, 0, now);
        return -1;
    }
}

static void arm_timer(struct http_conn *c)
{
    const struct http_server_config *cfg = &c->srv->cfg;
    synack_time_t d;
    switch (c->state) {
    case HC_READ:
        if (c->in_len || c->nresp == 0 || c->body_left || c->body_chunked)
            d = (c->head_start ? c->head_start : c->last_progress) + cfg->header_timeout;
        else
            d = c->last_progress + cfg->keepalive_timeout;
        break;
    case HC_WRITE:
        d = c->last_progress + cfg->send_timeout;
        break;
    default:
        d = c->last_progress + cfg->linger_timeout;
        break;
    }
    synack_timer_arm(c->timer, d);
}

static void conn_run(struct http_conn *c, synack_time_t now)
{
    for (;;) {
        int r;
        switch (c->state) {
        case HC_WRITE:
            r = pump_write(c, now);
            if (r < 0)
                return;
            if (r == 0) {
                arm_timer(c);
                return;
            }
            finish_response(c, now);
            continue;
        case HC_READ:
            r = read_step(c, now);
            if (r < 0)
                return;
            if (r == 0) {
                arm_timer(c);
                return;
            }
            continue;
        case HC_LINGER:
            if (linger_step(c, now) < 0)
                return;
            arm_timer(c);
            return;
        }
    }
}

static void on_timer(synack_stack_t *st, void *arg, synack_time_t now)
{
    struct http_conn *c = arg;
    struct http_server *s = c->srv;
    switch (c->state) {
    case HC_READ:
        if (c->in_len) {
            /* Slowloris: part of a head, not all of it in time. */
            error_reply(c, 408, 1, now);
            conn_run(c, now);
            return;
        }
        /* An idle persistent connection (or one that never sent a byte): close quietly; a
         * request that crosses our FIN is the reason clients retry idempotent requests. */
        s->stats.idle_timeouts++;
        conn_free(c, 0, now);
        return;
    case HC_WRITE:
        s->stats.send_timeouts++;
        conn_free(c, 1, now);
        return;
    case HC_LINGER:
        conn_free(c, 0, now);
        return;
    }
}

static void on_sock(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    conn_run(arg, now);
}

void http_conn_new(struct http_server *s, int sock, const struct synack_sockaddr *peer, int refused, synack_time_t now)
{
    struct http_conn *c = calloc(1, sizeof(*c));
    if (c) {
        c->in_cap = refused ? 1024 : s->limits.max_head;
        c->in = malloc(c->in_cap);
        c->timer = synack_timer_new(s->st, on_timer, c);
    }
    if (!c || !c->in || !c->timer) {
        if (c) {
            free(c->in);
            synack_timer_free(c->timer);
            free(c);
        }
        synack_setsockopt(s->st, sock, SYNACK_SO_LINGER, 0, now);
        synack_close(s->st, sock, now);
        return;
    }
    c->srv = s;
    c->sock = sock;
    c->peer = *peer;
    c->fd = -1;
    c->refused = refused;
    c->last_progress = now;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    if (refused)
        s->nrefused++;
    else
        s->nconns++;
    /* Responses go out in whole buffers; Nagle would only hold back the tail of one response
     * (and a pipelined next one) until the client's delayed ACK. */
    synack_setsockopt(s->st, sock, SYNACK_TCP_NODELAY, 1, now);
    synack_socket_set_handler(s->st, sock, on_sock, c);
    if (refused) {
        struct http_reply_ctx x;
        reply_ctx(c, &x, now);
        struct http_reply *r = malloc(sizeof(*r));
        if (!r) {
            conn_free(c, 1, now);
            return;
        }
        http_reply_error(&x, 503, 1, r);
        start_reply(c, r, now);
        free(r);
    }
    conn_run(c, now);
}
