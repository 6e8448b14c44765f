#!/usr/bin/env bash
# t_generate.sh - groove generate end to end with a random-weights model made at run time:
# a GMD file in, a drum MIDI out that groove show reads back; longer files loop by 2-bar
# windows; seeds replay; mutes, density and conditioning act; bad input fails cleanly.
source "$(dirname "$0")/lib.sh"
TM=$ROOT/build/tests/test_model
[ -x "$TM" ] || make -C "$ROOT" --no-print-directory build/tests/test_model >/dev/null
check "random model written" "$TM" --make-model "$TMP/m.gtm" 5
M=(--model "$TMP/m.gtm")
GMD=$SHARED/data/gmd
IN=$(find "$GMD" -name '*_beat_4-4.mid' 2>/dev/null | sort | head -1)
if [ -z "$IN" ]; then
    fail "no GMD beat file under $GMD"
    finish
    exit 1
fi
echo "input: $IN"

out=$("$GROOVE" generate "$IN" -o "$TMP/a.mid" "${M[@]}")
rc=$?
echo "$out"
check "generate exits 0" [ "$rc" -eq 0 ]
check "writes a MIDI file" [ -s "$TMP/a.mid" ]
bars_in=$("$GROOVE" show "$IN" | head -1 | sed -n 's/.*: \([0-9]*\) bars.*/\1/p')
bars_out=$("$GROOVE" show "$TMP/a.mid" | head -1 | sed -n 's/.*: \([0-9]*\) bars.*/\1/p')
want=$(( (bars_in + 1) / 2 * 2 ))
check "output covers the input in 2-bar windows ($bars_in bars in, $bars_out out, want $want)" [ "$bars_out" = "$want" ]
hits=$("$GROOVE" show "$TMP/a.mid" --list | awk 'NR > 3 && $2 != "groove"' | wc -l)
check "the drums have hits in bars 0-1 ($hits)" [ "$hits" -gt 0 ]
check "output is on the drum voices" bash -c "'$GROOVE' show '$TMP/a.mid' | grep -q '0 on none'"

"$GROOVE" generate "$IN" -o "$TMP/b.mid" "${M[@]}" --quiet
check "same input and seed: the same file" cmp -s "$TMP/a.mid" "$TMP/b.mid"
"$GROOVE" generate "$IN" -o "$TMP/v1.mid" "${M[@]}" --quiet --variation 1.5 --seed 1
"$GROOVE" generate "$IN" -o "$TMP/v2.mid" "${M[@]}" --quiet --variation 1.5 --seed 2
"$GROOVE" generate "$IN" -o "$TMP/v1b.mid" "${M[@]}" --quiet --variation 1.5 --seed 1
check "a variation replays with its seed" cmp -s "$TMP/v1.mid" "$TMP/v1b.mid"
check "another seed, another variation" bash -c "! cmp -s '$TMP/v1.mid' '$TMP/v2.mid'"

"$GROOVE" generate "$IN" -o "$TMP/mute.mid" "${M[@]}" --quiet --mute kick,hats
muted=$("$GROOVE" show "$TMP/mute.mid" --list | awk 'NR > 3 && ($2 == "kick" || $2 == "closed_hat" || $2 == "open_hat")' | wc -l)
others=$("$GROOVE" show "$TMP/mute.mid" --list | awk 'NR > 3 && $2 != "groove"' | wc -l)
check "--mute kick,hats removes those voices ($muted left, $others others)" [ "$muted" -eq 0 -a "$others" -gt 0 ]
"$GROOVE" generate "$IN" -o "$TMP/d0.mid" "${M[@]}" --quiet --density 0
"$GROOVE" generate "$IN" -o "$TMP/d1.mid" "${M[@]}" --quiet --density 0.9
n0=$("$GROOVE" show "$TMP/d0.mid" --list 2>/dev/null | awk 'NR > 3 && $2 != "groove"' | wc -l)
n1=$("$GROOVE" show "$TMP/d1.mid" --list | awk 'NR > 3 && $2 != "groove"' | wc -l)
check "density 0 is silence, 0.9 is busier than 0.5 ($n0, $n1 vs $hits)" [ "$n0" -eq 0 -a "$n1" -gt "$hits" ]
"$GROOVE" generate "$IN" -o "$TMP/s.mid" "${M[@]}" --quiet --style latin --fill
check "style and fill change the part" bash -c "! cmp -s '$TMP/a.mid' '$TMP/s.mid'"
"$GROOVE" generate "$IN" -o "$TMP/one.mid" "${M[@]}" --quiet --max-hits 1 --threshold 0.01
maxper=$("$GROOVE" show "$TMP/one.mid" --list | awk 'NR > 3 && $2 != "groove" {n[$2]++} END {m = 0; for (v in n) if (n[v] > m) m = n[v]; print m}')
check "--max-hits 1: at most one hit per voice per 2 bars ($maxper)" [ "$maxper" -eq 1 ]

