/* Unit tests of packet buffers and buffer queues (src/core/buf.c): headroom, push/pull without
 * copying, FIFO order and the queue's count and byte totals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/buf.h"

static void test_alloc_push_pull(void **state)
{
    struct buf *b = buf_alloc(NULL, 40, 100);
    assert_non_null(b);
    assert_int_equal(buf_headroom(b), 40);
    assert_int_equal(b->len, 0);
    assert_int_equal(b->cap, 140);
    memset(b->data, 0xab, 100);
    b->len = 100;
    uint8_t *payload = b->data;

    uint8_t *h = buf_push(b, 20);
    assert_ptr_equal(h, payload - 20);
    assert_int_equal(b->len, 120);
    assert_int_equal(buf_headroom(b), 20);
    memset(h, 0x11, 20);
    buf_push(b, 20);
    assert_int_equal(buf_headroom(b), 0);
    assert_int_equal(b->len, 140);

    buf_pull(b, 40);
    assert_ptr_equal(b->data, payload);
    assert_int_equal(b->len, 100);
    assert_int_equal(b->data[99], 0xab);
    buf_pull(b, 100);
    assert_int_equal(b->len, 0);
    buf_free(b);
}

static void test_from(void **state)
{
    const char msg[] = "hello, world";
    struct buf *b = buf_from(NULL, msg, sizeof(msg));
    assert_non_null(b);
    assert_int_equal(b->len, sizeof(msg));
    assert_memory_equal(b->data, msg, sizeof(msg));
    /* Room for every header below a transport (Ethernet + IPv4 + TCP, all with options). */
    assert_true(buf_headroom(b) >= 14 + 60 + 60);
    buf_free(b);
    /* Zero-length content is a valid buffer. */
    b = buf_from(NULL, NULL, 0);
    assert_non_null(b);
    assert_int_equal(b->len, 0);
    buf_free(b);
}

static void test_queue_fifo(void **state)
{
    struct buf_queue q;
    buf_queue_init(&q);
    assert_null(buf_queue_pop(&q));
    size_t total = 0;
    for (int i = 0; i < 10; i++) {
        uint8_t v[32];
        memset(v, i, sizeof(v));
        struct buf *b = buf_from(NULL, v, (size_t)i + 1);
        assert_non_null(b);
        buf_queue_push(&q, b);
        total += (size_t)i + 1;
        assert_int_equal(q.count, (size_t)i + 1);
        assert_int_equal(q.bytes, total);
    }
    for (int i = 0; i < 4; i++) {
        struct buf *b = buf_queue_pop(&q);
        assert_non_null(b);
        assert_null(b->next);
        assert_int_equal(b->len, (size_t)i + 1);
        assert_int_equal(b->data[0], i);
        total -= b->len;
        buf_free(b);
    }
    assert_int_equal(q.count, 6);
    assert_int_equal(q.bytes, total);
    /* Push after partial drain keeps order; drain to empty resets head and tail. */
    buf_queue_push(&q, buf_from(NULL, "x", 1));
    for (int i = 4; i < 10; i++) {
        struct buf *b = buf_queue_pop(&q);
        assert_int_equal(b->data[0], i);
        buf_free(b);
    }
    struct buf *last = buf_queue_pop(&q);
    assert_int_equal(last->data[0], 'x');
    buf_free(last);
    assert_null(buf_queue_pop(&q));
    assert_null(q.head);
    assert_null(q.tail);
    assert_int_equal(q.count, 0);
    assert_int_equal(q.bytes, 0);
    /* Reuse after empty, then purge frees everything (ASan checks the leak). */
    for (int i = 0; i < 5; i++)
        buf_queue_push(&q, buf_from(NULL, "abc", 3));
    buf_queue_purge(&q);
    assert_int_equal(q.count, 0);
    assert_int_equal(q.bytes, 0);
    assert_null(q.head);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_push_pull),
        cmocka_unit_test(test_from),
        cmocka_unit_test(test_queue_fifo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
