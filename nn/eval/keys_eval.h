/* keys_eval.h - keys-to-drums evaluation from multi-track MIDI files (`groove eval --midi DIR`).
 *
 * A song file holds a keyboard part and a real drum part. The keyboard's note onsets become
 * the groove (what a player would feed groove), channel 10 is the answer, and the model's
 * drums are scored against it beside two fixed answers scored on the same windows: a rock
 * beat (kick on 1 and 3, snare on 2 and 4, closed hat on every eighth) and silence.
 *
 * Keyboard part: the notes of channels other than 10 whose General MIDI program is 0-23
 * (pianos, chromatic percussion, organs) at the note's time (the last program change on its
 * channel; none yet counts as 0, GM's default). A file with no such note uses all its
 * non-drum notes instead, and says so (Keys_file.source).
 *
 * Windows: 2 bars of 4/4 in step with the file's bar lines (from its time signatures; a bar
 * cut short by a time signature in its middle is not 4/4), with a 2-bar hop: from the first
 * bar, every pair of consecutive 4/4 bars, restarting after any other bar. A window is kept
 * when both its groove and its drums have at least one hit (bar lines and windows: midi_song.h).
 * Onsets are placed on the 16th
 * grid as SPEC.md says (nearest step, offset in [-0.5, 0.5), none before step 0, the louder
 * of two notes of one voice on one step); drum notes map to voices through the General MIDI
 * table (voice_from_general_midi); unmapped drum notes are counted.
 *
 * Rates (a window's pattern, hit = cell > 0.5; see docs/eval.md):
 *   kick on 1      a kick on the first step of both bars (steps 0 and 16);
 *   snare on 2, 4  a snare on the second and fourth beat of both bars (steps 4, 12, 20, 28);
 *   eighth pulse   a closed hat or ride on at least KEYS_PULSE_MIN of the 16 eighth-note
 *                  steps (0, 2, ..., 30);
 *   on groove      the share of all hits that fall on a step where the groove has a hit.
 *
 * Caller-owned Keys_set: keys_set_load fills it, keys_set_deinit frees it. Keys_result is a
 * plain value. Runs on the calling thread; not for the audio thread (files, allocation).
 */
#ifndef GROOVE_KEYS_EVAL_H
#define GROOVE_KEYS_EVAL_H

#include <stddef.h>
#include <stdio.h>

#include "hvo.h"
#include "metrics.h"
#include "model.h"
#include "smf.h"

#define KEYS_PULSE_MIN 14          /* eighth steps of 16 with a closed hat or ride */
#define KEYS_PROGRAM_LAST 23       /* GM programs 0..23: pianos, chromatic percussion, organs */

enum { KEYS_FROM_KEYBOARD = 0, KEYS_FROM_ALL_NON_DRUM = 1 };

/* One 2-bar window of a song. */
typedef struct {
    Groove groove;   /* the keyboard part's onsets */
    Hvo drums;       /* the real drums (channel 10) */
    int file;        /* index into Keys_set.files */
    int bar;         /* the window's first bar (0-based, counted along the file's bar lines) */
} Keys_window;

/* What one file gave. */
typedef struct {
    char *name;          /* path relative to the folder */
    int source;          /* KEYS_FROM_KEYBOARD or KEYS_FROM_ALL_NON_DRUM */
    int windows;         /* kept */
    int bars;            /* bar lines up to the last note */
    int bars_4_4;        /* of those, whole 4/4 bars */
    int groove_notes;    /* note-ons used as the groove (whole file) */
    int drum_notes;      /* note-ons on channel 10 */
    int drum_unmapped;   /* of those, on no voice */
    int skipped;         /* 1: gave no window (why says why) */
    char why[320];
} Keys_file;

typedef struct {
    Keys_window *windows;
    int count;
    Keys_file *files;    /* every MIDI file of the folder, sorted by name */
    int n_files;
    int files_skipped;
} Keys_set;

/* Cuts one read file into windows, appended to set->windows (set->files[file] gets the
 * counts). Returns the number of windows added, or -1 when out of memory. A file that gives
 * none is marked skipped with the reason. */
int keys_add_smf(Keys_set *set, int file, const Smf *smf);

/* Reads every .mid / .midi file (any case) directly in dir, sorted by name, into set. For each
 * file that gives no window (unreadable, no drums, no 4/4 bars, ...) one line
 * "groove: NAME: skipped: REASON" goes to warn (may be NULL). Returns 0, or -1 with err when
 * the folder cannot be read, holds no MIDI file, or memory runs out. */
int keys_set_load(Keys_set *set, const char *dir, FILE *warn, char *err, size_t errlen);
void keys_set_deinit(Keys_set *set);

/* The rates' definitions (1 when the pattern has it). */
int keys_kick_on_one(const Hvo *p);
int keys_snare_two_four(const Hvo *p);
int keys_eighth_pulse(const Hvo *p);

/* Rates over windows. */
typedef struct {
    long windows, kick_on_one, snare_two_four, eighth_pulse;
    long hits, hits_on_groove;
} Keys_rates;
void keys_rates_add(Keys_rates *r, const Hvo *p, const Groove *g);
/* Fractions (0 when no window / no hit). */
double keys_rate(const Keys_rates *r, long count);
double keys_on_groove(const Keys_rates *r);

/* The fixed rock beat: kick on steps 0, 8, 16, 24 (velocity 0.8), snare on 4, 12, 20, 28
 * (0.8), closed hat on every even step (0.6), offsets 0. */
void keys_rock_beat(Hvo *out);

typedef struct {
    int windows;
    int style;                    /* EVAL_STYLE_NONE (only none: songs carry no GMD genre) */
    float thresholds[HVO_VOICES]; /* the model's hit thresholds used */
    Metrics model, rock, silence; /* each against the real drums */
    Keys_rates real_rates, model_rates, rock_rates;
} Keys_result;

/* Runs model over every window of set (input kind keys, z = mu, no genre, beat, no mutes,
 * the model's thresholds or `threshold` for every voice when > 0; as memory, what the model
 * itself played in the window just before when that window is the same song's previous 2
 * bars, else none; models without memory ignore it) and scores it, the rock beat and
 * silence. Returns 0, or -1 with err when the set has no window. */
int keys_eval_run(Model *model, const Keys_set *set, float threshold, Keys_result *r, char *err, size_t errlen);

/* Fits the model's thresholds for a keyboard part on set: the drums' thresholds shifted by
 * one amount for every voice (-0.30 .. +0.30 in steps of 0.01, clamped to [0.05, 0.95])
 * maximising hit F1 (the first, on a tie) over the walk keys_eval_run makes, walked again
 * at each shift (what the model plays is the next window's memory), so the answer does not
 * depend on the keys thresholds the model already has. Returns 0, or -1 with err (no window,
 * out of memory). */
int keys_calibrate(Model *model, const Keys_set *set, float thresholds[HVO_VOICES], char *err, size_t errlen);

/* One JSON object: files, windows, style, then "model", "rock", "silence", "real" objects
 * (hit_accuracy, hit_precision, hit_recall, hit_f1, hits_per_loop, offset_std, kick_on_1,
 * snare_2_4, eighth_pulse, on_groove as they apply) and "per_file". */
void keys_write_json(FILE *f, const Keys_set *set, const Keys_result *r);
/* The same as a readable table. */
void keys_write_text(FILE *f, const Keys_set *set, const Keys_result *r, const char *model_name);

#endif
