/* midi_hvo.h - MIDI files <-> HVO patterns and grooves (../shared/SPEC.md).
 *
 * The grid lives in musical time: a step is a 16th note = ppq/4 ticks, a bar of 4/4 is 16
 * steps, bar 0 starts at tick 0. Working in ticks means the file's own PPQ sets the step and
 * a tempo change moves no note off its beat; the tempo map gives each window its bpm.
 *
 * A note's onset at s steps (s = tick / (ppq/4)) snaps to the nearest grid line
 * n = floor(s + 0.5), offset = s - n, so offsets lie in [-0.5, 0.5). A window starting at bar
 * b holds steps 16b .. 16b+31: the notes with n in that range. A negative offset at the
 * window's step 0 becomes 0 (a hit never sounds before the loop starts). Where two notes of
 * one voice fall on one step the louder is kept (the first, when equally loud). GM notes map
 * to voices with voice_from_gm_note(); others (35, 41, ...) are counted, not used.
 * Notes of every channel count (a drum file need not use channel 10).
 *
 * Dataset windows: 2 bars, 1-bar hop, every start bar whose whole window lies inside the
 * performance: it ends at most one step after the last note event (GMD's info.csv duration is
 * that moment; end-of-track metas often sit far later). So no window is padded with silence,
 * except that a file shorter than 2 bars (a fill) gives one window at bar 0. A window with no hit is not a
 * window (the caller skips it). Only 4/4 makes windows: midi_part_check_meter() says why a
 * file is refused. Any bar 0 .. n_bars-1 can still be converted (show, generate): bars past
 * the last note are silence.
 *
 * A groove from any MIDI file: every note-on of every channel is a tap (whatever its note);
 * per step the loudest tap sets velocity and offset. The bar grid is 4 quarter notes.
 *
 * Export: each voice as its first GM note (voice_gm_note), channel 10, PPQ MIDI_HVO_PPQ,
 * offsets honoured to the tick, so pattern -> MIDI -> pattern gives the pattern back (exact
 * for offsets on the 1/(MIDI_HVO_PPQ/4) grid and velocities k/127).
 *
 * Caller-owned Midi_part with _load/_deinit; everything else is pure. Not for the audio thread.
 */
#ifndef GROOVE_MIDI_HVO_H
#define GROOVE_MIDI_HVO_H

#include <stddef.h>

#include "hvo.h"
#include "smf.h"

#define MIDI_HVO_PPQ 960 /* PPQ of the files we write: 240 ticks per step */
#define MIDI_HVO_MAX_BARS 1000000 /* longer files are refused (keeps bar/step counts in int) */

/* One note onset on the step grid. */
typedef struct {
    double step;          /* onset in 16th-note steps from tick 0 (not snapped) */
    unsigned char note;   /* MIDI note */
    unsigned char velocity; /* 1..127 */
    unsigned char channel;  /* 0..15 */
} Midi_onset;

/* Which note -> voice map a part converts with (see hvo.h). */
typedef enum {
    MIDI_MAP_GM = 0,      /* General MIDI percussion, every note 27..87: files from users (default) */
    MIDI_MAP_DATASET      /* the GMD's Roland TD-11 map: the dataset, training, evaluation */
} Midi_note_map;

/* One bar of the file, from its time signatures. */
typedef struct {
    double start_step;    /* where it starts, 16th steps from tick 0 */
    double steps;         /* its length in 16th steps (4/4: 16, 3/4: 12, 7/8: 14) */
    int numerator, denominator;
} Midi_bar;

/* Two bars the model reads or writes as one 2-bar pattern: the file's 4/4 bars taken in
 * order, two at a time, so the pattern's bar lines are the file's own. bar[1] is -1 when
 * a 4/4 stretch ends after an odd bar and no 4/4 bar follows (the pattern's second bar is
 * then not placed anywhere). */
typedef struct {
    int bar[2];
} Midi_window;

