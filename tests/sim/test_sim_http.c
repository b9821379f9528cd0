/* Sim tier: our HTTP client against our HTTP server, two stacks over a simulated link with loss,
 * in virtual time. Several files fetched over one kept-alive connection (checked by hash, reuse
 * counted on both sides); pipelined requests answered in order; the pool closing an idle connection
 * before the server's advertised timeout; a request on a pooled connection the server has reset is
 * retried on a fresh one; a slowloris client gets 408 while another is served; the idle timeout and
 * the connection cap (503) of the server. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../apps/http/http_client.h"
#include "../apps/http/http_parse.h"
#include "../apps/http/http_server.h"
#include "sim/lib_tcpsim.h"

#define NFILES 5
static const size_t file_sizes[NFILES] = { 0, 1000, 65536, 300000, 1500000 };
static char root[128];
static uint64_t file_hash[NFILES];

static int setup(void **state)
{
    snprintf(root, sizeof(root), "/tmp/synack-sim-http.XXXXXX");
    if (!mkdtemp(root))
        return -1;
    for (int i = 0; i < NFILES; i++) {
        char p[256];
        snprintf(p, sizeof(p), "%s/f%d.bin", root, i);
        FILE *f = fopen(p, "wb");
        if (!f)
            return -1;
        uint64_t h = HASH_INIT, x = 0x1234567u + (uint64_t)i;
        for (size_t k = 0; k < file_sizes[i]; k++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            uint8_t b = (uint8_t)(x >> 56);
            fputc(b, f);
            h = hash_update(h, &b, 1);
        }
        file_hash[i] = h;
        fclose(f);
    }
    return 0;
}

static int teardown(void **state)
{
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

struct lab {
    struct tcpsim t;
    struct http_server *srv;
    struct http_client *cl;
};

static void lab_start(struct lab *l, double loss, uint64_t seed, synack_time_t ka_timeout, unsigned max_conns)
{
    struct synack_simlink_config c;
    synack_simlink_config_init(&c);
    c.latency = SYNACK_MS(5);
    c.bandwidth_bps = 100000000ull;
    c.loss = loss;
    tcpsim_init(&l->t, &c, seed);
    struct http_server_config sc;
    http_server_config_init(&sc);
    sc.root = root;
    sc.keepalive_timeout = ka_timeout;
    sc.header_timeout = SYNACK_SEC(3);
    sc.max_conns = max_conns;
    char err[128];
    l->srv = http_server_start(l->t.st[1], &sc, tcpsim_now(&l->t), err, sizeof(err));
    assert_non_null(l->srv);
    struct http_client_config cc;
    http_client_config_init(&cc, l->t.st[0]);
    cc.io_timeout = SYNACK_SEC(120);
    l->cl = http_client_new(&cc);
    assert_non_null(l->cl);
}

static void lab_stop(struct lab *l)
{
    http_client_free(l->cl, tcpsim_now(&l->t));
    http_server_stop(l->srv, tcpsim_now(&l->t));
    tcpsim_free(&l->t);
}

/* Runs the net until *flag is set or `limit` of virtual time has passed. */
static void run_until_flag(struct lab *l, int *flag, synack_time_t limit)
{
    synack_time_t end = tcpsim_now(&l->t) + limit;
    while (!*flag && synack_simnet_step(l->t.net, end))
        ;
}

/* ---- sequential fetches ---- */
struct fetches {
    struct lab *l;
    int next, n, done;
    const int *which;
    uint64_t hash;
    struct http_fetch_result res[16];
};

static void fetch_next(struct fetches *f, synack_time_t now);

static void on_body(void *arg, const char *d, size_t n, synack_time_t now)
{
    struct fetches *f = arg;
    f->hash = hash_update(f->hash, (const uint8_t *)d, n);
}

static void on_done(void *arg, const struct http_fetch_result *r, synack_time_t now)
{
    struct fetches *f = arg;
    int i = f->next;
    f->res[i] = *r;
    if (r->err == 0 && r->status == 200 && f->which[i] >= 0 && f->hash != file_hash[f->which[i]])
        f->res[i].err = -EBADMSG;   /* body does not match the file */
    f->next++;
    if (f->next == f->n)
        f->done = 1;
    else
        fetch_next(f, now);
}

