/* Unit tests of IPv4 reassembly (src/net/reasm.c; RFC 791 3.2, RFC 815) and, with two stacks,
 * fragmentation on output: fragments in order, out of order, reversed, duplicated (counted),
 * overlapping (dropped and counted, the datagram still completes from the good fragments), the
 * 30 s timeout in virtual time, the per-stack memory limit, and bogus lengths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/harness.h"
#include "lib/simpair.h"
#include "core/ctx.h"
#include "net/net.h"

#define PORT 5000
#define DLEN 4000    /* UDP datagram (header + data) carried in five 800-byte fragments */
#define FLEN 800

struct ctx {
    struct hx h;
    int s;
    uint8_t dgram[DLEN];   /* the UDP datagram the fragments carry */
};

static struct ctx *ctx_new(const struct synack_config *cfg)
{
    struct ctx *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    hx_init(&c->h, cfg);
    c->s = synack_socket(c->h.st, SYNACK_SOCK_DGRAM);
    struct synack_sockaddr a = { synack_ip_any6(), PORT };
    assert_int_equal(synack_bind(c->h.st, c->s, &a), 0);
    uint8_t data[DLEN - UDP_HDR_LEN];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 13 + (i >> 8));
    hx_udp(c->dgram, HX_PEER, HX_US, 1234, PORT, data, sizeof(data));
    return c;
}

static void ctx_free(struct ctx *c)
{
    hx_free(&c->h);
    free(c);
}

/* Sends bytes [off, off+len) of the datagram as one fragment of datagram `id` (zeros past its
 * end, for fragments that claim more than there is). */
static void frag(struct ctx *c, uint16_t id, unsigned off, unsigned len, int mf)
{
    uint8_t body[2 * DLEN] = { 0 }, p[20 + 2 * DLEN];
    assert_true(len <= sizeof(body));
    if (off < DLEN)
        memcpy(body, c->dgram + off, off + len <= DLEN ? len : DLEN - off);
    size_t n = hx_ip(p, HX_PEER, HX_US, IP4_PROTO_UDP, id, (uint16_t)((off / 8) | (mf ? IP4_FLAG_MF : 0)),
                     body, len);
    hx_input_ip(&c->h, p, n);
}

/* Fragment i of the five regular ones. */
static void frag_i(struct ctx *c, uint16_t id, int i)
{
    frag(c, id, (unsigned)i * FLEN, FLEN, i < 4);
}

/* 1 if the whole datagram's data arrived (and is correct), 0 if nothing is queued. */
static int got_whole(struct ctx *c)
{
    uint8_t buf[DLEN];
    int n = synack_recvfrom(c->h.st, c->s, buf, sizeof(buf), NULL, c->h.now);
    if (n < 0)
        return 0;
    assert_int_equal(n, DLEN - UDP_HDR_LEN);
    assert_memory_equal(buf, c->dgram + UDP_HDR_LEN, (size_t)n);
    return 1;
}

static void run_order(const int *order, int n, int expect_dups)
{
    struct ctx *c = ctx_new(NULL);
    for (int i = 0; i < n; i++) {
        assert_false(got_whole(c));
        frag_i(c, 42, order[i]);
    }
    assert_true(got_whole(c));
    assert_false(got_whole(c));
    assert_int_equal(CTR(c->h.st, ReasmReqds), (uint64_t)n);
    assert_int_equal(CTR(c->h.st, ReasmOKs), 1);
    assert_int_equal(CTR(c->h.st, ReasmDuplicates), (uint64_t)expect_dups);
    assert_int_equal(CTR(c->h.st, ReasmFails), 0);
    /* Everything released: no memory held, no timer left. */
    assert_int_equal(c->h.st->net->reasm.mem, 0);
    assert_int_equal(synack_stack_next_deadline(c->h.st), SYNACK_TIME_NEVER);
    ctx_free(c);
}

static void test_in_order(void **state)
{
    static const int o[] = { 0, 1, 2, 3, 4 };
    run_order(o, 5, 0);
}

static void test_out_of_order(void **state)
{
    static const int o[] = { 2, 0, 4, 1, 3 };
    run_order(o, 5, 0);
}

static void test_reversed(void **state)
{
    static const int o[] = { 4, 3, 2, 1, 0 };
    run_order(o, 5, 0);
}

static void test_duplicates(void **state)
{
    static const int o[] = { 0, 4, 0, 1, 1, 4, 2, 3 };
    run_order(o, 8, 3);
}

