/* test_train.c - the trainer learns, is deterministic, and resumes exactly.
 *
 * A tiny model overfits a handful of patterns in a few hundred steps (the loss must fall by
 * a large factor); two runs with one seed give identical weights; a run split by a
 * checkpoint gives the same weights bit for bit as one that was never stopped; a damaged
 * checkpoint is refused; the schedule, clipping and threshold calibration behave.
 * Issue 13: the previous window of a performance (dataset_previous), samples with memory,
 * dropped genres and inputs re-derived as keys or taps; a model with memory learns what only
 * the memory tells (identical grooves, different drums), a model without cannot.
 */
#include "check.h"
#include "model.h"
#include "optim.h"
#include "train.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned rng_state = 777u;

static float frand01(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)(rng_state >> 8) / 16777216.0f;
}

static void tiny_config(Model_config *c)
{
    memset(c, 0, sizeof *c);
    c->input_dim = HVO_CHANNELS;
    c->steps = HVO_STEPS;
    c->output_dim = HVO_CHANNELS;
    c->enc_d = 16;
    c->enc_heads = 2;
    c->enc_ff = 32;
    c->enc_layers = 1;
    c->dec_d = 16;
    c->dec_heads = 2;
    c->dec_ff = 32;
    c->dec_layers = 1;
    c->latent = 16;
    c->n_genres = 18;
    c->has_fill = 1;
    c->n_mute_groups = MODEL_MUTE_GROUPS;
}

enum { NP = 8 };
static Dataset_window windows[NP];

/* Builds NP random drum windows with their grooves. */
static void make_windows(void)
{
    for (int i = 0; i < NP; i++) {
        Dataset_window *w = &windows[i];
        memset(w, 0, sizeof *w);
        hvo_clear(&w->pattern);
        for (int t = 0; t < HVO_STEPS; t++)
            for (int v = 0; v < HVO_VOICES; v++)
                if (frand01() < 0.2f)
                    hvo_set(&w->pattern, t, v, 1, 0.3f + 0.6f * frand01(), 0.6f * frand01() - 0.3f);
        hvo_flatten(&w->pattern, &w->groove);
        w->genre = (int8_t)(i % 5);
    }
}

/* Builds the samples of step `step` (all NP windows, epoch = step). */
static void step_samples(Train_sample *s, const Train_options *o, int step)
{
    /* window i's memory: window i - 1 (a performance of NP windows), none for the first */
    for (int i = 0; i < NP; i++)
        train_sample_from_window(&s[i], &windows[i], i > 0 ? &windows[i - 1] : NULL, o, step, i, 1);
}

/* Runs steps [from, to) on t. */
static void run_steps(Trainer *t, int from, int to, Train_losses *last)
{
    Train_sample s[NP];
    for (int k = from; k < to; k++) {
        step_samples(s, &t->opt, k);
        trainer_step(t, s, NP, last);
    }
}

/* dataset_previous: the window 2 bars before in the same file, a silent gap, a start. */
/* --ema: the average stands in for the weights as Adam's bias-corrected moments would
 * compute it, the trained weights come back bit for bit, and a resumed run keeps it. */
