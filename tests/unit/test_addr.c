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
    /* Outside the table (the core has no strerror to fall back on): a fixed answer, never NULL. */
    assert_string_equal(synack_strerror(-EBADFD), "Unknown error");
    assert_string_equal(synack_errname(-EBADFD), "E?");
}

/* synack_random: from the stack's seeded generator (same seed, same bytes); synack_stack_now: the
 * time of the last entry point. */
static void random_and_now(void **state)
{
    struct synack_config c;
    synack_config_init(&c);
    synack_config_seed_u64(&c, 42);
    synack_stack_t *a = synack_stack_new(&c), *b = synack_stack_new(&c);
    uint8_t x[32], y[32];
    synack_random(a, x, sizeof(x));
    synack_random(b, y, sizeof(y));
    assert_memory_equal(x, y, sizeof(x));
    synack_random(a, x, sizeof(x));
    assert_memory_not_equal(x, y, sizeof(x));
    synack_stack_poll(a, 123456);
    assert_int_equal(synack_stack_now(a), 123456);
    synack_stack_free(a);
    synack_stack_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_addresses),
        cmocka_unit_test(bad_addresses),
        cmocka_unit_test(error_names),
        cmocka_unit_test(random_and_now),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
