/* Unit tests of `synack ladder`'s pure parts, compiled in from tools/ (which is not a library):
 * link-layer decoding (tools/ladder_conns.c), grouping segments into connections, the inference
 * of each side's state from the segments alone against RFC 9293's state diagram (handshake,
 * simultaneous open and close, refused and reset connections, a capture that starts
 * mid-connection, a lost FIN), and the renderer's marks, window scaling and output
 * (tools/ladder.c). The scenarios run over IPv6 too, with extension headers before TCP, fragments
 * (the non-first ignored, an atomic one used) and both families in one capture. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "synack/os.h"
#include "../../tools/ladder.c"
#include "../../tools/ladder_conns.c"
#include "../../tools/pcapread.c"

#define A_ADDR 0xC0000201u   /* 192.0.2.1 */
#define B_ADDR 0xC0000202u   /* 192.0.2.2 */
#define A_PORT 40000
#define B_PORT 80

/* ---- building packets ---- */

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

/* 2001:db8::1 and 2001:db8::2, the IPv6 ends. */
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, B6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

/* An IPv4 (fam 4) or IPv6 (fam 6) packet with a TCP segment of `len` zero bytes; returns its
 * length. Over IPv6, `ext` (a multiple of 8 bytes) is a chain of extension headers put before TCP:
 * its first byte is patched to the type of the header that follows. */
static size_t mk_pkt_fam(uint8_t *b, int fam, int dir, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
                         size_t len, uint16_t ip_id, const uint8_t *opts, size_t optlen, const uint8_t *ext,
                         size_t extlen, uint8_t ext_type)
{
    size_t ip_hdr = fam == 6 ? 40 + extlen : 20;
    size_t tcp_hdr = 20 + optlen, total = ip_hdr + tcp_hdr + len;
    memset(b, 0, total);
    if (fam == 6) {
        b[0] = 0x60;
        put16(b + 4, (uint32_t)(total - 40));
        b[6] = extlen ? ext_type : 6;
        b[7] = 64;
        memcpy(b + 8, dir ? B6 : A6, 16);
        memcpy(b + 24, dir ? A6 : B6, 16);
        if (extlen)
            memcpy(b + 40, ext, extlen);
    } else {
        b[0] = 0x45;
        put16(b + 2, (uint32_t)total);
        put16(b + 4, ip_id);
        put16(b + 6, 0x4000);
        b[8] = 64;
        b[9] = 6;
        put32(b + 12, dir ? B_ADDR : A_ADDR);
        put32(b + 16, dir ? A_ADDR : B_ADDR);
    }
    uint8_t *t = b + ip_hdr;
    put16(t, dir ? B_PORT : A_PORT);
    put16(t + 2, dir ? A_PORT : B_PORT);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = (uint8_t)((tcp_hdr / 4) << 4);
    t[13] = flags;
    put16(t + 14, win);
    if (optlen)
        memcpy(t + 20, opts, optlen);
    return total;
}

static size_t mk_pkt(uint8_t *b, int dir, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win, size_t len,
                     uint16_t ip_id, const uint8_t *opts, size_t optlen)
{
    return mk_pkt_fam(b, 4, dir, flags, seq, ack, win, len, ip_id, opts, optlen, NULL, 0, 0);
}

/* ---- state inference scenarios ---- */

enum {
    CL = SYNACK_TCP_CLOSED, LI = SYNACK_TCP_LISTEN, SS = SYNACK_TCP_SYN_SENT, SR = SYNACK_TCP_SYN_RECEIVED,
    ES = SYNACK_TCP_ESTABLISHED, F1 = SYNACK_TCP_FIN_WAIT_1, F2 = SYNACK_TCP_FIN_WAIT_2, CW = SYNACK_TCP_CLOSE_WAIT,
    CG = SYNACK_TCP_CLOSING, LA = SYNACK_TCP_LAST_ACK, TW = SYNACK_TCP_TIME_WAIT, UN = LADDER_STATE_UNKNOWN,
};
#define S_ 0x02
#define A_ 0x10
#define F_ 0x01
#define R_ 0x04
#define P_ 0x08

struct step {
    int dir;            /* 0: A -> B, 1: B -> A */
    uint8_t flags;
    uint32_t seq, ack, len;
    int want[2];        /* A's and B's state after it */
};

/* Feeds the steps (1 ms apart) into a table, over IPv4 or IPv6 (fam); returns it with its
 * connections inferred. */
