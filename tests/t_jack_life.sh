#!/usr/bin/env bash
# t_jack_life.sh - groove on JACK servers that are not what it expects (issue 12, items 7-8):
# private dummy servers (each with its own JACK_DEFAULT_SERVER name) at 44.1, 96 and 22.05 kHz
# and with a 1024-frame period; a rate that cannot be opened; a server killed mid-run (SIGKILL
# and SIGTERM) and started again; every way out of groove (SIGTERM, Ctrl-C, q) after its
# server died. Every server this test starts is killed on exit, also on failure.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
export JACK_NO_START_SERVER=1 JACK_NO_AUDIO_RESERVATION=1
export LC_ALL=C.UTF-8 LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME="$TMP/state" HOME="$TMP/home"
mkdir -p "$TMP/home"
JACKD=$(command -v jackd)
check "jackd is installed (jackd2; make deps-test)" test -n "$JACKD"
[ -n "$JACKD" ] || { finish; exit 1; }

jack_pid=
groove_pid=
stale=   # a server name whose server was killed (SIGKILL): still in JACK's registry
# jack_reclaim: a SIGKILLed server stays in JACK's shared registry of (at most 8) servers, and
# only a server of the same name frees its slot: start one under that name and stop it cleanly.
jack_reclaim() {
    [ -n "$stale" ] || return 0
    JACK_DEFAULT_SERVER=$stale "$JACKD" --no-realtime -d dummy -r 48000 -p 256 >>"$TMP/jackd.log" 2>&1 &
    local pid=$! i
    for i in $(seq 100); do
        JACK_DEFAULT_SERVER=$stale timeout 5 jack_lsp 2>/dev/null | grep -q '^system:playback_1$' && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null
    stale=
}
cleanup() {
    [ -n "$groove_pid" ] && kill -9 "$groove_pid" 2>/dev/null
    if [ -n "$jack_pid" ] && kill -0 "$jack_pid" 2>/dev/null; then
        kill "$jack_pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$jack_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$jack_pid" 2>/dev/null
    fi
    jack_reclaim
    # the semaphores of clients whose server was SIGKILLed (no server left to remove them)
    rm -f /dev/shm/jack_sem.0_groove-t-jack-life-$$-*
    rm -rf "$TMP"
}
trap cleanup EXIT

# jack_start RATE PERIOD: a private dummy server under the name $JACK_DEFAULT_SERVER (jackd
# itself is the child, so jack_stop kills the server and not a wrapper); waits
# until it has playback ports. 0 when it is up.
jack_start() {
    "$JACKD" --no-realtime -d dummy -r "$1" -p "$2" >>"$TMP/jackd.log" 2>&1 &
    jack_pid=$!
    for _ in $(seq 100); do
        timeout 5 jack_lsp 2>/dev/null | grep -q '^system:playback_1$' && { stale=; return 0; }
        kill -0 "$jack_pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
# jack_stop [SIGNAL]: kills the server (SIGKILL by default) and waits for it.
jack_stop() {
    [ "${1:-KILL}" = KILL ] && stale=$JACK_DEFAULT_SERVER
    kill "-${1:-KILL}" "$jack_pid" 2>/dev/null
    { wait "$jack_pid"; } 2>/dev/null
    jack_pid=
}
# wait_line FILE REGEX SECONDS: until a line of FILE matches.
wait_line() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -qE -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
# loops FILE: the loop lines printed so far.
loops() { grep -c '^loop ' "$1" 2>/dev/null; }
# exits_within PID SECONDS: the process ends by itself within SECONDS; sets $status.
exits_within() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        kill -0 "$1" 2>/dev/null || { wait "$1"; status=$?; return 0; }
        sleep 0.1
    done
    return 1
}
RUN=("$GROOVE" run --headless --no-session --midi-in none --audio-device system)

# ---- 7. the server's own rate, the real buffer size ---------------------------------------------
n=0
for spec in "44100 1024" "96000 512" "22050 256"; do
    set -- $spec
    n=$((n + 1))
    export JACK_DEFAULT_SERVER="groove-t-jack-life-$$-$n"
    if ! jack_start "$1" "$2"; then
        fail "a private JACK server at $1 Hz starts"
        continue
    fi
    timeout 60 "${RUN[@]}" --loops 1 --bpm 200 >"$TMP/rate$1.out" 2>"$TMP/rate$1.err"
    rc=$?
    sed 's/^/    /' "$TMP/rate$1.err" | head -3
    head -1 "$TMP/rate$1.out" | cut -c1-150 | sed 's/^/    /'
    check "JACK at $1 Hz: groove plays (exit 0, got $rc)" test "$rc" -eq 0
    check "... opened at the server's rate, with the server's $2-frame period on the status line" \
        grep -q "^groove: headless, audio: JACK Audio Connection Kit: system ($1 Hz, $2 frames" "$TMP/rate$1.out"
    check "... and its loops run (the device's clock drives the transport)" grep -q '^loop 1:' "$TMP/rate$1.out"
    if [ "$1" = 44100 ]; then
        timeout 60 "${RUN[@]}" --loops 1 --rate 48000 >/dev/null 2>"$TMP/badrate.err"
        rc=$?
        sed 's/^/    /' "$TMP/badrate.err"
        check "--rate 48000 on a 44.1 kHz server: exit 1, one line" \
            test "$rc" -eq 1 -a "$(wc -l <"$TMP/badrate.err")" -eq 1
        check "... that names the rate it opens at" grep -q 'at 48000 Hz: it opens at 44100 Hz' "$TMP/badrate.err"
    fi
    jack_stop TERM
