/* midi_song.c - bar lines and windows of a song's MIDI file (midi_song.h). */
#include "midi_song.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int midi_song_bars(const Smf *smf, Midi_bar **bars)
{
    *bars = NULL;
    uint32_t last = 0;
    int any = 0;
    for (int i = 0; i < smf->n_notes; i++)
        if (smf->notes[i].on) {
            any = 1;
            if (smf->notes[i].tick > last)
                last = smf->notes[i].tick;
        }
    if (!any)
        return 0;
    double quarter = smf->ppq;
    int cap = 64, n = 0, sig = 0, num = 4, den = 4;
    Midi_bar *b = malloc(sizeof *b * (size_t)cap);
    if (!b)
        return -1;
    double t = 0.0;
    while (t <= (double)last) {
        /* The time signature in force at this bar line (events up to it, allowing for rounding). */
        while (sig < smf->n_time_sigs && smf->time_sigs[sig].tick <= t + 0.5) {
            num = smf->time_sigs[sig].numerator;
            den = smf->time_sigs[sig].denominator;
            sig++;
        }
        double len = num * quarter * 4.0 / den;
        if (len < 1.0)
            len = 1.0;
        int whole = 1;
        /* A time signature inside the bar cuts it short there. */
        if (sig < smf->n_time_sigs && smf->time_sigs[sig].tick < t + len - 0.5) {
            len = smf->time_sigs[sig].tick - t;
            whole = 0;
        }
        if (n == MIDI_SONG_MAX_BARS) {
            free(b);
            return -1;
        }
        if (n == cap) {
            cap *= 2;
            Midi_bar *nb = realloc(b, sizeof *b * (size_t)cap);
            if (!nb) {
                free(b);
                return -1;
            }
            b = nb;
        }
        b[n].start = t;
        b[n].length = len;
        b[n].is_4_4 = whole && num == 4 && den == 4;
        n++;
        t += len;
    }
    *bars = b;
    return n;
}

/* First note index with tick >= t. */
static int first_note_at(const Smf *smf, double t)
{
    int lo = 0, hi = smf->n_notes;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if ((double)smf->notes[mid].tick < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void midi_song_window(const Smf *smf, double start, const unsigned char *role, Hvo *drums, Groove *groove)
{
    if (drums)
        hvo_clear(drums);
    if (groove)
        groove_clear(groove);
    double step_ticks = smf->ppq / 4.0;
    double end = start + HVO_STEPS * step_ticks - step_ticks / 2.0;
    for (int i = first_note_at(smf, start - step_ticks / 2.0); i < smf->n_notes && (double)smf->notes[i].tick < end; i++) {
        const Smf_note *n = &smf->notes[i];
        if (!n->on || role[i] == MIDI_SONG_NONE)
            continue;
        double s = ((double)n->tick - start) / step_ticks;
        double k = floor(s + 0.5);
        if (k < 0.0 || k >= HVO_STEPS)
            continue;
        int t = (int)k;
        float off = (float)(s - k);
        if (t == 0 && off < 0.0f)
            off = 0.0f;
        float vel = n->velocity / 127.0f;
        if (role[i] == MIDI_SONG_DRUMS && drums) {
            int v = voice_from_general_midi(n->note);
            if (v >= 0 && !(hvo_hit(drums, t, v) > 0.5f && hvo_vel(drums, t, v) >= vel))
                hvo_set(drums, t, v, 1, vel, off);
        } else if (role[i] == MIDI_SONG_GROOVE && groove) {
            if (!(groove->g[t][0] > 0.5f && groove->g[t][1] >= vel)) {
                groove->g[t][0] = 1.0f;
                groove->g[t][1] = vel;
                groove->g[t][2] = off;
            }
        }
    }
}