static void test_overlap_dropped_datagram_completes(void **state)
{
    struct ctx *c = ctx_new(NULL);
    frag_i(c, 7, 0);
    frag_i(c, 7, 2);
    /* Overlaps fragment 0's tail and would overwrite it with other bytes: dropped, not merged. */
    uint8_t evil[FLEN];
    memset(evil, 0xee, sizeof(evil));
    uint8_t p[20 + FLEN];
    size_t n = hx_ip(p, HX_PEER, HX_US, IP4_PROTO_UDP, 7, (uint16_t)((400 / 8) | IP4_FLAG_MF), evil, FLEN);
    hx_input_ip(&c->h, p, n);
    /* A subset of fragment 2 carrying the same bytes is a harmless repeat (a duplicate); a
     * fragment straddling the edges of the gap between fragments 0 and 2 is an overlap. */
    frag(c, 7, 1600 + 8, 64, 1);
    assert_int_equal(CTR(c->h.st, ReasmDuplicates), 1);
    frag(c, 7, 792, 816, 1);
    assert_int_equal(CTR(c->h.st, ReasmOverlaps), 2);
    frag_i(c, 7, 1);
    frag_i(c, 7, 3);
    frag_i(c, 7, 4);
    assert_true(got_whole(c));   /* the good fragments' bytes, checked */
    assert_int_equal(CTR(c->h.st, ReasmOKs), 1);
    ctx_free(c);
}

/* 65507 bytes of ICMP at MTU 576 arrive in 119 fragments, more than there are range slots:
 * adjacent ranges merge, so a datagram in order needs one slot whatever its fragment count. */
static void test_many_fragments_merge(void **state)
{
    struct ctx *c = ctx_new(NULL);
    uint8_t body[65000];
    for (size_t i = 0; i < sizeof(body); i++)
        body[i] = (uint8_t)(i * 7);
    uint8_t p[20 + 552];
    unsigned nfrag = 0;
    for (size_t off = 0; off < sizeof(body); off += 552, nfrag++) {
        size_t len = sizeof(body) - off < 552 ? sizeof(body) - off : 552;
        int more = off + len < sizeof(body);
        size_t n = hx_ip(p, HX_PEER, HX_US, 200, 11, (uint16_t)((off / 8) | (more ? IP4_FLAG_MF : 0)), body + off, len);
        hx_input_ip(&c->h, p, n);
    }
    assert_true(nfrag > REASM_MAX_FRAGS);
    assert_int_equal(CTR(c->h.st, ReasmOKs), 1);
    assert_int_equal(CTR(c->h.st, ReasmMemDrops), 0);
    ctx_free(c);
}

static void test_overlapping_last_fragment_does_not_fix_length(void **state)
{
    struct ctx *c = ctx_new(NULL);
    for (int i = 0; i < 4; i++)
        frag_i(c, 9, i);
    /* A bogus "last fragment" overlapping fragment 3 claims the datagram ends at 3400. It is
     * dropped as an overlap, so it must not set the length: the real last fragment (ending at
     * 4000) then completes the datagram. */
    frag(c, 9, 3192, 208, 0);
    assert_int_equal(CTR(c->h.st, ReasmOverlaps), 1);
    frag_i(c, 9, 4);
    assert_true(got_whole(c));
    assert_int_equal(CTR(c->h.st, ReasmFails), 0);
    ctx_free(c);
}

static void test_timeout(void **state)
{
    struct ctx *c = ctx_new(NULL);
    synack_time_t t0 = c->h.now;
    frag_i(c, 5, 0);
    /* A later fragment does not extend the timer (RFC 791 3.2 starts it with the first). */
    hx_run_until(&c->h, t0 + SYNACK_SEC(20));
    frag_i(c, 5, 1);
    hx_run_until(&c->h, t0 + SYNACK_SEC(30) - 1);
    assert_int_equal(CTR(c->h.st, ReasmTimeout), 0);
    assert_true(c->h.st->net->reasm.mem > 0);
    hx_run_until(&c->h, t0 + SYNACK_SEC(30));
    assert_int_equal(CTR(c->h.st, ReasmTimeout), 1);
    assert_int_equal(CTR(c->h.st, ReasmFails), 1);
    assert_int_equal(c->h.st->net->reasm.mem, 0);
    /* The rest arrives too late: a new reassembly starts and cannot complete without 0 and 1. */
    frag_i(c, 5, 2);
    frag_i(c, 5, 3);
    frag_i(c, 5, 4);
    assert_false(got_whole(c));
    hx_advance(&c->h, SYNACK_SEC(31));
    assert_int_equal(CTR(c->h.st, ReasmTimeout), 2);
    assert_int_equal(CTR(c->h.st, ReasmOKs), 0);
    /* RFC 1122 3.2.2.4 would allow "reassembly time exceeded" when we hold fragment 0; we stay
     * silent (see reasm.c), so nothing was sent. */
    assert_int_equal(hx_pending(&c->h), 0);
    ctx_free(c);
}

