/* loop_report.h - one line per loop for scripts and checks: `groove run --headless --json`.
 *
 * The headless instrument prints one JSON object per loop, on one line, at the moment a loop
 * starts playing: what the loop before it did (taps, timing) and what the instrument is now
 * (tempo, sync, generations). This module is the only place that defines those lines: every
 * key, its unit and its meaning are in docs/instrument.md ("Headless loop lines"). Keys are
 * only ever added, never renamed or removed; a value that does not apply (no taps this loop,
 * no Link session) is JSON null, never a made-up number.
 *
 * Control thread only; no allocation.
 */
#ifndef GROOVE_LOOP_REPORT_H
#define GROOVE_LOOP_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "instrument.h"

typedef struct {
    int64_t loop;              /* index of the loop that starts now (0 = the first one played) */
    double bpm;                /* tempo now, beats per minute */
    const char *sync;          /* tempo source: "internal", "link" or "clock" */
    int link_peers;            /* Link peers, or -1 when not in a Link session (null) */
    double link_beat;          /* Link beat at this loop's first step, or NAN (null) */
    int sync_lost;             /* 1 when the sync source (MIDI clock in) was lost and its last
                                  tempo holds, 0 when it is there, -1 (null) for other sources */
    uint64_t generations;      /* model generations since start */
    double gen_us;             /* the last generation's duration, microseconds */
    double gen_max_us;         /* the longest so far, microseconds */
    int hits;                  /* hits in the part this loop plays */
    int changed_cells;         /* hit cells (32 x 9) that differ from the previous loop's part,
                                  or -1 for the first loop (null) */
    int taps;                  /* taps recorded during the previous loop */
    uint64_t taps_total;       /* taps since start */
    double tap_mean_ms;        /* mean tap offset from the grid in ms (+ = late), NAN (null)
                                  when the previous loop had no taps */
    double tap_std_ms;         /* standard deviation of those offsets in ms, NAN (null) */
    const char *section;       /* song section playing ("A".."D", "fill"), or NULL (null) */
    uint64_t xruns;            /* audio underflows since start */
    long rss_kb;               /* resident memory, kB (0 when unknown) */
    const char *input;         /* what the model hears the taps as: "drums", "keys", "taps" */
    int memory;                /* 1: the last generation had a memory (the part that played
                                  before the groove changed), 0: none; -1 null (no model) */
    double tap_beat_ms[TIMING_BEATS]; /* the previous loop's mean tap offset per beat (8 beats,
                                  ms, + late); NAN (null) for a beat without taps */
} Loop_report;

/* Sets every field to "does not apply" (null), sync to "internal". */
void loop_report_init(Loop_report *r);

/* Fills the fields the instrument and the engine know (loop, bpm, generations, hits, taps,
 * xruns), keeping the others as they are. PREV_PART is the part of the previous loop, or NULL
 * for the first loop (then changed_cells stays null). */
void loop_report_fill(Loop_report *r, const Instrument *in, const Engine_stats *stats, const Hvo *prev_part);

/* Writes the report as one JSON object without a newline into buf (always NUL-terminated).
 * Returns the length, or -1 when buf is too small (LOOP_REPORT_MAX is always enough). */
#define LOOP_REPORT_MAX 1024
int loop_report_json(const Loop_report *r, char *buf, size_t n);

#endif