static void test_ema(const Model_config *c, const Train_options *base)
{
    Train_options o = *base;
    o.ema = 0.9f;
    char err[256];
    Trainer t;
    CHECK(trainer_init(&t, c, &o, 20, err, sizeof err) == 0, "a trainer with a weight average initialises");
    size_t n = t.n_params;
    double *acc = calloc(n, sizeof *acc);
    float *trained = malloc(n * sizeof *trained);
    trainer_use_ema(&t, 1);
    CHECK(!t.ema_in_use, "before the first step there is no average to use");
    for (int k = 0; k < 5; k++) {
        run_steps(&t, k, k + 1, NULL);
        for (size_t i = 0; i < n; i++)
            acc[i] = 0.9 * acc[i] + 0.1 * t.params[i];
    }
    memcpy(trained, t.params, n * sizeof *trained);
    trainer_use_ema(&t, 1);
    double worst = 0.0, moved = 0.0, c5 = 1.0 - pow(0.9, 5);
    for (size_t i = 0; i < n; i++) {
        double want = acc[i] / c5, d = fabs(t.params[i] - want) / (fabs(want) + 1e-3);
        worst = d > worst ? d : worst;
        moved = fmax(moved, fabs(t.params[i] - trained[i]));
    }
    CHECK(worst < 1e-5 && moved > 0.0, "the average is sum 0.1 x 0.9^(5-k) w_k / (1 - 0.9^5) (worst %.2g, it differs "
          "from the weights by up to %.2g)", worst, moved);
    trainer_use_ema(&t, 1);   /* twice: still the average, the weights kept once */
    char path[] = "/tmp/groove_test_ema_XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    CHECK(trainer_save_checkpoint(&t, path, NULL, 0, err, sizeof err) == 0, "checkpoint written while the average stands in");
    trainer_use_ema(&t, 0);
    CHECK(!memcmp(t.params, trained, n * sizeof *trained), "the trained weights come back bit for bit");
    Trainer r;
    CHECK(trainer_load_checkpoint(&r, path, NULL, 0, err, sizeof err) == 0 && r.ema != NULL, "read back with its average");
    run_steps(&t, 5, 8, NULL);
    run_steps(&r, 5, 8, NULL);
    CHECK(!memcmp(t.params, r.params, n * sizeof(float)) && !memcmp(t.ema, r.ema, n * sizeof(float)),
          "a resumed run keeps the trained weights and the average bit for bit");
    trainer_deinit(&r);
    unlink(path);
    o.ema = 1.0f;
    CHECK(trainer_init(&r, c, &o, 20, err, sizeof err) != 0 && strstr(err, "decay"), "a decay of 1 is refused: %s", err);
    trainer_deinit(&t);
    free(acc);
    free(trained);
}

static void test_previous(void)
{
    static Dataset_window w[6];
    const int file[6] = {0, 0, 0, 0, 1, 1}, bar[6] = {0, 1, 2, 3, 0, 4};
    for (int i = 0; i < 6; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].file = (uint32_t)file[i];
        w[i].bar = (uint16_t)bar[i];
    }
    Dataset d = {w, 6, NULL, 0};
    CHECK(dataset_previous(&d, 2) == 0 && dataset_previous(&d, 3) == 1,
          "the previous window is 2 bars earlier in the same performance");
    CHECK(dataset_previous(&d, 0) == DATASET_NO_PREVIOUS && dataset_previous(&d, 1) == DATASET_NO_PREVIOUS &&
              dataset_previous(&d, 4) == DATASET_NO_PREVIOUS,
          "the first 2 bars of a performance have no previous window");
    CHECK(dataset_previous(&d, 5) == DATASET_PREVIOUS_SILENT, "bars without a window are a silent previous part");
    CHECK(dataset_previous(&d, 6) == DATASET_NO_PREVIOUS && dataset_previous(&d, -1) == DATASET_NO_PREVIOUS,
          "an index out of range has none");
}

