/* Sim tier: IPv6 between two stacks over the simulated Ethernet link.
 *
 *  - addresses: link-local and static addresses go through DAD (tentative for a second, then
 *    preferred); the same static address on both stacks is found duplicate on the later one;
 *  - ND: the first packet to a neighbour waits for resolution (NS to the solicited-node group, NA
 *    back) and then flows; resolution under 30 % loss still completes;
 *  - ping over IPv6, also with a payload that needs fragments (3000 bytes over MTU 1500);
 *  - UDP over IPv6 with a 3000-byte datagram (fragmented and reassembled);
 *  - TCP over IPv6 both ways, 1 MB each under loss, checked byte by byte; MSS from the IPv6 header;
 *  - a dual-stack listener on :: reached by IPv4 (peer shown IPv4) and IPv6; with IPV6_V6ONLY the
 *    IPv4 SYN is refused by RST;
 *  - both families at once through that listener under loss, duplication and reordering. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>

#include "lib/simpair.h"

static struct synack_ip ip6(const char *s)
{
    struct synack_ip a;
    if (synack_ip_parse(s, &a) != 0)
        abort();
    return a;
}

static void setup(struct simpair *p, const struct synack_simlink_config *lc, uint64_t seed)
{
    assert_int_equal(sp_init(p, lc, NULL, seed, 0), 0);
    struct synack_ip a = ip6("2001:db8::1"), b = ip6("2001:db8::2");
    assert_int_equal(synack_if_add_addr6(p->st[0], p->ifi[0], &a, 64, sp_now(p)), 0);
    assert_int_equal(synack_if_add_addr6(p->st[1], p->ifi[1], &b, 64, sp_now(p)), 0);
}

static int addr_state(synack_stack_t *st, int ifi, const char *text)
{
    struct synack_if_addr v[8];
    int n = synack_if_addrs(st, ifi, v, 8);
    struct synack_ip want = ip6(text);
    for (int i = 0; i < n && i < 8; i++)
        if (synack_ip_equal(&v[i].addr, &want))
            return (int)v[i].state;
    return 0;
}

static void dad_then_preferred(void **state)
{
    (void)state;
    struct simpair p;
    setup(&p, NULL, 1);
    assert_int_equal(addr_state(p.st[0], p.ifi[0], "2001:db8::1"), SYNACK_ADDR_TENTATIVE);
    assert_int_equal(addr_state(p.st[0], p.ifi[0], "fe80::ff:fe00:1"), SYNACK_ADDR_TENTATIVE);
    /* A tentative address is not ours yet: no source for a packet. */
    struct synack_ip b = ip6("2001:db8::2");
    assert_int_equal(synack_ping(p.st[0], &b, 1, 1, "x", 1, sp_now(&p)), -EADDRNOTAVAIL);
    sp_run(&p, SYNACK_MS(1500));
    assert_int_equal(addr_state(p.st[0], p.ifi[0], "2001:db8::1"), SYNACK_ADDR_PREFERRED);
    assert_int_equal(addr_state(p.st[0], p.ifi[0], "fe80::ff:fe00:1"), SYNACK_ADDR_PREFERRED);
    assert_true(CTR(p.st[0], Icmp6OutNeighborSolicits) >= 2);   /* one DAD probe per address */
    assert_true(CTR(p.st[0], Icmp6OutMLDv2Reports) >= 1);
    /* The IPv4 address is listed first. */
    struct synack_if_addr v[8];
    assert_int_equal(synack_if_addrs(p.st[0], p.ifi[0], v, 8), 3);
    assert_true(synack_ip_is_v4(&v[0].addr));
    sp_free(&p);
}

static void dad_finds_duplicate(void **state)
{
    (void)state;
    struct simpair p;
    setup(&p, NULL, 2);
    sp_run(&p, SYNACK_MS(1500));
    /* Stack 1 adds the address stack 0 already has: stack 0 defends it, stack 1 marks it. */
    struct synack_ip a = ip6("2001:db8::1");
    assert_int_equal(synack_if_add_addr6(p.st[1], p.ifi[1], &a, 64, sp_now(&p)), 0);
    sp_run(&p, SYNACK_MS(1500));
    assert_int_equal(addr_state(p.st[1], p.ifi[1], "2001:db8::1"), SYNACK_ADDR_DUPLICATE);
    assert_int_equal(addr_state(p.st[0], p.ifi[0], "2001:db8::1"), SYNACK_ADDR_PREFERRED);
    assert_int_equal(CTR(p.st[1], Ip6DadDuplicates), 1);
    sp_free(&p);
}

