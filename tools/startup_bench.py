#!/usr/bin/env python3
"""startup_bench.py - how soon groove is ready: command to drawn screen, and to the first audio
block (the status line says "sound on", or "running silent" without a device). Runs the instrument in a pseudo-terminal N times
(argument 1, default 5; more arguments go to groove run) and prints the median and the worst of each, in ms. A benchmark (make
bench), not a test: the figures depend on the machine and its load."""
import os, pty, select, signal, statistics, sys, time

def once(cmd, env):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(cmd[0], cmd, env)
    start = time.monotonic()
    out = b""
    drawn = sound = None
    while time.monotonic() - start < 10 and (drawn is None or sound is None):
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            now = time.monotonic()
            if drawn is None and b"BPM" in out:
                drawn = now - start
            if sound is None and (b"sound on" in out or b"running silent" in out):
                sound = now - start
            # answer as a terminal would: status requests (kept up), cursor queries (the glyph
            # probe: two narrow glyphs from column 1 end in column 3)
            for _ in range(chunk.count(b"\x1b[5n")):
                os.write(fd, b"\x1b[0n")
            for _ in range(chunk.count(b"\x1b[6n")):
                os.write(fd, b"\x1b[1;3R")
    os.kill(pid, signal.SIGTERM)
    try:
        while True:
            r, _, _ = select.select([fd], [], [], 0.2)
            if not r or not os.read(fd, 65536):
                break
    except OSError:
        pass
    os.waitpid(pid, 0)
    return drawn, sound

def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    groove = os.environ.get("GROOVE", "./groove")
    env = dict(os.environ, TERM="xterm-256color", LC_ALL="C.UTF-8", LANG="C.UTF-8")
    cmd = [groove, "run", "--no-session", "--midi-in", "none"] + sys.argv[2:]
    drawn, sound = [], []
    for _ in range(runs):
        d, s = once(cmd, env)
        if d is not None:
            drawn.append(d * 1000)
        if s is not None:
            sound.append(s * 1000)
    def line(name, xs):
        if not xs:
            return "%-28s not seen" % name
        return "%-28s median %6.1f ms  worst %6.1f ms  (%d runs)" % (name, statistics.median(xs), max(xs), len(xs))
    print(line("command to drawn screen", drawn))
    print(line("command to first audio block", sound))
    return 0 if drawn else 1

if __name__ == "__main__":
    sys.exit(main())
