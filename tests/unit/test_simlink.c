/* Unit tests of the simulated link on its own: frames go to a receive hook instead of a stack, and
 * the tests check exact timing (latency, serialisation behind earlier frames, queue drops),
 * impairment rates against their configured probabilities over many frames (within 4 standard
 * deviations of a binomial), that corruption flips exactly one bit, and that a seed fixes the run.
 *
 * Frames carry their number and send time in their first 12 bytes and a pattern derived from the
 * number after that, so the receiver can tell which frame arrived, how late, and whether it was
 * damaged. The simulated network is tested here too, with links only (no stacks). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "synack/link.h"
#include "lib/counting_alloc.h"

#define FRAME_LEN 100
#define MANY 20000

struct rx_log {
    size_t n, cap;
    struct rx_rec {
        int side;
        uint32_t id;
        synack_time_t sent, arrival;
        size_t len;
        uint64_t hash;
        unsigned bit_errors;   /* versus the frame as sent */
    } *recs;
    /* Echo test: reply once on the same link from inside the hook. */
    synack_simlink_t *echo_link;
};

static void fill_frame(uint8_t *f, size_t len, uint32_t id, synack_time_t sent)
{
    for (size_t i = 0; i < len; i++)
        f[i] = (uint8_t)(id * 31u + i * 7u);
    if (len >= 12) {
        memcpy(f, &id, 4);
        memcpy(f + 4, &sent, 8);
    }
}

static unsigned popcount8(uint8_t x)
{
    unsigned n = 0;
    for (; x; x &= (uint8_t)(x - 1))
        n++;
    return n;
}

static void rx_hook(void *ctx, int side, const uint8_t *frame, size_t len, synack_time_t now)
{
    struct rx_log *log = ctx;
    if (log->n == log->cap) {
        log->cap = log->cap ? log->cap * 2 : 1024;
        log->recs = realloc(log->recs, log->cap * sizeof(*log->recs));
        assert_non_null(log->recs);
    }
    struct rx_rec *r = &log->recs[log->n++];
    memset(r, 0, sizeof(*r));
    r->side = side;
    r->arrival = now;
    r->len = len;
    r->hash = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        r->hash = (r->hash ^ frame[i]) * 1099511628211ull;
    if (len >= 12) {
        memcpy(&r->id, frame, 4);
        memcpy(&r->sent, frame + 4, 8);
        uint8_t want[2048];
        assert_true(len <= sizeof(want));
        fill_frame(want, len, r->id, r->sent);
        for (size_t i = 0; i < len; i++)
            r->bit_errors += popcount8(want[i] ^ frame[i]);
    }
    if (log->echo_link && side == 1) {
        uint8_t reply[FRAME_LEN];
        fill_frame(reply, sizeof(reply), r->id + 1000000u, now);
        assert_int_equal(synack_simlink_tx(synack_simlink_end(log->echo_link, 1), reply,
                                           sizeof(reply), now), 0);
    }
}

static synack_simlink_t *new_link(const struct synack_simlink_config *cfg, struct rx_log *log)
{
    synack_simlink_t *l = synack_simlink_new(cfg);
    assert_non_null(l);
    synack_simlink_set_rx(l, 0, rx_hook, log);
    synack_simlink_set_rx(l, 1, rx_hook, log);
    return l;
}

static void send_frame(synack_simlink_t *l, int side, uint32_t id, size_t len, synack_time_t now)
{
    uint8_t f[2048];
    assert_true(len <= sizeof(f));
    fill_frame(f, len, id, now);
    assert_int_equal(synack_simlink_tx(synack_simlink_end(l, side), f, len, now), 0);
}

/* Delivers everything in flight one arrival time at a time, as the simulated network does. */
static void drain(synack_simlink_t *l)
{
    synack_time_t t;
    while ((t = synack_simlink_next(l)) != SYNACK_TIME_NEVER)
        synack_simlink_deliver(l, t);
}

