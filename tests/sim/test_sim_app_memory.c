/* Sim tier: what the applications hold per connection, measured. The test is linked with
 * malloc, calloc, realloc and free wrapped (-Wl,--wrap): every block the applications (and the
 * clients) take is counted at its usable size plus its header, while the two stacks and the
 * simulated link get their memory from allocators of their own that call the real functions, so
 * what they hold is not counted. Checked:
 *  - an idle keep-alive HTTP connection (after one request for a 100-byte file) costs the HTTP
 *    server at most 1 KB beyond the stack's own cost; once idle longer than TCP_IDLE_RELEASE the
 *    stack has given back its buffers and holds at most 2 KB for it (issue 10 asks 512 bytes: the
 *    connection's state itself must shrink for that);
 *  - an idle echo or discard connection costs the services as little;
 *  - a client that asks for a 2 MB file and does not read makes the server hold at most its
 *    per-connection read-ahead (conn_buffer) beyond TCP's send buffer; an echo client that sends
 *    but does not read makes echo hold at most one chunk.
 * Each figure is printed. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../apps/http/http_server.h"
#include "../tools/services.h"
#include "sim/lib_tcpsim.h"

#define NCONN 200

/* The wrapped allocation functions: what everything but the stacks holds. */
static long app_live;

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

/* The stacks' and the link's allocators call the real functions: what they hold is not the
 * applications'. */
#define COUNTING_REALLOC __real_realloc
#define COUNTING_FREE __real_free
#include "lib/counting_alloc.h"

static long block(void *p) { return counting_block_bytes(p); }

void *__wrap_malloc(size_t n)
{
    void *p = __real_malloc(n);
    app_live += block(p);
    return p;
}

void *__wrap_calloc(size_t k, size_t n)
{
    void *p = __real_calloc(k, n);
    app_live += block(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    long before = block(p);
    void *q = __real_realloc(p, n);
    if (q || !n)
        app_live += block(q) - before;
    return q;
}

void __wrap_free(void *p)
{
    app_live -= block(p);
    __real_free(p);
}

struct lab {
    struct tcpsim t;
    struct counting cnt[2];   /* what each stack holds, through its own allocator, on the real functions */
    struct counting link_cnt;
};

static void lab_init(struct lab *l)
{
    memset(l, 0, sizeof(*l));
    struct synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.latency = SYNACK_MS(1);
    lc.bandwidth_bps = 1000000000ull;
    /* The link keeps the blocks of the frames it carried for reuse: its memory, not the
     * applications', so it is counted apart. */
    lc.alloc = counting_allocator(&l->link_cnt, 1);
    struct synack_allocator alloc[2] = { counting_allocator(&l->cnt[0], 1), counting_allocator(&l->cnt[1], 1) };
    struct synack_config sc;
    synack_config_init(&sc);
    tcpsim_init_alloc(&l->t, &lc, 20, &sc, alloc);
}

static void lab_free(struct lab *l) { tcpsim_free(&l->t); }

static synack_time_t now_of(struct lab *l) { return synack_simnet_now(l->t.net); }
static void run(struct lab *l, synack_time_t dt) { synack_simnet_run_until(l->t.net, now_of(l) + dt); }

static long app_bytes(struct lab *l) { return app_live; }

/* Clients: static state, so the clients themselves allocate nothing on the heap. */
static struct client {
    int sock;
    size_t got;
    int read;   /* 0: a client that never reads */
} cl[NCONN];

static void client_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct client *c = arg;
    static char scratch[65536];
    if (!c->read)
        return;
    int n;
    while ((n = synack_recv(st, sock, scratch, sizeof(scratch), now)) > 0)
        c->got += (size_t)n;
}

static void open_clients(struct lab *l, int n, uint16_t port, const char *text, int read)
{
    for (int i = 0; i < n; i++) {
        struct client *c = &cl[i];
        memset(c, 0, sizeof(*c));
        c->read = read;
        c->sock = synack_socket(l->t.st[0], SYNACK_SOCK_STREAM);
        assert_true(c->sock >= 0);
        synack_socket_set_handler(l->t.st[0], c->sock, client_handler, c);
        struct synack_sockaddr peer = synack_sockaddr_from_v4(SIM_B, port);
        assert_int_equal(synack_connect(l->t.st[0], c->sock, &peer, now_of(l)), -EINPROGRESS);
    }
    run(l, SYNACK_MS(300));
    for (int i = 0; i < n && text; i++)
        assert_int_equal(synack_send(l->t.st[0], cl[i].sock, text, strlen(text), now_of(l)), (int)strlen(text));
    run(l, SYNACK_MS(500));   /* answers read, delayed ACKs gone: everything idle */
}

static void close_clients(struct lab *l, int n)
{
    for (int i = 0; i < n; i++) {
        synack_setsockopt(l->t.st[0], cl[i].sock, SYNACK_SO_LINGER, 0, now_of(l));   /* a reset: done at once */
        synack_close(l->t.st[0], cl[i].sock, now_of(l));
    }
    run(l, SYNACK_SEC(1));
}

static char root[128];

