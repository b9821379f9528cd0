/* The shards' steering program (steer_bpf.h): eBPF instructions written here in C, one program per
 * set of shards (its key and N are immediates), loaded with bpf(2) and attached to the device
 * with TUNSETSTEERINGEBPF. The tun driver runs it for each frame it sends to the device and takes
 * its return value, modulo the queues, as the queue; a packet load beyond the frame ends the
 * program with 0. It places a frame exactly where synack_shards_steer (shard.c) would send it
 * when that names one shard for a TCP or UDP flow, from the frame as the kernel transmits it:
 *
 *   IPv4 (not a fragment) with TCP or UDP       the flow's owner, local = destination
 *   ICMP error (RFC 792) quoting IPv4 TCP/UDP    the quoted flow's owner, local = quoted source
 *   IPv6, fixed header then TCP or UDP           the flow's owner
 *   ICMPv6 error (RFC 4443 3) quoting IPv6 TCP/UDP  the quoted flow's owner
 *   anything else                                queue 0
 *
 * "Anything else" (fragments, IPv6 extension headers, ARP, neighbour discovery, an error quoting
 * the other family) is then steered in user space as before: the shard that reads it hands it
 * over, copies it to all, or keeps it. Queue 0 is where synack_shards_steer sends fragments.
 *
 * Registers: R6 the packet (the context, as LD_ABS/LD_IND require), R9 the IPv4 header length
 * (and the quoted one's added), R8 a scratch register the packet loads leave alone (they clobber
 * R0 to R5), R7 the hash. The five 64-bit inputs of the hash are stored in the stack, so the
 * paths share one copy of it. */
#include "steer_bpf.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "steer_hash.h"

enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };
#define ABS (-1)   /* a packet load at a fixed offset; else relative to a register */

enum label {
    L_V4,
    L_V4_PORTS,
    L_V4_ERR,
    L_V4_ERR_TUPLE,
    L_V6,
    L_V6_PORTS,
    L_V6_ERR_TUPLE,
    L_HASH,
    L_FALLBACK,
    L_COUNT
};

struct prog {
    struct bpf_insn *insn;
    int n, overflow;
    int at[L_COUNT];
    struct {
        int insn;
        enum label to;
    } fix[64];
    int nfix;
};

static void put(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    if (p->n >= STEER_BPF_MAX) {
        p->overflow = 1;
        return;
    }
    struct bpf_insn *i = &p->insn[p->n++];
    memset(i, 0, sizeof(*i));
    i->code = code;
    i->dst_reg = dst & 15;
    i->src_reg = src & 15;
    i->off = off;
    i->imm = imm;
}

static void alu_k(struct prog *p, uint8_t op, uint8_t dst, int32_t imm) { put(p, BPF_ALU64 | op | BPF_K, dst, 0, 0, imm); }
static void alu_x(struct prog *p, uint8_t op, uint8_t dst, uint8_t src) { put(p, BPF_ALU64 | op | BPF_X, dst, src, 0, 0); }
static void mov_x(struct prog *p, uint8_t dst, uint8_t src) { alu_x(p, BPF_MOV, dst, src); }