static void test_memory_limit(void **state)
{
    struct synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, 3);
    cfg.reasm_mem_limit = 6144;
    struct ctx *c = ctx_new(&cfg);
    frag_i(c, 1, 0);
    frag_i(c, 1, 4);     /* datagram 1 holds 4096 bytes */
    frag_i(c, 2, 0);     /* datagram 2 holds 2048: at the limit */
    assert_int_equal(c->h.st->net->reasm.mem, 6144);
    frag_i(c, 3, 0);     /* no room for a third */
    frag_i(c, 2, 4);     /* nor for datagram 2 to grow */
    assert_int_equal(CTR(c->h.st, ReasmMemDrops), 2);
    assert_int_equal(c->h.st->net->reasm.mem, 6144);
    /* Datagram 1 still completes, and frees its memory. */
    for (int i = 1; i < 4; i++)
        frag_i(c, 1, i);
    assert_true(got_whole(c));
    assert_int_equal(c->h.st->net->reasm.mem, 2048);
    /* Datagram 2 lost its last fragment to the limit; sent again, it completes. */
    for (int i = 1; i < 5; i++)
        frag_i(c, 2, i);
    assert_true(got_whole(c));
    assert_int_equal(c->h.st->net->reasm.mem, 0);
    ctx_free(c);
}

static void test_refused_start_holds_no_slot(void **state)
{
    /* While memory is full, first fragments of new datagrams are refused. They must not leave
     * empty entries behind that hold the datagram slots for the whole timeout: once memory is
     * free again, new datagrams must be accepted at once. */
    struct synack_config cfg;
    synack_config_init(&cfg);
    synack_config_seed_u64(&cfg, 3);
    cfg.reasm_mem_limit = 8192;
    struct ctx *c = ctx_new(&cfg);
    frag_i(c, 1, 0);
    frag_i(c, 1, 4);
    frag_i(c, 2, 0);
    frag_i(c, 2, 4);
    assert_int_equal(c->h.st->net->reasm.mem, 8192);
    for (uint16_t id = 200; id < 300; id++)
        frag_i(c, id, 1);
    assert_int_equal(CTR(c->h.st, ReasmMemDrops), 100);
    for (uint16_t id = 1; id <= 2; id++) {
        for (int i = 1; i < 4; i++)
            frag_i(c, id, i);
        assert_true(got_whole(c));
    }
    assert_int_equal(c->h.st->net->reasm.mem, 0);
    for (uint16_t id = 300; id < 303; id++)
        frag_i(c, id, 1);
    assert_int_equal(CTR(c->h.st, ReasmMemDrops), 100);
    ctx_free(c);
}

static void test_table_full(void **state)
{
    struct ctx *c = ctx_new(NULL);
    for (uint16_t id = 100; id < 100 + REASM_MAX_DGRAMS; id++)
        frag_i(c, id, 1);
    assert_int_equal(CTR(c->h.st, ReasmMemDrops), 0);
    frag_i(c, 999, 0);
    assert_int_equal(CTR(c->h.st, ReasmMemDrops), 1);
    /* A datagram already in progress still accepts fragments. */
    for (int i = 0; i < 5; i++)
        if (i != 1)
            frag_i(c, 100, i);
    assert_true(got_whole(c));
    ctx_free(c);
}

static void test_bogus_lengths(void **state)
{
    struct ctx *c = ctx_new(NULL);
    /* RFC 791: a fragment with MF carries a multiple of 8 bytes, and not zero. */
    frag(c, 11, 0, 801, 1);
    frag(c, 11, 0, 0, 1);
    /* Past the 65535-byte datagram limit. */
    uint8_t p[2000];
    memset(p, 0, sizeof(p));
    uint8_t body[200] = { 0 };
    size_t n = hx_ip(p, HX_PEER, HX_US, IP4_PROTO_UDP, 12, (uint16_t)(65512 / 8), body, 100);
    hx_input_ip(&c->h, p, n);
    assert_int_equal(CTR(c->h.st, ReasmFails), 3);
    assert_int_equal(c->h.st->net->reasm.mem, 0);

    /* Two different last fragments: the datagram is inconsistent and abandoned. */
    frag_i(c, 13, 0);
    frag(c, 13, 3200, 800, 0);
    frag(c, 13, 2400, 800, 0);
    assert_int_equal(CTR(c->h.st, ReasmFails), 4);
    assert_int_equal(c->h.st->net->reasm.mem, 0);
    /* A non-final fragment beyond the known end: also abandoned. */
    frag_i(c, 14, 4);
    frag(c, 14, 4000, 800, 1);
    assert_int_equal(CTR(c->h.st, ReasmFails), 5);
    assert_int_equal(c->h.st->net->reasm.mem, 0);
    assert_int_equal(CTR(c->h.st, ReasmOKs), 0);
    ctx_free(c);
}

