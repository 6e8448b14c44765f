#!/usr/bin/env bash
# t_man.sh - the man page (docs/groove.1) covers every key the help overlay lists and every
# command `groove --help` lists, so a key added to the instrument cannot be left out of it.
# The help's keys are read from its narrow column (the arrays help_narrow and
# tui_form_help_narrow in app/cli/*.c: the first 9 characters of each entry are its keys);
# the man page's keys are the words set in bold in its KEYS section.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
MAN=docs/groove.1

check "the man page reads (man -l)" bash -c "man -l '$MAN' 2>/dev/null | grep -q 'KEYS'"

help_keys=$(python3 - help_narrow tui_form_help_narrow <<'EOF'
import glob, re, sys
keys = set()
srcs = [open(p).read() for p in sorted(glob.glob('app/cli/*.c'))]
for name in sys.argv[1:]:
    found = [re.search(r'\b' + name + r'\[\]\s*=\s*\{(.*?)\n\};', src, re.S) for src in srcs]
    found = [m for m in found if m]
    m = found[0] if found else None
    if not m:
        print('MISSING-' + name)
        continue
    for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)):
        lit = lit.replace('\\"', '"').replace('\\\\', '\\')
        keys.update(lit[:9].split())
for k in sorted(keys):
    print(k)
EOF
)
man_keys=$(python3 - "$MAN" <<'EOF'
import re, sys
src = open(sys.argv[1]).read()
sec = src.split('.SH KEYS', 1)[1].split('\n.SH ', 1)[0]
def plain(s):
    return s.replace('\\-', '-').replace('\\(ti', '~').replace('\\e', '\\').replace('\\&', '').replace('\\(dq', '"')
words = set()
for line in sec.splitlines():
    if line.startswith('.B '):
        words.update(plain(line[3:]).split())
    for b in re.findall(r'\\fB(.*?)\\f[RP]', line):
        words.update(plain(b).split())
for w in sorted(words):
    print(w)
EOF
)
check "the help overlay's keys are found (${help_keys//$'\n'/ })" test "$(wc -l <<<"$help_keys")" -gt 40
missing=""
while read -r k; do
    grep -qxF -- "$k" <<<"$man_keys" || missing="$missing $k"
done <<<"$help_keys"
check "the man page's KEYS section names every key of the help overlay (missing:${missing:- none})" test -z "$missing"

cmds=$("$GROOVE" --help 2>&1 | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
check "groove --help lists commands ($(echo $cmds))" test -n "$cmds"
missing=""
for c in $cmds; do
    sed -n '/^\.SH COMMANDS/,/^\.SH /p' "$MAN" | sed 's/\\-/-/g; s/\\f[BRIP]//g' | grep -qw -- "$c" || missing="$missing $c"
done
check "the man page's COMMANDS section names every command (missing:${missing:- none})" test -z "$missing"
finish
