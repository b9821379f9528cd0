/* The embedder's allocator (synack_config.alloc): every byte a stack takes (the stack object, packet
 * buffers, sockets, connections and their queues, ARP, reassembly, timers) comes from it and goes
 * back to it. Two stacks with a counting allocator exchange fragmented UDP and a TCP transfer; after
 * synack_stack_free nothing is outstanding. An allocator that fails at the n-th call makes
 * synack_stack_new fail cleanly, with nothing left behind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/simpair.h"

struct counting {
    long live;            /* blocks allocated and not yet freed */
    long calls;           /* allocations and resizes */
    long fail_at;         /* the call (1-based) that returns NULL; 0: none */
};

/* A realloc-style allocator that counts blocks. The block's size is kept in front of it, so the
 * memory it hands out is still aligned for any type. */
static void *counting_realloc(void *ctx, void *p, size_t n)
{
    struct counting *c = ctx;
    max_align_t *h = p ? (max_align_t *)p - 1 : NULL;
    if (n == 0) {
        if (h) {
            c->live--;
            free(h);
        }
        return NULL;
    }
    c->calls++;
    if (c->fail_at && c->calls == c->fail_at)
        return NULL;
    max_align_t *q = realloc(h, sizeof(max_align_t) + n);
    if (!q)
        return NULL;
    if (!h)
        c->live++;
    return q + 1;
}

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(traffic),
        cmocka_unit_test(failing_allocator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
