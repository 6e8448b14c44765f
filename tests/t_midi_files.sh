#!/usr/bin/env bash
# t_midi_files.sh - real-world MIDI files through every command (issue 11, items 1-3): a tempo
# map (120 -> 60 bpm at bar 1) is followed by render, generate and run --play-groove and
# written into generated files; meters (a 2/4 pick-up, 3/4, 7/8) follow one rule in show,
# render, generate and run (4/4 bars two at a time on the file's bar lines, the rest skipped
# with one line naming them); General MIDI percussion notes (35, 39, 41) play.
source "$(dirname "$0")/lib.sh"

# mkmid FILE PPQ HEX: writes a format-0 MIDI file whose one track holds the events HEX
# (hex digits, spaces allowed); the end-of-track meta is added.
mkmid() {
    local hex="${3// /}00ff2f00" len
    len=$((${#hex} / 2))
    printf '4d54686400000006000000010%03x4d54726b%08x%s' "$2" "$len" "$hex" | xxd -r -p >"$1"
}
# vlq N: N (decimal) as a MIDI variable-length number, in hex.
vlq() {
    local n=$1 out
    out=$(printf '%02x' $((n & 127)))
    while [ $((n >>= 7)) -gt 0 ]; do out=$(printf '%02x' $((128 | (n & 127))))$out; done
    printf '%s' "$out"
}
# Events after DELTA ticks (decimal): a note-on/off pair of note NOTE (hex) 12 ticks long; a
# tempo (us per quarter, hex); a time signature NUM/2^POW.
on() { printf '%s 99%s64 0c89%s00 ' "$(vlq "$1")" "$2" "$2"; }
tempo() { printf '%s ff5103%s ' "$(vlq "$1")" "$2"; }
meter() { printf '%s ff5804%02x%02x1808 ' "$(vlq "$1")" "$2" "$3"; }

onsets() { onset_frames "$1" | tr '\n' ' ' | sed 's/ $//'; }

# --- tempo map: PPQ 96, closed hat (2a) on every quarter for 2 bars, 60 bpm from bar 1 (tick 384).
track="$(tempo 0 07a120) $(on 0 2a) $(on 84 2a) $(on 84 2a) $(on 84 2a) $(tempo 84 0f4240) $(on 0 2a) $(on 84 2a) $(on 84 2a) $(on 84 2a)"
mkmid "$TMP/tempo.mid" 96 "$track"
out=$("$GROOVE" show "$TMP/tempo.mid" --bar 1 2>&1)
check "show reads the tempo change (60 bpm at bar 1: $(head -1 <<<"$out"))" grep -q '60.0 bpm at bar 1' <<<"$out"
"$GROOVE" render "$TMP/tempo.mid" -o "$TMP/tempo.wav" >/dev/null 2>&1
got=$(onsets "$TMP/tempo.wav")
read -ra o <<<"$got"
ok=$([ "${#o[@]}" -eq 8 ] && echo 1 || echo 0)
for i in 1 2 3; do [ "$((o[i] - o[i - 1]))" -eq 24000 ] || ok=0; done
for i in 5 6 7; do [ "$((o[i] - o[i - 1]))" -eq 48000 ] || ok=0; done
check "render follows the tempo map: beats 24000 frames apart in bar 0, 48000 in bar 1 (got: $got)" test "$ok" -eq 1
check "... and bar 1 starts at 2.0 s (got frame ${o[4]:-none})" test "$((${o[4]:-0} - ${o[0]:-0}))" -eq 96000
"$GROOVE" render "$TMP/tempo.mid" -o "$TMP/tempo100.wav" --bpm 100 >/dev/null 2>&1
got=$(onsets "$TMP/tempo100.wav")
read -ra o <<<"$got"
check "--bpm 100 replaces the map: the 8th beat at 7 x 28800 frames (got ${o[7]:-none})" \
    test "$((${o[7]:-0} - ${o[0]:-0}))" -eq $((7 * 28800))

"$GROOVE" run --headless --play-groove "$TMP/tempo.mid" --out-wav "$TMP/run.wav" --out-mid "$TMP/run.mid" \
    --loops 2 --no-session >/dev/null 2>&1
b2=$("$GROOVE" show "$TMP/run.mid" --bar 2 2>&1 | head -1)
b3=$("$GROOVE" show "$TMP/run.mid" --bar 3 2>&1 | head -1)
check "run --out-mid carries the file's tempo map loop after loop ($b2; $b3)" \
    test -n "$(grep '120.0 bpm at bar 2' <<<"$b2")" -a -n "$(grep '60.0 bpm at bar 3' <<<"$b3")"
out=$("$GROOVE" run --headless --play-groove "$TMP/tempo.mid" --out-wav "$TMP/run.wav" --loops 1 --no-session 2>&1)
secs=$(grep -o 'loops\? ([0-9.]* s)' <<<"$out" | grep -o '[0-9.]* s')
check "run --play-groove follows the tempo map: one loop (bar 0 at 120, bar 1 at 60) lasts 6 s ($secs)" \
    awk -v s="${secs% s}" 'BEGIN { exit !(s >= 5.9 && s <= 6.1) }'
out=$("$GROOVE" run --headless --play-groove "$TMP/tempo.mid" --bpm 120 --out-wav "$TMP/run.wav" --loops 1 --no-session 2>&1)
secs=$(grep -o 'loops\? ([0-9.]* s)' <<<"$out" | grep -o '[0-9.]* s')
check "... and --bpm 120 fixes the tempo: 4 s ($secs)" awk -v s="${secs% s}" 'BEGIN { exit !(s >= 3.9 && s <= 4.1) }'
"$GROOVE" generate "$TMP/tempo.mid" -o "$TMP/gen.mid" --quiet 2>"$TMP/gen.err"
check "generate on the tempo file works ($(cat "$TMP/gen.err"))" test -s "$TMP/gen.mid"
out=$("$GROOVE" show "$TMP/gen.mid" --bar 1 2>&1 | head -1)
check "the generated file carries the tempo change: 60 bpm at its bar 1 ($out)" grep -q '60.0 bpm at bar 1' <<<"$out"
check "... and the generated file holds both tempos (120 bpm at tick 0, 60 from tick 3840)" \
    test -n "$(xxd -p "$TMP/gen.mid" | tr -d '\n' | grep -o 'ff510307a120.*ff51030f4240')"

# --- a 2/4 pick-up bar, then 4/4: kick (24) on each 4/4 downbeat, hat in the pick-up.
track="$(meter 0 2 2) $(on 0 2a) $(meter 180 4 2) $(on 0 24) $(on 372 24) $(on 372 24)"
mkmid "$TMP/pickup.mid" 96 "$track"
for cmd in show render generate; do
    case $cmd in
    show) "$GROOVE" show "$TMP/pickup.mid" >"$TMP/p.out" 2>"$TMP/p.err" ;;
    render) "$GROOVE" render "$TMP/pickup.mid" -o "$TMP/p.wav" >"$TMP/p.out" 2>"$TMP/p.err" ;;
    generate) "$GROOVE" generate "$TMP/pickup.mid" -o "$TMP/p.mid" >"$TMP/p.out" 2>"$TMP/p.err" ;;
    esac
    rc=$?
    check "$cmd: the pick-up file plays (exit $rc) with one line naming the skipped bar ($(cat "$TMP/p.err"))" \
        test "$rc" -eq 0 -a "$(grep -c 'bar 0 (2/4) is not 4/4 and skipped' "$TMP/p.err")" -eq 1
