/* test_midi_hvo.c - MIDI -> HVO conversion on hand-made files with known content (offsets,
 * collisions, the step-0 rule, tempo changes, PPQ 96 and 480, unmapped notes), grooves from
 * any MIDI, pattern -> MIDI -> pattern round trips, and the cross-check against the
 * independent reference conversion in ../shared/data/reference/hvo_windows.json. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "midi_bytes.h"
#include "midi_hvo.h"

static char err[256];

/* Parses bytes into a part; the test fails loudly when the bytes do not read. */
static int part_from_bytes(Midi_part *part, const MidiBytes *m)
{
    Smf smf;
    if (smf_read_memory(&smf, m->b, m->n, err, sizeof err) != 0) {
        printf("     read error: %s\n", err);
        return -1;
    }
    int rc = midi_part_from_smf(part, &smf, err, sizeof err);
    smf_deinit(&smf);
    return rc;
}

/* Counts cells that differ between two patterns beyond tol. */
static int hvo_diff(const Hvo *a, const Hvo *b, float tol)
{
    int n = 0;
    for (int t = 0; t < HVO_STEPS; t++)
        for (int c = 0; c < HVO_CHANNELS; c++)
            n += fabsf(a->v[t][c] - b->v[t][c]) > tol;
    return n;
}

/* Offsets in steps, PPQ 480 (120 ticks a step) and the round-half-up rule. */
static void test_offsets_ppq480(void)
{
    MidiBytes m = {0};
    mb_header(&m, 0, 1, 480);
    size_t at = mb_track_begin(&m);
    mb_tempo(&m, 0, 500000);
    mb_timesig(&m, 0, 4, 2);
    mb_on(&m, 0, 9, 36, 127);   /* tick 0: kick, step 0, offset 0 */
    mb_on(&m, 130, 9, 38, 64);  /* tick 130: snare, 1.0833 -> step 1, +0.0833 */
    mb_on(&m, 220, 9, 42, 100); /* tick 350: hat, 2.9167 -> step 3, -0.0833 */
    mb_on(&m, 190, 9, 51, 90);  /* tick 540: ride, 4.5 exactly -> step 5, -0.5 */
    mb_off(&m, 10, 9, 36);
    mb_on(&m, 3230, 9, 46, 30); /* tick 3780: open hat, 31.5 -> step 32 = next window */
    mb_track_end(&m, at, 0);
    Midi_part part;
    CHECK(part_from_bytes(&part, &m) == 0, "PPQ 480 file reads");
    Hvo p;
    Midi_hvo_stats st;
    memset(&st, 0, sizeof st);
    int hits = midi_part_to_hvo(&part, 0, &p, &st);
    CHECK(hits == 4, "PPQ 480: 4 hits in window 0 (got %d)", hits);
    CHECK(hvo_hit(&p, 0, VOICE_KICK) == 1.0f && hvo_vel(&p, 0, VOICE_KICK) == 1.0f && hvo_off(&p, 0, VOICE_KICK) == 0.0f,
          "kick at step 0, velocity 1, offset 0");
    CHECK(hvo_hit(&p, 1, VOICE_SNARE) == 1.0f, "snare at tick 130 lands on step 1");
    CHECK_NEAR(hvo_off(&p, 1, VOICE_SNARE), 10.0 / 120, 1e-6, "snare offset +10/120 step");
    CHECK_NEAR(hvo_vel(&p, 1, VOICE_SNARE), 64.0 / 127, 1e-7, "snare velocity 64/127");
    CHECK(hvo_hit(&p, 3, VOICE_CLOSED_HAT) == 1.0f, "hat at tick 350 lands on step 3");
    CHECK_NEAR(hvo_off(&p, 3, VOICE_CLOSED_HAT), -10.0 / 120, 1e-6, "hat offset -10/120 step");
    CHECK(hvo_hit(&p, 5, VOICE_RIDE) == 1.0f && hvo_off(&p, 5, VOICE_RIDE) == -0.5f,
          "a note exactly half a step late snaps to the next step with offset -0.5");
    CHECK(hvo_count_voice_hits(&p, VOICE_OPEN_HAT) == 0, "a note snapping to step 32 is not in window 0");
    CHECK(st.notes == 4 && st.mapped == 4 && st.unmapped == 0, "stats count 4 mapped notes");
    CHECK(part.n_bars == 3, "the part has 3 bars (last onset snaps to step 32, bar 2) (got %d)", part.n_bars);
    memset(&st, 0, sizeof st);
    midi_part_to_hvo(&part, 1, &p, &st);
    CHECK(hvo_hit(&p, 16, VOICE_OPEN_HAT) == 1.0f && hvo_off(&p, 16, VOICE_OPEN_HAT) == -0.5f,
          "window at bar 1 holds the open hat at step 16, offset -0.5");
    CHECK(hvo_count_hits(&p) == 1, "window at bar 1 holds only that hit");
    midi_part_deinit(&part);
}

