/* smf.h - Standard MIDI File reader and writer.
 *
 * Reads SMF format 0 and 1 with any PPQ (ticks per quarter note): running status, note-on with
 * velocity 0 read as note-off, program changes, the tempo map and time signatures from meta
 * events, short escape events (0xF7: MIDI clock and other real-time bytes); sysex and every
 * other event are skipped (and counted). SMPTE time divisions and format 2 are refused.
 * Malformed input (truncated chunks, lengths past the end, bad variable-length numbers, absurd
 * sizes, garbage) gives an error string, never a crash, a hang or an unbounded allocation:
 * files are capped at SMF_MAX_FILE_BYTES and every allocation is bounded by the file's size.
 *
 * All tracks are merged into one time-ordered list of notes (ticks from the file's start).
 * The writer produces format 0 (one track) from the same struct (notes, tempos, time
 * signatures; program changes are read only).
 *
 * The caller owns an Smf: smf_read_* fill it (zero it first or not: they overwrite it),
 * smf_deinit frees it. Pure over its arguments plus file I/O: safe from any thread except the
 * audio thread (it allocates and touches files).
 */
#ifndef GROOVE_SMF_H
#define GROOVE_SMF_H

#include <stddef.h>
#include <stdint.h>

#define SMF_MAX_FILE_BYTES (16u << 20) /* larger files are refused */
#define SMF_MAX_TICK 0x7fffffffu       /* absolute ticks beyond this are refused */
#define SMF_DEFAULT_US_PER_QUARTER 500000u /* 120 bpm, when a file has no tempo at tick 0 */
#define SMF_NAMED_TRACKS 16              /* tracks that can carry a name when written */
#define SMF_DRUM_CHANNEL 9             /* 0-based: General MIDI "channel 10" */

/* One note-on or note-off. */
typedef struct {
    uint32_t tick;     /* absolute, from the file's start */
    uint16_t track;    /* track chunk it came from (0-based) */
    uint8_t channel;   /* 0..15 */
    uint8_t note;      /* 0..127 */
    uint8_t velocity;  /* note-on: 1..127; note-off: its release velocity */
    uint8_t on;        /* 1 note-on, 0 note-off (a note-on with velocity 0 reads as off) */
} Smf_note;

/* A program change: from tick on, the channel plays General MIDI program `program` (0..127). */
typedef struct {
    uint32_t tick;
    uint16_t track;
    uint8_t channel;
    uint8_t program;
} Smf_program;

/* A tempo change: from tick on, a quarter note lasts us_per_quarter microseconds. */
typedef struct {
    uint32_t tick;
    uint32_t us_per_quarter;
} Smf_tempo;

/* An escape event (0xF7, length, bytes): bytes that have no SMF event of their own, such as
 * MIDI system real-time (clock 0xF8, Start 0xFA, Stop 0xFC) or a Song Position Pointer, at their
 * time. Escapes of up to SMF_ESCAPE_MAX bytes are kept; longer ones (and sysex, 0xF0) are
 * skipped and counted. */
#define SMF_ESCAPE_MAX 4
typedef struct {
    uint32_t tick;
    uint8_t n;                      /* 1..SMF_ESCAPE_MAX */
    uint8_t bytes[SMF_ESCAPE_MAX];
} Smf_escape;

/* A time signature: numerator / denominator (the real denominator: 4, 8, ...). */
typedef struct {
    uint32_t tick;
    uint8_t numerator;
    uint8_t denominator;
} Smf_time_sig;

typedef struct {
    int format;             /* 0 or 1 (the writer always writes 0) */
    int ppq;                /* ticks per quarter note, 1..32767 */
    int n_tracks;           /* track chunks read */
    Smf_note *notes;         /* all tracks merged, ordered by tick, then track, then file order */
    int n_notes;
    Smf_tempo *tempos;       /* ordered by tick; empty means 120 bpm throughout */
    int n_tempos;
    Smf_time_sig *time_sigs;  /* ordered by tick; empty means 4/4 throughout */
    int n_time_sigs;
    Smf_program *programs;   /* ordered by tick, then track, then file order */
    int n_programs;
    Smf_escape *escapes;     /* ordered by tick, then file order */
    int n_escapes;
    uint32_t end_tick;      /* latest tick of any event, end-of-track included */
    int n_skipped;          /* events read and ignored: sysex, controllers, other metas */
    const char *track_names[SMF_NAMED_TRACKS];   /* writer, format 1: track t's name (a track
                                                     name meta; static strings), or NULL; the
                                                     reader leaves them NULL */
} Smf;

/* Reads a MIDI file. Returns 0, or -1 with a one-line reason in err (no file name in it). */
int smf_read_file(Smf *smf, const char *path, char *err, size_t errlen);
/* Reads a MIDI file held in memory (size bytes at data). Same contract as smf_read_file. */
int smf_read_memory(Smf *smf, const uint8_t *data, size_t size, char *err, size_t errlen);
/* Frees what a read or the caller put in smf and zeroes it. */
void smf_deinit(Smf *smf);

/* Encodes smf as a format-0 file: header, one track with its tempos, time signatures, escapes
 * and notes (merged by tick; at one tick: metas, then escapes in their order, then note-offs,
 * then note-ons), end of track.
 * With format 1: one track chunk per note track (Smf_note.track; at least n_tracks), the
 * tempos, time signatures and escapes in track 0 (the tempo map), each track named from
 * track_names.
 * Notes need not be sorted. On success *out is malloc'd (caller frees), *len its size;
 * returns 0, or -1 with a reason in err. */
int smf_write_memory(const Smf *smf, uint8_t **out, size_t *len, char *err, size_t errlen);
/* Writes smf to path atomically (temp file, fsync, rename). Returns 0 or -1 with err. */
int smf_write_file(const Smf *smf, const char *path, char *err, size_t errlen);

/* The program channel plays at tick: the last program change on that channel at or before
 * tick (any track), else -1 (none yet; General MIDI's default is 0). */
int smf_program_at(const Smf *smf, int channel, uint32_t tick);

/* Seconds from the file's start to tick, through the tempo map. */
double smf_tick_to_seconds(const Smf *smf, uint32_t tick);
/* Microseconds per quarter note in force at tick. */
uint32_t smf_tempo_at(const Smf *smf, uint32_t tick);

#endif
