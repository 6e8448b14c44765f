#!/usr/bin/env bash
# t_form.sh - issue 16 end to end: evolve over loops of a played-in groove, a chain of sections
# rendered headless in order and at the right length, stems that add up to the mix, --gain on a
# stem, mono stems, multitrack MIDI, and the one-line errors.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
export XDG_STATE_HOME="$TMP/state" HOME="$TMP/home"
PY=/usr/bin/python3

# A 2-bar groove file (one loop long, so every loop plays the same groove), and a one-bar one.
"$PY" - "$TMP/g.mid" "$TMP/one.mid" <<'PY'
import struct, sys
def write(path, steps):
    ev = []
    for s in steps:
        ev += [(s * 120, 0x99, 36, 100 if s % 4 == 0 else 70), (s * 120 + 60, 0x89, 36, 0)]
    ev.sort()
    def vlq(n):
        b = [n & 0x7f]; n >>= 7
        while n: b.append((n & 0x7f) | 0x80); n >>= 7
        return bytes(reversed(b))
    trk, last = b'\x00\xff\x51\x03' + struct.pack('>I', 600000)[1:], 0
    for t, st, n, v in ev:
        trk += vlq(t - last) + bytes([st, n, v]); last = t
    trk += vlq(32 * 120 - last) + b'\xff\x2f\x00'
    open(path, 'wb').write(b'MThd' + struct.pack('>IHHH', 6, 0, 1, 480) + b'MTrk' + struct.pack('>I', len(trk)) + trk)
steps = [0, 3, 4, 6, 8, 10, 11, 12, 14, 16, 19, 20, 22, 24, 26, 27, 28, 30]
write(sys.argv[1], steps)
write(sys.argv[2], [s for s in steps if s < 16])
PY

# evolve X: loops 1.. of the played-in groove (loop 0 against loop 1 too: the part asked for at
# play once came back before the first block and played in loops 0 and 1 alike).
evolve_run() {
    "$GROOVE" run --headless --no-session --play-groove "$TMP/g.mid" --out-wav "$TMP/e.wav" --loops 16 --json \
        --evolve "$1" >"$TMP/evolve$1.json" 2>"$TMP/err"
}
check "--evolve 0 runs" evolve_run 0
check "--evolve 0.5 runs" evolve_run 0.5
check "--evolve 1 runs" evolve_run 1
"$PY" - "$TMP" >"$TMP/evolve.out" <<'PY'
import json, sys
def loops(x):
    out = []
    for line in open(f"{sys.argv[1]}/evolve{x}.json"):
        if line.startswith('{'):
            d = json.loads(line)
            if d['loop'] >= 1:
                out.append((d['hits'], d['changed_cells']))
    return out
e0, e5, e1 = loops('0'), loops('0.5'), loops('1')
base = e0[0][0]
print('evolve0', all(c == 0 for h, c in e0), len(e0) == 15)
print('evolve0.5 most', sum(1 for h, c in e5 if c > 0) > len(e5) / 2)
print('evolve0.5 hits', base > 0 and all(abs(h - base) <= 0.25 * base for h, c in e5), base, [h for h, c in e5])
print('evolve1 all', all(c > 0 for h, c in e1), [c for h, c in e1])
PY
check "--evolve 0: consecutive loops of a played-in groove change no cell" grep -q "^evolve0 True True" "$TMP/evolve.out"
check "--evolve 0.5: most loops change some cells" grep -q "^evolve0.5 most True" "$TMP/evolve.out"
check "--evolve 0.5: hits per loop within 25 % of the evolve-0 part's ($(grep 'hits' "$TMP/evolve.out"))" \
    grep -q "^evolve0.5 hits True" "$TMP/evolve.out"
check "--evolve 1: every loop changes" grep -q "^evolve1 all True" "$TMP/evolve.out"

# One-bar figures: a groove tapped in bar 1 only gives drums in bar 2 too (repeat on by default).
"$GROOVE" run --headless --no-session --play-groove "$TMP/one.mid" --out-wav "$TMP/one.wav" --loops 3 \
    --out-mid "$TMP/one_part.mid" >/dev/null 2>&1
check "a one-bar groove: the part plays in bar 2 as well" \
    sh -c "'$GROOVE' show '$TMP/one_part.mid' --bar 2 2>&1 | grep -E '^(K|S|CH) ' | grep -q '|.*[^ |].*|[^|]*[^ |][^|]*|'"

