/* timing.h - how tight the player is: taps against the grid, calibration, the audio clock.
 *
 * Three small pure pieces the instrument uses for practice:
 *
 *  - Timing_stats: per loop pass, the taps' distances from the grid in ms (+ = late): count,
 *    mean, spread (standard deviation), per beat (8 per loop) and per step (32); and totals
 *    for the summary at quit ("32 loops, 412 taps, 6 ms late on average, spread 9 ms"). A tap
 *    belongs to the pass of its nearest grid line, so a tap just before the loop line counts
 *    for the next loop. The last TIMING_PASSES passes are kept, so taps that arrive late (a
 *    network, a slow input) still count for the pass they were meant for.
 *
 *  - Calibration: taps played on the click's beats; their distances from the nearest beat in
 *    ms; the median becomes the input's latency compensation, the spread (standard deviation
 *    around the median... reported as the plain standard deviation) shows a bad calibration.
 *    At least TIMING_CALIBRATION_MIN taps.
 *
 *  - Timing_clock: when does the player hear a rendered frame? The audio thread publishes the
 *    render clock (frames rendered ever) at each block's start; the control thread sees it a
 *    little later, at a time of its own clock. The earliest sighting relative to the frame
 *    count is the best estimate of when blocks are rendered (a running minimum of
 *    seen_time - clock / rate, allowed to creep up by TIMING_CLOCK_DRIFT per second so the
 *    audio clock's drift is followed). Heard = rendered + output latency. This takes out the
 *    control thread's polling delay, which used to make every tap read early.
 *
 * Pure: no I/O, no clock of its own, no allocation. Caller-owned structs; control thread.
 */
#ifndef GROOVE_TIMING_H
#define GROOVE_TIMING_H

#include <stddef.h>
#include <stdint.h>

#include "hvo.h"

#define TIMING_PASSES 4
#define TIMING_BEATS (HVO_STEPS / HVO_STEPS_PER_BEAT)   /* 8 beats in a loop */
#define TIMING_CALIBRATION_MAX 64
#define TIMING_CALIBRATION_MIN 8
#define TIMING_CLOCK_DRIFT 1e-4    /* s per s the render-time estimate may creep later */

/* Running moments of a set of distances (ms). */
typedef struct {
    int n;
    double sum, sum_sq;
} Timing_moments;

/* One pass's taps. */
typedef struct {
    int64_t pass;                       /* loop pass, or -1 while unused */
    Timing_moments all;
    Timing_moments beat[TIMING_BEATS];
    Timing_moments step[HVO_STEPS];
} Timing_pass;

typedef struct {
    Timing_pass passes[TIMING_PASSES];  /* ring by pass % TIMING_PASSES */
    Timing_moments total;               /* every tap since start */
    int64_t first_pass, last_pass;      /* passes with taps: first, newest (-1 none) */
} Timing_stats;

void timing_stats_init(Timing_stats *t);
/* Adds a tap of loop pass `pass` on `step` (0..31) at `ms` from its grid line (+ late). */
void timing_stats_add(Timing_stats *t, int64_t pass, int step, double ms);
/* The pass's record, or NULL when it had no taps (or is too old to be kept). */
const Timing_pass *timing_stats_pass(const Timing_stats *t, int64_t pass);
/* Mean and standard deviation (population) of a set; NAN when empty. */
double timing_mean(const Timing_moments *m);
double timing_std(const Timing_moments *m);
/* The summary line for quitting, e.g. "32 loops, 412 taps, 6 ms late on average, spread 9 ms"
 * (loops = the loops played, passed in); "no taps" when there were none. Returns buf. */
const char *timing_summary(const Timing_stats *t, int64_t loops, char *buf, size_t n);
/* A one-line view of a pass for the TUI: "taps 12  +4.2 ms late  spread 6.1 ms", or "". */
const char *timing_line(const Timing_pass *p, char *buf, size_t n);

/* Calibration taps (distances from the nearest beat, ms). */
typedef struct {
    double ms[TIMING_CALIBRATION_MAX];
    int n;
} Calibration;

void calibration_init(Calibration *c);
/* Adds a tap; returns the taps collected (the first TIMING_CALIBRATION_MAX are kept). */
int calibration_add(Calibration *c, double ms);
/* Distance of a step position from its nearest beat, in ms at bpm (+ late). */
double calibration_beat_distance_ms(double position, double bpm);
/* The median (the compensation) and standard deviation (the spread). Returns 0, or -1 with
 * fewer than TIMING_CALIBRATION_MIN taps. */
int calibration_result(const Calibration *c, double *median_ms, double *spread_ms);

/* The headless result line of `groove run --calibrate`: one JSON object, e.g.
 * {"input_latency_ms":35.0,"spread_ms":2.1,"taps":12}. Returns buf. */
const char *calibration_json(double median_ms, double spread_ms, int taps, char *buf, size_t n);

/* The render clock's mapping onto the control thread's clock. */
typedef struct {
    int have;                 /* at least one sighting */
    double offset;            /* render time of clock 0, seconds on the caller's clock */
    double last_seen;         /* time of the last sighting */
    int64_t last_clock;       /* clock of the last sighting */
    int64_t block;            /* frames between the last two distinct sightings (0: unknown) */
} Timing_clock;

void timing_clock_init(Timing_clock *c);
/* A sighting: the published render clock `clock` (frames) seen at time `now` (s). Clock 0
 * is ignored (an engine that has not rendered yet publishes it too). */
void timing_clock_see(Timing_clock *c, int64_t clock, double now, int rate);
/* When the block starting at render clock `clock` was (or will be) rendered, seconds. */
double timing_clock_render_time(const Timing_clock *c, int64_t clock, int rate);

#endif
