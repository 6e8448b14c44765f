#!/usr/bin/env bash
# t_sync.sh - keeping time without devices (docs/sync.md): MIDI out written to a MIDI file
# (Start, 24 PPQN pulses from the engine's clock, Stop at the end, drum notes at their
# scheduled times), the output offsets (and the config file that keeps them), MIDI clock in
# played from a file (jittered pulses, Start, a tempo change, Stop / Song Position / Continue
# mid-bar, a clock that stops), and the usage errors. Ableton Link: tests/t_link.sh.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
export XDG_STATE_HOME="$TMP/state" XDG_CONFIG_HOME="$TMP/config" HOME="$TMP/home"
export PYTHONPATH="$ROOT/tests"
GROOVE_MID="$SHARED/data/gmd/drummer1/session1/1_funk_80_beat_4-4.mid"
PY=/usr/bin/python3

# --- MIDI out to a file at 120 BPM (offline: the engine clock is the render's frames). The kit
# is one impulse per voice, so every hit the engine plays is one non-zero frame of the WAV.
mkdir -p "$TMP/impulse"
$PY - "$TMP/impulse" <<'PY'
import sys, wave
for name in ["kick", "snare", "closed_hat", "open_hat", "low_tom", "mid_tom", "high_tom", "crash", "ride"]:
    w = wave.open(f"{sys.argv[1]}/{name}.wav", "wb")
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(48000)
    w.writeframes((20000).to_bytes(2, "little", signed=True) + bytes(2 * 99))
    w.close()
PY
"$GROOVE" run --headless --kit "$TMP/impulse" --play-groove "$GROOVE_MID" --bpm 120 --loops 3 --out-wav "$TMP/a.wav" \
    --midi-out-file "$TMP/out.mid" >"$TMP/log" 2>"$TMP/err"
check "offline render with --midi-out-file exits 0 ($(cat "$TMP/err"))" test $? -eq 0
check "MIDI out at 120 BPM: Start, pulses 20.833 ms apart (0.2 ms), Stop at the end; notes where the hits sound" \
    $PY - "$TMP/out.mid" "$TMP/a.wav" <<'PY'
import sys, wave
from sync_midi import read, escapes, note_ons
out = read(sys.argv[1])
esc = escapes(out)
assert esc[0][1] == b'\xfa' and esc[0][0] == 0.0, esc[:2]          # Start at the top
pulses = [t for t, b in esc if b == b'\xf8']
gaps = [b - a for a, b in zip(pulses, pulses[1:])]
assert 3 * 8 * 24 <= len(pulses) <= 3 * 8 * 24 + 2, len(pulses)     # 3 loops of 8 beats (+ the next's first)
assert all(abs(g - 0.0208333) <= 0.0002 for g in gaps), (min(gaps), max(gaps))
assert pulses[0] == 0.0
assert esc[-1][1] == b'\xfc' and esc[-1][0] >= pulses[-1], esc[-2:]   # Stop when the run ends
assert len([1 for t, b in esc if b in (b'\xfa', b'\xfc')]) == 2
# Every drum note sits on a frame where the engine started that hit (the impulse kit): the
# notes carry the engine's own scheduled times, to the frame.
w = wave.open(sys.argv[2])
n = w.getnframes()
data = w.readframes(n)
width = w.getsampwidth() * w.getnchannels()
loud = set(i for i in range(n) if any(data[i * width:(i + 1) * width]))
notes = [t for t, note, vel in note_ons(out) if t * 48000 < n]
assert len(notes) > 20, len(notes)
missing = [t for t in notes if round(t * 48000) not in loud]
assert not missing, (len(missing), missing[:5])
assert len(loud) < n / 100, len(loud)   # the WAV is mostly silent: a match is no accident
PY

# The same in real time (the silent audio clock), at 300 BPM for one loop.
timeout 60 "$GROOVE" run --headless --no-session --midi-in none --play-groove "$GROOVE_MID" --bpm 300 --loops 1 \
    --midi-out-file "$TMP/rt.mid" >"$TMP/log" 2>"$TMP/err"