static struct lc_table *run_fam(const struct step *s, size_t n, int fam)
{
    struct lc_table *t = malloc(sizeof(*t));
    assert_non_null(t);
    lc_init(t);
    uint8_t pkt[2000];
    for (size_t i = 0; i < n; i++) {
        size_t len = mk_pkt_fam(pkt, fam, s[i].dir, s[i].flags, s[i].seq, s[i].ack, 1000, s[i].len,
                                (uint16_t)(i + 1), NULL, 0, NULL, 0, 0);
        lc_add_ip(t, 1000000 + (synack_time_t)i * 1000, pkt, len);
    }
    for (size_t i = 0; i < t->n; i++)
        lc_infer(&t->conns[i]);
    return t;
}

static struct lc_table *run(const struct step *s, size_t n) { return run_fam(s, n, 4); }

static const char *nm(int s) { return s == UN ? "?" : synack_tcp_state_name(s); }

/* Checks a connection's states row by row; A must be side 0 (the left), of family fam. */
static void expect_states_fam(const struct lc_conn *c, const struct step *s, size_t n, int fam)
{
    assert_int_equal(c->n, n);
    if (fam == 6) {
        assert_memory_equal(c->addr[0].b, A6, 16);
        assert_memory_equal(c->addr[1].b, B6, 16);
    } else {
        assert_true(synack_ip_is_v4(&c->addr[0]));
        assert_int_equal(synack_ip_to_v4(&c->addr[0]), A_ADDR);
        assert_int_equal(synack_ip_to_v4(&c->addr[1]), B_ADDR);
    }
    assert_int_equal(c->port[0], A_PORT);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c->segs[i].dir, s[i].dir);
        if (c->segs[i].state[0] != s[i].want[0] || c->segs[i].state[1] != s[i].want[1]) {
            print_error("row %zu: got %s / %s, want %s / %s\n", i, nm(c->segs[i].state[0]), nm(c->segs[i].state[1]),
                        nm(s[i].want[0]), nm(s[i].want[1]));
            bad = 1;
        }
    }
    assert_false(bad);
}

static void expect_states(const struct lc_conn *c, const struct step *s, size_t n) { expect_states_fam(c, s, n, 4); }

/* Each scenario over IPv4, then the same over IPv6: the same connections, the same states. */
static void check(const struct step *s, size_t n)
{
    for (int fam = 4; fam <= 6; fam += 2) {
        struct lc_table *t = run_fam(s, n, fam);
        assert_int_equal(t->n, 1);
        assert_int_equal(fam == 6 ? t->ipv6 : t->ipv4, n);
        expect_states_fam(&t->conns[0], s, n, fam);
        lc_free(t);
        free(t);
    }
}
#define CHECK(steps) check(steps, sizeof(steps) / sizeof(steps[0]))

#define HANDSHAKE                                  \
    { 0, S_, 1000, 0, 0, { SS, SR } },             \
    { 1, S_ | A_, 5000, 1001, 0, { ES, SR } },     \
    { 0, A_, 1001, 5001, 0, { ES, ES } }

/* RFC 9293 figure 6 and 12: the three-way handshake, data, and a normal close by A. */
static void test_normal_close(void **state)
{
    static const struct step s[] = {
        HANDSHAKE,
        { 0, P_ | A_, 1001, 5001, 100, { ES, ES } },
        { 1, A_, 5001, 1101, 0, { ES, ES } },
        { 0, F_ | A_, 1101, 5001, 0, { F1, CW } },
        { 1, A_, 5001, 1102, 0, { F2, CW } },
        { 1, F_ | A_, 5001, 1102, 0, { TW, LA } },
        { 0, A_, 1102, 5002, 0, { TW, CL } },
    };
    CHECK(s);
}

/* The server closes first, its FIN answered by the client's FIN with the ACK in it. */
static void test_server_closes_first(void **state)
{
    static const struct step s[] = {
        HANDSHAKE,
        { 1, F_ | A_, 5001, 1001, 0, { CW, F1 } },
        { 0, F_ | A_, 1001, 5002, 0, { LA, TW } },
        { 1, A_, 5002, 1002, 0, { CL, TW } },
    };
    CHECK(s);
}

/* RFC 9293 figure 8: simultaneous open, seen from A (the SYNs cross). */
static void test_simultaneous_open(void **state)
{
    static const struct step s[] = {
        { 0, S_, 1000, 0, 0, { SS, UN } },
        { 1, S_, 5000, 0, 0, { SR, SR } },
        { 0, S_ | A_, 1000, 5001, 0, { SR, ES } },
        { 1, S_ | A_, 5000, 1001, 0, { ES, ES } },
        { 0, A_, 1001, 5001, 0, { ES, ES } },
    };
    CHECK(s);
}

