/* The socket API's contracts with the stack.
 *
 * The entry bracket: a call that transmits stamps what it sends with the `now` it was given, and
 * the socket events raised while it works (here: by a link that hands a peer's segment straight
 * back, inside the transmit) reach the handler after the call's own work is done, before it
 * returns, and never in the middle of it.
 *
 * Handles: a closed socket's slot is reused, but its handle is not: every call given the old
 * handle fails with -EBADF, the new socket in the same slot works. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "socket/sock.h"
#include "synack/synack.h"
#include "wire/bytes.h"
#include "wire/csum.h"
#include "wire/ip4.h"
#include "wire/tcp.h"

#define US 0xC0000201u
#define PEER 0xC0000202u
#define PEER_ISS 5000u

struct link {
    synack_stack_t *st;
    int ifx;
    unsigned frames;
    size_t last_dlen;            /* TCP payload bytes of the last frame */
    synack_time_t last_now;      /* the `now` the stack gave the link for it */
    uint32_t last_seq_end;       /* sequence number after the last frame (SYN counted) */
    int answer;                  /* 1: answer the next data frame with a peer data segment, inside tx */
    int in_tx;                   /* the answer is being processed (we are inside the stack's transmit) */
};

/* A segment from PEER:80 to US:7000 (an MSS option on a SYN). */
static void inject(synack_stack_t *st, int ifx, uint32_t seq, uint32_t ack, uint8_t flags, const char *data,
                   synack_time_t now)
{
    uint8_t pkt[200];
    memset(pkt, 0, sizeof(pkt));
    size_t dlen = data ? strlen(data) : 0;
    size_t hl = flags & TCP_SYN ? 24 : 20;
    uint8_t *t = pkt + 20;
    wire_put16(t, 80);
    wire_put16(t + 2, 7000);
    wire_put32(t + 4, seq);
    wire_put32(t + 8, ack);
    t[12] = (uint8_t)((hl / 4) << 4);
    t[13] = flags;
    wire_put16(t + 14, 65535);
    if (hl == 24) {
        t[20] = 2;
        t[21] = 4;
        wire_put16(t + 22, 1460);
    }
    memcpy(t + hl, data ? data : "", dlen);
    size_t tl = hl + dlen;
    wire_put16(t + 16, wire_csum_finish(wire_csum_partial(t, tl, wire_csum_pseudo(PEER, US, 6, (uint16_t)tl))));
    struct ip4_hdr ip = { .ihl = 20, .total_len = (uint16_t)(20 + tl), .ttl = 64, .proto = 6, .src = PEER, .dst = US };
    ip4_build(pkt, &ip);
    synack_if_input(st, ifx, pkt, 20 + tl, now);
}

static int link_tx(void *ctx, const uint8_t *f, size_t len, synack_time_t now)
{
    struct link *l = ctx;
    struct ip4_hdr ip;
    if (ip4_parse(f, len, &ip) != WIRE_OK || ip.proto != IP4_PROTO_TCP)
        return 0;
    const uint8_t *t = f + ip.ihl;
    size_t dlen = ip.total_len - ip.ihl - (t[12] >> 4) * 4u;
    l->frames++;
    l->last_dlen = dlen;
    l->last_now = now;
    l->last_seq_end = wire_get32(t + 4) + (uint32_t)dlen + !!(t[13] & TCP_SYN);
    if (l->answer && dlen) {
        /* A link that answers at once: the peer's data arrives while the stack is still sending. */
        l->answer = 0;
        l->in_tx = 1;
        inject(l->st, l->ifx, PEER_ISS + 1, wire_get32(t + 4) - 1000, TCP_ACK | TCP_PSH, "pong", now);
        l->in_tx = 0;
    }
    return 0;
}

struct seen {
    struct link *l;
    int calls;
    unsigned events;
    synack_time_t now;
    int during_tx;               /* the handler ran inside the link's transmit: in the stack's middle */
    int during_call;             /* the handler ran before the API call returned */
    int in_call;
};

static void handler(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    struct seen *s = arg;
    s->calls++;
    s->events |= events;
    s->now = now;
    s->during_tx |= s->l->in_tx;
    s->during_call |= s->in_call;
}

