/* `--pcap-wire` (tools/wireseg.c): an offload frame cut into the segments the wire carries. A
 * 4000-byte TCP payload with gso_size 1448 gives three frames of 1448, 1448 and 1104 bytes, each
 * with its IPv4 total length, consecutive IDs, a good IPv4 header checksum and a full TCP checksum
 * over the pseudo-header (both checked with a plain 16-bit sum written here, not the cutter's),
 * sequence numbers advancing by the payload, FIN and PSH only on the last and CWR only on the
 * first, and the payload bytes in order. A frame from the device (merged, checksum partial) is cut
 * at what the MTU leaves beside its headers; frames without offload pass unchanged. The same over
 * IPv6: payload length per segment, no ID, the checksum over the IPv6 pseudo-header (RFC 8200 8.1),
 * the rest of the header (flow label, hop limit, addresses) unchanged. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/wireseg.c"

/* RFC 1071 the slow way: 16-bit words, carries folded at the end. */
static uint16_t naive_sum(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    uint64_t s = 0;
    for (size_t i = 0; i < alen; i += 2)
        s += (uint32_t)(a[i] << 8) | (i + 1 < alen ? a[i + 1] : 0);
    for (size_t i = 0; i < blen; i += 2)
        s += (uint32_t)(b[i] << 8) | (i + 1 < blen ? b[i + 1] : 0);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

#define L2 14
#define IHL 20
#define THL 32   /* 12 bytes of options, kept on every segment */
#define PAYLOAD 4000
#define MSS 1448

struct got {
    uint8_t frames[8][2048];
    size_t len[8];
    int n;
};

static void collect(void *ctx, const uint8_t *frame, size_t len)
{
    struct got *g = ctx;
    assert_true(g->n < 8 && len <= sizeof(g->frames[0]));
    memcpy(g->frames[g->n], frame, len);
    g->len[g->n++] = len;
}

/* An Ethernet + IPv4 + TCP offload frame as the stack hands it over: checksum field holding the
 * pseudo-header sum only, IP total length over the whole payload. */
static size_t build(uint8_t *f, uint8_t flags)
{
    memset(f, 0, L2 + IHL + THL + PAYLOAD);
    f[12] = 0x08;
    uint8_t *ip = f + L2, *th = ip + IHL;
    ip[0] = 0x45;
    wr16(ip + 2, (uint16_t)(IHL + THL + PAYLOAD));
    wr16(ip + 4, 0xfffe);   /* IDs wrap across the cut */
    wr16(ip + 6, 0x4000);   /* DF */
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, "\xc0\x00\x02\x02\xc0\x00\x02\x01", 8);
    wr16(th, 7);
    wr16(th + 2, 40000);
    wr32(th + 4, 0xfffff000u);   /* sequence numbers wrap too */
    wr32(th + 8, 12345);
    th[12] = (uint8_t)((THL / 4) << 4);
    th[13] = flags;
    wr16(th + 14, 500);
    for (int i = 0; i < THL - 20; i++)
        th[20 + i] = 1;   /* NOPs */
    for (int i = 0; i < PAYLOAD; i++)
        th[THL + i] = (uint8_t)(i * 7 + 3);
    wr16(th + 16, 0x1234);   /* partial: whatever it holds must not matter */
    return L2 + IHL + THL + PAYLOAD;
}

