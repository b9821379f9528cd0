/* `synack get -w` (tools/writeout.c): curl's --write-out variables, escapes, %header{}, stream
 * switches, unknown variables, and the head-field lookup. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../tools/writeout.c"

static const char HEAD[] = "HTTP/1.1 301 Moved Permanently\r\nServer: nginx\r\nContent-Type:  text/html \r\n"
                           "Location: http://web.test/x\r\nX-Empty:\r\n\r\n";

static void expand(const char *fmt, const struct writeout_vars *v, char *out, size_t cap, char *err, size_t ecap)
{
    memset(out, 0, cap);
    memset(err, 0, ecap);
    FILE *o = fmemopen(out, cap - 1, "w"), *e = fmemopen(err, ecap - 1, "w");
    assert_non_null(o);
    assert_non_null(e);
    writeout(o, e, fmt, v);
    fclose(o);
    fclose(e);
}

static struct writeout_vars sample(void)
{
    struct writeout_vars v = { .http_code = 301, .time_namelookup = 0.0012345, .time_connect = 0.5, .time_total = 2,
                               .num_connects = 1, .num_redirects = 0, .size_download = 169, .size_header = 100,
                               .url_effective = "http://web.test/r1", .remote_ip = "192.0.2.1", .remote_port = 80,
                               .exitcode = 0, .errormsg = "", .method = "GET", .head = HEAD, .head_len = sizeof(HEAD) - 1 };
    return v;
}

static void test_variables(void **state)
{
    (void)state;
    char out[512], err[256];
    struct writeout_vars v = sample();
    expand("%{http_code} %{time_namelookup} %{time_connect} %{num_connects} %{size_download} %{url_effective} "
           "%{remote_ip}:%{remote_port} %{content_type} %{redirect_url} %{http_version} %{speed_download}\\n",
           &v, out, sizeof(out), err, sizeof(err));
    assert_string_equal(out, "301 0.001234 0.500000 1 169 http://web.test/r1 192.0.2.1:80 text/html "
                             "http://web.test/x 1.1 84\n");
    assert_string_equal(err, "");
    v.http_code = 0;
    expand("%{http_code}|%{response_code}", &v, out, sizeof(out), err, sizeof(err));
    assert_string_equal(out, "000|000");
}

static void test_escapes_and_streams(void **state)
{
    (void)state;
    char out[512], err[256];
    struct writeout_vars v = sample();
    expand("a\\tb\\\\c\\qd 100%% %x %{stderr}E%{http_code}%{stdout}O\\r\\n", &v, out, sizeof(out), err, sizeof(err));
    assert_string_equal(out, "a\tb\\c\\qd 100% %x O\r\n");
    assert_string_equal(err, "E301");
    expand("x %{http_code", &v, out, sizeof(out), err, sizeof(err));   /* unterminated: kept as it is */
    assert_string_equal(out, "x %{http_code");
    expand("[%{nosuch}]", &v, out, sizeof(out), err, sizeof(err));
    assert_string_equal(out, "[]");
    assert_string_equal(err, "synack get: unknown --write-out variable: 'nosuch'\n");
}

static void test_header(void **state)
{
    (void)state;
    char out[512], err[256], b[64];
    struct writeout_vars v = sample();
    expand("%header{server}|%header{CONTENT-TYPE}|%header{x-empty}|%header{missing}|", &v, out, sizeof(out), err,
           sizeof(err));
    assert_string_equal(out, "nginx|text/html|||");
    assert_int_equal(writeout_header(HEAD, sizeof(HEAD) - 1, "location", b, sizeof(b)), 0);
    assert_string_equal(b, "http://web.test/x");
    assert_int_equal(writeout_header(HEAD, sizeof(HEAD) - 1, "HTTP/1.1 301 Moved Permanently", b, sizeof(b)), -1);
    assert_int_equal(writeout_header(HEAD, sizeof(HEAD) - 1, "serve", b, sizeof(b)), -1);
    assert_int_equal(writeout_header(NULL, 0, "server", b, sizeof(b)), -1);
    assert_int_equal(writeout_header(HEAD, sizeof(HEAD) - 1, "location", b, 8), 0);   /* cut to fit */
    assert_string_equal(b, "http://");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variables),
        cmocka_unit_test(test_escapes_and_streams),
        cmocka_unit_test(test_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
