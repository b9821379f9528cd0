/* Script tier runner: reads a packetdrill-like script and plays it against ONE synack stack with
 * virtual time. The stack is 192.0.2.1/24 on a raw-IP interface; the script plays the peer,
 * 192.0.2.2, injecting segments (`<` lines), expecting the stack's segments at exact virtual times
 * (`>` lines), making socket calls and checking counters and connection states.
 *
 * The full syntax is described in tests/script/README.md. In short:
 *
 *   // comment (also '#' at the start of a line)
 *   config tcp_msl=1 tcp_syncookies=-1        // before the first event; times in seconds
 *   0      socket() = 3                        // absolute time in seconds
 *   +0     bind(3, 8080) = 0                   // relative to the previous line's time
 *   +0     listen(3, 1) = 0
 *   +0.1   < S 0:0(0) win 65535 <mss 1460,wscale 7>
 *   +0     > S. 0:0(0) ack 1 win 65535 <mss 1460,wscale 3>
 *   +0~+0.2 > . 1:1(0) ack 1                   // emitted at some time in a range
 *   counter TcpPassiveOpens = 1                // lines without a time happen at +0
 *
 * Sequence numbers in `<` lines are relative to the peer's ISN (chosen by the script, default
 * 1000000), acknowledgement numbers relative to the stack's ISN (learned from the stack's SYN or
 * SYN-ACK on that connection); in `>` lines the other way round. */
#ifndef TESTS_SCRIPT_LIB_RUNNER_H
#define TESTS_SCRIPT_LIB_RUNNER_H

#include <stddef.h>

struct sr_options {
    int verbose;        /* print every event as it happens */
    int mutate_line;    /* > 0: perturb the check on this script line (runner self-test) */
    int explore;        /* packets no line expects are logged and discarded, not failures (writing
                           scripts: run with -x -v to see what the stack sends) */
    int ipv6;           /* play the script over IPv6: the stack is 2001:db8::1, the peer 2001:db8::2,
                           the interface's MTU 20 bytes larger so every MSS stays as written */
};

/* Runs the script at `path`. Returns 0 when every expectation held, -1 otherwise; *msg (malloc'd,
 * the caller frees it) then says which line failed and why, followed by the log of the run.
 * Returns 1 (with *msg NULL) when mutate_line names a line that has nothing to perturb. */
int sr_run_file(const char *path, const struct sr_options *opts, char **msg);

/* The script's line numbers that hold a check (`>`, `= value`, counter, state, tcp_info), for the
 * mutation self-test. Returns how many were written to lines (at most cap). */
int sr_check_lines(const char *path, int *lines, int cap);

#endif
