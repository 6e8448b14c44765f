#!/usr/bin/env bash
# t_render.sh - groove render, kits and synth-kit through the binary: a hand-made MIDI file of
# quarter-note hats renders with onsets exactly a beat apart (tempo from the file or --bpm);
# swing moves the odd 16ths by the exact number of frames; a GMD file renders with the default and a Hydrogen kit; bad
# input gives one line and exit 1; `groove synth-kit` reproduces the committed samples.
source "$(dirname "$0")/lib.sh"

# A MIDI file by hand: 2 bars at 120 bpm, PPQ 96, note $1 (hex) every $2 ticks (hex delta
# byte, < 0x80) starting at tick $4 (hex, default 0), $3 notes, each 12 ticks long.
midi() {
    local note=$1 gap=$2 count=$3 first=${4:-00} len
    {
        printf '\x00\xff\x51\x03\x07\xa1\x20\x00\xff\x58\x04\x04\x02\x18\x08'
        for ((i = 0; i < count; i++)); do
            [ "$i" -eq 0 ] && printf "\\x$first" || printf "\\x$(printf %02x $((0x$gap - 12)))"
            printf "\\x99\\x$note\\x64\\x0c\\x89\\x$note\\x00"
        done
        printf '\x00\xff\x2f\x00'
    } >"$TMP/track.bin"
    len=$(stat -c %s "$TMP/track.bin")
    printf 'MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk'
    printf "\\x00\\x00\\x$(printf %02x $((len >> 8)))\\x$(printf %02x $((len & 255)))"
    cat "$TMP/track.bin"
}

# Onset frames of a WAV's left channel (lib.sh onset_frames), on one line.
onsets() { onset_frames "$1" | tr '\n' ' ' | sed 's/ $//'; }

midi 2a 60 8 >"$TMP/quarters.mid"       # closed hat every quarter note (96 ticks)
midi 2a 60 8 18 >"$TMP/offbeats.mid"    # the same, one 16th later: on the odd steps 1, 5, 9, ...

# spaced FIRST STEP ONSETS...: 1 when the onsets are FIRST + k * STEP, FIRST being the sound's
# attack (the hat rises from zero: its first sample >= 0.001 comes a few frames in).
spaced() {
    local first=$1 step=$2; shift 2
    local attack=$(($1 - first)) k=0
    [ "$attack" -ge 0 ] && [ "$attack" -lt 8 ] || return 1
    for o in "$@"; do
        [ "$o" -eq $((first + attack + k * step)) ] || return 1
        k=$((k + 1))
    done
}

out=$("$GROOVE" render "$TMP/quarters.mid" -o "$TMP/q.wav" 2>&1)
check "render a MIDI file to WAV ($out)" test -s "$TMP/q.wav"
check "WAV is 48 kHz stereo 16-bit" test "$(soxi -r "$TMP/q.wav") $(soxi -c "$TMP/q.wav") $(soxi -b "$TMP/q.wav")" = "48000 2 16"
got=$(onsets "$TMP/q.wav")
check "8 onsets exactly 24000 frames apart at the file's 120 bpm (got: $got)" \
    test "$(wc -w <<<"$got")" -eq 8 -a -n "$(spaced 0 24000 $got && echo ok)"

"$GROOVE" render "$TMP/quarters.mid" -o "$TMP/q100.wav" --bpm 100 --loops 2 >/dev/null 2>&1
got=$(onsets "$TMP/q100.wav")
check "--bpm 100 --loops 2: 16 onsets exactly 28800 frames apart (got: $got)" \
    test "$(wc -w <<<"$got")" -eq 16 -a -n "$(spaced 0 28800 $got && echo ok)"

"$GROOVE" render "$TMP/offbeats.mid" -o "$TMP/o.wav" --loops 1 >/dev/null 2>&1
"$GROOVE" render "$TMP/offbeats.mid" -o "$TMP/os.wav" --loops 1 --swing 66.7 >/dev/null 2>&1
straight=$(onsets "$TMP/o.wav")
swung=$(onsets "$TMP/os.wav")
# Swing 66.7 % delays the odd 16ths by 0.334 of a step of 6000 frames: 2004 frames.
ok=1
read -ra s1 <<<"$straight"
read -ra s2 <<<"$swung"
[ "${#s1[@]}" -eq 8 ] && [ "${#s2[@]}" -eq 8 ] || ok=0
for i in "${!s1[@]}"; do [ "$((s2[i] - s1[i]))" -eq 2004 ] || ok=0; done
check "--swing 66.7 delays every odd 16th by exactly 2004 frames (straight: $straight; swung: $swung)" test "$ok" -eq 1
check "... and the straight off-beats sit on step 1 + k quarters" test -n "$(spaced 6000 24000 $straight && echo ok)"