/* PPQ 96: 24 ticks a step. */
static void test_ppq96(void)
{
    MidiBytes m = {0};
    mb_header(&m, 0, 1, 96);
    size_t at = mb_track_begin(&m);
    mb_on(&m, 30, 9, 36, 100);  /* tick 30 = 1.25 steps -> step 1, +0.25 */
    mb_on(&m, 354, 9, 38, 80);  /* tick 384 = 16 steps exactly -> step 16 */
    mb_on(&m, 10, 9, 42, 70);   /* tick 394 = 16.4167 -> step 16, +0.4167 */
    mb_track_end(&m, at, 0);
    Midi_part part;
    CHECK(part_from_bytes(&part, &m) == 0, "PPQ 96 file reads");
    Hvo p;
    midi_part_to_hvo(&part, 0, &p, NULL);
    CHECK(hvo_hit(&p, 1, VOICE_KICK) == 1.0f, "PPQ 96: kick at tick 30 on step 1");
    CHECK_NEAR(hvo_off(&p, 1, VOICE_KICK), 0.25, 1e-7, "PPQ 96: kick offset +0.25");
    CHECK(hvo_hit(&p, 16, VOICE_SNARE) == 1.0f && hvo_off(&p, 16, VOICE_SNARE) == 0.0f,
          "PPQ 96: snare on bar 2's downbeat, offset 0");
    CHECK_NEAR(hvo_off(&p, 16, VOICE_CLOSED_HAT), 10.0 / 24, 1e-6, "PPQ 96: hat offset +10/24");
    CHECK(part.n_bars == 2, "PPQ 96: 2 bars");
    midi_part_deinit(&part);
}

/* Two notes of one voice on one step: the louder stays; equal: the first. */
static void test_collisions(void)
{
    MidiBytes m = {0};
    mb_header(&m, 0, 1, 480);
    size_t at = mb_track_begin(&m);
    mb_on(&m, 480, 9, 38, 50);   /* step 4, snare, soft */
    mb_on(&m, 20, 9, 40, 100);   /* step 4 (+20 ticks), electric snare = same voice, loud */
    mb_on(&m, 0, 9, 37, 60);     /* step 4, side stick = same voice, softer: dropped */
    mb_on(&m, 940, 9, 36, 90);   /* tick 1440: step 12 kick */
    mb_on(&m, 10, 9, 36, 90);    /* step 12 +10 ticks, equally loud: the first stays */
    mb_on(&m, 0, 9, 42, 20);     /* a different voice on the same step is kept */
    mb_track_end(&m, at, 0);
    Midi_part part;
    CHECK(part_from_bytes(&part, &m) == 0, "collision file reads");
    Hvo p;
    Midi_hvo_stats st;
    memset(&st, 0, sizeof st);
    int hits = midi_part_to_hvo(&part, 0, &p, &st);
    CHECK(hits == 3, "collisions: 3 hits (snare, kick, hat) (got %d)", hits);
    CHECK_NEAR(hvo_vel(&p, 4, VOICE_SNARE), 100.0 / 127, 1e-7, "the louder snare wins");
    CHECK_NEAR(hvo_off(&p, 4, VOICE_SNARE), 20.0 / 120, 1e-6, "with its own offset");
    CHECK(hvo_off(&p, 12, VOICE_KICK) == 0.0f, "equal velocities: the first note stays");
    CHECK(hvo_hit(&p, 12, VOICE_CLOSED_HAT) == 1.0f, "another voice on the same step stays");
    CHECK(st.collisions == 3, "3 collisions counted (got %d)", st.collisions);
    Groove g;
    hvo_flatten(&p, &g);
    CHECK(g.g[12][0] == 1.0f && g.g[12][1] == 90.0f / 127 && g.g[12][2] == 0.0f,
          "flattened groove at step 12 takes the loudest note (kick)");
    midi_part_deinit(&part);
}

/* The step-0 rule: an early note at a window's first step gets offset 0 there, and keeps
 * its negative offset in a window where it is not step 0. */
static void test_step0(void)
{
    MidiBytes m = {0};
    mb_header(&m, 0, 1, 480);
    size_t at = mb_track_begin(&m);
    mb_on(&m, 1890, 9, 36, 100); /* tick 1890 = step 15.75 -> step 16, -0.25 */
    mb_on(&m, 10, 9, 42, 100);   /* tick 1900 = step 15.833 -> step 16, -0.1667 */
    mb_track_end(&m, at, 0);
    Midi_part part;
    CHECK(part_from_bytes(&part, &m) == 0, "step-0 file reads");
    Hvo p;
    Midi_hvo_stats st;
    memset(&st, 0, sizeof st);
    midi_part_to_hvo(&part, 0, &p, &st);
    CHECK_NEAR(hvo_off(&p, 16, VOICE_KICK), -0.25, 1e-7, "window 0: kick at step 16 keeps offset -0.25");
    CHECK(st.step0_clamped == 0, "window 0: nothing clamped");
    memset(&st, 0, sizeof st);
    midi_part_to_hvo(&part, 1, &p, &st);
    CHECK(hvo_hit(&p, 0, VOICE_KICK) == 1.0f && hvo_off(&p, 0, VOICE_KICK) == 0.0f,
          "window 1: kick at step 0, negative offset set to 0");
    CHECK(hvo_hit(&p, 0, VOICE_CLOSED_HAT) == 1.0f && hvo_off(&p, 0, VOICE_CLOSED_HAT) == 0.0f,
          "window 1: hat at step 0, offset 0");
    CHECK(st.step0_clamped == 2, "2 step-0 clamps counted (got %d)", st.step0_clamped);
    Groove g;
    midi_part_to_groove(&part, 1, &g);
    CHECK(g.g[0][0] == 1.0f && g.g[0][2] == 0.0f, "the groove obeys the step-0 rule too");
    midi_part_deinit(&part);
}

