#!/usr/bin/env bash
# The HTTP server (`synack serve --http-root`) against real clients over TAP: curl, wget, ab and wrk
# fetch files checked by SHA-256; keep-alive reuse proven by counting TCP passive opens (synack ss
# --counters); HTTP/1.0 with and without keep-alive; two pipelined requests from nc answered in
# order; the idle timeout and the per-connection request maximum; every limit with its status
# (414, 431, 413, 400, 505, 405 with Allow, 408 for a slowloris client while others are served,
# 503 over the connection cap); the access log; the server's counters. Last, requests per second
# from wrk and ab against synack and against nginx serving the same file in the same namespace.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" curl wget ab wrk nc nginx sha256sum

WWW="$TMPD/www"
mkdir -p "$WWW/dir"
echo "<h1>synack</h1>" >"$WWW/index.html"
echo "dir index" >"$WWW/dir/index.html"
head -c 1000 /dev/urandom >"$WWW/1k.bin"
head -c 1000000 /dev/urandom >"$WWW/1m.bin"
head -c 20000000 /dev/urandom >"$WWW/20m.bin"
echo "secret" >"$TMPD/secret.txt"
ln -s "$TMPD/secret.txt" "$WWW/escape"
URL="http://$SYNACK_ADDR"
CTL="$TMPD/ctl.sock"

passive_opens() { "$SYNACK" ss --ctl "$CTL" --counters | awk '$1 == "TcpPassiveOpens" { print $2 }'; }
# http_counter NAME: from the counters serve prints when it stops.
http_counter() { awk -v n="$1" '$1 == n { v = $2 } END { print v + 0 }' "$SERVE_LOG"; }
# status_of REQUEST_TEXT: sends raw bytes with nc, prints the status code of the first response.
status_of() {
    printf '%b' "$1" | nsx timeout 10 nc -q 5 "$SYNACK_ADDR" 80 >"$TMPD/raw.out" 2>/dev/null || true
    head -n1 "$TMPD/raw.out" | awk '{ print $2 }'
}

# ---------------- phase A: files, keep-alive, limits ----------------
# One stack (--threads 1) in every phase: the HTTP server's counters (/status.json) and its
# connection cap are per shard, and this test checks one server's.
start_serve tap hs-a --ctl "$CTL" --http-root "$WWW" --http-log "$TMPD/access.log" \
    --http-keepalive-timeout 2 --http-keepalive-max 5 --http-header-timeout 2 --threads 1

for f in index.html 1k.bin 1m.bin 20m.bin; do
    nsx timeout 60 curl -sSf -o "$TMPD/curl.$f" "$URL/$f" || fail "curl $f failed"
    [[ "$(sha256 "$TMPD/curl.$f")" == "$(sha256 "$WWW/$f")" ]] || fail "curl $f: SHA-256 differs"
    (cd "$TMPD" && nsx timeout 60 wget -q -O "$TMPD/wget.$f" "$URL/$f") || fail "wget $f failed"
    [[ "$(sha256 "$TMPD/wget.$f")" == "$(sha256 "$WWW/$f")" ]] || fail "wget $f: SHA-256 differs"
done
log "curl and wget: 4 files each, SHA-256 match (20 MB included)"