/* train_sample_from_window: memory, genre and kind, with and without augmentation. */
static void test_samples(void)
{
    Train_options o;
    train_options_default(&o);
    Train_sample s;
    train_sample_from_window(&s, &windows[1], &windows[0], &o, 0, 0, 0);
    CHECK(s.has_memory && !memcmp(&s.memory, &windows[0].pattern, sizeof s.memory) && s.kind == INPUT_KIND_DRUMS &&
              s.genre == -1,
          "validation: memory = the previous drums, kind drums, style none by default");
    CHECK(!memcmp(&s.memory_groove, &windows[0].groove, sizeof s.memory_groove),
          "... and the memory's groove = the previous window's groove");
    {
        /* bar swap moves the memory with the window: step t of each stays side by side */
        Train_options sw = o;
        sw.bar_swap = 1.0f, sw.genre_drop = 0.0f, sw.memory_drop = 0.0f, sw.memory_noise = 0.0f;
        sw.memory_errors = 0.0f, sw.keys_prob = 0.0f, sw.taps_prob = 0.0f, sw.mute_prob = 0.0f, sw.groove_drop = 0.0f;
        train_sample_from_window(&s, &windows[1], &windows[0], &sw, 0, 0, 1);
        int same = 1;
        for (int t = 1; t < HVO_STEPS; t++) {   /* step 0's negative offsets are clamped */
            int from = (t + HVO_STEPS / 2) % HVO_STEPS;
            same &= !memcmp(s.memory.v[t], windows[0].pattern.v[from], sizeof s.memory.v[t]) &&
                    !memcmp(s.memory_groove.g[t], windows[0].groove.g[from], sizeof s.memory_groove.g[t]) &&
                    !memcmp(s.target.v[t], windows[1].pattern.v[from], sizeof s.target.v[t]);
        }
        CHECK(same, "bar swap exchanges the bars of the target, the memory and the memory's groove alike");
        sw.bar_swap = 0.0f;
        train_sample_from_window(&s, &windows[1], &windows[0], &sw, 0, 0, 1);
        int dist = model_memory_groove_distance(&s.input, &s.memory_groove);
        sw.memory_gate = dist + 1;
        train_sample_from_window(&s, &windows[1], &windows[0], &sw, 0, 0, 1);
        CHECK(dist > 0 && s.has_memory, "memory gate %d: a groove %d steps from the memory's keeps it", dist + 1, dist);
        sw.memory_gate = dist;
        train_sample_from_window(&s, &windows[1], &windows[0], &sw, 0, 0, 1);
        CHECK(!s.has_memory && hvo_count_hits(&s.memory) == 0 && s.has_memory_groove &&
                  !memcmp(&s.memory_groove, &windows[0].groove, sizeof s.memory_groove),
              "memory gate %d: the same groove loses the part, as model_encode drops it, and keeps the groove before",
              dist);
        sw.memory_gate = 0;
        sw.bar_swap = 0.0f;
        sw.keys_prob = 1.0f;
        train_sample_from_window(&s, &windows[1], &windows[0], &sw, 0, 0, 1);
        Groove in_groove;
        hvo_flatten(&s.input, &in_groove);
        CHECK(s.kind == INPUT_KIND_KEYS && groove_count_hits(&s.memory_groove) > 0 &&
                  memcmp(&s.memory_groove, &windows[0].groove, sizeof s.memory_groove) != 0,
              "keys: the memory's groove is re-derived as keys too (%d hits, the drums' groove %d)",
              groove_count_hits(&s.memory_groove), groove_count_hits(&windows[0].groove));
    }
    o.val_genre = 1;
    train_sample_from_window(&s, &windows[1], NULL, &o, 0, 0, 0);
    CHECK(!s.has_memory && hvo_count_hits(&s.memory) == 0 && s.genre == windows[1].genre,
          "without a previous window no memory; --val-style labels feeds the genre");
    o.genre_drop = 1.0f;
    o.memory_drop = 1.0f;
    o.keys_prob = 1.0f;
    train_sample_from_window(&s, &windows[1], &windows[0], &o, 3, 5, 1);
    CHECK(s.genre == -1 && !s.has_memory && s.kind == INPUT_KIND_KEYS,
          "augmented: genre dropped, memory dropped, input re-derived as keys");
    o.genre_drop = 0.0f;
    o.memory_drop = 0.0f;
    o.memory_noise = 1.0f;
    o.keys_prob = 0.0f;
    o.taps_prob = 1.0f;
    o.mute_prob = 0.0f;
    train_sample_from_window(&s, &windows[1], &windows[0], &o, 3, 5, 1);
    CHECK(s.genre == windows[1].genre && s.has_memory && hvo_count_hits(&s.memory) == 0 && s.kind == INPUT_KIND_TAPS,
          "augmented: genre kept, memory present with every hit left out (noise 1), taps");
    o.memory_noise = 0.0f;
    o.memory_errors = 1.0f;
    train_sample_from_window(&s, &windows[1], &windows[0], &o, 3, 5, 1);
    int n0 = hvo_count_hits(&windows[0].pattern), n1 = hvo_count_hits(&s.memory), kept = 0;
    for (int t = 0; t < HVO_STEPS; t++)
        for (int v = 0; v < HVO_VOICES; v++)
            kept += hvo_hit(&s.memory, t, v) > 0.5f && hvo_hit(&windows[0].pattern, t, v) > 0.5f;
    CHECK(s.has_memory && n1 >= n0 / 2 && n1 <= 2 * n0 && kept < n0 / 2,
          "memory errors 1: every hit moved, some added (%d hits from %d, %d in place)", n1, n0, kept);
}

