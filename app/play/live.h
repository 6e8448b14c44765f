/* live.h - live taps: recording what the player plays into the groove, and tap tempo.
 *
 * A tap is a velocity and a moment. The moment is turned into a position in the loop, in
 * 16th-note steps from the loop's start (0 <= position < HVO_STEPS); the tap lands on the
 * nearest grid line and keeps its distance from it as the micro-timing offset, in steps
 * (-0.5..0.5, positive = late), so the player's feel survives. Swing is taken out first:
 * with swing s, odd steps sound s steps late, so a tap on a swung off-beat is on time.
 *
 * Two recording modes: overdub adds taps to the groove (a tap on a step that already holds a
 * hit replaces it: the latest take wins); replace works like a looper: the groove is the take,
 * the last 2 bars (one loop, LIVE_TAKE_STEPS) played up to the newest tap. Each tap rebuilds
 * the groove from the taps less than LIVE_TAKE_STEPS - 0.5 steps before it (so two taps a whole
 * loop apart never fight over one step), each on its step in the loop: a phrase that starts
 * before the loop line and ends after it is kept whole, and a player who pauses and starts
 * again starts a new take.
 *
 * Pure: no I/O, no clock, no allocation. The caller owns every struct; one thread at a time.
 */
#ifndef GROOVE_LIVE_H
#define GROOVE_LIVE_H

#include <stdint.h>

#include "hvo.h"

typedef enum { LIVE_OVERDUB = 0, LIVE_REPLACE } Live_mode;

#define LIVE_TAKE_STEPS HVO_STEPS   /* a take: one loop (2 bars) */
#define LIVE_HISTORY 128            /* taps remembered for the take (a take holds at most 32) */

/* The recorder: the mode and, for replace, the newest taps (absolute step positions). */
typedef struct {
    Live_mode mode;
    double tap_position[LIVE_HISTORY]; /* ring, absolute steps */
    float tap_velocity[LIVE_HISTORY];
    int n_taps;             /* taps in the ring (<= LIVE_HISTORY) */
    int newest;             /* index of the newest tap */
} Live_recorder;

/* Where a tap landed. */
typedef struct {
    int step;               /* 0..HVO_STEPS-1 */
    float offset;           /* -0.5..0.5 steps, positive = late */
    double distance;        /* steps from the nearest (swung) grid line before any clamping,
                               positive = late: what timing feedback measures */
} Live_slot;

/* Starts a recorder in a mode. */
void live_recorder_init(Live_recorder *rec, Live_mode mode);

/* Returns the tap velocity (0..1) for a keyboard key: `a s d f g h j k l` rise from soft
 * (a, MIDI 40) to full (l, MIDI 127); -1 for any other key. */
float live_key_velocity(int key);

/* Quantises a loop position (steps from the loop's start, any real: it wraps) with swing
 * (0..0.5 steps of delay on odd steps) to a step and offset. A tap just before the loop's
 * start belongs to step 0 with offset 0: a hit never sounds before the loop begins. */
Live_slot live_quantize(double position, float swing);

/* Records one tap at a loop position during loop pass `loop` into the groove. The position
 * may be absolute (32 * loop + step) or within the loop; it is made absolute with `loop`.
 * Returns the slot it landed in. Velocity is clamped to 0..1; a velocity of 0 records nothing
 * and returns step -1. */
Live_slot live_record(Live_recorder *rec, Groove *groove, double position, int64_t loop,
                      float velocity, float swing);

/* Tap tempo: the tempo from the spacing of the last few taps. */
#define TAP_TEMPO_TAPS 5
typedef struct {
    double times[TAP_TEMPO_TAPS];   /* seconds, oldest first */
    int count;
} Tap_tempo;

/* Clears the tap history. */
void tap_tempo_init(Tap_tempo *tap);
/* Adds a tap at time t (seconds, any monotonic clock). Returns the tempo in BPM (the mean
 * interval of the taps kept, one tap = one beat, clamped to 40..300) once two taps are
 * close enough, else 0. A gap over 2 s, or a time going backwards, starts over. */
double tap_tempo_tap(Tap_tempo *tap, double t);

#endif
