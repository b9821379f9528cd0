/* One server connection's state machine (see http_server.h for the behaviour).
 *
 *   READ  --head complete-->  WRITE  --response sent, persistent-->  READ
 *     |                         |
 *     +--limit/error reply------+--response sent, closing-->  LINGER (FIN sent, drain) --> freed
 *
 * One timer per connection, re-armed after every step for the deadline of the current state:
 * READ waits for a head (header_timeout from its first byte) or for the next request on an idle
 * persistent connection (keepalive_timeout); WRITE for progress (send_timeout); LINGER for the
 * peer's FIN (linger_timeout).
 *
 * Memory follows what is in flight: the input buffer is allocated when bytes arrive (small, grown up
 * to max_header while a head is incomplete) and freed once they are consumed; a response's head and
 * its pieces live in one allocation while it is sent; a file is read ahead at most conn_buffer
 * bytes at a time, and only as TCP takes them, so a client that does not read holds the server to
 * that much beyond TCP's own send buffer. */
#include "http_server_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_log.h"

#define IN_FIRST HTTP_IN_FIRST

/* A reply planned for a request with a chunked body, held until the body has been read (so a body
 * over the limit can still be answered with 413), with its request line for the log. */
struct http_pending {
    struct http_reply r;
    size_t line_len;
    char line[200];
};

static void conn_run(struct http_conn *c, synack_time_t now);

static void out_free(struct http_conn *c)
{
    struct http_out *o = c->out;
    if (!o)
        return;
    http_file_put(o->file);
    free(o->text);
    free(o->chunk);
    free(o);
    c->out = NULL;
}

static void pending_free(struct http_conn *c)
{
    if (!c->pending)
        return;
    http_reply_release(&c->pending->r);
    free(c->pending);
    c->pending = NULL;
}

static void in_release(struct http_conn *c)
{
    if (!c->in_borrowed)
        free(c->in);
    c->in = NULL;
    c->in_borrowed = 0;
    c->in_len = c->in_cap = c->in_scanned = 0;
}

/* At the end of a run: input left in the server's buffer moves into the connection's own. Returns
 * 0, or -1 if out of memory. */
static int in_settle(struct http_conn *c)
{
    if (!c->in_borrowed)
        return 0;
    if (!c->in_len) {
        in_release(c);
        return 0;
    }
    char *own = malloc(c->in_cap);
    if (!own)
        return -1;
    memcpy(own, c->in, c->in_len);
    c->in = own;
    c->in_borrowed = 0;
    return 0;
}

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
    out_free(c);
    pending_free(c);
    in_release(c);
    free(c);
}

void http_conn_abort(struct http_conn *c, synack_time_t now) { conn_free(c, 1, now); }

static void reply_ctx(struct http_conn *c, struct http_reply_ctx *x, synack_time_t now)
{
    struct http_server *s = c->srv;
    x->root = &s->root;
    x->cache = &s->cache;
    x->wall_now = ((int64_t)now + s->cfg.wall_offset) / 1000000;
    if (x->wall_now != s->date_sec) {
        s->date_len = http_date_format(x->wall_now, s->date, sizeof(s->date));
        s->date_sec = x->wall_now;
    }
    x->date = s->date_len == HTTP_DATE_LEN ? s->date : NULL;
    x->now = now;
    x->keepalive_timeout_s = (unsigned)(s->cfg.keepalive_timeout / 1000000u);
    x->keepalive_max = s->cfg.keepalive_max;
    x->nth = c->nresp + 1;
    x->dynamic = s->cfg.dynamic;
    x->dynamic_ctx = s->cfg.dynamic_ctx;
    x->dynamic_prefix = s->cfg.dynamic_prefix;
}

/* A body of at most this many bytes, all in memory (a cached small file, a dynamic page), is copied
 * after the head: the response then goes to TCP in one send, not one per piece. */
#define OUT_INLINE_MAX 4096

/* Takes over what the reply owns (its file and text) and starts sending. line: the request line
 * for the log. Returns 0, or -1 if out of memory (the reply is released, the caller aborts). */