/* RFC 9293 figure 13: simultaneous close; both go through CLOSING to TIME-WAIT. */
static void test_simultaneous_close(void **state)
{
    static const struct step s[] = {
        HANDSHAKE,
        { 0, F_ | A_, 1001, 5001, 0, { F1, ES } },
        { 1, F_ | A_, 5001, 1001, 0, { CG, CG } },
        { 0, A_, 1002, 5002, 0, { CG, TW } },
        { 1, A_, 5002, 1002, 0, { TW, TW } },
    };
    CHECK(s);
}

/* A SYN to a port where nothing listens: RST-ACK; both CLOSED, the server never SYN-RECEIVED. */
static void test_refused(void **state)
{
    static const struct step s[] = {
        { 0, S_, 1000, 0, 0, { SS, CL } },
        { 1, R_ | A_, 0, 1001, 0, { CL, CL } },
    };
    CHECK(s);
}

/* RFC 9293 3.10.7.4: a RST in SYN-RECEIVED after a passive open returns to LISTEN. */
static void test_rst_in_syn_received(void **state)
{
    static const struct step s[] = {
        { 0, S_, 1000, 0, 0, { SS, SR } },
        { 1, S_ | A_, 5000, 1001, 0, { ES, SR } },
        { 0, R_, 1001, 0, 0, { CL, LI } },
    };
    CHECK(s);
}

/* An abort in ESTABLISHED: the sender and the receiver of the RST are CLOSED. */
static void test_reset_established(void **state)
{
    static const struct step s[] = {
        HANDSHAKE,
        { 0, P_ | A_, 1001, 5001, 10, { ES, ES } },
        { 1, R_ | A_, 5001, 1011, 0, { CL, CL } },
    };
    CHECK(s);
}

/* A capture that starts mid-connection: a side is unknown until it sends, then ESTABLISHED;
 * the close is still followed. The server (low port) sent first but goes on the right. */
static void test_mid_capture(void **state)
{
    static const struct step s[] = {
        { 1, P_ | A_, 7000, 2000, 100, { UN, ES } },
        { 0, A_, 2000, 7100, 0, { ES, ES } },
        { 1, F_ | A_, 7100, 2000, 0, { CW, F1 } },
        { 0, A_, 2000, 7101, 0, { CW, F2 } },
        { 0, F_ | A_, 2000, 7101, 0, { LA, TW } },
        { 1, A_, 7101, 2001, 0, { CL, TW } },
    };
    CHECK(s);
}

/* A SYN nobody answers (retransmitted): the server side stays unknown; one connection. */
static void test_unanswered_syn(void **state)
{
    static const struct step s[] = {
        { 0, S_, 1000, 0, 0, { SS, UN } },
        { 0, S_, 1000, 0, 0, { SS, UN } },
    };
    CHECK(s);
}

/* A's FIN is lost after the capture point while B sends data; the retransmitted FIN arrives.
 * B reaches CLOSE-WAIT only when it acknowledges the FIN. */
static void test_lost_fin(void **state)
{
    static const struct step s[] = {
        HANDSHAKE,
        { 0, F_ | A_, 1001, 5001, 0, { F1, ES } },
        { 1, P_ | A_, 5001, 1001, 10, { F1, ES } },
        { 0, F_ | A_, 1001, 5011, 0, { F1, ES } },
        { 1, A_, 5011, 1002, 0, { F2, CW } },
        { 1, F_ | A_, 5011, 1002, 0, { TW, LA } },
        { 0, A_, 1002, 5012, 0, { TW, CL } },
    };
    CHECK(s);
}

/* The same 4-tuple used again after TIME-WAIT (a new ISN): a second connection. */
static void test_port_reuse(void **state)
{
    static const struct step s[] = {
        HANDSHAKE,
        { 0, F_ | A_, 1001, 5001, 0, { F1, CW } },
        { 1, F_ | A_, 5001, 1002, 0, { TW, LA } },
        { 0, A_, 1002, 5002, 0, { TW, CL } },
        { 0, S_, 90000, 0, 0, { SS, SR } },
        { 1, S_ | A_, 70000, 90001, 0, { ES, SR } },
        { 0, A_, 90001, 70001, 0, { ES, ES } },
    };
    struct lc_table *t = run(s, 9);
    assert_int_equal(t->n, 2);
    expect_states(&t->conns[0], s, 6);
    expect_states(&t->conns[1], s + 6, 3);
    assert_int_equal(t->conns[1].segs[0].t, 6000);   /* since the capture's first frame */
    lc_free(t);
    free(t);
}

/* A SYN-ACK seen first (the SYN missed): its receiver is the client, on the left. */
static void test_client_on_left(void **state)
{
    static const struct step s[] = {
        { 1, S_ | A_, 5000, 1001, 0, { ES, SR } },
        { 0, A_, 1001, 5001, 0, { ES, ES } },
    };
    CHECK(s);
}

