/* Unit tests of TCP's named state sets (src/tcp/tcp_state.h). Each predicate is checked over all
 * eleven states against the list RFC 9293 writes out for it, matched by the RFC's state names
 * (synack_tcp_state_name), so neither the test nor the code depends on the enum's order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tcp/tcp_state.h"

/* The eleven states of RFC 9293 3.3.2 ("LISTEN, SYN-SENT, ..., TIME-WAIT, and the fictional state
 * CLOSED"), by the enum names the public header gives them. */
static const int all_states[] = { SYNACK_TCP_CLOSED,      SYNACK_TCP_LISTEN,     SYNACK_TCP_SYN_SENT,
                                  SYNACK_TCP_SYN_RECEIVED, SYNACK_TCP_ESTABLISHED, SYNACK_TCP_FIN_WAIT_1,
                                  SYNACK_TCP_FIN_WAIT_2,  SYNACK_TCP_CLOSE_WAIT, SYNACK_TCP_CLOSING,
                                  SYNACK_TCP_LAST_ACK,    SYNACK_TCP_TIME_WAIT };
#define NSTATES (sizeof(all_states) / sizeof(all_states[0]))

/* Is the state named in `list`, a comma-separated list as the RFC prints it? */
static int in_rfc_list(int state, const char *list)
{
    const char *name = synack_tcp_state_name(state);
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ",");
        if (len == n && !strncmp(p, name, n))
            return 1;
        p += len;
    }
    return 0;
}

static void check(int (*pred)(int), const char *list, size_t expect_members)
{
    size_t members = 0;
    for (size_t i = 0; i < NSTATES; i++) {
        int want = in_rfc_list(all_states[i], list);
        int got = pred(all_states[i]) != 0;
        if (want != got)
            fail_msg("%s: predicate says %d, RFC list \"%s\" says %d", synack_tcp_state_name(all_states[i]), got,
                     list, want);
        members += (size_t)want;
    }
    assert_int_equal(members, expect_members);   /* every name in the list matched a state */
}

static void test_names_distinct(void **state)
{
    (void)state;
    for (size_t i = 0; i < NSTATES; i++) {
        assert_string_not_equal(synack_tcp_state_name(all_states[i]), "?");
        for (size_t j = i + 1; j < NSTATES; j++)
            assert_string_not_equal(synack_tcp_state_name(all_states[i]), synack_tcp_state_name(all_states[j]));
    }
}

static void test_synchronized(void **state)
{
    (void)state;
    /* RFC 9293 3.5.2, item 3 */
    check(tcp_state_synchronized, "ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT", 7);
    /* and item 2 names the rest but CLOSED as the non-synchronized states */
    for (size_t i = 0; i < NSTATES; i++)
        if (in_rfc_list(all_states[i], "LISTEN, SYN-SENT, SYN-RECEIVED"))
            assert_false(tcp_state_synchronized(all_states[i]));
}

static void test_fin_seen(void **state)
{
    (void)state;
    /* RFC 9293 3.10.7.4, sixth and seventh: "a FIN has been received from the remote side" */
    check(tcp_state_fin_seen, "CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT", 4);
}

static void test_rcv_text(void **state)
{
    (void)state;
    /* RFC 9293 3.10.7.4, seventh: "process the segment text" */
    check(tcp_state_rcv_text, "ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2", 3);
}

static void test_may_send(void **state)
{
    (void)state;
    /* RFC 9293 3.10.2 SEND: "Segmentize the buffer and send it" */
    check(tcp_state_may_send, "ESTABLISHED, CLOSE-WAIT", 2);
}

static void test_may_transmit(void **state)
{
    (void)state;
    /* SEND's states, and those where a queued CLOSE waits for our FIN's ACK (RFC 9293 3.10.4) */
    check(tcp_state_may_transmit, "ESTABLISHED, CLOSE-WAIT, FIN-WAIT-1, CLOSING, LAST-ACK", 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_distinct), cmocka_unit_test(test_synchronized), cmocka_unit_test(test_fin_seen),
        cmocka_unit_test(test_rcv_text),       cmocka_unit_test(test_may_send),     cmocka_unit_test(test_may_transmit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
