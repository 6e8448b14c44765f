/* train_data.c - training samples from dataset windows (augmentation), epoch order,
 * validation metrics and per-voice threshold calibration. */
#include "train.h"

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

void train_sample_from_window(Train_sample *s, const Dataset_window *w, const Train_options *opt, int epoch,
                              long pos, int augment)
{
    s->seed = seed_mix(opt->seed, (uint64_t)epoch + 1, (uint64_t)pos + 1);
    Groove groove = w->groove;
    s->target = w->pattern;
    s->genre = w->genre;
    s->fill = w->is_fill ? 1 : 0;
    s->mutes = 0;
    if (augment && opt->bar_swap > 0.0f) {
        uint64_t st = seed_mix(s->seed, 6, 6);
        if (rand_uniform(&st) < opt->bar_swap) {
            int half = HVO_STEPS / 2;
            for (int tt = 0; tt < HVO_STEPS; tt++) {
                int from = (tt + half) % HVO_STEPS;
                memcpy(s->target.v[tt], w->pattern.v[from], sizeof s->target.v[tt]);
                memcpy(groove.g[tt], w->groove.g[from], sizeof groove.g[tt]);
            }
            /* a hit never sounds before the loop starts (SPEC) */
            for (int v = 0; v < HVO_VOICES; v++)
                if (s->target.v[0][2 * HVO_VOICES + v] < 0.0f)
                    s->target.v[0][2 * HVO_VOICES + v] = 0.0f;
            if (groove.g[0][2] < 0.0f)
                groove.g[0][2] = 0.0f;
        }
    }
    if (augment && opt->groove_drop > 0.0f) {
        uint64_t st = seed_mix(s->seed, 7, 7);
        for (int tt = 0; tt < HVO_STEPS; tt++)
            if (groove.g[tt][0] > 0.5f && rand_uniform(&st) < opt->groove_drop)
                groove.g[tt][0] = groove.g[tt][1] = groove.g[tt][2] = 0.0f;
    }
    hvo_groove_to_input(&groove, &s->input);
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
