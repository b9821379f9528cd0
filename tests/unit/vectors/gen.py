#!/usr/bin/env python3
"""Helpers for gen.sh: traffic inside the test namespaces, then pcap -> C header.

  gen.py csum-off IFNAME         turn off transmit checksum offload (SIOCETHTOOL, like ethtool -K)
  gen.py servers                 (namespace B) UDP echo :7, TCP :80 one-shot HTTP-ish, TCP sink :5001
  gen.py clients                 (namespace A) UDP echo, UDP to closed port, TCP exchange, refused
  gen.py sack-probe              (namespace A) raw frames from 192.0.2.3 that make B send SACK blocks
  gen.py emit PCAP OUT.h         C arrays + expected fields (from tshark, not from synack) + lines
  gen.py corpus PCAP DIR         libFuzzer seed files per target

Only the Python standard library, tshark and tcpdump are used. Every expected value comes from
tshark's dissection of the capture, so the unit tests compare synack against an independent
decoder; the expected one-line format is then cross-checked against tcpdump's own line.
"""
import array
import fcntl
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time

A_IP, B_IP, PROBE_IP = "192.0.2.1", "192.0.2.2", "192.0.2.3"
B_MAC = bytes.fromhex("020000000002")
PROBE_MAC = bytes.fromhex("020000000003")


# ---------------------------------------------------------------------------------------------
# csum-off

def csum_off(ifname):
    SIOCETHTOOL, ETHTOOL_GTXCSUM, ETHTOOL_STXCSUM = 0x8946, 0x16, 0x17

    def ethtool(cmd, data=0):
        buf = array.array("B", struct.pack("II", cmd, data))
        ifr = struct.pack("16sP", ifname.encode(), buf.buffer_info()[0])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr)
        return struct.unpack("II", buf.tobytes())[1]

    ethtool(ETHTOOL_STXCSUM, 0)
    if ethtool(ETHTOOL_GTXCSUM) != 0:
        sys.exit("gen.py: could not turn off tx checksum offload on " + ifname)


# ---------------------------------------------------------------------------------------------
# traffic

def servers():
    def udp_echo():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((B_IP, 7))
        while True:
            data, peer = s.recvfrom(2048)
            s.sendto(data, peer)

    def tcp_http():
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((B_IP, 80))
        ls.listen(4)
        while True:
            c, _ = ls.accept()
            req = b""
            while b"\r\n\r\n" not in req:
                d = c.recv(2048)
                if not d:
                    break
                req += d
            c.sendall(b"HTTP/1.0 200 OK\r\n\r\nhello\n")
            c.close()

    def drain(c):
        try:
            while c.recv(4096):
                pass
        except OSError:
            pass   # the probe ends with a RST

    def tcp_sink():
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((B_IP, 5001))
        ls.listen(4)
        while True:
            c, _ = ls.accept()
            threading.Thread(target=drain, args=(c,), daemon=True).start()

    for f in (udp_echo, tcp_http, tcp_sink):
        threading.Thread(target=f, daemon=True).start()
    time.sleep(60)


def clients():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((A_IP, 40000))
    u.settimeout(2)
    u.sendto(b"synack vec\n", (B_IP, 7))   # odd length on purpose (checksum padding)
    u.recvfrom(2048)
    time.sleep(0.2)
    u.sendto(b"nobody home", (B_IP, 9))    # closed port: ICMP port unreachable
    time.sleep(0.3)

    t = socket.socket()
    t.bind((A_IP, 40001))
    t.connect((B_IP, 80))
    t.sendall(b"GET / HTTP/1.0\r\n\r\n")
    while t.recv(2048):
        pass
    t.close()
    time.sleep(0.3)

    r = socket.socket()
    r.bind((A_IP, 40002))
    try:
        r.connect((B_IP, 81))              # closed port: RST
    except ConnectionRefusedError:
        pass
    time.sleep(0.2)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_frame(src, dst, proto, payload, ident):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return B_MAC + PROBE_MAC + b"\x08\x00" + hdr + payload