"$PY" -c "import zlib,sys; b='groove-session 2\nbpm 100\nbar_repeat 0\n'; open(sys.argv[1],'w').write(b + 'end %08x\n' % (zlib.crc32(b.encode()) & 0xffffffff))" \
    "$TMP/norep.session"
"$GROOVE" run --headless --session "$TMP/norep.session" --play-groove "$TMP/one.mid" --out-wav "$TMP/one.wav" \
    --loops 3 --out-mid "$TMP/one_part2.mid" >/dev/null 2>&1
# With the repeat off the model hears nothing in bar 2. (It used to leave bar 2 silent; the
# model of issue 13 accompanies a few taps with a full part, so the check is now that the
# repeat changes what bar 2 plays.)
check "with the repeat off (bar_repeat 0 in the session) bar 2 plays another part than with it on" \
    bash -c "! cmp -s <('$GROOVE' show '$TMP/one_part.mid' --bar 2 --json 2>&1 | grep -v '\"file\"') <('$GROOVE' show '$TMP/one_part2.mid' --bar 2 --json 2>&1 | grep -v '\"file\"')"

# run --out-mid --tracks: one track per voice; the feel shapes the export (timing 0: on the grid).
"$PY" -c "import zlib,sys; b='groove-session 2\nbpm 100\nfeel 0 1\n'; open(sys.argv[1],'w').write(b + 'end %08x\n' % (zlib.crc32(b.encode()) & 0xffffffff))" \
    "$TMP/grid.session"
"$GROOVE" run --headless --session "$TMP/grid.session" --play-groove "$TMP/g.mid" --out-wav "$TMP/grid.wav" --loops 3 \
    --out-mid "$TMP/grid.mid" --tracks >/dev/null 2>&1
"$GROOVE" run --headless --no-session --play-groove "$TMP/g.mid" --out-wav "$TMP/free.wav" --loops 3 \
    --out-mid "$TMP/free.mid" >/dev/null 2>&1
cat >"$TMP/ticks.py" <<'PY'
import sys
def notes(path):
    d = open(path, 'rb').read()
    fmt, ntrk, ppq = (int.from_bytes(d[i:i + 2], 'big') for i in (8, 10, 12))
    i, out = 14, []
    for _ in range(ntrk):
        ln = int.from_bytes(d[i + 4:i + 8], 'big'); p, end, t, run = i + 8, i + 8 + ln, 0, 0
        while p < end:
            v = 0
            while True:
                b = d[p]; p += 1; v = (v << 7) | (b & 0x7f)
                if b < 0x80: break
            t += v
            st = d[p]
            if st == 0xff:
                n = d[p + 2]; p += 3 + n; continue
            if st & 0x80: run = st; p += 1
            if run & 0xf0 == 0x90 and d[p + 1] > 0: out.append(t)
            p += 2
        i = end
    return fmt, ntrk, ppq, out
fmt, ntrk, ppq, ticks = notes(sys.argv[1])
step = ppq // 4
print(fmt, ntrk, len(ticks), sum(1 for t in ticks if t % step), sep=' ')
PY
check "run --out-mid --tracks writes a track per voice ($("$PY" "$TMP/ticks.py" "$TMP/grid.mid"))" \
    sh -c "$PY '$TMP/ticks.py' '$TMP/grid.mid' | grep -qE '^1 [3-9] [1-9][0-9]* '"
check "feel timing 0: every exported hit on the grid" sh -c "$PY '$TMP/ticks.py' '$TMP/grid.mid' | grep -qE ' 0$'"
check "feel timing 1 (default): the model's micro-timing is exported ($("$PY" "$TMP/ticks.py" "$TMP/free.mid"))" \
    sh -c "$PY '$TMP/ticks.py' '$TMP/free.mid' | grep -qE '^0 1 [0-9]+ [1-9]'"

# An offline render of a file whose loops differ: loop 0 plays loop 0's part (it played loop 1's:
# the next loop's groove went in before loop 0 had started). The loop lines (what the engine
# plays) and --out-mid (the parts logged) agree loop by loop; feel timing 0 keeps notes on steps.
"$PY" - "$TMP/three.mid" <<'PY'
import struct, sys
loops = [[0, 8, 16, 24], [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30], [0, 3, 6, 10, 12, 19, 22, 26, 28]]
ev = []
for k, steps in enumerate(loops):
    for s in steps:
        t = (32 * k + s) * 120
        ev += [(t, 0x99, 38, 100), (t + 60, 0x89, 38, 0)]
