#!/usr/bin/env bash
# t_tui_practice.sh - the practice keys through tmux as a person would (no audio device, no
# MIDI): the practice line (click, count-in, respond, latency), `M` click, `N` count-in, `T`
# respond, the practice line (latency keys/MIDI, the last loop's taps: count, mean, spread),
# with the click on a tap does not start the transport, space starts it with a
# count-in, taps fill the timing line (in the message line when no message shows) and the
# per-step view (TM, on the playhead's line), `r` draws a new variation,
# `D` calibrates the keys from 12 taps and saves the result in the config, the help overlay
# tells all this, and quitting prints the summary; at 60x20 the practice line keeps the taps.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
export LC_ALL=C.UTF-8 LANG=C.UTF-8

SOCK="groove-t-tui-practice-$$"
tm() { tmux -u -L "$SOCK" "$@"; }
cleanup() {
    tm kill-server >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT
command -v tmux >/dev/null || { fail "tmux is installed (make deps-test)"; finish; exit; }

mkdir -p "$TMP/home" "$TMP/state" "$TMP/config"
RUN_ENV="env LC_ALL=C.UTF-8 LANG=C.UTF-8 XDG_STATE_HOME=$TMP/state XDG_CONFIG_HOME=$TMP/config HOME=$TMP/home TERM=xterm-256color"
screen() { tm capture-pane -p -t groove 2>/dev/null; }
wait_for() {
    local i
    for ((i = 0; i < $2 * 5; i++)); do
        screen | grep -qE -- "$1" && return 0
        sleep 0.2
    done
    return 1
}
key() { tm send-keys -t groove "$@"; }

tm new-session -d -s groove -x 80 -y 24 \
    "$RUN_ENV $GROOVE run --midi-in none --no-session --bpm 120 --count-in 1 2>$TMP/stderr; echo \$? >$TMP/rc; sleep 60"
check "the practice line: click off, count-in 1, respond loop, latency" \
    wait_for "click off +count-in 1 +respond loop +latency 0/0 ms" 10
key M
check "M: the click on" wait_for "click on" 3
key N
check "N: count-in 2" wait_for "count-in 2 bars" 3
key N N
check "N N: count-in 1 (0, 1, 2 cycle)" wait_for "count-in 1 bar$" 3
key T
check "T: respond bar" wait_for "takes over at the next bar" 3
key T
check "T: respond beat" wait_for "takes over at the next beat" 3
key T
check "T: back to respond loop" wait_for "takes over at the next loop" 3
check "the practice line when the message has faded: click on, count-in 1, respond loop" \
    wait_for "click on +count-in 1 +respond loop" 8
key a
sleep 0.5
check "with the click on, a tap while stopped does not start the transport" bash -c "tmux -u -L $SOCK capture-pane -p -t groove | head -1 | grep -q STOP"
key Space
check "space starts it" wait_for "> PLAY" 3
sleep 2.2   # the count-in bar at 120 BPM
for i in 1 2 3 4 5 6 7 8; do
    key d
    sleep 0.25
done
check "the taps give the timing line (taps, ms, spread)" wait_for "taps [0-9]+ [-+][0-9.]+ ms ±[0-9.]+" 8
check "and the per-step marks under the grid (TM)" bash -c "tmux -u -L $SOCK capture-pane -p -t groove | grep -E '^TM ' | grep -qE '[<>=]'"
key r
check "r: a new variation now" wait_for "new variation 1" 3
key D
check "D: calibrating" wait_for "calibration: tap on the click.s beats" 3
for i in $(seq 12); do
    key f
    sleep 0.3
done
check "12 taps: the keys' latency measured and saved" wait_for "keys latency -?[0-9.]+ ms \\(spread [0-9.]+ ms, 12 taps\\): saved" 5
check "in \$XDG_CONFIG_HOME/groove/config" grep -qE '^input_latency_keys_ms=-?[0-9.]+$' "$TMP/config/groove/config"
key ?
check "the help tells the practice keys" wait_for "M +click on / off +N +count-in" 3
check "  and calibration" wait_for "calibrate keys/MIDI latency" 1
key Escape
sleep 0.6   # a lone Escape waits for the rest of a sequence (ESCDELAY)
key q
sleep 0.3
key q
check "quits" wait_for "^groove: [0-9]+ loops, [0-9]+ taps, [0-9]+ ms (late|early) on average, spread [0-9]+ ms|on time on average" 5
check "exit status 0" bash -c "sleep 0.5; [ \"\$(cat $TMP/rc 2>/dev/null)\" = 0 ]"
# --calibrate in the terminal starts a calibration as D does
tm kill-session -t groove >/dev/null 2>&1
tm new-session -d -s groove -x 80 -y 24 \
    "$RUN_ENV $GROOVE run --midi-in none --no-session --bpm 120 --calibrate 2>$TMP/stderr; sleep 60"
check "--calibrate: the calibration runs from the start" wait_for "calibration: tap on the click.s beats|CALIBRATING" 10
check "  with the transport playing" wait_for "> PLAY" 3
# 60x20: the practice line drops fields from its end to fit, and the taps are not among them
tm kill-session -t groove >/dev/null 2>&1
tm new-session -d -s groove -x 60 -y 20 \
    "$RUN_ENV $GROOVE run --midi-in none --no-session --bpm 120 --click 2>$TMP/stderr; sleep 60"
wait_for "groove" 10
key Space
sleep 2.2
for i in 1 2 3 4 5 6 7 8; do
    key d
    sleep 0.25
done
check "60x20: the practice line keeps the last loop's taps" wait_for "respond loop taps [0-9]+ [-+][0-9.]+ ms ±[0-9.]+" 10
finish