/* Sends MANY frames from side 0, one per microsecond starting at t = 1000, and delivers them. */
static void send_many(synack_simlink_t *l)
{
    for (uint32_t i = 0; i < MANY; i++) {
        synack_time_t now = 1000 + i;
        /* Interleave delivery with sending, as a real run does. */
        synack_simlink_deliver(l, now);
        send_frame(l, 0, i, FRAME_LEN, now);
    }
    drain(l);
}

/* The test target links no libm, and these need no precision: Newton's method will do. */
static double fabs_(double x)
{
    return x < 0 ? -x : x;
}

static double sqrt_(double x)
{
    if (x <= 0)
        return 0;
    double r = x > 1 ? x : 1;
    for (int i = 0; i < 100; i++)
        r = 0.5 * (r + x / r);
    return r;
}

/* |observed - n p| within 4 binomial standard deviations. */
static void assert_rate(uint64_t observed, uint64_t n, double p)
{
    double mean = (double)n * p;
    double sigma = sqrt_((double)n * p * (1.0 - p));
    double diff = fabs_((double)observed - mean);
    if (diff > 4.0 * sigma + 1e-9)
        fail_msg("observed %llu of %llu, expected %.1f +- %.1f (4 sigma)",
                 (unsigned long long)observed, (unsigned long long)n, mean, 4 * sigma);
}

static struct synack_simlink_config base_config(void)
{
    struct synack_simlink_config cfg;
    synack_simlink_config_init(&cfg);
    cfg.latency = 500;
    cfg.seed = 42;
    return cfg;
}

/* ---------------- timing ---------------- */

/* Frames' blocks are reused: frames of every size up to 2000 bytes (past the blocks' usual size,
 * so a reused block must grow, once) arrive intact; after two rounds of the same traffic (the second
 * grows the blocks the first made before its largest frame) a third calls the link's allocator not
 * once; set_config keeps the allocator; freeing the link returns everything. */
static void test_frames_reused(void **state)
{
    struct counting cnt = { 0 };
    struct synack_simlink_config cfg = base_config();
    cfg.latency = 50;
    cfg.alloc.fn = counting_realloc;
    cfg.alloc.ctx = &cnt;
    struct rx_log log = { 0 };
    synack_simlink_t *l = new_link(&cfg, &log);
    long calls_before_round3 = 0;
    for (int round = 0; round < 3; round++) {
        for (uint32_t i = 0; i < 4000; i++) {
            synack_time_t now = 1000 + (synack_time_t)round * 100000 + i;
            synack_simlink_deliver(l, now);
            send_frame(l, (int)(i & 1), i, 12 + (i * 37) % 1989, now);
        }
        drain(l);
        if (round == 1)
            calls_before_round3 = cnt.calls;
        if (round == 0) {
            struct synack_simlink_config c2 = cfg;
            c2.alloc.fn = NULL;   /* ignored: the link keeps its allocator */
            synack_simlink_set_config(l, &c2);
        }
    }
    assert_int_equal(log.n, 12000);
    for (size_t k = 0; k < log.n; k++) {
        assert_int_equal(log.recs[k].bit_errors, 0);
        if (log.recs[k].len != 12 + (log.recs[k].id * 37) % 1989)
            fail_msg("record %zu: frame %u arrived with %zu bytes", k, log.recs[k].id, log.recs[k].len);
    }
    assert_true(calls_before_round3 > 0);
    assert_int_equal(cnt.calls, calls_before_round3);
    synack_simlink_free(l);
    assert_int_equal(cnt.live, 0);
    free(log.recs);
}

