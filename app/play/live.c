/* live.c - live taps into the groove, and tap tempo (see live.h). */
#include "live.h"

#include <math.h>

/* ---------------------------------------------------------------- keys -- */

static const char tap_keys[] = "asdfghjkl";

float live_key_velocity(int key)
{
    for (int i = 0; tap_keys[i]; i++)
        if (key == tap_keys[i]) {
            int midi = 40 + (i * (127 - 40) + 4) / 8;   /* a=40 ... l=127 */
            return (float)midi / 127.0f;
        }
    return -1.0f;
}

/* ------------------------------------------------------------ recorder -- */

void live_recorder_init(Live_recorder *rec, Live_mode mode)
{
    rec->mode = mode;
    rec->take_loop = -1;
}

Live_slot live_quantize(double position, float swing)
{
    Live_slot slot = {0, 0.0f};
    if (!isfinite(position))
        return slot;
    if (!(swing >= 0.0f))
        swing = 0.0f;
    if (swing > 0.5f)
        swing = 0.5f;
    double p = fmod(position, (double)HVO_STEPS);
    if (p < 0)
        p += HVO_STEPS;
    /* The grid lines, swung: even step k at k, odd step k at k + swing. Find the nearest. */
    int base = (int)floor(p);
    double best_dist = 1e9;
    int best = 0;
    for (int k = base - 1; k <= base + 2; k++) {
        double line = k + ((k & 1) ? swing : 0.0);
        double d = p - line;
        if (fabs(d) < fabs(best_dist)) {
            best_dist = d;
            best = k;
        }
    }
    /* Spacing around that line decides the offset's scale: keep it within half a step. */
    double off = best_dist;
    if (off < -0.5)
        off = -0.5;
    if (off > 0.4999)
        off = 0.4999;
    int step = ((best % HVO_STEPS) + HVO_STEPS) % HVO_STEPS;
    if (step == 0 && off < 0)
        off = 0;   /* never before the loop's start */
    slot.step = step;
    slot.offset = (float)off;
    return slot;
}

Live_slot live_record(Live_recorder *rec, Groove *groove, double position, int64_t loop,
                      float velocity, float swing)
{
    Live_slot slot = live_quantize(position, swing);
    if (!(velocity > 0.0f)) {
        slot.step = -1;
        return slot;
    }
    if (velocity > 1.0f)
        velocity = 1.0f;
    if (rec->mode == LIVE_REPLACE && rec->take_loop != loop) {
        groove_clear(groove);
        rec->take_loop = loop;
    }
    groove->g[slot.step][0] = 1.0f;
    groove->g[slot.step][1] = velocity;
    groove->g[slot.step][2] = slot.offset;
    return slot;
}

/* ----------------------------------------------------------- tap tempo -- */

void tap_tempo_init(Tap_tempo *tap) { tap->count = 0; }

double tap_tempo_tap(Tap_tempo *tap, double t)
{
    if (!isfinite(t))
        return 0;
    if (tap->count > 0) {
        double gap = t - tap->times[tap->count - 1];
        if (gap <= 0 || gap > 2.0)
            tap->count = 0;
    }
    if (tap->count == TAP_TEMPO_TAPS) {
        for (int i = 1; i < TAP_TEMPO_TAPS; i++)
            tap->times[i - 1] = tap->times[i];
        tap->count--;
    }
    tap->times[tap->count++] = t;
    if (tap->count < 2)
        return 0;
    double interval = (tap->times[tap->count - 1] - tap->times[0]) / (tap->count - 1);
    double bpm = 60.0 / interval;
    return bpm < 40 ? 40 : bpm > 300 ? 300 : bpm;
}
