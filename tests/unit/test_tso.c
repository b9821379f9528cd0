/* TCP segmentation offload: on a link that cuts large TCP frames (tx_meta + tso_max), TCP hands it
 * one frame for data worth several MSS, with the metadata a virtio-net header needs and the checksum
 * field holding the pseudo-header sum. Completing that checksum over the frame, as the kernel does,
 * must give the same value as a full computation; and a link without offload never sees a frame
 * larger than the MTU. */
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

struct cap {
    uint8_t last[70000];
    size_t last_len;
    struct synack_tx_meta meta;
    size_t max_len;
    unsigned frames;
    uint32_t stack_seq;
    unsigned mss_limit;   /* when set: the largest payload any segment the link puts out may carry */
    unsigned over_mss;    /* segments, after the link's cut, that carried more than mss_limit */
    unsigned data_frames;
    uint16_t ids[64];     /* IP IDs of the frames, in order */
    unsigned nids;
};

static void note(struct cap *c, const uint8_t *f, size_t len)
{
    memcpy(c->last, f, len);
    c->last_len = len;
    c->frames++;
    if (len > c->max_len)
        c->max_len = len;
    struct ip4_hdr ip;
    if (ip4_parse(f, len, &ip) == WIRE_OK && c->nids < 64)
        c->ids[c->nids++] = ip.id;
    if (ip4_parse(f, len, &ip) == WIRE_OK && ip.proto == IP4_PROTO_TCP) {
        uint8_t fl = f[ip.ihl + 13];
        c->stack_seq = wire_get32(f + ip.ihl + 4) + (ip.total_len - ip.ihl - (f[ip.ihl + 12] >> 4) * 4u) +
                       !!(fl & TCP_SYN);
    }
}

/* What the peer receives once the link has cut the frame: segments of gso_size payload each (the
 * last one shorter), or the frame itself when it carries no gso_size. */
static void check_cut(struct cap *c, const uint8_t *f, size_t len, uint16_t gso_size)
{
    struct ip4_hdr ip;
    if (!c->mss_limit || ip4_parse(f, len, &ip) != WIRE_OK || ip.proto != IP4_PROTO_TCP)
        return;
    size_t payload = ip.total_len - ip.ihl - (f[ip.ihl + 12] >> 4) * 4u;
    if (!payload)
        return;
    c->data_frames++;
    size_t biggest = gso_size && payload > gso_size ? gso_size : payload;
    if (biggest > c->mss_limit)
        c->over_mss++;
}

static int tx_meta(void *ctx, const uint8_t *f, size_t len, const struct synack_tx_meta *m, synack_time_t now)
{
    struct cap *c = ctx;
    note(c, f, len);
    check_cut(c, f, len, m->gso_size);
    c->meta = *m;
    return 0;
}

static int tx_plain(void *ctx, const uint8_t *f, size_t len, synack_time_t now)
{
    note(ctx, f, len);
    return 0;
}

/* A segment from the peer; `mss` is the MSS option it carries, 0 for none. */
static void inject_mss(synack_stack_t *st, int ifx, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t mss,
                       synack_time_t now)
{
    uint8_t pkt[60];
    memset(pkt, 0, sizeof(pkt));
    uint8_t *t = pkt + 20;
    size_t tl = mss ? 24 : 20;
    wire_put16(t, 80);
    wire_put16(t + 2, 7000);
    wire_put32(t + 4, seq);
    wire_put32(t + 8, ack);
    t[12] = (uint8_t)((tl / 4) << 4);
    t[13] = flags;
    wire_put16(t + 14, 65535);
    if (mss) {
        t[20] = 2; t[21] = 4; wire_put16(t + 22, mss);
    }
    wire_put16(t + 16, wire_csum_finish(wire_csum_partial(t, tl, wire_csum_pseudo(PEER, US, 6, (uint16_t)tl))));
    struct ip4_hdr ip = { .ihl = 20, .total_len = (uint16_t)(20 + tl), .ttl = 64, .proto = 6, .src = PEER, .dst = US };
    ip4_build(pkt, &ip);
    synack_if_input(st, ifx, pkt, 20 + tl, now);
}

/* Connects 7000 -> PEER:80, completes the handshake (the SYN-ACK with MSS option `peer_mss`, 0 for
 * none), writes `n` bytes and returns the socket in *sock. */
static synack_stack_t *run_mss(struct cap *c, int offload, size_t n, uint16_t peer_mss, int *sock, int *ifindex)
{
    struct synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, 5);
    synack_stack_t *st = synack_stack_new(&cfg);
    struct synack_if_config ic = { .name = "t", .kind = SYNACK_IF_RAWIP, .addr = US, .prefix_len = 24, .mtu = 1500,
                                   .tx = tx_plain, .tx_ctx = c };
    if (offload) {
        ic.tx_meta = tx_meta;
        ic.tso_max = 65000;
    }
    int ifx = synack_if_add(st, &ic);
    int s = synack_socket(st, SYNACK_SOCK_STREAM);
    struct synack_sockaddr la = { synack_ip_any6(), 7000 }, pa = synack_sockaddr_from_v4(PEER, 80);
    synack_bind(st, s, &la);
    synack_connect(st, s, &pa, 1000);
    inject_mss(st, ifx, 5000, c->stack_seq, TCP_SYN | TCP_ACK, peer_mss, 2000);
    static uint8_t data[20000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 13);
    c->frames = 0;
    c->max_len = 0;
    assert_int_equal(synack_send(st, s, data, n, 3000), (int)n);
    if (sock)
        *sock = s;
    if (ifindex)
        *ifindex = ifx;
    return st;
}