static void test_latency_exact(void **state)
{
    struct rx_log log = {0};
    struct synack_simlink_config cfg = base_config();
    synack_simlink_t *l = new_link(&cfg, &log);

    send_frame(l, 0, 1, FRAME_LEN, 100);
    assert_int_equal(synack_simlink_next(l), 600);
    synack_simlink_deliver(l, 599);
    assert_int_equal(log.n, 0);
    synack_simlink_deliver(l, 600);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.recs[0].side, 1);
    assert_int_equal(log.recs[0].arrival, 600);
    assert_int_equal(log.recs[0].bit_errors, 0);
    assert_int_equal(synack_simlink_next(l), SYNACK_TIME_NEVER);

    /* The other direction is independent. */
    send_frame(l, 1, 2, FRAME_LEN, 700);
    drain(l);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.recs[1].side, 0);
    assert_int_equal(log.recs[1].arrival, 1200);

    struct synack_simlink_stats st;
    synack_simlink_stats(l, 0, &st);
    assert_int_equal(st.sent, 1);
    assert_int_equal(st.delivered, 1);
    synack_simlink_free(l);
    free(log.recs);
}

static void test_bandwidth_serialisation(void **state)
{
    struct rx_log log = {0};
    struct synack_simlink_config cfg = base_config();
    cfg.bandwidth_bps = 8000000;   /* one byte per microsecond */
    synack_simlink_t *l = new_link(&cfg, &log);

    /* A single frame: 1000 bytes take 1000 µs, then 500 µs of latency. */
    send_frame(l, 0, 1, 1000, 0);
    drain(l);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.recs[0].arrival, 1500);

    /* Back to back at t = 10000: each waits for the one before it. */
    for (uint32_t i = 0; i < 3; i++)
        send_frame(l, 0, 10 + i, 1000, 10000);
    /* One sent later, while the transmitter is still busy with the third. */
    send_frame(l, 0, 13, 500, 11500);
    drain(l);
    assert_int_equal(log.n, 5);
    assert_int_equal(log.recs[1].arrival, 11500);
    assert_int_equal(log.recs[2].arrival, 12500);
    assert_int_equal(log.recs[3].arrival, 13500);
    assert_int_equal(log.recs[4].arrival, 14000);

    /* The two directions serialise independently. */
    send_frame(l, 0, 20, 1000, 20000);
    send_frame(l, 1, 21, 1000, 20000);
    drain(l);
    assert_int_equal(log.recs[5].arrival, 21500);
    assert_int_equal(log.recs[6].arrival, 21500);
    synack_simlink_free(l);
    free(log.recs);
}

/* Fractions of a microsecond carry over from frame to frame instead of being rounded per frame. */
static void test_bandwidth_no_rounding_drift(void **state)
{
    struct rx_log log = {0};
    struct synack_simlink_config cfg = base_config();
    cfg.latency = 0;
    cfg.bandwidth_bps = 3000000;   /* a 1-byte frame takes 8/3 µs */
    synack_simlink_t *l = new_link(&cfg, &log);

    for (uint32_t i = 0; i < 3; i++)
        send_frame(l, 0, i, 1, 0);
    drain(l);
    assert_int_equal(log.n, 3);
    assert_int_equal(log.recs[0].arrival, 3);   /* 2.67 rounds up to when the frame exists */
    assert_int_equal(log.recs[1].arrival, 6);   /* 5.33 */
    assert_int_equal(log.recs[2].arrival, 8);   /* exactly 8 */

    /* 3000 frames of 1 byte: exactly 8000 µs, not 3000 * 3. */
    for (uint32_t i = 0; i < 3000; i++)
        send_frame(l, 0, i, 1, 100000);
    drain(l);
    assert_int_equal(log.recs[log.n - 1].arrival, 108000);
    synack_simlink_free(l);
    free(log.recs);
}