/* A tempo change moves no note off its beat; bpm_at and seconds follow the tempo map. */
static void test_tempo_change(void)
{
    MidiBytes m = {0};
    mb_header(&m, 1, 2, 480);
    size_t at = mb_track_begin(&m); /* conductor track */
    mb_tempo(&m, 0, 500000);        /* 120 bpm */
    mb_tempo(&m, 1920, 1000000);    /* 60 bpm from bar 1 */
    mb_track_end(&m, at, 0);
    at = mb_track_begin(&m);
    for (int q = 0; q < 8; q++)
        mb_on(&m, q == 0 ? 0 : 480, 9, 36, 100); /* a kick every quarter for 2 bars */
    mb_track_end(&m, at, 0);
    Smf smf;
    CHECK(smf_read_memory(&smf, m.b, m.n, err, sizeof err) == 0, "format-1 tempo file reads");
    CHECK_NEAR(smf_tick_to_seconds(&smf, 1920), 2.0, 1e-9, "bar 1 starts at 2.0 s (120 bpm)");
    CHECK_NEAR(smf_tick_to_seconds(&smf, 3840), 6.0, 1e-9, "bar 2 starts at 6.0 s (60 bpm)");
    Midi_part part;
    CHECK(midi_part_from_smf(&part, &smf, err, sizeof err) == 0, "part from the Smf");
    smf_deinit(&smf);
    Hvo p;
    midi_part_to_hvo(&part, 0, &p, NULL);
    int on_beats = 1;
    for (int t = 0; t < HVO_STEPS; t++) {
        int want = t % 4 == 0;
        on_beats &= (hvo_hit(&p, t, VOICE_KICK) == (float)want) && hvo_off(&p, t, VOICE_KICK) == 0.0f;
    }
    CHECK(on_beats, "after the tempo change every kick is still on its beat, offset 0");
    CHECK_NEAR(midi_part_bpm_at(&part, 0), 120.0, 1e-9, "bpm at bar 0 is 120");
    CHECK_NEAR(midi_part_bpm_at(&part, 16), 60.0, 1e-9, "bpm at bar 1 is 60");
    midi_part_deinit(&part);
}

/* Notes 35, 41 and a piano note are counted as unmapped and not used. */
static void test_unmapped(void)
{
    MidiBytes m = {0};
    mb_header(&m, 0, 1, 480);
    size_t at = mb_track_begin(&m);
    mb_on(&m, 0, 9, 35, 100);
    mb_on(&m, 120, 9, 41, 100);
    mb_on(&m, 120, 9, 36, 100);
    mb_on(&m, 120, 0, 60, 90);
    mb_on(&m, 0, 9, 41, 10);
    mb_track_end(&m, at, 0);
    Midi_part part;
    CHECK(part_from_bytes(&part, &m) == 0, "unmapped-note file reads");
    CHECK(part.note_map == MIDI_MAP_GM, "a part reads with the General MIDI map unless told");
    part.note_map = MIDI_MAP_DATASET; /* as the dataset reads the GMD */
    Hvo p;
    Midi_hvo_stats st;
    memset(&st, 0, sizeof st);
    int hits = midi_part_to_hvo(&part, 0, &p, &st);
    CHECK(hits == 1 && hvo_hit(&p, 2, VOICE_KICK) == 1.0f, "only the kick (36) becomes a hit");
    CHECK(st.unmapped == 4 && st.unmapped_by_note[35] == 1 && st.unmapped_by_note[41] == 2 &&
              st.unmapped_by_note[60] == 1,
          "dataset map: unmapped notes counted per note: 35 x1, 41 x2, 60 x1");
    Groove g;
    int taps = midi_part_to_groove(&part, 0, &g);
    CHECK(taps == 4, "as a groove every note is a tap: steps 0,1,2,3 (got %d)", taps);
    CHECK_NEAR(g.g[3][1], 90.0 / 127, 1e-7, "groove step 3: the louder of the two taps (90)");
    midi_part_deinit(&part);
}

/* Files from users read with the whole GM percussion map (SPEC.md): every note 27..87 lands
 * on a voice, 58 is a crash (a GM vibraslap, not the TD-11's tom rim), and a backbeat of
 * hand claps (39) is a snare backbeat. */
