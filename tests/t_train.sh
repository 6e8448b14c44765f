#!/bin/bash
# t_train.sh - `groove train` from the command line: usage and errors, a tiny run that writes
# a model, a CSV log and a checkpoint, and a run split by --stop-after / --resume that ends
# with the same model file byte for byte as an unbroken one.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

"$GROOVE" train --help >/dev/null; check "train --help exits 0" test $? = 0
out=$("$GROOVE" train --data "$TMP/none.gds" -o "$TMP/x.gtm" 2>&1); st=$?
check "a missing dataset is one 'groove:' line and status 1" test "$st" = 1 -a "${out#groove:}" != "$out"
"$GROOVE" train --lr abc >/dev/null 2>&1; st=$?
check "a bad option value is a usage error (status 2)" test "$st" = 2

DATA=$ROOT/data/gmd.gds
if [ ! -f "$DATA" ]; then
    DATA=$TMP/gmd.gds
    "$GROOVE" dataset --gmd "$SHARED/data/gmd" -o "$DATA" >/dev/null 2>&1
fi
check "a dataset file is available" test -f "$DATA"

tiny=(--data "$DATA" --d 16 --ff 32 --layers 1 --heads 2 --latent 8 --limit 192 --val-limit 64 --batch 32
      --epochs 3 --threads 2 --seed 7 --quiet)
"$GROOVE" train "${tiny[@]}" -o "$TMP/a.gtm"; st=$?
check "a tiny run finishes" test "$st" = 0
check "it writes the model file" test -s "$TMP/a.gtm"
check "it writes the checkpoint" test -s "$TMP/a.gtm.ckpt"
check "the CSV log has a header and one row per epoch" test "$(wc -l <"$TMP/a.gtm.csv")" = 4

"$GROOVE" train "${tiny[@]}" -o "$TMP/b.gtm" --stop-after 1; st1=$?
check "--stop-after 1 stops after the first epoch" test "$st1" = 0 -a "$(wc -l <"$TMP/b.gtm.csv")" = 2
"$GROOVE" train --data "$DATA" -o "$TMP/b.gtm" --resume --quiet; st2=$?
check "--resume finishes the run" test "$st2" = 0
check "the resumed run's model equals the unbroken run's byte for byte" cmp -s "$TMP/a.gtm" "$TMP/b.gtm"
check "the resumed run's log has the same numbers" \
    cmp -s <(cut -d, -f1-20 "$TMP/a.gtm.csv") <(cut -d, -f1-20 "$TMP/b.gtm.csv")
printf 'garbage' >"$TMP/c.gtm.ckpt"
out=$("$GROOVE" train --data "$DATA" -o "$TMP/c.gtm" --resume 2>&1); st=$?
check "--resume from a damaged checkpoint is refused with status 1" test "$st" = 1 -a "${out#groove:}" != "$out"
finish
