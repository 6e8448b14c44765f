/* instrument_internal.h - what the instrument's files share; nobody else includes it.
 *
 * instrument.c owns the loop, the hand-off to the engine and the worker; instrument_form.c (the
 * song form, evolve, morph, feel, mixer controls: instrument_form.h), instrument_controls.c
 * (settings, variations, voices), instrument_practice.c (click, count-in, respond, calibration)
 * and instrument_edit.c (cell edits, undo, save as, MIDI export) reach them through these
 * hooks. Control thread only.
 */
#ifndef GROOVE_INSTRUMENT_INTERNAL_H
#define GROOVE_INSTRUMENT_INTERNAL_H

#include "instrument.h"

/* Undo snapshot before an edit; mark changed (autosave); push settings to the engine. */
void instrument_hook_before_edit(Instrument *in);
void instrument_hook_changed(Instrument *in);
void instrument_hook_apply(Instrument *in);
/* Hands a part to the engine for the next loop (at once when stopped). */
void instrument_hook_send(Instrument *in, const Hvo *p);
/* Re-sends the next part with the target's kept rows. */
void instrument_hook_resend(Instrument *in);
/* Asks the worker for the part of loop for_loop. */
uint64_t instrument_hook_request(Instrument *in, int64_t for_loop);

/* instrument_form.c, called by instrument.c: */
/* The state the next part comes from: a section waiting to take over, else the session. */
const Session *instrument_target(const Instrument *in);
/* At each new loop (and at play): a waiting section takes over, the chain queues the next one. */
void instrument_form_loop(Instrument *in);
/* At play from stopped: a playing chain starts over at its first link. */
void instrument_form_restart(Instrument *in);

#endif