ev.sort()
def vlq(n):
    b = [n & 0x7f]; n >>= 7
    while n: b.append((n & 0x7f) | 0x80); n >>= 7
    return bytes(reversed(b))
trk, last = b'\x00\xff\x51\x03' + struct.pack('>I', 600000)[1:], 0
for t, st, n, v in ev:
    trk += vlq(t - last) + bytes([st, n, v]); last = t
trk += vlq(96 * 120 - last) + b'\xff\x2f\x00'
open(sys.argv[1], 'wb').write(b'MThd' + struct.pack('>IHHH', 6, 0, 1, 480) + b'MTrk' + struct.pack('>I', len(trk)) + trk)
PY
"$GROOVE" run --headless --session "$TMP/grid.session" --play-groove "$TMP/three.mid" --out-wav "$TMP/three.wav" \
    --loops 3 --json --out-mid "$TMP/three_part.mid" >"$TMP/three.json" 2>"$TMP/err"
for b in 0 2 4; do "$GROOVE" show "$TMP/three_part.mid" --bar $b --json >"$TMP/three_bar$b.json" 2>>"$TMP/err"; done
"$PY" - "$TMP" >"$TMP/three.out" <<'PY'
import json, sys
d = sys.argv[1]
lines = [json.loads(l)['hits'] for l in open(f"{d}/three.json") if l.startswith('{')]
mid = [sum(1 for row in json.load(open(f"{d}/three_bar{b}.json"))['hvo'] for v in range(9) if row[v] > 0) for b in (0, 2, 4)]
print('lines', lines, 'mid', mid, 'same' if lines == mid else 'differ')
PY
check "an offline render of a file: each loop plays its own part ($(cat "$TMP/three.out"))" grep -q " same$" "$TMP/three.out"

# A session with sections A and B and a chain, written as a version-2 file.
"$PY" - "$TMP/song.session" <<'PY'
import sys, zlib
def state(taps):
    s = "bpm 120\nswing 0\ndensity 0.5\ntemperature 1\nstyle none\nfill_every 0\nseed 1\nvariation 0\n"
    s += "kept 0\nmuted 0\nsoloed 0\nrecord overdub\n"
    return s + "".join("tap %d %g 0\n" % (t, v) for t, v in taps)
a = [(t, 0.9 if t % 4 == 0 else 0.6) for t in range(0, 32, 2)]
b = [(t, 0.8) for t in (0, 8, 16, 24)]
body = "groove-session 2\n" + state(a) + "latent 128\nchain A*2 B\nauto_fill 0\n"
body += "section A\n" + state(a) + "section end\nsection B\n" + state(b) + "section end\n"
open(sys.argv[1], "w").write(body + "end %08x\n" % (zlib.crc32(body.encode()) & 0xffffffff))
PY
cp "$TMP/song.session" "$TMP/song.orig"
out=$("$GROOVE" render --session "$TMP/song.session" -o "$TMP/mix.wav" --stems "$TMP/stems" --midi "$TMP/tracks.mid" \
    --tracks 2>"$TMP/err")
check "render --session renders the chain: $out" test -s "$TMP/mix.wav"
check "the sections play in order: A A B" grep -q "sections: A A B" <<<"$out"
check "the session file is read, not written" cmp -s "$TMP/song.session" "$TMP/song.orig"
check "the mix stays under the limiter, so stems add up to it" grep -q "under the limiter" <<<"$out"
# 3 loops at 120 BPM (4 s each) + 1 s of ring-out = 13 s = 624000 frames at 48 kHz
"$PY" - "$TMP" >"$TMP/stems.out" <<'PY'
import array, math, os, sys, wave
d = sys.argv[1]
def rd(p):
    w = wave.open(p)
    return array.array('h', w.readframes(w.getnframes())), w.getnchannels(), w.getnframes()
mix, ch, n = rd(f"{d}/mix.wav")
print('length', n, ch)
names = sorted(os.listdir(f"{d}/stems"))
print('stems', ' '.join(names))
acc = [0] * len(mix)
same = True
for f in names:
    a, c, m = rd(f"{d}/stems/{f}")
    same &= m == n and c == ch
    for i, x in enumerate(a):
        acc[i] += x
