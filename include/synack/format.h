/** @file
 * The one tcpdump-like formatter: turns a frame or packet into one line of text, shared by traces,
 * tests, the demo and logs. Works on any bytes: a malformed frame is described, never trusted.
 * Also parsed views of IPv4, IPv6 and TCP headers for programs that read captures. */
#ifndef SYNACK_FORMAT_H
#define SYNACK_FORMAT_H

#include "synack/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Describes a frame in one line, as tcpdump would. Example:
 * "192.0.2.1.40000 > 192.0.2.2.80: Flags [S], seq 1000, win 65535, options [mss 1460], length 0".
 * ARP, ICMP, UDP and TCP are described in full; anything malformed is described as such (e.g.
 * "[bad ethernet: 9 bytes]"), never read past its length.
 * @param buf       where the NUL-terminated line goes, truncated to fit
 * @param cap       the size of @p buf (0: nothing is written)
 * @param link_kind how the frame starts: SYNACK_IF_ETHERNET (an Ethernet header) or SYNACK_IF_RAWIP
 *                  (an IPv4 packet), as struct synack_trace_event's link_kind says
 * @param frame     the bytes
 * @param len       their number
 * @return the length of the text written (without the NUL) */
SYNACK_API size_t synack_format_frame(char *buf, size_t cap, int link_kind, const uint8_t *frame, size_t len);
/** Describes a bare IPv4 packet in one line, as synack_format_frame() does a frame.
 * @param buf where the NUL-terminated line goes, truncated to fit
 * @param cap the size of @p buf (0: nothing is written)
 * @param pkt the packet, starting with its IPv4 header
 * @param len its length in bytes
 * @return the length of the text written (without the NUL) */
SYNACK_API size_t synack_format_ip(char *buf, size_t cap, const uint8_t *pkt, size_t len);

/** A parsed view of an IPv4 header, for programs that read captures (the ladder renderer): lengths
 * checked, the checksum not verified (a capture may hold offloaded, not-yet-summed packets). */
struct synack_ip_fields {
    uint32_t src;               /**< Source address, host order. */
    uint32_t dst;               /**< Destination address, host order. */
    uint8_t proto;              /**< Protocol number (1 ICMP, 6 TCP, 17 UDP). */
    uint8_t ttl;                /**< Time to live. */
    uint16_t id;                /**< Identification. */
    uint16_t frag;              /**< Flags and fragment offset as on the wire (0x4000 is DF). */
    size_t hdr_len;             /**< Header length in bytes: the payload starts at pkt[hdr_len]. */
    size_t total_len;           /**< Total length, cut to the bytes present: the payload is pkt[hdr_len .. total_len). */
};
/** Parses an IPv4 header.
 * @param pkt the packet
 * @param len the bytes present (a capture's snap length may cut the packet short: total_len is cut too)
 * @param out the parsed fields
 * @return 0, or -EINVAL if the bytes are not a plausible IPv4 header (short, not version 4, a header
 *         length below 20 or beyond the bytes, a total length below the header's) */
SYNACK_API int synack_ip_fields(const uint8_t *pkt, size_t len, struct synack_ip_fields *out);

/** A parsed view of an IPv6 header and its extension headers, for capture readers (see
 * synack_ip_fields): hop-by-hop, routing, destination options, authentication and fragment headers
 * are walked to the upper-layer header. A non-first fragment stops the walk at its fragment header
 * (its payload is the middle of a datagram). Lengths checked, nothing else validated. */
