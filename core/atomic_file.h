/* atomic_file.h - saves that never leave a half-written file behind.
 *
 * A save goes to a temporary file beside the target (path + ".tmp.XXXXXX"), is fsynced, given
 * the usual permissions (0666 less the umask) and renamed over the target, so a reader sees the
 * old file or the new one, never a mix; a failed or abandoned save removes its temp file and
 * leaves the target as it was. One mechanism for every save in groove:
 *   - atomic_file_write() for a file already whole in memory (MIDI, dataset, model, session);
 *   - atomic_file_open/append/commit/abort for a file written in pieces (training checkpoints
 *     from several large buffers, WAV files; a library that writes to a descriptor, such as
 *     libsndfile's sf_open_fd, may write to .fd between open and commit).
 * The caller owns the Atomic_file struct. Pure file I/O; any thread but the audio thread.
 * On failure every function also leaves errno set to the cause, for callers that word their
 * own message.
 */
#ifndef GROOVE_ATOMIC_FILE_H
#define GROOVE_ATOMIC_FILE_H

#include <stddef.h>

/* A save in progress, from atomic_file_open() until atomic_file_commit() or _abort(). */
typedef struct {
    int fd;     /* the open temp file; -1 once closed */
    char *tmp;  /* the temp file's name (heap), NULL once released */
    char *path; /* the target's name (heap copy), NULL once released */
    int error;  /* errno of the first failed append, 0 while all is well */
} Atomic_file;

/* Writes len bytes to path atomically. Returns 0, or -1 with a one-line reason in err. */
int atomic_file_write(const char *path, const void *data, size_t len, char *err, size_t errlen);

/* Creates the temp file beside path. Returns 0, or -1 with a one-line reason in err (nothing
 * is left to abort then). */
int atomic_file_open(Atomic_file *f, const char *path, char *err, size_t errlen);
/* Appends len bytes. Returns 0, or -1 with err; a failure sticks, and commit then fails. */
int atomic_file_append(Atomic_file *f, const void *data, size_t len, char *err, size_t errlen);
/* Fsyncs, sets permissions, closes and renames the temp file over the target, then releases
 * f. Returns 0, or -1 with err, the temp file removed and the target untouched. */
int atomic_file_commit(Atomic_file *f, char *err, size_t errlen);
/* Abandons the save: closes and removes the temp file and releases f. Harmless after commit
 * or a second abort. */
void atomic_file_abort(Atomic_file *f);

#endif