static void fetch_next(struct fetches *f, synack_time_t now)
{
    char url[64];
    snprintf(url, sizeof(url), "http://192.0.2.2/f%d.bin", f->which[f->next]);
    static const struct http_fetch_callbacks cb = { NULL, on_body, on_done, NULL };
    f->hash = HASH_INIT;
    assert_int_equal(http_client_fetch(f->l->cl, url, "GET", 0, &cb, f, now), 0);
}

static void fetch_all(struct lab *l, struct fetches *f, const int *which, int n, synack_time_t limit)
{
    memset(f, 0, sizeof(*f));
    f->l = l;
    f->which = which;
    f->n = n;
    fetch_next(f, tcpsim_now(&l->t));
    run_until_flag(l, &f->done, limit);
    assert_true(f->done);
    for (int i = 0; i < n; i++) {
        if (f->res[i].err || f->res[i].status != 200)
            fail_msg("fetch %d (f%d): err %d status %d", i, which[i], f->res[i].err, f->res[i].status);
        assert_int_equal(f->res[i].body_bytes, file_sizes[which[i]]);
    }
}

static void files_over_one_connection(void **state)
{
    static const int which[] = { 0, 1, 2, 3, 4, 2, 1 };
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct lab l;
        lab_start(&l, 0.03, seed, SYNACK_SEC(5), 16);
        struct fetches f;
        fetch_all(&l, &f, which, 7, SYNACK_SEC(600));
        struct http_server_stats ss;
        http_server_get_stats(l.srv, &ss);
        struct http_client_stats cs;
        http_client_get_stats(l.cl, &cs);
        printf("seed %llu: 7 files in %.3f s virtual; server: %llu conns, %llu requests, %llu reuses; "
               "client: %llu opened, %llu reused\n",
               (unsigned long long)seed, (double)tcpsim_now(&l.t) / 1e6 - 1, (unsigned long long)ss.conns_accepted,
               (unsigned long long)ss.requests, (unsigned long long)ss.keepalive_reuses,
               (unsigned long long)cs.conns_opened, (unsigned long long)cs.conns_reused);
        assert_int_equal(ss.conns_accepted, 1);
        assert_int_equal(ss.requests, 7);
        assert_int_equal(ss.keepalive_reuses, 6);
        assert_int_equal(ss.responses_2xx, 7);
        assert_int_equal(cs.conns_opened, 1);
        assert_int_equal(cs.conns_reused, 6);
        for (int i = 1; i < 7; i++)
            assert_true(f.res[i].reused);
        /* The pool closes the idle connection before the server's advertised 5 s. */
        assert_int_equal(http_client_idle_conns(l.cl), 1);
        synack_simnet_run_until(l.t.net, tcpsim_now(&l.t) + SYNACK_SEC(4) + SYNACK_MS(500));
        http_client_get_stats(l.cl, &cs);
        http_server_get_stats(l.srv, &ss);
        assert_int_equal(http_client_idle_conns(l.cl), 0);
        assert_int_equal(cs.conns_closed_ka_timeout, 1);
        assert_int_equal(ss.idle_timeouts, 0);
        lab_stop(&l);
    }
}

static void retry_after_server_reset(void **state)
{
    struct lab l;
    lab_start(&l, 0.0, 7, SYNACK_SEC(5), 16);
    static const int first[] = { 1 }, second[] = { 2 };
    struct fetches f;
    fetch_all(&l, &f, first, 1, SYNACK_SEC(60));
    assert_int_equal(http_client_idle_conns(l.cl), 1);
    /* The server restarts: its connections are reset. The pooled connection is not read while
     * idle, so the next request finds out, and is retried once on a fresh connection. */
    http_server_stop(l.srv, tcpsim_now(&l.t));
    struct http_server_config sc;
    http_server_config_init(&sc);
    sc.root = root;
    char err[128];
    l.srv = http_server_start(l.t.st[1], &sc, tcpsim_now(&l.t), err, sizeof(err));
    assert_non_null(l.srv);
    synack_simnet_run_until(l.t.net, tcpsim_now(&l.t) + SYNACK_MS(100));
    fetch_all(&l, &f, second, 1, SYNACK_SEC(60));
    assert_int_equal(f.res[0].retries, 1);
    assert_false(f.res[0].reused);
    struct http_client_stats cs;
    http_client_get_stats(l.cl, &cs);
    assert_int_equal(cs.retries, 1);
    assert_int_equal(cs.conns_opened, 2);
    lab_stop(&l);
}

