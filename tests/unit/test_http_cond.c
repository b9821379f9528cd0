/* Unit tests of the HTTP validators, byte ranges and Host values (apps/http/http_cond.c), each
 * against the rule as RFC 9110 / RFC 9112 state it, and the parser's 400 for bad Host fields. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
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
    struct http_range r[HTTP_MAX_RANGE_SPECS];
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
    /* up to HTTP_MAX_RANGE_SPECS range-specs are read (coalescing may make few parts of them);
     * more are refused outright (14.2) */
    char many[1024] = "bytes=", *o = many + 6;
    for (int i = 0; i < HTTP_MAX_RANGE_SPECS; i++)
        o += sprintf(o, "%s%d-%d", i ? "," : "", i, i);
    struct http_range r[HTTP_MAX_RANGE_SPECS];
    unsigned got;
    assert_int_equal(http_range_parse(S(many), 100, r, &got), HTTP_RANGE_OK);
    assert_int_equal(got, HTTP_MAX_RANGE_SPECS);
    sprintf(o, ",99-99");
    check_ranges(many, 100, HTTP_RANGE_IGNORE, 0, NULL);
}

/* Coalesces s (pairs first,len) with gap and checks the result against want (pairs). */
static void check_coalesce(const uint64_t *s, unsigned n, uint64_t gap, const uint64_t *want, unsigned wn)
{
    struct http_range r[HTTP_MAX_RANGE_SPECS];
    for (unsigned i = 0; i < n; i++)
        r[i] = (struct http_range){ s[2 * i], s[2 * i + 1] };
    unsigned got = http_range_coalesce(r, n, gap);
    if (got != wn)
        fail_msg("%u ranges, want %u", got, wn);
    for (unsigned i = 0; i < wn; i++)
        if (r[i].first != want[2 * i] || r[i].len != want[2 * i + 1])
            fail_msg("range %u is %llu+%llu, want %llu+%llu", i, (unsigned long long)r[i].first,
                     (unsigned long long)r[i].len, (unsigned long long)want[2 * i], (unsigned long long)want[2 * i + 1]);
}

/* RFC 9110 15.3.7.2: overlapping ranges and ranges closer than a part's overhead become one, in
 * the place of the first asked; the rest keep the order asked. */
static void coalescing(void **state)
{
    /* overlapping: 0-99 and 50-199 are 0-199 */
    check_coalesce((uint64_t[]){ 0, 100, 50, 150 }, 2, 0, (uint64_t[]){ 0, 200 }, 1);
    /* touching (0-9, 10-19) with no gap allowed: one stretch all the same */
    check_coalesce((uint64_t[]){ 0, 10, 10, 10 }, 2, 0, (uint64_t[]){ 0, 20 }, 1);
    /* 80 bytes apart: one with a gap of 81, two with a gap of 80 */
    check_coalesce((uint64_t[]){ 0, 10, 90, 10 }, 2, 81, (uint64_t[]){ 0, 100 }, 1);
    check_coalesce((uint64_t[]){ 0, 10, 90, 10 }, 2, 80, (uint64_t[]){ 0, 10, 90, 10 }, 2);
    /* far apart and out of order: left as asked */
    check_coalesce((uint64_t[]){ 5000, 10, 0, 10, 2500, 10 }, 3, 100, (uint64_t[]){ 5000, 10, 0, 10, 2500, 10 }, 3);
    /* the merged range takes the first one's place; a later one that now reaches it joins too */
    check_coalesce((uint64_t[]){ 5000, 10, 0, 10, 4000, 10, 4005, 1000 }, 4, 100,
                   (uint64_t[]){ 4000, 1010, 0, 10 }, 2);
    /* a range inside another */
    check_coalesce((uint64_t[]){ 100, 10, 0, 1000 }, 2, 0, (uint64_t[]){ 0, 1000 }, 1);
    /* many small ranges out of order over one stretch: one range */
    uint64_t small[2 * 40];
    for (unsigned i = 0; i < 40; i++) {
        small[2 * i] = (uint64_t)(39 - i) * 3;
        small[2 * i + 1] = 2;
    }
    check_coalesce(small, 40, 100, (uint64_t[]){ 0, 119 }, 1);
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
        cmocka_unit_test(coalescing),
        cmocka_unit_test(hosts),      cmocka_unit_test(parser_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
