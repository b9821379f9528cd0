/* The stack's packet-buffer pool (src/core/bufpool.c): a freed buffer comes back last-in first-out,
 * the pool keeps no more than its bound and gives the rest back, each size class is its own, a
 * request larger than both classes is allocated plainly, an allocator that fails makes buf_alloc
 * fail cleanly, the counters (hits, misses, high-water) add up, and after synack_stack_free nothing
 * the embedder's allocator handed out is left. Under AddressSanitizer a pooled buffer's storage is
 * poisoned until it is handed out again. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/bufpool.h"
#include "core/ctx.h"
#include "lib/counting_alloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
int __asan_address_is_poisoned(void const volatile *addr);
#endif

static synack_stack_t *new_stack(struct counting *cnt, unsigned pool_max)
{
    struct synack_config cfg;
    synack_config_init(&cfg);
    cfg.alloc.fn = counting_realloc;
    cfg.alloc.ctx = cnt;
    cfg.buf_pool_max = pool_max;
    synack_stack_t *st = synack_stack_new(&cfg);
    assert_non_null(st);
    return st;
}

#define HITS(st) synack_counter_get((st), SYNACK_C_BufPoolHits)
#define MISSES(st) synack_counter_get((st), SYNACK_C_BufPoolMisses)
#define HIGH(st) synack_counter_get((st), SYNACK_C_BufPoolHighWater)

static void test_lifo_reuse(void **state)
{
    struct counting cnt = { 0 };
    synack_stack_t *st = new_stack(&cnt, 8);
    const struct synack_allocator *a = &st->cfg.alloc;
    assert_ptr_equal(buf_pool_of(a), &st->bufpool);
    assert_null(buf_pool_of(NULL));

    struct buf *b1 = buf_alloc(a, BUF_HEADROOM, 1460);
    struct buf *b2 = buf_alloc(a, BUF_HEADROOM, 40);
    assert_non_null(b1);
    assert_non_null(b2);
    assert_int_equal(MISSES(st), 2);
    assert_int_equal(HITS(st), 0);
    assert_int_equal(buf_headroom(b1), BUF_HEADROOM);
    assert_int_equal(b1->len, 0);
    assert_true(b1->cap >= BUF_HEADROOM + 1460);
    memset(b1->data, 0x11, 1460);   /* the whole content area is usable */
    b1->len = 1460;
    b1->gso_size = 1448;
    buf_free(b1);
    buf_free(b2);
    /* Last in, first out: b2 first, then b1, each as good as new. */
    long calls = cnt.calls;
    struct buf *c1 = buf_alloc(a, BUF_HEADROOM, 1000);
    struct buf *c2 = buf_alloc(a, 64, 1460);
    assert_ptr_equal(c1, b2);
    assert_ptr_equal(c2, b1);
    assert_int_equal(cnt.calls, calls);   /* no allocator call */
    assert_int_equal(HITS(st), 2);
    assert_int_equal(c2->len, 0);
    assert_int_equal(c2->gso_size, 0);
    assert_null(c2->next);
    assert_int_equal(buf_headroom(c2), 64);
    /* buf_from is pooled too. */
    buf_free(c1);
    struct buf *d = buf_from(a, "abc", 3);
    assert_ptr_equal(d, c1);
    assert_memory_equal(d->data, "abc", 3);
    assert_int_equal(HIGH(st), 2);
    buf_free(d);
    buf_free(c2);
    synack_stack_free(st);
    assert_int_equal(cnt.live, 0);
}

