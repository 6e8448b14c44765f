/* feed.h - a MIDI file played into the instrument as if a person tapped it (--play-groove).
 *
 * Every note-on of the file (any channel, any note) becomes a tap with its velocity at its
 * exact position, looping over the file's length rounded up to whole 2-bar loops. The
 * instrument's tempo rules; the file's first tempo is offered as the default.
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
} Feed;

/* Reads a MIDI file. 0, or -1 with a one-line reason in err (unreadable, no notes). */
int feed_load(Feed *f, const char *path, char *err, size_t errlen);
/* Frees it. */
void feed_deinit(Feed *f);
/* Taps every onset up to absolute step position `until` into the instrument. Returns taps made. */
int feed_until(Feed *f, Instrument *in, double until);
/* Loops (2 bars) in one pass of the file. */
int feed_loops(const Feed *f);

#endif
