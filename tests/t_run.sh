#!/usr/bin/env bash
# t_run.sh - `groove run --headless` and `groove devices`: the instrument core without a
# terminal. Offline renders (MIDI file in -> WAV and MIDI out) are complete and repeatable; a
# short real-time run prints a line per loop; bad input gives one line on stderr and status 1.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
GROOVE_MID="$SHARED/data/gmd/drummer1/session1/1_funk_80_beat_4-4.mid"
export XDG_STATE_HOME="$TMP/state" HOME="$TMP/home"

check "the GMD groove file is there" test -f "$GROOVE_MID"

# Offline: a MIDI file played as taps, rendered to WAV and MIDI.
out=$("$GROOVE" run --headless --play-groove "$GROOVE_MID" --bpm 140 --loops 4 --out-wav "$TMP/a.wav" --out-mid "$TMP/a.mid" 2>"$TMP/err")
rc=$?
check "offline render exits 0 ($out)" test "$rc" -eq 0
check "offline render prints nothing on stderr" test ! -s "$TMP/err"
check "it wrote a WAV" test -s "$TMP/a.wav"
check "it wrote a MIDI file" test -s "$TMP/a.mid"
# 4 loops at 140 BPM = 4 * 8 beats * 60/140 s = 13.71 s, plus nothing after: 48 kHz stereo 16-bit.
frames=$(( ($(stat -c %s "$TMP/a.wav") - 44) / 4 ))
check "the WAV lasts 4 loops at 140 BPM ($frames frames ~ 658286)" test "$frames" -ge 658000 -a "$frames" -le 659000
if command -v sox >/dev/null; then
    peak=$(sox "$TMP/a.wav" -n stat 2>&1 | awk '/Maximum amplitude/ {print $3}')
    check "the WAV is not silent (peak $peak)" awk -v p="$peak" 'BEGIN { exit !(p > 0.01) }'
else
    fail "sox is installed (make deps-test)"
fi
shown=$("$GROOVE" show "$TMP/a.mid" 2>&1)
check "the MIDI file reads back as drums" bash -c "echo \"\$0\" | grep -qE '[0-9]+ hits'" "$shown"
"$GROOVE" run --headless --play-groove "$GROOVE_MID" --bpm 140 --loops 4 --out-wav "$TMP/b.wav" >/dev/null 2>&1
check "offline renders are repeatable (identical WAVs)" cmp -s "$TMP/a.wav" "$TMP/b.wav"
check "offline renders touch no session" test ! -e "$TMP/state/groove/session"

# Real time, headless: the silent clock (or a device), a line per loop.
out=$(timeout 60 "$GROOVE" run --headless --no-session --midi-in none --play-groove "$GROOVE_MID" --bpm 300 --loops 2 2>"$TMP/err")
rc=$?
check "real-time headless run exits 0" test "$rc" -eq 0
check "it prints a line per loop" bash -c "echo \"\$0\" | grep -q '^loop 2: generations [1-9]'" "$out"
check "it reports xruns and memory" bash -c "echo \"\$0\" | grep -qE 'xruns [0-9]+.*rss [0-9]+ kB'" "$out"
check "the model ran every loop" bash -c "echo \"\$0\" | grep -qE '^groove: done: 2 loops, [1-9][0-9]* generations'" "$out"

# Headless with a corrupt session file: it is set aside and says so, as the TUI does.
printf 'groove-session 1\nbpm x\n' >"$TMP/bad.session"
out=$(timeout 60 "$GROOVE" run --headless --midi-in none --session "$TMP/bad.session" --loops 0 2>"$TMP/err")
check "headless: a corrupt session is reported ($(echo "$out" | grep -m1 'set aside'))" \
    bash -c "echo \"\$0\" | grep -q 'session file unreadable.*set aside as'" "$out"
check "headless: ... and set aside" test -n "$(ls "$TMP"/bad.session.corrupt-* 2>/dev/null)"

# --play-groove (a demo) leaves the autosaved session alone; with --session it records there.
mkdir -p "$XDG_STATE_HOME/groove"
timeout 60 "$GROOVE" run --headless --midi-in none --play-groove "$GROOVE_MID" --bpm 300 --loops 1 \
    --session "$XDG_STATE_HOME/groove/session" >/dev/null 2>&1
