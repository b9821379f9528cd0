/* ICMP errors about our TCP segments (RFC 1122 4.2.3.9, RFC 1191, RFC 5927 guidance), and ARP's
 * failure to resolve the next hop of one (net_err.local).
 * The quoted TCP header must name a connection and a sequence number we have in flight, or the
 * message is ignored (a blind attacker cannot guess one). "Fragmentation needed" lowers the MSS
 * and resends; protocol/port unreachable abort a connection still opening; the rest are soft. */
#include "base/errno.h"

#include "core/ctx.h"
#include "tcp/tcp.h"
#include "tcp/tcp_int.h"
#include "tcp/tcp_state.h"
#include "wire/bytes.h"

int tcp_net_error(synack_stack_t *st, const struct net_err *e, synack_time_t now)
{
    if (e->len < 8)
        return 0;
    uint16_t sport = wire_get16(e->hdr), dport = wire_get16(e->hdr + 2);
    uint32_t seq = wire_get32(e->hdr + 4);
    struct tcp_end l = { e->src, sport }, r = { e->dst, dport };
    struct tcp_conn *c = tcp_lookup(st, &l, &r);
    if (!c)
        return 0;
    if (!seq_in(seq, c->snd_una, c->snd_max + 1))
        return 0;   /* not ours in flight: forged or stale, and no path MTU of ours changes */
    if (e->kind == NET_ERR_PKT_TOO_BIG) {
        /* RFC 1191 4: the new path MTU is in the message; never below the family's minimum (68,
         * RFC 791). */
        const struct net_family *nf = net_family_for(&c->remote.ip);
        unsigned hdrs = nf->hdr_len + TCP_HDR_MIN;   /* without options */
        if (e->mtu < nf->min_mtu || e->mtu >= c->mss_snd + hdrs)
            return 1;
        uint32_t mss = e->mtu - hdrs;
        if (mss < TCP_MIN_MSS)
            mss = TCP_MIN_MSS;
        c->mss_snd = (uint16_t)mss;
        if (tcp_state_synchronized(c->state)) {
            c->snd_nxt = c->snd_una;   /* resend what was too big, in the new size */
            tcp_output(c, now);
        }
        return 1;
    }
    int hard = e->kind == NET_ERR_PROTO_UNREACH || e->kind == NET_ERR_PORT_UNREACH;
    if (hard && (c->state == SYNACK_TCP_SYN_SENT || c->state == SYNACK_TCP_SYN_RECEIVED)) {
        stack_count(st, SYNACK_C_TcpAttemptFails);
        tcp_conn_fail(c, -ECONNREFUSED, "ICMP unreachable");
        return 1;
    }
    /* Our own next hop never answered ARP: a connection still opening fails at once with
     * EHOSTUNREACH, as in Linux, rather than after every SYN retry (an answer from a host we
     * cannot reach could never come). An ICMP host unreachable from the network stays soft. */
    if (e->local && c->state == SYNACK_TCP_SYN_SENT) {
        stack_count(st, SYNACK_C_TcpAttemptFails);
        tcp_conn_fail(c, -EHOSTUNREACH, "next hop unreachable (ARP)");
    }
    /* Soft errors: RFC 9293 3.9.2.2 (MUST-56, RFC 1122 4.2.3.9): destination unreachable codes
     * 0, 1 and 5, time exceeded and parameter problem MUST NOT abort the connection; the
     * retransmission timer decides. "SHOULD make the information available to the application"
     * (SHLD-25): kept, and reported instead of ETIMEDOUT if the connection times out before an
     * ACK of new data clears it (as Linux's soft error). Protocol and port unreachable on a
     * synchronized connection are kept the same way (RFC 5461: not aborting on them, as Linux). */
    c->soft_err = (uint8_t)(e->kind == NET_ERR_PORT_UNREACH    ? ECONNREFUSED
                            : e->kind == NET_ERR_PROTO_UNREACH ? ENOPROTOOPT
                                                               : EHOSTUNREACH);
    return 1;
}