check "real time with --midi-out-file exits 0 ($(cat "$TMP/err"))" test $? -eq 0
check "real time: pulses 8.333 ms apart from the engine clock (0.2 ms), Start and Stop" $PY - "$TMP/rt.mid" <<'PY'
import sys
from sync_midi import read, escapes
esc = escapes(read(sys.argv[1]))
pulses = [t for t, b in esc if b == b'\xf8']
gaps = [b - a for a, b in zip(pulses, pulses[1:])]
assert len(pulses) >= 8 * 24, len(pulses)
assert all(abs(g - 60 / 300 / 24) <= 0.0002 for g in gaps), (min(gaps), max(gaps))
assert esc[0][1] == b'\xfa' and esc[-1][1] == b'\xfc'
PY

# --- Output offsets: MIDI +10 ms moves every MIDI event; audio +20 ms changes the audio (the
# exact frames: test_engine); both are kept in the config file for later runs.
"$GROOVE" run --headless --kit "$TMP/impulse" --play-groove "$GROOVE_MID" --bpm 120 --loops 3 --out-wav "$TMP/b.wav" \
    --midi-offset 10 --audio-offset 20 --midi-out-file "$TMP/off.mid" >/dev/null 2>"$TMP/err"
check "offsets: exits 0 ($(cat "$TMP/err"))" test $? -eq 0
check "MIDI offset +10 ms: Start, pulses and notes 10 ms later" $PY - "$TMP/out.mid" "$TMP/off.mid" <<'PY'
import sys
from sync_midi import read, escapes, note_ons
a, b = read(sys.argv[1]), read(sys.argv[2])
ea, eb = escapes(a), escapes(b)
assert len(ea) == len(eb) and all(abs(y[0] - x[0] - 0.010) < 1e-4 and x[1] == y[1] for x, y in zip(ea, eb))
na, nb = note_ons(a), note_ons(b)
assert len(na) == len(nb) and all(abs(y[0] - x[0] - 0.010) < 1e-4 for x, y in zip(na, nb))
PY
check "audio offset +20 ms: every drum hit sounds 960 frames later" $PY - "$TMP/out.mid" "$TMP/a.wav" "$TMP/b.wav" <<'PY'
import sys, wave
from sync_midi import read, note_ons
def loud(path):
    w = wave.open(path)
    n, width = w.getnframes(), w.getsampwidth() * w.getnchannels()
    d = w.readframes(n)
    return n, set(i for i in range(n) if any(d[i * width:(i + 1) * width]))
n, a = loud(sys.argv[2])
_, b = loud(sys.argv[3])
notes = [round(t * 48000) for t, note, vel in note_ons(read(sys.argv[1])) if t * 48000 + 960 < n]
assert len(notes) > 20
assert all(f in a and f + 960 in b for f in notes), [f for f in notes if f + 960 not in b][:5]
assert sum(f + 960 in a for f in notes) < len(notes) / 2   # not just loud everywhere
PY
check "the offsets are saved in the config file" \
    grep -qx 'output_offset_audio_ms=20.0' "$XDG_CONFIG_HOME/groove/config"
check "... both of them" grep -qx 'output_offset_midi_ms=10.0' "$XDG_CONFIG_HOME/groove/config"
"$GROOVE" run --headless --kit "$TMP/impulse" --play-groove "$GROOVE_MID" --bpm 120 --loops 3 --out-wav "$TMP/c.wav" \
    --midi-out-file "$TMP/off2.mid" >/dev/null 2>&1
check "a later run without the options sends MIDI with the saved offset" cmp -s "$TMP/off.mid" "$TMP/off2.mid"
check "... and plays the audio with the saved offset (the same WAV)" cmp -s "$TMP/b.wav" "$TMP/c.wav"
out=$(timeout 60 "$GROOVE" run --headless --no-session --midi-in none --loops 0 2>&1)
check "the status line shows the tempo source and the offsets ($(echo "$out" | head -1 | sed 's/.*sync/sync/'))" \
    bash -c "echo \"\$0\" | grep -q 'sync internal, offset audio +20 ms midi +10 ms'" "$out"
