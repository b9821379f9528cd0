/* Sim tier: windows that grow. Over a path whose bandwidth-delay product (1 Gbit/s, 40 ms RTT: 5 MB)
 * is far beyond the default 256 KiB buffers, a bulk transfer with autotuning (the default: buffers
 * grow to tcp_rmem_max / tcp_wmem_max, the window scale chosen for them at the handshake) must run
 * at least three times as fast as the same transfer with the ceilings held at 256 KiB, where the
 * receive window caps it at 256 KiB per round trip. A socket that sets SO_RCVBUF keeps its size.
 * Every byte is checked by hash in both runs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sim/lib_tcpsim.h"

static synack_time_t run(unsigned rmem_max, unsigned wmem_max, uint64_t bytes)
{
    struct synack_simlink_config c;
    synack_simlink_config_init(&c);
    c.latency = SYNACK_MS(20);
    c.bandwidth_bps = 1000000000ull;
    struct synack_config sc;
    synack_config_init(&sc);
    sc.tcp_rmem_max = rmem_max;
    sc.tcp_wmem_max = wmem_max;
    struct tcpsim t;
    tcpsim_init_config(&t, &c, 5, &sc);
    struct bulk_result r;
    tcpsim_bulk(&t, bytes, 0, SYNACK_SEC(600), &r);
    assert_true(r.ok);
    assert_int_equal(r.a_err, 0);
    assert_int_equal(r.b_err, 0);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(locked),
        cmocka_unit_test(grows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
