/* Captured frames to TCP connections and their inferred states (see ladder_conns.h). */
#include "ladder_conns.h"

#include <stdlib.h>
#include <string.h>

#include "ladder.h"

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_ACK 0x10

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* ---- link layers ---- */

int lc_link_supported(int lt)
{
    switch (lt) {
    case LC_LINK_NULL: case LC_LINK_ETHERNET: case LC_LINK_RAW: case LC_LINK_RAW_BSD: case LC_LINK_RAW_FILE:
    case LC_LINK_LOOP: case LC_LINK_LINUX_SLL: case LC_LINK_IPV4: case LC_LINK_LINUX_SLL2:
        return 1;
    default:
        return 0;
    }
}

const char *lc_link_name(int lt)
{
    switch (lt) {
    case LC_LINK_NULL: return "BSD loopback";
    case LC_LINK_ETHERNET: return "Ethernet";
    case LC_LINK_RAW: case LC_LINK_RAW_BSD: case LC_LINK_RAW_FILE: return "raw IP";
    case LC_LINK_LOOP: return "OpenBSD loopback";
    case LC_LINK_LINUX_SLL: return "Linux cooked (SLL)";
    case LC_LINK_IPV4: return "raw IPv4";
    case LC_LINK_LINUX_SLL2: return "Linux cooked v2 (SLL2)";
    default: return "unsupported";
    }
}

static enum lc_kind by_version(const uint8_t *p, size_t len, const uint8_t **ip, size_t *ip_len)
{
    if (len < 1)
        return LC_SHORT;
    int v = p[0] >> 4;
    if (v != 4 && v != 6)
        return LC_OTHER;
    if (len < (v == 4 ? 20u : 40u))
        return LC_SHORT;
    *ip = p;
    *ip_len = len;
    return v == 4 ? LC_IPV4 : LC_IPV6;
}

static enum lc_kind by_ethertype(uint16_t et, const uint8_t *p, size_t len, const uint8_t **ip, size_t *ip_len)
{
    if (et != 0x0800 && et != 0x86dd)
        return LC_OTHER;
    enum lc_kind k = by_version(p, len, ip, ip_len);
    if (k == LC_OTHER || (k == LC_IPV4) != (et == 0x0800))
        return len ? LC_OTHER : LC_SHORT;   /* the EtherType and the version disagree */
    return k;
}

enum lc_kind lc_link_decode(int lt, const uint8_t *p, size_t len, const uint8_t **ip, size_t *ip_len)
{
    switch (lt) {
    case LC_LINK_ETHERNET: {
        if (len < 14)
            return LC_SHORT;
        uint16_t et = be16(p + 12);
        size_t off = 14;
        while (et == 0x8100 || et == 0x88a8 || et == 0x9100) {   /* 802.1Q / 802.1ad tags */
            if (len < off + 4)
                return LC_SHORT;
            et = be16(p + off + 2);
            off += 4;
        }
        return by_ethertype(et, p + off, len - off, ip, ip_len);
    }
    case LC_LINK_RAW: case LC_LINK_RAW_BSD: case LC_LINK_RAW_FILE: case LC_LINK_IPV4:
        return by_version(p, len, ip, ip_len);
    case LC_LINK_LINUX_SLL:   /* type, ARPHRD, address length, address[8], protocol */
        if (len < 16)
            return LC_SHORT;
        return by_ethertype(be16(p + 14), p + 16, len - 16, ip, ip_len);
    case LC_LINK_LINUX_SLL2:  /* protocol, reserved, ifindex, ARPHRD, type, address length, address[8] */
        if (len < 20)
            return LC_SHORT;
        return by_ethertype(be16(p), p + 20, len - 20, ip, ip_len);
    case LC_LINK_NULL: case LC_LINK_LOOP:   /* the family's byte order varies: the IP version tells */
        if (len < 4)
            return LC_SHORT;
        return by_version(p + 4, len - 4, ip, ip_len);
    default:
        return LC_OTHER;
    }
}

/* ---- connections ---- */

void lc_init(struct lc_table *t) { memset(t, 0, sizeof(*t)); }

void lc_free(struct lc_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->conns[i].segs);
    free(t->conns);
    free(t->hash);
    memset(t, 0, sizeof(*t));
}

