#!/usr/bin/env bash
# deps.sh run|test - checks for what groove needs and installs the missing Debian packages.
#   run:  the build libraries (ncurses, PortAudio, JACK, PortMidi, libsndfile, libsamplerate,
#         libarchive, and Ableton Link: ableton-link-dev with libasio-dev, built by g++).
#   test: the same, plus the test tools (python3-torch, jackd2, hydrogen-drumkits, tmux, sox,
#         libasound2-plugins for the JACK path, ableton-link-utils for LinkHut, iproute2 for
#         the Link test's network namespace).
# Says what it installs; uses sudo when not root. Does nothing when all is present.
set -u
mode=${1:-run}
missing=()

have_pc() { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1" 2>/dev/null; }
have_header() { printf '#include <%s>\nint main(void){return 0;}\n' "$1" | cc -x c - -o /dev/null -fsyntax-only 2>/dev/null; }
have_cxx_header() { printf '#include <%s>\nint main(){return 0;}\n' "$1" | c++ -x c++ - -o /dev/null -fsyntax-only 2>/dev/null; }
need_pc() { have_pc "$1" || missing+=("$2"); }

command -v cc >/dev/null 2>&1 || missing+=(gcc)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v c++ >/dev/null 2>&1 || missing+=(g++)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
need_pc ncursesw libncurses-dev
need_pc portaudio-2.0 portaudio19-dev
need_pc jack libjack-jackd2-dev
have_pc portmidi || have_header portmidi.h || missing+=(libportmidi-dev)
need_pc sndfile libsndfile1-dev
need_pc samplerate libsamplerate0-dev
need_pc libarchive libarchive-dev
[ -f /usr/include/ableton/Link.hpp ] || missing+=(ableton-link-dev)
{ command -v c++ >/dev/null 2>&1 && have_cxx_header asio.hpp; } || [ -f /usr/include/asio.hpp ] || missing+=(libasio-dev)

if [ "$mode" = test ]; then
    /usr/bin/python3 -c 'import torch' 2>/dev/null || missing+=(python3-torch)
    # PyTorch's CPU speed (the benchmarks' reference) needs OpenBLAS, not the reference BLAS.
    ls /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1 || missing+=(libopenblas0-pthread)
    command -v jackd >/dev/null 2>&1 || missing+=(jackd2)
    [ -d /usr/share/hydrogen/data/drumkits ] && ls /usr/share/hydrogen/data/drumkits/*/drumkit.xml >/dev/null 2>&1 || missing+=(hydrogen-drumkits)
    command -v tmux >/dev/null 2>&1 || missing+=(tmux)
    command -v sox >/dev/null 2>&1 || missing+=(sox)
    [ -e /usr/lib/x86_64-linux-gnu/alsa-lib/libasound_module_pcm_jack.so ] || missing+=(libasound2-plugins)
    command -v LinkHut >/dev/null 2>&1 || missing+=(ableton-link-utils)
    command -v ip >/dev/null 2>&1 || missing+=(iproute2)
fi

[ ${#missing[@]} -eq 0 ] && exit 0
echo "groove: installing missing Debian packages: ${missing[*]}"
sudo=
[ "$(id -u)" -ne 0 ] && sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null || { echo "groove: apt-get update failed" >&2; exit 1; }
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/groove-apt.log 2>&1 ||
    { echo "groove: apt-get install failed, see /tmp/groove-apt.log" >&2; exit 1; }
echo "groove: installed ${missing[*]}"