done

# ---- 8. the server dies mid-run, and comes back ------------------------------------------------
export JACK_DEFAULT_SERVER="groove-t-jack-life-$$-lost"
jack_start 48000 256 || fail "a private JACK server for the lost-device checks starts"
"${RUN[@]}" --bpm 300 --loops 100000 --json >"$TMP/lost.out" 2>"$TMP/lost.err" &
groove_pid=$!
check "headless on JACK: the first loops play" wait_line "$TMP/lost.out" '"loop":1,' 20
check "... through the JACK device" grep -q '^groove: headless, audio: JACK' "$TMP/lost.out"
jack_stop KILL
check "the server killed (SIGKILL): groove says the device is lost and runs silent" \
    wait_line "$TMP/lost.out" '^groove: audio: .*lost.*running silent' 10
before=$(loops "$TMP/lost.out")
n_before=$(grep -c '"loop"' "$TMP/lost.out")
sleep 3
n_after=$(grep -c '"loop"' "$TMP/lost.out")
check "... the loop goes on without a device ($n_before -> $n_after loop lines in 3 s)" test "$n_after" -gt "$n_before"
jack_start 48000 256 || fail "the server starts again"
check "the server back: groove reconnects and says so" wait_line "$TMP/lost.out" '^groove: audio: .*back' 20
n_back=$(grep -c '"loop"' "$TMP/lost.out")
check "... and the loop goes on" wait_line "$TMP/lost.out" "\"loop\":$((n_back + 1))," 10
jack_stop TERM
check "the server stopped (SIGTERM): lost again" bash -c "sleep 3; [ \$(grep -c 'lost' '$TMP/lost.out') -ge 2 ]"
kill -TERM "$groove_pid"
status=
check "SIGTERM ends groove after its server died (within 10 s)" exits_within "$groove_pid" 10
check "... with status 0 (got $status)" test "${status:-x}" = 0
groove_pid=
check "nothing on stderr" test ! -s "$TMP/lost.err"
sed 's/^/    /' "$TMP/lost.err" | head -5

# --loops N ends even when the device dies on the way
jack_start 48000 256 || fail "the server starts for --loops"
timeout 60 "${RUN[@]}" --bpm 300 --loops 4 >"$TMP/loops.out" 2>&1 &
groove_pid=$!
wait_line "$TMP/loops.out" '^loop 1:' 20
jack_stop KILL
status=
check "--loops 4 still ends when the server dies at loop 1 (within 20 s)" exits_within "$groove_pid" 20
check "... status 0 (got $status), every loop printed" test "${status:-x}" = 0 -a "$(loops "$TMP/loops.out")" -ge 5
groove_pid=

# The instrument in a terminal: q, Ctrl-C and SIGTERM after the server died.
RELAY=(/usr/bin/python3 "$ROOT/tests/pty_relay.py")
for way in q ctrl-c sigterm; do
    jack_start 48000 256 || { fail "the server starts ($way)"; continue; }
    case $way in
        q) out='send 0 q' ;;
        ctrl-c) out='send 0 \x03' ;;
        sigterm) out='kill TERM' ;;
    esac
    cat >"$TMP/tui-$way.script" <<EOF
screen up 30 audio: JACK
send 0 \x20
screen play 10 > PLAY
sleep 1
shell kill -9 $jack_pid
screen lost 15 lost
screen moving 15 loop ([4-9]|[1-9][0-9])
$out
exit $way 15
EOF
    stale=$JACK_DEFAULT_SERVER   # the script kills it
    timeout 120 "${RELAY[@]}" --log "$TMP/tui-$way.log" --script "$TMP/tui-$way.script" -- \
        "$GROOVE" run --midi-in none --no-session --audio-device system --bpm 300 >"$TMP/tui-$way.out" 2>&1
    { wait "$jack_pid"; } 2>/dev/null
    jack_pid=
    grep -E '^(screen|exit) ' "$TMP/tui-$way.out" | sed 's/^/    /'
    check "TUI ($way): the screen says the device is lost" grep -q '^screen lost ok' "$TMP/tui-$way.out"
    check "TUI ($way): the loop goes on after the loss" grep -q '^screen moving ok' "$TMP/tui-$way.out"
    check "TUI ($way): it ends the process, status 0" grep -q "^exit $way status=0" "$TMP/tui-$way.out"
done
finish
