/* test_click.c - the engine's practice side (synth/engine.h): the click (one tick per beat at
 * its exact frame, accent on beat 1, own level, off by default, never in a pattern), the
 * count-in (N bars of click before step 0, patterns from step 0), when a new pattern takes
 * over (loop, bar, beat) and the splice rule (a hit that moves across the splice line sounds
 * exactly once; a hit only the old pattern had before the line still sounds). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "drumsynth.h"
#include "engine.h"
#include "kit.h"

#define RATE 48000
#define FPS 6000 /* frames per step at 120 bpm, 48 kHz */

/* Every voice a 100-frame block of constant level: onsets are exact. */
static void make_block_kit(Kit *kit, float level)
{
    memset(kit, 0, sizeof *kit);
    kit->rate = RATE;
    for (int v = 0; v < HVO_VOICES; v++) {
        float *d = malloc(sizeof(float) * 100);
        for (int i = 0; i < 100; i++)
            d[i] = level;
        kit->voices[v].layers[0] = (Kit_layer){d, 100, 0.0f, 1.0f, 1.0f};
        kit->voices[v].n_layers = 1;
    }
}

static float *render(Engine *e, int frames, int block)
{
    float *mono = calloc((size_t)frames, sizeof(float));
    float *buf = malloc(sizeof(float) * 2 * (size_t)block);
    for (int at = 0; at < frames; at += block) {
        int n = frames - at < block ? frames - at : block;
        engine_render(e, buf, n);
        for (int i = 0; i < n; i++)
            mono[at + i] = buf[2 * i];
    }
    free(buf);
    return mono;
}

/* Onsets: first frame above 1e-6 after at least `gap` frames of (near) silence. */
static int onsets(const float *x, int n, int gap, int64_t *out, int max)
{
    int count = 0, quiet = gap;
    for (int i = 0; i < n; i++) {
        if (fabsf(x[i]) > 1e-6f) {
            if (quiet >= gap) {
                if (count < max)
                    out[count] = i;
                count++;
            }
            quiet = 0;
        } else {
            quiet++;
        }
    }
    return count;
}

static float peak(const float *x, int from, int to)
{
    float p = 0;
    for (int i = from; i < to; i++)
        p = fmaxf(p, fabsf(x[i]));
    return p;
}

static void test_click_sound(void)
{
    float a[4000], b[4000];
    int na = drumsynth_click(a, 4000, RATE, 1), nb = drumsynth_click(b, 4000, RATE, 0);
    CHECK(na == (int)(DRUMSYNTH_CLICK_SECONDS * RATE) && nb == na, "click is 40 ms (%d frames)", na);
    CHECK(fabsf(peak(a, 0, na) - DRUMSYNTH_CLICK_ACCENT_PEAK) < 1e-5f && fabsf(peak(b, 0, nb) - DRUMSYNTH_CLICK_PEAK) < 1e-5f,
          "accent peaks at %.2f, other beats at %.2f", DRUMSYNTH_CLICK_ACCENT_PEAK, DRUMSYNTH_CLICK_PEAK);
    CHECK(20.0 * log10(peak(a, 0, na) / peak(b, 0, nb)) >= 3.0, "the accent is at least 3 dB louder");
    float c[4000];
    drumsynth_click(c, 4000, RATE, 1);
    CHECK(memcmp(a, c, sizeof a) == 0, "click synthesis is deterministic");
    CHECK(peak(a, na, 4000) == 0.0f, "silence after the sound");
}

