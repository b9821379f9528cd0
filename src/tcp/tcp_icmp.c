/* ICMP errors about our TCP segments (RFC 1122 4.2.3.9, RFC 1191, RFC 5927 guidance).
 * The quoted TCP header must name a connection and a sequence number we have in flight, or the
 * message is ignored (a blind attacker cannot guess one). "Fragmentation needed" lowers the MSS
 * and resends; protocol/port unreachable abort a connection still opening; the rest are soft. */
#include <errno.h>

#include "net/stack_impl.h"
#include "tcp/tcp.h"
#include "tcp/tcp_int.h"
#include "wire/bytes.h"
#include "wire/icmp.h"

void tcp_icmp_error(synack_stack_t *st, uint8_t type, uint8_t code, uint16_t mtu, const struct ip4_hdr *inner,
                    const uint8_t *hdr8, size_t len, synack_time_t now)
{
    if (len < 8)
        return;
    uint16_t sport = wire_get16(hdr8), dport = wire_get16(hdr8 + 2);
    uint32_t seq = wire_get32(hdr8 + 4);
    struct tcp_conn *c = tcp_lookup(st, inner->src, sport, inner->dst, dport);
    if (!c)
        return;
    if (!seq_in(seq, c->snd_una, c->snd_max + 1))
        return;
    if (type == ICMP_DEST_UNREACH && code == ICMP_UNREACH_FRAG_NEEDED) {
        /* RFC 1191 4: the new path MTU is in the message; never below 68 (RFC 791). */
        if (mtu < 68 || mtu >= c->mss_snd + 40u)
            return;
        uint32_t mss = mtu - 40u;
        if (mss < 88)
            mss = 88;
        c->mss_snd = (uint16_t)mss;
        if (c->state >= SYNACK_TCP_ESTABLISHED) {
            c->snd_nxt = c->snd_una;   /* resend what was too big, in the new size */
            tcp_output(c, now);
        }
        return;
    }
    int hard = type == ICMP_DEST_UNREACH && (code == ICMP_UNREACH_PROTO || code == ICMP_UNREACH_PORT);
    if (hard && (c->state == SYNACK_TCP_SYN_SENT || c->state == SYNACK_TCP_SYN_RECEIVED)) {
        stack_count(st, SYNACK_C_TcpAttemptFails);
        tcp_conn_fail(c, -ECONNREFUSED, "ICMP unreachable");
    }
    /* Soft errors: RFC 1122 4.2.3.9 says MUST NOT abort; the retransmission timer decides. */
}
