/* dataset_midi.h - a training dataset from a folder of the user's MIDI files, for
 * `groove train --from MODEL --midi DIR` (fine-tuning).
 *
 * Every .mid / .midi file (any case) directly in the folder, sorted by name, is one
 * performance. Its drum part: the notes on channel 10, or, in a file with no channel-10 note
 * whose every note is a General MIDI percussion note on a channel with no program change,
 * all its notes (a drum file exported on another channel); drum notes map through voice_from_general_midi. Other instruments of a
 * multi-track file are not used: as in the Groove MIDI Dataset the window's groove is its
 * drums flattened (hvo_flatten), and the trainer derives its inputs from that.
 *
 * Windows: 2 bars of 4/4 with a 1-bar hop, on the file's bar lines (midi_song.h), every window
 * with at least one drum hit; genre unknown (-1), beat, bpm from the tempo at its start.
 * Split by file, 90/10: file i (0-based, in name order) is validation when i % 10 == 9; with
 * fewer than 10 usable files the last one is. At least 2 usable files are needed.
 *
 * A file that gives no window is skipped with one line "groove: NAME: skipped: REASON" on
 * warn (may be NULL). The Dataset is the caller's (dataset_deinit). Not for the audio thread.
 */
#ifndef GROOVE_DATASET_MIDI_H
#define GROOVE_DATASET_MIDI_H

#include <stdio.h>

#include "dataset.h"

typedef struct {
    int files;          /* MIDI files in the folder */
    int used;           /* files that gave windows */
    int skipped;
    int train_files, validation_files;
} Dataset_midi_report;

/* Builds d from the folder as above. 0, or -1 with err (folder unreadable, no MIDI file,
 * fewer than 2 usable files, out of memory). */
int dataset_from_midi_dir(Dataset *d, const char *dir, FILE *warn, Dataset_midi_report *report, char *err,
                          size_t errlen);

#endif
