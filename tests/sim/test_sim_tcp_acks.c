/* Sim tier: the receiver's ACKs in a bulk transfer over a clean simulated link. B only receives
 * (1 MB from A), so every segment B sends is an ACK (or its FIN); the figure per MB is printed, and
 * it must be at least one ACK for every second full-sized segment (RFC 5681 4.2, RFC 1122
 * 4.2.3.2), with quick ACKs at the start (tcp_rcv.c) adding a few. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "sim/lib_tcpsim.h"

static void acks_per_mb(void **state)
{
    struct tcpsim t;
    tcpsim_init(&t, NULL, 1);
    struct bulk_result r;
    uint64_t total = 1 << 20;
    tcpsim_bulk(&t, total, 0, SYNACK_SEC(60), &r);
    assert_true(r.ok);
    uint64_t acks = synack_counter_get(t.st[1], SYNACK_C_TcpOutSegs);
    uint64_t delayed = synack_counter_get(t.st[1], SYNACK_C_TcpDelayedAcks);
    uint64_t per_mb = acks * 1000000u / total;
    printf("1 MiB A->B: B sent %llu segments (%llu by the delayed-ACK timer), %llu per MB\n",
           (unsigned long long)acks, (unsigned long long)delayed, (unsigned long long)per_mb);
    /* 1460-byte segments: every second one is 342 per MB. */
    assert_true(per_mb >= 1000000u / (2 * 1460));
    tcpsim_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(acks_per_mb),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
