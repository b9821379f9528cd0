#!/usr/bin/env python3
"""Writes hand-made IPv6 seeds for fuzz_frame (tests/fuzz/corpus/fuzz_frame/ip6_*; the single-frame
ones also as packets for fuzz_ip6 and messages for fuzz_icmp6), built from the
RFC formats (RFC 8200 headers, RFC 4861 messages), addressed to fuzz_frame's stack (MAC
02:00:00:00:00:01, 2001:db8::1). Frames of one input are joined with fuzz_frame's 0xff 0x00 0xff
marker, each after its control byte (0: Ethernet, no time step).

  python3 tests/fuzz/gen_ip6_seeds.py tests/fuzz/corpus"""
import ipaddress
import os
import struct
import sys

US_MAC, PEER_MAC, RTR_MAC = bytes([2, 0, 0, 0, 0, 1]), bytes([2, 0, 0, 0, 0, 2]), bytes([2, 0, 0, 0, 0, 0xfe])


def a(s):
    return ipaddress.IPv6Address(s).packed


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def icmp(src, dst, t, code, word, body):
    m = struct.pack("!BBHI", t, code, 0, word) + body
    ph = a(src) + a(dst) + struct.pack("!I", len(m)) + b"\0\0\0\x3a"
    c = csum(ph + m)
    return m[:2] + struct.pack("!H", c) + m[4:]


def ip6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, hlim) + a(src) + a(dst) + payload


def eth(pkt, dst=US_MAC, src=PEER_MAC):
    if pkt[24] == 0xFF:
        dst = b"\x33\x33" + pkt[36:40]
    return dst + src + b"\x86\xdd" + pkt


def frame(pkt, src=PEER_MAC):
    return b"\x00" + eth(pkt, src=src)


def echo(src, dst, seq, n=16):
    return icmp(src, dst, 128, 0, 0x1234 << 16 | seq, bytes(i & 0xff for i in range(n)))


def seeds():
    out = {}
    pfx = bytes([3, 4, 64, 0xC0]) + struct.pack("!III", 3600, 1800, 0) + a("2001:db8:5::")
    ra_body = struct.pack("!II", 0, 0) + pfx + bytes([5, 1, 0, 0]) + struct.pack("!I", 1400) + bytes([1, 1]) + RTR_MAC
    ra = ip6("fe80::1", "ff02::1", 58, icmp("fe80::1", "ff02::1", 134, 0, 64 << 24 | 1800, ra_body), 255)
    out["ip6_ra_prefix_mtu"] = frame(ra, RTR_MAC)
    ns_dad = ip6("::", "ff02::1:ff00:1", 58, icmp("::", "ff02::1:ff00:1", 135, 0, 0, a("2001:db8::1")), 255)
    out["ip6_ns_dad"] = frame(ns_dad)
    na = ip6("2001:db8::2", "2001:db8::1", 58,
             icmp("2001:db8::2", "2001:db8::1", 136, 0, 0x60000000, a("2001:db8::2") + bytes([2, 1]) + PEER_MAC), 255)
    out["ip6_na_solicited"] = frame(na)
    e = echo("2001:db8::2", "2001:db8::1", 1)
    out["ip6_hbh_unknown_opt"] = frame(ip6("2001:db8::2", "2001:db8::1", 0, bytes([58, 0, 0x9e, 2, 0, 0, 1, 0]) + e))
    out["ip6_dstopt_skip"] = frame(ip6("2001:db8::2", "2001:db8::1", 60, bytes([58, 0, 0x1e, 4, 0, 0, 0, 0]) + e))
    out["ip6_rthdr0"] = frame(ip6("2001:db8::2", "2001:db8::1", 43, bytes([58, 2, 0, 1, 0, 0, 0, 0]) + a("2001:db8::9") + e))
    big = echo("2001:db8::2", "2001:db8::1", 2, 1000)
    f = lambda off, n, m, ident=77: ip6("2001:db8::2", "2001:db8::1", 44,
                                        struct.pack("!BBHI", 58, 0, off | m, ident) + big[off:off + n])
    sep = b"\xff\x00\xff"
    out["ip6_frags"] = sep.join([frame(f(512, 496, 0)), frame(f(0, 512, 1))])
    out["ip6_frags_overlap"] = sep.join([frame(f(0, 512, 1)), frame(f(504, 504, 0))])
    out["ip6_frag_timeout"] = frame(f(0, 512, 1)) + sep + b"\xf0" + eth(ip6("2001:db8::2", "2001:db8::1", 58, echo("2001:db8::2", "2001:db8::1", 3)))
    ptb_quote = ip6("2001:db8::1", "2001:db8::2", 17, struct.pack("!HHHH", 7, 7, 3008, 0) + bytes(40))
    ptb = ip6("2001:db8::fe", "2001:db8::1", 58, icmp("2001:db8::fe", "2001:db8::1", 2, 0, 1300, ptb_quote))
    out["ip6_ptb"] = sep.join([frame(na), frame(ptb)])
    q = ip6("fe80::1", "ff02::1", 58, icmp("fe80::1", "ff02::1", 130, 0, 1000 << 16, bytes(20)), 1)
    out["ip6_mld_query"] = frame(q, RTR_MAC)
    raw = b"\x01" + ip6("2001:db8:1::2", "2001:db8:1::1", 58, echo("2001:db8:1::2", "2001:db8:1::1", 4))
    out["ip6_rawip_echo"] = raw
    return out


def write(sub, name, data):
    d = os.path.join(sys.argv[1], sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as fh:
        fh.write(data)


for name, data in seeds().items():
    write("fuzz_frame", name, data)
    if b"\xff\x00\xff" in data or data[0] != 0:
        continue
    pkt = data[15:]
    write("fuzz_ip6", name, pkt)
    if pkt[6] == 58:
        write("fuzz_icmp6", name, pkt[8:40] + pkt[40:])
