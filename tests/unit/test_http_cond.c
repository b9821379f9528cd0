/* Unit tests of the HTTP validators, byte ranges and Host values (apps/http/http_cond.c), each
 * against the rule as RFC 9110 / RFC 9112 state it, and the parser's 400 for bad Host fields. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../apps/http/http_cond.h"

static struct http_slice S(const char *s) { return (struct http_slice){ s, strlen(s) }; }

#define TAG "\"abc-1\""

/* RFC 9110 8.8.3.2: strong comparison: both strong and equal; weak: opaque tags equal. */
static void etag_lists(void **state)
{
    assert_int_equal(http_etag_list_match(S(TAG), TAG, 1), 1);
    assert_int_equal(http_etag_list_match(S("W/" TAG), TAG, 1), 0);   /* weak never matches strongly */
    assert_int_equal(http_etag_list_match(S("W/" TAG), TAG, 0), 1);
    assert_int_equal(http_etag_list_match(S("\"x\", " TAG), TAG, 1), 1);
    assert_int_equal(http_etag_list_match(S("\"x\",,\"y\""), TAG, 1), 0);
    assert_int_equal(http_etag_list_match(S("*"), TAG, 1), 1);
    assert_int_equal(http_etag_list_match(S(" * "), TAG, 0), 1);
    assert_int_equal(http_etag_list_match(S("\"a,b\", " TAG), TAG, 0), 1);   /* a comma inside a tag */
    assert_int_equal(http_etag_list_match(S("\"abc-1"), TAG, 0), -1);        /* unterminated */
    assert_int_equal(http_etag_list_match(S("abc-1"), TAG, 0), -1);          /* no quotes */
    assert_int_equal(http_etag_list_match(S("\"abc-2\""), TAG, 0), 0);
}

static void if_range(void **state)
{
    assert_int_equal(http_if_range_holds(S(TAG), TAG, 1000, 1), 1);
    assert_int_equal(http_if_range_holds(S("W/" TAG), TAG, 1000, 1), 0);
    assert_int_equal(http_if_range_holds(S("\"other\""), TAG, 1000, 1), 0);
    /* a date: equal to Last-Modified, and only when that is a strong validator */
    int64_t t = 784111777;   /* Sun, 06 Nov 1994 08:49:37 GMT */
    assert_int_equal(http_if_range_holds(S("Sun, 06 Nov 1994 08:49:37 GMT"), TAG, t, 1), 1);
    assert_int_equal(http_if_range_holds(S("Sun, 06 Nov 1994 08:49:37 GMT"), TAG, t, 0), 0);
    assert_int_equal(http_if_range_holds(S("Sun, 06 Nov 1994 08:49:38 GMT"), TAG, t, 1), 0);
    assert_int_equal(http_if_range_holds(S("garbage"), TAG, t, 1), 0);
}

static void check_ranges(const char *v, uint64_t size, enum http_range_verdict want, unsigned n, const uint64_t *fl)
{
    struct http_range r[HTTP_MAX_RANGES];
    unsigned got;
    enum http_range_verdict vd = http_range_parse(S(v), size, r, &got);
    if (vd != want)
        fail_msg("%s: verdict %d, want %d", v, vd, want);
    if (want != HTTP_RANGE_OK)
        return;
    assert_int_equal(got, n);
    for (unsigned i = 0; i < n; i++) {
        if (r[i].first != fl[2 * i] || r[i].len != fl[2 * i + 1])
            fail_msg("%s: range %u is %llu+%llu", v, i, (unsigned long long)r[i].first, (unsigned long long)r[i].len);
    }
}