static void test_click_and_count_in(void)
{
    Engine e;
    CHECK(engine_init(&e, RATE, NULL) == 0, "engine without a kit");
    CHECK(engine_get_click(&e) == 0, "click is off by default");
    /* click off, no count-in: silence */
    engine_play(&e);
    float *x = render(&e, 64 * FPS, 256);
    CHECK(peak(x, 0, 64 * FPS) == 0.0f, "click off: nothing sounds");
    free(x);
    /* click on: one tick per beat, exactly on the beat frame, accent on beat 1 of each bar */
    engine_set_click(&e, 1);
    engine_play(&e);
    x = render(&e, 64 * FPS, 257);
    int64_t at[32];
    int n = onsets(x, 64 * FPS, 100, at, 32);
    int exact = 1;
    for (int i = 0; i < n && i < 32; i++)
        exact &= at[i] == (int64_t)i * 4 * FPS;
    CHECK(n == 16 && exact, "click on: 16 ticks in 2 loops, every one on its beat's frame (%d)", n);
    float acc = peak(x, 0, 2000), other = peak(x, 4 * FPS, 4 * FPS + 2000);
    CHECK(fabsf(acc - ENGINE_DEFAULT_CLICK_LEVEL * DRUMSYNTH_CLICK_ACCENT_PEAK) < 1e-4f, "accent at the click level");
    CHECK(20.0 * log10(acc / other) >= 3.0, "beat 1 is %.1f dB louder than beat 2", 20.0 * log10(acc / other));
    CHECK(fabsf(peak(x, 16 * FPS, 16 * FPS + 2000) - acc) < 1e-6f, "bar 2's first beat is accented too");
    free(x);
    /* its own level */
    engine_set_click_level(&e, 0.25f);
    engine_play(&e);
    x = render(&e, 8 * FPS, 256);
    CHECK(fabsf(peak(x, 0, 2000) - 0.25f * DRUMSYNTH_CLICK_ACCENT_PEAK) < 1e-4f, "click level 0.25 scales it");
    CHECK(engine_get_master(&e) == ENGINE_DEFAULT_MASTER, "the master is not the click level");
    free(x);
    /* count-in: click off, 1 bar: 4 ticks before step 0, none after */
    engine_set_click(&e, 0);
    engine_set_click_level(&e, ENGINE_DEFAULT_CLICK_LEVEL);
    engine_play_from(&e, -16);
    x = render(&e, 48 * FPS, 256);
    n = onsets(x, 48 * FPS, 100, at, 32);
    CHECK(n == 4 && at[0] == 0 && at[3] == 12 * FPS, "count-in with the click off: 4 ticks, then quiet (%d)", n);
    free(x);
    Engine_position pos;
    engine_position(&e, &pos);
    CHECK(pos.playing && fabs(pos.step - (32.0 - 256.0 / FPS)) < 0.01, "after the count-in the transport is at step 32 (%.3f)", pos.step);
    CHECK(pos.clock > 0, "the render clock counts frames");
    engine_deinit(&e);
}

static void test_count_in_pattern(void)
{
    Kit kit;
    make_block_kit(&kit, 0.25f);
    Engine e;
    engine_init(&e, RATE, &kit);
    Hvo p;
    hvo_clear(&p);
    hvo_set(&p, 0, VOICE_KICK, 1, 1.0f, -0.25f); /* early downbeat */
    hvo_set(&p, 31, VOICE_SNARE, 1, 1.0f, 0.0f);
    engine_set_pattern(&e, &p);
    engine_set_click(&e, 1);
    engine_set_click_level(&e, 0.0f); /* silent ticks: only the pattern is heard */
    engine_play_from(&e, -32);
    float *x = render(&e, 63 * FPS + FPS / 2, 256);
    int64_t at[8];
    int n = onsets(x, 63 * FPS + FPS / 2, 50, at, 8);
    CHECK(n == 2 && at[0] == 32 * FPS - 1500 && at[1] == 63 * FPS,
          "2-bar count-in: the pattern starts at step 0 (early kick 0.25 before it), step 31 never in the count-in (%d)", n);
    free(x);
    /* the click never enters the pattern */
    CHECK(hvo_count_hits(&p) == 2, "the pattern is unchanged");
    engine_deinit(&e);
    kit_deinit(&kit);
}

/* Plays A, hands B over at step `at_step` of loop 0 with respond `steps`; returns the frame of
 * the first snare (B's voice) or -1. */
static int64_t first_b_onset(int steps, int at_step)
{
    Kit kit;
    make_block_kit(&kit, 0.25f);
    Engine e;
    engine_init(&e, RATE, &kit);
    engine_set_respond(&e, steps);
    Hvo a, b;
    hvo_clear(&a);
    hvo_clear(&b);
    for (int s = 0; s < HVO_STEPS; s++) {
        hvo_set(&a, s, VOICE_KICK, 1, 1.0f, 0.0f);
        if (s % 2 == 0) /* even steps: the splice rule keeps step k-1 (odd) from A */
            hvo_set(&b, s, VOICE_SNARE, 1, 1.0f, 0.0f);
    }
    engine_set_pattern(&e, &a);
    engine_play(&e);
    float *x1 = render(&e, at_step * FPS, 250);
    free(x1);
    engine_set_pattern(&e, &b);
    /* same block sound for every voice: tell B's snares apart by muting A's kick */
    engine_set_mute(&e, VOICE_KICK, 1);
    float *x = render(&e, 40 * FPS, 250);
    int64_t at[64];
    int n = onsets(x, 40 * FPS, 50, at, 64);
    int64_t first = n > 0 ? at[0] + (int64_t)at_step * FPS : -1;
    free(x);
    engine_deinit(&e);
    kit_deinit(&kit);
    return first;
}