/* One end folded to 64 bits (IPv4 is stored IPv4-mapped, so both families fold alike). */
static uint64_t end_key(const struct synack_ip *a, uint16_t port)
{
    uint64_t k = port;
    for (int i = 0; i < 16; i++)
        k = (k ^ a->b[i]) * 0x100000001B3ull;   /* FNV-1a's step */
    return k;
}

static size_t tuple_hash(const struct synack_ip *a1, uint16_t p1, const struct synack_ip *a2, uint16_t p2)
{
    uint64_t x = end_key(a1, p1), y = end_key(a2, p2);
    if (x > y) {   /* the same for both directions */
        uint64_t z = x;
        x = y;
        y = z;
    }
    uint64_t h = x * 0x9E3779B97F4A7C15ull ^ (y + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    return (size_t)h;
}

static int end_is(const struct lc_conn *c, int side, const struct synack_ip *a, uint16_t p)
{
    return c->port[side] == p && synack_ip_equal(&c->addr[side], a);
}

static int conn_is(const struct lc_conn *c, const struct synack_ip *a1, uint16_t p1, const struct synack_ip *a2,
                   uint16_t p2)
{
    return (end_is(c, 0, a1, p1) && end_is(c, 1, a2, p2)) || (end_is(c, 0, a2, p2) && end_is(c, 1, a1, p1));
}

/* The hash slot for the 4-tuple: holding its latest connection, or empty. */
static size_t *slot_of(struct lc_table *t, const struct synack_ip *a1, uint16_t p1, const struct synack_ip *a2,
                       uint16_t p2)
{
    size_t mask = t->hash_cap - 1;
    for (size_t i = tuple_hash(a1, p1, a2, p2) & mask;; i = (i + 1) & mask)
        if (!t->hash[i] || conn_is(&t->conns[t->hash[i] - 1], a1, p1, a2, p2))
            return &t->hash[i];
}

static int grow_hash(struct lc_table *t)
{
    size_t cap = t->hash_cap ? t->hash_cap * 2 : 256;
    size_t *old = t->hash, old_cap = t->hash_cap;
    t->hash = calloc(cap, sizeof(*t->hash));
    if (!t->hash) {
        t->hash = old;
        return -1;
    }
    t->hash_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i]) {
            const struct lc_conn *c = &t->conns[old[i] - 1];
            *slot_of(t, &c->addr[0], c->port[0], &c->addr[1], c->port[1]) = old[i];
        }
    free(old);
    return 0;
}

static struct lc_conn *new_conn(struct lc_table *t, size_t *slot)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct lc_conn *c = realloc(t->conns, cap * sizeof(*c));
        if (!c)
            return NULL;
        t->conns = c;
        t->cap = cap;
    }
    struct lc_conn *c = &t->conns[t->n++];
    memset(c, 0, sizeof(*c));
    *slot = t->n;
    return c;
}

/* Is this segment a duplicate of the previous one, captured twice (tcpdump -i any sees a packet on
 * each interface it crosses)? Same IP ID and same header within a millisecond: a real
 * retransmission is never that fast and carries a new IP ID. IPv6 has no ID: the same header within
 * 100 us (the copies of one packet are microseconds apart; a retransmission waits at least a
 * timeout or the peer's duplicate ACKs, which come between). */
static int captured_twice(const struct lc_conn *c, const struct lc_seg *s)
{
    if (!c->n)
        return 0;
    const struct lc_seg *p = &c->segs[c->n - 1];
    synack_time_t within = synack_ip_is_v4(&c->addr[0]) ? 1000 : 100;
    return p->dir == s->dir && p->ip_id == s->ip_id && p->f.seq == s->f.seq && p->f.ack == s->f.ack &&
           p->f.flags == s->f.flags && p->f.win == s->f.win && p->f.data_len == s->f.data_len &&
           p->f.ts_val == s->f.ts_val && s->t - p->t <= within;
}

/* The network layer of a packet, either family: addresses, and where the TCP segment is. */
struct lc_ip {
    struct synack_ip src, dst;
    uint8_t proto;
    int fragment;              /* part of a fragmented datagram (an atomic fragment is not) */
    size_t hdr_len, total_len; /* as synack_ip_fields(): the segment is pkt[hdr_len .. total_len) */
    size_t wire_len;           /* the packet's length on the wire (0: unknown, take what was captured) */
    uint16_t id;
};

