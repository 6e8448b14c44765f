#!/usr/bin/env bash
# run.sh - runs every test: the C test programs in build/tests (and build-asan/tests when
# given --asan), then every tests/t_*.sh script. Counts the PASS/FAIL lines each prints; a
# test that exits non-zero without printing a FAIL line counts as one failure. Ends with
# the single line "N passed, N failed" and exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
dirs=(build/tests)
[ "${1:-}" = "--asan" ] && dirs+=(build-asan/tests)
total_pass=0
total_fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run_one() {
    local name=$1; shift
    local start=$SECONDS
    "$@" >"$log" 2>&1
    local rc=$?
    local p f
    p=$(grep -c '^PASS' "$log")
    f=$(grep -c '^FAIL' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "FAIL $name exited with status $rc" >>"$log"
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    printf '%-40s %4d passed %3d failed  %3ds\n' "$name" "$p" "$f" $((SECONDS - start))
    if [ "$f" -ne 0 ]; then
        grep -A3 '^FAIL' "$log" | sed 's/^/    /' | head -40
        tail -5 "$log" | sed 's/^/    | /'
    fi
}
for d in "${dirs[@]}"; do
    for t in "$d"/test_*; do
        [ -x "$t" ] || continue
        run_one "$t" "$t"
    done
done
for t in tests/t_*.sh; do
    [ -f "$t" ] || continue
    run_one "$t" bash "$t"
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
