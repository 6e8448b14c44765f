/* clock.h - the one clock: seconds on the monotonic clock, for timing, deadlines and taps.
 *
 * Every part of groove that measures time reads it here: the instrument's tick and tap times
 * (dev_midi's midi_clock_now is this clock), model timing, benchmarks, the trainer's progress,
 * the terminal's key timing. CLOCK_MONOTONIC never jumps with the wall clock. Thread-safe; no
 * allocation, no lock (safe on the audio thread, though the engine counts frames instead).
 */
#ifndef GROOVE_CLOCK_H
#define GROOVE_CLOCK_H

#ifdef __cplusplus
extern "C" {   /* app/dev/link.cpp reads it too */
#endif

/* Seconds since an arbitrary fixed point (monotonic, nanosecond resolution). */
double clock_seconds(void);
/* Seconds of CPU time the calling thread has used (which preemption does not inflate). */
double clock_thread_cpu_seconds(void);

#ifdef __cplusplus
}
#endif

#endif
