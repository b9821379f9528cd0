#!/usr/bin/env bash
# `synack get` against nginx (started by this test inside its namespace, on the kernel's side of
# the TAP at 192.0.2.1) and dnsmasq: files checked by SHA-256; several URLs over one connection
# (nginx's $connection in its access log); chunked bodies (sub_filter on a static file makes nginx
# send chunked) and close-delimited ones (chunked_transfer_encoding off); redirects with -L (and a
# loop refused); names from a hosts file and from DNS; a server whose keep-alive timeout is shorter
# than the pool's idle time, so the request on the reused connection fails and is retried; a
# server that advertises its timeout (Keep-Alive: timeout=3), so the pool closes first instead; -O
# names, --timing lines, -f (curl's -I/-f/-w are compared with curl in test_get_curl).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" nginx dnsmasq sha256sum

WWW="$TMPD/www"
mkdir -p "$WWW/sub"
echo "<h1>nginx</h1>" >"$WWW/index.html"
head -c 1000 /dev/urandom >"$WWW/1k.bin"
head -c 20000000 /dev/urandom >"$WWW/20m.bin"
for i in $(seq 1 20000); do echo "line $i: hello world, hello again"; done >"$WWW/text.txt"
sed 's/hello/HELLO/g' "$WWW/text.txt" >"$TMPD/text.expected"
printf '%s web.test\n' "$HOST_ADDR" >"$TMPD/hosts"

