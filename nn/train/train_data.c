/* train_data.c - training samples from dataset windows (augmentation), epoch order,
 * validation metrics and per-voice threshold calibration. */
#include "train.h"

#include "clamp.h"
#include "model.h"
#include "train_rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The voices of each mute group (Mute_group order). */
static const int mute_group_voices[MODEL_MUTE_GROUPS][4] = {
    {VOICE_KICK, -1, -1, -1},
    {VOICE_SNARE, -1, -1, -1},
    {VOICE_CLOSED_HAT, VOICE_OPEN_HAT, -1, -1},
    {VOICE_LOW_TOM, VOICE_MID_TOM, VOICE_HIGH_TOM, -1},
    {VOICE_CRASH, VOICE_RIDE, -1, -1},
};

void train_derive_groove(Groove *out, const Hvo *d, int kind, uint64_t *st)
{
    Groove flat;
    hvo_flatten(d, &flat);
    if (kind != INPUT_KIND_KEYS && kind != INPUT_KIND_TAPS) {
        *out = flat;
        return;
    }
    groove_clear(out);
    int on[HVO_STEPS] = {0};
    float r = rand_uniform(st);
    if (kind == INPUT_KIND_KEYS) {
        if (r < 0.35f) {
            /* comping that follows some of the drums: the union of a few voices' hits */
            unsigned voices = 0;
            while (!voices)
                for (int v = 0; v < HVO_VOICES; v++)
                    if (hvo_count_voice_hits(d, v) > 0 && rand_uniform(st) < 0.4f)
                        voices |= 1u << v;
                    else if (v == HVO_VOICES - 1 && !voices && hvo_count_hits(d) == 0)
                        voices = 1u;   /* silent drums: nothing to follow */
            for (int t = 0; t < HVO_STEPS; t++)
                for (int v = 0; v < HVO_VOICES; v++)
                    if ((voices >> v & 1u) && hvo_hit(d, t, v) > 0.5f)
                        on[t] = 1;
        } else if (r < 0.65f) {
            /* held chords: onsets on a coarse grid (quarters, halves, bars), some pushed a 16th
             * early, whatever the drums do */
            static const int grids[3] = {4, 8, 16};
            int grid = grids[(int)(rand_uniform(st) * 3.0f) % 3];
            float keep = 0.6f + 0.4f * rand_uniform(st);
            for (int t = 0; t < HVO_STEPS; t += grid)
                if (rand_uniform(st) < keep) {
                    int at = t > 0 && rand_uniform(st) < 0.2f ? t - 1 : t;
                    on[at] = 1;
                }
        } else {
            /* rhythmic comping or a melody: the merged onsets, thinned */
            float keep = 0.3f + 0.5f * rand_uniform(st);
            for (int t = 0; t < HVO_STEPS; t++)
                if (flat.g[t][0] > 0.5f && rand_uniform(st) < keep)
                    on[t] = 1;
        }
        /* notes between the drum hits */
        float add = 0.15f * rand_uniform(st);
        for (int t = 0; t < HVO_STEPS; t++)
            if (flat.g[t][0] < 0.5f && rand_uniform(st) < add)
                on[t] = 1;
        /* the keyboard's own dynamics and timing */
        float v0 = 0.35f + 0.5f * rand_uniform(st);
        for (int t = 0; t < HVO_STEPS; t++)
            if (on[t]) {
                out->g[t][0] = 1.0f;
                out->g[t][1] = clampf(v0 + 0.1f * rand_normal(st), 0.05f, 1.0f);
                out->g[t][2] = clampf(0.08f * rand_normal(st), -0.5f, 0.49f);
            }
    } else {
        if (r < 0.4f) {
            /* tapping the kick and snare */
            for (int t = 0; t < HVO_STEPS; t++)
                on[t] = hvo_hit(d, t, VOICE_KICK) > 0.5f || hvo_hit(d, t, VOICE_SNARE) > 0.5f;
        } else if (r < 0.7f) {
            /* tapping the beat */
            for (int t = 0; t < HVO_STEPS; t += HVO_STEPS_PER_BEAT)
                on[t] = rand_uniform(st) < 0.9f;
        } else {
            float keep = 0.3f + 0.4f * rand_uniform(st);
            for (int t = 0; t < HVO_STEPS; t++)
                on[t] = flat.g[t][0] > 0.5f && rand_uniform(st) < keep;
        }
        /* computer keys: one velocity; the tapper's timing near the drummer's */
        float v0 = 0.6f + 0.3f * rand_uniform(st);
        for (int t = 0; t < HVO_STEPS; t++)
            if (on[t]) {
                float base = flat.g[t][0] > 0.5f ? flat.g[t][2] : 0.0f;
                out->g[t][0] = 1.0f;
                out->g[t][1] = v0;
                out->g[t][2] = clampf(base + 0.06f * rand_normal(st), -0.5f, 0.49f);
            }
    }
    if (out->g[0][2] < 0.0f)
        out->g[0][2] = 0.0f;   /* nothing sounds before the loop starts */
}

