#!/usr/bin/env bash
# t_report.sh - groove eval and its HTML report on a small validation subset with a
# random-weights model: the JSON keys, every report section, numbers in the report equal to
# the JSON, no NaN, no script or network reference, clear errors on bad input; then, when
# /usr/bin/chromium is installed, a headless screenshot of the report (PNG present, 1280 px
# wide, not trivially small).
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

gmd=$SHARED/data/gmd
if ! "$GROOVE" dataset --gmd "$gmd" -o "$TMP/gmd.gds" >"$TMP/dataset.log" 2>&1; then
    fail "groove dataset builds the test data from $gmd ($(tail -1 "$TMP/dataset.log"))"
    finish
    exit 1
fi
pass "groove dataset builds the test data"

# One run with --json and --report (the report must agree with this JSON).
"$GROOVE" eval --random-weights 7 --data "$TMP/gmd.gds" --split validation --limit 60 --json \
    --report "$TMP/report" >"$TMP/eval.json" 2>"$TMP/eval.err"
rc=$?
check "groove eval --json --report exits 0 (stderr: $(head -c 200 "$TMP/eval.err"))" test "$rc" -eq 0
html=$TMP/report/index.html
check "the report is written to DIR/index.html" test -s "$html"

# JSON: every documented key, numbers only.
keys="hit_accuracy hit_f1 hits_per_loop_pred hits_per_loop_true offset_std_pred offset_std_true vel_mse offset_mse windows"
json_value() { sed -n "s/^  \"$1\": \([-0-9.]*\),\{0,1\}$/\1/p" "$2" | head -1; }
for k in $keys; do
    v=$(json_value "$k" "$TMP/eval.json")
    check "JSON has a number for $k ($v)" test -n "$v"
done
check "JSON counts the 60 windows asked for" test "$(json_value windows "$TMP/eval.json")" = 60
check "JSON says the default style: none (no genre fed)" grep -q '^  "style": "none",$' "$TMP/eval.json"

# --style labels feeds each window's genre: the random model's answer changes.
"$GROOVE" eval --random-weights 7 --data "$TMP/gmd.gds" --limit 60 --style labels --json >"$TMP/labels.json" 2>"$TMP/err"
check "--style labels runs and says so" grep -q '^  "style": "labels",$' "$TMP/labels.json"
check "--style labels changes the predictions ($(json_value hits_per_loop_pred "$TMP/labels.json") vs $(json_value hits_per_loop_pred "$TMP/eval.json") hits)" \
    test "$(json_value hits_per_loop_pred "$TMP/labels.json")" != "$(json_value hits_per_loop_pred "$TMP/eval.json")"
"$GROOVE" eval --random-weights 7 --data "$TMP/gmd.gds" --style rock >/dev/null 2>"$TMP/err"
rc=$?
check "--style rock is a usage error (2) with one line" test "$rc" -eq 2 -a "$(wc -l <"$TMP/err")" -eq 1
acc=$(json_value hit_accuracy "$TMP/eval.json")
check "hit accuracy is a fraction in [0, 1] ($acc)" awk -v a="$acc" 'BEGIN { exit !(a >= 0 && a <= 1) }'

# Every section, with its plots.
for id in summary features styles heatmaps latent model json command; do
    check "report has section #$id" grep -q "id=\"$id\"" "$html"
done
n_feature_plots=$(sed -n '/id="features"/,/id="styles"/p' "$html" | grep -c '<figure data-feature=')
check "one distribution plot per feature over all windows ($n_feature_plots = 19)" test "$n_feature_plots" -eq 19
n_styles=$(grep -c '<details class="style"' "$html")
check "per-style sections present ($n_styles)" test "$n_styles" -ge 2
n_style_plots=$(sed -n '/id="styles"/,/id="heatmaps"/p' "$html" | grep -c '<figure data-feature=')
check "every style has its 19 plots ($n_style_plots = 19 x $n_styles)" test "$n_style_plots" -eq $((19 * n_styles))
n_captions=$(grep -c '<figcaption><b>KL</b> [0-9.]* &nbsp; <b>overlap</b> [0-9.]*' "$html")
check "per-hit offset and velocity distributions present" test "$(grep -c '<figure data-hits=' "$html")" -eq 2
check "KL and overlap written beside every distribution plot ($n_captions = 19 x $((n_styles + 1)) + 2 + continuity)" \
    test "$n_captions" -eq $((19 * (n_styles + 1) + 3))
