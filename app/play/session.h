/* session.h - the session: everything a player would hate to lose, saved on every change.
 *
 * A session is the groove the player played, the drum part playing now, the rows the player
 * kept (frozen), and the settings (tempo, swing, density, temperature, thresholds, style,
 * fill, variation seed, mutes, solos, recording mode). It is a plain value: copying it is a
 * snapshot (undo.h keeps those).
 *
 * On disk it is a versioned text file, one `key value...` per line, hits listed one per line,
 * closed by `end CRC` (CRC-32 of every byte before that line), so a truncated or garbled file
 * is caught, not half-read:
 *
 *     groove-session 2
 *     bpm 100
 *     ...
 *     tap 0 0.8 -0.02          groove hit: step velocity offset
 *     hit 0 0 0.9 0            part hit: step voice velocity offset
 *     end 1c291ca3
 *
 * Saves are atomic (temp file, fsync, rename). The autosave lives in the XDG state dir:
 * $XDG_STATE_HOME/groove/session, or ~/.local/state/groove/session. A session file that will
 * not load is reported and set aside (renamed *.corrupt-TIME), never overwritten.
 *
 * Pure but for file I/O; not for the audio thread. The caller owns every struct.
 */
#ifndef GROOVE_SESSION_H
#define GROOVE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "hvo.h"

#define SESSION_VERSION 2       /* 2: evolve, morph, feel, mixer, one-bar repeat, song form */
#define SESSION_VERSION_MIN 1   /* oldest version still read */
#define SESSION_MIX_CHANNELS 10 /* mixer strips: the 9 voices, then the click */
#define SESSION_MIX_CLICK 9
#define SESSION_GAIN_DB_MIN (-60.0f)
#define SESSION_GAIN_DB_MAX 12.0f
#define SESSION_BPM_MIN 40.0f
#define SESSION_BPM_MAX 300.0f

/* Settings: what the controls set. */
typedef struct {
    float bpm;                      /* SESSION_BPM_MIN..SESSION_BPM_MAX */
    float swing;                    /* 0..0.5: odd 16ths sound this many steps late */
    float density;                  /* 0..1, 0.5 = as the model likes it */
    float temperature;              /* 0.1..4 */
    float thresholds[HVO_VOICES];   /* 0..1, per voice hit threshold */
    uint32_t thresholds_set;        /* bit per voice: the player set it (else the model's) */
    int32_t genre;                  /* -1 none, else a style id (style.h) */
    int32_t fill_every;             /* 0 never, N: a fill on every Nth loop */
    uint32_t seed;                  /* the variation's latent sample seed */
    int32_t variation;              /* 0 = the mean latent, N = Nth sampled variation */
    uint32_t kept;                  /* bit per voice: row frozen while others regenerate */
    uint32_t muted;                 /* bit per voice */
    uint32_t soloed;                /* bit per voice */
    int32_t record_mode;            /* Live_mode: 0 overdub, 1 replace */
    /* version 2 (issue 16); a version 1 file reads as the defaults below, bar_repeat 0 */
    float evolve;                   /* 0..1: the latent's walk per loop (evolve.h) */
    float morph;                    /* 0..1: A/B morph amount */
    int32_t morph_rate;             /* 0, or loops per A -> B -> A cycle (1..64) */
    float feel_timing;              /* 0 on the grid, 1 the model's micro-timing, up to 1.5 */
    float feel_velocity;            /* 0 flat, 1 the model's velocity range, up to 1.5 */
    int32_t bar_repeat;             /* 1: a groove with an empty bar 2 is fed as bar 1 twice */
    float gain_db[SESSION_MIX_CHANNELS];  /* level, dB (SESSION_GAIN_DB_MIN..MAX) */
    float pan[SESSION_MIX_CHANNELS];      /* -1 left .. 1 right */
} Session_settings;

struct Form;   /* form.h: the song form saved with the session */

typedef struct {
    Groove groove;                  /* what the player played */
    Hvo part;                       /* the drum part playing now */
    Session_settings settings;
    struct Form *form;              /* not owned: the song form written and read with the
                                       session (form.h), or NULL (none; its lines are then
                                       skipped when read) */
    int32_t unsaved;                /* changed since the last named save (the [+] mark): a
                                       line "unsaved 1" so the mark survives a restart */
} Session;

typedef enum {
    SESSION_OK = 0,
    SESSION_MISSING,                /* no file: a fresh start */
    SESSION_CORRUPT,                /* the file is there but will not load */
    SESSION_IO_ERROR                /* it could not be read at all */
} Session_status;

/* A fresh session: silence, the published default thresholds, 100 BPM. */
void session_defaults(Session *s);
/* Clamps every field into range (after edits, or a hand-made file). */
void session_clamp(Session *s);

/* Serialises a session to text. Returns a malloc'd NUL-terminated string (caller frees),
 * or NULL when out of memory; *len gets its length. */
char *session_to_text(const Session *s, size_t *len);
/* Parses a session from text (len bytes). Returns SESSION_OK, or SESSION_CORRUPT with a
 * one-line reason in err (bad header, newer version, bad line, checksum mismatch, values
 * out of range). `out` is only written on success. */
Session_status session_from_text(const char *text, size_t len, Session *out, char *err, size_t errlen);

/* The same, also reading the song form's lines into `into` (form.h; NULL: they are skipped).
 * On success out->form is `into`; the form is only written on success. */
Session_status session_from_text_form(const char *text, size_t len, Session *out, struct Form *into, char *err,
                                      size_t errlen);

/* Saves atomically. Returns 0, or -1 with a one-line reason in err. */
int session_save(const Session *s, const char *path, char *err, size_t errlen);
/* Loads a session file (same contract as session_from_text, plus SESSION_MISSING and
 * SESSION_IO_ERROR). */
Session_status session_load(const char *path, Session *out, char *err, size_t errlen);
/* Renames a bad session file out of the way (path.corrupt-YYYYmmdd-HHMMSS). Returns 0 and
 * the new name in moved_to, or -1 with err. */
Session_status session_load_form(const char *path, Session *out, struct Form *into, char *err, size_t errlen);
int session_set_aside(const char *path, char *moved_to, size_t moved_len, char *err, size_t errlen);
/* Finds the autosave path (see above), creating its directory. Returns 0, or -1 with err. */
int session_default_path(char *path, size_t len, char *err, size_t errlen);
/* Returns a short word for a status. */
const char *session_status_str(Session_status st);

#endif
