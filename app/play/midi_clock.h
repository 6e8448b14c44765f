/* midi_clock.h - MIDI clock: following an external clock, and generating one (pure).
 *
 * MIDI clock is 24 pulses (0xF8) per quarter note; Start (0xFA) plays from the top, Continue
 * (0xFB) from the Song Position Pointer (0xF2, 14 bits LSB first, in 16th notes = 6 pulses),
 * Stop (0xFC) stops. A receiver starts on the first pulse after Start or Continue.
 *
 * The follower (Midi_clock_in) is fed timestamped messages and answers: the tempo, whether the
 * transport runs, the song position in beats at any time, and whether the clock was lost. The
 * tempo is a least-squares line through the last MIDI_CLOCK_WINDOW pulse times (2 beats): pulse
 * jitter averages out (with +-2 ms on 25 ms pulses the fit is within 0.1 BPM once it holds 24
 * pulses) and a tempo change is fully taken within 2 beats. The song position between pulses is
 * read off the same line, so it moves smoothly. When pulses stop (no pulse for
 * MIDI_CLOCK_LOST_PULSES periods, and at least MIDI_CLOCK_LOST_MIN_S), the clock is lost: the
 * last tempo holds and the position runs on at it; the next pulse starts a fresh fit.
 *
 * The generator (Midi_clock_out) turns one rendered block of the transport (playing or not,
 * step position at its first frame, frames per 16th step) into the messages due in that block
 * at their exact (fractional) frame offsets: Start where step 0 falls (at once, with the pulses
 * already due, when the transport started less than a step late: a clock in that arrives late),
 * pulses every 1/6 step, Stop when the transport stops, Song Position Pointer + Continue when it
 * starts mid-song (a step or more in). The
 * frames come from the engine's clock, so the pulses do not depend on any thread's timing.
 *
 * Times are seconds on one clock of the caller's choosing; no allocation; any one thread per
 * struct (the sync module runs both on the audio thread).
 */
#ifndef GROOVE_MIDI_CLOCK_H
#define GROOVE_MIDI_CLOCK_H

#include <stdint.h>

#define MIDI_CLOCK_PPQN 24          /* pulses per quarter note */
#define MIDI_CLOCK_PER_STEP 6       /* pulses per 16th note (one step, one SPP unit) */
#define MIDI_CLOCK_WINDOW 48        /* pulses in the tempo fit: 2 beats */
#define MIDI_CLOCK_LOST_PULSES 6.0  /* periods without a pulse before the clock counts as lost */
#define MIDI_CLOCK_LOST_MIN_S 0.1   /* ... and at least this long */

enum {
    MIDI_RT_CLOCK = 0xf8,
    MIDI_RT_START = 0xfa,
    MIDI_RT_CONTINUE = 0xfb,
    MIDI_RT_STOP = 0xfc,
    MIDI_SONG_POSITION = 0xf2
};

/* ---- follower ---- */

typedef struct {
    double t[MIDI_CLOCK_WINDOW]; /* times of the last pulses; pulse i at t[i % WINDOW] */
    int64_t pulses;              /* pulses received since init */
    int n;                       /* pulses in the fit (<= MIDI_CLOCK_WINDOW) */
    double fit_t;                /* fitted time of the newest pulse (pulses - 1) */
    double fit_period;           /* fitted seconds per pulse; 0 before two pulses */
    double last_t;               /* time of the newest pulse */
    int armed;                   /* Start/Continue received, waiting for the first pulse */
    int running;                 /* the transport runs (a pulse came after Start/Continue) */
    int64_t armed_song;          /* song position (pulses) the next first pulse will have */
    int64_t first_pulse;         /* index of the first pulse after Start/Continue */
    int64_t first_song;          /* its song position (pulses) */
    int64_t spp;                 /* song position (pulses) a Continue resumes from */
    uint32_t starts;             /* transport starts so far (Start or Continue taking effect) */
} Midi_clock_in;

void midi_clock_in_init(Midi_clock_in *c);
/* Feeds one message (status byte first, n bytes) received at time t. Messages must come in
 * time order; anything that is not clock, Start, Continue, Stop or SPP is ignored. */
void midi_clock_in_feed(Midi_clock_in *c, const uint8_t *msg, int n, double t);
/* The tempo from the pulses, BPM; 0 before two pulses. */
double midi_clock_in_bpm(const Midi_clock_in *c);
/* 1 when pulses came and then stopped for longer than the lost threshold at time t. */
int midi_clock_in_lost(const Midi_clock_in *c, double t);
/* 1 while the transport runs (Start/Continue and a pulse after it, no Stop since). */
int midi_clock_in_running(const Midi_clock_in *c);
/* Song position at time t in beats (quarter notes) from the song's start, read off the fitted
 * line (FALLBACK_BPM when there is no tempo yet). Meaningful only while running. */
double midi_clock_in_beat(const Midi_clock_in *c, double t, double fallback_bpm);

/* ---- generator ---- */

/* One message out at a frame offset inside the block. */
typedef struct {
    double frame;                /* frames after the block's first frame (fractional) */
    uint8_t bytes[3];
    uint8_t n;
} Midi_clock_msg;

typedef struct {
    int playing;                 /* Start or Continue went out, no Stop since */
    int pending;                 /* the transport runs, waiting for step 0 (or a block) to start */
    int64_t next_pulse;          /* next pulse to send, counted from step 0 */
} Midi_clock_out;

void midi_clock_out_init(Midi_clock_out *g);
/* The messages of one block: PLAYING is the transport during the block, STARTED 1 when it
 * (re)started at the block's first frame, STEP the absolute step position there (negative
 * before step 0), FRAMES_PER_STEP the tempo, FRAMES the block's length. Writes at most MAX
 * messages to OUT in time order; returns how many. */
int midi_clock_out_block(Midi_clock_out *g, int playing, int started, double step, double frames_per_step,
                         int frames, Midi_clock_msg *out, int max);
/* The Stop to send when output ends while playing: 1 (written to *out at frame 0) or 0. */
int midi_clock_out_finish(Midi_clock_out *g, Midi_clock_msg *out);

#endif