/* Connects 7000 -> PEER:80 and completes the handshake; returns the socket. */
static int connected(struct link *l, struct synack_stack **out)
{
    struct synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, 9);
    synack_stack_t *st = synack_stack_new(&cfg);
    assert_non_null(st);
    struct synack_if_config ic = { .name = "t", .kind = SYNACK_IF_RAWIP, .addr = US, .prefix_len = 24, .mtu = 1500,
                                   .tx = link_tx, .tx_ctx = l };
    l->st = st;
    l->ifx = synack_if_add(st, &ic);
    assert_true(l->ifx >= 0);
    int s = synack_socket(st, SYNACK_SOCK_STREAM);
    struct synack_sockaddr la = { synack_ip_any6(), 7000 }, pa = synack_sockaddr_from_v4(PEER, 80);
    assert_int_equal(synack_bind(st, s, &la), 0);
    assert_int_equal(synack_connect(st, s, &pa, 1000), -EINPROGRESS);
    inject(st, l->ifx, PEER_ISS, l->last_seq_end, TCP_SYN | TCP_ACK, NULL, 2000);
    *out = st;
    return s;
}

/* setsockopt(TCP_NODELAY) sends what Nagle held back: at the `now` it is given, and the event
 * raised meanwhile (the peer's answer, handed back inside the transmit) reaches the handler once
 * the flush is over, before setsockopt returns. */
static void nodelay_flush_in_bracket(void **state)
{
    static struct link l;
    memset(&l, 0, sizeof(l));
    synack_stack_t *st;
    int s = connected(&l, &st);
    static char big[1000];
    memset(big, 'a', sizeof(big));
    assert_int_equal(synack_send(st, s, big, sizeof(big), 3000), 1000);
    assert_int_equal(l.last_dlen, 1000);
    unsigned frames = l.frames;
    assert_int_equal(synack_send(st, s, "tail", 4, 4000), 4);
    assert_int_equal(l.frames, frames);   /* Nagle: held while 1000 bytes are unacknowledged */

    struct seen seen = { .l = &l };
    assert_int_equal(synack_socket_set_handler(st, s, handler, &seen), 0);
    l.answer = 1;
    seen.in_call = 1;
    assert_int_equal(synack_setsockopt(st, s, SYNACK_TCP_NODELAY, 1, 5000), 0);
    seen.in_call = 0;
    assert_true(l.frames > frames);
    assert_int_equal(l.answer, 0);        /* the tail went out (and was answered) */
    assert_int_equal(seen.calls, 1);
    assert_true(seen.events & SYNACK_EV_IN);
    assert_int_equal(seen.now, 5000);
    assert_false(seen.during_tx);
    assert_true(seen.during_call);
    char buf[16];
    assert_int_equal(synack_recv(st, s, buf, sizeof(buf), 6000), 4);
    assert_memory_equal(buf, "pong", 4);
    synack_stack_free(st);
}

/* The tail's segment carries the time setsockopt was given, not the time of the last entry. */
static void nodelay_flush_stamped_with_now(void **state)
{
    static struct link l;
    memset(&l, 0, sizeof(l));
    synack_stack_t *st;
    int s = connected(&l, &st);
    static char big[1000];
    memset(big, 'b', sizeof(big));
    assert_int_equal(synack_send(st, s, big, sizeof(big), 3000), 1000);
    assert_int_equal(synack_send(st, s, "tail", 4, 4000), 4);
    assert_int_equal(synack_setsockopt(st, s, SYNACK_TCP_NODELAY, 1, 7777), 0);
    assert_int_equal(l.last_dlen, 4);
    assert_int_equal(l.last_now, 7777);
    synack_stack_free(st);
}

