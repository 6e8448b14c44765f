/* pattern_features.h - musical features of one drum pattern, for comparing real and generated drums.
 *
 * (Named pattern_features.h, not features.h: glibc's own <features.h> would be shadowed by -Inn.)
 *
 * The published Groove Transformer evaluation compares the distributions of per-pattern
 * musical features over real and generated patterns. This module computes those features
 * for one Hvo; distcmp.h compares their distributions, report.h draws them.
 *
 * A feature can be undefined for a pattern (the velocity spread of a silent pattern, the
 * swing of a pattern with no off-beat hit): its value is then NAN, and feature_defined()
 * says so; distribution code skips undefined values.
 *
 * Definitions (a "hit" is a cell with hit > 0.5; a step is a 16th note; 32 steps):
 *   voices          number of distinct voices with at least one hit (0..9)
 *   hits            total hits over all voices (0..288)
 *   hits_<voice>    hits of one voice (0..32)
 *   syncopation     Longuet-Higgins & Lee (1984) syncopation summed over the 9 voices, each
 *                   voice's onsets scored on their own (features_syncopation), as GrooveToolbox's
 *                   "combined syncopation" does: on the onsets of all voices merged, busy hats
 *                   fill every weak step and hide the kick and snare's syncopation
 *   vel_mean        mean velocity of the hits (0..1)
 *   vel_std         standard deviation (population) of the hits' velocities
 *   timing_abs      mean absolute micro-timing offset of the hits, in steps (0..0.5)
 *   swing           16th-note swing ratio (1 = straight, 2 = triplet feel), see
 *                   features_swing_ratio()
 *   density_low     fraction of the 32 steps where a low voice hits (kick, low tom)
 *   density_mid     ... a mid voice (snare, mid tom, high tom)
 *   density_high    ... a high voice (closed hat, open hat, crash, ride)
 *
 * Pure functions, no allocation, safe from any thread.
 */
#ifndef GROOVE_PATTERN_FEATURES_H
#define GROOVE_PATTERN_FEATURES_H

#include "hvo.h"

typedef enum {
    FEATURE_VOICES = 0,
    FEATURE_HITS,
    FEATURE_HITS_VOICE0,                          /* hits of voice 0; voice v at +v */
    FEATURE_SYNCOPATION = FEATURE_HITS_VOICE0 + HVO_VOICES,
    FEATURE_VEL_MEAN,
    FEATURE_VEL_STD,
    FEATURE_TIMING_ABS,
    FEATURE_SWING,
    FEATURE_DENSITY_LOW,
    FEATURE_DENSITY_MID,
    FEATURE_DENSITY_HIGH,
    FEATURE_COUNT
} Feature;

/* What a feature is, for tables and plot axes. */
typedef struct {
    const char *key;       /* stable identifier: "syncopation", "hits_kick" */
    const char *title;     /* human title: "Syncopation (Longuet-Higgins & Lee)" */
    const char *label;     /* short column label for tables: "sync" */
    const char *unit;      /* axis unit: "hits", "steps", "0..1", "ratio" */
    int integer;           /* 1 when the values are whole numbers (histogram bins of 1) */
} Feature_info;

/* The description of feature f (0 <= f < FEATURE_COUNT). */
const Feature_info *feature_info(int f);

/* Computes every feature of pattern p into out[FEATURE_COUNT] (NAN where undefined). */
void features_compute(const Hvo *p, double out[FEATURE_COUNT]);

/* Returns 1 when a feature value is defined (not NAN). */
static inline int feature_defined(double x) { return x == x; }

/* Metrical weight of a 16th-note step in 4/4 after Longuet-Higgins & Lee: bar start 0,
 * half bar -1, quarter notes -2, eighth notes -3, sixteenths -4 (the same each bar). */
int features_metrical_weight(int step);

/* Longuet-Higgins & Lee syncopation of an onset sequence onset[HVO_STEPS] (non-zero = an
 * onset), read as a loop: every onset N followed, before the next onset, by a silent step R
 * of higher metrical weight adds weight(R) - weight(N), where R is the strongest silent step
 * up to the next onset. Returns the sum (0 for a pattern without syncopation). */
double features_syncopation(const unsigned char onset[HVO_STEPS]);

/* 16th-note swing ratio: d = (mean offset of hits on odd steps) - (mean offset of hits on
 * even steps), clamped to [-0.5, 0.5]; returns (1 + d) / (1 - d): the length of the on-beat
 * 16th over the off-beat one, 1/3..3 (2 = triplet feel, 3 = dotted 16ths). NAN when there is no hit on an odd step or none on an even one. */
double features_swing_ratio(const Hvo *p);

#endif