struct echo_seen {
    unsigned n;
    uint16_t seq;
    size_t len;
    struct synack_ip from;
};

static void echo_trace(void *ctx, const struct synack_trace_event *e)
{
    struct echo_seen *s = ctx;
    if (e->kind == SYNACK_TR_ICMP_ECHO_REPLY) {
        s->n++;
        s->seq = e->echo_seq;
        s->len = e->len;
        s->from = e->remote.addr;
    }
}

static void ping6(void **state)
{
    (void)state;
    struct simpair p;
    setup(&p, NULL, 3);
    sp_run(&p, SYNACK_MS(1500));
    struct echo_seen seen = { 0 };
    synack_stack_set_trace(p.st[0], echo_trace, &seen);
    struct synack_ip b = ip6("2001:db8::2");
    static uint8_t big[3000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 7);
    assert_int_equal(synack_ping(p.st[0], &b, 9, 1, big, 56, sp_now(&p)), 0);
    sp_run(&p, SYNACK_MS(100));
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.seq, 1);
    assert_true(synack_ip_equal(&seen.from, &b));
    assert_int_equal(seen.len, 40 + 8 + 56);
    assert_int_equal(CTR(p.st[0], Icmp6OutNeighborSolicits) - 2, 1);   /* resolution of ::2 */
    /* 3000 bytes: three fragments each way, reassembled. */
    assert_int_equal(synack_ping(p.st[0], &b, 9, 2, big, sizeof(big), sp_now(&p)), 0);
    sp_run(&p, SYNACK_MS(100));
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.len, 40 + 8 + sizeof(big));
    assert_int_equal(CTR(p.st[0], Ip6FragCreates), 3);
    assert_int_equal(CTR(p.st[1], Ip6ReasmOKs), 1);
    assert_int_equal(CTR(p.st[0], Ip6ReasmOKs), 1);
    sp_free(&p);
}

static void nd_under_loss(void **state)
{
    (void)state;
    struct synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.loss = 0.3;
    lc.seed = 77;
    unsigned ok = 0;
    for (uint64_t seed = 10; seed < 20; seed++) {
        struct simpair p;
        lc.seed = seed;
        setup(&p, &lc, seed);
        sp_run(&p, SYNACK_MS(1500));
        struct echo_seen seen = { 0 };
        synack_stack_set_trace(p.st[0], echo_trace, &seen);
        struct synack_ip b = ip6("2001:db8::2");
        for (int i = 0; i < 10 && !seen.n; i++) {
            synack_ping(p.st[0], &b, 1, (uint16_t)i, "abc", 3, sp_now(&p));
            sp_run(&p, SYNACK_MS(1000));
        }
        ok += seen.n > 0;
        sp_free(&p);
    }
    assert_true(ok >= 9);
}

static void udp6_fragmented(void **state)
{
    (void)state;
    struct simpair p;
    setup(&p, NULL, 4);
    sp_run(&p, SYNACK_MS(1500));
    int srv = synack_socket(p.st[1], SYNACK_SOCK_DGRAM), cli = synack_socket(p.st[0], SYNACK_SOCK_DGRAM);
    struct synack_sockaddr any = { synack_ip_any6(), 7 }, to = { ip6("2001:db8::2"), 7 }, from;
    assert_int_equal(synack_bind(p.st[1], srv, &any), 0);
    static uint8_t msg[3000], got[4000];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 13 + 1);
    assert_int_equal(synack_sendto(p.st[0], cli, msg, sizeof(msg), &to, sp_now(&p)), (int)sizeof(msg));
    sp_run(&p, SYNACK_MS(50));
    assert_int_equal(synack_recvfrom(p.st[1], srv, got, sizeof(got), &from, sp_now(&p)), (int)sizeof(msg));
    assert_memory_equal(got, msg, sizeof(msg));
    struct synack_ip a = ip6("2001:db8::1");
    assert_true(synack_ip_equal(&from.addr, &a));
    assert_int_equal(CTR(p.st[1], Ip6ReasmOKs), 1);
    /* A datagram to a closed port gets a port unreachable; a connected socket hears it. */
    struct synack_sockaddr closed = { ip6("2001:db8::2"), 9 };
    assert_int_equal(synack_connect(p.st[0], cli, &closed, sp_now(&p)), 0);
    assert_int_equal(synack_sendto(p.st[0], cli, "x", 1, NULL, sp_now(&p)), 1);
    sp_run(&p, SYNACK_MS(50));
    assert_int_equal(CTR(p.st[1], Icmp6OutDestUnreachs), 1);
    assert_int_equal(synack_socket_error(p.st[0], cli), -ECONNREFUSED);
    sp_free(&p);
}

