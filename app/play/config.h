/* config.h - the player's settings that belong to the machine, not to a session.
 *
 * One small text file, $XDG_CONFIG_HOME/groove/config (or ~/.config/groove/config), holds what
 * is measured once per set-up and kept: input latency per input, output offsets, ... It is
 * versioned and plain, one `key=value` per line, so a person can read and edit it:
 *
 *     groove-config 1
 *     # lines starting with '#' and blank lines are kept as they are
 *     input_latency_keys_ms=35.0
 *     input_latency_midi_ms=4.5
 *
 * Keys another version (or another engineer's module) wrote and this one does not know are
 * kept as they are and written back in their place: a save never drops a line it did not
 * set. Keys: letters, digits, '_', '-', '.'; values: any text up to the end of the line (no
 * newline), surrounding spaces trimmed. A newer version number, a line without '=' or a bad
 * key makes the file CONFIG_CORRUPT (reported, never overwritten: callers then leave it alone).
 *
 * Keys in use (document new ones here and in docs/instrument.md):
 *   input_latency_keys_ms   computer-keyboard latency compensation, ms (calibration)
 *   input_latency_midi_ms   MIDI-in latency compensation, ms (calibration)
 *   output_offset_audio_ms  audio output offset, ms, -50..50, + = later (sync.h, docs/sync.md)
 *   output_offset_midi_ms   MIDI out (notes and clock) offset, ms, -50..50, + = later
 *
 * Saves are atomic (core/atomic_file.h). Pure but for file I/O; any thread but the audio
 * thread, one thread per Config. The caller owns the struct (fixed size, no allocation).
 */
#ifndef GROOVE_CONFIG_H
#define GROOVE_CONFIG_H

#include <stddef.h>

#define CONFIG_VERSION 1
#define CONFIG_MAX_LINES 64      /* lines kept, comments and unknown keys included */
#define CONFIG_KEY_MAX 48        /* key length limit, bytes, NUL included */
#define CONFIG_VALUE_MAX 208     /* value length limit, bytes, NUL included */

#define CONFIG_INPUT_LATENCY_KEYS "input_latency_keys_ms"
#define CONFIG_INPUT_LATENCY_MIDI "input_latency_midi_ms"
#define CONFIG_OUTPUT_OFFSET_AUDIO "output_offset_audio_ms"
#define CONFIG_OUTPUT_OFFSET_MIDI "output_offset_midi_ms"

/* One line of the file: a key=value pair, or (key empty) a comment or blank line kept verbatim
 * in value. */
typedef struct {
    char key[CONFIG_KEY_MAX];
    char value[CONFIG_VALUE_MAX];
} Config_line;

typedef struct {
    Config_line lines[CONFIG_MAX_LINES];
    int count;
} Config;

typedef enum {
    CONFIG_OK = 0,
    CONFIG_MISSING,              /* no file yet: defaults */
    CONFIG_CORRUPT,              /* there but will not parse (err says why) */
    CONFIG_IO_ERROR              /* cannot be read */
} Config_status;

/* An empty config (every key at its default). */
void config_init(Config *c);

/* Parses text (len bytes). CONFIG_OK, or CONFIG_CORRUPT with a one-line reason in err; `c` is
 * only written on success. */
Config_status config_from_text(const char *text, size_t len, Config *c, char *err, size_t errlen);
/* Writes the file's text into buf (NUL-terminated). Returns its length, or -1 when buf is too
 * small (CONFIG_TEXT_MAX is always enough). */
#define CONFIG_TEXT_MAX (32 + CONFIG_MAX_LINES * (CONFIG_KEY_MAX + CONFIG_VALUE_MAX + 2))
int config_to_text(const Config *c, char *buf, size_t n);

/* Loads a file: CONFIG_OK, CONFIG_MISSING (c set to empty), CONFIG_CORRUPT or CONFIG_IO_ERROR
 * (err says why; c set to empty). */
Config_status config_load(const char *path, Config *c, char *err, size_t errlen);
/* Saves atomically. 0, or -1 with a one-line reason in err. */
int config_save(const Config *c, const char *path, char *err, size_t errlen);
/* The default path (above), creating its directory. 0, or -1 with err. */
int config_default_path(char *path, size_t len, char *err, size_t errlen);

/* The value of key, or NULL when it is not set. */
const char *config_get(const Config *c, const char *key);
/* The value of key as a finite number, or fallback when unset or not a number. */
double config_get_double(const Config *c, const char *key, double fallback);
/* The value of key as a number in [lo, hi] into *out: 0 when it is one, or unset (then
 * *out = fallback); -1 when it is set but not such a number (then *out = fallback and err says
 * so in one line, e.g. "config: output_offset_audio_ms=999 is not a number in -50..50 (0 used)"). */
int config_get_number(const Config *c, const char *key, double lo, double hi, double fallback, double *out,
                      char *err, size_t errlen);
/* Sets key (replacing its value in place, or adding a line). 0, or -1 when the key is not a
 * valid key, the value too long or holds a newline, or the file is full. */
int config_set(Config *c, const char *key, const char *value);
/* Sets key to a number written with `digits` decimals. 0 or -1 as config_set. */
int config_set_double(Config *c, const char *key, double value, int digits);
/* Removes key. Returns 1 when it was set. */
int config_unset(Config *c, const char *key);

/* A short word for a status. */
const char *config_status_str(Config_status st);

#endif
