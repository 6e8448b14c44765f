/* test_features.c - musical features on hand-made patterns with known answers, KL divergence
 * and overlapping area on known distributions, PCA / eigen-decomposition / t-SNE on data
 * whose answer is known. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "distcmp.h"
#include "embed.h"
#include "pattern_features.h"

static void onsets(unsigned char *o, const int *steps, int n)
{
    memset(o, 0, HVO_STEPS);
    for (int i = 0; i < n; i++)
        o[steps[i]] = 1;
}

static void test_syncopation(void)
{
    unsigned char o[HVO_STEPS];
    CHECK(features_metrical_weight(0) == 0 && features_metrical_weight(8) == -1 &&
              features_metrical_weight(4) == -2 && features_metrical_weight(2) == -3 &&
              features_metrical_weight(7) == -4 && features_metrical_weight(16) == 0 &&
              features_metrical_weight(28) == -2,
          "LHL metrical weights: bar 0, half -1, quarter -2, eighth -3, sixteenth -4");
    int four[] = {0, 4, 8, 12, 16, 20, 24, 28};
    onsets(o, four, 8);
    CHECK_NEAR(features_syncopation(o), 0.0, 1e-12, "four on the floor has no syncopation");
    int off8[] = {2};
    onsets(o, off8, 1);
    CHECK_NEAR(features_syncopation(o), 3.0, 1e-12, "a lone off-beat eighth before the bar line: 0 - (-3) = 3");
    int push[] = {0, 7};
    onsets(o, push, 2);
    CHECK_NEAR(features_syncopation(o), 4.0, 1e-12, "a sixteenth at step 7 held over the half bar: 0 - (-4) = 4");
    int anticip[] = {0, 6, 16};
    onsets(o, anticip, 3);
    CHECK_NEAR(features_syncopation(o), 2.0, 1e-12, "an eighth at step 6 tied over beat 3: -1 - (-3) = 2");
    int pickup[] = {14, 16};
    onsets(o, pickup, 2);
    CHECK_NEAR(features_syncopation(o), 0.0, 1e-12, "a pick-up resolved on the next strong beat is not syncopated");
    memset(o, 0, sizeof o);
    CHECK_NEAR(features_syncopation(o), 0.0, 1e-12, "silence has no syncopation");
}

static void test_features(void)
{
    Hvo p;
    double f[FEATURE_COUNT];
    hvo_clear(&p);
    hvo_set(&p, 0, VOICE_KICK, 1, 0.25f, 0.1f);
    hvo_set(&p, 8, VOICE_KICK, 1, 0.75f, -0.3f);
    hvo_set(&p, 8, VOICE_LOW_TOM, 1, 0.5f, 0.0f);
    hvo_set(&p, 4, VOICE_SNARE, 1, 0.5f, 0.0f);
    features_compute(&p, f);
    CHECK_NEAR(f[FEATURE_VOICES], 3, 0, "distinct voices: kick, low tom, snare = 3");
    CHECK_NEAR(f[FEATURE_HITS], 4, 0, "total hits 4");
    CHECK_NEAR(f[FEATURE_HITS_VOICE0 + VOICE_KICK], 2, 0, "kick hits 2");
    CHECK_NEAR(f[FEATURE_HITS_VOICE0 + VOICE_RIDE], 0, 0, "ride hits 0");
    CHECK_NEAR(f[FEATURE_VEL_MEAN], 0.5, 1e-7, "velocity mean (0.25+0.75+0.5+0.5)/4 = 0.5");
    CHECK_NEAR(f[FEATURE_VEL_STD], sqrt(0.125 / 4), 1e-7, "velocity std sqrt(0.125/4)");
    CHECK_NEAR(f[FEATURE_TIMING_ABS], 0.1, 1e-7, "mean |offset| (0.1+0.3+0+0)/4 = 0.1");
    CHECK_NEAR(f[FEATURE_DENSITY_LOW], 2.0 / 32, 1e-12, "low density: steps 0 and 8 = 2/32 (kick + low tom on one step count once)");
    CHECK_NEAR(f[FEATURE_DENSITY_MID], 1.0 / 32, 1e-12, "mid density: snare on one step = 1/32");
    CHECK_NEAR(f[FEATURE_DENSITY_HIGH], 0.0, 0, "high density 0");
    CHECK(!feature_defined(f[FEATURE_SWING]), "swing undefined without an odd-step hit");
    /* Syncopation is scored per voice and summed: kick 0+7 gives 4, snare alone at 2 gives 3;
     * the merged onsets {0, 2, 7} would give only 1 + 4 = 5. */
    hvo_clear(&p);
    hvo_set(&p, 0, VOICE_KICK, 1, 0.8f, 0.0f);
    hvo_set(&p, 7, VOICE_KICK, 1, 0.8f, 0.0f);
    hvo_set(&p, 2, VOICE_SNARE, 1, 0.8f, 0.0f);
    features_compute(&p, f);
    CHECK_NEAR(f[FEATURE_SYNCOPATION], 7.0, 1e-12, "syncopation summed per voice: 4 (kick) + 3 (snare) = 7");

    hvo_clear(&p);
    features_compute(&p, f);
    CHECK(!feature_defined(f[FEATURE_VEL_MEAN]) && !feature_defined(f[FEATURE_VEL_STD]) &&
              !feature_defined(f[FEATURE_TIMING_ABS]),
          "velocity and timing features undefined on silence");
    CHECK(f[FEATURE_HITS] == 0 && f[FEATURE_VOICES] == 0 && f[FEATURE_SYNCOPATION] == 0,
          "counts are 0 on silence");

    /* Triplet-feel 16ths: odd steps late by a third of a step -> 4/3 : 2/3 = 2. */
    for (int t = 0; t < HVO_STEPS; t++)
        hvo_set(&p, t, VOICE_CLOSED_HAT, 1, 0.6f, t % 2 ? 1.0f / 3.0f : 0.0f);
    CHECK_NEAR(features_swing_ratio(&p), 2.0, 1e-6, "triplet swing ratio 2");
    for (int t = 0; t < HVO_STEPS; t++)
        hvo_set(&p, t, VOICE_CLOSED_HAT, 1, 0.6f, -0.05f);
    CHECK_NEAR(features_swing_ratio(&p), 1.0, 1e-6, "a uniformly early pattern is straight: ratio 1");
    for (int t = 1; t < HVO_STEPS; t += 2)
        hvo_set(&p, t, VOICE_CLOSED_HAT, 1, 0.6f, 0.49f);
    hvo_set(&p, 0, VOICE_CLOSED_HAT, 1, 0.6f, -0.45f);
    CHECK_NEAR(features_swing_ratio(&p), 3.0, 1e-6, "an extreme difference is clamped to d = 0.5: ratio 3");
    features_compute(&p, f);
    CHECK_NEAR(f[FEATURE_DENSITY_HIGH], 1.0, 0, "16 hats per bar: high density 1");
    for (int i = 0; i < FEATURE_COUNT; i++)
        CHECK(feature_info(i) && feature_info(i)->key && feature_info(i)->title && feature_info(i)->unit,
              "feature %d has a key, title and unit", i);
}

