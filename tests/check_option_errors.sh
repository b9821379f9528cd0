#!/usr/bin/env bash
# Every usage error of every `synack` command is one line on stderr, nothing on stdout, exit 2, in
# one form: "synack CMD: ...", and " (try 'synack CMD --help')" at the end of an unknown option, an
# option without its value, and an operand or required option missing. The commands come from
# `synack --help`, their options from each command's --help, so what is added later is checked too:
#   - an unknown long and short option, a value given to --help;
#   - each option whose value is not a number (NAME, FILE, A.B.C.D, ...; the number options are
#     check_number_options.sh's) given last, without its value;
#   - each address option (A.B.C.D, A.B.C.D/N, A/N) given a value that is no address;
#   - the command alone: it runs (exit 0, as demo does) or says what is missing;
#   - resolve's own: --dns with IPv6 or too many servers, a device without --addr, no NAME.
# Needs no root and opens no device: an invocation with a device and an address also carries
# --pcap-wire without --pcap, which the device check refuses before anything is opened.
# Usage: check_option_errors.sh /path/to/synack
#        check_option_errors.sh --proof /path/to/synack   (the check must fail on a stand-in whose
#        nc drops the hint from its errors)
set -uo pipefail
if [[ ${1:-} == --proof ]]; then
    real=${2:?usage: check_option_errors.sh --proof /path/to/synack}
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    cat >"$tmp/synack" <<EOF
#!/usr/bin/env bash
if [[ \${1:-} == nc ]]; then
    "$real" "\$@" 2> >(sed "s/ (try 'synack nc --help')\$//" >&2)
    rc=\$?
    wait
    exit \$rc
fi
exec "$real" "\$@"
EOF
    chmod +x "$tmp/synack"
    out=$(OPTION_ERRORS_CMDS=nc bash "$0" "$tmp/synack" 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep '^FAIL' | head -5
    if ((rc != 0)) && grep -q "^FAIL: synack nc " <<<"$out"; then
        echo "proof: the check fails on a synack whose nc errors lack the hint"
        exit 0
    fi
    echo "proof: the check did not catch the stand-in (exit $rc)"
    exit 1
fi

SYNACK=${1:?usage: check_option_errors.sh /path/to/synack}
fails=0 checked=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect WANT_PREFIX WANT_HINT CMD ARGS...: one usage error line starting with WANT_PREFIX; with
# WANT_HINT=hint it must end with the --help hint, with any it may.
expect() {
    local prefix=$1 hint=$2 cmd=$3
    shift 3
    local out err rc=0
    err=$(timeout 10 "$SYNACK" "$cmd" "$@" 2>&1 >"$tmpout" </dev/null) || rc=$?
    checked=$((checked + 1))
    local what="synack $cmd $*"
    if ((rc != 2)); then
        bad "$what: exit $rc, want 2 (said: $err)"
    elif [[ -s "$tmpout" ]]; then
        bad "$what: printed on stdout: $(head -c 200 "$tmpout")"
    elif [[ $(printf '%s\n' "$err" | wc -l) != 1 || -z "$err" ]]; then
        bad "$what: want one line on stderr, said: $err"
    elif [[ "$err" != "synack $cmd: $prefix"* ]]; then
        bad "$what: want 'synack $cmd: $prefix...', said: $err"
    elif [[ $hint == hint && "$err" != *" (try 'synack $cmd --help')" ]]; then
        bad "$what: no \"(try 'synack $cmd --help')\" at the end: $err"
    fi
}
tmpout=$(mktemp)
trap 'rm -f "$tmpout"' EXIT

cmds=$("$SYNACK" --help | awk '/^commands:/ { m = 1; next } m && /^  [a-z]+ / { print $1 } m && /^$/ && n++ { exit }')
[[ $(wc -w <<<"$cmds") -ge 5 ]] || { echo "FAIL: synack --help lists only: $cmds"; exit 1; }
cmds=${OPTION_ERRORS_CMDS:-$cmds}   # the proof checks one command only
for cmd in $cmds; do
    help=$("$SYNACK" "$cmd" --help) || { bad "synack $cmd --help failed"; continue; }
    expect "unknown option '--no-such-option'" hint "$cmd" --no-such-option
    expect "unknown option '-Z'" hint "$cmd" -Z
    expect "option '--help' takes no value" any "$cmd" --help=yes
    # Options with a value that is not a number, as --help writes them: "--opt WORD" or "-o WORD".
    opts=$(grep -oE -- '(^|[ ,(|])(--[a-z-]+|-[a-zA-Z]) [A-Z][A-Za-z./]*' <<<"$help" |
        grep -vE ' (N|MS|S|SECS|P)$' | sed 's/^[ ,(|]//' | sort -u)
    while read -r opt word; do
        [[ -n "$opt" ]] || continue
        if [[ $opt == --* ]]; then
            expect "option '$opt' needs a value" hint "$cmd" "$opt"
        else
            expect "this option needs a value: '$opt'" hint "$cmd" "$opt"
        fi
        case $word in
        *A.B.C.D* | A/N) expect "bad $opt 'not-an-address'" any "$cmd" "$opt" not-an-address ;;
        esac
    done <<<"$opts"
    # The command alone: it runs, or it says what it needs (never a device opened: none is given).
    rc=0
    err=$(timeout 20 "$SYNACK" "$cmd" 2>&1 >/dev/null </dev/null) || rc=$?
    checked=$((checked + 1))
    if ((rc != 0)); then
        expect "" hint "$cmd"
    fi
done

# resolve's options that are not numbers (the same one-line form as the other commands).
expect "bad --dns '2001:db8::x'" any resolve --dns 2001:db8::x demo.test
expect "bad --addr '2001:db8::2/129'" any resolve --tap sy-none0 --addr 2001:db8::2/129 demo.test
expect "bad --addr 'ff02::1/64': multicast" any resolve --tap sy-none0 --addr ff02::1/64 demo.test
expect "bad --gateway 'ff02::2'" any resolve --tap sy-none0 --addr 2001:db8::2/64 --gateway ff02::2 demo.test
expect "at most 4 --dns servers" any resolve --dns 192.0.2.1 --dns 192.0.2.2 --dns 192.0.2.3 --dns 192.0.2.4 \
    --dns 192.0.2.5 demo.test
expect "bad --dns '192.0.2'" any resolve --dns 192.0.2 demo.test
expect "--addr ADDR/N is needed" hint resolve --tap sy-none0 demo.test
expect "a device is needed" hint resolve --addr 192.0.2.3/24 demo.test
expect "expected a NAME" hint resolve --tap sy-none0 --addr 192.0.2.3/24 --pcap-wire
expect "bad device name 'name-of-16-chars'" any resolve --tap name-of-16-chars --addr 192.0.2.3/24 demo.test
expect "give one of --tap or --tun, once" hint resolve --tap sy-a --tun sy-b --addr 192.0.2.3/24 demo.test
# Missing operands of the other commands, each with its hint.
expect "expected HOST PORT" hint nc --tap sy-none0 --addr 192.0.2.3/24 --pcap-wire 192.0.2.1
expect "expected -l PORT" hint nc -l --tap sy-none0 --addr 192.0.2.3/24 --pcap-wire
expect "give at least one URL" hint get --tap sy-none0 --addr 192.0.2.3/24 --pcap-wire
expect "unexpected argument 'extra'" hint demo extra

echo "option errors: $checked invocations, $fails failures"
((checked > 30 && fails == 0))