n_heat=$(sed -n '/id="heatmaps"/,/id="latent"/p' "$html" | grep -c '<svg ')
check "velocity heat-maps real and generated for all and per style ($n_heat = 2 x $((n_styles + 1)))" \
    test "$n_heat" -eq $((2 * (n_styles + 1)))
check "latent PCA map present" grep -q 'data-map="pca"' "$html"
check "latent t-SNE map present" grep -q 'data-map="tsne"' "$html"
n_svg=$(grep -c '<svg ' "$html")
n_axes=$(grep -c 'text-anchor="middle" fill="#333">' "$html")
check "every plot has axis titles ($n_axes titles for $n_svg plots)" test "$n_axes" -ge "$n_svg"
check "model hyper-parameters listed" grep -Eq '<td class="l">latent size</td><td>[0-9]+</td>' "$html"
check "the command line is shown" grep -q 'groove eval --random-weights 7 --data' "$html"

# Numbers: the report's JSON block is the JSON printed, and every tagged table cell matches.
sed -n '/<pre id="json">/,/<\/pre>/p' "$html" | sed 's/.*<pre id="json">//; s/<\/pre>//; s/&quot;/"/g' |
    sed '/^$/d' >"$TMP/report.json"
check "the report's JSON block equals groove eval --json" diff -q <(sed '/^$/d' "$TMP/eval.json") "$TMP/report.json"
for k in $keys; do
    want=$(json_value "$k" "$TMP/eval.json")
    got=$(sed -n "s/.*<td data-key=\"$k\">\([^<]*\)<.*/\1/p" "$html" | head -1)
    check "table value of $k ($got) matches the JSON ($want)" \
        awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= 5e-5 * (b < 0 ? -b : b > 1 ? b : 1)) }'
done

# Hygiene: no NaN / inf anywhere, no script, nothing fetched from the network.
bad=$(grep -Eiwo -- '-?(nan|inf|infinity)' "$html" | head -3 | tr '\n' ' ')
check "no NaN or inf in the report${bad:+ (found: $bad)}" test -z "$bad"
check "no script in the report" bash -c "! grep -qi '<script' '$html'"
net=$(grep -Eo '(src|href)="[a-z]+://[^"]*"|url\([^)]*\)|@import' "$html" | head -3 | tr '\n' ' ')
check "no network reference in the report${net:+ (found: $net)}" test -z "$net"

# The continuity section: the closed loop walked for the report; its numbers are the ones
# groove eval --closed-loop prints.
check "the report has a continuity section with its histogram" \
    bash -c "grep -q 'id=\"continuity\"' '$html' && grep -q '<figure data-continuity=\"hist\">' '$html'"
"$GROOVE" eval --random-weights 7 --data "$TMP/gmd.gds" --split validation --limit 60 --closed-loop --json \
    >"$TMP/loop.json" 2>"$TMP/err"
check "groove eval --closed-loop --json exits 0" test $? -eq 0
for k in hit_accuracy hit_f1 hits_per_loop_pred hits_per_loop_true offset_std_pred continuity_overlap continuity_kl \
    continuity_mean_real continuity_mean_gen windows pairs walks performances; do
    v=$(json_value "$k" "$TMP/loop.json")
    check "closed-loop JSON has a number for $k ($v)" test -n "$v"
done
"$GROOVE" eval --random-weights 7 --data "$TMP/gmd.gds" --limit 5 --closed-loop --json >"$TMP/loop5.json" 2>/dev/null
check "--closed-loop --limit 5 walks 5 performances" test "$(json_value performances "$TMP/loop5.json")" = 5
check "a random model of the default shape reads its memory" grep -q '^  "memory": true,$' "$TMP/loop.json"
check "each walk of n windows gives n - 1 pairs" \
    test "$(json_value pairs "$TMP/loop.json")" -eq $(($(json_value windows "$TMP/loop.json") - $(json_value walks "$TMP/loop.json")))
