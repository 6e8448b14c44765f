/* test_keys_eval.c - keys-to-drums evaluation (keys_eval.h) on multi-track MIDI files built
 * byte by byte here: which notes become the groove (keyboard programs, else every non-drum
 * note), the windows on the file's bar lines (a 3/4 bar moves them), the GM drum map, the
 * rates' definitions, the rock beat, the scores of the rock beat and of silence, the folder
 * loader's one line per skipped file, and program changes in the SMF reader. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "clamp.h"
#include "keys_eval.h"
#include "midi_bytes.h"
#include "model.h"
#include "sample.h"

enum { PPQ = 96, STEP = PPQ / 4 };

/* One channel event for the track writer below. */
typedef struct {
    uint32_t tick;
    int kind; /* 0 note-on, 1 note-off, 2 program, 3 time signature (a = numerator), 4 tempo */
    int channel, a, b;
} Ev;

typedef struct {
    Ev ev[2048];
    int n;
} Track;

static void ev(Track *t, uint32_t tick, int kind, int channel, int a, int b)
{
    if (t->n < 2048)
        t->ev[t->n++] = (Ev){tick, kind, channel, a, b};
}

/* A note of one step's length. */
static void note(Track *t, uint32_t tick, int channel, int key, int velocity)
{
    ev(t, tick, 0, channel, key, velocity);
    ev(t, tick + STEP - 1, 1, channel, key, 0);
}

/* At one tick: metas and programs, then note-offs, then note-ons. */
static int rank(int kind) { return kind == 0 ? 2 : kind == 1 ? 1 : 0; }

static int by_tick(const void *x, const void *y)
{
    const Ev *a = x, *b = y;
    if (a->tick != b->tick)
        return a->tick < b->tick ? -1 : 1;
    return rank(a->kind) - rank(b->kind);
}

static void write_track(MidiBytes *m, Track *t)
{
    qsort(t->ev, (size_t)t->n, sizeof t->ev[0], by_tick);
    size_t at = mb_track_begin(m);
    uint32_t now = 0;
    for (int i = 0; i < t->n; i++) {
        const Ev *e = &t->ev[i];
        uint32_t d = e->tick - now;
        now = e->tick;
        if (e->kind == 0)
            mb_on(m, d, e->channel, e->a, e->b);
        else if (e->kind == 1)
            mb_off(m, d, e->channel, e->a);
        else if (e->kind == 2)
            mb_program(m, d, e->channel, e->a);
        else if (e->kind == 3)
            mb_timesig(m, d, e->a, 2);
        else
            mb_tempo(m, d, 500000);
    }
    mb_track_end(m, at, 0);
}

/* Rock-like drums for bars [from, to): kick 35 on 1 and 3, snare on 2 and 4, hat eighths. */
static void rock_drums(Track *t, uint32_t bar0_tick, int bars)
{
    for (int b = 0; b < bars; b++) {
        uint32_t s = bar0_tick + (uint32_t)b * 16 * STEP;
        for (int k = 0; k < 16; k += 2)
            note(t, s + (uint32_t)k * STEP, 9, 42, 70);
        note(t, s, 9, 35, 100);
        note(t, s + 8 * STEP, 9, 35, 100);
        note(t, s + 4 * STEP, 9, 38, 110);
        note(t, s + 12 * STEP, 9, 38, 110);
    }
}

/* Song 1: 4 bars of 4/4; piano (program 0) on beats 1 and 3 (the one on bar 0's beat 3 a
 * quarter step late), bass (program 33) on 2 and 4, rock drums. */