/* Every call taking a socket, given a handle that names no open socket. */
static void all_fail_ebadf(synack_stack_t *st, int h)
{
    struct synack_sockaddr a = { synack_ip_any6(), 9 }, pa = synack_sockaddr_from_v4(PEER, 80);
    struct synack_tcp_info ti;
    char buf[8];
    int v;
    assert_int_equal(synack_bind(st, h, &a), -EBADF);
    assert_int_equal(synack_getsockname(st, h, &a), -EBADF);
    assert_int_equal(synack_getpeername(st, h, &a), -EBADF);
    assert_int_equal(synack_sendto(st, h, "x", 1, &pa, 10), -EBADF);
    assert_int_equal(synack_recvfrom(st, h, buf, sizeof(buf), &a, 10), -EBADF);
    assert_int_equal(synack_connect(st, h, &pa, 10), -EBADF);
    assert_int_equal(synack_listen(st, h, 1), -EBADF);
    assert_int_equal(synack_accept(st, h, &a, 10), -EBADF);
    assert_int_equal(synack_send(st, h, "x", 1, 10), -EBADF);
    assert_int_equal(synack_recv(st, h, buf, sizeof(buf), 10), -EBADF);
    assert_int_equal(synack_shutdown(st, h, SYNACK_SHUT_WR, 10), -EBADF);
    assert_int_equal(synack_setsockopt(st, h, SYNACK_TCP_NODELAY, 1, 10), -EBADF);
    assert_int_equal(synack_getsockopt(st, h, SYNACK_TCP_NODELAY, &v), -EBADF);
    assert_int_equal(synack_tcp_info(st, h, &ti), -EBADF);
    assert_int_equal(synack_socket_set_handler(st, h, handler, NULL), -EBADF);
    assert_int_equal(synack_socket_error(st, h), -EBADF);
    assert_int_equal(synack_socket_events(st, h), SYNACK_EV_ERR);
    assert_int_equal(synack_close(st, h, 10), -EBADF);
}

static synack_stack_t *plain_stack(struct link *l)
{
    struct synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, 11);
    synack_stack_t *st = synack_stack_new(&cfg);
    assert_non_null(st);
    struct synack_if_config ic = { .name = "t", .kind = SYNACK_IF_RAWIP, .addr = US, .prefix_len = 24, .mtu = 1500,
                                   .tx = link_tx, .tx_ctx = l };
    l->st = st;
    l->ifx = synack_if_add(st, &ic);
    return st;
}

/* Open, close, open again: the same slot, a new handle; the old one is dead for every call. */
static void stale_handle_ebadf(void **state)
{
    static struct link l;
    memset(&l, 0, sizeof(l));
    synack_stack_t *st = plain_stack(&l);
    for (int type = SYNACK_SOCK_STREAM; type <= SYNACK_SOCK_DGRAM; type++) {
        int old = synack_socket(st, (enum synack_sock_type)type);
        assert_true(old >= 0);
        assert_int_equal(synack_close(st, old, 1), 0);
        int h = synack_socket(st, (enum synack_sock_type)type);
        assert_true(h >= 0);
        assert_int_equal(h & (int)SOCK_SLOT_MASK, old & (int)SOCK_SLOT_MASK);   /* the slot is reused */
        assert_int_not_equal(h, old);
        all_fail_ebadf(st, old);
        /* The new socket works (and the failed calls above did not touch it). */
        struct synack_sockaddr a = { synack_ip_any6(), 4321 }, got;
        assert_int_equal(synack_bind(st, h, &a), 0);
        assert_int_equal(synack_getsockname(st, h, &got), 0);
        assert_int_equal(got.port, 4321);
        if (type == SYNACK_SOCK_STREAM) {
            assert_int_equal(synack_listen(st, h, 4), 0);
            assert_int_equal(synack_accept(st, h, NULL, 2), -EAGAIN);
        } else {
            char buf[4];
            assert_int_equal(synack_recvfrom(st, h, buf, sizeof(buf), NULL, 2), -EAGAIN);
        }
        assert_int_equal(synack_close(st, h, 3), 0);
        all_fail_ebadf(st, h);
    }
    /* Handles that were never given out. */
    all_fail_ebadf(st, -1);
    all_fail_ebadf(st, 12345);
    synack_stack_free(st);
}

/* Many cycles on one slot: every handle is non-negative, each one dies with its socket, and no
 * handle comes back before the slot's generation has gone all the way round. */
