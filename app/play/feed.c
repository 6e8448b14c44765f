/* feed.c - a MIDI file tapped into the instrument (see feed.h). */
#include "feed.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "midi_hvo.h"

/* Adds a tempo change at pass position `at` (drops one that changes nothing). */
static void add_tempo(Feed *f, double at, float bpm)
{
    if (f->n_tempos > 0 && f->tempo_bpm[f->n_tempos - 1] == bpm)
        return;
    if (f->n_tempos > 0 && f->tempo_position[f->n_tempos - 1] >= at) {
        f->tempo_bpm[f->n_tempos - 1] = bpm;
        return;
    }
    f->tempo_position[f->n_tempos] = at;
    f->tempo_bpm[f->n_tempos] = bpm;
    f->n_tempos++;
}

int feed_load(Feed *f, const char *path, char *err, size_t errlen)
{
    Midi_part part = {0};
    char why[256];
    *f = (Feed){0};
    if (midi_part_load(&part, path, why, sizeof why) != 0) {
        return error_set(err, errlen, "cannot read '%s': %s", path, why);
    }
    f->kind = midi_part_is_drums(&part) ? INPUT_KIND_DRUMS : INPUT_KIND_KEYS;
    if (part.n_onsets == 0) {
        error_set(err, errlen, "'%s' holds no notes to play", path);
        midi_part_deinit(&part);
        return -1;
    }
    midi_part_skipped_bars(&part, 0, f->skipped, sizeof f->skipped);
    Midi_window *win = NULL;
    int n_win = midi_part_windows(&part, 0, &win);
    if (n_win <= 0) {
        error_set(err, errlen, "cannot play '%s': %s", path, n_win < 0 ? "out of memory" : f->skipped);
        midi_part_deinit(&part);
        return -1;
    }
    /* Played bars: the 4/4 bars one after the other (slot 2k+h is window k's bar h). */
    int slots = 2 * n_win;
    f->position = malloc(sizeof *f->position * (size_t)part.n_onsets);
    f->velocity = malloc(sizeof *f->velocity * (size_t)part.n_onsets);
    f->tempo_position = malloc(sizeof *f->tempo_position * (size_t)(part.n_tempos + 2 * slots + 1));
    f->tempo_bpm = malloc(sizeof *f->tempo_bpm * (size_t)(part.n_tempos + 2 * slots + 1));
    if (!f->position || !f->velocity || !f->tempo_position || !f->tempo_bpm) {
        error_set(err, errlen, "out of memory");
        free(win);
        midi_part_deinit(&part);
        feed_deinit(f);
        return -1;
    }
    double last = 0;
    for (int slot = 0; slot < slots; slot++) {
        int bar = win[slot / 2].bar[slot % 2];
        if (bar < 0)
            continue;
        double start = midi_part_bar(&part, bar).start_step, played = (double)slot * HVO_STEPS_PER_BAR;
        /* The onsets of this bar: those that snap into it (half a step early belongs to it). */
        for (int i = 0; i < part.n_onsets; i++) {
            double rel = part.onsets[i].step - start;
            if (rel < -0.5 || rel >= HVO_STEPS_PER_BAR - 0.5)
                continue;
            double s = played + rel < 0 ? 0 : played + rel;
            f->position[f->n] = s;
            f->velocity[f->n] = part.onsets[i].velocity / 127.0f;
            f->n++;
            if (s > last)
                last = s;
        }
        /* The tempo map inside this bar, moved to where the bar plays. */
        add_tempo(f, played, (float)midi_part_bpm_at(&part, start));
        for (double at = midi_part_next_tempo_step(&part, start); at < start + HVO_STEPS_PER_BAR;
             at = midi_part_next_tempo_step(&part, at))
            add_tempo(f, played + (at - start), (float)midi_part_bpm_at(&part, at));
    }
    /* Positions ascending (bars taken in order, so only a bar's own early notes can cross). */
    for (int i = 1; i < f->n; i++)
        for (int j = i; j > 0 && f->position[j] < f->position[j - 1]; j--) {
            double p = f->position[j];
            f->position[j] = f->position[j - 1];
            f->position[j - 1] = p;
            float v = f->velocity[j];
            f->velocity[j] = f->velocity[j - 1];
            f->velocity[j - 1] = v;
        }
    int loops = (int)floor((last + 0.5) / HVO_STEPS) + 1;
    f->length = (double)loops * HVO_STEPS;
    f->bpm = f->n_tempos ? f->tempo_bpm[0] : (float)midi_part_bpm_at(&part, 0);
    free(win);
    midi_part_deinit(&part);
    return 0;
}