static void test_first_header_plus_payload_too_long(void **state)
{
    /* Every fragment fits in 65535 bytes with its own 20-byte header, but the first fragment has
     * a 60-byte header: 60 + 65500 does not fit in the total length field. The datagram must be
     * refused, not rebuilt with a wrapped length. */
    struct ctx *c = ctx_new(NULL);
    static uint8_t payload[65500];
    static uint8_t pkt[20 + 40 + 1480];
    const unsigned chunk = 1480;
    unsigned off = 0;
    for (; off + chunk < sizeof(payload); off += chunk) {
        size_t n = hx_ip(pkt, HX_PEER, HX_US, IP4_PROTO_UDP, 21, (uint16_t)((off / 8) | IP4_FLAG_MF),
                         payload + off, chunk);
        if (off == 0) {
            /* Grow the header by 40 bytes of NOP options. */
            memmove(pkt + 60, pkt + 20, chunk);
            memset(pkt + 20, 1, 40);
            pkt[0] = 0x4f;
            wire_put16(pkt + 2, (uint16_t)(60 + chunk));
            hx_ip_fix_csum(pkt);
            n = 60 + chunk;
        }
        hx_input_ip(&c->h, pkt, n);
    }
    size_t n = hx_ip(pkt, HX_PEER, HX_US, IP4_PROTO_UDP, 21, (uint16_t)(off / 8), payload + off,
                     sizeof(payload) - off);
    hx_input_ip(&c->h, pkt, n);
    assert_int_equal(CTR(c->h.st, ReasmOKs), 0);
    assert_int_equal(CTR(c->h.st, ReasmFails), 1);
    assert_int_equal(CTR(c->h.st, InDelivers), 0);
    assert_int_equal(c->h.st->net->reasm.mem, 0);
    ctx_free(c);
}

static void test_ping_3000_between_stacks(void **state)
{
    /* Stack 0 pings stack 1 with 3000 bytes over a 1500-byte MTU: the request goes out in three
     * fragments, stack 1 reassembles and answers with the same bytes, fragmented in turn, and the
     * reply arrives whole at stack 0. */
    struct simpair p;
    assert_int_equal(sp_init(&p, NULL, NULL, 100, 1500), 0);
    uint8_t data[3000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i ^ (i >> 7));
    struct synack_ip ping_dst = synack_ip_from_v4(0x0a000002u);
    assert_int_equal(synack_ping(p.st[0], &ping_dst, 0x1234, 1, data, sizeof(data), sp_now(&p)), 0);
    sp_run(&p, SYNACK_SEC(1));
    assert_int_equal(p.tr[0].necho, 1);
    const struct sp_echo *r = &p.tr[0].echo[0];
    assert_int_equal(r->from, 0x0a000002u);
    assert_int_equal(r->id, 0x1234);
    assert_int_equal(r->seq, 1);
    assert_int_equal(r->len, 20 + 8 + sizeof(data));
    assert_memory_equal(r->pkt + 28, data, sizeof(data));
    for (int side = 0; side < 2; side++) {
        assert_int_equal(CTR(p.st[side], FragOKs), 1);
        assert_int_equal(CTR(p.st[side], FragCreates), 3);
        assert_int_equal(CTR(p.st[side], ReasmReqds), 3);
        assert_int_equal(CTR(p.st[side], ReasmOKs), 1);
    }
    assert_int_equal(CTR(p.st[1], IcmpInEchos), 1);
    assert_int_equal(CTR(p.st[1], IcmpOutEchoReps), 1);
    sp_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_reversed),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_overlap_dropped_datagram_completes),
        cmocka_unit_test(test_overlapping_last_fragment_does_not_fix_length),
        cmocka_unit_test(test_many_fragments_merge),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_memory_limit),
        cmocka_unit_test(test_refused_start_holds_no_slot),
        cmocka_unit_test(test_table_full),
        cmocka_unit_test(test_bogus_lengths),
        cmocka_unit_test(test_first_header_plus_payload_too_long),
        cmocka_unit_test(test_ping_3000_between_stacks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
