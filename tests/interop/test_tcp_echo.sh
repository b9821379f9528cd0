#!/usr/bin/env bash
# TCP against the kernel over TAP and TUN: Linux's nc talks to synack's echo (port 7, RFC 862) and
# discard (port 9, RFC 863) services. 5 MB echoed back whole (SHA-256), 20 MB discarded; Linux
# closes first (nc -N: shutdown on EOF), so the kernel side ends in TIME-WAIT; synack's pcap is read
# by tshark with no malformed frame and no "ACKed unseen segment" / bad checksum. The TAP runs
# twice: on the driver loop's default back end and on its epoll fallback (SYNACK_IO_URING=0).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" nc tshark sha256sum ss

for kind in tap tun tap-epoll; do
    PCAP="$TMPD/tcp-$kind.pcap"
    if [[ "$kind" == tap-epoll ]]; then export SYNACK_IO_URING=0; else unset SYNACK_IO_URING; fi
    start_serve "${kind%-epoll}" "se-${kind/-epoll/e}" --pcap "$PCAP" --ctl "$TMPD/ctl-$kind.sock"
    if [[ "$kind" == tap-epoll ]]; then
        "$SYNACK" ss --ctl "$TMPD/ctl-$kind.sock" --shards | grep -q '^driver: epoll$' ||
            fail "$kind: serve does not run on epoll with SYNACK_IO_URING=0"
    fi
    head -c 5000000 /dev/urandom >"$TMPD/echo.in"
    rc=0
    nsx timeout 60 nc -N "$SYNACK_ADDR" 7 <"$TMPD/echo.in" >"$TMPD/echo.out" 2>"$TMPD/echo.err" || rc=$?
    if ((rc != 0)) || [[ "$(sha256 "$TMPD/echo.in")" != "$(sha256 "$TMPD/echo.out")" ]]; then
        cat "$TMPD/echo.err" >&2
        fail "$kind: TCP echo of 5 MB: got $(stat -c %s "$TMPD/echo.out") bytes back (nc exit $rc)"
    fi
    log "$kind: echo 5 MB: sha256 matches"
    head -c 20000000 /dev/zero >"$TMPD/discard.in"
    start=$(date +%s.%N)
    rc=0
    nsx timeout 60 nc -N "$SYNACK_ADDR" 9 <"$TMPD/discard.in" >"$TMPD/discard.out" 2>"$TMPD/discard.err" || rc=$?
    end=$(date +%s.%N)
    ((rc == 0)) || { cat "$TMPD/discard.err" >&2; fail "$kind: TCP discard: nc exit $rc"; }
    [[ ! -s "$TMPD/discard.out" ]] || fail "$kind: discard answered bytes"
    log "$kind: discard 20 MB in $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}') s"
    # The kernel closed first (nc -N sends its FIN at EOF): its side holds TIME-WAIT.
    tw=$(nsx ss -tan state time-wait | grep -c "$SYNACK_ADDR:" || true)
    ((tw >= 2)) || { nsx ss -tan >&2; fail "$kind: expected the kernel's connections in TIME-WAIT, found $tw"; }
    log "$kind: kernel side holds $tw connections in TIME-WAIT"
    # Ours are gone (LAST-ACK -> CLOSED): the listing shows only the two listeners.
    "$SYNACK" ss --ctl "$TMPD/ctl-$kind.sock" >"$TMPD/ss.out" || fail "synack ss failed"
    grep -q "LISTEN .*\*:7 " "$TMPD/ss.out" || { cat "$TMPD/ss.out" >&2; fail "$kind: synack ss does not list the echo listener"; }
    if grep -qE "ESTABLISHED|LAST-ACK|CLOSE-WAIT" "$TMPD/ss.out"; then
        cat "$TMPD/ss.out" >&2
        fail "$kind: synack still holds connections after the peer closed"
    fi
    stop_serve
    bad=$(tshark_count "$PCAP" '_ws.malformed || tcp.analysis.ack_lost_segment || tcp.checksum.status == 0 || ip.checksum.status == 0')
    total=$(tshark_count "$PCAP" 'tcp')
    ((total > 200)) || fail "$kind: pcap holds only $total TCP frames"   # 25 MB, in frames of up to 64 KB (TSO/GRO)
    ((bad == 0)) || fail "$kind: tshark flags $bad frames (malformed, ACKed unseen segment or bad checksum)"
    log "$kind: tshark read $total TCP frames, none malformed"
    nsx ss -K dst "$SYNACK_ADDR" >/dev/null 2>&1 || true
    SERVE_LOG=""
done
unset SYNACK_IO_URING
pass