rm -f "$XDG_CONFIG_HOME/groove/config"

# --- MIDI clock in from a file: 100 BPM, +-2 ms jitter, 2 beats of clock, then Start; 3 loops;
# 120 BPM for 2 loops; then the pulses stop (lost) while the transport runs on.
$PY - "$TMP/clock.mid" >"$TMP/times" <<'PY'
import sys
from sync_midi import Clock, write
c = Clock()
c.pulses(100, 48, 0.002)
start = c.message([0xfa], before=0.010)
c.pulses(100, 24 * 8 * 3, 0.002)
change = c.t
c.pulses(120, 24 * 8 * 2, 0.002)
write(sys.argv[1], c.events)
print(start, change, c.t)
PY
"$GROOVE" run --headless --no-session --midi-in-file "$TMP/clock.mid" --loops 8 --out-wav "$TMP/d.wav" \
    --midi-out-file "$TMP/dout.mid" --json >"$TMP/json" 2>"$TMP/err"
check "clock in from a file: exits 0 ($(cat "$TMP/err"))" test $? -eq 0
check "clock in: loops settle at 100 +- 0.3 BPM, follow 120, hold it when the clock stops and say so" \
    $PY - "$TMP/json" "$TMP/times" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
start, change, end = map(float, open(sys.argv[2]).read().split())
assert [l['loop'] for l in lines] == list(range(8)), [l['loop'] for l in lines]
assert all(l['sync'] == 'clock' for l in lines)
# Loops 0-2 at 100 (loop 0 starts 2 beats after the first pulse), 3 starts at the change,
# 4 and 5 (8 and 16 beats after it) at 120; the pulses stop as loop 5 ends.
for l in lines[:4]:
    assert abs(l['bpm'] - 100) <= 0.3 and l['sync_lost'] is False, l
for l in lines[4:6]:
    assert abs(l['bpm'] - 120) <= 0.3 and l['sync_lost'] is False, l
for l in lines[6:]:
    assert abs(l['bpm'] - 120) <= 0.3 and l['sync_lost'] is True, l
PY
check "clock in: the first loop starts on the first pulse after Start (clock out's Start, within 2.5 ms)" \
    $PY - "$TMP/dout.mid" "$TMP/times" <<'PY'
import sys
from sync_midi import read, escapes
start = float(open(sys.argv[2]).read().split()[0])
esc = escapes(read(sys.argv[1]))
starts = [t for t, b in esc if b == b'\xfa']
assert len(starts) == 1 and abs(starts[0] - start) <= 0.0025, (starts, start)
PY

# A clock that stops the transport after 2 loops (Stop, no more pulses) with --loops 6: the
# render ends 10 s after the file's last message and says how many loops it played, not 6.
$PY - "$TMP/stop2.mid" <<'PY'
import sys
from sync_midi import Clock, write
c = Clock()
start = c.message([0xfa], before=0.010)
c.pulses(100, 24 * 8 * 2, 0.002)
c.message([0xfc], before=0.0)
write(sys.argv[1], c.events)
PY
"$GROOVE" run --headless --no-session --midi-in-file "$TMP/stop2.mid" --loops 6 --out-wav "$TMP/s2.wav" --json \
    >"$TMP/log" 2>"$TMP/err"
check "a clock that stops after 2 loops: exits 0 ($(cat "$TMP/err"))" test $? -eq 0
check "... 2 loop lines, and the render says 2 loops, not the 6 asked for ($(grep rendered "$TMP/log"))" \
    bash -c "test \$(grep -c '^{' '$TMP/log') -eq 2 && grep -q '^groove: rendered 2 loops ' '$TMP/log'"