/* tcpdump -i any can see one packet twice: kept once. A retransmission (new IP ID) is kept. */
static void test_captured_twice(void **state)
{
    struct lc_table t;
    lc_init(&t);
    uint8_t pkt[200];
    size_t len = mk_pkt(pkt, 0, S_, 1000, 0, 1000, 0, 7, NULL, 0);
    lc_add_ip(&t, 1000, pkt, len);
    lc_add_ip(&t, 1020, pkt, len);
    len = mk_pkt(pkt, 0, S_, 1000, 0, 1000, 0, 8, NULL, 0);
    lc_add_ip(&t, 1000000, pkt, len);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.conns[0].n, 2);
    assert_int_equal(t.twice, 1);
    lc_free(&t);
}

/* A capture with a snap length keeps headers only: the length comes from the IP header. */
static void test_snaplen(void **state)
{
    struct lc_table t;
    lc_init(&t);
    uint8_t pkt[1600];
    size_t len = mk_pkt(pkt, 0, A_, 1000, 5000, 1000, 1460, 1, NULL, 0);
    assert_int_equal(len, 1500);
    lc_add_ip(&t, 0, pkt, 54);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.conns[0].segs[0].f.data_len, 1460);
    lc_add_ip(&t, 0, pkt, 30);   /* the TCP header cut: counted, not used */
    assert_int_equal(t.bad_tcp, 1);
    pkt[9] = 17;
    lc_add_ip(&t, 0, pkt, len);
    assert_int_equal(t.non_tcp, 1);
    pkt[9] = 6;
    put16(pkt + 6, 0x2000);   /* MF: a fragment */
    lc_add_ip(&t, 0, pkt, len);
    assert_int_equal(t.fragments, 1);
    lc_free(&t);
}

/* ---- link layers ---- */

static void test_link_decode(void **state)
{
    uint8_t ip[60];
    size_t iplen = mk_pkt(ip, 0, S_, 1, 0, 100, 0, 1, NULL, 0);
    uint8_t ip6[80];
    size_t ip6len = mk_pkt_fam(ip6, 6, 0, S_, 1, 0, 100, 0, 0, NULL, 0, NULL, 0, 0);
    uint8_t f[200];
    const uint8_t *out;
    size_t outlen;
    struct { int lt; size_t hdr; int et_at; } cases[] = {
        { LC_LINK_ETHERNET, 14, 12 }, { LC_LINK_LINUX_SLL, 16, 14 }, { LC_LINK_LINUX_SLL2, 20, 0 },
        { LC_LINK_RAW, 0, -1 }, { LC_LINK_RAW_FILE, 0, -1 }, { LC_LINK_RAW_BSD, 0, -1 }, { LC_LINK_IPV4, 0, -1 },
        { LC_LINK_NULL, 4, -1 }, { LC_LINK_LOOP, 4, -1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(f, 0xee, cases[i].hdr);
        if (cases[i].et_at >= 0)
            put16(f + cases[i].et_at, 0x0800);
        memcpy(f + cases[i].hdr, ip, iplen);
        assert_true(lc_link_supported(cases[i].lt));
        assert_int_equal(lc_link_decode(cases[i].lt, f, cases[i].hdr + iplen, &out, &outlen), LC_IPV4);
        assert_ptr_equal(out, f + cases[i].hdr);
        assert_int_equal(outlen, iplen);
        assert_int_equal(lc_link_decode(cases[i].lt, f, cases[i].hdr ? cases[i].hdr - 1 : 0, &out, &outlen),
                         LC_SHORT);
        if (cases[i].et_at >= 0) {
            put16(f + cases[i].et_at, 0x86dd);   /* an IPv6 EtherType over an IPv4 header: neither */
            assert_int_equal(lc_link_decode(cases[i].lt, f, cases[i].hdr + iplen, &out, &outlen), LC_OTHER);
            put16(f + cases[i].et_at, 0x0806);
            assert_int_equal(lc_link_decode(cases[i].lt, f, cases[i].hdr + iplen, &out, &outlen), LC_OTHER);
            put16(f + cases[i].et_at, 0x86dd);
        }
        memcpy(f + cases[i].hdr, ip6, ip6len);
        assert_int_equal(lc_link_decode(cases[i].lt, f, cases[i].hdr + ip6len, &out, &outlen), LC_IPV6);
        assert_ptr_equal(out, f + cases[i].hdr);
        assert_int_equal(outlen, ip6len);
        assert_int_equal(lc_link_decode(cases[i].lt, f, cases[i].hdr + 39, &out, &outlen), LC_SHORT);
    }
    /* Ethernet with an 802.1Q tag */
    memset(f, 0, 18);
    put16(f + 12, 0x8100);
    put16(f + 16, 0x0800);
    memcpy(f + 18, ip, iplen);
    assert_int_equal(lc_link_decode(LC_LINK_ETHERNET, f, 18 + iplen, &out, &outlen), LC_IPV4);
    assert_ptr_equal(out, f + 18);
    assert_false(lc_link_supported(105));   /* 802.11 */

    /* lc_add_frame counts what is not IP, and takes IPv6 as IPv4. */
    struct lc_table t;
    lc_init(&t);
    put16(f + 12, 0x86dd);
    memcpy(f + 14, ip6, ip6len);
    lc_add_frame(&t, LC_LINK_ETHERNET, 0, f, 14 + ip6len);
    put16(f + 12, 0x0806);
    lc_add_frame(&t, LC_LINK_ETHERNET, 0, f, 60);
    lc_add_frame(&t, LC_LINK_ETHERNET, 0, f, 10);
    assert_int_equal(t.frames, 3);
    assert_int_equal(t.ipv6, 1);
    assert_int_equal(t.other, 1);
    assert_int_equal(t.short_frames, 1);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.conns[0].n, 1);
    assert_memory_equal(t.conns[0].addr[0].b, A6, 16);
    lc_free(&t);
}

