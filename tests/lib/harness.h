/* Shared helpers for the C tests: one stack with one interface whose transmit callback captures
 * every frame, a virtual clock, and builders for the frames a peer would send (Ethernet, ARP,
 * IPv4, UDP, ICMP) made with the wire layer.
 *
 * Header-only on purpose: tests/CMakeLists.txt compiles tests/<tier>/test_*.c and lib_*.c per
 * tier with tests/ on the include path, so a header is how unit and sim tests share code. Every
 * function is static inline so that a test using only some of them compiles without warnings.
 *
 * The stack under test is 10.0.0.1/24 with MAC 02:00:00:00:00:01; the usual peer is 10.0.0.2 with
 * MAC 02:00:00:00:00:02. */
#ifndef TESTS_LIB_HARNESS_H
#define TESTS_LIB_HARNESS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "synack/counters.h"
#include "synack/socket.h"
#include "synack/stack.h"
#include "wire/arp.h"
#include "wire/bytes.h"
#include "wire/csum.h"
#include "wire/eth.h"
#include "wire/icmp.h"
#include "wire/ip4.h"
#include "wire/udp.h"

#define HX_US 0x0a000001u     /* 10.0.0.1 */
#define HX_PEER 0x0a000002u   /* 10.0.0.2 */
#define HX_BCAST 0x0a0000ffu  /* 10.0.0.255 */

