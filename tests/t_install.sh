#!/usr/bin/env bash
# t_install.sh - make install into a temporary DESTDIR, then the installed groove run from a
# folder of its own with the build folder out of reach: it finds its model and kit under
# PREFIX/share/groove, generate and render work, --version names the model, the man page is
# there; make uninstall removes what install put there.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

DEST="$TMP/dest"
PREFIX=/opt/groove-test
make --no-print-directory install DESTDIR="$DEST" PREFIX="$PREFIX" >"$TMP/install.log" 2>&1
check "make install DESTDIR=... PREFIX=$PREFIX succeeds ($(tail -1 "$TMP/install.log"))" test $? -eq 0
BIN="$DEST$PREFIX/bin/groove"
SHARE="$DEST$PREFIX/share/groove"
check "the binary is installed" test -x "$BIN"
check "the default model is installed" test -s "$SHARE/models/default.gtm"
check "the default kit's 9 samples are installed" test "$(ls "$SHARE/samples"/*.wav | wc -l)" -eq 9
check "the man page is installed and reads (groove(1))" \
    bash -c "man -l '$DEST$PREFIX/share/man/man1/groove.1' 2>/dev/null | grep -q 'KEYS'"

# Run from a folder of its own: no samples/ or nn/ in the working directory, no GROOVE_MODEL,
# and the installed copy's /proc/self/exe points into DESTDIR, not the build folder.
mkdir -p "$TMP/elsewhere" "$TMP/home"
cd "$TMP/elsewhere" || exit 1
run() { env -u GROOVE_MODEL HOME="$TMP/home" XDG_DATA_HOME="$TMP/home/data" XDG_STATE_HOME="$TMP/home/state" "$BIN" "$@"; }
out=$(run --version)
check "--version prints the version ($(head -1 <<<"$out"))" grep -q "^groove $(cat "$ROOT/VERSION")$" <<<"$out"
check "... and the installed model it would load ($(sed -n 2p <<<"$out"))" \
    grep -qx "model: $DEST$PREFIX/bin/../share/groove/models/default.gtm (found)" <<<"$out"
case "$out" in *"$ROOT"*) fail "the installed groove does not reach into the build folder ($out)" ;;
*) pass "the installed groove does not reach into the build folder" ;; esac
out=$(run kits --load default 2>&1)
check "the installed default kit plays, from PREFIX/share/groove/samples ($(head -1 <<<"$out"))" \
    grep -q "^default ($DEST$PREFIX/bin/../share/groove/samples): 9 of 9 voices" <<<"$out"

# A groove to drum to: closed hats on every 8th for 2 bars at 120 bpm, PPQ 96.
{
    printf 'MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x8b'
    printf '\x00\xff\x51\x03\x07\xa1\x20'
    for ((i = 0; i < 16; i++)); do printf '\x00\x99\x2a\x64\x30\x89\x2a\x00'; done
    printf '\x00\xff\x2f\x00'
} >groove.mid
out=$(run generate groove.mid -o drums.mid 2>&1)
check "the installed groove generates drums ($out)" test -s drums.mid
check "... with the installed model" grep -q "model $DEST$PREFIX/bin/../share/groove/models/default.gtm" <<<"$out"
out=$(run render drums.mid -o drums.wav 2>&1)
check "the installed groove renders them with the installed kit ($out)" test -s drums.wav -a -n "$(grep 'kit default' <<<"$out")"
cd "$ROOT" || exit 1

make --no-print-directory uninstall DESTDIR="$DEST" PREFIX="$PREFIX" >"$TMP/uninstall.log" 2>&1
check "make uninstall succeeds" test $? -eq 0
left=$(find "$DEST" -type f | wc -l)
check "make uninstall removes every file install put there ($left left)" test "$left" -eq 0
finish