/* A MIDI file read as onsets on the 16th grid, plus what is needed to window it. */
typedef struct {
    Midi_onset *onsets;    /* every note-on of every channel, ordered by step */
    int n_onsets;
    int ppq;
    int n_bars;           /* bars (of the file's meters) up to the last onset (snapped); 0 when none */
    Midi_bar *bars;       /* the first n_bars bars; midi_part_bar() gives any bar, also later ones */
    double end_step;      /* the file's end (end of track) in steps */
    double notes_end_step; /* the last note event (on or off) in steps */
    int meter_numerator;  /* first time signature (4/4 when the file has none) */
    int meter_denominator;
    int meter_is_4_4;     /* 1 when every time signature in the file is 4/4 */
    Smf_tempo *tempos;     /* the file's tempo map (copied; ticks at ppq), for bpm_at and writing */
    int n_tempos;
    Smf_time_sig *time_sigs; /* the file's time signatures (copied; ticks at ppq) */
    int n_time_sigs;
    Midi_note_map note_map; /* MIDI_MAP_GM unless the caller sets it (the dataset does) */
} Midi_part;

/* What a conversion saw: reported by `groove show` and the dataset builder. */
typedef struct {
    int notes;            /* note-ons inside the window(s) */
    int mapped;           /* of those, on a voice */
    int unmapped;         /* of those, on no voice (35, 41, ...) */
    int unmapped_by_note[128];
    int collisions;       /* mapped notes dropped because a louder one held their step and voice */
    int step0_clamped;    /* negative offsets at a window's step 0 set to 0 */
} Midi_hvo_stats;

/* Reads a MIDI file into a part. Returns 0, or -1 with a one-line reason in err. */
int midi_part_load(Midi_part *part, const char *path, char *err, size_t errlen);
/* Builds a part from an already-read Smf (the Smf stays the caller's). 0 or -1 with err. */
int midi_part_from_smf(Midi_part *part, const Smf *smf, char *err, size_t errlen);
/* Frees a part and zeroes it. */
void midi_part_deinit(Midi_part *part);

/* Returns 1 when the part is 4/4 throughout; otherwise 0 with the reason in why
 * ("time signature 3/4", "time signature changes to 6/8 at bar 12"). */
int midi_part_check_meter(const Midi_part *part, char *why, size_t whylen);
/* Number of dataset window start bars (0 .. count-1; see above): 0 for a part with no note. */
int midi_part_window_count(const Midi_part *part);
/* Tempo (beats per minute) in force at a step. */
double midi_part_bpm_at(const Midi_part *part, double step);
/* Seconds from the file's start to a step, through the whole tempo map. */
double midi_part_seconds_at(const Midi_part *part, double step);
/* The step (from the file's start) of the first tempo change after `step`, or a huge number
 * when none follows. */
double midi_part_next_tempo_step(const Midi_part *part, double step);
/* Bar b (0-based) of the part, also past n_bars (later bars continue the last meter). */
Midi_bar midi_part_bar(const Midi_part *part, int bar);
/* 1 when bar b is a 4/4 bar (the only meter the model plays). */
int midi_part_bar_is_4_4(const Midi_part *part, int bar);
/* 1 when the part is a drum part: at least half of its notes are on channel 10 (index 9). */
int midi_part_is_drums(const Midi_part *part);
/* The voice a note lands on under the part's map, or -1. */
int midi_part_voice(const Midi_part *part, int note);

/* The one rule every command follows for meters: the 4/4 bars from first_bar to the last
 * bar, two at a time (see Midi_window). Fills *out (malloc'd, caller frees) and returns the
 * number of windows (0 when no 4/4 bar is left: *out is then NULL), or -1 out of memory.
 * A last 4/4 bar that ends the file pairs with the (silent) bar after it, as before. */
int midi_part_windows(const Midi_part *part, int first_bar, Midi_window **out);
/* One line naming the bars from first_bar on that are not 4/4 and so are skipped, with
 * their meters: "bars 0 (2/4), 5-7 (3/4) are not 4/4 (groove plays 4/4 bars only)".
 * Returns how many bars are skipped (0: line is ""). */
int midi_part_skipped_bars(const Midi_part *part, int first_bar, char *line, size_t len);