/* train_derive_groove: what keys and taps look like against the drums they come from. */
static void test_derive(void)
{
    Hvo d;
    hvo_clear(&d);
    for (int t = 0; t < HVO_STEPS; t++) {   /* a rock beat with 8th hats */
        if (t % 2 == 0)
            hvo_set(&d, t, VOICE_CLOSED_HAT, 1, 0.5f + 0.01f * t, 0.1f);
        if (t % 8 == 0)
            hvo_set(&d, t, VOICE_KICK, 1, 0.9f, -0.05f);
        if (t % 8 == 4)
            hvo_set(&d, t, VOICE_SNARE, 1, 0.8f, 0.05f);
    }
    Groove flat, g;
    hvo_flatten(&d, &flat);
    uint64_t st = 99;
    train_derive_groove(&g, &d, INPUT_KIND_DRUMS, &st);
    CHECK(!memcmp(&g, &flat, sizeof g), "kind drums: the flattened drums");
    int off_drum = 0, vel_differs = 0, sparse = 0, differs = 0, n = 200;
    int taps_const = 1, taps_hits = 0;
    for (int k = 0; k < n; k++) {
        train_derive_groove(&g, &d, INPUT_KIND_KEYS, &st);
        int hits = groove_count_hits(&g);
        sparse += hits > 0 && hits <= 8;
        differs += memcmp(&g, &flat, sizeof g) != 0;
        for (int t = 0; t < HVO_STEPS; t++)
            if (g.g[t][0] > 0.5f) {
                off_drum += flat.g[t][0] < 0.5f;
                vel_differs += fabsf(g.g[t][1] - flat.g[t][1]) > 0.02f;
            }
        train_derive_groove(&g, &d, INPUT_KIND_TAPS, &st);
        float v0 = -1.0f;
        for (int t = 0; t < HVO_STEPS; t++)
            if (g.g[t][0] > 0.5f) {
                taps_hits++;
                if (v0 < 0.0f)
                    v0 = g.g[t][1];
                taps_const &= g.g[t][1] == v0;
            }
        taps_const &= g.g[0][2] >= 0.0f;
    }
    printf("     keys over %d draws: %d differ from the drums, %d sparse (<= 8 onsets), %d onsets off the drums, "
           "%d with their own velocity\n", n, differs, sparse, off_drum, vel_differs);
    CHECK(differs == n && sparse > n / 10 && off_drum > n / 4 && vel_differs > n,
          "keys: never the drums' groove; sustained (sparse) parts, onsets off the drums, own velocities");
    CHECK(taps_const && taps_hits > 0, "taps: one velocity per part, nothing before the loop starts");
}

/* A model with memory learns drums that only the memory tells apart (the same groove, the
 * previous part = the part to play); the same model without memory cannot. */
static void test_memory_learns(void)
{
    static Dataset_window w[NP];
    for (int i = 0; i < NP; i++) {
        w[i] = windows[i];
        hvo_clear(&w[i].pattern);
        for (int t = 0; t < HVO_STEPS; t += 2)
            hvo_set(&w[i].pattern, t, VOICE_CLOSED_HAT, 1, 0.6f, 0.0f);
        for (int t = 0; t < HVO_STEPS; t++)   /* what differs: the kick and snare */
            if (frand01() < 0.3f)
                hvo_set(&w[i].pattern, t, frand01() < 0.5f ? VOICE_KICK : VOICE_SNARE, 1, 0.8f, 0.0f);
        w[i].genre = -1;
        Groove same;
        groove_clear(&same);
        for (int t = 0; t < HVO_STEPS; t += 4)
            same.g[t][0] = 1.0f, same.g[t][1] = 0.7f;
        w[i].groove = same;
    }
    double f1[2];
    for (int mem = 0; mem < 2; mem++) {
        Model_config c;
        tiny_config(&c);
        c.has_memory = mem;
        c.input_dim = mem ? MODEL_MEMORY_INPUT_DIM : HVO_CHANNELS;
        Train_options o;
        train_options_default(&o);
        o.dropout = o.mute_prob = o.bar_swap = o.genre_drop = o.keys_prob = o.taps_prob = 0.0f;
        o.memory_drop = o.memory_noise = 0.0f;
        o.weight_decay = 0.01f;
        o.beta = 0.001f;
        o.lr = 3e-3f;
        o.lr_min = 3e-4f;
        o.batch = NP;
        o.threads = 1;
        char err[256];
        Trainer t;
        if (trainer_init(&t, &c, &o, 300, err, sizeof err) != 0) {
            CHECK(0, "memory trainer initialises: %s", err);
            return;
        }
        Train_sample s[NP];
        Hvo truth[NP];
        for (int k = 0; k < 300; k++) {
            for (int i = 0; i < NP; i++)   /* the drummer repeats: memory = this very part */
                train_sample_from_window(&s[i], &w[i], &w[i], &o, k, i, 1);
            trainer_step(&t, s, NP, NULL);
        }
        for (int i = 0; i < NP; i++) {
            train_sample_from_window(&s[i], &w[i], &w[i], &o, 0, i, 0);
            truth[i] = w[i].pattern;
        }
        float *out = malloc(sizeof(float) * NP * HVO_STEPS * HVO_CHANNELS);
        trainer_predict(&t, s, NP, out);
        Metrics m;
        metrics_init(&m);
        train_metrics(&m, out, truth, NP, NULL);
        f1[mem] = metrics_f1(&m, -1);
        free(out);
        trainer_deinit(&t);
    }
    printf("     same groove, different drums: F1 %.3f without memory, %.3f with\n", f1[0], f1[1]);
    CHECK(f1[1] > 0.95 && f1[1] > f1[0] + 0.1, "a model with memory learns what only the memory tells (F1 %.3f vs %.3f)",
          f1[1], f1[0]);
}

