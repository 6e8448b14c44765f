/* drumsynth.h - the project's own drum synthesis: the default kit's nine sounds.
 *
 * Analogue drum-machine recipes rendered sample by sample: a kick with a pitch sweep and a
 * click, a snare of two damped tones plus band-passed noise, metallic hats from six detuned
 * square waves through band- and high-pass filters (closed and open), three tuned toms, a
 * crash and a ride built from inharmonic partials and noise. Deterministic: a fixed-seed
 * generator, no time or randomness from outside, so `make samples` gives the same files.
 *
 * Pure (allocates the returned buffer only); any thread but the audio thread.
 */
#ifndef GROOVE_DRUMSYNTH_H
#define GROOVE_DRUMSYNTH_H

/* Renders one voice's sound (0..8, hvo.h) at rate: *out is malloc'd mono float (caller frees),
 * peak-normalised to the voice's level in the kit. 0, or -1 (bad voice, out of memory). */
int drumsynth_render(int voice, int rate, float **out, int *frames);
/* The file name a voice is saved as in samples/ ("kick.wav", "closed_hat.wav", ...). */
const char *drumsynth_file_name(int voice);

#endif
