#!/usr/bin/python3
"""pty_relay.py - a terminal at the far end of a link, for the TUI tests.

Runs a command on a pseudo-terminal and plays the far end: sends chosen bytes with chosen
gaps, carries the command's output at a chosen rate (a slow SSH link), answers the status
and cursor-position queries a terminal answers (ESC [ 5 n -> ESC [ 0 n; ESC [ 6 n ->
ESC [ 1 ; COL R, with COL set by --cpr-col: 3 for a terminal that draws the ambiguous glyphs
narrow, 5 for one that draws them wide), only once the query has crossed the link, as a real
terminal does; and can drop the link. Without --ctty the command gets the pty as its
terminal but not as its controlling terminal, so dropping the link sends it no SIGHUP (as
behind nohup-style wrappers): it must notice by itself.

    pty_relay.py [--rate BYTES_PER_S] [--cpr-col N] [--no-answer] [--size ROWSxCOLS]
                 [--log FILE] [--stderr FILE] [--ctty] --script FILE -- COMMAND...

The script, one step a line (# comments):
    sleep S                 wait S seconds
    send GAP_MS TEXT        send TEXT (the rest of the line; Python escapes: \\x1b, \\r, \\x20
                            ...), GAP_MS milliseconds between its bytes (0: all at once)
    mark                    later waits, counts and rates look at the output from here on
    wait NAME SECS REGEX    until REGEX (bytes; the rest of the line) appears in the output
                            since the mark; prints "wait NAME ok bytes=B seconds=S" (B: bytes
                            from the mark to the match's end) or "wait NAME timeout"
    screen NAME SECS REGEX  until REGEX matches the screen (its rows joined by newlines, as a
                            small VT100/xterm model draws the output carried so far); prints
                            "screen NAME ok bytes=B seconds=S" (B: bytes carried since the
                            mark) or "screen NAME timeout"
    clear NAME SECS REGEX   until REGEX no longer matches the screen: "clear NAME ok" or timeout
    dump                    prints the screen
    count NAME REGEX        prints "count NAME N": matches in the output since the mark
    rate NAME SECS          prints "rate NAME bytes=B seconds=S": output carried in SECS
    drop                    closes the terminal (the link is gone)
    kill SIGNAL             sends a signal (TERM, INT, ...) to the command
    shell COMMAND           runs a shell command (the rest of the line), e.g. to kill a server
    exit NAME SECS          waits for the command to end: "exit NAME status=N" (or
                            "exit NAME signal=N", or "exit NAME timeout" and it is killed)
At the end the command is sent SIGTERM, then SIGKILL, if it still runs.
"""
import argparse
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time


