/* pattern_features.c - per-pattern musical features (definitions in pattern_features.h). */
#include "pattern_features.h"

#include <math.h>
#include <stddef.h>

/* ---- Feature table --------------------------------------------------------------- */

static const Feature_info feature_table[FEATURE_COUNT] = {
    [FEATURE_VOICES] = {"voices", "Distinct voices used", "voices", "voices", 1},
    [FEATURE_HITS] = {"hits", "Total hits (density)", "hits", "hits per 2 bars", 1},
    [FEATURE_HITS_VOICE0 + 0] = {"hits_kick", "Kick hits", "K", "hits per 2 bars", 1},
    [FEATURE_HITS_VOICE0 + 1] = {"hits_snare", "Snare hits", "S", "hits per 2 bars", 1},
    [FEATURE_HITS_VOICE0 + 2] = {"hits_closed_hat", "Closed hi-hat hits", "CH", "hits per 2 bars", 1},
    [FEATURE_HITS_VOICE0 + 3] = {"hits_open_hat", "Open hi-hat hits", "OH", "hits per 2 bars", 1},
    [FEATURE_HITS_VOICE0 + 4] = {"hits_low_tom", "Low tom hits", "LT", "hits per 2 bars", 1},
    [FEATURE_HITS_VOICE0 + 5] = {"hits_mid_tom", "Mid tom hits", "MT", "hits per 2 bars", 1},
    [FEATURE_HITS_VOICE0 + 6] = {"hits_high_tom", "High tom hits", "HT", "hits per 2 bars", 1},
    [FEATURE_HITS_VOICE0 + 7] = {"hits_crash", "Crash hits", "CR", "hits per 2 bars", 1},
    [FEATURE_HITS_VOICE0 + 8] = {"hits_ride", "Ride hits", "RI", "hits per 2 bars", 1},
    [FEATURE_SYNCOPATION] = {"syncopation", "Syncopation (LHL, per voice)", "sync", "LHL units", 0},
    [FEATURE_VEL_MEAN] = {"vel_mean", "Velocity mean", "vel mean", "velocity 0..1", 0},
    [FEATURE_VEL_STD] = {"vel_std", "Velocity spread (std)", "vel std", "velocity 0..1", 0},
    [FEATURE_TIMING_ABS] = {"timing_abs", "Micro-timing: mean |offset|", "|offset|", "16th steps", 0},
    [FEATURE_SWING] = {"swing", "Swing ratio (16th notes)", "swing", "ratio, 1 = straight", 0},
    [FEATURE_DENSITY_LOW] = {"density_low", "Low-voice density (K, LT)", "low", "fraction of steps", 0},
    [FEATURE_DENSITY_MID] = {"density_mid", "Mid-voice density (S, MT, HT)", "mid", "fraction of steps", 0},
    [FEATURE_DENSITY_HIGH] = {"density_high", "High-voice density (CH, OH, CR, RI)", "high", "fraction of steps", 0},
};

const Feature_info *feature_info(int f) { return f >= 0 && f < FEATURE_COUNT ? &feature_table[f] : NULL; }

/* ---- Syncopation and swing ------------------------------------------------------- */

int features_metrical_weight(int step)
{
    int s = step % HVO_STEPS_PER_BAR;
    if (s == 0)
        return 0;
    if (s == 8)
        return -1;
    if (s % 4 == 0)
        return -2;
    if (s % 2 == 0)
        return -3;
    return -4;
}

double features_syncopation(const unsigned char onset[HVO_STEPS])
{
    double total = 0.0;
    for (int i = 0; i < HVO_STEPS; i++) {
        if (!onset[i])
            continue;
        /* The strongest silent step between this onset and the next one (as a loop). */
        int strongest = -100;
        for (int k = 1; k < HVO_STEPS; k++) {
            int j = (i + k) % HVO_STEPS;
            if (onset[j])
                break;
            int w = features_metrical_weight(j);
            if (w > strongest)
                strongest = w;
        }
        int wn = features_metrical_weight(i);
        if (strongest > wn)
            total += strongest - wn;
    }
    return total;
}

