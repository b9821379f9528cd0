#!/usr/bin/env python3
"""What the kernel lets a TUN/TAP user batch, checked on this kernel rather than assumed.

Run as root inside a network namespace of its own (bench/syscalls.sh does:
`ip netns exec NS python3 bench/tap_limits.py`). It creates TUN device `tlim0` with
203.0.113.1/24 (TEST-NET-3) on the kernel's side and prints one line per fact, "FACT name: ...",
each the outcome of a system call made here:

  read_one_frame   three echo replies queued; read() with a 64 KiB buffer returns one per call
  readv_one_frame  readv() over two buffers returns one frame, never two
  write_one_frame  two echo requests in one write(): the kernel answers one (the rest is dropped)
  recvmmsg         recvmmsg() on the fd: ENOTSOCK (a TUN/TAP fd is a character device)
  sendmmsg         sendmmsg() on the fd: ENOTSOCK
  fionread         FIONREAD (bytes waiting): EINVAL, so the queue cannot be sized without reading
  multi_queue      IFF_MULTI_QUEUE: a second fd attaches a second queue
"""
import ctypes
import errno
import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI, IFF_MULTI_QUEUE = 0x0001, 0x1000, 0x0100
DEV = "tlim0"
KERNEL, US = bytes([203, 0, 113, 1]), bytes([203, 0, 113, 2])


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def echo_request(seq):
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x5a5a, seq) + b"synack" * 4
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64, 1, 0, US, KERNEL)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + icmp


def open_tun(flags):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", DEV.encode(), flags))
    return fd


def replies(fd, wait=0.5):
    """Reads until nothing comes for `wait` s; returns the lengths each read() returned."""
    got = []
    end = time.time() + wait
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], max(0.0, end - time.time()))
        if not r:
            break
        try:
            got.append(len(os.read(fd, 65536)))
        except BlockingIOError:
            pass
    return got


def fact(name, text):
    print("FACT %s: %s" % (name, text), flush=True)


def main():
    fd = open_tun(IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE)
    subprocess.run(["ip", "addr", "add", "203.0.113.1/24", "dev", DEV], check=True)
    subprocess.run(["ip", "link", "set", DEV, "up"], check=True)
    time.sleep(0.3)
    replies(fd, 0.2)   # whatever the kernel sent on bring-up

    for s in range(3):
        os.write(fd, echo_request(s + 1))
    time.sleep(0.2)
    got = replies(fd)
    fact("read_one_frame", "3 echo requests written, %d read() calls returned %s bytes: %s"
         % (len(got), got, "one frame per read()" if len(got) == 3 and len(set(got)) == 1 else "UNEXPECTED"))

    for s in range(2):
        os.write(fd, echo_request(10 + s))
    time.sleep(0.2)
    lens = []
    while True:
        try:
            lens.append(os.readv(fd, [bytearray(16384), bytearray(16384)]))
        except BlockingIOError:
            break
    fact("readv_one_frame", "2 replies queued, readv() over two buffers returned %s: %s"
         % (lens, "one frame per call" if len(lens) == 2 else "UNEXPECTED"))

    os.write(fd, echo_request(20) + echo_request(21))
    time.sleep(0.2)
    got = replies(fd)
    fact("write_one_frame", "two echo requests in one write(): %d answered: %s"
         % (len(got), "one frame per write(), the rest ignored" if len(got) == 1 else "UNEXPECTED"))

    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(2048)

    class iovec(ctypes.Structure):
        _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]

    class msghdr(ctypes.Structure):
        _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint), ("iov", ctypes.POINTER(iovec)),
                    ("iovlen", ctypes.c_size_t), ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                    ("flags", ctypes.c_int)]

    class mmsghdr(ctypes.Structure):
        _fields_ = [("hdr", msghdr), ("len", ctypes.c_uint)]

    iov = iovec(ctypes.cast(buf, ctypes.c_void_p), 2048)
    msgs = (mmsghdr * 4)()
    for m in msgs:
        m.hdr.iov = ctypes.pointer(iov)
        m.hdr.iovlen = 1
    for name in ("recvmmsg", "sendmmsg"):
        fn = getattr(libc, name)
        r = fn(fd, msgs, 4, 0x40, None) if name == "recvmmsg" else fn(fd, msgs, 4, 0)
        e = ctypes.get_errno()
        fact(name, "%s() on the fd: %s" % (name, "returned %d" % r if r >= 0 else errno.errorcode.get(e, str(e))))

    try:
        fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4)
        fact("fionread", "FIONREAD answered")
    except OSError as e:
        fact("fionread", "FIONREAD: %s" % errno.errorcode.get(e.errno, str(e.errno)))

    try:
        fd2 = open_tun(IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE)
        fact("multi_queue", "a second fd with IFF_MULTI_QUEUE attached a second queue")
        os.close(fd2)
    except OSError as e:
        fact("multi_queue", "second queue refused: %s" % errno.errorcode.get(e.errno, str(e.errno)))
    os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
