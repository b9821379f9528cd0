/* TCP header and options (RFC 9293 3.1, RFC 7323, RFC 2018): parse with every length checked,
 * build with checksum. Unknown options, and known ones with a length wrong for their kind, are
 * skipped by their length (RFC 9293 3.1 MUST-7 allows it; deployed stacks do so); a length below 2
 * or one that overruns the header makes the segment malformed (no option may be trusted past the
 * data offset). */
#ifndef WIRE_TCP_H
#define WIRE_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "wire/err.h"

#define TCP_IPPROTO 6                /* IANA protocol number: IPv4 Protocol, IPv6 Next Header */
#define TCP_HDR_MIN 20
#define TCP_HDR_MAX 60
#define TCP_WIN_MAX 0xffff           /* RFC 9293 3.1: the Window field is 16 bits (unscaled) */
#define TCP_WSCALE_MAX 14            /* RFC 7323 2.3: the largest window-scale shift */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define TCP_OPT_EOL 0
#define TCP_OPT_NOP 1
#define TCP_OPT_MSS 2
#define TCP_OPT_WSCALE 3
#define TCP_OPT_SACK_PERM 4
#define TCP_OPT_SACK 5
#define TCP_OPT_TS 8

#define TCP_MAX_SACK_BLOCKS 4

struct tcp_opts {
    unsigned has_mss : 1, has_wscale : 1, sack_perm : 1, has_ts : 1;
    uint16_t mss;
    uint8_t wscale;
    uint8_t sack_count;
    uint32_t sack[TCP_MAX_SACK_BLOCKS][2];   /* left, right edges */
    uint32_t ts_val, ts_ecr;
};

struct tcp_hdr {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t doff;          /* header length in bytes */
    uint8_t flags;
    uint16_t win;
    uint16_t csum;
    uint16_t urg;
    struct tcp_opts opts;
    const uint8_t *data;
    size_t data_len;
};

/* Parses the segment p[0..len) carried between src and dst (host order), verifying the checksum
 * unless verify_csum is 0 (the checksum was verified by hardware or a caller). Returns WIRE_OK or the
 * reason: SHORT (under 20 bytes or under the data offset), HDRLEN (data offset < 5), CSUM, OPTS (an
 * option's length is below 2 or overruns the header). */
enum wire_err tcp_parse(const uint8_t *p, size_t len, uint32_t src, uint32_t dst, int verify_csum, struct tcp_hdr *out);
/* Parses only the options area. Returns WIRE_OK or WIRE_ERR_OPTS. */
enum wire_err tcp_parse_opts(const uint8_t *o, size_t len, struct tcp_opts *out);
/* The same for either IP family: `pseudo` is the pseudo-header sum without the length (addresses
 * and protocol; the length is added here), as the network layer computes it. */
enum wire_err tcp_parse_ph(const uint8_t *p, size_t len, uint64_t pseudo, int verify_csum, struct tcp_hdr *out);
/* Encodes the options (padded with NOPs to a multiple of 4) into o (room for 40 bytes). Returns
 * the length written. Order follows Linux for middlebox-friendliness: MSS, SACK-perm+TS or NOPs, wscale, SACK. */
size_t tcp_build_opts(uint8_t *o, const struct tcp_opts *opts);
/* Writes the header (with the encoded options, h->doff computed) at p; the payload (data_len bytes)
 * must already be at p + header length. Computes the checksum. Returns the header length. */
size_t tcp_build(uint8_t *p, const struct tcp_hdr *h, size_t data_len, uint32_t src, uint32_t dst);
/* The same for either IP family (pseudo as for tcp_parse_ph). */
size_t tcp_build_ph(uint8_t *p, const struct tcp_hdr *h, size_t data_len, uint64_t pseudo);
/* The same when the caller already summed the data as it copied it in (wire_csum_copy; data_sum is
 * the partial sum of the data_len bytes that follow the header): the data is not read again. */
size_t tcp_build_ph_sum(uint8_t *p, const struct tcp_hdr *h, size_t data_len, uint64_t pseudo, uint64_t data_sum);
/* Header length tcp_build will produce for these options. */
size_t tcp_hdr_len(const struct tcp_opts *opts);
/* "S", "S.", "P.", "FP.", "R." ... in tcpdump's letter order (F S R P . U E W), "none" when no
 * flag is set. buf needs 9 bytes. */
const char *tcp_flags_str(uint8_t flags, char *buf);

#endif
