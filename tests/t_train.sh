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
# --ema (on by default, 0.999): the same run validates and writes the weight average, and
# resumes with it
"$GROOVE" train "${tiny[@]}" --ema 0 -o "$TMP/n.gtm"; st=$?
check "a tiny run with --ema 0 (the last weights) finishes" test "$st" = 0 -a -s "$TMP/n.gtm"
check "the default run's model is another (the average, not the last weights)" test -n "$(cmp "$TMP/a.gtm" "$TMP/n.gtm" 2>&1)"
"$GROOVE" train "${tiny[@]}" --ema 0.9 -o "$TMP/e.gtm"; st=$?
check "a tiny run with --ema 0.9 finishes" test "$st" = 0 -a -s "$TMP/e.gtm"
"$GROOVE" train "${tiny[@]}" --ema 0.9 -o "$TMP/f.gtm" --stop-after 2 && \
    "$GROOVE" train --data "$DATA" -o "$TMP/f.gtm" --resume --quiet; st=$?
check "an --ema run stopped after 2 epochs resumes" test "$st" = 0
check "an --ema run resumed equals the unbroken one byte for byte" cmp -s "$TMP/e.gtm" "$TMP/f.gtm"
"$GROOVE" train "${tiny[@]}" --ema 1 -o "$TMP/x.gtm" >/dev/null 2>&1; st=$?
check "--ema 1 is a usage error" test "$st" = 2
# memory with its groove and the memory gate: a memory-1 model grown by --from, the gate
# stored in the file and reported by the closed loop
"$GROOVE" train "${tiny[@]}" --epochs 1 --memory 1 --memory-gate 0 -o "$TMP/m1.gtm"; st=$?
check "a tiny memory-1 model without a gate trains" test "$st" = 0 -a -s "$TMP/m1.gtm"
"$GROOVE" train "${tiny[@]}" --epochs 1 --from "$TMP/m1.gtm" --memory 2 --memory-gate 1 -o "$TMP/g.gtm"; st=$?
check "--from a memory-1 model with --memory 2 --memory-gate 1 trains" test "$st" = 0 -a -s "$TMP/g.gtm"
js=$("$GROOVE" eval --closed-loop --data "$DATA" --model "$TMP/g.gtm" --limit 3 --json 2>/dev/null)
check "the grown model stores gate 1 and the closed loop reports it" \
    test -n "$(echo "$js" | grep '"memory_gate": 1,')" -a -n "$(echo "$js" | grep '"memory_fed": ')"
js0=$("$GROOVE" eval --closed-loop --data "$DATA" --model "$TMP/g.gtm" --limit 3 --memory-gate 0 --json 2>/dev/null)
check "eval --memory-gate 0 overrides it (the memory always fed)" test -n "$(echo "$js0" | grep '"memory_gate": 0,')"
fed0=$(echo "$js0" | sed -n 's/.*"memory_fed": \([0-9]*\).*/\1/p'); fed1=$(echo "$js" | sed -n 's/.*"memory_fed": \([0-9]*\).*/\1/p')
check "the gate feeds fewer memories than none ($fed1 < $fed0)" test "${fed1:-0}" -lt "${fed0:-0}"
"$GROOVE" train "${tiny[@]}" --memory 3 -o "$TMP/x.gtm" >/dev/null 2>&1; st=$?
check "--memory 3 is a usage error" test "$st" = 2
# a fresh clone has no data/ or runs/: the commands make the folders of their outputs
"$GROOVE" dataset --gmd "$SHARED/data/gmd" -o "$TMP/fresh/data/gmd.gds" >/dev/null 2>&1; st=$?
check "dataset -o into a missing folder makes it" test "$st" = 0 -a -s "$TMP/fresh/data/gmd.gds"
"$GROOVE" train "${tiny[@]}" --epochs 1 -o "$TMP/fresh/runs/m.gtm"; st=$?
check "train -o into a missing folder makes it (model, checkpoint, log)" \
    test "$st" = 0 -a -s "$TMP/fresh/runs/m.gtm" -a -s "$TMP/fresh/runs/m.gtm.ckpt" -a -s "$TMP/fresh/runs/m.gtm.csv"
# --calibrate of the drums' thresholds keeps the shipped model's other extras (keys thresholds, gate)
"$GROOVE" train --data "$DATA" --calibrate nn/models/default.gtm --cal-closed-loop --quiet -o "$TMP/cal.gtm"; st=$?
check "--calibrate --cal-closed-loop of the shipped model writes a file as large (every extra kept)" \
    test "$st" = 0 -a "$(stat -c %s "$TMP/cal.gtm")" = "$(stat -c %s nn/models/default.gtm)"
"$GROOVE" train --calibrate "$TMP/cal.gtm" --keys-set "$TMP" --cal-closed-loop >/dev/null 2>&1; st=$?
check "--keys-set with --cal-closed-loop is a usage error" test "$st" = 2
printf 'garbage' >"$TMP/c.gtm.ckpt"
out=$("$GROOVE" train --data "$DATA" -o "$TMP/c.gtm" --resume 2>&1); st=$?
check "--resume from a damaged checkpoint is refused with status 1" test "$st" = 1 -a "${out#groove:}" != "$out"
finish
