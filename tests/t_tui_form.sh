#!/usr/bin/env bash
# t_tui_form.sh - song form in the terminal, driven through tmux as a person would: tap a groove,
# store it as section A, change it and store B, recall A (it takes over at the next loop), set a
# chain with the chain prompt and play it (the arrangement row follows it), evolve and the
# mixer keys; quit, and the session file holds the sections and the chain, which
# `groove render --session` then plays in order.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
export LC_ALL=C.UTF-8 LANG=C.UTF-8

SOCK="groove-t-tui-form-$$"
tm() { tmux -u -L "$SOCK" "$@"; }
cleanup() {
    tm kill-server >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT
command -v tmux >/dev/null || { fail "tmux is installed (make deps-test)"; finish; exit; }

mkdir -p "$TMP/state" "$TMP/home"
RUN_ENV="env LC_ALL=C.UTF-8 LANG=C.UTF-8 XDG_STATE_HOME=$TMP/state HOME=$TMP/home TERM=xterm-256color"
screen() { tm capture-pane -p -t groove 2>/dev/null; }
wait_for() {
    local i
    for ((i = 0; i < $2 * 5; i++)); do
        screen | grep -qE -- "$1" && return 0
        sleep 0.2
    done
    return 1
}
row() { screen | grep -E "^$1 " | head -1 | cut -c8-71; }
hits() { local r; r=$(row "$1"); r=${r//·/}; r=${r// /}; r=${r//</}; r=${r//>/}; echo ${#r}; }
wait_exit() {
    local i
    for ((i = 0; i < 50; i++)); do
        [ -s "$TMP/rc" ] && { cat "$TMP/rc"; return 0; }
        sleep 0.2
    done
    echo timeout
}

SESSION="$TMP/song.session"
tm new-session -d -s groove -x 80 -y 24 \
    "$RUN_ENV $GROOVE run --midi-in none --session $SESSION --bpm 240 2>$TMP/stderr; echo \$? >$TMP/rc; sleep 60"
check "the instrument starts with a song line" wait_for '^song ' 10

# Tap a groove (the first tap starts the transport), wait for the drums.
for k in a s d f g h j k l a s d; do
    tm send-keys -t groove "$k"
    sleep 0.12
done
ok=0
for ((i = 0; i < 50; i++)); do
    [ "$(hits K)" -gt 0 ] || [ "$(hits S)" -gt 0 ] || [ "$(hits CH)" -gt 0 ] && { ok=1; break; }
    sleep 0.2
done
check "a drum part follows the taps" test "$ok" -eq 1

tm send-keys -t groove '!'
check "! stores section A" wait_for 'stored section A' 3
check "the arrangement row shows A stored and playing" wait_for '^song \[A\] - ' 3
tm send-keys -t groove E E E E E
tm send-keys -t groove '@'
check "@ stores section B" wait_for 'stored section B' 3
check "the arrangement row shows A and B" wait_for '^song  A \[B\]' 3
tm send-keys -t groove 3
check "an empty section cannot be recalled" wait_for 'section C is empty' 3
tm send-keys -t groove 1
check "1 recalls A: it takes over at the next loop" wait_for 'section A next loop' 3
check "the arrangement row says what comes next (or A already plays)" wait_for 'next: A|^song \[A\]' 3
check "at the loop line A plays" wait_for '^song \[A\] B ' 6

# Evolve and the mixer on the screen.
tm send-keys -t groove C C C
check "C raises evolve" wait_for 'evolve 0\.30' 3
tm send-keys -t groove c c c
check "c lowers it again" wait_for 'evolve 0\.00' 3
tm send-keys -t groove Down Down 9 9 9 '(' '('
check "9 lowers the snare's level, ( pans it: shown on its row" wait_for '^S .*-3 L2 *$' 3
tm send-keys -t groove Up Up

# The prompt's default answer is replaced by what is typed, not added to (it was: 'A A B A fillA B').
tm send-keys -t groove S
check "S opens the chain prompt with an example" wait_for 'chain \(e\.g\. A\*2 B A fill\):' 3
tm send-keys -t groove "A B" Enter
check "typing replaces the prompt's default answer" wait_for 'chain A B \(2 loops\)' 3

# A chain through the prompt, then played.
tm send-keys -t groove S
check "S asks for the song's chain" wait_for 'chain \(e\.g\. A\*2 B A fill\):' 3
tm send-keys -t groove C-u "A B*2" Enter
check "the chain is set" wait_for 'chain A B\*2 \(3 loops\)' 3
tm send-keys -t groove '|'
check "| plays the chain from the next loop" wait_for 'chain A B\*2 from the next loop' 3
check "the arrangement row follows the chain: A" wait_for '^song \[A 1/1\] B\*2 \(loop 1/3' 8
check "... then B, first of two" wait_for '^song A \[B 1/2\] \(loop 2/3' 8
check "... then B, second of two" wait_for '^song A \[B 2/2\] \(loop 3/3' 8
check "... and around again" wait_for '^song \[A 1/1\] B\*2 \(loop 1/3' 8
tm send-keys -t groove '|'
check "| stops the chain" wait_for 'chain stopped' 3

tm send-keys -t groove q q
check "quits with status 0" test "$(wait_exit)" = 0
check "nothing on stderr" test ! -s "$TMP/stderr"
check "the session holds section A and B" sh -c "grep -qx 'section A' '$SESSION' && grep -qx 'section B' '$SESSION'"
check "the session holds the chain" grep -qx 'chain A B\*2' "$SESSION"
check "the snare's level and pan are saved" grep -qE '^gain 0 -3 ' "$SESSION"
out=$("$GROOVE" render --session "$SESSION" -o "$TMP/song.wav" 2>&1)
check "render --session plays the chain in order (A B B): $out" grep -q 'sections: A B B' <<<"$out"

# A phone at 60x20 (the compact view) shows the arrangement row and the song controls too.
rm -f "$TMP/rc"
tm kill-session -t groove
tm new-session -d -s groove -x 60 -y 20 \
    "$RUN_ENV $GROOVE run --midi-in none --session $SESSION --bpm 240 2>$TMP/stderr; echo \$? >$TMP/rc; sleep 60"
check "60x20: the arrangement row shows the stored sections" wait_for '^song  A  B  -' 10
check "60x20: the song controls line shows evolve" wait_for '^evolve [0-9.]+  morph' 3
tm send-keys -t groove '|' ' '
check "60x20: the arrangement row follows the chain" wait_for '^song \[A 1/1\] B\*2 \(loop 1/3' 8
tm send-keys -t groove q q
check "60x20: quits with status 0" test "$(wait_exit)" = 0

finish