done
out=$("$GROOVE" show "$TMP/pickup.mid" --list 2>/dev/null)
check "show starts at the first 4/4 bar: kicks on steps 0 and 16 (not two beats off)" \
    test "$(awk '$2 == "kick" {printf "%s ", $1}' <<<"$out")" = "0 16 "
# The generated file (PPQ 960): 2/4 at tick 0, then 4/4 after 1920 ticks (delta 8f 00), and no
# note-on (status 99) before that bar line.
hex=$(xxd -p "$TMP/p.mid" | tr -d '\n')
head=${hex%%8f00ff58040402*}
check "the generated file keeps the input's meters: 2/4, then 4/4 from tick 1920" test "$head" != "$hex"
check "... and its drums start on the input's bar 1, not in the pick-up (no note before tick 1920)" \
    test -z "$(grep -o '99' <<<"${head#*4d54726b}" | head -1)" -a -n "$(grep -o '99' <<<"${hex#"$head"}" | head -1)"
first=$(onsets "$TMP/p.wav" | awk '{print $1}')
check "render plays the 4/4 bars from their first downbeat (first onset at frame ${first:-none} < 100)" \
    test -n "$first" -a "${first:-999}" -lt 100
"$GROOVE" run --headless --play-groove "$TMP/pickup.mid" --out-wav "$TMP/pr.wav" --loops 1 --no-session \
    >/dev/null 2>"$TMP/pr.err"
check "run --play-groove: the same line ($(cat "$TMP/pr.err"))" grep -q 'bar 0 (2/4) is not 4/4 and skipped' "$TMP/pr.err"

# --- all 3/4 and all 7/8: refused by every command with the same one line.
mkmid "$TMP/waltz.mid" 96 "$(meter 0 3 2) $(on 0 24) $(on 276 24) $(on 276 24)"
mkmid "$TMP/seven.mid" 96 "$(meter 0 7 3) $(on 0 24) $(on 324 24)"
for f in waltz:3/4 seven:7/8; do
    name=${f%%:*} meter=${f#*:}
    for cmd in show render generate run; do
        case $cmd in
        show) "$GROOVE" show "$TMP/$name.mid" >/dev/null 2>"$TMP/r.err" ;;
        render) "$GROOVE" render "$TMP/$name.mid" -o "$TMP/r.wav" >/dev/null 2>"$TMP/r.err" ;;
        generate) "$GROOVE" generate "$TMP/$name.mid" -o "$TMP/r.mid" >/dev/null 2>"$TMP/r.err" ;;
        run) "$GROOVE" run --headless --play-groove "$TMP/$name.mid" --out-wav "$TMP/r.wav" --no-session \
            >/dev/null 2>"$TMP/r.err" ;;
        esac
        rc=$?
        check "$cmd refuses the $meter file: exit 1, one line naming bars and meter ($(cat "$TMP/r.err"))" \
            test "$rc" -eq 1 -a "$(wc -l <"$TMP/r.err")" -eq 1 -a "$(grep -c "($meter) are not 4/4" "$TMP/r.err")" -eq 1
    done
    check "... and no file was written" test ! -e "$TMP/r.mid" -a ! -e "$TMP/r.wav"
