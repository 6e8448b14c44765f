/* eval.h - runs a model over a dataset split and gathers everything `groove eval` reports.
 *
 * For every selected window: the window's groove goes through the model (z = mu, the window's
 * fill label as conditioning where the model has it, and its genre label only with
 * EVAL_STYLE_LABELS, no mutes), the output
 * is sampled at the default per-voice thresholds (SPEC.md), and the generated pattern is
 * compared with the window's real pattern:
 *   - hit metrics (metrics.h) overall and per style, built from the raw model output so that
 *     velocity / offset MSE at true hits measure the heads even where a hit was missed;
 *   - the musical features (pattern_features.h) of the real and the generated pattern;
 *   - per-style sums for velocity heat-maps (mean over windows of velocity x hit, per voice
 *     and step), real and generated;
 *   - the latent mean mu of the window, for the 2-D latent map.
 *
 * Hits come from the raw output at the thresholds (metrics_hvo_from_output, as the trainer's
 * validation does), so groove eval and the training log agree; the generated pattern whose
 * features are compared is the play-time sampler's (sample_pattern: same thresholds, plus
 * the velocity floor, which drops the rare hits quieter than 0.05).
 *
 * The caller owns an Eval_result: eval_run fills it, eval_result_deinit frees it. Runs on
 * the calling thread, using the Model's scratch (one Model per thread).
 */
#ifndef GROOVE_EVAL_H
#define GROOVE_EVAL_H

#include <stdio.h>

#include "dataset.h"
#include "metrics.h"
#include "model.h"
#include "pattern_features.h"
#include "genre.h"

/* The index of the "all styles" slot in per-style arrays. */
#define EVAL_ALL GENRE_COUNT
/* Bins of the per-hit histograms: offsets over [-0.5, 0.5], velocities over [0, 1]. */
#define EVAL_HIT_BINS 25

typedef struct {
    int split;           /* DATASET_SPLIT_* */
    int kinds;           /* DATASET_BEATS / _FILLS / _BEATS_AND_FILLS */
    int limit;           /* at most this many windows (evenly spaced over the split); 0 = all */
    int want_details;    /* 1: also features, heat-maps and latents (for the report) */
    float threshold;     /* > 0: this hit threshold for every voice; 0: the model's defaults */
    int style;           /* EVAL_STYLE_NONE: no genre fed (what `groove` plays by default);
                          * EVAL_STYLE_LABELS: each window's own genre label fed */
} Eval_options;

/* What the decoder's genre input gets (Eval_options.style). */
enum { EVAL_STYLE_NONE = 0, EVAL_STYLE_LABELS = 1 };
/* "none" / "labels" <-> EVAL_STYLE_*; unknown name -> -1. */
const char *eval_style_name(int style);
int eval_style_from_name(const char *name);

typedef struct {
    Eval_options options;
    int windows;                       /* evaluated */
    Metrics metrics;                   /* all windows */
    Metrics genre_metrics[GENRE_COUNT];
    int genre_windows[GENRE_COUNT + 1]; /* [EVAL_ALL] = all */
    float thresholds[HVO_VOICES];      /* the hit thresholds used */
    /* Details (want_details), per evaluated window i: */
    int *genre;                        /* [windows] style id, -1 unknown */
    double *real_features;             /* [windows][FEATURE_COUNT] */
    double *gen_features;              /* [windows][FEATURE_COUNT] */
    float *latent;                     /* [windows][latent_dim] mu */
    int latent_dim;
    /* Velocity heat-map sums [STYLE_COUNT + 1][HVO_VOICES][HVO_STEPS]: velocity where hit,
     * 0 elsewhere, summed over windows; divide by style_windows for the mean. */
    double (*real_velocity)[HVO_VOICES][HVO_STEPS];
    double (*gen_velocity)[HVO_VOICES][HVO_STEPS];
    /* Per-hit histograms over all windows, [0] real, [1] generated (counts of hits). */
    double offset_hist[2][EVAL_HIT_BINS];
    double velocity_hist[2][EVAL_HIT_BINS];
} Eval_result;

/* Evaluates model on the dataset as options say. Returns 0, or -1 with a one-line reason in
 * err (no window selected, out of memory). */
int eval_run(Model *model, const Dataset *data, const Eval_options *options,
             Eval_result *result, char *err, size_t errlen);
/* Frees a result's arrays and zeroes it. */
void eval_result_deinit(Eval_result *result);

/* Writes the summary as one JSON object (keys hit_accuracy, hit_f1, hit_precision,
 * hit_recall, hits_per_loop_pred, hits_per_loop_true, offset_std_pred, offset_std_true,
 * vel_mse, offset_mse, windows, split, kinds, style and per_voice), numbers with 6 decimals. */
void eval_write_json(FILE *f, const Eval_result *result);

/* The per-window velocity-heat-map mean of slot s (a style id or EVAL_ALL) into
 * out[HVO_VOICES][HVO_STEPS]; which = 0 real, 1 generated. Zeros when the slot is empty. */
void eval_velocity_map(const Eval_result *result, int s, int which, float out[HVO_VOICES * HVO_STEPS]);

#endif
