/* The receive side's checksum folded into the copy into the receive ring (tcp_input.c csum_fold,
 * tcp_rcv.c rcv_take): the next in-order segment's payload is copied into the ring's free space as
 * its checksum is summed and committed at step seven, so it is read once (tcp_table.rcv_folded
 * counts the commits). The checksum still comes first (RFC 9293 3.10.7): a segment with a byte
 * changed, in its payload or its header, is dropped and counted (TcpInCsumErrors) with the ring's
 * bytes, RCV.NXT and the ACKs sent unchanged, and the correct segment is then taken; the same across
 * the end of the ring's storage (the wrap at an odd and an even offset of the payload); and a
 * segment partly outside the window, out of order, or vouched for by the link takes the old path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/ctx.h"
#include "synack/synack.h"
#include "tcp/tcp_int.h"
#include "wire/bytes.h"
#include "wire/csum.h"
#include "wire/ip4.h"
#include "wire/tcp.h"

#define US 0xC0000201u
#define PEER 0xC0000202u
#define PEER_ISN 5000u
#define CTR(st, name) ((uint64_t)synack_counter_get((st), SYNACK_C_##name))

struct cap {
    uint32_t stack_next;   /* the stack's next sequence number (for our ACK field) */
    unsigned frames;       /* frames the stack sent */
};

static int tx(void *ctx, const uint8_t *f, size_t len, synack_time_t now)
{
    (void)now;
    struct cap *c = ctx;
    struct ip4_hdr ip;
    c->frames++;
    if (ip4_parse(f, len, &ip) != WIRE_OK || ip.proto != IP4_PROTO_TCP)
        return 0;
    const uint8_t *t = f + ip.ihl;
    size_t payload = ip.total_len - ip.ihl - (t[12] >> 4) * 4u;
    c->stack_next = wire_get32(t + 4) + (uint32_t)payload + !!(t[13] & TCP_SYN);
    return 0;
}

struct fx {
    struct cap cap;
    synack_stack_t *st;
    int ifx, sock;
    synack_time_t now;
    uint32_t seq;   /* the peer's next sequence number */
};

/* The byte the peer sends at sequence number `seq`. */
static uint8_t byte_at(uint32_t seq) { return (uint8_t)(seq * 7u + (seq >> 8)); }

/* A segment from the peer with dlen bytes from `seq`; if corrupt >= 0 the byte at that offset of
 * the TCP segment is changed after the checksum was computed. `flags` as on the wire. */
static void inject(struct fx *f, uint32_t seq, uint8_t flags, size_t dlen, int corrupt, unsigned in_flags)
{
    static uint8_t pkt[20 + 20 + 2048];
    memset(pkt, 0, 40);
    uint8_t *t = pkt + 20;
    size_t tl = 20 + dlen;
    wire_put16(t, 80);
    wire_put16(t + 2, 7000);
    wire_put32(t + 4, seq);
    wire_put32(t + 8, f->cap.stack_next);
    t[12] = 5 << 4;
    t[13] = flags;
    wire_put16(t + 14, 65535);
    for (size_t i = 0; i < dlen; i++)
        t[20 + i] = byte_at(seq + (uint32_t)i);
    wire_put16(t + 16, wire_csum_finish(wire_csum_partial(t, tl, wire_csum_pseudo(PEER, US, 6, (uint16_t)tl))));
    if (corrupt >= 0)
        t[corrupt] ^= 0x5a;
    struct ip4_hdr ip = { .ihl = 20, .total_len = (uint16_t)(20 + tl), .ttl = 64, .proto = 6, .src = PEER, .dst = US };
    ip4_build(pkt, &ip);
    assert_int_equal(synack_if_input_flags(f->st, f->ifx, pkt, 20 + tl, in_flags, f->now), 0);
}

