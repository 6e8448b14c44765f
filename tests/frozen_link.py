#!/usr/bin/python3
"""frozen_link.py GROOVE - the terminal instrument on a link that stops taking output (a stalled
SSH connection): the first screen is read, then nothing more, and resizes make groove repaint
until its write blocks. Then SIGTERM. Prints "blocked N" (or "never-blocked N"), then "ended
STATUS" or "still-running" (and kills it). For t_ssh.sh."""
import fcntl, os, pty, select, signal, struct, sys, termios, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "run", "--midi-in", "none", "--no-session", "--glyphs", "unicode"])
end = time.time() + 3
while time.time() < end:   # the first screen is read; from now on nothing is (a frozen link)
    if select.select([fd], [], [], 0.1)[0]:
        os.read(fd, 65536)
def wchan():
    try:
        return open("/proc/%d/wchan" % pid).read()
    except OSError:
        return ""
blocked, i = False, 0
while not blocked and i < 1200:   # resizes repaint the whole screen: the link's buffer fills
    i += 1
    rows, cols = (24, 80) if i % 2 else (30, 100)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    time.sleep(0.05)
    blocked = "wait_woken" in wchan() or "tty_write" in wchan()
print("blocked" if blocked else "never-blocked", i, flush=True)
os.kill(pid, signal.SIGTERM)
t1 = time.time()
while time.time() - t1 < 30:
    r = os.waitpid(pid, os.WNOHANG)
    if r[0]:
        print("ended", r[1], flush=True)
        sys.exit(0)
    time.sleep(0.2)
print("still-running", flush=True)
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
