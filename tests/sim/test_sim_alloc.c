/* The embedder's allocator (synack_config.alloc): every byte a stack takes (the stack object, packet
 * buffers, sockets, connections and their queues, ARP, reassembly, timers) comes from it and goes
 * back to it. Two stacks with a counting allocator exchange fragmented UDP and a TCP transfer; after
 * synack_stack_free nothing is outstanding. An allocator that fails at the n-th call makes
 * synack_stack_new fail cleanly, with nothing left behind. In a steady bulk transfer, after a
 * warm-up, neither the stacks (their buffer pools) nor the simulated link (its free frames) call
 * their allocator at all. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/counting_alloc.h"
#include "lib/simpair.h"

static void traffic(void **state)
{
    struct counting cnt = { 0 };
    struct synack_config cfg;
    synack_config_init(&cfg);
    cfg.alloc.fn = counting_realloc;
    cfg.alloc.ctx = &cnt;
    struct simpair p;
    assert_int_equal(sp_init(&p, NULL, &cfg, 7, 0), 0);
    long after_new = cnt.live;
    assert_true(after_new >= 2);   /* at least the two stack objects */
    synack_stack_t *a = p.st[0], *b = p.st[1];
    const uint32_t A = 0x0a000001u, B = 0x0a000002u;

    /* UDP, 4000 bytes: three fragments, reassembled at B. */
    int ub = synack_socket(b, SYNACK_SOCK_DGRAM), ua = synack_socket(a, SYNACK_SOCK_DGRAM);
    struct synack_sockaddr bu = { .addr = synack_ip_from_v4(B), .port = 5000 };
    assert_int_equal(synack_bind(b, ub, &bu), 0);
    static uint8_t big[4000], got[4000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 7);
    assert_int_equal(synack_sendto(a, ua, big, sizeof(big), &bu, sp_now(&p)), (int)sizeof(big));
    sp_run(&p, SYNACK_MS(50));
    struct synack_sockaddr from;
    assert_int_equal(synack_recvfrom(b, ub, got, sizeof(got), &from, sp_now(&p)), (int)sizeof(big));
    assert_memory_equal(got, big, sizeof(big));
    assert_int_equal(synack_ip_to_v4(&from.addr), A);

    /* TCP: 200 KB from A to B. */
    int ls = synack_socket(b, SYNACK_SOCK_STREAM);
    struct synack_sockaddr bt = { .addr = synack_ip_from_v4(B), .port = 80 };
    assert_int_equal(synack_bind(b, ls, &bt), 0);
    assert_int_equal(synack_listen(b, ls, 8), 0);
    int cs = synack_socket(a, SYNACK_SOCK_STREAM);
    synack_connect(a, cs, &bt, sp_now(&p));
    sp_run(&p, SYNACK_MS(20));
    int as = synack_accept(b, ls, NULL, sp_now(&p));
    assert_true(as >= 0);
    size_t sent = 0, rcvd = 0, total = 200000;
    uint8_t buf[8192];
    for (int round = 0; round < 10000 && rcvd < total; round++) {
        if (sent < total) {
            size_t n = total - sent < sizeof(buf) ? total - sent : sizeof(buf);
            for (size_t i = 0; i < n; i++)
                buf[i] = (uint8_t)(sent + i);
            int r = synack_send(a, cs, buf, n, sp_now(&p));
            if (r > 0)
                sent += (size_t)r;
        }
        sp_run(&p, SYNACK_MS(1));
        int r;
        while ((r = synack_recv(b, as, buf, sizeof(buf), sp_now(&p))) > 0) {
            for (int i = 0; i < r; i++)
                if (buf[i] != (uint8_t)(rcvd + (size_t)i))
                    fail_msg("byte %zu differs", rcvd + (size_t)i);
            rcvd += (size_t)r;
        }
    }
    assert_int_equal(rcvd, total);
    assert_true(cnt.live > after_new);   /* sockets, connections, queues came from it too */
    synack_close(a, cs, sp_now(&p));
    sp_run(&p, SYNACK_MS(20));
    sp_free(&p);
    assert_int_equal(cnt.live, 0);
    assert_true(cnt.calls > 10);
}

static void failing_allocator(void **state)
{
    /* Fail the 1st, 2nd, ... call of synack_stack_new and of adding an interface. */
    long succeeded_at = 0;
    for (long n = 1; n < 200 && !succeeded_at; n++) {
        struct counting cnt = { .fail_at = n };
        struct synack_config cfg;
        synack_config_init(&cfg);
        cfg.alloc.fn = counting_realloc;
        cfg.alloc.ctx = &cnt;
        synack_stack_t *st = synack_stack_new(&cfg);
        if (st) {
            synack_stack_free(st);
            succeeded_at = n;
        }
        assert_int_equal(cnt.live, 0);
    }
    assert_true(succeeded_at > 1);   /* the first call (the stack object itself) is its allocator's */
}

