/* test_instrument_form.c - issue 16's controls on the instrument (instrument_form.h), offline on
 * this thread with a silent engine and random weights: evolve (loops stay identical at 0 and
 * change at 1), temperature sampling, the A/B morph, feel (heard, not fed), one-bar figures,
 * the mixer reaching the engine, sections (store, recall at the next loop, at once when
 * stopped), chains with auto fill, and the song form saved and restored with the session. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "instrument.h"
#include "instrument_form.h"
#include "mixer.h"

#define RATE 48000
#define BLOCK 256

static Engine engine;
static int64_t frames;

static double clock_now(void) { return (double)frames / RATE; }

static int settle(Instrument *in)
{
    for (int i = 0; i < 20000 && in->accepted_serial < in->regen.next_serial; i++) {
        struct timespec nap = {0, 1000000};
        nanosleep(&nap, NULL);
        instrument_tick(in, clock_now());
    }
    return in->accepted_serial < in->regen.next_serial ? -1 : 0;
}

/* Renders until the transport reaches loop `loop` (and the model answered). */
static int to_loop(Instrument *in, int64_t loop)
{
    float buf[BLOCK * ENGINE_CHANNELS];
    for (int guard = 0; guard < 1000000; guard++) {
        instrument_tick(in, clock_now());
        if (settle(in) != 0)
            return -1;
        if (in->pos.playing && in->pos.loop >= loop)
            return 0;
        engine_render(&engine, buf, BLOCK);
        frames += BLOCK;
    }
    return -1;
}

static int hit_cells_differ(const Hvo *a, const Hvo *b)
{
    int n = 0;
    for (int t = 0; t < HVO_STEPS; t++)
        for (int v = 0; v < HVO_VOICES; v++)
            n += (hvo_hit(a, t, v) > 0.5f) != (hvo_hit(b, t, v) > 0.5f);
    return n;
}

/* A busy 2-bar groove, tapped in at exact positions. */
static void tap_groove(Instrument *in, int bars)
{
    for (int s = 0; s < 16 * bars; s += 2)
        instrument_tap_at(in, s % 4 ? 0.6f : 0.9f, (double)s);
}

static void start(Instrument *in, const char *session_path)
{
    char err[256];
    frames = 0;
    engine_deinit(&engine);
    engine_init(&engine, RATE, NULL);
    Instrument_options opt = {"/nonexistent/model.gtm", session_path, session_path == NULL, 120.0f, 0, 0, NULL, 0, RATE};
    if (instrument_init(in, &engine, &opt, err, sizeof err) != 0) {
        printf("FAIL instrument_init: %s\n", err);
        exit(1);
    }
    instrument_tick(in, 0);
    settle(in);
}

static Instrument in;   /* large: the form */

static void test_evolve_and_temperature(void)
{
    start(&in, NULL);
    tap_groove(&in, 2);
    to_loop(&in, 2);
    Hvo prev = in.session.part;
    int same = 1;
    for (int k = 3; k <= 5; k++) {
        to_loop(&in, k);
        same &= hit_cells_differ(&prev, &in.session.part) == 0;
        prev = in.session.part;
    }
    CHECK(same && hvo_count_hits(&prev) > 0, "evolve 0: the same part every loop");
    instrument_set_evolve(&in, 1.0f);
    CHECK(in.session.settings.evolve == 1.0f && in.unsaved, "evolve is a saved setting");
    to_loop(&in, 7);
    prev = in.session.part;
    int all = 1;
    for (int k = 8; k <= 11; k++) {
        to_loop(&in, k);
        all &= hit_cells_differ(&prev, &in.session.part) > 0;
        prev = in.session.part;
    }
    CHECK(all, "evolve 1: a new part every loop");
    instrument_undo(&in);
    CHECK(in.session.settings.evolve == 0.0f, "evolve is undoable");
    instrument_set_evolve(&in, 7.0f);
    CHECK(in.session.settings.evolve == 1.0f, "evolve is clamped to 1");
    instrument_set_evolve(&in, 0.0f);
    /* A temperature other than 1 samples the hits: loops differ even at evolve 0. */
    instrument_set_temperature(&in, 1.5f);
    to_loop(&in, 14);
    prev = in.session.part;
    int changes = 0;
    for (int k = 15; k <= 18; k++) {
        to_loop(&in, k);
        changes += hit_cells_differ(&prev, &in.session.part) > 0;
        prev = in.session.part;
    }
    CHECK(changes >= 3, "temperature 1.5 samples: %d of 4 loops changed", changes);
    instrument_set_temperature(&in, 1.0f);

    /* Morph: A and B are the latents of the newest request; the amount mixes them. */
    instrument_new_variation(&in);
    settle(&in);
    float a[EVOLVE_MAX_LATENT];
    memcpy(a, in.last_eps, sizeof a);
    instrument_morph_store(&in, 0);
    instrument_new_variation(&in);
    settle(&in);
    instrument_morph_store(&in, 1);
    CHECK(in.form.ev.has_a && in.form.ev.has_b && !memcmp(in.form.ev.a, a, sizeof a), "b / B store the latents A and B");
    instrument_set_morph(&in, 0.5f);
    settle(&in);
    int mid = 1;
    for (int i = 0; i < in.form.ev.latent; i++)
        mid &= fabsf(in.last_eps[i] - in.form.ev.walk[i] - 0.5f * (in.form.ev.a[i] + in.form.ev.b[i])) < 1e-5f;
    CHECK(mid, "morph 0.5 asks the model for the latent half way from A to B");
    instrument_set_morph_rate(&in, 4);
    CHECK(in.session.settings.morph_rate == 4, "morph rate saved");
    instrument_stop(&in);
    instrument_deinit(&in);
}

