/* sample.c - from the decoder's raw outputs to a drum pattern (sample.h). */
#include "sample.h"

#include <math.h>
#include <string.h>

#include "model_params.h"
#include "rng.h"

const float sample_default_thresholds[HVO_VOICES] = {
    0.49f, 0.52f, 0.52f, 0.37f, 0.32f, 0.46f, 0.36f, 0.37f, 0.53f,
};

void gen_params_default(Gen_params *g)
{
    memset(g, 0, sizeof *g);
    memcpy(g->thresholds, sample_default_thresholds, sizeof g->thresholds);
    for (int v = 0; v < HVO_VOICES; v++)
        g->max_hits[v] = HVO_STEPS;
    g->temperature = 1.0f;
    g->density = 0.5f;
    g->velocity_floor = SAMPLE_VELOCITY_FLOOR;
    g->genre = -1;
}

unsigned sample_muted_voices(unsigned mute_mask)
{
    static const unsigned group_voices[MODEL_MUTE_GROUPS] = {
        1u << VOICE_KICK,
        1u << VOICE_SNARE,
        1u << VOICE_CLOSED_HAT | 1u << VOICE_OPEN_HAT,
        1u << VOICE_LOW_TOM | 1u << VOICE_MID_TOM | 1u << VOICE_HIGH_TOM,
        1u << VOICE_CRASH | 1u << VOICE_RIDE,
    };
    unsigned voices = 0;
    for (int g = 0; g < MODEL_MUTE_GROUPS; g++)
        if (mute_mask & (1u << g))
            voices |= group_voices[g];
    return voices;
}

void sample_apply_density(const Gen_params *g, int voice, float *threshold, int *max_hits)
{
    float th = g->thresholds[voice];
    float d = g->density;
    int limit = g->max_hits[voice];
    if (!(d >= 0.0f))
        d = 0.0f;
    if (d > 1.0f)
        d = 1.0f;
    if (d < 0.5f) {
        th += (1.0f - th) * (0.5f - d) * 2.0f;
        int cap = (int)lrintf(64.0f * d);
        if (cap < limit)
            limit = cap;
    } else {
        th *= 1.0f - 1.8f * (d - 0.5f);
    }
    if (limit < 0)
        limit = 0;
    if (limit > HVO_STEPS)
        limit = HVO_STEPS;
    *threshold = th;
    *max_hits = limit;
}

static float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

void sample_pattern(const Hvo *logits, const Gen_params *g, Hvo *out)
{
    memset(out, 0, sizeof *out);
    unsigned muted = sample_muted_voices(g->mute_mask);
    float temperature = g->temperature > 1e-3f ? g->temperature : 1e-3f;
    Rng rng;
    rng_seed(&rng, g->seed ^ 0x5a3c0f1e2d4b6987ull);
    for (int v = 0; v < HVO_VOICES; v++) {
        float th;
        int limit;
        sample_apply_density(g, v, &th, &limit);
        float p[HVO_STEPS];
        int candidate[HVO_STEPS];
        for (int t = 0; t < HVO_STEPS; t++) {
            p[t] = sigmoid(logits->v[t][v] / temperature);
            /* Draw for every cell, muted or not, so a mute never shifts other voices' draws. */
            float u = g->stochastic ? rng_uniform(&rng) : 0.0f;
            candidate[t] = g->stochastic ? u < p[t] : p[t] > th;
        }
        if (muted & (1u << v))
            continue;
        /* Keep the `limit` most probable candidates (ties: the earlier step), then, below a
         * floor, the most probable of the other steps. */
        int least = g->min_hits[v] < limit ? g->min_hits[v] : limit;
        int tried[HVO_STEPS] = {0};
        for (int kept = 0, pass = 0; kept < limit; ) {
            int best = -1;
            for (int t = 0; t < HVO_STEPS; t++)
                if (!tried[t] && (pass || candidate[t]) && (best < 0 || p[t] > p[best]))
                    best = t;
            if (best < 0) {
                if (pass || kept >= least)
                    break;
                pass = 1;   /* the candidates ran out under the floor */
                continue;
            }
            if (pass && kept >= least)
                break;
            tried[best] = 1;
            float vel = sigmoid(logits->v[best][HVO_VOICES + v]);
            if (vel < g->velocity_floor)
                continue;
            out->v[best][v] = 1.0f;
            out->v[best][HVO_VOICES + v] = vel;
            out->v[best][2 * HVO_VOICES + v] = 0.5f * tanhf(logits->v[best][2 * HVO_VOICES + v]);
            kept++;
        }
    }
}