static int start_reply(struct http_conn *c, struct http_reply *r, const char *line, size_t line_len,
                       synack_time_t now)
{
    struct http_server *s = c->srv;
    size_t page = r->head_only ? 0 : r->body_len;
    unsigned np = r->head_only ? 0 : r->npieces;
    uint64_t body = r->head_only ? 0 : r->file_len;
    size_t inl = 0;
    if (np && body <= OUT_INLINE_MAX) {
        unsigned k = 0;
        while (k < np && r->piece[k].mem)
            k++;
        if (k == np) {
            inl = (size_t)body;
            np = 0;
        }
    }
    struct http_out *o = malloc(sizeof(*o) + np * sizeof(struct http_piece) + r->head_len + page + inl);
    if (!o) {
        http_reply_release(r);
        return -1;
    }
    memset(o, 0, sizeof(*o));
    o->piece = (struct http_piece *)(o + 1);
    o->head = (char *)(o->piece + np);
    memcpy(o->head, r->head, r->head_len);
    memcpy(o->head + r->head_len, r->body, page);
    o->head_len = r->head_len + page;
    for (unsigned k = 0; inl && k < r->npieces; k++) {
        memcpy(o->head + o->head_len, r->piece[k].mem + r->piece[k].off, (size_t)r->piece[k].len);
        o->head_len += (size_t)r->piece[k].len;
    }
    memcpy(o->piece, r->piece, np * sizeof(struct http_piece));
    o->npieces = np;
    o->status = r->status;
    o->close_after = r->close;
    o->file = np ? r->file : NULL;
    o->text = np ? r->text : NULL;
    if (!np)
        http_reply_release(r);
    r->file = NULL;
    r->text = NULL;
    c->out = o;
    http_log_line(s, &c->peer.addr, line, line_len, r->status, page + body, now);
    c->state = HC_WRITE;
    c->last_progress = now;
    return 0;
}

/* RFC 9110 10.1.1: a request with a 100-continue expectation whose answer waits for its content
 * gets "100 Continue" at once (the server MUST NOT wait for the content first); the client then
 * sends the content, and the final answer follows it. Returns 0, or -1 if out of memory. */
static int send_continue(struct http_conn *c, synack_time_t now)
{
    static const char line[] = "HTTP/1.1 100 Continue\r\n\r\n";
    struct http_out *o = calloc(1, sizeof(*o) + sizeof(line) - 1);
    if (!o)
        return -1;
    o->head = (char *)(o + 1);
    memcpy(o->head, line, sizeof(line) - 1);
    o->head_len = sizeof(line) - 1;
    o->status = 100;
    c->out = o;
    c->state = HC_WRITE;
    c->last_progress = now;
    return 0;
}

static size_t first_line(const char *p, size_t n)
{
    const char *nl = p ? memchr(p, '\n', n) : NULL;
    return nl ? (size_t)(nl - p) : n;
}

/* Answers with an error status and then closes. Returns 0, or -1 if the connection was freed. */
static int error_reply(struct http_conn *c, int status, int version_minor, synack_time_t now)
{
    struct http_server *s = c->srv;
    struct http_server_stats *st = &s->stats;
    switch (status) {
    case 400: case 501: st->limit_malformed++; break;
    case 408: st->limit_header_timeout++; break;
    case 413: st->limit_body++; break;
    case 414: st->limit_request_line++; break;
    case 431: st->limit_header++; break;
    case 505: st->limit_version++; break;
    default: break;
    }
    pending_free(c);
    c->body_left = 0;
    c->body_chunked = 0;
    struct http_reply_ctx x;
    reply_ctx(c, &x, now);
    http_reply_error(&x, status, version_minor, &s->reply);
    int r = start_reply(c, &s->reply, c->in, c->in ? first_line(c->in, c->in_len) : 0, now);
    in_release(c);   /* nothing more is read as requests */
    if (r < 0) {
        conn_free(c, 1, now);
        return -1;
    }
    return 0;
}

static void consume(struct http_conn *c, size_t n)
{
    if (!c->in)
        return;
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
    c->in_scanned = 0;
    if (!c->in_len)
        in_release(c);   /* nothing held while the response goes out */
}