/* A 64-bit constant takes two instructions, its halves in their imm fields. */
static void ld_imm64(struct prog *p, uint8_t dst, uint64_t v)
{
    put(p, BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, (int32_t)(uint32_t)v);
    put(p, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

/* R0 = the big-endian field of `size` at `off` in the frame, or at R<reg> + off. */
static void ld_pkt(struct prog *p, uint8_t size, int reg, int32_t off)
{
    if (reg == ABS)
        put(p, BPF_LD | size | BPF_ABS, 0, 0, 0, off);
    else
        put(p, BPF_LD | size | BPF_IND, 0, (uint8_t)reg, 0, off);
}

static void jmp_k(struct prog *p, uint8_t op, uint8_t dst, int32_t imm, enum label to)
{
    if (p->nfix < (int)(sizeof(p->fix) / sizeof(p->fix[0]))) {
        p->fix[p->nfix].insn = p->n;
        p->fix[p->nfix++].to = to;
    } else {
        p->overflow = 1;
    }
    put(p, BPF_JMP | op | BPF_K, dst, 0, 0, imm);
}

static void jmp(struct prog *p, enum label to) { jmp_k(p, BPF_JA, 0, 0, to); }
static void here(struct prog *p, enum label l) { p->at[l] = p->n; }

/* The hash's inputs, in the order steer_hash takes them: slots 0-1 the local address, 2-3 the
 * remote one, 4 the ports. */
static int16_t slot(int k) { return (int16_t)(-8 * (k + 1)); }
static void st_slot(struct prog *p, int k, uint8_t src) { put(p, BPF_STX | BPF_DW | BPF_MEM, R10, src, slot(k), 0); }

/* Two big-endian words of the frame, at off and off + 4, as one input (steer_pair). */
static void pair(struct prog *p, int reg, int32_t off, int k)
{
    ld_pkt(p, BPF_W, reg, off);
    mov_x(p, R8, R0);
    alu_k(p, BPF_LSH, R8, 32);
    ld_pkt(p, BPF_W, reg, off + 4);
    alu_x(p, BPF_OR, R8, R0);
    st_slot(p, k, R8);
}

static void addr6(struct prog *p, int reg, int32_t off, int k)
{
    pair(p, reg, off, k);
    pair(p, reg, off + 8, k + 1);
}

/* An IPv4 address as its IPv4-mapped IPv6 form: words 0, 0, 0xffff, the address. */
static void addr4(struct prog *p, int reg, int32_t off, int k)
{
    put(p, BPF_ST | BPF_DW | BPF_MEM, R10, 0, slot(k), 0);
    ld_pkt(p, BPF_W, reg, off);
    ld_imm64(p, R8, 0xffffull << 32);
    alu_x(p, BPF_OR, R8, R0);
    st_slot(p, k + 1, R8);
}

static void ports(struct prog *p, int reg, int32_t lport, int32_t rport)
{
    ld_pkt(p, BPF_H, reg, lport);
    mov_x(p, R8, R0);
    alu_k(p, BPF_LSH, R8, 16);
    ld_pkt(p, BPF_H, reg, rport);
    alu_x(p, BPF_OR, R8, R0);
    st_slot(p, 4, R8);
}

/* R<dst> = the IPv4 header length of the header whose first byte is in R0 (version checked:
 * anything but 4, or a length under 20, is not placed). */
static void ihl4(struct prog *p, uint8_t dst)
{
    mov_x(p, R8, R0);
    alu_k(p, BPF_RSH, R8, 4);
    jmp_k(p, BPF_JNE, R8, 4, L_FALLBACK);
    alu_k(p, BPF_AND, R0, 15);
    alu_k(p, BPF_LSH, R0, 2);
    jmp_k(p, BPF_JLT, R0, 20, L_FALLBACK);
    if (dst != R0)
        mov_x(p, dst, R0);
}

int steer_bpf_build(struct bpf_insn *out, const uint64_t key[2], unsigned n, int ethernet)
{
    struct prog p;
    memset(&p, 0, sizeof(p));
    p.insn = out;
    for (int l = 0; l < L_COUNT; l++)
        p.at[l] = -1;
    const int32_t e = ethernet ? 14 : 0;   /* the IP header's offset */

    mov_x(&p, R6, R1);
    if (ethernet) {
        ld_pkt(&p, BPF_H, ABS, 12);   /* EtherType */
        jmp_k(&p, BPF_JEQ, R0, 0x0800, L_V4);
        jmp_k(&p, BPF_JEQ, R0, 0x86dd, L_V6);
        jmp(&p, L_FALLBACK);
    } else {
        ld_pkt(&p, BPF_B, ABS, 0);
        alu_k(&p, BPF_RSH, R0, 4);
        jmp_k(&p, BPF_JEQ, R0, 6, L_V6);
    }

    /* IPv4: a fragment (MF or an offset) is not placed, like any other non-flow. */
    here(&p, L_V4);
    ld_pkt(&p, BPF_B, ABS, e);
    ihl4(&p, R9);
    ld_pkt(&p, BPF_H, ABS, e + 6);
    alu_k(&p, BPF_AND, R0, 0x3fff);
    jmp_k(&p, BPF_JNE, R0, 0, L_FALLBACK);
    ld_pkt(&p, BPF_B, ABS, e + 9);
    jmp_k(&p, BPF_JEQ, R0, 6, L_V4_PORTS);
    jmp_k(&p, BPF_JEQ, R0, 17, L_V4_PORTS);
    jmp_k(&p, BPF_JNE, R0, 1, L_FALLBACK);
    /* RFC 792: destination unreachable, source quench, redirect, time exceeded and parameter
     * problem quote our datagram's header and 8 bytes after it, 8 bytes into the message. */
    ld_pkt(&p, BPF_B, R9, e);
    jmp_k(&p, BPF_JEQ, R0, 3, L_V4_ERR);
    jmp_k(&p, BPF_JEQ, R0, 4, L_V4_ERR);
    jmp_k(&p, BPF_JEQ, R0, 5, L_V4_ERR);
    jmp_k(&p, BPF_JEQ, R0, 11, L_V4_ERR);
    jmp_k(&p, BPF_JNE, R0, 12, L_FALLBACK);
    here(&p, L_V4_ERR);
    ld_pkt(&p, BPF_B, R9, e + 8);
    ihl4(&p, R0);
    ld_pkt(&p, BPF_B, R9, e + 8 + 9);
    jmp_k(&p, BPF_JEQ, R0, 6, L_V4_ERR_TUPLE);
    jmp_k(&p, BPF_JNE, R0, 17, L_FALLBACK);
    here(&p, L_V4_ERR_TUPLE);
    /* Our packet: its source is the local end. */
    addr4(&p, R9, e + 8 + 12, 0);
    addr4(&p, R9, e + 8 + 16, 2);
    ld_pkt(&p, BPF_B, R9, e + 8);
    alu_k(&p, BPF_AND, R0, 15);
    alu_k(&p, BPF_LSH, R0, 2);
    alu_x(&p, BPF_ADD, R9, R0);
    ports(&p, R9, e + 8, e + 8 + 2);
    jmp(&p, L_HASH);
    here(&p, L_V4_PORTS);
    addr4(&p, ABS, e + 16, 0);
    addr4(&p, ABS, e + 12, 2);
    ports(&p, R9, e + 2, e);
    jmp(&p, L_HASH);

    /* IPv6: TCP or UDP right after the fixed header; an extension header is not placed. */
    here(&p, L_V6);
    ld_pkt(&p, BPF_B, ABS, e);
    alu_k(&p, BPF_RSH, R0, 4);
    jmp_k(&p, BPF_JNE, R0, 6, L_FALLBACK);
    ld_pkt(&p, BPF_B, ABS, e + 6);
    jmp_k(&p, BPF_JEQ, R0, 6, L_V6_PORTS);
    jmp_k(&p, BPF_JEQ, R0, 17, L_V6_PORTS);
    jmp_k(&p, BPF_JNE, R0, 58, L_FALLBACK);
    /* RFC 4443 3: the error messages (types 1 to 4) quote the packet that caused them from 8
     * bytes into the message. */
    ld_pkt(&p, BPF_B, ABS, e + 40);
    jmp_k(&p, BPF_JLT, R0, 1, L_FALLBACK);
    jmp_k(&p, BPF_JGT, R0, 4, L_FALLBACK);
    ld_pkt(&p, BPF_B, ABS, e + 48);
    alu_k(&p, BPF_RSH, R0, 4);
    jmp_k(&p, BPF_JNE, R0, 6, L_FALLBACK);
    ld_pkt(&p, BPF_B, ABS, e + 48 + 6);
    jmp_k(&p, BPF_JEQ, R0, 6, L_V6_ERR_TUPLE);
    jmp_k(&p, BPF_JNE, R0, 17, L_FALLBACK);
    here(&p, L_V6_ERR_TUPLE);
    addr6(&p, ABS, e + 48 + 8, 0);
    addr6(&p, ABS, e + 48 + 24, 2);
    ports(&p, ABS, e + 88, e + 90);
    jmp(&p, L_HASH);
    here(&p, L_V6_PORTS);
    addr6(&p, ABS, e + 24, 0);
    addr6(&p, ABS, e + 8, 2);
    ports(&p, ABS, e + 42, e + 40);

    /* steer_hash, then steer_shard. */
    here(&p, L_HASH);
    ld_imm64(&p, R7, key[0]);
    ld_imm64(&p, R9, STEER_MUL);
    for (int k = 0; k < 5; k++) {
        put(&p, BPF_LDX | BPF_DW | BPF_MEM, R8, R10, slot(k), 0);
        if (k == 4) {
            ld_imm64(&p, R1, key[1]);
            alu_x(&p, BPF_XOR, R8, R1);
        }
        alu_x(&p, BPF_XOR, R7, R8);
        alu_x(&p, BPF_MUL, R7, R9);
        mov_x(&p, R8, R7);
        alu_k(&p, BPF_RSH, R8, STEER_FOLD);
        alu_x(&p, BPF_XOR, R7, R8);
    }
    ld_imm64(&p, R1, STEER_FIN);
    alu_x(&p, BPF_MUL, R7, R1);
    mov_x(&p, R8, R7);
    alu_k(&p, BPF_RSH, R8, STEER_FOLD2);
    alu_x(&p, BPF_XOR, R7, R8);
    alu_x(&p, BPF_MUL, R7, R9);
    alu_k(&p, BPF_RSH, R7, 32);
    alu_k(&p, BPF_MUL, R7, (int32_t)n);
    alu_k(&p, BPF_RSH, R7, 32);
    mov_x(&p, R0, R7);
    put(&p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

    here(&p, L_FALLBACK);
    alu_k(&p, BPF_MOV, R0, 0);
    put(&p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

    if (p.overflow)
        return -ENOSPC;
    for (int i = 0; i < p.nfix; i++) {
        int to = p.at[p.fix[i].to];
        if (to < 0)
            return -EINVAL;
        out[p.fix[i].insn].off = (int16_t)(to - (p.fix[i].insn + 1));
    }
    return p.n;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
#ifdef __NR_bpf
    long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));
    return r < 0 ? -errno : (int)r;
#else
    (void)cmd;
    (void)attr;
    return -ENOSYS;
#endif
}

int steer_bpf_load(const uint64_t key[2], unsigned n, int ethernet, char *log, size_t logcap)
{
    if (log && logcap)
        log[0] = '\0';
    if (n < 1)
        return -EINVAL;
    struct bpf_insn insn[STEER_BPF_MAX];
    int cnt = steer_bpf_build(insn, key, n, ethernet);
    if (cnt < 0)
        return cnt;
    /* No GPL-only helper is called (packet loads are instructions), so any license string will do. */
    static const char license[] = "BSD";
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    a.insn_cnt = (uint32_t)cnt;
    a.insns = (uint64_t)(uintptr_t)insn;
    a.license = (uint64_t)(uintptr_t)license;
    memcpy(a.prog_name, "synack_steer", sizeof("synack_steer"));
    int fd = sys_bpf(BPF_PROG_LOAD, &a);
    if (fd >= 0 || !log || logcap < 2 || (fd != -EINVAL && fd != -EACCES))
        return fd;
    /* Refused by the verifier: again, to get its reasons. */
    a.log_level = 1;
    a.log_size = (uint32_t)(logcap > UINT32_MAX ? UINT32_MAX : logcap);
    a.log_buf = (uint64_t)(uintptr_t)log;
    int again = sys_bpf(BPF_PROG_LOAD, &a);
    if (again >= 0)
        return again;
    log[logcap - 1] = '\0';
    return fd;
}