# Notes and clock in one file: the notes are taps at their places on the clock's grid (8 a loop,
# on the beats of loops 1 and 2).
$PY - "$TMP/notes.mid" <<'PY'
import sys
from sync_midi import Clock, write
c = Clock()
c.pulses(100, 48, 0.002)
start = c.message([0xfa], before=0.010)
c.pulses(100, 24 * 8 * 4, 0.002)
beat = 60 / 100
notes = [(start + (8 + i) * beat, [0x99, 38, 100], 'ch') for i in range(16)]
write(sys.argv[1], c.events + notes)
PY
"$GROOVE" run --headless --no-session --midi-in-file "$TMP/notes.mid" --loops 4 --out-wav "$TMP/n.wav" --json \
    >"$TMP/json" 2>"$TMP/err"
check "notes and clock from a file: exits 0 ($(cat "$TMP/err"))" test $? -eq 0
check "the file's notes are taps on the clock's beats (8 in each of loops 1 and 2, within 3 ms)" $PY - "$TMP/json" <<'PY'
import json, sys
lines = {l["loop"]: l for l in (json.loads(x) for x in open(sys.argv[1]) if x.startswith("{"))}
# each line reports the taps of the loop before it
for loop in (2, 3):
    l = lines[loop]
    assert l["taps"] == 8 and abs(l["tap_mean_ms"]) <= 3 and l["tap_std_ms"] <= 3, l
assert lines[3]["taps_total"] == 16, lines[3]
PY

# Stop mid-bar, Song Position Pointer 40 (16ths: loop 1, step 8), Continue: the transport stops,
# then continues from there; clock out says the same.
$PY - "$TMP/spp.mid" >"$TMP/times" <<'PY'
import sys
from sync_midi import Clock, write
c = Clock()
c.pulses(120, 24)
start = c.message([0xfa])
c.pulses(120, 24 * 6 + 9)            # 6 beats and 9 pulses: stop in the middle of a bar
stop = c.message([0xfc])
c.pulses(120, 48)
c.message([0xf2, 40, 0], before=0.008)
cont = c.message([0xfb])
c.pulses(120, 24 * 8 * 2)
c.message([0xfc])
c.pulses(120, 24)
write(sys.argv[1], c.events)
print(start, stop, cont)
PY
"$GROOVE" run --headless --no-session --midi-in-file "$TMP/spp.mid" --loops 4 --out-wav "$TMP/e.wav" \
    --midi-out-file "$TMP/eout.mid" --json >"$TMP/json" 2>"$TMP/err"
check "Stop / SPP / Continue from a file: exits 0 ($(cat "$TMP/err"))" test $? -eq 0
check "clock out follows: Start, Stop mid-bar, SPP 40 + Continue on the pulse, Stop" $PY - "$TMP/eout.mid" "$TMP/times" <<'PY'
import sys
from sync_midi import read, escapes
start, stop, cont = map(float, open(sys.argv[2]).read().split())
esc = [(t, b) for t, b in escapes(read(sys.argv[1])) if b != b'\xf8']
kinds = [b for t, b in esc]
assert kinds == [b'\xfa', b'\xfc', b'\xf2\x28\x00', b'\xfb', b'\xfc'], kinds
assert abs(esc[0][0] - start) < 0.001
assert stop - 0.005 - 256 / 48000 <= esc[1][0] <= stop - 0.005, (esc[1][0], stop)  # the block the Stop came in
assert abs(esc[3][0] - cont) < 0.006, (esc[3][0], cont)              # SPP and Continue at the block of the pulse
pulses = [t for t, b in escapes(read(sys.argv[1])) if b == b'\xf8']
after = [t for t in pulses if t > esc[3][0]]
assert abs(after[0] - cont) < 0.001, (after[0], cont)                 # the first pulse on the pulse it followed
PY
check "the loop lines continue from the Song Position (loop 1 after loop 0, then 2)" $PY - "$TMP/json" <<'PY'
import json, sys
loops = [json.loads(l)['loop'] for l in open(sys.argv[1]) if l.startswith('{')]
assert loops[:3] == [0, 1, 2], loops
PY

