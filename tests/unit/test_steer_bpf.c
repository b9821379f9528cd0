/* The kernel's steering program (src/os/steer_bpf.c) against user space's steering
 * (synack_shards_steer, src/os/shard.c): the program is loaded for a set of shards and run by the
 * kernel on frames (bpf(BPF_PROG_TEST_RUN)): TCP and UDP over IPv4 and IPv6, ICMP and ICMPv6
 * errors quoting our packets, fragments, ARP, neighbour discovery, on a TAP (Ethernet first) and a
 * TUN (IP first), for 2, 3 and 8 shards, then the same frames cut short and with a byte changed at
 * random. Wherever user space names one shard the program must name it; elsewhere it returns queue
 * 0 (then user space hands the frame over). The one exception, which the program leaves to user
 * space: an error quoting a packet of the other family. Loading needs CAP_BPF or CAP_SYS_ADMIN: the
 * test is skipped without them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>
#include "synack/os.h"
#include "synack/synack.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd();
}

/* The kernel runs the program on `frame`. The test run strips an Ethernet header before the
 * program sees the data (as for a socket filter on a received frame), so one is put in front. */
static int run(int prog, const uint8_t *frame, size_t len)
{
    uint8_t buf[2048];
    memset(buf, 0, 14);
    put16(buf + 12, 0x88b5);   /* IEEE local experimental: the test run parses no IP header */
    memcpy(buf + 14, frame, len);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.test.prog_fd = (uint32_t)prog;
    a.test.data_in = (uint64_t)(uintptr_t)buf;
    a.test.data_size_in = (uint32_t)(len + 14);
    a.test.repeat = 1;
    long r = syscall(__NR_bpf, BPF_PROG_TEST_RUN, &a, sizeof(a));
    if (r < 0) {
        fprintf(stderr, "BPF_PROG_TEST_RUN: %s\n", strerror(errno));
        return -1;
    }
    return (int)a.test.retval;
}

/* An ICMP error about a packet of the other family: user space places it, the program does not. */
static int err4(uint8_t t) { return t == 3 || t == 4 || t == 5 || t == 11 || t == 12; }
static int cross_quote(const uint8_t *ip, size_t len)
{
    if (len < 20)
        return 0;
    if ((ip[0] >> 4) == 4) {
        size_t ihl = (size_t)(ip[0] & 15) * 4;
        return ihl >= 20 && len > ihl + 8 && ip[9] == 1 && err4(ip[ihl]) && (ip[ihl + 8] >> 4) == 6;
    }
    if ((ip[0] >> 4) == 6)
        return len > 48 && ip[6] == 58 && ip[40] >= 1 && ip[40] <= 4 && (ip[48] >> 4) != 6;
    return 0;
}

static void ip4(uint8_t *p, uint8_t proto, int frag, int opts)
{
    fill(p, 20 + (size_t)opts * 4);
    p[0] = (uint8_t)(0x40 | (5 + opts));
    put16(p + 6, frag ? (rnd() & 1 ? 0x2000 : 0x0010) : 0x4000);
    p[9] = proto;
}

static void ip6(uint8_t *p, uint8_t nh)
{
    fill(p, 40);
    p[0] = 0x60;
    p[6] = nh;
}

/* A frame of kind k at ip (the IP header), its length. Kinds: 0 TCP/v4, 1 UDP/v4, 2 ICMP error
 * quoting TCP/UDP v4, 3 TCP/v6, 4 UDP/v6, 5 ICMPv6 error quoting v6, 6 v4 fragment, 7 v6 fragment
 * header, 8 ICMPv6 neighbour advertisement, 9 ICMP echo, 10 an error quoting the other family. */
#define KINDS 11
static size_t make(uint8_t *ip, int k)
{
    int opts = rnd() % 3 == 0 ? (int)(rnd() % 4) : 0;
    switch (k) {
    case 0:
    case 1:
        ip4(ip, k == 0 ? 6 : 17, 0, opts);
        fill(ip + 20 + opts * 4, 20);
        return 40 + (size_t)opts * 4;
    case 2: {
        ip4(ip, 1, 0, opts);
        uint8_t *m = ip + 20 + opts * 4;
        fill(m, 8);
        const uint8_t t[] = { 3, 4, 5, 11, 12 };
        m[0] = t[rnd() % 5];
        int in = rnd() % 2 ? (int)(rnd() % 3) : 0;
        ip4(m + 8, rnd() % 2 ? 6 : 17, 0, in);
        fill(m + 8 + 20 + in * 4, 8);
        return (size_t)(m - ip) + 8 + 28 + (size_t)in * 4;
    }
    case 3:
    case 4:
        ip6(ip, k == 3 ? 6 : 17);
        fill(ip + 40, 20);
        return 60;
    case 5:
        ip6(ip, 58);
        fill(ip + 40, 8);
        ip[40] = (uint8_t)(1 + rnd() % 4);
        ip6(ip + 48, rnd() % 2 ? 6 : 17);
        fill(ip + 88, 8);
        return 96;
    case 6:
        ip4(ip, 17, 1, opts);
        fill(ip + 20 + opts * 4, 16);
        return 36 + (size_t)opts * 4;
    case 7:
        ip6(ip, 44);
        fill(ip + 40, 16);
        return 56;
    case 8:
        ip6(ip, 58);
        fill(ip + 40, 24);
        ip[40] = 136;
        return 64;
    case 9:
        ip4(ip, 1, 0, 0);
        fill(ip + 20, 8);
        ip[20] = 8;
        return 28;
    default:
        if (rnd() % 2) {
            ip4(ip, 1, 0, 0);
            fill(ip + 20, 8);
            ip[20] = 3;
            ip6(ip + 28, 6);
            fill(ip + 68, 8);
            return 76;
        }
        ip6(ip, 58);
        fill(ip + 40, 8);
        ip[40] = 1;
        ip4(ip + 48, 6, 0, 0);
        fill(ip + 68, 8);
        return 76;
    }
}