double features_swing_ratio(const Hvo *p)
{
    double sum_odd = 0.0, sum_even = 0.0;
    int n_odd = 0, n_even = 0;
    for (int t = 0; t < HVO_STEPS; t++)
        for (int v = 0; v < HVO_VOICES; v++) {
            if (hvo_hit(p, t, v) <= 0.5f)
                continue;
            if (t % 2) {
                sum_odd += hvo_off(p, t, v);
                n_odd++;
            } else {
                sum_even += hvo_off(p, t, v);
                n_even++;
            }
        }
    if (!n_odd || !n_even)
        return NAN;
    double d = sum_odd / n_odd - sum_even / n_even;
    if (d > 0.5)
        d = 0.5;
    if (d < -0.5)
        d = -0.5;
    return (1.0 + d) / (1.0 - d);
}

/* ---- All features ---------------------------------------------------------------- */

/* Voice groups for the low/mid/high densities. */
static const int voice_band[HVO_VOICES] = {
    [VOICE_KICK] = 0, [VOICE_LOW_TOM] = 0,
    [VOICE_SNARE] = 1, [VOICE_MID_TOM] = 1, [VOICE_HIGH_TOM] = 1,
    [VOICE_CLOSED_HAT] = 2, [VOICE_OPEN_HAT] = 2, [VOICE_CRASH] = 2, [VOICE_RIDE] = 2};

void features_compute(const Hvo *p, double out[FEATURE_COUNT])
{
    unsigned char onset[HVO_VOICES][HVO_STEPS] = {{0}};
    int band_steps[3] = {0, 0, 0};
    int hits = 0, voices = 0;
    int per_voice[HVO_VOICES] = {0};
    double vel_sum = 0.0, vel_sq = 0.0, off_abs = 0.0;

    for (int t = 0; t < HVO_STEPS; t++) {
        int band_hit[3] = {0, 0, 0};
        for (int v = 0; v < HVO_VOICES; v++) {
            if (hvo_hit(p, t, v) <= 0.5f)
                continue;
            double vel = hvo_vel(p, t, v);
            per_voice[v]++;
            hits++;
            vel_sum += vel;
            vel_sq += vel * vel;
            off_abs += fabs((double)hvo_off(p, t, v));
            onset[v][t] = 1;
            band_hit[voice_band[v]] = 1;
        }
        for (int b = 0; b < 3; b++)
            band_steps[b] += band_hit[b];
    }
    for (int v = 0; v < HVO_VOICES; v++)
        voices += per_voice[v] > 0;

    out[FEATURE_VOICES] = voices;
    out[FEATURE_HITS] = hits;
    for (int v = 0; v < HVO_VOICES; v++)
        out[FEATURE_HITS_VOICE0 + v] = per_voice[v];
    out[FEATURE_SYNCOPATION] = 0.0;
    for (int v = 0; v < HVO_VOICES; v++)
        out[FEATURE_SYNCOPATION] += features_syncopation(onset[v]);
    if (hits > 0) {
        double mean = vel_sum / hits;
        double var = vel_sq / hits - mean * mean;
        out[FEATURE_VEL_MEAN] = mean;
        out[FEATURE_VEL_STD] = sqrt(var > 0.0 ? var : 0.0);
        out[FEATURE_TIMING_ABS] = off_abs / hits;
    } else {
        out[FEATURE_VEL_MEAN] = NAN;
        out[FEATURE_VEL_STD] = NAN;
        out[FEATURE_TIMING_ABS] = NAN;
    }
    out[FEATURE_SWING] = features_swing_ratio(p);
    for (int b = 0; b < 3; b++)
        out[FEATURE_DENSITY_LOW + b] = (double)band_steps[b] / HVO_STEPS;
}