static void test_queue_limit_drops(void **state)
{
    struct rx_log log = {0};
    struct synack_simlink_config cfg = base_config();
    cfg.bandwidth_bps = 8000000;
    cfg.queue_limit = 3;
    synack_simlink_t *l = new_link(&cfg, &log);

    /* Three fit (the one being serialised counts); seven more are dropped. */
    for (uint32_t i = 0; i < 10; i++)
        send_frame(l, 0, i, 1000, 0);
    /* At t = 1000 the first has left the queue, so one more fits, and only one. */
    send_frame(l, 0, 10, 1000, 1000);
    send_frame(l, 0, 11, 1000, 1000);
    drain(l);

    struct synack_simlink_stats st;
    synack_simlink_stats(l, 0, &st);
    assert_int_equal(st.sent, 12);
    assert_int_equal(st.queue_drops, 8);
    assert_int_equal(st.delivered, 4);
    assert_int_equal(log.n, 4);
    uint32_t want[] = {0, 1, 2, 10};
    synack_time_t when[] = {1500, 2500, 3500, 4500};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(log.recs[i].id, want[i]);
        assert_int_equal(log.recs[i].arrival, when[i]);
    }
    synack_simlink_free(l);
    free(log.recs);
}

static void test_jitter_bounds(void **state)
{
    struct rx_log log = {0};
    struct synack_simlink_config cfg = base_config();
    cfg.jitter = 200;
    synack_simlink_t *l = new_link(&cfg, &log);
    send_many(l);

    assert_int_equal(log.n, MANY);
    synack_time_t lo = SYNACK_TIME_NEVER, hi = 0;
    double sum = 0;
    for (size_t i = 0; i < log.n; i++) {
        synack_time_t d = log.recs[i].arrival - log.recs[i].sent;
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
        sum += (double)d;
        if (i > 0)
            assert_true(log.recs[i].arrival >= log.recs[i - 1].arrival);
    }
    assert_int_equal(lo, 500);
    assert_int_equal(hi, 700);
    /* Uniform on [0, 200]: mean 100, sd of the mean 58 / sqrt(n). */
    assert_true(fabs_(sum / MANY - 600.0) < 4 * 58.0 / sqrt_(MANY));
    synack_simlink_free(l);
    free(log.recs);
}

/* ---------------- impairment rates ---------------- */

static void test_loss_rate(void **state)
{
    struct rx_log log = {0};
    struct synack_simlink_config cfg = base_config();
    cfg.loss = 0.1;
    synack_simlink_t *l = new_link(&cfg, &log);
    send_many(l);

    uint64_t missing = MANY - log.n;
    assert_rate(missing, MANY, cfg.loss);
    struct synack_simlink_stats st;
    synack_simlink_stats(l, 0, &st);
    assert_int_equal(st.lost, missing);
    assert_int_equal(st.delivered, log.n);
    synack_simlink_free(l);
    free(log.recs);
}

static void test_duplicate_rate(void **state)
{
    struct rx_log log = {0};
    struct synack_simlink_config cfg = base_config();
    cfg.duplicate = 0.05;
    synack_simlink_t *l = new_link(&cfg, &log);
    send_many(l);

    uint8_t *seen = calloc(MANY, 1);
    uint64_t dups = 0;
    for (size_t i = 0; i < log.n; i++) {
        assert_true(log.recs[i].id < MANY);
        assert_true(seen[log.recs[i].id] < 2);
        if (seen[log.recs[i].id]++)
            dups++;
    }
    for (uint32_t i = 0; i < MANY; i++)
        assert_true(seen[i] >= 1);
    assert_rate(dups, MANY, cfg.duplicate);
    struct synack_simlink_stats st;
    synack_simlink_stats(l, 0, &st);
    assert_int_equal(st.duplicated, dups);
    free(seen);
    synack_simlink_free(l);
    free(log.recs);
}

