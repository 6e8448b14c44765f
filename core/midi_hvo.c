/* midi_hvo.c - MIDI files <-> HVO patterns and grooves on the 16th-note grid. */
#include "midi_hvo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* ---------------------------------------------------------------- reading a part */

int midi_part_from_smf(Midi_part *part, const Smf *smf, char *err, size_t errlen)
{
    memset(part, 0, sizeof *part);
    if (smf->ppq < 1)
        return error_set(err, errlen, "bad PPQ %d", smf->ppq);
    int n_on = 0;
    for (int i = 0; i < smf->n_notes; i++)
        n_on += smf->notes[i].on;
    part->onsets = malloc((size_t)(n_on ? n_on : 1) * sizeof *part->onsets);
    part->tempos = malloc((size_t)(smf->n_tempos ? smf->n_tempos : 1) * sizeof *part->tempos);
    if (!part->onsets || !part->tempos) {
        midi_part_deinit(part);
        return error_set(err, errlen, "out of memory");
    }
    double steps_per_tick = (double)HVO_STEPS_PER_BEAT / smf->ppq;
    if (smf->end_tick * steps_per_tick > MIDI_HVO_MAX_BARS * (double)HVO_STEPS_PER_BAR) {
        midi_part_deinit(part);
        return error_set(err, errlen, "the file is too long (more than %d bars)", MIDI_HVO_MAX_BARS);
    }
    int last_step = -1;
    for (int i = 0; i < smf->n_notes; i++) {
        const Smf_note *m = &smf->notes[i];
        if (m->tick * steps_per_tick > part->notes_end_step)
            part->notes_end_step = m->tick * steps_per_tick;
        if (!m->on)
            continue;
        Midi_onset *o = &part->onsets[part->n_onsets++];
        o->step = m->tick * steps_per_tick;
        o->note = m->note;
        o->velocity = m->velocity;
        o->channel = m->channel;
        int snapped = (int)floor(o->step + 0.5);
        if (snapped > last_step)
            last_step = snapped;
    }
    if (smf->n_tempos)
        memcpy(part->tempos, smf->tempos, (size_t)smf->n_tempos * sizeof *part->tempos);
    part->n_tempos = smf->n_tempos;
    part->ppq = smf->ppq;
    part->end_step = smf->end_tick * steps_per_tick;
    part->n_bars = last_step < 0 ? 0 : last_step / HVO_STEPS_PER_BAR + 1;
    part->meter_numerator = 4;
    part->meter_denominator = 4;
    part->meter_is_4_4 = 1;
    for (int i = 0; i < smf->n_time_sigs; i++) {
        const Smf_time_sig *s = &smf->time_sigs[i];
        if (i == 0 && s->tick == 0) {
            part->meter_numerator = s->numerator;
            part->meter_denominator = s->denominator;
        }
        if (s->numerator != 4 || s->denominator != 4)
            part->meter_is_4_4 = 0;
    }
    return 0;
}

int midi_part_load(Midi_part *part, const char *path, char *err, size_t errlen)
{
    Smf smf;
    memset(part, 0, sizeof *part);
    if (smf_read_file(&smf, path, err, errlen) != 0)
        return -1;
    int rc = midi_part_from_smf(part, &smf, err, errlen);
    smf_deinit(&smf);
    return rc;
}

void midi_part_deinit(Midi_part *part)
{
    free(part->onsets);
    free(part->tempos);
    memset(part, 0, sizeof *part);
}

int midi_part_check_meter(const Midi_part *part, char *why, size_t whylen)
{
    if (part->meter_is_4_4)
        return 1;
    if (part->meter_numerator != 4 || part->meter_denominator != 4)
        snprintf(why, whylen, "time signature %d/%d (only 4/4 is supported)", part->meter_numerator,
                 part->meter_denominator);
    else
        snprintf(why, whylen, "time signature changes away from 4/4 (only 4/4 is supported)");
    return 0;
}

int midi_part_window_count(const Midi_part *part)
{
    if (part->n_onsets == 0)
        return 0;
    /* Start bars b whose window [b, b+2) bars ends within one step after the last note. */
    int full = (int)floor((part->notes_end_step + 1.0) / HVO_STEPS_PER_BAR) - 1;
    return full > 1 ? full : 1;
}