static void song_keys(MidiBytes *m)
{
    static Track t0, t1, t2;
    memset(&t0, 0, sizeof t0);
    memset(&t1, 0, sizeof t1);
    memset(&t2, 0, sizeof t2);
    m->n = 0;
    mb_header(m, 1, 3, PPQ);
    ev(&t0, 0, 4, 0, 0, 0);
    ev(&t0, 0, 3, 0, 4, 0);
    ev(&t1, 0, 2, 0, 0, 0);   /* channel 1: acoustic grand */
    ev(&t1, 0, 2, 1, 33, 0);  /* channel 2: electric bass */
    for (int b = 0; b < 4; b++) {
        uint32_t s = (uint32_t)b * 16 * STEP;
        note(&t1, s, 0, 60, 90);
        note(&t1, s, 0, 64, 80);
        note(&t1, s + 8 * STEP + (b == 0 ? STEP / 4 : 0), 0, 62, 100);
        note(&t1, s + 4 * STEP, 1, 40, 100);
        note(&t1, s + 12 * STEP, 1, 40, 100);
    }
    rock_drums(&t2, 0, 4);
    write_track(m, &t0);
    write_track(m, &t1);
    write_track(m, &t2);
}

/* Song 2: a 3/4 bar, then 4 bars of 4/4; only a guitar (program 25) beside the drums, on
 * the first beat of every 4/4 bar. */
static void song_guitar_pickup(MidiBytes *m)
{
    static Track t0, t1;
    memset(&t0, 0, sizeof t0);
    memset(&t1, 0, sizeof t1);
    m->n = 0;
    mb_header(m, 1, 2, PPQ);
    uint32_t bar1 = 3 * PPQ;
    ev(&t0, 0, 3, 0, 3, 0);
    ev(&t0, bar1, 3, 0, 4, 0);
    ev(&t1, 0, 2, 3, 25, 0);
    note(&t1, 0, 3, 50, 80); /* in the 3/4 bar: in no window */
    for (int b = 0; b < 4; b++)
        note(&t1, bar1 + (uint32_t)b * 16 * STEP, 3, 55, 90);
    rock_drums(&t1, bar1, 4);
    write_track(m, &t0);
    write_track(m, &t1);
}

/* Song 3: a piano and no drums. */
static void song_no_drums(MidiBytes *m)
{
    static Track t;
    memset(&t, 0, sizeof t);
    m->n = 0;
    mb_header(m, 1, 1, PPQ);
    for (int b = 0; b < 4; b++)
        note(&t, (uint32_t)b * 16 * STEP, 0, 60, 90);
    write_track(m, &t);
}

static int read_bytes(const MidiBytes *m, Smf *smf)
{
    char err[128];
    return smf_read_memory(smf, m->b, m->n, err, sizeof err);
}

static Keys_set one_file_set(void)
{
    Keys_set s;
    memset(&s, 0, sizeof s);
    s.files = calloc(1, sizeof *s.files);
    s.files[0].name = strdup("x.mid");
    s.n_files = 1;
    return s;
}