# --- Usage errors and bad input: one line, status 2 (usage) or 1.
bad() {
    local want=$1 what=$2; shift 2
    "$GROOVE" "$@" >/dev/null 2>"$TMP/err" </dev/null
    local rc=$?
    check "$what: status $want (got $rc)" test "$rc" -eq "$want"
    check "$what: one 'groove:' line on stderr ($(head -1 "$TMP/err"))" \
        bash -c "test \$(wc -l <'$TMP/err') -eq 1 && grep -q '^groove: ' '$TMP/err'"
}
bad 2 "--link with --clock-in" run --headless --link --clock-in x
bad 2 "--audio-offset out of range" run --headless --audio-offset 80
bad 2 "--midi-offset not a number" run --headless --midi-offset soon
bad 2 "--bpm-at without a colon" run --headless --bpm-at 3
bad 2 "--bpm-at with a bad tempo" run --headless --bpm-at 3:fast
bad 2 "--midi-out-file without --headless" run --midi-out-file "$TMP/x.mid"
bad 2 "--link with --out-wav" run --headless --link --out-wav "$TMP/x.wav"
bad 1 "a missing --midi-in-file" run --headless --no-session --midi-in-file "$TMP/none.mid" --loops 1
bad 1 "an unknown clock input" run --headless --no-session --midi-in none --clock-in no-such-port --loops 1
bad 1 "an unknown clock output" run --headless --no-session --midi-in none --clock-out no-such-port --loops 1
bad 1 "--link with a clock in the --midi-in-file" run --headless --no-session --link --midi-in-file "$TMP/clock.mid" --loops 1
bad 1 "--clock-in with a clock in the --midi-in-file (two clocks)" run --headless --no-session --midi-in none \
    --clock-in no-such-port --midi-in-file "$TMP/clock.mid" --loops 1
check "... refused as two tempo sources, before any port is looked for ($(cat "$TMP/err"))" \
    grep -q "^groove: one tempo source at a time: --clock-in 'no-such-port', or the MIDI clock in" "$TMP/err"
bad 1 "an unwritable --midi-out-file" run --headless --play-groove "$GROOVE_MID" --loops 1 --out-wav "$TMP/y.wav" \
    --midi-out-file "$TMP/no/dir/x.mid"
"$GROOVE" run --headless --no-session --midi-in none --loops 1 --midi-out-file "$TMP/no/dir/x.mid" >"$TMP/log" 2>"$TMP/err"
rc=$?
check "an unwritable --midi-out-file in real time is said before the run, not after it ($rc: $(cat "$TMP/err"))" \
    bash -c "test $rc -eq 1 && ! grep -q '^loop ' '$TMP/log' && grep -q \"^groove: cannot write '$TMP/no/dir/x.mid'\" '$TMP/err'"
# --midi-in-file notes are MIDI taps: with --tap-sound note (the default) a kick note (35) sounds
# the kick, as from a port, not the closed hat of a computer key.
{
    printf 'MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0MTrk\x00\x00\x00\x53'
    printf '\x00\xff\x51\x03\x07\xa1\x20'
    for ((i = 0; i < 8; i++)); do printf '\x00\x99\x23\x64\x83\x60\x89\x23\x00'; done
    printf '\x00\xff\x2f\x00'
} >"$TMP/kicks.mid"
for s in note kick closed_hat; do
    "$GROOVE" run --headless --no-session --midi-in-file "$TMP/kicks.mid" --bpm 120 --loops 1 --tap-sound $s \
        --out-wav "$TMP/tap_$s.wav" >/dev/null 2>"$TMP/tap_$s.err"
done
check "--midi-in-file kick notes with --tap-sound note sound the kick ($(cat "$TMP/tap_note.err"))" \
    bash -c "test -s '$TMP/tap_note.wav' && cmp -s '$TMP/tap_note.wav' '$TMP/tap_kick.wav' && ! cmp -s '$TMP/tap_note.wav' '$TMP/tap_closed_hat.wav'"
finish
