#!/usr/bin/env bash
# `synack get` keeps curl's habits: against one nginx (on the kernel's side of the TAP) synack get
# and curl are run with the same flags and their output compared: -I prints the same head (Date
# aside), -f prints nothing and exits 22 on a 404, -w expands curl's variables to the same text
# (times as numbers in order). Exit codes as curl's: 7 for a refused port, 28 for a connect
# timeout (both compared with curl), 6 for names that do not resolve, with the reason named
# (NXDOMAIN, a server that refuses) and never as "No such file" or "Connection refused".
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" nginx dnsmasq curl python3

WWW="$TMPD/www"
mkdir -p "$WWW"
echo "<h1>nginx</h1>" >"$WWW/index.html"
head -c 5000 /dev/urandom >"$WWW/5k.bin"
printf '%s web.test\n' "$HOST_ADDR" >"$TMPD/hosts"
cat >"$TMPD/nginx.conf" <<NGINX
worker_processes 1;
pid $TMPD/nginx.pid;
error_log $TMPD/nginx.err;
events { worker_connections 64; }
http {
    client_body_temp_path $TMPD; proxy_temp_path $TMPD; fastcgi_temp_path $TMPD;
    uwsgi_temp_path $TMPD; scgi_temp_path $TMPD;
    access_log off;
    types { text/html html; application/octet-stream bin; }
    root $WWW;
    server {
        listen $HOST_ADDR:8080;
        location = /r1 { return 301 /index.html; }
    }
}
NGINX
DEV=gc0
nsx ip tuntap add "$DEV" mode tap
nsx ip addr add "$HOST_ADDR/$NET_PREFIX" dev "$DEV"
nsx ip addr add 192.0.2.5/32 dev "$DEV"   # an address where nothing serves DNS
nsx ip link set "$DEV" up
start_bg nginx nginx -c "$TMPD/nginx.conf" -g 'daemon off;'
# nx.test is NXDOMAIN (an empty --address); other names have no upstream: REFUSED.
start_bg dnsmasq dnsmasq --conf-file=/dev/null --no-daemon --port 53 --listen-address "$HOST_ADDR" --bind-interfaces \
    --no-resolv --no-hosts --pid-file="$TMPD/dnsmasq.pid" --address=/nx.test/ --address=/dns.test/"$HOST_ADDR"
for ((i = 0; i < 50; i++)); do
    nsx bash -c "exec 3<>/dev/tcp/$HOST_ADDR/8080" 2>/dev/null && break
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

# Names that do not resolve: 6, and the reason named.
sg nx "http://nx.test/"
((SG_RC == 6)) && grep -q "(6) could not resolve host: nx.test (NXDOMAIN" "$TMPD/nx.sg.err" ||
    { cat "$TMPD/nx.sg.err" >&2; fail "NXDOMAIN: exit $SG_RC"; }
sg refusedns --dns 192.0.2.5 "http://other.test/"
((SG_RC == 6)) && grep -q "(6) could not resolve host: other.test (DNS server refused" "$TMPD/refusedns.sg.err" ||
    { cat "$TMPD/refusedns.sg.err" >&2; fail "a DNS server that refuses: exit $SG_RC"; }
if grep -qi "no such file\|connection refused" "$TMPD/nx.sg.err" "$TMPD/refusedns.sg.err"; then
    fail "a resolution failure named as an errno"
fi
log "resolution failures: $(cat "$TMPD/nx.sg.err"); $(cat "$TMPD/refusedns.sg.err")"
pass
