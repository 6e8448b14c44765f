/* song.h - a song rendered offline: the loops a session plays, then the mix or one stem.
 *
 * Two steps. song_from_session runs the instrument offline on a session file (read, never
 * written): it plays the chain once (or a number of loops) exactly as `groove run` would -
 * sections, evolve, morph, fills, feel - and keeps what each loop played: the part as heard,
 * its swing, mutes and solos, its section. song_render then plays that list through a private
 * engine with a kit, loop after loop, into a sink: the mix, or one voice alone (a stem).
 *
 * Stems: every voice plays in every pass, the others at level 0 (not muted), so a closed hat
 * chokes the open hat in the open hat's stem just as in the mix. The passes differ only in the
 * voice levels, so the stems add up to the mix sample for sample, up to rounding, wherever
 * the engine's soft limiter is transparent: below ENGINE_LIMIT_KNEE (0.8, -1.9 dBFS). The
 * mix's peak says whether it was (Song_stats.peak); above it the mix is the limited sum.
 *
 * Each loop's pattern and swing are handed to the engine right before it schedules that loop's
 * first step (half a step before the loop line), so a section's swing starts with its loop.
 * After the last loop the pattern is silence and `tail_s` seconds of ring-out follow.
 *
 * Control thread (allocates, runs the model); the kit is only read.
 */
#ifndef GROOVE_SONG_H
#define GROOVE_SONG_H

#include <stddef.h>
#include <stdint.h>

#include "hvo.h"
#include "kit.h"
#include "session.h"

typedef struct {
    Hvo part;              /* the part as heard in this loop (feel applied) */
    Hvo raw;               /* the model's part (MIDI export applies the feel itself: same as part) */
    float swing;
    uint32_t muted, soloed;
    int section;           /* slot (form.h) while a chain plays, else -1 */
} Song_loop;

typedef struct {
    Song_loop *loops;      /* n loops, malloc'd */
    int n;
    float bpm;
    float gain_db[SESSION_MIX_CHANNELS];
    float pan[SESSION_MIX_CHANNELS];
    int chain_loops;       /* loops of one pass of the chain, 0 without a chain */
} Song;

/* Where rendered frames go (interleaved stereo float). Returns 0, or -1 with err to stop. */
typedef int (*Song_sink)(void *user, const float *frames, int n, char *err, size_t errlen);

typedef struct {
    int64_t frames;        /* frames written */
    float peak;            /* largest |sample| */
} Song_stats;

/* Plays the session at session_path offline (model: model_path, NULL = the default). loops > 0:
 * that many loops; 0: the chain once, or 4 loops without a chain. bpm > 0 overrides the
 * session's. Returns 0, or -1 with a one-line reason in err. */
int song_from_session(Song *song, const char *session_path, const char *model_path, int loops, float bpm,
                      char *err, size_t errlen);
/* A song of n loops of one part (Ctrl-E): the part and settings of a session. */
int song_from_part(Song *song, const Session *s, int n, char *err, size_t errlen);
void song_free(Song *song);

/* Frames a render of the song lasts: its loops plus tail_s seconds. */
int64_t song_frames(const Song *song, int rate, float tail_s);
/* Bit per voice: the voices that sound somewhere in the song (a hit, not muted, solo rules). */
unsigned song_voices(const Song *song);
/* Renders the mix (stem -1) or one voice's stem through a private engine at rate with kit. */
int song_render(const Song *song, const Kit *kit, int rate, int stem, float tail_s, Song_sink sink, void *user,
                Song_stats *stats, char *err, size_t errlen);

/* A file name made safe from a name: control characters, '/', '\\' and : * ? " < > | become '_',
 * as does a leading '.' or '-'; letters of any script (UTF-8), digits and spaces stay. Never
 * empty ("untitled"). A multi-byte character may be cut at the end of a short buffer. */
void song_safe_name(const char *name, char *out, size_t len);

#endif
