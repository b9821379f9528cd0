/* Sim tier: bulk transfers with each congestion-control module (CUBIC, the default, and reno)
 * over a lossy path with a 40 ms RTT, several seeds; every byte is checked by hash. The stacks
 * must use the module their config names (a new socket reports it), an unknown name must make
 * the stack refuse to start, and a socket must switch modules by name. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sim/lib_tcpsim.h"

static void run_case(const char *cc, double loss, uint64_t seed, uint64_t bytes)
{
    struct synack_simlink_config c;
    synack_simlink_config_init(&c);
    c.latency = SYNACK_MS(20);
    c.bandwidth_bps = 100000000ull;
    c.loss = loss;
    struct tcpsim t;
    tcpsim_init_cc(&t, &c, seed, cc);
    /* The stack's default module is the configured one. */
    int s = synack_socket(t.st[0], SYNACK_SOCK_STREAM);
    assert_true(s >= 0);
    char name[16];
    assert_int_equal(synack_tcp_get_congestion(t.st[0], s, name, sizeof(name)), 0);
    assert_string_equal(name, cc ? cc : "cubic");
    assert_int_equal(synack_close(t.st[0], s, 0), 0);
    struct bulk_result r;
    tcpsim_bulk(&t, bytes, bytes / 4, SYNACK_SEC(3600), &r);
    printf("%-5s loss %4.1f%% seed %llu: %s in %7.2f s virtual; retrans %llu/%llu\n", cc ? cc : "(def)",
           loss * 100, (unsigned long long)seed, r.ok ? "ok" : "FAILED", (double)r.elapsed / 1e6,
           (unsigned long long)synack_counter_get(t.st[0], SYNACK_C_TcpRetransSegs),
           (unsigned long long)synack_counter_get(t.st[1], SYNACK_C_TcpRetransSegs));
    assert_true(r.ok);
    assert_int_equal(r.a_err, 0);
    assert_int_equal(r.b_err, 0);
    tcpsim_free(&t);
}

#define MB (1000000ull)

static void cubic_lossy(void **st)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        run_case("cubic", 0.01, seed, 4 * MB);
        run_case("cubic", 0.05, seed, 2 * MB);
    }
    run_case(NULL, 0.02, 7, 2 * MB);
}

static void reno_lossy(void **st)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        run_case("reno", 0.01, seed, 4 * MB);
        run_case("reno", 0.05, seed, 2 * MB);
    }
}

static void names(void **st)
{
    struct synack_config sc;
    synack_config_init(&sc);
    synack_config_seed_u64(&sc, 1);
    sc.tcp_congestion = "vegas";
    assert_null(synack_stack_new(&sc));
    sc.tcp_congestion = "reno";
    synack_stack_t *s = synack_stack_new(&sc);
    assert_non_null(s);
    int l = synack_socket(s, SYNACK_SOCK_STREAM);
    char name[16];
    assert_int_equal(synack_tcp_get_congestion(s, l, name, sizeof(name)), 0);
    assert_string_equal(name, "reno");
    assert_int_equal(synack_tcp_set_congestion(s, l, "cubic", 0), 0);
    assert_int_equal(synack_tcp_get_congestion(s, l, name, sizeof(name)), 0);
    assert_string_equal(name, "cubic");
    assert_int_equal(synack_tcp_set_congestion(s, l, "bbr", 0), -SYNACK_ENOENT);
    assert_int_equal(synack_tcp_get_congestion(s, l, name, 3), -SYNACK_ENOSPC);
    char all[64];
    assert_string_equal(synack_tcp_congestion_names(all, sizeof(all)), "cubic reno");
    int u = synack_socket(s, SYNACK_SOCK_DGRAM);
    assert_int_equal(synack_tcp_set_congestion(s, u, "cubic", 0), -SYNACK_ENOPROTOOPT);
    synack_stack_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),
        cmocka_unit_test(cubic_lossy),
        cmocka_unit_test(reno_lossy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
