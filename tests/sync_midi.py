"""sync_midi.py - MIDI files for the sync tests (tests/t_sync.sh): writes clock files (F7 escape
events at exact times, 1 tick = 1/48000 s) and reads any format 0/1 file back as
(seconds, kind, bytes) events, kind 'esc' for escapes and 'ch' for channel messages."""
import random
import struct


def _vlq(v):
    out = [v & 0x7f]
    v >>= 7
    while v:
        out.append(0x80 | (v & 0x7f))
        v >>= 7
    return bytes(reversed(out))


def write(path, events):
    """events: (seconds, bytes) escapes, or (seconds, bytes, 'ch') channel messages."""
    events = sorted(events, key=lambda e: e[0])
    trk = bytearray(_vlq(0) + bytes([0xff, 0x51, 3, 0x07, 0xa1, 0x20]))  # 120 BPM
    at = 0
    for e in events:
        tick = int(round(e[0] * 48000))
        trk += _vlq(tick - at)
        at = tick
        if len(e) > 2:
            trk += bytes(e[1])
        else:
            trk += bytes([0xf7]) + _vlq(len(e[1])) + bytes(e[1])
    trk += _vlq(0) + bytes([0xff, 0x2f, 0])
    with open(path, 'wb') as f:
        f.write(b'MThd' + struct.pack('>IHHH', 6, 0, 1, 24000) + b'MTrk' + struct.pack('>I', len(trk)) + trk)


class Clock:
    """Builds a clock: pulses at a tempo with uniform jitter, transport messages between them."""

    def __init__(self, t=0.2, seed=1):
        self.t = t
        self.events = []
        self.rng = random.Random(seed)

    def pulses(self, bpm, n, jitter=0.0):
        for _ in range(n):
            self.events.append((max(0.0, self.t + self.rng.uniform(-jitter, jitter)), [0xf8]))
            self.t += 60.0 / (bpm * 24)

    def message(self, data, before=0.005):
        """A message just before the next pulse; returns the next pulse's time."""
        self.events.append((self.t - before, list(data)))
        return self.t


def read(path):
    d = open(path, 'rb').read()
    ppq = struct.unpack('>H', d[12:14])[0]
    ntr = struct.unpack('>H', d[10:12])[0]
    p = 14
    raw = []
    for _ in range(ntr):
        ln = struct.unpack('>I', d[p + 4:p + 8])[0]
        q, end = p + 8, p + 8 + ln
        p = end
        t = st = 0

        def vlq():
            nonlocal q
            v = 0
            while True:
                b = d[q]
                q += 1
                v = (v << 7) | (b & 0x7f)
                if not b & 0x80:
                    return v
        while q < end:
            t += vlq()
            b = d[q]
            if b == 0xff:
                typ = d[q + 1]
                q += 2
                n = vlq()
                raw.append((t, 'meta', bytes([typ]) + d[q:q + n]))
                q += n
            elif b in (0xf7, 0xf0):
                q += 1
                n = vlq()
                raw.append((t, 'esc' if b == 0xf7 else 'sysex', d[q:q + n]))
                q += n
            else:
                if b & 0x80:
                    st = b
                    q += 1
                n = 1 if st & 0xf0 in (0xc0, 0xd0) else 2
                raw.append((t, 'ch', bytes([st]) + d[q:q + n]))
                q += n
    raw.sort(key=lambda e: e[0])
    tempos = [(e[0], int.from_bytes(e[2][1:4], 'big')) for e in raw if e[1] == 'meta' and e[2][0] == 0x51]

    def sec(tick):
        s, at, us = 0.0, 0, 500000
        for tt, u in tempos:
            if tt > tick:
                break
            s += (tt - at) * us / ppq * 1e-6
            at, us = tt, u
        return s + (tick - at) * us / ppq * 1e-6
    return [(sec(e[0]), e[1], e[2]) for e in raw]


def note_ons(events):
    return [(t, b[1], b[2]) for t, k, b in events if k == 'ch' and b[0] & 0xf0 == 0x90 and b[2] > 0]


def escapes(events):
    return [(t, b) for t, k, b in events if k == 'esc']
