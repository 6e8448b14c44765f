#!/usr/bin/env bash
# t_practice.sh - the practice side through the binary: the click and count-in in a headless
# render (12 ticks 0.5 s apart, beat 1 of each bar at least 3 dB louder), the click only when
# asked (run and render), never in a MIDI export; --calibrate against a file of taps on the
# beats arriving late (--tap-delay, --tap-jitter) reports the delay and saves it in
# $XDG_CONFIG_HOME/groove/config; the loop lines' tap timing with and without compensation;
# usage errors.
source "$(dirname "$0")/lib.sh"
export XDG_CONFIG_HOME="$TMP/config"

# A MIDI file by hand: 2 bars at 120 bpm, PPQ 96, a closed hat on every beat (8 notes).
beats_mid() {
    {
        printf '\x00\xff\x51\x03\x07\xa1\x20\x00\xff\x58\x04\x04\x02\x18\x08'
        for ((i = 0; i < 8; i++)); do
            [ "$i" -eq 0 ] && printf '\x00' || printf '\x54'
            printf '\x99\x2a\x64\x0c\x89\x2a\x00'
        done
        printf '\x00\xff\x2f\x00'
    } >"$TMP/track.bin"
    local len
    len=$(stat -c %s "$TMP/track.bin")
    printf 'MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk'
    printf "\\x00\\x00\\x$(printf %02x $((len >> 8)))\\x$(printf %02x $((len & 255)))"
    cat "$TMP/track.bin"
}
beats_mid >"$TMP/beats.mid"

# peaks FILE ONSETS...: the peak (absolute) of the 40 ms after each onset, one a line.
peaks() {
    local f=$1; shift
    sox "$f" -t dat - 2>/dev/null | awk -v list="$*" '
        BEGIN { n = split(list, on, " ") }
        !/^;/ { i = NR - 1; a = $2 + 0; if (a < 0) a = -a
                for (k = 1; k <= n; k++) if (i >= on[k] && i < on[k] + 1920 && a > p[k]) p[k] = a }
        END { for (k = 1; k <= n; k++) printf "%.6f\n", p[k] }'
}

