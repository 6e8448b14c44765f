# lib.sh - helpers for shell tests: pass/fail print the lines tests/run.sh counts.
# Source it from a test script; end the script with `finish`.
# GROOVE is the binary under test (built by make), ROOT the repository root.
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
GROOVE=${GROOVE:-$ROOT/groove}
SHARED=${SHARED:-$ROOT/../shared}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/groove-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; }
# onset_frames [SOX-INPUT-OPTIONS...] FILE: prints the onset frames of the audio's first channel,
# one a line: the first sample >= 0.001 after 2400 frames (50 ms at 48 kHz) below it, when the
# sound then passes 0.01. Needs sox.
onset_frames() {
    sox "$@" -t dat - 2>/dev/null |
        awk '!/^;/ { n++; a = $2 + 0; if (a < 0) a = -a;
                     if (a >= 0.001) {
                         if (quiet >= 2400) cand = n - 1;
                         quiet = 0;
                         if (cand >= 0 && a > 0.01) { print cand; cand = -1 }
                     } else quiet++ }
             BEGIN { quiet = 2400; cand = -1 }'
}
