#!/usr/bin/env bash
# t_ssh.sh - the instrument at the far end of an SSH link (issue 12, items 1-6), through
# tests/pty_relay.py: a pty whose far end sends chosen bytes with chosen gaps, carries the
# output at a chosen rate, answers the status and cursor queries as a terminal does, and
# drops the link without a SIGHUP. Checks: keys in the dialects of other terminals, keys
# split by a jittery link, bracketed paste, a vanished terminal, the bytes a stopped and a
# playing screen send, a throttled link, and the glyphs for terminals that draw the
# East-Asian-ambiguous characters wide. No wall-clock bound: byte counts only.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
RELAY=(/usr/bin/python3 "$ROOT/tests/pty_relay.py")
export LC_ALL=C.UTF-8 LANG=C.UTF-8 TERM=xterm-256color XDG_STATE_HOME="$TMP/state" HOME="$TMP/home"
unset ESCDELAY
mkdir -p "$TMP/home"
[ -x /usr/bin/python3 ] || { fail "/usr/bin/python3 runs the pty relay"; finish; exit; }

# relay NAME [RELAY OPTIONS...] -- [GROOVE OPTIONS...]: runs the script $TMP/NAME.script
# against groove; its report goes to $TMP/NAME.out (and is shown indented).
relay() {
    [ -n "${ONLY:-}" ] && [ "$ONLY" != "$1" ] && return
    local name=$1; shift
    local opts=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
    shift
    timeout 120 "${RELAY[@]}" "${opts[@]}" --log "$TMP/$name.log" --script "$TMP/$name.script" -- \
        "$GROOVE" run --midi-in none "$@" >"$TMP/$name.out" 2>&1
    grep -E '^(wait|screen|clear|rate|count|exit) ' "$TMP/$name.out" | sed 's/^/    /'
}
# got NAME PATTERN: the relay's report line for a step matches.
got() { grep -qE "$2" "$TMP/$1.out"; }
# bytes NAME STEP: the byte count the relay reported for a step.
bytes() { grep -E "^(rate|wait|screen) $2 " "$TMP/$1.out" | grep -oE 'bytes=[0-9]+' | cut -d= -f2; }

