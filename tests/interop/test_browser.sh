#!/usr/bin/env bash
# The whole path with a real browser: headless Chromium, inside the test's namespace, resolves
# demo.test through synack's own DNS server (the namespace's resolv.conf points at it; `ip netns
# exec` puts /etc/netns/NAME/resolv.conf in place of /etc/resolv.conf), connects to synack's HTTP
# server over synack's TCP, and renders http://demo.test/status. The test checks the rendered DOM
# (the sockets table with its listeners, the SYN-RECEIVED count, counters, an SVG ladder of a
# recent connection) and that a screenshot was taken.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" chromium python3
ETCNS=""
trap 'rc=$?; [[ -n "$ETCNS" ]] && rm -rf "$ETCNS"; (exit $rc); interop_cleanup' EXIT

ETCNS="/etc/netns/$NS"
mkdir -p "$ETCNS"
echo "nameserver $SYNACK_ADDR" >"$ETCNS/resolv.conf"
cat >"$TMPD/demo.zone" <<ZONE
\$ORIGIN demo.test.
\$TTL 60
@    IN SOA ns.demo.test. admin.demo.test. 1 3600 600 86400 60
@    IN NS  ns.demo.test.
@    IN A   $SYNACK_ADDR
ns   IN A   $SYNACK_ADDR
www  IN CNAME demo.test.
ZONE
mkdir -p "$TMPD/www"
echo '<!DOCTYPE html><html><body><h1 id="hello">hello from synack</h1></body></html>' >"$TMPD/www/index.html"
start_serve tap br-tap0 --http-root "$TMPD/www" --dns-zone "$TMPD/demo.zone" --ctl "$TMPD/ctl.sock"

chrome() {   # chrome OUTFILE ARGS...: one headless run, bounded, with a fresh profile
    local out=$1
    shift
    rm -rf "$TMPD/profile"
    nsx timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-features=DnsOverHttps \
        --user-data-dir="$TMPD/profile" "$@" >"$out" 2>"$out.err"
}

# The plain page first: name resolution and HTTP through synack.
rc=0
chrome "$TMPD/index.dom" --dump-dom "http://demo.test/" || rc=$?
grep -q 'id="hello"' "$TMPD/index.dom" || { tail -5 "$TMPD/index.dom.err" >&2; fail "Chromium did not render http://demo.test/ (exit $rc)"; }
log "Chromium rendered http://demo.test/ (resolved by synack's DNS, served by synack's HTTP)"

rc=0
chrome "$TMPD/status.dom" --dump-dom "http://demo.test/status" || rc=$?
python3 - "$TMPD/status.dom" <<'PY' || fail "the status page's DOM is not what it should be (Chromium exit $rc)"
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
def need(cond, what):
    if not cond:
        sys.exit("missing: " + what)
need('<table id="sockets">' in dom, "the sockets table")
rows = re.findall(r'<tr class="s-([A-Z0-9-]+)">', dom)
need(rows.count("LISTEN") >= 3, "listeners on 80, 7 and 9 (got %s)" % rows)
need(re.search(r'<td>\*:80</td>', dom), "the HTTP listener *:80")
need(re.search(r'<span id="synrecv">\d+</span>', dom), "the SYN-RECEIVED count")
need('TcpPassiveOpens' in dom, "the TCP counters")
need(re.search(r'<svg[^>]*>', dom) and 'SYN-RECEIVED' in dom, "an SVG ladder with the handshake")
need('HTTP server' in dom, "the HTTP server's section")
print("status DOM ok: %d sockets, %d ladders" % (len(rows), dom.count("<svg")))
PY
chrome "$TMPD/shot.out" --window-size=1000,1400 --screenshot="$TMPD/status.png" "http://demo.test/status" || true
[[ -s "$TMPD/status.png" ]] && head -c 8 "$TMPD/status.png" | od -An -c | grep -q 'P   N   G' ||
    fail "no PNG screenshot of the status page"
log "screenshot: $(stat -c %s "$TMPD/status.png") bytes"
dnsq=$("$SYNACK" ss --ctl "$TMPD/ctl.sock" --counters | awk '$1 == "UdpInDatagrams" {print $2}')
((dnsq >= 1)) || fail "synack's DNS server received no query (UdpInDatagrams=$dnsq)"
stop_serve
pass