static int ip_view(const uint8_t *p, size_t caplen, struct lc_ip *v)
{
    if (caplen && (p[0] >> 4) == 6) {
        struct synack_ip6_fields f;
        if (synack_ip6_fields(p, caplen, &f) != 0)
            return -1;
        v->src = f.src;
        v->dst = f.dst;
        v->proto = f.proto;
        /* RFC 8200 4.5: only a fragment header with offset 0 and M clear (an atomic fragment,
         * RFC 6946) holds a whole packet; a non-first fragment has no TCP header at all. */
        v->fragment = f.fragment && (f.frag_offset || f.frag_more);
        v->hdr_len = f.hdr_len;
        v->total_len = f.total_len;
        v->wire_len = f.wire_len;
        v->id = 0;
        return 0;
    }
    struct synack_ip_fields f;
    if (synack_ip_fields(p, caplen, &f) != 0)
        return -1;
    v->src = synack_ip_from_v4(f.src);
    v->dst = synack_ip_from_v4(f.dst);
    v->proto = f.proto;
    v->fragment = (f.frag & 0x3fff) != 0;   /* MF or an offset */
    v->hdr_len = f.hdr_len;
    v->total_len = f.total_len;
    v->wire_len = be16(p + 2);   /* zero in some offloaded, not-yet-segmented packets */
    v->id = f.id;
    return 0;
}

void lc_add_ip(struct lc_table *t, synack_time_t ts, const uint8_t *p, size_t caplen)
{
    if (caplen && (p[0] >> 4) == 6)
        t->ipv6++;
    else
        t->ipv4++;
    if (!t->have_t0) {
        t->t0 = ts;
        t->have_t0 = 1;
    }
    struct lc_ip ip;
    if (ip_view(p, caplen, &ip) != 0) {
        t->bad_tcp++;
        return;
    }
    if (ip.fragment) {   /* fragments of TCP are rare; not reassembled here */
        t->fragments++;
        return;
    }
    if (ip.proto != 6) {
        t->non_tcp++;
        return;
    }
    struct lc_seg s;
    memset(&s, 0, sizeof(s));
    if (synack_tcp_fields(p + ip.hdr_len, ip.total_len - ip.hdr_len, &s.f) != 0) {
        t->bad_tcp++;
        return;
    }
    /* The real length from the IP header: the capture may have kept only the headers. (Zero is
     * what some offloaded, not-yet-segmented packets carry: then take what was captured.) */
    if (ip.wire_len >= ip.hdr_len + s.f.hdr_len)
        s.f.data_len = ip.wire_len - ip.hdr_len - s.f.hdr_len;
    s.ip_id = ip.id;
    s.t = ts >= t->t0 ? ts - t->t0 : 0;

    if (t->n * 2 >= t->hash_cap && grow_hash(t) != 0) {
        t->nomem = 1;
        return;
    }
    size_t *slot = slot_of(t, &ip.src, s.f.sport, &ip.dst, s.f.dport);
    struct lc_conn *c = *slot ? &t->conns[*slot - 1] : NULL;
    int bare_syn = (s.f.flags & (F_SYN | F_ACK | F_RST)) == F_SYN;
    if (c && bare_syn) {
        /* A SYN that is not a retransmission of this side's SYN opens a new connection (the port
         * reused, e.g. after TIME-WAIT), unless the connection so far is only SYNs (a
         * simultaneous open). */
        int side = end_is(c, 0, &ip.src, s.f.sport) ? 0 : 1;
        if (c->syn_seen[side] ? c->syn_seq[side] != s.f.seq : c->has_non_syn)
            c = NULL;
    }
    if (!c) {
        c = new_conn(t, slot);
        if (!c) {
            t->nomem = 1;
            return;
        }
        /* The client on the left: the SYN's sender, the SYN-ACK's receiver, or else (a capture
         * that starts mid-connection) the side with the higher, likely ephemeral, port. */
        int sender_left = bare_syn                                   ? 1
                          : (s.f.flags & (F_SYN | F_ACK)) == (F_SYN | F_ACK) ? 0
                                                                             : s.f.sport >= s.f.dport;
        c->addr[sender_left ? 0 : 1] = ip.src;
        c->port[sender_left ? 0 : 1] = s.f.sport;
        c->addr[sender_left ? 1 : 0] = ip.dst;
        c->port[sender_left ? 1 : 0] = s.f.dport;
    }
    s.dir = end_is(c, 0, &ip.src, s.f.sport) ? 0 : 1;
    if (end_is(c, 0, &c->addr[1], c->port[1]))
        s.dir = c->n ? c->segs[c->n - 1].dir ^ 1 : 0;   /* a connection to itself: guess */
    if (captured_twice(c, &s)) {
        t->twice++;
        return;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        struct lc_seg *n = realloc(c->segs, cap * sizeof(*n));
        if (!n) {
            t->nomem = 1;
            return;
        }
        c->segs = n;
        c->cap = cap;
    }
    s.state[0] = s.state[1] = LADDER_STATE_UNKNOWN;
    c->segs[c->n++] = s;
    if (bare_syn && !c->syn_seen[s.dir]) {
        c->syn_seen[s.dir] = 1;
        c->syn_seq[s.dir] = s.f.seq;
    }
    if (!bare_syn)
        c->has_non_syn = 1;
}