/* RFC 9110 14.1.2, 14.1.3: int-range, open range, suffix, clamped last-pos, unsatisfiable parts. */
static void ranges(void **state)
{
    check_ranges("bytes=0-4", 100, HTTP_RANGE_OK, 1, (uint64_t[]){ 0, 5 });
    check_ranges("bytes=95-", 100, HTTP_RANGE_OK, 1, (uint64_t[]){ 95, 5 });
    check_ranges("bytes=-10", 100, HTTP_RANGE_OK, 1, (uint64_t[]){ 90, 10 });
    check_ranges("bytes=-1000", 100, HTTP_RANGE_OK, 1, (uint64_t[]){ 0, 100 });   /* longer suffix: all */
    check_ranges("bytes=90-1000", 100, HTTP_RANGE_OK, 1, (uint64_t[]){ 90, 10 }); /* last-pos clamped */
    check_ranges("BYTES=0-0", 100, HTTP_RANGE_OK, 1, (uint64_t[]){ 0, 1 });       /* unit case-insensitive */
    check_ranges("bytes=0-1, 10-19,-1", 100, HTTP_RANGE_OK, 3, (uint64_t[]){ 0, 2, 10, 10, 99, 1 });
    check_ranges("bytes=0-1,200-300", 100, HTTP_RANGE_OK, 1, (uint64_t[]){ 0, 2 }); /* unsatisfiable left out */
    check_ranges("bytes=100-", 100, HTTP_RANGE_UNSAT, 0, NULL);
    check_ranges("bytes=100-200,300-", 100, HTTP_RANGE_UNSAT, 0, NULL);
    check_ranges("bytes=-0", 100, HTTP_RANGE_UNSAT, 0, NULL);                    /* zero suffix */
    check_ranges("bytes=99999999999999999999999-", 100, HTTP_RANGE_UNSAT, 0, NULL);
    /* invalid: ignored, the whole representation is sent */
    check_ranges("bytes=5-2", 100, HTTP_RANGE_IGNORE, 0, NULL);
    check_ranges("bytes=0-1,5-2", 100, HTTP_RANGE_IGNORE, 0, NULL);
    check_ranges("bytes=a-b", 100, HTTP_RANGE_IGNORE, 0, NULL);
    check_ranges("bytes=", 100, HTTP_RANGE_IGNORE, 0, NULL);
    check_ranges("bytes=-", 100, HTTP_RANGE_IGNORE, 0, NULL);
    check_ranges("bytes 0-1", 100, HTTP_RANGE_IGNORE, 0, NULL);
    check_ranges("items=0-1", 100, HTTP_RANGE_IGNORE, 0, NULL);
    check_ranges("bytes=0-1;x", 100, HTTP_RANGE_IGNORE, 0, NULL);
    check_ranges("bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8,9-9,10-10,11-11,12-12,13-13,14-14,15-15,16-16", 100,
                 HTTP_RANGE_IGNORE, 0, NULL);   /* more than HTTP_MAX_RANGES */
}

static void hosts(void **state)
{
    static const char *const good[] = { "", "a", "example.com", "example.com:8080", "a:", "10.0.0.1:80",
                                        "[::1]", "[::1]:443", "[2001:db8::1]", "xn--bcher-kva.example",
                                        "a%41b", "a_b~c" };
    static const char *const bad[] = { "a, b", "a,b", "a b", "a/b", "a@b", "user@host", "a?b", "a#b",
                                       "a\\b", "a:b", "a:80:90", "a:123456", "a:99999", "[::1", "[zz]",
                                       "[::1]x", "a%4", "a%zz", "<a>", "a\"b", "\xc3\xa9" };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!http_host_valid(S(good[i])))
            fail_msg("'%s' refused", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (http_host_valid(S(bad[i])))
            fail_msg("'%s' accepted", bad[i]);
}

/* RFC 9112 3.2: 400 for no Host in 1.1, for two Host lines, for an invalid Host value. */
static void parser_host(void **state)
{
    static const struct {
        const char *req;
        int ok;
    } cases[] = {
        { "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1 },
        { "GET / HTTP/1.1\r\n\r\n", 0 },
        { "GET / HTTP/1.0\r\n\r\n", 1 },
        { "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 0 },
        { "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 0 },
        { "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 0 },
        { "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 0 },
        { "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 0 },
        { "GET / HTTP/1.0\r\nHost: a@b\r\n\r\n", 0 },
        { "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", 1 },
        { "GET / HTTP/1.1\r\nHost:\r\n\r\n", 1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct http_request req;
        ssize_t r = http_parse_request(cases[i].req, strlen(cases[i].req), NULL, &req);
        if (cases[i].ok ? r <= 0 : r != -400)
            fail_msg("case %zu: %zd", i, r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(etag_lists), cmocka_unit_test(if_range), cmocka_unit_test(ranges),
        cmocka_unit_test(hosts),      cmocka_unit_test(parser_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
