/* metrics.h - how close predicted drum patterns are to the true ones.
 *
 * A Metrics struct accumulates, window by window, everything the published evaluation and
 * our targets need (../shared/SPEC.md, issue 4): per-voice TP/FP/FN/TN over the 32 x 9
 * hit cells, squared errors of velocity and offset at the true hits, hit counts, and the
 * moments of predicted and true offsets. The read-out functions turn the sums into hit
 * accuracy, precision / recall / F1 (overall or per voice), MSEs, hits per loop and
 * offset standard deviations.
 *
 * The predicted Hvo holds hit 0/1 per cell (after thresholding) and the model's velocity
 * and offset *predictions at every cell* (metrics_hvo_from_output builds it that way from
 * raw model output), so that velocity / offset MSE at the true hits measures the heads even
 * where the hit was missed. A pred built with hvo_set (0 at non-hits) is also accepted:
 * a missed true hit then counts its velocity / offset as 0.
 *
 * Plain data, no allocation; one Metrics per thread, merge them in a fixed order.
 */
#ifndef GROOVE_METRICS_H
#define GROOVE_METRICS_H

#include "hvo.h"

typedef struct {
    long tp[HVO_VOICES], fp[HVO_VOICES], fn[HVO_VOICES], tn[HVO_VOICES];
    long windows;             /* patterns added */
    long hits_pred, hits_true;
    double vel_sq_err;        /* sum over true hits of (pred vel - true vel)^2 */
    double off_sq_err;        /* sum over true hits of (pred offset - true offset)^2 */
    double off_sum_pred, off_sumsq_pred;   /* over predicted hits */
    double off_sum_true, off_sumsq_true;   /* over true hits */
} Metrics;

/* Clears every count. */
void metrics_init(Metrics *m);
/* Adds one window: pred against truth (hit cells are those with hit > 0.5). */
void metrics_add(Metrics *m, const Hvo *pred, const Hvo *truth);
/* Adds src's counts into dst. */
void metrics_merge(Metrics *dst, const Metrics *src);

/* Builds a predicted pattern from raw model output out[32][27] (hit logits, velocity
 * logits, offset pre-activations): hit = sigmoid(logit) > threshold[voice] (thresholds
 * NULL: 0.5 for every voice), velocity = sigmoid, offset = 0.5 * tanh, at every cell. */
void metrics_hvo_from_output(const float *out, const float *thresholds, Hvo *pred);

/* Fraction of the 32 x 9 cells whose hit/no-hit is right (the published "hit accuracy"). */
double metrics_hit_accuracy(const Metrics *m);
/* Hit precision, recall and F1 for one voice (0..8) or for all cells (voice < 0);
 * 0 when undefined (no predicted / true hits). */
double metrics_precision(const Metrics *m, int voice);
double metrics_recall(const Metrics *m, int voice);
double metrics_f1(const Metrics *m, int voice);
/* Mean squared velocity / offset error at the true hits. */
double metrics_vel_mse(const Metrics *m);
double metrics_offset_mse(const Metrics *m);
/* Mean hits per window, predicted and true. */
double metrics_hits_per_loop_pred(const Metrics *m);
double metrics_hits_per_loop_true(const Metrics *m);
/* Standard deviation of the offsets of predicted hits / of true hits. */
double metrics_offset_std_pred(const Metrics *m);
double metrics_offset_std_true(const Metrics *m);

#endif
