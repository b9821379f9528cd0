/* ACKs for a batch of frames (synack_stack_batch_begin/end): TCP may hold an ACK due at once until
 * the batch's end, so that one ACK (or our data) answers the batch's last segments, but it must not
 * stretch ACKs beyond RFC 5681 4.2 / RFC 1122 4.2.3.2: an ACK for at least every second full-sized
 * segment. Here the peer's segments are fed in batches and every ACK the stack sends is checked: none
 * may acknowledge more than two full segments beyond the previous one. The bulk case prints the
 * ACKs sent per MB received. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "synack/synack.h"
#include "wire/bytes.h"
#include "wire/csum.h"
#include "wire/ip4.h"
#include "wire/tcp.h"

#define US 0xC0000201u
#define PEER 0xC0000202u
#define MSS 1460u
#define PEER_ISN 5000u

struct cap {
    uint32_t stack_next;   /* the stack's next sequence number (for our ACK field) */
    uint32_t last_ack;     /* the highest ACK number the stack sent */
    unsigned acks;         /* segments from the stack carrying no data (pure ACKs) */
    uint32_t widest;       /* the most new bytes one ACK acknowledged */
};

static int tx(void *ctx, const uint8_t *f, size_t len, synack_time_t now)
{
    struct cap *c = ctx;
    struct ip4_hdr ip;
    if (ip4_parse(f, len, &ip) != WIRE_OK || ip.proto != IP4_PROTO_TCP)
        return 0;
    const uint8_t *t = f + ip.ihl;
    uint8_t fl = t[13];
    size_t payload = ip.total_len - ip.ihl - (t[12] >> 4) * 4u;
    c->stack_next = wire_get32(t + 4) + (uint32_t)payload + !!(fl & TCP_SYN);
    if (!(fl & TCP_ACK) || (fl & TCP_SYN))
        return 0;
    uint32_t ack = wire_get32(t + 8);
    if (!payload)
        c->acks++;
    if (ack - c->last_ack > c->widest && c->last_ack)
        c->widest = ack - c->last_ack;
    c->last_ack = ack;
    return 0;
}

/* A segment from the peer carrying `dlen` bytes from sequence number `seq`. */
static void inject(synack_stack_t *st, int ifx, uint32_t seq, uint32_t ack, uint8_t flags, size_t dlen,
                   synack_time_t now)
{
    static uint8_t pkt[20 + 20 + MSS];
    memset(pkt, 0, 40);
    uint8_t *t = pkt + 20;
    size_t tl = 20 + dlen;
    wire_put16(t, 80);
    wire_put16(t + 2, 7000);
    wire_put32(t + 4, seq);
    wire_put32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    wire_put16(t + 14, 65535);
    for (size_t i = 0; i < dlen; i++)
        t[20 + i] = (uint8_t)(seq + i);
    wire_put16(t + 16, wire_csum_finish(wire_csum_partial(t, tl, wire_csum_pseudo(PEER, US, 6, (uint16_t)tl))));
    struct ip4_hdr ip = { .ihl = 20, .total_len = (uint16_t)(20 + tl), .ttl = 64, .proto = 6, .src = PEER, .dst = US };
    ip4_build(pkt, &ip);
    synack_if_input(st, ifx, pkt, 20 + tl, now);
}

/* An established connection 7000 -> PEER:80 (the peer's SYN-ACK carries MSS 1460). */
static synack_stack_t *open_conn(struct cap *c, int *sock, int *ifindex)
{
    struct synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, 7);
    synack_stack_t *st = synack_stack_new(&cfg);
    struct synack_if_config ic = { .name = "t", .kind = SYNACK_IF_RAWIP, .addr = US, .prefix_len = 24, .mtu = 1500,
                                   .tx = tx, .tx_ctx = c };
    int ifx = synack_if_add(st, &ic);
    int s = synack_socket(st, SYNACK_SOCK_STREAM);
    struct synack_sockaddr la = { synack_ip_any6(), 7000 }, pa = synack_sockaddr_from_v4(PEER, 80);
    synack_bind(st, s, &la);
    synack_connect(st, s, &pa, 1000);
    inject(st, ifx, PEER_ISN, c->stack_next, TCP_SYN | TCP_ACK, 0, 2000);
    c->last_ack = 0;
    c->acks = 0;
    c->widest = 0;
    *sock = s;
    *ifindex = ifx;
    return st;
}

