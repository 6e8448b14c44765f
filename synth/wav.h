/* wav.h - the one WAV writer: 16-bit PCM or 32-bit float, whole or block by block.
 *
 * A Wav_writer streams interleaved float frames into a temp file beside the target (an
 * atomic save, core/atomic_file.h); wav_writer_close(commit 1) fills in the header's sizes,
 * fsyncs and renames it into place, so a reader never sees half a file, and commit 0 (or any
 * failure) leaves the target as it was. wav_write() is the same for a buffer already whole.
 * Float input is clamped to [-1, 1] (NaN is 0) and rounded for 16-bit. The header is the
 * plain 44-byte RIFF/WAVE one (format 1 PCM or 3 IEEE float), little-endian (core/le.h).
 *
 * The caller owns the Wav_writer. Pure apart from its file; any thread but the audio thread.
 */
#ifndef GROOVE_WAV_H
#define GROOVE_WAV_H

#include <stddef.h>
#include <stdint.h>

#include "atomic_file.h"

typedef enum { WAV_PCM16, WAV_FLOAT32 } Wav_format;

/* A WAV file being written, from wav_writer_open() until wav_writer_close(). */
typedef struct {
    Atomic_file file;
    char path[1024];
    int channels, rate;
    Wav_format format;
    int64_t frames;     /* frames written so far */
    int open;           /* 1 between open and close */
} Wav_writer;

/* Starts a WAV file at path (1..8 channels). 0, or -1 with a one-line reason in err. */
int wav_writer_open(Wav_writer *w, const char *path, int channels, int rate, Wav_format format, char *err,
                    size_t errlen);
/* Appends frames interleaved frames. 0, or -1 with err (past 4 GB: "too long for a WAV file"). */
int wav_writer_write(Wav_writer *w, const float *samples, int frames, char *err, size_t errlen);
/* Keeps only the first frames frames written (cuts a silent tail). 0, or -1 with err. */
int wav_writer_truncate(Wav_writer *w, int64_t frames, char *err, size_t errlen);
/* commit 1: writes the header's sizes, fsyncs and renames into place; commit 0: removes the
 * temp file. 0, or -1 with err (the target untouched). Harmless on a closed writer. */
int wav_writer_close(Wav_writer *w, int commit, char *err, size_t errlen);

/* Writes frames frames of interleaved float samples (channels per frame) to path at once.
 * Returns 0, or -1 with a one-line reason in err. */
int wav_write(const char *path, const float *samples, int frames, int channels, int rate, Wav_format format,
              char *err, size_t errlen);

#endif
