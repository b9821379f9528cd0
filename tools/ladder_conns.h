/* From captured frames to TCP connections with each side's state, for `synack ladder`. Pure code:
 * no I/O and no libpcap, so the unit tests compile it directly (tests/unit/test_ladder_conns.c).
 *
 * Frames are decoded by link type (Ethernet, raw IP, Linux cooked SLL/SLL2, BSD loopback) to IPv4
 * or IPv6 (extension headers walked) and TCP; segments are grouped by 4-tuple into connections (a new SYN on a finished 4-tuple starts
 * a new one); then each side's state after every segment is inferred from the segments alone, by
 * RFC 9293's state diagram (see lc_infer). */
#ifndef TOOLS_LADDER_CONNS_H
#define TOOLS_LADDER_CONNS_H

#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"

/* Link types (the pcap LINKTYPE_/DLT_ values) the decoder understands. */
enum {
    LC_LINK_NULL = 0,          /* BSD loopback: 4-byte address family, host byte order */
    LC_LINK_ETHERNET = 1,
    LC_LINK_RAW = 12,          /* DLT_RAW on most systems (LINKTYPE_RAW 101 in files) */
    LC_LINK_RAW_BSD = 14,      /* DLT_RAW on OpenBSD */
    LC_LINK_RAW_FILE = 101,    /* LINKTYPE_RAW */
    LC_LINK_LOOP = 108,        /* OpenBSD loopback: address family in network order */
    LC_LINK_LINUX_SLL = 113,   /* tcpdump -i any (older) */
    LC_LINK_IPV4 = 228,
    LC_LINK_LINUX_SLL2 = 276,  /* tcpdump -i any (libpcap >= 1.10) */
};

/* What a frame held. */
enum lc_kind { LC_IPV4, LC_IPV6, LC_OTHER, LC_SHORT };

/* Finds the IP packet in a frame of the given link type: returns LC_IPV4 or LC_IPV6 with *ip,
 * *ip_len set, or what else it was. */
enum lc_kind lc_link_decode(int linktype, const uint8_t *frame, size_t caplen, const uint8_t **ip, size_t *ip_len);
int lc_link_supported(int linktype);
const char *lc_link_name(int linktype);

struct lc_seg {
    synack_time_t t;               /* since the first frame of the capture */
    int dir;                       /* 0: sent by side 0 (left), 1: by side 1 */
    uint16_t ip_id;                /* IPv4's identification; 0 over IPv6 (no ID without a fragment header) */
    struct synack_tcp_fields f;    /* f.data_len is the real length, even when the capture cut it */
    int state[2];                  /* each side's state after this segment (lc_infer) */
};

struct lc_conn {
    struct synack_ip addr[2];      /* side 0 is the client when the capture shows which is */
    uint16_t port[2];
    struct lc_seg *segs;
    size_t n, cap;
    int syn_seen[2];               /* for telling a new connection on the same 4-tuple */
    uint32_t syn_seq[2];
    int has_non_syn;               /* a segment other than a bare SYN */
};

struct lc_table {
    struct lc_conn *conns;
    size_t n, cap;
    size_t *hash;                  /* open addressing: conn index + 1, 0 empty; latest conn per 4-tuple */
    size_t hash_cap;
    synack_time_t t0;
    int have_t0;
    /* what else the capture held */
    uint64_t frames, ipv4, ipv6, other, short_frames, non_tcp, fragments, bad_tcp, twice;
    int nomem;
};

void lc_init(struct lc_table *t);
void lc_free(struct lc_table *t);
/* Adds one captured frame (ts: its capture time in microseconds). */
void lc_add_frame(struct lc_table *t, int linktype, synack_time_t ts, const uint8_t *frame, size_t caplen);
/* Adds one IP packet, IPv4 or IPv6 (by its version). */
void lc_add_ip(struct lc_table *t, synack_time_t ts, const uint8_t *ip, size_t caplen);
/* Fills in seg->state[] for every segment of the connection. */
void lc_infer(struct lc_conn *c);

#endif
