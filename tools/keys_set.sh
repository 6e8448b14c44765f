#!/usr/bin/env bash
# keys_set.sh - rebuilds the keys-to-drums evaluation set of `groove eval --midi DIR`
# (docs/eval.md, "Keys to drums") from public multi-track MIDI files in GitHub repositories.
#
#   tools/keys_set.sh OUT            # OUT/select/*.mid and OUT/heldout/*.mid
#
# Each song below is one file at a fixed commit of a public repository, with its MD5, and the
# half it belongs to: `select` (for choosing models, thresholds and recipes) or `heldout`
# (scored once, for the record). The split is by song: versions of one song never sit in both.
# Every file has a keyboard part (GM programs 0-23) and a drum part on channel 10.
#
# The files are not part of groove and are never committed to it; this list is what makes the
# set reproducible. Sources: ahlstromcj/seq66 (the sequencer's sample and contributed files:
# transcriptions such as Herbie Hancock's "Chameleon", Clapton/Cray's "Before You Accuse Me",
# Renaissance's "Carpet of the Sun"), zynthian/zynthian-data (a demo song).
# Held out for the project's own checks, and so never used here: the test files of
# Natooz/MidiTok, craffel/midi-dataset and wyskoj/midis2jam2.
#
# Files are read with git from $GROOVE_MIRROR/OWNER+NAME/repo when that bare mirror exists,
# else from a blob-less clone of https://github.com/OWNER/NAME made in a temporary folder.
set -euo pipefail

out=${1:?usage: tools/keys_set.sh OUT}

# half | repository | commit | path in the repository | file name in the set | md5
songs='
select|ahlstromcj/seq66|1a73c9bb80ea1c4c7cf224e5c8e906fdf3955add|contrib/midi/Carpet_of_the_Sun_karaoke_meta_text.mid|carpet_of_the_sun.mid|fb3e38d49ce71a62a37b8ed7b46ccf26
heldout|ahlstromcj/seq66|1a73c9bb80ea1c4c7cf224e5c8e906fdf3955add|contrib/midi/route66.midi|route66.mid|c935b67f653af3a07c01c8fa9d20a8f8
heldout|ahlstromcj/seq66|1a73c9bb80ea1c4c7cf224e5c8e906fdf3955add|contrib/midi/ancestor.mid|ancestor.mid|711a6dc5c3358a188b798acd3c0766c1
select|ahlstromcj/seq66|1a73c9bb80ea1c4c7cf224e5c8e906fdf3955add|data/midi/PSS-790/cbflite.mid|cbflite.mid|50ebc0407b2c6ca5b6af5f62df485d1c
select|ahlstromcj/seq66|1a73c9bb80ea1c4c7cf224e5c8e906fdf3955add|data/midi/PSS-790/old_love.mid|old_love.mid|02ab2d8e2f71a4de9907388697230e54
select|ahlstromcj/seq66|1a73c9bb80ea1c4c7cf224e5c8e906fdf3955add|contrib/midi/MIDI_sample-480.mid|midi_sample.mid|e974bc9398bfaeda29248f1bb16ebe37
select|ahlstromcj/seq66|1a73c9bb80ea1c4c7cf224e5c8e906fdf3955add|contrib/midi/trilogy.mid|trilogy.mid|2f98fb04afa6342963d056333e1078b8
heldout|ahlstromcj/seq66|1a73c9bb80ea1c4c7cf224e5c8e906fdf3955add|contrib/midi/Kraftwerk-Europe-Endless-exported.midi|europe_endless.mid|62d1e1131c84a4c45264c484bc5fa3be
heldout|ahlstromcj/seq66|1a73c9bb80ea1c4c7cf224e5c8e906fdf3955add|contrib/midi/buffalo.midi|buffalo.mid|c7f75c77d170eed5c52743738f87a9df
heldout|ahlstromcj/seq66|1a73c9bb80ea1c4c7cf224e5c8e906fdf3955add|data/midi/Chameleon-HHancock-Ov.midi|chameleon.mid|9a23cbc69a7b8d65ed4ffd08a834c81d
heldout|ahlstromcj/seq66|1a73c9bb80ea1c4c7cf224e5c8e906fdf3955add|data/midi/FM/oxyg4bfm.mid|oxygene4.mid|4fde03579018f36ac5fb752216bbb44b
select|ahlstromcj/seq66|1a73c9bb80ea1c4c7cf224e5c8e906fdf3955add|data/midi/b4uacuse-gm-patchless.midi|before_you_accuse_me.mid|97cca6dd5e0c795b6db08eb6f0a3753e
select|ahlstromcj/seq66|1a73c9bb80ea1c4c7cf224e5c8e906fdf3955add|data/midi/Peter_Gunn-reconstructed.midi|peter_gunn.mid|fcdde43569a9acc97b10660163bafedd
select|zynthian/zynthian-data|305b30199e4baa508a7b2efa761b82934afd6277|mid/Bladerunner-1.mid|bladerunner.mid|ea0ac4b628b2d04362c39d22e701a8db
'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# git_dir REPO: a git directory that holds REPO's objects (mirror or fresh blob-less clone).
git_dir() {
    local repo=$1 key=${1/\//+}
    if [ -n "${GROOVE_MIRROR:-}" ] && [ -d "$GROOVE_MIRROR/$key/repo" ]; then
        echo "$GROOVE_MIRROR/$key/repo"
        return
    fi
    if [ ! -d "$tmp/$key" ]; then
        git clone --quiet --bare --filter=blob:none "https://github.com/$repo" "$tmp/$key" >&2
    fi
    echo "$tmp/$key"
}

mkdir -p "$out/select" "$out/heldout"
n=0
while IFS='|' read -r half repo commit path name md5; do
    [ -n "$half" ] || continue
    dir=$(git_dir "$repo")
    git --git-dir="$dir" show "$commit:$path" >"$out/$half/$name"
    got=$(md5sum "$out/$half/$name" | cut -d' ' -f1)
    if [ "$got" != "$md5" ]; then
        echo "groove: keys_set: $repo $path: MD5 $got, expected $md5" >&2
        exit 1
    fi
    n=$((n + 1))
done <<<"$songs"
echo "keys set: $n songs in $out/select and $out/heldout"