/* Feeds `n` full segments from `*seq` in one batch at time `now`. */
static void batch(struct cap *c, synack_stack_t *st, int ifx, uint32_t *seq, unsigned n, synack_time_t now)
{
    synack_stack_batch_begin(st, now);
    for (unsigned i = 0; i < n; i++) {
        inject(st, ifx, *seq, c->stack_next, TCP_ACK, MSS, now);
        *seq += MSS;
    }
    synack_stack_batch_end(st, now);
}

/* Twenty full segments in one batch, once quick ACKs are off (TCP_QUICKACK = 0): an ACK for every
 * second one, ten in all, the last at the batch's end; none covers more than two segments. */
static void batch_acks_every_second_segment(void **state)
{
    struct cap c = { 0 };
    int s, ifx;
    synack_stack_t *st = open_conn(&c, &s, &ifx);
    assert_int_equal(synack_setsockopt(st, s, SYNACK_TCP_QUICKACK, 0, 3000), 0);
    uint32_t seq = PEER_ISN + 1;
    c.last_ack = seq;
    batch(&c, st, ifx, &seq, 20, 4000);
    assert_int_equal(c.acks, 10);
    assert_int_equal(c.widest, 2 * MSS);
    assert_int_equal(c.last_ack, seq);
    synack_stack_free(st);
}

/* A handler that answers what it reads (a server answering a request). */
static void answer_handler(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    (void)arg;
    if (!(events & SYNACK_EV_IN))
        return;
    char buf[2048];
    int n = synack_recv(st, sock, buf, sizeof(buf), now);
    if (n > 0)
        synack_send(st, sock, "response", 8, now);
}

/* A request in a batch, at the start of the connection (quick-ack mode: its ACK is due at once):
 * the handler runs before the batch's owed ACKs go out, so its response carries the ACK and no
 * pure ACK goes before it. Without an answer, a pure ACK still goes. */
static void batch_answer_carries_ack(void **state)
{
    struct cap c = { 0 };
    int s, ifx;
    synack_stack_t *st = open_conn(&c, &s, &ifx);
    synack_socket_set_handler(st, s, answer_handler, NULL);
    uint32_t seq = PEER_ISN + 1;
    synack_stack_batch_begin(st, 4000);
    inject(st, ifx, seq, c.stack_next, TCP_ACK | TCP_PSH, 100, 4000);
    synack_stack_batch_end(st, 4000);
    assert_int_equal(c.acks, 0);
    assert_int_equal(c.last_ack, seq + 100);
    synack_socket_set_handler(st, s, NULL, NULL);
    seq += 100;
    synack_stack_batch_begin(st, 5000);
    inject(st, ifx, seq, c.stack_next, TCP_ACK | TCP_PSH, 100, 5000);
    synack_stack_batch_end(st, 5000);
    synack_stack_poll(st, 5000 + SYNACK_MS(500));   /* a delayed ACK now (the exchange is interactive) */
    assert_int_equal(c.acks, 1);
    assert_int_equal(c.last_ack, seq + 100);
    synack_stack_free(st);
}

static void accept_answer(synack_stack_t *st, int sock, unsigned events, void *arg, synack_time_t now)
{
    (void)arg;
    int a = synack_accept(st, sock, NULL, now);
    if (a >= 0) {
        synack_socket_set_handler(st, a, answer_handler, NULL);
        answer_handler(st, a, SYNACK_EV_IN, NULL, now);
    }
}

/* The same for a server: a request on a connection just accepted, whose SYN-ACK could advertise
 * only 64 KB (RFC 7323 2.2: a SYN's window is not scaled) while its buffer holds more. Reading the
 * request opens the window past twice what was advertised, which alone would be worth a window
 * update; the response carries it instead, so the server sends its SYN-ACK and then its response,
 * nothing between. */
