#!/usr/bin/env bash
# t_core.sh - the musical core through the binary: `groove show` (grid, list, JSON checked
# against the independent reference conversion), clear one-line errors for bad MIDI files,
# and `groove dataset` (build, table, --info agreeing with the build).
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
GMD=$SHARED/data/gmd
FILE=drummer1/session1/126_funk-fast_125_beat_4-4.mid

# One line on stderr that starts with "groove: ", exit status $1.
one_line_error() {
    local want=$1; shift
    "$@" >/dev/null 2>"$TMP/err"
    local rc=$?
    [ "$rc" -eq "$want" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q '^groove: ' "$TMP/err"
}

# --- show
"$GROOVE" show "$GMD/$FILE" --ascii >"$TMP/grid" 2>&1
check "show prints a GMD file (exit 0)" test $? -eq 0
check "show grid has 9 voice rows and the groove row" \
    test "$(grep -cE '^(K|S|CH|OH|LT|MT|HT|CR|RI|GR) +\|' "$TMP/grid")" -eq 10
check "show grid rows are 32 steps wide" \
    test "$(grep -E '^GR' "$TMP/grid" | tr -cd '|' | wc -c)" -eq 3
check "show reports PPQ and tempo" grep -q 'PPQ 480, 125.0 bpm' "$TMP/grid"
check "show marks early and late hits" grep -qE '[-+xX][<>{}]' "$TMP/grid"
LANG=C.UTF-8 "$GROOVE" show "$GMD/$FILE" >"$TMP/grid8"
check "show shades velocity with block characters in UTF-8" grep -q '█' "$TMP/grid8"
"$GROOVE" show "$GMD/$FILE" --list >"$TMP/list"
check "show --list lists the hat at step 4, velocity 0.2362, offset -0.1083" \
    grep -qE '^ +4 closed_hat +0\.2362 -0\.1083' "$TMP/list"

# --json against the reference windows (bars 0 and 1 of two files), within 1e-3.
compare_ref() {
    local file=$1 bar=$2
    "$GROOVE" show "$GMD/$file" --bar "$bar" --json >"$TMP/win.json" || return 1
    /usr/bin/python3 - "$SHARED/data/reference/hvo_windows.json" "$file" "$bar" "$TMP/win.json" <<'EOF'
import json, sys
ref = json.load(open(sys.argv[1]))
win = [w for w in ref["windows"] if w["file"] == sys.argv[2] and w["start_bar"] == int(sys.argv[3])][0]
ours = json.load(open(sys.argv[4]))
d = max(abs(a - b) for ra, rb in zip(win["hvo"], ours["hvo"]) for a, b in zip(ra, rb))
g = max(abs(a - b) for ra, rb in zip(win["groove"], ours["groove"]) for a, b in zip(ra, rb))
sys.exit(0 if d <= 1e-3 and g <= 1e-3 else 1)
EOF
}
check "show --json bar 0 matches the reference conversion" compare_ref "$FILE" 0
check "show --json bar 1 matches the reference conversion" compare_ref "$FILE" 1
check "show --json of a fill matches the reference" compare_ref drummer1/session1/121_funk_95_fill_4-4.mid 0

# --- bad input: exit 1, one line naming the file
printf 'MThd\0\0\0\6\0\0\0\1\1\340MTrk\0\0\1\0\0\231' >"$TMP/trunc.mid"
check "a truncated MIDI file: exit 1, one line" one_line_error 1 "$GROOVE" show "$TMP/trunc.mid"
check "the error names the file" grep -q "trunc.mid" "$TMP/err"
check "--list with --json: usage, exit 2, one line" one_line_error 2 "$GROOVE" show "$GMD/$FILE" --list --json
head -c 3000 /dev/urandom >"$TMP/garbage.mid"
check "random bytes: exit 1, one line" one_line_error 1 "$GROOVE" show "$TMP/garbage.mid"
printf 'MThd\0\0\0\6\0\0\0\1\347\50MTrk\0\0\0\4\0\377\57\0' >"$TMP/smpte.mid"
check "SMPTE division: exit 1, one line" one_line_error 1 "$GROOVE" show "$TMP/smpte.mid"
check "the error says SMPTE" grep -q "SMPTE" "$TMP/err"
printf 'MThd\0\0\0\6\0\2\0\1\1\340MTrk\0\0\0\4\0\377\57\0' >"$TMP/fmt2.mid"
check "format 2: exit 1, one line" one_line_error 1 "$GROOVE" show "$TMP/fmt2.mid"
printf 'MThd\0\0\0\6\0\0\0\1\1\340MTrk\0\0\0\4\0\377\57\0' >"$TMP/empty.mid"
check "a file with no notes: exit 1, one line" one_line_error 1 "$GROOVE" show "$TMP/empty.mid"
check "a missing file: exit 1, one line" one_line_error 1 "$GROOVE" show "$TMP/nope.mid"
check "a bar past the end: exit 1, one line" one_line_error 1 "$GROOVE" show "$GMD/$FILE" --bar 500
check "show without a file: exit 2" one_line_error 2 "$GROOVE" show

# --- dataset
"$GROOVE" dataset --gmd "$GMD" -o "$TMP/gmd.gds" >"$TMP/table" 2>&1
check "dataset builds from the GMD (exit 0)" test $? -eq 0
check "dataset file written" test -s "$TMP/gmd.gds"
check "the table has train and validation rows" grep -qE '^train +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+' "$TMP/table"
"$GROOVE" dataset --info "$TMP/gmd.gds" >"$TMP/info"
rows() { grep -E '^(train|validation|test|all) ' "$1" | awk '{print $1, $3, $4, $5}'; }
check "dataset --info counts equal the build's table" test "$(rows "$TMP/table")" = "$(rows "$TMP/info")"
train_beats=$(awk '$1 == "train" {print $3}' "$TMP/table")
check "train beat windows near the published 16,195 (got $train_beats)" \
    test "$train_beats" -gt 15800 -a "$train_beats" -lt 16500
check "a folder without info.csv: exit 1, one line" one_line_error 1 "$GROOVE" dataset --gmd "$TMP" -o "$TMP/x.gds"
check "--info on a MIDI file: exit 1, one line" one_line_error 1 "$GROOVE" dataset --info "$GMD/$FILE"
check "dataset without arguments: exit 2" one_line_error 2 "$GROOVE" dataset
finish
