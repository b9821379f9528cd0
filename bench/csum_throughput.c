/* The Internet checksum's speed: synack's wire_csum_partial beside the reference loop (RFC 1071's
 * 16-bit words in network order, one at a time) on the same buffers in the same run, and their
 * ratio; then copy+checksum in one pass (wire_csum_copy) beside memcpy followed by a checksum, and
 * beside memcpy alone (the floor). Buffers are small enough to stay in L1/L2, since a stack sums
 * what it has just written or is about to copy; every figure is GB/s of bytes summed (or copied).
 *
 * Unlike the other benchmarks this one measures an internal function, so it links the internal
 * library (synack_internal) and includes src/. Time is the thread's CPU time, not the wall clock,
 * and each case is timed several times with the best run kept: on a shared machine the thread may
 * wait for a core, and the best run is the least disturbed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wire/csum.h"

/* RFC 1071 1: the one's complement sum of network-order 16-bit words, an odd last byte padded
 * with zero on the right. */
__attribute__((noinline)) static uint64_t ref_partial(const uint8_t *p, size_t n, uint64_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum kind { K_FAST, K_REF, K_COPY, K_MEMCPY_SUM, K_MEMCPY };

/* Best GB/s over `tries` timings of enough rounds to last about 20 ms each. */
static double measure(enum kind k, uint8_t *dst, const uint8_t *src, size_t n, int tries)
{
    volatile uint64_t sink = 0;
    size_t rounds = (size_t)(200e6 / (double)(n + 64)) + 1;
    double best = 0;
    for (int t = 0; t < tries; t++) {
        double a = now_s();
        for (size_t i = 0; i < rounds; i++) {
            uint64_t s = 0;
            switch (k) {
            case K_FAST: s = wire_csum_partial(src, n, 0); break;
            case K_REF: s = ref_partial(src, n, 0); break;
            case K_COPY: s = wire_csum_copy(dst, src, n, 0); break;
            case K_MEMCPY_SUM: memcpy(dst, src, n); s = wire_csum_partial(dst, n, 0); break;
            case K_MEMCPY: memcpy(dst, src, n); break;
            }
            sink ^= s;
            __asm__ volatile("" ::: "memory");   /* no hoisting out of the loop */
        }
        double s = now_s() - a, g = (double)n * (double)rounds / s / 1e9;
        if (g > best)
            best = g;
    }
    (void)sink;
    return best;
}

int main(int argc, char **argv)
{
    int tries = argc > 1 ? atoi(argv[1]) : 5;
    if (tries < 1)
        tries = 1;
    static const size_t sizes[] = { 40, 64, 576, 1460, 9000, 65536 };
    uint8_t *src = malloc(65536 + 16), *dst = malloc(65536 + 16);
    if (!src || !dst)
        return 1;
    for (size_t i = 0; i < 65536 + 16; i++)
        src[i] = (uint8_t)(i * 131 + (i >> 8));
    /* The result must be right before it is fast. */
    for (size_t n = 0; n <= 4096; n++) {
        uint64_t f = wire_csum_finish(wire_csum_partial(src + 1, n, 0));
        uint64_t r = wire_csum_finish(ref_partial(src + 1, n, 0));
        uint64_t c = wire_csum_finish(wire_csum_copy(dst + 3, src + 1, n, 0));
        if (f != r || c != r || memcmp(dst + 3, src + 1, n) != 0) {
            fprintf(stderr, "csum_throughput: wrong checksum at length %zu\n", n);
            return 1;
        }
    }
    printf("Internet checksum, GB/s of bytes summed, best of %d; source at an odd address\n", tries);
    printf("%7s %9s %9s %7s   %9s %12s %9s %7s\n", "bytes", "synack", "ref loop", "ratio", "csum_copy",
           "memcpy+csum", "memcpy", "ratio");
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t n = sizes[i];
        double f = measure(K_FAST, dst, src + 1, n, tries), r = measure(K_REF, dst, src + 1, n, tries);
        double c = measure(K_COPY, dst, src + 1, n, tries), ms = measure(K_MEMCPY_SUM, dst, src + 1, n, tries);
        double m = measure(K_MEMCPY, dst, src + 1, n, tries);
        printf("%7zu %9.2f %9.2f %7.2f   %9.2f %12.2f %9.2f %7.2f\n", n, f, r, f / r, c, ms, m, c / ms);
        printf("RESULT csum bytes=%zu GBps_fast=%.3f GBps_ref=%.3f ratio=%.3f GBps_copy=%.3f GBps_memcpy_csum=%.3f"
               " GBps_memcpy=%.3f\n", n, f, r, f / r, c, ms, m);
    }
    free(src);
    free(dst);
    return 0;
}
