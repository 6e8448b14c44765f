#!/usr/bin/env bash
# t_build.sh - checks the build's promises: the musical core includes no ncurses, PortAudio
# or PortMidi header; every command answers --help; unknown commands are refused.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

# The pure rooms (see the Makefile and docs/architecture.md) include no device or terminal header.
impure=$(grep -lE '#\s*include\s*[<"](n?curses|ncursesw/curses|portaudio|portmidi|porttime)\.h' \
    core/*.[ch] nn/*.[ch] nn/*/*.[ch] synth/*.[ch] app/play/*.[ch] 2>/dev/null)
check "core includes no ncurses/PortAudio/PortMidi header${impure:+ (offenders: $impure)}" test -z "$impure"

quiet() { "$@" >/dev/null 2>&1; }
check "groove --help exits 0" quiet "$GROOVE" --help
"$GROOVE" --help >"$TMP/help"
commands=$(awk '/^commands:/{on=1; next} on && NF {print $1}' "$TMP/help")
check "groove --help lists commands" test -n "$commands"
for c in $commands; do
    out=$("$GROOVE" "$c" --help 2>&1)
    rc=$?
    check "groove $c --help exits 0 and prints usage" test "$rc" -eq 0 -a -n "$out"
done
"$GROOVE" no-such-command >/dev/null 2>"$TMP/err"
rc=$?
check "unknown command exits 2" test "$rc" -eq 2
check "unknown command says so in one line" test "$(wc -l <"$TMP/err")" -eq 1
finish
