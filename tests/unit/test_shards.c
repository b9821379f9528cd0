/* Unit tests of the shards (src/os/shard.c) without a device: flow steering (every frame of a TCP
 * or UDP flow, both families, and an ICMP error quoting one of our packets, goes to the shard that
 * owns the flow; ARP replies and neighbour advertisements to all; fragments to shard 0), the
 * ephemeral ports a shard's connects choose (each steers back to it), the hand-over of a frame
 * read by the wrong shard (a SYN read by shard 0 is answered by its owner), and a call run on a
 * shard's thread. Queues are SOCK_SEQPACKET socket pairs standing in for a multi-queue TUN. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "synack/os.h"
#include "synack/synack.h"
#include "wire/csum.h"

#define US 0xc0000202u     /* 192.0.2.2 */
#define PEER 0xc0000201u   /* 192.0.2.1 */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* An IPv4 header (20 bytes) at p. */
static void ip4(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, uint16_t total, uint16_t frag)
{
    memset(p, 0, 20);
    p[0] = 0x45;
    put16(p + 2, total);
    put16(p + 6, frag);
    p[8] = 64;
    p[9] = proto;
    put32(p + 12, src);
    put32(p + 16, dst);
    put16(p + 10, wire_csum_finish(wire_csum_partial(p, 20, 0)));
}

/* A TCP SYN from PEER:sport to US:dport as bare IP (TUN), checksums right; returns its length. */
static size_t syn_frame(uint8_t *f, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
    ip4(f, src, dst, 6, 40, 0x4000);
    uint8_t *t = f + 20;
    memset(t, 0, 20);
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, 1000);
    t[12] = 5 << 4;
    t[13] = 0x02;
    put16(t + 14, 65535);
    put16(t + 16, wire_csum_finish(wire_csum_partial(t, 20, wire_csum_pseudo(src, dst, 6, 20))));
    return 40;
}

static struct synack_sockaddr sa4(uint32_t a, uint16_t port)
{
    struct synack_sockaddr s = { synack_ip_from_v4(a), port };
    return s;
}

static void test_steer_flows(void **state)
{
    (void)state;
    synack_shards_t *g = synack_shards_new(4, SYNACK_IF_ETHERNET);
    assert_non_null(g);
    unsigned seen[4] = { 0 };
    for (unsigned i = 0; i < 400; i++) {
        uint16_t sport = (uint16_t)(20000 + i * 7), dport = (uint16_t)(i % 3 ? 80 : 7);
        struct synack_sockaddr l = sa4(US, dport), r = sa4(PEER + (i % 5), sport);
        unsigned owner = synack_shards_owner(g, &l, &r);
        assert_true(owner < 4);
        seen[owner]++;
        /* TCP and UDP over Ethernet, from the peer. */
        uint8_t f[200];
        memset(f, 0, 14);
        put16(f + 12, 0x0800);
        for (int proto = 6; proto <= 17; proto += 11) {
            ip4(f + 14, PEER + (i % 5), US, (uint8_t)proto, 40, 0x4000);
            put16(f + 34, sport);
            put16(f + 36, dport);
            assert_int_equal(synack_shards_steer(g, f, 54), (int)owner);
        }
        /* An ICMP port unreachable from the peer quoting a UDP datagram we sent on that flow. */
        ip4(f + 14, PEER + (i % 5), US, 1, 20 + 8 + 28, 0);
        f[34] = 3;
        f[35] = 3;
        ip4(f + 42, US, PEER + (i % 5), 17, 28, 0);
        put16(f + 62, dport);
        put16(f + 64, sport);
        assert_int_equal(synack_shards_steer(g, f, 14 + 20 + 8 + 28), (int)owner);
        /* The same TCP flow over IPv6 (no Ethernet: a TUN's set steers the bare packet). */
    }
    for (int k = 0; k < 4; k++)
        assert_true(seen[k] > 50);   /* 400 flows spread: ~100 each */
    synack_shards_free(g);
}