/* A bulk transfer A -> B in 64 KiB sends, 1 ms of virtual time per round, until `until` bytes have
 * arrived (checked against the pattern). */
static void bulk(struct simpair *p, int cs, int as, size_t *sent, size_t *rcvd, size_t until)
{
    static uint8_t buf[65536];
    for (int round = 0; round < 100000 && *rcvd < until; round++) {
        for (;;) {
            for (size_t i = 0; i < sizeof(buf); i++)
                buf[i] = (uint8_t)(*sent + i);
            int r = synack_send(p->st[0], cs, buf, sizeof(buf), sp_now(p));
            if (r <= 0)
                break;
            *sent += (size_t)r;
        }
        sp_run(p, SYNACK_MS(1));
        int r;
        while ((r = synack_recv(p->st[1], as, buf, sizeof(buf), sp_now(p))) > 0) {
            for (int i = 0; i < r; i++)
                if (buf[i] != (uint8_t)(*rcvd + (size_t)i))
                    fail_msg("byte %zu differs", *rcvd + (size_t)i);
            *rcvd += (size_t)r;
        }
    }
    assert_true(*rcvd >= until);
}

static void steady_state_allocates_nothing(void **state)
{
    struct counting stacks = { 0 }, link = { 0 };
    struct synack_config cfg;
    synack_config_init(&cfg);
    cfg.alloc.fn = counting_realloc;
    cfg.alloc.ctx = &stacks;
    struct synack_simlink_config lc;
    synack_simlink_config_init(&lc);
    lc.latency = SYNACK_US(200);
    lc.alloc.fn = counting_realloc;
    lc.alloc.ctx = &link;
    struct simpair p;
    assert_int_equal(sp_init(&p, &lc, &cfg, 11, 0), 0);
    for (int i = 0; i < 2; i++)
        synack_stack_set_trace(p.st[i], NULL, NULL);   /* the recording grows with the run */
    int ls = synack_socket(p.st[1], SYNACK_SOCK_STREAM);
    struct synack_sockaddr bt = { .addr = synack_ip_from_v4(0x0a000002u), .port = 80 };
    assert_int_equal(synack_bind(p.st[1], ls, &bt), 0);
    assert_int_equal(synack_listen(p.st[1], ls, 8), 0);
    int cs = synack_socket(p.st[0], SYNACK_SOCK_STREAM);
    synack_connect(p.st[0], cs, &bt, sp_now(&p));
    sp_run(&p, SYNACK_MS(5));
    int as = synack_accept(p.st[1], ls, NULL, sp_now(&p));
    assert_true(as >= 0);

    /* Warm-up: autotuning grows the send and receive rings to their ceilings (tcp_wmem_max,
     * tcp_rmem_max; 12 MB is enough today, 32 leaves a margin), the window and so the frames in
     * flight stop growing, the pools and the link's free list fill, the timer heap and the link's
     * heap reach their capacity. */
    size_t sent = 0, rcvd = 0;
    bulk(&p, cs, as, &sent, &rcvd, 32u << 20);
    long s0 = stacks.calls, l0 = link.calls;
    struct synack_simlink_stats a0, b0, a1, b1;
    synack_simlink_stats(p.link, 0, &a0);
    synack_simlink_stats(p.link, 1, &b0);
    uint64_t hits0 = synack_counter_get(p.st[0], SYNACK_C_BufPoolHits) + synack_counter_get(p.st[1], SYNACK_C_BufPoolHits);

    bulk(&p, cs, as, &sent, &rcvd, 48u << 20);
    synack_simlink_stats(p.link, 0, &a1);
    synack_simlink_stats(p.link, 1, &b1);
    uint64_t frames = (a1.sent - a0.sent) + (b1.sent - b0.sent);
    uint64_t hits = synack_counter_get(p.st[0], SYNACK_C_BufPoolHits) + synack_counter_get(p.st[1], SYNACK_C_BufPoolHits) - hits0;
    print_message("steady state: %llu frames, %ld calls of the stacks' allocator, %ld of the link's, %llu pool hits\n",
                  (unsigned long long)frames, stacks.calls - s0, link.calls - l0, (unsigned long long)hits);
    assert_true(frames > 10000);            /* 16 MB: the measurement covers many frames */
    assert_true(hits >= frames);            /* every frame sent came out of a pool */
    assert_int_equal(stacks.calls - s0, 0);
    assert_int_equal(link.calls - l0, 0);

    synack_close(p.st[0], cs, sp_now(&p));
    synack_close(p.st[1], as, sp_now(&p));
    sp_run(&p, SYNACK_MS(50));
    sp_free(&p);
    assert_int_equal(stacks.live, 0);
    assert_int_equal(link.live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(traffic),
        cmocka_unit_test(failing_allocator),
        cmocka_unit_test(steady_state_allocates_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
