/* live.h - live taps: recording what the player plays into the groove, and tap tempo.
 *
 * A tap is a velocity and a moment. The moment is turned into a position in the loop, in
 * 16th-note steps from the loop's start (0 <= position < HVO_STEPS); the tap lands on the
 * nearest grid line and keeps its distance from it as the micro-timing offset, in steps
 * (-0.5..0.5, positive = late), so the player's feel survives. Swing is taken out first:
 * with swing s, odd steps sound s steps late, so a tap on a swung off-beat is on time.
 *
 * Two recording modes: overdub adds taps to the groove (a tap on a step that already holds a
 * hit replaces it: the latest take wins); replace starts a new take in every loop pass in
 * which the player taps - the first tap of the pass clears the groove.
 *
 * Pure: no I/O, no clock, no allocation. The caller owns every struct; one thread at a time.
 */
#ifndef GROOVE_LIVE_H
#define GROOVE_LIVE_H

#include <stdint.h>

#include "hvo.h"

typedef enum { LIVE_OVERDUB = 0, LIVE_REPLACE } Live_mode;

/* The recorder: the mode and which loop pass last started a take. */
typedef struct {
    Live_mode mode;
    int64_t take_loop;      /* loop pass whose first tap cleared the groove (replace), or -1 */
} Live_recorder;

/* Where a tap landed. */
typedef struct {
    int step;               /* 0..HVO_STEPS-1 */
    float offset;           /* -0.5..0.5 steps, positive = late */
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

/* Records one tap at a loop position during loop pass `loop` into the groove. Returns the
 * slot it landed in. Velocity is clamped to 0..1; a velocity of 0 records nothing and
 * returns step -1. */
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
