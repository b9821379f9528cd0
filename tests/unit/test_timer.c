/* Unit tests of the timer heap (src/core/timer.c): earliest first, equal deadlines in arm order
 * (docs/ARCHITECTURE.md: "equal deadlines fire in the order they were armed"), cancel
 * and re-arm from inside callbacks, and many random operations checked against a simple
 * reference model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/timer.h"

#define NT 200

struct fixture {
    struct timer_heap heap;
    struct timer t[NT];
    int fired[4 * NT];        /* indexes in firing order */
    synack_time_t fired_at[4 * NT];
    size_t nfired;
    /* behaviour hooks for callback tests */
    int cancel_on_fire[NT];   /* index of a timer to cancel when this one fires, or -1 */
    synack_time_t rearm_delta[NT];   /* re-arm self at now + delta (0: no) */
    int rearm_count[NT];
};

static void on_fire(void *owner, struct timer *t, synack_time_t now)
{
    struct fixture *f = owner;
    int i = (int)(t - f->t);
    assert_false(timer_armed(t));   /* a firing timer is already off the heap */
    f->fired[f->nfired] = i;
    f->fired_at[f->nfired] = now;
    f->nfired++;
    if (f->cancel_on_fire[i] >= 0)
        timer_cancel(&f->heap, &f->t[f->cancel_on_fire[i]]);
    if (f->rearm_delta[i] && f->rearm_count[i] > 0) {
        f->rearm_count[i]--;
        assert_int_equal(timer_arm(&f->heap, t, now + f->rearm_delta[i]), 0);
    }
}

static struct fixture *fx_new(void)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    timer_heap_init(&f->heap, NULL);
    for (int i = 0; i < NT; i++) {
        timer_init(&f->t[i], on_fire, f);
        f->cancel_on_fire[i] = -1;
    }
    return f;
}

static void fx_free(struct fixture *f)
{
    timer_heap_free(&f->heap);
    for (int i = 0; i < NT; i++)
        assert_false(timer_armed(&f->t[i]));
    free(f);
}

static void test_empty(void **state)
{
    struct fixture *f = fx_new();
    assert_int_equal(timer_next(&f->heap), SYNACK_TIME_NEVER);
    assert_int_equal(timer_run(&f->heap, 1000000), 0);
    /* Cancelling an idle timer is harmless. */
    timer_cancel(&f->heap, &f->t[0]);
    assert_int_equal(f->heap.n, 0);
    fx_free(f);
}

static void test_order(void **state)
{
    struct fixture *f = fx_new();
    static const synack_time_t d[] = { 50, 10, 40, 30, 20, 60, 5 };
    for (int i = 0; i < 7; i++)
        assert_int_equal(timer_arm(&f->heap, &f->t[i], d[i]), 0);
    assert_int_equal(timer_next(&f->heap), 5);
    /* Nothing before its deadline. */
    assert_int_equal(timer_run(&f->heap, 4), 0);
    assert_int_equal(timer_run(&f->heap, 35), 4);
    assert_int_equal(timer_next(&f->heap), 40);
    assert_int_equal(timer_run(&f->heap, 100), 3);
    static const int want[] = { 6, 1, 4, 3, 2, 0, 5 };
    assert_int_equal(f->nfired, 7);
    for (int i = 0; i < 7; i++)
        assert_int_equal(f->fired[i], want[i]);
    /* Each fired with the `now` passed to timer_run, not its deadline. */
    assert_int_equal(f->fired_at[0], 35);
    assert_int_equal(f->fired_at[6], 100);
    fx_free(f);
}

static void test_ties_fire_in_arm_order(void **state)
{
    struct fixture *f = fx_new();
    /* Arm in a scrambled index order, all at the same deadline: they fire in arm order. */
    int order[NT];
    for (int i = 0; i < NT; i++)
        order[i] = (i * 37) % NT;   /* 37 is coprime with 200: a permutation */
    for (int i = 0; i < NT; i++)
        assert_int_equal(timer_arm(&f->heap, &f->t[order[i]], 1000), 0);
    assert_int_equal(timer_run(&f->heap, 1000), NT);
    for (int i = 0; i < NT; i++)
        assert_int_equal(f->fired[i], order[i]);
    fx_free(f);
}