static void test_steer_special(void **state)
{
    (void)state;
    synack_shards_t *g = synack_shards_new(2, SYNACK_IF_ETHERNET);
    uint8_t f[128];
    memset(f, 0, sizeof(f));
    put16(f + 12, 0x0806);
    put16(f + 14 + 6, 1);
    assert_int_equal(synack_shards_steer(g, f, 42), SYNACK_SHARD_ANY);   /* ARP request */
    put16(f + 14 + 6, 2);
    assert_int_equal(synack_shards_steer(g, f, 42), SYNACK_SHARD_ALL);   /* ARP reply */
    put16(f + 12, 0x0800);
    ip4(f + 14, PEER, US, 17, 60, 0x2000);   /* MF: a first fragment */
    put16(f + 34, 5353);
    put16(f + 36, 9);
    assert_int_equal(synack_shards_steer(g, f, 74), 0);
    ip4(f + 14, PEER, US, 1, 28, 0);   /* echo request: wherever read */
    f[34] = 8;
    assert_int_equal(synack_shards_steer(g, f, 42), SYNACK_SHARD_ANY);
    assert_int_equal(synack_shards_steer(g, f, 10), SYNACK_SHARD_ANY);   /* runt */
    synack_shards_free(g);

    /* IPv6 on a TUN: TCP by its flow, a neighbour advertisement to all. */
    g = synack_shards_new(2, SYNACK_IF_RAWIP);
    struct synack_sockaddr l, r;
    memset(&l, 0, sizeof(l));
    memset(&r, 0, sizeof(r));
    l.addr.b[0] = 0x20, l.addr.b[1] = 0x01, l.addr.b[2] = 0x0d, l.addr.b[3] = 0xb8, l.addr.b[15] = 2;
    r.addr = l.addr;
    r.addr.b[15] = 1;
    int hits[2] = { 0 };
    for (uint16_t p = 1000; p < 1100; p++) {
        l.port = 80;
        r.port = p;
        memset(f, 0, sizeof(f));
        f[0] = 0x60;
        f[6] = 6;
        memcpy(f + 8, r.addr.b, 16);
        memcpy(f + 24, l.addr.b, 16);
        put16(f + 40, p);
        put16(f + 42, 80);
        int want = (int)synack_shards_owner(g, &l, &r);
        assert_int_equal(synack_shards_steer(g, f, 60), want);
        hits[want]++;
    }
    assert_true(hits[0] > 20 && hits[1] > 20);
    f[6] = 58;
    f[40] = 136;
    assert_int_equal(synack_shards_steer(g, f, 64), SYNACK_SHARD_ALL);
    f[40] = 134;   /* router advertisement */
    assert_int_equal(synack_shards_steer(g, f, 64), SYNACK_SHARD_ALL);
    f[40] = 135;   /* neighbour solicitation: answered where read */
    assert_int_equal(synack_shards_steer(g, f, 64), SYNACK_SHARD_ANY);
    f[40] = 128;   /* echo request */
    assert_int_equal(synack_shards_steer(g, f, 64), SYNACK_SHARD_ANY);
    synack_shards_free(g);
    assert_null(synack_shards_new(0, SYNACK_IF_RAWIP));
    assert_null(synack_shards_new(SYNACK_SHARDS_MAX + 1, SYNACK_IF_RAWIP));
}

/* Two shards on a TUN, each queue a socket pair: [k][0] is the stack's end, [k][1] the "kernel". */
struct rig {
    synack_shards_t *g;
    synack_stack_t *st[2];
    synack_driver_t *d[2];
    int q[2][2];
    int ifindex;
};

static void rig_up(struct rig *r)
{
    memset(r, 0, sizeof(*r));
    r->g = synack_shards_new(2, SYNACK_IF_RAWIP);
    assert_non_null(r->g);
    for (unsigned k = 0; k < 2; k++) {
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, r->q[k]), 0);
        struct synack_config cfg;
        synack_config_init(&cfg);
        synack_config_seed_u64(&cfg, 7 + k);
        r->st[k] = synack_stack_new(&cfg);
        struct synack_if_config ic = { .name = "tun", .kind = SYNACK_IF_RAWIP, .addr = US, .prefix_len = 24,
                                       .mtu = 1500, .tx = synack_fd_tx, .tx_ctx = (void *)(intptr_t)r->q[k][0] };
        r->ifindex = synack_if_add(r->st[k], &ic);
        assert_true(r->ifindex >= 0);
        r->d[k] = synack_driver_new(r->st[k]);
        assert_int_equal(synack_driver_add_port(r->d[k], r->q[k][0], r->ifindex), 0);
    }
    for (unsigned k = 0; k < 2; k++)
        assert_int_equal(synack_shards_attach(r->g, k, r->d[k], r->st[k], r->q[k][0], r->ifindex), 0);
    assert_int_equal(synack_shards_attach(r->g, 0, r->d[0], r->st[0], r->q[0][0], r->ifindex), -EINVAL);
}

static void rig_down(struct rig *r)
{
    for (unsigned k = 0; k < 2; k++) {
        synack_driver_free(r->d[k]);
        synack_stack_free(r->st[k]);
        close(r->q[k][0]);
        close(r->q[k][1]);
    }
    synack_shards_free(r->g);
}

/* Reads the frame a shard sent to the "kernel", if any. */
static ssize_t kernel_read(struct rig *r, unsigned k, uint8_t *buf, size_t cap)
{
    return recv(r->q[k][1], buf, cap, MSG_DONTWAIT);
}