/* ---- raw clients ---- */
struct raw {
    struct lab *l;
    int sock;
    char buf[1 << 21];
    size_t len;
    int eof, err;
    synack_time_t eof_at;
};

static void raw_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct raw *r = arg;
    for (;;) {
        int n = synack_recv(st, sock, r->buf + r->len, sizeof(r->buf) - r->len, now);
        if (n > 0) {
            r->len += (size_t)n;
            continue;
        }
        if (n == 0 && !r->eof) {
            r->eof = 1;
            r->eof_at = now;
        } else if (n < 0 && n != -EAGAIN) {
            r->err = n;
        }
        return;
    }
}

static struct raw *raw_connect(struct lab *l, const char *text)
{
    struct raw *r = calloc(1, sizeof(*r));
    r->l = l;
    synack_stack_t *st = l->t.st[0];
    r->sock = synack_socket(st, SYNACK_SOCK_STREAM);
    synack_socket_set_handler(st, r->sock, raw_handler, r);
    struct synack_sockaddr peer = synack_sockaddr_from_v4(SIM_B, 80);
    assert_int_equal(synack_connect(st, r->sock, &peer, tcpsim_now(&l->t)), -EINPROGRESS);
    synack_simnet_run_until(l->t.net, tcpsim_now(&l->t) + SYNACK_MS(50));
    if (text)
        assert_int_equal(synack_send(st, r->sock, text, strlen(text), tcpsim_now(&l->t)), (int)strlen(text));
    return r;
}

static void raw_free(struct raw *r)
{
    synack_close(r->l->t.st[0], r->sock, tcpsim_now(&r->l->t));
    free(r);
}

/* Splits r->buf into responses; returns their count, fills statuses and body lengths. */
static int split_responses(struct raw *r, int *status, size_t *body, int max)
{
    size_t off = 0;
    int n = 0;
    while (off < r->len && n < max) {
        struct http_response resp;
        ssize_t h = http_parse_response(r->buf + off, r->len - off, 65536, &resp);
        assert_true(h > 0);
        status[n] = resp.status;
        body[n] = resp.h.content_length >= 0 ? (size_t)resp.h.content_length : 0;
        off += (size_t)h + body[n];
        n++;
    }
    assert_int_equal(off, r->len);
    return n;
}

static void pipelining(void **state)
{
    struct lab l;
    lab_start(&l, 0.02, 11, SYNACK_SEC(5), 16);
    struct raw *r = raw_connect(&l, "GET /f2.bin HTTP/1.1\r\nHost: b\r\n\r\n"
                                    "HEAD /f4.bin HTTP/1.1\r\nHost: b\r\n\r\n"
                                    "GET /missing HTTP/1.1\r\nHost: b\r\n\r\n"
                                    "GET /f1.bin HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n");
    run_until_flag(&l, &r->eof, SYNACK_SEC(60));
    assert_true(r->eof);
    int status[8];
    size_t body[8];
    /* HEAD announces a length but sends no body: account for it by hand */
    size_t off = 0;
    struct http_response resp;
    ssize_t h = http_parse_response(r->buf, r->len, 65536, &resp);
    assert_true(h > 0);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.h.content_length, 65536);
    off = (size_t)h + 65536;
    h = http_parse_response(r->buf + off, r->len - off, 65536, &resp);
    assert_true(h > 0);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.h.content_length, 1500000);
    off += (size_t)h;   /* HEAD: no body */
    memmove(r->buf, r->buf + off, r->len - off);
    r->len -= off;
    int n = split_responses(r, status, body, 8);
    assert_int_equal(n, 2);
    assert_int_equal(status[0], 404);
    assert_int_equal(status[1], 200);
    assert_int_equal(body[1], 1000);
    uint64_t hash = hash_update(HASH_INIT, (const uint8_t *)r->buf + r->len - 1000, 1000);
    assert_true(hash == file_hash[1]);
    struct http_server_stats ss;
    http_server_get_stats(l.srv, &ss);
    assert_int_equal(ss.requests, 4);
    assert_true(ss.pipelined >= 3);
    assert_int_equal(ss.conns_accepted, 1);
    raw_free(r);
    lab_stop(&l);
}

