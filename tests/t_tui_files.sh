#!/usr/bin/env bash
# t_tui_files.sh - the TUI items of issue 11 through tmux, as a person would use them (a private
# tmux server, keys by send-keys, the screen by capture-pane): K steps through the kits of
# `groove kits` without a restart.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
export LC_ALL=C.UTF-8 LANG=C.UTF-8

SOCK="groove-t-tui-files-$$"
tm() { tmux -u -L "$SOCK" "$@"; }
cleanup() {
    tm kill-server >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p "$TMP/state" "$TMP/home" "$TMP/data/groove/kits/MyKit"
RUN_ENV="env LC_ALL=C.UTF-8 LANG=C.UTF-8 XDG_STATE_HOME=$TMP/state XDG_DATA_HOME=$TMP/data HOME=$TMP/home TERM=xterm-256color"
screen() { tm capture-pane -p -t groove 2>/dev/null; }
wait_for() {
    local i
    for ((i = 0; i < $2 * 5; i++)); do
        screen | grep -qE -- "$1" && return 0
        sleep 0.2
    done
    return 1
}
# start COLS ROWS [ARGS...]: groove in a fresh tmux session of that size.
start() {
    local cols=$1 rows=$2
    shift 2
    tm kill-session -t groove >/dev/null 2>&1
    rm -f "$TMP/rc"
    tm new-session -d -s groove -x "$cols" -y "$rows" \
        "$RUN_ENV $GROOVE run --midi-in none $* 2>$TMP/stderr; echo \$? >$TMP/rc; sleep 60"
}

command -v tmux >/dev/null || { fail "tmux is installed (make deps-test)"; finish; exit; }
tm new-session -d -s keeper -x 80 -y 24 "sleep 600"

# ---- K: the next kit, while the instrument runs ----------------------------------------------
sox -n -r 48000 -b 16 "$TMP/data/groove/kits/MyKit/kick.wav" synth 0.2 sine 60 fade 0 0.2 0.19 2>/dev/null
n=$(env XDG_DATA_HOME="$TMP/data" HOME="$TMP/home" "$GROOVE" kits | wc -l)
start 80 24
check "the instrument starts" wait_for '^GR ' 10
tm send-keys -t groove K
check "K switches to the next kit of groove kits: MyKit, kit 2 of $n" wait_for "kit 2 of $n: MyKit, 1 of 9 voices" 10
# The engine takes a kit at its next audio block: until then (the audio device still opening in
# the background, as on a machine with no sound card) K says the switch is still under way and
# changes nothing, so the key is pressed again after that message, as a player would.
k_again() {
    local try
    for try in 1 2 3 4 5 6 7 8 9 10; do
        tm send-keys -t groove K
        wait_for "kit 3 of $n: |still under way" 10 || return 1
        screen | grep -q "kit 3 of $n: " && return 0
        sleep 1   # the next K's message replaces this one
    done
    return 1
}
check "K again: the kit after it" k_again
tm send-keys -t groove Space
check "it plays on after switching" wait_for '> PLAY' 5
tm send-keys -t groove A
check "A: taps sound the click" wait_for 'taps sound: click' 5
tm send-keys -t groove A
check "A again: taps sound nothing" wait_for 'taps sound: none' 5
tm send-keys -t groove A
check "A again: taps sound the kick" wait_for 'taps sound: kick' 5
tm send-keys -t groove q
tm send-keys -t groove q

# ---- a kit with a missing sample: the rest plays, the screen says what was left out ------------
mkdir -p "$TMP/holes"
cp "$ROOT/samples/kick.wav" "$TMP/holes/kick.wav"
cat >"$TMP/holes/drumkit.xml" <<'XML'
<drumkit_info><name>Holes</name><instrumentList>
<instrument><name>Kick</name><layer><filename>kick.wav</filename></layer></instrument>
<instrument><name>Snare</name><layer><filename>gone.wav</filename></layer></instrument>
</instrumentList></drumkit_info>
XML
start 80 24 --no-session --kit "$TMP/holes"
check "a kit with a missing sample starts (the rest of it plays)" wait_for '^GR ' 10
check "... and the screen says what was left out" wait_for "kit 'Holes': left out 1 instrument whose samples are missing" 5
tm send-keys -t groove C-c

# ---- papercuts: ^S over an existing file asks, Alt+key is not the key, a fill says so ----------
start 80 24 --no-session
check "the instrument starts again" wait_for '^GR ' 10
printf 'precious\n' >"$TMP/home/taken.session"
tm send-keys -t groove C-s C-u
tm send-keys -t groove -l "$TMP/home/taken.session"
tm send-keys -t groove Enter
check "^S over an existing file asks first" wait_for 'exists: y overwrites it' 3
tm send-keys -t groove n
check "... any other key keeps it" wait_for 'not saved: .* kept as it was' 3
check "... untouched" grep -qx precious "$TMP/home/taken.session"
tm send-keys -t groove C-s C-u
tm send-keys -t groove -l "$TMP/home/taken.session"
tm send-keys -t groove Enter
wait_for 'exists: y overwrites it' 3
tm send-keys -t groove y
check "... y overwrites it" wait_for 'saved over ' 3
check "... with the session" grep -q '^groove-session' "$TMP/home/taken.session"
tm send-keys -t groove M-q
check "Alt+q is not q: the instrument says so and keeps running" wait_for 'Alt\+q does nothing' 3
sleep 0.5
check "... it has not quit" test ! -s "$TMP/rc"
tm send-keys -t groove M-x
check "Alt+x sets no hit" wait_for 'Alt\+x does nothing' 3
for k in a s d f g h; do tm send-keys -t groove "$k"; sleep 0.1; done
tm send-keys -t groove i
check "while a fill plays the status line says FILL" wait_for '^groove > PLAY +FILL ' 20
tm send-keys -t groove C-c
out=$(env XDG_STATE_HOME="$TMP/state" HOME="$TMP/home" "$GROOVE" run --headless --no-session --loops 1 --midi-in none 2>&1 | head -1)
check "headless does not say the keyboard plays ($out)" bash -c '! grep -q "keyboard" <<<"$0" && grep -q "no MIDI input" <<<"$0"' "$out"

# ---- long messages: wrapped, and kept on a key (H) ----------------------------------------------
# A corrupt session under a long state path: the message says why and where it was set aside.
LONG="$TMP/a-rather-long-folder-name-for-the-state/of-the-groove-instrument"
mkdir -p "$LONG/groove"
printf 'not a session at all\n' >"$LONG/groove/session"
tm kill-session -t groove >/dev/null 2>&1
tm new-session -d -s groove -x 80 -y 24 \
    "env LC_ALL=C.UTF-8 LANG=C.UTF-8 XDG_STATE_HOME=$LONG HOME=$TMP/home TERM=xterm-256color $GROOVE run --midi-in none 2>$TMP/stderr; sleep 60"
check "a corrupt session: the message says it was set aside" wait_for 'set aside as' 10
moved=$(ls "$LONG/groove" | grep corrupt | head -1)
joined=$(screen | tail -3 | tr -d '\n')
check "the long message wraps over the lines under the grid: the whole path it was moved to is on screen ($moved)" \
    bash -c 'grep -qF -- "$1" <<<"$0"' "$joined" "$moved"
tm send-keys -t groove H
check "H shows the message log" wait_for '^messages, newest first' 3
check "... with the whole message: why and where, and that it starts fresh" \
    bash -c "sleep 0.3; tmux -u -L $SOCK capture-pane -p -t groove | tr -d '\\n' | grep -q 'unreadable (.*set aside as .*starting *fresh'"
tm send-keys -t groove x
check "any key closes the log" bash -c "sleep 0.5; ! tmux -u -L $SOCK capture-pane -p -t groove | grep -q '^messages, newest first'"

# ---- the compact view (a phone SSH client at 60x20) -------------------------------------------
start 60 20 --no-session
check "the compact view starts" wait_for '^GR ' 10
for k in a s d f g; do tm send-keys -t groove "$k"; sleep 0.15; done
check "it shows the settings line (style, fill, density, temperature)" wait_for '^style .* fill .* density .* temp ' 5
check "it shows the timing marks of the last loop" wait_for '^TM +[=<>^ ]+' 15
head=$(screen | head -1)
check "the header keeps whole fields: it never ends in a name cut from its value ($head)" \
    bash -c '! grep -qE "(xruns|loop|swing|gen|BPM)$" <<<"$0" && test ${#0} -le 60' "$head"
used=$(screen | head -19 | grep -c .)
check "the rows under the grid are used ($used of the 19 lines above the keys line)" test "$used" -ge 16
tm send-keys -t groove C-s
check "Ctrl-S: the prompt is on screen" wait_for '^save session as: groove.session_' 3
tm send-keys -t groove x y
check "... and what is typed shows in it (it replaces the default answer)" wait_for '^save session as: xy_' 3
tm send-keys -t groove Escape
sleep 0.5   # a lone Escape is told from Alt+key by the pause after it
tm send-keys -t groove C-e
check "Ctrl-E: the export prompt is on screen" wait_for 'part to .*groove-part_' 3
tm send-keys -t groove Escape
tm send-keys -t groove q
tm send-keys -t groove q
finish