/* An established connection 7000 -> PEER:80; rcvbuf > 0 sizes its receive buffer first. */
static void open_conn(struct fx *f, int rcvbuf)
{
    memset(f, 0, sizeof(*f));
    struct synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, 11);
    f->st = synack_stack_new(&cfg);
    struct synack_if_config ic = { .name = "t", .kind = SYNACK_IF_RAWIP, .addr = US, .prefix_len = 24, .mtu = 1500,
                                   .tx = tx, .tx_ctx = &f->cap };
    f->ifx = synack_if_add(f->st, &ic);
    f->sock = synack_socket(f->st, SYNACK_SOCK_STREAM);
    struct synack_sockaddr la = { synack_ip_any6(), 7000 }, pa = synack_sockaddr_from_v4(PEER, 80);
    assert_int_equal(synack_bind(f->st, f->sock, &la), 0);
    if (rcvbuf)
        assert_int_equal(synack_setsockopt(f->st, f->sock, SYNACK_SO_RCVBUF, rcvbuf, 500), 0);
    synack_connect(f->st, f->sock, &pa, 1000);
    f->now = 2000;
    inject(f, PEER_ISN, TCP_SYN | TCP_ACK, 0, -1, 0);
    f->seq = PEER_ISN + 1;
}

static struct tcp_conn *conn(struct fx *f)
{
    struct tcp_end l = { synack_ip_from_v4(US), 7000 }, r = { synack_ip_from_v4(PEER), 80 };
    struct tcp_conn *c = tcp_lookup(f->st, &l, &r);
    assert_non_null(c);
    return c;
}

/* The next in-order segment of dlen bytes, good. */
static void send_good(struct fx *f, size_t dlen, uint8_t flags)
{
    inject(f, f->seq, flags, dlen, -1, 0);
    f->seq += (uint32_t)dlen;
}

/* Reads n bytes and checks they are the peer's from `from` on. */
static void read_check(struct fx *f, uint32_t from, size_t n)
{
    static uint8_t buf[8192];
    assert_true(n <= sizeof(buf));
    assert_int_equal(synack_recv(f->st, f->sock, buf, n, f->now), (int)n);
    for (size_t i = 0; i < n; i++)
        if (buf[i] != byte_at(from + (uint32_t)i))
            fail_msg("byte %zu read differs", i);
}

/* What a dropped segment must leave as it was. */
struct snap {
    uint32_t rcv_nxt, len, head, cap;
    unsigned frames;
    uint64_t csum_errors, folded;
    uint8_t bytes[8192];
};

static void snap_take(struct fx *f, struct snap *s)
{
    struct tcp_conn *c = conn(f);
    s->rcv_nxt = c->rcv_nxt;
    s->len = c->x->rcvq.len;
    s->head = c->x->rcvq.head;
    s->cap = c->x->rcvq.cap;
    s->frames = f->cap.frames;
    s->csum_errors = CTR(f->st, TcpInCsumErrors);
    s->folded = f->st->tcp->rcv_folded;
    assert_true(s->len <= sizeof(s->bytes));
    ring_peek(&c->x->rcvq, 0, s->bytes, s->len);
}

/* A bad segment was dropped: counted once, and nothing else moved. */
static void snap_same_but_counted(struct fx *f, const struct snap *s)
{
    static uint8_t now_bytes[8192];
    struct tcp_conn *c = conn(f);
    assert_int_equal(CTR(f->st, TcpInCsumErrors), s->csum_errors + 1);
    assert_int_equal(c->rcv_nxt, s->rcv_nxt);
    assert_int_equal(c->x->rcvq.len, s->len);
    assert_int_equal(c->x->rcvq.head, s->head);
    assert_int_equal(c->x->rcvq.cap, s->cap);
    assert_int_equal(f->cap.frames, s->frames);   /* no ACK, no anything */
    assert_int_equal(f->st->tcp->rcv_folded, s->folded);
    ring_peek(&c->x->rcvq, 0, now_bytes, s->len);
    assert_memory_equal(now_bytes, s->bytes, s->len);
}

/* Gives the ring 4 KiB of storage and empties it, returning the sequence number read next: the
 * ring's first storage is sized to the first segment (1400 bytes: 2 KiB), the second does not fit
 * (4 KiB), and a segment is folded only into storage it fits. */
static uint32_t warm(struct fx *f)
{
    send_good(f, 1400, TCP_ACK);
    assert_int_equal(conn(f)->x->rcvq.cap, 2048);
    send_good(f, 1400, TCP_ACK);
    assert_int_equal(conn(f)->x->rcvq.cap, 4096);
    assert_int_equal(f->st->tcp->rcv_folded, 0);
    read_check(f, PEER_ISN + 1, 2800);
    return PEER_ISN + 1 + 2800;
}

