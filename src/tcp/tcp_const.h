/* TCP's constants, each defined once, with the rule it comes from. Facts of the wire format (header
 * sizes, the 16-bit window field, the largest window-scale shift) live in wire/tcp.h; the
 * configurable values (MSL, RTO bounds, buffer sizes...) have their defaults in tcp_table.c. */
#ifndef TCP_CONST_H
#define TCP_CONST_H

#include <stddef.h>
#include <stdint.h>

#include "synack/types.h"
#include "wire/ip4.h"
#include "wire/tcp.h"

/* RFC 9293 3.7.1 (MUST-15): the MSS a peer is taken to accept when its SYN carries no MSS option:
 * 536 (576 - 40) over IPv4, also what a socket reports as TCP_MAXSEG before it is connected; 1220
 * (1280 - 60) over IPv6. */
#define TCP_DEFAULT_MSS 536
#define TCP_DEFAULT_MSS6 1220

/* The smallest MSS we use or accept, whatever the peer announces, an ICMP "fragmentation needed"
 * suggests or TCP_MAXSEG asks: an absurd MSS would have us send tiny segments for ever (RFC 9293
 * 3.7.1 lets a sender use less than the peer's MSS, never requires it to go below this). */
#define TCP_MIN_MSS 88

/* The largest TCP_MAXSEG: an IPv4 datagram of 65535 bytes (RFC 791) less the IPv4 and TCP headers
 * without options. */
#define TCP_MAX_MSS_USER (65535 - IP4_HDR_MIN - TCP_HDR_MIN)

/* RFC 6298 5.7: after the SYN (or SYN-ACK) timed out, the RTO for data starts at 3 s unless a
 * sample was taken. */
#define TCP_RTO_AFTER_SYN_TIMEOUT SYNACK_SEC(3)

/* The persist timer never fires sooner than this (RFC 9293 3.8.6.1 leaves the interval open; the
 * RTO's usual floor). */
#define TCP_PERSIST_MIN SYNACK_MS(200)

/* RFC 5961 7: challenge ACKs are limited per this interval (the limit is configurable). */
#define TCP_CHALLENGE_ACK_INTERVAL SYNACK_SEC(1)

/* SYN cookies (RFC 4987 3.6): the counter in a cookie advances once a period, and a cookie is
 * valid for two periods. */
#define TCP_COOKIE_PERIOD SYNACK_SEC(64)
#define TCP_COOKIE_LIFETIME (2 * TCP_COOKIE_PERIOD)

/* RFC 1122 4.2.3.6: keep-alive idle time "MUST be configurable and MUST default to no less than
 * two hours"; the probe interval and count are the customary ones (TCP_KEEPINTVL, TCP_KEEPCNT). */
#define TCP_KEEPIDLE_DEFAULT_S 7200
#define TCP_KEEPINTVL_DEFAULT_S 75
#define TCP_KEEPCNT_DEFAULT 9

/* With segmentation offload, the payload of one large frame stays this far below the link's
 * tso_max (a whole frame): room for the link header, the network header and TCP's own with options
 * (14 + 60 + 60 for IPv4, 14 + 40 + 60 for IPv6 without extension headers), rounded up. */
#define TCP_TSO_HDR_ROOM 200u

/* TCP_CORK holds a partial segment at most this long, then sends it (Linux's ceiling, tcp(7):
 * "there is a 200 millisecond ceiling on the time for which output is corked"). */
#define TCP_CORK_MAX SYNACK_MS(200)

/* SO_RCVBUF and SO_SNDBUF bounds. */
#define TCP_SOCKBUF_MIN 2048
#define TCP_SOCKBUF_MAX (64 << 20)

/* A window or buffer size as the 16-bit unscaled Window field can carry it (RFC 9293 3.1; RFC 7323
 * 2.2: the window in a SYN or SYN-ACK is never scaled). */
static inline uint16_t tcp_win16(size_t v) { return (uint16_t)(v > TCP_WIN_MAX ? TCP_WIN_MAX : v); }

/* Quick-ack mode (tcp_rcv.c): at most this many ACKs go out at once, one per data segment, at the
 * start of a connection and after an idle period, before delayed ACKs take over (the figure Linux
 * uses, TCP_MAX_QUICKACKS in include/net/tcp.h). */
#define TCP_MAX_QUICKACKS 16

/* The largest out-of-order entry: data continuing an entry is appended to it up to this size
 * (tcp_rcv.c), so its storage is reallocated a bounded number of times. */
#define TCP_OFO_CHUNK 65536u

/* RFC 7323 3.2: the timestamp option as it rides on every segment once agreed, NOP NOP TS (12
 * bytes); the payload of a full segment is that much below the MSS (RFC 6691 2). */
#define TCP_TS_OPT_LEN 12

/* RFC 7323 5.5: TS.Recent older than 24 days is invalid (the peer's clock may have wrapped its
 * sign bit since): PAWS then accepts the segment and TS.Recent is taken afresh. */
#define TCP_PAWS_IDLE SYNACK_SEC(24ull * 24 * 3600)

/* SYN cookies with timestamps (tcp_isn.c): the low bits of the cookie SYN-ACK's TSval carry what the
 * client offered, read back from the TSecr of its ACK: 4 bits of window-scale shift (15: none), one
 * bit for SACK-permitted. */
#define TCP_COOKIE_TS_BITS 6
#define TCP_COOKIE_TS_WS_NONE 0xf
#define TCP_COOKIE_TS_SACK 0x10

/* Receive-buffer autotuning's ceiling when the stack config gives none (Linux's tcp_rmem[2]), and
 * the send buffer's (tcp_wmem[2]). The window-scale shift is chosen from the ceiling, so the window
 * can grow to it without another handshake (RFC 7323 2.2). */
#define TCP_RMEM_MAX_DEFAULT (6u << 20)
#define TCP_WMEM_MAX_DEFAULT (4u << 20)
/* How long a connection with nothing in flight, queued or unread keeps its buffers' storage (and
 * its SACK scoreboard and RACK log) before giving them back (tcp_autotune.c). */
#define TCP_IDLE_RELEASE SYNACK_SEC(1)
/* The stack's TCP buffer memory ceiling, config tcp_mem_max. */
#define TCP_MEM_MAX_DEFAULT ((size_t)256 << 20)

#endif