static void check_segments(const struct got *g, int want_n, size_t mss, uint8_t flags)
{
    assert_int_equal(g->n, want_n);
    size_t off = 0;
    for (int i = 0; i < g->n; i++) {
        const uint8_t *ip = g->frames[i] + L2, *th = ip + IHL;
        size_t chunk = PAYLOAD - off < mss ? PAYLOAD - off : mss;
        assert_int_equal(g->len[i], L2 + IHL + THL + chunk);
        assert_int_equal(naive_sum(ip, IHL, NULL, 0), 0xffff);   /* header checksum good */
        assert_int_equal(rd16(ip + 2), IHL + THL + chunk);
        assert_int_equal(rd16(ip + 4), (uint16_t)(0xfffe + i));
        /* The full TCP checksum: the one's-complement sum over pseudo-header and segment is 0xffff. */
        uint8_t ph[12];
        memcpy(ph, ip + 12, 8);
        ph[8] = 0;
        ph[9] = 6;
        wr16(ph + 10, (uint16_t)(THL + chunk));
        assert_int_equal(naive_sum(ph, 12, th, THL + chunk), 0xffff);
        assert_int_equal(rd32(th + 4), (uint32_t)(0xfffff000u + off));
        int last = i == g->n - 1;
        uint8_t want = (uint8_t)(flags & ~((last ? 0 : 0x09) | (i ? 0x80 : 0)));
        assert_int_equal(th[13], want);
        for (size_t k = 0; k < chunk; k++)
            if (th[THL + k] != (uint8_t)((off + k) * 7 + 3))
                fail_msg("segment %d byte %zu", i, k);
        off += chunk;
    }
    assert_int_equal(off, PAYLOAD);
}

static void test_cut_out(void **state)
{
    (void)state;
    static uint8_t f[L2 + IHL + THL + PAYLOAD];
    struct got *g = calloc(1, sizeof(*g));
    size_t len = build(f, 0x80 | 0x10 | 0x08 | 0x01);   /* CWR, ACK, PSH, FIN */
    struct synack_tx_meta m = { MSS, L2 + IHL + THL, L2 + IHL, 16 };
    assert_int_equal(wireseg_cut(f, len, &m, L2, collect, g), 3);
    check_segments(g, 3, MSS, 0x80 | 0x10 | 0x08 | 0x01);
    free(g);
}

static void test_cut_in(void **state)
{
    (void)state;
    static uint8_t f[L2 + IHL + THL + PAYLOAD];
    struct got *g = calloc(1, sizeof(*g));
    size_t len = build(f, 0x10 | 0x08);
    /* MTU 1500 leaves 1500 - 20 - 32 = 1448 bytes of payload beside these headers. */
    assert_int_equal(wireseg_cut_in(f, len, 1500, L2, collect, g), 3);
    check_segments(g, 3, 1448, 0x10 | 0x08);
    free(g);
}

static void test_unchanged(void **state)
{
    (void)state;
    static uint8_t f[L2 + IHL + THL + PAYLOAD];
    struct got *g = calloc(1, sizeof(*g));
    size_t len = build(f, 0x10);
    struct synack_tx_meta none = { 0, 0, 0, 0 };
    assert_int_equal(wireseg_cut(f, 200, &none, L2, collect, g), 1);   /* no gso_size: as it is */
    assert_int_equal(g->len[0], 200);
    assert_memory_equal(g->frames[0], f, 200);
    uint8_t arp[42] = { [12] = 0x08, [13] = 0x06 };
    assert_int_equal(wireseg_cut_in(arp, sizeof(arp), 1500, L2, collect, g), 1);
    assert_int_equal(g->len[1], sizeof(arp));
    struct synack_tx_meta m = { MSS, 0, 0, 0 };
    f[L2 + 9] = 17;   /* not TCP: refused, passed on unchanged */
    assert_int_equal(wireseg_cut(f, len < 1000 ? len : 1000, &m, L2, collect, g), -1);
    assert_int_equal(g->n, 3);
    free(g);
}

/* ---- IPv6 ---- */

#define IP6 40

