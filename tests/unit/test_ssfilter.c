/* `synack ss`'s filter (tools/ssfilter.c) on rows as the control socket writes them: ss(8)'s state
 * names and groups, exclude, -l's listening only, port comparisons, addresses of both families
 * with and without a port, `and`; and every malformed filter refused with a reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../tools/ssfilter.c"

#define ROW_LISTEN "LISTEN            0    128 *:80                  *:*                   cubic  "
#define ROW_LISTEN4 "LISTEN            0    128 0.0.0.0:7             0.0.0.0:*             cubic  "
#define ROW_EST "ESTABLISHED       0      0 192.0.2.2:9           192.0.2.1:55328       cubic  "
#define ROW_EST6 "ESTABLISHED       0     12 [2001:db8::2]:80 [2001:db8::1]:40000 cubic  "
#define ROW_TW "TIME-WAIT         0      0 192.0.2.2:80          192.0.2.1:1024        -      timer:(timewait,59.000s)"
#define ROW_SYNRECV "SYN-RECEIVED      0      0 192.0.2.2:80          198.51.100.7:5000     cubic  "

static const char *const rows[] = { ROW_LISTEN, ROW_LISTEN4, ROW_EST, ROW_EST6, ROW_TW, ROW_SYNRECV };
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* The words, split at spaces as a shell would, parsed; returns ssfilter_parse's result. */
static int parse_words(struct ssfilter *f, unsigned states, const char *words, char *err, size_t errlen)
{
    char buf[256], *argv[32];
    int argc = 0;
    strcpy(buf, words);
    for (char *w = strtok(buf, " "); w && argc < 32; w = strtok(NULL, " "))
        argv[argc++] = w;
    return ssfilter_parse(f, states, argc, argv, err, errlen);
}

/* Which rows the words pass, as a bit per row of rows[]. */
static unsigned pass(unsigned states, const char *words)
{
    char err[256] = "";
    struct ssfilter f;
    if (parse_words(&f, states, words, err, sizeof(err)) != 0)
        fail_msg("'%s' refused: %s", words, err);
    unsigned got = 0;
    for (unsigned k = 0; k < NROWS; k++) {
        int m = ssfilter_match(&f, rows[k]);
        assert_true(m >= 0);
        if (m)
            got |= 1u << k;
    }
    return got;
}

static void refused(const char *words, const char *why)
{
    char err[256] = "";
    struct ssfilter f;
    if (parse_words(&f, ~0u, words, err, sizeof(err)) == 0)
        fail_msg("'%s' taken", words);
    if (!strstr(err, why))
        fail_msg("'%s': '%s' does not say '%s'", words, err, why);
}

#define ALL (~0u)
#define R(k) (1u << (k))

static void states(void **state)
{
    (void)state;
    assert_int_equal(pass(ALL, ""), R(0) | R(1) | R(2) | R(3) | R(4) | R(5));
    assert_int_equal(pass(1u << SYNACK_TCP_LISTEN, ""), R(0) | R(1));   /* -l */
    assert_int_equal(pass(ALL, "state established"), R(2) | R(3));
    assert_int_equal(pass(ALL, "state ESTABLISHED"), R(2) | R(3));
    assert_int_equal(pass(ALL, "state time-wait state syn-recv"), R(4) | R(5));
    assert_int_equal(pass(ALL, "state listening"), R(0) | R(1));
    assert_int_equal(pass(ALL, "state connected"), R(2) | R(3) | R(4) | R(5));
    assert_int_equal(pass(ALL, "state synchronized"), R(2) | R(3) | R(4) | R(5));
    assert_int_equal(pass(ALL, "state bucket"), R(4) | R(5));
    assert_int_equal(pass(ALL, "state big"), R(0) | R(1) | R(2) | R(3));
    assert_int_equal(pass(ALL, "exclude listening"), R(2) | R(3) | R(4) | R(5));
    assert_int_equal(pass(ALL, "state all exclude time-wait"), R(0) | R(1) | R(2) | R(3) | R(5));
    /* a state word overrides -l's listening only, as in ss */
    assert_int_equal(pass(1u << SYNACK_TCP_LISTEN, "state established"), R(2) | R(3));
    assert_int_equal(ssfilter_row_state(ROW_TW), SYNACK_TCP_TIME_WAIT);
    assert_int_equal(ssfilter_row_state("State        Recv-Q Send-Q"), -1);
}

