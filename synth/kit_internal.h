/* kit_internal.h - what the three parts of the kit module share; no other module includes it.
 *
 * The kit module (kit.h) is three files, one concern each:
 *   kit.c           samples and voice names: reading an audio file into a layer, the layers
 *                   of a voice, folder kits whose files are named by voice;
 *   kit_hydrogen.c  Hydrogen reading: drumkit.xml, its instruments, their mapping to voices;
 *   kit_find.c      where kits are found: the default kit, the kit places, names and specs,
 *                   and the public kit_load* entries;
 *   kit_archive.c   .h2drumkit archives, unpacked safely into a private folder (libarchive).
 * Same rules as kit.h: not for the audio thread (these allocate and read files).
 */
#ifndef GROOVE_KIT_INTERNAL_H
#define GROOVE_KIT_INTERNAL_H

#include <stddef.h>

#include "kit.h"

/* Copies src (NULL is "") into dst of n bytes, cut and terminated. */
void kit_copy_str(char *dst, size_t n, const char *src);
/* The part of a path after its last '/'. */
const char *kit_base_name(const char *path);
/* Lower-cases src into dst of n bytes (ASCII). */
void kit_lower_copy(char *dst, size_t n, const char *src);

/* Reads an audio file as mono float at rate (resampled), trailing silence trimmed and cut at
 * KIT_MAX_SECONDS. 0 with *out owned by the caller, or -1 with a reason in err. */
int kit_read_sample(const char *path, int rate, float **out, int *frames, char *err, size_t errlen);
/* Adds a layer to a voice (keeps layers ordered by min_vel). Takes ownership of data; a layer
 * past KIT_MAX_LAYERS is freed and counted in n_layers_dropped. */
void kit_add_layer(Kit *kit, int voice, float *data, int frames, float min_vel, float max_vel, float gain);
/* Remembers a file or instrument the kit does not use (the count goes on past the list). */
void kit_note_unmapped(Kit *kit, const char *what);

/* The loaders behind kit_load_folder / kit_load_hydrogen: the same contract, but err may hold
 * control characters from the files' names (kit_find.c makes it one printable line). */
int kit_load_folder_raw(Kit *kit, const char *dir, int rate, char *err, size_t errlen);
int kit_load_hydrogen_raw(Kit *kit, const char *xml_path, int rate, char *err, size_t errlen);
/* The same from a drumkit.xml already in memory (n bytes at xml, NUL not needed); samples are
 * read from dir; label names the file in messages. For the fuzz harness and archives. */
int kit_load_hydrogen_memory(Kit *kit, const char *xml, size_t n, const char *dir, const char *label, int rate,
                             char *err, size_t errlen);

/* A Hydrogen .h2drumkit (or another tar/zip archive of a kit): unpacked into a private
 * temporary folder with every entry checked (kit_archive.c), loaded, the folder removed.
 * Same contract as kit_load_hydrogen_raw. */
int kit_load_archive_raw(Kit *kit, const char *archive_path, int rate, char *err, size_t errlen);
/* 1 when a file name looks like a kit archive (.h2drumkit, .tar, .tar.gz, .tgz, .zip, ...). */
int kit_is_archive_name(const char *path);

#endif