# ---- 1. keys from other terminals; 2. split sequences ----------------------------------------
cat >"$TMP/keys.script" <<'EOF'
screen up 20 ^GR
# PuTTY / tmux Home and Up, five times each (this took a session from 100 to 85 BPM)
send 0 \x1b[1~\x1b[1~\x1b[1~\x1b[1~\x1b[1~\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A
# right three times as ESC [ C and ESC O C, then Home as ESC [ H: step 1 again
send 0 \x1b[C\x1bOC\x1b[C
screen right 10 cursor \S+ step 4:
send 0 \x1b[H
screen home_csi_h 10 cursor \S+ step 1:
send 0 \x1b[4~
screen end_4 10 cursor \S+ step 32:
send 0 \x1bOH
screen home_ss3 10 cursor \S+ step 1:
send 0 \x1b[F
screen end_f 10 cursor \S+ step 32:
send 0 \x1b[7~
screen home_rxvt 10 cursor \S+ step 1:
# unknown sequences: F-keys with modifiers, a private reply, focus events, mouse reports
send 0 \x1b[1;5Q\x1b[99~\x1b[?1;2c\x1b[I\x1b[O\x1b[<0;12;5M\x1b[24;5~
# split by a jittery link: 40 ms, 120 ms and 250 ms between the bytes
send 40 \x1b[C
send 120 \x1bOC
send 250 \x1b[C
screen split_right 10 cursor \S+ step 4:
send 120 \x1b[1~
screen split_home 10 cursor \S+ step 1:
# five Up moved the cursor from the groove row to the low tom; five Down, split, bring it back
send 60 \x1bOB
send 60 \x1bOB
send 60 \x1bOB
send 60 \x1bOB
send 60 \x1bOB
screen split_down 10 cursor groove step 1:
send 60 \x1bOB
screen split_down2 10 cursor kick step 1:
sleep 0.5
screen bpm 5 100\.0 BPM
dump
# a lone Esc still works: it closes the help (after its wait), and Esc Esc at once
send 0 ?
screen help 10 any key closes
send 0 \x1b
clear help_closed 10 any key closes
send 0 \x13
screen prompt 10 save session as:
send 0 \x1b\x1b
screen cancelled 10 cancelled
send 0 q
exit quit 10
EOF
relay keys -- --no-session --bpm 100
check "the grid comes up through the relay" got keys '^screen up ok'
check "ESC [ C and ESC O C move the cursor right" got keys '^screen right ok'
check "Home as ESC [ H" got keys '^screen home_csi_h ok'
check "End as ESC [ 4 ~" got keys '^screen end_4 ok'
check "Home as ESC O H" got keys '^screen home_ss3 ok'
check "End as ESC [ F" got keys '^screen end_f ok'
check "Home as ESC [ 7 ~ (rxvt)" got keys '^screen home_rxvt ok'
check "arrows split 40, 120, 250 ms apart are still arrows" got keys '^screen split_right ok'
check "Home split 120 ms apart is still Home" got keys '^screen split_home ok'
check "Down as ESC O B split 60 ms apart, five times and once more" \
    bash -c "grep -q '^screen split_down ok' '$TMP/keys.out' && grep -q '^screen split_down2 ok' '$TMP/keys.out'"
check "no sequence changed a setting: still 100.0 BPM" got keys '^screen bpm ok'
check "... and nothing is unsaved (no [+])" bash -c "! grep -q '^groove .*\[+\]' '$TMP/keys.out'"
check "... the kick's threshold untouched (0.xx as the model set it)" grep -qE '^cursor kick step 1: .*threshold' "$TMP/keys.out"
check "a lone Esc closes the help" got keys '^clear help_closed ok'
check "Esc Esc cancels a prompt at once" got keys '^screen cancelled ok'
check "one q quits: nothing was changed (status 0)" got keys '^exit quit status=0'

# ---- 3. bracketed paste ------------------------------------------------------------------------
NOTE='Practice note: keep the kick on 1 and 3 [steady], the snare on 2 and 4 {loud}; at 120 bpm try e E p P o O then y Y; tap a s d f g h j k l; swing W W w; x X u U; i I v V z m n r R; q q'
cat >"$TMP/paste.script" <<EOF
screen up 20 ^GR
send 0 \\x1b[200~$NOTE\\x1b[201~
screen ignored 10 paste ignored \\(${#NOTE} bytes\\)
screen bpm 5 100\\.0 BPM  swing 0\\.00
dump
send 0 \\x05
screen prompt 10 export part to
send 0 \\x15\\x1b[200~$TMP/pasted-name\\x1b[201~\\r
screen exported 20 exported .*pasted-name\\.mid
send 0 \\x03
exit quit 10
EOF
relay paste -- --no-session --bpm 100
check "bracketed paste is switched on" grep -q $'\e\\[?2004h' "$TMP/paste.log"
check "a ${#NOTE}-character paste into the grid is ignored, and says so" got paste '^screen ignored ok'
check "... no command ran: 100 BPM, swing 0, nothing unsaved" \
    bash -c "grep -q '^screen bpm ok' '$TMP/paste.out' && grep -q 'density 0.50  temp 1.00' '$TMP/paste.out' && ! grep -q '^groove .*\[+\]' '$TMP/paste.out'"
check "... still stopped, the groove row empty (no tap ran)" bash -c "grep -q '# STOP' '$TMP/paste.out' && ! grep -qE '^GR .*[▁▂▃▄▅▆▇█]' '$TMP/paste.out'"
check "a paste into an open prompt is its text" got paste '^screen exported ok'
check "... and the files are written under the pasted name" test -s "$TMP/pasted-name.mid"

# ---- 4. the terminal vanishes without a SIGHUP -------------------------------------------------
cat >"$TMP/drop.script" <<'EOF'
screen up 20 ^GR
send 0 ]]]
screen bpm 10 103\.0 BPM
sleep 0.5
drop
exit gone 20
EOF
relay drop -- --session "$TMP/drop.session" --bpm 100
check "a dropped terminal (EOF, no SIGHUP): groove exits by itself, status 0" got drop '^exit gone status=0'
check "... and saves the session first (103 BPM)" grep -q '^bpm 103$' "$TMP/drop.session"
cat >"$TMP/drop2.script" <<'EOF'
screen up 20 ^GR
send 0 ]
screen bpm 10 101\.0 BPM
sleep 0.5
drop
exit gone 20
EOF
relay drop2 --ctty -- --session "$TMP/drop2.session" --bpm 100
check "with a controlling terminal (SIGHUP) as before: exits 0 and saves" \
    bash -c "grep -q '^exit gone status=0' '$TMP/drop2.out' && grep -q '^bpm 101$' '$TMP/drop2.session'"

# ---- 5. slow links ------------------------------------------------------------------------------
cat >"$TMP/rate.script" <<'EOF'
screen up 20 ^GR
# the start message fades after 5 s; then nothing changes
sleep 6
rate stopped 5
send 0 \x20
screen play 10 > PLAY
sleep 5
rate playing 8
send 0 asdf
sleep 9
rate playing_groove 8
dump
send 0 \x03
exit quit 10
EOF
relay rate -- --no-session --bpm 120
b=$(bytes rate stopped)
check "stopped and untouched the screen sends nothing (${b:-?} bytes in 5 s)" test "${b:-1}" -eq 0
b=$(bytes rate playing)
check "playing at 120 BPM, 80x24: under 1 KB/s ($((${b:-99999} / 8)) bytes/s)" test "${b:-99999}" -lt 8000
b=$(bytes rate playing_groove)
check "playing a groove and its part: under 1 KB/s ($((${b:-99999} / 8)) bytes/s)" test "${b:-99999}" -lt 8000

cat >"$TMP/slow.script" <<'EOF'
screen up 30 ^GR
send 0 \x20
screen play 20 > PLAY
sleep 6
mark
send 0 \x20
screen stop 30 # STOP
send 0 ]]]]]
screen bpm 30 105\.0 BPM
send 0 \x20
sleep 4
mark
send 0 \x20
screen stop2 30 # STOP
send 0 \x03
exit quit 20
EOF
relay slow --rate 1000 -- --no-session --bpm 100
b=$(bytes slow stop)
check "a 1000 B/s link: Stop shows within one second of link (${b:-?} bytes behind)" test "${b:-99999}" -le 1000
b=$(bytes slow stop2)
check "... and again after more playing (${b:-?} bytes behind)" test "${b:-99999}" -le 1000
check "... five ] pressed on the slow link all arrive: 105 BPM (frames skipped, not keys)" got slow '^screen bpm ok'

# ---- 6. East Asian ambiguous width ------------------------------------------------------------
cat >"$TMP/glyphs.script" <<'EOF'
screen up 20 ^GR
send 0 asdfg
sleep 1
dump
send 0 \x03
exit quit 10
EOF
# dots_blocks NAME: how many U+00B7 and U+2581..2588 bytes groove sent.
dots_blocks() { grep -caE $'\xc2\xb7|\xe2\x96[\x81-\x88]' "$TMP/$1.log"; }
relay glyphs --cpr-col 3 --
check "a terminal with narrow ambiguous glyphs gets dots and blocks" test "$(dots_blocks glyphs)" -gt 0
check "... it was asked (ESC [ 6 n after two glyphs)" grep -qa $'\r\xc2\xb7\xe2\x96\x86\e\\[6n' "$TMP/glyphs.log"
cp "$TMP/glyphs.script" "$TMP/wide.script"
relay wide --cpr-col 5 --
check "a terminal that draws them wide gets ASCII: no · and no block after the probe" \
    test "$(tail -c +20 "$TMP/wide.log" | grep -caE $'\xc2\xb7|\xe2\x96[\x81-\x88]')" -eq 0
check "... the groove row shows digits" grep -qE '^GR +[1-9]' "$TMP/wide.out"
cp "$TMP/glyphs.script" "$TMP/ascii.script"
relay ascii --cpr-col 3 -- --glyphs ascii
check "--glyphs ascii: ASCII on a narrow terminal too" test "$(dots_blocks ascii)" -eq 0
cp "$TMP/glyphs.script" "$TMP/unicode.script"
relay unicode --cpr-col 5 -- --glyphs unicode
check "--glyphs unicode: blocks on a wide terminal (the player's choice)" test "$(dots_blocks unicode)" -gt 0
check "... and no probe is sent" bash -c "! grep -qa $'\e\\\\[6n' '$TMP/unicode.log'"
"$GROOVE" run --glyphs wide >/dev/null 2>"$TMP/glyphs.err"
rc=$?
check "--glyphs wide: a usage error, exit 2 with one line (got $rc)" \
    test "$rc" -eq 2 -a "$(wc -l <"$TMP/glyphs.err")" -eq 1

# ---- leaving: no late status answer reaches the shell -------------------------------------------
# Each frame is followed by a status request; on a slow link its answer (ESC [ 0 n) may still be
# on its way when groove quits. groove waits for it, so the shell that runs next reads nothing
# (it showed ^[[0n and took the n as typed).
cat >"$TMP/leave.script" <<'EOF'
screen up 30 ^GR
send 0 \x20
screen play 20 > PLAY
sleep 2
send 0 \x03
wait left 30 LEFT=
EOF
LEFT_READER='import os, termios, tty
tty.setraw(0, termios.TCSANOW)   # not TCSAFLUSH: keep what is there
os.write(1, b"\x1b[5n")   # answered after every answer before it: what comes first is left over
got = b""
while not got.endswith(b"\x1b[0n"):
    b = os.read(0, 256)
    if not b:
        break
    got += b
got = got[:-4]
print("LEFT=%r" % got, flush=True)'
timeout 120 "${RELAY[@]}" --rate 1000 --log "$TMP/leave.log" --script "$TMP/leave.script" -- \
    bash -c '"$1" run --midi-in none --no-session; /usr/bin/python3 -c "$2"' sh "$GROOVE" "$LEFT_READER" \
    >"$TMP/leave.out" 2>&1
check "after Ctrl-C on a slow link the shell reads nothing groove asked for ($(grep -ao 'LEFT=.*' "$TMP/leave.log" | head -1))" \
    grep -qa "LEFT=b''" "$TMP/leave.log"
# ---- a frozen link: SIGTERM still ends groove ----------------------------------------------------
# A stalled SSH connection takes no more output: a write of the screen blocks for ever (curses
# retries it through signals), so SIGTERM was never seen. Now the process ends within 10 s.
timeout 120 /usr/bin/python3 "$ROOT/tests/frozen_link.py" "$GROOVE" >"$TMP/frozen.out" 2>&1
sed 's/^/    /' "$TMP/frozen.out"
check "a frozen link: groove's screen write blocks (the case is made)" grep -q '^blocked' "$TMP/frozen.out"
check "... and SIGTERM still ends the process" grep -q '^ended' "$TMP/frozen.out"
finish