/* Makes a memory look like a model's own output rather than the drummer's: each hit, with
 * probability e, moves (a step or two in its voice, or to another voice on its step), and
 * about e/2 of the hit count is added as extra hits on the voices the part uses. */
static void memory_add_errors(Hvo *m, float e, uint64_t st)
{
    Hvo src = *m;
    int n = 0;
    unsigned voices = 0;
    float vel = 0.0f;
    for (int t = 0; t < HVO_STEPS; t++)
        for (int v = 0; v < HVO_VOICES; v++)
            if (hvo_hit(&src, t, v) > 0.5f) {
                n++;
                voices |= 1u << v;
                vel += hvo_vel(&src, t, v);
                if (rand_uniform(&st) < e) {
                    int to_t = t, to_v = v;
                    if (rand_uniform(&st) < 0.7f) {
                        int d = 1 + (int)(rand_uniform(&st) * 2.0f);
                        to_t = (t + (rand_uniform(&st) < 0.5f ? -d : d) + HVO_STEPS) % HVO_STEPS;
                    } else {
                        to_v = (int)(rand_uniform(&st) * HVO_VOICES) % HVO_VOICES;
                    }
                    float hv = hvo_vel(m, t, v), ho = hvo_off(m, t, v);
                    hvo_set(m, t, v, 0, 0.0f, 0.0f);
                    hvo_set(m, to_t, to_v, 1, hv, to_t == 0 && ho < 0.0f ? 0.0f : ho);
                }
            }
    if (n == 0)
        return;
    vel /= (float)n;
    int extra = (int)(0.5f * e * (float)n + rand_uniform(&st));
    for (int k = 0; k < extra; k++) {
        int v = (int)(rand_uniform(&st) * HVO_VOICES) % HVO_VOICES;
        if (!(voices >> v & 1u))
            continue;
        int t = (int)(rand_uniform(&st) * HVO_STEPS) % HVO_STEPS;
        if (hvo_hit(m, t, v) < 0.5f)
            hvo_set(m, t, v, 1, vel, 0.0f);
    }
}

/* Bar swap: the window's two bars exchanged, target and groove alike, and the memory (part,
 * the drums a keys memory is derived from, its groove) with them, so step t of the memory
 * stays beside step t. A hit never sounds before the loop starts (SPEC): a negative offset
 * landing on step 0 becomes 0. */
static void swap_bars(Train_sample *s, const Dataset_window *w, Groove *groove, Hvo *mdrums, Groove *mgroove)
{
    int half = HVO_STEPS / 2;
    Hvo mem = s->memory, md = *mdrums;
    Groove mg = *mgroove;
    for (int tt = 0; tt < HVO_STEPS; tt++) {
        int from = (tt + half) % HVO_STEPS;
        memcpy(s->target.v[tt], w->pattern.v[from], sizeof s->target.v[tt]);
        memcpy(groove->g[tt], w->groove.g[from], sizeof groove->g[tt]);
        memcpy(s->memory.v[tt], mem.v[from], sizeof s->memory.v[tt]);
        memcpy(mdrums->v[tt], md.v[from], sizeof mdrums->v[tt]);
        memcpy(mgroove->g[tt], mg.g[from], sizeof mgroove->g[tt]);
    }
    for (int v = 0; v < HVO_VOICES; v++) {
        if (s->target.v[0][2 * HVO_VOICES + v] < 0.0f)
            s->target.v[0][2 * HVO_VOICES + v] = 0.0f;
        if (s->memory.v[0][2 * HVO_VOICES + v] < 0.0f)
            s->memory.v[0][2 * HVO_VOICES + v] = 0.0f;
    }
    if (groove->g[0][2] < 0.0f)
        groove->g[0][2] = 0.0f;
    if (mgroove->g[0][2] < 0.0f)
        mgroove->g[0][2] = 0.0f;
}

