#!/usr/bin/env bash
# t_tui_sync.sh - the sync status in the terminal through tmux (docs/sync.md), with output
# offsets set: at 60x20 J joins Link and the top line shows "link N peers BPM" whole, with the
# loop counter after it (the offsets do not crowd it out or get cut mid-word); at 80x24 the
# practice line (in the message row once no message shows) has the offsets as set
# ("offset +20/-7.5 ms", audio/MIDI).
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
export LC_ALL=C.UTF-8 LANG=C.UTF-8

SOCK="groove-t-tui-sync-$$"
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

tm new-session -d -s groove -x 60 -y 20 \
    "$RUN_ENV $GROOVE run --midi-in none --no-session --bpm 100 --audio-offset 20 --midi-offset -7.5 2>$TMP/stderr; echo \$? >$TMP/rc; sleep 60"
check "the instrument starts at 60x20" wait_for '^groove . (STOP|PLAY) ' 10
tm send-keys -t groove J
check "J joins Link" wait_for 'Link: joined' 3
check "at 60x20 the top line shows Link's peers and tempo whole, then the loop ($(screen | head -1))" \
    wait_for '^groove . (STOP|PLAY) +link [0-9]+ peers? [0-9.]+ BPM +loop [0-9]+' 3
check "... and no offset cut off in it" bash -c "! tmux -u -L '$SOCK' capture-pane -p -t groove | head -1 | grep -q offset"
tm resize-window -t groove -x 80 -y 24
check "at 80x24 the practice line shows the offsets as set" \
    wait_for '^click .*latency [0-9]+/[0-9]+ ms +offset \+20/-7\.5 ms' 12
tm send-keys -t groove q
sleep 0.5
finish
