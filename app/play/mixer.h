/* mixer.h - the session's mixer strips: names, levels in dB, pan, and the option syntax.
 *
 * Strips 0..8 are the voices (hvo.h order), 9 the click (the practice metronome). Levels are in
 * dB (SESSION_GAIN_DB_MIN..MAX, 0 = unity), pan -1 (left) .. 1 (right) with the engine's
 * constant-power law. `--gain snare=-6` and `--pan hats=0.3` name a strip by its voice name
 * (kick, snare, closed_hat, open_hat, low_tom, mid_tom, high_tom, crash, ride), its label
 * (K, S, CH, OH, LT, MT, HT, CR, RI), or click. Pure; any thread.
 */
#ifndef GROOVE_MIXER_H
#define GROOVE_MIXER_H

#include <stddef.h>

#include "session.h"

/* Linear gain of a level in dB (10^(dB/20)). */
float mixer_gain(float db);
/* The strip's name: voice_name(), or "click". */
const char *mixer_channel_name(int ch);
/* The strip a name means (case-insensitive), or -1. */
int mixer_channel_from_name(const char *name, size_t len);
/* Parses "NAME=VALUE" (a level in dB, or a pan with is_pan). Returns 0, or -1 with a one-line
 * reason in err. */
int mixer_parse_assign(const char *arg, int is_pan, int *ch, float *value, char *err, size_t errlen);

#endif