static const uint8_t hx_mac_us[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t hx_mac_peer[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t hx_mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Reads a counter of stack `st` by its short name: CTR(st, InHdrErrors). */
#define CTR(st, name) synack_counter_get((st), SYNACK_C_##name)

struct hx_frame {
    uint8_t *data;
    size_t len;
    synack_time_t t;
};

struct hx {
    synack_stack_t *st;
    int ifi;
    synack_time_t now;
    struct hx_frame *out;   /* every frame the stack transmitted, in order */
    size_t nout, capout;
    size_t rd;              /* next frame hx_pop() returns */
    int tx_error;           /* what the link callback returns (0, or a negative errno) */
};

static inline int hx_tx(void *ctx, const uint8_t *frame, size_t len, synack_time_t now)
{
    struct hx *h = ctx;
    if (h->nout == h->capout) {
        h->capout = h->capout ? h->capout * 2 : 64;
        h->out = realloc(h->out, h->capout * sizeof(*h->out));
        if (!h->out)
            abort();
    }
    struct hx_frame *f = &h->out[h->nout++];
    f->data = malloc(len ? len : 1);
    if (!f->data)
        abort();
    memcpy(f->data, frame, len);
    f->len = len;
    f->t = now;
    return h->tx_error;
}

/* Creates the stack (cfg may be NULL for defaults with seed 1) and its interface. */
static inline int hx_init_kind(struct hx *h, const struct synack_config *cfg, enum synack_if_kind kind)
{
    memset(h, 0, sizeof(*h));
    struct synack_config c;
    if (cfg) {
        c = *cfg;
    } else {
        synack_config_init(&c);
        synack_config_seed_u64(&c, 1);
    }
    h->st = synack_stack_new(&c);
    if (!h->st)
        return -1;
    struct synack_if_config ic = { .name = "t0", .kind = kind, .addr = HX_US, .prefix_len = 24,
                                   .mtu = 1500, .tx = hx_tx, .tx_ctx = h };
    memcpy(ic.mac, hx_mac_us, 6);
    h->ifi = synack_if_add(h->st, &ic);
    h->now = SYNACK_SEC(1);
    return h->ifi;
}

static inline int hx_init(struct hx *h, const struct synack_config *cfg)
{
    return hx_init_kind(h, cfg, SYNACK_IF_ETHERNET);
}

static inline void hx_free(struct hx *h)
{
    synack_stack_free(h->st);
    for (size_t i = 0; i < h->nout; i++)
        free(h->out[i].data);
    free(h->out);
    memset(h, 0, sizeof(*h));
}

/* The next captured frame not yet returned, or NULL. */
static inline const struct hx_frame *hx_pop(struct hx *h)
{
    return h->rd < h->nout ? &h->out[h->rd++] : NULL;
}

static inline size_t hx_pending(const struct hx *h) { return h->nout - h->rd; }
static inline void hx_drain(struct hx *h) { h->rd = h->nout; }

/* Runs the stack's timers, deadline by deadline, up to and including `until`. */
static inline void hx_run_until(struct hx *h, synack_time_t until)
{
    for (;;) {
        synack_time_t d = synack_stack_next_deadline(h->st);
        if (d == SYNACK_TIME_NEVER || d > until)
            break;
        if (d > h->now)
            h->now = d;
        synack_stack_poll(h->st, h->now);
    }
    if (until > h->now)
        h->now = until;
}

static inline void hx_advance(struct hx *h, synack_time_t dt) { hx_run_until(h, h->now + dt); }

/* Hands a raw frame to the stack at the current time. */
static inline void hx_input(struct hx *h, const uint8_t *frame, size_t len)
{
    synack_if_input(h->st, h->ifi, frame, len, h->now);
}

/* ---- builders (each returns the bytes written) ---- */

static inline size_t hx_eth(uint8_t *out, const uint8_t *dst, const uint8_t *src, uint16_t type,
                            const uint8_t *payload, size_t len)
{
    struct eth_hdr eh = { .type = type };
    memcpy(eh.dst, dst, 6);
    memcpy(eh.src, src, 6);
    eth_build(out, &eh);
    if (len)
        memmove(out + ETH_HDR_LEN, payload, len);
    return ETH_HDR_LEN + len;
}

/* An IPv4 packet (20-byte header, no options) with `frag` as the flags/offset field. */
static inline size_t hx_ip(uint8_t *out, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id,
                           uint16_t frag, const uint8_t *payload, size_t len)
{
    struct ip4_hdr h = { .ihl = 20, .total_len = (uint16_t)(20 + len), .id = id, .frag = frag,
                         .ttl = 64, .proto = proto, .src = src, .dst = dst };
    if (len)
        memmove(out + 20, payload, len);
    ip4_build(out, &h);
    return 20 + len;
}

/* Recomputes the header checksum of the IPv4 header at p (after a test edited it). */
static inline void hx_ip_fix_csum(uint8_t *p)
{
    unsigned ihl = (p[0] & 15u) * 4u;
    wire_put16(p + 10, 0);
    wire_put16(p + 10, wire_csum(p, ihl));
}

/* A UDP datagram (header + data) with a correct checksum. */
static inline size_t hx_udp(uint8_t *out, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                            const void *data, size_t len)
{
    if (len)
        memmove(out + UDP_HDR_LEN, data, len);
    udp_build(out, sport, dport, len, src, dst);
    return UDP_HDR_LEN + len;
}

/* An ICMP echo request or reply. */
static inline size_t hx_icmp_echo(uint8_t *out, uint8_t type, uint16_t id, uint16_t seq, const void *data,
                                  size_t len)
{
    struct icmp_hdr ic = { .type = type, .id = id, .seq = seq, .body = data, .body_len = len };
    return icmp_build(out, &ic);
}

/* An Ethernet frame carrying an ARP packet. */
static inline size_t hx_arp(uint8_t *out, const uint8_t *eth_dst, uint16_t op, const uint8_t *sha,
                            uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
    struct arp_pkt a = { .op = op, .spa = spa, .tpa = tpa };
    memcpy(a.sha, sha, 6);
    memcpy(a.tha, tha, 6);
    struct eth_hdr eh = { .type = ETH_TYPE_ARP };
    memcpy(eh.dst, eth_dst, 6);
    memcpy(eh.src, sha, 6);
    eth_build(out, &eh);
    arp_build(out + ETH_HDR_LEN, &a);
    return ETH_HDR_LEN + ARP_LEN;
}

/* Sends an IPv4 packet to the stack from the peer's MAC (or raw on a RAWIP interface). */
static inline void hx_input_ip(struct hx *h, const uint8_t *pkt, size_t len)
{
    if (synack_if_kind(h->st, h->ifi) == SYNACK_IF_RAWIP) {
        hx_input(h, pkt, len);
        return;
    }
    uint8_t *f = malloc(ETH_HDR_LEN + len);
    if (!f)
        abort();
    size_t n = hx_eth(f, hx_mac_us, hx_mac_peer, ETH_TYPE_IPV4, pkt, len);
    hx_input(h, f, n);
    free(f);
}

/* Builds and sends one UDP datagram from src:sport to dst:dport. */
static inline void hx_input_udp(struct hx *h, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                                const void *data, size_t len)
{
    uint8_t *u = malloc(UDP_HDR_LEN + len), *ip = malloc(20 + UDP_HDR_LEN + len);
    if (!u || !ip)
        abort();
    size_t ul = hx_udp(u, src, dst, sport, dport, data, len);
    size_t il = hx_ip(ip, src, dst, IP4_PROTO_UDP, 77, 0, u, ul);
    hx_input_ip(h, ip, il);
    free(u);
    free(ip);
}

/* Teaches the stack the peer's MAC (an ARP request from the peer for our address) and discards
 * the reply the stack sends. */
static inline void hx_learn(struct hx *h, uint32_t ip, const uint8_t *mac)
{
    static const uint8_t zero[6];
    uint8_t f[64];
    size_t n = hx_arp(f, hx_mac_bcast, ARP_OP_REQUEST, mac, ip, zero, HX_US);
    hx_input(h, f, n);
    hx_drain(h);
}

/* ---- parsing what the stack sent ---- */

/* The IPv4 packet inside a captured Ethernet frame (or the frame itself on RAWIP), parsed into
 * *ip; NULL if it is not a valid IPv4 packet. */
static inline const uint8_t *hx_frame_ip(const struct hx *h, const struct hx_frame *f, struct ip4_hdr *ip)
{
    const uint8_t *p = f->data;
    size_t len = f->len;
    if (synack_if_kind(h->st, h->ifi) == SYNACK_IF_ETHERNET) {
        if (len < ETH_HDR_LEN || wire_get16(p + 12) != ETH_TYPE_IPV4)
            return NULL;
        p += ETH_HDR_LEN;
        len -= ETH_HDR_LEN;
    }
    if (ip4_parse(p, len, ip) != WIRE_OK)
        return NULL;
    return p;
}

/* The ARP packet inside a captured frame, or -1 if it is not one. */
static inline int hx_frame_arp(const struct hx_frame *f, struct arp_pkt *a)
{
    if (f->len < ETH_HDR_LEN + ARP_LEN || wire_get16(f->data + 12) != ETH_TYPE_ARP)
        return -1;
    return arp_parse(f->data + ETH_HDR_LEN, f->len - ETH_HDR_LEN, a) == WIRE_OK ? 0 : -1;
}

/* FNV-1a, for hashing traces and payloads. */
static inline uint64_t hx_fnv(uint64_t h, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}
#define HX_FNV_INIT 1469598103934665603ull

#endif
