#!/usr/bin/env bash
# t_jack.sh - the real device path, headless: a private JACK dummy server (no sound card
# needed), ALSA's default PCM routed into it through a file tee (an ALSA config this test
# writes, ALSA_CONFIG_PATH), and 4 bars (2 loops) of closed-hat quarter notes at 120 bpm through
# PortAudio by `groove render --play`. The captured audio must hold the 16 onsets 24000 frames
# apart (0.5 s at 48 kHz) and the engine must report no xrun. Everything runs under timeouts
# and the server is stopped on exit.
source "$(dirname "$0")/lib.sh"

JACKD=$(command -v jackd)
PLUGIN=/usr/lib/x86_64-linux-gnu/alsa-lib/libasound_module_pcm_jack.so
check "jackd is installed (jackd2; make deps-test)" test -n "$JACKD"
check "ALSA's JACK plugin is installed (libasound2-plugins)" test -e "$PLUGIN"
check "sox is installed" test -n "$(command -v sox)"
if [ -z "$JACKD" ] || [ ! -e "$PLUGIN" ] || ! command -v sox >/dev/null; then
    finish
    exit 1
fi

# A private server: its own name, never auto-started by a client.
export JACK_DEFAULT_SERVER="groove-test-$$"
export JACK_NO_START_SERVER=1
export JACK_NO_AUDIO_RESERVATION=1
jack_pid=
cleanup() {
    if [ -n "$jack_pid" ] && kill -0 "$jack_pid" 2>/dev/null; then
        kill "$jack_pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$jack_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$jack_pid" 2>/dev/null
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

timeout 120 "$JACKD" --no-realtime -d dummy -r 48000 -p 256 >"$TMP/jackd.log" 2>&1 &
jack_pid=$!
ready=0
for _ in $(seq 100); do
    if timeout 5 jack_lsp 2>/dev/null | grep -q '^system:playback_1$'; then ready=1; break; fi
    kill -0 "$jack_pid" 2>/dev/null || break
    sleep 0.1
done
check "private JACK dummy server is up ($JACK_DEFAULT_SERVER)" test "$ready" -eq 1
if [ "$ready" -ne 1 ]; then
    sed 's/^/    jackd: /' "$TMP/jackd.log" | tail -5
    finish
    exit 1
fi

# ALSA: default -> plug -> file tee (raw capture) -> the JACK server.
cat >"$TMP/asound.conf" <<EOF
pcm.!default {
    type plug
    slave.pcm "groove_tee"
}
pcm.groove_tee {
    type file
    slave.pcm "groove_jack"
    file "$TMP/capture.raw"
    format "raw"
}
pcm.groove_jack {
    type jack
    playback_ports {
        0 system:playback_1
        1 system:playback_2
    }
}
EOF

# Two bars of closed hat (GM 42) on every quarter note, 120 bpm, PPQ 96: a MIDI file by hand.
track() {
    printf '\x00\xff\x51\x03\x07\xa1\x20'            # tempo 500000 us per quarter
    printf '\x00\xff\x58\x04\x04\x02\x18\x08'        # 4/4
    for i in 0 1 2 3 4 5 6 7; do
        [ "$i" -eq 0 ] && printf '\x00' || printf '\x48'  # delta: 0, then 72 ticks
        printf '\x99\x2a\x64'                         # note on, channel 10, note 42, velocity 100
        printf '\x18\x89\x2a\x00'                     # 24 ticks later: note off
    done
    printf '\x00\xff\x2f\x00'
}
track >"$TMP/track.bin"
len=$(stat -c %s "$TMP/track.bin")
{
    printf 'MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60'
    printf 'MTrk'
    printf "\\x$(printf %02x $((len >> 24 & 255)))\\x$(printf %02x $((len >> 16 & 255)))"
    printf "\\x$(printf %02x $((len >> 8 & 255)))\\x$(printf %02x $((len & 255)))"
    cat "$TMP/track.bin"
} >"$TMP/hats.mid"

ALSA_CONFIG_PATH="$TMP/asound.conf" timeout 60 "$GROOVE" render "$TMP/hats.mid" --play --loops 2 \
    --device default --frames 256 >"$TMP/play.out" 2>"$TMP/play.err"
rc=$?
sed 's/^/    /' "$TMP/play.out" "$TMP/play.err"
check "groove render --play through ALSA default -> JACK exits 0" test "$rc" -eq 0
check "it played through ALSA's default device" grep -q '^device: ALSA: default' "$TMP/play.out"
check "it played 2 loops (4 bars)" grep -q '^played 2 loops' "$TMP/play.out"
check "the engine reported no xrun" grep -q ', 0 xruns,' "$TMP/play.out"

# The tee wrote what PortAudio played: raw float32 stereo at 48 kHz (what ALSA's JACK plugin
# takes). Onsets as lib.sh's onset_frames finds them.
bytes=$(stat -c %s "$TMP/capture.raw" 2>/dev/null || echo 0)
check "the file tee captured audio ($bytes bytes)" test "$bytes" -gt 1000000
onset_frames -t raw -r 48000 -e floating-point -b 32 -c 2 "$TMP/capture.raw" >"$TMP/onsets"
count=$(wc -l <"$TMP/onsets")
echo "    onsets at frames: $(tr '\n' ' ' <"$TMP/onsets")"
check "16 onsets captured: 4 bars of quarter notes (got $count)" test "$count" -eq 16
spacing_ok=$(awk 'NR > 1 { d = $1 - prev; if (d < 23998 || d > 24002) bad++ } { prev = $1 }
                  END { print (NR == 16 && bad == 0) ? 1 : 0 }' "$TMP/onsets")
check "onsets 24000 frames apart (0.5 s at 120 bpm), within 2 frames" test "$spacing_ok" -eq 1

# A missing device is reported in one line and is not a crash.
ALSA_CONFIG_PATH="$TMP/asound.conf" timeout 30 "$GROOVE" render "$TMP/hats.mid" --play --loops 1 \
    --device no-such-device >/dev/null 2>"$TMP/nodev.err"
rc=$?
check "an unknown device: exit 1 with one line ($(head -1 "$TMP/nodev.err"))" \
    test "$rc" -eq 1 -a "$(wc -l <"$TMP/nodev.err")" -eq 1
finish
