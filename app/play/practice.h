/* practice.h - the practice options of `groove run` and how a run applies them.
 *
 * The click (--click; its level is the mixer's click strip), the count-in (--count-in 0|1|2 bars), when a new part
 * takes over (--respond loop|bar|beat), the input latency compensation for one run
 * (--input-latency MS), a calibration (--calibrate), and for tests and scripts a
 * --play-groove file played as if over a slow line (--tap-delay MS, --tap-jitter MS). The
 * command (app/cli/cmd_run.c) lists the long options and hands each value here, so every
 * rule about them lives in one place; the headless loops call practice_feed to play the file.
 *
 * Pure (no I/O but the one-line usage messages of core/options.h); control thread.
 */
#ifndef GROOVE_PRACTICE_H
#define GROOVE_PRACTICE_H

#include "feed.h"
#include "instrument.h"

typedef enum {
    PRACTICE_CLICK = 1,
    PRACTICE_COUNT_IN,
    PRACTICE_RESPOND,
    PRACTICE_TAP_DELAY,
    PRACTICE_TAP_JITTER,
    PRACTICE_INPUT_LATENCY,
    PRACTICE_CALIBRATE
} Practice_option;

typedef struct {
    int click;               /* --click (its level: the mixer's click strip, --gain click=DB) */
    int count_in;            /* --count-in bars */
    int respond;             /* --respond: 32, 16 or 4 steps */
    double tap_delay_ms;     /* --tap-delay, < 0: not given (taps at their exact positions) */
    double tap_jitter_ms;    /* --tap-jitter (only with --tap-delay) */
    double input_latency_ms; /* --input-latency in ms (negative: the player is early), NAN: the config's */
    int calibrate;           /* --calibrate */
} Practice_options;

void practice_options_init(Practice_options *p);
/* Reads one option's value (arg NULL for the flags). OPTIONS_OK, or OPTIONS_USAGE (said). */
int practice_option(Practice_options *p, Practice_option which, const char *arg);
/* Checks the options together: --tap-delay/--tap-jitter need --headless and --play-groove,
 * --tap-jitter needs --tap-delay. OPTIONS_OK or OPTIONS_USAGE (said). */
int practice_check(const Practice_options *p, int headless, int have_feed);
/* Applies them to a fresh instrument (click, count-in, respond; a calibration starts
 * when the transport starts, see practice_start). */
void practice_apply(const Practice_options *p, Instrument *in);
/* Starts the transport (and the calibration when asked). */
void practice_start(const Practice_options *p, Instrument *in);
/* Plays the file in up to `now`: with --tap-delay each tap arrives late at its time (offline:
 * the render's own clock, where frame 0 is the transport's first step; real time: the
 * instrument's estimate), otherwise at exact positions up to `ahead` steps past the playhead.
 * Returns taps made. */
int practice_feed(const Practice_options *p, Feed *feed, Instrument *in, double now, int offline, double ahead);

#endif
