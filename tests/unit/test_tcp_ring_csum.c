/* ring_peek_csum (tcp/tcp_buf.c): the copy a segment's payload takes out of the send ring comes
 * with the payload's checksum sum, so TCP reads it once. Checked against copying with ring_peek and
 * summing the copy with wire_csum_partial, over random ring sizes, heads (the wrap falling at odd
 * and even offsets), offsets and lengths; and a segment built with tcp_build_ph_sum parses with a
 * good checksum exactly when one built with tcp_build_ph does. The receive side's ring_stage_csum:
 * the bytes go after the ring's last byte (wrapping likewise), the ring and its bytes unchanged,
 * the sum that of the bytes; ring_commit then makes them the ring's last bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_buf.h"
#include "wire/csum.h"
#include "wire/tcp.h"

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (uint32_t)rnd_state;
}

static void sums_match_copy(void **state)
{
    (void)state;
    static uint8_t store[70000], a[70000], b[70000];
    for (int iter = 0; iter < 3000; iter++) {
        uint32_t cap = 1 + rnd() % 65536;
        for (uint32_t i = 0; i < cap; i++)
            store[i] = (uint8_t)rnd();
        struct tcp_ring r = { .data = store, .cap = cap, .head = rnd() % cap, .len = cap };
        size_t off = rnd() % cap, len = rnd() % (cap - off + 1);
        if (iter % 7 == 0)
            len = cap - off;   /* to the end, across the wrap when there is one */
        ring_peek(&r, off, a, len);
        uint64_t s = ring_peek_csum(&r, off, b, len);
        assert_memory_equal(a, b, len);
        assert_int_equal(wire_csum_finish(s), wire_csum_finish(wire_csum_partial(a, len, 0)));
    }
}

static void stage_then_commit(void **state)
{
    (void)state;
    static uint8_t store[70000], src[70000], before[70000], back[70000];
    for (int iter = 0; iter < 3000; iter++) {
        uint32_t cap = 1 + rnd() % 65536;
        for (uint32_t i = 0; i < cap; i++)
            store[i] = (uint8_t)rnd();
        struct tcp_ring r = { .data = store, .cap = cap, .head = rnd() % cap, .len = rnd() % (cap + 1) };
        size_t len = rnd() % (cap - r.len + 1);
        if (iter % 5 == 0)
            len = cap - r.len;   /* all the free space, across the wrap when there is one */
        for (size_t i = 0; i < len; i++)
            src[i] = (uint8_t)rnd();
        ring_peek(&r, 0, before, r.len);
        struct tcp_ring was = r;
        uint64_t s = ring_stage_csum(&r, src, len);
        assert_memory_equal(&was, &r, sizeof(r));
        assert_int_equal(wire_csum_finish(s), wire_csum_finish(wire_csum_partial(src, len, 0)));
        ring_peek(&r, 0, back, r.len);
        assert_memory_equal(back, before, r.len);   /* the held bytes are untouched */
        ring_commit(&r, len);
        assert_int_equal(r.len, was.len + len);
        ring_peek(&r, was.len, back, len);
        assert_memory_equal(back, src, len);
    }
}

static void segment_checksum_same(void **state)
{
    (void)state;
    static uint8_t data[3000], p1[3100], p2[3100];
    for (int iter = 0; iter < 500; iter++) {
        size_t len = rnd() % sizeof(data);
        for (size_t i = 0; i < len; i++)
            data[i] = (uint8_t)rnd();
        struct tcp_hdr h;
        memset(&h, 0, sizeof(h));
        h.sport = (uint16_t)rnd();
        h.dport = (uint16_t)rnd();
        h.seq = rnd();
        h.ack = rnd();
        h.flags = TCP_ACK | TCP_PSH;
        h.win = (uint16_t)rnd();
        if (iter & 1) {
            h.opts.has_ts = 1;
            h.opts.ts_val = rnd();
            h.opts.ts_ecr = rnd();
        }
        uint64_t pseudo = rnd() & 0xffffff;
        size_t hl = tcp_hdr_len(&h.opts);
        memcpy(p1 + hl, data, len);
        size_t h1 = tcp_build_ph(p1, &h, len, pseudo);
        uint64_t ds = wire_csum_copy(p2 + hl, data, len, 0);
        size_t h2 = tcp_build_ph_sum(p2, &h, len, pseudo, ds);
        assert_int_equal(h1, h2);
        assert_memory_equal(p1, p2, h1 + len);
        struct tcp_hdr back;
        assert_int_equal(tcp_parse_ph(p2, h2 + len, pseudo, 1, &back), WIRE_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sums_match_copy),
        cmocka_unit_test(stage_then_commit),
        cmocka_unit_test(segment_checksum_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