void train_sample_from_window(Train_sample *s, const Dataset_window *w, const Dataset_window *prev,
                              const Train_options *opt, int epoch, long pos, int augment)
{
    s->seed = seed_mix(opt->seed, (uint64_t)epoch + 1, (uint64_t)pos + 1);
    Groove groove = w->groove;
    s->target = w->pattern;
    s->genre = w->genre;
    s->fill = w->is_fill ? 1 : 0;
    s->mutes = 0;
    s->kind = INPUT_KIND_DRUMS;
    s->has_memory = prev != NULL;
    Groove mgroove;   /* the memory's groove, before any re-derivation */
    if (prev) {
        s->memory = prev->pattern;
        mgroove = prev->groove;
    } else {
        hvo_clear(&s->memory);
        groove_clear(&mgroove);
    }
    Hvo mdrums = s->memory;   /* what a keys / taps memory groove is derived from */
    if (!augment && !opt->val_genre)
        s->genre = -1;
    if (augment && opt->genre_drop > 0.0f) {
        uint64_t st = seed_mix(s->seed, 8, 8);
        if (rand_uniform(&st) < opt->genre_drop)
            s->genre = -1;
    }
    if (augment && prev && (opt->memory_drop > 0.0f || opt->memory_noise > 0.0f)) {
        uint64_t st = seed_mix(s->seed, 9, 9);
        if (rand_uniform(&st) < opt->memory_drop) {
            s->has_memory = 0;
            hvo_clear(&s->memory);
        } else if (opt->memory_noise > 0.0f) {
            for (int tt = 0; tt < HVO_STEPS; tt++)
                for (int v = 0; v < HVO_VOICES; v++)
                    if (s->memory.v[tt][v] > 0.5f && rand_uniform(&st) < opt->memory_noise)
                        hvo_set(&s->memory, tt, v, 0, 0.0f, 0.0f);
        }
    }
    if (augment && s->has_memory && opt->memory_errors > 0.0f)
        memory_add_errors(&s->memory, opt->memory_errors, seed_mix(s->seed, 11, 11));
    if (augment && opt->bar_swap > 0.0f) {
        uint64_t st = seed_mix(s->seed, 6, 6);
        if (rand_uniform(&st) < opt->bar_swap)
            swap_bars(s, w, &groove, &mdrums, &mgroove);
    }
    if (augment && opt->groove_drop > 0.0f) {
        uint64_t st = seed_mix(s->seed, 7, 7);
        for (int tt = 0; tt < HVO_STEPS; tt++)
            if (groove.g[tt][0] > 0.5f && rand_uniform(&st) < opt->groove_drop)
                groove.g[tt][0] = groove.g[tt][1] = groove.g[tt][2] = 0.0f;
    }
    if (augment && opt->keys_prob + opt->taps_prob > 0.0f) {
        uint64_t st = seed_mix(s->seed, 10, 10);
        float r = rand_uniform(&st);
        if (r < opt->keys_prob + opt->taps_prob) {
            s->kind = r < opt->keys_prob ? INPUT_KIND_KEYS : INPUT_KIND_TAPS;
            /* the memory's groove first, with the same draws: the same player's way of
             * playing (voices chosen, grid, dynamics) 2 bars earlier */
            uint64_t mst = st;
            if (s->has_memory)
                train_derive_groove(&mgroove, &mdrums, s->kind, &mst);
            /* derived from the (possibly bar-swapped) target before any mute */
            train_derive_groove(&groove, &s->target, s->kind, &st);
        }
    }
    hvo_groove_to_input(&groove, &s->input);
    s->has_memory_groove = s->has_memory;
    if (s->has_memory && opt->memory_gate > 0 && model_memory_groove_distance(&s->input, &mgroove) >= opt->memory_gate) {
        s->has_memory = 0;   /* the gate is closed: model_encode drops the part, keeps the groove */
        hvo_clear(&s->memory);
    }
    if (s->has_memory_groove)
        s->memory_groove = mgroove;
    else
        groove_clear(&s->memory_groove);
    if (augment && opt->mute_prob > 0.0f) {
        uint64_t st = seed_mix(s->seed, 5, 5);
        if (rand_uniform(&st) < opt->mute_prob) {
            do {
                s->mutes = 0;
                for (int g = 0; g < MODEL_MUTE_GROUPS; g++)
                    if (rand_uniform(&st) < 0.3f)
                        s->mutes |= 1 << g;
            } while (s->mutes == (1 << MODEL_MUTE_GROUPS) - 1);
        }
        for (int g = 0; g < MODEL_MUTE_GROUPS; g++)
            if (s->mutes & (1 << g))
                for (int k = 0; k < 4 && mute_group_voices[g][k] >= 0; k++)
                    for (int tt = 0; tt < HVO_STEPS; tt++)
                        hvo_set(&s->target, tt, mute_group_voices[g][k], 0, 0.0f, 0.0f);
    }
}