/* ---- IPv6 ---- */

/* Extension headers before TCP are walked (hop-by-hop, destination options, routing); a non-first
 * fragment is ignored and so is a first one (no TCP reassembly, as for IPv4); an atomic fragment
 * (offset 0, M clear) holds a whole segment and is drawn. The length comes from the payload length,
 * the capture cut to the headers. */
static void test_ipv6_extension_headers(void **state)
{
    struct lc_table t;
    lc_init(&t);
    uint8_t pkt[2000];
    /* hop-by-hop (8 bytes, PadN) -> destination options (16 bytes) -> routing (8 bytes) -> TCP */
    uint8_t ext[32] = { 60, 0, 1, 4, 0, 0, 0, 0,    43, 1, 1, 12, [24] = 6 };
    size_t len = mk_pkt_fam(pkt, 6, 0, S_, 1000, 0, 1000, 0, 0, NULL, 0, ext, 32, 0);
    lc_add_ip(&t, 0, pkt, len);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.conns[0].n, 1);
    assert_int_equal(t.conns[0].segs[0].f.seq, 1000);
    assert_int_equal(t.conns[0].port[0], A_PORT);
    assert_int_equal(t.conns[0].port[1], B_PORT);
    /* a data segment, only its headers captured: 1200 bytes from the payload length */
    len = mk_pkt_fam(pkt, 6, 1, S_ | A_, 5000, 1001, 1000, 1200, 0, NULL, 0, ext, 32, 0);
    lc_add_ip(&t, 10, pkt, 40 + 32 + 20);
    assert_int_equal(t.conns[0].n, 2);
    assert_int_equal(t.conns[0].segs[1].f.data_len, 1200);
    assert_int_equal(t.conns[0].segs[1].dir, 1);
    /* an extension header cut off: counted, not used */
    lc_add_ip(&t, 20, pkt, 40 + 10);
    assert_int_equal(t.bad_tcp, 1);
    /* fragments: a non-first (offset 8) and a first (M set) are skipped; an atomic one is drawn */
    uint8_t frag[8] = { 6, 0, 0, 8, 0, 0, 0, 1 };
    len = mk_pkt_fam(pkt, 6, 0, A_, 1001, 5001, 1000, 0, 0, NULL, 0, frag, 8, 44);
    lc_add_ip(&t, 30, pkt, len);
    frag[3] = 1;   /* offset 0, M */
    len = mk_pkt_fam(pkt, 6, 0, A_, 1001, 5001, 1000, 0, 0, NULL, 0, frag, 8, 44);
    lc_add_ip(&t, 40, pkt, len);
    assert_int_equal(t.fragments, 2);
    assert_int_equal(t.conns[0].n, 2);
    frag[3] = 0;   /* atomic */
    len = mk_pkt_fam(pkt, 6, 0, A_, 1001, 5001, 1000, 0, 0, NULL, 0, frag, 8, 44);
    lc_add_ip(&t, 50, pkt, len);
    assert_int_equal(t.conns[0].n, 3);
    /* ICMPv6 is not TCP */
    len = mk_pkt_fam(pkt, 6, 0, A_, 1, 1, 1, 0, 0, NULL, 0, NULL, 0, 0);
    pkt[6] = 58;
    lc_add_ip(&t, 60, pkt, len);
    assert_int_equal(t.non_tcp, 1);
    assert_int_equal(t.ipv6, 7);
    assert_int_equal(t.ipv4, 0);
    lc_free(&t);
}