static void test_respond(void)
{
    CHECK(first_b_onset(32, 5) == 32 * FPS, "respond loop: B from the loop line (step 32)");
    CHECK(first_b_onset(16, 5) == 16 * FPS, "respond bar: B from the next bar line (step 16)");
    CHECK(first_b_onset(16, 21) == 32 * FPS, "respond bar, set in bar 2: B from step 32");
    CHECK(first_b_onset(4, 5) == 8 * FPS, "respond beat: B from the next beat line (step 8)");
    CHECK(first_b_onset(4, 9) == 12 * FPS, "respond beat, set after step 8's scheduling: step 12");
    Engine e;
    engine_init(&e, RATE, NULL);
    CHECK(engine_get_respond(&e) == 32, "respond defaults to the loop");
    engine_set_respond(&e, 7);
    CHECK(engine_get_respond(&e) == 32, "a respond that is not 4, 16 or 32 means the loop");
    engine_deinit(&e);
}

/* Splice: A playing, B handed over before the bar line at step 16 (respond bar); counts the
 * kick onsets between steps 14 and 18 and returns the first one's frame through *first. */
static int splice_kicks(int old_step, float old_off, int new_step, float new_off, int64_t *first)
{
    Kit kit;
    make_block_kit(&kit, 0.25f);
    Engine e;
    engine_init(&e, RATE, &kit);
    engine_set_respond(&e, 16);
    Hvo a, b;
    hvo_clear(&a);
    hvo_clear(&b);
    if (old_step >= 0)
        hvo_set(&a, old_step, VOICE_KICK, 1, 1.0f, old_off);
    if (new_step >= 0)
        hvo_set(&b, new_step, VOICE_KICK, 1, 1.0f, new_off);
    engine_set_pattern(&e, &a);
    engine_play(&e);
    free(render(&e, 10 * FPS, 256));
    engine_set_pattern(&e, &b);
    float *x = render(&e, 10 * FPS, 256); /* steps 10 .. 20 */
    int64_t at[8];
    int n = onsets(x, 10 * FPS, 50, at, 8);
    *first = n > 0 ? at[0] + 10 * FPS : -1;
    free(x);
    engine_deinit(&e);
    kit_deinit(&kit);
    return n;
}

static void test_splice(void)
{
    int64_t f;
    int n = splice_kicks(15, 0.0f, 16, 0.0f, &f);
    CHECK(n == 1 && f == 16 * FPS, "old kick on 15, new on 16: one kick, the new one (%d)", n);
    n = splice_kicks(16, -0.4f, 15, 0.4f, &f);
    CHECK(n == 1 && f == (int64_t)llround(15.4 * FPS), "old kick on 16 (early), new on 15 (late): one kick, the new one (%d)", n);
    n = splice_kicks(15, 0.45f, 16, -0.45f, &f);
    CHECK(n == 1 && f == (int64_t)llround(15.55 * FPS), "old 15 late, new 16 early: one kick (%d)", n);
    n = splice_kicks(15, 0.0f, -1, 0.0f, &f);
    CHECK(n == 1 && f == 15 * FPS, "old kick on 15, the new part has none near: the old one still sounds (%d)", n);
    n = splice_kicks(16, 0.0f, -1, 0.0f, &f);
    CHECK(n == 0, "old kick on 16 (after the line), the new part has none: none (%d)", n);
    n = splice_kicks(-1, 0.0f, 15, 0.0f, &f);
    CHECK(n == 1 && f == 15 * FPS, "only the new part has a kick on 15: it sounds (%d)", n);
    n = splice_kicks(15, 0.0f, 15, 0.0f, &f);
    CHECK(n == 1 && f == 15 * FPS, "both on 15: one kick (%d)", n);
    n = splice_kicks(14, 0.0f, 16, 0.0f, &f);
    CHECK(n == 2, "old 14 and new 16 are two notes, both sound (%d)", n);
}

int main(void)
{
    test_click_sound();
    test_click_and_count_in();
    test_count_in_pattern();
    test_respond();
    test_splice();
    return check_summary();
}
