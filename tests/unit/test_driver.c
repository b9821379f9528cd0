/* Unit tests of the driver loop (src/os/driver.c, uring.c) on both back ends, without a device: a
 * port is a SOCK_SEQPACKET socket pair standing in for a TUN (one frame per read and write), the
 * stack on it answers ICMP echo requests. Checked: every frame of a burst larger than the read
 * buffers and the write slots is answered, in order, small and large frames mixed (a large one is
 * written directly, after the queued ones); with io_uring a round's answers are queued and go out
 * at its end, or with the next wait or a flush when deferred; a frame sent outside a round goes at
 * once; a watched fd's callback runs while it stays readable (level-triggered through the ring); a
 * frame the device refuses is counted, written at once or queued. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "synack/os.h"
#include "synack/synack.h"
#include "wire/csum.h"

#define US 0xc0000202u     /* 192.0.2.2 */
#define PEER 0xc0000201u   /* 192.0.2.1 */

struct rig {
    synack_stack_t *st;
    synack_driver_t *d;
    int q[2];   /* [0]: the stack's end, [1]: the "kernel" */
};

/* backend: "epoll" forces the fallback (SYNACK_IO_URING=0), NULL takes what the system offers. */
static void rig_up(struct rig *r, const char *backend)
{
    memset(r, 0, sizeof(*r));
    if (backend && strcmp(backend, "epoll") == 0)
        setenv("SYNACK_IO_URING", "0", 1);
    else
        unsetenv("SYNACK_IO_URING");
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, r->q), 0);
    /* Room for a burst of 300 frames of up to 9 KB in each direction. */
    int sz = 8 << 20;
    setsockopt(r->q[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    setsockopt(r->q[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    struct synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, 11);
    r->st = synack_stack_new(&cfg);
    assert_non_null(r->st);
    r->d = synack_driver_new(r->st);
    assert_non_null(r->d);
    unsetenv("SYNACK_IO_URING");
    void *txc = synack_driver_tx_ctx(r->d, r->q[0]);
    assert_non_null(txc);
    assert_ptr_equal(synack_driver_tx_ctx(r->d, r->q[0]), txc);   /* one per fd */
    struct synack_if_config ic = { .name = "tun", .kind = SYNACK_IF_RAWIP, .addr = US, .prefix_len = 24,
                                   .mtu = 9000, .tx = synack_driver_tx, .tx_ctx = txc };
    int ifindex = synack_if_add(r->st, &ic);
    assert_true(ifindex >= 0);
    assert_int_equal(synack_driver_add_port(r->d, r->q[0], ifindex), 0);
}

static void rig_down(struct rig *r)
{
    synack_stack_free(r->st);
    synack_driver_free(r->d);
    close(r->q[0]);
    close(r->q[1]);
}

/* The back end this kernel should give: io_uring's multishot read is Linux 6.7. */
static const char *expected_backend(void)
{
    struct utsname u;
    int major = 0, minor = 0;
    if (uname(&u) == 0)
        sscanf(u.release, "%d.%d", &major, &minor);
    return major > 6 || (major == 6 && minor >= 7) ? "io_uring" : "epoll";
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* An ICMP echo request from PEER to US, `payload` bytes, sequence number seq; returns its length. */
static size_t echo_request(uint8_t *f, uint16_t seq, size_t payload)
{
    size_t total = 20 + 8 + payload;
    memset(f, 0, total);
    f[0] = 0x45;
    put16(f + 2, (uint16_t)total);
    f[8] = 64;
    f[9] = 1;
    put16(f + 12, PEER >> 16);
    put16(f + 14, (uint16_t)PEER);
    put16(f + 16, US >> 16);
    put16(f + 18, (uint16_t)US);
    put16(f + 10, wire_csum_finish(wire_csum_partial(f, 20, 0)));
    uint8_t *icmp = f + 20;
    icmp[0] = 8;
    put16(icmp + 4, 0x5a5a);
    put16(icmp + 6, seq);
    for (size_t i = 0; i < payload; i++)
        icmp[8 + i] = (uint8_t)(seq + i);
    put16(icmp + 2, wire_csum_finish(wire_csum_partial(icmp, 8 + payload, 0)));
    return total;
}

/* Reads one echo reply from the "kernel" end; returns its sequence number and checks its payload,
 * or -1 if none waits. */
static int read_reply(struct rig *r, size_t *len)
{
    uint8_t f[10000];
    ssize_t n = recv(r->q[1], f, sizeof(f), MSG_DONTWAIT);
    if (n < 0)
        return -1;
    assert_true(n >= 28);
    assert_int_equal(f[20], 0);   /* echo reply */
    int seq = f[26] << 8 | f[27];
    for (ssize_t i = 28; i < n; i++)
        assert_int_equal(f[i], (uint8_t)(seq + (i - 28)));
    *len = (size_t)n;
    return seq;
}

/* Sends `count` echo requests at once (every fifth of 8,000 bytes when `big`), runs rounds until
 * every reply is back, and requires them in order. */
static void burst(struct rig *r, int count, int big)
{
    uint8_t f[10000];
    for (int i = 0; i < count; i++) {
        size_t n = echo_request(f, (uint16_t)i, big && i % 5 == 2 ? 8000 : 56);
        assert_int_equal(send(r->q[1], f, n, 0), (ssize_t)n);
    }
    int next = 0;
    for (int round = 0; round < 200 && next < count; round++) {
        assert_int_equal(synack_driver_run_once(r->d, 1000), 0);
        size_t len;
        int seq;
        while ((seq = read_reply(r, &len)) >= 0) {
            assert_int_equal(seq, next);
            assert_int_equal(len, big && next % 5 == 2 ? 8028u : 84u);
            next++;
        }
    }
    assert_int_equal(next, count);
}

static void test_backend(void **state)
{
    (void)state;
    struct rig r;
    rig_up(&r, NULL);
    assert_string_equal(synack_driver_backend(r.d), expected_backend());
    rig_down(&r);
    rig_up(&r, "epoll");
    assert_string_equal(synack_driver_backend(r.d), "epoll");
    rig_down(&r);
}

static void test_burst_in_order(void **state)
{
    (void)state;
    const char *backends[] = { NULL, "epoll" };
    for (int b = 0; b < 2; b++) {
        struct rig r;
        rig_up(&r, backends[b]);
        burst(&r, 1, 0);
        burst(&r, 300, 0);   /* more than the read buffers (32) and the write slots (128) */
        burst(&r, 300, 1);   /* large frames written directly between queued ones */
        rig_down(&r);
    }
}

/* With io_uring a round's replies are queued: deferred, they wait for the next round's wait or a
 * flush; otherwise they leave at the round's end. A frame sent outside a round leaves at once. */
static void test_deferred_writes(void **state)
{
    (void)state;
    struct rig r;
    rig_up(&r, NULL);
    if (strcmp(synack_driver_backend(r.d), "io_uring") != 0) {
        rig_down(&r);
        return;   /* nothing is queued on epoll: every write is immediate, checked by the bursts */
    }
    uint8_t f[256];
    size_t len, n = echo_request(f, 1, 56);
    synack_driver_defer_tx(r.d, 1);
    assert_int_equal(send(r.q[1], f, n, 0), (ssize_t)n);
    assert_int_equal(synack_driver_run_once(r.d, 1000), 0);
    assert_int_equal(read_reply(&r, &len), -1);   /* queued */
    assert_int_equal(synack_driver_flush(r.d), 0);
    assert_int_equal(read_reply(&r, &len), 1);
    n = echo_request(f, 2, 56);
    assert_int_equal(send(r.q[1], f, n, 0), (ssize_t)n);
    assert_int_equal(synack_driver_run_once(r.d, 1000), 0);
    assert_int_equal(read_reply(&r, &len), -1);
    assert_int_equal(synack_driver_run_once(r.d, 0), 0);   /* the next round's wait sends it */
    assert_int_equal(read_reply(&r, &len), 2);
    synack_driver_defer_tx(r.d, 0);
    n = echo_request(f, 3, 56);
    assert_int_equal(send(r.q[1], f, n, 0), (ssize_t)n);
    assert_int_equal(synack_driver_run_once(r.d, 1000), 0);
    assert_int_equal(read_reply(&r, &len), 3);   /* at the round's end */
    /* Outside a round: at once, deferred or not. */
    struct synack_sockaddr peer = { synack_ip_from_v4(PEER), 9 };
    int s = synack_socket(r.st, SYNACK_SOCK_DGRAM);
    assert_true(s >= 0);
    assert_int_equal(synack_sendto(r.st, s, "x", 1, &peer, synack_clock_now()), 1);
    uint8_t g[256];
    assert_true(recv(r.q[1], g, sizeof(g), MSG_DONTWAIT) >= 29);
    synack_close(r.st, s, synack_clock_now());
    rig_down(&r);
}

/* A frame the device refuses is counted (LinkOutErrors), whether it was written at once or queued
 * and refused at its completion. The "device" here stops reading: its peer's writes fail. */
static void test_lost_write_counted(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    const char *backends[] = { NULL, "epoll" };
    for (int b = 0; b < 2; b++) {
        struct rig r;
        rig_up(&r, backends[b]);
        assert_int_equal(shutdown(r.q[1], SHUT_RD), 0);
        uint8_t f[256];
        size_t n = echo_request(f, 1, 56);
        assert_int_equal(send(r.q[1], f, n, 0), (ssize_t)n);
        for (int i = 0; i < 3; i++)
            assert_int_equal(synack_driver_run_once(r.d, 1000), 0);
        assert_int_equal(synack_counter_get(r.st, SYNACK_C_IcmpOutEchoReps), 1);
        assert_int_equal(synack_counter_get(r.st, SYNACK_C_LinkOutErrors), 1);
        rig_down(&r);
    }
}

/* Once the driver is freed, closing a port's fd releases the device at once: no request of the
 * ring still holds the file (a TAP would otherwise outlive its fd for a while, and a bridge whose
 * last port it was could not be removed). Here the "device" is a socket: its peer sees EOF. */
static void test_free_releases_port(void **state)
{
    (void)state;
    const char *backends[] = { NULL, "epoll" };
    for (int b = 0; b < 2; b++) {
        struct rig r;
        rig_up(&r, backends[b]);
        burst(&r, 3, 0);   /* the reads are armed and have run */
        synack_stack_free(r.st);
        synack_driver_free(r.d);
        close(r.q[0]);
        uint8_t f[64];
        assert_int_equal(recv(r.q[1], f, sizeof(f), MSG_DONTWAIT), 0);   /* EOF, not EAGAIN */
        close(r.q[1]);
    }
}

struct watch {
    int fd, calls, drain;
};

static void on_watch(void *arg, int fd, synack_time_t now)
{
    (void)now;
    struct watch *w = arg;
    w->calls++;
    if (w->drain) {
        uint64_t v;
        assert_int_equal(read(fd, &v, sizeof(v)), (ssize_t)sizeof(v));
    }
}

/* A watched fd is reported while it stays readable, and not after it was drained. */
static void test_watched_fd_level(void **state)
{
    (void)state;
    const char *backends[] = { NULL, "epoll" };
    for (int b = 0; b < 2; b++) {
        struct rig r;
        rig_up(&r, backends[b]);
        struct watch w = { .fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) };
        assert_true(w.fd >= 0);
        assert_int_equal(synack_driver_watch_fd(r.d, w.fd, on_watch, &w), 0);
        uint64_t one = 1;
        assert_int_equal(write(w.fd, &one, sizeof(one)), (ssize_t)sizeof(one));
        for (int i = 0; i < 3; i++)
            assert_int_equal(synack_driver_run_once(r.d, 100000), 0);
        assert_int_equal(w.calls, 3);   /* not drained: each round */
        w.drain = 1;
        assert_int_equal(synack_driver_run_once(r.d, 100000), 0);
        assert_int_equal(w.calls, 4);
        assert_int_equal(synack_driver_run_once(r.d, 1000), 0);
        assert_int_equal(w.calls, 4);   /* drained: quiet */
        assert_int_equal(synack_driver_unwatch_fd(r.d, w.fd), 0);
        close(w.fd);
        rig_down(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backend),
        cmocka_unit_test(test_burst_in_order),
        cmocka_unit_test(test_deferred_writes),
        cmocka_unit_test(test_watched_fd_level),
        cmocka_unit_test(test_lost_write_counted),
        cmocka_unit_test(test_free_releases_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
