/* test_metrics.c - metrics.c against counts worked out by hand. */
#include "check.h"
#include "metrics.h"

#include <string.h>

int main(void)
{
    Hvo truth, pred;
    hvo_clear(&truth);
    hvo_clear(&pred);
    /* truth: kick at 0 and 8 (offsets .1, -.1), snare at 4 */
    hvo_set(&truth, 0, VOICE_KICK, 1, 0.8f, 0.1f);
    hvo_set(&truth, 8, VOICE_KICK, 1, 0.6f, -0.1f);
    hvo_set(&truth, 4, VOICE_SNARE, 1, 0.5f, 0.0f);
    /* pred: kick at 0 (TP), kick at 16 (FP), snare missed (FN), kick at 8 missed (FN) */
    hvo_set(&pred, 0, VOICE_KICK, 1, 0.7f, 0.2f);
    hvo_set(&pred, 16, VOICE_KICK, 1, 0.5f, -0.2f);

    Metrics m;
    metrics_init(&m);
    metrics_add(&m, &pred, &truth);
    CHECK(m.tp[0] == 1 && m.fp[0] == 1 && m.fn[0] == 1 && m.fn[1] == 1, "per-voice counts");
    CHECK_NEAR(metrics_hit_accuracy(&m), (288.0 - 3.0) / 288.0, 1e-12, "hit accuracy over 32x9 cells");
    CHECK_NEAR(metrics_precision(&m, -1), 0.5, 1e-12, "precision 1/2");
    CHECK_NEAR(metrics_recall(&m, -1), 1.0 / 3.0, 1e-12, "recall 1/3");
    CHECK_NEAR(metrics_f1(&m, -1), 2.0 / 5.0, 1e-12, "F1 = 2tp/(2tp+fp+fn)");
    CHECK_NEAR(metrics_f1(&m, VOICE_SNARE), 0.0, 1e-12, "snare F1 0");
    CHECK_NEAR(metrics_f1(&m, VOICE_KICK), 0.5, 1e-12, "kick F1");
    CHECK_NEAR(metrics_hits_per_loop_pred(&m), 2.0, 1e-12, "predicted hits per loop");
    CHECK_NEAR(metrics_hits_per_loop_true(&m), 3.0, 1e-12, "true hits per loop");
    /* vel errors at true hits: .1^2 + .6^2 + .5^2 */
    CHECK_NEAR(metrics_vel_mse(&m), (0.01 + 0.36 + 0.25) / 3.0, 1e-6, "velocity MSE at true hits");
    CHECK_NEAR(metrics_offset_mse(&m), (0.01 + 0.01 + 0.0) / 3.0, 1e-6, "offset MSE at true hits");
    CHECK_NEAR(metrics_offset_std_pred(&m), 0.2, 1e-6, "predicted offset std");
    CHECK_NEAR(metrics_offset_std_true(&m), sqrt(0.02 / 3.0), 1e-6, "true offset std");

    Metrics twice;
    metrics_init(&twice);
    metrics_merge(&twice, &m);
    metrics_merge(&twice, &m);
    CHECK(twice.windows == 2 && twice.tp[0] == 2, "merge adds counts");
    CHECK_NEAR(metrics_f1(&twice, -1), metrics_f1(&m, -1), 1e-12, "merge keeps ratios");

    float out[HVO_STEPS * HVO_CHANNELS];
    memset(out, 0, sizeof out);
    for (int t = 0; t < HVO_STEPS; t++)
        out[t * HVO_CHANNELS + VOICE_KICK] = 1.0f;   /* p = .731 */
    float thr[HVO_VOICES] = {0.8f, .5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f};
    metrics_hvo_from_output(out, NULL, &pred);
    CHECK(hvo_count_hits(&pred) == 32, "default threshold .5 keeps p=.73");
    CHECK_NEAR(hvo_vel(&pred, 3, 4), 0.5, 1e-6, "velocity = sigmoid at every cell");
    metrics_hvo_from_output(out, thr, &pred);
    CHECK(hvo_count_hits(&pred) == 0, "per-voice threshold .8 drops p=.73");
    return check_summary();
}