/* The public view alone: addresses, the upper-layer protocol after the chain, the fragment fields. */
static void test_ipv6_fields(void **state)
{
    uint8_t pkt[200];
    uint8_t frag[8] = { 6, 0, 0x01, 0x01, 0xde, 0xad, 0xbe, 0xef };   /* offset 32, M */
    size_t len = mk_pkt_fam(pkt, 6, 1, A_, 1, 1, 1, 10, 0, NULL, 0, frag, 8, 44);
    pkt[1] = 0x0a;   /* a flow label */
    struct synack_ip6_fields f;
    assert_int_equal(synack_ip6_fields(pkt, len, &f), 0);
    assert_memory_equal(f.src.b, B6, 16);
    assert_memory_equal(f.dst.b, A6, 16);
    assert_int_equal(f.flow_label, 0xa0000);
    assert_int_equal(f.hop_limit, 64);
    assert_true(f.fragment);
    assert_int_equal(f.frag_offset, 256);
    assert_true(f.frag_more);
    assert_int_equal(f.frag_id, 0xdeadbeef);
    assert_int_equal(f.proto, 6);
    assert_int_equal(f.hdr_len, 48);   /* a non-first fragment: the walk stops after its header */
    assert_int_equal(f.total_len, len);
    assert_int_equal(f.wire_len, len);
    assert_int_equal(synack_ip6_fields(pkt, 39, &f), -EINVAL);
    assert_int_equal(synack_ip6_fields(pkt, 45, &f), -EINVAL);   /* the fragment header cut */
    pkt[0] = 0x45;
    assert_int_equal(synack_ip6_fields(pkt, len, &f), -EINVAL);
}

/* Both families in one capture, written as a pcap file and read back through libpcap: an IPv4 and
 * an IPv6 connection (Ethernet), with ND between them; each drawn with its own addresses. */
static size_t eth(uint8_t *f, int fam, const uint8_t *ip, size_t len)
{
    memset(f, 0, 14);
    f[0] = 2;
    f[6] = 2;
    put16(f + 12, fam == 6 ? 0x86dd : 0x0800);
    memcpy(f + 14, ip, len);
    return 14 + len;
}

static void add_frame_cb(void *ctx, int linktype, synack_time_t ts, const uint8_t *frame, size_t caplen)
{
    lc_add_frame(ctx, linktype, ts, frame, caplen);
}

static void test_dual_stack_pcap(void **state)
{
    char path[] = "/tmp/synack_ladder6_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    synack_pcap_t *pc = synack_pcap_open(path, 1);
    assert_non_null(pc);
    static const struct step hs[] = { HANDSHAKE, { 0, F_ | A_, 1001, 5001, 0, { F1, CW } },
                                      { 1, F_ | A_, 5001, 1002, 0, { TW, LA } }, { 0, A_, 1002, 5002, 0, { TW, CL } } };
    uint8_t ip[200], f[300];
    synack_time_t ts = SYNACK_SEC(1700000000);
    /* a neighbour solicitation first: counted as not TCP */
    size_t len = mk_pkt_fam(ip, 6, 0, 0, 0, 0, 0, 0, 0, NULL, 0, NULL, 0, 0);
    ip[6] = 58;
    synack_pcap_write(pc, ts, f, eth(f, 6, ip, len));
    for (size_t i = 0; i < 6; i++)
        for (int fam = 4; fam <= 6; fam += 2) {
            len = mk_pkt_fam(ip, fam, hs[i].dir, hs[i].flags, hs[i].seq, hs[i].ack, 1000, hs[i].len,
                             (uint16_t)(i + 1), NULL, 0, NULL, 0, 0);
            ts += 1000;
            synack_pcap_write(pc, ts, f, eth(f, fam, ip, len));
        }
    synack_pcap_close(pc);

    struct lc_table t;
    lc_init(&t);
    struct pcapread_info info;
    char err[200];
    assert_int_equal(pcapread_file(path, add_frame_cb, &t, &info, err, sizeof(err)), 0);
    unlink(path);
    assert_int_equal(info.packets, 13);
    assert_int_equal(t.ipv4, 6);
    assert_int_equal(t.ipv6, 7);
    assert_int_equal(t.non_tcp, 1);
    assert_int_equal(t.n, 2);
    for (size_t i = 0; i < 2; i++)
        lc_infer(&t.conns[i]);
    expect_states_fam(&t.conns[0], hs, 6, 4);
    expect_states_fam(&t.conns[1], hs, 6, 6);

    /* Drawn with the IPv6 ends in brackets, as synack_sockaddr_format writes them. */
    char left[SYNACK_SOCKADDR_STRLEN], right[SYNACK_SOCKADDR_STRLEN];
    struct synack_sockaddr a = { t.conns[1].addr[0], t.conns[1].port[0] }, b = { t.conns[1].addr[1], t.conns[1].port[1] };
    synack_sockaddr_format(&a, left, sizeof(left));
    synack_sockaddr_format(&b, right, sizeof(right));
    assert_string_equal(left, "[2001:db8::1]:40000");
    assert_string_equal(right, "[2001:db8::2]:80");
    struct ladder l;
    ladder_init(&l, left, right);
    for (size_t i = 0; i < t.conns[1].n; i++) {
        const struct lc_seg *sg = &t.conns[1].segs[i];
        ladder_add_fields(&l, sg->t, sg->dir, &sg->f, 0, sg->state[0], sg->state[1]);
    }
    char *out = NULL;
    size_t outlen = 0;
    FILE *mf = open_memstream(&out, &outlen);
    ladder_print_text(&l, mf, 0, 0);
    fclose(mf);
    assert_non_null(strstr(out, "[2001:db8::1]:40000"));
    assert_non_null(strstr(out, "[2001:db8::2]:80"));
    assert_non_null(strstr(out, "TIME-WAIT"));
    free(out);
    ladder_free(&l);
    lc_free(&t);
}