/* On the wire: OPTIONS * answered with 200 and the connection goes on (RFC 9110 9.3.7); a range
 * of a file; a chunked body within the limit read before the answer; a chunked body whose chunk
 * size passes max_body gets 413 and a close; a bad Host gets 400. */
/* A request read in pieces: the first run answers a whole request and keeps half of the next one
 * (read into the server's buffer, then moved into the connection's own), which then grows past
 * the first buffer's 1 KB with a long field before it completes. */
static void heads_in_pieces(void **state)
{
    struct lab l;
    lab_start(&l, 0, 13, SYNACK_SEC(5), 16);
    struct raw *r = raw_connect(&l, "GET /f1.bin HTTP/1.1\r\nHost: b\r\n\r\nGET /f1.bin HT");
    synack_simnet_run_until(l.t.net, tcpsim_now(&l.t) + SYNACK_MS(200));
    int status[8];
    size_t body[8];
    assert_int_equal(split_responses(r, status, body, 8), 1);
    static char big[3200];
    const char *start = "TP/1.1\r\nHost: b\r\nX-Big: ";
    size_t k = strlen(start);
    memcpy(big, start, k);
    memset(big + k, 'a', 3000);
    big[k + 3000] = 0;
    assert_int_equal(synack_send(l.t.st[0], r->sock, big, strlen(big), tcpsim_now(&l.t)), (int)strlen(big));
    synack_simnet_run_until(l.t.net, tcpsim_now(&l.t) + SYNACK_MS(200));
    assert_int_equal(split_responses(r, status, body, 8), 1);   /* no answer to half a head */
    const char *tail = "\r\nConnection: close\r\n\r\n";
    assert_int_equal(synack_send(l.t.st[0], r->sock, tail, strlen(tail), tcpsim_now(&l.t)), (int)strlen(tail));
    run_until_flag(&l, &r->eof, SYNACK_SEC(10));
    assert_true(r->eof);
    assert_int_equal(split_responses(r, status, body, 8), 2);
    assert_int_equal(status[0], 200);
    assert_int_equal(status[1], 200);
    assert_int_equal(body[1], file_sizes[1]);
    raw_free(r);
    lab_stop(&l);
}