/* Returns 0, or -1 if the connection was freed. */
static int handle_request(struct http_conn *c, const struct http_request *req, size_t head_len, synack_time_t now)
{
    struct http_server *s = c->srv;
    s->stats.requests++;
    if (c->nresp)
        s->stats.keepalive_reuses++;
    if (req->h.content_length >= 0 && (uint64_t)req->h.content_length > s->cfg.max_body)
        return error_reply(c, 413, req->h.version_minor, now);
    c->body_left = req->h.content_length > 0 ? (uint64_t)req->h.content_length : 0;
    c->body_chunked = (unsigned char)req->h.chunked;
    c->body_seen = 0;
    if (c->body_chunked) {
        http_chunked_init(&c->chunked);
        c->chunked.strict = 1;   /* RFC 9112 7.1: CRLF only (a bare LF read one way here and another
                                  * way by a proxy in front is how requests are smuggled) */
    }
    struct http_reply_ctx x;
    reply_ctx(c, &x, now);
    struct http_reply *r = &s->reply;
    http_reply_request(&x, req, r);
    if (r->status == 405 || r->status == 501)
        s->stats.limit_method++;
    int client_closes = !http_wants_persist(req->h.version_minor, req->h.conn_close, req->h.conn_keep_alive);
    if (r->close && !client_closes && r->status < 400 && s->cfg.keepalive_max && x.nth >= s->cfg.keepalive_max)
        s->stats.max_requests_closes++;
    if (c->body_chunked) {
        /* The body's size is known only once it is read: answer after it, so one over max_body
         * gets its 413 like a Content-Length over it does. */
        struct http_pending *p = malloc(sizeof(*p));
        if (!p) {
            http_reply_release(r);
            conn_free(c, 1, now);
            return -1;
        }
        p->r = *r;
        p->line_len = req->line.n < sizeof(p->line) ? req->line.n : sizeof(p->line);
        memcpy(p->line, req->line.p, p->line_len);
        c->pending = p;
        /* In HTTP/1.0 the expectation is ignored (10.1.1); content already here needs no 100. */
        int want_continue = req->h.expect_continue && req->h.version_minor >= 1 && c->in_len == head_len;
        consume(c, head_len);
        if (want_continue && send_continue(c, now) < 0) {
            conn_free(c, 1, now);
            return -1;
        }
        return 0;
    }
    int rc = start_reply(c, r, req->line.p, req->line.n, now);
    consume(c, head_len);   /* req's slices are dead from here on */
    if (rc < 0) {
        conn_free(c, 1, now);
        return -1;
    }
    if (c->out->close_after)
        c->in_len = 0;
    return 0;
}

/* Discards the body of the request just parsed from the input buffer. Returns 1 when the body is
 * finished, 0 if more input is needed, -400 if its coding is broken, -413 if it is over max_body. */
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
        return -400;
    c->body_seen += out_len;
    /* Decoded data sits at the front of the buffer: drop it and the coding consumed. */
    consume(c, (size_t)used);
    /* A chunk's size is known before its data: one that would pass the limit is refused at once. */
    if (c->body_seen + c->chunked.remaining > c->srv->cfg.max_body)
        return -413;
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
    in_release(c);
    synack_shutdown(c->srv->st, c->sock, SYNACK_SHUT_WR, now);
}

static void finish_response(struct http_conn *c, synack_time_t now)
{
    struct http_server *s = c->srv;
    int status = c->out->status, close_after = c->out->close_after;
    out_free(c);
    if (status == 100) {
        /* an interim response: the request's content is read next, then its final answer */
        s->stats.responses_1xx++;
        c->state = HC_READ;
        c->last_progress = now;
        return;
    }
    int cls = status / 100;
    if (cls == 1) s->stats.responses_1xx++;
    else if (cls == 2) s->stats.responses_2xx++;
    else if (cls == 3) s->stats.responses_3xx++;
    else if (cls == 4) s->stats.responses_4xx++;
    else s->stats.responses_5xx++;
    c->nresp++;
    c->last_progress = now;
    if (close_after) {
        begin_linger(c, now);
        return;
    }
    c->state = HC_READ;
    c->head_start = c->in_len ? now : 0;
    if (c->in_len && !c->body_left && !c->body_chunked)
        s->stats.pipelined++;
}

/* Reads the next stretch of a file piece into the connection's read-ahead. Returns 0 or -1. */
static int refill(struct http_conn *c, const struct http_piece *pc)
{
    struct http_out *o = c->out;
    uint64_t left = pc->len - o->poff;
    size_t want = left < c->srv->cfg.conn_buffer ? (size_t)left : c->srv->cfg.conn_buffer;
    if (want > o->chunk_cap) {
        free(o->chunk);
        o->chunk = malloc(want);
        o->chunk_cap = o->chunk ? want : 0;
        if (!o->chunk)
            return -1;
    }
    ssize_t k = pread(o->file->fd, o->chunk, want, (off_t)(pc->off + o->poff));
    if (k <= 0)
        return -1;   /* the file shrank or failed under us: the announced length cannot be met */
    o->chunk_off = 0;
    o->chunk_len = (size_t)k;
    return 0;
}

