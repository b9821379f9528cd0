/* Sim tier: the HTTP server's access log (apps/http/http_log.c), two stacks over a simulated link
 * in virtual time. Each response is one Common Log Format line, byte for byte what printf and
 * strftime write from the same facts: the client's address, the date of the response (the stack's
 * time plus wall_offset), the request line with what a terminal could trip on escaped, the status
 * and the body's bytes ("-" for none); lines are written in batches, at the latest a second after
 * the first one waits. And `--http-log`'s argument: "off" is no log at all, "-" standard error, a
 * path a file appended to. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../apps/http/http_server.h"
#include "sim/lib_tcpsim.h"

static char root[128];

static int setup(void **state)
{
    snprintf(root, sizeof(root), "/tmp/synack-sim-http-log.XXXXXX");
    if (!mkdtemp(root))
        return -1;
    char p[256];
    snprintf(p, sizeof(p), "%s/a.txt", root);
    FILE *f = fopen(p, "w");
    if (!f)
        return -1;
    fputs("hello, log\n", f);   /* 11 bytes */
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

struct raw {
    int sock;
    char buf[8192];
    size_t len;
    int eof;
};

static void raw_handler(synack_stack_t *st, int sock, unsigned ev, void *arg, synack_time_t now)
{
    struct raw *r = arg;
    for (;;) {
        int n = synack_recv(st, sock, r->buf + r->len, sizeof(r->buf) - r->len, now);
        if (n > 0) {
            r->len += (size_t)n;
            continue;
        }
        if (n == 0)
            r->eof = 1;
        return;
    }
}

/* One connection, one request, until the server closes or a second passes. */
static void ask(struct tcpsim *t, const char *text)
{
    synack_stack_t *st = t->st[0];
    struct raw r = { 0 };
    r.sock = synack_socket(st, SYNACK_SOCK_STREAM);
    synack_socket_set_handler(st, r.sock, raw_handler, &r);
    struct synack_sockaddr peer = synack_sockaddr_from_v4(SIM_B, 80);
    assert_int_equal(synack_connect(st, r.sock, &peer, tcpsim_now(t)), -EINPROGRESS);
    synack_simnet_run_until(t->net, tcpsim_now(t) + SYNACK_MS(20));
    assert_int_equal(synack_send(st, r.sock, text, strlen(text), tcpsim_now(t)), (int)strlen(text));
    synack_simnet_run_until(t->net, tcpsim_now(t) + SYNACK_MS(300));
    assert_true(r.len > 0);
    synack_close(st, r.sock, tcpsim_now(t));
    synack_simnet_run_until(t->net, tcpsim_now(t) + SYNACK_MS(50));
}

#define WALL 1700000000LL   /* the wall clock at the stack's time 0, in seconds */

/* The line printf writes for a response, dated the second `sec`. */
static void ref_line(char *out, size_t cap, int64_t sec, const char *req, int status, const char *bytes)
{
    time_t tt = (time_t)sec;
    struct tm tm;
    gmtime_r(&tt, &tm);
    char date[64];
    strftime(date, sizeof(date), "%d/%b/%Y:%H:%M:%S +0000", &tm);
    char esc[256];
    size_t o = 0;
    for (const char *p = req; *p && *p != '\r' && *p != '\n' && o + 4 < 200; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
            o += (size_t)snprintf(esc + o, 5, "\\x%02x", ch);
        else
            esc[o++] = (char)ch;
    }
    esc[o] = 0;
    snprintf(out, cap, "192.0.2.1 - - [%s] \"%s\" %d %s\n", date, esc, status, bytes);
}

