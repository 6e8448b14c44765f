/* tap_sound.h - what a tap sounds like: nothing, the click, one of the 9 voices, or (the
 * default) the note that was played: a MIDI tap sounds the voice its General MIDI percussion
 * note lands on (hvo.h voice_from_general_midi: 35 kick, 39 clap -> snare, 41 floor tom, ...),
 * a keyboard tap or a note outside the GM map the closed hat, as before.
 *
 * Pure apart from tap_sound_play, which queues one hit on the engine (control thread).
 */
#ifndef GROOVE_TAP_SOUND_H
#define GROOVE_TAP_SOUND_H

#include "engine.h"

enum {
    TAP_SOUND_NOTE = -3,   /* the played note's GM voice (keyboard: closed hat) */
    TAP_SOUND_NONE = -2,   /* silent: only the drums sound */
    TAP_SOUND_CLICK = -1   /* the click */
    /* 0..8: always that voice */
};

/* Parses "note", "none", "click" or a voice name ("kick", "closed_hat", ...). Returns the
 * sound, or -4 for an unknown name. */
int tap_sound_parse(const char *name);
/* "note", "none", "click" or the voice's name. */
const char *tap_sound_name(int sound);
/* The next sound in the TUI's cycle: note, click, none, then the voices kick .. ride. */
int tap_sound_next(int sound);
/* The voice a tap of MIDI note `note` (-1: a key) sounds with this setting, -1 for the click,
 * -2 for nothing. */
int tap_sound_voice(int sound, int note);
/* Sounds a tap now (at the engine's next block). */
void tap_sound_play(Engine *e, int sound, int note, float velocity);

#endif
