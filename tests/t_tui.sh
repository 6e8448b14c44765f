#!/usr/bin/env bash
# t_tui.sh - the instrument driven through tmux as a person would: a private tmux server (-L),
# keys sent with send-keys, the screen read with capture-pane. Starts with no audio and no MIDI
# device, taps the groove, waits for the drum rows, edits a cell and undoes it, resizes to
# 60x20 and back, quits, starts again and finds the session restored; a corrupt session file is
# set aside; then the same instrument against a JACK dummy server, checking that audio flows.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
export LC_ALL=C.UTF-8 LANG=C.UTF-8

SOCK="groove-t-tui-$$"
JACK_NAME="groove-t-tui-$$"
JACK_PID=
tm() { tmux -u -L "$SOCK" "$@"; }
cleanup() {
    tm kill-server >/dev/null 2>&1
    [ -n "$JACK_PID" ] && kill "$JACK_PID" 2>/dev/null && wait "$JACK_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

STATE="$TMP/state"
mkdir -p "$STATE" "$TMP/home"
# The environment groove runs in: private state dir and home, UTF-8, a model if one ships.
RUN_ENV="env LC_ALL=C.UTF-8 LANG=C.UTF-8 XDG_STATE_HOME=$STATE HOME=$TMP/home TERM=xterm-256color"

screen() { tm capture-pane -p -t groove 2>/dev/null; }
# wait_for REGEX SECONDS: polls the screen until it matches.
wait_for() {
    local i
    for ((i = 0; i < $2 * 5; i++)); do
        screen | grep -qE -- "$1" && return 0
        sleep 0.2
    done
    return 1
}
# row LABEL: the grid cells of a row (after the 7-column label).
row() { screen | grep -E "^$1 " | head -1 | cut -c8-; }
# hits LABEL: how many hits a row shows (glyphs other than dots, spaces and timing marks).
hits() { local r; r=$(row "$1"); r=${r//·/}; r=${r// /}; r=${r//</}; r=${r//>/}; echo ${#r}; }
# cell LABEL STEP (0-based): the glyph of one step in the wide view.
cell() { local r; r=$(row "$1"); echo "${r:$((2 * $2)):1}"; }
# start [ARGS...]: starts groove in a fresh 80x24 tmux session named groove.
start() {
    tm kill-session -t groove >/dev/null 2>&1
    rm -f "$TMP/rc"
    tm new-session -d -s groove -x 80 -y 24 \
        "$RUN_ENV $* $GROOVE run $EXTRA 2>$TMP/stderr; echo \$? >$TMP/rc; sleep 60"
}
# wait_exit: waits for groove to exit; prints its status.
wait_exit() {
    local i
    for ((i = 0; i < 50; i++)); do
        [ -s "$TMP/rc" ] && { cat "$TMP/rc"; return 0; }
        sleep 0.2
    done
    echo timeout
}

command -v tmux >/dev/null || { fail "tmux is installed (make deps-test)"; finish; exit; }
# A session that outlives every groove run, so the private server never exits between runs.
tm new-session -d -s keeper -x 80 -y 24 "sleep 600"

# ---- no audio device, no MIDI device -------------------------------------------------------
# With no MIDI port on the machine, go through PortMidi's own "no device" path; where a port
# exists, keep the keyboard in charge with --midi-in none.
EXTRA="--midi-in none"
"$GROOVE" devices 2>/dev/null | grep -q '^no MIDI devices' && EXTRA=""
start
check "the instrument starts and shows the grid" wait_for '^GR ' 10
check "it starts stopped" wait_for '# STOP' 5
check "it says the keyboard plays (no MIDI input)" wait_for 'no MIDI input: the keyboard plays' 5
if "$GROOVE" devices 2>/dev/null | grep -q 'no audio output devices'; then
    check "no audio device: it says it runs silent" wait_for 'audio: .*silent' 5
fi
check "the status line shows tempo, swing, loop, generation time, xruns" wait_for '^groove .*BPM +swing [0-9.]+ +loop [0-9]+ +gen [0-9]+ µs +xruns [0-9]+' 2
check "the controls line shows style, fill, density, temperature" wait_for 'style .* fill .* density .* temp ' 2
check "xruns are on screen" wait_for 'xruns [0-9]+' 2

for k in a s d f g h j k l; do
    tm send-keys -t groove "$k"
    sleep 0.12
done
check "the first tap starts the transport" wait_for '> PLAY' 5
sleep 0.5
n=$(hits GR)
check "tapping a..l fills the groove row ($n hits)" test "$n" -ge 5
check "micro-timing marks or on-grid taps are drawn" test -n "$(row GR)"
# The drum rows fill once the model has answered and a loop boundary passed.
drums() { local t=0 v; for v in K S CH OH LT MT HT CR RI; do t=$((t + $(hits $v))); done; echo $t; }
got=0
for ((i = 0; i < 75; i++)); do
    [ "$(drums)" -gt 0 ] && { got=1; break; }
    sleep 0.2
done
check "the drum rows fill after the next loop ($(drums) hits)" test $got -eq 1
check "the loop counter moves" wait_for 'loop [1-9]' 15
check "at 80x24 the status line ends with the record mode, not cut off" wait_for '^groove .*\[\+\] +(overdub|replace)$' 2

# Stop, so no loop boundary changes the part under us, then edit an empty kick cell and undo.
tm send-keys -t groove Space
check "space stops" wait_for '# STOP' 5
sleep 0.5
step=-1
for ((s = 1; s < 32; s++)); do
    c=$(cell K $s)
    if [ "$c" = " " ] || [ "$c" = "·" ]; then step=$s; break; fi
done
check "an empty kick cell to edit (step $step)" test "$step" -ge 0
tm send-keys -t groove Down
for ((s = 0; s < step; s++)); do tm send-keys -t groove Right; done
before=$(hits K)
tm send-keys -t groove x
sleep 0.5
after=$(hits K)
check "x sets a hit under the cursor ($before -> $after kick hits)" test "$after" -eq $((before + 1))
check "the edited row is kept (frozen)" wait_for '^K +\*' 2
tm send-keys -t groove u
sleep 0.5
undone=$(hits K)
check "u undoes the edit ($after -> $undone)" test "$undone" -eq "$before"
tm send-keys -t groove U
sleep 0.5
check "U redoes it" test "$(hits K)" -eq "$after"
tm send-keys -t groove u
sleep 0.3

# Help overlay.
tm send-keys -t groove '?'
check "? opens the help with every key (in pages)" wait_for 'keys 1/2 \(\? more, any key closes\)' 3
check "help lists undo and tap tempo" wait_for 'tap tempo' 1
check "no help line is cut off at 80 columns" bash -c "tmux -u -L $SOCK capture-pane -p -t groove | grep -q '\^C quit  *|' && tmux -u -L $SOCK capture-pane -p -t groove | grep -q 'takes over at  *|'"
tm send-keys -t groove Escape
sleep 0.3
check "any key closes the help" bash -c "! tmux -u -L $SOCK capture-pane -p -t groove | grep -q 'any key closes'"

# Resize to 60x20 and back.
tm resize-window -t groove -x 60 -y 20
sleep 0.6
small=$(screen)
width=0
while IFS= read -r line; do [ ${#line} -gt "$width" ] && width=${#line}; done <<<"$small"
check "at 60x20 the compact view fits ($width columns)" test "$width" -le 60
check "the compact view still shows the groove and drum rows" bash -c "echo \"\$0\" | grep -q '^GR ' && echo \"\$0\" | grep -q '^RI '" "$small"
check "the compact view drops the bar ruler" bash -c "! echo \"\$0\" | grep -q '|bar 1'" "$small"
tm send-keys -t groove '?'
check "at 60x20 the help is a narrow list in pages" wait_for 'keys 1/3 \(\? more, any key closes\)' 3
check "... its first page is whole (tap the groove ... density)" wait_for '\| e E +density less / more +\|' 1
tm send-keys -t groove '?'
check "? turns to the last page (quit at once)" wait_for '\| \^C +quit at once +\|' 3
tm send-keys -t groove Escape
check "any key closes the paged help" bash -c "sleep 0.4; ! tmux -u -L $SOCK capture-pane -p -t groove | grep -q 'any key closes'"
tm resize-window -t groove -x 80 -y 24
check "back at 80x24 the full view returns" wait_for '\|bar 1 ' 3
tm resize-window -t groove -x 30 -y 10
check "a tiny terminal says it is too small" wait_for 'terminal too small' 3
tm resize-window -t groove -x 20 -y 10
check "at 20x10 it still says what size it needs" wait_for '^need 40x15' 3
tm resize-window -t groove -x 80 -y 24
sleep 0.3

# J joins the Ableton Link session: the status line's tempo becomes "link N peers BPM"; J again
# leaves it (docs/sync.md; the session itself is tested with real peers in t_link.sh).
tm send-keys -t groove J
check "J joins Ableton Link (it says so)" wait_for 'Link: joined' 3
check "the status line shows the Link peers and the session tempo" wait_for '^groove .*link [0-9]+ peers? [0-9.]+ BPM' 3
tm send-keys -t groove J
check "J again leaves Link" wait_for 'Link: left' 3
check "the status line shows the tempo alone again" wait_for '^groove [^|]* [0-9.]+ BPM +swing' 3

# Ctrl-S saves the session to a named file; Ctrl-E exports the part to MIDI and WAV.
tm send-keys -t groove C-s
check "Ctrl-S asks for a file name" wait_for 'save session as:' 3
tm send-keys -t groove C-u "$TMP/named.session" Enter
check "it says where it saved" wait_for 'saved to ' 3
check "the named session file loads as a session" grep -q '^groove-session 2' "$TMP/named.session"
tm send-keys -t groove C-e
check "Ctrl-E asks for a name" wait_for 'export part to' 3
tm send-keys -t groove C-u "$TMP/part" Enter
check "it says it exported" wait_for 'exported ' 10
check "the part is exported as MIDI" test -s "$TMP/part.mid"
check "and as WAV" test -s "$TMP/part.wav"
tm send-keys -t groove C-e
check "Ctrl-E asks again" wait_for 'export part to' 3
tm send-keys -t groove C-u "$TMP/übung" Enter
check "a name with a non-ASCII letter is kept" wait_for 'exported .*/übung\.mid' 10
check "... and written under that name" test -s "$TMP/übung.mid" -a -s "$TMP/übung.wav"
tm send-keys -t groove C-e C-u "$TMP/a-long-folder-name/another-long-folder-name/and-the-end-typed-last"
check "a long answer in the prompt shows its end, where the typing is" wait_for 'and-the-end-typed-last_$' 3
tm send-keys -t groove Escape
tm send-keys -t groove C-e C-u "$TMP/ab" "é" BSpace Enter
check "backspace removes a whole UTF-8 character ('abé' then backspace: ab.mid)" wait_for 'exported .*/ab\.mid' 10
tm send-keys -t groove W
check "W: more swing" wait_for 'swing 0.02' 3
tm send-keys -t groove w
check "w: less swing" wait_for 'swing 0.00' 3

taps_before=$(hits GR)
kick_before=$(row K)
# Quit: unsaved work asks first.
tm send-keys -t groove q
check "q with unsaved work asks first" wait_for 'q again to quit' 3
tm send-keys -t groove q
rc=$(wait_exit)
check "the second q quits with status 0 (got $rc)" test "$rc" = 0
check "the terminal is given back (alternate screen left)" bash -c "! tmux -u -L $SOCK capture-pane -p -t groove | grep -q '^GR '"
check "nothing on stderr" test ! -s "$TMP/stderr"
check "the session was autosaved to XDG_STATE_HOME" test -s "$STATE/groove/session"

# Start again: the session is back.
start
check "restarted" wait_for '^GR ' 10
check "it says the session was restored" wait_for 'session restored' 5
check "the groove row is restored ($taps_before hits)" test "$(hits GR)" -eq "$taps_before"
check "the drum part is restored" test "$(row K)" = "$kick_before"
tm send-keys -t groove q
rc=$(wait_exit)
check "nothing changed: one q quits (status $rc)" test "$rc" = 0

# A corrupt session file is reported and set aside, never overwritten.
printf 'groove-session 1\nbpm 12\x01garbage' >"$STATE/groove/session"
cp "$STATE/groove/session" "$TMP/corrupt-copy"
start
check "a corrupt session is reported" wait_for 'session file unreadable' 10
aside=$(ls "$STATE"/groove/session.corrupt-* 2>/dev/null | head -1)
check "it is set aside under a new name" test -n "$aside"
check "its bytes are kept as they were" cmp -s "$aside" "$TMP/corrupt-copy"
tm send-keys -t groove C-c
rc=$(wait_exit)
check "Ctrl-C quits at once with status 0 (got $rc)" test "$rc" = 0

# A terminal type ncurses does not know, or one that cannot move the cursor: one groove: line.
for term in no-such-terminal dumb; do
    start TERM=$term
    rc=$(wait_exit)
    check "TERM=$term: exit 1 (got $rc)" test "$rc" = 1
    check "TERM=$term: one 'groove:' line on stderr ($(head -c 200 "$TMP/stderr"))" \
        test "$(wc -l <"$TMP/stderr")" -eq 1 -a "$(grep -c '^groove: ' "$TMP/stderr")" -eq 1
done

# An autosave that cannot be written: quitting does not claim the work was autosaved.
SAVED_EXTRA=$EXTRA
EXTRA="$EXTRA --session $TMP/no/such/dir/session"
start
check "started with an unwritable session path" wait_for '^GR ' 10
tm send-keys -t groove a
check "the failed autosave is reported" wait_for 'autosave failed' 5
tm send-keys -t groove q
check "q says the work is not autosaved" wait_for 'NOT autosaved.*q again to quit' 3
tm send-keys -t groove C-c
wait_exit >/dev/null
EXTRA=$SAVED_EXTRA

# Colour, and NO_COLOR: the same screen with and without colour escapes.
colours() { tm capture-pane -e -p -t groove | grep -cE $'\e\\[([0-9;]*;)?(3[0-7]|9[0-7]|38;5;[0-9]+)(;[0-9]+)*m'; }
start
check "started for the colour check" wait_for '^GR ' 10
tm send-keys -t groove a
sleep 0.5
check "colour is used by default" test "$(colours)" -gt 0
tm send-keys -t groove C-c
wait_exit >/dev/null
start NO_COLOR=1
check "started with NO_COLOR" wait_for '^GR ' 10
tm send-keys -t groove a
sleep 0.5
check "NO_COLOR: no colour escapes on screen" test "$(colours)" -eq 0
tm send-keys -t groove C-c
wait_exit >/dev/null

# SIGTERM quits cleanly (terminal restored, session saved); a crash still restores the terminal.
groove_pid() { pgrep -P "$(tm display -p -t groove '#{pane_pid}')" | head -1; }
start
check "started for the signal checks" wait_for '^GR ' 10
tm send-keys -t groove a
sleep 0.3
kill -TERM "$(groove_pid)"
rc=$(wait_exit)
check "SIGTERM: exits 0 (got $rc)" test "$rc" = 0
check "SIGTERM: the terminal is restored" bash -c "! tmux -u -L $SOCK capture-pane -p -t groove | grep -q '^GR '"
start
check "started for the crash check" wait_for '^GR ' 10
kill -SEGV "$(groove_pid)"
rc=$(wait_exit)
check "a crash (SIGSEGV) still kills the process with its signal (status $rc)" test "$rc" = 139
check "and the terminal is restored" bash -c "! tmux -u -L $SOCK capture-pane -p -t groove | grep -q '^GR '"

# ---- with a JACK dummy server: audio flows -------------------------------------------------
if ! command -v jackd >/dev/null; then
    fail "jackd is installed (make deps-test)"
    finish
    exit
fi
JACK_NO_AUDIO_RESERVATION=1 jackd --no-realtime -n "$JACK_NAME" -d dummy -r 48000 -p 256 >"$TMP/jack.log" 2>&1 &
JACK_PID=$!
sleep 2
check "the JACK dummy server runs" kill -0 "$JACK_PID"
EXTRA="--midi-in none --audio-device system"
start JACK_DEFAULT_SERVER="$JACK_NAME"
check "the instrument opens the JACK output" wait_for 'audio: JACK' 15
blocks() { screen | grep -oE 'blocks [0-9]+' | grep -oE '[0-9]+'; }
b1=$(blocks)
for k in a d g k; do tm send-keys -t groove "$k"; sleep 0.15; done
sleep 1.5
b2=$(blocks)
check "audio flows: JACK asks for blocks ($b1 -> $b2)" test -n "$b1" -a -n "$b2" -a "${b2:-0}" -gt "${b1:-0}"
check "taps with JACK fill the groove" test "$(hits GR)" -ge 4
check "xruns are counted on screen" wait_for 'xruns [0-9]+' 2
tm send-keys -t groove q q
rc=$(wait_exit)
check "quits cleanly with JACK (status $rc)" test "$rc" = 0
check "nothing on stderr with JACK" test ! -s "$TMP/stderr"
finish
