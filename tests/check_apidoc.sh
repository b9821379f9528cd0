#!/usr/bin/env bash
# Builds the API reference with Doxygen (docs/Doxyfile.in: every warning is an error, an
# undocumented public symbol or parameter included) and fails on any warning.
# Usage: check_apidoc.sh DOXYFILE OUTDIR [HEADER...]
# Headers given replace the configured input (unit/apidoc_check_fails feeds it one with an
# undocumented function, to show the check can fail).
set -u
doxyfile=$1
out=$2
shift 2
if ! command -v doxygen >/dev/null; then
    echo "FAIL doxygen is not installed (bash scripts/install-deps.sh docs)"
    exit 1
fi
# Doxygen checks the members of a file only if the file itself is documented: a header without
# its @file block would let an undocumented function through.
if [ $# -gt 0 ]; then headers=("$@"); else headers=("$(dirname "$0")"/../include/synack/*.h); fi
for h in "${headers[@]}"; do
    if ! grep -q '@file' "$h"; then
        echo "FAIL $h has no @file documentation block, so Doxygen would not check its symbols"
        exit 1
    fi
done
mkdir -p "$out"
log="$out/doxygen.log"
{
    cat "$doxyfile"
    echo "OUTPUT_DIRECTORY = $out"
    if [ $# -gt 0 ]; then
        echo "INPUT = $*"
        echo "USE_MDFILE_AS_MAINPAGE ="
    fi
} | doxygen - >"$log" 2>&1
rc=$?
if [ $rc -ne 0 ] || grep -qE '(warning|error):' "$log"; then
    echo "FAIL the API reference has warnings (doxygen exit $rc):"
    grep -v '^$' "$log" | head -60
    exit 1
fi
echo "apidoc: $out/html/index.html, no warnings"
