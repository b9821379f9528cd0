#!/usr/bin/env bash
# The README's walkthrough runs as written: the shell block after the `<!-- walkthrough -->` line
# of README.md is extracted (so this test breaks when the README drifts) and run with `bash -e` in
# a fresh network namespace, from a directory laid out like the repository's top after `make demo`
# (build/synack is the binary under test, examples/ the repository's). Every command must succeed,
# and the output must show what the README says it shows: ping answered, the status JSON, two
# pages with one connection between them, demo.test resolved by synack's DNS server, the echo, the
# counters, a ladder of the live capture; afterwards the bridge is gone.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
interop_init "${1:-}" ping curl

SRC=${SYNACK_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
README="$SRC/README.md"
[[ -f "$README" ]] || fail "no README.md at $README"
[[ "$(basename "$SYNACK")" == synack ]] || fail "the binary must be named synack (got $SYNACK)"

# The block: from the fence after the marker to the closing fence.
awk '/^<!-- walkthrough -->$/ { m = 1; next }
     m == 1 && /^```/ { m = 2; next }
     m == 2 && /^```$/ { exit }
     m == 2 { print }' "$README" >"$TMPD/walkthrough.sh"
[[ -s "$TMPD/walkthrough.sh" ]] || fail "README.md has no shell block after '<!-- walkthrough -->'"
grep -q 'synack serve' "$TMPD/walkthrough.sh" || fail "the walkthrough block runs no synack serve"
log "walkthrough: $(wc -l <"$TMPD/walkthrough.sh") lines from README.md"

WORK="$TMPD/work"
mkdir -p "$WORK"
ln -s "$(dirname "$SYNACK")" "$WORK/build"
ln -s "$SRC/examples" "$WORK/examples"
[[ -d "$WORK/examples/www" && -f "$WORK/examples/demo.zone" ]] || fail "examples/www or examples/demo.zone missing"

rc=0
(cd "$WORK" && nsx timeout 120 bash -e "$TMPD/walkthrough.sh" >"$TMPD/out" 2>&1) || rc=$?
if ((rc != 0)); then
    cat "$TMPD/out" >&2
    fail "the README's walkthrough failed (exit $rc)"
fi

expect() { # REGEX WHAT
    grep -qE -- "$1" "$TMPD/out" || { cat "$TMPD/out" >&2; fail "walkthrough output lacks $2 ($1)"; }
}
expect '^3 packets transmitted, 3 received' "3 ping replies"
expect '^\{"time_us":[0-9]+,"sockets":' "the status JSON"
expect '^200 1 [0-9.]+s http://demo.test/$' "the first page on a new connection"
expect '^200 0 [0-9.]+s http://www.demo.test/a.html$' "the second page on the same connection"
expect '^192\.0\.2\.2$' "demo.test resolved to 192.0.2.2"
expect '^hello$' "the echo"
expect '^TcpPassiveOpens +[1-9]' "the TCP counters"
expect '^UdpInDatagrams +[1-9]' "the UDP counters"
expect '192\.0\.2\.2:80' "a ladder of an HTTP connection from the live capture"
expect 'synack serve: stopping' "serve stopping at the end"
[[ -s "$WORK/serve.pcap" ]] || fail "no serve.pcap"
if nsx ip link show synack0 >/dev/null 2>&1; then fail "the bridge synack0 is still there after the walkthrough"; fi
sed "s/^/[$INTEROP_NAME]   /" "$TMPD/out" | grep -vE "^\[[a-z_]+\]   (  |.*GET )" | head -n 40
log "every command succeeded; the output shows what the README says; the bridge is gone"
pass