static void test_distcmp(void)
{
    double a[] = {0, 0, 0}, b[] = {5, 5, 5};
    Dist_compare c;
    distcmp_compare(&c, a, 3, b, 3, 1);
    CHECK(c.bins.bins == 6, "integer bins 0..5: 6 bins (got %d)", c.bins.bins);
    CHECK_NEAR(c.overlap, 0.0, 1e-12, "disjoint samples overlap 0");
    CHECK_NEAR(c.kl, 0.5 * log(7.0), 1e-12, "KL with pseudo-count 0.5 on 6 bins: 0.5 ln 7");

    double x[] = {0, 1}, y[] = {1, 2};
    distcmp_compare(&c, x, 2, y, 2, 1);
    CHECK_NEAR(c.overlap, 0.5, 1e-12, "half-shared samples overlap 0.5");
    distcmp_compare(&c, x, 2, x, 2, 1);
    CHECK_NEAR(c.overlap, 1.0, 1e-12, "identical samples overlap 1");
    CHECK_NEAR(c.kl, 0.0, 1e-12, "identical samples KL 0");

    /* Continuous: Rice's rule 2 * cbrt(1000) = 20 bins; shifted uniform samples. */
    static double u[1000], v[1000];
    for (int i = 0; i < 1000; i++) {
        u[i] = (i + 0.5) / 1000.0;        /* uniform on [0, 1] */
        v[i] = 0.5 + (i + 0.5) / 1000.0;  /* uniform on [0.5, 1.5] */
    }
    distcmp_compare(&c, u, 1000, v, 1000, 0);
    CHECK(c.bins.bins == 20, "continuous bins by Rice's rule: 20 (got %d)", c.bins.bins);
    CHECK_NEAR(c.overlap, 0.5, 0.02, "uniforms shifted by half their width overlap 0.5");
    CHECK(c.kl > 0.5 && isfinite(c.kl), "their KL is large and finite (%g)", c.kl);
    double nan_sample[] = {NAN, NAN};
    distcmp_compare(&c, u, 10, nan_sample, 2, 0);
    CHECK(c.n_q == 0 && isnan(c.kl) && isnan(c.overlap), "an all-undefined sample gives NAN KL/overlap");
    double mean, std;
    double w[] = {1, NAN, 3};
    CHECK(distcmp_mean_std(w, 3, &mean, &std) == 2 && mean == 2.0 && std == 1.0, "mean/std skip NAN");
}