void lc_add_frame(struct lc_table *t, int linktype, synack_time_t ts, const uint8_t *frame, size_t caplen)
{
    t->frames++;
    if (!t->have_t0) {
        t->t0 = ts;
        t->have_t0 = 1;
    }
    const uint8_t *ip = NULL;
    size_t ip_len = 0;
    switch (lc_link_decode(linktype, frame, caplen, &ip, &ip_len)) {
    case LC_IPV4: case LC_IPV6: lc_add_ip(t, ts, ip, ip_len); break;
    case LC_OTHER: t->other++; break;
    case LC_SHORT: t->short_frames++; break;
    }
}

/* ---- state inference ----
 *
 * Each side's state follows RFC 9293's state diagram (3.3.2, figure 5), driven by what the side
 * sends (a SYN: SYN-SENT; a SYN-ACK: SYN-RECEIVED; its first FIN: FIN-WAIT-1 or, after the peer's
 * FIN, LAST-ACK; a RST: CLOSED) and by what it receives (the peer's SYN, FIN, RST, and ACKs of its
 * own SYN and FIN). A capture is taken at one point of the path, so a segment seen going one way
 * may cross one coming the other way. The capture shows when the receiver had the SYN or FIN:
 *  - the receiver's next segment acknowledges it: it arrived, now;
 *  - the receiver's next segment is its own SYN (FIN) that does not: the two crossed (simultaneous
 *    open or close); the receiver gets it just after sending its own;
 *  - otherwise (lost after the capture point, or data crossing it): when the receiver first
 *    acknowledges it;
 *  - the receiver never sends again: now (the capture ended or the ACK was not captured), except a
 *    bare SYN nobody answered, which leaves the receiver unknown.
 * ACKs and RSTs take effect when seen. A side the capture has not shown yet is unknown ("?"),
 * becomes ESTABLISHED when it sends data or ACKs, and CLOSE-WAIT when it gets a FIN. */

enum { PEND_NONE, PEND_UNTIL_ACK, PEND_CROSSING };

struct side {
    int st;
    int syn_sent, fin_sent;         /* this side's own SYN and FIN */
    uint32_t syn_end, fin_end;      /* the ACK that covers each */
    int syn_acked, fin_acked;       /* ... acknowledged by the peer */
    int syn_rcvd, fin_rcvd;         /* the peer's SYN and FIN, received */
    int passive;                    /* got to SYN-RECEIVED from LISTEN */
    /* the peer's SYN and FIN, seen but not yet received (see above) */
    int pend[2];                    /* [0] SYN, [1] FIN: PEND_* */
    uint32_t pend_cover[2];
    size_t pend_at[2];              /* PEND_CROSSING: the index of our own segment it crossed */
    size_t pend_seg[2];             /* the segment carrying it */
};

