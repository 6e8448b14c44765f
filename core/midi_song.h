/* midi_song.h - a song's MIDI file on the bar grid: bar lines from its time signatures and
 * 2-bar windows of drums and groove starting on any bar line.
 *
 * Unlike midi_hvo.h (the dataset's drum performances: bar 0 at tick 0, 4/4 throughout, every
 * channel a drum), a song may change meter and holds other instruments: its bar lines follow
 * its time signatures (a 3/4 pickup moves every later bar line; a bar cut short by a time
 * signature inside it is not a whole bar), and a window takes the drums from chosen notes
 * (channel 10, or every note for a drum file on another channel) and the groove from others.
 *
 * Onsets go on the 16th grid of the window (step = PPQ / 4 ticks) as SPEC.md says: nearest
 * step, offset in [-0.5, 0.5), none before step 0, the louder of two notes on one step (and
 * voice) kept. Drum notes map through voice_from_general_midi (SPEC.md, users' files).
 *
 * Pure functions over a read Smf; midi_song_bars allocates the caller's bar array. Not for the
 * audio thread.
 */
#ifndef GROOVE_MIDI_SONG_H
#define GROOVE_MIDI_SONG_H

#include "hvo.h"
#include "smf.h"

#define MIDI_SONG_MAX_BARS 100000

/* One bar: start and length in ticks, and whether it is a whole bar of 4/4. */
typedef struct {
    double start, length;
    int is_4_4;
} Midi_bar;

/* The bar lines of smf from tick 0 up to its last note-on. Returns the number of bars (*bars
 * malloc'd, the caller frees), 0 when the file has no note-on (*bars NULL), -1 when out of
 * memory or past MIDI_SONG_MAX_BARS. */
int midi_song_bars(const Smf *smf, Midi_bar **bars);

/* What notes a window takes. */
enum { MIDI_SONG_NONE = 0, MIDI_SONG_DRUMS = 1, MIDI_SONG_GROOVE = 2 };

/* Fills the 2-bar window starting at tick `start`: role[i] (for smf->notes[i]; note-offs are
 * ignored) says whether note i is a drum (MIDI_SONG_DRUMS), part of the groove
 * (MIDI_SONG_GROOVE) or neither. drums and groove are cleared first; either may be NULL. */
void midi_song_window(const Smf *smf, double start, const unsigned char *role, Hvo *drums, Groove *groove);

#endif
