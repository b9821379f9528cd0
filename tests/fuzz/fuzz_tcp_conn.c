/* Fuzz target: arbitrary sequences of TCP segments, socket calls and time jumps against a stack
 * holding a listener and an established connection. Segments are built from fuzzer-chosen fields
 * (flags, sequence and acknowledgment offsets around the live connection's numbers, window,
 * options, payload) with a correct checksum, so the state machine itself is exercised rather than
 * the checksum check; one operation also sends raw header bytes. ASan and UBSan watch for memory
 * errors and leaks; the stack must never crash or grow without bound. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "synack/synack.h"
#include "wire/bytes.h"
#include "wire/csum.h"
#include "wire/ip4.h"
#include "wire/tcp.h"

#define US 0xC0000201u     /* the stack */
#define PEER 0xC0000202u   /* the fuzzer */

struct fz {
    synack_stack_t *st;
    int ifx;
    synack_time_t now;
    uint32_t stack_seq;    /* latest seq + len the stack sent to the peer (what the peer ACKs) */
    uint32_t stack_ack;    /* latest ack the stack sent (what the peer's seq continues from) */
    int have;
};

static int capture_tx(void *ctx, const uint8_t *pkt, size_t len, synack_time_t now)
{
    struct fz *f = ctx;
    struct ip4_hdr ip;
    struct tcp_hdr t;
    if (ip4_parse(pkt, len, &ip) != WIRE_OK || ip.proto != IP4_PROTO_TCP)
        return 0;
    if (tcp_parse(pkt + ip.ihl, ip.total_len - ip.ihl, ip.src, ip.dst, 1, &t) != WIRE_OK)
        __builtin_trap();   /* the stack must only ever send well-formed segments */
    if (t.sport == 5000 || t.dport == 7000) {
        f->stack_seq = t.seq + (uint32_t)t.data_len + !!(t.flags & TCP_SYN) + !!(t.flags & TCP_FIN);
        if (t.flags & TCP_ACK)
            f->stack_ack = t.ack;
        f->have = 1;
    }
    return 0;
}