# ---- the click and the count-in, no groove ----
out=$("$GROOVE" run --headless --no-session --click --count-in 1 --bpm 120 --loops 1 --out-wav "$TMP/click.wav" 2>&1)
check "a headless render with the click runs ($out)" test -s "$TMP/click.wav"
on=($(onset_frames "$TMP/click.wav"))
check "12 click onsets (count-in bar + 2 bars): ${#on[*]}" test "${#on[*]}" -eq 12
spaced=1
for ((k = 0; k < ${#on[*]}; k++)); do
    d=$((on[k] - k * 24000))
    [ "${d#-}" -le 48 ] || spaced=0
done
check "every onset 0.5 s (24000 frames) after the last, within 1 ms: ${on[*]}" test "$spaced" -eq 1
pk=($(peaks "$TMP/click.wav" "${on[@]}"))
louder=$(awk -v p="${pk[*]}" 'BEGIN { n = split(p, a, " "); ok = (n == 12)
    for (k = 1; k <= n; k++) if ((k - 1) % 4 == 0) for (j = k + 1; j < k + 4; j++)
        if (20 * log(a[k] / a[j]) / log(10) < 3) ok = 0
    print ok }')
check "beat 1 of each bar at least 3 dB louder than beats 2-4 (peaks ${pk[*]})" test "$louder" = 1

"$GROOVE" run --headless --no-session --count-in 1 --bpm 120 --loops 1 --out-wav "$TMP/quiet.wav" >/dev/null 2>&1
on=($(onset_frames "$TMP/quiet.wav"))
check "without --click: the count-in's 4 ticks only (${#on[*]})" test "${#on[*]}" -eq 4
"$GROOVE" run --headless --no-session --bpm 120 --loops 1 --out-wav "$TMP/none.wav" >/dev/null 2>&1
on=($(onset_frames "$TMP/none.wav"))
check "no --click, no count-in: no click in the WAV (${#on[*]} onsets)" test "${#on[*]}" -eq 0

# render: the click only with --click (the difference of the two renders is the click)
"$GROOVE" render "$TMP/beats.mid" -o "$TMP/r0.wav" --loops 1 >/dev/null 2>&1
"$GROOVE" render "$TMP/beats.mid" -o "$TMP/r1.wav" --loops 1 --click >/dev/null 2>&1
sox -m "$TMP/r1.wav" -v -1 "$TMP/r0.wav" "$TMP/rdiff.wav" 2>/dev/null
on=($(onset_frames "$TMP/rdiff.wav"))
check "groove render --click adds 8 ticks on the beats (${on[*]})" test "${#on[*]}" -eq 8 -a "${on[7]:-0}" -ge 167950 -a "${on[7]:-0}" -le 168050

# never in a MIDI export
GMD="$SHARED/data/gmd/drummer1/session1/1_funk_80_beat_4-4.mid"
"$GROOVE" run --headless --no-session --play-groove "$GMD" --loops 2 --out-wav "$TMP/a.wav" --out-mid "$TMP/a.mid" >/dev/null 2>&1
"$GROOVE" run --headless --no-session --play-groove "$GMD" --loops 2 --out-wav "$TMP/b.wav" --out-mid "$TMP/b.mid" --click >/dev/null 2>&1
check "the click is never in the MIDI export (same file with and without --click)" cmp -s "$TMP/a.mid" "$TMP/b.mid"
check "but it is in the WAV asked for with --click" bash -c "! cmp -s '$TMP/a.wav' '$TMP/b.wav'"

# ---- calibration and tap timing ----
# json_num KEY: the numbers of KEY in stdin's JSON lines, one a line (null lines skipped)
json_num() { grep -o "\"$1\":-\?[0-9.]*" | sed 's/.*://'; }
within() { awk -v x="$1" -v want="$2" -v tol="$3" 'BEGIN { d = x - want; if (d < 0) d = -d; exit !(x != "" && d <= tol) }'; }

for case in "35 0" "0 5" "30 5" "80 5"; do
    set -- $case
    delay=$1 jitter=$2
    jit=()
    [ "$jitter" != 0 ] && jit=(--tap-jitter "$jitter")
    rm -rf "$XDG_CONFIG_HOME"
    cal=$("$GROOVE" run --headless --no-session --play-groove "$TMP/beats.mid" --bpm 120 --tap-delay "$delay" "${jit[@]}" --calibrate 2>&1)
    lines=$(printf '%s\n' "$cal" | grep -c '^{')
    got=$(printf '%s\n' "$cal" | json_num input_latency_ms)
    taps=$(printf '%s\n' "$cal" | json_num taps)
    check "--calibrate, taps ${delay} ms late (+-${jitter}): one JSON object, $got ms from $taps taps" \
        bash -c "[ '$lines' = 1 ] && [ '${taps:-0}' -ge 8 ] && printf '%s' '$cal' | grep -q '\"spread_ms\":'"
    check "  it reports ${delay} +- 2 ms" within "$got" "$delay" 2
    check "  and saves it in \$XDG_CONFIG_HOME/groove/config" grep -q "^input_latency_keys_ms=$got" "$XDG_CONFIG_HOME/groove/config"
    # the loop lines with that compensation: the taps sit on the grid
    means=$("$GROOVE" run --headless --no-session --play-groove "$TMP/beats.mid" --bpm 120 --tap-delay "$delay" "${jit[@]}" \
        --input-latency "$delay" --loops 4 --json --out-wav "$TMP/t.wav" 2>/dev/null | json_num tap_mean_ms)
    ok=1
    n=0
    for m in $means; do within "$m" 0 2 || ok=0; n=$((n + 1)); done
    check "  --tap-delay $delay --input-latency $delay: tap_mean_ms within +-2 ms of 0 on $n loop lines ($(echo $means))" \
        test "$ok" = 1 -a "$n" -ge 3
    # the saved compensation is used without --input-latency
    means=$("$GROOVE" run --headless --no-session --play-groove "$TMP/beats.mid" --bpm 120 --tap-delay "$delay" "${jit[@]}" \
        --loops 3 --json --out-wav "$TMP/t.wav" 2>/dev/null | json_num tap_mean_ms)
    ok=1
    for m in $means; do within "$m" 0 2.5 || ok=0; done
    check "  the config's compensation is used on the next run ($(echo $means))" test "$ok" = 1 -a -n "$means"
done

rm -rf "$XDG_CONFIG_HOME"
lines=$("$GROOVE" run --headless --no-session --play-groove "$TMP/beats.mid" --bpm 120 --tap-delay 0 --loops 4 --json --out-wav "$TMP/t.wav" 2>/dev/null)
means=$(printf '%s\n' "$lines" | json_num tap_mean_ms)
ok=1
for m in $means; do within "$m" 0 2 || ok=0; done
check "--tap-delay 0, no compensation: tap_mean_ms within +-2 ms of 0 ($(echo $means)): no bias" test "$ok" = 1 -a -n "$means"
check "taps counted per loop (8 a loop)" bash -c "printf '%s\n' '$lines' | grep -q '\"taps\":8,'"
check "tap_std_ms is a number" bash -c "printf '%s\n' '$lines' | grep -q '\"tap_std_ms\":[0-9]'"
beats=$(printf '%s\n' "$lines" | grep '^{' | tail -1 | grep -o '"tap_beat_ms":\[[^]]*\]' | sed 's/.*\[//; s/\]//; s/,/ /g')
ok=1
n=0
for m in $beats; do within "$m" 0 2 || ok=0; n=$((n + 1)); done
check "tap_beat_ms: 8 beats, each within +-2 ms of 0 ($beats)" test "$ok" = 1 -a "$n" -eq 8
late=$("$GROOVE" run --headless --no-session --play-groove "$TMP/beats.mid" --bpm 120 --tap-delay 35 --loops 3 --json --out-wav "$TMP/t.wav" 2>/dev/null | json_num tap_mean_ms | tail -1)
check "--tap-delay 35 without compensation reads 35 ms late ($late)" within "$late" 35 2
# in real time (no --out-wav) too: the transport starts from now, so the file's taps arrive
# one by one (a start at 0 s of the monotonic clock fed every pass up to now at once)
lines=$("$GROOVE" run --headless --no-session --play-groove "$TMP/beats.mid" --bpm 120 --tap-delay 35 --tap-jitter 5 --loops 1 --json 2>/dev/null)
taps=$(printf '%s\n' "$lines" | json_num taps | tr '\n' ' ')
late=$(printf '%s\n' "$lines" | json_num tap_mean_ms | tail -1)
check "real time, --tap-delay 35: 0 then 8 taps a loop ($taps)" test "$taps" = "0 8 "
check "real time, --tap-delay 35 --tap-jitter 5 reads 35 ms late ($late)" within "$late" 35 5
summary=$("$GROOVE" run --headless --no-session --play-groove "$TMP/beats.mid" --bpm 120 --tap-delay 20 --loops 3 --out-wav "$TMP/t.wav" 2>/dev/null | tail -1)
check "a summary when it ends: $summary" bash -c "printf '%s' '$summary' | grep -Eq '^groove: 3 loops, [0-9]+ taps, 20 ms late on average, spread 0 ms$'"

# an aligned render of the file (no --tap-delay): its taps count in the loop lines and the summary
lines=$("$GROOVE" run --headless --no-session --play-groove "$TMP/beats.mid" --bpm 120 --loops 3 --json --out-wav "$TMP/t.wav" 2>/dev/null)
taps=$(printf '%s\n' "$lines" | json_num taps | tr '\n' ' ')
means=$(printf '%s\n' "$lines" | json_num tap_mean_ms | tr '\n' ' ')
check "aligned render: 0 then 8 taps a loop, as taps_total grows ($taps)" test "$taps" = "0 8 8 "
check "  timed on the grid ($means)" bash -c "for m in $means; do awk -v m=\$m 'BEGIN { exit !(m >= -1 && m <= 1) }' || exit 1; done; [ -n '$means' ]"
check "  and the summary counts them ($(printf '%s\n' "$lines" | tail -1))" \
    bash -c "printf '%s\n' '$lines' | tail -1 | grep -Eq '^groove: 3 loops, (24|25) taps, on time on average, spread 0 ms$'"

# a config file that will not load is never overwritten
mkdir -p "$XDG_CONFIG_HOME/groove"
printf 'groove-config 99\nfuture=1\n' >"$XDG_CONFIG_HOME/groove/config"
"$GROOVE" run --headless --no-session --play-groove "$TMP/beats.mid" --bpm 120 --tap-delay 10 --calibrate >/dev/null 2>&1
check "a newer config file is left as it was" grep -q '^groove-config 99$' "$XDG_CONFIG_HOME/groove/config"
# a calibration that cannot be saved says so (headless printed only the JSON: it looked saved)
for what in newer folder; do
    rm -rf "$XDG_CONFIG_HOME"
    mkdir -p "$XDG_CONFIG_HOME/groove"
    if [ "$what" = folder ]; then mkdir "$XDG_CONFIG_HOME/groove/config"; else printf 'groove-config 99\n' >"$XDG_CONFIG_HOME/groove/config"; fi
    "$GROOVE" run --headless --no-session --play-groove "$TMP/beats.mid" --bpm 120 --tap-delay 10 --calibrate >"$TMP/cal.out" 2>"$TMP/cal.err"
    rc=$?
    check "config a $what: --calibrate prints its JSON (rc $rc)" bash -c "[ $rc = 0 ] && grep -q '\"input_latency_ms\":10' '$TMP/cal.out'"
    check "  one groove: line that the config is not used, one that the result was not saved ($(cat "$TMP/cal.err"))" \
        bash -c "[ \$(grep -c . '$TMP/cal.err') = 2 ] && grep -q '^groove: config not used: ' '$TMP/cal.err' && grep -q '^groove: keys latency 10.0 ms .*: not saved: ..*' '$TMP/cal.err'"
done
rm -rf "$XDG_CONFIG_HOME"

# ---- usage errors ----
usage() {
    local what=$1; shift
    "$GROOVE" run "$@" >/dev/null 2>"$TMP/u.err"
    local rc=$?
    check "$what: exit 2, one line ($(head -1 "$TMP/u.err"))" test "$rc" -eq 2 -a "$(wc -l <"$TMP/u.err")" -eq 1
}
usage "--count-in 3" --headless --count-in 3
usage "--respond sometimes" --headless --respond sometimes
usage "--tap-delay without --play-groove" --headless --tap-delay 10
usage "--tap-jitter without --tap-delay" --headless --play-groove "$TMP/beats.mid" --tap-jitter 5
usage "--tap-delay -5" --headless --play-groove "$TMP/beats.mid" --tap-delay -5
usage "--input-latency x" --headless --input-latency x
# Headless --calibrate with nothing that can tap ends at once with one line (it waited for ever).
timeout 20 "$GROOVE" run --headless --no-session --midi-in none --calibrate >/dev/null 2>"$TMP/cal.err"
rc=$?
check "--calibrate with no input: exit 1, one 'groove:' line ($(cat "$TMP/cal.err"))" \
    test "$rc" -eq 1 -a "$(wc -l <"$TMP/cal.err")" -eq 1 -a "$(grep -c '^groove: --calibrate needs taps' "$TMP/cal.err")" -eq 1
usage "--input-latency -2000" --headless --input-latency -2000
# A config with a bad value, or one that will not load, is said in one line (it was used
# silently: 'abc' as 0); the run goes on with the fallback.
mkdir -p "$TMP/badcfg/groove"
printf 'groove-config 1\ninput_latency_keys_ms=abc\noutput_offset_audio_ms=999\n' >"$TMP/badcfg/groove/config"
XDG_CONFIG_HOME="$TMP/badcfg" "$GROOVE" run --headless --no-session --bpm 120 --loops 1 --out-wav "$TMP/b.wav" \
    >/dev/null 2>"$TMP/badcfg.err"
check "a bad input latency in the config is said ($(grep -c input_latency_keys_ms "$TMP/badcfg.err") line)" \
    grep -q '^groove: config: input_latency_keys_ms=abc is not a number' "$TMP/badcfg.err"
check "a bad output offset in the config is said" grep -q '^groove: config: output_offset_audio_ms=999 is not a number in -50..50' "$TMP/badcfg.err"
printf 'garbage\n' >"$TMP/badcfg/groove/config"
XDG_CONFIG_HOME="$TMP/badcfg" "$GROOVE" run --headless --no-session --bpm 120 --loops 1 --out-wav "$TMP/b.wav" \
    >/dev/null 2>"$TMP/badcfg.err"
check "a config that will not load is said in an offline render ($(head -1 "$TMP/badcfg.err"))" \
    grep -q '^groove: config not used' "$TMP/badcfg.err"
check "... and left as it was" grep -qx garbage "$TMP/badcfg/groove/config"
# A negative compensation (a player who taps early, as a calibration can measure) is taken:
# taps on the grid, compensated by -20 ms, read 20 ms late.
means=$("$GROOVE" run --headless --no-session --play-groove "$TMP/beats.mid" --bpm 120 --tap-delay 0 \
    --input-latency -20 --loops 3 --json --out-wav "$TMP/t.wav" 2>/dev/null | json_num tap_mean_ms)
ok=1
for m in $means; do within "$m" 20 2 || ok=0; done
check "--input-latency -20: taps on the grid read 20 ms late ($(echo $means))" test "$ok" = 1 -a -n "$means"
# the click's own level: the mixer's click strip
"$GROOVE" run --headless --no-session --click --bpm 120 --loops 1 --gain click=-6 --out-wav "$TMP/soft.wav" >/dev/null 2>&1
"$GROOVE" run --headless --no-session --click --bpm 120 --loops 1 --out-wav "$TMP/loud.wav" >/dev/null 2>&1
p6=$(peaks "$TMP/soft.wav" 0 | head -1)
p0=$(peaks "$TMP/loud.wav" 0 | head -1)
check "--gain click=-6: the click 6 dB down ($p0 -> $p6)" awk -v a="$p0" -v b="$p6" 'BEGIN { d = 20 * log(a / b) / log(10); exit !(d > 5.8 && d < 6.2) }'
"$GROOVE" run --headless --no-session --respond beat --click --loops 1 --out-wav "$TMP/rb.wav" >/dev/null 2>&1
check "--respond beat runs" test -s "$TMP/rb.wav"
finish
