#!/usr/bin/env bash
# `synack get` keeps curl's habits: against one nginx (on the kernel's side of the TAP) synack get
# and curl are run with the same flags and their output compared: -I prints the same head (Date
# aside), -f prints nothing and exits 22 on a 404, -w expands curl's variables to the same text
# (times as numbers in order). Exit codes as curl's: 7 for a refused port, 28 for a connect
# timeout (both compared with curl), 6 for names that do not resolve, with the reason named
# as the resolver reports it (NXDOMAIN; a server's REFUSED, from dnsmasq asked for a name it has no
# upstream for; a server's SERVFAIL; an ICMP port unreachable where no server listens) and never as
# strerror's "No such file" or "Connection refused"; `synack resolve` words them as host(1) does. `synack resolve --pcap` writes
# its capture while it runs: the query is in the file while resolve still waits for the answer.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" nginx dnsmasq curl python3

WWW="$TMPD/www"
mkdir -p "$WWW"
echo "<h1>nginx</h1>" >"$WWW/index.html"
head -c 5000 /dev/urandom >"$WWW/5k.bin"
printf '%s web.test\n' "$HOST_ADDR" >"$TMPD/hosts"
DEV=gc0
# 192.0.2.5: nothing serves DNS there; .6: a DNS server that answers SERVFAIL to everything; .7: a
# DNS server that never answers.
host_tap "$DEV" 192.0.2.5/32 192.0.2.6/32 192.0.2.7/32
start_nginx 64 <<NGINX
    access_log off;
    types { text/html html; application/octet-stream bin; }
    root $WWW;
    server {
        listen $HOST_ADDR:8080;
        location = /r1 { return 301 /index.html; }
    }
NGINX
# nx.test is NXDOMAIN (an empty --address); other names have no upstream: REFUSED.
start_bg dnsmasq dnsmasq --conf-file=/dev/null --no-daemon --port 53 --listen-address "$HOST_ADDR" --bind-interfaces \
    --no-resolv --no-hosts --pid-file="$TMPD/dnsmasq.pid" --address=/nx.test/ --address=/dns.test/"$HOST_ADDR"
start_bg servfail python3 "$(dirname "$0")/fakedns.py" 192.0.2.6 servfail
start_bg silent python3 "$(dirname "$0")/fakedns.py" 192.0.2.7 silent
for ((i = 0; i < 50; i++)); do
    nsx bash -c "exec 3<>/dev/tcp/$HOST_ADDR/8080" 2>/dev/null && grep -q ready "$TMPD/servfail.out" &&
        grep -q ready "$TMPD/silent.out" && break
    sleep 0.1
done

# sg NAME ARGS...: synack get (stdout NAME.sg.out, stderr NAME.sg.err), status in SG_RC.
sg() {
    local name=$1
    shift
    SG_RC=0
    nsx timeout 60 "$SYNACK" get --tap "$DEV" --addr "$SYNACK_ADDR/$NET_PREFIX" --hosts "$TMPD/hosts" \
        --dns "$HOST_ADDR" "$@" >"$TMPD/$name.sg.out" 2>"$TMPD/$name.sg.err" || SG_RC=$?
}
# cu NAME ARGS...: curl from the kernel side with web.test mapped as in the hosts file.
cu() {
    local name=$1
    shift
    CU_RC=0
    nsx timeout 60 curl --resolve "web.test:8080:$HOST_ADDR" "$@" >"$TMPD/$name.cu.out" 2>"$TMPD/$name.cu.err" || CU_RC=$?
}
same() { # NAME WHAT: the two outputs must match
    cmp -s "$TMPD/$1.sg.out" "$TMPD/$1.cu.out" || {
        diff "$TMPD/$1.cu.out" "$TMPD/$1.sg.out" >&2 || true
        fail "$2: synack get's output differs from curl's (diff curl synack above)"
    }
}

URL=http://web.test:8080

