/* `synack demo` (tools/demo.c, compiled in): the IPv6 demo draws the same connection as the IPv4
 * one. Its output must list each side's duplicate address detection (neighbor solicitations from
 * :: for the link-local and the static address) before the ladder; in the ladder the Neighbor
 * Discovery exchange (NS for 2001:db8::2, NA back) comes before the SYN, and the endpoints are the
 * IPv6 addresses; and its TCP rows carry the same flags, states and marks as the IPv4 run's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tools/demo.c"
#include "../../tools/ladder.c"
#include "../../tools/numarg.c"
#include "../../tools/opterr.c"

int cmd_demo_ping(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 99;
}

int cmd_demo_preset(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 98;
}

/* Runs the demo with the given options; returns what it printed (malloc'd) and its exit code. */
static char *run_demo(int extra, char **args, int *rc)
{
    char path[] = "/tmp/synack_demo_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stdout);
    int saved = dup(1);
    dup2(fd, 1);
    char *argv[8] = { "demo" };
    for (int i = 0; i < extra; i++)
        argv[1 + i] = args[i];
    optind = 1;
    *rc = cmd_demo(1 + extra, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    FILE *f = fdopen(fd, "r");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *out = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(out, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    unlink(path);
    return out;
}

/* The ladder's segment rows reduced to what both families share: the flags, the states drawn and
 * the marks, one line each (addresses, times, lengths and windows differ between families). */
static void tcp_rows(const char *out, char *buf, size_t cap)
{
    static const char *const words[] = { "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
                                         "CLOSE-WAIT", "LAST-ACK", "TIME-WAIT", "CLOSED", "LOST",
                                         "retransmission", "dup ack #1" };
    size_t n = 0;
    buf[0] = 0;
    for (const char *l = out; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) : strlen(l);
        char line[512];
        snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1), l);
        const char *seq = strstr(line, " seq ");
        if (!seq)
            continue;
        const char *fl = seq;
        while (fl > line && fl[-1] != ' ' && fl[-1] != '-' && fl[-1] != '\x80')
            fl--;
        n += (size_t)snprintf(buf + n, cap - n, "%.*s", (int)(seq - fl), fl);
        for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++)
            if (strstr(line, words[w]))
                n += (size_t)snprintf(buf + n, cap - n, " %s", words[w]);
        n += (size_t)snprintf(buf + n, cap - n, "\n");
        assert_true(n < cap);
    }
}

static void test_demo_ipv6(void **state)
{
    (void)state;
    int rc4, rc6;
    char *out4 = run_demo(0, NULL, &rc4);
    char *six[] = { "--ipv6" };
    char *out6 = run_demo(1, six, &rc6);
    assert_int_equal(rc4, 0);
    assert_int_equal(rc6, 0);

    /* DAD for both addresses of both sides, listed before the ladder. */
    const char *ladder = strstr(out6, "time (s)");
    assert_non_null(ladder);
    const char *dad[] = { "A  IP6 :: > ff02::1:ff00:1: ICMP6, neighbor solicitation, who has 2001:db8::1",
                          "A  IP6 :: > ff02::1:ff00:1: ICMP6, neighbor solicitation, who has fe80::ff:fe00:1",
                          "B  IP6 :: > ff02::1:ff00:2: ICMP6, neighbor solicitation, who has 2001:db8::2" };
    for (size_t i = 0; i < 3; i++) {
        const char *p = strstr(out6, dad[i]);
        if (!p || p > ladder)
            fail_msg("no '%s' before the ladder:\n%s", dad[i], out6);
    }
    /* The ladder's ends, and ND before the SYN. */
    assert_non_null(strstr(ladder, "A 2001:db8::1 (client)"));
    assert_non_null(strstr(ladder, "B [2001:db8::2]:7 (echo server)"));
    assert_non_null(strstr(out6, "A 2001:db8::1 -> B [2001:db8::2]:7"));
    const char *ns = strstr(ladder, "A: ICMP6, neighbor solicitation, who has 2001:db8::2");
    const char *na = strstr(ladder, "B: ICMP6, neighbor advertisement, tgt is 2001:db8::2");
    const char *syn = strstr(ladder, "S seq 0");
    assert_non_null(ns);
    assert_non_null(na);
    assert_non_null(syn);
    assert_true(ns < na && na < syn);
    assert_null(strstr(out4, "ICMP6"));   /* an IPv4-only run sends nothing of IPv6 */

    /* The same connection: flags, states and marks row by row. */
    static char r4[8192], r6[8192];
    tcp_rows(out4, r4, sizeof(r4));
    tcp_rows(out6, r6, sizeof(r6));
    assert_non_null(strstr(r4, "S SYN-SENT SYN-RECEIVED"));
    assert_non_null(strstr(r4, "retransmission"));
    assert_non_null(strstr(r4, "TIME-WAIT"));
    assert_string_equal(r6, r4);
    free(out4);
    free(out6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demo_ipv6),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
