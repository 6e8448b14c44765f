#!/usr/bin/env bash
# t_keys.sh - groove eval --midi DIR: keys to drums on multi-track MIDI files written here
# (python3, standard library only): the JSON keys and counts, the rock beat's perfect score on
# rock drums, the real drums' rates, the text table, one 'groove:' line per skipped file, and
# the errors (missing or empty folder: 1; --style labels with --midi: 2).
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

dir=$TMP/songs
mkdir -p "$dir"
python3 - "$dir" <<'EOF'
import struct, sys
out = sys.argv[1]
PPQ, STEP = 96, 24

def vlq(v):
    b = [v & 0x7f]
    v >>= 7
    while v:
        b.append(0x80 | (v & 0x7f))
        v >>= 7
    return bytes(reversed(b))

def track(events):
    # events: (tick, bytes); sorted by tick, offs before ons at one tick
    data, now = b'', 0
    for tick, ev in sorted(events, key=lambda e: (e[0], e[1][0] & 0xf0 == 0x90)):
        data += vlq(tick - now) + ev
        now = tick
    data += vlq(0) + b'\xff\x2f\x00'
    return b'MTrk' + struct.pack('>I', len(data)) + data

def note(ev, tick, ch, key, vel):
    ev.append((tick, bytes([0x90 | ch, key, vel])))
    ev.append((tick + STEP - 1, bytes([0x80 | ch, key, 64])))

def song(path, bars, drums=True):
    ev = [(0, b'\xff\x58\x04\x04\x02\x18\x08'), (0, bytes([0xc0, 4]))]  # 4/4, electric piano
    for b in range(bars):
        s = b * 16 * STEP
        for k in (0, 6, 8, 14):
            note(ev, s + k * STEP, 0, 60, 90)
        if drums:
            for k in range(0, 16, 2):
                note(ev, s + k * STEP, 9, 42, 70)
            for k in (0, 8):
                note(ev, s + k * STEP, 9, 36, 100)
            for k in (4, 12):
                note(ev, s + k * STEP, 9, 38, 110)
    with open(path, 'wb') as f:
        f.write(b'MThd' + struct.pack('>IHHH', 6, 0, 1, PPQ) + track(ev))

song(out + '/song.mid', 8)
song(out + '/nodrums.mid', 4, drums=False)
open(out + '/junk.mid', 'wb').write(b'not a midi file')
open(out + '/readme.txt', 'w').write('not read')
EOF

"$GROOVE" eval --random-weights 3 --midi "$dir" --json >"$TMP/keys.json" 2>"$TMP/keys.err"
rc=$?
check "groove eval --midi --json exits 0 (stderr: $(head -c 300 "$TMP/keys.err" | tr "\n" " "))" test "$rc" -eq 0
top() { sed -n "s/^  \"$1\": \([-0-9.a-z\"]*\),\{0,1\}$/\1/p" "$TMP/keys.json" | head -1; }
check "3 MIDI files seen, 1 used, 2 skipped" test "$(top files)/$(top files_used)/$(top files_skipped)" = 3/1/2
check "8 bars of 4/4 give 4 windows" test "$(top windows)" = 4
check "the keyboard part is the groove" test "$(top files_keyboard)" = 1
check "style none" test "$(top style)" = '"none"'
obj() { grep "^  \"$1\": {" "$TMP/keys.json"; }
field() { obj "$1" | sed -n "s/.*\"$2\": \([-0-9.enul]*\).*/\1/p"; }
for k in hit_accuracy hit_precision hit_recall hit_f1 hits_per_loop offset_std kick_on_1 snare_2_4 eighth_pulse on_groove; do
    check "model.$k is a number ($(field model "$k"))" test -n "$(field model "$k")"
done
check "the rock beat scores F1 1 on rock drums" test "$(field rock hit_f1)" = 1.000000
check "the rock beat has 24 hits per loop" test "$(field rock hits_per_loop)" = 24.000000
check "silence scores accuracy 1 - 24/288" test "$(field silence hit_accuracy)" = 0.916667
check "real drums: kick on 1, snare on 2 and 4, eighth pulse in every window" \
    test "$(field real kick_on_1)/$(field real snare_2_4)/$(field real eighth_pulse)" = 1.000000/1.000000/1.000000
check "real drums: 24 hits per loop" test "$(field real hits_per_loop)" = 24.000000
check "per_file lists the used file with its 4 windows" grep -q '{"file": "song.mid", "groove": "keyboard", "windows": 4,' "$TMP/keys.json"
check "per_file gives a skipped file's reason" grep -q '"file": "nodrums.mid".*"skipped": "no drum notes on channel 10"' "$TMP/keys.json"
check "one stderr line per skipped file" test "$(wc -l <"$TMP/keys.err")" -eq 2
check "the skipped lines name the file and the reason" \
    grep -q '^groove: junk.mid: skipped: unreadable: ' "$TMP/keys.err"