peak=$(sox "$TMP/s.wav" -n stat 2>&1 | awk '/Maximum amplitude/ {print $3}')
check "peak below full scale ($peak)" awk -v p="$peak" 'BEGIN { exit !(p < 1.0) }'

gmd=$(find "$SHARED/data/gmd" -name '*_beat_4-4.mid' 2>/dev/null | sort | head -1)
check "a GMD 4/4 beat file is there ($gmd)" test -n "$gmd"
if [ -n "$gmd" ]; then
    out=$("$GROOVE" render "$gmd" -o "$TMP/gmd.wav" --loops 2 2>&1)
    check "GMD file renders with the default kit ($out)" test -s "$TMP/gmd.wav"
    if [ -d "/usr/share/hydrogen/data/drumkits/Millo_MultiLayered3" ]; then
        out=$("$GROOVE" render "$gmd" -o "$TMP/gmd2.wav" --loops 2 --kit Millo_MultiLayered3 2>&1)
        check "GMD file renders with a Hydrogen kit by name ($out)" grep -q 'kit Millo_MultiLayered3' <<<"$out"
    else
        fail "hydrogen-drumkits is installed (make deps-test)"
    fi
    "$GROOVE" render "$gmd" -o "$TMP/fb.wav" --loops 1 --kit /no/such/kit >/dev/null 2>"$TMP/fb.err"
    check "a missing kit: one line, the default kit plays ($(cat "$TMP/fb.err"))" \
        test -s "$TMP/fb.wav" -a "$(wc -l <"$TMP/fb.err")" -eq 1
fi

printf 'not a midi file' >"$TMP/bad.mid"
"$GROOVE" render "$TMP/bad.mid" -o "$TMP/bad.wav" >/dev/null 2>"$TMP/bad.err"
rc=$?
check "not a MIDI file: exit 1, one line ($(cat "$TMP/bad.err"))" test "$rc" -eq 1 -a "$(wc -l <"$TMP/bad.err")" -eq 1
check "... and no WAV written" test ! -e "$TMP/bad.wav"
"$GROOVE" render "$TMP/quarters.mid" >/dev/null 2>&1
rc=$?
check "no -o and no --play: usage, exit 2" test "$rc" -eq 2
"$GROOVE" render "$TMP/quarters.mid" --play --device no-such-device >/dev/null 2>"$TMP/dev.err"
rc=$?
check "--play on an unknown device: exit 1, one line, no 'running silent' ($(cat "$TMP/dev.err"))" \
    test "$rc" -eq 1 -a "$(wc -l <"$TMP/dev.err")" -eq 1 -a -z "$(grep 'running silent' "$TMP/dev.err")"
"$GROOVE" render "$TMP/quarters.mid" -o "$TMP/x.wav" --swing 90 >/dev/null 2>"$TMP/sw.err"
rc=$?
check "--swing 90 refused in one line (a usage error: 2)" test "$rc" -eq 2 -a "$(wc -l <"$TMP/sw.err")" -eq 1
"$GROOVE" render "$TMP/quarters.mid" -o /no/such/dir/x.wav >/dev/null 2>"$TMP/nd.err"
rc=$?
check "unwritable output: exit 1, one line ($(cat "$TMP/nd.err"))" test "$rc" -eq 1 -a "$(wc -l <"$TMP/nd.err")" -eq 1

"$GROOVE" kits >"$TMP/kits" 2>&1
check "groove kits lists the default kit first" test "$(head -1 "$TMP/kits" | awk '{print $1}')" = default
check "groove kits lists Debian's Hydrogen kits" grep -q 'hydrogen (system)' "$TMP/kits"
"$GROOVE" kits --load default >"$TMP/kd" 2>&1
check "groove kits --load default: 9 of 9 voices" grep -q '9 of 9 voices' "$TMP/kd"
"$GROOVE" kits --load /no/such/kit >/dev/null 2>"$TMP/kl.err"
rc=$?
check "groove kits --load on a missing kit exits 1" test "$rc" -eq 1
check "... with one 'groove:' line on stderr ($(cat "$TMP/kl.err"))" \
    test "$(wc -l <"$TMP/kl.err")" -eq 1 -a "$(grep -c '^groove: ' "$TMP/kl.err")" -eq 1

"$GROOVE" synth-kit -o "$TMP/kit" >/dev/null 2>&1
same=1
for f in "$ROOT"/samples/*.wav; do cmp -s "$f" "$TMP/kit/$(basename "$f")" || same=0; done
check "groove synth-kit reproduces samples/*.wav byte for byte" test "$same" -eq 1
size=$(du -sk "$ROOT/samples" | cut -f1)
check "samples/ stays small (${size} KB < 2 MB)" test "$size" -lt 2048
finish