static void test_rearm_moves_to_back_of_ties(void **state)
{
    struct fixture *f = fx_new();
    for (int i = 0; i < 5; i++)
        timer_arm(&f->heap, &f->t[i], 100);
    /* Re-arming timer 0 at the same deadline puts it after the others (it was armed last). */
    timer_arm(&f->heap, &f->t[0], 100);
    /* Re-arming timer 3 earlier makes it first. */
    timer_arm(&f->heap, &f->t[3], 50);
    assert_int_equal(f->heap.n, 5);
    timer_run(&f->heap, 100);
    static const int want[] = { 3, 1, 2, 4, 0 };
    assert_int_equal(f->nfired, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(f->fired[i], want[i]);
    fx_free(f);
}

static void test_cancel(void **state)
{
    struct fixture *f = fx_new();
    for (int i = 0; i < 10; i++)
        timer_arm(&f->heap, &f->t[i], (synack_time_t)(100 - i));
    timer_cancel(&f->heap, &f->t[9]);   /* the root */
    timer_cancel(&f->heap, &f->t[0]);   /* a leaf */
    timer_cancel(&f->heap, &f->t[5]);   /* the middle */
    timer_cancel(&f->heap, &f->t[5]);   /* twice */
    assert_int_equal(f->heap.n, 7);
    assert_int_equal(timer_next(&f->heap), 92);
    timer_run(&f->heap, 1000);
    static const int want[] = { 8, 7, 6, 4, 3, 2, 1 };
    assert_int_equal(f->nfired, 7);
    for (int i = 0; i < 7; i++)
        assert_int_equal(f->fired[i], want[i]);
    fx_free(f);
}

static void test_cancel_from_callback(void **state)
{
    struct fixture *f = fx_new();
    timer_arm(&f->heap, &f->t[0], 10);
    timer_arm(&f->heap, &f->t[1], 10);   /* due in the same run: the cancel must stop it */
    timer_arm(&f->heap, &f->t[2], 20);
    f->cancel_on_fire[0] = 1;
    assert_int_equal(timer_run(&f->heap, 100), 2);
    assert_int_equal(f->fired[0], 0);
    assert_int_equal(f->fired[1], 2);
    /* A callback cancelling its own (already fired) timer is harmless. */
    timer_arm(&f->heap, &f->t[3], 200);
    f->cancel_on_fire[3] = 3;
    assert_int_equal(timer_run(&f->heap, 200), 1);
    assert_int_equal(f->heap.n, 0);
    fx_free(f);
}

static void test_rearm_from_callback(void **state)
{
    struct fixture *f = fx_new();
    /* Timer 0 re-arms itself every 10 us three times; timer 1 fires at 25, between them. */
    timer_arm(&f->heap, &f->t[0], 10);
    f->rearm_delta[0] = 10;
    f->rearm_count[0] = 3;
    timer_arm(&f->heap, &f->t[1], 25);
    synack_time_t now = 0;
    while (timer_next(&f->heap) != SYNACK_TIME_NEVER) {
        now = timer_next(&f->heap);
        timer_run(&f->heap, now);
    }
    static const int want[] = { 0, 0, 1, 0, 0 };
    static const synack_time_t at[] = { 10, 20, 25, 30, 40 };
    assert_int_equal(f->nfired, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(f->fired[i], want[i]);
        assert_int_equal(f->fired_at[i], at[i]);
    }
    fx_free(f);
}

static void fire_rearm_now(void *owner, struct timer *t, synack_time_t now)
{
    struct fixture *f = owner;
    /* Always due again: a would-be livelock (capped so that the old behaviour fails the test
     * rather than hanging it). */
    if (++f->nfired < 1000)
        timer_arm(&f->heap, t, now);
}

static void test_rearm_due_waits_for_next_run(void **state)
{
    /* A timer re-armed from its callback for a deadline already due fires at the next run, not
     * in this one: one run cannot loop for ever, and the heap reports the deadline as due. */
    struct fixture *f = fx_new();
    timer_init(&f->t[0], fire_rearm_now, f);
    timer_arm(&f->heap, &f->t[0], 10);
    timer_arm(&f->heap, &f->t[1], 60);   /* an older timer due in the same run still fires */
    assert_int_equal(timer_run(&f->heap, 100), 2);
    assert_int_equal(f->nfired, 2);
    assert_int_equal(timer_next(&f->heap), 100);
    for (int i = 0; i < 3; i++)
        assert_int_equal(timer_run(&f->heap, 100), 1);
    timer_cancel(&f->heap, &f->t[0]);
    assert_int_equal(timer_next(&f->heap), SYNACK_TIME_NEVER);
    fx_free(f);
}

/* The reference: an array of (armed, deadline, seq); the next to fire is the armed one with the
 * smallest (deadline, seq). */
struct ref {
    int armed[NT];
    synack_time_t deadline[NT];
    uint64_t seq[NT];
    uint64_t next_seq;
};

static int ref_min(const struct ref *r)
{
    int best = -1;
    for (int i = 0; i < NT; i++) {
        if (!r->armed[i])
            continue;
        if (best < 0 || r->deadline[i] < r->deadline[best] ||
            (r->deadline[i] == r->deadline[best] && r->seq[i] < r->seq[best]))
            best = i;
    }
    return best;
}

static uint64_t xs(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_random_vs_reference(void **state)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct fixture *f = fx_new();
        struct ref *r = calloc(1, sizeof(*r));
        assert_non_null(r);
        uint64_t s = seed * 0x9e3779b97f4a7c15ull;
        synack_time_t now = 0;
        size_t checked = 0;
        for (int op = 0; op < 5000; op++) {
            int i = (int)(xs(&s) % NT);
            unsigned kind = (unsigned)(xs(&s) % 10);
            if (kind < 5) {
                /* Small deadline range so ties are common. */
                synack_time_t d = now + xs(&s) % 50;
                assert_int_equal(timer_arm(&f->heap, &f->t[i], d), 0);
                r->armed[i] = 1;
                r->deadline[i] = d;
                r->seq[i] = r->next_seq++;
            } else if (kind < 8) {
                timer_cancel(&f->heap, &f->t[i]);
                r->armed[i] = 0;
            } else {
                now += xs(&s) % 20;
                size_t before = f->nfired;
                timer_run(&f->heap, now);
                for (size_t k = before; k < f->nfired; k++) {
                    int want = ref_min(r);
                    assert_true(want >= 0);
                    assert_true(r->deadline[want] <= now);
                    assert_int_equal(f->fired[k], want);
                    r->armed[want] = 0;
                    checked++;
                }
                f->nfired = 0;
                /* Everything still armed is in the future. */
                int m = ref_min(r);
                assert_true(m < 0 || r->deadline[m] > now);
            }
            /* Heap invariants: positions, count and the minimum agree with the reference. */
            size_t n = 0;
            for (int k = 0; k < NT; k++) {
                assert_int_equal(timer_armed(&f->t[k]), r->armed[k]);
                if (r->armed[k]) {
                    n++;
                    assert_ptr_equal(f->heap.v[f->t[k].idx], &f->t[k]);
                }
            }
            assert_int_equal(f->heap.n, n);
            int m = ref_min(r);
            assert_int_equal(timer_next(&f->heap), m < 0 ? SYNACK_TIME_NEVER : r->deadline[m]);
        }
        assert_true(checked > 100);
        free(r);
        fx_free(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_ties_fire_in_arm_order),
        cmocka_unit_test(test_rearm_moves_to_back_of_ties),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_cancel_from_callback),
        cmocka_unit_test(test_rearm_from_callback),
        cmocka_unit_test(test_rearm_due_waits_for_next_run),
        cmocka_unit_test(test_random_vs_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