check "the JSON has no nan/inf" bash -c "! grep -qiE 'nan|inf' '$TMP/keys.json'"

"$GROOVE" eval --random-weights 3 --midi "$dir" >"$TMP/keys.txt" 2>/dev/null
check "the text table has the model, rock, silence and real rows" \
    bash -c "grep -q '^  model ' '$TMP/keys.txt' && grep -q '^  rock ' '$TMP/keys.txt' && grep -q '^  silence ' '$TMP/keys.txt' && grep -q '^  real ' '$TMP/keys.txt'"
check "the text says how many windows and files" grep -q '4 windows from 1 of 3 files' "$TMP/keys.txt"

"$GROOVE" eval --random-weights 3 --midi "$TMP/none" >/dev/null 2>"$TMP/err"
rc=$?
check "a missing folder exits 1 with one line ($(head -1 "$TMP/err"))" test "$rc" -eq 1 -a "$(wc -l <"$TMP/err")" -eq 1
mkdir -p "$TMP/empty"
"$GROOVE" eval --random-weights 3 --midi "$TMP/empty" >/dev/null 2>"$TMP/err"
rc=$?
check "a folder without MIDI files exits 1 with one line" test "$rc" -eq 1 -a "$(wc -l <"$TMP/err")" -eq 1
mkdir -p "$TMP/nowin"
cp "$dir/nodrums.mid" "$TMP/nowin/"
"$GROOVE" eval --random-weights 3 --midi "$TMP/nowin" >/dev/null 2>"$TMP/err"
rc=$?
check "a folder with no usable window exits 1: the skipped line and the reason" \
    test "$rc" -eq 1 -a "$(wc -l <"$TMP/err")" -eq 2
"$GROOVE" eval --random-weights 3 --midi "$dir" --style labels >/dev/null 2>"$TMP/err"
check "--midi with --style labels is a usage error (2)" test $? -eq 2

"$GROOVE" eval --random-weights 3 --midi "$dir" --limit 3 >/dev/null 2>"$TMP/err"
check "--midi with --limit (a dataset option) is a usage error (2) without --report" test $? -eq 2
check "silence has no hits, so no offset spread: null" grep -q '"silence": {.*"offset_std": null}' "$TMP/keys.json"

# Keys thresholds: fitted on a keys set into a model file, then played by eval --midi.
TM=$ROOT/build/tests/test_model
[ -x "$TM" ] || make -C "$ROOT" --no-print-directory build/tests/test_model >/dev/null
"$TM" --make-model "$TMP/k.gtm" 5 >/dev/null 2>&1
"$GROOVE" train --calibrate "$TMP/k.gtm" --keys-set "$dir" -o "$TMP/k2.gtm" >"$TMP/cal.txt" 2>"$TMP/cal.err"
check "train --calibrate --keys-set writes the model with keys thresholds" \
    bash -c "test -s '$TMP/k2.gtm' && grep -q '^  keys thresholds: K ' '$TMP/cal.txt' && grep -q 'rock beat 1.0000' '$TMP/cal.txt'"
"$GROOVE" eval --model "$TMP/k2.gtm" --midi "$dir" --json >"$TMP/k2.json" 2>/dev/null
check "eval --midi plays the model it wrote" test -s "$TMP/k2.json"
"$GROOVE" train --keys-set "$dir" -o "$TMP/k3.gtm" >/dev/null 2>&1
check "--keys-set without --calibrate is a usage error (2)" test $? -eq 2

# With --report the dataset report gains a keys section with the same figures.
if "$GROOVE" dataset --gmd "$SHARED/data/gmd" -o "$TMP/gmd.gds" >/dev/null 2>&1; then
    "$GROOVE" eval --random-weights 3 --midi "$dir" --data "$TMP/gmd.gds" --limit 20 --no-tsne --json \
        --report "$TMP/report" >"$TMP/keys2.json" 2>/dev/null
    check "--midi with --report exits 0 and prints the keys JSON" cmp -s "$TMP/keys.json" "$TMP/keys2.json"
    html=$TMP/report/index.html
    check "the report has a keys section" grep -q '<section id="keys">' "$html"
    check "the keys section shows the rock beat's F1 of 1" grep -q '<td data-key="keys.rock.hit_f1">1.0000</td>' "$html"
    check "the keys section shows the real drums' snare on 2 and 4" grep -q '<td data-key="keys.real.snare_2_4">1.000</td>' "$html"
    check "the keys section lists the skipped files with their reason" grep -q 'no drum notes on channel 10' "$html"
else
    fail "groove dataset builds the dataset for the report check"
fi
finish
