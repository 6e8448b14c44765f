#!/bin/bash
# t_train_torch.sh - one full training step of the C trainer against PyTorch autograd:
# same weights, batch and eps (dropout 0), loss terms and every gradient within tolerance.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

PY=/usr/bin/python3
BIN=build/tests/test_grad
[ -x "$BIN" ] || make -s "$BIN" >/dev/null 2>&1
check "test_grad binary is built" test -x "$BIN"
if ! $PY -c 'import torch, numpy' 2>/dev/null; then
    fail "python3-torch and python3-numpy are importable (apt-get install python3-torch)"
    finish
    exit
fi
check "C trainer dumps one step (weights, batch, eps, loss terms, gradients)" "$BIN" --dump "$TMP"
out=$($PY tests/torch_train_ref.py "$TMP" 2>&1)
status=$?
while read -r kind rest; do
    case $kind in
    PASS) pass "$rest" ;;
    FAIL) fail "$rest" ;;
    esac
done <<<"$out"
if [ $status -ne 0 ] && ! grep -q '^FAIL ' <<<"$out"; then
    fail "torch reference ran: $(tail -1 <<<"$out")"
fi
finish
