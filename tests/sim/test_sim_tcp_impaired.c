/* Sim tier: 10 MB each way between two stacks over a simulated link with loss (0, 1, 5, 10, 20 %),
 * reordering, duplication and corruption, several seeds each. Every byte is checked; both
 * connections must end as the state diagram says (the side that closes first in TIME-WAIT, then
 * CLOSED after 2*MSL), the stacks must hold no connection afterwards, and the heap must be back
 * where it started once they are freed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sim/lib_tcpsim.h"

static void count_conn(void *arg, const struct synack_tcp_info *i) { (*(int *)arg)++; }

static void run_case(double loss, double reorder, double dup, double corrupt, uint64_t seed, uint64_t bytes)
{
    fflush(stdout);   /* stdio's buffer is allocated by the first printf: before the heap snapshot */
    struct mallinfo2 m0 = mallinfo2();
    struct synack_simlink_config c;
    synack_simlink_config_init(&c);
    c.latency = SYNACK_MS(5);
    c.jitter = reorder > 0 ? SYNACK_US(200) : 0;
    c.bandwidth_bps = 1000000000ull;
    c.loss = loss;
    c.reorder = reorder;
    c.reorder_delay = SYNACK_MS(3);
    c.duplicate = dup;
    c.corrupt = corrupt;
    struct tcpsim t;
    tcpsim_init(&t, &c, seed);
    struct bulk_result r;
    tcpsim_bulk(&t, bytes, bytes, SYNACK_SEC(3600), &r);
    int left = 0;
    /* After 2*MSL every connection is gone (the listener was closed by tcpsim_bulk). */
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_SEC(61));
    synack_tcp_foreach(t.st[0], count_conn, &left);
    synack_tcp_foreach(t.st[1], count_conn, &left);
    printf("loss %4.1f%% reorder %3.1f%% dup %3.1f%% corrupt %3.1f%% seed %llu: %s in %7.2f s virtual; "
           "end %s/%s; retrans %llu/%llu; left %d\n",
           loss * 100, reorder * 100, dup * 100, corrupt * 100, (unsigned long long)seed, r.ok ? "ok" : "FAILED",
           (double)r.elapsed / 1e6, synack_tcp_state_name(r.a_state_end), synack_tcp_state_name(r.b_state_end),
           (unsigned long long)synack_counter_get(t.st[0], SYNACK_C_TcpRetransSegs),
           (unsigned long long)synack_counter_get(t.st[1], SYNACK_C_TcpRetransSegs), left);
    assert_true(r.ok);
    assert_int_equal(r.a_err, 0);
    assert_int_equal(r.b_err, 0);
    /* The last event of each side: TIME-WAIT for an active closer, CLOSED for a passive one; both
     * sides closing at once (simultaneous close) both end in TIME-WAIT. */
    assert_true(r.a_state_end == SYNACK_TCP_TIME_WAIT || r.a_state_end == SYNACK_TCP_CLOSED);
    assert_true(r.b_state_end == SYNACK_TCP_TIME_WAIT || r.b_state_end == SYNACK_TCP_CLOSED);
    assert_true(r.a_state_end == SYNACK_TCP_TIME_WAIT || r.b_state_end == SYNACK_TCP_TIME_WAIT);
    assert_int_equal(left, 0);
    tcpsim_free(&t);
    struct mallinfo2 m1 = mallinfo2();
    if (m1.uordblks != m0.uordblks)
        printf("heap: %zu bytes in use before, %zu after\n", m0.uordblks, m1.uordblks);
    assert_int_equal(m1.uordblks, m0.uordblks);
}

#define MB (1000000ull)

/* Under the sanitizers (a Debug build, ten times slower) one seed per case: the seeds' variety is
 * the plain build's job, the sanitizers' is finding a bad access on any path. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifdef SANITIZED
#define SEEDS(n) 1
#else
#define SEEDS(n) (n)
#endif

static void loss_0(void **s) { for (uint64_t seed = 1; seed <= SEEDS(2); seed++) run_case(0, 0, 0, 0, seed, 10 * MB); }
static void loss_1(void **s) { for (uint64_t seed = 1; seed <= SEEDS(3); seed++) run_case(0.01, 0, 0, 0, seed, 10 * MB); }
static void loss_5(void **s) { for (uint64_t seed = 1; seed <= SEEDS(3); seed++) run_case(0.05, 0, 0, 0, seed, 10 * MB); }
static void loss_10(void **s) { for (uint64_t seed = 1; seed <= SEEDS(2); seed++) run_case(0.10, 0, 0, 0, seed, 10 * MB); }
static void loss_20(void **s) { for (uint64_t seed = 1; seed <= SEEDS(2); seed++) run_case(0.20, 0, 0, 0, seed, 10 * MB); }
static void reordering(void **s) { for (uint64_t seed = 1; seed <= SEEDS(3); seed++) run_case(0, 0.05, 0, 0, seed, 10 * MB); }
static void duplication(void **s) { for (uint64_t seed = 1; seed <= SEEDS(3); seed++) run_case(0, 0, 0.05, 0, seed, 10 * MB); }
static void corruption(void **s) { for (uint64_t seed = 1; seed <= SEEDS(3); seed++) run_case(0, 0, 0, 0.02, seed, 10 * MB); }
static void everything(void **s) { for (uint64_t seed = 1; seed <= SEEDS(4); seed++) run_case(0.03, 0.03, 0.02, 0.01, seed, 10 * MB); }

int main(int argc, char **argv)
{
    /* glibc's per-thread cache keeps freed chunks counted as "in use" by mallinfo2; without it the
     * heap figure is exact, so re-run ourselves with the cache off. (Under ASan, which replaces
     * malloc, mallinfo2 reports nothing and the leak checker does this job.) */
    if (!getenv("GLIBC_TUNABLES")) {
        setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", 1);
        execv("/proc/self/exe", argv);
    }
    printf("sim tier: TCP over an impaired link, 10 MB each way per case\n");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loss_0),     cmocka_unit_test(loss_1),      cmocka_unit_test(loss_5),
        cmocka_unit_test(loss_10),    cmocka_unit_test(loss_20),     cmocka_unit_test(reordering),
        cmocka_unit_test(duplication), cmocka_unit_test(corruption), cmocka_unit_test(everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