class Screen:
    """The part of a VT100/xterm that curses uses on an xterm: cursor moves, erases, inserts,
    deletes, repeats, scroll regions. Text only (attributes are ignored); every character
    one column."""

    def __init__(self, rows, cols):
        self.rows, self.cols = rows, cols
        self.cells = [[" "] * cols for _ in range(rows)]
        self.y = self.x = 0
        self.top, self.bottom = 0, rows - 1
        self.saved = (0, 0)
        self.state, self.seq = "text", ""
        self.utf8 = b""

    def text(self):
        return "\n".join("".join(r).rstrip() for r in self.cells)

    def _scroll_up(self):
        del self.cells[self.top]
        self.cells.insert(self.bottom, [" "] * self.cols)

    def _put(self, ch):
        if self.x >= self.cols:
            self.x = 0
            self._lf()
        self.cells[self.y][self.x] = ch
        self.x += 1
        self.last = ch

    def _lf(self):
        if self.y == self.bottom:
            self._scroll_up()
        elif self.y < self.rows - 1:
            self.y += 1

    def _csi(self, params, final):
        priv = params[:1] in ("?", ">", "<", "=")
        if priv:
            return
        nums = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []
        n = nums[0] if nums and nums[0] > 0 else 1
        row = self.cells[self.y]
        if final in "Hf":
            self.y = min(max((nums[0] if nums and nums[0] else 1) - 1, 0), self.rows - 1)
            self.x = min(max((nums[1] if len(nums) > 1 and nums[1] else 1) - 1, 0), self.cols - 1)
        elif final == "d":
            self.y = min(n - 1, self.rows - 1)
        elif final in "G`":
            self.x = min(n - 1, self.cols - 1)
        elif final == "A":
            self.y = max(self.y - n, 0)
        elif final == "B":
            self.y = min(self.y + n, self.rows - 1)
        elif final == "C":
            self.x = min(self.x + n, self.cols - 1)
        elif final == "D":
            self.x = max(min(self.x, self.cols - 1) - n, 0)
        elif final == "K":
            mode = nums[0] if nums else 0
            a, b = {0: (self.x, self.cols), 1: (0, self.x + 1), 2: (0, self.cols)}.get(mode, (0, 0))
            for i in range(a, min(b, self.cols)):
                row[i] = " "
        elif final == "J":
            mode = nums[0] if nums else 0
            if mode == 0:
                self._csi("0", "K")
                rng = range(self.y + 1, self.rows)
            elif mode == 1:
                self._csi("1", "K")
                rng = range(0, self.y)
            else:
                rng = range(self.rows)
            for r in rng:
                self.cells[r] = [" "] * self.cols
        elif final == "X":
            for i in range(self.x, min(self.x + n, self.cols)):
                row[i] = " "
        elif final == "@":
            for _ in range(n):
                row.insert(self.x, " ")
                row.pop()
        elif final == "P":
            for _ in range(n):
                if self.x < len(row):
                    row.pop(self.x)
                    row.append(" ")
        elif final == "b":
            for _ in range(n):
                self._put(getattr(self, "last", " "))
        elif final in "LM" and self.top <= self.y <= self.bottom:
            for _ in range(n):
                if final == "L":
                    del self.cells[self.bottom]
                    self.cells.insert(self.y, [" "] * self.cols)
                else:
                    del self.cells[self.y]
                    self.cells.insert(self.bottom, [" "] * self.cols)
        elif final == "r":
            self.top = (nums[0] - 1) if nums and nums[0] else 0
            self.bottom = (nums[1] - 1) if len(nums) > 1 and nums[1] else self.rows - 1
            self.y = self.x = 0
        elif final == "S":
            for _ in range(n):
                self._scroll_up()

    def feed(self, data):
        for byte in data:
            if self.utf8 or byte >= 0x80:
                self.utf8 += bytes([byte])
                try:
                    ch = self.utf8.decode("utf-8")
                except UnicodeDecodeError:
                    if len(self.utf8) >= 4:
                        self.utf8 = b""
                    continue
                self.utf8 = b""
                if self.state == "text":
                    self._put(ch)
                continue
            c = chr(byte)
            if self.state == "esc":
                if c == "[":
                    self.state, self.seq = "csi", ""
                elif c in "()*+":
                    self.state = "charset"
                elif c == "7":
                    self.saved, self.state = (self.y, self.x), "text"
                elif c == "8":
                    (self.y, self.x), self.state = self.saved, "text"
                elif c == "M":
                    if self.y == self.top:
                        del self.cells[self.bottom]
                        self.cells.insert(self.top, [" "] * self.cols)
                    elif self.y > 0:
                        self.y -= 1
                    self.state = "text"
                elif c == "]":
                    self.state = "osc"
                else:
                    self.state = "text"
            elif self.state == "charset":
                self.state = "text"
            elif self.state == "osc":
                if byte in (7, 0x9c) or c == "\\":
                    self.state = "text"
            elif self.state == "csi":
                if 0x40 <= byte <= 0x7E:
                    self._csi(self.seq, c)
                    self.state = "text"
                else:
                    self.seq += c
            elif byte == 0x1B:
                self.state = "esc"
            elif c == "\r":
                self.x = 0
            elif c == "\n":
                self._lf()
            elif byte == 8:
                self.x = max(min(self.x, self.cols - 1) - 1, 0)
            elif c == "\t":
                self.x = min((self.x // 8 + 1) * 8, self.cols - 1)
            elif byte >= 0x20:
                self._put(c)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--cpr-col", type=int, default=3)
    ap.add_argument("--no-answer", action="store_true")
    ap.add_argument("--size", default="24x80")
    ap.add_argument("--log")
    ap.add_argument("--stderr")
    ap.add_argument("--ctty", action="store_true")
    ap.add_argument("--script", required=True)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command and a.command[0] == "--" else a.command
    rows, cols = (int(x) for x in a.size.split("x"))
    steps = []
    with open(a.script) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                op = line.split(" ", 1)[0]
                rest = {"send": 2, "wait": 3, "screen": 3, "clear": 3, "count": 2, "shell": 1}.get(op, -1)
                steps.append(line.split(" ", rest))

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    err = open(a.stderr, "wb") if a.stderr else slave

    def child_setup():
        if a.ctty:
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=err, start_new_session=True,
                            preexec_fn=child_setup, close_fds=True)
    os.close(slave)
    out = bytearray()
    screen = Screen(rows, cols)
    log = open(a.log, "wb") if a.log else None
    tokens, last_fill = 0.0, time.monotonic()
    burst = max(a.rate * 0.05, 64) if a.rate > 0 else 0
    link_open = True
    mark_pos, mark_time = 0, time.monotonic()
    scanned = 0
    sending = False     # a key is being sent: replies wait until it is whole
    replies = []

    def pump(deadline):
        """Carries output and answers queries until deadline (monotonic seconds)."""
        nonlocal tokens, last_fill, scanned, link_open
        while True:
            now = time.monotonic()
            if now >= deadline:
                return
            if not link_open:
                time.sleep(min(0.01, deadline - now))
                continue
            want = 65536
            if a.rate > 0:
                tokens = min(burst, tokens + (now - last_fill) * a.rate)
                last_fill = now
                want = int(tokens)
                if want < 1:
                    time.sleep(min(max(1.0 / a.rate, 0.001), deadline - now))
                    continue
            r, _, _ = select.select([master], [], [], min(0.01, deadline - now))
            if not r:
                continue
            try:
                data = os.read(master, want)
            except OSError:
                data = b""
            if not data:
                if proc.poll() is not None:
                    link_open = False   # the command has gone; nothing more comes
                continue
            if a.rate > 0:
                tokens -= len(data)
            out.extend(data)
            screen.feed(data)
            if log:
                log.write(data)
            # answer the queries that have now crossed the link
            while True:
                i5 = out.find(b"\x1b[5n", max(scanned - 3, 0))
                i6 = out.find(b"\x1b[6n", max(scanned - 3, 0))
                hits = [i for i in (i5, i6) if i >= 0]
                if not hits:
                    break
                i = min(hits)
                scanned = i + 4
                if a.no_answer:
                    continue
                replies.append(b"\x1b[0n" if out[i + 2:i + 4] == b"5n" else b"\x1b[1;%dR" % a.cpr_col)
            if not sending:
                flush_replies()
            scanned = max(scanned, len(out) - 3)

    def flush_replies():
        while replies:
            try:
                os.write(master, replies.pop(0))
            except OSError:
                pass

    def send(text, gap_ms):
        # a terminal sends a key's bytes together: its replies never land inside a key
        nonlocal sending
        data = text.encode("latin-1").decode("unicode_escape").encode("latin-1")
        if gap_ms <= 0:
            os.write(master, data)
            return
        sending = True
        for i, b in enumerate(data):
            if i:
                pump(time.monotonic() + gap_ms / 1000.0)
            os.write(master, bytes([b]))
        sending = False
        flush_replies()

    status = None
    for st in steps:
        op = st[0]
        if op == "sleep":
            pump(time.monotonic() + float(st[1]))
        elif op == "send":
            if link_open:
                send(st[2], float(st[1]))
        elif op == "mark":
            mark_pos, mark_time = len(out), time.monotonic()
        elif op == "wait":
            name, secs, rx = st[1], float(st[2]), re.compile(st[3].encode())
            end = time.monotonic() + secs
            found = None
            while time.monotonic() < end:
                m = rx.search(out, mark_pos)
                if m:
                    found = m
                    break
                pump(min(end, time.monotonic() + 0.02))
            if found:
                print("wait %s ok bytes=%d seconds=%.3f" % (name, found.end() - mark_pos, time.monotonic() - mark_time))
            else:
                print("wait %s timeout" % name)
        elif op in ("screen", "clear"):
            name, secs, rx = st[1], float(st[2]), re.compile(st[3], re.M)
            end = time.monotonic() + secs
            ok = False
            while time.monotonic() < end:
                if bool(rx.search(screen.text())) == (op == "screen"):
                    ok = True
                    break
                pump(min(end, time.monotonic() + 0.02))
            if ok:
                print("%s %s ok bytes=%d seconds=%.3f" % (op, name, len(out) - mark_pos, time.monotonic() - mark_time))
            else:
                print("%s %s timeout" % (op, name))
        elif op == "dump":
            print(screen.text())
        elif op == "count":
            print("count %s %d" % (st[1], len(re.findall(st[2].encode(), bytes(out[mark_pos:])))))
        elif op == "rate":
            start, t0 = len(out), time.monotonic()
            pump(t0 + float(st[2]))
            print("rate %s bytes=%d seconds=%.3f" % (st[1], len(out) - start, time.monotonic() - t0))
        elif op == "drop":
            os.close(master)
            link_open = False
        elif op == "shell":
            subprocess.call(st[1], shell=True)
        elif op == "kill":
            proc.send_signal(getattr(signal, "SIG" + st[1]))
        elif op == "exit":
            end = time.monotonic() + float(st[2])
            while time.monotonic() < end and proc.poll() is None:
                pump(min(end, time.monotonic() + 0.05))
            status = proc.poll()
            if status is None:
                print("exit %s timeout" % st[1])
                proc.kill()
                proc.wait()
            elif status < 0:
                print("exit %s signal=%d" % (st[1], -status))
            else:
                print("exit %s status=%d" % (st[1], status))
        sys.stdout.flush()
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if log:
        log.close()


if __name__ == "__main__":
    main()