static void test_reorder_rate(void **state)
{
    struct rx_log log = {0};
    struct synack_simlink_config cfg = base_config();
    cfg.reorder = 0.2;
    cfg.reorder_delay = 50;
    synack_simlink_t *l = new_link(&cfg, &log);
    send_many(l);

    assert_int_equal(log.n, MANY);
    uint64_t held = 0, overtaken = 0;
    uint32_t max_id = 0;
    for (size_t i = 0; i < log.n; i++) {
        synack_time_t d = log.recs[i].arrival - log.recs[i].sent;
        assert_true(d == 500 || d == 550);
        if (d == 550)
            held++;
        /* A held-back frame really arrives after frames sent later than it. */
        if (i > 0 && log.recs[i].id < max_id)
            overtaken++;
        max_id = log.recs[i].id > max_id ? log.recs[i].id : max_id;
    }
    assert_rate(held, MANY, cfg.reorder);
    /* Frames are 1 µs apart and held 50 µs: nearly every held frame is overtaken. */
    assert_true(overtaken > held * 9 / 10);
    struct synack_simlink_stats st;
    synack_simlink_stats(l, 0, &st);
    assert_int_equal(st.reordered, held);
    synack_simlink_free(l);
    free(log.recs);
}

/* Receives into a buffer so that the test can compare with the bytes it sent. */
struct capture {
    uint8_t buf[FRAME_LEN];
    size_t len;
    int n;
};

static void capture_hook(void *ctx, int side, const uint8_t *frame, size_t len, synack_time_t now)
{
    struct capture *cap = ctx;
    assert_true(len <= sizeof(cap->buf));
    memcpy(cap->buf, frame, len);
    cap->len = len;
    cap->n++;
}

static void test_corrupt_one_bit(void **state)
{
    struct synack_simlink_config cfg = base_config();
    cfg.corrupt = 0.1;
    cfg.latency = 0;
    synack_simlink_t *l = synack_simlink_new(&cfg);
    assert_non_null(l);
    struct capture cap;
    synack_simlink_set_rx(l, 1, capture_hook, &cap);

    uint64_t damaged = 0;
    unsigned bits_hit[FRAME_LEN * 8] = {0};
    for (uint32_t i = 0; i < MANY; i++) {
        uint8_t sent[FRAME_LEN];
        fill_frame(sent, sizeof(sent), i, i);
        memset(&cap, 0, sizeof(cap));
        assert_int_equal(synack_simlink_tx(synack_simlink_end(l, 0), sent, sizeof(sent), i), 0);
        /* The link copied the frame: scribbling on ours must not change what arrives. */
        uint8_t keep[FRAME_LEN];
        memcpy(keep, sent, sizeof(sent));
        memset(sent, 0xee, sizeof(sent));
        synack_simlink_deliver(l, i);
        assert_int_equal(cap.n, 1);
        assert_int_equal(cap.len, FRAME_LEN);
        unsigned errors = 0;
        for (size_t b = 0; b < FRAME_LEN; b++) {
            uint8_t x = (uint8_t)(keep[b] ^ cap.buf[b]);
            errors += popcount8(x);
            for (int k = 0; k < 8; k++)
                if (x & (1u << k))
                    bits_hit[b * 8 + (size_t)k]++;
        }
        assert_true(errors <= 1);
        damaged += errors;
    }
    assert_rate(damaged, MANY, cfg.corrupt);
    struct synack_simlink_stats st;
    synack_simlink_stats(l, 0, &st);
    assert_int_equal(st.corrupted, damaged);
    /* The flipped bit is spread over the whole frame, first and last bytes included. */
    unsigned first = 0, last = 0;
    for (int k = 0; k < 8; k++) {
        first += bits_hit[k];
        last += bits_hit[(FRAME_LEN - 1) * 8 + (size_t)k];
    }
    assert_true(first > 0 && last > 0);
    synack_simlink_free(l);
}

/* Everything at once: the counters follow their rates and every delivered frame is accounted
 * for. */
