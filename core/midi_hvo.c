/* midi_hvo.c - MIDI files <-> HVO patterns and grooves on the 16th-note grid. */
#include "midi_hvo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* ---------------------------------------------------------------- reading a part */

/* Length in steps of a numerator/denominator bar; 0 for a meter that cannot be one. */
static double meter_steps(int numerator, int denominator)
{
    if (numerator < 1 || denominator < 1)
        return 0.0;
    return (double)numerator * HVO_STEPS_PER_BAR / denominator;
}

/* Cuts the timeline into bars from its time signatures, up to the bar holding step `last`
 * (a time signature starts a new bar where it stands, as sequencers read it). */
static int build_bars(Midi_part *part, double last, char *err, size_t errlen)
{
    int cap = 64, n = 0, sig = 0, num = 4, den = 4;
    double at = 0.0;
    Midi_bar *bars = malloc((size_t)cap * sizeof *bars);
    if (!bars)
        return error_set(err, errlen, "out of memory");
    const double steps_per_tick = (double)HVO_STEPS_PER_BEAT / part->ppq;
    while (at <= last + 1e-9) {
        /* Time signatures at or before this bar's start set its meter. */
        while (sig < part->n_time_sigs && part->time_sigs[sig].tick * steps_per_tick <= at + 1e-9) {
            if (meter_steps(part->time_sigs[sig].numerator, part->time_sigs[sig].denominator) > 0.0) {
                num = part->time_sigs[sig].numerator;
                den = part->time_sigs[sig].denominator;
            }
            sig++;
        }
        double len = meter_steps(num, den);
        if (sig < part->n_time_sigs && part->time_sigs[sig].tick * steps_per_tick < at + len - 1e-9)
            len = part->time_sigs[sig].tick * steps_per_tick - at; /* cut short by the next signature */
        if (n >= MIDI_HVO_MAX_BARS) {
            free(bars);
            return error_set(err, errlen, "the file is too long (more than %d bars)", MIDI_HVO_MAX_BARS);
        }
        if (n == cap) {
            Midi_bar *more = realloc(bars, (size_t)cap * 2 * sizeof *bars);
            if (!more) {
                free(bars);
                return error_set(err, errlen, "out of memory");
            }
            bars = more;
            cap *= 2;
        }
        bars[n++] = (Midi_bar){at, len, num, den};
        at += len;
    }
    part->bars = bars;
    part->n_bars = n;
    return 0;
}

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
    part->time_sigs = malloc((size_t)(smf->n_time_sigs ? smf->n_time_sigs : 1) * sizeof *part->time_sigs);
    if (!part->time_sigs) {
        midi_part_deinit(part);
        return error_set(err, errlen, "out of memory");
    }
    if (smf->n_time_sigs)
        memcpy(part->time_sigs, smf->time_sigs, (size_t)smf->n_time_sigs * sizeof *part->time_sigs);
    part->n_time_sigs = smf->n_time_sigs;
    if (last_step >= 0 && build_bars(part, (double)last_step, err, errlen) != 0) {
        midi_part_deinit(part);
        return -1;
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
    free(part->time_sigs);
    free(part->bars);
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

double midi_part_seconds_at(const Midi_part *part, double step)
{
    double tick = step * part->ppq / HVO_STEPS_PER_BEAT, seconds = 0.0, from = 0.0;
    uint32_t us = SMF_DEFAULT_US_PER_QUARTER;
    for (int i = 0; i < part->n_tempos && part->tempos[i].tick <= tick; i++) {
        seconds += (part->tempos[i].tick - from) * us / (1e6 * part->ppq);
        from = part->tempos[i].tick;
        us = part->tempos[i].us_per_quarter;
    }
    return seconds + (tick - from) * us / (1e6 * part->ppq);
}

double midi_part_next_tempo_step(const Midi_part *part, double step)
{
    for (int i = 0; i < part->n_tempos; i++) {
        double s = (double)part->tempos[i].tick * HVO_STEPS_PER_BEAT / part->ppq;
        if (s > step + 1e-9)
            return s;
    }
    return 1e300;
}

Midi_bar midi_part_bar(const Midi_part *part, int bar)
{
    if (part->n_bars == 0)
        return (Midi_bar){(double)bar * HVO_STEPS_PER_BAR, HVO_STEPS_PER_BAR, 4, 4};
    if (bar < part->n_bars)
        return part->bars[bar < 0 ? 0 : bar];
    Midi_bar last = part->bars[part->n_bars - 1];
    double len = meter_steps(last.numerator, last.denominator);
    Midi_bar b = last;
    b.start_step = last.start_step + last.steps + (bar - part->n_bars) * len;
    b.steps = len;
    return b;
}

int midi_part_is_drums(const Midi_part *part)
{
    int drums = 0;
    for (int i = 0; i < part->n_onsets; i++)
        drums += part->onsets[i].channel == 9;
    return part->n_onsets > 0 && 2 * drums >= part->n_onsets;
}

int midi_part_bar_is_4_4(const Midi_part *part, int bar)
{
    Midi_bar b = midi_part_bar(part, bar);
    return b.numerator == 4 && b.denominator == 4 && b.steps == HVO_STEPS_PER_BAR;
}

int midi_part_voice(const Midi_part *part, int note)
{
    return part->note_map == MIDI_MAP_DATASET ? voice_from_gm_note(note) : voice_from_general_midi(note);
}

int midi_part_windows(const Midi_part *part, int first_bar, Midi_window **out)
{
    *out = NULL;
    if (first_bar < 0)
        first_bar = 0;
    int n4 = 0;
    for (int b = first_bar; b < part->n_bars; b++)
        n4 += midi_part_bar_is_4_4(part, b);
    if (n4 == 0)
        return 0;
    Midi_window *w = malloc((size_t)(n4 + 1) / 2 * sizeof *w);
    if (!w)
        return -1;
    int n = 0, half = 0;
    for (int b = first_bar; b < part->n_bars; b++) {
        if (!midi_part_bar_is_4_4(part, b))
            continue;
        if (half == 0)
            w[n] = (Midi_window){{b, -1}};
        else
            w[n].bar[1] = b;
        half ^= 1;
        if (half == 0)
            n++;
    }
    if (half) { /* an odd 4/4 bar last: it pairs with the silent bar after the file if that is 4/4 */
        if (w[n].bar[0] == part->n_bars - 1 && midi_part_bar_is_4_4(part, part->n_bars))
            w[n].bar[1] = part->n_bars;
        n++;
    }
    *out = w;
    return n;
}

int midi_part_skipped_bars(const Midi_part *part, int first_bar, char *line, size_t len)
{
    size_t used = 0;
    int skipped = 0, runs = 0;
    line[0] = 0;
    for (int b = first_bar < 0 ? 0 : first_bar; b < part->n_bars; b++) {
        if (midi_part_bar_is_4_4(part, b))
            continue;
        Midi_bar m = part->bars[b];
        int e = b;
        while (e + 1 < part->n_bars && !midi_part_bar_is_4_4(part, e + 1) && part->bars[e + 1].numerator == m.numerator &&
               part->bars[e + 1].denominator == m.denominator && part->bars[e + 1].steps == m.steps)
            e++;
        skipped += e - b + 1;
        char what[32];
        if (m.steps != meter_steps(m.numerator, m.denominator))
            snprintf(what, sizeof what, "%d/%d cut short", m.numerator, m.denominator);
        else
            snprintf(what, sizeof what, "%d/%d", m.numerator, m.denominator);
        if (used < len && runs < 6) {
            int k = e > b ? snprintf(line + used, len - used, "%sbars %d-%d (%s)", runs ? ", " : "", b, e, what)
                          : snprintf(line + used, len - used, "%sbar %d (%s)", runs ? ", " : "", b, what);
            used += k > 0 ? (size_t)k : 0;
        } else if (used < len && runs == 6) {
            int k = snprintf(line + used, len - used, ", ...");
            used += k > 0 ? (size_t)k : 0;
        }
        runs++;
        b = e;
    }
    if (skipped && used < len)
        snprintf(line + used, len - used, " %s not 4/4 and skipped (groove plays 4/4 bars only)",
                 skipped == 1 ? "is" : "are");
    return skipped;
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

/* Where an onset falls against a bar. */
typedef enum { SNAP_IN_BAR, SNAP_BEFORE, SNAP_AFTER } Snap_place;

/* Snaps onset o onto the grid of a bar starting at step `first`: sets *t (0..15) and
 * *offset when it falls in that bar. */
static Snap_place snap(const Midi_onset *o, double first, double limit, int *t, float *offset)
{
    double rel = o->step - first;
    double n = floor(rel + 0.5);
    if (n < 0)
        return SNAP_BEFORE;
    if (n >= limit)
        return SNAP_AFTER;
    *t = (int)n;
    *offset = (float)(rel - n);
    return SNAP_IN_BAR;
}

/* Calls fn for every onset of window w: at pattern step t (0..31) with its offset; the
 * step-0 rule applied (clamped set when it zeroed a negative offset). */
typedef void (*Onset_fn)(void *user, const Midi_onset *o, int t, float offset, int clamped);

static void window_onsets(const Midi_part *part, Midi_window w, Onset_fn fn, void *user)
{
    for (int k = 0; k < 2; k++) {
        if (w.bar[k] < 0)
            continue;
        if (k == 1 && w.bar[1] <= w.bar[0])
            continue;
        Midi_bar bar = midi_part_bar(part, w.bar[k]);
        double first = bar.start_step, limit = bar.steps < HVO_STEPS_PER_BAR ? bar.steps : HVO_STEPS_PER_BAR;
        for (int i = first_onset_at(part, first - 0.5); i < part->n_onsets; i++) {
            const Midi_onset *o = &part->onsets[i];
            int t;
            float offset;
            Snap_place where = snap(o, first, limit, &t, &offset);
            if (where == SNAP_AFTER)
                break;
            if (where == SNAP_BEFORE)
                continue;
            int clamped = 0;
            if (k == 0 && t == 0 && offset < 0.0f) {
                offset = 0.0f;
                clamped = 1;
            }
            fn(user, o, t + k * HVO_STEPS_PER_BAR, offset, clamped);
        }
    }
}

typedef struct {
    const Midi_part *part;
    Hvo *out;
    Midi_hvo_stats *stats;
    int hits;
} Hvo_fill;

static void hvo_onset(void *user, const Midi_onset *o, int t, float offset, int clamped)
{
    Hvo_fill *f = user;
    int voice = midi_part_voice(f->part, o->note);
    if (f->stats) {
        f->stats->notes++;
        f->stats->step0_clamped += clamped;
        if (voice < 0) {
            f->stats->unmapped++;
            f->stats->unmapped_by_note[o->note & 0x7f]++;
        } else {
            f->stats->mapped++;
        }
    }
    if (voice < 0)
        return;
    float velocity = o->velocity / 127.0f;
    if (hvo_hit(f->out, t, voice) > 0.5f) {
        if (f->stats)
            f->stats->collisions++;
        if (velocity <= hvo_vel(f->out, t, voice))
            return;
    } else {
        f->hits++;
    }
    hvo_set(f->out, t, voice, 1, velocity, offset);
}

typedef struct {
    Groove *out;
    int hits;
} Groove_fill;

static void groove_onset(void *user, const Midi_onset *o, int t, float offset, int clamped)
{
    Groove_fill *f = user;
    (void)clamped;
    float velocity = o->velocity / 127.0f;
    if (f->out->g[t][0] > 0.5f) {
        if (velocity <= f->out->g[t][1])
            return;
    } else {
        f->hits++;
    }
    f->out->g[t][0] = 1.0f;
    f->out->g[t][1] = velocity;
    f->out->g[t][2] = offset;
}

int midi_part_window_to_hvo(const Midi_part *part, Midi_window w, Hvo *out, Midi_hvo_stats *stats)
{
    hvo_clear(out);
    Hvo_fill f = {part, out, stats, 0};
    window_onsets(part, w, hvo_onset, &f);
    return f.hits;
}

int midi_part_window_to_groove(const Midi_part *part, Midi_window w, Groove *out)
{
    groove_clear(out);
    Groove_fill f = {out, 0};
    window_onsets(part, w, groove_onset, &f);
    return f.hits;
}

int midi_part_to_hvo(const Midi_part *part, int start_bar, Hvo *out, Midi_hvo_stats *stats)
{
    if (start_bar < 0) {
        hvo_clear(out);
        return 0;
    }
    return midi_part_window_to_hvo(part, (Midi_window){{start_bar, start_bar + 1}}, out, stats);
}

int midi_part_to_groove(const Midi_part *part, int start_bar, Groove *out)
{
    if (start_bar < 0) {
        groove_clear(out);
        return 0;
    }
    return midi_part_window_to_groove(part, (Midi_window){{start_bar, start_bar + 1}}, out);
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
    part.note_map = MIDI_MAP_DATASET;
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
 * later or at the next onset of the same note, whichever comes first. The tempo map and
 * time signatures are copied (ticks already at MIDI_HVO_PPQ); with none, 4/4 at 120 bpm. */
static int onsets_to_smf_map(Onset *on, int n, uint32_t end_tick, const Smf_tempo *tempos, int n_tempos,
                             const Smf_time_sig *sigs, int n_sigs, Smf *smf, char *err, size_t errlen)
{
    memset(smf, 0, sizeof *smf);
    smf->format = 0;
    smf->ppq = MIDI_HVO_PPQ;
    smf->n_tracks = 1;
    smf->end_tick = end_tick;
    smf->tempos = malloc((size_t)(n_tempos > 0 ? n_tempos : 1) * sizeof *smf->tempos);
    smf->time_sigs = malloc((size_t)(n_sigs > 0 ? n_sigs : 1) * sizeof *smf->time_sigs);
    smf->notes = malloc((size_t)(2 * n + 1) * sizeof *smf->notes);
    if (!smf->tempos || !smf->time_sigs || !smf->notes) {
        smf_deinit(smf);
        return error_set(err, errlen, "out of memory");
    }
    if (n_tempos > 0)
        memcpy(smf->tempos, tempos, (size_t)n_tempos * sizeof *tempos);
    else
        smf->tempos[0] = (Smf_tempo){0, SMF_DEFAULT_US_PER_QUARTER};
    smf->n_tempos = n_tempos > 0 ? n_tempos : 1;
    if (n_sigs > 0)
        memcpy(smf->time_sigs, sigs, (size_t)n_sigs * sizeof *sigs);
    else
        smf->time_sigs[0] = (Smf_time_sig){0, 4, 4};
    smf->n_time_sigs = n_sigs > 0 ? n_sigs : 1;
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

/* onsets_to_smf_map at one tempo, in 4/4. */
static int onsets_to_smf(Onset *on, int n, uint32_t end_tick, float bpm, Smf *smf, char *err, size_t errlen)
{
    memset(smf, 0, sizeof *smf);
    if (!(bpm >= 1.0f && bpm <= 1000.0f))
        return error_set(err, errlen, "tempo %g bpm out of range 1..1000", (double)bpm);
    Smf_tempo tempo = {0, (uint32_t)lround(60e6 / bpm)};
    return onsets_to_smf_map(on, n, end_tick, &tempo, 1, NULL, 0, smf, err, errlen);
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

int hvo_windows_to_smf(const Hvo *patterns, const Midi_window *windows, int n, const Midi_part *part, float bpm,
                       Smf *smf, char *err, size_t errlen)
{
    memset(smf, 0, sizeof *smf);
    if (n < 1 || n > 100000)
        return error_set(err, errlen, "bad number of patterns %d", n);
    const double ticks_per_step = MIDI_HVO_PPQ / HVO_STEPS_PER_BEAT;
    const double scale = (double)MIDI_HVO_PPQ / part->ppq; /* part ticks -> our ticks */
    int cap = 0;
    for (int k = 0; k < n; k++)
        cap += hvo_count_hits(&patterns[k]);
    Onset *on = malloc((size_t)(cap ? cap : 1) * sizeof *on);
    Smf_tempo *tempos = malloc((size_t)(part->n_tempos + 1) * sizeof *tempos);
    Smf_time_sig *sigs = malloc((size_t)(part->n_time_sigs + 1) * sizeof *sigs);
    if (!on || !tempos || !sigs) {
        free(on);
        free(tempos);
        free(sigs);
        return error_set(err, errlen, "out of memory");
    }
    int n_on = 0;
    double end_step = 0.0;
    for (int k = 0; k < n; k++)
        for (int half = 0; half < 2; half++) {
            if (windows[k].bar[half] < 0)
                continue;
            double start = midi_part_bar(part, windows[k].bar[half]).start_step;
            if (start + HVO_STEPS_PER_BAR > end_step)
                end_step = start + HVO_STEPS_PER_BAR;
            for (int t = half * HVO_STEPS_PER_BAR; t < (half + 1) * HVO_STEPS_PER_BAR; t++)
                for (int v = 0; v < HVO_VOICES; v++) {
                    const Hvo *p = &patterns[k];
                    if (hvo_hit(p, t, v) <= 0.5f || n_on >= cap)
                        continue;
                    double off = hvo_off(p, t, v);
                    if (off > 0.5 - 1.0 / ticks_per_step)
                        off = 0.5 - 1.0 / ticks_per_step; /* +0.5 would read back as the next step's -0.5 */
                    long tick = lround((start + (t - half * HVO_STEPS_PER_BAR) + off) * ticks_per_step);
                    on[n_on++] = (Onset){tick < 0 ? 0 : (uint32_t)tick, (uint8_t)voice_gm_note(v),
                                         midi_velocity(hvo_vel(p, t, v))};
                }
        }
    int n_tempos = 0, n_sigs = 0;
    if (bpm > 0.0f) {
        if (!(bpm >= 1.0f && bpm <= 1000.0f)) {
            free(on);
            free(tempos);
            free(sigs);
            return error_set(err, errlen, "tempo %g bpm out of range 1..1000", (double)bpm);
        }
        tempos[n_tempos++] = (Smf_tempo){0, (uint32_t)lround(60e6 / bpm)};
    } else {
        for (int i = 0; i < part->n_tempos; i++)
            tempos[n_tempos++] = (Smf_tempo){(uint32_t)llround(part->tempos[i].tick * scale), part->tempos[i].us_per_quarter};
    }
    for (int i = 0; i < part->n_time_sigs; i++)
        sigs[n_sigs++] = (Smf_time_sig){(uint32_t)llround(part->time_sigs[i].tick * scale), part->time_sigs[i].numerator,
                                        part->time_sigs[i].denominator};
    double end_tick = end_step * ticks_per_step;
    int rc = onsets_to_smf_map(on, n_on, end_tick > SMF_MAX_TICK ? SMF_MAX_TICK : (uint32_t)end_tick, tempos, n_tempos,
                               sigs, n_sigs, smf, err, errlen);
    free(on);
    free(tempos);
    free(sigs);
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

void hvo_smf_voice_tracks(Smf *smf)
{
    /* track 0 the tempo map; then one track per voice that plays, in voice order */
    int track_of[HVO_VOICES] = {0};
    for (int i = 0; i < smf->n_notes; i++) {
        int v = voice_from_gm_note(smf->notes[i].note);
        if (v >= 0)
            track_of[v] = 1;
    }
    memset(smf->track_names, 0, sizeof smf->track_names);
    smf->track_names[0] = "tempo";
    int n = 1;
    for (int v = 0; v < HVO_VOICES; v++)
        if (track_of[v]) {
            smf->track_names[n] = voice_name(v);
            track_of[v] = n++;
        }
    for (int i = 0; i < smf->n_notes; i++) {
        int v = voice_from_gm_note(smf->notes[i].note);
        smf->notes[i].track = (uint16_t)(v >= 0 ? track_of[v] : 0);
    }
    smf->format = 1;
    smf->n_tracks = n;
}

int hvo_write_midi_tracks(const char *path, const Hvo *patterns, int n_patterns, float bpm, float swing, char *err,
                          size_t errlen)
{
    Smf smf;
    if (hvo_to_smf_swing(patterns, n_patterns, bpm, swing, &smf, err, errlen) != 0)
        return -1;
    hvo_smf_voice_tracks(&smf);
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