/* Moves `total` bytes each way over each of n connected pairs at once (client a[i] on stack 0,
 * server b[i] on stack 1), checking every byte. */
static void transfer_n(struct simpair *p, const int *a, const int *b, int n, size_t total)
{
    static uint8_t buf[65536];
    size_t sent[4][2] = { { 0 } }, rcvd[4][2] = { { 0 } };
    for (int round = 0; round < 200000; round++) {
        int done = 1;
        for (int k = 0; k < n; k++)
            done &= rcvd[k][0] == total && rcvd[k][1] == total;
        if (done)
            break;
        for (int k = 0; k < n; k++)
            for (int side = 0; side < 2; side++) {
                int s = side ? b[k] : a[k];
                while (sent[k][side] < total) {
                    size_t m = total - sent[k][side] < sizeof(buf) ? total - sent[k][side] : sizeof(buf);
                    for (size_t i = 0; i < m; i++)
                        buf[i] = (uint8_t)((sent[k][side] + i) * (side ? 7 : 3) + (size_t)k);
                    int r = synack_send(p->st[side], s, buf, m, sp_now(p));
                    if (r <= 0)
                        break;
                    sent[k][side] += (size_t)r;
                }
            }
        sp_run(p, SYNACK_MS(2));
        for (int k = 0; k < n; k++)
            for (int side = 0; side < 2; side++) {
                int s = side ? b[k] : a[k], r;
                while ((r = synack_recv(p->st[side], s, buf, sizeof(buf), sp_now(p))) > 0) {
                    for (int i = 0; i < r; i++)
                        if (buf[i] != (uint8_t)((rcvd[k][side] + (size_t)i) * (side ? 3 : 7) + (size_t)k))
                            fail_msg("pair %d: byte %zu differs", k, rcvd[k][side] + (size_t)i);
                    rcvd[k][side] += (size_t)r;
                }
            }
    }
    for (int k = 0; k < n; k++) {
        assert_int_equal(rcvd[k][0], total);
        assert_int_equal(rcvd[k][1], total);
    }
}

static void transfer(struct simpair *p, int a, int b, size_t total) { transfer_n(p, &a, &b, 1, total); }

static int open_pair(struct simpair *p, const struct synack_sockaddr *listen_on, const struct synack_sockaddr *to,
                     int v6only, int *srv_out, struct synack_sockaddr *peer)
{
    int l = synack_socket(p->st[1], SYNACK_SOCK_STREAM);
    if (v6only)
        assert_int_equal(synack_setsockopt(p->st[1], l, SYNACK_IPV6_V6ONLY, 1, sp_now(p)), 0);
    assert_int_equal(synack_bind(p->st[1], l, listen_on), 0);
    assert_int_equal(synack_listen(p->st[1], l, 8), 0);
    int c = synack_socket(p->st[0], SYNACK_SOCK_STREAM);
    assert_int_equal(synack_connect(p->st[0], c, to, sp_now(p)), -EINPROGRESS);
    sp_run(p, SYNACK_MS(300));
    *srv_out = synack_accept(p->st[1], l, peer, sp_now(p));
    return c;
}

static void tcp6_transfer_under_loss(void **state)
{
    (void)state;
    struct synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.latency = SYNACK_MS(5);
    lc.loss = 0.01;
    lc.seed = 5;
    struct simpair p;
    setup(&p, &lc, 5);
    sp_run(&p, SYNACK_MS(1500));
    struct synack_sockaddr any = { synack_ip_any6(), 80 }, to = { ip6("2001:db8::2"), 80 }, peer;
    int srv = -1;
    int c = open_pair(&p, &any, &to, 0, &srv, &peer);
    assert_true(srv >= 0);
    struct synack_ip a = ip6("2001:db8::1");
    assert_true(synack_ip_equal(&peer.addr, &a));
    struct synack_tcp_info ti;
    assert_int_equal(synack_tcp_info(p.st[0], c, &ti), 0);
    assert_int_equal(ti.rcv_mss, 1500 - 40 - 20);   /* the MSS announced: MTU less IPv6 and TCP headers */
    transfer(&p, c, srv, 1 << 20);
    sp_free(&p);
}