static void test_gm_map(void)
{
    static const struct { int note, voice; } table[] = {
        {35, VOICE_KICK}, {36, VOICE_KICK}, {27, VOICE_SNARE}, {39, VOICE_SNARE}, {40, VOICE_SNARE},
        {85, VOICE_SNARE}, {42, VOICE_CLOSED_HAT}, {54, VOICE_CLOSED_HAT}, {80, VOICE_CLOSED_HAT},
        {46, VOICE_OPEN_HAT}, {81, VOICE_OPEN_HAT}, {41, VOICE_LOW_TOM}, {43, VOICE_LOW_TOM},
        {29, VOICE_LOW_TOM}, {45, VOICE_MID_TOM}, {87, VOICE_MID_TOM}, {48, VOICE_HIGH_TOM},
        {30, VOICE_HIGH_TOM}, {49, VOICE_CRASH}, {58, VOICE_CRASH}, {57, VOICE_CRASH},
        {51, VOICE_RIDE}, {82, VOICE_RIDE}, {59, VOICE_RIDE}};
    int ok = 1;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (voice_from_general_midi(table[i].note) != table[i].voice) {
            printf("     note %d -> %d, want %d\n", table[i].note, voice_from_general_midi(table[i].note), table[i].voice);
            ok = 0;
        }
    CHECK(ok, "GM map: 35 kick, 39 clap snare, 41 low tom, 58 crash, 82 ride, ... as SPEC.md says");
    int all = 1;
    for (int n = 27; n <= 87; n++)
        all &= voice_from_general_midi(n) >= 0;
    CHECK(all, "every GM percussion note 27..87 lands on a voice");
    CHECK(voice_from_general_midi(26) == VOICE_OPEN_HAT && voice_from_general_midi(22) == VOICE_CLOSED_HAT &&
              voice_from_general_midi(60 + 40) < 0 && voice_from_general_midi(20) < 0,
          "the TD-11 hat notes 22/26 stay, notes outside the GM range map to nothing");
    int kept = 1;
    for (int n = 0; n < 128; n++)
        if (voice_from_gm_note(n) >= 0 && n != 58)
            kept &= voice_from_general_midi(n) == voice_from_gm_note(n);
    CHECK(kept && voice_from_gm_note(58) == VOICE_LOW_TOM && voice_from_gm_note(35) < 0,
          "the GM map keeps the dataset's table except 58; the dataset map is unchanged");

    /* A drum-machine export: kick 35 on 1 and 3, claps 39 on 2 and 4, floor tom 41. */
    MidiBytes m = {0};
    mb_header(&m, 0, 1, 480);
    size_t at = mb_track_begin(&m);
    mb_on(&m, 0, 9, 35, 100);
    mb_on(&m, 480, 9, 39, 90);
    mb_on(&m, 480, 9, 35, 100);
    mb_on(&m, 480, 9, 39, 90);
    mb_on(&m, 240, 9, 41, 70);
    mb_track_end(&m, at, 0);
    Midi_part part;
    CHECK(part_from_bytes(&part, &m) == 0, "drum-machine file reads");
    Hvo p;
    Midi_hvo_stats st;
    memset(&st, 0, sizeof st);
    int hits = midi_part_to_hvo(&part, 0, &p, &st);
    CHECK(hits == 5 && st.unmapped == 0, "GM map: all 5 notes land on voices (hits %d, unmapped %d)", hits, st.unmapped);
    CHECK(hvo_hit(&p, 0, VOICE_KICK) == 1.0f && hvo_hit(&p, 8, VOICE_KICK) == 1.0f, "kicks on 35 play the kick");
    CHECK(hvo_hit(&p, 4, VOICE_SNARE) == 1.0f && hvo_hit(&p, 12, VOICE_SNARE) == 1.0f,
          "the clap backbeat (39) is the snare backbeat");
    CHECK(hvo_hit(&p, 14, VOICE_LOW_TOM) == 1.0f, "the floor tom (41) is the low tom");
    part.note_map = MIDI_MAP_DATASET;
    CHECK(midi_part_to_hvo(&part, 0, &p, NULL) == 0, "the dataset map still drops 35, 39 and 41");
    midi_part_deinit(&part);
}

/* Meters: bars come from the time signatures; 4/4 bars are taken two at a time on the
 * file's own bar lines, other bars are skipped with one line saying which and why. */
