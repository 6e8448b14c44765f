/* sample.h - turning the decoder's raw outputs into a drum pattern, with the controls the
 * published Groove Transformer plugins expose (../shared/SPEC.md, "Sampling at play time").
 *
 * Per voice: probability = sigmoid(logit / temperature); the candidate steps are those whose
 * probability is above the voice's threshold (or, with stochastic sampling, those where a
 * uniform draw from the seed falls below the probability); the max_hits most probable of them
 * are kept; when fewer than min_hits pass, the most probable other steps fill up to min_hits
 * (never past max_hits). Velocity = sigmoid(logit), hits
 * below the velocity floor are dropped; offset = 0.5 * tanh(pre-activation). Muted voices
 * (groups kick, snare, hats, toms, cymbals) are removed.
 *
 * Plain functions over caller-owned values: no allocation, safe from any thread.
 */
#ifndef GROOVE_SAMPLE_H
#define GROOVE_SAMPLE_H

#include <stdint.h>

#include "hvo.h"

#define SAMPLE_VELOCITY_FLOOR 0.05f

/* Every per-call control of a generation (model_generate) and of sampling. */
typedef struct {
    float thresholds[HVO_VOICES]; /* hit threshold per voice (SPEC defaults or the model's) */
    int max_hits[HVO_VOICES];     /* most hits kept per voice (HVO_STEPS: no limit) */
    int min_hits[HVO_VOICES];     /* fewest hits per voice: the most probable steps below the
                                     threshold fill up to it (0: no floor) */
    float temperature;            /* > 0; 1 = as trained */
    float density;                /* 0..1, 0.5 = neutral; see sample_apply_density */
    float velocity_floor;         /* hits quieter than this are dropped */
    int stochastic;               /* 0: threshold (published); 1: Bernoulli draws */
    uint64_t seed;                /* for variations and stochastic hits */
    const float *eps;             /* NULL: eps(seed); else the noise [L] itself, in units of sigma
                                     (a caller's own walk in the latent: app/play/evolve.h) */
    int genre;                    /* -1 none, else a style id (style.h) */
    int fill;                     /* 0 beat, 1 fill */
    unsigned mute_mask;           /* bit g: mute group g (Mute_group in model_params.h) */
    float variation;              /* 0: z = mu; s > 0: z = mu + s * sigma * eps(seed) */
    const float *z_target;        /* NULL, or a latent [L] to interpolate toward */
    float interpolate;            /* 0..1: z = (1 - a) z + a z_target */
    int kind;                     /* Input_kind (model_params.h): 0 drums (default), 1 keys, 2 taps */
} Gen_params;

/* The published F1-calibrated default thresholds (SPEC.md). */
extern const float sample_default_thresholds[HVO_VOICES];

/* Fills g with the defaults: SPEC thresholds, no hit limit or floor, temperature 1, density 0.5,
 * velocity floor 0.05, seed 0, no style, beat, no mutes, z = mu, input kind drums. */
void gen_params_default(Gen_params *g);

/* Returns the voices a mute mask silences, as a bit mask over voices. */
unsigned sample_muted_voices(unsigned mute_mask);

/* Effective threshold and hit limit of a voice after the density knob: density 0.5 keeps
 * them; lower densities raise the threshold toward 1 and cap hits at 64 * density (so 0 is
 * silence); higher ones lower it toward a tenth of itself at density 1. */
void sample_apply_density(const Gen_params *g, int voice, float *threshold, int *max_hits);

/* Turns raw outputs logits [32][27] into a pattern (hits 0/1, velocities, offsets; silent
 * cells all zero). g->seed drives the stochastic draws (unused when not stochastic). */
void sample_pattern(const Hvo *logits, const Gen_params *g, Hvo *out);

#endif
