#!/usr/bin/env bash
# t_link.sh - Ableton Link with real processes (docs/sync.md): a private network namespace with
# multicast on its loopback, two headless instruments with --link in it (and Link's own LinkHut
# on a private dummy JACK server where ableton-link-utils is installed). They agree on the
# tempo within 0.01 BPM 2 s after one of them changes it (--bpm-at), a peer that joins adopts
# the session's tempo, every loop starts on a bar line of the Link timeline (link_beat a
# multiple of 4 within 0.02), and a LinkHut peer's tempo change is followed. The namespace and
# every process started in it are removed on any way out. Needs root (ip netns), as CI runs.
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1
export XDG_STATE_HOME="$TMP/state" XDG_CONFIG_HOME="$TMP/config" HOME="$TMP/home"

NS="groove-link-$$"
cleanup() {
    if ip netns list 2>/dev/null | grep -qw "$NS"; then
        for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null; done
        sleep 0.3
        for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
        ip netns del "$NS" 2>/dev/null
    fi
    [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

check "running as root (ip netns needs it; CI runs as root)" test "$(id -u)" -eq 0
check "ip is installed (iproute2; make deps-test)" bash -c "command -v ip >/dev/null"
ip netns add "$NS" 2>"$TMP/err" && ip -n "$NS" link set lo up && ip -n "$NS" link set lo multicast on &&
    ip -n "$NS" route add 224.0.0.0/4 dev lo 2>>"$TMP/err"
check "a private network namespace with multicast on loopback ($NS) $(cat "$TMP/err")" \
    bash -c "ip -n '$NS' route | grep -q '^224.0.0.0/4 dev lo'"
if ! ip -n "$NS" route 2>/dev/null | grep -q '^224.0.0.0/4 dev lo'; then
    finish
    exit 1
fi
LINKHUT=$(command -v LinkHut)
JACKD=$(command -v jackd)
check "LinkHut is installed (ableton-link-utils; make deps-test)" test -n "$LINKHUT"
check "jackd is installed (LinkHut needs a JACK server; jackd2)" test -n "$JACKD"

ip netns exec "$NS" /usr/bin/python3 - "$GROOVE" "$TMP" "$LINKHUT" "$JACKD" "$NS" <<'PY'
import json, os, subprocess, sys, threading, time

groove, tmp, linkhut, jackd, ns = sys.argv[1:6]
T0 = time.monotonic()
failed = []


def check(ok, what):
    print(("PASS " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failed.append(what)


class Player:
    """A headless groove with --link; its JSON loop lines with the time each arrived."""

    def __init__(self, name, args):
        self.name, self.lines = name, []
        self.p = subprocess.Popen([groove, "run", "--headless", "--no-session", "--midi-in", "none", "--link",
                                   "--json"] + args, stdout=subprocess.PIPE, stderr=open(f"{tmp}/{name}.err", "w"),
                                  text=True)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.p.stdout:
            if line.startswith("{"):
                self.lines.append((time.monotonic() - T0, json.loads(line)))

    def wait(self, timeout):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return None


def wait_until(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


# A starts at 120 and sets 133 when its loop 2 starts; B joins 1.5 s later asking for 90.
a = Player("a", ["--bpm", "120", "--bpm-at", "2:133", "--loops", "5"])
time.sleep(1.5)
b = Player("b", ["--bpm", "90", "--loops", "30"])
check(wait_until(lambda: any(l["bpm"] == 133.0 for t, l in a.lines), 40), "A changes its tempo at loop 2 (--bpm-at)")
t_change = next((t for t, l in a.lines if l["bpm"] == 133.0), 1e9)
rc = a.wait(60)
t_a_end = time.monotonic() - T0
check(rc == 0, f"A runs its 5 loops and exits 0 ({rc})")
check(wait_until(lambda: any(t > t_change + 2.0 for t, l in b.lines), 20), "B prints loop lines after the change")

# LinkHut joins (press a), then raises the tempo by 3 (e, e, e).
hut = None
if linkhut and jackd:
    env = dict(os.environ, JACK_DEFAULT_SERVER=f"groove-link-{os.getpid()}", JACK_NO_START_SERVER="1",
               JACK_NO_AUDIO_RESERVATION="1")
    def jack_up():
        try:
            r = subprocess.run(["jack_lsp"], env=env, capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return "system:playback_1" in r.stdout

    # The server and LinkHut, tried up to 3 times (a loaded machine can be slow to start JACK).
    jack = hut = None
    for attempt in range(3):
        jack = subprocess.Popen([jackd, "--no-realtime", "-d", "dummy", "-r", "48000", "-p", "256"], env=env,
                                stdout=open(f"{tmp}/jackd.log", "a"), stderr=subprocess.STDOUT)
        if wait_until(jack_up, 20):
            hut = subprocess.Popen([linkhut], env=env, stdin=subprocess.PIPE,
                                   stdout=open(f"{tmp}/linkhut.log", "a"), stderr=subprocess.STDOUT)
            time.sleep(1.5)
            if hut.poll() is None:
                break
            hut = None
        jack.kill()
        jack.wait()
    check(hut is not None, "LinkHut runs on a private dummy JACK server")

    def key(k):
        if hut is None:
            return
        try:
            hut.stdin.write(k)
            hut.stdin.flush()
        except (BrokenPipeError, OSError):
            pass
    key(b"a")
    check(wait_until(lambda: b.lines and b.lines[-1][1]["link_peers"] >= 1 and
                     time.monotonic() - T0 > t_change + 4, 20), "LinkHut is running beside B")
    time.sleep(2.0)
    t_hut = time.monotonic() - T0
    for _ in range(3):
        key(b"e")
        time.sleep(0.4)
    t_hut_done = time.monotonic() - T0
    wait_until(lambda: any(t > t_hut_done + 2.0 for t, l in b.lines), 20)
    key(b"q")
    if hut is not None:
        try:
            hut.wait(5)
        except subprocess.TimeoutExpired:
            hut.kill()
    jack.terminate()
b.p.terminate()   # SIGTERM: B stops as Ctrl-C stops it
rc = b.wait(30)
check(rc == 0, f"B stops on SIGTERM and exits 0 ({rc})")

lines = [("A", t, l) for t, l in a.lines] + [("B", t, l) for t, l in b.lines]
check([l["loop"] for t, l in a.lines] == list(range(6)) and [l["loop"] for t, l in b.lines] == list(range(len(b.lines))),
      f"one line per loop, 0..N ({len(a.lines)} and {len(b.lines)})")
check(all(l["sync"] == "link" for _, _, l in lines), "sync is link on every line")
both = [(who, l["link_peers"]) for who, t, l in lines if b.lines and b.lines[0][0] <= t <= t_a_end - 0.5]
check(len(both) >= 4 and all(peers >= 1 for _, peers in both), f"while both play, each sees a Link peer ({both})")
off = [(who, l["loop"], l["link_beat"]) for who, t, l in lines
       if l["link_beat"] is None or abs(l["link_beat"] / 4 - round(l["link_beat"] / 4)) * 4 > 0.02]
check(not off, f"every loop starts on a bar line: link_beat a multiple of 4 within 0.02 ({off[:3]})")
check(b.lines and abs(b.lines[0][1]["bpm"] - 120) <= 0.01,
      f"B joined and adopted the session's 120 BPM, not its own 90 ({b.lines[0][1]['bpm'] if b.lines else None})")
before = [(who, l["bpm"]) for who, t, l in lines if t < t_change - 0.5 and abs(l["bpm"] - 120) > 0.01]
check(not before, f"before the change both play 120 ({before})")
t_end = t_hut if hut else 1e9
after = [(who, t, l["bpm"]) for who, t, l in lines if t_change + 2.0 <= t < t_end]
check(len(after) >= 2 and all(abs(bpm - 133) <= 0.01 for _, _, bpm in after),
      f"2 s after A's change, both play 133 within 0.01 BPM ({after})")
if linkhut and jackd:
    hut_after = [(t, l["bpm"]) for t, l in b.lines if t >= t_hut_done + 2.0]
    check(len(hut_after) >= 1 and all(abs(bpm - 136) <= 0.01 for _, bpm in hut_after),
          f"LinkHut's +3 BPM is followed: B plays 136 ({hut_after})")
sys.exit(1 if failed else 0)
PY
check "the Link test's processes ran to their end" test $? -eq 0
finish
