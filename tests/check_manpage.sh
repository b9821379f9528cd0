#!/usr/bin/env bash
# The man pages stay complete: synack(1) describes every command `synack --help` lists and, in that
# command's section (or DEVICE OPTIONS), every option `synack COMMAND --help` prints, and synack(3) names every public header. Both format
# without a warning from groff, when groff is there.
# Usage: check_manpage.sh SYNACK_BINARY SOURCE_DIR
set -u
bin=$1
src=$2
man1=$src/docs/man/synack.1
man3=$src/docs/man/synack.3
fail=0
bad() { echo "FAIL $*"; fail=1; }

# roff writes a hyphen in an option as \- ; a command's section is ".SS name".
commands=$("$bin" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$commands" ] || bad "synack --help lists no command"
nopt=0
for c in $commands; do
    grep -qx "\.SS $c" "$man1" || bad "synack.1 has no section (.SS $c) for the command $c"
    # Where its options must be: its own section, or DEVICE OPTIONS (shared by the device commands).
    section=$(awk -v c="$c" '/^\.S[SH] / { on = ($0 == ".SS " c || $0 == ".SH DEVICE OPTIONS") } on' "$man1")
    # Options: in the usage lines, and at the start of each option line of the help text (up to
    # the description, which starts after two spaces).
    opts=$("$bin" "$c" --help 2>&1 |
        sed -nE -e '/^(usage:|       synack)/p' -e 's/^ +(-[^ ].*)$/\1/p' |
        sed -E 's/^(-[^ ]*( [A-Z.\/|a-z]+)?(, -[^ ]*)?)  .*/\1/' |
        grep -oE '(^|[^A-Za-z0-9-])--?[A-Za-z][A-Za-z0-9-]*' | sed -E 's/^[^-]//' | sort -u)
    for o in $opts; do
        [ "$o" = --help ] && continue
        nopt=$((nopt + 1))
        # The option whole: "\-v" inside "\-\-verbose" or "\-\-impair" inside "\-\-impair\-seed"
        # does not count.
        pat="(^|[^-])${o//-/\\\\-}([^A-Za-z0-9\\\\]|\$)"
        grep -qE -- "$pat" <<<"$section" || bad "synack.1 does not describe '$o' in synack $c's section"
    done
done
for h in "$src"/include/synack/*.h; do
    grep -qF "synack/$(basename "$h")" "$man3" || bad "synack.3 does not name the header synack/$(basename "$h")"
done
if command -v groff >/dev/null; then
    for m in "$man1" "$man3"; do
        warn=$(LC_ALL=C groff -man -Tutf8 -ww -z "$m" 2>&1)
        [ -z "$warn" ] || bad "$(basename "$m"): groff warns: $warn"
    done
fi
[ $fail -eq 0 ] && echo "manpage: $(wc -w <<<"$commands") commands and $nopt options in synack.1, every header in synack.3"
exit $fail
