/* instrument_form.h - the instrument's song controls: evolve, A/B morph, sections and chains,
 * feel, one-bar figures and the mixer (issue 16). The state lives in the Instrument (its
 * session's settings and its Form, form.h); every control is saved with the session, and the
 * ones the model reads regenerate the next part. Sections are not undo steps (storing is
 * like saving a file); setting changes are.
 *
 * Timing: like every new part, a recalled section takes over at the next loop boundary, never
 * mid-loop; a chain queues its next section while the loop before it plays. Tempo and the
 * mixer belong to the song: a section keeps everything else.
 *
 * Control thread only (like instrument.h).
 */
#ifndef GROOVE_INSTRUMENT_FORM_H
#define GROOVE_INSTRUMENT_FORM_H

#include "instrument.h"

/* Evolve amount 0..1 (evolve.h): each loop the latent takes one step of its walk. */
void instrument_set_evolve(Instrument *in, float amount);
/* A/B morph: store the latent of the newest part as A (which 0) or B (1); the amount 0..1;
 * the rate in loops per A -> B -> A cycle (0: the amount holds). */
void instrument_morph_store(Instrument *in, int which);
void instrument_set_morph(Instrument *in, float amount);
void instrument_set_morph_rate(Instrument *in, int rate);
/* Feel: timing 0..1.5, velocity range 0..1.5 (feel.h); heard and exported, not fed to the model. */
void instrument_set_feel(Instrument *in, float timing, float velocity);
/* One-bar figures: an empty bar 2 of the groove repeats bar 1 for the model (on/off). */
void instrument_toggle_bar_repeat(Instrument *in);
/* Mixer: strip 0..8 a voice, 9 the click; level in dB, pan -1..1. */
void instrument_set_gain_db(Instrument *in, int ch, float db);
void instrument_set_pan(Instrument *in, int ch, float pan);

/* Sections (slots 0..7: A B C D F1..F4, form.h). Store copies the state now playing. */
void instrument_section_store(Instrument *in, int slot);
/* Recall: the slot takes over at the next loop (at once when stopped). 0, or -1 when empty. */
int instrument_section_recall(Instrument *in, int slot);
/* Sets the chain from text (form_parse_chain). 0, or -1 with err. */
int instrument_set_chain(Instrument *in, const char *text, char *err, size_t errlen);
/* Plays the chain (from its first link at the next loop; at once when stopped) or stops it. */
void instrument_chain_play(Instrument *in, int on);
void instrument_toggle_auto_fill(Instrument *in);

/* For the screen and the loop lines: */
/* The section playing while a chain plays ("A".."D", "F1".."F4"), else NULL. */
const char *instrument_chain_section(const Instrument *in);
/* Hit cells in which the part handed over for the next loop differs from the one playing
 * (0: the next loop plays the same part). */
int instrument_next_changes(const Instrument *in);
/* Whether a cell's hit differs from the loop before (1 new hit, -1 a hit gone, 0 same). */
int instrument_cell_changed(const Instrument *in, int voice, int step);

#endif
