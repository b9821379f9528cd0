#!/usr/bin/env bash
# A bounded SYN flood (hping3 for 3 s at one SYN every 50 us, from a spoofed TEST-NET-1 address
# that nobody answers for, so every half-open connection stays half-open) fills synack's SYN queue;
# synack then answers with SYN cookies (RFC 4987 3.6), a legitimate client from the kernel still
# connects through a cookie and gets its echo, and the process's memory stays flat.
#
# Not `hping3 --flood`: that outruns what a sanitizer build reads from the TAP, and the kernel then
# drops frames at the TAP's queue, the legitimate client's among them. TCP recovers from such a
# loss, except where SYN cookies cannot (RFC 4987 3.6: no state is kept): if the ACK that ends the
# client's handshake and its first data segment are both lost, the next segment cannot be checked
# against the cookie (its sequence number is not the ISN's successor) and is answered with a reset,
# as Linux answers it. At ~20,000 SYNs a second the SYN queue still fills within milliseconds.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" hping3 nc sha256sum

# Under AddressSanitizer freed memory sits in a quarantine (256 MB by default) and would count as
# growth: keep it small so the figure measures what synack holds. No effect on a plain build.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4:thread_local_quarantine_size_kb=64"
# One stack: the bound checked is one listener's backlog (with --threads N each shard has its own).
start_serve tap sf-tap0 --ctl "$TMPD/ctl.sock" --threads 1
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVE_PID/status" 2>/dev/null || ps -o rss= -p "$SERVE_PID"; }
# The serve process is `timeout`'s child: find synack itself for its memory.
SPID=$(pgrep -P "$SERVE_PID" -f "synack serve" || true)
[[ -n "$SPID" ]] || SPID=$(pgrep -f "synack serve --tap sf-tap0" | head -1)
rss_of() { awk '/^VmRSS/ {print $2}' "/proc/$SPID/status"; }
rss0=$(rss_of)
counter() { "$SYNACK" ss --ctl "$TMPD/ctl.sock" --counters | awk -v n="$1" '$1 == n {print $2}'; }

# The flood: 3 seconds, bounded by timeout, from 192.0.2.77 (no such host: its SYN-ACKs go nowhere).
nsx timeout -s INT 3 hping3 -q -S -p 7 -a 192.0.2.77 -i u50 "$SYNACK_ADDR" >"$TMPD/hping.out" 2>&1 &
FLOOD=$!
BG_PIDS+=("$FLOOD")
sleep 1
# A legitimate client during the flood.
head -c 100000 /dev/urandom >"$TMPD/in"
rc=0
nsx timeout 20 nc -N "$SYNACK_ADDR" 7 <"$TMPD/in" >"$TMPD/out" 2>"$TMPD/nc.err" || rc=$?
wait "$FLOOD" 2>/dev/null || true
((rc == 0)) || { cat "$TMPD/nc.err" >&2; fail "legitimate client failed during the flood (nc exit $rc)"; }
if [[ "$(sha256 "$TMPD/in")" != "$(sha256 "$TMPD/out")" ]]; then
    ls -l "$TMPD/in" "$TMPD/out" >&2
    cmp "$TMPD/in" "$TMPD/out" 2>&1 | head -3 >&2 || true
    cat "$TMPD/nc.err" >&2
    "$SYNACK" ss --ctl "$TMPD/ctl.sock" --counters | grep -E '^(Tcp|Link|Eth)' | awk '$2 != 0' >&2 || true
    fail "legitimate client's echo differs"
fi
log "legitimate client connected and echoed 100 kB during the flood"
sent=$(counter TcpSyncookiesSent)
recv=$(counter TcpSyncookiesRecv)
segs=$(counter TcpInSegs)
((sent > 1000)) || fail "the flood made few SYN cookies (TcpSyncookiesSent=$sent, TcpInSegs=$segs)"
log "flood: TcpInSegs=$segs TcpSyncookiesSent=$sent TcpSyncookiesRecv=$recv"
"$SYNACK" ss --ctl "$TMPD/ctl.sock" >"$TMPD/ss.out"
half=$(grep -c "SYN-RECEIVED" "$TMPD/ss.out" || true)
log "half-open connections held: $half (bounded by the listener's backlog)"
((half <= 128)) || fail "SYN queue held $half entries, more than the backlog of 128"
rss1=$(rss_of)
log "memory: RSS ${rss0} kB before, ${rss1} kB after"
((rss1 - rss0 < 32768)) || fail "RSS grew by $((rss1 - rss0)) kB during the flood"
serve_alive
stop_serve
pass