# -I: the response head, as curl prints it (Date may tick between the two requests).
sg head -I "$URL/5k.bin"
cu head -sI "$URL/5k.bin"
((SG_RC == 0 && CU_RC == 0)) || { cat "$TMPD/head.sg.err" >&2; fail "-I: synack $SG_RC, curl $CU_RC"; }
for t in sg cu; do sed -i '/^Date: /d' "$TMPD/head.$t.out"; done
grep -q "^HTTP/1.1 200 OK" "$TMPD/head.sg.out" || fail "-I: no status line"
same head "-I"
log "-I: the same head as curl -I ($(wc -l <"$TMPD/head.sg.out") lines)"

# -i: each response's head before its body, redirects' too with -L (Date aside).
sg incl -i -L "$URL/r1"
cu incl -si -L "$URL/r1"
((SG_RC == 0 && CU_RC == 0)) || { cat "$TMPD/incl.sg.err" >&2; fail "-i: synack $SG_RC, curl $CU_RC"; }
for t in sg cu; do sed -i '/^Date: /d' "$TMPD/incl.$t.out"; done
[[ "$(grep -c '^HTTP/1.1 ' "$TMPD/incl.sg.out")" == 2 ]] && grep -q '<h1>nginx</h1>' "$TMPD/incl.sg.out" ||
    { cat "$TMPD/incl.sg.out" >&2; fail "-i -L: not both heads and the body"; }
same incl "-i -L"
log "-i -L: both heads and the body, as curl -i -L prints them"

# -A: the User-Agent field a server sees (a one-shot server that keeps the request it got).
start_bg uaserver python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 8082)); s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
req = b""
while b"\r\n\r\n" not in req:
    req += c.recv(4096)
open(sys.argv[2], "wb").write(req)
c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
c.close()' "$HOST_ADDR" "$TMPD/ua.req"
for ((i = 0; i < 50; i++)); do grep -q ready "$TMPD/uaserver.out" && break; sleep 0.1; done
sg ua -A "lab-probe/2.0 (synack)" "http://$HOST_ADDR:8082/"
((SG_RC == 0)) && [[ "$(cat "$TMPD/ua.sg.out")" == ok ]] || fail "-A: exit $SG_RC"
grep -q $'^User-Agent: lab-probe/2.0 (synack)\r$' "$TMPD/ua.req" || { cat "$TMPD/ua.req" >&2; fail "-A: the server saw another User-Agent"; }
sg uabad -A "" "http://$HOST_ADDR:8082/"
((SG_RC == 2)) || fail "-A '': exit $SG_RC, expected 2"
log "-A: the server sees the User-Agent given; an empty one is refused"

# -f on a 404: nothing printed, exit 22; on a 200 the body.
sg f404 -f "$URL/missing"
cu f404 -sf "$URL/missing"
((SG_RC == 22 && CU_RC == 22)) || fail "-f on a 404: synack exit $SG_RC, curl $CU_RC (want 22)"
[[ ! -s "$TMPD/f404.sg.out" ]] || fail "-f on a 404 printed something"
grep -q "(22) The requested URL returned error: 404" "$TMPD/f404.sg.err" || { cat "$TMPD/f404.sg.err" >&2; fail "-f: message"; }
sg f404s -sf "$URL/missing"
((SG_RC == 22)) && [[ ! -s "$TMPD/f404s.sg.err" && ! -s "$TMPD/f404s.sg.out" ]] || fail "-sf on a 404: exit $SG_RC or output"
sg f404o -f -o "$TMPD/f404.file" "$URL/missing"
((SG_RC == 22)) && [[ ! -e "$TMPD/f404.file" ]] || fail "-f -o FILE on a 404: exit $SG_RC, or the file was left"
sg f200 -f "$URL/5k.bin"
cu f200 -sf "$URL/5k.bin"
((SG_RC == 0)) || fail "-f on a 200: exit $SG_RC"
same f200 "-f on a 200"
log "-f: a 404 prints nothing and exits 22 as curl; -s silences the message; a 200 prints the body"

