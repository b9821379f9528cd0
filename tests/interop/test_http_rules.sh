#!/usr/bin/env bash
# The HTTP server's protocol rules against curl and nc over TAP: validators (RFC 9110 13.2.2:
# If-Match and If-Unmodified-Since -> 412, If-None-Match over If-Modified-Since -> 304, If-Range),
# byte ranges (RFC 9110 14: a file fetched as ranges by curl, single, suffix and open ones, and a
# multipart/byteranges answer taken apart, every reassembly checked by SHA-256, overlapping ranges
# coalesced into one part; 416 with
# Content-Range: bytes */LEN), Host values that are repeated, a list or not a host (400, RFC 9112
# 3.2), OPTIONS * (200 with Allow, and the same connection serves the next request), and a chunked
# request body over the limit (413).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" curl nc sha256sum

WWW="$TMPD/www"
mkdir -p "$WWW"
head -c 3000000 /dev/urandom >"$WWW/3m.bin"
head -c 1000 /dev/urandom >"$WWW/1k.bin"
URL="http://$SYNACK_ADDR"
# raw REQUEST_TEXT: sends raw bytes with nc, the whole answer into $TMPD/raw.out.
raw() { printf '%b' "$1" | nsx timeout 10 nc -q 3 "$SYNACK_ADDR" 80 >"$TMPD/raw.out" 2>/dev/null || true; }
status_of() { raw "$1"; head -n1 "$TMPD/raw.out" | awk '{ print $2 }'; }
code() { nsx curl -s -o /dev/null -w '%{http_code}' "$@"; }

start_serve tap hr --http-root "$WWW" --http-log /dev/null