/* Sends as much of the response as TCP takes. Everything but the last bytes goes with MSG_MORE, so
 * a head and a small body leave as one segment. Returns 1 when all is sent, 0 when blocked, -1 if
 * the connection was freed. */
static int pump_write(struct http_conn *c, synack_time_t now)
{
    struct http_server *s = c->srv;
    struct http_out *o = c->out;
    for (;;) {
        const char *p;
        size_t n;
        int more, in_head = o->head_off < o->head_len;
        const struct http_piece *pc = NULL;
        if (in_head) {
            p = o->head + o->head_off;
            n = o->head_len - o->head_off;
            more = o->i < o->npieces;
        } else if (o->i < o->npieces) {
            pc = &o->piece[o->i];
            if (pc->mem) {
                p = pc->mem + pc->off + o->poff;
                n = (size_t)(pc->len - o->poff);
            } else {
                if (o->chunk_off == o->chunk_len && refill(c, pc) < 0) {
                    conn_free(c, 1, now);
                    return -1;
                }
                p = o->chunk + o->chunk_off;
                n = o->chunk_len - o->chunk_off;
            }
            more = o->poff + n < pc->len || o->i + 1 < o->npieces;
        } else {
            return 1;
        }
        /* A response that closes holds its last bytes too: the shutdown right after it sends
         * them with the FIN, one segment fewer per connection. */
        int k = synack_send_flags(s->st, c->sock, p, n, more || o->close_after ? SYNACK_MSG_MORE : 0, now);
        if (k == -EAGAIN)
            return 0;
        if (k < 0) {
            s->stats.resets++;
            conn_free(c, 1, now);
            return -1;
        }
        s->stats.bytes_sent += (uint64_t)k;
        c->last_progress = now;
        if (in_head) {
            o->head_off += (size_t)k;
            continue;
        }
        o->poff += (uint64_t)k;
        if (!pc->mem)
            o->chunk_off += (size_t)k;
        if (o->poff == pc->len) {
            o->i++;
            o->poff = 0;
            o->chunk_off = o->chunk_len = 0;
        }
    }
}

/* Room for more input: the buffer is allocated when bytes are due, and grown (up to the head
 * limit) only while a head is incomplete. Returns 0, or -1 if out of memory. */
static int in_room(struct http_conn *c)
{
    size_t limit = c->refused ? IN_FIRST : c->srv->limits.max_head;
    if (c->in && c->in_len < c->in_cap)
        return 0;
    if (!c->in) {
        /* Read into the server's buffer: a request that arrives whole and is answered in this
         * run never needs one of the connection's own (in_settle). */
        c->in = c->srv->rx;
        c->in_cap = IN_FIRST;
        c->in_borrowed = 1;
        return 0;
    }
    size_t cap = c->in_cap * 2;
    if (cap > limit)
        cap = limit;
    if (cap <= c->in_cap)
        return 0;   /* at the limit: the parser decides */
    char *n = c->in_borrowed ? malloc(cap) : realloc(c->in, cap);
    if (!n)
        return -1;
    if (c->in_borrowed)
        memcpy(n, c->in, c->in_len);
    c->in = n;
    c->in_cap = cap;
    c->in_borrowed = 0;
    return 0;
}