static void dual_stack_listener(void **state)
{
    (void)state;
    struct simpair p;
    setup(&p, NULL, 6);
    sp_run(&p, SYNACK_MS(1500));
    struct synack_sockaddr any = { synack_ip_any6(), 80 }, to4 = synack_sockaddr_from_v4(0x0a000002u, 80), peer;
    int srv = -1;
    int c = open_pair(&p, &any, &to4, 0, &srv, &peer);
    assert_true(srv >= 0);
    assert_true(synack_ip_is_v4(&peer.addr));
    assert_int_equal(synack_ip_to_v4(&peer.addr), 0x0a000001u);
    transfer(&p, c, srv, 100000);
    sp_free(&p);

    /* IPV6_V6ONLY: the IPv4 SYN finds no listener and is reset; IPv6 still connects. */
    setup(&p, NULL, 7);
    sp_run(&p, SYNACK_MS(1500));
    any.port = 81;
    to4.port = 81;
    c = open_pair(&p, &any, &to4, 1, &srv, &peer);
    assert_true(srv < 0);
    assert_int_equal(synack_socket_error(p.st[0], c), -ECONNREFUSED);
    struct synack_sockaddr to6 = { ip6("2001:db8::2"), 81 };
    int c6 = synack_socket(p.st[0], SYNACK_SOCK_STREAM);
    assert_int_equal(synack_connect(p.st[0], c6, &to6, sp_now(&p)), -EINPROGRESS);
    sp_run(&p, SYNACK_MS(300));
    assert_true(synack_socket_events(p.st[0], c6) & SYNACK_EV_OUT);
    sp_free(&p);
}

/* Both families at once through one dual-stack listener, under loss, duplication and reordering. */
static void dual_stack_under_loss(void **state)
{
    (void)state;
    struct synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.latency = SYNACK_MS(5);
    lc.loss = 0.02;
    lc.duplicate = 0.01;
    lc.reorder = 0.02;
    lc.reorder_delay = SYNACK_MS(3);
    lc.seed = 8;
    struct simpair p;
    setup(&p, &lc, 8);
    sp_run(&p, SYNACK_MS(3000));   /* DAD, with its solicitations exposed to the loss too */
    int l = synack_socket(p.st[1], SYNACK_SOCK_STREAM);
    struct synack_sockaddr any = { synack_ip_any6(), 80 };
    assert_int_equal(synack_bind(p.st[1], l, &any), 0);
    assert_int_equal(synack_listen(p.st[1], l, 8), 0);
    struct synack_sockaddr to[2] = { { ip6("2001:db8::2"), 80 }, synack_sockaddr_from_v4(0x0a000002u, 80) };
    int a[2], b[2];
    for (int k = 0; k < 2; k++) {
        a[k] = synack_socket(p.st[0], SYNACK_SOCK_STREAM);
        assert_int_equal(synack_connect(p.st[0], a[k], &to[k], sp_now(&p)), -EINPROGRESS);
    }
    int got = 0;
    for (int i = 0; i < 200 && got < 2; i++) {
        sp_run(&p, SYNACK_MS(50));
        struct synack_sockaddr peer;
        int s;
        while (got < 2 && (s = synack_accept(p.st[1], l, &peer, sp_now(&p))) >= 0) {
            /* Pair each accepted socket with the client of its family. */
            b[synack_ip_is_v4(&peer.addr) ? 1 : 0] = s;
            got++;
        }
    }
    assert_int_equal(got, 2);
    transfer_n(&p, a, b, 2, 300000);
    assert_true(CTR(p.st[0], TcpRetransSegs) + CTR(p.st[1], TcpRetransSegs) > 0);   /* the loss was felt */
    sp_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dad_then_preferred),
        cmocka_unit_test(dad_finds_duplicate),
        cmocka_unit_test(ping6),
        cmocka_unit_test(nd_under_loss),
        cmocka_unit_test(udp6_fragmented),
        cmocka_unit_test(tcp6_transfer_under_loss),
        cmocka_unit_test(dual_stack_listener),
        cmocka_unit_test(dual_stack_under_loss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