/* Converts the 2-bar window starting at start_bar to a pattern (SPEC.md rules above).
 * stats, when not NULL, is added to (zero it first). Returns the number of hits. */
int midi_part_to_hvo(const Midi_part *part, int start_bar, Hvo *out, Midi_hvo_stats *stats);
/* Converts the 2-bar window starting at start_bar to a groove: every note is a tap. Returns
 * the number of groove hits. */
int midi_part_to_groove(const Midi_part *part, int start_bar, Groove *out);
/* The same for a window of two bars that need not be neighbours (midi_part_windows): the
 * pattern's steps 0-15 come from bar w.bar[0], 16-31 from w.bar[1] (none when -1), each
 * snapped on its own bar's grid. */
int midi_part_window_to_hvo(const Midi_part *part, Midi_window w, Hvo *out, Midi_hvo_stats *stats);
int midi_part_window_to_groove(const Midi_part *part, Midi_window w, Groove *out);

/* Convenience: reads path and converts the window at bar. 0, or -1 with err (unreadable file,
 * no note, bar outside 0 .. n_bars-1). midi_file_to_hvo also refuses meters other than 4/4. */
int midi_file_to_groove(const char *path, Groove *out, int bar, char *err, size_t errlen);
int midi_file_to_hvo(const char *path, Hvo *out, int bar, Midi_hvo_stats *stats, char *err, size_t errlen);

/* Builds a format-0 Smf of n_patterns patterns played one after the other (a longer part)
 * at bpm, channel 10, PPQ MIDI_HVO_PPQ. smf is the caller's (smf_deinit it). 0 or -1. */
int hvo_to_smf(const Hvo *patterns, int n_patterns, float bpm, Smf *smf, char *err, size_t errlen);
/* The same with swing: odd 16th steps come `swing` steps late (0..0.5, as the engine plays
 * them), on top of each hit's offset. With swing the file does not read back to the pattern. */
int hvo_to_smf_swing(const Hvo *patterns, int n_patterns, float bpm, float swing, Smf *smf, char *err,
                     size_t errlen);
/* Writes n_patterns patterns in a row to a MIDI file (atomic save). 0, or -1 with err. */
int hvo_write_midi(const char *path, const Hvo *patterns, int n_patterns, float bpm, char *err,
                   size_t errlen);
/* hvo_write_midi with swing (see hvo_to_smf_swing): what the engine plays, for export. */
int hvo_write_midi_swing(const char *path, const Hvo *patterns, int n_patterns, float bpm, float swing,
                         char *err, size_t errlen);
/* Builds a format-0 Smf that lays n patterns on a part's own timeline: pattern i's bar k
 * (steps 16k..16k+15) starts where bar windows[i].bar[k] of the part starts (none when -1),
 * and the file carries the part's tempo map and time signatures (ticks rescaled to
 * MIDI_HVO_PPQ), so its bars and seconds line up with the part's. bpm > 0 replaces the tempo
 * map by one tempo. 0 or -1 with err. */
int hvo_windows_to_smf(const Hvo *patterns, const Midi_window *windows, int n, const Midi_part *part, float bpm,
                       Smf *smf, char *err, size_t errlen);
/* The same as hvo_write_midi_swing, as a format-1 file for a DAW: track 0 holds the tempo map
 * (tempo, 4/4), then one track per voice that plays (kick, snare, ...: named, in voice order,
 * channel 10). Atomic. Returns 0 or -1 with err. */
int hvo_write_midi_tracks(const char *path, const Hvo *patterns, int n_patterns, float bpm, float swing, char *err,
                          size_t errlen);
/* Makes an Smf of drum notes (channel 10, GM notes) a format-1 file as above: track 0 the tempo
 * map, a named track per voice that plays. */
void hvo_smf_voice_tracks(Smf *smf);

/* Writes grooves in a row to a MIDI file, every tap as GM note `note` on channel 10. */
int groove_write_midi(const char *path, const Groove *grooves, int n_grooves, float bpm, int note,
                      char *err, size_t errlen);

#endif
