/* feed.c - a MIDI file tapped into the instrument (see feed.h). */
#include "feed.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "midi_hvo.h"

int feed_load(Feed *f, const char *path, char *err, size_t errlen)
{
    Midi_part part = {0};
    char why[256];
    *f = (Feed){0};
    if (midi_part_load(&part, path, why, sizeof why) != 0) {
        snprintf(err, errlen, "cannot read '%s': %s", path, why);
        return -1;
    }
    if (part.n_onsets == 0) {
        snprintf(err, errlen, "'%s' holds no notes to play", path);
        midi_part_deinit(&part);
        return -1;
    }
    f->position = malloc(sizeof *f->position * (size_t)part.n_onsets);
    f->velocity = malloc(sizeof *f->velocity * (size_t)part.n_onsets);
    if (!f->position || !f->velocity) {
        snprintf(err, errlen, "out of memory");
        midi_part_deinit(&part);
        feed_deinit(f);
        return -1;
    }
    double last = 0;
    for (int i = 0; i < part.n_onsets; i++) {
        double s = part.onsets[i].step < 0 ? 0 : part.onsets[i].step;
        f->position[f->n] = s;
        f->velocity[f->n] = part.onsets[i].velocity / 127.0f;
        f->n++;
        if (s > last)
            last = s;
    }
    int loops = (int)floor((last + 0.5) / HVO_STEPS) + 1;
    f->length = (double)loops * HVO_STEPS;
    f->bpm = (float)midi_part_bpm_at(&part, 0);
    midi_part_deinit(&part);
    return 0;
}

void feed_deinit(Feed *f)
{
    free(f->position);
    free(f->velocity);
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
        instrument_tap_at(in, f->velocity[f->next], at);
        f->next++;
        taps++;
    }
    return taps;
}
