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
    rec->n_taps = 0;
    rec->newest = -1;
}

Live_slot live_quantize(double position, float swing)
{
    Live_slot slot = {0, 0.0f, 0.0};
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
    slot.distance = best_dist;
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
    if (rec->mode == LIVE_REPLACE) {
        /* absolute position: within the pass's span [32 loop - 0.5, 32 loop + 31.5) */
        double start = (double)loop * HVO_STEPS - 0.5;
        double abs_pos = position;
        if (!(position >= start && position < start + HVO_STEPS)) {
            double w = fmod(position + 0.5, (double)HVO_STEPS);
            if (w < 0)
                w += HVO_STEPS;
            abs_pos = start + w;
        }
        rec->newest = (rec->newest + 1) % LIVE_HISTORY;
        rec->tap_position[rec->newest] = abs_pos;
        rec->tap_velocity[rec->newest] = velocity;
        if (rec->n_taps < LIVE_HISTORY)
            rec->n_taps++;
        /* the take: the taps of the last loop up to this one, oldest first (the newest wins a step) */
        int first = 0;
        while (first < rec->n_taps - 1) {
            int i = (rec->newest - first - 1 + LIVE_HISTORY) % LIVE_HISTORY;
            if (!(rec->tap_position[i] > abs_pos - (LIVE_TAKE_STEPS - 0.5)))
                break;
            first++;
        }
        groove_clear(groove);
        for (int k = first; k >= 0; k--) {
            int i = (rec->newest - k + LIVE_HISTORY) % LIVE_HISTORY;
            Live_slot s = live_quantize(rec->tap_position[i], swing);
            groove->g[s.step][0] = 1.0f;
            groove->g[s.step][1] = rec->tap_velocity[i];
            groove->g[s.step][2] = s.offset;
        }
        return slot;
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