int main(void)
{
    static MidiBytes m;

    /* The SMF reader keeps program changes. */
    song_keys(&m);
    Smf smf;
    CHECK(read_bytes(&m, &smf) == 0 && smf.n_programs == 2, "program changes are read (%d)", smf.n_programs);
    CHECK(smf_program_at(&smf, 0, 100) == 0 && smf_program_at(&smf, 1, 100) == 33 && smf_program_at(&smf, 5, 100) == -1,
          "smf_program_at: piano on channel 1, bass on 2, none on 6");

    /* Song 1: 2 windows; the groove is the piano only, the drums map 35 to the kick. */
    Keys_set set = one_file_set();
    int added = keys_add_smf(&set, 0, &smf);
    smf_deinit(&smf);
    CHECK(added == 2 && set.count == 2 && set.files[0].source == KEYS_FROM_KEYBOARD,
          "4 bars of 4/4 give 2 windows, groove from the keyboard (%d)", added);
    const Keys_window *w = &set.windows[0];
    int groove_ok = w->groove.g[0][0] > 0.5f && w->groove.g[8][0] > 0.5f && w->groove.g[16][0] > 0.5f &&
                    w->groove.g[24][0] > 0.5f && w->groove.g[4][0] == 0.0f && w->groove.g[12][0] == 0.0f;
    CHECK(groove_ok && groove_count_hits(&w->groove) == 4, "groove: the piano's beats 1 and 3, not the bass's 2 and 4");
    CHECK_NEAR(w->groove.g[0][1], 90 / 127.0, 1e-6, "a chord's step takes its loudest note's velocity");
    CHECK_NEAR(w->groove.g[8][2], 0.25, 1e-6, "a note a quarter step late has offset 0.25");
    CHECK(hvo_hit(&w->drums, 0, VOICE_KICK) > 0.5f && hvo_hit(&w->drums, 24, VOICE_KICK) > 0.5f &&
              hvo_count_hits(&w->drums) == 24 && set.windows[1].bar == 2 && set.files[0].drum_unmapped == 0,
          "drums: GM 35 is the kick, 24 hits a window, the second window starts at bar 2");

    /* Rates of the real drums and the rock beat: all three; scores: the rock beat is exact. */
    Hvo rock;
    keys_rock_beat(&rock);
    CHECK(keys_kick_on_one(&w->drums) && keys_snare_two_four(&w->drums) && keys_eighth_pulse(&w->drums) &&
              keys_kick_on_one(&rock) && keys_snare_two_four(&rock) && keys_eighth_pulse(&rock),
          "the song's drums and the rock beat have kick on 1, snare on 2 and 4, an eighth pulse");
    CHECK(hvo_count_hits(&rock) == 24, "the rock beat: 4 kicks, 4 snares, 16 hats");

    Model model;
    Model_config c;
    model_config_default(&c);
    c.enc_d = c.dec_d = 32;
    c.enc_heads = c.dec_heads = 2;
    c.enc_ff = c.dec_ff = 64;
    c.enc_layers = c.dec_layers = 1;
    c.latent = 8;
    char err[256];
    CHECK(model_init_random(&model, &c, 5, err, sizeof err) == 0, "tiny random model");
    Keys_result r;
    CHECK(keys_eval_run(&model, &set, 0.0f, &r, err, sizeof err) == 0 && r.windows == 2 && r.model.windows == 2,
          "keys_eval_run scores 2 windows");
    CHECK_NEAR(metrics_f1(&r.rock, -1), 1.0, 1e-9, "the rock beat scores F1 1 on rock drums");
    {
        /* keys thresholds: one shift of the drums' for every voice, used for a keyboard part */
        Gen_params dg;
        model_gen_params(&model, &dg);
        float th[HVO_VOICES];
        CHECK(keys_calibrate(&model, &set, th, err, sizeof err) == 0, "keys_calibrate runs (%s)", err);
        float shift = th[0] - dg.thresholds[0];
        int one_shift = shift >= -0.30001f && shift <= 0.30001f;
        for (int v = 1; v < HVO_VOICES; v++)
            one_shift &= fabsf(th[v] - clampf(dg.thresholds[v] + shift, 0.05f, 0.95f)) < 1e-6f;
        CHECK(one_shift, "... every voice shifted alike (%.2f)", (double)shift);
        Model keyed = model;   /* shares the weights: only the extras differ */
        keyed.extras.has_thresholds_keys = 1;
        for (int v = 0; v < HVO_VOICES; v++)
            keyed.extras.thresholds_keys[v] = 0.9f;
        float th2[HVO_VOICES];
        CHECK(keys_calibrate(&keyed, &set, th2, err, sizeof err) == 0 && !memcmp(th, th2, sizeof th),
              "... and the same whatever keys thresholds the model already has");
        Keys_result rk;
        CHECK(keys_eval_run(&keyed, &set, 0.0f, &rk, err, sizeof err) == 0 && rk.thresholds[4] == 0.9f &&
                  r.thresholds[4] == dg.thresholds[4],
              "keys_eval_run plays a keyboard part at the model's keys thresholds when it has them");
        Gen_params gk, gt;
        model_gen_params_for(&keyed, INPUT_KIND_KEYS, &gk);
        model_gen_params_for(&keyed, INPUT_KIND_TAPS, &gt);
        float sh[HVO_VOICES];
        model_threshold_shift(&keyed, INPUT_KIND_KEYS, sh);
        CHECK(gk.thresholds[2] == 0.9f && gk.kind == INPUT_KIND_KEYS && gt.thresholds[2] == dg.thresholds[2] &&
                  fabsf(sh[2] - (0.9f - dg.thresholds[2])) < 1e-6f,
              "keys thresholds for keys only (taps keep the drums'); the instrument's shift is their difference");
    }
    CHECK_NEAR(metrics_hit_accuracy(&r.silence), 1.0 - 24.0 / 288.0, 1e-9, "silence: accuracy 1 - 24/288");
    CHECK(r.real_rates.kick_on_one == 2 && r.rock_rates.snare_two_four == 2 && r.model_rates.windows == 2,
          "rates counted per window for real, rock and model");
    /* On groove: kick and hat on steps 0, 8, 16, 24: 8 of each window's 24 real hits. */
    CHECK_NEAR(keys_on_groove(&r.real_rates), 16.0 / 48.0, 1e-9, "on groove: 16 of the 48 real hits fall on groove steps");
    /* The model hears the keys as keys, and its memory is what it played in the song's 2 bars
     * before: the same by hand. */
    {
        Gen_params g;
        model_gen_params(&model, &g);
        g.kind = INPUT_KIND_KEYS;
        Metrics hand;
        metrics_init(&hand);
        Model_memory played;
        float mu[8];
        for (int i = 0; i < set.count; i++) {
            Hvo in, logits, pred;
            hvo_groove_to_input(&set.windows[i].groove, &in);
            model_encode(&model, &in, i > 0 ? &played : NULL, mu, NULL);
            Model_condition cond = {-1, 0, 0, INPUT_KIND_KEYS};
            model_decode(&model, mu, &cond, &logits);
            sample_pattern(&logits, &g, &played.part);
            played.groove = set.windows[i].groove;
            metrics_hvo_from_output(&logits.v[0][0], g.thresholds, &pred);
            metrics_add(&hand, &pred, &set.windows[i].drums);
        }
        CHECK(model.config.has_memory && !memcmp(hand.tp, r.model.tp, sizeof hand.tp) &&
                  !memcmp(hand.fp, r.model.fp, sizeof hand.fp) && hand.off_sum_pred == r.model.off_sum_pred,
              "input kind keys, memory = what the model played in the song's 2 bars before");
    }
    char *json = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&json, &len);
    keys_write_json(mem, &set, &r);
    fclose(mem);
    CHECK(strstr(json, "\"windows\": 2,") && strstr(json, "\"rock\": {\"hit_accuracy\": 1.000000") &&
              strstr(json, "\"snare_2_4\": 1.000000") && strstr(json, "\"groove\": \"keyboard\"") &&
              strstr(json, "\"style\": \"none\""),
          "JSON: windows, the rock beat's perfect score, the rates, the groove source");
    free(json);
    keys_set_deinit(&set);

    /* Song 2: a 3/4 pickup moves the bar lines; no keyboard: every non-drum note is the groove. */
    song_guitar_pickup(&m);
    CHECK(read_bytes(&m, &smf) == 0, "song with a 3/4 pickup reads");
    set = one_file_set();
    added = keys_add_smf(&set, 0, &smf);
    smf_deinit(&smf);
    CHECK(added == 2 && set.files[0].source == KEYS_FROM_ALL_NON_DRUM && set.files[0].bars == 5 &&
              set.files[0].bars_4_4 == 4,
          "a 3/4 bar then 4 of 4/4: 2 windows, the guitar is the groove (bars %d, 4/4 %d)", set.files[0].bars,
          set.files[0].bars_4_4);
    CHECK(set.count == 2 && set.windows[0].bar == 1 && set.windows[0].groove.g[0][0] > 0.5f &&
              groove_count_hits(&set.windows[0].groove) == 2 && hvo_hit(&set.windows[0].drums, 0, VOICE_KICK) > 0.5f,
          "windows start on the 4/4 bar line after the pickup: guitar and kick on step 0");
    keys_set_deinit(&set);

    /* Rates on hand-made patterns: each condition and its near miss. */
    Hvo p;
    hvo_clear(&p);
    hvo_set(&p, 0, VOICE_KICK, 1, 0.8f, 0.0f);
    CHECK(!keys_kick_on_one(&p), "kick on the first bar's 1 only: no");
    hvo_set(&p, 16, VOICE_KICK, 1, 0.8f, 0.0f);
    CHECK(keys_kick_on_one(&p), "kick on both bars' 1: yes");
    hvo_set(&p, 4, VOICE_SNARE, 1, 0.8f, 0.0f);
    hvo_set(&p, 12, VOICE_SNARE, 1, 0.8f, 0.0f);
    hvo_set(&p, 20, VOICE_SNARE, 1, 0.8f, 0.0f);
    CHECK(!keys_snare_two_four(&p), "three backbeats of four: no");
    hvo_set(&p, 28, VOICE_SNARE, 1, 0.8f, 0.0f);
    CHECK(keys_snare_two_four(&p), "all four backbeats: yes");
    for (int t = 0; t < 26; t += 2)
        hvo_set(&p, t, t < 16 ? VOICE_CLOSED_HAT : VOICE_RIDE, 1, 0.5f, 0.0f);
    for (int t = 1; t < 32; t += 2)
        hvo_set(&p, t, VOICE_CLOSED_HAT, 1, 0.5f, 0.0f);
    CHECK(!keys_eighth_pulse(&p), "13 eighths of hat or ride (odd 16ths do not count): no pulse");
    hvo_set(&p, 26, VOICE_RIDE, 1, 0.5f, 0.0f);
    CHECK(keys_eighth_pulse(&p), "14 eighths of hat or ride: a pulse");

    /* The folder: sorted, one line per skipped file, a folder without MIDI files refused. */
    char dir[] = "/tmp/groove-test-keys.XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temp folder");
    char path[128];
    song_keys(&m);
    snprintf(path, sizeof path, "%s/b_song.MID", dir);
    mb_save(&m, path);
    song_no_drums(&m);
    snprintf(path, sizeof path, "%s/a_nodrums.mid", dir);
    mb_save(&m, path);
    snprintf(path, sizeof path, "%s/c_junk.midi", dir);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs("not a midi file", f);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    f = fopen(path, "w");
    if (f)
        fclose(f);
    char *warn = NULL;
    mem = open_memstream(&warn, &len);
    int rc = keys_set_load(&set, dir, mem, err, sizeof err);
    fclose(mem);
    CHECK(rc == 0 && set.n_files == 3 && set.files_skipped == 2 && set.count == 2 && !strcmp(set.files[0].name, "a_nodrums.mid") &&
              !strcmp(set.files[1].name, "b_song.MID"),
          "the folder: 3 MIDI files sorted (any case), 2 skipped, 2 windows");
    CHECK(warn && strstr(warn, "groove: a_nodrums.mid: skipped: no drum notes on channel 10\n") &&
              strstr(warn, "groove: c_junk.midi: skipped: unreadable: ") && !strstr(warn, "b_song"),
          "one 'groove:' line per skipped file, with the reason");
    free(warn);
    keys_set_deinit(&set);
    for (const char *n = "a_nodrums.mid\0b_song.MID\0c_junk.midi\0notes.txt\0"; *n; n += strlen(n) + 1) {
        snprintf(path, sizeof path, "%s/%s", dir, n);
        unlink(path);
    }
    CHECK(keys_set_load(&set, dir, NULL, err, sizeof err) != 0 && strstr(err, "no MIDI file"),
          "a folder without MIDI files is refused (%s)", err);
    rmdir(dir);
    CHECK(keys_set_load(&set, "/nonexistent/groove", NULL, err, sizeof err) != 0 && strstr(err, "cannot read"),
          "a missing folder is refused (%s)", err);

    /* The General MIDI drum map for users' files. */
    CHECK(voice_from_general_midi(35) == VOICE_KICK && voice_from_general_midi(36) == VOICE_KICK &&
              voice_from_general_midi(39) == VOICE_SNARE && voice_from_general_midi(54) == VOICE_CLOSED_HAT &&
              voice_from_general_midi(41) == VOICE_LOW_TOM && voice_from_general_midi(58) == VOICE_CRASH &&
              voice_from_general_midi(82) == VOICE_RIDE && voice_from_general_midi(51) == VOICE_RIDE &&
              voice_from_general_midi(100) == -1 && voice_from_gm_note(35) == -1,
          "GM map: 35 kick, 39 snare, 54 closed hat, 41 low tom, 58 crash, 82 ride; the dataset map keeps 35 unmapped");

    model_deinit(&model);
    return check_summary();
}
