/* Unit tests of the HTTP server's decisions (apps/http/http_reply.c, http_static.c) on a document
 * root built in a temporary directory: statuses, header fields, persistence (RFC 9112 9.3),
 * keep-alive max, conditional GET, redirects for directories, and every way out of the root we
 * know of (dot-segments plain and encoded, encoded slashes, symlinks out, special files). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "../apps/http/http_reply.h"
#include "../apps/http/http_static.h"

static char root_dir[256];
static char outside[300];
static struct http_static_root root;

static void write_file(const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", root_dir, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    snprintf(root_dir, sizeof(root_dir), "/tmp/synack-http-unit.XXXXXX");
    if (!mkdtemp(root_dir))
        return -1;
    char p[512];
    snprintf(p, sizeof(p), "%s/www", root_dir);
    mkdir(p, 0755);
    snprintf(outside, sizeof(outside), "%s/secret.txt", root_dir);
    FILE *f = fopen(outside, "w");
    fputs("secret\n", f);
    fclose(f);
    strcat(root_dir, "/www");
    write_file("index.html", "<h1>hi</h1>\n");
    write_file("style.CSS", "p{}\n");
    write_file("data.bin", "\x01\x02");
    write_file("noext", "x");
    write_file("zero.txt", "");
    char big[4001];
    for (int i = 0; i < 4000; i++)
        big[i] = (char)('a' + i % 26);
    big[4000] = 0;
    write_file("big.bin", big);
    snprintf(p, sizeof(p), "%s/dir", root_dir);
    mkdir(p, 0755);
    write_file("dir/index.html", "dir index\n");
    snprintf(p, sizeof(p), "%s/empty", root_dir);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/out", root_dir);
    if (symlink(outside, p) != 0)
        return -1;
    snprintf(p, sizeof(p), "%s/outdir", root_dir);
    if (symlink("/etc", p) != 0)
        return -1;
    snprintf(p, sizeof(p), "%s/in", root_dir);
    if (symlink("index.html", p) != 0)
        return -1;
    snprintf(p, sizeof(p), "%s/fifo", root_dir);
    if (mkfifo(p, 0644) != 0)
        return -1;
    /* a fixed modification time for the conditional tests */
    snprintf(p, sizeof(p), "%s/index.html", root_dir);
    struct timeval tv[2] = { { 784111777, 0 }, { 784111777, 0 } };
    utimes(p, tv);
    return http_static_root_init(&root, root_dir);
}

static int teardown(void **state)
{
    char cmd[600];
    char *slash = strrchr(root_dir, '/');
    *slash = 0;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Builds a request from text, plans the reply with keep-alive max 3 and nth as given. */
static void plan(const char *text, unsigned nth, struct http_reply *r)
{
    struct http_request req;
    ssize_t n = http_parse_request(text, strlen(text), NULL, &req);
    assert_true(n > 0);
    struct http_reply_ctx x = { .root = &root, .wall_now = 1700000000, .keepalive_timeout_s = 5,
                                .keepalive_max = 3, .nth = nth };
    http_reply_request(&x, &req, r);
    r->head[r->head_len] = 0;
}

static int has(const struct http_reply *r, const char *field)
{
    return strstr(r->head, field) != NULL;
}

static void done(struct http_reply *r) { http_reply_release(r); }

/* A dynamic page: answered for its path (query ignored, percent-decoded) from a memory file, with
 * no-store; other paths fall through to the files. */
static int dyn_page(void *ctx, const char *path, char **body, size_t *len, const char **ctype, synack_time_t now)
{
    if (strcmp(path, "/status"))
        return 0;
    *body = strdup("{\"ok\":1}");
    *len = strlen(*body);
    *ctype = "application/json";
    ++*(int *)ctx;
    return 1;
}

static void dynamic_page(void **state)
{
    int calls = 0;
    struct http_reply_ctx x = { .root = &root, .wall_now = 1700000000, .keepalive_timeout_s = 5,
                                .keepalive_max = 3, .nth = 1, .dynamic = dyn_page, .dynamic_ctx = &calls };
    const char *text = "GET /st%61tus?x=1 HTTP/1.1\r\nHost: a\r\n\r\n";
    struct http_request req;
    assert_true(http_parse_request(text, strlen(text), NULL, &req) > 0);
    struct http_reply r;
    http_reply_request(&x, &req, &r);
    r.head[r.head_len] = 0;
    assert_int_equal(calls, 1);
    assert_int_equal(r.status, 200);
    assert_true(has(&r, "Content-Type: application/json\r\n"));
    assert_true(has(&r, "Cache-Control: no-store\r\n"));
    assert_int_equal(r.file_len, 8);
    assert_int_equal(r.npieces, 1);
    assert_memory_equal(r.piece[0].mem, "{\"ok\":1}", 8);
    done(&r);
    text = "GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n";
    assert_true(http_parse_request(text, strlen(text), NULL, &req) > 0);
    http_reply_request(&x, &req, &r);
    assert_int_equal(calls, 1);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.file_len, 12);
    done(&r);
}

