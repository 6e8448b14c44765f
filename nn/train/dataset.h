/* dataset.h - the training data: every 2-bar window of the Groove MIDI Dataset in one file.
 *
 * dataset_build() reads a GMD folder (info.csv plus drummerN/sessionM/NAME.mid), keeps the 4/4
 * files, converts each to 2-bar windows with a 1-bar hop (midi_hvo.h) and labels every window
 * with its split (info.csv's train/validation/test), style (primary genre, style.h id),
 * bpm (info.csv), drummer, beat/fill, source file and start bar. Beats and fills are both kept,
 * with the label, so training chooses. Files listed but absent (GMD's held-out test split) are
 * counted, not an error.
 *
 * dataset_save() writes one compact, versioned little-endian file (atomic save):
 *   "GROOVEDS" | u32 version | u32 n_files | u32 n_windows | u32 payload bytes |
 *   u32 FNV-1a checksum of the payload | payload:
 *     n_files x (u16 length, bytes: the MIDI path relative to the GMD folder)
 *     n_windows x (u32 file, u16 bar, u16 drummer, f32 bpm, u8 split, i8 style, u8 is_fill,
 *                  u8 n_hits, u8 n_taps, n_hits x (u8 step, u8 voice, u8 velocity 1..127,
 *                  f32 offset), n_taps x (u8 step, u8 velocity, f32 offset))
 * Velocities are stored as MIDI velocities, so they load exactly as velocity/127.
 * dataset_load() expands it to full Hvo / Groove values for fast training access: about
 * 4 KB per window in memory. A wrong magic or version is refused with a hint to rebuild.
 *
 * The caller owns a Dataset: build or load fill it, dataset_deinit frees it. Read-only use
 * of a loaded Dataset is safe from any number of threads.
 */
#ifndef GROOVE_DATASET_H
#define GROOVE_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "hvo.h"

#define DATASET_VERSION 1

enum { DATASET_SPLIT_TRAIN = 0, DATASET_SPLIT_VALIDATION = 1, DATASET_SPLIT_TEST = 2, DATASET_SPLIT_COUNT = 3 };

/* Which windows dataset_select() returns. */
enum { DATASET_BEATS = 1, DATASET_FILLS = 2, DATASET_BEATS_AND_FILLS = 3 };

/* One 2-bar window and its labels. */
typedef struct {
    Hvo pattern;          /* the 9-voice drums */
    Groove groove;        /* its monotonic groove (hvo_flatten of pattern) */
    float bpm;            /* info.csv tempo of the source file */
    uint32_t file;        /* index into Dataset.files */
    uint16_t drummer;     /* N of "drummerN" */
    uint16_t bar;         /* start bar of the window in its file */
    uint8_t split;        /* DATASET_SPLIT_* */
    int8_t genre;         /* style.h id of the primary genre, -1 unknown */
    uint8_t is_fill;      /* 1 fill, 0 beat */
} Dataset_window;

typedef struct {
    Dataset_window *windows; /* ordered by file, then bar */
    int count;
    char **files;           /* source MIDI paths relative to the GMD folder */
    int n_files;
} Dataset;

/* What dataset_build() did, for its table and for tests. */
typedef struct {
    int files_listed;                           /* rows of info.csv */
    int files_listed_split[DATASET_SPLIT_COUNT];
    int files_used[DATASET_SPLIT_COUNT][2];     /* [split][is_fill]: files that gave windows */
    int files_missing[DATASET_SPLIT_COUNT];     /* listed, no MIDI file on disk */
    int files_meter;                            /* skipped: not 4/4 (info.csv or the file) */
    int files_unreadable;                       /* skipped: the MIDI file would not read */
    int files_empty;                            /* 4/4, read, but no window with a hit */
    int windows[DATASET_SPLIT_COUNT][2];        /* [split][is_fill] */
    int notes, unmapped, collisions;            /* over all windows */
    int unmapped_by_note[128];
    char first_problem[256];                    /* the first unreadable file and why */
} Dataset_report;

/* Builds the dataset from a GMD folder. Fails (-1, reason in err) only when info.csv is
 * missing or malformed or memory runs out; files it cannot use are counted in report
 * (may be NULL). */
int dataset_build(Dataset *d, const char *gmd_dir, Dataset_report *report, char *err, size_t errlen);
/* Writes the dataset file atomically. 0, or -1 with err. */
int dataset_save(const Dataset *d, const char *path, char *err, size_t errlen);
/* Reads a dataset file. 0, or -1 with err (missing file, wrong magic/version, bad checksum). */
int dataset_load(Dataset *d, const char *path, char *err, size_t errlen);
/* Frees a dataset and zeroes it. */
void dataset_deinit(Dataset *d);

/* Writes into indices (room for d->count, or NULL to only count) the windows of split
 * (-1 for all) whose kind is in `kinds` (DATASET_BEATS / _FILLS / _BEATS_AND_FILLS), in
 * dataset order; returns how many. */
int dataset_select(const Dataset *d, int split, int kinds, int *indices);
/* The window that ends where window i starts (same performance, i.e. source file, bar - 2):
 * the part that played just before it, the model's memory. Returns its index, or
 * DATASET_NO_PREVIOUS (i starts the performance, bar < 2), or DATASET_PREVIOUS_SILENT
 * (those 2 bars had no hit, so the dataset holds no window for them). Windows are ordered
 * by file and bar (version 1 files store both: no format change was needed). */
enum { DATASET_NO_PREVIOUS = -1, DATASET_PREVIOUS_SILENT = -2 };
int dataset_previous(const Dataset *d, int i);
/* Counts windows per split and beat/fill: counts[split][is_fill]. */
void dataset_count(const Dataset *d, int counts[DATASET_SPLIT_COUNT][2]);

/* "train", "validation", "test" <-> DATASET_SPLIT_*; unknown name -> -1. */
const char *dataset_split_name(int split);
int dataset_split_from_name(const char *name);

#endif