check "--play-groove --session FILE records into that session" grep -q '^tap ' "$XDG_STATE_HOME/groove/session"
cp "$XDG_STATE_HOME/groove/session" "$TMP/session.before"
OTHER_MID="$SHARED/data/gmd/drummer1/session1/100_neworleans-secondline_94_beat_4-4.mid"
timeout 60 "$GROOVE" run --headless --midi-in none --play-groove "$OTHER_MID" --bpm 300 --loops 1 >/dev/null 2>&1
check "--play-groove without --session does not overwrite the autosaved session" \
    cmp -s "$XDG_STATE_HOME/groove/session" "$TMP/session.before"

# Devices.
out=$("$GROOVE" devices 2>"$TMP/err")
check "groove devices exits 0" test $? -eq 0
check "it lists audio outputs and MIDI ports" bash -c "echo \"\$0\" | grep -q 'audio outputs:' && echo \"\$0\" | grep -q 'MIDI ports:'" "$out"

# Bad input: one line on stderr, status 1 (2 for usage errors: options and their values).
bad() {
    local want=$1 what=$2; shift 2
    "$GROOVE" "$@" >/dev/null 2>"$TMP/err" </dev/null
    local rc=$?
    check "$what: status $want (got $rc)" test "$rc" -eq "$want"
    check "$what: one line on stderr" test "$(wc -l <"$TMP/err")" -eq 1
    check "$what: it starts with 'groove:'" grep -q '^groove: ' "$TMP/err"
}
bad 1 "missing --play-groove file" run --headless --play-groove "$TMP/none.mid"
printf 'MThd garbage' >"$TMP/bad.mid"
bad 1 "malformed --play-groove file" run --headless --play-groove "$TMP/bad.mid"
bad 2 "--bpm out of range" run --headless --bpm 9000
bad 2 "--bpm not a number" run --headless --bpm fast
bad 2 "unknown option" run --headless --frob
bad 2 "option without a value" run --headless --loops
bad 1 "unknown audio device" run --headless --no-session --audio-device no-such-device --loops 1
check "unknown audio device: it does not claim to run silent ($(cat "$TMP/err"))" test -z "$(grep 'running silent' "$TMP/err")"
bad 1 "unknown MIDI input" run --headless --no-session --midi-in no-such-port --loops 1
bad 1 "unknown MIDI output" run --headless --no-session --midi-out no-such-port --loops 1
bad 1 "unknown kit" run --headless --kit "$TMP/no-kit" --out-wav "$TMP/x.wav"
bad 1 "a file that is not a model" run --headless --model /etc/hostname --out-wav "$TMP/x.wav"
bad 1 "a model file that does not exist" run --headless --model "$TMP/none.gtm" --out-wav "$TMP/x.wav"
bad 1 "unwritable WAV" run --headless --play-groove "$GROOVE_MID" --out-wav "$TMP/no/dir/x.wav"
bad 1 "no terminal" run
bad 2 "--out-wav without --headless" run --out-wav "$TMP/x.wav"
# --json: one JSON object per loop, every documented key present (docs/instrument.md).
"$GROOVE" run --headless --no-session --midi-in none --play-groove "$GROOVE_MID" --out-wav "$TMP/j.wav" \
    --loops 3 --json >"$TMP/json" 2>"$TMP/err"
check "--json offline render exits 0" test $? -eq 0
check "--json: one object per loop (3 lines)" test "$(grep -c '^{' "$TMP/json")" -eq 3
check "--json lines parse and carry the documented keys" /usr/bin/python3 - "$TMP/json" <<'PY'
import json, sys
keys = {"loop", "bpm", "sync", "link_peers", "link_beat", "generations", "gen_us", "gen_max_us", "hits",
        "changed_cells", "taps", "taps_total", "tap_mean_ms", "tap_std_ms", "section", "xruns", "rss_kb",
        "input", "memory", "sync_lost", "tap_beat_ms"}
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
assert [l["loop"] for l in lines] == [0, 1, 2], lines
for l in lines:
    assert keys <= set(l), keys - set(l)
    assert l["sync"] == "internal" and l["bpm"] == 80.0
assert lines[0]["changed_cells"] is None and isinstance(lines[1]["changed_cells"], int)
assert all(l["input"] == "drums" for l in lines), "a GMD file on channel 10 is drums"
assert all(isinstance(l["memory"], bool) for l in lines)
assert all(len(l["tap_beat_ms"]) == 8 for l in lines)
PY
"$GROOVE" run --headless --no-session --midi-in none --play-groove "$GROOVE_MID" --out-wav "$TMP/k.wav" \
    --loops 2 --json --input keys >"$TMP/json" 2>"$TMP/err"
check "--input keys: the model hears keys" grep -q '"input":"keys"' "$TMP/json"
bad 2 "unknown --input kind" run --headless --no-session --input guitar --loops 1
bad 2 "--json without --headless" run --json
finish