float feed_bpm_at(const Feed *f, double position)
{
    if (f->n_tempos == 0 || f->length <= 0)
        return f->bpm;
    double in_pass = fmod(position < 0 ? 0 : position, f->length);
    float bpm = f->tempo_bpm[0];
    for (int i = 0; i < f->n_tempos && f->tempo_position[i] <= in_pass + 1e-9; i++)
        bpm = f->tempo_bpm[i];
    return bpm;
}

void feed_deinit(Feed *f)
{
    free(f->position);
    free(f->velocity);
    free(f->tempo_position);
    free(f->tempo_bpm);
    *f = (Feed){0};
}

int feed_loops(const Feed *f) { return (int)(f->length / HVO_STEPS); }

int feed_until(Feed *f, Instrument *in, double until)
{
    int taps = 0;
    if (f->n == 0)
        return 0;
    for (;;) {
        if (f->next >= f->n) {
            f->next = 0;
            f->pass++;
        }
        double at = (double)f->pass * f->length + f->position[f->next];
        if (at > until)
            break;
        instrument_note_input(in, f->kind);
        instrument_tap_at(in, f->velocity[f->next], at);
        f->next++;
        taps++;
    }
    return taps;
}

/* A number in -1..1 from a tap's serial (a fixed hash: the same run, the same jitter). */
static double jitter_unit(uint32_t n)
{
    uint32_t x = n * 0x9e3779b9u + 0x7f4a7c15u;
    x ^= x >> 16;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    x *= 0xc2b2ae35u;
    x ^= x >> 16;
    return (double)x / 2147483647.5 - 1.0;
}

int feed_until_time(Feed *f, Instrument *in, double now, double step0_time, double steps_per_second, double delay_s,
                    double jitter_s)
{
    int taps = 0;
    if (f->n == 0 || !(steps_per_second > 0))
        return 0;
    for (;;) {
        if (f->next >= f->n) {
            f->next = 0;
            f->pass++;
        }
        double at = (double)f->pass * f->length + f->position[f->next];
        double arrival = step0_time + at / steps_per_second + delay_s + jitter_s * jitter_unit(f->taps_made);
        if (arrival > now)
            break;
        instrument_tap_from(in, INSTRUMENT_INPUT_KEYS, f->velocity[f->next], arrival);
        f->next++;
        f->taps_made++;
        taps++;
    }
    return taps;
}

void feed_groove(const Feed *f, int64_t loop, Groove *out)
{
    groove_clear(out);
    if (f->n == 0 || f->length <= 0)
        return;
    int64_t loops_per_pass = (int64_t)(f->length / HVO_STEPS);
    double first = (double)(loop % (loops_per_pass > 0 ? loops_per_pass : 1)) * HVO_STEPS;
    for (int i = 0; i < f->n; i++) {
        double rel = f->position[i] - first;
        if (first == 0.0 && f->length - f->position[i] <= 0.5)
            rel = f->position[i] - f->length; /* early into the next pass's first step */
        double n = floor(rel + 0.5);
        if (n < 0 || n >= HVO_STEPS)
            continue;
        int t = (int)n;
        float offset = (float)(rel - n);
        if (t == 0 && offset < 0.0f)
            offset = 0.0f;
        if (out->g[t][0] > 0.5f && f->velocity[i] <= out->g[t][1])
            continue;
        out->g[t][0] = 1.0f;
        out->g[t][1] = f->velocity[i];
        out->g[t][2] = offset;
    }
}

double feed_peek(const Feed *f, float *velocity)
{
    if (f->n == 0) {
        *velocity = 0.0f;
        return 1e300;
    }
    int next = f->next >= f->n ? 0 : f->next;
    int64_t pass = f->next >= f->n ? f->pass + 1 : f->pass;
    *velocity = f->velocity[next];
    return (double)pass * f->length + f->position[next];
}

void feed_skip(Feed *f)
{
    if (f->n == 0)
        return;
    if (f->next >= f->n) {
        f->next = 0;
        f->pass++;
    }
    f->next++;
}

double feed_next_tempo(const Feed *f, double position)
{
    if (f->n_tempos <= 1 || f->length <= 0)
        return 1e300;
    double base = floor((position < 0 ? 0 : position) / f->length) * f->length;
    for (int pass = 0; pass < 2; pass++, base += f->length)
        for (int i = 0; i < f->n_tempos; i++)
            if (base + f->tempo_position[i] > position + 1e-9)
                return base + f->tempo_position[i];
    return 1e300;
}