static void batch_server_answer_carries_window(void **state)
{
    struct cap c = { 0 };
    struct synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, 9);
    synack_stack_t *st = synack_stack_new(&cfg);
    struct synack_if_config ic = { .name = "t", .kind = SYNACK_IF_RAWIP, .addr = US, .prefix_len = 24, .mtu = 1500,
                                   .tx = tx, .tx_ctx = &c };
    int ifx = synack_if_add(st, &ic);
    int l = synack_socket(st, SYNACK_SOCK_STREAM);
    struct synack_sockaddr la = { synack_ip_any6(), 7000 };
    assert_int_equal(synack_bind(st, l, &la), 0);
    assert_int_equal(synack_setsockopt(st, l, SYNACK_SO_RCVBUF, 262144, 500), 0);   /* as the HTTP server */
    assert_int_equal(synack_listen(st, l, 8), 0);
    synack_socket_set_handler(st, l, accept_answer, NULL);
    /* The client's SYN offers window scaling (as every modern client does), so the server's window
     * can be larger than the 64 KB its SYN-ACK could say. */
    static uint8_t pkt[80];
    struct tcp_hdr h = { .sport = 80, .dport = 7000, .seq = PEER_ISN, .flags = TCP_SYN, .win = 65535 };
    h.opts.has_mss = 1;
    h.opts.mss = MSS;
    h.opts.has_wscale = 1;
    h.opts.wscale = 7;
    size_t tl = tcp_build(pkt + 20, &h, 0, PEER, US);
    struct ip4_hdr ip = { .ihl = 20, .total_len = (uint16_t)(20 + tl), .ttl = 64, .proto = 6, .src = PEER, .dst = US };
    ip4_build(pkt, &ip);
    synack_if_input(st, ifx, pkt, 20 + tl, 1000);
    uint32_t seq = PEER_ISN + 1;
    synack_stack_batch_begin(st, 2000);
    inject(st, ifx, seq, c.stack_next, TCP_ACK, 0, 2000);
    inject(st, ifx, seq, c.stack_next, TCP_ACK | TCP_PSH, 100, 2000);
    synack_stack_batch_end(st, 2000);
    assert_int_equal(c.acks, 0);
    assert_int_equal(c.last_ack, seq + 100);
    synack_stack_free(st);
}

/* The same batch at the start of a connection, in quick-ack mode: the first 16 segments each get
 * their ACK, then every second: 18 ACKs. */
static void batch_quick_acks_at_start(void **state)
{
    struct cap c = { 0 };
    int s, ifx;
    synack_stack_t *st = open_conn(&c, &s, &ifx);
    uint32_t seq = PEER_ISN + 1;
    c.last_ack = seq;
    batch(&c, st, ifx, &seq, 20, 4000);
    assert_int_equal(c.acks, 18);
    assert_int_equal(c.widest, 2 * MSS);
    assert_int_equal(c.last_ack, seq);
    synack_stack_free(st);
}

/* A bulk transfer of 1 MB in batches of 40 segments (within the 64 KB window), the application reading after each batch:
 * the ACKs per MB, printed, and no ACK wider than two segments. */
static void bulk_in_batches(void **state)
{
    struct cap c = { 0 };
    int s, ifx;
    synack_stack_t *st = open_conn(&c, &s, &ifx);
    uint32_t seq = PEER_ISN + 1;
    c.last_ack = seq;
    synack_time_t now = 4000;
    static uint8_t sink[65536];
    uint64_t bytes = 0, got = 0;
    while (bytes < 1000000) {
        batch(&c, st, ifx, &seq, 40, now);
        bytes += 40 * MSS;
        now += 1000;
        int n;
        while ((n = synack_recv(st, s, sink, sizeof(sink), now)) > 0)
            got += (uint64_t)n;
    }
    unsigned per_mb = (unsigned)((uint64_t)c.acks * 1000000u / bytes);
    print_message("bulk in batches of 40: %u ACKs for %llu bytes, %u per MB, widest %u bytes\n", c.acks,
                  (unsigned long long)bytes, per_mb, c.widest);
    assert_true(got == bytes);
    assert_true(c.widest <= 2 * MSS);
    assert_true(per_mb >= 1000000u / (2 * MSS));
    synack_stack_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(batch_acks_every_second_segment),
        cmocka_unit_test(batch_quick_acks_at_start),
        cmocka_unit_test(batch_answer_carries_ack),
        cmocka_unit_test(batch_server_answer_carries_window),
        cmocka_unit_test(bulk_in_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
