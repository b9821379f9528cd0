/* The core's small formatter (base/fmt.h) against the C library's snprintf: every conversion,
 * flag, width and length modifier the core uses, on edge values and many pseudo-random ones, and
 * truncation at every buffer size. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"

/* Formats with both and compares text and return value, at full size and at every cap up to
 * the length + 1 (checking the NUL and that nothing is written past cap). */
static void same(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void same(const char *fmt, ...)
{
    char want[256], got[256];
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int wr = vsnprintf(want, sizeof(want), fmt, ap);
    va_end(ap);
    int gr = fmt_vsnprintf(got, sizeof(got), fmt, aq);
    va_end(aq);
    if (wr != gr || strcmp(want, got) != 0)
        fail_msg("format \"%s\": libc \"%s\" (%d), fmt \"%s\" (%d)", fmt, want, wr, got, gr);
    for (size_t cap = 0; cap <= (size_t)wr + 1; cap++) {
        char small[256];
        memset(small, '#', sizeof(small));
        va_start(ap, fmt);
        int r = fmt_vsnprintf(small, cap, fmt, ap);
        va_end(ap);
        assert_int_equal(r, wr);
        if (cap > 0) {
            size_t n = cap - 1 < (size_t)wr ? cap - 1 : (size_t)wr;
            assert_memory_equal(small, want, n);
            assert_int_equal(small[n], 0);
        }
        for (size_t i = cap; i < sizeof(small); i++)
            if (small[i] != '#')
                fail_msg("format \"%s\" cap %zu: byte %zu written", fmt, cap, i);
    }
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 11 ^ *s << 31;
}

static void edge_values(void **state)
{
    const int ints[] = { 0, 1, -1, 9, 10, -10, 99, 255, 256, 65535, INT_MAX, INT_MIN, INT_MIN + 1 };
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        int v = ints[i];
        unsigned u = (unsigned)v;
        same("%d|%5d|%-5d|%05d|%1d|%12d|%-12d|%012d|%i", v, v, v, v, v, v, v, v, v);
        same("%u|%5u|%-5u|%05u|%10u|%011u", u, u, u, u, u, u);
        same("%x|%02x|%04x|%8x|%-8x|%08x|%X|%08X", u, u, u, u, u, u, u, u);
        same("%hhu %hhd %hu %hd %hhx", (unsigned char)u, (signed char)v, (unsigned short)u, (short)v, (unsigned char)u);
    }
    const unsigned long long ulls[] = { 0, 1, 4294967295ull, 4294967296ull, ULLONG_MAX, ULLONG_MAX / 10 };
    for (size_t i = 0; i < sizeof(ulls) / sizeof(ulls[0]); i++) {
        unsigned long long v = ulls[i];
        same("%llu %llx %20llu %-21llu| %020llu %lu %lx", v, v, v, v, v, (unsigned long)v, (unsigned long)v);
        same("%zu %5zu %zx", (size_t)v, (size_t)v, (size_t)v);
        same("%lld %ld %25lld", (long long)v, (long)v, (long long)v);
    }
    same("%lld %ld", LLONG_MIN, LONG_MIN);
    same("%s|%10s|%-10s|%s|%1s", "abc", "abc", "abc", "", "longer than its width");
    same("%c|%3c|%-3c|%c", 'x', 'y', 'z', 0x7f);
    same("100%% %s%%", "sure");
    same("no directives at all");
    same("%s", "");
}

static void random_values(void **state)
{
    static const char *const fmts[] = { "%d", "%u", "%x", "%02x", "%04x", "%08x", "%5d", "%-7d|",
                                        "%07d", "%zu", "%llu", "%lu", "%lld", "%10u", "%-10x|" };
    uint64_t s = 12345;
    for (int i = 0; i < 20000; i++) {
        uint64_t r = lcg(&s);
        /* Small numbers as often as large ones: shift by a random amount. */
        r >>= lcg(&s) % 64;
        const char *f = fmts[lcg(&s) % (sizeof(fmts) / sizeof(fmts[0]))];
        size_t fl = strlen(f);
        if (f[fl - 1] == 'u' && f[fl - 2] == 'l' && f[fl - 3] == 'l')
            same(f, (unsigned long long)r);
        else if (f[fl - 1] == 'd' && f[fl - 2] == 'l' && f[fl - 3] == 'l')
            same(f, (long long)r);
        else if (f[fl - 1] == 'u' && f[fl - 2] == 'l')
            same(f, (unsigned long)r);
        else if (f[fl - 1] == 'u' && f[fl - 2] == 'z')
            same(f, (size_t)r);
        else if (strchr(f, 'd'))
            same(f, (int)(uint32_t)r);
        else
            same(f, (unsigned)r);
    }
    for (int i = 0; i < 2000; i++) {
        char word[12];
        size_t n = lcg(&s) % sizeof(word);
        for (size_t k = 0; k < n; k++)
            word[k] = (char)('a' + lcg(&s) % 26);
        word[n] = 0;
        same("[%s] [%8s] [%-8s] %c", word, word, word, (char)('A' + lcg(&s) % 26));
    }
}

/* The formatter is what the core writes addresses with: the one line a user sees. */
static void dotted_quad(void **state)
{
    char a[32], b[32];
    uint32_t x = 0xc0000201;
    snprintf(a, sizeof(a), "%u.%u.%u.%u", x >> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255);
    fmt_snprintf(b, sizeof(b), "%u.%u.%u.%u", x >> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255);
    assert_string_equal(a, b);
    assert_string_equal(b, "192.0.2.1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(edge_values),
        cmocka_unit_test(random_values),
        cmocka_unit_test(dotted_quad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