static void rules_on_the_wire(void **state)
{
    struct lab l;
    lab_start(&l, 0.0, 21, SYNACK_SEC(5), 16);
    struct raw *r = raw_connect(&l, "OPTIONS * HTTP/1.1\r\nHost: b\r\n\r\n"
                                    "GET /f2.bin HTTP/1.1\r\nHost: b\r\nRange: bytes=100-109\r\n\r\n"
                                    "GET /f1.bin HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    "5\r\nhello\r\n0\r\n\r\n"
                                    "GET /f1.bin HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n");
    run_until_flag(&l, &r->eof, SYNACK_SEC(30));
    assert_true(r->eof);
    int status[8];
    size_t body[8];
    assert_int_equal(split_responses(r, status, body, 8), 4);
    assert_int_equal(status[0], 200);
    assert_int_equal(body[0], 0);
    assert_non_null(strstr(r->buf, "Allow: GET, HEAD, OPTIONS\r\n"));
    assert_int_equal(status[1], 206);
    assert_int_equal(body[1], 10);
    assert_int_equal(status[2], 200);
    assert_int_equal(status[3], 200);
    raw_free(r);
    /* a chunk announcing more than max_body (1 MiB): 413 before its data, then the close */
    r = raw_connect(&l, "POST / HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\nabc");
    run_until_flag(&l, &r->eof, SYNACK_SEC(10));
    assert_true(r->eof);
    assert_int_equal(split_responses(r, status, body, 8), 1);
    assert_int_equal(status[0], 413);
    raw_free(r);
    /* small chunks that add up past the limit */
    r = raw_connect(&l, "POST / HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\n");
    static char chunk[0x8000 + 16];
    size_t cl = (size_t)snprintf(chunk, 16, "8000\r\n");
    memset(chunk + cl, 'x', 0x8000);
    memcpy(chunk + cl + 0x8000, "\r\n", 2);
    for (int i = 0; i < 40 && !r->eof; i++) {
        synack_time_t t = tcpsim_now(&l.t);
        size_t off = 0, n = cl + 0x8000 + 2;
        while (off < n && !r->eof) {
            int k = synack_send(l.t.st[0], r->sock, chunk + off, n - off, t);
            if (k > 0)
                off += (size_t)k;
            synack_simnet_run_until(l.t.net, (t = tcpsim_now(&l.t) + SYNACK_MS(5)));
        }
    }
    run_until_flag(&l, &r->eof, SYNACK_SEC(10));
    assert_true(r->eof);
    assert_int_equal(split_responses(r, status, body, 8), 1);
    assert_int_equal(status[0], 413);
    raw_free(r);
    /* a Host holding a list */
    r = raw_connect(&l, "GET /f1.bin HTTP/1.1\r\nHost: a, b\r\n\r\n");
    run_until_flag(&l, &r->eof, SYNACK_SEC(10));
    assert_int_equal(split_responses(r, status, body, 8), 1);
    assert_int_equal(status[0], 400);
    raw_free(r);
    /* framing a recipient could read two ways (RFC 9112 6.3 (3): Content-Length beside
     * Transfer-Encoding), whitespace before a colon (5.1), a bare CR (2.2): 400 and the close,
     * the request after it never answered */
    static const char *const broken[] = {
        "GET /f1.bin HTTP/1.1\r\nHost: b\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET /f1.bin HTTP/1.1\r\nHost : b\r\n\r\n",
        "GET /f1.bin HTTP/1.1\r\nHost: b\rX: y\r\n\r\n",
        "GET  /f1.bin HTTP/1.1\r\nHost: b\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        char text[512];
        snprintf(text, sizeof(text), "%sGET /f1.bin HTTP/1.1\r\nHost: b\r\n\r\n", broken[i]);
        r = raw_connect(&l, text);
        run_until_flag(&l, &r->eof, SYNACK_SEC(10));
        assert_true(r->eof);
        assert_int_equal(split_responses(r, status, body, 8), 1);
        assert_int_equal(status[0], 400);
        assert_non_null(strstr(r->buf, "Connection: close\r\n"));
        raw_free(r);
    }
    /* HTTP/1.0 (RFC 9112 9.3): kept open only when asked, and said so; closed after one without */
    r = raw_connect(&l, "GET /f1.bin HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /f1.bin HTTP/1.0\r\n\r\n"
                        "GET /f1.bin HTTP/1.0\r\n\r\n");
    run_until_flag(&l, &r->eof, SYNACK_SEC(10));
    assert_true(r->eof);
    assert_int_equal(split_responses(r, status, body, 8), 2);
    assert_int_equal(status[0], 200);
    assert_int_equal(status[1], 200);
    assert_non_null(strstr(r->buf, "Connection: keep-alive\r\n"));
    raw_free(r);
    struct http_server_stats ss;
    http_server_get_stats(l.srv, &ss);
    assert_int_equal(ss.limit_body, 2);
    lab_stop(&l);
}

/* RFC 9110 10.1.1: a request with "Expect: 100-continue" whose answer waits for its (chunked)
 * content gets "100 Continue" at once, before any of the content is sent; the content then
 * follows and the final answer after it, and the connection goes on. */
