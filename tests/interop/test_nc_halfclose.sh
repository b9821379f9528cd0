#!/usr/bin/env bash
# synack nc as OpenBSD nc behaves: with empty standard input it connects, half-closes (FIN) and
# prints what the peer sends until the peer closes (a Linux server that answers only after our
# EOF, small and large answers, checked byte for byte), exit 0. A refused port and an absent host
# exit non-zero with one line saying why; -w bounds the connect time and the idle time; -v
# reports the steps of connecting.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" socat sha256sum

DEV=nc-hc0
NC=("$SYNACK" nc --tap "$DEV" --addr "$SYNACK_ADDR/$NET_PREFIX" --host-addr "$HOST_ADDR/$NET_PREFIX")

# listen PORT SHELL-CMD [SOCAT-OPTION...]: a one-connection Linux server in the namespace running
# SHELL-CMD.
listen() {
    start_bg "srv$1" socat -d "${@:3}" TCP-LISTEN:"$1",reuseaddr SYSTEM:"$2"
    for ((i = 0; i < 100; i++)); do nsx ss -ltn | grep -q ":$1 " && return 0; sleep 0.05; done
    fail "socat did not listen on $1"
}

# 1. The server answers only once it has read our EOF: nothing comes back unless nc half-closes
#    after connecting and keeps reading.
listen 5000 'cat >/dev/null; echo answered-after-eof'
rc=0
nsx timeout 30 "${NC[@]}" "$HOST_ADDR" 5000 </dev/null >"$TMPD/out1" 2>"$TMPD/err1" || rc=$?
((rc == 0)) || { cat "$TMPD/err1" >&2; fail "nc with empty stdin exited $rc"; }
[[ "$(cat "$TMPD/out1")" == answered-after-eof ]] || { cat "$TMPD/out1" "$TMPD/err1" >&2; fail "nc printed '$(cat "$TMPD/out1")'"; }
log "empty stdin: half-closed after connecting, printed the answer sent after our EOF, exit 0"

# 2. A large answer after our EOF, byte for byte.
head -c 3000000 /dev/urandom >"$TMPD/big"
listen 5001 "cat >/dev/null; cat $TMPD/big"
rc=0
nsx timeout 60 "${NC[@]}" "$HOST_ADDR" 5001 </dev/null >"$TMPD/out2" 2>"$TMPD/err2" || rc=$?
((rc == 0)) || { cat "$TMPD/err2" >&2; fail "nc (large answer) exited $rc"; }
[[ "$(sha256 "$TMPD/out2")" == "$(sha256 "$TMPD/big")" ]] || fail "the 3 MB answer arrived altered ($(stat -c %s "$TMPD/out2") bytes)"
log "3 MB answer after our EOF arrived intact"

# 3. A refused port: non-zero exit, one line naming the refusal.
rc=0
nsx timeout 30 "${NC[@]}" "$HOST_ADDR" 5999 </dev/null >"$TMPD/out3" 2>"$TMPD/err3" || rc=$?
((rc == 1)) || { cat "$TMPD/err3" >&2; fail "nc to a refused port exited $rc, expected 1"; }
[[ $(wc -l <"$TMPD/err3") == 1 ]] && grep -q "connect to $HOST_ADDR port 5999 (tcp) failed: Connection refused" "$TMPD/err3" ||
    { cat "$TMPD/err3" >&2; fail "refused: not one line naming the refusal"; }
# OpenBSD nc from the same namespace to a closed kernel port: also non-zero.
krc=0
nsx timeout 10 nc "$HOST_ADDR" 5999 </dev/null >/dev/null 2>&1 || krc=$?
((krc != 0)) || fail "OpenBSD nc exited 0 on a refused port (the comparison is void)"
log "refused port: exit $rc (OpenBSD nc: $krc), '$(cat "$TMPD/err3")'"

# 4. An absent host with -w 2 -v: ends in about 2 s with status 1, having shown its ARP requests.
rc=0
t0=$(date +%s%N)
nsx timeout 30 "${NC[@]}" -v -w 2 192.0.2.77 80 </dev/null >/dev/null 2>"$TMPD/err4" || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
((rc == 1)) || { cat "$TMPD/err4" >&2; fail "nc -w 2 to an absent host exited $rc"; }
((ms < 8000)) || fail "nc -w 2 to an absent host took $ms ms"
for want in "connecting to 192.0.2.77 port 80" "ARP: who has 192.0.2.77?" "SYN sent to 192.0.2.77 port 80" \
    "connect to 192.0.2.77 port 80 (tcp) failed: timed out after 2 s"; do
    grep -qF "$want" "$TMPD/err4" || { cat "$TMPD/err4" >&2; fail "nc -v lacks '$want'"; }
done
log "absent host, -w 2 -v: exit 1 after $ms ms with its progress shown"

# 4b. The same without -w: ARP gives up after its three tries a second apart and the connect fails
# with "No route to host", as Linux's nc reports it, not after two minutes of SYN retries.
rc=0
t0=$(date +%s%N)
nsx timeout 60 "${NC[@]}" 192.0.2.77 80 </dev/null >/dev/null 2>"$TMPD/err4b" || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
((rc == 1)) || { cat "$TMPD/err4b" >&2; fail "nc to an absent host exited $rc"; }
((ms < 8000)) || fail "nc to an absent host took $ms ms (ARP gives up after about 3 s)"
grep -qF "connect to 192.0.2.77 port 80 (tcp) failed: No route to host" "$TMPD/err4b" ||
    { cat "$TMPD/err4b" >&2; fail "nc to an absent host did not say 'No route to host'"; }
log "absent host, no -w: '$(cat "$TMPD/err4b")' after $ms ms"

# 5. -w 1 as an idle limit: a server that never answers nor closes (socat -t: not even after our
#    EOF); nc ends after ~1 s idle.
listen 5002 'sleep 25' -t 30
rc=0
t0=$(date +%s%N)
nsx timeout 30 "${NC[@]}" -v -w 1 "$HOST_ADDR" 5002 </dev/null >/dev/null 2>"$TMPD/err5" || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
((rc == 0)) || { cat "$TMPD/err5" >&2; fail "nc -w 1 (idle) exited $rc"; }
((ms < 8000)) || fail "nc -w 1 with an idle peer took $ms ms"
grep -q "connected to $HOST_ADDR port 5002" "$TMPD/err5" && grep -q "idle for 1 s" "$TMPD/err5" ||
    { cat "$TMPD/err5" >&2; fail "nc -w 1: no connection or no idle close"; }
log "idle peer, -w 1: closed after $ms ms"
pass