def tcp_seg(sport, dport, seq, ack, flags, win, opts, data):
    opts += b"\x01" * (-len(opts) % 4)
    doff = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, win, 0, 0) + opts
    pseudo = socket.inet_aton(PROBE_IP) + socket.inet_aton(B_IP) + struct.pack("!BBH", 0, 6, len(h) + len(data))
    c = csum(pseudo + h + data)
    return h[:16] + struct.pack("!H", c) + h[18:] + data


def sack_probe():
    """Handshake from a host that exists only as raw frames, then two segments with holes before
    them: Linux answers each with an immediate duplicate ACK carrying SACK blocks (RFC 2018 4)."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.bind(("va", 0))
    s.settimeout(2)
    sport, dport, isn = 40003, 5001, 1000000
    ts = lambda val, ecr: b"\x01\x01\x08\x0a" + struct.pack("!II", val, ecr)
    syn_opts = b"\x02\x04\x05\xb4" + b"\x04\x02" + b"\x08\x0a" + struct.pack("!II", 100, 0) + b"\x01\x03\x03\x07"
    send = lambda seg, ident: s.send(ip_frame(PROBE_IP, B_IP, 6, seg, ident))
    send(tcp_seg(sport, dport, isn, 0, 0x02, 64240, syn_opts, b""), 1)
    while True:
        f = s.recv(2048)
        if f[0:6] == PROBE_MAC and f[23] == 6 and f[26:30] == socket.inet_aton(B_IP):
            t = f[34:]
            if struct.unpack("!HH", t[0:4]) == (dport, sport) and t[13] == 0x12:
                break
    peer_isn = struct.unpack("!I", t[4:8])[0]
    i, peer_ts = 20, 0
    while i < (t[12] >> 4) * 4:                  # find the peer's TSval for our TSecr
        if t[i] in (0, 1):
            i += 1
            continue
        if t[i] == 8:
            peer_ts = struct.unpack("!I", t[i + 2:i + 6])[0]
        i += t[i + 1]
    ack = (peer_isn + 1) & 0xFFFFFFFF
    send(tcp_seg(sport, dport, isn + 1, ack, 0x10, 502, ts(101, peer_ts), b""), 2)
    send(tcp_seg(sport, dport, isn + 101, ack, 0x18, 502, ts(102, peer_ts), b"B" * 100), 3)
    wait_sack(s, dport, sport, 1)
    send(tcp_seg(sport, dport, isn + 301, ack, 0x18, 502, ts(103, peer_ts), b"D" * 100), 4)
    wait_sack(s, dport, sport, 2)
    send(tcp_seg(sport, dport, isn + 1, ack, 0x04, 0, b"", b""), 5)
    time.sleep(0.1)


def wait_sack(s, sport, dport, blocks):
    """Waits for the kernel's ACK carrying `blocks` SACK blocks (Linux may hold a SACK back for a
    moment to compress several, net.ipv4.tcp_comp_sack_delay_ns; it must come within a second)."""
    deadline = time.time() + 2
    while time.time() < deadline:
        try:
            f = s.recv(2048)
        except socket.timeout:
            break
        if f[0:6] != PROBE_MAC or f[23] != 6:
            continue
        t = f[34:]
        if struct.unpack("!HH", t[0:4]) != (sport, dport):
            continue
        i = 20
        while i < (t[12] >> 4) * 4:
            if t[i] in (0, 1):
                i += 1
                continue
            if t[i] == 5 and (t[i + 1] - 2) // 8 == blocks:
                return
            i += t[i + 1]
    sys.exit("gen.py: no SACK with %d block(s) from the kernel" % blocks)


# ---------------------------------------------------------------------------------------------
# emit

def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", data[:24])
    if magic != 0xA1B2C3D4 or linktype != 1:
        sys.exit("gen.py: expected a little-endian microsecond pcap of Ethernet frames")
    off, frames = 24, []
    while off < len(data):
        _, _, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        if incl != orig:
            sys.exit("gen.py: truncated capture")
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


FIELDS = """eth.dst eth.src eth.type arp.opcode arp.src.hw_mac arp.src.proto_ipv4 arp.dst.hw_mac
 arp.dst.proto_ipv4 ip.hdr_len ip.dsfield ip.len ip.id ip.flags ip.frag_offset ip.ttl ip.proto
 ip.checksum ip.checksum.status ip.src ip.dst icmp.type icmp.code icmp.checksum icmp.checksum.status
 icmp.ident icmp.seq udp.srcport udp.dstport udp.length udp.checksum udp.checksum.status tcp.srcport
 tcp.dstport tcp.seq_raw tcp.ack_raw tcp.hdr_len tcp.flags tcp.window_size_value tcp.checksum
 tcp.checksum.status tcp.urgent_pointer tcp.options.mss_val tcp.options.wscale.shift
 tcp.option_kind tcp.options.timestamp.tsval tcp.options.timestamp.tsecr tcp.options.sack_le
 tcp.options.sack_re tcp.len""".split()


LIST_FIELDS = ("tcp.option_kind", "tcp.options.sack_le", "tcp.options.sack_re")


def tshark_fields(pcap):
    cmd = ["tshark", "-r", pcap, "-n", "-o", "ip.defragment:FALSE", "-o", "ip.check_checksum:TRUE",
           "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
           "-o", "tcp.relative_sequence_numbers:FALSE", "-o", "tcp.analyze_sequence_numbers:FALSE",
           "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        row = dict(zip(FIELDS, line.split("\t")))
        # An ICMP error quotes an IP header: keep the outer one's values, except for the fields
        # that legitimately repeat within one header (option kinds, SACK edges).
        for k in row:
            if k not in LIST_FIELDS:
                row[k] = row[k].split(",")[0]
        rows.append(row)
    return rows


def tcpdump_lines(pcap):
    out = subprocess.run(["tcpdump", "-r", pcap, "-nn", "-S", "-t"], check=True,
                         capture_output=True, text=True).stdout
    return out.splitlines()


def num(v, idx=0):
    v = v.split(",")[idx]
    return int(v, 0)


def flags_str(fl):
    # tcpdump's print-tcp.c order: F S R P . U E W, "none" when no flag is set.
    s = "".join(c for bit, c in ((1, "F"), (2, "S"), (4, "R"), (8, "P"), (16, "."), (32, "U"),
                                 (64, "E"), (128, "W")) if fl & bit)
    return s or "none"


def expect(row, frame):
    """Expected fields (tshark) and the expected synack one-line format for one frame."""
    e = {"eth_dst": row["eth.dst"], "eth_src": row["eth.src"], "eth_type": num(row["eth.type"])}
    if e["eth_type"] == 0x0806:
        e.update(arp_op=num(row["arp.opcode"]), arp_sha=row["arp.src.hw_mac"], arp_tha=row["arp.dst.hw_mac"],
                 arp_spa=row["arp.src.proto_ipv4"], arp_tpa=row["arp.dst.proto_ipv4"])
        if e["arp_op"] == 1:
            e["line"] = "ARP, Request who-has %s tell %s" % (e["arp_tpa"], e["arp_spa"])
        else:
            e["line"] = "ARP, Reply %s is-at %s" % (e["arp_spa"], e["arp_sha"])
        return e
    if row["ip.checksum.status"] != "1":
        sys.exit("gen.py: frame with a bad IP checksum: %r" % row)
    ihl, tot = num(row["ip.hdr_len"]), num(row["ip.len"])
    fl, off = num(row["ip.flags"]), num(row["ip.frag_offset"]) * 8   # tshark counts 8-byte units
    e.update(has_ip=1, ip_ihl=ihl, ip_tos=num(row["ip.dsfield"]), ip_len=tot, ip_id=num(row["ip.id"]),
             ip_frag=(fl << 13) | (off // 8), ip_ttl=num(row["ip.ttl"]), ip_proto=num(row["ip.proto"]),
             ip_csum=num(row["ip.checksum"]), ip_src=row["ip.src"], ip_dst=row["ip.dst"])
    mf, plen, src, dst = bool(fl & 1), tot - ihl, row["ip.src"], row["ip.dst"]
    line = "IP "
    if off:
        e["line"] = line + "%s > %s: ip-proto-%d frag id %d offset %d%s length %d" % (
            src, dst, e["ip_proto"], e["ip_id"], off, "+" if mf else "", plen)
        return e
    if e["ip_proto"] == 1:
        e.update(has_icmp=not mf, icmp_type=num(row["icmp.type"]), icmp_code=num(row["icmp.code"]),
                 icmp_csum=num(row["icmp.checksum"]), icmp_len=plen)
        if mf:
            e["line"] = line + "%s > %s: ICMP (first fragment) length %d" % (src, dst, plen)
            return e
        if row["icmp.checksum.status"] != "1":
            sys.exit("gen.py: frame with a bad ICMP checksum: %r" % row)
        t = e["icmp_type"]
        if t in (0, 8):
            e.update(icmp_id=num(row["icmp.ident"]), icmp_seq=num(row["icmp.seq"]))
            what = "echo %s, id %d, seq %d" % ("request" if t == 8 else "reply", e["icmp_id"], e["icmp_seq"])
        elif t == 3:
            what = "unreachable code %d" % e["icmp_code"]
        else:
            what = "type %d code %d" % (t, e["icmp_code"])
        e["line"] = line + "%s > %s: ICMP %s, length %d" % (src, dst, what, plen)
        return e
    if e["ip_proto"] == 17 and not mf:
        if row["udp.checksum.status"] != "1":
            sys.exit("gen.py: frame with a bad UDP checksum: %r" % row)
        e.update(has_udp=1, udp_sport=num(row["udp.srcport"]), udp_dport=num(row["udp.dstport"]),
                 udp_len=num(row["udp.length"]), udp_csum=num(row["udp.checksum"]))
        e["line"] = line + "%s.%d > %s.%d: UDP, length %d" % (src, e["udp_sport"], dst, e["udp_dport"],
                                                               e["udp_len"] - 8)
        return e
    if e["ip_proto"] == 6 and not mf:
        if row["tcp.checksum.status"] != "1":
            sys.exit("gen.py: frame with a bad TCP checksum: %r" % row)
        kinds = [int(k, 0) for k in row["tcp.option_kind"].split(",") if k]
        e.update(has_tcp=1, tcp_sport=num(row["tcp.srcport"]), tcp_dport=num(row["tcp.dstport"]),
                 tcp_seq=num(row["tcp.seq_raw"]), tcp_ack=num(row["tcp.ack_raw"]),
                 tcp_doff=num(row["tcp.hdr_len"]), tcp_flags=num(row["tcp.flags"]),
                 tcp_win=num(row["tcp.window_size_value"]), tcp_csum=num(row["tcp.checksum"]),
                 tcp_urg=num(row["tcp.urgent_pointer"]), tcp_data_len=num(row["tcp.len"]),
                 tcp_mss=num(row["tcp.options.mss_val"]) if row["tcp.options.mss_val"] else -1,
                 tcp_wscale=num(row["tcp.options.wscale.shift"]) if row["tcp.options.wscale.shift"] else -1,
                 tcp_sack_perm=int(4 in kinds), tcp_has_ts=int(8 in kinds))
        if e["tcp_has_ts"]:
            e.update(tcp_tsval=num(row["tcp.options.timestamp.tsval"]), tcp_tsecr=num(row["tcp.options.timestamp.tsecr"]))
        le = [int(x) for x in row["tcp.options.sack_le"].split(",") if x]
        re_ = [int(x) for x in row["tcp.options.sack_re"].split(",") if x]
        e["tcp_sack"] = list(zip(le, re_))
        t = e
        s = "%s.%d > %s.%d: Flags [%s], seq %d" % (src, t["tcp_sport"], dst, t["tcp_dport"],
                                                  flags_str(t["tcp_flags"]), t["tcp_seq"])
        if t["tcp_data_len"]:
            s += ":%d" % ((t["tcp_seq"] + t["tcp_data_len"]) & 0xFFFFFFFF)
        if t["tcp_flags"] & 0x10:
            s += ", ack %d" % t["tcp_ack"]
        s += ", win %d" % t["tcp_win"]
        if t["tcp_flags"] & 0x20:
            s += ", urg %d" % t["tcp_urg"]
        o = []
        if t["tcp_mss"] >= 0:
            o.append("mss %d" % t["tcp_mss"])
        if t["tcp_sack_perm"]:
            o.append("sackOK")
        if t["tcp_has_ts"]:
            o.append("TS val %d ecr %d" % (t["tcp_tsval"], t["tcp_tsecr"]))
        if t["tcp_wscale"] >= 0:
            o.append("wscale %d" % t["tcp_wscale"])
        if t["tcp_sack"]:
            o.append("sack %d %s" % (len(t["tcp_sack"]), "".join("{%d:%d}" % b for b in t["tcp_sack"])))
        if o:
            s += ", options [" + ",".join(o) + "]"
        s += ", length %d" % t["tcp_data_len"]
        e["line"] = line + s
        return e
    e["line"] = line + "%s > %s: ip-proto-%d length %d" % (src, dst, e["ip_proto"], plen)
    return e


def name_of(e, seen):
    """A stable name from what the frame is, so tests can pick frames without counting."""
    if e["eth_type"] == 0x0806:
        base = "arp_request" if e["arp_op"] == 1 else "arp_reply"
    elif e["ip_frag"] & 0x3FFF:
        base = "frag_%s_%d" % ("a2b" if e["ip_src"] == A_IP else "b2a", (e["ip_frag"] & 0x1FFF) * 8)
    elif e.get("has_icmp"):
        base = {0: "icmp_echo_reply", 8: "icmp_echo_request", 3: "icmp_port_unreach"}.get(e["icmp_type"], "icmp")
    elif e.get("has_udp"):
        base = "udp_request" if e["udp_dport"] == 7 else "udp_reply" if e["udp_sport"] == 7 else "udp_closed_port"
    elif e.get("has_tcp"):
        conv = {80: "http", 81: "refused", 5001: "probe"}
        port = e["tcp_dport"] if e["ip_src"] in (A_IP, PROBE_IP) else e["tcp_sport"]
        who = "c2s" if e["ip_src"] in (A_IP, PROBE_IP) else "s2c"
        fl = e["tcp_flags"]
        kind = ("syn" if fl == 2 else "synack" if fl == 0x12 else "rst" if fl & 4 else "fin" if fl & 1
                else "sack" if e["tcp_sack"] else "data" if e["tcp_data_len"] else "ack")
        base = "tcp_%s_%s_%s" % (conv.get(port, "x"), who, kind)
    else:
        base = "other"
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else "%s_%d" % (base, seen[base])


def c_mac(m):
    return "{ " + ", ".join("0x" + x for x in m.split(":")) + " }"


def c_ip(a):
    return "0x%08Xu" % struct.unpack("!I", socket.inet_aton(a))[0]


def c_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_against_tcpdump(e, td):
    """Our format is tcpdump's (-nn -S -t) with three deliberate differences: NOPs are left out of
    option lists, the sequence number is shown on every segment (tcpdump omits it on a bare ACK;
    a trace wants it), and ARP lines carry no length. Where both describe the same thing they must
    agree; fragments and ICMP errors are worded differently and are not compared."""
    if e.get("ip_frag", 0) & 0x3FFF or e.get("icmp_type") == 3:
        return
    norm = re.sub(r"nop,|,nop", "", td)
    norm = re.sub(r"^(ARP, .*), length \d+$", r"\1", norm)
    norm = re.sub(r": HTTP.*$", "", norm)   # tcpdump's payload peek
    if e.get("has_tcp") and not e["tcp_data_len"] and not e["tcp_flags"] & 7:
        norm = norm.replace("], ack", "], seq %d, ack" % e["tcp_seq"])
    if norm != e["line"]:
        sys.exit("gen.py: expected line disagrees with tcpdump:\n  %s\n  %s" % (e["line"], td))


def emit(pcap, out):
    frames = read_pcap(pcap)
    rows = tshark_fields(pcap)
    lines = tcpdump_lines(pcap)
    if not (len(frames) == len(rows) == len(lines)):
        sys.exit("gen.py: frame count mismatch: pcap %d, tshark %d, tcpdump %d" % (len(frames), len(rows), len(lines)))
    seen, vecs = {}, []
    for f, r, td in zip(frames, rows, lines):
        e = expect(r, f)
        check_against_tcpdump(e, td)
        e["name"] = name_of(e, seen)
        if e["name"].startswith("tcp_probe_c2s"):
            continue   # crafted by gen.py, not by the kernel
        vecs.append((f, e, td))
    required = ("arp_request", "arp_reply", "icmp_echo_request", "icmp_echo_reply", "frag_a2b_0",
                "frag_a2b_1480", "frag_a2b_2960", "frag_b2a_0", "icmp_port_unreach", "udp_request",
                "udp_reply", "udp_closed_port", "tcp_http_c2s_syn", "tcp_http_s2c_synack", "tcp_http_c2s_ack",
                "tcp_http_c2s_data", "tcp_http_s2c_data", "tcp_http_s2c_fin", "tcp_http_c2s_fin",
                "tcp_refused_s2c_rst", "tcp_probe_s2c_sack", "tcp_probe_s2c_sack_2")
    missing = [r for r in required if r not in [e["name"] for _, e, _ in vecs]]
    if missing:
        sys.exit("gen.py: the capture lacks " + ", ".join(missing))
    w = []
    w.append("/* Generated by tests/unit/vectors/gen.sh from frames the Linux kernel sent between two")
    w.append(" * network namespaces (192.0.2.0/24). Expected fields come from tshark, expected lines from")
    w.append(" * gen.py (checked there against tcpdump, shown as comments). Do not edit by hand. */")
    w.append("#ifndef VECTORS_LINUX_FRAMES_H")
    w.append("#define VECTORS_LINUX_FRAMES_H")
    w.append("")
    w.append('#include "unit/vectors/vec.h"')
    w.append("")
    for i, (f, e, td) in enumerate(vecs):
        w.append("/* %s */" % td.replace("*/", "* /"))
        # A string literal of exactly the array's size (no NUL kept, C11 6.7.9p14): a third of the
        # lines an initializer list would take.
        w.append("static const uint8_t vec_%s[%d] =" % (e["name"], len(f)))
        for k in range(0, len(f), 32):
            w.append('    "' + "".join("\\x%02x" % b for b in f[k:k + 32]) + '"' + (";" if k + 32 >= len(f) else ""))
    w.append("")
    w.append("static const struct wire_vec linux_frames[] = {")
    for f, e, td in vecs:
        n = e["name"]
        w.append("    { .name = %s, .bytes = vec_%s, .len = sizeof(vec_%s)," % (c_str(n), n, n))
        w.append("      .eth_dst = %s, .eth_src = %s, .eth_type = 0x%04x," % (c_mac(e["eth_dst"]), c_mac(e["eth_src"]), e["eth_type"]))
        if e["eth_type"] == 0x0806:
            w.append("      .arp_op = %d, .arp_sha = %s, .arp_spa = %s, .arp_tha = %s, .arp_tpa = %s," % (
                e["arp_op"], c_mac(e["arp_sha"]), c_ip(e["arp_spa"]), c_mac(e["arp_tha"]), c_ip(e["arp_tpa"])))
        else:
            w.append("      .ip_ihl = %d, .ip_tos = 0x%02x, .ip_len = %d, .ip_id = 0x%04x, .ip_frag = 0x%04x," % (
                e["ip_ihl"], e["ip_tos"], e["ip_len"], e["ip_id"], e["ip_frag"]))
            w.append("      .ip_ttl = %d, .ip_proto = %d, .ip_csum = 0x%04x, .ip_src = %s, .ip_dst = %s," % (
                e["ip_ttl"], e["ip_proto"], e["ip_csum"], c_ip(e["ip_src"]), c_ip(e["ip_dst"])))
        if e.get("has_icmp"):
            w.append("      .has_icmp = 1, .icmp_type = %d, .icmp_code = %d, .icmp_csum = 0x%04x, .icmp_len = %d," % (
                e["icmp_type"], e["icmp_code"], e["icmp_csum"], e["icmp_len"]))
            if "icmp_id" in e:
                w.append("      .icmp_id = %d, .icmp_seq = %d," % (e["icmp_id"], e["icmp_seq"]))
        if e.get("has_udp"):
            w.append("      .has_udp = 1, .udp_sport = %d, .udp_dport = %d, .udp_len = %d, .udp_csum = 0x%04x," % (
                e["udp_sport"], e["udp_dport"], e["udp_len"], e["udp_csum"]))
        if e.get("has_tcp"):
            w.append("      .has_tcp = 1, .tcp_sport = %d, .tcp_dport = %d, .tcp_seq = %du, .tcp_ack = %du," % (
                e["tcp_sport"], e["tcp_dport"], e["tcp_seq"], e["tcp_ack"]))
            w.append("      .tcp_doff = %d, .tcp_flags = 0x%02x, .tcp_win = %d, .tcp_csum = 0x%04x, .tcp_urg = %d, .tcp_data_len = %d," % (
                e["tcp_doff"], e["tcp_flags"], e["tcp_win"], e["tcp_csum"], e["tcp_urg"], e["tcp_data_len"]))
            w.append("      .tcp_mss = %d, .tcp_wscale = %d, .tcp_sack_perm = %d, .tcp_has_ts = %d," % (
                e["tcp_mss"], e["tcp_wscale"], e["tcp_sack_perm"], e["tcp_has_ts"]))
            if e["tcp_has_ts"]:
                w.append("      .tcp_tsval = %du, .tcp_tsecr = %du," % (e["tcp_tsval"], e["tcp_tsecr"]))
            if e["tcp_sack"]:
                w.append("      .tcp_sack_count = %d, .tcp_sack = { %s }," % (
                    len(e["tcp_sack"]), ", ".join("{ %du, %du }" % b for b in e["tcp_sack"])))
        w.append("      .line = %s }," % c_str(e["line"]))
    w.append("};")
    w.append("")
    w.append("#define LINUX_FRAMES_N (sizeof(linux_frames) / sizeof(linux_frames[0]))")
    w.append("")
    for i, (f, e, td) in enumerate(vecs):
        w.append("#define VEC_%s (&linux_frames[%d])" % (e["name"].upper(), i))
    w.append("")
    w.append("#endif")
    with open(out, "w") as fo:
        fo.write("\n".join(w) + "\n")


# ---------------------------------------------------------------------------------------------
# corpus

def corpus(pcap, outdir):
    """Seeds per fuzz target. fuzz_udp/fuzz_tcp inputs start with 8 bytes of source and destination
    address (so a seed carries a valid checksum), fuzz_tcp then a control byte (1: verify the
    checksum); fuzz_format's first byte picks the link kind (bit 0) and a buffer size."""
    frames = read_pcap(pcap)
    seeds = {k: [] for k in ("fuzz_eth", "fuzz_arp", "fuzz_ip4", "fuzz_icmp", "fuzz_udp", "fuzz_tcp", "fuzz_format")}
    for f in frames:
        seeds["fuzz_eth"].append(f)
        seeds["fuzz_format"].append(b"\x50" + f)
        et = struct.unpack("!H", f[12:14])[0]
        if et == 0x0806:
            seeds["fuzz_arp"].append(f[14:])
            continue
        ip = f[14:]
        seeds["fuzz_format"].append(b"\x51" + ip)
        seeds["fuzz_ip4"].append(ip)
        ihl, tot, frag, proto = (ip[0] & 15) * 4, struct.unpack("!H", ip[2:4])[0], struct.unpack("!H", ip[6:8])[0], ip[9]
        if frag & 0x3FFF:
            continue
        body, addrs = ip[ihl:tot], ip[12:20]
        if proto == 1:
            seeds["fuzz_icmp"].append(body)
        elif proto == 17:
            seeds["fuzz_udp"].append(addrs + body)
        elif proto == 6:
            seeds["fuzz_tcp"].append(addrs + b"\x01" + body)
    for target, items in seeds.items():
        d = os.path.join(outdir, target)
        os.makedirs(d, exist_ok=True)
        for name in os.listdir(d):
            if name.startswith("linux_"):
                os.remove(os.path.join(d, name))
        uniq = []
        for it in items:
            if it not in uniq and len(it) <= 1600:
                uniq.append(it)
        for i, it in enumerate(uniq[:24]):
            with open(os.path.join(d, "linux_%02d" % i), "wb") as fo:
                fo.write(it)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "csum-off":
        csum_off(sys.argv[2])
    elif cmd == "servers":
        servers()
    elif cmd == "clients":
        clients()
    elif cmd == "sack-probe":
        sack_probe()
    elif cmd == "emit":
        emit(sys.argv[2], sys.argv[3])
    elif cmd == "corpus":
        corpus(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
