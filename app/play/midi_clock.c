/* midi_clock.c - MIDI clock follower and generator (see midi_clock.h). */
#include "midi_clock.h"

#include <math.h>
#include <string.h>

/* ---- follower ---- */

void midi_clock_in_init(Midi_clock_in *c)
{
    memset(c, 0, sizeof *c);
}

/* Least-squares line through the pulses in the window: time = a + period * index. */
static void clock_fit(Midi_clock_in *c)
{
    int n = c->n;
    int64_t first = c->pulses - n;
    double t0 = c->t[first % MIDI_CLOCK_WINDOW];
    if (n < 2) {
        c->fit_t = c->last_t;
        return;
    }
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int j = 0; j < n; j++) {
        double y = c->t[(first + j) % MIDI_CLOCK_WINDOW] - t0;
        sx += j;
        sy += y;
        sxx += (double)j * j;
        sxy += j * y;
    }
    double den = n * sxx - sx * sx;
    double b = (n * sxy - sx * sy) / den;
    double a = (sy - b * sx) / n;
    if (!(b > 0)) {
        c->fit_t = c->last_t;
        return;
    }
    c->fit_period = b;
    c->fit_t = t0 + a + b * (n - 1);
}

static void clock_pulse(Midi_clock_in *c, double t)
{
    /* After a gap (the clock was lost, or this is the first pulse), start a fresh fit. */
    if (c->n > 0 && midi_clock_in_lost(c, t))
        c->n = 0;
    c->t[c->pulses % MIDI_CLOCK_WINDOW] = t;
    c->pulses++;
    c->last_t = t;
    if (c->n < MIDI_CLOCK_WINDOW)
        c->n++;
    clock_fit(c);
    if (c->armed) {
        c->armed = 0;
        c->running = 1;
        c->first_pulse = c->pulses - 1;
        c->first_song = c->armed_song;
        c->starts++;
    }
}

/* Song position (pulses) of the next pulse while running. */
static int64_t clock_song_next(const Midi_clock_in *c)
{
    return c->first_song + (c->pulses - c->first_pulse);
}

void midi_clock_in_feed(Midi_clock_in *c, const uint8_t *msg, int n, double t)
{
    if (n < 1)
        return;
    switch (msg[0]) {
    case MIDI_RT_CLOCK:
        clock_pulse(c, t);
        break;
    case MIDI_RT_START:
        c->armed = 1;
        c->running = 0;
        c->armed_song = 0;
        break;
    case MIDI_RT_CONTINUE:
        c->armed = 1;
        c->running = 0;
        c->armed_song = c->spp;
        break;
    case MIDI_RT_STOP:
        if (c->running)
            c->spp = clock_song_next(c);
        c->running = 0;
        c->armed = 0;
        break;
    case MIDI_SONG_POSITION:
        /* Only while stopped (the standard's rule): where the next Continue starts. */
        if (n >= 3 && !c->running)
            c->spp = (int64_t)((msg[1] & 0x7f) | (msg[2] & 0x7f) << 7) * MIDI_CLOCK_PER_STEP;
        break;
    default:
        break;
    }
}

double midi_clock_in_bpm(const Midi_clock_in *c)
{
    return c->fit_period > 0 ? 60.0 / (c->fit_period * MIDI_CLOCK_PPQN) : 0.0;
}

int midi_clock_in_lost(const Midi_clock_in *c, double t)
{
    if (c->pulses == 0)
        return 0;
    double limit = MIDI_CLOCK_LOST_PULSES * c->fit_period;
    if (limit < MIDI_CLOCK_LOST_MIN_S)
        limit = MIDI_CLOCK_LOST_MIN_S;
    return t - c->last_t > limit;
}

int midi_clock_in_running(const Midi_clock_in *c) { return c->running; }

double midi_clock_in_beat(const Midi_clock_in *c, double t, double fallback_bpm)
{
    double period = c->fit_period;
    if (!(period > 0))
        period = 60.0 / ((fallback_bpm > 0 ? fallback_bpm : 120.0) * MIDI_CLOCK_PPQN);
    double index = (double)(c->pulses - 1) + (t - c->fit_t) / period;
    double song = (double)c->first_song + (index - (double)c->first_pulse);
    return song / MIDI_CLOCK_PPQN;
}

/* ---- generator ---- */

void midi_clock_out_init(Midi_clock_out *g)
{
    memset(g, 0, sizeof *g);
}

static int put(Midi_clock_msg *out, int k, int max, double frame, uint8_t a, uint8_t b, uint8_t c, int n)
{
    if (k >= max)
        return k;
    out[k] = (Midi_clock_msg){frame < 0 ? 0 : frame, {a, b, c}, (uint8_t)n};
    return k + 1;
}

int midi_clock_out_block(Midi_clock_out *g, int playing, int started, double step, double frames_per_step,
                         int frames, Midi_clock_msg *out, int max)
{
    int k = 0;
    if (!playing) {
        if (g->playing)
            k = put(out, k, max, 0, MIDI_RT_STOP, 0, 0, 1);
        g->playing = 0;
        g->pending = 0;
        return k;
    }
    if (!(frames_per_step > 0))
        return 0;
    if (started || !g->playing) {
        g->pending = 1;
        g->playing = 0;
    }
    if (g->pending) {
        if (step < 1.0) {
            /* From the top: Start just before the first pulse, at step 0 (when the transport
             * started a little late, now, with the pulses already due right after it). */
            double f0 = step > 0 ? 0 : -step * frames_per_step;
            if (f0 >= frames)
                return k;   /* step 0 lies in a later block */
            k = put(out, k, max, f0, MIDI_RT_START, 0, 0, 1);
            g->next_pulse = 0;
        } else {
            /* Mid-song: where to continue (the next 16th), then Continue. */
            int64_t s16 = (int64_t)ceil(step - 1e-9);
            int spp = (int)(s16 % 16384);
            k = put(out, k, max, 0, MIDI_SONG_POSITION, (uint8_t)(spp & 0x7f), (uint8_t)(spp >> 7), 3);
            k = put(out, k, max, 0, MIDI_RT_CONTINUE, 0, 0, 1);
            g->next_pulse = s16 * MIDI_CLOCK_PER_STEP;
        }
        g->pending = 0;
        g->playing = 1;
    }
    for (;;) {
        double f = ((double)g->next_pulse / MIDI_CLOCK_PER_STEP - step) * frames_per_step;
        if (f >= frames || k >= max)
            break;
        k = put(out, k, max, f, MIDI_RT_CLOCK, 0, 0, 1);
        g->next_pulse++;
    }
    return k;
}

int midi_clock_out_finish(Midi_clock_out *g, Midi_clock_msg *out)
{
    if (!g->playing)
        return 0;
    g->playing = 0;
    g->pending = 0;
    *out = (Midi_clock_msg){0, {MIDI_RT_STOP, 0, 0}, 1};
    return 1;
}