# Issue 13: the input kind (channel 10 or not; --input overrides) and the memory. Two files of
# 4 bars, every bar the same rhythm: one on channel 10, one on channel 1 (a keyboard).
python3 - "$TMP" <<'PYEOF'
import struct, sys
def smf(path, channel):
    notes = []
    for bar in range(4):
        for step in (0, 3, 4, 8, 10, 12, 14):
            t = (bar * 16 + step) * 240
            notes.append((t, 0x90 | channel, 100))
            notes.append((t + 120, 0x80 | channel, 0))
    notes.sort()
    def vlq(n):
        out = [n & 0x7F]
        n >>= 7
        while n:
            out.append(0x80 | (n & 0x7F))
            n >>= 7
        return bytes(reversed(out))
    trk, last = b"", 0
    key = 60 if channel != 9 else 38
    for t, st, vel in notes:
        trk += vlq(t - last) + bytes([st, key, vel])
        last = t
    trk += vlq(64 * 240 - last) + b"\xff\x2f\x00"
    data = b"MThd" + struct.pack(">IHHH", 6, 0, 1, 960) + b"MTrk" + struct.pack(">I", len(trk)) + trk
    open(path, "wb").write(data)
smf(sys.argv[1] + "/drums4.mid", 9)
smf(sys.argv[1] + "/keys4.mid", 0)
PYEOF
out=$("$GROOVE" generate "$TMP/drums4.mid" -o "$TMP/k1.mid" "${M[@]}")
check "a channel-10 file is heard as drums ($out)" grep -q "input drums" <<<"$out"
out=$("$GROOVE" generate "$TMP/keys4.mid" -o "$TMP/k2.mid" "${M[@]}")
check "a channel-1 file is heard as keys ($out)" grep -q "input keys" <<<"$out"
out=$("$GROOVE" generate "$TMP/keys4.mid" -o "$TMP/k3.mid" "${M[@]}" --input taps)
check "--input taps overrides ($out)" grep -q "input taps" <<<"$out"
check "the input kind changes the part" bash -c "! cmp -s '$TMP/k2.mid' '$TMP/k3.mid'"
"$GROOVE" generate "$TMP/keys4.mid" -o "$TMP/k4.mid" "${M[@]}" --quiet --input keys
check "--input keys on a keys file is the default" cmp -s "$TMP/k2.mid" "$TMP/k4.mid"
# memory: both windows have the same groove; the second also hears the first's drums
same_windows() {   # prints "same" or "differ" (hit grids of bars 0-1 and 2-3), and the hits of 0-1
    "$GROOVE" show "$1" --bar 0 --json >"$TMP/w0.json" && "$GROOVE" show "$1" --bar 2 --json >"$TMP/w1.json" &&
        python3 -c '
import json, sys
a, b = (json.load(open(f))["hvo"] for f in sys.argv[1:3])
hits = lambda h: [[c > 0.5 for c in row[:9]] for row in h]
print("same" if hits(a) == hits(b) else "differ", sum(map(sum, hits(a))))' "$TMP/w0.json" "$TMP/w1.json"
}
read -r verdict n0 <<<"$(same_windows "$TMP/k2.mid")"
check "with memory the second window differs from the first on the same groove ($verdict, $n0 hits in the first)" \
    [ "$verdict" = differ -a "${n0:-0}" -gt 0 ]
"$TM" --make-model "$TMP/v1.gtm" 5 plain
"$GROOVE" generate "$TMP/keys4.mid" -o "$TMP/k5.mid" --model "$TMP/v1.gtm" --quiet
read -r verdict n0 <<<"$(same_windows "$TMP/k5.mid")"
check "a version-1 model (no memory) plays both windows alike ($verdict, $n0 hits)" [ "$verdict" = same -a "${n0:-0}" -gt 0 ]

# Bad input: one line on stderr, status 1 (2 for usage).
expect_error() {
    local what=$1 want=$2; shift 2
    "$GROOVE" generate "$@" >"$TMP/o" 2>"$TMP/e"
    local rc=$?
    local lines
    lines=$(wc -l <"$TMP/e")
    if [ "$rc" -eq "$want" ] && [ "$lines" -ge 1 ] && head -1 "$TMP/e" | grep -q '^groove: '; then
        pass "$what: status $rc, '$(head -1 "$TMP/e")'"
    else
        fail "$what: status $rc (want $want), stderr: $(cat "$TMP/e")"
    fi
}
expect_error "missing input file" 1 "$TMP/none.mid" -o "$TMP/x.mid" "${M[@]}"
printf 'MThd garbage' >"$TMP/bad.mid"
expect_error "garbage MIDI" 1 "$TMP/bad.mid" -o "$TMP/x.mid" "${M[@]}"
head -c 3000 "$TMP/m.gtm" >"$TMP/trunc.gtm"
expect_error "truncated model" 1 "$IN" -o "$TMP/x.mid" --model "$TMP/trunc.gtm"
expect_error "missing model" 1 "$IN" -o "$TMP/x.mid" --model "$TMP/none.gtm"
expect_error "unwritable output" 1 "$IN" -o "$TMP/no/such/dir/x.mid" "${M[@]}"
expect_error "bad density" 2 "$IN" -o "$TMP/x.mid" "${M[@]}" --density 2
expect_error "unknown style" 2 "$IN" -o "$TMP/x.mid" "${M[@]}" --style polka
expect_error "unknown mute group" 2 "$IN" -o "$TMP/x.mid" "${M[@]}" --mute cowbell
expect_error "unknown input kind" 2 "$IN" -o "$TMP/x.mid" "${M[@]}" --input guitar
"$GROOVE" generate "$IN" -o "$TMP/x.mid" "${M[@]}" --bogus 2>"$TMP/e"
check "an unknown last option is called unknown (got: $(cat "$TMP/e"))" grep -q "unknown option '--bogus'" "$TMP/e"
check "--help answers" bash -c "'$GROOVE' generate --help | grep -q usage"
finish
