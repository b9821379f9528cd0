/* The checked number parser every `synack` option goes through (tools/numarg.c): whole numbers
 * and reals accepted exactly, and every way strtoul/strtod would let a bad value through
 * (negative, blanks, signs, junk, overflow, nan, inf, hex floats) refused with the right reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../tools/numarg.c"

static void uint_ok(const char *s, uint64_t min, uint64_t max, uint64_t want)
{
    uint64_t v = 12345;
    enum numarg_err e = numarg_parse_uint(s, min, max, &v);
    if (e != NUMARG_OK || v != want)
        fail_msg("'%s' in [%llu, %llu]: err %d value %llu, want %llu", s, (unsigned long long)min,
                 (unsigned long long)max, e, (unsigned long long)v, (unsigned long long)want);
}

static void uint_bad(const char *s, uint64_t min, uint64_t max, enum numarg_err want)
{
    uint64_t v = 777;
    enum numarg_err e = numarg_parse_uint(s, min, max, &v);
    if (e != want || v != 777)
        fail_msg("'%s' in [%llu, %llu]: err %d (value %llu), want err %d and no value", s, (unsigned long long)min,
                 (unsigned long long)max, e, (unsigned long long)v, want);
}

static void real_ok(const char *s, double min, double max, double want)
{
    double v = -1234;
    enum numarg_err e = numarg_parse_real(s, min, max, &v);
    if (e != NUMARG_OK || v != want)
        fail_msg("'%s' in [%g, %g]: err %d value %g, want %g", s, min, max, e, v, want);
}

static void real_bad(const char *s, double min, double max, enum numarg_err want)
{
    double v = 777;
    enum numarg_err e = numarg_parse_real(s, min, max, &v);
    if (e != want || v != 777)
        fail_msg("'%s' in [%g, %g]: err %d (value %g), want err %d and no value", s, min, max, e, v, want);
}

static void test_uint_accepts(void **state)
{
    (void)state;
    uint_ok("0", 0, 10, 0);
    uint_ok("7", 0, 10, 7);
    uint_ok("10", 0, 10, 10);
    uint_ok("010", 0, 100, 10);   /* leading zeros are decimal, never octal */
    uint_ok("0x1f", 0, 100, 31);
    uint_ok("0XFF", 0, 1000, 255);
    uint_ok("576", 576, 65535, 576);
    uint_ok("65535", 576, 65535, 65535);
    uint_ok("18446744073709551615", 0, UINT64_MAX, UINT64_MAX);
    uint_ok("0xffffffffffffffff", 0, UINT64_MAX, UINT64_MAX);
    uint_ok("-0", 0, 5, 0);
}

static void test_uint_refuses(void **state)
{
    (void)state;
    uint_bad("", 0, 10, NUMARG_EMPTY);
    uint_bad(NULL, 0, 10, NUMARG_EMPTY);
    uint_bad("-5", 0, 10, NUMARG_RANGE);     /* strtoul wraps it to 2^64-5 */
    uint_bad("-1", 0, UINT64_MAX, NUMARG_RANGE);
    uint_bad("11", 0, 10, NUMARG_RANGE);
    uint_bad("575", 576, 65535, NUMARG_RANGE);
    uint_bad("65536", 576, 65535, NUMARG_RANGE);
    uint_bad("18446744073709551616", 0, UINT64_MAX, NUMARG_RANGE);   /* strtoull clamps it */
    uint_bad("99999999999999999999999", 0, UINT64_MAX, NUMARG_RANGE);
    uint_bad("0x10000000000000000", 0, UINT64_MAX, NUMARG_RANGE);
    uint_bad(" 5", 0, 10, NUMARG_SYNTAX);     /* strtoul skips blanks */
    uint_bad("5 ", 0, 10, NUMARG_SYNTAX);
    uint_bad("+5", 0, 10, NUMARG_SYNTAX);
    uint_bad("5x", 0, 10, NUMARG_SYNTAX);
    uint_bad("1.5", 0, 10, NUMARG_SYNTAX);
    uint_bad("1e3", 0, 10000, NUMARG_SYNTAX);
    uint_bad("0x", 0, 10, NUMARG_SYNTAX);
    uint_bad("0xg", 0, 10, NUMARG_SYNTAX);
    uint_bad("-", 0, 10, NUMARG_SYNTAX);
    uint_bad("abc", 0, 10, NUMARG_SYNTAX);
}

