/* test_tap_sound.c - what a tap sounds like (app/play/tap_sound.h): the played note's General
 * MIDI voice for live MIDI (35 kick, 39 clap -> snare, 41 floor tom -> low tom, 54 tambourine ->
 * closed hat, ...; a key or a note outside the map: the closed hat, as before), none, the
 * click, or a fixed voice; names parse and cycle; the engine sounds a click tap and a voice tap,
 * and a silent setting sounds nothing. */
#include <string.h>

#include "check.h"
#include "engine.h"
#include "kit.h"
#include "tap_sound.h"

#define RATE 48000

/* Peak of one block rendered after a tap with the given sound. */
static float tap_peak(int sound, int note)
{
    Engine e;
    Kit kit;
    char err[256];
    if (kit_load_default(&kit, RATE, err, sizeof err) != 0)
        return -1.0f;
    engine_init(&e, RATE, &kit);
    tap_sound_play(&e, sound, note, 1.0f);
    float buf[2 * 1024], peak = 0;
    engine_render(&e, buf, 1024);
    for (int i = 0; i < 2 * 1024; i++)
        peak = fmaxf(peak, fabsf(buf[i]));
    engine_deinit(&e);
    kit_deinit(&kit);
    return peak;
}

int main(void)
{
    CHECK(tap_sound_voice(TAP_SOUND_NOTE, 35) == VOICE_KICK && tap_sound_voice(TAP_SOUND_NOTE, 36) == VOICE_KICK,
          "live MIDI: 35 and 36 sound the kick");
    CHECK(tap_sound_voice(TAP_SOUND_NOTE, 39) == VOICE_SNARE, "a hand clap (39) sounds the snare");
    CHECK(tap_sound_voice(TAP_SOUND_NOTE, 41) == VOICE_LOW_TOM, "the floor tom (41) sounds the low tom");
    CHECK(tap_sound_voice(TAP_SOUND_NOTE, 54) == VOICE_CLOSED_HAT && tap_sound_voice(TAP_SOUND_NOTE, 82) == VOICE_RIDE,
          "tambourine (54) closed hat, shaker (82) ride");
    int all = 1;
    for (int n = 27; n <= 87; n++)
        all &= tap_sound_voice(TAP_SOUND_NOTE, n) >= 0;
    CHECK(all, "every GM percussion note 27..87 sounds one of the 9 voices");
    CHECK(tap_sound_voice(TAP_SOUND_NOTE, -1) == VOICE_CLOSED_HAT && tap_sound_voice(TAP_SOUND_NOTE, 100) == VOICE_CLOSED_HAT,
          "a key, or a note outside the map (a melody), sounds the closed hat as before");
    CHECK(tap_sound_voice(TAP_SOUND_NONE, 36) == -2 && tap_sound_voice(TAP_SOUND_CLICK, 36) == -1 &&
              tap_sound_voice(VOICE_RIDE, 36) == VOICE_RIDE,
          "none is silent, click the click, a voice that voice whatever the note");
    CHECK(tap_sound_parse("none") == TAP_SOUND_NONE && tap_sound_parse("click") == TAP_SOUND_CLICK &&
              tap_sound_parse("note") == TAP_SOUND_NOTE && tap_sound_parse("snare") == VOICE_SNARE &&
              tap_sound_parse("closed_hat") == VOICE_CLOSED_HAT && tap_sound_parse("bogus") == -4,
          "names parse (bogus refused)");
    int s = TAP_SOUND_NOTE, seen = 0;
    for (int i = 0; i < 12; i++) {
        s = tap_sound_next(s);
        seen |= 1 << (s + 3);
        CHECK(!strcmp(tap_sound_name(s), tap_sound_name(tap_sound_parse(tap_sound_name(s)))), "cycle %d: %s", i, tap_sound_name(s));
    }
    CHECK(s == TAP_SOUND_NOTE && seen == (1 << 12) - 1, "the TUI cycle visits note, click, none and all 9 voices, then wraps");
    float none = tap_peak(TAP_SOUND_NONE, 36), click = tap_peak(TAP_SOUND_CLICK, 36), kick = tap_peak(TAP_SOUND_NOTE, 36);
    CHECK(none == 0.0f && click > 0.01f && kick > 0.01f, "the engine: none silent (%g), a click tap sounds (%.3f), a kick tap sounds (%.3f)",
          none, click, kick);
    return check_summary();
}
