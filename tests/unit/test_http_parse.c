/* Unit tests of the HTTP/1.x head parser, the chunked decoder, dates and URLs (apps/http):
 * every rejection maps to the status RFC 9112 asks for, and the leniencies of libhttp-parser that
 * made us write our own (whitespace before the colon, obs-fold, double SP, HTTP/0.9) are refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../apps/http/http_parse.h"
#include "../apps/http/http_url.h"

static ssize_t req(const char *s, struct http_request *r)
{
    return http_parse_request(s, strlen(s), NULL, r);
}

static void request_basic(void **state)
{
    struct http_request r;
    const char *s = "GET /a/b?x=1 HTTP/1.1\r\nHost: example\r\nConnection: keep-alive, Upgrade\r\nX-Y:  v w  \r\n\r\nNEXT";
    ssize_t n = req(s, &r);
    assert_int_equal(n, (ssize_t)strlen(s) - 4);
    assert_true(http_slice_eq(r.method, "GET"));
    assert_int_equal(r.target.n, 8);
    assert_memory_equal(r.target.p, "/a/b?x=1", 8);
    assert_int_equal(r.h.version_minor, 1);
    assert_true(http_slice_eq(r.host, "example"));
    assert_true(r.h.conn_keep_alive);
    assert_false(r.h.conn_close);
    assert_int_equal(r.h.content_length, -1);
    const struct http_slice *v = http_field_get(&r.h, "x-y");
    assert_non_null(v);
    assert_true(http_slice_eq(*v, "v w"));   /* OWS trimmed, inner SP kept */
    assert_int_equal(r.line.n, strlen("GET /a/b?x=1 HTTP/1.1"));
}

static void request_incremental(void **state)
{
    const char *s = "GET / HTTP/1.0\r\nA: b\r\n\r\n";
    struct http_request r;
    for (size_t i = 0; i < strlen(s); i++)
        assert_int_equal(http_parse_request(s, i, NULL, &r), 0);
    assert_int_equal(http_parse_request(s, strlen(s), NULL, &r), (ssize_t)strlen(s));
    assert_int_equal(r.h.version_minor, 0);
    /* bare LF line ends are accepted (RFC 9112 2.2), and leading empty lines skipped */
    assert_int_equal(req("\r\n\nGET / HTTP/1.0\nA: b\n\n", &r), 24);
}