static void test_real_accepts(void **state)
{
    (void)state;
    real_ok("0", 0, 1, 0);
    real_ok("0.5", 0, 1, 0.5);
    real_ok(".25", 0, 1, 0.25);
    real_ok("1.", 0, 1, 1);
    real_ok("1", 0, 1, 1);
    real_ok("1e3", 0, 10000, 1000);
    real_ok("2.5E-1", 0, 1, 0.25);
    real_ok("10000", 0, 10000, 10000);
    real_ok("-0", 0, 1, 0);
    real_ok("-2", -5, 5, -2);
    real_ok("0.01", 0.01, 3600, 0.01);
}

static void test_real_refuses(void **state)
{
    (void)state;
    real_bad("", 0, 1, NUMARG_EMPTY);
    real_bad(NULL, 0, 1, NUMARG_EMPTY);
    real_bad("-0.1", 0, 1, NUMARG_RANGE);
    real_bad("-5", 0, 10000, NUMARG_RANGE);
    real_bad("1.01", 0, 1, NUMARG_RANGE);
    real_bad("0.009", 0.01, 3600, NUMARG_RANGE);
    real_bad("1e400", 0, 1e9, NUMARG_RANGE);   /* overflows to inf */
    real_bad("nan", 0, 1, NUMARG_SYNTAX);
    real_bad("inf", 0, 1e300, NUMARG_SYNTAX);
    real_bad("-inf", -1e300, 0, NUMARG_SYNTAX);
    real_bad("0x1p3", 0, 100, NUMARG_SYNTAX);
    real_bad(" 1", 0, 10, NUMARG_SYNTAX);
    real_bad("1 ", 0, 10, NUMARG_SYNTAX);
    real_bad("+1", 0, 10, NUMARG_SYNTAX);
    real_bad(".", 0, 10, NUMARG_SYNTAX);
    real_bad("-", 0, 10, NUMARG_SYNTAX);
    real_bad("1e", 0, 10, NUMARG_SYNTAX);
    real_bad("1e+", 0, 10, NUMARG_SYNTAX);
    real_bad("1ms", 0, 10, NUMARG_SYNTAX);
    real_bad("1,5", 0, 10, NUMARG_SYNTAX);
}

/* The option wrappers print one line naming the command, option and value, and keep out's value. */
static void test_option_message(void **state)
{
    (void)state;
    char buf[512] = "";
    FILE *saved = stderr;
    FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
    assert_non_null(f);
    stderr = f;
    uint64_t v = 3;
    int r = numarg_uint("demo", "--seed", "-5", 0, UINT64_MAX, NULL, &v);
    double d = 2;
    int r2 = numarg_real("get", "--wait", "x", 0, 3600, "s", &d);
    int r3 = numarg_uint("serve", "--mtu", "1500", 576, 65535, NULL, &v);
    fflush(f);
    stderr = saved;
    fclose(f);
    assert_int_equal(r, -1);
    assert_int_equal(r2, -1);
    assert_int_equal(r3, 0);
    assert_int_equal(v, 1500);
    assert_true(d == 2);
    assert_string_equal(buf, "synack demo: bad --seed '-5': out of range (a whole number, 0 to 18446744073709551615)\n"
                             "synack get: bad --wait 'x': not a number (0 to 3600 s)\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uint_accepts), cmocka_unit_test(test_uint_refuses), cmocka_unit_test(test_real_accepts),
        cmocka_unit_test(test_real_refuses), cmocka_unit_test(test_option_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
