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

    /* Replace: the first tap of a pass clears the groove, later taps of that pass add. */
    live_recorder_init(&rec, LIVE_REPLACE);
    live_record(&rec, &g, 4.0, 5, 0.6f, 0);
    CHECK(groove_count_hits(&g) == 1, "replace: first tap of pass 5 starts a new take");
    live_record(&rec, &g, 10.0, 5, 0.6f, 0);
    CHECK(groove_count_hits(&g) == 2, "replace: later taps of the pass add");
    live_record(&rec, &g, 2.0, 6, 0.6f, 0);
    CHECK(groove_count_hits(&g) == 1 && g.g[2][0] == 1, "replace: next pass starts over");

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
