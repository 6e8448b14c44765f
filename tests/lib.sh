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
