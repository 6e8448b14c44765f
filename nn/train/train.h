/* train.h - training the Groove Transformer VAE in C.
 *
 * A Trainer owns the flat parameter, gradient and AdamW moment buffers (model_params.h
 * layout), a transposed copy of the weights for the forward products, and one worker per
 * thread with its own activations and gradient buffer. A step splits the mini-batch across
 * the workers (pthreads), each runs the forward pass keeping its activations, the losses
 * and the backward pass into its own gradients; the main thread sums the worker gradients
 * in worker order (deterministic for a given seed and thread count), clips them and takes
 * one AdamW step on the warm-up + cosine schedule.
 *
 * Losses (../shared/SPEC.md): per cell weight w = 1 at true hits, hit_weight elsewhere;
 * BCE on hit logits, MSE on sigmoid velocities and on 0.5*tanh offsets, each summed over
 * the 9 voices and averaged over batch and steps; KL of the latent, averaged over its
 * dimensions and over the batch, times beta (ramped in over the first beta_ramp fraction
 * of the steps). (Summing KL over 128 dimensions against a per-step reconstruction makes
 * beta 0.05 already collapse the latent to < 1 nat: measured, see docs/training.md.) Every random choice (reparameterisation eps, dropout
 * masks, random mutes) comes from a per-sample generator seeded by (seed, epoch, position),
 * so results do not depend on how the batch is split.
 *
 * Single-threaded API: call a Trainer from one thread (it starts its own workers).
 */
#ifndef GROOVE_TRAIN_H
#define GROOVE_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "metrics.h"
#include "model_params.h"

/* Hyper-parameters of a training run (saved in checkpoints; plain data). */
typedef struct {
    int epochs;
    int batch;            /* windows per optimizer step */
    int threads;          /* workers per step (1..64) */
    float lr;             /* peak learning rate */
    float lr_min;         /* learning rate at the end of the cosine */
    float warmup;         /* fraction of all steps spent warming up */
    float weight_decay;
    float clip;           /* global gradient norm bound (0: none) */
    float dropout;        /* transformer dropout (attention out, feed-forward, input) */
    float hit_weight;     /* p: loss weight of cells without a true hit */
    float vel_weight;     /* weight of the velocity MSE term */
    float offset_weight;  /* weight of the offset MSE term */
    float beta;           /* final KL weight */
    float beta_ramp;      /* fraction of the steps over which beta rises from 0 */
    float mute_prob;      /* probability that a window gets random mutes */
    int kinds;            /* DATASET_BEATS / _FILLS / _BEATS_AND_FILLS */
    uint64_t seed;
    float reg_weight;     /* weight of cells without a true hit in the velocity and offset
                           * MSE (SPEC: p, as hit_weight; 0 = regress only at true hits) */
    float bar_swap;       /* probability that a window's two bars are swapped (augmentation) */
    float groove_drop;    /* probability that each groove hit is left out of the input */
    float logvar_init;    /* initial log-variance bias: negative starts the latent nearly
                           * deterministic, so the decoder learns to use it (no collapse) */
    /* issue 13: accompany, honest default, memory (all 0 = the earlier recipe) */
    float genre_drop;     /* probability that a training window's genre is not fed (style none) */
    float keys_prob;      /* probability that a window's input is derived as a keyboard part */
    float taps_prob;      /* probability that it is derived as a few taps */
    float memory_drop;    /* probability that a window with a previous one gets no memory */
    float memory_noise;   /* probability that each memory hit is left out (imperfect own output) */
    float memory_errors;  /* probability that each memory hit moves, plus about half as many
                           * hits added: the memory looks like a model's output (closed loop) */
    int val_genre;        /* validation feeds the genre labels (1) or none (0) */
    float self_memory;    /* probability that a training window's memory is the model's own
                           * part for the window before (refreshed every epoch; train_run) */
    int val_closed_loop;  /* validation (selection, thresholds) as the model plays: memory =
                           * its own part for the window before (train_run) */
    int memory_gate;      /* steps: the memory is given only while the input's groove is within
                           * memory_gate - 1 steps of the memory's (model_memory_admits), in
                           * training, validation and the model file written; 0 off; -1 (only
                           * --calibrate) the model file's own */
    float ema;            /* decay d of an exponential moving average of the weights, per
                           * optimizer step (0: off): a_t = d a_(t-1) + (1 - d) w_t, used as
                           * a_t / (1 - d^t) (bias-corrected as Adam's moments; Polyak and
                           * Juditsky 1992, the averaged iterate) for validation, selection
                           * and the model file written; training goes on from w_t */
} Train_options;

/* Fills the defaults (the shipped model's recipe). */
void train_options_default(Train_options *o);

/* One training example, ready for the model. */
typedef struct {
    Hvo input;        /* model input: the groove on HVO_GROOVE_VOICE (hvo_groove_to_input) */
    Hvo memory;       /* the drums of the 2 bars before (valid when has_memory) */
    Groove memory_groove;   /* the groove those 2 bars were made from, of the same kind as
                             * the input (read by models with has_memory 2) */
    int has_memory_groove;  /* memory_groove is given (a previous window not dropped; the
                             * memory gate drops only the part) */
    int has_memory;   /* 0: none (first window, dropped; ignored by models without memory) */
    int kind;         /* Input_kind of the input */
    Hvo target;       /* the drums to predict, muted voices removed */
    int genre;        /* style.h id or -1 */
    int fill;         /* 0 beat, 1 fill */
    int mutes;        /* bit g set: mute group g (Mute_group) is muted */
    uint64_t seed;    /* per-sample generator: eps and dropout */
} Train_sample;