done

# --- run --headless --play-groove FILE --out-wav: the drums in step with the input from bar 1
# (as generate does), --live keeps the as-played lag, --tap-sound chooses what a tap sounds like.
mkmid "$TMP/eighths.mid" 96 "$(tempo 0 07a120) $(on 0 2a) $(for i in $(seq 15); do on 36 2a; done)"
"$GROOVE" generate "$TMP/eighths.mid" -o "$TMP/e_gen.mid" --quiet 2>/dev/null
"$GROOVE" run --headless --play-groove "$TMP/eighths.mid" --out-wav "$TMP/e.wav" --out-mid "$TMP/e.mid" --loops 2 \
    --no-session >/dev/null 2>&1
"$GROOVE" show "$TMP/e.mid" --list 2>/dev/null | tail -n +3 >"$TMP/e.list"
"$GROOVE" show "$TMP/e_gen.mid" --list 2>/dev/null | tail -n +3 >"$TMP/e_gen.list"
check "offline render of a file: bars 0-1 play drums at once ($(wc -l <"$TMP/e.list") lines)" test "$(wc -l <"$TMP/e.list")" -gt 2
check "... and they are the part generate makes for those bars (same hits)" cmp -s "$TMP/e.list" "$TMP/e_gen.list"
first=$(onset_frames "$TMP/e.wav" | head -1)
check "... so the WAV's first drum sounds in the first step (frame ${first:-none} < 3000)" test -n "$first" -a "${first:-9999}" -lt 3000
rms4() { sox "$1" -n trim 0 4 stat 2>&1 | awk '/RMS +amplitude/ {print $3}'; }
aligned_rms=$(rms4 "$TMP/e.wav")
"$GROOVE" run --headless --play-groove "$TMP/eighths.mid" --out-wav "$TMP/l.wav" --out-mid "$TMP/l.mid" --loops 2 \
    --no-session --live --tap-sound none >/dev/null 2>&1