static void continue_before_content(void **state)
{
    struct lab l;
    lab_start(&l, 0.0, 23, SYNACK_SEC(5), 16);
    struct raw *r = raw_connect(&l, "GET /f1.bin HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n"
                                    "Expect: 100-continue\r\n\r\n");
    synack_simnet_run_until(l.t.net, tcpsim_now(&l.t) + SYNACK_MS(200));
    const char *cont = "HTTP/1.1 100 Continue\r\n\r\n";
    assert_int_equal(r->len, strlen(cont));
    assert_memory_equal(r->buf, cont, strlen(cont));
    const char *body = "5\r\nhello\r\n0\r\n\r\nGET /f1.bin HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n";
    assert_int_equal(synack_send(l.t.st[0], r->sock, body, strlen(body), tcpsim_now(&l.t)), (int)strlen(body));
    run_until_flag(&l, &r->eof, SYNACK_SEC(10));
    assert_true(r->eof);
    memmove(r->buf, r->buf + strlen(cont), r->len - strlen(cont));
    r->len -= strlen(cont);
    int status[8];
    size_t blen[8];
    assert_int_equal(split_responses(r, status, blen, 8), 2);
    assert_int_equal(status[0], 200);   /* the final answer, after the content */
    assert_int_equal(blen[0], file_sizes[1]);
    assert_int_equal(status[1], 200);
    raw_free(r);
    lab_stop(&l);
}

/* A small response (head and body, under one MSS) leaves as one segment: the server's TCP data
 * segments are counted through the trace, one request at a time on a kept-alive connection. */
static void count_data_segments(void *ctx, const struct synack_trace_event *ev)
{
    if (ev->kind != SYNACK_TR_TCP_SEG_OUT || ev->len < 20)
        return;
    size_t hl = (size_t)(ev->data[12] >> 4) * 4;
    if (ev->len > hl)
        ++*(int *)ctx;
}

static void small_response_one_segment(void **state)
{
    struct lab l;
    lab_start(&l, 0.0, 31, SYNACK_SEC(5), 16);
    int segs = 0;
    synack_stack_set_trace(l.t.st[1], count_data_segments, &segs);
    struct raw *r = raw_connect(&l, NULL);
    static const char *const reqs[] = { "GET /f1.bin HTTP/1.1\r\nHost: b\r\n\r\n",
                                        "GET /missing HTTP/1.1\r\nHost: b\r\n\r\n",
                                        "HEAD /f4.bin HTTP/1.1\r\nHost: b\r\n\r\n",
                                        "GET /f1.bin HTTP/1.1\r\nHost: b\r\nRange: bytes=0-9,20-29\r\n\r\n" };
    for (int i = 0; i < 4; i++) {
        size_t before = r->len;
        assert_int_equal(synack_send(l.t.st[0], r->sock, reqs[i], strlen(reqs[i]), tcpsim_now(&l.t)),
                         (int)strlen(reqs[i]));
        synack_simnet_run_until(l.t.net, tcpsim_now(&l.t) + SYNACK_MS(300));
        assert_true(r->len > before);
        if (segs != i + 1)
            fail_msg("response %d left in %d segments", i, segs - i);
    }
    synack_stack_set_trace(l.t.st[1], NULL, NULL);
    raw_free(r);
    lab_stop(&l);
}