static void test_bars_and_windows(void)
{
    /* A 2/4 pick-up bar, then 4/4: kicks on every downbeat. */
    MidiBytes m = {0};
    mb_header(&m, 0, 1, 480);
    size_t at = mb_track_begin(&m);
    mb_timesig(&m, 0, 2, 2);
    mb_on(&m, 0, 9, 42, 80);        /* pick-up: a hat on its beat 1 */
    mb_timesig(&m, 960, 4, 2);      /* 4/4 from tick 960 (2 beats in) */
    mb_on(&m, 0, 9, 36, 100);       /* bar 1 downbeat */
    mb_on(&m, 960, 9, 38, 90);      /* bar 1 beat 3: snare */
    mb_on(&m, 960, 9, 36, 100);     /* bar 2 downbeat */
    mb_on(&m, 1920, 9, 36, 100);    /* bar 3 downbeat */
    mb_track_end(&m, at, 0);
    Midi_part part;
    CHECK(part_from_bytes(&part, &m) == 0, "pick-up file reads");
    CHECK(part.n_bars == 4, "pick-up file: 4 bars (2/4 + three 4/4) (got %d)", part.n_bars);
    CHECK(part.bars[0].steps == 8 && part.bars[1].start_step == 8 && part.bars[2].start_step == 24,
          "bar lines from the time signatures: 0, 8, 24, ... steps");
    Midi_window *w = NULL;
    int n = midi_part_windows(&part, 0, &w);
    CHECK(n == 2 && w[0].bar[0] == 1 && w[0].bar[1] == 2 && w[1].bar[0] == 3 && w[1].bar[1] == 4,
          "windows start on the input's bar lines: bars 1-2, 3-4 (got %d)", n);
    char line[256];
    int skipped = midi_part_skipped_bars(&part, 0, line, sizeof line);
    CHECK(skipped == 1 && strstr(line, "bar 0 (2/4)") && strstr(line, "4/4"), "one line says bar 0 is skipped: %s", line);
    Hvo p;
    midi_part_window_to_hvo(&part, w[0], &p, NULL);
    CHECK(hvo_hit(&p, 0, VOICE_KICK) == 1.0f && hvo_hit(&p, 8, VOICE_SNARE) == 1.0f &&
              hvo_hit(&p, 16, VOICE_KICK) == 1.0f && hvo_count_hits(&p) == 3,
          "window 1-2: kicks on both downbeats, the snare on beat 3 (not two beats off)");
    Groove g;
    CHECK(midi_part_window_to_groove(&part, w[1], &g) == 1 && g.g[0][0] == 1.0f, "window 3-4: the bar 3 kick on step 0");
    /* Written back on the file's timeline: the drums sit at the input's own ticks. */
    Smf out;
    CHECK(hvo_windows_to_smf(&p, w, 1, &part, 0.0f, &out, err, sizeof err) == 0, "written on the part's timeline");
    CHECK(out.n_notes > 0 && out.notes[0].tick == 960 * 2 && out.notes[0].on, "the first kick sits at tick 1920 (the input's bar 1 at PPQ 960)");
    CHECK(out.n_time_sigs == 2 && out.time_sigs[0].numerator == 2 && out.time_sigs[1].tick == 1920,
          "the output carries the input's time signatures");
    smf_deinit(&out);
    free(w);
    midi_part_deinit(&part);

    /* 4/4, then two 3/4 bars, then 4/4 again: the 3/4 bars are skipped, the rest paired. */
    m.n = 0;
    mb_header(&m, 0, 1, 480);
    at = mb_track_begin(&m);
    mb_on(&m, 0, 9, 36, 100);
    mb_timesig(&m, 1920, 3, 2);
    mb_on(&m, 0, 9, 36, 100);
    mb_timesig(&m, 2 * 1440, 4, 2);
    mb_on(&m, 0, 9, 36, 100);
    mb_on(&m, 1920, 9, 36, 100);
    mb_track_end(&m, at, 0);
    CHECK(part_from_bytes(&part, &m) == 0, "4/4 - 3/4 - 4/4 file reads");
    n = midi_part_windows(&part, 0, &w);
    CHECK(n == 2 && w[0].bar[0] == 0 && w[0].bar[1] == 3 && w[1].bar[0] == 4, "3/4 bars 1-2 skipped, 4/4 bars 0,3,4 paired");
    skipped = midi_part_skipped_bars(&part, 0, line, sizeof line);
    CHECK(skipped == 2 && strstr(line, "bars 1-2 (3/4)"), "line: %s", line);
    free(w);
    midi_part_deinit(&part);

    /* All 7/8: no window at all. */
    m.n = 0;
    mb_header(&m, 0, 1, 480);
    at = mb_track_begin(&m);
    mb_timesig(&m, 0, 7, 3);
    mb_on(&m, 0, 9, 36, 100);
    mb_on(&m, 1680, 9, 36, 100);
    mb_track_end(&m, at, 0);
    CHECK(part_from_bytes(&part, &m) == 0, "7/8 file reads");
    CHECK(part.n_bars == 2 && part.bars[1].start_step == 14, "7/8 bars are 14 steps");
    CHECK(midi_part_windows(&part, 0, &w) == 0 && w == NULL, "a 7/8 file has no 4/4 window");
    CHECK(midi_part_skipped_bars(&part, 0, line, sizeof line) == 2 && strstr(line, "bars 0-1 (7/8)"), "line: %s", line);
    midi_part_deinit(&part);
}

