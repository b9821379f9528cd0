/** @file
 * Counters: every packet received, sent or dropped is counted under a name like the kernel's MIBs
 * (InReceives, InHdrErrors, OutRsts, ListenOverflows, ...). One table, X-macro style, so names,
 * enum values and descriptions cannot drift apart. A drop is always counted with a reason, and the
 * same counter names the reason in the SYNACK_TR_DROP trace event. Counters are per stack, 64-bit,
 * and never reset. */
#ifndef SYNACK_COUNTERS_H
#define SYNACK_COUNTERS_H

#include "synack/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The table of counters: one X(name, description) per counter, in enum order. A program can expand
 * it with its own X to build tables of its own; synack uses it for enum synack_counter,
 * synack_counter_name() and synack_counter_desc(). */
#define SYNACK_COUNTER_LIST(X) \
    X(EthInFrames,          "Ethernet frames received") \
    X(EthInErrors,          "Ethernet frames dropped: too short") \
    X(EthInUnknownType,     "Ethernet frames dropped: unknown EtherType") \
    X(EthInNotForUs,        "Ethernet frames dropped: destination MAC not ours") \
    X(EthOutFrames,         "Ethernet frames sent") \
    X(LinkOutErrors,        "frames the link refused to transmit") \
    X(ArpInPackets,         "ARP packets received") \
    X(ArpInErrors,          "ARP packets dropped: malformed or unsupported") \
    X(ArpInNotForUs,        "ARP requests for an address not ours (learned from, not answered)") \
    X(ArpOutRequests,       "ARP requests sent") \
    X(ArpOutReplies,        "ARP replies sent") \
    X(ArpQueueDrops,        "packets dropped: the queue waiting for ARP resolution was full") \
    X(ArpResolveFailed,     "packets dropped: ARP resolution gave up") \
    X(ArpCacheFull,         "ARP entries not created: the cache was full") \
    X(InReceives,           "IPv4 datagrams received") \
    X(InHdrErrors,          "IPv4 datagrams dropped: bad header (version, IHL, length, checksum, TTL)") \
    X(InAddrErrors,         "IPv4 datagrams dropped: destination not ours") \
    X(InUnknownProtos,      "IPv4 datagrams dropped: unknown protocol") \
    X(InDelivers,           "IPv4 datagrams delivered to ICMP/UDP/TCP") \
    X(InTruncatedPkts,      "IPv4 datagrams dropped: shorter than total length") \
    X(OutRequests,          "IPv4 datagrams sent by the transport layers") \
    X(OutNoRoutes,          "IPv4 datagrams dropped: no route") \
    X(OutDiscards,          "IPv4 datagrams dropped on output: no buffer or too big with DF") \
    X(ReasmReqds,           "IPv4 fragments received") \
    X(ReasmOKs,             "IPv4 datagrams reassembled") \
    X(ReasmFails,           "IPv4 reassembly failures (timeout, overlap, too big, memory)") \
    X(ReasmOverlaps,        "IPv4 fragments dropped: overlap with data already held") \
    X(ReasmDuplicates,      "IPv4 fragments dropped: exact duplicates") \
    X(ReasmTimeout,         "IPv4 reassemblies abandoned after the timeout") \
    X(ReasmMemDrops,        "IPv4 fragments dropped: reassembly memory limit") \
    X(FragOKs,              "IPv4 datagrams fragmented on output") \
    X(FragCreates,          "IPv4 fragments created") \
    X(FragFails,            "IPv4 datagrams not fragmented: DF set") \
    X(IcmpInMsgs,           "ICMP messages received") \
    X(IcmpInErrors,         "ICMP messages dropped: bad checksum or length") \
    X(IcmpInEchos,          "ICMP echo requests received") \
    X(IcmpInEchoReps,       "ICMP echo replies received") \
    X(IcmpInDestUnreachs,   "ICMP destination unreachable received") \
    X(IcmpInTimeExcds,      "ICMP time exceeded received") \
    X(IcmpOutMsgs,          "ICMP messages sent") \
    X(IcmpOutEchoReps,      "ICMP echo replies sent") \
    X(IcmpOutEchos,         "ICMP echo requests sent") \
    X(IcmpOutDestUnreachs,  "ICMP destination unreachable sent") \
    X(IcmpOutRateLimited,   "ICMP errors not sent: rate limit") \
    X(Ip6InReceives,        "IPv6 packets received") \
    X(Ip6InHdrErrors,       "IPv6 packets dropped: bad header or extension header, hop limit") \
    X(Ip6InAddrErrors,      "IPv6 packets dropped: destination not ours, bad source") \
    X(Ip6InUnknownProtos,   "IPv6 packets dropped: unknown next header") \
    X(Ip6InTruncatedPkts,   "IPv6 packets dropped: shorter than the payload length") \
    X(Ip6InDelivers,        "IPv6 packets delivered to ICMPv6/UDP/TCP") \
    X(Ip6OutRequests,       "IPv6 packets sent by the upper layers") \
    X(Ip6OutNoRoutes,       "IPv6 packets dropped: no route or no source address") \
    X(Ip6ReasmReqds,        "IPv6 fragments received") \
    X(Ip6ReasmOKs,          "IPv6 packets reassembled") \
    X(Ip6ReasmFails,        "IPv6 reassembly failures (timeout, overlap, bad length, memory)") \
    X(Ip6ReasmOverlaps,     "IPv6 fragmented packets dropped whole for an overlap (RFC 5722)") \
    X(Ip6ReasmTimeout,      "IPv6 reassemblies abandoned after the timeout") \
    X(Ip6AtomicFrags,       "IPv6 atomic fragments received (RFC 6946: processed alone)") \
    X(Ip6FragOKs,           "IPv6 packets fragmented") \
    X(Ip6FragCreates,       "IPv6 fragments created") \
    X(Ip6FragFails,         "IPv6 packets not fragmented: too big and not fragmentable") \
    X(Ip6DadDuplicates,     "IPv6 addresses found duplicate by DAD, or defended") \
    X(Icmp6InMsgs,          "ICMPv6 messages received") \
    X(Icmp6InErrors,        "ICMPv6 messages dropped: bad checksum or length") \
    X(Icmp6InEchos,         "ICMPv6 echo requests received") \
    X(Icmp6InEchoReplies,   "ICMPv6 echo replies received") \
    X(Icmp6InDestUnreachs,  "ICMPv6 destination unreachable received") \
    X(Icmp6InPktTooBigs,    "ICMPv6 packet too big received") \
    X(Icmp6InTimeExcds,     "ICMPv6 time exceeded received") \
    X(Icmp6InParmProblems,  "ICMPv6 parameter problem received") \
    X(Icmp6InNeighborSolicits, "ICMPv6 neighbor solicitations received") \
    X(Icmp6InNeighborAdvertisements, "ICMPv6 neighbor advertisements received") \
    X(Icmp6InRouterAdvertisements, "ICMPv6 router advertisements received") \
    X(Icmp6InRedirects,     "ICMPv6 redirects received (ignored)") \
    X(Icmp6OutMsgs,         "ICMPv6 messages sent") \
    X(Icmp6OutEchos,        "ICMPv6 echo requests sent") \
    X(Icmp6OutEchoReplies,  "ICMPv6 echo replies sent") \
    X(Icmp6OutDestUnreachs, "ICMPv6 destination unreachable sent") \
    X(Icmp6OutPktTooBigs,   "ICMPv6 packet too big sent") \
    X(Icmp6OutTimeExcds,    "ICMPv6 time exceeded sent") \
    X(Icmp6OutParmProblems, "ICMPv6 parameter problem sent") \
    X(Icmp6OutRateLimited,  "ICMPv6 errors not sent: rate limit") \
    X(Icmp6OutNeighborSolicits, "ICMPv6 neighbor solicitations sent") \
    X(Icmp6OutNeighborAdvertisements, "ICMPv6 neighbor advertisements sent") \
    X(Icmp6OutRouterSolicits, "ICMPv6 router solicitations sent") \
    X(Icmp6OutMLDv2Reports, "ICMPv6 MLDv2 reports sent") \
    X(NdInInvalid,          "ND messages dropped: invalid (hop limit, code, length, options, source)") \
    X(NdQueueDrops,         "IPv6 packets dropped: the queue waiting for ND resolution was full") \
    X(NdResolveFailed,      "IPv6 packets dropped: neighbour resolution gave up") \
    X(NdCacheFull,          "ND entries not created: the cache was full") \
    X(Ip6DadLoopedBack,     "DAD solicitations ignored: our own probe looped back (RFC 7527 nonce)") \
    X(Ip6IfDisabledByDad,   "interfaces whose IPv6 was disabled: their MAC-derived link-local address is duplicate") \
    X(Icmp6InPktTooBigNotOurs, "ICMPv6 packet too big ignored: the quoted packet is not one we sent (source not ours, or its transport does not know it)") \
    X(UdpInDatagrams,       "UDP datagrams delivered to sockets") \
    X(UdpNoPorts,           "UDP datagrams dropped: no socket on the port") \
    X(UdpInErrors,          "UDP datagrams dropped: bad length or checksum") \
    X(UdpInCsumErrors,      "UDP datagrams dropped: bad checksum") \
    X(UdpRcvbufErrors,      "UDP datagrams dropped: socket receive queue full") \
    X(UdpOutDatagrams,      "UDP datagrams sent") \
    X(TcpInSegs,            "TCP segments received") \
    X(TcpOutSegs,           "TCP segments sent") \
    X(TcpRetransSegs,       "TCP segments retransmitted") \
    X(TcpInErrs,            "TCP segments dropped: bad header, checksum or options") \
    X(TcpInCsumErrors,      "TCP segments dropped: bad checksum") \
    X(TcpOutRsts,           "TCP resets sent") \
    X(TcpActiveOpens,       "TCP connections opened actively (SYN-SENT)") \
    X(TcpPassiveOpens,      "TCP connections opened passively (SYN-RECEIVED)") \
    X(TcpAttemptFails,      "TCP opens that failed (SYN-SENT/SYN-RECEIVED to CLOSED)") \
    X(TcpEstabResets,       "TCP connections reset from ESTABLISHED or CLOSE-WAIT") \
    X(TcpListenOverflows,   "TCP final ACKs dropped: accept queue full") \
    X(TcpListenDrops,       "TCP SYNs or ACKs dropped by a listener") \
    X(TcpSyncookiesSent,    "TCP SYN cookies sent") \
    X(TcpSyncookiesRecv,    "TCP valid SYN cookies received") \
    X(TcpSyncookiesFailed,  "TCP invalid SYN cookies received") \
    X(TcpChallengeAcks,     "TCP challenge ACKs sent (RFC 5961)") \
    X(TcpChallengeAckLimit, "TCP challenge ACKs not sent: rate limit") \
    X(TcpOutOfWindow,       "TCP segments dropped: not acceptable (outside the window)") \
    X(TcpBadFlags,          "TCP segments dropped: impossible flag combination") \
    X(TcpNoSocket,          "TCP segments for no connection (answered by RST)") \
    X(TcpOfoQueued,         "TCP out-of-order segments queued") \
    X(TcpOfoDrops,          "TCP out-of-order segments dropped: queue limit") \
    X(TcpMemoryDrops,       "TCP out-of-order data dropped: the stack's TCP memory at tcp_mem_max") \
    X(TcpMemoryPressures,   "TCP times the stack's buffers reached 3/4 of tcp_mem_max (buffers stop growing)") \
    X(TcpPAWSEstab,         "TCP segments dropped by PAWS: TSval older than TS.Recent (RFC 7323 5)") \
    X(TcpDSackOldSent,      "TCP D-SACKs sent for data below RCV.NXT (RFC 2883)") \
    X(TcpDSackOfoSent,      "TCP D-SACKs sent for out-of-order data already held (RFC 2883)") \
    X(TcpFastRetrans,       "TCP fast retransmits") \
    X(TcpSackRecovery,      "TCP loss recoveries by SACK (RFC 6675)") \
    X(TcpRenoRecovery,      "TCP loss recoveries by NewReno, the peer not doing SACK (RFC 6582)") \
    X(TcpSackDiscard,       "TCP SACK blocks ignored as impossible (reversed, unsent data, too long)") \
    X(TcpDSackRecv,         "TCP D-SACK blocks received (RFC 2883)") \
    X(TcpDSackUndo,         "TCP window reductions undone: every retransmission D-SACKed (RFC 3708)") \
    X(TcpTSUndo,            "TCP window reductions undone: the ACK echoed the original's timestamp (RFC 3522)") \
    X(TcpLossProbes,        "TCP tail loss probes sent (RFC 8985 7)") \
    X(TcpLossProbeRecovery, "TCP tail losses repaired by a probe (RFC 8985 7.4)") \
    X(TcpRackLoss,          "TCP ACKs and reordering timeouts on which RACK (RFC 8985 6) found data lost that the SACK rules (RFC 6675) did not") \
    X(TcpLostRetransmit,    "TCP retransmissions found lost by RACK and sent again without a timeout") \
    X(TcpTimeouts,          "TCP retransmission timeouts") \
    X(TcpPersistProbes,     "TCP zero-window probes sent") \
    X(TcpKeepAliveProbes,   "TCP keep-alive probes sent") \
    X(TcpTimeWaitRecycled,  "TCP TIME-WAIT connections reused by a new SYN (RFC 6191)") \
    X(TcpTimeWaitOverflow,  "TCP connections closed without TIME-WAIT: the TIME-WAIT table was full") \
    X(TcpDelayedAcks,       "TCP delayed ACKs sent by the timer") \
    X(BufAllocFails,        "buffer allocations that failed") \
    X(BufPoolHits,          "packet buffers taken from the stack's pool") \
    X(BufPoolMisses,        "packet buffers the pool had to allocate (empty, or larger than 64 KiB)") \
    X(BufPoolHighWater,     "the most packet buffers in use at once (not a count: a high-water mark)")