/* Counts every ask, answers /status and /status.json. */
static int counting_page(void *ctx, const char *path, char **body, size_t *len, const char **ctype, synack_time_t now)
{
    ++*(int *)ctx;
    if (strcmp(path, "/status") && strcmp(path, "/status.json"))
        return 0;
    *body = strdup("s");
    *len = 1;
    return 1;
}

/* With a prefix, only paths that decode to one under it are asked, percent-encoded ones too. */
static void dynamic_prefix(void **state)
{
    int asks = 0;
    struct http_reply_ctx x = { .root = &root, .wall_now = 1700000000, .keepalive_timeout_s = 5,
                                .keepalive_max = 3, .nth = 1, .dynamic = counting_page, .dynamic_ctx = &asks,
                                .dynamic_prefix = "/status" };
    static const struct {
        const char *target;
        int asked, status;
    } cases[] = {
        { "/index.html", 0, 200 },   { "/status", 1, 200 },    { "/status.json?x", 1, 200 },
        { "/st%61tus", 1, 200 },     { "/%73tatus.json", 1, 200 }, { "/statu", 0, 404 },
        { "/statusx", 1, 404 },      { "/%69ndex.html", 0, 200 },  { "/x/status", 0, 404 },
        /* dot-segments go before the prefix is compared, as for files (RFC 3986 5.2.4) */
        { "/x/../status", 1, 200 },  { "/./status.json", 1, 200 }, { "/status/../index.html", 0, 200 },
        { "/../status", 0, 400 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "GET %s HTTP/1.1\r\nHost: a\r\n\r\n", cases[i].target);
        struct http_request req;
        assert_true(http_parse_request(text, strlen(text), NULL, &req) > 0);
        struct http_reply r;
        asks = 0;
        http_reply_request(&x, &req, &r);
        if (asks != cases[i].asked || r.status != cases[i].status)
            fail_msg("%s: asked %d, status %d", cases[i].target, asks, r.status);
        http_reply_release(&r);
    }
    /* OPTIONS on a page's path: the server's methods, the page not made */
    static const char *const opt[] = { "OPTIONS /status HTTP/1.1\r\nHost: a\r\n\r\n",
                                       "OPTIONS /st%61tus/x HTTP/1.1\r\nHost: a\r\n\r\n" };
    for (size_t i = 0; i < 2; i++) {
        struct http_request req;
        assert_true(http_parse_request(opt[i], strlen(opt[i]), NULL, &req) > 0);
        struct http_reply r;
        asks = 0;
        http_reply_request(&x, &req, &r);
        assert_int_equal(asks, 0);
        assert_int_equal(r.status, 200);
        http_reply_release(&r);
    }
    /* without a prefix every path is asked */
    x.dynamic_prefix = NULL;
    const char *text = "GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n";
    struct http_request req;
    assert_true(http_parse_request(text, strlen(text), NULL, &req) > 0);
    struct http_reply r;
    asks = 0;
    http_reply_request(&x, &req, &r);
    assert_int_equal(asks, 1);
    assert_int_equal(r.status, 200);
    http_reply_release(&r);
}