static void test_embed(void)
{
    double a[9] = {2, 1, 0, 1, 2, 0, 0, 0, 5}, values[3], vectors[9];
    embed_symmetric_eigen(a, 3, values, vectors);
    CHECK_NEAR(values[0], 5, 1e-12, "eigenvalue 5");
    CHECK_NEAR(values[1], 3, 1e-12, "eigenvalue 3");
    CHECK_NEAR(values[2], 1, 1e-12, "eigenvalue 1");
    CHECK_NEAR(vectors[3], sqrt(0.5), 1e-12, "eigenvector of 3 is (1,1,0)/sqrt 2");

    /* Four points: t (0.6, 0.8) + s (-0.8, 0.6), t = +-2, s = +-1: covariance diag(4, 1)
     * in that basis, so PC1 = (0.6, 0.8) explaining 0.8, and the projections are t, s. */
    float x[8], out[8];
    double explained[2];
    int ts[4][2] = {{2, 1}, {2, -1}, {-2, 1}, {-2, -1}};
    for (int i = 0; i < 4; i++) {
        x[2 * i] = (float)(0.6 * ts[i][0] - 0.8 * ts[i][1]);
        x[2 * i + 1] = (float)(0.8 * ts[i][0] + 0.6 * ts[i][1]);
    }
    CHECK(embed_pca(x, 4, 2, 2, out, explained) == 0, "PCA runs");
    CHECK_NEAR(explained[0], 0.8, 1e-6, "PC1 explains 80 %%");
    CHECK_NEAR(explained[1], 0.2, 1e-6, "PC2 explains 20 %%");
    int ok = 1;
    for (int i = 0; i < 4; i++)
        ok &= fabs(out[2 * i] - ts[i][0]) < 1e-5 && fabs(fabsf(out[2 * i + 1]) - 1.0) < 1e-5;
    CHECK(ok, "PC1 projections are t (sign fixed), PC2 magnitudes 1");

    /* t-SNE: two clusters of 20 points in 5-D, 10 apart; in 2-D every point's nearest
     * neighbour must be in its own cluster. */
    enum { N = 40, D = 5 };
    static float pts[N * D], map[N * 2];
    unsigned seed = 12345;
    for (int i = 0; i < N; i++)
        for (int k = 0; k < D; k++) {
            seed = seed * 1103515245u + 12345u;
            float noise = (float)((seed >> 16) & 0x7fff) / 32768.0f - 0.5f;
            pts[i * D + k] = noise + (i < N / 2 ? 0.0f : 10.0f) * (k == 0);
        }
    CHECK(embed_tsne(pts, N, D, 10.0, 400, map) == 0, "t-SNE runs");
    int right = 0, finite = 1;
    for (int i = 0; i < N; i++) {
        int best = -1;
        double bd = INFINITY;
        finite &= isfinite(map[2 * i]) && isfinite(map[2 * i + 1]);
        for (int j = 0; j < N; j++) {
            if (j == i)
                continue;
            double dx = map[2 * i] - map[2 * j], dy = map[2 * i + 1] - map[2 * j + 1];
            if (dx * dx + dy * dy < bd) {
                bd = dx * dx + dy * dy;
                best = j;
            }
        }
        right += (best < N / 2) == (i < N / 2);
    }
    CHECK(finite, "t-SNE map is finite");
    CHECK(right == N, "t-SNE keeps the clusters apart: %d/%d nearest neighbours in-cluster", right, N);
}

int main(void)
{
    test_syncopation();
    test_features();
    test_distcmp();
    test_embed();
    return check_summary();
}
