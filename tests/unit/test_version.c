/* The version: written once (synack/version.h), the same in the header's text, its number and the
 * library's synack_version(). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "synack/synack.h"

static void library_matches_header(void **state)
{
    assert_string_equal(synack_version(), SYNACK_VERSION);
}

static void text_matches_numbers(void **state)
{
    char want[32];
    snprintf(want, sizeof(want), "%d.%d.%d", SYNACK_VERSION_MAJOR, SYNACK_VERSION_MINOR, SYNACK_VERSION_PATCH);
    assert_string_equal(SYNACK_VERSION, want);
    assert_int_equal(SYNACK_VERSION_NUMBER,
                     SYNACK_VERSION_MAJOR * 10000 + SYNACK_VERSION_MINOR * 100 + SYNACK_VERSION_PATCH);
    assert_true(SYNACK_VERSION_MINOR < 100 && SYNACK_VERSION_PATCH < 100);   /* the number stays ordered */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(library_matches_header),
        cmocka_unit_test(text_matches_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
