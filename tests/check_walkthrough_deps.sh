#!/usr/bin/env bash
# The README's walkthrough runs on a bare Debian 12 after `make demo`: every command the block
# after `<!-- walkthrough -->` runs is a shell builtin, the synack the build made, a command of a
# package every Debian system has (Essential, or Priority required: what debootstrap's minbase
# installs), or one of a package of `scripts/install-deps.sh build` (what `make demo` installed) or
# of a group the block itself installs with `scripts/install-deps.sh GROUP`. When that install is
# guarded (`type A B ... || bash scripts/install-deps.sh GROUP`), the guard names every command that
# needs the group, so a machine that lacks one gets it. The commands are read from the block with
# a shell tokenizer (quotes, pipes, lists, continuation lines); packages from dpkg's database.
# Usage: check_walkthrough_deps.sh SOURCE_DIR
#        check_walkthrough_deps.sh --proof SOURCE_DIR   (the check must fail on a README whose
#        walkthrough does not install what it uses)
set -uo pipefail
if [[ ${1:-} == --proof ]]; then
    src=${2:?usage: check_walkthrough_deps.sh --proof SOURCE_DIR}
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/scripts"
    cp "$src/scripts/install-deps.sh" "$tmp/scripts/"
    grep -v 'install-deps.sh walkthrough$' "$src/README.md" >"$tmp/README.md"
    cmp -s "$src/README.md" "$tmp/README.md" && { echo "proof: the walkthrough has no install line to take out"; exit 1; }
    out=$(bash "$0" "$tmp" 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep '^FAIL' | head -5
    if ((rc != 0)) && grep -q "^FAIL: the walkthrough runs 'ping' .*neither make demo nor the walkthrough installs" <<<"$out"; then
        echo "proof: the check fails on a walkthrough that does not install ping"
        exit 0
    fi
    echo "proof: the check passed a walkthrough that does not install ping (exit $rc)"
    exit 1
fi

src=${1:?usage: check_walkthrough_deps.sh SOURCE_DIR}
command -v dpkg-query >/dev/null || { echo "FAIL: no dpkg-query: this check reads Debian's package database"; exit 1; }
block=$(awk '/^<!-- walkthrough -->$/ { m = 1; next }
             m == 1 && /^```/ { m = 2; next }
             m == 2 && /^```$/ { exit }
             m == 2 { print }' "$src/README.md")
[[ -n "$block" ]] || { echo "FAIL: README.md has no shell block after '<!-- walkthrough -->'"; exit 1; }

# The commands at command position, and the groups the block installs with their guards:
# lines "cmd NAME", "install GROUP", "guard GROUP NAME...".
parsed=$(python3 - <<'PY' "$block"
import re, shlex, sys
text = re.sub(r"\\\n", " ", sys.argv[1])
ops = {"|", "||", "&&", ";", "&", "(", ")", "|&", ";;"}
for line in text.splitlines():
    lex = shlex.shlex(line, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    lex.commenters = "#"
    toks = list(lex)
    at_cmd, skip, cmds = True, False, []
    for i, t in enumerate(toks):
        if skip:
            skip = False
            continue
        if t in ops:
            at_cmd = True
            continue
        if re.fullmatch(r"\d*[<>]+&?", t):   # a redirection: its target is no command
            skip = True
            continue
        if at_cmd:
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", t):   # an assignment before the command
                continue
            cmds.append((i, t))
            at_cmd = False
    for i, c in cmds:
        print("cmd", c)
    # bash scripts/install-deps.sh GROUP, and the `type ... ||` guard before it on the same line
    for j, t in enumerate(toks):
        if t.endswith("install-deps.sh") and j + 1 < len(toks):
            group = toks[j + 1]
            print("install", group)
            if "||" in toks[:j] and toks[0] == "type":
                names = [x for x in toks[1:toks.index("||")] if not x.startswith("-") and x not in ops
                         and not re.fullmatch(r"\d*[<>]+&?", x) and x != "/dev/null"]
                print("guard", group, *names)
PY
) || { echo "FAIL: cannot parse the walkthrough block"; exit 1; }

groups="build $(awk '$1 == "install" { print $2 }' <<<"$parsed" | tr '\n' ' ')"
declare -A pkg_group
for g in $groups; do
    list=$(bash "$src/scripts/install-deps.sh" --list "$g") || { echo "FAIL: install-deps.sh has no group '$g'"; exit 1; }
    for p in $list; do pkg_group[$p]=$g; done
done
declare -A guarded
while read -r _ g names; do
    for n in $names; do guarded[$g:$n]=1; done
done < <(grep '^guard ' <<<"$parsed")

# owner PATH: the package that installed PATH (Debian 12 merges /bin into /usr/bin, and dpkg
# knows a file by the name its package gave it).
owner() {
    local p=$1 n=${1##*/}
    # (dpkg-query fails for the names it does not know, and prints those it does)
    { dpkg-query -S "$p" "$(readlink -f "$p")" "/usr/bin/$n" "/bin/$n" "/usr/sbin/$n" "/sbin/$n" 2>/dev/null || true; } |
        awk -F': ' 'NR == 1 { sub(/:.*/, "", $1); print $1 }' | grep .
}

fails=0 checked=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
for cmd in $(awk '$1 == "cmd" { print $2 }' <<<"$parsed" | sort -u); do
    checked=$((checked + 1))
    kind=$(bash -c "type -t -- '$cmd'" 2>/dev/null | head -1)
    if [[ $kind == builtin || $kind == keyword ]]; then
        echo "  $cmd: shell $kind"
        continue
    fi
    if [[ $cmd == synack ]]; then
        echo "  $cmd: built by make demo"
        continue
    fi
    path=$(command -v -- "$cmd") || { bad "the walkthrough runs '$cmd', which is not installed here to look up"; continue; }
    pkg=$(owner "$path") || { bad "the walkthrough runs '$cmd' ($path), which no Debian package owns"; continue; }
    read -r essential priority < <(dpkg-query -W -f='${Essential} ${Priority}\n' "$pkg" 2>/dev/null)
    if [[ $essential == yes || $priority == required ]]; then
        echo "  $cmd: $pkg (on every Debian system: essential=$essential priority=$priority)"
    elif [[ -n ${pkg_group[$pkg]:-} ]]; then
        g=${pkg_group[$pkg]}
        if [[ $g != build ]] && grep -q "^guard $g " <<<"$parsed" && [[ -z ${guarded[$g:$cmd]:-} ]]; then
            bad "the walkthrough runs '$cmd' ($pkg, group $g) but its install line's guard does not name it"
        else
            echo "  $cmd: $pkg (install-deps.sh $g)"
        fi
    else
        bad "the walkthrough runs '$cmd' ($pkg), which neither make demo nor the walkthrough installs (groups: $groups)"
    fi
done
echo "walkthrough: $checked commands, $fails failures"
((checked >= 5 && fails == 0))