static void test_bound_and_classes(void **state)
{
    struct counting cnt = { 0 };
    synack_stack_t *st = new_stack(&cnt, 4);   /* 4 of one frame's size, 1 of 64 KiB */
    const struct synack_allocator *a = &st->cfg.alloc;
    long base = cnt.live;
    struct buf *v[10];
    for (int i = 0; i < 10; i++)
        v[i] = buf_alloc(a, BUF_HEADROOM, 1500);
    assert_int_equal(HIGH(st), 10);
    assert_int_equal(cnt.live, base + 10);
    for (int i = 0; i < 10; i++)
        buf_free(v[i]);
    assert_int_equal(cnt.live, base + 4);   /* the bound: the rest went back */
    assert_int_equal(st->bufpool.nfree[0], 4);

    /* The 64 KiB class: an offload frame, a large datagram. */
    struct buf *g1 = buf_alloc(a, BUF_HEADROOM, 60000), *g2 = buf_alloc(a, 0, 65507);
    assert_true(g1->cap >= BUF_HEADROOM + 60000);
    memset(g2->data, 0x22, 65507);
    buf_free(g1);
    buf_free(g2);
    assert_int_equal(cnt.live, base + 4 + 1);
    long misses = (long)MISSES(st);
    struct buf *g3 = buf_alloc(a, BUF_HEADROOM, 30000);
    assert_ptr_equal(g3, g1);   /* the big class keeps one (4 / 16, at least one): g2 went back */
    assert_int_equal((long)MISSES(st), misses);
    /* A small request never takes a big buffer (it takes from its own class). */
    struct buf *s = buf_alloc(a, BUF_HEADROOM, 100);
    assert_true(s->cap < BUF_HEADROOM + 30000);

    /* Larger than both classes: allocated and freed plainly, counted as a miss. */
    struct buf *huge = buf_alloc(a, BUF_HEADROOM, 200000);
    assert_non_null(huge);
    assert_int_equal(huge->cap, BUF_HEADROOM + 200000);
    assert_int_equal((long)MISSES(st), misses + 1);
    long live = cnt.live;
    buf_free(huge);
    assert_int_equal(cnt.live, live - 1);
    buf_free(s);
    buf_free(g3);
    assert_int_equal(st->bufpool.outstanding, 0);
    synack_stack_free(st);
    assert_int_equal(cnt.live, 0);
}

static void test_exhaustion(void **state)
{
    struct counting cnt = { 0 };
    synack_stack_t *st = new_stack(&cnt, 0);   /* 0: the default bound */
    assert_int_equal(st->bufpool.max[0], BUF_POOL_DEFAULT_MAX);
    const struct synack_allocator *a = &st->cfg.alloc;
    /* The allocator fails: no buffer, nothing counted as handed out. */
    cnt.fail_at = cnt.calls + 1;
    uint64_t misses = MISSES(st);
    assert_null(buf_alloc(a, BUF_HEADROOM, 1460));
    assert_int_equal(MISSES(st), misses);
    assert_int_equal(st->bufpool.outstanding, 0);
    /* A buffer in the pool is still handed out while the allocator fails. */
    cnt.fail_at = 0;
    struct buf *b = buf_alloc(a, BUF_HEADROOM, 1460);
    buf_free(b);
    cnt.fail_at = cnt.calls + 1;
    struct buf *c = buf_alloc(a, BUF_HEADROOM, 1460);
    assert_ptr_equal(c, b);
    assert_null(buf_alloc(a, BUF_HEADROOM, 1460));   /* the pool is empty again */
    cnt.fail_at = 0;
    buf_free(c);
    synack_stack_free(st);
    assert_int_equal(cnt.live, 0);
}

/* The pool's blocks come from the embedder's allocator, and every other allocation of the stack
 * still reaches it through the pool's front. */
static void test_front_passes_through(void **state)
{
    struct counting cnt = { 0 };
    synack_stack_t *st = new_stack(&cnt, 4);
    const struct synack_allocator *a = &st->cfg.alloc;
    long live = cnt.live, calls = cnt.calls;
    void *p = mem_alloc(a, 100);
    assert_int_equal(cnt.live, live + 1);
    p = mem_realloc(a, p, 5000);
    assert_int_equal(cnt.calls, calls + 2);
    mem_free(a, p);
    assert_int_equal(cnt.live, live);
    synack_stack_free(st);
    assert_int_equal(cnt.live, 0);
}

static void test_poisoned_while_pooled(void **state)
{
#ifdef TEST_ASAN
    synack_stack_t *st = new_stack(&(struct counting){ 0 }, 4);
    struct buf *b = buf_alloc(&st->cfg.alloc, BUF_HEADROOM, 100);
    uint8_t *payload = b->data;
    assert_false(__asan_address_is_poisoned(payload));
    buf_free(b);
    assert_true(__asan_address_is_poisoned(payload));
    b = buf_alloc(&st->cfg.alloc, BUF_HEADROOM, 100);
    assert_false(__asan_address_is_poisoned(payload));
    buf_free(b);
    synack_stack_free(st);
#else
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifo_reuse),
        cmocka_unit_test(test_bound_and_classes),
        cmocka_unit_test(test_exhaustion),
        cmocka_unit_test(test_front_passes_through),
        cmocka_unit_test(test_poisoned_while_pooled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
