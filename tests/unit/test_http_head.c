/* Unit tests of how the HTTP server writes a response head (apps/http/http_reply.c, http_fmt.h,
 * http_parse.c's date): the head is built from appends, the date once a second and a file's own
 * lines once per file, and must be byte for byte what printf with the documented formats writes.
 * The reference here is that printf text (and libc's strftime for dates), for every kind of
 * response: files whole, HEAD, 304, 412, 206 (one range and several), 416, errors, redirects,
 * OPTIONS, dynamic pages, HTTP/1.0 keep-alive, the last response on a connection, a file dated
 * after the response, with the date given by the server or formatted per response, and with the
 * file's lines written by an earlier response (the cache). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../apps/http/http_fmt.h"
#include "../apps/http/http_reply.h"
#include "../apps/http/http_static.h"

#define NOW 1700000000

static char dir[256], www[300];
static struct http_static_root root;

static void put_file(const char *rel, const char *text, int64_t mtime)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", www, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    struct timeval tv[2] = { { (time_t)mtime, 0 }, { (time_t)mtime, 0 } };
    assert_int_equal(utimes(p, tv), 0);
}

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/synack-http-head.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(www, sizeof(www), "%s/www", dir);
    mkdir(www, 0755);
    put_file("index.html", "<h1>hi</h1>\n", 784111777);
    put_file("a.css", "p{color:red}\n", 1600000000);
    put_file("future.txt", "from the future\n", NOW + 100);
    char big[1001];
    memset(big, 'x', 1000);
    big[1000] = 0;
    put_file("big.txt", big, 1600000000);   /* ranges far enough apart not to be coalesced */
    char p[512];
    snprintf(p, sizeof(p), "%s/sub", www);
    mkdir(p, 0755);
    return http_static_root_init(&root, www);
}

static int teardown(void **state)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- the reference: printf and strftime ---- */

static void ref_date(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

struct ref {
    char b[4096];
    size_t n;
};

static void add(struct ref *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct ref *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(r->b + r->n, sizeof(r->b) - r->n, fmt, ap);
    va_end(ap);
    assert_true(k >= 0 && (size_t)k < sizeof(r->b) - r->n);
    r->n += (size_t)k;
}

static void ref_start(struct ref *r, int status, int close, int v10, unsigned left)
{
    char d[64];
    ref_date(NOW, d, sizeof(d));
    r->n = 0;
    add(r, "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: synack\r\n", status, http_reason(status), d);
    if (close) {
        add(r, "Connection: close\r\n");
    } else {
        if (v10)
            add(r, "Connection: keep-alive\r\n");
        add(r, "Keep-Alive: timeout=%u, max=%u\r\n", 5u, left);
    }
}

static void ref_page(struct ref *r, int status, char *body, size_t *blen)
{
    *blen = (size_t)snprintf(body, 256, "<html><head><title>%d %s</title></head><body><h1>%d %s</h1></body></html>\n",
                             status, http_reason(status), status, http_reason(status));
    add(r, "Content-Type: text/html; charset=utf-8\r\nContent-Length: %zu\r\n", *blen);
}

static void ref_etag(const char *rel, char *etag, size_t cap, struct stat *sb)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", www, rel);
    assert_int_equal(stat(p, sb), 0);
    snprintf(etag, cap, "\"%llx-%llx-%llx\"",
             (unsigned long long)sb->st_mtime * 1000000000ull + (unsigned long long)sb->st_mtim.tv_nsec,
             (unsigned long long)sb->st_size, (unsigned long long)sb->st_ino);
}

/* "Last-Modified ... ETag ..." for a file (its mtime, or NOW if later) */
static void ref_validators(struct ref *r, const char *rel, char *etag, size_t cap, struct stat *sb)
{
    ref_etag(rel, etag, cap, sb);
    char lm[64];
    ref_date(sb->st_mtime > NOW ? NOW : sb->st_mtime, lm, sizeof(lm));
    add(r, "Last-Modified: %s\r\nETag: %s\r\n", lm, etag);
}

/* ---- the server's side ---- */

static struct http_cache cache;
static int use_cache, use_date;
static char server_date[40];

