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

/* The metronome click (not a kit voice: the engine's own, never in a part or a MIDI file).
 * A woodblock-like tick: a sine burst (accent 1760 Hz, other beats 1320 Hz) with a 2-ms attack
 * of band-passed noise and a 12-ms decay, 40 ms long. The accent (beat 1 of a bar) peaks at
 * DRUMSYNTH_CLICK_ACCENT_PEAK, the others at DRUMSYNTH_CLICK_PEAK (6 dB quieter). Writes
 * `frames` samples into out (caller-owned); the sound is DRUMSYNTH_CLICK_SECONDS long (the
 * rest is zero). Returns the sound's length in frames. Pure, any thread but the audio thread. */
#define DRUMSYNTH_CLICK_SECONDS 0.040
#define DRUMSYNTH_CLICK_ACCENT_PEAK 0.80f
#define DRUMSYNTH_CLICK_PEAK 0.40f
int drumsynth_click(float *out, int frames, int rate, int accent);

#endif