static void lines_as_printf_writes_them(void **state)
{
    char *logbuf = NULL;
    size_t loglen = 0;
    FILE *log = open_memstream(&logbuf, &loglen);
    assert_non_null(log);
    struct tcpsim t;
    tcpsim_init(&t, NULL, 7);
    struct http_server_config sc;
    http_server_config_init(&sc);
    sc.root = root;
    sc.access_log = log;
    sc.wall_offset = WALL * 1000000;
    char err[128];
    struct http_server *srv = http_server_start(t.st[1], &sc, tcpsim_now(&t), err, sizeof(err));
    assert_non_null(srv);
    char page404[64];
    static const struct {
        const char *text;
        int status;
        const char *bytes;   /* NULL: the 404 page's length */
    } reqs[] = {
        { "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", 200, "11" },
        { "HEAD /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", 200, "-" },
        { "GET /missing?q=\"1\" HTTP/1.1\r\nHost: x\r\n\r\n", 404, NULL },
        { "GET /a\\b\x7f\x01.txt HTTP/1.1\r\nHost: x\r\n\r\n", 400, NULL },
    };
    size_t n = sizeof(reqs) / sizeof(reqs[0]);
    int64_t sec0 = WALL + (int64_t)(tcpsim_now(&t) / 1000000);
    for (size_t i = 0; i < n; i++) {
        ask(&t, reqs[i].text);
        if (i == 0) {
            /* batched: nothing is written until a second after the first line */
            fflush(log);
            assert_int_equal(loglen, 0);
        }
    }
    int64_t sec1 = WALL + (int64_t)(tcpsim_now(&t) / 1000000);
    synack_simnet_run_until(t.net, tcpsim_now(&t) + SYNACK_MS(1100));
    fflush(log);
    assert_true(loglen > 0);
    /* line by line, each against the reference for any second the run spanned */
    const char *p = logbuf;
    for (size_t i = 0; i < n; i++) {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        size_t len = (size_t)(nl + 1 - p);
        const char *bytes = reqs[i].bytes;
        if (!bytes) {
            /* an error page: its length is the body's, whatever its text */
            const char *sp = nl;
            while (sp > p && sp[-1] != ' ')
                sp--;
            snprintf(page404, sizeof(page404), "%.*s", (int)(nl - sp), sp);
            assert_true(atoi(page404) > 0);
            bytes = page404;
        }
        int ok = 0;
        for (int64_t sec = sec0; sec <= sec1 && !ok; sec++) {
            char want[1024];
            ref_line(want, sizeof(want), sec, reqs[i].text, reqs[i].status, bytes);
            ok = strlen(want) == len && !memcmp(want, p, len);
            if (!ok && sec == sec1)
                fail_msg("line %zu:\n got  %.*s want %s", i, (int)len, p, want);
        }
        p = nl + 1;
    }
    assert_int_equal(*p, 0);
    http_server_stop(srv, tcpsim_now(&t));
    tcpsim_free(&t);
    fclose(log);
    free(logbuf);
}

/* With no log the server serves the same and writes nothing anywhere. */
static void no_log(void **state)
{
    struct tcpsim t;
    tcpsim_init(&t, NULL, 8);
    struct http_server_config sc;
    http_server_config_init(&sc);
    sc.root = root;
    FILE *off;
    assert_int_equal(http_access_log_open("off", &off), 0);
    assert_null(off);
    sc.access_log = off;
    char err[128];
    struct http_server *srv = http_server_start(t.st[1], &sc, tcpsim_now(&t), err, sizeof(err));
    assert_non_null(srv);
    ask(&t, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
    struct http_server_stats st;
    http_server_get_stats(srv, &st);
    assert_int_equal(st.responses_2xx, 1);
    http_server_stop(srv, tcpsim_now(&t));
    tcpsim_free(&t);
}

static void log_argument(void **state)
{
    FILE *f = (FILE *)1;
    assert_int_equal(http_access_log_open("off", &f), 0);
    assert_null(f);
    http_access_log_close(f);
    assert_int_equal(http_access_log_open("-", &f), 0);
    assert_ptr_equal(f, stderr);
    http_access_log_close(f);   /* standard error stays open */
    assert_int_equal(http_access_log_open(NULL, &f), 0);
    assert_ptr_equal(f, stderr);
    /* a path: appended to, never truncated */
    char p[256];
    snprintf(p, sizeof(p), "%s/access.log", root);
    FILE *w = fopen(p, "w");
    fputs("earlier\n", w);
    fclose(w);
    assert_int_equal(http_access_log_open(p, &f), 0);
    assert_non_null(f);
    assert_true(f != stderr);
    fputs("later\n", f);
    http_access_log_close(f);
    char got[64] = { 0 };
    w = fopen(p, "r");
    assert_int_equal(fread(got, 1, sizeof(got) - 1, w), 14);
    fclose(w);
    assert_string_equal(got, "earlier\nlater\n");
    /* a file named "off" is still a file when given as a path */
    snprintf(p, sizeof(p), "%s/off", root);
    assert_int_equal(http_access_log_open(p, &f), 0);
    assert_non_null(f);
    http_access_log_close(f);
    assert_int_equal(access(p, F_OK), 0);
    snprintf(p, sizeof(p), "%s/no/such/dir/log", root);
    assert_int_equal(http_access_log_open(p, &f), -ENOENT);
    assert_null(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_as_printf_writes_them),
        cmocka_unit_test(no_log),
        cmocka_unit_test(log_argument),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
