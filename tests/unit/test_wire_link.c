/* Ethernet II and ARP (RFC 826): truncation at every length, hardware/protocol types other than
 * Ethernet/IPv4 refused, padding accepted, build -> parse round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unit/vectors/linux_frames.h"
#include "wire/arp.h"
#include "wire/eth.h"

static void test_eth_truncated(void **state)
{
    for (size_t i = 0; i < LINUX_FRAMES_N; i++) {
        const struct wire_vec *v = &linux_frames[i];
        for (size_t n = 0; n <= ETH_HDR_LEN; n++) {
            uint8_t *q = malloc(n ? n : 1);   /* exact size: ASan sees any read past n */
            if (n)
                memcpy(q, v->bytes, n);
            struct eth_hdr e;
            assert_int_equal(eth_parse(q, n, &e), n < ETH_HDR_LEN ? WIRE_ERR_SHORT : WIRE_OK);
            free(q);
        }
    }
}

static void test_eth_round_trip_and_address_kinds(void **state)
{
    struct eth_hdr e = { .dst = { 0x01, 0x00, 0x5e, 0, 0, 1 }, .src = { 2, 0, 0, 0, 0, 9 }, .type = 0x88cc };
    uint8_t p[ETH_HDR_LEN + 1];
    p[ETH_HDR_LEN] = 0x77;
    eth_build(p, &e);
    assert_int_equal(p[ETH_HDR_LEN], 0x77);
    struct eth_hdr g;
    assert_int_equal(eth_parse(p, ETH_HDR_LEN, &g), WIRE_OK);
    assert_memory_equal(&g.dst, e.dst, 6);
    assert_memory_equal(&g.src, e.src, 6);
    assert_int_equal(g.type, 0x88cc);
    /* IEEE 802: the group bit is the least significant bit of the first octet. */
    assert_true(eth_is_multicast(e.dst));
    assert_false(eth_is_broadcast(e.dst));
    assert_true(eth_is_broadcast(eth_broadcast));
    assert_true(eth_is_multicast(eth_broadcast));
    assert_false(eth_is_multicast(e.src));
    assert_true(eth_is_broadcast(VEC_ARP_REQUEST->eth_dst));
    assert_false(eth_is_multicast(VEC_ARP_REPLY->eth_dst));
}

static void test_arp_truncated(void **state)
{
    const struct wire_vec *vs[2] = { VEC_ARP_REQUEST, VEC_ARP_REPLY };
    for (int i = 0; i < 2; i++) {
        const uint8_t *p = vs[i]->bytes + ETH_HDR_LEN;
        for (size_t n = 0; n < ARP_LEN; n++) {
            uint8_t *q = malloc(n ? n : 1);
            if (n)
                memcpy(q, p, n);
            struct arp_pkt a;
            assert_int_equal(arp_parse(q, n, &a), WIRE_ERR_SHORT);
            free(q);
        }
    }
}

/* RFC 826: the receiver checks ar$hrd and ar$pro (and, as everyone does, their lengths). */
static void test_arp_other_types_refused(void **state)
{
    uint8_t p[ARP_LEN];
    struct arp_pkt a;
    static const struct { size_t off; uint8_t val; } pokes[] = {
        { 1, 6 },       /* hardware type 6 (IEEE 802) */
        { 0, 1 },       /* hardware type 0x0101 */
        { 2, 0x86 },    /* protocol 0x8600 */
        { 3, 0xdd },    /* protocol 0x08dd */
        { 4, 8 },       /* hardware length 8 */
        { 4, 0 },
        { 5, 16 },      /* protocol length 16 */
        { 5, 0 },
    };
    for (size_t i = 0; i < sizeof(pokes) / sizeof(pokes[0]); i++) {
        memcpy(p, VEC_ARP_REQUEST->bytes + ETH_HDR_LEN, ARP_LEN);
        p[pokes[i].off] = pokes[i].val;
        assert_int_equal(arp_parse(p, ARP_LEN, &a), WIRE_ERR_UNSUPPORTED);
    }
}

static void test_arp_padding_and_round_trip(void **state)
{
    /* A 60-byte minimum Ethernet frame pads the 28-byte packet with 18 bytes. */
    uint8_t p[46];
    memset(p, 0xa5, sizeof(p));
    memcpy(p, VEC_ARP_REPLY->bytes + ETH_HDR_LEN, ARP_LEN);
    struct arp_pkt a;
    assert_int_equal(arp_parse(p, sizeof(p), &a), 0);
    assert_int_equal(a.op, ARP_OP_REPLY);
    assert_int_equal(a.spa, VEC_ARP_REPLY->arp_spa);

    struct arp_pkt b = { .op = 0xbeef, .sha = { 1, 2, 3, 4, 5, 6 }, .spa = 0xdeadbeef,
                         .tha = { 7, 8, 9, 10, 11, 12 }, .tpa = 0x01020304 };
    uint8_t q[ARP_LEN + 1];
    q[ARP_LEN] = 0x77;
    arp_build(q, &b);
    assert_int_equal(q[ARP_LEN], 0x77);
    assert_int_equal(arp_parse(q, ARP_LEN, &a), 0);
    assert_int_equal(a.op, b.op);
    assert_memory_equal(a.sha, b.sha, 6);
    assert_memory_equal(a.tha, b.tha, 6);
    assert_int_equal(a.spa, b.spa);
    assert_int_equal(a.tpa, b.tpa);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eth_truncated),
        cmocka_unit_test(test_eth_round_trip_and_address_kinds),
        cmocka_unit_test(test_arp_truncated),
        cmocka_unit_test(test_arp_other_types_refused),
        cmocka_unit_test(test_arp_padding_and_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