double midi_part_bpm_at(const Midi_part *part, double step)
{
    double tick = step * part->ppq / HVO_STEPS_PER_BEAT;
    uint32_t us = SMF_DEFAULT_US_PER_QUARTER;
    for (int i = 0; i < part->n_tempos && part->tempos[i].tick <= tick; i++)
        us = part->tempos[i].us_per_quarter;
    return 60e6 / us;
}

/* ---------------------------------------------------------------- windows */

/* Index of the first onset whose step is >= s (onsets are ordered by step). */
static int first_onset_at(const Midi_part *part, double s)
{
    int lo = 0, hi = part->n_onsets;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (part->onsets[mid].step < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Snaps onset o into the window starting at grid step `first`: sets *t (0..31) and *offset.
 * Returns 0 when it falls in the window, 1 when before it, 2 when after it. clamped is set
 * when the step-0 rule zeroed a negative offset. */
static int snap(const Midi_onset *o, int first, int *t, float *offset, int *clamped)
{
    double n = floor(o->step + 0.5);
    double rel = n - first;
    *clamped = 0;
    if (rel < 0)
        return 1;
    if (rel >= HVO_STEPS)
        return 2;
    *t = (int)rel;
    double off = o->step - n;
    if (*t == 0 && off < 0.0) {
        off = 0.0;
        *clamped = 1;
    }
    *offset = (float)off;
    return 0;
}

int midi_part_to_hvo(const Midi_part *part, int start_bar, Hvo *out, Midi_hvo_stats *stats)
{
    hvo_clear(out);
    if (start_bar < 0)
        return 0;
    int first = start_bar * HVO_STEPS_PER_BAR;
    int hits = 0;
    for (int i = first_onset_at(part, first - 0.5); i < part->n_onsets; i++) {
        const Midi_onset *o = &part->onsets[i];
        int t, clamped;
        float offset;
        int where = snap(o, first, &t, &offset, &clamped);
        if (where == 2)
            break;
        if (where == 1)
            continue;
        int voice = voice_from_gm_note(o->note);
        if (stats) {
            stats->notes++;
            stats->step0_clamped += clamped;
            if (voice < 0) {
                stats->unmapped++;
                stats->unmapped_by_note[o->note & 0x7f]++;
            } else {
                stats->mapped++;
            }
        }
        if (voice < 0)
            continue;
        float velocity = o->velocity / 127.0f;
        if (hvo_hit(out, t, voice) > 0.5f) {
            if (stats)
                stats->collisions++;
            if (velocity <= hvo_vel(out, t, voice))
                continue;
        } else {
            hits++;
        }
        hvo_set(out, t, voice, 1, velocity, offset);
    }
    return hits;
}

int midi_part_to_groove(const Midi_part *part, int start_bar, Groove *out)
{
    groove_clear(out);
    if (start_bar < 0)
        return 0;
    int first = start_bar * HVO_STEPS_PER_BAR;
    int hits = 0;
    for (int i = first_onset_at(part, first - 0.5); i < part->n_onsets; i++) {
        const Midi_onset *o = &part->onsets[i];
        int t, clamped;
        float offset;
        int where = snap(o, first, &t, &offset, &clamped);
        if (where == 2)
            break;
        if (where == 1)
            continue;
        float velocity = o->velocity / 127.0f;
        if (out->g[t][0] > 0.5f) {
            if (velocity <= out->g[t][1])
                continue;
        } else {
            hits++;
        }
        out->g[t][0] = 1.0f;
        out->g[t][1] = velocity;
        out->g[t][2] = offset;
    }
    return hits;
}

/* Loads path and checks that bar is a window of it. 0 or -1 with err. */
static int load_for_bar(Midi_part *part, const char *path, int bar, char *err, size_t errlen)
{
    if (midi_part_load(part, path, err, errlen) != 0)
        return -1;
    if (part->n_onsets == 0) {
        midi_part_deinit(part);
        return error_set(err, errlen, "the file has no notes");
    }
    if (bar < 0 || bar >= part->n_bars) {
        int n = part->n_bars;
        midi_part_deinit(part);
        return error_set(err, errlen, "bar %d is out of range (the file has %d bar%s: 0..%d)", bar, n, n == 1 ? "" : "s",
                    n - 1);
    }
    return 0;
}

int midi_file_to_groove(const char *path, Groove *out, int bar, char *err, size_t errlen)
{
    Midi_part part;
    groove_clear(out);
    if (load_for_bar(&part, path, bar, err, errlen) != 0)
        return -1;
    midi_part_to_groove(&part, bar, out);
    midi_part_deinit(&part);
    return 0;
}

int midi_file_to_hvo(const char *path, Hvo *out, int bar, Midi_hvo_stats *stats, char *err, size_t errlen)
{
    Midi_part part;
    hvo_clear(out);
    if (load_for_bar(&part, path, bar, err, errlen) != 0)
        return -1;
    char why[128];
    if (!midi_part_check_meter(&part, why, sizeof why)) {
        midi_part_deinit(&part);
        return error_set(err, errlen, "%s", why);
    }
    midi_part_to_hvo(&part, bar, out, stats);
    midi_part_deinit(&part);
    return 0;
}

/* ---------------------------------------------------------------- writing */

/* One note to write before note-offs are placed. */
typedef struct {
    uint32_t tick;
    uint8_t note, velocity;
} Onset;

static int onset_by_note_tick(const void *a, const void *b)
{
    const Onset *x = a, *y = b;
    if (x->note != y->note)
        return (int)x->note - (int)y->note;
    if (x->tick != y->tick)
        return x->tick < y->tick ? -1 : 1;
    return (int)y->velocity - (int)x->velocity; /* louder first at one tick */
}

/* Builds an Smf from onsets (consumed: sorted in place): note-on, then note-off half a step
 * later or at the next onset of the same note, whichever comes first. */
static int onsets_to_smf(Onset *on, int n, uint32_t end_tick, float bpm, Smf *smf, char *err, size_t errlen)
{
    memset(smf, 0, sizeof *smf);
    if (!(bpm >= 1.0f && bpm <= 1000.0f))
        return error_set(err, errlen, "tempo %g bpm out of range 1..1000", (double)bpm);
    smf->format = 0;
    smf->ppq = MIDI_HVO_PPQ;
    smf->n_tracks = 1;
    smf->end_tick = end_tick;
    smf->tempos = malloc(sizeof *smf->tempos);
    smf->time_sigs = malloc(sizeof *smf->time_sigs);
    smf->notes = malloc((size_t)(2 * n + 1) * sizeof *smf->notes);
    if (!smf->tempos || !smf->time_sigs || !smf->notes) {
        smf_deinit(smf);
        return error_set(err, errlen, "out of memory");
    }
    smf->tempos[0] = (Smf_tempo){0, (uint32_t)lround(60e6 / bpm)};
    smf->n_tempos = 1;
    smf->time_sigs[0] = (Smf_time_sig){0, 4, 4};
    smf->n_time_sigs = 1;
    qsort(on, (size_t)n, sizeof *on, onset_by_note_tick);
    const uint32_t half_step = MIDI_HVO_PPQ / HVO_STEPS_PER_BEAT / 2;
    for (int i = 0; i < n; i++) {
        if (i > 0 && on[i].note == on[i - 1].note && on[i].tick == on[i - 1].tick)
            continue; /* one note twice at one tick: the louder (first) stays */
        uint32_t off = on[i].tick + half_step;
        int j = i + 1;
        if (j < n && on[j].note == on[i].note && on[j].tick < off)
            off = on[j].tick;
        smf->notes[smf->n_notes++] = (Smf_note){on[i].tick, 0, SMF_DRUM_CHANNEL, on[i].note, on[i].velocity, 1};
        smf->notes[smf->n_notes++] = (Smf_note){off, 0, SMF_DRUM_CHANNEL, on[i].note, 0, 0};
        if (off > smf->end_tick)
            smf->end_tick = off;
    }
    return 0;
}

/* The tick of a hit at grid step `step` (from the part's start) with offset off. */
static uint32_t hit_tick(long step, float off)
{
    const long ticks_per_step = MIDI_HVO_PPQ / HVO_STEPS_PER_BEAT;
    long d = lround((double)off * ticks_per_step);
    if (d < -ticks_per_step / 2)
        d = -ticks_per_step / 2;
    if (d > ticks_per_step / 2 - 1) /* +0.5 would read back as the next step's -0.5 */
        d = ticks_per_step / 2 - 1;
    long tick = step * ticks_per_step + d;
    return tick < 0 ? 0 : (uint32_t)tick;
}

static uint8_t midi_velocity(float v)
{
    long m = lround((double)v * 127.0);
    return (uint8_t)(m < 1 ? 1 : m > 127 ? 127 : m);
}

int hvo_to_smf(const Hvo *patterns, int n_patterns, float bpm, Smf *smf, char *err, size_t errlen)
{
    return hvo_to_smf_swing(patterns, n_patterns, bpm, 0.0f, smf, err, errlen);
}

int hvo_to_smf_swing(const Hvo *patterns, int n_patterns, float bpm, float swing, Smf *smf, char *err,
                     size_t errlen)
{
    const long ticks_per_step = MIDI_HVO_PPQ / HVO_STEPS_PER_BEAT;
    long swing_ticks = !(swing > 0.0f) ? 0 : swing > 0.5f ? ticks_per_step / 2 : lround((double)swing * ticks_per_step);
    memset(smf, 0, sizeof *smf);
    if (n_patterns < 1 || n_patterns > 100000)
        return error_set(err, errlen, "bad number of patterns %d", n_patterns);
    int cap = 0;
    for (int k = 0; k < n_patterns; k++)
        cap += hvo_count_hits(&patterns[k]);
    Onset *on = malloc((size_t)(cap ? cap : 1) * sizeof *on);
    if (!on)
        return error_set(err, errlen, "out of memory");
    int n = 0;
    for (int k = 0; k < n_patterns; k++)
        for (int t = 0; t < HVO_STEPS; t++)
            for (int v = 0; v < HVO_VOICES; v++) {
                const Hvo *p = &patterns[k];
                if (hvo_hit(p, t, v) <= 0.5f || n >= cap)
                    continue;
                on[n++] = (Onset){hit_tick((long)k * HVO_STEPS + t, hvo_off(p, t, v)) +
                                      (uint32_t)((t & 1) ? swing_ticks : 0),
                                  (uint8_t)voice_gm_note(v), midi_velocity(hvo_vel(p, t, v))};
            }
    uint32_t end = (uint32_t)n_patterns * HVO_STEPS * (MIDI_HVO_PPQ / HVO_STEPS_PER_BEAT);
    int rc = onsets_to_smf(on, n, end, bpm, smf, err, errlen);
    free(on);
    return rc;
}

int hvo_write_midi(const char *path, const Hvo *patterns, int n_patterns, float bpm, char *err, size_t errlen)
{
    return hvo_write_midi_swing(path, patterns, n_patterns, bpm, 0.0f, err, errlen);
}

int hvo_write_midi_swing(const char *path, const Hvo *patterns, int n_patterns, float bpm, float swing, char *err,
                         size_t errlen)
{
    Smf smf;
    if (hvo_to_smf_swing(patterns, n_patterns, bpm, swing, &smf, err, errlen) != 0)
        return -1;
    int rc = smf_write_file(&smf, path, err, errlen);
    smf_deinit(&smf);
    return rc;
}

int groove_write_midi(const char *path, const Groove *grooves, int n_grooves, float bpm, int note, char *err,
                      size_t errlen)
{
    if (n_grooves < 1 || n_grooves > 100000)
        return error_set(err, errlen, "bad number of grooves %d", n_grooves);
    if (note < 0 || note > 127)
        return error_set(err, errlen, "bad MIDI note %d", note);
    Onset *on = malloc((size_t)n_grooves * HVO_STEPS * sizeof *on);
    if (!on)
        return error_set(err, errlen, "out of memory");
    int n = 0;
    for (int k = 0; k < n_grooves; k++)
        for (int t = 0; t < HVO_STEPS; t++) {
            const float *g = grooves[k].g[t];
            if (g[0] > 0.5f)
                on[n++] = (Onset){hit_tick((long)k * HVO_STEPS + t, g[2]), (uint8_t)note, midi_velocity(g[1])};
        }
    Smf smf;
    uint32_t end = (uint32_t)n_grooves * HVO_STEPS * (MIDI_HVO_PPQ / HVO_STEPS_PER_BEAT);
    int rc = onsets_to_smf(on, n, end, bpm, &smf, err, errlen);
    free(on);
    if (rc != 0)
        return -1;
    rc = smf_write_file(&smf, path, err, errlen);
    smf_deinit(&smf);
    return rc;
}