static void ports(void **state)
{
    (void)state;
    assert_int_equal(pass(ALL, "sport = :80"), R(0) | R(3) | R(4) | R(5));
    assert_int_equal(pass(ALL, "sport :80"), R(0) | R(3) | R(4) | R(5));
    assert_int_equal(pass(ALL, "sport == 80"), R(0) | R(3) | R(4) | R(5));
    assert_int_equal(pass(ALL, "sport != :80"), R(1) | R(2));
    assert_int_equal(pass(ALL, "dport > :1024"), R(2) | R(3) | R(5));
    assert_int_equal(pass(ALL, "dport >= :1024"), R(2) | R(3) | R(4) | R(5));
    assert_int_equal(pass(ALL, "dport lt :40000"), R(0) | R(1) | R(4) | R(5));
    assert_int_equal(pass(ALL, "dport le :40000"), R(0) | R(1) | R(3) | R(4) | R(5));
    assert_int_equal(pass(ALL, "dport = :0"), R(0) | R(1));   /* a listener's peer is *:* */
    assert_int_equal(pass(ALL, "sport = :80 and dport gt :1024"), R(3) | R(5));
    assert_int_equal(pass(ALL, "state established sport eq :9"), R(2));
}

static void addresses(void **state)
{
    (void)state;
    assert_int_equal(pass(ALL, "dst 192.0.2.1"), R(2) | R(4));
    assert_int_equal(pass(ALL, "dst 192.0.2.1:1024"), R(4));
    assert_int_equal(pass(ALL, "dst != 192.0.2.1"), R(0) | R(1) | R(3) | R(5));
    assert_int_equal(pass(ALL, "src 2001:db8::2"), R(3));
    assert_int_equal(pass(ALL, "src 2001:DB8:0::2"), R(3));   /* the address, not its text */
    assert_int_equal(pass(ALL, "src [2001:db8::2]:80"), R(3));
    assert_int_equal(pass(ALL, "src [2001:db8::2]:81"), 0);
    assert_int_equal(pass(ALL, "dst [2001:db8::1]"), R(3));
    assert_int_equal(pass(ALL, "src 0.0.0.0"), R(1));
    assert_int_equal(pass(ALL, "src ::"), R(0));   /* "*" is a socket on :: */
    assert_int_equal(pass(ALL, "src *:80"), R(0) | R(3) | R(4) | R(5));
    assert_int_equal(pass(ALL, "dst 198.51.100.7 and sport :80"), R(5));
}

static void malformed(void **state)
{
    (void)state;
    refused("state", "needs a state name");
    refused("state bogus", "not bogus");
    refused("exclude", "needs a state name");
    refused("sport", "needs a value");
    refused("sport =", "needs a value");
    refused("sport = x", "no port");
    refused("sport = :65536", "no port");
    refused("sport = :-1", "no port");
    refused("dport = :*", "no port");
    refused("src 192.0.2.300", "no IPv4 or IPv6 address");
    refused("src [2001:db8::1", "no address");
    refused("src 192.0.2.1:x", "no address");
    refused("src < 192.0.2.1", "= or != only");
    refused("sport = :1 or sport = :2", "only terms joined by 'and'");
    refused("( sport = :1 )", "only terms joined by 'and'");
    refused("frobnicate", "unknown filter word");
    refused("sport :1 sport :2 sport :3 sport :4 sport :5 sport :6 sport :7 sport :8 sport :9", "at most 8");
    /* what is no row is said so, not matched */
    struct ssfilter f;
    char err[64];
    assert_int_equal(ssfilter_parse(&f, ALL, 0, NULL, err, sizeof(err)), 0);
    assert_int_equal(ssfilter_match(&f, "# shard 1 did not answer"), -1);
    assert_int_equal(ssfilter_match(&f, "ESTABLISHED 0 0 nocolon 192.0.2.1:5"), -1);
    assert_int_equal(ssfilter_match(&f, ""), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(states),
        cmocka_unit_test(ports),
        cmocka_unit_test(addresses),
        cmocka_unit_test(malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