static int seq_geq(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

static int acks(const struct lc_seg *s, uint32_t cover) { return (s->f.flags & F_ACK) && seq_geq(s->f.ack, cover); }

/* Side `me` receives the peer's SYN, carried by segment `s`. */
static void recv_syn(struct side *me, const struct lc_seg *s)
{
    if (me->syn_rcvd)
        return;
    me->syn_rcvd = 1;
    int acks_mine = me->syn_sent && acks(s, me->syn_end);
    if (acks_mine)
        me->syn_acked = 1;
    switch (me->st) {
    case LADDER_STATE_UNKNOWN: case SYNACK_TCP_CLOSED: case SYNACK_TCP_LISTEN:
        if (s->f.flags & F_ACK) {
            me->st = SYNACK_TCP_ESTABLISHED;   /* a SYN-ACK to a SYN the capture missed */
        } else {
            me->st = SYNACK_TCP_SYN_RECEIVED;  /* RFC 9293 3.10.7.2 */
            me->passive = 1;
        }
        break;
    case SYNACK_TCP_SYN_SENT:   /* RFC 9293 3.10.7.3: a SYN-ACK, or a SYN (simultaneous open) */
        me->st = acks_mine ? SYNACK_TCP_ESTABLISHED : SYNACK_TCP_SYN_RECEIVED;
        break;
    case SYNACK_TCP_SYN_RECEIVED:
        if (acks_mine)
            me->st = SYNACK_TCP_ESTABLISHED;
        break;
    default:
        break;
    }
}

/* RFC 9293 3.10.7.4, eighth step. */
static void recv_fin(struct side *me)
{
    if (me->fin_rcvd)
        return;
    me->fin_rcvd = 1;
    switch (me->st) {
    case LADDER_STATE_UNKNOWN: case SYNACK_TCP_SYN_RECEIVED: case SYNACK_TCP_ESTABLISHED:
        me->st = SYNACK_TCP_CLOSE_WAIT;
        break;
    case SYNACK_TCP_FIN_WAIT_1:
        me->st = me->fin_acked ? SYNACK_TCP_TIME_WAIT : SYNACK_TCP_CLOSING;
        break;
    case SYNACK_TCP_FIN_WAIT_2:
        me->st = SYNACK_TCP_TIME_WAIT;
        break;
    default:
        break;
    }
}

/* RFC 9293 3.10.7.4, fifth step: the ACK field. */
static void recv_ack(struct side *me, const struct lc_seg *s)
{
    if (!(s->f.flags & F_ACK))
        return;
    if (me->syn_sent && !me->syn_acked && acks(s, me->syn_end)) {
        /* A SYN-ACK whose SYN we have not taken yet completes the handshake in recv_syn. */
        if (!(s->f.flags & F_SYN) || me->syn_rcvd) {
            me->syn_acked = 1;
            if (me->st == SYNACK_TCP_SYN_RECEIVED)
                me->st = SYNACK_TCP_ESTABLISHED;
        }
    }
    if (me->fin_sent && !me->fin_acked && acks(s, me->fin_end)) {
        me->fin_acked = 1;
        if (me->st == SYNACK_TCP_FIN_WAIT_1)
            me->st = SYNACK_TCP_FIN_WAIT_2;
        else if (me->st == SYNACK_TCP_CLOSING)
            me->st = SYNACK_TCP_TIME_WAIT;
        else if (me->st == SYNACK_TCP_LAST_ACK)
            me->st = SYNACK_TCP_CLOSED;
    }
}

/* RFC 9293 3.10.7.4, second step: an (acceptable) RST. */
static void recv_rst(struct side *me)
{
    me->st = me->st == SYNACK_TCP_SYN_RECEIVED && me->passive ? SYNACK_TCP_LISTEN : SYNACK_TCP_CLOSED;
    me->pend[0] = me->pend[1] = PEND_NONE;
}

/* What sending segment `s` says about the sender. */
static void sent(struct side *me, const struct lc_seg *s)
{
    uint8_t fl = s->f.flags;
    if (fl & F_RST) {
        me->st = SYNACK_TCP_CLOSED;
        me->pend[0] = me->pend[1] = PEND_NONE;
        return;
    }
    if (fl & F_SYN) {
        if (!me->syn_sent) {
            me->syn_sent = 1;
            me->syn_end = s->f.seq + 1;
        }
        if (!(fl & F_ACK)) {
            if (me->st == LADDER_STATE_UNKNOWN || me->st == SYNACK_TCP_CLOSED)
                me->st = SYNACK_TCP_SYN_SENT;
        } else if (me->st == LADDER_STATE_UNKNOWN || me->st == SYNACK_TCP_CLOSED || me->st == SYNACK_TCP_LISTEN) {
            me->st = SYNACK_TCP_SYN_RECEIVED;   /* answering a SYN the capture missed */
            me->passive = 1;
            me->syn_rcvd = 1;
        } else if (me->st == SYNACK_TCP_SYN_SENT) {
            me->st = SYNACK_TCP_SYN_RECEIVED;
            me->syn_rcvd = 1;
        }
    } else if (me->st == LADDER_STATE_UNKNOWN) {
        me->st = me->fin_rcvd ? SYNACK_TCP_CLOSE_WAIT : SYNACK_TCP_ESTABLISHED;
    }
    if ((fl & F_FIN) && !me->fin_sent) {
        me->fin_sent = 1;
        me->fin_end = s->f.seq + (uint32_t)s->f.data_len + !!(fl & F_SYN) + 1;
        if (me->st == SYNACK_TCP_ESTABLISHED || me->st == SYNACK_TCP_SYN_RECEIVED)
            me->st = SYNACK_TCP_FIN_WAIT_1;
        else if (me->st == SYNACK_TCP_CLOSE_WAIT)
            me->st = SYNACK_TCP_LAST_ACK;
    }
}

static void apply_pending(struct side *me, const struct lc_seg *segs, int which)
{
    me->pend[which] = PEND_NONE;
    if (which == 0)
        recv_syn(me, &segs[me->pend_seg[0]]);
    else
        recv_fin(me);
}

void lc_infer(struct lc_conn *c)
{
    const size_t none = (size_t)-1;
    size_t *next_from = malloc((c->n ? c->n : 1) * sizeof(*next_from));
    if (!next_from)
        return;
    /* next_from[i]: the next segment sent by the receiver of segment i. */
    size_t last[2] = { none, none };
    for (size_t i = c->n; i-- > 0;) {
        next_from[i] = last[1 - c->segs[i].dir];
        last[c->segs[i].dir] = i;
    }
    struct side sd[2];
    memset(sd, 0, sizeof(sd));
    sd[0].st = sd[1].st = LADDER_STATE_UNKNOWN;
    for (size_t i = 0; i < c->n; i++) {
        struct lc_seg *s = &c->segs[i];
        struct side *me = &sd[s->dir], *peer = &sd[1 - s->dir];
        uint8_t fl = s->f.flags;
        /* What the sender had received before sending this. */
        for (int w = 0; w < 2; w++)
            if (me->pend[w] == PEND_UNTIL_ACK && acks(s, me->pend_cover[w]))
                apply_pending(me, c->segs, w);
        sent(me, s);
        for (int w = 0; w < 2; w++)
            if (me->pend[w] == PEND_CROSSING && me->pend_at[w] == i)
                apply_pending(me, c->segs, w);
        /* What the receiver makes of it. */
        if (fl & F_RST) {
            recv_rst(peer);
        } else {
            recv_ack(peer, s);
            uint32_t cover = s->f.seq + (uint32_t)s->f.data_len + !!(fl & F_SYN) + !!(fl & F_FIN);
            for (int w = 0; w < 2; w++) {
                uint8_t flag = w == 0 ? F_SYN : F_FIN;
                if (!(fl & flag) || (w == 0 ? peer->syn_rcvd : peer->fin_rcvd) || peer->pend[w] != PEND_NONE)
                    continue;
                size_t j = next_from[i];
                if (j == none) {
                    if (w == 1 || (fl & F_ACK))
                        w == 0 ? recv_syn(peer, s) : recv_fin(peer);
                    /* else: a SYN nobody answered leaves the receiver as it was */
                } else if (c->segs[j].f.flags & F_RST) {
                    if (w == 1 || (fl & F_ACK))
                        w == 0 ? recv_syn(peer, s) : recv_fin(peer);
                    else if (peer->st == LADDER_STATE_UNKNOWN)
                        peer->st = SYNACK_TCP_CLOSED;   /* a bare SYN refused: nothing listened */
                } else if (acks(&c->segs[j], cover)) {
                    w == 0 ? recv_syn(peer, s) : recv_fin(peer);
                } else {
                    peer->pend[w] = (c->segs[j].f.flags & flag) ? PEND_CROSSING : PEND_UNTIL_ACK;
                    peer->pend_cover[w] = cover;
                    peer->pend_at[w] = j;
                    peer->pend_seg[w] = i;
                }
            }
        }
        s->state[0] = sd[0].st;
        s->state[1] = sd[1].st;
    }
    free(next_from);
}