static void test_connect_ports_steer_back(void **state)
{
    (void)state;
    struct rig r;
    rig_up(&r);
    for (unsigned k = 0; k < 2; k++) {
        for (int i = 0; i < 40; i++) {
            int s = synack_socket(r.st[k], SYNACK_SOCK_STREAM);
            struct synack_sockaddr peer = sa4(PEER, (uint16_t)(8000 + i));
            assert_int_equal(synack_connect(r.st[k], s, &peer, 1000), -SYNACK_EINPROGRESS);
            uint8_t f[2048];
            ssize_t n = kernel_read(&r, k, f, sizeof(f));
            assert_true(n >= 40);
            assert_int_equal(f[9], 6);
            struct synack_sockaddr l = sa4(US, (uint16_t)(f[20] << 8 | f[21]));
            assert_int_equal(synack_shards_owner(r.g, &l, &peer), k);
            synack_close(r.st[k], s, 1000);
            while (kernel_read(&r, k, f, sizeof(f)) > 0)
                ;
        }
    }
    rig_down(&r);
}

static void test_handover(void **state)
{
    (void)state;
    struct rig r;
    rig_up(&r);
    for (unsigned k = 0; k < 2; k++) {
        int ls = synack_socket(r.st[k], SYNACK_SOCK_STREAM);
        struct synack_sockaddr a = sa4(0, 80);
        assert_int_equal(synack_bind(r.st[k], ls, &a), 0);
        assert_int_equal(synack_listen(r.st[k], ls, 16), 0);
    }
    /* A flow owned by shard 1, its SYN read by shard 0. */
    uint16_t sport = 40000;
    struct synack_sockaddr l = sa4(US, 80), rem;
    for (;; sport++) {
        rem = sa4(PEER, sport);
        if (synack_shards_owner(r.g, &l, &rem) == 1)
            break;
    }
    uint8_t f[2048];
    size_t n = syn_frame(f, PEER, sport, US, 80);
    assert_int_equal(send(r.q[0][1], f, n, 0), (ssize_t)n);
    assert_int_equal(synack_driver_run_once(r.d[0], 0), 0);
    assert_true(kernel_read(&r, 0, f, sizeof(f)) < 0);   /* shard 0 did not answer */
    struct synack_shard_stats x;
    synack_shards_stats(r.g, 0, &x);
    assert_int_equal(x.frames_read, 1);
    assert_int_equal(x.handed_out, 1);
    assert_int_equal(synack_driver_run_once(r.d[1], 0), 0);   /* woken by the eventfd */
    ssize_t m = kernel_read(&r, 1, f, sizeof(f));
    assert_true(m >= 40);
    assert_int_equal(f[33], 0x12);   /* SYN-ACK, from its owner */
    assert_int_equal(f[22] << 8 | f[23], sport);
    synack_shards_stats(r.g, 1, &x);
    assert_int_equal(x.handed_in, 1);
    assert_int_equal(x.frames_read, 0);
    /* A flow shard 0 owns stays there. */
    for (sport = 41000;; sport++) {
        rem = sa4(PEER, sport);
        if (synack_shards_owner(r.g, &l, &rem) == 0)
            break;
    }
    n = syn_frame(f, PEER, sport, US, 80);
    assert_int_equal(send(r.q[0][1], f, n, 0), (ssize_t)n);
    assert_int_equal(synack_driver_run_once(r.d[0], 0), 0);
    assert_true(kernel_read(&r, 0, f, sizeof(f)) >= 40);
    synack_shards_stats(r.g, 0, &x);
    assert_int_equal(x.handed_out, 1);
    rig_down(&r);
}

struct loop_arg {
    synack_driver_t *d;
    volatile int stop;
};

static void *loop(void *p)
{
    struct loop_arg *a = p;
    while (!a->stop)
        synack_driver_run_once(a->d, 10000);
    return NULL;
}

static void count_socks(void *arg, const struct synack_tcp_info *i)
{
    (void)i;
    ++*(int *)arg;
}

struct call_arg {
    synack_stack_t *st;
    int n;
    pthread_t th;
};

static void on_shard(void *p)
{
    struct call_arg *c = p;
    c->th = pthread_self();
    synack_tcp_foreach(c->st, count_socks, &c->n);
}

static void test_call_runs_on_the_shard(void **state)
{
    (void)state;
    struct rig r;
    rig_up(&r);
    int ls = synack_socket(r.st[1], SYNACK_SOCK_STREAM);
    struct synack_sockaddr a = sa4(0, 80);
    synack_bind(r.st[1], ls, &a);
    synack_listen(r.st[1], ls, 16);
    struct loop_arg la = { r.d[1], 0 };
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, loop, &la), 0);
    struct call_arg c = { r.st[1], 0, pthread_self() };
    assert_int_equal(synack_shards_call(r.g, 1, on_shard, &c), 0);
    assert_int_equal(c.n, 1);
    assert_true(pthread_equal(c.th, t));
    la.stop = 1;
    pthread_join(t, NULL);
    /* Nobody runs shard 1's loop now: the call is withdrawn after its wait. */
    c.n = 0;
    assert_int_equal(synack_shards_call(r.g, 1, on_shard, &c), -ETIMEDOUT);
    assert_int_equal(c.n, 0);
    rig_down(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steer_flows),
        cmocka_unit_test(test_steer_special),
        cmocka_unit_test(test_connect_ports_steer_back),
        cmocka_unit_test(test_handover),
        cmocka_unit_test(test_call_runs_on_the_shard),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
