/* One captured frame and what an independent decoder (tshark) says is in it. The generated
 * headers in this folder are arrays of these; the unit tests parse each frame with synack's wire
 * functions and compare every field. Addresses are host order, as the wire structs hold them. */
#ifndef VECTORS_VEC_H
#define VECTORS_VEC_H

#include <stddef.h>
#include <stdint.h>

struct wire_vec {
    const char *name;
    const uint8_t *bytes;
    size_t len;
    /* Ethernet */
    uint8_t eth_dst[6], eth_src[6];
    uint16_t eth_type;
    /* ARP (eth_type 0x0806) */
    uint16_t arp_op;
    uint8_t arp_sha[6], arp_tha[6];
    uint32_t arp_spa, arp_tpa;
    /* IPv4 (eth_type 0x0800) */
    uint8_t ip_ihl, ip_tos, ip_ttl, ip_proto;
    uint16_t ip_len, ip_id, ip_frag, ip_csum;
    uint32_t ip_src, ip_dst;
    /* ICMP (whole datagrams only, not fragments) */
    int has_icmp;
    uint8_t icmp_type, icmp_code;
    uint16_t icmp_csum, icmp_id, icmp_seq;
    size_t icmp_len;
    /* UDP */
    int has_udp;
    uint16_t udp_sport, udp_dport, udp_len, udp_csum;
    /* TCP; tcp_mss and tcp_wscale are -1 when the option is absent */
    int has_tcp;
    uint16_t tcp_sport, tcp_dport;
    uint32_t tcp_seq, tcp_ack;
    uint8_t tcp_doff, tcp_flags;
    uint16_t tcp_win, tcp_csum, tcp_urg;
    size_t tcp_data_len;
    int tcp_mss, tcp_wscale, tcp_sack_perm, tcp_has_ts;
    uint32_t tcp_tsval, tcp_tsecr;
    int tcp_sack_count;
    uint32_t tcp_sack[4][2];
    /* synack_format_frame()'s expected line */
    const char *line;
};

#endif
