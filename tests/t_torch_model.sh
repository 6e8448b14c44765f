#!/usr/bin/env bash
# t_torch_model.sh - the C forward pass against an independent PyTorch build of the same
# network (tests/torch_model_ref.py): encoder output, mu, logvar and the three heads, on
# random inputs, memories and conditionings (incl. the input kind), for three model shapes
# (default and odd with memory and kinds, one whose memory carries its groove, a version-1 one
# without) and every kernel set.
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
if ! $PY -c 'import torch' 2>/dev/null; then
    echo "installing python3-torch for the reference check"
    sudo=; [ "$(id -u)" -ne 0 ] && sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends python3-torch >/dev/null 2>&1
fi
check "python3-torch importable" $PY -c 'import torch'
TM=$ROOT/build/tests/test_model
[ -x "$TM" ] || make -C "$ROOT" --no-print-directory build/tests/test_model >/dev/null
check "random default-shape model written" "$TM" --make-model "$TMP/default.gtm" 17
check "random odd-shape model written" "$TM" --make-model "$TMP/odd.gtm" 18 odd
check "random version-1 model (no input kinds, no memory) written" "$TM" --make-model "$TMP/plain.gtm" 19 plain
check "random model with memory and its groove written" "$TM" --make-model "$TMP/memory-groove.gtm" 20 memory-groove
for shape in default odd plain memory-groove; do
    for k in scalar avx2 avx512; do
        if ! GROOVE_KERNEL=$k "$TM" --dump "$TMP/$shape.gtm" "$TMP/$shape-$k.bin" 8 2024 2>"$TMP/err"; then
            fail "$shape model, $k kernels: dump failed: $(cat "$TMP/err")"
            continue
        fi
        if ! grep -q "kernels $k" "$TMP/err"; then
            echo "note: this CPU has no $k kernels; $(cat "$TMP/err")"
            continue
        fi
        $PY "$ROOT/tests/torch_model_ref.py" check "$TMP/$shape.gtm" "$TMP/$shape-$k.bin" |
            sed "s/^\(PASS\|FAIL\) /\1 [$shape, $k] /" >"$TMP/out"
        cat "$TMP/out"
        passed=$((passed + $(grep -c '^PASS' "$TMP/out")))
        failed=$((failed + $(grep -c '^FAIL' "$TMP/out")))
        grep -q '^PASS' "$TMP/out" || fail "$shape model, $k kernels: the reference printed no result"
    done
done
finish