static size_t build6(uint8_t *f, uint8_t flags)
{
    memset(f, 0, L2 + IP6 + THL + PAYLOAD);
    f[12] = 0x86;
    f[13] = 0xdd;
    uint8_t *ip = f + L2, *th = ip + IP6;
    wr32(ip, 0x60012345u);   /* a flow label, kept on every segment */
    wr16(ip + 4, (uint16_t)(THL + PAYLOAD));
    ip[6] = 6;
    ip[7] = 64;
    memcpy(ip + 8, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
    memcpy(ip + 24, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
    wr16(th, 80);
    wr16(th + 2, 40000);
    wr32(th + 4, 0xfffff000u);
    wr32(th + 8, 12345);
    th[12] = (uint8_t)((THL / 4) << 4);
    th[13] = flags;
    wr16(th + 14, 500);
    for (int i = 0; i < THL - 20; i++)
        th[20 + i] = 1;
    for (int i = 0; i < PAYLOAD; i++)
        th[THL + i] = (uint8_t)(i * 7 + 3);
    wr16(th + 16, 0x4321);
    return L2 + IP6 + THL + PAYLOAD;
}

static void check_segments6(const struct got *g, const uint8_t *orig, int want_n, size_t mss, uint8_t flags)
{
    assert_int_equal(g->n, want_n);
    size_t off = 0;
    for (int i = 0; i < g->n; i++) {
        const uint8_t *ip = g->frames[i] + L2, *th = ip + IP6;
        size_t chunk = PAYLOAD - off < mss ? PAYLOAD - off : mss;
        assert_int_equal(g->len[i], L2 + IP6 + THL + chunk);
        assert_memory_equal(g->frames[i], orig, L2);
        assert_int_equal(rd16(ip + 4), THL + chunk);
        assert_memory_equal(ip, orig + L2, 4);             /* version, class, flow label */
        assert_memory_equal(ip + 6, orig + L2 + 6, 34);    /* next header, hop limit, addresses */
        /* RFC 8200 8.1: source, destination, 32-bit upper-layer length, 3 zero bytes, next header. */
        uint8_t ph[40] = { 0 };
        memcpy(ph, ip + 8, 32);
        wr32(ph + 32, (uint32_t)(THL + chunk));
        ph[39] = 6;
        assert_int_equal(naive_sum(ph, 40, th, THL + chunk), 0xffff);
        assert_int_equal(rd32(th + 4), (uint32_t)(0xfffff000u + off));
        int last = i == g->n - 1;
        assert_int_equal(th[13], (uint8_t)(flags & ~((last ? 0 : 0x09) | (i ? 0x80 : 0))));
        for (size_t k = 0; k < chunk; k++)
            if (th[THL + k] != (uint8_t)((off + k) * 7 + 3))
                fail_msg("segment %d byte %zu", i, k);
        off += chunk;
    }
    assert_int_equal(off, PAYLOAD);
}

static void test_cut_out6(void **state)
{
    (void)state;
    static uint8_t f[L2 + IP6 + THL + PAYLOAD];
    struct got *g = calloc(1, sizeof(*g));
    size_t len = build6(f, 0x80 | 0x10 | 0x08 | 0x01);
    struct synack_tx_meta m = { 1428, L2 + IP6 + THL, L2 + IP6, 16 };
    assert_int_equal(wireseg_cut(f, len, &m, L2, collect, g), 3);
    check_segments6(g, f, 3, 1428, 0x80 | 0x10 | 0x08 | 0x01);
    /* On a TUN device (no link header) the same. */
    memset(g, 0, sizeof(*g));
    assert_int_equal(wireseg_cut(f + L2, len - L2, &m, 0, collect, g), 3);
    assert_int_equal(rd16(g->frames[2] + 4), THL + PAYLOAD - 2 * 1428);
    free(g);
}

static void test_cut_in6(void **state)
{
    (void)state;
    static uint8_t f[L2 + IP6 + THL + PAYLOAD];
    struct got *g = calloc(1, sizeof(*g));
    size_t len = build6(f, 0x10 | 0x08);
    /* MTU 1500 leaves 1500 - 40 - 32 = 1428 bytes beside these headers. */
    assert_int_equal(wireseg_cut_in(f, len, 1500, L2, collect, g), 3);
    check_segments6(g, f, 3, 1428, 0x10 | 0x08);
    /* An IPv6 frame that is not TCP (an extension header first, or ICMPv6) passes unchanged. */
    f[L2 + 6] = 58;
    struct synack_tx_meta m = { 1428, 0, 0, 0 };
    assert_int_equal(wireseg_cut_in(f, 300, 1500, L2, collect, g), 1);
    assert_int_equal(wireseg_cut(f, 300, &m, L2, collect, g), -1);
    assert_int_equal(g->n, 5);
    assert_int_equal(g->len[4], 300);
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cut_out),
        cmocka_unit_test(test_cut_in),
        cmocka_unit_test(test_unchanged),
        cmocka_unit_test(test_cut_out6),
        cmocka_unit_test(test_cut_in6),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
