/* Sim tier: windows that grow. Over a path whose bandwidth-delay product (1 Gbit/s, 40 ms RTT: 5 MB)
 * is far beyond the default 256 KiB buffers, a bulk transfer with autotuning (the default: buffers
 * grow to tcp_rmem_max / tcp_wmem_max, the window scale chosen for them at the handshake) must run
 * at least three times as fast as the same transfer with the ceilings held at 256 KiB, where the
 * receive window caps it at 256 KiB per round trip. A socket that sets SO_RCVBUF keeps its size.
 * Every byte is checked by hash in both runs.
 *
 * The stack's memory ceiling (tcp_mem_max): the same transfer with a 2 MiB ceiling completes, the
 * stacks' peak memory (measured through their allocator) stays within the ceiling plus what is not
 * TCP buffers, under half the unbounded run's peak, and the pressure is counted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/lib_tcpsim.h"

/* The stacks' allocator: the C library's, with the bytes held and their peak counted. */
struct peak {
    long live, peak;
};

static void *peak_alloc(void *ctx, void *p, size_t n)
{
    struct peak *k = ctx;
    if (p)
        k->live -= (long)malloc_usable_size(p);
    if (!n) {
        free(p);
        return NULL;
    }
    void *q = realloc(p, n);
    if (!q && p)
        k->live += (long)malloc_usable_size(p);
    if (q)
        k->live += (long)malloc_usable_size(q);
    if (k->live > k->peak)
        k->peak = k->live;
    return q;
}

/* One bulk transfer of `bytes` over the 1 Gbit/s, 40 ms RTT path (losing `loss` of the frames),
 * both stacks made from sc; every byte checked. Returns the lab, for its counters; free it. */
static void transfer(struct tcpsim *t, const struct synack_config *sc, double loss, uint64_t bytes,
                     struct bulk_result *r)
{
    struct synack_simlink_config c;
    synack_simlink_config_init(&c);
    c.loss = loss;
    c.latency = SYNACK_MS(20);
    c.bandwidth_bps = 1000000000ull;
    tcpsim_init_config(t, &c, 5, sc);
    tcpsim_bulk(t, bytes, 0, SYNACK_SEC(600), r);
    assert_true(r->ok);
    assert_int_equal(r->a_err, 0);
    assert_int_equal(r->b_err, 0);
}

/* One bulk transfer of `bytes` with tcp_mem_max = mem_max (0: the default); returns the stacks'
 * peak memory, and their TcpMemoryPressures in *pressures. */
static long run_mem(size_t mem_max, uint64_t bytes, uint64_t *pressures, double loss, uint64_t *drops)
{
    struct peak k = { 0, 0 };
    struct synack_config sc;
    synack_config_init(&sc);
    sc.tcp_mem_max = mem_max;
    sc.alloc.fn = peak_alloc;
    sc.alloc.ctx = &k;
    struct tcpsim t;
    struct bulk_result r;
    transfer(&t, &sc, loss, bytes, &r);
    *pressures = synack_counter_get(t.st[0], SYNACK_C_TcpMemoryPressures) +
                 synack_counter_get(t.st[1], SYNACK_C_TcpMemoryPressures);
    *drops = synack_counter_get(t.st[1], SYNACK_C_TcpMemoryDrops);
    tcpsim_free(&t);
    assert_int_equal(k.live, 0);
    return k.peak;
}

static synack_time_t run(unsigned rmem_max, unsigned wmem_max, uint64_t bytes)
{
    struct synack_config sc;
    synack_config_init(&sc);
    sc.tcp_rmem_max = rmem_max;
    sc.tcp_wmem_max = wmem_max;
    struct tcpsim t;
    struct bulk_result r;
    transfer(&t, &sc, 0, bytes, &r);
    tcpsim_free(&t);
    return r.elapsed;
}

static void grows(void **st)
{
    (void)st;
    uint64_t bytes = 60000000ull;
    synack_time_t tuned = run(0, 0, bytes);
    synack_time_t fixed = run(256 * 1024, 256 * 1024, bytes);
    double mbps_tuned = (double)bytes * 8 / (double)tuned, mbps_fixed = (double)bytes * 8 / (double)fixed;
    printf("60 MB over 1 Gbit/s, 40 ms RTT: autotuned %.1f Mbit/s, fixed 256 KiB %.1f Mbit/s (%.2fx)\n",
           mbps_tuned, mbps_fixed, mbps_tuned / mbps_fixed);
    assert_true(mbps_tuned >= 3 * mbps_fixed);
}

static void locked(void **st)
{
    (void)st;
    struct synack_config sc;
    synack_config_init(&sc);
    synack_config_seed_u64(&sc, 1);
    synack_stack_t *s = synack_stack_new(&sc);
    int fd = synack_socket(s, SYNACK_SOCK_STREAM);
    assert_int_equal(synack_setsockopt(s, fd, SYNACK_SO_RCVBUF, 100000, 0), 0);
    int v = 0;
    assert_int_equal(synack_getsockopt(s, fd, SYNACK_SO_RCVBUF, &v), 0);
    assert_int_equal(v, 100000);
    synack_stack_free(s);
}

static void ceiling(void **st)
{
    (void)st;
    uint64_t bytes = 30000000ull, p_free, p_capped, d;
    long free_peak = run_mem(0, bytes, &p_free, 0, &d);
    long capped_peak = run_mem(2u << 20, bytes, &p_capped, 0, &d);
    printf("30 MB over 1 Gbit/s, 40 ms RTT: peak memory of both stacks %ld bytes unbounded, %ld with "
           "tcp_mem_max 2 MiB (pressure entered %llu times)\n",
           free_peak, capped_peak, (unsigned long long)p_capped);
    assert_int_equal(p_free, 0);
    assert_true(p_capped >= 1);
    /* Two stacks, each at most its 2 MiB of buffers plus the pools' frames and the connections. */
    assert_true(capped_peak <= 2 * ((2l << 20) + (1l << 20)));
    assert_true(capped_peak * 2 < free_peak);
    /* With loss, out-of-order data queues at the receiver: at the ceiling it is dropped and sent
     * again, and the data still arrives whole (tcpsim_bulk checks it by hash). */
    uint64_t p_lossy, drops;
    long lossy_peak = run_mem(192u << 10, 10000000ull, &p_lossy, 0.01, &drops);
    printf("10 MB with 1%% loss and tcp_mem_max 192 KiB: peak %ld bytes, out-of-order drops at the ceiling %llu\n",
           lossy_peak, (unsigned long long)drops);
    assert_true(drops > 0);
    assert_true(lossy_peak <= 2 * ((192l << 10) + (1l << 20)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(locked),
        cmocka_unit_test(grows),
        cmocka_unit_test(ceiling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
