#!/usr/bin/env bash
# bench.sh - make bench: every benchmark, each printing ratios against a reference measured
# in the same run. Runs whatever parts exist; a part that fails is reported, not hidden.
set -u
cd "$(dirname "$0")/.."
status=0
run() { echo "== $*"; "$@" || { echo "bench: '$*' failed"; status=1; }; }
run ./groove bench
run ./groove bench --train
run ./groove bench --audio
# ready at once: command to drawn screen and to the first audio block (a pty, 5 starts)
run python3 tools/startup_bench.py 5
[ -x tools/soak.sh ] && run bash tools/soak.sh
exit $status