# ---- validators ----
nsx curl -sI "$URL/1k.bin" >"$TMPD/h"
etag=$(awk -F': ' 'tolower($1) == "etag" { sub(/\r$/, "", $2); print $2 }' "$TMPD/h")
lm=$(awk -F': ' 'tolower($1) == "last-modified" { sub(/\r$/, "", $2); print $2 }' "$TMPD/h")
[[ "$etag" =~ ^\"[^\"]+\"$ ]] || fail "no strong ETag: '$etag'"
grep -qi '^Accept-Ranges: bytes' "$TMPD/h" || fail "no Accept-Ranges: bytes"
c=$(code -H "If-None-Match: $etag" "$URL/1k.bin"); [[ $c == 304 ]] || fail "If-None-Match the ETag: $c"
c=$(code -H "If-None-Match: \"other\"" -H "If-Modified-Since: $lm" "$URL/1k.bin")
[[ $c == 200 ]] || fail "If-None-Match not matching beats If-Modified-Since: want 200, got $c"
c=$(code -H "If-Match: \"other\"" "$URL/1k.bin"); [[ $c == 412 ]] || fail "If-Match other: $c"
c=$(code -H "If-Match: $etag" "$URL/1k.bin"); [[ $c == 200 ]] || fail "If-Match the ETag: $c"
c=$(code -H "If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT" "$URL/1k.bin")
[[ $c == 412 ]] || fail "If-Unmodified-Since before the file: $c"
c=$(code -H "If-Match: $etag" -H "If-Unmodified-Since: Sat, 01 Jan 2000 00:00:00 GMT" "$URL/1k.bin")
[[ $c == 200 ]] || fail "If-Match wins over If-Unmodified-Since: $c"
c=$(code -r 0-9 -H "If-Range: $etag" "$URL/1k.bin"); [[ $c == 206 ]] || fail "If-Range current: $c"
c=$(code -r 0-9 -H "If-Range: \"old\"" "$URL/1k.bin"); [[ $c == 200 ]] || fail "If-Range old: $c"
log "validators: 304, 412, If-Range, in RFC 9110 13.2.2's order"

# ---- ranges: the 3 MB file in 7 pieces of every form, reassembled ----
want=$(sha256 "$WWW/3m.bin")
: >"$TMPD/parts"
for r in 0-0 1-999999 1000000-1999999 2000000-2899999 2900000-2999990 -9 ; do
    nsx curl -sSf -r "$r" -D "$TMPD/rh" -o "$TMPD/p" "$URL/3m.bin" || fail "range $r failed"
    head -n1 "$TMPD/rh" | grep -q ' 206 ' || fail "range $r: not 206"
    grep -qi '^Content-Range: bytes .*/3000000' "$TMPD/rh" || fail "range $r: no Content-Range"
    cat "$TMPD/p" >>"$TMPD/parts"
done
[[ "$(sha256 "$TMPD/parts")" == "$want" ]] || fail "ranges reassembled: SHA-256 differs"
nsx curl -sSf -r 2999000- -o "$TMPD/tail" "$URL/3m.bin"
[[ "$(sha256 "$TMPD/tail")" == "$(tail -c 1000 "$WWW/3m.bin" | sha256sum | cut -d' ' -f1)" ]] ||
    fail "open range: SHA-256 differs"
log "ranges: 6 single ranges (suffix included) reassembled, SHA-256 match; open range matches"

# several ranges in one request, far apart and out of order: multipart/byteranges, the parts in
# the order asked, each checked byte for byte against the file where its Content-Range says
nsx curl -sSf -r 2000500-,0-99999,100200-1999999 -D "$TMPD/mh" -o "$TMPD/multi" "$URL/3m.bin" ||
    fail "multi-range failed"
boundary=$(awk -F'boundary=' 'tolower($0) ~ /^content-type: multipart\/byteranges/ { sub(/\r$/, "", $2); print $2 }' "$TMPD/mh")
[[ -n "$boundary" ]] || fail "several ranges: no multipart/byteranges"
python3 - "$TMPD/multi" "$boundary" "$WWW/3m.bin" <<'PY' || fail "multipart body malformed or parts wrong"
import re, sys
data = open(sys.argv[1], 'rb').read(); b = b'--' + sys.argv[2].encode()
whole = open(sys.argv[3], 'rb').read()
got = []
for part in data.split(b'\r\n' + b)[1:]:
    if part.startswith(b'--'):
        break
    head, body = part.split(b'\r\n\r\n', 1)
    m = re.search(rb'Content-Range: bytes (\d+)-(\d+)/3000000', head)
    assert m, head
    first, last = int(m.group(1)), int(m.group(2))
    assert body == whole[first:last + 1], (first, last)
    got.append((first, last))
assert got == [(2000500, 2999999), (0, 99999), (100200, 1999999)], got
PY
# ranges that overlap or touch are coalesced (RFC 9110 15.3.7.2): one part, a plain 206
nsx curl -sSf -r 0-99,50-199,200-299 -D "$TMPD/ch" -o "$TMPD/coal" "$URL/3m.bin" || fail "coalesced ranges failed"
grep -qi '^Content-Range: bytes 0-299/3000000' "$TMPD/ch" || fail "overlapping ranges not coalesced into 0-299"
[[ "$(sha256 "$TMPD/coal")" == "$(head -c 300 "$WWW/3m.bin" | sha256sum | cut -d' ' -f1)" ]] ||
    fail "coalesced range: SHA-256 differs"
nsx curl -s -r 3000000- -D "$TMPD/416" -o /dev/null "$URL/3m.bin"
head -n1 "$TMPD/416" | grep -q ' 416 ' || fail "range past the end: no 416"
grep -qi '^Content-Range: bytes \*/3000000' "$TMPD/416" || fail "416 without Content-Range: bytes */3000000"
log "ranges: multipart/byteranges of 3 parts in the order asked, each matching the file; overlapping ones coalesced; 416 with bytes */LEN"

# ---- Host ----
for h in 'Host: a\r\nHost: a' 'Host: a, b' 'Host: a b' 'Host: a/b' 'Host: user@a' 'Host: a:80:80'; do
    c=$(status_of "GET /1k.bin HTTP/1.1\r\n$h\r\nConnection: close\r\n\r\n")
    [[ $c == 400 ]] || fail "'$h': want 400, got '$c'"
done
c=$(status_of "GET /1k.bin HTTP/1.1\r\nConnection: close\r\n\r\n"); [[ $c == 400 ]] || fail "no Host: $c"
c=$(status_of "GET /1k.bin HTTP/1.1\r\nHost: [::1]:80\r\nConnection: close\r\n\r\n"); [[ $c == 200 ]] || fail "IPv6 Host: $c"
log "Host: repeated, a list, a space, a path, userinfo, two ports -> 400"

# ---- OPTIONS * and the connection goes on ----
raw "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\nGET /1k.bin HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
head -n1 "$TMPD/raw.out" | grep -q '^HTTP/1.1 200' || fail "OPTIONS *: $(head -n1 "$TMPD/raw.out")"
grep -q '^Allow: GET, HEAD, OPTIONS' "$TMPD/raw.out" || fail "OPTIONS * without Allow"
n=$(grep -c '^HTTP/1.1 200' "$TMPD/raw.out" || true)
((n == 2)) || fail "OPTIONS * then GET on one connection: $n responses"
log "OPTIONS *: 200 with Allow, then a GET served on the same connection"

# ---- a chunked body over the limit (1 MiB) ----
head -c 3000000 /dev/zero >"$TMPD/big"
c=$(nsx curl -s -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' --data-binary @"$TMPD/big" "$URL/1k.bin")
[[ $c == 413 ]] || fail "3 MB chunked body: want 413, got $c"
log "chunked request body over 1 MiB: 413"
serve_alive
stop_serve
pass
