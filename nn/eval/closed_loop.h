/* closed_loop.h - the closed-loop evaluation of `groove eval --closed-loop` (SPEC.md,
 * "Continuity across loops").
 *
 * Every performance (source file) of the split whose windows are of the chosen kinds is walked
 * in order with a 2-bar hop, from its first window: bars b, b + 2, b + 4, ... Each step feeds
 * the model the window's groove and, as memory, the drums the model itself generated at the
 * step before (none at the first step), never the real drums; the genre per Eval_options.style,
 * the window's fill label, input kind drums, z = mu. A bar pair the dataset holds no window for
 * (2 silent bars) ends the walk; the next window starts a new one with no memory. A model
 * without memory (every version 1 file) ignores it, so the same walk compares memory with no
 * memory.
 *
 * Scored per step against the real window: the hit metrics (metrics.h, on the thresholded raw
 * output, as eval.h does). The generated part of a step (what plays, and the next memory) is
 * the play-time sampler's pattern (sample_pattern). Continuity of two consecutive steps of a
 * walk: the share of the 32 x 9 hit cells that are the same in both (continuity_of). Its
 * distribution over all consecutive pairs, generated vs real, is compared by overlapping area
 * and KL (distcmp.h, continuous binning).
 *
 * The caller owns a Closed_loop_result: closed_loop_run fills it, closed_loop_result_deinit
 * frees it. Runs on the calling thread with the Model's scratch.
 */
#ifndef GROOVE_CLOSED_LOOP_H
#define GROOVE_CLOSED_LOOP_H

#include <stdio.h>

#include "dataset.h"
#include "distcmp.h"
#include "eval.h"
#include "metrics.h"
#include "model.h"

typedef struct {
    Eval_options options;          /* split, kinds, style, threshold; limit = at most N performances */
    int performances;              /* walked */
    int walks;                     /* uninterrupted runs (a performance with a silent gap gives 2+) */
    int windows;                   /* steps scored */
    int pairs;                     /* consecutive steps: continuity values */
    int memory;                    /* 1: the model reads its memory; 0: it has none */
    int memory_gate;               /* the model's memory gate in steps (0: off; model.h) */
    int memory_fed;                /* windows whose memory the gate let in */
    float thresholds[HVO_VOICES];
    Metrics metrics;               /* all steps */
    double *continuity_real;       /* [pairs] */
    double *continuity_gen;        /* [pairs] */
    double continuity_mean_real, continuity_mean_gen;
    Dist_compare continuity;       /* real (P) vs generated (Q): .overlap, .kl */
} Closed_loop_result;

/* The share (0..1) of the 32 x 9 hit cells (hit > 0.5) that are the same in a and b. */
double continuity_of(const Hvo *a, const Hvo *b);

/* Walks the split as above. Returns 0, or -1 with a one-line reason (no window of those kinds
 * in the split, out of memory). */
int closed_loop_run(Model *model, const Dataset *data, const Eval_options *options, Closed_loop_result *r,
                    char *err, size_t errlen);
void closed_loop_result_deinit(Closed_loop_result *r);

/* One JSON object: hit_accuracy, hit_precision, hit_recall, hit_f1, hits_per_loop_pred,
 * hits_per_loop_true, offset_std_pred, offset_std_true, continuity_overlap, continuity_kl,
 * continuity_mean_real, continuity_mean_gen, windows, pairs, walks, performances, memory,
 * memory_gate, memory_fed (windows given their memory), split, kinds, style. */
void closed_loop_write_json(FILE *f, const Closed_loop_result *r);
/* The same as readable lines. */
void closed_loop_write_text(FILE *f, const Closed_loop_result *r, const char *model_name);

#endif
