/* hvo.c - HVO pattern helpers, groove flattening and the GM voice map. */
#include "hvo.h"

#include <string.h>

static const char *const voice_names[HVO_VOICES] = {
    "kick", "snare", "closed_hat", "open_hat", "low_tom", "mid_tom", "high_tom", "crash", "ride"};
static const char *const voice_labels[HVO_VOICES] = {"K", "S", "CH", "OH", "LT", "MT", "HT", "CR", "RI"};
static const int voice_notes[HVO_VOICES] = {36, 38, 42, 46, 43, 47, 50, 49, 51};

void hvo_set(Hvo *p, int step, int voice, int hit, float velocity, float offset)
{
    if (!hit || velocity <= 0.0f) {
        p->v[step][voice] = 0.0f;
        p->v[step][HVO_VOICES + voice] = 0.0f;
        p->v[step][2 * HVO_VOICES + voice] = 0.0f;
        return;
    }
    p->v[step][voice] = 1.0f;
    p->v[step][HVO_VOICES + voice] = velocity > 1.0f ? 1.0f : velocity;
    p->v[step][2 * HVO_VOICES + voice] = offset < -0.5f ? -0.5f : offset > 0.5f ? 0.5f : offset;
}

void hvo_clear(Hvo *p) { memset(p, 0, sizeof *p); }

int hvo_count_voice_hits(const Hvo *p, int voice)
{
    int n = 0;
    for (int t = 0; t < HVO_STEPS; t++)
        n += p->v[t][voice] > 0.5f;
    return n;
}

int hvo_count_hits(const Hvo *p)
{
    int n = 0;
    for (int v = 0; v < HVO_VOICES; v++)
        n += hvo_count_voice_hits(p, v);
    return n;
}

void hvo_flatten(const Hvo *p, Groove *out)
{
    groove_clear(out);
    for (int t = 0; t < HVO_STEPS; t++) {
        int loudest = -1;
        for (int v = 0; v < HVO_VOICES; v++)
            if (hvo_hit(p, t, v) > 0.5f && (loudest < 0 || hvo_vel(p, t, v) > hvo_vel(p, t, loudest)))
                loudest = v;
        if (loudest < 0)
            continue;
        out->g[t][0] = 1.0f;
        out->g[t][1] = hvo_vel(p, t, loudest);
        out->g[t][2] = hvo_off(p, t, loudest);
    }
}

int groove_count_hits(const Groove *g)
{
    int n = 0;
    for (int t = 0; t < HVO_STEPS; t++)
        n += g->g[t][0] > 0.5f;
    return n;
}

void groove_clear(Groove *g) { memset(g, 0, sizeof *g); }

void hvo_groove_to_input(const Groove *g, Hvo *input)
{
    hvo_clear(input);
    for (int t = 0; t < HVO_STEPS; t++)
        if (g->g[t][0] > 0.5f)
            hvo_set(input, t, HVO_GROOVE_VOICE, 1, g->g[t][1], g->g[t][2]);
}

const char *voice_name(int voice) { return voice >= 0 && voice < HVO_VOICES ? voice_names[voice] : "?"; }
const char *voice_label(int voice) { return voice >= 0 && voice < HVO_VOICES ? voice_labels[voice] : "?"; }

int voice_from_gm_note(int note)
{
    switch (note) {
    case 36: return VOICE_KICK;
    case 38: case 37: case 40: return VOICE_SNARE;
    case 42: case 22: case 44: return VOICE_CLOSED_HAT;
    case 46: case 26: return VOICE_OPEN_HAT;
    case 43: case 58: return VOICE_LOW_TOM;
    case 47: case 45: return VOICE_MID_TOM;
    case 50: case 48: return VOICE_HIGH_TOM;
    case 49: case 52: case 55: case 57: return VOICE_CRASH;
    case 51: case 53: case 59: return VOICE_RIDE;
    default: return -1;
    }
}

int voice_from_general_midi(int note)
{
    switch (note) {
    case 35: return VOICE_KICK;
    case 27: case 28: case 31: case 32: case 33: case 34: case 39: case 56: case 65: case 66: case 75: case 85:
        return VOICE_SNARE;
    case 54: case 68: case 69: case 70: case 71: case 73: case 78: case 80: return VOICE_CLOSED_HAT;
    case 67: case 72: case 74: case 79: case 81: return VOICE_OPEN_HAT;
    case 29: case 41: case 61: case 64: case 84: return VOICE_LOW_TOM;
    case 60: case 63: case 77: case 86: case 87: return VOICE_MID_TOM;
    case 30: case 62: case 76: case 83: return VOICE_HIGH_TOM;
    case 58: return VOICE_CRASH; /* GM vibraslap (a TD-11 tom rim in the dataset) */
    case 82: return VOICE_RIDE;
    default: return voice_from_gm_note(note);
    }
}

int voice_gm_note(int voice) { return voice >= 0 && voice < HVO_VOICES ? voice_notes[voice] : 36; }