/* One step of READ. Returns 1 to run the state machine again, 0 to wait, -1 if freed. */
static int read_step(struct http_conn *c, synack_time_t now)
{
    struct http_server *s = c->srv;
    if (c->body_left || c->body_chunked) {
        int b = skip_body(c);
        if (b < 0) {
            if (!c->pending) {
                /* the body of a request already answered: nothing to answer with any more */
                s->stats.limit_body++;
                conn_free(c, 1, now);
                return -1;
            }
            return error_reply(c, -b, 1, now) < 0 ? -1 : 1;
        }
        if (b == 1 && c->pending) {
            struct http_pending *p = c->pending;
            c->pending = NULL;
            int rc = start_reply(c, &p->r, p->line, p->line_len, now);
            free(p);
            if (rc < 0) {
                conn_free(c, 1, now);
                return -1;
            }
            if (c->out->close_after)
                c->in_len = 0;
            return 1;
        }
    }
    size_t lim_line = s->limits.max_line;
    int full = c->in_len >= (c->refused ? IN_FIRST : s->limits.max_head);
    int need_parse = c->in_len && !c->body_left && !c->body_chunked &&
                     (c->in_scanned == 0 || full || (c->in_len >= lim_line && c->in_scanned < lim_line) ||
                      memchr(c->in + c->in_scanned, '\n', c->in_len - c->in_scanned));
    if (need_parse) {
        if (!c->head_start)
            c->head_start = now;
        struct http_request *req = &s->req;
        ssize_t r = http_parse_request(c->in, c->in_len, &s->limits, req);
        if (r > 0)
            return handle_request(c, req, (size_t)r, now) < 0 ? -1 : 1;
        c->in_scanned = c->in_len;
        if (r < 0)
            return error_reply(c, (int)-r, r == -505 ? 1 : req->h.version_minor, now) < 0 ? -1 : 1;
        if (full) {
            /* Full buffer and still no head: whichever limit the bytes broke. */
            return error_reply(c, memchr(c->in, '\n', c->in_len) ? 431 : 414, 1, now) < 0 ? -1 : 1;
        }
    }
    if (c->peer_eof) {
        /* The client closed its side: done once nothing is left to answer (a partial request
         * can never complete). */
        begin_linger(c, now);
        return 1;
    }
    if (in_room(c) < 0) {
        conn_free(c, 1, now);
        return -1;
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
    if (n == -EAGAIN) {
        if (!c->in_len)
            in_release(c);   /* idle: hold no buffer */
        return 0;
    }
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
        if (c->in_len || c->nresp == 0 || c->body_left || c->body_chunked || c->pending)
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
    c->deadline = d;
    /* A timer armed for no later than the deadline is left as it is: a kept-alive connection moves
     * its deadline with every request, and on_timer arms it again for the deadline it finds. */
    if (c->timer_at && c->timer_at <= d)
        return;
    c->timer_at = d;
    synack_timer_arm(c->timer, d);
}

/* The end of a run that left the connection alive: what input is left becomes the connection's
 * own, and the timer covers the state it waits in. */
static void run_end(struct http_conn *c, synack_time_t now)
{
    if (in_settle(c) < 0) {
        conn_free(c, 1, now);
        return;
    }
    arm_timer(c);
}

/* Runs the state machine until it waits (or the connection is freed). */
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
                run_end(c, now);
                return;
            }
            finish_response(c, now);
            continue;
        case HC_READ:
            r = read_step(c, now);
            if (r < 0)
                return;
            if (r == 0) {
                run_end(c, now);
                return;
            }
            continue;
        case HC_LINGER:
            if (linger_step(c, now) < 0)
                return;
            run_end(c, now);
            return;
        }
    }
}

static void on_timer(synack_stack_t *st, void *arg, synack_time_t now)
{
    struct http_conn *c = arg;
    struct http_server *s = c->srv;
    c->timer_at = 0;
    if (now < c->deadline) {
        /* armed for an earlier deadline that has moved since */
        c->timer_at = c->deadline;
        synack_timer_arm(c->timer, c->deadline);
        return;
    }
    switch (c->state) {
    case HC_READ:
        if (c->in_len || c->pending) {
            /* Slowloris: part of a head (or of a body we owe an answer to), not all of it in time. */
            if (error_reply(c, 408, 1, now) == 0)
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
    if (c)
        c->timer = synack_timer_new(s->st, on_timer, c);
    if (!c || !c->timer) {
        free(c);
        synack_setsockopt(s->st, sock, SYNACK_SO_LINGER, 0, now);
        synack_close(s->st, sock, now);
        return;
    }
    c->srv = s;
    c->sock = sock;
    c->peer = *peer;
    c->refused = (unsigned char)refused;
    c->last_progress = now;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    if (refused)
        s->nrefused++;
    else
        s->nconns++;
    /* Responses go out in whole pieces with MSG_MORE between them; Nagle would only hold back the
     * tail of one response (and a pipelined next one) until the client's delayed ACK. */
    synack_setsockopt(s->st, sock, SYNACK_TCP_NODELAY, 1, now);
    synack_socket_set_handler(s->st, sock, on_sock, c);
    if (refused) {
        struct http_reply_ctx x;
        reply_ctx(c, &x, now);
        http_reply_error(&x, 503, 1, &s->reply);
        if (start_reply(c, &s->reply, NULL, 0, now) < 0) {
            conn_free(c, 1, now);
            return;
        }
    }
    conn_run(c, now);
}
