"""fakedns.py ADDR MODE: a UDP DNS server on ADDR:53 for the interop tests, answering every query
with RCODE 2 (servfail) or 1 (formerr, with EDNS and without), or with TC set and no records (tc),
the question copied (RFC 1035 4.1); or, MODE silent, reading and never answering. Prints "ready"
once bound."""
import socket
import sys

addr, mode = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 53))
print("ready", flush=True)
while True:
    q, peer = s.recvfrom(4096)
    if mode == "silent" or len(q) < 12:
        continue
    i = 12
    while i < len(q) and q[i] != 0:
        i += 1 + q[i]
    question = q[12:i + 5]
    rcode = {"servfail": 2, "formerr": 1, "tc": 0}[mode]
    tc = 0x02 if mode == "tc" else 0
    # ID; QR=1 with the query's opcode and RD (and TC); RA=1 and the RCODE; one question, no records
    flags = bytes([0x80 | (q[2] & 0x79) | tc, 0x80 | rcode])
    s.sendto(q[:2] + flags + b"\x00\x01\x00\x00\x00\x00\x00\x00" + question, peer)