/** The counters, one enumerator `SYNACK_C_<name>` per entry of SYNACK_COUNTER_LIST (SYNACK_C_InReceives,
 * SYNACK_C_TcpOutRsts, ...), numbered from 0 in the table's order; see there for what each counts. */
enum synack_counter {
/** @cond SYNACK_INTERNAL */
#define SYNACK_X_ENUM(name, desc) SYNACK_C_##name,
    SYNACK_COUNTER_LIST(SYNACK_X_ENUM)
#undef SYNACK_X_ENUM
/** @endcond */
    SYNACK_C_COUNT   /**< The number of counters: loop `for (c = 0; c < SYNACK_C_COUNT; c++)` to list them all. */
};

/** Reads a counter.
 * @param st the stack
 * @param c  which counter
 * @return its value since the stack was created; 0 for a value of @p c out of range */
SYNACK_API uint64_t synack_counter_get(const synack_stack_t *st, enum synack_counter c);
/** The name of a counter, as the table writes it.
 * @param c which counter
 * @return a static string, e.g. "TcpOutRsts" for SYNACK_C_TcpOutRsts; "?" out of range */
SYNACK_API const char *synack_counter_name(enum synack_counter c);
/** What a counter counts, in a few words.
 * @param c which counter
 * @return a static string, e.g. "TCP resets sent"; "?" out of range */
SYNACK_API const char *synack_counter_desc(enum synack_counter c);

#ifdef __cplusplus
}
#endif

#endif
