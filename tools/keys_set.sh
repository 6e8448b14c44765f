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
# Renaissance's "Carpet of the Sun"), zynthian/zynthian-data (a demo song), OpenTTD/OpenMSX
# (the game's GPL music set: boogie, blues, swing and pop songs with piano or organ and drums;
# alternately select / heldout in name order).
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
select|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/be_sharp_bw_redfarn.mid|openmsx_be_sharp_bw_redfarn.mid|c7dc7e5f068f87a2eee94eea5183b664
heldout|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/busy_schedule.mid|openmsx_busy_schedule.mid|2e32fd309433e6b7233d53ede5a691be
select|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/careless_perc_redfarn.mid|openmsx_careless_perc_redfarn.mid|eb0d374daac0e7daf3460ca373c3ab75
heldout|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/city_blues_redfarn.mid|openmsx_city_blues_redfarn.mid|4e765fbf4470d2d8ca11b8848574d6a2
select|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/coconut_run2.mid|openmsx_coconut_run2.mid|1cd337a797030e4cf7fac9c2fbd6f24c
heldout|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/harp_harmony.mid|openmsx_harp_harmony.mid|26c1ede8d217cc657c3bfd589b98c660
select|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/keep_on_rolling.mid|openmsx_keep_on_rolling.mid|c81d548e718d336f9e4d35375be643bd
heldout|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/linns_basket.mid|openmsx_linns_basket.mid|4483b54c5f9635f61639bb6b7827a0d0
select|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/midnight_snow_run.mid|openmsx_midnight_snow_run.mid|50b69e40c92aff61f7a14cf85fc7ce6c
heldout|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/modern_motion.mid|openmsx_modern_motion.mid|748076c55f020901de4e60e91bf0a403
select|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/moo_redfarn.mid|openmsx_moo_redfarn.mid|20cb8af3dba14ccfb0f1c74f32cc7513
heldout|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/mosey_along_redfarn.mid|openmsx_mosey_along_redfarn.mid|16f6689c34440b16eda6dd7bf42ea088
select|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/no_work_song_redfarn.mid|openmsx_no_work_song_redfarn.mid|d34a4dfe60d4f10c3d4e405c338803f6
heldout|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/relax_song.mid|openmsx_relax_song.mid|36b5884f0c3f8efe7329d690d5eb0a05
select|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/say_what_redfarn.mid|openmsx_say_what_redfarn.mid|abd41808647e74f2b1a7420e650be07c
heldout|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/slow_neasy_redfarn.mid|openmsx_slow_neasy_redfarn.mid|c39f3f5f2cb1846ba5b3ab96dce6b2ea
select|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/the_fast_route.mid|openmsx_the_fast_route.mid|29470df1a9f4d21337df64b0a608d7a1
heldout|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/train_filled_with_cash.mid|openmsx_train_filled_with_cash.mid|7b9ee0dfc55185e5e03f52c90a8acd7a
select|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/ttsong_iv_imuh3.mid|openmsx_ttsong_iv_imuh3.mid|c54691a1f8aa6fccffc0c7c427538aba
heldout|OpenTTD/OpenMSX|5ecb59b97e13fe65b22014583b2c9aa46a2b9e63|src/tttheme2.mid|openmsx_tttheme2.mid|8d10ea15d5a180873ce4195011fe9f5f
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
