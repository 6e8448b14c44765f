#!/usr/bin/env bash
# t_build.sh - checks the build's promises: the walls between the rooms (docs/architecture.md)
# are compiler errors, the whole table: for every pair of rooms, a probe file compiled with one
# room's include list (make rooms) that includes a header of the other compiles exactly when
# the design allows that arrow; header names are unique across rooms (so a probe means what it
# says); curses only in app/cli, PortAudio/PortMidi/Link only in app/dev; every command answers
# --help; unknown commands are refused.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

# The pure rooms (see the Makefile and docs/architecture.md) include no device or terminal header.
impure=$(grep -lE '#\s*include\s*[<"](n?curses|ncursesw/curses|portaudio|portmidi|porttime)\.h' \
    core/*.[ch] nn/*.[ch] nn/*/*.[ch] synth/*.[ch] app/play/*.[ch] 2>/dev/null)
check "core includes no ncurses/PortAudio/PortMidi header${impure:+ (offenders: $impure)}" test -z "$impure"

# The design: which rooms each room may include (besides itself). Everything else is a never.
declare -A allowed=(
    [core]=""
    [nn]="core"
    [nn/train]="nn core"
    [nn/eval]="nn/train nn core"
    [synth]="core"
    [app/play]="synth nn core"
    [app/dev]="synth core"
    [app/cli]="app/dev app/play synth nn/eval nn/train nn core"
)
# docs/architecture.md draws the same table: its rows must say what allowed says, and every
# folder with C files under core/, nn/, synth/ and app/ must be a room in it.
doc_bad=""
cols=$(grep -m1 '^| room \\ includes' docs/architecture.md | tr -d ' ' | tr '|' '\n' | tail -n +3)
for room in "${!allowed[@]}"; do
    row=$(grep -E "^\| $room +\|" docs/architecture.md | tr -d ' ' | tr '|' '\n' | tail -n +3)
    got=$(paste <(echo "$cols") <(echo "$row") | awk '$2 == "yes" {print $1}' | sort | xargs)
    want=$(for a in ${allowed[$room]}; do echo "$a"; done | sort | xargs)
    [ "$got" = "$want" ] || doc_bad="$doc_bad $room(doc: $got; design: $want)"
done
for d in $(find core nn synth app -name '*.c' -printf '%h\n' | sort -u); do
    [ -n "${allowed[$d]+x}" ] || doc_bad="$doc_bad $d(not a room)"
done
check "docs/architecture.md's table is the design, and every folder with C files is a room${doc_bad:+ (wrong:$doc_bad)}" \
    test -z "$doc_bad"
# One header per room to probe with (it includes only what its own room may).
declare -A probe=(
    [core]=hvo.h [nn]=kernels.h [nn/train]=dataset.h [nn/eval]=distcmp.h
    [synth]=kit.h [app/play]=feel.h [app/dev]=dev_midi.h [app/cli]=commands.h
)
CC=${CC:-cc}
make -s --no-print-directory rooms >"$TMP/rooms"
check "make rooms lists the 8 rooms' include lists" test "$(wc -l <"$TMP/rooms")" -eq 8
dups=$(for r in "${!allowed[@]}"; do ls "$r"/*.h 2>/dev/null; done | xargs -n1 basename | sort | uniq -d | tr '\n' ' ')
check "every header name is unique across the rooms${dups:+ (twice: $dups)}" test -z "$dups"
bad_walls=""
pairs=0
while IFS='|' read -r room inc sys; do
    for other in "${!probe[@]}"; do
        printf '#include "%s"\nint probe_unused;\n' "${probe[$other]}" >"$TMP/probe.c"
        # shellcheck disable=SC2086
        if $CC -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -fsyntax-only $inc $sys "$TMP/probe.c" 2>/dev/null; then
            got=yes
        else
            got=no
        fi
        want=no
        [ "$other" = "$room" ] && want=yes
        for a in ${allowed[$room]}; do [ "$a" = "$other" ] && want=yes; done
        pairs=$((pairs + 1))
        [ "$got" = "$want" ] || bad_walls="$bad_walls $room->$other(compiles:$got,design:$want)"
    done
done <"$TMP/rooms"
check "all $pairs room pairs: an include across a wall fails to compile, an allowed one compiles${bad_walls:+ (wrong:$bad_walls)}" \
    test -z "$bad_walls" -a "$pairs" -eq 64

# System headers by room: curses only in app/cli, PortAudio/PortMidi/Link only in app/dev.
curses=$(grep -lE '#\s*include\s*[<"](n?curses|ncursesw/curses)\.h' core/*.[ch] nn/*.[ch] nn/*/*.[ch] synth/*.[ch] \
    app/play/*.[ch] app/dev/*.[ch] 2>/dev/null)
check "curses only in app/cli${curses:+ (also in: $curses)}" test -z "$curses"
devices=$(grep -lE '#\s*include\s*[<"](portaudio|portmidi|porttime|abl_link|ableton/Link)[^>"]*[>"]' core/*.[ch] nn/*.[ch] \
    nn/*/*.[ch] synth/*.[ch] app/play/*.[ch] app/cli/*.[ch] 2>/dev/null)
check "PortAudio, PortMidi and Link only in app/dev${devices:+ (also in: $devices)}" test -z "$devices"

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
out=$("$GROOVE" help show 2>&1)
check "groove help show prints show's usage" grep -q '^usage: groove show' <<<"$out"
for a in --version --help; do
    "$GROOVE" $a stray >"$TMP/out" 2>"$TMP/err"
    rc=$?
    check "groove $a with a stray argument is a usage error: exit 2 ($rc), one groove: line, nothing on stdout" \
        test "$rc" -eq 2 -a "$(wc -l <"$TMP/err")" -eq 1 -a ! -s "$TMP/out" -a -n "$(grep '^groove: ' "$TMP/err")"
done
finish