out=$("$GROOVE" show "$TMP/l.mid" --list 2>&1 | sed -n 2p)
check "--live keeps the as-played lag: no drums in the first loop ($out)" grep -q '^0 notes in these bars' <<<"$out"
live_rms=$(rms4 "$TMP/l.wav")
check "... its first loop holds only what the model makes of no groove (RMS $live_rms against $aligned_rms in step)" \
    awk -v l="$live_rms" -v a="$aligned_rms" 'BEGIN { exit !(l * 1.5 < a) }'
"$GROOVE" run --headless --play-groove "$TMP/eighths.mid" --out-wav "$TMP/n.wav" --loops 1 --no-session \
    --tap-sound none >/dev/null 2>&1
check "an offline render of a file mixes in no tap sounds by default (same as --tap-sound none)" \
    bash -c "sox '$TMP/e.wav' -t raw - trim 0 4 2>/dev/null | cmp -s - <(sox '$TMP/n.wav' -t raw - trim 0 4 2>/dev/null)"
"$GROOVE" run --headless --play-groove "$TMP/eighths.mid" --out-wav "$TMP/c.wav" --loops 1 --no-session \
    --tap-sound click >/dev/null 2>&1
diff_rms=$(sox -m -v 1 "$TMP/c.wav" -v -1 "$TMP/n.wav" -n stat 2>&1 | awk '/RMS +amplitude/ {print $3}')
check "--tap-sound click adds the taps as clicks (difference RMS $diff_rms)" awk -v r="$diff_rms" 'BEGIN { exit !(r > 0.005) }'
"$GROOVE" run --headless --play-groove "$TMP/eighths.mid" --out-wav "$TMP/x.wav" --tap-sound bogus >/dev/null 2>"$TMP/ts.err"
rc=$?
check "--tap-sound bogus: a usage error, exit 2, one line ($(cat "$TMP/ts.err"))" test "$rc" -eq 2 -a "$(wc -l <"$TMP/ts.err")" -eq 1

# --- General MIDI: kick 35, hand claps 39 on the backbeat, floor tom 41.
mkmid "$TMP/gm.mid" 96 "$(on 0 23) $(on 84 27) $(on 84 23) $(on 84 27) $(on 36 29)"
out=$("$GROOVE" show "$TMP/gm.mid" --list 2>&1)
check "show: 5 notes on a voice, none dropped ($(sed -n 2p <<<"$out"))" grep -q '5 notes in these bars: 5 on a voice, 0 on none' <<<"$out"
check "the claps (39) are the snare backbeat on steps 4 and 12" \
    test "$(awk '$2 == "snare" {printf "%s ", $1}' <<<"$out")" = "4 12 "
check "35 is the kick, 41 the low tom" \
    test "$(awk '$2 == "kick" || $2 == "low_tom" {printf "%s:%s ", $1, $2}' <<<"$out")" = "0:kick 8:kick 14:low_tom "
"$GROOVE" render "$TMP/gm.mid" -o "$TMP/gm.wav" >"$TMP/gm.out" 2>"$TMP/gm.err"
check "render plays a GM file with no note left out ($(cat "$TMP/gm.err"))" test -s "$TMP/gm.wav" -a ! -s "$TMP/gm.err"
finish