static void test_all_impairments_counters(void **state)
{
    struct rx_log log = {0};
    struct synack_simlink_config cfg = base_config();
    cfg.jitter = 100;
    cfg.loss = 0.03;
    cfg.duplicate = 0.02;
    cfg.reorder = 0.05;
    cfg.reorder_delay = 300;
    cfg.corrupt = 0.01;
    synack_simlink_t *l = new_link(&cfg, &log);
    send_many(l);

    struct synack_simlink_stats st;
    synack_simlink_stats(l, 0, &st);
    assert_int_equal(st.sent, MANY);
    assert_rate(st.lost, MANY, cfg.loss);
    assert_rate(st.duplicated, MANY - st.lost, cfg.duplicate);
    uint64_t copies = MANY - st.lost + st.duplicated;
    assert_int_equal(st.delivered, copies);
    assert_int_equal(log.n, copies);
    assert_rate(st.reordered, copies, cfg.reorder);
    assert_rate(st.corrupted, copies, cfg.corrupt);
    for (size_t i = 1; i < log.n; i++)
        assert_true(log.recs[i].arrival >= log.recs[i - 1].arrival);
    synack_simlink_free(l);
    free(log.recs);
}

/* ---------------- determinism and re-entrancy ---------------- */

static void run_recorded(uint64_t seed, struct rx_log *log)
{
    struct synack_simlink_config cfg = base_config();
    cfg.seed = seed;
    cfg.jitter = 300;
    cfg.bandwidth_bps = 100000000;
    cfg.queue_limit = 20;
    cfg.loss = 0.05;
    cfg.duplicate = 0.05;
    cfg.reorder = 0.1;
    cfg.reorder_delay = 200;
    cfg.corrupt = 0.05;
    synack_simlink_t *l = new_link(&cfg, log);
    for (uint32_t i = 0; i < 5000; i++) {
        synack_simlink_deliver(l, i * 20);
        send_frame(l, (int)(i % 2), i, 60 + i % 1400, i * 20);
    }
    drain(l);
    synack_simlink_free(l);
}

static int same_log(const struct rx_log *a, const struct rx_log *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const struct rx_rec *x = &a->recs[i], *y = &b->recs[i];
        if (x->side != y->side || x->arrival != y->arrival || x->len != y->len || x->hash != y->hash)
            return 0;
    }
    return 1;
}

static void test_seed_determinism(void **state)
{
    struct rx_log a = {0}, b = {0}, c = {0};
    run_recorded(7, &a);
    run_recorded(7, &b);
    run_recorded(8, &c);
    /* Enough got through, and the queue, loss and duplication all played a part. */
    assert_true(a.n > 3000 && a.n < 5000);
    assert_true(same_log(&a, &b));
    assert_false(same_log(&a, &c));
    free(a.recs);
    free(b.recs);
    free(c.recs);
}

/* The receiver replies from inside delivery; with zero latency the reply is due at once and is
 * delivered by the same call. */
static void test_reentrant_reply(void **state)
{
    struct rx_log log = {0};
    struct synack_simlink_config cfg = base_config();
    cfg.latency = 0;
    synack_simlink_t *l = new_link(&cfg, &log);
    log.echo_link = l;
    for (uint32_t i = 0; i < 10; i++)
        send_frame(l, 0, i, FRAME_LEN, 100);
    synack_simlink_deliver(l, 100);
    assert_int_equal(log.n, 20);
    for (uint32_t i = 0; i < 10; i++) {
        assert_int_equal(log.recs[i].side, 1);
        assert_int_equal(log.recs[i].id, i);
        assert_int_equal(log.recs[10 + i].side, 0);
        assert_int_equal(log.recs[10 + i].id, 1000000u + i);
    }
    assert_int_equal(synack_simlink_next(l), SYNACK_TIME_NEVER);
    synack_simlink_free(l);
    free(log.recs);
}