static void get_file(void **state)
{
    struct http_reply r;
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(r.file);
    assert_int_equal(r.file_len, 12);
    assert_false(r.close);
    assert_true(!strncmp(r.head, "HTTP/1.1 200 OK\r\n", 17));
    assert_true(has(&r, "Content-Length: 12\r\n"));
    assert_true(has(&r, "Content-Type: text/html; charset=utf-8\r\n"));
    assert_true(has(&r, "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"));
    assert_true(has(&r, "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"));
    assert_true(has(&r, "Keep-Alive: timeout=5, max=2\r\n"));
    assert_false(has(&r, "Connection:"));
    assert_true(!strcmp(r.head + r.head_len - 4, "\r\n\r\n"));
    done(&r);
    /* types by extension, case-insensitive; unknown -> octet-stream */
    plan("GET /style.CSS HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_true(has(&r, "Content-Type: text/css; charset=utf-8"));
    done(&r);
    plan("GET /noext HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_true(has(&r, "Content-Type: application/octet-stream"));
    done(&r);
    /* query ignored, absolute-form accepted, symlink inside the root followed */
    plan("GET /in?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    done(&r);
    plan("GET http://a/index.html HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    done(&r);
    /* absolute-form with an empty path is the root (RFC 9110 4.2.3, RFC 9112 3.2.2) */
    plan("GET http://a HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.file_len, 12);
    done(&r);
    plan("GET HTTP://a:80?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    done(&r);
    plan("GET http://a/dir HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 301);
    assert_true(has(&r, "Location: /dir/\r\n"));
    plan("GET https://a/index.html HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 400);
    /* userinfo in the authority is an error (RFC 9110 4.2.4) */
    plan("GET http://u:p@a/index.html HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 400);
    assert_true(r.close);
    /* the target's host wins over Host (RFC 9112 3.2.2): another host, a port, an IPv6 literal */
    static const char *const good[] = { "http://other.example:8080/index.html", "http://[::1]/index.html",
                                        "http://[2001:db8::1]:81/index.html", "http://10.0.0.1:80/index.html" };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "GET %s HTTP/1.1\r\nHost: a\r\n\r\n", good[i]);
        plan(text, 1, &r);
        if (r.status != 200)
            fail_msg("%s: %d", good[i], r.status);
        done(&r);
    }
    /* an empty host, or an authority that is no host[:port], is invalid (RFC 9110 4.2.1) */
    static const char *const bad[] = { "http:///index.html", "http://:80/index.html", "http://a:b/index.html",
                                       "http://a:99999/index.html", "http://[::1/index.html", "http://a,b/index.html" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "GET %s HTTP/1.1\r\nHost: a\r\n\r\n", bad[i]);
        plan(text, 1, &r);
        if (r.status != 400)
            fail_msg("%s: %d", bad[i], r.status);
        done(&r);
    }
}

/* RFC 9110 10.1.1: Expect. Another expectation than 100-continue gets 417 in HTTP/1.1 and is
 * ignored in HTTP/1.0; a 100-continue request answered before its content (here at once, from its
 * head alone) says it closes, since the client may never send that content. */
static void expectations(void **state)
{
    struct http_reply r;
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 417);
    assert_true(!strncmp(r.head, "HTTP/1.1 417 Expectation Failed\r\n", 33));
    assert_true(r.close);
    plan("GET /index.html HTTP/1.0\r\nExpect: teapot\r\nConnection: keep-alive\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    assert_false(r.close);
    done(&r);
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    assert_true(r.close);
    assert_true(has(&r, "Connection: close\r\n"));
    done(&r);
    /* without content to hold back, nothing changes */
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    assert_false(r.close);
    done(&r);
    plan("GET /index.html HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n", 1, &r);
    assert_false(r.close);
    done(&r);
}

static void head_and_conditional(void **state)
{
    struct http_reply r;
    plan("HEAD /index.html HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    assert_true(r.head_only);
    assert_null(r.file);   /* nothing to send after the head */
    assert_true(has(&r, "Content-Length: 12\r\n"));
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 304);
    assert_null(r.file);
    assert_false(has(&r, "Content-Length"));
    assert_true(has(&r, "Last-Modified:"));
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:36 GMT\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);   /* changed one second after */
    done(&r);
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: garbage\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);   /* invalid dates are ignored */
    done(&r);
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);   /* a date after our clock is ignored */
    done(&r);
}

static void directories(void **state)
{
    struct http_reply r;
    plan("GET /dir HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 301);
    assert_true(has(&r, "Location: /dir/\r\n"));
    plan("GET /dir?q=1 HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_true(has(&r, "Location: /dir/?q=1\r\n"));
    plan("GET /dir/ HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.file_len, 10);
    done(&r);
    plan("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.file_len, 12);
    done(&r);
    plan("GET /empty/ HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 404);   /* no listing */
}

static void no_escape(void **state)
{
    static const struct {
        const char *target;
        int status;
    } cases[] = {
        { "/../secret.txt", 400 },
        { "/dir/../../secret.txt", 400 },
        { "/%2e%2e/secret.txt", 400 },
        { "/%2E%2e/secret.txt", 400 },
        { "/.%2e/secret.txt", 400 },
        { "/dir%2f..%2f..%2fsecret.txt", 400 },
        { "/dir/%2fetc/passwd", 400 },
        { "/index.html%00.txt", 400 },
        { "/%zz", 400 },
        { "/%2", 400 },
        { "/dir/%2e%2e/%2E%2E/secret.txt", 400 },
        { "/dir/./../.././secret.txt", 400 },
        { "/..", 400 },
        { "/outdir/../secret.txt", 404 },   /* lexically "/secret.txt": not in the root */
        { "/outdir/./passwd", 404 },
        { "/out", 404 },                /* symlink to a file outside */
        { "/outdir/passwd", 404 },      /* symlink to a directory outside */
        { "/outdir/", 404 },
        { "/fifo", 403 },               /* not a regular file */
        { "/missing", 404 },
        { "/index.html/x", 404 },
        { "*", 400 },
        { "secret.txt", 400 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "GET %s HTTP/1.1\r\nHost: a\r\n\r\n", cases[i].target);
        struct http_reply r;
        plan(text, 1, &r);
        if (r.status != cases[i].status)
            fail_msg("%s: got %d, want %d", cases[i].target, r.status, cases[i].status);
        assert_null(r.file);
        if (r.status == 400)
            assert_true(r.close);
    }
}

/* RFC 3986 5.2.4: dot-segments that stay inside the root are removed, plain or percent-encoded
 * (6.2.2.2: %2E is "."), and the file they lead to is served. */
static void dot_segments(void **state)
{
    static const struct {
        const char *target, *body;
    } cases[] = {
        { "/./index.html", "<h1>hi</h1>\n" },
        { "/dir/../index.html", "<h1>hi</h1>\n" },
        { "/dir/%2e%2e/index.html", "<h1>hi</h1>\n" },
        { "/dir/%2E./index.html", "<h1>hi</h1>\n" },
        { "/%2e/dir/./index.html", "dir index\n" },
        { "/dir/.", "dir index\n" },             /* "/dir/": the directory's index */
        { "/dir/index.html/..", "dir index\n" },
        { "/dir/..", "<h1>hi</h1>\n" },
        { "/nothere/../index.html", "<h1>hi</h1>\n" },   /* lexical, as 5.2.4 is */
        { "/dir//../index.html", "dir index\n" },        /* ".." takes the empty segment */
        { "/index.html?a/../b", "<h1>hi</h1>\n" },       /* the query is no path */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[256], body[64];
        snprintf(text, sizeof(text), "GET %s HTTP/1.1\r\nHost: a\r\n\r\n", cases[i].target);
        struct http_reply r;
        plan(text, 1, &r);
        if (r.status != 200)
            fail_msg("%s: got %d, want 200", cases[i].target, r.status);
        assert_int_equal(r.npieces, 1);
        assert_true(r.file_len < sizeof(body));
        assert_non_null(r.piece[0].mem);   /* small files are served from memory */
        memcpy(body, r.piece[0].mem + r.piece[0].off, (size_t)r.file_len);
        body[r.file_len] = 0;
        if (strcmp(body, cases[i].body))
            fail_msg("%s: served '%s'", cases[i].target, body);
        done(&r);
    }
    /* the normaliser alone */
    static const struct {
        const char *in, *out;
    } norm[] = {
        { "/", "/" }, { "/a/./b", "/a/b" }, { "/a/../b", "/b" }, { "/a/.", "/a/" }, { "/a/b/..", "/a/" },
        { "/.", "/" }, { "/a/..", "/" }, { "/a//b", "/a//b" }, { "/..a/.b./...", "/..a/.b./..." },
        { "/../a", NULL }, { "/a/../../b", NULL }, { "a/b", NULL },
    };
    for (size_t i = 0; i < sizeof(norm) / sizeof(norm[0]); i++) {
        char p[64];
        snprintf(p, sizeof(p), "%s", norm[i].in);
        int n = http_path_normalize(p);
        if (!norm[i].out ? n != -1 : n < 0 || (size_t)n != strlen(norm[i].out) || strcmp(p, norm[i].out))
            fail_msg("%s: %d '%s'", norm[i].in, n, n >= 0 ? p : "");
    }
}

static void persistence(void **state)
{
    struct http_reply r;
    /* 1.1: persistent unless close */
    plan("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 1, &r);
    assert_true(r.close);
    assert_true(has(&r, "Connection: close\r\n"));
    assert_false(has(&r, "Keep-Alive"));
    done(&r);
    /* 1.0: closes unless keep-alive, which the response then repeats */
    plan("GET / HTTP/1.0\r\n\r\n", 1, &r);
    assert_true(r.close);
    assert_true(has(&r, "Connection: close\r\n"));
    done(&r);
    plan("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 1, &r);
    assert_false(r.close);
    assert_true(has(&r, "Connection: keep-alive\r\n"));
    assert_true(has(&r, "Keep-Alive: timeout=5, max=2\r\n"));
    done(&r);
    /* the keepalive_max-th (3rd) response closes, the one before announces max=0 */
    plan("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 2, &r);
    assert_false(r.close);
    assert_true(has(&r, "max=1"));
    done(&r);
    plan("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 3, &r);
    assert_true(r.close);
    assert_true(has(&r, "Connection: close\r\n"));
    done(&r);
    /* error pages keep the connection when the framing is intact (404), close on 400 */
    plan("GET /missing HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_false(r.close);
    assert_true(has(&r, "Content-Length: "));
    assert_true(r.body_len > 0);
    assert_int_equal(http_wants_persist(1, 0, 0), 1);
    assert_int_equal(http_wants_persist(1, 1, 1), 0);
    assert_int_equal(http_wants_persist(0, 0, 0), 0);
    assert_int_equal(http_wants_persist(0, 0, 1), 1);
}

static void methods_and_errors(void **state)
{
    struct http_reply r;
    plan("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 405);
    assert_true(has(&r, "Allow: GET, HEAD, OPTIONS\r\n"));
    assert_true(r.close);
    plan("BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 501);
    plan("get / HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 501);   /* methods are case-sensitive */
    struct http_reply_ctx x = { .root = &root, .wall_now = 1700000000, .keepalive_timeout_s = 5,
                                .keepalive_max = 3, .nth = 1 };
    static const int statuses[] = { 400, 408, 413, 414, 431, 503, 505 };
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        http_reply_error(&x, statuses[i], 1, &r);
        r.head[r.head_len] = 0;
        char line[64];
        snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\n", statuses[i], http_reason(statuses[i]));
        assert_true(!strncmp(r.head, line, strlen(line)));
        assert_true(r.close);
        assert_true(has(&r, "Connection: close\r\n"));
        assert_true(r.body_len > 0);
    }
    http_reply_error(&x, 503, 1, &r);
    r.head[r.head_len] = 0;
    assert_true(has(&r, "Retry-After: 1\r\n"));
}

/* The ETag of index.html, as a 200 announces it. */
static void etag_of_index(char *out, size_t cap)
{
    struct http_reply r;
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    const char *e = strstr(r.head, "ETag: ");
    assert_non_null(e);
    e += 6;
    size_t n = strcspn(e, "\r");
    assert_true(n < cap && n > 2 && e[0] == '"' && e[n - 1] == '"');
    memcpy(out, e, n);
    out[n] = 0;
    done(&r);
}

static int plan_status(const char *fields, const char *method)
{
    char text[512];
    snprintf(text, sizeof(text), "%s /index.html HTTP/1.1\r\nHost: a\r\n%s\r\n", method, fields);
    struct http_reply r;
    plan(text, 1, &r);
    int st = r.status;
    if (st == 304)
        assert_true(has(&r, "ETag: "));   /* RFC 9110 15.4.5: a 304 carries the 200's ETag */
    if (st == 412 || st == 304)
        assert_int_equal(r.npieces, 0);
    done(&r);
    return st;
}

/* RFC 9110 13.2.2: If-Match, then If-Unmodified-Since (without If-Match), then If-None-Match, then
 * If-Modified-Since (without If-None-Match). */
static void conditions(void **state)
{
    char tag[64], f[512];
    etag_of_index(tag, sizeof(tag));
    const char *lm = "Sun, 06 Nov 1994 08:49:37 GMT", *before = "Sat, 05 Nov 1994 08:49:37 GMT";
    snprintf(f, sizeof(f), "If-Match: %s\r\n", tag);
    assert_int_equal(plan_status(f, "GET"), 200);
    assert_int_equal(plan_status("If-Match: \"nope\"\r\n", "GET"), 412);
    assert_int_equal(plan_status("If-Match: *\r\n", "GET"), 200);
    snprintf(f, sizeof(f), "If-Match: W/%s\r\n", tag);
    assert_int_equal(plan_status(f, "GET"), 412);   /* strong comparison */
    snprintf(f, sizeof(f), "If-Match: \"x\"\r\nIf-Match: %s\r\n", tag);
    assert_int_equal(plan_status(f, "HEAD"), 200);  /* several lines are one list */
    /* If-Unmodified-Since: 412 when modified after the date; ignored when If-Match is present */
    snprintf(f, sizeof(f), "If-Unmodified-Since: %s\r\n", before);
    assert_int_equal(plan_status(f, "GET"), 412);
    snprintf(f, sizeof(f), "If-Unmodified-Since: %s\r\n", lm);
    assert_int_equal(plan_status(f, "GET"), 200);
    snprintf(f, sizeof(f), "If-Match: %s\r\nIf-Unmodified-Since: %s\r\n", tag, before);
    assert_int_equal(plan_status(f, "GET"), 200);
    assert_int_equal(plan_status("If-Unmodified-Since: nonsense\r\n", "GET"), 200);
    /* If-None-Match: weak comparison, 304 for GET and HEAD */
    snprintf(f, sizeof(f), "If-None-Match: %s\r\n", tag);
    assert_int_equal(plan_status(f, "GET"), 304);
    assert_int_equal(plan_status(f, "HEAD"), 304);
    snprintf(f, sizeof(f), "If-None-Match: \"x\", W/%s\r\n", tag);
    assert_int_equal(plan_status(f, "GET"), 304);
    assert_int_equal(plan_status("If-None-Match: *\r\n", "GET"), 304);
    /* If-None-Match wins over If-Modified-Since, whichever way each would go */
    snprintf(f, sizeof(f), "If-None-Match: \"x\"\r\nIf-Modified-Since: %s\r\n", lm);
    assert_int_equal(plan_status(f, "GET"), 200);
    snprintf(f, sizeof(f), "If-None-Match: %s\r\nIf-Modified-Since: %s\r\n", tag, before);
    assert_int_equal(plan_status(f, "GET"), 304);
    /* the date conditions are single values: repeated, they are invalid and ignored (13.1.3, 13.1.4) */
    snprintf(f, sizeof(f), "If-Modified-Since: %s\r\nIf-Modified-Since: %s\r\n", lm, lm);
    assert_int_equal(plan_status(f, "GET"), 200);
    snprintf(f, sizeof(f), "If-Unmodified-Since: %s\r\nIf-Unmodified-Since: %s\r\n", before, before);
    assert_int_equal(plan_status(f, "GET"), 200);
    /* a failed If-Match wins over a matching If-None-Match */
    snprintf(f, sizeof(f), "If-Match: \"x\"\r\nIf-None-Match: %s\r\n", tag);
    assert_int_equal(plan_status(f, "GET"), 412);
    /* conditions do not turn a 404 into anything else (13.2.1) */
    struct http_reply r;
    plan("GET /missing HTTP/1.1\r\nHost: a\r\nIf-Match: \"x\"\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 404);
}

/* The body a reply's pieces make, file pieces read from its descriptor. */
static size_t body_of(const struct http_reply *r, char *out, size_t cap)
{
    size_t o = 0;
    for (unsigned i = 0; i < r->npieces; i++) {
        const struct http_piece *p = &r->piece[i];
        assert_true(o + p->len <= cap);
        if (p->mem)
            memcpy(out + o, p->mem + p->off, p->len);
        else
            assert_int_equal(pread(r->file->fd, out + o, p->len, (off_t)p->off), (ssize_t)p->len);
        o += p->len;
    }
    return o;
}

static void range_requests(void **state)
{
    char tag[64], text[512], body[2048];
    etag_of_index(tag, sizeof(tag));
    struct http_reply r;
    /* one range: 206 with Content-Range, just those bytes */
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=1-2\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 206);
    assert_true(has(&r, "Content-Range: bytes 1-2/12\r\n"));
    assert_true(has(&r, "Content-Length: 2\r\n"));
    assert_true(has(&r, "Content-Type: text/html"));
    assert_int_equal(body_of(&r, body, sizeof(body)), 2);
    assert_memory_equal(body, "h1", 2);
    done(&r);
    /* suffix and open ranges */
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=-3\r\n\r\n", 1, &r);
    assert_true(has(&r, "Content-Range: bytes 9-11/12\r\n"));
    assert_int_equal(body_of(&r, body, sizeof(body)), 3);
    assert_memory_equal(body, "1>\n", 3);
    done(&r);
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=10-\r\n\r\n", 1, &r);
    assert_true(has(&r, "Content-Range: bytes 10-11/12\r\n"));
    done(&r);
    /* several on a small file: closer together than a part's head is long, so coalesced into
     * one, a single-part 206 (RFC 9110 15.3.7.2) */
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=0-0,-2\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 206);
    assert_true(has(&r, "Content-Range: bytes 0-11/12\r\n"));
    assert_false(has(&r, "multipart"));
    assert_int_equal(body_of(&r, body, sizeof(body)), 12);
    done(&r);
    /* several far apart: multipart/byteranges, each part with its Content-Range, in the order
     * asked, the length exact */
    plan("GET /big.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=3000-3001,0-0\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 206);
    const char *mp = "Content-Type: multipart/byteranges; boundary=";
    const char *ct = strstr(r.head, mp);
    assert_non_null(ct);
    assert_false(has(&r, "Content-Range"));   /* only in the parts */
    ct += strlen(mp);
    char boundary[80];
    size_t bn = strcspn(ct, "\r");
    memcpy(boundary, ct, bn);
    boundary[bn] = 0;
    size_t len = body_of(&r, body, sizeof(body));
    body[len] = 0;
    char cl[64];
    snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n", len);
    assert_true(has(&r, cl));
    char want[1024];
    snprintf(want, sizeof(want),
             "\r\n--%s\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 3000-3001/4000\r\n\r\nkl"
             "\r\n--%s\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-0/4000\r\n\r\na"
             "\r\n--%s--\r\n", boundary, boundary, boundary);
    assert_string_equal(body, want);
    /* a part's overhead is what makes ranges near: the head of the first part less its data */
    size_t overhead = strlen(want) - strlen(strstr(want + 2, "\r\n--")) - 2;
    done(&r);
    /* overlapping ranges: one */
    plan("GET /big.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=0-99,50-199\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 206);
    assert_true(has(&r, "Content-Range: bytes 0-199/4000\r\n"));
    assert_true(has(&r, "Content-Length: 200\r\n"));
    done(&r);
    /* a gap shorter than a part's head: one; as long as it: two parts */
    snprintf(text, sizeof(text), "GET /big.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=0-9,%zu-%zu\r\n\r\n",
             10 + overhead - 1, 10 + overhead + 5);
    plan(text, 1, &r);
    assert_int_equal(r.status, 206);
    assert_false(has(&r, "multipart"));
    done(&r);
    snprintf(text, sizeof(text), "GET /big.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=0-9,%zu-%zu\r\n\r\n",
             10 + overhead, 10 + overhead + 5);
    plan(text, 1, &r);
    assert_int_equal(r.status, 206);
    assert_true(has(&r, "multipart/byteranges"));
    done(&r);
    /* many small ranges out of order over one stretch: one part */
    plan("GET /big.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=40-41,30-31,20-21,10-11,0-1,50-51,5-6\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 206);
    assert_true(has(&r, "Content-Range: bytes 0-51/4000\r\n"));
    done(&r);
    /* more parts than HTTP_MAX_RANGES even so: the whole file */
    char *o = text + sprintf(text, "GET /big.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=");
    for (int i = 0; i <= HTTP_MAX_RANGES; i++)
        o += sprintf(o, "%s%d-%d", i ? "," : "", i * 200, i * 200);
    sprintf(o, "\r\n\r\n");
    plan(text, 1, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.file_len, 4000);
    done(&r);
    /* none satisfiable: 416 with bytes * / length, the connection kept */
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=12-\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 416);
    assert_true(has(&r, "Content-Range: bytes */12\r\n"));
    assert_false(r.close);
    /* invalid: ignored (200 with everything); HEAD ignores Range */
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=5-1\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    assert_true(has(&r, "Accept-Ranges: bytes\r\n"));
    done(&r);
    plan("HEAD /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    done(&r);
    /* If-Range: the range only while the validator still matches (strongly) */
    snprintf(text, sizeof(text), "GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\nIf-Range: %s\r\n\r\n", tag);
    plan(text, 1, &r);
    assert_int_equal(r.status, 206);
    done(&r);
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\nIf-Range: \"old\"\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.file_len, 12);
    done(&r);
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\nIf-Range: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 206);
    done(&r);
    /* an empty file has no range to name: sent whole (empty), 200 */
    plan("GET /zero.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=-5\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    assert_true(has(&r, "Content-Length: 0\r\n"));
    done(&r);
    /* Range and If-Range are single values: two lines of either are no valid one, and the whole
     * representation is sent (RFC 9110 5.3, 14.2, 13.1.5) */
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\nRange: bytes=2-3\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.file_len, 12);
    done(&r);
    snprintf(text, sizeof(text), "GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\nIf-Range: %s\r\nIf-Range: %s\r\n\r\n",
             tag, tag);
    plan(text, 1, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.file_len, 12);
    done(&r);
    /* a precondition that fails comes before any range */
    plan("GET /index.html HTTP/1.1\r\nHost: a\r\nRange: bytes=12-\r\nIf-Match: \"x\"\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 412);
}

/* RFC 9110 9.3.7: OPTIONS * is about the server: 200, Allow, no body, the connection goes on. */
static void options(void **state)
{
    struct http_reply r;
    plan("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    assert_true(has(&r, "Allow: GET, HEAD, OPTIONS\r\n"));
    assert_true(has(&r, "Content-Length: 0\r\n"));
    assert_false(r.close);
    assert_int_equal(r.npieces, 0);
    plan("OPTIONS /index.html HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 200);
    assert_true(has(&r, "Allow: "));
    assert_null(r.file);
    /* a path that names no resource: what a GET of it gets, no Allow */
    plan("OPTIONS /missing HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 404);
    assert_false(has(&r, "Allow: "));
    assert_false(r.close);
    plan("OPTIONS /../secret.txt HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 400);
    plan("OPTIONS /dir HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 301);
    plan("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 1, &r);
    assert_int_equal(r.status, 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_file),
        cmocka_unit_test(dynamic_page),    cmocka_unit_test(dynamic_prefix),    cmocka_unit_test(head_and_conditional), cmocka_unit_test(directories),
        cmocka_unit_test(no_escape),   cmocka_unit_test(dot_segments),   cmocka_unit_test(persistence),          cmocka_unit_test(methods_and_errors),
        cmocka_unit_test(conditions),  cmocka_unit_test(range_requests),         cmocka_unit_test(options),
        cmocka_unit_test(expectations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
