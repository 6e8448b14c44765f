/* tap_sound.c - what a tap sounds like (see tap_sound.h). */
#include "tap_sound.h"

#include <string.h>

int tap_sound_parse(const char *name)
{
    if (!strcmp(name, "note"))
        return TAP_SOUND_NOTE;
    if (!strcmp(name, "none"))
        return TAP_SOUND_NONE;
    if (!strcmp(name, "click"))
        return TAP_SOUND_CLICK;
    for (int v = 0; v < HVO_VOICES; v++)
        if (!strcmp(name, voice_name(v)))
            return v;
    return -4;
}

const char *tap_sound_name(int sound)
{
    switch (sound) {
    case TAP_SOUND_NOTE: return "note";
    case TAP_SOUND_NONE: return "none";
    case TAP_SOUND_CLICK: return "click";
    default: return voice_name(sound);
    }
}

int tap_sound_next(int sound)
{
    if (sound == TAP_SOUND_NOTE)
        return TAP_SOUND_CLICK;
    if (sound == TAP_SOUND_CLICK)
        return TAP_SOUND_NONE;
    if (sound == TAP_SOUND_NONE)
        return 0;
    return sound >= 0 && sound < HVO_VOICES - 1 ? sound + 1 : TAP_SOUND_NOTE;
}

int tap_sound_voice(int sound, int note)
{
    if (sound == TAP_SOUND_NONE)
        return -2;
    if (sound == TAP_SOUND_CLICK)
        return -1;
    if (sound >= 0 && sound < HVO_VOICES)
        return sound;
    int v = note >= 0 && note < 128 ? voice_from_general_midi(note) : -1;
    return v >= 0 ? v : HVO_GROOVE_VOICE;
}

void tap_sound_play(Engine *e, int sound, int note, float velocity)
{
    int v = tap_sound_voice(sound, note);
    if (v == -1)
        engine_hit_click(e);
    else if (v >= 0)
        engine_hit(e, v, velocity);
}