static synack_stack_t *run(struct cap *c, int offload, size_t n)
{
    return run_mss(c, offload, n, 1460, NULL, NULL);
}

static void large_frame_with_metadata(void **state)
{
    static struct cap c;
    memset(&c, 0, sizeof(c));
    synack_stack_t *st = run(&c, 1, 10000);
    /* IW = 10 segments = 14600 bytes: all 10000 bytes leave as one frame. */
    assert_int_equal(c.frames, 1);
    assert_int_equal(c.last_len, 20 + 20 + 10000);
    assert_int_equal(c.meta.gso_size, 1460);
    assert_int_equal(c.meta.csum_start, 20);
    assert_int_equal(c.meta.csum_offset, 16);
    assert_int_equal(c.meta.hdr_len, 40);
    struct ip4_hdr ip;
    assert_int_equal(ip4_parse(c.last, c.last_len, &ip), WIRE_OK);
    assert_true(ip.frag & IP4_FLAG_DF);
    /* Complete the checksum as the kernel does: sum the segment with the pseudo-header sum in the
     * field. It must equal a full computation with the field zeroed. */
    uint8_t *t = c.last + 20;
    size_t tl = c.last_len - 20;
    uint16_t partial = wire_get16(t + 16);
    uint16_t completed = wire_csum_finish(wire_csum_partial(t, tl, 0));
    wire_put16(t + 16, 0);
    uint16_t full = wire_csum_finish(wire_csum_partial(t, tl, wire_csum_pseudo(US, PEER, 6, (uint16_t)tl)));
    assert_int_equal(completed, full);
    assert_int_not_equal(partial, full);
    synack_stack_free(st);
}

/* The link gives each segment it cuts from an offload frame the next IP ID, as Linux's GSO does:
 * the stack keeps those IDs for the frame, so the next datagram does not reuse one. 10000 bytes at
 * gso_size 1460 are 7 segments: the next frame's ID is 7 past the offload frame's. */
static void offload_frame_keeps_an_id_per_segment(void **state)
{
    static struct cap c;
    memset(&c, 0, sizeof(c));
    int s, ifx;
    synack_stack_t *st = run_mss(&c, 1, 10000, 1460, &s, &ifx);
    assert_int_equal(c.frames, 1);
    unsigned big = c.nids - 1;
    inject_mss(st, ifx, 5001, c.stack_seq, TCP_ACK, 0, 4000);   /* all of it acknowledged */
    static const uint8_t more[100];
    assert_int_equal(synack_send(st, s, more, sizeof(more), 5000), (int)sizeof(more));
    assert_true(c.nids > big + 1);
    assert_int_equal((uint16_t)(c.ids[big + 1] - c.ids[big]), 7);
    synack_stack_free(st);
}

static void no_offload_no_large_frames(void **state)
{
    static struct cap c;
    memset(&c, 0, sizeof(c));
    synack_stack_t *st = run(&c, 0, 10000);
    /* 6 full segments and the 1240-byte tail: Nagle (Minshall's form) holds a partial segment only
     * behind another partial one in flight. */
    assert_int_equal(c.frames, 7);
    assert_true(c.max_len <= 1500);
    synack_stack_free(st);
}

/* RFC 9293 3.7.1 (MUST-15): without an MSS option the peer takes 536-byte segments; with a small
 * one, no more than it says. Behind an offloading link every segment the link cuts out of a frame
 * must still respect that: the frame's gso_size, and a frame sent whole (no gso_size) must itself
 * be no larger. Frames of every length are written, the ACKs open cwnd, all of it is checked. */
static void offload_respects_peer_mss(uint16_t peer_mss, unsigned limit)
{
    static struct cap c;
    memset(&c, 0, sizeof(c));
    int s = -1, ifx = -1;
    synack_stack_t *st = run_mss(&c, 1, 600, peer_mss, &s, &ifx);
    c.mss_limit = limit;
    synack_time_t now = 4000;
    static uint8_t data[20000];
    for (size_t n = 1; n < 4000; n += 97) {
        /* acknowledge everything sent so far, then write n more bytes */
        inject_mss(st, ifx, 5001, c.stack_seq, TCP_ACK, 0, now);
        now += 1000;
        int w = synack_send(st, s, data, n, now);
        assert_true(w > 0);
        now += 1000;
    }
    struct synack_tcp_info ti;
    assert_int_equal(synack_tcp_info(st, s, &ti), 0);
    assert_int_equal(ti.snd_mss, limit);
    assert_true(c.data_frames > 30);
    assert_int_equal(c.over_mss, 0);
    synack_stack_free(st);
}

static void offload_peer_mss_536(void **state) { offload_respects_peer_mss(536, 536); }
static void offload_peer_without_mss(void **state) { offload_respects_peer_mss(0, 536); }
static void offload_peer_mss_1000(void **state) { offload_respects_peer_mss(1000, 1000); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(large_frame_with_metadata),
        cmocka_unit_test(offload_frame_keeps_an_id_per_segment), cmocka_unit_test(no_offload_no_large_frames),
        cmocka_unit_test(offload_peer_mss_536),
        cmocka_unit_test(offload_peer_without_mss),
        cmocka_unit_test(offload_peer_mss_1000),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