for k in continuity_overlap continuity_kl continuity_mean_real continuity_mean_gen; do
    want=$(json_value "$k" "$TMP/loop.json")
    got=$(sed -n "s/.*<td data-key=\"$k\">\([^<]*\)<.*/\1/p" "$html" | head -1)
    check "report $k ($got) = groove eval --closed-loop ($want)" \
        awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= 5e-5) }'
done
"$GROOVE" eval --random-weights 7 --data "$TMP/gmd.gds" --closed-loop --midi "$TMP" >/dev/null 2>"$TMP/err"
check "--closed-loop with --midi is a usage error (2)" test $? -eq 2

# Deterministic: the same run again prints the same JSON.
"$GROOVE" eval --random-weights 7 --data "$TMP/gmd.gds" --limit 60 --json >"$TMP/eval2.json" 2>/dev/null
check "a second run prints the same JSON" cmp -s "$TMP/eval.json" "$TMP/eval2.json"

# Bad input: one line, status 1 (or 2 for usage).
"$GROOVE" eval --random-weights 7 --data "$TMP/missing.gds" >/dev/null 2>"$TMP/err"
rc=$?
check "a missing dataset exits 1 with one 'groove:' line" test "$rc" -eq 1 -a "$(wc -l <"$TMP/err")" -eq 1
check "... naming the file" grep -q "missing.gds" "$TMP/err"
printf 'not a dataset' >"$TMP/junk.gds"
"$GROOVE" eval --random-weights 7 --data "$TMP/junk.gds" >/dev/null 2>"$TMP/err"
rc=$?
check "a malformed dataset exits 1 with one line" test "$rc" -eq 1 -a "$(wc -l <"$TMP/err")" -eq 1
"$GROOVE" eval --model "$TMP/junk.gds" --data "$TMP/gmd.gds" >/dev/null 2>"$TMP/err"
rc=$?
check "a malformed model file exits 1 with one line" test "$rc" -eq 1 -a "$(wc -l <"$TMP/err")" -eq 1
"$GROOVE" eval --random-weights 7 --data "$TMP/gmd.gds" --split bogus >/dev/null 2>"$TMP/err"
check "an unknown split is a usage error (2)" test $? -eq 2
"$GROOVE" eval --random-weights 7 --data "$TMP/gmd.gds" --split test >/dev/null 2>"$TMP/err"
rc=$?
check "a split with no windows exits 1 and says so ($(head -1 "$TMP/err"))" test "$rc" -eq 1 -a "$(wc -l <"$TMP/err")" -eq 1
: >"$TMP/file"
"$GROOVE" eval --random-weights 7 --data "$TMP/gmd.gds" --limit 5 --report "$TMP/file" >/dev/null 2>"$TMP/err"
rc=$?
check "a report path that is a file exits 1 with one line" test "$rc" -eq 1 -a "$(wc -l <"$TMP/err")" -eq 1

# Headless Chromium: the page renders to a real screenshot.
if [ -x /usr/bin/chromium ]; then
    shot=$TMP/report.png
    timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$TMP/chromium-profile" --hide-scrollbars --window-size=1280,2000 \
        --screenshot="$shot" "file://$html" >"$TMP/chromium.log" 2>&1
    check "headless Chromium writes a screenshot of the report" test -s "$shot"
    magic=$(head -c 8 "$shot" 2>/dev/null | od -An -tx1 | tr -d ' \n')
    check "the screenshot is a PNG" test "$magic" = 89504e470d0a1a0a
    width=$(od -An -tu1 -j16 -N4 "$shot" 2>/dev/null | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
    check "the screenshot is 1280 px wide ($width)" test "${width:-0}" -eq 1280
    size=$(stat -c %s "$shot" 2>/dev/null || echo 0)
    check "the screenshot is not trivial ($size bytes > 50000)" test "$size" -gt 50000
else
    echo "note: /usr/bin/chromium not installed; screenshot check not run (apt-get install chromium)"
fi
finish