int main(void)
{
    make_windows();
    Model_config c;
    tiny_config(&c);
    Train_options o;
    train_options_default(&o);
    o.dropout = 0.0f;
    o.mute_prob = 0.0f;
    o.bar_swap = 0.0f;
    o.genre_drop = o.keys_prob = o.taps_prob = o.memory_drop = o.memory_noise = 0.0f;
    o.weight_decay = 0.01f;
    o.beta = 0.001f;
    o.lr = 3e-3f;
    o.lr_min = 3e-4f;
    o.batch = NP;
    o.threads = 2;
    char err[256];

    /* 1. overfitting a handful of patterns */
    Trainer t;
    CHECK(trainer_init(&t, &c, &o, 400, err, sizeof err) == 0, "tiny trainer initialises");
    Train_losses first, last;
    run_steps(&t, 0, 1, &first);
    run_steps(&t, 1, 400, &last);
    double recon0 = first.hit + first.vel + first.offset, recon1 = last.hit + last.vel + last.offset;
    printf("     reconstruction loss %.4f -> %.4f after 400 steps\n", recon0, recon1);
    CHECK(recon1 < recon0 / 10.0, "loss falls by more than 10x on 8 patterns (%.3f -> %.3f)", recon0, recon1);
    float *out = malloc(sizeof(float) * NP * HVO_STEPS * HVO_CHANNELS);
    Train_sample s[NP];
    Hvo truth[NP];
    for (int i = 0; i < NP; i++) {
        train_sample_from_window(&s[i], &windows[i], NULL, &o, 0, i, 0);
        truth[i] = windows[i].pattern;
    }
    trainer_predict(&t, s, NP, out);
    Metrics m;
    metrics_init(&m);
    train_metrics(&m, out, truth, NP, NULL);
    CHECK(metrics_f1(&m, -1) > 0.9, "the overfit model reproduces its patterns (F1 %.3f)", metrics_f1(&m, -1));
    float thr[HVO_VOICES];
    train_calibrate_thresholds(out, truth, NP, 1.0, thr);
    int in_range = 1;
    for (int v = 0; v < HVO_VOICES; v++)
        in_range &= thr[v] >= 0.05f && thr[v] <= 0.95f;
    Metrics mc;
    metrics_init(&mc);
    train_metrics(&mc, out, truth, NP, thr);
    double hp = metrics_hits_per_loop_pred(&mc), ht = metrics_hits_per_loop_true(&mc);
    CHECK(in_range && hp > 0.9 * ht && hp < 1.1 * ht, "calibrated thresholds keep hits per loop within 10%% (%.1f vs %.1f)",
          hp, ht);

    /* 2. determinism: the same seed gives the same weights (a model with memory and input
     * kinds, every augmentation on) */
    Trainer a, b;
    o.mute_prob = 0.5f;
    o.bar_swap = 0.5f;
    o.dropout = 0.1f;
    o.genre_drop = 0.5f;
    o.keys_prob = 0.3f;
    o.taps_prob = 0.2f;
    o.memory_drop = 0.2f;
    o.memory_noise = 0.1f;
    c.n_kinds = MODEL_INPUT_KINDS;
    c.has_memory = 1;
    c.input_dim = MODEL_MEMORY_INPUT_DIM;
    trainer_init(&a, &c, &o, 20, err, sizeof err);
    trainer_init(&b, &c, &o, 20, err, sizeof err);
    run_steps(&a, 0, 6, NULL);
    run_steps(&b, 0, 6, NULL);
    CHECK(!memcmp(a.params, b.params, a.n_params * sizeof(float)), "two runs with one seed give identical weights");
    Train_options o2 = o;
    o2.seed = 2;
    Trainer d;
    trainer_init(&d, &c, &o2, 20, err, sizeof err);
    run_steps(&d, 0, 6, NULL);
    CHECK(memcmp(a.params, d.params, a.n_params * sizeof(float)) != 0, "another seed gives other weights");
    trainer_deinit(&d);

    /* 3. resume: 3 steps, checkpoint, a fresh trainer from it, 3 more = 6 straight */
    char path[] = "/tmp/groove_test_train_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "temporary checkpoint file");
    if (fd >= 0)
        close(fd);
    Trainer r;
    trainer_init(&r, &c, &o, 20, err, sizeof err);
    run_steps(&r, 0, 3, NULL);
    r.epoch = 3;
    int extra_out = 4242, extra_in = 0;
    CHECK(trainer_save_checkpoint(&r, path, &extra_out, sizeof extra_out, err, sizeof err) == 0,
          "checkpoint written");
    trainer_deinit(&r);
    CHECK(trainer_load_checkpoint(&r, path, &extra_in, sizeof extra_in, err, sizeof err) == 0, "checkpoint read back");
    CHECK(r.step == 3 && r.epoch == 3 && extra_in == 4242, "step, epoch and extra state restored");
    run_steps(&r, 3, 6, NULL);
    CHECK(!memcmp(a.params, r.params, a.n_params * sizeof(float)) && !memcmp(a.m, r.m, a.n_params * sizeof(float)),
          "a resumed run equals the unbroken run bit for bit (weights and moments)");
    trainer_deinit(&r);

    /* 4. a damaged checkpoint is refused */
    FILE *f = fopen(path, "r+b");
    if (f) {
        fseek(f, 2000, SEEK_SET);
        int ch = fgetc(f);
        fseek(f, 2000, SEEK_SET);
        fputc(ch ^ 0x55, f);
        fclose(f);
    }
    CHECK(trainer_load_checkpoint(&r, path, NULL, 0, err, sizeof err) != 0 && strstr(err, "corrupt"),
          "a flipped byte is caught: %s", err);
    f = fopen(path, "r+b");
    if (f) {   /* the header's model config: steps */
        fseek(f, 20, SEEK_SET);
        fputc(0x7f, f);
        fclose(f);
    }
    CHECK(trainer_load_checkpoint(&r, path, NULL, 0, err, sizeof err) != 0 && strstr(err, "corrupt") && strstr(err, path),
          "a damaged header names the file and says it is damaged: %s", err);
    f = fopen(path, "wb");
    if (f) {
        fputs("not a checkpoint", f);
        fclose(f);
    }
    CHECK(trainer_load_checkpoint(&r, path, NULL, 0, err, sizeof err) != 0, "a foreign file is refused: %s", err);
    unlink(path);

    /* 5. schedule and clipping */
    CHECK(optim_lr_at(0, 100, 10, 1.0f, 0.0f) < 0.2f && fabsf(optim_lr_at(9, 100, 10, 1.0f, 0.0f) - 1.0f) < 1e-6f,
          "warm-up rises linearly to the peak");
    CHECK(fabsf(optim_lr_at(99, 100, 10, 1.0f, 0.1f) - 0.1f) < 1e-5f, "cosine ends at lr_min");
    float g[4] = {3, 4, 0, 0};
    double n0 = optim_clip_grad_norm(g, 4, 1.0f);
    CHECK(fabs(n0 - 5.0) < 1e-9 && fabsf(g[0] - 0.6f) < 1e-4f && fabsf(g[1] - 0.8f) < 1e-4f,
          "clipping scales the gradient to norm 1");

    test_ema(&c, &o);
    test_previous();
    test_samples();
    test_derive();
    test_memory_learns();

    free(out);
    trainer_deinit(&t);
    trainer_deinit(&a);
    trainer_deinit(&b);
    return check_summary();
}
