/* kit.h - drum kits: one set of samples per voice, loaded and resampled before playing.
 *
 * A kit is found by a spec: a folder of audio files named by voice (kick.wav, snare.flac,
 * closed_hat.aiff, ... see kit_voice_file_names), a Hydrogen drumkit folder (drumkit.xml), a
 * path to a drumkit.xml, or a name that kit_find looks up among the known kit places: the
 * default kit ("default": samples/ beside the executable, found through /proc/self/exe), the
 * XDG data dir ($XDG_DATA_HOME/groove/kits, else ~/.local/share/groove/kits, and
 * ~/.local/share/hydrogen/data/drumkits) and Debian's /usr/share/hydrogen/data/drumkits.
 *
 * Hydrogen drumkits come in two layouts: an instrument with a <filename> (old) or with
 * <layer>s (or <instrumentComponent><layer>s) each holding <filename>, <min>, <max>, <gain>
 * (velocity layers). Instruments map to voices by the words in their names first (kick, snare,
 * hat, tom, floor, crash, ride, then percussion words by their General MIDI class), then by
 * their MIDI note (<midiOutNote>), then by their place in the list (kit_hydrogen.c says the
 * rules); the rest are counted as unmapped and listed. An instrument whose samples are missing
 * or unreadable is left out and the rest of the kit plays (kit_missing_line says so). Audio is read with libsndfile (WAV, FLAC, AIFF,
 * OGG), mixed to mono and resampled with libsamplerate to the engine's rate.
 *
 * Caller-owned struct: kit_load* fill it, kit_deinit frees it. Not for the audio thread
 * (allocates, reads files); the engine only reads a loaded kit.
 */
#ifndef GROOVE_KIT_H
#define GROOVE_KIT_H

#include <stddef.h>

#include "hvo.h"

#define KIT_MAX_LAYERS 8       /* velocity layers per voice (more are merged by range) */
#define KIT_MAX_SECONDS 8.0    /* longer samples are cut (with a fade) */
#define KIT_MAX_UNMAPPED 32    /* unmapped instrument names remembered */

/* One sample and the velocity range it answers. */
typedef struct {
    float *data;     /* mono samples at the kit's rate (owned) */
    int frames;
    float min_vel;   /* 0..1, inclusive */
    float max_vel;   /* 0..1, inclusive */
    float gain;      /* linear, layer gain times instrument gain */
} Kit_layer;

typedef struct {
    Kit_layer layers[KIT_MAX_LAYERS]; /* ordered by min_vel */
    int n_layers;                    /* 0 = the voice is silent in this kit */
    char source[96];                 /* the file or instrument it came from */
} Kit_voice;

struct Kit {
    char name[128];                  /* the kit's name (folder name or drumkit.xml <name>) */
    char path[1024];                 /* the folder it was loaded from */
    int rate;                        /* sample rate of every layer */
    Kit_voice voices[HVO_VOICES];
    int n_unmapped;                  /* instruments or files not used */
    char unmapped[KIT_MAX_UNMAPPED][64];
    int n_layers_dropped;            /* layers beyond KIT_MAX_LAYERS */
    int n_missing;                   /* instruments left out: their samples are missing or unreadable */
    char missing[256];               /* "'Snare' (reason), 'Tom'": kit_missing_line says it in one line */
};
typedef struct Kit Kit;

/* Where a kit was found (kit_list). */
typedef struct {
    char name[128];
    char path[1024];
    const char *origin; /* "default", "user", "hydrogen (user)", "hydrogen (system)" */
} Kit_info;

/* Loads the kit a spec names (see above) at a rate. Returns 0, or -1 with one line in err
 * ("cannot open kit 'x': no such file or directory"). */
int kit_load(Kit *kit, const char *spec, int rate, char *err, size_t errlen);
/* Loads a folder of files named by voice. 0 or -1 with err. */
int kit_load_folder(Kit *kit, const char *dir, int rate, char *err, size_t errlen);
/* Loads a Hydrogen drumkit (its drumkit.xml path). 0 or -1 with err. */
int kit_load_hydrogen(Kit *kit, const char *xml_path, int rate, char *err, size_t errlen);
/* Loads the default kit (samples/ beside the executable, else the repository's samples/ from
 * the working directory); if those files are missing, synthesises it in memory. Never fails
 * except for memory (-1). */
int kit_load_default(Kit *kit, int rate, char *err, size_t errlen);
/* Loads spec, or on failure the default kit; *fell_back says which happened, err why. 0, or
 * -1 when even the default failed. */
int kit_load_or_default(Kit *kit, const char *spec, int rate, int *fell_back, char *err, size_t errlen);
/* Frees the samples and zeroes the kit. */
void kit_deinit(Kit *kit);

/* One line for a kit that loaded without some instruments ("kit 'X': left out 2 instruments
 * whose samples are missing or unreadable: 'Snare' (...), 'Tom'"), or "" when none was. */
const char *kit_missing_line(const Kit *kit, char *line, size_t len);
/* Maps an instrument name with a percussion word that is none of the 9 voices (clap, stick,
 * tambourine, conga, splash, bell, ...) to the voice General MIDI gives its class, or -1. */
int kit_voice_from_percussion_name(const char *name);

/* Number of voices with at least one layer. */
int kit_voice_count(const Kit *kit);
/* Picks the layer for a velocity (0..1): the one whose range holds it, else the nearest.
 * NULL when the voice is silent. Safe on the audio thread (pure). */
const Kit_layer *kit_pick_layer(const Kit *kit, int voice, float velocity);

/* Finds the kits in the known places. Fills up to max entries, returns how many were found
 * (may exceed max). */
int kit_list(Kit_info *out, int max);
/* Resolves a name (as kit_list reports it, case-insensitive) to a folder. 0 or -1. */
int kit_find(const char *name, char *path, size_t pathlen);
/* The default kit's folder (samples/ beside the executable), or "" when not found. */
const char *kit_default_dir(void);

/* Maps a Hydrogen instrument name to a voice by keywords, or -1. */
int kit_voice_from_name(const char *name);
/* File base names accepted for a voice in a folder kit (NULL-terminated list). */
const char *const *kit_voice_file_names(int voice);

#endif
