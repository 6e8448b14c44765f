#!/bin/bash
# t_options.sh - every command reads its options the one way (getopt_long + core/options.h):
# an unknown option, a missing value and a bad number are each one "groove: ..." line on
# stderr and exit status 2; --help prints the usage on stdout and exits 0.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

# usage_error WHAT EXPECTED-TEXT ARGS...: the command exits 2 with one stderr line that starts
# "groove: " and holds EXPECTED-TEXT, and prints nothing on stdout.
usage_error() {
    local what=$1 text=$2; shift 2
    "$GROOVE" "$@" >"$TMP/out" 2>"$TMP/err"; local st=$?
    if [ "$st" = 2 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "^groove: .*$text" "$TMP/err" && [ ! -s "$TMP/out" ]; then
        pass "$what"
    else
        fail "$what (status $st, stderr: $(head -c 300 "$TMP/err"))"
    fi
}
helps() {
    "$GROOVE" "$1" --help >"$TMP/out" 2>"$TMP/err"; local st=$?
    check "$1 --help exits 0 with the usage on stdout" test "$st" = 0 -a -s "$TMP/out" -a ! -s "$TMP/err"
}

for cmd in devices train run synth-kit kits dataset show generate eval render bench; do
    helps "$cmd"
    usage_error "$cmd: an unknown option is a usage error" "unknown option '--no-such-option' (groove $cmd --help)" \
        "$cmd" --no-such-option
done
usage_error "devices: an argument is a usage error" "takes no arguments" devices extra
usage_error "train: a missing value" "--epochs needs a value" train --epochs
usage_error "train: a bad number" "--lr wants a number in 0..1, not 'abc'" train --lr abc
usage_error "train: a fraction where a whole number goes" "--epochs wants a whole number" train --epochs 1.5
usage_error "train: a bad --kinds" "--kinds wants beats, fills or both" train --kinds all
usage_error "run: a bad number" "--bpm wants a number" run --headless --bpm fast
usage_error "synth-kit: no -o" "synth-kit needs -o DIR" synth-kit
usage_error "synth-kit: -o without a value" "-o needs a value" synth-kit -o
usage_error "kits: two kits" "unexpected argument 'b'" kits a b
usage_error "dataset: --gmd without -o" "dataset needs --gmd DIR and -o FILE" dataset --gmd x
usage_error "dataset: a stray argument" "unexpected argument 'x'" dataset --info f x
usage_error "show: a bad --bar" "--bar wants a whole number in 0..1000000, not '-1'" show x.mid --bar -1
usage_error "show: two files" "unexpected argument 'b.mid'" show a.mid b.mid
usage_error "generate: no -o" "generate needs GROOVE.mid and -o DRUMS.mid" generate in.mid
usage_error "generate: a negative seed" "--seed wants a whole number in 0..18446744073709551615, not '-3'" generate in.mid -o x.mid --seed -3
usage_error "generate: an unknown style" "--style wants a GMD genre or its number (afrobeat" generate in.mid -o x.mid --style polka
usage_error "generate: an unknown mute group" "--mute wants groups from kick,snare" generate in.mid -o x.mid --mute cowbell
usage_error "generate: two inputs" "unexpected argument 'b.mid'" generate a.mid b.mid -o x.mid
usage_error "eval: a bad --split" "--split wants validation or test, not 'train'" eval --split train
usage_error "eval: a bad --style" "--style wants none or labels, not 'rock'" eval --style rock
usage_error "eval: threshold 1" "--threshold wants a number in 0.001..0.999, not '1'" eval --threshold 1
usage_error "eval: --limit 0" "--limit wants a whole number in 1..100000000" eval --limit 0
usage_error "eval: --model with --random-weights" "exclude each other" eval --model m.gtm --random-weights 3
usage_error "render: a bad --swing (it exited 1)" "--swing wants a number in 50..75, not '80'" render x.mid -o x.wav --swing 80
usage_error "render: a fractional --loops (it exited 1)" "--loops wants a whole number in 1..10000, not '1.5'" render x.mid -o x.wav --loops 1.5
usage_error "render: no output" "render needs DRUMS.mid and -o OUT.wav or --play" render x.mid
usage_error "bench: --runs 0" "--runs wants a whole number in 1..1000000, not '0'" bench --runs 0
usage_error "bench: a bad --size" "--size wants D,LAYERS,HEADS,FF,LATENT" bench --size 128,3,4,512
usage_error "bench --train: a bad --steps" "--steps wants a whole number in 1..4096, not 'x'" bench --train --steps x
usage_error "bench --train: an unknown option" "unknown option '--bogus' (groove bench --train --help)" bench --train --bogus
usage_error "bench --audio: a bad --seconds (it exited 1)" "--seconds wants a number in 0.1..600, not '0'" bench --audio --seconds 0
usage_error "bench --audio: an unknown option" "unknown option '--bogus' (groove bench --audio --help)" bench --audio --bogus
"$GROOVE" bench --train --help >"$TMP/out" 2>&1; check "bench --train --help exits 0" test $? = 0 -a -s "$TMP/out"
"$GROOVE" bench --audio --help >"$TMP/out" 2>&1; check "bench --audio --help exits 0" test $? = 0 -a -s "$TMP/out"
finish