/* ---- the renderer ---- */

static struct synack_tcp_fields seg(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win, size_t len)
{
    struct synack_tcp_fields f;
    memset(&f, 0, sizeof(f));
    f.flags = flags;
    f.seq = seq;
    f.ack = ack;
    f.win = win;
    f.data_len = len;
    return f;
}

static void test_marks(void **state)
{
    struct ladder l;
    ladder_init(&l, "A", "B");
    struct { int dir; struct synack_tcp_fields f; const char *mark; } rows[] = {
        { 0, seg(P_ | A_, 1, 1, 100, 100), "" },
        { 0, seg(P_ | A_, 1, 1, 100, 100), "retransmission" },
        { 1, seg(A_, 1, 101, 1000, 0), "" },
        { 1, seg(A_, 1, 101, 1000, 0), "dup ack #1" },
        { 1, seg(A_, 1, 101, 1000, 0), "dup ack #2" },
        { 1, seg(A_, 1, 101, 2000, 0), "window update" },
        { 1, seg(A_, 1, 101, 0, 0), "zero window" },
        { 0, seg(A_, 100, 1, 100, 0), "window probe" },
        { 1, seg(A_, 1, 101, 500, 0), "window update" },
        { 0, seg(A_, 100, 1, 100, 0), "keep-alive" },
        { 1, seg(A_, 1, 101, 500, 0), "probe answer" },
        { 1, seg(A_, 1, 101, 500, 0), "dup ack #1" },
        { 0, seg(R_ | A_, 101, 1, 0, 0), "reset" },
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        ladder_add_fields(&l, i, rows[i].dir, &rows[i].f, 0, -1, -1);
        assert_string_equal(l.rows[i].mark, rows[i].mark);
    }
    ladder_free(&l);
}

/* RFC 7323 2.3: windows scale once both SYNs carried the option; a SYN's own window never. */
static void test_window_scaling(void **state)
{
    struct ladder l;
    ladder_init(&l, "A", "B");
    struct synack_tcp_fields f = seg(S_, 1000, 0, 64240, 0);
    f.has_wscale = 1;
    f.wscale = 7;
    ladder_add_fields(&l, 0, 0, &f, 0, -1, -1);
    f = seg(S_ | A_, 5000, 1001, 65160, 0);
    f.has_wscale = 1;
    f.wscale = 10;
    ladder_add_fields(&l, 0, 1, &f, 0, -1, -1);
    f = seg(A_, 1001, 5001, 502, 0);
    ladder_add_fields(&l, 0, 0, &f, 0, -1, -1);
    f = seg(A_, 5001, 1001, 64, 0);
    ladder_add_fields(&l, 0, 1, &f, 0, -1, -1);
    assert_int_equal(l.rows[0].win, 64240);
    assert_int_equal(l.rows[1].win, 65160);
    assert_int_equal(l.rows[2].win, 502 << 7);
    assert_int_equal(l.rows[3].win, 64 << 10);
    ladder_free(&l);

    ladder_init(&l, "A", "B");   /* one side without the option: no scaling either way */
    f = seg(S_, 1000, 0, 64240, 0);
    f.has_wscale = 1;
    f.wscale = 7;
    ladder_add_fields(&l, 0, 0, &f, 0, -1, -1);
    f = seg(S_ | A_, 5000, 1001, 65160, 0);
    ladder_add_fields(&l, 0, 1, &f, 0, -1, -1);
    f = seg(A_, 1001, 5001, 502, 0);
    ladder_add_fields(&l, 0, 0, &f, 0, -1, -1);
    assert_int_equal(l.rows[2].win, 502);
    ladder_free(&l);
}

