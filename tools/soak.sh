#!/usr/bin/env bash
# soak.sh - the instrument left running: headless, a GMD groove fed as live taps at 300 BPM,
# the model regenerating every loop (and after every tap), for SOAK_SECONDS (default 180).
# Checks that resident memory stays flat (growth after warm-up under SOAK_RSS_SLACK_KB,
# default 2048 kB) and that no xrun happened (SOAK_MAX_XRUNS, default 0). Uses a JACK dummy
# server when jackd is there (a real audio callback; period SOAK_PERIOD, default 1024 frames),
# else groove's silent real-time clock. Not niced: the audio thread must run on time, and the
# whole run costs a few per cent of one core. Part of `make bench`.
#   SOAK_SECONDS=600 bash tools/soak.sh
set -u
cd "$(dirname "$0")/.."
seconds=${SOAK_SECONDS:-180}
slack=${SOAK_RSS_SLACK_KB:-2048}
period=${SOAK_PERIOD:-1024}   # JACK frames per period: 21 ms at 48 kHz
max_xruns=${SOAK_MAX_XRUNS:-0}
groove_mid=../shared/data/gmd/drummer1/session1/1_funk_80_beat_4-4.mid
[ -f "$groove_mid" ] || { echo "soak: missing $groove_mid"; exit 1; }
[ -x ./groove ] || { echo "soak: build ./groove first (make)"; exit 1; }
tmp=$(mktemp -d)
jack_pid=
cleanup() { [ -n "$jack_pid" ] && kill "$jack_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

audio_args=()
if command -v jackd >/dev/null; then
    name="groove-soak-$$"
    # Real-time scheduling where the system allows it (root, rtprio), else without.
    for rt in -R --no-realtime; do
        JACK_NO_AUDIO_RESERVATION=1 jackd $rt -n "$name" -d dummy -r 48000 -p "$period" >"$tmp/jack.log" 2>&1 &
        jack_pid=$!
        sleep 2
        kill -0 "$jack_pid" 2>/dev/null && break
        jack_pid=
    done
    if [ -n "$jack_pid" ]; then
        export JACK_DEFAULT_SERVER=$name
        audio_args=(--audio-device system --buffer "$period")
    else
        jack_pid=
    fi
fi
# 300 BPM: a 2-bar loop lasts 1.6 s.
loops=$(( seconds * 10 / 16 ))
echo "soak: $seconds s, $loops loops at 300 BPM, audio: ${audio_args[*]:-silent clock}${jack_pid:+ (jackd $rt, period $period)}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
XDG_STATE_HOME="$tmp/state" ./groove run --headless --no-session --midi-in none "${audio_args[@]}" \
    --play-groove "$groove_mid" --bpm 300 --loops "$loops" >"$tmp/out" 2>"$tmp/err"
rc=$?
head -3 "$tmp/out"
echo "..."
tail -3 "$tmp/out"
[ $rc -eq 0 ] || { echo "soak: groove exited $rc: $(cat "$tmp/err")"; exit 1; }
# RSS after warm-up (loop 10) against the end; xruns and generations from the last line.
rss_warm=$(awk '/^loop 10:/ {for (i = 1; i <= NF; i++) if ($i == "rss") print $(i + 1)}' "$tmp/out")
rss_end=$(awk '/^loop / {for (i = 1; i <= NF; i++) if ($i == "rss") r = $(i + 1)} END {print r}' "$tmp/out")
xruns=$(awk '/^groove: done/ {for (i = 1; i <= NF; i++) if ($i == "xruns") print $(i + 1)}' "$tmp/out" | tr -d ,)
gens=$(awk '/^groove: done/ {print $5}' "$tmp/out")
max_gen=$(awk '/^groove: done/ {for (i = 1; i <= NF; i++) if ($i == "max" && $(i + 1) == "gen") print $(i + 2)}' "$tmp/out")
growth=$(( ${rss_end:-0} - ${rss_warm:-0} ))
echo "soak: $loops loops, $gens generations, max generation $max_gen us, xruns $xruns, rss $rss_warm -> $rss_end kB (growth $growth kB)"
status=0
[ -n "$rss_warm" ] && [ "$growth" -le "$slack" ] || { echo "soak: FAIL memory grew by $growth kB (allowed $slack)"; status=1; }
[ -n "$xruns" ] && [ "$xruns" -le "$max_xruns" ] || { echo "soak: FAIL ${xruns:-?} xruns (allowed $max_xruns)"; status=1; }
[ "${gens:-0}" -ge "$loops" ] || { echo "soak: FAIL fewer generations ($gens) than loops ($loops)"; status=1; }
[ $status -eq 0 ] && echo "soak: ok"
exit $status