static void plan(const char *text, unsigned nth, struct http_reply *out)
{
    struct http_request req;
    assert_true(http_parse_request(text, strlen(text), NULL, &req) > 0);
    struct http_reply_ctx x = { .root = &root, .wall_now = NOW, .keepalive_timeout_s = 5, .keepalive_max = 3,
                                .nth = nth, .cache = use_cache ? &cache : NULL, .date = use_date ? server_date : NULL };
    http_reply_request(&x, &req, out);
}

static void same_head(const struct http_reply *got, const struct ref *want, const char *what)
{
    if (got->head_len != want->n || memcmp(got->head, want->b, want->n))
        fail_msg("%s:\n got  [%.*s]\n want [%.*s]", what, (int)got->head_len, got->head, (int)want->n, want->b);
}

/* Every kind of response, in each of the four ways the head can be built. */
static void check_all(void)
{
    struct http_reply r;
    struct ref w;
    char etag[80], body[256];
    size_t blen;
    struct stat sb;

    /* 200, whole file; then HEAD (same head) */
    for (int head = 0; head < 2; head++) {
        plan(head ? "HEAD /index.html HTTP/1.1\r\nHost: a\r\n\r\n" : "GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n", 1,
             &r);
        ref_start(&w, 200, 0, 0, 2);
        ref_validators(&w, "index.html", etag, sizeof(etag), &sb);
        add(&w, "Accept-Ranges: bytes\r\nContent-Type: %s\r\nContent-Length: %llu\r\n\r\n", "text/html; charset=utf-8",
            (unsigned long long)sb.st_size);
        same_head(&r, &w, head ? "HEAD 200" : "GET 200");
        http_reply_release(&r);
    }
    /* a second file type, HTTP/1.0 with keep-alive */
    plan("GET /a.css HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 2, &r);
    ref_start(&w, 200, 0, 1, 1);
    ref_validators(&w, "a.css", etag, sizeof(etag), &sb);
    add(&w, "Accept-Ranges: bytes\r\nContent-Type: %s\r\nContent-Length: %llu\r\n\r\n", "text/css; charset=utf-8",
        (unsigned long long)sb.st_size);
    same_head(&r, &w, "GET 200 HTTP/1.0 keep-alive");
    http_reply_release(&r);
    /* the last response of the connection closes */
    plan("GET /a.css HTTP/1.1\r\nHost: a\r\n\r\n", 3, &r);
    ref_start(&w, 200, 1, 0, 0);
    ref_validators(&w, "a.css", etag, sizeof(etag), &sb);
    add(&w, "Accept-Ranges: bytes\r\nContent-Type: %s\r\nContent-Length: %llu\r\n\r\n", "text/css; charset=utf-8",
        (unsigned long long)sb.st_size);
    same_head(&r, &w, "GET 200 last");
    http_reply_release(&r);
    /* a file modified after the response's date: Last-Modified is the date (RFC 9110 8.8.2.1) */
    for (int i = 0; i < 2; i++) {
        plan("GET /future.txt HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
        ref_start(&w, 200, 0, 0, 2);
        ref_validators(&w, "future.txt", etag, sizeof(etag), &sb);
        add(&w, "Accept-Ranges: bytes\r\nContent-Type: %s\r\nContent-Length: %llu\r\n\r\n",
            "text/plain; charset=utf-8", (unsigned long long)sb.st_size);
        same_head(&r, &w, "GET 200 future");
        http_reply_release(&r);
    }
    /* 304 by date and by entity-tag */
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n", 1, &r);
    ref_start(&w, 304, 0, 0, 2);
    ref_validators(&w, "index.html", etag, sizeof(etag), &sb);
    add(&w, "\r\n");
    same_head(&r, &w, "304 If-Modified-Since");
    http_reply_release(&r);
    char text[512];
    ref_etag("future.txt", etag, sizeof(etag), &sb);
    snprintf(text, sizeof(text), "GET /future.txt HTTP/1.1\r\nHost: a\r\nIf-None-Match: W/%s\r\n\r\n", etag);
    plan(text, 1, &r);
    ref_start(&w, 304, 0, 0, 2);
    ref_validators(&w, "future.txt", etag, sizeof(etag), &sb);
    add(&w, "\r\n");
    same_head(&r, &w, "304 If-None-Match");
    http_reply_release(&r);
    /* field names in any case (RFC 9110 5.1) */
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nif-modified-since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 304);
    http_reply_release(&r);
    plan("GET /index.html HTTP/1.1\r\nrange: bytes=2-5\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 206);
    http_reply_release(&r);
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nIF-MATCH: \"x\"\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 412);
    http_reply_release(&r);
    /* 412 */
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nIf-Match: \"nope\"\r\n\r\n", 1, &r);
    ref_start(&w, 412, 0, 0, 2);
    ref_page(&w, 412, body, &blen);
    add(&w, "\r\n");
    same_head(&r, &w, "412");
    assert_int_equal(r.body_len, blen);
    assert_memory_equal(r.body, body, blen);
    http_reply_release(&r);
    /* 206, one range */
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=2-5\r\n\r\n", 1, &r);
    ref_start(&w, 206, 0, 0, 2);
    ref_validators(&w, "index.html", etag, sizeof(etag), &sb);
    add(&w, "Accept-Ranges: bytes\r\nContent-Range: bytes %d-%d/%llu\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
        2, 5, (unsigned long long)sb.st_size, "text/html; charset=utf-8", 4);
    same_head(&r, &w, "206");
    http_reply_release(&r);
    /* 206, several ranges: multipart/byteranges with the boundary derived from the tag and time */
    plan("GET /big.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1,500-506\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 206);
    ref_start(&w, 206, 0, 0, 2);
    char big_etag[80];
    struct stat big_sb;
    ref_validators(&w, "big.txt", big_etag, sizeof(big_etag), &big_sb);
    uint64_t hsh = 1469598103934665603ull ^ 0;
    for (const char *p = big_etag; *p; p++)
        hsh = (hsh ^ (unsigned char)*p) * 1099511628211ull;
    add(&w, "Accept-Ranges: bytes\r\nContent-Type: multipart/byteranges; boundary=synack-%016llx\r\n",
        (unsigned long long)hsh);
    add(&w, "Content-Length: %llu\r\n\r\n", (unsigned long long)r.file_len);
    same_head(&r, &w, "206 multipart");
    http_reply_release(&r);
    /* 416 */
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=100-\r\n\r\n", 1, &r);
    ref_start(&w, 416, 0, 0, 2);
    add(&w, "Content-Range: bytes */%llu\r\n", (unsigned long long)sb.st_size);
    ref_page(&w, 416, body, &blen);
    add(&w, "\r\n");
    same_head(&r, &w, "416");
    http_reply_release(&r);
    /* 404, 301 */
    plan("GET /missing HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    ref_start(&w, 404, 0, 0, 2);
    ref_page(&w, 404, body, &blen);
    add(&w, "\r\n");
    same_head(&r, &w, "404");
    assert_memory_equal(r.body, body, blen);
    plan("GET /sub?q=1 HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    ref_start(&w, 301, 0, 0, 2);
    add(&w, "Location: %s\r\n", "/sub/?q=1");
    ref_page(&w, 301, body, &blen);
    add(&w, "\r\n");
    same_head(&r, &w, "301");
    /* 405, 501, OPTIONS */
    plan("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n", 1, &r);
    ref_start(&w, 405, 1, 0, 0);
    add(&w, "Allow: GET, HEAD, OPTIONS\r\n");
    ref_page(&w, 405, body, &blen);
    add(&w, "\r\n");
    same_head(&r, &w, "405");
    plan("BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    ref_start(&w, 501, 1, 0, 0);
    ref_page(&w, 501, body, &blen);
    add(&w, "\r\n");
    same_head(&r, &w, "501");
    plan("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    ref_start(&w, 200, 0, 0, 2);
    add(&w, "Allow: GET, HEAD, OPTIONS\r\nContent-Length: 0\r\n\r\n");
    same_head(&r, &w, "OPTIONS");
    /* errors without a request */
    struct http_reply_ctx x = { .root = &root, .wall_now = NOW, .keepalive_timeout_s = 5, .keepalive_max = 3,
                                .nth = 1, .date = use_date ? server_date : NULL };
    static const int errs[] = { 400, 408, 413, 414, 431, 503, 505, 599 };
    for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
        http_reply_error(&x, errs[i], 1, &r);
        ref_start(&w, errs[i], 1, 0, 0);
        if (errs[i] == 503)
            add(&w, "Retry-After: 1\r\n");
        ref_page(&w, errs[i], body, &blen);
        add(&w, "\r\n");
        same_head(&r, &w, "error");
        assert_memory_equal(r.body, body, blen);
    }
}

static int dyn(void *ctx, const char *path, char **body, size_t *len, const char **ctype, synack_time_t now)
{
    *body = strdup("12345");
    *len = 5;
    *ctype = "application/json";
    return 1;
}

static void heads_equal_printf(void **state)
{
    ref_date(NOW, server_date, sizeof(server_date));
    assert_int_equal(strlen(server_date), HTTP_DATE_LEN);
    struct http_cache_config cc;
    http_cache_config_default(&cc);
    assert_int_equal(http_cache_init(&cache, &root, &cc), 0);
    /* no cache; the cache, first (lines written) and again (lines reused); each with and without
     * the server's date */
    for (int k = 0; k < 6; k++) {
        use_cache = k >= 2;
        use_date = k & 1;
        check_all();
    }
    assert_true(cache.stats.hits > 0);
    http_cache_free(&cache);
    use_cache = use_date = 0;
    /* a dynamic page */
    struct http_reply_ctx x = { .root = &root, .wall_now = NOW, .keepalive_timeout_s = 5, .keepalive_max = 3,
                                .nth = 1, .dynamic = dyn };
    struct http_request req;
    const char *t = "GET /status HTTP/1.1\r\nHost: a\r\n\r\n";
    assert_true(http_parse_request(t, strlen(t), NULL, &req) > 0);
    struct http_reply r;
    http_reply_request(&x, &req, &r);
    struct ref w;
    ref_start(&w, 200, 0, 0, 2);
    add(&w, "Content-Type: %s\r\nContent-Length: %llu\r\nCache-Control: no-store\r\n\r\n", "application/json", 5ull);
    same_head(&r, &w, "dynamic");
    http_reply_release(&r);
}

/* The appends against printf's %llu, %0*llu and %llx; dates against strftime. */
static void appends_equal_printf(void **state)
{
    uint64_t v = 0;
    for (int i = 0; i < 2000; i++) {
        char a[64], b[64];
        for (unsigned width = 0; width < 6; width++) {
            char *o = http_put_dec(a, a + sizeof(a), v, width);
            *o = 0;
            snprintf(b, sizeof(b), "%0*llu", (int)width, (unsigned long long)v);
            assert_string_equal(a, b);
        }
        *http_put_hex(a, a + sizeof(a), v) = 0;
        snprintf(b, sizeof(b), "%llx", (unsigned long long)v);
        assert_string_equal(a, b);
        v = v * 3 + (uint64_t)i;   /* small numbers first, then every length up to 20 digits */
    }
    char a[64], b[64];
    *http_put_u64(a, a + sizeof(a), UINT64_MAX) = 0;
    assert_string_equal(a, "18446744073709551615");
    /* cut at the end, as snprintf cuts */
    char small[4];
    assert_ptr_equal(http_put_u64(small, small + 3, 123456), small + 3);
    assert_memory_equal(small, "123", 3);
    assert_ptr_equal(http_put_str(small, small + 3, "ab"), small + 2);
    for (int64_t t = -86400LL * 365 * 3; t < 253402300799LL; t += 86400LL * 29 + 7919) {
        size_t n = http_date_format(t, a, sizeof(a));
        ref_date(t, b, sizeof(b));
        assert_string_equal(a, b);
        assert_int_equal(n, HTTP_DATE_LEN);
    }
    /* a buffer too short gets the start, NUL-terminated */
    assert_int_equal(http_date_format(0, small, sizeof(small)), HTTP_DATE_LEN);
    assert_string_equal(small, "Thu");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(heads_equal_printf),
        cmocka_unit_test(appends_equal_printf),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