/* set_config changes impairments for later frames without touching frames in flight. */
static void test_set_config_midrun(void **state)
{
    struct rx_log log = {0};
    struct synack_simlink_config cfg = base_config();
    synack_simlink_t *l = new_link(&cfg, &log);
    send_frame(l, 0, 1, FRAME_LEN, 0);
    cfg.loss = 1.0;
    synack_simlink_set_config(l, &cfg);
    send_frame(l, 0, 2, FRAME_LEN, 10);
    cfg.loss = 0;
    cfg.latency = 100;
    synack_simlink_set_config(l, &cfg);
    send_frame(l, 0, 3, FRAME_LEN, 20);
    drain(l);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.recs[0].id, 3);
    assert_int_equal(log.recs[0].arrival, 120);
    assert_int_equal(log.recs[1].id, 1);
    assert_int_equal(log.recs[1].arrival, 500);

    /* A new bandwidth applies after the frame being serialised, which keeps its old end time
     * (8/3 µs, rounded up to 3). */
    cfg.latency = 0;
    cfg.bandwidth_bps = 3000000;
    synack_simlink_set_config(l, &cfg);
    send_frame(l, 0, 4, 1, 1000);
    cfg.bandwidth_bps = 8000000;
    synack_simlink_set_config(l, &cfg);
    send_frame(l, 0, 5, 1, 1000);
    drain(l);
    assert_int_equal(log.n, 4);
    assert_int_equal(log.recs[2].arrival, 1003);
    assert_int_equal(log.recs[3].arrival, 1004);
    synack_simlink_free(l);
    free(log.recs);
}

/* ---------------- simulated network (links only) ---------------- */

struct tagged_log {
    int order[64];
    synack_time_t when[64];
    int n;
};

static void tag_hook(void *ctx, int side, const uint8_t *frame, size_t len, synack_time_t now)
{
    struct tagged_log *log = ctx;
    assert_true(log->n < 64);
    log->order[log->n] = frame[0];
    log->when[log->n++] = now;
}

/* Equal arrival times on two links: the link added first goes first, whatever the send order. */
/* The offload transmit callback: an offload frame (gso_size set) only on a link with `offload`,
 * at most 65000 bytes; an ordinary frame through it as through synack_simlink_tx. */
static void test_tx_meta(void **state)
{
    (void)state;
    struct synack_simlink_config c;
    synack_simlink_config_init(&c);
    synack_simlink_t *l = synack_simlink_new(&c);
    static uint8_t big[65001];
    struct synack_tx_meta gso = { .gso_size = 1448, .hdr_len = 66, .csum_start = 34, .csum_offset = 16 };
    struct synack_tx_meta plain = { 0 };
    assert_int_equal(synack_simlink_tx_meta(synack_simlink_end(l, 0), big, 3000, &gso, 0), -EINVAL);
    assert_int_equal(synack_simlink_tx_meta(synack_simlink_end(l, 0), big, 100, &plain, 0), 0);
    assert_int_equal(synack_simlink_tx_meta(synack_simlink_end(l, 0), big, 100, NULL, 0), -EINVAL);
    synack_simlink_free(l);
    c.offload = 1;
    l = synack_simlink_new(&c);
    assert_int_equal(synack_simlink_tx_meta(synack_simlink_end(l, 0), big, 65000, &gso, 0), 0);
    assert_int_equal(synack_simlink_tx_meta(synack_simlink_end(l, 0), big, 65001, &gso, 0), -EINVAL);
    struct synack_simlink_stats st;
    synack_simlink_stats(l, 0, &st);
    assert_int_equal(st.sent, 1);
    synack_simlink_free(l);
}