/* The tempo map carried through: seconds at a step and a generated file's tempos. */
static void test_tempo_map_written(void)
{
    MidiBytes m = {0};
    mb_header(&m, 0, 1, 480);
    size_t at = mb_track_begin(&m);
    mb_tempo(&m, 0, 500000);
    mb_on(&m, 0, 9, 36, 100);
    mb_tempo(&m, 1920, 1000000); /* 60 bpm from bar 1 */
    mb_on(&m, 0, 9, 36, 100);
    mb_on(&m, 1920, 9, 36, 100);
    mb_track_end(&m, at, 0);
    Midi_part part;
    CHECK(part_from_bytes(&part, &m) == 0, "120 -> 60 bpm file reads");
    CHECK_NEAR(midi_part_seconds_at(&part, 16), 2.0, 1e-9, "bar 1 at 2 s");
    CHECK_NEAR(midi_part_seconds_at(&part, 32), 6.0, 1e-9, "bar 2 at 6 s (60 bpm in bar 1)");
    CHECK_NEAR(midi_part_next_tempo_step(&part, 0), 16.0, 1e-9, "next tempo change at step 16");
    Midi_window *w = NULL;
    int n = midi_part_windows(&part, 0, &w);
    Hvo p[2];
    for (int k = 0; k < n && k < 2; k++)
        midi_part_window_to_hvo(&part, w[k], &p[k], NULL);
    Smf out;
    CHECK(n == 2 && hvo_windows_to_smf(p, w, n, &part, 0.0f, &out, err, sizeof err) == 0, "two windows written");
    CHECK(out.n_tempos == 2 && out.tempos[1].tick == 3840 && out.tempos[1].us_per_quarter == 1000000,
          "the written file carries the tempo change (60 bpm at bar 1)");
    CHECK_NEAR(smf_tick_to_seconds(&out, out.notes[out.n_notes - 2].tick), 6.0, 1e-9,
          "the generated bar-2 kick sounds at 6 s, as the input's");
    smf_deinit(&out);
    CHECK(hvo_windows_to_smf(p, w, n, &part, 100.0f, &out, err, sizeof err) == 0 && out.n_tempos == 1,
          "--bpm replaces the map by one tempo");
    smf_deinit(&out);
    free(w);
    midi_part_deinit(&part);
}

/* A groove from any MIDI file: every channel, any note; file conveniences and bar range. */
static void test_groove_file(void)
{
    MidiBytes m = {0};
    mb_header(&m, 1, 2, 480);
    size_t at = mb_track_begin(&m);
    mb_on(&m, 0, 0, 60, 80);     /* piano, channel 1 */
    mb_on(&m, 1920, 0, 64, 40);  /* bar 1 */
    mb_track_end(&m, at, 0);
    at = mb_track_begin(&m);
    mb_on(&m, 485, 3, 72, 127);  /* bass channel 4, step 4 +5 ticks */
    mb_track_end(&m, at, 0);
    char path[] = "/tmp/groove-test-midi-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && mb_save(&m, path) == 0, "temp MIDI file written");
    if (fd >= 0)
        close(fd);
    Groove g;
    CHECK(midi_file_to_groove(path, &g, 0, err, sizeof err) == 0, "midi_file_to_groove reads it");
    CHECK(groove_count_hits(&g) == 3, "3 taps from two channels and two tracks");
    CHECK_NEAR(g.g[4][2], 5.0 / 120, 1e-6, "the bass tap keeps its offset");
    CHECK(midi_file_to_groove(path, &g, 1, err, sizeof err) == 0 && groove_count_hits(&g) == 1,
          "bar 1 holds the last tap only");
    CHECK(midi_file_to_groove(path, &g, 2, err, sizeof err) != 0 && strstr(err, "out of range"),
          "bar 2 is refused: %s", err);
    Hvo p;
    CHECK(midi_file_to_hvo(path, &p, 0, NULL, err, sizeof err) == 0 && hvo_count_hits(&p) == 0,
          "as drums, notes 60/64/72 map to no voice");
    unlink(path);
    CHECK(midi_file_to_groove(path, &g, 0, err, sizeof err) != 0, "a missing file is an error: %s", err);
}

/* Non-4/4 files are refused for drums with a reason. */
static void test_meter(void)
{
    MidiBytes m = {0};
    mb_header(&m, 0, 1, 480);
    size_t at = mb_track_begin(&m);
    mb_timesig(&m, 0, 3, 2);
    mb_on(&m, 0, 9, 36, 100);
    mb_track_end(&m, at, 0);
    Midi_part part;
    CHECK(part_from_bytes(&part, &m) == 0, "3/4 file reads");
    char why[128] = "";
    CHECK(!midi_part_check_meter(&part, why, sizeof why) && strstr(why, "3/4"), "3/4 is refused: %s", why);
    midi_part_deinit(&part);
    m.n = 0;
    mb_header(&m, 0, 1, 480);
    at = mb_track_begin(&m);
    mb_timesig(&m, 0, 4, 2);
    mb_on(&m, 0, 9, 36, 100);
    mb_timesig(&m, 1920, 6, 3);
    mb_track_end(&m, at, 0);
    CHECK(part_from_bytes(&part, &m) == 0, "4/4 -> 6/8 file reads");
    CHECK(!midi_part_check_meter(&part, why, sizeof why), "a change to 6/8 is refused: %s", why);
    midi_part_deinit(&part);
}

