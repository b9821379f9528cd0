/* DNS messages (RFC 1035 4.1): the parser and the builder. Pure functions over byte spans: every
 * length is checked against the span, nothing is allocated, nothing is sent.
 *
 * The parser validates a whole message before anyone looks at it: header, question and every
 * resource record of the three sections, with counts that the message's length could not hold
 * rejected up front, every name read through dns_name_read (which refuses pointer loops and
 * pointers past the end), and the RDATA of the types we interpret (A, NS, CNAME, SOA, OPT) checked
 * to be exactly what the type says (an OPT's options each within it, RFC 6891 6.1.2). A message that fails is dropped by the caller and counted.
 *
 * The builder writes into a caller's buffer, compresses names against those already written
 * (RFC 1035 4.1.4), and refuses a record that does not fit, leaving the message as it was before
 * the record, so a server can set TC and send what fitted (RFC 2181 9). */
#ifndef APPS_DNS_MSG_H
#define APPS_DNS_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "name.h"

#define DNS_HDR_LEN 12
#define DNS_UDP_MAX 512           /* RFC 1035 4.2.1: UDP messages without EDNS */
#define DNS_PORT 53

/* RFC 1035 3.2.2, 3.2.4; RFC 6891 6.1.1 (OPT) */
enum dns_type {
    DNS_T_A = 1,
    DNS_T_NS = 2,
    DNS_T_CNAME = 5,
    DNS_T_SOA = 6,
    DNS_T_AAAA = 28,              /* RFC 3596 */
    DNS_T_OPT = 41,
    DNS_T_ANY = 255,
};
#define DNS_C_IN 1

/* RFC 1035 4.1.1 header flags */
#define DNS_F_QR 0x8000u
#define DNS_F_OPCODE_MASK 0x7800u
#define DNS_F_AA 0x0400u
#define DNS_F_TC 0x0200u
#define DNS_F_RD 0x0100u
#define DNS_F_RA 0x0080u
#define DNS_F_CD 0x0010u          /* RFC 4035 3.2.2: checking disabled */
#define DNS_EDNS_DO 0x8000u       /* RFC 3225 3: DNSSEC OK, the first of the OPT's flag bits */
#define DNS_F_RCODE_MASK 0x000Fu
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xFu)

enum dns_rcode {
    DNS_R_NOERROR = 0,
    DNS_R_FORMERR = 1,
    DNS_R_SERVFAIL = 2,
    DNS_R_NXDOMAIN = 3,
    DNS_R_NOTIMP = 4,
    DNS_R_REFUSED = 5,
    DNS_R_BADVERS = 16,   /* RFC 6891 9: extended RCODE, needs the OPT record */
};

enum dns_section { DNS_S_ANSWER = 0, DNS_S_AUTHORITY = 1, DNS_S_ADDITIONAL = 2 };

struct dns_header {
    uint16_t id, flags;
    uint16_t qdcount, ancount, nscount, arcount;
};

struct dns_question {
    struct dns_name name;
    uint16_t type, cls;
};

struct dns_rr {
    struct dns_name name;
    uint16_t type, cls;
    uint32_t ttl;
    uint16_t rdlen;
    uint16_t rdoff;                /* offset of the RDATA in the message */
    uint8_t section;               /* enum dns_section */
};

#define DNS_MSG_MAX_RR 64          /* records kept for the caller; the rest are validated only */

struct dns_msg {
    struct dns_header h;
    int has_question;              /* qdcount is 0 or 1; more is rejected as malformed */
    struct dns_question q;
    struct dns_rr rr[DNS_MSG_MAX_RR];
    unsigned nrr;                  /* records kept in rr[], in message order */
    unsigned total_rr;             /* records in the message */
    int has_opt;                   /* an EDNS OPT record (RFC 6891) was in the additional section */
    uint16_t opt_udp_size;         /* its requestor's payload size (the OPT's CLASS) */
    uint8_t opt_version;
    uint16_t opt_flags;            /* the OPT's flag bits (the low half of its TTL): DO and Z */
    const uint8_t *raw;            /* borrowed: the parsed bytes, for RDATA */
    size_t len;
};

/* Reads the 12-byte header. Returns 0 or -EBADMSG (too short). */
int dns_header_read(const uint8_t *p, size_t len, struct dns_header *h);
/* Parses and validates a whole message (see the top of this file). `p` is borrowed by m->raw.
 * Returns 0 or -EBADMSG; on -EBADMSG, has_question (with q) and has_opt (with its fields) still
 * say what was read before the fault, for a FORMERR that repeats them. */
int dns_msg_parse(const uint8_t *p, size_t len, struct dns_msg *m);
/* The names in RDATA of NS and CNAME (the only name) and SOA (MNAME then RNAME), decompressed. */
int dns_rr_rdata_name(const struct dns_msg *m, const struct dns_rr *rr, struct dns_name *out);
/* The address of an A record, host order. */
uint32_t dns_rr_a(const struct dns_msg *m, const struct dns_rr *rr);
/* The 16 bytes of an AAAA record (RFC 3596 2.2). */
void dns_rr_aaaa(const struct dns_msg *m, const struct dns_rr *rr, uint8_t out[16]);

/* ---- builder ---- */

#define DNS_COMPRESS_MAX 64

struct dns_builder {
    uint8_t *buf;
    size_t cap, len;
    uint16_t count[4];             /* qd, an, ns, ar: written into the header by dns_build_finish */
    uint16_t comp[DNS_COMPRESS_MAX];   /* offsets of names (and their suffixes) already written */
    unsigned ncomp;
};

/* Starts a message with header h (counts are ignored: the builder counts). cap below 12 fails. */
int dns_build_init(struct dns_builder *b, uint8_t *buf, size_t cap, const struct dns_header *h);
/* Each returns 0 or -EMSGSIZE (nothing written). */
int dns_build_question(struct dns_builder *b, const struct dns_name *name, uint16_t type, uint16_t cls);
int dns_build_a(struct dns_builder *b, enum dns_section s, const struct dns_name *owner, uint32_t ttl,
                uint32_t addr);
/* An AAAA record (RFC 3596 2.2): 16 bytes of address. */
int dns_build_aaaa(struct dns_builder *b, enum dns_section s, const struct dns_name *owner, uint32_t ttl,
                   const uint8_t addr[16]);
/* NS or CNAME: RDATA is one name. */
int dns_build_name_rr(struct dns_builder *b, enum dns_section s, const struct dns_name *owner, uint16_t type,
                      uint32_t ttl, const struct dns_name *target);
struct dns_soa {
    struct dns_name mname, rname;
    uint32_t serial, refresh, retry, expire, minimum;
};
int dns_build_soa(struct dns_builder *b, enum dns_section s, const struct dns_name *owner, uint32_t ttl,
                  const struct dns_soa *soa);
/* The EDNS OPT pseudo-record (RFC 6891 6.1.2): our UDP payload size, the high bits of the RCODE. */
int dns_build_opt(struct dns_builder *b, uint16_t udp_size, uint8_t ext_rcode);
/* The same with flag bits (DNS_EDNS_DO); no options. */
int dns_build_opt_flags(struct dns_builder *b, uint16_t udp_size, uint8_t ext_rcode, uint16_t flags);
/* Sets the header's flags (e.g. TC after a record did not fit). */
void dns_build_set_flags(struct dns_builder *b, uint16_t flags);
/* Writes the section counts into the header; returns the message length. */
size_t dns_build_finish(struct dns_builder *b);

#endif