/* Compares program and user space on `frame`; returns 1 if user space named one shard. */
static int check(synack_shards_t *g, int prog, const uint8_t *frame, size_t len, int ethernet)
{
    int user = synack_shards_steer(g, frame, len);
    int kern = run(prog, frame, len);
    const uint8_t *ip = ethernet ? frame + 14 : frame;
    size_t iplen = ethernet ? (len >= 14 ? len - 14 : 0) : len;
    int is_v4 = !ethernet || (len >= 14 && frame[12] == 0x08 && frame[13] == 0x00);
    int is_v6 = !ethernet || (len >= 14 && frame[12] == 0x86 && frame[13] == 0xdd);
    int want = user >= 0 ? user : 0;
    if (user >= 0 && (is_v4 || is_v6) && cross_quote(ip, iplen))
        want = 0;
    if (kern != want) {
        fprintf(stderr, "frame of %zu bytes: user space %d, program %d:", len, user, kern);
        for (size_t i = 0; i < len && i < 128; i++)
            fprintf(stderr, " %02x", frame[i]);
        fprintf(stderr, "\n");
    }
    assert_int_equal(kern, want);
    return user >= 0 && want == user;
}

static void compare(unsigned n, int link_kind)
{
    synack_shards_t *g = synack_shards_new(n, link_kind);
    assert_non_null(g);
    char log[65536];
    int prog = synack_shards_bpf_program(g, log, sizeof(log));
    if (prog == -EPERM || prog == -ENOSYS) {
        synack_shards_free(g);
        skip();
    }
    if (prog < 0)
        fprintf(stderr, "the verifier refused the program: %s\n%s\n", strerror(-prog), log);
    assert_true(prog >= 0);
    int ethernet = link_kind == SYNACK_IF_ETHERNET;
    unsigned placed = 0, seen[SYNACK_SHARDS_MAX] = { 0 };
    for (int i = 0; i < 3000; i++) {
        uint8_t f[1024];
        size_t off = 0;
        int k = i % (KINDS + 1);
        if (ethernet) {
            fill(f, 12);
            put16(f + 12, k == KINDS ? 0x0806 : 0x0800);   /* ARP, or IP (the version decides) */
            off = 14;
        }
        size_t len = off + make(f + off, k == KINDS ? 0 : k);
        if (ethernet && k != KINDS && (f[14] >> 4) == 6)
            put16(f + 12, 0x86dd);
        int user = synack_shards_steer(g, f, len);
        if (check(g, prog, f, len, ethernet)) {
            placed++;
            seen[user]++;
        }
        /* Cut short, and a byte changed. */
        check(g, prog, f, (size_t)(rnd() % (len + 1)), ethernet);
        f[rnd() % len] = (uint8_t)rnd();
        check(g, prog, f, len, ethernet);
    }
    assert_true(placed > 1000);
    for (unsigned s = 0; s < n; s++)
        assert_true(seen[s] > placed / n / 2);   /* every queue is named */
    close(prog);
    synack_shards_free(g);
}

static void test_tap_2(void **state)
{
    (void)state;
    compare(2, SYNACK_IF_ETHERNET);
}

static void test_tap_3(void **state)
{
    (void)state;
    compare(3, SYNACK_IF_ETHERNET);
}

static void test_tun_2(void **state)
{
    (void)state;
    compare(2, SYNACK_IF_RAWIP);
}

static void test_tun_8(void **state)
{
    (void)state;
    compare(8, SYNACK_IF_RAWIP);
}

/* Without a device the ioctl fails and nothing is left on: the set says steering is off. */
static void test_not_a_device(void **state)
{
    (void)state;
    synack_shards_t *g = synack_shards_new(2, SYNACK_IF_ETHERNET);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_true(synack_shards_steer_in_kernel(g, fds[0], NULL, 0) < 0);
    assert_int_equal(synack_shards_kernel_steering(g), 0);
    assert_int_equal(synack_shards_steer_in_kernel(g, -1, NULL, 0), -EINVAL);
    assert_true(synack_tap_set_steering(fds[0], -1) < 0);
    close(fds[0]);
    close(fds[1]);
    synack_shards_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tap_2), cmocka_unit_test(test_tap_3),         cmocka_unit_test(test_tun_2),
        cmocka_unit_test(test_tun_8), cmocka_unit_test(test_not_a_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