# Directory index, redirect, HEAD, 304, types, no escape.
[[ "$(nsx curl -s "$URL/dir/")" == "dir index" ]] || fail "GET /dir/ did not serve dir/index.html"
out=$(nsx curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$URL/dir")
[[ "$out" == "301 $URL/dir/" ]] || fail "GET /dir: want 301 to /dir/, got '$out'"
nsx curl -sI "$URL/1m.bin" >"$TMPD/head.out"
grep -q '^Content-Length: 1000000' "$TMPD/head.out" || fail "HEAD: no Content-Length"
grep -q '^Content-Type: application/octet-stream' "$TMPD/head.out" || fail "HEAD: wrong Content-Type"
lm=$(awk -F': ' '/^Last-Modified/ { sub(/\r$/, "", $2); print $2 }' "$TMPD/head.out")
code=$(nsx curl -s -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $lm" "$URL/1m.bin")
[[ "$code" == 304 ]] || fail "If-Modified-Since the Last-Modified date: want 304, got $code"
code=$(nsx curl -s -o /dev/null -w '%{http_code}' "$URL/index.html" -D "$TMPD/h.out")
grep -q '^Content-Type: text/html' "$TMPD/h.out" || fail "index.html: Content-Type not text/html"
for t in /escape /../secret.txt /%2e%2e/secret.txt /dir/..%2f..%2fsecret.txt; do
    code=$(status_of "GET $t HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    [[ "$code" == 404 || "$code" == 400 ]] || fail "GET $t: want 400/404, got '$code'"
    grep -q secret "$TMPD/raw.out" && fail "GET $t leaked a file outside the root"
done
log "index, redirect, HEAD, 304, types; no escape through symlinks, dot-segments or encoded slashes"

# Keep-alive: five URLs on one curl command line reuse one connection.
before=$(passive_opens)
nsx curl -s -o /dev/null -o /dev/null -o /dev/null -o /dev/null -w '%{num_connects}\n' \
    "$URL/1k.bin" "$URL/index.html" "$URL/1m.bin" "$URL/dir/" >"$TMPD/nc.out"
after=$(passive_opens)
((after - before == 1)) || fail "4 requests with keep-alive took $((after - before)) connections (want 1)"
log "HTTP/1.1 keep-alive: 4 requests, 1 connection (TcpPassiveOpens +1)"

# HTTP/1.0: closes unless the request asks for keep-alive.
before=$(passive_opens)
nsx curl -0 -s -D "$TMPD/h10.out" -o /dev/null -o /dev/null "$URL/1k.bin" "$URL/index.html"
after=$(passive_opens)
((after - before == 2)) || fail "HTTP/1.0 without keep-alive: $((after - before)) connections (want 2)"
grep -qi '^Connection: close' "$TMPD/h10.out" || fail "HTTP/1.0 response lacks Connection: close"
before=$(passive_opens)
nsx curl -0 -s -H 'Connection: keep-alive' -D "$TMPD/h10k.out" -o /dev/null -o /dev/null "$URL/1k.bin" "$URL/index.html"
after=$(passive_opens)
((after - before == 1)) || fail "HTTP/1.0 with keep-alive: $((after - before)) connections (want 1)"
grep -qi '^Connection: keep-alive' "$TMPD/h10k.out" || fail "HTTP/1.0 keep-alive response lacks Connection: keep-alive"
grep -qi '^Keep-Alive: timeout=2, max=' "$TMPD/h10k.out" || fail "no Keep-Alive: timeout=2 advertised"
log "HTTP/1.0: 2 connections without keep-alive, 1 with (and the response says keep-alive)"

# Pipelining: two requests in one write, answered in order.
printf 'GET /dir/ HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
    nsx timeout 10 nc -q 5 "$SYNACK_ADDR" 80 >"$TMPD/pipe.out" || true
n=$(grep -c '^HTTP/1.1 200 OK' "$TMPD/pipe.out" || true)
((n == 2)) || fail "pipelined: $n responses (want 2)"
first=$(grep -n 'dir index' "$TMPD/pipe.out" | cut -d: -f1)
second=$(grep -n '<h1>synack</h1>' "$TMPD/pipe.out" | cut -d: -f1)
[[ -n "$first" && -n "$second" ]] && ((first < second)) || fail "pipelined responses out of order"
log "pipelining: two requests in one segment, two responses in order"

# Idle timeout (2 s): the server closes an idle persistent connection.
start=$(date +%s.%N)
printf 'GET /1k.bin HTTP/1.1\r\nHost: x\r\n\r\n' | nsx timeout 10 nc "$SYNACK_ADDR" 80 >"$TMPD/idle.out" 2>&1 || true
end=$(date +%s.%N)
el=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
awk -v e="$el" 'BEGIN { exit !(e >= 1.8 && e < 4) }' || fail "idle connection closed after $el s (want ~2 s)"
grep -q '^HTTP/1.1 200' "$TMPD/idle.out" || fail "idle test: no response"
log "idle timeout: closed after $el s (keep-alive timeout 2 s)"

# Max requests per connection (5): seven requests take two connections; the fifth response closes.
before=$(passive_opens)
args=()
for i in 1 2 3 4 5 6 7; do args+=(-o /dev/null "$URL/1k.bin"); done
nsx curl -s -D "$TMPD/max.out" "${args[@]}"
after=$(passive_opens)
((after - before == 2)) || fail "7 requests with keepalive-max 5: $((after - before)) connections (want 2)"
n=$(grep -ci '^Connection: close' "$TMPD/max.out" || true)
((n == 1)) || fail "want exactly one Connection: close among 7 responses, got $n"
grep -qiE "max=1([^0-9]|$)" "$TMPD/max.out" || fail "no response advertised max=1 before the closing one"
log "keep-alive max 5: 7 requests on 2 connections, the 5th response says close"

# Limits.
long=$(head -c 9000 /dev/zero | tr '\0' a)
code=$(nsx curl -s -o /dev/null -w '%{http_code}' "$URL/$long")
[[ "$code" == 414 ]] || fail "9000-byte URL: want 414, got $code"
code=$(nsx curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 17000 /dev/zero | tr '\0' b)" "$URL/")
[[ "$code" == 431 ]] || fail "17000-byte header: want 431, got $code"
code=$(status_of "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n")
[[ "$code" == 413 ]] || fail "5 MB body: want 413, got $code"
code=$(status_of "GET / HTTP/1.1\r\nHost : x\r\n\r\n")
[[ "$code" == 400 ]] || fail "space before colon: want 400, got $code"
code=$(status_of "GET / HTTP/3.0\r\nHost: x\r\n\r\n")
[[ "$code" == 505 ]] || fail "HTTP/3.0: want 505, got $code"
nsx curl -s -X DELETE -D "$TMPD/405.out" -o /dev/null "$URL/index.html"
grep -q '^HTTP/1.1 405' "$TMPD/405.out" || fail "DELETE: want 405"
grep -q '^Allow: GET, HEAD' "$TMPD/405.out" || fail "405 without Allow: GET, HEAD"
log "limits: 414, 431, 413, 400, 505, 405 with Allow"

# Slowloris: a head sent a line per second never completes within 2 s: 408, while curl is served.
start_bg slow bash -c 'exec 3<>/dev/tcp/'"$SYNACK_ADDR"'/80; for l in "GET / HTTP/1.1" "Host: x" "X-A: 1" "X-B: 2"; do printf "%s\r\n" "$l" >&3 || break; sleep 1; done; cat <&3'
slow_pid=$BG_PID
sleep 0.5
for i in 1 2 3; do
    nsx timeout 10 curl -sSf -o "$TMPD/during" "$URL/1m.bin" || fail "curl failed while a slowloris client was connected"
    [[ "$(sha256 "$TMPD/during")" == "$(sha256 "$WWW/1m.bin")" ]] || fail "file differs during slowloris"
done
wait "$slow_pid" || true
grep -q '^HTTP/1.1 408' "$TMPD/slow.out" || { cat "$TMPD/slow.out" >&2; fail "slowloris client did not get 408"; }
log "slowloris: 408 after the header deadline; 3 x 1 MB served meanwhile"

# Access log: one common-log-format line per response.
lines=$(wc -l <"$TMPD/access.log")
((lines >= 30)) || fail "access log has only $lines lines"
bad=$(grep -cvE '^[0-9.]+ - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} \+0000\] "[^"]*" [0-9]{3} ([0-9]+|-)$' "$TMPD/access.log" || true)
((bad == 0)) || { head "$TMPD/access.log" >&2; fail "$bad access log lines are not in common log format"; }
grep -q '"GET /20m.bin HTTP/1.1" 200 20000000$' "$TMPD/access.log" || fail "access log lacks the 20 MB GET"
serve_alive
stop_serve
for c in limit_request_line limit_header limit_body limit_version limit_method limit_header_timeout max_requests_closes; do
    v=$(http_counter "$c")
    ((v >= 1)) || fail "counter $c is $v after hitting it"
done
log "access log: $lines lines in common log format; counters: requests $(http_counter requests)," \
    "keep-alive reuses $(http_counter keepalive_reuses), pipelined $(http_counter pipelined)," \
    "idle timeouts $(http_counter idle_timeouts), 408 $(http_counter limit_header_timeout)"

# ---------------- phase B: the connection cap ----------------
start_serve tap hs-b --ctl "$CTL" --http-root "$WWW" --http-log /dev/null --http-max-conns 2 --threads 1
start_bg hold1 bash -c 'exec 3<>/dev/tcp/'"$SYNACK_ADDR"'/80; sleep 4'
start_bg hold2 bash -c 'exec 3<>/dev/tcp/'"$SYNACK_ADDR"'/80; sleep 4'
sleep 0.5
nsx curl -s -D "$TMPD/503.out" -o /dev/null "$URL/index.html" || true
grep -q '^HTTP/1.1 503' "$TMPD/503.out" || { cat "$TMPD/503.out" >&2; fail "third connection over a cap of 2: no 503"; }
grep -q '^Retry-After:' "$TMPD/503.out" || fail "503 without Retry-After"
stop_serve
(($(http_counter conns_refused) == 1)) || fail "conns_refused is $(http_counter conns_refused), want 1"
log "cap of 2 connections: the third gets 503 with Retry-After, counted"

# ---------------- phase C: throughput beside nginx ----------------
start_serve tap hs-c --ctl "$CTL" --http-root "$WWW" --http-log /dev/null --threads 1
cat >"$TMPD/nginx.conf" <<EOF
worker_processes 1;
pid $TMPD/nginx.pid;
error_log $TMPD/nginx.err;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $TMPD; proxy_temp_path $TMPD; fastcgi_temp_path $TMPD;
    uwsgi_temp_path $TMPD; scgi_temp_path $TMPD;
    server { listen $HOST_ADDR:8080; root $WWW; }
}
EOF
start_bg nginx nginx -c "$TMPD/nginx.conf" -g 'daemon off;'
for ((i = 0; i < 50; i++)); do nsx curl -sf -o /dev/null "http://$HOST_ADDR:8080/1k.bin" && break; sleep 0.1; done
rps_wrk() { nsx timeout 30 wrk -t2 -c16 -d3s "$1" | awk '/^Requests\/sec/ { print $2 }'; }
rps_ab() {
    nsx timeout 60 ab -q -k -n 5000 -c 16 "$1" >"$TMPD/ab.out" 2>&1 || { cat "$TMPD/ab.out" >&2; fail "ab $1 failed"; }
    grep -q '^Failed requests: *0' "$TMPD/ab.out" || { cat "$TMPD/ab.out" >&2; fail "ab $1: failed requests"; }
    awk '/^Requests per second/ { print $4 }' "$TMPD/ab.out"
}
ours_wrk=$(rps_wrk "$URL/1k.bin")
theirs_wrk=$(rps_wrk "http://$HOST_ADDR:8080/1k.bin")
ours_ab=$(rps_ab "$URL/1k.bin")
theirs_ab=$(rps_ab "http://$HOST_ADDR:8080/1k.bin")
[[ -n "$ours_wrk" && -n "$theirs_wrk" ]] || fail "wrk printed no Requests/sec"
awk -v o="$ours_wrk" 'BEGIN { exit !(o > 100) }' || fail "synack served only $ours_wrk requests/s under wrk"
log "wrk -t2 -c16 -d3s, 1 KB file: synack $ours_wrk req/s, nginx $theirs_wrk req/s," \
    "ratio $(awk -v a="$ours_wrk" -v b="$theirs_wrk" 'BEGIN { printf "%.2f", a / b }')"
log "ab -k -n 5000 -c 16, 1 KB file: synack $ours_ab req/s, nginx $theirs_ab req/s," \
    "ratio $(awk -v a="$ours_ab" -v b="$theirs_ab" 'BEGIN { printf "%.2f", a / b }')"
serve_alive
stop_serve
(($(http_counter responses_5xx) == 0)) || fail "5xx responses under load"
pass