res = max(abs(acc[i] - mix[i]) for i in range(len(mix))) / 32768.0
print('same_length', same)
print('residual_dbfs %.1f' % (20 * math.log10(max(res, 1e-9))), 'ok' if res < 10 ** (-60 / 20) else 'bad')
PY
check "the mix lasts the chain's 3 loops plus 1 s ($(grep length "$TMP/stems.out"))" grep -q "^length 624000 2" "$TMP/stems.out"
check "one stem per voice that plays ($(grep stems "$TMP/stems.out"))" grep -q "^stems .*kick.wav.*snare.wav" "$TMP/stems.out"
check "every stem is as long as the mix" grep -q "^same_length True" "$TMP/stems.out"
check "the stems add up to the mix within -60 dBFS ($(grep residual "$TMP/stems.out"))" grep -q "^residual_dbfs .* ok" "$TMP/stems.out"
"$PY" - "$TMP/tracks.mid" >"$TMP/tracks.out" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
fmt, ntrk = int.from_bytes(d[8:10], 'big'), int.from_bytes(d[10:12], 'big')
i, names = 14, []
while i < len(d):
    ln = int.from_bytes(d[i + 4:i + 8], 'big')
    body = d[i + 8:i + 8 + ln]
    names.append(body[4:4 + body[3]].decode() if body[1:3] == b'\xff\x03' else '?')
    i += 8 + ln
print(fmt, ntrk, ' '.join(names), 'tempo' if b'\xff\x51' in d[14:40] else 'notempo')
PY
check "--tracks: a format-1 MIDI file, track 0 the tempo map, one named track per voice ($(cat "$TMP/tracks.out"))" \
    grep -q "^1 [0-9]* tempo kick snare.* tempo$" "$TMP/tracks.out"
# the same render as one track: the per-voice tracks read back with the same hits in bars 0-1
"$GROOVE" render --session "$TMP/song.session" -o "$TMP/flat.wav" --midi "$TMP/flat.mid" >/dev/null 2>>"$TMP/err"
n_tracks=$("$GROOVE" show "$TMP/tracks.mid" 2>/dev/null | sed -n 's/^\([0-9]*\) notes.*/\1/p')
n_flat=$("$GROOVE" show "$TMP/flat.mid" 2>/dev/null | sed -n 's/^\([0-9]*\) notes.*/\1/p')
check "the MIDI file reads back with the hits of the one-track render (bars 0-1: $n_tracks and $n_flat)" \
    test -n "$n_tracks" -a "${n_tracks:-0}" -gt 0 -a "$n_tracks" = "$n_flat"

"$GROOVE" render --session "$TMP/song.session" --stems "$TMP/stems6" --gain snare=-6 --gain CH=0 >/dev/null 2>&1
"$PY" - "$TMP" >"$TMP/gain.out" <<'PY'
import array, math, sys, wave
d = sys.argv[1]
def rms(p):
    w = wave.open(p); a = array.array('h', w.readframes(w.getnframes()))
    return math.sqrt(sum(x * x for x in a) / len(a))
print('snare %.2f kick %.2f' % (20 * math.log10(rms(f"{d}/stems6/snare.wav") / rms(f"{d}/stems/snare.wav")),
                                 20 * math.log10(rms(f"{d}/stems6/kick.wav") / rms(f"{d}/stems/kick.wav"))))
PY
check "--gain snare=-6 lowers the snare stem by 6 dB, the kick stays ($(cat "$TMP/gain.out"))" \
    grep -qE "^snare -6.0[0-9] kick [-]?0.00$" "$TMP/gain.out"
"$GROOVE" render --session "$TMP/song.session" --stems "$TMP/mono" --mono --pan kick=-1 >/dev/null 2>&1
check "--mono: stems have one channel" sh -c "$PY -c \"import wave; print(wave.open('$TMP/mono/kick.wav').getnchannels())\" | grep -qx 1"

# render DRUMS.mid takes --gain and --pan too (g.mid is kick only: the mix is the kick's strip).
"$GROOVE" render "$TMP/g.mid" -o "$TMP/plain.wav" >/dev/null 2>&1
"$GROOVE" render "$TMP/g.mid" -o "$TMP/plain6.wav" --gain kick=-6 >/dev/null 2>&1
"$GROOVE" render "$TMP/g.mid" -o "$TMP/plainL.wav" --pan K=-1 >/dev/null 2>&1
"$PY" - "$TMP" >"$TMP/plain.out" <<'PY'
import array, math, sys, wave
d = sys.argv[1]
def rd(p):
    w = wave.open(p); return array.array('h', w.readframes(w.getnframes()))
def rms(a):
    return math.sqrt(sum(x * x for x in a) / len(a)) if a else 0.0