# The kernel's side of the TAP exists before synack opens it, so nginx and dnsmasq can bind.
DEV=hg0
host_tap "$DEV"
start_nginx 64 <<EOF
    log_format conn '\$server_port \$connection \$connection_requests "\$request" \$status';
    access_log $TMPD/access.log conn;
    root $WWW;
    # keep-alive shorter than the pool's idle time, not advertised: the retry path
    server {
        listen $HOST_ADDR:8080;
        keepalive_timeout 1s;
        location = /r1 { return 301 /r2; }
        location = /r2 { return 302 http://web.test:8080/index.html; }
        location = /loop { return 301 /loop; }
        location = /text.txt { sub_filter 'hello' 'HELLO'; sub_filter_once off; sub_filter_types *; }
        location = /close.txt {
            alias $WWW/text.txt;
            sub_filter 'hello' 'HELLO'; sub_filter_once off; sub_filter_types *;
            chunked_transfer_encoding off;
        }
    }
    # keep-alive advertised (Keep-Alive: timeout=3): the pool closes first
    server {
        listen $HOST_ADDR:8081;
        keepalive_timeout 3s 3s;
    }
EOF
start_bg dnsmasq dnsmasq --conf-file=/dev/null --no-daemon --port 53 --listen-address "$HOST_ADDR" --bind-interfaces --no-resolv \
    --no-hosts --pid-file="$TMPD/dnsmasq.pid" --address=/dns.test/"$HOST_ADDR"
for ((i = 0; i < 50; i++)); do
    nsx bash -c "exec 3<>/dev/tcp/$HOST_ADDR/8080" 2>/dev/null && break
    sleep 0.1
done

# get ARGS...: runs synack get on the TAP (stdout to get.out, stderr to get.err); returns its status.
get() {
    local rc=0
    (cd "$TMPD" && nsx timeout 60 "$SYNACK" get --tap "$DEV" --addr "$SYNACK_ADDR/$NET_PREFIX" \
        --ctl "$TMPD/get.sock" --hosts "$TMPD/hosts" --dns "$HOST_ADDR" "$@" >"$TMPD/get.out" 2>"$TMPD/get.err") || rc=$?
    return $rc
}
get_ok() { get "$@" || { cat "$TMPD/get.err" >&2; fail "synack get $* failed"; }; }
# conns_for PORT FIRST_LINE: distinct nginx connections in the access log from line FIRST_LINE on.
conns_for() { tail -n +"$2" "$TMPD/access.log" | awk -v p="$1" '$1 == p { print $2 }' | sort -u | wc -l; }
log_lines() { if [[ -f "$TMPD/access.log" ]]; then wc -l <"$TMPD/access.log"; else echo 0; fi; }

# Several URLs, one connection; files by SHA-256; -o pairs with URLs in order.
start=$(($(log_lines) + 1))
get_ok --timing -o "$TMPD/a" -o "$TMPD/b" -o "$TMPD/c" \
    "http://web.test:8080/index.html" "http://web.test:8080/20m.bin" "http://web.test:8080/1k.bin"
for p in "a index.html" "b 20m.bin" "c 1k.bin"; do
    set -- $p
    [[ "$(sha256 "$TMPD/$1")" == "$(sha256 "$WWW/$2")" ]] || fail "$2: SHA-256 differs"
done
n=$(conns_for 8080 "$start")
((n == 1)) || { cat "$TMPD/access.log" >&2; fail "3 URLs took $n nginx connections (want 1)"; }
(($(grep -c 'reused=1' "$TMPD/get.err") == 2)) ||
    { cat "$TMPD/get.err" >&2; fail "--timing lines do not show 2 reused requests"; }
grep -qE 'resolve=[0-9.]+ connect=[0-9.]+ first_byte=[0-9.]+ total=[0-9.]+' "$TMPD/get.err" || fail "--timing: no timing line"
log "3 URLs (20 MB included) over 1 nginx connection, SHA-256 match; --timing: $(head -n1 "$TMPD/get.err")"

# Chunked (sub_filter) and close-delimited bodies, to stdout.
get_ok -v "http://web.test:8080/text.txt"
cmp -s "$TMPD/get.out" "$TMPD/text.expected" || fail "chunked body differs"
grep -q 'length -1' "$TMPD/get.err" || fail "text.txt was not sent without a length (chunked)"
get_ok -v "http://web.test:8080/close.txt"
cmp -s "$TMPD/get.out" "$TMPD/text.expected" || fail "close-delimited body differs"
log "chunked and close-delimited bodies ($(stat -c %s "$TMPD/text.expected") bytes) match"

# Redirects: two hops with -L; a loop is refused; without -L the 301 itself.
get_ok -L --timing "http://web.test:8080/r1"
[[ "$(cat "$TMPD/get.out")" == "<h1>nginx</h1>" ]] || fail "-L did not end at index.html"
grep -q 'redirects=2' "$TMPD/get.err" || fail "-L: want redirects=2"
rc=0
get -L "http://web.test:8080/loop" || rc=$?
((rc == 47)) && grep -q 'too many redirects' "$TMPD/get.err" || fail "redirect loop: exit $rc, $(cat "$TMPD/get.err")"
get_ok --timing "http://web.test:8080/r1"
grep -q 'status=301' "$TMPD/get.err" || fail "without -L: want the 301"
log "redirects: 2 hops followed, a loop refused after 10, none without -L"

# DNS (dnsmasq), hosts file empty; -O names the file after the URL.
(cd "$TMPD" && rm -f 1k.bin)
get_ok -O --timing --hosts /dev/null "http://dns.test:8080/1k.bin"
[[ "$(sha256 "$TMPD/1k.bin")" == "$(sha256 "$WWW/1k.bin")" ]] || fail "-O: 1k.bin differs"
log "DNS via dnsmasq: dns.test resolved, -O wrote 1k.bin"

# 404 with -f fails; without -f it does not.
rc=0
get -f "http://web.test:8080/missing" || rc=$?
((rc == 22)) || fail "-f on a 404: exit $rc (want 22, as curl)"
get_ok "http://web.test:8080/missing"

# Retry: nginx closes an idle connection after 1 s without saying so; the pooled connection is
# reused 2 s later, fails before any response byte, and the request is retried on a fresh one.
start=$(($(log_lines) + 1))
get_ok -v --timing --wait 2 -o "$TMPD/r1" -o "$TMPD/r2" "http://web.test:8080/1k.bin" "http://web.test:8080/index.html"
grep -q 'retries=1' "$TMPD/get.err" || { cat "$TMPD/get.err" >&2; fail "no retry after nginx's keep-alive timeout"; }
[[ "$(cat "$TMPD/r2")" == "<h1>nginx</h1>" ]] || fail "retried request: wrong body"
n=$(conns_for 8080 "$start")
((n == 2)) || fail "retry: $n nginx connections (want 2)"
log "keep-alive timeout 1 s (not advertised), wait 2 s: request retried on a fresh connection"

# Advertised timeout: nginx says timeout=3; after 2.5 s the pool has closed the connection itself
# (at 3 - 1 s), so the next request opens a new one without any retry.
get_ok -v --timing --wait 2.5 -o /dev/null -o /dev/null "http://web.test:8081/1k.bin" "http://web.test:8081/1k.bin"
grep -q 'retries=1' "$TMPD/get.err" && fail "advertised keep-alive timeout: the pool still retried"
grep -q ', 1 closed before the server.s keep-alive timeout' "$TMPD/get.err" ||
    { cat "$TMPD/get.err" >&2; fail "the pool did not close before the advertised timeout"; }
# ... and within the advertised timeout the connection is reused.
get_ok -v --timing --wait 1 -o /dev/null -o /dev/null "http://web.test:8081/1k.bin" "http://web.test:8081/1k.bin"
(($(grep -c 'reused=1' "$TMPD/get.err") == 1)) || fail "within the advertised timeout: not reused"
log "Keep-Alive: timeout=3 advertised: closed by the pool after 2 s, reused within it"

grep -q '\[alert\]\|\[crit\]' "$TMPD/nginx.err" 2>/dev/null && fail "nginx logged alerts: $(cat "$TMPD/nginx.err")"
pass