/* Evolve from the first loop: loop 1 is a new step of the walk too. The part asked for at play
 * (for loop 1) came back before the engine's first block, took over at loop 0, and played again
 * in loop 1: with evolve 1, loops 0 and 1 were the same part. */
static void test_evolve_from_the_start(void)
{
    start(&in, NULL);
    instrument_set_evolve(&in, 1.0f);
    Groove g;
    groove_clear(&g);
    for (int t = 0; t < HVO_STEPS; t += 2) {
        g.g[t][0] = 1.0f;
        g.g[t][1] = t % 4 ? 0.6f : 0.9f;
    }
    instrument_set_groove(&in, &g);   /* a groove in place while stopped (a session, a file), then play */
    settle(&in);
    instrument_play(&in);
    Hvo part[4];
    int differ[3];
    float buf[BLOCK * ENGINE_CHANNELS];
    for (int k = 0; k < 4; k++) {   /* what plays a few steps into loop k */
        to_loop(&in, k);
        for (int guard = 0; guard < 100000 && in.pos.step < k * HVO_STEPS + 4.0; guard++) {
            engine_render(&engine, buf, BLOCK);
            frames += BLOCK;
            instrument_tick(&in, clock_now());
            settle(&in);
        }
        part[k] = in.session.part;
    }
    for (int k = 0; k < 3; k++)
        differ[k] = hit_cells_differ(&part[k], &part[k + 1]);
    CHECK(in.pos.playing && differ[0] > 0 && differ[1] > 0 && differ[2] > 0,
          "evolve 1 from the start: loops 0..3 each a new part (cells changed %d %d %d)", differ[0], differ[1],
          differ[2]);
    instrument_stop(&in);
    instrument_deinit(&in);
}

static void test_feel_mixer_bar(void)
{
    start(&in, NULL);
    tap_groove(&in, 2);
    to_loop(&in, 2);
    Hvo before = in.session.part;
    instrument_set_feel(&in, 0.0f, 0.0f);
    to_loop(&in, 4);
    CHECK(!hit_cells_differ(&before, &in.session.part) && !memcmp(&before, &in.session.part, sizeof before),
          "feel does not change the model's part (what is fed and saved)");
    CHECK(in.session.settings.feel_timing == 0.0f && in.session.settings.feel_velocity == 0.0f, "feel saved");
    /* MIDI out plays what is heard: every note at the voice's mean velocity. */
    instrument_set_gain_db(&in, 1, -6.0f);
    instrument_set_pan(&in, 1, -0.5f);
    float buf[BLOCK * ENGINE_CHANNELS];
    engine_render(&engine, buf, BLOCK);
    CHECK_NEAR(engine_get_gain(&engine, 1), mixer_gain(-6.0f), 1e-6, "--gain snare=-6 reaches the engine");
    CHECK(in.session.settings.pan[1] == -0.5f, "pan saved");
    in.stem_voice = 0;
    instrument_set_gain_db(&in, 0, 0.0f);
    CHECK(engine_get_gain(&engine, 1) == 0.0f && engine_get_gain(&engine, 0) == 1.0f,
          "rendering the kick's stem silences the others by level");
    in.stem_voice = -1;
    instrument_stop(&in);
    instrument_deinit(&in);

    /* One bar tapped: bar 2 gets drums with the repeat on, none with it off. */
    start(&in, NULL);
    CHECK(in.session.settings.bar_repeat == 1, "a fresh session repeats a one-bar figure");
    tap_groove(&in, 1);
    to_loop(&in, 2);
    int bar2 = 0;
    for (int t = 16; t < 32; t++)
        for (int v = 0; v < HVO_VOICES; v++)
            bar2 += hvo_hit(&in.session.part, t, v) > 0.5f;
    CHECK(bar2 > 0, "repeat on: bar 2 plays (%d hits)", bar2);
    instrument_toggle_bar_repeat(&in);
    CHECK(in.session.settings.bar_repeat == 0, "/ turns it off (t_form.sh hears bar 2 fall silent)");
    instrument_stop(&in);
    instrument_deinit(&in);
}