static void many_cycles_one_slot(void **state)
{
    static struct link l;
    memset(&l, 0, sizeof(l));
    synack_stack_t *st = plain_stack(&l);
    int keep = synack_socket(st, SYNACK_SOCK_DGRAM);   /* slot 0 stays busy: the cycles use slot 1 */
    assert_true(keep >= 0);
    enum { ROUND = (int)SOCK_GEN_MAX + 1 };
    static int seen[ROUND];
    int prev = -1, slot = -1;
    for (int i = 0; i < 3 * ROUND; i++) {
        int h = synack_socket(st, i % 2 ? SYNACK_SOCK_DGRAM : SYNACK_SOCK_STREAM);
        assert_true(h >= 0);
        if (slot < 0)
            slot = h & (int)SOCK_SLOT_MASK;
        assert_int_equal(h & (int)SOCK_SLOT_MASK, slot);
        if (i < ROUND) {
            for (int k = 0; k < i; k++)
                assert_int_not_equal(seen[k], h);
            seen[i] = h;
        } else {
            assert_int_equal(h, seen[i % ROUND]);   /* after a full round the generation wraps */
        }
        if (prev >= 0)
            assert_int_equal(synack_getsockname(st, prev, &(struct synack_sockaddr){ synack_ip_any6(), 0 }), -EBADF);
        assert_int_equal(synack_socket_error(st, h), 0);
        assert_int_equal(synack_close(st, h, (synack_time_t)i), 0);
        assert_int_equal(synack_close(st, h, (synack_time_t)i), -EBADF);
        prev = h;
    }
    assert_int_equal(synack_socket_error(st, keep), 0);
    synack_stack_free(st);
}

/* The families on a stack with IPv6 off: an IPv6 address is no address of ours and has no route;
 * either family's unspecified address binds to every local address; a socket bound to 0.0.0.0 is
 * IPv4's and refuses an IPv6 peer (-EAFNOSUPPORT), one bound to :: takes both. */
static void families_ipv6_off(void **state)
{
    static struct link l;
    memset(&l, 0, sizeof(l));
    synack_stack_t *st = plain_stack(&l);
    struct synack_sockaddr v6;
    assert_int_equal(synack_sockaddr_parse("[2001:db8::2]:80", &v6), 0);
    for (int type = SYNACK_SOCK_STREAM; type <= SYNACK_SOCK_DGRAM; type++) {
        int s = synack_socket(st, (enum synack_sock_type)type);
        assert_int_equal(synack_bind(st, s, &v6), -EADDRNOTAVAIL);
        assert_int_equal(synack_connect(st, s, &v6, 1), -ENETUNREACH);
        if (type == SYNACK_SOCK_DGRAM)
            assert_int_equal(synack_sendto(st, s, "x", 1, &v6, 1), -ENETUNREACH);
        struct synack_sockaddr any6 = { synack_ip_any6(), 0 }, got;
        assert_int_equal(synack_bind(st, s, &any6), 0);
        assert_int_equal(synack_getsockname(st, s, &got), 0);
        assert_true(synack_ip_is_unspecified(&got.addr));
        assert_true(got.port != 0);   /* an ephemeral port */
        assert_int_equal(synack_close(st, s, 2), 0);
        s = synack_socket(st, (enum synack_sock_type)type);
        struct synack_sockaddr any4 = synack_sockaddr_from_v4(0, 0);
        assert_int_equal(synack_bind(st, s, &any4), 0);
        assert_int_equal(synack_connect(st, s, &v6, 1), -EAFNOSUPPORT);
        if (type == SYNACK_SOCK_DGRAM)
            assert_int_equal(synack_sendto(st, s, "x", 1, &v6, 1), -EAFNOSUPPORT);
        assert_int_equal(synack_close(st, s, 2), 0);
    }
    assert_int_equal(synack_ping(st, &v6.addr, 1, 1, "x", 1, 3), -ENETUNREACH);
    struct synack_ip peer = synack_ip_from_v4(PEER);
    assert_int_equal(synack_ping(st, &peer, 1, 1, "x", 1, 3), 0);
    synack_stack_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nodelay_flush_in_bracket),
        cmocka_unit_test(nodelay_flush_stamped_with_now),
        cmocka_unit_test(stale_handle_ebadf),
        cmocka_unit_test(many_cycles_one_slot),
        cmocka_unit_test(families_ipv6_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
