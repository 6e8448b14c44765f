/* hvo.h - the HVO drum pattern and the monotonic groove.
 *
 * A pattern is 2 bars of 4/4 on a 16th-note grid: HVO_STEPS (32) steps, each with
 * HVO_VOICES (9) voices, and per voice a hit (0/1), a velocity (0..1 = MIDI velocity/127)
 * and a micro-timing offset in steps (-0.5..0.5, positive = late). The floats of one step
 * are laid out as [hits 0-8 | velocities 9-17 | offsets 18-26], exactly as the model reads
 * them (../shared/SPEC.md).
 *
 * A groove is the one-voice rhythm the player plays: per step hit, velocity, offset.
 * The model reads a groove as a full Hvo whose only voice is HVO_GROOVE_VOICE (the closed
 * hat, as the published Groove Transformer does); hvo_groove_to_input() builds it.
 *
 * Plain value types: no allocation, no I/O, safe from any thread.
 */
#ifndef GROOVE_HVO_H
#define GROOVE_HVO_H

#include <stdint.h>

#define HVO_STEPS 32
#define HVO_VOICES 9
#define HVO_CHANNELS (3 * HVO_VOICES)   /* 27 */
#define HVO_STEPS_PER_BAR 16
#define HVO_STEPS_PER_BEAT 4
#define HVO_GROOVE_VOICE 2               /* the voice a groove occupies in model input */

typedef enum {
    VOICE_KICK = 0,
    VOICE_SNARE,
    VOICE_CLOSED_HAT,
    VOICE_OPEN_HAT,
    VOICE_LOW_TOM,
    VOICE_MID_TOM,
    VOICE_HIGH_TOM,
    VOICE_CRASH,
    VOICE_RIDE
} Voice;

/* One 2-bar pattern: v[step][channel], channel = voice (hit), 9+voice (velocity),
 * 18+voice (offset). */
typedef struct {
    float v[HVO_STEPS][HVO_CHANNELS];
} Hvo;

/* One 2-bar groove: g[step][0] hit, [1] velocity, [2] offset. */
typedef struct {
    float g[HVO_STEPS][3];
} Groove;

/* Accessors (step 0..31, voice 0..8). */
static inline float hvo_hit(const Hvo *p, int step, int voice) { return p->v[step][voice]; }
static inline float hvo_vel(const Hvo *p, int step, int voice) { return p->v[step][HVO_VOICES + voice]; }
static inline float hvo_off(const Hvo *p, int step, int voice) { return p->v[step][2 * HVO_VOICES + voice]; }

/* Sets one cell; velocity 0 (or hit 0) clears it. */
void hvo_set(Hvo *p, int step, int voice, int hit, float velocity, float offset);
/* Clears a pattern to silence. */
void hvo_clear(Hvo *p);
/* Counts hits in a pattern (all voices) or in one voice. */
int hvo_count_hits(const Hvo *p);
int hvo_count_voice_hits(const Hvo *p, int voice);

/* Flattens all voices to the monotonic groove (SPEC.md): hit where any voice hits,
 * velocity = the maximum at that step, offset = that of the loudest note. */
void hvo_flatten(const Hvo *p, Groove *out);
/* Counts hits in a groove. */
int groove_count_hits(const Groove *g);
/* Clears a groove. */
void groove_clear(Groove *g);
/* Builds the model input for a groove: a silent Hvo with the groove on HVO_GROOVE_VOICE. */
void hvo_groove_to_input(const Groove *g, Hvo *input);

/* Short names ("kick", "snare", "closed_hat", ...) and 2-letter labels ("K","S","CH",...). */
const char *voice_name(int voice);
const char *voice_label(int voice);
/* Maps a General MIDI drum note to a voice (SPEC.md table), or -1 when unmapped. */
int voice_from_gm_note(int note);
/* Maps a note of a user's General MIDI drum part to a voice (SPEC.md "Files from users"): the
 * table above for the notes it names except 58, and Magenta's 9-class map for every other GM
 * percussion note (35 kick, 39 clap -> snare, 54 tambourine -> closed hat, 41 -> low tom,
 * 58 -> crash, ...); -1 for notes no map names. */
int voice_from_general_midi(int note);
/* The GM note each voice is written as (the first of its list). */
int voice_gm_note(int voice);

#endif