static int setup(void **state)
{
    snprintf(root, sizeof(root), "/tmp/synack-sim-mem.XXXXXX");
    if (!mkdtemp(root))
        return -1;
    char p[256];
    snprintf(p, sizeof(p), "%s/small.txt", root);
    FILE *f = fopen(p, "w");
    for (int i = 0; i < 100; i++)
        fputc('a' + i % 26, f);
    fclose(f);
    snprintf(p, sizeof(p), "%s/big.bin", root);
    f = fopen(p, "w");
    for (int i = 0; i < 2000000; i++)
        fputc(i & 0xff, f);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static struct http_server *start_http(struct lab *l)
{
    struct http_server_config sc;
    http_server_config_init(&sc);
    sc.root = root;
    sc.keepalive_timeout = SYNACK_SEC(600);
    sc.max_conns = 1000;
    char err[128];
    struct http_server *s = http_server_start(l->t.st[1], &sc, now_of(l), err, sizeof(err));
    assert_non_null(s);
    return s;
}

static void http_idle(void **state)
{
    struct lab l;
    lab_init(&l);
    struct http_server *s = start_http(&l);
    const char *req = "GET /small.txt HTTP/1.1\r\nHost: b\r\n\r\n";
    open_clients(&l, 1, 80, req, 1);   /* one-time allocations out of the way */
    close_clients(&l, 1);
    long a0 = app_bytes(&l), s0 = l.cnt[1].live;
    open_clients(&l, NCONN, 80, req, 1);
    struct http_server_stats ss;
    http_server_get_stats(s, &ss);
    assert_int_equal(ss.conns_open, NCONN);
    assert_int_equal(ss.responses_2xx, NCONN + 1);
    for (int i = 0; i < NCONN; i++)
        assert_true(cl[i].got > 100);
    long per = (app_bytes(&l) - a0) / NCONN, stack_per = (l.cnt[1].live - s0) / NCONN;
    printf("idle keep-alive HTTP connection: %ld bytes in the server beyond the stack's %ld\n", per, stack_per);
    assert_true(per <= 1024);
    /* Idle for longer than TCP_IDLE_RELEASE: the stack gives back the connections' buffers, so
     * what stays is its connection and socket state. */
    run(&l, SYNACK_SEC(2));
    long per_idle = (app_bytes(&l) - a0) / NCONN, stack_idle = (l.cnt[1].live - s0) / NCONN;
    printf("after 2 s idle: %ld bytes in the server, %ld in the stack\n", per_idle, stack_idle);
    assert_true(per_idle <= 1024);
    assert_true(stack_idle <= 2048);
    close_clients(&l, NCONN);
    http_server_stop(s, now_of(&l));
    lab_free(&l);
}

static void http_slow_reader(void **state)
{
    struct lab l;
    lab_init(&l);
    struct http_server *s = start_http(&l);
    open_clients(&l, 1, 80, "GET /small.txt HTTP/1.1\r\nHost: b\r\n\r\n", 1);   /* ARP resolved */
    close_clients(&l, 1);
    int n = 20;
    /* The same run once first: the simulated link's queue grows to the burst's size and keeps it,
     * which is the link's memory, not the server's. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            close_clients(&l, n);
        }
        open_clients(&l, n, 80, "GET /big.bin HTTP/1.1\r\nHost: b\r\n\r\n", 0);
        run(&l, SYNACK_SEC(2));
    }
    close_clients(&l, n);
    long a0 = app_bytes(&l);
    open_clients(&l, n, 80, "GET /big.bin HTTP/1.1\r\nHost: b\r\n\r\n", 0);
    run(&l, SYNACK_SEC(2));
    long per = (app_bytes(&l) - a0) / n;
    printf("a client not reading a 2 MB file: %ld bytes held by the server (conn_buffer 16384)\n", per);
    assert_true(per <= 16384 + 1024);
    struct http_server_stats ss;
    http_server_get_stats(s, &ss);
    assert_true(ss.bytes_sent < (uint64_t)n * 2000000);   /* they really are stuck */
    close_clients(&l, n);
    http_server_stop(s, now_of(&l));
    lab_free(&l);
}

static void services_idle_and_slow(void **state)
{
    struct lab l;
    lab_init(&l);
    int err = 0;
    struct svc *svc = services_start_tcp(l.t.st[1], &err);
    assert_non_null(svc);
    open_clients(&l, 1, 7, "x", 1);
    close_clients(&l, 1);
    for (int port = 7; port <= 9; port += 2) {
        long a0 = app_bytes(&l);
        open_clients(&l, NCONN, (uint16_t)port, "hello\n", 1);
        long per = (app_bytes(&l) - a0) / NCONN;
        printf("idle %s connection: %ld bytes in the service\n", port == 7 ? "echo" : "discard", per);
        assert_true(per <= 1024);
        if (port == 7)
            for (int i = 0; i < NCONN; i++)
                assert_int_equal(cl[i].got, 6);
        close_clients(&l, NCONN);
    }
    /* echo to clients that send 1 MB and never read */
    long a0 = app_bytes(&l);
    int n = 10;
    open_clients(&l, n, 7, NULL, 0);
    static char blob[1 << 20];
    memset(blob, 'z', sizeof(blob));
    for (int k = 0; k < 40; k++) {
        for (int i = 0; i < n; i++)
            synack_send(l.t.st[0], cl[i].sock, blob, sizeof(blob), now_of(&l));
        run(&l, SYNACK_MS(50));
    }
    long per = (app_bytes(&l) - a0) / n;
    printf("an echo client not reading: %ld bytes held by the service\n", per);
    assert_true(per <= 16384 + 1024);
    close_clients(&l, n);
    services_stop_tcp(svc);
    lab_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(http_idle),
        cmocka_unit_test(http_slow_reader),
        cmocka_unit_test(services_idle_and_slow),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