static void slowloris_idle_and_cap(void **state)
{
    struct lab l;
    lab_start(&l, 0.0, 5, SYNACK_SEC(2), 3);
    synack_time_t t0 = tcpsim_now(&l.t);
    struct raw *slow = raw_connect(&l, "GET / HTTP/1.1\r\nHost: b\r\n");   /* never finished */
    struct raw *idle = raw_connect(&l, "GET /f1.bin HTTP/1.1\r\nHost: b\r\n\r\n");
    /* Another client is served meanwhile. */
    static const int one[] = { 2 };
    struct fetches f;
    fetch_all(&l, &f, one, 1, SYNACK_SEC(2));
    /* Third and fourth connections: the cap is 3, so the fourth is refused with 503. */
    struct raw *over = raw_connect(&l, NULL);
    run_until_flag(&l, &over->eof, SYNACK_SEC(1));
    int status[4];
    size_t body[4];
    assert_true(over->eof);
    assert_int_equal(split_responses(over, status, body, 4), 1);
    assert_int_equal(status[0], 503);
    run_until_flag(&l, &slow->eof, SYNACK_SEC(10));
    assert_true(slow->eof);
    assert_int_equal(split_responses(slow, status, body, 4), 1);
    assert_int_equal(status[0], 408);
    /* the header deadline (3 s) counts from the head's first byte */
    assert_true(slow->eof_at - t0 >= SYNACK_SEC(3) && slow->eof_at - t0 < SYNACK_SEC(4));
    run_until_flag(&l, &idle->eof, SYNACK_SEC(10));
    assert_true(idle->eof);
    assert_int_equal(split_responses(idle, status, body, 4), 1);
    assert_int_equal(status[0], 200);
    struct http_server_stats ss;
    http_server_get_stats(l.srv, &ss);
    assert_int_equal(ss.limit_header_timeout, 1);
    assert_int_equal(ss.conns_refused, 1);
    assert_true(ss.idle_timeouts >= 1);
    assert_int_equal(ss.responses_5xx, 1);
    raw_free(slow);
    raw_free(idle);
    raw_free(over);
    lab_stop(&l);
}

/* URLs with IP literals: a dotted quad and a bracketed IPv4-mapped literal reach the server with
 * no resolver; an IPv6 literal ends its fetch with -EAFNOSUPPORT (no IPv6 yet), and so does a
 * redirect to one. */
struct literal_fetch {
    int done;
    struct http_fetch_result r;
};

static void literal_done(void *arg, const struct http_fetch_result *r, synack_time_t now)
{
    struct literal_fetch *f = arg;
    f->r = *r;
    f->done = 1;
}

static void ip_literal_urls(void **state)
{
    struct lab l;
    lab_start(&l, 0.0, 11, SYNACK_SEC(5), 16);
    /* IPv6 beside IPv4 on both stacks; the server listens on :: and takes both. */
    for (int side = 0; side < 2; side++) {
        struct synack_ip a;
        assert_int_equal(synack_ip_parse(side ? "2001:db8::2" : "2001:db8::1", &a), 0);
        assert_int_equal(synack_if_add_addr6(l.t.st[side], 0, &a, 64, tcpsim_now(&l.t)), 0);
    }
    synack_simnet_run_until(l.t.net, tcpsim_now(&l.t) + SYNACK_MS(1500));   /* duplicate address detection */
    static const struct http_fetch_callbacks cb = { NULL, NULL, literal_done, NULL };
    static const struct {
        const char *url;
        int err, status;
    } cases[] = {
        { "http://192.0.2.2/f1.bin", 0, 200 },
        { "http://[::ffff:192.0.2.2]/f1.bin", 0, 200 },
        { "http://[2001:db8::2]/f1.bin", 0, 200 },
        { "http://[2001:db8::2]:8080/", -ECONNREFUSED, 0 },
        { "http://[2001:db8::99]/", -EHOSTUNREACH, 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct literal_fetch f;
        memset(&f, 0, sizeof(f));
        assert_int_equal(http_client_fetch(l.cl, cases[i].url, "GET", 1, &cb, &f, tcpsim_now(&l.t)), 0);
        run_until_flag(&l, &f.done, SYNACK_SEC(30));
        assert_true(f.done);
        if (f.r.err != cases[i].err || f.r.status != cases[i].status)
            fail_msg("%s: err %d status %d", cases[i].url, f.r.err, f.r.status);
    }
    lab_stop(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(files_over_one_connection),
        cmocka_unit_test(retry_after_server_reset),
        cmocka_unit_test(pipelining),
        cmocka_unit_test(heads_in_pieces),
        cmocka_unit_test(slowloris_idle_and_cap),
        cmocka_unit_test(rules_on_the_wire),
        cmocka_unit_test(continue_before_content),
        cmocka_unit_test(small_response_one_segment),
        cmocka_unit_test(ip_literal_urls),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