/* In-order segments once the ring has storage are folded; their bytes read back right. */
static void in_order_folded(void **state)
{
    (void)state;
    struct fx f;
    open_conn(&f, 0);
    uint32_t from = warm(&f);   /* the ring had no storage, then too little: the old path made it */
    send_good(&f, 1000, TCP_ACK);
    send_good(&f, 1400, TCP_ACK | TCP_PSH);
    send_good(&f, 1, TCP_ACK);
    send_good(&f, 1399, TCP_ACK);
    assert_int_equal(f.st->tcp->rcv_folded, 4);
    assert_int_equal(conn(&f)->rcv_nxt, f.seq);
    read_check(&f, from, 3800);
    assert_int_equal(CTR(f.st, TcpInCsumErrors), 0);
    synack_stack_free(f.st);
}

/* A changed byte in the payload of the next in-order segment, then in its header (the urgent
 * pointer, which without URG changes nothing else, and the window): each dropped and counted with
 * nothing changed; the segment as sent is then taken, folded. */
static void corrupt_then_good(void **state)
{
    (void)state;
    static const int where[] = { 20, 20 + 699, 20 + 1399, 18, 19, 14, 4 };
    struct fx f;
    open_conn(&f, 0);
    uint32_t from = warm(&f);
    send_good(&f, 1000, TCP_ACK);
    for (unsigned i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
        struct snap s;
        snap_take(&f, &s);
        inject(&f, f.seq, TCP_ACK, 1400, where[i], 0);
        snap_same_but_counted(&f, &s);
        send_good(&f, 1400, TCP_ACK);
        assert_int_equal(f.st->tcp->rcv_folded, s.folded + 1);
        assert_int_equal(conn(&f)->rcv_nxt, f.seq);
        if (i % 2) {   /* keep the ring small: read what is there */
            uint32_t n = conn(&f)->x->rcvq.len;
            read_check(&f, from, n);
            from += n;
        }
    }
    read_check(&f, from, f.seq - from);
    synack_stack_free(f.st);
}

/* The ring's free space wraps at the end of its storage inside the payload, after an odd and an
 * even number of bytes (the second piece's sum is then byte-swapped or not): a bad segment leaves
 * the ring as it was, a good one is folded and reads back right. */
static void wrapped_ring(void **state)
{
    (void)state;
    for (int odd = 0; odd < 2; odd++) {
        for (int bad_second_piece = 0; bad_second_piece < 2; bad_second_piece++) {
            struct fx f;
            open_conn(&f, 0);
            send_good(&f, 1400, TCP_ACK);
            send_good(&f, 1400, TCP_ACK);
            send_good(&f, 200 + (size_t)odd, TCP_ACK);   /* 3000 or 3001 bytes held */
            struct tcp_conn *c = conn(&f);
            assert_int_equal(c->x->rcvq.cap, 4096);
            read_check(&f, PEER_ISN + 1, 2500);   /* head 2500, tail 3000 or 3001 */
            uint32_t from = PEER_ISN + 1 + 2500;
            c = conn(&f);
            uint32_t tail = (c->x->rcvq.head + c->x->rcvq.len) % c->x->rcvq.cap;
            assert_int_equal(tail, 3000 + odd);
            size_t first = c->x->rcvq.cap - tail;   /* 1096 or 1095 */
            struct snap s;
            snap_take(&f, &s);
            int at = 20 + (bad_second_piece ? (int)first + 3 : 5);
            inject(&f, f.seq, TCP_ACK, 1400, at, 0);
            snap_same_but_counted(&f, &s);
            send_good(&f, 1400, TCP_ACK);
            c = conn(&f);
            assert_int_equal(f.st->tcp->rcv_folded, s.folded + 1);
            assert_true(c->x->rcvq.head + c->x->rcvq.len > c->x->rcvq.cap);   /* it did wrap */
            read_check(&f, from, f.seq - from);
            synack_stack_free(f.st);
        }
    }
}