struct synack_ip6_fields {
    struct synack_ip src;       /**< Source address. */
    struct synack_ip dst;       /**< Destination address. */
    uint8_t proto;              /**< Upper-layer protocol, after the extension headers (6 TCP, 17 UDP, 58 ICMPv6; 59 none). */
    uint8_t hop_limit;          /**< Hop limit. */
    uint8_t traffic_class;      /**< Traffic class. */
    uint32_t flow_label;        /**< Flow label (20 bits). */
    int fragment;               /**< Nonzero if a fragment header is present (frag_* are valid). */
    uint16_t frag_offset;       /**< Fragment offset in bytes (0: the first fragment). */
    int frag_more;              /**< The fragment header's M flag (more fragments follow). */
    uint32_t frag_id;           /**< The fragment header's identification. */
    size_t hdr_len;             /**< Bytes of the fixed header and the extension headers walked: the upper-layer header starts at pkt[hdr_len]. */
    size_t total_len;           /**< 40 plus the payload length, cut to the bytes present (a payload length of 0, a jumbogram or an offload frame, takes the bytes present). */
    size_t wire_len;            /**< 40 plus the payload length as on the wire, even when the capture cut the packet (0 when the payload length is 0). */
};
/** Parses an IPv6 header and walks its extension headers.
 * @param pkt the packet, starting with its IPv6 header
 * @param len the bytes present (a capture's snap length may cut the packet short: total_len is cut too)
 * @param out the parsed fields (zeroed first)
 * @return 0, or -EINVAL if the bytes are not a plausible IPv6 packet (shorter than 40 bytes, not
 *         version 6, an extension header cut off or beyond the payload length) */
SYNACK_API int synack_ip6_fields(const uint8_t *pkt, size_t len, struct synack_ip6_fields *out);

/** A parsed view of a TCP header and its options, for capture readers (see synack_ip_fields). */
struct synack_tcp_fields {
    uint16_t sport;             /**< Source port. */
    uint16_t dport;             /**< Destination port. */
    uint32_t seq;               /**< Sequence number. */
    uint32_t ack;               /**< Acknowledgment number (meaningful with ACK). */
    uint8_t flags;              /**< FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20. */
    uint16_t win;               /**< Window field, not scaled. */
    uint16_t urg;               /**< Urgent pointer. */
    size_t hdr_len;             /**< Header length with options, in bytes (data offset * 4). */
    size_t data_len;            /**< Payload bytes after the header. */
    int has_mss;                /**< Nonzero if an MSS option is present (mss is valid). */
    int has_wscale;             /**< Nonzero if a window-scale option is present (wscale is valid). */
    int sack_perm;              /**< Nonzero if SACK-permitted is present. */
    int has_ts;                 /**< Nonzero if a timestamps option is present (ts_val, ts_ecr valid). */
    uint16_t mss;               /**< Maximum segment size announced. */
    uint8_t wscale;             /**< Window-scale shift announced. */
    uint32_t ts_val;            /**< Timestamp value. */
    uint32_t ts_ecr;            /**< Timestamp echo reply. */
    int sack_count;             /**< SACK blocks present (0 to 4). */
    uint32_t sack[4][2];        /**< SACK blocks: left and right edge of each of the first sack_count. */
};
/** Parses a TCP header and its options.
 * @param seg the segment, starting with its TCP header
 * @param len its length in bytes (header and payload)
 * @param out the parsed fields (zeroed first)
 * @return 0, or -EINVAL if the segment is short, its data offset is bad or its options malformed */
SYNACK_API int synack_tcp_fields(const uint8_t *seg, size_t len, struct synack_tcp_fields *out);
/** Describes the options of a parsed header as tcpdump lists them:
 * "mss 1460,sackOK,TS val 1 ecr 0,wscale 7" (empty when none).
 * @param buf where the NUL-terminated text goes, truncated to fit
 * @param cap the size of @p buf (0: nothing is written)
 * @param f   the parsed header
 * @return the length of the text written (without the NUL) */
SYNACK_API size_t synack_format_tcp_options(char *buf, size_t cap, const struct synack_tcp_fields *f);
/** Writes TCP flags as tcpdump's short form: "S", "S.", "P.", "F.", "R." ("." is ACK).
 * @param flags the flags byte (struct synack_tcp_fields' flags)
 * @param buf   where the NUL-terminated text goes: at least 10 bytes
 * @return @p buf */
SYNACK_API const char *synack_tcp_flags_str(uint8_t flags, char *buf);

#ifdef __cplusplus
}
#endif

#endif