/* Simple deterministic generator for the round trip. */
static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

/* Random pattern on the grids MIDI can carry exactly: velocity k/127, offset k/240 in
 * [-0.5, 0.5), no negative offset at step 0. */
static void random_pattern(Hvo *p)
{
    hvo_clear(p);
    for (int t = 0; t < HVO_STEPS; t++)
        for (int v = 0; v < HVO_VOICES; v++) {
            if (rng() % 3)
                continue;
            int k = (int)(rng() % 240) - 120;
            if (t == 0 && k < 0)
                k = -k;
            hvo_set(p, t, v, 1, (float)(1 + rng() % 127) / 127.0f, (float)k / 240.0f);
        }
}

static void test_round_trip(void)
{
    Hvo in[3], out;
    for (int i = 0; i < 3; i++)
        random_pattern(&in[i]);
    Smf smf;
    CHECK(hvo_to_smf(in, 3, 97.5f, &smf, err, sizeof err) == 0, "3 patterns -> Smf");
    uint8_t *bytes;
    size_t len;
    CHECK(smf_write_memory(&smf, &bytes, &len, err, sizeof err) == 0, "Smf -> %zu bytes", len);
    smf_deinit(&smf);
    CHECK(smf_read_memory(&smf, bytes, len, err, sizeof err) == 0, "bytes read back");
    free(bytes);
    CHECK(smf.ppq == MIDI_HVO_PPQ && smf.n_tempos == 1, "PPQ %d and one tempo", smf.ppq);
    int ch10 = 1;
    for (int i = 0; i < smf.n_notes; i++)
        ch10 &= smf.notes[i].channel == SMF_DRUM_CHANNEL;
    CHECK(ch10, "every note on channel 10");
    Midi_part part;
    CHECK(midi_part_from_smf(&part, &smf, err, sizeof err) == 0, "part from the written file");
    smf_deinit(&smf);
    CHECK_NEAR(midi_part_bpm_at(&part, 0), 97.5, 0.01, "tempo 97.5 bpm survives");
    for (int i = 0; i < 3; i++) {
        Midi_hvo_stats st;
        memset(&st, 0, sizeof st);
        midi_part_to_hvo(&part, 2 * i, &out, &st);
        CHECK(hvo_diff(&in[i], &out, 0.0f) == 0 && st.collisions == 0,
              "pattern %d -> MIDI -> pattern is exact (%d hits)", i, hvo_count_hits(&in[i]));
    }
    midi_part_deinit(&part);

    /* Through a file, with offsets off the tick grid: within half a tick. */
    Hvo p;
    hvo_clear(&p);
    hvo_set(&p, 0, VOICE_KICK, 1, 0.5f, 0.123456f);
    hvo_set(&p, 7, VOICE_RIDE, 1, 0.9f, -0.333333f);
    hvo_set(&p, 31, VOICE_CRASH, 1, 1.0f, 0.5f); /* +0.5 is written as the latest tick of the step */
    char path[] = "/tmp/groove-test-rt-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    CHECK(hvo_write_midi(path, &p, 1, 120.0f, err, sizeof err) == 0, "hvo_write_midi writes a file");
    Hvo q;
    CHECK(midi_file_to_hvo(path, &q, 0, NULL, err, sizeof err) == 0, "and it reads back");
    CHECK(hvo_count_hits(&q) == 3 && hvo_hit(&q, 31, VOICE_CRASH) == 1.0f, "3 hits, crash still on step 31");
    CHECK(hvo_diff(&p, &q, 1.0f / 240 + 1e-6f) == 0, "values within half a velocity step / one tick (+0.5 -> 119/240)");
    Groove g, g2;
    hvo_flatten(&p, &g);
    CHECK(groove_write_midi(path, &g, 1, 120.0f, 42, err, sizeof err) == 0, "groove_write_midi writes a file");
    CHECK(midi_file_to_groove(path, &g2, 0, err, sizeof err) == 0 && groove_count_hits(&g2) == 3,
          "the groove reads back with 3 taps");
    unlink(path);
    CHECK(hvo_write_midi("/nonexistent-dir/x.mid", &p, 1, 120.0f, err, sizeof err) != 0,
          "writing into a missing folder fails: %s", err);
}

/* ------------------------------------------------------------ reference cross-check */

/* Reads the next number after *s (skipping brackets, commas, spaces); NAN at the end. */
static double next_number(const char **s)
{
    const char *p = *s;
    while (*p && !(*p == '-' || (*p >= '0' && *p <= '9')))
        p++;
    if (!*p)
        return NAN;
    char *end;
    double v = strtod(p, &end);
    *s = end;
    return v;
}