# -w with curl's variables (the same text), and the times (numbers, in order).
W='%{http_code} %{response_code} %{num_connects} %{num_redirects} %{size_download} %{url_effective} %{content_type} %{remote_ip} %{remote_port} %{exitcode} %%\n'
for case in "200:$URL/5k.bin" "404:$URL/missing" "redir:-L $URL/r1" "noredir:$URL/r1" "refused:http://$HOST_ADDR:8099/"; do
    name=${case%%:*}
    args=${case#*:}
    # shellcheck disable=SC2086
    sg "w$name" -o /dev/null -w "$W" $args
    # shellcheck disable=SC2086
    cu "w$name" -s -o /dev/null -w "$W" $args
    ((SG_RC == CU_RC)) || fail "-w $name: synack exit $SG_RC, curl $CU_RC"
    same "w$name" "-w ($name)"
    log "-w $name: $(cat "$TMPD/w$name.sg.out")"
done
sg wt -o /dev/null -w '%{time_namelookup} %{time_connect} %{time_starttransfer} %{time_total}\n' "$URL/5k.bin"
read -r tn tc ts tt <"$TMPD/wt.sg.out"
python3 - "$tn" "$tc" "$ts" "$tt" <<'PY' || fail "-w times not numbers in order: $(cat "$TMPD/wt.sg.out")"
import re, sys
v = sys.argv[1:]
assert all(re.fullmatch(r"\d+\.\d{6}", x) for x in v), v
f = [float(x) for x in v]
assert 0 <= f[0] <= f[1] <= f[2] <= f[3] < 30 and f[3] > 0, f
PY
log "-w times: namelookup $tn <= connect $tc <= starttransfer $ts <= total $tt"

# Exit codes: refused port (7, as curl), connect timeout (28, as curl).
sg refused "http://$HOST_ADDR:8099/"
cu refused -s "http://$HOST_ADDR:8099/"
((SG_RC == 7 && CU_RC == 7)) || fail "refused: synack $SG_RC, curl $CU_RC (want 7)"
grep -q "(7) failed to connect to $HOST_ADDR port 8099: Connection refused" "$TMPD/refused.sg.err" ||
    { cat "$TMPD/refused.sg.err" >&2; fail "refused: message"; }
sg ctimeout --connect-timeout 1 "http://192.0.2.77/"
cu ctimeout -s --connect-timeout 1 "http://192.0.2.77/"
((SG_RC == 28 && CU_RC == 28)) || fail "--connect-timeout: synack $SG_RC, curl $CU_RC (want 28)"
log "exit codes as curl: refused port 7, --connect-timeout 28"

# Names that do not resolve: 6, curl's words ("Could not resolve host: NAME"), and the reason the
# resolver reports, worded as host(1) words it.
sg nx "http://nx.test/"
((SG_RC == 6)) && grep -qF "(6) Could not resolve host: nx.test (3(NXDOMAIN))" "$TMPD/nx.sg.err" ||
    { cat "$TMPD/nx.sg.err" >&2; fail "NXDOMAIN: exit $SG_RC"; }
# dnsmasq has no upstream for other.test: it answers REFUSED.
sg refused "http://other.test/"
((SG_RC == 6)) && grep -qF "(6) Could not resolve host: other.test (5(REFUSED) from $HOST_ADDR#53)" "$TMPD/refused.sg.err" ||
    { cat "$TMPD/refused.sg.err" >&2; fail "a DNS server that answers REFUSED: exit $SG_RC"; }
sg servfail --dns 192.0.2.6 "http://other.test/"
((SG_RC == 6)) && grep -qF "(6) Could not resolve host: other.test (5(REFUSED) from $HOST_ADDR#53; 2(SERVFAIL) from 192.0.2.6#53)" "$TMPD/servfail.sg.err" ||
    { cat "$TMPD/servfail.sg.err" >&2; fail "a DNS server that answers SERVFAIL: exit $SG_RC"; }
sg unreach --dns 192.0.2.5 "http://other.test/"
((SG_RC == 6)) && grep -qF "(6) Could not resolve host: other.test (5(REFUSED) from $HOST_ADDR#53; communications error to 192.0.2.5#53: connection refused)" "$TMPD/unreach.sg.err" ||
    { cat "$TMPD/unreach.sg.err" >&2; fail "no DNS server at the address (port unreachable): exit $SG_RC"; }
for f in nx refused servfail unreach; do
    # strerror's words for the errno values the resolver once folded these into
    if grep -q "No such file\|: Connection refused" "$TMPD/$f.sg.err"; then
        fail "a resolution failure named as an errno: $(cat "$TMPD/$f.sg.err")"
    fi
    log "resolution failure: $(cat "$TMPD/$f.sg.err")"
done
# synack resolve names them as host(1) does.
for case in "$HOST_ADDR:Host other.test not found: 5(REFUSED)" "192.0.2.6:Host other.test not found: 2(SERVFAIL)" \
    "192.0.2.5:other.test: communications error to 192.0.2.5#53: connection refused; no servers could be reached"; do
    rc=0
    nsx timeout 60 "$SYNACK" resolve --tap "$DEV" --addr "$SYNACK_ADDR/$NET_PREFIX" --dns "${case%%:*}" other.test \
        >"$TMPD/resolve.out" 2>"$TMPD/resolve.err" || rc=$?
    ((rc == 1)) && grep -qxF "synack resolve: ${case#*:}" "$TMPD/resolve.err" ||
        { cat "$TMPD/resolve.err" >&2; fail "synack resolve --dns ${case%%:*}: exit $rc, want 1 and '${case#*:}'"; }
    log "synack resolve --dns ${case%%:*}: $(cat "$TMPD/resolve.err")"
done

# resolve --pcap is a live capture: while resolve waits for a server that never answers, the file
# already holds its query (UDP from synack to port 53).
PCAP="$TMPD/resolve.pcap"
rm -f "$PCAP"
nsx timeout 60 "$SYNACK" resolve --tap "$DEV" --addr "$SYNACK_ADDR/$NET_PREFIX" --dns 192.0.2.7 \
    --timeout 4000 --attempts 1 --pcap "$PCAP" silent.test >"$TMPD/silent.resolve.out" 2>"$TMPD/silent.resolve.err" &
RPID=$!
BG_PIDS+=("$RPID")
queries() { # the UDP datagrams to port 53 from synack in the capture so far
    python3 - "$PCAP" "$SYNACK_ADDR" <<'PY'
import socket, struct, sys
try:
    data = open(sys.argv[1], "rb").read()
except OSError:
    data = b""
src, n, off = socket.inet_aton(sys.argv[2]), 0, 24
while off + 16 <= len(data):
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    f = data[off + 16:off + 16 + incl]
    off += 16 + incl
    if len(f) < 14 + 28 or f[12:14] != b"\x08\x00":
        continue
    ip = f[14:]
    hl = (ip[0] & 15) * 4
    if ip[9] == 17 and ip[12:16] == src and struct.unpack(">H", ip[hl + 2:hl + 4])[0] == 53:
        n += 1
print(n)
PY
}
live=0
for ((i = 0; i < 30; i++)); do
    kill -0 "$RPID" 2>/dev/null || break
    if (($(queries) > 0)); then
        kill -0 "$RPID" 2>/dev/null && live=1
        break
    fi
    sleep 0.1
done
rc=0
wait "$RPID" || rc=$?
((live)) || { cat "$TMPD/silent.resolve.err" >&2; fail "resolve --pcap: no query in the capture while resolve was waiting (found $(queries) after it exited)"; }
((rc == 1)) && grep -qF "silent.test: connection timed out; no servers could be reached" "$TMPD/silent.resolve.err" ||
    { cat "$TMPD/silent.resolve.err" >&2; fail "resolve from a silent server: exit $rc"; }
log "resolve --pcap: the query was in the capture while resolve waited; then: $(cat "$TMPD/silent.resolve.err")"
pass
