/* test_instrument.c - the instrument core without a terminal or a device: taps into the groove,
 * a new part every loop through the worker, kept rows, hand edits and undo, variations, MIDI
 * out timing, autosave and restore, a corrupt session set aside. The engine renders offline
 * (silent kit) on this thread; the clock is the rendered frames. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "form.h"
#include "instrument.h"
#include "loop_report.h"
#include "smf.h"

#define RATE 48000
#define BLOCK 256

static Engine engine;
static int64_t frames;
static int notes_sent;

static double clock_now(void) { return (double)frames / RATE; }

/* Waits for the worker to answer the newest request. Returns 0, or -1 after ~20 s. */
static int settle(Instrument *in)
{
    for (int i = 0; i < 20000 && in->accepted_serial < in->regen.next_serial; i++) {
        struct timespec nap = {0, 1000000};
        nanosleep(&nap, NULL);
        instrument_tick(in, clock_now());
    }
    return in->accepted_serial < in->regen.next_serial ? -1 : 0;
}

/* Renders and ticks until the transport reaches absolute step `step`. */
static int advance_to(Instrument *in, double step)
{
    float buf[BLOCK * ENGINE_CHANNELS];
    for (int guard = 0; guard < 1000000; guard++) {
        instrument_tick(in, clock_now());
        if (settle(in) != 0)
            return -1;
        if (in->pos.step >= step)
            return 0;
        engine_render(&engine, buf, BLOCK);
        frames += BLOCK;
    }
    return -1;
}

static void count_note(void *user, int voice, float velocity, double when)
{
    (void)user;
    (void)voice;
    (void)velocity;
    (void)when;
    notes_sent++;
}

static int row_equal(const Hvo *a, const Hvo *b, int v)
{
    for (int t = 0; t < HVO_STEPS; t++)
        if (hvo_hit(a, t, v) != hvo_hit(b, t, v) || hvo_vel(a, t, v) != hvo_vel(b, t, v) ||
            hvo_off(a, t, v) != hvo_off(b, t, v))
            return 0;
    return 1;
}