/* The loss terms of a step or an epoch (means per window). */
typedef struct {
    double total, hit, vel, offset, kl;  /* kl before beta, per latent dimension */
    double beta;
    double grad_norm;
    long samples;
} Train_losses;

typedef struct Train_worker Train_worker;

typedef struct {
    Model_config cfg;
    Train_options opt;
    size_t n_params;
    float *params, *grads, *m, *v;   /* the flat buffers */
    float *ema;                      /* opt.ema > 0: the moving average a_t (not bias-corrected) */
    float *ema_saved;                /* the weights while the average stands in (trainer_use_ema) */
    int ema_in_use;
    float *params_t;                 /* weights with every matrix transposed [in][out] */
    unsigned char *decay_mask;
    Model_params p, pt;
    float *pe;                       /* positional encoding [steps][enc_d] */
    Train_worker *workers;
    int n_workers;
    int max_batch;                   /* samples the workers have room for */
    long step;                       /* optimizer steps taken */
    long total_steps;                /* planned steps of the whole run (schedule) */
    int epoch;                       /* epochs completed */
} Trainer;

/* Sets up a trainer for a config and options, with parameters initialised from opt->seed
 * (PyTorch-style uniform +-1/sqrt(fan_in) for linears, ones/zeros for norms, small
 * embeddings). total_steps fixes the schedule. 0, or -1 with a message in err. */
int trainer_init(Trainer *t, const Model_config *cfg, const Train_options *opt, long total_steps, char *err,
                 size_t errlen);
/* Frees everything. */
void trainer_deinit(Trainer *t);

/* Call after changing t->params directly (loading, tests): refreshes the transposed copy
 * the forward pass reads. */
void trainer_sync_params(Trainer *t);
/* Forward and backward on n samples with the current parameters: t->grads receives the
 * summed gradient of the mean loss (no optimizer step); losses (may be NULL) the terms.
 * train != 0 uses dropout and sampled eps; beta is the KL weight. */
void trainer_forward_backward(Trainer *t, const Train_sample *samples, int n, float beta, int train,
                              Train_losses *losses);
/* One optimizer step on n samples: forward_backward, clip, AdamW at the scheduled rate. */
void trainer_step(Trainer *t, const Train_sample *samples, int n, Train_losses *losses);
/* on = 1: the bias-corrected weight average (opt.ema) stands in for the weights, for
 * validation and writing the model; on = 0: the trained weights are back, bit for bit.
 * Does nothing without opt.ema or before the first step. */
void trainer_use_ema(Trainer *t, int on);
/* The KL weight at the trainer's current step. */
float trainer_beta(const Trainer *t);
/* Runs the model deterministically (z = mu, no dropout) on n samples; out receives the raw
 * output [n][32][27]. */
void trainer_predict(Trainer *t, const Train_sample *samples, int n, float *out);
/* The eps the last forward drew for sample i of that call ([latent] floats), for tests. */
const float *trainer_last_eps(const Trainer *t, int i);

/* Builds sample `pos` of an epoch from a dataset window and the window 2 bars before it in
 * the same performance (prev, NULL: none; dataset_previous): groove input, memory (prev's
 * drums), target, style, fill, and (augment != 0) the augmentations drawn from the
 * per-sample generator: bar swap, groove hits left out, random mutes (muted voices removed
 * from the target), genre dropped, memory dropped or thinned, and the input re-derived as a
 * keyboard part or taps (kind). The memory's groove is prev's groove, re-derived the same
 * way as the input (same kind, same draws) and bar-swapped with it. Without augment: the drums' groove, kind drums, the genre
 * when opt->val_genre, the memory whenever prev exists. */
void train_sample_from_window(Train_sample *s, const Dataset_window *w, const Dataset_window *prev,
                              const Train_options *opt, int epoch, long pos, int augment);
/* Re-derives a groove from a drum pattern the way a keyboard part (kind INPUT_KIND_KEYS) or
 * taps (INPUT_KIND_TAPS) look, with the generator state *st: subsets of voices or hits,
 * merged chord-like onsets, sustained notes that rarely sound, velocities that do not
 * follow the drums, onsets added off the drums. Kind drums: the flattened drums. */
void train_derive_groove(Groove *out, const Hvo *drums, int kind, uint64_t *st);
/* Shuffles order[n] for an epoch, deterministically from (seed, epoch). */
void train_shuffle(int *order, int n, uint64_t seed, int epoch);

/* Per-voice thresholds (0.05..0.95) from validation output: coordinate ascent on overall
 * hit F1 + acc_weight x hit accuracy while the predicted hit count stays within 8 % of the
 * true count (so hits per loop match the truth) and each voice's within [0.3, 1.5] of its
 * own (no voice silenced). out [n][32][27] raw output, truth the true patterns.
 * Not thread-safe (static scratch). */
void train_calibrate_thresholds(const float *out, const Hvo *truth, int n, double acc_weight,
                                float thresholds[HVO_VOICES]);
/* Accumulates metrics of raw output against the truth at thresholds (NULL: 0.5). */
void train_metrics(Metrics *m, const float *out, const Hvo *truth, int n, const float *thresholds);

/* Writes a checkpoint (config, options, step, epoch, params, moments, the weight average
 * when opt.ema) atomically; extra
 * (n_extra bytes) is stored with it and returned by load. 0, or -1 with err. */
int trainer_save_checkpoint(const Trainer *t, const char *path, const void *extra, size_t n_extra, char *err,
                            size_t errlen);
/* Reads a checkpoint into a fresh trainer (trainer_init is called inside). extra receives
 * up to n_extra bytes. 0, or -1 with err. */
int trainer_load_checkpoint(Trainer *t, const char *path, void *extra, size_t n_extra, char *err,
                            size_t errlen);

#endif
