#!/usr/bin/env bash
# t_finetune.sh - groove train --from MODEL --midi DIR -o OUT: fine-tuning the shipped model on
# a folder of MIDI files written here (python3, standard library): the summary line (files,
# 90/10 by file, windows), one 'groove:' line per unusable file, the model written with its
# thresholds and readable by groove eval, and the usage and input errors.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

dir=$TMP/mine
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

def write(path, events):
    data, now = b'', 0
    for tick, ev in sorted(events, key=lambda e: (e[0], e[1][0] & 0xf0 == 0x90)):
        data += vlq(tick - now) + ev
        now = tick
    data += vlq(0) + b'\xff\x2f\x00'
    with open(path, 'wb') as f:
        f.write(b'MThd' + struct.pack('>IHHH', 6, 0, 1, PPQ) + b'MTrk' + struct.pack('>I', len(data)) + data)

def note(ev, tick, ch, key, vel):
    ev.append((tick, bytes([0x90 | ch, key, vel])))
    ev.append((tick + STEP - 1, bytes([0x80 | ch, key, 64])))

for n, shift in enumerate((0, 1, 2, 3)):
    ev = [(0, b'\xff\x58\x04\x04\x02\x18\x08')]
    for b in range(6):
        s = b * 16 * STEP
        for k in range(0, 16, 2):
            note(ev, s + k * STEP, 9, 42, 60 + 10 * n)
        for k in (0, 8 + 2 * (shift % 2)):
            note(ev, s + k * STEP, 9, 36, 100)
        for k in (4, 12):
            note(ev, s + k * STEP, 9, 38, 110)
        note(ev, s, 0, 60, 80)  # a keyboard beside the drums: not a drum
    write('%s/groove%d.mid' % (out, n), ev)
ev = [(0, bytes([0xc0, 0]))]
for b in range(4):
    note(ev, b * 16 * STEP, 0, 60, 90)
write(out + '/piano.mid', ev)
open(out + '/broken.mid', 'wb').write(b'MThd\x00\x00')
EOF

out=$TMP/out/mine.gtm
mkdir -p "$TMP/out"
"$GROOVE" train --from nn/models/default.gtm --midi "$dir" -o "$out" --epochs 1 --threads 1 --batch 8 \
    >"$TMP/ft.out" 2>"$TMP/ft.err"
rc=$?
check "groove train --from --midi exits 0 (stderr: $(tail -1 "$TMP/ft.err"))" test "$rc" -eq 0
check "it says 4 of 6 files, 3 train and 1 validation, 20 windows" \
    grep -q "^fine-tune: 4 of 6 MIDI files in .* (3 train, 1 validation), 20 windows of 2 bars$" "$TMP/ft.out"
check "one 'groove:' line for the piano file" grep -q '^groove: piano.mid: skipped: no drum part' "$TMP/ft.err"
check "one 'groove:' line for the broken file" grep -q '^groove: broken.mid: skipped: unreadable: ' "$TMP/ft.err"
check "two stderr lines in all" test "$(grep -c '^groove: ' "$TMP/ft.err")" -eq 2
check "one epoch line and the best epoch" \
    bash -c "grep -q '^epoch   1/1 ' '$TMP/ft.out' && grep -q '^best epoch 1: validation F1 ' '$TMP/ft.out'"
check "the model file is written" test -s "$out"
"$GROOVE" eval --model "$out" --midi "$dir" --json >"$TMP/eval.json" 2>/dev/null
check "groove eval reads the fine-tuned model" grep -q '"windows": ' "$TMP/eval.json"
# the same shape: the benchmark's model line names the weights and the sizes of both
shape() { "$GROOVE" bench --no-torch --runs 1 --model "$1" 2>/dev/null | sed -n 's/^model: [^,]*, //p'; }
check "the model keeps the shipped shape ($(shape "$out"))" test -n "$(shape "$out")" -a "$(shape "$out")" = "$(shape nn/models/default.gtm)"

"$GROOVE" train --midi "$dir" -o "$TMP/x.gtm" >/dev/null 2>"$TMP/err"
rc=$?
check "--midi without --from is a usage error (2) with one line" test "$rc" -eq 2 -a "$(wc -l <"$TMP/err")" -eq 1
"$GROOVE" train --from nn/models/default.gtm --midi "$dir" >/dev/null 2>"$TMP/err"
rc=$?
check "--from without -o is a usage error (2) with one line" test "$rc" -eq 2 -a "$(wc -l <"$TMP/err")" -eq 1
"$GROOVE" train --from nn/models/default.gtm --midi "$TMP/nowhere" -o "$TMP/x.gtm" >/dev/null 2>"$TMP/err"
rc=$?
check "a missing folder exits 1 with one line ($(head -1 "$TMP/err"))" test "$rc" -eq 1 -a "$(wc -l <"$TMP/err")" -eq 1
mkdir -p "$TMP/one"
cp "$dir/groove0.mid" "$TMP/one/"
"$GROOVE" train --from nn/models/default.gtm --midi "$TMP/one" -o "$TMP/x.gtm" >/dev/null 2>"$TMP/err"
rc=$?
check "one usable file exits 1: it cannot be split 90/10 ($(head -1 "$TMP/err"))" \
    bash -c "test $rc -eq 1 && grep -q 'at least 2' '$TMP/err'"
"$GROOVE" train --from "$dir/piano.mid" --midi "$dir" -o "$TMP/x.gtm" >/dev/null 2>"$TMP/err"
rc=$?
check "a --from that is no model exits 1 and says so" bash -c "test $rc -eq 1 && grep -q 'cannot load model' '$TMP/err'"
check "and writes no model" test ! -e "$TMP/x.gtm"
finish
