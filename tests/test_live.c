/* test_live.c - live taps: key velocities, quantising with offsets and swing, overdub and
 * replace, tap tempo. */
#include <math.h>

#include "check.h"
#include "live.h"

int main(void)
{
    /* Keys: a..l rise from MIDI 40 to 127; other keys are not taps. */
    CHECK_NEAR(live_key_velocity('a'), 40.0 / 127, 1e-6, "key a is the softest tap (MIDI 40)");
    CHECK_NEAR(live_key_velocity('l'), 1.0, 1e-6, "key l is a full tap (MIDI 127)");
    int rising = 1;
    const char *keys = "asdfghjkl";
    for (int i = 1; keys[i]; i++)
        rising &= live_key_velocity(keys[i]) > live_key_velocity(keys[i - 1]);
    CHECK(rising, "velocity rises from a to l");
    CHECK(live_key_velocity('q') < 0 && live_key_velocity('A') < 0 && live_key_velocity(' ') < 0,
          "q, A and space are not tap keys");

    /* Quantising: nearest step, offset = distance, positive = late. */
    Live_slot s = live_quantize(4.2, 0);
    CHECK(s.step == 4, "4.2 lands on step 4 (got %d)", s.step);
    CHECK_NEAR(s.offset, 0.2, 1e-6, "4.2 is 0.2 steps late");
    s = live_quantize(7.7, 0);
    CHECK(s.step == 8, "7.7 lands on step 8 (got %d)", s.step);
    CHECK_NEAR(s.offset, -0.3, 1e-6, "7.7 is 0.3 steps early");
    s = live_quantize(31.8, 0);
    CHECK(s.step == 0 && s.offset == 0.0f, "31.8 wraps to step 0 with offset 0 (never before the loop)");
    s = live_quantize(33.25, 0);
    CHECK(s.step == 1, "positions wrap modulo 32 (33.25 -> step %d)", s.step);
    CHECK_NEAR(s.offset, 0.25, 1e-6, "wrapped tap keeps its offset");
    s = live_quantize(-0.75, 0);
    CHECK(s.step == 31, "-0.75 is step 31 of the previous pass (got %d)", s.step);
    s = live_quantize(NAN, 0);
    CHECK(s.step >= 0 && s.step < 32 && isfinite(s.offset), "NaN position gives a valid slot");

    /* Swing: odd steps sound late; a tap on the swung off-beat has no offset. */
    s = live_quantize(5.3, 0.3f);
    CHECK(s.step == 5, "swung off-beat 5.3 is step 5 (got %d)", s.step);
    CHECK_NEAR(s.offset, 0.0, 1e-6, "swung off-beat is on time");
    s = live_quantize(6.1, 0.3f);
    CHECK(s.step == 6, "on-beat under swing stays (step %d)", s.step);
    CHECK_NEAR(s.offset, 0.1, 1e-6, "on-beat offset unchanged by swing");

    /* Overdub: taps add, the latest on a step wins. */
    Groove g;
    groove_clear(&g);
    Live_recorder rec;
    live_recorder_init(&rec, LIVE_OVERDUB);
    live_record(&rec, &g, 0.1, 0, 0.5f, 0);
    live_record(&rec, &g, 8.0, 0, 0.9f, 0);
    live_record(&rec, &g, 16.0, 1, 0.7f, 0);
    CHECK(groove_count_hits(&g) == 3, "overdub keeps taps across passes (%d hits)", groove_count_hits(&g));
    live_record(&rec, &g, 8.1, 1, 0.4f, 0);
    CHECK_NEAR(g.g[8][1], 0.4, 1e-6, "a later tap on the same step replaces it");
    CHECK_NEAR(g.g[8][2], 0.1, 1e-6, "and brings its own offset");
    Live_slot none = live_record(&rec, &g, 3.0, 1, 0.0f, 0);
    CHECK(none.step == -1 && g.g[3][0] == 0, "velocity 0 records nothing");
    live_record(&rec, &g, 12.0, 1, 7.0f, 0);
    CHECK(g.g[12][1] == 1.0f, "velocity clamps to 1");

    /* Replace (a looper's take): the last loop of taps up to the newest one. */
    live_recorder_init(&rec, LIVE_REPLACE);
    live_record(&rec, &g, 4.0, 5, 0.6f, 0);
    CHECK(groove_count_hits(&g) == 1 && g.g[4][0] == 1, "replace: the first tap clears the old groove");
    live_record(&rec, &g, 10.0, 5, 0.6f, 0);
    CHECK(groove_count_hits(&g) == 2, "replace: later taps add");
    live_record(&rec, &g, 2.0, 6, 0.6f, 0);
    CHECK(groove_count_hits(&g) == 3 && g.g[2][0] == 1 && g.g[4][0] == 1 && g.g[10][0] == 1,
          "replace: a tap in the next pass keeps the last loop's taps (within 2 bars)");
    live_record(&rec, &g, 6.0, 6, 0.6f, 0);
    CHECK(groove_count_hits(&g) == 3 && g.g[4][0] == 0 && g.g[6][0] == 1,
          "replace: a tap more than a loop back drops out of the take");
    live_record(&rec, &g, 6.0, 9, 0.6f, 0);
    CHECK(groove_count_hits(&g) == 1 && g.g[6][0] == 1, "replace: after a pause, a new take");
    /* The phrase: 8 quarter notes from beat 3 of bar 2 across the loop line. */
    live_recorder_init(&rec, LIVE_REPLACE);
    for (int k = 0; k < 8; k++) {
        double p = 24.0 + 4.0 * k; /* 24, 28 | 32, 36, ..., 52 */
        live_record(&rec, &g, p, (int64_t)floor((p + 0.5) / 32), 0.8f, 0);
    }
    int quarters = 1;
    for (int t = 0; t < HVO_STEPS; t++)
        quarters &= (g.g[t][0] == 1.0f) == (t % 4 == 0 && (t >= 24 || t <= 20));
    CHECK(groove_count_hits(&g) == 8 && quarters, "replace: a phrase across the loop line is kept whole (8 of 8 hits)");
    /* taps a loop minus a little apart: the newer wins the step */
    live_recorder_init(&rec, LIVE_REPLACE);
    live_record(&rec, &g, 8.4, 0, 0.3f, 0);
    live_record(&rec, &g, 40.0, 1, 0.9f, 0);
    CHECK(groove_count_hits(&g) == 1 && fabsf(g.g[8][1] - 0.9f) < 1e-6f, "replace: a tap 31.6 steps back is out of the take");
    live_record(&rec, &g, 71.4, 2, 0.5f, 0);
    CHECK(groove_count_hits(&g) == 2 && g.g[8][0] == 1 && g.g[7][0] == 1, "replace: one 31.4 steps back is in");
    /* a long overdub-free history wraps the ring without losing the take */
    live_recorder_init(&rec, LIVE_REPLACE);
    for (int k = 0; k < 3 * LIVE_HISTORY; k++)
        live_record(&rec, &g, k * 1.0, (int64_t)floor((k + 0.5) / 32), 0.5f, 0);
    CHECK(groove_count_hits(&g) == 32, "replace: a tap on every step for 12 loops: all 32 steps in the take");
    /* the distance before clamping */
    Live_slot d = live_quantize(31.8, 0);
    CHECK(d.step == 0 && d.offset == 0.0f && fabs(d.distance + 0.2) < 1e-9, "just before the loop line: step 0, offset 0, distance -0.2");
    d = live_quantize(5.3, 0.2f);
    CHECK(d.step == 5 && fabs(d.distance - 0.1) < 1e-6, "swung: distance from the swung line");

    /* Tap tempo. */
    Tap_tempo tap;
    tap_tempo_init(&tap);
    CHECK(tap_tempo_tap(&tap, 10.0) == 0, "one tap gives no tempo yet");
    CHECK_NEAR(tap_tempo_tap(&tap, 10.5), 120.0, 1e-9, "two taps 0.5 s apart: 120 BPM");
    tap_tempo_tap(&tap, 11.0);
    CHECK_NEAR(tap_tempo_tap(&tap, 11.6), 60.0 / (1.6 / 3), 1e-9, "tempo is the mean interval");
    CHECK(tap_tempo_tap(&tap, 20.0) == 0, "a gap over 2 s starts over");
    CHECK_NEAR(tap_tempo_tap(&tap, 20.1), 300.0, 1e-9, "fast taps clamp to 300 BPM");
    for (int i = 0; i < 10; i++)
        tap_tempo_tap(&tap, 30.0 + 0.25 * i);
    CHECK_NEAR(tap_tempo_tap(&tap, 32.5), 240.0, 1e-9, "only the last taps count (steady 240)");
    CHECK(tap_tempo_tap(&tap, 31.0) == 0, "time going backwards starts over");
    return check_summary();
}
