/* Address parsing and error names: the strict dotted quad and prefix parsers behind every
 * command-line address, and synack_strerror's table with libc's fallback. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "synack/synack.h"

static void good_addresses(void **state)
{
    uint32_t a;
    assert_int_equal(synack_addr_parse("192.0.2.1", &a), 0);
    assert_int_equal(a, 0xC0000201u);
    assert_int_equal(synack_addr_parse("0.0.0.0", &a), 0);
    assert_int_equal(a, 0);
    assert_int_equal(synack_addr_parse("255.255.255.255", &a), 0);
    assert_int_equal(a, 0xffffffffu);
    uint8_t p;
    assert_int_equal(synack_prefix_parse("198.51.100.7/24", &a, &p), 0);
    assert_int_equal(a, 0xC6336407u);
    assert_int_equal(p, 24);
    assert_int_equal(synack_prefix_parse("10.0.0.0/0", &a, &p), 0);
    assert_int_equal(p, 0);
}

static void bad_addresses(void **state)
{
    static const char *const bad[] = { "", "1.2.3", "1.2.3.4.5", "256.0.0.1", "+1.2.3.4", " 1.2.3.4", "1.2.3.4 ",
                                       "1..2.3", "1.2.3.4x", "0001.2.3.4", "a.b.c.d", "1.2.3.-4", "1.2.3.4/" };
    uint32_t a = 0x12345678;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(synack_addr_parse(bad[i], &a), -EINVAL);
        assert_int_equal(a, 0x12345678);
    }
    static const char *const badp[] = { "1.2.3.4", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/ 24", "1.2.3.4/+24",
                                        "1.2.3.4/24x", "1.2.3/24", "1.2.3.4/1000" };
    uint8_t p;
    for (size_t i = 0; i < sizeof(badp) / sizeof(badp[0]); i++)
        assert_int_equal(synack_prefix_parse(badp[i], &a, &p), -EINVAL);
}

static void error_names(void **state)
{
    assert_string_equal(synack_errname(-ECONNREFUSED), "ECONNREFUSED");
    assert_string_equal(synack_strerror(-ECONNRESET), "Connection reset by peer");
    /* Outside the table: libc's message, not a blank "Unknown error". */
    assert_string_equal(synack_strerror(-EBADFD), strerror(EBADFD));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_addresses),
        cmocka_unit_test(bad_addresses),
        cmocka_unit_test(error_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
