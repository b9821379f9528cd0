/* The one tcpdump-like formatter: turns a frame or packet into one line of text, shared by traces,
 * tests, the demo and logs. Works on any bytes: a malformed frame is described, never trusted. */
#ifndef SYNACK_FORMAT_H
#define SYNACK_FORMAT_H

#include "synack/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Formats a frame of the given link kind (enum synack_if_kind) into buf (NUL-terminated, truncated
 * to cap). Returns the length written. Example:
 * "192.0.2.1.40000 > 192.0.2.2.80: Flags [S], seq 1000, win 65535, options [mss 1460], length 0" */
SYNACK_API size_t synack_format_frame(char *buf, size_t cap, int link_kind, const uint8_t *frame, size_t len);
/* Same for a bare IPv4 packet. */
SYNACK_API size_t synack_format_ip(char *buf, size_t cap, const uint8_t *pkt, size_t len);

/* Parsed views for programs that read captures (the ladder renderer): lengths checked, checksums
 * not verified (a capture may hold offloaded, not-yet-summed packets). */
struct synack_ip_fields {
    uint32_t src, dst;          /* host order */
    uint8_t proto, ttl;
    uint16_t id, frag;          /* flags and offset as on the wire */
    size_t hdr_len, total_len;  /* payload is pkt[hdr_len .. total_len) */
};
/* Returns 0 or -EINVAL if the bytes are not a plausible IPv4 header. */
SYNACK_API int synack_ip_fields(const uint8_t *pkt, size_t len, struct synack_ip_fields *out);

struct synack_tcp_fields {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;              /* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 */
    uint16_t win, urg;
    size_t hdr_len, data_len;
    int has_mss, has_wscale, sack_perm, has_ts;
    uint16_t mss;
    uint8_t wscale;
    uint32_t ts_val, ts_ecr;
    int sack_count;
    uint32_t sack[4][2];
};
/* Returns 0 or -EINVAL (short, bad data offset or malformed options). */
SYNACK_API int synack_tcp_fields(const uint8_t *seg, size_t len, struct synack_tcp_fields *out);
/* "mss 1460,sackOK,TS val 1 ecr 0,wscale 7" (empty when none). */
SYNACK_API size_t synack_format_tcp_options(char *buf, size_t cap, const struct synack_tcp_fields *f);
/* "S", "S.", "P.", "F.", "R." like tcpdump; buf needs 10 bytes. */
SYNACK_API const char *synack_tcp_flags_str(uint8_t flags, char *buf);

#ifdef __cplusplus
}
#endif

#endif
