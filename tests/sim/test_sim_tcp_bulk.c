/* Sim tier: bulk TCP transfers between two stacks over a simulated link, clean and impaired, in
 * both directions, data checked byte by byte and every connection ending as it must; also over a
 * link with segmentation and checksum offload. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "sim/lib_tcpsim.h"

static void run(const struct synack_simlink_config *cfg, uint64_t seed, uint64_t ab, uint64_t ba, int secs)
{
    struct tcpsim t;
    tcpsim_init(&t, cfg, seed);
    struct bulk_result r;
    tcpsim_bulk(&t, ab, ba, SYNACK_SEC(secs), &r);
    printf("seed %llu: %llu/%llu bytes A->B, %llu/%llu B->A in %.3f s virtual, errs %d/%d, end states %s/%s\n",
           (unsigned long long)seed, (unsigned long long)r.b_rcvd, (unsigned long long)ab,
           (unsigned long long)r.a_rcvd, (unsigned long long)ba, (double)r.elapsed / 1e6, r.a_err, r.b_err,
           synack_tcp_state_name(r.a_state_end), synack_tcp_state_name(r.b_state_end));
    assert_true(r.ok);
    assert_int_equal(r.a_err, 0);
    assert_int_equal(r.b_err, 0);
    tcpsim_free(&t);
}

static void clean_link_both_ways(void **state)
{
    run(NULL, 1, 1 << 20, 1 << 20, 60);
}

static void lossy_link(void **state)
{
    struct synack_simlink_config c;
    synack_simlink_config_init(&c);
    c.latency = SYNACK_MS(5);
    c.bandwidth_bps = 100000000ull;
    c.loss = 0.05;
    for (uint64_t seed = 1; seed <= 3; seed++)
        run(&c, seed, 1 << 20, 256 << 10, 600);
}

/* Many seeds: 1 MB each way through 5 % loss with reordering and duplication, 24 seeds. */
static void seed_sweep(void **state)
{
    struct synack_simlink_config c;
    synack_simlink_config_init(&c);
    c.latency = SYNACK_MS(2);
    c.jitter = SYNACK_US(300);
    c.bandwidth_bps = 200000000ull;
    c.loss = 0.05;
    c.reorder = 0.02;
    c.reorder_delay = SYNACK_MS(1);
    c.duplicate = 0.01;
    for (uint64_t seed = 100; seed < 124; seed++)
        run(&c, seed, 1 << 20, 1 << 20, 900);
}

/* Segmentation and checksum offload on the link (as a veth pair): TCP sends frames of up to 64 KB,
 * which arrive whole with their checksum vouched for (SYNACK_RX_CSUM_OK), so neither stack sums
 * the payload. Clean, the data goes in far fewer frames than MSS-sized segments would need; with
 * loss, reordering, duplication and corruption, the corrupted frames lose the vouching and are
 * dropped by the receiver's checksum (counted), and every byte still arrives right. */
static void offload_link(void **state)
{
    struct synack_simlink_config c;
    synack_simlink_config_init(&c);
    c.latency = SYNACK_MS(1);
    c.bandwidth_bps = 10000000000ull;
    c.offload = 1;
    struct tcpsim t;
    tcpsim_init(&t, &c, 7);
    struct bulk_result r;
    tcpsim_bulk(&t, 8 << 20, 2 << 20, SYNACK_SEC(60), &r);
    assert_true(r.ok);
    struct synack_simlink_stats sa;
    synack_simlink_stats(t.link, 0, &sa);
    printf("offload, clean: %llu frames A->B for 8 MB (MSS-sized segments: %u)\n", (unsigned long long)sa.sent,
           (8u << 20) / 1448u);
    assert_true(sa.sent < (8u << 20) / 1448u / 4u);
    assert_int_equal(synack_counter_get(t.st[1], SYNACK_C_TcpInCsumErrors), 0);
    tcpsim_free(&t);

    c.latency = SYNACK_MS(2);
    c.bandwidth_bps = 1000000000ull;
    c.loss = 0.02;
    c.reorder = 0.02;
    c.reorder_delay = SYNACK_MS(1);
    c.duplicate = 0.01;
    c.corrupt = 0.05;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        tcpsim_init(&t, &c, seed);
        tcpsim_bulk(&t, 4 << 20, 1 << 20, SYNACK_SEC(600), &r);
        assert_true(r.ok);
        assert_int_equal(r.a_err, 0);
        assert_int_equal(r.b_err, 0);
        struct synack_simlink_stats s0, s1;
        synack_simlink_stats(t.link, 0, &s0);
        synack_simlink_stats(t.link, 1, &s1);
        uint64_t csum_errs = synack_counter_get(t.st[0], SYNACK_C_TcpInCsumErrors) +
                             synack_counter_get(t.st[1], SYNACK_C_TcpInCsumErrors);
        printf("offload, seed %llu: %llu frames corrupted, %llu TCP checksum errors counted\n",
               (unsigned long long)seed, (unsigned long long)(s0.corrupted + s1.corrupted),
               (unsigned long long)csum_errs);
        assert_true(s0.corrupted + s1.corrupted > 0);
        assert_true(csum_errs > 0);
        tcpsim_free(&t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_link_both_ways),
        cmocka_unit_test(lossy_link),
        cmocka_unit_test(seed_sweep),
        cmocka_unit_test(offload_link),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