static void test_simnet_tie_order_and_clock(void **state)
{
    struct tagged_log log = {0};
    struct synack_simlink_config cfg = base_config();
    synack_simnet_t *n = synack_simnet_new(1000);
    assert_non_null(n);
    synack_simlink_t *l[2];
    for (int i = 0; i < 2; i++) {
        l[i] = synack_simlink_new(&cfg);
        assert_non_null(l[i]);
        synack_simlink_set_rx(l[i], 1, tag_hook, &log);
        assert_int_equal(synack_simnet_add_link(n, l[i]), 0);
    }
    assert_int_equal(synack_simnet_add_link(n, l[0]), -EINVAL);
    assert_int_equal(synack_simnet_add_link(n, NULL), -EINVAL);
    assert_int_equal(synack_simnet_now(n), 1000);

    uint8_t f1[1] = {1}, f0[1] = {0}, f2[1] = {2};
    assert_int_equal(synack_simlink_tx(synack_simlink_end(l[1], 0), f1, 1, 1000), 0);
    assert_int_equal(synack_simlink_tx(synack_simlink_end(l[0], 0), f0, 1, 1000), 0);
    assert_int_equal(synack_simlink_tx(synack_simlink_end(l[0], 0), f2, 1, 2000), 0);

    /* Nothing due before 1500. */
    assert_int_equal(synack_simnet_step(n, 1499), 0);
    assert_int_equal(synack_simnet_run_until(n, 1499), 0);
    assert_int_equal(synack_simnet_now(n), 1499);

    assert_int_equal(synack_simnet_step(n, 1500), 1);
    assert_int_equal(synack_simnet_now(n), 1500);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.order[0], 0);
    assert_int_equal(synack_simnet_run_until(n, 2000), 1);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.order[1], 1);
    assert_int_equal(log.when[1], 1500);
    /* The clock reaches `until` even when the last event was earlier. */
    assert_int_equal(synack_simnet_now(n), 2000);

    assert_int_equal(synack_simnet_run_until(n, SYNACK_TIME_NEVER), 1);
    assert_int_equal(log.n, 3);
    assert_int_equal(log.order[2], 2);
    assert_int_equal(log.when[2], 2500);
    assert_int_equal(synack_simnet_now(n), 2500);
    synack_simnet_free(n);   /* frees both links */
}

static void test_simnet_limits(void **state)
{
    struct synack_simlink_config cfg = base_config();
    synack_simnet_t *n = synack_simnet_new(0);
    assert_non_null(n);
    for (int i = 0; i < SYNACK_SIMNET_MAX; i++)
        assert_int_equal(synack_simnet_add_link(n, synack_simlink_new(&cfg)), 0);
    synack_simlink_t *extra = synack_simlink_new(&cfg);
    assert_int_equal(synack_simnet_add_link(n, extra), -ENOSPC);
    synack_simlink_free(extra);   /* refused, so still ours */
    assert_int_equal(synack_simnet_add_stack(n, NULL), -EINVAL);
    synack_simnet_free(n);
}

/* A request-reply chain through the network: each reply is scheduled during delivery. */
static void test_simnet_reentrant_chain(void **state)
{
    struct rx_log log = {0};
    struct synack_simlink_config cfg = base_config();
    cfg.latency = 100;
    synack_simnet_t *n = synack_simnet_new(0);
    synack_simlink_t *l = new_link(&cfg, &log);
    log.echo_link = l;
    assert_int_equal(synack_simnet_add_link(n, l), 0);
    send_frame(l, 0, 5, FRAME_LEN, 0);
    assert_int_equal(synack_simnet_run_until(n, SYNACK_SEC(1)), 2);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.recs[0].arrival, 100);
    assert_int_equal(log.recs[1].arrival, 200);
    assert_int_equal(log.recs[1].id, 1000005u);
    synack_simnet_free(n);
    free(log.recs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_latency_exact),
        cmocka_unit_test(test_frames_reused),
        cmocka_unit_test(test_tx_meta),
        cmocka_unit_test(test_bandwidth_serialisation),
        cmocka_unit_test(test_bandwidth_no_rounding_drift),
        cmocka_unit_test(test_queue_limit_drops),
        cmocka_unit_test(test_jitter_bounds),
        cmocka_unit_test(test_loss_rate),
        cmocka_unit_test(test_duplicate_rate),
        cmocka_unit_test(test_reorder_rate),
        cmocka_unit_test(test_corrupt_one_bit),
        cmocka_unit_test(test_all_impairments_counters),
        cmocka_unit_test(test_seed_determinism),
        cmocka_unit_test(test_reentrant_reply),
        cmocka_unit_test(test_set_config_midrun),
        cmocka_unit_test(test_simnet_tie_order_and_clock),
        cmocka_unit_test(test_simnet_limits),
        cmocka_unit_test(test_simnet_reentrant_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