static void test_reference(void)
{
    const char *ref_path = "../shared/data/reference/hvo_windows.json";
    FILE *f = fopen(ref_path, "rb");
    CHECK(f != NULL, "reference %s opens", ref_path);
    if (!f)
        return;
    static char json[1 << 20];
    size_t n = fread(json, 1, sizeof json - 1, f);
    fclose(f);
    json[n] = 0;
    int windows = 0, exact_hits = 0, max_cells = 0;
    double max_diff = 0.0, max_groove_diff = 0.0;
    const char *s = json;
    while ((s = strstr(s, "\"file\": \"")) != NULL) {
        s += 9;
        char file[256];
        size_t k = strcspn(s, "\"");
        if (k >= sizeof file)
            break;
        memcpy(file, s, k);
        file[k] = 0;
        s = strstr(s, "\"start_bar\":");
        if (!s)
            break;
        s += 12;
        int bar = (int)next_number(&s);
        s = strstr(s, "\"hvo\":");
        if (!s)
            break;
        Hvo ref;
        for (int t = 0; t < HVO_STEPS; t++)
            for (int c = 0; c < HVO_CHANNELS; c++)
                ref.v[t][c] = (float)next_number(&s);
        s = strstr(s, "\"groove\":");
        if (!s)
            break;
        Groove ref_g;
        for (int t = 0; t < HVO_STEPS; t++)
            for (int c = 0; c < 3; c++)
                ref_g.g[t][c] = (float)next_number(&s);

        char path[512];
        snprintf(path, sizeof path, "../shared/data/gmd/%s", file);
        Hvo ours;
        if (midi_file_to_hvo(path, &ours, bar, NULL, err, sizeof err) != 0) {
            CHECK(0, "reference file %s reads: %s", file, err);
            continue;
        }
        windows++;
        int hit_diff = 0;
        double d = 0.0;
        for (int t = 0; t < HVO_STEPS; t++)
            for (int c = 0; c < HVO_CHANNELS; c++) {
                double e = fabs(ours.v[t][c] - ref.v[t][c]);
                if (c < HVO_VOICES && e > 0.5)
                    hit_diff++;
                if (e > d)
                    d = e;
            }
        Groove g;
        hvo_flatten(&ours, &g);
        double gd = 0.0;
        for (int t = 0; t < HVO_STEPS; t++)
            for (int c = 0; c < 3; c++)
                gd = fmax(gd, fabs(g.g[t][c] - ref_g.g[t][c]));
        exact_hits += hit_diff == 0;
        if (hit_diff > max_cells)
            max_cells = hit_diff;
        max_diff = fmax(max_diff, d);
        max_groove_diff = fmax(max_groove_diff, gd);
        CHECK(hit_diff == 0 && d <= 1e-3 && gd <= 1e-3, "reference %s bar %d: hits equal, max diff %.2g, groove %.2g",
              file, bar, d, gd);
    }
    CHECK(windows == 14, "all 14 reference windows compared (got %d)", windows);
    printf("     reference: %d windows, %d with identical hits, max value diff %.3g, max groove diff %.3g\n", windows,
           exact_hits, max_diff, max_groove_diff);
}

/* Export with swing: odd 16ths come `swing` steps late, as the engine plays them. */
static void test_swing_export(void)
{
    Hvo p;
    hvo_clear(&p);
    hvo_set(&p, 0, VOICE_KICK, 1, 1.0f, 0.0f);
    hvo_set(&p, 1, VOICE_CLOSED_HAT, 1, 1.0f, 0.0f);
    hvo_set(&p, 3, VOICE_CLOSED_HAT, 1, 1.0f, -0.25f);
    Smf smf;
    CHECK(hvo_to_smf_swing(&p, 1, 120.0f, 0.25f, &smf, err, sizeof err) == 0, "swung Smf (%s)", err);
    uint32_t ticks[3] = {0, 0, 0};
    int k = 0;
    for (int i = 0; i < smf.n_notes; i++)
        if (smf.notes[i].on && k < 3)
            ticks[k++] = smf.notes[i].tick;
    CHECK(k == 3, "3 note-ons");
    /* sorted by note then tick: kick (36) at 0; closed hat (42) at 240 + 60 and 720 - 60 + 60 */
    CHECK(ticks[0] == 0 && ticks[1] == 300 && ticks[2] == 720,
          "step 0 stays, odd steps 1/4 step late (ticks %u %u %u, want 0 300 720)", ticks[0], ticks[1], ticks[2]);
    smf_deinit(&smf);
    CHECK(hvo_to_smf_swing(&p, 1, 120.0f, 0.0f, &smf, err, sizeof err) == 0 && smf.notes[2].tick == 240,
          "no swing: step 1 on its tick (%u)", smf.notes[2].tick);
    smf_deinit(&smf);
}

int main(void)
{
    test_swing_export();
    test_offsets_ppq480();
    test_ppq96();
    test_collisions();
    test_step0();
    test_tempo_change();
    test_unmapped();
    test_groove_file();
    test_gm_map();
    test_bars_and_windows();
    test_tempo_map_written();
    test_meter();
    test_round_trip();
    test_reference();
    return check_summary();
}
