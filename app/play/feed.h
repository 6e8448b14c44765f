/* feed.h - a MIDI file played into the instrument as if a person tapped it (--play-groove).
 *
 * Every note-on of the file (any channel, any note) becomes a tap with its velocity at its
 * exact position, looping over the file's length rounded up to whole 2-bar loops. Meters
 * follow the one rule of midi_hvo.h: the 4/4 bars are played one after the other, bars in
 * other meters are left out (skipped says which). The file's tempo map comes along: the
 * tempo at each position (feed_bpm_at), which the caller hands the instrument as it goes,
 * unless the user fixed a tempo.
 *
 * Caller-owned struct: feed_load / feed_deinit. Control thread only.
 */
#ifndef GROOVE_FEED_H
#define GROOVE_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "instrument.h"

typedef struct {
    double *position;     /* onset, steps from the file's start, ascending */
    float *velocity;      /* 0..1 */
    int n;
    double length;        /* steps per pass: whole loops */
    int next;             /* next onset of this pass */
    int64_t pass;         /* passes completed */
    float bpm;            /* the file's tempo at its start */
    double *tempo_position; /* tempo changes: position (steps in a pass, ascending) ... */
    float *tempo_bpm;       /* ... and the tempo from there */
    int n_tempos;
    char skipped[256];    /* "" or the line naming the bars left out (not 4/4) */
    int kind;             /* Input_kind: drums when most notes are on channel 10, else keys */
    uint32_t taps_made;   /* onsets delivered so far (seeds each tap's jitter) */
} Feed;

/* Reads a MIDI file. 0, or -1 with a one-line reason in err (unreadable, no notes). */
int feed_load(Feed *f, const char *path, char *err, size_t errlen);
/* Frees it. */
void feed_deinit(Feed *f);
/* Taps every onset up to absolute step position `until` into the instrument. Returns taps made. */
int feed_until(Feed *f, Instrument *in, double until);
/* The groove of loop `loop` (passes repeat): the taps that snap into its 32 steps, per step
 * the loudest (velocity, offset), a negative offset at step 0 set to 0 - as midi_hvo.h reads
 * a window. What an offline render lines the drums up with. */
void feed_groove(const Feed *f, int64_t loop, Groove *out);
/* The next tap feed_until would make: its absolute position (*velocity set), without taking it. */
double feed_peek(const Feed *f, float *velocity);
/* Takes that tap without playing it into an instrument. */
void feed_skip(Feed *f);
/* Tempo of the file at absolute step position `position` (passes repeat the map). */
float feed_bpm_at(const Feed *f, double position);
/* The same file played as a person on a slow line would (--tap-delay, --tap-jitter): every
 * onset at position p is meant for the moment step0_time + p / steps_per_second (seconds on the
 * tick clock: when the player hears step p) and arrives delay_s (+ a jitter uniform in
 * -jitter_s..jitter_s, deterministic per tap) later, as a keyboard tap at that time. Delivers
 * every onset that has arrived by `now`. Returns taps made. */
int feed_until_time(Feed *f, Instrument *in, double now, double step0_time, double steps_per_second, double delay_s,
                    double jitter_s);
/* The absolute position of the next tempo change after `position` (passes repeat the map),
 * or a huge number when the file has one tempo. */
double feed_next_tempo(const Feed *f, double position);
/* Loops (2 bars) in one pass of the file. */
int feed_loops(const Feed *f);

#endif