static void inject(struct fz *f, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                   uint16_t win, const uint8_t *opts, size_t optlen, size_t plen)
{
    uint8_t pkt[20 + 60 + 1500];
    memset(pkt, 0, sizeof(pkt));
    optlen &= ~(size_t)3;
    if (optlen > 40)
        optlen = 40;
    if (plen > 1400)
        plen = 1400;
    uint8_t *t = pkt + 20;
    size_t hl = 20 + optlen;
    wire_put16(t, sport);
    wire_put16(t + 2, dport);
    wire_put32(t + 4, seq);
    wire_put32(t + 8, ack);
    t[12] = (uint8_t)((hl / 4) << 4);
    t[13] = flags;
    wire_put16(t + 14, win);
    if (optlen)
        memcpy(t + 20, opts, optlen);
    for (size_t i = 0; i < plen; i++)
        t[hl + i] = (uint8_t)i;
    size_t tl = hl + plen;
    uint16_t c = wire_csum_finish(wire_csum_partial(t, tl, wire_csum_pseudo(PEER, US, IP4_PROTO_TCP, (uint16_t)tl)));
    wire_put16(t + 16, c);
    struct ip4_hdr ip = { .ihl = 20, .total_len = (uint16_t)(20 + tl), .ttl = 64, .proto = IP4_PROTO_TCP,
                          .src = PEER, .dst = US };
    ip4_build(pkt, &ip);
    synack_if_input(f->st, f->ifx, pkt, 20 + tl, f->now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { 0 };
    struct synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, 7);
    cfg.tcp_rcvbuf = 8192;   /* small buffers: windows close and open often */
    cfg.tcp_sndbuf = 8192;
    cfg.tcp_ofo_max = 16;
    f.st = synack_stack_new(&cfg);
    struct synack_if_config ic = { .name = "fz", .kind = SYNACK_IF_RAWIP, .addr = US, .prefix_len = 24, .mtu = 1500,
                                   .tx = capture_tx, .tx_ctx = &f };
    f.ifx = synack_if_add(f.st, &ic);
    f.now = SYNACK_SEC(1);
    int l = synack_socket(f.st, SYNACK_SOCK_STREAM);
    struct synack_sockaddr la = { synack_ip_any6(), 5000 };
    synack_bind(f.st, l, &la);
    synack_listen(f.st, l, 4);
    /* An active connection 7000 -> peer:80, completed by a well-formed SYN-ACK. */
    int c = synack_socket(f.st, SYNACK_SOCK_STREAM);
    struct synack_sockaddr ca = { synack_ip_any6(), 7000 }, pa = synack_sockaddr_from_v4(PEER, 80);
    synack_bind(f.st, c, &ca);
    synack_connect(f.st, c, &pa, f.now);
    uint32_t peer_seq = 1000000;
    inject(&f, 80, 7000, peer_seq, f.stack_seq, TCP_SYN | TCP_ACK, 65535, (const uint8_t *)"\x02\x04\x05\xb4", 4, 0);
    peer_seq++;
    int accepted[8];
    int nacc = 0;
    uint8_t buf[4096];
    size_t i = 0;
    while (i + 8 <= size) {
        const uint8_t *r = data + i;
        i += 8;
        uint8_t op = r[0] & 7;
        int16_t dseq = (int16_t)wire_get16(r + 1), dack = (int16_t)wire_get16(r + 3);
        switch (op) {
        case 0:
            f.now += (synack_time_t)r[1] * SYNACK_MS(r[2] & 1 ? 1000 : 10);
            synack_stack_poll(f.st, f.now);
            break;
        case 1: {   /* a segment on the active connection, near the live numbers */
            size_t optlen = (r[6] & 0x0f) * 4u;
            const uint8_t *opts = data + i;
            if (optlen > size - i)
                optlen = (size - i) & ~(size_t)3;
            i += optlen;
            inject(&f, 80, 7000, f.stack_ack + (uint32_t)dseq, f.stack_seq + (uint32_t)dack, r[5], (uint16_t)(r[7] << 8),
                   opts, optlen, (size_t)(r[6] >> 4) * 97u);
            break;
        }
        case 2:   /* toward the listener from a few source ports */
            inject(&f, (uint16_t)(40000 + (r[7] & 7)), 5000, 5000000u + (uint32_t)dseq * 1000u,
                   f.stack_seq + (uint32_t)dack, r[5], (uint16_t)(r[6] << 8), NULL, 0, (size_t)(r[6] & 3) * 200u);
            break;
        case 3:
            synack_send(f.st, c, buf, (size_t)r[1] * 16u, f.now);
            for (int k = 0; k < nacc; k++)
                synack_send(f.st, accepted[k], buf, (size_t)r[2] * 16u, f.now);
            break;
        case 4:
            synack_recv(f.st, c, buf, sizeof(buf), f.now);
            for (int k = 0; k < nacc; k++)
                synack_recv(f.st, accepted[k], buf, (size_t)r[2] * 16u + 1, f.now);
            if (nacc < 8) {
                int a = synack_accept(f.st, l, NULL, f.now);
                if (a >= 0)
                    accepted[nacc++] = a;
            }
            break;
        case 5:
            if (r[1] & 1)
                synack_shutdown(f.st, c, r[2] % 3, f.now);
            else if (nacc)
                synack_shutdown(f.st, accepted[r[2] % nacc], r[3] % 3, f.now);
            break;
        case 6: {   /* raw header bytes from the input, checksum made right */
            size_t n = r[1] % 64;
            if (n > size - i)
                n = size - i;
            uint8_t seg[64 + 20];
            memcpy(seg, data + i, n);
            i += n;
            if (n >= 20) {
                wire_put16(seg, 80);
                wire_put16(seg + 2, 7000);
                uint8_t pkt[20 + 64];
                memcpy(pkt + 20, seg, n);
                pkt[20 + 16] = pkt[20 + 17] = 0;
                uint16_t cs = wire_csum_finish(wire_csum_partial(pkt + 20, n, wire_csum_pseudo(PEER, US, 6, (uint16_t)n)));
                wire_put16(pkt + 20 + 16, cs);
                struct ip4_hdr ip = { .ihl = 20, .total_len = (uint16_t)(20 + n), .ttl = 64, .proto = 6, .src = PEER,
                                      .dst = US };
                ip4_build(pkt, &ip);
                synack_if_input(f.st, f.ifx, pkt, 20 + n, f.now);
            }
            break;
        }
        case 7:
            if (r[1] & 1) {
                int opt = 1 + r[2] % 14;
                synack_setsockopt(f.st, c, (enum synack_sockopt)opt, (int)(r[3] | (r[4] << 8)), f.now);
            } else if (nacc && (r[1] & 2)) {
                int k = r[2] % nacc;
                synack_close(f.st, accepted[k], f.now);
                accepted[k] = accepted[--nacc];
            }
            break;
        }
    }
    /* Let every timer run out: retransmissions give up, TIME-WAIT ends. */
    for (int k = 0; k < 40; k++) {
        f.now += SYNACK_SEC(30);
        synack_stack_poll(f.st, f.now);
    }
    synack_stack_free(f.st);
    return 0;
}