static void request_rejects(void **state)
{
    struct http_request r;
    static const struct {
        const char *s;
        int status;
    } cases[] = {
        { "GET / HTTP/1.1\r\nHost : x\r\n\r\n", -400 },              /* SP before colon */
        { "GET / HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n", -400 },    /* obs-fold */
        { "GET / HTTP/1.1\r\n Host: x\r\n\r\n", -400 },              /* whitespace-led first field */
        { "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", -400 },              /* double SP */
        { "GET /\r\n\r\n", -400 },                                  /* HTTP/0.9 */
        { "GET / HTTP/1.1\r\n\r\n", -400 },                          /* 1.1 without Host */
        { "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", -400 },    /* two Hosts */
        { "GET / HTTP/2.0\r\nHost: x\r\n\r\n", -505 },
        { "GET / HTTP/0.9\r\n\r\n", -505 },
        { "GET / HTTP/1.10\r\n\r\n", -400 },
        { "GET / http/1.1\r\nHost: x\r\n\r\n", -400 },
        { "G(T / HTTP/1.1\r\n", -400 },                              /* not a token: at once */
        { "\x16\x03\x01\x02", -400 },                                /* TLS ClientHello */
        { "GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
        { "GET / HTTP/1.1\r\nHost: x\r\nX: a\x01 b\r\n\r\n", -400 },  /* CTL in a value */
        { "GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", -400 },     /* bare CR */
        { "GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n", -400 },        /* empty name */
        { "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", -400 },
        { "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", -400 },
        { "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", -400 },
        { "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n", -400 },
        { "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", -400 },
        { "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", -400 },  /* 6.3: not final */
        { "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", -501 },  /* unknown coding */
        { "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", -400 },
        { "GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", -400 },
        /* RFC 9110 15.6.6: the HTTP/2 and HTTP/3 names for themselves are versions we do not do */
        { "GET / HTTP/2\r\nHost: x\r\n\r\n", -505 },
        { "GET / HTTP/3\r\nHost: x\r\n\r\n", -505 },
        { "GET / HTTP/1\r\nHost: x\r\n\r\n", -400 },
        { "GET / HTTP/\r\nHost: x\r\n\r\n", -400 },
        /* RFC 9112 3.2: no fragment in a request-target */
        { "GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", -400 },
        /* a Transfer-Encoding naming no coding, with or without a Content-Length (6.3) */
        { "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n\r\n", -400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \r\nContent-Length: 3\r\n\r\n", -400 },
        { "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ,\r\nContent-Length: 3\r\n\r\n", -400 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ssize_t n = req(cases[i].s, &r);
        if (n != cases[i].status)
            fail_msg("case %zu (%s): got %zd, want %d", i, cases[i].s, n, cases[i].status);
    }
    /* Expect (RFC 9110 10.1.1): 100-continue, case-insensitive, and any other expectation */
    assert_true(req("PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\n\r\n", &r) > 0);
    assert_true(r.h.expect_continue && !r.h.expect_other);
    assert_true(req("PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue, x=y\r\n\r\n", &r) > 0);
    assert_true(r.h.expect_continue && r.h.expect_other);
    assert_true(req("PUT / HTTP/1.1\r\nHost: x\r\n\r\n", &r) > 0);
    assert_false(r.h.expect_continue || r.h.expect_other);
    /* identical Content-Length values in a list are one value (RFC 9110 8.6) */
    assert_true(req("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 7, 7\r\n\r\n", &r) > 0);
    assert_int_equal(r.h.content_length, 7);
}

static void request_limits(void **state)
{
    struct http_limits lim;
    http_limits_default(&lim);
    lim.max_line = 64;
    lim.max_head = 256;
    lim.max_fields = 4;
    char buf[1024];
    struct http_request r;
    /* a request line over max_line: 414 as soon as max_line bytes hold no LF */
    memset(buf, 'a', sizeof(buf));
    memcpy(buf, "GET /", 5);
    assert_int_equal(http_parse_request(buf, 63, &lim, &r), 0);
    assert_int_equal(http_parse_request(buf, 64, &lim, &r), -414);
    /* a line of exactly the limit is fine */
    snprintf(buf, sizeof(buf), "GET /%s HTTP/1.1\r\nHost: x\r\n\r\n", "012345678901234567890123456789012345678901234567");
    assert_int_equal(strlen("GET /012345678901234567890123456789012345678901234567 HTTP/1.1\r\n"), 64);
    assert_true(http_parse_request(buf, strlen(buf), &lim, &r) > 0);
    /* fields over max_head: 431 */
    int n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: x\r\nX: %0250d\r\n\r\n", 0);
    assert_int_equal(http_parse_request(buf, (size_t)n, &lim, &r), -431);
    assert_int_equal(http_parse_request(buf, 255, &lim, &r), 0);
    assert_int_equal(http_parse_request(buf, 256, &lim, &r), -431);
    /* too many fields: 431 */
    n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n");
    assert_int_equal(http_parse_request(buf, (size_t)n, &lim, &r), -431);
}

static void response_heads(void **state)
{
    struct http_response r;
    const char *s = "HTTP/1.1 301 Moved Permanently\r\nLocation: /x/\r\nKeep-Alive: timeout=5, max=99\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n";
    assert_int_equal(http_parse_response(s, strlen(s), 4096, &r), (ssize_t)strlen(s));
    assert_int_equal(r.status, 301);
    assert_true(http_slice_eq(r.location, "/x/"));
    assert_int_equal(r.keep_alive_timeout, 5);
    assert_int_equal(r.keep_alive_max, 99);
    assert_true(r.h.chunked);
    s = "HTTP/1.0 200\r\nConnection: Keep-Alive\r\nContent-Length: 12\r\n\r\n";
    assert_true(http_parse_response(s, strlen(s), 4096, &r) > 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.h.version_minor, 0);
    assert_true(r.h.conn_keep_alive);
    assert_int_equal(r.h.content_length, 12);
    assert_int_equal(r.keep_alive_timeout, -1);
    /* TE overrides CL in a response, and the connection closes (RFC 9112 6.3) */
    s = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_true(http_parse_response(s, strlen(s), 4096, &r) > 0);
    assert_int_equal(r.h.content_length, -1);
    assert_true(r.h.chunked && r.h.conn_close);
    assert_int_equal(http_parse_response("HTTP/1.1 2x0 OK\r\n\r\n", 19, 4096, &r), -400);
    assert_int_equal(http_parse_response("<html>", 6, 4096, &r), -400);
    assert_int_equal(http_parse_response("HTTP/1.1 200 OK\r\nX: y", 21, 16, &r), -431);
}

static void chunked_decoding(void **state)
{
    const char *wire = "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT";
    const char *want = "Wikipedia in\r\n\r\nchunks.";
    /* whole, then byte by byte */
    for (int mode = 0; mode < 2; mode++) {
        struct http_chunked c;
        http_chunked_init(&c);
        char out[256];
        size_t olen = 0, total = strlen(wire) - 4, used_all = 0;
        if (mode == 0) {
            char buf[256];
            memcpy(buf, wire, strlen(wire));
            size_t n;
            ssize_t used = http_chunked_decode(&c, buf, strlen(wire), &n);
            assert_int_equal(used, (ssize_t)total);
            memcpy(out, buf, n);
            olen = n;
        } else {
            for (size_t i = 0; i < strlen(wire) && !c.done; i++) {
                char b = wire[i];
                size_t n;
                ssize_t used = http_chunked_decode(&c, &b, 1, &n);
                assert_int_equal(used, 1);
                if (n)
                    out[olen++] = b;
                used_all++;
            }
            assert_int_equal(used_all, total);
        }
        assert_true(c.done);
        assert_int_equal(olen, strlen(want));
        assert_memory_equal(out, want, olen);
    }
    static const char *const bad[] = { "x\r\n", "5\r\nabcdeX", "\r\n", "1000000000000000\r\n", "0\r\nbad\x01\r\n\r\n",
                                       /* after the size only BWS, then ";" or CRLF (RFC 9112 7.1.1) */
                                       "0x10\r\n", "5x\r\nhello\r\n", "5 z\r\nhello\r\n", "5,\r\nhello\r\n" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        for (int strict = 0; strict < 2; strict++) {
            struct http_chunked c;
            http_chunked_init(&c);
            c.strict = strict;
            char buf[64];
            size_t n;
            memcpy(buf, bad[i], strlen(bad[i]));
            if (http_chunked_decode(&c, buf, strlen(bad[i]), &n) != -1)
                fail_msg("bad case %zu (strict %d) accepted", i, strict);
        }
    }
    /* Strict (the server): every line of the coding ends with CRLF (RFC 9112 7.1); the lenient
     * reading (a client) takes a bare LF too. BWS before a chunk-ext is fine either way. */
    static const struct {
        const char *wire;
        int strict_ok;
    } lines[] = {
        { "5\r\nhello\r\n0\r\n\r\n", 1 },          { "5 ;a=b\r\nhello\r\n0\r\n\r\n", 1 },
        { "5\t \r\nhello\r\n0\r\nT: v\r\n\r\n", 1 },  { "5\nhello\r\n0\r\n\r\n", 0 },
        { "5;e\nhello\r\n0\r\n\r\n", 0 },          { "5\r\nhello\n0\r\n\r\n", 0 },
        { "5\r\nhello\r\n0\r\n\n", 0 },           { "5\r\nhello\r\n0\r\nT: v\n\r\n", 0 },
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        for (int strict = 0; strict < 2; strict++) {
            struct http_chunked c;
            http_chunked_init(&c);
            c.strict = strict;
            char buf[64];
            size_t n, len = strlen(lines[i].wire);
            memcpy(buf, lines[i].wire, len);
            ssize_t used = http_chunked_decode(&c, buf, len, &n);
            int ok = used == (ssize_t)len && c.done && n == 5 && !memcmp(buf, "hello", 5);
            if (ok != (!strict || lines[i].strict_ok))
                fail_msg("line case %zu (strict %d): used %zd, done %d", i, strict, used, c.done);
        }
    }
    /* trailer fields are bounded like a head's: HTTP_MAX_FIELDS lines, not one more */
    for (unsigned extra = 0; extra < 2; extra++) {
        static char big[16 + (HTTP_MAX_FIELDS + 1) * 6 + 2];
        size_t o = 0;
        memcpy(big, "0\r\n", 3);
        o = 3;
        for (unsigned i = 0; i < HTTP_MAX_FIELDS + extra; i++) {
            memcpy(big + o, "T: v\r\n", 6);
            o += 6;
        }
        memcpy(big + o, "\r\n", 2);
        o += 2;
        struct http_chunked tc;
        http_chunked_init(&tc);
        size_t tn;
        ssize_t used = http_chunked_decode(&tc, big, o, &tn);
        if (extra)
            assert_int_equal(used, -1);
        else
            assert_true(used == (ssize_t)o && tc.done);
    }
    /* a CR inside a trailer line, not before its LF */
    struct http_chunked c;
    http_chunked_init(&c);
    c.strict = 1;
    char buf[32];
    size_t n;
    memcpy(buf, "0\r\nT: a\rb\r\n\r\n", 13);
    assert_int_equal(http_chunked_decode(&c, buf, 13, &n), -1);
}

static void dates(void **state)
{
    char b[40];
    http_date_format(784111777, b, sizeof(b));
    assert_string_equal(b, "Sun, 06 Nov 1994 08:49:37 GMT");
    http_date_format(0, b, sizeof(b));
    assert_string_equal(b, "Thu, 01 Jan 1970 00:00:00 GMT");
    int64_t t;
    static const char *const forms[] = { "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                                         "Sun Nov  6 08:49:37 1994" };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(http_date_parse((struct http_slice){ forms[i], strlen(forms[i]) }, &t), 0);
        assert_int_equal(t, 784111777);
    }
    static const char *const bad[] = { "Sun, 06 Nov 1994 08:49:37 UTC", "yesterday", "Sun, 32 Nov 1994 08:49:37 GMT",
                                       "Sun, 06 Foo 1994 08:49:37 GMT" };
    for (int i = 0; i < 4; i++)
        assert_int_equal(http_date_parse((struct http_slice){ bad[i], strlen(bad[i]) }, &t), -1);
    /* round trip over many dates */
    for (int64_t x = -86400 * 365; x < 4102444800LL; x += 86400 * 37 + 3671) {
        http_date_format(x, b, sizeof(b));
        assert_int_equal(http_date_parse((struct http_slice){ b, strlen(b) }, &t), 0);
        assert_int_equal(t, x);
    }
}

static void urls(void **state)
{
    struct http_url u, o;
    assert_int_equal(http_url_parse("http://Example.TEST:8080/a/../b/./c?q=1#frag", &u), 0);
    assert_string_equal(u.host, "example.test");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.target, "/b/c?q=1");
    assert_int_equal(http_url_parse("example.test", &u), 0);
    assert_string_equal(u.target, "/");
    assert_int_equal(u.port, 80);
    assert_int_equal(http_url_parse("https://x/", &u), -EPROTONOSUPPORT);
    assert_int_equal(http_url_parse("http://x:99999/", &u), -EINVAL);
    assert_int_equal(http_url_parse("http://us@x/", &u), -EINVAL);
    assert_int_equal(http_url_parse("http://x/a b", &u), -EINVAL);
    assert_int_equal(http_url_parse("http://x/a/b?y", &u), 0);
    static const struct {
        const char *ref, *host, *target;
        int port;
    } cases[] = {
        { "/z", "x", "/z", 80 },
        { "c", "x", "/a/c", 80 },
        { "../../../c", "x", "/c", 80 },
        { "./", "x", "/a/", 80 },
        { "?k=v", "x", "/a/b?k=v", 80 },
        { "//other:81/p", "other", "/p", 81 },
        { "http://third/", "third", "/", 80 },
        { "HTTP://fourth", "fourth", "/", 80 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(http_url_resolve(&u, cases[i].ref, strlen(cases[i].ref), &o), 0);
        assert_string_equal(o.host, cases[i].host);
        assert_string_equal(o.target, cases[i].target);
        assert_int_equal(o.port, cases[i].port);
    }
    assert_int_equal(http_url_resolve(&u, "ftp://x/", 8, &o), -EPROTONOSUPPORT);
    char b[64];
    http_url_format(&o, b, sizeof(b));
    assert_string_equal(b, "http://fourth/");
}

/* RFC 3986 3.2.2: an IPv6 literal in brackets, kept with them (lower case) for Host and the URL
 * text; the address a literal host names, for either family; what is not a literal. */
static void url_ip_literals(void **state)
{
    struct http_url u, o;
    struct synack_ip ip, want;
    assert_int_equal(http_url_parse("http://[2001:DB8::2]/", &u), 0);
    assert_string_equal(u.host, "[2001:db8::2]");
    assert_int_equal(u.port, 80);
    assert_int_equal(http_url_host_addr(&u, &ip), 0);
    assert_int_equal(synack_ip_parse("2001:db8::2", &want), 0);
    assert_true(synack_ip_equal(&ip, &want));
    assert_int_equal(http_url_parse("http://[::1]:8080/x?y", &u), 0);
    assert_string_equal(u.host, "[::1]");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.target, "/x?y");
    char b[96];
    http_url_format(&u, b, sizeof(b));
    assert_string_equal(b, "http://[::1]:8080/x?y");
    assert_int_equal(http_url_parse("[::ffff:192.0.2.1]", &u), 0);
    assert_int_equal(http_url_host_addr(&u, &ip), 0);
    assert_true(synack_ip_is_v4(&ip));
    assert_int_equal(synack_ip_to_v4(&ip), 0xC0000201u);
    assert_int_equal(http_url_parse("http://192.0.2.7:81/", &u), 0);
    assert_int_equal(http_url_host_addr(&u, &ip), 0);
    assert_int_equal(synack_ip_to_v4(&ip), 0xC0000207u);
    assert_int_equal(http_url_parse("http://example.test/", &u), 0);
    assert_int_equal(http_url_host_addr(&u, &ip), -EINVAL);   /* a name: to be resolved */
    /* A redirect to a literal. */
    assert_int_equal(http_url_resolve(&u, "http://[fe80::1]:81/p", 21, &o), 0);
    assert_string_equal(o.host, "[fe80::1]");
    assert_int_equal(o.port, 81);
    static const char *const bad[] = { "http://[2001:db8::2/", "http://2001:db8::2/", "http://[192.0.2.1]/",
                                       "http://[v1.fe]/", "http://[]/", "http://[::1]x/", "http://[::1]:99999/",
                                       "http://[::1%25eth0]/", "http://[:::1]/", "http://[[::1]]/" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (http_url_parse(bad[i], &u) != -EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_basic),    cmocka_unit_test(request_incremental), cmocka_unit_test(request_rejects),
        cmocka_unit_test(request_limits),   cmocka_unit_test(response_heads),      cmocka_unit_test(chunked_decoding),
        cmocka_unit_test(dates),            cmocka_unit_test(urls),
        cmocka_unit_test(url_ip_literals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