a, b, l = rd(f"{d}/plain.wav"), rd(f"{d}/plain6.wav"), rd(f"{d}/plainL.wav")
print('gain %.2f right %d left %d' % (20 * math.log10(rms(b) / rms(a)), max(abs(x) for x in l[1::2]),
                                      max(abs(x) for x in l[0::2])))
PY
check "render DRUMS.mid --gain kick=-6 lowers the kick by 6 dB, --pan K=-1 puts it left ($(cat "$TMP/plain.out"))" \
    grep -qE "^gain -6.0[0-9] right 0 left [1-9]" "$TMP/plain.out"

# A chain of two sections played headless: the loop lines name the section.
"$GROOVE" run --headless --session "$TMP/song.session" --out-wav "$TMP/run.wav" --loops 5 --json --chain "B A" \
    >"$TMP/chain.json" 2>"$TMP/err"
check "run --chain 'B A': loop lines carry the section ($(grep -o '"section":[^,]*' "$TMP/chain.json" | tr '\n' ' '))" \
    sh -c "grep -o '\"section\":[^,]*' '$TMP/chain.json' | tr -d '\n' | grep -q '\"section\":\"B\"\"section\":\"A\"\"section\":\"B\"\"section\":\"A\"\"section\":\"B\"'"

# Errors: one line, status 1 for bad input, 2 for usage.
bad() {
    local want=$1 what=$2; shift 2
    "$GROOVE" "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    check "$what: exit $want (got $rc)" test "$rc" -eq "$want"
    check "$what: one line starting 'groove:'" sh -c "test \$(wc -l <'$TMP/err') -eq 1 && grep -q '^groove: ' '$TMP/err'"
}
bad 2 "--gain without '='" render --session "$TMP/song.session" -o "$TMP/x.wav" --gain snare
bad 2 "--gain of an unknown voice" run --headless --gain cowbell=1
bad 2 "--pan out of range" render --session "$TMP/song.session" -o "$TMP/x.wav" --pan kick=3
bad 2 "--evolve out of range" run --headless --evolve 2
bad 2 "--tracks without --midi" render --session "$TMP/song.session" -o "$TMP/x.wav" --tracks
bad 1 "a missing session" render --session "$TMP/none.session" -o "$TMP/x.wav"
bad 2 "--chain with an unknown section" run --headless --no-session --out-wav "$TMP/x.wav" --chain "A Q"
bad 1 "--chain of empty sections" run --headless --no-session --out-wav "$TMP/x.wav" --chain "C D"
bad 2 "render DRUMS.mid --gain of an unknown voice" render "$TMP/g.mid" -o "$TMP/x.wav" --gain cowbell=1
bad 2 "--mono without --stems" render --session "$TMP/song.session" -o "$TMP/x.wav" --mono
"$GROOVE" render --session "$TMP/song.session" --stems "$TMP/stems_only" >"$TMP/stems_only.out" 2>&1
check "stems without -o: the report claims no mix peak ($(head -1 "$TMP/stems_only.out"))" \
    sh -c "test -s '$TMP/stems_only/kick.wav' && grep -qE '[1-9] stems' '$TMP/stems_only.out' && ! grep -q 'mix peak' '$TMP/stems_only.out'"
printf 'groove-session 2\nbpm 100\nend 00000000\n' >"$TMP/corrupt.session"
bad 1 "a corrupt session" render --session "$TMP/corrupt.session" -o "$TMP/x.wav"
check "a corrupt session given to render is left where it is" test -f "$TMP/corrupt.session"
bad 1 "a folder as the session" render --session "$TMP" -o "$TMP/x.wav"
check "... says it cannot be read ($(cat "$TMP/err"))" grep -q "^groove: session '$TMP': cannot read $TMP: Is a directory" "$TMP/err"
# An offline run reads a named session (never writing it): one missing, corrupt or unreadable
# is said in one line, and the defaults play.
for s in "$TMP/none.session" "$TMP/corrupt.session" "$TMP"; do
    "$GROOVE" run --headless --session "$s" --out-wav "$TMP/x.wav" --loops 1 >/dev/null 2>"$TMP/err"
    rc=$?
    check "run --headless --session $(basename "$s") --out-wav: plays the defaults (exit $rc) and says why ($(cat "$TMP/err"))" \
        sh -c "test $rc -eq 0 && test \$(wc -l <'$TMP/err') -eq 1 && grep -qE '^groove: (no session file|session file unreadable|cannot read)' '$TMP/err'"
done
check "... and leaves the corrupt session where it is" test -f "$TMP/corrupt.session"

finish
