/* atomic_file.h - whole-file saves that never leave a half-written file behind.
 *
 * atomic_file_write() writes to a temporary file beside the target, fsyncs it, then renames
 * it over the target, so a reader sees the old file or the new one, never a mix. Used by the
 * MIDI writer and the dataset. Pure file I/O; any thread but the audio thread.
 */
#ifndef GROOVE_ATOMIC_FILE_H
#define GROOVE_ATOMIC_FILE_H

#include <stddef.h>

/* Writes len bytes to path atomically. Returns 0, or -1 with a one-line reason in err. */
int atomic_file_write(const char *path, const void *data, size_t len, char *err, size_t errlen);

#endif