void train_shuffle(int *order, int n, uint64_t seed, int epoch)
{
    uint64_t st = seed_mix(seed, 0x5EED, (uint64_t)epoch);
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(splitmix(&st) % (uint64_t)(i + 1));
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
}

void train_metrics(Metrics *m, const float *out, const Hvo *truth, int n, const float *thresholds)
{
    Hvo pred;
    for (int i = 0; i < n; i++) {
        metrics_hvo_from_output(out + (size_t)i * HVO_STEPS * HVO_CHANNELS, thresholds, &pred);
        metrics_add(m, &pred, &truth[i]);
    }
}

void train_calibrate_thresholds(const float *out, const Hvo *truth, int n, double acc_weight,
                                float thresholds[HVO_VOICES])
{
    enum { NT = 91 };   /* thresholds 0.05, 0.06, ..., 0.95 */
    static long pred[HVO_VOICES][NT], tp[HVO_VOICES][NT];
    long ntrue = 0;
    memset(pred, 0, sizeof pred);
    memset(tp, 0, sizeof tp);
    for (int v = 0; v < HVO_VOICES; v++)
        for (int i = 0; i < n; i++)
            for (int tt = 0; tt < HVO_STEPS; tt++) {
                float logit = out[((size_t)i * HVO_STEPS + tt) * HVO_CHANNELS + v];
                float prob = 1.0f / (1.0f + expf(-logit));
                int y = truth[i].v[tt][v] > 0.5f;
                ntrue += y;
                for (int k = 0; k < NT && prob > 0.05f + 0.01f * (float)k; k++) {
                    pred[v][k]++;
                    tp[v][k] += y;
                }
            }
    /* coordinate ascent on overall F1 + acc_weight x hit accuracy (F1 = 2 TP / (P + T), accuracy = 1 -
     * (P + T - 2 TP) / cells), keeping the predicted hit count within [0.92, 1.08] of the
     * true one and each voice's within [0.3, 1.5] of its own (or moving toward those
     * bands): without the per-voice band the best F1 silences the voices the groove says
     * least about (ride, toms), which no drummer would want */
    double cells = (double)n * HVO_STEPS * HVO_VOICES;
    long vtrue[HVO_VOICES];
    for (int v = 0; v < HVO_VOICES; v++) {
        vtrue[v] = 0;
        for (int i = 0; i < n; i++)
            for (int tt = 0; tt < HVO_STEPS; tt++)
                vtrue[v] += truth[i].v[tt][v] > 0.5f;
    }
    int sel[HVO_VOICES];
    for (int v = 0; v < HVO_VOICES; v++)
        sel[v] = 45;   /* 0.5 */
    for (int round = 0; round < 4; round++)
        for (int v = 0; v < HVO_VOICES; v++) {
            long P = 0, TP = 0;
            for (int u = 0; u < HVO_VOICES; u++)
                if (u != v) {
                    P += pred[u][sel[u]];
                    TP += tp[u][sel[u]];
                }
            int best = sel[v];
            double best_key = -1e30;
            for (int k = 0; k < NT; k++) {
                double p = (double)(P + pred[v][k]), t = (double)ntrue;
                double hits = (double)(TP + tp[v][k]);
                double out_of_band = p < 0.92 * t ? 0.92 * t - p : p > 1.08 * t ? p - 1.08 * t : 0.0;
                double f1 = p + t > 0 ? 2.0 * hits / (p + t) : 0.0;
                double acc = cells > 0 ? 1.0 - (p + t - 2.0 * hits) / cells : 0.0;
                double pv = (double)pred[v][k], tv = (double)vtrue[v];
                out_of_band += pv < 0.3 * tv ? 0.3 * tv - pv : pv > 1.5 * tv ? pv - 1.5 * tv : 0.0;
                double key = f1 + acc_weight * acc - out_of_band;   /* any band distance outweighs */
                if (key > best_key) {
                    best_key = key;
                    best = k;
                }
            }
            sel[v] = best;
        }
    for (int v = 0; v < HVO_VOICES; v++)
        thresholds[v] = 0.05f + 0.01f * (float)sel[v];
}