int main(void)
{
    char dir[] = "/tmp/test_instrument.XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temp dir");
    char session_path[512], err[512];
    snprintf(session_path, sizeof session_path, "%s/session", dir);
    CHECK(engine_init(&engine, RATE, NULL) == 0, "engine (silent kit)");

    Instrument in;
    char config_path[600];
    snprintf(config_path, sizeof config_path, "%s/config", dir);
    Instrument_options opt = {.model_path = "/nonexistent/model.gtm", .session_path = session_path, .bpm = 120.0f,
                              .config_path = config_path, .rate = RATE};
    CHECK(instrument_init(&in, &engine, &opt, err, sizeof err) == 0, "instrument starts (%s)", err);
    CHECK(in.model_is_random, "no model file: random weights");
    CHECK(strstr(in.model_note, "random weights") != NULL, "and it says so: %s", in.model_note);
    instrument_tick(&in, clock_now());
    CHECK(!instrument_is_playing(&in), "starts stopped");
    settle(&in);
    CHECK(hvo_count_hits(&in.session.part) == 0, "an empty groove gives a silent part");

    /* Taps. */
    instrument_tap_at(&in, 0.8f, 5.0);
    CHECK(instrument_is_playing(&in), "the first tap starts the transport");
    CHECK(in.session.groove.g[0][0] == 1.0f && in.session.groove.g[5][0] == 0.0f,
          "and lands on step 0, wherever it was asked for");
    instrument_tap_at(&in, 0.6f, 4.2);
    instrument_tap_at(&in, 0.9f, 8.0);
    instrument_tap_at(&in, 0.7f, 11.7);
    CHECK(groove_count_hits(&in.session.groove) == 4, "four taps, four groove hits");
    CHECK_NEAR(in.session.groove.g[4][2], 0.2, 1e-5, "tap at 4.2 keeps its 0.2-step offset");
    CHECK_NEAR(in.session.groove.g[12][2], -0.3, 1e-5, "tap at 11.7 is step 12, 0.3 early");
    CHECK(in.unsaved && in.dirty, "taps mark the session changed");

    /* A new part after the loop boundary. */
    CHECK(advance_to(&in, 33.0) == 0, "render into loop 1");
    CHECK(in.pos.loop == 1, "the transport is in loop 1");
    CHECK(in.generations >= 1, "the model ran (%llu generations)", (unsigned long long)in.generations);
    int hits = hvo_count_hits(&in.session.part);
    CHECK(hits > 0, "loop 1 plays a drum part (%d hits)", hits);
    uint64_t gens = in.generations;
    CHECK(advance_to(&in, 65.0) == 0, "render into loop 2");
    CHECK(in.generations > gens, "the model runs again for every loop (%llu -> %llu)",
          (unsigned long long)gens, (unsigned long long)in.generations);

    /* A timed tap (MIDI in, keyboard): the playhead's position at that time, here 1.5 steps
     * after the last rendered block started (120 BPM: a step is 0.125 s). */
    {
        Groove saved_groove = in.session.groove;
        instrument_tick(&in, clock_now());
        double t = in.clock_time + 1.5 * 0.125;
        double expect_pos = in.clock_step + 1.5;
        CHECK_NEAR(instrument_position_at(&in, t), expect_pos, 1e-6, "position at a time: engine step + elapsed");
        instrument_tap(&in, 0.5f, t);
        Live_slot slot = live_quantize(expect_pos, in.session.settings.swing);
        CHECK(in.session.groove.g[slot.step][0] == 1.0f, "a timed tap lands at the playhead (step %d)", slot.step);
        CHECK_NEAR(in.session.groove.g[slot.step][2], slot.offset, 1e-5, "with the playhead's offset");
        instrument_undo(&in);
        CHECK(!memcmp(&saved_groove, &in.session.groove, sizeof saved_groove), "undo removes the pass's taps");
    }

    /* Deterministic: the same request twice gives the same part. (The worker must be idle: a
     * Model serves one thread at a time.) */
    CHECK(settle(&in) == 0, "the worker is idle");
    Regen_request rq;
    memset(&rq, 0, sizeof rq);
    rq.groove = in.session.groove;
    model_gen_params(&in.model, &rq.params);
    Regen_result r1, r2;
    regen_generate(&in.model, &rq, &r1);
    regen_generate(&in.model, &rq, &r2);
    CHECK(!memcmp(&r1.part, &r2.part, sizeof r1.part), "generation is deterministic");

    /* Issue 13: the input kind and the memory reach the model. Taps from computer keys by
     * default; a source or a forced kind changes what the next request carries. */
    CHECK(in.input_kind == INPUT_KIND_TAPS && in.input_forced == -1, "taps until a device says otherwise");
    instrument_note_input(&in, INPUT_KIND_KEYS);
    CHECK(in.input_kind == INPUT_KIND_KEYS, "a MIDI keyboard is keys");
    instrument_force_input_kind(&in, INPUT_KIND_DRUMS);
    instrument_note_input(&in, INPUT_KIND_TAPS);
    CHECK(in.input_forced == INPUT_KIND_DRUMS && in.input_kind == INPUT_KIND_TAPS, "--input wins over the source");
    instrument_force_input_kind(&in, -1);
    CHECK(in.have_memory && hvo_count_hits(&in.memory.part) > 0 && groove_count_hits(&in.memory_groove) > 0,
          "the request carries the part that was playing as memory");
    {
        Regen_request mq = rq;
        Regen_result a, b;
        mq.memory = in.memory;
        mq.has_memory = 1;
        mq.kind = INPUT_KIND_TAPS;
        regen_generate(&in.model, &mq, &a);
        mq.has_memory = 0;
        regen_generate(&in.model, &mq, &b);
        CHECK(memcmp(&a.part, &b.part, sizeof a.part) != 0, "memory changes the part (a model with memory)");
        mq.kind = INPUT_KIND_KEYS;
        regen_generate(&in.model, &mq, &a);
        CHECK(memcmp(&a.part, &b.part, sizeof a.part) != 0, "so does the input kind");
    }

    {
        /* a keyboard part plays at the model's keys thresholds, shifted from what the player set */
        float th[HVO_VOICES], thk[HVO_VOICES];
        instrument_thresholds_for(&in, &in.session.settings, INPUT_KIND_KEYS, th);
        CHECK(!memcmp(th, in.session.settings.thresholds, sizeof th), "no keys thresholds: the player's thresholds");
        Gen_params dg;
        model_gen_params(&in.model, &dg);
        in.model.extras.has_thresholds_keys = 1;
        for (int v = 0; v < HVO_VOICES; v++)
            in.model.extras.thresholds_keys[v] = dg.thresholds[v] - 0.1f;
        in.session.settings.thresholds[1] += 0.05f;   /* the player raised the snare's */
        instrument_thresholds_for(&in, &in.session.settings, INPUT_KIND_KEYS, thk);
        instrument_thresholds_for(&in, &in.session.settings, INPUT_KIND_TAPS, th);
        CHECK(fabsf(thk[1] - (in.session.settings.thresholds[1] - 0.1f)) < 1e-5f &&
                  fabsf(thk[0] - (in.session.settings.thresholds[0] - 0.1f)) < 1e-5f &&
                  !memcmp(th, in.session.settings.thresholds, sizeof th),
              "keys: the player's thresholds shifted by the model's keys shift (-0.1); taps: as set");
        in.session.settings.thresholds[1] -= 0.05f;
        in.model.extras.has_thresholds_keys = 0;
    }

    /* MIDI out: one loop sends exactly the part's hits. */
    instrument_set_note_out(&in, count_note, NULL);
    CHECK(advance_to(&in, 96.0) == 0, "render to loop 3");
    int at3 = notes_sent;
    Hvo part3 = in.session.part;
    CHECK(advance_to(&in, 128.0) == 0, "render to loop 4");
    CHECK(!memcmp(&part3, &in.session.part, sizeof part3), "an unchanged groove keeps the same part");
    {
        /* a new tap changes the groove: the memory becomes the part playing at that moment */
        Hvo playing = in.session.part;
        Groove played_from = in.session.groove;   /* the groove that part was made from, as */
        if (in.session.settings.bar_repeat)         /* the model heard it */
            form_repeat_bar(&in.session.groove, &played_from);
        hvo_clear(&in.memory.part);   /* a marker: only a new take of the memory fills it again */
        in.have_memory = 0;
        instrument_regenerate(&in);
        CHECK(!in.have_memory, "an unchanged groove keeps the memory it had");
        instrument_tap_at(&in, 0.7f, in.pos.step + 2.0);
        instrument_regenerate(&in);
        CHECK(in.have_memory && !memcmp(&in.memory.part, &playing, sizeof playing),
              "a changed groove takes the part that was playing as memory");
        CHECK(!memcmp(&in.memory.groove, &played_from, sizeof played_from) &&
                  memcmp(&in.memory.groove, &in.session.groove, sizeof played_from) != 0,
              "... with the groove it was made from, not the new one");
        /* the loop line says whether the model's memory gate let that part in */
        Loop_report lr;
        loop_report_init(&lr);
        loop_report_fill(&lr, &in, NULL, NULL);
        int open_gate = lr.memory;
        in.model.extras.has_memory_gate = 1;
        in.model.extras.memory_gate = 1.0f;   /* the new tap moved the groove by a step or more */
        loop_report_fill(&lr, &in, NULL, NULL);
        CHECK(open_gate == 1 && lr.memory == 0, "the loop line's memory: true without a gate, false once gate 1 holds the part back");
        in.model.extras.has_memory_gate = 0;
        in.model.extras.memory_gate = 0.0f;
        instrument_undo(&in);
    }
    CHECK(notes_sent - at3 == hvo_count_hits(&part3), "MIDI out sent one loop's hits (%d of %d)",
          notes_sent - at3, hvo_count_hits(&part3));
    instrument_toggle_mute(&in, VOICE_KICK);
    CHECK(engine_get_mute(&engine, VOICE_KICK) == 1, "mute reaches the engine");
    at3 = notes_sent;
    CHECK(advance_to(&in, 160.0) == 0, "render to loop 5");
    CHECK(notes_sent - at3 == hvo_count_hits(&in.session.part) - hvo_count_voice_hits(&in.session.part, VOICE_KICK),
          "a muted voice sends no MIDI");
    instrument_toggle_mute(&in, VOICE_KICK);
    instrument_set_note_out(&in, NULL, NULL);

    /* Hand edit: the row becomes kept and survives regeneration; undo takes it back. */
    Hvo before = in.session.part;
    int cell_step = 3;
    float vel, off;
    int had = instrument_cell(&in, VOICE_SNARE, cell_step, &vel, &off);
    instrument_edit_toggle(&in, VOICE_SNARE, cell_step);
    CHECK(instrument_cell(&in, VOICE_SNARE, cell_step, &vel, &off) == !had, "x toggles the cell");
    CHECK(in.session.settings.kept >> VOICE_SNARE & 1u, "an edited row is kept");
    Hvo edited = in.session.part;
    CHECK(advance_to(&in, 192.0) == 0, "render a loop after the edit");
    CHECK(row_equal(&in.session.part, &edited, VOICE_SNARE), "the kept row survives regeneration");
    CHECK(instrument_undo(&in) == 1, "undo");
    CHECK(row_equal(&in.session.part, &before, VOICE_SNARE), "undo restores the row");
    CHECK(!(in.session.settings.kept >> VOICE_SNARE & 1u), "and the keep");
    CHECK(instrument_redo(&in) == 1 && (in.session.settings.kept >> VOICE_SNARE & 1u), "redo brings it back");
    instrument_undo(&in);
    instrument_edit_velocity(&in, INSTRUMENT_GROOVE_ROW, 8, -0.5f);
    CHECK_NEAR(in.session.groove.g[8][1], 0.4, 1e-5, "velocity edit on the groove");
    instrument_edit_nudge(&in, INSTRUMENT_GROOVE_ROW, 8, 0.9f);
    CHECK_NEAR(in.session.groove.g[8][2], 0.5, 1e-6, "nudges clamp at half a step");
    instrument_edit_clear_row(&in, VOICE_RIDE);
    CHECK(hvo_count_voice_hits(&in.session.part, VOICE_RIDE) == 0, "clear row");
    instrument_undo(&in);
    instrument_undo(&in);
    instrument_undo(&in);
    CHECK_NEAR(in.session.groove.g[8][1], 0.9, 1e-5, "three undos restore the groove cell");

    /* Controls. */
    instrument_set_bpm(&in, 1000);
    CHECK(in.session.settings.bpm == SESSION_BPM_MAX && engine_get_bpm(&engine) == SESSION_BPM_MAX, "BPM clamps to 300");
    instrument_undo(&in);
    CHECK(in.session.settings.bpm == 120.0f && engine_get_bpm(&engine) == 120.0f, "undo a tempo change");
    instrument_tap_tempo(&in, 100.0);
    instrument_tap_tempo(&in, 100.5);
    CHECK_NEAR(in.session.settings.bpm, 120.0, 1e-3, "tap tempo");
    instrument_tap_tempo(&in, 101.0);
    instrument_tap_tempo(&in, 101.4);
    CHECK(in.session.settings.bpm > 120.0f, "faster taps, faster tempo (%.1f)", in.session.settings.bpm);
    uint32_t seed = in.session.settings.seed;
    instrument_new_variation(&in);
    CHECK(in.session.settings.seed != seed && in.session.settings.variation == 1, "new variation: new seed");
    instrument_new_variation(&in);
    instrument_previous_variation(&in);
    instrument_previous_variation(&in);
    CHECK(in.session.settings.seed == seed && in.session.settings.variation == 0, "back twice: the first one");
    Gen_params model_params;
    model_gen_params(&in.model, &model_params);
    instrument_set_threshold(&in, VOICE_RIDE, 0.9f);
    CHECK(in.session.settings.thresholds_set == 1u << VOICE_RIDE, "a threshold the player sets is marked as theirs");
    in.session.settings.thresholds[VOICE_KICK] = 0.123f;   /* as if saved with another model */
    instrument_set_density(&in, 0.0f);
    CHECK(advance_to(&in, in.pos.step + 33.0) == 0, "render a loop at density 0");
    CHECK(hvo_count_hits(&in.session.part) == 0, "density 0 is silence");
    instrument_set_density(&in, 0.5f);
    instrument_toggle_record_mode(&in);
    CHECK(in.recorder.mode == LIVE_REPLACE, "record mode: replace");
    /* Replace: a take played through a loop pass makes the next loop's part, even when the
     * next tap comes just before the loop line. */
    {
        double base = (double)(in.pos.loop + 1) * HVO_STEPS;
        CHECK(advance_to(&in, base + 0.5) == 0, "to the start of a loop");
        for (int k = 0; k < 8; k++)
            instrument_tap_at(&in, 0.7f, base + 4.0 * k);
        CHECK(groove_count_hits(&in.session.groove) == 8, "a new take of 8 taps");
        CHECK(advance_to(&in, base + 31.0) == 0 && settle(&in) == 0, "near the end of its pass");
        Hvo expected = in.sent;
        instrument_tap_at(&in, 0.7f, base + 31.8);   /* the next pass's first tap, a bit early */
        CHECK(groove_count_hits(&in.session.groove) == 8 && in.session.groove.g[0][2] == 0.0f,
              "the early tap rolls the take on (the last loop of taps: still 8, step 0 now the new tap)");
        CHECK(advance_to(&in, base + 33.0) == 0, "into the next loop");
        CHECK(!memcmp(&in.session.part, &expected, sizeof expected) && hvo_count_hits(&expected) > 0,
              "it plays the part of the whole take just played (%d hits)", hvo_count_hits(&in.session.part));
    }
    instrument_set_swing(&in, 0.25f);
    CHECK(engine_get_swing(&engine) == 0.25f, "swing reaches the engine");

    /* Autosave, then a second instrument restores it. */
    CHECK(advance_to(&in, in.pos.step + 40.0) == 0, "render on (autosave happens)");
    CHECK(in.saves > 0 && !in.dirty, "autosaved (%llu saves)", (unsigned long long)in.saves);
    Session saved;
    CHECK(session_load(session_path, &saved, err, sizeof err) == SESSION_OK, "the autosave loads");
    CHECK(!memcmp(&saved.groove, &in.session.groove, sizeof saved.groove), "it holds the groove");
    Session expect = in.session;
    instrument_deinit(&in);
    engine_deinit(&engine);

    CHECK(engine_init(&engine, RATE, NULL) == 0, "second engine");
    frames = 0;
    opt.bpm = 0;
    CHECK(instrument_init(&in, &engine, &opt, err, sizeof err) == 0, "second instrument (%s)", err);
    CHECK(!memcmp(&in.session.groove, &expect.groove, sizeof expect.groove), "groove restored");
    CHECK(in.session.settings.thresholds[VOICE_RIDE] == 0.9f, "the player's threshold is restored");
    CHECK(in.session.settings.thresholds[VOICE_KICK] == model_params.thresholds[VOICE_KICK],
          "an untouched threshold follows the model, not the old session");
    expect.settings.thresholds[VOICE_KICK] = model_params.thresholds[VOICE_KICK];
    CHECK(!memcmp(&in.session.settings, &expect.settings, sizeof expect.settings), "settings restored");
    CHECK(!memcmp(&in.session.part, &expect.part, sizeof expect.part), "drum part restored");
    CHECK(strstr(in.message, "restored") != NULL, "it says so: %s", in.message);
    instrument_deinit(&in);
    engine_deinit(&engine);

    /* A corrupt session is set aside and the instrument starts fresh. */
    FILE *f = fopen(session_path, "w");
    fputs("groove-session 1\nbpm what\n", f);
    fclose(f);
    CHECK(engine_init(&engine, RATE, NULL) == 0, "third engine");
    CHECK(instrument_init(&in, &engine, &opt, err, sizeof err) == 0, "starts despite a corrupt session");
    CHECK(strstr(in.message, "set aside") != NULL, "reports it: %s", in.message);
    CHECK(groove_count_hits(&in.session.groove) == 0, "starts fresh");
    struct stat st;
    CHECK(stat(session_path, &st) != 0, "the corrupt file is no longer at the autosave path");
    instrument_deinit(&in);
    engine_deinit(&engine);

    /* A model file that exists but is not a model is an error, not random weights. */
    char bad_model[600];
    snprintf(bad_model, sizeof bad_model, "%s/bad.gtm", dir);
    f = fopen(bad_model, "w");
    fputs("not a model", f);
    fclose(f);
    Instrument_options bad = {.model_path = bad_model, .no_session = 1, .config_path = config_path};
    CHECK(engine_init(&engine, RATE, NULL) == 0, "fourth engine");
    CHECK(instrument_init(&in, &engine, &bad, err, sizeof err) == -1 && strstr(err, "cannot load model"),
          "a broken model file is refused: %s", err);
    engine_deinit(&engine);

    /* The MIDI export carries the swing the engine plays (and the WAV export renders). */
    Instrument_options plain = {.model_path = "/nonexistent/model.gtm", .no_session = 1, .bpm = 120.0f,
                                .config_path = config_path, .rate = RATE};
    CHECK(engine_init(&engine, RATE, NULL) == 0, "fifth engine");
    CHECK(instrument_init(&in, &engine, &plain, err, sizeof err) == 0, "instrument for export (%s)", err);
    hvo_clear(&in.session.part);
    hvo_set(&in.session.part, 1, VOICE_CLOSED_HAT, 1, 1.0f, 0.0f);
    in.session.settings.swing = 0.25f;
    char mid[600];
    snprintf(mid, sizeof mid, "%s/swung.mid", dir);
    CHECK(instrument_export_midi(&in, mid, err, sizeof err) == 0, "export MIDI (%s)", err);
    Smf smf;
    CHECK(smf_read_file(&smf, mid, err, sizeof err) == 0 && smf.n_notes >= 1, "it reads back (%s)", err);
    CHECK(smf.n_notes >= 1 && smf.notes[0].tick == (uint32_t)smf.ppq / 4 * 5 / 4,
          "the hat on step 1 is a quarter step late: tick %u of %u per beat", smf.n_notes ? smf.notes[0].tick : 0,
          (unsigned)smf.ppq);
    smf_deinit(&smf);
    instrument_deinit(&in);
    engine_deinit(&engine);

    snprintf(err, sizeof err, "rm -rf '%s'", dir);
    CHECK(system(err) == 0, "clean up");
    return check_summary();
}