/* A segment at RCV.NXT that runs past the window offered is not folded: trimmed to the window as
 * before (its checksum still checked first); one that starts below RCV.NXT and one out of order
 * take the old path too, and so does a segment the link vouched for. */
static void not_folded_cases(void **state)
{
    (void)state;
    struct fx f;
    open_conn(&f, 2048);
    send_good(&f, 1000, TCP_ACK);
    struct tcp_conn *c = conn(&f);
    uint32_t wnd = c->rcv_adv - c->rcv_nxt;
    assert_true(wnd > 0 && wnd < 1400);
    uint64_t folded = f.st->tcp->rcv_folded;
    /* Partly outside the window: bad, dropped and counted; good, trimmed to the window. */
    struct snap s;
    snap_take(&f, &s);
    inject(&f, f.seq, TCP_ACK, 1400, 20 + 1399, 0);
    snap_same_but_counted(&f, &s);
    inject(&f, f.seq, TCP_ACK, 1400, -1, 0);
    c = conn(&f);
    assert_int_equal(c->rcv_nxt, f.seq + wnd);
    assert_int_equal(f.st->tcp->rcv_folded, folded);
    f.seq += wnd;
    read_check(&f, PEER_ISN + 1, 1000 + wnd);
    /* Starting below RCV.NXT (part already held): the new part is taken, not folded. */
    inject(&f, f.seq - 100, TCP_ACK, 600, -1, 0);
    f.seq += 500;
    assert_int_equal(conn(&f)->rcv_nxt, f.seq);
    assert_int_equal(f.st->tcp->rcv_folded, folded);
    /* Out of order, then the gap: the gap's segment is folded, the held one pulled after it. */
    inject(&f, f.seq + 300, TCP_ACK, 200, -1, 0);
    assert_int_equal(conn(&f)->rcv_nxt, f.seq);
    send_good(&f, 300, TCP_ACK);
    f.seq += 200;
    assert_int_equal(conn(&f)->rcv_nxt, f.seq);
    assert_int_equal(f.st->tcp->rcv_folded, folded + 1);
    /* Vouched for by the link: not summed, so not folded (a bad checksum is then not seen). */
    inject(&f, f.seq, TCP_ACK, 100, -1, SYNACK_RX_CSUM_OK);
    f.seq += 100;
    assert_int_equal(conn(&f)->rcv_nxt, f.seq);
    assert_int_equal(f.st->tcp->rcv_folded, folded + 1);
    read_check(&f, PEER_ISN + 1 + 1000 + wnd, f.seq - (PEER_ISN + 1 + 1000 + wnd));
    assert_int_equal(CTR(f.st, TcpInCsumErrors), 1);
    synack_stack_free(f.st);
}

/* Data with a FIN: a bad one changes nothing (the state stays ESTABLISHED); the good one is
 * folded, the FIN taken (CLOSE-WAIT) and the data read back, then the end of the stream. */
static void fin_with_data(void **state)
{
    (void)state;
    struct fx f;
    open_conn(&f, 0);
    uint32_t from = warm(&f);
    send_good(&f, 1000, TCP_ACK);
    struct snap s;
    snap_take(&f, &s);
    inject(&f, f.seq, TCP_ACK | TCP_FIN, 500, 20 + 250, 0);
    snap_same_but_counted(&f, &s);
    assert_int_equal(conn(&f)->state, SYNACK_TCP_ESTABLISHED);
    send_good(&f, 500, TCP_ACK | TCP_FIN);
    struct tcp_conn *c = conn(&f);
    assert_int_equal(c->state, SYNACK_TCP_CLOSE_WAIT);
    assert_int_equal(c->rcv_nxt, f.seq + 1);
    assert_int_equal(f.st->tcp->rcv_folded, s.folded + 1);
    read_check(&f, from, 1500);
    char b;
    assert_int_equal(synack_recv(f.st, f.sock, &b, 1, f.now), 0);
    synack_stack_free(f.st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(in_order_folded),
        cmocka_unit_test(corrupt_then_good),
        cmocka_unit_test(wrapped_ring),
        cmocka_unit_test(not_folded_cases),
        cmocka_unit_test(fin_with_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
