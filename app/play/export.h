/* export.h - the part to a WAV file: an offline render through a private engine.
 *
 * Renders n_loops loops of one pattern with a kit at a tempo and swing (mutes and solos
 * honoured), plus a second of ring-out, into a 16-bit stereo WAV written atomically (temp
 * file, fsync, rename). Its own Engine, so the live one is not disturbed. Also writes an
 * interleaved float buffer to WAV for callers that render themselves (headless mode).
 *
 * Control thread only (allocates, writes files). The kit is only read.
 */
#ifndef GROOVE_EXPORT_H
#define GROOVE_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "session.h"

/* Renders the session's part for n_loops loops to path. 0, or -1 with err. */
int export_wav(const char *path, const Session *s, const Kit *kit, int rate, int n_loops, char *err,
               size_t errlen);

/* A WAV file being written frame by frame (16-bit stereo), made atomic at the end. */
typedef struct {
    void *state;            /* private to export.c: the libsndfile handle and its atomic save */
    char path[1024];
    int64_t frames;
} Wav_writer;

/* Opens a temp file beside path. 0, or -1 with err. */
int wav_writer_open(Wav_writer *w, const char *path, int rate, char *err, size_t errlen);
/* Appends interleaved stereo float frames. 0, or -1 with err. */
int wav_writer_write(Wav_writer *w, const float *frames, int n, char *err, size_t errlen);
/* Closes, fsyncs and renames into place (commit 1), or deletes the temp file (commit 0). */
int wav_writer_close(Wav_writer *w, int commit, char *err, size_t errlen);

#endif