static char *render_text(const struct ladder *l, int absolute)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    ladder_print_text(l, f, 0, absolute);
    fclose(f);
    return buf;
}

/* The drawing of a connection: relative and absolute numbers, "?" for an unknown state, the
 * right state column aligned, long runs cut in the middle, and SVG. */
static void test_render(void **state)
{
    static const struct step s[] = {
        { 1, P_ | A_, 7000, 2000, 100, { UN, ES } },
        { 0, A_, 2000, 7100, 0, { ES, ES } },
    };
    struct lc_table *t = run(s, 2);
    struct ladder l;
    ladder_init(&l, "192.0.2.1:40000", "192.0.2.2:80");
    for (size_t i = 0; i < t->conns[0].n; i++) {
        const struct lc_seg *sg = &t->conns[0].segs[i];
        ladder_add_fields(&l, sg->t, sg->dir, &sg->f, 0, sg->state[0], sg->state[1]);
    }
    char *txt = render_text(&l, 0);
    assert_non_null(strstr(txt, "P. seq 1:101 ack 1 win 1000 len 100"));
    assert_non_null(strstr(txt, ". seq 1 ack 101 win 1000"));
    assert_non_null(strstr(txt, " ?  "));   /* A unknown on the first row */
    /* Each line's right state starts at the same column (counted in characters). */
    int col = -1;
    for (char *line = strtok(txt, "\n"); line; line = strtok(NULL, "\n")) {
        char *at = strstr(line, "ESTABLISHED");
        if (!at || at - line < 40)
            continue;
        int chars = 0;
        for (char *p = line; p < at; p++)
            chars += ((unsigned char)*p & 0xc0) != 0x80;
        if (col < 0)
            col = chars;
        assert_int_equal(chars, col);
    }
    assert_int_equal(col, 84);
    free(txt);
    txt = render_text(&l, 1);
    assert_non_null(strstr(txt, "P. seq 7000:7100 ack 2000"));
    free(txt);

    snprintf(l.title, sizeof(l.title), "connection 1 <&>");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const struct ladder *two[2] = { &l, &l };
    ladder_print_svg_many(two, 2, f, 0);
    fclose(f);
    assert_int_equal(strncmp(buf, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39), 0);
    assert_non_null(strstr(buf, "connection 1 &lt;&amp;&gt;"));
    assert_null(strstr(buf + 1, "<svg"));   /* one document */
    assert_string_equal(buf + len - 7, "</svg>\n");
    free(buf);

    for (int i = 0; i < 100; i++) {
        struct synack_tcp_fields fd = seg(A_, 2000, 7100, 1000, 0);
        ladder_add_fields(&l, 10000 + (synack_time_t)i, 0, &fd, 0, ES, ES);
    }
    ladder_elide(&l, 10, 5, "--conn 1 shows all");
    assert_int_equal(l.n, 16);
    assert_int_equal(l.rows[10].dir, -1);
    assert_string_equal(l.rows[10].note, "... 87 segments not shown; --conn 1 shows all ...");
    assert_int_equal(l.rows[15].t, 10099);
    ladder_elide(&l, 10, 5, NULL);   /* short enough already */
    assert_int_equal(l.n, 16);
    ladder_free(&l);
    lc_free(t);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal_close),
        cmocka_unit_test(test_server_closes_first),
        cmocka_unit_test(test_simultaneous_open),
        cmocka_unit_test(test_simultaneous_close),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_rst_in_syn_received),
        cmocka_unit_test(test_reset_established),
        cmocka_unit_test(test_mid_capture),
        cmocka_unit_test(test_unanswered_syn),
        cmocka_unit_test(test_lost_fin),
        cmocka_unit_test(test_port_reuse),
        cmocka_unit_test(test_client_on_left),
        cmocka_unit_test(test_captured_twice),
        cmocka_unit_test(test_snaplen),
        cmocka_unit_test(test_link_decode),
        cmocka_unit_test(test_ipv6_extension_headers),
        cmocka_unit_test(test_ipv6_fields),
        cmocka_unit_test(test_dual_stack_pcap),
        cmocka_unit_test(test_marks),
        cmocka_unit_test(test_window_scaling),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