static void test_sections(const char *session_path)
{
    char err[256];
    start(&in, session_path);
    tap_groove(&in, 2);
    to_loop(&in, 2);
    Hvo part_a = in.session.part;
    instrument_section_store(&in, 0);
    CHECK(in.form.sec[0].used && !memcmp(&in.form.sec[0].state.part, &part_a, sizeof part_a), "store A keeps the part");
    instrument_set_density(&in, 0.9f);
    instrument_set_genre(&in, 3);
    to_loop(&in, 4);
    Hvo part_b = in.session.part;
    instrument_section_store(&in, 1);
    instrument_set_bpm(&in, 130.0f);
    CHECK(instrument_section_recall(&in, 2) == -1, "an empty section is not recalled");
    /* Recall A while playing: it waits for the loop line. */
    to_loop(&in, 5);
    instrument_section_recall(&in, 0);
    CHECK(in.pending_slot == 0 && in.session.settings.density > 0.85f, "recalled A waits for the next loop");
    /* The song's settings changed while A waits (a chain always has the next section waiting) hold. */
    instrument_set_bpm(&in, 131.0f);
    instrument_set_gain_db(&in, 1, -6.0f);
    instrument_set_pan(&in, SESSION_MIX_CHANNELS - 1, 0.5f);
    instrument_toggle_record_mode(&in);
    int record_mode = in.session.settings.record_mode;
    to_loop(&in, 6);
    CHECK(in.pending_slot == -1 && in.form.playing == 0, "at the next loop A plays");
    CHECK(in.session.settings.density == 0.5f && in.session.settings.genre == -1, "with A's settings");
    CHECK(in.session.settings.bpm == 131.0f, "the tempo is the song's: a recall keeps it, also when set while "
                                              "the section waits (%.1f)", in.session.settings.bpm);
    CHECK(in.session.settings.gain_db[1] == -6.0f && in.session.settings.pan[SESSION_MIX_CHANNELS - 1] == 0.5f &&
              in.session.settings.record_mode == record_mode,
          "so are the mixer and the recording mode set while it waits (snare %.1f dB, click pan %.1f)",
          in.session.settings.gain_db[1], in.session.settings.pan[SESSION_MIX_CHANNELS - 1]);
    CHECK(!hit_cells_differ(&in.session.part, &part_a), "and A's part");
    /* Stopped: at once. */
    instrument_stop(&in);
    float buf[BLOCK * ENGINE_CHANNELS];
    engine_render(&engine, buf, BLOCK);   /* the engine takes the stop */
    instrument_tick(&in, clock_now());
    settle(&in);
    CHECK(!in.pos.playing, "stopped");
    instrument_section_recall(&in, 1);
    CHECK(in.pending_slot == -1 && in.form.playing == 1 && !hit_cells_differ(&in.session.part, &part_b) &&
              in.session.settings.genre == 3,
          "stopped, a recall takes over at once (pending %d playing %d differ %d genre %d)", in.pending_slot,
          in.form.playing, hit_cells_differ(&in.session.part, &part_b), (int)in.session.settings.genre);
    /* A chain with auto fill. */
    CHECK(instrument_set_chain(&in, "A B*2 Q", err, sizeof err) == -1 && strstr(err, "'Q'"), "a bad chain refused (%s)", err);
    CHECK(instrument_set_chain(&in, "A*2 B", err, sizeof err) == 0, "chain A*2 B");
    instrument_toggle_auto_fill(&in);
    instrument_chain_play(&in, 1);
    CHECK(in.form.chain_on && in.form.playing == 0, "the chain starts on A at once when stopped");
    instrument_play(&in);
    const char *want[] = {"A", "A", "B", "A", "A", "B"};
    char got[64] = "";
    int order = 1;
    for (int k = 0; k < 6; k++) {
        to_loop(&in, k);
        const char *s = instrument_chain_section(&in);
        order &= s && !strcmp(s, want[k]);
        strcat(got, s ? s : "-");
    }
    CHECK(order, "the chain plays A A B A A B (%s)", got);
    instrument_chain_play(&in, 0);
    CHECK(!in.form.chain_on && instrument_chain_section(&in) == NULL, "stopped chain: no section in the loop lines");
    instrument_stop(&in);
    instrument_deinit(&in);   /* saves */

    /* The form comes back with the session. */
    start(&in, session_path);
    CHECK(in.form.sec[0].used && in.form.sec[1].used && !in.form.sec[2].used, "sections A and B restored");
    CHECK(in.form.n_chain == 2 && in.form.chain[0].repeats == 2 && in.form.auto_fill, "the chain and auto fill restored");
    CHECK(!hit_cells_differ(&in.form.sec[0].state.part, &part_a), "A's part restored");
    instrument_deinit(&in);
}

int main(void)
{
    char dir[] = "/tmp/test_instrument_form.XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temp dir");
    char session_path[512];
    snprintf(session_path, sizeof session_path, "%s/session", dir);
    engine_init(&engine, RATE, NULL);
    test_evolve_and_temperature();
    test_evolve_from_the_start();
    test_feel_mixer_bar();
    test_sections(session_path);
    engine_deinit(&engine);
    unlink(session_path);
    rmdir(dir);
    return check_summary();
}
